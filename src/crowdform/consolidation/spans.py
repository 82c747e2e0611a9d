"""Named entities (``crowd-entity-annotation``): cluster the workers' spans, one entity per cluster.

What Ground Truth documents (section 8.4 of the contracts spec) and how we do it:

* Spans are clustered by **Jaccard similarity** of their character ranges (shared characters over
  covered characters). Two spans of different workers are linked at ``jaccard_threshold`` or more;
  clusters hold at most one span per worker and crowded groups are split by optimal assignment,
  exactly as for boxes (:func:`crowdform.consolidation.boxes.cluster_across_workers`). When a
  worker gave one range two labels, the split prefers pairing spans with equal labels.
* **Boundaries**: the mode of the members' start (and end) offsets when one value is strictly the
  most frequent, else the median -- the lower median, so the offset is one a worker chose.
* **Label**: the most frequent label in the cluster. Ground Truth breaks ties at random; we give
  them to the smallest label index, so a re-run gives the same output.
* **Confidence**: the share of the document's workers whose span in the cluster carries the chosen
  label (two of three workers -> 0.67 before rounding, as in the spec's example); 0 when the
  document had one worker, as documented.
* **Dropping** (not documented by Ground Truth; recorded in ``docs/decisions.md``): an entity is
  kept when more than ``min_support`` of the document's workers marked it (default: a strict
  majority); with one worker everything is kept.

An estimator (``fit`` -> ``self``) because the entities, their documents, confidences and the
cluster of every input span are read together.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crowdform.consolidation.boxes import (
    as_int_column,
    cluster_across_workers,
    pairs_within_groups,
    responding_weight,
    weighted_vote,
)
from crowdform.errors import InvalidInput, Problem

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# Same-label pairs get this much extra similarity when a crowded group is split: a tie-breaker only.
_LABEL_TIE_BREAK = 1e-6


def jaccard_pairs(start_a: IntArray, end_a: IntArray, start_b: IntArray, end_b: IntArray) -> FloatArray:
    """Jaccard index of character ranges ``[start, end)``, element by element."""
    inter = np.clip(np.minimum(end_a, end_b) - np.maximum(start_a, start_b), 0, None)
    union = (end_a - start_a) + (end_b - start_b) - inter
    result: FloatArray = inter / np.maximum(union, 1)
    return result


def mode_or_lower_median(cluster: IntArray, values: IntArray, n_clusters: int) -> IntArray:
    """Per cluster: the strictly most frequent value, or the lower median when no value is."""
    order = np.lexsort((values, cluster))
    size = np.bincount(cluster, minlength=n_clusters)
    median = values[order][np.cumsum(size) - size + (size - 1) // 2]
    width = int(values.max()) + 1
    unique, counts = np.unique(cluster * width + values, return_counts=True)
    owner, value = unique // width, unique % width
    ranked = np.lexsort((value, -counts, owner))  # per cluster: most frequent first
    owner, value, counts = owner[ranked], value[ranked], counts[ranked]
    top = np.searchsorted(owner, np.arange(n_clusters))
    after = np.minimum(top + 1, len(owner) - 1)
    runner_up = np.where((top + 1 < len(owner)) & (owner[after] == np.arange(n_clusters)), counts[after], 0)
    result: IntArray = np.where(counts[top] > runner_up, value[top], median).astype(np.int64)
    return result


class SpanConsolidator:
    """Consolidate text spans (named entities) from several workers per document.

    Hyperparameters: ``jaccard_threshold`` (spans of two workers at least this similar may be the
    same entity) and ``min_support`` (share of the document's workers an entity needs, exclusive).

    After :meth:`fit`: ``objects_`` (document of each entity), ``starts_``, ``ends_`` (exclusive),
    ``labels_``, ``confidence_``, ``support_``, sorted by document, start, end, label; ``cluster_``:
    for every input span, the index of its entity or -1 when the cluster was dropped.
    """

    source = "entity answers"

    def __init__(self, jaccard_threshold: float = 0.5, min_support: float = 0.5) -> None:
        self.jaccard_threshold = jaccard_threshold
        self.min_support = min_support

    def fit(
        self,
        objects: ArrayLike,
        workers: ArrayLike,
        starts: ArrayLike,
        ends: ArrayLike,
        labels: ArrayLike,
        *,
        responded: tuple[ArrayLike, ArrayLike] | None = None,
    ) -> SpanConsolidator:
        """One row per span: document index, worker index, ``startOffset``, ``endOffset``, label index.

        ``responded`` = (documents, workers) of every answer, including answers with no entities.
        """
        obj = as_int_column(objects, "objects", self.source)
        wrk = as_int_column(workers, "workers", self.source)
        start = as_int_column(starts, "starts", self.source)
        end = as_int_column(ends, "ends", self.source)
        lab = as_int_column(labels, "labels", self.source)
        if not (len(obj) == len(wrk) == len(start) == len(end) == len(lab)):
            raise InvalidInput(self.source, [Problem("objects, workers, starts, ends and labels must have the same length")])
        if len(start) and np.any(end <= start):
            bad = int(np.flatnonzero(end <= start)[0])
            raise InvalidInput(self.source, [Problem("endOffset must be greater than startOffset", line=bad,
                                                     field="ends", value=(int(start[bad]), int(end[bad])),
                                                     hint="endOffset is exclusive: the position after the last character")])
        n_objects = int(obj.max()) + 1 if len(obj) else 0
        total, count, _, _ = responding_weight(obj, wrk, responded, None, n_objects, self.source)

        first, second = pairs_within_groups(obj)
        similarity = jaccard_pairs(start[first], end[first], start[second], end[second])

        def within(idx: IntArray) -> FloatArray:
            rows, cols = np.meshgrid(idx, idx, indexing="ij")
            score = jaccard_pairs(start[rows], end[rows], start[cols], end[cols])
            result: FloatArray = score + _LABEL_TIE_BREAK * (lab[rows] == lab[cols])
            return result

        cluster = cluster_across_workers(obj, wrk, first, second, similarity, self.jaccard_threshold, within)
        _, cluster = np.unique(cluster, return_inverse=True)
        cluster = cluster.astype(np.int64)
        n_clusters = int(cluster.max()) + 1 if len(cluster) else 0

        ones = np.ones(len(obj))
        label, share = weighted_vote(cluster, lab, ones, n_clusters)
        size = np.bincount(cluster, minlength=n_clusters).astype(np.float64)
        agreeing = share * size
        entity_start = mode_or_lower_median(cluster, start, n_clusters) if n_clusters else start
        entity_end = mode_or_lower_median(cluster, end, n_clusters) if n_clusters else end
        document = np.zeros(n_clusters, dtype=np.int64)
        document[cluster] = obj
        workers_here = np.where(total[document] > 0, total[document], 1.0)
        support = size / workers_here
        single = count[document] <= 1
        kept = single | (support > self.min_support)

        order = np.lexsort((label, entity_end, entity_start, document))
        order = order[kept[order]]
        position = np.full(n_clusters, -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        self.objects_ = document[order]
        self.starts_ = entity_start[order]
        self.ends_ = entity_end[order]
        self.labels_ = label[order]
        self.support_ = support[order]
        self.confidence_ = np.where(single[order], 0.0, agreeing[order] / workers_here[order])
        self.cluster_ = position[cluster]
        return self
