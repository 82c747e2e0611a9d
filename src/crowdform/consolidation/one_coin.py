"""One-coin Dawid-Skene: one accuracy per worker, errors spread evenly over the other classes."""

from __future__ import annotations

from typing import Self

import numpy as np

from crowdform.consolidation.aggregator import ClassAggregator, converged
from crowdform.consolidation.answers import CategoricalAnswers, FloatArray, normalise_log
from crowdform.errors import InvalidInput

# Accuracies are kept inside [EPSILON, 1 - EPSILON]: an accuracy of exactly 1 (or 0) would give
# log(0) for the other classes and let one worker veto them for good.
EPSILON = 1e-6


class OneCoinDawidSkene(ClassAggregator):
    """Dawid & Skene (1979) with each confusion matrix constrained to ``M(p_w)``: ``p_w`` on the diagonal,
    ``(1 - p_w) / (K - 1)`` elsewhere (the "one-coin" model).

    One parameter per worker instead of ``K^2``, so it stays stable on sparse crowds. ``p_w`` has a
    Beta prior worth ``prior_strength`` answers at accuracy ``prior_accuracy`` (MAP estimate), which
    keeps a worker with two answers from being trusted (or distrusted) completely. EM from
    majority-vote posteriors; stops when the relative change of the log-likelihood is below ``tol``
    or after ``max_iter`` iterations; ties go to the lowest class index. ``worker_quality_ = p_w``.
    """

    def __init__(self, prior_accuracy: float = 0.7, prior_strength: float = 2.0, max_iter: int = 100,
                 tol: float = 1e-7) -> None:
        if not 0.0 < prior_accuracy < 1.0 or prior_strength < 0:
            raise InvalidInput.one("OneCoinDawidSkene", "prior_accuracy must be in (0, 1) and prior_strength >= 0",
                                   value=(prior_accuracy, prior_strength))
        self.prior_accuracy = prior_accuracy
        self.prior_strength = prior_strength
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, answers: CategoricalAnswers) -> Self:
        k = answers.n_classes
        counts = answers.vote_counts()
        posteriors = counts / counts.sum(axis=1, keepdims=True)
        previous = None
        self.n_iter_ = 0
        for self.n_iter_ in range(1, self.max_iter + 1):
            prior = posteriors.mean(axis=0) + EPSILON
            prior /= prior.sum()
            right = np.bincount(answers.workers, weights=answers.answered_mass(posteriors), minlength=answers.n_workers)
            accuracy = (right + self.prior_strength * self.prior_accuracy) / (answers.answers_per_worker + self.prior_strength)
            accuracy = np.clip(accuracy, EPSILON, 1 - EPSILON)
            log_right = np.log(accuracy)[answers.workers]
            log_wrong = np.log((1 - accuracy) / max(k - 1, 1))[answers.workers]
            posteriors, log_likelihood = normalise_log(np.log(prior) + answers.symmetric_log_evidence(log_right, log_wrong))
            if converged(previous, log_likelihood, self.tol):
                break
            previous = log_likelihood
        self._keep_posteriors(posteriors)
        self.prior_: FloatArray = prior
        self.worker_quality_: FloatArray = accuracy
        self.log_likelihood_ = log_likelihood
        return self
