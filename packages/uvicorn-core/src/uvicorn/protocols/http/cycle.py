"""One ASGI HTTP request/response exchange: ``receive``, ``send`` and the app's outcome.

Written once for every HTTP plugin. The connection feeds request body events in; the
app's messages are checked here (order, Content-Length, HEAD, 1xx/204/304 without body)
and turned into bytes, through the connection's ``encode_*`` methods when a plugin
overrides them to go through its own library.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, Final, Protocol

from uvicorn._headers import check_header, encode_header_lines
from uvicorn._types import (
    ASGI3Application,
    ASGIReceiveEvent,
    ASGISendEvent,
    HTTPResponseBodyEvent,
    HTTPResponseTrailersEvent,
    HTTPScope,
)
from uvicorn.protocols.addresses import get_client_addr, get_path_with_query_string
from uvicorn.protocols.base import AppWaiter
from uvicorn.protocols.http.pathsend import send_path
from uvicorn.protocols.http.request import RequestHead
from uvicorn.protocols.http.wire import CHUNKED_END, STATUS_LINES, encode_header_block
from uvicorn.protocols.output import HIGH_WATER_LIMIT

if TYPE_CHECKING:
    from uvicorn._state import ServerState
    from uvicorn.protocols.http.connection import ConnectionSettings


_CONTENT_LENGTH: Final = b"content-length"
_CONNECTION: Final = b"connection"
_TRANSFER_ENCODING: Final = b"transfer-encoding"
FRAMING_HEADER_NAMES: Final = frozenset((_CONTENT_LENGTH, _CONNECTION, _TRANSFER_ENCODING))
_CLOSE_LINE: Final = b"connection: close\r\n"
_CHUNKED_LINE: Final = b"transfer-encoding: chunked\r\n"
_CHUNKED_AND_CLOSE: Final = {
    _CHUNKED_LINE: [(b"transfer-encoding", b"chunked")],
    _CLOSE_LINE: [(b"connection", b"close")],
    _CHUNKED_LINE + _CLOSE_LINE: [(b"transfer-encoding", b"chunked"), (b"connection", b"close")],
}
RESPONSE_HEADERS_CACHE_SIZE: Final = 1024
# Bodies up to this size are joined to what precedes them; larger ones are written as they are.
_INLINE_BODY_SIZE: Final = 4096
_NO_HEADS: Final[dict[tuple[Any, ...], Any]] = {}  # HTTP/1.0 responses: never cached
_CHUNK_AND_MESSAGE_END: Final = b"\r\n" + CHUNKED_END  # the last chunk, then the terminator

# What one list of response headers means for framing, computed once per distinct list:
# the encoded lines, the pairs kept, Content-Length, whether the app asked to close,
# and which server default headers the app replaces.
ResponseHeaders = tuple[bytes, tuple[tuple[bytes, bytes], ...], int | None, bool, frozenset[bytes]]


def analyse_response_headers(
    headers: Iterable[tuple[bytes, bytes]], special: frozenset[bytes]
) -> ResponseHeaders:
    """Check an app's response headers and derive what framing needs from them.

    ``special`` are the names that need a look: framing headers and the server's own
    default headers. Raises RuntimeError for a header that would corrupt the head.
    """
    kept: list[tuple[bytes, bytes]] = []
    content_length: int | None = None
    close_requested = False
    replaced: set[bytes] = set()
    for header in headers:
        name, value = header
        lower_name = name.lower()
        if lower_name in special:
            if lower_name == _CONTENT_LENGTH:
                try:
                    content_length = int(value)
                except ValueError:
                    message = f"Invalid Content-Length header {value!r} in response."
                    raise RuntimeError(message) from None
            elif lower_name == _CONNECTION:
                close_requested = b"close" in value.lower()
            elif lower_name == _TRANSFER_ENCODING:
                continue  # framing is the server's job
            else:
                replaced.add(lower_name)
        kept.append((name, value))
    lines = encode_header_block(kept)  # validates every pair
    return lines, tuple(kept), content_length, close_requested, frozenset(replaced)


class CycleConnection(Protocol):
    """What carries one cycle: an HTTP/1.1 connection, or one stream of an HTTP/2 one.

    ``HTTPConnection`` satisfies it with the very methods its own requests use (no call in
    between on the HTTP/1.1 path); ``multiplexed.Stream`` maps each onto its stream.
    """

    settings: ConnectionSettings
    server_state: ServerState
    loop: asyncio.AbstractEventLoop

    @property
    def write_paused(self) -> bool:
        """True while the sender must await ``drain()`` before writing more."""

    def write(self, data: bytes, *more: bytes) -> None:
        """Queue response bytes (head or body, as the encode_* methods made them)."""

    def encode_head(self, status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
        """The response head for ``write``; a 1xx head is informational."""

    def encode_body(self, data: bytes, chunked: bool) -> bytes: ...

    def encode_end(self, chunked: bool) -> bytes: ...

    def pause_reading(self) -> None:
        """The request body buffered is over the limit: stop reading it."""

    def resume_reading(self) -> None:
        """The app took what was buffered (or waits for more): read on."""

    async def drain(self) -> None:
        """Return when the peer has room for more of the response."""

    def unqueue(self, head: bytes) -> bool:
        """Take back the head if nothing of it left; True when it was taken back."""

    def send_error_response(self, status: int, message: str | None = None) -> None:
        """Answer with an error status, in place of the app's response."""

    def close_transport(self) -> None:
        """The response broke after it began: cut it."""

    def cycle_finished(self, cycle: RequestResponseCycle) -> None:
        """The response is complete (or aborted)."""

    def is_closing(self) -> bool:
        """True once nothing more can be sent (the client left, or the server cut it)."""

    async def send_file(self, file: IO[bytes], count: int) -> None:
        """Send ``count`` bytes of ``file`` as body bytes, after what was written so far
        (``http.response.pathsend``; ``pathsend.copy_file`` does it without zero-copy)."""


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
# Fields a trailer section must not carry (RFC 9110 6.5.1): framing, routing, and those
# a recipient could take for the head's. Dropped from what an app sends.
_NOT_TRAILERS: Final = frozenset(
    (
        b"content-length",
        b"transfer-encoding",
        b"content-type",
        b"content-encoding",
        b"content-range",
        b"host",
        b"connection",
        b"keep-alive",
        b"te",
        b"trailer",
        b"upgrade",
        b"authorization",
        b"set-cookie",
    )
)
_AWAITING_START: Final = ResponseState.AWAITING_START
_STREAMING: Final = ResponseState.STREAMING
_DONE: Final = ResponseState.COMPLETE


class RequestResponseCycle(RequestHead, AppWaiter):
    """One request and its response; the cycle is also the parsed request head."""

    __slots__ = (
        "app",
        "body",
        "body_finished",
        "body_state",
        "conn",
        "queued_head",
        "remaining",
        "request_trailers",
        "response_chunked",
        "response_state",
        "scope",
        "send_body",
        "task",
        "trailer_fields",
        "trailers_expected",
        "waiter",
    )

    scope: HTTPScope
    task: asyncio.Task[None]  # the task running the app, set when it starts

    def __init__(self, conn: CycleConnection) -> None:
        self.conn = conn
        self.app: ASGI3Application = conn.settings.app
        self.body = b""  # request body received and not yet given to the app
        self.body_state = _RECEIVING
        self.response_state = _AWAITING_START
        self.waiter: asyncio.Future[None] | None = None  # receive() or a drain waits on it
        self.response_chunked = False
        self.send_body = True  # False for HEAD and for statuses without a body
        self.remaining: int | None = None  # body bytes the Content-Length still expects
        self.queued_head = b""  # the encoded response head, queued for the socket
        self.trailers_expected = False  # the app announced http.response.trailers
        self.request_trailers: list[tuple[bytes, bytes]] | None = None  # a chunked body's

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

    # -- the app's outcome -------------------------------------------------------------

    async def run_asgi(self) -> None:
        """Run the app for this request; the connection runs this in a task of its own."""
        try:
            result: object = await self.app(self.scope, self.receive, self.send)  # type: ignore[func-returns-value]  # an app may break the contract: reported below
        except asyncio.CancelledError:
            self.abort_response()  # cancelled by a forced shutdown: nothing to report
            raise
        except BaseException as exc:  # noqa: BLE001 - app_raised logs, re-raises non-Exception
            self.app_raised(exc)
        else:
            self.app_returned(result)
        finally:
            self.conn.settings.tasks.discard(self.task)

    def app_raised(self, exc: BaseException) -> None:
        self.conn.settings.logger.error("Exception in ASGI application\n", exc_info=exc)
        self.abort_response()
        if not isinstance(exc, Exception):
            raise exc

    def app_returned(self, result: object) -> None:
        if self.body_state is _DISCONNECTED and result is None:
            # The client left; whatever the app sent after that was dropped on purpose.
            self.abort_response()
            return
        if result is not None:
            self.conn.settings.logger.error(
                "ASGI callable should return None, but returned '%s'.", result
            )
            self.abort_response()
        elif self.response_state is _AWAITING_START:
            self.conn.settings.logger.error("ASGI callable returned without starting response.")
            self.abort_response()
        elif self.response_state is not _DONE:
            self.conn.settings.logger.error("ASGI callable returned without completing response.")
            self.abort_response()

    def abort_response(self) -> None:
        """Answer 500 if nothing was written yet, else cut the connection: the response broke."""
        if self.response_state is _DONE:
            return
        conn = self.conn
        nothing_written = self.response_state is _AWAITING_START or conn.unqueue(self.queued_head)
        self.queued_head = b""
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
            if self.request_trailers is not None:
                # Not in the ASGI spec: the trailer section rides on the last message.
                last: dict[str, object] = {"type": "http.request", "body": body}
                last["more_body"] = False
                last["trailers"] = self.request_trailers
                return last  # type: ignore[return-value]  # an http.request with one more key
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
        if self.body_state is _DISCONNECTED:
            return  # the client is gone: what the app sends is dropped, as ASGI says
        if state is _STREAMING:
            if message["type"] != "http.response.body":
                if message["type"] == "http.response.pathsend":
                    await send_path(self, message["path"])
                    return
                if message["type"] == "http.response.trailers" and self.trailers_expected:
                    self._trailers_received(message)
                    return
                raise RuntimeError(
                    f"Expected ASGI message 'http.response.body', but got '{message['type']}'."
                )
            if self.trailers_expected:
                message = self._last_body_held(message)
            body = message.get("body", b"")
            if (
                self.remaining == len(body)
                and self.send_body
                and not message.get("more_body", False)
            ):
                # The whole body in one message, as the Content-Length announced it (a
                # hello world, a JSON answer): it leaves in the head's write.
                self.remaining = 0
                conn = self.conn
                conn.write(body)
                # What response_complete() does, inlined on the path most responses take.
                self.response_state = _DONE
                if self.waiter is not None:
                    self._wake()
                conn.cycle_finished(self)
            else:
                self._write_body(body, message.get("more_body", False))
            if self.conn.write_paused:
                await self.conn.drain()
        elif state is _AWAITING_START:
            if message["type"] != "http.response.start":
                raise RuntimeError(
                    f"Expected ASGI message 'http.response.start', but got '{message['type']}'."
                )
            conn = self.conn
            if conn.settings.access_log:
                self._log_access(message["status"])
            # The whole head is cached once per second for each status and header list.
            key: tuple[Any, ...] = (message["status"], *message.get("headers", ()))
            if self.keep_alive:
                heads = conn.server_state.response_heads
            elif self.http_version == "1.1":
                heads = conn.server_state.closing_response_heads
            else:
                heads = _NO_HEADS
            try:
                framing = heads.get(key)
            except TypeError:  # pairs given as lists: analysed every time, never cached
                self._start_response(key, None)
            else:
                if framing is not None and self.method != "HEAD":
                    self.queued_head, self.remaining, self.response_chunked, self.send_body = (
                        framing
                    )
                    self.response_state = _STREAMING
                else:
                    self._start_response(key, heads)
            if message.get("trailers", False):  # offered or not, the app's word is kept
                self.trailers_expected = True
                self.body_finished = False
                self.trailer_fields: list[tuple[bytes, bytes]] = []
            # Queued, not written: a body sent in the same loop pass leaves in the same write.
            conn.write(self.queued_head)
        else:
            raise RuntimeError(
                f"Unexpected ASGI message '{message['type']}' sent, after response already "
                "completed."
            )

    # -- response trailers (the http.response.trailers extension) -------------------------

    def _last_body_held(self, message: ASGISendEvent) -> HTTPResponseBodyEvent:
        """Trailers follow: the last body message leaves the body open for them."""
        if self.body_finished:
            raise RuntimeError(
                "Unexpected ASGI message 'http.response.body' sent, after the last body message."
            )
        body: HTTPResponseBodyEvent = message  # type: ignore[assignment]  # checked by send()
        if body.get("more_body", False):
            return body
        self.body_finished = True
        return {"type": "http.response.body", "body": body.get("body", b""), "more_body": True}

    def _trailers_received(self, message: HTTPResponseTrailersEvent) -> None:
        if not self.body_finished:
            raise RuntimeError(
                "Expected ASGI message 'http.response.body' with more_body False before "
                "'http.response.trailers'."
            )
        for name, value in message.get("headers", ()):
            check_header(name, value)
            self.trailer_fields.append((bytes(name).lower(), bytes(value)))
        if message.get("more_trailers", False):
            return
        if self.remaining:
            raise RuntimeError("Response content shorter than Content-Length")
        if self.end_with_trailers(self.trailer_fields):
            self.response_complete()
        else:
            self._write_body(b"", False)  # no trailer section here: the body ends as usual

    def end_with_trailers(self, fields: list[tuple[bytes, bytes]]) -> bool:
        """End the body with ``fields`` as its trailer section, where the framing has one;
        False leaves the body to end as it would have without them.

        HTTP/1.1 has one in chunked framing only, and sends it to a client that said
        ``TE: trailers`` (not after a Content-Length, a HEAD request, or without that TE).
        A multiplexed stream overrides this.
        """
        conn = self.conn
        if not (
            self.send_body
            and self.response_chunked
            and self.accepts_trailers
            and conn.settings.raw_encoding
        ):
            return False
        fields = [field for field in fields if field[0] not in _NOT_TRAILERS]
        conn.write(b"0\r\n" + encode_header_lines(fields) + b"\r\n")
        return True

    def _log_access(self, status: int) -> None:
        scope = self.scope
        self.conn.settings.access_logger.info(
            '%s - "%s %s HTTP/%s" %d',
            get_client_addr(scope),
            scope["method"],
            get_path_with_query_string(scope),
            scope["http_version"],
            status,
        )

    def _start_response(
        self, key: tuple[Any, ...], heads: dict[tuple[Any, ...], Any] | None
    ) -> None:
        """Frame a response from ``(status, *headers)`` and keep its head in ``heads``.

        ``heads`` is the cache of whole heads that send() chose for this request's framing
        (``_NO_HEADS`` where none applies), None when the headers are unhashable.
        """
        conn = self.conn
        cacheable = heads is not None
        status: int = key[0]
        headers = key[1:]
        cache = conn.server_state.response_headers
        info = cache.get(headers) if cacheable else None
        if info is None:
            info = analyse_response_headers(headers, conn.settings.special_header_names)
            if cacheable:
                if len(cache) >= RESPONSE_HEADERS_CACHE_SIZE:
                    cache.clear()
                cache[headers] = info
        lines, app_headers, content_length, close_requested, replaced = info

        extra = b""
        kept_alive = self.keep_alive  # the framing send() chose heads for
        if status < 200 or status == 204 or status == 304:
            self.send_body = False
        elif content_length is not None:
            self.remaining = content_length
        elif self.http_version == "1.1":
            self.response_chunked = True
            extra = _CHUNKED_LINE
        else:
            self.keep_alive = False
        if close_requested:
            self.keep_alive = False
        elif not self.keep_alive:
            extra += _CLOSE_LINE
        if self.method == "HEAD":
            self.send_body = False
            self.response_chunked = False

        state = conn.server_state
        if conn.settings.raw_head and not replaced:
            # The server's own headers are encoded once a second, the app's once per
            # distinct header list.
            status_line = STATUS_LINES.get(status)
            if status_line is None:
                raise RuntimeError(f"Invalid HTTP status code {status!r} in response.")
            self.queued_head = b"".join(
                (status_line, state.default_headers_block, lines, extra, b"\r\n")
            )
        else:
            defaults = state.default_headers
            if replaced:
                defaults = [header for header in defaults if header[0] not in replaced]
            pairs = [*defaults, *app_headers]
            if extra:
                pairs += _CHUNKED_AND_CLOSE[extra]
            self.queued_head = conn.encode_head(status, pairs)
        self.response_state = _STREAMING
        if (
            heads is not None
            and heads is not _NO_HEADS
            and conn.settings.raw_head
            and self.method != "HEAD"
            and self.keep_alive == kept_alive
        ):
            if len(heads) >= RESPONSE_HEADERS_CACHE_SIZE:
                heads.clear()
            heads[key] = (self.queued_head, self.remaining, self.response_chunked, self.send_body)

    def _write_body(self, body: bytes, more_body: bool) -> None:
        if self.remaining is not None:
            self.remaining -= len(body)
            if self.remaining < 0:
                raise RuntimeError("Response content longer than Content-Length")
            if not more_body and self.remaining > 0:
                raise RuntimeError("Response content shorter than Content-Length")
        conn = self.conn
        if conn.settings.raw_encoding:
            if not self.send_body:
                body = b""
            elif self.response_chunked:
                if len(body) > _INLINE_BODY_SIZE:  # framed around the body, which is not copied
                    end = _CHUNK_AND_MESSAGE_END if not more_body else b"\r\n"
                    conn.write(b"%x\r\n" % len(body), body, end)
                    body = b""
                else:
                    if body:
                        body = b"".join((b"%x\r\n" % len(body), body, b"\r\n"))
                    if not more_body:
                        body += CHUNKED_END
            conn.write(body)
        else:
            data = b""
            if body and self.send_body:
                data += conn.encode_body(body, self.response_chunked)
            if not more_body:
                data += conn.encode_end(self.response_chunked)
            if data:
                conn.write(data)
        if not more_body:
            self.response_complete()

    def finish_file_body(self, sent: int) -> None:
        """The file of a pathsend is written (``sent`` bytes): end the body, as
        ``_write_body`` ends a last body message."""
        if self.remaining is not None:
            self.remaining -= sent
        self._write_body(b"", False)

    def response_complete(self) -> None:
        self.response_state = _DONE
        if self.waiter is not None:
            self._wake()
        self.conn.cycle_finished(self)
