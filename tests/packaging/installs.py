"""Fresh virtualenvs to install the workspace into, with pip or uv, and what they hold."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from tests.utils import ROOT, run_command

Installer = Literal["pip", "uv"]
MEMBERS = sorted(path.parent for path in (ROOT / "packages").glob("*/pyproject.toml"))


def member_names() -> list[str]:
    return [member.name for member in MEMBERS]


def entry_point_names() -> set[str]:
    """The plugin names the workspace registers (``[project.entry-points.uvicorn]``)."""
    names: set[str] = set()
    for member in MEMBERS:
        with open(member / "pyproject.toml", "rb") as file:
            project = tomllib.load(file)["project"]
        names.update(project.get("entry-points", {}).get("uvicorn", {}))
    return names


def clean_env() -> dict[str, str]:
    """This process's environment without what ties a child to the test environment."""
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX"):
        env.pop(name, None)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", UV_NO_PROGRESS="1", PYTHONUNBUFFERED="1")
    return env


def uv_executable() -> str:
    """The ``uv`` pinned in the development environment, beside this interpreter."""
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is not installed: it is pinned in the root pyproject.toml")
    return found


def plugin_rows(listing: str) -> dict[tuple[str, str], tuple[str, str]]:
    """``--list-plugins`` as ``{(kind, name): (distribution, status)}``."""
    rows = {}
    for line in listing.splitlines()[1:]:
        kind, name, distribution, _version, status = re.split(r" {2,}", line.strip(), maxsplit=4)
        rows[kind, name] = (distribution, status)
    return rows


@dataclass(frozen=True)
class Venv:
    path: Path

    def bin(self, name: str) -> str:
        return str(self.path / "bin" / name)

    def run(
        self, *command: str, cwd: Path = ROOT, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return run_command(list(command), cwd=cwd, env=clean_env(), timeout=timeout)

    def install(
        self,
        installer: Installer,
        *requirements: str,
        find_links: Path | None = None,
        extra: tuple[str, ...] = (),
        timeout: float = 240,
    ) -> None:
        """Install ``requirements`` (paths are relative to the checkout) with pip or uv."""
        if installer == "pip":
            command = [self.bin("python"), "-m", "pip", "install", *extra]
        else:
            command = [uv_executable(), "pip", "install", "--python", self.bin("python"), *extra]
        if find_links is not None:
            command += ["--find-links", str(find_links)]
        result = self.run(*command, *requirements, timeout=timeout)
        assert result.returncode == 0, result.stdout + result.stderr

    def uvicorn(self, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
        return self.run(self.bin("uvicorn"), *args, cwd=cwd)

    def distributions(self) -> set[str]:
        """Names of the installed distributions of this workspace."""
        code = (
            "import importlib.metadata as m\n"
            "print(' '.join(d.metadata['Name'] for d in m.distributions()))"
        )
        result = self.run(self.bin("python"), "-c", code)
        assert result.returncode == 0, result.stderr
        return {name for name in result.stdout.split() if name.startswith("uvicorn")}
