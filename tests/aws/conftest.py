"""A live crowdform server with an access key, and boto3 clients for its AWS-compatible endpoint.

``aws_endpoint`` (function) starts ``create_app`` on loopback over a fresh database (SQLite, and
PostgreSQL when configured) and creates one access key; ``.client(service)`` gives a real boto3
client for it, with no AWS variables of the machine involved (``aws_credentials`` clears them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from crowdform.engine.access_keys import AccessKeys
from crowdform.engine.runtime import Runtime
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import open_runtime


@dataclass
class AwsEndpoint:
    server: LiveServer
    runtime: Runtime
    access_key_id: str
    secret_access_key: str

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, service: str, *, access_key_id: str | None = None, secret_access_key: str | None = None,
               session_token: str | None = None, region: str = "us-east-1", **config: Any) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            service, endpoint_url=self.url, region_name=region,
            aws_access_key_id=access_key_id or self.access_key_id,
            aws_secret_access_key=secret_access_key or self.secret_access_key,
            aws_session_token=session_token,
            config=Config(retries={"max_attempts": 1}, **config),
        )


@pytest.fixture
def aws_endpoint(tmp_path: Path, database_url: str, aws_credentials: None) -> Iterator[AwsEndpoint]:
    runtime = open_runtime(tmp_path, database_url)
    info, secret = AccessKeys(runtime).create("tester")
    server = start_server(runtime.settings, runtime)
    try:
        yield AwsEndpoint(server, runtime, info.access_key_id, secret)
    finally:
        server.stop()
        runtime.close()
