"""The standard library event loop, registered by the core as the ``asyncio`` loop."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable


def asyncio_loop_factory(use_subprocess: bool = False) -> Callable[[], asyncio.AbstractEventLoop]:
    """Return the callable that creates a new asyncio event loop."""
    if sys.platform == "win32" and not use_subprocess:  # pragma: no cover - not tested on win32
        return asyncio.ProactorEventLoop
    return asyncio.SelectorEventLoop
