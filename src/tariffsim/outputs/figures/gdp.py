"""GDP figures: GDP by elasticity set, the fan chart of quarterly growth with and without the
tariff, and the GDP path by channel. Each function returns a matplotlib ``Figure`` drawn in the
house style of :mod:`tariffsim.outputs.figures.style` (percent values are percent: -6.5 = a fall
of 6.5 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..._util import fmt_signed
from ...engine.adapters import adapter
from ...inputs.countries import display_name as _country_label
from ...inputs.periods import quarter_labels
from ...models.ge import GESolution
from .style import (
    BLUE,
    BLUE_DARK,
    BLUE_LIGHT,
    BLUE_MID,
    GREY,
    INK,
    LIGHT,
    STYLE,
    figure_caption,
    finish,
    fmt_num,
    new_figure,
    pct_axis,
    set_style,
)

if TYPE_CHECKING:
    from ...engine.results import Result

__all__ = ["CHANNEL_LABELS", "CHANNEL_STYLES", "RANGE_LINE", "gdp_by_set", "fan_chart", "gdp_path_chart"]

CHANNEL_LABELS = {
    "trade": "Exports (trade channel)",
    "retaliation_inputs": "Retaliation: dearer US inputs",
    "real_income": "Real income (prices, duty revenue)",
    "long_run": "Move to long-run real GDP (capital deepening, blended in)",
    "uncertainty": "Uncertainty / investment drag",
}


CHANNEL_STYLES: dict[str, dict[str, Any]] = {
    "trade": {"facecolor": BLUE, "edgecolor": BLUE_DARK, "hatch": None},
    "retaliation_inputs": {"facecolor": BLUE_LIGHT, "edgecolor": BLUE_DARK, "hatch": "////"},
    "real_income": {"facecolor": "white", "edgecolor": INK, "hatch": "...."},
    "long_run": {"facecolor": BLUE_MID, "edgecolor": BLUE_DARK, "hatch": "\\\\\\"},
    "uncertainty": {"facecolor": LIGHT, "edgecolor": "#555555", "hatch": "xxx"},
}


#: gdp_path_chart: the totals of the other elasticity sets, dark and as wide as the central line,
#: with a white edge so that they read over the bars.
RANGE_LINE: dict[str, Any] = {"color": "#333333", "linewidth": 1.5, "markersize": 3.5, "markerfacecolor": "white"}


#: gdp_by_set: bar height (share of a row) and the gap (rows) between the central bar and the
#: whisker of the parameter draws drawn under it: the whisker sits in the gap between two bars.
_BAR_HEIGHT = 0.62


_WHISKER_GAP = 0.11


def gdp_by_set(
    result: Result, *, sets: Sequence[str] | None = None, title: str | None = None, sources: object = None
) -> Figure:
    """GDP impact by elasticity set with ranges.

    Bars: real GDP after four quarters, deviation from baseline (percent). Diamonds: long-run real
    GDP (``gdp_impact_pct_long_run``, capital deepening); circles: long-run real income of the GE
    (``real_income_pct_long_run``), a different number. Row labels give what tells the sets apart:
    the one-year elasticities that make the bars, or with the multi-sector model (whose sets differ
    only in the long run) each set's trade-weighted sector θ. Whisker under the central bar:
    5-95 % range of the Monte Carlo parameter draws (``result.draws['gdp_impact_pct']``) when there
    are draws.
    """
    summ = result.summary().set_index("elasticity_set")
    names = list(sets) if sets is not None else list(summ.index)

    H = len(result.outcome().macro.path)
    q4_period = quarter_labels(result.scenario.phase_in, min(4, H))[-1]
    y = np.arange(len(names))[::-1]
    v4 = summ.loc[names, "gdp_impact_pct"].astype(float).to_numpy()
    vL = summ.loc[names, "gdp_impact_pct_long_run"].astype(float).to_numpy()
    vI = summ.loc[names, "real_income_pct_long_run"].astype(float).to_numpy()
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
        xmin = min(float(np.nanmin(v4)), float(np.nanmin(vL)), float(np.nanmin(vI)), lo if lo is not None else 0.0)
        xmax = max(0.0, float(np.nanmax(v4)), float(np.nanmax(vL)), float(np.nanmax(vI)))
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
        ax.scatter(vI, y, marker="o", s=22, facecolor=INK, edgecolor=INK, linewidth=0.8, zorder=4)
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
        if "theta_trade_weighted" in summ.columns:  # the multi-sector model: the sets differ in θ only
            theta = summ["theta_trade_weighted"].astype(float).to_dict()
            labels = [f"{n}\nθ {theta[n]:.2f} (trade-weighted)" for n in names]
        elif adapter(result.model).general_equilibrium and isinstance(result.ge, GESolution):
            labels = [f"{n}\nε {result.outcome(n).elasticities.ge_trade_elasticity:g}" for n in names]
        else:
            labels = [
                f"{n}\nσ {_short(summ.loc[n].sigma_one_year)}, η {_short(summ.loc[n].eta_one_year)} (1 yr)"
                for n in names
            ]
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
                label="real GDP, long run",
            ),
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor=INK,
                markeredgecolor=INK,
                label="real income, long run (GE; not GDP)",
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
        who = _country_label(result.country)
        if len(names) > 1 and round(float(np.nanmax(v4)), 1) == round(float(np.nanmin(v4)), 1):
            # the sets differ only in the long run (the multi-sector model's θ): say what varies
            sub = (
                f"{who}: {fmt_signed(cast(float, c.gdp_impact_pct), 1)} % after four quarters in every set; in the "
                f"long run real GDP {fmt_signed(float(np.nanmax(vL)), 1)} to {fmt_signed(float(np.nanmin(vL)), 1)} % "
                f"and real income {fmt_signed(float(np.nanmax(vI)), 1)} to {fmt_signed(float(np.nanmin(vI)), 1)} % "
                "across sets"
            )
        else:
            sub = f"{who}: {fmt_signed(cast(float, c.gdp_impact_pct), 1)} % after four quarters in the central set" + (
                f", {fmt_signed(float(np.nanmax(v4)), 1)} to {fmt_signed(float(np.nanmin(v4)), 1)} % across sets"
                if len(names) > 1
                else ""
            )
        if lo is not None:
            sub += (
                f"; after four quarters {fmt_signed(hi, 1)} to {fmt_signed(lo, 1)} % for 5–95 % of the parameter draws"
            )
        return finish(
            fig,
            title=title if title is not None else f"GDP impact by elasticity set ({result.scenario.name})",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=names),
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
        qs = float(result.scenario.assumptions.blend_start_quarter)
        qe = float(result.scenario.assumptions.blend_end_quarter)
        extra = (
            f"Quarters 1–{qs:g}: the near-term channels build up by partial adjustment to their one-year "
            f"values (one-year elasticities); then a linear blend into long-run real GDP (capital deepening at "
            f"the long-run general equilibrium's prices; not its real income), reached in quarter {qe:g}"
        )
        return finish(
            fig,
            title=title if title is not None else f"{_country_label(result.country)}: GDP path by channel",
            subtitle=sub,
            caption=figure_caption(sources, result, sets=[name, *range_sets], extra=extra),
        )


def _short(v: object) -> str:
    """A one-year elasticity for a row label: 0.76, 0.475 -> 0.48."""
    try:
        return f"{float(v):.3g}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
