"""The worker API over real HTTP: login, jobs, next, submit, decline, release, and the error shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdform.engine.background import Background
from crowdform.engine.workforce import Workforce
from tests.fixtures.servers import start_server
from tests.helpers import PASSWORD, example_job, open_runtime, team_with_workers


@pytest.fixture
def live(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    runtime = open_runtime(tmp_path, database_url)
    workers = team_with_workers(runtime, "animal-team", 2)
    job = example_job(runtime, tmp_path, NumberOfHumanWorkersPerDataObject=1)
    background = Background(runtime)
    background.run_until_idle()
    background.stop()
    server = start_server(runtime.settings, runtime)
    yield server, runtime, workers, job
    server.stop()
    runtime.close()


def login(server, username: str) -> str:  # type: ignore[no-untyped-def]
    with server.client() as client:
        reply = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return str(reply.json()["token"])


def test_worker_round_trip(live) -> None:  # type: ignore[no-untyped-def]
    server, _runtime, _workers, job = live
    with server.client(login(server, "worker0")) as client:
        jobs = client.get("/api/v1/worker/jobs").json()["jobs"]
        assert [j["name"] for j in jobs] == [job.name] and jobs[0]["tasksAvailable"] is True
        task = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        assert task["taskInput"]["sourceRef"].startswith("file://") and task["datasetObjectId"] in "0123"
        assert task["taskTitle"] == "Animal eyes and noses"
        saved = client.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit",
                            json={"answer": {"annotatedResult": {"boundingBoxes": []}}})
        assert saved.status_code == 200 and saved.json()["saved"] is True
        again = client.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit",
                            json={"answer": {"annotatedResult": {"boundingBoxes": []}}})
        assert again.json()["alreadySubmitted"] is True
        second = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        assert client.post(f"/api/v1/worker/tasks/{second['leaseId']}/decline").json()["declined"] is True
        third = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        assert third["datasetObjectId"] not in (task["datasetObjectId"], second["datasetObjectId"])
        assert client.post(f"/api/v1/worker/tasks/{third['leaseId']}/release").json()["released"] is True
        fourth = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        last = client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
        assert last.status_code == 200 and last.json()["leaseId"] == fourth["leaseId"]  # held task comes back
        client.post(f"/api/v1/worker/tasks/{fourth['leaseId']}/submit", json={"answer": {"a": 1}})
        assert client.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").status_code == 204


def test_errors_have_one_shape_and_workers_see_only_their_own(live) -> None:  # type: ignore[no-untyped-def]
    server, runtime, _workers, job = live
    with server.client() as anonymous:
        refused = anonymous.get("/api/v1/worker/jobs")
        assert refused.status_code == 401 and "Bearer" in refused.json()["message"]
        bad_login = anonymous.post("/api/v1/auth/login", json={"username": "worker0", "password": "wrong-password"})
        assert bad_login.status_code == 401 and bad_login.json()["error"] == "Unauthorized"
        shape = anonymous.post("/api/v1/auth/login", json={"username": "worker0"})
        assert shape.status_code == 400 and shape.json()["problems"][0]["field"] == "password"
    token0, token1 = login(server, "worker0"), login(server, "worker1")
    with server.client(token0) as alice, server.client(token1) as bob:
        task = alice.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        stolen = bob.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit", json={"answer": {"x": 1}})
        assert stolen.status_code == 404
        bad = alice.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit", json={"answer": "text"})
        assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "answer"
        assert alice.get("/api/v1/jobs").status_code == 403  # admin API
    workforce = Workforce(runtime)
    workforce.create_team("other")
    workforce.add_worker("outsider", team="other", password=PASSWORD)
    with server.client(login(server, "outsider")) as outsider:
        assert outsider.get("/api/v1/worker/jobs").json()["jobs"] == []
        assert outsider.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").status_code == 404


def test_admin_api_describes_and_stops(live) -> None:  # type: ignore[no-untyped-def]
    server, runtime, _workers, job = live
    token = Workforce(runtime).create_admin_token("test")
    with server.client(token) as admin:
        listed = admin.get("/api/v1/jobs").json()["LabelingJobSummaryList"]
        assert [j["LabelingJobName"] for j in listed] == [job.name]
        assert admin.get(f"/api/v1/jobs/{job.name}").json()["LabelingJobStatus"] == "InProgress"
        assert admin.get("/api/v1/jobs/no-such-job").status_code == 404
        assert admin.post(f"/api/v1/jobs/{job.name}/stop").status_code == 200
        assert admin.get(f"/api/v1/jobs/{job.name}").json()["LabelingJobStatus"] in ("Stopping", "Stopped")
        assert any("stop requested" in e["message"] for e in admin.get(f"/api/v1/jobs/{job.name}/logs").json()["entries"])
    with server.client() as anonymous:
        assert anonymous.get("/openapi.json").status_code == 200


def test_admin_api_creates_a_job_and_streams_its_output(live, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    server, runtime, workers, job = live
    token = Workforce(runtime).create_admin_token("test")
    request = json.loads((tmp_path / "example" / "request.json").read_text())
    request["LabelingJobName"] = "second"
    folder = tmp_path / "example"
    request["InputConfig"]["DataSource"]["S3DataSource"]["ManifestS3Uri"] = str(folder / "manifest.jsonl")
    request["OutputConfig"]["S3OutputPath"] = str(folder / "output")
    request["HumanTaskConfig"]["UiConfig"]["UiTemplateS3Uri"] = str(folder / "template.liquid.html")
    request["HumanTaskConfig"].pop("PreHumanTaskLambdaArn")
    request["HumanTaskConfig"].pop("AnnotationConsolidationConfig")
    request["HumanTaskConfig"]["NumberOfHumanWorkersPerDataObject"] = 1
    request["LabelCategoryConfigS3Uri"] = str(folder / "labels.json")
    with server.client(token) as admin:
        created = admin.post("/api/v1/jobs", json=request)
        assert created.status_code == 201, created.text
        assert created.json()["LabelingJobArn"].endswith(":labeling-job/second")
        again = admin.post("/api/v1/jobs", json=request)
        assert again.status_code == 409 and "already exists" in again.json()["message"]
        bad = admin.post("/api/v1/jobs", json={**request, "LabelingJobName": "bad name!"})
        assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "LabelingJobName"
        assert admin.get("/api/v1/jobs/second/output-manifest").status_code == 404  # nothing written yet
    background = Background(runtime)
    background.run_until_idle()
    with server.client(token) as admin:
        assert admin.get("/api/v1/jobs/second/output-manifest").status_code == 404  # no label yet
    from crowdform.engine.tasks import Tasks

    task = Tasks(runtime).next_task(workers[0], "second")
    assert task is not None
    Tasks(runtime).submit(workers[0], task.lease_id, {"x": 1})
    background.run_until_idle()
    background.stop()
    with server.client(token) as admin:
        lines = admin.get("/api/v1/jobs/second/output-manifest").text.splitlines()
    assert [json.loads(line)["animal"] for line in lines] == ["cat", "dog", "owl", "fox"]
    assert sum("animal-faces" in json.loads(line) for line in lines) == 1  # the label attribute name


def test_submit_with_next_saves_and_returns_the_next_task(live) -> None:  # type: ignore[no-untyped-def]
    server, _runtime, _workers, job = live
    with server.client(login(server, "worker0")) as alice, server.client(login(server, "worker1")) as bob:
        task = alice.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()
        answer = {"annotatedResult": {"boundingBoxes": []}}
        reply = alice.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit", json={"answer": answer, "next": True})
        assert reply.status_code == 200, reply.text
        saved = reply.json()
        assert saved["saved"] is True and saved["alreadySubmitted"] is False and saved["leaseId"] == task["leaseId"]
        following = saved["next"]
        assert set(following) == set(task)  # the next-task reply's fields
        assert following["leaseId"] != task["leaseId"] and following["datasetObjectId"] != task["datasetObjectId"]
        assert following["taskInput"]["sourceRef"].startswith("file://") and following["jobName"] == job.name
        # A retried request: already submitted, and the same next task (no second one is handed out).
        again = alice.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit", json={"answer": answer, "next": True})
        assert again.status_code == 200 and again.json()["alreadySubmitted"] is True
        assert again.json()["next"] == following
        assert alice.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json() == following
        # Another worker cannot submit it, with or without next; a wrong shape is the usual 400.
        stolen = bob.post(f"/api/v1/worker/tasks/{following['leaseId']}/submit", json={"answer": {"x": 1}, "next": True})
        assert stolen.status_code == 404
        assert bob.post(f"/api/v1/worker/jobs/{job.name}/tasks/next").json()["leaseId"] != following["leaseId"]
        bad = alice.post(f"/api/v1/worker/tasks/{following['leaseId']}/submit", json={"answer": {"x": 1}, "next": "maybe"})
        assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "next"
        missing = alice.post(f"/api/v1/worker/tasks/{following['leaseId']}/submit", json={"next": True})
        assert missing.status_code == 400 and missing.json()["problems"][0]["field"] == "answer"
        # Plain submissions keep their shape.
        plain = alice.post(f"/api/v1/worker/tasks/{following['leaseId']}/submit", json={"answer": {"x": 1}})
        assert plain.status_code == 200 and "next" not in plain.json() and plain.json()["saved"] is True


def test_submit_with_next_says_null_when_nothing_is_left(live) -> None:  # type: ignore[no-untyped-def]
    server, _runtime, _workers, job = live
    with server.client(login(server, "worker0")) as alice:
        reply = alice.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
        seen = []
        task = reply.json()
        while task is not None:
            seen.append(task["datasetObjectId"])
            saved = alice.post(f"/api/v1/worker/tasks/{task['leaseId']}/submit",
                               json={"answer": {"n": len(seen)}, "next": True})
            assert saved.status_code == 200 and saved.json()["saved"] is True
            task = saved.json()["next"]
        assert sorted(seen) == ["0", "1", "2", "3"]  # every object once (N = 1), none twice
        empty = alice.post(f"/api/v1/worker/jobs/{job.name}/tasks/next")
        assert empty.status_code == 204 and empty.content == b""
        schema = alice.get("/openapi.json").json()["components"]["schemas"]["SubmitRequest"]
        assert schema["properties"]["next"]["type"] == "boolean" and schema["required"] == ["answer"]
