"""Object operations with real boto3 clients, on the embedded store and passed through to moto."""

from __future__ import annotations

import datetime
import hashlib

import pytest

from tests.aws.s3_fixtures import S3Endpoint, error_of


def test_put_get_head_round_trip_with_metadata_and_checksums(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    put = s3.put_object(Bucket=bucket, Key="a b/c+d%e.txt", Body=b"hello", ContentType="text/plain",
                        Metadata={"team": "owls"}, ContentDisposition="attachment")
    assert put["ETag"] == f'"{hashlib.md5(b"hello").hexdigest()}"'
    assert put["ChecksumCRC32"] == "NhCmhg=="  # boto3 sent CRC32 by default, and it was checked
    got = s3.get_object(Bucket=bucket, Key="a b/c+d%e.txt", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"team": "owls"}
    assert got["ContentDisposition"] == "attachment" and got["ETag"] == put["ETag"]
    assert got["ChecksumCRC32"] == "NhCmhg=="
    head = s3.head_object(Bucket=bucket, Key="a b/c+d%e.txt")
    assert head["ContentLength"] == 5 and head["ETag"] == put["ETag"]
    assert isinstance(head["LastModified"], datetime.datetime)


@pytest.mark.parametrize("algorithm", ["SHA256", "SHA1", "CRC32"])
def test_other_checksum_algorithms_are_checked_and_returned(s3_endpoint: S3Endpoint, algorithm: str) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"data", ChecksumAlgorithm=algorithm)
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"data" and got[f"Checksum{algorithm}"] == put[f"Checksum{algorithm}"]


def test_a_wrong_checksum_is_bad_digest_and_keeps_nothing(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    error = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"data", ChecksumCRC32="AAAAAA==")
    assert error["Code"] in ("BadDigest", "InvalidRequest") and error["Status"] == 400
    assert error_of(s3.head_object, Bucket=bucket, Key="k")["Status"] == 404


def test_a_wrong_content_md5_is_bad_digest(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    wrong = "1B2M2Y8AsgTpgAmY7PhCfg=="  # the MD5 of nothing
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"data", ContentMD5=wrong)["Code"] == "BadDigest"


def test_missing_keys_and_buckets_have_their_codes(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    assert error_of(s3.get_object, Bucket=bucket, Key="nope")["Code"] == "NoSuchKey"
    assert error_of(s3.head_object, Bucket=bucket, Key="nope")["Status"] == 404
    assert error_of(s3.get_object, Bucket="no-such-bucket-at-all", Key="k")["Code"] == "NoSuchBucket"
    assert error_of(s3.put_object, Bucket="no-such-bucket-at-all", Key="k", Body=b"x")["Code"] == "NoSuchBucket"


def test_ranges(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    s3.put_object(Bucket=bucket, Key="k", Body=b"0123456789")
    part = s3.get_object(Bucket=bucket, Key="k", Range="bytes=2-4")
    assert part["Body"].read() == b"234" and part["ContentRange"] == "bytes 2-4/10"
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert s3.get_object(Bucket=bucket, Key="k", Range="bytes=7-")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="k", Range="bytes=-3")["Body"].read() == b"789"
    assert s3.get_object(Bucket=bucket, Key="k", Range="bytes=8-100")["Body"].read() == b"89"
    error = error_of(s3.get_object, Bucket=bucket, Key="k", Range="bytes=20-30")
    assert error["Code"] == "InvalidRange" and error["Status"] == 416


def test_conditional_reads(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"v1")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch=etag)["Body"].read() == b"v1"
    assert error_of(s3.get_object, Bucket=bucket, Key="k", IfMatch='"0000"')["Code"] == "PreconditionFailed"
    assert error_of(s3.get_object, Bucket=bucket, Key="k", IfNoneMatch=etag)["Status"] == 304
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    assert error_of(s3.get_object, Bucket=bucket, Key="k", IfModifiedSince=later)["Status"] == 304
    earlier = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    assert error_of(s3.get_object, Bucket=bucket, Key="k", IfUnmodifiedSince=earlier)["Code"] == "PreconditionFailed"


def test_response_overrides(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    s3.put_object(Bucket=bucket, Key="k.bin", Body=b"x")
    got = s3.get_object(Bucket=bucket, Key="k.bin", ResponseContentType="image/png",
                        ResponseContentDisposition="inline")
    assert got["ContentType"] == "image/png" and got["ContentDisposition"] == "inline"


def test_put_if_none_match_refuses_an_existing_key(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    s3.put_object(Bucket=bucket, Key="k", Body=b"first", IfNoneMatch="*")
    assert error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"second", IfNoneMatch="*")["Code"] == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"


def test_copy_object_keeps_or_replaces_metadata(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    s3.put_object(Bucket=bucket, Key="src", Body=b"payload", ContentType="text/csv", Metadata={"a": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst/kept", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"payload").hexdigest()}"'
    kept = s3.get_object(Bucket=bucket, Key="dst/kept")
    assert kept["Body"].read() == b"payload" and kept["ContentType"] == "text/csv" and kept["Metadata"] == {"a": "1"}
    s3.copy_object(Bucket=bucket, Key="dst/new", CopySource=f"{bucket}/src", MetadataDirective="REPLACE",
                   ContentType="text/plain", Metadata={"b": "2"})
    replaced = s3.head_object(Bucket=bucket, Key="dst/new")
    assert replaced["ContentType"] == "text/plain" and replaced["Metadata"] == {"b": "2"}
    assert error_of(s3.copy_object, Bucket=bucket, Key="src", CopySource=f"{bucket}/src")["Code"] == "InvalidRequest"
    assert error_of(s3.copy_object, Bucket=bucket, Key="x", CopySource=f"{bucket}/none")["Code"] == "NoSuchKey"


def test_delete_object_and_delete_objects(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    for key in ("a", "b/c", "b/d"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.delete_object(Bucket=bucket, Key="a")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="a")["ResponseMetadata"]["HTTPStatusCode"] == 204  # again: fine
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b/c"}, {"Key": "b/d"}, {"Key": "zz"}]})
    assert sorted(item["Key"] for item in result["Deleted"]) == ["b/c", "b/d", "zz"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "x"}], "Quiet": True})
    if s3_endpoint.backend == "embedded":  # moto lists deleted keys even in quiet mode; S3 does not
        assert "Deleted" not in quiet and "Errors" not in quiet
