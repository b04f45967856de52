"""simulate(): invariants, orderings and the JSON contract of `tariffsim run --json`."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from helpers import variant

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.inputs.elasticities import DEFAULT_SETS
from tariffsim.inputs.scenario import Scenario

FAST = {"draws": 20, "n_paths": 20_000}


@pytest.fixture(scope="module")
def mex25():
    return ts.simulate("mex25", **FAST)


@pytest.fixture(scope="module")
def usmca():
    return ts.simulate("mex25-usmca", **FAST)


@pytest.fixture(scope="module")
def retaliation():
    return ts.simulate("mex25-retaliation", **FAST)


def _zero(name="mex25"):
    return Scenario.builtin(name).with_rate(0.0)


# ----------------------------------------------------------------------------- invariants


def test_no_tariff_change_no_effect():
    r = ts.simulate(_zero(), **FAST)
    for name, so in r.sets.items():
        for o in (so.near_term, so.long_run):
            assert np.all(o.dV == 0), name
            assert np.all(o.revenue1 == o.revenue0)
        assert np.all(so.macro.path == 0)
    j = r.to_json()
    assert j["exports_change_pct_long_run"] == 0 and j["gdp_impact_pct"] == 0
    # common random numbers: with no shock the recession probability is exactly the baseline one
    assert j["recession_probability"] == j["recession_probability_baseline"]
    assert j["annual_contraction_probability"] == j["annual_contraction_probability_baseline"]


def test_zero_shock_recession_probability_is_baseline_within_mc_error_across_seeds():
    a = ts.simulate(_zero(), seed=1, draws=0, n_paths=40_000).recession
    b = ts.simulate("mex25", seed=2, draws=0, n_paths=40_000).recession
    se = np.hypot(a.technical_4q.se_baseline, b.technical_4q.se_baseline)
    assert abs(a.recession_probability - b.recession_probability_baseline) < 4 * se


def test_decomposition_adds_up_and_shares_sum_to_one(mex25):
    f = mex25.by_flow()
    parts = f.price_effect_usd + f.trade_creation_usd + f.trade_diversion_usd
    np.testing.assert_allclose(parts, f.change_usd, rtol=1e-9, atol=1e-3)
    sums = f.groupby(["elasticity_set", "importer", "sector"]).share_scenario.sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


def test_signs_and_magnitudes(mex25):
    j = mex25.to_json()
    assert (
        j["exports_to_market_change_pct_long_run"] < j["exports_change_pct_long_run"] < 0
    )  # the loss is in the US market
    assert j["market_tariff_revenue_change_usd"] > 0
    assert 0 < j["market_import_price_change_pct"] < 25  # partial pass-through into the composite US import price
    # revenue on Mexican goods is (t0 + 0.25) x what is still imported from Mexico
    o, d = mex25.outcome().trade, mex25.data
    m, u = d.index("MEX"), d.index("USA")
    assert o.revenue1[m, u].sum() == pytest.approx(((d.tariffs[m, u] + 0.25) * o.V1[m, u]).sum(), rel=1e-12)
    # the rest of the change comes from trade diverted to other suppliers, who pay their 2024 duties
    other = j["market_tariff_revenue_change_usd"] - (o.revenue1[m, u].sum() - o.revenue0[m, u].sum())
    assert other == pytest.approx((d.tariffs[:, u] * o.dV[:, u]).sum() - (d.tariffs[m, u] * o.dV[m, u]).sum(), rel=1e-9)
    assert other > 0
    for h in j["by_elasticity_set"].values():
        assert h["gdp_impact_pct"] < 0 and h["exports_change_pct_long_run"] < 0
    # Published first-year estimates for a 25 % tariff on Mexico are annual averages of about
    # -1 % to -3 % (README: PIIE G-Cubed, bank estimates, OECD March 2025). The derived central
    # case (Boehm et al. one-year elasticity 0.76, WIOD value added 0.65, multiplier 1) is compared
    # like with like: the first-year average, not the level after four quarters.
    assert j["gdp_impact_pct_first_year_avg"] == pytest.approx(np.mean([q["deviation_pct"] for q in j["gdp_path"][:4]]))
    assert -3 < j["gdp_impact_pct_first_year_avg"] < -1
    assert j["gdp_impact_pct"] < j["gdp_impact_pct_first_year_avg"]  # the loss builds up within the year
    assert j["value_added_at_risk_pct"] < j["gdp_impact_pct_long_run"] < 0  # the long run re-employs factors


def test_orderings_usmca_softens_retaliation_deepens(mex25, usmca, retaliation):
    g = {k: r.to_json()["gdp_impact_pct"] for k, r in (("mex25", mex25), ("usmca", usmca), ("ret", retaliation))}
    assert g["ret"] < g["mex25"] < g["usmca"] < 0
    assert usmca.to_json()["exports_change_pct_long_run"] > mex25.to_json()["exports_change_pct_long_run"]
    # retaliation costs the retaliator through both stated channels
    ch = retaliation.to_json()["macro"]["channels_after_4q_pct"]
    assert ch["retaliation_inputs"] < 0 and ch["real_income"] < 0
    assert mex25.to_json()["macro"]["channels_after_4q_pct"]["retaliation_inputs"] == 0
    jr = retaliation.to_json()
    key = "exports_change_pct_after_4q_incl_retaliation_costs"
    assert jr[key] < jr["exports_change_pct_after_4q"] < 0
    assert key not in mex25.to_json()
    lr = {
        k: r.to_json()["gdp_impact_pct_long_run"] for k, r in (("mex25", mex25), ("usmca", usmca), ("ret", retaliation))
    }
    assert lr["ret"] < lr["mex25"] < lr["usmca"] < 0


def test_recession_probability_rises_with_the_tariff(mex25):
    j = mex25.to_json()
    assert j["recession_probability"] > j["recession_probability_baseline"]
    assert j["annual_contraction_probability"] > j["annual_contraction_probability_baseline"]


def test_larger_tariffs_never_reduce_the_central_gdp_loss():
    df = ts.sweep("mex25", np.linspace(0, 0.5, 11), elasticities=["central"], recession=False)
    g = df.sort_values("rate").gdp_impact_pct.to_numpy()
    assert g[0] == 0 and np.all(np.diff(g) < 0)


def test_reproducible_with_seed():
    a = ts.simulate("mex25", seed=7, draws=10, n_paths=5000).to_json()
    b = ts.simulate("mex25", seed=7, draws=10, n_paths=5000).to_json()
    c = ts.simulate("mex25", seed=8, draws=10, n_paths=5000).to_json()
    for x in (a, b, c):
        x.pop("provenance")
        x["ge"]["solver"].pop("seconds")  # wall-clock time of the GE solve
    assert a == b
    assert a["recession_probability"] != c["recession_probability"]
    assert a["gdp_impact_pct_draws"] != c["gdp_impact_pct_draws"]


def test_invariant_to_currency_unit_and_country_order():
    d = ts.load_dataset()
    scaled = dataclasses.replace(d, values=d.values * 1e-3, gdp=d.gdp * 1e-3, name="default-kusd")
    perm = [9, 3, 1, 0, 7, 2, 8, 4, 6, 5]
    reordered = ts.TradeData(
        countries=tuple(d.countries[i] for i in perm),
        sectors=d.sectors,
        values=d.values[np.ix_(perm, perm)],
        gdp=d.gdp[perm],
        tariffs=d.tariffs[np.ix_(perm, perm)],
        name="default-reordered",
        meta=d.meta,
    )
    base = ts.simulate("mex25", data=d, recession=False).to_json()
    for other in (scaled, reordered):
        j = ts.simulate("mex25", data=other, recession=False).to_json()
        for k in (
            "exports_change_pct_long_run",
            "exports_to_market_change_pct_long_run",
            "market_import_price_change_pct",
            "gdp_impact_pct",
        ):
            assert j[k] == pytest.approx(base[k], rel=1e-9, abs=1e-12), k
    j = ts.simulate("mex25", data=scaled, recession=False).to_json()
    assert j["market_tariff_revenue_change_usd"] == pytest.approx(
        base["market_tariff_revenue_change_usd"] * 1e-3, rel=1e-9
    )


def test_result_is_frozen_and_records_provenance(mex25):
    with pytest.raises(dataclasses.FrozenInstanceError):
        mex25.central = "low"
    p = mex25.provenance
    assert p["tariffsim_version"] == ts.__version__
    assert p["scenario_hash"] == Scenario.builtin("mex25").hash
    assert p["dataset"] == "default" and p["dataset_sources"]
    assert p["recession_calibration"]["n_obs"] > 50


def test_tidy_tables(mex25):
    s = mex25.summary()
    assert list(s.elasticity_set) == list(mex25.sets)
    sec = mex25.by_sector("central")
    assert sec.value_baseline_usd.sum() == pytest.approx(mex25.data.exports("MEX"))
    c = mex25.by_country("central")
    assert set(c.country) == set(mex25.data.countries)
    path = mex25.gdp_path("central")
    comp = path[[c for c in path.columns if c.endswith("_pct") and c != "gdp_deviation_pct"]].sum(axis=1)
    np.testing.assert_allclose(comp, path.gdp_deviation_pct)
    assert path.period.iloc[0] == "2025Q2"


# ----------------------------------------------------------------------------- JSON contract and CLI

CONTRACT = {
    "scenario",
    "model",
    "country",
    "exports_change_pct_long_run",
    "exports_to_market_change_pct_long_run",
    "market_tariff_revenue_change_usd",
    "market_import_price_change_pct",
    "by_elasticity_set",
    "gdp_impact_pct",
    "gdp_impact_pct_low",
    "gdp_impact_pct_high",
    "gdp_path",
    "recession_probability",
    "recession_probability_baseline",
    "annual_contraction_probability",
    "export_dependence",
    "export_dependence_data",
}
PER_SET = {
    "exports_change_pct_long_run",
    "exports_to_market_change_pct_long_run",
    "market_tariff_revenue_change_usd",
    "market_import_price_change_pct",
    "gdp_impact_pct",
    "gdp_path",
    "recession_probability",
    "recession_probability_baseline",
}


def test_json_contract(mex25):
    j = mex25.to_json()
    assert CONTRACT <= set(j)
    assert (j["scenario"], j["model"], j["country"]) == ("mex25", "pe", "MEX")
    assert set(j["by_elasticity_set"]) == set(DEFAULT_SETS)
    for h in j["by_elasticity_set"].values():
        assert PER_SET <= set(h)
    assert j["by_elasticity_set"]["central"]["exports_change_pct_long_run"] == j["exports_change_pct_long_run"]
    impacts = [h["gdp_impact_pct"] for h in j["by_elasticity_set"].values()]
    assert j["gdp_impact_pct_low"] == max(impacts) and j["gdp_impact_pct_high"] == min(impacts)
    assert j["gdp_impact_pct_high"] <= j["gdp_impact_pct"] <= j["gdp_impact_pct_low"]
    assert j["gdp_path"][3]["deviation_pct"] == j["gdp_impact_pct"]  # after four quarters
    assert j["export_dependence"] == 0.80
    assert j["export_dependence_data"] == pytest.approx(0.771, abs=5e-4)  # BACI 2023 (ilms2025 README)
    assert 0 <= j["recession_probability_baseline"] <= 1 and 0 <= j["recession_probability"] <= 1
    json.dumps(j, allow_nan=False)


def test_cli_run_json(capsys):
    assert cli_main(["run", "mex25", "--json", "--draws", "5", "--paths", "2000"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert CONTRACT <= set(j)


def test_cli_run_text_and_errors(capsys):
    assert cli_main(["run", "mex25-usmca", "--draws", "0", "--paths", "1000"]) == 0
    out = capsys.readouterr().out
    assert "MEX GDP, first-year average" in out and "MEX GDP level after 4 quarters" in out and "central" in out
    assert out.index("first-year average") < out.index("after 4 quarters") < out.index("long run")
    assert cli_main(["run", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffsim: error:") and "unknown scenario 'nope'" in err
    assert cli_main(["run", "mex25", "--elasticities", "central,medium"]) == 2
    assert "unknown elasticity set 'medium'" in capsys.readouterr().err


def test_smart_linear_method_runs():
    r = ts.simulate("mex25", method="smart-linear", recession=False, elasticities=["smart"])
    exact = ts.simulate("mex25", recession=False, elasticities=["smart"])
    # SMART's first-order formulas overstate the loss of a large tariff (MODELS.md section 1)
    assert (
        r.to_json()["exports_to_market_change_pct_long_run"]
        < exact.to_json()["exports_to_market_change_pct_long_run"]
        < 0
    )


# ----------------------------------------------------------------------------- GE bridge


def test_ge_model_runs_and_orders(capsys):
    j = {
        n: ts.simulate(n, model="ge", draws=0, n_paths=5000).to_json()
        for n in ("mex25", "mex25-usmca", "mex25-retaliation")
    }
    assert j["mex25"]["model"] == "ge"
    assert (
        j["mex25-retaliation"]["gdp_impact_pct"] < j["mex25"]["gdp_impact_pct"] < j["mex25-usmca"]["gdp_impact_pct"] < 0
    )
    ge = j["mex25"]["ge"]
    assert ge["solver"]["converged"] and ge["solver"]["residual"] < 1e-8
    assert ge["country"]["iso3"] == "MEX" and ge["country"]["real_income_pct"] < 0
    # the long-run real income is the GE's; long-run real GDP is its own number (capital deepening)
    assert j["mex25"]["real_income_pct_long_run"] == pytest.approx(ge["country"]["real_income_pct"], abs=1e-9)
    assert j["mex25"]["gdp_impact_pct_long_run"] < j["mex25"]["real_income_pct_long_run"] < 0
    assert cli_main(["run", "mex25", "--model", "ge", "--json", "--draws", "0", "--paths", "1000"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "ge"


def test_ge_zero_tariff_zero_effect():
    r = ts.simulate(_zero(), model="ge", recession=False)
    for so in r.sets.values():
        np.testing.assert_allclose(so.trade.V1, so.trade.V0, rtol=1e-9)
        np.testing.assert_allclose(so.macro.path, 0, atol=1e-9)


def test_ge_and_pe_on_a_user_matrix(ilms_dir, tmp_path):
    """A scenario file pointing at the 194-economy ilms2025 matrix (paths relative to the file)."""
    import shutil

    for f in ("trade_cepii.csv", "country_labels.csv", "gdp.csv"):
        shutil.copy(ilms_dir / f, tmp_path / f)
    (tmp_path / "ge194.toml").write_text(
        'name = "ge194"\nmodel = "ge"\n'
        'dataset = { format = "matrix", matrix = "trade_cepii.csv", labels = "country_labels.csv", gdp = "gdp.csv", '
        'units = "thousand USD" }\n'
        '[[tariffs]]\nimporter = "USA"\nexporters = ["MEX"]\nrate = 0.25\n'
        '[elasticities]\nsets = ["central"]\n'
    )
    r = ts.simulate(tmp_path / "ge194.toml", draws=0, n_paths=2000)
    j = r.to_json()
    assert r.data.n_countries == 194 and j["model"] == "ge"
    assert j["ge"]["solver"]["converged"] and j["ge"]["country"]["real_income_pct"] < 0
    # the dependence the data give on this matrix is the BACI 2023 figure (ilms2025 README: 77.1 %)
    assert j["export_dependence_data"] == pytest.approx(0.771, abs=5e-4)
    pe = ts.simulate(tmp_path / "ge194.toml", model="pe", draws=0, n_paths=2000).to_json()
    # one macro layer: the same near term (PE, one-year elasticities) and the same GE long run
    assert pe["gdp_impact_pct"] == pytest.approx(j["gdp_impact_pct"]) and j["gdp_impact_pct"] < 0
    assert pe["gdp_impact_pct_long_run"] == pytest.approx(j["gdp_impact_pct_long_run"])


# ----------------------------------------------------------------------------- issue 9: one consistent answer

NEW_KEYS = {
    "gdp_impact_pct_first_year_avg",
    "gdp_impact_pct_long_run",
    "value_added_at_risk_pct",
    "implied_elasticity_one_year",
    "recession_probability_change",
    "recession_probability_change_se",
}


def test_json_has_the_new_keys_and_the_implied_elasticity_is_the_stated_one(mex25):
    j = mex25.to_json()
    assert NEW_KEYS <= set(j)
    for n, h in j["by_elasticity_set"].items():
        assert NEW_KEYS <= set(h), n
        stated = ts.get_set(n).sigma_one_year
        # exporters' prices are fixed in every shipped set but SMART (eps_x 99) and GSIM (1.5)
        if ts.get_set(n).eps_x == float("inf"):
            assert h["implied_elasticity_one_year"] == pytest.approx(stated, abs=1e-9), n
    assert j["implied_elasticity_one_year"] == pytest.approx(0.76, abs=0.05)  # Boehm et al. (2023), one year
    assert j["recession_probability_change"] > 0 and j["recession_probability_change_se"] < 0.01


def test_summary_shows_exactly_the_json_numbers(mex25):
    j = mex25.to_json()
    s = mex25.summary().set_index("elasticity_set")
    for n, h in j["by_elasticity_set"].items():
        for k in (
            "gdp_impact_pct",
            "gdp_impact_pct_first_year_avg",
            "gdp_impact_pct_long_run",
            "exports_change_pct_long_run",
            "exports_change_pct_after_4q",
            "recession_probability",
            "recession_probability_change",
            "value_added_at_risk_pct",
        ):
            assert s.loc[n, k] == h[k], (n, k)
    assert j["recession_probability"] == j["by_elasticity_set"]["central"]["recession_probability"]


def test_no_two_shipped_sets_give_the_same_results(mex25):
    rows = {
        n: (
            round(h["gdp_impact_pct"], 6),
            round(h["gdp_impact_pct_long_run"], 6),
            round(h["exports_change_pct_long_run"], 6),
        )
        for n, h in mex25.to_json()["by_elasticity_set"].items()
    }
    assert len(set(rows.values())) == len(rows)
    for m in ("pe", "ge"):
        r = ts.simulate("mex25", model=m, recession=False, elasticities=list(ts.available_sets()))
        vals = [
            (
                round(h["gdp_impact_pct"], 6),
                round(h["gdp_impact_pct_long_run"], 6),
                round(h["exports_change_pct_long_run"], 6),
            )
            for h in r.to_json()["by_elasticity_set"].values()
        ]
        assert len(set(vals)) == len(vals), m


def test_duplicate_sets_are_run_once():
    twin = ts.get_set("central").with_values(name="central-copy")
    r = ts.simulate("mex25", elasticities=["central", twin], recession=False)
    assert list(r.sets) == ["central"]
    assert any("same model" in n for n in r.notes)


def test_model_override_is_recorded_in_the_scenario():
    r = ts.simulate("mex25", model="ge", recession=False, elasticities=["central"])
    assert r.model == "ge" and r.scenario.model == "ge" and r.to_json()["model"] == "ge"


def test_derived_scenario_is_relabelled_everywhere():
    r = ts.simulate(Scenario.builtin("mex25").with_rate(0.10), draws=0, n_paths=2000)
    j = r.to_json()
    assert j["scenario"] == "mex25@rate=0.10"
    assert "10 %" in j["description"] and "25 %" not in j["description"]
    assert r.scenario.tariffs[0].source == "" and "10 %" in r.scenario.tariffs[0].label
    full = ts.simulate("mex25", draws=0, n_paths=2000).to_json()
    assert j["gdp_impact_pct"] > full["gdp_impact_pct"]  # a smaller tariff, a smaller loss


def test_negative_rates_are_refused_everywhere():
    with pytest.raises(ts.ScenarioError, match="negative"):
        Scenario.builtin("mex25").with_rate(-0.5)
    with pytest.raises(ts.ScenarioError):
        ts.sweep("mex25", [-0.5], recession=False)


def test_repr_is_short_and_notebooks_get_a_table(mex25):
    assert len(repr(mex25)) < 5000
    html = mex25._repr_html_()
    assert "<table" in html and "central" in html


def test_other_country_needs_a_recession_calibration():
    sc = variant(
        Scenario.builtin("mex25"),
        country="VNM",
        tariffs=[{"importer": "USA", "exporters": ["VNM"], "rate": 0.25}],
        # VNM is in neither WIOT 2011 nor the SEA: the scenario gives its own figures
        assumptions={
            "value_added_share": 0.5,
            "capital_share": 0.4,
            "imported_share_gfcf": 0.3,
            "uncertainty_drag_pct": 0.3,
        },
    )
    r = ts.simulate(sc, recession=False)  # trade and macro run for any country with its own figures
    assert r.to_json()["gdp_impact_pct"] < 0
    with pytest.raises(ts.TariffSimError, match="VNM"):
        ts.simulate(sc, draws=0, n_paths=1000)


def test_multi_sector_ge_gives_the_long_run_with_the_1993_structure_stated():
    """On Caliendo and Parro's 1993 tables (``io_table = "cp1993"``); today's tables: test_io_bridge.py."""
    r = ts.simulate("mex25", model="ge-io", recession=False, io_table="cp1993")
    j = r.to_json()
    assert j["model"] == "ge-io" and r.outcome().gdp_long_run.model == "ge-io"
    # the multi-sector model runs the sets that have its sector trade elasticities (io_theta): of the
    # defaults, 'central' (Caliendo-Parro theta); the others are left out with a note, and asking for one
    # is a clear error naming the set (issue 17: every model honours the set or refuses it)
    assert list(r.sets) == ["central"] and any("not run: low, high, smart, gsim" in n for n in j["notes"])
    with pytest.raises(ts.ScenarioError, match="'high' has no sector trade elasticities") as err:
        ts.simulate("mex25", model="ge-io", recession=False, elasticities=["central", "high"], io_table="cp1993")
    assert err.value.field == "elasticities"
    assert any("1993" in n for n in j["notes"])
    # the long run is the Caliendo-Parro real income change of Mexico (its own sector elasticities)
    from tariffsim.replication.cp2015 import tariff_on_nafta

    assert j["real_income_pct_long_run"] == pytest.approx(tariff_on_nafta().region("MEX")["real_income_pct"], abs=1e-8)
    # long-run real GDP: capital deepening at the multi-sector GE's prices, not its real income relabelled
    assert j["gdp_impact_pct_long_run"] != pytest.approx(j["real_income_pct_long_run"], abs=0.05)
    # same near term as the PE run (one macro layer)
    pe = ts.simulate("mex25", recession=False, elasticities=["central"]).to_json()
    assert j["gdp_impact_pct"] == pe["gdp_impact_pct"]
    ret = ts.simulate(
        "mex25-retaliation", model="ge-io", recession=False, elasticities=["central"], io_table="cp1993"
    ).to_json()
    assert ret["gdp_impact_pct_long_run"] < j["gdp_impact_pct_long_run"] < 0
    # a measure on some sectors is carried to the Caliendo-Parro sectors (ge_io_bridge): vehicles only
    # costs Mexico less than all goods
    veh = ts.simulate(
        Scenario.from_dict(
            {
                "name": "v",
                "model": "ge-io",
                "io_table": "cp1993",
                "tariffs": [{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "sectors": ["vehicles"]}],
            }
        ),
        recession=False,
        elasticities=["central"],
    ).to_json()
    assert j["gdp_impact_pct_long_run"] < veh["gdp_impact_pct_long_run"] < 0


def test_removed_spellings_are_gone():
    res = ts.simulate("mex25", recession=False, elasticities=["central"])
    so = res.outcome()
    assert not hasattr(so, "short_run") and not hasattr(res, "set_names")
    assert not hasattr(res.scenario, "rate_label")
    with pytest.raises(ts.TariffSimError, match="near_term"):
        res.by_flow(horizon="short_run")


def test_a_result_pickles_with_the_standard_pickle(mex25):
    """A result can go to another process or to disk (multiprocessing, joblib, a notebook's cache):
    its read-only mappings are FrozenMaps, which pickle (MappingProxyType does not); read back, it
    gives the same JSON, scenario and draws, and its mappings stay read-only."""
    import pickle

    from tariffsim._util import FrozenMap

    back = pickle.loads(pickle.dumps(mex25))
    assert back.to_json() == mex25.to_json()
    assert back.scenario.hash == mex25.scenario.hash and back.scenario == mex25.scenario
    assert back.draws.equals(mex25.draws)
    assert isinstance(back.provenance, FrozenMap) and isinstance(back.scenario.patch, FrozenMap)
    with pytest.raises(TypeError):
        back.provenance["seed"] = 1  # type: ignore[index]
    # read back, the record is as frozen as the one computed: its arrays stay read-only
    for a in (back.t1, back.draw_columns["gdp_impact_pct"], back.recession.mean_growth_tariff, back.data.values):
        assert not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        back.draw_columns["gdp_impact_pct"][:] = 0.0
    import copy

    assert copy.deepcopy(mex25).to_json() == mex25.to_json()
    # what MappingProxyType did, FrozenMap does: items, |, reversed, copy
    m = FrozenMap({"a": 1, "b": 2})
    assert (
        m == {"a": 1, "b": 2} and dict(m) == m.copy() == {"a": 1, "b": 2} and repr(m) == "FrozenMap({'a': 1, 'b': 2})"
    )
    assert pickle.loads(pickle.dumps(m)) == m and len(m) == 2 and list(reversed(m)) == ["b", "a"]
    assert m | {"c": 3} == {"a": 1, "b": 2, "c": 3} and {"a": 0} | m == {"a": 1, "b": 2}
    assert type(m | {}) is dict
