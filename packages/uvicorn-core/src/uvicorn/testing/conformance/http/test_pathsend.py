"""The ``http.response.pathsend`` extension, for every HTTP implementation and loop.

The app names a file; the server sends it (zero-copy where the loop can, read and written
in chunks where not). The bytes must be exact with either framing, back-pressure must
hold for a client that reads slowly, and a client that leaves mid-file must not leave
the file open.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from uvicorn.testing.utils import read_response, read_until_closed, run_server, wait_for

pytestmark = pytest.mark.timeout(30)


def file_app(path: Path, *, sized: bool = True) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["extensions"]["http.response.pathsend"] == {}
        headers = [(b"content-type", b"application/octet-stream")]
        if sized:
            headers.append((b"content-length", str(path.stat().st_size).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.pathsend", "path": str(path)})

    return app


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(1 << 20) * 6 + b"tail")  # 6 MiB and a bit
    return path


def open_files_of_this_process(path: Path) -> int:
    count = 0
    for entry in os.scandir("/proc/self/fd"):
        try:
            if os.readlink(entry.path) == str(path):
                count += 1
        except OSError:
            continue
    return count


@pytest.mark.parametrize("sized", [True, False], ids=["content-length", "chunked"])
def test_file_is_sent_exactly_and_the_connection_goes_on(
    http_impl: str, loop_impl: str, big_file: Path, sized: bool
) -> None:
    with run_server(file_app(big_file, sized=sized), http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            for _ in range(2):
                conn.sendall(b"GET /big HTTP/1.1\r\nHost: example\r\n\r\n")
                status, headers, body = read_response(conn)
                assert status == b"HTTP/1.1 200 OK"
                expected = b"content-length" if sized else b"transfer-encoding"
                assert expected in headers
                assert body == big_file.read_bytes()


def test_head_request_gets_no_file_bytes(http_impl: str, loop_impl: str, big_file: Path) -> None:
    with run_server(file_app(big_file), http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            conn.sendall(b"HEAD / HTTP/1.1\r\nHost: example\r\n\r\n")
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
            answer = read_until_closed(conn)
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"content-length: %d" % big_file.stat().st_size in head.lower()
    assert rest.startswith(b"HTTP/1.1 200 OK"), "the HEAD response carried a body"
    assert rest.endswith(big_file.read_bytes())


def test_slow_reader_holds_the_server_back(http_impl: str, loop_impl: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.bin"
    path.write_bytes(b"0123456789abcdef" * (1 << 21))  # 32 MiB
    with run_server(file_app(path), http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            connections = server.state.connections
            assert wait_for(lambda: len(connections) == 1)
            (connection,) = connections
            # The client reads nothing: the server must stop, not buffer the file.
            sizes = []
            for _ in range(20):  # sampled over 0.4 s of the client not reading
                sizes.append(connection.transport.get_write_buffer_size())
                threading.Event().wait(0.02)
            assert max(sizes) <= 4 << 20, f"the server buffered {max(sizes)} bytes of the file"
            status, _, body = read_response(conn)
    assert status == b"HTTP/1.1 200 OK"
    assert len(body) == path.stat().st_size
    assert body == path.read_bytes()


def test_client_leaving_mid_file_closes_the_file(
    http_impl: str, loop_impl: str, tmp_path: Path
) -> None:
    path = tmp_path / "left.bin"
    path.write_bytes(b"x" * (32 << 20))
    with run_server(file_app(path), http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200 OK")
            assert wait_for(lambda: open_files_of_this_process(path) == 1)
        # Gone with 32 MiB unsent: the server notices, and closes the file.
        assert wait_for(lambda: open_files_of_this_process(path) == 0, 10)
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            conn.sendall(b"HEAD / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
            assert read_until_closed(conn).startswith(b"HTTP/1.1 200 OK")  # still serving


@pytest.mark.parametrize(
    ("announced", "path_kind"),
    [(100, "missing"), (10_000, "short"), (None, "relative")],
)
def test_a_file_that_cannot_be_sent_is_a_500(
    http_impl: str, tmp_path: Path, announced: int | None, path_kind: str
) -> None:
    short = tmp_path / "short.bin"
    short.write_bytes(b"s" * 10)
    path = {"missing": str(tmp_path / "nope"), "short": str(short), "relative": "short.bin"}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = [] if announced is None else [(b"content-length", str(announced).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.pathsend", "path": path[path_kind]})

    with run_server(app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            status, _, _ = read_response(conn)
    assert status == b"HTTP/1.1 500 Internal Server Error"
