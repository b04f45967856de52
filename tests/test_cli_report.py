"""CLI wiring of `tariffsim report` and `tariffsim sweep` (the files themselves: test_report.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tariffsim.cli import main as cli_main


def test_report_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert cli_main(["report", "mex25", "--out", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "--force" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("grid", ["0:0.5", "-0.1:0.2:0.1", "x"])
def test_sweep_bad_grid_is_a_user_error(tmp_path, capsys, grid):
    assert cli_main(["sweep", "mex25", f"--tariff={grid}", "--out", str(tmp_path / "s"), "-q"]) == 2
    assert "--tariff" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_sweep_writes_the_grid(tmp_path, capsys):
    out = tmp_path / "s"
    assert (
        cli_main(
            [
                "sweep",
                "mex25",
                "--tariff",
                "0:0.5:0.25",
                "--elasticities",
                "low,central",
                "--out",
                str(out),
                "--paths",
                "2000",
                "-q",
            ]
        )
        == 0
    )
    df = pd.read_csv(out / "sweep.csv")
    assert set(df.elasticity_set) == {"low", "central"} and sorted(df.rate.unique()) == [0.0, 0.25, 0.5]
    for stem in ("gdp_heatmap", "recession_curve"):
        assert (out / f"{stem}.png").is_file()
