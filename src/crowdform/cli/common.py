"""What every command shares: the settings options, opening the runtime, printing errors."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Iterable, Iterator, Optional

import typer
from rich.console import Console

from crowdform.engine.runtime import Runtime
from crowdform.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)

DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="Data folder (database, secrets, logs). Default: $CROWDFORM_DATA_DIR or ./crowdform-data.",
                 show_default=False),
]
DatabaseUrlOption = Annotated[
    Optional[str],
    typer.Option("--database-url", help="Database URL. Default: SQLite in the data folder; or postgresql://...",
                 show_default=False),
]


def settings_from(data_dir: Path | None, database_url: str | None = None, *,
                  operator_paths: Iterable[str | Path | None] = (), **flags: object) -> Settings:
    """The command's settings. ``operator_paths`` are files and folders the operator typed on the
    command line: their folders become storage roots for this command, because the roots guard what
    requests and manifests name, not the operator's own arguments (the private data folder and
    hidden names stay refused)."""
    settings = load_settings(data_dir=data_dir, database_url=database_url, **flags)
    extra = tuple(folder for folder in map(_local_folder, operator_paths) if folder is not None)
    return replace(settings, storage_roots=(*settings.storage_roots, *extra)) if extra else settings


@contextmanager
def open_runtime(data_dir: Path | None, database_url: str | None = None, *,
                 operator_paths: Iterable[str | Path | None] = (), **flags: object) -> Iterator[Runtime]:
    runtime = Runtime.open(settings_from(data_dir, database_url, operator_paths=operator_paths, **flags))
    try:
        yield runtime
    finally:
        runtime.close()


def _local_folder(given: str | Path | None) -> Path | None:
    """The folder of a local path or ``file://`` URI (the path itself if it is a folder); None for URIs."""
    if given is None:
        return None
    text = str(given)
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif "://" in text:
        return None  # s3:// and the like: not a local file
    path = Path(text).expanduser().absolute()
    return path if path.is_dir() else path.parent
