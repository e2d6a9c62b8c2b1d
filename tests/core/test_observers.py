"""Observer hooks over real sockets: what a plugin that observes the server is told, and
that a server nobody observes runs exactly the plain request cycle."""

from __future__ import annotations

import logging
import socket
from typing import Any

import httpx
import pytest

from tests.plugin_fixtures import registry_with
from uvicorn import hookimpl
from uvicorn.config import Config
from uvicorn.observers import ConnectionInfo, RequestInfo, WebSocketInfo
from uvicorn.protocols.http.connection import HTTPConnection
from uvicorn.protocols.http.cycle import RequestResponseCycle
from uvicorn.testing import apps
from uvicorn.testing.utils import read_response, run_server, wait_for
from uvicorn.testing.websocket import frame, open_raw, read_close_code

pytestmark = pytest.mark.timeout(30)


class Recorder:
    """An observer plugin: every event, in order, with its record."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    @hookimpl
    def uvicorn_worker_started(self, config: Config) -> None:
        self.events.append(("worker_started", config))

    @hookimpl
    def uvicorn_worker_stopping(self, config: Config) -> None:
        self.events.append(("worker_stopping", config))

    @hookimpl
    def uvicorn_connection_opened(self, connection: ConnectionInfo) -> None:
        self.events.append(("connection_opened", connection))

    @hookimpl
    def uvicorn_connection_closed(self, connection: ConnectionInfo) -> None:
        self.events.append(("connection_closed", connection))

    @hookimpl
    def uvicorn_request_started(self, request: RequestInfo) -> None:
        self.events.append(("request_started", (request.method, request.path, request.status)))

    @hookimpl
    def uvicorn_request_finished(self, request: RequestInfo) -> None:
        self.events.append(("request_finished", request))

    @hookimpl
    def uvicorn_websocket_opened(self, websocket: WebSocketInfo) -> None:
        self.events.append(("websocket_opened", websocket.path))

    @hookimpl
    def uvicorn_websocket_closed(self, websocket: WebSocketInfo) -> None:
        self.events.append(("websocket_closed", websocket.close_code))


async def created(scope: Any, receive: Any, send: Any) -> None:
    if scope["path"] == "/fail":
        raise RuntimeError("the app failed")
    await apps.send_plain(send, await apps.read_body(receive) * 2, status=201)


def test_requests_and_connections_are_reported(http_impl: str) -> None:
    recorder = Recorder()
    with (
        registry_with(recorder, entry_points=True),
        run_server(created, http=http_impl) as server,
    ):
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"POST /echo?x=1 HTTP/1.1\r\nHost: e\r\nContent-Length: 5\r\n\r\nhello")
            assert read_response(conn)[2] == b"hellohello"
            conn.sendall(b"GET /fail HTTP/1.1\r\nHost: e\r\n\r\n")
            assert read_response(conn)[0] == b"HTTP/1.1 500 Internal Server Error"
        assert wait_for(lambda: "connection_closed" in recorder.kinds())
    assert recorder.kinds() == [
        "worker_started",
        "connection_opened",
        "request_started",
        "request_finished",
        "request_started",
        "request_finished",
        "connection_closed",
        "worker_stopping",
    ]
    events = dict(recorder.events[:4])
    opened: ConnectionInfo = events["connection_opened"]
    assert (opened.protocol, opened.client[0] if opened.client else None, opened.tls) == (
        "http/1.1",
        "127.0.0.1",
        False,
    )
    assert events["request_started"] == ("POST", "/echo", 0)
    finished: RequestInfo = events["request_finished"]
    assert (finished.method, finished.path, finished.query_string) == ("POST", "/echo", b"x=1")
    assert (finished.http_version, finished.scheme, finished.status) == ("1.1", "http", 201)
    assert (finished.bytes_in, finished.bytes_out, finished.upgraded) == (5, 10, False)
    assert finished.duration > 0
    failed: RequestInfo = recorder.events[5][1]
    assert (failed.path, failed.status) == ("/fail", 500)


def test_an_observer_that_raises_is_logged_and_serving_goes_on(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        @hookimpl
        def uvicorn_request_finished(self) -> None:  # pluggy lets it take no argument
            raise ValueError("observer bug")

    recorder = Recorder()
    with (
        registry_with(Broken(), recorder, entry_points=True),
        run_server(apps.hello, http=http_impl) as server,
    ):
        with caplog.at_level(logging.ERROR, logger="uvicorn.error"):
            responses = [httpx.get(server.url + "/") for _ in range(2)]
    assert [response.text for response in responses] == ["Hello, world!"] * 2
    assert recorder.kinds().count("request_finished") == 2
    assert sum("Observer" in record.getMessage() for record in caplog.records) == 2


def test_websocket_open_and_close_are_reported(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        message = await receive()
        await send({"type": "websocket.close", "code": 4000 + len(message.get("bytes", b""))})

    recorder = Recorder()
    with (
        registry_with(recorder, entry_points=True),
        run_server(app, http=http_impl, ws=ws_impl) as server,
    ):
        with open_raw(server, "/chat") as conn:
            conn.sendall(frame(0x2, b"abc"))
            assert read_close_code(conn) == 4003
        assert wait_for(lambda: "websocket_closed" in recorder.kinds())
    events = dict(recorder.events)
    assert events["websocket_opened"] == "/chat"
    assert events["websocket_closed"] == 4003


def test_a_server_nobody_observes_runs_the_plain_cycle(http_impl: str) -> None:
    with registry_with(entry_points=True), run_server(apps.hello, http=http_impl) as server:
        assert httpx.get(server.url + "/").text == "Hello, world!"
        assert server.state.observers is None
        settings = [
            value
            for key, value in server.state.connection_settings.items()
            if issubclass(key, HTTPConnection)
        ]
        assert [s.new_cycle for s in settings] == [RequestResponseCycle]
