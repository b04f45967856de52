"""The package's structure, drawn from its imports (issue 12, item 8).

* The import graph of ``tariffsim``'s modules has no cycle, counting imports inside functions
  too (a lazy import hides a cycle from the interpreter, not from a reader).
* No module imports a private name (``_x``) from another module, or reads one as ``mod._x``; a
  private *module* (``_ge_solver``) may be imported by the public module it serves.
* No module re-exports another module's names as ``from .m import x as x`` (a name has one
  import path).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "src" / "tariffsim"
MODULES = {p.stem: p for p in sorted(PKG.glob("*.py"))}


def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"), filename=str(MODULES[name]))


def _sibling(node: ast.ImportFrom) -> str | None:
    """The sibling module a relative ``from .m import ...`` names (None for ``from . import``)."""
    if node.level != 1:
        return None
    return node.module.split(".")[0] if node.module else None


def _edges(name: str) -> dict[str, int]:
    """Sibling modules ``name`` imports, with the line of the first import."""
    out: dict[str, int] = {}
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            targets = [_sibling(node)] if node.module else [a.name for a in node.names]
            for t in targets:
                if t in MODULES and t != name and t != "__init__":
                    out.setdefault(t, node.lineno)
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "tariffsim" and len(parts) > 1 and parts[1] in MODULES and parts[1] != name:
                    out.setdefault(parts[1], node.lineno)
    return out


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_package_has_its_modules():
    assert {"simulation", "trade", "macro", "recession", "calibration", "datasets", "loaders"} <= set(MODULES)


def test_the_import_graph_has_no_cycle():
    graph = {m: _edges(m) for m in MODULES if m != "__init__"}
    assert "datasets" in graph["loaders"], "the graph builder must see loaders -> datasets"
    cycles = _cycles(graph)
    detail = [
        " -> ".join(c)
        + ": "
        + ", ".join(f"{a} imports {b} (line {graph[a][b]})" for a in c for b in c if b in graph[a])
        for c in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(detail)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": 1}, "b": {}}) == []


def _private_uses(name: str) -> list[str]:
    tree = _tree(name)
    bad: list[str] = []
    aliases: dict[str, str] = {}  # local name -> sibling module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is None:  # from . import mod [as alias]
                for a in node.names:
                    aliases[a.asname or a.name] = a.name
                continue
            for a in node.names:
                if a.name.startswith("_") and not a.name.startswith("__"):
                    bad.append(f"line {node.lineno}: from .{node.module} import {a.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            bad.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return bad


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m != "__init__"))
def test_no_private_name_is_imported_across_modules(name):
    assert _private_uses(name) == [], f"{name}.py uses private names of other modules"


def test_the_private_name_check_can_fail(tmp_path, monkeypatch):
    f = tmp_path / "fake.py"
    f.write_text("from . import ge as g\nfrom .macro import _x\ny = g._solve\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "fake", f)
    assert _private_uses("fake") == ["line 2: from .macro import _x", "line 3: g._solve"]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m != "__init__"))
def test_no_module_re_exports_another_modules_names(name):
    shims = [
        f"line {node.lineno}: from .{node.module} import {a.name} as {a.asname}"
        for node in ast.walk(_tree(name))
        if isinstance(node, ast.ImportFrom) and node.level == 1
        for a in node.names
        if a.asname == a.name
    ]
    assert shims == [], f"{name}.py re-exports names of another module"


def test_moved_recession_names_still_work_with_a_warning():
    """Names that tariffsim.recession re-exported until 0.2 now live in tariffsim.calibration
    (CHANGELOG.md); the old path still resolves, with a DeprecationWarning."""
    from tariffsim import calibration, recession

    with pytest.warns(DeprecationWarning, match="tariffsim.calibration"):
        assert recession.load_calibration is calibration.load_calibration
    with pytest.raises(AttributeError):
        _ = recession.no_such_name
