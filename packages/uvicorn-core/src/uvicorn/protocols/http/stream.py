"""One stream of a multiplexed connection, as the core's request cycle sees it.

A :class:`Stream` is what a :class:`~uvicorn.protocols.http.cycle.RequestResponseCycle`
writes to in place of an HTTP/1.1 connection (it satisfies ``CycleConnection``): the
response head is held until the body or the end of the loop pass (so that an app failing
right after ``http.response.start`` still gets a 500), the body leaves as the peer's
flow-control windows allow, and the request body is acknowledged as the app takes it.
"""

from __future__ import annotations

import asyncio
from typing import IO, TYPE_CHECKING, Final

from uvicorn.protocols.http.codec import StreamError
from uvicorn.protocols.http.cycle import RequestBodyState, RequestResponseCycle, ResponseState
from uvicorn.protocols.http.pathsend import copy_file
from uvicorn.protocols.http.wire import status_phrase

if TYPE_CHECKING:
    from uvicorn._state import ServerState
    from uvicorn.protocols.http.connection import ConnectionSettings
    from uvicorn.protocols.http.multiplexed import MultiplexedConnection

# Response fields that only mean something on one HTTP/1.1 connection (RFC 9113 8.2.2).
CONNECTION_SPECIFIC: Final = frozenset(
    (b"connection", b"transfer-encoding", b"keep-alive", b"proxy-connection", b"upgrade")
)
_STREAMING: Final = ResponseState.STREAMING
_DONE: Final = ResponseState.COMPLETE
_DISCONNECTED: Final = RequestBodyState.DISCONNECTED

Fields = list[tuple[bytes, bytes]]


def response_fields(headers: Fields) -> Fields:
    """Header fields as a multiplexed protocol sends them: lower-case, no framing fields."""
    fields = []
    for name, value in headers:
        lower = name.lower()
        if lower not in CONNECTION_SPECIFIC:
            fields.append((lower, value))
    return fields


class Stream:
    """What one stream's request cycle writes to; see the module docstring."""

    __slots__ = (
        "body_allowance",
        "connection",
        "cycle",
        "drain_waiters",
        "end_requested",
        "ended",
        "head",
        "head_sent",
        "loop",
        "outbound",
        "request_ended",
        "server_state",
        "settings",
        "stream_id",
        "trailers",
        "unacknowledged",
    )

    cycle: StreamCycle

    def __init__(self, connection: MultiplexedConnection, stream_id: int) -> None:
        self.connection = connection
        self.stream_id = stream_id
        self.settings: ConnectionSettings = connection.settings
        self.server_state: ServerState = connection.server_state
        self.loop: asyncio.AbstractEventLoop = connection.loop
        self.head: tuple[int, Fields] | None = None  # a final head not yet given to the codec
        self.head_sent = False
        self.outbound = bytearray()  # body bytes waiting for the peer's window
        self.trailers: Fields | None = None
        self.end_requested = False  # the response is complete: end the stream once sent
        self.ended = False  # the stream was ended or reset: nothing more is sent
        self.request_ended = False  # the peer ended its side (or will send nothing more)
        self.unacknowledged = 0  # request body bytes received and not yet acknowledged
        self.drain_waiters: list[asyncio.Future[None]] = []
        self.body_allowance: int | None = None  # what --limit-request-body still allows

    # -- CycleConnection ---------------------------------------------------------------

    @property
    def write_paused(self) -> bool:
        return bool(self.outbound) or self.connection.write_paused

    def encode_head(self, status: int, headers: Fields) -> bytes:
        """Hold a final head until the body or the end of the loop pass; send a 1xx now.

        Returns no bytes: the codec encodes heads (its header compression is stateful, so
        a head can only be taken back before it reaches the codec).
        """
        if not 100 <= status <= 599:
            raise RuntimeError(f"Invalid HTTP status code {status!r} in response.")
        fields = response_fields(headers)
        if status < 200:
            if not self.head_sent and self.head is None and not self.ended and status != 101:
                self.connection.codec.send_head(self.stream_id, status, fields, False)
                self.connection.write_codec_output()
            return b""
        self.head = (status, fields)
        self.connection.hold_head(self)
        return b""

    def encode_body(self, data: bytes, chunked: bool) -> bytes:
        return data

    def encode_end(self, chunked: bool) -> bytes:
        return b""

    def write(self, data: bytes, *more: bytes) -> None:
        if self.ended or not (data or more):
            return
        if more:
            data = b"".join((data, *more))
        self.outbound += data
        self.pump()

    def pause_reading(self) -> None:
        """Nothing to do: the stream's window bounds what the peer may send unread."""

    def resume_reading(self) -> None:
        """The app took the body received so far: give its room back to the peer."""
        size = self.unacknowledged
        if size:
            self.unacknowledged = 0
            self.connection.codec.acknowledge(self.stream_id, size)
            self.connection.write_codec_output()

    async def drain(self) -> None:
        if self.outbound and not self.ended:
            waiter = self.loop.create_future()
            self.drain_waiters.append(waiter)
            await waiter
        if self.connection.write_paused and not self.ended:
            await self.connection.drain()

    def unqueue(self, head: bytes) -> bool:
        if self.head is not None:
            self.head = None
            return True
        return False

    def send_error_response(self, status: int, message: str | None = None) -> None:
        if self.ended:
            return
        if self.head_sent:  # one final head per stream: the response can only be cut
            self.close_transport()
            return
        body = (message or status_phrase(status)).encode("utf-8")
        headers = [
            *self.server_state.default_headers,
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", b"%d" % len(body)),
        ]
        self.head = (status, response_fields(headers))
        self.outbound = bytearray(body)
        self.end_requested = True
        self.pump()

    def close_transport(self) -> None:
        """Cut this stream only: the connection and its other streams go on."""
        self.connection.reset_stream(self, StreamError.INTERNAL_ERROR)

    def cycle_finished(self, cycle: RequestResponseCycle) -> None:
        if not self.ended and not self.end_requested:
            self.end_requested = True
            self.pump()

    def is_closing(self) -> bool:
        return self.ended

    async def send_file(self, file: IO[bytes], count: int) -> None:
        await copy_file(self, file, count)  # DATA frames: no zero-copy path

    # -- sending -----------------------------------------------------------------------

    def send_held_head(self) -> None:
        """Give the held head to the codec, ending the stream with it when nothing follows."""
        head = self.head
        if head is None or self.ended:
            return
        self.head = None
        self.head_sent = True
        end = self.end_requested and not self.outbound and self.trailers is None
        self.connection.codec.send_head(self.stream_id, head[0], head[1], end)
        if end:
            self.ended = True

    def pump(self) -> None:
        """Send what the peer's windows allow; end the stream once everything left."""
        if self.ended:
            return
        if self.head is not None:
            self.send_held_head()
        codec = self.connection.codec
        stream_id = self.stream_id
        outbound = self.outbound
        while outbound and not self.ended:
            window = codec.send_window(stream_id)
            if window <= 0:
                break
            size = min(window, codec.max_frame_size(), len(outbound))
            chunk = bytes(outbound[:size])
            del outbound[:size]
            last = self.end_requested and not outbound and self.trailers is None
            codec.send_data(stream_id, chunk, last)
            if last:
                self.ended = True
        if not outbound and self.end_requested and not self.ended:
            if self.trailers is not None:
                codec.send_trailers(stream_id, self.trailers)
            else:
                codec.send_data(stream_id, b"", True)
            self.ended = True
        self.connection.write_codec_output()
        if outbound and not self.ended:
            self.connection.blocked.add(self)
        else:
            self.connection.blocked.discard(self)
            self.release_drain_waiters()
        if self.ended:
            self.connection.stream_ended(self)

    # -- from the connection -----------------------------------------------------------

    def peer_gone(self) -> None:
        """The peer reset the stream or the connection was lost: the app is told."""
        self.ended = True
        self.head = None
        self.outbound.clear()
        self.cycle.client_disconnected()
        self.release_drain_waiters()

    def detach(self) -> None:
        """The stream left its connection: drop its cycle, which the app's task may still
        hold, so that the two are freed by reference counting, not by the cyclic collector."""
        del self.cycle

    def release_drain_waiters(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


class StreamCycle(RequestResponseCycle):
    """The request cycle of one stream: the core's cycle, ending with trailers on the stream."""

    __slots__ = ("stream",)

    def __init__(self, stream: Stream) -> None:
        super().__init__(stream)
        self.stream = stream

    def end_with_trailers(self, fields: list[tuple[bytes, bytes]]) -> bool:
        if self.body_state is not _DISCONNECTED:
            self.stream.trailers = response_fields(fields)
        return True  # the stream ends with them once the response completes
