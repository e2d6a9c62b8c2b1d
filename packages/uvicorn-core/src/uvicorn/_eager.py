"""Continue, in a task, a coroutine whose first step already ran synchronously.

Most responses (hello world, cached pages, redirects, errors) never wait for I/O: run
eagerly inside the callback that received the request, they finish with no task, no
event-loop iteration and no context switch. A coroutine that does suspend hands the
future it waits on to ``resume``, which an ``asyncio.Task`` then drives from exactly
where the coroutine stopped.
"""

from __future__ import annotations

import types
from collections.abc import Coroutine, Generator
from typing import Any


@types.coroutine
def resume(coro: Coroutine[Any, Any, Any], yielded: Any) -> Generator[Any, Any, Any]:
    """Await the rest of ``coro``, which last yielded ``yielded`` to its (absent) task."""
    while True:
        try:
            # The task now waits on what the coroutine waited on. When it resumes us,
            # resuming the coroutine with send(None) is exactly what it would have done.
            yield yielded
        except BaseException as exc:  # noqa: BLE001 - cancellation and throw() go to the coroutine
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value
            continue
        break
    return (yield from coro)
