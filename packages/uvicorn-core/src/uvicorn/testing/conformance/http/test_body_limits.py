"""--limit-request-body and --timeout-request-body, for every HTTP implementation.

A body over the limit is refused with 413 before the app runs when its Content-Length
says so, and cut when a chunked body grows past it: with 413 if no response began, else
by closing. A client that stops sending its body is disconnected. Either way the app
sees ``http.disconnect``, no request is answered twice, and the server goes on serving.
"""

from __future__ import annotations

import queue
import socket
import threading
from typing import Any

import pytest

from uvicorn.testing import apps
from uvicorn.testing.utils import raw_request, read_response, read_until_closed, run_server

pytestmark = pytest.mark.timeout(30)

LIMIT = 1000


def recorder(seen: queue.Queue[str]) -> Any:
    """Reads the body, reporting each message type, then answers with what it read."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            seen.put(message["type"])
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await apps.send_plain(send, body)

    return app


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


CHUNKED_HEAD = b"POST / HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n"


def sized(length: int, body: bytes = b"") -> bytes:
    return b"POST / HTTP/1.1\r\nHost: example\r\nContent-Length: %d\r\n\r\n%s" % (length, body)


def exchange(port: int, request: bytes) -> tuple[bytes, bytes]:
    """One request on a new keep-alive connection: its status line and body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        status, _, body = read_response(conn)
    return status, body


def test_content_length_over_the_limit_is_413_before_the_app_runs(http_impl: str) -> None:
    seen: queue.Queue[str] = queue.Queue()
    with run_server(recorder(seen), http=http_impl, limit_request_body=LIMIT) as server:
        answer = raw_request(server.port, sized(LIMIT + 1, b"x" * (LIMIT + 1)))
        assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
        assert b"connection: close" in answer.lower()
        assert seen.empty(), "the app ran for a request refused by its Content-Length"
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(sized(LIMIT, b"y" * LIMIT))  # exactly the limit: served
            status, _, body = read_response(conn)
    assert (status, body) == (b"HTTP/1.1 200 OK", b"y" * LIMIT)


def test_chunked_body_growing_past_the_limit_is_cut_with_413(http_impl: str) -> None:
    seen: queue.Queue[str] = queue.Queue()
    with run_server(recorder(seen), http=http_impl, limit_request_body=LIMIT) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(CHUNKED_HEAD + chunk(b"a" * 600))
            assert seen.get(timeout=5) == "http.request"
            conn.sendall(chunk(b"b" * 600))
            answer = read_until_closed(conn)
        assert answer.startswith(b"HTTP/1.1 413 Request Entity Too Large\r\n")
        assert answer.count(b"HTTP/1.1") == 1
        assert seen.get(timeout=5) == "http.disconnect"
        chunked = CHUNKED_HEAD + chunk(b"c" * 500) + chunk(b"d" * 500) + b"0\r\n\r\n"
        assert exchange(server.port, chunked) == (b"HTTP/1.1 200 OK", b"c" * 500 + b"d" * 500)


def test_chunked_body_past_the_limit_after_the_response_began_only_closes(
    http_impl: str,
) -> None:
    seen: queue.Queue[str] = queue.Queue()

    async def streams_back(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:
            message = await receive()
            seen.put(message["type"])
            if message["type"] != "http.request":
                return
            await send({"type": "http.response.body", "body": b"ok", "more_body": True})

    with run_server(streams_back, http=http_impl, limit_request_body=LIMIT) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(CHUNKED_HEAD + chunk(b"a" * 600))
            assert seen.get(timeout=5) == "http.request"
            conn.sendall(chunk(b"b" * 600))
            answer = read_until_closed(conn)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b" 413 " not in answer, "a second status line for one request"
    assert seen.get(timeout=5) == "http.disconnect"


def test_body_past_the_limit_after_the_app_answered_only_closes(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl, limit_request_body=LIMIT) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(CHUNKED_HEAD + chunk(b"a" * 600))
            status, _, body = read_response(conn)  # answered without reading the body
            assert (status, body) == (b"HTTP/1.1 200 OK", b"Hello, world!")
            conn.sendall(chunk(b"b" * 600))
            assert read_until_closed(conn) == b""


def test_body_that_stops_arriving_is_disconnected(http_impl: str) -> None:
    seen: queue.Queue[str] = queue.Queue()
    with run_server(recorder(seen), http=http_impl, timeout_request_body=0.2) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(sized(100, b"x" * 10))  # 90 bytes never come
            answer = read_until_closed(conn)
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert seen.get(timeout=5) == "http.request"
        assert seen.get(timeout=5) == "http.disconnect"
        assert exchange(server.port, sized(3, b"abc")) == (b"HTTP/1.1 200 OK", b"abc")


def test_body_arriving_in_slow_pieces_is_not_cut(http_impl: str) -> None:
    """The timeout counts the pause between pieces, not the whole body."""
    seen: queue.Queue[str] = queue.Queue()
    with run_server(recorder(seen), http=http_impl, timeout_request_body=1.5) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(sized(4, b"a"))
            for piece in (b"b", b"c", b"d"):
                assert seen.get(timeout=5) == "http.request"  # the app got the last piece
                threading.Event().wait(0.7)  # a pause shorter than the timeout
                conn.sendall(piece)
            status, _, body = read_response(conn)
    assert (status, body) == (b"HTTP/1.1 200 OK", b"abcd")


def test_a_body_the_app_does_not_read_yet_is_not_timed_out(http_impl: str) -> None:
    """Reading paused because the app is not reading: the client is not the one late."""
    release = threading.Event()

    async def slow_reader(scope: Any, receive: Any, send: Any) -> None:
        import asyncio

        await asyncio.get_running_loop().run_in_executor(None, release.wait, 10)
        await apps.echo_body(scope, receive, send)

    payload = b"z" * 300_000  # more than the server buffers before it stops reading
    with run_server(slow_reader, http=http_impl, timeout_request_body=0.2) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            sender = threading.Thread(target=conn.sendall, args=(sized(len(payload), payload),))
            sender.start()
            threading.Event().wait(1.5)  # several ticks of the deadline check
            release.set()
            status, _, body = read_response(conn)
            sender.join(5)
    assert (status, len(body)) == (b"HTTP/1.1 200 OK", len(payload))
