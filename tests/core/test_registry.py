"""The plugin registry: discovery, auto resolution, availability and the errors users see."""

from __future__ import annotations

import contextlib
import importlib.metadata
import subprocess
import sys

import pytest

import uvicorn
from tests.plugin_fixtures import registry_with
from uvicorn import Implementation, hookimpl
from uvicorn._hooks import create_host
from uvicorn._registry import PluginError, Registry, get_registry
from uvicorn.config import HTTP_PROTOCOLS, LIFESPAN, LOOP_FACTORIES, WS_PROTOCOLS

pytestmark = pytest.mark.timeout(30)


class FastPlugin:
    @hookimpl
    def uvicorn_http_protocols(self) -> list[Implementation]:
        return [
            Implementation(
                name="fast",
                target="tests.apps:hello",
                priority=100,
                requires=("json",),
                summary="test implementation",
            ),
            Implementation(
                name="missing-lib",
                target="tests.apps:hello",
                priority=1000,
                requires=("no_such_library_xyz",),
            ),
        ]


class RaisingPlugin:
    @hookimpl
    def uvicorn_http_protocols(self) -> list[Implementation]:
        raise RuntimeError("plugin bug")


class WrongReturnPlugin:
    @hookimpl
    def uvicorn_ws_protocols(self) -> list[Implementation]:
        return ["not an implementation"]  # type: ignore[list-item]  # deliberately wrong


def test_auto_picks_highest_priority_available_implementation() -> None:
    with registry_with(FastPlugin(), entry_points=True) as registry:
        chosen = registry.auto("http")
        assert chosen is not None
        assert chosen.name == "fast"
        assert HTTP_PROTOCOLS["auto"] == "tests.apps:hello"


def test_unavailable_implementation_is_listed_with_reason_and_never_auto() -> None:
    with registry_with(FastPlugin()) as registry:
        entry = registry.get("http", "missing-lib")
        assert entry is not None
        assert not entry.available
        assert "no_such_library_xyz" in (entry.reason or "")
        with pytest.raises(PluginError, match="not available"):
            registry.select("http", "missing-lib")


def test_registry_fills_distribution_and_version() -> None:
    with registry_with(FastPlugin()) as registry:
        entry = registry.get("http", "fast")
        assert entry is not None
        assert (entry.implementation.distribution, entry.implementation.version) == (
            "test-dist",
            "9.9",
        )


def test_failing_hook_is_reported_and_other_plugins_still_register() -> None:
    with registry_with(RaisingPlugin(), FastPlugin(), WrongReturnPlugin()) as registry:
        assert "fast" in registry.names("http")
        errors = [failure.error for failure in registry.failures]
        assert any("plugin bug" in error for error in errors)
        assert any("must return a list of uvicorn.Implementation" in error for error in errors)


def test_unknown_official_name_says_which_package_to_install() -> None:
    with registry_with() as registry:
        with pytest.raises(PluginError) as info:
            registry.select("http", "httptools")
    message = str(info.value)
    assert "pip install uvicorn-http-httptools" in message
    assert "Installed:" in message


def test_unknown_third_party_name_lists_installed_names() -> None:
    with registry_with(FastPlugin()) as registry:
        with pytest.raises(PluginError) as info:
            registry.select("http", "nosuch")
    assert "Installed: fast. Unavailable: missing-lib." in str(info.value)
    assert "module:attribute" in str(info.value)


def test_no_http_implementation_says_which_packages_provide_one() -> None:
    with registry_with() as registry:
        with pytest.raises(PluginError) as info:
            registry.select("http", "auto")
    message = str(info.value)
    assert "No HTTP implementation is installed" in message
    assert "uvicorn-http-h11" in message
    assert "uvicorn-http-httptools" in message


def test_builtins_register_through_the_same_hooks() -> None:
    with registry_with() as registry:
        assert registry.names("loop") == ["asyncio"]
        assert registry.names("lifespan") == ["on", "off"]
        entry = registry.get("loop", "asyncio")
        assert entry is not None
        assert entry.implementation.distribution == "uvicorn-core"


def test_registry_mappings_behave_like_read_only_dicts() -> None:
    with registry_with(FastPlugin()):
        assert dict(LOOP_FACTORIES) == {
            "auto": "uvicorn.loops.asyncio:asyncio_loop_factory",
            "none": None,
            "asyncio": "uvicorn.loops.asyncio:asyncio_loop_factory",
        }
        assert LIFESPAN["off"] == "uvicorn.lifespan.off:LifespanOff"
        assert "none" in WS_PROTOCOLS
        assert "fast" in HTTP_PROTOCOLS
        assert len(HTTP_PROTOCOLS) == len(list(HTTP_PROTOCOLS))
        with pytest.raises(TypeError):
            HTTP_PROTOCOLS["x"] = "y"  # type: ignore[index]  # proves the mapping is read-only


def test_duplicate_names_keep_the_first_and_report_the_second() -> None:
    class Duplicate:
        @hookimpl
        def uvicorn_loop_factories(self) -> list[Implementation]:
            return [Implementation(name="asyncio", target="x.y:z")]

    with registry_with(Duplicate()) as registry:
        entry = registry.get("loop", "asyncio")
        assert entry is not None
        assert entry.implementation.target == "uvicorn.loops.asyncio:asyncio_loop_factory"
        assert any("already provided" in failure.error for failure in registry.failures)


def test_misspelled_hook_fails_loudly() -> None:
    class Misspelled:
        @hookimpl
        def uvicorn_http_protocol(self) -> list[Implementation]:
            return []

    host = create_host(load_entry_points=False)
    host.register(Misspelled(), "misspelled")
    with pytest.raises(Exception, match="unknown hook"):
        host.check_pending()


def test_implementation_rejects_bad_records() -> None:
    with pytest.raises(ValueError, match="module:attribute"):
        Implementation(name="x", target="no_colon")
    with pytest.raises(ValueError, match="invalid implementation name"):
        Implementation(name="a:b", target="m:a")
    with pytest.raises(TypeError, match="tuple"):
        Implementation(name="x", target="m:a", requires="h11")  # type: ignore[arg-type]  # wrong on purpose


def test_installed_entry_points_are_discovered() -> None:
    names = {ep.name for ep in importlib.metadata.entry_points(group="uvicorn")}
    registry = Registry(create_host())
    for name in names:
        kinds = ("http", "http2", "ws", "loop", "lifespan", "reloader", "process-manager")
        assert any(registry.get(kind, name) for kind in kinds), name  # type: ignore[arg-type]  # literal kinds


def test_import_uvicorn_does_not_discover_plugins() -> None:
    code = (
        "import sys, uvicorn, uvicorn.config, uvicorn._registry as r;"
        "assert r._registry is None, 'discovered at import';"
        "assert 'h11' not in sys.modules;"
        "assert 'uvicorn_http_h11' not in sys.modules;"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_hookimpl_and_implementation_are_public() -> None:
    assert uvicorn.hookimpl is hookimpl
    assert uvicorn.Implementation is Implementation
    assert get_registry() is get_registry()


class LifespanAndSupervisorPlugin:
    @hookimpl
    def uvicorn_lifespans(self) -> list[Implementation]:
        return [Implementation(name="custom", target="uvicorn.lifespan.off:LifespanOff")]

    @hookimpl
    def uvicorn_reloaders(self) -> list[Implementation]:
        return [Implementation(name="poller", target="tests.apps:hello", summary="test")]

    @hookimpl
    def uvicorn_process_managers(self) -> list[Implementation]:
        return [Implementation(name="pool", target="tests.apps:hello", priority=-1)]


def test_lifespan_and_supervisor_hooks_register_selectable_implementations() -> None:
    from uvicorn.config import resolve_implementation
    from uvicorn.lifespan.off import LifespanOff
    from uvicorn.supervisors import worker_supervisor_class
    from uvicorn.supervisors.multiprocess import Multiprocess

    with registry_with(LifespanAndSupervisorPlugin()) as registry:
        assert resolve_implementation("lifespan", "custom") is LifespanOff
        assert "custom" in LIFESPAN
        # The core registers its reloader and process manager through the same hooks.
        assert registry.names("reloader") == ["poller", "stat"]
        assert registry.names("process-manager") == ["multiprocess", "pool"]
        assert worker_supervisor_class() is Multiprocess  # "pool" ranks below it


class HighPriorityProcessManager:
    @hookimpl
    def uvicorn_process_managers(self) -> list[Implementation]:
        return [Implementation(name="pool", target="tests.apps:hello", priority=5)]


def test_workers_run_the_process_manager_with_the_highest_priority() -> None:
    from tests import apps
    from uvicorn.supervisors import worker_supervisor_class

    with registry_with(HighPriorityProcessManager()):
        assert worker_supervisor_class() is apps.hello


class OldStyleSupervisorPlugin:
    """A plugin written before the supervisors hook was split in two."""

    @hookimpl
    def uvicorn_supervisors(self) -> list[Implementation]:
        return [Implementation(name="poller", target="tests.apps:hello", summary="test")]


def test_deprecated_supervisors_hook_registers_reloaders_with_a_warning() -> None:
    with contextlib.ExitStack() as stack:
        with pytest.warns(DeprecationWarning, match=r"plugin 'test-plugin-0' from test-dist 9\.9"):
            registry = stack.enter_context(registry_with(OldStyleSupervisorPlugin()))
        assert registry.names("reloader") == ["poller", "stat"]
        assert registry.names("process-manager") == ["multiprocess"]


def test_new_reloader_hooks_register_without_a_warning() -> None:
    with registry_with(LifespanAndSupervisorPlugin()) as registry:  # filterwarnings = error
        assert "poller" in registry.names("reloader")


def test_import_string_and_objects_are_accepted_as_implementations() -> None:
    from uvicorn.config import resolve_implementation
    from uvicorn.lifespan.on import LifespanOn

    assert resolve_implementation("lifespan", "uvicorn.lifespan.on:LifespanOn") is LifespanOn
    assert resolve_implementation("lifespan", LifespanOn) is LifespanOn
    assert resolve_implementation("ws", "none") is None
    with pytest.raises(PluginError, match="Cannot import"):
        resolve_implementation("http", "no.such.module:Thing")
