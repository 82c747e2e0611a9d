"""Majority vote: the baseline every other aggregator must beat, and the starting point of their EM."""

from __future__ import annotations

from typing import Self

import numpy as np

from crowdform.consolidation.aggregator import ClassAggregator
from crowdform.consolidation.answers import CategoricalAnswers, FloatArray, IntArray


def plurality(counts: FloatArray) -> IntArray:
    """Arg-max of vote counts (objects, classes) with ties broken by the class's overall count.

    Ties are common with two or four answers per object, so the rule matters: among the tied
    classes the one with more answers across the whole crowd wins (the better bet when nothing
    else is known), then the lowest class index. Unlike "lowest index first" this does not
    depend on the order of the label list unless the overall counts tie too.
    """
    overall = counts.sum(axis=0)
    order = np.lexsort((np.arange(counts.shape[1]), -overall))  # best first
    rank_score = np.empty(counts.shape[1])
    rank_score[order] = np.arange(counts.shape[1], 0, -1)
    tied = counts == counts.max(axis=1, keepdims=True)
    return np.where(tied, rank_score, 0.0).argmax(axis=1).astype(np.int64)


class MajorityVote(ClassAggregator):
    """Each object's label is the class most of its workers chose.

    No model of the workers: every answer weighs the same. ``confidence_`` is the winning class's
    share of the object's answers, ``probas_`` the vote shares, and ``worker_quality_`` the share of
    each worker's answers that agree with the consolidated labels. Ties: see :func:`plurality`.
    """

    def fit(self, answers: CategoricalAnswers) -> Self:
        counts = answers.vote_counts()
        self.probas_: FloatArray = counts / counts.sum(axis=1, keepdims=True)
        self.labels_: IntArray = plurality(counts)
        self.confidence_: FloatArray = self.probas_[np.arange(answers.n_objects), self.labels_]
        agrees = (self.labels_[answers.objects] == answers.answers).astype(np.float64)
        self.worker_quality_: FloatArray = np.bincount(answers.workers, weights=agrees, minlength=answers.n_workers) \
            / answers.answers_per_worker
        return self
