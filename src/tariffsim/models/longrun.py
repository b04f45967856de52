"""Long-run real GDP from a stated mechanism: steady-state capital deepening when imported capital
goods become dearer relative to domestic output (docs/models/macro.md; docs/models/macro.md).

Real income and real GDP are different numbers. Real income (what residents can buy, Ê/P̂ in a GE
solution) falls mostly through the terms of trade. Real GDP is output at baseline prices: with fixed
factor supplies the one-sector GE does not move it at all. A persistent output loss needs a
mechanism; the one used here is the neoclassical steady state with traded capital goods (Jones 1994,
"Economic growth and the relative price of capital", JME 34; Mutreja, Ravikumar and Sposi 2018,
"Capital goods trade, relative prices, and economic development", RED 29):

* output ``Y = A K^a L^(1-a)`` with capital share ``a``; labour and productivity fixed;
* capital earns its user cost in steady state: ``a P_Y Y / K = P_K (r + delta)`` with ``r`` the
  steady-state real interest rate (pinned by time preference) and ``delta`` depreciation, both
  unchanged by the tariff, so ``K / Y`` moves with ``P_Y / P_K``;
* the investment good is a Cobb-Douglas composite of imported capital goods (expenditure share
  ``s``) and domestic ones, whose price moves with the output price: ``d ln P_K = s d ln P_M +
  (1 - s) d ln P_Y``.

Hence ``ln Y = const + a/(1-a) ln(K/Y)`` and

    d ln Y = -a/(1-a) * s * (d ln P_M - d ln P_Y),

the long-run change of real GDP at baseline prices (capital has fully adjusted; how fast it gets
there is the path's blend, not this function). ``P_M`` is the price of imports in the country,
``P_Y`` the price of its output (in the one-sector GE, its wage). A US tariff on Mexico lowers
Mexico's output price relative to world prices (the terms-of-trade loss), so imported machines cost
more units of Mexican output and the capital stock, and output, settle lower. Parameters derived
from data (``data/macro/capital.csv``, data/build/build_capital.py): ``s`` = imported share of gross
fixed capital formation (WIOT 2011: Mexico 0.186), ``a`` = capital share of value added outside
mining (WIOD Socio-Economic Accounts 2014: Mexico 0.651).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..errors import DataError

__all__ = ["capital_deepening_gdp_pct", "relative_investment_price_pct"]


def relative_investment_price_pct(
    imported_share: ArrayLike, import_price_change_pct: ArrayLike, output_price_change_pct: ArrayLike
) -> np.ndarray:
    """Change of the price of investment goods relative to output, percent:
    ``100 (exp(s (ln P̂_M - ln P̂_Y)) - 1)`` (Cobb-Douglas investment composite)."""
    s = np.asarray(imported_share, dtype=float)
    pm = np.asarray(import_price_change_pct, dtype=float)
    py = np.asarray(output_price_change_pct, dtype=float)
    if np.any((s < 0) | (s > 1)):
        raise DataError(f"the imported share of investment must be in [0, 1], got {s}", location="imported_share")
    if np.any(pm <= -100) or np.any(py <= -100):
        raise DataError("a price change must exceed -100 %", location="price change")
    return 100.0 * np.expm1(s * (np.log1p(pm / 100.0) - np.log1p(py / 100.0)))


def capital_deepening_gdp_pct(
    capital_share: ArrayLike,
    imported_share: ArrayLike,
    import_price_change_pct: ArrayLike,
    output_price_change_pct: ArrayLike,
) -> np.ndarray:
    """Long-run change of real GDP (percent, at baseline prices) from steady-state capital
    deepening: ``100 (exp(-a/(1-a) s (ln P̂_M - ln P̂_Y)) - 1)``.

    ``capital_share`` a in (0, 1); ``imported_share`` s in [0, 1]; price changes in percent (any
    common numéraire: only their ratio matters). Vectorised over broadcastable arrays. No change in
    relative prices gives exactly zero.
    """
    a = np.asarray(capital_share, dtype=float)
    if np.any((a <= 0) | (a >= 1)):
        raise DataError(f"the capital share must be in (0, 1), got {a}", location="capital_share")
    rel = np.log1p(
        relative_investment_price_pct(imported_share, import_price_change_pct, output_price_change_pct) / 100
    )
    return 100.0 * np.expm1(-a / (1.0 - a) * rel)
