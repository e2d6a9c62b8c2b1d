"""Shared pieces of HTTP flow control: the body buffer limit and the 503 application."""

from __future__ import annotations

from typing import Final

from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.output import HIGH_WATER_LIMIT

CLOSE_HEADER: Final = (b"connection", b"close")

__all__ = ["CLOSE_HEADER", "HIGH_WATER_LIMIT", "service_unavailable"]


async def service_unavailable(
    scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
) -> None:
    """The app run instead of the user's while the concurrency limit is exceeded."""
    body = b"Service Unavailable"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", b"%d" % len(body)),
                CLOSE_HEADER,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
