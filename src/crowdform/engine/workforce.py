"""Private teams, workers, passwords and API tokens.

A team's workers (``team_members``, the one table the worker loop reads) are its direct members,
added with ``crowdform worker add --team``, plus the direct members of its member groups
(``team_groups``: the groups of a SageMaker work team's member definitions, themselves teams). The
derived rows are rebuilt here whenever a group gains a member or a team's groups change, so the
worker loop's SQL stays one indexed lookup (``engine/task_sql.py``). Groups are followed one level:
a group's own groups do not count.

Passwords are stored as argon2 hashes. Tokens are random and only their SHA-256 is stored, so a
leaked database does not leak working credentials. A worker's ``worker_uid`` is the opaque
``private.<region>.<16 hex digits>`` id that Ground Truth writes into worker-response files.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, NoReturn

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, delete, false, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from crowdform.engine.runtime import Runtime
from crowdform.errors import Conflict, InvalidInput, NotFound, Unauthorized
from crowdform.store.database import dialect_module
from crowdform.store.models import Admin, ApiToken, Team, TeamGroup, TeamMember, Worker

TEAM_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
USERNAME_MAX_CHARS = 128
USERNAME = re.compile(rf"^[A-Za-z0-9._@+-]{{1,{USERNAME_MAX_CHARS}}}$")
WORKER_TOKEN_SECONDS = 12 * 3600
# How long a checked token is trusted without asking the database again. Every API request carries a
# token, so this takes a query (and, in the web app, a hop to a worker thread) off almost all of them.
# Deactivating a worker in this process takes effect at once; from another process (the CLI, a
# second server), within this many seconds.
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 10_000
_hasher = PasswordHasher()


@dataclass(frozen=True)
class WorkerInfo:
    id: int
    username: str
    worker_uid: str
    subject: str
    active: bool


@dataclass(frozen=True)
class Principal:
    """Who made a request: an admin (an API token, or a console session of ``admin_username``), or a worker."""

    role: str  # "admin" | "worker"
    worker: WorkerInfo | None = None
    admin_username: str | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput.one("password", "is shorter than 8 characters", hint="Choose a longer password")


class _CheckedTokens:
    """Tokens the database confirmed a moment ago, keyed by their hash, with when to ask again."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, token_hash: str, now: float) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None or entry[1] <= now:
            return None
        return entry[0]

    def put(self, token_hash: str, principal: Principal, until: float) -> None:
        with self._lock:
            if len(self._entries) >= TOKEN_CACHE_SIZE:
                self._entries.clear()  # crude but bounded; the next requests refill it
            self._entries[token_hash] = (principal, until)

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self._entries.pop(token_hash, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Workforce:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._checked = _CheckedTokens()

    # ---------------------------------------------------------------- teams
    def create_team(self, name: str) -> int:
        if not TEAM_NAME.match(name):
            raise InvalidInput.one("team name", "is not a valid work team name", value=name,
                                   hint="Use 1-63 letters, digits and single hyphens, starting and ending with a letter or digit")
        try:
            with self.runtime.database.write() as connection:
                return int(connection.execute(
                    insert(Team).values(name=name, created_at=self.runtime.clock.now()).returning(Team.id)
                ).scalar_one())
        except IntegrityError:
            raise Conflict(f"Team {name!r} already exists.") from None

    def team_id(self, connection: Connection, name: str) -> int:
        found = connection.execute(select(Team.id).where(Team.name == name)).scalar_one_or_none()
        if found is None:
            raise NotFound(f"Team {name!r} does not exist. Create it with: crowdform team create {name}")
        return int(found)

    def list_teams(self) -> list[tuple[str, int]]:
        """(team name, member count), by name."""
        with self.runtime.database.read() as connection:
            teams = connection.execute(select(Team.id, Team.name).order_by(Team.name)).all()
            members = dict(connection.execute(
                select(TeamMember.team_id, func.count()).group_by(TeamMember.team_id)
            ).all())
            return [(name, members.get(team_id, 0)) for team_id, name in teams]

    # ---------------------------------------------------------------- workers
    def add_worker(self, username: str, *, team: str, password: str | None = None,
                   invited: bool = False) -> tuple[WorkerInfo, str | None]:
        """Create the worker if new, add them to ``team``. Returns the worker and a generated password, if one was made.

        ``invited``: leave the password as it is (none for a new worker): the worker sets it through
        an invitation link (``engine/invitations.py``).
        """
        if not USERNAME.match(username):
            raise InvalidInput.one("username", "is not a valid user name", value=username,
                                   hint="Use up to 128 letters, digits and . _ @ + -")
        generated = None
        if password is None and not invited:
            generated = password = secrets.token_urlsafe(12)
        if password is not None:
            check_password(password)
        hashed = None if password is None else _hasher.hash(password)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            team_id = self.team_id(connection, team)
            worker_id = connection.execute(select(Worker.id).where(Worker.username == username)).scalar_one_or_none()
            if worker_id is None:
                worker_id = connection.execute(insert(Worker).values(
                    username=username,
                    worker_uid=f"private.{self.runtime.settings.region}.{secrets.token_hex(8)}",
                    subject=str(uuid.uuid4()),
                    password_hash=hashed,
                    active=True,
                    created_at=now,
                ).returning(Worker.id)).scalar_one()
            elif hashed is not None:
                connection.execute(update(Worker).where(Worker.id == worker_id).values(password_hash=hashed))
            membership = connection.execute(select(TeamMember.direct).where(
                TeamMember.team_id == team_id, TeamMember.worker_id == worker_id)).first()
            if membership is None:
                connection.execute(insert(TeamMember).values(team_id=team_id, worker_id=worker_id, direct=True))
            elif not membership.direct:  # a member through a group until now: a direct member from now on
                connection.execute(update(TeamMember).where(TeamMember.team_id == team_id,
                                                            TeamMember.worker_id == worker_id).values(direct=True))
            refresh_members(connection, teams_using_group(connection, team_id))
            return _info(connection.execute(_WORKER.where(Worker.id == worker_id)).one()), generated

    def teams_of(self, worker_id: int) -> tuple[str, ...]:
        with self.runtime.database.read() as connection:
            return tuple(connection.execute(
                select(Team.name).join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.worker_id == worker_id).order_by(Team.name)
            ).scalars())

    def list_workers(self, team: str | None = None) -> list[WorkerInfo]:
        with self.runtime.database.read() as connection:
            query = _WORKER.order_by(Worker.username)
            if team is not None:
                query = query.join(TeamMember, TeamMember.worker_id == Worker.id).where(
                    TeamMember.team_id == self.team_id(connection, team))
            return [_info(row) for row in connection.execute(query)]

    def set_active(self, username: str, active: bool) -> None:
        with self.runtime.database.write() as connection:
            done = connection.execute(update(Worker).where(Worker.username == username).values(active=active)).rowcount
            if not done:
                raise NotFound(f"Worker {username!r} does not exist.")
            if not active:
                worker_id = connection.execute(select(Worker.id).where(Worker.username == username)).scalar_one()
                connection.execute(delete(ApiToken).where(ApiToken.worker_id == worker_id))
        self._checked.clear()

    def clear_password(self, username: str) -> WorkerInfo:
        """Forget the worker's password and end their sessions, so nobody signs in as them until they
        choose a new password through an invitation link (``Invitations.reset_password``)."""
        with self.runtime.database.write() as connection:
            row = connection.execute(_WORKER.where(Worker.username == username)).first()
            if row is None:
                raise NotFound(f"Worker {username!r} does not exist. Add them to a team first.")
            connection.execute(update(Worker).where(Worker.id == row.id).values(password_hash=None))
            connection.execute(delete(ApiToken).where(ApiToken.worker_id == row.id))
        self._checked.clear()
        return _info(row)

    # ---------------------------------------------------------------- authentication
    def login(self, username: str, password: str) -> str:
        """Check a worker's password and return a new bearer token."""
        with self.runtime.database.read() as connection:
            row = connection.execute(
                select(Worker.id, Worker.password_hash, Worker.active).where(Worker.username == username)
            ).first()
        if row is None or not row.active:
            _refuse(password)
        _check_password(row.password_hash, password)
        return self._issue_token("worker", worker_id=row.id, lifetime=WORKER_TOKEN_SECONDS)

    def logout(self, token: str) -> None:
        """Revoke a token (the portal's "Log out"); unknown tokens are ignored."""
        with self.runtime.database.write() as connection:
            connection.execute(delete(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        self._checked.forget(hash_token(token))

    def create_admin_token(self, label: str = "") -> str:
        return self._issue_token("admin", label=label)

    # ---------------------------------------------------------------- console administrators
    def create_admin(self, username: str, password: str | None = None) -> str | None:
        """Create a console administrator, or set a new password for an existing one. Returns the
        generated password when none was given."""
        if not USERNAME.match(username):
            raise InvalidInput.one("username", "is not a valid user name", value=username,
                                   hint="Use up to 128 letters, digits and . _ @ + -")
        generated = None
        if password is None:
            generated = password = secrets.token_urlsafe(12)
        check_password(password)
        hashed = _hasher.hash(password)
        with self.runtime.database.write() as connection:
            changed = connection.execute(update(Admin).where(Admin.username == username)
                                         .values(password_hash=hashed, active=True)).rowcount
            if not changed:
                connection.execute(insert(Admin).values(username=username, password_hash=hashed, active=True,
                                                        created_at=self.runtime.clock.now()))
        return generated

    def admin_login(self, username: str, password: str) -> str:
        """Check an administrator's password and return a console session token (12 hours)."""
        with self.runtime.database.read() as connection:
            row = connection.execute(select(Admin.id, Admin.password_hash, Admin.active)
                                     .where(Admin.username == username)).first()
        if row is None or not row.active:
            _refuse(password)
        _check_password(row.password_hash, password)
        return self._issue_token("admin", admin_id=row.id, label="console session", lifetime=WORKER_TOKEN_SECONDS)

    def _issue_token(self, role: str, *, worker_id: int | None = None, admin_id: int | None = None,
                     label: str = "", lifetime: float | None = None) -> str:
        token = secrets.token_urlsafe(32)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            connection.execute(insert(ApiToken).values(
                token_hash=hash_token(token), role=role, worker_id=worker_id, admin_id=admin_id, label=label,
                created_at=now, expires_at=None if lifetime is None else now + lifetime,
            ))
        return token

    def recently_checked(self, token: str) -> Principal | None:
        """The token's holder if the database confirmed it within ``TOKEN_CACHE_SECONDS``; no I/O."""
        return self._checked.get(hash_token(token), self.runtime.clock.now())

    def authenticate(self, token: str) -> Principal:
        """Who holds this token: answered from the recent checks, else one indexed query."""
        token_hash = hash_token(token)
        now = self.runtime.clock.now()
        known = self._checked.get(token_hash, now)
        if known is not None:
            return known
        with self.runtime.database.read() as connection:
            row = connection.execute(_TOKEN, {"hash": token_hash}).first()
        if row is None or (row.expires_at is not None and row.expires_at < now):
            raise Unauthorized("The token is unknown or has expired. Log in again.")
        if row.role == "admin":
            if row.admin_id is not None and not row.admin_active:
                raise Unauthorized("This administrator account is deactivated.")
            principal = Principal("admin", admin_username=row.admin_username)
        elif not row.active:
            raise Unauthorized("This worker account is deactivated.")
        else:
            principal = Principal("worker", WorkerInfo(row.worker_id, row.username, row.worker_uid, row.subject,
                                                       row.active))
        until = now + TOKEN_CACHE_SECONDS
        self._checked.put(token_hash, principal, until if row.expires_at is None else min(until, row.expires_at))
        return principal


def set_groups(connection: Connection, team_id: int, group_ids: Iterable[int]) -> None:
    """Make ``group_ids`` the member groups of team ``team_id`` and rebuild its derived members."""
    connection.execute(delete(TeamGroup).where(TeamGroup.team_id == team_id))
    rows = [{"team_id": team_id, "group_id": group_id} for group_id in dict.fromkeys(group_ids)]
    if rows:
        connection.execute(_insert_or_skip(connection, TeamGroup), rows)
    refresh_members(connection, [team_id])


def teams_using_group(connection: Connection, group_id: int) -> list[int]:
    """The teams that have team ``group_id`` among their member groups."""
    return list(connection.execute(select(TeamGroup.team_id).where(TeamGroup.group_id == group_id)).scalars())


def refresh_members(connection: Connection, team_ids: Iterable[int]) -> None:
    """Rebuild the derived member rows of each team: the direct members of its groups, but for
    those that are direct members of the team itself. Two set-based statements per team; a row
    another transaction added meanwhile is skipped, not a failure."""
    for team_id in team_ids:
        groups = select(TeamGroup.group_id).where(TeamGroup.team_id == team_id)
        from_groups = select(TeamMember.worker_id).where(TeamMember.team_id.in_(groups), TeamMember.direct)
        connection.execute(delete(TeamMember).where(
            TeamMember.team_id == team_id, ~TeamMember.direct, TeamMember.worker_id.not_in(from_groups)))
        connection.execute(_insert_or_skip(connection, TeamMember).from_select(
            ["team_id", "worker_id", "direct"],
            select(literal(team_id), TeamMember.worker_id, false()).distinct().where(
                TeamMember.team_id.in_(groups), TeamMember.direct)))


def _insert_or_skip(connection: Connection, table: type[TeamMember] | type[TeamGroup]) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect (SQLite and PostgreSQL)."""
    return dialect_module(connection.dialect.name).insert(table).on_conflict_do_nothing()


_WORKER = select(Worker.id, Worker.username, Worker.worker_uid, Worker.subject, Worker.active)
_TOKEN = (
    select(ApiToken.role, ApiToken.worker_id, ApiToken.admin_id, ApiToken.expires_at, Worker.username,
           Worker.worker_uid, Worker.subject, Worker.active, Admin.username.label("admin_username"),
           Admin.active.label("admin_active"))
    .outerjoin(Worker, Worker.id == ApiToken.worker_id)
    .outerjoin(Admin, Admin.id == ApiToken.admin_id)
    .where(ApiToken.token_hash == bindparam("hash"))
)


def _refuse(password: str) -> NoReturn:
    """Refuse a sign-in after the same work as checking a password, so timing does not tell whether
    the account exists."""
    _hasher.hash(password)
    raise Unauthorized("Wrong user name or password.")


def _check_password(stored_hash: str | None, password: str) -> None:
    if not stored_hash:  # invited, password not set yet
        _refuse(password)
    try:
        _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("Wrong user name or password.") from None


def _info(row: Any) -> WorkerInfo:
    return WorkerInfo(row.id, row.username, row.worker_uid, row.subject, row.active)
