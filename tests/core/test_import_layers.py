"""The core's import graph: no circle, and every import runs down the layers.

The layers of ``uvicorn``, bottom first (a module may import its own layer and the ones
below it, never one above):

1. foundation: types, header validation and encoding, the server state, the version,
   logging, the importer, the plugin markers and the ``Implementation`` record. They
   import nothing of uvicorn above them, so every other layer may use them.
2. plugin system: the hook specs, the built-in plugin, the hook facade, the registries,
   and the observers collected from the hooks.
3. ASGI middleware: app wrappers, which know nothing of the server that runs them.
4. configuration: ``uvicorn.config``, which selects implementations by name.
5. what a server runs: the protocols, lifespan handlers and event loops. They are given
   the configuration and the server state; they never import the server.
6. the server, and the helper that runs one in a child process.
7. process managers: the reloaders, the worker supervisor, the gunicorn worker.
8. the command line: ``uvicorn.main`` and ``python -m uvicorn``.
9. the package itself, ``uvicorn/__init__.py``, which re-exports names from the others.

Imports under ``if TYPE_CHECKING:`` are not run, so they are left out. Circles are looked
for among module-level imports (the ones that run while a module loads); the layers hold
for every import that runs, a lazy one inside a function included: importing lazily is no
excuse to depend on a layer above.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

pytestmark = pytest.mark.timeout(30)

CORE = Path(__file__).resolve().parents[2] / "packages" / "uvicorn-core" / "src" / "uvicorn"

LAYERS: list[tuple[str, ...]] = [
    (
        "uvicorn._types",
        "uvicorn._headers",
        "uvicorn._state",
        "uvicorn._version",
        "uvicorn._markers",
        "uvicorn._implementation",
        "uvicorn._clash",
        "uvicorn.logging",
        "uvicorn.importer",
    ),
    (
        "uvicorn.hookspecs",
        "uvicorn._builtins",
        "uvicorn._hooks",
        "uvicorn._registry",
        "uvicorn.observers",
    ),
    ("uvicorn.middleware",),
    ("uvicorn.config",),
    ("uvicorn.protocols", "uvicorn.lifespan", "uvicorn.loops"),
    ("uvicorn.server", "uvicorn._subprocess"),
    ("uvicorn.supervisors", "uvicorn.workers"),
    ("uvicorn.main", "uvicorn.__main__"),
    ("uvicorn",),
]


class Import(NamedTuple):
    source: str
    target: str
    line: int
    module_level: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def core_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(CORE.rglob("*.py"))}


def is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def runtime_imports(
    tree: ast.AST, module_level: bool = True
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement that runs, and whether it runs while the module loads."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                yield from runtime_imports(ast.Module(body=[child], type_ignores=[]), module_level)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, module_level
            continue
        inside_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from runtime_imports(node, module_level and not inside_function)


def resolve(source: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules of ``uvicorn`` an import statement loads by name."""
    modules = core_modules()
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in modules]
    base = node.module or ""
    if node.level:
        package = source if is_package else source.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{base}" if base else package
    targets = []
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in modules:
            targets.append(submodule)
        elif base in modules:
            targets.append(base)
    return targets


def core_imports() -> list[Import]:
    imports = []
    for name, path in core_modules().items():
        tree = ast.parse(path.read_text(), str(path))
        for node, module_level in runtime_imports(tree):
            for target in resolve(name, path.name == "__init__.py", node):
                if target != name:
                    imports.append(Import(name, target, node.lineno, module_level))
    return imports


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the matching prefix, layer)
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected component with more than one module."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(edges.get(node, ())):
            if successor not in index:
                visit(successor)
                lowlink[node] = min(lowlink[node], lowlink[successor])
            elif successor in on_stack:
                lowlink[node] = min(lowlink[node], index[successor])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


def test_every_core_module_has_a_layer() -> None:
    assert [name for name in core_modules() if layer_of(name) is None] == []


def test_core_module_level_imports_form_no_circle() -> None:
    edges: dict[str, set[str]] = {}
    for item in core_imports():
        if item.module_level:
            edges.setdefault(item.source, set()).add(item.target)
    assert find_cycles(edges) == []


def test_core_imports_never_run_up_the_layers() -> None:
    upward = [
        f"{item.source}:{item.line} imports {item.target}"
        for item in core_imports()
        if (layer_of(item.target) or 0) > (layer_of(item.source) or 0)
    ]
    assert upward == []


def test_circle_finder_reports_a_circle_through_three_modules() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(edges) == [["a", "b", "c"]]


def test_type_checking_imports_are_left_out() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from uvicorn.server import Server\n"
        "def later():\n    from uvicorn.config import Config\n"
    )
    found = [
        (node.module if isinstance(node, ast.ImportFrom) else None, module_level)
        for node, module_level in runtime_imports(tree)
    ]
    assert found == [("typing", True), ("uvicorn.config", False)]
