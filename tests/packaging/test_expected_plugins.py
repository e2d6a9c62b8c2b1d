"""Implementations this tree ships must be installed and usable: missing ones fail, not skip."""

from __future__ import annotations

from tests.conftest import expected_plugins
from uvicorn._registry import get_registry


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
