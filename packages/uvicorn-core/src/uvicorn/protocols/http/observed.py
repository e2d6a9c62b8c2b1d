"""The request cycle of a server that has request observers (uvicorn.observers).

Chosen once per server in place of ``RequestResponseCycle``: a server nobody observes
runs the plain cycle and pays nothing for this. This one counts the body bytes in and
out, notes the status and times the app's call, and tells the observers.
"""

from __future__ import annotations

import time

from uvicorn._types import ASGISendEvent
from uvicorn.observers import RequestInfo, notify
from uvicorn.protocols.http.cycle import CycleConnection, RequestBodyState, RequestResponseCycle

_DISCONNECTED = RequestBodyState.DISCONNECTED


class ObservedCycle(RequestResponseCycle):
    """A request cycle that reports to the server's request observers."""

    __slots__ = ("bytes_in", "bytes_out", "status")

    def __init__(self, conn: CycleConnection) -> None:
        super().__init__(conn)
        self.bytes_in = 0
        self.bytes_out = 0
        self.status = 0

    def body_received(self, chunk: bytes) -> None:
        self.bytes_in += len(chunk)
        super().body_received(chunk)

    async def send(self, message: ASGISendEvent) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            self.bytes_out += len(message.get("body", b""))  # type: ignore[arg-type]  # bytes
        elif kind == "http.response.start":
            self.status = message["status"]  # type: ignore[typeddict-item]  # a start message
        await super().send(message)

    def finish_file_body(self, sent: int) -> None:
        self.bytes_out += sent
        super().finish_file_body(sent)

    async def run_asgi(self) -> None:
        observers = self.conn.settings.observers
        assert observers is not None  # this class is chosen only then
        scope = self.scope
        record = RequestInfo(
            method=self.method,
            path=scope["path"],
            query_string=self.query_string,
            http_version=self.http_version,
            scheme=scope["scheme"],
            client=scope["client"],
        )
        notify(observers.request_started, record)
        started = time.perf_counter()
        try:
            await super().run_asgi()
        finally:
            record.duration = time.perf_counter() - started
            record.bytes_in = self.bytes_in
            record.bytes_out = self.bytes_out
            # The app sent no response: the server answered 500, unless the client left.
            status = self.status
            record.status = status or (0 if self.body_state is _DISCONNECTED else 500)
            notify(observers.request_finished, record)
