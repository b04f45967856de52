"""Back-tests: each episode's prediction from the tariff change alone, with every shipped elasticity
set and no fitting, against what happened (docs/backtests.md).

An episode (:mod:`tariffsim.inputs.episodes`) names its prediction method; each method measures
the model's answer in the concept, horizon and comparison group the source measured:

* ``targeted_imports`` - the one-year PE response of the targeted exporter's tariff-exclusive
  sales in the market relative to the suppliers whose tariff did not change, in the same
  market and sector (Fajgelbaum et al. 2020 compare targeted with untargeted varieties within
  products): ``100 (exp(mean_s w_s [Δln V_targeted - Δln V_untargeted]) - 1)``, weights the
  targeted exporter's baseline sales.
* ``exporter_prices`` - the same comparison for the duty-exclusive (exporter) price ŵ.
* ``diversion`` - the one-year percent change of a third country's sales to the market.
* ``gdp_first_year`` / ``technical_recession`` - the reported country's GDP path under the tariffs
  as levied on every partner (the panel; :func:`gdp_scenario`): the mean level deviation over the
  first four quarters, and the recession model's probability of a technical recession within them.
* ``claim_contrast`` - for each HS chapter, the one-year PE response of lines that paid the
  tariff on their unclaimed imports against lines of the same chapter already claimed (two
  suppliers of one market, each with its own supply curve, and the rest of the market), at the
  lines' own effective rates (rate x unclaimed share while in force); mean over chapters with
  the exposed lines' 2024 imports as weights, as the observed contrast is.

Pass or fail per set is ``low <= prediction <= high`` with the band written in the episode file
before any prediction was run. Nothing here moves a parameter; failures stay failures.
"""

from __future__ import annotations

import functools
import html
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._lazy import pd
from .._util import REPR_LIMIT, ShortRepr, json_safe
from ..errors import ScenarioError
from ..inputs.datasets import data_file, hs2_sector_map, load_dataset
from ..inputs.elasticities import ElasticitySet, available_sets, get_set
from ..inputs.episodes import Episode, find_episode, shipped_episodes
from ..inputs.policy import parse_date, quarter_bounds
from ..inputs.scenario import Scenario, load_scenario
from ..models.pe import PEOutcome, solve_pe
from .macro import baseline_growth
from .simulation import simulate

if TYPE_CHECKING:
    from pathlib import Path

    from ..inputs.datasets import TradeData
    from .results import Result

__all__ = ["Prediction", "BacktestResult", "backtest", "predict", "gdp_scenario", "PREDICTORS"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class Prediction(ShortRepr):
    """One episode's prediction with one elasticity set; ``passed``: inside the episode's band."""

    episode: str
    set: str
    value: float
    passed: bool
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False, repr=False)
class BacktestResult:
    """Every episode's predictions with every set. ``table()`` is tidy; ``to_dict()`` the JSON; the
    repr is one line (episodes passed by set) and a notebook shows the track record as a table."""

    episodes: tuple[Episode, ...]
    sets: tuple[str, ...]
    predictions: tuple[Prediction, ...]
    notes: tuple[str, ...] = ()

    def prediction(self, episode: str, set_name: str) -> Prediction:
        return next(p for p in self.predictions if p.episode == episode and p.set == set_name)

    def table(self) -> pd.DataFrame:
        """One row per episode and set: observed value, band, prediction, passed."""
        ep = {e.id: e for e in self.episodes}
        rows = [
            {
                "episode": p.episode,
                "set": p.set,
                "observed": ep[p.episode].value,
                "low": ep[p.episode].low,
                "high": ep[p.episode].high,
                "prediction": p.value,
                "passed": p.passed,
                "units": ep[p.episode].observed["units"],
            }
            for p in self.predictions
        ]
        return pd.DataFrame(
            rows, columns=["episode", "set", "observed", "low", "high", "prediction", "passed", "units"]
        )

    def __repr__(self) -> str:
        passed = ", ".join(f"{s} {n}/{len(self.episodes)}" for s, n in self.passes_by_set().items())
        text = (
            f"<tariffsim.BacktestResult: {len(self.episodes)} episode{'s' if len(self.episodes) != 1 else ''} x "
            f"{len(self.sets)} elasticity set{'s' if len(self.sets) != 1 else ''}; episodes passed: {passed}>"
        )
        return text if len(text) <= REPR_LIMIT else text[: REPR_LIMIT - 4] + "...>"

    def _repr_html_(self) -> str:
        """The track record: a row per episode (observed value, band), a column per set with its
        prediction and PASS or FAIL."""
        esc = html.escape
        head = "".join(f"<th>{esc(s)}</th>" for s in self.sets)
        rows = []
        for e in self.episodes:
            cells = []
            for s in self.sets:
                p = self.prediction(e.id, s)
                cells.append(f"<td>{p.value:.4g} {'pass' if p.passed else '<b>FAIL</b>'}</td>")
            rows.append(
                f"<tr><td>{esc(e.id)}</td><td>{e.value:.4g} {esc(str(e.observed.get('units', '')))}</td>"
                f"<td>{e.low:.4g} to {e.high:.4g}</td>{''.join(cells)}</tr>"
            )
        passed = "".join(f"<td><b>{n}</b></td>" for n in self.passes_by_set().values())
        return (
            f"<table><caption>Back-tests: {len(self.episodes)} episodes, predictions by elasticity set</caption>"
            f"<thead><tr><th>episode</th><th>observed</th><th>band</th>{head}</tr></thead><tbody>{''.join(rows)}"
            f"<tr><td><b>episodes passed</b></td><td></td><td></td>{passed}</tr></tbody></table>"
        )

    def passes_by_set(self) -> dict[str, int]:
        """Number of episodes each set passes."""
        return {s: sum(p.passed for p in self.predictions if p.set == s) for s in self.sets}

    def to_dict(self) -> dict[str, Any]:
        out = []
        for e in self.episodes:
            d = e.to_dict()
            d["predictions"] = {
                p.set: {"value": p.value, "passed": p.passed, **({"detail": dict(p.detail)} if p.detail else {})}
                for p in self.predictions
                if p.episode == e.id
            }
            out.append(d)
        return json_safe(
            {"episodes": out, "sets": list(self.sets), "passes_by_set": self.passes_by_set(), "notes": list(self.notes)}
        )

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), indent=kw.pop("indent", 2), **kw)


# ----------------------------------------------------------------------------- the China 2018 shock


def _bilateral_shock(ep: Episode, data: TradeData) -> tuple[np.ndarray, np.ndarray, int, list[int]]:
    """Tariffs before and after of the episode's shock (importer's tariff on the exporters, every sector)."""
    s = ep.shock
    imp = data.index(str(s["importer"]))
    exps = [data.index(str(c)) for c in s["exporters"]]
    t0 = np.array(data.tariffs, dtype=float)
    t1 = t0.copy()
    for k in exps:
        t0[k, imp, :] = float(s["tariff_before"])
        t1[k, imp, :] = float(s["tariff_after"])
    return t0, t1, imp, exps


Cache = dict[tuple[str, str, str], Any]


def _key(kind: str, what: Mapping[str, Any], es: ElasticitySet) -> tuple[str, str, str]:
    return kind, json.dumps(what, sort_keys=True, default=str), es.name


def _bilateral_outcome(
    ep: Episode, es: ElasticitySet, cache: Cache
) -> tuple[PEOutcome, np.ndarray, np.ndarray, int, list[int], TradeData]:
    """The PE model on the episode's dataset for its shock, at the episode's horizon."""
    key = _key("bilateral", ep.shock, es)
    if key not in cache:
        data = load_dataset(str(ep.shock.get("dataset", "default")))
        t0, t1, imp, exps = _bilateral_shock(ep, data)
        el = es.arrays(data.sectors, str(ep.shock.get("horizon", "one-year")))
        o = solve_pe(data.values, t0, t1, eta=el["eta"], sigma=el["sigma"], eps_x=el["eps_x"])
        cache[key] = (o, t0, t1, imp, exps, data)
    return cache[key]  # type: ignore[no-any-return]


def _relative_to_untouched(x: np.ndarray, v0: np.ndarray, t0: np.ndarray, t1: np.ndarray, k: int, imp: int) -> float:
    """Mean over sectors (weights: exporter k's baseline sales in market ``imp``) of k's log change of
    ``x`` (K, S) minus that of the suppliers whose tariff did not change (their sales-weighted mean)."""
    ctrl = (np.abs(t1[:, imp] - t0[:, imp]) < 1e-12) & (v0 > 0)
    ctrl[[k, imp]] = False
    wc = v0 * ctrl
    tot = wc.sum(axis=0)
    x_ctrl = (x * wc).sum(axis=0) / np.where(tot > 0, tot, 1.0)
    use = (v0[k] > 0) & (tot > 0)
    return float(np.sum(v0[k, use] * (x[k, use] - x_ctrl[use])) / np.sum(v0[k, use]))


def predict_targeted_imports(ep: Episode, es: ElasticitySet, cache: Cache) -> tuple[float, dict[str, Any]]:
    o, t0, t1, imp, exps, _ = _bilateral_outcome(ep, es, cache)
    k = exps[0]
    v0, v1 = np.asarray(o.V0)[:, imp], np.asarray(o.V1)[:, imp]
    dlv = np.log(np.where(v0 > 0, v1, 1.0) / np.where(v0 > 0, v0, 1.0))
    rel = _relative_to_untouched(dlv, v0, t0, t1, k, imp)
    dl = float(np.log1p(float(ep.shock["tariff_after"])) - np.log1p(float(ep.shock["tariff_before"])))
    detail: dict[str, Any] = {"dlog_one_plus_tariff": dl}
    if dl != 0:
        detail["implied_elasticity"] = -rel / dl
    return 100.0 * float(np.expm1(rel)), detail


def predict_exporter_prices(ep: Episode, es: ElasticitySet, cache: Cache) -> tuple[float, dict[str, Any]]:
    o, t0, t1, imp, exps, _ = _bilateral_outcome(ep, es, cache)
    k = exps[0]
    v0 = np.asarray(o.V0)[:, imp]
    w = np.log(np.asarray(o.w_hat))  # (K, S): every exporter's supply price, common to its markets
    rel = _relative_to_untouched(w, v0, t0, t1, k, imp)
    own = float(np.average(w[k], weights=v0[k])) if v0[k].sum() > 0 else 0.0
    return 100.0 * float(np.expm1(rel)), {"own_price_pct": 100.0 * float(np.expm1(own))}


def predict_diversion(ep: Episode, es: ElasticitySet, cache: Cache) -> tuple[float, dict[str, Any]]:
    o, _, _, imp, _, data = _bilateral_outcome(ep, es, cache)
    c = data.index(str(ep.shock["reported"]))
    return 100.0 * (float(o.V1[c, imp].sum()) / float(o.V0[c, imp].sum()) - 1.0), {}


# ----------------------------------------------------------------------------- Mexico 2025: GDP and recession


def gdp_scenario(ep: Episode) -> Scenario:
    """The scenario the episode names (``shock.scenario``: the built-in ``us-2025``, the US tariffs as
    levied on every partner from the effective-tariff panel, dated), checked against the episode:
    its first four quarters are the episode's range and its baseline growth the episode's."""
    s = ep.shock
    sc = load_scenario(str(s.get("scenario", "us-2025")))
    start, end = (
        parse_date(s["start"], source=ep.file, field="shock.start"),
        parse_date(s["end"], source=ep.file, field="shock.end"),
    )
    first, last = quarter_bounds(sc.quarters[0]), quarter_bounds(sc.quarters[3])
    if (first[0], last[1]) != (start, end) or sc.country != str(s["country"]):
        raise ScenarioError(
            f"scenario {sc.name!r} reports {sc.country} from {first[0]} to {last[1]} in its first year; the episode "
            f"asks for {s['country']} from {start} to {end}",
            source=ep.file,
            field="shock.scenario",
        )
    g = s.get("baseline_growth_annual_pct")
    own = baseline_growth(sc, sc.country)[0] if g is not None else None
    if g is not None and own is not None and abs(float(g) - own) > 1e-12:
        raise ScenarioError(
            f"scenario {sc.name!r} has baseline growth {own:g} %, the episode {g}",
            source=ep.file,
            field="shock.baseline_growth_annual_pct",
        )
    return sc


def _gdp_run(ep: Episode, es: ElasticitySet, cache: Cache) -> Result:
    sc = gdp_scenario(ep)
    key = _key("gdp", {"hash": sc.hash}, es)
    if key not in cache:
        cache[key] = simulate(sc, elasticities=[es], draws=0)
    return cache[key]  # type: ignore[no-any-return]


def predict_gdp_first_year(ep: Episode, es: ElasticitySet, cache: Cache) -> tuple[float, dict[str, Any]]:
    so = _gdp_run(ep, es, cache).sets[es.name]
    path = np.asarray(so.macro.path)
    return float(np.mean(path[:4])), {"path_first_year_pct": [float(x) for x in path[:4]]}


def predict_technical_recession(ep: Episode, es: ElasticitySet, cache: Cache) -> tuple[float, dict[str, Any]]:
    so = _gdp_run(ep, es, cache).sets[es.name]
    assert so.recession is not None  # simulate runs the recession Monte Carlo
    return float(so.recession.recession_probability), {
        "baseline_probability": float(so.recession.recession_probability_baseline)
    }


# ----------------------------------------------------------------------------- Mexico 2025: claimed and unclaimed lines


@functools.cache
def _contrast_table(name: str) -> pd.DataFrame:
    with data_file(*name.split("/")).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"hs2": str})


def contrast_shock(ep: Episode) -> pd.DataFrame:
    """The included chapters with each group's effective 2025 rate (rate x unclaimed share in force)."""
    t = _contrast_table(str(ep.shock["data"]))
    t = t[t["included"] == 1].copy()
    r = float(ep.shock["rate"])
    t["t_exposed"] = r * t["exposed_unclaimed_in_force_2025_usd"] / t["exposed_2025_usd"]
    t["t_safe"] = r * t["safe_unclaimed_in_force_2025_usd"] / t["safe_2025_usd"]
    return t.reset_index(drop=True)


def predict_claim_contrast(ep: Episode, es: ElasticitySet, cache: Cache) -> tuple[float, dict[str, Any]]:
    t = contrast_shock(ep)
    data = load_dataset("default")
    exporter, importer = data.index(str(ep.shock["exporter"])), data.index(str(ep.shock["importer"]))
    smap = hs2_sector_map()
    sec = [smap[h] for h in t["hs2"]]
    el = es.arrays(list(data.sectors), str(ep.shock.get("horizon", "one-year")))
    pos = np.array([data.sectors.index(s) for s in sec])
    # one market per chapter: the exposed lines, the safe lines, and every other supplier of the sector
    rest = np.delete(data.values[:, importer, :], exporter, axis=0).sum(axis=0)[pos]
    V = np.stack([t["exposed_2024_usd"].to_numpy(float), t["safe_2024_usd"].to_numpy(float), rest])[:, None, :]
    t1 = np.zeros_like(V)
    t1[0, 0] = t["t_exposed"].to_numpy()
    t1[1, 0] = t["t_safe"].to_numpy()
    o = solve_pe(V, 0.0, t1, eta=el["eta"][pos], sigma=el["sigma"][pos], eps_x=el["eps_x"][pos])
    c = np.log(o.V1[0, 0] / o.V0[0, 0]) - np.log(o.V1[1, 0] / o.V0[1, 0])
    w = t["exposed_2024_usd"].to_numpy(float)
    dlt = np.log1p(t["t_exposed"].to_numpy()) - np.log1p(t["t_safe"].to_numpy())
    return 100.0 * float(np.expm1(np.sum(w * c) / w.sum())), {
        "tariff_gap_log_points": 100.0 * float(np.sum(w * dlt) / w.sum()),
        "chapters": len(t),
    }


#: prediction method -> function(episode, set) -> (value, detail)
PREDICTORS: dict[str, Callable[[Episode, ElasticitySet, Cache], tuple[float, dict[str, Any]]]] = {
    "targeted_imports": predict_targeted_imports,
    "exporter_prices": predict_exporter_prices,
    "diversion": predict_diversion,
    "gdp_first_year": predict_gdp_first_year,
    "technical_recession": predict_technical_recession,
    "claim_contrast": predict_claim_contrast,
}


def predict(ep: Episode, es: ElasticitySet, cache: Cache | None = None) -> Prediction:
    """One episode with one set (``cache``: outcomes shared by episodes with the same shock)."""
    value, detail = PREDICTORS[ep.prediction](ep, es, {} if cache is None else cache)
    return Prediction(episode=ep.id, set=es.name, value=float(value), passed=ep.passes(float(value)), detail=detail)


def backtest(
    episodes: str | Path | Episode | Sequence[str | Path | Episode] | None = None,
    sets: str | ElasticitySet | Sequence[str | ElasticitySet] | None = None,
) -> BacktestResult:
    """Run episodes (default: every shipped one; ids, paths or :class:`Episode`) with elasticity
    sets (default: every shipped set)."""
    if episodes is None:
        eps = shipped_episodes()
    else:
        items = [episodes] if isinstance(episodes, str | Episode) or not isinstance(episodes, Sequence) else episodes
        eps = [e if isinstance(e, Episode) else find_episode(e) for e in items]
    if sets is None:
        sets = available_sets()
    if isinstance(sets, str | ElasticitySet):
        sets = [sets]
    ess = [s if isinstance(s, ElasticitySet) else get_set(s) for s in sets]
    cache: Cache = {}
    preds = [predict(ep, es, cache) for ep in eps for es in ess]
    notes = (
        "Predictions from the tariff change alone with the shipped elasticity sets; no parameter is fitted to an episode.",
        "The Mexico 2025 GDP and recession predictions use the effective-tariff panel, an estimate.",
    )
    return BacktestResult(episodes=tuple(eps), sets=tuple(e.name for e in ess), predictions=tuple(preds), notes=notes)
