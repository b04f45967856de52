"""Dated, sourced baseline growth forecasts per country (issue 18)."""

from __future__ import annotations

import re

import pytest

from tariffsim.errors import DataError
from tariffsim.inputs.elasticities import get_set, shipped_distributions
from tariffsim.inputs.macro_data import baseline_forecast, forecast_table


def test_mexico_2025_baseline_is_the_pre_tariff_oecd_projection() -> None:
    f = baseline_forecast("MEX", 2025)
    # OECD Economic Outlook, December 2024: 1.2 % for 2025; the March 2025 interim figure (-1.3 %)
    # assumed the tariffs and is no baseline for a tariff scenario
    assert f.growth_pct == 1.2
    assert f.publisher == "OECD" and f.date == "2024-12-04" and f.pre_tariff
    assert "December" not in f.label or "2024" in f.label
    t = forecast_table()
    march = t[(t["country"] == "MEX") & (t["year"] == 2025) & ~t["pre_tariff"]]
    assert march["growth_pct"].tolist() == [-1.3]
    assert march["date"].tolist() == ["2025-03-17"]


def test_every_row_dated_and_sourced() -> None:
    t = forecast_table()
    assert t["date"].map(lambda d: bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d))).all()
    assert (t["publisher"].str.len() > 0).all() and t["url"].str.startswith("https://").all()
    assert not t.duplicated(["country", "year", "date"]).any()


def test_unknown_country_fails_clearly() -> None:
    with pytest.raises(DataError, match=r"BRA.*baseline_growth_annual_pct"):
        baseline_forecast("BRA", 2025)
    with pytest.raises(DataError, match="CAN"):
        baseline_forecast("CAN", 2031)


def test_shipped_sigma_distribution_is_centred_on_the_central_set() -> None:
    d = shipped_distributions()["sigma"]
    central = get_set("central").sigma_one_year
    assert d.ppf(0.5) == pytest.approx(central, rel=1e-12)
    # its 95th percentile is the high set's one-year sigma (Fajgelbaum et al. 2020)
    assert d.ppf(0.95) == pytest.approx(get_set("high").sigma_one_year, rel=1e-3)
