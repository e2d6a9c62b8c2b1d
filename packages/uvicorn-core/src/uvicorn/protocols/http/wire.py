"""HTTP/1.1 bytes the core writes itself: status lines, headers, chunk framing, errors.

Plugins whose parser library has no serializer (httptools) use these through the default
``encode_*`` methods of :class:`~uvicorn.protocols.http.connection.HTTPConnection`.
"""

from __future__ import annotations

import http
import re
from collections.abc import Iterable
from typing import Final

# A header name must be an RFC 9110 token; a value may hold no control byte but HTAB.
_INVALID_NAME: Final = re.compile(rb"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
_INVALID_VALUE: Final = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def _status_line(status: int) -> bytes:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return b"HTTP/1.1 %d %s\r\n" % (status, phrase.encode("ascii"))


STATUS_LINES: Final[dict[int, bytes]] = {status: _status_line(status) for status in range(100, 600)}

CHUNKED_END: Final = b"0\r\n\r\n"


def status_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


# Header pairs already checked: apps send the same few pairs again and again.
_VALID_HEADERS: set[tuple[bytes, bytes]] = set()
_VALID_HEADERS_MAX: Final = 4096


def check_header(name: bytes, value: bytes) -> None:
    """Raise RuntimeError for a header that would corrupt the response head."""
    if not name or _INVALID_NAME.search(name) is not None:
        raise RuntimeError(f"Invalid HTTP header name {name!r}.")
    if _INVALID_VALUE.search(value) is not None:
        raise RuntimeError(f"Invalid HTTP header value for {name!r}.")
    if len(_VALID_HEADERS) >= _VALID_HEADERS_MAX:
        _VALID_HEADERS.clear()
    _VALID_HEADERS.add((name, value))


def encode_head(
    status: int, headers: Iterable[tuple[bytes, bytes]], encoded_headers: bytes = b""
) -> bytes:
    """A complete response head; raises RuntimeError on a header that would corrupt it.

    ``encoded_headers`` are header lines already encoded (and trusted), put first.
    """
    status_line = STATUS_LINES.get(status)
    if status_line is None:
        raise RuntimeError(f"Invalid HTTP status code {status!r} in response.")
    return b"".join((status_line, encoded_headers, encode_header_block(headers), b"\r\n"))


def encode_header_block(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """``name: value`` lines; raises RuntimeError on a header that would corrupt the head."""
    parts: list[bytes] = []
    valid = _VALID_HEADERS
    for name, value in headers:
        if (name, value) not in valid:
            check_header(name, value)
        parts += (name, b": ", value, b"\r\n")
    return b"".join(parts)


def encode_chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def error_response(
    status: int, default_headers: list[tuple[bytes, bytes]], message: str | None = None
) -> bytes:
    """A complete ``text/plain`` error response that closes the connection."""
    body = (message or status_phrase(status)).encode("utf-8")
    headers = [
        *default_headers,
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(body)),
        (b"connection", b"close"),
    ]
    return encode_head(status, headers) + body


def encode_header_lines(headers: Iterable[tuple[bytes, bytes]]) -> bytes:
    """``name: value`` lines for trusted headers, to pass as ``encoded_headers``."""
    return b"".join(b"%s: %s\r\n" % (name, value) for name, value in headers)
