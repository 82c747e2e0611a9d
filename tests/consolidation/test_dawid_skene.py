"""Classic Dawid-Skene with smoothing: one EM step by hand, and the confusion structure it learns."""

from __future__ import annotations

import numpy as np
import pytest

from crowdform.consolidation import dawid_skene
from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.dawid_skene import DawidSkene
from crowdform.errors import InvalidInput


def test_one_em_step_by_hand_without_smoothing() -> None:
    # o1: a=0, b=0; o2: a=1, b=0. Majority-vote posteriors: o1 (1, 0), o2 (0.5, 0.5).
    answers = CategoricalAnswers.from_codes([1, 1, 2, 2], [0, 1, 0, 1], [0, 0, 1, 0], n_classes=2)
    model = DawidSkene(smoothing=0.0, prior_objects=0.0, max_iter=1).fit(answers)
    # Counts C[true, answered]: a: [[1, 0.5], [0, 0.5]] -> rows (2/3, 1/3), (0, 1); b: [[1.5, 0], [0.5, 0]] -> (1, 0), (1, 0).
    np.testing.assert_allclose(model.confusion_[0], [[2 / 3, 1 / 3], [0, 1]], atol=1e-5)
    np.testing.assert_allclose(model.confusion_[1], [[1, 0], [1, 0]], atol=1e-5)
    np.testing.assert_allclose(model.prior_, [0.75, 0.25], atol=1e-5)
    # o1: 0.75 * 2/3 * 1 against 0.25 * 0 * 1 -> class 0 surely; o2: 0.75 * 1/3 * 1 against 0.25 * 1 * 1 -> 0.5 / 0.5.
    np.testing.assert_allclose(model.probas_, [[1, 0], [0.5, 0.5]], atol=1e-4)
    assert model.labels_.tolist() == [0, 0]  # o2 is a tie: the lowest class index


def test_smoothing_borrows_the_crowds_confusion_pattern() -> None:
    # Class 0 is often answered as class 1 by everyone (look-alikes), never as class 2.
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 300)
    triples = []
    for i, t in enumerate(truth):
        for w in range(5):
            wrong = t == 0 and rng.random() < 0.3
            triples.append((i, w, 1 if wrong else int(t)))
    model = DawidSkene().fit(CategoricalAnswers.from_triples(triples))
    assert (model.labels_ == truth).mean() >= 0.97
    pooled = model.confusion_.mean(axis=0)
    assert pooled[0, 1] > 0.2 and pooled[0, 2] < 0.01


def test_worker_quality_is_the_prior_weighted_diagonal() -> None:
    answers = CategoricalAnswers.from_codes([0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1], n_classes=2)
    model = DawidSkene().fit(answers)
    np.testing.assert_allclose(model.worker_quality_, np.einsum("k,wkk->w", model.prior_, model.confusion_))


def test_epsilon_is_documented_and_smoothing_checked() -> None:
    assert 0 < dawid_skene.EPSILON < 1e-3
    with pytest.raises(InvalidInput, match="smoothing"):
        DawidSkene(smoothing=-1)


def test_a_lone_answer_for_a_class_no_majority_chose_is_not_overruled_by_the_prior() -> None:
    # Three objects: cat by majority, bird by all, and one "dog" from a worker who agreed with the
    # others everywhere else. Without pseudo-objects in the class prior, EM drove dog's prior to ~0
    # and answered "cat" at 0.998 for the third object.
    answers = CategoricalAnswers.from_triples(
        [(0, "w1", "cat"), (0, "w2", "cat"), (0, "w3", "dog"), (1, "w1", "bird"), (1, "w2", "bird"),
         (1, "w3", "bird"), (2, "w2", "dog")], labels=["cat", "dog", "bird"])
    model = DawidSkene().fit(answers)
    assert model.labels_.tolist() == [0, 2, 1]
    assert model.prior_[1] > 0.2
