"""One ASGI HTTP request/response exchange: ``receive``, ``send`` and running the app.

Written once for every HTTP plugin. The connection feeds request body events in; the
app's messages are checked here (order, Content-Length, HEAD, 1xx/204/304 without body)
and turned into bytes by the connection's ``encode_*`` methods, which a plugin may
override to go through its own library.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, cast

from uvicorn._types import (
    ASGI3Application,
    ASGIReceiveEvent,
    ASGISendEvent,
    HTTPScope,
)
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

if TYPE_CHECKING:
    from uvicorn.protocols.http.connection import HTTPConnection
    from uvicorn.protocols.http.request import RequestHead

HIGH_WATER_LIMIT: Final = 65536

_CONTENT_LENGTH: Final = b"content-length"
_CONNECTION: Final = b"connection"
_TRANSFER_ENCODING: Final = b"transfer-encoding"
_CLOSE_HEADER: Final = (b"connection", b"close")
_CHUNKED_HEADER: Final = (b"transfer-encoding", b"chunked")


class RequestBodyState(enum.Enum):
    """How far the request body has come. Transitions only move down this list."""

    RECEIVING = "receiving"  # more body may arrive
    COMPLETE = "complete"  # the parser saw the end of the message
    DELIVERED = "delivered"  # the app received the last body chunk
    DISCONNECTED = "disconnected"  # the client went away


class ResponseState(enum.Enum):
    """How far the response has come. Transitions only move down this list."""

    AWAITING_START = "awaiting start"  # no http.response.start yet
    STREAMING = "streaming"  # head sent (or buffered), body messages expected
    COMPLETE = "complete"  # the last body message was sent


class RequestResponseCycle:
    __slots__ = (
        "body",
        "body_state",
        "chunked",
        "conn",
        "expect_continue",
        "head",
        "keep_alive",
        "pending_head",
        "remaining",
        "response_state",
        "scope",
        "send_body",
        "status",
        "waiter",
    )

    def __init__(self, conn: HTTPConnection, head: RequestHead, scope: HTTPScope) -> None:
        self.conn = conn
        self.head = head
        self.scope = scope
        self.body = b""
        self.body_state = RequestBodyState.RECEIVING
        self.response_state = ResponseState.AWAITING_START
        self.keep_alive = head.keep_alive
        self.expect_continue = head.expect_continue
        self.waiter: asyncio.Future[None] | None = None
        self.chunked = False
        self.send_body = head.method != "HEAD"
        self.remaining: int | None = None
        self.pending_head = b""
        self.status = 0

    # -- events from the connection ----------------------------------------------------

    def body_received(self, chunk: bytes) -> None:
        if self.response_state is ResponseState.COMPLETE:
            return  # the app has answered; the rest of the body is read and dropped
        self.body += chunk
        if len(self.body) > HIGH_WATER_LIMIT:
            self.conn.pause_reading()
        self._wake()

    def body_complete(self) -> None:
        if self.body_state is RequestBodyState.RECEIVING:
            self.body_state = RequestBodyState.COMPLETE
        self._wake()

    def client_disconnected(self) -> None:
        self.body_state = RequestBodyState.DISCONNECTED
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- the ASGI callables ------------------------------------------------------------

    async def run_asgi(self, app: ASGI3Application) -> None:
        conn = self.conn
        run_app = cast("Callable[..., Awaitable[object]]", app)  # apps may wrongly return a value
        try:
            result = await run_app(self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            self._abort_response()  # cancelled by a forced shutdown: nothing to report
            raise
        except BaseException as exc:
            conn.logger.error("Exception in ASGI application\n", exc_info=exc)
            self._abort_response()
            if not isinstance(exc, Exception):
                raise
        else:
            if result is not None:
                conn.logger.error("ASGI callable should return None, but returned '%s'.", result)
                self._abort_response()
            elif self.response_state is ResponseState.AWAITING_START:
                conn.logger.error("ASGI callable returned without starting response.")
                self._abort_response()
            elif self.response_state is not ResponseState.COMPLETE:
                conn.logger.error("ASGI callable returned without completing response.")
                self._abort_response()

    def _abort_response(self) -> None:
        """Answer 500 if nothing was sent yet, else cut the connection: the response is broken."""
        if self.response_state is ResponseState.COMPLETE:
            return
        conn = self.conn
        nothing_written = self.response_state is ResponseState.AWAITING_START or (
            self.pending_head != b""
        )
        self.pending_head = b""
        if nothing_written and self.body_state is not RequestBodyState.DISCONNECTED:
            conn.send_error_response(500)
        else:
            conn.close_transport()
        self.response_state = ResponseState.COMPLETE
        self.keep_alive = False
        conn.cycle_finished(self)

    async def receive(self) -> ASGIReceiveEvent:
        if self.expect_continue:
            self.expect_continue = False
            if self.body_state is RequestBodyState.RECEIVING:
                self.conn.write(self.conn.encode_head(100, []))
        state = self.body_state
        if state is RequestBodyState.RECEIVING and not self.body:
            self.conn.resume_reading()
            await self._wait()
        elif (
            state is RequestBodyState.DELIVERED
            and self.response_state is not ResponseState.COMPLETE
        ):
            await self._wait()

        state = self.body_state
        if state is RequestBodyState.DISCONNECTED or state is RequestBodyState.DELIVERED:
            return {"type": "http.disconnect"}
        if self.response_state is ResponseState.COMPLETE:
            return {"type": "http.disconnect"}
        body = self.body
        self.body = b""
        if state is RequestBodyState.COMPLETE:
            self.body_state = RequestBodyState.DELIVERED
            return {"type": "http.request", "body": body, "more_body": False}
        self.conn.resume_reading()
        return {"type": "http.request", "body": body, "more_body": True}

    async def _wait(self) -> None:
        waiter = self.waiter
        if waiter is None:
            waiter = self.waiter = self.conn.loop.create_future()
        await waiter

    async def send(self, message: ASGISendEvent) -> None:
        message_type = message["type"]
        state = self.response_state
        if state is ResponseState.STREAMING:
            if message_type != "http.response.body":
                raise RuntimeError(
                    f"Expected ASGI message 'http.response.body', but got '{message_type}'."
                )
            if self.body_state is RequestBodyState.DISCONNECTED:
                return
            body: bytes = message.get("body", b"")  # type: ignore[assignment]  # narrowed by type
            more_body: bool = message.get("more_body", False)  # type: ignore[assignment]  # same
            self._write_body(body, more_body)
            if self.conn.write_paused:
                await self.conn.drain()
        elif state is ResponseState.AWAITING_START:
            if message_type != "http.response.start":
                raise RuntimeError(
                    f"Expected ASGI message 'http.response.start', but got '{message_type}'."
                )
            if self.body_state is RequestBodyState.DISCONNECTED:
                return
            self._start_response(message["status"], message.get("headers", ()))  # type: ignore[typeddict-item]  # checked type
        else:
            raise RuntimeError(
                f"Unexpected ASGI message '{message_type}' sent, after response already completed."
            )

    def _start_response(self, status: int, app_headers: Any) -> None:
        conn = self.conn
        self.status = status
        if conn.access_log:
            scope = self.scope
            conn.access_logger.info(
                '%s - "%s %s HTTP/%s" %d',
                get_client_addr(scope),
                scope["method"],
                get_path_with_query_string(scope),
                scope["http_version"],
                status,
            )

        headers = list(conn.server_state.default_headers)
        content_length: int | None = None
        close_requested = False
        default_names = conn.default_header_names
        for name, value in app_headers:
            lower_name = name.lower()
            if lower_name == _CONTENT_LENGTH:
                try:
                    content_length = int(value)
                except ValueError:
                    raise RuntimeError(
                        f"Invalid Content-Length header {value!r} in response."
                    ) from None
            elif lower_name == _CONNECTION:
                if b"close" in value.lower():
                    close_requested = True
            elif lower_name == _TRANSFER_ENCODING:
                continue  # framing is the server's job
            elif lower_name in default_names:
                headers = [item for item in headers if item[0] != lower_name]
            headers.append((name, value))

        if status < 200 or status == 204 or status == 304:
            self.send_body = False
            content_length = None
        elif content_length is not None:
            self.remaining = content_length
        elif self.head.http_version == "1.1":
            self.chunked = True
            headers.append(_CHUNKED_HEADER)
        else:
            self.keep_alive = False
        if close_requested:
            self.keep_alive = False
        elif not self.keep_alive:
            headers.append(_CLOSE_HEADER)
        if self.head.method == "HEAD":
            self.send_body = False
            self.chunked = False

        self.pending_head = conn.encode_head(status, headers)
        self.response_state = ResponseState.STREAMING
        conn.loop.call_soon(self._flush_head)

    def _flush_head(self) -> None:
        pending = self.pending_head
        if pending:
            self.pending_head = b""
            self.conn.write(pending)

    def _write_body(self, body: bytes, more_body: bool) -> None:
        conn = self.conn
        if self.remaining is not None:
            self.remaining -= len(body)
            if self.remaining < 0:
                raise RuntimeError("Response content longer than Content-Length")
            if not more_body and self.remaining > 0:
                raise RuntimeError("Response content shorter than Content-Length")
        data = self.pending_head
        self.pending_head = b""
        if body and self.send_body:
            data += conn.encode_body(body, self.chunked)
        if not more_body:
            data += conn.encode_end(self.chunked)
        if data:
            conn.write(data)
        if not more_body:
            self.response_state = ResponseState.COMPLETE
            self._wake()
            conn.cycle_finished(self)
