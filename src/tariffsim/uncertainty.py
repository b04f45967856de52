"""Sweeps and sensitivities: tariff-rate grids, tariff x elasticity grids, tornado charts.

Each grid point is an independent :func:`tariffsim.simulate` call. Locally they run one after
the other (each call is vectorised numpy); pass ``scheduler=`` a ``dask.distributed.Client`` and
the points are submitted to that cluster instead, with no other change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from .errors import ScenarioError
from .scenario import ASSUMPTIONS, Range, load_scenario

__all__ = ["parse_grid", "sweep", "elasticity_grid", "tornado", "SWEEP_SETS"]

log = logging.getLogger(__name__)

SWEEP_SETS = ("low", "central", "high")


def parse_grid(text: str, *, field: str = "--tariff") -> np.ndarray:
    """'0:0.5:0.05' -> 0, 0.05, ..., 0.5 (inclusive); '0.1,0.25' -> those values.

    Rates must be finite shares in [0, 10]; a grid of more than
    :data:`tariffsim.limits.MAX_GRID_POINTS` points is refused before it is built."""
    from . import limits

    usage = f"{text!r}: expected START:STOP:STEP (e.g. 0:0.5:0.05) or a comma list"
    if not isinstance(text, str):
        raise ScenarioError(f"{usage}, got {type(text).__name__}", field=field)
    try:
        parts = [float(x) for x in (text.split(":") if ":" in text else text.split(",")) if x.strip()]
    except ValueError:
        raise ScenarioError(usage, field=field) from None
    if not all(np.isfinite(parts)):
        raise ScenarioError(f"{text!r}: rates must be finite numbers (no nan or inf)", field=field)
    if ":" in text:
        if len(parts) != 3 or len(text.split(":")) != 3:
            raise ScenarioError(usage, field=field)
        lo, hi, step = parts
        if step <= 0 or hi < lo:
            raise ScenarioError(f"{text!r}: expected START:STOP:STEP with STEP > 0 and STOP >= START", field=field)
        if lo < 0 or hi > 10:
            raise ScenarioError(f"{text!r}: rates are shares in [0, 10] (0.25 = 25 %)", field=field)
        span = (hi - lo) / step  # may overflow to inf for a tiny step
        limits.check_grid_points(span + 1, field=field)
        n = round(span) + 1
        vals = lo + step * np.arange(n)
        vals = vals[vals <= hi + 1e-12]
    else:
        limits.check_grid_points(len(parts), field=field)
        vals = np.array(parts, dtype=float)
    if vals.size == 0:
        raise ScenarioError(f"{text!r}: empty grid", field=field)
    if np.any(vals < 0) or np.any(vals > 10):
        raise ScenarioError(f"{text!r}: rates are shares in [0, 10] (0.25 = 25 %)", field=field)
    return np.round(vals, 10)


def _run_points(fn: Callable, points: Sequence, scheduler=None, progress: Callable[[str], None] | None = None) -> list:
    if scheduler is not None:
        futures = scheduler.map(fn, list(points), pure=False)
        return scheduler.gather(futures)
    out = []
    for i, p in enumerate(points):
        if progress:
            progress(f"grid point {i + 1}/{len(points)}")
        out.append(fn(p))
    return out


def _sweep_point(args):
    from .simulation import simulate

    sc, data, rate, sets, recession, n_paths = args
    r = simulate(sc.with_rate(rate), data=data, elasticities=list(sets), draws=0, recession=recession, n_paths=n_paths)
    rows = []
    for name in r.sets:
        h = r.headline(name)
        rows.append(
            {
                "rate": rate,
                "elasticity_set": name,
                "exports_change_pct": h["exports_change_pct"],
                "exports_to_us_change_pct": h["exports_to_us_change_pct"],
                "exports_change_pct_after_4q": h["exports_change_pct_after_4q"],
                "gdp_impact_pct": h.get("gdp_impact_pct"),
                "gdp_impact_pct_long_run": h.get("gdp_impact_pct_long_run"),
                "us_tariff_revenue_usd": h["us_tariff_revenue_usd"],
                "us_import_price_change_pct": h["us_import_price_change_pct"],
                "recession_probability": h.get("recession_probability"),
                "recession_probability_baseline": h.get("recession_probability_baseline"),
                "annual_contraction_probability": h.get("annual_contraction_probability"),
            }
        )
    return rows


def sweep(
    scenario,
    rates: Iterable[float] | str,
    elasticities: Sequence[str] = SWEEP_SETS,
    *,
    data=None,
    recession: bool = True,
    n_paths: int = 20_000,
    scheduler=None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Tidy grid over the tariff rate (every tariff measure of the scenario set to the rate) and
    elasticity sets: trade, GDP and recession outcomes per (rate, set).

    The recession Monte Carlo uses the point GDP path of each set (no parameter draws) with the
    scenario's seed, so rates are compared on common random numbers.
    """
    from . import limits

    sc = load_scenario(scenario)
    grid = parse_grid(rates) if isinstance(rates, str) else np.asarray(list(rates), dtype=float)
    limits.check_sweep(grid.size, len(elasticities), limits.check_paths(n_paths), sc.horizon, field="rates")
    data = sc.load_data() if data is None else data
    for s in elasticities:
        sc.elasticity_set(s)
    points = [(sc, data, float(r), tuple(elasticities), recession, n_paths) for r in grid]
    rows = [row for part in _run_points(_sweep_point, points, scheduler, progress) for row in part]
    df = pd.DataFrame(rows)
    df.attrs["units"] = "rate: tariff share; *_pct: percent; *_usd: US dollars; probabilities: shares 0-1"
    df.attrs["scenario"] = sc.name
    return df


def _grid_point(args):
    from .simulation import simulate

    sc, data, rate, es = args
    r = simulate(sc.with_rate(rate), data=data, elasticities=[es], draws=0, recession=False)
    h = r.headline(es.name)
    return {
        "rate": rate,
        "sigma": es.sigma,
        "gdp_impact_pct": h["gdp_impact_pct"],
        "gdp_impact_pct_long_run": h["gdp_impact_pct_long_run"],
        "exports_change_pct": h["exports_change_pct"],
    }


def elasticity_grid(
    scenario,
    rates: Iterable[float] | str,
    sigmas: Iterable[float],
    *,
    base_set: str | None = None,
    data=None,
    scheduler=None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """GDP impact over a grid of tariff rate x Armington elasticity sigma (other parameters from
    ``base_set``, default the scenario's central set). Columns: rate, sigma, gdp_impact_pct (after
    four quarters), gdp_impact_pct_long_run, exports_change_pct."""
    from . import limits

    sc = load_scenario(scenario)
    base = sc.elasticity_set(base_set or sc.central_set)
    grid = parse_grid(rates) if isinstance(rates, str) else np.asarray(list(rates), dtype=float)
    sigmas = list(sigmas)
    limits.check_grid_points(grid.size * len(sigmas), field="rates x sigmas")
    data = sc.load_data() if data is None else data
    points = []
    for s in sigmas:
        if not s > 0:
            raise ScenarioError(f"sigma must be positive, got {s}", field="sigmas")
        es = replace(base, name=f"sigma={s:g}", sigma=float(s))
        points += [(sc, data, float(r), es) for r in grid]
    df = pd.DataFrame(_run_points(_grid_point, points, scheduler, progress))
    df.attrs["units"] = "rate: tariff share; sigma: elasticity; *_pct: percent of GDP / of exports"
    df.attrs["scenario"] = sc.name
    return df


#: Parameters varied in the tornado and how: elasticities (factor on the set's values) and the
#: scenario's low/high assumptions.
TORNADO_ELASTICITIES = {"sigma": (0.5, 2.0), "eta": (0.5, 2.0)}
TORNADO_ASSUMPTIONS = (
    "multiplier",
    "value_added_share",
    "uncertainty_drag_pct",
    "exchange_rate_offset",
    "export_dependence",
)


def tornado(scenario, *, set_name: str | None = None, data=None) -> pd.DataFrame:
    """One-at-a-time sensitivity of the GDP impact after four quarters.

    Each row varies one parameter to its low and high value, everything else central: sigma and
    eta times 0.5 and 2 (the shipped low/high sets are half and twice central); each ranged
    assumption to its low and high values; export dependence to the data's value and to 0.85
    (when the scenario fixes it). Columns: parameter, low_value, high_value, gdp_at_low,
    gdp_at_high, gdp_central, swing (|high - low|), sorted by swing.
    """
    from .macro import resolve_assumptions
    from .simulation import _macro_for

    sc = load_scenario(scenario)
    data = sc.load_data() if data is None else data
    es = sc.elasticity_set(set_name or sc.central_set)
    t0, t1 = sc.tariff_arrays(data)
    a = resolve_assumptions(sc, data)

    def gdp(es_, a_) -> float:
        return _macro_for(data, t0, t1, es_, a_)[2].gdp_impact_pct

    base = gdp(es, a)
    rows = []

    def scale(v, f):
        return {k: x * f for k, x in v.items()} if isinstance(v, dict) else v * f

    for p, (lo, hi) in TORNADO_ELASTICITIES.items():
        rows.append(
            {
                "parameter": p,
                "low_value": f"x{lo:g}",
                "high_value": f"x{hi:g}",
                "gdp_at_low": gdp(es.with_values(**{p: scale(getattr(es, p), lo)}), a),
                "gdp_at_high": gdp(es.with_values(**{p: scale(getattr(es, p), hi)}), a),
            }
        )
    for p in TORNADO_ASSUMPTIONS:
        if p == "export_dependence":
            if a.form != "simple":
                continue
            lo, hi = a.export_dependence_data, 0.85
        else:
            v = sc.assumption(p)
            if p == "value_added_share" and v == "data":
                # manufacturing alone about 0.45 (MODELS.md section 2); WIOD 2002 Mexico -> US 0.671
                v = Range(0.45, a.value_added_share, 0.671)
            if not isinstance(v, Range):
                continue
            lo, hi = v.low, v.high
            if lo == hi:
                continue
        kw_lo, kw_hi = {p: lo}, {p: hi}
        if p == "value_added_share":
            kw_lo["value_added_share_other"], kw_hi["value_added_share_other"] = lo, hi
        rows.append(
            {
                "parameter": p,
                "low_value": lo,
                "high_value": hi,
                "gdp_at_low": gdp(es, a.replace(**kw_lo)),
                "gdp_at_high": gdp(es, a.replace(**kw_hi)),
            }
        )
    df = pd.DataFrame(rows)
    df["gdp_central"] = base
    df["swing"] = (df["gdp_at_high"] - df["gdp_at_low"]).abs()
    df["description"] = df["parameter"].map(
        lambda p: (
            ASSUMPTIONS[p].description
            if p in ASSUMPTIONS
            else {"sigma": "Armington substitution elasticity", "eta": "import demand elasticity"}[p]
        )
    )
    df = df.sort_values("swing", ascending=False, ignore_index=True)
    df.attrs["units"] = "GDP deviation after four quarters, percent"
    df.attrs["scenario"] = sc.name
    return df
