"""Signed file URLs: what grant_read_access returns, and the check GET /files/{token} makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from crowdform.engine.clock import ManualClock
from crowdform.engine.file_access import FileAccess
from crowdform.errors import Forbidden, InvalidInput
from crowdform.settings import Settings
from crowdform.storage import Storage
from tests.fixtures.s3 import S3Bucket

START = 1_700_000_000.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "images" / "cat 1.jpg"
    path.parent.mkdir()
    path.write_bytes(b"\xff\xd8 not really a jpeg")
    return path


def access_for(tmp_path: Path, clock: ManualClock, **options: Any) -> FileAccess:
    return FileAccess("secret-one", Storage([tmp_path]), clock, ttl_seconds=600, **options)


def token_of(url: str) -> str:
    assert url.startswith("/files/") and "/" not in url[len("/files/"):], url
    return url[len("/files/"):]


def test_a_local_file_gets_an_expiring_signed_url(tmp_path: Path, clock: ManualClock, image: Path) -> None:
    access = access_for(tmp_path, clock)
    for given in (str(image), f"file://{image}", str(image.parent / ".." / "images" / image.name)):
        url = access.grant(given)
        assert access.verify(token_of(url)) == f"file://{image}"
        assert access.verify_with_expiry(token_of(url)) == (f"file://{image}", int(START) + 600)
    clock.advance(599)
    assert access.verify(token_of(url)) == f"file://{image}"
    clock.advance(1)
    with pytest.raises(Forbidden, match="expired"):
        access.verify(token_of(url))


def test_urls_are_url_safe_and_stable_within_a_second(tmp_path: Path, clock: ManualClock, image: Path) -> None:
    access = access_for(tmp_path, clock)
    url = access.grant(str(image))
    assert set(token_of(url)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    assert access.grant(str(image)) == url


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # base64url, in value order


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed (the last character may decode alike)
    lambda t: t[:-1] + B64[B64.index(t[-1]) ^ 1],  # only the unused low bits of the last character differ
    lambda t: t.split(".")[0] + "." + str(int(t.split(".")[1]) + 3600) + "." + t.split(".")[2],  # expiry moved
    lambda t: "ZmlsZTovLy9ldGMvcGFzc3dk." + ".".join(t.split(".")[1:]),  # another file (file:///etc/passwd)
    lambda t: t.rsplit(".", 1)[0],  # signature cut off
    lambda t: "not a token",
    lambda t: "",
    lambda t: "%%%.x.y",
], ids=["signature", "signature-low-bits", "expiry", "uri", "no-signature", "garbage", "empty", "not-base64"])
def test_a_tampered_token_is_refused(tmp_path: Path, clock: ManualClock, image: Path, tamper: Any) -> None:
    access = access_for(tmp_path, clock)
    token = token_of(access.grant(str(image)))
    with pytest.raises(Forbidden) as caught:
        access.verify(tamper(token))
    assert str(caught.value) == "This file link is not valid (it was changed or cut short). Reload the task page for a new one."
    assert caught.value.status_code == 403


def test_a_token_signed_with_another_secret_is_refused(tmp_path: Path, clock: ManualClock, image: Path) -> None:
    token = token_of(access_for(tmp_path, clock).grant(str(image)))
    other = FileAccess(b"secret-two", Storage([tmp_path]), clock)
    with pytest.raises(Forbidden, match="not valid"):
        other.verify(token)


def test_files_outside_the_storage_roots_are_refused(tmp_path: Path, clock: ManualClock) -> None:
    inside = tmp_path / "root"
    inside.mkdir()
    (inside / "escape").symlink_to("/etc")
    access = FileAccess("s", Storage([inside]), clock)
    for uri in ("/etc/passwd", "file:///etc/hostname", str(inside / ".." / "x.jpg"), str(inside / "escape" / "passwd")):
        with pytest.raises(InvalidInput, match="outside the storage roots"):
            access.grant(uri)


@pytest.mark.parametrize("url", [
    "https://example.com/cat.jpg",
    "http://images.example.org/a/b.png?size=large",
    "data:image/png;base64,iVBORw0KGgo=",
])
def test_web_addresses_outside_s3_pass_through_unchanged(tmp_path: Path, clock: ManualClock, url: str) -> None:
    assert access_for(tmp_path, clock).grant(url) == url


@pytest.mark.parametrize(("given", "signed"), [
    ("s3://acme-images/street/000173.jpg", "s3://acme-images/street/000173.jpg"),
    ("https://s3.amazonaws.com/acme-images/street/000173.jpg", "s3://acme-images/street/000173.jpg"),
    ("http://s3.amazonaws.com/acme-images/a%20b.jpg", "s3://acme-images/a b.jpg"),
    ("https://acme-images.s3.eu-west-1.amazonaws.com/street/000173.jpg", "s3://acme-images/street/000173.jpg"),
])
def test_s3_objects_get_a_crowdform_url_by_default(tmp_path: Path, clock: ManualClock, given: str, signed: str) -> None:
    access = access_for(tmp_path, clock)
    assert access.verify(token_of(access.grant(given))) == signed


def test_s3_objects_get_a_presigned_url_that_s3_serves(tmp_path: Path, clock: ManualClock, s3_bucket: S3Bucket,
                                                       s3_client: Any) -> None:
    s3_client.put_object(Bucket=s3_bucket.bucket_name, Key="img/cat.jpg", Body=b"cat bytes", ContentType="image/jpeg")
    storage = Storage([tmp_path], s3_endpoint_url=s3_bucket.endpoint_url)
    access = FileAccess("s", storage, clock, ttl_seconds=900, presign_s3=True)
    url = access.grant(s3_bucket.uri("img/cat.jpg"))
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_bucket.endpoint_url
    assert parts.path == f"/{s3_bucket.bucket_name}/img/cat.jpg"
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["900"]
    reply = httpx.get(url)
    assert (reply.status_code, reply.content, reply.headers["content-type"]) == (200, b"cat bytes", "image/jpeg")
    assert access.grant("https://example.com/cat.jpg") == "https://example.com/cat.jpg"


def test_settings_give_the_ttl_and_the_presign_choice(tmp_path: Path, clock: ManualClock) -> None:
    settings = Settings(data_dir=tmp_path, signed_url_ttl_seconds=30, presign_s3_urls=True)
    access = FileAccess.from_settings(settings, secret="s", storage=Storage([tmp_path]), clock=clock)
    assert (access.ttl_seconds, access.presign_s3, access.base_path) == (30, True, "/files")
    with pytest.raises(InvalidInput, match="signed_url_ttl_seconds"):
        FileAccess("s", Storage([tmp_path]), clock, ttl_seconds=0)
