"""What only the watchfiles reloader does: include/exclude patterns.

Not a reload conformance test: the core's stat reloader refuses these options.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.core.test_reload import body_becomes, bump_mtime, write_app
from tests.utils import ServerProcess, wait_for
from uvicorn.config import Config

pytest.importorskip("watchfiles")

from uvicorn_reload import FileFilter

pytestmark = pytest.mark.timeout(60)


def file_filter(tmp_path: Path, **options: object) -> FileFilter:
    config = Config("tests.apps:hello", reload=True, log_config=None, **options)  # type: ignore[arg-type]  # test options
    return FileFilter(config)


def test_default_patterns_watch_python_files_only(tmp_path: Path) -> None:
    accepts = file_filter(tmp_path)
    assert accepts(tmp_path / "app.py")
    assert not accepts(tmp_path / "app.pyc")
    assert not accepts(tmp_path / "template.html")
    assert not accepts(tmp_path / ".hidden.py")
    assert not accepts(tmp_path / "~backup.py")


def test_user_patterns_extend_and_override_the_defaults(tmp_path: Path) -> None:
    accepts = file_filter(tmp_path, reload_includes=["*.html", ".*"], reload_excludes=["*_test.py"])
    assert accepts(tmp_path / "template.html")
    assert accepts(tmp_path / ".env.py")  # including ".*" drops it from the default excludes
    assert not accepts(tmp_path / "app_test.py")
    assert accepts(tmp_path / "app.py")


def test_an_included_file_name_wins_over_the_default_excludes(tmp_path: Path) -> None:
    # Upstream: a path that ends with an include pattern is watched whatever the
    # excludes say, so "--reload-include .env" sees .env despite the default ".*".
    accepts = file_filter(tmp_path, reload_includes=[".env"])
    assert accepts(tmp_path / ".env")
    assert accepts(tmp_path / "config" / ".env")
    assert accepts(tmp_path / "app.py")
    assert not accepts(tmp_path / ".envrc")
    assert not accepts(tmp_path / ".hidden.py")  # the default excludes hold for the rest


def test_a_file_name_both_included_and_excluded_is_not_watched(tmp_path: Path) -> None:
    accepts = file_filter(tmp_path, reload_includes=[".env"], reload_excludes=[".env"])
    assert not accepts(tmp_path / ".env")


def test_directories_excluded_in_the_config_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "src" / "generated").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    accepts = file_filter(tmp_path, reload_dirs=["src"], reload_excludes=["src/gen*"])
    assert not accepts(tmp_path.resolve() / "src" / "generated" / "models.py")
    assert accepts(tmp_path.resolve() / "src" / "models.py")


def test_excluding_a_directory_ignores_everything_below_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "generated").mkdir()
    monkeypatch.chdir(tmp_path)
    accepts = file_filter(tmp_path, reload_excludes=["generated"])
    assert not accepts(tmp_path / "generated" / "models.py")
    assert accepts(tmp_path / "models.py")


@pytest.mark.subprocess
def test_included_dotfile_change_restarts(tmp_path: Path) -> None:
    app_file = tmp_path / "reload_app.py"
    write_app(app_file, "v1")
    env_file = tmp_path / ".env"
    env_file.write_text("ONE=1")
    args = ["reload_app:app", "--app-dir", str(tmp_path), "--port", "0", "--reload"]
    args += ["--reload-dir", str(tmp_path), "--reload-include", ".env"]
    with ServerProcess(args) as process:
        port = process.wait_running()
        assert body_becomes(port, "v1"), process.output
        env_file.write_text("ONE=2")
        bump_mtime(env_file)
        assert wait_for(lambda: "/.env'. Reloading..." in process.output, 20), process.output
        assert body_becomes(port, "v1"), process.output
        process.signal(signal.SIGTERM)
        assert process.wait(30) == 0


@pytest.mark.subprocess
def test_included_template_change_restarts_and_excluded_one_does_not(tmp_path: Path) -> None:
    app_file = tmp_path / "reload_app.py"
    write_app(app_file, "v1")
    template = tmp_path / "page.html"
    template.write_text("one")
    ignored = tmp_path / "notes.txt"
    ignored.write_text("one")
    args = ["reload_app:app", "--app-dir", str(tmp_path), "--port", "0", "--reload"]
    args += ["--reload-dir", str(tmp_path), "--reload-include", "*.html"]
    with ServerProcess(args) as process:
        port = process.wait_running()
        assert body_becomes(port, "v1"), process.output
        assert "using WatchFiles" in process.output
        ignored.write_text("two")
        template.write_text("two")
        bump_mtime(template)
        assert wait_for(lambda: "page.html" in process.output, 20), process.output
        assert "notes.txt" not in process.output
        assert body_becomes(port, "v1"), process.output
        process.signal(signal.SIGTERM)
        assert process.wait(30) == 0
