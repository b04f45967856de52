"""The multi-sector model on today's tables where users meet it (issue 19): `--io-table`, the scenario
field `io_table`, the tariffwar elasticity sets, sector measures carried to the tables' sectors, the
`ge.by_sector` rows, `data export-io` and the replication on the written folder. The 1993 tables:
tests/test_ge_io_bridge.py and tests/test_ge_io_report.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import BY_SECTOR_KEYS

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.engine.ge_io_bridge import _reference, export_io, ge_io_tariffs, ge_io_tariffs_and_notes, sector_coverage
from tariffsim.errors import ScenarioError
from tariffsim.inputs.elasticities import get_set, io_set
from tariffsim.inputs.io_shipped import ELASTICITY_SETS, io_elasticity_sets, io_sector_weights
from tariffsim.inputs.io_tables import read_cp2015
from tariffsim.inputs.scenario import Scenario
from tariffsim.models.ge_io import changes, solve_io
from tariffsim.replication.cp2015 import replicate_cp2015

ROOT = Path(__file__).resolve().parents[1]


def _run_json(capsys, *argv: str) -> dict:
    assert cli_main(["run", *argv, "--json", "--draws", "0", "--paths", "1000"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def mex25_icio():
    return ts.simulate("mex25", model="ge-io", draws=0, n_paths=1000)


# ----------------------------------------------------------------------------- the issue's checks


def test_run_mex25_ge_io_json_passes_the_issue_checks(capsys):
    """`run mex25 --model ge-io --json` names a table of 2011 or later; no sector with at least 1 % of
    Mexico's output changes by more than 100 %; Mexico's total exports fall between 10 % and 40 %;
    Mexico's real income falls."""
    j = _run_json(capsys, "mex25", "--model", "ge-io")
    ge = j["ge"]
    assert ge["io_table"] == "icio2022" and "2022" in ge["io_table_note"] and "2015" in ge["io_table_note"]
    assert any(n.startswith("input-output table icio2022") for n in j["notes"])
    mex = [r for r in ge["by_sector"] if r["region"] == "MEX"]
    assert len(mex) == 16 and all(BY_SECTOR_KEYS <= set(r) for r in mex)
    big = [r for r in mex if not r["flagged"]]
    assert all(r["output_share"] >= 0.01 for r in big)
    for key in ("output_change_pct", "value_added_change_pct", "exports_change_pct"):
        assert all(abs(r[key]) <= 100 for r in big), key
    assert -40 < j["exports_change_pct_long_run"] < -10
    assert ge["country"]["real_income_pct"] < 0 and ge["country"]["iso3"] == "MEX"
    assert ge["market"]["iso3"] == "USA" and {"real_income_pct", "realwage_pct", "real_gdp_pct"} <= set(ge["market"])
    assert j["real_income_pct_long_run"] == pytest.approx(ge["country"]["real_income_pct"], abs=1e-9)
    assert j["gdp_impact_pct_long_run"] < 0  # long-run real GDP: capital deepening at this GE's prices


def test_by_sector_rows_are_the_solution_and_carry_the_set_range(mex25_icio):
    ge = mex25_icio.ge_summary()
    ch = mex25_icio.outcome().gdp_long_run.detail
    t = ch.sector_table().set_index(["region", "sector"])
    for r in ge["by_sector"]:
        row = t.loc[(r["region"], r["sector"])]
        for k in ("output_share", "output_change_pct", "value_added_change_pct", "exports_change_pct"):
            assert r[k] == pytest.approx(float(row[k]), rel=1e-12, abs=1e-12)
        assert r["flagged"] == bool(row["flagged"]) == (r["output_share"] < 0.01)
        assert r["value_added_change_pct_low"] <= r["value_added_change_pct"] <= r["value_added_change_pct_high"]
    # the range is over the sets run: each set's own value lies in it, and the ends are sets' values
    va = {n: mex25_icio.outcome(n).gdp_long_run.detail.value_added_pct for n in mex25_icio.sets}
    mx, veh = ch.regions.index("MEX"), ch.sectors.index("Motor vehicles")
    r = next(x for x in ge["by_sector"] if x["region"] == "MEX" and x["sector"] == "Motor vehicles")
    assert r["value_added_change_pct_low"] == pytest.approx(min(v[mx, veh] for v in va.values()))
    assert r["value_added_change_pct_high"] == pytest.approx(max(v[mx, veh] for v in va.values()))
    # labour is fixed: value added at baseline prices adds up to no change in every region
    va0 = ch.model.gamma_va.T * ch.baseline.output
    np.testing.assert_allclose((va0 * ch.value_added_pct).sum(axis=1), 0.0, atol=1e-6 * va0.sum())


def test_the_eight_tariffwar_sets_run_by_default_with_their_citations(mex25_icio):
    assert list(mex25_icio.sets) == list(ELASTICITY_SETS) and mex25_icio.central == "CP"
    j = mex25_icio.to_json()
    lr = {n: h["gdp_impact_pct_long_run"] for n, h in j["by_elasticity_set"].items()}
    assert len(set(np.round(list(lr.values()), 6))) == len(lr)  # each set its own long run
    assert all(v < 0 for v in lr.values())
    cites = io_elasticity_sets()
    for n in ELASTICITY_SETS:
        es = mex25_icio.outcome(n).elasticities
        assert es.io_theta == n and es.sources["io_theta"] == cites[n]["citation"]
        assert es.sigma_one_year == get_set("central").sigma_one_year  # near term: the central set's


def test_elasticities_flag_selects_tariffwar_sets(capsys):
    j = _run_json(capsys, "mex25", "--model", "ge-io", "--elasticities", "bsy,U4")
    assert list(j["by_elasticity_set"]) == ["BSY", "U4"] and j["central_set"] == "BSY"
    assert io_set("shap").name == "Shap" and io_set("high") is None
    with pytest.raises(ScenarioError, match="'high' has no sector trade elasticities"):
        ts.simulate("mex25", model="ge-io", recession=False, elasticities=["high"])
    with pytest.raises(
        ScenarioError, match="io_theta 'BSY' is not a sector trade-elasticity set of input-output table cp1993"
    ):
        ts.simulate("mex25", model="ge-io", recession=False, elasticities=["BSY"], io_table="cp1993")
    assert cli_main(["run", "mex25", "--model", "ge-io", "--elasticities", "nope", "--draws", "0"]) == 2
    assert "unknown elasticity set 'nope'" in capsys.readouterr().err


def test_io_table_flag_and_field(capsys):
    j = _run_json(capsys, "mex25", "--model", "ge-io", "--io-table", "wiod2011", "--elasticities", "CP")
    assert j["ge"]["io_table"] == "wiod2011" and "WIOT 2011" in j["ge"]["io_table_note"]
    assert len([r for r in j["ge"]["by_sector"] if r["region"] == "MEX"]) == 14
    assert j["provenance"]["scenario_patch"] == {"model": "ge-io", "io_table": "wiod2011"}
    assert j["scenario"] == "mex25"  # how it is run, not a variant: the name is unchanged
    assert cli_main(["run", "mex25", "--model", "ge-io", "--io-table", "wiod2099"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--io-table" in err and "wiod2099" in err and "icio2022" in err
    with pytest.raises(ScenarioError) as e:
        Scenario.from_dict(
            {"name": "x", "io_table": "nope", "tariffs": [{"importer": "USA", "exporters": ["MEX"], "rate": 0.1}]}
        )
    assert e.value.field == "io_table"
    sc = Scenario.from_dict(
        {"name": "x", "io_table": "WIOD2011", "tariffs": [{"importer": "USA", "exporters": ["MEX"], "rate": 0.1}]}
    )
    assert sc.io_table == "wiod2011" and "io_table" in sc.to_dict() and Scenario.builtin("mex25").io_table is None


# ----------------------------------------------------------------------------- sector measures


@pytest.fixture(scope="module")
def icio():
    return _reference("icio2022", "CP")[0]


def test_all_goods_spares_services_and_adds_the_rate(icio):
    t = ge_io_tariffs(Scenario.builtin("mex25"), icio, "icio2022")
    us, mx = icio.index("USA"), icio.index("MEX")
    d = t - icio.tariff
    svc = icio.sectors.index("Services")
    assert np.allclose(d[us, mx, np.arange(icio.J) != svc], 0.25) and d[us, mx, svc] == 0.0
    d[us, mx] = 0.0
    assert not d.any()  # nothing else moves


def test_sector_measures_use_the_icio_concordance_and_us_import_weights(icio):
    sc = Scenario.from_dict(
        {"name": "veh", "tariffs": [{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "sectors": ["vehicles"]}]}
    )
    t, notes = ge_io_tariffs_and_notes(sc, icio, "icio2022")
    us, mx = icio.index("USA"), icio.index("MEX")
    d = dict(zip(icio.sectors, t[us, mx] - icio.tariff[us, mx], strict=True))
    # US imports from Mexico 2024 of motor vehicles (ICIO C29) are 93 % HS chapter 87 (the 'vehicles' sector);
    # engines of chapter 84 are the rest
    w = io_sector_weights()
    share = w[
        (w.calibration == "icio2022")
        & (w.exporter == "MEX")
        & (w.io_sector == "Motor vehicles")
        & (w.sector == "vehicles")
    ]
    assert d["Motor vehicles"] == pytest.approx(0.25 * float(share["share"].iloc[0]), rel=1e-9)
    assert 0.2 < d["Motor vehicles"] < 0.25 and d["Computers and electronics"] == 0.0 and d["Services"] == 0.0
    assert any("hs_io_sectors.csv" in n and "ISIC rev.4" in n for n in notes)


def test_weights_and_concordance_are_consistent(icio):
    w = io_sector_weights()
    for (cal, ex, sec), g in w.groupby(["calibration", "exporter", "io_sector"]):
        assert g["share"].sum() == pytest.approx(1.0, abs=1e-8), (cal, ex, sec)
    for cal in ("icio2022", "wiod2011"):
        sectors = set(w.loc[w.calibration == cal, "io_sector"])
        goods = set(_reference(cal, "CP")[0].sectors) - {"Services"}
        assert sectors <= goods and len(goods - sectors) == 0, cal
    c, notes = sector_coverage({"electrical"}, "VNM", "USA", icio.sectors, "icio2022")
    assert 0 < c[icio.sectors.index("Electrical equipment")] <= 1 and not notes
    c, notes = sector_coverage({"electrical"}, "MEX", "CAN", icio.sectors, "icio2022")
    assert any("no import data by HS product for CAN" in n for n in notes)


def test_unknown_region_names_the_field(icio):
    sc = Scenario.from_dict({"name": "x", "tariffs": [{"importer": "USA", "exporters": ["THA"], "rate": 0.1}]})
    with pytest.raises(ScenarioError, match="THA is not among the regions of input-output table icio2022") as e:
        ge_io_tariffs(sc, icio, "icio2022")
    assert e.value.field == "tariffs[0].exporters[0]"


@pytest.mark.shared_data
def test_io_weights_rebuild_byte_for_byte(shared_data, tmp_path):
    pytest.importorskip("pyarrow")
    if not (shared_data / "census2024" / "2024-hs10-imports2010.parquet").is_file():
        pytest.skip("../shared/data/census2024 HS10 files not found")
    spec = importlib.util.spec_from_file_location("build_io_weights", ROOT / "data" / "build" / "build_io_weights.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for p in mod.build(shared_data, tmp_path):
        assert p.read_bytes() == (ROOT / "data" / "mappings" / p.name).read_bytes(), p.name


# ----------------------------------------------------------------------------- export-io and the replication


@pytest.mark.parametrize("table", ["icio2022", "wiod2011"])
def test_export_io_folder_solves_to_the_model_s_answer(table, tmp_path, capsys):
    """The exported folder, solved by the replication's two solves (deficits held), gives every
    region the welfare and real income of the model's own two solves on the same arrays (within
    0.01 pp), and the scenario's real income as simulate() reports it."""
    sc = Scenario.builtin("mex25-retaliation")
    out = tmp_path / table
    argv = ["data", "export-io", table, "--scenario", "mex25-retaliation", "--out", str(out)]
    assert cli_main(argv) == 0 and "--with-deficits" in capsys.readouterr().out
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["io_table"] == table and meta["scenario"] == "mex25-retaliation" and meta["pieces"]
    back = read_cp2015(out)
    data, model, ref, _ = _reference(table, "CP")
    shock = ge_io_tariffs(sc, data, table)
    np.testing.assert_allclose(back.tariff_cfl, shock, atol=1e-12)
    np.testing.assert_allclose(back.tariff_bln, data.tariff, atol=1e-12)
    direct = changes(ref, solve_io(model, shock, None, data.deficit, start=ref))
    rep = replicate_cp2015(out, zero_deficit=False)
    by = rep.by_region.set_index("region")
    np.testing.assert_allclose(by.loc[list(data.regions), "welfare_pct"], direct.welfare_pct, atol=0.01)
    np.testing.assert_allclose(by.loc[list(data.regions), "real_income_pct"], direct.real_income_pct, atol=0.01)
    lr = ts.simulate(sc, model="ge-io", recession=False, elasticities=["CP"], io_table=table).outcome().gdp_long_run
    np.testing.assert_allclose(lr.detail.real_income_pct, direct.real_income_pct, atol=1e-8)
    assert rep.published == {} and "no published values" in rep.summary()
    assert cli_main(argv) == 2 and "--force" in capsys.readouterr().err  # never over an existing folder silently
    assert cli_main([*argv, "--force"]) == 0


def test_export_io_cp1993_is_the_replication_layout(tmp_path):
    """On the 1993 tables the export's baseline is the NAFTA equilibrium (post-NAFTA tariffs, zero
    deficits), so `replicate cp2015` on it gives the seed question's answer of tariff_on_nafta."""
    from tariffsim.replication.cp2015 import tariff_on_nafta

    out = export_io("cp1993", Scenario.builtin("mex25"), tmp_path / "cp")
    rep = replicate_cp2015(out)  # zero deficits, the default
    seed = tariff_on_nafta()
    mex = rep.by_region.set_index("region").loc["Mexico"]
    assert mex["real_income_pct"] == pytest.approx(seed.region("MEX")["real_income_pct"], abs=1e-6)
    assert rep.published == {} or set(rep.published) == {"Mexico", "Canada", "USA"}


def test_report_on_icio2022_has_the_sector_figure_and_table(tmp_path):
    rec = ts.write_report(
        "mex25",
        tmp_path / "r",
        model="ge-io",
        draws=0,
        n_paths=1000,
        sweep_n_paths=1000,
        sweep_rates="0,0.25",
        sigmas=(0.76, 2.0),
        formats=("png",),
    )
    out = rec.out_dir
    assert (out / "figures" / "ge_io_sectors.png").is_file()
    t = pd.read_csv(out / "tables" / "ge_io_sectors.csv")
    j = json.loads((out / "provenance.json").read_text(encoding="utf-8"))["run"]
    rows = {(r["region"], r["sector"]): r for r in j["ge"]["by_sector"]}
    for _, r in t.iterrows():
        src = rows[(r["Region"], r["Sector"])]
        v = src["value_added_change_pct"]  # the CSV at full precision (a value that shows as 0.0 is stored as 0)
        assert r["Value added (%)"] == pytest.approx(0.0 if round(v, 1) == 0 else v, rel=1e-12, abs=1e-12)
        assert (r["Flagged (base under 1 %)"] == "yes") == src["flagged"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "ICIO 2022" in page and "structure of 1993" not in page and "figures/ge_io_sectors.png" in page
