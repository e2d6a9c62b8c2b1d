"""The kit's pytest plugin, loaded in every pytest session of whoever installs uvicorn-core
(entry point ``pytest11``: ``uvicorn = "uvicorn.testing.plugin"``).

It stays inert unless used: loading it imports only pytest and this module, registers the
``--uvicorn-*`` options and the fixtures below, and does nothing else. Plugin discovery
runs only when a test asks for ``http_impl``, ``http2_impl``, ``ws_impl`` or ``loop_impl``, or
when one of the options is given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from uvicorn._registry import KindName
    from uvicorn.testing.utils import RunningServer, ServerProcess

#: Kind -> (the fixture a test names to be run once per implementation, what it is).
FIXTURES: Final[dict[KindName, tuple[str, str]]] = {
    "http": ("http_impl", "HTTP"),
    "http2": ("http2_impl", "HTTP/2"),
    "ws": ("ws_impl", "WebSocket"),
    "loop": ("loop_impl", "event loop"),
}
_SELECTION: Final = pytest.StashKey[dict[str, list[str]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("uvicorn", "uvicorn plugin conformance kit (uvicorn.testing)")
    for kind, (fixture, label) in FIXTURES.items():
        group.addoption(
            f"--uvicorn-{kind}",
            dest=f"uvicorn_{kind}",
            action="append",
            metavar="NAME[,NAME]",
            help=f"{label} implementations that tests using the {fixture} fixture run against:"
            " plugin names or 'module:Class' import strings (default: every available one)",
        )


def pytest_configure(config: pytest.Config) -> None:
    # Checked up front only when asked for: a wrong name is a usage error, not N failures.
    for kind in FIXTURES:
        if config.getoption(f"uvicorn_{kind}"):
            selected_implementations(config, kind)


#: The kit's HTTP/2 suite: collected only where an HTTP/2 implementation can be tested.
HTTP2_SUITE: Final = Path(__file__).resolve().parent / "conformance" / "http2"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave the HTTP/2 suite out when no HTTP/2 implementation is installed (an HTTP/1.1
    or WebSocket plugin's author has nothing there to check; it would only skip)."""
    if collection_path == HTTP2_SUITE and not selected_implementations(config, "http2"):
        return True
    return None


def available_implementations(kind: KindName) -> list[str]:
    """Names of the installed and usable implementations of ``kind``, best first."""
    from uvicorn._registry import get_registry

    return [entry.implementation.name for entry in get_registry().entries(kind) if entry.available]


def selected_implementations(config: pytest.Config, kind: KindName) -> list[str]:
    """What ``--uvicorn-<kind>`` names (each checked against the registry), or every
    available implementation when the option is not given."""
    cache = config.stash.setdefault(_SELECTION, {})
    if kind not in cache:
        raw: list[str] | None = config.getoption(f"uvicorn_{kind}")
        if raw is None:
            cache[kind] = available_implementations(kind)
        else:
            names = [name.strip() for item in raw for name in item.split(",") if name.strip()]
            for name in names:
                check_implementation(kind, name)
            cache[kind] = list(dict.fromkeys(names))
    return cache[kind]


def check_implementation(kind: KindName, name: str) -> None:
    """Raise a usage error naming what is installed, unless ``name`` can be served."""
    from uvicorn._registry import PluginError, get_registry

    if ":" in name:
        return  # an import string: Config imports it, as ``uvicorn --http module:Class`` does
    try:
        get_registry().select(kind, name)
    except PluginError as exc:
        raise pytest.UsageError(f"--uvicorn-{kind} {name}: {exc}") from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for kind, (fixture, label) in FIXTURES.items():
        if fixture not in metafunc.fixturenames:
            continue
        names = selected_implementations(metafunc.config, kind)
        if names:
            metafunc.parametrize(fixture, names, ids=names, indirect=True)
        else:
            reason = f"no {label} implementation is installed (see uvicorn --list-plugins)"
            none = pytest.param(None, id=f"no-{kind}", marks=pytest.mark.skip(reason=reason))
            metafunc.parametrize(fixture, [none], indirect=True)


def _implementation(request: pytest.FixtureRequest) -> str:
    name: str = getattr(request, "param", "")
    if not name:
        raise pytest.UsageError(
            f"{request.fixturename} is parametrized by uvicorn.testing.plugin; "
            "is the plugin disabled (-p no:uvicorn)?"
        )
    return name


@pytest.fixture(scope="session")
def http_impl(request: pytest.FixtureRequest) -> str:
    """Name of the HTTP implementation under test: the test runs once per ``--uvicorn-http``
    name (default: every available one). Pass it on: ``run_server(app, http=http_impl)``."""
    return _implementation(request)


@pytest.fixture(scope="session")
def http2_impl(request: pytest.FixtureRequest) -> str:
    """Name of the multiplexed (HTTP/2) implementation under test, once per
    ``--uvicorn-http2`` name. Pass it on: ``run_server(app, http2=http2_impl)``."""
    return _implementation(request)


@pytest.fixture(scope="session")
def ws_impl(request: pytest.FixtureRequest) -> str:
    """Name of the WebSocket implementation under test, once per ``--uvicorn-ws`` name."""
    return _implementation(request)


@pytest.fixture(scope="session")
def loop_impl(request: pytest.FixtureRequest) -> str:
    """Name of the event loop implementation under test, once per ``--uvicorn-loop`` name."""
    return _implementation(request)


@pytest.fixture
def uvicorn_server() -> Iterator[Callable[..., RunningServer]]:
    """Start ``app`` in a server thread on ``127.0.0.1:0``: ``uvicorn_server(app,
    http=http_impl, **config_options)`` returns once it listens (``.url``, ``.port``,
    ``.state``); every server is shut down and joined when the test ends."""
    from uvicorn.testing.utils import run_server

    with contextlib.ExitStack() as stack:

        def start(app: Any, **config_options: Any) -> RunningServer:
            return stack.enter_context(run_server(app, **config_options))

        yield start


@pytest.fixture
def uvicorn_process() -> Iterator[Callable[..., ServerProcess]]:
    """Start ``python -m uvicorn ARGS`` in a child process: ``uvicorn_process(["pkg:app",
    "--http", http_impl], env=None, cwd=None)`` returns once it listens (``.port``,
    ``.output``); ``--port 0`` is added unless ARGS bind otherwise. Every process group is
    killed when the test ends."""
    from uvicorn.testing.utils import ServerProcess

    with contextlib.ExitStack() as stack:

        def start(args: list[str], **options: Any) -> ServerProcess:
            if not {"--port", "--uds", "--fd"} & set(args):
                args = [*args, "--port", "0"]
            process = stack.enter_context(ServerProcess(args, **options))
            process.wait_running()
            return process

        yield start
