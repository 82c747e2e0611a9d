"""Multi-label consolidation: per-label EM by hand, the confidence-map, and Ground Truth's output set."""

from __future__ import annotations

import numpy as np

from crowdform.consolidation.answers import MultiLabelAnswers
from crowdform.consolidation.aws_dawid_skene import AwsDawidSkene
from crowdform.consolidation.multi_label import MultiLabelDawidSkene


def test_one_epoch_by_hand() -> None:
    answers = MultiLabelAnswers.from_sets([("img", "a", ["car", "bike"]), ("img", "b", ["car"]), ("img", "c", ["car"])],
                                          labels=["car", "bike", "bus"])
    model = MultiLabelDawidSkene(max_iter=1, confidence_cap=None).fit(answers)
    car = 0.7 ** 3 / (0.7 ** 3 + 0.3 ** 3)  # three "yes" under M(0.7): 0.927
    bike = 0.7 * 0.3 * 0.3 / (0.7 * 0.3 * 0.3 + 0.3 * 0.7 * 0.7)  # one "yes", two "no": 0.3
    bus = 0.3 ** 3 / (0.3 ** 3 + 0.7 ** 3)
    np.testing.assert_allclose(model.probas_, [[car, bike, bus]])
    assert model.selected_.tolist() == [[True, True, False]]  # every label at least one worker chose
    assert model.confidence_maps() == [{0: 0.93, 1: 0.3}]
    assert MultiLabelDawidSkene(max_iter=1, confidence_cap=None).predict(answers) == [(0, 1)]


def test_each_label_is_the_single_label_procedure_on_yes_no_answers() -> None:
    rng = np.random.default_rng(5)
    records = [(i, w, [c for c in "xyz" if rng.random() < 0.4]) for i in range(30) for w in range(4)]
    answers = MultiLabelAnswers.from_sets(records, labels=list("xyz"))
    model = MultiLabelDawidSkene().fit(answers)
    for label in range(3):
        single = AwsDawidSkene().fit(answers.for_class(label))
        np.testing.assert_allclose(model.probas_[:, label], single.probas_[:, 1])
        np.testing.assert_allclose(model.label_worker_accuracy_[label], single.worker_quality_)
    assert (model.confidence_ <= 0.95).all()


def test_confidence_map_order_and_single_answers() -> None:
    answers = MultiLabelAnswers.from_sets([(1, "a", ["p", "q"]), (2, "a", []), (2, "b", ["q"])])
    model = MultiLabelDawidSkene().fit(answers)
    maps = model.confidence_maps()
    assert list(maps[0]) and set(maps[0].values()) == {0.0}  # one worker: Ground Truth reports 0.00
    assert list(maps[1]) == [1]
    for confidence_map in maps:
        values = list(confidence_map.values())
        assert values == sorted(values, reverse=True)
