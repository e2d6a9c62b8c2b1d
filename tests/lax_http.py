"""A deliberately lax hand-written HTTP/1.1 parser, registered as the plugin ``lax``.

It splits a head on CRLF and trusts every byte in between: a NUL or a bare LF inside a
header value, a non-token method or header name all reach the core as they came. Tests
use it to show that the core refuses such heads whatever parser a plugin brings; it is
no example to follow.
"""

from __future__ import annotations

from uvicorn import Implementation, hookimpl
from uvicorn.protocols.http.connection import HTTPConnection


class LaxProtocol(HTTPConnection):
    __slots__ = ("body_left", "buffer")

    def init_parser(self) -> None:
        self.buffer = b""
        self.body_left = 0

    def feed_data(self, data: bytes) -> None:
        self.buffer += data
        while not self.is_closing():
            if self.body_left:
                chunk, self.buffer = self.buffer[: self.body_left], self.buffer[self.body_left :]
                if not chunk:
                    return
                self.body_left -= len(chunk)
                self.on_body(chunk)
                if not self.body_left:
                    self.on_message_complete()
                continue
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                return
            self.buffer = rest
            request_line, *lines = head.split(b"\r\n")
            parts = request_line.split(b" ", 2)
            if len(parts) != 3 or not parts[2].startswith(b"HTTP/"):
                self.reject_request(400, "Invalid request line")
                return
            headers = []
            for line in lines:
                name, _, value = line.partition(b":")
                headers.append((name.lower(), value.strip(b" ")))
            self.on_request_head(parts[0], parts[1], parts[2][5:].decode("latin-1"), headers)
            length = next((value for name, value in headers if name == b"content-length"), b"")
            self.body_left = int(length) if length.isdigit() else 0
            if not self.body_left and not self.is_closing():
                self.on_message_complete()


class LaxPlugin:
    """Registers ``lax``; tests register it through ``registry_with``, never installed."""

    @hookimpl
    def uvicorn_http_protocols(self) -> list[Implementation]:
        return [Implementation(name="lax", target="tests.lax_http:LaxProtocol", priority=-100)]
