"""Partial equilibrium: the exact multi-market Armington model (GSIM family) and SMART's linear formulas.

The model is docs/models/pe.md. Data are baseline trade ``V[k, m, s]`` (exporter k, market m,
sector s) at exporter (world) prices, in any currency unit (every value output is in the same
unit; every hat is unit free), and baseline and scenario ad valorem tariffs ``t0``, ``t1``
(shares; 0.25 = 25 %) with exemptions already folded in (effective rate ``(1 - e) t``).
Parameters per sector, or one scalar for all: composite import-demand elasticity η > 0,
Armington substitution elasticity between sources σ > 0 (σ = 1: Cobb-Douglas composite),
export-supply elasticity ε_x > 0 (``np.inf``: exporter prices fixed, full pass-through).

Exact model (``method="exact"``); hats are new/old ratios:

* ``τ̂ = (1 + t1) / (1 + t0)``; consumer price ``p̂_kms = ŵ_ks τ̂_kms``, where the exporter's
  supply price ``ŵ_ks`` is common to all its markets (a US tariff on Mexico lowers Mexico's
  price everywhere and deflects Mexican goods to other buyers);
* baseline consumer-price shares ``θ_kms = V(1+t0) / Σ_k V(1+t0)``;
* composite price ``P̂_ms = [Σ_k θ p̂^(1-σ)]^(1/(1-σ))`` (σ = 1: ``Π_k p̂^θ``);
* composite quantity ``Q̂_ms = P̂^(-η)``; source quantity ``q̂_kms = Q̂ (p̂/P̂)^(-σ)``;
* export supply ``ŵ_ks^(ε_x) = Σ_m ω_kms q̂_kms`` with ``ω = V / Σ_m V``, solved for the K×S
  unknowns ŵ by Newton's method in logs with the exact block-diagonal Jacobian
  (:mod:`tariffsim.models._pe_solver`); ε_x = ∞ gives ŵ = 1 in closed form.

Outputs per flow (K, M, S), in the unit of ``V``: ``V1 = V ŵ q̂`` (exporter prices),
``V1_consumer = V1 (1 + t1)``; ``dV = V1 - V0`` split exactly into

* price effect      ``V (ŵ - 1)``
* trade creation    ``V ŵ (Q̂ - 1)``
* trade diversion   ``V ŵ Q̂ [(p̂/P̂)^(-σ) - 1]``;

tariff revenue ``t0 V`` and ``t1 V1``; per market-sector (M, S) the change in consumer surplus of
the composite ``ΔCS = -E0 (P̂^(1-η) - 1)/(1-η)`` (η = 1: ``-E0 ln P̂``; ``E0 = Σ_k V (1+t0)``) and
importer net welfare ``ΔCS + ΔR``; per exporter-sector (K, S) the change in producer surplus
``ΔPS = X0 (ŵ^(1+ε_x) - 1)/(1+ε_x)`` (``X0 = Σ_m V``; 0 when ε_x = ∞).

SMART (``method="smart-linear"``): the first-order formulas of the World Bank's WITS/SMART tool
(Jammes and Olarreaga 2005, "Explaining SMART and GSIM", World Bank), so users can compare with
WITS: trade creation ``−η V Δt / ((1+t0)(1 + η/ε_x))`` per bilateral flow, trade diversion between
each source and the other sources of its market with σ, a per-flow world-price change. A linear
approximation: it overstates trade losses for large tariffs (imports can turn negative), and
because SMART applies η to each bilateral flow it differs from the exact model at first order
for discriminatory tariffs (see :func:`_smart_linear` for the formulas and which fields mean
what under this method).

Zero flows, markets without imports and exporters or sectors without trade are handled without
NaN: an empty market has P̂ = Q̂ = 1 and zero shares; an exporter that sells nothing has ŵ = 1.
Hats of zero flows (``q̂``, ``p̂``) are the notional hats of an infinitesimal flow.

Example
-------
>>> import numpy as np
>>> V = np.array([[[60.0]], [[40.0]]])            # two sources, one market, one sector
>>> t1 = np.array([[[0.25]], [[0.0]]])            # 25 % on the first source
>>> out = solve_pe(V, 0.0, t1, eta=1.0, sigma=2.0, eps_x=np.inf)
>>> round(float(out.V1.sum()), 4)                 # 60·0.727273 + 40·1.136364
89.0909
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

from .._util import ShortRepr
from ..errors import DataError
from ..solvers import SolverInfo
from ._pe_solver import Market, safe_div, shares, solve_supply_prices
from ._pe_solver import prices as _prices

__all__ = ["PEOutcome", "solve_pe", "solve_pe_batch", "METHODS"]

log = logging.getLogger(__name__)

#: Methods :func:`solve_pe` accepts.
METHODS = ("exact", "smart-linear")
SMART = "smart-linear"
#: Flows (cases x K x M x S) solved together by :func:`solve_pe_batch`: 2^17 keeps each of its
#: arrays about 1 MB (measured in benchmarks/bench_speed.py; larger batches fall out of the cache).
BATCH_CELLS = 1 << 17
_SOURCE = "<pe arrays>"


# --------------------------------------------------------------------------------------------
# The result record
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class PEOutcome(ShortRepr):
    """Result of :func:`solve_pe`. Arrays are read-only; values in the unit of the input ``V``.

    Shapes: K exporters, M markets, S sectors.

    Attributes
    ----------
    method : "exact" or "smart-linear".
    w_hat : (K, S) exporter supply-price change ŵ (new/old).
    P_hat, Q_hat : (M, S) composite import price and quantity changes.
    q_hat, p_hat : (K, M, S) source quantity and consumer-price changes.
    V0, V1 : (K, M, S) trade at exporter prices, baseline and scenario.
    V1_consumer : (K, M, S) scenario trade at consumer (tariff-inclusive) prices.
    dV : (K, M, S) ``V1 - V0`` = ``price_effect + trade_creation + trade_diversion``.
    revenue0, revenue1 : (K, M, S) tariff revenue ``t V`` at baseline and scenario.
    consumer_surplus : (M, S) change in consumer surplus of the composite import good.
    producer_surplus : (K, S) change in exporters' producer surplus.
    importer_welfare : (M, S) ``consumer_surplus + Σ_k (revenue1 - revenue0)``.
    shares0, shares1 : (K, M, S) consumer-price source shares in each market-sector (sum to one
        where the market has imports, zero elsewhere).
    eta, sigma, eps_x : (S,) elasticities used.
    solver : :class:`~tariffsim.solvers.SolverInfo` (method, converged, iterations, residual, seconds).
    """

    method: str
    w_hat: np.ndarray
    P_hat: np.ndarray
    Q_hat: np.ndarray
    q_hat: np.ndarray
    p_hat: np.ndarray
    V0: np.ndarray
    V1: np.ndarray
    V1_consumer: np.ndarray
    dV: np.ndarray
    price_effect: np.ndarray
    trade_creation: np.ndarray
    trade_diversion: np.ndarray
    revenue0: np.ndarray
    revenue1: np.ndarray
    consumer_surplus: np.ndarray
    producer_surplus: np.ndarray
    importer_welfare: np.ndarray
    shares0: np.ndarray
    shares1: np.ndarray
    eta: np.ndarray
    sigma: np.ndarray
    eps_x: np.ndarray
    solver: SolverInfo

    def __post_init__(self) -> None:
        for f in fields(self):
            a = getattr(self, f.name)
            if isinstance(a, np.ndarray):
                a.setflags(write=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(K exporters, M markets, S sectors)."""
        return self.V0.shape

    def summary(self) -> dict[str, float]:
        """World totals (sums over every flow, market or exporter), in the unit of ``V``.

        Keys: ``V0``, ``V1``, ``dV``, ``price_effect``, ``trade_creation``, ``trade_diversion``,
        ``revenue0``, ``revenue1``, ``revenue_change``, ``consumer_surplus``,
        ``producer_surplus``, ``importer_welfare`` and ``world_welfare``
        (``consumer_surplus + revenue_change + producer_surplus``).
        """
        keys = (
            "V0",
            "V1",
            "dV",
            "price_effect",
            "trade_creation",
            "trade_diversion",
            "revenue0",
            "revenue1",
            "consumer_surplus",
            "producer_surplus",
            "importer_welfare",
        )
        out = {k: float(np.sum(getattr(self, k))) for k in keys}
        out["revenue_change"] = float(np.sum(self.revenue1 - self.revenue0))
        out["world_welfare"] = out["consumer_surplus"] + out["revenue_change"] + out["producer_surplus"]
        return out


# --------------------------------------------------------------------------------------------
# Validation (once, at the entry)
# --------------------------------------------------------------------------------------------


def _check_trade(V: ArrayLike) -> np.ndarray:
    V = np.asarray(V, dtype=float)
    if V.ndim != 3:
        raise DataError(f"trade array has shape {V.shape}; expected (exporters, markets, sectors)", source=_SOURCE)
    if 0 in V.shape:
        raise DataError(f"trade array has shape {V.shape}; every axis needs at least one entry", source=_SOURCE)
    bad = ~np.isfinite(V) | (V < 0)
    if bad.any():
        k, m, s = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"trade value {V[k, m, s]} is negative or not finite; expected a finite value >= 0",
            source=_SOURCE,
            location=f"V[{k}, {m}, {s}]",
        )
    return V


def _check_tariff(t: ArrayLike, shape: tuple[int, ...], name: str) -> np.ndarray:
    try:
        t = np.broadcast_to(np.asarray(t, dtype=float), shape)
    except ValueError:
        raise DataError(
            f"{name} has shape {np.shape(t)}, which does not broadcast to the trade shape {shape}",
            source=_SOURCE,
            location=name,
        ) from None
    bad = ~np.isfinite(t) | (t <= -1)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            f"tariff {t[where]} is not finite or <= -1; expected an ad valorem share (0.25 = 25 %)",
            source=_SOURCE,
            location=f"{name}[{', '.join(map(str, where))}]",
        )
    return np.array(t, dtype=float)


def _check_elasticity(
    value: ArrayLike, n_sectors: int, name: str, what: str, *, allow_inf: bool = False, n_cases: int | None = None
) -> np.ndarray:
    """One value per sector (S,), or with ``n_cases`` one row per case (D, S); a scalar or an (S,)
    array is then common to every case."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        a = np.full(n_sectors, float(a))
    shape = (n_sectors,) if n_cases is None else (n_cases, n_sectors)
    if n_cases is not None and a.shape == (n_sectors,):
        a = np.broadcast_to(a, shape)
    if a.shape != shape:
        per = "one value per sector" if n_cases is None else "one value per sector, or one row per case"
        raise DataError(
            f"{name} has shape {a.shape}; expected a scalar or {per} {shape}",
            source=_SOURCE,
            location=name,
        )
    ok = (a > 0) & (np.isfinite(a) | (allow_inf & (a == np.inf)))
    if not ok.all():
        where = tuple(int(i) for i in np.argwhere(~ok)[0])
        expected = "a positive number or inf" if allow_inf else "a positive, finite number"
        label = f"{name}[{', '.join(map(str, where))}]"
        raise DataError(
            f"{label} = {a[where]}: the {what} must be {expected}",
            source=_SOURCE,
            location=f"{label} (sector index {where[-1]})",
        )
    return np.array(a, dtype=float)


def _check_options(method: str, tol: float, max_iter: int) -> None:
    if method not in METHODS:
        raise DataError(f"unknown PE method {method!r}; expected one of {', '.join(METHODS)}", location="method")
    if not (np.isfinite(tol) and tol > 0):
        raise DataError(f"tol = {tol}: expected a positive number", location="tol")
    if int(max_iter) != max_iter or max_iter < 0:
        raise DataError(f"max_iter = {max_iter}: expected an integer >= 0", location="max_iter")


# --------------------------------------------------------------------------------------------
# The entry points
# --------------------------------------------------------------------------------------------


def solve_pe(
    V: ArrayLike,
    t0: ArrayLike,
    t1: ArrayLike,
    *,
    eta: ArrayLike,
    sigma: ArrayLike,
    eps_x: ArrayLike,
    tol: float = 1e-12,
    max_iter: int = 100,
    method: str = "exact",
) -> PEOutcome:
    """Solve the partial-equilibrium model for a tariff change ``t0 -> t1``.

    Parameters
    ----------
    V : array (K, M, S)
        Baseline trade at exporter (world) prices, any currency unit, >= 0.
    t0, t1 : array broadcastable to V
        Baseline and scenario ad valorem tariffs (shares, > -1), exemptions folded in.
    eta, sigma, eps_x : scalar or array (S,)
        Composite import-demand elasticity η > 0, Armington elasticity σ > 0 (σ = 1 allowed),
        export-supply elasticity ε_x > 0 (``np.inf`` allowed: fixed exporter prices).
    tol : float
        Convergence tolerance on ``max |ε_x ln ŵ − ln Σ_m ω q̂|`` (log units, i.e. roughly the
        relative excess supply).
    max_iter : int
        Most Newton iterations.
    method : "exact" or "smart-linear"
        The exact non-linear model or SMART's first-order formulas (both in the module docstring).

    Returns
    -------
    PEOutcome

    Raises
    ------
    DataError
        Bad shapes, negative or non-finite trade, tariffs <= -1, elasticities of the wrong sign
        (the message names the parameter and the sector index).
    ConvergenceError
        The solver did not reach ``tol`` within ``max_iter`` iterations; carries iterations,
        residual, seconds and method. An unconverged answer is never returned.
    """
    _check_options(method, tol, max_iter)
    V = _check_trade(V)
    t0 = _check_tariff(t0, V.shape, "t0")
    t1 = _check_tariff(t1, V.shape, "t1")
    n_s = V.shape[2]
    eta = _check_elasticity(eta, n_s, "eta", "composite import-demand elasticity")
    sigma = _check_elasticity(sigma, n_s, "sigma", "Armington substitution elasticity")
    eps_x = _check_elasticity(eps_x, n_s, "eps_x", "export-supply elasticity", allow_inf=True)
    cases = _Cases(V, t0, t1[None], eta[None], sigma[None], eps_x[None])
    if method == SMART:
        return _smart_linear(cases)[0]
    return _exact(cases, tol=tol, max_iter=int(max_iter))[0]


def solve_pe_batch(
    V: ArrayLike,
    t0: ArrayLike,
    t1: ArrayLike,
    *,
    eta: ArrayLike,
    sigma: ArrayLike,
    eps_x: ArrayLike,
    tol: float = 1e-12,
    max_iter: int = 100,
    method: str = "exact",
) -> list[PEOutcome]:
    """Solve D cases of the partial-equilibrium model on one trade array at once (parameter draws,
    elasticity sets, tariff rates): one :class:`PEOutcome` per case.

    The cases share the baseline trade ``V`` (K, M, S) and the baseline tariffs ``t0``
    (broadcastable to V). Each case may have its own scenario tariffs (``t1`` of shape
    (D, K, M, S)) and its own elasticities (``eta``, ``sigma``, ``eps_x`` of shape (D, S)); a
    parameter given without the leading case axis (``t1`` broadcastable to (K, M, S), a scalar or
    an (S,) elasticity) is common to every case. D is the length of the case axis (1 when no
    parameter has one).

    The cases are one Newton solve: the sectors of every case are the blocks of one
    block-diagonal system (the case axis is folded into the sector axis of the solver), so each
    block takes the steps it would take alone and every outcome equals :func:`solve_pe`'s for
    that case (to rounding; tested to 1e-10); the outputs are computed for all cases at once.
    Cases are taken :data:`BATCH_CELLS` flows at a time (a batch larger than the cache is slower
    than a loop). ``solver`` of each outcome: the method, Newton iterations and seconds of its
    batch, and the case's own residual. Errors name the case and sector (``eta[d, s]``) or flow
    (``t1[d, k, m, s]``).
    """
    _check_options(method, tol, max_iter)
    V = _check_trade(V)
    t0 = _check_tariff(t0, V.shape, "t0")
    t1_in = np.asarray(t1, dtype=float)
    leads = {"t1": t1_in.shape[0] if t1_in.ndim == 4 else None}
    raw = {"eta": np.asarray(eta, dtype=float), "sigma": np.asarray(sigma, dtype=float)}
    raw["eps_x"] = np.asarray(eps_x, dtype=float)
    leads.update({k: a.shape[0] if a.ndim == 2 else None for k, a in raw.items()})
    sizes = {k: n for k, n in leads.items() if n is not None}
    if len(set(sizes.values())) > 1:
        raise DataError(
            "the case axis has different lengths: " + ", ".join(f"{k} {n}" for k, n in sizes.items()),
            source=_SOURCE,
            location=", ".join(sizes),
        )
    n = next(iter(sizes.values()), 1)
    if n < 1:
        raise DataError("no cases: the case axis is empty", source=_SOURCE, location=", ".join(sizes))
    t1 = _check_tariff(t1_in, (n, *V.shape), "t1")
    n_s = V.shape[2]
    eta = _check_elasticity(raw["eta"], n_s, "eta", "composite import-demand elasticity", n_cases=n)
    sigma = _check_elasticity(raw["sigma"], n_s, "sigma", "Armington substitution elasticity", n_cases=n)
    eps_x = _check_elasticity(raw["eps_x"], n_s, "eps_x", "export-supply elasticity", allow_inf=True, n_cases=n)
    step = max(1, BATCH_CELLS // V.size)
    out: list[PEOutcome] = []
    for lo in range(0, n, step):
        part = slice(lo, lo + step)
        cases = _Cases(V, t0, t1[part], eta[part], sigma[part], eps_x[part])
        out += _smart_linear(cases) if method == SMART else _exact(cases, tol=tol, max_iter=int(max_iter))
    return out


@dataclass(frozen=True, eq=False)
class _Cases:
    """Checked inputs of D cases: ``V``, ``t0`` (K, M, S) shared; ``t1`` (D, K, M, S); ``eta``,
    ``sigma``, ``eps_x`` (D, S)."""

    V: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    eta: np.ndarray
    sigma: np.ndarray
    eps_x: np.ndarray

    @property
    def n(self) -> int:
        return int(self.t1.shape[0])

    def flows(self, a: np.ndarray) -> np.ndarray:
        """A (D, S) parameter shaped (D, 1, 1, S) against (D, K, M, S) flows."""
        return a[:, None, None, :]

    def rows(self, a: np.ndarray) -> np.ndarray:
        """A (D, S) parameter shaped (D, 1, S) against (D, M, S) or (D, K, S) arrays."""
        return a[:, None, :]


def _phi(z: np.ndarray) -> np.ndarray:
    """``expm1(z) / z``, equal to 1 at z = 0 (the η = 1 and ε_x limits of the surplus integrals)."""
    out = np.ones_like(z)
    np.divide(np.expm1(z), z, out=out, where=z != 0)
    return out


def _outcomes(c: _Cases, method: str, info: list[SolverInfo], **arrays: np.ndarray) -> list[PEOutcome]:
    """One :class:`PEOutcome` per case from arrays with the case axis first (shared ones without)."""
    shared = {"V0": c.V.copy(), "shares0": shares(c.V * (1.0 + c.t0), axis=0)}
    return [
        PEOutcome(
            method=method,
            **{k: a[d] for k, a in arrays.items()},
            **shared,
            eta=c.eta[d].copy(),
            sigma=c.sigma[d].copy(),
            eps_x=c.eps_x[d].copy(),
            solver=info[d],
        )
        for d in range(c.n)
    ]


def _exact(c: _Cases, *, tol: float, max_iter: int) -> list[PEOutcome]:
    start = time.perf_counter()
    V, t0, t1, n = c.V, c.t0, c.t1, c.n
    n_k, n_m, n_s = V.shape
    ln_tau = np.log1p(t1) - np.log1p(t0)  # exactly 0 where t1 == t0
    Vc0 = V * (1.0 + t0)
    E0 = Vc0.sum(axis=0)  # (M, S) baseline spending at consumer prices
    X0 = V.sum(axis=1)  # (K, S) baseline exports

    def to_solver(a: np.ndarray) -> np.ndarray:  # (D, K, M, S) -> (D·S, K, M): case d, sector s is block d·S + s
        return np.ascontiguousarray(np.moveaxis(a, 3, 1)).reshape(n * n_s, n_k, n_m)

    def col(a: np.ndarray) -> np.ndarray:  # (D, S) -> (D·S, 1, 1)
        return a.reshape(n * n_s, 1, 1)

    mk = Market(
        theta=to_solver(np.broadcast_to(shares(Vc0, axis=0), t1.shape)),
        omega=to_solver(np.broadcast_to(shares(V, axis=1), t1.shape)),
        ln_tau=to_solver(ln_tau),
        sigma=col(c.sigma),
        eta=col(c.eta),
        eps=col(c.eps_x),
    )
    x, info, block_res = solve_supply_prices(mk, tol=tol, max_iter=max_iter)
    ln_p, ln_P, ln_q = _prices(x, mk)

    def from_solver(a: np.ndarray) -> np.ndarray:  # (D·S, K, M) -> (D, K, M, S)
        return np.moveaxis(a.reshape(n, n_s, *a.shape[1:]), 1, 3)

    eta, eps_x, sigma = c.rows(c.eta), c.rows(c.eps_x), c.flows(c.sigma)
    lx = np.moveaxis(x[:, :, 0].reshape(n, n_s, n_k), 1, 2)  # (D, K, S)
    lp = from_solver(ln_p)  # (D, K, M, S)
    lP = np.moveaxis(ln_P[:, 0, :].reshape(n, n_s, n_m), 1, 2)  # (D, M, S)
    lq = from_solver(ln_q)
    lQ = -eta * lP
    w_hat = np.exp(lx)
    wk = w_hat[:, :, None, :]

    # Zero flows stay exactly zero: their (notional) log changes are masked before exponentiating.
    pos = V > 0
    lv = np.where(pos, lx[:, :, None, :] + lq, 0.0)  # ln(ŵ q̂)
    dV = V * np.expm1(lv)
    price_effect = V * np.expm1(lx)[:, :, None, :]
    trade_creation = V * wk * np.expm1(lQ)[:, None]
    trade_diversion = V * wk * np.exp(lQ)[:, None] * np.expm1(np.where(pos, -sigma * (lp - lP[:, None]), 0.0))
    V1 = V * np.exp(lv)
    V1c = V1 * (1.0 + t1)
    revenue0, revenue1 = np.broadcast_to(t0 * V, t1.shape), t1 * V1

    consumer_surplus = -E0 * lP * _phi((1.0 - eta) * lP)
    with np.errstate(invalid="ignore"):  # inf * 0 where ε_x = ∞ (then ŵ = 1 and ΔPS = 0)
        ps = X0 * lx * _phi((1.0 + eps_x) * lx)
    producer_surplus = np.where(np.isinf(eps_x), 0.0, ps)
    importer_welfare = consumer_surplus + (revenue1 - revenue0).sum(axis=1)

    with np.errstate(over="ignore"):  # a notional hat of a zero flow may be astronomically large
        q_hat = np.exp(lq)
    seconds = time.perf_counter() - start
    case_res = block_res.reshape(n, n_s).max(axis=1)
    infos = [SolverInfo(info.method, info.converged, info.iterations, float(r), seconds) for r in case_res]
    log.debug(
        "PE exact solved %d case(s) of %s flows: %s, %d iterations, residual %.2e, %.3f s",
        n,
        "x".join(map(str, V.shape)),
        info.method,
        info.iterations,
        info.residual,
        seconds,
    )
    return _outcomes(
        c,
        "exact",
        infos,
        w_hat=w_hat,
        P_hat=np.exp(lP),
        Q_hat=np.exp(lQ),
        q_hat=q_hat,
        p_hat=np.exp(lp),
        V1=V1,
        V1_consumer=V1c,
        dV=dV,
        price_effect=price_effect,
        trade_creation=trade_creation,
        trade_diversion=trade_diversion,
        revenue0=revenue0,
        revenue1=revenue1,
        consumer_surplus=consumer_surplus,
        producer_surplus=producer_surplus,
        importer_welfare=importer_welfare,
        shares1=shares(V1c, axis=1),
    )


# --------------------------------------------------------------------------------------------
# SMART (WITS) first-order formulas
# --------------------------------------------------------------------------------------------


def _smart_diversion(V: np.ndarray, pi_c: np.ndarray, changed: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """WITS SMART trade diversion (D, K, M, S) with its ceiling (``V`` (K, M, S), ``pi_c`` and
    ``changed`` (D, K, M, S), ``sigma`` (D, 1, 1, S)); see :func:`_smart_linear`."""
    total = V.sum(axis=0, keepdims=True)
    V_R = total - V
    pi_R = safe_div((V * pi_c).sum(axis=1, keepdims=True) - V * pi_c, V_R)
    delta = (1.0 + pi_c) / (1.0 + pi_R) - 1.0
    sd = sigma * delta
    den = V + V_R - sd * V
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(den > 0, -sd * V * V_R / np.where(den > 0, den, 1.0), -V)  # den <= 0: past the ceiling
    own = np.where(changed & (V > 0) & (V_R > 0), np.clip(raw, -V, V_R), 0.0)
    share_of_rest = safe_div(own, V_R)  # what each source k takes from every other source, per dollar
    return own - V * (share_of_rest.sum(axis=1, keepdims=True) - share_of_rest)


def _smart_linear(c: _Cases) -> list[PEOutcome]:
    """SMART's first-order formulas (Jammes and Olarreaga 2005, "Explaining SMART and GSIM", World Bank).

    A first-order (linear) approximation, as in the World Bank's WITS/SMART tool; it overstates
    trade losses for large tariffs (imports can even turn negative) and is offered so that users
    can compare with WITS. Each flow is its own market for supply (no common exporter price
    across markets). With ``π_t = Δt / (1 + t0)`` (= τ̂ − 1):

    * world-price change per flow ``π_w = −η/(ε_x + η) · π_t`` (0 when ε_x = ∞);
    * trade creation ``TC = −η V π_t / (1 + η/ε_x)`` (Jammes-Olarreaga eq. for TC with import
      demand elasticity η and export supply elasticity ε_x; infinite supply: ``−η V π_t``);
    * trade diversion, WITS SMART's formula (Jammes and Olarreaga 2005, eq. for TD) between each
      source k whose tariff changes and the rest R of its market: with the relative consumer-price
      change ``Δ_k = (1 + π_k)/(1 + π_R) − 1`` (``π_k = (1 + π_w) τ̂ − 1``, ``π_R`` the
      value-weighted change of the other sources),
      ``TD_k = −σ Δ_k V_k V_R / (V_k + V_R − σ Δ_k V_k)``, with SMART's ceiling: diversion cannot
      exceed existing trade, ``−V_k <= TD_k <= V_R`` (a large tariff diverts at most all of k's
      trade). The rest loses (or gains) ``TD_k`` in proportion to its sources' values, so
      diversion sums to zero in each market; sources whose tariff does not change only receive
      these offsets. SMART itself treats one group of partners against the rest; with several
      sources changing at once their pairwise diversions are added;
    * price effect ``V π_w``; ``dV = price effect + TC + TD``.

    Note that SMART applies η to each bilateral flow, so for a discriminatory tariff the
    tariffed source's first-order own-price response is ``η + σ (1 − s_k)`` rather than the
    exact model's ``η s_k + σ (1 − s_k)``; the two agree for single-source markets and for
    uniform (MFN) tariff changes, and market totals agree to first order when ``t0 = 0``.

    Fields of :class:`PEOutcome` under this method: ``q_hat = 1 + (TC + TD)/V`` (rates, also for
    zero flows); ``p_hat = (1 + π_w) τ̂``; ``w_hat`` the export-weighted mean of ``1 + π_w``
    over the exporter's markets (1 if it sells nothing); ``P_hat = 1 + Σ_k θ_k π_k`` (linear
    composite price, consumer-price shares); ``Q_hat = 1 + Σ_k TC / Σ_k V``; ``V1 = V + dV``.
    ``consumer_surplus = −E0 (π_P − η π_P²/2)`` with ``π_P = P_hat − 1`` and
    ``producer_surplus = Σ_m V (π_w + ε_x π_w²/2)``: second-order Taylor expansions of the exact
    surplus formulas (rectangle plus Harberger triangle). ``solver`` reports method
    "smart-linear", zero iterations and zero residual (nothing is solved).
    """
    start = time.perf_counter()
    V, t0, t1 = c.V, c.t0, c.t1
    eta, eps_x = c.flows(c.eta), c.flows(c.eps_x)
    pi_t = (t1 - t0) / (1.0 + t0)
    tau_hat = 1.0 + pi_t
    eta_over_eps = eta / eps_x  # 0 when ε_x = ∞
    pi_w = -(eta_over_eps / (1.0 + eta_over_eps)) * pi_t  # = −η/(ε_x + η) π_t
    create = -eta * pi_t / (1.0 + eta_over_eps)
    p_hat = (1.0 + pi_w) * tau_hat
    pi_c = p_hat - 1.0
    trade_diversion = _smart_diversion(V, pi_c, pi_t != 0, c.flows(c.sigma))
    divert = safe_div(trade_diversion, V)

    price_effect = V * pi_w
    trade_creation = V * create
    dV = price_effect + trade_creation + trade_diversion
    V1 = V + dV
    V1c = V1 * (1.0 + t1)
    revenue0, revenue1 = np.broadcast_to(t0 * V, t1.shape), t1 * V1

    Vc0 = V * (1.0 + t0)
    E0 = Vc0.sum(axis=0)
    pi_P = (shares(Vc0, axis=0) * pi_c).sum(axis=1)  # (D, M, S)
    X0 = V.sum(axis=1)
    w_hat = 1.0 + (shares(V, axis=1) * pi_w).sum(axis=2)  # (D, K, S)
    w_hat = np.where(X0 > 0, w_hat, 1.0)
    Q_hat = 1.0 + safe_div(trade_creation.sum(axis=1), V.sum(axis=0))

    eta_r, eps_r = c.rows(c.eta), c.rows(c.eps_x)
    consumer_surplus = -E0 * (pi_P - 0.5 * eta_r * pi_P**2)
    with np.errstate(invalid="ignore"):
        ps = (V * (pi_w + 0.5 * eps_x * pi_w**2)).sum(axis=2)
    producer_surplus = np.where(np.isinf(eps_r), 0.0, ps)
    importer_welfare = consumer_surplus + (revenue1 - revenue0).sum(axis=1)
    info = SolverInfo(SMART, True, 0, 0.0, time.perf_counter() - start)
    return _outcomes(
        c,
        SMART,
        [info] * c.n,
        w_hat=w_hat,
        P_hat=1.0 + pi_P,
        Q_hat=Q_hat,
        q_hat=1.0 + create + divert,
        p_hat=p_hat,
        V1=V1,
        V1_consumer=V1c,
        dV=dV,
        price_effect=price_effect,
        trade_creation=trade_creation,
        trade_diversion=trade_diversion,
        revenue0=revenue0,
        revenue1=revenue1,
        consumer_surplus=consumer_surplus,
        producer_surplus=producer_surplus,
        importer_welfare=importer_welfare,
        shares1=shares(V1c, axis=1),
    )
