"""The kit's server and socket helpers (``uvicorn.testing.utils``), with this repository's
root as the working directory of the commands and servers that tests start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from uvicorn.testing import utils as kit
from uvicorn.testing.utils import (
    START_TIMEOUT,
    RunningServer,
    ThreadedServer,
    cyclic_collector_off,
    ipv6_loopback_available,
    live_instances,
    raw_request,
    read_response,
    read_until_closed,
    run_server,
    serve_threaded,
    wait_for,
)

__all__ = [
    "ROOT",
    "START_TIMEOUT",
    "RunningServer",
    "ServerProcess",
    "ThreadedServer",
    "cyclic_collector_off",
    "ipv6_loopback_available",
    "live_instances",
    "needs_ipv6",
    "raw_request",
    "read_response",
    "read_until_closed",
    "run_command",
    "run_server",
    "serve_threaded",
    "wait_for",
]

ROOT = Path(__file__).resolve().parent.parent


def run_command(
    command: list[str],
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion in the checkout and capture its text output."""
    return kit.run_command(command, cwd=cwd, env=env, timeout=timeout)


class ServerProcess(kit.ServerProcess):
    """``python -m uvicorn ...`` in a child process started in the checkout, so that
    ``tests.apps:<name>`` imports."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str] | None = None,
        pass_fds: tuple[int, ...] = (),
        command: tuple[str, ...] = ("-m", "uvicorn"),
        executable: str = sys.executable,
        cwd: Path = ROOT,
    ) -> None:
        super().__init__(args, env, pass_fds, command, executable, cwd)


needs_ipv6 = pytest.mark.skipif(
    not ipv6_loopback_available(), reason="this machine has no IPv6 loopback (::1)"
)
