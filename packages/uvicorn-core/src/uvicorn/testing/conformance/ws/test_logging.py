"""What a WebSocket connection logs on ``uvicorn.error`` at INFO: upstream's lines.

Upstream 0.54 logs the handshake's outcome as an access-style line
(``client - "WebSocket /path" [accepted]`` or the denial's status) and, through the
websockets library, ``connection open``, ``connection rejected (status phrase)`` and
``connection closed``; people grep their logs for these.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from uvicorn.testing.utils import read_until_closed, wait_for
from uvicorn.testing.websocket import frame, handshake_request, open_raw, read_close, ws_server

pytestmark = pytest.mark.timeout(20)


async def _accept_unless_denied(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    if scope["path"] == "/denied":
        await send({"type": "websocket.close"})
        return
    if scope["path"] == "/unauthorized":
        await send({"type": "websocket.http.response.start", "status": 401, "headers": []})
        await send({"type": "websocket.http.response.body", "body": b"who are you?"})
        return
    await send({"type": "websocket.accept"})
    while (await receive())["type"] != "websocket.disconnect":
        pass


def _info_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "uvicorn.error" and record.levelno == logging.INFO
    ]


def _logged(caplog: pytest.LogCaptureFixture, last: str) -> list[str]:
    """The INFO lines of one connection, once its last line is logged."""
    assert wait_for(lambda: last in _info_lines(caplog)), _info_lines(caplog)
    return _info_lines(caplog)


def test_accepted_connection_logs_accepted_open_and_closed(
    http_impl: str, ws_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    with ws_server(_accept_unless_denied, http_impl, ws_impl) as server:
        caplog.clear()
        with open_raw(server, "/chat?room=1") as conn:
            port = conn.getsockname()[1]
            conn.sendall(frame(0x8, b"\x03\xe8"))
            assert read_close(conn)[0] == 1000
            read_until_closed(conn)
        lines = _logged(caplog, "connection closed")
    assert lines == [
        f'127.0.0.1:{port} - "WebSocket /chat?room=1" [accepted]',
        "connection open",
        "connection closed",
    ]


@pytest.mark.parametrize(
    ("path", "status"), [("/denied", "403 Forbidden"), ("/unauthorized", "401 Unauthorized")]
)
def test_denied_connection_logs_status_and_rejection(
    http_impl: str, ws_impl: str, path: str, status: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    with ws_server(_accept_unless_denied, http_impl, ws_impl) as server:
        caplog.clear()
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            port = conn.getsockname()[1]
            conn.sendall(handshake_request(path))
            assert read_until_closed(conn).startswith(f"HTTP/1.1 {status}".encode())
        lines = _logged(caplog, "connection closed")
    assert lines == [
        f'127.0.0.1:{port} - "WebSocket {path}" {status[:3]}',
        f"connection rejected ({status})",
        "connection closed",
    ]


def test_refused_handshake_logs_rejection(
    http_impl: str, ws_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    with ws_server(_accept_unless_denied, http_impl, ws_impl) as server:
        caplog.clear()
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(handshake_request(key=None))
            assert read_until_closed(conn).startswith(b"HTTP/1.1 400 ")
        lines = _logged(caplog, "connection closed")
    assert lines == ["connection rejected (400 Bad Request)", "connection closed"]
