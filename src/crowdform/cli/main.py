"""The ``crowdform`` command. Errors from the engine are printed as one readable message (exit 1)."""

from __future__ import annotations

import sys

import typer
from rich.text import Text

from crowdform import __version__
from crowdform.cli.common import err_console
from crowdform.cli.consolidate import consolidate
from crowdform.cli.credentials import credentials_app
from crowdform.cli.hooks import hook_app
from crowdform.cli.jobs import job_app
from crowdform.cli.secrets import secrets_app
from crowdform.cli.serve import demo, serve
from crowdform.cli.templates import preview, render
from crowdform.cli.workforce import admin_app, team_app, worker_app
from crowdform.errors import CrowdformError

app = typer.Typer(
    name="crowdform",
    help="Run Ground Truth-style labeling jobs on your own machine: your templates, hooks and output layout, unchanged.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve)
app.command("demo")(demo)
app.command("render")(render)
app.command("preview")(preview)
app.command("consolidate")(consolidate)
app.add_typer(job_app, name="job")
app.add_typer(team_app, name="team")
app.add_typer(worker_app, name="worker")
app.add_typer(hook_app, name="hook")
app.add_typer(admin_app, name="admin")
app.add_typer(credentials_app, name="credentials")
app.add_typer(secrets_app, name="secrets")


@app.command("version")
def version() -> None:
    """Print the version."""
    print(__version__)


def main() -> None:
    """Run the CLI: Typer handles usage errors (exit 2) and ``typer.Exit``; engine errors print one message."""
    try:
        app()
    except CrowdformError as exc:
        # The message is data, not markup: a hint such as "[a-zA-Z0-9]" must print as written.
        err_console.print(Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False, soft_wrap=True)
        sys.exit(1)
