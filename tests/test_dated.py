"""The policy as it was, in scenarios (issue 20): dated measures, product-level claims, every
partner's rate from the panel, the built-ins us-2025, usmca-ends, mex25-usmca(-2025h2), the JSON's
effective tariffs and diversion, and the command line's checks and one-line errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.engine.macro import superpose
from tariffsim.errors import ScenarioError
from tariffsim.inputs.policy import load_product_groups, load_tariff_panel
from tariffsim.inputs.scenario import Scenario
from tariffsim.outputs.backtests import TRACK_END, TRACK_START, track_record_markdown

ROOT = Path(__file__).resolve().parents[1]
FAST = {"draws": 0, "n_paths": 2000}


def _mex25(**measure) -> dict:
    d = ts.Scenario.builtin("mex25").to_dict()
    d["name"] = "mex25-dated"
    d["tariffs"][0].update(measure)
    return d


def _path(d, **kw) -> np.ndarray:
    r = ts.simulate(d, recession=False, **{"draws": 0, **kw})
    return np.asarray(r.outcome().macro.path)


@pytest.fixture(scope="module")
def us2025():
    return ts.simulate("us-2025", **FAST).to_json()


@pytest.fixture(scope="module")
def ends():
    return ts.simulate("usmca-ends", **FAST).to_json()


# ----------------------------------------------------------------------------- dates


def test_superpose_closed_form():
    P = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]])
    # on from quarter 1, off from quarter 3: the removal subtracts the same response, shifted
    assert superpose(P, np.array([0, 2])).tolist() == [1.0, 2.0, 2.0, 2.0]
    assert superpose(P[:1], np.array([0])).tolist() == P[0].tolist()


def test_an_undated_measure_and_one_in_force_before_the_phase_in_are_the_same():
    base = _path(ts.Scenario.builtin("mex25"))
    early = _path(_mex25(start="2024-01-01"))
    assert np.array_equal(base, early)


def test_a_tariff_starting_later_is_the_same_path_shifted():
    base = _path(ts.Scenario.builtin("mex25"))
    late = _path(_mex25(start="2025Q4"))  # phase-in 2025Q2: two quarters later
    assert np.all(late[:2] == 0.0)
    assert np.allclose(late[2:], base[:-2])


def test_a_lifted_tariff_returns_towards_baseline():
    """On in 2025Q2, off from 2025Q4: GDP does not stay on the lower path. The near-term channels
    unwind along the adjustment path they built up on, and a tariff lifted before it settles
    (blend_start_quarter quarters) never starts the move to the long run: from four quarters after
    the removal GDP is back at baseline, and no channel ever has the wrong sign."""
    on = _path(ts.Scenario.builtin("mex25"), elasticities="central")
    sc = {**_mex25(start="2025Q2", end="2025Q4"), "horizon": 24}
    onoff = _path(sc, elasticities="central")
    peak = onoff.min()
    assert peak == pytest.approx(on[1])  # the same path while in force
    assert np.all(onoff[2:] >= peak - 1e-12)  # it only gets better once the tariff is gone
    assert np.allclose(onoff[6:], 0.0, atol=1e-12)  # back at baseline four quarters after the removal
    comps = ts.simulate(Scenario.from_dict(sc), elasticities="central", recession=False).outcome().macro.components
    assert np.all(comps["trade"] <= 1e-12) and np.allclose(comps["long_run"], 0.0)
    assert on[-1] < -1.0  # while the permanent tariff stays on the lower path


def test_a_tariff_lifted_after_it_settled_moves_back_at_the_blends_pace():
    """On for two years (settled after four quarters, the move to the long run under way), then
    lifted: the long-run channel heads back to zero linearly over the blend's twelve quarters once
    the baseline has settled, and GDP ends at baseline."""
    sc = {**_mex25(start="2025Q2", end="2027Q2"), "horizon": 40}
    m = ts.simulate(Scenario.from_dict(sc), elasticities="central", recession=False).outcome().macro
    lr = m.components["long_run"]
    assert np.all(lr[:4] == 0.0) and lr[4] != 0.0  # the move starts in quarter 5
    # in force 8 quarters: moves quarters 5..12 toward the target, then (baseline settled in quarter 13)
    # back over twelve quarters, linearly: equal steps
    back = np.diff(lr[12:24])
    assert np.allclose(back, back[0]) and np.sign(back[0]) == -np.sign(lr[11])
    assert np.allclose(m.path[-8:], 0.0, atol=1e-12)


def test_a_quarter_half_covered_pays_half_the_rate():
    d = _mex25(start="2025-05-16")  # 2025Q2 has 91 days; 46 from 16 May
    t0, path = ts.Scenario.from_dict(d).tariff_path(ts.load_dataset())
    data = ts.load_dataset()
    dt = path[:, data.index("MEX"), data.index("USA")] - t0[data.index("MEX"), data.index("USA")]
    assert np.allclose(dt[0], 0.25 * 46 / 91) and np.allclose(dt[1:], 0.25)


def test_end_before_start_and_bad_dates_name_the_field():
    for m, field in (
        ({"start": "2025-06-01", "end": "2025-03-01"}, "tariffs[0].end"),
        ({"start": "2025Q5"}, "tariffs[0].start"),
        ({"end": "soon"}, "tariffs[0].end"),
    ):
        with pytest.raises(ScenarioError) as e:
            ts.Scenario.from_dict(_mex25(**m))
        assert e.value.field == field


# ----------------------------------------------------------------------------- products and partners


def test_claims_period_product_by_product():
    data = ts.load_dataset()
    mx, us = data.index("MEX"), data.index("USA")
    v = data.values[mx, us]
    for period in ("2024", "2025H2", "latest"):
        t0, t1 = ts.Scenario.from_dict(_mex25(claims_period=period)).tariff_arrays(data)
        eff = float((v * (t1 - t0)[mx, us]).sum() / v.sum())
        g = load_product_groups("MEX", period)
        if period == "2024":  # the dataset's weights are the 2024 Census imports: exactly the pooled share
            assert eff == pytest.approx(0.25 * (1 - g.claim_share))
        assert 0 < eff < 0.25


def test_claims_only_and_exclusions():
    data = ts.load_dataset()
    mx, us = data.index("MEX"), data.index("USA")
    sc = ts.Scenario.from_dict(
        _mex25(claims_period="2024", claims="only", exclude_products=["s232_metals", "s232_autos"])
    )
    t0, t1 = sc.tariff_arrays(data)
    g = load_product_groups("MEX", "2024")
    keep = ~(g.flags["s232_metals"] | g.flags["s232_autos"])
    expect = 0.25 * g.claimed[keep].sum() / g.value.sum()
    v = data.values[mx, us]
    assert float((v * (t1 - t0)[mx, us]).sum() / v.sum()) == pytest.approx(expect)


def test_rates_by_exporter_and_the_panel_at_a_date_and_over_a_range():
    data = ts.load_dataset()
    us = data.index("USA")
    d = ts.Scenario.builtin("mex25").to_dict()
    d["tariffs"] = [{"importer": "USA", "rates": {"MEX": 0.05, "CHN": 0.3}}]
    t0, t1 = ts.Scenario.from_dict(d).tariff_arrays(data)
    assert np.allclose((t1 - t0)[data.index("CHN"), us], 0.3) and np.allclose((t1 - t0)[data.index("MEX"), us], 0.05)
    pan = load_tariff_panel()
    for panel, expect in (
        ("2025-06-01", pan.rate_at("2025-06-01")),
        (["2025-01-01", "2026-01-01"], pan.mean_rate("2025-01-01", "2026-01-01")),
    ):
        d["tariffs"] = [{"importer": "USA", "exporters": "all", "panel": panel}]
        t0, t1 = ts.Scenario.from_dict(d).tariff_arrays(data)
        for c, r in expect.items():
            assert np.allclose((t1 - t0)[data.index(c), us], r)


def test_panel_dates_outside_the_data_and_wrong_importer():
    d = ts.Scenario.builtin("mex25").to_dict()
    for m, field in (
        ({"importer": "USA", "panel": "2024-06-01"}, "tariffs[0].panel"),
        ({"importer": "USA", "panel": ["2026-06-01", "2027-06-01"]}, "tariffs[0].panel.end"),
        ({"importer": "MEX", "exporters": ["USA"], "panel": "path"}, "tariffs[0].importer"),
        ({"importer": "USA", "panel": "path", "rate": 0.1}, "tariffs[0].panel"),
    ):
        d["tariffs"] = [m]
        with pytest.raises(ScenarioError) as e:
            ts.Scenario.from_dict(d)
        assert e.value.field == field, str(e.value)


def test_product_level_measures_need_product_data():
    for m, field in (
        ({"exporters": "all", "claims_period": "2024"}, "tariffs[0].exporters"),
        ({"exporters": ["JPN"], "claims_period": "2024"}, "tariffs[0].exporters[0]"),
        ({"claims_period": "2023"}, "tariffs[0].claims_period"),
        ({"claims_period": "2024", "exempt_share": 0.4}, "tariffs[0].exempt_share"),
        ({"exclude_products": ["870323"]}, "tariffs[0].exclude_products[0]"),
        ({"claims": "only"}, "tariffs[0].claims"),
    ):
        with pytest.raises(ScenarioError) as e:
            ts.Scenario.from_dict(_mex25(**m))
        assert e.value.field == field, str(e.value)


def test_the_multi_sector_model_takes_claims_but_refuses_dates():
    io = ts.simulate("mex25-usmca", model="ge-io", recession=False, draws=0).to_json()
    base = ts.simulate("mex25", model="ge-io", recession=False, draws=0).to_json()
    assert base["gdp_impact_pct_long_run"] < io["gdp_impact_pct_long_run"] < 0
    with pytest.raises(ScenarioError, match="dated") as e:
        ts.simulate("us-2025", model="ge-io", recession=False, draws=0)
    assert e.value.field == "tariffs[0]"


# ----------------------------------------------------------------------------- the built-ins


def test_us_2025_mexico_between_2_and_10_percent_below_china(us2025):
    """Issue 20: run us-2025 --json for Mexico: effective tariff between 2 % and 10 %, below China's."""
    by = us2025["effective_tariff_pct_by_partner"]
    assert 2.0 < us2025["effective_tariff_pct"] < 10.0 < by["CHN"]
    assert us2025["effective_tariff_pct"] == by["MEX"]
    assert set(by) == set(ts.load_dataset().countries) - {"USA"}
    assert len(us2025["effective_tariff_path"]) == 12
    assert us2025["effective_tariff_path"][0]["period"] == "2025Q1"
    first = [q["effective_tariff_pct"] for q in us2025["effective_tariff_path"][:4]]
    assert us2025["effective_tariff_pct"] == pytest.approx(np.mean(first))


def test_us_2025_diversion_mexico_against_china_canada_and_the_rest(us2025):
    d = us2025["diversion_after_4q_pct"]
    assert list(d) == ["MEX", "CHN", "CAN", "rest"]
    # Mexico's relative tariff fell: it loses less of its US sales than China, Canada and the rest
    assert d["CHN"] < d["MEX"] and d["CAN"] < d["MEX"] and d["rest"] < d["MEX"] < 0


def test_usmca_ends_is_deeper_than_us_2025(us2025, ends):
    p1 = [q["deviation_pct"] for q in us2025["gdp_path"]]
    p2 = [q["deviation_pct"] for q in ends["gdp_path"]]
    assert p1[:6] == pytest.approx(p2[:6])  # the same until 2026Q3
    assert all(b < a for a, b in zip(p1[6:], p2[6:], strict=True))
    assert ends["gdp_impact_pct_long_run"] < us2025["gdp_impact_pct_long_run"]
    e1 = [q["effective_tariff_pct"] for q in us2025["effective_tariff_path"]]
    e2 = [q["effective_tariff_pct"] for q in ends["effective_tariff_path"]]
    assert e2[6] > e1[6] + 10  # the claimed trade (about 0.9 of it) now pays


def test_mex25_usmca_by_claim_period():
    j24 = ts.simulate("mex25-usmca", **FAST).to_json()
    jh2 = ts.simulate("mex25-usmca-2025h2", **FAST).to_json()
    assert j24["effective_tariff_pct"] == pytest.approx(25 * (1 - load_product_groups("MEX", "2024").claim_share))
    assert 2.0 < jh2["effective_tariff_pct"] < 4.0 < j24["effective_tariff_pct"]
    assert j24["gdp_impact_pct_first_year_avg"] < jh2["gdp_impact_pct_first_year_avg"] < 0


# ----------------------------------------------------------------------------- the command line


def _cli(capsys, argv):
    rc = cli_main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_run_us_2025_json(capsys):
    rc, out, err = _cli(capsys, ["run", "us-2025", "--json", "--draws", "0", "--paths", "1000"])
    assert rc == 0, err
    j = json.loads(out)
    assert 2 < j["effective_tariff_pct"] < 10 < j["effective_tariff_pct_by_partner"]["CHN"]


def test_cli_backtest_json_lists_episodes_with_sources_bands_and_predictions(capsys):
    rc, out, err = _cli(capsys, ["backtest", "--json"])
    assert rc == 0, err
    j = json.loads(out)
    assert len(j["episodes"]) >= 3
    for e in j["episodes"]:
        assert e["source"]["citation"] and e["observed"]["value"] is not None and e["band"]["reason"]
        assert set(e["predictions"]) == set(j["sets"]) == set(ts.available_sets())
        assert all(isinstance(p["passed"], bool) for p in e["predictions"].values())


def test_cli_backtest_one_episode_and_a_page(capsys, tmp_path):
    rc, out, _ = _cli(capsys, ["backtest", "china2018-targeted-imports", "--elasticities", "central"])
    assert rc == 0 and "−9.3 %  FAIL" in out and "Fajgelbaum" in out
    rc, out, _ = _cli(capsys, ["backtest", "--out", str(tmp_path / "bt")])
    assert rc == 0
    page = (tmp_path / "bt" / "backtests.html").read_text()
    assert "FAIL" in page and "Fajgelbaum" in page
    assert json.loads((tmp_path / "bt" / "backtests.json").read_text())["episodes"]


def test_readme_track_record_is_what_the_command_prints(capsys):
    rc, out, _ = _cli(capsys, ["backtest", "--markdown"])
    assert rc == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    a, b = readme.index(TRACK_START), readme.index(TRACK_END) + len(TRACK_END)
    assert readme[a:b] == out.strip() == track_record_markdown(ts.backtest())
    assert "**FAIL**" in out  # failures are shown as failures


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _one_line(rc, out, err, *names):
    assert rc == 2 and out == "" and err.count("\n") == 1 and err.startswith("tariffsim: error: "), err
    for n in names:
        assert n in err, (n, err)


@pytest.mark.parametrize(
    ("measure", "field"),
    [
        ('exclude_products = ["870323"]', "tariffs[0].exclude_products[0]"),
        ('products = ["steel"]', "tariffs[0].products[0]"),
        ("exempt_share = 1.5", "tariffs[0].exempt_share"),
        ('start = "2025-06-01"\nend = "2025-03-01"', "tariffs[0].end"),
        ('claims_period = "2019"', "tariffs[0].claims_period"),
    ],
)
def test_cli_bad_measures_are_one_line_naming_file_and_field(capsys, tmp_path, measure, field):
    text = f'name = "bad"\n[[tariffs]]\nimporter = "USA"\nexporters = ["MEX"]\nrate = 0.25\n{measure}\n'
    f = _write(tmp_path, "bad.toml", text)
    _one_line(*_cli(capsys, ["run", f, "--draws", "0", "--paths", "100"]), f, field)


def test_cli_panel_date_outside_the_data(capsys, tmp_path):
    f = _write(tmp_path, "p.toml", 'name = "p"\n[[tariffs]]\nimporter = "USA"\npanel = "2024-06-01"\n')
    _one_line(*_cli(capsys, ["run", f, "--draws", "0", "--paths", "100"]), f, "tariffs[0].panel", "outside")


@pytest.mark.parametrize("drop", ["source", "band"])
def test_cli_episode_without_source_or_band(capsys, tmp_path, drop):
    text = (ROOT / "data" / "episodes" / "china2018-prices.toml").read_text(encoding="utf-8")
    start = text.index(f"[{drop}]")
    end = text.index("\n[", start + 1)
    f = _write(tmp_path, "ep.toml", text[:start] + text[end + 1 :])
    _one_line(*_cli(capsys, ["backtest", f]), f, drop)


def test_backtest_findings_in_the_docs_are_the_tool_s():
    """The split of the evidence docs/backtests.md describes is what the run gives."""
    page = (ROOT / "docs" / "backtests.md").read_text(encoding="utf-8")
    r = ts.backtest()
    central = r.prediction("china2018-targeted-imports", "central").value
    assert "a third of the China 2018 response" in page and 0.25 < central / -31.5 < 0.4
    for s in ("high", "cp-sectoral"):
        assert r.prediction("china2018-targeted-imports", s).passed
    assert not r.prediction("mexico2025-no-recession", "high").passed
    cp = r.prediction("mexico2025-gdp", "cp-sectoral")
    assert not cp.passed and cp.value > 0
    for s in ("central", "low", "smart"):
        assert r.prediction("mexico2025-gdp", s).passed
    assert not any(p.passed for p in r.predictions if p.episode == "mexico2025-claim-contrast")
