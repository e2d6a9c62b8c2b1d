"""Malformed and hostile requests get a clean error and a close; everyone else is served."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import select
import socket
import time
from typing import TYPE_CHECKING, Any

import pytest

from uvicorn.testing import apps
from uvicorn.testing._optional import LazyClient
from uvicorn.testing.utils import ServerProcess, raw_request, read_until_closed, run_server

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyClient("httpx")  # a test that uses it skips when it is not installed

pytestmark = pytest.mark.timeout(30)

HEAD_LIMIT = 16 * 1024


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response[9:12])


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        pytest.param(b"GARBAGE\r\n\r\n", 400, id="garbage-request-line"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, id="header-no-colon"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400, id="space-in-name"),
        pytest.param(b"GET /\r\n\r\n", 400, id="http09-request-line"),
        pytest.param(b"GET / HTTP/1.1\r\n\r\n", 400, id="missing-host"),
        pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, id="duplicate-host"),
        pytest.param(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, id="bad-length"
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
            400,
            id="conflicting-lengths",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            501,
            id="unsupported-transfer-encoding",
        ),
        pytest.param(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            400,
            id="bad-chunk-size",
        ),
    ],
)
def test_malformed_request_is_refused(http_impl: str, request_bytes: bytes, status: int) -> None:
    with run_server(apps.echo_body, http=http_impl) as server:
        response = raw_request(server.port, request_bytes)
        assert status_of(response) == status
        assert b"connection: close" in response.lower()
        if status == 400:  # a fixed text: never the parser's own wording
            assert response.endswith(b"\r\n\r\nInvalid HTTP request received.")
        # The server keeps serving everyone else.
        assert httpx.post(server.url, content=b"ok").text == "ok"


def test_length_with_transfer_encoding_is_refused_not_split_into_two_requests(
    http_impl: str,
) -> None:
    smuggled = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
    body = b"0\r\n\r\n" + smuggled
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" % len(body)
    ) + body
    with run_server(apps.echo_scope, http=http_impl) as server:
        response = raw_request(server.port, request)
    assert status_of(response) == 400
    assert response.count(b"HTTP/1.1 ") == 1
    assert b"/smuggled" not in response


@pytest.mark.parametrize("writes", [1, 64], ids=["one-write", "many-writes"])
@pytest.mark.parametrize("size", [HEAD_LIMIT + 100, 1 << 20], ids=["over-limit", "1MiB"])
def test_oversized_header_block_returns_431(http_impl: str, writes: int, size: int) -> None:
    head = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * size + b"\r\n\r\n"
    size = -(-len(head) // writes)
    parts = [head[i : i + size] for i in range(0, len(head), size)]
    with run_server(apps.hello, http=http_impl) as server:
        response = raw_request(server.port, parts)
        assert status_of(response) == 431
        assert httpx.get(server.url).status_code == 200


@pytest.mark.parametrize("writes", [1, 64], ids=["one-write", "many-writes"])
def test_oversized_url_returns_414(http_impl: str, writes: int) -> None:
    head = b"GET /" + b"a" * (HEAD_LIMIT + 100) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    size = -(-len(head) // writes)
    parts = [head[i : i + size] for i in range(0, len(head), size)]
    with run_server(apps.hello, http=http_impl) as server:
        response = raw_request(server.port, parts)
        assert status_of(response) == 414
        assert httpx.get(server.url).status_code == 200


def test_head_limit_follows_h11_max_incomplete_event_size(http_impl: str) -> None:
    big_header = b"X-Big: " + b"a" * (HEAD_LIMIT + 100) + b"\r\n"
    request = b"GET / HTTP/1.1\r\nHost: x\r\n" + big_header + b"Connection: close\r\n\r\n"
    with run_server(
        apps.hello, http=http_impl, h11_max_incomplete_event_size=4 * HEAD_LIMIT
    ) as server:
        assert status_of(raw_request(server.port, request)) == 200
    with run_server(apps.hello, http=http_impl, h11_max_incomplete_event_size=1024) as server:
        assert status_of(raw_request(server.port, request)) == 431


def test_oversized_pipelined_head_is_refused_after_the_first_response(http_impl: str) -> None:
    # Both heads come in one write: the second starts inside the chunk, after the first.
    first = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    second = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 2000 + b"\r\n\r\n"
    with run_server(apps.hello, http=http_impl, h11_max_incomplete_event_size=1024) as server:
        response = raw_request(server.port, first + second)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert response.count(b"Hello, world!") == 1  # the oversized request is not served
    # Either answered with 431 or, when refused mid-response, closed after the first.
    responses = response.count(b"HTTP/1.1 ")
    assert responses == 1 or status_of(response[response.index(b"HTTP/1.1 ", 1) :]) == 431


def test_bad_pipelined_request_does_not_corrupt_the_first_response(http_impl: str) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n"
    with run_server(apps.hello, http=http_impl) as server:
        response = raw_request(server.port, request)
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert b"Hello, world!" in response


def test_connection_that_never_sends_is_closed_after_head_timeout(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl, timeout_request_head=0.5) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            assert read_until_closed(conn) == b""


def test_slow_request_head_gets_408(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl, timeout_request_head=0.5) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the head never ends
            response = read_until_closed(conn)
    assert status_of(response) == 408


def test_idle_keep_alive_connection_is_closed_after_timeout(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl, timeout_keep_alive=1) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = read_until_closed(conn)
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert data.endswith(b"Hello, world!")


def test_concurrency_limit_answers_503(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl, limit_concurrency=1) as server:
        with socket.create_connection((server.host, server.port), timeout=5):
            # One idle connection uses the whole limit; the next request is refused.
            response = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status_of(response) == 503
        assert httpx.get(server.url).status_code == 200


def test_upgrade_without_websocket_support_is_served_as_http(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    request = (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    with run_server(apps.hello, http=http_impl, ws="none") as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(request)
            data = conn.recv(65536)
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert "Unsupported upgrade request." in caplog.text


def test_endless_empty_lines_are_refused_at_the_head_limit(http_impl: str) -> None:
    """Empty lines before a request line are skipped, but count against the head limit."""
    with run_server(apps.hello, http=http_impl) as server:
        lines = b"\r\n" * ((HEAD_LIMIT + 100) // 2)
        third = len(lines) // 3
        response = raw_request(server.port, [lines[:third], lines[third:-third], lines[-third:]])
        assert status_of(response) == 431
        assert httpx.get(server.url + "/").status_code == 200  # the server serves on


def test_malformed_request_detail_goes_to_the_debug_log(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="uvicorn.error")
    with run_server(apps.hello, http=http_impl) as server:
        response = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert response.endswith(b"\r\n\r\nInvalid HTTP request received.")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["Invalid HTTP request received."]
    details = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("Invalid request (400): " in message for message in details), details


class BodyRecorder:
    """An app that reads the whole body, tells the test what it received, then answers."""

    def __init__(self, *, start_first: bool) -> None:
        self.start_first = start_first
        self.events: queue.Queue[str] = queue.Queue()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.start_first:  # the response begins before the body is read
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"early", "more_body": True})
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.events.put("disconnect")
                break
            self.events.put(message["body"].decode())
            if not message.get("more_body", False):
                break
        if not self.start_first:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"from the app"})


BROKEN_CHUNKED_HEAD = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("arrival", ["one-write", "after-app-waits"])
def test_broken_chunked_body_gets_one_400_and_nothing_after(http_impl: str, arrival: str) -> None:
    app = BodyRecorder(start_first=False)
    with run_server(app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            if arrival == "one-write":
                conn.sendall(BROKEN_CHUNKED_HEAD + b"5\r\nhelloXX0\r\n\r\n")
            else:
                conn.sendall(BROKEN_CHUNKED_HEAD + b"5\r\nhello\r\n")
                assert app.events.get(timeout=5) == "hello"  # the app waits for more
                conn.sendall(b"5\r\nworldXX0\r\n\r\n")
            response = read_until_closed(conn)
        assert app.events.get(timeout=5) == "disconnect"  # the app is told, and answers nothing
        assert httpx.get(server.url).status_code == 200  # still serving
    assert status_of(response) == 400
    assert response.count(b"HTTP/1.1 ") == 1
    assert b"from the app" not in response


def test_broken_chunked_body_after_response_began_only_closes(http_impl: str) -> None:
    app = BodyRecorder(start_first=True)
    with run_server(app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(BROKEN_CHUNKED_HEAD + b"5\r\nhello\r\n")
            assert app.events.get(timeout=5) == "hello"
            conn.sendall(b"5\r\nworldXX0\r\n\r\n")
            response = read_until_closed(conn)
        assert app.events.get(timeout=5) == "disconnect"
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert response.count(b"HTTP/1.1 ") == 1
    assert b"from the app" not in response
    assert not response.endswith(b"0\r\n\r\n")  # cut, not completed


def resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.subprocess
@pytest.mark.timeout(60)
@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads RSS from /proc")
def test_client_that_pipelines_and_never_reads_keeps_memory_bounded(http_impl: str) -> None:
    """The server stops reading while the client does not take its responses."""
    requests = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 2000
    args = ["uvicorn.testing.apps:hello", "--port", "0", "--http", http_impl, "--no-access-log"]
    with ServerProcess(args) as server:
        port = server.wait_running()
        pid = server.process.pid
        baseline = peak = resident_kib(pid)
        sent = 0
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.setblocking(False)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and peak - baseline < 256 * 1024:
                # Blocked for a whole second: the server has stopped reading.
                if not select.select([], [conn], [], 1.0)[1]:
                    break
                with contextlib.suppress(BlockingIOError):
                    sent += conn.send(requests)
                peak = max(peak, resident_kib(pid))
            else:
                pytest.fail(f"the server kept reading: {sent} bytes, {peak - baseline} KiB more")
            peak = max(peak, resident_kib(pid))
    assert peak - baseline < 64 * 1024, f"{peak - baseline} KiB more after {sent} bytes"
