"""Starlette and Django behind the proxies users deploy, as each one's headers arrive.

The server runs with its default trust (127.0.0.1, where the test client connects from),
so the headers below are what a trusted proxy in front of it sent. For each proxy, the app
must see the client's address, and build absolute URLs and redirects with the scheme,
host and port the client asked for, never with the address the proxy connected to.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.frameworks.conftest import HERE, ServerPool, serve_in_subprocess
from tests.utils import ServerProcess, run_server

pytestmark = pytest.mark.timeout(30)

CLIENT = "203.0.113.7"
# Per proxy: the request headers it sends (in its default setup, or the setup its docs
# give for an app behind it), and the origin the client used.
PROXIES: dict[str, tuple[list[tuple[str, str]], str]] = {
    # Caddy 2 reverse_proxy: keeps Host, adds X-Forwarded-For/-Proto/-Host.
    "caddy": (
        [
            ("host", "app.example.com"),
            ("x-forwarded-for", CLIENT),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "app.example.com"),
        ],
        "https://app.example.com",
    ),
    # nginx proxy_pass http://127.0.0.1:8000 sends Host: 127.0.0.1:8000 unless told
    # otherwise; the usual snippet adds the rest.
    "nginx": (
        [
            ("host", "127.0.0.1:8000"),
            ("x-real-ip", CLIENT),
            ("x-forwarded-for", CLIENT),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "app.example.com"),
            ("x-forwarded-port", "443"),
        ],
        "https://app.example.com",
    ),
    # Traefik on a non-default entry point: keeps Host, adds its X-Forwarded-* set.
    "traefik": (
        [
            ("host", "app.example.com:8443"),
            ("x-forwarded-for", CLIENT),
            ("x-forwarded-host", "app.example.com:8443"),
            ("x-forwarded-port", "8443"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-server", "traefik-7d4f"),
            ("x-real-ip", CLIENT),
        ],
        "https://app.example.com:8443",
    ),
    # An AWS Application Load Balancer: keeps Host, adds For/Proto/Port.
    "aws-alb": (
        [
            ("host", "app.example.com"),
            ("x-forwarded-for", CLIENT),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-port", "443"),
            ("x-amzn-trace-id", "Root=1-67891233-abcdef012345678912345678"),
        ],
        "https://app.example.com",
    ),
    # Heroku's router: keeps Host, adds For/Proto/Port, a request id and Via.
    "heroku": (
        [
            ("host", "app.example.com"),
            ("x-forwarded-for", CLIENT),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-port", "443"),
            ("x-request-id", "7a3b1c2d-0000-4000-8000-000000000000"),
            ("x-request-start", "1765000000000"),
            ("via", "1.1 vegur"),
        ],
        "https://app.example.com",
    ),
}
# RFC 7239, for --proxy-headers-mode forwarded: HAProxy's "option forwarded", and a chain
# of two proxies (the inner one at 127.0.0.1, trusted by default).
FORWARDED: dict[str, tuple[list[tuple[str, str]], str]] = {
    "haproxy": (
        [
            ("host", "127.0.0.1:8000"),
            ("forwarded", f"proto=https;host=app.example.com;by=10.0.0.2;for={CLIENT}"),
        ],
        "https://app.example.com",
    ),
    "two-hops": (
        [
            ("host", "127.0.0.1:8000"),
            ("forwarded", f'for="{CLIENT}:51000";proto=https;host="app.example.com:8443"'),
            ("forwarded", "for=127.0.0.1;proto=http;host=internal"),
        ],
        "https://app.example.com:8443",
    ),
}


async def where(request: Request) -> Response:
    return JSONResponse(
        {
            "url": str(request.url),
            "url_for": str(request.url_for("where")),
            "client": request.client.host if request.client else None,
        }
    )


async def old(request: Request) -> Response:
    return RedirectResponse(request.url_for("where"))


STARLETTE = Starlette(routes=[Route("/where", where, name="where"), Route("/old", old)])


@pytest.fixture(scope="module", params=["x-forwarded", "forwarded"])
def mode(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def cases(mode: str) -> dict[str, tuple[list[tuple[str, str]], str]]:
    return PROXIES if mode == "x-forwarded" else FORWARDED


@pytest.fixture
def starlette(server_pool: ServerPool, http_impl: str, mode: str) -> Any:
    key = ("starlette-proxied", http_impl, mode)
    return server_pool.get(
        key, lambda: run_server(STARLETTE, http=http_impl, proxy_headers_mode=mode)
    )


def test_starlette_sees_the_client_and_its_origin(starlette: Any, mode: str) -> None:
    for proxy, (headers, origin) in cases(mode).items():
        with httpx.Client(base_url=starlette.url) as client:
            seen = client.get("/where", headers=headers).json()
            redirect = client.get("/old", headers=headers)
        assert seen == {
            "url": f"{origin}/where",
            "url_for": f"{origin}/where",
            "client": CLIENT,
        }, proxy
        assert redirect.headers["location"] == f"{origin}/where", proxy


@pytest.fixture
def django(server_pool: ServerPool, http_impl: str, mode: str) -> ServerProcess:
    args = ["djproj.asgi:application", "--app-dir", str(HERE / "djproj"), "--http", http_impl]
    args += ["--proxy-headers-mode", mode]
    return server_pool.get(("django-proxied", http_impl, mode), lambda: serve_in_subprocess(args))


@pytest.mark.subprocess
def test_django_sees_the_client_and_its_origin(django: ServerProcess, mode: str) -> None:
    for proxy, (headers, origin) in cases(mode).items():
        response = httpx.get(f"http://127.0.0.1:{django.port}/where", headers=headers)
        assert response.status_code == 200, (proxy, response.text)
        seen = response.json()
        scheme, _, host = origin.partition("://")
        port = host.partition(":")[2] or "443"
        assert seen == {
            "absolute": f"{origin}/where",
            "scheme": scheme,
            "host": host,
            "port": port,
            "remote": CLIENT,
        }, proxy
