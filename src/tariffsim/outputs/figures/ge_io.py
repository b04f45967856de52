"""Figures of the multi-sector GE model with input-output linkages (Caliendo-Parro 2015).

* :func:`welfare_decomposition` — welfare change by country with its decomposition: stacked
  terms of trade, volume of trade and technical efficiency (percent of baseline income), the total
  marked on each bar; from :class:`tariffsim.models.ge_io.IOChanges`, a ``replicate_cp2015`` result, a
  :class:`tariffsim.replication.cp2015.SeedResult` or a ``by_region`` frame.
* :func:`output_by_sector` — gross output change by sector for two regions side by side (Mexico
  and the US by default), a panel each on its own scale, the change printed at each bar.
* :func:`sector_changes_with_range` — one region's value added by sector (the central set) with the
  range over the elasticity sets run, small sectors flagged; from the ``ge.by_sector`` rows of a
  result's JSON.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` in the house style of
:mod:`tariffsim.outputs.figures.style`; the caption names the data and the structure it rests on (:func:`io_caption`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..._lazy import pd
from ..._util import fmt_signed
from ...constants import DEFAULT_COUNTRY, DEFAULT_MARKET
from ...engine.results import traded_sectors
from ...models.ge_io import region_index
from .style import BLUE, BLUE_DARK, BLUE_LIGHT, GREY, INK, LIGHT, STYLE
from .style import finish as _finish
from .style import new_figure as _new_figure
from .style import pct_axis as _pct_axis

if TYPE_CHECKING:
    from ...models.ge_io import IOChanges
    from ...replication.cp2015 import CP2015Result, SeedResult

    # what the figures accept: an IOChanges, a replicate_cp2015 result, a SeedResult or the table itself
    _IOInput = IOChanges | CP2015Result | SeedResult | pd.DataFrame

__all__ = ["welfare_decomposition", "output_by_sector", "sector_changes_with_range", "CP2015_CAPTION", "io_caption"]

#: Caption of every figure built on the Caliendo-Parro tables.
CP2015_CAPTION = (
    "Sources: model: tariffsim multi-sector general equilibrium with input-output linkages (Caliendo and Parro "
    "2015, REStud). Data: Caliendo-Parro (2015) tables for 31 regions x 40 sectors (trade, tariffs, input-output "
    "use, value added), via the R package cp2015 (MIT). The structure is the 1993 Caliendo-Parro data: shares, "
    "input-output linkages and trade elasticities of 1993, not of today."
)


def io_caption(note: str | None) -> str:
    """Caption of a figure built on an input-output table: :data:`CP2015_CAPTION` for the 1993
    tables (``note`` None or theirs), else the model and the table's note (every piece and year)."""
    if not note or note.startswith("structure of 1993"):
        return CP2015_CAPTION
    return (
        "Sources: model: tariffsim multi-sector general equilibrium with input-output linkages (Caliendo and Parro "
        f"2015, REStud). Data: {note.rstrip('.')}."
    )


_TERMS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("tot_pct", "terms of trade", {"facecolor": BLUE, "edgecolor": BLUE_DARK, "linewidth": 0.5}),
    (
        "vot_pct",
        "volume of trade",
        {"facecolor": BLUE_LIGHT, "edgecolor": BLUE_DARK, "hatch": "////", "linewidth": 0.5},
    ),
    ("tech_pct", "technical efficiency", {"facecolor": LIGHT, "edgecolor": GREY, "hatch": "..", "linewidth": 0.5}),
)


def _by_region(obj: _IOInput) -> pd.DataFrame:
    """A frame with region, welfare_pct, tot_pct, vot_pct, tech_pct from any of the accepted inputs."""
    if isinstance(obj, pd.DataFrame):
        df = obj
    elif hasattr(obj, "by_region") and isinstance(obj.by_region, pd.DataFrame):  # CP2015Result
        df = obj.by_region
    elif hasattr(obj, "by_region"):  # IOChanges
        df = cast("IOChanges", obj).by_region()
    elif hasattr(obj, "changes"):  # SeedResult
        df = obj.changes.by_region()
    else:
        raise TypeError("expected an IOChanges, a replicate_cp2015 result, a SeedResult or a by_region DataFrame")
    need = {"region", "tot_pct", "vot_pct", "tech_pct"}
    if not need <= set(df.columns):
        raise ValueError(f"the by_region frame needs columns {sorted(need)}")
    out = df.copy()
    out["welfare_pct"] = out["tot_pct"] + out["vot_pct"] + out["tech_pct"]
    return out


def welfare_decomposition(
    obj: _IOInput,
    regions: Sequence[str] | None = (DEFAULT_COUNTRY, "CAN", DEFAULT_MARKET),
    *,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
) -> Figure:
    """Welfare change by country (percent of baseline income) as stacked terms of trade, volume of
    trade and technical efficiency, with the total marked (diamond and label) on each bar.

    ``regions``: names or ISO3 codes to show (``None``: all regions, ordered by welfare).
    """

    df = _by_region(obj)
    if regions is None:
        df = df.sort_values("welfare_pct", ignore_index=True)
    else:
        names = list(df["region"])
        df = df.iloc[[region_index(names, r) for r in regions]].reset_index(drop=True)
    n = len(df)
    y = np.arange(n)[::-1]
    total = df["welfare_pct"].to_numpy(float)
    with mpl.rc_context(cast(Any, STYLE)):
        fig = _new_figure(0.38 * n + 1.3)
        ax = fig.add_subplot()
        pos = np.zeros(n)
        neg = np.zeros(n)
        handles: list[Any] = []
        for col, label, style in _TERMS:
            v = df[col].to_numpy(float)
            if not np.any(np.abs(v) > 0) and col == "tech_pct":
                continue
            left = np.where(v >= 0, pos, neg)
            ax.barh(y, v, left=left, height=0.6, zorder=2, **style)
            pos = pos + np.maximum(v, 0)
            neg = neg + np.minimum(v, 0)
            handles.append(Patch(label=label, **style))
        ax.scatter(total, y, marker="D", s=22, color=INK, zorder=4)
        lo = float(min(neg.min(), total.min(), 0))
        hi = float(max(pos.max(), total.max(), 0))
        span = hi - lo or 1.0
        for yi, t, p, q in zip(y, total, pos, neg, strict=True):
            # the total beside the end of its bar: right of a gain, left of a loss
            if t >= 0:
                ax.text(
                    max(p, t) + 0.03 * span,
                    yi,
                    f"total {fmt_signed(t, 2, bare_zero=True)} %",
                    va="center",
                    fontsize=7,
                    color=INK,
                )
            else:
                ax.text(
                    min(q, t) - 0.03 * span,
                    yi,
                    f"total {fmt_signed(t, 2, bare_zero=True)} %",
                    va="center",
                    ha="right",
                    fontsize=7,
                    color=INK,
                )
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
        ax.set_yticks(y, list(df["region"]))
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        room = 0.3 * span
        ax.set_xlim(
            lo - (room if (total < 0).any() else 0.08 * span), hi + (room if (total >= 0).any() else 0.08 * span)
        )
        ax.set_ylim(-0.6, n - 0.4)
        _pct_axis(ax, "x")
        ax.set_xlabel("Welfare change (% of baseline income)")
        handles.append(Line2D([], [], marker="D", linestyle="", color=INK, label="total welfare"))
        # above the axes: the legend covers no bar
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, borderaxespad=0.2)
        return _finish(
            fig,
            title=title if title is not None else "Welfare change and its decomposition",
            subtitle=subtitle
            if subtitle is not None
            else "Caliendo-Parro decomposition: terms of trade + volume of trade + technical efficiency",
            caption=caption if caption is not None else CP2015_CAPTION,
        )


def _output_table(obj: _IOInput, regions: Sequence[str], value: str) -> tuple[pd.DataFrame, list[str]]:

    if hasattr(obj, "by_sector") and callable(obj.by_sector):  # IOChanges
        bs = obj.by_sector()
    elif hasattr(obj, "by_sector"):  # CP2015Result
        bs = obj.by_sector
    elif hasattr(obj, "changes"):  # SeedResult
        bs = obj.changes.by_sector()
    elif isinstance(obj, pd.DataFrame):
        bs = obj
    else:
        raise TypeError("expected an IOChanges, a replicate_cp2015 result, a SeedResult or a by_sector DataFrame")
    names = list(dict.fromkeys(bs["region"]))
    picked = [names[region_index(names, r)] for r in regions]
    wide = bs[bs["region"].isin(picked)].pivot(index="sector", columns="region", values=value)[picked]
    sectors = list(dict.fromkeys(bs["sector"]))
    return wide.reindex(sectors), picked


def output_by_sector(
    obj: _IOInput,
    regions: Sequence[str] = (DEFAULT_COUNTRY, DEFAULT_MARKET),
    *,
    value: str = "output_pct",
    traded_only: bool = True,
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
) -> Figure:
    """Gross output change by sector (percent) for two or more regions, a panel per region (each on
    its own scale, the change printed at the bar's end, one decimal), sectors ordered by the first
    region's change. ``value``: ``output_pct`` (value at producer prices) or
    ``real_output_pct`` (deflated by the sector's input-bundle cost). ``traded_only`` leaves out
    the sectors that no region trades (services in the Caliendo-Parro data)."""
    wide, picked = _output_table(obj, regions, value)
    if traded_only and (hasattr(obj, "changes") or hasattr(obj, "baseline")):
        ch = cast("IOChanges", obj.changes if hasattr(obj, "changes") else obj)
        traded = traded_sectors(ch.baseline.trade)
        wide = wide.loc[[s for s, t in zip(ch.sectors, traded, strict=True) if t]]
    wide = wide.dropna(how="all").sort_values(picked[0])
    n = len(wide)
    y = np.arange(n)
    k = len(picked)
    styles: list[dict[str, Any]] = [
        {"facecolor": BLUE, "edgecolor": BLUE_DARK, "linewidth": 0.5},
        {"facecolor": BLUE_LIGHT, "edgecolor": BLUE_DARK, "hatch": "////", "linewidth": 0.5},
        {"facecolor": LIGHT, "edgecolor": GREY, "hatch": "..", "linewidth": 0.5},
    ]
    with mpl.rc_context(cast(Any, STYLE)):
        # one panel a region, each on its own scale (a small economy's changes are often ten times the large one's),
        # the sectors in the same rows; the change printed at each bar's end
        fig = _new_figure(0.2 * n + 1.4)
        axes = fig.subplots(1, k, sharey=True, squeeze=False)[0]
        for m, (ax, r) in enumerate(zip(axes, picked, strict=True)):
            v = wide[r].to_numpy(float)
            ok = np.isfinite(v)
            ax.barh(y[ok], v[ok], height=0.65, zorder=2, **styles[m % len(styles)])
            lo = float(min(0.0, v[ok].min())) if ok.any() else 0.0
            hi = float(max(0.0, v[ok].max())) if ok.any() else 0.0
            span = hi - lo or 1.0
            for yi, vi in zip(y[ok], v[ok], strict=True):
                ax.text(
                    vi + (0.03 if vi >= 0 else -0.03) * span,
                    yi,
                    fmt_signed(vi, 1, bare_zero=True),
                    va="center",
                    ha="left" if vi >= 0 else "right",
                    fontsize=6.5,
                    color=INK,
                )
            ax.set_xlim(lo - (0.3 * span if lo < 0 else 0.05 * span), hi + (0.3 * span if hi > 0 else 0.05 * span))
            ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
            ax.tick_params(axis="y", length=0)
            ax.spines["left"].set_visible(False)
            ax.xaxis.grid(True)
            ax.set_ylim(-0.7, n - 0.3)
            _pct_axis(ax, "x")
            ax.set_title(r, fontsize=8, fontweight="bold", loc="left")
            ax.set_xlabel(
                "Gross output change (%)" if value == "output_pct" else "Real gross output change (%)", fontsize=7
            )
        axes[0].set_yticks(y, list(wide.index), fontsize=7)
        what = "value at producer prices" if value == "output_pct" else "deflated by the cost of the input bundle"
        return _finish(
            fig,
            title=title if title is not None else f"Output change by sector: {', '.join(picked)}",
            subtitle=subtitle
            if subtitle is not None
            else f"Gross output, {what}; traded sectors, ordered by {picked[0]}'s change; each panel on its own scale",
            caption=caption if caption is not None else CP2015_CAPTION,
        )


def sector_changes_with_range(
    rows: Sequence[dict],
    region: str,
    *,
    value: str = "value_added_change_pct",
    title: str | None = None,
    subtitle: str | None = None,
    caption: str | None = None,
) -> Figure:
    """One region's change by sector (percent; default value added at baseline prices) from the
    ``ge.by_sector`` rows of a result's JSON: a bar per sector for the central elasticity set, a line
    from the lowest to the highest set (``<value>_low`` / ``_high``) where the rows carry it, the
    sectors under 1 % of the region's output (``flagged``) hatched and marked; ordered by the
    central change."""
    picked = [r for r in rows if str(r.get("region")) == region]
    if not picked:
        raise ValueError(f"no by_sector rows for region {region!r}")
    picked.sort(key=lambda r: float(r[value]))
    n = len(picked)
    y = np.arange(n)
    v = np.array([float(r[value]) for r in picked])
    lo = np.array([float(r.get(f"{value}_low", r[value])) for r in picked])
    hi = np.array([float(r.get(f"{value}_high", r[value])) for r in picked])
    flagged = np.array([bool(r.get("flagged")) for r in picked])
    labels = [f"{r['sector']}{' *' if r.get('flagged') else ''}" for r in picked]
    with mpl.rc_context(cast(Any, STYLE)):
        fig = _new_figure(0.22 * n + 1.5)
        ax = fig.add_subplot(1, 1, 1)
        ax.barh(y[~flagged], v[~flagged], height=0.6, zorder=2, facecolor=BLUE, edgecolor=BLUE_DARK, linewidth=0.5)
        ax.barh(
            y[flagged], v[flagged], height=0.6, zorder=2, facecolor=LIGHT, edgecolor=GREY, hatch="////", linewidth=0.5
        )
        ax.hlines(y, lo, hi, color=INK, linewidth=1.0, zorder=3)
        ax.plot(lo, y, "|", color=INK, markersize=6, zorder=3)
        ax.plot(hi, y, "|", color=INK, markersize=6, zorder=3)
        lo_all, hi_all = float(min(0.0, lo.min(), v.min())), float(max(0.0, hi.max(), v.max()))
        span = hi_all - lo_all or 1.0
        for yi, vi, h in zip(y, v, hi, strict=True):
            ax.text(
                float(max(vi, h, 0.0)) + 0.02 * span,
                float(yi),
                fmt_signed(vi, 1, bare_zero=True),
                va="center",
                fontsize=6.5,
                color=INK,
            )
        ax.set_xlim(lo_all - 0.05 * span, hi_all + 0.2 * span)
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
        ax.set_yticks(y, labels, fontsize=7)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        ax.set_ylim(-0.7, n - 0.3)
        _pct_axis(ax, "x")
        what = "Value added at baseline prices" if value == "value_added_change_pct" else "Change"
        ax.set_xlabel(f"{what}, change (%)", fontsize=7)
        handles = [
            Patch(facecolor=BLUE, edgecolor=BLUE_DARK, label="central set"),
            Line2D([0], [0], color=INK, marker="|", label="range over the sets"),
            Patch(facecolor=LIGHT, edgecolor=GREY, hatch="////", label="* base < 1 % of output"),
        ]
        ax.legend(
            handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, borderaxespad=0.2, fontsize=6.5
        )
        return _finish(
            fig,
            title=title if title is not None else f"{region}: value added by sector, multi-sector GE",
            subtitle=subtitle
            if subtitle is not None
            else "Labour employed by each sector (value added at baseline prices); bar: central set, line: range",
            caption=caption if caption is not None else CP2015_CAPTION,
        )
