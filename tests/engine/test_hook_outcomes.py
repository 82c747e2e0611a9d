"""What hooks' replies and failures do to objects and to the job (it goes on unless a whole batch fails)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

from crowdform.engine.jobs import Jobs
from tests.helpers import example_job, label_everything, open_runtime, team_with_workers


def write_hook(tmp_path: Path, name: str, body: str) -> str:
    folder = tmp_path / "hooks" / name
    folder.mkdir(parents=True)
    (folder / "main.py").write_text(body)
    return str(folder / "main.py")


def output_lines(job) -> list[dict]:  # type: ignore[no-untyped-def]
    return [json.loads(line) for line in Path(urlparse(job.layout.output_manifest).path).read_text().splitlines()]


def test_pre_hook_failures_and_skips_count_per_object(tmp_path: Path, database_url: str) -> None:
    pre = write_hook(tmp_path, "pre", '''
def lambda_handler(event, context):
    animal = event["dataObject"]["animal"]
    if animal == "cat":
        raise ValueError("cats are not supported")
    if animal == "dog":
        return {"taskInput": {"sourceRef": event["dataObject"]["source-ref"]}, "isHumanAnnotationRequired": "False"}
    if animal == "owl":
        return {"taskInput": "not an object"}
    return {"taskInput": {"sourceRef": event["dataObject"]["source-ref"]}, "humanAnnotationRequired": True}
''')
    runtime = open_runtime(tmp_path, database_url, hook_attempts=1)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, PreHumanTaskLambdaArn=pre)
    label_everything(runtime, job, workers)
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelCounters"] == {"TotalLabeled": 1, "HumanLabeled": 1, "MachineLabeled": 0,
                                          "FailedNonRetryableError": 2, "Unlabeled": 1}
    lines = output_lines(job)
    by_animal = {line["animal"]: line for line in lines}
    assert "animal-faces" in by_animal["fox"]
    for animal in ("cat", "dog", "owl"):
        assert "animal-faces" not in by_animal[animal]  # copied unchanged
    log = "\n".join(entry[4] for entry in Jobs(runtime).logs(job.name))
    assert "cats are not supported" in log and "taskInput" in log
    runtime.close()


def test_unusable_post_hook_reply_fails_the_batch_and_the_job_with_the_reply_quoted(tmp_path: Path,
                                                                                   database_url: str) -> None:
    post = write_hook(tmp_path, "post", '''
def lambda_handler(event, context):
    return {"this is": "not a list"}
''')
    runtime = open_runtime(tmp_path, database_url, hook_attempts=1)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": post})
    label_everything(runtime, job, workers)
    described = Jobs(runtime).describe(job.name)
    assert described["LabelingJobStatus"] == "Failed"  # not per object: the job cannot go on (test_job_failure)
    assert described["LabelCounters"]["FailedNonRetryableError"] >= 1
    assert "not a list" in described["FailureReason"]
    log = "\n".join(entry[4] for entry in Jobs(runtime).logs(job.name))
    assert "not a list" in log
    runtime.close()


def test_lenient_post_hook_replies(tmp_path: Path, database_url: str) -> None:
    post = write_hook(tmp_path, "post", '''
import json
def lambda_handler(event, context):
    lan = event["labelAttributeName"]
    with open(event["payload"]["s3Uri"].removeprefix("file://")) as f:
        items = json.load(f)
    reply = []
    for item in items:
        oid = item["datasetObjectId"]
        if oid == "0":
            reply.append({"datasetObjectId": oid, "consolidatedAnnotation": {"content": {lan: "first"}}})
            reply.append({"datasetObjectId": oid, "consolidatedAnnotation": {"content": {lan: "second"}}})
        elif oid == "1":
            continue  # omitted: that object fails
        else:
            reply.append({"datasetObjectId": int(oid), "consolidatedAnnotation": {"content": {lan: {"n": len(item["annotations"])}}}})
    return reply
''')
    runtime = open_runtime(tmp_path, database_url, hook_attempts=1)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": post})
    label_everything(runtime, job, workers)
    lines = output_lines(job)
    assert lines[0]["animal-faces"] == "second"  # last entry wins
    assert "animal-faces" not in lines[1]
    assert lines[2]["animal-faces"] == {"n": 2} and lines[3]["animal-faces"] == {"n": 2}
    counters = Jobs(runtime).describe(job.name)["LabelCounters"]
    assert counters["TotalLabeled"] == 3 and counters["FailedNonRetryableError"] == 1
    log = "\n".join(entry[4] for entry in Jobs(runtime).logs(job.name))
    assert "several entries for datasetObjectId" in log
    runtime.close()


def test_registered_hooks_behind_lambda_arns_get_their_environment(tmp_path: Path, database_url: str) -> None:
    from crowdform.engine.hook_registry import HookRegistry

    folder = tmp_path / "hooks" / "published"
    (folder / "lambdas").mkdir(parents=True)
    (folder / "lambdas" / "__init__.py").write_text("")
    (folder / "shared.py").write_text("PREFIX = 'from-sibling'\n")
    (folder / "lambdas" / "pre.py").write_text('''
import os, tempfile
from shared import PREFIX
def lambda_handler(event, context):
    job_name = event["labelingJobArn"].split(":")[5].split("/")[1]
    with open(os.path.join(tempfile.gettempdir(), "crowdform-hook-probe.txt"), "w") as f:
        f.write(job_name)
    return {"taskInput": {"sourceRef": event["dataObject"]["source-ref"], "job": job_name,
                          "region": os.environ["AWS_REGION"], "custom": os.environ["TEAM_NOTE"],
                          "sibling": PREFIX, "function": context.function_name}}
''')
    (folder / "lambdas" / "post.py").write_text('''
import json
def handler(event, context):
    with open(event["payload"]["s3Uri"].removeprefix("file://")) as f:
        items = json.load(f)
    return [{"datasetObjectId": item["datasetObjectId"],
             "consolidatedAnnotation": {"content": {event["labelAttributeName"]: {
                 "categories": event["labelCategories"], "workers": event["maxHumanWorkersPerDataObject"],
                 "outputConfig": event["outputConfig"]}}}} for item in items]
''')
    runtime = open_runtime(tmp_path, database_url, hook_attempts=1, region="eu-west-1")
    registry = HookRegistry(runtime)
    registry.add("sagemaker-pre", f"{folder}:lambdas.pre.lambda_handler", environment={"TEAM_NOTE": "careful"})
    registry.add("sagemaker-post", f"{folder / 'lambdas' / 'post.py'}:handler")
    workers = team_with_workers(runtime, "animal-team", 2)
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:{}"
    job = example_job(runtime, tmp_path, PreHumanTaskLambdaArn=arn.format("sagemaker-pre"),
                      AnnotationConsolidationConfig={"AnnotationConsolidationLambdaArn": arn.format("sagemaker-post")})
    from crowdform.engine.tasks import Tasks
    from crowdform.engine.background import Background

    background = Background(runtime)
    background.run_until_idle()
    task = Tasks(runtime).next_task(workers[0], job.name)
    assert task is not None
    assert task.task_input["job"] == "animal-faces" and task.task_input["region"] == "eu-west-1"
    assert task.task_input["custom"] == "careful" and task.task_input["sibling"] == "from-sibling"
    assert task.task_input["function"] == "sagemaker-pre"
    background.stop()
    label_everything(runtime, job, workers)
    line = output_lines(job)[0]
    assert line["animal-faces"]["categories"] == ["eye", "nose"] and line["animal-faces"]["workers"] == 2
    assert line["animal-faces"]["outputConfig"].endswith("/animal-faces/annotations")
    runtime.close()
