"""The conformance kit's pytest plugin (``uvicorn.testing``): loaded in every pytest session
of whoever installs uvicorn-core, so it must cost nothing until used, and do what its options
and fixtures say when it is."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.utils import run_command
from uvicorn.testing import apps
from uvicorn.testing._optional import CLIENTS, REQUIRE_CLIENTS_VARIABLE, import_client
from uvicorn.testing.client import http_request
from uvicorn.testing.utils import RunningServer

pytestmark = pytest.mark.timeout(60)

HEAVY = ("httpx", "websockets", "hypothesis", "trustme", "anyio", "h11", "httptools", "wsproto")


def python(code: str) -> str:
    result = run_command([sys.executable, "-c", textwrap.dedent(code)])
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def run_pytest(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """A pytest session of someone else's project: its own folder and (empty) config."""
    (folder / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args]
    return run_command(command, cwd=folder, env=env, timeout=60)


def test_kit_plugin_is_registered_for_pytest_by_core() -> None:
    (entry_point,) = importlib.metadata.entry_points(group="pytest11", name="uvicorn")
    assert entry_point.value == "uvicorn.testing.plugin"
    assert entry_point.dist is not None
    assert entry_point.dist.metadata["Name"] == "uvicorn-core"


def test_importing_uvicorn_never_imports_the_kit_or_pytest() -> None:
    seen = python(
        """
        import sys, uvicorn, uvicorn.config, uvicorn.main, uvicorn.server
        uvicorn.Config, uvicorn.run
        print(sorted(m for m in sys.modules if m == "pytest" or m.startswith("uvicorn.testing")))
        """
    )
    assert seen == "[]"


def test_loading_the_plugin_imports_no_client_and_discovers_no_plugin() -> None:
    seen = python(
        f"""
        import sys, uvicorn.testing.plugin
        import uvicorn._registry as registry
        heavy = [m for m in {HEAVY!r} if m in sys.modules]
        kit = sorted(m for m in sys.modules if m.startswith("uvicorn.testing."))
        print(heavy, kit, registry._registry is None)
        """
    )
    assert seen == "[] ['uvicorn.testing.plugin'] True"


def test_session_that_does_not_use_the_kit_is_untouched(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_plain():
                registry = sys.modules.get("uvicorn._registry")
                assert registry is None or registry._registry is None, "plugins discovered"
                assert "uvicorn.testing.utils" not in sys.modules
            """
        )
    )
    result = run_pytest(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def write_selection_test(folder: Path) -> None:
    (folder / "test_selection.py").write_text(
        "def test_pair(http_impl, ws_impl):\n    assert http_impl and ws_impl\n"
    )


def test_implementations_default_to_every_available_one(tmp_path: Path) -> None:
    write_selection_test(tmp_path)
    result = run_pytest(tmp_path, "--collect-only")
    ids = [line.partition("[")[2] for line in result.stdout.splitlines() if "::test_pair[" in line]
    assert sorted(ids) == sorted(
        f"{http}-{ws}]"
        for http in ("h11", "httptools")
        for ws in ("websockets-sansio", "websockets", "wsproto")
    )


def test_options_select_implementations_by_name_or_import_string(tmp_path: Path) -> None:
    write_selection_test(tmp_path)
    proto = "uvicorn_http_h11:H11Protocol"
    result = run_pytest(
        tmp_path, "--collect-only", "--uvicorn-http", f"h11,{proto}", "--uvicorn-ws=wsproto"
    )
    ids = [line.partition("[")[2] for line in result.stdout.splitlines() if "::test_pair[" in line]
    assert ids == ["h11-wsproto]", f"{proto}-wsproto]"], result.stdout


def test_unknown_implementation_is_a_usage_error_listing_installed_ones(tmp_path: Path) -> None:
    write_selection_test(tmp_path)
    result = run_pytest(tmp_path, "--uvicorn-http", "nosuch")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "--uvicorn-http nosuch: Unknown HTTP implementation 'nosuch'" in result.stderr
    assert "Installed: httptools, h11." in result.stderr


def test_missing_client_skips_a_test_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REQUIRE_CLIENTS_VARIABLE, raising=False)
    monkeypatch.setitem(CLIENTS, "uvicorn_no_such_client", "no-such-client")
    with pytest.raises(pytest.skip.Exception, match="pip install no-such-client"):
        import_client("uvicorn_no_such_client.sub")


def test_missing_client_fails_when_clients_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_CLIENTS_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match="uvicorn_no_such_client is required"):
        import_client("uvicorn_no_such_client")


LAZY_CLIENT_MODULE = """
from uvicorn.testing._optional import LazyClient

missing = LazyClient("uvicorn_no_such_client")

def test_without_the_client():
    pass

def test_with_the_client():
    missing.get("http://example.invalid/")
"""


@pytest.mark.parametrize(
    ("required", "outcome"), [("0", "1 passed, 1 skipped"), ("1", "1 failed, 1 passed")]
)
def test_module_naming_a_missing_client_still_runs_its_other_tests(
    tmp_path: Path, required: str, outcome: str
) -> None:
    """Collection must never import the client (pytest probes every module attribute)."""
    (tmp_path / "test_lazy.py").write_text(LAZY_CLIENT_MODULE)
    env = {**os.environ, REQUIRE_CLIENTS_VARIABLE: required}
    result = run_pytest(tmp_path, "-rs", env=env)
    assert outcome in result.stdout, result.stdout + result.stderr
    if required == "0":
        assert "needs the uvicorn_no_such_client client library" in result.stdout


@pytest.mark.parametrize("use_httpx", [True, False], ids=["httpx", "raw"])
def test_http_client_posts_and_reads_the_response(
    uvicorn_server: Callable[..., RunningServer], http_impl: str, use_httpx: bool
) -> None:
    server = uvicorn_server(apps.echo_body, http=http_impl)
    payload = bytes(range(256)) * 300
    response = http_request(server.url + "/x?y=1", "POST", content=payload, use_httpx=use_httpx)
    assert response.status_code == 200
    assert response.content == payload
    assert response.headers["content-length"] == str(len(payload))
    assert response.headers["server"] == "uvicorn"


FIXTURES_AND_AFTERWARDS = """
import os, socket
import pytest
from uvicorn.testing import apps, raw_request

STARTED = {}

def test_fixtures_serve(uvicorn_server, uvicorn_process, http_impl):
    server = uvicorn_server(apps.hello, http=http_impl)
    process = uvicorn_process(["uvicorn.testing.apps:hello", "--http", http_impl])
    for port in (server.port, process.port):
        request = b"GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n"
        assert raw_request(port, request).endswith(b"Hello, world!")
    STARTED.update(port=server.port, pid=process.process.pid)

def test_afterwards_both_are_gone():
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", STARTED["port"]), timeout=5)
    with pytest.raises(ProcessLookupError):
        os.kill(STARTED["pid"], 0)
"""


@pytest.mark.subprocess
def test_server_and_process_fixtures_serve_and_are_stopped_after_the_test(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_fixtures.py").write_text(FIXTURES_AND_AFTERWARDS)
    result = run_pytest(tmp_path, "--uvicorn-http", "h11")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
