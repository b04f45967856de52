"""Macro transmission: closed forms of each channel, the horizons and the blend, resolved
assumptions, and the one GDP function used by every trade model."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import variant

import tariffsim as ts
from tariffsim.engine.adapters import ge_trade, pe_trade
from tariffsim.engine.macro import (
    CHANNELS,
    DEFAULT_ADJUSTMENT_SPEED,
    blend_weight,
    drag_path,
    effective_value_added,
    gdp_outcome,
    long_run_real_gdp,
    near_term_ramp,
    resolve_assumptions,
    target_market,
    threatened,
    trade_gdp_pct,
    value_added_pct,
)
from tariffsim.engine.simulation import resolve, trade_stage
from tariffsim.engine.trade import retaliation_wedge
from tariffsim.inputs.macro_data import value_added_shares
from tariffsim.inputs.scenario import Scenario
from tariffsim.models.longrun import capital_deepening_gdp_pct
from tariffsim.models.value_added import weighted_share


@pytest.fixture(scope="module")
def data():
    return ts.load_dataset()


def test_default_speed_matches_boehm_et_al():
    # Boehm, Levchenko and Pandalai-Nayar (2023): 0.76 after one year, about 2 in the long run;
    # a partial-adjustment process at the default speed has 38 % of its response after 4 quarters
    a = DEFAULT_ADJUSTMENT_SPEED
    assert 1 - (1 - a) ** 4 == pytest.approx(0.76 / 2.0)


def test_near_term_ramp_reaches_the_one_year_value_after_four_quarters():
    r = near_term_ramp(12, DEFAULT_ADJUSTMENT_SPEED)
    assert r[3] == pytest.approx(1.0)
    np.testing.assert_allclose(r[4:], 1.0)
    assert np.all(np.diff(r[:4]) > 0) and 0 < r[0] < 1
    with pytest.raises(ts.DataError, match="adjustment speed"):
        near_term_ramp(12, 0.0)


def test_blend_weight_is_linear_from_start_to_end():
    b = blend_weight(20, 4, 16)
    np.testing.assert_allclose(b[:4], 0.0)  # quarters 1-4: the near term alone
    assert b[15] == pytest.approx(1.0) and b[-1] == 1.0  # quarter 16 on: the GE long run
    assert b[9] == pytest.approx((10 - 4) / 12)


def test_drag_path():
    d = drag_path(0.3, 6.0, 12)
    np.testing.assert_allclose(d[:4], -0.3)
    assert d[4 + 6 - 1] == pytest.approx(-0.15)  # half-life of 6 quarters after the first year


def test_resolved_assumptions_for_mex25(data):
    a = resolve_assumptions(Scenario.builtin("mex25"), data)
    assert a.market == "USA"
    assert a.export_dependence == 0.80
    assert a.export_dependence_data == pytest.approx(0.771, abs=5e-4)  # BACI 2023
    # WIOT 2011 shares by sector (Leontief), weighted by Mexico's 2024 sales to the US: 0.582, below the
    # all-goods 0.67 because electrical goods (0.39) and machinery (0.42) weigh heavily
    assert a.value_added_share == pytest.approx(0.582, abs=5e-4)
    assert a.baseline_growth_annual_pct == 1.2  # OECD, 4 December 2024 (pre-tariff)
    assert "2024-12-04" in a.sources["baseline_growth_annual_pct"]
    assert a.gdp_usd == pytest.approx(1789.1e9, rel=1e-3)  # WDI 2023 (ilms2025 README: 1,789 bn USD)
    assert a.exports_usd == pytest.approx(data.exports("MEX"))
    low = resolve_assumptions(Scenario.builtin("mex25"), data, case="low")
    assert low.multiplier < a.multiplier


def test_country_facts_come_from_the_dataset_for_other_countries(data):
    sc = variant(
        Scenario.builtin("mex25"), country="CAN", tariffs=[{"importer": "USA", "exporters": ["CAN"], "rate": 0.25}]
    )
    a = resolve_assumptions(sc, data)
    assert a.market == "USA"
    # WIOT 2011, Canada's own shares by sector weighted by its sales to the US
    assert 0.6 < a.value_added_share < 0.9
    assert a.export_dependence == 0.80  # the scenario's own value (mex25 sets it)
    assert 0.7 < a.export_dependence_data < 0.8  # BACI 2023: about 3/4 of Canada's exports go to the US
    assert "CAN" in a.sources["value_added_share"]


def test_country_without_value_added_share_is_a_clear_error(data):
    sc = variant(
        Scenario.builtin("mex25"), country="VNM", tariffs=[{"importer": "USA", "exporters": ["VNM"], "rate": 0.25}]
    )
    with pytest.raises(ts.DataError, match="assumptions.value_added_share"):
        resolve_assumptions(sc, data)
    # VNM is not in WIOT 2011 or the SEA: every figure must come from the scenario, one error at a time
    va = variant(sc, assumptions={"value_added_share": 0.5})
    with pytest.raises(ts.DataError, match="capital_share"):
        resolve_assumptions(va, data)
    own = {"value_added_share": 0.5, "capital_share": 0.4, "imported_share_gfcf": 0.3, "uncertainty_drag_pct": 0.2}
    ok = variant(sc, assumptions=own)
    assert resolve_assumptions(ok, data, growth=False).value_added_share == 0.5
    with pytest.raises(ts.DataError, match=r"VNM.*baseline_growth_annual_pct"):
        resolve_assumptions(ok, data)
    grown = variant(sc, assumptions={**own, "baseline_growth_annual_pct": 6.0})
    assert resolve_assumptions(grown, data).baseline_growth_annual_pct == 6.0


def test_target_market_is_the_tariff_setter(data):
    assert target_market(Scenario.builtin("mex25"), data) == "USA"
    only_retaliation = Scenario.from_dict(
        {"name": "x", "country": "MEX", "retaliation": [{"importer": "MEX", "exporters": ["USA"], "rate": 0.1}]}
    )
    assert target_market(only_retaliation, data) == "USA"  # the largest export market


def test_trade_channel_closed_form(data):
    a = resolve_assumptions(Scenario.builtin("mex25"), data)
    # a 10 % fall of the exports to the US in the simple form: d X 0.10 va k (1 - o) / GDP
    dx_us = -0.10 * a.export_dependence * a.exports_usd
    va = a.value_added_share
    expect = 100 * va * dx_us / a.gdp_usd
    assert value_added_pct(dx_us, 0.0, va, a.value_added_share_other, a.gdp_usd) == pytest.approx(expect)
    # k (1 - o): the multiplier and the exchange-rate offset scale the outcome's value added
    inp = resolve("mex25", recession=False)
    near = trade_stage(inp, inp.central_set).near
    m, u = data.index("MEX"), data.index("USA")
    base = trade_gdp_pct(near, a, m, u)
    assert trade_gdp_pct(near, a.replace(exchange_rate_offset=0.5), m, u) == pytest.approx(base / 2)
    assert trade_gdp_pct(near, a.replace(multiplier=2 * a.multiplier), m, u) == pytest.approx(2 * base)


def test_retaliation_wedge_by_hand(data):
    sc = Scenario.builtin("mex25-retaliation")
    a = resolve_assumptions(sc, data)
    t0, t1 = sc.tariff_arrays(data)
    m, u = data.index("MEX"), data.index("USA")
    kw = {
        "input_share": a.input_share_of_imports,
        "passthrough": a.input_cost_passthrough,
        "exports_usd": a.exports_usd,
    }
    w = retaliation_wedge(data.values, t0, t1, m, u, **kw)
    us_goods = data.exports("USA", to="MEX")  # 292.8 bn USD (BACI 2023)
    expect = a.input_share_of_imports * a.input_cost_passthrough * 0.25 * us_goods / a.exports_usd
    assert w == pytest.approx(expect)
    assert 0 < w < 0.25
    t0n, t1n = Scenario.builtin("mex25").tariff_arrays(data)
    assert retaliation_wedge(data.values, t0n, t1n, m, u, **kw) == 0.0


def test_drag_answers_the_threat_not_the_duty(data):
    """The uncertainty drag is the same with the USMCA exemption as without (the threat to market
    access is the same); zero only when no tariff on the country changes."""
    m = data.index("MEX")
    for name in ("mex25", "mex25-usmca"):
        t0, t1 = Scenario.builtin(name).tariff_arrays(data)
        assert threatened(t0, t1, m)
    t0, t1 = Scenario.builtin("mex25").derive(rate=0.0).tariff_arrays(data)
    assert not threatened(t0, t1, m)
    a = ts.simulate("mex25", recession=False, elasticities=["central"]).outcome().macro
    b = ts.simulate("mex25-usmca", recession=False, elasticities=["central"]).outcome().macro
    assert a.near_term["uncertainty"] == b.near_term["uncertainty"] < 0
    # Caldara et al. (2020): investment 1.5 % lower x Mexico's investment share of GDP 0.208 (WIOT 2011)
    assert a.assumptions.uncertainty_drag_pct == pytest.approx(1.5 * 0.208324, rel=1e-6)
    off = ts.simulate(
        variant(Scenario.builtin("mex25"), assumptions={"uncertainty_drag_pct": 0.0}),
        recession=False,
        elasticities=["central"],
    )
    np.testing.assert_allclose(off.outcome().macro.components["uncertainty"], 0.0)


def _simple_form_value_added(o, a, m, u, data):
    """100 x (va_US d X %US + va_other (1 - d) X %other) / GDP, by hand, with the WIOT shares by sector
    weighted by the outcome's export change by sector."""
    us = o.V1[m, u].sum() / o.V0[m, u].sum() - 1
    other = (o.V1[m].sum() - o.V1[m, u].sum()) / (o.V0[m].sum() - o.V0[m, u].sum()) - 1
    s_us, _ = value_added_shares("MEX", "USA", data.sectors)
    s_w, _ = value_added_shares("MEX", None, data.sectors)
    keep = [k for k in range(data.n_countries) if k not in (m, u)]
    va_us = weighted_share(s_us, o.V1[m, u] - o.V0[m, u])
    d_o = (o.V1[m, keep] - o.V0[m, keep]).sum(axis=0)
    va_o = weighted_share(s_w, d_o if np.any(d_o != 0) else o.V0[m, keep].sum(axis=0))  # no change: baseline mix
    d, x = a.export_dependence, a.exports_usd
    return 100 * (va_us * d * x * us + va_o * (1 - d) * x * other) / a.gdp_usd


def test_gdp_path_by_hand(data):
    """The path is (1 - b) x ramp x near-term + b x GE long run + drag, channel by channel."""
    inp = resolve("mex25")
    ts_ = trade_stage(inp, inp.central_set)
    a = inp.assumptions
    mac = gdp_outcome(near=ts_.near, long_run=ts_.gdp_long_run, at_risk=ts_.at_risk, t0=inp.t0, t1=inp.t1, a=a)
    m, u = data.index("MEX"), data.index("USA")
    nt = a.multiplier * (1 - a.exchange_rate_offset) * _simple_form_value_added(ts_.near, a, m, u, data)
    assert mac.near_term["trade"] == pytest.approx(nt)
    # long-run real GDP: capital deepening at the GE's prices; real income is its own number
    sol = ts_.gdp_long_run.detail
    imp = np.array(ts_.gdp_long_run.V0[:, m])  # (exporters, sectors) into Mexico
    imp[m] = 0
    w = imp.sum(axis=0)
    p_m = float((ts_.gdp_long_run.import_price_hat[m] * w).sum() / w.sum())
    lr = float(
        capital_deepening_gdp_pct(a.capital_share, a.imported_share_gfcf, 100 * (p_m - 1), 100 * (sol.w_hat[m] - 1))
    )
    assert mac.long_run_gdp_pct == pytest.approx(lr, rel=1e-6)
    assert mac.real_income_pct_long_run == pytest.approx(float(ts_.gdp_long_run.real_income_pct[m]))
    assert mac.long_run_gdp_pct != pytest.approx(mac.real_income_pct_long_run, abs=0.05)
    H = a.horizon
    b = blend_weight(H, a.blend_start_quarter, a.blend_end_quarter)
    ramp = near_term_ramp(H, a.adjustment_speed)
    drag = drag_path(a.uncertainty_drag_pct, a.drag_half_life_quarters, H)
    np.testing.assert_allclose(mac.path, (1 - b) * ramp * nt + b * lr + drag)  # no retaliation, no real income
    np.testing.assert_allclose(np.sum([mac.components[k] for k in CHANNELS], axis=0), mac.path)
    assert mac.gdp_impact_pct == pytest.approx(nt - a.uncertainty_drag_pct)  # quarter 4: near term only
    assert mac.first_year_avg_pct == pytest.approx(np.mean(mac.path[:4]))
    # value added at risk: the PE long-run export loss x value added (no multiplier), not GDP
    assert mac.value_added_at_risk_pct == pytest.approx(_simple_form_value_added(ts_.at_risk, a, m, u, data))
    assert mac.value_added_at_risk_pct < mac.near_term["trade"] < 0


def test_gdp_outcome_needs_a_ge_long_run(data):
    inp = resolve("mex25")
    es = inp.central_set
    pe = pe_trade(inp.context, es, "one-year")
    with pytest.raises(ts.DataError, match="GE outcome"):
        gdp_outcome(near=pe, long_run=pe, at_risk=pe, t0=inp.t0, t1=inp.t1, a=inp.assumptions)


def test_one_gdp_function_for_every_model():
    """PE and GE runs go through the same macro function: same near term, same GE long run."""
    pe = ts.simulate("mex25", model="pe", recession=False, elasticities=["central"])
    ge = ts.simulate("mex25", model="ge", recession=False, elasticities=["central"])
    assert pe.scenario.model == "pe" and ge.scenario.model == "ge"
    np.testing.assert_allclose(pe.outcome().macro.path, ge.outcome().macro.path)
    assert ge.outcome().long_run.model == "ge" and pe.outcome().long_run.model == "pe"
    assert pe.to_json()["gdp_impact_pct_long_run"] == ge.to_json()["gdp_impact_pct_long_run"]


def test_zero_tariff_change_gives_zero_everywhere(data):
    sc = Scenario.builtin("mex25").derive(rate=0.0)
    r = ts.simulate(sc, recession=False)
    for so in r.sets.values():
        np.testing.assert_allclose(so.macro.path, 0.0, atol=1e-10)
        assert so.macro.value_added_at_risk_pct == pytest.approx(0.0, abs=1e-10)


def test_ge_long_run_is_fixed_labour_armington(data):
    inp = resolve("mex25")
    o = ge_trade(inp.context, inp.central_set, "long-run")
    sol = o.detail
    np.testing.assert_allclose(sol.L_hat, 1.0)  # kappa = 0: factors re-employed
    assert sol.params.psi == 0.0 and sol.solver.converged
    m = data.index("MEX")
    # real income = E / P: factor income plus tariff revenue and transfers over prices (with fixed factors
    # the model's welfare); Mexico's terms of trade worsen
    assert o.real_income_pct[m] == pytest.approx(100 * (sol.E_hat[m] / sol.P_hat[m] - 1))
    assert o.real_income_pct[m] == pytest.approx(sol.welfare_pct[m])
    assert o.real_income_pct[m] < 0


def test_retaliation_raises_the_retaliators_real_income_in_the_one_sector_ge(data):
    """Real income counts tariff revenue: Mexico's own tariff on US goods turns its terms of trade and
    raises revenue (the optimal-tariff argument), so its long-run real income falls less with
    retaliation than without; factor income alone (w/P) would show the opposite."""
    j = {
        n: ts.simulate(n, model="ge", elasticities=["central"], recession=False).to_json()
        for n in ("mex25", "mex25-retaliation")
    }
    assert j["mex25"]["real_income_pct_long_run"] < j["mex25-retaliation"]["real_income_pct_long_run"] < 0
    row = j["mex25-retaliation"]["ge"]["country"]
    assert row["real_income_pct"] == pytest.approx(j["mex25-retaliation"]["real_income_pct_long_run"])
    assert row["real_factor_income_pct"] < row["real_income_pct"]


def test_sectoral_form_uses_the_model_export_changes(data):
    sc = variant(Scenario.builtin("mex25"), assumptions={"macro_form": "sectoral", "value_added_share": 0.65})
    r = ts.simulate(sc, recession=False, elasticities=["central"])
    so = r.outcome()
    m = data.index("MEX")
    dx = so.near_term.dV[m]
    a = so.macro.assumptions
    expect = 100 * a.multiplier * 0.65 * dx.sum() / a.gdp_usd
    assert so.macro.near_term["trade"] == pytest.approx(expect)
    assert r.to_json()["export_dependence"] == pytest.approx(0.771, abs=5e-4)  # data, not 0.80


@pytest.mark.parametrize("model", ["pe", "ge", "ge-io"])
def test_every_model_gets_its_gdp_path_from_the_one_macro_function(model, monkeypatch):
    """PE, the one-sector GE and the multi-sector GE all go through macro.gdp_outcome: one call per
    elasticity set, and the result's GDP path is what it returned. The long run is a GE solution
    for every model (a PE scenario's long-run GDP is the one-sector GE's real income; its PE long
    run is value added at risk only)."""
    import tariffsim.engine.simulation as sim

    calls = []

    def spy(**kw):
        out = gdp_outcome(**kw)
        calls.append((kw["long_run"].model, kw["near"].model, out))
        return out

    monkeypatch.setattr(sim, "gdp_outcome", spy)
    sets = ["central"] if model == "ge-io" else ["central", "high"]  # ge-io: sets with sector thetas only
    r = ts.simulate("mex25", model=model, recession=False, elasticities=sets)
    assert len(calls) == len(sets)
    assert {c[0] for c in calls} == {{"pe": "ge"}.get(model, model)} and {c[1] for c in calls} == {
        "pe"
    }  # near term: PE at one-year values
    for name, (_, _, out) in zip(sets, calls, strict=True):
        assert r.outcome(name).macro is out
        assert r.headline(name)["gdp_impact_pct_long_run"] == pytest.approx(out.long_run_gdp_pct)


def test_value_added_follows_the_sectors_hit(data):
    """With the WIOT shares, a tariff on electrical goods alone passes less value added per dollar
    than one on mining (0.39 against 0.94 for Mexico to the US)."""
    sc = Scenario.builtin("mex25")
    inp = resolve(sc, recession=False)
    ts_ = trade_stage(inp, inp.central_set)
    m, u = data.index("MEX"), data.index("USA")
    va_m, va_o = effective_value_added(ts_.near, inp.assumptions, m, u)
    assert va_m == pytest.approx(0.5825, abs=0.002)  # what a uniform US tariff hits
    assert inp.assumptions.value_added_by_sector[data.sectors.index("electrical")] == pytest.approx(0.391, abs=1e-3)
    r = ts.simulate(sc, recession=False, elasticities=["central"]).to_json()
    assert r["domestic_value_added_share"] == pytest.approx(0.58, abs=0.01)


def test_long_run_gdp_zero_without_relative_price_change(data):
    inp = resolve("mex25", recession=False)
    o = ge_trade(inp.context, inp.central_set, "long-run")
    a = inp.assumptions.replace(imported_share_gfcf=0.0)
    gdp, *_ = long_run_real_gdp(o, a)
    assert gdp == 0.0


def test_other_country_gets_its_own_numbers_or_a_clear_error():
    base = Scenario.builtin("mex25")
    ca = variant(
        base, country="CAN", tariffs=[{"importer": "USA", "exporters": ["CAN"], "sectors": "all", "rate": 0.25}]
    )
    r = ts.simulate(ca, recession=False, elasticities=["central"])
    a = r.assumptions
    assert a.capital_share == pytest.approx(0.386, abs=1e-3)  # Canada's SEA share, not Mexico's 0.651
    assert a.uncertainty_drag_pct == pytest.approx(1.5 * 0.219391, rel=1e-6)
    # the growth forecast is looked up only when the recession model runs
    assert r.to_json()["baseline_growth_forecast"] is None
    vn = variant(
        base, country="VNM", tariffs=[{"importer": "USA", "exporters": ["VNM"], "sectors": "all", "rate": 0.25}]
    )
    with pytest.raises(ts.DataError, match="VNM"):
        ts.simulate(vn, recession=False)
