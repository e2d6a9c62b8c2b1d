"""A small HTTP client for plugin tests: httpx when it is installed, else raw HTTP/1.1 over
a socket. Either way, one request on a fresh connection and the whole response back."""

from __future__ import annotations

import socket
import urllib.parse
from dataclasses import dataclass, field

from uvicorn.testing.utils import read_response


@dataclass(frozen=True)
class HTTPResponse:
    status_code: int
    headers: dict[str, str]  # lower-cased names (the raw client keeps a repeated one's last)
    content: bytes
    raw_headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def http_request(
    url: str,
    method: str = "GET",
    *,
    content: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    timeout: float = 5.0,
    use_httpx: bool | None = None,
) -> HTTPResponse:
    """Send one request to ``url`` (``http://host:port/path?query``) and read the response
    (framed by Content-Length or chunked; not for HEAD). ``use_httpx=None`` uses httpx when
    importable; ``False`` always speaks raw HTTP/1.1."""
    if use_httpx is None:
        try:
            import httpx  # noqa: F401  # only to choose the client
        except ImportError:
            use_httpx = False
        else:
            use_httpx = True
    if use_httpx:
        return _with_httpx(url, method, content, headers or [], timeout)
    return _with_socket(url, method, content, headers or [], timeout)


def _with_httpx(
    url: str, method: str, content: bytes, headers: list[tuple[str, str]], timeout: float
) -> HTTPResponse:
    import httpx

    response = httpx.request(method, url, content=content, headers=headers, timeout=timeout)
    return HTTPResponse(
        status_code=response.status_code,
        headers={name: ", ".join(response.headers.get_list(name)) for name in response.headers},
        content=response.content,
        raw_headers=list(response.headers.raw),
    )


def _with_socket(
    url: str, method: str, content: bytes, headers: list[tuple[str, str]], timeout: float
) -> HTTPResponse:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname is None or parts.port is None:
        raise ValueError(f"the raw client speaks plain http to host:port, not {url!r}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if content or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(content)}")
    lines += [f"{name}: {value}" for name, value in headers]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
        conn.sendall(head + content)
        status_line, raw_headers, body = read_response(conn)
    decoded = {
        name.decode("latin-1"): value.decode("latin-1") for name, value in raw_headers.items()
    }
    return HTTPResponse(int(status_line.split()[1]), decoded, body, list(raw_headers.items()))
