"""Private teams, workers, passwords and API tokens.

Passwords are stored as argon2 hashes. Tokens are random and only their SHA-256 is stored, so a
leaked database does not leak working credentials. A worker's ``worker_uid`` is the opaque
``private.<region>.<16 hex digits>`` id that Ground Truth writes into worker-response files.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crowdform.engine.runtime import Runtime
from crowdform.errors import Conflict, InvalidInput, NotFound, Unauthorized
from crowdform.store.models import ApiToken, Team, TeamMember, Worker

TEAM_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,128}$")
WORKER_TOKEN_SECONDS = 12 * 3600
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
    """Who made a request: an admin token, or a worker."""

    role: str  # "admin" | "worker"
    worker: WorkerInfo | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password(password: str) -> None:
    if len(password) < 8:
        raise InvalidInput.one("password", "is shorter than 8 characters", hint="Choose a longer password")


class Workforce:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

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
    def add_worker(self, username: str, *, team: str, password: str | None = None) -> tuple[WorkerInfo, str | None]:
        """Create the worker if new, add them to ``team``. Returns the worker and a generated password, if one was made."""
        if not USERNAME.match(username):
            raise InvalidInput.one("username", "is not a valid user name", value=username,
                                   hint="Use up to 128 letters, digits and . _ @ + -")
        generated = None
        if password is None:
            generated = password = secrets.token_urlsafe(12)
        check_password(password)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            team_id = self.team_id(connection, team)
            worker_id = connection.execute(select(Worker.id).where(Worker.username == username)).scalar_one_or_none()
            if worker_id is None:
                worker_id = connection.execute(insert(Worker).values(
                    username=username,
                    worker_uid=f"private.{self.runtime.settings.region}.{secrets.token_hex(8)}",
                    subject=str(uuid.uuid4()),
                    password_hash=_hasher.hash(password),
                    active=True,
                    created_at=now,
                ).returning(Worker.id)).scalar_one()
            else:
                connection.execute(update(Worker).where(Worker.id == worker_id).values(password_hash=_hasher.hash(password)))
            exists = connection.execute(select(TeamMember.worker_id).where(
                TeamMember.team_id == team_id, TeamMember.worker_id == worker_id)).first()
            if exists is None:
                connection.execute(insert(TeamMember).values(team_id=team_id, worker_id=worker_id))
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

    # ---------------------------------------------------------------- authentication
    def login(self, username: str, password: str) -> str:
        """Check a worker's password and return a new bearer token."""
        refused = Unauthorized("Wrong user name or password.")
        with self.runtime.database.read() as connection:
            row = connection.execute(
                select(Worker.id, Worker.password_hash, Worker.active).where(Worker.username == username)
            ).first()
        if row is None or not row.password_hash or not row.active:
            _hasher.hash(password)  # spend the same time whether or not the user exists
            raise refused
        try:
            _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise refused from None
        return self._issue_token("worker", worker_id=row.id, lifetime=WORKER_TOKEN_SECONDS)

    def create_admin_token(self, label: str = "") -> str:
        return self._issue_token("admin", label=label)

    def _issue_token(self, role: str, *, worker_id: int | None = None, label: str = "",
                     lifetime: float | None = None) -> str:
        token = secrets.token_urlsafe(32)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            connection.execute(insert(ApiToken).values(
                token_hash=hash_token(token), role=role, worker_id=worker_id, label=label, created_at=now,
                expires_at=None if lifetime is None else now + lifetime,
            ))
        return token

    def authenticate(self, token: str) -> Principal:
        """Who holds this token: one indexed query, run on every API request."""
        with self.runtime.database.read() as connection:
            row = connection.execute(_TOKEN, {"hash": hash_token(token)}).first()
        if row is None or (row.expires_at is not None and row.expires_at < self.runtime.clock.now()):
            raise Unauthorized("The token is unknown or has expired. Log in again.")
        if row.role == "admin":
            return Principal("admin")
        if not row.active:
            raise Unauthorized("This worker account is deactivated.")
        return Principal("worker", WorkerInfo(row.worker_id, row.username, row.worker_uid, row.subject, row.active))


_WORKER = select(Worker.id, Worker.username, Worker.worker_uid, Worker.subject, Worker.active)
_TOKEN = (
    select(ApiToken.role, ApiToken.worker_id, ApiToken.expires_at, Worker.username, Worker.worker_uid,
           Worker.subject, Worker.active)
    .outerjoin(Worker, Worker.id == ApiToken.worker_id)
    .where(ApiToken.token_hash == bindparam("hash"))
)


def _info(row: Any) -> WorkerInfo:
    return WorkerInfo(row.id, row.username, row.worker_uid, row.subject, row.active)
