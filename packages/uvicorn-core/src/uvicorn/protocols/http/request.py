"""Validate a parsed request head once, for every HTTP plugin, stricter than any parser alone.

Parsers differ in what they let through; these checks make the behaviour identical:
bytes no request may hold (a method or header name that is not an RFC 9110 token, a
control byte in a header value or in the target, which is how a lax parser lets a bare
LF smuggle a header through), framing that could smuggle a second request
(Content-Length with Transfer-Encoding, conflicting Content-Length values), a missing
or repeated Host, versions other than HTTP/1.0 and HTTP/1.1, and heads larger than the
configured limit.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Final
from urllib.parse import unquote

from uvicorn._headers import INVALID_TOKEN_BYTE, INVALID_VALUE_BYTE

_HOST: Final = b"host"
_CONTENT_LENGTH: Final = b"content-length"
_TRANSFER_ENCODING: Final = b"transfer-encoding"
_CONNECTION: Final = b"connection"
_EXPECT: Final = b"expect"
_UPGRADE: Final = b"upgrade"
_TE: Final = b"te"
_FRAMING_HEADERS: Final = frozenset(
    (_HOST, _CONTENT_LENGTH, _TRANSFER_ENCODING, _CONNECTION, _EXPECT, _UPGRADE, _TE)
)


class InvalidRequest(Exception):
    """A request the server answers with ``status`` and then closes the connection."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RequestHead:
    """Everything the core needs from one request head, computed in one pass.

    Slots, all set by read_request_head: reading a slot is as fast as attribute access
    gets, where a class-level default read through an instance is several times slower.
    """

    __slots__ = (
        "accepts_trailers",
        "chunked",
        "content_length",
        "expect_continue",
        "headers",
        "http_version",
        "keep_alive",
        "method",
        "path",
        "query_string",
        "raw_path",
        "target",
        "upgrade",
    )

    method: str
    target: bytes
    http_version: str
    headers: list[tuple[bytes, bytes]]
    raw_path: bytes
    path: str
    query_string: bytes
    content_length: int | None
    accepts_trailers: bool  # TE: trailers (HTTP/1.1), or a multiplexed stream
    chunked: bool
    keep_alive: bool
    expect_continue: bool
    upgrade: bytes | None


# Methods and header names found to be tokens, and header fields found valid: clients
# send the same few again and again, and a set lookup costs less than a scan.
_TOKENS: set[bytes] = set()
_TOKENS_MAX: Final = 1024
_FIELDS: set[tuple[bytes, bytes]] = set()
_FIELDS_MAX: Final = 4096
_FIELD_CACHED_LENGTH: Final = 256
# A request target is visible ASCII: no control byte, no space.
_INVALID_TARGET_BYTE: Final = re.compile(rb"[\x00-\x20\x7f]")

# Decoded request targets: most requests ask for one of a few paths.
_TARGETS: dict[bytes, tuple[bytes, str, bytes]] = {}
_TARGETS_MAX: Final = 1024
_TARGET_CACHED_LENGTH: Final = 256


# The token lists of the header values clients send most, shared: they are only read.
_COMMON_TOKENS: Final[dict[bytes, list[bytes]]] = {
    value: [value.lower()]
    for value in (b"close", b"Close", b"keep-alive", b"Keep-Alive", b"chunked", b"Upgrade")
}


def _tokens(value: bytes) -> list[bytes]:
    tokens = _COMMON_TOKENS.get(value)
    if tokens is not None:
        return tokens
    return [token.strip().lower() for token in value.split(b",")]


def read_request_head(
    head: RequestHead,
    method: bytes,
    target: bytes,
    http_version: str,
    headers: list[tuple[bytes, bytes]],
    max_head_size: int | None,
    check_bytes: bool = True,
) -> None:
    """Check a request head and store it with its framing in ``head``.

    Raises InvalidRequest to refuse it. ``head`` is a fresh RequestHead (or subclass:
    the HTTP cycle is its own head, one object per request). ``headers`` must already
    have lower-cased names, as ASGI requires. ``max_head_size`` is None when the caller
    knows the head is within the limit (it arrived in fewer bytes), which spares
    measuring it. ``check_bytes`` is False when the parser guarantees that the method
    and header names are tokens and the header values free of control bytes.
    """
    if max_head_size is not None:
        _check_head_size(method, target, headers, max_head_size)
    if http_version != "1.1" and http_version != "1.0":
        if http_version in ("", "0.9"):
            raise InvalidRequest(400, "Invalid HTTP request line")
        raise InvalidRequest(505, "HTTP version not supported")

    if check_bytes:
        if method not in _TOKENS:
            _check_token(method, "Invalid HTTP method")
        if not _FIELDS.issuperset(headers):
            _check_fields(headers)

    head.method = method.decode("ascii")
    head.target = target
    head.http_version = http_version
    head.headers = headers
    parts = _TARGETS.get(target)
    if parts is None:
        parts = _split_target(target)
    head.raw_path, head.path, head.query_string = parts

    hosts = 0
    content_length: bytes | None = None
    transfer_encoding: list[bytes] | None = None
    connection: list[bytes] | None = None
    expect_continue = False
    upgrade: bytes | None = None
    accepts_trailers = False
    for name, value in headers:
        if name not in _FRAMING_HEADERS:
            continue
        if name == _HOST:
            hosts += 1
        elif name == _CONTENT_LENGTH:
            value = value.strip()
            if not value.isdigit():
                raise InvalidRequest(400, "Invalid Content-Length header")
            if content_length is not None and int(content_length) != int(value):
                raise InvalidRequest(400, "Conflicting Content-Length headers")
            content_length = value
        elif name == _TRANSFER_ENCODING:
            tokens = _tokens(value)
            transfer_encoding = tokens if transfer_encoding is None else transfer_encoding + tokens
        elif name == _CONNECTION:
            tokens = _tokens(value)
            connection = tokens if connection is None else connection + tokens
        elif name == _EXPECT:
            expect_continue = value.lower() == b"100-continue"
        elif name == _TE:
            accepts_trailers = accepts_trailers or b"trailers" in _tokens(value)
        else:
            upgrade = value.lower()

    keep_alive = True
    if http_version == "1.1":
        if hosts != 1:
            raise InvalidRequest(
                400, "Missing Host header" if not hosts else "Duplicate Host header"
            )
        if connection is not None and b"close" in connection:
            keep_alive = False
    else:
        if hosts > 1:
            raise InvalidRequest(400, "Duplicate Host header")
        keep_alive = False
        expect_continue = False
    head.keep_alive = keep_alive
    head.expect_continue = expect_continue
    head.accepts_trailers = accepts_trailers

    head.chunked = False
    head.content_length = None
    if transfer_encoding is not None:
        if http_version == "1.0":
            raise InvalidRequest(400, "Transfer-Encoding is not allowed in HTTP/1.0")
        if content_length is not None:
            raise InvalidRequest(400, "Both Content-Length and Transfer-Encoding present")
        if transfer_encoding != [b"chunked"]:
            raise InvalidRequest(501, "Unsupported Transfer-Encoding")
        head.chunked = True
    elif content_length is not None:
        head.content_length = int(content_length)

    if upgrade is not None and (connection is None or b"upgrade" not in connection):
        upgrade = None
    head.upgrade = upgrade


def check_trailer_fields(fields: list[tuple[bytes, bytes]]) -> None:
    """Refuse a request trailer section as a head's fields are refused (InvalidRequest)."""
    if not _FIELDS.issuperset(fields):
        _check_fields(fields)


def _check_token(value: bytes, message: str) -> None:
    """Refuse ``value`` unless it is an RFC 9110 token; remember it if it is one."""
    if value in _TOKENS:
        return
    if not value or INVALID_TOKEN_BYTE.search(value) is not None:
        raise InvalidRequest(400, message)
    if len(_TOKENS) >= _TOKENS_MAX:
        _TOKENS.clear()
    _TOKENS.add(value)


def _check_fields(headers: list[tuple[bytes, bytes]]) -> None:
    """Refuse a header name that is no token or a value with a control byte but HTAB."""
    for field in headers:
        if field in _FIELDS:
            continue
        name, value = field
        _check_token(name, "Invalid HTTP header name")
        if INVALID_VALUE_BYTE.search(value) is not None:
            raise InvalidRequest(400, "Invalid HTTP header value")
        if len(value) <= _FIELD_CACHED_LENGTH:
            if len(_FIELDS) >= _FIELDS_MAX:
                _FIELDS.clear()
            _FIELDS.add(field)


def _check_head_size(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], max_head_size: int
) -> None:
    """414 for a request line over the limit, 431 for a whole head over it."""
    size = len(method) + len(target) + 12
    if size > max_head_size:
        raise InvalidRequest(414, "Request URI too long")
    # ": " and CRLF per line; the lengths summed in C (measured for every large chunk)
    size += sum(map(len, chain.from_iterable(headers))) + 4 * len(headers)
    if size > max_head_size:
        raise InvalidRequest(431, "Request header fields too large")


def _split_target(target: bytes) -> tuple[bytes, str, bytes]:
    """``(raw_path, path, query_string)`` of a request target, cached when it is short."""
    if target == b"*":  # OPTIONS * (asterisk-form)
        return b"*", "*", b""
    if not target or _INVALID_TARGET_BYTE.search(target) is not None:
        raise InvalidRequest(400, "Invalid characters in request target")
    # origin-form ("/path?query") by far the most common; absolute-form is reduced to it
    raw_path, _, query_string = (target if target[:1] == b"/" else _origin_form(target)).partition(
        b"?"
    )
    try:
        path = raw_path.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidRequest(400, "Invalid characters in request target") from None
    parts = raw_path, unquote(path) if "%" in path else path, query_string
    if len(target) <= _TARGET_CACHED_LENGTH:
        if len(_TARGETS) >= _TARGETS_MAX:
            _TARGETS.clear()
        _TARGETS[target] = parts
    return parts


def _origin_form(target: bytes) -> bytes:
    """The path and query of an absolute-form target (RFC 9112 section 3.2.2)."""
    scheme_end = target.find(b"://")
    if scheme_end <= 0:
        raise InvalidRequest(400, "Invalid request target")
    path_start = target.find(b"/", scheme_end + 3)
    query_start = target.find(b"?", scheme_end + 3)
    if path_start == -1 or (query_start != -1 and query_start < path_start):
        return b"/" + (target[query_start:] if query_start != -1 else b"")
    return target[path_start:]


# Pseudo-header fields of a multiplexed request (RFC 9113 section 8.3.1).
_METHOD: Final = b":method"
_SCHEME: Final = b":scheme"
_AUTHORITY: Final = b":authority"
_PATH: Final = b":path"
_PROTOCOL: Final = b":protocol"
_PSEUDO_HEADERS: Final = frozenset((_METHOD, _SCHEME, _AUTHORITY, _PATH, _PROTOCOL))
# Fields that only mean something on one HTTP/1.1 connection: malformed in HTTP/2 and 3.
_CONNECTION_SPECIFIC: Final = frozenset(
    (_CONNECTION, _TRANSFER_ENCODING, b"keep-alive", b"proxy-connection", _UPGRADE)
)


def read_stream_head(
    head: RequestHead,
    fields: list[tuple[bytes, bytes]],
    http_version: str,
    max_head_size: int,
    check_bytes: bool = True,
) -> None:
    """Check the header fields of a request on a multiplexed stream (HTTP/2) and store it.

    ``fields`` are as decoded, pseudo-header fields first. Raises InvalidRequest for a
    malformed request (RFC 9113 section 8.1.1): the stream is answered with the status,
    the connection and the other streams go on. The ``:authority`` becomes a ``host``
    header when the request has none, as an HTTP/1.1 app expects to find one.
    """
    pseudo: dict[bytes, bytes] = {}
    headers: list[tuple[bytes, bytes]] = []
    host_seen = False
    content_length: bytes | None = None
    expect_continue = False
    for field in fields:
        name, value = field
        if name[:1] == b":":
            if headers or name not in _PSEUDO_HEADERS or name in pseudo:
                raise InvalidRequest(400, "Invalid pseudo-header field")
            pseudo[name] = value
            continue
        if name in _CONNECTION_SPECIFIC:
            raise InvalidRequest(400, "Connection-specific header field")
        if name == _HOST:
            host_seen = True
        elif name == _CONTENT_LENGTH:
            value = value.strip()
            if not value.isdigit():
                raise InvalidRequest(400, "Invalid Content-Length header")
            if content_length is not None and int(content_length) != int(value):
                raise InvalidRequest(400, "Conflicting Content-Length headers")
            content_length = value
        elif name == b"te" and value.strip().lower() != b"trailers":
            raise InvalidRequest(400, "Invalid TE header field")
        elif name == _EXPECT:
            expect_continue = value.lower() == b"100-continue"
        headers.append(field)

    method = pseudo.get(_METHOD)
    target = pseudo.get(_PATH)
    if method is None or target is None or not target or _SCHEME not in pseudo:
        if method == b"CONNECT":
            raise InvalidRequest(501, "CONNECT is not supported")
        raise InvalidRequest(400, "Missing pseudo-header field")
    if _PROTOCOL in pseudo:
        raise InvalidRequest(501, "Extended CONNECT is not supported")
    _check_head_size(method, target, fields, max_head_size)
    if check_bytes:
        if method not in _TOKENS:
            _check_token(method, "Invalid HTTP method")
        if not _FIELDS.issuperset(headers):
            _check_fields(headers)
        if any(name != name.lower() for name, _ in headers):
            raise InvalidRequest(400, "Uppercase header field name")
    authority = pseudo.get(_AUTHORITY)
    if authority is not None and not host_seen:
        if INVALID_VALUE_BYTE.search(authority) is not None:
            raise InvalidRequest(400, "Invalid :authority")
        headers.insert(0, (_HOST, authority))

    head.method = method.decode("ascii")
    head.target = target
    head.http_version = http_version
    head.headers = headers
    parts = _TARGETS.get(target)
    if parts is None:
        parts = _split_target(target)
    head.raw_path, head.path, head.query_string = parts
    head.content_length = int(content_length) if content_length is not None else None
    head.chunked = False
    head.keep_alive = False  # one response per stream: no HTTP/1.1 framing is chosen for it
    head.expect_continue = expect_continue
    head.accepts_trailers = True  # a stream can always end with trailers
    head.upgrade = None
