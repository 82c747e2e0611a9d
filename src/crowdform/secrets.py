"""Secrets generated on first start into the data folder (mode 0600), or supplied by settings."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from crowdform.settings import Settings

SECRETS_FILE_NAME = "secrets.json"


def load_or_create_secret(settings: Settings) -> str:
    """The session/URL-signing secret: from settings, else from ``secrets.json``, else a new one."""
    if settings.session_secret:
        return settings.session_secret
    path = Path(settings.data_dir) / SECRETS_FILE_NAME
    if path.is_file():
        return str(json.loads(path.read_text(encoding="utf-8"))["session_secret"])
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temp file, then link it into place: two processes starting at once agree on
    # whichever secret landed first, and nobody ever reads a half-written file.
    temp = path.with_name(f".{SECRETS_FILE_NAME}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps({"session_secret": secrets.token_urlsafe(48)}).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()
    return str(json.loads(path.read_text(encoding="utf-8"))["session_secret"])
