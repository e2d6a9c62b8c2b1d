"""Build plugin environments for tests: in-memory plugins and real temporary distributions."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from pathlib import Path

from uvicorn._hooks import create_host
from uvicorn._registry import Registry, set_registry


@contextlib.contextmanager
def registry_with(*plugins: object, entry_points: bool = False) -> Iterator[Registry]:
    """Make the process-wide registry hold the built-ins plus ``plugins``; always restore it."""
    host = create_host(load_entry_points=entry_points)
    for index, plugin in enumerate(plugins):
        host.register(plugin, f"test-plugin-{index}", "test-dist", "9.9")
    host.check_pending()
    registry = Registry(host)
    set_registry(registry)
    try:
        yield registry
    finally:
        set_registry(None)


def write_distribution(
    site: Path,
    dist_name: str,
    entry_points: dict[str, str],
    modules: dict[str, str],
    version: str = "0.1.0",
) -> None:
    """Create an installed-looking distribution (dist-info with entry points) in ``site``."""
    dist_info = site / f"{dist_name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n"
    )
    lines = ["[uvicorn]", *(f"{name} = {target}" for name, target in entry_points.items())]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    for module_path, source in modules.items():
        path = site / module_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
