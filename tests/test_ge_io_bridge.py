"""Scenarios on the multi-sector GE (ge-io) on Caliendo and Parro's 1993 tables (``io_table =
"cp1993"``): sector measures carried to the Caliendo-Parro sectors through the shipped HS -> ISIC
rev.3 concordance and US import weights (ge_io_bridge). Today's tables: tests/test_io_bridge.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tariffsim.engine.ge_io_bridge import (
    MAPPING_NOTE,
    _reference,
    cp2015_sector_weights,
    ge_io_tariffs,
    ge_io_tariffs_and_notes,
    ge_io_trade,
    hs_cp2015,
)
from tariffsim.engine.trade import TradeContext
from tariffsim.errors import ScenarioError
from tariffsim.inputs.datasets import hs2_sector_map, load_dataset
from tariffsim.inputs.elasticities import get_set
from tariffsim.inputs.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]


TABLE = "cp1993"


def _ctx(sc: Scenario) -> TradeContext:
    """The adapter's context of a scenario on the default dataset, on the 1993 tables."""
    sc = sc if sc.io_table else sc.derive(io_table=TABLE)
    data = load_dataset()
    t0, t1 = sc.tariff_arrays(data)
    return TradeContext(sc, data, t0, t1, "USA")


@pytest.fixture(scope="module")
def ref():
    return _reference(TABLE, "CP")


@pytest.fixture(scope="module")
def io(ref):
    return ref[0]


def _goods(io) -> list[str]:
    """CP sectors with international trade in the tables (the 20 ISIC goods sectors)."""
    T = np.asarray(io.trade, dtype=float).copy()
    for n in range(io.N):
        T[n, n, :] = 0.0
    return [s for j, s in enumerate(io.sectors) if T[:, :, j].sum() > 0]


def _scenario(tariffs, retaliation=(), name="t"):
    return Scenario.from_dict(
        {"name": name, "model": "ge-io", "io_table": TABLE, "tariffs": list(tariffs), "retaliation": list(retaliation)},
        source=f"<{name}>",
    )


def _region(io, code: str) -> int:
    from tariffsim.models.ge_io import iso3_codes

    return list(iso3_codes(io.regions)).index(code)


# ----------------------------------------------------------------------------- the mapping files


def test_concordance_covers_every_chapter_and_every_dataset_sector(io):
    conc = hs_cp2015()
    goods = _goods(io)
    assert len(goods) == 20
    codes = dict(zip(conc["hs"], conc["cp_sector"], strict=True))
    # every HS chapter of the dataset's sectors has a chapter-level rule; only US special chapters are unmapped
    hs2 = hs2_sector_map()
    for ch in hs2:
        assert ch in codes, ch
    assert {c for c in hs2 if codes[c] == ""} == {"98", "99"}
    # every mapped code names a traded CP sector, never a service
    mapped = {c for c in conc["cp_sector"] if c}
    assert mapped <= set(goods)
    assert mapped == set(goods)  # and every goods sector receives some HS product
    # every dataset sector reaches at least one CP sector with positive weight in US imports
    w = cp2015_sector_weights()
    wld = w[w["exporter"] == "WLD"]
    assert set(wld["sector"]) == set(hs2.values())


def test_weight_shares_sum_to_one_per_cp_sector():
    w = cp2015_sector_weights()
    assert (w["share"] >= 0).all() and (w["value_usd"] >= 0).all()
    s = w.groupby(["exporter", "importer", "cp_sector"])["share"].sum()
    assert np.allclose(s.to_numpy(), 1.0, atol=1e-8)
    # shares are the values' proportions (the file is internally consistent)
    tot = w.groupby(["exporter", "cp_sector"])["value_usd"].transform("sum")
    assert np.allclose(w["share"], w["value_usd"] / tot, atol=1e-6)
    # Mexico's HS content in US imports is 2024 Census data: 503.4 bn USD less chapters 98/99 and electricity
    mex = w[w["exporter"] == "MEX"]["value_usd"].sum()
    assert 450e9 < mex < 503.5e9


def test_known_mixed_sectors_in_the_weights():
    """Facts of the concordance that the weights must show: Canada's crude oil and gas make its
    Mining content almost all 'fuels'; Mexico's engines (HS 8407/8409, in the 'machinery' chapter)
    are part of its Auto content (ISIC 34 includes motor-vehicle engines)."""
    w = cp2015_sector_weights().set_index(["exporter", "cp_sector", "sector"])["share"]
    assert w[("CAN", "Mining", "fuels")] > 0.95
    assert 0.0 < w[("MEX", "Auto", "machinery")] < 0.1
    assert w[("MEX", "Auto", "vehicles")] > 0.9


# ----------------------------------------------------------------------------- tariffs


def test_measure_on_all_goods_equals_the_old_rule_exactly(io):
    """sectors = "all": the rate on every one of the 40 sectors, bit for bit as before."""
    sc = _scenario([{"importer": "USA", "exporters": ["MEX"], "rate": 0.25}])
    t, notes = ge_io_tariffs_and_notes(sc, io, TABLE)
    expected = np.array(io.tariff_cfl, dtype=float, copy=True)
    expected[_region(io, "USA"), [_region(io, "MEX")], :] += 0.25
    assert np.array_equal(t, expected)
    assert notes == ()
    # and "set" mode with an exempt share
    sc = _scenario([{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "mode": "set", "exempt_share": 0.49}])
    expected = np.array(io.tariff_cfl, dtype=float, copy=True)
    h, m = _region(io, "USA"), [_region(io, "MEX")]
    expected[h, m, :] = 0.49 * expected[h, m, :] + 0.51 * 0.25
    assert np.array_equal(ge_io_tariffs(sc, io, TABLE), expected)


def test_listing_every_sector_is_all_goods(io):
    """sectors = [all fourteen]: every goods sector gets the full rate; services none (they are not traded)."""
    every = list(dict.fromkeys(hs2_sector_map().values()))
    sc = _scenario([{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "sectors": every}])
    t = ge_io_tariffs(sc, io, TABLE)
    h, m = _region(io, "USA"), _region(io, "MEX")
    d = t[h, m] - io.tariff_cfl[h, m]
    goods = _goods(io)
    for j, s in enumerate(io.sectors):
        assert d[j] == pytest.approx(0.25 if s in goods else 0.0, abs=1e-12), s
    assert np.array_equal(t[np.arange(io.N) != h], io.tariff_cfl[np.arange(io.N) != h])


def test_excluding_a_sector_that_maps_one_to_one_leaves_its_cp_sector_unchanged(io):
    """Mexico's Petroleum content in US imports is all 'fuels' and its Wood all 'wood_paper'
    (shares of one in the weights): excluding them leaves those CP tariffs at the reference."""
    w = cp2015_sector_weights().set_index(["exporter", "cp_sector", "sector"])["share"]
    assert w[("MEX", "Petroleum", "fuels")] == 1.0 and w[("MEX", "Wood", "wood_paper")] == 1.0
    sc = _scenario(
        [{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "exclude_sectors": ["fuels", "wood_paper"]}]
    )
    t, notes = ge_io_tariffs_and_notes(sc, io, TABLE)
    h, m = _region(io, "USA"), _region(io, "MEX")
    d = dict(zip(io.sectors, t[h, m] - io.tariff_cfl[h, m], strict=True))
    assert d["Petroleum"] == 0.0 and d["Wood"] == 0.0
    assert d["Textile"] == pytest.approx(0.25 * (1 - w[("MEX", "Textile", "wood_paper")]))  # leather is wood_paper
    assert d["Office"] == pytest.approx(0.25)
    assert MAPPING_NOTE in notes


def test_a_mixed_cp_sector_gets_the_trade_weighted_average(io):
    """na-feb2025: Canada's Mining content is mostly crude oil and gas (fuels, 10 %) with some ores
    (minerals, 25 %): its tariff change is the weighted average of the two rates."""
    w = cp2015_sector_weights().set_index(["exporter", "cp_sector", "sector"])["share"]
    t = ge_io_tariffs(Scenario.builtin("na-feb2025"), io, TABLE)
    h, c = _region(io, "USA"), _region(io, "CAN")
    d = dict(zip(io.sectors, t[h, c] - io.tariff_cfl[h, c], strict=True))
    mining = w.loc[("CAN", "Mining")]
    assert d["Mining"] == pytest.approx(0.10 * mining["fuels"] + 0.25 * (1 - mining["fuels"]), abs=1e-9)
    assert 0.10 < d["Mining"] < 0.11
    assert d["Auto"] == pytest.approx(0.25)  # no fuels content
    # Mexico's tariffs are those of mex25 exactly: 25 % on everything
    t25 = ge_io_tariffs(Scenario.builtin("mex25"), io, TABLE)
    m = _region(io, "MEX")
    assert np.array_equal(t[h, m], t25[h, m])


def test_flows_without_us_import_data_use_stated_assumptions(io):
    sc = _scenario(
        [{"importer": "USA", "exporters": ["MEX"], "rate": 0.25}],
        retaliation=[{"importer": "MEX", "exporters": ["USA"], "rate": 0.25, "sectors": ["agrifood", "metals"]}],
    )
    t, notes = ge_io_tariffs_and_notes(sc, io, TABLE)
    assert any("USA -> MEX" in n and "all US imports" in n for n in notes)
    h, u = _region(io, "MEX"), _region(io, "USA")
    d = dict(zip(io.sectors, t[h, u] - io.tariff_cfl[h, u], strict=True))
    assert d["Food"] == pytest.approx(0.25, abs=1e-3)  # food content is all agri-food (raw hides aside)
    wld = cp2015_sector_weights().set_index(["exporter", "cp_sector", "sector"])["share"].loc[("WLD", "Basic metals")]
    assert d["Basic metals"] == pytest.approx(0.25 * wld["metals"], abs=1e-9)  # precious metals are stone_precious
    assert d["Office"] == 0.0
    sc = _scenario([{"importer": "CAN", "exporters": ["MEX"], "rate": 0.1, "sectors": ["vehicles"]}])
    _, notes = ge_io_tariffs_and_notes(sc, io, TABLE)
    assert any("MEX -> CAN" in n and "MEX's exports to the US" in n for n in notes)


def test_unmappable_sector_names_the_field(io):
    sc = _scenario([{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "sectors": ["vehicles", "cars"]}])
    with pytest.raises(ScenarioError) as e:
        ge_io_tariffs(sc, io, TABLE)
    assert e.value.field == "tariffs[0].sectors[1]"
    sc = _scenario([{"importer": "USA", "exporters": ["MEX"], "rate": 0.25, "exclude_sectors": ["energy"]}])
    with pytest.raises(ScenarioError) as e:
        ge_io_tariffs(sc, io, TABLE)
    assert e.value.field == "tariffs[0].exclude_sectors[0]"


# ----------------------------------------------------------------------------- na-feb2025 on ge-io


def test_na_feb2025_runs_on_ge_io_and_its_economics(io):
    """na-feb2025 puts the same 25 % on all Mexican goods as mex25, so Mexico's coverage is not smaller;
    what differs is the 25 %/10 % on Canada and 10 % on China. Two effects on Mexico: diversion (the US
    buys relatively more from Mexico: its exports to the US fall less) and the US terms-of-trade gain
    (US wages rise more, and Mexico buys most of its imports from the US). In the 1993 tables the second
    wins: Mexico's welfare falls by more. Canada's coverage is smaller than 25 % on all its goods
    (energy at 10 %), and its loss is smaller than under 25 % on everything."""
    r = list(io.regions)
    mx, us, ca = r.index("Mexico"), r.index("USA"), r.index("Canada")
    na = ge_io_trade(_ctx(Scenario.builtin("na-feb2025")), get_set("central"))
    m25 = ge_io_trade(_ctx(Scenario.builtin("mex25")), get_set("central"))
    assert any(MAPPING_NOTE == n for n in na.notes)
    a, b = na.detail, m25.detail
    assert a.welfare_pct[mx] < 0 and b.welfare_pct[mx] < 0
    exp_a = a.counterfactual.trade[us, mx].sum() / a.baseline.trade[us, mx].sum()
    exp_b = b.counterfactual.trade[us, mx].sum() / b.baseline.trade[us, mx].sum()
    assert exp_a > exp_b  # diversion toward Mexico
    assert a.w_hat[us] / a.w_hat[mx] > b.w_hat[us] / b.w_hat[mx]  # US wages rise relative to Mexico's
    assert a.tot_bilateral[mx, us].sum() < b.tot_bilateral[mx, us].sum()  # Mexico's terms of trade with the US
    assert a.welfare_pct[mx] < b.welfare_pct[mx]
    # Canada: energy at 10 % instead of 25 % means a smaller loss
    d = Scenario.builtin("na-feb2025").to_dict()
    can_all = dict(d["tariffs"][1])
    can_all.pop("exclude_sectors")
    d["tariffs"] = [d["tariffs"][0], can_all, d["tariffs"][3]]
    full = ge_io_trade(_ctx(Scenario.from_dict(d, source="<can-all>")), get_set("central")).detail
    assert full.welfare_pct[ca] < a.welfare_pct[ca] < 0


# ----------------------------------------------------------------------------- rebuild


def test_weights_rebuild_from_the_raw_data(shared_data, tmp_path):
    """data/build/build_ge_io_weights.py regenerates the shipped weights exactly."""
    pytest.importorskip("pyarrow")
    if not (shared_data / "census2024" / "2024-hs10-imports2010.parquet").is_file():
        pytest.skip("../shared/data/census2024 HS10 files not found")
    subprocess.run(
        [sys.executable, str(ROOT / "data" / "build" / "build_ge_io_weights.py"), "--raw", str(shared_data)]
        + ["--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    name = "cp2015_sector_weights.csv"
    assert (tmp_path / name).read_text() == (ROOT / "data" / "mappings" / name).read_text()


# --- the welfare decomposition of a scenario, integrated along the path of tariffs ----------------


def _ref_and_tariffs(name):
    from tariffsim.engine import ge_io_bridge as B

    io, model, ref, _ = B._reference(TABLE, "CP")
    return io, model, ref, B.ge_io_tariffs(Scenario.builtin(name), io, TABLE)


@pytest.mark.parametrize("name", ["mex25", "mex25-retaliation"])
def test_integrated_decomposition_adds_up_to_the_exact_real_income_change(name):
    """Caliendo and Parro's terms, integrated along the tariff path, sum to the exact change of
    real income I/P in every region; the one-step formula is first-order and, with retaliation,
    even has the wrong sign for Mexico."""
    from tariffsim.engine.ge_io_bridge import PATH_TOL_PP, path_changes
    from tariffsim.models.ge_io import changes, solve_io

    io, model, ref, t = _ref_and_tariffs(name)
    sol, ch = path_changes(model, ref, t, io.d_cfl, np.zeros(io.N))
    exact = np.asarray(ch.real_income_pct)
    welfare = np.asarray(ch.tot_pct + ch.vot_pct + ch.tech_pct)
    assert ch.path_steps >= 16 and ch.path_gap_pp <= PATH_TOL_PP
    np.testing.assert_allclose(welfare, exact, atol=2 * PATH_TOL_PP)
    one_step = changes(ref, solve_io(model, t, io.d_cfl, np.zeros(io.N), start=ref))
    np.testing.assert_allclose(one_step.real_income_pct, exact, atol=1e-9)  # same equilibrium
    mex = list(io.regions).index("Mexico")
    if name == "mex25-retaliation":
        assert one_step.welfare_pct[mex] > 0 > exact[mex]  # the first-order formula's failure
        assert ch.vot_pct[mex] < 0  # Mexico's own tariff on US goods destroys trade volume


def test_integrated_decomposition_is_the_one_step_formula_for_a_small_change():
    """For a 1 % US tariff on Mexico the two agree to second order (Mexico's welfare is about
    -0.05 %; the gap is a few thousandths of a pp), and no change gives no term at all."""
    from tariffsim.engine.ge_io_bridge import path_changes
    from tariffsim.models.ge_io import changes, solve_io

    io, model, ref, _ = _ref_and_tariffs("mex25")
    t = np.array(io.tariff_cfl, dtype=float, copy=True)
    usa, mex = list(io.regions).index("USA"), list(io.regions).index("Mexico")
    t[usa, mex, :] += 0.01
    _, ch = path_changes(model, ref, t, io.d_cfl, np.zeros(io.N))
    one = changes(ref, solve_io(model, t, io.d_cfl, np.zeros(io.N), start=ref))
    assert ch.welfare_pct[mex] < 0
    np.testing.assert_allclose(ch.welfare_pct, one.welfare_pct, atol=0.01 * np.abs(one.welfare_pct).max() + 1e-4)
    _, none = path_changes(model, ref, np.asarray(io.tariff_cfl, dtype=float), io.d_cfl, np.zeros(io.N))
    assert np.abs(none.tot_bilateral).max() == 0 and np.abs(none.vot_bilateral).max() == 0
