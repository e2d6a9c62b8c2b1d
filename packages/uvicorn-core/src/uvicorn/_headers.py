"""Header validation and encoding every layer may use: the bottom floor of the core.

The configuration checks ``--header`` values with it, the server encodes its default
headers with it, and the HTTP and WebSocket protocols check what apps send. It imports
nothing of uvicorn, so that none of those modules has to import another one for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

# A header name (and a method) must be an RFC 9110 token; a value may hold no control
# byte but HTAB. Requests and responses are held to the same rules.
INVALID_TOKEN_BYTE: Final = re.compile(rb"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
INVALID_VALUE_BYTE: Final = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

# Header pairs already checked: apps send the same few pairs again and again.
_VALID_HEADERS: set[tuple[bytes, bytes]] = set()
_VALID_HEADERS_MAX: Final = 4096


def check_header(name: bytes, value: bytes) -> None:
    """Raise RuntimeError for a header that would corrupt the response head."""
    if not name or INVALID_TOKEN_BYTE.search(name) is not None:
        raise RuntimeError(f"Invalid HTTP header name {name!r}.")
    if INVALID_VALUE_BYTE.search(value) is not None:
        raise RuntimeError(f"Invalid HTTP header value for {name!r}.")
    if len(_VALID_HEADERS) >= _VALID_HEADERS_MAX:
        _VALID_HEADERS.clear()
    _VALID_HEADERS.add((name, value))


def encode_header_block(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """``name: value`` lines; raises RuntimeError on a header that would corrupt the head."""
    parts: list[bytes] = []
    valid = _VALID_HEADERS
    for name, value in headers:
        if (name, value) not in valid:
            check_header(name, value)
        parts += (name, b": ", value, b"\r\n")
    return b"".join(parts)


def encode_header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """``name: value`` lines for trusted headers, to pass as ``encoded_headers``."""
    return b"".join(b"%s: %s\r\n" % (name, value) for name, value in headers)
