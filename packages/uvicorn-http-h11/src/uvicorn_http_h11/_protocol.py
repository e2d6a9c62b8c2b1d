"""The h11 adapter: h11 events in, core callbacks out; core responses in, h11 bytes out."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import h11

from uvicorn.protocols.http.connection import HTTPConnection
from uvicorn.protocols.http.wire import status_phrase

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState


class H11Protocol(HTTPConnection):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.max_head_size)

    def feed_data(self, data: bytes) -> None:
        self.conn.receive_data(data)
        self._pull_events()

    def prepare_next_message(self) -> None:
        conn = self.conn
        if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
            self.close_transport()
            return
        conn.start_next_cycle()
        self._pull_events()

    def _pull_events(self) -> None:
        conn = self.conn
        while not self.is_closing():
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                if exc.error_status_hint == 431:
                    self.reject_oversized_head()
                else:
                    self.reject_request(exc.error_status_hint, str(exc))
                return
            event_type = type(event)
            if event_type is h11.Data:
                self.on_body(event.data)  # type: ignore[union-attr]  # narrowed by event_type
            elif event_type is h11.Request:
                request: h11.Request = event  # type: ignore[assignment]  # narrowed by event_type
                self.on_request_head(
                    request.method,
                    request.target,
                    request.http_version.decode("ascii"),
                    list(request.headers),
                )
            elif event_type is h11.EndOfMessage:
                self.on_message_complete()
            elif event is h11.NEED_DATA:
                return
            elif event is h11.PAUSED:
                if self.upgrade_pending is not None:
                    self.hand_off_upgrade(conn.trailing_data[0])
                else:
                    # A pipelined request waits in h11's buffer until this response is done.
                    self.pause_reading()
                return
            else:  # ConnectionClosed
                return

    def encode_head(self, status: int, headers: list[tuple[bytes, bytes]]) -> bytes:
        try:
            if status < 200:
                event: h11.Event = h11.InformationalResponse(status_code=status, headers=headers)
            else:
                reason = status_phrase(status).encode("ascii")
                event = h11.Response(status_code=status, headers=headers, reason=reason)
            return self.conn.send(event) or b""
        except h11.LocalProtocolError as exc:
            raise RuntimeError(f"Invalid HTTP response: {exc}") from None

    def encode_body(self, data: bytes, chunked: bool) -> bytes:
        return self.conn.send(h11.Data(data=data)) or b""

    def encode_end(self, chunked: bool) -> bytes:
        return self.conn.send(h11.EndOfMessage()) or b""
