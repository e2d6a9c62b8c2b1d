"""Real frameworks served by uvicorn over real sockets: one server per (framework, plugins)."""

from __future__ import annotations

import contextlib
import queue
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.utils import RunningServer, ServerProcess, run_server

HERE = Path(__file__).resolve().parent
T = TypeVar("T")

# IMF-fixdate (RFC 9110 5.6.7), the only form uvicorn and these frameworks write.
HTTP_DATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT"
)
DATE = "<http-date>"


class ServerPool:
    """Servers started on first use and stopped when the test module ends, so that one
    server per (framework, HTTP plugin[, WebSocket plugin]) answers many tests."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._servers: dict[tuple[str, ...], Any] = {}

    def get(self, key: tuple[str, ...], start: Callable[[], AbstractContextManager[T]]) -> T:
        if key not in self._servers:
            self._servers[key] = self._stack.enter_context(start())
        server: T = self._servers[key]
        return server

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="module")
def server_pool() -> Iterator[ServerPool]:
    pool = ServerPool()
    try:
        yield pool
    finally:
        pool.close()


@dataclass(frozen=True)
class Served:
    """A framework app in a server thread, and the queue the app reports to."""

    server: RunningServer
    reports: queue.Queue[str]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ws_url(self) -> str:
        return f"ws://{self.server.host}:{self.server.port}"


@contextlib.contextmanager
def serve_in_thread(build: Callable[[queue.Queue[str]], Any], **kwargs: Any) -> Iterator[Served]:
    """Serve ``build(reports)`` with the lifespan on, as ``uvicorn module:app`` runs it."""
    reports: queue.Queue[str] = queue.Queue()
    with run_server(build(reports), lifespan="on", **kwargs) as server:
        yield Served(server, reports)


@contextlib.contextmanager
def serve_in_subprocess(args: list[str]) -> Iterator[ServerProcess]:
    """``python -m uvicorn ARGS --port 0`` in a child process, ready to take requests."""
    process = ServerProcess([*args, "--port", "0"])
    with process:
        process.wait_running()
        yield process


def wire_head(response: httpx.Response) -> list[tuple[str, str]]:
    """The response's headers in wire order; each HTTP-date value is checked and replaced by
    DATE, so that a test can compare the whole list with what upstream uvicorn sends.

    Names are lower-cased: they are case-insensitive (RFC 9110 5.1), and upstream itself
    writes ``Transfer-Encoding`` with h11 but ``transfer-encoding`` with httptools.
    """
    fields = []
    for raw_name, raw_value in response.headers.raw:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if HTTP_DATE.fullmatch(value):
            value = DATE
        fields.append((name, value))
    return fields


UPSTREAM_DEFAULTS = [("date", DATE), ("server", "uvicorn")]  # upstream's order, first


def head(response: httpx.Response) -> list[tuple[str, str]]:
    """``wire_head``: every header, exactly as on the wire (dates checked, then masked)."""
    return wire_head(response)


def sized_head(content_type: str, length: int) -> list[tuple[str, str]]:
    """What upstream sends for a body with a Content-Length and nothing else of its own."""
    return [*UPSTREAM_DEFAULTS, ("content-type", content_type), ("content-length", str(length))]


def chunked_head(content_type: str) -> list[tuple[str, str]]:
    """What upstream sends for a streamed body without a Content-Length."""
    return [*UPSTREAM_DEFAULTS, ("content-type", content_type), ("transfer-encoding", "chunked")]


def next_report(reports: queue.Queue[str], timeout: float = 5.0) -> str:
    """What the app reported next; fails the test if it reports nothing in time."""
    try:
        return reports.get(timeout=timeout)
    except queue.Empty:
        pytest.fail(f"the app reported nothing within {timeout} s")
