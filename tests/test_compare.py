"""Scenario comparison (tariffsim.outputs.comparison, tariffsim.compare): the table is the runs' JSON, the folder has every file
it promises, the workbook reads back as the CSVs, and the economics order the scenarios as they
must (an exemption softens the loss, retaliation deepens it)."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.errors import OutputExistsError, ScenarioError
from tariffsim.outputs.comparison import COMPARE_STEPS, MEASURES, Comparison, compare, write_compare
from tariffsim.outputs.tables import readable_header

pytestmark = pytest.mark.slow

SCENARIOS = ["mex25", "mex25-usmca", "mex25-retaliation"]
FAST = {"draws": 0, "n_paths": 4000}


@pytest.fixture(scope="module")
def cmp() -> Comparison:
    return compare(SCENARIOS, models=["pe", "ge"], **FAST)


@pytest.fixture(scope="module")
def folder(cmp, tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "compare"
    steps: list[str] = []
    rec = write_compare(cmp, out, progress=steps.append, formats=("png", "svg"))
    return rec, steps


def test_tidy_table_is_the_json(cmp):
    """Every value is the run's to_json() value (times the unit factor), for every measure the
    JSON carries; the range is the smallest and largest over by_elasticity_set."""
    t = cmp.table
    assert len(t) == len(SCENARIOS) * 2 * len(MEASURES)
    assert set(t.run) == {f"{s} ({m.upper()})" for s in SCENARIOS for m in ("pe", "ge")}
    for (name, model), r in cmp.results.items():
        j = r.to_json()
        assert cmp.runs[(name, model)] == j
        for m in MEASURES:
            row = t[(t.scenario == name) & (t.model == model) & (t.json_key == m.key)].iloc[0]
            assert row.from_key == (m.key in j)
            if m.key in j:
                assert row.value == pytest.approx(j[m.key] * m.factor, rel=1e-12, abs=1e-12)
            per_set = [h[m.key] * m.factor for h in j["by_elasticity_set"].values() if h.get(m.key) is not None]
            if per_set:
                assert row.low == pytest.approx(min(per_set)) and row.high == pytest.approx(max(per_set))
                assert row.low <= row.value + 1e-12 <= row.high + 2e-12
            if m.se_key and m.se_key in j:
                assert row.se == pytest.approx(j[m.se_key] * m.factor)


def test_contract_keys_are_in_the_json(cmp):
    """The measures the comparison shows are keys of `tariffsim run --json` (issue 9's contract)."""
    j = next(iter(cmp.runs.values()))
    missing = [m.key for m in MEASURES if m.key not in j]
    assert not missing, f"to_json() lacks {missing}"


def test_wide_table_holds_the_tidy_values_at_full_precision(cmp):
    """The wide table (comparison.csv, compare.xlsx) stores the runs' values; rounding is the
    writers' formatting (``attrs['decimals']``), and a value that shows as zero is stored as 0.0."""
    w = cmp.wide()
    assert len(w) == len(cmp.runs)
    for m in MEASURES:
        assert m.column in w.columns
        for name, model in cmp.runs:
            t = cmp.table
            tv = t[(t.scenario == name) & (t.model == model) & (t.json_key == m.key)].value.iloc[0]
            got = w.loc[(w.Scenario == name) & (w.Model == model.upper()), m.column].iloc[0]
            if math.isnan(tv):
                assert math.isnan(got)
            elif round(tv, m.decimals) == 0:
                assert got == 0.0 and math.copysign(1.0, got) == 1.0
            else:
                assert got == tv  # full precision
            assert w.attrs["decimals"][m.column] == m.decimals


def test_exemption_softens_and_retaliation_deepens(cmp):
    """Economics: exempting 49 % of imports (USMCA) makes every loss smaller, Mexican retaliation
    makes GDP fall further, in both models; US tariff revenue is smaller with the exemption."""
    t = cmp.table.set_index(["scenario", "model", "json_key"])["value"]
    for model in ("pe", "ge"):
        for key in ("gdp_impact_pct", "gdp_impact_pct_first_year_avg", "gdp_impact_pct_long_run"):
            base, usmca, ret = (t[(s, model, key)] for s in SCENARIOS)
            assert base < 0 and usmca > base and ret < base, (model, key)
        assert (
            t[("mex25-usmca", model, "market_tariff_revenue_change_usd")]
            < t[("mex25", model, "market_tariff_revenue_change_usd")]
        )
        assert (
            t[("mex25-usmca", model, "exports_change_pct_long_run")]
            > t[("mex25", model, "exports_change_pct_long_run")]
        )


def test_gdp_paths_are_the_json_paths(cmp):
    gp = cmp.gdp_paths()
    for (name, model), j in cmp.runs.items():
        d = gp[(gp.scenario == name) & (gp.model == model)].sort_values("quarter")
        assert d.gdp_deviation_pct.tolist() == [p["deviation_pct"] for p in j["gdp_path"]]
        assert d.period.tolist() == [p["period"] for p in j["gdp_path"]]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]


def test_folder_has_every_promised_file(folder, cmp):
    rec, steps = folder
    assert steps == list(COMPARE_STEPS)
    files = set(rec.files)
    expect = {"compare.html", "compare.xlsx", "provenance.json", "data/comparison_tidy.csv", "data/gdp_paths.csv"}
    expect |= {f"tables/comparison.{f}" for f in ("csv", "md", "tex", "html")}
    expect |= {f"figures/{n}.{f}" for n in ("compare_gdp_paths", "compare_headline") for f in ("png", "svg")}
    expect |= {f"runs/{s}.{m}.json" for s in SCENARIOS for m in ("pe", "ge")}
    expect |= {f"scenarios/{s}.toml" for s in SCENARIOS}
    assert files == expect
    for f in rec.paths:
        if f.suffix == ".png":
            assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (rec.out_dir / "compare.html").read_text(encoding="utf-8")
    p = Links()
    p.feed(page)
    assert p.refs and all((rec.out_dir / r).is_file() for r in p.refs), p.refs
    for s in SCENARIOS:
        assert s in page
    # the runs' JSON files are the JSON the table was built from
    for (name, model), j in cmp.runs.items():
        assert json.loads((rec.out_dir / f"runs/{name}.{model}.json").read_text()) == j
    prov = json.loads((rec.out_dir / "provenance.json").read_text())
    assert set(prov["scenarios"]) == set(SCENARIOS) and prov["compare"]["measures"] == [m.key for m in MEASURES]


def test_csv_and_workbook_round_trip(folder, cmp):
    rec, _ = folder
    wide = pd.read_csv(rec.out_dir / "tables/comparison.csv")
    pd.testing.assert_frame_equal(wide, cmp.wide(), check_dtype=False)
    tidy = pd.read_csv(rec.out_dir / "data/comparison_tidy.csv")
    book = pd.read_excel(rec.out_dir / "compare.xlsx", sheet_name=None)
    assert list(book) == ["comparison", "comparison_tidy", "gdp_paths", "Sources"]
    pd.testing.assert_frame_equal(book["comparison"], wide, check_dtype=False)
    pd.testing.assert_frame_equal(book["comparison_tidy"], tidy.rename(columns=readable_header), check_dtype=False)
    paths = pd.read_csv(rec.out_dir / "data/gdp_paths.csv").rename(columns=readable_header)
    pd.testing.assert_frame_equal(book["gdp_paths"], paths, check_dtype=False)
    assert "GDP deviation from baseline (%)" in book["gdp_paths"].columns
    units = [c for c in wide.columns if c not in ("Scenario", "Model")]
    assert all(c.endswith(")") and "(" in c for c in units), units  # the unit in every header
    src = "\n".join(book["Sources"].Item.astype(str) + " " + book["Sources"].Value.astype(str))
    for r in cmp.results.values():
        assert r.scenario.hash in src
    assert "to_json() key gdp_impact_pct_first_year_avg" in src


def test_figures_show_every_run(cmp):
    from tariffsim.outputs.figures import compare

    fig = compare.compare_gdp_paths(cmp)
    ax = fig.axes[0]
    labels = [ln.get_label() for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    assert sorted(labels) == sorted(f"{s} ({m.upper()})" for s in SCENARIOS for m in ("pe", "ge"))
    # PE and GE differ by line style, scenarios by marker: readable in greyscale
    keys = {(str(ln.get_linestyle()), ln.get_marker()) for ln in ax.get_lines() if not ln.get_label().startswith("_")}
    assert len(keys) == len(labels)
    fig2 = compare.compare_headline(cmp)
    titles = [a.get_title() for a in fig2.axes if a.get_visible()]
    assert len(titles) == len(MEASURES)


def test_refuses_a_non_empty_folder_and_duplicates(tmp_path, cmp):
    out = tmp_path / "x"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(OutputExistsError):
        write_compare(cmp, out)
    assert (out / "keep.txt").read_text() == "mine"
    with pytest.raises(ScenarioError, match="twice"):
        compare(["mex25", "mex25"], **FAST)
    with pytest.raises(ScenarioError, match="models"):
        compare(["mex25"], models=["xx"], **FAST)


def test_public_api():
    assert ts.compare is compare and ts.write_compare is write_compare


def test_derived_scenarios_compare_by_name():
    """A derived scenario is its own row, named and labelled for its rate."""
    sc = ts.load_scenario("mex25")
    c = compare([sc, sc.derive(rate=0.10)], models=["pe"], **FAST)
    names = c.scenarios
    assert names[0] == "mex25" and names[1] != "mex25" and "0.1" in names[1]
    g = c.table[c.table.json_key == "gdp_impact_pct"].set_index("scenario")["value"]
    assert g[names[1]] > g["mex25"]  # a 10 % tariff costs less than 25 %
    assert np.isfinite(g).all()
