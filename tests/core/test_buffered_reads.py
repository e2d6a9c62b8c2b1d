"""When a connection starts reading into the shared buffer (uvicorn.protocols.reads).

What is read that way is tested for every plugin by the kit's test_large_reads; these
say which connections switch: only those whose plugin declares parser_accepts_views,
only on plain sockets, and only after a large chunk.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from uvicorn.protocols.http.connection import HTTPConnection
from uvicorn.protocols.reads import LARGE_READ, BufferedReads
from uvicorn.testing import apps
from uvicorn.testing.conformance.http.test_large_reads import payload, post
from uvicorn.testing.utils import read_response, run_server, wait_for

pytestmark = pytest.mark.timeout(30)


def transport_protocols(server: Any) -> list[type[object]]:
    connections = [c for c in server.state.connections if isinstance(c, HTTPConnection)]
    return [type(c.transport.get_protocol()) for c in connections]


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
@pytest.mark.parametrize(
    ("http", "size", "switched"),
    [
        ("httptools", 100_000, True),  # declares parser_accepts_views
        ("httptools", LARGE_READ // 2, False),  # small chunks: plain reads stay cheaper
        ("h11", 100_000, False),  # does not declare it
    ],
)
def test_which_connections_read_into_the_shared_buffer(
    http: str, size: int, switched: bool, loop: str
) -> None:
    pytest.importorskip(http)
    if loop == "uvloop":
        pytest.importorskip("uvloop")
    with run_server(apps.echo_body, http=http, loop=loop) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            body = payload(size, 7)
            conn.sendall(post(body))
            assert read_response(conn)[2] == body
            assert wait_for(lambda: len(transport_protocols(server)) == 1)
            uses_buffer = transport_protocols(server) == [BufferedReads]
            assert uses_buffer is switched
            conn.sendall(post(b"after"))  # and it goes on serving
            assert read_response(conn)[2] == b"after"


class Receiver:
    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def data_received(self, data: bytes) -> None:
        self.calls.append(("data", bytes(data)))

    def eof_received(self) -> bool | None:
        self.calls.append(("eof", None))
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.calls.append(("lost", exc))

    def pause_writing(self) -> None:
        self.calls.append(("pause", None))

    def resume_writing(self) -> None:
        self.calls.append(("resume", None))


def test_the_stand_in_forwards_everything_the_transport_says() -> None:
    receiver = Receiver()
    reads = BufferedReads(receiver, receiver.data_received)  # type: ignore[arg-type]
    assert isinstance(reads, asyncio.BufferedProtocol)
    buffer = reads.get_buffer(-1)
    buffer[:5] = b"hello"
    reads.buffer_updated(5)
    reads.pause_writing()
    reads.resume_writing()
    assert reads.eof_received() is True  # the connection's answer: keep the socket open
    error = ConnectionResetError()
    reads.connection_lost(error)
    assert receiver.calls == [
        ("data", b"hello"),
        ("pause", None),
        ("resume", None),
        ("eof", None),
        ("lost", error),
    ]
