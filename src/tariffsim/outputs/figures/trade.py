"""Trade figures: exports lost by sector, trade diversion by source and GE welfare by country.
Each function returns a matplotlib ``Figure`` in the house style of
:mod:`tariffsim.outputs.figures.style` (money in US dollars, bn = 1e9).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..._lazy import pd
from ..._util import fmt_signed
from ...constants import DEFAULT_MARKET
from ...inputs.countries import display_name as _country_label
from .style import (
    GREY,
    INK,
    LR_BAR,
    SR_BAR,
    STYLE,
    figure_caption,
    finish,
    new_figure,
    pct_axis,
    short_label,
    sources_caption,
)

if TYPE_CHECKING:
    from ...engine.results import Result

__all__ = ["export_losses_by_sector", "diversion_by_source", "ge_welfare"]


def _two_horizons(
    result: Result, set_name: str | None, fn: Callable[[str, str], pd.DataFrame]
) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    name = set_name or result.central
    sr = fn(name, "near_term")
    lr = fn(name, "long_run")
    return name, sr, lr


#: Above the axes, right-aligned (bar charts whose rows fill the axes: inside, a legend would
#: cover a bar or sit on the gridlines); it may reach left over the blank space above the row labels.
_LEGEND_ABOVE: dict[str, Any] = {"loc": "lower right", "bbox_to_anchor": (1.0, 1.0), "borderaxespad": 0.2}


_HORIZON_HANDLES = (
    ("one year (near term)", SR_BAR),
    ("long run (labels: USD bn, % of baseline)", LR_BAR),
)


def _one_year_note(result: Result, name: str) -> str:
    """What the one-year bars rest on: the set's one-year and long-run σ (medians over sectors)."""
    try:
        es = result.outcome(name).elasticities
        s1 = float(np.median(es.arrays(result.data.sectors, "one-year")["sigma"]))
        sl = float(np.median(es.arrays(result.data.sectors, "long-run")["sigma"]))
    except (AttributeError, KeyError, TypeError, ValueError):
        return "one year: the set's one-year elasticities; long run: its long-run ones"
    return f"one year: the set's one-year elasticities (σ {s1:g}), long run: its long-run ones (σ {sl:g})"


def _changed_sectors(near_term: pd.DataFrame, long_run: pd.DataFrame) -> list[str]:
    """Sectors whose exports change at either horizon: ``change_usd`` above rounding (1e-9 of the
    sector's baseline exports). ``near_term``/``long_run``: :meth:`Result.by_sector` frames."""
    out = []
    for f in (near_term, long_run):
        tol = 1e-9 * f.value_baseline_usd.abs().to_numpy(float)
        out += list(f.sector[np.abs(f.change_usd.to_numpy(float)) > tol])
    return [s for s in dict.fromkeys(long_run.sector) if s in set(out)]


def export_losses_by_sector(
    result: Result, *, set_name: str | None = None, title: str | None = None, sources: object = None
) -> Figure:
    """The reported country's export change by sector (all markets, exporter prices) in USD bn a
    year, one year after the tariff (near term: hatched) and in the long run (solid), labelled with
    the long-run change in USD bn and percent of baseline exports, for one elasticity set (default
    central). Only the sectors whose exports change are drawn (a tariff on one sector: one row)."""
    name, sr, lr = _two_horizons(result, set_name, lambda n, h: result.by_sector(n, horizon=h))
    t0, t_sr, t_lr = lr.value_baseline_usd.sum(), sr.change_usd.sum(), lr.change_usd.sum()
    n_all = len(lr)
    keep = _changed_sectors(sr, lr)
    lr = lr[lr.sector.isin(keep)].sort_values("change_usd", ascending=False, ignore_index=True)  # largest loss on top
    sr = sr.set_index("sector").loc[lr.sector].reset_index()
    labels = [short_label(lab) for lab in lr.sector_label]
    n = len(labels)
    y = np.arange(n)
    h = 0.38
    vals = np.r_[sr.change_usd.to_numpy(float), lr.change_usd.to_numpy(float), 0.0] / 1e9
    lo, hi = min(0.0, float(vals.min())), max(0.0, float(vals.max()))
    span = hi - lo or 1.0
    with mpl.rc_context(STYLE):
        fig = new_figure(0.27 * max(n, 2) + 1.1)
        ax = fig.add_subplot()
        ax.barh(y + h / 2, sr.change_usd / 1e9, height=h, zorder=2, **SR_BAR)
        ax.barh(y - h / 2, lr.change_usd / 1e9, height=h, zorder=2, **LR_BAR)
        pct = np.where(
            lr.value_baseline_usd > 0,
            100 * lr.change_usd / lr.value_baseline_usd.where(lr.value_baseline_usd > 0, 1.0),
            0.0,
        )
        for yi, v, pc in zip(y, lr.change_usd / 1e9, pct, strict=True):
            if abs(v) < 0.05 and abs(pc) < 0.5:  # would read '+0.0 (+0 %)': no label
                continue
            ax.text(
                v + (0.008 if v >= 0 else -0.008) * span,
                yi - h / 2,
                f"{fmt_signed(v, 1)} ({fmt_signed(pc, 0)} %)",
                va="center",
                ha="left" if v >= 0 else "right",
                fontsize=7,
                color=INK,
            )
        if n == 0:
            ax.text(0.5, 0.5, "no sector's exports change", transform=ax.transAxes, ha="center", va="center")
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
        ax.set_xlim(lo - (0.3 * span if lo < 0 else 0.02 * span), hi + (0.3 * span if hi > 0 else 0.02 * span))
        ax.set_ylim(-0.6, max(n, 1) - 0.4)
        ax.set_yticks(y, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        pct_axis(ax, "x")
        ax.set_xlabel("Change in exports, all markets (USD bn a year)")
        ax.legend(handles=[Patch(label=lab, **st) for lab, st in _HORIZON_HANDLES], ncols=2, **_LEGEND_ABOVE)
        sub = (
            f"{_country_label(result.country)}'s exports: {fmt_signed(t_sr / 1e9, 0)} bn USD "
            f"({fmt_signed(100 * t_sr / t0, 1)} %) after one year, {fmt_signed(t_lr / 1e9, 0)} bn USD "
            f"({fmt_signed(100 * t_lr / t0, 1)} %) in the long run; '{name}' elasticities"
        )
        extra = f"Trade model, exporter prices, baseline {result.data.year} flows; {_one_year_note(result, name)}"
        if n < n_all:
            extra += f"; the {n_all - n} of {n_all} sectors whose exports do not change are left out"
        return finish(
            fig,
            title=title if title is not None else f"{_country_label(result.country)}: export change by sector",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=[name], extra=extra),
        )


def diversion_by_source(
    result: Result,
    *,
    importer: str = DEFAULT_MARKET,
    set_name: str | None = None,
    title: str | None = None,
    sources: object = None,
) -> Figure:
    """Change in each source's sales in ``importer``'s market (USD bn a year, exporter prices),
    after one year (near term) and in the long run: the sources hit by the tariff lose, third countries gain (trade
    diversion). Sources whose tariff rises are marked '(tariffed)'."""

    def by_source(n: str, hor: str) -> pd.DataFrame:
        f = result.by_flow(n, horizon=hor)
        f = f[f.importer == importer]
        g = f.groupby("exporter", sort=False)[
            ["value_baseline_usd", "change_usd", "tariff_baseline", "tariff_scenario"]
        ].agg({"value_baseline_usd": "sum", "change_usd": "sum", "tariff_baseline": "max", "tariff_scenario": "max"})
        return g

    if importer not in result.data.countries:
        raise ValueError(f"{importer} is not in the dataset ({', '.join(result.data.countries)})")
    name, sr, lr = _two_horizons(result, set_name, by_source)
    ti = result.data.index(importer)
    hit = {
        c
        for i, c in enumerate(result.data.countries)
        if i != ti and np.any(result.t1[i, ti] > result.t0[i, ti] + 1e-12)
    }
    lr = lr.sort_values("change_usd", ascending=True)
    order = list(lr.index)[::-1]  # largest gain on top, largest loss at the bottom
    sr = sr.loc[order]
    lr = lr.loc[order]
    n = len(order)
    y = np.arange(n)[::-1]
    h = 0.38
    labels = [_country_label(c) + (" (tariffed)" if c in hit else "") for c in order]
    vals = np.r_[sr.change_usd.to_numpy(), lr.change_usd.to_numpy()] / 1e9
    span = float(vals.max() - min(0.0, vals.min())) or 1.0
    with mpl.rc_context(STYLE):
        fig = new_figure(0.3 * n + 1.2)
        ax = fig.add_subplot()
        ax.barh(y + h / 2, sr.change_usd / 1e9, height=h, zorder=2, **SR_BAR)
        ax.barh(y - h / 2, lr.change_usd / 1e9, height=h, zorder=2, **LR_BAR)
        for yi, v, pct in zip(y, lr.change_usd / 1e9, 100 * lr.change_usd / lr.value_baseline_usd, strict=True):
            ax.text(
                v + (0.01 if v >= 0 else -0.01) * span,
                yi - h / 2,
                f"{fmt_signed(v, 1)} ({fmt_signed(pct, 0)} %)",
                va="center",
                ha="left" if v >= 0 else "right",
                fontsize=7,
                color=INK,
            )
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
        ax.set_xlim(min(0.0, vals.min()) - 0.2 * span, max(0.0, vals.max()) + 0.2 * span)
        ax.set_yticks(y, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        pct_axis(ax, "x")
        ax.set_xlabel(f"Change in sales in the {_country_label(importer)} market (USD bn a year, exporter prices)")
        ax.legend(handles=[Patch(label=lab, **st) for lab, st in _HORIZON_HANDLES], ncols=2, **_LEGEND_ABOVE)
        loss = -float(lr.loc[[c for c in order if c in hit], "change_usd"].sum()) / 1e9
        gain = float(lr.loc[[c for c in order if c not in hit], "change_usd"].sum()) / 1e9
        sub = None
        if loss > 0:
            sub = (
                f"Long run: tariffed sources sell {loss:,.0f} bn USD less; third countries sell {gain:,.0f} bn USD "
                f"more ({100 * gain / loss:.0f} % of the loss is diverted to them); '{name}' elasticities"
            )
        extra = (
            f"Trade model, exporter prices; domestic sales of the importer not shown; {_one_year_note(result, name)}"
        )
        return finish(
            fig,
            title=title if title is not None else f"Trade diversion in the {_country_label(importer)} market",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=[name], extra=extra),
        )


def ge_welfare(
    by_country_df: pd.DataFrame,
    top: int = 20,
    *,
    value: str = "welfare_pct",
    title: str | None = None,
    sources: object = None,
) -> Figure:
    """General-equilibrium welfare change by country (percent): the ``top // 2`` largest gains and
    losses when there are more than ``top`` countries (all of them otherwise).

    ``by_country_df``: ``replicate_ilms2025(...).by_country``, ``GESolution.by_country()`` or any
    frame with ``iso3`` (or ``country``) and ``value`` (percent).
    """
    key = "iso3" if "iso3" in by_country_df.columns else "country"
    if key not in by_country_df.columns or value not in by_country_df.columns:
        raise ValueError(f"by_country_df needs columns iso3 (or country) and {value!r}")
    df = by_country_df[[key, value]].dropna().sort_values(value, ignore_index=True)
    n_all = len(df)
    if n_all > top:
        k = max(1, top // 2)
        df = pd.concat([df.head(k), df.tail(k)], ignore_index=True)
    n = len(df)
    y = np.arange(n)
    v = df[value].to_numpy(float)
    span = float(max(0.0, v.max()) - min(0.0, v.min())) or 1.0
    with mpl.rc_context(STYLE):
        fig = new_figure(0.2 * n + 1.1)
        ax = fig.add_subplot()
        posm = v >= 0
        ax.barh(y[posm], v[posm], height=0.65, zorder=2, **LR_BAR)
        ax.barh(y[~posm], v[~posm], height=0.65, zorder=2, **SR_BAR)
        for yi, vi in zip(y, v, strict=True):
            ax.text(
                vi + (0.01 if vi >= 0 else -0.01) * span,
                float(yi),
                fmt_signed(vi, 2),
                va="center",
                ha="left" if vi >= 0 else "right",
                fontsize=7,
                color=INK,
            )
        if n_all > top:
            k = max(1, top // 2)
            ax.axhline(k - 0.5, color=GREY, linewidth=0.6, linestyle=(0, (2, 2)))
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
        ax.set_xlim(min(0.0, v.min()) - 0.15 * span, max(0.0, v.max()) + 0.15 * span)
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_yticks(
            y,
            [f"{_country_label(c)} ({c})" if _country_label(c) != c else c for c in df[key]],
            fontsize=7 if n > 24 else 8,
        )
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        pct_axis(ax, "x")
        ax.set_xlabel(
            {
                "welfare_pct": "Welfare change (%, real income equivalent)",
                "real_income_pct": "Real income, long run, not GDP (%)",
            }.get(value, f"{value} (%)")
        )
        ax.legend(handles=[Patch(label="gain", **LR_BAR), Patch(label="loss", **SR_BAR)], loc="lower right")
        sub = (
            f"Largest {min(n // 2, n_all)} gains and losses of {n_all} economies"
            if n_all > top
            else f"All {n_all} economies"
        )
        case = by_country_df.attrs.get("case")
        default_src = (
            "Model: tariffsim general-equilibrium engine (Ignatenko, Lashkaripour, Macedoni and "
            "Simonovska 2025, JIE)" + (f", case '{case}'" if case else "") + "."
        )
        if case:  # replicate_ilms2025 output: the paper's inputs
            default_src = (
                "Data: ILMS (2025) inputs: CEPII BACI trade, 2023 (thousand USD); World Bank WDI GDP, "
                "2023; announced US tariffs of 2 April 2025. " + default_src
            )
        cap = (
            sources
            if isinstance(sources, str)
            else (sources_caption(sources) if sources is not None else "Sources: " + default_src)
        )
        return finish(
            fig,
            title=title if title is not None else "General-equilibrium welfare change by country",
            subtitle=sub,
            caption=cap,
        )
