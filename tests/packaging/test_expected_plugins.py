"""Implementations this tree ships must be installed and usable: missing ones fail, not skip."""

from __future__ import annotations

import importlib.util

from tests.conftest import expected_plugins
from uvicorn._registry import get_registry
from uvicorn.testing._optional import CLIENTS, REQUIRE_CLIENTS_VARIABLE, clients_required


def test_expected_implementations_are_available() -> None:
    registry = get_registry()
    missing = []
    for kind, name in expected_plugins():
        entry = registry.get(kind, name)  # type: ignore[arg-type]  # kinds come from the env
        if entry is None or not entry.available:
            missing.append(f"{kind}:{name}")
    assert missing == [], f"expected implementations missing: {missing}"


def test_no_plugin_failed_to_load() -> None:
    assert [failure.origin + ": " + failure.error for failure in get_registry().failures] == []


def test_kit_clients_are_installed_when_required() -> None:
    """In our CI (``UVICORN_KIT_REQUIRE_CLIENTS=1``) every client library the kit's tests
    speak with is installed, so none of its tests can skip for want of one."""
    assert clients_required(), f"set {REQUIRE_CLIENTS_VARIABLE}=1 where the whole suite runs"
    missing = [name for name in CLIENTS if importlib.util.find_spec(name) is None]
    assert missing == [], f"the kit's clients are missing: {missing}"
