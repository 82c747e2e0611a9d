"""The console's built-in task types over real HTTP: the create form builds the job ``crowdform job create
--task-type`` builds (hooks, template, label file, workers per object), refuses missing or too few
labels and a review type without its audited attribute (naming the field, creating nothing), previews
the type's own template, and the list, the job's page and the box viewer show what was made."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from crowdform.builtin.worker_templates import worker_template
from crowdform.demo import prepare_example
from crowdform.engine.background import Background
from crowdform.engine.hook_registry import ResolvedHook
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.tasks import Tasks
from crowdform.engine.workforce import Workforce
from crowdform.settings import Settings
from crowdform.store.models import Job
from tests.cli.test_main import data_dir, run_crowdform
from tests.fixtures.servers import LiveServer
from tests.web.test_admin_jobs import admin, console, field_error, post_form  # noqa: F401 (fixtures)
from tests.web.test_portal import page_csrf

Console = tuple[LiveServer, Runtime]


def builtin_form(folder: Path, **changes: str) -> dict[str, str]:
    """The form as an administrator fills it in for a bounding-box job: no template, no hooks."""
    values = {
        "name": "faces", "task_type": "bounding-box", "manifest": str(folder / "manifest.jsonl"),
        "output": str(folder / "output"), "label_attribute_name": "", "team": "animal-team", "workers_per_object": "",
        "task_time_limit": "300", "availability_lifetime": "864000", "max_concurrent": "100", "title": "",
        "description": "", "keywords": "", "labels": "eye, nose", "labels_uri": "", "audit_label_attribute": "",
    }
    values.update(changes)
    return values


def label_files(runtime: Runtime) -> list[Path]:
    return sorted((runtime.settings.buckets_dir / "crowdform-label-categories").glob("*"))


def assert_nothing_created(runtime: Runtime) -> None:
    assert Jobs(runtime).list_jobs() == []
    assert label_files(runtime) == []
    assert not (runtime.settings.buckets_dir / "crowdform-console").exists()


def test_a_bounding_box_job_from_the_form_is_the_one_the_cli_creates(console: Console, admin: httpx.Client,
                                                                     tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    form = admin.get("/admin/jobs/new").text
    assert '<option value="bounding-box" data-default-workers="5" data-min-labels="1" data-review="" >Bounding box' in form
    assert 'data-review="adjustment"' in form and 'id="audit_label_attribute"' in form and "Custom template" in form

    created = post_form(admin, builtin_form(folder))
    assert created.status_code == 303, field_error(created.text, "form") or created.text[:2000]
    assert created.headers["location"] == "/admin/jobs/faces"
    job = Jobs(runtime).get("faces")
    described = Jobs(runtime).describe("faces")
    assert job.task_type is not None and job.task_type.name == "bounding-box"
    assert (job.workers_per_object, job.title, job.label_categories) == (5, "Bounding box", ("eye", "nose"))
    assert job.template == worker_template("bounding-box")
    pre, post = ResolvedHook.from_json(job.pre_hook), ResolvedHook.from_json(job.post_hook)
    assert (pre and pre.builtin, post and post.builtin) == ("PRE-BoundingBox", "ACS-BoundingBox")
    assert "UiConfig" not in described["HumanTaskConfig"]
    (label_file,) = label_files(runtime)
    assert described["LabelCategoryConfigS3Uri"] == str(label_file.resolve())
    assert json.loads(label_file.read_text())["labels"] == [{"label": "eye"}, {"label": "nose"}]
    assert not (runtime.settings.buckets_dir / "crowdform-console").exists()  # no pasted template or labels of its own

    # The same flags on the command line make the same job.
    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()
    roots = {"CROWDFORM_STORAGE_ROOTS": str(tmp_path)}
    assert run_crowdform(cli_dir, "team", "create", "animal-team", env=roots).code == 0
    run = run_crowdform(cli_dir, "job", "create", "faces", "--task-type", "bounding-box", "--labels", "eye,nose",
                        "--manifest", str(folder / "manifest.jsonl"), "--output", str(folder / "output"),
                        "--team", "animal-team", env=roots)
    assert run.code == 0, run
    cli_runtime = Runtime.open(Settings(data_dir=data_dir(cli_dir), storage_roots=(tmp_path,)))
    try:
        cli_job = Jobs(cli_runtime).get("faces")
    finally:
        cli_runtime.close()
    same = ("template", "pre_hook", "post_hook", "label_categories", "task_type", "workers_per_object", "title",
            "description", "label_attribute_name", "object_count", "output_path")
    assert {k: getattr(job, k) for k in same} == {k: getattr(cli_job, k) for k in same}


def test_a_built_in_type_ignores_the_custom_fields_and_takes_the_workers_given(console: Console, admin: httpx.Client,
                                                                              tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    # A browser without the page's script sends the custom fields too; a built-in type does not use them.
    created = post_form(admin, builtin_form(folder, labels="eye\nnose\nmouth", workers_per_object="2",
                                            title="Faces", template="<p>mine</p>",
                                            pre_hook=str(folder / "pre_annotation.py"),
                                            post_hook=str(folder / "post_annotation.py")))
    assert created.status_code == 303, created.text[:2000]
    job = Jobs(runtime).get("faces")
    assert (job.workers_per_object, job.title, job.label_categories) == (2, "Faces", ("eye", "nose", "mouth"))
    assert job.template == worker_template("bounding-box")
    assert ResolvedHook.from_json(job.pre_hook).builtin == "PRE-BoundingBox"  # type: ignore[union-attr]

    list_page = admin.get("/admin/jobs").text
    assert re.search(r'data-job="faces">.*?<td data-testid="task-type">Bounding box</td>', list_page, re.S)
    detail = admin.get("/admin/jobs/faces").text
    assert '<td data-testid="task-type">Bounding box</td>' in detail
    assert '<td data-testid="job-labels">eye, nose, mouth</td>' in detail


def test_a_review_type_writes_the_audited_attribute_into_its_label_file(console: Console, admin: httpx.Client,
                                                                       tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    created = post_form(admin, builtin_form(folder, name="faces-fixed", task_type="bounding-box-adjustment",
                                            audit_label_attribute="faces"))
    assert created.status_code == 303, created.text[:2000]
    job = Jobs(runtime).get("faces-fixed")
    assert job.task_type is not None and job.task_type.review == "adjustment" and job.workers_per_object == 3
    (label_file,) = label_files(runtime)
    assert json.loads(label_file.read_text())["auditLabelAttributeName"] == "faces"
    assert "<code>faces</code>" in admin.get("/admin/jobs/faces-fixed").text  # the label attribute reviewed


def test_missing_or_too_few_labels_and_a_missing_audited_attribute_are_refused(console: Console,
                                                                              admin: httpx.Client,
                                                                              tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    missing = post_form(admin, builtin_form(folder, labels=""))
    assert missing.status_code == 400
    assert "a bounding box job needs the labels workers choose from (at least one label)" in field_error(
        missing.text, "labels")
    assert 'id="labels" name="labels" rows="4" aria-describedby="labels-hint labels-error" aria-invalid="true"' in missing.text

    too_few = post_form(admin, builtin_form(folder, task_type="image-classification", labels="cat"))
    assert too_few.status_code == 400 and "2" in field_error(too_few.text, "labels"), field_error(too_few.text, "labels")
    assert '<option value="image-classification" data-default-workers="3" data-min-labels="2" data-review="" selected>' \
        in too_few.text  # the form comes back with the type chosen

    duplicate = post_form(admin, builtin_form(folder, labels="eye,eye"))
    assert duplicate.status_code == 400 and field_error(duplicate.text, "labels")

    no_audit = post_form(admin, builtin_form(folder, task_type="bounding-box-verification"))
    assert no_audit.status_code == 400
    assert "is required: a bounding box verification job reviews the labels of an earlier job" in field_error(
        no_audit.text, "audit_label_attribute")
    assert not field_error(no_audit.text, "labels")

    both = post_form(admin, builtin_form(folder, labels_uri=str(folder / "labels.json")))
    assert "not both" in field_error(both.text, "labels")
    unknown = post_form(admin, builtin_form(folder, task_type="video-tracking"))
    assert "is not a task type crowdform runs" in field_error(unknown.text, "task_type")
    assert_nothing_created(runtime)


def test_problems_found_after_the_label_file_is_written_leave_no_file(console: Console, admin: httpx.Client,
                                                                     tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    team = post_form(admin, builtin_form(folder, team="night-shift"))
    assert "Team &#39;night-shift&#39; does not exist" in field_error(team.text, "team")
    manifest = post_form(admin, builtin_form(folder, manifest=str(folder / "none.jsonl")))
    assert "does not exist" in field_error(manifest.text, "manifest")
    name = post_form(admin, builtin_form(folder, name="../../escape", workers_per_object="12"))
    assert "does not match the allowed pattern" in field_error(name.text, "name")
    assert "out of range" in field_error(name.text, "workers_per_object")
    assert_nothing_created(runtime)

    assert post_form(admin, builtin_form(folder)).status_code == 303
    again = post_form(admin, builtin_form(folder, name="FACES"))
    assert "already exists" in field_error(again.text, "name")
    assert len(label_files(runtime)) == 1  # the first job's file, not the refused one's


def test_a_built_in_form_without_its_csrf_token_is_refused(console: Console, admin: httpx.Client,
                                                          tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    assert admin.post("/admin/jobs/new", data=builtin_form(folder)).status_code == 403
    forged = admin.post("/admin/jobs/new", data={**builtin_form(folder), "csrf_token": "made-up"})
    assert forged.status_code == 403
    preview = admin.post("/admin/jobs/new/preview", json={"task_type": "bounding-box", "labels": "eye",
                                                          "manifest": str(folder / "manifest.jsonl")})
    assert preview.status_code == 403
    assert_nothing_created(runtime)


def test_the_preview_renders_the_built_in_template_with_the_built_in_task_input(console: Console,
                                                                               admin: httpx.Client,
                                                                               tmp_path: Path) -> None:
    folder = prepare_example(tmp_path / "example")
    headers = {"X-CSRF-Token": page_csrf(admin.get("/admin/jobs/new").text)}
    body = {"task_type": "bounding-box", "labels": "eye, nose", "manifest": str(folder / "manifest.jsonl"),
            "template": "ignored {% if %}", "pre_hook": "ignored.py"}
    shown = admin.post("/admin/jobs/new/preview", json=body, headers=headers)
    assert shown.status_code == 200, shown.text
    view = shown.json()
    assert view["state"] == "ready" and view["taskInput"]["labels"] == ["eye", "nose"]
    assert view["taskInput"]["taskObject"].endswith("cat.png") and view["taskInput"]["manifestLine"]["animal"] == "cat"
    assert "<crowd-bounding-box" in view["page"] and 'src="/files/' in view["page"] and "(datasetObjectId 0)" in view["label"]

    no_labels = admin.post("/admin/jobs/new/preview", json={**body, "labels": "", "manifest": "nowhere.jsonl"},
                           headers=headers)
    assert no_labels.status_code == 400 and set(no_labels.json()["errors"]) == {"labels", "manifest"}
    no_audit = admin.post("/admin/jobs/new/preview", json={**body, "task_type": "bounding-box-adjustment"},
                          headers=headers)
    assert no_audit.status_code == 400 and set(no_audit.json()["errors"]) == {"audit_label_attribute"}
    # The example's lines carry no boxes to adjust: a job would fail the object, and says why.
    nothing_to_review = admin.post("/admin/jobs/new/preview", headers=headers, json={
        **body, "task_type": "bounding-box-adjustment", "audit_label_attribute": "faces"}).json()
    assert nothing_to_review["state"] == "failed" and nothing_to_review["page"] is None
    assert nothing_to_review["message"].startswith("PRE-AdjustmentBoundingBox failed:")
    assert "has no bounding-box label to review" in nothing_to_review["message"]


def box_answer(position: int, worker: int) -> dict[str, Any]:
    boxes = [{"label": "nose", "left": 190 + worker, "top": 190, "width": 60, "height": 50}]
    return {"boundingBox": {"boundingBoxes": boxes, "inputImageProperties": {"width": 640, "height": 480}}}


def test_the_list_sorts_by_task_type_and_the_viewer_names_built_in_boxes(console: Console, admin: httpx.Client,
                                                                       tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    assert post_form(admin, builtin_form(folder, name="boxes", workers_per_object="2")).status_code == 303
    assert post_form(admin, builtin_form(folder, name="classes", task_type="image-classification",
                                         labels="cat,dog")).status_code == 303
    custom = builtin_form(folder, name="custom", task_type="custom", labels="",
                          template="<p>{{ task.input.animal }}</p>")
    assert post_form(admin, custom).status_code == 303
    with runtime.database.read() as connection:
        stored = dict(connection.execute(select(Job.name, Job.task_type)).all())
    assert stored == {"boxes": "bounding-box", "classes": "image-classification", "custom": None}

    ascending = admin.get("/admin/jobs", params={"sort": "task_type", "order": "asc"}).text
    order = re.findall(r'<tr data-job="([^"]+)">', ascending)
    assert order == ["boxes", "custom", "classes"]  # Bounding box, Custom, Image classification (single label)
    assert 'aria-sort="ascending"' in ascending and 'href="?sort=task_type&amp;order=desc"' in ascending
    descending = admin.get("/admin/jobs", params={"sort": "task_type", "order": "desc"}).text
    assert re.findall(r'<tr data-job="([^"]+)">', descending) == ["classes", "custom", "boxes"]

    # Two workers draw a nose each; the consolidated label names its class by index, the class-map names it.
    workers = Workforce(runtime).list_workers("animal-team")
    tasks, background = Tasks(runtime), Background(runtime)
    try:
        background.run_until_idle()
        for index, worker in enumerate(workers):
            while (task := tasks.next_task(worker, "boxes")) is not None:
                tasks.submit(worker, task.lease_id, box_answer(int(task.dataset_object_id), index))
        background.run_until_idle()
    finally:
        background.stop()
    assert Jobs(runtime).describe("boxes")["LabelingJobStatus"] == "Completed"
    viewer = admin.get("/admin/jobs/boxes/objects/0").text
    data = json.loads(re.search(r'<script type="application/json" id="viewer-data">(.*?)</script>', viewer, re.S)[1])
    assert data["label"]["annotations"][0]["class_id"] == 1 and data["classMap"] == {"1": "nose"}
    assert data["labels"] == ["eye", "nose"] and len(data["answers"]) == 2
