"""Classic Dawid-Skene: one full confusion matrix per worker, fitted by EM, with smoothing."""

from __future__ import annotations

from typing import Self

import numpy as np

from crowdform.consolidation.aggregator import ClassAggregator, converged
from crowdform.consolidation.answers import CategoricalAnswers, FloatArray, normalise_log
from crowdform.errors import InvalidInput

# Added to every confusion cell and to the class prior before taking logs, so that a cell no
# posterior mass reached (common: a worker with 20 answers cannot fill a 10 x 10 matrix) is a small
# probability rather than log(0) = -inf, which would veto a class for good on one answer.
EPSILON = 1e-6
# The accuracy in the centre of the smoothing prior is itself shrunk towards PRIOR_ACCURACY by
# PRIOR_ANSWERS pseudo-answers, so a worker seen once is neither perfect nor useless.
PRIOR_ACCURACY = 0.7
PRIOR_ANSWERS = 2.0
# The crowd's pooled confusion row of each class is shrunk the same way, by this many pseudo-answers
# at PRIOR_ACCURACY: on a job of one or two objects a class nobody chose otherwise gets a pooled row
# copied from the posteriors' own guess, which makes "true bird, answered cat" as likely as "true cat,
# answered cat" and leaves a 2-to-1 vote at a confidence of 1/3. Thousands of answers drown it.
POOLED_PRIOR_ANSWERS = 10.0


class DawidSkene(ClassAggregator):
    """Dawid & Skene (1979), "Maximum likelihood estimation of observer error-rates using the EM algorithm".

    Model: true class ``z_o ~ Categorical(prior)``; worker ``w`` answers ``a`` with probability
    ``C_w[z_o, a]``, independently given ``z_o``. EM from majority-vote posteriors.

    Smoothing (empirical Bayes): each row of each worker's confusion matrix gets ``smoothing``
    pseudo-answers (a Dirichlet prior) spread like a centre made for that worker: on the diagonal,
    the crowd's pooled accuracy for that true class shifted in log-odds by how much more (or less)
    accurate than the crowd the worker is; off the diagonal, the rest spread like the crowd's pooled
    errors for that class (which classes look alike). A worker with few answers thus gets one
    parameter's worth of freedom (their accuracy) and borrows the confusion pattern; a worker with
    thousands of answers gets their own matrix. This is what keeps it above majority vote on sparse
    crowds, where unsmoothed Dawid-Skene fails. The worker accuracy itself is shrunk by ``PRIOR_ANSWERS`` pseudo-answers at
    ``PRIOR_ACCURACY``. The class prior gets ``prior_objects`` pseudo-objects per class (a Dirichlet
    prior): without them EM can drive a class that no object's majority chose to a prior of ~0 and
    then overrule every answer for it (on a job of three objects a lone "dog" came out "cat" at
    0.998); on thousands of objects they change nothing measurable. ``smoothing=0, prior_objects=0``
    is the classic model (plus ``EPSILON``).

    Stops when the relative change of the log-likelihood is below ``tol`` or after ``max_iter``
    iterations. Ties go to the lowest class index. ``worker_quality_`` is each worker's
    prior-weighted accuracy ``sum_k prior_k C_w[k, k]``.
    """

    def __init__(self, smoothing: float = 300.0, max_iter: int = 100, tol: float = 1e-7,
                 prior_objects: float = 1.0) -> None:
        if smoothing < 0 or prior_objects < 0:
            raise InvalidInput.one("DawidSkene", "smoothing and prior_objects must not be negative",
                                   value=(smoothing, prior_objects))
        self.smoothing = smoothing
        self.prior_objects = prior_objects
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, answers: CategoricalAnswers) -> Self:
        counts = answers.vote_counts()
        posteriors = counts / counts.sum(axis=1, keepdims=True)
        previous = None
        self.n_iter_ = 0
        for self.n_iter_ in range(1, self.max_iter + 1):
            prior, confusion = self._m_step(answers, posteriors)
            posteriors, log_likelihood = normalise_log(np.log(prior) + answers.log_evidence(np.log(confusion)))
            if converged(previous, log_likelihood, self.tol):
                break
            previous = log_likelihood
        self._keep_posteriors(posteriors)
        self.prior_: FloatArray = prior
        self.confusion_: FloatArray = confusion
        self.worker_quality_: FloatArray = np.einsum("k,wkk->w", prior, confusion)
        self.log_likelihood_ = log_likelihood
        return self

    def _m_step(self, answers: CategoricalAnswers, posteriors: FloatArray) -> tuple[FloatArray, FloatArray]:
        k = answers.n_classes
        prior = posteriors.sum(axis=0) + self.prior_objects + EPSILON
        counts = answers.confusion_counts(posteriors)
        n_w = answers.answers_per_worker
        eye = np.eye(k, dtype=bool)
        accuracy = (np.trace(counts, axis1=1, axis2=2) + PRIOR_ANSWERS * PRIOR_ACCURACY) / (n_w + PRIOR_ANSWERS)
        pooled = counts.sum(axis=0) + POOLED_PRIOR_ANSWERS * np.where(eye, PRIOR_ACCURACY,
                                                                      (1 - PRIOR_ACCURACY) / max(k - 1, 1)) + EPSILON
        pooled /= pooled.sum(axis=1, keepdims=True)
        mean_accuracy = float(np.clip((accuracy * n_w).sum() / n_w.sum(), EPSILON, 1 - EPSILON))
        # Diagonal of the centre: the class's pooled accuracy shifted, in log-odds, by how much better
        # or worse than the crowd this worker is; the rest spread like the crowd's errors.
        logit = np.log(np.clip(np.diag(pooled), EPSILON, 1 - EPSILON)) - np.log(np.clip(1 - np.diag(pooled), EPSILON, 1))
        shift = np.log(np.clip(accuracy, EPSILON, 1 - EPSILON) / np.clip(1 - accuracy, EPSILON, 1)) \
            - np.log(mean_accuracy / (1 - mean_accuracy))
        diagonal = 1.0 / (1.0 + np.exp(-(logit[None, :] + shift[:, None])))
        errors = np.where(eye, 0.0, pooled)
        errors /= np.maximum(errors.sum(axis=1, keepdims=True), EPSILON)
        centre = np.where(eye, diagonal[:, :, None], (1 - diagonal)[:, :, None] * errors)
        counts += self.smoothing * centre + EPSILON
        return prior / prior.sum(), counts / counts.sum(axis=2, keepdims=True)
