"""HTTP/1.1 bytes the core writes itself: status lines, headers, chunk framing, errors.

Plugins whose parser library has no serializer (httptools) use these through the default
``encode_*`` methods of :class:`~uvicorn.protocols.http.connection.HTTPConnection`.
"""

from __future__ import annotations

import http
from collections.abc import Iterable
from typing import Final

# Header validation and encoding live on the core's bottom floor; re-exported here,
# where the protocols and older code import them from.
from uvicorn._headers import check_header as check_header
from uvicorn._headers import encode_header_block as encode_header_block
from uvicorn._headers import encode_header_lines as encode_header_lines


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
