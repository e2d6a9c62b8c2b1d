#!/usr/bin/env python3
"""Pure-Python cost of one keep-alive request, without sockets, against upstream uvicorn.

    python3 bench/micro.py                       # ours vs upstream, httptools and h11
    python3 bench/micro.py --callgrind           # the same in instructions (valgrind)
    python3 bench/micro.py --bytecodes           # Python bytecodes executed per request
    python3 bench/micro.py --workload post       # (c) of bench/run.py: 64 KiB posted, echoed
    python3 bench/micro.py --workload close      # (b): a new connection for each request
    bench/.venvs/ours/bin/python bench/micro.py --worker httptools [--profile]

Each measurement keeps 64 protocol instances over fake transports (``--connections``) and
feeds one GET request to each per loop pass, as a busy server reads them, then runs the
loop until every response is written: the app's task (each server runs one per request) is
included. It reports the cost of one request, on the loop ``bench/run.py`` uses with that
plugin (uvloop for httptools, asyncio for h11). With a single connection the harness's
own loop passes dominate and the ratio comes out too flattering. The comparison runs the
worker in both benchmark virtualenvs (``bench/run.py`` creates them), interleaved over
several rounds, and prints medians and the ratio upstream/ours. Wall time is noisy on
a busy machine; ``--callgrind`` counts instructions instead, which does not depend on
what else the machine is doing. ``--bytecodes`` counts the Python bytecodes the server
code executes per request (the app included, the harness not), also deterministic.
Neither count alone predicts the wire: bytecodes miss the interpreter's slow paths (an
attribute read that falls through to a class-level default, or a method looked up on an
instance with a large dict of its own, costs several times a specialised one), while
instructions rate C work, which runs at a better IPC, as dear as bytecode dispatch. A
change worth keeping lowers one without raising the other much; see bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

BENCH = Path(__file__).resolve().parent
VENVS = BENCH / ".venvs"
REQUESTS = {
    "hello": b"GET / HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n",
    # bench/run.py's (c): 64 KiB posted to /echo, arriving in one read as it does there
    # bench/run.py's (b): a new connection for each request
    "close": b"GET / HTTP/1.1\r\nHost: localhost:8000\r\nUser-Agent: bench\r\nAccept: */*\r\n"
    b"Connection: close\r\n\r\n",
    "post": b"POST /echo HTTP/1.1\r\nHost: localhost:8000\r\nContent-Length: 65536\r\n"
    b"Content-Type: application/octet-stream\r\n\r\n" + b"x" * 65536,
}
WORKLOAD = "hello"  # --workload, passed on to the workers
UPSTREAM_TARGETS = {
    "httptools": "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol",
    "h11": "uvicorn.protocols.http.h11_impl:H11Protocol",
}


# The loop's own read buffer: a read lands there before a plain Protocol gets bytes.
READ_VIEW = memoryview(bytearray(262144))


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.responses = 0
        self.closing = False
        self.lost = False
        self.protocol: Any = None

    def receive(self, data: bytes) -> None:
        """One read, delivered as a loop does: the kernel's copy into a buffer (the
        protocol's own for a BufferedProtocol), then a bytes copy for a plain one."""
        size = len(data)
        protocol = self.protocol
        if isinstance(protocol, asyncio.BufferedProtocol):
            protocol.get_buffer(-1)[:size] = data
            protocol.buffer_updated(size)
        else:
            READ_VIEW[:size] = data
            protocol.data_received(bytes(READ_VIEW[:size]))

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.protocol  # type: ignore[no-any-return]

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: bytes | bytearray | memoryview) -> None:
        # A response starts each piece that carries a head (both servers write heads
        # as pieces of their own or at the start of one); bodies are not scanned.
        if data[:9] == b"HTTP/1.1 ":
            self.responses += 1

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            asyncio.get_running_loop().call_soon(self._lose)  # as a loop reports it

    def _lose(self) -> None:
        self.lost = True
        self.protocol.connection_lost(None)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def protocol_factory(http: str) -> Callable[[], Any]:
    sys.path.insert(0, str(BENCH))
    from apps import app

    from uvicorn import config as config_module
    from uvicorn.importer import import_from_string
    from uvicorn.server import ServerState

    config = config_module.Config(
        app, http=http, access_log=False, log_config=None, proxy_headers=False, lifespan="off"
    )
    config.load()
    state = ServerState()
    state.default_headers = [(b"server", b"uvicorn"), (b"date", b"Mon, 01 Jan 2024 00:00:00 GMT")]
    resolve = getattr(config_module, "resolve_implementation", None)
    if resolve is not None:  # ours: the server seeds these from the same headers
        state.default_header_names = frozenset({b"server", b"date"})
        state.default_headers_block = b"server: uvicorn\r\ndate: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
        protocol_class = resolve("http", http)
    else:
        protocol_class = import_from_string(UPSTREAM_TARGETS[http])
    return lambda: protocol_class(config=config, server_state=state, app_state={})


class BytecodeCounter:
    """Counts the bytecodes executed by frames created while it is installed."""

    def __init__(self) -> None:
        self.counts: collections.Counter[tuple[str, int, str]] = collections.Counter()
        self.harness = str(Path(__file__).resolve())

    def trace(self, frame: FrameType, event: str, arg: object) -> Any:
        code = frame.f_code
        if code.co_filename == self.harness:
            return None
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        key = (code.co_filename.rpartition("site-packages/")[2], code.co_firstlineno, code.co_name)
        counts = self.counts

        def count_opcode(frame: FrameType, event: str, arg: object) -> Any:
            if event == "opcode":
                counts[key] += 1
            return count_opcode

        return count_opcode

    def report(self, requests: int) -> None:
        for (filename, line, name), total in self.counts.most_common(15):
            print(f"{total / requests:8.1f}  {filename}:{line} {name}")
        print(f"{sum(self.counts.values()) / requests:.1f} bytecodes per request")


async def measure(
    http: str,
    count: int,
    profile: bool,
    connections: int,
    bytecodes: bool = False,
    workload: str = "hello",
) -> float:
    """Microseconds per request, ``connections`` connections served in turns."""
    request = REQUESTS[workload]
    fresh = workload == "close"  # a new connection per request, closed by the server
    factory = protocol_factory(http)

    def connect() -> FakeTransport:
        transport = FakeTransport()
        transport.protocol = factory()
        transport.protocol.connection_made(transport)
        return transport

    transports = [connect() for _ in range(connections)]
    served = 0

    async def serve(rounds: int) -> None:
        # One request on every connection, as one loop pass of a busy server reads them;
        # then loop passes until every response is written (and, for "close", every
        # connection is closed and lost).
        nonlocal served, transports
        for _ in range(rounds):
            if fresh:
                transports = [connect() for _ in range(connections)]
            for transport in transports:
                transport.receive(request)
            served += 1
            target = 1 if fresh else served
            await asyncio.sleep(0)
            while any(t.responses < target or (fresh and not t.lost) for t in transports):
                await asyncio.sleep(0)

    await serve(max(1, 1000 // connections))  # warm up
    rounds = max(1, count // connections)
    profiler = cProfile.Profile() if profile else None
    counter = BytecodeCounter() if bytecodes else None
    if profiler:
        profiler.enable()
    if counter:
        sys.settrace(counter.trace)
    start = time.perf_counter()
    await serve(rounds)
    elapsed = time.perf_counter() - start
    if counter:
        sys.settrace(None)
        counter.report(rounds * connections)
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return elapsed / (rounds * connections) * 1e6


def run_worker(
    http: str, count: int, profile: bool, connections: int, bytecodes: bool, workload: str
) -> None:
    # The loops of bench/run.py: uvloop with httptools, asyncio with h11.
    if http == "httptools":
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    else:
        loop_factory = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        per_request = runner.run(measure(http, count, profile, connections, bytecodes, workload))
    print(f"{http}: {per_request:.2f} us per request")


# -- the comparison ------------------------------------------------------------------------


def worker_command(venv: str, http: str, count: int, connections: int, *extra: str) -> list[str]:
    python = str(VENVS / venv / "bin" / "python")
    script = str(Path(__file__).resolve())
    options = ["--requests", str(count), "--connections", str(connections), *extra]
    options += ["--workload", WORKLOAD]
    return [python, script, "--worker", http, *options]


def wall_time(venv: str, http: str, count: int, connections: int) -> float:
    output = subprocess.run(
        worker_command(venv, http, count, connections), capture_output=True, text=True, check=True
    ).stdout
    return float(re.search(r"([\d.]+) us per request", output).group(1))  # type: ignore[union-attr]


def bytecodes(venv: str, http: str, count: int, connections: int) -> float:
    command = worker_command(venv, http, count, connections, "--bytecodes")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"([\d.]+) bytecodes per request", output).group(1))  # type: ignore[union-attr]


def instructions(venv: str, http: str, count: int, connections: int) -> float:
    """Instructions per request: the difference between two counts cancels start-up."""
    totals = []
    for requests in (count, 2 * count):
        with tempfile.TemporaryDirectory() as directory:
            out = Path(directory) / "callgrind.out"
            command = [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                *worker_command(venv, http, requests, connections),
            ]
            result = subprocess.run(command, capture_output=True, text=True, check=True)
            match = re.search(r"Collected : (\d+)", result.stderr)
            totals.append(int(match.group(1)))  # type: ignore[union-attr]
    return (totals[1] - totals[0]) / count


def compare(args: argparse.Namespace) -> None:
    for venv in ("ours", "upstream"):
        if not (VENVS / venv / "bin" / "python").exists():
            sys.exit(f"{VENVS / venv} is missing: run python3 bench/run.py --quick once first")
    deterministic = args.callgrind or args.bytecodes
    count = args.requests or (5000 if deterministic else 50000)
    unit = "instructions" if args.callgrind else "bytecodes" if args.bytecodes else "us"
    measure_one = instructions if args.callgrind else bytecodes if args.bytecodes else wall_time
    print(f"| plugin | ours {unit}/request | upstream {unit}/request | upstream/ours |")
    print("| --- | ---: | ---: | ---: |")
    for http in args.http.split(","):
        results: dict[str, list[float]] = {"ours": [], "upstream": []}
        for _ in range(1 if deterministic else args.rounds):
            for venv in results:
                results[venv].append(measure_one(venv, http, count, args.connections))
        ours = statistics.median(results["ours"])
        upstream = statistics.median(results["upstream"])
        print(f"| {http} | {ours:,.2f} | {upstream:,.2f} | {upstream / ours:.2f}x |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--worker", metavar="HTTP", help="measure in this interpreter")
    parser.add_argument("--profile", action="store_true", help="with --worker: cProfile")
    parser.add_argument("--requests", type=int, default=int(os.environ.get("MICRO_REQUESTS", 0)))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--http", default="httptools,h11")
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--bytecodes", action="store_true", help="count Python bytecodes")
    parser.add_argument(
        "--workload", choices=sorted(REQUESTS), default="hello", help="hello, or post: (c)"
    )
    args = parser.parse_args()
    global WORKLOAD
    WORKLOAD = args.workload
    if args.worker:
        count = args.requests or (20000 if args.profile or args.bytecodes else 200000)
        run_worker(
            args.worker, count, args.profile, args.connections, args.bytecodes, args.workload
        )
    else:
        compare(args)


if __name__ == "__main__":
    main()
