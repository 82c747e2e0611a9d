"""Lambda deployment packages (``crowdform hook add NAME --zip function.zip --handler module.func``).

A deployment package is a zip of the function's code with its dependencies vendored beside it;
Lambda unpacks it into the task root (``/var/task``) and imports the handler from there. Here it
is unpacked once per content into ``<data dir>/hook-code/<sha256>/`` (read from there by every job
that names the hook, wherever the zip was), refusing members that would land outside that folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from crowdform.errors import InvalidInput

FOLDER_NAME = "hook-code"
SOURCE = "--zip"


def unpack_deployment_package(zip_path: Path, data_dir: Path) -> Path:
    """The folder holding the package's files, unpacked now if this content was not unpacked before."""
    try:
        data = zip_path.read_bytes()
    except OSError as error:
        raise InvalidInput.one(SOURCE, f"cannot read the file: {error.strerror or error}", value=str(zip_path),
                               hint="Give the path of the function's deployment package (a .zip file)") from None
    folder = data_dir.resolve() / FOLDER_NAME / hashlib.sha256(data).hexdigest()[:24]
    if folder.is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder.parent))
    try:
        try:
            with zipfile.ZipFile(zip_path) as archive:
                for member in archive.infolist():
                    _extract(archive, member, staging, zip_path)
        except zipfile.BadZipFile as error:
            raise InvalidInput.one(SOURCE, f"not a zip file: {error}", value=str(zip_path),
                                   hint="Build the package as Lambda takes it: cd package && zip -r ../function.zip .") from None
        try:
            os.rename(staging, folder)
        except OSError:
            if not folder.is_dir():  # another process unpacked the same package first: use its folder
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, staging: Path, zip_path: Path) -> None:
    name = PurePosixPath(member.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
        raise InvalidInput.one(SOURCE, "a member's path leads outside the package", value=member.filename,
                               hint=f"Rebuild {zip_path.name} with paths relative to the package's root")
    if stat.S_ISLNK(member.external_attr >> 16):
        raise InvalidInput.one(SOURCE, "a member is a symbolic link, which a package may not hold here",
                               value=member.filename, hint="Zip the files themselves (zip without -y)")
    target = staging.joinpath(*name.parts)
    if member.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(member) as source, open(target, "wb") as sink:
        shutil.copyfileobj(source, sink)
    mode = (member.external_attr >> 16) & 0o777
    if mode & 0o100:
        target.chmod(0o755)
