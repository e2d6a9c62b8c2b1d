"""The websockets plugin's read buffer: websockets parses from it exactly as from its own.

Not a conformance test: only the websockets plugins hand websockets' parser this buffer
(``uvicorn_ws_websockets._buffer``); the conformance suite checks the same messages over
real sockets for every implementation.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("websockets")

from websockets.frames import Frame
from websockets.http11 import Request
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

from uvicorn.config import Config
from uvicorn.protocols.websockets.adapter import WebSocketOptions
from uvicorn.server import ServerState
from uvicorn_ws_websockets._base import _LARGE_CHUNK
from uvicorn_ws_websockets._buffer import ChunkBuffer
from uvicorn_ws_websockets._sansio import SansIOAdapter, WebSocketsSansIOProtocol

HANDSHAKE = (
    b"GET / HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A final frame as a client writes it, masked with a random key."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    key = os.urandom(4)
    mask = (key * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(length, "big")
    return head + key + masked


def complete_handshake(protocol: ServerProtocol) -> None:
    protocol.receive_data(HANDSHAKE)
    (request,) = protocol.events_received()
    assert isinstance(request, Request)
    protocol.send_response(protocol.accept(request))
    protocol.data_to_send()


def open_protocol(buffer: object | None) -> ServerProtocol:
    protocol = ServerProtocol(max_size=None)
    if buffer is not None:
        protocol.reader.buffer = buffer  # type: ignore[assignment]  # the duck-typed buffer
    complete_handshake(protocol)
    return protocol


def parsed(protocol: ServerProtocol, pieces: list[bytes]) -> list[tuple[int, bool, bytes]]:
    frames = []
    for piece in pieces:
        protocol.receive_data(piece)
        for event in protocol.events_received():
            assert isinstance(event, Frame)
            frames.append((int(event.opcode), event.fin, bytes(event.data)))
    return frames


def parsed_as_the_adapter_reads(pieces: list[bytes]) -> list[tuple[int, bool, bytes]]:
    """Parse as the adapter does: each read borrowed from one buffer refilled by the next,
    the reader's buffer (and its ``read_exact``) chosen per read, even mid-frame."""
    adapter = new_adapter()
    protocol = adapter.protocol
    complete_handshake(protocol)
    memory = bytearray(max(map(len, pieces), default=0))
    frames = []
    for piece in pieces:
        memory[: len(piece)] = piece
        view = memoryview(memory)[: len(piece)]
        adapter.choose_buffer(view)  # a view, as the transport gives
        protocol.receive_data(view)  # type: ignore[arg-type]  # a view, as the transport gives
        for event in protocol.events_received():
            assert isinstance(event, Frame)
            frames.append((int(event.opcode), event.fin, bytes(event.data)))
        buffer: object = protocol.reader.buffer
        if type(buffer) is ChunkBuffer:
            buffer.detach()
        memory[:] = b"\xee" * len(memory)  # the next read overwrites what this one borrowed
    assert protocol.parser_exc is None
    return frames


binary = st.one_of(
    st.binary(max_size=200),
    st.integers(min_value=0, max_value=140_000).map(os.urandom),
).map(lambda payload: (0x2, payload))
text = st.one_of(
    st.text(max_size=100),
    st.integers(min_value=0, max_value=40_000).map(lambda size: "é" * size),
).map(lambda payload: (0x1, payload.encode()))


@settings(max_examples=60, deadline=None)
@given(
    messages=st.lists(st.one_of(binary, text), min_size=1, max_size=6),
    cuts=st.lists(st.integers(min_value=0, max_value=600_000), max_size=8),
)
def test_frames_parse_the_same_from_a_chunk_buffer(
    messages: list[tuple[int, bytes]], cuts: list[int]
) -> None:
    stream = b"".join(client_frame(opcode, payload) for opcode, payload in messages)
    points = sorted({cut % (len(stream) + 1) for cut in cuts} | {0, len(stream)})
    pieces = [stream[start:stop] for start, stop in itertools.pairwise(points)]
    expected = parsed(open_protocol(None), pieces)
    assert parsed(open_protocol(ChunkBuffer()), pieces) == expected
    assert [(opcode, payload) for opcode, _, payload in expected] == messages
    # As a connection reads: the buffer chosen per read, reads borrowed and refilled.
    assert parsed_as_the_adapter_reads(pieces) == expected


def test_stream_ending_inside_a_frame_fails_as_websockets_does() -> None:
    adapter = new_adapter()
    protocol = adapter.protocol
    complete_handshake(protocol)
    truncated = client_frame(0x2, b"y" * (2 * _LARGE_CHUNK))[:-1]
    adapter.choose_buffer(truncated)
    buffer: object = protocol.reader.buffer
    assert type(buffer) is ChunkBuffer
    protocol.receive_data(truncated)
    assert protocol.events_received() == []
    protocol.receive_eof()
    assert isinstance(protocol.parser_exc, EOFError)
    assert str(protocol.parser_exc) == "stream ends after 32767 bytes, expected 32768 bytes"


def test_buffer_follows_bytearray_semantics() -> None:
    buffer, reference = ChunkBuffer(), bytearray()
    for chunk in (b"abc\n", b"", b"defgh", bytearray(b"ij\nk"), memoryview(b"lmnop")):
        buffer += chunk
        reference += chunk
    assert len(buffer) == len(reference)
    assert buffer.find(b"\n", 0) == reference.find(b"\n", 0)
    assert buffer.find(b"\n", 4) == reference.find(b"\n", 4)
    for count in (2, 5, 0, 3):
        assert bytes(buffer[:count]) == bytes(reference[:count])
        del buffer[:count]
        del reference[:count]
        assert len(buffer) == len(reference)
    assert bytes(buffer[:100]) == bytes(reference[:100])  # beyond the end: what is left
    del buffer[:]
    assert len(buffer) == 0
    assert not buffer


def test_installed_websockets_reader_takes_the_chunk_buffer() -> None:
    """websockets keeps its unread bytes in ``reader.buffer``, a bytearray: if a release
    changes that, the plugin keeps working with websockets' own buffer but loses its
    large-message speed, and this test says so."""
    assert type(ServerProtocol().reader.buffer) is bytearray


def new_adapter() -> SansIOAdapter:
    """The plugin's adapter, reporting to a real (never connected) connection."""
    config = Config(app=lambda scope, receive, send: None, log_config=None)
    loop = asyncio.new_event_loop()
    try:
        connection = WebSocketsSansIOProtocol(config, ServerState(), {}, _loop=loop)
    finally:
        loop.close()
    options = WebSocketOptions(max_size=config.ws_max_size, per_message_deflate=False)
    return SansIOAdapter(connection, options)


def test_large_chunks_switch_the_buffer_and_small_ones_switch_back() -> None:
    adapter = new_adapter()
    assert adapter.buffer_replaceable
    reader = adapter.protocol.reader
    buffers: list[type] = []
    for chunk in (b"x" * _LARGE_CHUNK, b"small"):
        adapter.choose_buffer(chunk)
        buffers.append(type(reader.buffer))
    assert buffers == [ChunkBuffer, bytearray]


class _OwnBuffer(bytearray):
    """Stands for a reader buffer of another websockets release."""


def test_reader_of_another_kind_keeps_its_own_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    original_init = StreamReader.__init__

    def init_with_own_buffer(self: StreamReader) -> None:
        original_init(self)
        self.buffer = _OwnBuffer()

    monkeypatch.setattr(StreamReader, "__init__", init_with_own_buffer)
    adapter = new_adapter()
    assert not adapter.buffer_replaceable
    adapter.choose_buffer(b"x" * _LARGE_CHUNK)
    assert type(adapter.protocol.reader.buffer) is _OwnBuffer
