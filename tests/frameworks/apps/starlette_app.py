"""A Starlette application using the features users most often meet under uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import queue
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

HELLO_FILE = Path(__file__).parent / "static" / "hello.txt"


class TagMiddleware(BaseHTTPMiddleware):
    """Tags the request on the way in and the response on the way out."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request.state.tagged_by = "TagMiddleware"
        response = await call_next(request)
        response.headers["x-tagged"] = "yes"
        return response


def build_app(reports: queue.Queue[str]) -> Starlette:
    """The app reports what only it can observe (a client that went away) to ``reports``."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        yield {"greeting": "hello from lifespan"}
        reports.put("lifespan shutdown")

    async def state(request: Request) -> Response:
        return JSONResponse({"greeting": request.state.greeting})

    async def tagged(request: Request) -> Response:
        return PlainTextResponse(f"tagged by {request.state.tagged_by}")

    async def tagged_stream(request: Request) -> Response:
        async def parts() -> AsyncIterator[bytes]:
            yield b"streamed "
            yield b"through middleware"

        return StreamingResponse(parts(), media_type="text/plain")

    async def stream(request: Request) -> Response:
        async def lines() -> AsyncIterator[str]:
            for word in ("one", "two", "three"):
                yield f"{word}\n"

        return StreamingResponse(lines(), media_type="text/plain")

    async def file(request: Request) -> Response:
        return FileResponse(HELLO_FILE)

    async def wait_for_disconnect(request: Request) -> Response:
        reports.put("waiting")
        # The app's own polling loop, as apps write it; the test waits on the report.
        while not await request.is_disconnected():
            await asyncio.sleep(0.01)
        reports.put("disconnected")
        return PlainTextResponse("nobody reads this")

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text(websocket.state.greeting)
        try:
            while True:
                message = await websocket.receive_text()
                await websocket.send_text(f"echo: {message}")
        except WebSocketDisconnect as exc:
            reports.put(f"websocket closed {exc.code}")

    tagged_app = Starlette(
        routes=[Route("/", tagged), Route("/stream", tagged_stream)],
        middleware=[Middleware(TagMiddleware)],
    )
    return Starlette(
        routes=[
            Route("/state", state),
            Route("/stream", stream),
            Route("/file", file),
            Route("/wait-for-disconnect", wait_for_disconnect),
            WebSocketRoute("/ws", echo),
            Mount("/tagged", app=tagged_app),
        ],
        lifespan=lifespan,
    )
