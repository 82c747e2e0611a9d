"""Lambda deployment packages: unpacked once per content, members that would leave the folder refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from crowdform.errors import InvalidInput
from crowdform.hooks.package import unpack_deployment_package


def make_zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def test_a_package_is_unpacked_once_per_content(tmp_path: Path) -> None:
    package = make_zip(tmp_path / "function.zip", {"lambda_function.py": "X = 1\n", "lib/dep.py": "Y = 2\n"})
    folder = unpack_deployment_package(package, tmp_path / "data")
    assert (folder / "lambda_function.py").read_text() == "X = 1\n" and (folder / "lib" / "dep.py").is_file()
    assert unpack_deployment_package(package, tmp_path / "data") == folder


@pytest.mark.parametrize("member", ["../outside.py", "/etc/outside.py", "a/../../outside.py"])
def test_a_member_leading_outside_is_refused(tmp_path: Path, member: str) -> None:
    package = make_zip(tmp_path / "function.zip", {"lambda_function.py": "", member: "EVIL = 1\n"})
    with pytest.raises(InvalidInput) as refused:
        unpack_deployment_package(package, tmp_path / "data")
    assert "--zip" in str(refused.value) and member in str(refused.value)
    assert not (tmp_path / "outside.py").exists()
    assert not [p for p in (tmp_path / "data" / "hook-code").iterdir() if not p.name.startswith(".")]


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "function.zip").write_text("not a zip")
    with pytest.raises(InvalidInput, match="not a zip file"):
        unpack_deployment_package(tmp_path / "function.zip", tmp_path / "data")
