"""Sweeps, grids and sensitivities; the same sweep locally and on a Dask cluster."""

from __future__ import annotations

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.engine.uncertainty import elasticity_grid, parse_grid, sweep, tornado


def test_parse_grid():
    np.testing.assert_allclose(parse_grid("0:0.5:0.05"), np.arange(11) * 0.05)
    np.testing.assert_allclose(parse_grid("0.1,0.25"), [0.1, 0.25])
    for bad in ("0:0.5", "a:b:c", "0:1:-0.1", "-0.1:0.2:0.1", ""):
        with pytest.raises(ts.ScenarioError, match="--tariff"):
            parse_grid(bad)


def test_sweep_is_tidy_and_monotone():
    df = sweep("mex25", "0:0.5:0.1", n_paths=5000)
    assert len(df) == 6 * 3 and set(df.elasticity_set) == {"low", "central", "high"}
    for _, g in df.groupby("elasticity_set"):
        g = g.sort_values("rate")
        assert g.gdp_impact_pct.iloc[0] == 0
        assert np.all(np.diff(g.gdp_impact_pct) < 0)
        # common random numbers across rates: recession probability never falls as the tariff rises
        assert np.all(np.diff(g.recession_probability) >= 0)
        assert (g.recession_probability_baseline == g.recession_probability_baseline.iloc[0]).all()
    # at any positive rate, higher elasticities mean larger PE losses
    at = df[df.rate == 0.3].set_index("elasticity_set").gdp_impact_pct
    assert at["high"] < at["central"] < at["low"] < 0


def test_elasticity_grid_increases_with_sigma_and_rate():
    g = elasticity_grid("mex25", [0.0, 0.1, 0.25], [0.5, 0.76, 2.53])  # one-year sigma
    # the grid's central column is the central set itself (sigma scaled by 1)
    c = g[(g.sigma == 0.76) & (g.rate == 0.25)].gdp_impact_pct.iloc[0]
    assert c == pytest.approx(
        ts.simulate("mex25", recession=False, elasticities=["central"]).to_json()["gdp_impact_pct"]
    )
    piv = g.pivot(index="rate", columns="sigma", values="gdp_impact_pct")
    assert (piv.loc[0.0] == 0).all()
    assert np.all(np.diff(piv.to_numpy(), axis=0) < 0)
    assert np.all(np.diff(piv.loc[[0.1, 0.25]].to_numpy(), axis=1) < 0)


def test_tornado_brackets_the_central_value():
    t = tornado("mex25")
    assert {"elasticities", "multiplier", "value_added_share", "exchange_rate_offset"} <= set(t.parameter)
    assert (t.swing.diff().dropna() <= 1e-12).all()  # sorted by swing
    c = t.gdp_central.iloc[0]
    central = ts.simulate("mex25", recession=False, elasticities=["central"]).to_json()["gdp_impact_pct"]
    assert c == pytest.approx(central)
    lo, hi = t[["gdp_at_low", "gdp_at_high"]].min(axis=1), t[["gdp_at_low", "gdp_at_high"]].max(axis=1)
    assert ((lo <= c + 1e-12) & (c - 1e-12 <= hi)).all()
    m = t.set_index("parameter").loc["multiplier"]
    assert m.gdp_at_high / c == pytest.approx(1.3, rel=0.1)  # GDP loss scales with k (drag aside)


class _SerialScheduler:
    """Duck-types dask.distributed.Client.map/gather: proves the code path submits every point."""

    def __init__(self):
        self.submitted = 0

    def map(self, fn, points, pure=False):
        self.submitted += len(points)
        return [fn(p) for p in points]

    def gather(self, futures):
        return list(futures)


def test_sweep_on_a_scheduler_gives_the_same_grid():
    local = sweep("mex25", "0:0.2:0.1", elasticities=["central"], recession=False)
    sch = _SerialScheduler()
    remote = sweep("mex25", "0:0.2:0.1", elasticities=["central"], recession=False, scheduler=sch)
    assert sch.submitted == 3
    np.testing.assert_allclose(remote.gdp_impact_pct, local.gdp_impact_pct)


@pytest.mark.slow
def test_sweep_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
        remote = sweep("mex25", [0.0, 0.25], elasticities=["central"], recession=False, scheduler=client)
    local = sweep("mex25", [0.0, 0.25], elasticities=["central"], recession=False)
    np.testing.assert_allclose(remote.gdp_impact_pct, local.gdp_impact_pct)


def test_sweep_point_at_the_scenario_rate_equals_simulate():
    """One source of truth: the sweep's row at 25 % is simulate('mex25')'s per-set numbers (same
    seed, same number of paths, common random numbers)."""
    sw = sweep("mex25", [0.25], elasticities=["central"]).set_index("elasticity_set")
    h = ts.simulate("mex25", draws=0).to_json()["by_elasticity_set"]["central"]
    for k in (
        "gdp_impact_pct",
        "recession_probability",
        "recession_probability_baseline",
        "exports_change_pct_long_run",
    ):
        assert sw.loc["central", k] == pytest.approx(h[k], rel=1e-12), k


def test_the_value_added_sensitivity_moves_the_value_added_the_near_term_uses():
    """The value-added share of the tornado (and of the parameter draws) scales the sector shares the
    near term uses (WIOT 2011 by sector), so its bar has width: GDP after four quarters moves in
    proportion to the share (the trade channel is linear in it)."""
    tor = ts.tornado("mex25").set_index("parameter")
    row = tor.loc["value_added_share"]
    assert row["swing"] > 0.3
    assert row["gdp_at_low"] > row["gdp_central"] > row["gdp_at_high"]
