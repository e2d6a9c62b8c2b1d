"""A raw HTTP/2 client on the h2 library, for tests that need frame-level control.

Importing it skips the importing test module when h2 is missing: h2 comes with the
HTTP/2 plugin, and without one there is nothing for these tests to check.
"""

from __future__ import annotations

import dataclasses
import socket
import ssl
from collections.abc import Iterable, Iterator
from typing import Self

import pytest

pytest.importorskip("h2", reason="the HTTP/2 tests drive h2's client; install uvicorn-http-h2")

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import hyperframe.frame

__all__ = ["H2Client", "Response", "h2", "hyperframe"]

Fields = list[tuple[bytes, bytes]]


@dataclasses.dataclass
class Response:
    status: int = 0
    headers: Fields = dataclasses.field(default_factory=list)
    body: bytes = b""
    trailers: Fields = dataclasses.field(default_factory=list)
    informational: list[int] = dataclasses.field(default_factory=list)
    reset: bool = False
    ended: bool = False

    def header(self, name: bytes) -> bytes | None:
        return next((value for key, value in self.headers if key == name), None)


class H2Client:
    """One HTTP/2 connection; ``auto_ack`` gives received body back to the server at once."""

    def __init__(
        self,
        port: int,
        *,
        tls: ssl.SSLContext | None = None,
        auto_ack: bool = True,
        initial_window: int | None = None,
        split_preface: bool = False,
        receive_buffer: int | None = None,
        validate: bool = True,
        timeout: float = 10.0,
    ) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:  # set before connecting, so the window stays small
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(timeout)
        sock.connect(("127.0.0.1", port))
        if tls is not None:
            tls.set_alpn_protocols(["h2"])
            sock = tls.wrap_socket(sock, server_hostname="127.0.0.1")
        self.sock = sock
        self.auto_ack = auto_ack
        config = h2.config.H2Configuration(
            client_side=True,
            header_encoding=None,
            validate_outbound_headers=validate,
            normalize_outbound_headers=validate,
        )
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        if initial_window is not None:
            self.conn.update_settings(
                {h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: initial_window}
            )
        self.responses: dict[int, Response] = {}
        self.goaway: h2.events.ConnectionTerminated | None = None
        self.closed = False
        if split_preface:  # in three writes, each usually its own read on the server
            data = self.conn.data_to_send()
            for piece in (data[:3], data[3:20], data[20:]):
                self.sock.sendall(piece)
        self.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def start_request(
        self,
        path: str = "/",
        method: str = "GET",
        headers: Iterable[tuple[bytes, bytes]] = (),
        end_stream: bool = True,
        pseudo: Fields | None = None,
    ) -> int:
        stream_id = self.conn.get_next_available_stream_id()
        fields = [
            (b":method", method.encode()),
            (b":scheme", b"http"),
            (b":authority", b"127.0.0.1"),
            (b":path", path.encode()),
            *headers,
        ]
        if pseudo is not None:
            fields = [*pseudo, *headers]
        self.conn.send_headers(stream_id, fields, end_stream=end_stream)
        self.responses[stream_id] = Response()
        self.flush()
        return stream_id

    def send_body(self, stream_id: int, data: bytes, end_stream: bool = True) -> None:
        """Send ``data`` as the server's windows allow, reading while they are closed."""
        view = memoryview(data)
        while view:
            window = self.conn.local_flow_control_window(stream_id)
            size = min(window, self.conn.max_outbound_frame_size, len(view))
            if size <= 0:
                self.receive()
                continue
            self.conn.send_data(stream_id, bytes(view[:size]))
            view = view[size:]
            self.flush()
        if end_stream:
            self.conn.end_stream(stream_id)
            self.flush()

    def request(self, path: str = "/", method: str = "GET", body: bytes = b"") -> Response:
        stream_id = self.start_request(path, method, end_stream=not body)
        if body:
            self.send_body(stream_id, body)
        return self.wait(stream_id)

    def wait(self, stream_id: int) -> Response:
        response = self.responses[stream_id]
        while not (response.ended or response.reset or self.closed):
            self.receive()
        return response

    def receive(self) -> list[h2.events.Event]:
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:  # closed with our data unread: still a close
            data = b""
        if not data:
            self.closed = True
            return []
        events = self.conn.receive_data(data)
        for event in events:
            self._record(event)
        self.flush()
        return events

    def _record(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.ResponseReceived):
            response = self.responses[event.stream_id]
            fields = [(bytes(name), bytes(value)) for name, value in event.headers or []]
            response.status = int(dict(fields)[b":status"])
            response.headers = [field for field in fields if not field[0].startswith(b":")]
        elif isinstance(event, h2.events.InformationalResponseReceived):
            status = dict(event.headers or [])[b":status"]
            self.responses[event.stream_id].informational.append(int(status))
        elif isinstance(event, h2.events.DataReceived):
            self.responses[event.stream_id].body += event.data
            if self.auto_ack and event.flow_controlled_length:
                self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.TrailersReceived):
            fields = [(bytes(name), bytes(value)) for name, value in event.headers or []]
            self.responses[event.stream_id].trailers = fields
        elif isinstance(event, h2.events.StreamEnded):
            self.responses[event.stream_id].ended = True
        elif isinstance(event, h2.events.StreamReset):
            if event.stream_id in self.responses:
                self.responses[event.stream_id].reset = True
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = event

    def read_until_closed(self) -> None:
        while not self.closed:
            try:
                self.receive()
            except (ConnectionResetError, h2.exceptions.ProtocolError):
                self.closed = True

    def raw_frames(self) -> Iterator[hyperframe.frame.Frame]:
        """The frames that arrive from now on, parsed here rather than by h2: an h2 client
        treats GOAWAY as the end, where the streams it names may still be answered."""
        buffer = b""
        while True:
            while len(buffer) >= 9:
                frame, length = hyperframe.frame.Frame.parse_frame_header(memoryview(buffer[:9]))
                if len(buffer) < 9 + length:
                    break
                frame.parse_body(memoryview(buffer[9 : 9 + length]))
                buffer = buffer[9 + length :]
                yield frame
            data = self.sock.recv(65536)
            if not data:
                return
            buffer += data

    def decode_head(self, frame: hyperframe.frame.HeadersFrame) -> Fields:
        decoded = self.conn.decoder.decode(frame.data, raw=True)
        return [(bytes(name), bytes(value)) for name, value in decoded]
