"""The multi-sector GE ('ge-io') where economists use it: `run --json`, the report folder, the
comparison, the sweep; one source of truth for its numbers (JSON = tables = report page); the
folder writers check their arguments before any work. These tests run on Caliendo and Parro's 1993
tables (``--io-table cp1993``), whose numbers are pinned by the replication; today's tables (the
default, icio2022) are tested in tests/test_io_bridge.py."""

from __future__ import annotations

import json
import math
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim._util import fmt_signed
from tariffsim.cli.main import main as cli_main
from tariffsim.engine.results import GE_IO_ROW_KEYS
from tariffsim.errors import LimitError, ScenarioError, UsageError
from tariffsim.models.ge_io import STRUCTURE_NOTE
from tariffsim.outputs.tables import GE_IO_WELFARE_COLUMNS

FAST = {"draws": 0, "n_paths": 2000, "sweep_n_paths": 1000, "sweep_rates": "0:0.5:0.25", "sigmas": (0.76, 2.0)}
N_SECTORS = 40  # the Caliendo-Parro tables: 31 regions x 40 sectors


def _run_json(capsys, *argv: str) -> dict:
    assert cli_main(["run", *argv, "--json", "--draws", "0", "--paths", "1000"]) == 0
    return json.loads(capsys.readouterr().out)


# ----------------------------------------------------------------------------- run --json


@pytest.fixture(scope="module")
def geio():
    return ts.simulate("mex25", model="ge-io", draws=0, n_paths=1000, io_table="cp1993")


def test_run_json_gives_mexico_and_the_us(capsys):
    """The issue's check: `run mex25 --model ge-io --json` gives Mexico's welfare and sector
    outputs, with the 1993 structure stated in the notes."""
    j = _run_json(capsys, "mex25", "--model", "ge-io", "--io-table", "cp1993")
    ge = j["ge"]
    assert j["model"] == "ge-io" and ge["model"] == "ge-io"
    assert STRUCTURE_NOTE in j["notes"] and ge["structure"] == STRUCTURE_NOTE
    assert ge["solver"]["converged"] and ge["solver"]["residual"] < 1e-8
    mex, usa = ge["country"], ge["market"]
    assert (mex["iso3"], mex["region"], usa["iso3"]) == ("MEX", "Mexico", "USA")
    for row in (mex, usa):
        assert set(GE_IO_ROW_KEYS) <= set(row)
        # the decomposition adds up to the welfare change, exactly
        assert row["tot_pct"] + row["vot_pct"] + row["tech_pct"] == pytest.approx(row["welfare_pct"], abs=1e-12)
        assert len(row["output_by_sector_pct"]) == N_SECTORS == len(row["real_output_by_sector_pct"])
    # economics: the tariffed economy loses, the tariff-setting one gains on its terms of trade
    # (in the 1993 tables the US's volume-of-trade loss outweighs it: welfare -0.03 %)
    assert mex["welfare_pct"] < 0 and mex["tot_pct"] < 0 and mex["realwage_pct"] < 0
    assert usa["tot_pct"] > 0 > usa["vot_pct"]
    # the decomposition is integrated along the tariff path, so it adds up to the exact change
    for row in (mex, usa):
        assert row["welfare_pct"] == pytest.approx(row["real_income_pct"], abs=2e-3)
    # Mexico's supply-chain exporters shrink: vehicles and electrical goods
    assert mex["output_by_sector_pct"]["Auto"] < -10 and mex["output_by_sector_pct"]["Electrical"] < -10
    assert 15 <= len(ge["traded_sectors"]) < N_SECTORS and "Auto" in ge["traded_sectors"]
    # the long-run real income is Mexico's exact real-income change in this model; real GDP its own number
    assert j["real_income_pct_long_run"] == pytest.approx(mex["real_income_pct"], abs=1e-9)
    assert j["gdp_impact_pct_long_run"] < 0


def test_ge_block_is_the_solution(geio):
    """The block's numbers are the IOChanges' own, for result.country and result.market."""
    ge = geio.ge_summary()
    br = geio.ge.by_region().set_index("region")
    bs = geio.ge.by_sector()
    for role, region in (("country", "Mexico"), ("market", "USA")):
        row = ge[role]
        for k in GE_IO_ROW_KEYS:
            assert row[k] == pytest.approx(float(br.loc[region, k]), rel=1e-12, abs=1e-12)
        want = bs[bs.region == region].set_index("sector")["output_pct"]
        got = pd.Series(row["output_by_sector_pct"], dtype=float)
        np.testing.assert_allclose(got[want.index].to_numpy(), want.to_numpy(), rtol=1e-12)
    assert ge == geio.to_json()["ge"]  # one block, computed once
    ge["country"]["welfare_pct"] = 99.0  # a copy: the result is not changed through it
    assert geio.to_json()["ge"]["country"]["welfare_pct"] != 99.0


def test_one_sector_ge_block_keeps_by_country(capsys):
    j = _run_json(capsys, "mex25", "--model", "ge")
    ge = j["ge"]
    assert ge["model"] == "ge" and ge["country"]["iso3"] == "MEX" and ge["market"]["iso3"] == "USA"
    assert "real_income_pct" in ge["country"] and "output_by_sector_pct" not in ge["country"]
    assert ge["country"]["real_income_pct"] < 0


def test_ge_block_follows_the_scenario_country():
    """No hard-coded Mexico: a tariff on Canada reported for Canada gives Canada's row."""
    sc = ts.load_scenario(
        {
            "name": "can25",
            "country": "CAN",
            "model": "ge-io",
            "io_table": "cp1993",
            "tariffs": [{"importer": "USA", "exporters": ["CAN"], "rate": 0.25}],
            "elasticities": {"sets": ["central"]},
        }
    )
    ge = ts.simulate(sc, recession=False).to_json()["ge"]
    assert ge["country"]["iso3"] == "CAN" and ge["country"]["region"] == "Canada"
    assert ge["market"]["iso3"] == "USA" and ge["country"]["welfare_pct"] < 0


def test_retaliation_changes_the_answer():
    """With Mexican retaliation the US loses what it gained (its exports to Mexico are taxed) and
    Mexico's terms of trade improve against the no-retaliation case."""
    no = ts.simulate("mex25", model="ge-io", recession=False, io_table="cp1993").to_json()["ge"]
    yes = ts.simulate("mex25-retaliation", model="ge-io", recession=False, io_table="cp1993").to_json()["ge"]
    assert yes["market"]["welfare_pct"] < no["market"]["welfare_pct"]
    assert yes["market"]["realwage_pct"] < no["market"]["realwage_pct"]
    assert yes["country"]["tot_pct"] > no["country"]["tot_pct"]
    assert yes["structure"] == STRUCTURE_NOTE


def test_summary_text_states_the_ge_io_numbers(geio):
    text = geio.summary_text()
    row = geio.to_json()["ge"]["country"]
    assert "structure of 1993" in text
    assert f"welfare {fmt_signed(row['welfare_pct'], 2)} % of income" in text
    assert f"real wage {fmt_signed(row['realwage_pct'], 2)} %" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("MEX real income, multi-sector GE, long run"))
    assert f" {fmt_signed(row['real_income_pct'], 2)} %" in line


# ----------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("geio") / "mex25"
    rec = ts.write_report(ts.load_scenario("mex25").derive(io_table="cp1993"), out, model="ge-io", **FAST)
    return rec, json.loads((out / "provenance.json").read_text(encoding="utf-8"))["run"]


class Page(HTMLParser):
    """Tables (id -> rows of cell texts), image sources and figure captions of a page."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.captions: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._cap: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id"):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []
        elif tag == "img":
            self.images.append(a.get("src", ""))
        elif tag == "figcaption":
            self._cap = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "figcaption" and self._cap is not None:
            self.captions.append("".join(self._cap))
            self._cap = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._cap is not None:
            self._cap.append(data)


def _num(text: str) -> float:
    t = text.replace("−", "-").replace(",", "").replace("+", "").strip()
    return math.nan if t in ("–", "--", "") else float(t)


@pytest.mark.slow
def test_report_has_the_ge_io_figures_tables_and_sheets(report):
    rec, _j = report
    files = set(rec.files)
    for fig in ("ge_io_welfare", "ge_io_sectors", "ge_io_output_by_sector"):
        assert {f"figures/{fig}.{ext}" for ext in ("png", "svg", "pdf")} <= files
    for tab in ("ge_io_welfare", "ge_io_sectors", "ge_io_output"):
        assert {f"tables/{tab}.{ext}" for ext in ("csv", "md", "tex", "html")} <= files
    sheets = pd.read_excel(rec.out_dir / "report.xlsx", sheet_name=None)
    for tab in ("ge_io_welfare", "ge_io_output"):
        csv = pd.read_csv(rec.out_dir / "tables" / f"{tab}.csv")
        # the workbook holds full precision (the cells' number format shows the CSV's decimals)
        assert list(sheets[tab].columns) == list(csv.columns)
        for col in csv.columns:
            if pd.api.types.is_numeric_dtype(csv[col]):
                np.testing.assert_allclose(sheets[tab][col].astype(float), csv[col].astype(float), atol=0.051)
            else:
                assert sheets[tab][col].tolist() == csv[col].tolist()
    src = sheets["Sources"].set_index("Item")["Value"]
    assert "structure of 1993" in src["ge_io_welfare: notes"].lower()
    page = Page()
    page.feed((rec.out_dir / "report.html").read_text(encoding="utf-8"))
    assert {"figures/ge_io_welfare.png", "figures/ge_io_output_by_sector.png"} <= set(page.images)
    geio_caps = [c for c in page.captions if "multi-sector general equilibrium" in c]
    assert len(geio_caps) == 3 and all("1993" in c for c in geio_caps)  # welfare, sectors with the set range, output
    # every table's footnote states the 1993 structure
    for tab in ("ge_io_welfare", "ge_io_output"):
        assert "Structure of 1993" in (rec.out_dir / "tables" / f"{tab}.md").read_text(encoding="utf-8")
        assert "Structure of 1993" in page.tables[f"table-{tab}"][-1][0]
    # the dataset's sector table is the PE model's (the GE-IO runs on the 1993 sectors), and says so
    assert "(PE model)" in (rec.out_dir / "tables" / "sectors.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_one_source_of_truth_json_tables_page(report):
    """Every GE-IO number shown is the run's JSON value: the CSV holds it at full precision, the
    Markdown, LaTeX and HTML tables and the page show it with the table's decimals, and the page's
    sentence the same."""
    rec, j = report
    ge = j["ge"]
    rows = {r["iso3"]: r for r in (ge["country"], ge["market"])}
    page_text = (rec.out_dir / "report.html").read_text(encoding="utf-8")
    page = Page()
    page.feed(page_text)

    w = pd.read_csv(rec.out_dir / "tables" / "ge_io_welfare.csv").set_index("Code")
    assert list(w.index) == ["MEX", "USA"]
    html_rows = {r[1]: r for r in page.tables["table-ge_io_welfare"][1:-1]}
    heads = page.tables["table-ge_io_welfare"][0]
    md = (rec.out_dir / "tables" / "ge_io_welfare.md").read_text(encoding="utf-8")
    tex = (rec.out_dir / "tables" / "ge_io_welfare.tex").read_text(encoding="utf-8")
    for code, row in rows.items():
        for head, key in GE_IO_WELFARE_COLUMNS:
            v = w.loc[code, head]
            assert v == pytest.approx(row[key], rel=1e-12, abs=1e-12)
            assert _num(html_rows[code][heads.index(head)]) == pytest.approx(round(v, 2), abs=1e-9)
        md_row = next(line for line in md.splitlines() if f"| {code} |" in line)
        tex_row = next(line for line in tex.splitlines() if f"& {code} &" in line)
        want = [
            fmt_signed(w.loc[code, h], 2, bare_zero=True).replace("−", "-").lstrip("+")
            for h, _k in GE_IO_WELFARE_COLUMNS
        ]
        assert [c.strip() for c in md_row.strip("| ").split("|")][2:] == want
        assert [c.strip().replace("$-$", "-") for c in tex_row.removesuffix(r"\\").split("&")][2:] == [
            x.strip() for x in want
        ]
        # the page's sentence: the same two decimals
        for key in ("welfare_pct", "tot_pct", "real_income_pct", "realwage_pct"):
            shown = "0.00" if round(row[key], 2) == 0 else f"{row[key]:+.2f}".replace("-", "−")
            assert shown in page_text

    o = pd.read_csv(rec.out_dir / "tables" / "ge_io_output.csv").set_index("Sector")
    assert len(o) == N_SECTORS
    assert set(o.index[o["Sector type"] == "goods"]) == set(ge["traded_sectors"])
    html_out = {r[0]: r for r in page.tables["table-ge_io_output"][1:-1]}
    heads = page.tables["table-ge_io_output"][0]
    for code, row in rows.items():
        for sec, v in row["output_by_sector_pct"].items():
            col = f"{code} output (%)"
            assert o.loc[sec, col] == pytest.approx(v, rel=1e-12, abs=0.05 if round(v, 1) == 0 else 1e-12)
            assert _num(html_out[sec][heads.index(col)]) == pytest.approx(round(o.loc[sec, col], 1), abs=1e-9)
        for sec, v in row["real_output_by_sector_pct"].items():
            assert o.loc[sec, f"{code} real output (%)"] == pytest.approx(
                v, rel=1e-12, abs=0.05 if round(v, 1) == 0 else 1e-12
            )
    # the headline summary table and the JSON agree on the long-run GDP (the GE-IO real income)
    s = pd.read_csv(rec.out_dir / "tables" / "summary.csv").set_index("Elasticity set")
    assert s.loc["central", "Real GDP, long run (%)"] == pytest.approx(j["gdp_impact_pct_long_run"], rel=1e-12)


@pytest.mark.slow
def test_report_with_retaliation_cli(tmp_path, capsys):
    out = tmp_path / "ret"
    argv = ["report", "mex25-retaliation", "--model", "ge-io", "--out", str(out), "-q", "--draws", "0"]
    argv += ["--paths", "1000", "--tariff", "0,0.25", "--formats", "png"]
    assert cli_main(argv) == 0
    assert capsys.readouterr().out == ""  # -q: silent on success
    assert (out / "report.html").is_file()
    j = json.loads((out / "provenance.json").read_text(encoding="utf-8"))["run"]
    assert j["model"] == "ge-io" and j["ge"]["country"]["iso3"] == "MEX"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "retaliation" in page.lower() and "figures/ge_io_welfare.png" in page
    w = pd.read_csv(out / "tables" / "ge_io_welfare.csv").set_index("Code")
    assert w.loc["USA", "Welfare (% of income)"] == pytest.approx(j["ge"]["market"]["welfare_pct"], abs=0.005)


# ----------------------------------------------------------------------------- compare and sweep


@pytest.mark.slow
def test_compare_with_ge_io(tmp_path, capsys):
    cmp = ts.compare(["mex25", "mex25-retaliation"], models=["pe", "ge", "ge-io"], draws=0, n_paths=1000)
    assert list(cmp.runs) == [(s, m) for s in ("mex25", "mex25-retaliation") for m in ("pe", "ge", "ge-io")]
    t = cmp.table
    for s in ("mex25", "mex25-retaliation"):
        r = t[(t.scenario == s) & (t.model == "ge-io") & (t.json_key == "real_income_pct_long_run")].iloc[0]
        assert r.run == f"{s} (GE-IO)"
        assert r.value == pytest.approx(cmp.runs[(s, "ge-io")]["ge"]["country"]["real_income_pct"], abs=0.05)
    assert set(cmp.wide().Model) == {"PE", "GE", "GE-IO"}
    out = tmp_path / "c"
    argv = ["compare", "mex25", "mex25-retaliation", "--model", "pe,ge,ge-io", "--out", str(out), "-q"]
    assert cli_main([*argv, "--draws", "0", "--paths", "1000", "--formats", "png"]) == 0
    assert {"runs/mex25.ge-io.json", "runs/mex25-retaliation.ge-io.json"} <= {
        p.relative_to(out).as_posix() for p in out.rglob("*.json")
    }
    wide = pd.read_csv(out / "tables" / "comparison.csv")
    assert len(wide) == 6 and "GE-IO" in set(wide.Model)


@pytest.mark.slow
def test_sweep_cli_accepts_ge_io(tmp_path, capsys):
    out = tmp_path / "s"
    argv = ["sweep", "mex25", "--model", "ge-io", "--tariff", "0,0.25", "--elasticities", "central"]
    assert cli_main([*argv, "--out", str(out), "--paths", "1000", "-q"]) == 0
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["model"] == "ge-io"
    sw = pd.read_csv(out / "sweep.csv")
    at0 = sw[sw.rate == 0].iloc[0]
    at25 = sw[sw.rate == 0.25].iloc[0]
    assert abs(at0.gdp_impact_pct_long_run) < 1e-6 < -at25.gdp_impact_pct_long_run


@pytest.mark.parametrize("cmd", ["run", "report", "sweep"])
def test_cli_model_choices(cmd, capsys):
    from tariffsim.cli.parser import build_parser
    from tariffsim.constants import MODELS
    from tariffsim.inputs.scenario import MODELS as SCENARIO_MODELS

    assert MODELS == SCENARIO_MODELS
    extra = {"run": [], "report": ["--out", "x"], "sweep": ["--out", "x", "--tariff", "0.1"]}[cmd]
    args = build_parser().parse_args([cmd, "mex25", "--model", "ge-io", *extra])
    assert args.model == "ge-io"
    assert cli_main([cmd, "mex25", "--model", "gex", *extra]) == 2
    assert "ge-io" in capsys.readouterr().err


def test_cli_compare_model_list(tmp_path, capsys):
    from tariffsim.cli.parser import build_parser

    args = build_parser().parse_args(["compare", "mex25", "--model", "pe,ge-io", "--out", "x"])
    assert args.model == "pe,ge-io"
    assert cli_main(["compare", "mex25", "--model", "pe,gei", "--out", str(tmp_path / "c")]) == 2
    assert "--model" in capsys.readouterr().err and not (tmp_path / "c").exists()


# ----------------------------------------------------------------------------- checks in the library


@pytest.fixture
def no_runs(monkeypatch):
    """simulate raises: a check that comes after a run would show as this error."""
    import tariffsim.engine.simulation

    def boom(*a, **k):
        raise AssertionError("simulate was called before the arguments were checked")

    monkeypatch.setattr(tariffsim.engine.simulation, "simulate", boom)


@pytest.mark.parametrize(
    "kw",
    [{"formats": ("png", "bmp")}, {"formats": ()}, {"table_formats": ("csv", "xls")}, {"table_formats": "docx"}],
)
def test_write_report_checks_formats_first(tmp_path, no_runs, kw):
    out = tmp_path / "r"
    with pytest.raises(UsageError, match="format"):
        ts.write_report("mex25", out, **kw)
    assert not out.exists()


def test_write_sweep_and_compare_check_formats_first(tmp_path, no_runs):
    with pytest.raises(UsageError, match="figure format 'gif'"):
        ts.write_sweep("mex25", "0,0.1", tmp_path / "s", formats=["gif"])
    with pytest.raises(UsageError, match="table format 'xlsx'"):
        ts.write_compare(["mex25"], tmp_path / "c", table_formats=["xlsx"])
    with pytest.raises(ScenarioError, match="models"):
        ts.write_compare(["mex25"], tmp_path / "c", models=["pe", "xx"])
    assert not (tmp_path / "s").exists() and not (tmp_path / "c").exists()


def test_compare_checks_the_number_of_runs_first(tmp_path, no_runs):
    from tariffsim.limits import MAX_COMPARE_RUNS

    names = ["mex25", "mex25-usmca", "mex25-retaliation"]
    sc = ts.load_scenario("mex25")
    many = [sc.derive(rate=0.01 * (k + 1)) for k in range(MAX_COMPARE_RUNS // 3 + 1)]
    assert len(many) * 3 > MAX_COMPARE_RUNS
    with pytest.raises(LimitError, match="runs in one comparison"):
        ts.compare(many, models=["pe", "ge", "ge-io"])
    with pytest.raises(LimitError, match="runs in one comparison"):
        ts.write_compare(iter(many), tmp_path / "c", models=["pe", "ge", "ge-io"])
    assert not (tmp_path / "c").exists()
    from tariffsim.outputs.comparison import check_runs

    assert check_runs(names, ["pe", "ge", "ge-io"]) == 9 and check_runs("mex25", None) == 1


def test_table_names_live_only_in_tables():
    import tariffsim.outputs.report as report

    for name in ("summary_table", "sector_table", "partner_table", "write_table", "tex_escape", "US"):
        assert not hasattr(report, name), name


def test_pe_twin_of_the_report_is_the_results_pe_part(geio):
    """The report's dataset views (sectors, partners) come from the PE twin: its long run is the
    ge-io result's value added at risk (PE, long-run elasticities) and its near term the same."""
    import dataclasses

    twin = ts.simulate(dataclasses.replace(geio.scenario, model="pe"), draws=0, recession=False)
    for name, so in geio.sets.items():
        t = twin.outcome(name)
        assert so.at_risk is not None
        np.testing.assert_allclose(t.long_run.V1, so.at_risk.V1, rtol=1e-12)
        np.testing.assert_allclose(t.near_term.V1, so.near_term.V1, rtol=1e-12)
        assert twin.headline(name)["exports_change_pct_after_4q"] == pytest.approx(
            geio.headline(name)["exports_change_pct_after_4q"], rel=1e-12
        )


def test_traded_sectors_ignore_round_off():
    """A sector traded only at home is not traded however large its domestic flows (a total minus
    the diagonal leaves round-off of either sign there); a small real flow abroad counts."""
    from tariffsim.engine.results import traded_sectors

    rng = np.random.default_rng(1)
    trade = np.zeros((4, 4, 3))
    trade[:, :, 0] = rng.lognormal(20, 2, (4, 4))  # traded goods
    trade[np.arange(4), np.arange(4), 1] = rng.lognormal(25, 3, 4) + 0.1  # services: home only
    trade[np.arange(4), np.arange(4), 2] = 1e12
    trade[0, 1, 2] = 1e4  # one small export: traded
    assert list(traded_sectors(trade)) == [True, False, True]
