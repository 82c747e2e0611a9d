"""GLAD: worker ability times item easiness (Whitehill et al. 2009)."""

from __future__ import annotations

from typing import Self

import numpy as np

from crowdform.consolidation.aggregator import ClassAggregator, converged
from crowdform.consolidation.answers import CategoricalAnswers, FloatArray, normalise_log
from crowdform.errors import InvalidInput

# Probabilities of a right answer are kept inside [EPSILON, 1 - EPSILON] before taking logs, so a very
# able worker on a very easy item does not turn a disagreeing answer into log(0).
EPSILON = 1e-9


def _log_sigmoid(x: FloatArray) -> FloatArray:
    return -np.logaddexp(0.0, -x)


class Glad(ClassAggregator):
    """Whitehill, Ruvolo, Wu, Bergsma & Movellan (2009), "Whose vote should count more: optimal
    integration of labels from labelers of unknown expertise" (NIPS).

    Model: worker ``w`` has ability ``alpha_w`` (negative for adversarial workers), object ``o`` has
    easiness ``beta_o = exp(log_beta_o) > 0``; the answer is right with probability
    ``sigmoid(alpha_w * beta_o)`` and otherwise one of the other ``K - 1`` classes uniformly.
    Gaussian priors ``alpha ~ N(alpha_prior, 1)``, ``log_beta ~ N(0, 1)`` (MAP). EM: the E-step is
    exact; the M-step runs at most ``m_step_iter`` L-BFGS iterations on the expected complete-data
    log-posterior with its analytic gradient. Starts from majority vote, ``alpha = alpha_prior``,
    ``beta = 1``. Ties go to the lowest class index. ``worker_quality_ = alpha_w``;
    ``easiness_ = beta_o``.
    """

    def __init__(self, alpha_prior: float = 1.0, max_iter: int = 50, tol: float = 1e-6, m_step_iter: int = 10) -> None:
        if max_iter < 1 or m_step_iter < 1:
            raise InvalidInput.one("Glad", "max_iter and m_step_iter must be at least 1", value=(max_iter, m_step_iter))
        self.alpha_prior = alpha_prior
        self.max_iter = max_iter
        self.tol = tol
        self.m_step_iter = m_step_iter

    def fit(self, answers: CategoricalAnswers) -> Self:
        from scipy.optimize import minimize  # heavy imports, kept out of `import crowdform.consolidation`
        from scipy.special import expit

        k = answers.n_classes
        log_wrong_share = np.log(max(k - 1, 1))
        counts = answers.vote_counts()
        posteriors = counts / counts.sum(axis=1, keepdims=True)
        params = np.concatenate([np.full(answers.n_workers, self.alpha_prior), np.zeros(answers.n_objects)])
        w, o = answers.workers, answers.objects
        n_w = answers.n_workers

        def split(x: FloatArray) -> tuple[FloatArray, FloatArray]:
            return x[:n_w], x[n_w:]

        def negative_q(x: FloatArray, right: FloatArray) -> tuple[float, FloatArray]:
            alpha, log_beta = split(x)
            beta = np.exp(log_beta)
            z = alpha[w] * beta[o]
            value = (right * _log_sigmoid(z) + (1 - right) * (_log_sigmoid(-z) - log_wrong_share)).sum()
            value -= 0.5 * ((alpha - self.alpha_prior) ** 2).sum() + 0.5 * (log_beta ** 2).sum()
            residual = right - expit(z)  # d value / d z
            grad_alpha = np.bincount(w, weights=residual * beta[o], minlength=n_w) - (alpha - self.alpha_prior)
            grad_log_beta = np.bincount(o, weights=residual * z, minlength=answers.n_objects) - log_beta
            return -float(value), -np.concatenate([grad_alpha, grad_log_beta])

        previous = None
        self.n_iter_ = 0
        for self.n_iter_ in range(1, self.max_iter + 1):
            prior = posteriors.mean(axis=0) + EPSILON
            prior /= prior.sum()
            right = answers.answered_mass(posteriors)
            params = minimize(negative_q, params, args=(right,), jac=True, method="L-BFGS-B",
                              options={"maxiter": self.m_step_iter}).x
            alpha, log_beta = split(params)
            z = alpha[w] * np.exp(log_beta)[o]
            log_right = np.maximum(_log_sigmoid(z), np.log(EPSILON))
            log_wrong = np.maximum(_log_sigmoid(-z), np.log(EPSILON)) - log_wrong_share
            posteriors, log_likelihood = normalise_log(np.log(prior) + answers.symmetric_log_evidence(log_right, log_wrong))
            if converged(previous, log_likelihood, self.tol):
                break
            previous = log_likelihood
        self._keep_posteriors(posteriors)
        self.prior_: FloatArray = prior
        self.worker_quality_: FloatArray = alpha
        self.easiness_: FloatArray = np.exp(log_beta)
        self.log_likelihood_ = log_likelihood
        return self
