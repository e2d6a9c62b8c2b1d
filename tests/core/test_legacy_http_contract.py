"""The first HTTP plugin contract (the plugin class is the parser) keeps working.

Plugins written before the parser boundary subclass HTTPConnection, build their parser
in ``init_parser`` and report on themselves. This one is such a plugin on httptools.
"""

from __future__ import annotations

import asyncio
import socket

import httptools
import httpx
import pytest
from websockets.asyncio.client import connect

from tests import apps
from tests.utils import read_response, run_server
from uvicorn.protocols.http.connection import HTTPConnection
from uvicorn.testing.conformance.ws.apps import echo

pytestmark = pytest.mark.timeout(30)


class LegacyHttpTools(HTTPConnection):
    """The older contract: the connection is httptools' callback object."""

    def init_parser(self) -> None:
        self.parser_ = httptools.HttpRequestParser(self)
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []

    def release_parser(self) -> None:
        del self.parser_

    def feed_data(self, data: bytes) -> None:
        try:
            self.parser_.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            trailing = data[exc.args[0] :]
            if self.upgrade_pending is not None:
                self.hand_off_upgrade(trailing)
            elif trailing and not self.is_closing():
                self.feed_data(trailing)
        except httptools.HttpParserError as exc:
            self.reject_request(400, str(exc))

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        url, headers = self.url, self.headers
        self.url, self.headers = b"", []
        self.on_request_head(
            self.parser_.get_method(), url, self.parser_.get_http_version(), headers
        )


def test_legacy_plugin_serves_keep_alive_and_bodies() -> None:
    with run_server(apps.echo_body, http=LegacyHttpTools) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            for body in (b"one", b"two" * 1000):
                conn.sendall(
                    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                    % (len(body), body)
                )
                status, _, echoed = read_response(conn)
                assert status == b"HTTP/1.1 200 OK"
                assert echoed == body
        assert httpx.get(server.url).status_code == 200


def test_legacy_plugin_hands_websockets_over() -> None:
    async def exchange(url: str) -> object:
        async with connect(url) as websocket:
            await websocket.send("hello")
            return await websocket.recv()

    with run_server(echo, http=LegacyHttpTools, ws="wsproto") as server:
        assert asyncio.run(exchange(f"ws://{server.host}:{server.port}/")) == "hello"
