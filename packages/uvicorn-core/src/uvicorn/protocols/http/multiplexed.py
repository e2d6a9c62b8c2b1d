"""The multiplexed (HTTP/2) connection every multiplexed plugin builds on.

A plugin names its frame library's adapter and what identifies its protocol::

    class H2Protocol(MultiplexedConnection):
        codec_class = H2Codec
        alpn_protocol = "h2"
        prior_knowledge_preface = b"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n"

The codec (see :mod:`uvicorn.protocols.http.codec`) reports request heads, body chunks,
ends, resets and window updates; this class runs each stream through the core's request
cycle (see :mod:`uvicorn.protocols.http.stream`) with the validation, concurrency limit,
root path, access log and scope of an HTTP/1.1 request, and owns the connection's
lifecycle: keep-alive timeout, GOAWAY at shutdown, and closing on a protocol error.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from typing import TYPE_CHECKING, Any, ClassVar, Final

from uvicorn._types import HTTPScope
from uvicorn.logging import TRACE_LOG_LEVEL
from uvicorn.protocols.addresses import get_tls_extension
from uvicorn.protocols.base import ConnectionBase
from uvicorn.protocols.http.codec import CodecOptions, FrameCodec, StreamError
from uvicorn.protocols.http.connection import (
    _ASGI_PLACEHOLDER,
    HTTP_SPEC_VERSION,
    INVALID_REQUEST_TEXT,
    ConnectionSettings,
)
from uvicorn.protocols.http.cycle import RequestBodyState, ResponseState
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.request import InvalidRequest, read_stream_head
from uvicorn.protocols.http.stream import Stream, StreamCycle
from uvicorn.protocols.output import flush_connections

if TYPE_CHECKING:
    from uvicorn._state import ServerState
    from uvicorn.config import Config

# Streams a peer may reset before their response is complete, per window of the server's
# clock, before the connection is closed with ENHANCE_YOUR_CALM (Rapid Reset, CVE-2023-44487).
RAPID_RESET_LIMIT: Final = 100
RAPID_RESET_WINDOW: Final = 1.0
# What the peer may send ahead of the apps reading it, over all streams (each stream's
# own window stays the protocol's default): one app that reads slowly cannot stall the
# uploads of the others.
CONNECTION_WINDOW: Final = 16 * 65535
_RECEIVING: Final = RequestBodyState.RECEIVING
_BODY_COMPLETE: Final = RequestBodyState.COMPLETE
_RESPONSE_COMPLETE: Final = ResponseState.COMPLETE


class MultiplexedConnection(ConnectionBase):
    """Base class of multiplexed protocol implementations; see the module docstring."""

    #: The frame library's adapter, built as ``codec_class(events, options)``.
    codec_class: ClassVar[type[FrameCodec]]
    #: The ALPN identifier the core offers over TLS, beside ``http/1.1``.
    alpn_protocol: ClassVar[str]
    #: What a cleartext connection begins with (prior knowledge); None: TLS only.
    prior_knowledge_preface: ClassVar[bytes | None] = None
    #: ``scope["http_version"]``, and what the access log shows after ``HTTP/``.
    http_version: ClassVar[str] = "2"

    __slots__ = (
        "app_state",
        "blocked",
        "codec",
        "config",
        "context",
        "deadline",
        "going_away",
        "held_heads",
        "loop",
        "max_streams",
        "reset_count",
        "reset_window_end",
        "scheme",
        "scope_template",
        "server_state",
        "settings",
        "starting",
        "streams",
        "tls",
    )

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        settings = server_state.connection_settings.get(type(self))
        if settings is None:
            settings = server_state.connection_settings[type(self)] = ConnectionSettings.create(
                config,
                server_state,
                raw_encoding=False,  # the stream frames bodies
                raw_head=False,  # the codec encodes heads
                resets_parser=False,
                check_head_bytes=True,
            )
        self.settings: ConnectionSettings = settings
        self.config = config
        self.server_state = server_state
        self.app_state = app_state
        self.loop = _loop or asyncio.get_event_loop()
        self.pending_output: list[bytes] = []
        self.pending_size = 0
        self.drain_waiters: list[asyncio.Future[None]] = []
        self.write_paused = False
        self.receiving = False
        self.closing = False
        self.context = contextvars.copy_context()
        self.server = None
        self.client = None
        self.scheme = "http"
        self.tls: dict[object, object] | None = None
        self.scope_template: HTTPScope
        self.streams: dict[int, Stream] = {}
        self.held_heads: list[Stream] = []  # streams whose response head waits for the flush
        self.blocked: set[Stream] = set()  # streams whose body waits for the peer's window
        self.deadline = math.inf
        self.going_away = False  # GOAWAY sent or received: no new stream is served
        self.starting: list[StreamCycle] = []  # apps to start once the chunk is parsed
        self.max_streams: int = config.h2_max_concurrent_streams
        self.reset_count = 0  # streams the peer reset early, in the current window
        self.reset_window_end = 0.0
        options = CodecOptions(
            max_concurrent_streams=self.max_streams,
            max_header_list_size=settings.max_head_size,
            connection_window=CONNECTION_WINDOW,
        )
        self.codec: FrameCodec = self.codec_class(self, options)

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        settings = self.settings
        settings.connections.add(self)
        if self.take_transport(transport, settings.local_address):
            self.scheme = "https"
            self.tls = get_tls_extension(self.transport)
        self.scope_template = {
            "type": "http",
            "asgi": _ASGI_PLACEHOLDER,
            "http_version": self.http_version,
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme,
            "method": "GET",
            "root_path": settings.root_path,
            "path": "",
            "raw_path": b"",
            "query_string": b"",
            "headers": [],
            "state": {},
        }
        self.deadline = self.server_state.clock + settings.timeout_request_head
        if settings.trace_enabled:
            settings.logger.log(TRACE_LOG_LEVEL, "%sHTTP/2 connection made", self.log_prefix)
        self.codec.start()
        self.write_codec_output()

    def connection_lost(self, exc: Exception | None) -> None:
        settings = self.settings
        settings.connections.discard(self)
        if settings.trace_enabled:
            settings.logger.log(TRACE_LOG_LEVEL, "%sHTTP/2 connection lost", self.log_prefix)
        self.deadline = math.inf
        self._drop_streams()
        self.pending_output = []
        self.pending_size = 0
        self.write_paused = False
        self.release_drain_waiters()
        self.codec.release()

    def eof_received(self) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.receiving = True
        self.codec.feed_data(data)
        if self.starting:
            self._start_apps()
        self.write_codec_output()
        self.receiving = False
        if self.pending_output:
            self.flush_output()

    def pause_writing(self) -> None:
        # A peer that does not read gets nothing more read from it either: what it makes
        # the server queue (responses, and the acknowledgements of its pings and settings
        # floods) stays bounded by the transport's buffer.
        super().pause_writing()
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if not self.is_closing():
            self.transport.resume_reading()
        self.on_window_opened()

    # -- events from the plugin's codec --------------------------------------------------

    def on_request_head(
        self, stream_id: int, fields: list[tuple[bytes, bytes]], end_stream: bool
    ) -> None:
        if self.going_away or len(self.streams) >= self.max_streams:
            self.codec.reset_stream(stream_id, StreamError.REFUSED_STREAM)
            return
        settings = self.settings
        stream = Stream(self, stream_id)
        stream.cycle = cycle = StreamCycle(stream)
        stream.request_ended = end_stream
        self.streams[stream_id] = stream
        self.deadline = math.inf
        try:
            read_stream_head(cycle, fields, self.http_version, settings.max_head_size)
        except InvalidRequest as exc:
            settings.logger.warning(INVALID_REQUEST_TEXT)
            settings.logger.debug(
                "%sInvalid request (%d): %s", self.log_prefix, exc.status, exc.message
            )
            cycle.response_state = _RESPONSE_COMPLETE  # body data is dropped as it comes
            stream.send_error_response(
                exc.status, INVALID_REQUEST_TEXT if exc.status == 400 else None
            )
            return
        body_limit = settings.limit_request_body
        if body_limit is not None:
            if cycle.content_length is not None and cycle.content_length > body_limit:
                self._body_too_large(stream)
                return
            stream.body_allowance = body_limit  # DATA without a length is counted as it comes

        root_path = settings.root_path
        cycle.scope = scope = self.scope_template.copy()
        scope["asgi"] = {"version": settings.asgi_version, "spec_version": HTTP_SPEC_VERSION}
        scope["method"] = cycle.method
        if root_path:
            scope["path"] = root_path + cycle.path
            scope["raw_path"] = settings.root_raw_path + cycle.raw_path
        else:
            scope["path"] = cycle.path
            scope["raw_path"] = cycle.raw_path
        scope["query_string"] = cycle.query_string
        scope["headers"] = cycle.headers
        scope["state"] = self.app_state.copy()
        extensions: dict[str, dict[object, object]] = {
            "http.response.trailers": {},
            "http.response.pathsend": {},
        }
        if self.tls is not None:
            extensions["tls"] = self.tls
        scope["extensions"] = extensions
        limit = settings.limit_concurrency
        if limit is not None and (
            len(settings.connections) > limit or len(settings.tasks) >= limit
        ):
            cycle.app = service_unavailable
            settings.logger.warning("Exceeded concurrency limit.")
        if end_stream:
            cycle.body_state = _BODY_COMPLETE
        # Started once the chunk is parsed (as an HTTP/1.1 request's first step runs after
        # it): a stream the same chunk resets never runs its app.
        self.starting.append(cycle)

    def _start_apps(self) -> None:
        cycles, self.starting = self.starting, []
        settings = self.settings
        streams = self.streams
        for cycle in cycles:
            if streams.get(cycle.stream.stream_id) is not cycle.stream:
                continue  # reset before its app could start
            self.server_state.total_requests += 1
            context = contextvars.Context() if settings.reset_contextvars else self.context.copy()
            cycle.task = task = self.loop.create_task(cycle.run_asgi(), context=context)
            settings.tasks.add(task)

    def on_body(self, stream_id: int, data: bytes, flow_controlled_length: int) -> None:
        stream = self.streams.get(stream_id)
        if stream is None or stream.cycle.response_state is _RESPONSE_COMPLETE:
            # Nobody will read it: give the room back at once.
            if flow_controlled_length:
                self.codec.acknowledge(stream_id, flow_controlled_length)
            return
        stream.unacknowledged += flow_controlled_length
        if stream.body_allowance is not None:
            stream.body_allowance -= len(data)
            if stream.body_allowance < 0:
                self._body_too_large(stream)
                return
        stream.cycle.body_received(data)

    def _body_too_large(self, stream: Stream) -> None:
        """--limit-request-body on one stream: 413 if its response has not begun, else
        the stream is reset; its app sees http.disconnect, the other streams go on."""
        self.settings.warn_body_too_large(self.log_prefix)
        cycle = stream.cycle
        if cycle.response_state is not _RESPONSE_COMPLETE:
            cycle.client_disconnected()
            cycle.response_state = _RESPONSE_COMPLETE  # what the app sends now is dropped
        stream.body_allowance = None
        stream.send_error_response(413)

    def on_request_end(self, stream_id: int) -> None:
        stream = self.streams.get(stream_id)
        if stream is None:
            return
        stream.request_ended = True
        if stream.cycle.body_state is _RECEIVING:
            stream.cycle.body_complete()
        if stream.ended:
            self.stream_ended(stream)

    def on_stream_reset(self, stream_id: int) -> None:
        stream = self.streams.pop(stream_id, None)
        if stream is None:
            return
        early = stream.cycle.response_state is not _RESPONSE_COMPLETE
        stream.peer_gone()
        self._stream_gone(stream)
        if early:
            self._count_early_reset()

    def _count_early_reset(self) -> None:
        now = self.server_state.clock
        if now >= self.reset_window_end:
            self.reset_window_end = now + RAPID_RESET_WINDOW
            self.reset_count = 0
        self.reset_count += 1
        if self.reset_count > RAPID_RESET_LIMIT and not self.closing:
            self.settings.logger.warning(
                "%sToo many streams reset by the client; closing the connection.",
                self.log_prefix,
            )
            self.codec.close(StreamError.ENHANCE_YOUR_CALM)
            self._drop_streams()
            self.write_codec_output()
            self.close_transport()

    def on_window_opened(self) -> None:
        # Only the streams that wait: a flood of WINDOW_UPDATE frames costs no more.
        for stream in list(self.blocked):
            stream.pump()

    def on_peer_closing(self) -> None:
        self.going_away = True
        if not self.streams:
            self.close_transport()

    def on_protocol_error(self, message: str) -> None:
        self.settings.logger.debug("%sHTTP/2 protocol error: %s", self.log_prefix, message)
        self._drop_streams()
        self.write_codec_output()
        self.close_transport()

    def _drop_streams(self) -> None:
        """The connection ends now: every app still running sees a disconnect."""
        self.going_away = True
        streams = list(self.streams.values())
        self.streams.clear()
        self.held_heads.clear()
        self.blocked.clear()
        self.starting.clear()
        for stream in streams:
            stream.peer_gone()
            stream.detach()

    # -- streams -----------------------------------------------------------------------

    def hold_head(self, stream: Stream) -> None:
        """Send ``stream``'s response head when this loop pass ends, unless body follows."""
        self.held_heads.append(stream)
        if not self.pending_output and not self.receiving:
            queue = self.server_state.flush_queue
            if not queue:
                self.loop.call_soon(flush_connections, queue)
            queue.append(self)

    def stream_ended(self, stream: Stream) -> None:
        """The response on ``stream`` was sent whole; forget it once the request ended too."""
        if self.streams.get(stream.stream_id) is not stream:
            return
        if not stream.request_ended:
            # The app answered without the rest of the body: the peer may stop sending.
            stream.request_ended = True
            self.codec.reset_stream(stream.stream_id, StreamError.NO_ERROR)
            self.write_codec_output()
        del self.streams[stream.stream_id]
        self._stream_gone(stream)

    def reset_stream(self, stream: Stream, error: StreamError) -> None:
        if self.streams.pop(stream.stream_id, None) is None:
            return
        if not stream.ended:
            self.codec.reset_stream(stream.stream_id, error)
            self.write_codec_output()
        stream.peer_gone()
        self._stream_gone(stream)

    def _stream_gone(self, stream: Stream) -> None:
        self.blocked.discard(stream)
        stream.detach()
        if stream.unacknowledged:
            self.codec.acknowledge(stream.stream_id, stream.unacknowledged)
            stream.unacknowledged = 0
            self.write_codec_output()
        if not self.streams:
            if self.going_away:
                self.close_transport()
            else:
                self.deadline = self.server_state.clock + self.settings.timeout_keep_alive

    # -- writing and closing -----------------------------------------------------------

    def write_codec_output(self) -> None:
        data = self.codec.bytes_to_send()
        if data:
            self.write(data)

    def flush_output(self) -> None:
        if self.held_heads:
            streams, self.held_heads = self.held_heads, []
            for stream in streams:
                stream.send_held_head()
            data = self.codec.bytes_to_send()
            if data:
                self.pending_output.append(data)
        super().flush_output()

    def is_closing(self) -> bool:
        return self.closing or self.transport.is_closing()

    def close_transport(self) -> None:
        self.deadline = math.inf
        if self.closing:
            return
        self.closing = True
        if not self.pending_output:
            self.transport.close()

    # -- called by the server ----------------------------------------------------------

    def deadline_expired(self) -> None:
        """Idle for the keep-alive timeout (or no first request in time): say GOAWAY."""
        if self.streams or self.is_closing():
            self.deadline = math.inf
            return
        self.codec.close(StreamError.NO_ERROR)
        self.write_codec_output()
        self.close_transport()

    def shutdown(self) -> None:
        """GOAWAY now; the streams in progress finish, then the connection closes."""
        if self.is_closing():
            return
        if not self.going_away:
            self.going_away = True
            self.codec.close(StreamError.NO_ERROR)
            self.write_codec_output()
        if not self.streams:
            self.close_transport()
