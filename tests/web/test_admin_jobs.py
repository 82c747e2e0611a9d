"""The console's labeling-job pages over real HTTP: the list, the create form (with its checks and
preview), and a job's detail page, viewer and files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from crowdform.demo import prepare_example
from crowdform.engine.hook_registry import HookRegistry
from crowdform.engine.jobs import Jobs
from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import Workforce
from crowdform.settings import Settings
from crowdform.store.models import Job
from tests.cli.test_main import data_dir, run_crowdform
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import example_job, label_everything, open_runtime, synthetic_job, team_with_workers
from tests.web.test_admin_session import admin_sign_in
from tests.web.test_portal import page_csrf


@pytest.fixture
def console(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Runtime]]:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "animal-team", 2)
    Workforce(runtime).create_admin("root", "console-password-1")
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


@pytest.fixture
def admin(console: tuple[LiveServer, Runtime]) -> Iterator[httpx.Client]:
    client, _ = admin_sign_in(console[0])
    yield client
    client.close()


def test_the_jobs_list_sorts_pages_and_refreshes_its_table(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                                           tmp_path: Path) -> None:
    _server, runtime = console
    assert 'data-testid="no-jobs"' in admin.get("/admin/jobs").text
    for name in ("bravo", "alpha"):
        synthetic_job(runtime, tmp_path, name=name, objects=3, workers_per_object=1)
    page = admin.get("/admin/jobs")
    assert page.status_code == 200 and 'href="/admin/jobs/new"' in page.text
    assert page.text.index('data-job="alpha"') < page.text.index('data-job="bravo"')  # newest first
    assert '<span class="small" data-testid="progress">0 / 3</span>' in page.text
    assert "Custom" in page.text and "animal-team" in page.text
    by_name = admin.get("/admin/jobs", params={"sort": "name", "order": "asc"}).text
    assert by_name.index('data-job="alpha"') < by_name.index('data-job="bravo"')
    assert 'aria-sort="ascending"' in by_name and 'href="?sort=name&amp;order=desc"' in by_name
    table = admin.get("/admin/jobs", params={"partial": "table"}).text
    assert table.startswith('<div id="jobs-table" data-running="true">') and "<html" not in table
    assert admin.get("/admin/jobs", params={"sort": "colour"}).status_code == 400
    assert admin.get("/admin/jobs", params={"page": "0"}).status_code == 400


def test_the_jobs_list_has_pages_of_fifty(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                          tmp_path: Path) -> None:
    _server, runtime = console
    for i in range(51):
        synthetic_job(runtime, tmp_path, name=f"job-{i:02d}", objects=1, workers_per_object=1)
    first = admin.get("/admin/jobs", params={"sort": "name", "order": "asc"}).text
    assert first.count("<tr data-job=") == 50 and "Page 1 of 2 (51 jobs)" in first and 'rel="next"' in first
    second = admin.get("/admin/jobs", params={"sort": "name", "order": "asc", "page": 2}).text
    assert second.count("<tr data-job=") == 1 and 'data-job="job-50"' in second and 'rel="prev"' in second


# ------------------------------------------------------------------------------------------ create


def example_form(folder: Path, **changes: str) -> dict[str, str]:
    """The form as an administrator fills it in for the animal-faces example (template pasted)."""
    values = {
        "name": "animal-faces", "manifest": str(folder / "manifest.jsonl"), "output": str(folder / "output"),
        "label_attribute_name": "", "team": "animal-team", "workers_per_object": "2", "task_time_limit": "600",
        "availability_lifetime": "864000", "max_concurrent": "100", "title": "Animal eyes and noses",
        "description": "Draw a box around each eye and the nose of the animal", "keywords": "image, animals",
        "template": (folder / "template.liquid.html").read_text(), "labels": "eye\nnose\n",
        "pre_hook": str(folder / "pre_annotation.py"), "post_hook": str(folder / "post_annotation.py"),
    }
    values.update(changes)
    return values


def post_form(admin: httpx.Client, values: dict[str, str]) -> httpx.Response:
    csrf = page_csrf(admin.get("/admin/jobs/new").text)
    return admin.post("/admin/jobs/new", data={**values, "csrf_token": csrf})


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="{name}-error" data-error-for="{name}" role="alert" >(.*?)</p>', html, re.S)
    return "" if found is None else found.group(1)


def test_the_form_offers_the_teams_and_the_registered_hooks(console: tuple[LiveServer, Runtime],
                                                            admin: httpx.Client, tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    HookRegistry(runtime).add("animal-pre", str(folder / "pre_annotation.py"))
    page = admin.get("/admin/jobs/new")
    assert page.status_code == 200
    assert '<option value="animal-team"' in page.text and '<option value="animal-pre">' in page.text
    assert 'name="csrf_token"' in page.text and 'pattern="[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"' in page.text


def test_a_job_created_in_the_console_equals_the_one_the_cli_creates(console: tuple[LiveServer, Runtime],
                                                                     admin: httpx.Client, tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    created = post_form(admin, example_form(folder))
    assert created.status_code == 303 and created.headers["location"] == "/admin/jobs/animal-faces"
    console_dir = runtime.settings.buckets_dir.resolve() / "crowdform-console" / "animal-faces"
    template, labels = console_dir / "template.liquid.html", console_dir / "labels.json"
    assert template.read_text() == (folder / "template.liquid.html").read_text()
    assert json.loads(labels.read_text())["labels"] == [{"label": "eye"}, {"label": "nose"}]

    cli_dir = tmp_path / "cli"
    cli_dir.mkdir()
    roots = {"CROWDFORM_STORAGE_ROOTS": str(tmp_path)}
    assert run_crowdform(cli_dir, "team", "create", "animal-team", env=roots).code == 0
    run = run_crowdform(cli_dir, "job", "create", "animal-faces", "--manifest", str(folder / "manifest.jsonl"),
                        "--output", str(folder / "output"), "--template", str(template), "--labels", str(labels),
                        "--team", "animal-team", "--workers-per-object", "2", "--task-time-limit", "600",
                        "--title", "Animal eyes and noses",
                        "--description", "Draw a box around each eye and the nose of the animal",
                        "--pre-hook", str(folder / "pre_annotation.py"),
                        "--post-hook", str(folder / "post_annotation.py"), env=roots)
    assert run.code == 0, run
    cli_runtime = Runtime.open(Settings(data_dir=data_dir(cli_dir), storage_roots=(tmp_path,)))
    try:
        from_cli = Jobs(cli_runtime).describe("animal-faces")
        cli_row = Jobs(cli_runtime).get("animal-faces")
    finally:
        cli_runtime.close()
    from_console = Jobs(runtime).describe("animal-faces")
    # The CLI has no flags for these three; the console asks for them, as Ground Truth's console does.
    human = from_console["HumanTaskConfig"]
    assert (human.pop("TaskKeywords"), human["TaskAvailabilityLifetimeInSeconds"], human["MaxConcurrentTaskCount"]) == (
        ["image", "animals"], 864000, 100)
    from_cli["HumanTaskConfig"].update(TaskAvailabilityLifetimeInSeconds=864000, MaxConcurrentTaskCount=100)
    for described in (from_cli, from_console):
        for key in ("CreationTime", "LastModifiedTime", "JobReferenceCode"):
            described.pop(key)
    assert from_console == from_cli
    console_row = Jobs(runtime).get("animal-faces")
    same = ("template", "pre_hook", "post_hook", "label_categories", "object_count", "workers_per_object",
            "label_attribute_name", "output_path")
    assert {k: getattr(console_row, k) for k in same} == {k: getattr(cli_row, k) for k in same}


def test_problems_are_shown_next_to_their_fields(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                                tmp_path: Path) -> None:
    folder = prepare_example(tmp_path / "example")
    refused = post_form(admin, example_form(folder, name="-bad-", workers_per_object="ten", task_time_limit="5",
                                            template="<p>{{ task.input.x | nope }}</p>\n{% if %}", title="x" * 200))
    assert refused.status_code == 400
    html = refused.text
    assert "does not match the allowed pattern" in field_error(html, "name")
    assert "must be an integer, not a string (got &#39;ten&#39;)" in field_error(html, "workers_per_object")
    assert "is out of range" in field_error(html, "task_time_limit")
    assert "line 2: column 4" in field_error(html, "template") and 'data-error-line="2"' in html
    assert field_error(html, "title") and not field_error(html, "manifest")
    assert 'value="-bad-"' in html and "{% if %}" in html  # the form comes back as it was typed
    assert not (console[1].settings.buckets_dir / "crowdform-console").exists()


def test_problems_found_while_creating_go_to_their_fields(console: tuple[LiveServer, Runtime],
                                                         admin: httpx.Client, tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    (folder / "bad.jsonl").write_text('{"source-ref": "s3://b/1.jpg"}\n{"nothing": 1}\n')
    bad_manifest = post_form(admin, example_form(folder, manifest=str(folder / "bad.jsonl")))
    assert bad_manifest.status_code == 400 and "line 2" in field_error(bad_manifest.text, "manifest")
    missing = post_form(admin, example_form(folder, manifest=str(folder / "none.jsonl")))
    assert "does not exist" in field_error(missing.text, "manifest")
    team = post_form(admin, example_form(folder, team="night-shift"))
    assert "Team &#39;night-shift&#39; does not exist" in field_error(team.text, "team")
    hook = post_form(admin, example_form(folder, post_hook="arn:aws:lambda:us-east-1:123456789012:function:unknown-fn"))
    assert "no hook is registered for Lambda function &#39;unknown-fn&#39;" in field_error(hook.text, "post_hook")
    labels = post_form(admin, example_form(folder, labels="eye\neye"))
    assert field_error(labels.text, "labels")
    assert not (runtime.settings.buckets_dir / "crowdform-console" / "animal-faces").exists()  # nothing left behind

    assert post_form(admin, example_form(folder)).status_code == 303
    again = post_form(admin, example_form(folder, name="Animal-Faces", template="<p>other</p>"))
    assert "already exists" in field_error(again.text, "name")
    kept = runtime.settings.buckets_dir.resolve() / "crowdform-console" / "animal-faces" / "template.liquid.html"
    assert "crowd-bounding-box" in kept.read_text()


def test_a_form_without_its_csrf_token_is_refused(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                                 tmp_path: Path) -> None:
    folder = prepare_example(tmp_path / "example")
    assert admin.post("/admin/jobs/new", data=example_form(folder)).status_code == 403
    assert admin.post("/admin/jobs/new/template", json={"template": "x"}).status_code == 403
    assert Jobs(console[1]).list_jobs() == []


def test_the_form_checks_names_manifests_and_templates_as_they_are_given(
        console: tuple[LiveServer, Runtime], admin: httpx.Client, tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    headers = {"X-CSRF-Token": page_csrf(admin.get("/admin/jobs/new").text)}
    assert admin.get("/admin/jobs/new/name", params={"value": "animal-faces"}).json() == {"errors": {}, "lines": {}}
    bad = admin.get("/admin/jobs/new/name", params={"value": "no_underscores"}).json()
    assert "does not match the allowed pattern" in bad["errors"]["name"][0]
    synthetic_job(runtime, tmp_path, name="taken", objects=1, workers_per_object=1)
    assert "already exists" in admin.get("/admin/jobs/new/name", params={"value": "TAKEN"}).json()["errors"]["name"][0]

    manifest = admin.post("/admin/jobs/new/manifest", json={"manifest": str(folder / "manifest.jsonl")},
                          headers=headers).json()
    assert manifest["count"] == 4 and len(manifest["lines"]) == 4 and '"animal": "cat"' in manifest["lines"][0]["text"]
    (folder / "bad.jsonl").write_text('{"source-ref": "s3://b/1.jpg"}\nnot json\n')
    bad_lines = admin.post("/admin/jobs/new/manifest", json={"manifest": str(folder / "bad.jsonl")}, headers=headers)
    assert bad_lines.status_code == 400 and "line 2" in bad_lines.json()["errors"]["manifest"][0]

    good = admin.post("/admin/jobs/new/template", json={"template": "<p>{{ task.input.x }}</p>"}, headers=headers)
    assert good.json() == {"errors": {}}
    broken = admin.post("/admin/jobs/new/template", json={"template": "<p>\n\n{% for x in %}</p>"}, headers=headers)
    assert broken.status_code == 400 and broken.json()["lines"] == {"template": 3}


def test_the_preview_renders_the_first_line_through_the_pre_hook(console: tuple[LiveServer, Runtime],
                                                                admin: httpx.Client, tmp_path: Path) -> None:
    folder = prepare_example(tmp_path / "example")
    headers = {"X-CSRF-Token": page_csrf(admin.get("/admin/jobs/new").text)}
    body = {"manifest": str(folder / "manifest.jsonl"), "template": (folder / "template.liquid.html").read_text(),
            "pre_hook": str(folder / "pre_annotation.py")}
    shown = admin.post("/admin/jobs/new/preview", json=body, headers=headers)
    assert shown.status_code == 200, shown.text
    view = shown.json()
    assert view["state"] == "ready" and view["taskInput"]["sourceRef"].endswith("cat.png")
    assert "<crowd-bounding-box" in view["page"] and 'src="/files/' in view["page"]
    assert any("pre-annotation for" in line for line in view["hookOutput"])
    assert "(datasetObjectId 0)" in view["label"]

    no_hook = admin.post("/admin/jobs/new/preview", json={**body, "pre_hook": "", "template": "<p>{{ task.input.animal }}</p>"},
                         headers=headers).json()
    assert no_hook["taskInput"]["animal"] == "cat" and "<p>cat</p>" in no_hook["page"]
    wrong = admin.post("/admin/jobs/new/preview", json={**body, "template": "{% if %}", "manifest": "nowhere.jsonl",
                                                        "pre_hook": "no-such-hook.py"}, headers=headers)
    assert wrong.status_code == 400 and set(wrong.json()["errors"]) == {"template", "manifest", "pre_hook"}


# ------------------------------------------------------------------------------------------ detail


def test_a_labeled_jobs_page_its_files_and_its_viewer(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                                      tmp_path: Path) -> None:
    _server, runtime = console
    job = example_job(runtime, tmp_path)
    label_everything(runtime, job, Workforce(runtime).list_workers("animal-team"))
    page = admin.get(f"/admin/jobs/{job.name}")
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="job-status">Completed<' in html and "<th>Total labeled</th><td>4 of 4</td>" in html
    assert 'id="stop-job"' not in html  # a finished job cannot be stopped
    assert html.count("<tr data-object=") == 4 and "worker0" in html and "annotationsFromAllWorkers" in html
    assert "pre-annotation for" in html  # the hook's output, in the log

    manifest = (tmp_path / "example" / "manifest.jsonl").read_text()
    downloaded = admin.get(f"/admin/jobs/{job.name}/files/input.manifest")
    assert downloaded.text == manifest and "attachment" in downloaded.headers["content-disposition"]
    output = admin.get(f"/admin/jobs/{job.name}/files/manifests/output/output.manifest")
    assert output.status_code == 200 and len(output.text.splitlines()) == 4 and f'"{job.name}-metadata"' in output.text

    viewer = admin.get(f"/admin/jobs/{job.name}/objects/1")
    assert viewer.status_code == 200 and 'src="/files/' in viewer.text and 'rel="next"' in viewer.text
    data = json.loads(re.search(r'<script type="application/json" id="viewer-data">(.*?)</script>', viewer.text, re.S)[1])
    assert data["labels"] == ["eye", "nose"] and len(data["answers"]) == 2
    assert data["answers"][0]["answer"]["annotatedResult"]["boundingBoxes"][0]["label"] == "eye"
    response_path = re.search(r'href="/admin/jobs/animal-faces/files/(annotations/worker-response/iteration-1/1/[^"]+)"',
                              viewer.text)
    assert response_path is not None
    response = admin.get(f"/admin/jobs/{job.name}/files/{response_path[1]}").json()
    assert len(response["answers"]) == 2
    assert admin.get(f"/admin/jobs/{job.name}/files/../../etc/passwd").status_code in (400, 404)
    assert admin.get(f"/admin/jobs/{job.name}/files/annotations/%2E%2E/x").status_code == 400
    assert admin.get(f"/admin/jobs/{job.name}/objects/9").status_code == 404
    assert "No such labeling job" in admin.get("/admin/jobs/nothing-here").text


def test_a_running_job_can_be_stopped_with_the_csrf_token(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                                         tmp_path: Path) -> None:
    _server, runtime = console
    job = synthetic_job(runtime, tmp_path, name="long-job", objects=120, workers_per_object=1)
    page = admin.get(f"/admin/jobs/{job.name}")
    assert 'id="stop-job"' in page.text and 'data-running="true"' in page.text
    assert "Page 1 of 3 (120 objects)" in page.text and 'rel="next"' in page.text
    assert admin.get(f"/admin/jobs/{job.name}", params={"page": 3}).text.count("<tr data-object=") == 20
    assert "No data objects in state labeled" in admin.get(f"/admin/jobs/{job.name}", params={"state": "labeled"}).text
    summary = admin.get(f"/admin/jobs/{job.name}", params={"partial": "summary"}).text
    assert summary.lstrip().startswith("<div id=\"job-summary\"") and "objects-table" not in summary
    assert "Written once the first object is labeled" not in summary and "written once the first object" in summary
    assert admin.post(f"/admin/jobs/{job.name}/stop").status_code == 403
    stopped = admin.post(f"/admin/jobs/{job.name}/stop", data={"csrf_token": page_csrf(page.text)})
    assert stopped.status_code == 303 and Jobs(runtime).get(job.name).status == "Stopping"
    again = admin.post(f"/admin/jobs/{job.name}/stop", data={"csrf_token": page_csrf(page.text)})
    assert again.status_code == 400 and "the job is already Stopping" in again.text


def test_files_left_by_an_interrupted_attempt_are_replaced(console: tuple[LiveServer, Runtime],
                                                          admin: httpx.Client, tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    stale = runtime.settings.buckets_dir.resolve() / "crowdform-console" / "animal-faces"
    stale.mkdir(parents=True)
    (stale / "template.liquid.html").write_text("<p>left over</p>")
    assert post_form(admin, example_form(folder)).status_code == 303
    assert "crowd-bounding-box" in Jobs(runtime).get("animal-faces").template


def test_the_template_and_labels_may_be_given_by_location(console: tuple[LiveServer, Runtime],
                                                         admin: httpx.Client, tmp_path: Path) -> None:
    _server, runtime = console
    folder = prepare_example(tmp_path / "example")
    template, labels = str(folder / "template.liquid.html"), str(folder / "labels.json")
    both = post_form(admin, example_form(folder, template_uri=template, labels_uri=labels))
    assert "not both" in field_error(both.text, "template") and "not both" in field_error(both.text, "labels")
    missing = post_form(admin, example_form(folder, template="", template_uri=str(folder / "none.html")))
    assert "does not exist" in field_error(missing.text, "template")
    empty = post_form(admin, example_form(folder, template=""))
    assert "is empty" in field_error(empty.text, "template")

    created = post_form(admin, example_form(folder, template="", template_uri=template, labels="", labels_uri=labels))
    assert created.status_code == 303
    described = Jobs(runtime).describe("animal-faces")
    assert described["HumanTaskConfig"]["UiConfig"] == {"UiTemplateS3Uri": template}
    assert described["LabelCategoryConfigS3Uri"] == labels
    assert not (runtime.settings.buckets_dir / "crowdform-console").exists()

    headers = {"X-CSRF-Token": page_csrf(admin.get("/admin/jobs/new").text)}
    checked = admin.post("/admin/jobs/new/template", json={"template": "", "template_uri": template}, headers=headers)
    assert checked.json() == {"errors": {}}
    shown = admin.post("/admin/jobs/new/preview", headers=headers, json={
        "manifest": str(folder / "manifest.jsonl"), "template_uri": template, "pre_hook": str(folder / "pre_annotation.py")})
    assert "<crowd-bounding-box" in shown.json()["page"]


def test_a_failed_jobs_page_gives_the_failure_reason(console: tuple[LiveServer, Runtime], admin: httpx.Client,
                                                    tmp_path: Path) -> None:
    _server, runtime = console
    job = synthetic_job(runtime, tmp_path, name="broken", objects=2, workers_per_object=1)
    with runtime.database.write() as connection:
        connection.execute(update(Job).where(Job.id == job.id).values(
            status="Failed", failure_reason="the post-annotation hook failed 3 times"))
    page = admin.get("/admin/jobs/broken").text
    assert 'data-testid="failure-reason">Failure reason: the post-annotation hook failed 3 times<' in page
    assert 'id="stop-job"' not in page and 'data-running="false"' in page
    assert 'status-failed">Failed<' in admin.get("/admin/jobs").text
