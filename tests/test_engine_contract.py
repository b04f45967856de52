"""The engine's contracts (issue 17): one adapter registry, a Scenario parsed once and varied only
through ``derive``, the recession calibration built once per run, results frozen all the way
down, one Summary behind every rendering of the headline."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.constants import MODELS
from tariffsim.engine import simulation
from tariffsim.engine.adapters import ADAPTERS, adapter, long_run_adapter, near_term_adapter
from tariffsim.engine.summary import Summary
from tariffsim.inputs.assumptions import Assumptions, Range
from tariffsim.inputs.scenario import Scenario

PKG = Path(__file__).resolve().parents[1] / "src" / "tariffsim"
FAST = {"draws": 0, "n_paths": 500}


# ----------------------------------------------------------------------------- the registry


def test_every_model_has_one_adapter_in_the_order_of_the_constants():
    assert tuple(ADAPTERS) == MODELS
    assert near_term_adapter().name == MODELS[0] and "one-year" in near_term_adapter().horizons
    for m in MODELS:
        a = adapter(m)
        assert a.name == m and a.label and a.description and a.long_run_text
        assert long_run_adapter(m).general_equilibrium
    with pytest.raises(ts.ScenarioError, match="model must be one of pe, ge, ge-io") as e:
        adapter("cge")
    assert e.value.field == "model"


def _string_constants(path: Path) -> set[str]:
    """String literals of a module other than docstrings, dict keys and subscripts (``j["ge"]`` is the
    JSON's general-equilibrium block, not a model name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    for n in ast.walk(tree):
        if isinstance(n, ast.Dict):
            docstrings.update(id(k) for k in n.keys if k is not None)
        elif isinstance(n, ast.Subscript):
            docstrings.add(id(n.slice))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("get", "pop"):
            docstrings.update(id(a) for a in n.args[:1])
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    }


def test_model_names_are_written_in_one_module():
    """'pe', 'ge' and 'ge-io' as string literals only in tariffsim.constants: everything else asks
    the registry (tariffsim.engine.adapters) what a model is."""
    found = {
        str(p.relative_to(PKG)): sorted(set(MODELS) & _string_constants(p))
        for p in sorted(PKG.rglob("*.py"))
        if set(MODELS) & _string_constants(p)
    }
    assert found == {"constants.py": sorted(MODELS)}


def test_no_usa_or_mex_literal_outside_the_constants():
    found = {
        str(p.relative_to(PKG))
        for p in sorted(PKG.rglob("*.py"))
        if {"USA", "MEX"} & _string_constants(p) and p.name not in ("constants.py", "ge_io.py")
    }
    assert found == set(), "ISO3 literals belong in the data and tariffsim.constants"


def test_every_model_honours_the_elasticity_set_or_refuses_it():
    """The one-sector GE runs at the set's trade elasticity (two sets, two long runs); the multi-sector
    GE needs the set's sector trade elasticities (io_theta) and refuses a set without them."""
    r = ts.simulate("mex25", model="ge", elasticities=["central", "high"], recession=False)
    lr = {n: r.headline(n)["gdp_impact_pct_long_run"] for n in r.sets}
    assert lr["high"] != pytest.approx(lr["central"])
    with pytest.raises(ts.ScenarioError, match="'low' has no sector trade elasticities"):
        ts.simulate("mex25", model="ge-io", elasticities=["low"], recession=False)
    io = ts.simulate("mex25", model="ge-io", elasticities=["central"], recession=False)
    assert any("sector trade elasticities: CP" in n for n in io.outcome().gdp_long_run.notes)


# ----------------------------------------------------------------------------- the scenario


def test_scenario_fields_are_typed_and_frozen():
    sc = Scenario.builtin("mex25")
    assert isinstance(sc.assumptions, Assumptions)
    assert sc.assumptions.export_dependence == 0.80 and "export_dependence" in sc.assumptions.explicit
    assert sc.assumptions.multiplier == Range(0.7, 1.0, 1.3)  # the registry default, typed
    assert sc.assumptions.value_added_share == "data"
    with pytest.raises(TypeError):
        sc.custom_sets["x"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        sc.recession_spec["rho"] = 0.5  # type: ignore[index]
    with pytest.raises(AttributeError):
        sc.horizon = 4  # type: ignore[misc]


def test_no_dataclasses_replace_on_a_scenario_outside_its_module():
    """A Scenario is varied only through derive (validated, renamed, recorded): no module but
    inputs/scenario.py calls dataclasses.replace on one."""
    offenders = []
    for p in sorted(PKG.rglob("*.py")):
        if p.name == "scenario.py":
            continue
        for line in p.read_text(encoding="utf-8").splitlines():
            if re.search(r"replace\((sc|scenario|self\.scenario|inp\.scenario)\b", line):
                offenders.append(f"{p.relative_to(PKG)}: {line.strip()}")
    assert offenders == []


def test_derive_names_the_same_way_everywhere_and_records_the_patch(tmp_path, capsys):
    base = Scenario.builtin("mex25")
    lib = base.derive(rate=0.1)
    assert lib.name == "mex25@rate=0.10" and lib.base_hash == base.hash and dict(lib.patch) == {"rate": 0.1}
    twice = lib.derive(horizon=16)
    assert twice.name == "mex25@rate=0.10,horizon=16" and twice.base_hash == base.hash
    assert dict(twice.patch) == {"rate": 0.1, "horizon": 16}
    # the model is how a scenario is run, not a variant: recorded in the patch, not in the name
    as_ge = base.derive(model="ge")
    assert as_ge.name == "mex25" and dict(as_ge.patch) == {"model": "ge"} and as_ge.base_hash == base.hash
    # the library, `run` and `report` give the same name, and provenance carries base hash and patch
    res = ts.simulate(lib, recession=False, elasticities=["central"])
    assert res.provenance["scenario_base_hash"] == base.hash and res.provenance["scenario_patch"] == {"rate": 0.1}
    assert cli_main(["run", "mex25", "--rate", "0.1", "--json", "--draws", "0", "--paths", "500"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["scenario"] == lib.name and j["provenance"]["scenario_patch"] == {"rate": 0.1}
    out = tmp_path / "r"
    assert cli_main(["report", "mex25", "--rate", "0.1", "--out", str(out), "--quiet", "--draws", "0", "--paths", "500",
                     "--tariff", "0.1,0.25", "--formats", "png"]) == 0  # fmt: skip
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["run"]["scenario"] == lib.name and prov["scenario_base_hash"] == base.hash
    # derive validates like a file
    with pytest.raises(ts.ScenarioError, match="rate"):
        base.derive(rate=-0.5)


def test_the_recession_calibration_is_built_once_per_run(monkeypatch):
    from tariffsim.inputs import calibrations

    calls = []
    real = calibrations.calibration_from_parameters

    def spy(*a, **kw):
        calls.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(calibrations, "calibration_from_parameters", spy)
    monkeypatch.setattr("tariffsim.inputs.scenario.calibration_from_parameters", spy)
    d = {**Scenario.builtin("mex25").to_dict(), "recession": {"rho": 0.4, "sigma": 1.0}}
    sc = Scenario.from_dict(d)
    assert len(calls) == 1 and sc.recession is not None and sc.recession.rho == 0.4
    loads = []
    real_load = simulation.load_calibration
    monkeypatch.setattr(simulation, "load_calibration", lambda *a, **k: loads.append(1) or real_load(*a, **k))
    r = ts.simulate(sc, elasticities=["central"], draws=2, n_paths=500)
    assert len(calls) == 1 and loads == []  # the scenario's own calibration, parsed once, used as it is
    assert r.provenance["recession_calibration"]["rho"] == 0.4
    ts.simulate("mex25", elasticities=["central"], draws=2, n_paths=500)
    assert loads == [1]  # the shipped one: read once for the run


# ----------------------------------------------------------------------------- results


@pytest.fixture(scope="module")
def res():
    return ts.simulate("mex25", elasticities=["central", "low"], **FAST)


def test_to_json_is_a_copy(res):
    before = res.summary_text()
    j = res.to_json()
    j["gdp_impact_pct"] = 99.0
    j["by_elasticity_set"]["central"]["gdp_impact_pct"] = 99.0
    j["ge"].clear()
    assert res.to_json()["gdp_impact_pct"] != 99.0 and res.to_json()["ge"]
    assert res.summary_text() == before


def test_one_summary_behind_text_html_table_and_report_cards(res, tmp_path):
    s = res.overview()
    assert isinstance(s, Summary) and s is res.overview()
    j = res.to_json()
    table = s.table().set_index("json_key")
    for key in ("gdp_impact_pct_first_year_avg", "gdp_impact_pct", "exports_change_pct_after_4q"):
        assert table.loc[key, "value"] == j[key]
        shown = table.loc[key, "shown"]
        assert shown in s.text() and shown in s.to_html() and shown in res._repr_html_()
    assert str(s) == res.summary_text() and s.one_line() in repr(res)
    out = tmp_path / "rep"
    ts.write_report("mex25", out, elasticities=["central", "low"], sweep_rates=[0.1, 0.25], **FAST, formats=("png",))
    page = (out / "report.html").read_text(encoding="utf-8")
    for item in ts.simulate("mex25", elasticities=["central", "low"], **FAST).overview().cards():
        assert item.value_text() in page


def test_result_arrays_are_read_only(res):
    so = res.outcome()
    for a in (so.near_term.V0, so.near_term.V1, so.macro.path, res.t0, res.t1):
        with pytest.raises(ValueError):
            np.asarray(a)[..., 0] = 1.0
