#!/usr/bin/env python3
"""Store the scenario notebooks executed, so that a reader who opens them (on GitHub, say) sees
their printed numbers and figures.

Each ``notebooks/NN_*.py`` (the jupytext source) is executed top to bottom with nbclient on the
``python3`` kernel, in a temporary working directory, with the Agg backend, and written to its
``.ipynb`` with the outputs: execution counts 1, 2, ... in order, no timing metadata and no
kernel ``language_info`` (so that a rerun on the same versions gives the same file). The numbers
are deterministic (every Monte Carlo is seeded); ``tests/test_notebooks.py`` executes each
notebook afresh and checks that the stored text outputs are what a fresh run prints.

    python scripts/execute_notebooks.py            # execute and store all three
    python scripts/execute_notebooks.py --check    # exit 1 if a stored notebook differs from a fresh run
    python scripts/execute_notebooks.py 01_mexico_seed_question   # one of them

Needs the test extras (nbclient, nbformat, jupytext, ipykernel).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import jupytext
import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
TIMEOUT = 300


def execute(source: Path) -> Any:
    """The notebook of ``source`` (a jupytext .py), executed, with outputs cleaned for storing."""
    nb = jupytext.read(source)
    with tempfile.TemporaryDirectory(prefix="tariffsim-nb-") as tmp:
        env_backend = os.environ.get("MPLBACKEND")
        os.environ["MPLBACKEND"] = "Agg"
        try:
            nbclient.NotebookClient(
                nb, kernel_name="python3", timeout=TIMEOUT, record_timing=False, resources={"metadata": {"path": tmp}}
            ).execute()
        finally:
            if env_backend is None:
                os.environ.pop("MPLBACKEND", None)
            else:
                os.environ["MPLBACKEND"] = env_backend
    return clean(nb)


def clean(nb: Any) -> Any:
    """Execution counts 1..n over the code cells, cell ids from their position and source (not
    random), no per-cell execution metadata, no language_info, the jupytext metadata of a pair."""
    n = 0
    for i, cell in enumerate(nb.cells):
        cell.id = hashlib.sha1(f"{i}:{cell.source}".encode()).hexdigest()[:8]
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            n += 1
            cell.execution_count = n
            for o in cell.outputs:
                if "execution_count" in o:
                    o["execution_count"] = n
    nb.metadata.pop("language_info", None)
    nb.metadata.get("jupytext", {}).pop("text_representation", None)
    nb.metadata.pop("widgets", None)
    return nb


def text_outputs(nb: Any) -> list[list[tuple[str, str]]]:
    """Per code cell, its printed and displayed text: (kind, text) of every stream and every
    text/plain or text/html result; what a fresh run must reproduce (images are not compared: a
    PNG's bytes depend on the fonts and the matplotlib build). Consecutive pieces of one stream are
    one text: how the kernel cuts its output into messages depends on timing, not on what is printed."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        items = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                name, text = str(o.get("name")), str(o.get("text"))
                if items and items[-1][0] == name:
                    items[-1] = (name, items[-1][1] + text)
                else:
                    items.append((name, text))
            elif o.get("output_type") in ("execute_result", "display_data"):
                data = o.get("data", {})
                for mime in ("text/plain", "text/html"):
                    if mime in data:
                        items.append((mime, str(data[mime])))
            elif o.get("output_type") == "error":
                items.append(("error", str(o.get("ename"))))
        out.append(items)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help="notebook names (default: all)")
    p.add_argument("--check", action="store_true", help="compare with a fresh run; write nothing")
    args = p.parse_args(argv)
    sources = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if args.names:
        sources = [s for s in sources if s.stem in set(args.names)]
    bad = 0
    for source in sources:
        fresh = execute(source)
        target = source.with_suffix(".ipynb")
        if args.check:
            stored = nbformat.read(target, as_version=4)
            same = text_outputs(stored) == text_outputs(fresh)
            print(f"{target.name}: {'as a fresh run' if same else 'DIFFERS from a fresh run'}")
            bad += not same
        else:
            nbformat.write(fresh, target)
            print(f"wrote {target.relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
