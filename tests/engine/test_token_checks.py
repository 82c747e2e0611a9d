"""Tokens are checked against the database, then trusted for a few seconds without asking again."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from crowdform.engine.clock import ManualClock
from crowdform.engine.workforce import TOKEN_CACHE_SECONDS, Workforce
from crowdform.errors import Unauthorized
from crowdform.store.models import ApiToken
from tests.helpers import PASSWORD, open_runtime, team_with_workers


def test_a_checked_token_is_trusted_briefly_then_checked_again(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock()
    runtime = open_runtime(tmp_path, database_url, clock=clock)
    team_with_workers(runtime, "t", 1)
    workforce = Workforce(runtime)
    token = workforce.login("worker0", PASSWORD)
    assert workforce.recently_checked(token) is None  # never checked yet
    principal = workforce.authenticate(token)
    assert principal.worker is not None and principal.worker.username == "worker0"
    assert workforce.recently_checked(token) == principal

    with runtime.database.write() as connection:  # revoked behind this process's back (e.g. by the CLI)
        connection.execute(delete(ApiToken))
    assert workforce.authenticate(token) == principal  # still trusted within the window
    clock.advance(TOKEN_CACHE_SECONDS + 0.1)
    assert workforce.recently_checked(token) is None
    with pytest.raises(Unauthorized):
        workforce.authenticate(token)
    runtime.close()


def test_deactivating_in_this_process_takes_effect_at_once(tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url)
    team_with_workers(runtime, "t", 1)
    workforce = Workforce(runtime)
    token = workforce.login("worker0", PASSWORD)
    workforce.authenticate(token)
    workforce.set_active("worker0", False)
    assert workforce.recently_checked(token) is None
    with pytest.raises(Unauthorized):
        workforce.authenticate(token)
    runtime.close()


def test_an_expiring_token_is_never_trusted_past_its_expiry(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock()
    runtime = open_runtime(tmp_path, database_url, clock=clock)
    team_with_workers(runtime, "t", 1)
    workforce = Workforce(runtime)
    token = workforce.login("worker0", PASSWORD)
    with runtime.database.write() as connection:
        connection.execute(ApiToken.__table__.update().values(expires_at=clock.now() + 1))
    workforce.authenticate(token)
    clock.advance(1.5)  # past the token's expiry, still inside the trust window
    assert workforce.recently_checked(token) is None
    with pytest.raises(Unauthorized):
        workforce.authenticate(token)
    runtime.close()
