"""What the suites need from the session they run in, wherever they are collected from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from uvicorn.testing.utils import uvicorn_loggers_restored


def pytest_configure(config: pytest.Config) -> None:
    # The suites mark their tests; an author's session may declare neither marker.
    config.addinivalue_line("markers", "subprocess: starts a server in a child process")
    if not config.pluginmanager.hasplugin("timeout"):
        config.addinivalue_line("markers", "timeout(seconds): honoured by pytest-timeout")


@pytest.fixture(autouse=True)
def _restore_uvicorn_loggers() -> Iterator[None]:
    with uvicorn_loggers_restored():
        yield
