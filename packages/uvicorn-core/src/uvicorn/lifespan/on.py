"""``--lifespan on``/``auto``: run the ASGI lifespan protocol (2.0, with ``state``)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from uvicorn._types import ASGIReceiveEvent, ASGISendEvent, LifespanScope

if TYPE_CHECKING:
    from uvicorn.config import Config

STATE_TRANSITION_ERROR = "Got invalid state transition on lifespan protocol."


class LifespanOn:
    def __init__(self, config: Config) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.logger = logging.getLogger("uvicorn.error")
        self.startup_event = asyncio.Event()
        self.shutdown_event = asyncio.Event()
        self.receive_queue: asyncio.Queue[ASGIReceiveEvent] = asyncio.Queue()
        self.error_occured = False
        self.startup_failed = False
        self.shutdown_failed = False
        self.should_exit = False
        # An app that raises fails the startup (``on``), or is taken for one without
        # lifespan support (``auto``). A subclass registered under its own name sets it.
        self.strict = config.lifespan == "on"
        self.state: dict[str, Any] = {}
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        self.logger.info("Waiting for application startup.")
        self._task = asyncio.get_running_loop().create_task(self.main())
        await self.receive_queue.put({"type": "lifespan.startup"})
        await self.startup_event.wait()
        if self.startup_failed or self._failed_strictly():
            self.logger.error("Application startup failed. Exiting.")
            self.should_exit = True
        else:
            self.logger.info("Application startup complete.")

    async def shutdown(self) -> None:
        if self.error_occured:
            return
        self.logger.info("Waiting for application shutdown.")
        await self.receive_queue.put({"type": "lifespan.shutdown"})
        await self.shutdown_event.wait()
        if self.shutdown_failed or self._failed_strictly():
            self.logger.error("Application shutdown failed. Exiting.")
            self.should_exit = True
        else:
            self.logger.info("Application shutdown complete.")

    def _failed_strictly(self) -> bool:
        """The app raised, and ``lifespan="on"`` makes that an error rather than a shrug."""
        return self.error_occured and self.strict

    async def main(self) -> None:
        try:
            scope: LifespanScope = {
                "type": "lifespan",
                "asgi": {"version": self.config.asgi_version, "spec_version": "2.0"},
                "state": self.state,
            }
            await self.config.loaded_app(scope, self.receive, self.send)
        except BaseException as exc:
            self.error_occured = True
            if self.startup_failed or self.shutdown_failed:
                return
            if not self.strict:
                self.logger.info("ASGI 'lifespan' protocol appears unsupported.")
            else:
                self.logger.error("Exception in 'lifespan' protocol\n", exc_info=exc)
        finally:
            self.startup_event.set()
            self.shutdown_event.set()

    async def send(self, message: ASGISendEvent) -> None:
        message_type = message["type"]
        if message_type == "lifespan.startup.complete":
            if self.startup_event.is_set() or self.shutdown_event.is_set():
                raise RuntimeError(STATE_TRANSITION_ERROR)
            self.startup_event.set()
        elif message_type == "lifespan.startup.failed":
            if self.startup_event.is_set() or self.shutdown_event.is_set():
                raise RuntimeError(STATE_TRANSITION_ERROR)
            self.startup_event.set()
            self.startup_failed = True
            if message.get("message"):
                self.logger.error(message["message"])  # type: ignore[typeddict-item]  # checked by get
        elif message_type == "lifespan.shutdown.complete":
            if not self.startup_event.is_set() or self.shutdown_event.is_set():
                raise RuntimeError(STATE_TRANSITION_ERROR)
            self.shutdown_event.set()
        elif message_type == "lifespan.shutdown.failed":
            if not self.startup_event.is_set() or self.shutdown_event.is_set():
                raise RuntimeError(STATE_TRANSITION_ERROR)
            self.shutdown_event.set()
            self.shutdown_failed = True
            if message.get("message"):
                self.logger.error(message["message"])  # type: ignore[typeddict-item]  # checked by get
        else:
            raise RuntimeError(f"Unexpected ASGI lifespan message type {message_type!r}.")

    async def receive(self) -> ASGIReceiveEvent:
        return await self.receive_queue.get()
