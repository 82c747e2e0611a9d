"""``crowdform secrets rotate``: a new signing secret for the data folder.

Only the secrets file changes: no database is opened, so rotating works while servers run, and they
pick the new secret up within a second (:class:`crowdform.secrets.SigningSecret`).
"""

from __future__ import annotations

import typer

from crowdform.cli.common import DataDirOption, console, settings_from
from crowdform.secrets import RELOAD_SECONDS, rotate_secret, secrets_path

secrets_app = typer.Typer(help="The secret that signs file links and browser sessions.", no_args_is_help=True)


@secrets_app.command("rotate")
def secrets_rotate(data_dir: DataDirOption = None) -> None:
    """Replace the signing secret: every file link and console or portal session signed with the old one stops working.

    Running servers of this data folder use the new secret within a second, without a restart. Workers
    and administrators sign in again; API tokens (Authorization: Bearer) keep working.
    """
    settings = settings_from(data_dir)
    rotate_secret(settings)
    console.print(f"Rotated the signing secret in {secrets_path(settings).resolve()}.")
    console.print(f"Running servers use it within {RELOAD_SECONDS:g} s: file links and browser sessions signed "
                  "before no longer work (workers and administrators sign in again; API tokens still work).")
