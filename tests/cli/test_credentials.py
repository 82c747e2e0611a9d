"""``crowdform credentials create|list|revoke`` as real processes, and the keys they make, used by boto3."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from crowdform.engine.access_keys import AccessKeys, CredentialRefused
from tests.cli.test_main import open_cli_runtime, run_crowdform


def test_create_prints_shell_variables_that_a_shell_can_source(tmp_path: Path) -> None:
    created = run_crowdform(tmp_path, "credentials", "create", "--name", "notebook")
    assert created.code == 0, created
    lines = created.out.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"]
    values = dict(line.split("=", 1) for line in lines)
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", values["AWS_ACCESS_KEY_ID"])
    assert len(values["AWS_SECRET_ACCESS_KEY"]) == 40
    assert "shown this once" in created.err
    script = tmp_path / "vars.env"
    script.write_text(created.out)
    sourced = subprocess.run(["bash", "-c", f"set -a; . {script}; set +a; env"], capture_output=True, text=True,
                             check=True).stdout
    assert f"AWS_SECRET_ACCESS_KEY={values['AWS_SECRET_ACCESS_KEY']}\n" in sourced

    runtime = open_cli_runtime(tmp_path)
    try:
        identity = AccessKeys(runtime).identify(values["AWS_ACCESS_KEY_ID"], None)
    finally:
        runtime.close()
    assert identity.secret_access_key == values["AWS_SECRET_ACCESS_KEY"]
    assert identity.arn.endswith(":user/notebook")


def test_list_shows_keys_never_secrets_and_revoke_ends_them(tmp_path: Path) -> None:
    first = dict(line.split("=", 1) for line in run_crowdform(tmp_path, "credentials", "create").out.splitlines())
    run_crowdform(tmp_path, "credentials", "create", "--name", "ci")
    listed = run_crowdform(tmp_path, "credentials", "list")
    assert listed.code == 0, listed
    rows = re.findall(r"^│ (AKIA\w+)\s+│ (\S+)\s+│ [^│]+│ (\w+)", listed.out, flags=re.MULTILINE)
    assert [(name, status) for _, name, status in rows] == [(first["AWS_ACCESS_KEY_ID"], "active"), ("ci", "active")]
    assert first["AWS_SECRET_ACCESS_KEY"] not in listed.out

    revoked = run_crowdform(tmp_path, "credentials", "revoke", "ci")
    assert revoked.code == 0 and "Revoked access key" in revoked.out
    assert "revoked" in run_crowdform(tmp_path, "credentials", "list").out
    runtime = open_cli_runtime(tmp_path)
    try:
        keys = AccessKeys(runtime)
        revoked_id = next(key.access_key_id for key in keys.list() if key.name == "ci")
        try:
            keys.identify(revoked_id, None)
        except CredentialRefused as refused:
            assert refused.reason == "revoked"
        else:
            raise AssertionError("a revoked key was accepted")
    finally:
        runtime.close()


def test_bad_names_and_unknown_keys_are_refused_with_the_fix(tmp_path: Path) -> None:
    assert run_crowdform(tmp_path, "credentials", "create", "--name", "twice").code == 0
    assert "exists already" in run_crowdform(tmp_path, "credentials", "create", "--name", "twice").error()
    bad = run_crowdform(tmp_path, "credentials", "create", "--name", "has space").error()
    assert "--name" in bad and "'has space'" in bad
    unknown = run_crowdform(tmp_path, "credentials", "revoke", "AKIANOPE").error()
    assert "AKIANOPE" in unknown and "crowdform credentials list" in unknown
