"""Registers the httptools HTTP implementation; imports neither httptools nor the protocol."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_http_protocols() -> list[Implementation]:
    return [
        Implementation(
            name="httptools",
            target="uvicorn_http_httptools._protocol:HttpToolsProtocol",
            priority=20,
            requires=("httptools",),
            summary="HTTP/1.1 on llhttp through httptools (C, fastest)",
        )
    ]
