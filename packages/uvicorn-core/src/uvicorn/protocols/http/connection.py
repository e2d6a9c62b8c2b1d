"""The HTTP/1.1 connection every HTTP plugin builds on.

A plugin names its parser and nothing else::

    class H11Protocol(HTTPConnection):
        parser_class = H11Parser

The parser (see :mod:`uvicorn.protocols.http.parser`) sees the connection only through
the ``ParserEvents`` protocol: request head, body, end of message, upgrade reached, bad
input. What a plugin does besides parsing, it declares as class attributes:

* ``encodes_head = True`` when it overrides ``encode_head(status, headers)`` (to write
  response heads through its own library or add to them); ``frames_body = True`` when it
  overrides ``encode_body``/``encode_end``. Without them the core writes HTTP/1.1 itself.

The older way, where the plugin class is the parser (``init_parser``/``feed_data``/
``prepare_next_message``/``release_parser`` and ``hand_off_upgrade``), still works for
classes that set no ``parser_class``; new plugins should not use it.

Everything else lives here, once: connection lifecycle, keep-alive and request-head
timeouts, pipelining, flow control, request validation, the concurrency limit, error
responses and graceful shutdown.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
import math
import re
from collections import deque
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, ClassVar, Final, Literal

from uvicorn._types import ASGI3Application, ASGIVersions, HTTPScope
from uvicorn.logging import TRACE_LOG_LEVEL
from uvicorn.observers import ConnectionInfo, Observers, notify
from uvicorn.protocols.addresses import get_tls_extension
from uvicorn.protocols.base import ConnectionBase, released
from uvicorn.protocols.http import wire
from uvicorn.protocols.http.cycle import (
    FRAMING_HEADER_NAMES,
    RequestBodyState,
    RequestResponseCycle,
    ResponseState,
)
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.observed import ObservedCycle
from uvicorn.protocols.http.parser import RequestParser
from uvicorn.protocols.http.pathsend import copy_file
from uvicorn.protocols.http.request import (
    InvalidRequest,
    RequestHead,
    check_trailer_fields,
    read_request_head,
)
from uvicorn.protocols.reads import LARGE_READ, read_into_buffer
from uvicorn.protocols.websockets.connection import WebSocketConnection

if TYPE_CHECKING:
    from uvicorn._state import ServerState
    from uvicorn.config import Config

DEFAULT_MAX_HEAD_SIZE: Final = 16 * 1024
HTTP_SPEC_VERSION: Final = "2.3"
# At shutdown, how long a connection that has not sent its first request yet may still
# deliver it. A worker stopping during a rolling restart may have accepted a connection
# from the shared socket an instant before; closing it would drop that request. A pool
# member that stops gives its idle keep-alive connections the same grace.
FIRST_REQUEST_GRACE: Final = 1.0
# chunk_length outside data_received: larger than any head limit, so heads get measured.
_UNKNOWN_LENGTH: Final = 1 << 62
_RESPONSE_COMPLETE: Final = ResponseState.COMPLETE
_BODY_RECEIVING: Final = RequestBodyState.RECEIVING
_BODY_COMPLETE: Final = RequestBodyState.COMPLETE
# Stands in for the per-request "asgi" entry in a connection's scope template.
_ASGI_PLACEHOLDER: Final[ASGIVersions] = {"version": "3.0", "spec_version": HTTP_SPEC_VERSION}
# The ASGI extensions every HTTP scope carries: http.response.pathsend has no options.
_PATHSEND: Final = "http.response.pathsend"
_TRAILERS: Final = "http.response.trailers"
_NO_OPTIONS: Final[dict[object, object]] = {}
# What a client is told about a malformed request, and what the log says (as upstream).
INVALID_REQUEST_TEXT: Final = "Invalid HTTP request received."
# Finds a line end in bytes or in a view of the read buffer (which has no find()).
_NEWLINE: Final = re.compile(b"\n")


class HTTPConnection(ConnectionBase):
    """Base class of HTTP/1.1 protocol implementations; see the module docstring."""

    #: The plugin's parser class, built as ``parser_class(self, max_head_size)``.
    parser_class: ClassVar[type[RequestParser] | None] = None
    #: Declared by a plugin that overrides ``encode_head``.
    encodes_head: ClassVar[bool] = False
    #: Declared by a plugin that overrides ``encode_body`` and ``encode_end``.
    frames_body: ClassVar[bool] = False
    #: Declared by a plugin whose parser refuses what read_request_head would (a method or
    #: header name that is no RFC 9110 token, a control byte in a header value): the core
    #: then skips checking those bytes again. The conformance tests hold it to that.
    validates_head_bytes: ClassVar[bool] = False
    #: Declared by a plugin whose parser's ``feed_data`` takes any bytes-like object and
    #: keeps no reference to it once it returns (it copies what it holds back, and its
    #: events carry bytes). The core may then hand it views of a read buffer it reuses,
    #: which spares a large upload one copy (see uvicorn.protocols.reads).
    parser_accepts_views: ClassVar[bool] = False

    __slots__ = (
        "app_state",
        "awaiting_head",
        "body_allowance",
        "body_limited",
        "body_timed",
        "chunk_length",
        "config",
        "context",
        "cycle",
        "deadline",
        "declined_body_left",
        "declined_upgrade",
        "draining",
        "feed",
        "head_bytes",
        "loop",
        "newline_seen",
        "next_message",
        "next_request_held",
        "observed",
        "parser",
        "parsing",
        "pipeline",
        "read_paused",
        "scheme",
        "scope_template",
        "served",
        "server_state",
        "settings",
        "tls",
        "upgrade_pending",
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
            settings = server_state.connection_settings[type(self)] = ConnectionSettings.build(
                type(self), config, server_state
            )
        # Every attribute lives in a slot: reads and writes of connection state are as
        # fast as attribute access gets (class-level defaults or an instance dict of this
        # size take the slow, generic lookup on Python 3.11).
        self.settings: ConnectionSettings = settings
        self.config = config
        self.server_state = server_state
        self.app_state = app_state
        self.loop = _loop or asyncio.get_event_loop()
        self.pipeline: deque[RequestResponseCycle] = deque()
        self.pending_output: list[bytes] = []
        self.pending_size = 0
        self.drain_waiters: list[asyncio.Future[None]] = []
        self.context = contextvars.copy_context()
        self.server = None
        self.client = None
        self.scheme = "http"
        self.tls: dict[object, object] | None = None  # the ASGI tls extension, on TLS
        self.scope_template: HTTPScope  # set by connection_made
        self.cycle: RequestResponseCycle | None = None  # the cycle the app is running
        self.parsing: RequestResponseCycle | None = None  # the cycle receiving body events
        self.upgrade_pending: RequestHead | None = None
        # A request whose upgrade was declined and whose body the parser hands back as
        # upgrade_reached's trailing bytes (upgrade_body_in_trailing): read by the core.
        self.declined_upgrade: RequestResponseCycle | None = None  # declined_body_left: set then
        self.awaiting_head = True
        self.head_bytes = 0
        self.newline_seen = False
        self.read_paused = False
        self.write_paused = False
        self.receiving = False  # inside data_received: its end writes what was queued
        self.closing = False  # close the transport once the queued bytes are written
        self.deadline = math.inf
        self.served = False  # a request head arrived on this connection
        self.draining = False  # shutting down: serve a first request if it comes soon
        self.next_request_held = False  # waiting for the client to read (resume_writing)
        # A body is being received under --*-request-body; body_timed and body_allowance
        # are set (and read) only then.
        self.body_limited = False
        self.chunk_length = _UNKNOWN_LENGTH  # length of the chunk being parsed
        parser_class = self.parser_class
        if parser_class is not None:
            self.parser: RequestParser | None = parser_class(self, settings.max_head_size)
            self.feed: Callable[[bytes], None] = self.parser.feed_data
            self.next_message: Callable[[], None] = self.parser.next_message
        else:  # the older contract: this class is the parser
            self.parser = None
            self.init_parser()
            self.feed = self.feed_data
            self.next_message = self.prepare_next_message

    # -- what a plugin may override ----------------------------------------------------

    def init_parser(self) -> None:
        """Older contract: create the parser here (only without ``parser_class``)."""

    def feed_data(self, data: bytes) -> None:
        """Older contract: parse ``data`` (only without ``parser_class``)."""
        raise NotImplementedError

    def prepare_next_message(self) -> None:
        """Older contract: called when a keep-alive response is complete."""

    def release_parser(self) -> None:
        """Called once, when the connection is lost or handed off: nothing is parsed after.

        Drops the parser, which holds the events (this connection) it reports to: the
        connection is then freed at once instead of by the cyclic garbage collector.
        """
        parser = self.parser
        if parser is not None:
            self.parser = None
            self.feed = self.next_message = released
            parser.release()

    # Called as self.encode_head(status, headers): HTTP/1.1 written directly.
    encode_head: Callable[[int, list[tuple[bytes, bytes]]], bytes] = staticmethod(wire.encode_head)

    def encode_body(self, data: bytes, chunked: bool) -> bytes:
        return wire.encode_chunk(data) if chunked else data

    def encode_end(self, chunked: bool) -> bytes:
        return wire.CHUNKED_END if chunked else b""

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.settings.connections.add(self)
        if self.take_transport(transport, self.settings.local_address):
            self.scheme = "https"
            self.tls = get_tls_extension(self.transport)
        # Each request's scope starts as a copy of this one: copying a dict is much
        # cheaper than building one key by key.
        self.scope_template = {
            "type": "http",
            "asgi": _ASGI_PLACEHOLDER,
            "http_version": "1.1",
            "server": self.server,
            "client": self.client,
            "scheme": self.scheme,
            "method": "GET",
            "root_path": self.settings.root_path,
            "path": "",
            "raw_path": b"",
            "query_string": b"",
            "headers": [],
            "state": {},
        }
        self.deadline = self.server_state.clock + self.settings.timeout_request_head
        settings = self.settings
        if settings.trace_enabled:
            settings.logger.log(TRACE_LOG_LEVEL, "%sHTTP connection made", self.log_prefix)
        if settings.observers is not None and settings.observers.connection_opened:
            self.observed = self.connection_info()
            notify(settings.observers.connection_opened, self.observed)

    def connection_lost(self, exc: Exception | None) -> None:
        settings = self.settings
        settings.connections.discard(self)
        if settings.observers is not None and settings.observers.connection_closed:
            # Set only when opened was observed.
            observed = getattr(self, "observed", None) or self.connection_info()
            notify(settings.observers.connection_closed, observed)
        if settings.trace_enabled:
            settings.logger.log(TRACE_LOG_LEVEL, "%sHTTP connection lost", self.log_prefix)
        self.deadline = math.inf
        cycle = self.cycle
        if cycle is not None and cycle.response_state is not _RESPONSE_COMPLETE:
            cycle.client_disconnected()
        if self.parsing is not None and self.parsing is not cycle:
            self.parsing.client_disconnected()
        if self.pipeline:
            self.pipeline.clear()
        if self.pending_output:
            self.pending_output = []
            self.pending_size = 0
        self.write_paused = False
        if self.drain_waiters:
            self.release_drain_waiters()
        self.release_parser()

    def connection_info(self) -> ConnectionInfo:
        """This connection as observers see it."""
        return ConnectionInfo("http/1.1", self.client, self.server, self.tls is not None)

    def eof_received(self) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return  # the server already decided to close; the rest is not read
        self.chunk_length = length = len(data)
        if self.awaiting_head:
            self.head_bytes += length  # reset when the head is complete
            max_head_size = self.settings.max_head_size
            if length > max_head_size and self.head_bytes == length:
                # The parser may refuse the head before _head_incomplete looks at it: is the
                # request line within the limit (431 then), or not (414)?
                self.newline_seen = _NEWLINE.search(data, 0, max_head_size) is not None
        self.receiving = True
        self.feed(data)  # a parser exception closes the transport: no reset needed
        self.chunk_length = _UNKNOWN_LENGTH  # heads parsed later are measured
        if self.head_bytes:
            self._head_incomplete(data)
        self.receiving = False
        # What parsing answered (errors, 100 Continue) leaves in one write, now.
        if self.pending_output:
            self.flush_output()
        if length >= LARGE_READ and type(data) is bytes and self.settings.buffered_reads:
            self._read_into_buffer()

    def _read_into_buffer(self) -> None:
        """Large chunks arrive here: read the next ones into the shared buffer (see reads)."""
        if self.parser is not None and self.tls is None and not self.is_closing():
            # data_received takes the views: the parser declared it keeps none of them.
            read_into_buffer(self, self.transport, self.data_received)  # type: ignore[arg-type]

    def _head_incomplete(self, data: bytes) -> None:
        """The chunk ended inside a request head: time it, and check its size so far."""
        if not self.awaiting_head or self.is_closing():
            return
        if self.head_bytes == len(data):  # the head began with this chunk
            self.newline_seen = _NEWLINE.search(data) is not None
            if self.cycle is None:
                self.deadline = self.server_state.clock + self.settings.timeout_request_head
        elif not self.newline_seen and _NEWLINE.search(data) is not None:
            self.newline_seen = True
        if self.head_bytes > self.settings.max_head_size:
            self.head_too_large()

    # -- events from the plugin's parser -----------------------------------------------

    def on_request_head(
        self,
        method: bytes,
        target: bytes,
        http_version: str,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        # A head that arrived within max_head_size bytes needs no measuring: either it
        # spans the chunks counted in head_bytes, or it lies inside the current chunk.
        settings = self.settings
        max_head_size = settings.max_head_size
        unmeasured = self.head_bytes <= max_head_size and self.chunk_length <= max_head_size
        self.awaiting_head = False
        self.served = True
        self.head_bytes = 0
        # A deadline that expires while a request is served is ignored (deadline_expired).
        cycle = settings.new_cycle(self)
        try:
            read_request_head(
                cycle,
                method,
                target,
                http_version,
                headers,
                None if unmeasured else max_head_size,
                settings.check_head_bytes,
            )
        except InvalidRequest as exc:
            self.reject_request(exc.status, exc.message)
            return
        if cycle.upgrade is not None:
            if self._accepts_upgrade(cycle.upgrade):
                self.upgrade_pending = cycle
                return
            if settings.upgrade_body_in_trailing and (cycle.chunked or cycle.content_length):
                if cycle.chunked:
                    # The parser will not de-chunk it, and the core does not: refused
                    # rather than served without its body.
                    self.reject_request(501, "Chunked body on a declined upgrade request")
                    return
                self.declined_upgrade = cycle

        root_path = settings.root_path
        cycle.scope = scope = self.scope_template.copy()
        scope["asgi"] = {"version": settings.asgi_version, "spec_version": HTTP_SPEC_VERSION}
        scope["http_version"] = http_version
        scope["method"] = cycle.method
        if root_path:
            scope["path"] = root_path + cycle.path
            scope["raw_path"] = settings.root_raw_path + cycle.raw_path
        else:
            scope["path"] = cycle.path
            scope["raw_path"] = cycle.raw_path
        scope["query_string"] = cycle.query_string
        scope["headers"] = headers
        scope["state"] = self.app_state.copy()
        if self.tls is not None:
            scope["extensions"] = extensions = {"tls": self.tls, _PATHSEND: _NO_OPTIONS}
        else:
            scope["extensions"] = extensions = {_PATHSEND: _NO_OPTIONS}
        if cycle.accepts_trailers and settings.raw_encoding:  # the client said TE: trailers
            extensions[_TRAILERS] = _NO_OPTIONS
        limit = settings.limit_concurrency
        if limit is not None and (
            len(settings.connections) > limit or len(settings.tasks) >= limit
        ):
            cycle.app = service_unavailable
            settings.logger.warning("Exceeded concurrency limit.")
        if self.draining:
            cycle.keep_alive = False
        if not (cycle.chunked or cycle.content_length):
            cycle.body_state = _BODY_COMPLETE  # no body: the message ends with its head
            self.parsing = cycle
        elif settings.body_limits and not self._limit_body(cycle):
            return
        elif self.declined_upgrade is cycle:
            # The parser ends this message at its head; the core reads its body
            # (upgrade_reached), so the parser's end of message must not end it.
            self.parsing = None
        else:
            self.parsing = cycle
        if self.cycle is None:
            self.cycle = cycle
            self.start_cycle(cycle)
        else:
            self.pipeline.append(cycle)
            self.pause_reading()

    def _limit_body(self, cycle: RequestResponseCycle) -> bool:
        """Apply --limit-request-body and --timeout-request-body to a request with a body.

        False when the request is refused already (its Content-Length is over the limit).
        """
        settings = self.settings
        limit = settings.limit_request_body
        if limit is not None and cycle.content_length is not None and cycle.content_length > limit:
            self._body_too_large()
            return False
        self.body_limited = True
        # A chunked body is counted as it arrives; a sized one cannot grow past its length.
        self.body_allowance = _UNKNOWN_LENGTH if limit is None else limit
        self.body_timed = timed = settings.timeout_request_body != math.inf
        if timed:
            self.deadline = self.server_state.clock + settings.timeout_request_body
        return True

    def on_body(self, body: bytes) -> None:
        cycle = self.parsing
        if cycle is not None:
            if self.body_limited and not self._body_within_limits(len(body)):
                return
            cycle.body_received(body)

    def _body_within_limits(self, size: int) -> bool:
        if self.body_timed:
            self.deadline = self.server_state.clock + self.settings.timeout_request_body
        self.body_allowance -= size
        if self.body_allowance < 0:
            if not self.is_closing():
                self._body_too_large()
            return False
        return True

    def on_trailers(self, fields: list[tuple[bytes, bytes]]) -> None:
        cycle = self.parsing
        if cycle is None:
            return
        try:
            check_trailer_fields(fields)
        except InvalidRequest as exc:
            self.reject_request(exc.status, f"In the trailer section: {exc.message}")
            return
        cycle.request_trailers = fields

    def _body_too_large(self) -> None:
        self.settings.warn_body_too_large(self.log_prefix)
        self.refuse_request(413)

    def on_message_complete(self) -> None:
        cycle = self.parsing
        self.awaiting_head = True
        if self.body_limited:
            self.body_limited = False
            if self.body_timed:
                self.body_timed = False
                self.deadline = math.inf
        if cycle is None:
            return
        self.parsing = None
        if cycle.body_state is _BODY_RECEIVING:
            cycle.body_complete()
        if cycle.response_state is _RESPONSE_COMPLETE:
            # The app answered before the body ended; the rest was dropped, go on.
            self.cycle_finished(cycle)

    def reject_request(self, status: int, message: str) -> None:
        """Answer a request the server cannot accept and close the connection.

        ``message`` says what was wrong; it goes to the log at debug level, never to the
        client, which gets a fixed text (a parser's wording may show its internals).
        """
        logger = self.settings.logger
        logger.warning(INVALID_REQUEST_TEXT)
        logger.debug("%sInvalid request (%d): %s", self.log_prefix, status, message)
        self.refuse_request(status, INVALID_REQUEST_TEXT if status == 400 else None)

    def refuse_request(self, status: int, text: str | None = None) -> None:
        """Answer ``status`` for the request being read, then close the connection.

        One response per request: a request whose response began (or ended, while its
        body was being read and dropped) is not answered again, the connection only
        closes; a pipelined one waits for the response in progress. The app serving the
        request sees ``http.disconnect``.
        """
        cycle = self.cycle
        if cycle is not None and cycle.response_state is ResponseState.COMPLETE:
            if self.parsing is cycle:  # answered already; its body was being dropped
                self.close_transport()
                return
        elif cycle is not None:
            if self.parsing is not cycle:
                # A bad pipelined request: finish the response in progress, then close.
                cycle.keep_alive = False
                self.pipeline.clear()
                self.parsing = None
                self.awaiting_head = False
                self.pause_reading()
                return
            # The request the app serves turned out broken: the app sees a disconnect,
            # and what it sends from now on is dropped.
            cycle.client_disconnected()
            if cycle.response_state is ResponseState.STREAMING:
                # Its response began: one status line per request, so only close.
                self.close_transport()
                return
        self.send_error_response(status, text)

    def head_too_large(self) -> None:
        """Refuse a request head over the size limit: 414 while still in the request line."""
        if self.newline_seen:
            self.reject_request(431, "Request header fields too large")
        else:
            self.reject_request(414, "Request URI too long")

    # -- the upgrade hand-off ----------------------------------------------------------

    def _accepts_upgrade(self, upgrade: bytes) -> bool:
        if b"websocket" not in upgrade:
            return False
        if self.settings.ws_protocol_class is None:
            self.settings.logger.warning("Unsupported upgrade request.")
            self.settings.logger.warning(
                "No WebSocket implementation is installed; install one with "
                "'pip install uvicorn-ws-websockets' or 'pip install uvicorn-ws-wsproto'."
            )
            return False
        return True

    def upgrade_reached(self, trailing: bytes) -> bool:
        """The parser stopped after an upgrade request; ``trailing`` follows its head.

        Hands the connection to the WebSocket protocol when the request asked for one the
        server speaks (True); otherwise the request is served as plain HTTP (False).
        """
        if self.upgrade_pending is not None:
            self.hand_off_upgrade(trailing)
            return True
        cycle = self.declined_upgrade
        if cycle is not None and cycle.content_length:
            self.declined_body_left = cycle.content_length
            self.awaiting_head = False  # body bytes, not the next head
            self.feed = self._read_declined_body
            self._read_declined_body(trailing)
            return True  # the core feeds the parser what follows the body
        return False

    def _read_declined_body(self, data: bytes) -> None:
        """Stands in for the parser while the body of a declined upgrade arrives."""
        cycle = self.declined_upgrade
        assert cycle is not None
        left = self.declined_body_left
        body = bytes(data[:left])  # the body is kept: never a view of the read buffer
        self.declined_body_left = left - len(body)
        if body:
            cycle.body_received(body)
        if self.declined_body_left:
            return
        self.declined_upgrade = None
        self.awaiting_head = True
        if cycle.body_state is _BODY_RECEIVING:
            cycle.body_complete()
        assert self.parser is not None  # only parsers declare upgrade_body_in_trailing
        self.feed = self.parser.feed_data
        rest = data[left:]
        if rest and not self.is_closing():
            self.feed(rest)

    # Older contract: the name plugins called before head_too_large.
    reject_oversized_head = head_too_large

    def hand_off_upgrade(self, trailing: bytes) -> None:
        """Give the connection to the WebSocket protocol, replaying the request head."""
        head = self.upgrade_pending
        assert head is not None
        assert self.settings.ws_protocol_class is not None
        self.upgrade_pending = None
        request_line = b"%s %s HTTP/%s\r\n" % (
            head.method.encode("ascii"),
            head.target,
            head.http_version.encode("ascii"),
        )
        header_lines = b"".join(b"%s: %s\r\n" % (name, value) for name, value in head.headers)
        protocol = self.settings.ws_protocol_class(  # type: ignore[call-arg]  # uvicorn's protocol signature
            config=self.config,
            server_state=self.server_state,
            app_state=self.app_state,
            _loop=self.loop,
        )
        if isinstance(protocol, WebSocketConnection):
            protocol.handshake_head = head  # the scope is built from the head parsed here
        self.settings.connections.discard(self)
        self.deadline = math.inf
        self.flush_output()
        protocol.connection_made(self.transport)
        protocol.data_received(request_line + header_lines + b"\r\n" + trailing)
        self.transport.set_protocol(protocol)
        # Nothing is parsed here any more, and connection_lost() now goes to the new
        # protocol: without this, the parser's callbacks keep this connection, and the
        # transport it holds, alive until the cyclic garbage collector runs.
        self.release_parser()

    # -- running cycles ----------------------------------------------------------------

    def start_cycle(self, cycle: RequestResponseCycle) -> None:
        """Run the app for ``cycle`` in a task of its own, in a fresh copy of the context.

        The task's first step runs on the next pass of the loop, after the rest of the
        received chunk is parsed: a body that came with the head is then already there.
        """
        self.server_state.total_requests += 1
        settings = self.settings
        context = contextvars.Context() if settings.reset_contextvars else self.context.copy()
        # run_asgi takes its task out of the set when it ends: no done callback to schedule.
        cycle.task = task = self.loop.create_task(cycle.run_asgi(), context=context)
        settings.tasks.add(task)

    def cycle_finished(self, cycle: RequestResponseCycle) -> None:
        """The response is complete (or aborted); go on once the request is read too."""
        if cycle is not self.cycle:
            return
        if not cycle.keep_alive:
            self.cycle = None
            self.close_transport()
            return
        if self.parsing is cycle:
            # The app answered before reading the whole body: drop the rest as it arrives.
            cycle.body = b""
            self.resume_reading()
            return
        # On to the next request: pipelined, or the next one this connection reads.
        self.cycle = None
        if self.closing or self.transport.is_closing():
            return
        if self.write_paused:
            # The client does not read its responses: read and start nothing more until
            # it does (resume_writing), so what it makes the server hold stays bounded.
            self.pause_reading()
            self.deadline = math.inf
            self.next_request_held = True
            return
        self.next_request()

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.next_request_held:
            self.next_request_held = False
            if self.cycle is None and not self.is_closing():
                self.next_request()

    def next_request(self) -> None:
        """Start the next pipelined request, or wait for one: the previous one is done."""
        if self.settings.resets_parser:
            self.next_message()  # may parse the next request: it becomes self.cycle
        if self.cycle is None and self.pipeline:
            self.cycle = self.pipeline.popleft()
            self.start_cycle(self.cycle)
        elif self.cycle is None:
            if self.awaiting_head and not self.head_bytes:
                self.deadline = self.server_state.clock + self.settings.timeout_keep_alive
            if self.read_paused:
                self.resume_reading()

    # -- writing, flow control and closing ---------------------------------------------

    def pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()

    def unqueue(self, head: bytes) -> bool:
        """Take back a response head still queued with no body after it.

        False once it left, or once body bytes followed it: the response is then cut
        instead of replaced.
        """
        pending = self.pending_output
        if pending and pending[-1] is head:
            pending.pop()
            self.pending_size -= len(head)
            return True
        return False

    async def send_file(self, file: IO[bytes], count: int) -> None:
        """Send ``count`` bytes of ``file`` after the queued output: with the loop's
        ``sendfile`` (zero-copy on a plain socket) where it has one, else in chunks."""
        if self.is_closing():
            return
        self.flush_output()  # the head (and a chunk line) go first
        try:
            await self.loop.sendfile(self.transport, file, 0, count)
        except NotImplementedError:  # this loop or transport has no sendfile (uvloop)
            await copy_file(self, file, count)
        except OSError:
            # The client went away mid-file: connection_lost tells the app.
            self.close_transport()

    def send_error_response(self, status: int, message: str | None = None) -> None:
        if not self.is_closing():
            self.write(wire.error_response(status, self.server_state.default_headers, message))
        self.close_transport()

    def close_transport(self) -> None:
        """Close after the queued bytes leave, serving nothing pipelined after them."""
        if self.pipeline:
            self.pipeline.clear()
        self.deadline = math.inf
        super().close_transport()

    # -- called by the server ----------------------------------------------------------

    def deadline_expired(self) -> None:
        """The keep-alive, request-head or request-body timeout ran out."""
        if self.body_limited and self.body_timed and not self.is_closing():
            if self.read_paused:  # the server stopped reading, not the client sending
                self.deadline = self.server_state.clock + self.settings.timeout_request_body
                return
            self.body_timed = False
            self.settings.logger.warning("%sRequest body not received in time.", self.log_prefix)
            self.refuse_request(408)
            return
        if self.cycle is not None or self.is_closing():
            self.deadline = math.inf
            return
        if self.awaiting_head and self.head_bytes:
            self.settings.logger.debug("%sRequest head not received in time.", self.log_prefix)
            self.send_error_response(408)
        else:
            self.close_transport()

    def shutdown(self) -> None:
        """Stop after the response in progress, or now when the connection is idle.

        A connection that has not delivered its first request yet gets a short grace to do
        so (it is then answered and closed): its client cannot know the server is stopping.
        So does an idle keep-alive connection when the server state says to drain those.
        """
        cycle = self.cycle
        drain = not self.served or self.server_state.drain_idle_connections
        if cycle is None and drain and not self.closing:
            self.draining = True
            self.loop.call_later(FIRST_REQUEST_GRACE, self._close_unless_serving)
            return
        if cycle is None or cycle.response_state is ResponseState.COMPLETE:
            self.close_transport()
        else:
            cycle.keep_alive = False

    def _close_unless_serving(self) -> None:
        if self.cycle is None and not self.closing:
            self.close_transport()


@dataclasses.dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """What every connection of one server and protocol class shares, computed once."""

    app: ASGI3Application
    logger: logging.Logger
    access_logger: logging.Logger
    access_log: bool
    trace_enabled: bool
    ws_protocol_class: type[asyncio.Protocol] | None
    root_path: str
    root_raw_path: bytes
    limit_concurrency: int | None
    max_head_size: int
    timeout_keep_alive: float
    timeout_request_head: float
    reset_contextvars: bool
    connections: set[Any]
    tasks: set[asyncio.Task[None]]
    local_address: tuple[str, int] | None  # shared by every connection, when known
    raw_encoding: bool  # the plugin keeps the default body framing: inlined on the hot path
    raw_head: bool  # the plugin keeps the default head serializer
    resets_parser: bool  # the parser must hear when a response ended
    check_head_bytes: bool  # the plugin does not declare validates_head_bytes
    limit_request_body: int | None
    timeout_request_body: float  # math.inf: no limit
    body_limits: bool  # either of the two is set
    buffered_reads: bool  # large chunks may switch a connection to the shared read buffer
    upgrade_body_in_trailing: bool  # the parser skips the body of an upgrade request
    observers: Observers | None  # the server's observers (uvicorn.observers), if any
    new_cycle: Callable[[HTTPConnection], RequestResponseCycle]  # observed or plain
    special_header_names: frozenset[bytes]
    asgi_version: Literal["2.0", "3.0"]

    def warn_body_too_large(self, log_prefix: str) -> None:
        """The log line of a request refused by --limit-request-body (any protocol)."""
        self.logger.warning(
            "%sRequest body larger than the limit of %d bytes.",
            log_prefix,
            self.limit_request_body,
        )

    @classmethod
    def build(
        cls, protocol: type[HTTPConnection], config: Config, server_state: ServerState
    ) -> ConnectionSettings:
        return cls.create(
            config,
            server_state,
            raw_encoding=not protocol.frames_body,
            raw_head=not protocol.encodes_head,
            # The older contract has no declaration: prepare_next_message always runs.
            resets_parser=(
                protocol.parser_class is None or protocol.parser_class.resets_between_messages
            ),
            check_head_bytes=not protocol.validates_head_bytes,
            upgrade_body_in_trailing=getattr(
                protocol.parser_class, "upgrade_body_in_trailing", False
            ),
            buffered_reads=protocol.parser_accepts_views and protocol.parser_class is not None,
        )

    @classmethod
    def create(
        cls,
        config: Config,
        server_state: ServerState,
        *,
        raw_encoding: bool,
        raw_head: bool,
        resets_parser: bool,
        check_head_bytes: bool,
        upgrade_body_in_trailing: bool = False,
        buffered_reads: bool = False,
    ) -> ConnectionSettings:
        """Settings for any carrier of request cycles; ``build`` fills in an HTTP/1.1 class's."""
        logger = logging.getLogger("uvicorn.error")
        access_logger = logging.getLogger("uvicorn.access")
        return cls(
            app=config.loaded_app,
            logger=logger,
            access_logger=access_logger,
            access_log=config.access_log and access_logger.hasHandlers(),
            trace_enabled=logger.isEnabledFor(TRACE_LOG_LEVEL),
            ws_protocol_class=config.ws_protocol_class,
            root_path=config.root_path,
            root_raw_path=config.root_path.encode("ascii"),
            limit_concurrency=config.limit_concurrency,
            max_head_size=config.h11_max_incomplete_event_size or DEFAULT_MAX_HEAD_SIZE,
            timeout_keep_alive=float(config.timeout_keep_alive),
            timeout_request_head=float(config.timeout_request_head or math.inf),
            reset_contextvars=config.reset_contextvars,
            connections=server_state.connections,
            tasks=server_state.tasks,
            local_address=server_state.local_address,
            raw_encoding=raw_encoding,
            raw_head=raw_head,
            resets_parser=resets_parser,
            check_head_bytes=check_head_bytes,
            limit_request_body=config.limit_request_body,
            timeout_request_body=config.timeout_request_body or math.inf,
            body_limits=(
                config.limit_request_body is not None or config.timeout_request_body is not None
            ),
            buffered_reads=buffered_reads,
            upgrade_body_in_trailing=upgrade_body_in_trailing,
            observers=server_state.observers,
            new_cycle=(
                ObservedCycle
                if server_state.observers is not None and server_state.observers.requests
                else RequestResponseCycle
            ),
            special_header_names=FRAMING_HEADER_NAMES | server_state.default_header_names,
            asgi_version=config.asgi_version,
        )
