"""The contract between the trade models and the macro layer (docs/models/macro.md).

Every trade model (the PE Armington model, the one-sector GE, the multi-sector GE with
input-output linkages) hands the macro layer one typed, frozen :class:`TradeOutcome`: trade by
exporter x importer x sector before and after (exporter prices, the dataset's currency), tariff
revenue, the composite import price change, and the welfare measure the model has: the PE
importer surplus (consumer surplus + tariff revenue) or the GE real-income change. A field the
model does not have is ``None``, never a placeholder. The model's own record (``PEOutcome``,
``GESolution``, ...) stays available as ``detail``.

Every model receives the same :class:`TradeContext` (the scenario as run, its data, baseline and
scenario tariffs, the tariff-setting market) through one adapter signature; the adapters and their
registry are in :mod:`tariffsim.engine.adapters`. :func:`implied_elasticity` measures the elasticity the model implies for one
exporter's tariff-exclusive sales in one market, as Boehm, Levchenko and Pandalai-Nayar (2023)
measure it (relative to the other suppliers of that market, which removes the price index).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Generic, Literal, TypeVar

import numpy as np

from .._util import ShortRepr
from ..inputs.datasets import TradeData
from ..inputs.scenario import Scenario
from ..models.ge import GEParams
from ..solvers import SolverInfo

__all__ = [
    "TradeOutcome",
    "TradeContext",
    "Horizon",
    "HORIZONS",
    "ge_long_run_params",
    "retaliation_wedge",
    "wedge_tariffs",
    "aggregate_tariffs",
    "implied_elasticity",
]


#: The horizons of a trade outcome: one year after the tariff change, and the long run.
Horizon = Literal["one-year", "long-run"]
HORIZONS: tuple[Horizon, ...] = ("one-year", "long-run")

#: The type of a model's own record (``TradeOutcome.detail``).
D = TypeVar("D")


@dataclass(frozen=True, eq=False)
class TradeContext:
    """What every model adapter receives: the scenario as run, its dataset, baseline and scenario
    tariffs on it (exporter x importer x sector, shares), the tariff-setting market whose tariffs
    hit the reported country (None when there is none), and the PE solution method."""

    scenario: Scenario
    data: TradeData
    t0: np.ndarray
    t1: np.ndarray
    market: str | None
    method: str = "exact"


@dataclass(frozen=True, eq=False, repr=False)
class TradeOutcome(Generic[D], ShortRepr):
    """What a trade model hands the macro layer (arrays read-only).

    model : the name of the model's adapter (:mod:`tariffsim.engine.adapters`). horizon :
    'one-year' or 'long-run'. countries, sectors : labels of the array axes. ``on_dataset``: the
    arrays are on the scenario's dataset (its countries and sectors); a model with its own tables
    (the multi-sector GE) has False.
    V0, V1 : (N, N, S) trade exporter x importer x sector at exporter prices, before and after.
    revenue0, revenue1 : (N, N, S) tariff revenue t V before and after.
    import_price_hat : (N, S) change of the composite consumer price of imports by market and sector.
    importer_welfare_usd : (N,) PE only: consumer surplus + tariff revenue change of each market.
    real_income_pct : (N,) GE only: real income change (income, tariff revenue included, over the consumer price index; not GDP), %.
    solver : convergence facts. detail : the model's own record (typed per model: ``PEOutcome``,
    ``GESolution``, ...). notes : what a reader must know.
    """

    model: str
    horizon: Horizon
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    V0: np.ndarray
    V1: np.ndarray
    revenue0: np.ndarray
    revenue1: np.ndarray
    import_price_hat: np.ndarray
    solver: SolverInfo
    detail: D
    importer_welfare_usd: np.ndarray | None = None
    real_income_pct: np.ndarray | None = None
    notes: tuple[str, ...] = ()
    on_dataset: bool = True

    def __post_init__(self) -> None:
        for f in fields(self):
            a = getattr(self, f.name)
            if isinstance(a, np.ndarray):
                a.setflags(write=False)

    @property
    def dV(self) -> np.ndarray:
        """V1 - V0."""
        return self.V1 - self.V0

    def exports_change_pct(self, exporter: int, market: int | None = None) -> float:
        """Percent change of an exporter's sales to one market, or to all other economies (its
        domestic sales, where a model has them, are not exports)."""
        if market is None:
            keep = np.arange(self.V0.shape[1]) != exporter
            x0, x1 = self.V0[exporter, keep], self.V1[exporter, keep]
        else:
            x0, x1 = self.V0[exporter, market], self.V1[exporter, market]
        s0 = float(x0.sum())
        return 100.0 * (float(x1.sum()) / s0 - 1.0) if s0 > 0 else 0.0


def aggregate_tariffs(values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(N, N, S) tariffs -> (N, N) with baseline trade weights; zero diagonal; simple mean where no trade."""
    v = values.sum(axis=2)
    safe = np.where(v > 0, v, 1.0)
    out = np.where(v > 0, (values * t).sum(axis=2) / safe, t.mean(axis=2))
    np.fill_diagonal(out, 0.0)
    return out


def ge_long_run_params(nu: np.ndarray, eps: float) -> GEParams:
    """The GE configuration of the long run (docs/models/macro.md): the one-sector model of
    section 4 with perfect competition and no scale economies (ψ = 0, φ = 1: the Armington model
    of the PE block) and fixed factor supplies (κ = 0: labour and capital are re-employed), at the
    set's long-run trade elasticity ε = σ − 1; ν calibrated as in ILMS (2025)."""

    return GEParams(eps=float(eps), kappa=0.0, psi=0.0, phi=1.0, nu=nu)


def retaliation_wedge(
    values: np.ndarray,
    t0: np.ndarray,
    t1: np.ndarray,
    country: int,
    market: int | None,
    *,
    input_share: float,
    passthrough: float,
    exports_usd: float,
) -> float:
    """Cost push on the country's export prices (share) from its own tariffs on the market's goods:
    ``input share x pass-through x Σ_s M_s (t1 - t0) / total exports`` (``values``: baseline trade
    exporter x importer x sector; the retaliation channel of docs/models/macro.md)."""
    if market is None:
        return 0.0
    dt = t1[market, country] - t0[market, country]
    if not np.any(dt > 0):
        return 0.0
    duty = float((values[market, country] * np.clip(dt, 0.0, None)).sum())
    return input_share * passthrough * duty / exports_usd


def wedge_tariffs(t1: np.ndarray, country: int, wedge: float) -> np.ndarray:
    """Scenario tariffs with a cost wedge on every export of ``country``: (1+t)(1+w) - 1."""
    out = np.array(t1, dtype=float, copy=True)
    if wedge > 0:
        out[country] = (1.0 + out[country]) * (1.0 + wedge) - 1.0
        out[country, country] = t1[country, country]
    return out


def implied_elasticity(o: TradeOutcome, t0: np.ndarray, t1: np.ndarray, exporter: int, market: int) -> float:
    """Elasticity of ``exporter``'s tariff-exclusive sales in ``market`` to (1 + t), relative to
    the suppliers of that market whose tariff did not change, as Boehm et al. (2023) measure it
    (importer-product-year effects remove the price index): by sector,
    ``-(Δln V_exporter - Δln V_unaffected) / Δln(1 + t)``, averaged with baseline-value weights over
    the sectors whose tariff changed. With fixed exporter prices this is σ exactly. NaN when the
    exporter's tariff did not change or no supplier was left untouched."""
    dl = np.log1p(t1[:, market]) - np.log1p(t0[:, market])  # (N, S)
    v0, v1 = o.V0[:, market], o.V1[:, market]
    ctrl = (np.abs(dl) < 1e-12) & (v0 > 0)
    ctrl[exporter] = False
    c0, c1 = (v0 * ctrl).sum(axis=0), (v1 * ctrl).sum(axis=0)
    own0, own1, d = v0[exporter], v1[exporter], dl[exporter]
    use = (np.abs(d) > 1e-12) & (own0 > 0) & (own1 > 0) & (c0 > 0) & (c1 > 0)
    if not use.any():
        return float("nan")
    e = -(np.log(own1[use] / own0[use]) - np.log(c1[use] / c0[use])) / d[use]
    w = own0[use]
    return float(np.sum(w * e) / np.sum(w))
