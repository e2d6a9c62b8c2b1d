"""gunicorn worker classes, for teams that run their servers under a gunicorn master.

    gunicorn main:app -k uvicorn.workers.UvicornWorker --workers 4

gunicorn owns the sockets, the worker processes and their signals; each worker runs one
uvicorn :class:`~uvicorn.server.Server` on gunicorn's sockets. uvicorn-core does not
depend on gunicorn: only this module imports it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import Any, ClassVar

from gunicorn.arbiter import Arbiter  # type: ignore[import-untyped]  # gunicorn ships no types
from gunicorn.workers.base import Worker  # type: ignore[import-untyped]  # gunicorn ships no types

from uvicorn.config import Config
from uvicorn.server import Server

__all__ = ["UvicornH11Worker", "UvicornWorker"]


class UvicornWorker(Worker):  # type: ignore[misc]  # gunicorn's Worker is untyped
    """A gunicorn worker that serves the app with uvicorn (``auto`` HTTP and loop)."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "auto", "http": "auto"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._adopt_gunicorn_logging()
        cfg = self.cfg
        options: dict[str, Any] = {
            "app": None,
            "log_config": None,
            "timeout_keep_alive": cfg.keepalive,
            "timeout_notify": self.timeout,
            "callback_notify": self.callback_notify,
            "limit_max_requests": self.max_requests,
            "forwarded_allow_ips": cfg.forwarded_allow_ips,
        }
        if cfg.is_ssl:
            ssl_options = cfg.ssl_options
            for option, key in (
                ("ssl_keyfile", "keyfile"),
                ("ssl_certfile", "certfile"),
                ("ssl_keyfile_password", "password"),
                ("ssl_version", "ssl_version"),
                ("ssl_cert_reqs", "cert_reqs"),
                ("ssl_ca_certs", "ca_certs"),
                ("ssl_ciphers", "ciphers"),
            ):
                if ssl_options.get(key) is not None:  # gunicorn versions differ in options
                    options[option] = ssl_options[key]
        backlog = cfg.settings["backlog"].value
        if backlog:
            options["backlog"] = backlog
        options.update(self.CONFIG_KWARGS)
        self.config = Config(**options)

    def _adopt_gunicorn_logging(self) -> None:
        """Log through gunicorn's handlers, at gunicorn's levels."""
        for name, source in (
            ("uvicorn.error", self.log.error_log),
            ("uvicorn.access", self.log.access_log),
        ):
            target = logging.getLogger(name)
            target.handlers = list(source.handlers)
            target.setLevel(source.level)
            target.propagate = False
        if not self.cfg.accesslog:
            logging.getLogger("uvicorn.access").handlers = []

    def init_signals(self) -> None:
        # gunicorn's handlers would swallow the server's own SIGINT/SIGTERM handling and
        # the exit status of subprocesses the app starts: keep only SIGUSR1 (reopen logs).
        for sig in self.SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGUSR1, self.handle_usr1)
        signal.siginterrupt(signal.SIGUSR1, False)

    def run(self) -> None:
        self.config.app = self.wsgi  # the application gunicorn loaded in this worker
        loop_factory = self.config.get_loop_factory()
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            runner.run(self._serve())

    async def _serve(self) -> None:
        server = Server(config=self.config)
        server.pooled = True  # gunicorn's other workers serve on while this one stops
        loop = asyncio.get_running_loop()
        # SIGQUIT is gunicorn's "stop now": treat it like a second Ctrl+C.
        loop.add_signal_handler(signal.SIGQUIT, self._quit, server)
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)

    @staticmethod
    def _quit(server: Server) -> None:
        server.should_exit = True
        server.force_exit = True

    async def callback_notify(self) -> None:
        self.notify()


class UvicornH11Worker(UvicornWorker):
    """The pure-Python variant: the h11 parser and the asyncio loop."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {"loop": "asyncio", "http": "h11"}
