"""Invitation links: how a worker added by an administrator sets their own password.

An administrator adds a worker by user name or email address (console or ``crowdform worker
invite``); the worker exists at once, in the team, without a password, and gets a link with a random
token (only its SHA-256 is stored). Opening the link and choosing a password signs the worker in.
A link works once and expires after ``INVITATION_SECONDS``; inviting the worker again issues a new
link and retires the old ones. Resetting a password clears it (ending the worker's sessions) and
issues a new link the same way.
"""

from __future__ import annotations

import secrets

from sqlalchemy import insert, select, update

from crowdform.engine.runtime import Runtime
from crowdform.engine.workforce import WorkerInfo, Workforce, check_password, hash_token, hash_password
from crowdform.errors import Conflict, NotFound
from crowdform.store.models import Invitation, Team, TeamMember, Worker

INVITATION_SECONDS = 7 * 24 * 3600
INVITATION_PATH = "/portal/invitations/"


class Invitations:
    def __init__(self, runtime: Runtime, workforce: Workforce) -> None:
        self.runtime = runtime
        self.workforce = workforce

    def invite(self, username: str, *, team: str) -> tuple[WorkerInfo, str]:
        """Add the worker to ``team`` (creating them without a password) and return a new link token."""
        worker, _ = self.workforce.add_worker(username, team=team, invited=True)
        return worker, self._new_link(worker)

    def reset_password(self, username: str) -> tuple[WorkerInfo, str]:
        """Clear the worker's password (ending their sessions) and return a new link token: from now
        on only the link lets them in, where they choose a new password."""
        worker = self.workforce.clear_password(username)
        return worker, self._new_link(worker)

    def awaiting_password(self, team: str) -> set[str]:
        """User names of the team's members who have no password yet: their invitation is still open."""
        with self.runtime.database.read() as connection:
            return set(connection.execute(
                select(Worker.username).join(TeamMember, TeamMember.worker_id == Worker.id)
                .join(Team, Team.id == TeamMember.team_id)
                .where(Team.name == team, Worker.password_hash.is_(None))
            ).scalars())

    def _new_link(self, worker: WorkerInfo) -> str:
        """A new link token for the worker; their earlier unused links expire now."""
        token = secrets.token_urlsafe(32)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            connection.execute(update(Invitation).where(Invitation.worker_id == worker.id, Invitation.used_at.is_(None))
                               .values(expires_at=now))
            connection.execute(insert(Invitation).values(token_hash=hash_token(token), worker_id=worker.id,
                                                         created_at=now, expires_at=now + INVITATION_SECONDS))
        return token

    def link(self, token: str) -> str:
        """The absolute URL of an invitation, from the ``public_url`` setting."""
        return f"{self.runtime.settings.base_url}{INVITATION_PATH}{token}"

    def invited_username(self, token: str) -> str:
        """Whose invitation this is, if it can still be used."""
        return self._open(token)[1]

    def accept(self, token: str, password: str) -> str:
        """Set the worker's password through the link (once) and return a portal session token."""
        check_password(password)
        invitation_id, username = self._open(token)
        now = self.runtime.clock.now()
        with self.runtime.database.write() as connection:
            used = connection.execute(update(Invitation).where(
                Invitation.id == invitation_id, Invitation.used_at.is_(None)).values(used_at=now)).rowcount
            if not used:
                raise Conflict("This invitation link was used already. Sign in with your password, or ask for a new link.")
            connection.execute(update(Worker).where(Worker.username == username)
                               .values(password_hash=hash_password(password)))
        return self.workforce.login(username, password)

    def _open(self, token: str) -> tuple[int, str]:
        with self.runtime.database.read() as connection:
            row = connection.execute(
                select(Invitation.id, Invitation.expires_at, Invitation.used_at, Worker.username, Worker.active)
                .join(Worker, Worker.id == Invitation.worker_id).where(Invitation.token_hash == hash_token(token))
            ).first()
        if row is None or not row.active:
            raise NotFound("This invitation link is not valid. Ask your administrator for a new one.")
        if row.used_at is not None:
            raise Conflict("This invitation link was used already. Sign in with your password, or ask for a new link.")
        if row.expires_at <= self.runtime.clock.now():
            raise Conflict("This invitation link has expired. Ask your administrator for a new one.")
        return row.id, row.username
