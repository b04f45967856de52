"""The numbers the README quotes are what the code produces (to the printed precision)."""

from __future__ import annotations

from pathlib import Path

import pytest

import tariffsim as ts

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")

# (scenario, model) -> {json key: printed value}; each printed value must appear in the README.
CLAIMS = {
    ("mex25", "pe"): {
        "exports_change_pct": "−43.3 %",
        "exports_change_pct_after_4q": "−26.4 %",
        "exports_to_us_change_pct": "−55.0 %",
        "gdp_impact_pct": "−6.55 %",
        "gdp_impact_pct_low": "−4.21",
        "gdp_impact_pct_high": "−9.84 %",
        "gdp_impact_pct_long_run": "−10.2 %",
        "recession_probability": "94 %",
        "recession_probability_baseline": "39 %",
        "us_tariff_revenue_usd": "+60.3 bn USD",
    },
    ("mex25", "ge"): {
        "exports_change_pct": "−39.6 %",
        "exports_change_pct_after_4q": "−15.0 %",
        "exports_to_us_change_pct": "−64.4 %",
        "gdp_impact_pct": "−2.12 %",
        "gdp_impact_pct_low": "−1.50",
        "gdp_impact_pct_high": "−2.79 %",
        "gdp_impact_pct_long_run": "−4.8 %",
        "recession_probability": "64 %",
        "us_tariff_revenue_usd": "+47.7 bn USD",
    },
    ("mex25-usmca", "pe"): {"gdp_impact_pct": "−3.81 %"},
    ("mex25-usmca", "ge"): {"gdp_impact_pct": "−1.34 %"},
    ("mex25-retaliation", "pe"): {"gdp_impact_pct": "−8.22 %"},
    ("mex25-retaliation", "ge"): {"gdp_impact_pct": "−2.45 %"},
}


def _fmt(key: str, value: float, printed: str) -> str:
    digits = len(printed.split(".")[1].split()[0]) if "." in printed.split()[0] else 0
    if key.startswith("recession"):
        num = f"{100 * value:.{digits}f}"
    elif key.endswith("_usd"):
        num = f"{value / 1e9:+.{digits}f}"
    else:
        num = f"{value:.{digits}f}"
    return num.replace("-", "−")


@pytest.mark.parametrize("case", list(CLAIMS), ids=lambda c: f"{c[0]}-{c[1]}")
def test_readme_numbers(case):
    scenario, model = case
    j = ts.simulate(scenario, model=model).to_json()
    for key, printed in CLAIMS[case].items():
        assert printed in README, f"README no longer quotes {printed!r} for {key}"
        assert _fmt(key, j[key], printed) == printed.split()[0], (key, j[key], printed)
