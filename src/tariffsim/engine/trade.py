"""The contract between the trade models and the macro layer (docs/models/macro.md).

Every trade model (the PE Armington model, the one-sector GE, the multi-sector GE with
input-output linkages) hands the macro layer one typed, frozen :class:`TradeOutcome`: trade by
exporter x importer x sector before and after (exporter prices, the dataset's currency), tariff
revenue, the composite import price change, and the welfare measure the model has: the PE
importer surplus (consumer surplus + tariff revenue) or the GE real-income change. A field the
model does not have is ``None``, never a placeholder. The model's own record (``PEOutcome``,
``GESolution``, ...) stays available as ``detail``.

The functions here run one model on a dataset and scenario tariffs and return that record:
:func:`pe_trade` (one horizon of an elasticity set) and :func:`ge_trade` (the long run of the
one-sector GE). :func:`implied_elasticity` measures the elasticity the model implies for one
exporter's tariff-exclusive sales in one market, as Boehm, Levchenko and Pandalai-Nayar (2023)
measure it (relative to the other suppliers of that market, which removes the price index).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DataError
from ..inputs.elasticities import ElasticitySet
from ..models.ge import GEParams, build_baseline, calibrate_nu_two_region, solve_ge
from ..models.pe import solve_pe
from ..solvers import SolverInfo

if TYPE_CHECKING:
    from ..inputs.datasets import TradeData
    from ..models.ge import GEParams

__all__ = [
    "TradeOutcome",
    "pe_trade",
    "ge_trade",
    "ge_long_run_params",
    "aggregate_tariffs",
    "implied_elasticity",
]


@dataclass(frozen=True, eq=False)
class TradeOutcome:
    """What a trade model hands the macro layer (arrays read-only).

    model : 'pe', 'ge' or 'ge-io'. horizon : 'one-year' or 'long-run'.
    countries, sectors : labels of the array axes.
    V0, V1 : (N, N, S) trade exporter x importer x sector at exporter prices, before and after.
    revenue0, revenue1 : (N, N, S) tariff revenue t V before and after.
    import_price_hat : (N, S) change of the composite consumer price of imports by market and sector.
    importer_welfare_usd : (N,) PE only: consumer surplus + tariff revenue change of each market.
    real_income_pct : (N,) GE only: real income change (factor income over the consumer price index), %.
    solver : convergence facts. detail : the model's own record. notes : what a reader must know.
    """

    model: str
    horizon: str
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    V0: np.ndarray
    V1: np.ndarray
    revenue0: np.ndarray
    revenue1: np.ndarray
    import_price_hat: np.ndarray
    solver: SolverInfo
    detail: Any
    importer_welfare_usd: np.ndarray | None = None
    real_income_pct: np.ndarray | None = None
    notes: tuple[str, ...] = ()

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


def pe_trade(
    data: TradeData, t0: np.ndarray, t1: np.ndarray, es: ElasticitySet, horizon: str, *, method: str = "exact"
) -> TradeOutcome:
    """The PE model on ``data`` with the set's elasticities at ``horizon`` ('one-year' or 'long-run')."""

    el = es.arrays(data.sectors, horizon)
    o = solve_pe(data.values, t0, t1, method=method, eta=el["eta"], sigma=el["sigma"], eps_x=el["eps_x"])
    return TradeOutcome(
        model="pe",
        horizon=horizon,
        countries=tuple(data.countries),
        sectors=tuple(data.sectors),
        V0=o.V0,
        V1=o.V1,
        revenue0=o.revenue0,
        revenue1=o.revenue1,
        import_price_hat=o.P_hat,
        solver=o.solver,
        detail=o,
        importer_welfare_usd=np.asarray(o.importer_welfare).sum(axis=1),
    )


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


def _home(data: TradeData, market: str | None) -> int | None:
    if market is not None and market in data.countries:
        return int(data.countries.index(market))
    return None


def ge_trade(
    data: TradeData, t0: np.ndarray, t1: np.ndarray, es: ElasticitySet, *, market: str | None = None
) -> TradeOutcome:
    """The long-run one-sector GE on ``data`` (tariffs aggregated with baseline trade weights; ν
    calibrated with ``market``, the tariff-setting economy, as the home region of ILMS's
    two-region conditions). Flows inside a region such as EU27 count as its domestic sales."""

    if data.gdp is None:
        raise DataError(f"dataset {data.name!r} has no GDP; the GE model needs it", source=data.source)
    V0 = np.asarray(data.values, dtype=float)
    X = V0.sum(axis=2)
    home = _home(data, market)
    nu = calibrate_nu_two_region(X, data.gdp, home) if home is not None else np.zeros(data.n_countries)
    T0, T1 = aggregate_tariffs(V0, t0), aggregate_tariffs(V0, t1)
    base = build_baseline(X, data.gdp, nu, countries=data.countries, tariffs0=T0)
    sol = solve_ge(base, T1, ge_long_run_params(nu, es.ge_trade_elasticity))
    unchanged = np.array_equal(T0, T1)  # the model's answer is the identity; the solver's 1e-15 is noise
    X0, X1 = sol.baseline.X, sol.X_new
    safe = np.where(X0 > 0, X0, 1.0)
    ratio = np.where((X0 > 0) & ~unchanged, X1 / safe, 1.0)  # domestic sales carry intra-regional flows
    V1 = V0 * ratio[:, :, None]
    n = X0.shape[0]
    off = ~np.eye(n, dtype=bool)
    tau_hat = (1.0 + aggregate_tariffs(V0, t1)) / (1.0 + aggregate_tariffs(V0, t0))
    p = (1.0 if unchanged else sol.w_hat[:, None]) * tau_hat  # φ = 1, ψ = 0: consumer price of j's good in i
    lam = sol.baseline.lam * off
    tot = lam.sum(axis=0)
    imp_price = np.where(tot > 0, (lam * p).sum(axis=0) / np.where(tot > 0, tot, 1.0), 1.0)
    return TradeOutcome(
        model="ge",
        horizon="long-run",
        countries=tuple(data.countries),
        sectors=tuple(data.sectors),
        V0=V0,
        V1=V1,
        revenue0=t0 * V0,
        revenue1=t1 * V1,
        import_price_hat=np.repeat(imp_price[:, None], V0.shape[2], axis=1),
        solver=sol.solver,
        detail=sol,
        real_income_pct=np.zeros(n) if unchanged else np.asarray(sol.real_income_pct, dtype=float),
        notes=(
            "one-sector GE: bilateral changes applied to every sector of a pair (no sector detail); "
            f"Armington configuration, fixed factor supplies, trade elasticity {es.ge_trade_elasticity:g}",
        ),
    )


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
