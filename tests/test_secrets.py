"""The signing secret: created once (0600), rotated atomically, and picked up by running processes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from crowdform.errors import InvalidInput
from crowdform.secrets import SigningSecret, load_or_create_secret, rotate_secret, secrets_path
from crowdform.settings import Settings


def test_rotation_writes_a_new_private_secret_in_place_of_the_old(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    first = load_or_create_secret(settings)
    assert load_or_create_secret(settings) == first
    rotate_secret(settings)
    path = secrets_path(settings)
    second = json.loads(path.read_text())["session_secret"]
    assert second != first and len(second) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secrets.json"]  # no temporary file left behind
    assert load_or_create_secret(settings) == second


def test_a_running_process_sees_the_rotated_secret_once_it_looks_again(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    eager = SigningSecret(settings, reload_seconds=0)
    lazy = SigningSecret(settings, reload_seconds=3600)
    before = eager.value
    assert lazy.value == before
    rotate_secret(settings)
    after = eager.value
    assert after != before and after == load_or_create_secret(settings)
    assert lazy.value == before  # it has not looked again yet: at most reload_seconds late


def test_a_secret_file_that_vanishes_or_is_half_written_keeps_the_secret_in_force(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    secret = SigningSecret(settings, reload_seconds=0)
    before = secret.value
    secrets_path(settings).unlink()
    assert secret.value == before
    secrets_path(settings).write_text('{"session_')
    assert secret.value == before


def test_a_secret_given_by_the_settings_cannot_be_rotated_here(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", session_secret="from-the-environment")
    assert SigningSecret(settings, reload_seconds=0).value == "from-the-environment"
    with pytest.raises(InvalidInput, match="session_secret setting") as raised:
        rotate_secret(settings)
    assert "CROWDFORM_SESSION_SECRET" in str(raised.value)
    assert not secrets_path(settings).exists()
