"""Sweeps and sensitivities: tariff-rate grids, tariff x elasticity grids, tornado charts.

Each tariff rate is one :func:`tariffsim.simulate` call with every elasticity set of the sweep (or
every sigma of the grid): the trade models solve the sets in one batch and the recession Monte
Carlo of every set shares the common random numbers' baseline half, simulated once (the numbers are
those of one call per point). Locally the rates run one after the other; pass ``scheduler=`` a
``dask.distributed.Client`` and they are submitted to that cluster instead, with no other change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .. import limits
from .._lazy import pd
from .._util import no_negative_zero
from ..errors import ScenarioError
from ..inputs.assumptions import ASSUMPTIONS, Range
from ..inputs.elasticities import shipped_distributions
from ..inputs.scenario import Scenario, load_scenario
from ..limits import shown
from .simulation import Scheduler, resolve, run_case, simulate

if TYPE_CHECKING:
    from ..inputs.datasets import TradeData
    from ..inputs.elasticities import ElasticitySet
    from .macro import MacroAssumptions
    from .simulation import ScenarioLike

    _P = TypeVar("_P")
    _R = TypeVar("_R")


__all__ = ["parse_grid", "sweep", "elasticity_grid", "tornado", "SWEEP_SETS"]

log = logging.getLogger(__name__)

SWEEP_SETS = ("low", "central", "high")


def parse_grid(text: str, *, field: str = "--tariff") -> np.ndarray:
    """'0:0.5:0.05' -> 0, 0.05, ..., 0.5 (inclusive); '0.1,0.25' -> those values.

    Rates must be finite shares in limits.TARIFF_BOUNDS; a grid of more than
    :data:`tariffsim.limits.MAX_GRID_POINTS` points is refused before it is built."""

    usage = f"{shown(text)}: expected START:STOP:STEP (e.g. 0:0.5:0.05) or a comma list"
    if not isinstance(text, str):
        raise ScenarioError(f"{usage}, got {type(text).__name__}", field=field)
    try:
        parts = [float(x) for x in (text.split(":") if ":" in text else text.split(",")) if x.strip()]
    except ValueError:
        raise ScenarioError(usage, field=field) from None
    if not all(np.isfinite(parts)):
        raise ScenarioError(f"{shown(text)}: rates must be finite numbers (no nan or inf)", field=field)
    if ":" in text:
        if len(parts) != 3 or len(text.split(":")) != 3:
            raise ScenarioError(usage, field=field)
        lo, hi, step = parts
        if step <= 0 or hi < lo:
            raise ScenarioError(f"{shown(text)}: expected START:STOP:STEP with STEP > 0 and STOP >= START", field=field)
        if lo < limits.MIN_TARIFF or hi > limits.MAX_TARIFF:
            raise ScenarioError(f"{shown(text)}: rates are shares in {limits.TARIFF_BOUNDS} (0.25 = 25 %)", field=field)
        span = (hi - lo) / step  # may overflow to inf for a tiny step
        limits.check_grid_points(span + 1, field=field)
        n = round(span) + 1
        vals = lo + step * np.arange(n)
        vals = vals[vals <= hi + 1e-12]
    else:
        limits.check_grid_points(len(parts), field=field)
        vals = np.array(parts, dtype=float)
    if vals.size == 0:
        raise ScenarioError(f"{shown(text)}: empty grid", field=field)
    if np.any(vals < limits.MIN_TARIFF) or np.any(vals > limits.MAX_TARIFF):
        raise ScenarioError(f"{shown(text)}: rates are shares in {limits.TARIFF_BOUNDS} (0.25 = 25 %)", field=field)
    return np.round(vals, 10)


def _run_points(
    fn: Callable[[_P], _R],
    points: Sequence[_P],
    scheduler: Scheduler | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[_R]:
    if scheduler is not None:
        futures = scheduler.map(fn, list(points), pure=False)
        return scheduler.gather(futures)
    out: list[_R] = []
    for i, p in enumerate(points):
        if progress:
            progress(f"grid point {i + 1}/{len(points)}")
        out.append(fn(p))
    return out


#: The per-set numbers a sweep row carries (the keys of :meth:`tariffsim.Result.headline`).
SWEEP_KEYS = (
    "exports_change_pct_long_run",
    "exports_to_market_change_pct_long_run",
    "exports_change_pct_after_4q",
    "gdp_impact_pct_first_year_avg",
    "gdp_impact_pct",
    "gdp_impact_pct_long_run",
    "value_added_at_risk_pct",
    "market_tariff_revenue_change_usd",
    "market_import_price_change_pct",
    "recession_probability",
    "recession_probability_baseline",
    "recession_probability_change",
    "recession_probability_change_se",
    "annual_contraction_probability",
)


def _sweep_point(args: tuple[Scenario, TradeData, float, tuple[str, ...], bool, int]) -> list[dict[str, Any]]:

    sc, data, rate, sets, recession, n_paths = args
    r = simulate(sc.with_rate(rate), data=data, elasticities=list(sets), draws=0, recession=recession, n_paths=n_paths)
    return [{"rate": rate, "elasticity_set": n, **{k: r.headline(n).get(k) for k in SWEEP_KEYS}} for n in r.sets]


def sweep(
    scenario: ScenarioLike,
    rates: Iterable[float] | str,
    elasticities: Sequence[str] = SWEEP_SETS,
    *,
    data: TradeData | None = None,
    recession: bool = True,
    n_paths: int | None = None,
    scheduler: Scheduler | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Tidy grid over the tariff rate (every tariff measure of the scenario set to the rate) and
    elasticity sets: trade, GDP and recession outcomes per (rate, set), the keys of
    :meth:`tariffsim.Result.headline` (:data:`SWEEP_KEYS`).

    The recession Monte Carlo uses the point GDP path of each set (no parameter draws) with the
    scenario's seed and number of paths (``n_paths`` overrides it), so rates are compared on
    common random numbers and the point at the scenario's own rate equals ``simulate``'s numbers.
    """

    sc = load_scenario(scenario)
    n_paths = sc.n_paths if n_paths is None else n_paths
    grid = parse_grid(rates) if isinstance(rates, str) else _rates(rates)
    limits.check_sweep(grid.size, len(elasticities), limits.check_paths(n_paths), sc.horizon, field="rates")
    data = sc.load_data() if data is None else data
    for s in elasticities:
        sc.elasticity_set(s)
    points = [(sc, data, float(r), tuple(elasticities), recession, n_paths) for r in grid]
    rows = [row for part in _run_points(_sweep_point, points, scheduler, progress) for row in part]
    df = pd.DataFrame(rows)
    df.attrs["units"] = "rate: tariff share; *_pct: percent; *_usd: US dollars; probabilities: shares 0-1"
    df.attrs["scenario"] = sc.name
    return no_negative_zero(df)


def _rates(rates: Iterable[float]) -> np.ndarray:
    """A list of rates checked like a TOML file's (finite shares in limits.TARIFF_BOUNDS)."""
    vals = np.asarray(list(rates), dtype=float)
    if (
        vals.size == 0
        or not np.all(np.isfinite(vals))
        or np.any(vals < limits.MIN_TARIFF)
        or np.any(vals > limits.MAX_TARIFF)
    ):
        raise ScenarioError(
            f"rates {shown(list(rates))}: expected finite tariff shares in {limits.TARIFF_BOUNDS} (0.25 = 25 %)",
            field="rates",
        )
    return vals


def _grid_rate(args: tuple[Scenario, TradeData, float, list[tuple[ElasticitySet, float]]]) -> list[dict[str, float]]:
    """The grid's row for every sigma at one rate: one run with every sigma's set (the trade models
    solve them in one batch; each set's numbers are those of a run with it alone)."""
    sc, data, rate, cases = args
    r = simulate(sc.with_rate(rate), data=data, elasticities=[es for es, _ in cases], draws=0, recession=False)
    rows = []
    for es, s in cases:
        h = r.headline(es.name)
        rows.append(
            {
                "rate": rate,
                "sigma": s,
                "sigma_long_run": float(np.median(es.arrays(data.sectors, "long-run")["sigma"])),
                "gdp_impact_pct": h["gdp_impact_pct"],
                "gdp_impact_pct_first_year_avg": h["gdp_impact_pct_first_year_avg"],
                "gdp_impact_pct_long_run": h["gdp_impact_pct_long_run"],
                "exports_change_pct_long_run": h["exports_change_pct_long_run"],
            }
        )
    return rows


def elasticity_grid(
    scenario: ScenarioLike,
    rates: Iterable[float] | str,
    sigmas: Iterable[float],
    *,
    base_set: str | None = None,
    data: TradeData | None = None,
    scheduler: Scheduler | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """GDP impact over a grid of tariff rate x ONE-YEAR sigma (the elasticity of tariff-exclusive
    flows one year after the change, which sets the near-term GDP loss). Each sigma scales every
    elasticity of ``base_set`` (default the scenario's central set) by sigma / its one-year sigma,
    so the long run moves with it (``sigma_long_run``). Columns: rate, sigma (one year),
    sigma_long_run, gdp_impact_pct (after four quarters), gdp_impact_pct_first_year_avg,
    gdp_impact_pct_long_run, exports_change_pct (long run)."""

    sc = load_scenario(scenario)
    base = sc.elasticity_set(base_set or sc.central_set)
    grid = parse_grid(rates) if isinstance(rates, str) else _rates(rates)
    sigmas = list(sigmas)
    limits.check_grid_points(grid.size * len(sigmas), field="rates x sigmas")
    data = sc.load_data() if data is None else data
    s1 = float(np.median(base.arrays(data.sectors, "one-year")["sigma"]))
    cases: list[tuple[ElasticitySet, float]] = []
    for s in sigmas:
        if isinstance(s, bool) or not isinstance(s, int | float) or not (np.isfinite(s) and s > 0):
            raise ScenarioError(f"sigma must be a positive finite number, got {shown(s)}", field="sigmas")
        cases.append((base.scaled(float(s) / s1, name=f"sigma={s:g}"), float(s)))
    # one run per rate with every distinct sigma's set (a sigma given twice gives the same row twice)
    distinct = list({es.model_key(): (es, s) for es, s in cases}.values())
    parts = _run_points(_grid_rate, [(sc, data, float(r), distinct) for r in grid], scheduler, progress)
    found = {
        (float(r), es.model_key()): row
        for r, part in zip(grid, parts, strict=True)
        for (es, _), row in zip(distinct, part, strict=True)
    }
    df = pd.DataFrame([{**found[(float(r), es.model_key())], "sigma": s} for es, s in cases for r in grid])
    df.attrs["units"] = "rate: tariff share; sigma: one-year elasticity of tariff-exclusive flows; *_pct: percent"
    df.attrs["scenario"] = sc.name
    return no_negative_zero(df)


#: Parameters varied in the tornado and how: elasticities (a factor on every value of the set),
#: and the scenario's low/high assumptions.
TORNADO_ASSUMPTIONS = (
    "multiplier",
    "value_added_share",
    "uncertainty_drag_pct",
    "exchange_rate_offset",
    "export_dependence",
)
#: Value-added share of Mexico's exports to the US: low = manufacturing alone (docs/models/macro.md,
#: about 0.45), high = the highest WIOD estimate 2002-2014 (0.671 in 2002). Lopsided because the
#: only lower published estimate is the manufacturing-only one.
VALUE_ADDED_RANGE = (0.45, 0.671)


def _elasticity_factors(sc: Scenario) -> tuple[float, float]:
    """Low/high factors on the elasticities: the one-year sigma distribution's low and high over
    its mode (the shipped one spans the low, central and high sets)."""

    d = sc.distributions.get("sigma") or shipped_distributions()["sigma"]
    mode = d.params.get("mode") or d.params.get("median") or d.ppf(0.5)
    return d.ppf(0.05) / mode, d.ppf(0.95) / mode


def tornado(scenario: ScenarioLike, *, set_name: str | None = None, data: TradeData | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity of the GDP impact after four quarters (near term).

    Each row varies one parameter to its low and high value, everything else central: every
    elasticity of the set times the 5th and 95th percentile of the one-year sigma distribution
    over its mode; each ranged assumption to its low and high values; the value-added share over
    :data:`VALUE_ADDED_RANGE` when it comes from the data; export dependence to the data's value
    and to 0.85 (when the scenario fixes it). Columns: parameter, low_value, high_value,
    gdp_at_low, gdp_at_high, gdp_central, swing (|high - low|), description, sorted by swing.
    """

    inp = resolve(scenario, data, recession=False)
    sc, a = inp.scenario, inp.assumptions
    es = sc.elasticity_set(set_name or sc.central_set)

    def gdp(es_: ElasticitySet, a_: MacroAssumptions) -> float:
        return run_case(inp, es_, a_).macro.gdp_impact_pct

    lo_f, hi_f = _elasticity_factors(sc)
    rows = [
        {
            "parameter": "elasticities",
            "low_value": f"x{lo_f:.2f}",
            "high_value": f"x{hi_f:.2f}",
            "gdp_at_low": gdp(es.scaled(lo_f), a),
            "gdp_at_high": gdp(es.scaled(hi_f), a),
        }
    ]
    for p in TORNADO_ASSUMPTIONS:
        if p == "export_dependence":
            if a.form != "simple":
                continue
            lo, hi = a.export_dependence_data, 0.85
        else:
            v = sc.assumptions.get(p)
            if p == "value_added_share" and v == "data":
                v = Range(VALUE_ADDED_RANGE[0], a.value_added_share, VALUE_ADDED_RANGE[1])
            if not isinstance(v, Range) or v.low == v.high:
                continue
            lo, hi = v.low, v.high
        if p == "value_added_share":  # sector shares scaled with it (what the near term uses)
            a_lo, a_hi = a.with_value_added_share(lo), a.with_value_added_share(hi)
        else:
            a_lo, a_hi = a.replace(**{p: lo}), a.replace(**{p: hi})
        rows.append(
            {
                "parameter": p,
                "low_value": lo,
                "high_value": hi,
                "gdp_at_low": gdp(es, a_lo),
                "gdp_at_high": gdp(es, a_hi),
            }
        )
    df = pd.DataFrame(rows)
    df["gdp_central"] = gdp(es, a)
    df["swing"] = (df["gdp_at_high"] - df["gdp_at_low"]).abs()
    notes = {
        "elasticities": "every sigma and eta of the set, both horizons (5th-95th percentile of the one-year sigma "
        "distribution)",
        "value_added_share": ASSUMPTIONS["value_added_share"].description
        + f"; range {VALUE_ADDED_RANGE[0]}-{VALUE_ADDED_RANGE[1]}: manufacturing alone (docs/models/macro.md) to the "
        "highest WIOD estimate 2002-2014",
    }
    df["description"] = df["parameter"].map(lambda p: notes.get(p) or ASSUMPTIONS[p].description)
    df = df.sort_values("swing", ascending=False, ignore_index=True)
    df.attrs["units"] = "GDP deviation after four quarters, percent"
    df.attrs["scenario"] = sc.name
    return no_negative_zero(df)
