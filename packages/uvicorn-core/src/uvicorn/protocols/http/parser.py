"""The boundary between an HTTP plugin's parser and the core's HTTP/1.1 connection.

A plugin writes one small class that satisfies :class:`RequestParser` and names it in
its connection class::

    class H11Protocol(HTTPConnection):
        parser_class = H11Parser

The core constructs it as ``parser_class(events, max_head_size)`` for each connection
and feeds it every chunk read from the socket. The parser reports what it found only
through the :class:`ParserEvents` it was given: that protocol is the whole of its view
of the connection, so the core can change everything behind it.
"""

from __future__ import annotations

from typing import ClassVar, Protocol


class ParserEvents(Protocol):
    """What a parser may call on the connection that feeds it."""

    def on_request_head(
        self, method: bytes, target: bytes, http_version: str, headers: list[tuple[bytes, bytes]]
    ) -> None:
        """A complete request head. Header names must be lower-cased; values as received.

        The core validates the head (framing, Host, sizes, bytes allowed) whatever the
        parser checked, and answers a bad one itself.
        """

    def on_body(self, chunk: bytes) -> None:
        """A piece of the request body, de-chunked."""

    def on_message_complete(self) -> None:
        """The request (head and body) ended."""

    def on_trailers(self, fields: list[tuple[bytes, bytes]]) -> None:
        """The trailer section of a chunked body, names lower-cased, before its end.

        Report it as such, never as header fields of the next request. The core checks
        its bytes as a head's and hands it to the app with the last body message.
        """

    def upgrade_reached(self, trailing: bytes) -> bool:
        """The parser stopped after a request asking for an upgrade.

        ``trailing`` are the bytes received after that request. True: the connection
        went to another protocol with them; parse nothing more. False: it stays HTTP;
        go on as after any request.
        """
        ...

    def reject_request(self, status: int, message: str) -> None:
        """The bytes are not a valid request: the core answers ``status`` and closes.

        ``message`` says why, for the server's debug log; the client never sees it.
        """

    def head_too_large(self) -> None:
        """The parser's own head limit was reached: the core answers 414 or 431."""

    def pause_reading(self) -> None:
        """Hold further input: the parser keeps a pipelined request until next_message()."""

    def is_closing(self) -> bool:
        """True once the connection is closing: stop reporting events."""
        ...


class RequestParser(Protocol):
    """One connection's request parser, as an HTTP plugin implements it."""

    #: True when the parser must be told that a response ended (``next_message``) before
    #: it goes on to the next request (h11); False spares that call per request.
    resets_between_messages: ClassVar[bool]

    def __init__(self, events: ParserEvents, max_head_size: int) -> None:
        """Set up for one connection; ``max_head_size`` bounds what a head may buffer."""

    def feed_data(self, data: bytes) -> None:
        """Parse bytes read from the socket, calling the events for what they complete."""

    def next_message(self) -> None:
        """The response to the last request ended: parse what the parser held back."""

    # Optional declaration (read with a default of False): True for a parser that ends a
    # request asking for an upgrade at its head, whatever body it declares (llhttp), and
    # hands the body back in ``upgrade_reached``'s ``trailing``. When the core declines
    # the upgrade it then reads that body itself, by its Content-Length.
    # upgrade_body_in_trailing: ClassVar[bool]

    def release(self) -> None:
        """The connection is lost or handed over: drop every reference to the events."""
