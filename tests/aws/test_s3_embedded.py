"""What only the embedded store has: objects are plain files in the data folder's ``buckets/``, keys that
cannot be files are refused clearly, and nothing outside ``buckets/`` can be reached through S3."""

from __future__ import annotations

import httpx
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.aws.s3_fixtures import S3Endpoint, error_of


def test_objects_are_plain_files_people_can_look_at(embedded_s3: S3Endpoint) -> None:
    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    s3.put_object(Bucket=bucket, Key="images/cat.jpg", Body=b"\xff\xd8cat", Metadata={"who": "me"})
    root = embedded_s3.runtime.settings.buckets_dir
    assert (root / bucket / "images" / "cat.jpg").read_bytes() == b"\xff\xd8cat"
    assert sorted(p.name for p in (root / bucket).rglob("*")) == ["cat.jpg", "images"]  # nothing else in the bucket
    s3.delete_object(Bucket=bucket, Key="images/cat.jpg")
    assert list((root / bucket).iterdir()) == []  # no empty folder stays behind


def test_a_file_copied_into_a_bucket_folder_is_an_object(embedded_s3: S3Endpoint) -> None:
    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    folder = embedded_s3.runtime.settings.buckets_dir / bucket / "by-hand"
    folder.mkdir()
    (folder / "notes.txt").write_bytes(b"written by hand")
    head = s3.head_object(Bucket=bucket, Key="by-hand/notes.txt")
    assert head["ContentType"] == "text/plain" and head["ETag"] == '"%s"' % __import__("hashlib").md5(
        b"written by hand").hexdigest()
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["by-hand/notes.txt"]
    (folder / "notes.txt").write_bytes(b"changed by hand")  # metadata follows the file, not a stale record
    assert s3.get_object(Bucket=bucket, Key="by-hand/notes.txt")["Body"].read() == b"changed by hand"


@pytest.mark.parametrize("key, rule", [
    ("a/../b", "'..'"), ("./a", "'.'"), ("a//b", "empty part"), ("/lead", "empty part"),
    ("x" * 256, "longer than 255 bytes"),
])
def test_keys_that_cannot_be_files_are_refused_naming_the_rule(embedded_s3: S3Endpoint, key: str, rule: str) -> None:
    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    error = error_of(s3.put_object, Bucket=bucket, Key=key, Body=b"x")
    assert error["Code"] == "InvalidArgument" and error["Status"] == 400 and rule in error["Message"]


def test_a_key_over_1024_bytes_is_key_too_long(embedded_s3: S3Endpoint) -> None:
    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    assert error_of(s3.put_object, Bucket=bucket, Key="/".join(["x" * 200] * 6), Body=b"x")["Code"] == "KeyTooLongError"


def test_a_key_cannot_be_an_object_and_a_folder(embedded_s3: S3Endpoint) -> None:
    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    s3.put_object(Bucket=bucket, Key="report", Body=b"file")
    below = error_of(s3.put_object, Bucket=bucket, Key="report/2024.csv", Body=b"x")
    assert below["Code"] == "InvalidArgument" and "'report' is an object" in below["Message"]
    s3.put_object(Bucket=bucket, Key="data/one.csv", Body=b"1")
    over = error_of(s3.put_object, Bucket=bucket, Key="data", Body=b"x")
    assert over["Code"] == "InvalidArgument" and "folder holding other keys" in over["Message"]
    assert s3.get_object(Bucket=bucket, Key="report")["Body"].read() == b"file"  # nothing was changed


def test_the_rest_of_the_data_folder_is_out_of_reach(embedded_s3: S3Endpoint) -> None:
    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    data = embedded_s3.runtime.settings.data_dir
    assert (data / "secrets.json").exists()
    (data / "private.txt").write_text("secret")
    (embedded_s3.runtime.settings.buckets_dir / bucket / "escape").symlink_to(data / "private.txt")
    assert error_of(s3.get_object, Bucket=bucket, Key="escape")["Code"] == "NoSuchKey"  # symlinks are not followed
    assert "escape" not in str(s3.list_objects_v2(Bucket=bucket))
    assert error_of(s3.get_object, Bucket=bucket, Key="../../private.txt")["Code"] == "InvalidArgument"
    assert raw_get(embedded_s3, "/.crowdform/meta").status_code == 404  # the store's own folder is no bucket
    # Encoded dots reach the routing and are refused there (400, 404); literal ones are not even signed
    # the same way by the client and the server (403). None is ever served.
    for path in ("/%2E%2E/private.txt", f"/{bucket}/%2E%2E/%2E%2E/private.txt", f"/{bucket}/%2E%2E%2Fprivate.txt"):
        response = raw_get(embedded_s3, path)
        assert response.status_code in (400, 404) and b"secret" not in response.content, (path, response.text)
    for path in ("/../private.txt", f"/{bucket}/../../private.txt", "/.crowdform/../../private.txt", "/./meta"):
        response = raw_get(embedded_s3, path)
        assert response.status_code in (400, 403, 404) and b"secret" not in response.content
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [bucket]  # .crowdform is no bucket


def raw_get(endpoint: S3Endpoint, path: str) -> httpx.Response:
    """A GET of ``path`` exactly as written (no client normalises the dots away), signed for it."""
    request = AWSRequest("GET", endpoint.url + path)
    S3SigV4Auth(Credentials(endpoint.access_key_id, endpoint.secret_access_key), "s3", "us-east-1").add_auth(request)
    with httpx.Client() as client:
        built = client.build_request("GET", endpoint.url, headers=dict(request.headers.items()))
        built.url = built.url.copy_with(raw_path=path.encode())
        return client.send(built)


@pytest.mark.parametrize("presign_s3_urls", [False, True])
def test_grant_read_access_links_serve_embedded_objects(embedded_s3: S3Endpoint, presign_s3_urls: bool) -> None:
    from crowdform.engine.file_access import FileAccess

    s3, bucket = embedded_s3.s3(), embedded_s3.bucket()
    s3.put_object(Bucket=bucket, Key="frames/0001.png", Body=b"\x89PNG frame")
    runtime = embedded_s3.runtime
    access = FileAccess(runtime.signing_secret, runtime.storage, runtime.clock, presign_s3=presign_s3_urls)
    link = access.grant(f"s3://{bucket}/frames/0001.png")
    assert link.startswith("/files/")  # crowdform serves the embedded store itself, presigning or not
    served = httpx.get(embedded_s3.url + link)
    assert served.status_code == 200 and served.content == b"\x89PNG frame"
    assert served.headers["content-type"] == "image/png"
