"""Majority vote: hand-counted cases and its tie-breaking rule."""

from __future__ import annotations

import numpy as np

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.majority_vote import MajorityVote, plurality


def test_hand_counted_votes() -> None:
    answers = CategoricalAnswers.from_triples([
        ("o1", "a", "cat"), ("o1", "b", "cat"), ("o1", "c", "dog"),
        ("o2", "a", "dog"), ("o2", "b", "dog"), ("o2", "c", "dog"),
        ("o3", "a", "bird"),
    ])  # classes sorted: bird, cat, dog
    model = MajorityVote().fit(answers)
    assert answers.decode(model.labels_) == ["cat", "dog", "bird"]
    np.testing.assert_allclose(model.confidence_, [2 / 3, 1.0, 1.0])
    np.testing.assert_allclose(model.probas_[0], [0, 2 / 3, 1 / 3])
    np.testing.assert_allclose(model.worker_quality_, [1.0, 1.0, 0.5])  # c disagreed on o1


def test_a_tie_goes_to_the_class_with_more_answers_overall_then_the_lowest_index() -> None:
    counts = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 3.0]])
    assert plurality(counts).tolist() == [2, 2]  # class 2 has 4 answers overall against 1
    counts = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 0.0]])
    assert plurality(counts).tolist() == [1, 1]  # class 1 has 3 answers overall against 1
    counts = np.array([[1.0, 1.0], [1.0, 1.0]])
    assert plurality(counts).tolist() == [0, 0]  # overall tie too: lowest index


def test_predict_helpers() -> None:
    answers = CategoricalAnswers.from_triples([(1, "a", "x"), (1, "b", "y"), (1, "c", "y")])
    assert MajorityVote().predict(answers).tolist() == [1]
    np.testing.assert_allclose(MajorityVote().predict_proba(answers), [[1 / 3, 2 / 3]])
