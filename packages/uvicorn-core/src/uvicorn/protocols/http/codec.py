"""The boundary between a multiplexed protocol's frame library (h2) and the core.

A plugin writes one class that satisfies :class:`FrameCodec` and names it on its
connection class::

    class H2Protocol(MultiplexedConnection):
        codec_class = H2Codec
        alpn_protocol = "h2"
        prior_knowledge_preface = b"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n"

The core builds it as ``codec_class(events, options)`` per connection, feeds it every
chunk read, and asks it for the bytes to write after each call. The codec reports what it
parsed only through :class:`StreamEvents`; everything else (the ASGI cycle per stream,
validation, flow control decisions, limits, shutdown) is the core's.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Protocol


class StreamError(enum.IntEnum):
    """Why the core resets a stream or closes a connection (HTTP/2 codes, RFC 9113 s. 7).

    A codec for another protocol maps each to its own code.
    """

    NO_ERROR = 0x0
    PROTOCOL_ERROR = 0x1
    INTERNAL_ERROR = 0x2
    REFUSED_STREAM = 0x7
    CANCEL = 0x8
    ENHANCE_YOUR_CALM = 0xB


@dataclasses.dataclass(frozen=True, slots=True)
class CodecOptions:
    """What the server's configuration decides for a codec."""

    max_concurrent_streams: int  # advertised; the codec refuses streams beyond it
    max_header_list_size: int  # the request head limit, the same as HTTP/1.1's
    connection_window: int  # the receive window of the whole connection, set at start


class StreamEvents(Protocol):
    """What a codec calls on the connection that feeds it."""

    def on_request_head(
        self, stream_id: int, fields: list[tuple[bytes, bytes]], end_stream: bool
    ) -> None:
        """A request's header fields, pseudo-header fields first, names lower-cased.

        The core validates them itself (RFC 9113 section 8.1.1) and answers a bad one.
        """

    def on_body(self, stream_id: int, data: bytes, flow_controlled_length: int) -> None:
        """Request body bytes. The core acknowledges ``flow_controlled_length`` through
        ``acknowledge`` once the app has taken them (or at once, when nobody will)."""

    def on_request_end(self, stream_id: int) -> None:
        """The request on ``stream_id`` is complete (trailers, if any, are dropped)."""

    def on_stream_reset(self, stream_id: int) -> None:
        """The peer reset ``stream_id``: its app sees ``http.disconnect``."""

    def on_window_opened(self) -> None:
        """The peer's flow-control windows grew: blocked response bodies may go on."""

    def on_peer_closing(self) -> None:
        """The peer sent GOAWAY: the connection closes once its streams are done."""

    def on_protocol_error(self, message: str) -> None:
        """Invalid input ended the connection; the codec already queued its GOAWAY."""


class FrameCodec(Protocol):
    """A frame library's adapter, as the core uses it. Every method only queues bytes:
    the core collects them with ``bytes_to_send`` and writes them."""

    def __init__(self, events: StreamEvents, options: CodecOptions) -> None: ...

    def start(self) -> None:
        """Queue the server's connection preface (its settings)."""

    def feed_data(self, data: bytes) -> None:
        """Parse bytes from the peer and report them to the events."""

    def send_head(
        self, stream_id: int, status: int, headers: list[tuple[bytes, bytes]], end_stream: bool
    ) -> None:
        """A response head (1xx heads are informational and never end the stream)."""

    def send_data(self, stream_id: int, data: bytes, end_stream: bool) -> None:
        """Body bytes; ``data`` fits ``send_window`` and ``max_frame_size``."""

    def send_trailers(self, stream_id: int, headers: list[tuple[bytes, bytes]]) -> None:
        """Trailer fields, which end the stream."""

    def reset_stream(self, stream_id: int, error: StreamError) -> None: ...

    def acknowledge(self, stream_id: int, size: int) -> None:
        """Give ``size`` bytes of request body back to the peer's windows."""

    def send_window(self, stream_id: int) -> int:
        """How many body bytes the peer accepts on ``stream_id`` now."""

    def max_frame_size(self) -> int: ...

    def close(self, error: StreamError) -> None:
        """GOAWAY, naming the last stream the peer opened as the last one served."""

    def bytes_to_send(self) -> bytes: ...

    def release(self) -> None:
        """The connection was lost: drop every reference to the events (nothing is
        called after), so that the connection is freed without the cyclic collector."""
