"""Every way of installing from the checkout, with pip and with uv, into fresh venvs.

The members come from the checkout's folders or from the session's wheelhouse; the
third-party libraries come from PyPI (hence ``network``). uv makes the venvs, and
seeds pip into those that pip installs into.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.packaging.installs import (
    Installer,
    Venv,
    entry_point_names,
    member_names,
    plugin_rows,
    uv_executable,
)
from tests.utils import ServerProcess

pytestmark = [pytest.mark.network, pytest.mark.subprocess, pytest.mark.timeout(300)]

MakeVenv = Callable[[bool], Venv]
STANDARD_AUTO = {
    ("http", "httptools"),
    ("loop", "uvloop"),
    ("ws", "websockets-sansio"),
    ("reloader", "watchfiles"),
}
GREETING_APP = """\
import os

async def app(scope, receive, send):
    assert scope["type"] == "http"
    body = os.environ["GREETING"].encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})
"""
YAML_LOG_CONFIG = """\
version: 1
disable_existing_loggers: false
formatters:
  plain: {format: "yaml-config %(levelname)s %(message)s"}
handlers:
  out: {class: logging.StreamHandler, formatter: plain, stream: ext://sys.stdout}
loggers:
  uvicorn: {handlers: [out], level: INFO}
"""


def checkout_paths(names: list[str]) -> list[str]:
    return [f"./packages/{name}/" for name in names]


def available(venv: Venv) -> dict[tuple[str, str], tuple[str, str]]:
    result = venv.uvicorn("--list-plugins")
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    return {key: row for key, row in plugin_rows(result.stdout).items() if "available" in row[1]}


def assert_dependencies_consistent(venv: Venv, installer: Installer) -> None:
    if installer == "pip":
        result = venv.run(venv.bin("python"), "-m", "pip", "check")
    else:
        result = venv.run(uv_executable(), "pip", "check", "--python", venv.bin("python"))
    assert result.returncode == 0, result.stdout + result.stderr


def serve_with_h11_yaml_and_env_file(venv: Venv, folder: Path) -> None:
    """``--http h11 --log-config x.yaml --env-file .env``: what the standard set enables."""
    (folder / "greeting_app.py").write_text(GREETING_APP)
    (folder / "log.yaml").write_text(YAML_LOG_CONFIG)
    (folder / "greeting.env").write_text("GREETING=from the env file\n")
    args = ["greeting_app:app", "--port", "0", "--http", "h11", "--app-dir", str(folder)]
    args += ["--log-config", str(folder / "log.yaml"), "--env-file", str(folder / "greeting.env")]
    with ServerProcess(args, command=(), executable=venv.bin("uvicorn"), cwd=folder) as server:
        port = server.wait_running()
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert response.text == "from the env file"
    assert "yaml-config INFO Uvicorn running on" in server.output
    assert "warning" not in server.output.lower(), server.output


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_every_member_installs_at_once_from_the_checkout(
    installer: Installer, make_venv: MakeVenv
) -> None:
    """``pip install ./packages/*/``: the command that met ResolutionImpossible before."""
    venv = make_venv(installer == "pip")
    venv.install(installer, *checkout_paths(member_names()))
    assert venv.distributions() == set(member_names())
    assert {name for _kind, name in available(venv)} >= entry_point_names()
    assert_dependencies_consistent(venv, installer)


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_standard_alone_installs_from_the_wheelhouse_and_serves(
    installer: Installer, make_venv: MakeVenv, wheelhouse: Path, tmp_path: Path
) -> None:
    venv = make_venv(installer == "pip")
    venv.install(installer, "uvicorn-standard", find_links=wheelhouse)
    rows = available(venv)
    assert {key for key, (_dist, status) in rows.items() if "(auto)" in status} >= STANDARD_AUTO
    assert ("http", "h11") in rows
    assert ("ws", "wsproto") not in rows  # not part of the standard set
    assert_dependencies_consistent(venv, installer)
    serve_with_h11_yaml_and_env_file(venv, tmp_path)


@pytest.mark.parametrize(
    ("installer", "source", "subset"),
    [
        ("uv", "checkout", ["uvicorn-core", "uvicorn-http-httptools", "uvicorn-ws-wsproto"]),
        ("pip", "wheelhouse", ["uvicorn-core", "uvicorn-http-httptools", "uvicorn-reload"]),
        ("uv", "wheelhouse", ["uvicorn-core", "uvicorn-http-h11", "uvicorn-loop-uvloop"]),
    ],
    ids=["uv-checkout", "pip-wheelhouse", "uv-wheelhouse"],
)
def test_a_subset_with_core_installs_only_that_subset(
    installer: Installer,
    source: str,
    subset: list[str],
    make_venv: MakeVenv,
    wheelhouse: Path,
) -> None:
    """pip building members from the checkout is the all-at-once test: 20 s a venv."""
    venv = make_venv(installer == "pip")
    if source == "checkout":
        venv.install(installer, *checkout_paths(subset))
    else:
        venv.install(installer, *subset, find_links=wheelhouse)
    assert venv.distributions() == set(subset)
    assert {distribution for distribution, _status in available(venv).values()} == set(subset)
    assert_dependencies_consistent(venv, installer)


def test_core_installed_over_upstream_warns_and_the_remedy_restores_it(
    make_venv: MakeVenv, wheelhouse: Path
) -> None:
    """Upstream first, then ours (so ours runs): the warning, then what it says to do.

    Uninstalling upstream removes the files the two share, which is why the remedy
    reinstalls uvicorn-core with --force-reinstall.
    """
    venv = make_venv(False)
    venv.install("uv", "uvicorn==0.54.0")
    venv.install("uv", "uvicorn-core", "uvicorn-http-h11", find_links=wheelhouse)
    result = venv.uvicorn("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Running uvicorn-core ")
    assert "uvicorn 0.54.0 also installs the 'uvicorn' package" in result.stderr
    assert "pip uninstall uvicorn, then pip install --force-reinstall uvicorn-core" in (
        result.stderr
    )

    python = venv.bin("python")
    uninstall = venv.run(uv_executable(), "pip", "uninstall", "--python", python, "uvicorn")
    assert uninstall.returncode == 0, uninstall.stderr
    broken = venv.run(python, "-m", "uvicorn", "--version")
    assert broken.returncode != 0  # the shared files went with upstream

    venv.install("uv", "uvicorn-core", find_links=wheelhouse, extra=("--force-reinstall",))
    repaired = venv.uvicorn("--version")
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout.startswith("Running uvicorn-core ")
    assert repaired.stderr == ""
