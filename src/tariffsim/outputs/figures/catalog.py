"""The report's figures, in the order the report writes them: figure name (file stem) -> function.

Every function takes results (a :class:`~tariffsim.engine.results.Result`, or the DataFrame it
documents), draws with the object-oriented API on a new :class:`matplotlib.figure.Figure` (no
pyplot, no global state, nothing to close, never ``show``) and applies one house style
(:mod:`tariffsim.outputs.figures.style`). The figures live by theme: :mod:`.gdp` (GDP by set, fan
chart, GDP path), :mod:`.sensitivity` (recession curve, heatmap, tornado), :mod:`.trade` (exports
by sector, diversion, GE welfare), :mod:`.compare` (comparisons) and :mod:`.ge_io` (the
multi-sector model).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from matplotlib.figure import Figure

from .gdp import fan_chart, gdp_by_set, gdp_path_chart
from .sensitivity import gdp_heatmap, recession_curve, tornado_chart
from .trade import diversion_by_source, export_losses_by_sector, ge_welfare

__all__ = ["FIGURES"]

#: figure name (file stem) -> function; the report writes them in this order.
FIGURES: Mapping[str, Callable[..., Figure]] = MappingProxyType(
    {
        "gdp_by_set": gdp_by_set,
        "recession_curve": recession_curve,
        "fan_chart": fan_chart,
        "gdp_heatmap": gdp_heatmap,
        "tornado_chart": tornado_chart,
        "export_losses_by_sector": export_losses_by_sector,
        "diversion_by_source": diversion_by_source,
        "gdp_path_chart": gdp_path_chart,
        "ge_welfare": ge_welfare,
    }
)
