"""A live crowdform server whose S3 API serves the embedded store or passes through to moto.

``s3_endpoint`` is parametrized over the two set-ups: ``embedded`` (the default: buckets in the data
folder) and ``moto`` (``s3_endpoint_url`` set: crowdform keeps its data in moto's server and its S3
API passes every request through). ``.s3()`` is a boto3 S3 client for crowdform's endpoint;
``.bucket()`` creates a fresh bucket through it (moto's state is shared by the whole session, so
names are unique).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from crowdform.engine.access_keys import AccessKeys
from tests.aws.conftest import AwsEndpoint
from tests.fixtures.servers import start_server
from tests.helpers import open_runtime


@dataclass
class S3Endpoint(AwsEndpoint):
    backend: str = "embedded"

    def s3(self, **config: Any) -> Any:
        return self.client("s3", **config)

    def bucket(self, prefix: str = "bucket") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.s3().create_bucket(Bucket=name)
        return name


@pytest.fixture(params=["embedded", "moto"])
def s3_endpoint(request: pytest.FixtureRequest, tmp_path: Path, database_url: str,
                aws_credentials: None) -> Iterator[S3Endpoint]:
    settings: dict[str, Any] = {}
    if request.param == "moto":
        settings["s3_endpoint_url"] = request.getfixturevalue("s3_server")
    runtime = open_runtime(tmp_path, database_url, **settings)
    info, secret = AccessKeys(runtime).create("tester")
    server = start_server(runtime.settings, runtime)
    try:
        yield S3Endpoint(server, runtime, info.access_key_id, secret, request.param)
    finally:
        server.stop()
        runtime.close()


@pytest.fixture
def embedded_s3(tmp_path: Path, database_url: str, aws_credentials: None) -> Iterator[S3Endpoint]:
    """The embedded set-up alone, for what only it has (files on disk, hostile keys)."""
    runtime = open_runtime(tmp_path, database_url)
    info, secret = AccessKeys(runtime).create("tester")
    server = start_server(runtime.settings, runtime)
    try:
        yield S3Endpoint(server, runtime, info.access_key_id, secret, "embedded")
    finally:
        server.stop()
        runtime.close()


def error_of(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The ``Error`` of the ClientError that ``call`` raises (with its HTTP status as ``Status``)."""
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as refused:
        call(*args, **kwargs)
    error = dict(refused.value.response["Error"])
    error["Status"] = refused.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return error
