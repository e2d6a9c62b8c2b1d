"""A Django project served as ``uvicorn djproj.asgi:application`` under every HTTP plugin."""

from __future__ import annotations

import httpx
import pytest

from tests.frameworks.conftest import DATE, HERE, ServerPool, head, serve_in_subprocess
from tests.utils import ServerProcess

pytestmark = [pytest.mark.timeout(30), pytest.mark.subprocess]

# What Django's security, CSRF and clickjacking middleware add around each response.
X_FRAME = ("x-frame-options", "DENY")
PROTECTIONS = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
]


@pytest.fixture
def django(server_pool: ServerPool, http_impl: str) -> ServerProcess:
    args = ["djproj.asgi:application", "--app-dir", str(HERE / "djproj"), "--http", http_impl]
    return server_pool.get(("django", http_impl), lambda: serve_in_subprocess(args))


def url(server: ServerProcess, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_json_view_answers_with_django_headers(django: ServerProcess) -> None:
    response = httpx.get(url(django, "/"))
    assert response.status_code == 200
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "application/json"),
        X_FRAME,
        ("content-length", "54"),
        *PROTECTIONS,
    ]
    assert response.content == b'{"framework": "django", "path": "/", "scheme": "http"}'


def test_view_reads_the_post_body(django: ServerProcess) -> None:
    response = httpx.post(url(django, "/echo"), json={"a": [1, 2]})
    assert response.status_code == 201
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "application/json"),
        X_FRAME,
        ("content-length", "41"),
        *PROTECTIONS,
    ]
    assert response.content == b'{"received": {"a": [1, 2]}, "length": 11}'


def test_wrong_method_answers_405_with_allow(django: ServerProcess) -> None:
    response = httpx.get(url(django, "/echo"))
    assert response.status_code == 405
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "text/html; charset=utf-8"),
        ("allow", "POST"),
        X_FRAME,
        ("content-length", "0"),
        *PROTECTIONS,
    ]
    assert response.content == b""


def test_unknown_path_answers_django_404_page(django: ServerProcess) -> None:
    response = httpx.get(url(django, "/missing"))
    assert response.status_code == 404
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "text/html; charset=utf-8"),
        X_FRAME,
        ("content-length", "179"),
        *PROTECTIONS,
    ]
    assert response.content == (
        b'\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n'
        b"<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server."
        b"</p>\n</body>\n</html>\n"
    )


def test_redirect_view_answers_302_with_location(django: ServerProcess) -> None:
    response = httpx.get(url(django, "/old"))
    assert response.status_code == 302
    assert head(response) == [
        ("date", DATE),
        ("server", "uvicorn"),
        ("content-type", "text/html; charset=utf-8"),
        ("location", "/"),
        X_FRAME,
        ("content-length", "0"),
        *PROTECTIONS,
    ]
    assert response.content == b""


def test_startup_reports_lifespan_unsupported(django: ServerProcess) -> None:
    # Django answers the lifespan scope with an error; uvicorn says so once and goes on.
    lines = [line.rstrip() for line in django.lines[1:4]]
    assert lines == [
        "INFO:     Waiting for application startup.",
        "INFO:     ASGI 'lifespan' protocol appears unsupported.",
        "INFO:     Application startup complete.",
    ]
