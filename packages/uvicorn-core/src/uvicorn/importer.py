"""Import an object from a ``"module:attribute"`` string with errors a user can act on."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


class ImportFromStringError(Exception):
    pass


def import_from_string(import_str: Any) -> Any:
    """Return the object named by ``"package.module:attr.sub"``; non-strings pass through."""
    if not isinstance(import_str, str):
        return import_str

    module_str, _, attrs_str = import_str.partition(":")
    if not module_str or not attrs_str:
        raise ImportFromStringError(
            f'Import string "{import_str}" must be in format "<module>:<attribute>".'
        )

    try:
        module = importlib.import_module(module_str)
    except ModuleNotFoundError as exc:
        # Only translate the error when the named module itself is missing, so that an
        # ImportError raised *inside* the user's module keeps its own traceback.
        if exc.name is None or not _is_prefix(exc.name, module_str):
            raise
        raise ImportFromStringError(f'Could not import module "{module_str}".') from exc

    instance: Any = module
    try:
        for attr in attrs_str.split("."):
            instance = getattr(instance, attr)
    except AttributeError:
        raise ImportFromStringError(
            f'Attribute "{attrs_str}" not found in module "{module_str}".'
        ) from None
    return instance


def _is_prefix(missing: str, module_str: str) -> bool:
    return module_str == missing or module_str.startswith(missing + ".")


def lazy_attributes(package: str, targets: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` importing each name from its module on first access.

    Plugin packages re-export their implementation classes this way, so that loading
    the package (which loading its ``_plugin`` module does) imports no library::

        __getattr__ = lazy_attributes(__name__, {"H11Protocol": "uvicorn_http_h11._protocol"})
    """

    def __getattr__(name: str) -> Any:
        module = targets.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
