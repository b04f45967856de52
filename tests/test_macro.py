"""Macro transmission: closed forms of each channel, the adjustment path, resolved assumptions."""

from __future__ import annotations

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.macro import (
    DEFAULT_ADJUSTMENT_SPEED,
    adjustment_path,
    drag_path,
    drag_scale,
    resolve_assumptions,
    retaliation_wedge,
    trade_gdp_pct,
)
from tariffsim.scenario import Scenario


@pytest.fixture(scope="module")
def data():
    return ts.load_dataset()


def test_default_speed_matches_boehm_et_al():
    # Boehm, Levchenko and Pandalai-Nayar (2023): 0.76 after one year, about 2 in the long run;
    # a partial-adjustment process at the default speed has 38 % of its response after 4 quarters
    a = DEFAULT_ADJUSTMENT_SPEED
    assert 1 - (1 - a) ** 4 == pytest.approx(0.76 / 2.0)
    assert 1 - (1 - a) ** 28 > 0.95  # nearly all of it after 7 years


def test_adjustment_path_reaches_short_run_after_a_year_then_long_run():
    p = adjustment_path(-2.0, -5.0, 80, DEFAULT_ADJUSTMENT_SPEED)
    assert p[3] == pytest.approx(-2.0)  # quarter 4 = the short-run (one-year) solution
    assert np.all(np.diff(p) < 0)  # monotone towards the long run here
    assert p[-1] == pytest.approx(-5.0, abs=0.01)
    assert p[0] < 0 and abs(p[0]) < 2.0
    np.testing.assert_allclose(adjustment_path(0.0, 0.0, 12, 0.2), 0.0)
    with pytest.raises(ts.DataError, match="adjustment speed"):
        adjustment_path(-1, -2, 12, 0.0)


def test_drag_path():
    d = drag_path(0.3, 6.0, 12)
    np.testing.assert_allclose(d[:4], -0.3)
    assert d[4 + 6 - 1] == pytest.approx(-0.15)  # half-life of 6 quarters after the first year


def test_resolved_assumptions_for_mex25(data):
    a = resolve_assumptions(Scenario.builtin("mex25"), data)
    assert a.export_dependence == 0.80
    assert a.export_dependence_data == pytest.approx(0.771, abs=5e-4)  # BACI 2023
    assert a.value_added_share == pytest.approx(0.650, abs=5e-4)  # WIOD 2014, Mexico -> US
    assert a.gdp_usd == pytest.approx(1789.1e9, rel=1e-3)  # WDI 2023 (ilms2025 README: 1,789 bn USD)
    assert a.exports_usd == pytest.approx(data.exports("MEX"))
    low = resolve_assumptions(Scenario.builtin("mex25"), data, case="low")
    assert low.multiplier < a.multiplier


def test_trade_channel_closed_form(data):
    a = resolve_assumptions(Scenario.builtin("mex25"), data)
    # a 10 % fall of the exports to the US in the simple form: d X 0.10 va k (1 - o) / GDP
    dx_us = -0.10 * a.export_dependence * a.exports_usd
    expect = 100 * a.multiplier * (1 - a.exchange_rate_offset) * a.value_added_share * dx_us / a.gdp_usd
    assert trade_gdp_pct(dx_us, 0.0, a) == pytest.approx(expect)
    half = a.replace(exchange_rate_offset=0.5)
    assert trade_gdp_pct(dx_us, 0.0, half) == pytest.approx(expect / 2)


def test_retaliation_wedge_by_hand(data):
    sc = Scenario.builtin("mex25-retaliation")
    a = resolve_assumptions(sc, data)
    t0, t1 = sc.tariff_arrays(data)
    m, u = data.index("MEX"), data.index("USA")
    w = retaliation_wedge(data, t0, t1, m, u, a)
    us_goods = data.exports("USA", to="MEX")  # 292.8 bn USD (BACI 2023)
    expect = a.us_input_share_of_imports * a.input_cost_passthrough * 0.25 * us_goods / a.exports_usd
    assert w == pytest.approx(expect)
    assert 0 < w < 0.25
    t0n, t1n = Scenario.builtin("mex25").tariff_arrays(data)
    assert retaliation_wedge(data, t0n, t1n, m, u, a) == 0.0


def test_drag_scale_is_relative_to_the_seed_case(data):
    m, u = data.index("MEX"), data.index("USA")
    for name, expect in (("mex25", 1.0), ("mex25-usmca", 0.51)):
        t0, t1 = Scenario.builtin(name).tariff_arrays(data)
        assert drag_scale(data.values, t0, t1, m, u) == pytest.approx(expect)


def test_sectoral_form_uses_the_model_export_changes(data):
    sc = Scenario.builtin("mex25").replace(assumptions={"macro_form": "sectoral", "value_added_share": 0.65})
    r = ts.simulate(sc, recession=False, elasticities=["central"])
    so = r.outcome()
    m, _u = data.index("MEX"), data.index("USA")
    dx = so.short_run.dV[m]
    a = so.macro.assumptions
    expect = 100 * a.multiplier * 0.65 * dx.sum() / a.gdp_usd
    assert so.macro.short_run["trade"] == pytest.approx(expect)
    assert r.to_json()["export_dependence"] == pytest.approx(0.771, abs=5e-4)  # data, not 0.80
