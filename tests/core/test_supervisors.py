"""``--workers N`` under the multiprocess supervisor, with real processes and signals.

Each test starts ``python -m uvicorn`` in a child process on port 0 and follows the
supervisor through its log: which workers started, died, were terminated or finished.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
from pathlib import Path

import httpx
import pytest

from tests.utils import ServerProcess, read_response, wait_for

pytestmark = [pytest.mark.timeout(60), pytest.mark.subprocess]

WORKER_START_TIMEOUT = 20.0  # seconds for a spawned worker to import and listen (2 busy cores)


class Supervisor(ServerProcess):
    """A ``--workers`` server; the worker process ids come from its log."""

    def pids(self, pattern: str) -> list[int]:
        return [int(pid) for pid in re.findall(pattern, self.output)]

    @property
    def started(self) -> list[int]:
        return self.pids(r"Started server process \[(\d+)\]")

    @property
    def gone(self) -> set[int]:
        died = self.pids(r"Child process \[(\d+)\] died")
        terminated = self.pids(r"Terminating child process \[(\d+)\]")
        return {*died, *terminated}

    @property
    def live(self) -> list[int]:
        gone = self.gone
        return [pid for pid in self.started if pid not in gone]

    def wait_started(self, count: int, timeout: float = WORKER_START_TIMEOUT) -> None:
        assert wait_for(lambda: len(self.ready_pids()) >= count, timeout), self.output

    def ready_pids(self) -> list[int]:
        # A worker is ready once its server logged "Application startup complete" after
        # "Started server process [pid]"; lines of different workers may interleave, so
        # count completions and take that many of the started pids, oldest first.
        completions = len(re.findall(r"Application startup complete", self.output))
        return self.started[:completions]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def start(*options: str) -> Supervisor:
    process = Supervisor(["tests.apps:worker_pid", "--port", "0", *options])
    process.wait_running()
    return process


def serving_pids(process: Supervisor, want: int, timeout: float = 10.0) -> set[int]:
    """Ask until ``want`` different workers answered (each request on a new connection)."""
    seen: set[int] = set()

    def enough() -> bool:
        seen.add(int(httpx.get(process.url(), timeout=5).text))
        return len(seen) >= want

    assert wait_for(enough, timeout, interval=0), (seen, process.output)
    return seen


def stop(process: Supervisor) -> int:
    process.signal(signal.SIGTERM)
    return process.wait(30)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_workers_share_one_socket_and_stop_gracefully(stop_signal: signal.Signals) -> None:
    with start("--workers", "2") as process:
        process.wait_started(2)
        pids = serving_pids(process, 2)
        assert process.process.pid not in pids  # the supervisor serves nothing itself
        assert "Started parent process" in process.output
        process.signal(stop_signal)
        assert process.wait(30) == 0
        for pid in pids:
            assert f"Finished server process [{pid}]" in process.output
        assert "Stopping parent process" in process.output


def test_worker_killed_with_sigkill_is_replaced() -> None:
    with start("--workers", "2") as process:
        process.wait_started(2)
        victim = process.live[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: f"Child process [{victim}] died" in process.output, 10)
        process.wait_started(3)
        pids = serving_pids(process, 2)
        assert victim not in pids
        assert len(pids) == 2
        assert stop(process) == 0


def test_sighup_replaces_every_worker_under_load_without_dropping_a_request() -> None:
    with start("--workers", "2") as process:
        process.wait_started(2)
        originals = set(process.live)
        answered: list[int] = []
        failures: list[BaseException] = []
        done = threading.Event()

        def load() -> None:
            while not done.is_set():
                try:
                    answered.append(int(httpx.get(process.url(), timeout=10).text))
                except httpx.HTTPError as exc:
                    failures.append(exc)

        threads = [threading.Thread(target=load) for _ in range(2)]
        for thread in threads:
            thread.start()
        try:
            assert wait_for(lambda: len(answered) >= 20, 10)
            process.signal(signal.SIGHUP)
            finished = [f"Finished server process [{pid}]" for pid in originals]
            assert wait_for(lambda: all(line in process.output for line in finished), 40)
            before = len(answered)
            assert wait_for(lambda: len(answered) >= before + 20, 10)
        finally:
            done.set()
            for thread in threads:
                thread.join(15)
        assert failures == []
        assert set(answered[-10:]).isdisjoint(originals)  # only replacements serve now
        assert len(set(process.live)) == 2
        assert stop(process) == 0


class KeepAliveClient(threading.Thread):
    """One persistent connection, requests back to back, as wrk sends them.

    It opens a new connection only after a response that says ``Connection: close``; a
    connection that closes or resets in any other way is a failed request.
    """

    REQUEST = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"

    def __init__(self, port: int, done: threading.Event) -> None:
        super().__init__(daemon=True)
        self.port = port
        self.done = done
        self.answered_by: list[int] = []  # the worker pid of every response
        self.told_to_close = 0
        self.failures: list[str] = []

    def run(self) -> None:
        conn: socket.socket | None = None
        while not self.done.is_set():
            try:
                if conn is None:
                    conn = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                conn.sendall(self.REQUEST)
                status, headers, body = read_response(conn)
            except OSError as exc:
                self.failures.append(f"{exc!r} after {len(self.answered_by)} responses")
                if conn is not None:
                    conn.close()
                conn = None
                continue
            if status != b"HTTP/1.1 200 OK":
                self.failures.append(f"{status!r} after {len(self.answered_by)} responses")
            self.answered_by.append(int(body))
            if headers.get(b"connection") == b"close":
                self.told_to_close += 1
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


@pytest.mark.timeout(150)
def test_sighup_rolls_under_keep_alive_load_without_dropping_a_request() -> None:
    with start("--workers", "2") as process:
        process.wait_started(2)
        done = threading.Event()
        clients = [KeepAliveClient(process.port, done) for _ in range(4)]

        def answered() -> int:
            return sum(len(client.answered_by) for client in clients)

        def told_to_close() -> int:
            return sum(client.told_to_close for client in clients)

        def failures() -> list[str]:
            return [failure for client in clients for failure in client.failures]

        def roll() -> None:
            """SIGHUP, then wait until every worker that served before it has finished."""
            originals = process.live
            answered_before, closed_before = answered(), told_to_close()
            process.signal(signal.SIGHUP)
            finished = [f"Finished server process [{pid}]" for pid in originals]
            assert wait_for(lambda: all(line in process.output for line in finished), 40), (
                process.output
            )
            assert failures() == []
            assert answered() > answered_before + 100  # served all along the roll
            assert told_to_close() > closed_before  # the retiring workers had clients
            served_before = answered()
            assert wait_for(lambda: answered() >= served_before + 100, 10)
            recent = {pid for client in clients for pid in client.answered_by[-5:]}
            assert recent.isdisjoint(originals)  # the clients moved to the replacements

        for client in clients:
            client.start()
        try:
            assert wait_for(lambda: answered() >= 100, 10)
            for _ in range(3):
                roll()
        finally:
            done.set()
            for client in clients:
                client.join(15)
        assert failures() == []
        assert stop(process) == 0


def test_sigttin_adds_a_worker_and_sigttou_removes_one() -> None:
    with start("--workers", "2") as process:
        process.wait_started(2)
        process.signal(signal.SIGTTIN)
        process.wait_started(3)
        assert len(serving_pids(process, 3)) == 3
        process.signal(signal.SIGTTOU)
        assert wait_for(lambda: len(process.live) == 2, 10), process.output
        assert stop(process) == 0


def test_worker_that_stops_answering_the_health_check_is_replaced() -> None:
    with start("--workers", "2", "--timeout-worker-healthcheck", "1") as process:
        process.wait_started(2)

        def hang_one_worker() -> None:
            try:
                httpx.get(process.url("/block"), timeout=30)
            except httpx.HTTPError:
                pass  # its worker is killed while the request is in progress

        hanging = threading.Thread(target=hang_one_worker)
        hanging.start()
        assert wait_for(lambda: "did not answer the health check" in process.output, 15)
        hanging.join(30)
        process.wait_started(3)
        assert len(serving_pids(process, 2)) == 2
        assert stop(process) == 0


def test_limit_max_requests_restarts_workers_one_by_one() -> None:
    options = ("--workers", "2", "--limit-max-requests", "3", "--limit-max-requests-jitter", "2")
    with start(*options) as process:
        process.wait_started(2)
        pids = [int(httpx.get(process.url(), timeout=10).text) for _ in range(16)]
        assert len(set(pids)) >= 3  # at most 2 * (3 + 2) requests before a new worker
        assert "Maximum request limit" in process.output
        assert wait_for(lambda: len(process.live) == 2, 10)
        assert stop(process) == 0


def test_worker_startup_failure_stops_the_supervisor_with_exit_code_3() -> None:
    process = Supervisor(["tests.apps:no_such_app", "--port", "0", "--workers", "2"])
    with process:
        assert process.wait(30) == 3
    assert "failed to start (exit code 3)" in process.output
    assert process.output.count("Started server process") <= 2  # never restarted


def test_supervisor_never_imports_the_application(tmp_path: Path) -> None:
    marker = tmp_path / "imported-by"
    (tmp_path / "pid_app.py").write_text(
        "import os\n"
        f"with open({str(marker)!r}, 'a') as file:\n"
        "    file.write(f'{os.getpid()}\\n')\n"
        "from tests.apps import worker_pid as app\n"
    )
    args = ["pid_app:app", "--app-dir", str(tmp_path), "--port", "0", "--workers", "2"]
    with Supervisor(args) as process:
        process.wait_running()
        process.wait_started(2)
        importers = {int(line) for line in marker.read_text().split()}
        assert process.process.pid not in importers
        assert importers == set(process.started)
        assert stop(process) == 0


def test_reload_with_workers_is_refused() -> None:
    process = Supervisor(["tests.apps:hello", "--port", "0", "--workers", "2", "--reload"])
    with process:
        assert process.wait(30) == 3
    assert "--reload and --workers cannot be used together" in process.output
    assert "Traceback" not in process.output


def test_web_concurrency_sets_the_number_of_workers() -> None:
    process = Supervisor(["tests.apps:worker_pid", "--port", "0"], env={"WEB_CONCURRENCY": "2"})
    with process:
        process.wait_running()
        process.wait_started(2)
        assert len(serving_pids(process, 2)) == 2
        assert stop(process) == 0


def test_slow_application_import_is_not_mistaken_for_a_hung_worker(tmp_path: Path) -> None:
    (tmp_path / "slow_app.py").write_text(
        "import time\ntime.sleep(2.5)\nfrom tests.apps import worker_pid as app\n"
    )
    args = ["slow_app:app", "--app-dir", str(tmp_path), "--port", "0", "--workers", "2"]
    with Supervisor([*args, "--timeout-worker-healthcheck", "1"]) as process:
        process.wait_running()
        process.wait_started(2)
        assert len(serving_pids(process, 2)) == 2
        assert "did not answer the health check" not in process.output
        assert len(process.started) == 2  # nobody was replaced
        assert stop(process) == 0
