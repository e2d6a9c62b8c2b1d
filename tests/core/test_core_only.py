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


def test_serving_without_http_plugin_exits_3_with_install_hint() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "tests.apps:hello", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 3
    assert "No HTTP implementation is installed" in result.stderr
    assert "uvicorn-http-h11" in result.stderr
    assert "Traceback" not in result.stderr


def test_list_plugins_shows_builtins_without_http_plugin() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--list-plugins"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
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
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "tests.apps:hello", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 3
    assert "--reload-include and --reload-exclude need the watchfiles reloader" in result.stderr
    assert "pip install uvicorn-reload" in result.stderr
    assert "Traceback" not in result.stderr
