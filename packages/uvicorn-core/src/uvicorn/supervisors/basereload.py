"""The reloader loop shared by every ``--reload`` implementation.

A reloader runs the server in a spawned child process and restarts it when
:meth:`BaseReload.should_restart` reports changed files. A child that fails to start
(a syntax error in the app, say) just exits: the reloader keeps watching and starts a
new child after the next change.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from multiprocessing.context import SpawnProcess
from pathlib import Path
from types import FrameType
from typing import ClassVar, Final

import click

from uvicorn._subprocess import get_subprocess
from uvicorn.config import Config

HANDLED_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)

logger = logging.getLogger("uvicorn.error")


class BaseReload:
    """Subclasses implement :meth:`should_restart` and may set :attr:`supports_patterns`."""

    #: Whether the reloader honours ``--reload-include``/``--reload-exclude``.
    supports_patterns: ClassVar[bool] = False

    def __init__(
        self, config: Config, target: Callable[..., None], sockets: list[socket.socket]
    ) -> None:
        self.config = config
        self.target = target
        self.sockets = sockets
        self.should_exit = threading.Event()
        self.pid = os.getpid()
        self.is_restarting = False
        self.reloader_name: str | None = None
        self.process: SpawnProcess | None = None

    @property
    def watched_dirs(self) -> list[Path]:
        """The directories to watch, as the config normalised them (it logs them too)."""
        return self.config.reload_dirs or [Path.cwd()]

    def signal_handler(self, sig: int, frame: FrameType | None) -> None:
        self.should_exit.set()

    def run(self) -> None:
        self.startup()
        try:
            for changes in self:
                if changes:
                    logger.warning(
                        "%s detected changes in %s. Reloading...",
                        self.reloader_name,
                        ", ".join(_display_path(path) for path in changes),
                    )
                    self.restart()
        finally:
            self.shutdown()

    def pause(self) -> None:
        """Wait ``--reload-delay`` seconds; stop iterating when asked to exit."""
        if self.should_exit.wait(self.config.reload_delay):
            raise StopIteration()

    def __iter__(self) -> Iterator[list[Path] | None]:
        return self

    def __next__(self) -> list[Path] | None:
        return self.should_restart()

    def should_restart(self) -> list[Path] | None:
        """Block for a while; the files that changed since the last call, if any."""
        raise NotImplementedError

    def startup(self) -> None:
        message = f"Started reloader process [{self.pid}] using {self.reloader_name}"
        color_message = "Started reloader process [{}] using {}".format(
            click.style(str(self.pid), fg="cyan", bold=True),
            click.style(str(self.reloader_name), fg="cyan", bold=True),
        )
        logger.info(message, extra={"color_message": color_message})
        for sig in HANDLED_SIGNALS:
            signal.signal(sig, self.signal_handler)
        self.start_process()

    def start_process(self) -> None:
        self.process = get_subprocess(self.config, target=self.target, sockets=self.sockets)
        self.process.start()

    def stop_process(self) -> None:
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.terminate()  # SIGTERM: the server shuts down gracefully
        self.process.join()
        self.process = None

    def restart(self) -> None:
        self.is_restarting = True
        self.stop_process()
        self.start_process()
        self.is_restarting = False

    def shutdown(self) -> None:
        self.stop_process()
        for sock in self.sockets:
            sock.close()
        message = f"Stopping reloader process [{self.pid}]"
        color_message = "Stopping reloader process [{}]".format(
            click.style(str(self.pid), fg="cyan", bold=True)
        )
        logger.info(message, extra={"color_message": color_message})


def _display_path(path: Path) -> str:
    try:
        return f"'{path.relative_to(Path.cwd())}'"
    except ValueError:
        return f"'{path}'"
