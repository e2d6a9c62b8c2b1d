"""The conformance kit run the way an outside plugin author runs it: from the example
plugin's own directory, in a fresh virtualenv holding only uvicorn-core (from the checkout's
wheels), the plugin and its ``test`` dependency group; never this repository's tests.

A copy of the example that drops request bodies must fail the kit, saying so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.packaging.installs import Venv, clean_env, uv_executable
from tests.utils import ROOT, run_command
from uvicorn.protocols.http.connection import HTTPConnection

pytestmark = [pytest.mark.network, pytest.mark.subprocess, pytest.mark.timeout(400)]

ACME = ROOT / "examples" / "uvicorn-http-acme"
MakeVenv = Callable[[bool], Venv]
# The line that breaks the copy: the parser's body callback, overridden to drop every chunk.
DROP_BODY = "\n    def on_body(self, body: bytes) -> None:  # broken on purpose\n        pass\n"


def install_plugin_with_its_test_group(venv: Venv, project: Path, wheelhouse: Path) -> None:
    """``uv pip install . --group test`` in the project's folder; uvicorn's members come
    from the wheelhouse (they are not on an index), everything else from PyPI."""
    command = [uv_executable(), "pip", "install", "--python", venv.bin("python")]
    command += ["--find-links", str(wheelhouse), ".", "--group", "test"]
    result = run_command(command, cwd=project, env=clean_env(), timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr


def run_kit(venv: Venv, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [venv.bin("python"), "-m", "pytest", "--pyargs", "uvicorn.testing.conformance"]
    command += ["--uvicorn-http", "acme", "-p", "no:cacheprovider", *args]
    # Every client the suites speak with comes from the test group: none may be missing.
    env = {**clean_env(), "UVICORN_KIT_REQUIRE_CLIENTS": "1"}
    env.pop("UVICORN_EXPECTED_PLUGINS", None)
    return run_command(command, cwd=project, env=env, timeout=300)


def test_example_plugin_passes_the_kit_from_its_own_directory(
    make_venv: MakeVenv, wheelhouse: Path
) -> None:
    venv = make_venv(False)
    install_plugin_with_its_test_group(venv, ACME, wheelhouse)
    installed = venv.distributions()
    assert {"uvicorn-core", "uvicorn-http-h11", "uvicorn-ws-wsproto"} <= installed
    assert "uvicorn-http-httptools" not in installed  # only what acme and its tests need

    result = run_kit(venv, ACME, "-rA")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = [line for line in output.splitlines() if line.startswith("PASSED")]
    assert any("test_content_length_body_is_echoed[acme]" in line for line in passed), output
    assert any("[acme-wsproto" in line for line in passed), output  # the upgrade hand-off
    # h11 is installed beside acme (acme builds on it) but not selected.
    assert not any(re.search(r"[\[-]h11[\]-]", line) for line in passed), output
    assert "SKIPPED" not in output


def test_example_that_drops_request_bodies_fails_the_kit_naming_it(
    make_venv: MakeVenv, wheelhouse: Path, tmp_path: Path
) -> None:
    assert hasattr(HTTPConnection, "on_body"), "the broken copy overrides on_body: update it"
    broken = tmp_path / "uvicorn-http-acme"
    shutil.copytree(ACME, broken)
    protocol = broken / "src" / "acme_http" / "_protocol.py"
    protocol.write_text(protocol.read_text() + DROP_BODY)
    venv = make_venv(False)
    install_plugin_with_its_test_group(venv, broken, wheelhouse)

    result = run_kit(venv, broken, "-k", "body_is_echoed")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "FAILED" in output, output
    failed = [line for line in output.splitlines() if line.startswith("FAILED")]
    assert any("test_content_length_body_is_echoed[acme]" in line for line in failed), output
    assert "the request body was lost or changed on the way to the app" in output
