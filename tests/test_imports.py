"""Imports only when needed (issue 21): ``tariffsim run ... --json`` loads no plotting, report,
sweep or Dask code, and not scipy's optimizers (the AR(1) fit); a run of the seed scenario on the
default models loads neither pandas (``tariffsim._lazy.pd``) nor scipy (``tariffsim.solvers.lapack``)
and gives the JSON it gave with them; ``--help`` loads no model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import contextlib, io, json, sys
from tariffsim.cli.main import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
json.dump({"code": code, "modules": sorted(sys.modules), "out": out.getvalue()[:200]}, sys.stdout)
"""

#: What a run does not need: figures and matplotlib, the report, tables and comparison writers, the
#: sweep and grid engine, the report/sweep/compare commands, Dask, and scipy's optimizers.
NOT_FOR_A_RUN = (
    "matplotlib",
    "dask",
    "distributed",
    "tariffsim.outputs.figures",
    "tariffsim.outputs.report",
    "tariffsim.outputs.report_html",
    "tariffsim.outputs.tables",
    "tariffsim.outputs.comparison",
    "tariffsim.engine.uncertainty",
    "tariffsim.cli.report",
    "scipy.optimize",
    "scipy.special",
    "scipy.stats",
)


def _modules(*argv: str) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=300, check=True)
    doc = json.loads(proc.stdout)
    return doc["code"], set(doc["modules"])


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


@pytest.mark.parametrize("model", ["pe", "ge-io"])
def test_run_json_loads_no_plotting_report_or_dask_code(model):
    code, mods = _modules("run", "mex25", "--json", "--model", model, "--draws", "4", "--paths", "1000")
    assert code == 0
    assert _loaded(mods, NOT_FOR_A_RUN) == []
    assert "tariffsim.engine.simulation" in mods  # the probe did run the scenario


def test_help_loads_no_model():
    code, mods = _modules("--help")
    assert code == 0
    assert _loaded(mods, ("tariffsim.models", "tariffsim.engine", "pandas", "scipy", *NOT_FOR_A_RUN)) == []


@pytest.mark.parametrize("model", ["pe", "ge"])
def test_the_seed_run_loads_neither_pandas_nor_scipy(model):
    """The default run reads its inputs with the standard library and numpy, keeps its draws as
    columns and solves without LU factorisations: pandas (about 0.2 s to import) and scipy.linalg
    (0.15 s) stay unloaded; the multi-sector model (ge-io) needs both and loads them."""
    code, mods = _modules("run", "mex25", "--json", "--model", model, "--draws", "20", "--paths", "2000")
    assert code == 0
    assert _loaded(mods, ("pandas", "scipy", "pyarrow")) == []
    _, io_mods = _modules("run", "mex25", "--json", "--model", "ge-io", "--draws", "4", "--paths", "1000")
    assert {"pandas", "scipy.linalg"} <= io_mods  # the lazy handles load them when used


def test_the_json_is_the_same_with_pandas_and_scipy_loaded_first():
    """The lazy handles change nothing but when a module is imported: the run's JSON with pandas and
    scipy imported before it equals the JSON without (every key; the solver's seconds aside)."""
    argv = ["run", "mex25", "--json", "--draws", "20", "--paths", "2000"]
    eager = "import pandas, scipy.linalg\n" + PROBE
    docs = []
    for probe in (PROBE, eager):
        proc = subprocess.run([sys.executable, "-c", probe.replace("[:200]", ""), *argv], capture_output=True,
                              text=True, timeout=300, check=True)  # fmt: skip
        doc = json.loads(json.loads(proc.stdout)["out"])
        doc["ge"]["solver"].pop("seconds")
        docs.append(doc)
    assert docs[0] == docs[1]
