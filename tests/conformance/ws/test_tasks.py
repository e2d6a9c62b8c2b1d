"""Every step of a WebSocket app runs in a real asyncio Task, for every HTTP x WS x loop triple.

The same probes as the HTTP task tests (tests/task_probes.py), run before the handshake
is accepted (the app's first step) and after it.
"""

from __future__ import annotations

import asyncio
import json
import queue
import urllib.parse
from typing import Any

import pytest
from websockets.asyncio.client import connect

from tests.conformance.ws.helpers import ws_server, ws_url
from tests.task_probes import expected_observation, observe_task, start_background

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
