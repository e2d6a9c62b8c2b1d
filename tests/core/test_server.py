"""The server: graceful and forced shutdown, request limits, and every way of listening.

In-process servers show what happens inside (tasks, log records); child processes show
what a user sees (signals, exit codes, the started message). The signal tests that run
in-process call ``Server.run()``/``uvicorn.run()`` on the main thread, where the server
installs its own handlers, and send the signal only once those handlers are in place.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import uvicorn
from tests import apps
from tests.utils import (
    RunningServer,
    ServerProcess,
    ipv6_loopback_available,
    needs_ipv6,
    read_response,
    run_server,
    serve_threaded,
    wait_for,
)
from uvicorn.config import Config
from uvicorn.server import Server

pytestmark = pytest.mark.timeout(30)

SHUTDOWN_BOUND = 10.0  # seconds a stop may take at most in these tests; the real cost is ~0.1 s


class Records(logging.Handler):
    """Collects uvicorn's log records from any thread, whatever the logging configuration."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @property
    def messages(self) -> list[str]:
        return [record.getMessage() for record in list(self.records)]

    def has(self, text: str) -> bool:
        return any(text in message for message in self.messages)


@pytest.fixture
def records() -> Iterator[Records]:
    """Server log records; the logger state is put back by the conftest fixture."""
    handler = Records()
    error_logger = logging.getLogger("uvicorn.error")
    error_logger.addHandler(handler)
    error_logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        error_logger.removeHandler(handler)


def request_in_background(
    url: str, transport: httpx.HTTPTransport | None = None
) -> tuple[threading.Thread, list[Any]]:
    """GET ``url`` in a thread; the list receives the response or the client error."""
    results: list[Any] = []

    def get() -> None:
        try:
            with httpx.Client(transport=transport, timeout=30) as client:
                results.append(client.get(url))
        except httpx.HTTPError as exc:
            results.append(exc)

    thread = threading.Thread(target=get, daemon=True)
    thread.start()
    return thread, results


def refuses_connections(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def bound_port(server: Server) -> int:
    port: int = server.servers[0].sockets[0].getsockname()[1]
    return port


async def never_answers(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await apps.lifespan_ok(scope, receive, send)
        return
    await asyncio.Event().wait()


# -- graceful shutdown, in-process ----------------------------------------------------------


def test_stop_lets_in_flight_request_finish_and_refuses_new_connections(
    http_impl: str, records: Records
) -> None:
    with run_server(apps.slow, http=http_impl) as server:
        thread, results = request_in_background(server.url + "/?seconds=1")
        assert wait_for(lambda: len(server.state.tasks) == 1, timeout=10)
        server.server.handle_exit(signal.SIGTERM, None)
        assert wait_for(lambda: records.has("Waiting for connections to close."), timeout=10)
        assert refuses_connections(server.port)
        assert thread.is_alive()  # new connections were refused while the request ran on
        assert server.server.finished.wait(SHUTDOWN_BOUND)
        thread.join(10)
    [response] = results
    assert isinstance(response, httpx.Response)
    assert (response.status_code, response.text) == (200, "done")
    assert refuses_connections(server.port)
    messages = records.messages
    assert messages.index("Shutting down") < messages.index(
        "Waiting for connections to close. (CTRL+C to force quit)"
    )
    assert messages[-1].startswith("Finished server process [")


def test_stop_closes_idle_keep_alive_connections_at_once(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl, timeout_keep_alive=60) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            status, _, _ = read_response(conn)
            assert status == b"HTTP/1.1 200 OK"
            [connection] = server.state.connections
            server.server.handle_exit(signal.SIGTERM, None)
            assert server.server.finished.wait(SHUTDOWN_BOUND)  # well before the 60 s timer
            assert conn.recv(1024) == b""  # closed by the server
            assert not connection.draining  # at once: a lone server leaves nobody waiting


def keep_alive_connection(server: RunningServer) -> socket.socket:
    """A connection that has been served one request and is kept alive."""
    conn = socket.create_connection((server.host, server.port), timeout=10)
    conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    status, headers, _ = read_response(conn)
    assert (status, headers.get(b"connection")) == (b"HTTP/1.1 200 OK", None)
    return conn


def test_pooled_stop_serves_a_request_on_an_idle_keep_alive_connection_then_closes(
    http_impl: str, records: Records
) -> None:
    """A worker whose siblings keep serving cannot leave a client's next request unanswered."""
    with run_server(apps.hello, http=http_impl, timeout_keep_alive=60) as server:
        server.server.pooled = True
        with keep_alive_connection(server) as busy, keep_alive_connection(server) as idle:
            server.server.handle_exit(signal.SIGTERM, None)
            # Connections are told to stop in the same loop callback that logs this line.
            assert wait_for(lambda: records.has("Shutting down"), timeout=10)
            busy.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            status, headers, body = read_response(busy)
            assert (status, body) == (b"HTTP/1.1 200 OK", b"Hello, world!")
            assert headers[b"connection"] == b"close"
            assert busy.recv(1024) == b""
            started = time.monotonic()
            assert idle.recv(1024) == b""  # closed once the grace ends, not after 60 s
            assert time.monotonic() - started < SHUTDOWN_BOUND
            assert server.server.finished.wait(SHUTDOWN_BOUND)


def test_pooled_stop_on_sigint_closes_idle_keep_alive_connections_at_once(http_impl: str) -> None:
    """Ctrl+C reaches every process of a pool: nobody is left to serve, nothing waits."""
    with run_server(apps.hello, http=http_impl, timeout_keep_alive=60) as server:
        server.server.pooled = True
        with keep_alive_connection(server) as idle:
            [connection] = server.state.connections
            server.server.handle_exit(signal.SIGINT, None)
            assert idle.recv(1024) == b""
            assert server.server.finished.wait(SHUTDOWN_BOUND)
            assert not connection.draining  # closed without the grace


def test_graceful_timeout_cancels_a_request_that_never_finishes(
    http_impl: str, records: Records
) -> None:
    with run_server(
        never_answers, http=http_impl, lifespan="on", timeout_graceful_shutdown=1
    ) as server:
        thread, results = request_in_background(server.url)
        assert wait_for(lambda: len(server.state.tasks) == 1, timeout=10)
        server.server.handle_exit(signal.SIGTERM, None)
        assert server.server.finished.wait(SHUTDOWN_BOUND)
        thread.join(10)
        assert not server.state.tasks
    assert "Cancel 1 running task(s), timeout graceful shutdown exceeded" in records.messages
    [result] = results
    # Like upstream: an app cancelled before it started its response gets a 500 for it.
    assert isinstance(result, httpx.Response)
    assert result.status_code == 500
    messages = records.messages
    cancelled = messages.index("Cancel 1 running task(s), timeout graceful shutdown exceeded")
    assert messages.index("Application shutdown complete.") > cancelled  # not forced: runs


def test_limit_max_requests_stops_the_server_after_that_many(
    http_impl: str, records: Records
) -> None:
    with run_server(apps.hello, http=http_impl, limit_max_requests=3) as server:
        with httpx.Client() as client:
            for _ in range(2):
                assert client.get(server.url).status_code == 200
            # Each tick sets the server's clock, then checks the limit: once the clock has
            # moved twice since the second response, a whole tick has looked at the count.
            stopped = server.server.finished.is_set
            after_two = time.monotonic()
            assert wait_for(lambda: server.state.clock > after_two or stopped(), timeout=10)
            first_tick = server.state.clock
            assert wait_for(lambda: server.state.clock > first_tick or stopped(), timeout=10)
            assert not records.has("Maximum request limit")  # 2 < 3: still serving
            assert not stopped()
            assert client.get(server.url).status_code == 200
        assert server.server.finished.wait(SHUTDOWN_BOUND)
        assert refuses_connections(server.port)
    assert "Maximum request limit of 3 exceeded. Terminating process." in records.messages


def test_limit_max_requests_jitter_adds_at_most_the_jitter() -> None:
    limits = {
        Server(Config(apps.hello, log_config=None, limit_max_requests=3)).limit_max_requests
        for _ in range(5)
    }
    assert limits == {3}
    config = Config(apps.hello, log_config=None, limit_max_requests=3, limit_max_requests_jitter=2)
    jittered = {Server(config).limit_max_requests for _ in range(50)}
    assert jittered <= {3, 4, 5}
    assert len(jittered) > 1  # 50 draws from 3 values: all equal has probability ~1e-23


# -- signals on the main thread, in-process ------------------------------------------------


def send_signal_when_handled(sig: signal.Signals, is_our_handler: Callable[[Any], bool]) -> None:
    """Signal this process, but only once the server's handler is installed.

    Without that check a SIGTERM would kill the test process instead of failing the test.
    """
    assert wait_for(lambda: is_our_handler(signal.getsignal(sig)), timeout=10), (
        f"the server did not install a {sig.name} handler"
    )
    os.kill(os.getpid(), sig)


class MainThreadRun:
    """Drive a server that runs on the main thread (where it installs signal handlers).

    ``steps`` runs in a helper thread once ``loop()`` returns the server's event loop.
    When the server has not returned ``SHUTDOWN_BOUND`` seconds after the steps ended,
    the helper forces ``server`` to exit, then stops the loop, so that the test fails
    instead of hanging: pytest-timeout cannot do it, because the exception its SIGALRM
    handler raises inside an event-loop callback is swallowed by the loop's exception
    handler. (Stopping the loop is only safe for asyncio's loop: uvloop's ``close()``
    then hangs on the still-open listener.)
    """

    def __init__(
        self,
        loop: Callable[[], asyncio.AbstractEventLoop | None],
        steps: Callable[[], None],
        server: Server | None = None,
    ) -> None:
        self.loop = loop
        self.steps = steps
        self.server = server
        self.errors: list[BaseException] = []
        self.returned = threading.Event()
        self.thread = threading.Thread(target=self.drive, daemon=True)

    def drive(self) -> None:
        try:
            assert wait_for(lambda: self.loop() is not None, timeout=15), "server did not start"
            self.steps()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test on the main thread
            self.errors.append(exc)
        if self.returned.wait(SHUTDOWN_BOUND):
            return
        self.errors.append(AssertionError("the server did not stop by itself"))
        if self.server is not None:
            self.server.should_exit = self.server.force_exit = True
            if self.returned.wait(5):
                return
        loop = self.loop()
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)

    def __enter__(self) -> MainThreadRun:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.returned.set()
        self.thread.join(SHUTDOWN_BOUND)
        if self.errors:  # an exception from the server, if any, becomes its context
            raise self.errors[0]


def loop_of(server: Server) -> asyncio.AbstractEventLoop | None:
    """The running server's event loop, once it listens."""
    return server.servers[0].get_loop() if server.started else None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_server_run_finishes_in_flight_request_on_signal(
    http_impl: str, sig: signal.Signals, records: Records
) -> None:
    original = signal.getsignal(sig)
    config = Config(
        apps.slow, port=0, http=http_impl, loop="asyncio", lifespan="off", log_config=None
    )
    server = Server(config)
    results: list[Any] = []

    def steps() -> None:
        port = bound_port(server)
        thread, response = request_in_background(f"http://127.0.0.1:{port}/?seconds=1")
        assert wait_for(lambda: len(server.server_state.tasks) == 1, timeout=10)
        send_signal_when_handled(sig, lambda handler: handler == server.handle_exit)
        thread.join(15)
        results.extend(response)
        results.append(refuses_connections(port))

    with MainThreadRun(lambda: loop_of(server), steps, server):
        server.run()  # returns, rather than raising or exiting, after a graceful stop
    response, refused = results
    assert isinstance(response, httpx.Response)
    assert (response.status_code, response.text) == (200, "done")
    assert refused
    assert signal.getsignal(sig) == original  # handlers are put back
    assert "Shutting down" in records.messages
    assert records.messages[-1].startswith("Finished server process [")


def test_second_sigint_forces_exit_during_graceful_wait(records: Records) -> None:
    server = Server(Config(never_answers, port=0, loop="asyncio", lifespan="on", log_config=None))
    results: list[Any] = []
    forced_at: list[float] = []

    def steps() -> None:
        thread, response = request_in_background(f"http://127.0.0.1:{bound_port(server)}/")
        assert wait_for(lambda: len(server.server_state.tasks) == 1, timeout=10)
        send_signal_when_handled(signal.SIGINT, lambda handler: handler == server.handle_exit)
        assert wait_for(lambda: records.has("Waiting for connections to close."), timeout=10)
        assert not server.force_exit
        forced_at.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)
        thread.join(15)
        results.extend(response)

    with MainThreadRun(lambda: loop_of(server), steps, server):
        server.run()
        stopped_at = time.monotonic()
    assert server.force_exit
    assert stopped_at - forced_at[0] < SHUTDOWN_BOUND
    [result] = results
    assert isinstance(result, httpx.HTTPError)  # the forced exit cut the request
    assert "Waiting for application shutdown." not in records.messages  # forced: skipped


def is_handle_exit(handler: Any) -> bool:
    return getattr(handler, "__name__", "") == "handle_exit"


def test_uvicorn_run_serves_until_sigterm(http_impl: str, records: Records) -> None:
    loops: list[asyncio.AbstractEventLoop] = []
    results: list[Any] = []

    def loop_factory(use_subprocess: bool) -> Callable[[], asyncio.AbstractEventLoop]:
        def new_loop() -> asyncio.AbstractEventLoop:
            loops.append(asyncio.new_event_loop())
            return loops[-1]

        return new_loop

    def started_port() -> int | None:
        for record in list(records.records):
            if record.getMessage().startswith("Uvicorn running on"):
                assert isinstance(record.args, tuple)
                port = record.args[2]
                assert isinstance(port, int)
                return port
        return None

    def steps() -> None:
        port = started_port()
        assert port
        results.append(httpx.get(f"http://127.0.0.1:{port}/"))
        send_signal_when_handled(signal.SIGTERM, is_handle_exit)

    def started_loop() -> asyncio.AbstractEventLoop | None:
        return loops[0] if started_port() is not None else None

    with MainThreadRun(started_loop, steps):
        uvicorn.run(
            "tests.apps:hello",
            port=0,
            http=http_impl,
            loop=loop_factory,
            log_config=None,
            log_level="info",
        )
    [response] = results
    assert response.text == "Hello, world!"
    assert records.has("Application startup complete.")
    assert records.messages[-1].startswith("Finished server process [")


# -- listening: port 0, uds, fd, IPv6 -------------------------------------------------------


def test_started_message_prints_the_real_port_for_port_0(records: Records) -> None:
    with serve_threaded(Config(apps.hello, port=0, log_config=None, lifespan="off")) as server:
        port = bound_port(server)
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"
    assert f"Uvicorn running on http://127.0.0.1:{port} (Press CTRL+C to quit)" in records.messages


def test_server_serves_on_a_unix_socket_it_binds(tmp_path: Path, records: Records) -> None:
    path = str(tmp_path / "uvicorn.sock")
    config = Config(apps.echo_scope, uds=path, log_config=None, lifespan="off")
    with serve_threaded(config):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666
        with httpx.Client(transport=httpx.HTTPTransport(uds=path)) as client:
            scope = client.get("http://localhost/over-uds").json()
    assert scope["path"] == "/over-uds"
    assert scope["server"] == [path, None]  # ASGI: [path, None] for a unix socket
    assert scope["client"] is None
    assert f"Uvicorn running on unix socket {path} (Press CTRL+C to quit)" in records.messages


def test_unix_socket_scope_server_is_the_path_with_every_http_implementation(
    http_impl: str, tmp_path: Path
) -> None:
    path = str(tmp_path / "uvicorn.sock")
    config = Config(apps.echo_scope, uds=path, http=http_impl, log_config=None, lifespan="off")
    with serve_threaded(config):
        with httpx.Client(transport=httpx.HTTPTransport(uds=path)) as client:
            scope = client.get("http://localhost/").json()
    assert scope["server"] == [path, None]


async def websocket_addresses(scope: Any, receive: Any, send: Any) -> None:
    """Accepts a WebSocket and sends its scope's server and client, as JSON."""
    if scope["type"] != "websocket":
        return
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps([scope["server"], scope["client"]])})
    await send({"type": "websocket.close"})


def test_unix_socket_websocket_scope_server_is_the_path(ws_impl: str, tmp_path: Path) -> None:
    from websockets.sync.client import unix_connect

    path = str(tmp_path / "uvicorn.sock")
    config = Config(websocket_addresses, uds=path, ws=ws_impl, log_config=None, lifespan="off")
    with serve_threaded(config):
        with unix_connect(path, "ws://localhost/") as websocket:
            server, client = json.loads(websocket.recv(timeout=5))
    assert server == [path, None]
    assert client is None


def test_server_serves_on_an_inherited_file_descriptor(records: Records) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = listener.getsockname()
        config = Config(apps.hello, fd=listener.fileno(), log_config=None, lifespan="off")
        with serve_threaded(config):
            assert httpx.get(f"http://127.0.0.1:{address[1]}/").text == "Hello, world!"
    assert f"Uvicorn running on socket {address} (Press CTRL+C to quit)" in records.messages


@needs_ipv6
def test_server_serves_on_ipv6_loopback(records: Records) -> None:
    with serve_threaded(Config(apps.echo_scope, host="::1", port=0, log_config=None)) as server:
        port = bound_port(server)
        scope = httpx.get(f"http://[::1]:{port}/").json()
    assert scope["server"] == ["::1", port]
    assert f"Uvicorn running on http://[::1]:{port} (Press CTRL+C to quit)" in records.messages


def test_host_none_listens_on_every_interface(records: Records) -> None:
    """``host=None`` binds every interface, as asyncio's ``create_server`` does upstream:
    the IPv4 wildcard and, where the machine has IPv6, the IPv6 one, on one port."""
    config = Config(apps.echo_scope, host=None, port=0, log_config=None, lifespan="off")
    with serve_threaded(config) as server:
        listeners = [sock for each in server.servers for sock in each.sockets]
        assert listeners[0].getsockname()[0] == "0.0.0.0"
        port = bound_port(server)
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/").json()["server"] == ["127.0.0.1", port]
        if ipv6_loopback_available():
            assert {sock.getsockname()[0] for sock in listeners} == {"0.0.0.0", "::"}
            assert httpx.get(f"http://[::1]:{port}/").json()["server"] == ["::1", port]
    assert f"Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)" in records.messages
    assert refuses_connections(port)


# -- child processes: what a user sees -------------------------------------------------------


@pytest.mark.subprocess
def test_cli_port_0_prints_the_real_port() -> None:
    with ServerProcess(["tests.apps:hello", "--port", "0"]) as server:
        port = server.wait_running()
        assert port != 0
        assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert re.search(rf"Uvicorn running on http://127\.0\.0\.1:{port} \(Press", server.output)


@pytest.mark.subprocess
@pytest.mark.parametrize("workers", [1, 2], ids=["single", "workers"])
def test_uvicorn_run_with_host_none_serves_on_every_interface(workers: int) -> None:
    code = (
        "import sys, uvicorn;"
        "uvicorn.run('tests.apps:echo_scope', host=None, port=0, workers=int(sys.argv[1]))"
    )
    with ServerProcess([str(workers)], command=("-c", code)) as server:
        port = server.wait_running()
        assert httpx.get(f"http://127.0.0.1:{port}/").json()["server"] == ["127.0.0.1", port]
        if ipv6_loopback_available():
            assert httpx.get(f"http://[::1]:{port}/").json()["server"] == ["::1", port]
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert f"Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)" in server.output
    assert "Traceback" not in server.output


@pytest.mark.subprocess
def test_cli_custom_loop_factory_is_called_without_arguments() -> None:
    args = ["tests.apps:hello", "--port", "0", "--loop", "tests.apps:custom_loop"]
    with ServerProcess(args) as server:
        port = server.wait_running()
        assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert "custom loop created" in server.output
    assert "Traceback" not in server.output


@pytest.mark.subprocess
def test_cli_sigterm_over_uds_finishes_request_and_removes_the_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "uvicorn.sock")
    transport = httpx.HTTPTransport(uds=path)
    with ServerProcess(["tests.apps:announced_slow", "--uds", path]) as server:
        assert wait_for(lambda: "Uvicorn running on unix socket" in server.output, timeout=15)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666
        thread, results = request_in_background("http://localhost/?seconds=1", transport=transport)
        assert wait_for(lambda: "request started" in server.output, timeout=10)
        server.signal(signal.SIGTERM)
        thread.join(15)
        assert server.wait() == 0
    [response] = results
    assert isinstance(response, httpx.Response)
    assert (response.status_code, response.text) == (200, "done")
    assert not os.path.exists(path)
    assert "Finished server process" in server.output


@pytest.mark.subprocess
def test_cli_serves_on_an_inherited_file_descriptor() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        fd = listener.fileno()
        with ServerProcess(["tests.apps:hello", "--fd", str(fd)], pass_fds=(fd,)) as server:
            assert wait_for(lambda: "Uvicorn running on socket" in server.output, timeout=15)
            assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"
            server.signal(signal.SIGTERM)
            assert server.wait() == 0
    assert f"Uvicorn running on socket ('127.0.0.1', {port})" in server.output


@needs_ipv6
@pytest.mark.subprocess
def test_cli_serves_on_ipv6_loopback() -> None:
    with ServerProcess(["tests.apps:echo_scope", "--host", "::1", "--port", "0"]) as server:
        port = server.wait_running()
        scope = httpx.get(f"http://[::1]:{port}/").json()
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert f"Uvicorn running on http://[::1]:{port} (Press CTRL+C to quit)" in server.output
    assert scope["client"][0] == "::1"


@pytest.mark.subprocess
def test_cli_sigterm_with_idle_and_busy_connections_exits_0(http_impl: str) -> None:
    args = ["tests.apps:announced_slow", "--port", "0", "--http", http_impl]
    with ServerProcess([*args, "--timeout-keep-alive", "60"]) as server:
        port = server.wait_running()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
            idle.sendall(b"GET /?seconds=0 HTTP/1.1\r\nHost: example\r\n\r\n")
            assert read_response(idle)[0] == b"HTTP/1.1 200 OK"
            thread, results = request_in_background(f"http://127.0.0.1:{port}/?seconds=1")
            assert wait_for(lambda: server.output.count("request started") == 2, timeout=10)
            server.signal(signal.SIGTERM)
            assert idle.recv(1024) == b""  # the idle connection is closed, not kept 60 s
            thread.join(15)
            assert server.wait() == 0
    [response] = results
    assert isinstance(response, httpx.Response)
    assert response.text == "done"
    assert refuses_connections(port)
    for line in ("Shutting down", "Application shutdown complete.", "Finished server process"):
        assert line in server.output
