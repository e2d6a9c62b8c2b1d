"""Every step of every app call runs in a real asyncio Task, for every HTTP x loop pair.

The probes (uvicorn.testing.task_probes) use what frameworks use: ``asyncio.current_task()``,
``asyncio.timeout``, anyio task groups and ``anyio.fail_after``, and a contextvar that
each request sets and the next request on the same connection must not see.
"""

from __future__ import annotations

import json
import queue
import socket
import urllib.parse
from typing import TYPE_CHECKING, Any

import pytest

from uvicorn.testing._optional import LazyClient, require_module
from uvicorn.testing.task_probes import expected_observation, observe_task, start_background
from uvicorn.testing.utils import read_response, run_server

if TYPE_CHECKING:
    import httpx
else:
    httpx = LazyClient("httpx")  # a test that uses it skips when it is not installed

if TYPE_CHECKING:
    import anyio
else:
    anyio = require_module("anyio")  # the task probes run anyio in every test here

pytestmark = pytest.mark.timeout(30)


def make_app(background_results: queue.Queue[str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(scope, receive, send)
            return
        query = dict(urllib.parse.parse_qsl(scope["query_string"].decode()))
        seen = await observe_task(query["step"], query["id"])
        if scope["path"] == "/lifespan":
            seen = scope["state"]["lifespan_seen"]
        start_background(query["id"], background_results)
        body = json.dumps(seen).encode()

        async def respond() -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body[:5], "more_body": True})
            await send({"type": "http.response.body", "body": body[5:]})

        if query.get("send_from") == "child":  # as Starlette's StreamingResponse does
            async with anyio.create_task_group() as group:
                group.start_soon(respond)
        else:
            await respond()

    async def lifespan(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup"
        scope["state"]["lifespan_seen"] = await observe_task("first", "lifespan")
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        await send({"type": "lifespan.shutdown.complete"})

    return app


@pytest.mark.parametrize("step", ["first", "later"])
@pytest.mark.parametrize("send_from", ["app", "child"])
def test_app_steps_run_in_a_task_with_a_fresh_context(
    http_impl: str, loop_impl: str, step: str, send_from: str
) -> None:
    results: queue.Queue[str] = queue.Queue()
    with run_server(make_app(results), http=http_impl, loop=loop_impl) as server:
        with httpx.Client(base_url=server.url) as client:  # one kept-alive connection
            for request_id in ("one", "two", "three"):
                params = {"step": step, "id": request_id, "send_from": send_from}
                response = client.get("/", params=params)
                assert response.status_code == 200
                assert response.json() == expected_observation(request_id)
                # The task it started outlives the response, in the request's context.
                assert results.get(timeout=5) == f"{request_id}:{request_id}"


def test_lifespan_startup_runs_in_a_task(http_impl: str, loop_impl: str) -> None:
    results: queue.Queue[str] = queue.Queue()
    app = make_app(results)
    with run_server(app, http=http_impl, loop=loop_impl, lifespan="on") as server:
        response = httpx.get(server.url + "/lifespan", params={"step": "first", "id": "x"})
    assert response.json() == expected_observation("lifespan")


def test_pipelined_requests_each_run_in_their_own_task(http_impl: str, loop_impl: str) -> None:
    """Requests that arrive in one packet still get one task and one context each."""
    results: queue.Queue[str] = queue.Queue()
    requests = b"".join(
        b"GET /?step=first&id=p%d HTTP/1.1\r\nHost: example\r\n\r\n" % index for index in range(3)
    )
    with run_server(make_app(results), http=http_impl, loop=loop_impl) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(requests)
            bodies = [json.loads(read_response(conn)[2]) for _ in range(3)]
    assert bodies == [expected_observation(f"p{index}") for index in range(3)]
