"""hatchling hooks: a wheel built from a checkout names its sibling members by path.

uvicorn-standard has no code: its dependencies are other members of this workspace. So
that ``pip install ./packages/uvicorn-standard`` works from a checkout before they are
on an index, the metadata hook below fills the dynamic ``dependencies``:

* from a checkout, where the members sit next to this package, with a direct reference
  to each (``name @ file:///…/packages#subdirectory=name``): pip installs them there;
* otherwise with the plain lockstep pins of ``[tool.hatch.metadata.hooks.custom]``: in
  a wheel built from an unpacked sdist (no members next to it) and in any build with
  ``UVICORN_RELEASE_BUILD=1`` in the environment, which is how release wheels are built
  from a checkout.

An sdist always carries the plain pins (the build hook below sees to it), wherever it
is built: an index refuses direct references, a path means nothing on another machine,
and a wheel built from an sdist takes its dependencies from the sdist's ``PKG-INFO``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface
from packaging.requirements import Requirement

RELEASE_ENV = "UVICORN_RELEASE_BUILD"


def member_dependencies(root: Path, pins: list[str], *, release: bool) -> list[str]:
    """The dependencies to build with: ``pins``, or direct references to the members.

    Direct references only outside a release and when every pinned project is a member
    folder next to ``root``: half a set would mix a checkout with an index.
    """
    if release:
        return list(pins)
    folder = root.resolve().parent
    references = []
    for pin in pins:
        name = Requirement(pin).name
        if not (folder / name / "pyproject.toml").is_file():
            return list(pins)
        # The members' folder plus a subdirectory, not the member's own folder: pip (up
        # to at least 26.0) caches, and reuses after the code changed, a wheel it built
        # from a folder named like "name-version", which "uvicorn-core" resembles.
        references.append(f"{name} @ {folder.as_uri()}#subdirectory={name}")
    return references


def release_build() -> bool:
    """True when ``UVICORN_RELEASE_BUILD`` is set to anything but ``0``."""
    return os.environ.get(RELEASE_ENV, "") not in ("", "0")


class MemberDependenciesHook(MetadataHookInterface):
    """Fill the dynamic ``dependencies`` from the pins in the hook's configuration."""

    def update(self, metadata: dict[str, Any]) -> None:
        pins: list[str] = self.config["dependencies"]
        metadata["dependencies"] = member_dependencies(
            Path(self.root), pins, release=release_build()
        )


class PlainPinsInSdistHook(BuildHookInterface[BuilderConfig]):
    """Give an sdist the plain pins, even when it is built from a checkout."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        config = self.metadata.hatch.metadata.hook_config["custom"]
        pins = sorted(str(Requirement(pin)) for pin in config["dependencies"])
        # The metadata was computed before build hooks run; the sdist writes PKG-INFO
        # from this list, so replace its items (hatchling gives no other way in).
        dependencies = self.metadata.core.dependencies
        dependencies[:] = pins
        if self.metadata.core.dependencies != pins:
            message = f"cannot give the sdist plain pins: set {RELEASE_ENV}=1 to build it"
            raise RuntimeError(message)
