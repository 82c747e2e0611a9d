"""The invoker's pool: parallel calls up to ``concurrency``, clean shutdown, and cheap warm calls."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest

from crowdform.errors import HookError
from crowdform.hooks import HookInvoker, parse_hook_reference


def invoker(handlers: Path, reference: str, **options: Any) -> HookInvoker:
    return HookInvoker(parse_hook_reference(reference, base_dir=handlers), name="gt-pre", **options)


def test_concurrency_runs_calls_at_the_same_time_in_separate_processes(handlers: Path, tmp_path: Path) -> None:
    event = {"folder": str(tmp_path), "parties": 4, "wait_s": 8}
    with invoker(handlers, "behaviours.py:rendezvous", concurrency=4, timeout_s=10) as hook:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: hook.invoke(event), range(4)))
    # each call waited inside the handler until all four were there at once
    assert [r["saw"] for r in results] == [4, 4, 4, 4]
    assert len({r["pid"] for r in results}) == 4


def test_never_more_processes_than_concurrency(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:count", concurrency=2) as hook:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda _: hook.invoke({}), range(40)))
        pids = {r["pid"] for r in results}
        assert 1 <= len(pids) <= 2
        assert set(hook.process_ids) == pids
        assert sum(max(r["calls"] for r in results if r["pid"] == pid) for pid in pids) == 40


def test_concurrency_one_serialises_calls(handlers: Path, tmp_path: Path) -> None:
    event = {"folder": str(tmp_path), "parties": 2, "wait_s": 0.3}
    with invoker(handlers, "behaviours.py:rendezvous", concurrency=1, timeout_s=5) as hook:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda _: hook.invoke(event), range(2)))
    assert sorted(r["saw"] for r in results) == [1, 2]  # the first call was alone in the handler


def test_close_stops_the_processes_and_refuses_new_calls(handlers: Path) -> None:
    hook = invoker(handlers, "behaviours.py:count", concurrency=2)
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda _: hook.invoke({}), range(4)))
    processes = [psutil.Process(pid) for pid in hook.process_ids]
    assert len(processes) == 2
    hook.close()
    assert hook.process_ids == []
    assert not any(p.is_running() for p in processes)  # close() waits for them (and reaps them)
    with pytest.raises(HookError, match="invoker has been closed"):
        hook.invoke({})


def test_close_during_a_call_fails_that_call(handlers: Path, tmp_path: Path) -> None:
    hook = invoker(handlers, "behaviours.py:hang", timeout_s=30)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(hook.invoke, {"pid_file": str(tmp_path / "pid")})
        while not (tmp_path / "pid").exists():
            time.sleep(0.01)
        hook.close()
        with pytest.raises(HookError, match="was stopped: its invoker was closed during the call"):
            future.result(timeout=10)


def test_warm_calls_are_cheap(handlers: Path) -> None:
    """A regression guard, far above the ~0.2 ms a warm call takes: restarting the process per
    call (~70 ms) would blow it."""
    with invoker(handlers, "behaviours.py:echo") as hook:
        hook.invoke({})
        started = time.perf_counter()
        for i in range(300):
            assert hook.invoke({"i": i}) == {"i": i}
        assert time.perf_counter() - started < 6.0


@pytest.mark.parametrize("options", [{"timeout_s": 0}, {"concurrency": 0}])
def test_bad_options_are_rejected(handlers: Path, options: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        invoker(handlers, "behaviours.py:echo", **options)


def test_attempts_must_be_positive(handlers: Path) -> None:
    with invoker(handlers, "behaviours.py:echo") as hook, pytest.raises(ValueError, match="attempts"):
        hook.invoke({}, attempts=0)
