"""What both websockets adapters share: the handshake and turning frames into messages.

websockets' sans-I/O ``ServerProtocol`` parses the replayed request and validates it
before the app runs; the app's accept then sends the response it prepared.

Both adapters declare ``reads_into_buffer``: once the connection is open, the core reads
into one buffer per thread and hands ``feed_view`` a view of each read. Large frames are
then parsed from the memory the kernel wrote, and only a frame still incomplete at the
end of a read is copied (``ChunkBuffer``).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Final

from websockets.extensions.permessage_deflate import enable_server_permessage_deflate
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from uvicorn.protocols.websockets.adapter import WebSocketEvents, WebSocketOptions
from uvicorn_ws_websockets._buffer import ChunkBuffer, read_exact_for

_INVALID_DATA = 1007
# Chunks from this size on are parsed from a ChunkBuffer (large messages, no copies);
# smaller ones from websockets' own bytearray, which costs less per call.
_LARGE_CHUNK = 16384


class _LibraryLogger(logging.LoggerAdapter[logging.Logger]):
    """websockets' log lines on uvicorn's logger, as upstream has them, except its INFO
    lines (connection open, rejected, closed), which the core logs for every plugin."""

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if level != logging.INFO:  # also what adapters wrapping this one log through
            super().log(level, msg, *args, **kwargs)


_LIBRARY_LOGGER: Final = _LibraryLogger(logging.getLogger("uvicorn.error"))


class WebSocketsAdapter:
    """websockets' ``ServerProtocol``, adapted: its handshake, its frames, its sends.

    A subclass parses the frames of an open connection in ``feed_view``, where it chooses
    the reader's buffer first (``choose_buffer``) and detaches a ``ChunkBuffer`` last.
    """

    __slots__ = (
        "buffer_replaceable",
        "close_reported",
        "events",
        "fragments",
        "fragments_opcode",
        "protocol",
        "response",
    )

    library_keepalive: ClassVar[bool] = False
    reads_into_buffer: ClassVar[bool] = True

    def __init__(self, events: WebSocketEvents, options: WebSocketOptions) -> None:
        self.events = events
        # websockets' recommended settings (smaller windows, less memory per connection).
        deflate = options.per_message_deflate
        extensions = enable_server_permessage_deflate(None) if deflate else None
        self.protocol = ServerProtocol(
            extensions=extensions, max_size=options.max_size, logger=_LIBRARY_LOGGER
        )
        self.response: Response | None = None
        self.fragments: list[bytes] = []
        self.fragments_opcode: Opcode | None = None
        self.close_reported = False
        # The reader's buffer is replaced only where it is the bytearray this was built
        # for; another websockets release keeps its own (tests/plugins say if it changed).
        reader = self.protocol.reader
        self.buffer_replaceable = (
            type(getattr(reader, "buffer", None)) is bytearray
            and callable(getattr(reader, "read_exact", None))
            and hasattr(reader, "__dict__")
        )

    def choose_buffer(self, data: bytes | memoryview) -> None:
        """Before parsing ``data``: read large chunks without copies, small ones as before."""
        if not self.buffer_replaceable:
            return
        reader = self.protocol.reader
        buffer: object = reader.buffer
        if len(data) >= _LARGE_CHUNK:
            if type(buffer) is bytearray:
                reader.buffer = ChunkBuffer(bytes(buffer))  # type: ignore[assignment]  # what the reader does to it, duck-typed
                reader.read_exact = read_exact_for(reader)  # type: ignore[assignment]  # same contract; also returns views
        elif type(buffer) is ChunkBuffer and not buffer:
            reader.buffer = bytearray()
            del reader.read_exact  # websockets' own again: fewer bytecodes on a bytearray

    def feed_handshake(self, data: bytes) -> None:
        """Parse the opening handshake; the app starts when it is valid."""
        protocol = self.protocol
        protocol.receive_data(data)
        for event in protocol.events_received():
            if isinstance(event, Request):
                self._request_parsed(event)
            elif isinstance(event, Frame):
                self.frame_received(event)  # frames sent right after the handshake
        if self.response is None and protocol.handshake_exc is not None:
            protocol.data_to_send()  # websockets' own 400: the core answers instead
            self.events.reject_handshake(400, str(protocol.handshake_exc))

    def _request_parsed(self, request: Request) -> None:
        response = self.protocol.accept(request)
        if response.status_code != 101:
            self.events.reject_handshake(response.status_code, str(self.protocol.handshake_exc))
            return
        for name in ("Date", "Server"):
            if name in response.headers:
                del response.headers[name]  # the server's default headers are the core's
        self.response = response
        # The core shows the app the head the HTTP connection parsed, when it has one.
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.raw_items()
        ]
        self.events.request_received(request.path.encode("latin-1"), headers)

    def accept_handshake(self, subprotocol: str | None, headers: list[tuple[bytes, bytes]]) -> None:
        response = self.response
        assert response is not None
        if subprotocol is not None:
            response.headers["Sec-WebSocket-Protocol"] = subprotocol
        for name, value in headers:
            response.headers[name.decode("latin-1")] = value.decode("latin-1")
        self.protocol.send_response(response)
        self.write_output()
        self.handshake_complete()

    def handshake_complete(self) -> None:
        """The 101 response is written: frames flow from now on."""

    def frame_received(self, frame: Frame) -> None:
        opcode = frame.opcode
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            if frame.fin:
                self._deliver(opcode, frame.data)
            else:
                self.fragments_opcode = opcode
                self.fragments.append(bytes(frame.data))
        elif opcode is Opcode.CONT:
            self.fragments.append(bytes(frame.data))
            if frame.fin and self.fragments_opcode is not None:
                data, self.fragments = b"".join(self.fragments), []
                self._deliver(self.fragments_opcode, data)
                self.fragments_opcode = None
        elif opcode is Opcode.PONG:
            self.events.pong_received()

    def _deliver(self, opcode: Opcode, data: bytes | bytearray | memoryview) -> None:
        if opcode is Opcode.BINARY:
            self.events.message_received(bytes(data))
            return
        try:
            text = bytes(data).decode()
        except UnicodeDecodeError as exc:
            self.protocol.fail(_INVALID_DATA, f"{exc.reason} at position {exc.start}")
            self.write_output()
            self._report_failure()
            return
        self.events.message_received(text)

    def check_closed(self) -> None:
        """After parsing: report a close frame received, or invalid input from the peer."""
        if self.close_reported:
            return
        protocol = self.protocol
        if protocol.close_rcvd is not None:
            self.close_reported = True
            self.events.close_received(protocol.close_rcvd.code, protocol.close_rcvd.reason)
        elif protocol.parser_exc is not None:
            self._report_failure()

    def _report_failure(self) -> None:
        self.close_reported = True
        close = self.protocol.close_sent
        if close is None:
            self.events.protocol_failed(1002, str(self.protocol.parser_exc))
        else:
            self.events.protocol_failed(close.code, close.reason)

    def write_output(self) -> None:
        for data in self.protocol.data_to_send():  # most often none
            self.events.write(data)

    def send_message(self, data: str | bytes) -> None:
        protocol = self.protocol
        if protocol.state is State.OPEN:
            if not protocol.extensions:
                # The frame websockets would build, not copied; websockets is not called,
                # so it has nothing new to send (its output is written after every call).
                self.events.write_message_frame(data)
                return
            if type(data) is str:
                protocol.send_text(data.encode())
            else:
                protocol.send_binary(data)  # type: ignore[arg-type]  # bytes
            self.write_output()

    def send_close(self, code: int, reason: str) -> None:
        if self.protocol.state is State.OPEN:
            self.protocol.send_close(code, reason)
            self.write_output()

    def send_ping(self, payload: bytes) -> None:
        if self.protocol.state is State.OPEN:
            self.protocol.send_ping(payload)
            self.write_output()

    def connection_lost(self, exc: Exception | None) -> None:
        # websockets' parser is a generator whose frame holds the protocol, and so do the
        # frames in the traceback of the error that stopped it: reference cycles that
        # keep the protocol, its reader and its compression state (some 48 KB with
        # permessage-deflate) until the cyclic collector runs, which for a long-lived
        # connection can be much later. Nothing is parsed or reported after the loss.
        protocol = self.protocol
        protocol.parser.close()
        if protocol.parser_exc is not None:
            protocol.parser_exc.__traceback__ = None
