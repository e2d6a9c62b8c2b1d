"""Another installed distribution that also owns the ``uvicorn`` import package.

Upstream's ``uvicorn`` (pulled in by ``fastapi[standard]`` and ``fastapi-cli``) writes
the same ``uvicorn/`` files and ``uvicorn`` script as uvicorn-core, and pip says nothing.
When ours was written last, our CLI runs and can say so; when upstream's was, none of our
code runs and nothing here can report it. Only the CLI and start-up call this (it reads
every installed distribution's file list), never ``import uvicorn``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

OWN_DISTRIBUTION: Final = "uvicorn-core"
PACKAGE_INIT: Final = ("uvicorn", "__init__.py")


@dataclass(frozen=True)
class Rival:
    """A distribution other than uvicorn-core whose files include ``uvicorn/__init__.py``."""

    name: str
    version: str
    init_file: Path  # where its uvicorn/__init__.py is (or was) installed
    shares_files: bool  # the same file as the imported package's: they overwrite each other
    written_last: bool  # the imported package's __init__.py is the rival's own content


def recorded_init(distribution: importlib.metadata.Distribution) -> tuple[str, str] | None:
    """``(path, hash)`` of ``uvicorn/__init__.py`` in the distribution's RECORD, if listed.

    Reads the RECORD text instead of ``Distribution.files``: a substring test per
    distribution is cheap, parsing every file list is not.
    """
    record = distribution.read_text("RECORD")
    if record is None or "uvicorn/__init__.py," not in record:
        return None
    for line in record.splitlines():
        path, _, rest = line.partition(",")
        if PurePosixPath(path).parts[-2:] == PACKAGE_INIT:
            return path, rest.partition(",")[0]
    return None


def distribution_name(distribution: importlib.metadata.Distribution) -> str:
    """The distribution's name; a broken install may have lost its METADATA."""
    return distribution.name or "(a distribution without a name)"


def file_hash(path: Path) -> str:
    """The file's hash as RECORD writes it: ``sha256=`` and urlsafe base64, unpadded."""
    digest = hashlib.sha256(path.read_bytes()).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def find_rivals(
    package_init: Path,
    distributions: Iterable[importlib.metadata.Distribution] | None = None,
) -> list[Rival]:
    """Distributions besides uvicorn-core that install ``uvicorn/__init__.py``.

    ``package_init`` is the imported package's ``__init__.py``. An editable install
    records no package files, so it is never found (uvicorn-core's own included).
    """
    if distributions is None:
        distributions = importlib.metadata.distributions()
    imported = package_init.resolve()
    rivals: list[Rival] = []
    seen: set[str] = set()
    for distribution in distributions:
        recorded = recorded_init(distribution)  # first: cheaper than reading METADATA
        if recorded is None:
            continue
        name = distribution_name(distribution)
        canonical = re.sub(r"[-_.]+", "-", name).lower()
        if canonical == OWN_DISTRIBUTION or canonical in seen:
            continue  # a name met again further down sys.path is shadowed, not installed
        seen.add(canonical)
        path, recorded_hash = recorded
        init_file = Path(str(distribution.locate_file(path))).resolve()
        shares = init_file == imported
        written_last = shares and imported.is_file() and file_hash(imported) == recorded_hash
        version = distribution.version or "?"
        rivals.append(Rival(name, version, init_file, shares, written_last))
    return rivals


def own_version() -> str:
    try:
        return importlib.metadata.version(OWN_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def describe(rival: Rival, running: str) -> list[str]:
    """What to tell the user about one rival: what happened, and what to do."""
    other = f"{rival.name} {rival.version}"
    folder = rival.init_file.parent
    if rival.written_last:
        what = (
            f"{other} has overwritten uvicorn-core's 'uvicorn' package in {folder}: "
            f"{running} is running on files of both, which may fail in odd ways."
        )
    elif rival.shares_files:
        what = (
            f"{other} also installs the 'uvicorn' package, into the same folder {folder}; "
            f"{running} wrote its files last and is the one running."
        )
    else:
        what = (
            f"{other} also installs a 'uvicorn' package, in {folder}; {running} is the "
            "one imported here, the order of sys.path decides."
        )
    remedy = f"To keep uvicorn-core: pip uninstall {rival.name}"
    if rival.shares_files:
        # Uninstalling removes every file in the rival's RECORD, our shared ones too.
        remedy += (
            ", then pip install --force-reinstall uvicorn-core (uninstalling removes "
            "the files the two share; add --find-links DIR to install from a wheelhouse)"
        )
    cause = (
        f"{rival.name} usually comes with 'fastapi[standard]' or 'fastapi-cli': install "
        "plain 'fastapi' with 'uvicorn-standard' instead."
    )
    return [what, remedy + ".", cause]


def clash_report(package_init: Path | None = None) -> list[str]:
    """Warning lines for every rival of the imported ``uvicorn`` package; none if alone."""
    if package_init is None:
        package_init = Path(__file__).with_name("__init__.py")  # the imported package's
    rivals = find_rivals(package_init)
    if not rivals:
        return []
    running = f"{OWN_DISTRIBUTION} {own_version()}"
    return [line for rival in rivals for line in describe(rival, running)]
