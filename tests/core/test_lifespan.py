"""Lifespan over a real server: startup/shutdown messages and state shared into requests."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from tests.utils import run_server

pytestmark = pytest.mark.timeout(30)


def test_lifespan_state_is_copied_into_every_request_scope(http_impl: str) -> None:
    events: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    scope["state"]["db"] = "connected"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = repr(sorted(scope["state"].items())).encode()
        scope["state"]["leak"] = "from a request"  # must not reach the next request
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    with run_server(app, lifespan="on", http=http_impl) as server:
        with httpx.Client() as client:
            first = client.get(server.url).text
            second = client.get(server.url).text
    assert first == second == "[('db', 'connected')]"
    assert events == ["lifespan.startup", "lifespan.shutdown"]


def test_lifespan_auto_tolerates_apps_without_lifespan(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body"})

    with run_server(app, lifespan="auto") as server:
        assert httpx.get(server.url).status_code == 204
    assert "ASGI 'lifespan' protocol appears unsupported." in caplog.text


def test_lifespan_off_never_calls_the_app_for_lifespan() -> None:
    scopes: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scopes.append(scope["type"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body"})

    with run_server(app, lifespan="off") as server:
        httpx.get(server.url)
    assert scopes == ["http"]


@pytest.mark.parametrize("reset", [True, False], ids=["reset", "copied"])
def test_context_changes_never_leak_between_requests(http_impl: str, reset: bool) -> None:
    import contextvars

    marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            marker.set("from lifespan")
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = marker.get().encode()
        marker.set("from a request")  # must not leak into the next request
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    with run_server(app, lifespan="on", reset_contextvars=reset, http=http_impl) as server:
        with httpx.Client() as client:  # one keep-alive connection: same protocol instance
            assert client.get(server.url).text == "unset"
            assert client.get(server.url).text == "unset"
