"""The JSON contract of a run: the shipped schema and the blocks of :meth:`Result.to_json
<tariffsim.engine.results.Result.to_json>` that carry its uncertainty (recession keys, the
recession band, the draws' quantiles, the long-run mechanism, the forecast, the baseline check).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..inputs.datasets import data_file

if TYPE_CHECKING:
    from ..models.growth_uncertainty import BaselineCheck
    from ..models.recession import RecessionRisk
    from .macro import MacroOutcome

__all__ = ["json_schema", "risk_keys", "uncertainty_blocks", "OUTPUT_CHANGE"]

#: Prefix of the parameter draws' columns holding the reported country's output change by sector
#: (percent, at baseline prices) in a long run with sectors of its own (the multi-sector model).
OUTPUT_CHANGE = "output_change_pct:"


def json_schema() -> dict[str, Any]:
    """The JSON contract of ``Result.to_json`` (``data/schema/result.schema.json``, JSON Schema
    2020-12): every top-level key with its type, unit (``x-unit``), horizon (``x-horizon``) and
    whether it is a level or a change (``x-kind``); rendered in docs/json.md."""
    doc: dict[str, Any] = json.loads(data_file("schema", "result.schema.json").read_text(encoding="utf-8"))
    return doc


def risk_keys(r: RecessionRisk) -> dict[str, float]:
    """The recession keys of a Monte Carlo (probabilities as shares 0-1)."""
    return {
        "recession_probability": r.recession_probability,
        "recession_probability_baseline": r.recession_probability_baseline,
        "recession_probability_change": float(r.change),
        "recession_probability_change_se": float(r.se_change),
        "annual_contraction_probability": r.annual_contraction_probability,
        "annual_contraction_probability_baseline": r.annual_contraction.baseline,
        "recession_probability_horizon": r.technical_horizon.tariff,
        "recession_probability_horizon_baseline": r.technical_horizon.baseline,
    }


def uncertainty_blocks(
    mac: MacroOutcome,
    long_run_text: str,
    with_draws: RecessionRisk | None,
    gaussian: RecessionRisk | None,
    check: BaselineCheck | None,
    draws: Mapping[str, np.ndarray] | None,
) -> dict[str, Any]:
    """``long_run_mechanism`` (``long_run_text``: whose real income the run reports, never GDP),
    ``baseline_growth_forecast`` and, when they were computed,
    ``recession_with_parameter_draws``, ``recession_probability_change_band`` (90 %),
    ``recession_probability_change_gaussian_shocks``, ``recession_frequency_4q`` and the draws'
    quantiles ``gdp_impact_pct_first_year_avg_draws`` / ``gdp_impact_pct_draws``, the long run's
    ``real_income_pct_long_run_draws`` and, for a long run with sectors of its own (the multi-sector
    model), ``output_change_pct_draws`` by sector."""
    a = mac.assumptions
    out: dict[str, Any] = {
        "long_run_mechanism": {
            "real_gdp": "steady-state capital deepening: d ln Y = -a/(1-a) s (d ln P_M - d ln P_Y) (Jones 1994; "
            "Mutreja, Ravikumar and Sposi 2018), at the long-run GE's prices",
            "capital_share": a.capital_share,
            "imported_share_gfcf": a.imported_share_gfcf,
            **{k: float(v) for k, v in mac.long_run_prices.items()},
            "real_income": long_run_text,
            "source": a.sources.get("capital_share"),
        },
        "baseline_growth_forecast": dict(a.baseline_forecast) if a.baseline_forecast is not None else None,
    }
    if with_draws is not None:
        out["recession_with_parameter_draws"] = {
            **risk_keys(with_draws),
            "n_paths": with_draws.n_paths,
            "parameter_draws": with_draws.n_draws,
        }
        if with_draws.change_draws is not None:
            lo, hi = with_draws.change_band(0.90)
            out["recession_probability_change_band"] = {
                "p05": lo,
                "p50": float(np.median(with_draws.change_draws)),
                "p95": hi,
                "level": 0.90,
                "n_blocks": with_draws.n_blocks,
                "block_mc_se": with_draws.block_mc_se(),
                "draws": "elasticities and macro assumptions (the parameter draws); the growth model's "
                "parameters and the shape of its shocks: " + str(with_draws.growth_draws_method),
            }
    if gaussian is not None:
        out["recession_probability_change_gaussian_shocks"] = gaussian.change
    if check is not None:
        out["recession_frequency_4q"] = check.to_dict()
    if draws is not None and any(len(v) for v in draws.values()):
        for key in ("gdp_impact_pct_first_year_avg", "gdp_impact_pct", "real_income_pct_long_run"):
            if key in draws:
                out[f"{key}_draws"] = _band(draws[key])
        by_sector = [c for c in draws if str(c).startswith(OUTPUT_CHANGE)]
        if by_sector:
            out["output_change_pct_draws"] = {str(c)[len(OUTPUT_CHANGE) :]: _band(draws[c]) for c in by_sector}
    return out


def _band(values: np.ndarray) -> dict[str, float | int]:
    """The median and 5-95 % band of a column of parameter draws: p05, p50, p95 and n (the draws;
    missing values are left out of the quantiles, linear interpolation, as ``Series.quantile``)."""
    v = np.asarray(values, dtype=float)
    known = v[~np.isnan(v)]
    p05, p50, p95 = np.percentile(known, np.array([0.05, 0.5, 0.95]) * 100.0) if known.size else [np.nan] * 3
    return {"p05": float(p05), "p50": float(p50), "p95": float(p95), "n": int(v.size)}
