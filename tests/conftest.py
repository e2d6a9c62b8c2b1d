"""Shared fixtures: implementations parametrized from the registry, real servers on port 0."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from uvicorn._registry import KindName, get_registry


def available_implementations(kind: KindName) -> list[str]:
    return [entry.implementation.name for entry in get_registry().entries(kind) if entry.available]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "http_impl" in metafunc.fixturenames:
        names = available_implementations("http")
        metafunc.parametrize("http_impl", names, ids=names)
    if "ws_impl" in metafunc.fixturenames:
        names = available_implementations("ws")
        metafunc.parametrize("ws_impl", names, ids=names)
    if "loop_impl" in metafunc.fixturenames:
        names = available_implementations("loop")
        metafunc.parametrize("loop_impl", names, ids=names)


def expected_plugins() -> list[tuple[str, str]]:
    """``UVICORN_EXPECTED_PLUGINS="http:h11 ws:wsproto"``: what must be installed and usable."""
    raw = os.environ.get("UVICORN_EXPECTED_PLUGINS", "")
    pairs = []
    for item in raw.replace(",", " ").split():
        kind, _, name = item.partition(":")
        pairs.append((kind, name))
    return pairs


_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


@pytest.fixture(autouse=True)
def _restore_uvicorn_loggers() -> Iterator[None]:
    """Config() configures logging process-wide; put every uvicorn logger back afterwards."""
    saved = []
    for name in _UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, list(logger.handlers), logger.propagate))
    yield
    for logger, level, handlers, propagate in saved:
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate
