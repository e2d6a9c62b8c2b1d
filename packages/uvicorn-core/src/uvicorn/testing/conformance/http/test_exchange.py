"""Request/response behaviour every HTTP implementation must share, over real sockets."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from uvicorn.testing import apps
from uvicorn.testing._optional import LazyClient
from uvicorn.testing.utils import (
    cyclic_collector_off,
    live_instances,
    raw_request,
    read_response,
    run_server,
    wait_for,
)

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyClient("httpx")  # a test that uses it skips when it is not installed

pytestmark = pytest.mark.timeout(30)


def test_get_returns_body_and_default_headers(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl) as server:
        response = httpx.get(server.url + "/")
    assert response.status_code == 200
    assert response.text == "Hello, world!"
    assert response.headers["server"] == "uvicorn"
    assert "date" in response.headers
    assert response.headers["content-length"] == "13"


def test_keep_alive_serves_many_requests_on_one_connection(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            for _ in range(5):
                conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
                status, _, body = read_response(conn)
                assert status == b"HTTP/1.1 200 OK"
                assert body == b"Hello, world!"
        assert server.state.total_requests == 5


def test_pipelined_requests_are_answered_in_order(http_impl: str) -> None:
    requests = b"".join(b"GET /%d HTTP/1.1\r\nHost: example\r\n\r\n" % index for index in range(4))
    with run_server(apps.echo_scope, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(requests)
            paths = [json.loads(read_response(conn)[2])["path"] for _ in range(4)]
    assert paths == ["/0", "/1", "/2", "/3"]


def test_content_length_body_is_echoed(http_impl: str) -> None:
    payload = bytes(range(256)) * 4096  # 1 MiB
    with run_server(apps.echo_body, http=http_impl) as server:
        response = httpx.post(server.url + "/", content=payload)
    assert response.status_code == 200
    assert response.content == payload, (
        f"the request body was lost or changed on the way to the app: {len(payload)} bytes "
        f"sent, {len(response.content)} echoed back"
    )


def test_chunked_request_body_is_echoed(http_impl: str) -> None:
    request = (
        b"POST / HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    )
    with run_server(apps.echo_body, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(request)
            status, _, body = read_response(conn)
    assert status == b"HTTP/1.1 200 OK"
    assert body == b"hello world"


def test_response_without_length_is_chunked(http_impl: str) -> None:
    with run_server(apps.streaming, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            _, headers, body = read_response(conn)
    assert headers[b"transfer-encoding"] == b"chunked"
    assert body == b"one,two,three"


def test_large_chunks_are_framed_and_keep_the_connection_usable(http_impl: str) -> None:
    with run_server(apps.large_chunks, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            for _ in range(2):
                conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
                _, headers, body = read_response(conn)
                assert headers[b"transfer-encoding"] == b"chunked"
                assert body == b"".join(apps.LARGE_CHUNKS)


def test_http10_response_without_length_is_close_delimited(http_impl: str) -> None:
    with run_server(apps.streaming, http=http_impl) as server:
        response = raw_request(server.port, b"GET / HTTP/1.0\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK")
    assert b"transfer-encoding" not in head.lower()
    assert body == b"one,two,three"


def test_head_request_gets_headers_without_body(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"HEAD / HTTP/1.1\r\nHost: example\r\n\r\n")
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
    first, second = data.split(b"HTTP/1.1 200 OK")[1:]
    assert b"content-length: 13" in first.lower()
    assert first.endswith(b"\r\n\r\n")  # no body after the HEAD response's head
    assert second.endswith(b"Hello, world!")


def test_expect_100_continue_sends_interim_response_when_body_is_read(http_impl: str) -> None:
    with run_server(apps.echo_body, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(
                b"POST / HTTP/1.1\r\nHost: example\r\nExpect: 100-continue\r\n"
                b"Content-Length: 5\r\n\r\n"
            )
            interim = conn.recv(65536)
            assert interim.startswith(b"HTTP/1.1 100 ")
            conn.sendall(b"hello")
            status, _, body = read_response(conn)
    assert status == b"HTTP/1.1 200 OK"
    assert body == b"hello"


def test_expect_100_continue_is_not_sent_when_body_is_not_read(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(
                b"POST / HTTP/1.1\r\nHost: example\r\nExpect: 100-continue\r\n"
                b"Content-Length: 5\r\nConnection: close\r\n\r\n"
            )
            status, _, body = read_response(conn)
    assert status == b"HTTP/1.1 200 OK"
    assert body == b"Hello, world!"


def test_scope_follows_the_asgi_spec(http_impl: str) -> None:
    with run_server(apps.echo_scope, http=http_impl, root_path="/api") as server:
        response = httpx.get(server.url + "/some%20path/x?a=1&b=%20", headers={"X-Custom": "Value"})
    scope = response.json()
    assert scope["type"] == "http"
    assert scope["asgi"] == {"version": "3.0", "spec_version": "2.3"}
    assert scope["http_version"] == "1.1"
    assert scope["method"] == "GET"
    assert scope["scheme"] == "http"
    assert scope["root_path"] == "/api"
    assert scope["path"] == "/api/some path/x"
    assert scope["raw_path"] == "/api/some%20path/x"
    assert scope["query_string"] == "a=1&b=%20"
    assert ["x-custom", "Value"] in scope["headers"]
    assert all(name == name.lower() for name, _ in scope["headers"])
    assert scope["server"] == ["127.0.0.1", server.port]
    assert scope["client"][0] == "127.0.0.1"
    assert scope["state"] == {}


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_scope_server_is_the_address_the_client_reached(http_impl: str, host: str) -> None:
    """Bound to one address, connections share the listener's; bound to the wildcard,
    each has the address its client connected to, never 0.0.0.0."""
    with run_server(apps.echo_scope, http=http_impl, host=host) as server:
        response = httpx.get(f"http://127.0.0.1:{server.port}/")
        assert server.state.local_address == (None if host == "0.0.0.0" else (host, server.port))
    assert response.json()["server"] == ["127.0.0.1", server.port]


def test_absolute_form_target_is_accepted(http_impl: str) -> None:
    with run_server(apps.echo_scope, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"GET http://example.com/p/q?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
            status, _, body = read_response(conn)
    assert status == b"HTTP/1.1 200 OK"
    scope = json.loads(body)
    assert (scope["path"], scope["query_string"]) == ("/p/q", "x=1")


def test_connection_close_request_closes_after_response(http_impl: str) -> None:
    with run_server(apps.hello, http=http_impl) as server:
        response = raw_request(
            server.port, b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n"
        )
    assert response.startswith(b"HTTP/1.1 200 OK")
    assert b"connection: close" in response.lower()
    assert response.endswith(b"Hello, world!")


@pytest.mark.parametrize(
    ("value", "closes"),
    [
        (b"close", True),
        (b"Close", True),
        (b"keep-alive, close", True),
        (b"CLOSE", True),
        (b"keep-alive", False),
        (b"Keep-Alive", False),
        (b"Upgrade", False),
    ],
)
def test_connection_header_tokens_decide_keep_alive(
    http_impl: str, value: bytes, closes: bool
) -> None:
    request = b"GET / HTTP/1.1\r\nHost: example\r\nConnection: " + value + b"\r\n\r\n"
    with run_server(apps.hello, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(request)
            status, headers, body = read_response(conn)
            assert (status, body) == (b"HTTP/1.1 200 OK", b"Hello, world!")
            assert (headers.get(b"connection") == b"close") is closes
            if closes:
                assert conn.recv(65536) == b""  # the server closed after the response
            else:
                conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
                assert read_response(conn)[2] == b"Hello, world!"


def test_default_headers_can_be_disabled_and_extended(http_impl: str) -> None:
    with run_server(
        apps.hello,
        http=http_impl,
        server_header=False,
        date_header=False,
        headers=[("X-Extra", "yes")],
    ) as server:
        response = httpx.get(server.url)
    assert "server" not in response.headers
    assert "date" not in response.headers
    assert response.headers["x-extra"] == "yes"


def test_app_server_header_replaces_the_default(http_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(b"server", b"mine")],
            }
        )
        await send({"type": "http.response.body"})

    with run_server(app, http=http_impl) as server:
        response = httpx.get(server.url)
    assert response.status_code == 204
    assert response.headers.get_list("server") == ["mine"]


def test_app_exception_returns_500(http_impl: str, caplog: pytest.LogCaptureFixture) -> None:
    with run_server(apps.raises, http=http_impl) as server:
        response = httpx.get(server.url)
        assert response.status_code == 500
        assert response.text == "Internal Server Error"
        assert response.headers["connection"] == "close"
        assert httpx.get(server.url).status_code == 500  # still serving
    assert "Exception in ASGI application" in caplog.text


def test_app_exception_after_start_closes_connection(http_impl: str) -> None:
    with run_server(apps.raises_after_start, http=http_impl) as server:
        data = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200 OK")
    assert not data.endswith(b"0\r\n\r\n")  # the chunked body was cut, not completed


def test_app_returning_without_response_gets_500(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    with run_server(apps.no_response, http=http_impl) as server:
        response = httpx.get(server.url)
    assert response.status_code == 500
    assert "ASGI callable returned without starting response." in caplog.text


def test_response_longer_than_content_length_is_an_app_error(http_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
        )
        await send({"type": "http.response.body", "body": b"too long"})

    with run_server(app, http=http_impl) as server:
        data = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    # Nothing was written yet when the app broke the length promise: a clean 500.
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"too long" not in data


def test_invalid_response_header_from_app_gets_500(http_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"x-injected", b"a\r\nset-cookie: evil=1")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    with run_server(app, http=http_impl) as server:
        data = raw_request(server.port, b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 500 ")
    assert b"evil" not in data


def test_client_disconnect_is_reported_to_the_app(http_impl: str) -> None:
    received: list[str] = []
    done = threading.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                received.append(message["type"])
                done.set()
                return

    with run_server(app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"POST / HTTP/1.1\r\nHost: example\r\nContent-Length: 100\r\n\r\nabc")
        assert done.wait(5)
    assert received == ["http.disconnect"]


def send_until_blocked(conn: socket.socket, block: bytes, total: int) -> int:
    """Send until the peer stops reading (the send times out); return the bytes sent."""
    sent = 0
    try:
        while sent < total:
            sent += conn.send(block)
    except TimeoutError:
        return sent
    raise AssertionError("the server accepted the whole body without the app reading it")


def test_request_body_reading_pauses_until_the_app_consumes(http_impl: str) -> None:
    release = threading.Event()
    total = 32 * 1024 * 1024

    async def app(scope: Any, receive: Any, send: Any) -> None:
        import asyncio

        while not release.is_set():
            await asyncio.sleep(0.01)
        await apps.echo_body(scope, receive, send)

    with run_server(app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % total)
            conn.settimeout(0.5)
            block = b"x" * 65536
            sent = send_until_blocked(conn, block, total)
            # The server stopped reading: far less than the body was accepted.
            assert sent < total // 2
            release.set()
            conn.settimeout(10)
            reader_result: list[tuple[bytes, dict[bytes, bytes], bytes]] = []
            reader = threading.Thread(target=lambda: reader_result.append(read_response(conn)))
            reader.start()
            remaining = total - sent
            while remaining > 0:
                remaining -= conn.send(block[: min(len(block), remaining)])
            reader.join(20)
    status, _, body = reader_result[0]
    assert status == b"HTTP/1.1 200 OK"
    assert len(body) == total


def test_client_leaving_mid_stream_is_not_an_app_error(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    finished = threading.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        import asyncio

        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(2000):
            await send({"type": "http.response.body", "body": b"x" * 65536, "more_body": True})
            await asyncio.sleep(0)
        await send({"type": "http.response.body", "body": b""})
        finished.set()

    with run_server(app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert conn.recv(65536).startswith(b"HTTP/1.1 200 OK")
        assert finished.wait(10)
        assert httpx.get(server.url).status_code == 200
    assert "ASGI callable" not in caplog.text
    assert "Exception in ASGI application" not in caplog.text


@pytest.mark.parametrize(
    ("target", "path", "query"),
    [
        (b"*", "*", ""),
        (b"http://example.com", "/", ""),
        (b"http://example.com?q=1", "/", "q=1"),
        (b"https://example.com:8443/a%2Fb?x", "/a/b", "x"),
    ],
)
def test_asterisk_and_absolute_form_targets(
    http_impl: str, target: bytes, path: str, query: str
) -> None:
    with run_server(apps.echo_scope, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"OPTIONS %s HTTP/1.1\r\nHost: example.com\r\n\r\n" % target)
            status, _, body = read_response(conn)
    assert status == b"HTTP/1.1 200 OK"
    scope = json.loads(body)
    assert (scope["path"], scope["query_string"]) == (path, query)


SHARED_HEADERS = [(b"content-type", b"text/plain"), (b"x-shared", b"yes")]


async def shared_headers_app(scope: Any, receive: Any, send: Any) -> None:
    """Sends one header list object every time, in the form the path asks for."""
    form = scope["path"]
    headers: Any = SHARED_HEADERS
    if form == "/lists":
        headers = [[name, value] for name, value in SHARED_HEADERS]
    elif form == "/generator":
        headers = (pair for pair in SHARED_HEADERS)
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"abc", "more_body": True})
    await send({"type": "http.response.body", "body": b""})


@pytest.mark.parametrize("form", ["/tuples", "/lists", "/generator"])
def test_one_header_list_is_framed_per_request(http_impl: str, form: str) -> None:
    """The same headers serve HTTP/1.1, HEAD and HTTP/1.0 requests, each framed its own way."""
    with run_server(shared_headers_app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            for method in ("GET", "GET", "HEAD"):
                conn.sendall(f"{method} {form} HTTP/1.1\r\nHost: example\r\n\r\n".encode())
                status, headers, body = (
                    read_response(conn)
                    if method == "GET"
                    else (
                        *_read_head(conn),
                        b"",
                    )
                )
                assert status == b"HTTP/1.1 200 OK"
                assert headers[b"x-shared"] == b"yes"
                assert headers[b"content-type"] == b"text/plain"
                assert body == (b"abc" if method == "GET" else b"")
                if method == "GET":
                    assert headers[b"transfer-encoding"] == b"chunked"
        http10 = raw_request(server.port, f"GET {form} HTTP/1.0\r\n\r\n".encode())
    head, _, body = http10.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower()
    assert b"x-shared: yes" in head
    assert body == b"abc"


def _read_head(conn: socket.socket) -> tuple[bytes, dict[bytes, bytes]]:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        assert chunk, "closed before the response head"
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    assert rest == b"", "a HEAD response carries no body"
    status, *lines = head.split(b"\r\n")
    return status, {
        name.lower(): value for name, _, value in (line.partition(b": ") for line in lines)
    }


async def status_from_path_app(scope: Any, receive: Any, send: Any) -> None:
    """Answers with the status the path names, always with the same header list."""
    status = int(scope["path"].strip("/"))
    await send({"type": "http.response.start", "status": status, "headers": SHARED_HEADERS})
    await send({"type": "http.response.body", "body": b"" if status in (204, 304) else b"abc"})


def test_same_headers_with_another_status_keep_their_status(http_impl: str) -> None:
    """Encoded heads are reused per status and header list, never across statuses."""
    with run_server(status_from_path_app, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            for status in (200, 404, 200, 204, 404):
                conn.sendall(b"GET /%d HTTP/1.1\r\nHost: example\r\n\r\n" % status)
                line, headers, body = (
                    (*_read_head(conn), b"") if status == 204 else read_response(conn)
                )
                assert line.split(b" ")[1] == b"%d" % status
                assert headers[b"x-shared"] == b"yes"
                assert body == (b"" if status == 204 else b"abc")


def test_date_header_moves_on_for_a_reused_head(http_impl: str) -> None:
    """A head reused for the same response still carries the current Date."""
    with run_server(apps.hello, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            first = read_response(conn)[1][b"date"]
            deadline = time.monotonic() + 5
            date = first
            while date == first and time.monotonic() < deadline:
                conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
                date = read_response(conn)[1][b"date"]
    assert date != first


@pytest.mark.parametrize(
    "requests",
    [
        # The second request line sits where the first request's version would be found
        # if it were read at the offset the first one's method and target give.
        b"GET /a HTTP/1.1\r\nHost: example\r\n\r\nGET /a HTTP/1.0\r\n\r\n",
        b"GET /a HTTP/1.0\r\n\r\nGET /a HTTP/1.1\r\nHost: example\r\n\r\n",
        b"GET /a HTTP/1.0\r\n\r\n",
    ],
    ids=["pipelined-1.1-then-1.0", "pipelined-1.0-then-1.1", "plain-1.0"],
)
def test_each_request_gets_its_own_http_version(http_impl: str, requests: bytes) -> None:
    # An HTTP/1.0 request closes the connection after its response: what follows is unread.
    lines = requests.split(b"\r\n")
    versions_sent = [line.rpartition(b"/")[2] for line in lines if b" HTTP/" in line]
    expected = versions_sent[: versions_sent.index(b"1.0") + 1]
    with run_server(apps.echo_scope, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(requests)
            versions = [
                json.loads(read_response(conn)[2])["http_version"].encode() for _ in expected
            ]
    assert versions == expected


def test_reused_heads_follow_each_request_keep_alive_or_close(http_impl: str) -> None:
    """Heads are reused per framing: a closing request never gets a kept-alive head."""
    with run_server(apps.hello, http=http_impl) as server:
        for connection_header in (b"close", b"keep-alive", b"close", b"keep-alive"):
            with socket.create_connection((server.host, server.port), timeout=5) as conn:
                conn.sendall(
                    b"GET / HTTP/1.1\r\nHost: example\r\nConnection: %s\r\n\r\n" % connection_header
                )
                status, headers, body = read_response(conn)
                assert status == b"HTTP/1.1 200 OK"
                assert body == b"Hello, world!"
                if connection_header == b"close":
                    assert headers[b"connection"] == b"close"
                    assert conn.recv(1) == b""  # the server closed
                else:
                    assert b"connection" not in headers
                    conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
                    assert read_response(conn)[2] == b"Hello, world!"


@pytest.mark.parametrize("empty_lines", [b"\r\n", b"\r\n\r\n", b"\n"], ids=["crlf", "2crlf", "lf"])
def test_empty_lines_before_a_request_line_are_ignored(http_impl: str, empty_lines: bytes) -> None:
    """RFC 9112 section 2.2: at the start of a connection and between requests."""
    with run_server(apps.echo_scope, http=http_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(empty_lines + b"GET /first HTTP/1.1\r\nHost: example\r\n\r\n")
            status, _, body = read_response(conn)
            assert status == b"HTTP/1.1 200 OK"
            assert json.loads(body)["path"] == "/first"
            conn.sendall(empty_lines)  # on its own, before the next request line
            conn.sendall(b"GET /second HTTP/1.0\r\n\r\n")
            status, _, body = read_response(conn)
            assert status == b"HTTP/1.1 200 OK"
            scope = json.loads(body)
            assert (scope["path"], scope["http_version"]) == ("/second", "1.0")


def test_closed_connections_are_freed_without_the_cyclic_collector(http_impl: str) -> None:
    """A connection must not sit in a reference cycle once it is lost: freeing it by
    reference counting is cheaper than leaving it to the cyclic garbage collector."""
    from uvicorn.protocols.http.connection import HTTPConnection

    with run_server(apps.hello, http=http_impl) as server, cyclic_collector_off():
        for _ in range(3):
            response = raw_request(
                server.port, b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n"
            )
            assert response.endswith(b"Hello, world!")
        assert wait_for(lambda: live_instances(HTTPConnection) == 0)
