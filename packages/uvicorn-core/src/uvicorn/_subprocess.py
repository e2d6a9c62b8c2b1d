"""Run a server in a spawned child process, for the reloaders and the worker supervisor.

Children are spawned, not forked: the supervisor never imports the application, and every
child imports it afresh (which is what makes reloading pick up changed code).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.context import SpawnProcess
from typing import Final

from uvicorn.config import Config

SPAWN: Final = multiprocessing.get_context("spawn")
PARENT_POLL_SECONDS: Final = 0.5


def get_subprocess(
    config: Config, target: Callable[..., None], sockets: list[socket.socket]
) -> SpawnProcess:
    """A (not yet started) child process that calls ``target(sockets=sockets)``."""
    try:
        stdin_fileno: int | None = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        stdin_fileno = None  # no usable stdin (a daemon, a test runner)
    kwargs = {"config": config, "target": target, "sockets": sockets, "stdin_fileno": stdin_fileno}
    return SPAWN.Process(target=subprocess_started, kwargs=kwargs)


def subprocess_started(
    config: Config,
    target: Callable[..., None],
    sockets: list[socket.socket],
    stdin_fileno: int | None,
) -> None:
    """The child's entry point: restore stdin and logging, then serve."""
    if stdin_fileno is not None:
        try:
            sys.stdin = os.fdopen(stdin_fileno)  # lets breakpoint() work under --reload
        except OSError:
            pass  # the parent's stdin is closed
    config.configure_logging()
    watchdog = threading.Thread(
        target=_stop_when_orphaned, args=(os.getppid(),), name="uvicorn-parent", daemon=True
    )
    watchdog.start()
    try:
        target(sockets=sockets)
    except KeyboardInterrupt:
        pass  # Ctrl+C reached the child before its server installed signal handlers


def _stop_when_orphaned(parent_pid: int) -> None:
    """Shut this server down gracefully once the supervisor that started it is gone.

    A reloader killed with SIGKILL cannot stop its server; without this the server would
    keep the port (and the old code) running with nobody to restart it.
    """
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
