"""The uvicorn command line: every upstream option, environment variables, listings, exits."""

from __future__ import annotations

import importlib
import json
import os
import platform
import re
import socket
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import click
import httpx
import pytest
from click.testing import CliRunner, Result

import uvicorn
from tests.plugin_fixtures import registry_with
from tests.utils import ROOT, ServerProcess
from uvicorn import Implementation, hookimpl
from uvicorn._registry import get_registry
from uvicorn.config import Config
from uvicorn.main import STARTUP_FAILURE, run
from uvicorn.main import main as cli

# The module itself: ``uvicorn.main`` may name the command, as it does upstream.
MAIN_MODULE = importlib.import_module("uvicorn.main")

pytestmark = pytest.mark.timeout(60)

UPSTREAM_OPTIONS = (  # noqa: SIM905 - reads like the --help listing it mirrors
    "--host --port --uds --fd --reload --reload-dir --reload-include --reload-exclude "
    "--reload-delay --workers --loop --http --http2 --ws --ws-max-size --ws-max-queue "
    "--ws-ping-interval --ws-ping-timeout --ws-per-message-deflate --lifespan --interface "
    "--env-file --log-config --log-level --access-log --no-access-log --use-colors "
    "--no-use-colors --proxy-headers --no-proxy-headers --server-header --no-server-header "
    "--date-header --no-date-header --forwarded-allow-ips --root-path --limit-concurrency "
    "--backlog --limit-max-requests --limit-max-requests-jitter --timeout-keep-alive "
    "--timeout-graceful-shutdown --timeout-worker-healthcheck --ssl-keyfile --ssl-certfile "
    "--ssl-keyfile-password --ssl-version --ssl-cert-reqs --ssl-ca-certs --ssl-ciphers --header "
    "--version --app-dir --h11-max-incomplete-event-size --reset-contextvars --factory --help"
).split()

# Parameters whose effect is not a Config attribute; each has its own test below.
NOT_CONFIG_ATTRIBUTES = frozenset({"app", "app_dir", "env_file"})


class CapturedServer:
    """Stands in for uvicorn.server.Server: records the Config instead of serving."""

    configs: ClassVar[list[Config]] = []
    starts = True

    def __init__(self, config: Config) -> None:
        self.config = config
        self.started = False
        CapturedServer.configs.append(config)

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        self.started = self.starts


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Config]:
    CapturedServer.configs = []
    CapturedServer.starts = True
    monkeypatch.setattr("uvicorn.server.Server", CapturedServer)
    # Reload and workers would start real supervisors; the Config is what these tests check.
    monkeypatch.setattr("uvicorn.supervisors.run_supervised", lambda config, server: False)
    # run() inserts --app-dir into sys.path; give every test its own copy to mutate.
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)  # would ask for workers
    return CapturedServer.configs


@pytest.fixture
def features_all_available(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let options that are refused (HTTP/2, reload with workers) reach the Config."""
    monkeypatch.setattr(Config, "unavailable_features", lambda self: [])


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def run_uvicorn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uvicorn", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("ERROR:")]


def option_cases(tmp_path: Path) -> dict[str, tuple[list[str], str, object]]:
    """Per click parameter: non-default arguments, the Config attribute, its expected value."""
    watched = tmp_path / "watched"
    watched.mkdir()
    log_config = tmp_path / "logging.json"
    log_config.write_text(json.dumps({"version": 1, "disable_existing_loggers": False}))
    return {
        "host": (["--host", "0.0.0.0"], "host", "0.0.0.0"),
        "port": (["--port", "0"], "port", 0),
        "uds": (["--uds", str(tmp_path / "u.sock")], "uds", str(tmp_path / "u.sock")),
        "fd": (["--fd", "7"], "fd", 7),
        "reload": (["--reload"], "reload", True),
        "reload_dirs": (["--reload-dir", str(watched)], "reload_dirs", [watched.resolve()]),
        "reload_includes": (["--reload-include", "*.tpl"], "reload_includes", ["*.tpl"]),
        "reload_excludes": (
            ["--reload-exclude", "*.tmp", "--reload-exclude", "*.bak"],
            "reload_excludes",
            ["*.tmp", "*.bak"],
        ),
        "reload_delay": (["--reload-delay", "1.5"], "reload_delay", 1.5),
        "workers": (["--workers", "3"], "workers", 3),
        "loop": (["--loop", "asyncio"], "loop", "asyncio"),
        "http": (["--http", "acme.proto:Protocol"], "http", "acme.proto:Protocol"),
        "http2": (["--http2"], "http2", True),
        "ws": (["--ws", "none"], "ws", "none"),
        "ws_max_size": (["--ws-max-size", "1024"], "ws_max_size", 1024),
        "ws_max_queue": (["--ws-max-queue", "4"], "ws_max_queue", 4),
        "ws_ping_interval": (["--ws-ping-interval", "3"], "ws_ping_interval", 3.0),
        "ws_ping_timeout": (["--ws-ping-timeout", "4.5"], "ws_ping_timeout", 4.5),
        "ws_per_message_deflate": (
            ["--ws-per-message-deflate", "false"],
            "ws_per_message_deflate",
            False,
        ),
        "lifespan": (["--lifespan", "off"], "lifespan", "off"),
        "interface": (["--interface", "asgi2"], "interface", "asgi2"),
        "log_config": (["--log-config", str(log_config)], "log_config", str(log_config)),
        "log_level": (["--log-level", "debug"], "log_level", "debug"),
        "access_log": (["--no-access-log"], "access_log", False),
        "use_colors": (["--no-use-colors"], "use_colors", False),
        "proxy_headers": (["--no-proxy-headers"], "proxy_headers", False),
        "limit_request_body": (["--limit-request-body", "1024"], "limit_request_body", 1024),
        "timeout_request_body": (
            ["--timeout-request-body", "2.5"],
            "timeout_request_body",
            2.5,
        ),
        "proxy_headers_mode": (
            ["--proxy-headers-mode", "forwarded"],
            "proxy_headers_mode",
            "forwarded",
        ),
        "server_header": (["--no-server-header"], "server_header", False),
        "date_header": (["--no-date-header"], "date_header", False),
        "forwarded_allow_ips": (
            ["--forwarded-allow-ips", "10.0.0.0/8,*"],
            "forwarded_allow_ips",
            "10.0.0.0/8,*",
        ),
        "root_path": (["--root-path", "/api"], "root_path", "/api"),
        "limit_concurrency": (["--limit-concurrency", "10"], "limit_concurrency", 10),
        "backlog": (["--backlog", "16"], "backlog", 16),
        "limit_max_requests": (["--limit-max-requests", "100"], "limit_max_requests", 100),
        "limit_max_requests_jitter": (
            ["--limit-max-requests-jitter", "5"],
            "limit_max_requests_jitter",
            5,
        ),
        "timeout_keep_alive": (["--timeout-keep-alive", "7"], "timeout_keep_alive", 7),
        "timeout_graceful_shutdown": (
            ["--timeout-graceful-shutdown", "3"],
            "timeout_graceful_shutdown",
            3,
        ),
        "timeout_worker_healthcheck": (
            ["--timeout-worker-healthcheck", "9"],
            "timeout_worker_healthcheck",
            9,
        ),
        "timeout_request_head": (["--timeout-request-head", "2.5"], "timeout_request_head", 2.5),
        "h2_max_concurrent_streams": (
            ["--h2-max-concurrent-streams", "8"],
            "h2_max_concurrent_streams",
            8,
        ),
        "ssl_keyfile": (["--ssl-keyfile", "key.pem"], "ssl_keyfile", "key.pem"),
        "ssl_certfile": (["--ssl-certfile", "cert.pem"], "ssl_certfile", "cert.pem"),
        "ssl_keyfile_password": (["--ssl-keyfile-password", "pw"], "ssl_keyfile_password", "pw"),
        "ssl_version": (
            ["--ssl-version", str(int(ssl.PROTOCOL_TLS_CLIENT))],
            "ssl_version",
            int(ssl.PROTOCOL_TLS_CLIENT),
        ),
        "ssl_cert_reqs": (
            ["--ssl-cert-reqs", str(int(ssl.CERT_REQUIRED))],
            "ssl_cert_reqs",
            int(ssl.CERT_REQUIRED),
        ),
        "ssl_ca_certs": (["--ssl-ca-certs", "ca.pem"], "ssl_ca_certs", "ca.pem"),
        "ssl_ciphers": (["--ssl-ciphers", "ECDHE"], "ssl_ciphers", "ECDHE"),
        "headers": (
            ["--header", "X-One:1", "--header", "X-Two: two words "],
            "headers",
            [("X-One", "1"), ("X-Two", "two words")],
        ),
        "h11_max_incomplete_event_size": (
            ["--h11-max-incomplete-event-size", "4096"],
            "h11_max_incomplete_event_size",
            4096,
        ),
        "reset_contextvars": (["--reset-contextvars"], "reset_contextvars", True),
        "factory": (["--factory"], "factory", True),
    }


def exposed_parameters() -> set[str]:
    return {param.name for param in cli.params if param.expose_value and param.name is not None}


# -- help, parsing, cheap import -------------------------------------------------------


def test_help_lists_every_upstream_option_and_the_new_ones() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for option in UPSTREAM_OPTIONS:
        assert re.search(rf"(^|[\s/]){re.escape(option)}\b", result.output), option
    assert "--list-plugins" in result.output
    assert "--timeout-request-head FLOAT" in result.output
    assert "--h2-max-concurrent-streams" in result.output


def test_help_imports_neither_plugins_nor_the_server() -> None:
    code = (
        "import sys\nfrom uvicorn.main import main\n"
        "sys.argv = ['uvicorn', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = sorted({'pluggy', 'uvicorn._hooks', 'uvicorn.server'} & set(sys.modules))\n"
        "sys.stderr.write(f'loaded={loaded}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert "Usage:" in result.stdout
    assert result.stderr.endswith("loaded=[]"), result.stderr


@pytest.mark.parametrize("option", ["--http", "--ws", "--loop", "--lifespan"])
def test_implementation_option_accepts_any_name_at_parse_time(
    option: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(MAIN_MODULE, "run", lambda app, **kwargs: calls.append(kwargs))
    result = invoke("tests.apps:hello", option, "third-party-name")
    assert result.exit_code == 0, result.output
    assert calls[0][option.lstrip("-")] == "third-party-name"


@pytest.mark.parametrize("option", ["--http", "--ws", "--loop", "--lifespan"])
def test_implementation_option_help_points_to_list_plugins(option: str) -> None:
    parameter = next(p for p in cli.params if option in p.opts)
    assert isinstance(parameter, click.Option)
    assert parameter.type is click.STRING
    assert parameter.help is not None
    assert "--list-plugins" in parameter.help
    assert "module:attribute" in parameter.help


def test_interface_option_rejects_unknown_value() -> None:
    result = CliRunner().invoke(cli, ["tests.apps:hello", "--interface", "asgi9"])
    assert result.exit_code == 2
    assert "asgi3" in result.output


def test_missing_app_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 2
    assert "APP" in result.output


# -- options reach the Config -------------------------------------------------------------


def test_option_table_covers_every_cli_parameter(tmp_path: Path) -> None:
    assert set(option_cases(tmp_path)) | NOT_CONFIG_ATTRIBUTES == exposed_parameters()


def test_every_option_reaches_its_config_attribute(
    tmp_path: Path, captured: list[Config], features_all_available: None
) -> None:
    cases = option_cases(tmp_path)
    arguments = [arg for args, _, _ in cases.values() for arg in args]
    result = invoke("tests.apps:hello", *arguments)
    assert result.exit_code == 0, result.output
    (config,) = captured
    mismatches = {
        name: (getattr(config, attribute), expected)
        for name, (_, attribute, expected) in cases.items()
        if getattr(config, attribute) != expected
    }
    assert mismatches == {}


def test_defaults_equal_config_defaults_when_options_absent(
    tmp_path: Path, captured: list[Config]
) -> None:
    result = invoke("tests.apps:hello")
    assert result.exit_code == 0, result.output
    (from_cli,) = captured
    reference = Config("tests.apps:hello")
    differences = {
        attribute: (getattr(from_cli, attribute), getattr(reference, attribute))
        for _, attribute, _ in option_cases(tmp_path).values()
        if getattr(from_cli, attribute) != getattr(reference, attribute)
    }
    assert differences == {}
    assert from_cli.timeout_request_head == 20.0


def test_environment_variables_set_options_when_flags_absent(captured: list[Config]) -> None:
    result = invoke(
        env={
            "UVICORN_APP": "tests.apps:hello",
            "UVICORN_PORT": "7777",
            "UVICORN_HOST": "::1",
            "UVICORN_ACCESS_LOG": "false",
            "UVICORN_TIMEOUT_REQUEST_HEAD": "1.5",
            "UVICORN_HTTP": "h11",
        }
    )
    assert result.exit_code == 0, result.output
    (config,) = captured
    assert config.app == "tests.apps:hello"
    assert (config.host, config.port) == ("::1", 7777)
    assert config.access_log is False
    assert config.timeout_request_head == 1.5
    assert config.http == "h11"


def test_command_line_option_overrides_environment_variable(captured: list[Config]) -> None:
    result = invoke("tests.apps:hello", "--port", "0", env={"UVICORN_PORT": "7777"})
    assert result.exit_code == 0, result.output
    assert captured[0].port == 0


def test_header_option_splits_on_first_colon_only(captured: list[Config]) -> None:
    result = invoke("tests.apps:hello", "--header", "Link: <http://example.com:81/>; rel=next")
    assert result.exit_code == 0, result.output
    assert captured[0].headers == [("Link", "<http://example.com:81/>; rel=next")]


@pytest.mark.parametrize("header", ["novalue", ":value-without-name"])
def test_header_option_without_name_and_colon_is_usage_error(
    header: str, captured: list[Config]
) -> None:
    result = CliRunner().invoke(cli, ["tests.apps:hello", "--header", header])
    assert result.exit_code == 2
    assert "is not Name:Value" in result.output
    assert captured == []


def test_app_dir_is_inserted_first_in_sys_path(tmp_path: Path, captured: list[Config]) -> None:
    result = invoke("tests.apps:hello", "--app-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert sys.path[0] == str(tmp_path)


def test_app_dir_default_puts_current_directory_first(captured: list[Config]) -> None:
    result = invoke("tests.apps:hello")
    assert result.exit_code == 0, result.output
    assert sys.path[0] == ""


def test_run_leaves_sys_path_alone_without_app_dir(captured: list[Config]) -> None:
    before = list(sys.path)
    run("tests.apps:hello", log_config=None)
    assert sys.path == before
    assert len(captured) == 1


def test_env_file_option_loads_variables(
    tmp_path: Path, captured: list[Config], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dotenv")
    name = "UVICORN_CLI_TEST_FROM_ENV_FILE"
    monkeypatch.setenv(name, "placeholder")  # so that monkeypatch removes it afterwards
    monkeypatch.delenv(name)
    env_file = tmp_path / "settings.env"
    env_file.write_text(f"{name}=loaded\n")
    result = invoke("tests.apps:hello", "--env-file", str(env_file))
    assert result.exit_code == 0, result.output
    assert captured
    assert os.environ[name] == "loaded"


# -- refusals and startup failures -----------------------------------------------------


@pytest.mark.parametrize("option", [{"reload": True}, {"workers": 2}])
def test_run_refuses_app_object_with_reload_or_workers(
    option: dict[str, Any], captured: list[Config], caplog: pytest.LogCaptureFixture
) -> None:
    from tests.apps import hello

    with pytest.raises(SystemExit) as exit_info:
        run(hello, log_config=None, **option)
    assert exit_info.value.code == 3  # uvicorn 0.54 exits with STARTUP_FAILURE here
    assert "must pass the application as an import string" in caplog.text
    assert captured == []


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (["--reload", "--workers", "2"], "--reload and --workers cannot be used together"),
    ],
)
def test_unavailable_feature_exits_3_with_one_message(
    arguments: list[str], option: str, captured: list[Config]
) -> None:
    result = CliRunner().invoke(cli, ["tests.apps:hello", *arguments])
    assert result.exit_code == 3
    (line,) = error_lines(result.stderr)
    assert option in line
    assert "Traceback" not in result.output
    assert captured == []


def test_run_exits_3_when_server_did_not_start(captured: list[Config]) -> None:
    CapturedServer.starts = False
    with pytest.raises(SystemExit) as exit_info:
        run("tests.apps:hello", log_config=None)
    assert exit_info.value.code == STARTUP_FAILURE == 3


def test_run_removes_unix_socket_file_after_server_stops(
    tmp_path: Path, captured: list[Config]
) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(path))
    assert path.exists()
    run("tests.apps:hello", uds=str(path), log_config=None)
    assert not path.exists()


def test_run_keeps_regular_file_given_as_uds(tmp_path: Path, captured: list[Config]) -> None:
    path = tmp_path / "not-a-socket"
    path.write_text("keep me")
    run("tests.apps:hello", uds=str(path), log_config=None)
    assert path.read_text() == "keep me"


def test_bad_app_path_exits_3_with_one_message() -> None:
    result = run_uvicorn("nosuchmodule:app", "--port", "0")
    assert result.returncode == 3
    assert error_lines(result.stderr) == [
        'ERROR:    Error loading ASGI app. Could not import module "nosuchmodule".'
    ]
    assert "Traceback" not in result.stderr


def test_unknown_http_name_exits_3_listing_installed_names() -> None:
    installed = [e.implementation.name for e in get_registry().entries("http") if e.available]
    result = run_uvicorn("tests.apps:hello", "--http", "nosuch", "--port", "0")
    assert result.returncode == 3
    (line,) = error_lines(result.stderr)
    assert "Unknown HTTP implementation 'nosuch'" in line
    for name in installed:
        assert name in line
    assert "--list-plugins" in line
    assert "Traceback" not in result.stderr


# -- --version and --list-plugins ------------------------------------------------------


class TwoKindsPlugin:
    @hookimpl
    def uvicorn_http_protocols(self) -> list[Implementation]:
        return [Implementation(name="cli-test-http", target="tests.apps:hello")]

    @hookimpl
    def uvicorn_ws_protocols(self) -> list[Implementation]:
        return [Implementation(name="cli-test-ws", target="tests.apps:hello")]


class BrokenPlugin:
    @hookimpl
    def uvicorn_loop_factories(self) -> list[Implementation]:
        raise RuntimeError("plugin bug")


def test_version_first_line_names_core_python_and_os() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    first = result.output.splitlines()[0]
    assert first == (
        f"Running uvicorn-core {uvicorn.__version__} with {platform.python_implementation()} "
        f"{platform.python_version()} on {platform.system()}"
    )


def test_version_lists_installed_plugin_distributions_once() -> None:
    with registry_with(TwoKindsPlugin(), entry_points=True):
        result = invoke("--version")
    assert result.exit_code == 0
    plugin_lines = [line.strip() for line in result.output.splitlines()[1:]]
    assert plugin_lines.count("test-dist 9.9") == 1
    assert any(line.startswith("uvicorn-http-h11 ") for line in plugin_lines)
    assert not any(line.startswith("uvicorn-core") for line in plugin_lines)


def test_version_marks_failed_plugin_as_broken() -> None:
    with registry_with(BrokenPlugin()):
        result = invoke("--version")
    assert result.exit_code == 0
    assert "test-dist 9.9 (broken" in result.output


def test_list_plugins_shows_columns_and_one_auto_choice_per_kind() -> None:
    result = invoke("--list-plugins")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["KIND", "NAME", "DISTRIBUTION", "VERSION", "STATUS"]
    asyncio_row = next(line.split() for line in lines if line.split()[:2] == ["loop", "asyncio"])
    assert asyncio_row[2:4] == ["uvicorn-core", uvicorn.__version__]
    for kind in ("http", "http2", "loop", "lifespan", "reloader", "process-manager"):
        assert sum("(auto)" in line for line in lines if line.split()[0] == kind) == 1, kind
    rows = [line.split()[:4] for line in lines]
    assert ["reloader", "stat", "uvicorn-core", uvicorn.__version__] in rows
    assert ["process-manager", "multiprocess", "uvicorn-core", uvicorn.__version__] in rows


def test_list_plugins_includes_third_party_rows() -> None:
    with registry_with(TwoKindsPlugin()):
        result = invoke("--list-plugins")
    assert result.exit_code == 0
    rows = [line.split()[:4] for line in result.output.splitlines()]
    assert ["http", "cli-test-http", "test-dist", "9.9"] in rows
    assert ["ws", "cli-test-ws", "test-dist", "9.9"] in rows


# -- entry points into the command ----------------------------------------------------


def test_python_dash_m_uvicorn_runs_the_cli() -> None:
    result = run_uvicorn("--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    assert "--list-plugins" in result.stdout


def test_importing_dunder_main_does_not_run_the_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "uvicorn.__main__", raising=False)
    module = importlib.import_module("uvicorn.__main__")  # would exit 2 if it ran the CLI
    assert module.main is cli


def test_server_state_from_main_is_deprecated() -> None:
    from uvicorn.server import ServerState

    with pytest.warns(DeprecationWarning, match=r"uvicorn\.server"):
        assert MAIN_MODULE.ServerState is ServerState


def test_server_is_importable_from_main() -> None:
    from uvicorn.main import Server
    from uvicorn.server import Server as ServerClass

    assert Server is ServerClass


@pytest.mark.subprocess
def test_cli_serves_app_from_app_dir_with_custom_header(tmp_path: Path) -> None:
    (tmp_path / "cli_app_dir_probe.py").write_text(
        "async def app(scope, receive, send):\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b'from app-dir'})\n"
    )
    arguments = [
        "cli_app_dir_probe:app",
        "--app-dir", str(tmp_path),
        "--port", "0",
        "--lifespan", "off",
        "--header", "X-Probe: yes",
        "--limit-max-requests", "1",
    ]  # fmt: skip
    with ServerProcess(arguments) as server:
        port = server.wait_running()
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert server.wait(timeout=15) == 0
    assert response.status_code == 200
    assert response.text == "from app-dir"
    assert response.headers["x-probe"] == "yes"


def test_uvicorn_main_is_callable_whichever_way_it_was_imported() -> None:
    code = (
        "import sys\n"
        "from uvicorn.main import run\n"  # makes uvicorn.main the submodule
        "import uvicorn\n"
        "sys.argv = ['uvicorn', '--version']\n"
        "try:\n    uvicorn.main()\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert "Running uvicorn-core" in result.stdout, result.stderr
    assert result.stdout.strip().endswith("exit 0")
