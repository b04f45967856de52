"""The package's structure, drawn from its imports (issues 12 and 17).

* The layers (docs/index.md, "Layout"): the ground floor (``constants``, ``errors``, ``limits``,
  ``solvers``, ``_util``, ``_version``) imports nothing of the package; ``models`` imports only the ground
  floor; ``inputs`` the ground floor and ``models``; ``engine`` and ``replication`` those below
  them but not each other; ``outputs`` anything but ``cli``; ``cli`` anything. So ``engine`` never
  imports ``outputs`` or ``cli``.
* Imports inside functions only in ``cli`` and the package face (``tariffsim/__init__.py``):
  anywhere else they hide the graph and buy no speed.
* No module over 800 lines.
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


def _dotted(p: Path) -> str:
    parts = list(p.relative_to(PKG).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


#: dotted name below tariffsim ('' is the package face, 'engine.simulation', ...) -> file
MODULES = {_dotted(p): p for p in sorted(PKG.rglob("*.py"))}


def _tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"), filename=str(MODULES[name]))


def _package_of(name: str) -> list[str]:
    parts = name.split(".") if name else []
    return parts if MODULES[name].name == "__init__.py" else parts[:-1]


def _resolve(name: str, level: int, module: str | None) -> str:
    """The dotted module a relative import of ``name`` at ``level`` names."""
    base = _package_of(name)
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def _targets(name: str, node: ast.ImportFrom) -> list[str]:
    """Modules of the package an import statement reaches (a module, or names of a package that are modules)."""
    if node.level == 0:
        if not (node.module or "").startswith("tariffsim"):
            return []
        mod = (node.module or "").removeprefix("tariffsim").lstrip(".")
    else:
        mod = _resolve(name, node.level, node.module)
    out = []
    for a in node.names:
        sub = f"{mod}.{a.name}" if mod else a.name
        out.append(sub if sub in MODULES else mod)
    return [t for t in out if t in MODULES]


def _edges(name: str) -> dict[str, int]:
    """Modules ``name`` imports, with the line of the first import (the package face excluded)."""
    out: dict[str, int] = {}
    for node in ast.walk(_tree(name)):
        if isinstance(node, ast.ImportFrom):
            for t in _targets(name, node):
                if t != name and t != "":
                    out.setdefault(t, node.lineno)
        elif isinstance(node, ast.Import):
            for a in node.names:
                mod = a.name.removeprefix("tariffsim").lstrip(".")
                if a.name.startswith("tariffsim.") and mod in MODULES and mod != name:
                    out.setdefault(mod, node.lineno)
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


#: layer of each top-level name below tariffsim, and the layers each may import
LAYER_OF = {
    "constants": "ground",
    "errors": "ground",
    "limits": "ground",
    "solvers": "ground",
    "_util": "ground",
    "_version": "ground",
    "_lazy": "ground",
}
ALLOWED = {
    "ground": {"ground"},
    "models": {"ground", "models"},
    "inputs": {"ground", "models", "inputs"},
    "engine": {"ground", "models", "inputs", "engine"},
    "replication": {"ground", "models", "inputs", "replication"},
    "outputs": {"ground", "models", "inputs", "engine", "replication", "outputs"},
    "cli": {"ground", "models", "inputs", "engine", "replication", "outputs", "cli"},
    "face": {"ground", "models", "inputs", "engine", "replication", "outputs"},
}
MAX_LINES = 800


def layer(name: str) -> str:
    """The layer of a module ('' is the package face)."""
    if not name:
        return "face"
    head = name.split(".")[0]
    if head in LAYER_OF:
        return LAYER_OF[head]
    if head in ALLOWED:
        return head
    raise AssertionError(f"module tariffsim.{name} belongs to no layer; put it in one (test_structure.LAYER_OF)")


def layer_violations(graph: dict[str, dict[str, int]]) -> list[str]:
    """'a imports b (line n): layer x may not import layer y' for every edge that goes the wrong way."""
    out = []
    for a, edges in sorted(graph.items()):
        for b, line in sorted(edges.items()):
            la, lb = layer(a), layer(b)
            if lb not in ALLOWED[la]:
                out.append(f"tariffsim.{a} imports tariffsim.{b} (line {line}): {la} may not import {lb}")
    return out


def function_level_imports(name: str) -> list[str]:
    """Imports below module level (inside functions or classes); ``if TYPE_CHECKING`` blocks and
    ``try`` blocks at module level count as module level."""
    tree = _tree(name)
    top: set[int] = set()
    for node in tree.body:
        top.update(id(x) for x in ast.walk(node) if isinstance(node, ast.If | ast.Try) or x is node)
    return [
        f"line {n.lineno}: {ast.unparse(n)}"
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in top
    ]


def test_every_module_is_in_a_layer_and_imports_only_downwards():
    graph = {m: _edges(m) for m in MODULES}
    bad = layer_violations(graph)
    assert not bad, "imports against the layers:\n" + "\n".join(bad)


def test_the_layer_check_fails_on_a_model_that_imports_the_engine(tmp_path, monkeypatch):
    f = tmp_path / "fake.py"
    f.write_text("from ..engine.trade import TradeOutcome\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "models.fake", f)
    assert layer_violations({"models.fake": _edges("models.fake")}) == [
        "tariffsim.models.fake imports tariffsim.engine.trade (line 1): models may not import engine"
    ]
    g = tmp_path / "fake2.py"
    g.write_text("def f():\n    from ..outputs import tables\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "engine.fake", g)
    assert layer_violations({"engine.fake": _edges("engine.fake")}) == [
        "tariffsim.engine.fake imports tariffsim.outputs.tables (line 2): engine may not import outputs"
    ]
    assert function_level_imports("engine.fake") == ["line 2: from ..outputs import tables"]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m and layer(m) != "cli"))
def test_imports_are_at_module_level_outside_the_cli(name):
    assert function_level_imports(name) == [], f"tariffsim.{name} imports inside functions"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_800_lines(name):
    n = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"tariffsim.{name or '__init__'} has {n} lines (at most {MAX_LINES})"


def test_the_package_has_its_layers():
    assert {"models.pe", "engine.simulation", "engine.trade", "engine.macro", "inputs.loaders"} <= set(MODULES)


def test_the_import_graph_has_no_cycle():
    graph = {m: _edges(m) for m in MODULES if m}
    assert "inputs.datasets" in graph["inputs.loaders"], "the graph builder must see loaders -> datasets"
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
    aliases: dict[str, str] = {}  # local name -> module of the package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            mod = _resolve(name, node.level, node.module)
            for a in node.names:
                sub = f"{mod}.{a.name}" if mod else a.name
                if sub in MODULES:
                    aliases[a.asname or a.name] = sub
                    continue
                if a.name.startswith("_") and not a.name.startswith("__"):
                    bad.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''} import {a.name}")
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


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m))
def test_no_private_name_is_imported_across_modules(name):
    assert _private_uses(name) == [], f"{name} uses private names of other modules"


def test_the_private_name_check_can_fail(tmp_path, monkeypatch):
    f = tmp_path / "fake.py"
    f.write_text("from . import ge as g\nfrom .macro import _x\ny = g._solve\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "engine.fake", f)
    monkeypatch.setitem(MODULES, "engine.ge", f)
    assert _private_uses("engine.fake") == ["line 2: from .macro import _x", "line 3: g._solve"]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if m))
def test_no_module_re_exports_another_modules_names(name):
    shims = [
        f"line {node.lineno}: from .{node.module} import {a.name} as {a.asname}"
        for node in ast.walk(_tree(name))
        if isinstance(node, ast.ImportFrom) and node.level >= 1
        for a in node.names
        if a.asname == a.name
    ]
    assert shims == [], f"{name} re-exports names of another module"


def test_pandas_is_imported_only_through_the_lazy_handle():
    """``from .._lazy import pd`` everywhere (tariffsim/_lazy.py): an ``import pandas`` at a
    module's top would load it for every run (about 0.2 s) though a run's JSON needs none. Imports
    under ``if TYPE_CHECKING`` are for the type checker only and stay."""
    bad = []
    for name in MODULES:
        if name == "_lazy":
            continue
        tree = _tree(name)
        typing_only = {
            id(x)
            for node in tree.body
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for x in ast.walk(node)
        }
        for n in ast.walk(tree):
            if id(n) in typing_only:
                continue
            mods = (
                [a.name for a in n.names]
                if isinstance(n, ast.Import)
                else [n.module or ""]
                if isinstance(n, ast.ImportFrom) and n.level == 0
                else []
            )
            if any(m == "pandas" or m.startswith("pandas.") for m in mods):
                bad.append(f"tariffsim.{name} line {n.lineno}: {ast.unparse(n)}")
    assert not bad, "import pandas through tariffsim._lazy.pd:\n" + "\n".join(bad)
