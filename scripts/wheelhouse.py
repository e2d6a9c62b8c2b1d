#!/usr/bin/env python3
"""Build the wheel of every workspace member into one directory: a local wheelhouse.

    python3 scripts/wheelhouse.py                  # into ./dist
    python3 scripts/wheelhouse.py --out /tmp/wh    # anywhere else
    pip install --find-links dist uvicorn-standard           # then install from it,
    uv pip install --find-links dist uvicorn-core uvicorn-http-h11   # or any subset

The members are not on an index; their metadata names each other by plain version
ranges, so pip and uv find them in the wheelhouse and the third-party libraries on the
index. Builds in this process with hatchling when it is importable (the development
environment has it), otherwise with ``pip wheel``, which fetches hatchling itself.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def members(root: Path = ROOT) -> list[Path]:
    """Every workspace member: a folder of ``packages/`` with a ``pyproject.toml``."""
    return sorted(path.parent for path in (root / "packages").glob("*/pyproject.toml"))


def wheel_prefix(member: Path) -> str:
    """The start of the member's wheel file names (``uvicorn_core-``)."""
    return member.name.replace("-", "_") + "-"


def remove_old_wheels(out: Path, sources: list[Path]) -> None:
    """Drop the members' earlier wheels from ``out``, so no stale version stays beside."""
    prefixes = tuple(wheel_prefix(member) for member in sources)
    for wheel in out.glob("*.whl"):
        if wheel.name.startswith(prefixes):
            wheel.unlink()


def build_with_hatchling(sources: list[Path], out: Path) -> list[Path]:
    from hatchling.builders.wheel import WheelBuilder

    built: list[Path] = []
    for member in sources:
        builder = WheelBuilder(str(member))
        built.extend(Path(path) for path in builder.build(directory=str(out)))
    return built


def build_with_pip(sources: list[Path], out: Path) -> list[Path]:
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out)]
    subprocess.run([*command, *map(str, sources)], check=True)
    return [
        wheel
        for wheel in out.glob("*.whl")
        if wheel.name.startswith(tuple(wheel_prefix(member) for member in sources))
    ]


def build_wheelhouse(out: Path, sources: list[Path] | None = None) -> list[Path]:
    """Build a wheel of each member of ``sources`` (all of them by default) into ``out``."""
    sources = members() if sources is None else sources
    out.mkdir(parents=True, exist_ok=True)
    remove_old_wheels(out, sources)
    try:
        import hatchling  # noqa: F401  # only to choose how to build
    except ImportError:
        return build_with_pip(sources, out)
    return build_with_hatchling(sources, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="default: ./dist")
    args = parser.parse_args()
    for wheel in build_wheelhouse(args.out):
        print(wheel)
    print(f"\ninstall with: pip install --find-links {args.out} uvicorn-standard")


if __name__ == "__main__":
    main()
