"""Fresh virtualenvs and one wheelhouse of every member, shared by the install tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.packaging.installs import Venv, clean_env, uv_executable
from tests.utils import ROOT, run_command


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every member's wheel, built once per session by ``scripts/wheelhouse.py``."""
    out = tmp_path_factory.mktemp("wheelhouse")
    script = str(ROOT / "scripts" / "wheelhouse.py")
    result = run_command([sys.executable, script, "--out", str(out)], timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture
def make_venv(tmp_path: Path) -> Callable[[bool], Venv]:
    """A fresh virtualenv made by uv (fast); ``with_pip`` seeds pip into it."""
    count = 0

    def make(with_pip: bool) -> Venv:
        nonlocal count
        count += 1
        path = tmp_path / f"venv{count}"
        seed = ["--seed"] if with_pip else []
        command = [uv_executable(), "venv", "--quiet", *seed, "--python", sys.executable]
        result = run_command([*command, str(path)], env=clean_env(), timeout=120)
        assert result.returncode == 0, result.stderr
        return Venv(path)

    return make
