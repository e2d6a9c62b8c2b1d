"""The httptools adapter: llhttp's callbacks go to a small object of the plugin's own."""

from __future__ import annotations

from typing import ClassVar

import httptools

from uvicorn.protocols.http.connection import HTTPConnection
from uvicorn.protocols.http.parser import ParserEvents


class HttpToolsParser:
    """The callback object httptools calls: exactly the callbacks below, nothing else."""

    __slots__ = ("events", "headers", "on_body", "on_message_complete", "parser", "url")

    resets_between_messages: ClassVar[bool] = False  # llhttp goes on to the next request by itself
    # llhttp skips the body of a request asking for an upgrade: it comes back as trailing.
    upgrade_body_in_trailing: ClassVar[bool] = True

    def __init__(self, events: ParserEvents, max_head_size: int) -> None:
        self.events = events
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        # These two go straight to the connection: no call in between on the hot path.
        self.on_body = events.on_body
        self.on_message_complete = events.on_message_complete
        self.parser = httptools.HttpRequestParser(self)

    def feed_data(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            trailing = data[exc.args[0] :]
            events = self.events
            if not events.upgrade_reached(trailing) and trailing and not events.is_closing():
                self.feed_data(trailing)  # served as plain HTTP: keep parsing what follows
        except httptools.HttpParserError as exc:
            self.events.reject_request(400, str(exc))

    def next_message(self) -> None:
        pass  # not called: resets_between_messages is False

    def release(self) -> None:
        # The parser holds the bound callbacks of the connection: drop both.
        del self.parser, self.on_body, self.on_message_complete

    # -- httptools callbacks -----------------------------------------------------------

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_chunk_complete(self) -> None:
        # Fields parsed since the head ended are the trailer section (llhttp reports
        # them through on_header, after the last chunk's header and before this).
        if self.headers:
            fields, self.headers = self.headers, []
            self.events.on_trailers(fields)

    def on_headers_complete(self) -> None:
        parser = self.parser
        url, headers = self.url, self.headers
        self.url = b""  # ready for the next request on this connection
        self.headers = []
        self.events.on_request_head(parser.get_method(), url, parser.get_http_version(), headers)


class HttpToolsProtocol(HTTPConnection):
    """HTTP/1.1 on httptools (llhttp)."""

    __slots__ = ()
    parser_class = HttpToolsParser
    validates_head_bytes = True  # llhttp in its strict mode, which httptools never relaxes
    parser_accepts_views = True  # httptools reads any buffer and copies what it reports
