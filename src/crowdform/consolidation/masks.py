"""Semantic segmentation: a per-pixel vote with neighbourhood smoothing, one confidence per image.

Ground Truth documents (section 8.4 of the contracts spec) that every pixel is a multi-class
classification whose votes are the workers' pixel labels, that a smoothing function adds
information from neighbouring pixels, and that there is one confidence per image. Ours:

* A mask is an array of **label indexes**, 0 being ``BACKGROUND`` (Ground Truth's class 0); a pixel a
  worker left unpainted is background.
* Where all workers agree, that is the label (nearly every pixel; no further work there).
* Elsewhere each label scores its weighted votes at the pixel plus ``smoothing`` times the mean of
  its weighted votes over the 8 neighbours (neighbours outside the image do not vote). The highest
  score wins; an exact tie goes to the smallest label index. So a 2-2 split or a lone dissenting
  pixel follows its surroundings, and a thin structure most workers painted is kept.
* **Confidence** = the mean, over the pixels that at least one worker painted (background-only
  pixels would make every image look certain), of the weighted share of the workers whose own
  label is the consolidated one; 1.0 if nobody painted anything; 0 with a single worker, as
  Ground Truth reports for N = 1.

A small pure function (:func:`vote_mask`) rather than an estimator: each image is consolidated on
its own and nothing is learned across images.

The colour side (what ``crowd-semantic-segmentation`` answers carry and what the output manifest
points to): :func:`labels_from_rgb` and :func:`rgb_from_labels` map colours to label indexes and
back with the job's label-to-colour mapping. Turning PNG bytes into arrays is I/O and belongs to
the engine, which has Pillow; this layer only sees arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crowdform.errors import InvalidInput, Problem

IntArray = NDArray[np.int64]
BACKGROUND = 0
BACKGROUND_COLOUR = "#ffffff"  # what Ground Truth paints unlabelled pixels of a consolidated mask with
_NEIGHBOURS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


def vote_mask(
    masks: ArrayLike, weights: ArrayLike | None = None, smoothing: float = 0.5
) -> tuple[NDArray[np.integer[Any]], float]:
    """Consolidate the masks of one image, shape ``(workers, height, width)`` -> (labels, confidence).

    The labels come back in the masks' integer dtype (uint8 keeps a 1024x768 image at 0.8 MB).

    How it is computed (the result is that of the plain per-pixel definition above): whole-image
    passes only find the contested pixels and count the painted ones; the neighbourhoods are then
    gathered for the contested pixels alone (a few percent of an image) and their votes counted in
    one pass, several labels' counts packed in the bit fields of one integer. The scores are exact
    when the weights are multiples of 2**-30 summing below 2**20 (unit weights, the default): then
    the order of the additions does not matter. Other weights can round differently from a plain
    worker-by-worker sum, so the pixels whose two best scores are that close are scored again in
    exactly that order.
    """
    stack = np.asarray(masks)
    if stack.ndim != 3 or not np.issubdtype(stack.dtype, np.integer) or (
            stack.size and np.issubdtype(stack.dtype, np.signedinteger) and stack.min() < 0):
        raise InvalidInput("segmentation masks", [Problem("masks must be (workers, height, width) label indexes >= 0",
                                                          field="masks", value=(stack.shape, stack.dtype.name))])
    n_workers = stack.shape[0]
    if n_workers == 0:
        raise InvalidInput.one("segmentation masks", "there are no masks to consolidate", field="masks")
    weight = np.ones(n_workers) if weights is None else np.asarray(weights, dtype=np.float64)
    if weight.shape != (n_workers,) or not np.all(np.isfinite(weight)) or weight.min() < 0 or weight.sum() <= 0:
        raise InvalidInput.one("segmentation masks", "one non-negative weight per mask, not all zero", field="weights",
                               value=weight.tolist())
    result = stack[0].copy()
    if n_workers == 1:
        return result, 0.0
    height, width = stack.shape[1:]
    flat = np.ascontiguousarray(stack).reshape(n_workers, -1)
    painted = flat[0] | flat[1]  # labels are >= 0: non-zero anywhere <=> somebody painted the pixel
    disagree = flat[1] != flat[0]
    for w in range(2, n_workers):
        painted |= flat[w]
        disagree |= flat[w] != flat[0]
    n_painted = int(np.count_nonzero(painted))
    if n_painted == 0:
        return result, 1.0
    idx = np.flatnonzero(disagree)
    if not len(idx):
        return result, 1.0
    n_labels = int(stack.max()) + 1
    n, rows = len(idx), np.arange(len(idx))
    equal = bool(np.all(weight == weight[0]))
    scaled = weight * 2.0**30
    exact = bool(np.all(scaled == np.floor(scaled)) and weight.sum() < 2.0**20 and np.isfinite(smoothing))
    # Each contested pixel and its 8 neighbours, per worker: (workers, 9, pixels) labels, row 0 the pixel.
    ys, xs = np.divmod(idx, width)
    places = np.array([0] + [dy * width + dx for dy, dx in _NEIGHBOURS])[:, None] + idx
    edge = np.flatnonzero((ys == 0) | (ys == height - 1) | (xs == 0) | (xs == width - 1))
    outside = None
    if len(edge):  # neighbours outside the image do not vote: point them anywhere valid, drop them below
        ny, nx = ys[edge] + _DY[:, None], xs[edge] + _DX[:, None]
        outside = (ny < 0) | (ny >= height) | (nx < 0) | (nx >= width)
        places[1:, edge] = np.where(outside, idx[edge], places[1:, edge])
    labels = np.empty((n_workers, 1 + len(_NEIGHBOURS), n), dtype=flat.dtype)
    for w in range(n_workers):
        np.take(flat[w], places, out=labels[w], mode="clip")
    # Votes are (labels, pixels) arrays. The own votes: worker by worker, as the plain sum adds them
    # (the confidence uses them), or from counts when that cannot change a bit.
    if equal and exact:
        own = _counts(labels[:, :1], None, None, n_labels, per_worker=False)[0] * weight[0]
    else:
        own = np.zeros((n_labels, n))
        for w in range(n_workers):
            own[labels[w, 0], rows] += weight[w]
    counts = _counts(labels[:, 1:], edge, outside, n_labels, per_worker=not equal)
    if equal:
        around = counts[0] * (weight[0] / len(_NEIGHBOURS))
    else:
        around = np.zeros((n_labels, n))
        for w in range(n_workers):
            around += counts[w] * (weight[w] / len(_NEIGHBOURS))
    score = own + smoothing * around
    winner = _first_argmax(score)
    if not exact:
        # Scores may differ from the plain sum's in the last bits: re-score near-ties in its order.
        if np.isfinite(smoothing):
            top2 = -np.partition(-score, 1, axis=0)[:2] if n_labels > 1 else np.zeros((2, n))
            tolerance = 1e-9 * float(weight.sum()) * (1.0 + abs(smoothing))
            again = np.flatnonzero(top2[0] - top2[1] <= tolerance)
        else:
            again = rows
        if len(again):
            winner[again] = np.argmax(_plain_scores(flat, idx[again], height, width, weight, n_labels, smoothing),
                                      axis=1)
    result.reshape(-1)[idx] = winner
    # Agreed painted pixels have share 1; contested pixels (always painted by someone) their own share.
    shares = own[winner, rows] / weight.sum()
    return result, float((n_painted - n + shares.sum()) / n_painted)


_DY = np.array([dy for dy, _ in _NEIGHBOURS])
_DX = np.array([dx for _, dx in _NEIGHBOURS])


def _counts(labels: NDArray[np.integer[Any]], edge: IntArray | None, outside: NDArray[np.bool_] | None,
            n_labels: int, per_worker: bool) -> IntArray:
    """Votes per label: ``(workers or 1, n_labels, pixels)`` integer counts of ``(workers, k, pixels)`` labels.

    For the pixels ``edge``, the ``(k, len(edge))`` entries where ``outside`` is true are not counted.
    With few labels every label gets a bit field of one unsigned integer (wide enough for the
    largest count), so one shift and one sum count all the labels at once.
    """
    n_workers, k, n = labels.shape
    bits = (k if per_worker else k * n_workers).bit_length()
    if n_labels * bits <= 64:
        kind = np.uint32 if n_labels * bits <= 32 else np.uint64
        codes = np.left_shift(kind(1), labels * bits, dtype=kind, casting="unsafe")  # labels * bits < 64
        if edge is not None and outside is not None:
            codes[:, :, edge] = np.where(outside, kind(0), codes[:, :, edge])
        if per_worker:
            packed = codes.sum(axis=1, dtype=kind)
        else:
            packed = codes.reshape(n_workers * k, n).sum(axis=0, dtype=kind)[None, :]
        shifts = (np.arange(n_labels) * bits).astype(kind)
        return ((packed[:, None, :] >> shifts[:, None]) & kind((1 << bits) - 1)).astype(np.int64)
    keys = labels.astype(np.intp)
    if edge is not None and outside is not None:
        keys[:, :, edge] = np.where(outside, n_labels, keys[:, :, edge])  # an extra label, dropped
    keys *= n
    keys += np.arange(n)
    size = (n_labels + 1) * n
    if per_worker:
        counts = np.stack([np.bincount(keys[w].ravel(), minlength=size) for w in range(n_workers)])
    else:
        counts = np.bincount(keys.ravel(), minlength=size)[None, :]
    return counts.reshape(len(counts), n_labels + 1, n)[:, :n_labels]


def _first_argmax(score: NDArray[np.float64]) -> IntArray:
    """``np.argmax(score, axis=0)`` (the first of equal maxima) for finite scores, faster for few rows."""
    if len(score) > 16:
        return np.argmax(score, axis=0)
    best = score[0].copy()
    winner = np.zeros(score.shape[1], dtype=np.intp)
    for label in range(1, len(score)):
        better = score[label] > best
        winner[better] = label
        np.maximum(best, score[label], out=best)
    return winner


def _plain_scores(flat: NDArray[np.integer[Any]], idx: IntArray, height: int, width: int, weight: NDArray[np.float64],
                  n_labels: int, smoothing: float) -> NDArray[np.float64]:
    """The scores of the pixels ``idx`` summed worker by worker, neighbour by neighbour, in that order."""
    ys, xs = np.divmod(idx, width)
    rows = np.arange(len(idx))
    own = np.zeros((len(idx), n_labels))
    around = np.zeros((len(idx), n_labels + 1))  # the extra label: neighbours outside the image
    for w in range(len(flat)):
        own[rows, flat[w, idx]] += weight[w]
        for dy, dx in _NEIGHBOURS:
            ny, nx = ys + dy, xs + dx
            inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
            label = np.where(inside, flat[w, np.where(inside, ny * width + nx, 0)], n_labels)
            around[rows, label] += weight[w] / len(_NEIGHBOURS)
    return own + smoothing * around[:, :n_labels]


def _colour_codes(palette: Mapping[int, str]) -> tuple[IntArray, IntArray]:
    """Label indexes and their colours as 24-bit integers, sorted by colour."""
    labels, codes = [], []
    for label, colour in palette.items():
        text = colour.lstrip("#")
        if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise InvalidInput.one("label colours", "a colour must be #rrggbb", field=str(label), value=colour)
        labels.append(int(label))
        codes.append(int(text, 16))
    order = np.argsort(codes, kind="stable")  # a colour given twice: the label given first comes first
    return np.asarray(labels, dtype=np.int64)[order], np.asarray(codes, dtype=np.int64)[order]


def labels_from_rgb(image: ArrayLike, palette: Mapping[int, str]) -> IntArray:
    """An ``(height, width, 3 or 4)`` uint8 image -> label indexes via ``palette`` (label index -> ``#rrggbb``).

    A pixel gets a label only when its RGB is exactly that label's colour and, with an alpha channel,
    it is not transparent; every other pixel is background (0), as the element spec says.
    """
    pixels = np.asarray(image)
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4) or pixels.dtype != np.uint8:
        raise InvalidInput.one("label mask", "expected an (height, width, 3 or 4) uint8 image", value=pixels.shape)
    labels, codes = _colour_codes(palette)
    if not len(codes):
        return np.zeros(pixels.shape[:2], dtype=np.int64)
    # A look-up table over all 2**24 colours (calloc'd: only the pages of the colours in the image
    # are ever touched) from the packed colour to 1 + the colour's place in ``codes`` (0: none).
    packed = pixels[..., 0].astype(np.uint32) << 16
    packed |= pixels[..., 1].astype(np.uint32) << 8
    packed |= pixels[..., 2]
    table = np.zeros(1 << 24, dtype=np.uint8 if len(codes) < 255 else np.uint16 if len(codes) < 65535 else np.uint32)
    table[codes[::-1]] = np.arange(len(codes), 0, -1)  # a colour given twice: its first place wins
    place = table[packed]
    if pixels.shape[2] == 4:
        place[pixels[..., 3] == 0] = 0
    return np.concatenate([[BACKGROUND], labels])[place]


def rgb_from_labels(labels: ArrayLike, palette: Mapping[int, str]) -> NDArray[np.uint8]:
    """Label indexes -> an ``(height, width, 3)`` uint8 image; background (and unmapped labels) white."""
    index = np.asarray(labels)
    if not np.issubdtype(index.dtype, np.integer):
        index = index.astype(np.int64)
    mapped, codes = _colour_codes({BACKGROUND: BACKGROUND_COLOUR, **{k: v for k, v in palette.items() if k != BACKGROUND}})
    table = np.full(max(int(index.max(initial=0)), int(mapped.max(initial=0))) + 1, int(BACKGROUND_COLOUR[1:], 16))
    table[mapped] = codes
    rgb = np.stack([(table >> 16) & 255, (table >> 8) & 255, table & 255], axis=-1).astype(np.uint8)
    return np.take(rgb, index, axis=0)
