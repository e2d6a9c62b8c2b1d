"""Opening handshakes the server refuses before the app runs (RFC 6455 §4.2.1, §4.4)."""

from __future__ import annotations

from typing import Any

import pytest

from uvicorn.testing.utils import raw_request
from uvicorn.testing.websocket import HANDSHAKE_KEY, handshake_request, ws_server

pytestmark = pytest.mark.timeout(20)


def _refused(http_impl: str, ws_impl: str, request: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    """Send ``request``; return the response's status line and headers, checking the app
    never ran."""
    scopes: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scopes.append(scope)

    with ws_server(app, http_impl, ws_impl) as server:
        response = raw_request(server.port, request)
    head = response.partition(b"\r\n\r\n")[0]
    status_line, *lines = head.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    assert scopes == []
    return status_line, headers


@pytest.mark.parametrize("version", ["8", "14"])
def test_unsupported_version_answers_426_naming_version_13(
    http_impl: str, ws_impl: str, version: str
) -> None:
    status_line, headers = _refused(http_impl, ws_impl, handshake_request(version=version))
    assert status_line == b"HTTP/1.1 426 Upgrade Required"
    assert headers[b"sec-websocket-version"] == b"13"
    assert headers[b"connection"] == b"close"


@pytest.mark.parametrize(
    ("key", "version"),
    [(None, "13"), ("not a key", "13"), (HANDSHAKE_KEY, ""), (HANDSHAKE_KEY, None)],
    ids=["missing key", "invalid key", "empty version", "missing version"],
)
def test_malformed_handshake_answers_400(
    http_impl: str, ws_impl: str, key: str | None, version: str | None
) -> None:
    status_line, _ = _refused(http_impl, ws_impl, handshake_request(key=key, version=version))
    assert status_line == b"HTTP/1.1 400 Bad Request"
