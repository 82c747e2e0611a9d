"""Polygon consolidation: raster IoU, resampling, fusion, a synthetic crowd, permutations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crowdform.consolidation.polygons import (
    PolygonConsolidator,
    align,
    polygon_iou,
    resample,
    signed_area,
    simplify,
)
from crowdform.errors import InvalidInput

SQUARE = np.array([[0.0, 0], [10, 0], [10, 10], [0, 10]])


def test_raster_iou_is_close_to_the_exact_value() -> None:
    assert polygon_iou(SQUARE, SQUARE) == 1.0
    assert polygon_iou(SQUARE, SQUARE + [5, 0], resolution=150) == pytest.approx(50 / 150, abs=0.01)
    triangle = np.array([[0.0, 0], [10, 0], [0, 10]])
    assert polygon_iou(SQUARE, triangle, resolution=200) == pytest.approx(0.5, abs=0.01)
    assert polygon_iou(SQUARE, SQUARE + [20, 0]) == 0.0


def test_resample_runs_counter_clockwise_and_align_rotates() -> None:
    points = resample(SQUARE[::-1], 8)
    assert signed_area(points) > 0 and len(points) == 8
    rolled = np.roll(points, 3, axis=0)
    assert np.allclose(align(points, rolled), points)


def test_simplify_removes_collinear_points_only() -> None:
    assert simplify(resample(SQUARE, 8), 0.5).tolist() == SQUARE.tolist()


def test_three_workers_shifted_squares_average_to_the_middle_one() -> None:
    model = PolygonConsolidator().fit([0, 0, 0], [0, 1, 2], [SQUARE, SQUARE + [1, 0], (SQUARE + [2, 0])[::-1]], [0, 0, 1])
    assert len(model.polygons_) == 1
    assert sorted(map(tuple, model.polygons_[0].tolist())) == [(1, 0), (1, 10), (11, 0), (11, 10)]
    assert model.labels_.tolist() == [0]
    assert 0.5 < model.confidence_[0] < 2 / 3


def test_minority_polygons_are_dropped_and_one_worker_keeps_all_with_confidence_zero() -> None:
    model = PolygonConsolidator().fit([0, 0, 0], [0, 1, 2], [SQUARE, SQUARE, SQUARE + [50, 50]], [0, 0, 0])
    assert model.cluster_.tolist() == [0, 0, -1]
    alone = PolygonConsolidator().fit([0, 0], [3, 3], [SQUARE, SQUARE + [50, 0]], [0, 1])
    assert len(alone.polygons_) == 2 and alone.confidence_.tolist() == [0.0, 0.0]


def crowd(seed: int, n_images: int = 25, n_workers: int = 5) -> tuple[dict[str, Any], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 7)[:-1]
    truth = []
    rows: dict[str, list[Any]] = {"objects": [], "workers": [], "polygons": [], "labels": []}
    for image in range(n_images):
        centre = rng.uniform(60, 440, 2)
        radius = rng.uniform(20, 50, 6)
        shape = centre + np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
        truth.append(shape)
        for w in range(n_workers):
            if rng.random() < 0.1:
                continue
            rows["objects"].append(image)
            rows["workers"].append(w)
            rows["polygons"].append(np.roll(shape + rng.normal(0, 3, shape.shape), rng.integers(6), axis=0))
            rows["labels"].append(0)
    return rows, truth


def test_the_fused_polygons_beat_the_median_single_worker() -> None:
    rows, truth = crowd(0)
    model = PolygonConsolidator().fit(**rows)
    assert model.objects_.tolist() == list(range(25))
    ours = np.mean([polygon_iou(p, truth[i], 128) for i, p in zip(model.objects_, model.polygons_)])
    per_worker = [np.mean([polygon_iou(p, truth[i], 128) for i, w, p in zip(rows["objects"], rows["workers"], rows["polygons"])
                           if w == worker]) for worker in range(5)]
    assert ours > np.median(per_worker)


def test_renaming_and_reordering_workers_changes_nothing() -> None:
    rows, _ = crowd(1, n_images=8)
    model = PolygonConsolidator().fit(**rows)
    order = np.random.default_rng(2).permutation(len(rows["objects"]))
    rename = np.array([1, 4, 0, 2, 3])
    other = PolygonConsolidator().fit([rows["objects"][i] for i in order], [rename[rows["workers"][i]] for i in order],
                                      [rows["polygons"][i] for i in order], [rows["labels"][i] for i in order])
    assert np.array_equal(model.objects_, other.objects_)
    assert all(np.allclose(np.sort(a, axis=0), np.sort(b, axis=0)) for a, b in zip(model.polygons_, other.polygons_))
    assert np.allclose(model.confidence_, other.confidence_)


def test_a_polygon_with_two_vertices_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least 3"):
        PolygonConsolidator().fit([0], [0], [[[0, 0], [1, 1]]], [0])
