"""One object that reads and writes any URI a user may give: local files and S3 alike.

The engine does not care where a manifest or an output file lives; it hands a URI to
:class:`Storage`, which normalises it (see :mod:`crowdform.storage.uris`) and routes it to the local
store (confined to the storage roots, never in the private folders) or the S3 store. Errors are always
crowdform's own: NotFound, Forbidden, InvalidInput or :class:`~crowdform.storage.errors.StorageError`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Sequence
from pathlib import Path

from crowdform.errors import InvalidInput
from crowdform.storage import uris
from crowdform.storage.buckets import BucketStore, EmbeddedS3
from crowdform.storage.local import LocalStore
from crowdform.storage.s3 import S3Store
from crowdform.storage.uris import Location, S3Location


# Longer strings are text, not file names (PATH_MAX on Linux is 4096 bytes).
_LONGEST_PATH = 4096


def _inside(path: str, folders: tuple[str, ...]) -> bool:
    """Whether the absolute, resolved ``path`` is one of ``folders`` or lies below one."""
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


class Storage:
    """Facade over local files and S3. Thread-safe (the engine calls it from several threads).

    ``roots`` are the only local folders that may be read or written (after resolving symlinks and
    ``..``); inside them, ``private`` folders and files (crowdform's data folder) are refused except
    for the ``public`` folders within them, and so are hidden names below a root (see
    :mod:`crowdform.storage.local`). ``s3://`` URIs go to the S3-compatible store at
    ``s3_endpoint_url`` when it is given, else to the embedded store in ``buckets_dir`` (crowdform's
    default: ``Settings.buckets_dir``); with neither, boto3 resolves the endpoint itself
    (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``, then AWS). Relative local paths are taken relative
    to the working directory at the time of each call.
    """

    def __init__(self, roots: Sequence[Path], *, private: Sequence[Path] = (), public: Sequence[Path] = (),
                 s3_endpoint_url: str | None = None, buckets_dir: Path | None = None) -> None:
        if isinstance(roots, (str, bytes, os.PathLike)):
            raise TypeError("roots must be a sequence of folders, not a single path")
        self._local = LocalStore(roots, private=private, public=public)
        self.buckets = BucketStore(buckets_dir) if buckets_dir is not None and not s3_endpoint_url else None
        self._s3: S3Store | EmbeddedS3 = EmbeddedS3(self.buckets) if self.buckets is not None else S3Store(s3_endpoint_url)

    @property
    def roots(self) -> tuple[Path, ...]:
        """The storage roots, resolved."""
        return self._local.roots

    @property
    def private(self) -> tuple[Path, ...]:
        """The private folders and files, resolved."""
        return self._local.private

    def private_name_check(self) -> Callable[[str], str | None]:
        """A check for the strings of one input, such as a manifest: the ``file://`` URI a string names
        when it reads as a local path or file URI and lands in the private area (after symlinks), else None.

        Strings that do not look like paths (no ``/``, no ``file:``) are not paths to check: a
        manifest's text is not a file name. Each folder is resolved once per check, so a million
        ``source-ref`` values in a few folders cost one ``lstat`` each.
        """
        # Plain strings, not Paths: this runs for every string of a manifest, and pathlib costs ~10x more.
        private = tuple(str(folder) for folder in self._local.private)
        public = tuple(str(folder) for folder in self._local.public)
        cwd = os.getcwd()
        folders: dict[str, str] = {}

        def check(value: str) -> str | None:
            if "/" not in value or len(value) > _LONGEST_PATH or "\x00" in value:
                return None
            if value[0] == "/":  # most local values: what uris.parse would make of them, for less
                path = "/" + os.path.normpath(value).lstrip("/")
            else:
                scheme = uris.scheme_of(value)
                if scheme is not None and scheme != "file":
                    return None
                try:
                    location = uris.parse(value, cwd)
                except InvalidInput:
                    return None
                if not isinstance(location, uris.LocalLocation):
                    return None
                path = location.path
            head, name = os.path.split(path)
            real_head = folders.get(head)
            if real_head is None:
                real_head = folders[head] = os.path.realpath(head)
            real = os.path.join(real_head, name)
            if os.path.islink(real):
                real = os.path.realpath(real)
            return "file://" + path if _inside(real, private) and not _inside(real, public) else None

        return check

    def normalize(self, uri: str) -> str:
        """``file:///abs/path`` for local paths and file URIs, ``s3://bucket/key`` for S3 URIs and URLs."""
        return self._locate(uri).uri

    def as_s3_uri(self, uri: str) -> str:
        """``s3://bucket/key`` for a local path inside the embedded store's buckets (what the same
        object is called through the S3 API), else ``uri`` unchanged. Hooks are handed this form, so
        Lambda code that reads ``payload.s3Uri`` with ``boto3.client("s3")`` finds the object."""
        if self.buckets is None:
            return uri
        location = self._locate(uri)
        if isinstance(location, S3Location):
            return location.uri
        root = os.path.realpath(self.buckets.root)
        real = os.path.realpath(location.path)
        if not real.startswith(root + os.sep):
            return uri
        bucket, _, key = real[len(root) + 1:].partition(os.sep)
        if not key or bucket.startswith("."):
            return uri
        tail = "/" if uri.endswith("/") and not key.endswith("/") else ""
        return f"s3://{bucket}/{key.replace(os.sep, '/')}{tail}"

    def is_s3(self, uri: str) -> bool:
        return isinstance(self._locate(uri), S3Location)

    def join(self, base: str, *parts: str) -> str:
        """``base`` (normalised) and ``parts`` joined with exactly one ``/`` between each."""
        return uris.join(self._locate(base), *parts)

    def local_path(self, uri: str) -> Path:
        """The real path of a local URI, checked to be inside the roots (it need not exist yet)."""
        location = self._locate(uri)
        if isinstance(location, S3Location):
            raise InvalidInput.one(
                location.uri, "is in S3, not a local file", hint="Read it with Storage.read_bytes instead"
            )
        return self._local.real_path(location)

    def read_bytes(self, uri: str) -> bytes:
        location = self._locate(uri)
        if isinstance(location, S3Location):
            return self._s3.read_bytes(location)
        return self._local.read_bytes(location)

    def read_text(self, uri: str) -> str:
        """The object decoded as UTF-8 (a byte-order mark, if any, is kept as U+FEFF)."""
        data = self.read_bytes(uri)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput.one(
                self.normalize(uri),
                f"is not valid UTF-8 text: byte offset {error.start} holds {data[error.start:error.start + 1]!r}",
                hint="Save the file as UTF-8",
            ) from error

    def iter_lines(self, uri: str) -> Generator[bytes, None, None]:
        """The object's lines, streamed, without their ``\\n`` or ``\\r\\n``; empty lines kept as ``b""``.

        A missing or refused object raises here, at the call; only read failures midway surface
        while iterating.
        """
        location = self._locate(uri)
        if isinstance(location, S3Location):
            return self._s3.iter_lines(location)
        return self._local.iter_lines(location)

    def write_bytes(self, uri: str, data: bytes, *, content_type: str | None = None) -> None:
        """Replace the object atomically. ``content_type`` is stored in S3 and ignored locally."""
        location = self._locate(uri)
        if isinstance(location, S3Location):
            self._s3.write_bytes(location, data, content_type)
        else:
            self._local.write_stream(location, (data,))

    def write_stream(
        self, uri: str, chunks: Iterable[bytes], *, content_type: str | None = None
    ) -> None:
        """Replace the object atomically from ``chunks``, in bounded memory.

        If ``chunks`` raises, the exception propagates and the previous object is left untouched.
        """
        location = self._locate(uri)
        if isinstance(location, S3Location):
            self._s3.write_stream(location, chunks, content_type)
        else:
            self._local.write_stream(location, chunks)

    def exists(self, uri: str) -> bool:
        location = self._locate(uri)
        if isinstance(location, S3Location):
            return self._s3.exists(location)
        return self._local.exists(location)

    def list(self, prefix: str) -> list[str]:
        """URIs of all objects under the folder ``prefix`` (recursive), sorted.

        ``prefix`` is a folder whether or not it ends in ``/``: ``.../job1`` lists ``.../job1/...``
        but not ``.../job10/...``. A prefix with nothing under it gives ``[]``.
        """
        location = self._locate(prefix)
        if isinstance(location, S3Location):
            return self._s3.list(location)
        return self._local.list(location)

    def size(self, uri: str) -> int:
        """The object's size in bytes."""
        location = self._locate(uri)
        if isinstance(location, S3Location):
            return self._s3.size(location)
        return self._local.size(location)

    def presign(self, uri: str, expires_in: int) -> str | None:
        """A presigned GET URL valid for ``expires_in`` seconds for an external S3; None for local files and
        the embedded store (whose objects crowdform serves itself)."""
        location = self._locate(uri)
        if isinstance(location, S3Location):
            return self._s3.presign(location, expires_in)
        return None

    def _locate(self, uri: str) -> Location:
        return uris.parse(uri, os.getcwd())
