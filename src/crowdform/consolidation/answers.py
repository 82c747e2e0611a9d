"""The compact integer encoding every classification aggregator reads.

Workers' answers arrive as a long table of (object, worker, label) with ids of any hashable type.
The aggregators want three aligned integer arrays (object index, worker index, class index per
answer) so that each EM step is a few ``np.bincount`` calls or sparse products instead of a Python loop over
answers. The table is validated here, once, so the algorithms never re-check their input.

Index order is canonical -- objects, workers and (without an explicit label list) classes are
sorted -- so the result of an aggregator does not depend on the order the answers came in.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from crowdform.errors import InvalidInput, Problem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

SOURCE = "answers"
MAX_LISTED = 20  # problems listed in one error; the total is still reported


def _encode(values: Sequence[Any], what: str) -> tuple[tuple[Any, ...], IntArray]:
    """Unique values (sorted when they can be) and each value's index into them."""
    try:
        distinct = set(values)
    except TypeError as error:
        raise InvalidInput.one(SOURCE, f"every {what} id must be hashable", value=str(error)) from None
    try:
        unique = sorted(distinct)
    except TypeError:  # mixed or unorderable ids: keep the order of first appearance
        unique = list(dict.fromkeys(values))
    position = {value: i for i, value in enumerate(unique)}
    return tuple(unique), np.fromiter((position[v] for v in values), dtype=np.int64, count=len(values))


def _readonly(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class CategoricalAnswers:
    """One class label per (object, worker), encoded as integer arrays plus the index mappings.

    ``objects[i]``, ``workers[i]`` and ``answers[i]`` are the indexes of answer ``i``'s object,
    worker and class; ``object_ids[j]``, ``worker_ids[j]`` and ``classes[j]`` map indexes back.
    Build it with :meth:`from_triples` (or :meth:`from_codes` for arrays already encoded); the
    arrays are read-only so no aggregator can alter a caller's data.
    """

    objects: IntArray
    workers: IntArray
    answers: IntArray
    object_ids: tuple[Any, ...]
    worker_ids: tuple[Any, ...]
    classes: tuple[Any, ...]

    @classmethod
    def from_triples(
        cls, triples: Iterable[tuple[Hashable, Hashable, Hashable]], labels: Sequence[Hashable] | None = None
    ) -> "CategoricalAnswers":
        """Encode (object, worker, label) triples.

        ``labels`` is the job's label list: class ``i`` is ``labels[i]`` (Ground Truth's class
        index), every answer must be one of them, and classes nobody chose still count. Without it
        the classes are the distinct answers, sorted.
        """
        rows = list(triples)
        problems = [Problem("each answer must be an (object, worker, label) triple", line=i + 1, value=row)
                    for i, row in enumerate(rows) if not isinstance(row, (tuple, list)) or len(row) != 3]
        if problems:
            raise InvalidInput(SOURCE, problems[:MAX_LISTED], total=len(problems) if len(problems) > MAX_LISTED else None)
        objects = [row[0] for row in rows]
        workers = [row[1] for row in rows]
        answered = [row[2] for row in rows]
        return cls._build(objects, workers, answered, labels)

    @classmethod
    def from_codes(
        cls, objects: npt.ArrayLike, workers: npt.ArrayLike, answers: npt.ArrayLike, n_classes: int
    ) -> "CategoricalAnswers":
        """Wrap integer arrays already encoded (classes ``0 .. n_classes - 1``), validating them.

        Object and worker codes are re-indexed densely in sorted order (``object_ids`` holds the
        original codes), so gaps in the numbering are fine. Fully vectorised, for large crowds.
        """
        arrays = [np.asarray(a) for a in (objects, workers, answers)]
        if any(a.ndim != 1 for a in arrays) or len({a.shape for a in arrays}) != 1:
            raise InvalidInput.one(SOURCE, "objects, workers and answers must be 1-D arrays of one length",
                                   value=[a.shape for a in arrays])
        if any(a.size and not np.issubdtype(a.dtype, np.integer) for a in arrays):
            raise InvalidInput.one(SOURCE, "codes must be integers", value=[str(a.dtype) for a in arrays],
                                   hint="Use CategoricalAnswers.from_triples for other ids")
        if n_classes < 1:
            raise InvalidInput.one(SOURCE, "there must be at least one class", field="n_classes", value=n_classes)
        _require_answers(arrays[0].size)
        bad = np.flatnonzero((arrays[2] < 0) | (arrays[2] >= n_classes))
        if bad.size:
            raise InvalidInput(SOURCE, [Problem(f"class code outside 0..{n_classes - 1}", line=int(i) + 1,
                                                field="answer", value=int(arrays[2][i])) for i in bad[:MAX_LISTED]],
                               total=int(bad.size) if bad.size > MAX_LISTED else None)
        object_ids, object_codes = np.unique(arrays[0], return_inverse=True)
        worker_ids, worker_codes = np.unique(arrays[1], return_inverse=True)
        made = cls(_readonly(object_codes.astype(np.int64)), _readonly(worker_codes.astype(np.int64)),
                   _readonly(arrays[2].astype(np.int64, copy=True)),
                   tuple(object_ids.tolist()), tuple(worker_ids.tolist()), tuple(range(n_classes)))
        made._check_one_answer_per_pair()
        return made

    @classmethod
    def _build(cls, objects: list[Any], workers: list[Any], answered: list[Any],
               labels: Sequence[Hashable] | None) -> "CategoricalAnswers":
        _require_answers(len(answered))
        classes, codes = _class_codes(answered, labels)
        object_ids, object_codes = _encode(objects, "object")
        worker_ids, worker_codes = _encode(workers, "worker")
        made = cls(_readonly(object_codes), _readonly(worker_codes), _readonly(codes), object_ids, worker_ids, classes)
        made._check_one_answer_per_pair()
        return made

    def _check_one_answer_per_pair(self) -> None:
        pair = self.objects * self.n_workers + self.workers
        order = np.argsort(pair, kind="stable")
        repeated = order[1:][pair[order[1:]] == pair[order[:-1]]]
        if repeated.size:
            problems = [Problem("a worker answered the same object twice", line=int(i) + 1,
                                value=(self.object_ids[self.objects[i]], self.worker_ids[self.workers[i]]),
                                hint="Keep one answer per (object, worker)") for i in np.sort(repeated)[:MAX_LISTED]]
            raise InvalidInput(SOURCE, problems, total=int(repeated.size) if repeated.size > MAX_LISTED else None)

    # -- sizes -----------------------------------------------------------------------------------
    @property
    def n_answers(self) -> int:
        return int(self.answers.size)

    @property
    def n_objects(self) -> int:
        return len(self.object_ids)

    @property
    def n_workers(self) -> int:
        return len(self.worker_ids)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @cached_property
    def answers_per_object(self) -> IntArray:
        return _readonly(np.bincount(self.objects, minlength=self.n_objects))

    @cached_property
    def answers_per_worker(self) -> IntArray:
        return _readonly(np.bincount(self.workers, minlength=self.n_workers))

    @cached_property
    def _object_class(self) -> IntArray:
        return self.objects * self.n_classes + self.answers

    @cached_property
    def _worker_class(self) -> IntArray:
        return self.workers * self.n_classes + self.answers

    # -- the aggregations every EM step is made of -----------------------------------------------
    def vote_counts(self, weights: FloatArray | None = None) -> FloatArray:
        """(objects, classes): how many answers (or how much ``weights``, one per answer) each class got."""
        counts = np.bincount(self._object_class, weights=weights, minlength=self.n_objects * self.n_classes)
        return counts.astype(np.float64).reshape(self.n_objects, self.n_classes)

    @cached_property
    def _incidence(self) -> Any:
        """Sparse (objects, workers * classes) matrix with a 1 per answer: the two EM sums are then
        one sparse-times-dense product each, a single pass over the answers in compiled code."""
        from scipy.sparse import csr_matrix  # heavy import, kept out of `import crowdform.consolidation`

        ones = np.ones(self.n_answers)
        return csr_matrix((ones, (self.objects, self._worker_class)),
                          shape=(self.n_objects, self.n_workers * self.n_classes))

    @cached_property
    def _incidence_t(self) -> Any:
        return self._incidence.T.tocsr()

    def log_evidence(self, log_confusion: FloatArray) -> FloatArray:
        """(objects, classes): sum over each object's answers of ``log_confusion[worker, true, answered]``."""
        k = self.n_classes
        # (worker * K + answered, true): the row an answer selects holds its term for every true class.
        by_answer = np.ascontiguousarray(log_confusion.transpose(0, 2, 1)).reshape(self.n_workers * k, k)
        return np.asarray(self._incidence @ by_answer)

    def symmetric_log_evidence(self, log_right: FloatArray, log_wrong: FloatArray) -> FloatArray:
        """(objects, classes) log evidence when answer ``i`` is right with log-probability ``log_right[i]``
        and each wrong class has ``log_wrong[i]`` (one-coin and GLAD models)."""
        base = np.bincount(self.objects, weights=log_wrong, minlength=self.n_objects)
        return base[:, None] + self.vote_counts(log_right - log_wrong)

    def confusion_counts(self, posteriors: FloatArray) -> FloatArray:
        """(workers, true, answered): posterior mass of each true class behind each worker's answers."""
        k = self.n_classes
        by_answer = np.asarray(self._incidence_t @ posteriors).reshape(self.n_workers, k, k)  # (worker, answered, true)
        return np.ascontiguousarray(by_answer.transpose(0, 2, 1))

    def answered_mass(self, posteriors: FloatArray) -> FloatArray:
        """Per answer, the posterior probability that the answered class is the true one."""
        return posteriors[self.objects, self.answers]

    def decode(self, class_indexes: npt.ArrayLike) -> list[Any]:
        """Class indexes back to labels."""
        return [self.classes[int(i)] for i in np.asarray(class_indexes).ravel()]


def _require_answers(count: int) -> None:
    if count == 0:
        raise InvalidInput.one(SOURCE, "there are no answers to consolidate",
                               hint="Give at least one (object, worker, label) answer")


def _class_codes(answered: list[Any], labels: Sequence[Hashable] | None) -> tuple[tuple[Any, ...], IntArray]:
    """The classes (``labels`` when given, else the sorted distinct answers) and each answer's index."""
    if labels is None:
        missing = [Problem("answer has no label", line=i + 1, field="label") for i, a in enumerate(answered) if a is None]
        if missing:
            raise InvalidInput(SOURCE, missing[:MAX_LISTED], total=len(missing) if len(missing) > MAX_LISTED else None)
        return _encode(answered, "label")
    classes = tuple(labels)
    if not classes:
        raise InvalidInput.one(SOURCE, "the label list is empty", field="labels", hint="Give at least one label")
    if len(set(classes)) != len(classes):
        raise InvalidInput.one(SOURCE, "the label list repeats a label", field="labels", value=list(classes))
    position = {label: i for i, label in enumerate(classes)}
    unknown = [Problem("answer is not in the label list", line=i + 1, field="label", value=a,
                       hint=f"Expected one of {list(classes)}")
               for i, a in enumerate(answered) if a not in position]
    if unknown:
        raise InvalidInput(SOURCE, unknown[:MAX_LISTED], total=len(unknown) if len(unknown) > MAX_LISTED else None)
    return classes, np.fromiter((position[a] for a in answered), dtype=np.int64, count=len(answered))


@dataclass(frozen=True, eq=False)
class MultiLabelAnswers:
    """A set of labels per (object, worker): multi-label classification answers.

    Row ``i`` is one worker's answer to one object (``objects[i]``, ``workers[i]``);
    ``selected[i, c]`` says whether that answer chose class ``c``. An empty selection is a valid
    answer (the worker says no label applies) and counts as a "no" for every class.
    """

    objects: IntArray
    workers: IntArray
    selected: BoolArray
    object_ids: tuple[Any, ...]
    worker_ids: tuple[Any, ...]
    classes: tuple[Any, ...]

    @classmethod
    def from_sets(
        cls, records: Iterable[tuple[Hashable, Hashable, Iterable[Hashable]]], labels: Sequence[Hashable] | None = None
    ) -> "MultiLabelAnswers":
        """Encode (object, worker, labels chosen) records; ``labels`` as in :meth:`CategoricalAnswers.from_triples`."""
        rows = [(row[0], row[1], list(row[2])) if isinstance(row, (tuple, list)) and len(row) == 3
                and not isinstance(row[2], (str, bytes)) and isinstance(row[2], Iterable) else None for row in records]
        bad = [Problem("each answer must be (object, worker, list of labels)", line=i + 1) for i, r in enumerate(rows) if r is None]
        if bad:
            raise InvalidInput(SOURCE, bad[:MAX_LISTED], total=len(bad) if len(bad) > MAX_LISTED else None)
        checked = [r for r in rows if r is not None]
        _require_answers(len(checked))
        flat = [(i, label) for i, r in enumerate(checked) for label in r[2]]
        if labels is not None:  # report unknown labels by record, not by position in the flattened list
            known = set(labels)
            unknown = [Problem("answer is not in the label list", line=i + 1, field="label", value=label,
                               hint=f"Expected one of {list(labels)}") for i, label in flat if label not in known]
            if unknown:
                raise InvalidInput(SOURCE, unknown[:MAX_LISTED], total=len(unknown) if len(unknown) > MAX_LISTED else None)
        classes, codes = _class_codes([label for _, label in flat], labels)
        if not classes:
            raise InvalidInput.one(SOURCE, "no worker chose any label and there is no label list",
                                   field="labels", hint="Pass the job's label list")
        selected = np.zeros((len(checked), len(classes)), dtype=bool)
        selected[np.fromiter((i for i, _ in flat), dtype=np.int64, count=len(flat)), codes] = True
        object_ids, object_codes = _encode([r[0] for r in checked], "object")
        worker_ids, worker_codes = _encode([r[1] for r in checked], "worker")
        made = cls(_readonly(object_codes), _readonly(worker_codes), _readonly(selected), object_ids, worker_ids, classes)
        probe = CategoricalAnswers(made.objects, made.workers, _readonly(np.zeros(len(checked), dtype=np.int64)),
                                   object_ids, worker_ids, (None,))
        probe._check_one_answer_per_pair()
        return made

    @property
    def n_objects(self) -> int:
        return len(self.object_ids)

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def for_class(self, index: int) -> CategoricalAnswers:
        """The yes/no answers about one class, as a two-class problem (class 0 "no", class 1 "yes")."""
        return CategoricalAnswers(self.objects, self.workers, _readonly(self.selected[:, index].astype(np.int64)),
                                  self.object_ids, self.worker_ids, (False, True))


def normalise_log(log_joint: FloatArray) -> tuple[FloatArray, float]:
    """Row-normalise log joint probabilities (objects, classes) into posteriors, and the log-likelihood.

    Done in log space (subtract each row's maximum before exponentiating) because the product of
    many workers' probabilities underflows float64 long before it carries no information.
    """
    top = log_joint.max(axis=1, keepdims=True)
    shifted = np.exp(log_joint - top)
    total = shifted.sum(axis=1, keepdims=True)
    return shifted / total, float((np.log(total) + top).sum())


def argmax_lowest(probas: FloatArray) -> IntArray:
    """Arg-max per row; a tie goes to the lowest class index (the first in the label list)."""
    return probas.argmax(axis=1).astype(np.int64)
