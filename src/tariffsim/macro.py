"""Macro transmission: from the trade shock to the GDP of the reported country (MODELS.md section 2).

Pure functions on arrays and numbers; the scenario's assumptions are resolved once into a
:class:`MacroAssumptions` record.

Channels, for the reported country c (Mexico in the built-ins), all in percent of baseline GDP:

1. **Exports** (``trade``). The export change at exporter prices from the trade model, split into
   exports to the US and to other markets. *Simple form* (the design card's, used by ``mex25``):
   exports to the US = export dependence d x total exports, the rest (1 - d) x total exports,
   each moved by the trade model's percent change for that destination. *Sectoral form*: the
   trade model's export change by sector and market as it is. The direct GDP effect is
   value-added share x export change (WIOD 2014: 0.65 of Mexico's gross exports to the US is
   domestic value added), then times the domestic multiplier k, and times (1 - o) where o is the
   share of the tariff absorbed by a currency depreciation (exchange-rate offset).
2. **Retaliation, input costs** (``retaliation_inputs``). A tariff the country puts on US goods
   raises the cost of the US inputs in its exports: a cost push on all its export prices of
   ``us_input_share_of_imports x input_cost_passthrough x (retaliatory duty on US goods) /
   total exports``. It is entered into the trade model as a price wedge on the country's exports
   to every market; the export loss it adds passes to GDP as in channel 1. Parameters:
   ``us_input_share_of_imports`` and ``input_cost_passthrough``.
3. **Real income** (``real_income``). The country's net welfare as an importer from the trade
   model (consumer surplus change + tariff revenue change, summed over sectors): with retaliation,
   dearer US consumer and input goods lower real income more than the duty collected returns.
   Passed to GDP one for one (assumption). Zero when its import market is untouched and exporter
   prices are fixed.
4. **Uncertainty** (``uncertainty``). An investment/uncertainty drag of ``uncertainty_drag_pct``
   of GDP for a shock the size of the seed case (25 % on all exports to the US), scaled by the
   duty the new tariffs put on the country's exports relative to that benchmark; full in the
   first four quarters, then fading with ``drag_half_life_quarters``.

Timing (MODELS.md section 2; Boehm, Levchenko and Pandalai-Nayar 2023): trade adjusts by partial
adjustment at speed ``a`` a quarter. The trade channels build up to their short-run value (trade
elasticities scaled by 0.38 = 0.76/2) over the first four quarters after the phase-in,
``SR (1 - (1-a)^q) / (1 - (1-a)^4)``, then close the gap to the long-run value,
``LR + (SR - LR)(1-a)^(q-4)``. The default speed ``a = 1 - 0.62^(1/4) = 0.113`` is the one at
which a partial-adjustment process has 38 % of its long-run response after one year (0.76 of
about 2); it closes 94 % of the remaining gap in the next six years, in line with Boehm et al.'s
"about 2 after 7-10 years".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np

from .errors import DataError

__all__ = [
    "MacroAssumptions",
    "MacroOutcome",
    "resolve_assumptions",
    "export_changes",
    "retaliation_wedge",
    "adjustment_path",
    "drag_path",
    "gdp_outcome",
    "DEFAULT_ADJUSTMENT_SPEED",
]

#: Partial-adjustment speed with 38 % (= 0.76 / 2, Boehm et al. 2023) of the response after 4 quarters.
DEFAULT_ADJUSTMENT_SPEED = 1.0 - (1.0 - 0.38) ** 0.25
CHANNELS = ("trade", "retaliation_inputs", "real_income", "uncertainty")
US = "USA"


@dataclass(frozen=True)
class MacroAssumptions:
    """The macro assumptions of one case (central, or one Monte Carlo draw), resolved to numbers."""

    country: str
    gdp_usd: float
    exports_usd: float
    form: str
    export_dependence: float  # used (simple form); the data's value for the sectoral form
    export_dependence_data: float
    value_added_share: float
    value_added_share_other: float
    multiplier: float
    exchange_rate_offset: float
    uncertainty_drag_pct: float
    drag_half_life_quarters: float
    us_input_share_of_imports: float
    input_cost_passthrough: float
    adjustment_speed: float
    horizon: int
    sources: Mapping[str, str] = field(default_factory=dict)

    def replace(self, **kw) -> MacroAssumptions:
        d = asdict(self)
        d.update(kw)
        return MacroAssumptions(**d)


def _pick(v, case: str) -> float:
    from .scenario import Range

    if isinstance(v, Range):
        return float(getattr(v, case))
    return float(v)


def _country_facts(data, c: str) -> dict:
    """Facts shipped for the reported country (Mexico: WIOD value-added shares, BACI dependence):
    from the dataset's metadata, else from the embedded default dataset."""
    if c != "MEX":
        return {}
    if "mexico" in data.meta:
        return dict(data.meta["mexico"])
    from .datasets import load_dataset

    return dict(load_dataset("default").meta.get("mexico", {}))


def resolve_assumptions(scenario, data, *, case: str = "central", need_value_added: bool = True) -> MacroAssumptions:
    """Resolve a scenario's assumptions on a dataset (``case``: low, central or high values).

    ``need_value_added=False`` (GE model) leaves a missing value-added share as NaN instead of
    raising.
    """
    from .scenario import ASSUMPTIONS

    c = scenario.country
    ci = data.index(c)
    gdp = data.gdp_of(c)
    exports = float(data.values[ci].sum())
    if exports <= 0:
        raise DataError(f"{c} has no exports in dataset {data.name!r}", source=data.source)
    meta_c = _country_facts(data, c)
    own_meta = "mexico" in data.meta
    if US not in data.countries:
        dep_data = 0.0
    elif own_meta:
        dep_data = float(meta_c.get("export_dependence_data", data.export_share(c, US)))
    else:
        dep_data = float(data.export_share(c, US))
    sources = {}

    dep = scenario.assumption("export_dependence")
    if dep == "data":
        dep = dep_data
        sources["export_dependence"] = ASSUMPTIONS["export_dependence"].source
    else:
        sources["export_dependence"] = f"scenario ({scenario.source})"
    va = scenario.assumption("value_added_share")
    va_other = None
    if va == "data":
        dva = meta_c.get("dva_share_wiod")
        if dva is None and need_value_added:
            raise DataError(
                f"no value-added share for {c} is shipped; set assumptions.value_added_share",
                source=data.source,
                location="assumptions.value_added_share",
            )
        if dva is None:
            va = va_other = float("nan")
        else:
            y = str(dva["year"])
            va, va_other = float(dva["to_usa"][y]), float(dva["to_world"][y])
            sources["value_added_share"] = f"WIOD 2016 release, {c} gross exports {y}: to US {va}, to world {va_other}"
    else:
        va = _pick(va, case)
        sources["value_added_share"] = f"scenario ({scenario.source})"
    speed = scenario.assumption("adjustment_speed")
    speed = DEFAULT_ADJUSTMENT_SPEED if speed == "data" else float(speed)
    return MacroAssumptions(
        country=c,
        gdp_usd=gdp,
        exports_usd=exports,
        form=scenario.assumption("macro_form"),
        export_dependence=float(dep),
        export_dependence_data=dep_data,
        value_added_share=float(va),
        value_added_share_other=float(va if va_other is None else va_other),
        multiplier=_pick(scenario.assumption("multiplier"), case),
        exchange_rate_offset=_pick(scenario.assumption("exchange_rate_offset"), case),
        uncertainty_drag_pct=_pick(scenario.assumption("uncertainty_drag_pct"), case),
        drag_half_life_quarters=float(scenario.assumption("drag_half_life_quarters")),
        us_input_share_of_imports=_pick(scenario.assumption("us_input_share_of_imports"), case),
        input_cost_passthrough=_pick(scenario.assumption("input_cost_passthrough"), case),
        adjustment_speed=speed,
        horizon=scenario.horizon,
        sources=sources,
    )


# ----------------------------------------------------------------------------- channels


def export_changes(V0: np.ndarray, V1: np.ndarray, country: int, us: int | None) -> dict[str, float]:
    """Percent change of the country's exports (exporter prices) to the US, to others, in total."""
    x0, x1 = V0[country], V1[country]
    out = {"total_pct": 100.0 * (x1.sum() / x0.sum() - 1.0) if x0.sum() > 0 else 0.0}
    if us is None:
        out["us_pct"] = 0.0
        out["other_pct"] = out["total_pct"]
        return out
    mask = np.ones(V0.shape[1], bool)
    mask[us] = False
    u0, o0 = x0[us].sum(), x0[mask].sum()
    out["us_pct"] = 100.0 * (x1[us].sum() / u0 - 1.0) if u0 > 0 else 0.0
    out["other_pct"] = 100.0 * (x1[mask].sum() / o0 - 1.0) if o0 > 0 else 0.0
    return out


def export_loss_usd(ch: Mapping[str, float], a: MacroAssumptions, V0=None, V1=None, country=None, us=None):
    """Export change in USD split (to US, to others) under the simple or sectoral form."""
    if a.form == "simple":
        return (
            a.export_dependence * a.exports_usd * ch["us_pct"] / 100.0,
            (1.0 - a.export_dependence) * a.exports_usd * ch["other_pct"] / 100.0,
        )
    d = V1[country] - V0[country]
    to_us = float(d[us].sum()) if us is not None else 0.0
    return to_us, float(d.sum()) - to_us


def trade_gdp_pct(dx_us: float, dx_other: float, a: MacroAssumptions) -> float:
    """GDP effect (percent) of an export change: k (1 - o) (va_US dX_US + va_other dX_other) / GDP."""
    direct = a.value_added_share * dx_us + a.value_added_share_other * dx_other
    return 100.0 * a.multiplier * (1.0 - a.exchange_rate_offset) * direct / a.gdp_usd


def retaliation_wedge(data, t0: np.ndarray, t1: np.ndarray, country: int, us: int | None, a: MacroAssumptions) -> float:
    """Cost push on the country's export prices (share) from its tariffs on US inputs.

    ``share of US imports that are inputs x pass-through x Σ_s M_US,s (t1 - t0) / total exports``.
    """
    if us is None:
        return 0.0
    dt = t1[us, country] - t0[us, country]
    if not np.any(dt > 0):
        return 0.0
    duty = float((data.values[us, country] * dt).sum())
    return a.us_input_share_of_imports * a.input_cost_passthrough * duty / a.exports_usd


def drag_scale(V0: np.ndarray, t0: np.ndarray, t1: np.ndarray, country: int, us: int | None) -> float:
    """New duty on the country's exports relative to the seed case (25 % on all its exports to the US)."""
    if us is None:
        return 0.0
    bench = 0.25 * float(V0[country, us].sum())
    if bench <= 0:
        return 0.0
    dt = np.clip(t1[country] - t0[country], 0.0, None)
    return float((V0[country] * dt).sum()) / bench


def adjustment_path(short_run: float, long_run: float, horizon: int, speed: float) -> np.ndarray:
    """Quarterly level deviation (quarters 1..horizon after the phase-in) by partial adjustment at
    ``speed``: ``SR (1 - (1-a)^q) / (1 - (1-a)^4)`` for q <= 4 (reaching the short-run value after
    one year), then ``LR + (SR - LR)(1 - a)^(q - 4)``."""
    if not 0 < speed <= 1:
        raise DataError(f"adjustment speed must be in (0, 1], got {speed}", source="macro", location="adjustment_speed")
    q = np.arange(1, horizon + 1, dtype=float)
    keep = 1.0 - speed
    ramp = (1.0 - keep ** np.minimum(q, 4.0)) / (1.0 - keep**4)
    after = long_run + (short_run - long_run) * keep ** np.maximum(q - 4.0, 0.0)
    return np.where(q <= 4, short_run * ramp, after)


def drag_path(drag_pct: float, half_life: float, horizon: int) -> np.ndarray:
    """Uncertainty drag (percent of GDP, negative = loss): full in quarters 1-4, then halving every
    ``half_life`` quarters."""
    q = np.arange(1, horizon + 1, dtype=float)
    return -drag_pct * np.where(q <= 4, 1.0, 0.5 ** ((q - 4) / half_life))


@dataclass(frozen=True, eq=False)
class MacroOutcome:
    """GDP effects for one elasticity set and one set of assumptions.

    ``path`` is the quarterly GDP level deviation from baseline (percent; negative = loss) for
    quarters 1..H after the phase-in; ``components`` the same by channel (dict of arrays);
    ``short_run`` / ``long_run`` the channel values at the two ends (percent of GDP);
    ``exports`` the percent export changes (to the US, to others, total) at each end.
    """

    path: np.ndarray
    components: Mapping[str, np.ndarray]
    short_run: Mapping[str, float]
    long_run: Mapping[str, float]
    exports_short_run: Mapping[str, float]
    exports_long_run: Mapping[str, float]
    export_loss_usd_short_run: float
    export_loss_usd_long_run: float
    wedge: float
    assumptions: MacroAssumptions

    def __post_init__(self):
        self.path.setflags(write=False)

    def at(self, quarter: int = 4) -> float:
        """Deviation after ``quarter`` quarters (percent)."""
        return float(self.path[min(quarter, len(self.path)) - 1])

    @property
    def gdp_impact_pct(self) -> float:
        """Deviation of the GDP level from baseline after four quarters, percent."""
        return self.at(4)


def gdp_outcome(
    *,
    data,
    t0: np.ndarray,
    t1: np.ndarray,
    policy_sr,
    policy_lr,
    wedge_sr=None,
    wedge_lr=None,
    wedge: float = 0.0,
    a: MacroAssumptions,
) -> MacroOutcome:
    """Combine the trade model's short- and long-run outcomes into a quarterly GDP path.

    ``policy_sr`` / ``policy_lr``: PE outcomes (or any object with V0, V1, importer_welfare) of the
    tariffs alone; ``wedge_sr`` / ``wedge_lr``: the same with the retaliation cost wedge on the
    country's exports (None when there is no retaliation).
    """
    c = data.index(a.country)
    us = data.countries.index(US) if US in data.countries else None
    ends = {}
    exports = {}
    losses = {}
    for end, pol, wed in (("short_run", policy_sr, wedge_sr), ("long_run", policy_lr, wedge_lr)):
        ch = export_changes(pol.V0, pol.V1, c, us)
        dx = export_loss_usd(ch, a, pol.V0, pol.V1, c, us)
        trade = trade_gdp_pct(*dx, a)
        ret = 0.0
        if wed is not None:
            chw = export_changes(wed.V0, wed.V1, c, us)
            dxw = export_loss_usd(chw, a, wed.V0, wed.V1, c, us)
            ret = trade_gdp_pct(*dxw, a) - trade
            exports[end] = {**ch, **{f"{k}_with_input_costs": v for k, v in chw.items()}}
            losses[end] = sum(dxw)
        else:
            exports[end] = ch
            losses[end] = sum(dx)
        real = 100.0 * float(np.sum(pol.importer_welfare[c])) / a.gdp_usd
        ends[end] = {"trade": trade, "retaliation_inputs": ret, "real_income": real}
    H = a.horizon
    comps = {
        k: adjustment_path(ends["short_run"][k], ends["long_run"][k], H, a.adjustment_speed)
        for k in ("trade", "retaliation_inputs", "real_income")
    }
    scale = drag_scale(policy_lr.V0, t0, t1, c, us)
    comps["uncertainty"] = drag_path(a.uncertainty_drag_pct * scale, a.drag_half_life_quarters, H)
    ends["short_run"]["uncertainty"] = float(comps["uncertainty"][0])
    ends["long_run"]["uncertainty"] = 0.0
    path = np.sum([comps[k] for k in CHANNELS], axis=0)
    for v in comps.values():
        v.setflags(write=False)
    if not np.all(np.isfinite(path)):
        raise DataError("the GDP path is not finite; check the assumptions", source="macro")
    return MacroOutcome(
        path=path,
        components=comps,
        short_run=ends["short_run"],
        long_run=ends["long_run"],
        exports_short_run=exports["short_run"],
        exports_long_run=exports["long_run"],
        export_loss_usd_short_run=float(losses["short_run"]),
        export_loss_usd_long_run=float(losses["long_run"]),
        wedge=float(wedge),
        assumptions=a,
    )


def wedge_tariffs(t1: np.ndarray, country: int, wedge: float) -> np.ndarray:
    """Scenario tariffs with a cost wedge on every export of ``country``: (1+t)(1+w) - 1."""
    out = np.array(t1, dtype=float, copy=True)
    if wedge > 0:
        out[country] = (1.0 + out[country]) * (1.0 + wedge) - 1.0
        out[country, country] = t1[country, country]
    return out
