"""One-coin Dawid-Skene: one EM step by hand, then its behaviour on a clear case."""

from __future__ import annotations

import numpy as np
import pytest

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.one_coin import OneCoinDawidSkene
from crowdform.errors import InvalidInput


def test_one_em_step_by_hand() -> None:
    # o1: a=0, b=0; o2: a=1, b=0. Majority-vote posteriors: o1 (1, 0), o2 (0.5, 0.5).
    answers = CategoricalAnswers.from_codes([1, 1, 2, 2], [0, 1, 0, 1], [0, 0, 1, 0], n_classes=2)
    model = OneCoinDawidSkene(max_iter=1).fit(answers)
    prior = np.array([0.75, 0.25])  # mean of the posteriors
    accuracy = (1.5 + 2 * 0.7) / (2 + 2)  # both workers: 1.5 right of 2, plus the Beta prior (2 answers at 0.7)
    assert model.worker_quality_ == pytest.approx([accuracy, accuracy], abs=1e-6)
    o1 = prior * np.array([accuracy ** 2, (1 - accuracy) ** 2])
    o2 = prior * np.array([(1 - accuracy) * accuracy, accuracy * (1 - accuracy)])
    np.testing.assert_allclose(model.probas_, [o1 / o1.sum(), o2 / o2.sum()], rtol=1e-5)
    assert model.labels_.tolist() == [0, 0]
    assert model.confidence_ == pytest.approx([0.954236, 0.75], abs=1e-5)


def test_a_reliable_majority_beats_a_careless_worker() -> None:
    # Workers a, b, c agree on ten objects; d answers them at random and also alone on o10's twin.
    triples = [(i, w, i % 2) for i in range(10) for w in "abc"] + [(i, "d", (i * 7) % 3 % 2) for i in range(10)]
    triples += [(10, "a", 1), (10, "b", 1), (10, "d", 0)]
    model = OneCoinDawidSkene().fit(CategoricalAnswers.from_triples(triples))
    assert model.labels_.tolist() == [i % 2 for i in range(10)] + [1]
    assert model.worker_quality_[3] < 0.7 < model.worker_quality_[0]


def test_hyperparameters_are_checked() -> None:
    with pytest.raises(InvalidInput, match="prior_accuracy"):
        OneCoinDawidSkene(prior_accuracy=1.0)
