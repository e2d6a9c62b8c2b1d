"""The httptools adapter: llhttp's callbacks call straight into the core connection."""

from __future__ import annotations

import httptools

from uvicorn.protocols.http.connection import HTTPConnection


class HttpToolsProtocol(HTTPConnection):
    __slots__ = ("headers", "parser", "url")
    validates_head_bytes = True  # llhttp in its strict mode, which httptools never relaxes

    def init_parser(self) -> None:
        # The parser calls on_body/on_message_complete of the core directly.
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []

    def release_parser(self) -> None:
        # The parser holds the callbacks below, bound to this connection: without this,
        # every closed connection waits for the cyclic garbage collector.
        del self.parser

    def feed_data(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            trailing = data[exc.args[0] :]
            if self.upgrade_pending is not None:
                self.hand_off_upgrade(trailing)
            elif trailing and not self.is_closing():
                self.feed_data(trailing)  # served as plain HTTP: keep parsing what follows
        except httptools.HttpParserError as exc:
            self.reject_request(400, str(exc))

    # -- httptools callbacks -----------------------------------------------------------

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        parser = self.parser
        url, headers = self.url, self.headers
        self.url = b""  # ready for the next request on this connection
        self.headers = []
        self.on_request_head(parser.get_method(), url, parser.get_http_version(), headers)
