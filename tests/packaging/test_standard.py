"""uvicorn-standard's metadata, and the wheelhouse every member is installed from.

The wheels come from ``scripts/wheelhouse.py`` (one build per session); nothing here
needs the network.
"""

from __future__ import annotations

import email.message
import email.parser
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from tests.packaging.installs import member_names
from tests.utils import ROOT

pytestmark = pytest.mark.timeout(120)

NOT_ON_UVLOOP_PLATFORMS = [
    {"sys_platform": "win32"},
    {"sys_platform": "cygwin"},
    {"platform_python_implementation": "PyPy"},
]


def lockstep_range() -> str:
    with open(ROOT / "packages" / "uvicorn-core" / "pyproject.toml", "rb") as file:
        version: str = tomllib.load(file)["project"]["version"]
    major, minor = version.split(".")[:2]
    return f"<{major}.{int(minor) + 1},>={major}.{minor}"


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        [name] = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode())


def wheel_requirements(wheel: Path) -> list[Requirement]:
    return [Requirement(line) for line in wheel_metadata(wheel).get_all("Requires-Dist", [])]


def standard_requirements(wheelhouse: Path) -> dict[str, Requirement]:
    [wheel] = wheelhouse.glob("uvicorn_standard-*.whl")
    return {requirement.name.lower(): requirement for requirement in wheel_requirements(wheel)}


def test_wheelhouse_holds_one_wheel_of_each_member(wheelhouse: Path) -> None:
    names = sorted(wheel_metadata(wheel)["Name"] for wheel in wheelhouse.glob("*.whl"))
    assert names == member_names()


def test_no_wheel_names_a_dependency_by_url(wheelhouse: Path) -> None:
    for wheel in wheelhouse.glob("*.whl"):
        for requirement in wheel_requirements(wheel):
            assert requirement.url is None, (wheel.name, str(requirement))


def test_standard_pins_its_members_to_the_lockstep_range(wheelhouse: Path) -> None:
    members = {
        name: requirement
        for name, requirement in standard_requirements(wheelhouse).items()
        if name in member_names()
    }
    assert set(members) == {
        "uvicorn-core",
        "uvicorn-http-h11",
        "uvicorn-http-h2",
        "uvicorn-http-httptools",
        "uvicorn-loop-uvloop",
        "uvicorn-ws-websockets",
        "uvicorn-reload",
    }
    for requirement in members.values():
        assert str(requirement.specifier) == lockstep_range(), requirement


def test_standard_carries_dotenv_and_yaml_like_upstream_standard(wheelhouse: Path) -> None:
    requirements = standard_requirements(wheelhouse)
    assert requirements["python-dotenv"].marker is None
    assert requirements["pyyaml"].marker is None


def test_standard_skips_uvloop_where_upstream_does(wheelhouse: Path) -> None:
    marker = standard_requirements(wheelhouse)["uvicorn-loop-uvloop"].marker
    assert isinstance(marker, Marker)
    linux = {"sys_platform": "linux", "platform_python_implementation": "CPython"}
    assert marker.evaluate(linux)
    for platform in NOT_ON_UVLOOP_PLATFORMS:
        assert not marker.evaluate({**linux, **platform}), platform


def test_wheelhouse_script_replaces_a_stale_wheel(tmp_path: Path, wheelhouse: Path) -> None:
    """A second run into the same folder leaves one wheel per member, the new one."""
    stale = tmp_path / "uvicorn_core-0.0.1-py3-none-any.whl"
    stale.write_bytes(b"")
    other = tmp_path / "click-8.0.0-py3-none-any.whl"  # not ours: left alone
    other.write_bytes(b"")
    script = str(ROOT / "scripts" / "wheelhouse.py")
    subprocess.run([sys.executable, script, "--out", str(tmp_path)], check=True, timeout=120)
    assert not stale.exists()
    assert other.exists()
    built = sorted(wheel.name for wheel in tmp_path.glob("uvicorn*.whl"))
    assert built == sorted(wheel.name for wheel in wheelhouse.glob("*.whl"))
