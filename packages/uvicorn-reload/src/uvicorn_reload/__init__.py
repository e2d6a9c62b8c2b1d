"""Reload uvicorn with watchfiles. ``WatchFilesReload`` is imported on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from uvicorn.importer import lazy_attributes

if TYPE_CHECKING:
    from uvicorn_reload._reload import FileFilter, WatchFilesReload

__all__ = ["FileFilter", "WatchFilesReload"]
__getattr__ = lazy_attributes(
    __name__,
    {"WatchFilesReload": "uvicorn_reload._reload", "FileFilter": "uvicorn_reload._reload"},
)
