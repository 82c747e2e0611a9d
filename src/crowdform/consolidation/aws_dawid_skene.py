"""The modified Dawid-Skene procedure Ground Truth uses for single-label classification, reproduced.

Follows the reference implementation AWS publishes for ``ACS-ImageMultiClass`` /
``ACS-TextMultiClass`` step by step (spec section 8.4), vectorised: one ``np.bincount`` per class
replaces its loops over items and workers. Where the reference's arithmetic would underflow (the
product of many small probabilities) this works in log space instead; the results are otherwise
the same to rounding error, which ``tests/consolidation/test_aws_dawid_skene.py`` checks against a
plain loop transcription of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

import numpy as np

from crowdform.consolidation.aggregator import ClassAggregator
from crowdform.consolidation.answers import CategoricalAnswers, FloatArray, IntArray, argmax_lowest, normalise_log
from crowdform.errors import InvalidInput

# Smallest positive float: confusion entries that the smoothing leaves at exactly zero (a worker and
# the crowd both estimated perfectly accurate) are clipped to it before taking logs so that the log
# is finite and no posterior becomes NaN. Where the reference multiplies by 0 we multiply by 2e-308.
TINY = float(np.finfo(np.float64).tiny)


def accuracy_matrix(accuracy: FloatArray | float, n_classes: int) -> FloatArray:
    """``M(a)``: ``a`` on the diagonal, ``(1 - a) / (K - 1)`` elsewhere; one matrix per accuracy given."""
    a = np.asarray(accuracy, dtype=np.float64)[..., None, None]
    off = (1.0 - a) / (n_classes - 1) if n_classes > 1 else np.zeros_like(a)
    eye = np.eye(n_classes, dtype=bool)
    return np.where(eye, a, off)


@dataclass(frozen=True)
class EMResult:
    posteriors: FloatArray  # (objects, classes), from the last E-step
    confusion: FloatArray  # (workers, true, answered), rows normalised, from the last M-step
    worker_accuracy: FloatArray  # (workers,) trace / total of the unsmoothed counts
    log_likelihood: float
    n_iter: int


def modified_dawid_skene(answers: CategoricalAnswers, prior_accuracy: float = 0.7, max_iter: int = 20,
                         tol: float | None = None) -> EMResult:
    """Run AWS's EM: steps 2 to 5 of spec section 8.4.

    ``tol=None`` runs all ``max_iter`` epochs, as the published code does (its early-stopping test
    never fires); a number stops once the relative change of the log-likelihood is below it.
    """
    k = answers.n_classes
    posteriors = np.full((answers.n_objects, k), 1.0 / k)
    confusion = np.broadcast_to(accuracy_matrix(prior_accuracy, k), (answers.n_workers, k, k))
    mean_accuracy = prior_accuracy
    worker_accuracy = np.full(answers.n_workers, prior_accuracy)
    log_likelihood, previous = 0.0, None
    epoch = 0
    for epoch in range(1, max_iter + 1):
        # E-step: class prior from the current posteriors, then prior x product of confusion entries.
        prior = posteriors.sum(axis=0)
        prior /= prior.sum()
        with np.errstate(divide="ignore"):  # a class no posterior supports has prior 0, as in the reference
            log_prior = np.log(prior)
        posteriors, log_likelihood = normalise_log(log_prior + answers.log_evidence(np.log(np.maximum(confusion, TINY))))
        # M-step: posterior mass per (worker, true, answered), accuracy, smoothing pseudo-counts.
        counts = answers.confusion_counts(posteriors)
        n_j = counts.sum(axis=(1, 2))
        worker_accuracy = np.trace(counts, axis1=1, axis2=2) / n_j
        counts += accuracy_matrix(worker_accuracy, k) * n_j[:, None, None]
        counts += accuracy_matrix(mean_accuracy, k) * (n_j / 2)[:, None, None]
        confusion = counts / counts.sum(axis=2, keepdims=True)
        if tol is not None and previous is not None and abs(log_likelihood - previous) <= tol * abs(previous):
            break
        previous = log_likelihood
        mean_accuracy = float(worker_accuracy.mean())
    return EMResult(posteriors, np.asarray(confusion), worker_accuracy, log_likelihood, epoch)


class AwsDawidSkene(ClassAggregator):
    """Ground Truth's modified Dawid-Skene (``ACS-ImageMultiClass``, ``ACS-TextMultiClass``).

    Model (Dawid & Skene 1979, as modified by AWS): each worker has a confusion matrix
    ``C[true, answered]``; an object's posterior is the class prior times the product of its
    workers' confusion entries. Confusion matrices start at ``M(0.7)`` (0.7 on the diagonal,
    ``0.3 / (K - 1)`` elsewhere) and after each M-step get pseudo-counts ``n_j M(acc_j) +
    n_j / 2 M(mean accuracy)`` -- strong shrinkage that makes it a near one-coin model. 20 epochs.

    Sources: https://docs.aws.amazon.com/sagemaker/latest/dg/sms-annotation-consolidation.html
    and the reference implementation in ``aws/amazon-sagemaker-examples``
    (``ground_truth_labeling_jobs/annotation_consolidation``); spec section 8.4.

    Output: ``labels_`` (arg-max; a tie goes to the lowest class index, as ``np.argmax`` in the
    reference), ``probas_`` (posteriors), ``confidence_`` (max posterior rounded to two decimals,
    then capped at ``confidence_cap``: production Ground Truth never reports more than 0.95, spec
    [Q24]; ``None`` for the reference's uncapped value), ``worker_quality_`` (each worker's
    estimated accuracy), ``confusion_``. Objects with a single answer get confidence
    ``single_answer_confidence`` (0.0, as Ground Truth reports for one worker; ``None`` keeps the
    computed value). With both set to ``None`` the output is exactly the reference's.
    """

    def __init__(self, prior_accuracy: float = 0.7, max_iter: int = 20, tol: float | None = None,
                 confidence_cap: float | None = 0.95, single_answer_confidence: float | None = 0.0) -> None:
        if not 0.0 < prior_accuracy <= 1.0:
            raise InvalidInput.one("AwsDawidSkene", "prior_accuracy must be in (0, 1]", field="prior_accuracy",
                                   value=prior_accuracy)
        if max_iter < 1:
            raise InvalidInput.one("AwsDawidSkene", "max_iter must be at least 1", field="max_iter", value=max_iter)
        self.prior_accuracy = prior_accuracy
        self.max_iter = max_iter
        self.tol = tol
        self.confidence_cap = confidence_cap
        self.single_answer_confidence = single_answer_confidence

    def fit(self, answers: CategoricalAnswers) -> Self:
        result = modified_dawid_skene(answers, self.prior_accuracy, self.max_iter, self.tol)
        self.probas_: FloatArray = result.posteriors
        self.labels_: IntArray = argmax_lowest(result.posteriors)
        self.confidence_: FloatArray = round_confidence(result.posteriors.max(axis=1), self.confidence_cap,
                                                        answers.answers_per_object, self.single_answer_confidence)
        self.worker_quality_: FloatArray = result.worker_accuracy
        self.confusion_: FloatArray = result.confusion
        self.log_likelihood_ = result.log_likelihood
        self.n_iter_ = result.n_iter
        return self


def round_confidence(top: FloatArray, cap: float | None, answers_per_object: IntArray,
                     single_answer: float | None) -> FloatArray:
    """Ground Truth's confidence: rounded to two decimals (``round`` on a NumPy float, i.e. ``np.round``),
    capped, and fixed for objects only one worker answered."""
    confidence = np.round(top, 2)
    if cap is not None:
        confidence = np.minimum(confidence, cap)
    if single_answer is not None:
        confidence = np.where(answers_per_object == 1, single_answer, confidence)
    return confidence
