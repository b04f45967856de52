"""Every country its own numbers (issue 18): a scenario for another country uses that country's
forecast, value added, capital facts and calibration, or fails naming what is missing, the same way
in `validate` and `run`; its report names its own sources."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import CAN_TARIFF

import tariffsim as ts
from tariffsim.cli.main import main as cli_main


def _write(tmp_path: Path, text: str, name: str = "can25.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_validate_and_run_fail_the_same_way_without_a_calibration(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    p = _write(tmp_path, CAN_TARIFF)
    assert cli_main(["validate", str(p)]) == 2
    err_validate = capsys.readouterr().err
    assert cli_main(["run", str(p), "--draws", "0", "--paths", "1000"]) == 2
    err_run = capsys.readouterr().err
    assert "CAN" in err_validate and "[recession]" in err_validate
    assert err_validate.strip().splitlines()[-1] == err_run.strip().splitlines()[-1]


def test_validate_and_run_fail_the_same_way_without_a_forecast(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    text = CAN_TARIFF.replace('phase_in = "2025Q2"', 'phase_in = "2031Q1"') + "[recession]\nrho = 0.3\nsigma = 0.6\n"
    p = _write(tmp_path, text)
    assert cli_main(["validate", str(p)]) == 2
    err_validate = capsys.readouterr().err
    assert cli_main(["run", str(p), "--draws", "0", "--paths", "1000"]) == 2
    err_run = capsys.readouterr().err
    assert "baseline_growth_annual_pct" in err_validate and "CAN" in err_validate
    assert err_validate.strip().splitlines()[-1] == err_run.strip().splitlines()[-1]


@pytest.mark.slow
def test_canada_with_its_own_calibration_uses_canadian_numbers_and_sources(tmp_path: Path) -> None:
    text = CAN_TARIFF + "[recession]\nrho = 0.3\nsigma = 0.6\n"
    p = _write(tmp_path, text)
    assert cli_main(["validate", str(p)]) == 0
    r = ts.simulate(str(p), draws=0, n_paths=5_000)
    j = r.to_json()
    fc = j["baseline_growth_forecast"]
    assert fc["country"] == "CAN" and fc["growth_pct"] == 2.0 and fc["date"] == "2024-12-04"  # OECD, pre-tariff
    assert j["long_run_mechanism"]["capital_share"] == pytest.approx(0.386, abs=1e-3)  # Canada's, not Mexico's
    assert "CAN" in j["macro"]["sources"]["value_added_share"]
    assert j["macro"]["uncertainty_drag_pct"] == pytest.approx(1.5 * 0.219391, rel=1e-6)
    out = tmp_path / "rep"
    ts.write_report(
        str(p), out, draws=0, n_paths=5_000, formats=("png",), table_formats=("csv",), sweep_rates="0:0.25:0.25"
    )
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "INEGI" not in html and "inegi" not in html
    assert "Gaussian AR(1)" not in html
