"""Keypoints (``crowd-keypoint``): match the workers' points of each label by distance and average them.

Not a Ground Truth built-in; the rules mirror the boxes' (``docs/decisions.md``, "Consolidation"):

* **Matching**, per image and label: points of two workers at most ``max_distance`` apart may be
  the same keypoint; clusters hold at most one point per worker, crowded groups are split by optimal
  assignment (:func:`crowdform.consolidation.boxes.cluster_across_workers`), similarity being
  ``1 - distance / max_distance``. ``max_distance`` is in pixels, or in units of a per-image
  ``scale`` given to :meth:`KeypointConsolidator.fit` (for example the image diagonal).
* **Dropping**: a keypoint is kept when its workers hold more than ``min_support`` of the image's
  worker weight (default: a strict majority); with one worker every point is kept.
* **Position**: the weighted mean of the members (weights = worker reliabilities, when given).
* **Confidence** = support x mean of ``1 - distance / max_distance`` of the members to the averaged
  point (clipped at 0); 0 when the image had one worker.

An estimator (``fit`` -> ``self``) for the same reason as the boxes: aligned results read together.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crowdform.consolidation.boxes import (
    as_int_column,
    cluster_across_workers,
    pairs_within_groups,
    responding_weight,
    worker_weight_column,
)
from crowdform.errors import InvalidInput, Problem

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class KeypointConsolidator:
    """Consolidate keypoints from several workers per image.

    After :meth:`fit`: ``points_`` (x, y floats), ``labels_``, ``objects_`` (image of each point),
    ``confidence_``, ``support_``, sorted by image, label, x, y; ``cluster_``: for every input row,
    the index of its consolidated point or -1 when its cluster was dropped.
    """

    source = "keypoint answers"

    def __init__(self, max_distance: float = 10.0, min_support: float = 0.5) -> None:
        if not max_distance > 0:
            raise InvalidInput.one(self.source, "max_distance must be positive", field="max_distance", value=max_distance)
        self.max_distance = max_distance
        self.min_support = min_support

    def fit(
        self,
        objects: ArrayLike,
        workers: ArrayLike,
        points: ArrayLike,
        labels: ArrayLike,
        *,
        responded: tuple[ArrayLike, ArrayLike] | None = None,
        worker_weights: ArrayLike | None = None,
        scale: ArrayLike | None = None,
    ) -> KeypointConsolidator:
        """One row per point: image index, worker index, ``(x, y)``, label index.

        ``scale[i]`` multiplies ``max_distance`` for image ``i``; ``responded`` and
        ``worker_weights`` as for :meth:`BoxConsolidator.fit
        <crowdform.consolidation.boxes.BoxConsolidator.fit>`.
        """
        obj = as_int_column(objects, "objects", self.source)
        wrk = as_int_column(workers, "workers", self.source)
        lab = as_int_column(labels, "labels", self.source)
        xy = np.asarray(points, dtype=np.float64).reshape(-1, 2) if np.size(points) else np.zeros((0, 2))
        if not (len(obj) == len(wrk) == len(lab) == len(xy)):
            raise InvalidInput(self.source, [Problem("objects, workers, points and labels must have the same length",
                                                     value=(len(obj), len(wrk), len(xy), len(lab)))])
        if not np.all(np.isfinite(xy)):
            raise InvalidInput(self.source, [Problem("points must be finite", field="points")])
        n_objects = int(obj.max()) + 1 if len(obj) else 0
        radius = np.full(n_objects, self.max_distance)
        if scale is not None:
            given = np.asarray(scale, dtype=np.float64)
            if given.shape != (n_objects,) or not np.all(given > 0):
                raise InvalidInput(self.source, [Problem("scale needs one positive value per image", field="scale",
                                                         value=given.shape)])
            radius = radius * given
        weight = worker_weight_column(wrk, worker_weights, self.source)
        total, count, _, _ = responding_weight(obj, wrk, responded, worker_weights, n_objects, self.source)

        n_labels = int(lab.max()) + 1 if len(lab) else 1
        group = obj * n_labels + lab
        first, second = pairs_within_groups(group)
        reach = radius[obj]
        similarity = 1.0 - np.hypot(*(xy[first] - xy[second]).T) / reach[first]

        def within(idx: IntArray) -> FloatArray:
            gap = np.hypot(*(xy[idx][:, None, :] - xy[idx][None, :, :]).transpose(2, 0, 1))
            result: FloatArray = 1.0 - gap / reach[idx][:, None]
            return result

        cluster = cluster_across_workers(group, wrk, first, second, similarity, 0.0, within)
        _, cluster = np.unique(cluster, return_inverse=True)
        cluster = cluster.astype(np.int64)
        n_clusters = int(cluster.max()) + 1 if len(cluster) else 0

        cluster_weight = np.bincount(cluster, weights=weight, minlength=n_clusters)
        use = np.where((cluster_weight > 0)[cluster], weight, 1.0)
        use_total = np.bincount(cluster, weights=use, minlength=n_clusters)
        fused = np.stack([np.bincount(cluster, weights=use * xy[:, k], minlength=n_clusters) / use_total
                          for k in range(2)], axis=1)
        closeness = np.clip(1.0 - np.hypot(*(xy - fused[cluster]).T) / reach, 0.0, None)
        spread = np.bincount(cluster, weights=use * closeness, minlength=n_clusters) / use_total
        cluster_object = np.zeros(n_clusters, dtype=np.int64)
        cluster_label = np.zeros(n_clusters, dtype=np.int64)
        cluster_object[cluster], cluster_label[cluster] = obj, lab
        image_total = total[cluster_object]
        support = cluster_weight / np.where(image_total > 0, image_total, 1.0)
        single = count[cluster_object] <= 1
        kept = single | (support > self.min_support)

        order = np.lexsort((fused[:, 1], fused[:, 0], cluster_label, cluster_object))
        order = order[kept[order]]
        position = np.full(n_clusters, -1, dtype=np.int64)
        position[order] = np.arange(len(order))
        self.objects_ = cluster_object[order]
        self.points_ = fused[order]
        self.labels_ = cluster_label[order]
        self.support_ = support[order]
        self.confidence_ = np.where(single[order], 0.0, support[order] * spread[order])
        self.cluster_ = position[cluster]
        return self
