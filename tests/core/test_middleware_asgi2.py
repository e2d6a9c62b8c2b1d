"""ASGI2Middleware: a double-callable (ASGI 2) app served through the ASGI 3 interface."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import pytest

from uvicorn.middleware.asgi2 import ASGI2Middleware

pytestmark = pytest.mark.timeout(10)


class EchoPathApp:
    """ASGI 2: constructed with the scope, then awaited with receive and send."""

    instances: ClassVar[list[EchoPathApp]] = []

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.instances.append(self)

    async def __call__(self, receive: Any, send: Any) -> None:
        request = await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send(
            {"type": "http.response.body", "body": self.scope["path"].encode() + request["body"]}
        )


def run_asgi2(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"!", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        middleware: Any = ASGI2Middleware(app)
        await middleware(scope, receive, send)

    asyncio.run(main())
    return sent


def test_asgi2_app_gets_scope_then_receive_and_send() -> None:
    sent = run_asgi2(EchoPathApp, {"type": "http", "path": "/two"})
    assert sent == [
        {"type": "http.response.start", "status": 200, "headers": []},
        {"type": "http.response.body", "body": b"/two!"},
    ]


def test_asgi2_app_is_instantiated_once_per_call() -> None:
    EchoPathApp.instances.clear()
    first = {"type": "http", "path": "/a"}
    second = {"type": "http", "path": "/b"}
    run_asgi2(EchoPathApp, first)
    run_asgi2(EchoPathApp, second)
    assert [instance.scope for instance in EchoPathApp.instances] == [first, second]


def test_asgi2_exception_propagates() -> None:
    class Failing:
        def __init__(self, scope: dict[str, Any]) -> None:
            pass

        async def __call__(self, receive: Any, send: Any) -> None:
            raise LookupError("asgi2 failure")

    with pytest.raises(LookupError, match="asgi2 failure"):
        run_asgi2(Failing, {"type": "http", "path": "/"})


def test_asgi2_middleware_keeps_the_wrapped_app() -> None:
    assert ASGI2Middleware(EchoPathApp).app is EchoPathApp
