"""The contents of Ground Truth's files: worker responses (spec 5.4), consolidation requests (6.2),
custom-job metadata (7.5.10), and the time formats they use.

Every function takes the times it writes as arguments (``datetime`` in UTC: an aware datetime is
converted, a naive one is taken as UTC); nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

CUSTOM_TYPE = "groundtruth/custom"


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo is None else dt.astimezone(timezone.utc).replace(tzinfo=None)


def file_timestamp(dt: datetime) -> str:
    """``YYYY-MM-DD_HH:MM:SS``: the name (without ``.json``) of worker-response and consolidation files."""
    dt = _utc(dt)
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}_{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"


def iso_millis(dt: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ``: ``submissionTime`` and ``acceptanceTime`` (spec 5.4)."""
    dt = _utc(dt)
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond // 1000:03d}Z"
    )


def creation_date(dt: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.ffffff``, no zone suffix: the ``creation-date`` of label metadata (spec 7.4)."""
    dt = _utc(dt)
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
        f".{dt.microsecond:06d}"
    )


@dataclass(frozen=True)
class WorkerAnswer:
    """One worker's submission of one data object."""

    answer_content: dict[str, Any]
    worker_id: str
    submission_time: datetime
    acceptance_time: datetime
    time_spent_s: float
    identity: dict[str, Any] | None = None
    """``{"identityProviderType", "issuer", "sub"}`` for private workforces, else None."""


def worker_response_document(answers: Sequence[WorkerAnswer]) -> dict[str, Any]:
    """The worker-response file's content, ``{"answers": [...]}`` (spec 5.4).

    Answers are ordered by submission time (ties keep the given order); each answer's keys are in
    alphabetical order, as in real files. ``workerMetadata.identityData`` appears only for answers
    that carry an identity.
    """
    ordered = sorted(answers, key=lambda answer: _utc(answer.submission_time))
    documents: list[dict[str, Any]] = []
    for answer in ordered:
        document: dict[str, Any] = {
            "acceptanceTime": iso_millis(answer.acceptance_time),
            "answerContent": answer.answer_content,
            "submissionTime": iso_millis(answer.submission_time),
            "timeSpentInSeconds": answer.time_spent_s,
            "workerId": answer.worker_id,
        }
        if answer.identity is not None:
            document["workerMetadata"] = {"identityData": dict(sorted(answer.identity.items()))}
        documents.append(document)
    return {"answers": documents}


def consolidation_request_item(
    dataset_object_id: int,
    data_object: dict[str, Any],
    answers: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """One element of the consolidation-request file (spec 6.2).

    ``answers`` are ``(workerId, answerContent as JSON text)`` pairs: ``annotationData.content`` is
    that string, double-encoded as Ground Truth does (Q16: always inline ``content``). ``dataObject``
    is ``{"s3Uri": <source-ref>}``, or ``{"content": <source>}`` for lines without ``source-ref``.
    """
    if "source-ref" in data_object:
        reference: dict[str, Any] = {"s3Uri": data_object["source-ref"]}
    elif "source" in data_object:
        reference = {"content": data_object["source"]}
    else:
        raise ValueError("a data object needs source-ref or source (read_manifest checks this)")
    return {
        "datasetObjectId": str(dataset_object_id),
        "dataObject": reference,
        "annotations": [
            {"workerId": worker_id, "annotationData": {"content": content}}
            for worker_id, content in answers
        ],
    }


def custom_metadata(
    job_name: str, created: datetime, worker_response_ref: str | None = None
) -> dict[str, Any]:
    """``<LAN>-metadata`` of a custom job, in the form real output manifests show (7.5.10, Q23).

    ``{"type": "groundtruth/custom", "job-name": <job name as created>, "human-annotated": "yes",
    "creation-date": ...}``; the creation date has millisecond precision padded to six digits
    (``2020-06-11T00:54:41.833000``), as observed. ``worker-response-ref`` is added for jobs
    without a consolidation hook (spec 6.7).
    """
    metadata: dict[str, Any] = {
        "type": CUSTOM_TYPE,
        "job-name": job_name,
        "human-annotated": "yes",
        "creation-date": _custom_creation_date(created),
    }
    if worker_response_ref is not None:
        metadata["worker-response-ref"] = worker_response_ref
    return metadata


def merge_custom_metadata(supplied: Any, job_name: str, created: datetime) -> dict[str, Any]:
    """A consolidation hook's ``<LAN>-metadata`` completed with the custom defaults (Q18).

    A supplied object is kept with its keys and order; ``type``, ``job-name``, ``human-annotated``
    and ``creation-date`` are appended when missing. Anything else (None, not an object) gives the
    defaults of :func:`custom_metadata`. The input is not modified.
    """
    defaults = custom_metadata(job_name, created)
    if not isinstance(supplied, dict):
        return defaults
    merged = dict(supplied)
    for key, value in defaults.items():
        merged.setdefault(key, value)
    return merged


def _custom_creation_date(created: datetime) -> str:
    created = _utc(created)
    return creation_date(created.replace(microsecond=created.microsecond // 1000 * 1000))
