#!/usr/bin/env python3
"""The least a Python ASGI server does per keep-alive request: a reference, not a server.

    bench/.venvs/ours/bin/python bench/floor.py PORT        # serve bench/apps.py on PORT
    bench/.venvs/ours/bin/python bench/floor.py --bytecodes # bytecodes per request

httptools callbacks build the scope, the app coroutine is stepped once, and the response
leaves in one write (then the connection closes if the request said Connection: close,
so that workload (b) has a floor too). There is no validation, no timeout, no flow
control, no pipelining and no error handling, so it must never face a real client. It
shows what the interpreter itself costs: the gap between this and our HTTP plugins is
what our own Python adds per request (see bench/RESULTS.md).
"""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import httptools
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent))
from apps import app  # bench/apps.py, next to this file

HEAD = b"HTTP/1.1 200 OK\r\nserver: uvicorn\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
SERVER = ("127.0.0.1", 8000)


class FloorProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]  # a stream
        self.parser = httptools.HttpRequestParser(self)
        self.client = transport.get_extra_info("peername")
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.output: list[bytes] = []
        self.scope: dict[str, Any] = {}
        self.close = False

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_url(self, url: bytes) -> None:
        self.url = url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        path, _, query_string = self.url.partition(b"?")
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "server": SERVER,
            "client": self.client,
            "scheme": "http",
            "method": self.parser.get_method().decode(),
            "root_path": "",
            "path": path.decode(),
            "raw_path": path,
            "query_string": query_string,
            "headers": self.headers,
            "state": {},
        }
        self.close = (b"connection", b"close") in self.headers
        self.headers = []

    def on_message_complete(self) -> None:
        self.output = []
        coroutine = app(self.scope, self.receive, self.send)
        try:
            coroutine.send(None)
        except StopIteration:
            pass
        self.transport.write(b"".join(self.output))
        if self.close:
            self.transport.close()  # workload (b): what a new connection per request costs

    async def receive(self) -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            output = self.output
            output.append(HEAD)
            if self.close:  # said, so that wrk does not count the close as an error
                output.append(b"connection: close\r\n")
            for name, value in message["headers"]:
                output += (name, b": ", value, b"\r\n")
            output.append(b"\r\n")
        else:
            self.output.append(message.get("body", b""))


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(FloorProtocol, "0.0.0.0", port)
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGINT, stop.set_result, None)
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    await stop
    server.close()


async def count_bytecodes() -> None:
    """Bytecodes per request over 64 fake connections, as bench/micro.py counts ours."""
    import micro

    pairs = []
    for _ in range(64):
        protocol, transport = FloorProtocol(), micro.FakeTransport()
        protocol.connection_made(transport)
        pairs.append(protocol)
    for protocol in pairs:  # warm up
        protocol.data_received(micro.REQUEST)
    counter = micro.BytecodeCounter()
    sys.settrace(counter.trace)
    for _ in range(20):
        for protocol in pairs:
            protocol.data_received(micro.REQUEST)
    sys.settrace(None)
    counter.report(20 * len(pairs))


if __name__ == "__main__":
    if sys.argv[1:] == ["--bytecodes"]:
        uvloop.run(count_bytecodes())
    else:
        uvloop.run(serve(int(sys.argv[1])))
