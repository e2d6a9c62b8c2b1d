"""The core refuses bytes no request head may hold, whichever parser read the head.

Each HTTP plugin's parser lets different things through; the core checks every head
once (``read_request_head``), so a control byte in a header value, a method or header
name that is not an RFC 9110 token, or a header smuggled in behind a bare LF gets 400
and a close, and the app never sees the request.

These checks are the core's, not the plugin's: a plugin passes them whatever its parser
lets through, unless it declares ``validates_head_bytes`` (the core then trusts its
parser, and these tests hold the parser to it).
"""

from __future__ import annotations

from typing import Any

import pytest

from uvicorn.testing.utils import raw_request, run_server

pytestmark = pytest.mark.timeout(30)

PROBE = b"GET / HTTP/1.1\r\nHost: x\r\n%s\r\n"


class RecordingApp:
    """Answers 200 with the header ``x-probe`` it received, and records each call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls.append(scope)
        probe = dict(scope["headers"]).get(b"x-probe", b"")
        length = b"%d" % len(probe)
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", length)]}
        )
        await send({"type": "http.response.body", "body": probe})


FORBIDDEN_HEADS = [
    pytest.param(PROBE % b"X-Probe: a\x00b\r\n", id="nul-in-header-value"),
    pytest.param(PROBE % b"X-Probe: a\rb\r\n", id="cr-in-header-value"),
    pytest.param(PROBE % b"X-Probe: a\nb\r\n", id="lf-in-header-value"),
    pytest.param(PROBE % b"X-Probe: a\x01b\r\n", id="control-byte-in-header-value"),
    pytest.param(PROBE % b"X-Probe: a\x7fb\r\n", id="del-in-header-value"),
    pytest.param(PROBE % b"X\x01Probe: a\r\n", id="control-byte-in-header-name"),
    pytest.param(PROBE % b"X-Probe\x00: a\r\n", id="nul-in-header-name"),
    pytest.param(PROBE % b"X(Probe): a\r\n", id="separator-in-header-name"),
    pytest.param(PROBE % b"X-Pr\xe9be: a\r\n", id="non-ascii-in-header-name"),
    pytest.param(PROBE % b": a\r\n", id="empty-header-name"),
    pytest.param(b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", id="separator-in-method"),
    pytest.param(b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", id="nul-in-method"),
    pytest.param(b"G\xc9T / HTTP/1.1\r\nHost: x\r\n\r\n", id="non-ascii-in-method"),
    pytest.param(b"GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n", id="control-byte-in-target"),
    pytest.param(
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Probe: a\nTransfer-Encoding: chunked\r\n"
        b"Content-Length: 5\r\n\r\n0\r\n\r\n",
        id="bare-lf-transfer-encoding",
    ),
]
HTAB_AND_OBS_TEXT = PROBE % b"X-Probe: a\tb\xe9\r\nConnection: close\r\n"


@pytest.mark.parametrize("request_bytes", FORBIDDEN_HEADS)
def test_forbidden_bytes_in_head_get_400_and_close_before_the_app(
    http_impl: str, request_bytes: bytes
) -> None:
    check_refused(http_impl, request_bytes)


def check_refused(http: str, request_bytes: bytes) -> None:
    """One 400 and a close, and the app never called."""
    app = RecordingApp()
    with run_server(app, http=http) as server:
        response = raw_request(server.port, request_bytes)
    assert response.startswith(b"HTTP/1.1 400 "), response[:200]
    assert response.count(b"HTTP/1.1 ") == 1
    assert b"\r\nconnection: close\r\n" in response.lower()
    assert app.calls == []


def test_htab_and_obs_text_in_header_value_reach_the_app(http_impl: str) -> None:
    check_allowed(http_impl)


def check_allowed(http: str) -> None:
    """HTAB and obs-text are allowed in a header value: the app gets them as sent."""
    app = RecordingApp()
    with run_server(app, http=http) as server:
        response = raw_request(server.port, HTAB_AND_OBS_TEXT)
    assert response.startswith(b"HTTP/1.1 200 "), response[:200]
    assert response.endswith(b"\r\n\r\na\tb\xe9")
    assert len(app.calls) == 1
