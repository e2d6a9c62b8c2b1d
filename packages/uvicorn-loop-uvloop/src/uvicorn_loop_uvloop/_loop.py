"""``--loop uvloop``: the factory imports uvloop only when the loop is selected."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def uvloop_loop_factory(use_subprocess: bool = False) -> Callable[[], asyncio.AbstractEventLoop]:
    import uvloop

    return uvloop.new_event_loop
