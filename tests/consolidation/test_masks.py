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


def _plain_vote(masks: np.ndarray, weights: list[float], smoothing: float) -> tuple[np.ndarray, float]:
    """The definition, pixel by pixel: what ``vote_mask`` must return however it computes it."""
    n_workers, height, width = masks.shape
    n_labels = int(masks.max()) + 1
    result = masks[0].copy()
    painted = contested = 0
    shares = 0.0
    for y in range(height):
        for x in range(width):
            here = [int(m[y, x]) for m in masks]
            painted += any(here)
            if len(set(here)) == 1:
                continue
            contested += 1
            own = [0.0] * n_labels
            around = [0.0] * n_labels
            for w in range(n_workers):
                own[here[w]] += weights[w]
            for w in range(n_workers):
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        if (dy, dx) != (0, 0) and 0 <= y + dy < height and 0 <= x + dx < width:
                            around[int(masks[w, y + dy, x + dx])] += weights[w] / 8
            score = [own[k] + smoothing * around[k] for k in range(n_labels)]
            winner = score.index(max(score))  # the first of equal maxima: the smallest label
            result[y, x] = winner
            shares += own[winner] / sum(weights)
    if painted == 0 or contested == 0:
        return result, 1.0
    return result, (painted - contested + shares) / painted


@pytest.mark.parametrize("seed", range(6))
def test_the_vote_equals_the_plain_per_pixel_definition(seed: int) -> None:
    # Random masks that mostly agree (so there are ties, edges, lone pixels), every weight style,
    # few labels (counted in packed bit fields) and many (counted one by one), several dtypes.
    rng = np.random.default_rng(seed)
    for case in range(12):
        n_workers = int(rng.integers(2, 6))
        height, width = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        n_labels = int(rng.choice([2, 3, 5, 9, 20]))
        base = rng.integers(0, n_labels, (height, width))
        noise = rng.integers(0, n_labels, (n_workers, height, width))
        masks = np.where(rng.random((n_workers, height, width)) < 0.6, base, noise)
        masks = masks.astype([np.uint8, np.int64, np.uint16][case % 3])
        # Weights like 1.1 round differently when summed in another order: near-ties must still go
        # the way the plain worker-by-worker sum sends them.
        weights = [[1.0] * n_workers, list(rng.integers(1, 4, n_workers) / 2), [[0.3, 0.7, 1.1][case % 3]] * n_workers,
                   list(rng.random(n_workers) + 0.01)][case % 4]
        for smoothing in (0.5, 0.0, 1.0, 2.0, 1 / 3):
            expected, expected_confidence = _plain_vote(masks, weights, smoothing)
            given = None if case % 4 == 0 else weights
            labels, confidence = vote_mask(masks, given, smoothing)
            assert labels.dtype == masks.dtype
            assert labels.tolist() == expected.tolist(), (case, smoothing)
            assert confidence == pytest.approx(expected_confidence, rel=1e-12)


def test_the_vote_equals_the_definition_on_shapes_with_speckle() -> None:
    rng = np.random.default_rng(11)
    yy, xx = np.mgrid[:40, :50]
    truth = np.zeros((40, 50), dtype=np.uint8)
    truth[(yy - 15) ** 2 + (xx - 20) ** 2 < 12 ** 2] = 3
    truth[(yy > 25) & (xx > 30)] = 1
    masks = np.stack([np.roll(truth, tuple(rng.integers(-1, 2, 2)), axis=(0, 1)) for _ in range(3)])
    speckle = rng.random(masks.shape) < 0.02
    masks[speckle] = rng.integers(0, 5, int(speckle.sum()))
    expected, expected_confidence = _plain_vote(masks, [1.0, 1.0, 1.0], 0.5)
    labels, confidence = vote_mask(masks)
    assert labels.tolist() == expected.tolist()
    assert confidence == pytest.approx(expected_confidence, rel=1e-12)


def test_colours_follow_the_plain_per_pixel_definition() -> None:
    # Random images mostly in the palette's colours, a repeated colour (the label given first wins),
    # transparent pixels, unmapped and negative label indexes.
    rng = np.random.default_rng(7)
    palette = {1: "#1f77b4", 2: "#ff7f0e", 3: "#000000", 5: "#1f77b4", 7: "#ffffff"}
    colours = np.array([[0x1F, 0x77, 0xB4], [0xFF, 0x7F, 0x0E], [0, 0, 0], [255, 255, 255], [1, 2, 3]], dtype=np.uint8)
    image = rng.integers(0, 256, (9, 11, 4)).astype(np.uint8)
    image[..., :3] = colours[rng.integers(0, len(colours), (9, 11))]
    image[..., 3] = np.where(rng.random((9, 11)) < 0.2, 0, 255)
    by_colour = {}
    for label, colour in reversed(list(palette.items())):
        by_colour[int(colour[1:], 16)] = label
    for pixels in (image, image[..., :3].copy()):
        expected = [[by_colour.get(int(r) << 16 | int(g) << 8 | int(b), 0) if len(p) == 3 or p[3] else 0
                     for p in row for r, g, b in [p[:3]]] for row in pixels]
        assert labels_from_rgb(pixels, palette).tolist() == expected
    labels = rng.integers(-1, 9, (6, 7))
    colour_of = {0: "#ffffff", **palette}
    expected_rgb = [[[int(colour_of.get(int(v) if v >= 0 else 8, "#ffffff")[i:i + 2], 16) for i in (1, 3, 5)]
                     for v in row] for row in labels]
    assert rgb_from_labels(labels.astype(np.uint8).clip(0, 7), palette).tolist() == [
        [[int(colour_of.get(min(max(int(v), 0), 7), "#ffffff")[i:i + 2], 16) for i in (1, 3, 5)] for v in row]
        for row in labels]
    assert rgb_from_labels(labels, palette).tolist() == expected_rgb
