"""Macro transmission: from trade outcomes to the GDP path of the reported country
(docs/models/macro.md). This is the only module that turns trade outcomes
into GDP, for every trade model.

Two horizons, two concepts:

* **Near term** (the first year): demand-side accounting on the PE model at the set's one-year
  elasticities. In percent of baseline GDP, for the reported country c:

  1. *Exports* (``trade``): export change at exporter prices, split into sales to the
     tariff-setting market m and to other markets. Simple form (the design card's, used by
     ``mex25``): sales to m = export dependence d x total exports, the rest (1 - d), each moved by
     the model's percent change for that destination; sectoral form: the model's changes as
     they are. Direct effect = value-added share x export change (WIOD 2014: 0.65 for Mexico's
     exports to the US), times the domestic multiplier k and (1 - o), o the share of the tariff
     absorbed by a currency depreciation.
  2. *Retaliation, input costs* (``retaliation_inputs``): c's own tariff on m's goods raises the
     cost of m's inputs in c's exports by ``input share x pass-through x duty / exports``; entered
     into the PE model as a price wedge on c's exports, its extra export loss passes to GDP as in 1.
  3. *Real income* (``real_income``): c's PE net welfare as an importer (consumer surplus + tariff
     revenue), one for one; zero when c's market is untouched and exporter prices are fixed.
  4. *Uncertainty* (``uncertainty``): an investment drag, full in the first year, then fading.

  Within a year specialised capacity cannot move, so lost value added is lost output. The
  channels build up by partial adjustment, ``(1 - (1-a)^q) / (1 - (1-a)^4)`` of their one-year
  value in quarter q <= 4.

* **Long run** (``long_run_ge``): labour and capital are re-employed, so the long-run GDP change
  is the real-income change of a general-equilibrium solution at the long-run elasticities (the
  one-sector GE, or the multi-sector GE with input-output linkages), not lost exports x value
  added. The PE long-run export loss x value added is reported as *value added at risk*, never as GDP.

* **Path**: the near-term path alone up to ``blend_start_quarter`` (4), then a linear blend that
  reaches the GE long run at ``blend_end_quarter`` (16: the Yale Budget Lab blends its near-term
  macro path into its GTAP long run over 16 quarters). With weight b(q) = clip((q - qs)/(qe - qs), 0, 1),
  each near-term channel is ``(1 - b) x near-term`` and the GE channel ``b x long run``; the
  uncertainty drag is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataError
from ..inputs.assumptions import ASSUMPTIONS, Range
from ..inputs.countries import country_facts
from .trade import TradeOutcome

if TYPE_CHECKING:
    from ..inputs.assumptions import Range
    from ..inputs.datasets import TradeData
    from ..inputs.scenario import Scenario

__all__ = [
    "MacroAssumptions",
    "MacroOutcome",
    "resolve_assumptions",
    "target_market",
    "export_changes",
    "near_term_ramp",
    "blend_weight",
    "drag_path",
    "drag_scale",
    "gdp_outcome",
    "DEFAULT_ADJUSTMENT_SPEED",
    "CHANNELS",
]

#: Partial-adjustment speed with 38 % (= 0.76 / 2, Boehm et al. 2023) of the response after 4 quarters.
DEFAULT_ADJUSTMENT_SPEED = 1.0 - (1.0 - 0.38) ** 0.25
#: The components of the GDP path (they add up to it).
CHANNELS = ("trade", "retaliation_inputs", "real_income", "long_run_ge", "uncertainty")
NEAR_TERM_CHANNELS = ("trade", "retaliation_inputs", "real_income")


@dataclass(frozen=True)
class MacroAssumptions:
    """The macro assumptions of one case (central, or one Monte Carlo draw), resolved to numbers.

    ``market`` is the tariff-setting economy whose tariffs hit the reported ``country`` (the US in
    the built-ins); ``export_dependence`` the share of the country's exports that go there.
    """

    country: str
    market: str | None
    gdp_usd: float
    exports_usd: float
    form: str
    export_dependence: float
    export_dependence_data: float
    value_added_share: float
    value_added_share_other: float
    multiplier: float
    exchange_rate_offset: float
    uncertainty_drag_pct: float
    drag_half_life_quarters: float
    input_share_of_imports: float
    input_cost_passthrough: float
    adjustment_speed: float
    blend_start_quarter: float
    blend_end_quarter: float
    horizon: int
    sources: Mapping[str, str] = field(default_factory=dict)

    def replace(self, **kw: Any) -> MacroAssumptions:
        d = asdict(self)
        d.update(kw)
        return MacroAssumptions(**d)


def _pick(v: Range | float, case: str) -> float:

    if isinstance(v, Range):
        return float(getattr(v, case))
    return float(v)


def target_market(scenario: Scenario, data: TradeData) -> str | None:
    """The economy whose new tariffs hit the reported country hardest (by baseline trade);
    without such a measure, the country's largest export market."""
    c = scenario.country
    ci = data.index(c)
    hits = {
        m.importer
        for m in scenario.tariffs
        if m.importer != c and m.importer in data.countries and (m.exporters == "all" or c in m.exporters)
    }
    x = data.values[ci].sum(axis=1)
    cand = [data.index(m) for m in hits] or [j for j in range(data.n_countries) if j != ci]
    if not cand:
        return None
    return data.countries[max(cand, key=lambda j: x[j])]


def resolve_assumptions(scenario: Scenario, data: TradeData, *, case: str = "central") -> MacroAssumptions:
    """Resolve a scenario's assumptions on a dataset (``case``: low, central or high values).

    Country facts (WIOD value-added shares, export dependence in the data) come from
    :func:`tariffsim.inputs.countries.country_facts`; a value-added share the dataset does not have for
    the country must be set in the scenario (``assumptions.value_added_share``).
    """

    c = scenario.country
    ci = data.index(c)
    exports = float(data.values[ci].sum())
    if exports <= 0:
        raise DataError(f"{c} has no exports in dataset {data.name!r}", source=data.source, location="country")
    market = target_market(scenario, data)
    facts = country_facts(data, c, market)
    sources: dict[str, str] = {}
    sa = scenario.assumptions
    dep = sa.export_dependence
    if dep == "data":
        dep = facts.export_dependence
        sources["export_dependence"] = facts.export_dependence_source
    else:
        sources["export_dependence"] = f"scenario ({scenario.source})"
    va_spec = sa.value_added_share
    if va_spec == "data":
        if facts.value_added_share is None:
            raise DataError(
                f"no value-added share of {c}'s exports is shipped with dataset {data.name!r}; "
                "set assumptions.value_added_share in the scenario",
                source=scenario.source,
                location="assumptions.value_added_share",
            )
        assert facts.value_added_share_other is not None  # country_facts sets both shares or neither
        va, va_other = facts.value_added_share, facts.value_added_share_other
        sources["value_added_share"] = facts.value_added_source
    else:
        va = va_other = _pick(va_spec, case)
        sources["value_added_share"] = f"scenario ({scenario.source})"
    speed = DEFAULT_ADJUSTMENT_SPEED if sa.adjustment_speed == "data" else float(sa.adjustment_speed)
    qs, qe = float(sa.blend_start_quarter), float(sa.blend_end_quarter)
    sources.update({k: ASSUMPTIONS[k].source for k in ("blend_start_quarter", "blend_end_quarter")})
    return MacroAssumptions(
        country=c,
        market=market,
        gdp_usd=data.gdp_of(c),
        exports_usd=exports,
        form=sa.macro_form,
        export_dependence=float(dep),
        export_dependence_data=facts.export_dependence,
        value_added_share=float(va),
        value_added_share_other=float(va_other),
        multiplier=_pick(sa.multiplier, case),
        exchange_rate_offset=_pick(sa.exchange_rate_offset, case),
        uncertainty_drag_pct=_pick(sa.uncertainty_drag_pct, case),
        drag_half_life_quarters=float(sa.drag_half_life_quarters),
        input_share_of_imports=_pick(sa.us_input_share_of_imports, case),
        input_cost_passthrough=_pick(sa.input_cost_passthrough, case),
        adjustment_speed=speed,
        blend_start_quarter=qs,
        blend_end_quarter=qe,
        horizon=scenario.horizon,
        sources=sources,
    )


# ----------------------------------------------------------------------------- channels


def export_changes(o: TradeOutcome, country: int, market: int | None) -> dict[str, float]:
    """Percent change of the country's exports (exporter prices) to the market, to others, in total."""
    out = {"total_pct": o.exports_change_pct(country)}
    if market is None:
        return {**out, "market_pct": 0.0, "other_pct": out["total_pct"]}
    x0, x1 = o.V0[country], o.V1[country]
    mask = np.ones(x0.shape[0], bool)
    mask[[market, country]] = False  # other markets: neither the tariff setter nor home
    o0 = float(x0[mask].sum())
    out["market_pct"] = o.exports_change_pct(country, market)
    out["other_pct"] = 100.0 * (float(x1[mask].sum()) / o0 - 1.0) if o0 > 0 else 0.0
    return out


def export_loss_usd(o: TradeOutcome, a: MacroAssumptions, country: int, market: int | None) -> tuple[float, float]:
    """Export change in USD (to the market, to others) under the simple or sectoral form."""
    if a.form == "simple":
        ch = export_changes(o, country, market)
        return (
            a.export_dependence * a.exports_usd * ch["market_pct"] / 100.0,
            (1.0 - a.export_dependence) * a.exports_usd * ch["other_pct"] / 100.0,
        )
    d = o.V1[country] - o.V0[country]
    to_m = float(d[market].sum()) if market is not None else 0.0
    return to_m, float(d.sum() - d[country].sum()) - to_m


def value_added_pct(dx_market: float, dx_other: float, a: MacroAssumptions) -> float:
    """Value added in an export change, percent of GDP: (va_m dX_m + va_other dX_other) / GDP."""
    return 100.0 * (a.value_added_share * dx_market + a.value_added_share_other * dx_other) / a.gdp_usd


def trade_gdp_pct(dx_market: float, dx_other: float, a: MacroAssumptions) -> float:
    """Near-term GDP effect (percent) of an export change: k (1 - o) x value added in it."""
    return a.multiplier * (1.0 - a.exchange_rate_offset) * value_added_pct(dx_market, dx_other, a)


def drag_scale(V0: np.ndarray, t0: np.ndarray, t1: np.ndarray, country: int, market: int | None) -> float:
    """New duty on the country's exports relative to a 25 % tariff on all its sales to the market
    (the shock the drag assumption describes)."""
    if market is None:
        return 0.0
    bench = 0.25 * float(V0[country, market].sum())
    if bench <= 0:
        return 0.0
    dt = np.clip(t1[country] - t0[country], 0.0, None)
    return float((V0[country] * dt).sum()) / bench


def near_term_ramp(horizon: int, speed: float) -> np.ndarray:
    """Share of the one-year value reached in quarters 1..horizon: partial adjustment at ``speed``,
    ``(1 - (1-a)^q) / (1 - (1-a)^4)`` for q <= 4, then 1."""
    if not 0 < speed <= 1:
        raise DataError(f"adjustment speed must be in (0, 1], got {speed}", source="macro", location="adjustment_speed")
    q = np.arange(1, horizon + 1, dtype=float)
    keep = 1.0 - speed
    return (1.0 - keep ** np.minimum(q, 4.0)) / (1.0 - keep**4)


def blend_weight(horizon: int, start: float, end: float) -> np.ndarray:
    """Weight of the GE long run in quarters 1..horizon: 0 up to ``start``, linear to 1 at ``end``."""
    q = np.arange(1, horizon + 1, dtype=float)
    return np.clip((q - start) / (end - start), 0.0, 1.0)


def drag_path(drag_pct: float, half_life: float, horizon: int) -> np.ndarray:
    """Uncertainty drag (percent of GDP, negative = loss): full in quarters 1-4, then halving every
    ``half_life`` quarters."""
    q = np.arange(1, horizon + 1, dtype=float)
    return -drag_pct * np.where(q <= 4, 1.0, 0.5 ** ((q - 4) / half_life))


@dataclass(frozen=True, eq=False)
class MacroOutcome:
    """GDP effects for one elasticity set and one set of assumptions (percent of baseline GDP).

    ``path``: quarterly level deviation from baseline for quarters 1..H after the phase-in
    (negative = loss), the sum of ``components`` (by channel, see :data:`CHANNELS`).
    ``near_term``: the near-term channels at their one-year values. ``long_run_gdp_pct``: the GE
    long-run real GDP change. ``value_added_at_risk_pct``: value added in the PE long-run export
    loss (not a GDP effect). ``exports_near_term`` / ``exports_long_run``: percent export changes
    (to the market, to others, total; with ``*_with_input_costs`` under retaliation).
    """

    path: np.ndarray
    components: Mapping[str, np.ndarray]
    near_term: Mapping[str, float]
    long_run_gdp_pct: float
    value_added_at_risk_pct: float
    exports_near_term: Mapping[str, float]
    exports_long_run: Mapping[str, float]
    export_loss_usd_near_term: float
    export_loss_usd_long_run: float
    wedge: float
    assumptions: MacroAssumptions

    def __post_init__(self) -> None:
        self.path.setflags(write=False)

    def at(self, quarter: int = 4) -> float:
        """Deviation after ``quarter`` quarters (percent)."""
        return float(self.path[min(quarter, len(self.path)) - 1])

    @property
    def gdp_impact_pct(self) -> float:
        """Deviation of the GDP level from baseline after four quarters, percent."""
        return self.at(4)

    @property
    def first_year_avg_pct(self) -> float:
        """Average deviation over quarters 1-4 (the annual average published estimates report)."""
        return float(np.mean(self.path[:4]))


def _near_term_channels(
    near: TradeOutcome, near_wedge: TradeOutcome | None, c: int, m: int | None, a: MacroAssumptions
) -> tuple[dict[str, float], dict[str, float], float]:
    dx = export_loss_usd(near, a, c, m)
    ch = {"trade": trade_gdp_pct(*dx, a), "retaliation_inputs": 0.0}
    exports = export_changes(near, c, m)
    loss = sum(dx)
    if near_wedge is not None:
        dxw = export_loss_usd(near_wedge, a, c, m)
        ch["retaliation_inputs"] = trade_gdp_pct(*dxw, a) - ch["trade"]
        exports.update({f"{k}_with_input_costs": v for k, v in export_changes(near_wedge, c, m).items()})
        loss = sum(dxw)
    welfare = near.importer_welfare_usd
    ch["real_income"] = 100.0 * float(welfare[c]) / a.gdp_usd if welfare is not None else 0.0
    return ch, exports, loss


def gdp_outcome(
    *,
    near: TradeOutcome,
    long_run: TradeOutcome,
    at_risk: TradeOutcome,
    t0: np.ndarray,
    t1: np.ndarray,
    a: MacroAssumptions,
    near_wedge: TradeOutcome | None = None,
    wedge: float = 0.0,
) -> MacroOutcome:
    """The quarterly GDP path of one case.

    ``near``: the PE outcome at one-year elasticities (``near_wedge``: the same with the
    retaliation cost wedge, None without retaliation); ``long_run``: a GE outcome (its
    ``real_income_pct`` is the long-run GDP change); ``at_risk``: the PE outcome at long-run
    elasticities (value added at risk).
    """
    if long_run.real_income_pct is None:
        raise DataError(f"the long run needs a GE outcome; got a {long_run.model} outcome", source="macro")
    c = near.countries.index(a.country)
    m = near.countries.index(a.market) if a.market in near.countries else None
    nt, exports_nt, loss_nt = _near_term_channels(near, near_wedge, c, m, a)
    lr = float(long_run.real_income_pct[long_run.countries.index(a.country)])
    H = a.horizon
    ramp = near_term_ramp(H, a.adjustment_speed)
    b = blend_weight(H, a.blend_start_quarter, a.blend_end_quarter)
    comps = {k: (1.0 - b) * ramp * nt[k] for k in NEAR_TERM_CHANNELS}
    comps["long_run_ge"] = b * lr
    comps["uncertainty"] = drag_path(
        a.uncertainty_drag_pct * drag_scale(near.V0, t0, t1, c, m), a.drag_half_life_quarters, H
    )
    nt["uncertainty"] = float(comps["uncertainty"][0])
    path = np.sum([comps[k] for k in CHANNELS], axis=0)
    for v in comps.values():
        v.setflags(write=False)
    if not np.all(np.isfinite(path)):
        raise DataError("the GDP path is not finite; check the assumptions", source="macro")
    ar = export_loss_usd(at_risk, a, c, m)
    gc, gm = (
        long_run.countries.index(a.country),
        (long_run.countries.index(a.market) if a.market in long_run.countries else None),
    )
    return MacroOutcome(
        path=path,
        components=comps,
        near_term=nt,
        long_run_gdp_pct=lr,
        value_added_at_risk_pct=value_added_pct(*ar, a),
        exports_near_term=exports_nt,
        exports_long_run=export_changes(long_run, gc, gm),
        export_loss_usd_near_term=float(loss_nt),
        export_loss_usd_long_run=float(sum(export_loss_usd(long_run, a, gc, gm)))
        if long_run.on_dataset
        else float("nan"),
        wedge=float(wedge),
        assumptions=a,
    )
