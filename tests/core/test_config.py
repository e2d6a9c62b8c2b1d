"""Config: upstream defaults, logging configuration, env files, app loading, binding."""

from __future__ import annotations

import asyncio
import copy
import errno
import inspect
import io
import json
import logging
import os
import socket
import ssl
import stat
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests import apps
from tests.conftest import available_implementations
from tests.utils import needs_ipv6, raw_request, run_command, run_server
from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.logging import TRACE_LOG_LEVEL, AccessFormatter, ColourizedFormatter, DefaultFormatter
from uvicorn.middleware.asgi2 import ASGI2Middleware
from uvicorn.middleware.message_logger import MessageLoggerMiddleware
from uvicorn.middleware.wsgi import WSGIMiddleware

pytestmark = pytest.mark.timeout(30)

# The keyword defaults of uvicorn 0.54's Config.__init__, read by running upstream in its
# own environment (``inspect.signature(uvicorn.config.Config.__init__)``). ``log_config``
# is checked separately: its default is this module's LOGGING_CONFIG.
UPSTREAM_DEFAULTS: dict[str, Any] = {
    "host": "127.0.0.1",
    "port": 8000,
    "uds": None,
    "fd": None,
    "loop": "auto",
    "http": "auto",
    "http2": False,
    "ws": "auto",
    "ws_max_size": 16777216,
    "ws_max_queue": 32,
    "ws_ping_interval": 20.0,
    "ws_ping_timeout": 20.0,
    "ws_per_message_deflate": True,
    "lifespan": "auto",
    "env_file": None,
    "log_level": None,
    "access_log": True,
    "use_colors": None,
    "interface": "auto",
    "reload": False,
    "reload_dirs": None,
    "reload_delay": 0.25,
    "reload_includes": None,
    "reload_excludes": None,
    "workers": None,
    "proxy_headers": True,
    "server_header": True,
    "date_header": True,
    "forwarded_allow_ips": None,
    "root_path": "",
    "limit_concurrency": None,
    "limit_max_requests": None,
    "limit_max_requests_jitter": 0,
    "backlog": 2048,
    "timeout_keep_alive": 5,
    "timeout_notify": 30,
    "timeout_graceful_shutdown": None,
    "timeout_worker_healthcheck": 5,
    "callback_notify": None,
    "ssl_keyfile": None,
    "ssl_certfile": None,
    "ssl_keyfile_password": None,
    "ssl_version": ssl.PROTOCOL_TLS_SERVER,
    "ssl_cert_reqs": ssl.CERT_NONE,
    "ssl_ca_certs": None,
    "ssl_ciphers": None,
    "ssl_context_factory": None,
    "headers": None,
    "factory": False,
    "h11_max_incomplete_event_size": None,
    "reset_contextvars": False,
}


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No WEB_CONCURRENCY / FORWARDED_ALLOW_IPS from the caller's environment; restored after."""
    for name in ("WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "UVICORN_TEST_VALUE"):
        monkeypatch.setenv(name, "placeholder")  # records the original value for undo
        monkeypatch.delenv(name)
    return monkeypatch


def error_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]


# -- defaults and derived properties ------------------------------------------------------


def test_constructor_defaults_match_upstream() -> None:
    parameters = inspect.signature(Config.__init__).parameters
    defaults = {
        name: param.default
        for name, param in parameters.items()
        if name not in ("self", "app", "log_config")
    }
    # Ours: timeout_request_head (a deadline for slow request heads), proxy_headers_mode
    # (RFC 7239 Forwarded as an alternative), the two request-body limits (off by
    # default) and h2_max_concurrent_streams; all else is upstream's.
    ours = {
        "timeout_request_head": 20.0,
        "proxy_headers_mode": "x-forwarded",
        "limit_request_body": None,
        "timeout_request_body": None,
        "h2_max_concurrent_streams": 100,
    }
    assert defaults == {**UPSTREAM_DEFAULTS, **ours}
    assert parameters["log_config"].default is LOGGING_CONFIG


def test_attributes_after_construction_match_upstream(clean_environ: pytest.MonkeyPatch) -> None:
    config = Config("tests.apps:hello", log_config=None)
    assert (config.host, config.port, config.uds, config.fd) == ("127.0.0.1", 8000, None, None)
    assert (config.http, config.ws, config.loop, config.lifespan) == ("auto",) * 4
    assert config.interface == "auto"
    assert config.workers == 1
    assert config.forwarded_allow_ips == "127.0.0.1,::1"
    assert config.headers == []
    assert config.encoded_headers == []
    assert (config.reload_dirs, config.reload_includes, config.reload_excludes) == ([], [], [])
    assert config.backlog == 2048
    assert config.timeout_keep_alive == 5
    assert config.timeout_graceful_shutdown is None
    assert config.proxy_headers
    assert config.server_header
    assert config.date_header
    assert not config.loaded
    assert not config.is_ssl
    assert not config.use_subprocess
    assert not config.should_reload


def test_default_logging_config_sends_server_logs_to_stderr_and_access_to_stdout() -> None:
    handlers = LOGGING_CONFIG["handlers"]
    loggers = LOGGING_CONFIG["loggers"]
    assert handlers["default"]["stream"] == "ext://sys.stderr"
    assert handlers["access"]["stream"] == "ext://sys.stdout"
    assert loggers["uvicorn"] == {"handlers": ["default"], "level": "INFO", "propagate": False}
    assert loggers["uvicorn.access"]["handlers"] == ["access"]
    assert not loggers["uvicorn.access"]["propagate"]
    assert not LOGGING_CONFIG["disable_existing_loggers"]


@pytest.mark.parametrize(
    ("interface", "version"), [("asgi3", "3.0"), ("asgi2", "2.0"), ("wsgi", "3.0")]
)
def test_asgi_version_follows_interface(interface: Any, version: str) -> None:
    assert Config(apps.hello, interface=interface, log_config=None).asgi_version == version


@pytest.mark.parametrize(
    "options",
    [
        {"ssl_certfile": "cert.pem"},
        {"ssl_keyfile": "key.pem"},
        {"ssl_context_factory": lambda config, default: default()},
    ],
    ids=["certfile", "keyfile", "context-factory"],
)
def test_is_ssl_when_any_tls_option_is_given(options: dict[str, Any]) -> None:
    assert Config(apps.hello, log_config=None, **options).is_ssl


@pytest.mark.parametrize(
    ("options", "expected"),
    [({}, False), ({"workers": 2}, True), ({"reload": True}, True), ({"workers": 1}, False)],
)
def test_use_subprocess_with_reload_or_several_workers(
    options: dict[str, Any], expected: bool
) -> None:
    assert Config("tests.apps:hello", log_config=None, **options).use_subprocess is expected


def test_should_reload_only_for_an_import_string_with_reload() -> None:
    assert Config("tests.apps:hello", reload=True, log_config=None).should_reload
    assert not Config(apps.hello, reload=True, log_config=None).should_reload
    assert not Config("tests.apps:hello", log_config=None).should_reload


# -- loading the app ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "message"),
    [
        pytest.param(
            "tests.no_such_module:app",
            'Error loading ASGI app. Could not import module "tests.no_such_module".',
            id="bad-module",
        ),
        pytest.param(
            "tests.apps:no_such_app",
            'Error loading ASGI app. Attribute "no_such_app" not found in module "tests.apps".',
            id="bad-attribute",
        ),
        pytest.param(
            "tests.apps",
            'Error loading ASGI app. Import string "tests.apps" must be in format '
            '"<module>:<attribute>".',
            id="bad-format",
        ),
    ],
)
def test_app_loading_error_exits_3_with_one_message(
    app: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config(app, log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    assert error_messages(caplog) == [message]


def app_factory() -> Any:
    return apps.hello


def test_factory_flag_calls_the_factory_from_an_import_string() -> None:
    config = Config("tests.core.test_config:app_factory", factory=True, proxy_headers=False)
    config.load()
    assert config.loaded_app is apps.hello


def test_factory_flag_calls_a_factory_object(caplog: pytest.LogCaptureFixture) -> None:
    config = Config(app_factory, factory=True, log_config=None, proxy_headers=False)
    config.load()
    assert config.loaded_app is apps.hello
    assert "factory detected" not in caplog.text


def test_factory_without_flag_is_detected_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    config = Config(app_factory, log_config=None, proxy_headers=False)
    config.load()
    assert config.loaded_app is apps.hello
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "ASGI app factory detected" in warnings[0]
    assert "--factory" in warnings[0]


def factory_needing_an_argument(required: Any) -> Any:
    return apps.hello


def factory_raising_type_error() -> Any:
    raise TypeError("the factory is broken")


@pytest.mark.parametrize(
    ("factory", "detail"),
    [
        (factory_needing_an_argument, "required"),
        (factory_raising_type_error, "the factory is broken"),
        (apps.hello, "scope"),  # an ASGI app given as a factory: calling it fails
    ],
    ids=["needs-argument", "raises-type-error", "not-a-factory"],
)
def test_factory_raising_type_error_exits_3(
    factory: Any, detail: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config(factory, factory=True, log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert message.startswith("Error loading ASGI app factory: ")
    assert detail in message


def test_factory_flag_with_a_non_callable_exits_3(caplog: pytest.LogCaptureFixture) -> None:
    config = Config("tests.core.test_config:UPSTREAM_DEFAULTS", factory=True, log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert message.startswith("Error loading ASGI app factory")


class ASGI2App:
    """An ASGI 2 ("double callable") application: the class is called with the scope."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        body = f"asgi2 {self.scope['asgi']['version']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


class ASGI3Instance:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await apps.hello(scope, receive, send)


class SyncCallInstance:
    def __call__(self, scope: Any) -> Any:
        return ASGI2App(scope)


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = f"wsgi {environ['REQUEST_METHOD']} {environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.mark.parametrize(
    ("app", "interface"),
    [
        (apps.hello, "asgi3"),
        (ASGI3Instance(), "asgi3"),
        (ASGI2App, "asgi2"),
        (SyncCallInstance(), "asgi2"),
    ],
    ids=["asgi3-function", "asgi3-instance", "asgi2-class", "asgi2-instance"],
)
def test_interface_is_detected_when_loading(app: Any, interface: str) -> None:
    config = Config(app, log_config=None, proxy_headers=False)
    config.load()
    assert config.interface == interface
    if interface == "asgi2":
        assert isinstance(config.loaded_app, ASGI2Middleware)
    else:
        assert config.loaded_app is app


def test_asgi2_class_is_served_through_the_asgi2_adapter() -> None:
    with run_server(ASGI2App) as server:
        response = httpx.get(server.url)
        assert server.server.config.interface == "asgi2"
    assert response.text == "asgi2 2.0"


def test_wsgi_interface_serves_a_wsgi_function_without_websockets() -> None:
    config = Config(
        wsgi_app, interface="wsgi", ws=FixedResponseProtocol, log_config=None, proxy_headers=False
    )
    config.load()
    assert config.ws_protocol_class is None  # upstream: WSGI apps get no WebSocket support
    assert isinstance(config.loaded_app, WSGIMiddleware)
    with run_server(wsgi_app, interface="wsgi") as server:
        response = httpx.get(server.url + "/path")
    assert response.text == "wsgi GET /path"


def test_trace_log_level_wraps_the_app_in_the_message_logger() -> None:
    config = Config(apps.hello, log_config=None, log_level="trace", proxy_headers=False)
    config.load()
    assert isinstance(config.loaded_app, MessageLoggerMiddleware)
    plain = Config(apps.hello, log_config=None, log_level="debug", proxy_headers=False)
    plain.load()
    assert plain.loaded_app is apps.hello


# -- implementations ------------------------------------------------------------------------


class FixedResponseProtocol(asyncio.Protocol):
    """A third-party-style HTTP protocol class: uvicorn's constructor, one fixed answer."""

    def __init__(
        self, config: Config, server_state: Any, app_state: Any, _loop: Any = None
    ) -> None:
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nfixed"
        )
        self.transport.close()


@pytest.mark.parametrize(
    "http",
    ["tests.core.test_config:FixedResponseProtocol", FixedResponseProtocol],
    ids=["import-string", "class-object"],
)
def test_http_accepts_an_import_string_or_a_class(http: Any) -> None:
    config = Config(apps.hello, http=http, log_config=None)
    config.load()
    assert config.http_protocol_class is FixedResponseProtocol
    with run_server(apps.hello, http=http) as server:
        response = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.endswith(b"\r\n\r\nfixed")


class KeywordOnlyProtocol(FixedResponseProtocol):
    """Written for uvicorn, which passes its constructor arguments by keyword."""

    def __init__(
        self, *, config: Config, server_state: Any, app_state: Any, _loop: Any = None
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)


def keyword_only_subclass(http_impl: str) -> type[asyncio.Protocol]:
    """A subclass of a plugin's class with a constructor of its own, keyword-only."""
    config = Config(apps.hello, http=http_impl, log_config=None)
    config.load()
    base: Any = config.http_protocol_class

    class KeywordOnlySubclass(base):  # type: ignore[misc]  # a plugin's class, known at run time
        def __init__(
            self, *, config: Config, server_state: Any, app_state: Any, _loop: Any = None
        ) -> None:
            super().__init__(config, server_state, app_state, _loop)

    return KeywordOnlySubclass


@pytest.mark.parametrize("kind", ["own-class", "plugin-subclass"])
def test_protocol_classes_with_keyword_only_constructors_are_served(
    kind: str, http_impl: str
) -> None:
    """The core's own constructor is called positionally (it is cheaper); any other
    constructor gets uvicorn's keywords."""
    protocol_class: type[asyncio.Protocol]
    if kind == "own-class":
        protocol_class, body = KeywordOnlyProtocol, b"fixed"
    else:
        protocol_class, body = keyword_only_subclass(http_impl), b"Hello, world!"
    with run_server(apps.hello, http=protocol_class) as server:
        response = raw_request(
            server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert response.endswith(body)


def test_unknown_http_name_exits_3_listing_installed_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = Config(apps.hello, http="nosuch", log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert "Unknown HTTP implementation 'nosuch'" in message
    assert f"Installed: {', '.join(available_implementations('http'))}." in message


def test_http_import_string_that_does_not_import_exits_3(caplog: pytest.LogCaptureFixture) -> None:
    config = Config(apps.hello, http="tests.apps:NoSuchProtocol", log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert "tests.apps:NoSuchProtocol" in message


@pytest.mark.parametrize(
    ("options", "feature"),
    [
        ({"reload": True, "workers": 2}, "--reload and --workers cannot be used together"),
    ],
    ids=["reload-with-workers"],
)
def test_unavailable_feature_exits_3_at_load(
    options: dict[str, Any], feature: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config("tests.apps:hello", log_config=None, **options)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert feature in message
    assert not config.loaded


@pytest.mark.parametrize(
    ("options", "text"),
    [
        ({"ssl_certfile": "no-such-cert.pem"}, "Cannot set up TLS"),
        ({"ssl_keyfile": "key.pem"}, "--ssl-keyfile needs --ssl-certfile"),
    ],
    ids=["missing-certfile", "keyfile-alone"],
)
def test_bad_tls_options_exit_3_at_load(
    options: dict[str, Any], text: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config("tests.apps:hello", log_config=None, **options)
    assert config.is_ssl
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert text in message
    assert not config.loaded


def test_custom_headers_with_newlines_are_refused_at_load() -> None:
    config = Config(apps.hello, headers=[("X-Bad", "a\r\nb")], log_config=None)
    with pytest.raises(SystemExit) as info:
        config.load()
    assert info.value.code == 3


# -- logging ----------------------------------------------------------------------------------


def test_log_config_dict_is_applied() -> None:
    stream = io.StringIO()
    Config(
        apps.hello,
        log_config={
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "custom|%(name)s|%(message)s"}},
            "handlers": {
                "mine": {"class": "logging.StreamHandler", "formatter": "plain", "stream": stream}
            },
            "loggers": {"uvicorn.error": {"handlers": ["mine"], "level": "DEBUG"}},
        },
    )
    logging.getLogger("uvicorn.error").debug("hello from the test")
    assert "custom|uvicorn.error|hello from the test" in stream.getvalue()


def test_log_config_from_json_file(tmp_path: Path) -> None:
    settings = copy.deepcopy(LOGGING_CONFIG)
    settings["loggers"]["uvicorn.error"]["level"] = "WARNING"
    path = tmp_path / "log.json"
    path.write_text(json.dumps(settings))
    Config("tests.apps:hello", log_config=str(path))
    assert logging.getLogger("uvicorn.error").level == logging.WARNING
    assert isinstance(logging.getLogger("uvicorn").handlers[0].formatter, DefaultFormatter)


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_log_config_from_yaml_file(tmp_path: Path, suffix: str) -> None:
    settings = copy.deepcopy(LOGGING_CONFIG)
    settings["loggers"]["uvicorn.access"]["level"] = "ERROR"
    path = tmp_path / f"log{suffix}"
    path.write_text(yaml.safe_dump(settings))
    Config("tests.apps:hello", log_config=path)
    assert logging.getLogger("uvicorn.access").level == logging.ERROR


def test_log_config_from_ini_file(tmp_path: Path) -> None:
    path = tmp_path / "log.ini"
    path.write_text(
        "[loggers]\nkeys=root,uvicorn_error\n[handlers]\nkeys=h\n[formatters]\nkeys=f\n"
        "[logger_root]\nlevel=INFO\nhandlers=h\n"
        "[logger_uvicorn_error]\nlevel=ERROR\nhandlers=h\nqualname=uvicorn.error\npropagate=0\n"
        "[handler_h]\nclass=StreamHandler\nformatter=f\nargs=(sys.stderr,)\n"
        "[formatter_f]\nformat=%(message)s\n"
    )
    root_handlers = list(logging.getLogger().handlers)
    try:
        Config("tests.apps:hello", log_config=str(path))
        error_logger = logging.getLogger("uvicorn.error")
        assert error_logger.level == logging.ERROR
        assert not error_logger.propagate
    finally:
        logging.getLogger().handlers[:] = root_handlers  # the ini file configured root too


@pytest.mark.parametrize("use_colors", [True, False])
def test_use_colors_reaches_the_formatters(use_colors: bool) -> None:
    Config("tests.apps:hello", use_colors=use_colors)
    formatters = [
        handler.formatter
        for name in ("uvicorn", "uvicorn.access")
        for handler in logging.getLogger(name).handlers
    ]
    assert len(formatters) == 2
    assert isinstance(formatters[1], AccessFormatter)
    for formatter in formatters:
        assert isinstance(formatter, ColourizedFormatter)
        assert formatter.use_colors is use_colors


def test_use_colors_leaves_the_default_logging_config_unchanged() -> None:
    before = copy.deepcopy(LOGGING_CONFIG)
    for use_colors in (True, False):
        Config("tests.apps:hello", use_colors=use_colors)
        # Else a later Config(use_colors=None) in the same process inherits the choice.
        assert before == LOGGING_CONFIG
    assert "use_colors" not in LOGGING_CONFIG["formatters"]["access"]


@pytest.mark.parametrize(
    ("log_level", "level"),
    [
        ("critical", logging.CRITICAL),
        ("error", logging.ERROR),
        ("warning", logging.WARNING),
        ("info", logging.INFO),
        ("debug", logging.DEBUG),
        ("trace", TRACE_LOG_LEVEL),
        ("DEBUG", logging.DEBUG),
        (logging.WARNING, logging.WARNING),
        (15, 15),
    ],
)
def test_log_level_names_and_numbers_set_every_uvicorn_logger(
    log_level: str | int, level: int
) -> None:
    Config("tests.apps:hello", log_config=None, log_level=log_level)
    for name in ("uvicorn.error", "uvicorn.access", "uvicorn.asgi"):
        assert logging.getLogger(name).level == level


def test_log_level_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid log_level"):
        Config("tests.apps:hello", log_config=None, log_level="loud")


def test_access_log_off_removes_access_handlers() -> None:
    Config("tests.apps:hello")
    assert logging.getLogger("uvicorn.access").handlers != []
    Config("tests.apps:hello", access_log=False)
    access = logging.getLogger("uvicorn.access")
    assert access.handlers == []
    assert not access.propagate


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("access_log", [True, False])
def test_access_log_setting_decides_whether_requests_are_logged(
    http_impl: str, access_log: bool
) -> None:
    handler = ListHandler()
    options: dict[str, Any] = {"http": http_impl, "access_log": access_log, "log_level": "info"}
    with run_server(apps.hello, **options) as server:
        logging.getLogger("uvicorn.access").addHandler(handler)
        assert httpx.get(server.url + "/logged").status_code == 200
    lines = [record.getMessage() for record in handler.records]
    if access_log:
        assert len(lines) == 1
        assert '"GET /logged HTTP/1.1" 200' in lines[0]
    else:
        assert lines == []


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


# -- environment --------------------------------------------------------------------------------


def test_env_file_is_loaded(tmp_path: Path, clean_environ: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("UVICORN_TEST_VALUE=from-env-file\n")
    Config("tests.apps:hello", log_config=None, env_file=str(env_file))
    assert os.environ["UVICORN_TEST_VALUE"] == "from-env-file"


def test_env_file_values_feed_the_environment_defaults(
    tmp_path: Path, clean_environ: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("WEB_CONCURRENCY=4\nFORWARDED_ALLOW_IPS=10.0.0.1\n")
    config = Config("tests.apps:hello", log_config=None, env_file=env_file)
    assert config.workers == 4
    assert config.forwarded_allow_ips == "10.0.0.1"


def test_missing_env_file_exits_3(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    missing = tmp_path / "none.env"
    with pytest.raises(SystemExit) as info:
        Config("tests.apps:hello", log_config=None, env_file=str(missing))
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert str(missing) in message


def test_web_concurrency_sets_the_default_workers(clean_environ: pytest.MonkeyPatch) -> None:
    clean_environ.setenv("WEB_CONCURRENCY", "3")
    assert Config("tests.apps:hello", log_config=None).workers == 3
    assert Config("tests.apps:hello", log_config=None, workers=1).workers == 1


def test_web_concurrency_is_ignored_with_reload(
    clean_environ: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clean_environ.setenv("WEB_CONCURRENCY", "3")
    config = Config("tests.apps:hello", log_config=None, reload=True)
    assert config.workers == 1
    assert config.unavailable_features() == []
    assert "WEB_CONCURRENCY is ignored when reloading is enabled" in caplog.text


def test_forwarded_allow_ips_env_sets_the_default(clean_environ: pytest.MonkeyPatch) -> None:
    clean_environ.setenv("FORWARDED_ALLOW_IPS", "10.1.2.3,10.1.2.4")
    assert Config("tests.apps:hello", log_config=None).forwarded_allow_ips == "10.1.2.3,10.1.2.4"
    explicit = Config("tests.apps:hello", log_config=None, forwarded_allow_ips="*")
    assert explicit.forwarded_allow_ips == "*"


# -- reload directories and patterns ------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with ``a/src/sub``, ``b/src`` and ``c``."""
    root = tmp_path.resolve()
    for directory in ("a/src/sub", "b/src", "c"):
        (root / directory).mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def reload_config(**options: Any) -> Config:
    return Config("tests.apps:hello", reload=True, log_config=None, **options)


def warnings_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]


def test_missing_reload_dir_warns_and_watches_the_current_directory(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    config = reload_config(reload_dirs=["missing"])
    assert config.reload_dirs == [project]
    assert warnings_logged(caplog) == [
        "Provided reload directories ['missing'] did not contain valid directories, "
        "watching current working directory."
    ]
    assert f"Will watch for changes in these directories: ['{project}']" in caplog.messages


def test_missing_reload_dir_beside_an_existing_one_is_dropped(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert reload_config(reload_dirs=["missing", "c"]).reload_dirs == [project / "c"]
    assert warnings_logged(caplog) == []


def test_reload_dirs_inside_another_watched_dir_are_folded_into_it(project: Path) -> None:
    config = reload_config(reload_dirs=["a/src/sub", "a", str(project / "a/src"), "c", "a"])
    assert sorted(config.reload_dirs) == [project / "a", project / "c"]


def test_reload_dir_given_as_a_string_is_one_directory(project: Path) -> None:
    assert reload_config(reload_dirs="a").reload_dirs == [project / "a"]


def test_reload_dir_globs_are_not_expanded(project: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Upstream expands the include patterns, not the directories: "*/src" is no directory.
    assert reload_config(reload_dirs=["*/src"]).reload_dirs == [project]
    assert "did not contain valid directories" in warnings_logged(caplog)[0]


def test_include_patterns_naming_directories_are_watched(project: Path) -> None:
    # Globs relative to the current directory: every directory they match is watched.
    config = reload_config(reload_includes=["*/src", "*.html"])
    assert sorted(config.reload_dirs) == [project / "a/src", project / "b/src"]
    assert config.reload_includes == ["*/src", "*.html"]
    config = reload_config(reload_dirs=["c"], reload_includes=["a", "*.txt"])
    assert sorted(config.reload_dirs) == [project / "a", project / "c"]


def test_excluded_directories_are_not_watched(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = reload_config(reload_dirs=["a", "c"], reload_excludes=["a/src", "*.tmp"])
    assert sorted(config.reload_dirs) == [project / "a", project / "c"]
    assert config.reload_dirs_excludes == [project / "a/src"]
    assert config.reload_excludes == ["a/src", "*.tmp"]
    # Excluding a directory that holds the only watched one leaves the current directory.
    config = reload_config(reload_dirs=["a/src"], reload_excludes=["a"])
    assert config.reload_dirs == [project]
    assert "did not contain valid directories" in warnings_logged(caplog)[0]


def test_pattern_both_included_and_excluded_is_excluded(project: Path) -> None:
    config = reload_config(reload_includes=[".env", "*.html"], reload_excludes=[".env"])
    assert (config.reload_includes, config.reload_excludes) == (["*.html"], [".env"])


def test_reload_options_are_left_alone_without_reload(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config("tests.apps:hello", log_config=None, reload_dirs=["missing"])
    assert (config.reload_dirs, config.reload_includes, config.reload_excludes) == ([], [], [])
    assert warnings_logged(caplog) == [
        "Current configuration will not reload as not all conditions are met, "
        "please refer to documentation."
    ]


# -- event loops ----------------------------------------------------------------------------------


def test_loop_import_string_names_the_loop_factory_itself() -> None:
    # Upstream: a custom --loop module:attribute is the loop factory, called with no
    # arguments to create the loop; only registered loops take use_subprocess.
    config = Config(apps.hello, loop="tests.apps:custom_loop", log_config=None)
    factory = config.get_loop_factory()
    assert factory is apps.custom_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        assert runner.run(asyncio.sleep(0, result="ran")) == "ran"


def test_registered_loop_factory_is_called_with_use_subprocess() -> None:
    config = Config(apps.hello, loop="asyncio", workers=2, log_config=None)
    assert config.get_loop_factory() is asyncio.SelectorEventLoop


def test_loop_import_string_naming_something_not_callable_exits_3(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = Config(apps.hello, loop="tests.apps:not_callable_loop", log_config=None)
    with pytest.raises(SystemExit) as info:
        config.get_loop_factory()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert "tests.apps:not_callable_loop" in message
    assert "not callable" in message


# -- binding --------------------------------------------------------------------------------------


def assert_accepts_connections(sock: socket.socket, address: tuple[Any, ...]) -> None:
    with socket.create_connection(address[:2], timeout=5):
        sock.setblocking(True)
        sock.settimeout(5)
        accepted, _ = sock.accept()
        accepted.close()


def test_bind_socket_ipv4_listens_on_an_ephemeral_port() -> None:
    config = Config(apps.hello, host="127.0.0.1", port=0, log_config=None)
    with config.bind_socket() as sock:
        assert sock.family == socket.AF_INET
        host, port = sock.getsockname()
        assert host == "127.0.0.1"
        assert port != 0
        assert not sock.getblocking()
        assert_accepts_connections(sock, (host, port))


@needs_ipv6
def test_bind_socket_ipv6_listens_on_the_loopback() -> None:
    config = Config(apps.hello, host="::1", port=0, log_config=None)
    with config.bind_socket() as sock:
        assert sock.family == socket.AF_INET6
        assert sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 1
        host, port = sock.getsockname()[:2]
        assert host == "::1"
        assert_accepts_connections(sock, (host, port))


@needs_ipv6
def test_serving_on_ipv6_loopback() -> None:
    with run_server(apps.echo_scope, host="::1") as server:
        scope = httpx.get(server.url).json()
    assert scope["server"][0] == "::1"
    assert scope["client"][0] == "::1"


def test_bind_socket_uds_creates_a_world_writable_socket(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    config = Config(apps.hello, uds=str(path), log_config=None)
    with config.bind_socket() as sock:
        assert sock.family == socket.AF_UNIX
        mode = os.stat(path).st_mode
        assert stat.S_ISSOCK(mode)
        assert stat.S_IMODE(mode) == 0o666
        with run_server(apps.echo_scope, sock=sock):
            with httpx.Client(transport=httpx.HTTPTransport(uds=str(path))) as client:
                scope = client.get("http://localhost/unix").json()
    assert scope["path"] == "/unix"


def test_bind_socket_uds_replaces_a_stale_socket_file(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"
    with socket.socket(socket.AF_UNIX) as stale:
        stale.bind(str(path))  # left behind, like a crashed server's socket
    config = Config(apps.hello, uds=str(path), log_config=None)
    with config.bind_socket() as sock:  # binding over the stale file would fail: EADDRINUSE
        with run_server(apps.hello, sock=sock):
            with httpx.Client(transport=httpx.HTTPTransport(uds=str(path))) as client:
                assert client.get("http://localhost/").text == "Hello, world!"


def test_bind_socket_uds_never_removes_a_regular_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "precious.txt"
    path.write_text("keep me")
    config = Config(apps.hello, uds=str(path), log_config=None)
    with pytest.raises(SystemExit) as info:
        config.bind_socket()
    assert info.value.code == 3
    assert path.read_text() == "keep me"
    assert len(error_messages(caplog)) == 1


def test_bind_socket_from_file_descriptor() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        config = Config(apps.hello, fd=listener.fileno(), log_config=None)
        with config.bind_socket() as sock:
            assert sock.fileno() != listener.fileno()  # a duplicate: closing ours keeps theirs
            assert sock.getsockname()[1] == port
            with run_server(apps.hello, sock=sock):
                assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"


def test_bind_socket_to_a_port_in_use_exits_3(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = Config(apps.hello, port=port, log_config=None)
        with pytest.raises(SystemExit) as info:
            config.bind_socket()
    assert info.value.code == 3
    [message] = error_messages(caplog)
    assert message == (  # upstream's text (asyncio's), naming the address
        f"[Errno {errno.EADDRINUSE}] error while attempting to bind on address "
        f"('127.0.0.1', {port}): address already in use"
    )


@needs_ipv6
def test_bind_socket_to_an_ipv6_port_in_use_names_the_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket(socket.AF_INET6) as taken:
        taken.bind(("::1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = Config(apps.hello, host="::1", port=port, log_config=None)
        with pytest.raises(SystemExit):
            config.bind_socket()
    [message] = error_messages(caplog)
    assert f"error while attempting to bind on address ('::1', {port}, 0, 0)" in message


# -- TLS ------------------------------------------------------------------------------------------


def test_encrypted_tls_key_loads_with_its_password(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    from uvicorn.testing.conformance.http.test_tls import Certificates

    certs = Certificates(tmp_path)
    key = serialization.load_pem_private_key(certs.key_file.read_bytes(), password=None)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    options: dict[str, Any] = {"ssl_certfile": str(certs.cert_file), "ssl_keyfile": str(encrypted)}
    config = Config("tests.apps:hello", log_config=None, ssl_keyfile_password="secret", **options)
    config.load()
    assert isinstance(config.ssl, ssl.SSLContext)
    assert config.ssl.verify_mode == ssl.CERT_NONE
    openssl_defaults = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).get_ciphers()
    assert config.ssl.get_ciphers() == openssl_defaults  # no --ssl-ciphers: OpenSSL's choice

    wrong = Config("tests.apps:hello", log_config=None, ssl_keyfile_password="wrong", **options)
    with pytest.raises(SystemExit) as info:
        wrong.load()
    assert info.value.code == 3


@pytest.mark.parametrize(
    ("returned", "type_name"), [(None, "NoneType"), ("context", "str"), (ssl.SSLObject, "type")]
)
def test_ssl_context_factory_must_return_an_ssl_context(returned: Any, type_name: str) -> None:
    def factory(config: Config, default: Any) -> Any:
        return returned

    config = Config("tests.apps:hello", log_config=None, ssl_context_factory=factory)
    with pytest.raises(TypeError) as info:
        config.load()
    assert str(info.value) == (
        f"`ssl_context_factory` must return an `ssl.SSLContext`, got {type_name}"
    )
    assert config.ssl is None


def test_uvicorn_run_stops_at_startup_when_ssl_context_factory_returns_no_context() -> None:
    code = (
        "import uvicorn;"
        "uvicorn.run('tests.apps:hello', port=0, ssl_context_factory=lambda config, default: None)"
    )
    result = run_command([sys.executable, "-c", code], timeout=15)
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith(
        "TypeError: `ssl_context_factory` must return an `ssl.SSLContext`, got NoneType"
    )
    assert "Uvicorn running on" not in result.stderr


def test_unknown_proxy_headers_mode_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"'x-forwarded'.*'forwarded'"):
        Config("tests.apps:hello", proxy_headers_mode="rfc7239")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("limit_request_body", -1, "limit_request_body must be 0 or more bytes"),
        ("timeout_request_body", 0, "timeout_request_body must be more than 0 seconds"),
    ],
)
def test_body_limits_out_of_range_are_refused(option: str, value: float, message: str) -> None:
    options: dict[str, Any] = {option: value}
    with pytest.raises(ValueError, match=message):
        Config("tests.apps:hello", **options)
