"""AWS's modified Dawid-Skene against a plain loop transcription of spec section 8.4."""

from __future__ import annotations

import numpy as np
import pytest

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.aws_dawid_skene import AwsDawidSkene, accuracy_matrix, modified_dawid_skene
from crowdform.errors import InvalidInput


def spec_procedure(triples: list[tuple[int, int, int]], n_classes: int) -> dict[int, np.ndarray]:
    """Spec 8.4 steps 1-6, written as loops over dicts the way the text reads (20 epochs, no early stop)."""
    k = n_classes

    def m(a: float) -> np.ndarray:
        out = np.full((k, k), (1 - a) / (k - 1))
        np.fill_diagonal(out, a)
        return out

    l_ij: dict[int, dict[int, int]] = {}
    for i, j, c in triples:
        l_ij.setdefault(i, {})[j] = c
    workers = sorted({j for _, j, _ in triples})
    p = {i: np.ones(k) / k for i in l_ij}
    c_mtrx = {j: m(0.7) for j in workers}
    mean_acc = 0.7
    for _ in range(20):
        prior = sum(p.values()) / sum(p.values()).sum()
        for i in l_ij:
            post = prior.copy()
            for j, answered in l_ij[i].items():
                for true in range(k):
                    post[true] *= c_mtrx[j][true, answered]
            p[i] = post / post.sum()
        counts = {j: np.zeros((k, k)) for j in workers}
        for i in l_ij:
            for j, answered in l_ij[i].items():
                for true in range(k):
                    counts[j][true, answered] += p[i][true]
        accuracies = {}
        for j in workers:
            n = counts[j].sum()
            accuracies[j] = np.trace(counts[j]) / n
            smoothed = counts[j] + m(accuracies[j]) * n + m(mean_acc) * n / 2
            c_mtrx[j] = smoothed / smoothed.sum(axis=1, keepdims=True)
        mean_acc = sum(accuracies.values()) / len(accuracies)
    return p


def random_crowd(rng: np.random.Generator, n_objects: int, n_workers: int, k: int, per_object: int) -> list[tuple[int, int, int]]:
    truth = rng.integers(0, k, n_objects)
    skill = rng.uniform(0.3, 0.95, n_workers)
    triples = []
    for i in range(n_objects):
        for j in rng.choice(n_workers, size=per_object, replace=False):
            right = rng.random() < skill[j]
            triples.append((i, int(j), int(truth[i]) if right else int(rng.integers(0, k))))
    return triples


@pytest.mark.parametrize("seed", range(6))
def test_matches_the_loop_transcription_of_the_spec(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    triples = random_crowd(rng, n_objects=int(rng.integers(5, 40)), n_workers=int(rng.integers(3, 8)), k=k,
                           per_object=int(rng.integers(1, 4)))
    expected = spec_procedure(triples, k)
    answers = CategoricalAnswers.from_codes(*np.array(triples).T, n_classes=k)
    model = AwsDawidSkene(confidence_cap=None, single_answer_confidence=None).fit(answers)
    want = np.array([expected[i] for i in answers.object_ids])
    np.testing.assert_allclose(model.probas_, want, rtol=1e-9, atol=1e-12)
    top = np.sort(want, axis=1)
    clear = top[:, -1] - top[:, -2] > 1e-9  # exact ties may fall either way under rounding error
    assert (model.labels_[clear] == want.argmax(axis=1)[clear]).all()
    near_half = np.abs(want.max(axis=1) * 100 % 1 - 0.5) < 1e-6
    assert (model.confidence_[~near_half] == np.round(want.max(axis=1), 2)[~near_half]).all()
    assert model.n_iter_ == 20


def test_one_epoch_by_hand() -> None:
    # o1: a=0, b=0; o2: a=1, b=0; K=2, so M(0.7) = [[0.7, 0.3], [0.3, 0.7]] and the prior is uniform.
    answers = CategoricalAnswers.from_codes([1, 1, 2, 2], [0, 1, 0, 1], [0, 0, 1, 0], n_classes=2)
    model = AwsDawidSkene(max_iter=1, confidence_cap=None, single_answer_confidence=None).fit(answers)
    o1 = 0.7 * 0.7 / (0.7 * 0.7 + 0.3 * 0.3)  # 0.8448
    np.testing.assert_allclose(model.probas_, [[o1, 1 - o1], [0.5, 0.5]])  # o2: 0.3 * 0.7 both ways
    assert model.labels_.tolist() == [0, 0]  # o2 is an exact tie: the lowest class index, as np.argmax
    assert model.confidence_.tolist() == [0.84, 0.5]
    # M-step: each worker's posterior mass on the diagonal is o1 + 0.5 out of 2 answers.
    np.testing.assert_allclose(model.worker_quality_, [(o1 + 0.5) / 2] * 2)
    acc = (o1 + 0.5) / 2
    counts_a = np.array([[o1, 0.5], [1 - o1, 0.5]])
    smoothed = counts_a + 2 * accuracy_matrix(acc, 2) + 1 * accuracy_matrix(0.7, 2)
    np.testing.assert_allclose(model.confusion_[0], smoothed / smoothed.sum(axis=1, keepdims=True))


def test_unanimous_answers_and_the_production_confidence_rules() -> None:
    # Three workers agree on o1 (0.343 against 0.027 after one epoch: 0.927); o2 has a single answer.
    answers = CategoricalAnswers.from_triples([("o1", w, "yes") for w in "abc"] + [("o2", "a", "no")])
    one_epoch = AwsDawidSkene(max_iter=1, confidence_cap=None, single_answer_confidence=None).fit(answers)
    assert one_epoch.confidence_[0] == 0.93
    full = AwsDawidSkene(confidence_cap=None, single_answer_confidence=None).fit(answers)
    assert full.labels_.tolist() == [1, 0] and full.confidence_[0] == 1.0
    production = AwsDawidSkene().fit(answers)  # Ground Truth: at most 0.95, 0.00 with one answer
    assert production.confidence_.tolist() == [0.95, 0.0]
    np.testing.assert_array_equal(production.probas_, full.probas_)


def test_a_single_worker_and_a_single_class() -> None:
    one_worker = CategoricalAnswers.from_triples([(i, "w", i % 3) for i in range(9)])
    model = AwsDawidSkene().fit(one_worker)
    assert model.labels_.tolist() == [i % 3 for i in range(9)]
    assert (model.confidence_ == 0.0).all()  # every object has one answer
    one_class = CategoricalAnswers.from_triples([(0, "a", "x"), (0, "b", "x")])
    model = AwsDawidSkene(confidence_cap=None).fit(one_class)
    assert model.labels_.tolist() == [0] and model.confidence_.tolist() == [1.0]


def test_tol_stops_early_only_when_asked() -> None:
    answers = CategoricalAnswers.from_triples([(i, w, (i + (w == "c")) % 2) for i in range(20) for w in "abc"])
    assert AwsDawidSkene().fit(answers).n_iter_ == 20
    assert AwsDawidSkene(tol=1e-3).fit(answers).n_iter_ < 20
    model = modified_dawid_skene(answers)
    assert model.n_iter == 20 and model.confusion.shape == (3, 2, 2)


def test_hyperparameters_are_checked() -> None:
    with pytest.raises(InvalidInput, match="prior_accuracy"):
        AwsDawidSkene(prior_accuracy=0)
    with pytest.raises(InvalidInput, match="max_iter"):
        AwsDawidSkene(max_iter=0)
