"""Middleware the server applies: proxy headers, WSGI and ASGI 2 adapters, message tracing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests import apps
from tests.utils import run_server
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

pytestmark = pytest.mark.timeout(30)


def forwarded(url: str, **headers: str) -> dict[str, Any]:
    response = httpx.get(url, headers=headers)
    scope: dict[str, Any] = response.json()
    return scope


def test_proxy_headers_from_trusted_client_set_client_and_scheme() -> None:
    with run_server(apps.echo_scope, forwarded_allow_ips="127.0.0.1") as server:
        scope = forwarded(
            server.url, **{"X-Forwarded-For": "1.2.3.4, 10.0.0.1", "X-Forwarded-Proto": "https"}
        )
    assert scope["client"] == ["10.0.0.1", 0]
    assert scope["scheme"] == "https"


def test_proxy_headers_from_untrusted_client_are_ignored() -> None:
    with run_server(apps.echo_scope, forwarded_allow_ips="10.9.9.9") as server:
        scope = forwarded(
            server.url, **{"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"}
        )
    assert scope["client"][0] == "127.0.0.1"
    assert scope["scheme"] == "http"


def test_proxy_headers_disabled_leaves_scope_alone() -> None:
    with run_server(apps.echo_scope, proxy_headers=False) as server:
        scope = forwarded(server.url, **{"X-Forwarded-For": "1.2.3.4"})
    assert scope["client"][0] == "127.0.0.1"


@pytest.mark.parametrize(
    ("trusted", "chain", "client"),
    [
        ("*", "1.1.1.1, 2.2.2.2", "1.1.1.1"),
        ("127.0.0.1, 10.0.0.0/8", "1.1.1.1, 10.1.2.3", "1.1.1.1"),
        ("127.0.0.1, ::1", "2001:db8::1", "2001:db8::1"),
        ("127.0.0.1, 2001:db8::/32", "9.9.9.9, 2001:db8::5", "9.9.9.9"),
        ("127.0.0.1, 10.0.0.1", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_proxy_headers_pick_the_rightmost_untrusted_hop(
    trusted: str, chain: str, client: str
) -> None:
    with run_server(apps.echo_scope, forwarded_allow_ips=trusted) as server:
        scope = forwarded(server.url, **{"X-Forwarded-For": chain})
    assert scope["client"] == [client, 0]


def test_proxy_headers_trust_unix_socket_literal() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope["client"], scope["scheme"]))

    middleware = ProxyHeadersMiddleware(app, trusted_hosts="/run/app.sock")
    scope = {
        "type": "http",
        "client": ("/run/app.sock", 0),
        "scheme": "http",
        "headers": [(b"x-forwarded-for", b"5.6.7.8"), (b"x-forwarded-proto", b"https")],
    }
    import asyncio

    asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]  # a partial scope
    assert seen == [(("5.6.7.8", 0), "https")]


def test_proxy_headers_map_websocket_scheme() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["scheme"])

    middleware = ProxyHeadersMiddleware(app, trusted_hosts="*")
    import asyncio

    for proto in (b"https", b"http"):
        scope = {
            "type": "websocket",
            "client": ("1.1.1.1", 1),
            "scheme": "ws",
            "headers": [(b"x-forwarded-proto", proto)],
        }
        asyncio.run(middleware(scope, None, None))  # type: ignore[arg-type]  # a partial scope
    assert seen == ["wss", "ws"]


def wsgi_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read()
    text = (
        f"{environ['REQUEST_METHOD']} {environ['SCRIPT_NAME']}|{environ['PATH_INFO']}?"
        f"{environ['QUERY_STRING']} {environ.get('HTTP_X_TEST')} {environ.get('CONTENT_LENGTH')} "
    ).encode() + body
    start_response("201 Created", [("Content-Type", "text/plain")])
    return [text[:10], text[10:]]


def wsgi_raises(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    raise ValueError("wsgi failure")


def test_wsgi_app_is_served_from_a_thread(http_impl: str) -> None:
    with run_server(wsgi_app, interface="wsgi", http=http_impl, root_path="/r") as server:
        response = httpx.post(
            server.url + "/path?x=1", content=b"payload", headers={"X-Test": "yes"}
        )
    assert response.status_code == 201
    assert response.text == "POST /r|/path?x=1 yes 7 payload"


def test_wsgi_app_exception_gives_500(caplog: pytest.LogCaptureFixture) -> None:
    with run_server(wsgi_raises, interface="wsgi") as server:
        assert httpx.get(server.url).status_code == 500
    assert "wsgi failure" in caplog.text


class ASGI2App:
    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"asgi2 " + self.scope["path"].encode()})


def test_asgi2_app_is_detected_and_served() -> None:
    with run_server(ASGI2App) as server:
        response = httpx.get(server.url + "/two")
    assert response.text == "asgi2 /two"


def test_trace_level_logs_every_asgi_message(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(5, logger="uvicorn.asgi")
    with run_server(apps.hello, log_level="trace") as server:
        assert httpx.get(server.url).status_code == 200
    messages = [record.getMessage() for record in caplog.records if record.name == "uvicorn.asgi"]
    assert any("ASGI [1] Started scope=" in message for message in messages)
    assert any("Send {'type': 'http.response.body', 'body': '<13 bytes>'" in m for m in messages)
    assert any(message.endswith("ASGI [1] Completed") for message in messages)
