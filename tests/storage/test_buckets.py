"""The embedded S3 store as the engine uses it (Storage with buckets_dir and no s3_endpoint_url), and the
guarantees of its layout: atomic replacement, metadata that always matches the bytes it is read with,
listings in S3's order."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from crowdform.errors import InvalidInput, NotFound
from crowdform.storage import Storage
from crowdform.storage.buckets import BucketStore
from crowdform.storage.buckets.errors import KeyConflict, NoSuchBucket
from crowdform.storage.buckets.multipart import ListedPart, Uploads


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    storage = Storage([tmp_path], buckets_dir=tmp_path / "buckets")
    assert storage.buckets is not None
    storage.buckets.create_bucket("jobs")
    return storage


def test_storage_routes_s3_uris_to_the_embedded_store_without_an_endpoint(tmp_path: Path) -> None:
    assert Storage([tmp_path], buckets_dir=tmp_path / "b").buckets is not None
    assert Storage([tmp_path], buckets_dir=tmp_path / "b", s3_endpoint_url="http://127.0.0.1:9").buckets is None


def test_write_read_lines_size_exists(storage: Storage, tmp_path: Path) -> None:
    storage.write_bytes("s3://jobs/in/manifest.jsonl", b'{"a": 1}\r\n\n{"b": 2}', content_type="application/jsonl")
    assert (tmp_path / "buckets" / "jobs" / "in" / "manifest.jsonl").read_bytes() == b'{"a": 1}\r\n\n{"b": 2}'
    assert list(storage.iter_lines("s3://jobs/in/manifest.jsonl")) == [b'{"a": 1}', b"", b'{"b": 2}']
    assert storage.read_text("s3://jobs/in/manifest.jsonl").startswith('{"a"')
    assert storage.size("s3://jobs/in/manifest.jsonl") == 19
    assert storage.exists("s3://jobs/in/manifest.jsonl") and not storage.exists("s3://jobs/in/other")
    assert storage.presign("s3://jobs/in/manifest.jsonl", 60) is None  # crowdform's /files/ links serve it
    assert storage.buckets is not None
    assert storage.buckets.head("jobs", "in/manifest.jsonl").content_type == "application/jsonl"


def test_a_stream_failing_halfway_leaves_the_old_object(storage: Storage, tmp_path: Path) -> None:
    storage.write_bytes("s3://jobs/out.txt", b"old")

    def chunks():  # type: ignore[no-untyped-def]
        yield b"new"
        raise RuntimeError("the caller failed")

    with pytest.raises(RuntimeError):
        storage.write_stream("s3://jobs/out.txt", chunks())
    assert storage.read_bytes("s3://jobs/out.txt") == b"old"
    assert list((tmp_path / "buckets" / ".crowdform" / "tmp").iterdir()) == []


def test_list_is_recursive_sorted_folder_like_and_skips_markers(storage: Storage) -> None:
    for key in ("job1/b", "job1/a/x", "job10/c", "job1-x", "job1/m/"):
        storage.write_bytes(f"s3://jobs/{key}", b"")
    assert storage.list("s3://jobs/job1") == ["s3://jobs/job1/a/x", "s3://jobs/job1/b"]
    assert storage.list("s3://jobs/job1/") == ["s3://jobs/job1/a/x", "s3://jobs/job1/b"]
    assert storage.list("s3://jobs") == ["s3://jobs/job1-x", "s3://jobs/job1/a/x", "s3://jobs/job1/b",
                                         "s3://jobs/job10/c"]
    assert storage.list("s3://jobs/nothing") == []


def test_missing_things_are_not_found_and_bad_keys_are_invalid(storage: Storage) -> None:
    with pytest.raises(NotFound, match="no object"):
        storage.read_bytes("s3://jobs/missing")
    with pytest.raises(NoSuchBucket, match="does not exist"):
        storage.read_bytes("s3://nobucket/key")
    with pytest.raises(NotFound):
        storage.exists("s3://nobucket/key")
    with pytest.raises(InvalidInput, match="'..'"):
        storage.write_bytes("s3://jobs/a/../b", b"x")
    storage.write_bytes("s3://jobs/file", b"x")
    with pytest.raises(KeyConflict):
        storage.write_bytes("s3://jobs/file/below", b"x")


def test_a_reader_racing_writers_always_gets_the_metadata_of_the_bytes_it_reads(tmp_path: Path) -> None:
    store = BucketStore(tmp_path / "buckets")
    store.create_bucket("race")
    stop = threading.Event()
    failures: list[str] = []

    def write(worker: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            body = f"<{worker}-{n}>".encode() * (n % 7 + 1)
            with store.temp_object() as temp:
                temp.write(body)
                store.commit("race", "hot/key", temp, content_type=f"text/x-{worker}-{n}")

    writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in writers:
        thread.start()
    try:
        for _ in range(400):
            try:
                with store.open("race", "hot/key") as stored:
                    data, meta = b"".join(stored.chunks()), stored.meta
            except NotFound:
                continue  # not written yet
            version = data[1:data.index(b">")].decode()
            if meta.content_type != f"text/x-{version}" or meta.etag != hashlib.md5(data).hexdigest() or meta.size != len(data):
                failures.append(f"{meta.content_type} {meta.size} with {data[:20]!r}")
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert failures == []


def test_multipart_parts_join_into_one_object(tmp_path: Path) -> None:
    store = BucketStore(tmp_path / "buckets")
    store.create_bucket("parts")
    uploads = Uploads(store)
    upload = uploads.create("parts", "joined.bin", content_type="application/x-test")
    listed = []
    for number, body in ((1, b"a" * (5 * 1024 * 1024)), (2, b"end")):
        temp = uploads.temp_part()
        temp.write(body)
        part = uploads.commit_part(upload, number, temp, None)
        listed.append(ListedPart(number, part.etag))
    meta = uploads.complete(upload, listed)
    assert meta.size == 5 * 1024 * 1024 + 3 and meta.etag.endswith("-2") and meta.parts == 2
    assert (tmp_path / "buckets" / "parts" / "joined.bin").stat().st_size == meta.size
    assert list((tmp_path / "buckets" / ".crowdform" / "uploads" / "parts").iterdir()) == []


def test_a_file_written_to_a_fresh_buckets_folder_by_path_reads_as_an_object(tmp_path: Path) -> None:
    """The engine writes local output into ``buckets/`` by path before the store has made its own
    folders; the object is readable by its ``s3://`` name (its metadata derived then), and a path in a
    bucket is named that way for hooks."""
    (tmp_path / "buckets" / "out" / "job").mkdir(parents=True)
    (tmp_path / "buckets" / "out" / "job" / "request.json").write_text("[]")
    storage = Storage([tmp_path], buckets_dir=tmp_path / "buckets")
    assert storage.read_bytes("s3://out/job/request.json") == b"[]"
    assert storage.as_s3_uri(str(tmp_path / "buckets" / "out" / "job" / "request.json")) == "s3://out/job/request.json"
    assert storage.as_s3_uri(str(tmp_path / "buckets" / "out" / "job") + "/") == "s3://out/job/"
    assert storage.as_s3_uri(str(tmp_path / "elsewhere.json")) == str(tmp_path / "elsewhere.json")
    external = Storage([tmp_path], buckets_dir=tmp_path / "buckets", s3_endpoint_url="http://127.0.0.1:9")
    assert external.as_s3_uri("s3://out/job/request.json") == "s3://out/job/request.json"
