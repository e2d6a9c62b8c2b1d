"""Random and mutated requests never crash, hang or confuse the server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from uvicorn.testing import apps
from uvicorn.testing._optional import LazyClient, require_module
from uvicorn.testing.utils import RunningServer, run_server

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyClient("httpx")  # a test that uses it skips when it is not installed

if TYPE_CHECKING:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
else:
    hypothesis = require_module("hypothesis")  # every test here is a hypothesis test
    st = require_module("hypothesis.strategies")
    HealthCheck, given, settings = hypothesis.HealthCheck, hypothesis.given, hypothesis.settings

pytestmark = pytest.mark.timeout(120)

VALID = b"POST /path?q=1 HTTP/1.1\r\nHost: example\r\nContent-Length: 5\r\n\r\nhello"


@pytest.fixture(scope="module")
def fuzz_server(http_impl: str) -> Iterator[RunningServer]:
    """One server per HTTP implementation for the whole module (``http_impl`` is
    session-scoped): hypothesis runs many examples against it."""
    with run_server(apps.echo_body, http=http_impl, timeout_request_head=2) as server:
        yield server


def exchange(server: RunningServer, data: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def assert_clean(response: bytes) -> None:
    """Nothing, or responses that each start with a status line: never garbage."""
    if response:
        assert response.startswith(b"HTTP/1.1 "), response[:100]
        status = int(response[9:12])
        assert status in (200, 400, 408, 413, 414, 431, 501, 505), response[:200]


mutation = st.tuples(st.integers(0, len(VALID) - 1), st.binary(min_size=0, max_size=8))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(mutation, min_size=1, max_size=4))
def test_mutated_requests_get_a_clean_answer(
    fuzz_server: RunningServer, mutations: list[tuple[int, bytes]]
) -> None:
    data = bytearray(VALID)
    for position, replacement in mutations:
        data[position : position + len(replacement)] = replacement
    assert_clean(exchange(fuzz_server, bytes(data)))
    assert httpx.post(fuzz_server.url, content=b"ok").text == "ok"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(min_size=1, max_size=300))
def test_random_bytes_get_a_clean_answer(fuzz_server: RunningServer, data: bytes) -> None:
    assert_clean(exchange(fuzz_server, data))
