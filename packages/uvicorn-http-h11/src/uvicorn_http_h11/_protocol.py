"""The h11 adapter: h11 parses requests; the core's serializer writes responses.

h11 validates every request it parses. Responses are checked and framed by the core
(the same code every HTTP plugin uses), so h11 never sees them; a fresh h11 connection,
fed the bytes the old one had not parsed yet, reads the next request on the connection.
"""

from __future__ import annotations

from typing import ClassVar, Final

import h11

from uvicorn.protocols.http.connection import HTTPConnection
from uvicorn.protocols.http.parser import ParserEvents

_LINE_ENDS: Final = (b"\r", b"\n")


class H11Parser:
    """Pulls h11's events and reports them to the connection."""

    __slots__ = ("conn", "events", "max_head_size")

    # h11 holds a pipelined request until told that the response ended.
    resets_between_messages: ClassVar[bool] = True

    def __init__(self, events: ParserEvents, max_head_size: int) -> None:
        self.events = events
        # The core enforces the head size limit itself (414/431); h11's own limit sits
        # above it so that it never answers first with a different status.
        self.max_head_size = max_head_size + 1
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_head_size)

    def feed_data(self, data: bytes) -> None:
        self._receive(data)
        self._pull_events()

    def next_message(self) -> None:
        unparsed, _ = self.conn.trailing_data
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_head_size)
        if unparsed:
            self._receive(unparsed)
        self._pull_events()

    def release(self) -> None:
        pass  # h11 holds no reference to the events

    def _receive(self, data: bytes) -> None:
        conn = self.conn
        # Empty lines before a request line are ignored (RFC 9112 section 2.2), as
        # httptools does; h11 would refuse them.
        if (
            data.startswith(_LINE_ENDS)
            and conn.their_state is h11.IDLE
            and not conn.trailing_data[0]
        ):
            data = data.lstrip(b"\r\n")
            if not data:
                return  # (an empty receive_data() means end of input to h11)
        conn.receive_data(data)

    def _pull_events(self) -> None:
        conn = self.conn
        events = self.events
        while not events.is_closing():
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                if exc.error_status_hint == 431:
                    events.head_too_large()
                else:
                    events.reject_request(exc.error_status_hint, str(exc))
                return
            event_type = type(event)
            if event_type is h11.Data:
                events.on_body(event.data)  # type: ignore[union-attr]  # narrowed by event_type
            elif event_type is h11.Request:
                request: h11.Request = event  # type: ignore[assignment]  # narrowed by event_type
                events.on_request_head(
                    request.method,
                    request.target,
                    request.http_version.decode("ascii"),
                    [(name.lower(), value) for name, value in request.headers.raw_items()],
                )
            elif event_type is h11.EndOfMessage:
                end: h11.EndOfMessage = event  # type: ignore[assignment]  # narrowed by event_type
                if end.headers:  # the trailer section of a chunked body (names lower-cased)
                    events.on_trailers([(name, value) for name, value in end.headers])
                events.on_message_complete()
            elif event is h11.NEED_DATA:
                return
            elif event is h11.PAUSED:
                # After an upgrade request, or with a pipelined request waiting in h11's
                # buffer until this response is done (next_message).
                if not events.upgrade_reached(conn.trailing_data[0]):
                    events.pause_reading()
                return
            else:  # ConnectionClosed
                return


class H11Protocol(HTTPConnection):
    """HTTP/1.1 on h11."""

    __slots__ = ()
    parser_class = H11Parser
