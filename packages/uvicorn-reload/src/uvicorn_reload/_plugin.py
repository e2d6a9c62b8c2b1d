"""Registers the watchfiles reloader; does not import watchfiles."""

from __future__ import annotations

from uvicorn import Implementation, hookimpl


@hookimpl
def uvicorn_reloaders() -> list[Implementation]:
    return [
        Implementation(
            name="watchfiles",
            target="uvicorn_reload._reload:WatchFilesReload",
            priority=10,
            requires=("watchfiles",),
            summary="Reload on file-system events (watchfiles), with include/exclude patterns",
        )
    ]
