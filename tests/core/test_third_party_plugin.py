"""Third-party plugins found through real entry points of installed-looking distributions."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.plugin_fixtures import write_distribution
from tests.utils import ROOT, ServerProcess, run_command

pytestmark = pytest.mark.timeout(60)

ACME_SOURCE = ROOT / "examples" / "uvicorn-http-acme" / "src"
TIMING_SOURCE = ROOT / "examples" / "uvicorn-lifespan-timing" / "src"


def plugin_env(site: Path) -> dict[str, str]:
    paths = [str(site), str(ACME_SOURCE), str(TIMING_SOURCE), str(ROOT)]
    paths.append(os.environ.get("PYTHONPATH", ""))
    return {"PYTHONPATH": os.pathsep.join(path for path in paths if path)}


@pytest.fixture
def acme_site(tmp_path: Path) -> Path:
    """The example plugin's dist-info (entry point ``acme``) in a directory on sys.path."""
    write_distribution(
        tmp_path, "uvicorn-http-acme", {"acme": "acme_http._plugin"}, modules={}, version="0.1.0"
    )
    return tmp_path


@pytest.fixture
def timing_site(tmp_path: Path) -> Path:
    """The lifespan example's dist-info (entry point ``timing``) in a directory on sys.path."""
    write_distribution(
        tmp_path,
        "uvicorn-lifespan-timing",
        {"timing": "uvicorn_lifespan_timing._plugin"},
        modules={},
        version="0.1.0",
    )
    return tmp_path


def test_third_party_http_plugin_serves_traffic_by_name(acme_site: Path) -> None:
    with ServerProcess(
        ["tests.apps:hello", "--port", "0", "--http", "acme"], env=plugin_env(acme_site)
    ) as server:
        port = server.wait_running()
        response = httpx.get(f"http://127.0.0.1:{port}/")
    assert response.status_code == 200
    assert response.text == "Hello, world!"
    assert response.headers["x-served-by"] == "acme"


def test_third_party_plugin_is_listed_with_its_distribution(acme_site: Path) -> None:
    result = run_command(
        [sys.executable, "-m", "uvicorn", "--list-plugins"],
        env={**os.environ, **plugin_env(acme_site)},
    )
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if " acme " in line)
    assert line.split()[:4] == ["http", "acme", "uvicorn-http-acme", "0.1.0"]
    assert "available" in line
    assert "(auto)" not in line  # low priority: never preferred over official plugins


def test_broken_plugin_is_reported_and_skipped(tmp_path: Path) -> None:
    write_distribution(
        tmp_path,
        "uvicorn-http-broken",
        {"broken": "broken_plugin"},
        {"broken_plugin.py": "raise ImportError('missing dependency xyz')\n"},
        version="2.0",
    )
    env = {**os.environ, **plugin_env(tmp_path)}
    listing = run_command([sys.executable, "-m", "uvicorn", "--list-plugins"], env=env)
    assert listing.returncode == 0
    assert "plugin 'broken' from uvicorn-http-broken 2.0 was skipped" in listing.stdout
    assert "missing dependency xyz" in listing.stdout

    # Other plugins still work...
    with ServerProcess(["tests.apps:hello", "--port", "0"], env=plugin_env(tmp_path)) as server:
        port = server.wait_running()
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200

    # ...but selecting the broken one is a clear startup failure.
    selected = run_command(
        [sys.executable, "-m", "uvicorn", "tests.apps:hello", "--http", "broken", "--port", "0"],
        env=env,
    )
    assert selected.returncode == 3
    assert "uvicorn-http-broken 2.0 failed to load" in selected.stderr
    assert "Traceback" not in selected.stderr


def test_import_string_still_selects_a_protocol_class() -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(ACME_SOURCE), str(ROOT)])}
    with ServerProcess(
        ["tests.apps:hello", "--port", "0", "--http", "acme_http._protocol:AcmeProtocol"],
        env=env,
    ) as server:
        port = server.wait_running()
        response = httpx.get(f"http://127.0.0.1:{port}/")
    assert response.headers["x-served-by"] == "acme"


def test_third_party_lifespan_plugin_logs_startup_and_shutdown_durations(
    timing_site: Path,
) -> None:
    with ServerProcess(
        ["tests.apps:echo_scope", "--port", "0", "--lifespan", "timing"],
        env=plugin_env(timing_site),
    ) as server:
        port = server.wait_running()
        assert re.search(r"Application startup took \d+\.\d ms\.", server.output)
        # The lifespan ran for real: its state reached the request's scope.
        assert httpx.get(f"http://127.0.0.1:{port}/").json()["state"] == {"started": "yes"}
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert re.search(r"Application shutdown took \d+\.\d ms\.", server.output)


def test_third_party_lifespan_plugin_failing_startup_exits_3_without_a_duration(
    timing_site: Path,
) -> None:
    with ServerProcess(
        ["tests.apps:lifespan_fails", "--port", "0", "--lifespan", "timing"],
        env=plugin_env(timing_site),
    ) as server:
        assert server.wait() == 3
    assert "database unreachable" in server.output
    assert "Application startup failed. Exiting." in server.output
    assert "startup took" not in server.output


def test_third_party_lifespan_plugin_is_listed_and_never_picked_by_auto(
    timing_site: Path,
) -> None:
    result = run_command(
        [sys.executable, "-m", "uvicorn", "--list-plugins"],
        env={**os.environ, **plugin_env(timing_site)},
    )
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if " timing " in line)
    assert line.split()[:4] == ["lifespan", "timing", "uvicorn-lifespan-timing", "0.1.0"]
    assert "available" in line
    assert "(auto)" not in line
