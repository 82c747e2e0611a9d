"""Label verification (``groundtruth/label-verification``) and the ``adjustment-status`` of adjustment jobs.

Verification is classification of a judgement ("correct", "needs adjustment", ...) and Ground
Truth consolidates it with the same EM variant as single-label classification (section 8.4 of the
contracts spec), so :class:`LabelVerification` delegates the judgement to a classification
aggregator -- by default :class:`~crowdform.consolidation.aws_dawid_skene.AwsDawidSkene` -- and
adds what is specific to verification: the workers' comments, gathered per object into
``worker-feedback`` with empty comments dropped (section 7.5.7). An estimator, like the aggregator
it wraps.

Adjustment jobs write their labels in the original task type's format (boxes, masks) and add
``adjustment-status``: ``"adjusted"`` when at least one reviewing worker changed the label, else
``"unadjusted"`` (section 7.5.8). Whether a worker changed it is the answer's
``initialValueModified`` flag; an answer without the flag counts as unchanged. That is a pure
function of the flags (:func:`adjustment_status`, :func:`adjusted_objects`): an estimator would add
nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from crowdform.consolidation.answers import CategoricalAnswers
from crowdform.consolidation.aws_dawid_skene import AwsDawidSkene
from crowdform.errors import InvalidInput

ADJUSTED = "adjusted"
UNADJUSTED = "unadjusted"


class ClassificationAggregator(Protocol):
    """What :class:`LabelVerification` needs from a classification aggregator."""

    labels_: NDArray[np.int64]
    confidence_: NDArray[np.float64]

    def fit(self, answers: CategoricalAnswers) -> Any: ...


class LabelVerification:
    """Consolidate verification judgements and collect the workers' comments.

    ``aggregator`` is any classification aggregator (``fit(CategoricalAnswers)`` setting
    ``labels_`` and ``confidence_``); the default is Ground Truth's modified Dawid-Skene.

    After :meth:`fit`, aligned with ``answers.object_ids``: ``labels_`` (index of the chosen
    verification category), ``confidence_``, ``class_names_`` (the chosen category's name) and
    ``worker_feedback_`` (per object, the non-empty comments ordered by worker id, as
    ``{"comment": text}`` dictionaries; an empty list means the metadata has no ``worker-feedback``).
    """

    def __init__(self, aggregator: ClassificationAggregator | None = None) -> None:
        self.aggregator = aggregator

    def fit(
        self, answers: CategoricalAnswers, comments: Iterable[tuple[Hashable, Hashable, str | None]] = ()
    ) -> LabelVerification:
        """``comments``: (object id, worker id, ``workerComment``) triples, ids as in ``answers``."""
        model = self.aggregator if self.aggregator is not None else AwsDawidSkene()
        model.fit(answers)
        position = {object_id: i for i, object_id in enumerate(answers.object_ids)}
        collected: list[list[tuple[Any, str]]] = [[] for _ in answers.object_ids]
        for line, (object_id, worker_id, text) in enumerate(comments, start=1):
            if object_id not in position:
                raise InvalidInput.one("verification comments", "comment for an object with no judgement", line=line,
                                       field="object", value=object_id, hint="Give the object ids used in the answers")
            if text is not None and text.strip():
                collected[position[object_id]].append((worker_id, text))
        self.labels_ = np.asarray(model.labels_)
        self.confidence_ = np.asarray(model.confidence_)
        self.class_names_ = [answers.classes[int(i)] for i in self.labels_]
        self.worker_feedback_ = [[{"comment": text} for _, text in sorted(found, key=lambda item: _sort_key(item[0]))]
                                 for found in collected]
        return self


def _sort_key(worker_id: Any) -> tuple[str, str]:
    """Orders worker ids of any (even mixed) types deterministically."""
    return (type(worker_id).__name__, str(worker_id))


def adjustment_status(modified: Iterable[bool | None]) -> str:
    """``"adjusted"`` if any reviewing worker's ``initialValueModified`` is true, else ``"unadjusted"``."""
    return ADJUSTED if any(flag is True for flag in modified) else UNADJUSTED


def adjusted_objects(objects: ArrayLike, modified: ArrayLike, n_objects: int) -> NDArray[np.bool_]:
    """Vectorised form: per object index ``0 .. n_objects - 1``, whether any answer modified the label."""
    obj = np.asarray(objects, dtype=np.int64)
    flags = np.asarray(modified, dtype=bool)
    if obj.shape != flags.shape or (obj.size and (obj.min() < 0 or obj.max() >= n_objects)):
        raise InvalidInput.one("adjustment answers", "objects must be indexes below n_objects, one flag per answer",
                               value=(obj.shape, flags.shape, n_objects))
    return np.bincount(obj[flags], minlength=n_objects) > 0
