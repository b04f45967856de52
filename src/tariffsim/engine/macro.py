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
     they are. Direct effect = domestic value added in the export change, ``sum_s dva_s dX_s``:
     shares by sector and destination from a Leontief inverse on WIOT 2011
     (:mod:`tariffsim.inputs.macro_data`), weighted by the model's export change by sector (Mexico
     to the US: 0.39 for electrical goods, 0.64 for vehicles, 0.94 for mining; 0.58 for what a
     uniform US tariff hits), times the domestic multiplier k and (1 - o), o the share of the
     tariff absorbed by a currency depreciation.
  2. *Retaliation, input costs* (``retaliation_inputs``): c's own tariff on m's goods raises the
     cost of m's inputs in c's exports by ``input share x pass-through x duty / exports``; entered
     into the PE model as a price wedge on c's exports, its extra export loss passes to GDP as in 1.
  3. *Real income* (``real_income``): c's PE net welfare as an importer (consumer surplus + tariff
     revenue), one for one; zero when c's market is untouched and exporter prices are fixed.
  4. *Uncertainty* (``uncertainty``): an investment drag from trade-policy uncertainty (Caldara et
     al. 2020: investment 1-2 % lower), times the country's investment share of GDP (WIOT 2011).
     It answers the threat to the country's market access, not the duty levied: it is the same for
     a scenario with exemptions as without, full in the first year, then fading; 0 switches it off.

  Within a year specialised capacity cannot move, so lost value added is lost output. The
  channels build up by partial adjustment, ``(1 - (1-a)^q) / (1 - (1-a)^4)`` of their one-year
  value in quarter q <= 4.

* **Long run: two numbers.** *Real income* (``real_income_pct_long_run``) is the real-income
  change of a general-equilibrium solution at the long-run elasticities (the one-sector GE, or the
  multi-sector GE with input-output linkages): what residents can buy, mostly the terms of trade.
  *Real GDP* (``long_run_gdp_pct``, the channel ``long_run``) is output at baseline prices: with
  fixed factors the static GE does not move it, so it comes from a stated mechanism,
  steady-state capital deepening when imported capital goods get dearer relative to the country's
  output (:func:`tariffsim.models.longrun.capital_deepening_gdp_pct`; the GE's own prices, the
  capital share and imported share of investment from data). The PE long-run export loss x value
  added is reported as *value added at risk*, never as GDP.

* **Path**: the near-term channels build up by partial adjustment (``ramp(q) x`` their one-year
  value); after ``blend_start_quarter`` (4) the channel ``long_run`` moves the total from the
  near-term level N to long-run real GDP L linearly, reaching it at ``blend_end_quarter`` (16: the
  Yale Budget Lab blends its near-term macro path into its GTAP long run over 16 quarters; capital
  adjusts over years): ``long_run(q) = b(q) x (L - N)``, b(q) = clip((q - qs)/(qe - qs), 0, 1), so
  the total is ``(1 - b) N + b L`` once the near term is built; the uncertainty drag is added. The
  path converges to real GDP, never to real income.

* **Dates** (:func:`dated_outcome`): a tariff that changes over the horizon is a sequence of
  levels, level j in force from quarter s_j. The near-term channels are superposed:
  ``sum_j [N_j - N_(j-1)] ramp(q - s_j)`` (N_0 = 0), so every change of the tariff starts its own
  partial adjustment and a lifted tariff's near-term effects unwind along the same path (back at
  zero four quarters after the removal). The move to the long run follows the level a tariff
  settles at: once a level has been in force ``blend_start_quarter`` quarters, the channel
  ``long_run`` heads linearly, over ``blend_end_quarter - blend_start_quarter`` quarters, from
  where it is to that level's L_j - N_j (zero for no tariff). A tariff lifted before it settles
  never starts the move (capital does not chase a tariff that is gone); one lifted later moves back
  at the same pace. For a tariff that never changes this is the path above. The uncertainty drag
  of each quarter is that of the tariff then in force, on the drag's profile from the start of its
  spell of tariffs (none once the tariff is lifted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from .._util import ShortRepr
from ..errors import DataError
from ..inputs.assumptions import ASSUMPTIONS, Range
from ..inputs.countries import country_facts
from ..inputs.macro_data import baseline_forecast, capital_facts, value_added_shares
from ..models.longrun import capital_deepening_gdp_pct, relative_investment_price_pct
from ..models.value_added import weighted_share
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
    "threatened",
    "baseline_growth",
    "long_run_real_gdp",
    "effective_value_added",
    "gdp_outcome",
    "superpose",
    "settle_path",
    "dated_outcome",
    "DEFAULT_ADJUSTMENT_SPEED",
    "CHANNELS",
]

#: Partial-adjustment speed with 38 % (= 0.76 / 2, Boehm et al. 2023) of the response after 4 quarters.
DEFAULT_ADJUSTMENT_SPEED = 1.0 - (1.0 - 0.38) ** 0.25
#: The components of the GDP path (they add up to it).
CHANNELS = ("trade", "retaliation_inputs", "real_income", "long_run", "uncertainty")
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
    value_added_by_sector: tuple[float, ...] | None = None
    value_added_by_sector_other: tuple[float, ...] | None = None
    investment_share_gdp: float = float("nan")
    capital_share: float = float("nan")
    imported_share_gfcf: float = float("nan")
    baseline_growth_annual_pct: float = float("nan")
    baseline_forecast: Mapping[str, Any] | None = None

    def replace(self, **kw: Any) -> MacroAssumptions:
        """A copy with some fields changed (the others shared: the record is frozen)."""
        return replace(self, **kw)

    def with_value_added_share(self, share: float) -> MacroAssumptions:
        """The same case with domestic value added per dollar of exports at ``share`` (to the market
        and to others): sector shares, where there are any, are scaled by ``share / value_added_share``
        (the sector pattern kept, capped at 1), so a draw or a sensitivity of the share moves the
        value added the near term actually uses."""
        f = share / self.value_added_share if self.value_added_share > 0 else 1.0

        def scaled(v: tuple[float, ...] | None) -> tuple[float, ...] | None:
            return None if v is None else tuple(min(1.0, x * f) for x in v)

        return self.replace(
            value_added_share=float(share),
            value_added_share_other=float(min(1.0, self.value_added_share_other * f)),
            value_added_by_sector=scaled(self.value_added_by_sector),
            value_added_by_sector_other=scaled(self.value_added_by_sector_other),
        )


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


def resolve_assumptions(
    scenario: Scenario, data: TradeData, *, case: str = "central", growth: bool = True
) -> MacroAssumptions:
    """Resolve a scenario's assumptions on a dataset (``case``: low, central or high values).

    Every figure is the reported country's own, from the scenario or the shipped data, or a
    :class:`DataError` names what is missing: value added in exports by sector and destination
    (WIOT 2011), the capital share and imported share of investment (long-run real GDP), the
    investment share of GDP (uncertainty drag) and, with ``growth``, the pre-tariff baseline growth
    forecast for the year of the phase-in (``data/macro/forecasts.csv``). Export dependence comes
    from :func:`tariffsim.inputs.countries.country_facts`.
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
    by_m: tuple[float, ...] | None = None
    by_o: tuple[float, ...] | None = None
    if sa.value_added_share == "data":
        try:
            sm, src = value_added_shares(c, market, data.sectors)
            so, _ = value_added_shares(c, None, data.sectors)
        except DataError as exc:
            raise DataError(exc.message, source=scenario.source, location="assumptions.value_added_share") from exc
        by_m, by_o = tuple(float(x) for x in sm), tuple(float(x) for x in so)
        xw = data.values[ci].sum(axis=0)
        w = data.values[ci, data.index(market)] if market is not None else xw
        va = weighted_share(sm, w) if np.any(w > 0) else weighted_share(sm, xw)
        va_other = weighted_share(so, xw)
        sources["value_added_share"] = (
            src + "; by sector, weighted by the baseline exports by sector to each destination (the GDP channel "
            "re-weights by the export change the tariff causes: domestic_value_added_share)"
        )
    else:
        va = va_other = _pick(sa.value_added_share, case)
        sources["value_added_share"] = f"scenario ({scenario.source})"
    cap = None
    if "data" in (sa.capital_share, sa.imported_share_gfcf, sa.uncertainty_drag_pct):
        try:
            cap = capital_facts(c)
        except DataError as exc:
            raise DataError(exc.message, source=scenario.source, location="assumptions") from exc
    alpha = cap.capital_share if cap is not None and sa.capital_share == "data" else sa.capital_share
    s_m = cap.imported_share_gfcf if cap is not None and sa.imported_share_gfcf == "data" else sa.imported_share_gfcf
    inv = cap.investment_share_gdp if cap is not None else float("nan")
    sources["capital_share"] = cap.source if cap is not None else f"scenario ({scenario.source})"
    if sa.uncertainty_drag_pct == "data":
        assert cap is not None
        drag = _pick(sa.investment_drop_pct, case) * cap.investment_share_gdp
        sources["uncertainty_drag_pct"] = (
            f"{ASSUMPTIONS['investment_drop_pct'].source}; x {c}'s investment share of GDP "
            f"{cap.investment_share_gdp:.3f} (WIOT 2011); answers the threat, not the duty levied"
        )
    else:
        drag = _pick(sa.uncertainty_drag_pct, case)
        sources["uncertainty_drag_pct"] = f"scenario ({scenario.source})"
    growth_pct, fc = baseline_growth(scenario, c) if growth else (float("nan"), None)
    if fc is not None:
        sources["baseline_growth_annual_pct"] = str(fc["label"])
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
        uncertainty_drag_pct=float(drag),
        drag_half_life_quarters=float(sa.drag_half_life_quarters),
        input_share_of_imports=_pick(sa.us_input_share_of_imports, case),
        input_cost_passthrough=_pick(sa.input_cost_passthrough, case),
        adjustment_speed=speed,
        blend_start_quarter=qs,
        blend_end_quarter=qe,
        horizon=scenario.horizon,
        sources=sources,
        value_added_by_sector=by_m,
        value_added_by_sector_other=by_o,
        investment_share_gdp=float(inv),
        capital_share=float(alpha),
        imported_share_gfcf=float(s_m),
        baseline_growth_annual_pct=growth_pct,
        baseline_forecast=fc,
    )


def baseline_growth(scenario: Scenario, country: str) -> tuple[float, dict[str, Any]]:
    """The baseline growth forecast (percent a year) and its record: the scenario's, else the
    latest pre-tariff forecast for the country and the phase-in year, else a DataError."""
    sa = scenario.assumptions
    if sa.baseline_growth_annual_pct != "data":
        g = float(sa.baseline_growth_annual_pct)
        return g, {
            "country": country,
            "growth_pct": g,
            "publisher": "scenario",
            "publication": scenario.source,
            "date": None,
            "pre_tariff": None,
            "label": f"scenario ({scenario.source})",
        }
    where = "assumptions.baseline_growth_annual_pct"
    if not scenario.phase_in:
        raise DataError(
            "no phase_in quarter to date the baseline growth forecast; set phase_in or " + where,
            source=scenario.source,
            location=where,
        )
    try:
        f = baseline_forecast(country, int(str(scenario.phase_in)[:4]))
    except DataError as exc:
        raise DataError(exc.message, source=scenario.source, location=where) from exc
    return f.growth_pct, {**f.to_dict(), "label": f"{f.publisher}: {f.label}"}


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


def effective_value_added(
    o: TradeOutcome, a: MacroAssumptions, country: int, market: int | None
) -> tuple[float, float]:
    """Domestic value added per dollar of the export change to the market and to other markets:
    the sector shares weighted by the outcome's export change by sector (by baseline sales when
    the outcome changes nothing there or changes mix signs), or the scenario's single share."""
    if a.value_added_by_sector is None or a.value_added_by_sector_other is None or not o.on_dataset:
        return a.value_added_share, a.value_added_share_other
    d = o.V1[country] - o.V0[country]  # (importers, sectors)
    x0 = o.V0[country]
    others = np.ones(d.shape[0], bool)
    others[country] = False
    if market is not None:
        others[market] = False

    def share(shares: tuple[float, ...], dx: np.ndarray, base: np.ndarray, fallback: float) -> float:
        one_sign = not (np.any(dx > 0) and np.any(dx < 0))
        w = dx if one_sign and np.any(dx != 0) else base
        return weighted_share(np.asarray(shares), w) if np.any(w != 0) else fallback

    va_m = (
        share(a.value_added_by_sector, d[market], x0[market], a.value_added_share)
        if market is not None
        else a.value_added_share
    )
    va_o = share(
        a.value_added_by_sector_other, d[others].sum(axis=0), x0[others].sum(axis=0), a.value_added_share_other
    )
    return va_m, va_o


def value_added_pct(dx_market: float, dx_other: float, va_m: float, va_o: float, gdp_usd: float) -> float:
    """Value added in an export change, percent of GDP: (va_m dX_m + va_other dX_other) / GDP."""
    return 100.0 * (va_m * dx_market + va_o * dx_other) / gdp_usd


def trade_gdp_pct(o: TradeOutcome, a: MacroAssumptions, country: int, market: int | None) -> float:
    """Near-term GDP effect (percent) of an outcome's export change: k (1 - o) x value added in it."""
    dx = export_loss_usd(o, a, country, market)
    va = effective_value_added(o, a, country, market)
    return a.multiplier * (1.0 - a.exchange_rate_offset) * value_added_pct(*dx, *va, a.gdp_usd)


def threatened(t0: np.ndarray, t1: np.ndarray, country: int) -> bool:
    """Whether the scenario changes a tariff on the country's exports or imports: the threat the
    uncertainty drag answers (its size does not depend on the duty)."""
    return bool(np.any(t1[country] != t0[country]) or np.any(t1[:, country] != t0[:, country]))


def long_run_real_gdp(long_run: TradeOutcome, a: MacroAssumptions) -> tuple[float, float, float, float]:
    """Long-run real GDP (percent) of the reported country by steady-state capital deepening at a GE
    outcome's prices: (real GDP %, import price %, output price %, relative investment price %).
    The output price is the country's factor price (wage) in the GE, the import price the
    import-weighted composite import price; both in the GE's numeraire (only their ratio matters)."""
    k = long_run.countries.index(a.country)
    w_hat = getattr(long_run.detail, "w_hat", None)
    if w_hat is None:
        raise DataError(f"the long run needs a GE outcome with factor prices; got {long_run.model}", source="macro")
    p_y = float(np.asarray(w_hat, dtype=float)[k])
    ip = np.asarray(long_run.import_price_hat, dtype=float)[k]
    imp = np.array(long_run.V0[:, k], dtype=float)
    imp[k] = 0.0
    wts = imp.sum(axis=0)
    p_m = float((ip * wts).sum() / wts.sum()) if wts.shape == ip.shape and wts.sum() > 0 else float(np.mean(ip))
    pm_pct, py_pct = 100.0 * (p_m - 1.0), 100.0 * (p_y - 1.0)
    gdp = float(capital_deepening_gdp_pct(a.capital_share, a.imported_share_gfcf, pm_pct, py_pct))
    rel = float(relative_investment_price_pct(a.imported_share_gfcf, pm_pct, py_pct))
    return gdp, pm_pct, py_pct, rel


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


@dataclass(frozen=True, eq=False, repr=False)
class MacroOutcome(ShortRepr):
    """GDP effects for one elasticity set and one set of assumptions (percent of baseline GDP).

    ``path``: quarterly level deviation from baseline for quarters 1..H after the phase-in
    (negative = loss), the sum of ``components`` (by channel, see :data:`CHANNELS`).
    ``near_term``: the near-term channels at their one-year values. ``long_run_gdp_pct``: long-run
    real GDP (capital deepening at the GE's prices); ``real_income_pct_long_run``: the GE's real
    income, a different number. ``domestic_value_added_share``: value added per dollar of the
    near-term export change. ``value_added_at_risk_pct``: value added in the PE long-run export
    loss (not a GDP effect). ``exports_near_term`` / ``exports_long_run``: percent export changes
    (to the market, to others, total; with ``*_with_input_costs`` under retaliation).
    ``long_run_prices``: the import, output and relative investment price changes (percent).
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
    real_income_pct_long_run: float = float("nan")
    domestic_value_added_share: float = float("nan")
    long_run_prices: Mapping[str, float] = field(default_factory=dict)

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
) -> tuple[dict[str, float], dict[str, float], float, float]:
    dx = export_loss_usd(near, a, c, m)
    va_m, va_o = effective_value_added(near, a, c, m)
    scale = a.multiplier * (1.0 - a.exchange_rate_offset)  # trade_gdp_pct, from the values computed once
    ch = {"trade": scale * value_added_pct(*dx, va_m, va_o, a.gdp_usd), "retaliation_inputs": 0.0}
    exports = export_changes(near, c, m)
    loss = sum(dx)
    dva = (va_m * dx[0] + va_o * dx[1]) / loss if loss != 0 else a.value_added_share
    if near_wedge is not None:
        dxw = export_loss_usd(near_wedge, a, c, m)
        ch["retaliation_inputs"] = (
            scale * value_added_pct(*dxw, *effective_value_added(near_wedge, a, c, m), a.gdp_usd) - ch["trade"]
        )
        exports.update({f"{k}_with_input_costs": v for k, v in export_changes(near_wedge, c, m).items()})
        loss = sum(dxw)
    welfare = near.importer_welfare_usd
    ch["real_income"] = 100.0 * float(welfare[c]) / a.gdp_usd if welfare is not None else 0.0
    return ch, exports, loss, float(dva)


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
    retaliation cost wedge, None without retaliation); ``long_run``: a GE outcome (its prices give
    long-run real GDP; its ``real_income_pct`` is real income, not GDP); ``at_risk``: the PE outcome at long-run
    elasticities (value added at risk).
    """
    if long_run.real_income_pct is None:
        raise DataError(f"the long run needs a GE outcome; got a {long_run.model} outcome", source="macro")
    c = near.countries.index(a.country)
    m = near.countries.index(a.market) if a.market in near.countries else None
    nt, exports_nt, loss_nt, dva = _near_term_channels(near, near_wedge, c, m, a)
    income = float(long_run.real_income_pct[long_run.countries.index(a.country)])
    lr, pm, py, rel = long_run_real_gdp(long_run, a)
    H = a.horizon
    ramp = near_term_ramp(H, a.adjustment_speed)
    b = blend_weight(H, a.blend_start_quarter, a.blend_end_quarter)
    comps = {k: ramp * nt[k] for k in NEAR_TERM_CHANNELS}
    comps["long_run"] = b * (lr - sum(nt[k] for k in NEAR_TERM_CHANNELS))
    comps["uncertainty"] = drag_path(
        a.uncertainty_drag_pct if threatened(t0, t1, c) else 0.0, a.drag_half_life_quarters, H
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
        value_added_at_risk_pct=value_added_pct(*ar, *effective_value_added(at_risk, a, c, m), a.gdp_usd),
        exports_near_term=exports_nt,
        exports_long_run=export_changes(long_run, gc, gm),
        export_loss_usd_near_term=float(loss_nt),
        export_loss_usd_long_run=float(sum(export_loss_usd(long_run, a, gc, gm)))
        if long_run.on_dataset
        else float("nan"),
        wedge=float(wedge),
        assumptions=a,
        real_income_pct_long_run=income,
        domestic_value_added_share=dva,
        long_run_prices={"import_price_pct": pm, "output_price_pct": py, "relative_investment_price_pct": rel},
    )


def superpose(paths: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The path of a tariff that changes level: ``paths`` (J, H) the path of each level in force from
    quarter 1, ``starts`` (J,) the 0-based quarter each level starts (increasing, the first 0);
    ``sum_j shift(paths[j] - paths[j-1], starts[j])`` with ``paths[-1]`` = 0."""
    P = np.asarray(paths, dtype=float)
    J, H = P.shape
    steps = np.diff(np.vstack([np.zeros((1, H)), P]), axis=0)  # (J, H): each change's own response
    out = np.zeros(H)
    for j, s in enumerate(np.asarray(starts, dtype=int)):
        out[s:] += steps[j, : H - s]
    return out


def settle_path(targets: list[float], starts: list[int], horizon: int, start: float, end: float) -> np.ndarray:
    """The ``long_run`` channel of a dated run: level j (target ``targets[j]``) in force from 0-based
    quarter ``starts[j]``; once a level has been in force ``start`` quarters, the channel moves
    linearly from its value then to the level's target over ``end - start`` quarters (a level lifted
    before that never moves it). For one level from quarter 0 this is ``b(q) x target``."""
    span = float(end - start)
    st = np.asarray(starts, dtype=int)
    level_of = np.searchsorted(st, np.arange(horizon), side="right") - 1
    out = np.zeros(horizon)
    cur = goal = step = 0.0
    for q in range(horizon):
        j = int(level_of[q])
        if q - st[j] >= start and targets[j] != goal:  # the level has settled: head for its target
            goal = targets[j]
            step = (goal - cur) / span
        if step:
            cur += step
            if (step > 0 and cur >= goal) or (step < 0 and cur <= goal):
                cur, step = goal, 0.0
        out[q] = cur
    return out


def dated_outcome(static: MacroOutcome, levels: list[MacroOutcome | None], starts: list[int]) -> MacroOutcome:
    """``static`` (the outcome at the first-year mean tariffs: its trade and near-term figures
    stay) with the dated GDP path of :func:`superpose` over ``levels`` (None: the baseline, no
    change) starting at ``starts``; the long run is the last level's."""
    H = len(static.path)
    zeros = np.zeros(H)

    def stack(key: str | None) -> np.ndarray:
        return np.vstack([zeros if m is None else (m.path if key is None else m.components[key]) for m in levels])

    st = np.asarray(starts)
    comps = {k: superpose(stack(k), st) for k in static.components if k not in ("uncertainty", "long_run")}
    a = static.assumptions
    moves = [0.0 if m is None else m.long_run_gdp_pct - sum(m.near_term[k] for k in NEAR_TERM_CHANNELS) for m in levels]
    comps["long_run"] = settle_path(moves, starts, H, a.blend_start_quarter, a.blend_end_quarter)
    # the uncertainty drag is not an adjustment: each quarter carries the drag of the tariff then in
    # force, on the drag's own profile from the start of the spell of tariffs it belongs to (full for
    # four quarters, then fading); a lifted tariff leaves no drag
    level_of = np.searchsorted(st, np.arange(H), side="right") - 1
    drag = np.zeros(H)
    spell: int | None = None
    for q in range(H):
        lv = levels[level_of[q]]
        if lv is None:
            spell = None
            continue
        spell = q if spell is None else spell
        drag[q] = lv.components["uncertainty"][q - spell]
    comps["uncertainty"] = drag
    for v in comps.values():
        v.setflags(write=False)
    path = np.sum([comps[k] for k in CHANNELS], axis=0)
    last = levels[-1]
    near = dict(static.near_term)
    near["uncertainty"] = float(comps["uncertainty"][0])
    return replace(
        static,
        path=path,
        components=comps,
        near_term=near,
        long_run_gdp_pct=0.0 if last is None else last.long_run_gdp_pct,
        real_income_pct_long_run=0.0 if last is None else last.real_income_pct_long_run,
        long_run_prices={} if last is None else dict(last.long_run_prices),
    )
