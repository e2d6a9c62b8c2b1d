#!/usr/bin/env python3
"""HTTP/2 benchmark with h2load: ours (``--http2``) against upstream uvicorn 0.54
(``--http zttp --http2``) and Hypercorn (h2), in one run.

    python3 bench/h2load.py --server ours=PYTHON --server upstream=PYTHON \\
        --server hypercorn=PYTHON [--rounds 3] [--duration 5]

Each ``PYTHON`` is the interpreter of a virtualenv with that server installed (ours: this
workspace with uvicorn-http-h2 and uvloop; upstream: ``uvicorn==0.54.0 zttp uvloop``;
hypercorn: ``hypercorn uvloop``). Every server runs bench/apps.py on uvloop, pinned to one
CPU while h2load runs pinned to the other (when there are two). Workloads:

* ``h2c``: many small requests multiplexed, cleartext prior knowledge (``-c 16 -m 10``);
* ``tls``: the same over TLS, ALPN ``h2`` (a throwaway self-signed certificate);
* ``stream``: one 10 MiB streamed response at a time (``/stream``), in MiB/s.

Servers and workloads are interleaved over the rounds; the table shows medians and each
result as a ratio against upstream measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TWO_CPUS = (os.cpu_count() or 1) >= 2
APP = "bench.apps:app"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_command(name: str, python: str, port: int, certs: Path | None) -> list[str]:
    if name == "hypercorn":
        command = [python, "-m", "hypercorn", APP, "--bind", f"127.0.0.1:{port}"]
        command += ["--worker-class", "uvloop", "--log-level", "warning"]
        if certs is not None:
            command += ["--certfile", str(certs / "cert.pem"), "--keyfile", str(certs / "key.pem")]
        return command
    command = [python, "-m", "uvicorn", APP, "--port", str(port), "--http2", "--loop", "uvloop"]
    command += ["--no-access-log", "--log-level", "warning", "--lifespan", "off"]
    if name == "upstream":
        command += ["--http", "zttp"]
    if certs is not None:
        command += ["--ssl-certfile", str(certs / "cert.pem")]
        command += ["--ssl-keyfile", str(certs / "key.pem")]
    return command


def pinned(command: list[str], cpu: str) -> list[str]:
    return ["taskset", "-c", cpu, *command] if TWO_CPUS and shutil.which("taskset") else command


@contextlib.contextmanager
def running(name: str, python: str, certs: Path | None) -> Iterator[int]:
    port = free_port()
    command = pinned(server_command(name, python, port, certs), "1")
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start: {command}") from None
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def h2load(url: str, options: list[str]) -> tuple[float, float, int]:
    """(requests per second, MiB per second, failed requests) of one h2load run."""
    command = pinned(["h2load", *options, url], "0")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finished = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s, ([\d.]+)(\w+)/s", output)
    succeeded = re.search(r"(\d+) succeeded, (\d+) failed", output)
    if finished is None or succeeded is None:
        raise RuntimeError(f"h2load failed: {output}")
    scale = {"B": 1 / 2**20, "KB": 1 / 2**10, "MB": 1.0, "GB": 2**10}[finished.group(3)]
    return float(finished.group(1)), float(finished.group(2)) * scale, int(succeeded.group(2))


def measure(workload: str, port: int, duration: int) -> tuple[float, int]:
    """The workload's figure (req/s, or MiB/s for stream) and how many requests failed."""
    timing = ["-D", str(duration), "--warm-up-time", "1"]
    if workload == "h2c":
        rate, _, failed = h2load(f"http://127.0.0.1:{port}/", ["-c", "16", "-m", "10", *timing])
        return rate, failed
    if workload == "tls":
        rate, _, failed = h2load(f"https://127.0.0.1:{port}/", ["-c", "16", "-m", "10", *timing])
        return rate, failed
    _, volume, failed = h2load(f"http://127.0.0.1:{port}/stream", ["-c", "1", "-m", "1", *timing])
    return volume, failed


def make_certificate(directory: Path) -> Path:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", action="append", required=True, metavar="NAME=PYTHON")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--workloads", default="h2c,tls,stream")
    args = parser.parse_args()
    servers = dict(item.split("=", 1) for item in args.server)
    workloads = args.workloads.split(",")
    results: dict[tuple[str, str], list[float]] = {}
    failures: dict[tuple[str, str], int] = {}
    with tempfile.TemporaryDirectory() as directory:
        certs = make_certificate(Path(directory))
        for _ in range(args.rounds):
            for workload in workloads:
                for name, python in servers.items():
                    with running(name, python, certs if workload == "tls" else None) as port:
                        value, failed = measure(workload, port, args.duration)
                    results.setdefault((workload, name), []).append(value)
                    failures[(workload, name)] = failures.get((workload, name), 0) + failed
                    print(f"{workload} {name}: {value:,.1f} ({failed} failed)", file=sys.stderr)
    units = {"h2c": "req/s", "tls": "req/s", "stream": "MiB/s"}
    print("| workload | server | median | vs upstream | failed requests |")
    print("| --- | --- | ---: | ---: | ---: |")
    for workload in workloads:
        reference = statistics.median(results.get((workload, "upstream"), [0.0])) or None
        for name in servers:
            value = statistics.median(results[(workload, name)])
            ratio = f"{value / reference:.2f}x" if reference else "-"
            failed = failures[(workload, name)]
            print(f"| {workload} | {name} | {value:,.1f} {units[workload]} | {ratio} | {failed} |")


if __name__ == "__main__":
    main()
