"""Sign-in throttling counted in the database: per account and per address, in windows, shared by
every process on the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from crowdform.engine.clock import ManualClock
from crowdform.engine.sign_in_throttle import SignInThrottle
from crowdform.errors import TooManyRequests
from tests.helpers import open_runtime


def test_an_account_is_refused_past_its_limit_until_its_window_ends(tmp_path: Path, database_url: str) -> None:
    clock = ManualClock(1_700_000_000.0)
    runtime = open_runtime(tmp_path, database_url, clock=clock, sign_in_failures_per_account=3,
                           sign_in_window_seconds=600)
    throttle = SignInThrottle(runtime)
    for _ in range(3):
        throttle.admit("worker", "alice", "10.0.0.1")
    clock.advance(100)
    with pytest.raises(TooManyRequests, match="to this account. Try again in 9 minutes") as refused:
        throttle.admit("worker", "Alice", "10.0.0.2")  # user names count without case, from any address
    assert refused.value.retry_after == 500 and refused.value.status_code == 429
    throttle.admit("admin", "alice", "10.0.0.1")  # a console account of that name is another account
    throttle.admit("worker", "bob", "10.0.0.1")
    clock.advance(500)  # the window ends
    throttle.admit("worker", "alice", "10.0.0.1")
    runtime.close()


def test_a_right_password_starts_the_account_over_and_forgets_the_attempt_at_the_address(
        tmp_path: Path, database_url: str) -> None:
    runtime = open_runtime(tmp_path, database_url, clock=ManualClock(1_700_000_000.0),
                           sign_in_failures_per_account=2, sign_in_failures_per_address=4)
    throttle = SignInThrottle(runtime)
    for _ in range(2):
        throttle.admit("worker", "alice", "10.0.0.1")
    throttle.succeeded("worker", "alice", "10.0.0.1")  # the second attempt was right
    for _ in range(2):
        throttle.admit("worker", "alice", "10.0.0.1")  # two new chances; the address has had 3 failures
    with pytest.raises(TooManyRequests, match="from your address"):
        for name in ("bob", "carol"):
            throttle.admit("worker", name, "10.0.0.1")
    throttle.admit("worker", "dave", "10.0.0.9")  # another address is not concerned
    runtime.close()


def test_several_processes_on_one_database_count_the_same_attempts(tmp_path: Path, database_url: str) -> None:
    """Two runtimes on one database, as two server processes have: the limit is for both together."""
    clock = ManualClock(1_700_000_000.0)
    first = open_runtime(tmp_path, database_url, clock=clock, sign_in_failures_per_account=4)
    second = open_runtime(tmp_path, database_url, clock=clock, sign_in_failures_per_account=4)
    throttles = [SignInThrottle(first), SignInThrottle(second)]
    for attempt in range(4):
        throttles[attempt % 2].admit("worker", "alice", "10.0.0.1")
    for throttle in throttles:
        with pytest.raises(TooManyRequests):
            throttle.admit("worker", "alice", "10.0.0.1")
    first.close()
    second.close()
