"""The server: listen, run lifespan, serve connections, and shut down without losing work."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import math
import os
import random
import signal
import socket
import sys
import threading
import time
from collections.abc import Generator, Sequence
from email.utils import formatdate
from types import FrameType
from typing import Any, Final

import click

from uvicorn._headers import check_header, encode_header_lines
from uvicorn._state import ServerState as ServerState  # its public path is uvicorn.server
from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.observers import Observers, notify
from uvicorn.protocols.addresses import shared_local_address

HANDLED_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
TICK_SECONDS: Final = 0.1
TICKS_PER_SECOND: Final = 10

logger = logging.getLogger("uvicorn.error")


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.server_state = ServerState()
        self.started = False
        self.should_exit = False
        self.force_exit = False
        self.last_notified = 0.0
        # Set by a worker pool (--workers, gunicorn) in its workers: other processes go on
        # serving the same sockets after this one stops.
        self.pooled = False
        self.interrupted = False  # SIGINT: Ctrl+C, which reaches every process of a pool
        self.servers: list[asyncio.base_events.Server] = []
        self.lifespan: Any = None
        self._captured_signals: list[int] = []
        self._limit_max_requests: int | None = None
        if config.limit_max_requests is not None:
            jitter = random.randint(0, max(config.limit_max_requests_jitter, 0))
            self._limit_max_requests = config.limit_max_requests + jitter

    @property
    def limit_max_requests(self) -> int | None:
        return self._limit_max_requests

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        loop_factory = self.config.get_loop_factory()
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(self.serve(sockets=sockets))

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        with self.capture_signals():
            await self._serve(sockets)

    async def _serve(self, sockets: list[socket.socket] | None = None) -> None:
        process_id = os.getpid()
        config = self.config
        if not config.loaded:
            config.load()
        self.lifespan = config.lifespan_class(config)

        message = "Started server process [%d]"
        color_message = "Started server process [" + click.style("%d", fg="cyan") + "]"
        logger.info(message, process_id, extra={"color_message": color_message})

        await self.startup(sockets=sockets)
        # An exit asked for while starting (a signal, or the app setting should_exit
        # during its lifespan startup) skips serving, not the shutdown, as upstream.
        if not self.should_exit:
            await self.main_loop()
        if not self.started:
            return  # the startup failed: nothing was bound, the app's lifespan is over
        await self.shutdown(sockets=sockets)

        message = "Finished server process [%d]"
        color_message = "Finished server process [" + click.style("%d", fg="cyan") + "]"
        logger.info(message, process_id, extra={"color_message": color_message})

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            self.should_exit = True
            return

        config = self.config
        protocol_class = config.http_protocol_class
        assert protocol_class is not None
        state = self.server_state
        state.observers = Observers.collect()  # once: connections read it from here
        app_state = self.lifespan.state
        loop = asyncio.get_running_loop()

        from uvicorn.protocols.http.connection import HTTPConnection

        if getattr(protocol_class, "__init__", None) is HTTPConnection.__init__:
            # The core's constructor: positional arguments cost less than keywords, and
            # this runs for every connection.
            def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
                return protocol_class(config, state, app_state, _loop or loop)  # type: ignore[call-arg]  # HTTPConnection's signature

        else:
            # A class of its own, written for uvicorn: called with uvicorn's keywords.
            def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
                return protocol_class(  # type: ignore[call-arg]  # uvicorn's protocol signature
                    config=config, server_state=state, app_state=app_state, _loop=_loop or loop
                )

        multiplexed_class = config.multiplexed_protocol_class
        if multiplexed_class is not None:
            # --http2: each connection is given to HTTP/1.1 or the multiplexed protocol
            # once, when it is known which one the client speaks.
            from uvicorn.protocols.dispatch import selecting_factory

            def create_multiplexed() -> asyncio.Protocol:
                return multiplexed_class(config, state, app_state, loop)  # type: ignore[call-arg]  # MultiplexedConnection's signature

            create_protocol = selecting_factory(  # type: ignore[assignment]  # takes no _loop
                create_protocol,
                create_multiplexed,
                multiplexed_class,
                state,
                float(config.timeout_request_head or math.inf),
            )

        self._update_default_headers()
        try:
            listeners = sockets if sockets is not None else config.create_sockets()
            state.local_address = shared_local_address(listeners)
            for sock in listeners:
                server = await loop.create_server(
                    create_protocol,
                    sock=sock,
                    ssl=config.ssl,
                    backlog=config.backlog,
                    start_serving=True,
                )
                self.servers.append(server)
        except OSError as exc:
            logger.error("%s", exc)
            await self.lifespan.shutdown()
            sys.exit(STARTUP_FAILURE)

        if sockets is None:
            self._log_started_message(listeners)
        # Everything loaded so far (app, modules, config) lives as long as the process:
        # keep it out of the cyclic collector's way so per-request collections stay cheap.
        gc.freeze()
        self.started = True
        if self.server_state.observers is not None:
            notify(self.server_state.observers.worker_started, config)

    def _log_started_message(self, listeners: Sequence[socket.socket]) -> None:
        config = self.config
        if config.fd is not None:
            logger.info(
                "Uvicorn running on socket %s (Press CTRL+C to quit)", listeners[0].getsockname()
            )
        elif config.uds is not None:
            logger.info("Uvicorn running on unix socket %s (Press CTRL+C to quit)", config.uds)
        else:
            sockname = listeners[0].getsockname()
            host, port = sockname[0], sockname[1]
            addr_format = "%s://[%s]:%d" if ":" in host else "%s://%s:%d"
            protocol_name = "https" if config.is_ssl else "http"
            message = f"Uvicorn running on {addr_format} (Press CTRL+C to quit)"
            color_message = (
                "Uvicorn running on "
                + click.style(addr_format, bold=True)
                + " (Press CTRL+C to quit)"
            )
            logger.info(
                message,
                protocol_name,
                host,
                port,
                extra={"color_message": color_message},
            )

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            await asyncio.sleep(TICK_SECONDS)
            should_exit = await self.on_tick(counter)

    async def on_tick(self, counter: int) -> bool:
        self.server_state.clock = time.monotonic()
        if counter % TICKS_PER_SECOND == 0:
            self._update_default_headers()
            self._expire_deadlines()
            if self.config.callback_notify is not None:
                now = time.monotonic()
                if now - self.last_notified > self.config.timeout_notify:
                    self.last_notified = now
                    await self.config.callback_notify()

        if self.should_exit:
            return True
        limit = self._limit_max_requests
        if limit is not None and self.server_state.total_requests >= limit:
            logger.warning("Maximum request limit of %d exceeded. Terminating process.", limit)
            return True
        return False

    def _update_default_headers(self) -> None:
        config = self.config
        headers: list[tuple[bytes, bytes]] = []
        # date, then server, then the user's headers: upstream's order on the wire.
        if config.date_header:
            headers.append((b"date", formatdate(usegmt=True).encode("ascii")))
        if config.server_header:
            headers.append((b"server", b"uvicorn"))
        custom = config.encoded_headers
        custom_names = {name for name, _ in custom}
        headers = [item for item in headers if item[0] not in custom_names] + custom
        for name, value in headers:
            check_header(name, value)
        self.server_state.default_headers = headers
        self.server_state.default_headers_block = encode_header_lines(headers)
        self.server_state.response_heads.clear()
        self.server_state.closing_response_heads.clear()
        self.server_state.default_header_names = frozenset(name for name, _ in headers)

    def _expire_deadlines(self) -> None:
        now = self.server_state.clock
        for connection in list(self.server_state.connections):
            deadline = getattr(connection, "deadline", math.inf)
            if deadline <= now:
                connection.deadline_expired()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        logger.info("Shutting down")

        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        if self.server_state.observers is not None:
            notify(self.server_state.observers.worker_stopping, self.config)
        # A pool member stopping while its siblings serve on (a SIGHUP roll, SIGTTOU,
        # --limit-max-requests, a gunicorn reload) leaves no one to answer a request a
        # client sends right now on an idle keep-alive connection: give those connections
        # the short grace too. A lone server, --reload and Ctrl+C close them at once.
        self.server_state.drain_idle_connections = self.pooled and not self.interrupted
        for connection in list(self.server_state.connections):
            connection.shutdown()

        try:
            await asyncio.wait_for(
                self._wait_tasks_to_complete(), timeout=self.config.timeout_graceful_shutdown
            )
        except TimeoutError:
            logger.error(
                "Cancel %s running task(s), timeout graceful shutdown exceeded",
                len(self.server_state.tasks),
            )
            for task in list(self.server_state.tasks):
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
            if self.server_state.tasks:
                await asyncio.wait(list(self.server_state.tasks), timeout=1.0)

        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None and not transport.is_closing():
                transport.close()
        for server in self.servers:
            await server.wait_closed()

        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _wait_tasks_to_complete(self) -> None:
        state = self.server_state
        if state.connections and not self.force_exit:
            logger.info("Waiting for connections to close. (CTRL+C to force quit)")
            while state.connections and not self.force_exit:
                await asyncio.sleep(TICK_SECONDS)
        if self._running_tasks() and not self.force_exit:
            logger.info("Waiting for background tasks to complete. (CTRL+C to force quit)")
            while self._running_tasks() and not self.force_exit:
                await asyncio.sleep(TICK_SECONDS)

    def _running_tasks(self) -> bool:
        """Whether an app task still runs; forgets tasks that ended before their first step
        (a task cancelled that early never ran the code that takes it out of the set)."""
        tasks = self.server_state.tasks
        for task in [task for task in tasks if task.done()]:
            tasks.discard(task)
        return bool(tasks)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Handle SIGINT/SIGTERM while serving; only possible in the main thread.

        Once the server has stopped and the previous handlers are back, each signal that
        stopped it is raised again (the last one first), as upstream does, for a handler
        the program installed itself: a program embedding the server still gets the
        signal it was sent. Python's and asyncio's default handlers are not called: the
        server returns instead of dying by SIGTERM or raising KeyboardInterrupt, so the
        ``uvicorn`` command exits 0 after a graceful stop.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        self._captured_signals = []
        original = {sig: signal.signal(sig, self.handle_exit) for sig in HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)
        for captured in reversed(self._captured_signals):
            if _is_programs_own_handler(original.get(signal.Signals(captured))):
                signal.raise_signal(captured)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._captured_signals.append(sig)
        if sig == signal.SIGINT:
            self.interrupted = True
            if self.should_exit:
                self.force_exit = True
                return
        self.should_exit = True


def _is_programs_own_handler(handler: Any) -> bool:
    """Whether ``handler`` is a Python signal handler the program installed itself.

    Not SIG_DFL, SIG_IGN or None, nor Python's SIGINT handler (KeyboardInterrupt), nor
    the one ``asyncio.run()``/``asyncio.Runner`` puts in its place (which cancels the
    main task, then raises KeyboardInterrupt).
    """
    if not callable(handler) or handler is signal.default_int_handler:
        return False
    if isinstance(handler, functools.partial):
        method = getattr(handler.func, "__func__", None)
        if method is not None and method is getattr(asyncio.Runner, "_on_sigint", None):
            return False
    return True
