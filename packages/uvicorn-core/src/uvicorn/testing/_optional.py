"""The kit's optional test clients: a test that needs a missing one skips, saying what to
install; with ``UVICORN_KIT_REQUIRE_CLIENTS=1`` (our CI) a missing one fails instead."""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import Final

#: Import name -> the distribution that provides it, for the message.
CLIENTS: Final = {
    "httpx": "httpx",
    "websockets": "websockets",
    "hypothesis": "hypothesis",
    "trustme": "trustme",
    "anyio": "anyio",
}
REQUIRE_CLIENTS_VARIABLE: Final = "UVICORN_KIT_REQUIRE_CLIENTS"


def clients_required() -> bool:
    return os.environ.get(REQUIRE_CLIENTS_VARIABLE, "") not in ("", "0")


def import_client(module: str, *, module_level: bool = False) -> ModuleType:
    """Import ``module`` (of a client library), or skip the test (or module) that needs it."""
    import pytest

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.partition(".")[0]
        distribution = CLIENTS.get(top, top)
        if clients_required():
            pytest.fail(
                f"{distribution} is required ({REQUIRE_CLIENTS_VARIABLE} is set) but cannot be "
                f"imported: {exc}",
                pytrace=False,
            )
        pytest.skip(
            f"needs the {distribution} client library: pip install {distribution}",
            allow_module_level=module_level,
        )


def require_module(module: str) -> ModuleType:
    """For a test module that needs ``module`` in every test: call it at module level."""
    return import_client(module, module_level=True)


class LazyClient:
    """Stands for a client module in a test module, imported the first time a test uses it,
    so that tests that do not need the library still run without it."""

    def __init__(self, module: str) -> None:
        self._module_name = module
        self._module: ModuleType | None = None

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            # What pytest's collection probes (__test__, __wrapped__...): never an import.
            raise AttributeError(name)
        if self._module is None:
            self._module = import_client(self._module_name)
        return getattr(self._module, name)
