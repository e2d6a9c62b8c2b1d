"""Registries of implementations per kind, ``auto`` resolution and the user-facing errors.

Nothing here runs when ``uvicorn`` is imported: the plugin host is created the first time
a registry is read. Selection happens once, at startup; the hot path never looks here.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

if TYPE_CHECKING:  # the plugin machinery (pluggy, importlib.metadata) loads on first use
    from uvicorn._hooks import PluginFailure, PluginHost
    from uvicorn._implementation import Implementation

KindName = Literal["http", "http2", "ws", "loop", "lifespan", "reloader", "process-manager"]


class Kind(NamedTuple):
    key: KindName
    label: str
    option: str
    accepts_none: bool


KINDS: Final[dict[KindName, Kind]] = {
    "http": Kind("http", "HTTP implementation", "--http", accepts_none=False),
    "http2": Kind("http2", "HTTP/2 implementation", "--http2", accepts_none=False),
    "ws": Kind("ws", "WebSocket implementation", "--ws", accepts_none=True),
    "loop": Kind("loop", "event loop", "--loop", accepts_none=True),
    "lifespan": Kind("lifespan", "lifespan implementation", "--lifespan", accepts_none=False),
    "reloader": Kind("reloader", "reloader", "--reload", accepts_none=False),
    "process-manager": Kind("process-manager", "process manager", "--workers", accepts_none=False),
}

# Where the official implementations live, so an error can say what to install.
OFFICIAL_PACKAGES: Final[dict[tuple[KindName, str], str]] = {
    ("http", "h11"): "uvicorn-http-h11",
    ("http", "httptools"): "uvicorn-http-httptools",
    ("http2", "h2"): "uvicorn-http-h2",
    ("ws", "websockets"): "uvicorn-ws-websockets",
    ("ws", "websockets-sansio"): "uvicorn-ws-websockets",
    ("ws", "wsproto"): "uvicorn-ws-wsproto",
    ("loop", "uvloop"): "uvicorn-loop-uvloop",
    ("reloader", "watchfiles"): "uvicorn-reload",
}


class PluginError(Exception):
    """A selection that cannot be satisfied; the message is meant for the user as is."""


def is_available(implementation: Implementation) -> tuple[bool, str | None]:
    """Whether every import name the implementation requires can be found, and why not."""
    for module_name in implementation.requires:
        try:
            found = importlib.util.find_spec(module_name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return False, f"requires {module_name!r}, which is not installed"
    return True, None


class Entry(NamedTuple):
    implementation: Implementation
    available: bool
    reason: str | None


class Registry:
    """All implementations of every kind, as registered by the plugins of one host."""

    def __init__(self, host: PluginHost) -> None:
        from uvicorn._hooks import KIND_COLLECTORS

        self.host = host
        self._entries: dict[KindName, list[Entry]] = {}
        self._duplicates: list[PluginFailure] = []
        for key, collect in KIND_COLLECTORS.items():
            kind_key: KindName = key  # type: ignore[assignment]  # keys are KindName literals
            self._entries[kind_key] = self._build(kind_key, collect(host))

    def _build(self, kind: KindName, found: list[Implementation]) -> list[Entry]:
        from uvicorn._hooks import PluginFailure

        by_name: dict[str, Implementation] = {}
        for implementation in found:
            if implementation.name in ("auto", "none") or implementation.name in by_name:
                owner = by_name.get(implementation.name)
                taken = f"already provided by {owner.distribution}" if owner else "reserved"
                self._duplicates.append(
                    PluginFailure(
                        implementation.name,
                        implementation.distribution,
                        implementation.version,
                        f"{KINDS[kind].label} name {implementation.name!r} is {taken}; ignored",
                    )
                )
                continue
            by_name[implementation.name] = implementation
        entries = [Entry(impl, *is_available(impl)) for impl in by_name.values()]
        entries.sort(key=lambda entry: (-entry.implementation.priority, entry.implementation.name))
        return entries

    @property
    def failures(self) -> list[PluginFailure]:
        return [*self.host.failures, *self._duplicates]

    def entries(self, kind: KindName) -> list[Entry]:
        return list(self._entries[kind])

    def names(self, kind: KindName) -> list[str]:
        return [entry.implementation.name for entry in self._entries[kind]]

    def get(self, kind: KindName, name: str) -> Entry | None:
        for entry in self._entries[kind]:
            if entry.implementation.name == name:
                return entry
        return None

    def auto(self, kind: KindName) -> Implementation | None:
        """The available implementation with the highest priority, if any."""
        for entry in self._entries[kind]:
            if entry.available:
                return entry.implementation
        return None

    def select(self, kind: KindName, name: str) -> Implementation:
        """The implementation for ``name`` (or ``auto``), or a PluginError that says why not."""
        info = KINDS[kind]
        if name == "auto":
            chosen = self.auto(kind)
            if chosen is None:
                raise PluginError(self._nothing_installed_message(kind))
            return chosen
        entry = self.get(kind, name)
        if entry is not None:
            if not entry.available:
                impl = entry.implementation
                raise PluginError(
                    f"{info.label} {name!r} ({impl.distribution} {impl.version}) is not "
                    f"available: {entry.reason}. Reinstall {impl.distribution} to fix it."
                )
            return entry.implementation
        for failure in self.failures:
            if failure.name == name:
                raise PluginError(
                    f"{info.label} {name!r} cannot be used: {failure.origin} failed to "
                    f"load ({failure.error})."
                )
        raise PluginError(self._unknown_name_message(kind, name))

    def _unknown_name_message(self, kind: KindName, name: str) -> str:
        info = KINDS[kind]
        entries = self._entries[kind]
        installed = ", ".join(e.implementation.name for e in entries if e.available) or "none"
        message = f"Unknown {info.label} {name!r} for {info.option}. Installed: {installed}."
        unavailable = [e.implementation.name for e in entries if not e.available]
        if unavailable:
            message += f" Unavailable: {', '.join(unavailable)}."
        package = OFFICIAL_PACKAGES.get((kind, name))
        if package is not None:
            message += f" {name!r} is provided by {package}: pip install {package}"
        else:
            message += (
                " Pass an installed name, 'auto', or an import string 'module:attribute'"
                " (see uvicorn --list-plugins)."
            )
        return message

    def _nothing_installed_message(self, kind: KindName) -> str:
        info = KINDS[kind]
        packages = sorted({pkg for (k, _), pkg in OFFICIAL_PACKAGES.items() if k == kind})
        message = f"No {info.label} is installed."
        unavailable = [entry for entry in self._entries[kind] if not entry.available]
        if unavailable:
            reasons = "; ".join(f"{e.implementation.name}: {e.reason}" for e in unavailable)
            message = f"No {info.label} is available ({reasons})."
        if packages:
            message += " Install one of: " + ", ".join(packages) + " (pip install <name>)."
        return message


_lock = threading.Lock()
_registry: Registry | None = None


def get_registry() -> Registry:
    """The process-wide registry, discovering plugins the first time it is needed."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                from uvicorn._hooks import create_host

                _registry = Registry(create_host())
    return _registry


def set_registry(registry: Registry | None) -> None:
    """Replace the process-wide registry (``None`` rediscovers on next use). For tests."""
    global _registry
    with _lock:
        _registry = registry


class RegistryMapping(Mapping[str, str | None]):
    """A read-only ``name -> "module:attribute"`` view of one kind, filled on first read.

    ``auto`` maps to the target ``auto`` resolves to (absent when nothing is available);
    kinds that accept ``none`` map it to ``None``.
    """

    def __init__(self, kind: KindName) -> None:
        self._kind = kind

    def _snapshot(self) -> dict[str, str | None]:
        registry = get_registry()
        result: dict[str, str | None] = {}
        chosen = registry.auto(self._kind)
        if chosen is not None:
            result["auto"] = chosen.target
        if KINDS[self._kind].accepts_none:
            result["none"] = None
        for entry in registry.entries(self._kind):
            result[entry.implementation.name] = entry.implementation.target
        return result

    def __getitem__(self, key: str) -> str | None:
        return self._snapshot()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot())

    def __len__(self) -> int:
        return len(self._snapshot())

    def __repr__(self) -> str:
        return repr(self._snapshot())


def format_plugin_listing(registry: Registry) -> str:
    """The table ``uvicorn --list-plugins`` prints."""
    rows: list[tuple[str, str, str, str, str]] = []
    for key, info in KINDS.items():
        chosen = registry.auto(key)
        for entry in registry.entries(key):
            impl = entry.implementation
            if entry.available:
                status = "available"
                if chosen is not None and impl.name == chosen.name:
                    status += " (auto)"
            else:
                status = f"unavailable: {entry.reason}"
            rows.append((key, impl.name, impl.distribution or "-", impl.version or "-", status))
        if not registry.entries(key) and info.key == "http":
            rows.append((key, "-", "-", "-", "none installed (pip install uvicorn-http-h11)"))
    header = ("KIND", "NAME", "DISTRIBUTION", "VERSION", "STATUS")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    for failure in registry.failures:
        lines.append(f"error: {failure.origin} was skipped: {failure.error}")
    return "\n".join(lines)
