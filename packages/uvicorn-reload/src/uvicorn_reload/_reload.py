"""``--reload`` on watchfiles: restart the server when a matching file changes."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, Final

from watchfiles import Change, watch

from uvicorn.config import Config
from uvicorn.supervisors.basereload import BaseReload

DEFAULT_INCLUDES: Final = ("*.py",)
DEFAULT_EXCLUDES: Final = (".*", ".py[cod]", ".sw.*", "~*")
WATCH_TIMEOUT_MS: Final = 200  # how long one wait for changes lasts; events are never lost


class FileFilter:
    """Which changed paths count: uvicorn's default patterns plus the user's.

    A path counts when it matches an include pattern, matches no exclude pattern and lies
    in no excluded directory (an exclude naming an existing directory excludes its tree).
    As upstream, a path that ends with an include pattern counts whatever the excludes
    say: ``--reload-include .env`` watches ``.env`` although the default ``.*`` excludes
    dotfiles. (A pattern both included and excluded was dropped from the includes by
    the config.) Patterns match from the right, like :meth:`pathlib.PurePath.match`.
    """

    def __init__(self, config: Config) -> None:
        user_includes = list(config.reload_includes)
        user_excludes = list(config.reload_excludes)
        self.includes = [p for p in DEFAULT_INCLUDES if p not in user_excludes]
        self.includes += [p for p in user_includes if p not in self.includes]
        self.excludes = [p for p in DEFAULT_EXCLUDES if p not in user_includes]
        self.excludes += [p for p in user_excludes if p not in self.excludes]
        self.exclude_dirs: list[Path] = []
        for pattern in list(self.excludes):
            candidate = Path(pattern)
            if candidate.is_dir():
                self.exclude_dirs.append(candidate.resolve())
                self.excludes.remove(pattern)
        self.exclude_dirs += list(config.reload_dirs_excludes)
        self.exclude_dirs = list(dict.fromkeys(self.exclude_dirs))

    def __call__(self, path: Path) -> bool:
        matched = [pattern for pattern in self.includes if path.match(pattern)]
        if not matched:
            return False
        text = str(path)
        if any(text.endswith(pattern) for pattern in matched):
            return True  # the file is named outright
        if any(directory in path.parents for directory in self.exclude_dirs):
            return False
        return not any(path.match(pattern) for pattern in self.excludes)


class WatchFilesReload(BaseReload):
    """The reloader ``--reload`` picks when uvicorn-reload is installed."""

    supports_patterns: ClassVar[bool] = True

    def __init__(
        self, config: Config, target: Callable[..., None], sockets: list[socket.socket]
    ) -> None:
        super().__init__(config, target, sockets)
        self.reloader_name = "WatchFiles"
        self.watch_filter = FileFilter(config)
        self.watcher = watch(
            *self.watched_dirs,
            watch_filter=None,
            stop_event=self.should_exit,
            yield_on_timeout=True,
            rust_timeout=WATCH_TIMEOUT_MS,
        )
        self.primed: set[tuple[Change, str]] = set()

    def startup(self) -> None:
        # watchfiles starts watching on the first next(): do it before the server starts,
        # so that an edit made while the server boots is not missed. It returns after
        # WATCH_TIMEOUT_MS with no changes (or with the changes, seen again right away).
        self.primed = next(self.watcher, set())
        super().startup()

    def should_restart(self) -> list[Path] | None:
        self.pause()
        changes = self.primed or next(self.watcher)
        self.primed = set()
        if not changes:
            return None
        changed = {Path(path) for _, path in changes}
        matching = sorted(path for path in changed if self.watch_filter(path))
        return matching or None
