"""WebSocket clients for the kit: raw frames over a socket (always available) and the
``websockets`` library's asyncio client (when it is installed), plus a server per
(HTTP x WebSocket) pair."""

from __future__ import annotations

import base64
import contextlib
import os
import socket
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from uvicorn.testing._optional import import_client
from uvicorn.testing.utils import RunningServer, run_server

if TYPE_CHECKING:
    from websockets.asyncio.client import connect as Connect

HANDSHAKE_KEY = base64.b64encode(b"0123456789abcdef").decode("ascii")


@contextlib.contextmanager
def ws_server(app: Any, http_impl: str, ws_impl: str, **kwargs: Any) -> Iterator[RunningServer]:
    with run_server(app, http=http_impl, ws=ws_impl, **kwargs) as server:
        yield server


def ws_url(server: RunningServer, path: str = "/") -> str:
    return f"ws://{server.host}:{server.port}{path}"


def connect(uri: str, **kwargs: Any) -> Connect:
    """The ``websockets`` asyncio client's ``connect(uri, **kwargs)``; a test that calls it
    skips when the library is not installed."""
    client = import_client("websockets.asyncio.client")
    connection: Connect = client.connect(uri, **kwargs)
    return connection


def handshake_request(
    path: str = "/",
    extra: str = "",
    *,
    key: str | None = HANDSHAKE_KEY,
    version: str | None = "13",
) -> bytes:
    """An opening handshake; ``None`` leaves the key or version header out."""
    key_line = "" if key is None else f"Sec-WebSocket-Key: {key}\r\n"
    version_line = "" if version is None else f"Sec-WebSocket-Version: {version}\r\n"
    return (
        f"GET {path} HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\n{key_line}{version_line}{extra}\r\n"
    ).encode("ascii")


def read_handshake_response(conn: socket.socket) -> bytes:
    """The response head to an opening handshake, read a byte at a time so that no frame
    after it is consumed."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(1)
        if not chunk:
            raise ConnectionError(f"closed during handshake: {head!r}")
        head += chunk
    return head


def open_raw(server: RunningServer, path: str = "/", timeout: float = 5.0) -> socket.socket:
    """A raw socket past the opening handshake (the 101 response is read and checked)."""
    conn = socket.create_connection((server.host, server.port), timeout=timeout)
    conn.sendall(handshake_request(path))
    head = read_handshake_response(conn)
    assert head.startswith(b"HTTP/1.1 101"), head
    return conn


def frame(
    opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True, rsv: int = 0
) -> bytes:
    """One WebSocket frame as a client writes it (masked unless told otherwise)."""
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length < 65536:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    masked = bytes(byte ^ key[index % 4] for index, byte in enumerate(payload))
    return head + key + masked


def read_frame(conn: socket.socket) -> tuple[int, bytes]:
    """One unmasked server frame: (opcode, payload)."""
    _, opcode, payload = read_server_frame(conn)
    return opcode, payload


def read_server_frame(conn: socket.socket) -> tuple[bool, int, bytes]:
    """One server frame: (FIN bit, opcode, payload); a masked one fails the test."""

    def exactly(size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = conn.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed mid-frame")
            data += chunk
        return data

    first, second = exactly(2)
    assert not second & 0x80, "a server must not mask its frames"
    assert not first & 0x70, "no extension was negotiated: reserved bits must be clear"
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", exactly(2))
        assert length >= 126, "the shortest length encoding must be used"
    elif length == 127:
        (length,) = struct.unpack("!Q", exactly(8))
        assert length >= 65536, "the shortest length encoding must be used"
    return bool(first & 0x80), first & 0x0F, exactly(length)


def read_close_code(conn: socket.socket) -> int:
    """Read frames until the server's close frame; return its status code."""
    return read_close(conn)[0]


def read_close(conn: socket.socket) -> tuple[int, bytes]:
    """Read frames until the server's close frame; return its status code and reason."""
    while True:
        opcode, payload = read_frame(conn)
        if opcode == 0x8:
            if len(payload) < 2:
                return 1005, b""
            return int(struct.unpack("!H", payload[:2])[0]), payload[2:]
