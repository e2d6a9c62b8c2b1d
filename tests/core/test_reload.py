"""``--reload`` with every installed reloader (the core's stat poller, watchfiles...).

The reloader under test is forced through ``uvicorn.supervisors.reloader_class``, so
each one is exercised even when ``auto`` would pick another.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import httpx
import pytest

from tests.utils import ServerProcess, wait_for
from uvicorn._registry import get_registry
from uvicorn.importer import import_from_string
from uvicorn.supervisors import reloader_class
from uvicorn.supervisors.basereload import BaseReload
from uvicorn.supervisors.statreload import StatReload

pytestmark = [pytest.mark.timeout(60), pytest.mark.subprocess]

RELOAD_TIMEOUT = 20.0  # seconds for a change to be seen and a new server to listen

LAUNCH_WITH_RELOADER = (
    "import sys, uvicorn.supervisors as supervisors, uvicorn.importer as importer;"
    "chosen = importer.import_from_string(sys.argv.pop(1));"
    "supervisors.reloader_class = lambda: chosen;"
    "from uvicorn.main import main; main(prog_name='uvicorn')"
)


def reloaders() -> list[str]:
    found = []
    for entry in get_registry().entries("reloader"):
        if not entry.available:
            continue
        target = import_from_string(entry.implementation.target)
        if isinstance(target, type) and issubclass(target, BaseReload):
            found.append(entry.implementation.target)
    return found


@pytest.fixture(params=reloaders(), ids=lambda target: target.rpartition(":")[2])
def reloader(request: pytest.FixtureRequest) -> str:
    target: str = request.param
    return target


APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({{"type": "http.response.start", "status": 200, "headers": []}})
    await send({{"type": "http.response.body", "body": b"{version}"}})
"""


def write_app(path: Path, version: str) -> None:
    path.write_text(APP.format(version=version))
    bump_mtime(path)


def bump_mtime(path: Path) -> None:
    """Some file systems keep coarse modification times: make each edit visible to polling."""
    stamp = path.stat().st_mtime + 1
    os.utime(path, (stamp, stamp))


def start_reloading(reloader: str, directory: Path, *extra: str) -> ServerProcess:
    args = [reloader, "reload_app:app", "--app-dir", str(directory), "--port", "0"]
    args += ["--reload", "--reload-dir", str(directory), "--reload-delay", "0.1", *extra]
    return ServerProcess(args, command=("-c", LAUNCH_WITH_RELOADER))


def body_becomes(port: int, expected: str) -> bool:
    def check() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/", timeout=2).text == expected
        except httpx.HTTPError:
            return False  # the server is restarting

    return wait_for(check, RELOAD_TIMEOUT, interval=0.1)


def test_reload_picks_up_an_edited_file(reloader: str, tmp_path: Path) -> None:
    app_file = tmp_path / "reload_app.py"
    write_app(app_file, "v1")
    with start_reloading(reloader, tmp_path) as process:
        port = process.wait_running()
        assert body_becomes(port, "v1"), process.output
        write_app(app_file, "v2")
        assert body_becomes(port, "v2"), process.output
        assert "detected changes in" in process.output
        assert "Reloading..." in process.output
        process.signal(signal.SIGTERM)
        assert process.wait(30) == 0
    assert "Stopping reloader process" in process.output


RUN_WITH_RELOADER = (
    "import sys, uvicorn, uvicorn.supervisors as supervisors, uvicorn.importer as importer;"
    "chosen = importer.import_from_string(sys.argv[1]);"
    "supervisors.reloader_class = lambda: chosen;"
    "uvicorn.run('reload_app:app', app_dir='.', port=0, reload=True, reload_delay=0.1,"
    " reload_dirs=sys.argv[2:])"
)


def test_missing_reload_dir_watches_the_current_directory(reloader: str, tmp_path: Path) -> None:
    # uvicorn.run(reload_dirs=[...]) takes any path; the CLI checks that it exists.
    app_file = tmp_path / "reload_app.py"
    write_app(app_file, "v1")
    command = ("-c", RUN_WITH_RELOADER)
    with ServerProcess([reloader, "missing"], command=command, cwd=tmp_path) as process:
        port = process.wait_running()
        assert body_becomes(port, "v1"), process.output
        write_app(app_file, "v2")
        assert body_becomes(port, "v2"), process.output
        process.signal(signal.SIGTERM)
        assert process.wait(30) == 0
    assert (
        "Provided reload directories ['missing'] did not contain valid directories, "
        "watching current working directory." in process.output
    )
    assert f"Will watch for changes in these directories: ['{tmp_path.resolve()}']" in (
        process.output
    )
    assert "Traceback" not in process.output


def test_syntax_error_keeps_the_reloader_alive_until_fixed(reloader: str, tmp_path: Path) -> None:
    app_file = tmp_path / "reload_app.py"
    write_app(app_file, "v1")
    with start_reloading(reloader, tmp_path) as process:
        port = process.wait_running()
        assert body_becomes(port, "v1"), process.output
        app_file.write_text("async def app(scope, receive, send:\n")
        bump_mtime(app_file)
        assert wait_for(lambda: "SyntaxError" in process.output, RELOAD_TIMEOUT), process.output
        assert process.process.poll() is None  # the reloader keeps watching
        write_app(app_file, "v3")
        assert body_becomes(port, "v3"), process.output
        process.signal(signal.SIGINT)
        assert process.wait(30) == 0


def test_server_stops_when_its_reloader_is_killed(reloader: str, tmp_path: Path) -> None:
    write_app(tmp_path / "reload_app.py", "v1")
    with start_reloading(reloader, tmp_path) as process:
        port = process.wait_running()
        assert body_becomes(port, "v1"), process.output
        # The line is in the pipe, but the reader thread may not have taken it yet.
        assert wait_for(lambda: "Started server process" in process.output, 10), process.output
        (server_pid,) = map(int, re.findall(r"Started server process \[(\d+)\]", process.output))
        process.process.kill()
        process.process.wait(10)
        assert wait_for(lambda: f"Finished server process [{server_pid}]" in process.output, 10)


def test_auto_prefers_watchfiles_over_the_stat_reloader() -> None:
    chosen = reloader_class()
    entry = get_registry().get("reloader", "watchfiles")
    if entry is not None and entry.available:
        assert chosen.__name__ == "WatchFilesReload"
    else:
        assert chosen is StatReload
