"""``uvicorn.workers``: uvicorn's servers as workers of a real gunicorn master."""

from __future__ import annotations

import os
import re
import signal
import socket

import httpx
import pytest

from tests.utils import ServerProcess, read_response, wait_for
from uvicorn._registry import get_registry

pytest.importorskip("gunicorn")

pytestmark = [pytest.mark.timeout(60), pytest.mark.subprocess]


class Gunicorn(ServerProcess):
    RUNNING = re.compile(r"Listening at: http://(\S+?):(\d+) ")

    def __init__(self, app: str, worker_class: str, *options: str) -> None:
        args = [app, "-k", worker_class, "-b", "127.0.0.1:0", "--no-control-socket", *options]
        super().__init__(args, command=("-m", "gunicorn"))

    def pids(self) -> set[int]:
        return {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", self.output)}


def serving_pids(port: int, want: int) -> set[int]:
    seen: set[int] = set()

    def enough() -> bool:
        seen.add(int(httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text))
        return len(seen) >= want

    assert wait_for(enough, 15, interval=0), seen
    return seen


def test_uvicorn_worker_serves_under_gunicorn_and_stops_on_sigterm() -> None:
    with Gunicorn("tests.apps:worker_pid", "uvicorn.workers.UvicornWorker", "-w", "2") as master:
        port = master.wait_running()
        pids = serving_pids(port, 2)
        assert master.process.pid not in pids
        assert wait_for(lambda: master.pids() == pids, 10)
        assert "Application startup complete" in master.output  # lifespan ran in the worker
        master.signal(signal.SIGTERM)
        assert master.wait(30) == 0
    for pid in pids:
        assert f"Finished server process [{pid}]" in master.output


def test_killed_worker_is_replaced_by_the_gunicorn_master() -> None:
    with Gunicorn("tests.apps:worker_pid", "uvicorn.workers.UvicornWorker", "-w", "2") as master:
        port = master.wait_running()
        victim = min(serving_pids(port, 2))
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: len(master.pids()) >= 3, 20), master.output
        assert victim not in serving_pids(port, 2)
        master.signal(signal.SIGTERM)
        assert master.wait(30) == 0


def test_worker_replaced_on_sighup_answers_a_request_on_its_idle_keep_alive_connection() -> None:
    """gunicorn stops the old workers of a reload while the new ones serve the socket."""
    app, worker = "tests.apps:worker_pid", "uvicorn.workers.UvicornWorker"
    with Gunicorn(app, worker, "--keep-alive", "60") as master:
        port = master.wait_running()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            status, headers, body = read_response(conn)
            assert (status, headers.get(b"connection")) == (b"HTTP/1.1 200 OK", None)
            old_pid = int(body)
            master.signal(signal.SIGHUP)
            # The worker tells its connections to stop in the callback that logs this.
            assert wait_for(lambda: "Shutting down" in master.output, 20), master.output
            conn.sendall(b"GET / HTTP/1.1\r\nHost: example\r\n\r\n")
            status, headers, body = read_response(conn)
            assert (status, int(body)) == (b"HTTP/1.1 200 OK", old_pid)
            assert headers[b"connection"] == b"close"
            assert conn.recv(1024) == b""
        assert wait_for(lambda: f"Finished server process [{old_pid}]" in master.output, 20)
        master.signal(signal.SIGTERM)
        assert master.wait(30) == 0


@pytest.mark.skipif(
    get_registry().get("http", "h11") is None, reason="UvicornH11Worker needs uvicorn-http-h11"
)
def test_h11_worker_serves_under_gunicorn() -> None:
    from uvicorn.workers import UvicornH11Worker

    assert UvicornH11Worker.CONFIG_KWARGS == {"loop": "asyncio", "http": "h11"}
    with Gunicorn("tests.apps:hello", "uvicorn.workers.UvicornH11Worker") as master:
        port = master.wait_running()
        assert wait_for(lambda: "Application startup complete" in master.output, 15)
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text == "Hello, world!"
        master.signal(signal.SIGTERM)
        assert master.wait(30) == 0


def test_worker_whose_app_fails_to_start_stops_gunicorn_with_boot_error() -> None:
    with Gunicorn("tests.apps:lifespan_fails", "uvicorn.workers.UvicornWorker") as master:
        assert master.wait(30) == 3  # gunicorn's WORKER_BOOT_ERROR halts the master
    assert "Worker failed to boot" in master.output
