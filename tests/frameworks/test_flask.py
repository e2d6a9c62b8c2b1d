"""A Flask app served through ``uvicorn --interface wsgi`` under every HTTP plugin."""

from __future__ import annotations

import httpx
import pytest

from tests.frameworks.conftest import (
    ServerPool,
    chunked_head,
    head,
    serve_in_subprocess,
    sized_head,
)
from tests.utils import ServerProcess

pytestmark = [pytest.mark.timeout(30), pytest.mark.subprocess]


@pytest.fixture
def flask(server_pool: ServerPool, http_impl: str) -> ServerProcess:
    args = ["tests.frameworks.apps.flask_app:app", "--interface", "wsgi", "--http", http_impl]
    return server_pool.get(("flask", http_impl), lambda: serve_in_subprocess(args))


def url(server: ServerProcess, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_get_answers_with_content_length(flask: ServerProcess) -> None:
    response = httpx.get(url(flask, "/"))
    assert response.status_code == 200
    assert head(response) == sized_head("text/html; charset=utf-8", 21)
    assert response.content == b"Hello from Flask at /"


def test_head_answers_without_body(flask: ServerProcess) -> None:
    response = httpx.head(url(flask, "/"))
    assert response.status_code == 200
    assert head(response) == sized_head("text/html; charset=utf-8", 21)
    assert response.content == b""


def test_post_form_reaches_the_view(flask: ServerProcess) -> None:
    response = httpx.post(url(flask, "/form"), data={"name": "ann", "tag": ["a", "b"]})
    assert response.status_code == 200
    assert head(response) == sized_head("application/json", 32)
    assert response.content == b'{"name":"ann","tags":["a","b"]}\n'


def test_post_json_reaches_the_view(flask: ServerProcess) -> None:
    response = httpx.post(url(flask, "/json"), json={"a": [1, 2]})
    assert response.status_code == 201
    assert head(response) == sized_head("application/json", 41)
    assert response.content == b'{"method":"POST","received":{"a":[1,2]}}\n'


def test_streamed_response_is_sent_chunked(flask: ServerProcess) -> None:
    response = httpx.get(url(flask, "/stream"), params={"name": "bob"})
    assert response.status_code == 200
    assert head(response) == chunked_head("text/plain; charset=utf-8")
    assert response.content == b"line 0 of bob\nline 1 of bob\nline 2 of bob\n"


def test_unknown_path_answers_flask_404_page(flask: ServerProcess) -> None:
    response = httpx.get(url(flask, "/missing"))
    assert response.status_code == 404
    assert head(response) == sized_head("text/html; charset=utf-8", 207)
    assert response.content == (
        b"<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
        b"<p>The requested URL was not found on the server. If you entered the URL manually "
        b"please check your spelling and try again.</p>\n"
    )
