"""Figures for reports: one function per figure, each returns a matplotlib ``Figure``.

Every function takes results (a :class:`~tariffsim.engine.results.Result`, or the DataFrame it
documents), draws with the object-oriented API on a new :class:`matplotlib.figure.Figure` (no
pyplot, no global state, nothing to close, never ``show``) and applies one house style
(:data:`STYLE`): DejaVu Sans (shipped with matplotlib, so the same on every machine), no top/right
spines, light grid lines only where values are read off, a title, a one-line key message, axis
labels with units and a caption with the sources (data, elasticity sets, model). Series are told
apart by hatches, markers and line styles as well as colour, so the figures read in greyscale.

Percent values are percent (-6.5 = a fall of 6.5 %), money in US dollars (bn = 1e9), tariff rates
as shares in the inputs and percent on the axes. :func:`save_figure` writes PNG (200 dpi), SVG and
PDF. The style, the palette, the caption and number helpers live in :mod:`tariffsim.outputs.figures.style`;
:data:`STYLE`, :func:`style` and :func:`sources_caption` are re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ..._util import fmt_signed
from ...inputs.countries import display_name as _country_label
from .style import (
    BLUE,
    BLUE_DARK,
    BLUE_LIGHT,
    BLUE_MID,
    GREY,
    INK,
    LIGHT,
    LR_BAR,
    SR_BAR,
    STYLE,
    WIDTH,
    figure_caption,
    finish,
    fmt_num,
    new_figure,
    pct_axis,
    set_style,
    short_label,
    sources_caption,
    sources_caption_runs,
    style,
    wrap_text,
)

if TYPE_CHECKING:
    from ...engine.results import Result
    # a Comparison (tariffsim.outputs.comparison) is typed Any in this module: comparison imports plots, so
    # importing it here (even under TYPE_CHECKING) would make an import cycle

log = logging.getLogger(__name__)

CHANNEL_LABELS = {
    "trade": "Exports (trade channel)",
    "retaliation_inputs": "Retaliation: dearer US inputs",
    "real_income": "Real income (prices, duty revenue)",
    "long_run_ge": "Long run (GE real income, blended in)",
    "uncertainty": "Uncertainty / investment drag",
}
CHANNEL_STYLES: dict[str, dict[str, Any]] = {
    "trade": {"facecolor": BLUE, "edgecolor": BLUE_DARK, "hatch": None},
    "retaliation_inputs": {"facecolor": BLUE_LIGHT, "edgecolor": BLUE_DARK, "hatch": "////"},
    "real_income": {"facecolor": "white", "edgecolor": INK, "hatch": "...."},
    "long_run_ge": {"facecolor": BLUE_MID, "edgecolor": BLUE_DARK, "hatch": "\\\\\\"},
    "uncertainty": {"facecolor": LIGHT, "edgecolor": "#555555", "hatch": "xxx"},
}
#: gdp_path_chart: the totals of the other elasticity sets, dark and as wide as the central line,
#: with a white edge so that they read over the bars.
RANGE_LINE: dict[str, Any] = {"color": "#333333", "linewidth": 1.5, "markersize": 3.5, "markerfacecolor": "white"}

PARAMETER_LABELS = {
    "sigma": "Armington elasticity σ",
    "eta": "Import-demand elasticity η",
    "eps_x": "Export-supply elasticity",
    "multiplier": "Domestic multiplier",
    "value_added_share": "Value-added share of exports",
    "exchange_rate_offset": "Exchange-rate offset (share of tariff)",
    "export_dependence": "Export dependence on the US (share)",
    "uncertainty_drag_pct": "Uncertainty drag (% of GDP)",
}

#: figure name (file stem) -> function; the report writes them in this order.
FIGURES: tuple[str, ...] = (
    "gdp_by_set",
    "recession_curve",
    "fan_chart",
    "gdp_heatmap",
    "tornado_chart",
    "export_losses_by_sector",
    "diversion_by_source",
    "gdp_path_chart",
    "ge_welfare",
)

__all__ = [
    "STYLE",
    "FIGURES",
    "style",
    "sources_caption",
    *FIGURES,
    "compare_gdp_paths",
    "compare_headline",
    "save_figure",
]


# ----------------------------------------------------------------------------- figures

#: gdp_by_set: bar height (share of a row) and the gap (rows) between the central bar and the
#: whisker of the parameter draws drawn under it: the whisker sits in the gap between two bars.
_BAR_HEIGHT = 0.62
_WHISKER_GAP = 0.11


def gdp_by_set(
    result: Result, *, sets: Sequence[str] | None = None, title: str | None = None, sources: object = None
) -> Figure:
    """GDP impact by elasticity set with ranges.

    Bars: real GDP after four quarters, deviation from baseline (percent). Diamonds: the long run
    (general-equilibrium real income, ``gdp_impact_pct_long_run``). Whisker under the central bar:
    5-95 % range of the Monte Carlo parameter draws (``result.draws['gdp_impact_pct']``) when there
    are draws.
    """
    summ = result.summary().set_index("elasticity_set")
    names = list(sets) if sets is not None else list(summ.index)
    from ...inputs.scenario import quarter_labels

    H = len(result.outcome().macro.path)
    q4_period = quarter_labels(result.scenario.phase_in, min(4, H))[-1]
    y = np.arange(len(names))[::-1]
    v4 = summ.loc[names, "gdp_impact_pct"].astype(float).to_numpy()
    vL = summ.loc[names, "gdp_impact_pct_long_run"].astype(float).to_numpy()
    lo: float | None = None
    hi: float | None = None
    n_draws = 0
    if result.draws is not None and len(result.draws) and result.central in names:
        q = result.draws["gdp_impact_pct"].quantile([0.05, 0.95])
        lo, hi = float(q.loc[0.05]), float(q.loc[0.95])
        n_draws = len(result.draws)
    with mpl.rc_context(STYLE):
        fig = new_figure(0.42 * len(names) + 1.1)
        ax = fig.add_subplot()
        xmin = min(float(np.nanmin(v4)), float(np.nanmin(vL)), lo if lo is not None else 0.0)
        xmax = max(0.0, float(np.nanmax(v4)), float(np.nanmax(vL)))
        span = xmax - xmin or 1.0
        for yi, n, a in zip(y, names, v4, strict=True):
            central = n == result.central
            ax.barh(
                yi,
                a,
                height=_BAR_HEIGHT,
                facecolor=BLUE if central else BLUE_LIGHT,
                edgecolor=BLUE_DARK,
                hatch=None if central else "////",
                linewidth=0.5,
                zorder=2,
            )
            # the value inside the bar, at its end (boxed so that hatching does not cross it)
            inside = a + (0.015 * span if a < 0 else -0.015 * span)
            ax.text(
                inside,
                yi,
                fmt_num(a, 1),
                va="center",
                ha="left" if a < 0 else "right",
                fontsize=7.5,
                color="white" if central else INK,
                fontweight="bold",
                zorder=6,
                bbox=None if central else {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
        ax.scatter(vL, y, marker="D", s=26, facecolor="white", edgecolor=INK, linewidth=1.0, zorder=4)
        if lo is not None and hi is not None:
            # in the gap just below the central bar, so that it crosses neither the bar's value
            # label nor the long-run diamond (both on the bar's centre line)
            yc = y[names.index(result.central)] - (_BAR_HEIGHT / 2 + _WHISKER_GAP)
            ax.errorbar(
                [(lo + hi) / 2],
                [yc],
                xerr=[[(hi - lo) / 2]],
                fmt="none",
                ecolor=INK,
                elinewidth=1.1,
                capsize=3,
                capthick=1.1,
                zorder=5,
                label="_draws_5_95",
            )
        ax.set_xlim(xmin - 0.05 * span, xmax + 0.04 * span if xmax > 0 else 0.02 * span)
        ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
        if result.model == "ge":
            labels = [f"{n}\nε {result.outcome(n).elasticities.ge_trade_elasticity:g}" for n in names]
        else:
            labels = [f"{n}\nσ {summ.loc[n].sigma:g}, η {summ.loc[n].eta:g}" for n in names]
        ax.set_yticks(y, labels)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        pct_axis(ax, "x")
        ax.set_xlabel("Real GDP, deviation from baseline (%)")
        handles = [
            Patch(facecolor=BLUE, edgecolor=BLUE_DARK, label=f"after 4 quarters ({q4_period}), central set"),
            Patch(facecolor=BLUE_LIGHT, edgecolor=BLUE_DARK, hatch="////", label="after 4 quarters, other sets"),
            Line2D(
                [],
                [],
                marker="D",
                linestyle="none",
                markerfacecolor="white",
                markeredgecolor=INK,
                label="long run (GE real income)",
            ),
        ]
        if lo is not None:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=INK,
                    marker="|",
                    markersize=8,
                    linewidth=1.1,
                    label=f"central, 4 quarters: 5–95 % of {n_draws} draws",
                )
            )
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=2, borderaxespad=0.2)
        c = summ.loc[result.central]
        sub = (
            f"{_country_label(result.country)}: {fmt_signed(cast(float, c.gdp_impact_pct), 1)} % after four quarters in the "
            f"central set, {fmt_signed(float(np.nanmax(v4)), 1)} to {fmt_signed(float(np.nanmin(v4)), 1)} % "
            "across sets"
        )
        if lo is not None:
            sub += f" and {fmt_signed(hi, 1)} to {fmt_signed(lo, 1)} % for 5–95 % of the parameter draws"
        return finish(
            fig,
            title=title if title is not None else f"GDP impact by elasticity set ({result.scenario.name})",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=names),
        )


def recession_curve(
    sweep_df: pd.DataFrame, *, mark_rate: float | None = None, title: str | None = None, sources: object = None
) -> Figure:
    """Probability of a technical recession (two consecutive quarters of negative q/q growth) within
    four quarters against the tariff rate, one line per elasticity set, the no-tariff probability
    as a horizontal line.

    ``sweep_df``: :func:`tariffsim.engine.uncertainty.sweep` output (columns rate [share],
    elasticity_set, recession_probability and recession_probability_baseline [shares 0-1]).
    ``mark_rate``: the scenario's rate (share), marked with a vertical line.
    """
    need = {"rate", "elasticity_set", "recession_probability", "recession_probability_baseline"}
    missing = need - set(sweep_df.columns)
    if missing:
        raise ValueError(
            f"sweep_df lacks columns {sorted(missing)}; pass tariffsim.engine.uncertainty.sweep(...) output"
        )
    df = sweep_df.dropna(subset=["recession_probability"])
    sets = list(dict.fromkeys(df["elasticity_set"]))
    base = float(np.nanmedian(df["recession_probability_baseline"])) * 100
    with mpl.rc_context(STYLE):
        fig = new_figure(3.6)
        ax = fig.add_subplot()
        for i, s in enumerate(sets):
            d = df[df.elasticity_set == s].sort_values("rate")
            st = set_style(s, i)
            ax.plot(
                d.rate * 100,
                d.recession_probability * 100,
                label=f"{s} elasticities",
                markersize=4,
                markerfacecolor="white" if s == "low" else st["color"],
                zorder=3,
                **st,
            )
        ax.axhline(base, color=GREY, linewidth=1.0, linestyle=(0, (6, 3)), zorder=2)
        xmax = float(df.rate.max() * 100)
        ax.text(
            xmax, base - 2.0, f"without the tariff: {base:.0f} %", ha="right", va="top", fontsize=7.5, color="#444444"
        )
        if mark_rate is not None:
            ax.axvline(mark_rate * 100, color=INK, linewidth=0.7, linestyle=":", zorder=1)
            ax.text(
                mark_rate * 100,
                101,
                f"scenario {mark_rate * 100:g} %",
                ha="center",
                va="bottom",
                fontsize=7.5,
                color=INK,
            )
        ax.set_ylim(0, 100)
        ax.set_xlim(float(df.rate.min() * 100), xmax)
        ax.yaxis.grid(True)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=11, steps=[1, 2, 2.5, 5, 10]))
        ax.set_xlabel("Tariff rate (%; every tariff measure of the scenario at this rate)")
        ax.set_ylabel("Technical recession within\n4 quarters (probability, %)")
        ax.legend(loc="lower right", title="Elasticity set", title_fontsize=7.5)
        sub = None
        if mark_rate is not None and "central" in sets:
            d = df[(df.elasticity_set == "central")]
            k = int(np.argmin(np.abs(d.rate.to_numpy() - mark_rate)))
            if abs(d.rate.iloc[k] - mark_rate) < 1e-9:
                sub = (
                    f"At {mark_rate * 100:g} %: {d.recession_probability.iloc[k] * 100:.0f} % with the central set's "
                    f"point GDP path, against {base:.0f} % without the tariff"
                )
        default = sweep_df.attrs.get("scenario")
        extra = "Technical recession: two consecutive quarters of negative q/q growth"
        return finish(
            fig,
            title=title if title is not None else "Recession probability against the tariff rate",
            subtitle=sub,
            caption=figure_caption(sources, default, sets=sets, extra=extra),
        )


def fan_chart(result: Result, *, title: str | None = None, sources: object = None) -> Figure:
    """Fan chart of quarterly real GDP growth (q/q, percent per quarter, not annualised) with and
    without the tariff: medians and the 25-75 % and 5-95 % bands of the recession Monte Carlo
    (``result.recession.quantiles()``), quarters labelled with their periods."""
    risk = result.recession
    if risk is None:
        raise ValueError("the result has no recession Monte Carlo; run simulate(..., recession=True)")
    q = risk.quantiles()
    levels = sorted(set(q["quantile"]))

    def band(scen: str, lev: float) -> np.ndarray:
        d = q[(q.scenario == scen) & np.isclose(q["quantile"], lev)].sort_values("quarter")
        return d["growth_pct"].to_numpy()

    def has(lev: float) -> bool:
        return any(np.isclose(lev, x) for x in levels)

    H = risk.horizon
    periods = (
        list(dict.fromkeys(q.sort_values("quarter")["period"]))
        if "period" in q.columns
        else [str(i) for i in range(1, H + 1)]
    )
    x = np.arange(1, H + 1)
    outer = (0.05, 0.95) if has(0.05) and has(0.95) else (levels[0], levels[-1])
    inner = (0.25, 0.75) if has(0.25) and has(0.75) else None
    with mpl.rc_context(STYLE):
        fig = new_figure(3.7)
        ax = fig.add_subplot()
        # with the tariff: blue bands, solid median
        ax.fill_between(
            x, band("tariff", outer[0]), band("tariff", outer[1]), facecolor=BLUE, alpha=0.16, linewidth=0, zorder=1
        )
        if inner:
            ax.fill_between(
                x, band("tariff", inner[0]), band("tariff", inner[1]), facecolor=BLUE, alpha=0.34, linewidth=0, zorder=1
            )
        ax.plot(x, band("tariff", 0.5), color=BLUE_DARK, linestyle="-", marker="o", markersize=3.5, zorder=5)
        # without the tariff: lines only (dashed median, thin dotted bands), so the two fans stay apart
        ax.plot(
            x,
            band("baseline", 0.5),
            color="#4d4d4d",
            linestyle=(0, (5, 2)),
            marker="s",
            markersize=3.5,
            markerfacecolor="white",
            zorder=4,
        )
        for lev in outer:
            ax.plot(x, band("baseline", lev), color="#4d4d4d", linestyle=(0, (1, 1.5)), linewidth=1.0, zorder=3)
        if inner:
            for lev in inner:
                ax.plot(
                    x, band("baseline", lev), color="#4d4d4d", linestyle=(0, (4, 1.5, 1, 1.5)), linewidth=0.8, zorder=3
                )
        ax.axhline(0, color=INK, linewidth=0.8, zorder=2)
        ylo, yhi = ax.get_ylim()
        ax.set_ylim(ylo, yhi + 0.1 * (yhi - ylo))  # headroom for the label below
        if H > 4:
            ax.axvline(4.5, color=GREY, linewidth=0.7, linestyle=(0, (2, 2)), zorder=0)
            ax.text(
                4.45,
                0.98,
                "← first four quarters",
                transform=ax.get_xaxis_transform(),
                ha="right",
                va="top",
                fontsize=7,
                color="#4d4d4d",
            )
        step = 1 if H <= 16 else int(np.ceil(H / 12))
        ax.set_xticks(x[::step], [periods[i] for i in range(0, H, step)], rotation=0 if H <= 12 else 45)
        ax.set_xlim(0.6, H + 0.4)
        ax.yaxis.grid(True)
        pct_axis(ax, "y")
        ax.set_ylabel("Real GDP growth, q/q\n(% per quarter, not annualised)")
        ax.set_xlabel("Quarter (the tariff applies from the first)")
        pct = f"{outer[0] * 100:g}–{outer[1] * 100:g} %"
        ipct = f"{inner[0] * 100:g}–{inner[1] * 100:g} %" if inner else None
        handles = [
            Line2D([], [], color=BLUE_DARK, marker="o", markersize=3.5, label="with tariff: median"),
            Patch(facecolor=BLUE, alpha=0.34, label=f"with tariff: {ipct}") if inner else None,
            Patch(facecolor=BLUE, alpha=0.16, label=f"with tariff: {pct}"),
            Line2D(
                [],
                [],
                color="#4d4d4d",
                linestyle=(0, (5, 2)),
                marker="s",
                markersize=3.5,
                markerfacecolor="white",
                label="without tariff: median",
            ),
            Line2D(
                [], [], color="#4d4d4d", linestyle=(0, (4, 1.5, 1, 1.5)), linewidth=0.8, label=f"without tariff: {ipct}"
            )
            if inner
            else None,
            Line2D([], [], color="#4d4d4d", linestyle=(0, (1, 1.5)), linewidth=1.0, label=f"without tariff: {pct}"),
        ]
        ax.legend(
            handles=[h for h in handles if h is not None],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.01),
            ncols=2,
            borderaxespad=0.2,
        )
        sub = (
            f"Technical recession within four quarters: {risk.recession_probability * 100:.0f} % with the tariff, "
            f"{risk.recession_probability_baseline * 100:.0f} % without "
            f"({risk.n_paths:,} simulated paths" + (f", {risk.n_draws} parameter draws)" if risk.n_draws > 1 else ")")
        )
        extra = (
            f"Growth: AR(1) for {_country_label(result.country)}'s quarterly GDP (mean {risk.mu:.2f}, "
            f"persistence {risk.rho:.2f}, innovation sd {risk.sigma:.2f}; % per quarter) plus the tariff's GDP "
            "path; common random numbers with and without the tariff"
        )
        return finish(
            fig,
            title=title if title is not None else "Quarterly growth with and without the tariff",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=[result.central], extra=extra),
        )


def gdp_heatmap(
    grid_df: pd.DataFrame,
    *,
    value: str = "gdp_impact_pct",
    mark: tuple[float, float] | None = None,
    annotate: bool | None = None,
    title: str | None = None,
    sources: object = None,
) -> Figure:
    """Heatmap of the GDP impact over tariff rate x one-year elasticity σ (every elasticity of the set scaled).

    ``grid_df``: :func:`tariffsim.engine.uncertainty.elasticity_grid` output (rate as a share, sigma,
    ``value`` in percent: ``gdp_impact_pct`` after four quarters or ``gdp_impact_pct_long_run``).
    ``mark``: (rate, sigma) cell to outline (the scenario's case). Values are printed in the cells
    when the grid is at most 16 x 16 (``annotate`` forces it on or off). Colour map: sequential blues,
    monotonic in lightness (reads in greyscale): darker = larger loss, white = no change.
    """
    for c in ("rate", "sigma", value):
        if c not in grid_df.columns:
            raise ValueError(
                f"grid_df lacks column {c!r}; pass tariffsim.engine.uncertainty.elasticity_grid(...) output"
            )
    pv = grid_df.pivot_table(index="sigma", columns="rate", values=value, aggfunc="mean").sort_index()
    Z = pv.to_numpy(dtype=float)
    rates = pv.columns.to_numpy(dtype=float)
    sig = pv.index.to_numpy(dtype=float)
    nr, nc = Z.shape
    annotate = (nr <= 16 and nc <= 16) if annotate is None else annotate
    vmin = float(np.nanmin(Z))
    vmax = max(0.0, float(np.nanmax(Z)))
    if vmax - vmin < 1e-12:
        vmin -= 1.0
    with mpl.rc_context(STYLE):
        fig = new_figure(max(2.6, 0.3 * nr + 1.4))
        ax = fig.add_subplot()
        cmap = mpl.colormaps["Blues_r"]
        im = ax.imshow(Z, origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if annotate:
            norm = im.norm
            for i in range(nr):
                for j in range(nc):
                    v = Z[i, j]
                    if not np.isfinite(v):
                        continue
                    dark = cast(float, norm(v)) < 0.4  # a scalar in, a scalar out
                    ax.text(
                        j,
                        i,
                        fmt_num(v, 1),  # one decimal in every cell; '0.0', never '−0.0'
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if dark else INK,
                    )
        step = max(1, int(np.ceil(nc / 11)))
        ax.set_xticks(np.arange(nc)[::step], [f"{r * 100:g}" for r in rates[::step]])
        ax.set_yticks(np.arange(nr), [f"{s:g}" for s in sig])
        ax.tick_params(length=0)
        for sp in ax.spines.values():
            sp.set_visible(False)
        if mark is not None:
            jj = np.flatnonzero(np.isclose(rates, mark[0]))
            ii = np.flatnonzero(np.isclose(sig, mark[1]))
            if jj.size and ii.size:
                for lw, col in ((2.4, "white"), (1.1, INK)):
                    ax.add_patch(
                        Rectangle((jj[0] - 0.5, ii[0] - 0.5), 1, 1, fill=False, edgecolor=col, linewidth=lw, zorder=5)
                    )
        ax.set_xlabel("Tariff rate (%)")
        ax.set_ylabel("One-year elasticity σ\n(tariff-exclusive flows)")
        when = "after 4 quarters" if value == "gdp_impact_pct" else ("end of horizon" if "long_run" in value else "")
        cb = fig.colorbar(im, ax=ax, shrink=0.95, aspect=25, pad=0.02)
        cb.set_label(f"Real GDP {when}, deviation\nfrom baseline (%)".replace("  ", " "), fontsize=8)
        cb.ax.tick_params(labelsize=7.5)
        cb.outline.set_linewidth(0.5)
        pct_axis(cb.ax, "y")
        extra = (
            "σ: the one-year elasticity of tariff-exclusive flows, every elasticity of the central set scaled "
            "with it (the long run too); other parameters at the central set's values"
        )
        if mark is not None:
            extra += f"; outlined: {mark[0] * 100:g} % and σ {mark[1]:g}"
        sub = None
        if mark is not None:
            sel = grid_df[np.isclose(grid_df.rate, mark[0]) & np.isclose(grid_df.sigma, mark[1])]
            if len(sel):
                sub = (
                    f"At {mark[0] * 100:g} % and σ {mark[1]:g}: {fmt_signed(float(sel[value].iloc[0]), 1)} %; "
                    f"range over the grid at that rate "
                    f"{fmt_signed(float(grid_df.loc[np.isclose(grid_df.rate, mark[0]), value].max()), 1)} to "
                    f"{fmt_signed(float(grid_df.loc[np.isclose(grid_df.rate, mark[0]), value].min()), 1)} %"
                )
        default = grid_df.attrs.get("scenario")
        return finish(
            fig,
            title=title if title is not None else "GDP impact over tariff rate and trade elasticity",
            subtitle=sub,
            caption=figure_caption(sources, default, sets=["central"], extra=extra),
        )


def _value_label(v: Any) -> str:  # a cell of a tornado table (label or number)
    if isinstance(v, str):
        return v.replace("x", "×", 1) if v.startswith("x") else v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{f:.3g}"


def _tornado_note(df: pd.DataFrame, sources: object) -> str:
    """What the tornado's low and high values are: the elasticity factors (from the frame), the
    assumptions' ranges, and the value-added share's lopsided range with its origin
    (:data:`tariffsim.engine.uncertainty.VALUE_ADDED_RANGE`) and central value (from a result)."""
    from ...engine.uncertainty import VALUE_ADDED_RANGE

    parts = ["One parameter at a time, the rest central"]
    rows: dict[str, Any] = {str(r.parameter): r for r in df.itertuples(index=False)}
    if "elasticities" in rows:
        r = rows["elasticities"]
        parts.append(
            f"elasticities: every σ and η of the set times {_value_label(r.low_value)} and "
            f"{_value_label(r.high_value)} (5th and 95th percentiles of the one-year σ distribution over its mode)"
        )
    parts.append("assumptions at the scenario's low and high values")
    if "value_added_share" in rows:
        r = rows["value_added_share"]
        lo, hi = float(r.low_value), float(r.high_value)
        if np.allclose((lo, hi), VALUE_ADDED_RANGE):
            central = ""
            outcome = getattr(sources, "outcome", None)
            if callable(outcome):
                try:
                    central = f" around the data's {outcome().macro.assumptions.value_added_share:.2f} (WIOD 2014)"
                except (AttributeError, KeyError, TypeError):
                    central = ""
            parts.append(
                f"value-added share {lo:g} (manufacturing alone) to {hi:g} (the highest WIOD estimate, "
                f"2002–2014){central}: lopsided because the only lower published estimate is the "
                "manufacturing-only one"
            )
    return "; ".join(parts)


def tornado_chart(tornado_df: pd.DataFrame, *, title: str | None = None, sources: object = None) -> Figure:
    """Tornado of one-at-a-time sensitivities of the GDP impact after four quarters.

    ``tornado_df``: :func:`tariffsim.engine.uncertainty.tornado` output (parameter, low_value,
    high_value, gdp_at_low, gdp_at_high, gdp_central in percent, swing). Each parameter gets a bar
    from the central value to its outcome at the low value (hatched) and at the high value
    (solid), labelled with the parameter value; the largest swing is on top.
    """
    need = {"parameter", "low_value", "high_value", "gdp_at_low", "gdp_at_high", "gdp_central"}
    missing = need - set(tornado_df.columns)
    if missing:
        raise ValueError(
            f"tornado_df lacks columns {sorted(missing)}; pass tariffsim.engine.uncertainty.tornado(...) output"
        )
    df = tornado_df.copy()
    df["_swing"] = (df.gdp_at_high - df.gdp_at_low).abs()
    df = df.sort_values("_swing", ascending=False, ignore_index=True)
    c = float(df.gdp_central.iloc[0])
    n = len(df)
    y = np.arange(n)[::-1]
    allv = np.r_[df.gdp_at_low.to_numpy(float), df.gdp_at_high.to_numpy(float), c]
    lo, hi = float(allv.min()), float(allv.max())
    span = hi - lo or 1.0
    with mpl.rc_context(STYLE):
        fig = new_figure(0.36 * n + 1.0)
        ax = fig.add_subplot()
        lows, highs = df.gdp_at_low.to_numpy(float), df.gdp_at_high.to_numpy(float)
        for yi, g_low, g_high, r in zip(y, lows, highs, df.itertuples(), strict=True):
            for val, sty in ((g_low, SR_BAR), (g_high, LR_BAR)):
                ax.barh(yi, val - c, left=c, height=0.6, zorder=2, **sty)
            # label each end with the parameter value; put the label outside the bar end
            for val, lab in ((g_low, r.low_value), (g_high, r.high_value)):
                right = val >= c
                if abs(val - c) < 1e-9:
                    right = not (g_high >= c if lab is r.low_value else g_low >= c)
                ax.text(
                    val + (0.01 if right else -0.01) * span,
                    yi,
                    _value_label(lab),
                    va="center",
                    ha="left" if right else "right",
                    fontsize=7,
                    color=INK,
                    zorder=4,
                )
        ax.axvline(c, color=INK, linewidth=0.9, zorder=3)
        ax.text(
            c,
            n - 0.45,
            f"central {fmt_signed(c, 2)} %",
            ha="center",
            va="bottom",
            fontsize=7.5,
            color=INK,
            bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            zorder=5,
        )
        ax.set_ylim(-0.6, n + 0.05)
        ax.set_xlim(lo - 0.12 * span, hi + 0.12 * span)
        ax.set_yticks(y, [PARAMETER_LABELS.get(p, str(p)) for p in df.parameter])
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.xaxis.grid(True)
        pct_axis(ax, "x")
        ax.set_xlabel("Real GDP after 4 quarters, deviation from baseline (%)")
        # above the axes: inside, the legend would cover a bar whichever corner it takes
        ax.legend(
            handles=[Patch(label="at the low value", **SR_BAR), Patch(label="at the high value", **LR_BAR)],
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=2,
            borderaxespad=0.2,
        )
        top = df.iloc[0]
        sub = (
            f"Largest swing: {PARAMETER_LABELS.get(top.parameter, top.parameter).split(' (')[0]}, "
            f"{fmt_signed(min(top.gdp_at_low, top.gdp_at_high), 1)} to "
            f"{fmt_signed(max(top.gdp_at_low, top.gdp_at_high), 1)} %"
        )
        extra = _tornado_note(df, sources)
        default = tornado_df.attrs.get("scenario")
        return finish(
            fig,
            title=title if title is not None else "Sensitivity of the GDP impact after four quarters",
            subtitle=sub,
            caption=figure_caption(sources, default, sets=["central"], extra=extra),
        )


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
    importer: str = "USA",
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


def gdp_path_chart(
    result: Result,
    *,
    set_name: str | None = None,
    range_sets: Sequence[str] = ("low", "high"),
    title: str | None = None,
    sources: object = None,
) -> Figure:
    """Quarterly GDP level deviation from baseline (percent) by channel (stacked bars) with the
    total (line), for one elasticity set (default central); the totals of ``range_sets`` (when run)
    as thin lines."""
    name = set_name or result.central
    gp = result.gdp_path(name)
    H = len(gp)
    x = np.arange(1, H + 1)
    chans = [c for c in CHANNEL_LABELS if f"{c}_pct" in gp.columns and np.any(np.abs(gp[f"{c}_pct"]) > 1e-9)]
    with mpl.rc_context(STYLE):
        fig = new_figure(3.6)
        ax = fig.add_subplot()
        pos = np.zeros(H)
        neg = np.zeros(H)
        handles: list[Artist] = []
        for c in chans:
            v = gp[f"{c}_pct"].to_numpy(float)
            st = CHANNEL_STYLES[c]
            bottom = np.where(v >= 0, pos, neg)
            ax.bar(
                x,
                v,
                bottom=bottom,
                width=0.7,
                facecolor=st["facecolor"],
                edgecolor=st["edgecolor"],
                hatch=st["hatch"],
                linewidth=0.5,
                zorder=2,
            )
            pos += np.where(v >= 0, v, 0)
            neg += np.where(v < 0, v, 0)
            label = CHANNEL_LABELS[c]
            handles.append(
                Patch(
                    facecolor=st["facecolor"], edgecolor=st["edgecolor"], hatch=st["hatch"], linewidth=0.5, label=label
                )
            )
        tot = gp["gdp_deviation_pct"].to_numpy(float)
        ax.plot(x, tot, color=INK, marker="o", markersize=3.5, linewidth=1.6, zorder=5)
        handles.append(Line2D([], [], color=INK, marker="o", markersize=3.5, label=f"total, '{name}' set"))
        extremes = [neg, pos, tot]
        shown = [r for r in range_sets if r in result.sets and r != name]
        for i, s in enumerate(shown):
            t = result.gdp_path(s)["gdp_deviation_pct"].to_numpy(float)
            extremes.append(t)
            st = set_style(s, i)
            kw = {**RANGE_LINE, "linestyle": st["linestyle"], "marker": st["marker"]}
            halo = [
                patheffects.Stroke(linewidth=RANGE_LINE["linewidth"] + 2.0, foreground="white"),
                patheffects.Normal(),
            ]
            ax.plot(x, t, zorder=4, path_effects=halo, **kw)
            handles.append(Line2D([], [], label=f"total, '{s}' set", **kw))
        ax.axhline(0, color=INK, linewidth=0.8, zorder=3)
        step = 1 if H <= 16 else int(np.ceil(H / 12))
        ax.set_xticks(x[::step], list(gp["period"])[::step], rotation=0 if H <= 12 else 45)
        ax.set_xlim(0.4, H + 0.6)
        ax.yaxis.grid(True)
        pct_axis(ax, "y")
        ax.set_ylabel("Real GDP, deviation\nfrom baseline (%)")
        ax.set_xlabel("Quarter (the tariff applies from the first)")
        ax.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.01),
            ncols=3 if len(handles) <= 3 else 2,
            borderaxespad=0.2,
        )
        allv = np.concatenate(extremes)
        lo, hi = min(0.0, float(np.nanmin(allv))), max(0.0, float(np.nanmax(allv)))
        pad = 0.05 * ((hi - lo) or 1.0)
        ax.set_ylim(lo - pad, hi + pad)
        k = min(4, H) - 1
        sub = (
            f"'{name}' set: {fmt_signed(tot[k], 2)} % after four quarters ({gp['period'].iloc[k]}), "
            f"{fmt_signed(tot[-1], 2)} % after {H} ({gp['period'].iloc[-1]})"
        )
        if shown:
            ends = [result.gdp_path(r)["gdp_deviation_pct"].iloc[k] for r in shown]
            sub += (
                f"; after four quarters {fmt_signed(max(ends), 2)} to {fmt_signed(min(ends), 2)} % "
                f"in the {' and '.join(repr(r) for r in shown)} sets"
            )
        qs = float(result.scenario.assumption("blend_start_quarter"))
        qe = float(result.scenario.assumption("blend_end_quarter"))
        extra = (
            f"Quarters 1–{qs:g}: the near-term channels build up by partial adjustment to their one-year "
            f"values (one-year elasticities); then a linear blend into the long-run general-equilibrium "
            f"real income, reached in quarter {qe:g}"
        )
        return finish(
            fig,
            title=title if title is not None else f"{_country_label(result.country)}: GDP path by channel",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=[name, *range_sets], extra=extra),
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
        ax.set_xlabel("Welfare change (%, real income equivalent)" if value == "welfare_pct" else f"{value} (%)")
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


# ----------------------------------------------------------------------------- saving


def save_figure(
    fig: Figure, stem: str | Path, formats: Sequence[str] = ("png", "svg", "pdf"), *, dpi: int = 200
) -> list[Path]:
    """Write ``fig`` as ``stem.png`` (``dpi``, default 200), ``stem.svg`` and ``stem.pdf`` (or the
    ``formats`` given); returns the paths. Metadata dates are left out so that reruns give the same
    SVG/PDF bytes. The parent folder is created when missing."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for f in formats:
        f = f.lower().lstrip(".")
        if f not in ("png", "svg", "pdf"):
            raise ValueError(f"unknown figure format {f!r}; expected png, svg or pdf")
        path = stem.with_name(f"{stem.name}.{f}")
        meta = {"png": {"Software": "tariffsim"}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[f]
        with mpl.rc_context(STYLE):
            fig.savefig(path, format=f, dpi=dpi if f == "png" else "figure", metadata=meta)
        out.append(path)
        log.debug("wrote %s", path)
    return out


# ----------------------------------------------------------------------------- comparisons

_RUN_COLOURS = [BLUE_DARK, BLUE_MID, GREY, "#4d4d4d", "#a0a0a0", BLUE, INK]
_RUN_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
_MODEL_LINES = {"pe": "-", "ge": (0, (5, 2)), "ge-io": (0, (5, 1.5, 1, 1.5))}


def _run_styles(runs: Sequence[tuple[str, str]]) -> dict:
    """(scenario, model) -> line style: colour and marker by scenario, line style by model."""
    names = list(dict.fromkeys(n for n, _ in runs))
    out = {}
    for n, m in runs:
        i = names.index(n)
        out[(n, m)] = {
            "color": _RUN_COLOURS[i % len(_RUN_COLOURS)],
            "marker": _RUN_MARKERS[i % len(_RUN_MARKERS)],
            "linestyle": _MODEL_LINES.get(m, ":"),
        }
    return out


def _compare_caption(comparison: Any, extra: str) -> str:
    return sources_caption_runs(comparison.results.values(), extra=extra)


def _coinciding_models(gp: pd.DataFrame, runs: Sequence[tuple[str, str]]) -> list[str]:
    """Scenarios run with both 'pe' and 'ge' whose GDP paths are equal (to 1e-9 percent)."""
    out = []
    for name in dict.fromkeys(n for n, _ in runs):
        if (name, "pe") in runs and (name, "ge") in runs:
            a, b = (
                gp[(gp.scenario == name) & (gp.model == m)].sort_values("quarter").gdp_deviation_pct.to_numpy(float)
                for m in ("pe", "ge")
            )
            if a.shape == b.shape and a.size and np.allclose(a, b, rtol=0.0, atol=1e-9):
                out.append(name)
    return out


def compare_gdp_paths(comparison: Any, *, title: str | None = None, sources: object = None) -> Figure:
    """GDP paths of all the scenarios of a :class:`~tariffsim.outputs.comparison.Comparison` on one chart:
    the quarterly real GDP level deviation from baseline (percent, central elasticity set), one
    line per scenario and model (colour and marker by scenario, solid PE, dashed GE), labelled at
    its end; quarters from the first run's periods."""
    gp = comparison.gdp_paths()
    runs = list(comparison.runs)
    styles = _run_styles(runs)
    with mpl.rc_context(STYLE):
        fig = new_figure(3.6)
        ax = fig.add_subplot()
        H = int(gp.quarter.max()) if len(gp) else 1
        for key in runs:
            d = gp[(gp.scenario == key[0]) & (gp.model == key[1])].sort_values("quarter")
            st = styles[key]
            ax.plot(
                d.quarter,
                d.gdp_deviation_pct,
                color=st["color"],
                linestyle=st["linestyle"],
                marker=st["marker"],
                markersize=3.5,
                markerfacecolor=st["color"] if key[1] == "pe" else "white",
                linewidth=1.4,
                label=d.run.iloc[0] if len(d) else f"{key[0]} ({_MODEL_NAMES_UP.get(key[1], key[1])})",
                zorder=3,
            )
        ax.axhline(0, color=INK, linewidth=0.8, zorder=2)
        if H >= 4:
            ax.axvline(4, color=GREY, linewidth=0.7, linestyle=(0, (2, 2)), zorder=1)
            ax.text(
                4.1, 0.02, "four quarters", transform=ax.get_xaxis_transform(), fontsize=7, color="#4d4d4d", va="bottom"
            )
        first = gp[(gp.scenario == runs[0][0]) & (gp.model == runs[0][1])].sort_values("quarter") if runs else gp
        x = first.quarter.to_numpy()
        step = 1 if H <= 16 else int(np.ceil(H / 12))
        ax.set_xticks(x[::step], list(first.period)[::step], rotation=0 if H <= 12 else 45)
        ax.set_xlim(0.6, H + 0.4)
        ax.yaxis.grid(True)
        pct_axis(ax, "y")
        ax.set_ylabel("Real GDP, deviation\nfrom baseline (%)")
        ax.set_xlabel("Quarter (the tariff applies from the first)")
        ncols = 2 if len(runs) == 4 else min(3, max(1, len(runs)))
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.01), ncols=ncols, borderaxespad=0.2)
        at4 = gp[gp.quarter == min(4, H)].set_index("run")["gdp_deviation_pct"]
        sub = None
        if len(at4):
            sub = (
                f"After four quarters: {fmt_signed(float(at4.max()), 2)} % ({at4.idxmax()}) to "
                f"{fmt_signed(float(at4.min()), 2)} % ({at4.idxmin()})"
            )
        extra = (
            "Central elasticity set of each scenario; solid, filled markers: partial equilibrium; dashed: one-sector GE"
        )
        if any(m == "ge-io" for _, m in runs):
            extra += "; dash-dot: multi-sector GE-IO (Caliendo-Parro 1993 tables)"
        same = _coinciding_models(gp, runs)
        if same:
            extra += (
                f"; the PE and GE paths of {', '.join(same)} coincide (both models take the first year from the "
                "PE model and the long run from the GE one)"
            )
        cap = sources if isinstance(sources, str) else _compare_caption(comparison, extra)
        return finish(
            fig,
            title=title if title is not None else "GDP paths of the scenarios compared",
            subtitle=sub,
            caption=cap,
        )


def _panels(comparison: Any, measures: Sequence[Any] | None) -> list[tuple[str, str, int]]:
    """(JSON key, panel heading, decimals) of the measures to draw, in the table's order, from the
    comparison itself (its tidy table and :meth:`wide`'s decimals), so that plots need not import
    :mod:`tariffsim.outputs.comparison` (which imports plots). ``measures``: JSON keys, or objects with
    ``key``, ``panel`` and ``decimals`` (:data:`tariffsim.outputs.comparison.MEASURES`)."""
    t = comparison.table
    first = t.drop_duplicates("json_key").set_index("json_key")
    decimals = comparison.wide().attrs.get("decimals", {})
    given = {getattr(m, "key", m): m for m in (measures if measures is not None else list(first.index))}
    out = []
    for key, m in given.items():
        if key not in first.index or not t.loc[t.json_key == key, "value"].notna().any():
            continue
        label, unit = str(first.loc[key, "measure"]), str(first.loc[key, "unit"])
        short = label.replace("four quarters", "4 quarters")  # a half-width panel's heading
        panel = getattr(m, "panel", None) or f"{short} ({_UNIT_SHORT.get(unit, unit)})"
        nd = getattr(m, "decimals", None)
        out.append((str(key), panel, int(nd if nd is not None else decimals.get(f"{label} ({unit})", 1))))
    return out


_UNIT_SHORT = {"percentage points": "pp"}


def compare_headline(comparison: Any, *, measures: Sequence[Any] | None = None, title: str | None = None) -> Figure:
    """Dot-and-range chart of the headline measures of a comparison: a panel per measure (its
    unit on the axis), a row per scenario and model; the dot is the central elasticity set, the
    line the range over the elasticity sets run (``low``/``high`` of the tidy table), the value
    printed beside the dot. ``measures``: JSON keys or :class:`tariffsim.outputs.comparison.Measure`
    objects (default: every measure of the comparison's table with a value)."""
    t = comparison.table
    panels = _panels(comparison, measures)
    keys = [k for k, _, _ in panels]
    runs = list(comparison.runs)
    styles = _run_styles(runs)
    n = len(runs)
    ncol = 2
    nrow = int(np.ceil(len(keys) / ncol)) or 1
    with mpl.rc_context(STYLE):
        fig = new_figure(nrow * (0.22 * n + 0.85) + 0.3)
        axes = fig.subplots(nrow, ncol, squeeze=False)
        y = np.arange(n)[::-1]
        labels = [f"{name} ({_MODEL_NAMES_UP.get(m, m)})" for name, m in runs]
        for k, ax in enumerate(axes.ravel()):
            if k >= len(keys):
                ax.set_visible(False)
                continue
            key, panel, decimals = panels[k]
            d = t[t.json_key == key].set_index(["scenario", "model"]).loc[runs]
            v = d["value"].to_numpy(float)
            lo = d["low"].to_numpy(float)
            hi = d["high"].to_numpy(float)
            allv = np.r_[v, lo, hi, 0.0]
            allv = allv[np.isfinite(allv)]
            vmin, vmax = float(allv.min()), float(allv.max())
            span = vmax - vmin or 1.0
            for yi, run, vi, a, b in zip(y, runs, v, lo, hi, strict=True):
                st = styles[run]
                if np.isfinite(a) and np.isfinite(b) and b - a > 1e-12:
                    ax.plot([a, b], [yi, yi], color=st["color"], linewidth=2.2, alpha=0.45, solid_capstyle="butt")
                ax.plot(
                    [vi],
                    [yi],
                    marker=st["marker"],
                    color=st["color"],
                    markerfacecolor=st["color"] if run[1] == "pe" else "white",
                    markersize=5,
                    linestyle="none",
                    zorder=4,
                )
                if np.isfinite(vi):
                    right = max(vi, b if np.isfinite(b) else vi)
                    ax.text(
                        right + 0.03 * span,
                        yi,
                        fmt_num(vi, decimals),
                        va="center",
                        ha="left",
                        fontsize=7,
                        color=INK,
                    )
            ax.axvline(0, color=INK, linewidth=0.7, zorder=1)
            ax.set_xlim(vmin - 0.06 * span, vmax + 0.22 * span)
            ax.set_ylim(-0.6, n - 0.4)
            ax.set_yticks(y, labels if k % ncol == 0 else [""] * n)
            ax.tick_params(axis="y", length=0)
            ax.spines["left"].set_visible(False)
            ax.xaxis.grid(True)
            pct_axis(ax, "x")
            # a heading wider than half the figure less the row labels goes on two lines
            heading = wrap_text(panel, (WIDTH - 0.2) / ncol - 0.6, 8, "bold")
            ax.set_title("\n".join(heading), fontsize=8, fontweight="bold", loc="left")
        scen = comparison.scenarios
        g = t[t.json_key == "gdp_impact_pct"].set_index("run")["value"]
        sub = None
        if g.notna().any():
            sub = (
                f"GDP after four quarters from {fmt_signed(float(g.max()), 2)} % ({g.idxmax()}) to "
                f"{fmt_signed(float(g.min()), 2)} % ({g.idxmin()})"
            )
        extra = (
            "Dot: central elasticity set; line: range over the elasticity sets run; filled: partial "
            "equilibrium, open: general equilibrium (GE or GE-IO)"
        )
        return finish(
            fig,
            title=title if title is not None else f"Headline measures: {', '.join(scen)}",
            subtitle=sub,
            caption=_compare_caption(comparison, extra),
        )


_MODEL_NAMES_UP = {"pe": "PE", "ge": "GE", "ge-io": "GE-IO"}
