"""What a reader sees says what was computed (the referee's presentation defects of issues 18-20):
real income is never called GDP, every output names the input-output table it ran on, a report for
another country cites that country's sources, numbers are stored at full precision and never as
-0.0, short citations are proper, results have bounded reprs, and the command line's messages
name what the user typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
