"""Reports (tariffsim.outputs.report): the report folder has every file it promises, the HTML references
only files that exist, tables round-trip through CSV, a non-empty folder is refused without
force, and a failure midway leaves nothing behind.

One report is written per module (few Monte Carlo paths and draws, a coarse grid, but every
figure in every format: the real code path).
"""

from __future__ import annotations

import hashlib
import io
import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from tariffsim.cli.report import ProgressBar
from tariffsim.constants import FIGURE_FORMATS
from tariffsim.engine.simulation import simulate
from tariffsim.errors import OutputExistsError
from tariffsim.inputs.scenario import Scenario, load_scenario
from tariffsim.outputs.figures.catalog import FIGURES
from tariffsim.outputs.report import REPORT_STEPS, SWEEP_STEPS, write_report, write_sweep
from tariffsim.outputs.tables import (
    TABLE_FORMATS,
    partner_table,
    readable_header,
    sector_table,
    summary_table,
    write_table,
)

pytestmark = pytest.mark.slow

FAST = {"draws": 20, "n_paths": 2000, "sweep_n_paths": 1000, "sweep_rates": "0:0.5:0.25", "sigmas": (2.0, 4.0, 8.0)}
PE_FIGURES = list(FIGURES)  # the PE long run is a GE solution, so ge_welfare is drawn too
TABLES = ("summary", "sectors", "partners")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "mex25"
    steps: list[str] = []
    rec = write_report("mex25", out, progress=steps.append, **FAST)
    return rec, steps


@pytest.fixture(scope="module")
def result():
    # the same run as the report's (same scenario, seed, draws and paths)
    return simulate("mex25", draws=FAST["draws"], n_paths=FAST["n_paths"])


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") and v is not None:
                self.refs.append(v)


def promised_files() -> set[str]:
    files = {"report.html", "report.xlsx", "scenario.toml", "provenance.json"}
    files |= {f"figures/{n}.{f}" for n in PE_FIGURES for f in FIGURE_FORMATS}
    files |= {f"tables/{t}.{f}" for t in TABLES for f in TABLE_FORMATS}
    files |= {
        f"data/{n}.csv"
        for n in ("sweep", "elasticity_grid", "tornado", "gdp_path", "growth_quantiles", "parameter_draws")
    }
    return files


def test_report_writes_every_promised_file(report):
    rec, steps = report
    assert rec.out_dir.is_dir()
    assert set(rec.files) == promised_files()
    for p in rec.paths:
        assert p.stat().st_size > 0, p
    assert steps == list(REPORT_STEPS)
    assert rec.scenario == "mex25" and rec.scenario_hash == load_scenario("mex25").hash
    # nothing left beside the folder (temporary or old copies)
    assert sorted(p.name for p in rec.out_dir.parent.iterdir()) == ["mex25"]


def test_figure_files_are_what_they_say(report):
    rec, _ = report
    for n in PE_FIGURES:
        assert (rec.out_dir / f"figures/{n}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert (rec.out_dir / f"figures/{n}.pdf").read_bytes()[:5] == b"%PDF-"
        assert "<svg" in (rec.out_dir / f"figures/{n}.svg").read_text(encoding="utf-8")[:2000]


def test_html_references_only_existing_files(report):
    rec, _ = report
    page = (rec.out_dir / "report.html").read_text(encoding="utf-8")
    parser = Links()
    parser.feed(page)
    assert parser.refs
    for ref in parser.refs:
        assert "://" not in ref and not ref.startswith(("/", "\\")), f"not a relative link: {ref}"
        assert (rec.out_dir / ref).is_file(), f"report.html links to a missing file: {ref}"
    shown = {r for r in parser.refs if r.endswith(".png")}
    assert shown == {f"figures/{n}.png" for n in PE_FIGURES}


def test_html_reads_like_a_briefing(report, result):
    rec, _ = report
    page = (rec.out_dir / "report.html").read_text(encoding="utf-8")
    for heading in ("The question", "The main numbers", "Figures", "Assumptions", "Caveats"):
        assert f">{heading}<" in page, heading
    j = result.to_json()
    g = f"{j['gdp_impact_pct']:+.2f}".replace("-", "−")
    assert g in page  # the central GDP number
    assert f"{100 * j['recession_probability_baseline']:.1f} %" in page  # recession risk against the baseline
    for piece in (
        "export dependence",
        "value added",
        "Full pass-through",
        "Partial equilibrium",
        "Published estimates",
        "Simonovska and Waugh",
    ):
        assert piece.lower() in page.lower(), piece
    assert str(rec.out_dir.parent) not in page  # no machine paths: links are relative


def test_provenance_lists_and_hashes_the_files(report):
    rec, _ = report
    prov = json.loads((rec.out_dir / "provenance.json").read_text(encoding="utf-8"))
    assert prov["scenario_hash"] == rec.scenario_hash
    assert prov["created"].endswith("+00:00")
    assert set(prov["files"]) == set(rec.files)
    for f, digest in prov["sha256"].items():
        assert hashlib.sha256((rec.out_dir / f).read_bytes()).hexdigest() == digest, f
    assert prov["run"]["scenario"] == "mex25" and "gdp_impact_pct" in prov["run"]
    assert prov["report"]["sweep_rates"] == [0.0, 0.25, 0.5]


def test_scenario_file_is_the_scenario_used(report):
    rec, _ = report
    sc = Scenario.from_file(rec.out_dir / "scenario.toml")
    assert sc.hash == rec.scenario_hash


@pytest.mark.parametrize(
    "name,fn", [("summary", summary_table), ("sectors", sector_table), ("partners", partner_table)]
)
def test_report_tables_round_trip(report, result, name, fn):
    """The CSV read back with pandas gives the numbers of the table the library returns."""
    rec, _ = report
    df = fn(result)
    back = pd.read_csv(rec.out_dir / f"tables/{name}.csv")
    assert list(back.columns) == list(df.columns)
    pd.testing.assert_frame_equal(back, df, check_dtype=False, check_exact=True)


def _excel_as_csv(df: pd.DataFrame, csv: pd.DataFrame) -> pd.DataFrame:
    """Excel has no infinity: the workbook leaves the cell empty (never the text '∞' among numbers),
    where the CSV shows inf."""
    out = df.copy()
    for col in out.columns:
        if col in csv.columns and pd.api.types.is_numeric_dtype(csv[col]):
            out[col] = out[col].where(~(out[col].isna() & np.isinf(csv[col].astype(float))), csv[col])
    return out


def test_report_workbook_matches_the_csvs(report):
    """report.xlsx: a sheet per table holding the CSV's numbers, both at full precision (the cells'
    number format shows the table's decimals), no text among numbers, and a Sources sheet with
    the scenario's hash, every data source and the elasticity sets' sources."""
    rec, _ = report
    book = pd.read_excel(rec.out_dir / "report.xlsx", sheet_name=None)
    assert list(book) == [*TABLES, "Sources"]
    for name in TABLES:
        csv = pd.read_csv(rec.out_dir / f"tables/{name}.csv")
        back = _excel_as_csv(book[name], csv)
        assert list(back.columns) == list(csv.columns)
        assert not any((back[c].astype(str) == "∞").any() for c in back.columns)
        pd.testing.assert_frame_equal(back, csv, check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-12)
    src = book["Sources"]
    assert list(src.columns) == ["Item", "Value"]
    text = "\n".join(src.Item.astype(str) + " " + src.Value.astype(str))
    prov = json.loads((rec.out_dir / "provenance.json").read_text())
    assert prov["scenario_hash"] in text
    for s in prov["run"]["sources"]:  # the sources of what the run used
        assert s["publisher"] in text
    assert "Wang-Wei-Zhu" not in text  # the dataset's reference-only figure: no run reads it
    assert "elasticity set central: sigma" in text
    assert "summary: notes" in text


@pytest.mark.parametrize("fn", [summary_table, sector_table, partner_table])
def test_tables_have_units_and_rounding(result, fn, tmp_path):
    df = fn(result)
    num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    assert num
    for c in num:
        dimensionless = c.startswith(("σ", "η", "GE trade elasticity")) or "elasticity" in c
        assert dimensionless or "(%)" in c or "(pp)" in c or "USD" in c, f"no unit in header {c!r}"
        assert isinstance(df.attrs["decimals"][c], int), c  # the decimals to show; the values are full
    paths = write_table(df, tmp_path / "t")
    assert [p.suffix for p in paths] == [".csv", ".md", ".tex", ".html"]
    # the CSV holds the table's numbers at full precision (rounding is the Markdown/LaTeX/HTML format)
    pd.testing.assert_frame_equal(pd.read_csv(paths[0]), df, check_dtype=False, check_exact=True)
    md = paths[1].read_text(encoding="utf-8")
    first = df.iloc[0]
    for c in num[:3]:
        nd = df.attrs["decimals"][c]
        if np.isfinite(first[c]):
            assert f"{float(first[c]):,.{nd}f}".lstrip("-") in md, c


def test_table_writers_formats(result, tmp_path):
    df = summary_table(result)
    write_table(df, tmp_path / "s")
    md = (tmp_path / "s.md").read_text(encoding="utf-8")
    rows = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len(rows) == len(df) + 2 and set(rows[1].replace("|", "").split()) <= {":---", "---:"}
    tex = (tmp_path / "s.tex").read_text(encoding="utf-8")
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert tex.count(rule) == 1
    body = [ln for ln in tex.splitlines() if not ln.startswith("%")]
    text = "\n".join(body)
    assert r"(\%)" in text and "(%)" not in text  # % escaped outside comments
    assert r"$\sigma$" in text and "σ" not in text
    h = (tmp_path / "s.html").read_text(encoding="utf-8")
    body_html = h.split("<tbody>")[1].split("</tbody>")[0]
    assert h.startswith("<table") and body_html.count("<tr>") == len(df) and "<caption>" in h


def test_latex_escapes_special_characters(tmp_path):
    df = pd.DataFrame({"name_with_underscore & more": ["a_b #1 {x} ~ ^ $5 100%"], "value (%)": [-1.25]})
    df.attrs["decimals"] = {"value (%)": 2}
    write_table(df, tmp_path / "e", ("tex", "csv"))
    tex = (tmp_path / "e.tex").read_text(encoding="utf-8")
    assert r"name\_with\_underscore \& more" in tex
    assert r"a\_b \#1 \{x\} \textasciitilde{} \textasciicircum{} \$5 100\%" in tex
    assert r"$-$1.25" in tex
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "e.csv"), df)


def test_refuses_a_non_empty_folder_without_force(tmp_path):
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match="busy"):
        write_report("mex25", out, **FAST)
    with pytest.raises(OutputExistsError, match="force"):
        write_sweep("mex25", "0,0.25", out)
    assert (out / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


class Boom(RuntimeError):
    pass


def fail_at(step: str):
    def progress(s: str) -> None:
        if s == step:
            raise Boom(f"simulated failure at {s}")

    return progress


def test_failure_midway_leaves_nothing_behind(tmp_path):
    out = tmp_path / "new" / "report"  # the parent folder is created, and removed again
    with pytest.raises(Boom):
        write_report("mex25", out, progress=fail_at("tables"), formats=("png",), **FAST)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder either


def test_failure_with_force_keeps_the_old_folder(tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "old.txt").write_text("previous run")
    with pytest.raises(Boom):
        write_sweep(
            "mex25",
            "0,0.25",
            out,
            sigmas=(2.0, 4.0),
            n_paths=500,
            formats=("png",),
            force=True,
            progress=fail_at("figures"),
        )
    assert (out / "old.txt").read_text() == "previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep"]


def test_write_sweep_and_force_replaces(tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "stale.txt").write_text("stale")
    steps: list[str] = []
    rec = write_sweep(
        "mex25",
        "0:0.5:0.25",
        out,
        sigmas=(2.0, 4.0),
        n_paths=500,
        formats=("png", "svg"),
        force=True,
        progress=steps.append,
    )
    assert steps == list(SWEEP_STEPS)
    assert set(rec.files) == {
        "sweep.csv",
        "elasticity_grid.csv",
        "sweep.xlsx",
        "recession_curve.png",
        "recession_curve.svg",
        "gdp_heatmap.png",
        "gdp_heatmap.svg",
        "scenario.toml",
        "provenance.json",
    }
    assert not (out / "stale.txt").exists()
    sw = pd.read_csv(out / "sweep.csv")
    assert set(sw.elasticity_set) == {"low", "central", "high"}
    assert sorted(set(sw.rate)) == [0.0, 0.25, 0.5]
    assert sw.recession_probability.between(0, 1).all()
    grid = pd.read_csv(out / "elasticity_grid.csv")
    assert len(grid) == 3 * 2 and set(grid.sigma) == {2.0, 4.0}
    book = pd.read_excel(out / "sweep.xlsx", sheet_name=None)
    assert list(book) == ["sweep", "elasticity_grid", "Sources"]
    # readable headers; the same numbers
    pd.testing.assert_frame_equal(book["sweep"], sw.rename(columns=readable_header), check_dtype=False)
    pd.testing.assert_frame_equal(book["elasticity_grid"], grid.rename(columns=readable_header), check_dtype=False)
    assert "gdp_impact_pct" not in book["sweep"].columns and "GDP after 4 quarters (%)" in book["sweep"].columns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sweep"]


def test_empty_existing_folder_is_used(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    rec = write_sweep("mex25", "0,0.25", out, sigmas=(4.0,), n_paths=500, formats=("png",))
    assert (out / "sweep.csv").is_file() and rec.out_dir == out


def test_progress_bar_text():
    buf = io.StringIO()
    with ProgressBar(len(SWEEP_STEPS), buf) as bar:
        for s in SWEEP_STEPS:
            bar(s)
    lines = buf.getvalue().splitlines()
    assert len(lines) == len(SWEEP_STEPS)
    assert lines[0].endswith(f"1/{len(SWEEP_STEPS)} tariff sweep")
    assert f"[{'#' * 24}]" in lines[-1]
