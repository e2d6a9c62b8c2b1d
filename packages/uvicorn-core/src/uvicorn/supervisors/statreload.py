"""``--reload`` without watchfiles: poll the modification time of every ``*.py`` file."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

from uvicorn.config import Config
from uvicorn.supervisors.basereload import BaseReload


class StatReload(BaseReload):
    """Restarts when a watched ``*.py`` file's modification time changes.

    Polling sees edits of files that existed at the last restart; new files and the
    ``--reload-include``/``--reload-exclude`` patterns need the watchfiles reloader.
    """

    def __init__(
        self, config: Config, target: Callable[..., None], sockets: list[socket.socket]
    ) -> None:
        super().__init__(config, target, sockets)
        self.reloader_name = "StatReload"
        self.mtimes: dict[Path, float] = {}
        self.take_baseline()

    def take_baseline(self) -> None:
        """Record the current modification times, so the first edit already counts."""
        for path in self.iter_py_files():
            try:
                self.mtimes[path] = path.stat().st_mtime
            except OSError:
                continue

    def should_restart(self) -> list[Path] | None:
        self.pause()
        changed = []
        for path in self.iter_py_files():
            try:
                mtime = path.stat().st_mtime
            except OSError:
                continue  # removed between listing and stat
            known = self.mtimes.setdefault(path, mtime)
            if mtime != known:
                changed.append(path)
        if changed:
            self.mtimes = {}
            self.take_baseline()  # later edits count from here
            return changed
        return None

    def iter_py_files(self) -> Iterator[Path]:
        for directory in self.watched_dirs:
            for path in directory.rglob("*.py"):
                yield path.resolve()
