"""GET /files/{token} on a real server: signed files are served, changed or expired links are refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crowdform.engine.clock import ManualClock
from crowdform.engine.file_access import FileAccess
from crowdform.engine.runtime import Runtime
from crowdform.storage import Storage
from tests.fixtures.s3 import S3Bucket
from tests.fixtures.servers import LiveServer, start_server
from tests.helpers import open_runtime

PNG = b"\x89PNG\r\n\x1a\n fake image bytes"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_700_000_000.0)


@pytest.fixture
def live(tmp_path: Path, database_url: str, clock: ManualClock) -> Iterator[tuple[LiveServer, Runtime]]:
    runtime = open_runtime(tmp_path, database_url, clock=clock, signed_url_ttl_seconds=600)
    server = start_server(runtime.settings, runtime)
    yield server, runtime
    server.stop()
    runtime.close()


def signer(runtime: Runtime, clock: ManualClock, storage: Storage | None = None) -> FileAccess:
    """What the task page renderer uses: the runtime's secret, so the server accepts its URLs."""
    return FileAccess.from_settings(runtime.settings, secret=runtime.secret, storage=storage or runtime.storage,
                                    clock=clock)


def test_a_signed_image_is_served_with_its_type_and_caching_headers(
        live: tuple[LiveServer, Runtime], clock: ManualClock, tmp_path: Path) -> None:
    server, runtime = live
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "owl.png").write_bytes(PNG)
    url = signer(runtime, clock).grant(str(tmp_path / "img" / "owl.png"))
    clock.advance(100)
    with server.client() as client:
        reply = client.get(url)
    assert reply.status_code == 200 and reply.content == PNG
    assert reply.headers["content-type"] == "image/png"
    assert reply.headers["cache-control"] == "private, max-age=500"
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["content-security-policy"] == "sandbox"
    assert reply.headers["x-content-type-options"] == "nosniff"


def test_expired_and_tampered_links_get_403_with_a_json_error(
        live: tuple[LiveServer, Runtime], clock: ManualClock, tmp_path: Path) -> None:
    server, runtime = live
    (tmp_path / "owl.png").write_bytes(PNG)
    url = signer(runtime, clock).grant(str(tmp_path / "owl.png"))
    with server.client() as client:
        tampered = client.get(url[:-2] + ("AA" if not url.endswith("AA") else "BB"))
        clock.advance(600)
        expired = client.get(url)
    assert (tampered.status_code, tampered.json()) == (403, {
        "error": "Forbidden",
        "message": "This file link is not valid (it was changed or cut short). Reload the task page for a new one."})
    assert (expired.status_code, expired.json()) == (403, {
        "error": "Forbidden", "message": "This file link has expired. Reload the task page for a new one."})


def test_files_outside_the_storage_roots_are_never_served(
        live: tuple[LiveServer, Runtime], clock: ManualClock, tmp_path: Path) -> None:
    server, runtime = live
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret")
    # A token for it can only come from a signer with other roots (a changed setting, say); the server
    # checks its own roots again when serving.
    url = signer(runtime, clock, Storage([tmp_path.parent])).grant(str(outside))
    try:
        with server.client() as client:
            reply = client.get(url)
    finally:
        outside.unlink()
    assert reply.status_code == 400 and "outside the storage roots" in reply.json()["message"]
    assert "secret" not in reply.text


def test_a_file_removed_after_signing_is_404(live: tuple[LiveServer, Runtime], clock: ManualClock, tmp_path: Path) -> None:
    server, runtime = live
    (tmp_path / "gone.jpg").write_bytes(b"x")
    url = signer(runtime, clock).grant(str(tmp_path / "gone.jpg"))
    (tmp_path / "gone.jpg").unlink()
    with server.client() as client:
        reply = client.get(url)
    assert reply.status_code == 404 and reply.json()["error"] == "ResourceNotFound"


def test_an_s3_object_is_served_through_crowdform(tmp_path: Path, database_url: str, clock: ManualClock,
                                                  s3_bucket: S3Bucket, s3_client: Any) -> None:
    s3_client.put_object(Bucket=s3_bucket.bucket_name, Key="frames/0001.jpg", Body=b"jpeg bytes")
    runtime = open_runtime(tmp_path, database_url, clock=clock, s3_endpoint_url=s3_bucket.endpoint_url)
    server = start_server(runtime.settings, runtime)
    try:
        url = signer(runtime, clock).grant(f"https://s3.amazonaws.com/{s3_bucket.bucket_name}/frames/0001.jpg")
        with server.client() as client:
            reply = client.get(url)
    finally:
        server.stop()
        runtime.close()
    assert (reply.status_code, reply.content, reply.headers["content-type"]) == (200, b"jpeg bytes", "image/jpeg")
    assert reply.headers["cache-control"] == "private, max-age=3600"
