"""The opening handshake's key and version, checked once for every WebSocket plugin.

RFC 6455 §4.2.1 asks for a refusal with 400 when the key or version is malformed, and
§4.4 for 426 Upgrade Required naming the versions the server speaks when the client asks
for another one. Libraries differ here (websockets answers 400 to an unknown version,
wsproto takes any key), so the core decides before the library sees the request.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from dataclasses import dataclass
from typing import Final

SUPPORTED_VERSION: Final = b"13"
_KEY: Final = b"sec-websocket-key"
_VERSION: Final = b"sec-websocket-version"
_KEY_SIZE: Final = 16  # the key is 16 random bytes in base64 (§4.1)


@dataclass(frozen=True)
class HandshakeRefusal:
    """The HTTP error that answers an opening handshake the server cannot accept."""

    status: int
    message: str
    headers: tuple[tuple[bytes, bytes], ...] = ()


def check_opening_handshake(headers: list[tuple[bytes, bytes]]) -> HandshakeRefusal | None:
    """The refusal for a handshake whose key or version is unusable, else ``None``.

    ``headers`` are the request's, names in lower case.
    """
    keys = [value for name, value in headers if name == _KEY]
    versions = [value.strip() for name, value in headers if name == _VERSION]
    if not versions:
        return HandshakeRefusal(400, "Missing Sec-WebSocket-Version header")
    if len(versions) != 1 or not versions[0]:
        return HandshakeRefusal(400, "Invalid Sec-WebSocket-Version header")
    if versions[0] != SUPPORTED_VERSION:
        return HandshakeRefusal(
            426, "Unsupported WebSocket version", ((_VERSION, SUPPORTED_VERSION),)
        )
    if not keys:
        return HandshakeRefusal(400, "Missing Sec-WebSocket-Key header")
    key = b""
    if len(keys) == 1:
        try:
            key = b64decode(keys[0].strip(), validate=True)
        except binascii.Error:
            pass  # refused below
    if len(key) != _KEY_SIZE:
        return HandshakeRefusal(400, "Invalid Sec-WebSocket-Key header")
    return None
