#!/usr/bin/env python3
"""WebSocket echo benchmark: this workspace against upstream uvicorn 0.54, in one run.

    python3 bench/ws.py                   # every library, 32 B and 64 KiB (about 6 minutes)
    python3 bench/ws.py --quick           # 1 round of 2 s per case, for a smoke test
    python3 bench/ws.py --impls wsproto --sizes 32

Both servers run bench/ws_app.py (accept, then echo every message) with httptools and
uvloop, pinned to one CPU, with the same websockets and wsproto releases. The client
runs pinned to the other CPU: many connections, each keeping a few binary messages in
flight, written from pre-masked frames and counted by size, so that it costs little per
message. The table reports medians of messages per second and the ratio against
upstream measured in the same run, rounds interleaved, and what a message costs each
server in CPU time: at 64 KiB a round is often bound by the client or by the kernel's
copying on both sides, where messages per second show parity whatever the servers cost.
Numbers from a shared machine are noisy: compare ratios, not absolute rates.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import struct
import subprocess
import sys
import time
from pathlib import Path

from run import (
    BENCH,
    CLIENT_CPU,
    RESULTS,
    ROOT,
    VENVS,
    WORKSPACE_PACKAGES,
    RunningServer,
    ServerSpec,
    cpu_seconds,
    ensure_venv,
    raise_fd_limit,
)

LIBRARIES = ["websockets==17.4", "wsproto==1.3.2"]
OURS_PACKAGES = [
    *WORKSPACE_PACKAGES,
    "packages/uvicorn-ws-websockets",
    "packages/uvicorn-ws-wsproto",
]
UPSTREAM = ["uvicorn[standard]==0.54.0", *LIBRARIES]
IMPLS = ["websockets-sansio", "websockets", "wsproto"]
SIZES = {"32": 32, "64k": 65536}
# (connections, messages in flight per connection) for each size
LOAD = {32: (100, 8), 65536: (20, 4)}
TARGETS = {"websockets-sansio": 1.2, "websockets": 1.0, "wsproto": 1.0}


def server_spec(venv: str, impl: str) -> ServerSpec:
    args = ("uvicorn", "ws_app:app", "--port", "{port}", "--log-level", "warning")
    options = ("--http", "httptools", "--loop", "uvloop", "--ws", impl)
    # Keep-alive pings would land between echoed frames; none during a measurement.
    return ServerSpec(venv, venv, (*args, *options, "--ws-ping-interval", "3600"))


def ensure_environments() -> None:
    packages = [str(ROOT / package) for package in OURS_PACKAGES]
    ensure_venv("ours-ws", [*packages, *LIBRARIES])
    python = str(VENVS / "ours-ws" / "bin" / "python")
    reinstall = [python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall"]
    subprocess.run([*reinstall, *packages], check=True)  # measure the tree as it is now
    ensure_venv("upstream-ws", UPSTREAM)


# -- the client, run in its own process ----------------------------------------------------


def client_frame(size: int) -> bytes:
    """A masked binary frame with ``size`` bytes of payload (mask of zeros: payload as is)."""
    if size < 126:
        head = struct.pack("!BB", 0x82, 0x80 | size)
    elif size < 65536:
        head = struct.pack("!BBH", 0x82, 0x80 | 126, size)
    else:
        head = struct.pack("!BBQ", 0x82, 0x80 | 127, size)
    return head + b"\x00\x00\x00\x00" + b"x" * size


def server_frame_size(size: int) -> int:
    return size + (2 if size < 126 else 4 if size < 65536 else 10)


class EchoClient(asyncio.Protocol):
    def __init__(self, size: int, window: int, counts: list[int], opened: asyncio.Event) -> None:
        self.frame = client_frame(size)
        self.response_size = server_frame_size(size)
        self.window = window
        self.counts = counts
        self.opened = opened
        self.head = b""
        self.open = False
        self.pending = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        key = base64.b64encode(os.urandom(16))
        self.transport.write(  # type: ignore[union-attr]
            b"GET / HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        if not self.open:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, _, data = self.head.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 101"):
                raise RuntimeError(f"handshake refused: {head[:100]!r}")
            self.open = True
            self.counts[1] += 1
            if self.counts[1] == self.counts[2]:
                self.opened.set()
            self.transport.writelines([self.frame] * self.window)  # no joined copy
        self.pending += len(data)
        done = self.pending // self.response_size
        if done:
            self.pending -= done * self.response_size
            self.counts[0] += done
            self.transport.writelines([self.frame] * done)


async def run_client(
    port: int, size: int, seconds: float, warmup: float, server_pid: int
) -> dict[str, float]:
    connections, window = LOAD[size]
    loop = asyncio.get_running_loop()
    counts = [0, 0, connections]  # messages echoed, connections open, connections wanted
    opened = asyncio.Event()
    transports = []
    for _ in range(connections):
        transport, _ = await loop.create_connection(
            lambda: EchoClient(size, window, counts, opened), "127.0.0.1", port
        )
        transports.append(transport)
    await asyncio.wait_for(opened.wait(), 20)
    await asyncio.sleep(warmup)
    start_count, start = counts[0], time.perf_counter()
    server_start, client_start = cpu_seconds(server_pid), time.process_time()
    await asyncio.sleep(seconds)
    elapsed, messages = time.perf_counter() - start, counts[0] - start_count
    server_cpu = cpu_seconds(server_pid) - server_start
    client_cpu = time.process_time() - client_start
    for transport in transports:
        transport.abort()
    return {
        "rate": messages / elapsed,
        # What a message costs the server, whichever side the round was bound by.
        "server_cpu_us": server_cpu / max(messages, 1) * 1e6,
        "server_load": server_cpu / elapsed,
        "client_load": client_cpu / elapsed,
    }


def client_main(port: int, size: int, seconds: float, warmup: float, server_pid: int) -> None:
    try:
        import uvloop

        run = uvloop.run
    except ImportError:
        run = asyncio.run
    print(json.dumps(run(run_client(port, size, seconds, warmup, server_pid))))


# -- the driver ----------------------------------------------------------------------------


def measure(venv: str, impl: str, size: int, seconds: float) -> dict[str, float]:
    server = RunningServer(server_spec(venv, impl), access_log=False)
    try:
        python = str(VENVS / "ours-ws" / "bin" / "python")
        command = ["taskset", "-c", CLIENT_CPU, python, str(Path(__file__)), "--client"]
        command += [str(server.port), str(size), str(seconds), str(min(1.0, seconds / 2))]
        command.append(str(server.process.pid))
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
        return {key: float(value) for key, value in json.loads(result.stdout).items()}
    finally:
        server.stop()


def paired_ratio(ours: list[float], upstream: list[float]) -> float:
    # Each round measures both servers back to back: the median of those paired ratios
    # is steadier than a ratio of medians while the machine's load drifts.
    return statistics.median(mine / theirs for mine, theirs in zip(ours, upstream, strict=True))


def render(
    samples: dict[tuple[str, str, int], list[dict[str, float]]], args: argparse.Namespace
) -> str:
    lines = [
        "# WebSocket echo: messages per second (median), ours vs upstream uvicorn 0.54",
        "",
        f"{args.rounds} round(s) of {args.seconds} s, server and client pinned to one CPU "
        "each, on a shared machine: numbers are noisy, compare ratios. Server CPU is what a "
        "message costs the server (user + system time over messages echoed): it holds in "
        "rounds the client or the kernel's copying bounds, where msg/s only shows parity.",
        "",
        "| library | message | connections x in flight | upstream | ours | ratio (paired) "
        "| server CPU us/msg, upstream / ours | CPU ratio | target |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for impl in args.impls.split(","):
        for label in args.sizes.split(","):
            size = SIZES[label]
            upstream = samples[("upstream-ws", impl, size)]
            ours = samples[("ours-ws", impl, size)]
            upstream_rates = [sample["rate"] for sample in upstream]
            ours_rates = [sample["rate"] for sample in ours]
            upstream_cpu = [sample["server_cpu_us"] for sample in upstream]
            ours_cpu = [sample["server_cpu_us"] for sample in ours]
            connections, window = LOAD[size]
            lines.append(
                f"| {impl} | {label} B | {connections} x {window} | "
                f"{statistics.median(upstream_rates):,.0f} | {statistics.median(ours_rates):,.0f} "
                f"| {paired_ratio(ours_rates, upstream_rates):.2f}x "
                f"| {statistics.median(upstream_cpu):.1f} / {statistics.median(ours_cpu):.1f} "
                f"| {paired_ratio(upstream_cpu, ours_cpu):.2f}x | {TARGETS[impl]:.1f}x |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        port, size, seconds, warmup, server_pid = sys.argv[2:7]
        client_main(int(port), int(size), float(seconds), float(warmup), int(server_pid))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--impls", default=",".join(IMPLS))
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 2
    ensure_environments()
    raise_fd_limit()
    samples: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    for round_index in range(args.rounds):
        for impl in args.impls.split(","):
            for label in args.sizes.split(","):
                # Alternate which server goes first, so that neither always runs warmer.
                order = ["upstream-ws", "ours-ws"]
                for venv in order if round_index % 2 == 0 else reversed(order):
                    sample = measure(venv, impl, SIZES[label], args.seconds)
                    samples.setdefault((venv, impl, SIZES[label]), []).append(sample)
                    print(
                        f"round {round_index + 1}/{args.rounds} {venv:12} {impl:18} "
                        f"{label:>4} B {sample['rate']:12,.0f} msg/s  server "
                        f"{sample['server_cpu_us']:6.1f} us/msg at {sample['server_load']:4.0%}"
                        f"  client at {sample['client_load']:4.0%}",
                        flush=True,
                    )
    report = render(samples, args)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"ws-{time.strftime('%Y%m%d-%H%M%S')}.md").write_text(report)


if __name__ == "__main__":
    os.chdir(BENCH)
    main()
