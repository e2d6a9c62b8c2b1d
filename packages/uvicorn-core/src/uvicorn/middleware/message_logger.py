"""Log every ASGI message in and out of the app at TRACE level (``--log-level trace``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sized
from typing import Any, Final

from uvicorn._types import (
    ASGI3Application,
    ASGIReceiveCallable,
    ASGIReceiveEvent,
    ASGISendCallable,
    ASGISendEvent,
    Scope,
)
from uvicorn.logging import TRACE_LOG_LEVEL

_PLACEHOLDERS: Final = {
    "body": "<{length} bytes>",
    "bytes": "<{length} bytes>",
    "text": "<{length} chars>",
}


def message_with_placeholders(message: Mapping[str, object]) -> dict[str, object]:
    """A copy of a message or scope with bodies and headers replaced by short placeholders."""
    shown = dict(message)
    for key, template in _PLACEHOLDERS.items():
        value = shown.get(key)
        if isinstance(value, Sized):
            shown[key] = template.format(length=len(value))
    if "headers" in shown:
        shown["headers"] = "<...>"
    return shown


class MessageLoggerMiddleware:
    def __init__(self, app: ASGI3Application) -> None:
        self.task_counter = 0
        self.app = app
        self.logger = logging.getLogger("uvicorn.asgi")

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        self.task_counter += 1
        task_counter = self.task_counter
        client: Any = scope.get("client")
        prefix = f"{client[0]}:{client[1]} - ASGI" if client else "ASGI"
        logger = self.logger

        async def inner_receive() -> ASGIReceiveEvent:
            message = await receive()
            logger.log(
                TRACE_LOG_LEVEL,
                "%s [%d] Receive %s",
                prefix,
                task_counter,
                message_with_placeholders(message),
            )
            return message

        async def inner_send(message: ASGISendEvent) -> None:
            logger.log(
                TRACE_LOG_LEVEL,
                "%s [%d] Send %s",
                prefix,
                task_counter,
                message_with_placeholders(message),
            )
            await send(message)

        logger.log(
            TRACE_LOG_LEVEL,
            "%s [%d] Started scope=%s",
            prefix,
            task_counter,
            message_with_placeholders(scope),
        )
        try:
            await self.app(scope, inner_receive, inner_send)
        except BaseException:
            logger.log(TRACE_LOG_LEVEL, "%s [%d] Raised exception", prefix, task_counter)
            raise
        else:
            logger.log(TRACE_LOG_LEVEL, "%s [%d] Completed", prefix, task_counter)
