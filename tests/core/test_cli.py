"""The uvicorn command line: every upstream option, environment variables, listings."""

from __future__ import annotations

import subprocess
import sys
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

import uvicorn
from tests.utils import ROOT
from uvicorn.config import Config
from uvicorn.main import main as cli
from uvicorn.main import run

pytestmark = pytest.mark.timeout(30)

UPSTREAM_OPTIONS = (  # noqa: SIM905 - reads like the --help listing it mirrors
    "--host --port --uds --fd --reload --reload-dir --reload-include --reload-exclude "
    "--reload-delay --workers --loop --http --http2 --ws --ws-max-size --ws-max-queue "
    "--ws-ping-interval --ws-ping-timeout --ws-per-message-deflate --lifespan --interface "
    "--env-file --log-config --log-level --access-log --use-colors --proxy-headers "
    "--server-header --date-header --forwarded-allow-ips --root-path --limit-concurrency "
    "--backlog --limit-max-requests --limit-max-requests-jitter --timeout-keep-alive "
    "--timeout-graceful-shutdown --timeout-worker-healthcheck --ssl-keyfile --ssl-certfile "
    "--ssl-keyfile-password --ssl-version --ssl-cert-reqs --ssl-ca-certs --ssl-ciphers --header "
    "--version --app-dir --h11-max-incomplete-event-size --reset-contextvars --factory --help"
).split()


class CapturedServer:
    configs: ClassVar[list[Config]] = []

    def __init__(self, config: Config) -> None:
        self.config = config
        self.started = True
        CapturedServer.configs.append(config)

    def run(self) -> None:
        pass


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Config]:
    CapturedServer.configs = []
    monkeypatch.setattr("uvicorn.main.Server", CapturedServer)
    return CapturedServer.configs


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_help_offers_every_upstream_option_and_the_new_ones() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for option in UPSTREAM_OPTIONS:
        assert option in result.output, option
    assert "--list-plugins" in result.output
    assert "--timeout-request-head" in result.output


def test_help_does_not_discover_plugins() -> None:
    code = (
        "import sys, uvicorn._registry as r\nfrom uvicorn.main import main as cli\n"
        "sys.argv = ['uvicorn', '--help']\n"
        "try:\n    cli()\nexcept SystemExit:\n    pass\n"
        "assert r._registry is None, 'discovery ran'\n"
        "sys.stderr.write('checked')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.stderr.endswith("checked"), result.stderr


def test_options_reach_the_config(captured: list[Config]) -> None:
    result = invoke(
        "tests.apps:hello",
        "--host", "0.0.0.0",
        "--port", "9999",
        "--http", "h11",
        "--loop", "asyncio",
        "--ws", "none",
        "--lifespan", "off",
        "--interface", "asgi3",
        "--no-access-log",
        "--no-proxy-headers",
        "--no-server-header",
        "--no-date-header",
        "--root-path", "/api",
        "--limit-concurrency", "10",
        "--backlog", "16",
        "--limit-max-requests", "100",
        "--limit-max-requests-jitter", "5",
        "--timeout-keep-alive", "7",
        "--timeout-graceful-shutdown", "3",
        "--timeout-request-head", "2.5",
        "--header", "X-One: 1",
        "--header", "X-Two:2",
        "--forwarded-allow-ips", "10.0.0.0/8",
        "--h11-max-incomplete-event-size", "4096",
        "--reset-contextvars",
        "--ws-max-size", "1024",
        "--ws-ping-interval", "3",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (config,) = captured
    assert (config.host, config.port, config.http, config.loop) == (
        "0.0.0.0",
        9999,
        "h11",
        "asyncio",
    )
    assert (config.ws, config.lifespan, config.interface) == ("none", "off", "asgi3")
    assert not config.access_log
    assert not config.proxy_headers
    assert not config.server_header
    assert not config.date_header
    assert config.root_path == "/api"
    assert (config.limit_concurrency, config.backlog) == (10, 16)
    assert (config.limit_max_requests, config.limit_max_requests_jitter) == (100, 5)
    assert (config.timeout_keep_alive, config.timeout_graceful_shutdown) == (7, 3)
    assert config.timeout_request_head == 2.5
    assert config.headers == [("X-One", "1"), ("X-Two", "2")]
    assert config.forwarded_allow_ips == "10.0.0.0/8"
    assert config.h11_max_incomplete_event_size == 4096
    assert config.reset_contextvars
    assert (config.ws_max_size, config.ws_ping_interval) == (1024, 3.0)


def test_environment_variables_set_options(captured: list[Config]) -> None:
    result = invoke(
        env={"UVICORN_APP": "tests.apps:hello", "UVICORN_PORT": "7777", "UVICORN_HOST": "::1"}
    )
    assert result.exit_code == 0, result.output
    assert (captured[0].port, captured[0].host, captured[0].app) == (
        7777,
        "::1",
        "tests.apps:hello",
    )


def test_malformed_header_option_is_a_usage_error(captured: list[Config]) -> None:
    result = CliRunner().invoke(cli, ["tests.apps:hello", "--header", "novalue"])
    assert result.exit_code == 2
    assert "is not Name:Value" in result.output
    assert captured == []


def test_reload_with_app_object_is_refused(caplog: pytest.LogCaptureFixture) -> None:
    from tests.apps import hello

    with pytest.raises(SystemExit) as exit_info:
        run(hello, reload=True, log_config=None)
    assert exit_info.value.code == 1
    assert "import string" in caplog.text


def test_version_lists_core_and_plugins() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    first, *rest = result.output.splitlines()
    assert first.startswith(f"Running uvicorn-core {uvicorn.__version__} with CPython")
    assert any(line.strip().startswith("uvicorn-http-h11 ") for line in rest)


def test_list_plugins_shows_kinds_names_and_auto_choice() -> None:
    result = invoke("--list-plugins")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["KIND", "NAME", "DISTRIBUTION", "VERSION", "STATUS"]
    asyncio_line = next(line for line in lines if line.split()[:2] == ["loop", "asyncio"])
    assert "uvicorn-core" in asyncio_line
    assert sum("(auto)" in line for line in lines if line.startswith("http ")) == 1


def test_python_dash_m_uvicorn_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    assert "APP" in result.stdout
