"""Bucket operations and listings with real boto3 clients, on the embedded store and through to moto."""

from __future__ import annotations

import pytest

from tests.aws.s3_fixtures import S3Endpoint, error_of

KEYS = ["a-c", "a/b", "a/c/d", "a0", "b b/x+y", "photos/2024/cat.jpg", "photos/2024/dog.jpg",
        "photos/2025/owl.jpg", "zeta"]


def fill(s3: object, bucket: str) -> None:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())  # type: ignore[attr-defined]


def test_create_list_head_locate_and_delete_buckets(s3_endpoint: S3Endpoint) -> None:
    s3 = s3_endpoint.s3()
    bucket = s3_endpoint.bucket("life")
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    if s3_endpoint.backend == "embedded":  # moto (like S3 in us-east-1) answers 200 to creating it again
        assert error_of(s3.create_bucket, Bucket=bucket)["Code"] == "BucketAlreadyOwnedByYou"
    assert s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None  # us-east-1
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(s3.delete_bucket, Bucket=bucket)["Code"] == "BucketNotEmpty"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)
    assert error_of(s3.head_bucket, Bucket=bucket)["Status"] == 404
    assert error_of(s3.delete_bucket, Bucket=bucket)["Code"] == "NoSuchBucket"


@pytest.mark.parametrize("name", ["ab", "UPPER-case", "under_score", "-dash-first", "a..b", "192.168.1.1",
                                  "x" * 64, "xn--punycode"])
def test_bucket_names_follow_s3s_rules(embedded_s3: S3Endpoint, name: str) -> None:
    from botocore.exceptions import ParamValidationError

    try:
        error = error_of(embedded_s3.s3().create_bucket, Bucket=name)
    except ParamValidationError:
        return  # boto3 refused it before sending: fine too
    assert error["Code"] == "InvalidBucketName" and error["Status"] == 400


def test_list_v2_with_prefix_delimiter_and_url_encoding(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    fill(s3, bucket)
    everything = s3.list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in everything["Contents"]] == sorted(KEYS)  # S3's byte order: "a-c" < "a/b"
    assert everything["KeyCount"] == len(KEYS) and not everything["IsTruncated"]
    assert everything["Contents"][0]["Size"] == len("a-c") and everything["Contents"][0]["ETag"].startswith('"')
    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [item["Key"] for item in top["Contents"]] == ["a-c", "a0", "zeta"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["a/", "b b/", "photos/"]
    years = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in years["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    assert "Contents" not in years
    cats = s3.list_objects_v2(Bucket=bucket, Prefix="photos/2024/c")
    assert [item["Key"] for item in cats["Contents"]] == ["photos/2024/cat.jpg"]
    dashes = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="2")
    assert [p["Prefix"] for p in dashes["CommonPrefixes"]] == ["photos/2"]
    assert s3.list_objects_v2(Bucket=bucket, StartAfter="photos/2024/dog.jpg")["Contents"][0]["Key"] == "photos/2025/owl.jpg"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="nothing/")


def test_list_v2_pages_with_continuation_tokens(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    fill(s3, bucket)
    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=3, Delimiter="/")
    assert first["IsTruncated"] and first["KeyCount"] == 3
    keys, prefixes = [], []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}):
        keys += [item["Key"] for item in page.get("Contents", ())]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", ())]
    assert keys == ["a-c", "a0", "zeta"] and prefixes == ["a/", "b b/", "photos/"]
    flat = [item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, PaginationConfig={"PageSize": 3}) for item in page.get("Contents", ())]
    assert flat == sorted(KEYS)


def test_list_v1_with_markers(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    fill(s3, bucket)
    first = s3.list_objects(Bucket=bucket, MaxKeys=4)
    assert [item["Key"] for item in first["Contents"]] == sorted(KEYS)[:4] and first["IsTruncated"]
    rest = s3.list_objects(Bucket=bucket, Marker=first["Contents"][-1]["Key"])
    assert [item["Key"] for item in rest["Contents"]] == sorted(KEYS)[4:]
    if s3_endpoint.backend == "moto":
        return  # moto's NextMarker paging with a delimiter repeats prefixes; S3 (and crowdform) do not
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket, Delimiter="/",
                                                           PaginationConfig={"PageSize": 2}))
    assert [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", ())] == ["a/", "b b/", "photos/"]
    assert [item["Key"] for page in pages for item in page.get("Contents", ())] == ["a-c", "a0", "zeta"]


def test_folder_markers_are_listed_as_keys(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    s3.put_object(Bucket=bucket, Key="reports/", Body=b"")  # what the S3 console's "Create folder" makes
    s3.put_object(Bucket=bucket, Key="reports/q1.csv", Body=b"1")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix="reports/")
    assert [item["Key"] for item in listed["Contents"]] == ["reports/", "reports/q1.csv"]
    assert s3.head_object(Bucket=bucket, Key="reports/")["ContentLength"] == 0
    s3.delete_object(Bucket=bucket, Key="reports/q1.csv")
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["reports/"]
    s3.delete_object(Bucket=bucket, Key="reports/")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
