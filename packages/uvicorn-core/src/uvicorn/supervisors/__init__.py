"""Supervisors that run servers in child processes: reloaders and multiprocess workers.

Which one runs is decided once, at startup: ``--reload`` uses the available reloader
(a :class:`~uvicorn.supervisors.basereload.BaseReload` subclass registered through the
``uvicorn_reloaders`` hook) with the highest priority, so watchfiles (uvicorn-reload)
wins over the core's stat poller; ``--workers N`` uses the available process manager
(``uvicorn_process_managers``) with the highest priority, the core's ``multiprocess``
unless a plugin outranks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import Server
    from uvicorn.supervisors.basereload import BaseReload

__all__ = ["ChangeReload", "Multiprocess", "reloader_class", "run_supervised"]


def reloader_class() -> type[BaseReload]:
    """The reloader ``--reload`` uses: the available one with the highest priority."""
    from uvicorn._registry import PluginError, get_registry
    from uvicorn.importer import import_from_string
    from uvicorn.supervisors.basereload import BaseReload

    failures = []
    for entry in get_registry().entries("reloader"):
        if not entry.available:
            continue
        implementation = entry.implementation
        try:
            candidate = import_from_string(implementation.target)
        except Exception as exc:  # noqa: BLE001 - reported if no reloader is left
            failures.append(f"{implementation.name}: {type(exc).__name__}: {exc}")
            continue
        if isinstance(candidate, type) and issubclass(candidate, BaseReload):
            return candidate
    detail = f" ({'; '.join(failures)})" if failures else ""
    raise PluginError(f"No reloader is available for --reload{detail}.")


def worker_supervisor_class() -> type[Any]:
    """The process manager ``--workers N`` uses: the available one with the highest priority."""
    from uvicorn.config import resolve_implementation

    supervisor: type[Any] = resolve_implementation("process-manager", "auto")
    return supervisor


def run_supervised(config: Config, server: Server) -> bool:
    """Serve under a reloader or the worker supervisor if ``config`` asks for one.

    Returns False when neither ``--reload`` nor ``--workers > 1`` applies: the caller then
    runs the server in this process. Refusals are startup failures (exit code 3).
    """
    from uvicorn._registry import PluginError
    from uvicorn.config import startup_failure

    try:
        if config.should_reload:
            supervisor_class: type[Any] = reloader_class()
            if (config.reload_includes or config.reload_excludes) and not getattr(
                supervisor_class, "supports_patterns", False
            ):
                startup_failure(
                    "--reload-include and --reload-exclude need the watchfiles reloader, "
                    "which is not installed: pip install uvicorn-reload (the built-in stat "
                    "reloader watches *.py files only)."
                )
        elif config.workers > 1:
            supervisor_class = worker_supervisor_class()
        else:
            return False
    except PluginError as exc:
        startup_failure("%s", exc)
    sockets = config.bind_sockets()
    server._log_started_message(sockets)
    supervisor_class(config, target=server.run, sockets=sockets).run()
    return True


def __getattr__(name: str) -> object:
    # uvicorn's public names, imported only when asked for.
    if name == "ChangeReload":
        return reloader_class()
    if name == "Multiprocess":
        from uvicorn.supervisors.multiprocess import Multiprocess

        return Multiprocess
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
