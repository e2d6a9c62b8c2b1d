"""The kit's core-validation checks, against two plugins that are not installed here.

The kit (uvicorn.testing.conformance.http.test_core_validation) runs them for every
installed HTTP implementation. These run them for the example third-party plugin
``acme`` (installed from ``examples/uvicorn-http-acme`` through its entry point, as a
user installs it) and ``lax`` (``tests/lax_http.py``), a hand-written parser that passes
every byte on: it shows the checks hold for a plugin however little its parser checks.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import available_implementations
from tests.lax_http import LaxPlugin
from tests.plugin_fixtures import registry_with, write_distribution
from tests.utils import ROOT
from uvicorn.testing.conformance.http.test_core_validation import (
    FORBIDDEN_HEADS,
    check_allowed,
    check_refused,
)

pytestmark = pytest.mark.timeout(30)

ACME_SOURCE = ROOT / "examples" / "uvicorn-http-acme" / "src"


def http_plugins() -> list[str]:
    names = []
    if "acme" not in available_implementations("http") and importlib.util.find_spec("h11"):
        names.append("acme")  # installed by the fixture below
    return [*names, "lax"]


@pytest.fixture(params=http_plugins())
def http_plugin(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The name of an HTTP implementation the process-wide registry can select."""
    name: str = request.param
    if name == "lax":
        with registry_with(LaxPlugin()):
            yield name
    elif name == "acme" and "acme" not in available_implementations("http"):
        write_distribution(tmp_path, "uvicorn-http-acme", {"acme": "acme_http._plugin"}, modules={})
        monkeypatch.syspath_prepend(str(ACME_SOURCE))
        monkeypatch.syspath_prepend(str(tmp_path))
        with registry_with(entry_points=True) as registry:
            assert registry.get("http", "acme") is not None
            yield name
    else:
        yield name


@pytest.mark.parametrize("request_bytes", FORBIDDEN_HEADS)
def test_forbidden_bytes_in_head_get_400_and_close_before_the_app(
    http_plugin: str, request_bytes: bytes
) -> None:
    check_refused(http_plugin, request_bytes)


def test_htab_and_obs_text_in_header_value_reach_the_app(http_plugin: str) -> None:
    check_allowed(http_plugin)
