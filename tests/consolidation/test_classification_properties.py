"""Properties every single-label aggregator keeps, and the edge cases they all must handle.

Results must not depend on the order of the answers, on how workers or objects are named (their
index order), or on the order of the label list -- up to the documented tie-breaking rules, so the
comparisons skip objects whose top two probabilities are within 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.aws_dawid_skene import AwsDawidSkene
from crowdform.consolidation.dawid_skene import DawidSkene
from crowdform.consolidation.glad import Glad
from crowdform.consolidation.majority_vote import MajorityVote
from crowdform.consolidation.one_coin import OneCoinDawidSkene
from crowdform.errors import InvalidInput

def random_triples(seed: int, n_objects: int = 60, n_workers: int = 12, k: int = 4,
                   per_object: int = 5) -> list[tuple[str, str, str]]:
    """(object, worker, label) answers from workers of mixed skill; ids are strings, labels ``c0..``."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_objects)
    skill = rng.uniform(0.4, 0.95, n_workers)
    triples = []
    for i in range(n_objects):
        for j in rng.choice(n_workers, size=per_object, replace=False):
            label = truth[i] if rng.random() < skill[j] else rng.integers(0, k)
            triples.append((f"o{i}", f"w{j}", f"c{label}"))
    return triples


ESTIMATORS: dict[str, Callable[[], Any]] = {
    "majority_vote": MajorityVote,
    "aws": lambda: AwsDawidSkene(confidence_cap=None, single_answer_confidence=None),
    "dawid_skene": DawidSkene,
    "dawid_skene_classic": lambda: DawidSkene(smoothing=0.0, prior_objects=0.0),
    "one_coin": OneCoinDawidSkene,
    "glad": Glad,
}


def results(make: Callable[[], Any], triples: list[tuple[Any, Any, Any]], labels: list[str] | None = None
            ) -> dict[Any, tuple[Any, float, float]]:
    """object id -> (label, confidence, margin between the top two probabilities)."""
    answers = CategoricalAnswers.from_triples(triples, labels)
    model = make().fit(answers)
    top = np.sort(model.probas_, axis=1)
    margin = top[:, -1] - top[:, -2] if answers.n_classes > 1 else np.ones(answers.n_objects)
    return {o: (answers.classes[model.labels_[i]], float(model.confidence_[i]), float(margin[i]))
            for i, o in enumerate(answers.object_ids)}


def assert_same(left: dict[Any, tuple[Any, float, float]], right: dict[Any, tuple[Any, float, float]],
                rename: Callable[[Any], Any] = lambda o: o) -> None:
    assert set(map(rename, left)) == set(right)
    for o, (label, confidence, margin) in left.items():
        other = right[rename(o)]
        assert confidence == pytest.approx(other[1], abs=1e-6)
        if margin > 1e-9:
            assert label == other[0], o


@pytest.mark.parametrize("name", ESTIMATORS)
@pytest.mark.parametrize("seed", [0, 1])
def test_answer_order_worker_names_object_names_and_label_order_do_not_matter(name: str, seed: int) -> None:
    make = ESTIMATORS[name]
    triples = random_triples(seed)
    base = results(make, triples)
    rng = np.random.default_rng(100 + seed)
    shuffled = [triples[i] for i in rng.permutation(len(triples))]
    assert_same(base, results(make, shuffled))
    # Renaming changes the sorted index order of workers and objects.
    worker_names = {f"w{j}": f"z{int(k)}" for j, k in enumerate(rng.permutation(12))}
    renamed = [(f"x{o}", worker_names[w], c) for o, w, c in shuffled]
    assert_same(base, results(make, renamed), rename=lambda o: f"x{o}")
    label_order = [f"c{int(k)}" for k in rng.permutation(4)]
    assert_same(base, results(make, triples, labels=label_order))


@pytest.mark.parametrize("name", ESTIMATORS)
def test_unanimous_answers_win_with_high_confidence(name: str) -> None:
    triples = [(o, w, ("a", "b", "c")[o % 3]) for o in range(9) for w in range(3)]
    answers = CategoricalAnswers.from_triples(triples)
    model = ESTIMATORS[name]().fit(answers)
    assert model.labels_.tolist() == [o % 3 for o in range(9)]
    assert (model.confidence_ > 0.9).all()
    np.testing.assert_allclose(model.probas_.sum(axis=1), 1.0)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_one_worker_answering_everything_is_taken_at_their_word(name: str) -> None:
    triples = [(o, "only", ("a", "b")[o % 2]) for o in range(6)]
    model = ESTIMATORS[name]().fit(CategoricalAnswers.from_triples(triples))
    assert model.labels_.tolist() == [o % 2 for o in range(6)]


@pytest.mark.parametrize("name", ESTIMATORS)
def test_a_worker_answering_once_and_a_lone_object_are_fine(name: str) -> None:
    triples = random_triples(3, n_objects=20, per_object=3) + [("o0", "newcomer", "c1"), ("lonely", "w1", "c2")]
    answers = CategoricalAnswers.from_triples(triples)
    model = ESTIMATORS[name]().fit(answers)
    assert np.isfinite(model.probas_).all() and np.isfinite(model.confidence_).all()
    assert answers.decode([model.labels_[answers.object_ids.index("lonely")]]) == ["c2"]
    if hasattr(model, "worker_quality_"):
        assert model.worker_quality_.shape == (answers.n_workers,) and np.isfinite(model.worker_quality_).all()


@pytest.mark.parametrize("name", ESTIMATORS)
def test_a_single_class_is_trivial(name: str) -> None:
    model = ESTIMATORS[name]().fit(CategoricalAnswers.from_triples([(0, "a", "x"), (0, "b", "x"), (1, "a", "x")]))
    assert model.labels_.tolist() == [0, 0] and np.allclose(model.probas_, 1.0)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_inputs_are_not_modified_and_predict_helpers_agree(name: str) -> None:
    answers = CategoricalAnswers.from_triples(random_triples(4, n_objects=15))
    before = [a.copy() for a in (answers.objects, answers.workers, answers.answers)]
    model = ESTIMATORS[name]()
    labels = model.predict(answers)
    probas = model.predict_proba(answers)
    for was, now in zip(before, (answers.objects, answers.workers, answers.answers)):
        np.testing.assert_array_equal(was, now)
    np.testing.assert_array_equal(labels, probas.argmax(axis=1)) if name != "majority_vote" else None


def test_empty_input_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="there are no answers to consolidate"):
        CategoricalAnswers.from_triples([])
