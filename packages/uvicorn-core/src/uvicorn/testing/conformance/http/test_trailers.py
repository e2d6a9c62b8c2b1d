"""HTTP/1.1 trailers, for every HTTP implementation: the ``http.response.trailers``
extension on chunked responses to clients that sent ``TE: trailers``, and the trailer
section of a chunked request body, which is read, given to the app and never taken for
the next request's header fields."""

from __future__ import annotations

import shutil
import socket
import subprocess
from typing import Any

import pytest

from uvicorn.testing.utils import read_until_closed, run_server

pytestmark = pytest.mark.timeout(30)

TRAILERS_EXTENSION = "http.response.trailers"


def trailing_app(
    *, headers: list[tuple[bytes, bytes]] | None = None, parts: int = 1, seen: list[Any]
) -> Any:
    """Streams two body chunks, then sends its trailers in ``parts`` messages."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(sorted(scope.get("extensions", {})))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": headers or [],
                "trailers": True,
            }
        )
        await send({"type": "http.response.body", "body": b"hello ", "more_body": True})
        await send({"type": "http.response.body", "body": b"world"})
        fields = [(b"x-checksum", b"abc123"), (b"Content-Length", b"99"), (b"x-count", b"2")]
        for index in range(parts):
            await send(
                {
                    "type": "http.response.trailers",
                    "headers": fields[index::parts],
                    "more_trailers": index < parts - 1,
                }
            )

    return app


def exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(request)
        return read_until_closed(conn)


GET_WITH_TE = b"GET / HTTP/1.1\r\nHost: example\r\nTE: trailers\r\nConnection: close\r\n\r\n"
GET_WITHOUT_TE = b"GET / HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("parts", [1, 3], ids=["one-message", "more-trailers"])
def test_trailers_end_a_chunked_response_to_a_client_that_accepts_them(
    http_impl: str, parts: int
) -> None:
    seen: list[Any] = []
    with run_server(trailing_app(parts=parts, seen=seen), http=http_impl) as server:
        answer = exchange(server.port, GET_WITH_TE)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"transfer-encoding: chunked" in head.lower()
    # Content-Length may not be a trailer field (RFC 9110 6.5.1): it is dropped.
    assert sorted(body.split(b"0\r\n", 1)[1].split(b"\r\n")) == sorted(
        [b"x-checksum: abc123", b"x-count: 2", b"", b""]
    )
    assert body.startswith(b"6\r\nhello \r\n5\r\nworld\r\n0\r\n")
    assert TRAILERS_EXTENSION in seen[0]


def test_without_te_trailers_the_response_ends_without_them(http_impl: str) -> None:
    seen: list[Any] = []
    with run_server(trailing_app(seen=seen), http=http_impl) as server:
        answer = exchange(server.port, GET_WITHOUT_TE)
    assert answer.endswith(b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
    assert TRAILERS_EXTENSION not in seen[0]


def test_trailers_after_a_sized_body_are_dropped_and_the_connection_goes_on(
    http_impl: str,
) -> None:
    seen: list[Any] = []
    app = trailing_app(headers=[(b"content-length", b"11")], seen=seen)
    with run_server(app, http=http_impl) as server:
        request = GET_WITH_TE.replace(b"Connection: close\r\n", b"")
        answer = exchange(server.port, request + GET_WITH_TE)
    first, second = answer.split(b"HTTP/1.1 200 OK")[1:]
    assert first.endswith(b"\r\n\r\nhello world")
    assert second.endswith(b"\r\n\r\nhello world")


def test_head_response_with_trailers_announced_has_no_body(http_impl: str) -> None:
    seen: list[Any] = []
    with run_server(trailing_app(seen=seen), http=http_impl) as server:
        answer = exchange(server.port, GET_WITH_TE.replace(b"GET", b"HEAD"))
    assert answer.startswith(b"HTTP/1.1 200 OK")
    assert answer.endswith(b"\r\n\r\n")
    assert b"x-checksum" not in answer


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_reads_the_trailers(http_impl: str) -> None:
    seen: list[Any] = []
    with run_server(trailing_app(seen=seen), http=http_impl) as server:
        result = subprocess.run(
            ["curl", "-sS", "-D", "-", "-H", "TE: trailers", f"{server.url}/"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    # curl prints the trailer fields where it prints header fields, after the body.
    _, _, after_body = result.stdout.partition("\n\nhello world")
    assert after_body.splitlines() == ["x-checksum: abc123", "x-count: 2"]


def test_request_trailers_reach_the_app_and_not_the_next_request(http_impl: str) -> None:
    messages: list[dict[str, Any]] = []
    heads: list[list[tuple[bytes, bytes]]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        heads.append(list(scope["headers"]))
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    chunked = (
        b"POST /a HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
    )
    with run_server(app, http=http_impl) as server:
        answer = exchange(server.port, chunked + GET_WITHOUT_TE)
    assert answer.count(b"HTTP/1.1 204 No Content") == 2
    assert heads[1] == [(b"host", b"example"), (b"connection", b"close")]
    first = messages[: next(i for i, m in enumerate(messages) if not m.get("more_body")) + 1]
    assert b"".join(message.get("body", b"") for message in first) == b"hello"
    assert first[-1]["trailers"] == [(b"x-checksum", b"abc"), (b"x-other", b"1")]
    assert all("trailers" not in message for message in messages[len(first) :])


def test_bad_bytes_in_request_trailers_are_refused(http_impl: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body", False):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})

    chunked = (
        b"POST / HTTP/1.1\r\nHost: example\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\nBad Name: x\r\n\r\n"
    )
    with run_server(app, http=http_impl) as server:
        answer = exchange(server.port, chunked)
    assert answer.startswith(b"HTTP/1.1 400 Bad Request")
    assert answer.count(b"HTTP/1.1") == 1
