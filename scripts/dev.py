#!/usr/bin/env python3
"""Set up the development tools and run a project task, on a machine with only python3.

    python3 scripts/dev.py serve [uvicorn options]   # serve examples/hello.py
    python3 scripts/dev.py test [pytest options]     # lint, types, and every test suite
    python3 scripts/dev.py browser-check             # examples/ in headless Chromium (see it)

Hatch (pinned below) is installed into ./.venv-tools; hatch then builds the environments
declared in pyproject.toml with every workspace package installed in editable mode.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

HATCH = "hatch==1.18.2"
ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".venv-tools"
BIN = TOOLS / ("Scripts" if os.name == "nt" else "bin")


def hatch_command() -> list[str]:
    executable = BIN / "hatch"
    if not executable.exists():
        print(f"setting up {HATCH} in {TOOLS} ...", flush=True)
        venv.create(TOOLS, with_pip=True, clear=True)
        subprocess.run([str(BIN / "python"), "-m", "pip", "install", "--quiet", HATCH], check=True)
    return [str(executable)]


def run(*args: str) -> None:
    """Run one hatch command from the repository root; stop on the first failure."""
    print(f"$ hatch {' '.join(args)}", flush=True)
    code = subprocess.run([*hatch_command(), *args], cwd=ROOT, check=False).returncode
    if code != 0:  # includes pytest's 5 ("no tests ran"), which must not pass
        sys.exit(code)


def main() -> None:
    task, *args = sys.argv[1:] or ["help"]
    if task == "serve":
        run("run", "serve", *args)
    elif task == "test":
        run("run", "lint:check")
        run("run", "types:check")
        run("run", "test", *(args or ["-n", "2"]))
        run("run", "core-only:test")
    elif task == "browser-check":
        run("run", "browser-check", *args)
    else:
        print(__doc__)
        sys.exit(0 if task == "help" else 2)


if __name__ == "__main__":
    main()
