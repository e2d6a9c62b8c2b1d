"""Lifespan over a real server: startup/shutdown messages, state shared into requests, failures."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sys
import threading
from typing import Any

import httpx
import pytest

from tests.utils import run_command, run_server, wait_for
from uvicorn.config import Config
from uvicorn.server import Server

pytestmark = pytest.mark.timeout(30)


async def lifespan_raises(scope: Any, receive: Any, send: Any) -> None:
    """Raises as soon as the lifespan protocol starts (imported by a child process below)."""
    if scope["type"] == "lifespan":
        raise RuntimeError("startup exploded")
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body"})


def lifespan_app(events: list[Any], *, on_startup: Any = None, on_shutdown: Any = None) -> Any:
    """A lifespan-aware app recording what it receives; hooks may answer instead of it."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            events.append(("scope", {key: scope[key] for key in ("type", "asgi")}))
            while True:
                message = await receive()
                events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    if on_startup is not None:
                        await on_startup(send)
                    else:
                        await send({"type": "lifespan.startup.complete"})
                else:
                    if on_shutdown is not None:
                        await on_shutdown(send)
                    else:
                        await send({"type": "lifespan.shutdown.complete"})
                    return
        await asyncio.sleep(float(scope["query_string"].decode() or 0))
        events.append("request finished")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def serve_expecting_no_start(app: Any, caplog: pytest.LogCaptureFixture, **kwargs: Any) -> Server:
    """Run a server whose startup should fail; stop it at once should it start anyway."""
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    server = Server(Config(app, port=0, log_config=None, **kwargs))
    thread = threading.Thread(target=asyncio.run, args=(server.serve(),), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: server.started or not thread.is_alive(), timeout=10)
    finally:
        server.should_exit = True
        thread.join(10)
    assert not thread.is_alive()
    return server


def info_messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "uvicorn.error"]


def test_lifespan_on_sends_startup_and_shutdown_to_the_app(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    events: list[Any] = []
    with run_server(lifespan_app(events), lifespan="on", http=http_impl) as server:
        assert events == [
            ("scope", {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}),
            "lifespan.startup",
        ]
        assert httpx.get(server.url).text == "ok"
    assert events[2:] == ["request finished", "lifespan.shutdown"]
    messages = info_messages(caplog)
    expected = [
        "Waiting for application startup.",
        "Application startup complete.",
        "Waiting for application shutdown.",
        "Application shutdown complete.",
    ]
    assert [message for message in messages if message in expected] == expected


def test_lifespan_shutdown_waits_for_in_flight_requests(http_impl: str) -> None:
    events: list[Any] = []
    responses: list[httpx.Response] = []
    with run_server(lifespan_app(events), lifespan="on", http=http_impl) as server:
        client = threading.Thread(target=lambda: responses.append(httpx.get(server.url + "?0.5")))
        client.start()
        assert wait_for(lambda: len(server.state.tasks) == 1, timeout=10)
    client.join(10)
    assert [response.text for response in responses] == ["ok"]
    assert events[-2:] == ["request finished", "lifespan.shutdown"]


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
        third = httpx.get(server.url).text  # a new connection as well
    assert first == second == third == "[('db', 'connected')]"
    assert events == ["lifespan.startup", "lifespan.shutdown"]


def test_lifespan_scope_carries_the_asgi2_version_for_asgi2_apps() -> None:
    seen: list[Any] = []

    class App:
        def __init__(self, scope: Any) -> None:
            self.scope = scope

        async def __call__(self, receive: Any, send: Any) -> None:
            if self.scope["type"] == "lifespan":
                seen.append(self.scope["asgi"])
                await receive()
                await send({"type": "lifespan.startup.complete"})
                await receive()
                await send({"type": "lifespan.shutdown.complete"})

    with run_server(App, lifespan="on"):
        pass
    assert seen == [{"version": "2.0", "spec_version": "2.0"}]


def test_lifespan_on_app_raising_at_startup_does_not_start(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = serve_expecting_no_start(lifespan_raises, caplog, lifespan="on")
    assert not server.started
    assert server.servers == []  # nothing was ever bound
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "Exception in 'lifespan' protocol\n",
        "Application startup failed. Exiting.",
    ]
    assert errors[0].exc_info is not None
    assert "startup exploded" in str(errors[0].exc_info[1])


def test_lifespan_on_app_raising_at_startup_exits_3() -> None:
    app = "tests.core.test_lifespan:lifespan_raises"
    result = run_command([sys.executable, "-m", "uvicorn", app, "--port", "0", "--lifespan", "on"])
    assert result.returncode == 3, result.stderr
    assert "Exception in 'lifespan' protocol" in result.stderr
    assert "RuntimeError: startup exploded" in result.stderr
    assert "Application startup failed. Exiting." in result.stderr
    assert "Uvicorn running on" not in result.stderr


@pytest.mark.parametrize("mode", ["on", "auto"])
def test_lifespan_startup_failed_message_is_logged_and_stops_startup(
    mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def fail(send: Any) -> None:
        await send({"type": "lifespan.startup.failed", "message": "database unreachable"})

    events: list[Any] = []
    server = serve_expecting_no_start(lifespan_app(events, on_startup=fail), caplog, lifespan=mode)
    assert not server.started
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["database unreachable", "Application startup failed. Exiting."]
    assert "lifespan.shutdown" not in events


def test_exit_requested_during_startup_still_runs_the_shutdown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """``should_exit`` set while the app starts (by the app, or a signal): like upstream,
    the server finishes starting, skips serving, and shuts down, lifespan included."""
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    events: list[Any] = []
    servers: list[Server] = []

    async def stop_while_starting(send: Any) -> None:
        servers[0].should_exit = True
        await send({"type": "lifespan.startup.complete"})

    app = lifespan_app(events, on_startup=stop_while_starting)
    servers.append(Server(Config(app, port=0, lifespan="on", log_config=None)))
    thread = threading.Thread(target=asyncio.run, args=(servers[0].serve(),), daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "the server did not stop"
    assert events[1:] == ["lifespan.startup", "lifespan.shutdown"]
    messages = info_messages(caplog)
    for line in ("Shutting down", "Application shutdown complete.", "Finished server process"):
        assert any(message.startswith(line) for message in messages), messages
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all(not server.is_serving() for server in servers[0].servers)


def test_lifespan_shutdown_failed_message_is_logged(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")

    async def fail(send: Any) -> None:
        await send({"type": "lifespan.shutdown.failed", "message": "could not flush"})

    events: list[Any] = []
    with run_server(lifespan_app(events, on_shutdown=fail), lifespan="on", http=http_impl) as srv:
        assert httpx.get(srv.url).status_code == 200
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["could not flush", "Application shutdown failed. Exiting."]
    assert "Application shutdown complete." not in caplog.text


def test_lifespan_on_app_raising_at_shutdown_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")

    async def explode(send: Any) -> None:
        raise RuntimeError("shutdown exploded")

    with run_server(lifespan_app([], on_shutdown=explode), lifespan="on"):
        pass
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["Exception in 'lifespan' protocol\n", "Application shutdown failed. Exiting."]


UNSUPPORTED = "ASGI 'lifespan' protocol appears unsupported."


def test_lifespan_auto_tolerates_apps_without_lifespan(
    http_impl: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body"})

    with run_server(app, lifespan="auto", http=http_impl) as server:
        assert httpx.get(server.url).status_code == 204
    unsupported = [r for r in caplog.records if r.getMessage() == UNSUPPORTED]
    assert [r.levelno for r in unsupported] == [logging.INFO]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Waiting for application shutdown." not in caplog.text


def test_lifespan_off_never_calls_the_app_for_lifespan(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    scopes: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scopes.append(scope["type"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body"})

    with run_server(app, lifespan="off") as server:
        httpx.get(server.url)
    assert scopes == ["http"]
    assert "Waiting for application startup." not in caplog.text


@pytest.mark.parametrize("reset", [True, False], ids=["reset", "copied"])
def test_context_changes_never_leak_between_requests(http_impl: str, reset: bool) -> None:
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
