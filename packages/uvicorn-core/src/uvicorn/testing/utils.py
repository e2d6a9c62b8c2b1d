"""Run real servers on ephemeral ports (in a thread or a child process) and talk to them
over real sockets: what every conformance test is built from, usable in a plugin's own tests.

Nothing here imports pytest or a client library at module level.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final, Self

from uvicorn.config import Config
from uvicorn.server import Server, ServerState

START_TIMEOUT: Final = 15.0
_UVICORN_LOGGERS: Final = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


class ThreadedServer(Server):
    """A Server that runs on its own loop in a thread and says when it is ready."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.finished = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class RunningServer:
    def __init__(self, server: ThreadedServer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        host, port = sock.getsockname()[:2]
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def state(self) -> ServerState:
        return self.server.server_state


@contextlib.contextmanager
def run_server(
    app: Any,  # what Config accepts: an ASGI/WSGI callable or an import string
    *,
    host: str = "127.0.0.1",
    sock: socket.socket | None = None,
    **kwargs: Any,
) -> Iterator[RunningServer]:
    """Serve ``app`` with ``Config(app, **kwargs)`` on an ephemeral port until the block ends."""
    kwargs.setdefault("log_config", None)
    kwargs.setdefault("lifespan", "off")
    kwargs.setdefault("loop", "asyncio")  # a test that is about the loop names it
    config = Config(app, **kwargs)
    if sock is None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sock.listen(128)
    with serve_threaded(config, [sock]) as server:
        yield RunningServer(server, sock)


@contextlib.contextmanager
def serve_threaded(
    config: Config, sockets: list[socket.socket] | None = None
) -> Iterator[ThreadedServer]:
    """Serve ``config`` in a thread until the block ends, on ``sockets`` or on the ones the
    server binds itself from the config (host/port, uds, fd)."""
    server = ThreadedServer(config)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
                runner.run(server.serve(sockets=sockets))
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)
        finally:
            server.finished.set()
            server.ready.set()

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        if not server.ready.wait(START_TIMEOUT) or errors or not server.started:
            raise RuntimeError(f"server did not start: {errors!r}")
        yield server
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        assert not thread.is_alive(), "server thread did not stop"


def run_command(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion and capture its text output; the caller checks the code."""
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, interval: float = 0.01) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def raw_request(
    port: int, data: bytes | list[bytes], *, timeout: float = 5.0, host: str = "127.0.0.1"
) -> bytes:
    """Send raw bytes (one write per list item) and read until the server closes.

    A server may answer and close before the request is all sent (an oversized head):
    sending then stops, and what it answered is read.
    """
    with socket.create_connection((host, port), timeout=timeout) as conn:
        try:
            for part in [data] if isinstance(data, bytes) else data:
                conn.sendall(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_until_closed(conn)


def read_until_closed(conn: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = conn.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


_LEFTOVERS: weakref.WeakKeyDictionary[socket.socket, bytes] = weakref.WeakKeyDictionary()


def read_response(conn: socket.socket) -> tuple[bytes, dict[bytes, bytes], bytes]:
    """Read exactly one Content-Length or chunked response from a keep-alive connection.

    Bytes of the next (pipelined) response stay buffered for the next call.
    """
    buffer = _LEFTOVERS.pop(conn, b"")

    def fill(minimum: int) -> None:
        nonlocal buffer
        while len(buffer) < minimum:
            chunk = conn.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed early: {buffer[:200]!r}")
            buffer += chunk

    while b"\r\n\r\n" not in buffer:
        fill(len(buffer) + 1)
    head, _, buffer = buffer.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if b"content-length" in headers:
        length = int(headers[b"content-length"])
        fill(length)
        body, buffer = buffer[:length], buffer[length:]
    elif headers.get(b"transfer-encoding") == b"chunked":
        while True:
            while b"\r\n" not in buffer:
                fill(len(buffer) + 1)
            size_line, _, buffer = buffer.partition(b"\r\n")
            size = int(size_line, 16)
            fill(size + 2)
            body += buffer[:size]
            buffer = buffer[size + 2 :]
            if size == 0:
                break
    _LEFTOVERS[conn] = buffer
    return status_line, headers, body


@contextlib.contextmanager
def cyclic_collector_off() -> Iterator[None]:
    """Collect once, then keep the cyclic garbage collector off: an object that stays
    alive meanwhile is either still referenced or waits in a reference cycle."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def live_instances(cls: type) -> int:
    """How many instances of ``cls`` (or of a subclass) are alive."""
    # type(), not isinstance(): gc.get_objects() may hold weak proxies to dead objects.
    return sum(issubclass(type(obj), cls) for obj in gc.get_objects())


class ServerProcess:
    """``python -m uvicorn ...`` in a child process, with its address read from the log."""

    RUNNING = re.compile(r"Uvicorn running on (?:https?://)?(\S+?):(\d+) ")

    def __init__(
        self,
        args: list[str],
        env: dict[str, str] | None = None,
        pass_fds: tuple[int, ...] = (),
        command: tuple[str, ...] = ("-m", "uvicorn"),
        executable: str = sys.executable,
        cwd: Path | None = None,
    ) -> None:
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.process = subprocess.Popen(
            [executable, *command, *args],
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            pass_fds=pass_fds,
            start_new_session=True,  # its own process group: cleanup reaches grandchildren
        )
        self.lines: list[str] = []
        self.port = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_running(self, timeout: float = START_TIMEOUT) -> int:
        def found() -> bool:
            return self.RUNNING.search(self.output) is not None or self.process.poll() is not None

        wait_for(found, timeout)
        match = self.RUNNING.search(self.output)
        if match is None:
            raise RuntimeError(f"server did not start:\n{self.output}")
        self.port = int(match.group(2))
        return self.port

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float = START_TIMEOUT) -> int:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            # Say what the process was doing: a hang is rare, and hard to reproduce.
            raise AssertionError(
                f"the process did not exit within {timeout} s; its output:\n{self.output}"
            ) from None
        self._reader.join(timeout)
        return code

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Kill the whole group: a supervisor killed alone would leave its workers or its
        # reloaded server running, holding the port and the output pipe open.
        self._kill_group()
        self.process.wait(START_TIMEOUT)
        self._kill_group()
        self._reader.join(START_TIMEOUT)
        if self.process.stdout is not None and not self._reader.is_alive():
            self.process.stdout.close()  # never while the reader blocks on it: a deadlock

    def _kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # everyone in the group has exited


def ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@contextlib.contextmanager
def uvicorn_loggers_restored() -> Iterator[None]:
    """Config() configures logging process-wide; put every uvicorn logger back afterwards."""
    saved = []
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, list(logger.handlers), logger.propagate))
    try:
        yield
    finally:
        for logger, level, handlers, propagate in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
