"""Bounding-box consolidation: hand-computed cases, a synthetic crowd with a known truth, permutations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crowdform.consolidation.boxes import BoxConsolidator, corners, iou_matrix, iou_pairs, pairs_within_groups
from crowdform.errors import InvalidInput


def test_iou_of_hand_computed_boxes() -> None:
    a = corners(np.array([[0.0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]]))
    b = corners(np.array([[5.0, 0, 10, 10], [20, 20, 5, 5], [0, 0, 10, 10]]))
    assert iou_pairs(a, b) == pytest.approx([50 / 150, 0.0, 1.0])
    assert iou_matrix(a[:1], b).shape == (1, 3)


def test_pairs_within_groups_lists_each_pair_of_a_group_once() -> None:
    first, second = pairs_within_groups(np.array([1, 0, 1, 1, 0]))
    assert sorted(zip(first.tolist(), second.tolist())) == [(0, 2), (0, 3), (1, 4), (2, 3)]


def test_three_workers_one_box_each_are_averaged() -> None:
    model = BoxConsolidator().fit([0, 0, 0], [0, 1, 2], [[10, 10, 20, 20], [12, 10, 20, 20], [14, 10, 20, 20]], [1, 1, 0])
    assert model.boxes_ == pytest.approx(np.array([[12.0, 10, 20, 20]]))
    assert model.labels_.tolist() == [1]
    assert model.support_ == pytest.approx([1.0])
    members = iou_pairs(corners(np.array([[10.0, 10, 20, 20], [12, 10, 20, 20], [14, 10, 20, 20]])),
                        corners(np.array([[12.0, 10, 20, 20]] * 3)))
    assert model.confidence_ == pytest.approx([1.0 * (2 / 3) * members.mean()])
    assert model.cluster_.tolist() == [0, 0, 0]


def test_a_box_only_a_minority_drew_is_dropped_and_a_worker_without_boxes_still_counts() -> None:
    rows: dict[str, Any] = dict(objects=[0, 0, 0, 0], workers=[0, 1, 2, 0], labels=[0, 0, 0, 0],
                boxes=[[0, 0, 10, 10], [1, 0, 10, 10], [300, 300, 10, 10], [100, 100, 10, 10]])
    model = BoxConsolidator().fit(**rows)
    assert len(model.boxes_) == 1 and model.cluster_.tolist() == [0, 0, -1, -1]
    # Two of four workers (the fourth drew nothing) is not a strict majority.
    quiet = BoxConsolidator().fit(**rows, responded=([0, 0, 0, 0], [0, 1, 2, 3]))
    assert len(quiet.boxes_) == 0


def test_weights_move_the_average_and_decide_the_label() -> None:
    rows: dict[str, Any] = dict(objects=[0, 0, 0], workers=[0, 1, 2], boxes=[[0, 0, 10, 10], [2, 0, 10, 10], [2, 0, 10, 10]],
                labels=[3, 1, 2])
    model = BoxConsolidator().fit(**rows, worker_weights=[2.0, 1.0, 1.0])
    assert model.boxes_[0] == pytest.approx([1.0, 0, 10, 10])
    assert model.labels_.tolist() == [3]
    tie = BoxConsolidator().fit(**rows)
    assert tie.labels_.tolist() == [1]  # one vote each: the smallest label index wins


def test_one_worker_keeps_every_box_with_confidence_zero() -> None:
    model = BoxConsolidator().fit([0, 0], [4, 4], [[0, 0, 5, 5], [50, 50, 5, 5]], [0, 1])
    assert len(model.boxes_) == 2 and model.confidence_.tolist() == [0.0, 0.0]


def test_overlapping_objects_are_split_by_optimal_assignment_not_greedily() -> None:
    # Worker 0 drew objects A = [0, 10] and B = [3, 13] (x ranges, same rows); worker 1 drew
    # P = [0.5, 10.5] (IoU 0.905 with A, 0.6 with B) and Q = [-1, 9] (0.818 with A, 0.43 with B).
    # Greedy matching takes P-A first and leaves Q alone; the optimal assignment is P-B and Q-A.
    boxes = np.array([[0.0, 0, 10, 10], [3, 0, 10, 10], [0.5, 0, 10, 10], [-1, 0, 10, 10]])
    model = BoxConsolidator().fit([0, 0, 0, 0], [0, 0, 1, 1], boxes, [0, 0, 0, 0])
    clusters = model.cluster_
    assert len(model.boxes_) == 2
    assert clusters[0] == clusters[3] and clusters[1] == clusters[2] and clusters[0] != clusters[1]
    assert model.boxes_[:, 0] == pytest.approx([-0.5, 1.75])


def test_no_cluster_ever_holds_two_boxes_of_one_worker() -> None:
    rng = np.random.default_rng(3)
    n = 400
    objects, workers = rng.integers(0, 20, n), rng.integers(0, 4, n)
    boxes = np.column_stack([rng.uniform(0, 60, (n, 2)), rng.uniform(10, 40, (n, 2))])
    model = BoxConsolidator(min_support=0.0).fit(objects, workers, boxes, np.zeros(n, dtype=int))
    kept = model.cluster_ >= 0
    pairs = set(zip(model.cluster_[kept].tolist(), workers[kept].tolist()))
    assert len(pairs) == kept.sum()
    assert np.all(model.objects_[model.cluster_[kept]] == objects[kept])


def noisy_crowd(seed: int, n_images: int = 200, n_workers: int = 5) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t_obj = np.repeat(np.arange(n_images), 3)
    truth = np.column_stack([rng.uniform(0, 400, (len(t_obj), 2)), rng.uniform(30, 120, (len(t_obj), 2))])
    rows: dict[str, list[np.ndarray]] = {"objects": [], "workers": [], "boxes": [], "labels": []}
    for w in range(n_workers):
        seen = rng.random(len(t_obj)) > 0.1
        noisy = truth[seen] + rng.normal(0, 4, (seen.sum(), 4))
        noisy[:, 2:] = np.abs(noisy[:, 2:])
        extra = rng.integers(0, n_images, n_images // 5)
        rows["objects"] += [t_obj[seen], extra]
        rows["workers"] += [np.full(seen.sum() + len(extra), w)]
        rows["boxes"] += [noisy, np.column_stack([rng.uniform(0, 400, (len(extra), 2)), np.full((len(extra), 2), 40.0)])]
        rows["labels"] += [np.zeros(seen.sum() + len(extra), dtype=int)]
    return {k: np.concatenate(v) for k, v in rows.items()}, t_obj, truth


def f1_and_iou(objects: np.ndarray, boxes: np.ndarray, t_obj: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp, ious = 0, []
    for image in np.unique(t_obj):
        m = iou_matrix(corners(truth[t_obj == image]), corners(boxes[objects == image]))
        if m.size:
            best = m.max(axis=1)
            tp += int((best >= 0.5).sum())
            ious += best[best >= 0.5].tolist()
    precision, recall = tp / max(len(boxes), 1), tp / len(truth)
    return 2 * precision * recall / max(precision + recall, 1e-9), float(np.mean(ious))


def test_the_consolidated_boxes_beat_the_median_single_worker() -> None:
    rows, t_obj, truth = noisy_crowd(0)
    model = BoxConsolidator().fit(**rows)
    f1, iou = f1_and_iou(model.objects_, model.boxes_, t_obj, truth)
    singles = [f1_and_iou(rows["objects"][rows["workers"] == w], rows["boxes"][rows["workers"] == w], t_obj, truth)
               for w in range(5)]
    assert f1 > np.median([s[0] for s in singles]) and f1 > 0.97
    assert iou > np.median([s[1] for s in singles])


def test_renaming_and_reordering_workers_changes_nothing() -> None:
    rows, _, _ = noisy_crowd(1, n_images=60)
    model = BoxConsolidator().fit(**rows)
    rng = np.random.default_rng(7)
    order = rng.permutation(len(rows["objects"]))
    renamed = np.array([3, 0, 4, 1, 2])[rows["workers"]]
    other = BoxConsolidator().fit(rows["objects"][order], renamed[order], rows["boxes"][order], rows["labels"][order])
    assert np.array_equal(model.objects_, other.objects_)
    assert np.allclose(model.boxes_, other.boxes_) and np.allclose(model.confidence_, other.confidence_)
    assert np.array_equal(model.labels_, other.labels_)


def test_bad_input_is_refused_with_the_field_named() -> None:
    with pytest.raises(InvalidInput, match="same length"):
        BoxConsolidator().fit([0, 0], [0], [[0, 0, 1, 1]], [0])
    with pytest.raises(InvalidInput, match="workers"):
        BoxConsolidator().fit([0], [0.5], [[0, 0, 1, 1]], [0])
    with pytest.raises(InvalidInput, match="non-negative width"):
        BoxConsolidator().fit([0], [0], [[0, 0, -1, 1]], [0])
    with pytest.raises(InvalidInput, match="worker_weights"):
        BoxConsolidator().fit([0], [3], [[0, 0, 1, 1]], [0], worker_weights=[1.0])


def test_no_boxes_at_all() -> None:
    model = BoxConsolidator().fit([], [], np.zeros((0, 4)), [])
    assert model.boxes_.shape == (0, 4) and len(model.labels_) == 0


def test_worker_quality_ranks_a_sloppy_worker_last_and_can_weight_a_second_fit() -> None:
    rows, t_obj, truth = noisy_crowd(4)
    sloppy = rows["workers"] == 2
    rows["boxes"][sloppy] += np.random.default_rng(0).normal(0, 15, (sloppy.sum(), 4))
    rows["boxes"][:, 2:] = np.abs(rows["boxes"][:, 2:])
    first = BoxConsolidator().fit(**rows)
    assert first.worker_quality_.shape == (5,) and np.argmin(first.worker_quality_) == 2
    assert np.all((0 <= first.worker_quality_) & (first.worker_quality_ <= 1))
    second = BoxConsolidator().fit(**rows, worker_weights=first.worker_quality_)
    assert f1_and_iou(second.objects_, second.boxes_, t_obj, truth)[1] > f1_and_iou(first.objects_, first.boxes_, t_obj, truth)[1]


def test_worker_quality_by_hand() -> None:
    # Image 0: workers 0 and 1 agree exactly on one box; worker 2 answered but drew nothing.
    model = BoxConsolidator(min_support=0.5).fit([0, 0], [0, 1], [[0, 0, 10, 10], [0, 0, 10, 10]], [0, 0],
                                                 responded=([0], [2]))
    assert model.worker_quality_.tolist() == [1.0, 1.0, 0.0]
