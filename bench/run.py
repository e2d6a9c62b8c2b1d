#!/usr/bin/env python3
"""HTTP benchmark: this workspace against upstream uvicorn 0.54 and granian, in one run.

    python3 bench/run.py                  # everything (about 15 minutes on 2 cores)
    python3 bench/run.py --quick          # 1 round of 3 s per workload, for a smoke test
    python3 bench/run.py --only ours,upstream --workloads hello
    python3 bench/run.py --only upstream,ours,granian-rust,floor --workloads hello,close
    python3 bench/run.py --only ours,upstream --baseline HEAD~3   # a change against its parent

Every server runs the same ASGI app (bench/apps.py) pinned to one CPU while wrk runs
pinned to the other; servers and workloads are interleaved over several rounds and the
table reports medians and each result as a ratio against upstream uvicorn measured in the
same run. Virtualenvs for the reference servers are created under bench/.venvs/ (wrk is
installed with apt-get when missing).

Each round also records the CPU time the server's processes used per request (per MiB for
the streamed workload) and their load (CPU time over wall time). A load near 100% means
the server bounded the round, and both ratios then tell the same speed-up; a lower load
means the round was bound elsewhere (wrk, the kernel, hand-offs between the two), and the
CPU ratio still says what the server's work cost.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENVS = BENCH / ".venvs"
RESULTS = BENCH / "results"
SERVER_CPU = "1"
CLIENT_CPU = "0"

WORKSPACE_PACKAGES = [
    "packages/uvicorn-core",
    "packages/uvicorn-http-h11",
    "packages/uvicorn-http-httptools",
    "packages/uvicorn-loop-uvloop",
]
# The file workloads serve Starlette's FileResponse: every server gets the same Starlette.
STARLETTE = "starlette==1.10.0"
REFERENCE_PACKAGES = {
    "upstream": ["uvicorn[standard]==0.54.0", STARLETTE],
    "granian": ["granian==2.8.7", "uvloop==0.23.0", STARLETTE],
}


@dataclasses.dataclass(frozen=True)
class ServerSpec:
    name: str
    venv: str
    args: tuple[str, ...]
    access_log_flags: bool = True  # takes uvicorn's or granian's access-log options

    def command(self, port: int, access_log: bool) -> list[str]:
        binary = str(VENVS / self.venv / "bin" / self.args[0])
        args = [arg.replace("{port}", str(port)) for arg in self.args[1:]]
        if self.access_log_flags and self.venv != "granian" and not access_log:
            args.append("--no-access-log")
        if self.access_log_flags and self.venv == "granian" and access_log:
            args.append("--access-log")
        return ["taskset", "-c", SERVER_CPU, binary, *args]


UVICORN_ARGS = ("uvicorn", "apps:app", "--port", "{port}", "--log-level", "warning")
GRANIAN_ARGS = (
    "granian",
    "--interface",
    "asgi",
    "--workers",
    "1",
    "--loop",
    "uvloop",
    "--port",
    "{port}",
    "--log-level",
    "warning",
    "apps:app",
)
SERVERS = {
    "upstream": ServerSpec(
        "upstream", "upstream", (*UVICORN_ARGS, "--http", "httptools", "--loop", "uvloop")
    ),
    "ours": ServerSpec("ours", "ours", (*UVICORN_ARGS, "--http", "httptools", "--loop", "uvloop")),
    "granian": ServerSpec("granian", "granian", GRANIAN_ARGS),
    "granian-rust": ServerSpec(
        "granian-rust", "granian", (*GRANIAN_ARGS[:-1], "--task-impl", "rust", "apps:app")
    ),
    "upstream-h11": ServerSpec(
        "upstream-h11", "upstream", (*UVICORN_ARGS, "--http", "h11", "--loop", "asyncio")
    ),
    "ours-h11": ServerSpec(
        "ours-h11", "ours", (*UVICORN_ARGS, "--http", "h11", "--loop", "asyncio")
    ),
}
# Not a server: bench/floor.py, the least a Python protocol on uvloop and httptools does
# per request (no validation, flow control or timeouts). Opt in with --only ...,floor to
# see, in the same run, how close to that limit each server gets.
SERVERS["floor"] = ServerSpec(
    "floor", "ours", ("python", str(BENCH / "floor.py"), "{port}"), access_log_flags=False
)
FLOOR_WORKLOADS = ("hello", "close")
# Not a default either: this workspace at another git revision (--baseline REV), to
# compare a change with the tree before it in the same run.
# Opt-in: ours on asyncio's loop, where pathsend is zero-copy (uvloop has no sendfile).
SERVERS["ours-asyncio"] = ServerSpec(
    "ours-asyncio", "ours", (*UVICORN_ARGS, "--http", "httptools", "--loop", "asyncio")
)
SERVERS["baseline"] = ServerSpec(
    "baseline", "baseline", (*UVICORN_ARGS, "--http", "httptools", "--loop", "uvloop")
)
DEFAULT_SERVERS = [name for name in SERVERS if name not in ("floor", "baseline", "ours-asyncio")]
REFERENCE_OF = {"ours-h11": "upstream-h11", "upstream-h11": "upstream-h11"}


@dataclasses.dataclass(frozen=True)
class Workload:
    name: str
    description: str
    wrk_args: tuple[str, ...]
    metric: str  # "rps" or "bytes"
    access_log: bool = False


WORKLOADS = {
    "hello": Workload("hello", "(a) hello, keep-alive, 64 conns", ("-c", "64", "/"), "rps"),
    "close": Workload(
        "close",
        "(b) new connection per request",
        ("-c", "64", "-H", "Connection: close", "/"),
        "rps",
    ),
    "post": Workload(
        "post",
        "(c) POST 64 KiB echoed",
        ("-c", "64", "-s", str(BENCH / "post.lua"), "/echo"),
        "rps",
    ),
    "stream": Workload("stream", "(d) 10 MiB streamed response", ("-c", "8", "/stream"), "bytes"),
    "hello-log": Workload(
        "hello-log", "(a) with the access log on", ("-c", "64", "/"), "rps", access_log=True
    ),
    "file": Workload(
        "file", "(e) 10 MiB FileResponse, pathsend if offered", ("-c", "8", "/file"), "bytes"
    ),
    "file-plain": Workload(
        "file-plain",
        "(e) 10 MiB FileResponse, pathsend hidden",
        ("-c", "8", "/file-no-pathsend"),
        "bytes",
    ),
}
FILE_WORKLOADS = ("file", "file-plain")
H11_WORKLOADS = ("hello",)


@dataclasses.dataclass
class Sample:
    value: float  # requests/s or bytes/s
    p99_ms: float
    peak_rss_kib: int
    errors: int
    cpu_us: float  # server CPU time (user + system, all its processes) per request or MiB
    load: float  # server CPU time over wall time: 1.0 is one CPU busy


# -- environment ---------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        print("installing wrk with apt-get ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def ensure_venv(name: str, requirements: list[str]) -> None:
    path = VENVS / name
    marker = path / ".installed"
    wanted = json.dumps(requirements)
    if marker.exists() and marker.read_text() == wanted:
        return
    print(f"creating {path} with {' '.join(requirements)} ...", flush=True)
    venv.create(path, with_pip=True, clear=True)
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, *requirements], check=True, cwd=ROOT)
    marker.write_text(wanted)


def ensure_baseline(revision: str) -> None:
    """bench/.venvs/baseline: the workspace packages as they were at ``revision``."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    path = VENVS / "baseline"
    marker = path / ".installed"
    if marker.exists() and marker.read_text() == sha:
        return
    source = VENVS / "baseline-src"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", sha, *WORKSPACE_PACKAGES], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    print(f"creating {path} from {revision} ({sha[:10]}) ...", flush=True)
    venv.create(path, with_pip=True, clear=True)
    pip = [str(path / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    sources = [str(source / package) for package in WORKSPACE_PACKAGES]
    subprocess.run([*pip, *sources, STARLETTE], check=True)
    marker.write_text(sha)


def ensure_environments(selected: list[str]) -> None:
    ensure_wrk()
    venvs = {SERVERS[name].venv for name in selected}
    if "ours" in venvs:
        packages = [str(ROOT / package) for package in WORKSPACE_PACKAGES]
        ensure_venv("ours", [*packages, STARLETTE])
        # Always measure the working tree as it is now.
        python = str(VENVS / "ours" / "bin" / "python")
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--force-reinstall",
                *packages,
            ],
            check=True,
        )
    for name, requirements in REFERENCE_PACKAGES.items():
        if name in venvs:
            ensure_venv(name, requirements)


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))


# -- running servers -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start listening")


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            pids += process_tree(int(child))
    return pids


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process and its descendants have used so far."""
    ticks = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int, field: str) -> int:
    total = 0
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except FileNotFoundError:
            continue
        match = re.search(rf"^{field}:\s+(\d+) kB", status, re.MULTILINE)
        if match:
            total += int(match.group(1))
    return total


class RunningServer:
    def __init__(self, spec: ServerSpec, access_log: bool, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        command = [*spec.command(self.port, access_log), *extra]
        self.process = subprocess.Popen(
            command, cwd=BENCH, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_listening(self.port, self.process)

    def peak_rss(self) -> int:
        return rss_kib(self.process.pid, "VmHWM")

    def current_rss(self) -> int:
        return rss_kib(self.process.pid, "VmRSS")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- wrk -----------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def run_wrk(port: int, workload: Workload, seconds: int) -> tuple[float, float, int]:
    *options, path = workload.wrk_args
    command = [
        "taskset",
        "-c",
        CLIENT_CPU,
        "wrk",
        "-t",
        "1",
        "-d",
        f"{seconds}s",
        "--latency",
        *options,
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    value = rps
    if workload.metric == "bytes" and transfer:
        value = float(transfer.group(1)) * _BYTES[transfer.group(2)]
    p99_ms = float(p99.group(1)) * _UNITS[p99.group(2)] if p99 else float("nan")
    return value, p99_ms, errors


def measure(spec: ServerSpec, workload: Workload, seconds: int) -> Sample:
    server = RunningServer(spec, workload.access_log)
    try:
        run_wrk(server.port, workload, 1)  # warm up
        cpu_start, start = cpu_seconds(server.process.pid), time.perf_counter()
        value, p99, errors = run_wrk(server.port, workload, seconds)
        cpu = cpu_seconds(server.process.pid) - cpu_start
        elapsed = time.perf_counter() - start
        units = value * seconds / (1024**2 if workload.metric == "bytes" else 1)
        cpu_us = cpu / units * 1e6 if units else float("nan")
        return Sample(value, p99, server.peak_rss(), errors, cpu_us, cpu / elapsed)
    finally:
        server.stop()


# -- idle connections and start-up time ------------------------------------------------------


async def _open_idle(port: int, count: int) -> list[asyncio.StreamWriter]:
    writers: list[asyncio.StreamWriter] = []
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    for start in range(0, count, 500):
        batch = await asyncio.gather(
            *(
                asyncio.open_connection("127.0.0.1", port)
                for _ in range(start, min(count, start + 500))
            )
        )
        for _, writer in batch:
            writer.write(request)
        for reader, writer in batch:
            await reader.readuntil(b"Hello, world!")
            writers.append(writer)
    return writers


def idle_connections_rss(spec: ServerSpec, count: int) -> int:
    extra = ("--timeout-keep-alive", "300") if spec.venv != "granian" else ()
    server = RunningServer(spec, access_log=False, extra=extra)

    async def scenario() -> int:
        writers = await _open_idle(server.port, count)
        await asyncio.sleep(1.0)
        rss = server.peak_rss()
        for writer in writers:
            writer.close()
        return rss

    try:
        return asyncio.run(scenario())
    finally:
        server.stop()


def startup_times(venv_names: list[str], runs: int) -> dict[str, dict[str, float]]:
    """Median wall time of ``import uvicorn`` and ``uvicorn --help``, venvs interleaved."""
    durations: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for venv_name in venv_names:
            python = str(VENVS / venv_name / "bin" / "python")
            uvicorn = str(VENVS / venv_name / "bin" / "uvicorn")
            for label, command in (
                ("import uvicorn", [python, "-c", "import uvicorn"]),
                ("uvicorn --help", [uvicorn, "--help"]),
            ):
                start = time.perf_counter()
                subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
                durations.setdefault((venv_name, label), []).append(time.perf_counter() - start)
    results: dict[str, dict[str, float]] = {}
    for (venv_name, label), values in durations.items():
        results.setdefault(venv_name, {})[label] = statistics.median(values) * 1000
    return results


# -- the run -------------------------------------------------------------------------------


def plan(selected: list[str], workloads: list[str]) -> Iterator[tuple[str, str]]:
    for workload in workloads:
        for server in selected:
            h11 = server.endswith("-h11")
            if h11 and workload not in H11_WORKLOADS:
                continue
            if server == "floor" and workload not in FLOOR_WORKLOADS:
                continue
            if workload == "hello-log" and server.startswith("granian"):
                continue
            if server == "ours-asyncio" and workload not in FILE_WORKLOADS:
                continue
            yield server, workload


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument(
        "--only", default=",".join(DEFAULT_SERVERS), help="servers; 'floor' is opt-in"
    )
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument(
        "--idle", type=int, default=10000, help="idle keep-alive connections (0: skip)"
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also measure the workspace at this git revision, as the server 'baseline'",
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.idle = 1, 3, 1000
    selected = args.only.split(",")
    workloads = args.workloads.split(",")
    if os.cpu_count() and os.cpu_count() < 2:  # type: ignore[operator]
        sys.exit("the benchmark needs two CPUs: one for the server, one for wrk")

    if args.baseline:
        ensure_baseline(args.baseline)
        if "baseline" not in selected:
            selected.append("baseline")
    elif "baseline" in selected:
        sys.exit("--only baseline needs --baseline REV")
    ensure_environments(selected)
    raise_fd_limit()
    samples: dict[tuple[str, str], list[Sample]] = {}
    steps = list(plan(selected, workloads))
    for round_index in range(args.rounds):
        for server, workload in steps:
            sample = measure(SERVERS[server], WORKLOADS[workload], args.seconds)
            samples.setdefault((server, workload), []).append(sample)
            print(
                f"round {round_index + 1}/{args.rounds} {server:13} {workload:9} "
                f"{sample.value:12.0f}  p99 {sample.p99_ms:7.2f} ms  errors {sample.errors}"
                f"  server {sample.cpu_us:8.1f} us CPU per unit at {sample.load:4.0%}",
                flush=True,
            )

    idle: dict[str, int] = {}
    if args.idle:
        for server in ("upstream", "ours"):
            if server in selected:
                idle[server] = idle_connections_rss(SERVERS[server], args.idle)
    startup_venvs = [
        venv_name
        for venv_name in ("upstream", "ours")
        if any(SERVERS[name].venv == venv_name for name in selected)
    ]
    startup = startup_times(startup_venvs, 21)

    report = render(samples, steps, idle, startup, args)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(report)


def render(
    samples: dict[tuple[str, str], list[Sample]],
    steps: list[tuple[str, str]],
    idle: dict[str, int],
    startup: dict[str, dict[str, float]],
    args: argparse.Namespace,
) -> str:
    lines = [
        f"date {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {args.rounds} rounds x {args.seconds} s, "
        f"server on CPU {SERVER_CPU}, wrk on CPU {CLIENT_CPU}",
        "",
        "ratios are medians of per-round ratios against the reference measured in that round",
        "",
        "| workload | server | median | unit | vs upstream | per round | p99 ms | peak RSS MiB "
        "| errors | server CPU us/req (/MiB for MiB/s) | CPU vs upstream | server load |",
        "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for server, workload in steps:
        runs = samples[(server, workload)]
        value = statistics.median(s.value for s in runs)
        reference_name = REFERENCE_OF.get(server, "upstream")
        reference = samples.get((reference_name, workload))
        # The median of per-round ratios: each round measures both servers back to back,
        # which cancels most of the drift a shared machine shows between rounds.
        ratio = cpu_ratio = float("nan")
        spread = ""
        if reference:
            pairs = list(zip(runs, reference, strict=True))
            ratios = [s.value / r.value for s, r in pairs]
            ratio = statistics.median(ratios)
            # The lowest and highest round: how far the machine let one round stray.
            spread = f"{min(ratios):.2f}-{max(ratios):.2f}x"
            cpu_ratio = statistics.median(r.cpu_us / s.cpu_us for s, r in pairs)
        unit = "MiB/s" if WORKLOADS[workload].metric == "bytes" else "req/s"
        shown = value / 1024**2 if unit == "MiB/s" else value
        lines.append(
            f"| {WORKLOADS[workload].description} | {server} | {shown:,.0f} | {unit} | "
            f"{ratio:.2f}x | {spread} | {statistics.median(s.p99_ms for s in runs):.2f} | "
            f"{max(s.peak_rss_kib for s in runs) / 1024:.1f} | {sum(s.errors for s in runs)} | "
            f"{statistics.median(s.cpu_us for s in runs):.1f} | {cpu_ratio:.2f}x | "
            f"{statistics.median(s.load for s in runs):.0%} |"
        )
    if idle:
        lines += [
            "",
            "| idle keep-alive connections | server | peak RSS MiB |",
            "| --- | --- | ---: |",
        ]
        for server, kib in idle.items():
            lines.append(f"| {args.idle} | {server} | {kib / 1024:.1f} |")
    if startup:
        lines += ["", "| start-up (median of 21, interleaved) | server | ms |"]
        lines += ["| --- | --- | ---: |"]
        for venv_name, timings in startup.items():
            for label, ms in timings.items():
                lines.append(f"| {label} | {venv_name} | {ms:.0f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
