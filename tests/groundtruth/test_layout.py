"""Output layout paths (spec 7.1; Appendix C 12)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from crowdform.groundtruth.layout import JobLayout


@pytest.mark.parametrize(
    "output_path", ["s3://acme-out/jobs", "s3://acme-out/jobs/"]
)
def test_the_job_dir_joins_with_exactly_one_slash(output_path: str) -> None:
    layout = JobLayout(output_path, "Receipt-Totals")
    assert layout.job_dir == "s3://acme-out/jobs/Receipt-Totals/"  # original case (7.1)


def test_bucket_roots_file_uris_and_plain_paths() -> None:
    assert JobLayout("s3://bucket", "j").job_dir == "s3://bucket/j/"
    assert JobLayout("file:///", "j").job_dir == "file:///j/"
    assert JobLayout("file:///srv/out", "j").job_dir == "file:///srv/out/j/"
    assert JobLayout("output/", "j").job_dir == "output/j/"
    assert JobLayout("/", "j").job_dir == "/j/"


def test_every_path_of_the_tree() -> None:
    layout = JobLayout("s3://acme-out/jobs/", "receipt-totals")
    root = "s3://acme-out/jobs/receipt-totals/"
    stamp = "2024-03-05_11:20:09"
    assert layout.annotations_dir == root + "annotations"
    assert layout.worker_response(1, 173, stamp) == (
        root + "annotations/worker-response/iteration-1/173/2024-03-05_11:20:09.json"
    )
    assert layout.consolidation_request(2, stamp) == (
        root + "annotations/consolidated-annotation/consolidation-request/iteration-2/2024-03-05_11:20:09.json"
    )
    assert layout.consolidation_response(2, stamp) == (
        root + "annotations/consolidated-annotation/consolidation-response/iteration-2/2024-03-05_11:20:09.json"
    )
    assert layout.intermediate(3) == root + "annotations/intermediate/3/annotations.json"
    assert layout.output_manifest == root + "manifests/output/output.manifest"


def test_worker_response_name_pattern_from_a_datetime() -> None:
    """Appendix C 12: <job dir>annotations/worker-response/iteration-N/<id>/YYYY-MM-DD_HH:MM:SS.json."""
    layout = JobLayout("file:///data/out", "birds")
    uri = layout.worker_response(1, 0, datetime(2024, 3, 5, 11, 4, 52, 999_999, tzinfo=timezone.utc))
    assert uri == "file:///data/out/birds/annotations/worker-response/iteration-1/0/2024-03-05_11:04:52.json"
    pattern = r".*/annotations/worker-response/iteration-\d+/\d+/\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.json"
    assert re.fullmatch(pattern, uri)


def test_nonsense_iterations_and_ids_are_programming_errors() -> None:
    layout = JobLayout("out", "j")
    with pytest.raises(ValueError, match="numbered from 1"):
        layout.intermediate(0)
    with pytest.raises(ValueError, match="non-negative"):
        layout.worker_response(1, -1, "2024-03-05_11:04:52")
    assert repr(layout) == "JobLayout('out/j/')"
