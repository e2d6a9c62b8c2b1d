"""Packaging rules of the workspace: lockstep versions, pins, entry points, cheap plugins."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

import uvicorn
from uvicorn import hookspecs

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(path.parent for path in (ROOT / "packages").glob("*/pyproject.toml"))
FORBIDDEN_IN_CORE = {
    "h11",
    "h2",
    "hpack",
    "hyperframe",
    "httptools",
    "websockets",
    "wsproto",
    "uvloop",
    "watchfiles",
}

pytestmark = pytest.mark.timeout(60)


def project(path: Path) -> dict[str, Any]:
    with open(path / "pyproject.toml", "rb") as file:
        data: dict[str, Any] = tomllib.load(file)["project"]
    return data


def declared_dependencies(path: Path) -> list[str]:
    """The member's static dependencies: no member computes them at build time."""
    assert "dependencies" not in project(path).get("dynamic", []), path.name
    dependencies: list[str] = project(path).get("dependencies", [])
    return dependencies


def core_version() -> str:
    version: str = project(ROOT / "packages" / "uvicorn-core")["version"]
    return version


def plugin_packages() -> list[Path]:
    """Members registering uvicorn plugins (core's only entry point is the pytest kit)."""
    return [path for path in PACKAGES if "uvicorn" in project(path).get("entry-points", {})]


def test_every_member_shares_one_version() -> None:
    versions = {path.name: project(path)["version"] for path in PACKAGES}
    assert set(versions.values()) == {core_version()}, versions
    assert uvicorn.__version__ == core_version()


def test_members_pin_the_compatible_core_range() -> None:
    major, minor = core_version().split(".")[:2]
    expected = f"uvicorn-core>={major}.{minor},<{major}.{int(minor) + 1}"
    for path in PACKAGES:
        if path.name == "uvicorn-core":
            continue
        dependencies = declared_dependencies(path)
        pins = [dep.replace(" ", "") for dep in dependencies if dep.startswith("uvicorn-core")]
        assert pins == [expected], (path.name, pins)


def test_members_use_src_layout_with_typed_marker_and_readme() -> None:
    for path in PACKAGES:
        with open(path / "pyproject.toml", "rb") as file:
            wheel = tomllib.load(file)["tool"]["hatch"]["build"]["targets"]["wheel"]
        (package,) = wheel["packages"]
        assert package.startswith("src/"), path.name
        assert (path / package / "py.typed").is_file(), path.name
        assert (path / "README.md").is_file(), path.name


def test_core_depends_on_click_and_pluggy_only() -> None:
    names = {
        re.split(r"[<>=!~ \[]", dep, maxsplit=1)[0].lower()
        for dep in project(ROOT / "packages" / "uvicorn-core")["dependencies"]
    }
    assert names == {"click", "pluggy"}


def test_core_source_never_imports_an_implementation_library() -> None:
    """The kit (``uvicorn.testing``) may name two, as clients: websockets, which its
    WebSocket tests talk with, imported only when such a test runs; and h2 (with its
    hyperframe), which its HTTP/2 suite drives, collected only where an HTTP/2 plugin,
    and so h2, is installed."""
    kit = ROOT / "packages" / "uvicorn-core" / "src" / "uvicorn" / "testing"
    offenders = []
    for source in (ROOT / "packages" / "uvicorn-core" / "src").rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in ("websockets", "h2", "hyperframe") and source.is_relative_to(kit):
                    continue
                if top in FORBIDDEN_IN_CORE:
                    offenders.append(f"{source.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_only_uvicorn_workers_imports_gunicorn() -> None:
    importers = []
    for source in (ROOT / "packages" / "uvicorn-core" / "src").rglob("*.py"):
        if re.search(r"^\s*(import|from) gunicorn", source.read_text(), re.MULTILINE):
            importers.append(source.relative_to(ROOT).as_posix())
    assert importers == ["packages/uvicorn-core/src/uvicorn/workers.py"]
    code = (
        "import sys, uvicorn.main, uvicorn.server, uvicorn.supervisors;"
        "print('gunicorn' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.stdout.strip() == "False", result.stderr


def test_entry_point_names_match_their_implementation_names() -> None:
    from uvicorn._registry import get_registry

    registry = get_registry()
    for path in plugin_packages():
        entry_points = project(path)["entry-points"]["uvicorn"]
        for name in entry_points:
            kinds = ("http", "http2", "ws", "loop", "lifespan", "reloader", "process-manager")
            assert any(registry.get(kind, name) for kind in kinds), (path.name, name)  # type: ignore[arg-type]  # literal kinds


@pytest.mark.parametrize("path", plugin_packages(), ids=lambda path: path.name)
def test_loading_a_plugin_module_imports_neither_library_nor_target(path: Path) -> None:
    entry_points: dict[str, str] = project(path)["entry-points"]["uvicorn"]
    for module in entry_points.values():
        code = (
            "import sys, importlib\n"
            f"plugin = importlib.import_module({module!r})\n"
            "from uvicorn._hooks import PluginHost\n"
            "host = PluginHost(); host.register(plugin, 'p')\n"
            "impls = [i for collect in (host.http_protocols, host.multiplexed_protocols,"
            " host.ws_protocols,"
            " host.loop_factories, host.lifespans, host.reloaders, host.process_managers)"
            " for i in collect()]\n"
            "assert impls, 'plugin registers nothing'\n"
            "heavy = {'h11','h2','httptools','websockets','wsproto','uvloop','watchfiles'}\n"
            "targets = {i.target.split(':')[0] for i in impls}\n"
            "loaded = sorted((heavy | targets) & set(sys.modules))\n"
            "print(','.join(loaded))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "", f"{module} imported {result.stdout.strip()}"


def test_installed_distributions_match_the_workspace() -> None:
    for path in PACKAGES:
        name = project(path)["name"]
        assert importlib.metadata.version(name) == core_version(), name


def test_every_hook_spec_is_documented_tested_and_in_the_plugin_guide() -> None:
    specs = [name for name in dir(hookspecs) if name.startswith("uvicorn_")]
    assert specs
    guide = (ROOT / "docs" / "writing-plugins.md").read_text()
    tests_text = "\n".join(
        path.read_text()
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != "test_workspace.py"
    )
    for name in specs:
        doc = getattr(hookspecs, name).__doc__ or ""
        assert "Since " in doc, f"{name} docstring has no version note"
        assert "Called " in doc, f"{name} docstring does not say when it is called"
        assert f"`{name}`" in guide, f"{name} missing from docs/writing-plugins.md"
        assert name in tests_text, f"no test references {name}"
