"""Typed facade over the pluggy plugin manager: the only module that calls hooks.

Discovery walks the ``uvicorn`` entry points itself and registers each plugin module on
its own, so that a broken plugin is recorded with its distribution and skipped instead of
stopping discovery. Hooks are called once per plugin, which lets the core attribute every
implementation to the distribution that provides it and isolate a plugin whose hook fails.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import warnings
from collections.abc import Callable
from typing import Final

import pluggy

from uvicorn import _builtins, hookspecs
from uvicorn._implementation import Implementation
from uvicorn._markers import PROJECT_NAME

ENTRY_POINT_GROUP: Final = "uvicorn"
BUILTIN_PLUGIN_NAME: Final = "uvicorn-core"
# The hook that registered reloaders and worker supervisors together, before 0.1 split it.
DEPRECATED_SUPERVISORS_HOOK: Final = "uvicorn_supervisors"


@dataclasses.dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be loaded or whose hook failed."""

    name: str
    distribution: str | None
    version: str | None
    error: str

    @property
    def origin(self) -> str:
        if self.distribution is None:
            return f"plugin {self.name!r}"
        return f"plugin {self.name!r} from {self.distribution} {self.version}"


@dataclasses.dataclass(frozen=True)
class _Origin:
    distribution: str | None
    version: str | None


class PluginHost:
    """A plugin manager plus what the core knows about where each plugin came from."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(PROJECT_NAME)
        self.manager.add_hookspecs(hookspecs)
        self.failures: list[PluginFailure] = []
        self._origins: dict[str, _Origin] = {}

    def register(
        self,
        plugin: object,
        name: str,
        distribution: str | None = None,
        version: str | None = None,
    ) -> bool:
        """Register one plugin object; record a failure instead of raising."""
        try:
            self.manager.register(plugin, name=name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            self.failures.append(PluginFailure(name, distribution, version, _describe(exc)))
            return False
        self._origins[name] = _Origin(distribution, version)
        callers = self.manager.get_hookcallers(plugin) or []
        if any(caller.name == DEPRECATED_SUPERVISORS_HOOK for caller in callers):
            origin = PluginFailure(name, distribution, version, "").origin
            warnings.warn(
                f"{origin} implements the deprecated hook {DEPRECATED_SUPERVISORS_HOOK}: "
                "what it returns is registered as reloaders. Implement uvicorn_reloaders "
                "(or uvicorn_process_managers for --workers) instead.",
                DeprecationWarning,
                stacklevel=2,
            )
        return True

    def unregister(self, name: str) -> None:
        self.manager.unregister(name=name)
        self._origins.pop(name, None)

    def load_entry_points(self) -> None:
        """Import and register every plugin module of the ``uvicorn`` entry-point group."""
        seen: set[str] = set()
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = entry_point.dist
            dist_name = dist.name if dist is not None else None
            dist_version = dist.version if dist is not None else None
            if entry_point.name in seen:
                # The same distribution visible twice on sys.path: keep the first copy.
                continue
            seen.add(entry_point.name)
            try:
                plugin = entry_point.load()
            except Exception as exc:  # noqa: BLE001 - any failure of a plugin is recorded
                self.failures.append(
                    PluginFailure(entry_point.name, dist_name, dist_version, _describe(exc))
                )
                continue
            self.register(plugin, entry_point.name, dist_name, dist_version)

    def check_pending(self) -> None:
        """Fail loudly on a hook implementation that matches no specification."""
        self.manager.check_pending()

    def http_protocols(self) -> list[Implementation]:
        return self._collect("uvicorn_http_protocols")

    def multiplexed_protocols(self) -> list[Implementation]:
        return self._collect("uvicorn_multiplexed_protocols")

    def ws_protocols(self) -> list[Implementation]:
        return self._collect("uvicorn_ws_protocols")

    def loop_factories(self) -> list[Implementation]:
        return self._collect("uvicorn_loop_factories")

    def lifespans(self) -> list[Implementation]:
        return self._collect("uvicorn_lifespans")

    def reloaders(self) -> list[Implementation]:
        # Plugins written before the split registered reloaders as "supervisors".
        return [
            *self._collect("uvicorn_reloaders"),
            *self._collect(DEPRECATED_SUPERVISORS_HOOK),
        ]

    def process_managers(self) -> list[Implementation]:
        return self._collect("uvicorn_process_managers")

    def _collect(self, hook_name: str) -> list[Implementation]:
        """Call one registration hook plugin by plugin and stamp each record's origin."""
        results: list[Implementation] = []
        plugins = self.manager.list_name_plugin()
        for name, plugin in plugins:
            caller = self.manager.subset_hook_caller(
                hook_name, remove_plugins=[other for _, other in plugins if other is not plugin]
            )
            origin = self._origins.get(name, _Origin(None, None))
            try:
                returned = caller()
            except Exception as exc:  # noqa: BLE001 - a failing hook only disables its plugin
                self.failures.append(
                    PluginFailure(name, origin.distribution, origin.version, _describe(exc))
                )
                continue
            for batch in returned:
                if not isinstance(batch, list | tuple) or not all(
                    isinstance(item, Implementation) for item in batch
                ):
                    self.failures.append(
                        PluginFailure(
                            name,
                            origin.distribution,
                            origin.version,
                            f"{hook_name}() must return a list of uvicorn.Implementation, "
                            f"got {batch!r}",
                        )
                    )
                    continue
                for item in batch:
                    results.append(
                        dataclasses.replace(
                            item, distribution=origin.distribution, version=origin.version
                        )
                    )
        return results


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def create_host(load_entry_points: bool = True) -> PluginHost:
    """A plugin host with the core built-ins and, normally, every installed plugin."""
    host = PluginHost()
    core_version = _core_version()
    host.register(_builtins, BUILTIN_PLUGIN_NAME, BUILTIN_PLUGIN_NAME, core_version)
    if load_entry_points:
        host.load_entry_points()
    host.check_pending()
    return host


def _core_version() -> str | None:
    try:
        return importlib.metadata.version(BUILTIN_PLUGIN_NAME)
    except importlib.metadata.PackageNotFoundError:
        return None


HookCollector = Callable[[PluginHost], list[Implementation]]

KIND_COLLECTORS: Final[dict[str, HookCollector]] = {
    "http": PluginHost.http_protocols,
    "http2": PluginHost.multiplexed_protocols,
    "ws": PluginHost.ws_protocols,
    "loop": PluginHost.loop_factories,
    "lifespan": PluginHost.lifespans,
    "reloader": PluginHost.reloaders,
    "process-manager": PluginHost.process_managers,
}
