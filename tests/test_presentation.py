"""What a reader sees says what was computed (the referee's presentation defects of issues 18-20):
real income is never called GDP, every output names the input-output table it ran on, a report for
another country cites that country's sources, numbers are stored at full precision and never as
-0.0, short citations are proper, results have bounded reprs, and the command line's messages
name what the user typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import CAN_TARIFF

import tariffsim as ts
from tariffsim.cli.main import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
MATRIX3 = ROOT / "tests" / "fixtures" / "matrix3"


# ----------------------------------------------------------------------------- command-line messages


def test_export_io_names_its_table_argument(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli_main(["data", "export-io", "icio2023", "--scenario", "mex25", "--out", str(tmp_path / "io")]) == 2
    err = capsys.readouterr().err
    assert "argument TABLE: unknown input-output table 'icio2023'" in err
    assert "argument name" not in err


def test_calibrate_country_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    gdp = tmp_path / "gdp.csv"
    gdp.write_text("date,gdp\n" + "".join(f"{1990 + q // 4}-{3 * (q % 4) + 1:02d}-01,{100 + q}\n" for q in range(60)))
    assert cli_main(["calibrate", str(gdp), "--country", "XYZ", "--start", "1990Q1", "--end", "2003Q4"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tariffsim: error: argument --country: unknown country 'XYZ'")
    assert "row 0" not in err and str(gdp) not in err


def test_data_info_names_the_first_missing_file_in_command_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    m, lab, g = (str(tmp_path / n) for n in ("trade.csv", "labels.csv", "gdp.csv"))
    assert cli_main(["data", "info", "--matrix", m, "--labels", lab, "--gdp", g]) == 2
    assert capsys.readouterr().err.strip() == f"tariffsim: error: {m}: file not found"
    assert cli_main(["data", "info", "--gdp", g, "--labels", lab, "--matrix", m]) == 2
    assert capsys.readouterr().err.strip() == f"tariffsim: error: {g}: file not found"
    # the files that exist are read; the missing one is named
    args = ["--matrix", str(MATRIX3 / "trade.csv"), "--labels", str(MATRIX3 / "labels.csv"), "--gdp", g]
    assert cli_main(["data", "info", *args]) == 2
    assert capsys.readouterr().err.strip() == f"tariffsim: error: {g}: file not found"


def test_data_info_of_a_small_matrix_shows_its_numbers(capsys: pytest.CaptureFixture) -> None:
    """The README's toy matrix (1500 thousand USD, ...): its total is 4.2 mn USD, not '0.0 bn USD'."""
    args = ["--matrix", str(MATRIX3 / "trade.csv"), "--labels", str(MATRIX3 / "labels.csv")]
    assert cli_main(["data", "info", *args, "--gdp", str(MATRIX3 / "gdp.csv")]) == 0
    out = capsys.readouterr().out
    total = (1500 + 250.5 + 2000 + 100 + 300 + 50) * 1e3  # tests/fixtures/matrix3/trade.csv, thousand USD
    assert f"total {total / 1e6:.1f} mn USD" in out
    assert "0.0 bn USD" not in out and "exports mn USD" in out and "GDP bn USD" in out
    assert re.search(r"^MEX\s+2\.1\s+1\.6\s+1\.8$", out, re.M)  # 2,100 and 1,550.5 thousand USD; GDP 1.8 bn
    data = ts.read_matrix_csv(MATRIX3 / "trade.csv", MATRIX3 / "labels.csv", MATRIX3 / "gdp.csv")
    assert "total=4.2 mn USD" in repr(data)


def test_readme_world_comment_is_what_print_shows(shared_data: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    comment = re.search(r"print\(world\)\s+# (TradeData\(.*), \.\.\.\)", readme)
    assert comment, "README: print(world) with the repr it prints"
    d = shared_data / "ilms2025"
    world = ts.read_matrix_csv(
        d / "trade_cepii.csv",
        d / "country_labels.csv",
        d / "gdp.csv",
        units="thousand USD",
        year=2023,
        name="baci2023",
    )
    assert repr(world).startswith(comment.group(1))
    assert world.n_countries == 194 and world.year == 2023


# ----------------------------------------------------------------------------- reprs


def _check_repr(name: str, obj: object) -> None:
    text = repr(obj)
    assert len(text) < 5_000, f"{name}: repr of {len(text):,} characters"
    html = getattr(obj, "_repr_html_", None)
    assert callable(html), f"{name} has no _repr_html_"
    page = html()
    assert isinstance(page, str) and 0 < len(page) < 50_000, f"{name}: _repr_html_ of {len(page):,} characters"


@pytest.mark.slow
def test_every_public_result_type_has_a_short_repr_and_an_html_one() -> None:
    from tariffsim.inputs.calibrations import default_calibration

    res = ts.simulate("mex25", draws=20, n_paths=2_000)
    io = ts.simulate("mex25", model="ge-io", recession=False, elasticities=["CP"])
    bt = ts.backtest()
    objects = {
        "Result": res,
        "Summary": res.overview(),
        "SetOutcome": res.outcome(),
        "TradeOutcome": res.outcome().near_term,
        "PEOutcome": res.outcome().near_term.detail,
        "GESolution": res.ge,
        "IOChanges": io.ge,
        "MacroOutcome": res.outcome().macro,
        "RecessionRisk": res.recession,
        "SolverInfo": res.outcome().gdp_long_run.solver,
        "AR1Calibration": default_calibration(),
        "BacktestResult": bt,
        "Episode": bt.episodes[0],
        "Prediction": bt.predictions[0],
        "Comparison": ts.compare(["mex25", "mex25-usmca"], draws=0, n_paths=1_000),
        "sweep": ts.sweep("mex25", "0:0.5:0.05", n_paths=1_000),
        "tornado": ts.tornado("mex25"),
        "gdp_path": res.gdp_path(),
    }
    for name, obj in objects.items():
        _check_repr(name, obj)
    # the back-test's repr says what it found; its HTML is the track record
    assert "episodes passed: central" in repr(bt) and "FAIL" in bt._repr_html_()


def test_replication_results_have_short_reprs(shared_data: Path) -> None:
    if not (shared_data / "cp2015").is_dir():
        pytest.skip("../shared/data/cp2015 not found")
    r = ts.replicate_cp2015(shared_data / "cp2015")
    _check_repr("CP2015Result", r)
    assert "by_region=DataFrame(" in repr(r)


# ----------------------------------------------------------------------------- citations


#: The short cites of every shipped elasticity set, as its sources give the works (the one-year
#: sets: sets.toml; the multi-sector model's eight: io_sets.toml, each with the one-sector values).
CENTRAL_CITES = [
    "Boehm, Levchenko and Pandalai-Nayar 2023",
    "Francois and Hall 2003",
    "Amiti, Redding and Weinstein 2019",
    "Fajgelbaum et al. 2020",
]
SET_CITES = {
    "central": [*CENTRAL_CITES, "Caliendo and Parro 2015"],
    "low": CENTRAL_CITES,
    "high": ["Fajgelbaum et al. 2020", "Ignatenko et al. 2025", "Simonovska and Waugh 2014"],
    "smart": ["Jammes and Olarreaga 2005", "Kee, Nicita and Olarreaga 2008", "Francois and Hall 2003"],
    "gsim": ["Francois and Hall 2003"],
    "bw-sectoral": ["Broda and Weinstein 2006", "Francois and Hall 2003", "Amiti, Redding and Weinstein 2019"],
    "cp-sectoral": ["Caliendo and Parro 2015", "Francois and Hall 2003", "Amiti, Redding and Weinstein 2019"],
    "CP": [*CENTRAL_CITES, "Caliendo and Parro 2015"],
    "BSY": [*CENTRAL_CITES, "Bagwell, Staiger and Yurukoglu 2021"],
    "GYY": [*CENTRAL_CITES, "Giri, Yi and Yilmazkuday 2021"],
    "Shap": [*CENTRAL_CITES, "Shapiro 2016"],
    "FGO": [*CENTRAL_CITES, "Fontagne, Guimbard and Orefice 2022"],
    "LL": [*CENTRAL_CITES, "Lashkaripour and Lugovskyy 2023"],
    "IS": [*CENTRAL_CITES, "Lashkaripour 2021", "Caliendo and Parro 2015"],
    "U4": [*CENTRAL_CITES, "Simonovska and Waugh 2014"],
}
PROPER_CITE = re.compile(r"^[A-Z][\w'\-]+(?: et al\.|(?:, [A-Z][\w'\-]+)* and [A-Z][\w'\-]+)? (?:19|20)\d\d$")


def test_every_shipped_sets_citations_render_as_proper_short_cites() -> None:
    from tariffsim.inputs.elasticities import available_sets, get_set, io_set, io_set_names
    from tariffsim.inputs.io_shipped import io_elasticity_sets
    from tariffsim.outputs.figures.style import short_citations

    sets = {n: get_set(n) for n in available_sets()} | {n: io_set(n) for n in io_set_names()}
    assert set(sets) == set(SET_CITES)
    for name, es in sets.items():
        cites = short_citations((es.sources or {}).values())
        assert cites == SET_CITES[name], name
        assert all(PROPER_CITE.match(c) for c in cites), (name, cites)
    # each sector-elasticity set's own label, e.g. 'Bagwell, Staiger and Yurukoglu (2021)', is among its cites
    for name, meta in io_elasticity_sets().items():
        label = meta["label"]
        if re.search(r"\(\d{4}\)$", label):
            assert label.replace(" (", " ").rstrip(")") in SET_CITES[name], name


def test_citation_shortener_handles_initials_aliases_and_non_authors() -> None:
    from tariffsim.outputs.figures.style import short_citations

    got = short_citations(
        [
            "Caliendo, L. and F. Parro (2015), 'Estimates'; Giri, R., K.-M. Yi and H. Yilmazkuday (2021)",
            "Shapiro, J. S. (2016), 'Trade Costs'; tariffwar's Caliendo-Parro (2015)-type estimates on ICIO 2011-2022",
            "ILMS (2025); OECD Economic Outlook, Volume 2024 Issue 2; Executive Order 14194 (1 February 2025)",
            "Boehm et al. (2023); Boehm, Levchenko and Pandalai-Nayar (2023, AER)",
        ]
    )
    assert got == [
        "Caliendo and Parro 2015",
        "Giri, Yi and Yilmazkuday 2021",
        "Shapiro 2016",
        "Ignatenko et al. 2025",
        "Boehm, Levchenko and Pandalai-Nayar 2023",  # the fuller form of the same work
    ]


# ----------------------------------------------------------------------------- real income is not GDP


def test_long_run_texts_name_real_income_and_the_table() -> None:
    from tariffsim.outputs.figures.gdp import gdp_path_chart
    from tariffsim.outputs.figures.style import sources_caption

    for model, sets in (("pe", ["central"]), ("ge", ["central"]), ("ge-io", ["CP"])):
        r = ts.simulate("mex25", model=model, recession=False, elasticities=sets)
        j = r.to_json()
        text = j["long_run_mechanism"]["real_income"]
        assert "not GDP" in text and "long-run GDP" not in text, model
        cap = sources_caption(r)
        assert "long-run GDP" not in cap and "long-run real GDP" in cap, model
        if model == "ge-io":
            assert r.io_table == "icio2022"
            for t in (text, cap):
                assert "input-output table icio2022 (ICIO 2022 flows and tariffs, input-output shares of 2015)" in t
            assert "the scenario's input-output table" not in cap
        else:
            assert r.io_table is None
    fig = gdp_path_chart(ts.simulate("mex25", recession=False, elasticities=["central"]))
    caption = " ".join(t.get_text() for t in fig.texts)
    assert (
        "blend into long-run real GDP" in " ".join(caption.split()) and "general-equilibrium real income" not in caption
    )


def test_ge_io_tables_name_their_table_and_type_services() -> None:
    from tariffsim.outputs import tables

    r = ts.simulate("mex25", model="ge-io", recession=False, elasticities=["CP", "BSY"])
    for df in (tables.ge_io_welfare_table(r), tables.ge_io_output_table(r), tables.ge_io_sector_table(r)):
        notes = df.attrs["notes"]
        assert "input-output table icio2022" in notes and "NAFTA" not in notes and "long-run GDP" not in notes
    assert "not GDP" in tables.ge_io_welfare_table(r).attrs["notes"]
    out = tables.ge_io_output_table(r).set_index("Sector")
    assert out.loc["Services", "Sector type"] == "services"
    assert set(out.index[out["Sector type"] == "goods"]) == set(r.to_json()["ge"]["goods_sectors"])


# ----------------------------------------------------------------------------- reports as a reader sees them

CAN25 = CAN_TARIFF + "[recession]\nrho = 0.3\nsigma = 0.6\n"
SMALL = {"draws": 20, "n_paths": 5_000, "sweep_n_paths": 2_000, "sweep_rates": "0:0.25:0.25", "formats": ("png",)}


def _page_text(folder: Path) -> str:
    """report.html as text (tags dropped, entities decoded, whitespace collapsed)."""
    import html as html_mod

    page = (folder / "report.html").read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html_mod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture(scope="module")
def can_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("can")
    sc = base / "can25.toml"
    sc.write_text(CAN25, encoding="utf-8")
    out = base / "report"
    ts.write_report(str(sc), out, **SMALL)
    import json

    return out, json.loads((out / "provenance.json").read_text(encoding="utf-8"))["run"]


@pytest.fixture(scope="module")
def mex_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    import json

    out = tmp_path_factory.mktemp("mex") / "report"
    ts.write_report("mex25", out, **SMALL)
    return out, json.loads((out / "provenance.json").read_text(encoding="utf-8"))["run"]


@pytest.fixture(scope="module")
def geio_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    import json

    out = tmp_path_factory.mktemp("geio") / "report"
    ts.write_report("mex25", out, model="ge-io", **{**SMALL, "draws": 0})
    return out, json.loads((out / "provenance.json").read_text(encoding="utf-8"))["run"]


@pytest.mark.slow
def test_another_countrys_report_cites_its_own_sources(can_report: tuple[Path, dict]) -> None:
    out, j = can_report
    text = _page_text(out)
    # nothing of Mexico's: not its capital facts, its forecast, its value-added source or its data
    # (Mexico itself appears only as a partner, in the partners table)
    for bad in ("Mexico's", "Mexico 0.208", "Mexico 2025", "0.208", "WIOD 2016", "Wang-Wei-Zhu", "INEGI", "inegi"):
        assert bad not in text, bad
    assert text.count("Mexico") == 1
    # Canada's own numbers, as the run resolved them, with Canada's sources
    drag = j["macro"]["uncertainty_drag_pct"]
    assert f"Uncertainty drag (% of GDP) {drag:.3g} (data)" in text and "CAN's investment share of GDP 0.219" in text
    assert "Baseline growth (% a year) 2 (data)" in text and "Volume 2024 Issue 2" in text
    assert "Canada's domestic value added in gross exports, by sector and destination: WIOT 2011" in text
    assert "Canada's baseline growth forecast for 2025 (pre-tariff): OECD" in text
    # the recession model section says where its parameters come from (the scenario file, by name)
    sec = text.split("Recession model", 1)[1].split("Data", 1)[0]
    assert "with the parameters the scenario gives (can25.toml, its [recession] table)" in sec
    assert "–, 0 quarters" not in sec and "fitted to" not in sec
    # the figure footers too
    from tariffsim.outputs.figures.style import sources_caption

    r = ts.simulate(str(out / "scenario.toml"), draws=0, n_paths=1_000)
    cap = sources_caption(r)
    assert "Canada's value added in exports: WIOT 2011" in cap and "WIOD 2016" not in cap and "Mexico" not in cap
    assert {s["figure"] for s in j["sources"]} >= {"Canada's growth model (AR(1) parameters)"}


@pytest.mark.slow
def test_mexico_report_cites_the_value_added_it_used(mex_report: tuple[Path, dict]) -> None:
    out, j = mex_report
    text = _page_text(out)
    assert "Mexico's domestic value added in gross exports, by sector and destination: WIOT 2011" in text
    assert "WIOD 2016" not in text and "(WIOD 2014)" not in text
    assert "data/macro/forecasts.csv (Mexico 2025" not in text  # the generic source line, never for the run
    assert all(s.get("role") != "reference" for s in j["sources"])
    # the two value-added numbers carry different names (two weightings)
    assert "per dollar of exports to the United States" in text
    assert "Domestic value added per dollar of the export change after 4 quarters, all markets" in text


@pytest.mark.slow
def test_the_draws_behind_each_recession_number_are_stated(mex_report: tuple[Path, dict]) -> None:
    out, j = mex_report
    mc, wd, band = (
        j["recession_monte_carlo"],
        j["recession_with_parameter_draws"],
        j["recession_probability_change_band"],
    )
    assert mc["parameter_draws"] == 0 and "n_draws" not in mc and "no parameter draws" in mc["gdp_path"]
    assert wd["parameter_draws"] == SMALL["draws"] == band["n_blocks"] and wd["n_paths"] == SMALL["n_paths"]
    text = _page_text(out)
    assert "parameter draw;" not in text and "1 parameter draw" not in text
    assert "point GDP path (no parameter draws)" in text
    assert f"The 90 % band of the change: {SMALL['draws']} joint draws" in text


@pytest.mark.slow
def test_tables_hold_full_precision_and_no_output_has_a_negative_zero(mex_report: tuple[Path, dict]) -> None:
    import pandas as pd

    out, j = mex_report
    s = pd.read_csv(out / "tables" / "summary.csv").set_index("Elasticity set")
    book = pd.read_excel(out / "report.xlsx", sheet_name="summary").set_index("Elasticity set")
    for df in (s, book):
        # the inputs as their sources state them (sets.toml), not rounded: 0.665, 0.475, 3.125
        assert df.loc["low", "σ, one year"] == 0.665 and df.loc["central", "η, one year"] == 0.475
        assert df.loc["high", "η, long run"] == 3.125
        assert df.loc["central", "GDP after 4 quarters (%)"] == pytest.approx(j["gdp_impact_pct"], rel=1e-12)
    negative_zero = re.compile(r"(?<![\w.])[-−]0(?:\.0+)?(?![\d.])")
    for f in out.rglob("*"):
        if f.suffix in (".csv", ".md", ".tex", ".html", ".json"):
            hits = negative_zero.findall(f.read_text(encoding="utf-8"))
            assert not hits, (f.relative_to(out), hits[:3])
    assert (pd.read_csv(out / "data" / "sweep.csv").rate == 0).any()  # where the long run read -0.0


def test_gdp_paths_and_sweeps_have_no_negative_zero() -> None:
    import numpy as np

    sc = ts.load_scenario("mex25").derive(rate=0.0)
    r = ts.simulate(sc, recession=False, elasticities=["central"])
    for df in (r.gdp_path(), ts.sweep("mex25", "0", ["central"], recession=False)):
        v = df.select_dtypes("float").to_numpy()
        assert not np.any((v == 0) & np.signbit(v))


@pytest.mark.slow
def test_multi_sector_report_says_what_each_set_is_and_where_numbers_come_from(
    geio_report: tuple[Path, dict],
) -> None:
    import pandas as pd

    out, j = geio_report
    text = _page_text(out)
    # never 'from -2.71 % ('CP') to -2.71 % ('CP')': the sets differ in the long run only
    assert not re.search(r"from (\S+ %) \('(\w+)'\) to \1 \('\2'\)", text)
    assert "The first year is the same in all 8 elasticity sets, which differ only in the long run" in text
    # the caveat names the table actually used and that the sets' θ enter the model
    for bad in ("NAFTA equilibrium", "do not enter", "1993 Caliendo-Parro", "long-run GDP", "the long-run GDP"):
        assert bad not in text, bad
    assert "Caliendo-Parro (2015) model on input-output table icio2022" in text
    assert "with each elasticity set's sector trade elasticities θ" in text
    assert "runs on the sectors and regions of input-output table icio2022" in text
    # revenue and prices come from the PE model, and say so (page and summary table)
    assert "PE model at long-run elasticities on the dataset's 2023/2024 trade" in text
    s = pd.read_csv(out / "tables" / "summary.csv").set_index("Elasticity set")
    assert "Market's tariff revenue, change, long run, PE model (USD bn a year)" in s.columns
    # what each set is: its source and trade-weighted θ; the one-sector GE's ε is not shown
    assert s.loc["BSY", "Sector trade elasticities θ, source"] == "Bagwell, Staiger and Yurukoglu (2021)"
    assert s["θ, trade-weighted mean, long run"].nunique() == len(s) and "GE trade elasticity ε" not in s.columns
    # the published estimate of the same model family, side by side
    ge = j["ge"]["country"]
    assert "ifo/EconPol Policy Brief 70" in text and "about −10 %" in text and "about −21 %" in text
    assert f"manufacturing value added {ge['manufacturing_value_added_pct']:+.1f} %".replace("-", "−") in text
    o = pd.read_csv(out / "tables" / "ge_io_output.csv").set_index("Sector")
    assert o.loc["Services", "Sector type"] == "services"


def test_multi_sector_gdp_by_set_figure_labels_its_sets_by_theta() -> None:
    from tariffsim.outputs.figures.gdp import gdp_by_set

    r = ts.simulate("mex25", model="ge-io", recession=False, elasticities=["CP", "BSY", "U4"])
    fig = gdp_by_set(r)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "CP\nθ 8.03 (trade-weighted)" in labels and "U4\nθ 4.00 (trade-weighted)" in labels
    sub = " ".join(" ".join(t.get_text() for t in fig.texts).split())
    assert "after four quarters in every set; in the long run real GDP" in sub
    assert not re.search(r"(−\d\.\d) to \1 % across sets", sub)


def test_tick_labels_never_read_minus_zero() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tariffsim.outputs.figures.style import fmt_num, pct_axis

    fig, ax = plt.subplots()
    pct_axis(ax, "x")
    fmt = ax.xaxis.get_major_formatter()
    assert fmt(-0.0, 0) == "0" and fmt(-2.5, 1) == "−2.5"
    pct_axis(ax, "y", nd=1)
    assert ax.yaxis.get_major_formatter()(-0.04, 0) == "0.0"
    assert fmt_num(-0.04, 1) == "0.0"
    plt.close(fig)
