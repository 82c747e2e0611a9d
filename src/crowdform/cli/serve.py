"""``crowdform serve`` and ``crowdform demo``."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from crowdform.cli.common import DatabaseUrlOption, DataDirOption, console, settings_from
from crowdform.settings import ENV_PREFIX, Settings

HostOption = Annotated[Optional[str], typer.Option("--host", help="Address to listen on. Default: 127.0.0.1.", show_default=False)]
PortOption = Annotated[Optional[int], typer.Option("--port", help="Port to listen on. Default: 8080.", show_default=False)]
WorkersOption = Annotated[Optional[int], typer.Option(
    "--workers", min=1, help="Server processes sharing the port (about one per core). Default: 1.", show_default=False)]


def run_server(settings: Settings) -> None:
    """Server process(es) for requests and, when ``background`` is on, one process for the engine's
    background work while jobs run (``engine/background_supervisor.py``), stopped when the servers stop."""
    import uvicorn

    from crowdform.engine.background_process import prepare_data_folder
    from crowdform.engine.background_supervisor import BackgroundSupervisor
    from crowdform.web.app import create_app

    if not prepare_data_folder(settings):  # migrate and create the secrets once, before any other process starts
        raise typer.Exit(1)
    background = BackgroundSupervisor(settings) if settings.background else None
    if background is not None:
        background.start()
    servers = replace(settings, background=False)
    try:
        if settings.workers == 1:
            uvicorn.run(create_app(servers, migrate=False), host=settings.host, port=settings.port, log_level="warning",
                        ws="none")  # no WebSocket routes: leave Uvicorn's WebSocket protocol unloaded
            return
        # Each process builds its own app from the environment, so hand the resolved flags down that way.
        os.environ.update({
            f"{ENV_PREFIX}DATA_DIR": str(Path(settings.data_dir).resolve()),
            f"{ENV_PREFIX}DATABASE_URL": settings.resolved_database_url,
            f"{ENV_PREFIX}HOST": settings.host,
            f"{ENV_PREFIX}PORT": str(settings.port),
            f"{ENV_PREFIX}BACKGROUND": "false",
        })
        uvicorn.run("crowdform.web.app:app_from_environment", factory=True, workers=settings.workers,
                    host=settings.host, port=settings.port, log_level="warning", ws="none")
    finally:
        if background is not None:
            background.stop()


def serve(host: HostOption = None, port: PortOption = None, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None, workers: WorkersOption = None) -> None:
    """Run the HTTP server (worker API, docs at /docs) and the engine's background work."""
    settings = settings_from(data_dir, database_url, host=host, port=port, workers=workers)
    console.print(f"crowdform serving on http://{settings.host}:{settings.port} (API docs: /docs), "
                  f"data in {Path(settings.data_dir).resolve()}, {settings.workers} process(es)")
    run_server(settings)


def demo(host: HostOption = None, port: PortOption = None, data_dir: DataDirOption = None,
         setup_only: Annotated[bool, typer.Option("--setup-only", help="Set up the demo job and exit without serving.")] = False) -> None:
    """Set up the animal bounding-box demo (team, two workers, a job on sample images), then serve."""
    from crowdform.demo import set_up_demo

    settings = settings_from(data_dir, None, host=host, port=port)
    summary = set_up_demo(settings)
    console.print(str(summary), highlight=False)
    if not setup_only:
        console.print(f"Serving on {summary.url}; stop with Ctrl+C.")
        run_server(settings)
