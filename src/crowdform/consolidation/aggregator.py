"""What the single-label class aggregators share: the estimator surface and the EM bookkeeping.

``predict``/``predict_proba`` fit and read the result (crowd-kit's surface); ``_keep_posteriors``
turns the final posteriors into ``probas_``, ``labels_`` (ties to the lowest class index) and
``confidence_``; :func:`converged` is the stopping rule of the EM models.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self

from crowdform.consolidation.answers import CategoricalAnswers, FloatArray, IntArray, argmax_lowest


def converged(previous: float | None, current: float, tol: float) -> bool:
    """True when the log-likelihood changed by at most ``tol`` relative to the previous iteration."""
    return previous is not None and abs(current - previous) <= tol * abs(previous)


class ClassAggregator(ABC):
    probas_: FloatArray
    labels_: IntArray
    confidence_: FloatArray
    worker_quality_: FloatArray
    """One figure per worker: the model's estimate of how reliable the worker is."""

    @abstractmethod
    def fit(self, answers: CategoricalAnswers) -> Self:
        """Learn from ``answers`` and set ``probas_``, ``labels_`` and ``confidence_``."""

    def predict(self, answers: CategoricalAnswers) -> IntArray:
        return self.fit(answers).labels_

    def predict_proba(self, answers: CategoricalAnswers) -> FloatArray:
        return self.fit(answers).probas_

    def _keep_posteriors(self, posteriors: FloatArray) -> None:
        self.probas_ = posteriors
        self.labels_ = argmax_lowest(posteriors)
        self.confidence_ = posteriors.max(axis=1)
