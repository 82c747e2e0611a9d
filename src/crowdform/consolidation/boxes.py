"""Bounding boxes: match the boxes of different workers, average each match into one box.

Ground Truth documents only the outline (section 8.4 of the contracts spec): boxes are matched by
intersection over union and matched boxes are averaged, each with its own confidence. The rest is
ours and recorded in ``docs/decisions.md`` ("Consolidation"):

* **Matching** is an optimal assignment, never greedy, and never puts two boxes of one worker in the
  same cluster. Boxes of one image that overlap by at least ``iou_threshold`` are linked; a connected
  group holding at most one box per worker is a cluster as it stands (nearly every group, which is
  what keeps this vectorised). A group where some worker has two boxes (overlapping objects) is split
  by :func:`cluster_across_workers`: the boxes of the worker with the most boxes there seed the
  clusters and every other worker's boxes are assigned to them with
  ``scipy.optimize.linear_sum_assignment``; what stays unassigned is split again the same way.
* **Dropping**: a cluster is kept when the workers who drew it hold more than ``min_support`` of the
  image's total worker weight (default: a strict majority), so a box only a minority drew is
  dropped. With one worker every box is kept.
* **Averaging**: corners are averaged with the workers' weights (reliabilities, when given).
* **Label**: weighted vote inside the cluster; ties go to the smallest label index.
* **Confidence** = support x share of the winning label x mean IoU of the members with the averaged
  box, so it falls when few workers agree, when they disagree on the label or when their boxes
  scatter; 0 when the image had a single worker (Ground Truth's rule for N = 1).

An estimator (``fit`` -> ``self``) because a fit yields several aligned results (boxes, labels,
confidences, the cluster of every input box) that callers read together.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crowdform.errors import InvalidInput, Problem

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Guards the IoU division for two zero-area boxes at the same place (IoU is then 0, not NaN).
_AREA_EPSILON = 1e-12


def corners(boxes: FloatArray) -> FloatArray:
    """``(left, top, width, height)`` rows -> ``(x0, y0, x1, y1)`` rows (the form IoU wants)."""
    return np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], axis=1)


def iou_pairs(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of ``a[k]`` with ``b[k]`` for every row ``k`` (both in corner form)."""
    width = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0.0, None)
    height = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0.0, None)
    inter = width * height
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    result: FloatArray = inter / np.maximum(area_a + area_b - inter, _AREA_EPSILON)
    return result


def iou_matrix(a: FloatArray, b: FloatArray) -> FloatArray:
    """IoU of every row of ``a`` with every row of ``b`` (corner form), shape ``(len(a), len(b))``."""
    rows, cols = np.meshgrid(np.arange(len(a)), np.arange(len(b)), indexing="ij")
    return iou_pairs(a[rows.ravel()], b[cols.ravel()]).reshape(len(a), len(b))


def pairs_within_groups(group: IntArray) -> tuple[IntArray, IntArray]:
    """Every pair ``i < j`` of items in the same group, without a Python loop over groups.

    The cost is the sum of squared group sizes, which is what all-pairs matching needs anyway.
    """
    order = np.argsort(group, kind="stable")
    _, starts, counts = np.unique(group[order], return_index=True, return_counts=True)
    size = np.repeat(counts, counts)  # size of each sorted item's group
    first = np.repeat(starts, counts)  # sorted position where that group starts
    left = np.repeat(np.arange(len(order)), size)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(size) - size, size)
    right = np.repeat(first, size) + offset
    keep = left < right
    return order[left[keep]], order[right[keep]]


def candidate_pairs(objects: IntArray, workers: IntArray, corner: FloatArray, threshold: float) -> tuple[IntArray, IntArray]:
    """Pairs of boxes of one image, from different workers, whose IoU can reach ``threshold``.

    IoU >= t needs the horizontal overlap to be at least t times the wider box's width (the
    intersection is at most overlap x height, the union at least the larger area). So, with the
    boxes of each image sorted by left edge, box ``i`` only needs the boxes that start before
    ``right_i - t * width_i``: one ``searchsorted`` finds them all, and the pairs are never all
    formed (a sweep line, vectorised).
    """
    n = len(objects)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    left_edge, right_edge = corner[:, 0], corner[:, 2]
    order = np.lexsort((left_edge, objects))
    origin = float(left_edge.min())
    span = float(max(right_edge.max(), left_edge.max()) - origin) + 1.0  # keeps each image's keys apart
    key = objects[order] * span + (left_edge[order] - origin)
    reach = objects[order] * span + (right_edge[order] - threshold * (right_edge[order] - left_edge[order]) - origin)
    slack = 1e-9 * (float(np.abs(key).max()) + span)  # rounding of the keys must not lose a pair
    end = np.searchsorted(key, reach + slack, side="right")
    count = np.maximum(end - np.arange(1, n + 1), 0)
    first = np.repeat(np.arange(n), count)
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(count) - count, count)
    first, second = order[first], order[second]
    keep = (workers[first] != workers[second]) & (objects[first] == objects[second])
    first, second = first[keep], second[keep]
    left_a, left_b = corner[first, 0], corner[second, 0]
    right_a, right_b = corner[first, 2], corner[second, 2]
    overlap = np.minimum(right_a, right_b) - np.maximum(left_a, left_b)
    wider = np.maximum(right_a - left_a, right_b - left_b)
    keep = (overlap >= threshold * wider) & (overlap > 0)
    return first[keep], second[keep]


def cluster_across_workers(
    group: IntArray,
    worker: IntArray,
    first: IntArray,
    second: IntArray,
    similarity: FloatArray,
    threshold: float,
    similarity_within: Callable[[IntArray], FloatArray],
) -> IntArray:
    """Cluster items so that each cluster holds at most one item per worker; returns a cluster id per item.

    ``first``/``second``/``similarity`` list the similarity of item pairs of one group (pairs below
    ``threshold`` may be left out); ``similarity_within(indices)`` returns the full square similarity
    matrix of a few items and is only called for the rare groups that need splitting. Shared by
    boxes, keypoints, polygons and text spans. The result does not depend on the order of workers or
    items, except when two workers tie exactly as the seed of a split (then the lower worker id wins).
    """
    n = len(group)
    linked = (similarity >= threshold) & (worker[first] != worker[second]) & (group[first] == group[second])
    graph = coo_matrix((np.ones(int(linked.sum())), (first[linked], second[linked])), shape=(n, n))
    n_components, labels = connected_components(graph, directed=False)
    component: IntArray = np.asarray(labels, dtype=np.int64)
    if n == 0:
        return component
    key = component * (int(worker.max()) + 1) + worker
    unique_keys, key_counts = np.unique(key, return_counts=True)
    crowded = np.unique(unique_keys[key_counts > 1] // (int(worker.max()) + 1))
    if len(crowded) == 0:
        return component
    order = np.argsort(component, kind="stable")
    starts = np.searchsorted(component[order], crowded)
    ends = np.searchsorted(component[order], crowded, side="right")
    next_id = n_components
    for start, end in zip(starts, ends):
        members = np.sort(order[start:end])
        matrix = similarity_within(members)
        local = _split(matrix, worker[members], threshold)
        component[members] = next_id + local
        next_id += int(local.max()) + 1
    return component


def _split(matrix: FloatArray, worker: IntArray, threshold: float) -> IntArray:
    """Local cluster ids for a linked group where some worker has several items (see the module docstring)."""
    matrix = np.where(worker[:, None] == worker[None, :], -np.inf, matrix)  # one worker's items never link
    sub = _small_components(matrix >= threshold)
    n_sub = int(sub.max()) + 1
    result = np.full(len(worker), -1, dtype=np.int64)
    next_id = 0
    for part in range(n_sub):
        members = np.flatnonzero(sub == part)
        workers_here, counts = np.unique(worker[members], return_counts=True)
        if counts.max() <= 1:
            result[members] = next_id
            next_id += 1
            continue
        # Seed: the worker with the most items here; ties by total similarity, then lowest id.
        owner = np.searchsorted(workers_here, worker[members])
        positive = np.clip(matrix[np.ix_(members, members)], 0.0, None)
        strength = np.bincount(owner, weights=positive.sum(axis=1), minlength=len(workers_here))
        candidates = np.lexsort((workers_here, -strength, -counts))
        seed_worker = workers_here[candidates[0]]
        seeds = members[worker[members] == seed_worker]
        result[seeds] = next_id + np.arange(len(seeds))
        taken = set(seeds.tolist())
        for w in workers_here:
            if w == seed_worker:
                continue
            mine = members[worker[members] == w]
            scores = matrix[np.ix_(mine, seeds)]
            rows, cols = linear_sum_assignment(-np.where(scores >= threshold, scores, 0.0))
            good = scores[rows, cols] >= threshold
            result[mine[rows[good]]] = next_id + cols[good]
            taken.update(mine[rows[good]].tolist())
        next_id += len(seeds)
        rest = np.array(sorted(set(members.tolist()) - taken), dtype=np.int64)
        if len(rest):
            local = _split(matrix[np.ix_(rest, rest)], worker[rest], threshold)
            result[rest] = next_id + local
            next_id += int(local.max()) + 1
    return result


def _small_components(adjacent: NDArray[np.bool_]) -> IntArray:
    """Connected components of a small dense graph, numbered by first member (cheaper than scipy's checks here)."""
    reach = adjacent | np.eye(len(adjacent), dtype=bool)
    while True:
        wider = (reach.astype(np.int32) @ reach.astype(np.int32)) > 0
        if np.array_equal(wider, reach):
            break
        reach = wider
    _, component = np.unique(np.argmax(reach, axis=1), return_inverse=True)
    return component.astype(np.int64)


def weighted_vote(cluster: IntArray, label: IntArray, weight: FloatArray, n_clusters: int) -> tuple[IntArray, FloatArray]:
    """Per cluster: the label with the most weight (ties: smallest label) and that label's share of the weight."""
    n_labels = int(label.max()) + 1 if len(label) else 1
    votes = np.bincount(cluster * n_labels + label, weights=weight, minlength=n_clusters * n_labels)
    votes = votes.reshape(n_clusters, n_labels)
    winner = np.argmax(votes, axis=1)  # first maximum: the smallest label wins ties
    total = votes.sum(axis=1)
    share = votes[np.arange(n_clusters), winner] / np.where(total > 0, total, 1.0)
    return winner.astype(np.int64), share


def as_int_column(values: ArrayLike, name: str, source: str) -> IntArray:
    """A 1-D array of non-negative integers, or :class:`InvalidInput` naming the column."""
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise InvalidInput(source, [Problem("must be a 1-D array of integers", field=name, value=array.dtype.name,
                                            hint="encode ids as integers 0..n-1 first")])
    if array.size and array.min() < 0:
        raise InvalidInput(source, [Problem("must not be negative", field=name, value=int(array.min()))])
    return array.astype(np.int64)


def worker_weight_column(worker: IntArray, worker_weights: ArrayLike | None, source: str) -> FloatArray:
    """The weight of each row's worker (1 when no reliabilities are given)."""
    if worker_weights is None:
        return np.ones(len(worker))
    weights = np.asarray(worker_weights, dtype=np.float64)
    if weights.ndim != 1 or (len(worker) and len(weights) <= worker.max()):
        raise InvalidInput(source, [Problem("needs one weight per worker id", field="worker_weights",
                                            value=weights.shape, hint="index it by worker id")])
    if not np.all(np.isfinite(weights)) or weights.min(initial=0.0) < 0:
        raise InvalidInput(source, [Problem("weights must be finite and non-negative", field="worker_weights")])
    return weights[worker]


def responding_weight(
    objects: IntArray, workers: IntArray, responded: tuple[ArrayLike, ArrayLike] | None,
    worker_weights: ArrayLike | None, n_objects: int, source: str,
) -> tuple[FloatArray, IntArray, IntArray, IntArray]:
    """Total weight and number of the distinct workers who answered each object, and those (object, worker) pairs.

    ``responded`` lists (object, worker) answers, including answers with no shapes at all; the
    workers with at least one row count as having answered in any case.
    """
    pair_objects, pair_workers = objects, workers
    if responded is not None:
        listed_objects = as_int_column(responded[0], "responded[0]", source)
        listed_workers = as_int_column(responded[1], "responded[1]", source)
        if len(listed_objects) != len(listed_workers):
            raise InvalidInput(source, [Problem("responded needs as many objects as workers", field="responded",
                                                value=(len(listed_objects), len(listed_workers)))])
        pair_objects = np.concatenate([objects, listed_objects])
        pair_workers = np.concatenate([workers, listed_workers])
        n_objects = max(n_objects, int(pair_objects.max()) + 1 if len(pair_objects) else 0)
    width = int(max(pair_workers.max(initial=0), workers.max(initial=0))) + 1
    unique = np.unique(pair_objects * width + pair_workers)
    pair_objects, pair_workers = unique // width, unique % width
    weight = worker_weight_column(pair_workers, worker_weights, source)
    total = np.bincount(pair_objects, weights=weight, minlength=n_objects).astype(np.float64)
    count = np.bincount(pair_objects, minlength=n_objects).astype(np.int64)
    return total, count, pair_objects, pair_workers


class BoxConsolidator:
    """Consolidate ``crowd-bounding-box`` answers into one set of boxes per image.

    Hyperparameters: ``iou_threshold`` (boxes of two workers overlapping at least this much are the
    same object; 0.5 is the usual detection criterion) and ``min_support`` (a cluster is kept when
    its workers hold more than this share of the image's worker weight). Model and rules: see the
    module docstring.

    After :meth:`fit`: ``boxes_`` (left, top, width, height as floats), ``labels_``, ``objects_``
    (the image of each box), ``confidence_``, ``support_``, sorted by image then left then top; and
    ``cluster_``: for every input row, the index of the consolidated box it went into, or -1 when
    its cluster was dropped; ``worker_quality_``: per worker id, how well the worker's boxes agree
    with the consolidated ones (see :meth:`_worker_quality`), usable as ``worker_weights`` of a
    second fit.
    """

    source = "bounding-box answers"

    def __init__(self, iou_threshold: float = 0.5, min_support: float = 0.5) -> None:
        self.iou_threshold = iou_threshold
        self.min_support = min_support

    def fit(
        self,
        objects: ArrayLike,
        workers: ArrayLike,
        boxes: ArrayLike,
        labels: ArrayLike,
        *,
        responded: tuple[ArrayLike, ArrayLike] | None = None,
        worker_weights: ArrayLike | None = None,
    ) -> BoxConsolidator:
        """One row per drawn box: image index, worker index, ``(left, top, width, height)``, label index.

        ``responded`` = (images, workers) of every answer, so a worker who drew nothing still counts
        against the support of the boxes others drew. ``worker_weights[w]`` is worker ``w``'s
        reliability (any non-negative scale).
        """
        obj = as_int_column(objects, "objects", self.source)
        wrk = as_int_column(workers, "workers", self.source)
        lab = as_int_column(labels, "labels", self.source)
        box = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) if np.size(boxes) else np.zeros((0, 4))
        if not (len(obj) == len(wrk) == len(lab) == len(box)):
            raise InvalidInput(self.source, [Problem("objects, workers, boxes and labels must have the same length",
                                                     value=(len(obj), len(wrk), len(box), len(lab)))])
        if not np.all(np.isfinite(box)) or (len(box) and box[:, 2:].min() < 0):
            raise InvalidInput(self.source, [Problem("boxes must be finite with non-negative width and height",
                                                     field="boxes")])
        weight = worker_weight_column(wrk, worker_weights, self.source)
        n_objects = int(obj.max()) + 1 if len(obj) else 0
        total, count, pair_objects, pair_workers = responding_weight(obj, wrk, responded, worker_weights, n_objects,
                                                                     self.source)

        corner = corners(box)
        first, second = candidate_pairs(obj, wrk, corner, self.iou_threshold)
        similarity = iou_pairs(corner[first], corner[second])
        cluster = cluster_across_workers(obj, wrk, first, second, similarity, self.iou_threshold,
                                         lambda idx: iou_matrix(corner[idx], corner[idx]))
        _, cluster = np.unique(cluster, return_inverse=True)
        n_clusters = int(cluster.max()) + 1 if len(cluster) else 0

        cluster_weight = np.bincount(cluster, weights=weight, minlength=n_clusters)
        # Zero-weight workers still place a box when nobody else drew it: fall back to a plain mean.
        use = np.where((cluster_weight > 0)[cluster], weight, 1.0)
        use_total = np.bincount(cluster, weights=use, minlength=n_clusters)
        fused = np.stack([np.bincount(cluster, weights=use * corner[:, k], minlength=n_clusters) / use_total
                          for k in range(4)], axis=1)
        label, share = weighted_vote(cluster, lab, use, n_clusters)
        spread = np.bincount(cluster, weights=use * iou_pairs(corner, fused[cluster]), minlength=n_clusters) / use_total
        cluster_object = np.zeros(n_clusters, dtype=np.int64)
        cluster_object[cluster] = obj
        image_total = total[cluster_object]
        support = cluster_weight / np.where(image_total > 0, image_total, 1.0)
        single = count[cluster_object] <= 1
        kept = single | (support > self.min_support)

        order = np.lexsort((fused[:, 1], fused[:, 0], cluster_object))
        order = order[kept[order]]
        position = np.full(n_clusters, -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        self.objects_ = cluster_object[order]
        self.boxes_ = np.concatenate([fused[order, :2], fused[order, 2:] - fused[order, :2]], axis=1)
        self.labels_ = label[order]
        self.support_ = support[order]
        self.confidence_ = np.where(single[order], 0.0, support[order] * share[order] * spread[order])
        self.cluster_ = position[cluster]
        self.worker_quality_ = self._worker_quality(obj, wrk, corner, pair_objects, pair_workers, len(total))
        return self

    def _worker_quality(self, obj: IntArray, wrk: IntArray, corner: FloatArray, pair_objects: IntArray,
                        pair_workers: IntArray, n_objects: int) -> FloatArray:
        """Per worker id: IoU with the consolidated boxes summed over matches, divided by boxes drawn plus
        consolidated boxes missed on the images the worker answered (a soft F-measure in 0..1; 1 when
        there was nothing to compare). Usable as ``worker_weights`` of a second fit.
        """
        n_workers = int(max(wrk.max(initial=-1), pair_workers.max(initial=-1))) + 1
        kept = self.cluster_ >= 0
        overlap = np.zeros(len(obj))
        overlap[kept] = iou_pairs(corner[kept], corners(self.boxes_)[self.cluster_[kept]])
        matched_iou = np.bincount(wrk, weights=overlap, minlength=n_workers)
        drawn = np.bincount(wrk, minlength=n_workers)
        matched = np.bincount(wrk[kept], minlength=n_workers)
        per_image = np.bincount(self.objects_, minlength=n_objects)
        expected = np.bincount(pair_workers, weights=per_image[pair_objects], minlength=n_workers)
        denominator = drawn + expected - matched
        quality: FloatArray = np.where(denominator > 0, matched_iou / np.maximum(denominator, 1), 1.0)
        return quality
