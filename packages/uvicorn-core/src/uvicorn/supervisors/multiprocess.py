"""``--workers N``: N server processes sharing one listening socket, kept alive and healthy.

The supervisor spawns workers (it never imports the application itself) and talks to each
one over a pipe: a worker says ``alive`` as soon as its interpreter runs, ``ready`` once
its server listens, and answers every ``ping`` with ``pong`` while its event loop keeps
ticking (during startup, while the app is imported, the answer comes at once).

Signals to the supervisor:

- SIGINT / SIGTERM: stop every worker gracefully, then exit.
- SIGHUP: replace the workers one at a time; each replacement is ready before the worker
  it replaces is told to stop, so the shared socket is always served. A stopping worker
  answers a request that arrives soon on an idle keep-alive connection (then closes it).
- SIGTTIN / SIGTTOU: one worker more / one fewer (never fewer than one).

A worker that dies (killed, or done after ``--limit-max-requests``) or fails its health
check within ``--timeout-worker-healthcheck`` is replaced. A worker that exits with the
startup-failure code 3 stops the supervisor: restarting it would fail the same way.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any, Final

import click

from uvicorn._subprocess import SPAWN
from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.server import Server

SUPERVISOR_SIGNALS: Final = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGTTIN,
    signal.SIGTTOU,
)
TICK_SECONDS: Final = 0.1
# How fresh the worker's event-loop clock must be for a pong (the loop ticks every 0.1 s).
LOOP_FRESHNESS_SECONDS: Final = 1.0

logger = logging.getLogger("uvicorn.error")


def _worker_started(
    config: Config,
    target: Callable[..., None],
    sockets: list[socket.socket],
    connection: Connection,
) -> None:
    """A worker's entry point: answer the supervisor from a thread, serve on the main one."""
    config.configure_logging()
    server = getattr(target, "__self__", None)  # usually the bound method Server.run
    if isinstance(server, Server):
        server.pooled = True  # its siblings serve on while it stops: see Server.shutdown
    thread = threading.Thread(
        target=_answer_supervisor, args=(connection, server), name="uvicorn-health", daemon=True
    )
    thread.start()
    try:
        target(sockets=sockets)
    except KeyboardInterrupt:
        pass  # Ctrl+C reached the worker before its server installed signal handlers


def _answer_supervisor(connection: Connection, server: Any) -> None:
    """Say ``ready`` once the server listens; answer pings while its loop is responsive.

    A ping is answered only once the server's clock (updated by the event loop on every
    tick) is fresh, so a worker whose loop is blocked misses the supervisor's deadline.
    When the supervisor disappears, the worker shuts itself down gracefully.
    """
    said_ready = server is None
    try:
        connection.send("alive")  # health checks start now, before the app is imported
        while True:
            if not said_ready and server.started:
                connection.send("ready")
                said_ready = True
            if not connection.poll(0.05):
                continue
            if connection.recv() != "ping":
                continue
            while server is not None and server.started and not server.should_exit:
                age = time.monotonic() - server.server_state.clock
                if age < LOOP_FRESHNESS_SECONDS:
                    break
                time.sleep(0.05)
            connection.send("pong")
    except (EOFError, OSError):
        os.kill(os.getpid(), signal.SIGTERM)  # the supervisor is gone: stop serving


class Worker:
    """One worker process, the supervisor's end of its pipe, and its health state."""

    def __init__(
        self, config: Config, target: Callable[..., None], sockets: list[socket.socket]
    ) -> None:
        self.connection, child_end = SPAWN.Pipe()
        self.process = SPAWN.Process(
            target=_worker_started,
            kwargs={
                "config": config,
                "target": target,
                "sockets": sockets,
                "connection": child_end,
            },
        )
        self.process.start()
        child_end.close()
        self.answering = False  # its health-check thread runs (Python has started)
        self.ready = False
        self.ping_sent_at: float | None = None
        self.last_ping = time.monotonic()
        self.retire_deadline: float | None = None

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    def read_messages(self) -> None:
        try:
            while self.connection.poll():
                message = self.connection.recv()
                if message == "alive":
                    self.answering = True
                elif message == "ready":
                    self.ready = True
                elif message == "pong":
                    self.ping_sent_at = None
        except (EOFError, OSError):
            pass  # the worker exited; its sentinel tells the supervisor

    def ping(self, now: float) -> None:
        try:
            self.connection.send("ping")
        except OSError:
            return  # the worker exited; its sentinel tells the supervisor
        self.ping_sent_at = now
        self.last_ping = now

    def close(self) -> None:
        self.process.join()
        self.connection.close()


class Multiprocess:
    """Run ``target(sockets=sockets)`` in ``config.workers`` supervised worker processes."""

    def __init__(
        self, config: Config, target: Callable[..., None], sockets: list[socket.socket]
    ) -> None:
        self.config = config
        self.target = target
        self.sockets = sockets
        self.processes_num = config.workers
        self.workers: list[Worker] = []
        self.retiring: list[Worker] = []
        self.to_replace: list[Worker] = []
        self.replacing: tuple[Worker, Worker] | None = None
        self.pending_signals: list[int] = []
        self.should_exit = threading.Event()
        self.force_exit = False
        self.exit_code = 0
        timeout = float(config.timeout_worker_healthcheck)
        self.healthcheck_timeout = timeout
        self.healthcheck_interval = min(1.0, timeout / 2)

    @property
    def processes(self) -> list[Worker]:
        return list(self.workers)

    def signal_handler(self, sig: int, frame: FrameType | None) -> None:
        self.pending_signals.append(sig)

    def run(self) -> None:
        process_id = os.getpid()
        message = "Started parent process [%d]"
        color_message = "Started parent process [" + click.style("%d", fg="cyan", bold=True) + "]"
        logger.info(message, process_id, extra={"color_message": color_message})
        original = {sig: signal.signal(sig, self.signal_handler) for sig in SUPERVISOR_SIGNALS}
        try:
            for _ in range(self.processes_num):
                self.spawn()
            while not self.should_exit.is_set():
                self.supervise_once()
            self.stop_all()
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)
        message = "Stopping parent process [%d]"
        color_message = "Stopping parent process [" + click.style("%d", fg="cyan", bold=True) + "]"
        logger.info(message, process_id, extra={"color_message": color_message})
        if self.exit_code:
            sys.exit(self.exit_code)

    def spawn(self) -> Worker:
        worker = Worker(self.config, self.target, self.sockets)
        self.workers.append(worker)
        return worker

    def supervise_once(self) -> None:
        self.handle_signals()
        everyone = [*self.workers, *self.retiring]
        waitables: list[Any] = [w.connection for w in everyone]
        waitables += [w.process.sentinel for w in everyone]
        wait(waitables, timeout=TICK_SECONDS)
        now = time.monotonic()
        for worker in everyone:
            worker.read_messages()
        for worker in list(self.workers):
            if not worker.process.is_alive():
                self.worker_exited(worker)
                if self.should_exit.is_set():
                    return
            elif worker.ping_sent_at is not None:
                if now - worker.ping_sent_at > self.healthcheck_timeout:
                    logger.error(
                        "Child process [%d] did not answer the health check within %g s; "
                        "killing it",
                        worker.pid,
                        self.healthcheck_timeout,
                    )
                    worker.process.kill()
            elif worker.answering and now - worker.last_ping >= self.healthcheck_interval:
                worker.ping(now)
        for worker in list(self.retiring):
            if not worker.process.is_alive():
                worker.close()
                self.retiring.remove(worker)
            elif worker.retire_deadline is not None and now > worker.retire_deadline:
                worker.process.kill()
        self.advance_replacement()

    def worker_exited(self, worker: Worker) -> None:
        worker.close()
        self.workers.remove(worker)
        code = worker.process.exitcode
        if code == STARTUP_FAILURE:
            logger.error(
                "Child process [%d] failed to start (exit code %d); stopping.", worker.pid, code
            )
            self.exit_code = STARTUP_FAILURE
            self.should_exit.set()
            return
        logger.info("Child process [%d] died (exit code %s)", worker.pid, code)
        if self.should_exit.is_set() or any(
            sig in (signal.SIGINT, signal.SIGTERM) for sig in self.pending_signals
        ):
            return  # stopping (Ctrl+C reaches the workers too): do not replace it
        if self.replacing is not None:
            old, new = self.replacing
            if worker is new:  # the replacement died: replace ``old`` again later
                self.replacing = None
                self.to_replace.insert(0, old)
                return
            if worker is old:
                self.replacing = None
        if len(self.workers) < self.processes_num:
            self.spawn()

    def retire(self, worker: Worker) -> None:
        """Stop one worker gracefully, without waiting for it."""
        if worker in self.workers:
            self.workers.remove(worker)
        grace = self.config.timeout_graceful_shutdown
        if grace is not None:
            worker.retire_deadline = time.monotonic() + grace + 5.0
        logger.info("Terminating child process [%d]", worker.pid)
        worker.process.terminate()
        self.retiring.append(worker)

    def advance_replacement(self) -> None:
        if self.replacing is not None:
            old, new = self.replacing
            if not new.ready:
                return
            self.replacing = None
            if old in self.workers:
                self.retire(old)
        while self.replacing is None and self.to_replace:
            old = self.to_replace.pop(0)
            if old in self.workers:
                self.replacing = (old, self.spawn())

    def handle_signals(self) -> None:
        while self.pending_signals:
            sig = self.pending_signals.pop(0)
            if sig in (signal.SIGINT, signal.SIGTERM):
                logger.info("Received %s, stopping the workers", signal.Signals(sig).name)
                self.should_exit.set()
            elif sig == signal.SIGHUP:
                logger.info("Received SIGHUP, replacing the workers one at a time")
                replacement = self.replacing[1] if self.replacing is not None else None
                self.to_replace = [w for w in self.workers if w is not replacement]
            elif sig == signal.SIGTTIN:
                self.processes_num += 1
                logger.info("Received SIGTTIN, adding a worker (now %d)", self.processes_num)
                self.spawn()
            elif sig == signal.SIGTTOU:
                if self.processes_num <= 1:
                    logger.info("Received SIGTTOU, but at least one worker must run")
                    continue
                self.processes_num -= 1
                logger.info("Received SIGTTOU, removing a worker (now %d)", self.processes_num)
                replacement = self.replacing[1] if self.replacing is not None else None
                self.retire([w for w in self.workers if w is not replacement][-1])

    def stop_all(self) -> None:
        """Stop every worker gracefully; a second SIGINT/SIGTERM kills the rest."""
        everyone = [*self.workers, *self.retiring]
        for worker in everyone:
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in everyone:
            logger.info("Waiting for child process [%d]", worker.pid)
            while worker.process.is_alive():
                wait([worker.process.sentinel], timeout=TICK_SECONDS)
                if any(sig in (signal.SIGINT, signal.SIGTERM) for sig in self.pending_signals):
                    self.pending_signals.clear()
                    self.force_exit = True
                if self.force_exit:
                    worker.process.kill()
            worker.close()
        self.workers.clear()
        self.retiring.clear()
