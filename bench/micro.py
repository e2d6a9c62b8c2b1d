#!/usr/bin/env python3
"""Pure-Python cost of one keep-alive request through an HTTP plugin, without sockets.

    python bench/micro.py [httptools|h11] [--profile]

Feeds the same GET request many times into one protocol instance over a fake transport
and reports microseconds per request: the part of the hot path that is ours to shrink.
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import sys
import time
from typing import Any

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))

from apps import app

from uvicorn.config import Config, resolve_implementation
from uvicorn.server import ServerState

REQUEST = b"GET / HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += 1

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def run(http: str, count: int, profile: bool) -> float:
    config = Config(app, http=http, access_log=False, log_config=None, proxy_headers=False)
    config.load()
    state = ServerState()
    state.default_headers = [(b"server", b"uvicorn"), (b"date", b"Mon, 01 Jan 2024 00:00:00 GMT")]
    state.default_header_names = frozenset({b"server", b"date"})
    state.default_headers_block = b"server: uvicorn\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
    protocol_class = resolve_implementation("http", http)
    protocol = protocol_class(config=config, server_state=state, app_state={})
    transport = FakeTransport()
    protocol.connection_made(transport)
    loop = asyncio.get_running_loop()
    profiler = cProfile.Profile() if profile else None
    for _ in range(1000):  # warm up
        protocol.data_received(REQUEST)
        await asyncio.sleep(0)
    if profiler:
        profiler.enable()
    start = time.perf_counter()
    for index in range(count):
        protocol.data_received(REQUEST)
        if index % 64 == 0:
            await asyncio.sleep(0)  # let deferred writes flush, as the loop would
    await asyncio.sleep(0)
    elapsed = time.perf_counter() - start
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    assert transport.written > 0
    del loop
    return elapsed / count * 1e6


def main() -> None:
    http = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "httptools"
    profile = "--profile" in sys.argv
    count = int(os.environ.get("MICRO_REQUESTS", "20000" if profile else "200000"))
    per_request = asyncio.run(run(http, count, profile))
    print(f"{http}: {per_request:.2f} us per request (Python side, no syscalls)")


if __name__ == "__main__":
    main()
