"""One ASGI HTTP request/response exchange: ``receive``, ``send`` and the app's outcome.

Written once for every HTTP plugin. The connection feeds request body events in; the
app's messages are checked here (order, Content-Length, HEAD, 1xx/204/304 without body)
and turned into bytes, through the connection's ``encode_*`` methods when a plugin
overrides them to go through its own library.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final

from uvicorn._eager import resume
from uvicorn._types import ASGI3Application, ASGIReceiveEvent, ASGISendEvent, HTTPScope
from uvicorn.protocols.http.wire import CHUNKED_END, encode_head
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

if TYPE_CHECKING:
    from uvicorn.protocols.http.connection import HTTPConnection
    from uvicorn.protocols.http.request import RequestHead

HIGH_WATER_LIMIT: Final = 65536

_CONTENT_LENGTH: Final = b"content-length"
_CONNECTION: Final = b"connection"
_TRANSFER_ENCODING: Final = b"transfer-encoding"
FRAMING_HEADER_NAMES: Final = frozenset((_CONTENT_LENGTH, _CONNECTION, _TRANSFER_ENCODING))
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
    STREAMING = "streaming"  # head encoded (maybe not yet written), body messages expected
    COMPLETE = "complete"  # the last body message was sent


_RECEIVING: Final = RequestBodyState.RECEIVING
_COMPLETE: Final = RequestBodyState.COMPLETE
_DELIVERED: Final = RequestBodyState.DELIVERED
_DISCONNECTED: Final = RequestBodyState.DISCONNECTED
_AWAITING_START: Final = ResponseState.AWAITING_START
_STREAMING: Final = ResponseState.STREAMING
_DONE: Final = ResponseState.COMPLETE


class RequestResponseCycle:
    __slots__ = (
        "app",
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
        "startable",
        "started",
        "status",
        "waiter",
    )

    def __init__(
        self, conn: HTTPConnection, head: RequestHead, scope: HTTPScope, app: ASGI3Application
    ) -> None:
        self.conn = conn
        self.head = head
        self.scope = scope
        self.app = app
        self.started = False
        self.startable = False
        self.body = b""
        self.body_state = _RECEIVING
        self.response_state = _AWAITING_START
        self.keep_alive = head.keep_alive
        self.expect_continue = head.expect_continue
        self.waiter: asyncio.Future[None] | None = None
        self.chunked = False
        self.send_body = True
        self.remaining: int | None = None
        self.pending_head = b""
        self.status = 0

    # -- events from the connection ----------------------------------------------------

    def body_received(self, chunk: bytes) -> None:
        if self.response_state is _DONE:
            return  # the app has answered; the rest of the body is read and dropped
        self.body += chunk
        if len(self.body) > HIGH_WATER_LIMIT:
            self.conn.pause_reading()
        if self.waiter is not None:
            self._wake()

    def body_complete(self) -> None:
        if self.body_state is _RECEIVING:
            self.body_state = _COMPLETE
        if self.waiter is not None:
            self._wake()

    def client_disconnected(self) -> None:
        self.body_state = _DISCONNECTED
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    # -- the app's outcome -------------------------------------------------------------

    async def finish_asgi(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        """Run the rest of an app that suspended during its eager first step."""
        try:
            result = await resume(coro, yielded)
        except asyncio.CancelledError:
            self.abort_response()  # cancelled by a forced shutdown: nothing to report
            raise
        except BaseException as exc:  # noqa: BLE001 - app_raised logs, re-raises non-Exception
            self.app_raised(exc)
        else:
            self.app_returned(result)

    def app_raised(self, exc: BaseException) -> None:
        self.conn.logger.error("Exception in ASGI application\n", exc_info=exc)
        self.abort_response()
        if not isinstance(exc, Exception):
            raise exc

    def app_returned(self, result: object) -> None:
        if self.body_state is _DISCONNECTED and result is None:
            # The client left; whatever the app sent after that was dropped on purpose.
            self.abort_response()
            return
        if result is not None:
            self.conn.logger.error("ASGI callable should return None, but returned '%s'.", result)
            self.abort_response()
        elif self.response_state is _AWAITING_START:
            self.conn.logger.error("ASGI callable returned without starting response.")
            self.abort_response()
        elif self.response_state is not _DONE:
            self.conn.logger.error("ASGI callable returned without completing response.")
            self.abort_response()

    def abort_response(self) -> None:
        """Answer 500 if nothing was written yet, else cut the connection: the response broke."""
        if self.response_state is _DONE:
            return
        conn = self.conn
        nothing_written = self.response_state is _AWAITING_START or self.pending_head != b""
        self.pending_head = b""
        if nothing_written and self.body_state is not _DISCONNECTED:
            conn.send_error_response(500)
        else:
            conn.close_transport()
        self.response_state = _DONE
        self.keep_alive = False
        conn.cycle_finished(self)

    # -- the ASGI callables ------------------------------------------------------------

    async def receive(self) -> ASGIReceiveEvent:
        if self.expect_continue:
            self.expect_continue = False
            if self.body_state is _RECEIVING:
                self.conn.write(self.conn.encode_head(100, []))
        state = self.body_state
        if state is _RECEIVING and not self.body:
            self.conn.resume_reading()
            await self._wait()
        elif state is _DELIVERED and self.response_state is not _DONE:
            await self._wait()

        state = self.body_state
        if state is _DISCONNECTED or state is _DELIVERED or self.response_state is _DONE:
            return {"type": "http.disconnect"}
        body = self.body
        self.body = b""
        if state is _COMPLETE:
            self.body_state = _DELIVERED
            return {"type": "http.request", "body": body, "more_body": False}
        self.conn.resume_reading()
        return {"type": "http.request", "body": body, "more_body": True}

    async def _wait(self) -> None:
        waiter = self.waiter
        if waiter is None:
            waiter = self.waiter = self.conn.loop.create_future()
        await waiter

    async def send(self, message: ASGISendEvent) -> None:
        state = self.response_state
        if state is _STREAMING:
            if message["type"] != "http.response.body":
                raise RuntimeError(
                    f"Expected ASGI message 'http.response.body', but got '{message['type']}'."
                )
            if self.body_state is _DISCONNECTED:
                return
            self._write_body(message.get("body", b""), message.get("more_body", False))
            if self.conn.write_paused:
                await self.conn.drain()
        elif state is _AWAITING_START:
            if message["type"] != "http.response.start":
                raise RuntimeError(
                    f"Expected ASGI message 'http.response.start', but got '{message['type']}'."
                )
            if self.body_state is _DISCONNECTED:
                return
            self._start_response(message)  # type: ignore[arg-type]  # start message, checked
        else:
            raise RuntimeError(
                f"Unexpected ASGI message '{message['type']}' sent, after response already "
                "completed."
            )

    def _start_response(self, message: dict[str, Any]) -> None:
        conn = self.conn
        status: int = message["status"]
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

        special = conn.special_header_names
        app_headers: list[tuple[bytes, bytes]] = []
        content_length: int | None = None
        close_requested = False
        replaced: set[bytes] | None = None
        for header in message.get("headers", ()):
            name, value = header
            lower_name = name.lower()
            if lower_name in special:
                if lower_name == _CONTENT_LENGTH:
                    try:
                        content_length = int(value)
                    except ValueError:
                        raise RuntimeError(
                            f"Invalid Content-Length header {value!r} in response."
                        ) from None
                elif lower_name == _CONNECTION:
                    close_requested = b"close" in value.lower()
                elif lower_name == _TRANSFER_ENCODING:
                    continue  # framing is the server's job
                else:
                    replaced = replaced or set()
                    replaced.add(lower_name)
            app_headers.append(header)

        head = self.head
        if status < 200 or status == 204 or status == 304:
            self.send_body = False
        elif content_length is not None:
            self.remaining = content_length
        elif head.http_version == "1.1":
            self.chunked = True
            app_headers.append(_CHUNKED_HEADER)
        else:
            self.keep_alive = False
        if close_requested:
            self.keep_alive = False
        elif not self.keep_alive:
            app_headers.append(_CLOSE_HEADER)
        if head.method == "HEAD":
            self.send_body = False
            self.chunked = False

        state = conn.server_state
        if replaced:
            defaults = [header for header in state.default_headers if header[0] not in replaced]
            self.pending_head = conn.encode_head(status, defaults + app_headers)
        elif conn.raw_head:
            # The server's own headers are already encoded once a second.
            self.pending_head = encode_head(status, app_headers, state.default_headers_block)
        else:
            self.pending_head = conn.encode_head(status, state.default_headers + app_headers)
        self.response_state = _STREAMING
        if not conn.driving:
            # Running in a task: send the head soon even if the body takes a while. (An
            # eager step flushes it itself when the app suspends.)
            conn.loop.call_soon(self.flush_head)

    def flush_head(self) -> None:
        pending = self.pending_head
        if pending:
            self.pending_head = b""
            self.conn.write(pending)

    def _write_body(self, body: bytes, more_body: bool) -> None:
        if self.remaining is not None:
            self.remaining -= len(body)
            if self.remaining < 0:
                raise RuntimeError("Response content longer than Content-Length")
            if not more_body and self.remaining > 0:
                raise RuntimeError("Response content shorter than Content-Length")
        conn = self.conn
        head = self.pending_head
        self.pending_head = b""
        if conn.raw_encoding:
            if not self.send_body:
                body = b""
            elif self.chunked:
                if body:
                    body = b"".join((head, b"%x\r\n" % len(body), body, b"\r\n"))
                    head = b""
                if not more_body:
                    body += CHUNKED_END
            if len(body) > 4096:
                conn.write(head, body) if head else conn.write(body)
            elif head or body:
                conn.write(head + body)
        else:
            data = head
            if body and self.send_body:
                data += conn.encode_body(body, self.chunked)
            if not more_body:
                data += conn.encode_end(self.chunked)
            if data:
                conn.write(data)
        if not more_body:
            self.response_state = _DONE
            if self.waiter is not None:
                self._wake()
            conn.cycle_finished(self)
