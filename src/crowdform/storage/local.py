"""Local files, confined to the storage roots and kept out of crowdform's private area.

Manifests, templates and job output name local files by URI, and those URIs come from users. So
every access first resolves the path -- following symlinks and ``..`` with :meth:`Path.resolve` --
and refuses it unless the *real* path lies inside one of the configured roots. All I/O then goes
to that resolved path, never to the path as written, so what was checked is what is opened.

Two more rules hold whatever the roots say (docs/decisions.md, "What may be served"), so that no caller can forget them:

* **Private folders** (the runtime gives them: the data folder with its database, secrets, logs,
  locks and hook environments) are refused, apart from the public folders inside them (the
  data folder's ``buckets/``, the embedded S3 store's content). A working directory that holds the
  data folder is a root, and the database still cannot be read through it.
* **Hidden names**: a path whose part below its storage root starts with ``.`` (``.ssh``,
  ``.aws``, ``.env``, ``.git``) is refused. A root that is itself inside a hidden folder is fine:
  only what lies below a root counts.

Writes are atomic: the data goes to a hidden temporary file in the target's folder, is fsynced, and
replaces the target with :func:`os.replace`. A reader sees the old file or the new one, never half
of one, and a failed write (the caller's iterator raising, a full disk) removes its temporary file.

Stateless apart from the roots, so one instance is safe to share between threads.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from crowdform.errors import CrowdformError, Forbidden, InvalidInput, NotFound
from crowdform.storage.errors import StorageError
from crowdform.storage.lines import CHUNK_SIZE, split_lines
from crowdform.storage.uris import LocalLocation, join

TEMP_SUFFIX = ".crowdform-tmp"


class LocalStore:
    """Reads and writes files under ``roots``, outside ``private`` unless inside ``public``; refuses everything else."""

    def __init__(self, roots: Sequence[str | os.PathLike[str]], *,
                 private: Sequence[str | os.PathLike[str]] = (),
                 public: Sequence[str | os.PathLike[str]] = ()) -> None:
        self.roots: tuple[Path, ...] = _resolved(roots)
        self.private: tuple[Path, ...] = _resolved(private)
        self.public: tuple[Path, ...] = _resolved(public)

    def real_path(self, location: LocalLocation) -> Path:
        """The resolved path of ``location``: :class:`InvalidInput` if it lies outside the roots,
        :class:`Forbidden` if it is private or hidden."""
        try:
            real = Path(location.path).resolve()
        except (OSError, RuntimeError) as error:  # a symlink loop (RuntimeError before Python 3.13)
            raise InvalidInput.one(
                location.uri, f"cannot be resolved ({error})", hint="Check the symlinks on its path"
            ) from error
        if not any(real.is_relative_to(root) for root in self.roots):
            raise self._outside(location)
        refusal = self.refusal(real)
        if refusal is not None:
            raise Forbidden(f"{location.uri} {refusal}")
        return real

    def refusal(self, real: Path) -> str | None:
        """Why the resolved path ``real`` (inside the roots) may not be used, or None if it may."""
        if self.is_private(real):
            public = " or ".join(str(folder) for folder in self.public)
            return ("is in crowdform's private data folder (database, secrets, logs), which is never read or "
                    "written on behalf of a job or a request" + (f"; put job files under {public}" if public else ""))
        hidden = self._hidden_part(real)
        if hidden is not None:
            return (f"is inside the hidden folder or file {hidden!r}; names starting with '.' below a storage root "
                    "are never read or written (they hold credentials and settings: .ssh, .aws, .env, .git)")
        return None

    def is_private(self, real: Path) -> bool:
        """Whether the resolved path ``real`` lies in a private folder and in none of its public ones."""
        return any(real.is_relative_to(folder) for folder in self.private) and not any(
            real.is_relative_to(folder) for folder in self.public)

    def _enterable(self, folder: Path) -> bool:
        """Whether listing walks into ``folder``: it is not private, or a public folder lies inside it."""
        return not self.is_private(folder) or any(public.is_relative_to(folder) for public in self.public)

    def _hidden_part(self, real: Path) -> str | None:
        """The first hidden name of ``real`` below the roots that hold it, unless one root holds it without any."""
        first = None
        for root in self.roots:
            if real.is_relative_to(root):
                hidden = next((part for part in real.relative_to(root).parts if part.startswith(".")), None)
                if hidden is None:
                    return None
                first = first or hidden
        return first

    def read_bytes(self, location: LocalLocation) -> bytes:
        real = self._existing_file(location)
        with self._os_errors(location, "read"):
            return real.read_bytes()

    def iter_lines(self, location: LocalLocation) -> Generator[bytes, None, None]:
        real = self._existing_file(location)
        with self._os_errors(location, "read"):
            stream = real.open("rb")
        return self._lines(location, stream)

    def write_stream(self, location: LocalLocation, chunks: Iterable[bytes]) -> None:
        real = self.real_path(location)
        with self._os_errors(location, "write"):
            is_folder = real.is_dir()
        if is_folder:
            raise InvalidInput.one(
                location.uri, "is a folder, so it cannot be written as a file", hint="Name a file inside it"
            )
        with self._os_errors(location, "create the folder of"):
            try:
                real.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError) as error:
                raise InvalidInput.one(
                    location.uri,
                    "cannot be created because a file stands where one of its folders should be",
                    value=error.filename,
                ) from error
        # A name of our own (not mkstemp) so that os.open applies the umask like any new file would.
        temp = real.with_name(f".{real.name[:64]}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
        with self._os_errors(location, "write"):
            descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        try:
            with open(descriptor, "wb") as stream:
                for chunk in chunks:  # the caller's own errors propagate unchanged
                    with self._os_errors(location, "write"):
                        stream.write(chunk)
                with self._os_errors(location, "write"):
                    stream.flush()
                    os.fsync(stream.fileno())
            with self._os_errors(location, "write"):
                os.replace(temp, real)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise
        _fsync_folder(real.parent)

    def exists(self, location: LocalLocation) -> bool:
        """Whether a *file* is there (a folder is not an object, as in S3)."""
        real = self.real_path(location)
        with self._os_errors(location, "read"):
            return real.is_file()

    def list(self, prefix: LocalLocation) -> list[str]:
        """URIs of the files under the folder ``prefix``, recursively, sorted.

        Symlinked files are listed when their target is a file inside the roots; symlinked folders
        are not followed (no cycles, no surprises). Temporary files of writes in progress are skipped.
        """
        real = self.real_path(prefix)
        with self._os_errors(prefix, "list"):
            if not real.is_dir():
                return []

        def fail(error: OSError) -> None:
            raise error

        found: list[str] = []
        with self._os_errors(prefix, "list"):
            for folder, subfolders, names in os.walk(real, onerror=fail):
                # Hidden and private folders are not entered: nothing under them could be read.
                subfolders[:] = [name for name in subfolders
                                 if not name.startswith(".") and self._enterable(Path(folder, name))]
                for name in names:
                    path = Path(folder, name)
                    if name.startswith(".") or not self._listable(path):
                        continue  # hidden files include the temporary files of writes in progress
                    found.append(join(prefix, path.relative_to(real).as_posix()))
        return sorted(found)

    def size(self, location: LocalLocation) -> int:
        real = self._existing_file(location)
        with self._os_errors(location, "read"):
            return real.stat().st_size

    def _listable(self, path: Path) -> bool:
        """Whether a file found by walking may be listed: not private, no symlinks to what could not be read."""
        try:
            if not path.is_symlink():
                return not self.is_private(path)
            target = path.resolve()
            return (target.is_file() and any(target.is_relative_to(root) for root in self.roots)
                    and self.refusal(target) is None)
        except (OSError, RuntimeError):  # a symlink loop, or a file that vanished meanwhile
            return False

    def _existing_file(self, location: LocalLocation) -> Path:
        real = self.real_path(location)
        with self._os_errors(location, "read"):
            is_folder, exists = real.is_dir(), real.exists()
        if is_folder:
            raise InvalidInput.one(location.uri, "is a folder, not a file", hint="Name a file inside it")
        if not exists:
            raise NotFound(f"{location.uri} does not exist (there is no such file)")
        return real

    def _lines(self, location: LocalLocation, stream: BinaryIO) -> Generator[bytes, None, None]:
        with stream:
            chunks = iter(lambda: stream.read(CHUNK_SIZE), b"")
            with self._os_errors(location, "read"):
                yield from split_lines(chunks)

    def _outside(self, location: LocalLocation) -> InvalidInput:
        if not self.roots:
            return InvalidInput.one(
                location.uri,
                "is a local file, and no storage roots are configured",
                hint="Add its folder to CROWDFORM_STORAGE_ROOTS (or storage_roots in crowdform.toml)",
            )
        roots = ", ".join(str(root) for root in self.roots)
        return InvalidInput.one(
            location.uri,
            "is outside the storage roots (after following symlinks and '..')",
            hint=f"Move the file under one of: {roots}; "
            "or add its folder to CROWDFORM_STORAGE_ROOTS (or storage_roots in crowdform.toml)",
        )

    @contextlib.contextmanager
    def _os_errors(self, location: LocalLocation, action: str) -> Iterator[None]:
        """Turn an ``OSError`` from the file system into the typed error that says what it means."""
        try:
            yield
        except CrowdformError:
            raise
        except (FileNotFoundError, NotADirectoryError) as error:
            raise NotFound(f"{location.uri} does not exist ({error.strerror})") from error
        except PermissionError as error:
            raise Forbidden(
                f"crowdform may not {action} {location.uri} ({error.strerror}); "
                "check the file's permissions for the user crowdform runs as"
            ) from error
        except OSError as error:
            raise StorageError(
                f"could not {action} {location.uri}: {error.strerror or error}"
            ) from error


def _resolved(folders: Sequence[str | os.PathLike[str]]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(Path(folder).expanduser().resolve() for folder in folders))


def _fsync_folder(folder: Path) -> None:
    """Persist the rename itself; some file systems cannot fsync a folder, which is fine."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
