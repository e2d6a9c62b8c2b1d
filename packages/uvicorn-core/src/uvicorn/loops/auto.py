"""``--loop auto``: the available loop implementation with the highest priority."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


def auto_loop_factory(
    use_subprocess: bool = False,
) -> Callable[[], asyncio.AbstractEventLoop] | None:
    from uvicorn.config import resolve_implementation

    factory = resolve_implementation("loop", "auto")
    result: Callable[[], asyncio.AbstractEventLoop] | None = factory(use_subprocess=use_subprocess)
    return result
