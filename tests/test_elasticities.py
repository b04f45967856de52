"""Elasticity sets: units (sigma of tariff-exclusive flows, MODELS.md section 5), sources, the
one-year values the model implies, and no two sets that are the same model."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.engine.adapters import pe_trade
from tariffsim.engine.trade import TradeContext, implied_elasticity
from tariffsim.inputs.elasticities import QUANTITIES, one_year_ratio
from tariffsim.inputs.scenario import Scenario


def test_boehm_et_al_values_in_the_central_set():
    # Boehm, Levchenko and Pandalai-Nayar (2023, AER): elasticity of tariff-exclusive flows
    # 0.76 one year after the change, 1.75-2.25 in the long run: these are sigma, not sigma - 1
    c = ts.get_set("central")
    assert c.sigma_one_year == 0.76 and c.sigma == 2.0
    assert c.ge_trade_elasticity == pytest.approx(c.sigma - 1)  # the ACR trade elasticity
    assert one_year_ratio() == pytest.approx(0.76 / 2.0)
    assert ts.get_set("high").sigma_one_year == 2.53  # Fajgelbaum et al. (2020, QJE)


def test_every_value_has_a_source_and_a_named_quantity():
    for n in ts.available_sets():
        es = ts.get_set(n)
        for k in ("sigma", "eta", "eps_x", "ge_trade_elasticity"):
            assert es.sources.get(k), (n, k)
        assert set(es.to_dict()) >= set(QUANTITIES)


def test_omitted_one_year_values_are_boehm_ratio_times_the_long_run():
    g = ts.get_set("gsim")
    assert g.sigma_one_year == pytest.approx(0.38 * 5.0) and g.eta_one_year == pytest.approx(0.38 * 1.25)


def test_no_two_shipped_sets_are_the_same_model():
    keys = [ts.get_set(n).model_key() for n in ts.available_sets()]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("name", ["central", "low", "high", "bw-sectoral", "cp-sectoral"])
def test_implied_one_year_elasticity_of_a_small_bilateral_tariff_is_the_stated_sigma(name):
    """A 1 % US tariff on one small supplier (Vietnam): the model's one-year elasticity of that
    supplier's tariff-exclusive sales to (1 + t) is the set's one-year sigma, relative to the
    untouched suppliers exactly (what Boehm et al. estimate), and in total up to the small
    composite term theta (eta - sigma)."""
    data = ts.load_dataset()
    es = ts.get_set(name)
    assert math.isinf(es.eps_x)
    sc = Scenario.from_dict({"name": "small", "tariffs": [{"importer": "USA", "exporters": ["VNM"], "rate": 0.01}]})
    t0, t1 = sc.tariff_arrays(data)
    o = pe_trade(TradeContext(sc, data, t0, t1, "USA"), es, "one-year")
    v, u = data.index("VNM"), data.index("USA")
    arr = es.arrays(data.sectors, "one-year")
    w = o.V0[v, u]
    stated = float(np.sum(w * arr["sigma"]) / w.sum())  # trade-weighted one-year sigma of Vietnam's sales
    assert implied_elasticity(o, t0, t1, v, u) == pytest.approx(stated, rel=1e-9)
    dlt = np.log1p(t1[v, u]) - np.log1p(t0[v, u])  # about 1 % in every sector
    total = float(np.sum(w * -np.log(o.V1[v, u] / w) / dlt) / w.sum())
    theta = float((o.detail.shares0[v, u] * w).sum() / w.sum())
    assert abs(total - stated) <= theta * float(np.max(np.abs(arr["sigma"] - arr["eta"]))) + 1e-3


def test_with_values_validates():
    with pytest.raises(ts.ScenarioError, match="positive"):
        ts.get_set("central").with_values(sigma=-2.0)
    with pytest.raises(ts.ScenarioError, match="unknown elasticity"):
        ts.get_set("central").with_values(theta=2.0)
    assert ts.get_set("central").with_values(sigma=3.0).sigma == 3.0


def test_old_horizon_key_is_explained():
    with pytest.raises(ts.ScenarioError, match="sigma_one_year"):
        ts.ElasticitySet.from_dict("x", {"sigma": 2.0, "eta": 1.0, "horizon": "short-run"})


def test_names_removed_before_the_first_release_are_unknown():
    """The 0.2 spellings (smart-defaults, gsim-example, short-run, long-run) were removed with their
    deprecation shims (CHANGELOG.md): they are unknown sets, refused with the list of shipped sets."""
    for old in ("smart-defaults", "gsim-example", "short-run", "long-run"):
        with pytest.raises(ts.ScenarioError, match="shipped sets: central"):
            ts.get_set(old)
    d = {"name": "x", "tariffs": [{"importer": "USA", "exporters": ["MEX"], "rate": 0.25}]}
    with pytest.raises(ts.ScenarioError) as e:
        ts.Scenario.from_dict({**d, "elasticities": {"sets": ["central", "smart-defaults"]}})
    assert e.value.field == "elasticities.sets[1]"
