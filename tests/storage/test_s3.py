"""S3 through Storage, against a real moto S3 server on loopback (see tests/fixtures/s3.py).

Objects are arranged and inspected with a plain boto3 client (``s3_client``) so that each test
checks Storage against S3 itself, not against Storage.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped, unused-ignore]

from crowdform.errors import Forbidden, InvalidInput, NotFound
from crowdform.storage import Storage, StorageError
from crowdform.storage.lines import CHUNK_SIZE
from crowdform.storage.s3 import SPOOL_BYTES, _client_error
from crowdform.storage.uris import S3Location
from tests.fixtures.s3 import S3Bucket


@pytest.fixture
def storage(s3_bucket: S3Bucket, tmp_path: Path) -> Storage:
    return Storage([tmp_path], s3_endpoint_url=s3_bucket.endpoint_url)


def put(client: Any, bucket: S3Bucket, key: str, body: bytes, **extra: Any) -> None:
    client.put_object(Bucket=bucket.bucket_name, Key=key, Body=body, **extra)


def get(client: Any, bucket: S3Bucket, key: str) -> dict[str, Any]:
    response: dict[str, Any] = client.get_object(Bucket=bucket.bucket_name, Key=key)
    response["Data"] = response["Body"].read()
    return response


# --- reading ---------------------------------------------------------------------------------


def test_read_bytes_and_text(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    put(s3_client, s3_bucket, "templates/t.liquid", "<crowd-form>✓</crowd-form>".encode())
    assert storage.read_bytes(s3_bucket.uri("templates/t.liquid")) == "<crowd-form>✓</crowd-form>".encode()
    assert storage.read_text(s3_bucket.uri("templates/t.liquid")) == "<crowd-form>✓</crowd-form>"


def test_keys_with_spaces_and_pluses_round_trip(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    put(s3_client, s3_bucket, "a b/c+d%e.jpg", b"img")
    assert storage.read_bytes(s3_bucket.uri("a b/c+d%e.jpg")) == b"img"
    url = f"https://{s3_bucket.bucket_name}.s3.amazonaws.com/a%20b/c%2Bd%25e.jpg"
    assert storage.read_bytes(url) == b"img"  # the console's object URL reaches the same object


def test_read_text_names_the_uri_and_byte_offset_of_bad_utf8(
    storage: Storage, s3_bucket: S3Bucket, s3_client: Any
) -> None:
    put(s3_client, s3_bucket, "bad.txt", b"ok\xff")
    with pytest.raises(InvalidInput) as caught:
        storage.read_text(s3_bucket.uri("bad.txt"))
    assert caught.value.source == s3_bucket.uri("bad.txt")
    assert "byte offset 2" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"a\nb\n", [b"a", b"b"]),
        (b"a\r\nb\r\n", [b"a", b"b"]),
        (b"a\nb", [b"a", b"b"]),
        (b"a\n\n\nb\n", [b"a", b"", b"", b"b"]),
        (b"", []),
    ],
)
def test_iter_lines(storage: Storage, s3_bucket: S3Bucket, s3_client: Any, data: bytes, lines: list[bytes]) -> None:
    put(s3_client, s3_bucket, "m.jsonl", data)
    assert list(storage.iter_lines(s3_bucket.uri("m.jsonl"))) == lines


def test_iter_lines_across_many_chunks_with_crlf_on_the_boundaries(
    storage: Storage, s3_bucket: S3Bucket, s3_client: Any
) -> None:
    # Lines of CHUNK_SIZE - 1 bytes put a "\r\n" across each chunk boundary somewhere.
    lines = [bytes([97 + i % 26]) * (CHUNK_SIZE - 1) for i in range(5)] + [b""] + [b"last"]
    put(s3_client, s3_bucket, "big.manifest", b"\r\n".join(lines))
    assert list(storage.iter_lines(s3_bucket.uri("big.manifest"))) == lines


def test_iter_lines_fails_at_the_call_and_can_be_abandoned(
    storage: Storage, s3_bucket: S3Bucket, s3_client: Any
) -> None:
    with pytest.raises(NotFound):
        storage.iter_lines(s3_bucket.uri("missing.jsonl"))
    put(s3_client, s3_bucket, "m.jsonl", b"1\n2\n3\n")
    lines = storage.iter_lines(s3_bucket.uri("m.jsonl"))
    assert next(lines) == b"1"
    lines.close()  # closes the HTTP body; reading again afterwards still works
    assert list(storage.iter_lines(s3_bucket.uri("m.jsonl"))) == [b"1", b"2", b"3"]


# --- writing ---------------------------------------------------------------------------------


def test_write_bytes_stores_the_content_type(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    storage.write_bytes(s3_bucket.uri("out/output.manifest"), b"{}\n", content_type="application/jsonlines")
    stored = get(s3_client, s3_bucket, "out/output.manifest")
    assert stored["Data"] == b"{}\n"
    assert stored["ContentType"] == "application/jsonlines"


def test_content_type_is_guessed_from_the_key_when_not_given(
    storage: Storage, s3_bucket: S3Bucket, s3_client: Any
) -> None:
    storage.write_bytes(s3_bucket.uri("img/cat.jpg"), b"jpeg")
    storage.write_stream(s3_bucket.uri("a.json"), [b"{}"])
    storage.write_bytes(s3_bucket.uri("out/output.manifest"), b"x")
    assert get(s3_client, s3_bucket, "img/cat.jpg")["ContentType"] == "image/jpeg"
    assert get(s3_client, s3_bucket, "a.json")["ContentType"] == "application/json"
    assert get(s3_client, s3_bucket, "out/output.manifest")["ContentType"] == "application/octet-stream"


def test_write_bytes_replaces(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    put(s3_client, s3_bucket, "k", b"old")
    storage.write_bytes(s3_bucket.uri("k"), b"new")
    assert get(s3_client, s3_bucket, "k")["Data"] == b"new"


def test_write_stream_small_and_multipart(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    storage.write_stream(s3_bucket.uri("small"), [b"a", b"b", b"c"], content_type="text/plain")
    assert get(s3_client, s3_bucket, "small")["Data"] == b"abc"
    megabyte = bytes(range(256)) * 4096
    count = SPOOL_BYTES // len(megabyte) * 2 + 1  # spills to disk and goes up in several parts
    storage.write_stream(s3_bucket.uri("large.bin"), (megabyte for _ in range(count)))
    assert storage.size(s3_bucket.uri("large.bin")) == count * len(megabyte)
    assert get(s3_client, s3_bucket, "large.bin")["Data"] == megabyte * count


def test_a_stream_failing_halfway_leaves_the_old_object(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    put(s3_client, s3_bucket, "output.manifest", b"old content")

    def chunks() -> Iterator[bytes]:
        yield b"x" * 1024 * 1024
        raise RuntimeError("the consolidation hook crashed")

    with pytest.raises(RuntimeError, match="hook crashed"):
        storage.write_stream(s3_bucket.uri("output.manifest"), chunks())
    assert get(s3_client, s3_bucket, "output.manifest")["Data"] == b"old content"
    uploads = s3_client.list_multipart_uploads(Bucket=s3_bucket.bucket_name)
    assert uploads.get("Uploads", []) == []


# --- exists, size, list, presign --------------------------------------------------------------


def test_exists_and_size(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    put(s3_client, s3_bucket, "dir/f", b"12345")
    assert storage.exists(s3_bucket.uri("dir/f"))
    assert not storage.exists(s3_bucket.uri("dir/missing"))
    assert not storage.exists(s3_bucket.uri("dir"))  # a prefix is not an object
    assert storage.size(s3_bucket.uri("dir/f")) == 5


def test_list_is_recursive_sorted_and_treats_the_prefix_as_a_folder(
    storage: Storage, s3_bucket: S3Bucket, s3_client: Any
) -> None:
    for key in ["in/b.jpg", "in/a/2.jpg", "in/a/1.jpg", "in/a/deep/x.json", "in2/other", "in.txt", "in/marker/"]:
        put(s3_client, s3_bucket, key, b"x")
    expected = [s3_bucket.uri(k) for k in ["in/a/1.jpg", "in/a/2.jpg", "in/a/deep/x.json", "in/b.jpg"]]
    assert storage.list(s3_bucket.uri("in")) == expected
    assert storage.list(s3_bucket.uri("in/")) == expected
    assert storage.list(f"https://{s3_bucket.bucket_name}.s3.amazonaws.com/in/") == expected
    assert storage.list(s3_bucket.uri("nothing/here")) == []


def test_list_of_a_whole_bucket(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    for key in ["z", "a/b"]:
        put(s3_client, s3_bucket, key, b"x")
    assert storage.list(f"s3://{s3_bucket.bucket_name}") == [s3_bucket.uri("a/b"), s3_bucket.uri("z")]
    assert storage.list(s3_bucket.uri("")) == [s3_bucket.uri("a/b"), s3_bucket.uri("z")]


@pytest.mark.slow
def test_list_follows_pagination(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    keys = [f"many/{i:05d}.json" for i in range(1_005)]  # one page holds 1000 keys
    for key in keys:
        put(s3_client, s3_bucket, key, b"")
    assert storage.list(s3_bucket.uri("many")) == [s3_bucket.uri(k) for k in keys]


def test_presign_gives_a_url_that_works_and_expires(storage: Storage, s3_bucket: S3Bucket, s3_client: Any) -> None:
    put(s3_client, s3_bucket, "img/cat.jpg", b"jpeg bytes", ContentType="image/jpeg")
    url = storage.presign(s3_bucket.uri("img/cat.jpg"), 900)
    assert url is not None
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["900"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert url.startswith(f"{s3_bucket.endpoint_url}/{s3_bucket.bucket_name}/img/cat.jpg?")  # path style
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"jpeg bytes"
        assert response.headers["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("expires_in", [0, -5, 7 * 24 * 3600 + 1])
def test_presign_refuses_impossible_lifetimes(storage: Storage, s3_bucket: S3Bucket, expires_in: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        storage.presign(s3_bucket.uri("k"), expires_in)
    assert caught.value.problems[0].field == "expires_in"
    assert caught.value.problems[0].value == expires_in


def test_a_bucket_is_not_an_object(storage: Storage, s3_bucket: S3Bucket) -> None:
    for call in (storage.read_bytes, storage.size, storage.exists, lambda u: storage.presign(u, 60)):
        with pytest.raises(InvalidInput, match="names a bucket, not an object"):
            call(f"s3://{s3_bucket.bucket_name}")


def test_local_path_of_an_s3_uri_is_refused(storage: Storage, s3_bucket: S3Bucket) -> None:
    with pytest.raises(InvalidInput, match="is in S3, not a local file"):
        storage.local_path(s3_bucket.uri("k"))


# --- errors ----------------------------------------------------------------------------------


def test_a_missing_key_is_not_found_naming_the_uri(storage: Storage, s3_bucket: S3Bucket) -> None:
    missing = s3_bucket.uri("nope/missing.json")
    for call in (storage.read_bytes, storage.read_text, storage.iter_lines, storage.size):
        with pytest.raises(NotFound) as caught:
            call(missing)
        assert str(caught.value) == f"{missing} does not exist (S3 has no object with that key)"


def test_a_missing_bucket_is_not_found_naming_the_bucket(storage: Storage, s3_bucket: S3Bucket) -> None:
    missing = "s3://crowdform-no-such-bucket/k.json"
    calls: list[Callable[[str], object]] = [
        storage.read_bytes,
        storage.iter_lines,
        storage.size,
        storage.exists,
        storage.list,
        lambda u: storage.write_bytes(u, b"x"),
        lambda u: storage.write_stream(u, [b"x"]),
    ]
    for call in calls:
        with pytest.raises(NotFound) as caught:
            call(missing)
        message = str(caught.value)
        assert message.startswith(missing)
        assert "there is no bucket named 'crowdform-no-such-bucket'" in message


def test_an_unreachable_endpoint_is_a_readable_storage_error(aws_credentials: None, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    storage = Storage([tmp_path], s3_endpoint_url=f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(StorageError) as caught:
        storage.read_bytes("s3://bucket/key")
    message = str(caught.value)
    assert "s3://bucket/key" in message
    assert f"http://127.0.0.1:{port}" in message
    assert "reachable" in message
    assert time.monotonic() - started < 30


def test_missing_credentials_are_a_readable_storage_error(
    s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    storage = Storage([tmp_path], s3_endpoint_url=s3_bucket.endpoint_url)
    with pytest.raises(StorageError, match="Unable to locate credentials") as caught:
        storage.read_bytes(s3_bucket.uri("k"))
    assert s3_bucket.uri("k") in str(caught.value)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("AccessDenied", 403, Forbidden),
        ("InvalidAccessKeyId", 403, Forbidden),
        ("SignatureDoesNotMatch", 403, Forbidden),
        ("NoSuchKey", 404, NotFound),
        ("NoSuchBucket", 404, NotFound),
        ("SlowDown", 503, StorageError),
        ("InternalError", 500, StorageError),
    ],
)
def test_every_s3_error_code_becomes_a_crowdform_error(code: str, status: int, expected: type) -> None:
    """moto does not check credentials, so refusals are checked on botocore's own exception type."""
    response: Any = {"Error": {"Code": code, "Message": "what S3 said"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    error = _client_error(ClientError(response, "GetObject"), S3Location("bkt", "k", "s3://bkt/k"))
    assert type(error) is expected
    assert str(error).startswith("s3://bkt/k") or "s3://bkt/k" in str(error)
    if expected is not NotFound:
        assert f"{code}: what S3 said" in str(error)


# --- configuration ---------------------------------------------------------------------------


def test_the_endpoint_can_come_from_aws_endpoint_url_s3_alone(
    s3_env: str, s3_bucket: S3Bucket, s3_client: Any, tmp_path: Path
) -> None:
    storage = Storage([tmp_path])  # no endpoint given: boto3 finds it in the environment
    storage.write_bytes(s3_bucket.uri("via-env.txt"), b"hello")
    assert get(s3_client, s3_bucket, "via-env.txt")["Data"] == b"hello"
    assert storage.read_bytes(s3_bucket.uri("via-env.txt")) == b"hello"
    url = storage.presign(s3_bucket.uri("via-env.txt"), 60)
    assert url is not None and url.startswith(s3_env)
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"hello"


def test_an_endpoint_with_a_host_name_from_the_environment_uses_path_style(
    s3_bucket: S3Bucket, s3_client: Any, aws_credentials: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # With a host name (not an IP), boto3 would put the bucket in the host name by default, which
    # self-hosted stores cannot answer: "BUCKET.localhost" does not resolve.
    endpoint = s3_bucket.endpoint_url.replace("127.0.0.1", "localhost")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    put(s3_client, s3_bucket, "k", b"found")
    storage = Storage([tmp_path])
    assert storage.read_bytes(s3_bucket.uri("k")) == b"found"
    assert storage.list(s3_bucket.uri("")) == [s3_bucket.uri("k")]


def test_one_storage_serves_many_threads(storage: Storage, s3_bucket: S3Bucket) -> None:
    errors: list[BaseException] = []
    results: dict[int, bytes] = {}

    def work(number: int) -> None:
        try:
            uri = s3_bucket.uri(f"threads/{number}")
            storage.write_stream(uri, [str(number).encode()] * 3)
            results[number] = storage.read_bytes(uri)
        except BaseException as error:  # reported below, on the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == {n: str(n).encode() * 3 for n in range(16)}
    assert len(storage.list(s3_bucket.uri("threads"))) == 16


def test_importing_storage_does_not_import_boto3() -> None:
    code = "import sys, crowdform.storage; print('boto3' in sys.modules or 'botocore' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_presigned_url_for_a_missing_object_answers_404(storage: Storage, s3_bucket: S3Bucket) -> None:
    url = storage.presign(s3_bucket.uri("not/there.jpg"), 60)
    assert url is not None
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=10)
    assert caught.value.code == 404
    caught.value.close()
