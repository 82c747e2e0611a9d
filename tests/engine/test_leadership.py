"""One process per data folder runs the background work; the next takes over when it lets go."""

from __future__ import annotations

from pathlib import Path

from crowdform.engine.leadership import Leadership


def test_only_one_holder_at_a_time_and_the_lock_passes_on(tmp_path: Path) -> None:
    first, second = Leadership(tmp_path), Leadership(tmp_path)
    assert first.try_acquire() and first.held
    assert not second.try_acquire() and not second.held  # a separate open file: what another process has
    assert first.try_acquire()  # asking again while leading is harmless
    first.release()
    assert second.try_acquire()
    assert (tmp_path / "background.lock").read_text().strip().isdigit()  # the leader's pid, for people
    second.release()
