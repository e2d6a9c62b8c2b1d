"""Serve a WSGI (PEP 3333) application: it runs in a thread pool, the loop stays free."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import sys
from collections.abc import Iterable
from typing import Any

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


def build_environ(scope: HTTPScope, body: bytes) -> Environ:
    """The WSGI environ for one HTTP request whose whole body is ``body``."""
    root_path = scope.get("root_path", "")
    path = scope["path"]
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    environ: Environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root_path.encode("utf8").decode("latin1"),
        "PATH_INFO": path.encode("utf8").decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stdout,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    server = scope.get("server")
    if server is None:
        server = ("localhost", 80)
    environ["SERVER_NAME"] = server[0]
    environ["SERVER_PORT"] = str(server[1]) if server[1] is not None else "80"
    client = scope.get("client")
    if client is not None:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])

    for name, value in scope.get("headers", []):
        key = name.decode("latin1").upper().replace("-", "_")
        text = value.decode("latin1")
        if key == "CONTENT_LENGTH":
            environ["CONTENT_LENGTH"] = text
            continue
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = text
            continue
        key = "HTTP_" + key
        if key in environ:
            text = environ[key] + "," + text
        environ[key] = text
    return environ


class WSGIMiddleware:
    def __init__(self, app: WSGIApp, workers: int = 10) -> None:
        self.app = app
        self.executor = concurrent.futures.ThreadPoolExecutor(max_workers=workers)

    async def __call__(
        self, scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
    ) -> None:
        if scope["type"] != "http":
            return  # lifespan and websockets mean nothing to a WSGI app
        body = b""
        more_body = True
        while more_body:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before sending the whole request
            body += message.get("body", b"")
            more_body = message.get("more_body", False)
        responder = _WSGIResponder(self.app, self.executor, scope, body)
        await responder.run(send)


class _WSGIResponder:
    """One request: the app runs in a worker thread and hands messages to the loop."""

    def __init__(
        self,
        app: WSGIApp,
        executor: concurrent.futures.ThreadPoolExecutor,
        scope: HTTPScope,
        body: bytes,
    ) -> None:
        self.app = app
        self.executor = executor
        self.environ = build_environ(scope, body)
        self.loop = asyncio.get_running_loop()
        self.messages: asyncio.Queue[ASGISendEvent | None] = asyncio.Queue()
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.started = False
        self.exc_info: ExcInfo | None = None

    async def run(self, send: ASGISendCallable) -> None:
        worker = self.loop.run_in_executor(self.executor, self._run_app)
        sender = self.loop.create_task(self._forward(send))
        try:
            await worker
        finally:
            self._put(None)
            await sender
        if self.exc_info is not None:
            raise self.exc_info[1].with_traceback(self.exc_info[2])

    async def _forward(self, send: ASGISendCallable) -> None:
        while True:
            message = await self.messages.get()
            if message is None:
                return
            await send(message)

    def _put(self, message: ASGISendEvent | None) -> None:
        self.loop.call_soon_threadsafe(self.messages.put_nowait, message)

    def _start_response(
        self,
        status: str,
        response_headers: Iterable[tuple[str, str]],
        exc_info: ExcInfo | None = None,
    ) -> None:
        self.exc_info = exc_info
        if self.started:
            return
        self.status = int(status.split(" ", 1)[0])
        self.headers = [
            (name.strip().encode("latin1").lower(), value.strip().encode("latin1"))
            for name, value in response_headers
        ]

    def _send_start(self) -> None:
        if not self.started and self.status is not None:
            self.started = True
            self._put(
                {"type": "http.response.start", "status": self.status, "headers": self.headers}
            )

    def _run_app(self) -> None:
        try:
            chunks: Iterable[bytes] = self.app(self.environ, self._start_response)
            try:
                for chunk in chunks:
                    self._send_start()
                    if chunk:
                        self._put({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                close: Any = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except BaseException:  # noqa: BLE001 - re-raised on the event loop by run()
            self.exc_info = sys.exc_info()  # type: ignore[assignment]  # set by the except
            return
        self._send_start()
        self._put({"type": "http.response.body", "body": b"", "more_body": False})
