"""Semantic segmentation: the per-pixel vote, smoothing, confidence, a synthetic crowd, colours."""

from __future__ import annotations

import numpy as np
import pytest

from crowdform.consolidation.masks import labels_from_rgb, rgb_from_labels, vote_mask
from crowdform.errors import InvalidInput


def test_majority_per_pixel_and_confidence_over_painted_pixels() -> None:
    a = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 0]])
    b = a.copy()
    c = a.copy()
    c[0, 1] = 2
    labels, confidence = vote_mask([a, b, c])
    assert labels.tolist() == a.tolist()
    assert confidence == pytest.approx((3 + 2 / 3) / 4)  # four painted pixels, one of them 2 against 1


def test_a_tie_follows_the_neighbourhood() -> None:
    a = np.ones((3, 3), dtype=np.uint8)
    b = np.ones((3, 3), dtype=np.uint8)
    b[1, 1] = 2
    labels, _ = vote_mask([a, b])
    assert labels[1, 1] == 1  # 1 vs 1 at the pixel; its 8 neighbours say 1
    c = np.full((3, 3), 2, dtype=np.uint8)
    c[1, 1] = 1
    labels, _ = vote_mask([b, c])  # 2 vs 1 at the pixel, and its neighbours split 8 against 8
    assert labels[1, 1] == 1  # exact tie: smallest label index


def test_weights_and_a_single_worker() -> None:
    a, b = np.zeros((2, 2), dtype=np.uint8), np.ones((2, 2), dtype=np.uint8)
    labels, _ = vote_mask([a, b], weights=[1.0, 3.0])
    assert labels.tolist() == [[1, 1], [1, 1]]
    labels, confidence = vote_mask([b])
    assert labels.tolist() == b.tolist() and confidence == 0.0
    assert vote_mask([a, a])[1] == 1.0  # nothing painted


def test_worker_order_does_not_matter() -> None:
    rng = np.random.default_rng(5)
    masks = rng.integers(0, 3, (4, 20, 30))
    one = vote_mask(masks)
    two = vote_mask(masks[[2, 0, 3, 1]])
    assert np.array_equal(one[0], two[0]) and one[1] == pytest.approx(two[1])


def test_the_consolidated_mask_beats_the_median_worker() -> None:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:120, :160]
    truth = np.zeros((120, 160), dtype=np.uint8)
    truth[(yy - 50) ** 2 + (xx - 60) ** 2 < 30 ** 2] = 1
    truth[(yy > 80) & (xx > 90) & (xx < 150)] = 2
    masks = []
    for _ in range(3):
        m = np.zeros_like(truth)
        m[(yy - 50 - rng.normal(0, 2)) ** 2 + (xx - 60 - rng.normal(0, 2)) ** 2 < (30 + rng.normal(0, 2)) ** 2] = 1
        m[(yy > 80 + rng.integers(-3, 4)) & (xx > 90 + rng.integers(-3, 4)) & (xx < 150)] = 2
        flip = rng.random(truth.shape) < 0.02
        m[flip] = rng.integers(0, 3, flip.sum())
        masks.append(m)

    def mean_iou(m: np.ndarray) -> float:
        return float(np.mean([((m == k) & (truth == k)).sum() / ((m == k) | (truth == k)).sum() for k in range(3)]))

    labels, confidence = vote_mask(masks)
    assert mean_iou(labels) > np.median([mean_iou(m) for m in masks])
    assert 0.5 < confidence < 1.0


def test_bad_masks_are_refused() -> None:
    with pytest.raises(InvalidInput):
        vote_mask(np.zeros((2, 2)))
    with pytest.raises(InvalidInput):
        vote_mask(np.zeros((2, 2, 2), dtype=float))
    with pytest.raises(InvalidInput, match="weights"):
        vote_mask(np.zeros((2, 2, 2), dtype=int), weights=[1.0])


PALETTE = {1: "#1f77b4", 2: "#ff7f0e"}


def test_colours_map_to_labels_and_back() -> None:
    rgba = np.zeros((2, 4, 4), dtype=np.uint8)
    rgba[0, :] = [0x1F, 0x77, 0xB4, 255]  # the element spec's example: top row Road
    rgba[1, 3] = [0xFF, 0x7F, 0x0E, 255]  # one Car pixel
    rgba[1, 0] = [0xFF, 0x7F, 0x0E, 0]  # transparent: not labelled
    rgba[1, 1] = [1, 2, 3, 255]  # unknown colour: not labelled
    labels = labels_from_rgb(rgba, PALETTE)
    assert labels.tolist() == [[1, 1, 1, 1], [0, 0, 0, 2]]
    rgb = rgb_from_labels(labels, PALETTE)
    assert rgb[1, 0].tolist() == [255, 255, 255]  # background is Ground Truth's white
    assert labels_from_rgb(rgb, PALETTE).tolist() == labels.tolist()


def test_a_bad_colour_is_refused() -> None:
    with pytest.raises(InvalidInput, match="rrggbb"):
        rgb_from_labels(np.zeros((1, 1), dtype=int), {1: "blue"})
