"""The ``uvicorn`` command and ``uvicorn.run()``.

Importing this module discovers no plugins and does not import the server:
``--http``/``--ws``/``--loop``/``--lifespan`` take plain strings, resolved against the
registry only when the server starts, so ``uvicorn --help`` stays fast.
"""

from __future__ import annotations

import logging
import os
import platform
import ssl
import stat
import sys
import types
import warnings
from collections.abc import Callable
from configparser import RawConfigParser
from typing import IO, TYPE_CHECKING, Any, Literal

import click

from uvicorn._version import __version__ as uvicorn_version
from uvicorn.config import (
    INTERFACES,
    LOG_LEVELS,
    LOGGING_CONFIG,
    SSL_PROTOCOL_VERSION,
    STARTUP_FAILURE,
    Config,
    HTTPProtocolType,
    InterfaceType,
    LifespanType,
    LoopFactory,
    LoopFactoryType,
    WSProtocolType,
    startup_failure,
)

if TYPE_CHECKING:
    import asyncio

    from uvicorn._types import ASGIApplication
    from uvicorn.server import Server

__all__ = ["STARTUP_FAILURE", "Server", "main", "run"]

logger = logging.getLogger("uvicorn.error")

IMPLEMENTATION_HELP = "auto, an installed plugin name (see --list-plugins), or module:attribute"


def print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    click.echo(
        f"Running uvicorn-core {uvicorn_version} with {platform.python_implementation()} "
        f"{platform.python_version()} on {platform.system()}"
    )
    for line in plugin_version_lines():
        click.echo(f"  {line}")
    echo_clash_warnings()
    ctx.exit()


def echo_clash_warnings() -> None:
    """Tell on stderr when another distribution also installs the ``uvicorn`` package."""
    from uvicorn._clash import clash_report

    for line in clash_report():
        click.echo(f"warning: {line}", err=True)


def plugin_version_lines() -> list[str]:
    """One ``<distribution> <version>`` line per installed plugin distribution.

    Distributions whose plugin failed to load (or registered something invalid) are
    marked as broken; ``--list-plugins`` shows why.
    """
    from uvicorn._hooks import BUILTIN_PLUGIN_NAME
    from uvicorn._registry import KINDS, get_registry

    registry = get_registry()
    versions: dict[str, str | None] = {}
    broken: set[str] = set()
    for kind in KINDS:
        for entry in registry.entries(kind):
            implementation = entry.implementation
            if implementation.distribution is not None:
                versions.setdefault(implementation.distribution, implementation.version)
    for failure in registry.failures:
        label = failure.distribution or f"plugin {failure.name!r}"
        versions.setdefault(label, failure.version)
        broken.add(label)
    lines = []
    for distribution, version in versions.items():
        if distribution == BUILTIN_PLUGIN_NAME:
            continue
        line = distribution if version is None else f"{distribution} {version}"
        if distribution in broken:
            line += " (broken, see --list-plugins)"
        lines.append(line)
    return lines


def print_plugins(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from uvicorn._registry import format_plugin_listing, get_registry

    click.echo(format_plugin_listing(get_registry()))
    echo_clash_warnings()
    ctx.exit()


@click.command(context_settings={"auto_envvar_prefix": "UVICORN"})
@click.argument("app", envvar="UVICORN_APP")
@click.option("--host", type=str, default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    type=int,
    default=8000,
    show_default=True,
    help="Port to bind; 0 picks a free port.",
)
@click.option("--uds", type=str, default=None, help="Bind to this UNIX domain socket.")
@click.option("--fd", type=int, default=None, help="Use the listening socket with this descriptor.")
@click.option("--reload", is_flag=True, default=False, help="Restart when files change.")
@click.option(
    "--reload-dir",
    "reload_dirs",
    multiple=True,
    type=click.Path(exists=True),
    help="Directory to watch for changes instead of the current one.",
)
@click.option(
    "--reload-include",
    "reload_includes",
    multiple=True,
    help="Glob pattern of files to watch ('*.py' by default; needs the reload plugin).",
)
@click.option(
    "--reload-exclude",
    "reload_excludes",
    multiple=True,
    help="Glob pattern of files to ignore ('.*, .py[cod], .sw.*, ~*' by default).",
)
@click.option(
    "--reload-delay",
    type=float,
    default=0.25,
    show_default=True,
    help="Seconds between two checks for changes.",
)
@click.option(
    "--workers",
    default=None,
    type=int,
    help="Number of worker processes ($WEB_CONCURRENCY or 1). Not valid with --reload.",
)
@click.option(
    "--loop",
    type=str,
    default="auto",
    show_default=True,
    help=f"Event loop: {IMPLEMENTATION_HELP}.",
)
@click.option(
    "--http",
    type=str,
    default="auto",
    show_default=True,
    help=f"HTTP implementation: {IMPLEMENTATION_HELP}.",
)
@click.option(
    "--http2", is_flag=True, default=False, help="Enable HTTP/2 (needs a plugin that offers it)."
)
@click.option(
    "--h2-max-concurrent-streams",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="With --http2: most streams a client may have open on one connection.",
)
@click.option(
    "--ws",
    type=str,
    default="auto",
    show_default=True,
    help=f"WebSocket implementation: none, {IMPLEMENTATION_HELP}.",
)
@click.option(
    "--ws-max-size",
    type=int,
    default=16777216,
    show_default=True,
    help="Largest WebSocket message accepted, in bytes.",
)
@click.option(
    "--ws-max-queue",
    type=int,
    default=32,
    show_default=True,
    help="Most WebSocket messages queued for the app.",
)
@click.option(
    "--ws-ping-interval",
    type=float,
    default=20.0,
    show_default=True,
    help="Seconds between WebSocket keepalive pings.",
)
@click.option(
    "--ws-ping-timeout",
    type=float,
    default=20.0,
    show_default=True,
    help="Seconds to wait for a WebSocket pong.",
)
@click.option(
    "--ws-per-message-deflate",
    type=bool,
    default=True,
    show_default=True,
    help="Negotiate WebSocket per-message-deflate compression.",
)
@click.option(
    "--lifespan",
    type=str,
    default="auto",
    show_default=True,
    help=f"Lifespan implementation (on, off or another plugin): {IMPLEMENTATION_HELP}.",
)
@click.option(
    "--interface",
    type=click.Choice(INTERFACES),
    default="auto",
    show_default=True,
    help="Application interface: ASGI 3, ASGI 2 or WSGI.",
)
@click.option(
    "--env-file",
    type=click.Path(exists=True),
    default=None,
    help="File of environment variables to load (needs python-dotenv).",
)
@click.option(
    "--log-config",
    type=click.Path(exists=True),
    default=None,
    help="Logging configuration file: .ini, .json or .yaml.",
)
@click.option(
    "--log-level",
    type=click.Choice(list(LOG_LEVELS)),
    default=None,
    help="Log level.  [default: info]",
)
@click.option(
    "--access-log/--no-access-log", is_flag=True, default=True, help="Log every request or not."
)
@click.option(
    "--use-colors/--no-use-colors",
    is_flag=True,
    default=None,
    help="Colour the log or not (default: when writing to a terminal).",
)
@click.option(
    "--proxy-headers/--no-proxy-headers",
    is_flag=True,
    default=True,
    help="Take scheme and client address from X-Forwarded-Proto/For of trusted proxies.",
)
@click.option(
    "--proxy-headers-mode",
    type=click.Choice(["x-forwarded", "forwarded"]),
    default="x-forwarded",
    show_default=True,
    help="Which proxy headers to read: X-Forwarded-For/-Proto/-Host/-Port, or RFC 7239 Forwarded.",
)
@click.option(
    "--server-header/--no-server-header",
    is_flag=True,
    default=True,
    help="Send the default Server header or not.",
)
@click.option(
    "--date-header/--no-date-header",
    is_flag=True,
    default=True,
    help="Send the default Date header or not.",
)
@click.option(
    "--forwarded-allow-ips",
    type=str,
    default=None,
    help="Comma-separated IPs, networks or literals (like a unix socket path) trusted to set "
    "proxy headers; '*' trusts all. Defaults to $FORWARDED_ALLOW_IPS or '127.0.0.1,::1'.",
)
@click.option("--root-path", type=str, default="", help="ASGI root_path for a mounted app.")
@click.option(
    "--limit-concurrency",
    type=int,
    default=None,
    help="Most concurrent connections or tasks before answering 503.",
)
@click.option("--backlog", type=int, default=2048, help="Most connections waiting to be accepted.")
@click.option(
    "--limit-max-requests",
    type=int,
    default=None,
    help="Stop the process after this many requests.",
)
@click.option(
    "--limit-max-requests-jitter",
    type=int,
    default=0,
    show_default=True,
    help="Random extra requests (0..N) added to --limit-max-requests, so workers do not all "
    "restart at once.",
)
@click.option(
    "--limit-request-body",
    type=click.IntRange(min=0),
    default=None,
    help="Largest request body in bytes: a larger Content-Length is answered 413 before the "
    "app runs; a chunked body that grows past it is cut. Unlimited by default.",
)
@click.option(
    "--timeout-request-body",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds a client may pause while sending a request body before it is "
    "disconnected (the app sees http.disconnect). No limit by default.",
)
@click.option(
    "--timeout-keep-alive",
    type=int,
    default=5,
    show_default=True,
    help="Seconds an idle keep-alive connection stays open.",
)
@click.option(
    "--timeout-graceful-shutdown",
    type=int,
    default=None,
    help="Seconds to wait for in-flight requests at shutdown before cancelling them.",
)
@click.option(
    "--timeout-worker-healthcheck",
    type=int,
    default=5,
    show_default=True,
    help="Seconds a worker has to answer a health check.",
)
@click.option(
    "--timeout-request-head",
    type=float,
    default=20.0,
    show_default=True,
    help="Seconds a client has to send a complete request head, counted from when the "
    "connection opens or the next request starts arriving; slow (slowloris) or silent "
    "connections are closed. 0 disables the limit.",
)
@click.option("--ssl-keyfile", type=str, default=None, help="TLS private key file.")
@click.option("--ssl-certfile", type=str, default=None, help="TLS certificate file.")
@click.option("--ssl-keyfile-password", type=str, default=None, help="TLS key file password.")
@click.option(
    "--ssl-version",
    type=int,
    default=int(SSL_PROTOCOL_VERSION),
    show_default=True,
    help="TLS protocol (a constant of the ssl module).",
)
@click.option(
    "--ssl-cert-reqs",
    type=int,
    default=int(ssl.CERT_NONE),
    show_default=True,
    help="Client certificate requirement (a constant of the ssl module).",
)
@click.option("--ssl-ca-certs", type=str, default=None, help="CA certificates file.")
@click.option(
    "--ssl-ciphers", type=str, default=None, help="TLS ciphers (OpenSSL's defaults when unset)."
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    help="Default response header as Name:Value; may be repeated.",
)
@click.option(
    "--version",
    is_flag=True,
    callback=print_version,
    expose_value=False,
    is_eager=True,
    help="Show the versions of uvicorn-core and its plugins, then exit.",
)
@click.option(
    "--list-plugins",
    is_flag=True,
    callback=print_plugins,
    expose_value=False,
    is_eager=True,
    help="List installed implementations, their status and what auto picks, then exit.",
)
@click.option(
    "--app-dir",
    default="",
    show_default=True,
    help="Directory to import APP from (added to sys.path; default: the current one).",
)
@click.option(
    "--h11-max-incomplete-event-size",
    type=int,
    default=None,
    help="Largest request head accepted, in bytes (16 KiB by default), for every HTTP plugin.",
)
@click.option(
    "--reset-contextvars",
    is_flag=True,
    default=False,
    help="Run each request in a fresh contextvars.Context, hiding context set at startup.",
)
@click.option("--factory", is_flag=True, default=False, help="APP is a factory returning the app.")
def main(
    app: str,
    host: str,
    port: int,
    uds: str | None,
    fd: int | None,
    loop: str,
    http: str,
    http2: bool,
    h2_max_concurrent_streams: int,
    ws: str,
    ws_max_size: int,
    ws_max_queue: int,
    ws_ping_interval: float,
    ws_ping_timeout: float,
    ws_per_message_deflate: bool,
    lifespan: LifespanType | str,
    interface: InterfaceType,
    reload: bool,
    reload_dirs: tuple[str, ...],
    reload_includes: tuple[str, ...],
    reload_excludes: tuple[str, ...],
    reload_delay: float,
    workers: int | None,
    env_file: str | None,
    log_config: str | None,
    log_level: str | None,
    access_log: bool,
    proxy_headers: bool,
    proxy_headers_mode: Literal["x-forwarded", "forwarded"],
    limit_request_body: int | None,
    timeout_request_body: float | None,
    server_header: bool,
    date_header: bool,
    forwarded_allow_ips: str | None,
    root_path: str,
    limit_concurrency: int | None,
    backlog: int,
    limit_max_requests: int | None,
    limit_max_requests_jitter: int,
    timeout_keep_alive: int,
    timeout_graceful_shutdown: int | None,
    timeout_worker_healthcheck: int,
    timeout_request_head: float,
    ssl_keyfile: str | None,
    ssl_certfile: str | None,
    ssl_keyfile_password: str | None,
    ssl_version: int,
    ssl_cert_reqs: int,
    ssl_ca_certs: str | None,
    ssl_ciphers: str | None,
    headers: tuple[str, ...],
    use_colors: bool | None,
    app_dir: str,
    h11_max_incomplete_event_size: int | None,
    reset_contextvars: bool,
    factory: bool,
) -> None:
    """Serve the ASGI application APP, given as module:attribute."""
    parsed_headers = [parse_header(header) for header in headers]
    run(
        app,
        host=host,
        port=port,
        uds=uds,
        fd=fd,
        loop=loop,
        http=http,
        http2=http2,
        h2_max_concurrent_streams=h2_max_concurrent_streams,
        ws=ws,
        ws_max_size=ws_max_size,
        ws_max_queue=ws_max_queue,
        ws_ping_interval=ws_ping_interval,
        ws_ping_timeout=ws_ping_timeout,
        ws_per_message_deflate=ws_per_message_deflate,
        lifespan=lifespan,
        env_file=env_file,
        log_config=LOGGING_CONFIG if log_config is None else log_config,
        log_level=log_level,
        access_log=access_log,
        interface=interface,
        reload=reload,
        reload_dirs=list(reload_dirs) or None,
        reload_includes=list(reload_includes) or None,
        reload_excludes=list(reload_excludes) or None,
        reload_delay=reload_delay,
        workers=workers,
        proxy_headers=proxy_headers,
        proxy_headers_mode=proxy_headers_mode,
        limit_request_body=limit_request_body,
        timeout_request_body=timeout_request_body,
        server_header=server_header,
        date_header=date_header,
        forwarded_allow_ips=forwarded_allow_ips,
        root_path=root_path,
        limit_concurrency=limit_concurrency,
        backlog=backlog,
        limit_max_requests=limit_max_requests,
        limit_max_requests_jitter=limit_max_requests_jitter,
        timeout_keep_alive=timeout_keep_alive,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        timeout_worker_healthcheck=timeout_worker_healthcheck,
        timeout_request_head=timeout_request_head,
        ssl_keyfile=ssl_keyfile,
        ssl_certfile=ssl_certfile,
        ssl_keyfile_password=ssl_keyfile_password,
        ssl_version=ssl_version,
        ssl_cert_reqs=ssl_cert_reqs,
        ssl_ca_certs=ssl_ca_certs,
        ssl_ciphers=ssl_ciphers,
        headers=parsed_headers,
        use_colors=use_colors,
        factory=factory,
        app_dir=app_dir,
        h11_max_incomplete_event_size=h11_max_incomplete_event_size,
        reset_contextvars=reset_contextvars,
    )


def parse_header(header: str) -> tuple[str, str]:
    """``"Name: Value"`` as ``("Name", "Value")``; a usage error without a name or colon."""
    name, sep, value = header.partition(":")
    if not sep or not name.strip():
        raise click.BadParameter(f"{header!r} is not Name:Value", param_hint="--header")
    return name.strip(), value.strip()


def run(
    app: ASGIApplication | Callable[..., Any] | str,
    *,
    host: str | None = "127.0.0.1",
    port: int = 8000,
    uds: str | None = None,
    fd: int | None = None,
    loop: LoopFactoryType | str | Callable[[bool], LoopFactory | None] = "auto",
    http: type[asyncio.Protocol] | HTTPProtocolType | str = "auto",
    http2: bool | str = False,
    h2_max_concurrent_streams: int = 100,
    ws: type[asyncio.Protocol] | WSProtocolType | str = "auto",
    ws_max_size: int = 16777216,
    ws_max_queue: int = 32,
    ws_ping_interval: float | None = 20.0,
    ws_ping_timeout: float | None = 20.0,
    ws_per_message_deflate: bool = True,
    lifespan: LifespanType | str = "auto",
    interface: InterfaceType = "auto",
    reload: bool = False,
    reload_dirs: list[str] | str | None = None,
    reload_includes: list[str] | str | None = None,
    reload_excludes: list[str] | str | None = None,
    reload_delay: float = 0.25,
    workers: int | None = None,
    env_file: str | os.PathLike[str] | None = None,
    log_config: dict[str, Any] | str | os.PathLike[str] | RawConfigParser | IO[Any] | None = (
        LOGGING_CONFIG
    ),
    log_level: str | int | None = None,
    access_log: bool = True,
    proxy_headers: bool = True,
    server_header: bool = True,
    date_header: bool = True,
    forwarded_allow_ips: list[str] | str | None = None,
    root_path: str = "",
    limit_concurrency: int | None = None,
    backlog: int = 2048,
    limit_max_requests: int | None = None,
    limit_max_requests_jitter: int = 0,
    timeout_keep_alive: int = 5,
    timeout_graceful_shutdown: int | None = None,
    timeout_worker_healthcheck: int = 5,
    timeout_request_head: float | None = 20.0,
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
    use_colors: bool | None = None,
    app_dir: str | None = None,
    factory: bool = False,
    h11_max_incomplete_event_size: int | None = None,
    reset_contextvars: bool = False,
    proxy_headers_mode: Literal["x-forwarded", "forwarded"] = "x-forwarded",
    limit_request_body: int | None = None,
    timeout_request_body: float | None = None,
) -> None:
    """Run ``app`` (an ASGI app, or an import string "module:attribute") until stopped."""
    if app_dir is not None:
        sys.path.insert(0, app_dir)

    config = Config(
        app,
        host=host,
        port=port,
        uds=uds,
        fd=fd,
        loop=loop,
        http=http,
        http2=http2,
        h2_max_concurrent_streams=h2_max_concurrent_streams,
        ws=ws,
        ws_max_size=ws_max_size,
        ws_max_queue=ws_max_queue,
        ws_ping_interval=ws_ping_interval,
        ws_ping_timeout=ws_ping_timeout,
        ws_per_message_deflate=ws_per_message_deflate,
        lifespan=lifespan,
        interface=interface,
        reload=reload,
        reload_dirs=reload_dirs,
        reload_includes=reload_includes,
        reload_excludes=reload_excludes,
        reload_delay=reload_delay,
        workers=workers,
        env_file=env_file,
        log_config=log_config,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=proxy_headers,
        proxy_headers_mode=proxy_headers_mode,
        limit_request_body=limit_request_body,
        timeout_request_body=timeout_request_body,
        server_header=server_header,
        date_header=date_header,
        forwarded_allow_ips=forwarded_allow_ips,
        root_path=root_path,
        limit_concurrency=limit_concurrency,
        backlog=backlog,
        limit_max_requests=limit_max_requests,
        limit_max_requests_jitter=limit_max_requests_jitter,
        timeout_keep_alive=timeout_keep_alive,
        timeout_graceful_shutdown=timeout_graceful_shutdown,
        timeout_worker_healthcheck=timeout_worker_healthcheck,
        timeout_request_head=timeout_request_head,
        ssl_keyfile=ssl_keyfile,
        ssl_certfile=ssl_certfile,
        ssl_keyfile_password=ssl_keyfile_password,
        ssl_version=ssl_version,
        ssl_cert_reqs=ssl_cert_reqs,
        ssl_ca_certs=ssl_ca_certs,
        ssl_ciphers=ssl_ciphers,
        ssl_context_factory=ssl_context_factory,
        headers=headers,
        use_colors=use_colors,
        factory=factory,
        h11_max_incomplete_event_size=h11_max_incomplete_event_size,
        reset_contextvars=reset_contextvars,
    )

    if (config.reload or config.workers > 1) and not isinstance(app, str):
        logger.warning(
            "You must pass the application as an import string to enable 'reload' or 'workers'."
        )
        sys.exit(STARTUP_FAILURE)
    for problem in config.unavailable_features():
        startup_failure(problem)
    from uvicorn._clash import clash_report

    for line in clash_report():
        logger.warning(line)

    from uvicorn import server as server_module  # not at the top: keeps --help cheap
    from uvicorn.supervisors import run_supervised

    server = server_module.Server(config=config)
    try:
        if not run_supervised(config, server):
            server.run()
    except KeyboardInterrupt:
        pass  # Ctrl+C before the signal handlers were installed: stop quietly
    finally:
        _remove_unix_socket(config.uds)

    if not server.started and not config.should_reload and config.workers == 1:
        sys.exit(STARTUP_FAILURE)


def _remove_unix_socket(path: str | None) -> None:
    """Remove the socket file ``--uds`` bound, but never a file that is not a socket."""
    if path is None:
        return
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.remove(path)
    except OSError:
        pass  # already gone, or not ours to remove


def __getattr__(name: str) -> object:
    # uvicorn.main.Server is public upstream; import it only when someone asks for it.
    if name == "Server":
        from uvicorn.server import Server

        return Server
    if name == "ServerState":
        warnings.warn(
            "uvicorn.main.ServerState is deprecated; import it from uvicorn.server instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        from uvicorn.server import ServerState

        return ServerState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """``uvicorn.main`` is this module once imported, yet upstream code calls it as the CLI."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return main(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule

if __name__ == "__main__":
    main()
