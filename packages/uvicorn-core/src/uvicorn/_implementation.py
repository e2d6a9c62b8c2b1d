"""The record a plugin returns to describe one implementation it provides."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Implementation:
    """One selectable implementation of a kind (HTTP, WebSocket, loop, lifespan, reloader...).

    ``name`` is what users pass on the command line (``--http NAME``). ``target`` is a
    ``"module:attribute"`` string, imported only when this implementation is chosen.
    ``auto`` picks the available implementation with the highest ``priority``; an
    implementation is available when every import name in ``requires`` can be found.
    ``distribution`` and ``version`` are filled in by the core from the entry point that
    registered the plugin; plugins leave them unset.
    """

    name: str
    target: str
    priority: int = 0
    requires: tuple[str, ...] = ()
    summary: str = ""
    distribution: str | None = None
    version: str | None = None

    def __post_init__(self) -> None:
        if not self.name or ":" in self.name or self.name.strip() != self.name:
            raise ValueError(f"invalid implementation name {self.name!r}")
        module, sep, attribute = self.target.partition(":")
        if not (module and sep and attribute):
            raise ValueError(
                f"implementation {self.name!r}: target must be 'module:attribute', "
                f"got {self.target!r}"
            )
        requires: object = self.requires
        if isinstance(requires, str):
            raise TypeError(f"implementation {self.name!r}: requires must be a tuple of names")
