"""Multi-label classification: Ground Truth's EM run once per label, and its ``confidence-map``."""

from __future__ import annotations

import numpy as np

from crowdform.consolidation.answers import BoolArray, FloatArray, MultiLabelAnswers
from crowdform.consolidation.aws_dawid_skene import modified_dawid_skene, round_confidence
from crowdform.errors import InvalidInput


class MultiLabelDawidSkene:
    """Ground Truth's multi-label consolidation (``ACS-ImageMultiClassMultiLabel``,
    ``ACS-TextMultiClassMultiLabel``): "a variant of the same EM approach estimating the set of
    true classes" (spec section 8.4; AWS publishes no more than that).

    Model: every label is its own yes/no question. Each answer says "yes" to the labels it chose
    and "no" to the others (an empty selection says "no" to all), and AWS's modified Dawid-Skene
    (:func:`~crowdform.consolidation.aws_dawid_skene.modified_dawid_skene`: 0.7 prior accuracy,
    smoothing pseudo-counts, 20 epochs) runs on each label with two classes, so each worker gets a
    2 x 2 confusion matrix per label.

    Output, as Ground Truth writes it (spec 7.5.3): the consolidated set ``selected_`` is every
    label at least one worker chose; ``probas_[o, c]`` is the posterior that label ``c`` applies;
    ``confidence_`` is that rounded to two decimals, capped at ``confidence_cap`` and set to
    ``single_answer_confidence`` for objects one worker answered (as for single-label jobs).
    :meth:`confidence_maps` gives the ``confidence-map`` per object, highest confidence first (ties
    by class index). ``worker_quality_`` is each worker's accuracy averaged over the labels;
    ``label_worker_accuracy_[c, w]`` per label.
    """

    def __init__(self, prior_accuracy: float = 0.7, max_iter: int = 20, tol: float | None = None,
                 confidence_cap: float | None = 0.95, single_answer_confidence: float | None = 0.0) -> None:
        if not 0.0 < prior_accuracy <= 1.0:
            raise InvalidInput.one("MultiLabelDawidSkene", "prior_accuracy must be in (0, 1]",
                                   field="prior_accuracy", value=prior_accuracy)
        self.prior_accuracy = prior_accuracy
        self.max_iter = max_iter
        self.tol = tol
        self.confidence_cap = confidence_cap
        self.single_answer_confidence = single_answer_confidence

    def fit(self, answers: MultiLabelAnswers) -> "MultiLabelDawidSkene":
        probas = np.empty((answers.n_objects, answers.n_classes))
        accuracy = np.empty((answers.n_classes, len(answers.worker_ids)))
        for label in range(answers.n_classes):
            binary = answers.for_class(label)
            result = modified_dawid_skene(binary, self.prior_accuracy, self.max_iter, self.tol)
            probas[:, label] = result.posteriors[:, 1]
            accuracy[label] = result.worker_accuracy
        per_object = np.bincount(answers.objects, minlength=answers.n_objects)
        chosen = np.zeros((answers.n_objects, answers.n_classes), dtype=np.int64)
        np.add.at(chosen, answers.objects, answers.selected.astype(np.int64))  # rows = answers, loop-free
        self.selected_: BoolArray = chosen > 0
        self.probas_: FloatArray = probas
        self.confidence_: FloatArray = round_confidence(probas, self.confidence_cap, per_object[:, None],
                                                        self.single_answer_confidence)
        self.label_worker_accuracy_: FloatArray = accuracy
        self.worker_quality_: FloatArray = accuracy.mean(axis=0)
        return self

    def confidence_maps(self) -> list[dict[int, float]]:
        """Per object, ``{class index: confidence}`` for the consolidated labels, highest confidence first."""
        maps = []
        for selected, confidence in zip(self.selected_, self.confidence_):
            chosen = np.flatnonzero(selected)
            order = chosen[np.lexsort((chosen, -confidence[chosen]))]
            maps.append({int(c): float(confidence[c]) for c in order})
        return maps

    def predict(self, answers: MultiLabelAnswers) -> list[tuple[int, ...]]:
        """The consolidated label set per object, as class indexes in ``confidence-map`` order."""
        return [tuple(m) for m in self.fit(answers).confidence_maps()]

    def predict_proba(self, answers: MultiLabelAnswers) -> FloatArray:
        return self.fit(answers).probas_
