"""The scenario notebooks run top to bottom, their assert cells hold, and they stay clean.

Each notebook in ``notebooks/`` is a jupytext pair: the percent-format ``.py`` is the reviewed
source, the ``.ipynb`` is generated from it and stored executed (``scripts/execute_notebooks.py``),
so that a reader who opens it sees its numbers and figures. The tests

* execute every notebook (from its ``.py`` source) with nbclient on the ``python3`` kernel, in a
  temporary working directory and with ``MPLBACKEND=Agg``; any exception (including a failed
  ``assert`` cell, which is how the notebooks check their numbers) fails the test, and so does any
  warning the kernel prints (nbclient returns kernel warnings as stderr stream output, not as
  pytest warnings, so they are looked for explicitly); the stored ``.ipynb``'s printed and
  displayed text must be what this fresh run gives;
* check that each ``.ipynb`` has the same cells as its ``.py``, executed in order, with its
  figures stored as images and no errors or warnings among its outputs.
"""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
TIME_LIMIT = 60.0
FIGURE_NOTEBOOKS = {
    "01_mexico_seed_question",
    "03_elasticity_uncertainty",
}  # they show figures  # seconds a notebook may take (the brief: well under a minute)

# Run first in the kernel, before the notebook's own cells: show every warning (not only the first
# per location, and DeprecationWarnings from library code too) so that none goes unnoticed.
WARNINGS_CELL = "import warnings\nwarnings.simplefilter('always')"
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes in kernel tracebacks


def _ids(p: Path) -> str:
    return p.stem


def _executor():
    """scripts/execute_notebooks.py, which stores the notebooks executed (its text_outputs)."""
    spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_notebooks_found():
    names = [p.stem for p in SOURCES]
    assert names == ["01_mexico_seed_question", "02_build_your_own_scenario", "03_elasticity_uncertainty"]


@pytest.fixture()
def kernel_env(tmp_path, monkeypatch):
    """A clean working directory and the Agg backend for the kernel (it inherits the environment)."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _stderr_problems(nb) -> list[str]:
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if (
                o.get("output_type") == "stream"
                and o.get("name") == "stderr"
                and "warning" in o.get("text", "").lower()
            ):
                out.append(f"cell {i}: {o['text'].strip()[:500]}")
    return out


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=_ids)
def test_notebook_runs(source: Path, kernel_env: Path):
    nb = jupytext.read(source)
    before = sorted(p.name for p in NOTEBOOKS.iterdir())
    nb.cells.insert(0, nbformat.v4.new_code_cell(WARNINGS_CELL))
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(kernel_env)}}
    )
    t0 = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:  # the message holds the cell and traceback
        pytest.fail(f"{source.name}: {ANSI.sub('', str(exc))}", pytrace=False)
    seconds = time.perf_counter() - t0
    problems = _stderr_problems(nb)
    assert not problems, f"{source.name} printed warnings:\n" + "\n".join(problems)
    assert seconds < TIME_LIMIT, f"{source.name} took {seconds:.1f} s (limit {TIME_LIMIT:.0f} s)"
    n_asserts = sum(c.source.count("assert ") for c in nb.cells if c.cell_type == "code")
    assert n_asserts >= 5, f"{source.name} has only {n_asserts} assert statements"
    assert sorted(p.name for p in NOTEBOOKS.iterdir()) == before, f"{source.name} wrote files into notebooks/"
    # figures render as images, never as their text repr ('<Figure size 640x480 with 1 Axes>')
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    texts = [str(o.get("data", {}).get("text/plain", "")) for o in outputs]
    assert not any(t.startswith("<Figure size") for t in texts if t and not _has_image(outputs, t)), source.name
    if source.stem in FIGURE_NOTEBOOKS:
        n_png = sum("image/png" in o.get("data", {}) for o in outputs)
        assert n_png >= 2, f"{source.name}: {n_png} figures rendered as images"
    # the stored notebook shows what a fresh run prints (numbers, tables; images are not compared)
    nb.cells.pop(0)  # the warnings cell inserted above
    stored = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
    ex = _executor()
    want, got = ex.text_outputs(nb), ex.text_outputs(stored)
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, (
            f"{source.stem}.ipynb: code cell {k + 1}'s stored output is not what a fresh run gives; "
            "run `python scripts/execute_notebooks.py`"
        )


def _has_image(outputs: list, text: str) -> bool:
    return any(o.get("data", {}).get("text/plain") == text and "image/png" in o.get("data", {}) for o in outputs)


@pytest.mark.notebook
@pytest.mark.parametrize("source", SOURCES, ids=_ids)
def test_ipynb_in_sync_and_executed(source: Path):
    ipynb = source.with_suffix(".ipynb")
    assert ipynb.is_file(), f"{ipynb.name} missing: run `jupytext --sync {source.name}`"
    committed = nbformat.read(ipynb, as_version=4)
    nbformat.validate(committed)
    from_py = jupytext.read(source)
    got = [(c.cell_type, c.source) for c in committed.cells]
    want = [(c.cell_type, c.source) for c in from_py.cells]
    assert got == want, f"{ipynb.name} is out of sync with {source.name}: run `jupytext --sync {source.name}`"
    assert committed.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    assert committed.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [c for c in committed.cells if c.cell_type == "code"]
    # stored executed, top to bottom: counts 1..n, every code cell's output there, no error or warning
    assert [c.get("execution_count") for c in code] == list(range(1, len(code) + 1)), ipynb.name
    for i, c in enumerate(code, start=1):
        outs = c.get("outputs") or []
        assert outs, f"{ipynb.name}: code cell {i} stored without its output"
        assert not [o for o in outs if o.get("output_type") == "error"], f"{ipynb.name}: cell {i} failed"
        assert not [o for o in outs if o.get("name") == "stderr"], f"{ipynb.name}: cell {i} printed to stderr"
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs") or [])
    if source.stem in FIGURE_NOTEBOOKS:
        assert images >= 2, f"{ipynb.name}: {images} figures stored as images"
    assert "language_info" not in committed.metadata  # nothing of the machine that ran it


@pytest.mark.parametrize("source", SOURCES, ids=_ids)
def test_no_machine_paths(source: Path):
    for f in (source, source.with_suffix(".ipynb")):
        text = f.read_text(encoding="utf-8")
        # machine-specific roots, spelled so that this file does not contain them literally
        for bad in ("/" + "work/", "/" + "home/", "/" + "tmp/", "/" + "Users/", "C:" + "\\"):
            assert bad not in text, f"{f.name} mentions a machine path ({bad})"
