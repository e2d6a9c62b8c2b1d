"""Serve a WSGI (PEP 3333) application: it runs in a thread pool, the loop stays free.

The whole request body is read first (WSGI reads its input synchronously). The app then
runs in a worker thread; every chunk it produces is handed to the event loop and the
thread waits until ``send`` has taken it, so a slow client slows the app down instead of
filling memory. An exception from the app, or one passed to ``start_response`` as
``exc_info``, is raised again from the middleware with its traceback.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import sys
from collections.abc import Callable, Iterable

from uvicorn._types import (
    ASGIReceiveCallable,
    ASGISendCallable,
    ASGISendEvent,
    Environ,
    ExcInfo,
    HTTPScope,
    Scope,
    WSGIApp,
)


class WSGIMiddleware:
    def __init__(self, app: WSGIApp, workers: int = 10) -> None:
        self.app = app
        self.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="uvicorn-wsgi"
        )

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "http":
            # Lifespan "auto" reads this as "not supported"; a websocket gets refused.
            raise RuntimeError(f"a WSGI application serves HTTP only, not {scope['type']!r}")
        body = await _read_body(receive)
        if body is None:
            return  # the client left before sending the whole request
        loop = asyncio.get_running_loop()
        response = _WSGIResponse(send, loop)
        environ = build_environ(scope, body)
        try:
            await loop.run_in_executor(self.executor, response.run_app, self.app, environ)
        finally:
            response.abandoned = True  # cancelled: the thread stops at its next chunk


async def _read_body(receive: ASGIReceiveCallable) -> bytes | None:
    """The whole request body, or ``None`` if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def build_environ(scope: HTTPScope, body: bytes) -> Environ:
    """The WSGI environ for one HTTP request whose whole body is ``body``."""
    root_path = scope.get("root_path", "")
    path = scope["path"]
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    scheme = scope.get("scheme", "http")
    environ: Environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": _native(root_path),
        "PATH_INFO": _native(path),
        "QUERY_STRING": scope["query_string"].decode("latin1"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stdout,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    server_name, server_port = scope.get("server") or ("localhost", None)
    if server_port is None:  # unknown (a unix socket): the scheme's default
        server_port = 443 if scheme == "https" else 80
    environ["SERVER_NAME"] = server_name
    environ["SERVER_PORT"] = str(server_port)
    client = scope.get("client")
    if client is not None:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])

    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1").upper().replace("-", "_")
        value = raw_value.decode("latin1")
        if name not in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            name = "HTTP_" + name
        if name in environ:  # a repeated header: one comma-separated value
            value = f"{environ[name]},{value}"
        environ[name] = value
    return environ


def _native(text: str) -> str:
    """PEP 3333 "native string": the UTF-8 bytes of the path, one character per byte."""
    return text.encode("utf-8").decode("latin1")


class _WSGIResponse:
    """One response, driven from the worker thread; each message waits for the loop."""

    def __init__(self, send: ASGISendCallable, loop: asyncio.AbstractEventLoop) -> None:
        self.send = send
        self.loop = loop
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_sent = False
        self.exc_info: ExcInfo | None = None
        self.abandoned = False

    def run_app(self, app: WSGIApp, environ: Environ) -> None:
        chunks = app(environ, self.start_response)  # type: ignore[arg-type]  # returns write()
        try:
            for chunk in chunks:
                self.write(chunk)
        finally:
            close: Callable[[], object] | None = getattr(chunks, "close", None)
            if close is not None:
                close()
        self.send_head()
        self.send_message({"type": "http.response.body", "body": b"", "more_body": False})
        if self.exc_info is not None:
            raise self.exc_info[1].with_traceback(self.exc_info[2])

    def start_response(
        self,
        status: str,
        response_headers: Iterable[tuple[str, str]],
        exc_info: ExcInfo | None = None,
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            if self.headers_sent:  # too late to replace the response: fail the request
                raise exc_info[1].with_traceback(exc_info[2])
            self.exc_info = exc_info
        elif self.status is not None:
            raise RuntimeError("start_response() called twice without exc_info")
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
            for name, value in response_headers
        ]
        return self.write

    def write(self, data: bytes) -> None:
        if data:
            self.send_head()
            self.send_message({"type": "http.response.body", "body": data, "more_body": True})

    def send_head(self) -> None:
        if self.headers_sent:
            return
        if self.status is None:
            raise RuntimeError("the WSGI application did not call start_response()")
        self.headers_sent = True
        self.send_message(
            {"type": "http.response.start", "status": self.status, "headers": self.headers}
        )

    def send_message(self, message: ASGISendEvent) -> None:
        if self.abandoned:
            raise ConnectionAbortedError("the request was cancelled")
        asyncio.run_coroutine_threadsafe(self._send(message), self.loop).result()

    async def _send(self, message: ASGISendEvent) -> None:
        await self.send(message)
