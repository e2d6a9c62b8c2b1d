"""The core installed alone: it imports, lists its built-ins and explains what to install."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.utils import ROOT
from uvicorn._registry import get_registry

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(
        get_registry().auto("http") is not None,
        reason="runs in the core-only environment, where no HTTP implementation is installed",
    ),
]


def run_uvicorn(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m uvicorn ARGS`` in the repository root, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "uvicorn", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_serving_without_http_plugin_exits_3_with_install_hint() -> None:
    result = run_uvicorn("tests.apps:hello", "--port", "0")
    assert result.returncode == 3
    assert "No HTTP implementation is installed" in result.stderr
    assert "uvicorn-http-h11" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_plugins_shows_builtins_without_http_plugin() -> None:
    result = run_uvicorn("--list-plugins")
    assert result.returncode == 0
    assert "asyncio" in result.stdout
    assert "none installed" in result.stdout
    stat_row = next(line for line in result.stdout.splitlines() if " stat " in line)
    assert "available (auto)" in stat_row  # --reload polls without uvicorn-reload
    assert "multiprocess" in result.stdout


def test_reload_uses_the_stat_reloader_without_uvicorn_reload() -> None:
    from uvicorn.supervisors import reloader_class
    from uvicorn.supervisors.statreload import StatReload

    assert reloader_class() is StatReload


def test_reload_patterns_without_watchfiles_exit_3_with_install_hint() -> None:
    options = ["--port", "0", "--reload", "--reload-include", "*.html"]
    result = run_uvicorn("tests.apps:hello", *options)
    assert result.returncode == 3
    assert "--reload-include and --reload-exclude need the watchfiles reloader" in result.stderr
    assert "pip install uvicorn-reload" in result.stderr
    assert "Traceback" not in result.stderr


def test_http2_without_the_h2_plugin_exits_3_with_install_hint() -> None:
    result = run_uvicorn("tests.apps:hello", "--port", "0", "--http2")
    assert result.returncode == 3
    assert "No HTTP/2 implementation is installed" in result.stderr
    assert "pip install" in result.stderr
    assert "uvicorn-http-h2" in result.stderr
    assert "Traceback" not in result.stderr
