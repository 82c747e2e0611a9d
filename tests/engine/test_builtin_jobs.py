"""Every built-in task type end to end through a job: scripted workers, in-process PRE-/ACS- functions,
and every field of the output manifest (spec 7.4, 7.5) and of the files Ground Truth writes."""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from crowdform.engine.background import Background
from crowdform.engine.jobs import JobRow, Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import WorkerInfo
from crowdform.errors import InvalidInput
from crowdform.groundtruth.job_request import parse_create_labeling_job, request_from_flags
from crowdform.groundtruth.task_types import BY_NAME
from tests.helpers import open_runtime, team_with_workers

CREATION_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")
RED, BLUE = "#d62728", "#1f77b4"
Answer = Callable[[int, int, dict[str, Any]], dict[str, Any]]
"""(datasetObjectId, worker index, taskInput) -> answerContent."""


def local(uri: str) -> Path:
    return Path(urlparse(uri).path) if uri.startswith("file://") else Path(uri)


def job_request(tmp_path: Path, name: str, line: dict[str, Any], labels: dict[str, Any], **flags: Any) -> dict[str, Any]:
    """A one-line manifest and a label file in ``tmp_path``, and the request naming them (team ``crew``)."""
    manifest = tmp_path / "m.manifest"
    manifest.write_text(json.dumps(line) + "\n")
    label_file = tmp_path / "labels.json"
    label_file.write_text(json.dumps(labels))
    return request_from_flags(name=name, manifest=str(manifest), output=str(tmp_path / "out"), team="crew",
                              labels_uri=str(label_file), **flags)


def run_job(runtime: Runtime, tmp_path: Path, task: str, lines: list[dict[str, Any]], labels: dict[str, Any],
            answer: Answer, *, lan: str, workers: int = 3, pre: str | None = None,
            post: str | None = None) -> tuple[JobRow, list[dict[str, Any]], dict[int, dict[str, Any]]]:
    """Create a ``task`` job, let ``workers`` scripted workers answer every object, return
    (job, output manifest lines, the taskInput each object was shown with)."""
    team = team_with_workers(runtime, "crew", workers)
    manifest = tmp_path / "input.manifest"
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    label_file = tmp_path / "labels.json"
    label_file.write_text(json.dumps(labels))
    kind = BY_NAME[task]
    body = request_from_flags(name=f"{task}-job", manifest=str(manifest), output=str(tmp_path / "out"), template=None,
                              team="crew", pre_hook=pre or f"builtin:{task}", post_hook=post or f"builtin:{task}",
                              workers_per_object=workers, label_attribute_name=lan, labels_uri=str(label_file))
    job = Jobs(runtime).create(parse_create_labeling_job(body, source="test"), base_dir=tmp_path)
    assert job.task_type == kind
    shown = _label(runtime, job, team, answer)
    output = [json.loads(text) for text in local(job.layout.output_manifest).read_text().splitlines()]
    assert Jobs(runtime).describe(job.name)["LabelingJobStatus"] == "Completed"
    return job, output, shown


def _label(runtime: Runtime, job: JobRow, team: list[WorkerInfo], answer: Answer) -> dict[int, dict[str, Any]]:
    tasks, background, shown = Tasks(runtime), Background(runtime), {}
    try:
        background.run_until_idle()
        progress = True
        while progress:
            progress = False
            for index, worker in enumerate(team):
                task = tasks.next_task(worker, job.name)
                if task is not None:
                    position = int(task.dataset_object_id)
                    shown[position] = task.task_input
                    tasks.submit(worker, task.lease_id, answer(position, index, task.task_input))
                    progress = True
            background.run_until_idle()
    finally:
        background.stop()
    return shown


def check_common(metadata: dict[str, Any], job: JobRow, metadata_type: str) -> None:
    assert metadata["type"] == metadata_type
    assert metadata["job-name"] == f"labeling-job/{job.name.lower()}"
    assert metadata["human-annotated"] == "yes"
    assert CREATION_DATE.match(metadata["creation-date"])


def check_files(job: JobRow, objects: int, workers: int, lan: str) -> list[Any]:
    """Worker-response files per object, and a consolidation request and response (the built-in's reply)."""
    annotations = local(job.layout.annotations_dir)
    for position in range(objects):
        files = list((annotations / "worker-response" / "iteration-1" / str(position)).glob("*.json"))
        assert len(files) == 1
        assert len(json.loads(files[0].read_text())["answers"]) == workers
    requests = list((annotations / "consolidated-annotation" / "consolidation-request").rglob("*.json"))
    responses = list((annotations / "consolidated-annotation" / "consolidation-response").rglob("*.json"))
    assert requests and len(requests) == len(responses)
    reply = [item for path in responses for item in json.loads(path.read_text())]
    assert sorted(int(item["datasetObjectId"]) for item in reply) == list(range(objects))
    assert all(set(item["consolidatedAnnotation"]["content"]) == {lan, f"{lan}-metadata"} for item in reply)
    return reply


def png_base64(size: tuple[int, int], rects: list[tuple[tuple[int, int, int, int], str]]) -> str:
    """A worker's mask as the element sends it: RGBA, transparent background, rectangles painted."""
    pixels = np.zeros((size[1], size[0], 4), dtype=np.uint8)
    for (left, top, right, bottom), colour in rects:
        pixels[top:bottom, left:right] = [*bytes.fromhex(colour[1:]), 255]
    out = io.BytesIO()
    Image.fromarray(pixels, mode="RGBA").save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def image_lines(tmp_path: Path, count: int, extra: Callable[[int], dict[str, Any]] = lambda i: {}) -> list[dict[str, Any]]:
    folder = tmp_path / "images"
    folder.mkdir(exist_ok=True)
    lines = []
    for i in range(count):
        path = folder / f"img{i}.png"
        Image.new("RGB", (40, 30), (i * 40, 80, 120)).save(path)
        lines.append({"source-ref": str(path), **extra(i)})
    return lines


def label_doc(*labels: str, **extra: Any) -> dict[str, Any]:
    return {"document-version": "2018-11-28", "labels": [{"label": label} for label in labels], **extra}


# --------------------------------------------------------------------------- classification
@pytest.mark.parametrize("task, key, pre, post", [
    ("image-classification", "crowd-image-classifier",
     "arn:aws:lambda:us-east-1:432418664414:function:PRE-ImageMultiClass",
     "arn:aws:lambda:us-east-1:432418664414:function:ACS-ImageMultiClass"),
    ("text-classification", "crowd-classifier", "PRE-TextMultiClass", "ACS-TextMultiClass"),
])
def test_single_label_classification(tmp_path: Path, database_url: str, task: str, key: str, pre: str, post: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    classes = ("cat", "dog", "bird")
    lines = (image_lines(tmp_path, 4) if task.startswith("image")
             else [{"source": f"review {i}", "ticket": f"T-{i}"} for i in range(4)])

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        truth = classes[position % 3]
        return {key: {"label": truth if worker < 2 else "bird"}}

    job, output, shown = run_job(runtime, tmp_path, task, lines, label_doc(*classes), answer, lan="kind",
                                 pre=pre, post=post)
    media = "source-ref" if task.startswith("image") else "source"
    for position, line in enumerate(output):
        assert shown[position]["taskObject"] == lines[position][media]
        assert shown[position]["labels"] == list(classes)
        assert shown[position]["manifestLine"] == lines[position]
        assert list(line) == [*lines[position], "kind", "kind-metadata"]  # input keys first, then the label
        truth = position % 3
        assert line["kind"] == truth and isinstance(line["kind"], int)
        metadata = line["kind-metadata"]
        assert metadata["class-name"] == classes[truth]
        assert 0.5 < metadata["confidence"] <= 1 and round(metadata["confidence"], 2) == metadata["confidence"]
        check_common(metadata, job, BY_NAME[task].metadata_type)
        assert set(metadata) == {"class-name", "confidence", "type", "job-name", "human-annotated", "creation-date"}
    check_files(job, 4, 3, "kind")
    runtime.close()


def test_one_worker_gives_confidence_zero(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    job, output, _ = run_job(runtime, tmp_path, "text-classification", [{"source": "a"}, {"source": "b"}],
                             label_doc("yes", "no"), lambda p, w, t: {"crowd-classifier": {"label": "no"}},
                             lan="answer", workers=1)
    assert [(line["answer"], line["answer-metadata"]["confidence"]) for line in output] == [(1, 0), (1, 0)]
    runtime.close()


@pytest.mark.parametrize("task, key", [("image-classification-multi-label", "crowd-image-classifier-multi-select"),
                                       ("text-classification-multi-label", "crowd-classifier-multi-select")])
def test_multi_label_classification(tmp_path: Path, database_url: str, task: str, key: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    lines = image_lines(tmp_path, 2) if task.startswith("image") else [{"source": "x"}, {"source": "y"}]
    chosen = {0: ["car", "bus"], 1: ["car"], 2: ["car", "tram"]}
    job, output, _ = run_job(runtime, tmp_path, task, lines, label_doc("car", "bus", "tram"),
                             lambda p, w, t: {key: {"labels": chosen[w]}}, lan="scene")
    for line in output:
        assert sorted(line["scene"]) == [0, 1, 2]  # every label at least one worker chose
        metadata = line["scene-metadata"]
        assert metadata["class-map"] == {"0": "car", "1": "bus", "2": "tram"}
        confidence = metadata["confidence-map"]
        assert set(confidence) == {"0", "1", "2"} and confidence["0"] > confidence["1"]
        assert [str(c) for c in line["scene"]] == list(confidence)  # written in the same order
        check_common(metadata, job, BY_NAME[task].metadata_type)
    runtime.close()


# --------------------------------------------------------------------------- boxes
def test_bounding_boxes(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    lines = image_lines(tmp_path, 3)

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        boxes = [{"label": "eye", "left": 10 + worker, "top": 5, "width": 8, "height": 6}]
        if worker == 2:
            boxes.append({"label": "nose", "left": 30, "top": 20, "width": 5, "height": 5})  # a lone extra box
        return {"boundingBox": {"boundingBoxes": boxes, "inputImageProperties": {"width": 40, "height": 30}}}

    job, output, _ = run_job(runtime, tmp_path, "bounding-box", lines, label_doc("nose", "eye"), answer, lan="faces",
                             pre="PRE-BoundingBox", post="ACS-BoundingBox")
    for line in output:
        assert line["faces"] == {"image_size": [{"width": 40, "height": 30, "depth": 3}],
                                 "annotations": [{"class_id": 1, "left": 11, "top": 5, "width": 8, "height": 6}]}
        metadata = line["faces-metadata"]
        assert metadata["class-map"] == {"1": "eye"}
        assert len(metadata["objects"]) == 1 and 0 < metadata["objects"][0]["confidence"] <= 1
        check_common(metadata, job, "groundtruth/object-detection")
        assert "adjustment-status" not in metadata
    check_files(job, 3, 3, "faces")
    runtime.close()


def test_bounding_box_adjustment(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    earlier = {"annotations": [{"class_id": 0, "left": 2, "top": 3, "width": 10, "height": 8}],
               "image_size": [{"width": 40, "height": 30, "depth": 3}]}
    lines = image_lines(tmp_path, 2, lambda i: {"boxes": earlier, "boxes-metadata": {"class-map": {"0": "can"}}})

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        box = dict(task_input["initialValue"][0])
        moved = position == 0 and worker == 0
        if moved:
            box["left"] += 3
        return {"boundingBox": {"boundingBoxes": [box], "initialValueModified": moved,
                                "inputImageProperties": {"width": 40, "height": 30}}}

    job, output, shown = run_job(runtime, tmp_path, "bounding-box-adjustment", lines,
                                 label_doc("can", "bottle", auditLabelAttributeName="boxes"), answer, lan="boxes-fixed")
    assert shown[0]["initialValue"] == [{"label": "can", "left": 2, "top": 3, "width": 10, "height": 8}]
    assert [line["boxes-fixed-metadata"]["adjustment-status"] for line in output] == ["adjusted", "unadjusted"]
    assert output[0]["boxes"] == earlier  # the reviewed label stays as it was
    assert output[1]["boxes-fixed"]["annotations"] == [{"class_id": 0, "left": 2, "top": 3, "width": 10, "height": 8}]
    check_common(output[0]["boxes-fixed-metadata"], job, "groundtruth/object-detection")
    runtime.close()


def test_bounding_box_verification(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    earlier = {"annotations": [{"class_id": 1, "left": 2, "top": 3, "width": 10, "height": 8}],
               "image_size": [{"width": 40, "height": 30, "depth": 3}]}
    lines = image_lines(tmp_path, 2, lambda i: {"boxes": earlier})
    verdicts = {0: ("correct", "correct", "incorrect"), 1: ("incorrect", "incorrect", "correct")}

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        element: dict[str, Any] = {"label": verdicts[position][worker]}
        if worker == 2:
            element["workerComment"] = f"box {position} looks off"
        return {"crowd-image-classifier": element}

    job, output, shown = run_job(runtime, tmp_path, "bounding-box-verification", lines,
                                 label_doc("correct", "incorrect", auditLabelAttributeName="boxes"), answer,
                                 lan="boxes-check")
    # No class-map in the reviewed line: the box's class name comes from the label list.
    assert shown[0]["initialValue"] == [{"label": "incorrect", "left": 2, "top": 3, "width": 10, "height": 8}]
    assert [line["boxes-check"] for line in output] == ["0", "1"]  # index as a string (Q21)
    for position, line in enumerate(output):
        metadata = line["boxes-check-metadata"]
        assert metadata["class-name"] == ("correct", "incorrect")[position]
        assert metadata["worker-feedback"] == [{"comment": f"box {position} looks off"}]
        check_common(metadata, job, "groundtruth/label-verification")
    runtime.close()


def test_review_job_without_audit_label_attribute_is_refused_and_leaves_nothing(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "crew", 1)
    body = job_request(tmp_path, "fix", {"source-ref": "s3://b/a.jpg"}, label_doc("can"), template=None,
                       pre_hook="builtin:bounding-box-adjustment", post_hook="builtin:bounding-box-adjustment")
    with pytest.raises(InvalidInput) as caught:
        Jobs(runtime).create(parse_create_labeling_job(body, source="t"), base_dir=tmp_path)
    assert caught.value.problems[0].field == "auditLabelAttributeName"
    assert Jobs(runtime).list_jobs() == []
    runtime.close()


def test_object_without_the_reviewed_label_fails_and_the_job_goes_on(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    earlier = {"annotations": [{"class_id": 0, "left": 2, "top": 3, "width": 10, "height": 8}]}
    lines = image_lines(tmp_path, 2, lambda i: {"boxes": earlier} if i == 0 else {})

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        return {"boundingBox": {"boundingBoxes": task_input["initialValue"], "initialValueModified": False}}

    job, output, _ = run_job(runtime, tmp_path, "bounding-box-adjustment", lines,
                             label_doc("can", auditLabelAttributeName="boxes"), answer, lan="boxes-fixed", workers=1)
    assert "boxes-fixed" in output[0] and "boxes-fixed" not in output[1]
    counters = Jobs(runtime).describe(job.name)["LabelCounters"]
    assert (counters["TotalLabeled"], counters["FailedNonRetryableError"]) == (1, 1)
    runtime.close()


# --------------------------------------------------------------------------- masks
def test_semantic_segmentation(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    lines = image_lines(tmp_path, 2)
    mappings = {"road": {"color": RED}, "sky": {"color": BLUE}}

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        road = (0, 20, 40, 30) if worker < 2 else (0, 10, 40, 30)  # worker 2 paints too much road
        png = png_base64((40, 30), [(road, RED), ((0, 0, 40, 8), BLUE)])
        return {"crowd-semantic-segmentation": {"labeledImage": {"pngImageData": png}, "labelMappings": mappings,
                                                "inputImageProperties": {"width": 40, "height": 30}}}

    job, output, _ = run_job(runtime, tmp_path, "semantic-segmentation", lines, label_doc("road", "sky"), answer,
                             lan="scene-ref")
    for position, line in enumerate(output):
        uri = line["scene-ref"]
        metadata = line["scene-ref-metadata"]
        assert re.search(rf"/annotations/consolidated-annotation/output/{position}_{re.escape(metadata['creation-date'])}\.png$", uri)
        mask = np.asarray(Image.open(local(uri)).convert("RGB"))
        assert mask.shape == (30, 40, 3)
        assert (mask[25, 5] == [0xd6, 0x27, 0x28]).all() and (mask[2, 5] == [0x1f, 0x77, 0xb4]).all()
        assert (mask[15, 5] == [255, 255, 255]).all()  # the majority left it unpainted: background
        colours = metadata["internal-color-map"]
        assert {k: (v["class-name"], v["hex-color"]) for k, v in colours.items()} == {
            "0": ("BACKGROUND", "#ffffff"), "1": ("road", RED), "2": ("sky", BLUE)}
        assert len({v["confidence"] for v in colours.values()}) == 1 and 0 < colours["0"]["confidence"] < 1
        check_common(metadata, job, "groundtruth/semantic-segmentation")
    runtime.close()


def _earlier_mask(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "earlier.png"
    pixels = np.full((30, 40, 3), 255, dtype=np.uint8)
    pixels[20:, :] = [0xd6, 0x27, 0x28]
    Image.fromarray(pixels).save(path)
    return {"crops-ref": str(path), "crops-ref-metadata": {"internal-color-map": {
        "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.8},
        "1": {"class-name": "road", "hex-color": "#D62728", "confidence": 0.8}}}}


def test_semantic_segmentation_adjustment(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    earlier = _earlier_mask(tmp_path)
    lines = image_lines(tmp_path, 1, lambda i: earlier)

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        png = png_base64((40, 30), [((0, 20, 40, 30), RED)])
        return {"crowd-semantic-segmentation": {"labeledImage": {"pngImageData": png},
                                                "labelMappings": task_input["initialValue"]["labelMappings"],
                                                "initialValueModified": False}}

    job, output, shown = run_job(runtime, tmp_path, "semantic-segmentation-adjustment", lines,
                                 label_doc("road", auditLabelAttributeName="crops-ref"), answer, lan="crops-fixed-ref")
    assert shown[0]["initialValue"] == {"labelMappings": {"road": {"color": RED}}, "src": earlier["crops-ref"]}
    metadata = output[0]["crops-fixed-ref-metadata"]
    assert metadata["adjustment-status"] == "unadjusted"  # Q22: segmentation adjustment writes it too
    assert metadata["internal-color-map"]["0"]["confidence"] == 1.0  # every worker agreed
    check_common(metadata, job, "groundtruth/semantic-segmentation")
    runtime.close()


def test_semantic_segmentation_verification(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    earlier = _earlier_mask(tmp_path)
    lines = image_lines(tmp_path, 1, lambda i: earlier)
    job, output, shown = run_job(runtime, tmp_path, "semantic-segmentation-verification", lines,
                                 label_doc("good", "bad", auditLabelAttributeName="crops-ref"),
                                 lambda p, w, t: {"crowd-image-classifier": {"label": "good"}}, lan="crops-check")
    assert shown[0]["initialValue"]["src"] == earlier["crops-ref"]
    assert output[0]["crops-check"] == "0"
    metadata = output[0]["crops-check-metadata"]
    assert metadata["class-name"] == "good" and "worker-feedback" not in metadata  # no comments: no key
    check_common(metadata, job, "groundtruth/label-verification")
    runtime.close()


def test_unreadable_mask_answer_is_left_out_with_a_warning(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    lines = image_lines(tmp_path, 1)

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        data = "not base64!" if worker == 0 else png_base64((40, 30), [((0, 0, 40, 30), RED)])
        return {"crowd-semantic-segmentation": {"labeledImage": {"pngImageData": data},
                                                "labelMappings": {"road": {"color": RED}}}}

    job, output, _ = run_job(runtime, tmp_path, "semantic-segmentation", lines, label_doc("road"), answer,
                             lan="s-ref", workers=2)
    assert "s-ref" in output[0]
    messages = [entry[4] for entry in Jobs(runtime).logs(job.name)]
    assert any("worker" in message and "pngImageData" in message for message in messages), messages
    runtime.close()


# --------------------------------------------------------------------------- entities
def test_named_entity_recognition(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    text = "Dana flew to Oslo on Friday."
    labels = {"document-version": "2018-11-28",
              "labels": [{"label": "Person", "shortDisplayName": "per"}, {"label": "Place", "shortDisplayName": "plc"}],
              "instructions": {"shortInstruction": "<p>People and places.</p>"}}

    def answer(position: int, worker: int, task_input: dict[str, Any]) -> dict[str, Any]:
        entities = [{"label": "Person", "startOffset": 0, "endOffset": 4}]
        if worker < 2:
            entities.append({"label": "Place", "startOffset": 13, "endOffset": 17})
        return {"crowd-entity-annotation": {"entities": entities}}

    job, output, shown = run_job(runtime, tmp_path, "named-entity-recognition", [{"source": text}], labels, answer,
                                 lan="people-places")
    assert shown[0]["labelObjects"] == labels["labels"]
    assert shown[0]["instructions"] == {"shortInstruction": "<p>People and places.</p>"}
    line = output[0]
    assert line["people-places"] == {"annotations": {
        "labels": [{"label": "Person", "shortDisplayName": "per"}, {"label": "Place", "shortDisplayName": "plc"}],
        "entities": [{"label": "Person", "startOffset": 0, "endOffset": 4},
                     {"label": "Place", "startOffset": 13, "endOffset": 17}]}}
    metadata = line["people-places-metadata"]
    assert metadata["entities"] == [{"confidence": 1.0}, {"confidence": 0.67}]
    check_common(metadata, job, "groundtruth/text-span")
    runtime.close()


def test_named_entity_recognition_from_ground_truths_human_task_ui(tmp_path: Path, database_url: str) -> None:
    """A Ground Truth NER request names a HumanTaskUiArn, not a template: the built-in template stands in."""
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "crew", 1)
    body = job_request(
        tmp_path, "ner", {"source": "Dana"}, label_doc("Person"),
        template="arn:aws:sagemaker:us-east-1:394669845002:human-task-ui/NamedEntityRecognition",
        pre_hook="arn:aws:lambda:us-east-1:432418664414:function:PRE-NamedEntityRecognition",
        post_hook="arn:aws:lambda:us-east-1:432418664414:function:ACS-NamedEntityRecognition")
    job = Jobs(runtime).create(parse_create_labeling_job(body, source="t"), base_dir=tmp_path)
    assert "crowd-entity-annotation" in job.template
    runtime.close()
