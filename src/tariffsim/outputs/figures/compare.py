"""Comparison figures: GDP paths and headline ranges of several runs (scenarios x models) side by
side. Each function returns a matplotlib ``Figure`` in the house style of
:mod:`tariffsim.outputs.figures.style`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ..._lazy import pd
from ..._util import fmt_signed
from ...engine.adapters import ADAPTERS, adapter, long_run_adapter, near_term_adapter
from .style import (
    BLUE,
    BLUE_DARK,
    BLUE_MID,
    GREY,
    INK,
    STYLE,
    WIDTH,
    finish,
    fmt_num,
    new_figure,
    pct_axis,
    sources_caption_runs,
    wrap_text,
)

if TYPE_CHECKING:
    pass

__all__ = ["compare_gdp_paths", "compare_headline"]

_RUN_COLOURS = [BLUE_DARK, BLUE_MID, GREY, "#4d4d4d", "#a0a0a0", BLUE, INK]


_RUN_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


#: Line style of each model, in the registry's order: solid, dashed, dash-dot.
_MODEL_LINES = dict(zip(ADAPTERS, ["-", (0, (5, 2)), (0, (5, 1.5, 1, 1.5))], strict=False))


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
    """Scenarios run with both the near-term (PE) model and the GE model it borrows its long run from
    whose GDP paths are equal (to 1e-9 percent)."""
    near = near_term_adapter().name
    ge = long_run_adapter(near).name
    out = []
    for name in dict.fromkeys(n for n, _ in runs):
        if (name, near) in runs and (name, ge) in runs:
            a, b = (
                gp[(gp.scenario == name) & (gp.model == m)].sort_values("quarter").gdp_deviation_pct.to_numpy(float)
                for m in (near, ge)
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
                markerfacecolor="white" if adapter(key[1]).general_equilibrium else st["color"],
                linewidth=1.4,
                label=d.run.iloc[0] if len(d) else f"{key[0]} ({adapter(key[1]).label})",
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
        if any(adapter(m).own_tables for _, m in runs):
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
        labels = [f"{name} ({adapter(m).label})" for name, m in runs]
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
                    markerfacecolor="white" if adapter(run[1]).general_equilibrium else st["color"],
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
            "equilibrium, open: general equilibrium (GE or GE-IO); a row names the run's model, and the long-run "
            "measures of a run come from its long-run model (the one-sector GE for a PE run)"
        )
        return finish(
            fig,
            title=title if title is not None else f"Headline measures: {', '.join(scen)}",
            subtitle=sub,
            caption=_compare_caption(comparison, extra),
        )
