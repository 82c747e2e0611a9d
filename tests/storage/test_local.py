"""Local files through Storage: every method, the storage-root checks, and atomic writes.

Real temporary folders throughout; ``root`` is the only storage root and ``outside`` a sibling
folder that must stay unreachable.
"""

from __future__ import annotations

import os
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from crowdform.errors import Forbidden, InvalidInput, NotFound
from crowdform.storage import Storage, StorageError
from crowdform.storage.local import TEMP_SUFFIX


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(b"secret")
    return folder


@pytest.fixture
def storage(root: Path) -> Storage:
    return Storage([root])


def uri(path: Path) -> str:
    return f"file://{path}"


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


# --- reading ---------------------------------------------------------------------------------


def test_read_bytes_from_a_path_and_a_file_uri(storage: Storage, root: Path) -> None:
    (root / "a.bin").write_bytes(b"\x00\x01data")
    assert storage.read_bytes(str(root / "a.bin")) == b"\x00\x01data"
    assert storage.read_bytes(uri(root / "a.bin")) == b"\x00\x01data"


def test_relative_paths_are_read_from_the_working_directory(
    storage: Storage, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "m.jsonl").write_bytes(b"{}\n")
    monkeypatch.chdir(root)
    assert storage.read_bytes("m.jsonl") == b"{}\n"


def test_read_text_decodes_utf8(storage: Storage, root: Path) -> None:
    (root / "t.html").write_bytes("<p>café ✓</p>".encode())
    assert storage.read_text(str(root / "t.html")) == "<p>café ✓</p>"


def test_read_text_names_the_uri_and_byte_offset_of_bad_utf8(storage: Storage, root: Path) -> None:
    (root / "latin1.txt").write_bytes("abc café".encode("latin-1"))
    with pytest.raises(InvalidInput) as caught:
        storage.read_text(str(root / "latin1.txt"))
    assert caught.value.source == uri(root / "latin1.txt")
    assert "byte offset 7" in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_missing_file_is_not_found_naming_the_uri(storage: Storage, root: Path) -> None:
    missing = uri(root / "nope.json")
    for read in (storage.read_bytes, storage.read_text, storage.iter_lines, storage.size):
        with pytest.raises(NotFound) as caught:
            read(missing)
        assert missing in str(caught.value)
        assert "does not exist" in str(caught.value)


def test_a_path_through_a_file_is_not_found(storage: Storage, root: Path) -> None:
    (root / "file").write_bytes(b"x")
    with pytest.raises(NotFound):
        storage.read_bytes(str(root / "file" / "child"))


def test_reading_a_folder_says_it_is_a_folder(storage: Storage, root: Path) -> None:
    (root / "folder").mkdir()
    with pytest.raises(InvalidInput, match="is a folder"):
        storage.read_bytes(str(root / "folder"))
    with pytest.raises(InvalidInput, match="is a folder"):
        storage.size(str(root / "folder"))


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
def test_iter_lines(storage: Storage, root: Path, data: bytes, lines: list[bytes]) -> None:
    (root / "m.jsonl").write_bytes(data)
    assert list(storage.iter_lines(str(root / "m.jsonl"))) == lines


def test_iter_lines_streams_a_large_manifest_in_bounded_memory(storage: Storage, root: Path) -> None:
    line = b'{"source-ref": "s3://bucket/images/000000.jpg", "metadata": "' + b"m" * 40 + b'"}'
    count = 300_000  # about 30 MB
    with open(root / "big.manifest", "wb") as stream:
        for _ in range(count // 1000):
            stream.write((line + b"\r\n") * 1000)
    tracemalloc.start()
    try:
        seen = 0
        for got in storage.iter_lines(str(root / "big.manifest")):
            seen += 1
            if got != line:
                raise AssertionError(f"line {seen} is {got[:80]!r}")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    assert peak < 2_000_000, f"iter_lines held {peak} bytes at once"


def test_iter_lines_fails_at_the_call_not_on_first_use(storage: Storage, root: Path) -> None:
    with pytest.raises(NotFound):
        storage.iter_lines(str(root / "missing.jsonl"))  # no next() needed


# --- writing ---------------------------------------------------------------------------------


def test_write_bytes_creates_parent_folders(storage: Storage, root: Path) -> None:
    target = root / "out" / "job" / "manifests" / "output.manifest"
    storage.write_bytes(str(target), b'{"a": 1}\n', content_type="application/jsonlines")
    assert target.read_bytes() == b'{"a": 1}\n'
    assert leftovers(root) == []


def test_write_bytes_replaces_an_existing_file(storage: Storage, root: Path) -> None:
    (root / "f").write_bytes(b"old")
    storage.write_bytes(uri(root / "f"), b"new")
    assert (root / "f").read_bytes() == b"new"


def test_written_files_get_the_usual_permissions(storage: Storage, root: Path) -> None:
    umask = os.umask(0o022)
    try:
        storage.write_bytes(str(root / "f"), b"x")
    finally:
        os.umask(umask)
    assert (root / "f").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0o600


def test_write_stream_writes_all_chunks(storage: Storage, root: Path) -> None:
    chunks = (f"{i}\n".encode() for i in range(10_000))
    storage.write_stream(str(root / "lines.txt"), chunks)
    assert (root / "lines.txt").read_bytes() == b"".join(f"{i}\n".encode() for i in range(10_000))
    assert leftovers(root) == []


def test_a_stream_failing_halfway_leaves_the_old_file_and_no_temp_file(storage: Storage, root: Path) -> None:
    target = root / "output.manifest"
    target.write_bytes(b"old content")
    seen_midway: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        yield b"new "
        yield b"half"
        seen_midway.append(target.read_bytes())  # what a reader sees while the write is under way
        raise RuntimeError("the consolidation hook crashed")

    with pytest.raises(RuntimeError, match="hook crashed"):
        storage.write_stream(str(target), chunks())
    assert seen_midway == [b"old content"]
    assert target.read_bytes() == b"old content"
    assert leftovers(root) == []
    assert sorted(p.name for p in root.iterdir()) == ["output.manifest"]


def test_a_stream_failing_before_the_first_write_creates_nothing(storage: Storage, root: Path) -> None:
    def chunks() -> Iterator[bytes]:
        raise ValueError("bad input")
        yield b""  # pragma: no cover

    with pytest.raises(ValueError):
        storage.write_stream(str(root / "new.json"), chunks())
    assert not (root / "new.json").exists()
    assert leftovers(root) == []


def test_a_failing_rename_is_a_storage_error_and_leaves_no_temp_file(storage: Storage, root: Path) -> None:
    target = root / "out.json"

    def chunks() -> Iterator[bytes]:
        yield b"data"
        target.mkdir()  # another process puts a folder there while we write
        (target / "inside").write_bytes(b"x")

    with pytest.raises(StorageError) as caught:
        storage.write_stream(str(target), chunks())
    assert str(caught.value).startswith(f"could not write {uri(target)}: ")
    assert caught.value.status_code == 502
    assert leftovers(root) == []
    assert (target / "inside").read_bytes() == b"x"


def test_a_file_name_too_long_is_a_readable_storage_error(storage: Storage, root: Path) -> None:
    too_long = root / ("n" * 300)
    for call in (lambda: storage.write_bytes(str(too_long), b"x"), lambda: storage.read_bytes(str(too_long))):
        with pytest.raises(StorageError, match="File name too long"):
            call()
    assert list(root.iterdir()) == []


def test_writing_to_a_folder_is_refused(storage: Storage, root: Path) -> None:
    (root / "folder").mkdir()
    with pytest.raises(InvalidInput, match="is a folder"):
        storage.write_bytes(str(root / "folder"), b"x")
    assert (root / "folder").is_dir()


def test_writing_below_a_file_is_refused(storage: Storage, root: Path) -> None:
    (root / "file").write_bytes(b"keep")
    with pytest.raises(InvalidInput, match="a file stands where one of its folders should be"):
        storage.write_bytes(str(root / "file" / "child.json"), b"x")
    assert (root / "file").read_bytes() == b"keep"


def test_a_read_only_folder_is_forbidden(storage: Storage, root: Path) -> None:
    (root / "ro").mkdir(mode=0o555)
    try:
        if os.access(root / "ro", os.W_OK):
            pytest.skip("file permissions are not enforced for this user (root with CAP_DAC_OVERRIDE)")
        with pytest.raises(Forbidden, match="may not write") as caught:
            storage.write_bytes(str(root / "ro" / "f"), b"x")
        assert uri(root / "ro" / "f") in str(caught.value)
        assert caught.value.status_code == 403
    finally:
        (root / "ro").chmod(0o755)
    assert list((root / "ro").iterdir()) == []


def test_concurrent_writes_to_one_file_never_mix(storage: Storage, root: Path) -> None:
    target = str(root / "shared.json")
    payloads = [bytes([65 + i]) * 200_000 for i in range(8)]
    errors: list[BaseException] = []

    def write(payload: bytes) -> None:
        try:
            for _ in range(5):
                storage.write_stream(target, (payload[i:i + 4096] for i in range(0, len(payload), 4096)))
        except BaseException as error:  # reported below, on the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=write, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (root / "shared.json").read_bytes() in payloads
    assert leftovers(root) == []


# --- exists, size, list, presign, local_path -------------------------------------------------


def test_exists(storage: Storage, root: Path) -> None:
    (root / "f").write_bytes(b"x")
    (root / "d").mkdir()
    assert storage.exists(str(root / "f"))
    assert not storage.exists(str(root / "missing"))
    assert not storage.exists(str(root / "d"))  # a folder is not an object


def test_size(storage: Storage, root: Path) -> None:
    (root / "f").write_bytes(b"12345")
    (root / "empty").write_bytes(b"")
    assert storage.size(str(root / "f")) == 5
    assert storage.size(str(root / "empty")) == 0


def test_list_is_recursive_sorted_and_uses_uris(storage: Storage, root: Path) -> None:
    for name in ["b.jpg", "a/2.jpg", "a/1.jpg", "a/deep/x.json", "a b/c.txt"]:
        (root / "in" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "in" / name).write_bytes(b"x")
    (root / "in" / "empty-folder").mkdir()
    expected = [uri(root / "in" / n) for n in ["a b/c.txt", "a/1.jpg", "a/2.jpg", "a/deep/x.json", "b.jpg"]]
    assert storage.list(str(root / "in")) == expected
    assert storage.list(uri(root / "in") + "/") == expected


def test_list_treats_the_prefix_as_a_folder(storage: Storage, root: Path) -> None:
    for name in ["job1/a", "job10/b", "job1.txt"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    assert storage.list(str(root / "job1")) == [uri(root / "job1" / "a")]


def test_list_of_nothing_is_empty(storage: Storage, root: Path) -> None:
    (root / "file").write_bytes(b"x")
    assert storage.list(str(root / "missing")) == []
    assert storage.list(str(root / "file")) == []


def test_list_skips_writes_in_progress(storage: Storage, root: Path) -> None:
    listed: list[list[str]] = []

    def chunks() -> Iterator[bytes]:
        yield b"partial"
        listed.append(storage.list(str(root)))
        yield b" rest"

    storage.write_stream(str(root / "out.json"), chunks())
    assert len(leftovers(root)) == 0
    assert listed == [[]]  # the temp file existed then, but was not listed
    assert storage.list(str(root)) == [uri(root / "out.json")]


def test_list_skips_symlinks_leading_outside_and_does_not_follow_folder_links(
    storage: Storage, root: Path, outside: Path
) -> None:
    (root / "real.txt").write_bytes(b"x")
    (root / "inside-link.txt").symlink_to(root / "real.txt")
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "escape-folder").symlink_to(outside, target_is_directory=True)
    (root / "dangling").symlink_to(root / "gone")
    assert storage.list(str(root)) == [uri(root / "inside-link.txt"), uri(root / "real.txt")]


def test_presign_is_none_for_local_files(storage: Storage, root: Path) -> None:
    (root / "img.jpg").write_bytes(b"x")
    assert storage.presign(str(root / "img.jpg"), 3600) is None


def test_local_path_is_the_resolved_real_path(storage: Storage, root: Path) -> None:
    (root / "real").mkdir()
    (root / "link").symlink_to(root / "real", target_is_directory=True)
    assert storage.local_path(uri(root / "link" / "f.txt")) == root / "real" / "f.txt"
    assert storage.local_path(str(root / "a" / ".." / "b")) == root / "b"


def test_local_path_of_an_s3_uri_is_refused(storage: Storage) -> None:
    with pytest.raises(InvalidInput, match="is in S3"):
        storage.local_path("s3://bucket/key")


def test_roots_are_resolved(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    storage = Storage([tmp_path / "alias", tmp_path / "real"])
    assert storage.roots == (tmp_path / "real",)
    storage.write_bytes(str(tmp_path / "alias" / "f"), b"via the alias")
    assert (tmp_path / "real" / "f").read_bytes() == b"via the alias"


def test_a_single_path_is_not_mistaken_for_a_list_of_roots(root: Path) -> None:
    with pytest.raises(TypeError):
        Storage(str(root))  # type: ignore[arg-type]


# --- the storage roots ------------------------------------------------------------------------


def escapes(root: Path, outside: Path) -> dict[str, str]:
    """Ways of naming ``outside/secret.txt`` (or a new file next to it) from a Storage rooted at ``root``."""
    (root / "file-link").symlink_to(outside / "secret.txt")
    (root / "folder-link").symlink_to(outside, target_is_directory=True)
    (root / "dangling-link").symlink_to(outside / "not-yet.txt")
    return {
        "absolute path": str(outside / "secret.txt"),
        "file uri": uri(outside / "secret.txt"),
        "dot-dot": str(root / ".." / "outside" / "secret.txt"),
        "dot-dot uri": f"file://{root}/../outside/secret.txt",
        "symlinked file": str(root / "file-link"),
        "symlinked folder": str(root / "folder-link" / "secret.txt"),
        "dangling symlink": str(root / "dangling-link"),
        "root prefix trick": str(root) + "-evil/secret.txt",
    }


ESCAPE_NAMES = [
    "absolute path", "file uri", "dot-dot", "dot-dot uri",
    "symlinked file", "symlinked folder", "dangling symlink", "root prefix trick",
]


@pytest.mark.parametrize("how", ESCAPE_NAMES)
def test_reading_outside_the_roots_is_refused(storage: Storage, root: Path, outside: Path, how: str) -> None:
    target = escapes(root, outside)[how]
    for call in (storage.read_bytes, storage.read_text, storage.iter_lines, storage.size,
                 storage.exists, storage.list, storage.local_path):
        with pytest.raises(InvalidInput) as caught:
            call(target)
        message = str(caught.value)
        assert "is outside the storage roots" in message
        assert str(root) in message  # names the roots
        assert "crowdform.toml" in message and "CROWDFORM_STORAGE_ROOTS" in message
        assert caught.value.source == storage.normalize(target)  # names the URI


@pytest.mark.parametrize("how", ESCAPE_NAMES)
def test_writing_outside_the_roots_is_refused_and_changes_nothing(
    storage: Storage, root: Path, outside: Path, how: str
) -> None:
    target = escapes(root, outside)[how]
    before = sorted(p.name for p in outside.iterdir())
    with pytest.raises(InvalidInput, match="is outside the storage roots"):
        storage.write_bytes(target, b"overwritten")
    with pytest.raises(InvalidInput, match="is outside the storage roots"):
        storage.write_stream(target, [b"overwritten"])
    assert (outside / "secret.txt").read_bytes() == b"secret"
    assert sorted(p.name for p in outside.iterdir()) == before
    assert not Path(str(root) + "-evil").exists()


def test_writing_does_not_create_folders_outside_the_roots(storage: Storage, root: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is outside the storage roots"):
        storage.write_bytes(str(root / ".." / "new-folder" / "f.json"), b"x")
    assert not (tmp_path / "new-folder").exists()


def test_relative_dot_dot_from_inside_a_root_is_refused(
    storage: Storage, root: Path, outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(root)
    with pytest.raises(InvalidInput, match="is outside the storage roots"):
        storage.read_bytes("../outside/secret.txt")


def test_symlinks_that_stay_inside_the_roots_work(storage: Storage, root: Path) -> None:
    (root / "data").mkdir()
    (root / "data" / "m.jsonl").write_bytes(b"line\n")
    (root / "alias").symlink_to(root / "data", target_is_directory=True)
    assert storage.read_bytes(str(root / "alias" / "m.jsonl")) == b"line\n"
    storage.write_bytes(str(root / "alias" / "new.json"), b"{}")
    assert (root / "data" / "new.json").read_bytes() == b"{}"


def test_dot_dot_that_stays_inside_the_roots_works(storage: Storage, root: Path) -> None:
    (root / "a").mkdir()
    (root / "b.txt").write_bytes(b"ok")
    assert storage.read_bytes(f"file://{root}/a/../b.txt") == b"ok"


def test_any_of_several_roots_may_be_used(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    storage = Storage([first, second])
    storage.write_bytes(str(first / "x"), b"1")
    storage.write_bytes(str(second / "y"), b"2")
    assert [storage.read_bytes(str(first / "x")), storage.read_bytes(str(second / "y"))] == [b"1", b"2"]


def test_without_roots_no_local_file_is_reachable(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    storage = Storage([])
    with pytest.raises(InvalidInput, match="no storage roots are configured"):
        storage.read_bytes(str(tmp_path / "f"))


def test_a_symlink_loop_is_invalid_input(storage: Storage, root: Path) -> None:
    (root / "loop-a").symlink_to(root / "loop-b")
    (root / "loop-b").symlink_to(root / "loop-a")
    with pytest.raises(InvalidInput):
        storage.read_bytes(str(root / "loop-a"))
