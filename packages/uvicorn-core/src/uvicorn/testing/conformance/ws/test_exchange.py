"""The ASGI WebSocket cycle over real sockets, for every (HTTP x WebSocket) implementation pair."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import TYPE_CHECKING, Any

import pytest

from uvicorn.protocols.utils import ClientDisconnected
from uvicorn.testing._optional import LazyClient
from uvicorn.testing.conformance.ws.apps import Recorder, echo, echo_in_batches
from uvicorn.testing.utils import wait_for
from uvicorn.testing.websocket import (
    connect,
    frame,
    handshake_request,
    open_raw,
    read_handshake_response,
    read_server_frame,
    ws_server,
    ws_url,
)

if TYPE_CHECKING:
    import websockets.exceptions as ws_errors
else:
    ws_errors = LazyClient("websockets.exceptions")  # skips a test that needs it if missing

pytestmark = pytest.mark.timeout(20)


def test_text_and_bytes_are_echoed(http_impl: str, ws_impl: str) -> None:
    async def client(url: str) -> list[object]:
        async with connect(url) as websocket:
            await websocket.send("hello")
            text = await websocket.recv()
            await websocket.send(b"\x00\x01")
            data = await websocket.recv()
            large = "x" * 200_000
            await websocket.send(large)
            echoed = await websocket.recv()
            return [text, data, echoed == large]

    with ws_server(echo, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == ["hello", b"\x00\x01", True]


SIZES = [0, 1, 125, 126, 4095, 4096, 65535, 65536, 200_000]


def test_messages_of_every_size_are_echoed_in_single_frames(http_impl: str, ws_impl: str) -> None:
    """Without extensions, every length encoding, in bursts (several frames per read,
    frames across reads) and one at a time; the echo is one final frame per message."""
    messages = [(0x2, bytes(range(256)) * (size // 256) + b"x" * (size % 256)) for size in SIZES]
    messages += [(0x1, ("\u00e9" * size)[: size // 2].encode()) for size in SIZES]
    with ws_server(echo, http_impl, ws_impl) as server, open_raw(server) as conn:
        conn.sendall(b"".join(frame(opcode, payload) for opcode, payload in messages))
        burst = [read_server_frame(conn) for _ in messages]
        one_by_one = []
        for opcode, payload in reversed(messages):
            conn.sendall(frame(opcode, payload))
            one_by_one.append(read_server_frame(conn))
    assert burst == [(True, opcode, payload) for opcode, payload in messages]
    assert one_by_one == [(True, opcode, payload) for opcode, payload in reversed(messages)]


def test_queued_large_messages_keep_their_bytes(http_impl: str, ws_impl: str) -> None:
    """Messages wait in the queue while the server reads on: what it read them from
    (a buffer it reuses for every read) must not show through."""
    messages = [bytes([index]) * (70_000 + 1_000 * index) for index in range(20)]
    with ws_server(echo_in_batches, http_impl, ws_impl) as server, open_raw(server) as conn:
        conn.sendall(b"".join(frame(0x2, payload) for payload in messages))
        echoed = [read_server_frame(conn) for _ in messages]
    assert echoed == [(True, 0x2, payload) for payload in messages]


def test_messages_sent_in_one_step_leave_in_order(http_impl: str, ws_impl: str) -> None:
    """A short message waits for the end of the loop pass while a large one written right
    after it would leave at once: the large one must not overtake it."""
    large = bytes(range(256)) * 1100  # over the size written at once

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await receive()
        await send({"type": "websocket.send", "text": "first"})
        await send({"type": "websocket.send", "bytes": large})
        await send({"type": "websocket.send", "bytes": b"last"})
        await receive()

    with ws_server(app, http_impl, ws_impl) as server, open_raw(server) as conn:
        conn.sendall(frame(0x1, b"go"))
        received = [read_server_frame(conn) for _ in range(3)]
    assert received == [(True, 0x1, b"first"), (True, 0x2, large), (True, 0x2, b"last")]


def test_scope_follows_the_spec(http_impl: str, ws_impl: str) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        recorder.scopes.append(scope)
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close"})

    async def client(url: str) -> None:
        headers = {"X-Custom": "value"}
        async with connect(url, subprotocols=["chat", "superchat"], additional_headers=headers):
            pass

    with ws_server(app, http_impl, ws_impl, root_path="/root") as server:
        asyncio.run(client(ws_url(server, "/some%20path?a=1&b=2")))
    (scope,) = recorder.scopes
    assert scope["type"] == "websocket"
    assert scope["asgi"] == {"version": "3.0", "spec_version": "2.4"}
    assert scope["http_version"] == "1.1"
    assert scope["scheme"] == "ws"
    assert scope["path"] == "/root/some path"
    assert scope["raw_path"] == b"/root/some%20path"
    assert scope["root_path"] == "/root"
    assert scope["query_string"] == b"a=1&b=2"
    assert scope["subprotocols"] == ["chat", "superchat"]
    assert scope["server"] == ("127.0.0.1", server.port)
    assert scope["client"][0] == "127.0.0.1"
    assert scope["state"] == {}
    assert scope["extensions"] == {"websocket.http.response": {}}
    headers = dict(scope["headers"])
    assert headers[b"x-custom"] == b"value"
    assert headers[b"upgrade"] == b"websocket"
    assert b"sec-websocket-key" in headers
    assert all(name == name.lower() for name, _ in scope["headers"])


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_scope_server_is_the_address_the_client_reached(
    http_impl: str, ws_impl: str, host: str
) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        recorder.scopes.append(scope)
        await receive()
        await send({"type": "websocket.close"})

    async def client(url: str) -> None:
        with pytest.raises(ws_errors.InvalidStatus):
            async with connect(url):
                pass

    with ws_server(app, http_impl, ws_impl, host=host) as server:
        asyncio.run(client(f"ws://127.0.0.1:{server.port}/"))
    (scope,) = recorder.scopes
    assert scope["server"] == ("127.0.0.1", server.port)


def test_accept_sends_subprotocol_and_extra_headers(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send(
            {
                "type": "websocket.accept",
                "subprotocol": "superchat",
                "headers": [(b"x-extra", b"yes")],
            }
        )
        await receive()

    async def client(url: str) -> tuple[str | None, str | None]:
        async with connect(url, subprotocols=["chat", "superchat"]) as websocket:
            assert websocket.response is not None
            return websocket.subprotocol, websocket.response.headers.get("x-extra")

    with ws_server(app, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == ("superchat", "yes")


def test_app_headers_replace_the_server_defaults(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept", "headers": [(b"server", b"mine")]})
        await receive()

    async def client(url: str) -> list[str]:
        async with connect(url) as websocket:
            assert websocket.response is not None
            return websocket.response.headers.get_all("server")

    with ws_server(app, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == ["mine"]


def test_client_close_reaches_app_with_code_and_reason(http_impl: str, ws_impl: str) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        recorder.record(await receive())
        await send({"type": "websocket.accept"})
        recorder.record(await receive())
        try:
            await send({"type": "websocket.send", "text": "too late"})
        except ClientDisconnected as exc:
            recorder.errors.append(exc)

    async def client(url: str) -> None:
        async with connect(url) as websocket:
            await websocket.close(4001, "bye")

    with ws_server(app, http_impl, ws_impl) as server:
        asyncio.run(client(ws_url(server)))
        assert wait_for(lambda: len(recorder.errors) == 1)
    assert recorder.messages == [
        {"type": "websocket.connect"},
        {"type": "websocket.disconnect", "code": 4001, "reason": "bye"},
    ]
    assert isinstance(recorder.errors[0], OSError)


def test_app_close_after_accept_sends_code_and_reason(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 4002, "reason": "done here"})

    async def client(url: str) -> tuple[int, str]:
        async with connect(url) as websocket:
            with pytest.raises(ws_errors.ConnectionClosed) as info:
                await websocket.recv()
            assert info.value.rcvd is not None
            return info.value.rcvd.code, info.value.rcvd.reason

    with ws_server(app, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == (4002, "done here")


def test_app_returning_after_accept_closes_normally(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "bye"})

    async def client(url: str) -> tuple[object, int]:
        async with connect(url) as websocket:
            message = await websocket.recv()
            with pytest.raises(ws_errors.ConnectionClosed) as info:
                await websocket.recv()
            assert info.value.rcvd is not None
            return message, info.value.rcvd.code

    with ws_server(app, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == ("bye", 1000)


def test_app_error_after_accept_closes_with_1011(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        raise RuntimeError("boom")

    async def client(url: str) -> int:
        async with connect(url) as websocket:
            with pytest.raises(ws_errors.ConnectionClosed) as info:
                await websocket.recv()
            assert info.value.rcvd is not None
            return info.value.rcvd.code

    with ws_server(app, http_impl, ws_impl) as server:
        assert asyncio.run(client(ws_url(server))) == 1011


async def _handshake_status(url: str) -> tuple[int, bytes]:
    with pytest.raises(ws_errors.InvalidStatus) as info:
        async with connect(url):
            pass
    response = info.value.response
    return response.status_code, bytes(response.body or b"")


def test_close_before_accept_answers_403(http_impl: str, ws_impl: str) -> None:
    recorder = Recorder()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.close"})
        recorder.record(await receive())

    with ws_server(app, http_impl, ws_impl) as server:
        status, _ = asyncio.run(_handshake_status(ws_url(server)))
        assert wait_for(lambda: len(recorder.messages) == 1)
    assert status == 403
    assert recorder.types() == ["websocket.disconnect"]


@pytest.mark.parametrize("outcome", ["raise", "return"])
def test_app_failing_before_accept_answers_500(http_impl: str, ws_impl: str, outcome: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        if outcome == "raise":
            raise RuntimeError("boom")

    with ws_server(app, http_impl, ws_impl) as server:
        status, _ = asyncio.run(_handshake_status(ws_url(server)))
    assert status == 500


def test_denial_response_is_sent_as_http(http_impl: str, ws_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 401,
                "headers": [(b"content-length", b"11"), (b"x-why", b"token")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": b"no ", "more_body": True})
        await send({"type": "websocket.http.response.body", "body": b"entrance"})

    with ws_server(app, http_impl, ws_impl) as server:
        status, body = asyncio.run(_handshake_status(ws_url(server)))
    assert (status, body) == (401, b"no entrance")


def test_frames_sent_before_the_app_accepts_are_delivered(http_impl: str, ws_impl: str) -> None:
    """A client may send right after its handshake; the app accepts later, and reads all."""
    sent = threading.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await asyncio.get_running_loop().run_in_executor(None, sent.wait, 5)
        await send({"type": "websocket.accept"})
        for _ in range(3):
            message = await receive()
            await send({"type": "websocket.send", "bytes": message.get("bytes") or b"?"})

    messages = [b"first", b"x" * 70_000, b"third"]
    with ws_server(app, http_impl, ws_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            # The handshake and the first frame in one write, the rest before the 101.
            conn.sendall(handshake_request() + frame(0x2, messages[0]))
            conn.sendall(b"".join(frame(0x2, message) for message in messages[1:]))
            sent.set()
            assert read_handshake_response(conn).startswith(b"HTTP/1.1 101")
            echoed = [read_server_frame(conn) for _ in messages]
    assert echoed == [(True, 0x2, message) for message in messages]


def test_slow_app_with_small_queue_loses_nothing(http_impl: str, ws_impl: str) -> None:
    async def client(url: str) -> list[object]:
        async with connect(url) as websocket:
            for index in range(200):
                await websocket.send(f"message {index}")
            return [await websocket.recv() for _ in range(200)]

    with ws_server(echo, http_impl, ws_impl, ws_max_queue=2) as server:
        received = asyncio.run(client(ws_url(server)))
    assert received == [f"message {index}" for index in range(200)]


def test_oversized_message_closes_with_1009(http_impl: str, ws_impl: str) -> None:
    async def client(url: str) -> tuple[object, int]:
        async with connect(url) as websocket:
            await websocket.send("x" * 1024)
            echoed = await websocket.recv()
            await websocket.send("x" * 1025)
            with pytest.raises(ws_errors.ConnectionClosed) as info:
                await websocket.recv()
            assert info.value.rcvd is not None
            return echoed == "x" * 1024, info.value.rcvd.code

    with ws_server(echo, http_impl, ws_impl, ws_max_size=1024) as server:
        assert asyncio.run(client(ws_url(server))) == (True, 1009)


def test_max_size_counts_bytes_of_text(http_impl: str, ws_impl: str) -> None:
    async def client(url: str) -> int:
        async with connect(url) as websocket:
            await websocket.send("\u00e9" * 513)  # 513 characters, 1026 bytes
            with pytest.raises(ws_errors.ConnectionClosed) as info:
                await websocket.recv()
            assert info.value.rcvd is not None
            return info.value.rcvd.code

    with ws_server(echo, http_impl, ws_impl, ws_max_size=1024) as server:
        assert asyncio.run(client(ws_url(server))) == 1009


@pytest.mark.parametrize("enabled", [True, False])
def test_per_message_deflate_is_negotiated_when_enabled(
    http_impl: str, ws_impl: str, enabled: bool
) -> None:
    async def client(url: str) -> tuple[str, object]:
        async with connect(url, compression="deflate") as websocket:
            assert websocket.response is not None
            await websocket.send("compress me " * 100)
            echoed = await websocket.recv()
            return websocket.response.headers.get("sec-websocket-extensions", ""), echoed

    with ws_server(echo, http_impl, ws_impl, ws_per_message_deflate=enabled) as server:
        extensions, echoed = asyncio.run(client(ws_url(server)))
    assert echoed == "compress me " * 100
    assert ("permessage-deflate" in extensions) is enabled


def test_handshakes_are_logged_with_their_outcome(
    http_impl: str, ws_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        if scope["path"] == "/denied":
            await send({"type": "websocket.close"})
        else:
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close"})

    async def client(url: str) -> None:
        async with connect(url + "chat?room=1"):
            pass
        await _handshake_status(url + "denied")

    caplog.set_level(logging.INFO, logger="uvicorn.error")
    with ws_server(app, http_impl, ws_impl) as server:
        asyncio.run(client(ws_url(server)))
        assert wait_for(lambda: '"WebSocket /denied" 403' in caplog.text)
    assert '"WebSocket /chat?room=1" [accepted]' in caplog.text
    assert "Exception" not in caplog.text


def test_app_error_is_logged_and_answered_500(
    http_impl: str, ws_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("boom")

    with ws_server(app, http_impl, ws_impl) as server:
        assert asyncio.run(_handshake_status(ws_url(server)))[0] == 500
        assert wait_for(lambda: "Exception in ASGI application" in caplog.text)
