"""ASGI applications used by the tests, importable as ``tests.apps:<name>``: the kit's
(``uvicorn.testing.apps``) plus those only this repository's tests serve."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from uvicorn.testing.apps import (
    LARGE_CHUNKS,
    Scope,
    echo_body,
    echo_scope,
    hello,
    large_chunks,
    lifespan_ok,
    no_response,
    raises,
    raises_after_start,
    send_plain,
    slow,
    stream_echo,
    streaming,
)

__all__ = [
    "LARGE_CHUNKS",
    "announced_slow",
    "custom_loop",
    "echo_body",
    "echo_scope",
    "hello",
    "large_chunks",
    "lifespan_fails",
    "lifespan_ok",
    "no_response",
    "not_callable_loop",
    "raises",
    "raises_after_start",
    "slow",
    "slow_startup",
    "stream_echo",
    "streaming",
    "worker_pid",
]


async def announced_slow(scope: Scope, receive: Any, send: Any) -> None:
    """Like ``slow``, but says on stderr when the request arrived (for signal tests)."""
    if scope["type"] == "lifespan":
        await lifespan_ok(scope, receive, send)
        return
    import sys

    print("request started", file=sys.stderr, flush=True)
    await slow(scope, receive, send)


async def slow_startup(scope: Scope, receive: Any, send: Any) -> None:
    """Takes 2 s to start up, and says so on stderr (for signals that arrive meanwhile)."""
    if scope["type"] == "lifespan":
        import sys

        await receive()
        print("startup started", file=sys.stderr, flush=True)
        await asyncio.sleep(2)
        await send({"type": "lifespan.startup.complete"})
        await receive()
        print("shutdown received", file=sys.stderr, flush=True)
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send_plain(send, b"started")


async def lifespan_fails(scope: Scope, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "database unreachable"})
        return
    await send_plain(send, b"unreachable")


async def worker_pid(scope: Scope, receive: Any, send: Any) -> None:
    """Answers with the serving process id; ``/block`` blocks the event loop (a hung worker)."""
    if scope["type"] == "lifespan":
        await lifespan_ok(scope, receive, send)
        return
    if scope["path"] == "/block":
        time.sleep(30)
    await send_plain(send, str(os.getpid()).encode())


def custom_loop() -> asyncio.AbstractEventLoop:
    """A custom ``--loop module:attribute`` target: a loop factory taking no arguments."""
    import sys

    print("custom loop created", file=sys.stderr, flush=True)
    return asyncio.new_event_loop()


not_callable_loop = "a loop factory must be callable"
