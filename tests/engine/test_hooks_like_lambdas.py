"""Hooks run like Lambdas: an unchanged Ground Truth post-annotation Lambda that assumes the job's
role with STS and reads ``payload.s3Uri`` with ``boto3.client("s3")``, without an endpoint argument.

The hook gets crowdform's endpoint (``AWS_ENDPOINT_URL``), temporary credentials for the job's
``RoleArn`` and the region, and nothing from the test's environment; the server is a real Uvicorn on
the port its settings name, so the hook reaches it as it would reach ``crowdform serve``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from tests.fixtures.s3 import S3Bucket
from tests.fixtures.servers import LiveServer, free_port, start_server
from tests.helpers import example_job, label_everything, open_runtime, team_with_workers

LAMBDA = Path(__file__).parent / "lambdas" / "assume_role_post.py"
ROLE = "arn:aws:iam::000000000000:role/GroundTruthExecution"
POST_ARN = "arn:aws:lambda:us-east-1:000000000000:function:gt-consolidation-lambda"


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[tuple[Runtime, LiveServer]]:
    """A runtime on the embedded default and a live server on the settings' own port."""
    port = free_port()
    runtime = open_runtime(tmp_path, database_url, port=port)
    server = start_server(runtime.settings, runtime, port=port)
    try:
        yield runtime, server
    finally:
        server.stop()
        runtime.close()


def run_job_with_the_lambda(runtime: Runtime, tmp_path: Path, **job: Any) -> None:
    HookRegistry(runtime).add("gt-consolidation-lambda", str(LAMBDA))
    workers = team_with_workers(runtime, "animal-team", 2)
    created = example_job(runtime, tmp_path, RoleArn=ROLE,
                          AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": POST_ARN}, **job)
    assert label_everything(runtime, created, workers) == 8
    log = Jobs(runtime).logs(created.name)
    assert not [entry for entry in log if entry[3] == "error"], "\n".join(entry[4] for entry in log)


def check_labels(lines: list[dict[str, Any]], *, payload_prefix: str, endpoint: str, s3_endpoint: str | None) -> None:
    assert len(lines) == 4
    for line in lines:
        label = line["animal-faces"]
        assert label["workers"] == 2
        assert label["payload"].startswith(payload_prefix)
        # the hook's own credentials are the job's role (session named after the hook), and its AssumeRole
        # of the same role (role chaining) gave a session of its own name
        assert label["caller"] == "arn:aws:sts::000000000000:assumed-role/GroundTruthExecution/gt-consolidation-lambda"
        assert label["assumed"] == "arn:aws:sts::000000000000:assumed-role/GroundTruthExecution/gt-consolidation"
        assert (label["endpoint"], label["s3_endpoint"]) == (endpoint, s3_endpoint)


def test_an_unchanged_lambda_assumes_the_role_and_reads_the_payload_on_the_embedded_default(
    tmp_path: Path, served: tuple[Runtime, LiveServer], aws_credentials: None,
) -> None:
    """Output in the data folder's buckets (``crowdform job create``'s default): ``payload.s3Uri`` is the
    ``s3://`` name of the consolidation request, read through crowdform's own S3 API."""
    runtime, server = served
    output = runtime.settings.buckets_dir / "crowdform-output"
    run_job_with_the_lambda(runtime, tmp_path, output=str(output))
    manifest = next(output.glob("*/manifests/output/output.manifest"))
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    check_labels(lines, payload_prefix="s3://crowdform-output/animal-faces/annotations/consolidated-annotation/"
                 "consolidation-request/iteration-1/", endpoint=server.url, s3_endpoint=None)


@pytest.mark.parametrize("hook_s3_endpoint", ["store", "crowdform"])
def test_the_same_lambda_reads_the_payload_from_an_external_store(
    tmp_path: Path, database_url: str, s3_bucket: S3Bucket, s3_client: Any, hook_s3_endpoint: str,
) -> None:
    """``s3_endpoint_url`` set (moto's server): the hook's S3 goes to that store (or, with
    ``hook_s3_endpoint = "crowdform"``, through crowdform's endpoint to it), its STS to crowdform."""
    port = free_port()
    runtime = open_runtime(tmp_path, database_url, port=port, s3_endpoint_url=s3_bucket.endpoint_url,
                           hook_s3_endpoint=hook_s3_endpoint)
    server = start_server(runtime.settings, runtime, port=port)
    try:
        run_job_with_the_lambda(runtime, tmp_path, output=s3_bucket.uri("out/"))
        key = "out/animal-faces/manifests/output/output.manifest"
        body = s3_client.get_object(Bucket=s3_bucket.bucket_name, Key=key)["Body"].read().decode()
        lines = [json.loads(line) for line in body.splitlines()]
        check_labels(lines, payload_prefix=s3_bucket.uri("out/animal-faces/annotations/consolidated-annotation/"),
                     endpoint=server.url,
                     s3_endpoint=s3_bucket.endpoint_url if hook_s3_endpoint == "store" else None)
    finally:
        server.stop()
        runtime.close()
