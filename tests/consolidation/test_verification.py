"""Label verification (judgement plus worker feedback) and adjustment-status."""

from __future__ import annotations

import numpy as np
import pytest

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.majority_vote import MajorityVote
from crowdform.consolidation.verification import (
    LabelVerification,
    adjusted_objects,
    adjustment_status,
)
from crowdform.errors import InvalidInput

LABELS = ["correct", "incorrect"]


def judgements() -> CategoricalAnswers:
    return CategoricalAnswers.from_triples(
        [("img-1", "w1", "correct"), ("img-1", "w2", "correct"), ("img-1", "w3", "incorrect"),
         ("img-2", "w1", "incorrect"), ("img-2", "w2", "incorrect"), ("img-2", "w3", "incorrect")], labels=LABELS)


def test_the_judgement_is_consolidated_and_comments_are_gathered_without_empty_ones() -> None:
    comments = [("img-1", "w3", "Second box cuts off the can lid."), ("img-1", "w1", ""),
                ("img-2", "w2", "   "), ("img-1", "w2", "ok"), ("img-2", "w1", None)]
    model = LabelVerification().fit(judgements(), comments)
    assert model.class_names_ == ["correct", "incorrect"]
    assert model.labels_.tolist() == [0, 1]
    assert 0.5 < model.confidence_[0] <= model.confidence_[1] <= 0.95
    assert model.worker_feedback_ == [[{"comment": "ok"}, {"comment": "Second box cuts off the can lid."}], []]


def test_any_classification_aggregator_can_decide() -> None:
    model = LabelVerification(MajorityVote()).fit(judgements())
    assert model.class_names_ == ["correct", "incorrect"]
    assert model.worker_feedback_ == [[], []]


def test_comment_order_does_not_depend_on_arrival_order() -> None:
    comments = [("img-1", "w2", "b"), ("img-1", "w1", "a"), ("img-1", "w3", "c")]
    one = LabelVerification().fit(judgements(), comments).worker_feedback_
    two = LabelVerification().fit(judgements(), comments[::-1]).worker_feedback_
    assert one == two == [[{"comment": "a"}, {"comment": "b"}, {"comment": "c"}], []]


def test_a_comment_for_an_unknown_object_is_refused() -> None:
    with pytest.raises(InvalidInput, match="img-9"):
        LabelVerification().fit(judgements(), [("img-9", "w1", "hello")])


def test_adjustment_status_is_adjusted_when_any_worker_changed_the_label() -> None:
    assert adjustment_status([False, True, False]) == "adjusted"
    assert adjustment_status([False, None, False]) == "unadjusted"
    assert adjustment_status([]) == "unadjusted"


def test_adjusted_objects_vectorised() -> None:
    got = adjusted_objects([0, 0, 1, 2, 2], [False, True, False, False, False], 4)
    assert got.tolist() == [True, False, False, False]
    assert np.array_equal(adjusted_objects([2, 1, 0, 0], [False, False, True, False], 4),
                          adjusted_objects([0, 0, 1, 2], [True, False, False, False], 4))
    with pytest.raises(InvalidInput):
        adjusted_objects([5], [True], 4)
