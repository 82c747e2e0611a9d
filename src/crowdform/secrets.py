"""The signing secret: generated on first start into ``<data dir>/secrets.json`` (mode 0600), or
supplied by the ``session_secret`` setting.

It signs file links (``grant_read_access``), the console's and the portal's session cookies, and
CSRF tokens. ``crowdform secrets rotate`` replaces it (:func:`rotate_secret`), which invalidates all
of them at once. Running processes see the new secret without a restart: :class:`SigningSecret`
looks at the file at most once every :data:`RELOAD_SECONDS` and reads it again when it was replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import time
from pathlib import Path

from crowdform.errors import InvalidInput
from crowdform.settings import Settings

SECRETS_FILE_NAME = "secrets.json"
# How often a running process looks for a rotated secret: one stat() a second, at most.
RELOAD_SECONDS = 1.0


def secrets_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / SECRETS_FILE_NAME


def load_or_create_secret(settings: Settings) -> str:
    """The session/URL-signing secret: from settings, else from ``secrets.json``, else a new one."""
    if settings.session_secret:
        return settings.session_secret
    path = secrets_path(settings)
    if path.is_file():
        return _read(path)
    # Link a complete private file into place: two processes starting at once agree on whichever
    # secret landed first, and nobody ever reads a half-written file.
    temp = _write_temp(path)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    return _read(path)


def rotate_secret(settings: Settings) -> None:
    """Replace the data folder's secret with a new one, atomically; every link and session signed
    with the old one stops working."""
    if settings.session_secret:
        raise InvalidInput.one("crowdform secrets rotate", "the secret is set by the session_secret setting, "
                               "so crowdform cannot replace it", field="session_secret",
                               hint="Change CROWDFORM_SESSION_SECRET (or session_secret in crowdform.toml) "
                                    "and restart the server instead")
    path = secrets_path(settings)
    temp = _write_temp(path)
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


class SigningSecret:
    """The current secret of one data folder, for a long-running process: re-read once ``secrets.json``
    has been replaced (a rotation), looked at no more than every ``reload_seconds``. Thread-safe."""

    def __init__(self, settings: Settings, *, reload_seconds: float = RELOAD_SECONDS) -> None:
        self._fixed = settings.session_secret
        self._path = secrets_path(settings)
        self._reload_seconds = reload_seconds
        self._lock = threading.Lock()
        value = load_or_create_secret(settings)
        # (secret, the file's identity when it was read, when to look again), replaced as one tuple.
        self._state = (value, self._identity(), time.monotonic() + reload_seconds)

    @property
    def value(self) -> str:
        value, identity, look_at = self._state
        if self._fixed or time.monotonic() < look_at:
            return value
        with self._lock:
            value, identity, look_at = self._state
            if time.monotonic() >= look_at:
                current = self._identity()
                if current is not None and current != identity:
                    with contextlib.suppress(OSError, ValueError, KeyError):  # mid-rotation: next look
                        value, identity = _read(self._path), current
                self._state = (value, identity, time.monotonic() + self._reload_seconds)
        return value

    def _identity(self) -> tuple[int, int, int] | None:
        """What changes when the file is replaced: its inode, modification time and size."""
        try:
            stat = os.stat(self._path)
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _read(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8"))["session_secret"])


def _write_temp(path: Path) -> Path:
    """A new secret in a private (0600) file beside ``path``, written and flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{SECRETS_FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, json.dumps({"session_secret": secrets.token_urlsafe(48)}).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return temp


def _fsync_folder(folder: Path) -> None:
    """Persist the rename; a file system that cannot fsync a folder keeps it anyway."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
