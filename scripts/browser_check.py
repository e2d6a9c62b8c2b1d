"""Serve examples/websocket_echo.py with every installed (HTTP x WebSocket) pair and check it
with a real browser (headless Chromium, driven over the DevTools protocol) and with
malformed-frame probes.

    python3 scripts/dev.py browser-check     # needs chromium: apt-get install chromium

For every pair, with permessage-deflate offered by the browser and then turned off on the
server, the page must open with the subprotocol it asked for, see its message echoed and
close with 1000; each probe must close with its RFC 6455 code, and the server must then
still echo on a new connection. Prints one line per check; exits 1 if any failed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402  # after the path is set

from examples.websocket_echo import app  # noqa: E402
from tests.utils import RunningServer, run_server  # noqa: E402
from uvicorn._registry import get_registry  # noqa: E402
from uvicorn.testing.websocket import frame, open_raw, read_close_code  # noqa: E402

# What the page shows once it has opened, been echoed and closed (see the example).
EXPECTED_LOG = "open echo\nmessage echo: hello from the page\nclose 1000\n"
# Resolves once the page's socket is closed, then gives what the page logged.
PAGE_DONE = """new Promise((resolve) => {
  const done = () => resolve(JSON.stringify({
    log: document.getElementById("log").textContent, extensions: socket.extensions }));
  if (socket.readyState === WebSocket.CLOSED) { done(); }
  else { socket.addEventListener("close", () => setTimeout(done)); }
})"""
PROBES = {
    "unmasked frame": (frame(0x1, b"hi", mask=False), 1002),
    "reserved bit set": (frame(0x1, b"hi", rsv=0b100), 1002),
    "unknown opcode": (frame(0x3, b"hi"), 1002),
    "control frame over 125 bytes": (frame(0x9, b"x" * 126), 1002),
    "fragmented control frame": (frame(0x9, b"x", fin=False), 1002),
    "invalid UTF-8 in text": (frame(0x1, b"\xff\xfe"), 1007),
}


def names(kind: str) -> list[str]:
    registry = get_registry()
    return [entry.implementation.name for entry in registry.entries(kind) if entry.available]  # type: ignore[arg-type]  # a kind name


@contextmanager
def chromium() -> Iterator[str]:
    """A headless Chromium; yields the DevTools WebSocket URL of its page."""
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        sys.exit("chromium not found: install it (apt-get install chromium) and run again")
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        command = [executable, "--headless", "--no-sandbox", "--disable-gpu"]
        command += ["--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"]
        process = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            assert process.stderr is not None
            for line in process.stderr:
                if "DevTools listening on " in line:
                    port = line.rsplit(":", 1)[1].split("/")[0]
                    break
            else:
                sys.exit("chromium exited before it listened for DevTools")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as response:
                targets = json.load(response)
            yield next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        finally:
            os.killpg(process.pid, signal.SIGKILL)  # the browser and its helper processes
            process.wait()


async def load_page(devtools: str, url: str) -> dict[str, Any]:
    """Open ``url`` in the browser's page; what the page logged once its socket closed."""
    async with connect(devtools, max_size=None) as session:
        ids = itertools.count(1)

        async def call(method: str, **params: Any) -> dict[str, Any]:
            request_id = next(ids)
            await session.send(json.dumps({"id": request_id, "method": method, "params": params}))
            while True:
                reply = json.loads(await session.recv())
                if reply.get("id") == request_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return reply["result"]  # type: ignore[no-any-return]  # JSON

        await call("Page.enable")
        await call("Page.navigate", url=url)
        while True:  # the page's script has run once its load event fired
            event = json.loads(await session.recv())
            if event.get("method") == "Page.loadEventFired":
                break
        result = await call("Runtime.evaluate", expression=PAGE_DONE, awaitPromise=True)
        return json.loads(result["result"]["value"])  # type: ignore[no-any-return]  # JSON


def probe(server: RunningServer, data: bytes) -> int:
    with open_raw(server, "/ws") as conn:
        conn.sendall(data)
        return read_close_code(conn)


def still_echoes(server: RunningServer) -> bool:
    async def exchange() -> object:
        async with connect(f"ws://{server.host}:{server.port}/ws") as websocket:
            await websocket.send("still here")
            return await websocket.recv()

    return asyncio.run(exchange()) == "echo: still here"


def main() -> None:
    failures = 0

    def report(ok: bool, line: str) -> None:
        nonlocal failures
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {line}", flush=True)

    with chromium() as devtools:
        for http, ws, deflate in itertools.product(names("http"), names("ws"), (True, False)):
            pair = f"{http} x {ws}, per-message-deflate {'on' if deflate else 'off'}"
            with run_server(app, http=http, ws=ws, ws_per_message_deflate=deflate) as server:
                page = asyncio.run(asyncio.wait_for(load_page(devtools, server.url + "/"), 20))
                negotiated = page["extensions"].startswith("permessage-deflate")
                report(
                    page["log"] == EXPECTED_LOG and negotiated == deflate,
                    f"{pair}: browser logged {page['log']!r}, extensions {page['extensions']!r}",
                )
                codes = {name: probe(server, data) for name, (data, _) in PROBES.items()}
                expected = {name: code for name, (_, code) in PROBES.items()}
                report(codes == expected, f"{pair}: probes closed with {codes}")
                report(still_echoes(server), f"{pair}: echoes after the probes")
    print(f"{failures} check(s) failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
