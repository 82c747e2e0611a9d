"""The integer encoding: canonical indexes, validation once, read-only arrays, the aggregations."""

from __future__ import annotations

import numpy as np
import pytest

from crowdform.consolidation.answers import CategoricalAnswers, MultiLabelAnswers
from crowdform.errors import InvalidInput


def test_triples_are_encoded_with_sorted_indexes() -> None:
    answers = CategoricalAnswers.from_triples([("b", "w2", "dog"), ("a", "w1", "cat"), ("b", "w1", "cat")])
    assert answers.object_ids == ("a", "b") and answers.worker_ids == ("w1", "w2") and answers.classes == ("cat", "dog")
    assert answers.objects.tolist() == [1, 0, 1]
    assert answers.workers.tolist() == [1, 0, 0]
    assert answers.answers.tolist() == [1, 0, 0]
    assert (answers.n_answers, answers.n_objects, answers.n_workers, answers.n_classes) == (3, 2, 2, 2)
    assert answers.answers_per_object.tolist() == [1, 2]
    assert answers.vote_counts().tolist() == [[1, 0], [1, 1]]
    assert answers.decode([1, 0]) == ["dog", "cat"]


def test_the_label_list_fixes_class_indexes_and_keeps_unused_classes() -> None:
    answers = CategoricalAnswers.from_triples([(1, "w", "dog")], labels=["dog", "cat", "bird"])
    assert answers.classes == ("dog", "cat", "bird") and answers.answers.tolist() == [0]
    assert answers.vote_counts().tolist() == [[1, 0, 0]]


def test_unorderable_ids_keep_their_first_appearance_order() -> None:
    answers = CategoricalAnswers.from_triples([(2, "w", "x"), ("a", "w", "x")])
    assert answers.object_ids == (2, "a")


def test_arrays_are_read_only_so_no_aggregator_can_alter_them() -> None:
    answers = CategoricalAnswers.from_triples([(1, "w", "x")])
    with pytest.raises(ValueError):
        answers.answers[0] = 3


def test_from_codes_reindexes_densely() -> None:
    answers = CategoricalAnswers.from_codes(np.array([10, 10, 30]), np.array([7, 9, 7]), np.array([0, 2, 2]), n_classes=3)
    assert answers.object_ids == (10, 30) and answers.worker_ids == (7, 9)
    assert answers.objects.tolist() == [0, 0, 1] and answers.workers.tolist() == [0, 1, 0]


def test_aggregations_match_their_definitions() -> None:
    answers = CategoricalAnswers.from_codes([0, 0, 1], [0, 1, 1], [1, 0, 1], n_classes=2)
    log_confusion = np.log(np.array([[[0.9, 0.1], [0.2, 0.8]], [[0.6, 0.4], [0.3, 0.7]]]))
    expected = np.log([[0.1 * 0.6, 0.8 * 0.3], [0.4, 0.7]])
    np.testing.assert_allclose(answers.log_evidence(log_confusion), expected)
    posteriors = np.array([[0.25, 0.75], [0.5, 0.5]])
    counts = answers.confusion_counts(posteriors)
    np.testing.assert_allclose(counts[0], [[0, 0.25], [0, 0.75]])
    np.testing.assert_allclose(counts[1], [[0.25, 0.5], [0.75, 0.5]])
    log_right, log_wrong = np.log([0.9, 0.8, 0.7]), np.log([0.1, 0.2, 0.3])
    np.testing.assert_allclose(answers.symmetric_log_evidence(log_right, log_wrong),
                               np.log([[0.1 * 0.8, 0.9 * 0.2], [0.3, 0.7]]))


@pytest.mark.parametrize(("triples", "labels", "message"), [
    ([], None, "there are no answers to consolidate"),
    ([(1, "w", None)], None, "answer has no label"),
    ([(1, "w", "x"), (1, "w", "y")], None, "a worker answered the same object twice"),
    ([(1, "w", "bird")], ["cat", "dog"], "answer is not in the label list"),
    ([(1, "w", "cat")], [], "the label list is empty"),
    ([(1, "w", "cat")], ["cat", "cat"], "the label list repeats a label"),
    ([(1, "w")], None, "each answer must be an (object, worker, label) triple"),
    ([([1], "w", "x")], None, "every object id must be hashable"),
])
def test_bad_input_is_refused_with_a_clear_message(triples: list, labels: list | None, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        CategoricalAnswers.from_triples(triples, labels)
    assert message in str(caught.value)
    assert str(caught.value).startswith("answers")


def test_from_codes_refuses_out_of_range_classes_and_empty_input() -> None:
    with pytest.raises(InvalidInput, match="class code outside 0..1"):
        CategoricalAnswers.from_codes([0], [0], [2], n_classes=2)
    with pytest.raises(InvalidInput, match="no answers"):
        CategoricalAnswers.from_codes(np.array([], dtype=int), np.array([], dtype=int), np.array([], dtype=int), 2)
    with pytest.raises(InvalidInput, match="1-D arrays of one length"):
        CategoricalAnswers.from_codes([0, 1], [0], [0], 2)


def test_multi_label_answers_keep_empty_selections() -> None:
    answers = MultiLabelAnswers.from_sets([(1, "a", ["car", "bike"]), (1, "b", []), (2, "a", ["bike"])],
                                          labels=["car", "bike", "bus"])
    assert answers.selected.tolist() == [[True, True, False], [False, False, False], [False, True, False]]
    per_label = answers.for_class(1)
    assert per_label.answers.tolist() == [1, 0, 1] and per_label.classes == (False, True)
    with pytest.raises(InvalidInput, match="answered the same object twice"):
        MultiLabelAnswers.from_sets([(1, "a", ["car"]), (1, "a", [])])
    with pytest.raises(InvalidInput, match="no worker chose any label"):
        MultiLabelAnswers.from_sets([(1, "a", [])])
    with pytest.raises(InvalidInput, match="not in the label list"):
        MultiLabelAnswers.from_sets([(1, "a", ["boat"])], labels=["car"])
