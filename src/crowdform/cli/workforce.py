"""``crowdform team ...``, ``crowdform worker ...`` and ``crowdform admin ...``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from crowdform.cli.common import DatabaseUrlOption, DataDirOption, console, open_runtime
from crowdform.engine.workforce import Workforce

team_app = typer.Typer(help="Private work teams.", no_args_is_help=True)
worker_app = typer.Typer(help="Workers (the people who label).", no_args_is_help=True)
admin_app = typer.Typer(help="Administrators (console accounts) and admin API tokens.", no_args_is_help=True)


@team_app.command("create")
def team_create(name: Annotated[str, typer.Argument(help="Team name (the last part of a WorkteamArn).")],
                data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Create a private work team."""
    with open_runtime(data_dir, database_url) as runtime:
        Workforce(runtime).create_team(name)
    console.print(f"Created team [bold]{name}[/bold]. Add workers with: crowdform worker add USER --team {name}")


@team_app.command("list")
def team_list(data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """List teams and how many workers each has."""
    with open_runtime(data_dir, database_url) as runtime:
        teams = Workforce(runtime).list_teams()
    table = Table("team", "workers")
    for name, members in teams:
        table.add_row(name, str(members))
    console.print(table)


@worker_app.command("add")
def worker_add(
    username: Annotated[str, typer.Argument(help="Login name of the worker.")],
    team: Annotated[str, typer.Option("--team", help="Team to add the worker to (must exist).")],
    password: Annotated[Optional[str], typer.Option("--password", help="Password (8+ characters). Default: one is generated and printed.")] = None,
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Create a worker (or update their password) and add them to a team."""
    with open_runtime(data_dir, database_url) as runtime:
        workforce = Workforce(runtime)
        info, generated = workforce.add_worker(username, team=team, password=password)
        teams = workforce.teams_of(info.id)
    console.print(f"Worker [bold]{info.username}[/bold] ({info.worker_uid}) is in team(s): {', '.join(teams)}")
    if generated:
        console.print(f"Generated password: [bold]{generated}[/bold]")


@worker_app.command("invite")
def worker_invite(
    username: Annotated[str, typer.Argument(help="User name or email address of the worker.")],
    team: Annotated[str, typer.Option("--team", help="Team to add the worker to (must exist).")],
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Add a worker to a team and print a one-time invitation link where they choose their password
    (valid 7 days; inviting again replaces the link). Links use the `public_url` setting."""
    from crowdform.engine.invitations import Invitations

    with open_runtime(data_dir, database_url) as runtime:
        invitations = Invitations(runtime, Workforce(runtime))
        info, token = invitations.invite(username, team=team)
        link = invitations.link(token)
    console.print(f"Invited [bold]{info.username}[/bold] to team {team}. Send them this link (valid 7 days):")
    console.print(link, soft_wrap=True, highlight=False)


@worker_app.command("list")
def worker_list(team: Annotated[Optional[str], typer.Option("--team", help="Only this team.")] = None,
                data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """List workers."""
    with open_runtime(data_dir, database_url) as runtime:
        workforce = Workforce(runtime)
        rows = [(w, workforce.teams_of(w.id)) for w in workforce.list_workers(team)]
    table = Table("username", "worker id", "teams", "active")
    for w, teams in rows:
        table.add_row(w.username, w.worker_uid, ", ".join(teams), "yes" if w.active else "no")
    console.print(table)


@worker_app.command("deactivate")
def worker_deactivate(username: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Stop a worker from logging in (their tokens are revoked; their answers are kept)."""
    with open_runtime(data_dir, database_url) as runtime:
        Workforce(runtime).set_active(username, False)
    console.print(f"Deactivated {username}.")


@worker_app.command("activate")
def worker_activate(username: str, data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Let a deactivated worker log in again."""
    with open_runtime(data_dir, database_url) as runtime:
        Workforce(runtime).set_active(username, True)
    console.print(f"Activated {username}.")


@admin_app.command("create")
def admin_create(
    username: Annotated[str, typer.Argument(help="Login name of the administrator.")],
    password: Annotated[Optional[str], typer.Option("--password", help="Password (8+ characters). Default: one is generated and printed.")] = None,
    data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None,
) -> None:
    """Create a console administrator (or set a new password for one); they sign in at /admin."""
    with open_runtime(data_dir, database_url) as runtime:
        generated = Workforce(runtime).create_admin(username, password)
    console.print(f"Administrator [bold]{username}[/bold] can sign in at /admin.")
    if generated:
        console.print(f"Generated password: [bold]{generated}[/bold]")


@admin_app.command("token")
def admin_token(label: Annotated[str, typer.Option("--label", help="A note to recognise the token by.")] = "",
                data_dir: DataDirOption = None, database_url: DatabaseUrlOption = None) -> None:
    """Create an admin API token (printed once; only its hash is stored)."""
    with open_runtime(data_dir, database_url) as runtime:
        token = Workforce(runtime).create_admin_token(label)
    console.print(token, soft_wrap=True)
