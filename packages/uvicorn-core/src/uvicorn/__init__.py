"""uvicorn: an ASGI server whose protocols, loops and supervisors are plugins.

The public names are loaded on first use so that ``import uvicorn`` stays cheap and never
triggers plugin discovery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from uvicorn._version import __version__

if TYPE_CHECKING:
    from uvicorn._implementation import Implementation
    from uvicorn._markers import hookimpl, hookspec
    from uvicorn.config import Config
    from uvicorn.main import main, run
    from uvicorn.server import Server

__all__ = [
    "Config",
    "Implementation",
    "Server",
    "__version__",
    "hookimpl",
    "hookspec",
    "main",
    "run",
]

_LAZY = {
    "Implementation": "uvicorn._implementation",
    "Config": "uvicorn.config",
    "Server": "uvicorn.server",
    "main": "uvicorn.main",
    "run": "uvicorn.main",
    "hookimpl": "uvicorn._markers",
    "hookspec": "uvicorn._markers",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'uvicorn' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
