"""Long-run real GDP from steady-state capital deepening (issue 18; MODELS.md section 2)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tariffsim.errors import DataError
from tariffsim.inputs.macro_data import capital_facts
from tariffsim.models.longrun import capital_deepening_gdp_pct, relative_investment_price_pct

ROOT = Path(__file__).resolve().parents[1]


def test_no_relative_price_change_no_output_change() -> None:
    assert capital_deepening_gdp_pct(0.4, 0.3, 0.0, 0.0) == 0.0
    # a common change of both prices (a change of numeraire) moves nothing
    assert capital_deepening_gdp_pct(0.4, 0.3, -5.0, -5.0) == pytest.approx(0.0, abs=1e-12)


def test_closed_form() -> None:
    # a = 1/3 -> a/(1-a) = 1/2; s = 0.5; imports 10 % dearer, output price unchanged
    expected = 100.0 * (math.exp(-0.5 * 0.5 * math.log(1.1)) - 1.0)
    assert capital_deepening_gdp_pct(1 / 3, 0.5, 10.0, 0.0) == pytest.approx(expected, rel=1e-12)
    assert relative_investment_price_pct(0.5, 10.0, 0.0) == pytest.approx(100 * (1.1**0.5 - 1), rel=1e-12)


def test_numeraire_invariance_and_signs() -> None:
    a, s = 0.65, 0.19
    base = capital_deepening_gdp_pct(a, s, 0.0, -4.0)  # output price falls 4 % against imports
    scaled = capital_deepening_gdp_pct(a, s, 100 * (1.1 - 1), 100 * (0.96 * 1.1 - 1))
    assert base == pytest.approx(scaled, rel=1e-12)
    assert base < 0
    assert capital_deepening_gdp_pct(a, s, 0.0, 4.0) > 0
    # no imported capital goods: the terms of trade do not reach the capital stock
    assert capital_deepening_gdp_pct(a, 0.0, 0.0, -4.0) == 0.0


def test_vectorised() -> None:
    out = capital_deepening_gdp_pct(np.array([0.3, 0.5]), 0.2, np.array([5.0, 5.0]), 0.0)
    assert out.shape == (2,)
    assert out[1] < out[0] < 0  # a larger capital share, a larger response


def test_bad_parameters_raise() -> None:
    with pytest.raises(DataError):
        capital_deepening_gdp_pct(1.0, 0.2, 1.0, 0.0)
    with pytest.raises(DataError):
        capital_deepening_gdp_pct(0.3, 1.2, 1.0, 0.0)
    with pytest.raises(DataError):
        capital_deepening_gdp_pct(0.3, 0.2, -100.0, 0.0)


def test_mexico_capital_facts_from_data() -> None:
    f = capital_facts("MEX")
    # WIOD SEA 2014, CAP / VA outside mining; WIOT 2011 imports / GFCF
    assert f.capital_share == pytest.approx(0.651, abs=0.001)
    assert f.imported_share_gfcf == pytest.approx(0.186, abs=0.001)
    assert "WIOT 2011" in f.source and "Socio-Economic Accounts" in f.source
    assert capital_facts("USA").capital_share == pytest.approx(0.428, abs=0.001)
    with pytest.raises(DataError, match="VNM"):
        capital_facts("VNM")


def test_capital_rebuild_reproduces_the_shipped_table(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "capital.csv"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "data" / "build" / "build_capital.py"),
            "--raw",
            str(shared_data),
            "--out",
            str(out),
        ],
        check=True,
    )
    assert out.read_bytes() == (ROOT / "data" / "macro" / "capital.csv").read_bytes()
