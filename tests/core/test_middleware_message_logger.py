"""MessageLoggerMiddleware: every ASGI message in and out, at TRACE, bodies as sizes."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from uvicorn.logging import TRACE_LOG_LEVEL
from uvicorn.middleware.message_logger import MessageLoggerMiddleware, message_with_placeholders

pytestmark = pytest.mark.timeout(10)


async def hello_app(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"a", b"b")]})
    await send({"type": "http.response.body", "body": b"hello", "more_body": False})


async def failing_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 500, "headers": []})
    raise RuntimeError("app failure")


def http_scope(client: Any = ("127.0.0.1", 4321)) -> dict[str, Any]:
    return {"type": "http", "path": "/", "headers": [(b"host", b"x")], "client": client}


def run_calls(app: Any, scopes: list[dict[str, Any]]) -> MessageLoggerMiddleware:
    middleware = MessageLoggerMiddleware(app)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"abcd", "more_body": False}

    async def send(message: Any) -> None:
        pass

    async def main() -> None:
        call: Any = middleware
        for scope in scopes:
            try:
                await call(scope, receive, send)
            except RuntimeError:
                pass

    asyncio.run(main())
    return middleware


def asgi_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "uvicorn.asgi"]


def test_messages_are_logged_in_order_with_placeholders(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRACE_LOG_LEVEL, logger="uvicorn.asgi")
    run_calls(hello_app, [http_scope()])
    assert asgi_messages(caplog) == [
        "127.0.0.1:4321 - ASGI [1] Started scope="
        "{'type': 'http', 'path': '/', 'headers': '<...>', 'client': ('127.0.0.1', 4321)}",
        "127.0.0.1:4321 - ASGI [1] Receive "
        "{'type': 'http.request', 'body': '<4 bytes>', 'more_body': False}",
        "127.0.0.1:4321 - ASGI [1] Send "
        "{'type': 'http.response.start', 'status': 200, 'headers': '<...>'}",
        "127.0.0.1:4321 - ASGI [1] Send "
        "{'type': 'http.response.body', 'body': '<5 bytes>', 'more_body': False}",
        "127.0.0.1:4321 - ASGI [1] Completed",
    ]


def test_records_are_at_trace_level_on_uvicorn_asgi(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRACE_LOG_LEVEL, logger="uvicorn.asgi")
    run_calls(hello_app, [http_scope()])
    records = [record for record in caplog.records if record.name == "uvicorn.asgi"]
    assert len(records) == 5
    assert {record.levelno for record in records} == {TRACE_LOG_LEVEL}
    assert {record.levelname for record in records} == {"TRACE"}


def test_nothing_is_emitted_above_trace_level(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="uvicorn.asgi")
    run_calls(hello_app, [http_scope()])
    assert asgi_messages(caplog) == []


def test_each_call_gets_the_next_task_number(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRACE_LOG_LEVEL, logger="uvicorn.asgi")
    middleware = run_calls(hello_app, [http_scope(), http_scope(), http_scope()])
    completed = [message for message in asgi_messages(caplog) if message.endswith("Completed")]
    assert completed == [f"127.0.0.1:4321 - ASGI [{n}] Completed" for n in (1, 2, 3)]
    assert middleware.task_counter == 3


def test_exception_is_logged_and_reraised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRACE_LOG_LEVEL, logger="uvicorn.asgi")
    middleware = MessageLoggerMiddleware(failing_app)

    async def main() -> None:
        call: Any = middleware
        await call(http_scope(), None, _discard)

    with pytest.raises(RuntimeError, match="app failure"):
        asyncio.run(main())
    messages = asgi_messages(caplog)
    assert messages[-1] == "127.0.0.1:4321 - ASGI [1] Raised exception"
    assert not any(message.endswith("Completed") for message in messages)


async def _discard(message: Any) -> None:
    pass


def test_scope_without_client_has_no_address_prefix(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(TRACE_LOG_LEVEL, logger="uvicorn.asgi")
    run_calls(hello_app, [http_scope(client=None)])
    assert asgi_messages(caplog)[-1] == "ASGI [1] Completed"


def test_lifespan_scope_is_logged_too(caplog: pytest.LogCaptureFixture) -> None:
    async def lifespan_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "lifespan.startup.complete"})

    caplog.set_level(TRACE_LOG_LEVEL, logger="uvicorn.asgi")
    run_calls(lifespan_app, [{"type": "lifespan", "asgi": {"version": "3.0"}}])
    assert asgi_messages(caplog) == [
        "ASGI [1] Started scope={'type': 'lifespan', 'asgi': {'version': '3.0'}}",
        "ASGI [1] Send {'type': 'lifespan.startup.complete'}",
        "ASGI [1] Completed",
    ]


def test_placeholders_hide_websocket_payloads() -> None:
    assert message_with_placeholders({"type": "websocket.send", "text": "héllo"}) == {
        "type": "websocket.send",
        "text": "<5 chars>",
    }
    assert message_with_placeholders(
        {"type": "websocket.receive", "bytes": b"abc", "text": None}
    ) == {
        "type": "websocket.receive",
        "bytes": "<3 bytes>",
        "text": None,
    }


def test_placeholders_leave_the_original_message_alone() -> None:
    message = {"type": "http.response.body", "body": b"secret", "headers": [(b"k", b"v")]}
    shown = message_with_placeholders(message)
    assert shown == {"type": "http.response.body", "body": "<6 bytes>", "headers": "<...>"}
    assert message["body"] == b"secret"
    assert message["headers"] == [(b"k", b"v")]
