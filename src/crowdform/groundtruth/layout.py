"""Where a job's files go: Ground Truth's output layout (spec 7.1), as URI strings.

Pure string work, so it serves ``s3://`` URIs, ``file:///`` URIs and plain paths alike. The job
folder is the output path joined with the job name (original case) by exactly one ``/``.
"""

from __future__ import annotations

from datetime import datetime

from crowdform.groundtruth.files import creation_date, file_timestamp


class JobLayout:
    """The URIs of one job's output files.

    ``job_dir``, ``annotations_dir`` and ``output_manifest`` are properties; the per-iteration and
    per-object paths are methods. A ``stamp`` is a ``YYYY-MM-DD_HH:MM:SS`` string (see
    :func:`~crowdform.groundtruth.files.file_timestamp`) or a datetime turned into one.
    """

    __slots__ = ("_job_dir",)

    def __init__(self, output_path: str, job_name: str) -> None:
        base = output_path if output_path.endswith("/") else output_path + "/"
        self._job_dir = f"{base}{job_name}/"

    def __repr__(self) -> str:
        return f"JobLayout({self._job_dir!r})"

    @property
    def job_dir(self) -> str:
        """``<output path>/<job name>/``, with a trailing ``/``."""
        return self._job_dir

    @property
    def annotations_dir(self) -> str:
        """``<job dir>annotations`` without a trailing ``/``: the ``outputConfig`` of hook events (6.3)."""
        return f"{self._job_dir}annotations"

    def worker_response(self, iteration: int, object_id: int, stamp: str | datetime) -> str:
        """``annotations/worker-response/iteration-<N>/<datasetObjectId>/<stamp>.json`` (5.4)."""
        return (
            f"{self._job_dir}annotations/worker-response/iteration-{_iteration(iteration)}/"
            f"{_object_id(object_id)}/{_stamp(stamp)}.json"
        )

    def consolidation_request(self, iteration: int, stamp: str | datetime) -> str:
        """``annotations/consolidated-annotation/consolidation-request/iteration-<N>/<stamp>.json`` (6.2)."""
        return self._consolidation("request", iteration, stamp)

    def consolidation_response(self, iteration: int, stamp: str | datetime) -> str:
        """``annotations/consolidated-annotation/consolidation-response/iteration-<N>/<stamp>.json`` (6.5)."""
        return self._consolidation("response", iteration, stamp)

    def consolidated_mask(self, object_id: int, created: datetime) -> str:
        """``annotations/consolidated-annotation/output/<datasetObjectId>_<creation-date>.png`` (spec 7.5.5)."""
        return (f"{self._job_dir}annotations/consolidated-annotation/output/"
                f"{_object_id(object_id)}_{creation_date(created)}.png")

    def intermediate(self, iteration: int) -> str:
        """``annotations/intermediate/<N>/annotations.json`` (7.1, Q20)."""
        return f"{self._job_dir}annotations/intermediate/{_iteration(iteration)}/annotations.json"

    @property
    def output_manifest(self) -> str:
        """``manifests/output/output.manifest`` (7.1): also ``LabelingJobOutput.OutputDatasetS3Uri`` (Q25)."""
        return f"{self._job_dir}manifests/output/output.manifest"

    def _consolidation(self, kind: str, iteration: int, stamp: str | datetime) -> str:
        return (
            f"{self._job_dir}annotations/consolidated-annotation/consolidation-{kind}/"
            f"iteration-{_iteration(iteration)}/{_stamp(stamp)}.json"
        )


def _stamp(stamp: str | datetime) -> str:
    """A ``YYYY-MM-DD_HH:MM:SS`` file stamp: given as text, or made from a datetime."""
    return file_timestamp(stamp) if isinstance(stamp, datetime) else stamp


def _iteration(iteration: int) -> int:
    if isinstance(iteration, bool) or not isinstance(iteration, int) or iteration < 1:
        raise ValueError(f"iterations are numbered from 1, got {iteration!r}")
    return iteration


def _object_id(object_id: int) -> int:
    if isinstance(object_id, bool) or not isinstance(object_id, int) or object_id < 0:
        raise ValueError(f"a datasetObjectId is a non-negative integer, got {object_id!r}")
    return object_id
