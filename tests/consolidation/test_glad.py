"""GLAD: abilities and easiness on cases whose answer is clear by construction."""

from __future__ import annotations

import pytest

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.glad import Glad
from crowdform.errors import InvalidInput


def test_an_adversarial_worker_gets_negative_ability_and_is_inverted() -> None:
    # a, b, c are right on 20 objects; d always answers the other class (binary): alpha_d < 0.
    triples = [(i, w, i % 2) for i in range(20) for w in "abc"] + [(i, "d", 1 - i % 2) for i in range(20)]
    model = Glad().fit(CategoricalAnswers.from_triples(triples))
    assert model.labels_.tolist() == [i % 2 for i in range(20)]
    assert model.worker_quality_[3] < 0 < model.worker_quality_[0]
    assert (model.confidence_ > 0.99).all()


def test_objects_where_good_workers_disagree_are_harder() -> None:
    triples = [(i, w, i % 2) for i in range(10) for w in "abcd"]  # balanced, so the class prior is even
    triples += [(10, "a", 0), (10, "b", 1), (10, "c", 0), (10, "d", 1)]
    model = Glad().fit(CategoricalAnswers.from_triples(triples))
    assert model.easiness_[10] < model.easiness_[:10].min()
    assert model.confidence_[10] == pytest.approx(0.5, abs=0.05)


def test_one_em_step_from_the_prior_is_majority_vote_weighted_equally() -> None:
    # With every ability and easiness equal, posteriors follow the vote counts through sigmoid(alpha * beta).
    answers = CategoricalAnswers.from_codes([0, 0, 0], [0, 1, 2], [0, 0, 1], n_classes=2)
    model = Glad(max_iter=1).fit(answers)
    assert model.labels_.tolist() == [0]
    assert 0.5 < model.confidence_[0] < 1.0


def test_hyperparameters_are_checked() -> None:
    with pytest.raises(InvalidInput):
        Glad(max_iter=0)
