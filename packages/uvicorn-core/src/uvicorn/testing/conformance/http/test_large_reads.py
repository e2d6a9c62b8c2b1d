"""Connections that receive large chunks, on every HTTP implementation and loop.

A connection whose parser accepts views switches to reading into a buffer shared by
every connection of the thread once a large chunk arrives (uvicorn.protocols.reads):
what it parses must not depend on that memory after the read, and whatever follows a
large upload on the same connection (small requests, pipelined ones, bad input, a
WebSocket upgrade) must be served as on a fresh connection.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from uvicorn.testing import apps
from uvicorn.testing.utils import read_response, run_server
from uvicorn.testing.websocket import frame, handshake_request, read_frame, read_handshake_response

pytestmark = pytest.mark.timeout(30)

SIZES = (40_000, 65_536, 300_000, 100)  # above and below the switch, and one read's size


def payload(size: int, seed: int) -> bytes:
    """Bytes that differ from one request to the next, so a stale buffer shows."""
    return bytes((seed * 31 + index) % 251 for index in range(251)) * (size // 251) + bytes(
        size % 251
    )


def post(body: bytes, path: str = "/") -> bytes:
    head = b"POST %s HTTP/1.1\r\nHost: example\r\nContent-Length: %d\r\n\r\n" % (
        path.encode(),
        len(body),
    )
    return head + body


def test_large_uploads_on_one_connection_are_echoed_exactly(http_impl: str, loop_impl: str) -> None:
    with run_server(apps.echo_body, http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            for seed, size in enumerate(SIZES * 2):
                body = payload(size, seed)
                conn.sendall(post(body))
                status, _, echoed = read_response(conn)
                assert status == b"HTTP/1.1 200 OK"
                assert echoed == body, f"upload {seed} of {size} bytes came back changed"
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            status, _, echoed = read_response(conn)
            assert status == b"HTTP/1.1 200 OK"
            assert echoed == b""


def test_two_connections_uploading_at_once_keep_their_own_bytes(
    http_impl: str, loop_impl: str
) -> None:
    """Both connections read into the same thread's buffer: neither sees the other's bytes."""
    results: dict[int, list[bool]] = {0: [], 1: []}

    def client(index: int, port: int) -> None:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            for round_ in range(6):
                body = payload(70_000 + index * 1000 + round_, index * 10 + round_)
                conn.sendall(post(body))
                results[index].append(read_response(conn)[2] == body)

    with run_server(apps.echo_body, http=http_impl, loop=loop_impl) as server:
        threads = [threading.Thread(target=client, args=(i, server.port)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert results == {0: [True] * 6, 1: [True] * 6}


def test_pipelined_requests_after_a_large_upload_are_answered_in_order(
    http_impl: str, loop_impl: str
) -> None:
    first = payload(70_000, 1)
    burst = post(first) + post(b"second") + post(payload(50_000, 2)) + post(b"last")
    with run_server(apps.echo_body, http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(post(payload(40_000, 0)))
            assert read_response(conn)[2] == payload(40_000, 0)
            conn.sendall(burst)
            bodies = [read_response(conn)[2] for _ in range(4)]
    assert bodies == [first, b"second", payload(50_000, 2), b"last"]


def test_bad_input_after_a_large_upload_gets_400_and_others_are_served(
    http_impl: str, loop_impl: str
) -> None:
    with run_server(apps.echo_body, http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(post(payload(70_000, 3)))
            assert read_response(conn)[2] == payload(70_000, 3)
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\nBad Header: x\r\n\r\n")
            status, headers, _ = read_response(conn)
            assert status == b"HTTP/1.1 400 Bad Request"
            assert headers[b"connection"] == b"close"
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(post(b"still serving"))
            assert read_response(conn)[2] == b"still serving"


def test_oversized_head_after_a_large_upload_gets_431(http_impl: str, loop_impl: str) -> None:
    with run_server(apps.echo_body, http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(post(payload(70_000, 4)))
            assert read_response(conn)[2] == payload(70_000, 4)
            big_header = b"X-Big: " + b"a" * 40_000 + b"\r\n"
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n" + big_header + b"\r\n")
            status, _, _ = read_response(conn)
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"


async def http_and_websocket_echo(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await apps.echo_body(scope, receive, send)
        return
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    message = await receive()
    assert message["type"] == "websocket.receive", message
    await send({"type": "websocket.send", "bytes": message["bytes"]})
    await send({"type": "websocket.close", "code": 1000})


def test_websocket_upgrade_after_a_large_upload_on_the_same_connection(
    http_impl: str, ws_impl: str, loop_impl: str
) -> None:
    message = payload(100_000, 5)
    handshake = handshake_request()
    with run_server(http_and_websocket_echo, http=http_impl, ws=ws_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(post(payload(70_000, 6)))
            assert read_response(conn)[2] == payload(70_000, 6)
            # The handshake and a first large message in one write: the message trails
            # the head in the chunk the HTTP connection hands over.
            conn.sendall(handshake + frame(0x2, message))
            assert read_handshake_response(conn).startswith(b"HTTP/1.1 101")
            assert read_frame(conn) == (0x2, message)


def test_declined_h2c_upgrade_after_a_large_upload_keeps_its_body(
    http_impl: str, loop_impl: str
) -> None:
    """Upgrade: h2c without --http2 is served as HTTP/1.1, its body read to the last byte,
    also when the body arrives through the shared read buffer."""
    body = payload(60_000, 7)
    upgrade = (
        b"POST / HTTP/1.1\r\nHost: example\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    with run_server(apps.echo_body, http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(post(payload(70_000, 8)))
            assert read_response(conn)[2] == payload(70_000, 8)
            conn.sendall(upgrade + post(b"after"))
            assert read_response(conn)[2] == body
            assert read_response(conn)[2] == b"after"
