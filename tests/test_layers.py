"""The library's modules import each other in layers, never in a circle.

A circle hidden by an import inside a function still ties the modules together (each
needs the other to be loaded to work, and a change to one can break the other's
start), so imports at every depth count: module level, inside functions, and under
`TYPE_CHECKING`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "dandan"


def _modules() -> dict[str, Path]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports() -> dict[str, set[str]]:
    """Which dandan modules each dandan module imports, wherever the import stands."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name] |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if full in modules:  # `from dandan import schema`
                        graph[name].add(full)
                    elif node.module in modules:
                        graph[name].add(node.module)
        graph[name] -= {name, "dandan"}  # the package's __init__ imports nothing of ours
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_modules_import_each_other_in_no_circle() -> None:
    found = cycle(imports())
    assert found is None, "import circle: " + " → ".join(found or ())


def test_the_checker_finds_a_circle_hidden_in_a_function() -> None:
    graph = imports()
    graph["dandan.database"].add("dandan.registry")  # the old lazy `from dandan.registry …`
    found = cycle(graph)
    assert found is not None and "dandan.database" in found


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("dandan.database", "dandan.schema"),
        ("dandan.database", "dandan.models"),
        ("dandan.database", "dandan.registry"),
        ("dandan.models", "dandan.schema"),
        ("dandan.models", "dandan.registry"),
        ("dandan.schema", "dandan.registry"),
        ("dandan.tables", "dandan.registry"),
    ],
)
def test_the_layers_of_the_registry(lower: str, higher: str) -> None:
    """database: engines only; models: the tables; schema: revisions, creation, upgrades
    (over both); registry on top. A lower layer reaches a higher one by no path."""
    graph = imports()
    seen, todo = set(), [lower]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph[node])
    assert higher not in seen, f"{lower} reaches {higher}"
