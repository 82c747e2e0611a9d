"""``crowdform demo --setup-only``: the demo job, two workers and an admin token, ready to serve.

``crowdform serve`` itself runs ``create_app`` under Uvicorn, which the engine and web tests cover
(tests/web/test_end_to_end.py runs the server with its own background thread).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from sqlalchemy import func, select

from crowdform.demo import ANIMALS, TEAM, WORKERS
from crowdform.engine.jobs import Jobs
from crowdform.engine.workforce import Workforce
from crowdform.store.models import Job
from tests.cli.test_main import data_dir, open_cli_runtime, run_crowdform


def test_demo_setup_only_prepares_everything_and_can_run_again(tmp_path: Path) -> None:
    first = run_crowdform(tmp_path, "demo", "--setup-only", "--port", "9123")
    assert first.code == 0, first
    demo = data_dir(tmp_path).resolve() / "buckets" / "crowdform-demo"
    output = f"{(demo / 'output').as_uri()}/animal-faces/"
    assert first.out.startswith(f"Demo job animal-faces is ready; output goes to {output}\n"
                                "Worker portal: http://127.0.0.1:9123/portal (sign in as one of these workers)\n"), first
    assert "Worker API: http://127.0.0.1:9123/api/v1 (docs at http://127.0.0.1:9123/docs)\n" in first.out
    assert "Admin console: http://127.0.0.1:9123/admin\n  admin admin password admin-console-1\n" in first.out
    for user, password in WORKERS:
        assert f"  worker {user} password {password}\n" in first.out
    token = re.search(r"^  admin API token: (\S+)$", first.out, flags=re.MULTILINE)
    assert token is not None, first
    assert "Serving on" not in first.out  # --setup-only does not serve
    assert first.err == ""

    # The images were drawn and the manifest points at them.
    lines = [json.loads(line) for line in (demo / "manifest.jsonl").read_text().splitlines()]
    assert [line["animal"] for line in lines] == [animal[0] for animal in ANIMALS]
    assert all(Path(line["source-ref"].removeprefix("file://")).is_file() for line in lines)

    again = run_crowdform(tmp_path, "demo", "--setup-only", "--port", "9123")
    assert again.code == 0, again
    second_token = re.search(r"^  admin API token: (\S+)$", again.out, flags=re.MULTILINE)
    assert second_token is not None and second_token[1] != token[1]  # a fresh token each run; the job is reused

    runtime = open_cli_runtime(tmp_path)
    try:
        workforce = Workforce(runtime)
        for user, password in WORKERS:
            assert workforce.authenticate(workforce.login(user, password)).worker is not None
        assert workforce.authenticate(token[1]).role == "admin"
        assert workforce.authenticate(second_token[1]).role == "admin"
        assert workforce.list_teams() == [(TEAM, len(WORKERS))]
        jobs = Jobs(runtime)
        with runtime.database.read() as connection:
            assert connection.execute(select(func.count()).select_from(Job)).scalar_one() == 1
        job = jobs.get("animal-faces")
        assert job.object_count == len(ANIMALS) and job.layout.job_dir == output
        assert jobs.describe("animal-faces")["LabelingJobStatus"] == "Initializing"
    finally:
        runtime.close()
