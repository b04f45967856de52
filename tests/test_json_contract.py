"""The documented JSON contract of a run and the honest headline (issue 18: how it will be checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import tariffsim as ts
from tariffsim.engine.contract import json_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mex25() -> dict:
    return ts.simulate("mex25").to_json()


def test_every_key_is_documented_with_unit_horizon_and_kind(mex25: dict) -> None:
    schema = json_schema()
    props = schema["properties"]
    assert set(mex25) <= set(props), sorted(set(mex25) - set(props))
    assert set(schema["required"]) <= set(mex25)
    for name in mex25["by_elasticity_set"]["central"]:
        assert name in props
    for k, p in props.items():
        assert p["description"] and "x-unit" in p and "x-horizon" in p and p["x-kind"], k


def test_rendered_schema_page_is_up_to_date() -> None:
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_json_schema.py"), "--check"])
    assert r.returncode == 0, "docs/json.md is out of date: run python scripts/render_json_schema.py"


def test_the_issue_18_keys(mex25: dict) -> None:
    for k in (
        "real_income_pct_long_run",
        "domestic_value_added_share",
        "gdp_impact_pct_first_year_avg_draws",
        "gdp_impact_pct_draws",
        "recession_probability_change_band",
        "recession_frequency_4q",
        "baseline_growth_forecast",
        "market_tariff_revenue_change_usd",
        "exports_to_market_change_pct_long_run",
    ):
        assert k in mex25, k
    for old in ("us_tariff_revenue_usd", "exports_to_us_change_pct", "exports_change_pct"):
        assert old not in mex25


def test_long_run_gdp_is_not_real_income_relabelled(mex25: dict) -> None:
    gdp, income = mex25["gdp_impact_pct_long_run"], mex25["real_income_pct_long_run"]
    assert gdp < 0 and income < 0
    assert abs(gdp - income) > 0.1
    # the GDP path converges to long-run real GDP (blend complete at quarter 16; horizon 12: 2/3 of the way)
    assert mex25["gdp_impact_pct_end_of_horizon"] != pytest.approx(income, abs=0.05)


def test_draws_are_centred_on_the_central_case(mex25: dict) -> None:
    for key in ("gdp_impact_pct_first_year_avg", "gdp_impact_pct"):
        d = mex25[f"{key}_draws"]
        assert d["p05"] < d["p50"] < d["p95"]
        assert d["p50"] == pytest.approx(mex25[key], rel=0.15), key


def test_recession_band_is_wider_than_ten_monte_carlo_errors(mex25: dict) -> None:
    b = mex25["recession_probability_change_band"]
    assert b["level"] == 0.9
    assert b["p05"] < mex25["recession_probability_change"] < b["p95"]
    assert b["p95"] - b["p05"] > 10 * mex25["recession_probability_change_se"]
    assert "growth model" in b["draws"] and "shape" in b["draws"]


def test_forecast_dated_and_sourced(mex25: dict) -> None:
    fc = mex25["baseline_growth_forecast"]
    assert fc["growth_pct"] == 1.2 and fc["publisher"] == "OECD" and fc["date"] == "2024-12-04" and fc["pre_tariff"]


def test_model_implied_frequency_next_to_observed(mex25: dict) -> None:
    f = mex25["recession_frequency_4q"]
    assert f["observed"] == pytest.approx(9 / 92)
    assert f["model"] == pytest.approx(0.198, abs=0.012)
    assert "persistence" in f["explanation"]


def test_no_negative_zero_anywhere(mex25: dict) -> None:
    text = json.dumps(mex25)
    assert "-0.0," not in text and "-0.0}" not in text and "-0.0]" not in text
    zero = ts.simulate(ts.Scenario.builtin("mex25").derive(rate=0.0), draws=0, n_paths=2_000).to_json()
    t = json.dumps(zero)
    assert "-0.0," not in t and "-0.0}" not in t and "-0.0]" not in t


def test_summary_leads_with_the_first_year_average_and_names_each_horizon() -> None:
    r = ts.simulate("mex25", draws=20, n_paths=20_000)
    s = r.overview()
    assert s.items[0].key == "gdp_impact_pct_first_year_avg" and s.cards()[0].key == "gdp_impact_pct_first_year_avg"
    assert "90 %" in s.items[0].detail
    keys = [i.key for i in s.items]
    assert keys.index("gdp_impact_pct") < keys.index("gdp_impact_pct_long_run") < keys.index("real_income_pct_long_run")
    text = r.summary_text()
    assert "Gaussian AR" not in text and "Student t" in text
    assert "real income, long run (one-sector GE; not GDP)" in text
