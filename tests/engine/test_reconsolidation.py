"""Offline re-consolidation of worker-response files laid out exactly as Ground Truth writes them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crowdform.builtin.consolidate import WorkerRow
from crowdform.engine.reconsolidation import Request, job_name_from, reconsolidate
from crowdform.errors import InvalidInput
from crowdform.groundtruth.files import WorkerAnswer, worker_response_document
from crowdform.groundtruth.layout import JobLayout
from crowdform.storage import Storage

CREATED = datetime(2026, 11, 26, 3, 0, 0, 123456)
SUBMITTED = datetime(2026, 11, 25, 12, 0, 0)


def write_manifest(tmp_path: Path, lines: list[dict[str, Any]]) -> str:
    path = tmp_path / "input.manifest"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return str(path)


def write_responses(tmp_path: Path, answers: dict[int, list[tuple[str, dict[str, Any]]]],
                    iteration: int = 1, stamp: str = "2026-11-25_12:05:00") -> JobLayout:
    """``answers[object id]`` = (workerId, answerContent) per worker, under ``<tmp>/out/Pets/``."""
    layout = JobLayout(str(tmp_path / "out"), "Pets")
    for object_id, given in answers.items():
        document = worker_response_document([
            WorkerAnswer(content, worker, SUBMITTED + timedelta(seconds=i), SUBMITTED, 12.5)
            for i, (worker, content) in enumerate(given)])
        path = Path(layout.worker_response(iteration, object_id, stamp))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document), encoding="utf-8")
    return layout


def run(tmp_path: Path, task_type: str, responses: str, manifest: str, labels: tuple[str, ...] | None,
        algorithm: str | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[int, int]]]:
    """Output lines, worker report rows and the progress calls."""
    calls: list[tuple[int, int]] = []
    request = Request(task_type=task_type, responses=responses, manifest=manifest,
                      output=str(tmp_path / "result" / "output.manifest"), job_name=job_name_from(responses),
                      label_attribute="pet", labels=labels, algorithm=algorithm,
                      worker_report=str(tmp_path / "result" / "workers.jsonl"))
    reconsolidate(Storage([tmp_path]), request, created=CREATED, progress=lambda d, t: calls.append((d, t)))
    out = [json.loads(t) for t in (tmp_path / "result" / "output.manifest").read_text(encoding="utf-8").splitlines()]
    report = [json.loads(t) for t in (tmp_path / "result" / "workers.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, report, calls


def classifier(label: str) -> dict[str, Any]:
    return {"crowd-image-classifier": {"label": label}}


SINGLE = {
    0: [("w1", classifier("cat")), ("w2", classifier("cat")), ("w3", classifier("dog"))],
    1: [("w1", classifier("bird")), ("w2", classifier("bird")), ("w3", classifier("bird"))],
    2: [("w2", classifier("dog"))],
}


def common(kind: str) -> dict[str, Any]:
    return {"type": f"groundtruth/{kind}", "job-name": "labeling-job/pets", "human-annotated": "yes",
            "creation-date": "2026-11-26T03:00:00.123456"}


@pytest.mark.parametrize("folder", ["", "annotations", "annotations/worker-response"])
def test_single_label_from_any_layout_folder(tmp_path: Path, folder: str) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": f"s3://b/{i}.jpg", "n": i} for i in range(4)])
    layout = write_responses(tmp_path, SINGLE)
    out, report, calls = run(tmp_path, "image-classification", layout.job_dir + folder, manifest,
                             ("cat", "dog", "bird"), "majority-vote")
    assert out == [
        {"source-ref": "s3://b/0.jpg", "n": 0, "pet": 0,
         "pet-metadata": {"class-name": "cat", "confidence": 0.67, **common("image-classification")}},
        {"source-ref": "s3://b/1.jpg", "n": 1, "pet": 2,
         "pet-metadata": {"class-name": "bird", "confidence": 1.0, **common("image-classification")}},
        {"source-ref": "s3://b/2.jpg", "n": 2, "pet": 1,  # one worker: confidence 0 (spec 7.4)
         "pet-metadata": {"class-name": "dog", "confidence": 0.0, **common("image-classification")}},
        {"source-ref": "s3://b/3.jpg", "n": 3},  # nobody answered: copied unchanged
    ]
    assert report == [
        {"workerId": "w1", "answers": 2, "agreement": 1.0, "estimatedAccuracy": 1.0},
        {"workerId": "w2", "answers": 3, "agreement": 1.0, "estimatedAccuracy": 1.0},
        {"workerId": "w3", "answers": 2, "agreement": 0.5, "estimatedAccuracy": 0.5},
    ]
    assert calls == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("algorithm", [None, "aws-dawid-skene", "one-coin", "glad", "dawid-skene"])
def test_every_algorithm_labels_a_clear_crowd_alike(tmp_path: Path, algorithm: str | None) -> None:
    manifest = write_manifest(tmp_path, [{"source": f"text {i}"} for i in range(4)])
    clear = {**SINGLE, 2: [("w1", classifier("dog")), ("w2", classifier("dog"))]}
    texts = {o: [(w, {"crowd-classifier": a["crowd-image-classifier"]}) for w, a in given] for o, given in clear.items()}
    layout = write_responses(tmp_path, texts)
    out, report, _ = run(tmp_path, "text-classification", layout.job_dir, manifest, None, algorithm)
    # Without a label file the classes are the labels answered, sorted: bird 0, cat 1, dog 2.
    assert [line.get("pet") for line in out] == [1, 0, 2, None]
    assert [line["pet-metadata"]["class-name"] for line in out[:3]] == ["cat", "bird", "dog"]
    assert all(line["pet-metadata"]["type"] == "groundtruth/text-classification" for line in out[:3])
    assert all(0.0 <= line["pet-metadata"]["confidence"] <= 1.0 for line in out[:3])
    assert [row["workerId"] for row in report] == ["w1", "w2", "w3"]


def test_a_later_file_replaces_a_workers_earlier_answer(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    write_responses(tmp_path, {0: [("w1", classifier("cat")), ("w2", classifier("cat"))]})
    layout = write_responses(tmp_path, {0: [("w1", classifier("dog")), ("w2", classifier("dog"))]}, iteration=2)
    out, _, calls = run(tmp_path, "image-classification", layout.job_dir, manifest, ("cat", "dog"), "majority-vote")
    assert out[0]["pet"] == 1 and out[0]["pet-metadata"]["class-name"] == "dog"
    assert calls[-1] == (2, 2)


def multi(*labels: str) -> dict[str, Any]:
    return {"crowd-image-classifier-multi-select": {"labels": list(labels)}}


def test_multi_label(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": f"s3://b/{i}.jpg"} for i in range(3)])
    layout = write_responses(tmp_path, {
        0: [("w1", multi("car", "bicycle")), ("w2", multi("car")), ("w3", multi("car", "bicycle"))],
        1: [("w1", multi()), ("w2", multi()), ("w3", multi("bus"))],
    })
    out, report, _ = run(tmp_path, "image-classification-multi-label", layout.job_dir, manifest,
                         ("car", "bus", "bicycle"))
    kind = "image-classification-multilabel"
    first, second = out[0]["pet-metadata"], out[1]["pet-metadata"]
    assert sorted(out[0]["pet"]) == [0, 2]  # every label at least one worker chose (spec 7.5.3)
    assert first["class-map"] == {str(c): n for c, n in ((0, "car"), (2, "bicycle")) if str(c) in first["class-map"]}
    assert set(first["class-map"]) == {"0", "2"} and list(first["confidence-map"]) == [str(c) for c in out[0]["pet"]]
    assert first["confidence-map"]["0"] >= first["confidence-map"]["2"]
    assert {k: first[k] for k in common(kind)} == common(kind)
    assert list(first) == ["class-map", "confidence-map", "type", "job-name", "human-annotated", "creation-date"]
    assert out[1]["pet"] == [1] and second["class-map"] == {"1": "bus"}
    assert out[2] == {"source-ref": "s3://b/2.jpg"}
    assert [(r["workerId"], r["answers"]) for r in report] == [("w1", 2), ("w2", 2), ("w3", 2)]
    # w2 said no to bicycle on object 0 and w1/w2 no to bus on object 1: 2 of 6 label decisions differ.
    assert report[1]["agreement"] == pytest.approx(4 / 6, abs=1e-4)


def boxes(*drawn: tuple[str, int, int, int, int], size: tuple[int, int] = (640, 480)) -> dict[str, Any]:
    return {"boundingBox": {
        "boundingBoxes": [{"height": h, "label": label, "left": x, "top": y, "width": w} for label, x, y, w, h in drawn],
        "inputImageProperties": {"height": size[1], "width": size[0]}}}


def test_bounding_boxes(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": f"s3://b/{i}.jpg"} for i in range(2)])
    layout = write_responses(tmp_path, {
        0: [("w1", boxes(("can", 300, 60, 80, 90), ("bottle", 40, 50, 120, 200))),
            ("w2", boxes(("can", 302, 62, 80, 90), ("bottle", 42, 54, 120, 200))),
            ("w3", boxes(("bottle", 41, 52, 120, 200), ("can", 900, 900, 5, 5)))],  # a stray minority box
    })
    out, report, _ = run(tmp_path, "bounding-box", layout.job_dir, manifest, ("can", "bottle"))
    label, metadata = out[0]["pet"], out[0]["pet-metadata"]
    assert label == {"image_size": [{"width": 640, "height": 480, "depth": 3}],
                     "annotations": [{"class_id": 1, "left": 41, "top": 52, "width": 120, "height": 200},
                                     {"class_id": 0, "left": 301, "top": 61, "width": 80, "height": 90}]}
    assert len(metadata["objects"]) == 2 and all(0 < o["confidence"] <= 1 for o in metadata["objects"])
    assert metadata["objects"][0]["confidence"] > metadata["objects"][1]["confidence"]  # three workers vs two
    assert metadata["class-map"] == {"0": "can", "1": "bottle"}
    assert {k: metadata[k] for k in common("object-detection")} == common("object-detection")
    assert out[1] == {"source-ref": "s3://b/1.jpg"}
    assert [(r["workerId"], r["answers"], r["agreement"]) for r in report] == [("w1", 1, 1.0), ("w2", 1, 1.0),
                                                                                ("w3", 1, 0.5)]
    assert report[2]["estimatedAccuracy"] < report[0]["estimatedAccuracy"]


def test_a_malformed_response_names_the_file_and_the_field(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {0: [("w1", classifier("cat")), ("w2", {"crowd-image-classifier": {"lab": "x"}})]})
    with pytest.raises(InvalidInput) as raised:
        run(tmp_path, "image-classification", layout.job_dir, manifest, ("cat", "dog"))
    assert raised.value.source == "file://" + layout.worker_response(1, 0, "2026-11-25_12:05:00")
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("answers[1].answerContent.crowd-image-classifier.label", "must be a label string")]


def test_an_unknown_label_and_a_bad_box_are_refused(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {0: [("w1", boxes(("fox", 1, 1, 2, 2))),
                                            ("w2", {"boundingBox": {"boundingBoxes": [{"label": "can", "left": "1"}]}})]})
    with pytest.raises(InvalidInput) as raised:
        run(tmp_path, "bounding-box", layout.job_dir, manifest, ("can",))
    assert [p.field for p in raised.value.problems] == ["answers[0].answerContent.boundingBox.boundingBoxes[0].label",
                                                        "answers[1].answerContent.boundingBox.boundingBoxes[0].left"]


def test_an_object_id_past_the_manifest_is_refused(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {5: [("w1", classifier("cat"))]})
    with pytest.raises(InvalidInput, match="object id 5 is not a line of the manifest, which has 1"):
        run(tmp_path, "image-classification", layout.job_dir, manifest, None)


def test_no_responses_and_a_wrong_algorithm_are_refused(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="holds no worker answers"):
        run(tmp_path, "image-classification", str(tmp_path / "empty"), manifest, None)
    with pytest.raises(InvalidInput, match="applies to single-label classification"):
        run(tmp_path, "bounding-box", str(tmp_path / "empty"), manifest, None, "glad")
    with pytest.raises(InvalidInput, match="not a supported task type"):
        run(tmp_path, "polygon", str(tmp_path / "empty"), manifest, None)


def test_job_name_from_the_layout_folder() -> None:
    assert job_name_from("s3://out/jobs/Pets/") == "Pets"
    assert job_name_from("file:///x/Pets/annotations") == "Pets"
    assert job_name_from("/x/Pets/annotations/worker-response/") == "Pets"
    assert job_name_from("file:///x/answers.CSV") == "answers"


def test_worker_row_rounds_and_allows_no_agreement() -> None:
    assert WorkerRow("w", 3, None, 0.123456).to_json() == \
        '{"workerId": "w", "answers": 3, "agreement": null, "estimatedAccuracy": 0.1235}'


def test_a_csv_table_of_answers(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": f"s3://b/{i}.jpg"} for i in range(3)])
    table = tmp_path / "answers.csv"
    table.write_text("object,worker,answer\n0,w1,cat\n0,w2,cat\n0,w3,dog\n1,w1,\"{\"\"label\"\": \"\"dog\"\"}\"\n",
                     encoding="utf-8")
    out, report, calls = run(tmp_path, "image-classification", str(table), manifest, ("cat", "dog"), "majority-vote")
    assert [line.get("pet") for line in out] == [0, 1, None]
    assert out[0]["pet-metadata"]["confidence"] == 0.67 and out[1]["pet-metadata"]["confidence"] == 0.0
    assert [r["answers"] for r in report] == [2, 1, 1]
    assert calls == [(1, 1)]


def test_a_json_lines_table_of_multi_label_and_box_answers(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    table = tmp_path / "answers.jsonl"
    table.write_text(json.dumps({"object": 0, "worker": "w1", "answer": ["car"]}) + "\n\n"
                     + json.dumps({"object": "0", "worker": "w2", "answer": {"labels": ["car", "bus"]}}) + "\n",
                     encoding="utf-8")
    out, _, _ = run(tmp_path, "text-classification-multi-label", str(table), manifest, ("car", "bus"))
    assert sorted(out[0]["pet"]) == [0, 1]
    table.write_text("".join(json.dumps({"object": 0, "worker": w, "answer": boxes(("can", 10, 10, 50, 50))["boundingBox"]})
                             + "\n" for w in ("w1", "w2")), encoding="utf-8")
    out, _, _ = run(tmp_path, "bounding-box", str(table), manifest, ("can",))
    assert out[0]["pet"]["annotations"] == [{"class_id": 0, "left": 10, "top": 10, "width": 50, "height": 50}]


def test_bad_table_rows_are_named_by_line_and_field(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    table = tmp_path / "answers.csv"
    table.write_text("object,worker,answer\n0,w1,cat\n4,w2,cat\n0,,cat\n0,w3,fox\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as raised:
        run(tmp_path, "image-classification", str(table), manifest, ("cat", "dog"))
    assert raised.value.source == "file://" + str(table)
    assert [(p.line, p.field) for p in raised.value.problems] == [(3, "object"), (4, "worker"), (5, "answer.label")]
    table.write_text("obj,worker,answer\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="needs the header object,worker,answer"):
        run(tmp_path, "image-classification", str(table), manifest, None)


def test_an_image_nobody_drew_on_gets_an_empty_label(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {0: [("w1", boxes()), ("w2", boxes())]})
    out, report, _ = run(tmp_path, "bounding-box", layout.job_dir, manifest, None)
    assert out[0]["pet"] == {"image_size": [{"width": 640, "height": 480, "depth": 3}], "annotations": []}
    assert out[0]["pet-metadata"]["objects"] == [] and out[0]["pet-metadata"]["class-map"] == {}
    assert [(r["answers"], r["agreement"]) for r in report] == [(1, None), (1, None)]


def test_named_entities_from_a_json_lines_table_with_the_label_files_display_names(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source": "Dana flew to Oslo."}])
    person, place = {"label": "Person", "startOffset": 0, "endOffset": 4}, {"label": "Place", "startOffset": 13, "endOffset": 17}
    rows = [{"object": 0, "worker": "w1", "answer": {"entities": [person, place]}},
            {"object": 0, "worker": "w2", "answer": {"entities": [person]}},
            {"object": 0, "worker": "w3", "answer": {"entities": [person, place]}}]
    table = tmp_path / "ner.jsonl"
    table.write_text("".join(json.dumps(row) + "\n" for row in rows))
    request = Request(task_type="named-entity-recognition", responses=str(table), manifest=manifest,
                      output=str(tmp_path / "result" / "output.manifest"), job_name="ner", label_attribute="ents",
                      labels=("Person", "Place"),
                      label_objects=({"label": "Person", "shortDisplayName": "per"}, {"label": "Place"}))
    reconsolidate(Storage([tmp_path]), request, created=CREATED)
    line = json.loads((tmp_path / "result" / "output.manifest").read_text())
    assert line["ents"] == {"annotations": {"labels": [{"label": "Person", "shortDisplayName": "per"}, {"label": "Place"}],
                                            "entities": [person, place]}}
    assert line["ents-metadata"] == {"entities": [{"confidence": 1.0}, {"confidence": 0.67}],
                                     **common("text-span"), "job-name": "labeling-job/ner"}


def test_verification_collects_comments_and_writes_the_index_as_text(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {0: [
        ("w1", {"crowd-image-classifier": {"label": "bad", "workerComment": "box too wide"}}),
        ("w2", {"crowd-image-classifier": {"label": "bad"}}),
        ("w3", {"crowd-image-classifier": {"label": "good", "workerComment": "  "}})]})
    out, report, _ = run(tmp_path, "bounding-box-verification", layout.job_dir, manifest, ("good", "bad"))
    assert out[0]["pet"] == "1"
    metadata = out[0]["pet-metadata"]
    assert (metadata["class-name"], metadata["worker-feedback"]) == ("bad", [{"comment": "box too wide"}])
    assert metadata["type"] == "groundtruth/label-verification"
    assert [row["workerId"] for row in report] == ["w1", "w2", "w3"]


def test_segmentation_masks_are_written_beside_the_output_manifest(tmp_path: Path) -> None:
    import base64
    import io

    import numpy as np
    from PIL import Image

    def mask(rows: int) -> dict[str, Any]:
        pixels = np.zeros((4, 6, 4), dtype=np.uint8)
        pixels[:rows] = [0x2c, 0xa0, 0x2c, 255]
        out = io.BytesIO()
        Image.fromarray(pixels, mode="RGBA").save(out, format="PNG")
        return {"crowd-semantic-segmentation": {"labeledImage": {"pngImageData": base64.b64encode(out.getvalue()).decode()},
                                                "labelMappings": {"tree": {"color": "#2ca02c"}},
                                                "inputImageProperties": {"width": 6, "height": 4}}}

    manifest = write_manifest(tmp_path, [{"source-ref": "s3://b/0.jpg"}])
    layout = write_responses(tmp_path, {0: [("w1", mask(2)), ("w2", mask(2)), ("w3", mask(3))]})
    out, report, _ = run(tmp_path, "semantic-segmentation", layout.job_dir, manifest, ("tree",))
    uri = out[0]["pet"]
    assert uri == str(tmp_path / "result" / "consolidated-annotation" / "output" / "0_2026-11-26T03:00:00.123456.png")
    voted = np.asarray(Image.open(uri).convert("RGB"))
    assert (voted[:2] == [0x2c, 0xa0, 0x2c]).all() and (voted[2:] == 255).all()  # the majority's two rows
    colours = out[0]["pet-metadata"]["internal-color-map"]
    assert [(k, v["class-name"], v["hex-color"]) for k, v in colours.items()] == [
        ("0", "BACKGROUND", "#ffffff"), ("1", "tree", "#2ca02c")]
    assert report[2]["workerId"] == "w3" and report[2]["agreement"] < report[0]["agreement"] == 1.0
