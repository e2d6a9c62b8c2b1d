"""The core refuses bytes no request head may hold, whichever parser read the head.

Each HTTP plugin's parser lets different things through; the core checks every head
once (``read_request_head``), so a control byte in a header value, a method or header
name that is not an RFC 9110 token, or a header smuggled in behind a bare LF gets 400
and a close, and the app never sees the request.

Runs against every installed HTTP implementation, plus the example third-party plugin
``acme`` (installed from ``examples/uvicorn-http-acme`` through its entry point, as a
user installs it) and ``lax`` (``tests/lax_http.py``), a hand-written parser that passes
every byte on: it shows the checks hold for a plugin however little its parser checks.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import available_implementations
from tests.lax_http import LaxPlugin
from tests.plugin_fixtures import registry_with, write_distribution
from tests.utils import ROOT, raw_request, run_server

pytestmark = pytest.mark.timeout(30)

ACME_SOURCE = ROOT / "examples" / "uvicorn-http-acme" / "src"
PROBE = b"GET / HTTP/1.1\r\nHost: x\r\n%s\r\n"


def http_plugins() -> list[str]:
    names = available_implementations("http")
    if "acme" not in names and importlib.util.find_spec("h11") is not None:
        names.append("acme")  # installed by the fixture below
    return [*names, "lax"]


@pytest.fixture(params=http_plugins())
def http_plugin(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The name of an HTTP implementation the process-wide registry can select."""
    name: str = request.param
    if name == "lax":
        with registry_with(LaxPlugin()):
            yield name
    elif name == "acme" and "acme" not in available_implementations("http"):
        write_distribution(tmp_path, "uvicorn-http-acme", {"acme": "acme_http._plugin"}, modules={})
        monkeypatch.syspath_prepend(str(ACME_SOURCE))
        monkeypatch.syspath_prepend(str(tmp_path))
        with registry_with(entry_points=True) as registry:
            assert registry.get("http", "acme") is not None
            yield name
    else:
        yield name


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


@pytest.mark.parametrize(
    "request_bytes",
    [
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
    ],
)
def test_forbidden_bytes_in_head_get_400_and_close_before_the_app(
    http_plugin: str, request_bytes: bytes
) -> None:
    app = RecordingApp()
    with run_server(app, http=http_plugin) as server:
        response = raw_request(server.port, request_bytes)
    assert response.startswith(b"HTTP/1.1 400 "), response[:200]
    assert response.count(b"HTTP/1.1 ") == 1
    assert b"\r\nconnection: close\r\n" in response.lower()
    assert app.calls == []


def test_htab_and_obs_text_in_header_value_reach_the_app(http_plugin: str) -> None:
    app = RecordingApp()
    request = PROBE % b"X-Probe: a\tb\xe9\r\nConnection: close\r\n"
    with run_server(app, http=http_plugin) as server:
        response = raw_request(server.port, request)
    assert response.startswith(b"HTTP/1.1 200 "), response[:200]
    assert response.endswith(b"\r\n\r\na\tb\xe9")
    assert len(app.calls) == 1
