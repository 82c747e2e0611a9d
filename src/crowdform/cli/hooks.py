"""``crowdform hook ...``: name hooks so jobs can refer to them by name or by Lambda ARN."""

from __future__ import annotations

from typing import Annotated

import typer
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
    reference: Annotated[str, typer.Argument(help="handler.py[:func], folder:dotted.handler, module:function, or http(s) URL.")],
    env: Annotated[list[str], typer.Option("--env", help="NAME=value variable for the hook process (repeatable).")] = [],  # noqa: B006
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Register (or replace) a named hook."""
    with open_runtime(data_dir, database_url) as runtime:
        hook = HookRegistry(runtime).add(name, reference, environment=parse_env(env))
    console.print(f"Hook [bold]{name}[/bold] -> {hook.reference}")


@hook_app.command("list")
def hook_list(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """List registered hooks."""
    with open_runtime(data_dir, database_url) as runtime:
        hooks = HookRegistry(runtime).list()
    table = Table("name", "reference", "environment")
    for hook in hooks:
        table.add_row(hook.name, hook.reference or "", " ".join(f"{k}={v}" for k, v in hook.environment.items()))
    console.print(table)
