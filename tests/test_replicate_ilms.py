"""Replication of Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), "Making America Great
Again? The Economic Impacts of Liberation Day Tariffs", Journal of International Economics (ILMS),
on the paper's public inputs in ../shared/data/ilms2025 (skipped when absent).

Published numbers are compared at the precision they are printed with.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from tariffsim.errors import DataError, OutputExistsError, ScenarioError
from tariffsim.replication.ilms2025 import COLUMNS, ILMS_CASES, ILMS_FILES, replicate_ilms2025

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def results(ilms_dir):
    return {case: replicate_ilms2025(ilms_dir, case) for case in ILMS_CASES}


def test_baseline_headline_numbers(results):
    h = results["baseline"].headline
    assert round(h["us_welfare_pct"], 2) == 1.13  # ILMS 2025, JIE, Table 1, case 1: US welfare +1.13 %
    assert round(h["non_us_welfare_pct"], 2) == -0.58  # ILMS 2025, Table 1, case 1: non-US (E-weighted) −0.58 %
    assert round(h["us_employment_pct"], 2) == 0.32  # ILMS 2025, Table 1, case 1: US employment +0.32 %
    assert round(h["us_price_index_pct"], 1) == 12.8  # ILMS 2025, Table 1, case 1: US prices +12.8 %
    assert round(h["us_tariff_revenue_pct"], 2) == 1.14  # ILMS 2025, Table 3: US tariff revenue 1.14 % (of E)


def test_lump_sum_headline(results):
    assert round(results["lump-sum"].headline["us_welfare_pct"], 2) == -0.01  # ILMS 2025, Table 1, case 2: −0.01 %


@pytest.mark.parametrize("case", list(ILMS_CASES))
def test_every_case_solves(results, case):
    r = results[case]
    assert r.case == case
    assert r.solver.converged and r.solver.residual < 1e-9 and r.solver.iterations > 0
    assert abs(r.solution.walras_residual) < 1e-8
    assert tuple(r.by_country.columns) == COLUMNS
    assert len(r.by_country) == 194 and r.by_country["iso3"].is_unique
    num = r.by_country.drop(columns=["iso3", "deficit_change_pct"]).to_numpy()
    assert np.all(np.isfinite(num))
    assert r.headline["us_tariff_revenue_pct"] > 0  # the US always taxes imports here


def test_baseline_economics(results):
    base = results["baseline"]
    df = base.by_country.set_index("iso3")
    others = df.drop(index="USA")
    # only the US collects tariffs; the US raises prices relative to the world numéraire
    assert np.all(np.abs(others["tariff_revenue_share"]) < 1e-12)
    assert df.loc["USA", "imports_gdp_change_pct"] < 0
    # the expenditure-weighted world price index is the numéraire
    sol = base.solution
    assert sol.baseline.E @ (sol.P_hat - 1) == pytest.approx(0.0, abs=1e-9 * sol.baseline.E.sum())
    # Mexico and Canada, the most US-dependent large exporters, lose more than the non-US average
    assert df.loc["MEX", "welfare_pct"] < base.headline["non_us_welfare_pct"]
    assert df.loc["CAN", "welfare_pct"] < base.headline["non_us_welfare_pct"]


def test_case_comparisons(results):
    us = {case: r.headline["us_welfare_pct"] for case, r in results.items()}
    emp = {case: r.headline["us_employment_pct"] for case, r in results.items()}
    # relief of the labour-income tax raises labour supply; a lump-sum rebate does not
    assert emp["baseline"] > 0 > emp["lump-sum"]
    assert us["lump-sum"] < us["baseline"]
    # retaliation turns the US gain into a loss; optimal retaliation hurts more than mirroring
    assert us["optimal-retaliation"] < us["reciprocal-retaliation"] < 0 < us["baseline"]
    # more elastic trade: smaller terms-of-trade gains for the US
    assert us["high-elasticity"] < us["baseline"]
    # the optimal uniform US tariff does at least as well as the announced schedule
    assert us["optimal-us-tariff"] > us["baseline"]


def test_to_csv_round_trip(results, tmp_path):
    path = results["baseline"].to_csv(tmp_path / "ilms.csv")
    back = pd.read_csv(path)
    assert tuple(back.columns) == COLUMNS
    np.testing.assert_allclose(back["welfare_pct"], results["baseline"].by_country["welfare_pct"], atol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["ilms.csv"]  # no temporary file left behind
    assert results["baseline"].summary().startswith("ILMS 2025 baseline: US welfare +1.13 %")
    with pytest.raises(OutputExistsError):
        results["baseline"].to_csv(path, overwrite=False)


def test_unknown_case_lists_valid_cases(ilms_dir):
    with pytest.raises(ScenarioError) as exc:
        replicate_ilms2025(ilms_dir, "trade-war")
    for case in ILMS_CASES:
        assert case in str(exc.value)


def test_missing_file_is_named(ilms_dir, tmp_path):
    for name in ILMS_FILES:
        if name != "gdp.csv":
            shutil.copy(ilms_dir / name, tmp_path / name)
    with pytest.raises(DataError, match="gdp.csv"):
        replicate_ilms2025(tmp_path)
    with pytest.raises(DataError, match="not found"):
        replicate_ilms2025(tmp_path / "nowhere")
