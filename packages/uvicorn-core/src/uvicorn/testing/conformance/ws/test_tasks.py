"""Every step of a WebSocket app runs in a real asyncio Task, for every HTTP x WS x loop triple.

The same probes as the HTTP task tests (uvicorn.testing.task_probes), run before the handshake
is accepted (the app's first step) and after it.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import queue
import socket
import threading
import urllib.parse
from typing import TYPE_CHECKING, Any

import pytest

from uvicorn.config import Config
from uvicorn.testing._optional import LazyClient, require_module
from uvicorn.testing.task_probes import expected_observation, observe_task, start_background
from uvicorn.testing.utils import ThreadedServer
from uvicorn.testing.websocket import connect, ws_server, ws_url

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyClient("httpx")  # a test that uses it skips when it is not installed

require_module("anyio")  # the task probes run anyio in every test here

pytestmark = pytest.mark.timeout(30)


def make_app(background_results: queue.Queue[str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        query = dict(urllib.parse.parse_qsl(scope["query_string"].decode()))
        request_id = query["id"]
        before_accept = await observe_task("first", request_id)
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        message = await receive()
        after_accept = await observe_task("later", message["text"])
        start_background(message["text"], background_results)
        text = json.dumps({"before_accept": before_accept, "after_accept": after_accept})
        await send({"type": "websocket.send", "text": text})
        await send({"type": "websocket.close", "code": 1000})

    return app


def test_websocket_app_steps_run_in_a_task(http_impl: str, ws_impl: str, loop_impl: str) -> None:
    async def exchange(url: str) -> Any:
        async with connect(url) as websocket:
            await websocket.send("after")
            return json.loads(await websocket.recv())

    results: queue.Queue[str] = queue.Queue()
    with ws_server(make_app(results), http_impl, ws_impl, loop=loop_impl) as server:
        for request_id in ("one", "two"):
            url = ws_url(server, "/?" + urllib.parse.urlencode({"id": request_id}))
            seen = asyncio.run(exchange(url))
            assert seen["before_accept"] == expected_observation(request_id)
            # A contextvar set before accept is still set after it, in the same task.
            expected_later = expected_observation("after")
            expected_later["context_before"] = request_id
            assert seen["after_accept"] == expected_later
            assert results.get(timeout=5) == "after:after"


SERVER_VALUE: contextvars.ContextVar[str] = contextvars.ContextVar("server_value", default="unset")


async def report_server_value(scope: Any, receive: Any, send: Any) -> None:
    value = SERVER_VALUE.get().encode()
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "bytes": value})
        await send({"type": "websocket.close", "code": 1000})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": value})


@pytest.mark.parametrize("reset", [False, True], ids=["copied", "reset"])
def test_context_of_the_embedding_program_reaches_http_and_websocket_apps(
    http_impl: str, ws_impl: str, reset: bool
) -> None:
    """A contextvar set before the server starts is seen by both kinds of app (upstream's
    behaviour), unless --reset-contextvars asks for a fresh context."""
    config = Config(
        report_server_value,
        http=http_impl,
        ws=ws_impl,
        loop="asyncio",
        lifespan="off",
        log_config=None,
        reset_contextvars=reset,
    )
    server = ThreadedServer(config)
    sock = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        SERVER_VALUE.set("set before serving")
        asyncio.run(server.serve(sockets=[sock]))
        server.finished.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        assert server.ready.wait(10)
        port = sock.getsockname()[1]
        http_value = httpx.get(f"http://127.0.0.1:{port}/").content

        async def websocket_value() -> Any:
            async with connect(f"ws://127.0.0.1:{port}/") as websocket:
                return await websocket.recv()

        ws_value = asyncio.run(websocket_value())
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    expected = b"unset" if reset else b"set before serving"
    assert (http_value, ws_value) == (expected, expected)
