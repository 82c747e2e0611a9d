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
    """
    stack = np.asarray(masks)
    if stack.ndim != 3 or not np.issubdtype(stack.dtype, np.integer) or (stack.size and stack.min() < 0):
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
    disagree = np.zeros(stack.shape[1:], dtype=bool)
    painted = stack[0] != BACKGROUND
    for w in range(1, n_workers):
        disagree |= stack[w] != stack[0]
        painted |= stack[w] != BACKGROUND
    ys, xs = np.nonzero(disagree)
    n_painted = int(np.count_nonzero(painted))
    if n_painted == 0:
        return result, 1.0
    if not len(ys):
        return result, 1.0
    n_labels = int(stack.max()) + 1
    size = len(ys) * n_labels
    base = np.arange(len(ys)) * n_labels
    # Pad with an extra "label" n_labels that is dropped: neighbours outside the image do not vote.
    padded = np.pad(stack, ((0, 0), (1, 1), (1, 1)), constant_values=n_labels)
    wide = n_labels + 1
    base_wide = np.arange(len(ys)) * wide
    own = np.zeros(size)
    around = np.zeros(len(ys) * wide)
    for w in range(n_workers):
        own += weight[w] * np.bincount(base + stack[w, ys, xs], minlength=size)
        for dy, dx in _NEIGHBOURS:
            around += (weight[w] / len(_NEIGHBOURS)) * np.bincount(
                base_wide + padded[w, ys + 1 + dy, xs + 1 + dx], minlength=len(ys) * wide)
    own_votes = own.reshape(-1, n_labels)
    winner = np.argmax(own_votes + smoothing * around.reshape(-1, wide)[:, :n_labels], axis=1)
    result[ys, xs] = winner
    # Agreed painted pixels have share 1; contested pixels (always painted by someone) their own share.
    shares = own_votes[np.arange(len(ys)), winner] / weight.sum()
    return result, float((n_painted - len(ys) + shares.sum()) / n_painted)


def _colour_codes(palette: Mapping[int, str]) -> tuple[IntArray, IntArray]:
    """Label indexes and their colours as 24-bit integers, sorted by colour."""
    labels, codes = [], []
    for label, colour in palette.items():
        text = colour.lstrip("#")
        if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
            raise InvalidInput.one("label colours", "a colour must be #rrggbb", field=str(label), value=colour)
        labels.append(int(label))
        codes.append(int(text, 16))
    order = np.argsort(codes)
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
    packed = (pixels[..., 0].astype(np.int64) << 16) | (pixels[..., 1].astype(np.int64) << 8) | pixels[..., 2]
    if not len(codes):
        return np.zeros(pixels.shape[:2], dtype=np.int64)
    where = np.clip(np.searchsorted(codes, packed), 0, len(codes) - 1)
    found = codes[where] == packed
    if pixels.shape[2] == 4:
        found &= pixels[..., 3] > 0
    return np.where(found, labels[where], BACKGROUND)


def rgb_from_labels(labels: ArrayLike, palette: Mapping[int, str]) -> NDArray[np.uint8]:
    """Label indexes -> an ``(height, width, 3)`` uint8 image; background (and unmapped labels) white."""
    index = np.asarray(labels, dtype=np.int64)
    mapped, codes = _colour_codes({BACKGROUND: BACKGROUND_COLOUR, **{k: v for k, v in palette.items() if k != BACKGROUND}})
    table = np.full(max(int(index.max(initial=0)), int(mapped.max(initial=0))) + 1, int(BACKGROUND_COLOUR[1:], 16))
    table[mapped] = codes
    packed = table[index]
    return np.stack([(packed >> 16) & 255, (packed >> 8) & 255, packed & 255], axis=-1).astype(np.uint8)
