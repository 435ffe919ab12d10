"""No import circles among matchmaker's modules (STYLE.md habit 12).

Imports are read from the source with ``ast`` (function-level imports included, so a circle
cannot hide inside a function) and every import of a matchmaker module becomes an edge of a
graph; the test fails with the circles it finds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import matchmaker

ROOT = Path(matchmaker.__file__).parent


def module_name(path: Path) -> str:
    """The dotted name of the module in *path* (a package's ``__init__.py`` names the package)."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(tree: ast.AST, name: str, is_package: bool, known: set[str]) -> set[str]:
    """The matchmaker modules the module *name* imports anywhere in its *tree*."""
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                # ``from pkg import mod`` imports the module pkg.mod; ``from mod import name`` imports mod.
                target = f"{base}.{alias.name}"
                found.add(target if target in known else base)
    return found & known - {name}


def import_graph() -> dict[str, set[str]]:
    """Every matchmaker module and the matchmaker modules it imports."""
    paths = {module_name(p): p for p in ROOT.rglob("*.py")}
    known = set(paths)
    return {
        name: imported_modules(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", known)
        for name, path in paths.items()
    }


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_find_cycles_sees_a_circle_and_its_absence():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_a_function_level_import_counts():
    known = {"matchmaker.x", "matchmaker.y", "matchmaker.pkg", "matchmaker.pkg.mod"}
    tree = ast.parse("def f():\n    from matchmaker.y import thing\n    from .pkg import mod\n")
    assert imported_modules(tree, "matchmaker.x", False, known) == {"matchmaker.y", "matchmaker.pkg.mod"}


def test_the_graph_reads_the_real_package():
    graph = import_graph()
    assert "matchmaker.services.programme.seminars" in graph["matchmaker.services.programme.importing"]
    assert len(graph) > 50


def test_no_import_circles():
    assert find_cycles(import_graph()) == []
