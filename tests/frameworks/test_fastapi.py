"""FastAPI under every HTTP (and WebSocket) plugin, answering as upstream uvicorn 0.54 does."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from tests.frameworks.apps import fastapi_app
from tests.frameworks.conftest import DATE, Served, ServerPool, head, next_report, serve_in_thread
from tests.utils import ServerProcess, wait_for

pytestmark = pytest.mark.timeout(30)


@contextlib.contextmanager
def serve_fastapi(**kwargs: Any) -> Iterator[tuple[Served, threading.Event]]:
    release = threading.Event()
    with serve_in_thread(lambda reports: fastapi_app.build_app(reports, release), **kwargs) as app:
        yield app, release


@pytest.fixture
def served(server_pool: ServerPool, http_impl: str) -> tuple[Served, threading.Event]:
    return server_pool.get(("fastapi", http_impl), lambda: serve_fastapi(http=http_impl))


@pytest.fixture
def app(served: tuple[Served, threading.Event]) -> Served:
    return served[0]


def json_head(length: int) -> list[tuple[str, str]]:
    """What every JSON answer of this app carries: tagged by its ``@app.middleware``."""
    return [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-length", str(length)),
        ("content-type", "application/json"),
        ("x-tagged", "yes"),
    ]


def test_http_middleware_and_lifespan_state_reach_the_handler(app: Served) -> None:
    response = httpx.get(f"{app.url}/")
    assert response.status_code == 200
    assert head(response) == json_head(47)
    assert response.content == b'{"tagged_by":"tag middleware","currency":"EUR"}'


def test_dependency_with_yield_is_torn_down_after_the_handler(app: Served) -> None:
    response = httpx.get(f"{app.url}/resource")
    assert response.status_code == 200
    assert head(response) == json_head(24)
    assert response.content == b'{"value":"the resource"}'
    reports = [next_report(app.reports) for _ in range(3)]
    assert reports == ["resource opened", "handler ran", "resource closed"]


def test_json_body_and_path_parameter_reach_the_handler(app: Served) -> None:
    body = {"name": "widget", "price": 2.5, "quantity": 3}
    response = httpx.post(f"{app.url}/items/7", json=body)
    assert response.status_code == 200
    assert head(response) == json_head(58)
    assert response.content == b'{"item_id":7,"name":"widget","total":7.5,"currency":"EUR"}'


def test_invalid_path_parameter_and_body_answer_422(app: Served) -> None:
    response = httpx.post(f"{app.url}/items/seven", json={"name": "widget"})
    assert response.status_code == 422
    assert head(response) == json_head(245)
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "item_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "seven",
            },
            {
                "type": "missing",
                "loc": ["body", "price"],
                "msg": "Field required",
                "input": {"name": "widget"},
            },
        ]
    }


def test_unknown_path_answers_404(app: Served) -> None:
    response = httpx.get(f"{app.url}/missing")
    assert response.status_code == 404
    assert head(response) == json_head(22)
    assert response.content == b'{"detail":"Not Found"}'


def test_background_task_runs_after_the_response(
    served: tuple[Served, threading.Event],
) -> None:
    app, release = served
    release.clear()
    # The task holds on until released: the response arriving first proves the order.
    response = httpx.post(f"{app.url}/notify/ann")
    assert response.status_code == 200
    assert head(response) == json_head(16)
    assert response.content == b'{"queued":"ann"}'
    assert next_report(app.reports) == "background started for ann"
    release.set()
    assert next_report(app.reports) == "background released"


def test_websocket_route_echoes_with_lifespan_state(
    server_pool: ServerPool, http_impl: str, ws_impl: str
) -> None:
    app, _ = server_pool.get(
        ("fastapi", http_impl, ws_impl), lambda: serve_fastapi(http=http_impl, ws=ws_impl)
    )
    with connect(f"{app.ws_url}/ws", open_timeout=5, close_timeout=5) as websocket:
        assert json.loads(websocket.recv(timeout=5)) == {"currency": "EUR"}
        websocket.send("hi")
        assert websocket.recv(timeout=5) == "echo: hi"
    assert next_report(app.reports) == "websocket closed 1000"


@pytest.mark.subprocess
def test_uvicorn_run_embedding_serves_then_exits_0_on_sigterm(http_impl: str) -> None:
    # As `fastapi run` does, a script hands the app object to uvicorn.run(); it gets a
    # listening socket the test bound on port 0, so the test knows the port up front.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        fd = listener.fileno()
        command = ("-m", "tests.frameworks.apps.fastapi_app")
        with ServerProcess([str(fd), http_impl], command=command, pass_fds=(fd,)) as server:
            response = httpx.get(f"http://127.0.0.1:{port}/", timeout=15)
            assert wait_for(lambda: "Uvicorn running on socket" in server.output, timeout=15)
            server.signal(signal.SIGTERM)
            # DESIGN.md: exit 0 after a graceful shutdown. Upstream 0.54 re-raises the signal
            # once shut down instead, so its process ends by SIGTERM (-15).
            assert server.wait() == 0
    assert response.status_code == 200
    assert head(response) == json_head(47)
    assert response.content == b'{"tagged_by":"tag middleware","currency":"EUR"}'
    pid = server.process.pid
    lines = [re.sub(r"127\.0\.0\.1:\d+ - ", "CLIENT - ", line.rstrip()) for line in server.lines]
    assert lines == [
        f"INFO:     Started server process [{pid}]",
        "INFO:     Waiting for application startup.",
        "INFO:     Application startup complete.",
        f"INFO:     Uvicorn running on socket ('127.0.0.1', {port}) (Press CTRL+C to quit)",
        'INFO:     CLIENT - "GET / HTTP/1.1" 200 OK',
        "INFO:     Shutting down",
        "INFO:     Waiting for application shutdown.",
        "INFO:     Application shutdown complete.",
        f"INFO:     Finished server process [{pid}]",
    ]
