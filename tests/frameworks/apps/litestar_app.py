"""A Litestar application: a second ASGI framework that shares no code with Starlette."""

from __future__ import annotations

import queue
from dataclasses import dataclass

from litestar import Litestar, Request, WebSocket, get, post, websocket
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath, JSONBody


@dataclass
class Order:
    item: str
    quantity: int


def build_app(reports: queue.Queue[str]) -> Litestar:
    """The app reports what only it can observe (its lifecycle) to ``reports``."""

    def open_shop(app: Litestar) -> None:
        app.state.shop = "open"

    def close_shop(app: Litestar) -> None:
        reports.put("on_shutdown ran")

    @get("/")
    async def index(state: State) -> dict[str, str]:
        return {"framework": "litestar", "shop": state.shop}

    @get("/greet/{name:str}")
    async def greet(name: FromPath[str], request: Request[object, object, State]) -> str:
        return f"Hello, {name}, via {request.scope['type']}"

    @post("/orders")
    async def place_order(data: JSONBody[Order]) -> dict[str, object]:
        return {"item": data.item, "quantity": data.quantity, "status": "placed"}

    @websocket("/ws")
    async def echo(socket: WebSocket[object, object, State]) -> None:
        await socket.accept()
        await socket.send_json({"shop": socket.app.state.shop})
        try:
            while True:
                message = await socket.receive_text()
                await socket.send_text(f"echo: {message}")
        except WebSocketDisconnect as exc:
            reports.put(f"websocket closed {exc.code}")

    return Litestar(
        route_handlers=[index, greet, place_order, echo],
        on_startup=[open_shop],
        on_shutdown=[close_shop],
        logging_config=None,  # Litestar's default configures the root logger, process-wide
    )
