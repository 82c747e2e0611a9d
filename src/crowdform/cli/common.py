"""What every command shares: the settings options, opening the runtime, printing errors."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional

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


def settings_from(data_dir: Path | None, database_url: str | None = None, **flags: object) -> Settings:
    return load_settings(data_dir=data_dir, database_url=database_url, **flags)


@contextmanager
def open_runtime(data_dir: Path | None, database_url: str | None = None, **flags: object) -> Iterator[Runtime]:
    runtime = Runtime.open(settings_from(data_dir, database_url, **flags))
    try:
        yield runtime
    finally:
        runtime.close()
