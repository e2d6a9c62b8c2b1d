"""A second distribution owning the ``uvicorn`` package is found and reported.

The stand-in is a ``uvicorn-0.54.0.dist-info`` folder whose RECORD lists a
``uvicorn/__init__.py``, as upstream's does: on a tmp folder for the unit tests, and on
``PYTHONPATH`` of a child process for the command line and start-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from importlib.metadata import PathDistribution
from pathlib import Path

import httpx
import pytest

import uvicorn
from tests.utils import ROOT, ServerProcess, run_command
from uvicorn._clash import clash_report, file_hash, find_rivals

pytestmark = pytest.mark.timeout(60)

IMPORTED_INIT = Path(uvicorn.__file__).resolve()
RIVAL_HASH = "sha256=bm90IHRoZSBzYW1lIGNvbnRlbnQ"


def fake_distribution(
    site: Path, name: str, version: str, init: Path | None, recorded_hash: str = RIVAL_HASH
) -> PathDistribution:
    """A dist-info folder in ``site`` whose RECORD lists ``init`` (relative, like pip's)."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = [f"{info.name}/METADATA,,"]
    if init is not None:
        lines.append(f"{Path(os.path.relpath(init, site)).as_posix()},{recorded_hash},147")
    (info / "RECORD").write_text("\n".join(lines) + "\n")
    return PathDistribution(info)


def package_init(site: Path) -> Path:
    init = site / "uvicorn" / "__init__.py"
    init.parent.mkdir(parents=True)
    init.write_text("# uvicorn-core's\n")
    return init


def test_rival_in_the_same_folder_is_found_and_ours_reported_running(tmp_path: Path) -> None:
    init = package_init(tmp_path)
    [rival] = find_rivals(init, [fake_distribution(tmp_path, "uvicorn", "0.54.0", init)])
    assert (rival.name, rival.version) == ("uvicorn", "0.54.0")
    assert rival.shares_files
    assert not rival.written_last


def test_rival_whose_init_is_on_disk_is_found_written_last(tmp_path: Path) -> None:
    init = package_init(tmp_path)
    distribution = fake_distribution(tmp_path, "uvicorn", "0.54.0", init, file_hash(init))
    [rival] = find_rivals(init, [distribution])
    assert rival.written_last


def test_rival_in_another_folder_does_not_share_files(tmp_path: Path) -> None:
    init = package_init(tmp_path / "ours")
    elsewhere = tmp_path / "theirs" / "uvicorn" / "__init__.py"
    distribution = fake_distribution(tmp_path / "theirs", "uvicorn", "0.54.0", elsewhere)
    [rival] = find_rivals(init, [distribution])
    assert not rival.shares_files
    assert rival.init_file == elsewhere.resolve()


def test_no_rival_when_only_core_or_unrelated_distributions_are_installed(
    tmp_path: Path,
) -> None:
    init = package_init(tmp_path)
    ours = fake_distribution(tmp_path, "uvicorn-core", "0.1.0", init, file_hash(init))
    unrelated = fake_distribution(tmp_path, "uvicorn-worker", "0.3.0", None)
    assert find_rivals(init, [ours, unrelated]) == []


def test_rival_shadowed_further_down_the_path_is_reported_once(tmp_path: Path) -> None:
    init = package_init(tmp_path / "site")
    first = fake_distribution(tmp_path / "site", "uvicorn", "0.54.0", init)
    shadowed = fake_distribution(tmp_path / "user", "uvicorn", "0.30.0", init)
    assert [rival.version for rival in find_rivals(init, [first, shadowed])] == ["0.54.0"]


def test_report_says_to_uninstall_then_force_reinstall_core_when_files_are_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init = package_init(tmp_path)
    fake_distribution(tmp_path, "uvicorn", "0.54.0", init)
    monkeypatch.syspath_prepend(str(tmp_path))
    report = "\n".join(clash_report(init))
    assert "uvicorn 0.54.0 also installs the 'uvicorn' package, into the same folder" in report
    assert "is the one running" in report
    assert "pip uninstall uvicorn, then pip install --force-reinstall uvicorn-core" in report
    assert "plain 'fastapi' with 'uvicorn-standard'" in report


def test_report_needs_no_reinstall_when_the_rival_is_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    init = package_init(tmp_path / "ours")
    theirs = tmp_path / "theirs"
    fake_distribution(theirs, "uvicorn", "0.54.0", theirs / "uvicorn" / "__init__.py")
    monkeypatch.syspath_prepend(str(tmp_path / "theirs"))
    report = "\n".join(clash_report(init))
    assert "pip uninstall uvicorn." in report
    assert "--force-reinstall" not in report


def test_report_is_empty_in_the_test_environment() -> None:
    assert clash_report() == []


def test_importing_uvicorn_and_its_cli_does_not_look_for_rivals() -> None:
    code = "import sys, uvicorn.main, uvicorn.config; print('uvicorn._clash' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.stdout.strip() == "False", result.stderr


# -- what the command line and start-up say, in a child process -------------------------


@pytest.fixture
def rival_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose path holds a stand-in upstream owning our imported package."""
    fake_distribution(tmp_path, "uvicorn", "0.54.0", IMPORTED_INIT)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path), env.get("PYTHONPATH")]))
    return env


def assert_rival_reported(stderr: str) -> None:
    assert "warning: uvicorn 0.54.0 also installs the 'uvicorn' package" in stderr, stderr
    assert "uvicorn-core 0.1.0 wrote its files last and is the one running" in stderr
    assert "pip uninstall uvicorn, then pip install --force-reinstall uvicorn-core" in stderr


@pytest.mark.parametrize("option", ["--version", "--list-plugins"])
def test_cli_option_warns_on_stderr_about_a_rival(option: str, rival_env: dict[str, str]) -> None:
    result = run_command([sys.executable, "-m", "uvicorn", option], env=rival_env)
    assert result.returncode == 0, result.stderr
    assert_rival_reported(result.stderr)
    assert "warning" not in result.stdout


@pytest.mark.parametrize("option", ["--version", "--list-plugins"])
def test_cli_option_prints_no_warning_without_a_rival(option: str) -> None:
    result = run_command([sys.executable, "-m", "uvicorn", option])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.subprocess
def test_startup_warns_about_a_rival_and_serves(rival_env: dict[str, str]) -> None:
    args = ["tests.apps:hello", "--port", "0", "--lifespan", "off"]
    with ServerProcess(args, env=rival_env, cwd=ROOT) as server:
        port = server.wait_running()
        response = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        server.signal(signal.SIGTERM)
        assert server.wait() == 0
    assert response.status_code == 200
    assert_rival_reported(server.output.replace("WARNING:  ", "warning: "))
