"""Registers the wsproto WebSocket implementation; imports neither wsproto nor the protocol."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_ws_protocols() -> list[Implementation]:
    return [
        Implementation(
            name="wsproto",
            target="uvicorn_ws_wsproto._protocol:WSProtocol",
            priority=10,
            requires=("wsproto",),
            summary="Sans-I/O WebSocket protocol (wsproto)",
        )
    ]
