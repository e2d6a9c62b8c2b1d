"""Shared fixtures. ``http_impl``, ``ws_impl`` and ``loop_impl`` come from the kit's pytest
plugin (``uvicorn.testing.plugin``), parametrized from the registry as any author's are."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from uvicorn.testing.plugin import available_implementations
from uvicorn.testing.utils import uvicorn_loggers_restored

__all__ = ["available_implementations", "expected_plugins"]


def expected_plugins() -> list[tuple[str, str]]:
    """``UVICORN_EXPECTED_PLUGINS="http:h11 ws:wsproto"``: what must be installed and usable."""
    raw = os.environ.get("UVICORN_EXPECTED_PLUGINS", "")
    pairs = []
    for item in raw.replace(",", " ").split():
        kind, _, name = item.partition(":")
        pairs.append((kind, name))
    return pairs


@pytest.fixture(autouse=True)
def _restore_uvicorn_loggers() -> Iterator[None]:
    with uvicorn_loggers_restored():
        yield
