"""The quarterly path of a scenario's tariffs on a dataset (docs/policy.md).

:func:`tariff_path` applies the scenario's measures, in order, to the dataset's baseline tariffs in
every quarter of the horizon (quarter 1 = the scenario's ``phase_in``): (H, exporter, importer,
sector). Each measure has, per exporter and sector,

* a rate ``r`` (the measure's rate, its rate for that exporter, or the panel's), and
* the share ``u`` of the trade it taxes: covered and not exempt (``1 - exempt_share``, or the
  import-weighted share of the products it covers that are not claimed under USMCA, or claimed
  when ``claims = "only"``; 1 for rates by exporter and the panel, which are effective rates);

and, per quarter, the share ``f`` of the quarter's days it is in force (the panel path: its
day-weighted rate within the days in force). While in force, ``add`` raises the tariff by
``r u`` and ``set`` makes it ``t0 (1 - u) + r u``, so a quarter's tariff is the day-weighted mean:
``t + f r u`` and ``(1 - f) t + f (t0 (1 - u) + r u)``.

:func:`first_year` is the mean over the first four quarters (the rates the trade tables report);
a scenario without dates has the same tariffs in every quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import limits
from ..errors import ScenarioError
from ..limits import shown
from .measures import PANEL_PATH, TariffMeasure
from .policy import (
    load_product_groups,
    load_tariff_panel,
    quarter_bounds,
    quarter_shares,
    sector_effective_rates,
    step_mean,
)

if TYPE_CHECKING:
    from .datasets import TradeData

__all__ = ["tariff_path", "first_year", "measure_quarter_shares", "taxed_shares"]

_EARLIEST = dt.date(1, 1, 1)


def measure_quarter_shares(m: TariffMeasure, quarters: Sequence[str]) -> np.ndarray:
    """Share of each quarter's days the measure is in force (1 throughout without dates)."""
    return quarter_shares(m.start or _EARLIEST, m.end, quarters)


def _index(data: TradeData, code: str, source: str, where: str) -> int:
    if code not in data.countries:
        raise ScenarioError(
            f"country {shown(code)} is not in dataset {shown(data.name)}; it has {', '.join(data.countries)}",
            source=source,
            field=where,
        )
    return data.countries.index(code)


def _sectors(m: TariffMeasure, data: TradeData, source: str, where: str) -> np.ndarray:
    def sector(s: str, w: str) -> int:
        if s not in data.sectors:
            raise ScenarioError(
                f"sector {shown(s)} is not in dataset {shown(data.name)}; it has {', '.join(data.sectors)}",
                source=source,
                field=w,
            )
        return data.sectors.index(s)

    sec = (
        set(range(data.n_sectors))
        if m.sectors == "all"
        else {sector(s, f"{where}.sectors[{k}]") for k, s in enumerate(m.sectors)}
    )
    for k, s in enumerate(m.exclude_sectors):
        sec.discard(sector(s, f"{where}.exclude_sectors[{k}]"))
    return np.array(sorted(sec), dtype=int)


def taxed_shares(
    m: TariffMeasure, exporters: Sequence[str], sectors: Sequence[str], *, source: str = "<scenario>", where: str = ""
) -> np.ndarray:
    """(E, S): the share of each exporter's trade in each of ``sectors`` that the measure taxes
    (covered by its products and not exempt; sector coverage aside)."""
    if m.claims_period is None and not m.products and not m.exclude_products:
        return np.full((len(exporters), len(sectors)), 1.0 - m.exempt_share)
    out = []
    for c in exporters:
        g = load_product_groups(c, m.claims_period or "2024", source=source, field=f"{where}.claims_period")
        out.append(
            sector_effective_rates(
                g,
                1.0,
                sectors,
                claims=m.claims if m.claims_period is not None else None,
                only=m.products,
                exclude=m.exclude_products,
                source=source,
                field=where,
            )
        )
    return np.vstack(out)


def _panel_rates(
    m: TariffMeasure, exporters: Sequence[str], quarters: Sequence[str], source: str, where: str
) -> tuple[np.ndarray, np.ndarray]:
    """(H, E) rates and (H,) in-force shares of a panel measure."""
    pan = load_tariff_panel()
    missing = [c for c in exporters if c not in pan.regions]
    if missing:
        raise ScenarioError(
            f"the effective-tariff panel has no rate for {', '.join(missing)} (it is on the regions "
            f"{', '.join(pan.regions)} of the default dataset)",
            source=source,
            field=f"{where}.exporters",
        )
    col = [pan.regions.index(c) for c in exporters]
    f = measure_quarter_shares(m, quarters)
    if m.panel != PANEL_PATH:
        if isinstance(m.panel, str):
            rates = pan.rate_at(m.panel, source=source, field=f"{where}.panel")
        else:
            assert m.panel is not None
            rates = pan.mean_rate(m.panel[0], m.panel[1], source=source, field=f"{where}.panel")
        r = np.array([rates[c] for c in exporters])
        return np.broadcast_to(r, (len(quarters), len(exporters))), f
    # the path: within the days in force, the panel's day-weighted rate (0 before its first date, the
    # last rate after its last: the policy as it stood)
    R = np.zeros((len(quarters), len(exporters)))
    for i, q in enumerate(quarters):
        a, b = quarter_bounds(q)
        lo, hi = max(a, m.start or a), min(b, m.end or b)
        if hi > lo:
            R[i] = step_mean(pan.dates, pan.rates[:, col], lo, hi)
    return R, f


def _apply(
    path: np.ndarray,
    t0: np.ndarray,
    m: TariffMeasure,
    data: TradeData,
    quarters: Sequence[str],
    source: str,
    where: str,
) -> None:
    imp = _index(data, m.importer, source, f"{where}.importer")
    if m.exporters == "all":
        exporters = [c for c in data.countries if c != m.importer]
    else:
        exporters = list(m.exporters)
        for k, c in enumerate(exporters):
            _index(data, c, source, f"{where}.exporters[{k}]")
        if m.importer in exporters:
            raise ScenarioError(f"{m.importer} cannot tariff its own goods", source=source, field=f"{where}.exporters")
    exp = np.array([data.countries.index(c) for c in exporters], dtype=int)
    sec = _sectors(m, data, source, where)
    if sec.size == 0 or exp.size == 0:
        return
    if m.panel is not None:
        R, f = _panel_rates(m, exporters, quarters, source, where)
        u = np.ones((len(exporters), data.n_sectors))
        r = R  # the panel's mean rate over the days in force
    else:
        f = measure_quarter_shares(m, quarters)
        base = np.array([m.rates[c] for c in exporters]) if m.rates else np.full(len(exporters), m.rate)
        r = np.broadcast_to(base, (len(quarters), len(exporters)))
        u = taxed_shares(m, exporters, data.sectors, source=source, where=where)
    u = u[:, sec]  # (E, S')
    ix = np.ix_(np.arange(len(quarters)), exp, np.array([imp]), sec)
    cur = path[ix]  # (H, E, 1, S')
    fq = f[:, None, None, None]
    ru = (r[:, :, None] * u[None, :, :])[:, :, None, :]
    if m.mode == "add":
        path[ix] = cur + fq * ru
    else:
        base0 = t0[np.ix_(exp, np.array([imp]), sec)][None] * (1.0 - u[None, :, None, :])
        path[ix] = (1.0 - fq) * cur + fq * (base0 + ru)
    new = path[ix]
    if (new > limits.MAX_TARIFF).any():
        _over_limit(m, data, quarters, source, where, new, cur, t0, (exp, imp, sec))


def _over_limit(
    m: TariffMeasure,
    data: TradeData,
    quarters: Sequence[str],
    source: str,
    where: str,
    new: np.ndarray,
    cur: np.ndarray,
    t0: np.ndarray,
    cells: tuple[np.ndarray, int, np.ndarray],
) -> None:
    """A measure whose rate is within its bounds but that lands above the tariff limit because it
    is added to the duty already there (the baseline, and earlier measures on the same flows): one
    error naming the measure and saying so."""
    q, e, _, s = (int(x) for x in np.unravel_index(int(np.argmax(new)), new.shape))
    exp, imp, sec = cells
    ei, si = int(exp[e]), int(sec[s])
    base, before = float(t0[ei, imp, si]), float(cur[q, e, 0, s])
    already = f"the baseline duty {base:.4g}" + (
        f" and earlier measures ({before:.4g} in all)" if not np.isclose(before, base, rtol=0, atol=1e-12) else ""
    )
    field = f"{where}.rates.{data.countries[ei]}" if m.rates else (f"{where}.panel" if m.panel else f"{where}.rate")
    rate = m.rates.get(data.countries[ei], m.rate) if m.rates else m.rate
    raise ScenarioError(
        f"rate {rate:g} is within {limits.TARIFF_BOUNDS}, but this measure adds it to {already} on "
        f"{data.countries[ei]} to {data.countries[imp]}, sector {shown(data.sectors[si])} in {quarters[q]}: "
        f"{float(new[q, e, 0, s]):.6g}, above the limit of {limits.MAX_TARIFF:g} for a tariff; lower the rate, or "
        'give mode = "set" to replace the duty already there',
        source=source,
        field=field,
    )


def tariff_path(
    data: TradeData,
    quarters: Sequence[str],
    groups: Sequence[tuple[str, Sequence[TariffMeasure]]],
    *,
    source: str = "<scenario>",
) -> tuple[np.ndarray, np.ndarray]:
    """Baseline tariffs (N, N, S) and the tariffs in every quarter (H, N, N, S) after the measures of
    ``groups`` (("tariffs", measures), ("retaliation", measures)), applied in order.

    Unknown countries, sectors, products, periods or dates outside the data raise ScenarioError
    naming the measure's field (``tariffs[2].exporters[0]``)."""
    t0 = np.array(data.tariffs, dtype=float)
    path = np.repeat(t0[None], len(quarters), axis=0)
    for key, ms in groups:
        for i, m in enumerate(ms):
            _apply(path, t0, m, data, quarters, source, f"{key}[{i}]")
    return t0, path


def first_year(path: np.ndarray) -> np.ndarray:
    """The mean tariffs over the first four quarters (the quarter's own when they do not change)."""
    if np.all(path == path[:1]):
        return np.array(path[0], copy=True)
    return np.asarray(path[:4].mean(axis=0))
