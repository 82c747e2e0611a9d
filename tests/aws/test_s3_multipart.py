"""Multipart uploads with real boto3 clients (``upload_file`` and the operations one by one), on both set-ups."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from boto3.s3.transfer import TransferConfig

from tests.aws.s3_fixtures import S3Endpoint, error_of

MB = 1024 * 1024
SMALL_PARTS = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB, max_concurrency=2)


def test_upload_file_and_download_file_of_a_multipart_file(s3_endpoint: S3Endpoint, tmp_path: Path) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(11 * MB + 123))
    s3.upload_file(str(source), bucket, "data/big.bin", Config=SMALL_PARTS)
    head = s3.head_object(Bucket=bucket, Key="data/big.bin", ChecksumMode="ENABLED")
    assert head["ContentLength"] == source.stat().st_size
    part_md5s = [hashlib.md5(source.read_bytes()[i:i + 5 * MB]).digest() for i in range(0, source.stat().st_size, 5 * MB)]
    assert head["ETag"] == f'"{hashlib.md5(b"".join(part_md5s)).hexdigest()}-3"'  # S3's multipart ETag
    if s3_endpoint.backend == "embedded":  # moto computes a full-object CRC32 instead
        assert head["ChecksumCRC32"].endswith("-3")  # boto3's default: a composite CRC32 of the parts
    back = tmp_path / "back.bin"
    s3.download_file(bucket, "data/big.bin", str(back), Config=SMALL_PARTS)  # ranged GETs in parallel
    assert back.read_bytes() == source.read_bytes()


def test_multipart_operations_one_by_one(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="joined", ContentType="text/csv", Metadata={"k": "v"})
    upload_id = upload["UploadId"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", ())] == [upload_id]
    first = s3.upload_part(Bucket=bucket, Key="joined", UploadId=upload_id, PartNumber=1, Body=b"a" * (5 * MB))
    second = s3.upload_part(Bucket=bucket, Key="joined", UploadId=upload_id, PartNumber=2, Body=b"b" * (5 * MB))
    third = s3.upload_part(Bucket=bucket, Key="joined", UploadId=upload_id, PartNumber=3, Body=b"tail")
    listed = s3.list_parts(Bucket=bucket, Key="joined", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed] == [
        (1, 5 * MB, first["ETag"]), (2, 5 * MB, second["ETag"]), (3, 4, third["ETag"])]
    parts = [{"PartNumber": n, "ETag": part["ETag"]} for n, part in ((1, first), (2, second), (3, third))]
    wrong_etag = [parts[0], {"PartNumber": 2, "ETag": '"00000000000000000000000000000000"'}, parts[2]]
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="joined", UploadId=upload_id,
                    MultipartUpload={"Parts": wrong_etag})["Code"] == "InvalidPart"
    if s3_endpoint.backend == "embedded":  # moto joins parts listed out of order
        assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="joined", UploadId=upload_id,
                        MultipartUpload={"Parts": [parts[1], parts[0], parts[2]]})["Code"] == "InvalidPartOrder"
    done = s3.complete_multipart_upload(Bucket=bucket, Key="joined", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["ETag"].endswith('-3"')
    got = s3.get_object(Bucket=bucket, Key="joined")
    assert got["Body"].read() == b"a" * (5 * MB) + b"b" * (5 * MB) + b"tail"
    assert got["ContentType"] == "text/csv" and got["Metadata"] == {"k": "v"}
    assert error_of(s3.list_parts, Bucket=bucket, Key="joined", UploadId=upload_id)["Code"] == "NoSuchUpload"


def test_small_parts_are_entity_too_small_and_abort_forgets(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=n,
                                                      Body=b"tiny")["ETag"]} for n in (1, 2)]
    assert error_of(s3.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=upload_id,
                    MultipartUpload={"Parts": parts})["Code"] == "EntityTooSmall"
    s3.abort_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id)
    refused = error_of(s3.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=3, Body=b"x")
    if s3_endpoint.backend == "embedded":  # moto answers 500 here
        assert refused["Code"] == "NoSuchUpload" and refused["Status"] == 404
    assert error_of(s3.head_object, Bucket=bucket, Key="k")["Status"] == 404
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_upload_part_copy(s3_endpoint: S3Endpoint) -> None:
    s3, bucket = s3_endpoint.s3(), s3_endpoint.bucket()
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789" * (MB // 2))  # 5 MiB
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copied")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "source"})["CopyPartResult"]["ETag"]
    second = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "source"},
                                 CopySourceRange="bytes=0-4")["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 2, "ETag": second}]})
    body = s3.get_object(Bucket=bucket, Key="copied")["Body"].read()
    assert body == b"0123456789" * (MB // 2) + b"01234"
