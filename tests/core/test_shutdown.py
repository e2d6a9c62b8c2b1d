"""Signals and shutdown of a real server process: nothing in flight is lost."""

from __future__ import annotations

import errno
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.utils import ROOT, ServerProcess, wait_for

pytestmark = pytest.mark.timeout(60)


def request_in_background(
    url: str,
) -> tuple[threading.Thread, list[httpx.Response | httpx.HTTPError]]:
    """GET ``url`` in a thread; the list receives the response or the client error."""
    results: list[httpx.Response | httpx.HTTPError] = []

    def get() -> None:
        try:
            results.append(httpx.get(url, timeout=30))
        except httpx.HTTPError as exc:
            results.append(exc)

    thread = threading.Thread(target=get)
    thread.start()
    return thread, results


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_lets_in_flight_request_finish_then_exits_0(
    http_impl: str, sig: signal.Signals
) -> None:
    args = ["tests.apps:announced_slow", "--port", "0", "--http", http_impl]
    with ServerProcess(args) as server:
        port = server.wait_running()
        thread, responses = request_in_background(f"http://127.0.0.1:{port}/?seconds=1")
        assert wait_for(lambda: "request started" in server.output, timeout=10)
        server.signal(sig)
        thread.join(30)
        assert server.wait() == 0
    response = responses[0]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 200
    assert response.text == "done"
    output = server.output
    assert "Shutting down" in output
    assert "Waiting for connections to close." in output
    assert "Application shutdown complete." in output
    assert "Finished server process" in output
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_second_sigint_forces_exit() -> None:
    with ServerProcess(["tests.apps:announced_slow", "--port", "0"]) as server:
        port = server.wait_running()
        thread, results = request_in_background(f"http://127.0.0.1:{port}/?seconds=30")
        assert wait_for(lambda: "request started" in server.output, timeout=10)
        server.signal(signal.SIGINT)
        assert wait_for(lambda: "Waiting for connections to close" in server.output, timeout=10)
        server.signal(signal.SIGINT)
        assert server.wait(timeout=10) == 0
        thread.join(30)
    assert isinstance(results[0], httpx.HTTPError)  # the forced exit cut the request


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_startup_still_shuts_down_then_exits_0(sig: signal.Signals) -> None:
    with ServerProcess(["tests.apps:slow_startup", "--port", "0"]) as server:
        assert wait_for(lambda: "startup started" in server.output, timeout=15), server.output
        server.signal(sig)
        assert server.wait() == 0, server.output
    output = server.output
    for line in (
        "Application startup complete.",
        "Shutting down",
        "shutdown received",
        "Application shutdown complete.",
        "Finished server process",
    ):
        assert line in output, output
    assert "Traceback" not in output
    assert "CancelledError" not in output


def test_graceful_shutdown_timeout_cancels_the_request_and_exits_0() -> None:
    args = ["tests.apps:announced_slow", "--port", "0", "--timeout-graceful-shutdown", "1"]
    with ServerProcess(args) as server:
        port = server.wait_running()
        thread, _ = request_in_background(f"http://127.0.0.1:{port}/?seconds=30")
        assert wait_for(lambda: "request started" in server.output, timeout=10)
        server.signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
        thread.join(30)
    assert "timeout graceful shutdown exceeded" in server.output


def test_limit_max_requests_stops_the_server() -> None:
    with ServerProcess(["tests.apps:hello", "--port", "0", "--limit-max-requests", "3"]) as server:
        port = server.wait_running()
        with httpx.Client() as client:
            for _ in range(3):
                assert client.get(f"http://127.0.0.1:{port}/").status_code == 200
        assert server.wait(timeout=15) == 0
    assert "Maximum request limit of 3 exceeded. Terminating process." in server.output


def run_uvicorn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uvicorn", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_lifespan_startup_failure_exits_3() -> None:
    result = run_uvicorn("tests.apps:lifespan_fails", "--port", "0", "--lifespan", "on")
    assert result.returncode == 3
    assert "database unreachable" in result.stderr
    assert "Application startup failed. Exiting." in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("extra", [[], ["--workers", "2"]], ids=["single", "workers"])
def test_port_in_use_exits_3_with_one_message_naming_the_address(extra: list[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_uvicorn("tests.apps:hello", "--port", str(port), *extra)
    assert result.returncode == 3
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert errors == [  # upstream's text (asyncio's), naming the address
        f"ERROR:    [Errno {errno.EADDRINUSE}] error while attempting to bind on address "
        f"('127.0.0.1', {port}): address already in use"
    ]
    assert "Traceback" not in result.stderr


EMBEDDED_SERVER = """
import signal, sys
from pathlib import Path

import uvicorn

marker = Path(sys.argv[1])


def own_handler(sig, frame):
    marker.write_text(f"handled {signal.Signals(sig).name}")
    print("own handler called", file=sys.stderr, flush=True)


signal.signal(signal.SIGTERM, own_handler)
signal.signal(signal.SIGINT, own_handler)
uvicorn.Server(uvicorn.Config("tests.apps:hello", port=0)).run()
print("run returned", file=sys.stderr, flush=True)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_embedding_program_handler_is_called_after_graceful_shutdown(
    sig: signal.Signals, tmp_path: Path
) -> None:
    # Upstream re-raises the signal it captured once its handlers are restored, so that a
    # program embedding Server still gets the signal it was sent.
    marker = tmp_path / "marker"
    command = ("-c", EMBEDDED_SERVER)
    with ServerProcess([str(marker)], command=command) as server:
        port = server.wait_running()
        assert httpx.get(f"http://127.0.0.1:{port}/").text == "Hello, world!"
        server.signal(sig)
        assert server.wait() == 0, server.output
    assert marker.read_text() == f"handled {sig.name}"
    output = server.output
    finished = output.index("Finished server process")
    assert finished < output.index("own handler called") < output.index("run returned")
    assert output.count("own handler called") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchmodule:app"], 'Could not import module "nosuchmodule"'),
        (["tests.apps:nosuchapp"], 'Attribute "nosuchapp" not found in module "tests.apps"'),
        (["tests.apps"], "must be in format"),
        (["tests.apps:hello", "--http", "nosuch"], "Unknown HTTP implementation 'nosuch'"),
        (["tests.apps:hello", "--loop", "nosuch"], "Unknown event loop 'nosuch'"),
        (["tests.apps:hello", "--workers", "2", "--reload"], "cannot be used together"),
        (["tests.apps:hello", "--ssl-certfile", "no-such-cert.pem"], "Cannot set up TLS"),
    ],
)
def test_startup_errors_exit_3_with_one_clear_message(args: list[str], message: str) -> None:
    result = run_uvicorn(*args, "--port", "0")
    assert result.returncode == 3, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
