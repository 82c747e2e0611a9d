"""Named-entity consolidation: the spec's example, boundaries, ties, a synthetic crowd, permutations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crowdform.consolidation.spans import SpanConsolidator, jaccard_pairs, mode_or_lower_median
from crowdform.errors import InvalidInput


def test_jaccard_of_character_ranges() -> None:
    got = jaccard_pairs(np.array([0, 0, 0]), np.array([4, 4, 4]), np.array([2, 4, 0]), np.array([6, 8, 4]))
    assert got == pytest.approx([2 / 6, 0.0, 1.0])


def test_mode_when_clear_else_lower_median() -> None:
    cluster = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    values = np.array([5, 5, 9, 3, 8, 1, 4, 7])
    assert mode_or_lower_median(cluster, values, 3).tolist() == [5, 3, 4]


def test_the_specs_example_two_of_three_workers_agree() -> None:
    # "Dana flew to Oslo on Friday.": Person 0-4 and Place 13-17, each found by two of three workers;
    # the third worker marked "Friday" (21-27) as Place alone.
    model = SpanConsolidator().fit(
        objects=[0, 0, 0, 0, 0, 0], workers=[0, 0, 1, 1, 2, 2],
        starts=[0, 13, 0, 13, 21, 0], ends=[4, 17, 4, 17, 27, 3], labels=[0, 1, 0, 1, 1, 1])
    assert list(zip(model.starts_, model.ends_, model.labels_)) == [(0, 4, 0), (13, 17, 1)]
    assert model.confidence_ == pytest.approx([2 / 3, 2 / 3])  # worker 2's 0-3 span says Place
    assert model.cluster_.tolist() == [0, 1, 0, 1, -1, 0]


def test_boundaries_take_the_mode_and_labels_tie_to_the_smallest_index() -> None:
    model = SpanConsolidator().fit([0] * 4, [0, 1, 2, 3], [10, 10, 11, 9], [20, 20, 20, 21], [2, 1, 2, 1])
    assert (model.starts_[0], model.ends_[0], model.labels_[0]) == (10, 20, 1)
    assert model.confidence_[0] == pytest.approx(0.5)


def test_one_worker_gets_confidence_zero_and_keeps_everything() -> None:
    model = SpanConsolidator().fit([0, 0], [5, 5], [0, 10], [4, 12], [0, 0])
    assert len(model.starts_) == 2 and model.confidence_.tolist() == [0.0, 0.0]


def test_a_worker_with_no_entities_counts_against_support() -> None:
    rows: dict[str, Any] = dict(objects=[0, 0], workers=[0, 1], starts=[0, 0], ends=[4, 4], labels=[0, 0])
    assert len(SpanConsolidator().fit(**rows).starts_) == 1
    quiet = SpanConsolidator().fit(**rows, responded=([0, 0, 0, 0], [0, 1, 2, 3]))
    assert len(quiet.starts_) == 0


def test_one_range_with_two_labels_from_one_worker_pairs_with_the_same_labels() -> None:
    model = SpanConsolidator().fit([0] * 5, [0, 0, 1, 1, 2], [0, 0, 0, 0, 0], [4, 4, 4, 4, 4], [1, 0, 0, 1, 0])
    assert model.labels_.tolist() == [0, 1]
    assert model.confidence_ == pytest.approx([1.0, 2 / 3])


def synthetic_crowd(seed: int, n_docs: int = 150, n_workers: int = 3) -> tuple[dict[str, Any], tuple[np.ndarray, ...]]:
    rng = np.random.default_rng(seed)
    t_doc = np.repeat(np.arange(n_docs), 4)
    t_start = np.tile(np.arange(4) * 30, n_docs) + rng.integers(1, 10, len(t_doc))
    t_end = t_start + rng.integers(3, 15, len(t_doc))
    t_lab = rng.integers(0, 4, len(t_doc))
    rows: dict[str, list[np.ndarray]] = {"objects": [], "workers": [], "starts": [], "ends": [], "labels": []}
    for w in range(n_workers):
        seen = rng.random(len(t_doc)) > 0.15
        jitter = rng.random((seen.sum(), 2)) < 0.2
        start = t_start[seen] + jitter[:, 0] * rng.choice([-1, 1], seen.sum())
        end = t_end[seen] + jitter[:, 1] * rng.choice([-1, 1], seen.sum())
        lab = np.where(rng.random(seen.sum()) < 0.15, rng.integers(0, 4, seen.sum()), t_lab[seen])
        rows["objects"].append(t_doc[seen])
        rows["workers"].append(np.full(seen.sum(), w))
        rows["starts"].append(start)
        rows["ends"].append(end)
        rows["labels"].append(lab)
    return {k: np.concatenate(v) for k, v in rows.items()}, (t_doc, t_start, t_end, t_lab)


def exact_f1(objects: np.ndarray, starts: np.ndarray, ends: np.ndarray, labels: np.ndarray,
             truth: tuple[np.ndarray, ...]) -> float:
    found = set(zip(objects.tolist(), starts.tolist(), ends.tolist(), labels.tolist()))
    true = set(zip(*(t.tolist() for t in truth)))
    hits = len(found & true)
    precision, recall = hits / max(len(found), 1), hits / len(true)
    return 2 * precision * recall / max(precision + recall, 1e-9)


def test_the_consolidated_entities_beat_the_median_single_worker() -> None:
    rows, truth = synthetic_crowd(0)
    model = SpanConsolidator().fit(**rows)
    ours = exact_f1(model.objects_, model.starts_, model.ends_, model.labels_, truth)
    singles = []
    for w in range(3):
        mine = rows["workers"] == w
        singles.append(exact_f1(rows["objects"][mine], rows["starts"][mine], rows["ends"][mine], rows["labels"][mine], truth))
    assert ours > np.median(singles)


def test_renaming_and_reordering_workers_changes_nothing() -> None:
    rows, _ = synthetic_crowd(1, n_docs=50)
    model = SpanConsolidator().fit(**rows)
    order = np.random.default_rng(2).permutation(len(rows["objects"]))
    moved = {k: v[order] for k, v in rows.items()}
    moved["workers"] = np.array([2, 0, 1])[moved["workers"]]
    other = SpanConsolidator().fit(**moved)
    for name in ("objects_", "starts_", "ends_", "labels_"):
        assert np.array_equal(getattr(model, name), getattr(other, name))
    assert np.allclose(model.confidence_, other.confidence_)


def test_an_empty_or_reversed_span_is_refused() -> None:
    with pytest.raises(InvalidInput, match="endOffset"):
        SpanConsolidator().fit([0], [0], [5], [5], [0])


def test_no_spans_at_all() -> None:
    model = SpanConsolidator().fit([], [], [], [], [])
    assert len(model.starts_) == 0
