"""Settings precedence, errors that name the nearest valid setting, and secrets made on first start."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from crowdform.errors import InvalidInput
from crowdform.secrets import SECRETS_FILE_NAME, load_or_create_secret
from crowdform.settings import Settings, load_settings


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "crowdform.toml").write_text('port = 9000\nregion = "eu-west-1"\nhook_timeout_seconds = 5\n')
    env = {"CROWDFORM_DATA_DIR": str(data), "CROWDFORM_REGION": "ap-south-1", "CROWDFORM_TEST_POSTGRES_URL": "x"}
    settings = load_settings(env, port=7000)
    assert settings.data_dir == data
    assert settings.port == 7000  # flag beats file
    assert settings.region == "ap-south-1"  # environment beats file
    assert settings.hook_timeout_seconds == 5.0  # file beats default
    assert settings.account_id == "000000000000"  # default
    assert settings.resolved_database_url == f"sqlite:///{(data / 'crowdform.db').resolve()}"


def test_unknown_and_malformed_settings_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Did you mean 'hook_timeout_seconds'"):
        load_settings({"CROWDFORM_HOOK_TIMEOUT_SECOND": "3", "CROWDFORM_DATA_DIR": str(tmp_path)})
    with pytest.raises(InvalidInput, match="port"):
        load_settings({"CROWDFORM_PORT": "eighty", "CROWDFORM_DATA_DIR": str(tmp_path)})
    (tmp_path / "crowdform.toml").write_text("this is = not toml =")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        load_settings({"CROWDFORM_DATA_DIR": str(tmp_path)})


def test_storage_roots_always_hold_the_data_folder_and_working_directory(tmp_path: Path) -> None:
    settings = load_settings({"CROWDFORM_DATA_DIR": str(tmp_path), "CROWDFORM_STORAGE_ROOTS": "/srv/a:/srv/b"})
    roots = settings.all_storage_roots
    assert roots[0] == tmp_path.resolve() and Path.cwd().resolve() in roots
    assert Path("/srv/a") in roots and Path("/srv/b") in roots


def test_secret_is_generated_once_with_private_permissions(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = load_or_create_secret(settings)
    assert len(first) >= 40 and load_or_create_secret(settings) == first
    mode = stat.S_IMODE((tmp_path / SECRETS_FILE_NAME).stat().st_mode)
    assert mode == 0o600
    assert load_or_create_secret(Settings(data_dir=tmp_path, session_secret="given")) == "given"
    assert [p.name for p in tmp_path.iterdir()] == [SECRETS_FILE_NAME]  # no temp file left behind
