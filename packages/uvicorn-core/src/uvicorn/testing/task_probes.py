"""What an app can observe about the task it runs in, for the task conformance tests.

Each probe runs inside the app, at a step the test chooses (the app's first step, before
it awaits anything, or a later one) and returns what it saw as JSON-friendly values.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
from typing import TYPE_CHECKING, Any

from uvicorn.testing._optional import LazyClient

if TYPE_CHECKING:
    import anyio
else:
    anyio = LazyClient("anyio")  # the task tests skip their module first when it is missing

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


async def observe_task(step: str, request_id: str) -> dict[str, Any]:
    """Check the task contract once: on the first step, or after the app suspended."""
    if step == "later":
        await asyncio.sleep(0)
    seen: dict[str, Any] = {}
    task = asyncio.current_task()
    seen["in_task"] = task is not None
    seen["context_before"] = REQUEST_ID.get()
    REQUEST_ID.set(request_id)

    async with asyncio.timeout(5):
        await asyncio.sleep(0)
    try:
        async with asyncio.timeout(0.01):
            await asyncio.Event().wait()
    except TimeoutError:
        seen["timeout_fires"] = True

    with anyio.fail_after(5):
        await anyio.sleep(0)
    try:
        with anyio.fail_after(0.01):
            await anyio.Event().wait()
    except TimeoutError:
        seen["fail_after_fires"] = True

    children: list[str] = []

    async def child(name: str) -> None:
        await anyio.sleep(0)
        children.append(f"{name}:{REQUEST_ID.get()}")

    async with anyio.create_task_group() as group:
        group.start_soon(child, "a")
        group.start_soon(child, "b")
    seen["task_group"] = sorted(children)
    seen["same_task_after_awaits"] = asyncio.current_task() is task
    return seen


def start_background(request_id: str, results: queue.Queue[str]) -> None:
    """Start a task that outlives the response and reports the context it inherited."""

    async def background() -> None:
        for _ in range(3):
            await asyncio.sleep(0)
        results.put(f"{request_id}:{REQUEST_ID.get()}")

    task = asyncio.get_running_loop().create_task(background())
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


_BACKGROUND: set[asyncio.Task[None]] = set()


def expected_observation(request_id: str) -> dict[str, Any]:
    return {
        "in_task": True,
        "context_before": "unset",
        "timeout_fires": True,
        "fail_after_fires": True,
        "task_group": [f"a:{request_id}", f"b:{request_id}"],
        "same_task_after_awaits": True,
    }
