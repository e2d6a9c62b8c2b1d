"""A FastAPI application using the features users most often meet under uvicorn.

``python -m tests.frameworks.apps.fastapi_app FD HTTP`` serves it the way ``fastapi run``
does, through ``uvicorn.run(app, ...)``, on an inherited listening socket.
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import BackgroundTasks, Depends, FastAPI, Request, Response, WebSocket
from fastapi.websockets import WebSocketDisconnect
from pydantic import BaseModel

CallNext = Callable[[Request], Awaitable[Response]]


class Item(BaseModel):
    name: str
    price: float
    quantity: int = 1


def resource(request: Request) -> Iterator[str]:
    """A dependency with teardown; at module level, where FastAPI resolves annotations."""
    reports: queue.Queue[str] = request.app.state.reports
    reports.put("resource opened")
    yield "the resource"
    reports.put("resource closed")


def build_app(reports: queue.Queue[str], release: threading.Event | None = None) -> FastAPI:
    """The app reports what only it can observe (teardown, background work) to ``reports``;
    its background task waits for ``release`` so a test can prove it ran after the response."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"currency": "EUR"}

    app = FastAPI(lifespan=lifespan)
    app.state.reports = reports

    @app.middleware("http")
    async def tag(request: Request, call_next: CallNext) -> Response:
        request.state.tagged_by = "tag middleware"
        response = await call_next(request)
        response.headers["x-tagged"] = "yes"
        return response

    @app.get("/")
    async def index(request: Request) -> dict[str, str]:
        return {"tagged_by": request.state.tagged_by, "currency": request.state.currency}

    @app.get("/resource")
    def use_resource(value: Annotated[str, Depends(resource)]) -> dict[str, str]:
        reports.put("handler ran")
        return {"value": value}

    @app.post("/items/{item_id}")
    async def create_item(item_id: int, item: Item, request: Request) -> dict[str, Any]:
        return {
            "item_id": item_id,
            "name": item.name,
            "total": item.price * item.quantity,
            "currency": request.state.currency,
        }

    def after_response(name: str) -> None:
        reports.put(f"background started for {name}")
        released = release is not None and release.wait(5)
        reports.put("background released" if released else "background timed out")

    @app.post("/notify/{name}")
    async def notify(name: str, background_tasks: BackgroundTasks) -> dict[str, str]:
        background_tasks.add_task(after_response, name)
        return {"queued": name}

    @app.websocket("/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"currency": websocket.state.currency})
        try:
            while True:
                message = await websocket.receive_text()
                await websocket.send_text(f"echo: {message}")
        except WebSocketDisconnect as exc:
            reports.put(f"websocket closed {exc.code}")

    return app


app = build_app(queue.Queue())

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, fd=int(sys.argv[1]), http=sys.argv[2])
