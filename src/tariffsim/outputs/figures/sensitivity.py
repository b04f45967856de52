"""Sensitivity figures: recession probability against the tariff rate, the heatmap of GDP impact
over tariff rate x elasticity, and the tornado of one-at-a-time sensitivities. Each function
returns a matplotlib ``Figure`` in the house style of :mod:`tariffsim.outputs.figures.style`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ..._lazy import pd
from ..._util import fmt_signed
from ...engine.uncertainty import VALUE_ADDED_RANGE
from .style import (
    GREY,
    INK,
    LR_BAR,
    SR_BAR,
    STYLE,
    figure_caption,
    finish,
    fmt_num,
    new_figure,
    pct_axis,
    set_style,
)

if TYPE_CHECKING:
    pass

__all__ = ["PARAMETER_LABELS", "recession_curve", "gdp_heatmap", "tornado_chart", "value_label"]

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


def value_label(v: Any) -> str:  # a cell of a tornado table (label or number)
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

    parts = ["One parameter at a time, the rest central"]
    rows: dict[str, Any] = {str(r.parameter): r for r in df.itertuples(index=False)}
    if "elasticities" in rows:
        r = rows["elasticities"]
        parts.append(
            f"elasticities: every σ and η of the set times {value_label(r.low_value)} and "
            f"{value_label(r.high_value)} (5th and 95th percentiles of the one-year σ distribution over its mode)"
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
                    a = outcome().macro.assumptions
                    where = "WIOT 2011, by sector" if a.value_added_by_sector is not None else "the scenario's"
                    central = f" around the run's {a.value_added_share:.2f} ({where})"
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
                    value_label(lab),
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
