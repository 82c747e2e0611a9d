"""What a hook process is given: crowdform's endpoint, the job role's temporary credentials, the
region and the configured service endpoints, its own ``--env`` winning; nothing else of the server's."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdform.engine.access_keys import AccessKeys
from crowdform.engine.hook_registry import HookRegistry
from crowdform.settings import load_settings
from tests.helpers import open_runtime

DUMP = Path(__file__).parent / "lambdas" / "environment_dump.py"
ROLE = "arn:aws:iam::000000000000:role/LabelingRole"


def test_a_hook_sees_what_crowdform_gives_and_nothing_of_the_servers_own(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("SECRET_X", "the server's"), ("AWS_ACCESS_KEY_ID", "AKIATHESERVERSOWN"),
                        ("AWS_SECRET_ACCESS_KEY", "server-secret"), ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9/"),
                        ("AWS_PROFILE", "production"), ("TZ", "UTC")):
        monkeypatch.setenv(name, value)
    endpoints = load_settings({"CROWDFORM_HOOK_SERVICE_ENDPOINTS": "dynamodb=http://127.0.0.1:8000, sns=http://127.0.0.1:9911"},
                              data_dir=tmp_path / "data").hook_service_endpoints
    runtime = open_runtime(tmp_path, database_url, port=8123, hook_service_endpoints=endpoints, region="eu-west-1")
    try:
        registry = HookRegistry(runtime)
        hook = registry.add("dump", str(DUMP), environment={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8001",
                                                            "STAGE": "test"})
        with registry.invoker(hook, role_arn=ROLE) as invoker:
            env = invoker.invoke({})
        assert "SECRET_X" not in env and "AWS_PROFILE" not in env and "AWS_ENDPOINT_URL_S3" not in env
        assert env["TZ"] == "UTC" and env["PATH"]  # the allow-list
        assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:8123"
        assert env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://127.0.0.1:8001"  # the hook's own --env wins
        assert env["AWS_ENDPOINT_URL_SNS"] == "http://127.0.0.1:9911"  # server-wide
        assert env["STAGE"] == "test"
        assert (env["AWS_REGION"], env["AWS_DEFAULT_REGION"]) == ("eu-west-1", "eu-west-1")
        assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == "/dev/null"
        # temporary credentials of the job's role, which crowdform's endpoint accepts
        assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
        signer = AccessKeys(runtime).identify(env["AWS_ACCESS_KEY_ID"], env["AWS_SESSION_TOKEN"])
        assert signer.arn == "arn:aws:sts::000000000000:assumed-role/LabelingRole/dump"
        assert signer.secret_access_key == env["AWS_SECRET_ACCESS_KEY"]
    finally:
        runtime.close()


def test_the_hooks_own_credentials_variable_wins_too(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    try:
        registry = HookRegistry(runtime)
        hook = registry.add("dump", str(DUMP), environment={"AWS_ACCESS_KEY_ID": "AKIAGIVENBYTHEHOOK",
                                                            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
        with registry.invoker(hook, role_arn=None) as invoker:
            env = invoker.invoke({})
        assert (env["AWS_ACCESS_KEY_ID"], env["AWS_ENDPOINT_URL"]) == ("AKIAGIVENBYTHEHOOK", "http://127.0.0.1:4566")
    finally:
        runtime.close()
