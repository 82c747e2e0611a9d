"""Polygons (``crowd-polygon``): match the workers' polygons by IoU, fuse each match vertex-wise.

Not a Ground Truth built-in; the rules follow the boxes' (``docs/decisions.md``, "Consolidation"):

* **IoU** without shapely: both polygons are rasterised (even-odd rule, pixel centres) on one grid
  of ``resolution`` x ``resolution`` cells over the union of their bounding boxes, so the error is
  about one cell along the outline, whatever the image size. Pairs whose bounding boxes cannot give
  ``iou_threshold`` (their overlap is smaller than ``iou_threshold`` times the larger polygon's area)
  are never rasterised.
* **Matching, dropping, label**: as for boxes -- at most one polygon per worker in a cluster,
  crowded groups split by optimal assignment, a cluster kept when its workers hold more than
  ``min_support`` of the image's worker weight, label by weighted vote (ties: smallest index).
* **Fusion, vertex-wise** (chosen over raster fusion because the output must be a vertex list and
  tracing a raster outline back into vertices would add a contour tracer and its own errors): every
  member is turned counter-clockwise and resampled to the same number of points evenly spaced along
  its outline (twice the most vertices any member has, at most ``max_vertices``), each member's
  points are rotated to line up with those of the member that agrees best with the others (highest
  weighted IoU sum), the points are averaged with the workers' weights, and vertices that lie
  within ``simplify_tolerance`` pixels of the line through their neighbours are removed.
* **Confidence** = support x share of the winning label x mean IoU of the members with the fused
  polygon; 0 when the image had a single worker.

An estimator (``fit`` -> ``self``) like the boxes. Pairwise IoU is a Python loop over candidate
pairs (each rasterisation is vectorised): polygon jobs are small next to box jobs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crowdform.consolidation.boxes import (
    as_int_column,
    cluster_across_workers,
    pairs_within_groups,
    responding_weight,
    weighted_vote,
    worker_weight_column,
)
from crowdform.errors import InvalidInput, Problem

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def signed_area(vertices: FloatArray) -> float:
    """Shoelace area; positive when the vertices run counter-clockwise in x-right, y-up axes."""
    x, y = vertices[:, 0], vertices[:, 1]
    return float(0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def inside(vertices: FloatArray, x: FloatArray, y: FloatArray) -> NDArray[np.bool_]:
    """Even-odd point-in-polygon test of the points ``(x, y)`` (any shape)."""
    x0, y0 = vertices[:, 0], vertices[:, 1]
    x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
    px, py = x.reshape(-1, 1), y.reshape(-1, 1)
    crosses = (y0 > py) != (y1 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    hits = crosses & (px < at)
    result: NDArray[np.bool_] = (np.count_nonzero(hits, axis=1) % 2 == 1).reshape(x.shape)
    return result


def polygon_iou(a: FloatArray, b: FloatArray, resolution: int = 64) -> float:
    """IoU of two polygons, rasterised together on a ``resolution`` x ``resolution`` grid."""
    low = np.minimum(a.min(axis=0), b.min(axis=0))
    high = np.maximum(a.max(axis=0), b.max(axis=0))
    step = np.maximum(high - low, 1e-9) / resolution
    xs = low[0] + (np.arange(resolution) + 0.5) * step[0]
    ys = low[1] + (np.arange(resolution) + 0.5) * step[1]
    gx, gy = np.meshgrid(xs, ys)
    in_a, in_b = inside(a, gx, gy), inside(b, gx, gy)
    union = np.count_nonzero(in_a | in_b)
    return float(np.count_nonzero(in_a & in_b) / union) if union else 0.0


def resample(vertices: FloatArray, n: int) -> FloatArray:
    """``n`` points evenly spaced along the closed outline, from vertex 0, counter-clockwise."""
    ring = vertices if signed_area(vertices) >= 0 else vertices[::-1]
    closed = np.vstack([ring, ring[:1]])
    length = np.hypot(*np.diff(closed, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(length)])
    targets = np.arange(n) * along[-1] / n
    return np.stack([np.interp(targets, along, closed[:, k]) for k in range(2)], axis=1)


def align(reference: FloatArray, points: FloatArray) -> FloatArray:
    """``points`` rotated cyclically to lie closest (least squares) to ``reference``."""
    n = len(points)
    shifted = points[(np.arange(n)[:, None] + np.arange(n)[None, :]) % n]  # shifted[s] = roll by -s
    cost = ((shifted - reference[None]) ** 2).sum(axis=(1, 2))
    best: FloatArray = shifted[int(np.argmin(cost))]
    return best


def simplify(points: FloatArray, tolerance: float) -> FloatArray:
    """Drop vertices within ``tolerance`` of the line through their neighbours (keeps at least 3)."""
    while len(points) > 3:
        before, after = np.roll(points, 1, axis=0), np.roll(points, -1, axis=0)
        chord = after - before
        cross = np.abs(chord[:, 0] * (points[:, 1] - before[:, 1]) - chord[:, 1] * (points[:, 0] - before[:, 0]))
        distance = cross / np.maximum(np.hypot(*chord.T), 1e-12)
        flat = np.flatnonzero(distance < tolerance)
        if not len(flat):
            break
        drop = flat[::2][: len(points) - 3]  # never two neighbours in one pass
        points = np.delete(points, drop, axis=0)
    return points


class PolygonConsolidator:
    """Consolidate polygons from several workers per image (see the module docstring).

    After :meth:`fit`: ``polygons_`` (list of ``(k, 2)`` float vertex arrays), ``labels_``,
    ``objects_``, ``confidence_``, ``support_``, sorted by image then by the lowest x, y of the
    outline; ``cluster_``: for every input polygon, its consolidated polygon or -1 when dropped.
    """

    source = "polygon answers"

    def __init__(self, iou_threshold: float = 0.5, min_support: float = 0.5, resolution: int = 64,
                 max_vertices: int = 256, simplify_tolerance: float = 0.5) -> None:
        self.iou_threshold = iou_threshold
        self.min_support = min_support
        self.resolution = resolution
        self.max_vertices = max_vertices
        self.simplify_tolerance = simplify_tolerance

    def fit(
        self,
        objects: ArrayLike,
        workers: ArrayLike,
        polygons: Sequence[ArrayLike],
        labels: ArrayLike,
        *,
        responded: tuple[ArrayLike, ArrayLike] | None = None,
        worker_weights: ArrayLike | None = None,
    ) -> PolygonConsolidator:
        """One row per polygon: image index, worker index, ``(k, 2)`` vertices (x, y), label index."""
        obj = as_int_column(objects, "objects", self.source)
        wrk = as_int_column(workers, "workers", self.source)
        lab = as_int_column(labels, "labels", self.source)
        shapes = [np.asarray(p, dtype=np.float64) for p in polygons]
        if not (len(obj) == len(wrk) == len(lab) == len(shapes)):
            raise InvalidInput(self.source, [Problem("objects, workers, polygons and labels must have the same length",
                                                     value=(len(obj), len(wrk), len(shapes), len(lab)))])
        for line, shape in enumerate(shapes):
            if shape.ndim != 2 or shape.shape[1] != 2 or len(shape) < 3 or not np.all(np.isfinite(shape)):
                raise InvalidInput(self.source, [Problem("a polygon needs at least 3 finite (x, y) vertices", line=line,
                                                         field="polygons", value=shape.shape)])
        weight = worker_weight_column(wrk, worker_weights, self.source)
        n_objects = int(obj.max()) + 1 if len(obj) else 0
        total, count, _, _ = responding_weight(obj, wrk, responded, worker_weights, n_objects, self.source)

        low = np.array([s.min(axis=0) for s in shapes]).reshape(-1, 2)
        high = np.array([s.max(axis=0) for s in shapes]).reshape(-1, 2)
        area = np.array([abs(signed_area(s)) for s in shapes])
        first, second = pairs_within_groups(obj)
        overlap = np.prod(np.clip(np.minimum(high[first], high[second]) - np.maximum(low[first], low[second]), 0, None),
                          axis=1)
        possible = (overlap >= self.iou_threshold * np.maximum(area[first], area[second])) & (wrk[first] != wrk[second])
        first, second = first[possible], second[possible]
        similarity = np.array([polygon_iou(shapes[i], shapes[j], self.resolution) for i, j in zip(first, second)])

        def within(idx: IntArray) -> FloatArray:
            matrix = np.eye(len(idx))
            for p in range(len(idx)):
                for q in range(p + 1, len(idx)):
                    matrix[p, q] = matrix[q, p] = polygon_iou(shapes[idx[p]], shapes[idx[q]], self.resolution)
            return matrix

        cluster = cluster_across_workers(obj, wrk, first, second, similarity, self.iou_threshold, within)
        _, cluster = np.unique(cluster, return_inverse=True)
        cluster = cluster.astype(np.int64)
        n_clusters = int(cluster.max()) + 1 if len(cluster) else 0

        cluster_weight = np.bincount(cluster, weights=weight, minlength=n_clusters)
        use = np.where((cluster_weight > 0)[cluster], weight, 1.0)
        label, share = weighted_vote(cluster, lab, use, n_clusters)
        pair_iou = {(int(i), int(j)): s for i, j, s in zip(first, second, similarity)}
        fused: list[FloatArray] = []
        spread = np.zeros(n_clusters)
        by_cluster = np.argsort(cluster, kind="stable")
        bounds = np.searchsorted(cluster[by_cluster], np.arange(n_clusters + 1))
        for c in range(n_clusters):
            members = by_cluster[bounds[c]:bounds[c + 1]]
            shape = self._fuse(members, shapes, use, wrk, pair_iou)
            fused.append(shape)
            ious = np.array([polygon_iou(shapes[m], shape, self.resolution) for m in members])
            spread[c] = np.dot(use[members], ious) / use[members].sum()

        cluster_object = np.zeros(n_clusters, dtype=np.int64)
        cluster_object[cluster] = obj
        image_total = total[cluster_object]
        support = cluster_weight / np.where(image_total > 0, image_total, 1.0)
        single = count[cluster_object] <= 1
        kept = single | (support > self.min_support)
        corner = np.array([f.min(axis=0) for f in fused]).reshape(-1, 2)
        order = np.lexsort((corner[:, 1], corner[:, 0], cluster_object))
        order = order[kept[order]]
        position = np.full(n_clusters, -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        self.objects_ = cluster_object[order]
        self.polygons_ = [fused[c] for c in order]
        self.labels_ = label[order]
        self.support_ = support[order]
        self.confidence_ = np.where(single[order], 0.0, support[order] * share[order] * spread[order])
        self.cluster_ = position[cluster]
        return self

    def _fuse(self, members: IntArray, shapes: list[FloatArray], weight: FloatArray, worker: IntArray,
              pair_iou: dict[tuple[int, int], float]) -> FloatArray:
        """Vertex-wise weighted mean of the members (see the module docstring)."""
        if len(members) == 1:
            return np.array(shapes[members[0]], dtype=np.float64)
        members = members[np.argsort(worker[members], kind="stable")]
        agreement = np.array([sum(weight[q] * pair_iou.get((min(p, q), max(p, q)), 0.0) for q in members if q != p)
                              for p in members])
        reference_member = members[int(np.argmax(agreement))]
        n = min(self.max_vertices, 2 * max(len(shapes[m]) for m in members))
        reference = resample(shapes[reference_member], n)
        points = np.stack([align(reference, resample(shapes[m], n)) for m in members])
        mean = np.tensordot(weight[members] / weight[members].sum(), points, axes=1)
        return simplify(mean, self.simplify_tolerance)
