"""Registers the websockets implementations; imports neither websockets nor the protocols."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_ws_protocols() -> list[Implementation]:
    return [
        Implementation(
            name="websockets-sansio",
            target="uvicorn_ws_websockets._sansio:WebSocketsSansIOProtocol",
            priority=30,
            requires=("websockets",),
            summary="websockets' sans-I/O protocol",
        ),
        Implementation(
            name="websockets",
            target="uvicorn_ws_websockets._asyncio:WebSocketProtocol",
            priority=20,
            requires=("websockets",),
            summary="websockets' asyncio connection (kept for compatibility)",
        ),
    ]
