"""Back-tests (issue 20): episodes as data, predictions from the tariff change alone, pass/fail per set.

Closed forms of the predictions (with fixed exporter prices the within-product response of
targeted imports is (1+t1)^-σ / (1+t0)^-σ - 1 at the one-year σ, duty-exclusive prices do not
move, a third supplier gains exactly when σ exceeds η), invariants (no tariff change, no
prediction), the episode files' validation (file and field named), and the JSON the CLI prints.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tariffsim.engine import backtest as B
from tariffsim.errors import ScenarioError
from tariffsim.inputs.datasets import load_dataset
from tariffsim.inputs.elasticities import ElasticitySet, available_sets, get_set
from tariffsim.inputs.episodes import (
    PREDICTIONS,
    Episode,
    episode_from_dict,
    find_episode,
    load_episode,
    shipped_episodes,
)
from tariffsim.inputs.policy import load_tariff_panel

ROOT = Path(__file__).resolve().parents[1]


def _ep(name: str, **shock) -> Episode:
    e = find_episode(name)
    d = e.to_dict()
    d.pop("file")
    d["band"] = {k: v for k, v in d["band"].items() if k != "high_is_open"}
    if d["band"]["high"] is None:
        d["band"]["high"] = math.inf
    d["shock"] = {**d["shock"], **shock}
    return episode_from_dict(d, source="<test>")


# ----------------------------------------------------------------------------- the episode files


def test_shipped_episodes_are_complete():
    eps = shipped_episodes()
    assert len(eps) >= 3
    assert {e.prediction for e in eps} == set(PREDICTIONS)
    for e in eps:
        assert e.source["citation"] and e.band["reason"] and e.observed["comparison"]
        assert e.low <= e.high
    ids = {e.id for e in eps}
    assert {"china2018-targeted-imports", "mexico2025-gdp", "china2018-diversion-mexico"} <= ids


def test_the_china_episode_is_the_published_number():
    e = find_episode("china2018-targeted-imports")
    assert e.value == -31.5 and e.low < e.value < e.high  # Fajgelbaum et al. (2020) / NBER WP 25638 abstract
    assert e.shock["tariff_before"] == 0.026 and e.shock["tariff_after"] == 0.166  # their Table I


def _write(tmp_path, text):
    p = tmp_path / "ep.toml"
    p.write_text(text, encoding="utf-8")
    return p


GOOD = (ROOT / "data" / "episodes" / "china2018-prices.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda s: s.replace("[source]", "[sauce]"), "sauce"),
        (lambda s: s.split("[source]")[0] + "[observed]" + s.split("[observed]")[1], "source"),
        (lambda s: s.split("[band]")[0] + "[shock]" + s.split("[shock]")[1], "band"),
        (lambda s: s.replace('reason = "', 'reasons = "'), "band.reason"),
        (lambda s: s.replace("low = -2.6", "low = 3.0"), "band.high"),
        (lambda s: s.replace("high = 2.6", 'high = "wide"'), "band.high"),
        (lambda s: s.replace('prediction = "exporter_prices"', 'prediction = "vibes"'), "prediction"),
        (lambda s: s.replace("tariff_after = 0.166\n", ""), "shock.tariff_after"),
        (lambda s: s.replace('kind = "stated"', 'kind = "guess"'), "band.kind"),
        (lambda s: s.replace("value = 0.0", "value = nan"), "observed.value"),
        (lambda s: s.replace('citation = "', 'citation = " "\nnote = "'), "source.note"),
    ],
)
def test_bad_episode_files_name_the_file_and_field(tmp_path, edit, field):
    p = _write(tmp_path, edit(GOOD))
    with pytest.raises(ScenarioError) as exc:
        load_episode(p)
    assert exc.value.source == str(p) and exc.value.field == field, str(exc.value)


def test_an_episode_without_citation_text(tmp_path):
    p = _write(tmp_path, GOOD.replace('citation = "Fajgelbaum', 'citation = "" #'))
    with pytest.raises(ScenarioError, match="source.citation"):
        load_episode(p)


def test_unknown_episode_names_the_shipped_ones():
    with pytest.raises(ScenarioError, match="china2018-targeted-imports"):
        find_episode("brexit")


# ----------------------------------------------------------------------------- closed forms and invariants


@pytest.mark.parametrize("name", ["central", "low", "high"])
def test_targeted_imports_closed_form_with_fixed_exporter_prices(name):
    es = get_set(name)
    assert math.isinf(es.eps_x)
    p = B.predict(find_episode("china2018-targeted-imports"), es)
    expected = 100 * (((1.166 / 1.026) ** -es.sigma_one_year) - 1)
    assert p.value == pytest.approx(expected, rel=1e-9)


def test_central_set_predicts_the_issue_number_for_china_2018():
    """Issue 20: the central set predicts -9.3 % where Fajgelbaum et al. measured -31.5 %."""
    p = B.predict(find_episode("china2018-targeted-imports"), get_set("central"))
    assert round(p.value, 1) == -9.3 and not p.passed


def test_prices_flat_with_fixed_exporter_prices_and_falling_with_upward_supply():
    ep = find_episode("china2018-prices")
    assert B.predict(ep, get_set("central")).value == 0.0
    gsim = B.predict(ep, get_set("gsim"))  # export supply 1.5: Chinese exporters absorb part of the tariff
    assert gsim.value < 0.0


def test_no_tariff_change_no_prediction():
    for name in ("china2018-targeted-imports", "china2018-prices", "china2018-diversion-mexico"):
        ep = _ep(name, tariff_after=0.026)
        for s in ("central", "gsim"):
            assert B.predict(ep, get_set(s)).value == pytest.approx(0.0, abs=1e-10)


def test_diversion_sign_follows_sigma_against_eta():
    """With fixed exporter prices a third supplier's sales move with P^(σ-η): up when σ > η."""
    ep = find_episode("china2018-diversion-mexico")
    up = B.predict(ep, get_set("central"))  # one-year σ 0.76 > η 0.475
    assert up.value > 0 and up.passed
    comp = ElasticitySet.from_dict(
        "complements",
        {"sigma": 0.5, "eta": 2.0, "sigma_one_year": 0.3, "eta_one_year": 1.0, "ge_trade_elasticity": 1.0},
    )
    down = B.predict(ep, comp)
    assert down.value < 0 and not down.passed


def test_claim_contrast_closed_form_with_fixed_exporter_prices():
    ep = find_episode("mexico2025-claim-contrast")
    t = B.contrast_shock(ep)
    w = t["exposed_2024_usd"].to_numpy(float)
    gap = np.sum(w * (np.log1p(t["t_exposed"]) - np.log1p(t["t_safe"]))) / w.sum()
    for s in ("central", "high"):
        es = get_set(s)
        assert B.predict(ep, es).value == pytest.approx(100 * math.expm1(-es.sigma_one_year * gap), rel=1e-6)
    # the exposed lines paid the 25 % tariff on their unclaimed imports while it was in force: about 9 %
    assert 0.07 < gap < 0.10


def test_claim_contrast_with_no_tariff_is_zero():
    ep = _ep("mexico2025-claim-contrast", rate=0.0)
    assert B.predict(ep, get_set("gsim")).value == pytest.approx(0.0, abs=1e-10)


def test_gdp_episode_runs_us_2025_over_calendar_2025():
    sc = B.gdp_scenario(find_episode("mexico2025-gdp"))
    assert sc.name == "us-2025" and sc.quarters[:4] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    assert sc.assumptions.baseline_growth_annual_pct == 1.12
    data = load_dataset()
    t0, path = sc.tariff_path(data)
    pan = load_tariff_panel()
    q = pan.quarterly(sc.quarters[:8])
    us = data.index("USA")
    for r, c in enumerate(pan.regions):
        # every partner's tariff increase is the panel's day-weighted rate of the quarter, on every sector
        assert np.allclose(path[:8, data.index(c), us, :] - t0[data.index(c), us], q[:, r][:, None])


def test_gdp_episode_must_match_its_scenario():
    ep = _ep("mexico2025-gdp", start="2025-04-01", end="2026-04-01")
    with pytest.raises(ScenarioError, match="first year") as e:
        B.predict(ep, get_set("central"))
    assert e.value.field == "shock.scenario"


# ----------------------------------------------------------------------------- the whole run


@pytest.fixture(scope="module")
def run():
    return B.backtest()


def test_backtest_runs_every_episode_with_every_shipped_set(run):
    assert set(run.sets) == set(available_sets())
    assert len(run.predictions) == len(run.episodes) * len(run.sets)
    t = run.table()
    assert t["passed"].dtype == bool
    assert (t["passed"] == ((t["low"] <= t["prediction"]) & (t["prediction"] <= t["high"]))).all()


def test_backtest_json_has_sources_observed_bands_and_predictions(run):
    d = json.loads(run.to_json())
    assert len(d["episodes"]) >= 3
    for e in d["episodes"]:
        assert e["source"]["citation"] and e["observed"]["value"] is not None
        assert e["band"]["low"] is not None and e["band"]["reason"]
        assert set(e["predictions"]) == set(d["sets"])
        for p in e["predictions"].values():
            assert isinstance(p["passed"], bool) and isinstance(p["value"], float)
