"""``crowdform team ...``, ``crowdform worker ...`` and ``crowdform admin token`` as real processes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crowdform.engine.workforce import Workforce
from crowdform.errors import Unauthorized
from tests.cli.test_main import open_cli_runtime, run_crowdform

WORKER_UID = r"private\.us-east-1\.[0-9a-f]{16}"


def test_team_create_and_list(tmp_path: Path) -> None:
    created = run_crowdform(tmp_path, "team", "create", "labelers")
    assert created.code == 0, created
    assert created.out == "Created team labelers. Add workers with: crowdform worker add USER --team labelers\n"

    again = run_crowdform(tmp_path, "team", "create", "labelers")
    assert again.error() == "error: Team 'labelers' already exists.\n"

    bad = run_crowdform(tmp_path, "team", "create", "no spaces")
    message = bad.error()
    assert "team name" in message and "'no spaces'" in message and "letters, digits and single hyphens" in message

    runtime = open_cli_runtime(tmp_path)
    try:
        Workforce(runtime).create_team("reviewers")
        Workforce(runtime).add_worker("ann", team="reviewers", password="long-enough-1")
    finally:
        runtime.close()
    listed = run_crowdform(tmp_path, "team", "list")
    assert listed.code == 0, listed
    rows = re.findall(r"^│ (\S+)\s+│ (\d+)\s+│$", listed.out, flags=re.MULTILINE)
    assert rows == [("labelers", "0"), ("reviewers", "1")]


def test_worker_add_list_deactivate_and_activate(tmp_path: Path) -> None:
    runtime = open_cli_runtime(tmp_path)
    workforce = Workforce(runtime)
    workforce.create_team("t1")
    workforce.create_team("t2")
    workforce.add_worker("bob", team="t1", password="old-password-1")

    alice = run_crowdform(tmp_path, "worker", "add", "alice", "--team", "t1")
    assert alice.code == 0, alice
    assert re.match(rf"Worker alice \({WORKER_UID}\) is in team\(s\): t1\n", alice.out), alice
    password = re.search(r"^Generated password: (\S+)$", alice.out, flags=re.MULTILINE)
    assert password is not None, alice
    assert workforce.login("alice", password[1])  # the printed password is the one stored

    # An existing worker: the password is replaced and the team added; nothing is generated.
    bob = run_crowdform(tmp_path, "worker", "add", "bob", "--team", "t2", "--password", "new-password-1")
    assert bob.code == 0, bob
    assert re.fullmatch(rf"Worker bob \({WORKER_UID}\) is in team\(s\): t1, t2\n", bob.out), bob
    assert workforce.login("bob", "new-password-1")
    with pytest.raises(Unauthorized):
        workforce.login("bob", "old-password-1")

    listed = run_crowdform(tmp_path, "worker", "list")
    assert listed.code == 0, listed
    rows = re.findall(rf"^│ (\S+)\s+│ ({WORKER_UID})\s+│ ([^│]+?)\s+│ (\S+)\s+│$", listed.out, flags=re.MULTILINE)
    uids = {w.username: w.worker_uid for w in workforce.list_workers()}
    assert rows == [("alice", uids["alice"], "t1", "yes"), ("bob", uids["bob"], "t1, t2", "yes")]
    only_t2 = run_crowdform(tmp_path, "worker", "list", "--team", "t2")
    assert only_t2.code == 0 and "bob" in only_t2.out and "alice" not in only_t2.out, only_t2

    token = workforce.login("bob", "new-password-1")
    deactivated = run_crowdform(tmp_path, "worker", "deactivate", "bob")
    assert deactivated.code == 0 and deactivated.out == "Deactivated bob.\n", deactivated
    with pytest.raises(Unauthorized):
        workforce.login("bob", "new-password-1")
    with pytest.raises(Unauthorized):
        workforce.authenticate(token)  # tokens are revoked with the account
    assert [w.active for w in workforce.list_workers("t2")] == [False]

    activated = run_crowdform(tmp_path, "worker", "activate", "bob")
    assert activated.code == 0 and activated.out == "Activated bob.\n", activated
    assert workforce.login("bob", "new-password-1")
    runtime.close()


def test_worker_commands_refuse_unknown_teams_and_workers(tmp_path: Path) -> None:
    no_team = run_crowdform(tmp_path, "worker", "add", "carol", "--team", "nope")
    assert no_team.error() == "error: Team 'nope' does not exist. Create it with: crowdform team create nope\n"
    no_worker = run_crowdform(tmp_path, "worker", "deactivate", "carol")
    assert no_worker.error() == "error: Worker 'carol' does not exist.\n"
    runtime = open_cli_runtime(tmp_path)
    try:
        assert Workforce(runtime).list_workers() == []  # the refused add created nobody
    finally:
        runtime.close()


def test_admin_token_prints_a_working_token_once(tmp_path: Path) -> None:
    run = run_crowdform(tmp_path, "admin", "token", "--label", "ci")
    assert run.code == 0, run
    token = run.out.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token), run
    runtime = open_cli_runtime(tmp_path)
    try:
        assert Workforce(runtime).authenticate(token).role == "admin"
    finally:
        runtime.close()


def test_admin_create_makes_a_console_account(tmp_path: Path) -> None:
    created = run_crowdform(tmp_path, "admin", "create", "root", "--password", "console-pass-1")
    assert created.code == 0, created
    assert created.out == "Administrator root can sign in at /admin.\n"
    generated = run_crowdform(tmp_path, "admin", "create", "second")
    password = re.search(r"^Generated password: (\S+)$", generated.out, flags=re.MULTILINE)
    assert password is not None, generated
    runtime = open_cli_runtime(tmp_path)
    try:
        workforce = Workforce(runtime)
        assert workforce.authenticate(workforce.admin_login("root", "console-pass-1")).admin_username == "root"
        assert workforce.authenticate(workforce.admin_login("second", password[1])).role == "admin"
        with pytest.raises(Unauthorized):
            workforce.login("root", "console-pass-1")  # an administrator is not a worker
    finally:
        runtime.close()
    short = run_crowdform(tmp_path, "admin", "create", "third", "--password", "short")
    assert "shorter than 8 characters" in short.error()


def test_worker_invite_prints_a_one_time_link(tmp_path: Path) -> None:
    run_crowdform(tmp_path, "team", "create", "labelers")
    invited = run_crowdform(tmp_path, "worker", "invite", "erin@example.com", "--team", "labelers",
                            env={"CROWDFORM_PUBLIC_URL": "https://label.example.org/"})
    assert invited.code == 0, invited
    link = re.search(r"^https://label\.example\.org/portal/invitations/(\S+)$", invited.out, flags=re.MULTILINE)
    assert link is not None, invited
    assert invited.out.startswith("Invited erin@example.com to team labelers.")
    runtime = open_cli_runtime(tmp_path)
    try:
        from crowdform.engine.invitations import Invitations

        assert Invitations(runtime, Workforce(runtime)).invited_username(link[1]) == "erin@example.com"
    finally:
        runtime.close()
