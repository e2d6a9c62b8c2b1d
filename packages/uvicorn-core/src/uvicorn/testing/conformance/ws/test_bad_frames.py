"""Invalid frames from a client close that connection with 1002/1007 and disturb no other."""

from __future__ import annotations

import asyncio

import pytest

from uvicorn.testing.conformance.ws.apps import echo
from uvicorn.testing.utils import read_until_closed
from uvicorn.testing.websocket import (
    connect,
    frame,
    open_raw,
    read_close_code,
    read_frame,
    ws_server,
    ws_url,
)

pytestmark = pytest.mark.timeout(20)

TEXT, BINARY, CONT, CLOSE, PING = 0x1, 0x2, 0x0, 0x8, 0x9

BAD_FRAMES = {
    "unmasked": (frame(TEXT, b"hello", mask=False), 1002),
    "reserved-bits": (frame(TEXT, b"hello", rsv=0b011), 1002),
    "unknown-opcode": (frame(0x3, b"hello"), 1002),
    "oversized-control": (frame(PING, b"x" * 126), 1002),
    "fragmented-control": (frame(PING, b"x", fin=False), 1002),
    "continuation-first": (frame(CONT, b"x"), 1002),
    "invalid-utf8": (frame(TEXT, b"\xff\xfe"), 1007),
}


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_invalid_frame_closes_with_protocol_error(http_impl: str, ws_impl: str, name: str) -> None:
    data, code = BAD_FRAMES[name]

    async def healthy_client(url: str) -> object:
        async with connect(url) as websocket:
            await websocket.send("still here")
            return await websocket.recv()

    with ws_server(echo, http_impl, ws_impl) as server:
        conn = open_raw(server)
        with conn:
            conn.sendall(data)
            assert read_close_code(conn) == code
            read_until_closed(conn)  # the server closes the TCP connection too
        assert asyncio.run(healthy_client(ws_url(server))) == "still here"


def test_fragmented_message_is_reassembled(http_impl: str, ws_impl: str) -> None:
    with ws_server(echo, http_impl, ws_impl) as server, open_raw(server) as conn:
        conn.sendall(frame(TEXT, b"hel", fin=False) + frame(PING, b"mid") + frame(CONT, b"lo"))
        assert read_frame(conn) == (0xA, b"mid")  # the ping is answered in between
        assert read_frame(conn) == (TEXT, b"hello")


def test_ping_is_answered_with_pong(http_impl: str, ws_impl: str) -> None:
    with ws_server(echo, http_impl, ws_impl) as server, open_raw(server) as conn:
        conn.sendall(frame(PING, b"are you there"))
        assert read_frame(conn) == (0xA, b"are you there")
        conn.sendall(frame(CLOSE, b"\x03\xe8"))
        assert read_close_code(conn) == 1000


def test_oversized_message_then_more_frames_closes_with_1009(http_impl: str, ws_impl: str) -> None:
    data = frame(TEXT, b"x" * 17) + frame(PING, b"after") + frame(TEXT, b"more")
    with ws_server(echo, http_impl, ws_impl, ws_max_size=16) as server, open_raw(server) as conn:
        conn.sendall(data)
        assert read_close_code(conn) == 1009
        read_until_closed(conn)


def test_oversized_fragmented_message_closes_with_1009(http_impl: str, ws_impl: str) -> None:
    data = frame(BINARY, b"x" * 10, fin=False) + frame(CONT, b"x" * 10)
    with ws_server(echo, http_impl, ws_impl, ws_max_size=16) as server, open_raw(server) as conn:
        conn.sendall(data)
        assert read_close_code(conn) == 1009
        read_until_closed(conn)
