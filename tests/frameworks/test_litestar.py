"""Litestar under every HTTP (and WebSocket) plugin, answering as upstream uvicorn 0.54 does.

Litestar rather than Quart as the second non-Starlette ASGI framework: it implements
its own request, WebSocket and lifespan handling from scratch on msgspec, and names
uvicorn as its server, while Quart is Flask's API (already covered through WSGI) whose
reference server is Hypercorn, a second server it would pull into the test environment.
"""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.sync.client import connect

from tests.frameworks.apps import litestar_app
from tests.frameworks.conftest import (
    Served,
    ServerPool,
    head,
    next_report,
    serve_in_thread,
    sized_head,
)

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def app(server_pool: ServerPool, http_impl: str) -> Served:
    return server_pool.get(
        ("litestar", http_impl),
        lambda: serve_in_thread(litestar_app.build_app, http=http_impl),
    )


def test_handler_sees_state_set_on_startup(app: Served) -> None:
    response = httpx.get(f"{app.url}/")
    assert response.status_code == 200
    assert head(response) == sized_head("application/json", 38)
    assert response.content == b'{"framework":"litestar","shop":"open"}'


def test_path_parameter_reaches_the_handler(app: Served) -> None:
    response = httpx.get(f"{app.url}/greet/ann")
    assert response.status_code == 200
    assert head(response) == sized_head("text/plain; charset=utf-8", 20)
    assert response.content == b"Hello, ann, via http"


def test_json_body_is_decoded_into_a_dataclass(app: Served) -> None:
    response = httpx.post(f"{app.url}/orders", json={"item": "tea", "quantity": 2})
    assert response.status_code == 201
    assert head(response) == sized_head("application/json", 45)
    assert response.content == b'{"item":"tea","quantity":2,"status":"placed"}'


def test_invalid_json_body_answers_400(app: Served) -> None:
    response = httpx.post(f"{app.url}/orders", json={"item": "tea"})
    assert response.status_code == 400
    assert head(response) == sized_head("application/json", 159)
    assert response.json() == {
        "status_code": 400,
        "detail": "Validation failed for POST /orders",
        "extra": [
            {"message": "Object missing required field `quantity`", "key": "data", "source": "body"}
        ],
    }


def test_unknown_path_answers_404(app: Served) -> None:
    response = httpx.get(f"{app.url}/missing")
    assert response.status_code == 404
    assert head(response) == sized_head("application/json", 40)
    assert response.content == b'{"status_code":404,"detail":"Not Found"}'


def test_websocket_route_echoes_with_startup_state(
    server_pool: ServerPool, http_impl: str, ws_impl: str
) -> None:
    app = server_pool.get(
        ("litestar", http_impl, ws_impl),
        lambda: serve_in_thread(litestar_app.build_app, http=http_impl, ws=ws_impl),
    )
    with connect(f"{app.ws_url}/ws", open_timeout=5, close_timeout=5) as websocket:
        assert json.loads(websocket.recv(timeout=5)) == {"shop": "open"}
        websocket.send("hi")
        assert websocket.recv(timeout=5) == "echo: hi"
    assert next_report(app.reports) == "websocket closed 1000"
