"""uvicorn-standard: its dependencies however it is built, and the one-line install.

Its dependency list is dynamic (``packages/uvicorn-standard/hatch_build.py``): a wheel
built in a checkout points at the sibling members, everything meant for an index
carries the plain lockstep pins. These tests build it with hatchling, as pip would.
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import signal
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path
from typing import Literal

import httpx
import pytest
from packaging.requirements import Requirement

from tests.utils import ROOT, ServerProcess, run_command

STANDARD = ROOT / "packages" / "uvicorn-standard"
RELEASE_ENV = "UVICORN_RELEASE_BUILD"

pytestmark = pytest.mark.timeout(120)


def configured_pins() -> list[Requirement]:
    with open(STANDARD / "pyproject.toml", "rb") as file:
        hooks = tomllib.load(file)["tool"]["hatch"]["metadata"]["hooks"]
    return [Requirement(pin) for pin in hooks["custom"]["dependencies"]]


def lockstep_range() -> str:
    with open(ROOT / "packages" / "uvicorn-core" / "pyproject.toml", "rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    major, minor = version.split(".")[:2]
    return f"<{major}.{int(minor) + 1},>={major}.{minor}"


def build(target: Literal["wheel", "sdist"], source: Path, out: Path, *, release: bool) -> Path:
    """Build with hatchling's PEP 517 hook in a fresh process, as a frontend does."""
    env = {name: value for name, value in os.environ.items() if name != RELEASE_ENV}
    if release:
        env[RELEASE_ENV] = "1"
    code = f"import hatchling.build as backend; print(backend.build_{target}({str(out)!r}))"
    result = run_command([sys.executable, "-c", code], cwd=source, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return out / result.stdout.split()[-1]


def requires_dist(metadata: str) -> list[Requirement]:
    lines = email.parser.Parser().parsestr(metadata).get_all("Requires-Dist", [])
    return [Requirement(line) for line in lines]


def wheel_requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        return requires_dist(archive.read(name).decode())


def sdist_requirements(sdist: Path) -> list[Requirement]:
    with tarfile.open(sdist) as archive:
        [name] = [name for name in archive.getnames() if re.fullmatch(r"[^/]+/PKG-INFO", name)]
        file = archive.extractfile(name)
        assert file is not None
        return requires_dist(file.read().decode())


def assert_plain_lockstep_pins(requirements: list[Requirement]) -> None:
    assert sorted(req.name for req in requirements) == sorted(pin.name for pin in configured_pins())
    for requirement in requirements:
        assert requirement.url is None, requirement
        assert str(requirement.specifier) == lockstep_range(), requirement


def test_configured_pins_are_workspace_members_in_lockstep() -> None:
    members = {path.parent.name for path in (ROOT / "packages").glob("*/pyproject.toml")}
    names = {pin.name for pin in configured_pins()}
    assert names <= members
    assert {"uvicorn-core", "uvicorn-http-httptools", "uvicorn-loop-uvloop"} <= names
    assert {"uvicorn-reload", "uvicorn-ws-websockets"} <= names
    for pin in configured_pins():
        assert str(pin.specifier) == lockstep_range(), pin


def test_wheel_built_in_a_checkout_points_at_the_sibling_members(tmp_path: Path) -> None:
    requirements = wheel_requirements(build("wheel", STANDARD, tmp_path, release=False))
    folder = (ROOT / "packages").resolve().as_uri()
    expected = {pin.name: f"{folder}#subdirectory={pin.name}" for pin in configured_pins()}
    assert {req.name: req.url for req in requirements} == expected
    for requirement in requirements:
        with open(ROOT / "packages" / requirement.name / "pyproject.toml", "rb") as file:
            assert tomllib.load(file)["project"]["name"] == requirement.name


def test_release_wheel_carries_only_the_lockstep_pins(tmp_path: Path) -> None:
    assert_plain_lockstep_pins(wheel_requirements(build("wheel", STANDARD, tmp_path, release=True)))


def test_sdist_built_in_a_checkout_and_its_wheel_carry_only_the_lockstep_pins(
    tmp_path: Path,
) -> None:
    sdist = build("sdist", STANDARD, tmp_path / "sdist", release=False)
    assert_plain_lockstep_pins(sdist_requirements(sdist))
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    [unpacked] = (tmp_path / "unpacked").iterdir()
    wheel = build("wheel", unpacked, tmp_path / "wheel", release=False)
    assert_plain_lockstep_pins(wheel_requirements(wheel))


@pytest.mark.network
@pytest.mark.subprocess
@pytest.mark.timeout(480)
def test_one_line_install_from_a_checkout_serves_with_httptools_and_uvloop(
    tmp_path: Path,
) -> None:
    """``pip install ./packages/uvicorn-standard`` in a fresh venv, then ``uvicorn``.

    The tree is copied first, like a clean clone. pip downloads the libraries (its cache
    makes that quick) and builds each member from the copy.
    """
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist", ".*")
    for part in ("packages", "examples"):
        shutil.copytree(ROOT / part, checkout / part, ignore=ignore)
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    scripts = environment / "bin"
    env = {name: value for name, value in os.environ.items() if name != RELEASE_ENV}
    env.pop("VIRTUAL_ENV", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    install = run_command(
        [str(scripts / "pip"), "install", "./packages/uvicorn-standard"],
        cwd=checkout,
        env=env,
        timeout=420,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    result = run_command([str(scripts / "uvicorn"), "--list-plugins"], cwd=checkout, env=env)
    assert result.returncode == 0, result.stderr
    listing = result.stdout
    for kind, name in [
        ("http", "httptools"),
        ("loop", "uvloop"),
        ("ws", "websockets-sansio"),
        ("supervisor", "watchfiles"),
    ]:
        assert re.search(rf"^{kind} +{name} .*available \(auto\)$", listing, re.M), listing

    uvicorn = str(scripts / "uvicorn")
    args = ["examples.hello:app", "--port", "0"]
    with ServerProcess(args, env=env, command=(), executable=uvicorn, cwd=checkout) as server:
        port = server.wait_running()
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=10).text == "Hello, world!\n"
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
