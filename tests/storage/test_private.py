"""The private area and hidden names: what the local store refuses whatever the storage roots say.

``root`` is the storage root (a working directory, say) and holds ``data``, crowdform's data folder,
whose ``buckets`` folder is the one public part of it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crowdform.errors import Forbidden, InvalidInput
from crowdform.storage import Storage


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    (folder / "data" / "buckets" / "demo").mkdir(parents=True)
    (folder / "data" / "hook-envs").mkdir()
    (folder / "data" / "secrets.json").write_text('{"session_secret": "s"}')
    (folder / "data" / "crowdform.db").write_bytes(b"SQLite format 3\x00")
    (folder / "data" / "hook-envs" / "python").write_text("#!")
    (folder / "data" / "buckets" / "demo" / "cat.png").write_bytes(b"png")
    (folder / "images").mkdir()
    (folder / "images" / "dog.png").write_bytes(b"png")
    return folder


@pytest.fixture
def storage(root: Path) -> Storage:
    data = root / "data"
    return Storage([root], private=[data], public=[data / "buckets"])


@pytest.mark.parametrize("name", ["data/secrets.json", "data/crowdform.db", "data/hook-envs/python", "data"])
def test_the_data_folder_is_refused_for_every_operation(storage: Storage, root: Path, name: str) -> None:
    target = str(root / name)
    for call in (storage.read_bytes, storage.iter_lines, storage.exists, storage.size, storage.local_path):
        with pytest.raises(Forbidden, match="private data folder"):
            call(target)
    with pytest.raises(Forbidden, match=r"private data folder .*put job files under .*buckets"):
        storage.write_bytes(str(root / "data" / "new.json"), b"{}")
    assert not (root / "data" / "new.json").exists()


def test_the_buckets_folder_inside_it_is_public(storage: Storage, root: Path) -> None:
    assert storage.read_bytes(f"file://{root}/data/buckets/demo/cat.png") == b"png"
    storage.write_bytes(str(root / "data" / "buckets" / "demo" / "out.json"), b"{}")
    assert (root / "data" / "buckets" / "demo" / "out.json").read_bytes() == b"{}"


def test_symlinks_and_dots_into_the_data_folder_are_followed_then_refused(storage: Storage, root: Path) -> None:
    (root / "images" / "innocent.png").symlink_to(root / "data" / "secrets.json")
    (root / "images" / "folder").symlink_to(root / "data")
    for sneaky in ("images/innocent.png", "images/folder/crowdform.db", "data/buckets/../secrets.json",
                   "images/folder/buckets/../secrets.json"):
        with pytest.raises(Forbidden):
            storage.read_bytes(str(root / sneaky))
    assert storage.read_bytes(str(root / "images" / "folder" / "buckets" / "demo" / "cat.png")) == b"png"


def test_a_private_file_outside_the_private_folder_is_refused_too(tmp_path: Path, root: Path) -> None:
    database = root / "elsewhere.db"
    database.write_bytes(b"SQLite")
    storage = Storage([root], private=[root / "data", database])
    with pytest.raises(Forbidden):
        storage.read_bytes(str(database))


def test_listing_skips_private_and_hidden_entries_but_walks_into_public_ones(storage: Storage, root: Path) -> None:
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]")
    (root / "images" / ".env").write_text("KEY=1")
    (root / "images" / "alias.png").symlink_to(root / "data" / "crowdform.db")
    assert storage.list(str(root)) == [f"file://{root}/data/buckets/demo/cat.png", f"file://{root}/images/dog.png"]


@pytest.mark.parametrize("name", [".ssh/id_rsa", ".aws/credentials", ".env", "project/.git/config",
                                  "images/.hidden.png"])
def test_hidden_names_below_a_root_are_refused(storage: Storage, root: Path, name: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("secret")
    with pytest.raises(Forbidden, match=r"hidden folder or file '\.[a-z.]+'"):
        storage.read_bytes(str(path))
    with pytest.raises(Forbidden, match="hidden"):
        storage.write_bytes(str(path), b"overwritten")
    assert path.read_text() == "secret"


def test_a_symlink_to_a_hidden_file_is_refused_and_a_root_inside_a_hidden_folder_is_not(tmp_path: Path,
                                                                                       root: Path) -> None:
    (root / ".ssh").mkdir()
    (root / ".ssh" / "id_rsa").write_text("key")
    (root / "images" / "key.png").symlink_to(root / ".ssh" / "id_rsa")
    with pytest.raises(Forbidden, match="'.ssh'"):
        Storage([root]).read_bytes(str(root / "images" / "key.png"))
    hidden_home = tmp_path / ".local" / "share" / "jobs"
    hidden_home.mkdir(parents=True)
    (hidden_home / "manifest.jsonl").write_text("{}\n")
    assert Storage([hidden_home]).read_bytes(str(hidden_home / "manifest.jsonl")) == b"{}\n"
    # Under two roots, one that sees no hidden name is enough.
    assert Storage([tmp_path, hidden_home]).read_bytes(str(hidden_home / "manifest.jsonl")) == b"{}\n"
    with pytest.raises(Forbidden):
        Storage([tmp_path]).read_bytes(str(hidden_home / "manifest.jsonl"))


def test_outside_the_roots_is_still_invalid_input_not_forbidden(storage: Storage, tmp_path: Path) -> None:
    (tmp_path / "other.txt").write_text("x")
    with pytest.raises(InvalidInput, match="outside the storage roots"):
        storage.read_bytes(str(tmp_path / "other.txt"))


def test_the_name_check_finds_paths_and_file_uris_into_the_private_area(storage: Storage, root: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(root)
    (root / "images" / "link.png").symlink_to(root / "data" / "crowdform.db")
    check = storage.private_name_check()
    secrets = f"file://{root}/data/secrets.json"
    assert check(str(root / "data" / "secrets.json")) == secrets
    assert check(secrets) == secrets
    assert check("file://localhost" + str(root / "data" / "secrets.json")) == secrets
    assert check("data/secrets.json") == secrets  # relative to the working directory
    assert check("images/../data/crowdform.db") == f"file://{root}/data/crowdform.db"
    assert check("images/link.png") == f"file://{root}/images/link.png"
    assert check(f"{root}/data/no-such/file.png") == f"file://{root}/data/no-such/file.png"
    for fine in ("images/dog.png", f"{root}/data/buckets/demo/cat.png", "s3://bucket/data/secrets.json",
                 "https://example.com/data/secrets.json", "secrets.json", "The ratio is 1/2", "", "a" * 5000 + "/b",
                 "data:image/png;base64,AAAA", "file://other-host/x/y"):
        assert check(fine) is None, fine


def test_the_runtime_makes_the_data_folder_and_a_sqlite_database_elsewhere_private(tmp_path: Path) -> None:
    from crowdform.engine.runtime import open_storage
    from crowdform.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path}/db/jobs.db",
                        storage_roots=(tmp_path,))
    private = open_storage(settings).private
    assert (tmp_path / "data").resolve() in private
    assert {tmp_path.resolve() / "db" / name for name in ("jobs.db", "jobs.db-wal", "jobs.db-shm",
                                                          "jobs.db-writer.lock")} <= set(private)
    assert Settings(data_dir=tmp_path / "d", database_url="postgresql+psycopg://u@h/db").private_paths == (
        (tmp_path / "d").resolve(),)
    assert os.path.basename(Settings(data_dir=tmp_path / "d").private_paths[1]) == "crowdform.db"
