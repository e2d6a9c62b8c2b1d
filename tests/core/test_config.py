"""Config: upstream defaults, logging configuration, env files, app loading, binding."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import apps
from tests.utils import run_server
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.logging import AccessFormatter, ColourizedFormatter, DefaultFormatter

pytestmark = pytest.mark.timeout(30)


def test_defaults_match_upstream() -> None:
    config = Config("tests.apps:hello", log_config=None)
    assert (config.host, config.port, config.backlog) == ("127.0.0.1", 8000, 2048)
    assert (config.http, config.ws, config.loop, config.lifespan) == (
        "auto",
        "auto",
        "auto",
        "auto",
    )
    assert (config.ws_max_size, config.ws_max_queue) == (16 * 1024 * 1024, 32)
    assert (config.ws_ping_interval, config.ws_ping_timeout) == (20.0, 20.0)
    assert config.timeout_keep_alive == 5
    assert config.timeout_graceful_shutdown is None
    assert config.forwarded_allow_ips == os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    assert config.workers == int(os.environ.get("WEB_CONCURRENCY", "1"))
    assert config.proxy_headers
    assert config.server_header
    assert config.date_header
    assert not config.is_ssl
    assert not config.use_subprocess
    assert not config.should_reload


def test_interface_is_detected_when_loading() -> None:
    config = Config(apps.hello, log_config=None)
    config.load()
    assert config.interface == "asgi3"
    assert config.asgi_version == "3.0"


def test_factory_flag_calls_the_factory() -> None:
    def factory() -> Any:
        return apps.hello

    config = Config(factory, factory=True, log_config=None, proxy_headers=False)
    config.load()
    assert config.loaded_app is apps.hello


def test_factory_without_flag_is_detected_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    def factory() -> Any:
        return apps.hello

    config = Config(factory, log_config=None, proxy_headers=False)
    config.load()
    assert config.loaded_app is apps.hello
    assert "ASGI app factory detected" in caplog.text


def test_failing_factory_exits_3(caplog: pytest.LogCaptureFixture) -> None:
    def factory(required: Any) -> Any:
        return apps.hello

    config = Config(factory, factory=True, log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    assert "Error loading ASGI app factory" in caplog.text


def test_log_config_from_json_and_ini_files(tmp_path: Path) -> None:
    json_file = tmp_path / "log.json"
    settings = json.loads(json.dumps(LOGGING_CONFIG))
    settings["loggers"]["uvicorn.error"]["level"] = "WARNING"
    json_file.write_text(json.dumps(settings))
    Config("tests.apps:hello", log_config=str(json_file))
    assert logging.getLogger("uvicorn.error").level == logging.WARNING

    ini_file = tmp_path / "log.ini"
    ini_file.write_text(
        "[loggers]\nkeys=root,uvicorn_error\n[handlers]\nkeys=h\n[formatters]\nkeys=f\n"
        "[logger_root]\nlevel=INFO\nhandlers=h\n"
        "[logger_uvicorn_error]\nlevel=ERROR\nhandlers=h\nqualname=uvicorn.error\npropagate=0\n"
        "[handler_h]\nclass=StreamHandler\nformatter=f\nargs=(sys.stderr,)\n"
        "[formatter_f]\nformat=%(message)s\n"
    )
    Config("tests.apps:hello", log_config=str(ini_file))
    assert logging.getLogger("uvicorn.error").level == logging.ERROR


def test_log_config_from_yaml_file(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML is a test dependency in hatch envs")
    settings = json.loads(json.dumps(LOGGING_CONFIG))
    settings["loggers"]["uvicorn.access"]["level"] = "ERROR"
    path = tmp_path / "log.yaml"
    path.write_text(yaml.safe_dump(settings))
    Config("tests.apps:hello", log_config=str(path))
    assert logging.getLogger("uvicorn.access").level == logging.ERROR


def test_use_colors_reaches_the_formatters() -> None:
    Config("tests.apps:hello", use_colors=False)
    formatters = [handler.formatter for handler in logging.getLogger("uvicorn").handlers]
    assert formatters
    assert all(isinstance(f, ColourizedFormatter) and not f.use_colors for f in formatters)


def test_log_level_names_and_numbers() -> None:
    Config("tests.apps:hello", log_config=None, log_level="debug")
    assert logging.getLogger("uvicorn.error").level == logging.DEBUG
    Config("tests.apps:hello", log_config=None, log_level=logging.WARNING)
    assert logging.getLogger("uvicorn.access").level == logging.WARNING
    with pytest.raises(ValueError, match="invalid log_level"):
        Config("tests.apps:hello", log_config=None, log_level="loud")


def test_access_log_off_removes_access_handlers() -> None:
    Config("tests.apps:hello", access_log=False)
    assert logging.getLogger("uvicorn.access").handlers == []


def test_env_file_is_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UVICORN_TEST_VALUE", raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("UVICORN_TEST_VALUE=from-env-file\n")
    Config("tests.apps:hello", log_config=None, env_file=str(env_file))
    assert os.environ["UVICORN_TEST_VALUE"] == "from-env-file"
    monkeypatch.delenv("UVICORN_TEST_VALUE")


def test_missing_env_file_exits_3(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        Config("tests.apps:hello", log_config=None, env_file=str(tmp_path / "none.env"))
    assert info.value.code == 3


def test_formatters_render_prefix_and_access_line() -> None:
    record = logging.LogRecord("uvicorn.error", logging.WARNING, "", 0, "careful", None, None)
    assert DefaultFormatter("%(levelprefix)s %(message)s", use_colors=False).format(record) == (
        "WARNING:  careful"
    )
    coloured = DefaultFormatter("%(levelprefix)s %(message)s", use_colors=True).format(record)
    assert coloured.startswith("\x1b[")
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4:5", "GET", "/x?y=1", "1.1", 404),
        None,
    )
    line = AccessFormatter(
        '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False
    ).format(access)
    assert line == 'INFO:     1.2.3.4:5 - "GET /x?y=1 HTTP/1.1" 404 Not Found'


def test_serving_on_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("this machine has no IPv6 support")
    try:
        with run_server(apps.echo_scope, host="::1") as server:
            scope = httpx.get(server.url).json()
    except OSError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"no IPv6 loopback here: {exc}")
    assert scope["server"][0] == "::1"
    assert scope["client"][0] == "::1"


def test_bind_socket_for_uds_replaces_stale_socket_file(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(path))
    stale.close()
    config = Config(apps.echo_scope, uds=str(path), log_config=None, lifespan="off")
    sock = config.bind_socket()
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666
        with run_server(apps.echo_scope, sock=sock) as server:
            transport = httpx.HTTPTransport(uds=str(path))
            with httpx.Client(transport=transport) as client:
                scope = client.get("http://localhost/unix").json()
            assert server.port == 0 or server.port
    finally:
        sock.close()
    assert scope["path"] == "/unix"


def test_bind_socket_from_file_descriptor() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    config = Config(apps.hello, fd=listener.fileno(), log_config=None)
    sock = config.bind_socket()
    try:
        assert sock.getsockname()[1] == port
        with run_server(apps.hello, sock=sock):
            assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"
    finally:
        listener.close()


def test_custom_headers_with_newlines_are_refused_at_load() -> None:
    config = Config(apps.hello, headers=[("X-Bad", "a\r\nb")], log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
