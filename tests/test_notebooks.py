"""The scenario notebooks run top to bottom, their assert cells hold, and they stay clean.

Each notebook in ``notebooks/`` is a jupytext pair: the percent-format ``.py`` is the reviewed
source, the ``.ipynb`` is generated from it and committed without outputs. The tests

* execute every notebook (from its ``.py`` source) with nbclient on the ``python3`` kernel, in a
  temporary working directory and with ``MPLBACKEND=Agg``; any exception (including a failed
  ``assert`` cell, which is how the notebooks check their numbers) fails the test, and so does any
  warning the kernel prints (nbclient returns kernel warnings as stderr stream output, not as
  pytest warnings, so they are looked for explicitly);
* check that each ``.ipynb`` has the same cells as its ``.py`` and no outputs.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
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


def _has_image(outputs: list, text: str) -> bool:
    return any(o.get("data", {}).get("text/plain") == text and "image/png" in o.get("data", {}) for o in outputs)


@pytest.mark.notebook
@pytest.mark.parametrize("source", SOURCES, ids=_ids)
def test_ipynb_in_sync_and_clean(source: Path):
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
    for i, c in enumerate(committed.cells):
        if c.cell_type == "code":
            assert c.get("outputs") == [], f"{ipynb.name}: cell {i} has outputs committed"
            assert c.get("execution_count") is None, f"{ipynb.name}: cell {i} has an execution count"


@pytest.mark.parametrize("source", SOURCES, ids=_ids)
def test_no_machine_paths(source: Path):
    for f in (source, source.with_suffix(".ipynb")):
        text = f.read_text(encoding="utf-8")
        # machine-specific roots, spelled so that this file does not contain them literally
        for bad in ("/" + "work/", "/" + "home/", "/" + "tmp/", "/" + "Users/", "C:" + "\\"):
            assert bad not in text, f"{f.name} mentions a machine path ({bad})"
