"""What to say when a model cannot be computed: the inputs a user wrote that most likely caused it.

A solver that does not converge, or a floating-point overflow, is reported by
:meth:`tariffsim.engine.adapters.Adapter.run` with :func:`suspects`: the elasticity set and the
parameter of it that sits next to its special value (where the model's formulas divide by zero
or raise costs to an infinite power), named by the field the user wrote, and the largest tariff
of the scenario with the measure that set it.
"""

from __future__ import annotations

import math

import numpy as np

from ..inputs.elasticities import ElasticitySet
from ..inputs.measures import TariffMeasure
from .trade import Horizon, TradeContext

__all__ = ["SPECIAL_VALUES", "NEAR_SPECIAL", "suspects", "largest_tariff"]

#: Each elasticity's special value and what happens there.
SPECIAL_VALUES: dict[str, tuple[float, str]] = {
    "sigma": (1.0, "sigma - 1, the trade elasticity, is zero there"),
    "eta": (1.0, "import demand is unit-elastic there"),
    "eps_x": (0.0, "export supply is fixed there"),
    "ge_trade_elasticity": (0.0, "expenditure shares stop responding to trade costs there"),
}
#: How close to its special value a parameter is said to be "next to" it (elasticities are of
#: order one: the smallest published trade elasticities are about 0.3).
NEAR_SPECIAL = 0.01


def _set_field(ctx: TradeContext, es: ElasticitySet, key: str) -> str:
    """Where the user wrote ``key`` of ``es``: the scenario's custom set, else the shipped set."""
    base = es.name.split("*", 1)[0]
    if base in ctx.scenario.custom_sets:
        return f"{ctx.scenario.source}: elasticities.custom.{base}.{key}"
    return f"elasticity set {base!r} ({key})"


def suspects(ctx: TradeContext, es: ElasticitySet, horizon: Horizon) -> str:
    """The inputs of a failed solve, in words: each elasticity of ``es`` next to its special value
    (:data:`NEAR_SPECIAL`) with the field that set it, else the set's values; and the largest
    scenario tariff with its measure."""
    try:
        el = es.arrays(ctx.data.sectors, horizon)
    except Exception:  # noqa: BLE001 - a diagnostic never hides the error it explains
        el = {}
    values: dict[str, np.ndarray] = {k: np.asarray(v, dtype=float) for k, v in el.items()}
    values["ge_trade_elasticity"] = np.array([es.ge_trade_elasticity], dtype=float)
    near: list[str] = []
    for key, arr in values.items():
        if key == "ge_trade_elasticity" and any(x.startswith(_set_field(ctx, es, "sigma")) for x in near):
            continue  # epsilon is sigma - 1 unless the set gives it: the sigma above says it
        special, what = SPECIAL_VALUES[key]
        dist = np.where(np.isfinite(arr), np.abs(arr - special), np.inf)
        if dist.size and float(dist.min()) < NEAR_SPECIAL:
            i = int(np.argmin(dist))
            sector = f" (sector {ctx.data.sectors[i]!r})" if arr.size > 1 else ""
            near.append(
                f"{_set_field(ctx, es, key)} = {arr[i]:.12g}{sector} is next to its special value {special:g} ({what})"
            )
    if not near:
        shown = ", ".join(
            f"{k} {float(np.min(v)):.4g}" + (f"-{float(np.max(v)):.4g}" if np.ptp(v) > 0 else "")
            for k, v in values.items()
            if v.size and np.all(np.isfinite(v))
        )
        near.append(f"elasticity set {es.name!r} at the {horizon}: {shown}")
    return "; ".join([*near, largest_tariff(ctx)])


def largest_tariff(ctx: TradeContext) -> str:
    """'the largest scenario tariff is 10.0015 (MEX to USA, sector x): tariffs[0].rate 9.999 on top
    of the baseline duty 0.0025' (the measures that reach the cell and the baseline)."""
    t1 = np.asarray(ctx.t1, dtype=float)
    if not t1.size:
        return "no tariffs"
    e, i, s = np.unravel_index(int(np.argmax(t1)), t1.shape)
    data = ctx.data
    top = float(t1[e, i, s])
    base = float(np.asarray(ctx.t0)[e, i, s])
    where = f"{data.countries[e]} to {data.countries[i]}, sector {data.sectors[s]!r}"
    hits = [
        f"{key}[{k}].rate {m.rate:g}"
        for key, ms in (("tariffs", ctx.scenario.tariffs), ("retaliation", ctx.scenario.retaliation))
        for k, m in enumerate(ms)
        if _reaches(m, data.countries[e], data.countries[i], data.sectors[s])
    ]
    by = f": {' plus '.join(hits)}" if hits else ""
    on_top = f" on top of the baseline duty {base:.4g}" if hits and base > 0 and math.isfinite(base) else ""
    return f"the largest scenario tariff is {top:.6g} ({where}){by}{on_top}"


def _reaches(m: TariffMeasure, exporter: str, importer: str, sector: str) -> bool:
    """The measure sets the tariff ``importer`` levies on ``exporter``'s ``sector``."""
    return (
        m.importer == importer
        and (m.exporters == "all" or exporter in m.exporters)
        and (m.sectors == "all" or sector in m.sectors)
        and sector not in m.exclude_sectors
    )
