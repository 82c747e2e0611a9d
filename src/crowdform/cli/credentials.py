"""``crowdform credentials ...``: access keys for the AWS-compatible endpoint (boto3, the AWS CLI)."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Optional

import typer
from rich.table import Table

from crowdform.cli.common import DatabaseUrlOption, DataDirOption, console, err_console, open_runtime
from crowdform.engine.access_keys import AccessKeys

credentials_app = typer.Typer(help="Access keys for the AWS-compatible endpoint (SageMaker, S3, STS).",
                              no_args_is_help=True)


@credentials_app.command("create")
def credentials_create(
    name: Annotated[Optional[str], typer.Option("--name", help="A name to know the key by. Default: its id.",
                                                show_default=False)] = None,
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Create an access key. Prints shell variables (use: set -a; . <(crowdform credentials create); set +a)."""
    with open_runtime(data_dir, database_url) as runtime:
        info, secret = AccessKeys(runtime).create(name)
        settings = runtime.settings
    # Plain print: these lines are read by shells and scripts, so no markup, colour or wrapping.
    print(f"AWS_ACCESS_KEY_ID={info.access_key_id}")
    print(f"AWS_SECRET_ACCESS_KEY={secret}")
    print(f"AWS_ENDPOINT_URL={settings.base_url}")
    print(f"AWS_DEFAULT_REGION={settings.region}")
    err_console.print(f"Access key {info.access_key_id} ({info.name}) can do everything an administrator can. "
                      "Keep the secret: it is shown this once.", highlight=False, markup=False,
                      soft_wrap=not sys.stderr.isatty())


@credentials_app.command("list")
def credentials_list(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """List access keys (never their secrets)."""
    with open_runtime(data_dir, database_url) as runtime:
        keys = AccessKeys(runtime).list()
    table = Table("access key id", "name", "created", "status")
    for key in keys:
        status = "active" if key.revoked_at is None else f"revoked {_when(key.revoked_at)}"
        table.add_row(key.access_key_id, key.name, _when(key.created_at), status)
    console.print(table)


@credentials_app.command("revoke")
def credentials_revoke(
    key: Annotated[str, typer.Argument(help="The access key id, or its name.")],
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Revoke an access key: it, and the session credentials made from it, stop working within seconds."""
    with open_runtime(data_dir, database_url) as runtime:
        info = AccessKeys(runtime).revoke(key)
    console.print(f"Revoked access key {info.access_key_id} ({info.name}).", markup=False, highlight=False)


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))
