"""Every password check the server makes: throttled per account and address, and bounded per process.

The API's ``POST /api/v1/auth/login``, the portal's and the console's sign-in forms and the invitation
form all check passwords through here:

1. the field lengths are checked (a user name is at most 128 characters, a password at most
   :data:`MAX_PASSWORD_CHARS`), so no hash is spent on a refusal;
2. the attempt is counted (``engine/sign_in_throttle.py``; 429 with ``Retry-After`` over a limit);
3. the argon2 hash waits for one of ``password_checks_at_once`` slots of this process. A hash takes a
   tenth of a second or more of CPU and 64 MiB: unbounded, a burst of sign-ins took every core and
   starved the worker loop. Beyond ``password_checks_waiting`` waiting checks the sign-in is refused
   at once with 503 and ``Retry-After``, so waiting never grows without bound either.
"""

from __future__ import annotations

import asyncio
import math
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable, TypeVar

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from crowdform.engine.workforce import USERNAME_MAX_CHARS
from crowdform.errors import InvalidInput, ServiceUnavailable
from crowdform.settings import Settings
from crowdform.web.engine_calls import call_engine
from crowdform.web.services import Services

MAX_PASSWORD_CHARS = 1024
HASH_SECONDS = 0.3  # a password check's cost, for the Retry-After of a refusal
T = TypeVar("T")


class PasswordSlots:
    """At most ``at_once`` password checks running in this process, at most ``waiting`` more queued."""

    def __init__(self, settings: Settings) -> None:
        self._at_once = max(1, settings.password_checks_at_once)
        self._waiting_limit = max(0, settings.password_checks_waiting)
        self._semaphore = asyncio.Semaphore(self._at_once)
        self._waiting = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._semaphore.locked() and self._waiting >= self._waiting_limit:
            wait = math.ceil((self._waiting + self._at_once) * HASH_SECONDS / self._at_once)
            raise ServiceUnavailable(f"The server is busy checking {self._waiting + self._at_once} other sign-ins; "
                                     f"try again in {wait} seconds.", retry_after=wait)
        self._waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting -= 1
        try:
            yield
        finally:
            self._semaphore.release()


def _slots(services: Services) -> PasswordSlots:
    if services.password_slots is None:
        services.password_slots = PasswordSlots(services.runtime.settings)
    return services.password_slots  # type: ignore[no-any-return]


def _check_lengths(username: str, password: str, *, source: str) -> None:
    if len(username) > USERNAME_MAX_CHARS:
        raise InvalidInput.one(source, f"is longer than {USERNAME_MAX_CHARS} characters", field="username",
                               hint="Enter your user name")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InvalidInput.one(source, f"is longer than {MAX_PASSWORD_CHARS} characters", field="password",
                               hint="Enter your password")


async def check_sign_in(request: Request, kind: str, check: Callable[[str, str], str], username: str,
                        password: str) -> str:
    """Sign ``username`` in to a ``kind`` account ("worker" or "admin"): ``check`` verifies the password
    and returns a session token, or raises ``Unauthorized``. Raises ``InvalidInput``,
    ``TooManyRequests`` or ``ServiceUnavailable`` as the module docstring says."""
    services: Services = request.app.state.services
    _check_lengths(username, password, source=f"{request.method} {request.url.path}")
    address = request.client.host if request.client else "unknown"
    throttle = services.sign_in_throttle
    await call_engine(services, throttle.admit, kind, username, address)
    token = await hashing(services, check, username, password)
    await call_engine(services, throttle.succeeded, kind, username, address)
    return token


async def hashing(services: Services, fn: Callable[..., T], *args: object) -> T:
    """Run ``fn`` (which hashes a password) in a worker thread once this process has a slot for it."""
    async with _slots(services).slot():
        return await run_in_threadpool(fn, *args)
