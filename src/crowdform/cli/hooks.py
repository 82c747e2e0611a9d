"""``crowdform hook ...``: name hooks so jobs can refer to them by name or by Lambda ARN."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from crowdform.cli.common import DatabaseUrlOption, DataDirOption, console, open_runtime
from crowdform.engine.hook_registry import HookRegistry
from crowdform.errors import InvalidInput

hook_app = typer.Typer(help="Registered pre- and post-annotation hooks.", no_args_is_help=True)


def parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput.one("--env", "must look like NAME=value", value=pair)
        env[key] = value
    return env


@hook_app.command("add")
def hook_add(
    name: Annotated[str, typer.Argument(help="Name; a Lambda ARN ending in function:NAME resolves to this hook.")],
    reference: Annotated[Optional[str], typer.Argument(help="handler.py[:func], folder:dotted.handler, module:function, or http(s) URL. Leave out with --zip.", show_default=False)] = None,
    env: Annotated[list[str], typer.Option("--env", help="NAME=value variable for the hook process (repeatable); wins over what crowdform sets (AWS_ENDPOINT_URL_DYNAMODB=...).")] = [],  # noqa: B006
    requirements: Annotated[Optional[Path], typer.Option("--requirements", help="requirements.txt: run the hook in its own virtual environment with these packages (boto3 is there as in Lambda's runtime).", show_default=False)] = None,
    zip_file: Annotated[Optional[Path], typer.Option("--zip", help="A Lambda deployment package (.zip) holding the handler and its dependencies; runs in its own environment.", show_default=False)] = None,
    handler: Annotated[Optional[str], typer.Option("--handler", help="With --zip: the Lambda handler string, module.function.", show_default=False)] = None,
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Register (or replace) a named hook.

    With --requirements or --zip the hook gets its own virtual environment, built now (once per
    distinct requirements) and started once to check that it loads."""
    text = None
    if requirements is not None:
        try:
            text = requirements.expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput.one("--requirements", f"cannot read the file: {error}", value=str(requirements)) from None
    with open_runtime(data_dir, database_url) as runtime:
        hook = HookRegistry(runtime).add(name, reference, environment=parse_env(env), requirements=text,
                                         package=zip_file.expanduser() if zip_file else None, handler=handler)
    own = " (own environment)" if hook.requirements is not None else ""
    console.print(f"Hook [bold]{escape(name)}[/bold] -> {escape(hook.reference or '')}{own}")


@hook_app.command("list")
def hook_list(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """List registered hooks."""
    with open_runtime(data_dir, database_url) as runtime:
        hooks = HookRegistry(runtime).list()
    table = Table("name", "reference", "environment", "python")
    for hook in hooks:
        python = "server" if hook.requirements is None else f"own ({len(_listed(hook.requirements))} requirements)"
        table.add_row(hook.name, hook.reference or "", " ".join(f"{k}={v}" for k, v in hook.environment.items()),
                      python)
    console.print(table)


def _listed(requirements: str) -> list[str]:
    return [line for line in (raw.strip() for raw in requirements.splitlines()) if line and not line.startswith("#")]
