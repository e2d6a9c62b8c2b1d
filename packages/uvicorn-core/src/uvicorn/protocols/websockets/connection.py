"""The WebSocket connection every WebSocket plugin builds on.

A plugin names its library adapter and nothing else::

    class WSProtocol(WebSocketConnection):
        adapter_class = WSProtoAdapter

The adapter (see :mod:`uvicorn.protocols.websockets.adapter`) sees the connection only
through the ``WebSocketEvents`` protocol: handshake received or refused, message, pong,
close, protocol failure, and ``write``/``write_message_frame`` for its bytes. While no
extension is negotiated, ``send_message`` may call ``write_message_frame(data)``: a
server's unextended message is one unmasked frame that the core writes without copying
the payload, where libraries build the frame in a new buffer. An adapter that declares
``reads_into_buffer`` gets its reads, once the app has accepted, as views of one buffer
per thread through ``feed_view`` (see :mod:`uvicorn.protocols.reads`).

The older way, where the plugin class is the adapter (``init_adapter``/``feed_data``/
``accept_handshake``/``send_*``/``adapter_connection_lost`` on itself), still works for
classes that set no ``adapter_class``.

Everything else lives here, once: the connection lifecycle, the ASGI WebSocket cycle
(scope, ``receive``/``send`` and their state, denial responses, the app's outcome),
keep-alive pings for libraries that do not send them, flow control, the close timeout
and graceful shutdown.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import logging
import math
import os
import struct
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar, Final, cast
from urllib.parse import unquote

from uvicorn._types import (
    ASGI3Application,
    ASGIReceiveEvent,
    ASGISendEvent,
    WebSocketDisconnectEvent,
    WebSocketScope,
)
from uvicorn.logging import TRACE_LOG_LEVEL
from uvicorn.observers import WebSocketInfo, notify
from uvicorn.protocols.addresses import (
    get_client_addr,
    get_path_with_query_string,
    get_tls_extension,
)
from uvicorn.protocols.base import AppWaiter, ConnectionBase, released
from uvicorn.protocols.http import wire
from uvicorn.protocols.output import ClientDisconnected
from uvicorn.protocols.reads import read_into_buffer
from uvicorn.protocols.websockets.adapter import (
    BufferReadingAdapter,
    WebSocketAdapter,
    WebSocketOptions,
)
from uvicorn.protocols.websockets.handshake import check_opening_handshake

if TYPE_CHECKING:
    from uvicorn._state import ServerState
    from uvicorn.config import Config
    from uvicorn.protocols.http.request import RequestHead

WS_SPEC_VERSION: Final = "2.4"
CLOSE_TIMEOUT: Final = 10.0
SERVICE_RESTART: Final = 1012
KEEPALIVE_TIMEOUT: Final = 1011
KEEPALIVE_TIMEOUT_REASON: Final = "keepalive ping timeout"
_SUBPROTOCOL_HEADER: Final = b"sec-websocket-protocol"
_EXTENSIONS: Final[dict[str, dict[object, object]]] = {"websocket.http.response": {}}
# RFC 6455 §5.2 frame headers as a server writes them: FIN set, no mask.
_FIN_TEXT: Final = 0x81
_FIN_BINARY: Final = 0x82
_PACK_SHORT_HEADER: Final = struct.Struct("!BB").pack
_PACK_MEDIUM_HEADER: Final = struct.Struct("!BBH").pack
_PACK_LONG_HEADER: Final = struct.Struct("!BBQ").pack
# Payloads from this size on are written beside their header instead of joined to it.
_JOIN_LIMIT: Final = 4096


class _ReleasedAdapter:
    """Stands in for a lost connection's adapter: nothing is parsed or sent after."""

    library_keepalive: ClassVar[bool] = False
    reads_into_buffer: ClassVar[bool] = False
    feed_data = accept_handshake = send_message = send_close = send_ping = staticmethod(released)
    connection_lost = staticmethod(released)


_RELEASED_ADAPTER: Final = _ReleasedAdapter()


class WebSocketState(enum.Enum):
    """Where the connection is. Transitions only move down this list, skipping allowed."""

    HANDSHAKE = "handshake"  # the library has not reported the request yet
    CONNECTING = "connecting"  # the app runs; it has neither accepted nor refused yet
    RESPONDING = "responding"  # the app sends a denial response (websocket.http.response)
    OPEN = "open"  # accepted: messages flow both ways
    CLOSE_SENT = "close sent"  # the app (or the server) closed; the peer's close pending
    DISCONNECTED = "disconnected"  # the peer closed or left before the app closed
    CLOSED = "closed"  # closed after the app's close, or refused: nothing more to send


_HANDSHAKE: Final = WebSocketState.HANDSHAKE
_CONNECTING: Final = WebSocketState.CONNECTING
_RESPONDING: Final = WebSocketState.RESPONDING
_OPEN: Final = WebSocketState.OPEN
_CLOSE_SENT: Final = WebSocketState.CLOSE_SENT
_DISCONNECTED: Final = WebSocketState.DISCONNECTED
_CLOSED: Final = WebSocketState.CLOSED


class WebSocketConnection(ConnectionBase, AppWaiter):
    """Base class of WebSocket protocol implementations; see the module docstring."""

    #: The plugin's adapter class, built as ``adapter_class(self, options)``.
    adapter_class: ClassVar[type[WebSocketAdapter] | None] = None
    # The first contract's declarations (an adapter class declares its own): the library
    # schedules keep-alive pings itself; the class parses reads from the core's buffer
    # in a ``feed_view`` method.
    library_keepalive: bool = False
    reads_into_buffer: bool = False
    # The plugin's adapter; on the first contract, this connection (a name such a class
    # is unlikely to use for its own library object).
    library_adapter: WebSocketAdapter

    scheme = "ws"
    extensions: dict[str, dict[object, object]] = _EXTENSIONS  # plus "tls" on TLS connections
    scope: WebSocketScope
    state = _HANDSHAKE
    read_paused = False
    deadline = math.inf  # read by the server's timeout sweep: WebSockets have none
    close_code = 1006
    observed: WebSocketInfo | None = None  # what the observers were told at accept
    close_reason = ""
    subprotocol: str | None = None
    response_started = False
    ping_timer: asyncio.TimerHandle | None = None
    pong_timer: asyncio.TimerHandle | None = None
    close_timer: asyncio.TimerHandle | None = None
    task: asyncio.Task[None] | None = None
    # The request head as the HTTP connection parsed it, set by its upgrade hand-off.
    handshake_head: RequestHead | None = None

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.server_state = server_state
        self.app_state = app_state
        self.server = None  # both addresses: set by connection_made
        self.client = None
        self.app: ASGI3Application = config.loaded_app
        self.loop = _loop or asyncio.get_event_loop()
        self.logger = logging.getLogger("uvicorn.error")
        self.trace_enabled = self.logger.isEnabledFor(TRACE_LOG_LEVEL)
        self.root_path = config.root_path
        self.max_size = config.ws_max_size
        self.max_queue = config.ws_max_queue
        self.ping_interval = config.ws_ping_interval
        self.ping_timeout = config.ws_ping_timeout
        self.per_message_deflate = config.ws_per_message_deflate
        self.connections = server_state.connections
        self.tasks = server_state.tasks
        self.events: deque[ASGIReceiveEvent] = deque()
        self.waiter: asyncio.Future[None] | None = None
        self.drain_waiters: list[asyncio.Future[None]] = []
        self.pending_output: list[bytes] = []
        self.pending_size = 0
        self.write_paused = False
        self.receiving = False
        self.closing = False
        adapter_class = self.adapter_class
        if adapter_class is None:  # the older contract: this class is the adapter
            self.library_adapter = cast(WebSocketAdapter, self)  # its connection_lost is not called
            self.init_adapter()
            return
        options = WebSocketOptions(
            max_size=self.max_size,
            per_message_deflate=self.per_message_deflate,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_timeout,
        )
        # One attribute, not each method bound on this connection: past 30 attribute
        # names, Python 3.11 gives up its shared-key instance dicts, and every attribute
        # read on the connection gets slower (bench/RESULTS.md, 2026-12-06).
        self.library_adapter = adapter_class(self, options)

    # -- what a plugin implements ------------------------------------------------------

    def init_adapter(self) -> None:
        """Create the library's connection object; called at the end of ``__init__``."""

    def feed_data(self, data: bytes) -> None:
        raise NotImplementedError

    def accept_handshake(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None:
        raise NotImplementedError

    def send_message(self, data: str | bytes) -> None:
        raise NotImplementedError

    def send_close(self, code: int, reason: str) -> None:
        raise NotImplementedError

    def send_ping(self, payload: bytes) -> None:
        raise NotImplementedError

    def adapter_connection_lost(self, exc: Exception | None) -> None:
        """Tell the library the transport is gone, and drop what it need not keep.

        For libraries with their own tasks, and for those whose parser holds references
        back to itself (a generator): ending it here frees the connection at once,
        instead of leaving it to the cyclic garbage collector.
        """

    # -- what the core offers a plugin ------------------------------------------------

    def write_message_frame(self, data: str | bytes) -> None:
        """Write ``data`` as one final, unmasked frame with no extension (RFC 6455 §5.2).

        Only for an open connection on which no extension was negotiated, and never in
        the middle of a fragmented message: the library does not see this frame, so its
        state must not depend on it (data frames sent whole change no library state).
        """
        if isinstance(data, str):
            payload, first = data.encode(), _FIN_TEXT
        else:
            # A bytearray could change before the queued output leaves: keep a snapshot.
            payload, first = data if type(data) is bytes else bytes(data), _FIN_BINARY
        length = len(payload)
        if length < 126:
            header = _PACK_SHORT_HEADER(first, length)
        elif length < 65536:
            header = _PACK_MEDIUM_HEADER(first, 126, length)
        else:
            header = _PACK_LONG_HEADER(first, 127, length)
        if length < _JOIN_LIMIT:
            self.write(header + payload)
        else:
            self.write(header, payload)  # one writev, the payload not copied

    # -- asyncio.Protocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connections.add(self)
        if self.take_transport(transport, self.server_state.local_address):
            self.scheme = "wss"
            self.extensions = {**_EXTENSIONS, "tls": get_tls_extension(self.transport) or {}}
        else:
            self.scheme = "ws"
        if self.trace_enabled:
            self.logger.log(TRACE_LOG_LEVEL, "%sWebSocket connection made", self.log_prefix)
        head = self.handshake_head
        if head is not None:
            refusal = check_opening_handshake(head.headers)
            if refusal is not None:
                self.handshake_head = None
                self.reject_handshake(refusal.status, refusal.message, refusal.headers)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        if self.trace_enabled:
            self.logger.log(TRACE_LOG_LEVEL, "%sWebSocket connection lost", self.log_prefix)
        self._cancel_timers()
        state = self.state
        if state is _CLOSE_SENT:
            self.state = _CLOSED
        elif state is not _CLOSED and state is not _DISCONNECTED:
            self.state = _DISCONNECTED
            self.queue_disconnect(self.close_code, self.close_reason)
        self.write_paused = False
        self.pending_output = []
        self.pending_size = 0
        self.release_drain_waiters()
        self._wake()
        adapter = self.library_adapter
        if self.adapter_class is None:
            self.adapter_connection_lost(exc)
        else:
            adapter.connection_lost(exc)
        # The adapter holds this connection (or is it): without this, every closed
        # connection waits for the cyclic garbage collector.
        self.library_adapter = _RELEASED_ADAPTER
        self.logger.info("connection closed")
        observed = self.observed
        if observed is not None:
            observed.close_code = self.close_code
            notify(self.server_state.observers.websocket_closed, observed)

    def eof_received(self) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        if self.state is not _CLOSED:  # refused: the library never sees the request
            self.library_adapter.feed_data(data)

    # -- events from the plugin's library ----------------------------------------------

    def request_received(self, target: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        """The opening handshake arrived: build the scope and start the app.

        The head parsed by the HTTP connection, when there is one, wins over the
        library's: every plugin then shows the app the same headers.
        """
        head = self.handshake_head
        if head is not None:
            # The head is the HTTP connection's request cycle, which holds that connection:
            # let it go now rather than when this connection ends.
            self.handshake_head = None
            headers = head.headers
            raw_path, query_string, path = head.raw_path, head.query_string, head.path
        else:
            raw_path, _, query_string = target.partition(b"?")
            path = raw_path.decode("ascii", "replace")
            path = unquote(path) if "%" in path else path
        subprotocols: list[str] = []
        for name, value in headers:
            if name == _SUBPROTOCOL_HEADER:
                subprotocols.extend(
                    token.strip() for token in value.decode("latin-1").split(",") if token.strip()
                )
        root_path = self.root_path
        self.scope = {
            "type": "websocket",
            "asgi": {"version": self.config.asgi_version, "spec_version": WS_SPEC_VERSION},
            "http_version": "1.1",
            "scheme": self.scheme,
            "server": self.server,
            "client": self.client,
            "root_path": root_path,
            "path": root_path + path,
            "raw_path": root_path.encode("ascii") + raw_path if root_path else raw_path,
            "query_string": query_string,
            "headers": headers,
            "subprotocols": subprotocols,
            "state": self.app_state.copy(),
            "extensions": self.extensions,
        }
        self.state = _CONNECTING
        self.events.append({"type": "websocket.connect"})
        self.server_state.total_requests += 1
        # A copy of the connection's context, as HTTP requests get (and upstream gives).
        fresh = self.config.reset_contextvars
        context = contextvars.Context() if fresh else contextvars.copy_context()
        self.task = self.loop.create_task(self.run_asgi(), context=context)
        self.tasks.add(self.task)
        self.task.add_done_callback(self.tasks.discard)

    def message_received(self, data: str | bytes) -> None:
        state = self.state
        if state is not _OPEN and state is not _CONNECTING:
            return  # closing or closed: nothing more reaches the app
        # While connecting, a message the client sent right after its handshake waits
        # in the queue behind websocket.connect, for the app to read once it accepts.
        if type(data) is str:
            self.events.append({"type": "websocket.receive", "text": data})
        else:
            self.events.append({"type": "websocket.receive", "bytes": data})  # type: ignore[typeddict-item]  # bytes, checked
        if len(self.events) >= self.max_queue and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()
        if self.waiter is not None:
            self._wake()

    def pong_received(self) -> None:
        if self.pong_timer is not None:
            self.pong_timer.cancel()
            self.pong_timer = None

    def close_received(self, code: int, reason: str) -> None:
        """The peer sent a close frame (the library's answer, if any, is written)."""
        self._cancel_timers()
        if self.state is _CLOSE_SENT:
            self.state = _CLOSED
        elif self.state is not _CLOSED and self.state is not _DISCONNECTED:
            self.state = _DISCONNECTED
            self.queue_disconnect(code, reason)
        self.close_transport()

    def protocol_failed(self, code: int, reason: str) -> None:
        """The peer sent invalid data; the library's close frame is written."""
        self.logger.debug("%sWebSocket protocol error: %s", self.log_prefix, reason)
        self.close_code, self.close_reason = code, reason
        self.close_received(code, reason)

    def reject_handshake(
        self, status: int, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
    ) -> None:
        """Answer an opening handshake the core or the library refused with an HTTP error."""
        if self.state is _CLOSED:
            return  # already answered
        self.logger.warning("Invalid WebSocket handshake: %s", message)
        self.state = _CLOSED
        self._refuse(status, message, headers)

    def _refuse(
        self, status: int, message: str | None = None, headers: tuple[tuple[bytes, bytes], ...] = ()
    ) -> None:
        """Answer the opening handshake with an HTTP error, and close."""
        self.logger.info("connection rejected (%d %s)", status, wire.status_phrase(status))
        default_headers = self.server_state.default_headers
        if headers:
            default_headers = [*default_headers, *headers]
        self.write(wire.error_response(status, default_headers, message))
        self.close_transport()

    # -- the ASGI callables ------------------------------------------------------------

    async def run_asgi(self) -> None:
        try:
            running = self.app(self.scope, self.receive, self.send)
            result: object = await running  # type: ignore[func-returns-value]  # apps may return a value
        except ClientDisconnected:
            self.close_transport()
        except asyncio.CancelledError:
            self.close_transport()  # cancelled by a forced shutdown: nothing to report
            raise
        except BaseException as exc:
            self.logger.error("Exception in ASGI application\n", exc_info=exc)
            self._app_failed()
            if not isinstance(exc, Exception):
                raise
        else:
            if result is not None:
                self.logger.error("ASGI callable should return None, but returned '%s'.", result)
                self._app_failed()
            elif self.state is _CONNECTING:
                self.logger.error("ASGI callable returned without completing handshake.")
                self._app_failed()
            elif self.state is _RESPONDING:
                self.logger.error("ASGI callable returned without completing response.")
                self.close_transport()
            elif self.state is _OPEN:
                self._close(1000, "")

    def _app_failed(self) -> None:
        state = self.state
        if state is _CONNECTING or (state is _RESPONDING and not self.response_started):
            self.state = _CLOSED
            self._refuse(500)
        elif state is _OPEN:
            self._close(1011, "")
        else:
            self.close_transport()

    async def receive(self) -> ASGIReceiveEvent:
        events = self.events
        if not events:
            if self.read_paused:
                self._resume_reading()
            if self.state is _CLOSED or self.state is _DISCONNECTED:
                return self.disconnect_event()
            waiter = self.waiter = self.loop.create_future()
            await waiter
            if not events:
                return self.disconnect_event()
        event = events.popleft()
        if self.read_paused and len(events) < self.max_queue:
            self._resume_reading()
        return event

    def disconnect_event(self) -> WebSocketDisconnectEvent:
        code, reason = self.close_code, self.close_reason
        return {"type": "websocket.disconnect", "code": code, "reason": reason}

    async def send(self, message: ASGISendEvent) -> None:
        message_type = message["type"]
        state = self.state
        if state is _OPEN:
            if message_type == "websocket.send":
                text = message.get("text")
                data = text if text is not None else message.get("bytes")
                if data is None:
                    raise RuntimeError("Expected 'text' or 'bytes' in 'websocket.send'.")
                self.library_adapter.send_message(data)  # type: ignore[arg-type]  # str or bytes
                if self.write_paused:
                    await self.drain()
            elif message_type == "websocket.close":
                self._close(message.get("code", 1000), message.get("reason") or "")  # type: ignore[arg-type]  # close event
            else:
                raise RuntimeError(
                    "Expected ASGI message 'websocket.send' or 'websocket.close', "
                    f"but got '{message_type}'."
                )
        elif state is _CONNECTING:
            if message_type == "websocket.accept":
                self._accept(message)  # type: ignore[arg-type]  # accept event
            elif message_type == "websocket.close":
                self.state = _CLOSED
                self.queue_disconnect(1006, "")
                self._log_handshake("403")
                self._refuse(403)
            elif message_type == "websocket.http.response.start":
                self._start_response(message)  # type: ignore[arg-type]  # start event
            else:
                raise RuntimeError(
                    "Expected ASGI message 'websocket.accept', 'websocket.close' or "
                    f"'websocket.http.response.start', but got '{message_type}'."
                )
        elif state is _RESPONDING:
            if message_type != "websocket.http.response.body":
                raise RuntimeError(
                    "Expected ASGI message 'websocket.http.response.body', "
                    f"but got '{message_type}'."
                )
            self.write(message.get("body", b""))  # type: ignore[arg-type]  # body event
            if not message.get("more_body", False):
                self.state = _CLOSED
                self.close_transport()
        elif state is _DISCONNECTED:
            raise ClientDisconnected()
        else:
            raise RuntimeError(
                f"Unexpected ASGI message '{message_type}', after sending 'websocket.close' "
                "or response already completed."
            )

    def _accept(self, message: dict[str, Any]) -> None:
        subprotocol: str | None = message.get("subprotocol")
        headers = [
            (bytes(name).lower(), bytes(value)) for name, value in message.get("headers", ())
        ]
        for name, value in headers:
            wire.check_header(name, value)
        if subprotocol is not None:
            headers = [header for header in headers if header[0] != _SUBPROTOCOL_HEADER]
        self._log_handshake("[accepted]")
        self.subprotocol = subprotocol
        self.logger.info("connection open")
        # Open before the adapter writes the 101: it may report frames that arrived
        # before the accept right away (which may close the connection again).
        self.state = _OPEN
        adapter = self.library_adapter
        adapter.accept_handshake(subprotocol, self._with_default_headers(headers))
        if self.state is not _OPEN:
            return
        observers = self.server_state.observers
        if observers is not None and (observers.websocket_opened or observers.websocket_closed):
            self.observed = WebSocketInfo(self.scope["path"], self.client)
            notify(observers.websocket_opened, self.observed)
        if adapter.reads_into_buffer:  # declared: its feed_view exists
            read_into_buffer(self, self.transport, cast(BufferReadingAdapter, adapter).feed_view)
        if self.ping_interval and not adapter.library_keepalive:
            self.ping_timer = self.loop.call_later(self.ping_interval, self._send_keepalive_ping)

    def _start_response(self, message: dict[str, Any]) -> None:
        status: int = message["status"]
        self._log_handshake(str(status))
        headers = [(bytes(name), bytes(value)) for name, value in message.get("headers", ())]
        self.state = _RESPONDING
        self.write(wire.encode_head(status, self._with_default_headers(headers)))
        self.logger.info("connection rejected (%d %s)", status, wire.status_phrase(status))
        self.response_started = True

    def _with_default_headers(
        self, headers: list[tuple[bytes, bytes]]
    ) -> list[tuple[bytes, bytes]]:
        """The server's default headers (server, date, --header), unless the app set them."""
        defaults = self.server_state.default_headers
        if headers:
            names = {name.lower() for name, _ in headers}
            defaults = [header for header in defaults if header[0] not in names]
        return defaults + headers

    def _log_handshake(self, outcome: str) -> None:
        """``client - "WebSocket /path" outcome`` at info level, as uvicorn logs handshakes."""
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(
                '%s - "WebSocket %s" %s',
                get_client_addr(self.scope),
                get_path_with_query_string(self.scope),
                outcome,
            )

    def _close(self, code: int, reason: str) -> None:
        """Send a close frame and wait (bounded) for the peer's."""
        self.state = _CLOSE_SENT
        self.close_code, self.close_reason = code, reason
        self._cancel_timers()
        if not self.transport.is_closing():
            self.library_adapter.send_close(code, reason)
            self.close_timer = self.loop.call_later(CLOSE_TIMEOUT, self.transport.close)

    # -- keep-alive, flow control and closing ------------------------------------------

    def _send_keepalive_ping(self) -> None:
        self.ping_timer = None
        if self.state is not _OPEN or self.transport.is_closing():
            return
        self.library_adapter.send_ping(os.urandom(4))
        if self.ping_timeout:
            self.pong_timer = self.loop.call_later(self.ping_timeout, self.keepalive_timed_out)
        if self.ping_interval:
            self.ping_timer = self.loop.call_later(self.ping_interval, self._send_keepalive_ping)

    def keepalive_timed_out(self) -> None:
        """Close with 1011 and a reason, as websockets does, and tell the app so.

        Called by the core's pong timer, or by an adapter whose library pings by itself.
        """
        self.pong_timer = None
        self.logger.debug("%sWebSocket keepalive ping timeout.", self.log_prefix)
        self._cancel_timers()
        self.library_adapter.send_close(KEEPALIVE_TIMEOUT, KEEPALIVE_TIMEOUT_REASON)
        self.state = _DISCONNECTED
        self.queue_disconnect(KEEPALIVE_TIMEOUT, KEEPALIVE_TIMEOUT_REASON)
        # A peer that does not answer pings would not answer the close: do not wait for
        # it, and do not wait forever for the close frame to leave to a peer that does
        # not read either.
        self.close_transport()
        self.close_timer = self.loop.call_later(CLOSE_TIMEOUT, self.transport.abort)

    def _cancel_timers(self) -> None:
        for timer in (self.ping_timer, self.pong_timer, self.close_timer):
            if timer is not None:
                timer.cancel()
        self.ping_timer = self.pong_timer = self.close_timer = None

    def queue_disconnect(self, code: int, reason: str) -> None:
        self.close_code, self.close_reason = code, reason
        self.events.append(self.disconnect_event())
        self._wake()

    def _resume_reading(self) -> None:
        self.read_paused = False
        if not self.transport.is_closing():
            self.transport.resume_reading()

    # -- called by the server ----------------------------------------------------------

    def deadline_expired(self) -> None:
        self.deadline = math.inf

    def shutdown(self) -> None:
        """Server shutdown: close with 1012 (service restart); the app sees the disconnect."""
        state = self.state
        if state is _OPEN:
            self.queue_disconnect(SERVICE_RESTART, "")
            self._close(SERVICE_RESTART, "")
        elif state is _HANDSHAKE or state is _CONNECTING:
            # Refused with 503; an app still deciding sees a client that went away.
            self.state = _DISCONNECTED
            self.queue_disconnect(SERVICE_RESTART, "")
            self._refuse(503)
