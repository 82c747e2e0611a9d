"""Sign-in throttling per account and per client address, counted in the database.

Every password check costs an argon2 hash, and a password can be guessed only as fast as checks are
made; so attempts are counted per account (``worker:<name>``, ``admin:<name>``) and per client
address, in fixed windows of ``sign_in_window_seconds``. An attempt is counted *before* its password
is checked, in one conditional upsert per key, so concurrent attempts -- from any number of server
processes on one database -- can never all slip under the limit at once; a successful sign-in then
takes its attempt back (the account starts over, the address forgets one). An attempt beyond a
limit is refused with :class:`~crowdform.errors.TooManyRequests` without checking the password, and
says when the window ends.

Keys are SHA-256 digests, so mistyped user names (sometimes passwords typed into the wrong field) are
not stored as typed; windows that have ended are deleted now and then.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import Connection, case, delete, update

from crowdform.engine.runtime import Runtime
from crowdform.errors import TooManyRequests
from crowdform.store.database import dialect_module
from crowdform.store.models import SignInCount

SWEEP_SECONDS = 300.0  # how often a process deletes the counts of windows that have ended


@dataclass(frozen=True)
class _Key:
    digest: str
    limit: int
    refusal: str


class SignInThrottle:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._insert = dialect_module("sqlite" if runtime.database.is_sqlite else "postgresql").insert
        self._last_sweep = 0.0

    def admit(self, kind: str, username: str, address: str) -> None:
        """Count an attempt to sign in to the ``kind`` account ``username`` from ``address``; raise
        :class:`TooManyRequests` if the account or the address is over its limit."""
        settings = self.runtime.settings
        window = settings.sign_in_window_seconds
        now = self.runtime.clock.now()
        keys = [
            _Key(_digest(f"{kind}:{username.lower()}"), settings.sign_in_failures_per_account,
                 "Too many failed sign-ins to this account"),
            _Key(_digest(f"address:{address}"), settings.sign_in_failures_per_address,
                 "Too many failed sign-ins from your address"),
        ]
        refusals = []
        with self.runtime.database.write(durable=False) as connection:  # a lost count is harmless
            for key in keys:
                attempts, started = self._count(connection, key.digest, now, window)
                if attempts > key.limit:
                    refusals.append((math.ceil(started + window - now), key.refusal))
            if now - self._last_sweep > SWEEP_SECONDS:
                connection.execute(delete(SignInCount).where(SignInCount.window_started <= now - window))
                self._last_sweep = now
        if refusals:
            wait, reason = max(refusals)
            raise TooManyRequests(f"{reason}. Try again in {_duration(wait)}, or ask an administrator to set a new "
                                  "password.", retry_after=wait)

    def succeeded(self, kind: str, username: str, address: str) -> None:
        """The password was right: the account's count starts over and the address forgets this attempt."""
        with self.runtime.database.write(durable=False) as connection:
            connection.execute(delete(SignInCount).where(SignInCount.key == _digest(f"{kind}:{username.lower()}")))
            connection.execute(update(SignInCount).where(
                SignInCount.key == _digest(f"address:{address}"), SignInCount.attempts > 0,
            ).values(attempts=SignInCount.attempts - 1))

    def _count(self, connection: Connection, key: str, now: float, window: float) -> tuple[int, float]:
        """Add one attempt to ``key`` (starting a new window if its last one ended): (attempts, window start)."""
        ended = SignInCount.window_started <= now - window
        insert = self._insert(SignInCount).values(key=key, attempts=1, window_started=now)
        statement = insert.on_conflict_do_update(index_elements=[SignInCount.key], set_={
            "attempts": case((ended, 1), else_=SignInCount.attempts + 1),
            "window_started": case((ended, now), else_=SignInCount.window_started),
        }).returning(SignInCount.attempts, SignInCount.window_started)
        attempts, started = connection.execute(statement).one()
        return int(attempts), float(started)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
