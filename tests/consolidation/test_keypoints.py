"""Keypoint consolidation: hand-computed cases, a synthetic crowd with a known truth, permutations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crowdform.consolidation.keypoints import KeypointConsolidator
from crowdform.errors import InvalidInput


def test_three_workers_agree_on_one_point() -> None:
    model = KeypointConsolidator().fit([0, 0, 0], [0, 1, 2], [[10, 10], [12, 10], [14, 16]], [0, 0, 0])
    assert model.points_ == pytest.approx(np.array([[12.0, 12.0]]))
    distances = np.hypot([-2, 0, 2], [-2, -2, 4])
    assert model.confidence_ == pytest.approx([np.mean(1 - distances / 10)])
    assert model.cluster_.tolist() == [0, 0, 0]


def test_points_of_different_labels_never_match() -> None:
    model = KeypointConsolidator().fit([0, 0, 0, 0], [0, 1, 0, 1], [[10, 10], [11, 10], [10, 11], [11, 11]], [0, 0, 1, 1])
    assert model.labels_.tolist() == [0, 1]
    assert model.points_ == pytest.approx(np.array([[10.5, 10], [10.5, 11]]))


def test_far_points_and_minorities_are_dropped() -> None:
    model = KeypointConsolidator().fit([0, 0, 0], [0, 1, 2], [[0, 0], [3, 4], [50, 50]], [0, 0, 0])
    assert model.points_ == pytest.approx(np.array([[1.5, 2.0]]))
    assert model.cluster_.tolist() == [0, 0, -1]


def test_scale_widens_the_matching_radius_per_image() -> None:
    rows: dict[str, Any] = dict(objects=[0, 0, 1, 1], workers=[0, 1, 0, 1], points=[[0, 0], [30, 0], [0, 0], [30, 0]], labels=[0] * 4)
    model = KeypointConsolidator(max_distance=0.02).fit(**rows, scale=[2000.0, 100.0])
    # Image 0 matches within 40 px; in image 1 (2 px) each point has one worker of two: dropped.
    assert model.objects_.tolist() == [0]
    assert model.points_ == pytest.approx(np.array([[15.0, 0.0]]))


def test_crowded_points_are_paired_optimally() -> None:
    # Worker 0: eyes at x=0 and x=8; worker 1 at x=3 and x=-4 (radius 10). Greedy would pair 3 with 0.
    model = KeypointConsolidator().fit([0] * 4, [0, 0, 1, 1], [[0, 0], [8, 0], [3, 0], [-4, 0]], [0] * 4)
    assert sorted(model.points_[:, 0].tolist()) == [-2.0, 5.5]


def test_a_worker_with_two_close_points_of_one_label_keeps_them_apart() -> None:
    # Worker 0 clicked twice near the same spot; workers 1 and 2 once. One keypoint, worker 0's
    # nearer click joins it and the other is a minority of one.
    model = KeypointConsolidator().fit([0] * 4, [0, 0, 1, 2], [[0, 0], [6, 0], [1, 0], [-1, 0]], [0] * 4)
    assert model.points_ == pytest.approx(np.array([[0.0, 0.0]]))
    assert model.cluster_.tolist() == [0, -1, 0, 0]


def test_one_worker_confidence_is_zero() -> None:
    model = KeypointConsolidator().fit([0, 0], [1, 1], [[0, 0], [1, 1]], [0, 0])
    assert len(model.points_) == 2 and model.confidence_.tolist() == [0.0, 0.0]


def crowd(seed: int, n_images: int = 200, n_workers: int = 5) -> tuple[dict[str, Any], np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.uniform(50, 450, (n_images, 4, 2))  # four labelled keypoints per image
    rows: dict[str, list[np.ndarray]] = {"objects": [], "workers": [], "points": [], "labels": []}
    for w in range(n_workers):
        seen = rng.random((n_images, 4)) > 0.1
        obj, lab = np.nonzero(seen)
        noisy = truth[obj, lab] + rng.normal(0, 3 + w, (len(obj), 2))
        stray = rng.random(len(obj)) < 0.05
        noisy[stray] = rng.uniform(0, 500, (stray.sum(), 2))
        rows["objects"].append(obj)
        rows["workers"].append(np.full(len(obj), w))
        rows["points"].append(noisy)
        rows["labels"].append(lab)
    return {k: np.concatenate(v) for k, v in rows.items()}, truth


def mean_error(objects: np.ndarray, labels: np.ndarray, points: np.ndarray, truth: np.ndarray) -> float:
    missing = truth.shape[0] * truth.shape[1] - len(points)
    error = np.hypot(*(points - truth[objects, labels]).T).clip(None, 50)
    return float((error.sum() + 50 * missing) / (truth.shape[0] * truth.shape[1]))


def test_the_consolidated_points_beat_the_median_single_worker() -> None:
    rows, truth = crowd(0)
    model = KeypointConsolidator(max_distance=25).fit(**rows)
    ours = mean_error(model.objects_, model.labels_, model.points_, truth)
    singles = [mean_error(rows["objects"][m], rows["labels"][m], rows["points"][m], truth)
               for m in (rows["workers"] == w for w in range(5))]
    assert ours < np.median(singles) / 2


def test_renaming_and_reordering_workers_changes_nothing() -> None:
    rows, _ = crowd(1, n_images=50)
    model = KeypointConsolidator(max_distance=25).fit(**rows)
    order = np.random.default_rng(3).permutation(len(rows["objects"]))
    moved = {k: v[order] for k, v in rows.items()}
    moved["workers"] = np.array([4, 2, 0, 3, 1])[moved["workers"]]
    other = KeypointConsolidator(max_distance=25).fit(**moved)
    assert np.array_equal(model.objects_, other.objects_) and np.array_equal(model.labels_, other.labels_)
    assert np.allclose(model.points_, other.points_) and np.allclose(model.confidence_, other.confidence_)


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidInput, match="same length"):
        KeypointConsolidator().fit([0], [0, 1], [[0, 0]], [0])
    with pytest.raises(InvalidInput, match="scale"):
        KeypointConsolidator().fit([0], [0], [[0, 0]], [0], scale=[0.0])
    with pytest.raises(InvalidInput, match="max_distance"):
        KeypointConsolidator(max_distance=0)
