"""``--lifespan timing``: the core's lifespan protocol, with how long each phase took."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from uvicorn.lifespan.on import LifespanOn

if TYPE_CHECKING:
    from uvicorn.config import Config


class TimedLifespan(LifespanOn):
    """Runs the ASGI lifespan as ``--lifespan on`` does and logs each phase's duration."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.strict = True  # selected by name: an app that raises fails, as with "on"

    async def startup(self) -> None:
        started = time.perf_counter()
        await super().startup()
        if self.succeeded:
            self.logger.info("Application startup took %s.", _milliseconds(started))

    async def shutdown(self) -> None:
        started = time.perf_counter()
        await super().shutdown()
        if self.succeeded:
            self.logger.info("Application shutdown took %s.", _milliseconds(started))

    @property
    def succeeded(self) -> bool:
        """Nothing failed so far: a failure is logged by the core, without a duration."""
        return not (self.should_exit or self.error_occured)


def _milliseconds(started: float) -> str:
    return f"{(time.perf_counter() - started) * 1000:.1f} ms"
