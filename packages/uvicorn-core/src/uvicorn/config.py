"""Server configuration: every option of ``uvicorn.run()``, and loading what they select."""

from __future__ import annotations

import asyncio
import errno
import inspect
import json
import logging
import logging.config
import os
import socket
import ssl
import stat
import sys
from collections.abc import Awaitable, Callable, Mapping
from configparser import RawConfigParser
from pathlib import Path
from typing import IO, Any, Final, Literal, NoReturn

from uvicorn._headers import check_header
from uvicorn._registry import KindName, PluginError, RegistryMapping, get_registry
from uvicorn._types import ASGIApplication
from uvicorn.importer import ImportFromStringError, import_from_string
from uvicorn.logging import TRACE_LOG_LEVEL

HTTPProtocolType = Literal["auto", "h11", "httptools"]
WSProtocolType = Literal["auto", "none", "websockets", "websockets-sansio", "wsproto"]
LifespanType = Literal["auto", "on", "off"]
LoopFactoryType = Literal["none", "auto", "asyncio", "uvloop"]
InterfaceType = Literal["auto", "asgi3", "asgi2", "wsgi"]
LoopFactory = Callable[[], asyncio.AbstractEventLoop]

LOG_LEVELS: Final[dict[str, int]] = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": TRACE_LOG_LEVEL,
}

# Read-only views of the plugin registries, filled the first time they are read.
HTTP_PROTOCOLS: Final[Mapping[str, str | None]] = RegistryMapping("http")
WS_PROTOCOLS: Final[Mapping[str, str | None]] = RegistryMapping("ws")
LIFESPAN: Final[Mapping[str, str | None]] = RegistryMapping("lifespan")
LOOP_FACTORIES: Final[Mapping[str, str | None]] = RegistryMapping("loop")
INTERFACES: Final[list[InterfaceType]] = ["auto", "asgi3", "asgi2", "wsgi"]

SSL_PROTOCOL_VERSION: Final[int] = ssl.PROTOCOL_TLS_SERVER

STARTUP_FAILURE: Final = 3

LOGGING_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "default": {
            "()": "uvicorn.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(message)s",
            "use_colors": None,
        },
        "access": {
            "()": "uvicorn.logging.AccessFormatter",
            "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
        },
    },
    "handlers": {
        "default": {
            "formatter": "default",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "formatter": "access",
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

logger = logging.getLogger("uvicorn.error")


def startup_failure(message: str, *args: object) -> NoReturn:
    """Log one clear message and stop with the startup-failure exit code."""
    logger.error(message, *args)
    sys.exit(STARTUP_FAILURE)


def resolve_implementation(kind: KindName, value: Any) -> Any:
    """Turn a ``--http``/``--ws``/``--loop``/``--lifespan`` value into the object it names.

    ``value`` is ``auto``, a registered name, ``none`` (WebSocket and loop only), an
    import string ``module:attribute``, or already the class or factory itself. Raises
    PluginError with a message meant for the user.
    """
    if not isinstance(value, str):
        return value
    if value == "none" and kind in ("ws", "loop"):
        return None
    if ":" in value:
        try:
            return import_from_string(value)
        except (ImportFromStringError, ImportError) as exc:
            raise PluginError(f"Cannot import {value!r} given for --{kind}: {exc}") from exc
    registry = get_registry()
    implementation = registry.select(kind, value)
    try:
        return import_from_string(implementation.target)
    except Exception as exc:
        origin = f"{implementation.distribution} {implementation.version}"
        raise PluginError(
            f"{kind} implementation {implementation.name!r} ({origin}) failed to load "
            f"{implementation.target}: {type(exc).__name__}: {exc}"
        ) from exc


def create_ssl_context(
    certfile: str | os.PathLike[str] | None,
    keyfile: str | os.PathLike[str] | None,
    password: str | None,
    ssl_version: int,
    cert_reqs: int,
    ca_certs: str | os.PathLike[str] | None,
    ciphers: str | None,
) -> ssl.SSLContext:
    """A server-side context from uvicorn's ``--ssl-*`` options.

    ``ciphers`` None keeps OpenSSL's defaults; ``cert_reqs`` CERT_REQUIRED with
    ``ca_certs`` asks clients for a certificate signed by those CAs (mutual TLS).
    """
    context = ssl.SSLContext(ssl_version)
    if certfile is not None:
        context.load_cert_chain(certfile, keyfile, password or None)
    context.verify_mode = ssl.VerifyMode(cert_reqs)
    if ca_certs is not None:
        context.load_verify_locations(ca_certs)
    if ciphers:
        context.set_ciphers(ciphers)
    return context


class Config:
    def __init__(
        self,
        app: ASGIApplication | Callable[..., Any] | str,
        host: str | None = "127.0.0.1",
        port: int = 8000,
        uds: str | None = None,
        fd: int | None = None,
        loop: LoopFactoryType | str | Callable[[bool], LoopFactory | None] = "auto",
        http: type[asyncio.Protocol] | HTTPProtocolType | str = "auto",
        http2: bool | str = False,
        h2_max_concurrent_streams: int = 100,
        ws: type[asyncio.Protocol] | WSProtocolType | str = "auto",
        ws_max_size: int = 16 * 1024 * 1024,
        ws_max_queue: int = 32,
        ws_ping_interval: float | None = 20.0,
        ws_ping_timeout: float | None = 20.0,
        ws_per_message_deflate: bool = True,
        lifespan: LifespanType | str = "auto",
        env_file: str | os.PathLike[str] | None = None,
        log_config: dict[str, Any] | str | os.PathLike[str] | RawConfigParser | IO[Any] | None = (
            LOGGING_CONFIG
        ),
        log_level: str | int | None = None,
        access_log: bool = True,
        use_colors: bool | None = None,
        interface: InterfaceType = "auto",
        reload: bool = False,
        reload_dirs: list[str] | str | None = None,
        reload_delay: float = 0.25,
        reload_includes: list[str] | str | None = None,
        reload_excludes: list[str] | str | None = None,
        workers: int | None = None,
        proxy_headers: bool = True,
        server_header: bool = True,
        date_header: bool = True,
        forwarded_allow_ips: list[str] | str | None = None,
        root_path: str = "",
        limit_concurrency: int | None = None,
        limit_max_requests: int | None = None,
        limit_max_requests_jitter: int = 0,
        backlog: int = 2048,
        timeout_keep_alive: int = 5,
        timeout_notify: int = 30,
        timeout_graceful_shutdown: int | None = None,
        timeout_worker_healthcheck: int = 5,
        timeout_request_head: float | None = 20.0,
        callback_notify: Callable[..., Awaitable[None]] | None = None,
        ssl_keyfile: str | os.PathLike[str] | None = None,
        ssl_certfile: str | os.PathLike[str] | None = None,
        ssl_keyfile_password: str | None = None,
        ssl_version: int = SSL_PROTOCOL_VERSION,
        ssl_cert_reqs: int = ssl.CERT_NONE,
        ssl_ca_certs: str | os.PathLike[str] | None = None,
        ssl_ciphers: str | None = None,
        ssl_context_factory: Callable[[Config, Callable[[], ssl.SSLContext]], ssl.SSLContext]
        | None = None,
        headers: list[tuple[str, str]] | None = None,
        factory: bool = False,
        h11_max_incomplete_event_size: int | None = None,
        reset_contextvars: bool = False,
        proxy_headers_mode: Literal["x-forwarded", "forwarded"] = "x-forwarded",
        limit_request_body: int | None = None,
        timeout_request_body: float | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.uds = uds
        self.fd = fd
        self.loop = loop
        self.http = http
        self.http2 = http2
        self.h2_max_concurrent_streams = h2_max_concurrent_streams
        self.ws = ws
        self.ws_max_size = ws_max_size
        self.ws_max_queue = ws_max_queue
        self.ws_ping_interval = ws_ping_interval
        self.ws_ping_timeout = ws_ping_timeout
        self.ws_per_message_deflate = ws_per_message_deflate
        self.lifespan = lifespan
        self.log_config = log_config
        self.log_level = log_level
        self.access_log = access_log
        self.use_colors = use_colors
        self.interface = interface
        self.reload = reload
        self.reload_delay = reload_delay
        self.workers = workers or 1
        self.proxy_headers = proxy_headers
        self.server_header = server_header
        self.date_header = date_header
        self.root_path = root_path
        self.limit_concurrency = limit_concurrency
        self.limit_max_requests = limit_max_requests
        self.limit_max_requests_jitter = limit_max_requests_jitter
        self.backlog = backlog
        self.timeout_keep_alive = timeout_keep_alive
        self.timeout_notify = timeout_notify
        self.timeout_graceful_shutdown = timeout_graceful_shutdown
        self.timeout_worker_healthcheck = timeout_worker_healthcheck
        self.timeout_request_head = timeout_request_head
        self.callback_notify = callback_notify
        self.ssl_keyfile = ssl_keyfile
        self.ssl_certfile = ssl_certfile
        self.ssl_keyfile_password = ssl_keyfile_password
        self.ssl_version = ssl_version
        self.ssl_cert_reqs = ssl_cert_reqs
        self.ssl_ca_certs = ssl_ca_certs
        self.ssl_ciphers = ssl_ciphers
        self.ssl_context_factory = ssl_context_factory
        self.headers: list[tuple[str, str]] = headers or []
        self.encoded_headers: list[tuple[bytes, bytes]] = []
        self.factory = factory
        self.h11_max_incomplete_event_size = h11_max_incomplete_event_size
        self.reset_contextvars = reset_contextvars
        if limit_request_body is not None and limit_request_body < 0:
            raise ValueError(
                f"limit_request_body must be 0 or more bytes, not {limit_request_body}"
            )
        self.limit_request_body = limit_request_body
        if timeout_request_body is not None and not timeout_request_body > 0:
            raise ValueError(
                f"timeout_request_body must be more than 0 seconds, not {timeout_request_body}"
            )
        self.timeout_request_body = timeout_request_body

        self.loaded = False
        self.loaded_app: Any = None
        self.http_protocol_class: type[asyncio.Protocol] | None = None
        self.ws_protocol_class: type[asyncio.Protocol] | None = None
        # With --http2: the multiplexed protocol class, chosen per connection beside HTTP/1.1.
        self.multiplexed_protocol_class: type[asyncio.Protocol] | None = None
        self.lifespan_class: Any = None
        self.ssl: ssl.SSLContext | None = None
        self.configure_logging()

        self.reload_dirs: list[Path] = []
        self.reload_dirs_excludes: list[Path] = []
        self.reload_includes: list[str] = []
        self.reload_excludes: list[str] = []
        self._store_reload_options(reload_dirs, reload_includes, reload_excludes)

        if env_file is not None:
            self._load_env_file(env_file)

        if workers is None and "WEB_CONCURRENCY" in os.environ:
            if reload:
                logger.warning("WEB_CONCURRENCY is ignored when reloading is enabled.")
            else:
                self.workers = int(os.environ["WEB_CONCURRENCY"])

        if proxy_headers_mode not in ("x-forwarded", "forwarded"):
            raise ValueError(
                "proxy_headers_mode must be 'x-forwarded' (X-Forwarded-For/-Proto/-Host/"
                f"-Port) or 'forwarded' (RFC 7239 Forwarded), not {proxy_headers_mode!r}"
            )
        self.proxy_headers_mode = proxy_headers_mode
        if forwarded_allow_ips is None:
            self.forwarded_allow_ips: list[str] | str = os.environ.get(
                "FORWARDED_ALLOW_IPS", "127.0.0.1,::1"
            )
        else:
            self.forwarded_allow_ips = forwarded_allow_ips

    def _store_reload_options(
        self,
        reload_dirs: list[str] | str | None,
        reload_includes: list[str] | str | None,
        reload_excludes: list[str] | str | None,
    ) -> None:
        """Normalise the reload options as upstream does, only when reloading.

        Directories that do not exist are dropped (with a warning and the current
        directory instead when none is left), and so are directories inside another
        watched or excluded one. Include patterns naming directories, or matching them as
        globs relative to the current directory, add those directories to the watched
        ones; exclude patterns naming directories become ``reload_dirs_excludes``. A
        pattern both included and excluded is excluded.
        """
        if (reload_dirs or reload_includes or reload_excludes) and not self.should_reload:
            logger.warning(
                "Current configuration will not reload as not all conditions are met, "
                "please refer to documentation."
            )
        if not self.should_reload:
            return
        given_dirs = _as_unique_list(reload_dirs)
        includes = _as_unique_list(reload_includes)
        excludes = _as_unique_list(reload_excludes)
        exclude_dirs = _directories_named_by(excludes)
        candidates = [Path(directory) for directory in given_dirs] + _directories_named_by(includes)
        watched = [
            directory
            for directory in _outermost_directories(candidates)
            if not any(excluded in (directory, *directory.parents) for excluded in exclude_dirs)
        ]
        if not watched:
            if given_dirs:
                logger.warning(
                    "Provided reload directories %s did not contain valid directories, "
                    "watching current working directory.",
                    given_dirs,
                )
            watched = [Path.cwd()]
        self.reload_dirs = watched
        self.reload_dirs_excludes = exclude_dirs
        self.reload_includes = [pattern for pattern in includes if pattern not in excludes]
        self.reload_excludes = excludes
        logger.info(
            "Will watch for changes in these directories: %s",
            sorted(str(directory) for directory in self.reload_dirs),
        )

    def _load_env_file(self, env_file: str | os.PathLike[str]) -> None:
        try:
            import dotenv  # optional dependency, only needed for env_file
        except ImportError:
            startup_failure(
                "--env-file %s needs the python-dotenv package: pip install python-dotenv",
                os.fspath(env_file),
            )
        if not os.path.isfile(env_file):
            startup_failure("Environment file %s does not exist.", os.fspath(env_file))
        logger.info("Loading environment from '%s'", os.fspath(env_file))
        dotenv.load_dotenv(dotenv_path=env_file)

    @property
    def asgi_version(self) -> Literal["2.0", "3.0"]:
        mapping: dict[str, Literal["2.0", "3.0"]] = {
            "asgi2": "2.0",
            "asgi3": "3.0",
            "wsgi": "3.0",
        }
        return mapping[self.interface]

    @property
    def is_ssl(self) -> bool:
        return bool(self.ssl_keyfile or self.ssl_certfile or self.ssl_context_factory)

    @property
    def use_subprocess(self) -> bool:
        return bool(self.reload or self.workers > 1)

    @property
    def should_reload(self) -> bool:
        return isinstance(self.app, str) and self.reload

    def configure_logging(self) -> None:
        logging.addLevelName(TRACE_LOG_LEVEL, "TRACE")

        if self.log_config is not None:
            self._apply_log_config(self.log_config)

        if self.log_level is not None:
            if isinstance(self.log_level, str):
                level = LOG_LEVELS.get(self.log_level.lower())
                if level is None:
                    choices = ", ".join(LOG_LEVELS)
                    raise ValueError(f"invalid log_level {self.log_level!r}; use one of {choices}")
            else:
                level = self.log_level
            logging.getLogger("uvicorn.error").setLevel(level)
            logging.getLogger("uvicorn.access").setLevel(level)
            logging.getLogger("uvicorn.asgi").setLevel(level)
        if self.access_log is False:
            access = logging.getLogger("uvicorn.access")
            access.handlers = []
            access.propagate = False

    def _apply_log_config(
        self, log_config: dict[str, Any] | str | os.PathLike[str] | RawConfigParser | IO[Any]
    ) -> None:
        if isinstance(log_config, dict):
            if self.use_colors in (True, False):
                # Copy what we change: the dict may be the shared LOGGING_CONFIG default.
                formatters = dict(log_config.get("formatters", {}))
                for name in ("default", "access"):
                    if name in formatters:
                        formatters[name] = {**formatters[name], "use_colors": self.use_colors}
                log_config = {**log_config, "formatters": formatters}
            logging.config.dictConfig(log_config)
            return
        if isinstance(log_config, RawConfigParser):
            logging.config.fileConfig(log_config, disable_existing_loggers=False)
            return
        if not isinstance(log_config, str | os.PathLike):
            logging.config.fileConfig(log_config, disable_existing_loggers=False)
            return
        path = os.fspath(log_config)
        suffix = Path(path).suffix.lower()
        if suffix == ".json":
            with open(path) as file:
                logging.config.dictConfig(json.load(file))
        elif suffix in (".yaml", ".yml"):
            try:
                import yaml  # optional dependency, only for YAML log configs
            except ImportError:
                raise RuntimeError(
                    f"log_config {path!r} is YAML, which needs PyYAML: pip install PyYAML"
                ) from None
            with open(path) as file:
                logging.config.dictConfig(yaml.safe_load(file))
        else:
            logging.config.fileConfig(path, disable_existing_loggers=False)

    def unavailable_features(self) -> list[str]:
        """Options set that cannot be honoured (yet, or together), as messages for the user."""
        problems = []
        if self.reload and self.workers > 1:
            problems.append(
                "--reload and --workers cannot be used together: the reloader runs one "
                "server process. Remove one of the two options."
            )
        return problems

    def load(self) -> None:
        assert not self.loaded

        for problem in self.unavailable_features():
            startup_failure(problem)

        self.encoded_headers = [
            (key.lower().encode("latin1"), value.encode("latin1")) for key, value in self.headers
        ]
        for name, value in self.encoded_headers:
            try:
                check_header(name, value)
            except RuntimeError as exc:
                startup_failure("Invalid --header %r: %s", name.decode("latin1"), exc)

        try:
            if self.http2:
                # True (the --http2 flag): the best installed; a name or import string: that one.
                chosen = "auto" if self.http2 is True else self.http2
                self.multiplexed_protocol_class = resolve_implementation("http2", chosen)
        except PluginError as exc:
            startup_failure("--http2: %s", exc)

        if self.is_ssl:
            self.ssl = self._create_ssl_context()
            if self.multiplexed_protocol_class is not None:
                alpn: str = getattr(self.multiplexed_protocol_class, "alpn_protocol", "h2")
                self.ssl.set_alpn_protocols([alpn, "http/1.1"])

        try:
            self.http_protocol_class = resolve_implementation("http", self.http)
            self.ws_protocol_class = self._resolve_ws()
            self.lifespan_class = resolve_implementation("lifespan", self.lifespan)
        except PluginError as exc:
            startup_failure("%s", exc)

        self.loaded_app = self._load_app()
        self.loaded = True

    def _create_ssl_context(self) -> ssl.SSLContext:
        def default_context() -> ssl.SSLContext:
            if self.ssl_certfile is None and self.ssl_context_factory is None:
                startup_failure("--ssl-keyfile needs --ssl-certfile as well.")
            return create_ssl_context(
                certfile=self.ssl_certfile,
                keyfile=self.ssl_keyfile,
                password=self.ssl_keyfile_password,
                ssl_version=self.ssl_version,
                cert_reqs=self.ssl_cert_reqs,
                ca_certs=self.ssl_ca_certs,
                ciphers=self.ssl_ciphers,
            )

        try:
            if self.ssl_context_factory is None:
                return default_context()
            context = self.ssl_context_factory(self, default_context)
        except (OSError, ssl.SSLError, ValueError) as exc:
            startup_failure("Cannot set up TLS: %s", exc)
        if not isinstance(context, ssl.SSLContext):
            raise TypeError(  # upstream's words
                "`ssl_context_factory` must return an `ssl.SSLContext`, "
                f"got {type(context).__name__}"
            )
        return context

    def _resolve_ws(self) -> type[asyncio.Protocol] | None:
        if self.ws == "auto" and get_registry().auto("ws") is None:
            return None
        resolved: type[asyncio.Protocol] | None = resolve_implementation("ws", self.ws)
        return resolved

    def _load_app(self) -> Any:
        try:
            app = import_from_string(self.app)
        except ImportFromStringError as exc:
            startup_failure("Error loading ASGI app. %s", exc)

        if self.factory:
            if not callable(app):
                startup_failure("Error loading ASGI app factory: %r is not callable.", app)
            try:
                app = app()
            except TypeError as exc:
                startup_failure("Error loading ASGI app factory: %s", exc)
        elif _looks_like_factory(app):
            logger.warning(
                "ASGI app factory detected. Using it, but please consider setting the "
                "--factory flag explicitly."
            )
            app = app()

        if self.interface == "auto":
            self.interface = _detect_interface(app)

        if self.interface == "wsgi":
            from uvicorn.middleware.wsgi import WSGIMiddleware  # rarely used

            app = WSGIMiddleware(app)
            self.ws_protocol_class = None  # a WSGI app cannot speak WebSocket
        elif self.interface == "asgi2":
            from uvicorn.middleware.asgi2 import ASGI2Middleware  # rarely used

            app = ASGI2Middleware(app)

        if logger.getEffectiveLevel() <= TRACE_LOG_LEVEL:
            from uvicorn.middleware.message_logger import (  # trace only
                MessageLoggerMiddleware,
            )

            app = MessageLoggerMiddleware(app)
        if self.proxy_headers:
            from uvicorn.middleware.proxy_headers import proxy_headers_app

            app = proxy_headers_app(app, self.forwarded_allow_ips, self.proxy_headers_mode)
        return app

    def get_loop_factory(self) -> LoopFactory | None:
        """The callable that creates this server's event loop (``None``: asyncio's default).

        A registered loop (``auto``, ``asyncio``, a plugin's name) and a callable given as
        ``loop`` are factories of loop factories, called with ``use_subprocess``. A custom
        ``module:attribute`` is, as upstream, the loop factory itself: it is called with
        no arguments to create the loop.
        """
        try:
            factory = resolve_implementation("loop", self.loop)
        except PluginError as exc:
            startup_failure("%s", exc)
        if factory is None:
            return None
        if isinstance(self.loop, str) and ":" in self.loop:
            if not callable(factory):
                startup_failure(
                    "--loop %s names %r, which is not callable: give a function that "
                    "creates an event loop.",
                    self.loop,
                    factory,
                )
            custom: LoopFactory = factory
            return custom
        loop_factory: LoopFactory | None = factory(use_subprocess=self.use_subprocess)
        return loop_factory

    def bind_socket(self) -> socket.socket:
        """The listening socket this configuration asks for (host/port, uds or fd).

        A bind failure is a startup failure: it is logged and the process exits with 3.
        With no host (``None`` or ``""``) this is the IPv4 wildcard only; bind_sockets()
        binds every interface.
        """
        try:
            return self.create_socket()
        except OSError as exc:
            startup_failure("%s", exc)

    def bind_sockets(self) -> list[socket.socket]:
        """Every listening socket this configuration asks for; what the server binds.

        One socket, except with no host (``None`` or ``""``): then, like asyncio's
        ``create_server`` upstream, one per interface family (the IPv4 wildcard first,
        then the IPv6 one where the machine has IPv6), on one port. A bind failure is a
        startup failure.
        """
        try:
            return self.create_sockets()
        except OSError as exc:
            startup_failure("%s", exc)

    def create_sockets(self) -> list[socket.socket]:
        """Like bind_sockets(), but raise OSError instead of exiting."""
        if self.uds or self.fd is not None or self.host:
            return [self.create_socket()]
        return _listen_on_every_interface(self.port, self.backlog)

    def create_socket(self) -> socket.socket:
        """Like bind_socket(), but raise OSError instead of exiting."""
        if self.uds:
            path = self.uds
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                if os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode):
                    os.remove(path)
                try:
                    sock.bind(path)
                except OSError as exc:
                    if exc.errno != errno.EADDRINUSE:
                        raise
                    # asyncio's words (create_unix_server, upstream's path): name the path.
                    raise OSError(errno.EADDRINUSE, f"Address {path!r} is already in use") from None
                os.chmod(path, 0o666)
                sock.listen(self.backlog)
            except OSError:
                sock.close()
                raise
        elif self.fd is not None:
            probe = socket.socket(fileno=os.dup(self.fd))
            family = probe.family
            probe.close()
            sock = socket.fromfd(self.fd, family, socket.SOCK_STREAM)
        else:
            host = (self.host or "0.0.0.0").strip("[]")
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            # Resolved as asyncio resolves it, so that an error names the same address.
            info = socket.getaddrinfo(
                host, self.port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
            )[0]
            sock = _listen_tcp(socket.socket(family, socket.SOCK_STREAM), info[4], self.backlog)
        sock.setblocking(False)
        return sock


def _listen_tcp(sock: socket.socket, address: tuple[Any, ...], backlog: int) -> socket.socket:
    """``sock`` bound to ``address`` and listening (IPv6: IPv6 only, like asyncio), or closed.

    A bind failure is reported in asyncio's words, as upstream (which binds through
    ``loop.create_server``) reports it: naming the address.
    """
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            message = f"error while attempting to bind on address {address!r}: {reason}"
            raise OSError(exc.errno, message) from None
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock


def _listen_on_every_interface(port: int, backlog: int) -> list[socket.socket]:
    """What ``create_server(host=None)`` binds: each wildcard address, IPv4 first.

    A family the machine cannot open a socket for is skipped, as asyncio skips it. With
    port 0 the later sockets take the port the first one got, so that one port serves
    every interface (asyncio would pick one per socket).
    """
    infos = socket.getaddrinfo(
        None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )
    addresses: dict[socket.AddressFamily, tuple[Any, ...]] = {}
    for info in sorted(infos, key=lambda info: info[0] != socket.AF_INET):
        if info[0] in (socket.AF_INET, socket.AF_INET6):
            addresses.setdefault(info[0], info[4])
    sockets: list[socket.socket] = []
    try:
        for family, address in addresses.items():
            try:
                sock = socket.socket(family, socket.SOCK_STREAM)
            except OSError:
                continue  # no such family here (an IPv4-only kernel, say)
            if sockets and port == 0:
                shared = (address[0], sockets[0].getsockname()[1], *address[2:])
                try:
                    sockets.append(_listen_tcp(sock, shared, backlog))
                    continue
                except OSError as exc:
                    if exc.errno != errno.EADDRINUSE:
                        raise
                # Taken for this family: any free port, as asyncio would pick.
                sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(_listen_tcp(sock, address, backlog))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    if not sockets:
        raise OSError(errno.EAFNOSUPPORT, "no address family is available to listen on")
    for sock in sockets:
        sock.setblocking(False)
    return sockets


def _as_unique_list(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    return list(dict.fromkeys([value] if isinstance(value, str) else value))


def _existing_directory(path: Path) -> Path | None:
    """``path`` resolved, if it is a directory (relative paths: from the current one)."""
    try:
        resolved = path.resolve()
        return resolved if resolved.is_dir() else None
    except OSError:
        return None


def _directories_named_by(patterns: list[str]) -> list[Path]:
    """The directories that reload patterns name, or match relative to the current one.

    ``.*`` is only a file pattern: as a glob it would name every hidden directory.
    """
    directories: list[Path] = []
    cwd = Path.cwd()
    for pattern in patterns:
        if pattern == ".*":
            continue
        named = _existing_directory(Path(pattern))
        if named is not None:
            directories.append(named)
            continue
        try:
            matches = sorted(cwd.glob(pattern))
        except (ValueError, NotImplementedError, OSError):
            continue  # not a usable glob (an absolute or empty pattern): a file pattern
        directories += [match for match in map(_existing_directory, matches) if match]
    return list(dict.fromkeys(directories))


def _outermost_directories(paths: list[Path]) -> list[Path]:
    """The existing directories among ``paths``, resolved, less those inside another."""
    directories = list(dict.fromkeys(d for d in map(_existing_directory, paths) if d))
    return [
        directory
        for directory in directories
        if not any(other in directory.parents for other in directories)
    ]


def _looks_like_factory(app: Any) -> bool:
    """A plain function taking no arguments cannot be an ASGI app, so it must be a factory."""
    if not inspect.isfunction(app) or inspect.iscoroutinefunction(app):
        return False
    try:
        parameters = inspect.signature(app).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        param.default is not param.empty or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
        for param in parameters
    )


def _detect_interface(app: Any) -> InterfaceType:
    if inspect.isclass(app):
        return "asgi3" if hasattr(app, "__await__") else "asgi2"
    if inspect.isfunction(app):
        return "asgi3" if inspect.iscoroutinefunction(app) else "asgi2"
    call = getattr(app, "__call__", None)  # noqa: B004 - we want the bound __call__ itself
    return "asgi3" if inspect.iscoroutinefunction(call) else "asgi2"
