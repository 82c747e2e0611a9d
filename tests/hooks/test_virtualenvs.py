"""A hook's own environment (``--requirements``, ``--zip``): its pins win over the server's packages,
boto3 is there as in Lambda's runtime, crowdform is not; built once per requirements; failures name
the requirement. pip runs for real, offline, on a wheel the test builds."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import idna as servers_idna
from crowdform.errors import InvalidInput
from crowdform.hooks import HookInvoker, parse_hook_reference
from crowdform.hooks.virtualenvs import HookEnvironments

from .wheels import build_wheel

OLD_IDNA = "1.4.2"


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    build_wheel(folder, "idna", OLD_IDNA, f'__version__ = "{OLD_IDNA}"\n')
    return folder


def test_the_hooks_pin_wins_boto3_is_there_and_crowdform_is_not(
    tmp_path: Path, wheels: Path, handlers: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert servers_idna.__version__ != OLD_IDNA
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(sys.path[1:]))  # the server's packages: not for this hook
    environments = HookEnvironments(tmp_path / "data", ("--no-index", "--find-links", str(wheels)))
    python = environments.ensure(f"idna=={OLD_IDNA}\n")
    assert environments.ensure(f"# the same requirements\nidna=={OLD_IDNA}\n\n") == python  # built once, reused
    assert len(list((tmp_path / "data" / "hook-environments").glob("*/ready"))) == 1
    reference = parse_hook_reference("own_environment.py", base_dir=handlers)
    with HookInvoker(reference, name="own-env", python=python) as hook:
        seen = hook.invoke({})
    import boto3

    assert seen == {"idna": OLD_IDNA, "idna_metadata": OLD_IDNA, "boto3": boto3.__version__, "crowdform": False,
                    "sqlalchemy": False, "prefix": str(python.python.parent.parent), "pythonpath": None}
    assert seen["prefix"] != sys.prefix


def test_a_requirement_pip_cannot_install_is_named_with_pips_error(tmp_path: Path, wheels: Path) -> None:
    environments = HookEnvironments(tmp_path / "data", ("--no-index", "--find-links", str(wheels)))
    with pytest.raises(InvalidInput) as refused:
        environments.ensure("idna\nno-such-package-crowdform-test==1.0\n")
    message = str(refused.value)
    assert "--requirements" in message and "'no-such-package-crowdform-test==1.0'" in message
    assert "No matching distribution found" in message or "Could not find a version" in message
    assert "--no-index" in message  # the options pip ran with, where the fix may be
    assert not list((tmp_path / "data" / "hook-environments").glob("*/ready"))
