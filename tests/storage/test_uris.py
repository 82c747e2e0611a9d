"""URI parsing, normalising and joining: pure string work, checked through Storage and uris alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdform.errors import InvalidInput
from crowdform.storage import Storage
from crowdform.storage.uris import LocalLocation, S3Location, join, normalize, parse


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage([tmp_path])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/srv/data/manifest.jsonl", "file:///srv/data/manifest.jsonl"),
        ("/srv/data/../data/./x.json", "file:///srv/data/x.json"),
        ("/srv//data///x.json", "file:///srv/data/x.json"),
        ("//srv/x", "file:///srv/x"),
        ("/srv/data/", "file:///srv/data"),
        ("/", "file:///"),
        ("file:///srv/data/x.json", "file:///srv/data/x.json"),
        ("file://localhost/srv/x.json", "file:///srv/x.json"),
        ("file:/srv/x.json", "file:///srv/x.json"),
        ("FILE:///srv/x.json", "file:///srv/x.json"),
        ("file:///srv/a%20b c.json", "file:///srv/a%20b c.json"),  # verbatim, like s3:// keys
        ("s3://bucket/key/with spaces+plus.jpg", "s3://bucket/key/with spaces+plus.jpg"),
        ("s3://bucket//double//slash/", "s3://bucket//double//slash/"),
        ("s3://bucket", "s3://bucket"),
        ("S3://bucket/k", "s3://bucket/k"),
        ("https://s3.amazonaws.com/bucket/a/b.jpg", "s3://bucket/a/b.jpg"),
        ("https://s3.us-west-2.amazonaws.com/bucket/a/b.jpg", "s3://bucket/a/b.jpg"),
        ("https://s3-eu-west-1.amazonaws.com/bucket/a.jpg", "s3://bucket/a.jpg"),
        ("https://bucket.s3.amazonaws.com/a/b.jpg", "s3://bucket/a/b.jpg"),
        ("https://bucket.s3.eu-central-1.amazonaws.com/a/b.jpg", "s3://bucket/a/b.jpg"),
        ("https://my.dotted.bucket.s3.amazonaws.com/k", "s3://my.dotted.bucket/k"),
        ("https://bucket.s3.dualstack.us-east-1.amazonaws.com/k", "s3://bucket/k"),
        ("https://bucket.s3.cn-north-1.amazonaws.com.cn/k", "s3://bucket/k"),
        ("http://bucket.s3.amazonaws.com/k", "s3://bucket/k"),
        ("https://bucket.s3.amazonaws.com/a%20b/c%2Bd.jpg?versionId=3", "s3://bucket/a b/c+d.jpg"),
        ("https://BUCKET.S3.AMAZONAWS.COM/Key", "s3://bucket/Key"),
    ],
)
def test_normalize_gives_the_canonical_form(storage: Storage, given: str, expected: str) -> None:
    assert storage.normalize(given) == expected


def test_relative_paths_resolve_against_the_working_directory_of_the_call(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    assert storage.normalize("data/m.jsonl") == f"file://{tmp_path}/data/m.jsonl"
    monkeypatch.chdir(tmp_path / "sub")
    assert storage.normalize("./m.jsonl") == f"file://{tmp_path}/sub/m.jsonl"
    assert storage.normalize("../m.jsonl") == f"file://{tmp_path}/m.jsonl"


def test_home_is_expanded(storage: Storage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert storage.normalize("~/x.json") == f"file://{tmp_path}/x.json"


def test_normalize_is_idempotent(storage: Storage) -> None:
    for uri in ("relative/x", "file:///a/../b", "https://bucket.s3.amazonaws.com/k%20k", "s3://b/k"):
        once = storage.normalize(uri)
        assert storage.normalize(once) == once


@pytest.mark.parametrize(
    ("given", "complaint"),
    [
        ("https://example.com/image.jpg", "not an S3 object URL"),
        ("http://127.0.0.1:9000/bucket/key", "not an S3 object URL"),
        ("https://s3.amazonaws.com/", "does not name a bucket"),
        ("ftp://host/file", "unsupported scheme 'ftp'"),
        ("gs://bucket/key", "unsupported scheme 'gs'"),
        ("s3:/bucket/key", "not a valid s3 URI"),
        ("s3://", "does not name a bucket"),
        ("s3:///key", "does not name a bucket"),
        ("s3://bad bucket/key", "does not name a valid bucket"),
        ("file://otherhost/x", "names the host 'otherhost'"),
        ("file:relative/x", "not an absolute file URI"),
        ("", "is not a storage URI"),
        ("   ", "is not a storage URI"),
        ("/tmp/a\x00b", "NUL character"),
    ],
)
def test_unusable_uris_are_invalid_input_saying_why(storage: Storage, given: str, complaint: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        storage.normalize(given)
    assert complaint in str(caught.value)
    assert caught.value.problems[0].hint  # always says what to write instead


def test_a_web_address_is_named_in_the_error(storage: Storage) -> None:
    with pytest.raises(InvalidInput) as caught:
        storage.is_s3("https://example.com/cat.jpg")
    assert caught.value.source == "https://example.com/cat.jpg"
    assert caught.value.status_code == 400


def test_is_s3(storage: Storage) -> None:
    assert storage.is_s3("s3://bucket/k")
    assert storage.is_s3("https://bucket.s3.amazonaws.com/k")
    assert not storage.is_s3("/tmp/k")
    assert not storage.is_s3("file:///tmp/k")
    assert not storage.is_s3("relative/s3/k")


@pytest.mark.parametrize(
    ("base", "parts", "expected"),
    [
        ("s3://bucket/out", ("job", "manifest.json"), "s3://bucket/out/job/manifest.json"),
        ("s3://bucket/out/", ("job",), "s3://bucket/out/job"),
        ("s3://bucket/out//", ("/job/", "/a/b/"), "s3://bucket/out/job/a/b"),
        ("s3://bucket", ("k",), "s3://bucket/k"),
        ("s3://bucket/", ("k",), "s3://bucket/k"),
        ("s3://bucket/p", ("", "/", "k"), "s3://bucket/p/k"),
        ("s3://bucket/p", (), "s3://bucket/p"),
        ("https://bucket.s3.amazonaws.com/out", ("x",), "s3://bucket/out/x"),
        ("/srv/out", ("job", "x.json"), "file:///srv/out/job/x.json"),
        ("/srv/out/", ("/job/",), "file:///srv/out/job"),
        ("file:///srv/out", ("a/b", "c"), "file:///srv/out/a/b/c"),
        ("/", ("srv", "x"), "file:///srv/x"),
        ("file:///", ("x",), "file:///x"),
    ],
)
def test_join_puts_exactly_one_slash_between_parts(
    storage: Storage, base: str, parts: tuple[str, ...], expected: str
) -> None:
    assert storage.join(base, *parts) == expected


def test_join_resolves_a_relative_base(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert storage.join("out", "a.json") == f"file://{tmp_path}/out/a.json"


def test_parse_gives_typed_locations() -> None:
    assert parse("s3://bucket/a/b", "/") == S3Location("bucket", "a/b", "s3://bucket/a/b")
    assert parse("s3://bucket", "/") == S3Location("bucket", "", "s3://bucket")
    assert parse("x/y", "/srv") == LocalLocation("/srv/x/y")
    assert normalize("x/../y", "/srv") == "file:///srv/y"
    assert join(LocalLocation("/srv"), "a") == "file:///srv/a"
