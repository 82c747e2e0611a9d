"""``crowdform serve`` and ``crowdform demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from crowdform.cli.common import DatabaseUrlOption, DataDirOption, console, settings_from
from crowdform.settings import Settings

HostOption = Annotated[Optional[str], typer.Option("--host", help="Address to listen on. Default: 127.0.0.1.", show_default=False)]
PortOption = Annotated[Optional[int], typer.Option("--port", help="Port to listen on. Default: 8080.", show_default=False)]


def run_server(settings: Settings) -> None:
    import uvicorn

    from crowdform.web.app import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def serve(host: HostOption = None, port: PortOption = None, data_dir: DataDirOption = None,
          database_url: DatabaseUrlOption = None) -> None:
    """Run the HTTP server (worker API, docs at /docs) and the engine's background work."""
    settings = settings_from(data_dir, database_url, host=host, port=port)
    console.print(f"crowdform serving on http://{settings.host}:{settings.port} (API docs: /docs), "
                  f"data in {Path(settings.data_dir).resolve()}")
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
