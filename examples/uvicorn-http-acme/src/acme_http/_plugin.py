"""Registration only: no import of h11 or of the protocol module here."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_http_protocols() -> list[Implementation]:
    return [
        Implementation(
            name="acme",
            target="acme_http._protocol:AcmeProtocol",
            priority=1,  # never preferred by auto over the official implementations
            requires=("h11",),
            summary="h11 with an x-served-by header (example plugin)",
        )
    ]
