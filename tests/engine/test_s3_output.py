"""The animal example job with everything in S3 (moto's server on loopback): inputs, output, and the hook's payload.

The manifest, template, label categories and images are uploaded to a bucket and the job names them
by ``s3://`` URIs; its output path is ``s3://<bucket>/out/``. The engine's storage reaches moto through
``s3_endpoint_url``. The example's post-annotation hook is unchanged: it reads ``payload.s3Uri`` with
``boto3.client("s3").get_object``, which only works if the engine handed it an ``s3://`` URI and the
``AWS_ENDPOINT_URL_S3`` of the configured endpoint (the test process itself has no such variable).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crowdform.demo import prepare_example
from crowdform.engine.jobs import Jobs
from crowdform.store.models import ConsolidationBatch
from tests.fixtures.s3 import S3Bucket
from tests.helpers import box_answer, example_job, label_everything, open_runtime, team_with_workers

STAMP = r"\d{4}-\d\d-\d\d_\d\d:\d\d:\d\d\.json"
ANIMALS = ["cat", "dog", "owl", "fox"]  # manifest order (crowdform.demo.ANIMALS)


def keys_under(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [item["Key"] for item in page.get("Contents", ())]
    return sorted(keys)


def read_json(s3_client: Any, bucket: str, key: str) -> Any:
    return json.loads(s3_client.get_object(Bucket=bucket, Key=key)["Body"].read())


def read_lines(s3_client: Any, bucket: str, key: str) -> list[Any]:
    body = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    return [json.loads(line) for line in body.splitlines()]


def upload_example(tmp_path: Path, s3_client: Any, s3_bucket: S3Bucket) -> dict[str, str]:
    """Draw the example with ``s3://`` image URIs, upload its inputs, and return their URIs."""
    bucket = s3_bucket.bucket_name
    folder = prepare_example(tmp_path / "example", image_prefix=s3_bucket.uri("images"))
    for image in sorted((folder / "images").iterdir()):
        s3_client.upload_file(str(image), bucket, f"images/{image.name}")
    uris = {}
    for name, key in (("manifest.jsonl", "input/manifest.jsonl"), ("template.liquid.html", "input/template.liquid.html"),
                      ("labels.json", "input/labels.json")):
        s3_client.upload_file(str(folder / name), bucket, key)
        uris[name] = s3_bucket.uri(key)
    return uris


def test_example_job_reads_from_and_writes_every_ground_truth_file_to_s3(
    tmp_path: Path, database_url: str, s3_bucket: S3Bucket, s3_client: Any
) -> None:
    # aws_credentials (through s3_bucket) removed every endpoint variable: the hook process can only
    # find moto through the AWS_ENDPOINT_URL_S3 the engine passes from settings.s3_endpoint_url.
    assert "AWS_ENDPOINT_URL_S3" not in os.environ and "AWS_ENDPOINT_URL" not in os.environ
    bucket = s3_bucket.bucket_name
    uris = upload_example(tmp_path, s3_client, s3_bucket)
    runtime = open_runtime(tmp_path, database_url, s3_endpoint_url=s3_bucket.endpoint_url)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(
        runtime, tmp_path, image_prefix=s3_bucket.uri("images"), output=s3_bucket.uri("out/"),
        InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": uris["manifest.jsonl"]}}},
        UiConfig={"UiTemplateS3Uri": uris["template.liquid.html"]},
        LabelCategoryConfigS3Uri=uris["labels.json"],
    )
    # The job was made from the S3 copies: the template text and label categories came from the bucket.
    assert job.object_count == 4
    assert job.template == s3_client.get_object(Bucket=bucket, Key="input/template.liquid.html")["Body"].read().decode()
    assert job.label_categories == ("eye", "nose")
    assert job.layout.job_dir == f"s3://{bucket}/out/animal-faces/"

    assert label_everything(runtime, job, workers) == 8  # 4 images x 2 workers

    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"]["TotalLabeled"] == 4 and described["LabelCounters"]["FailedNonRetryableError"] == 0
    assert described["LabelingJobOutput"]["OutputDatasetS3Uri"] == f"s3://{bucket}/out/animal-faces/manifests/output/output.manifest"

    # payload.s3Uri was the s3:// URI of each consolidation request (the engine stores what it sent).
    with runtime.database.read() as connection:
        stored = connection.execute(select(ConsolidationBatch.request_uri)).scalars().all()
    assert stored and None not in stored  # every batch called the post-annotation hook
    payload_uris = [str(uri) for uri in stored]
    assert all(re.fullmatch(
        rf"s3://{bucket}/out/animal-faces/annotations/consolidated-annotation/consolidation-request/iteration-1/{STAMP}",
        uri) for uri in payload_uris)
    logs = [entry[4] for entry in Jobs(runtime).logs(job.name)]
    assert any(re.fullmatch(r"consolidated \d objects", m) for m in logs)  # the hook ran, and said so
    runtime.close()

    prefix = "out/animal-faces/"
    keys = keys_under(s3_client, bucket, prefix)
    by_worker_uid = {w.worker_uid: w for w in workers}
    inputs = [json.loads(line) for line in (tmp_path / "example" / "manifest.jsonl").read_text().splitlines()]
    assert [line["source-ref"] for line in inputs] == [s3_bucket.uri(f"images/{a}.png") for a in ANIMALS]

    # annotations/worker-response/iteration-1/<datasetObjectId>/<stamp>.json: one per object, both answers
    for position in range(4):
        found = [k for k in keys if k.startswith(f"{prefix}annotations/worker-response/iteration-1/{position}/")]
        assert len(found) == 1 and re.fullmatch(rf".*/{STAMP}", found[0]), found
        answers = read_json(s3_client, bucket, found[0])["answers"]
        assert sorted(a["workerId"] for a in answers) == sorted(by_worker_uid)
        for answer in answers:
            worker = by_worker_uid[answer["workerId"]]
            assert answer["answerContent"] == box_answer(position, worker.id)
            assert answer["workerMetadata"]["identityData"]["sub"] == worker.subject

    # consolidation-request (what payload.s3Uri pointed at) and consolidation-response (the hook's reply)
    requests = [k for k in keys if "/consolidation-request/" in k]
    responses = [k for k in keys if "/consolidation-response/" in k]
    assert sorted(f"s3://{bucket}/{k}" for k in requests) == sorted(payload_uris)
    assert [k.rsplit("/", 1)[1] for k in responses] == [k.rsplit("/", 1)[1] for k in requests]
    items = [item for key in requests for item in read_json(s3_client, bucket, key)]
    assert sorted(item["datasetObjectId"] for item in items) == ["0", "1", "2", "3"]
    for item in items:
        position = int(item["datasetObjectId"])
        assert item["dataObject"] == {"s3Uri": inputs[position]["source-ref"]}
        assert len(item["annotations"]) == 2
        for annotation in item["annotations"]:
            worker = by_worker_uid[annotation["workerId"]]
            assert json.loads(annotation["annotationData"]["content"]) == box_answer(position, worker.id)
    replies = [reply for key in responses for reply in read_json(s3_client, bucket, key)]
    assert sorted(reply["datasetObjectId"] for reply in replies) == ["0", "1", "2", "3"]
    assert all(len(r["consolidatedAnnotation"]["content"]["animal-faces"]["annotationsFromAllWorkers"]) == 2
               for r in replies)

    # annotations/intermediate/1/annotations.json: JSON Lines of the iteration's consolidated labels
    intermediate = read_lines(s3_client, bucket, f"{prefix}annotations/intermediate/1/annotations.json")
    assert [r["datasetObjectId"] for r in intermediate] == ["0", "1", "2", "3"]
    assert [r["inputAttribute"] for r in intermediate] == [line["source-ref"] for line in inputs]
    assert all(r["animal-faces-metadata"]["type"] == "groundtruth/custom" for r in intermediate)

    # manifests/output/output.manifest: the input lines, in order, with the label and its metadata
    output = read_lines(s3_client, bucket, f"{prefix}manifests/output/output.manifest")
    assert len(output) == 4
    for position, (line, original) in enumerate(zip(output, inputs)):
        assert list(line) == ["source-ref", "animal", "animal-faces", "animal-faces-metadata"]
        assert {k: line[k] for k in original} == original
        answers = line["animal-faces"]["annotationsFromAllWorkers"]
        assert sorted(a["workerId"] for a in answers) == sorted(by_worker_uid)
        assert all(a["annotationData"] == box_answer(position, by_worker_uid[a["workerId"]].id) for a in answers)
        metadata = line["animal-faces-metadata"]
        assert metadata["job-name"] == "animal-faces" and metadata["human-annotated"] == "yes"

    # Nothing else was written, and nothing of the job's output went to local disk.
    expected = {f"{prefix}annotations/intermediate/1/annotations.json", f"{prefix}manifests/output/output.manifest"}
    assert set(keys) - set(requests) - set(responses) - expected == {
        k for k in keys if k.startswith(f"{prefix}annotations/worker-response/")}
    assert not (tmp_path / "example" / "output").exists()


def test_the_same_job_runs_with_every_s3_uri_in_the_embedded_store(
    tmp_path: Path, database_url: str, aws_credentials: None
) -> None:
    """No S3 server at all: the bucket lives in the data folder, filled through crowdform's own S3 API,
    and the unchanged post-annotation Lambda reads ``payload.s3Uri`` through that API too, with the
    endpoint and credentials crowdform gives it (nothing comes from the test's own environment)."""
    from crowdform.engine.access_keys import AccessKeys
    from tests.fixtures.servers import free_port, start_server

    port = free_port()
    runtime = open_runtime(tmp_path, database_url, port=port)
    info, secret = AccessKeys(runtime).create("notebook")
    server = start_server(runtime.settings, runtime, port=port)
    try:
        s3 = make_client(server.url, info.access_key_id, secret)
        s3.create_bucket(Bucket="gt-embedded")
        bucket = S3Bucket(server.url, "gt-embedded")
        uris = upload_example(tmp_path, s3, bucket)
        workers = team_with_workers(runtime, "animal-team", 2)
        job = example_job(
            runtime, tmp_path, image_prefix=bucket.uri("images"), output=bucket.uri("out/"),
            InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": uris["manifest.jsonl"]}}},
            UiConfig={"UiTemplateS3Uri": uris["template.liquid.html"]},
            LabelCategoryConfigS3Uri=uris["labels.json"],
        )
        assert job.object_count == 4 and job.label_categories == ("eye", "nose")
        assert label_everything(runtime, job, workers) == 8
        described = Jobs(runtime).describe(job.name)
        assert described["LabelingJobStatus"] == "Completed"
        assert described["LabelCounters"]["TotalLabeled"] == 4
        output = read_lines(s3, "gt-embedded", "out/animal-faces/manifests/output/output.manifest")
        assert [line["animal"] for line in output] == ANIMALS
        assert all(len(line["animal-faces"]["annotationsFromAllWorkers"]) == 2 for line in output)
        on_disk = runtime.settings.buckets_dir / "gt-embedded" / "out/animal-faces/manifests/output/output.manifest"
        assert [json.loads(line) for line in on_disk.read_text().splitlines()] == output
        assert keys_under(s3, "gt-embedded", "out/animal-faces/annotations/consolidated-annotation/consolidation-response/")
    finally:
        server.stop()
        runtime.close()


def make_client(url: str, key: str, secret: str) -> Any:
    import boto3

    return boto3.session.Session().client("s3", endpoint_url=url, region_name="us-east-1",
                                          aws_access_key_id=key, aws_secret_access_key=secret)
