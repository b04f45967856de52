"""Uncertainty of the multi-sector model (issue 21): parameter draws of the sector trade
elasticities around the run's set, each draw solved on its own, bands in the JSON; the same numbers
in this process and on Dask workers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.engine.adapters import long_run_adapter
from tariffsim.engine.contract import OUTPUT_CHANGE
from tariffsim.engine.ge_io_bridge import ge_io_trade
from tariffsim.engine.simulation import apply_draw, resolve
from tariffsim.errors import ScenarioError
from tariffsim.inputs.io_shipped import io_elasticities
from tariffsim.inputs.theta_draws import THETA_FACTOR, factors_of, theta_distribution


@pytest.mark.parametrize("table", ["icio2022", "wiod2011"])
def test_theta_distribution_is_the_spread_of_the_published_sets_centred_on_the_set(table):
    el = io_elasticities(table)
    dist = theta_distribution(table, "CP")
    logs = np.log(el.to_numpy(dtype=float))
    np.testing.assert_allclose(dist.median, el["CP"].to_numpy())  # centred on the run's set
    np.testing.assert_allclose(dist.log_sd, logs.std(axis=1, ddof=1))  # the sets' spread, sector by sector
    assert len(dist.sets) == 8 and 0.0 <= dist.rho < 1.0
    f = dist.factors(np.random.default_rng(1), 20_000)
    assert f.shape == (20_000, len(el))
    np.testing.assert_allclose(np.median(np.log(f), axis=0), 0.0, atol=0.03)  # median factor 1
    np.testing.assert_allclose(np.log(f).std(axis=0), dist.log_sd, rtol=0.03)
    c = np.corrcoef(np.log(f).T)
    off = c[~np.eye(len(el), dtype=bool)]
    assert abs(off.mean() - dist.rho) < 0.02  # equicorrelated at rho
    other = theta_distribution(table, "U4")
    np.testing.assert_allclose(other.median, 4.0)
    np.testing.assert_allclose(other.log_sd, dist.log_sd)  # the spread does not depend on the centre


def test_a_table_with_one_published_set_has_no_spread_to_draw():
    with pytest.raises(ScenarioError, match="no spread") as e:
        theta_distribution("cp1993", "CP")
    assert e.value.field == "io_table"
    r = ts.simulate("mex25", model="ge-io", io_table="cp1993", elasticities=["central"], draws=12, n_paths=2000)
    assert not [c for c in r.draws.columns if c.startswith(THETA_FACTOR)]  # the long run is the set's
    assert r.draws["real_income_pct_long_run"].nunique() == 1


def test_a_draw_at_the_centre_is_the_central_case():
    """Factors of one reproduce the set's own long run (solved the draws' way: from its reference)."""
    inp = resolve("mex25", model="ge-io", recession=False)
    es = inp.central_set
    centre = ge_io_trade(inp.context, es)
    drawn = ge_io_trade(inp.context, es.with_io_theta_factors(np.ones(len(centre.sectors))))
    np.testing.assert_allclose(drawn.real_income_pct, centre.real_income_pct, atol=1e-8)
    np.testing.assert_allclose(drawn.V1, centre.V1, rtol=1e-8)
    with pytest.raises(ScenarioError, match="sectors"):
        ge_io_trade(inp.context, es.with_io_theta_factors([1.0, 1.0]))


def test_ge_io_draws_give_bands_for_real_income_and_sector_output():
    r = ts.simulate("mex25", model="ge-io", draws=40, n_paths=2000)
    j = r.to_json()
    band = j["real_income_pct_long_run_draws"]
    assert band["n"] == 40 and band["p05"] < band["p50"] < band["p95"]
    central = r.outcome().gdp_long_run
    mex = central.countries.index("MEX")
    assert band["p05"] < float(central.real_income_pct[mex]) < band["p95"]  # draws centred on the set
    sectors = j["output_change_pct_draws"]
    assert list(sectors) == list(central.sectors)
    assert all(b["p05"] <= b["p50"] <= b["p95"] for b in sectors.values())
    draws = r.draws
    theta = draws[[c for c in draws.columns if c.startswith(THETA_FACTOR)]]
    assert theta.shape == (40, len(central.sectors)) and (theta.to_numpy() > 0).all()
    assert draws["real_income_pct_long_run"].nunique() == 40  # every draw its own long run
    # a draw's long run is its own θ: the draw's row reproduces its number
    row = draws.iloc[3]
    es, a = apply_draw(r.sets[r.central].elasticities, r.assumptions, row)
    assert es.io_theta_factors == tuple(factors_of(row))
    inp = resolve("mex25", model="ge-io", recession=False)
    again = long_run_adapter("ge-io").run(inp.context, es, "long-run")
    assert float(again.real_income_pct[mex]) == pytest.approx(row["real_income_pct_long_run"], abs=1e-12)
    assert float(np.asarray(again.detail.real_output_pct)[mex, 0]) == pytest.approx(
        row[f"{OUTPUT_CHANGE}{central.sectors[0]}"], abs=1e-12
    )


def test_the_one_sector_models_report_the_long_run_real_income_band():
    j = ts.simulate("mex25", draws=30, n_paths=2000).to_json()
    band = j["real_income_pct_long_run_draws"]
    assert band["n"] == 30 and band["p05"] < band["p95"]
    assert "output_change_pct_draws" not in j  # no sectors of its own


@pytest.mark.slow
def test_ge_io_draws_on_dask_workers_are_the_in_process_numbers(capsys):
    """`run --workers 2`: the draws' blocks solved on a local dask cluster, every number the same."""
    pytest.importorskip("dask.distributed")
    base = ["run", "mex25", "--model", "ge-io", "--json", "--draws", "60", "--paths", "2000"]
    assert cli_main(base) == 0
    local = capsys.readouterr().out
    assert cli_main([*base, "--workers", "2"]) == 0
    remote = capsys.readouterr().out
    a, b = json.loads(local), json.loads(remote)
    for key in ("real_income_pct_long_run_draws", "output_change_pct_draws", "gdp_impact_pct_draws"):
        assert a[key] == b[key], key


def test_the_report_sees_a_ge_io_run_on_the_dataset_without_a_second_run():
    """The sector and partner tables of a ge-io report come from the run's own PE solves at the
    long-run elasticities: the same tables as a second run of the PE twin (what the report did)."""
    from tariffsim.outputs import report, tables

    r = ts.simulate("mex25", model="ge-io", elasticities=["CP", "U4"], draws=0, recession=False)
    sc_pe = report._near_term_twin(r.scenario)
    twin = ts.simulate(sc_pe, elasticities=list(r.sets), draws=0, recession=False)
    view = report._dataset_view(r, sc_pe)
    assert view.model == twin.model and view.scenario.hash == twin.scenario.hash
    for name in r.sets:
        for f in (tables.sector_table, tables.partner_table):
            pd.testing.assert_frame_equal(f(view, name), f(twin, name))
        for h in ("near_term", "long_run"):
            pd.testing.assert_frame_equal(view.by_flow(name, horizon=h), twin.by_flow(name, horizon=h))
