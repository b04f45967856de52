"""Numerical kernel of the partial-equilibrium model: the market block and the Newton solver.

Private module; the public entry point is :func:`tariffsim.models.pe.solve_pe`. Everything here works on
arrays in the *solver layout* ``(S, K, M)`` (sector, exporter, market), so that the per-sector
Jacobians are batched matrix products. Nothing here validates user input.

Equations (docs/models/pe.md; ``x = ln ŵ``, ``l = ln τ̂``):

* consumer price, log:        ``ln p̂_kms = x_ks + l_kms``
* composite price, log:       ``ln P̂_ms = ln(Σ_k θ_kms p̂_kms^(1-σ)) / (1-σ)``, or ``Σ_k θ_kms ln p̂_kms`` at σ = 1
* source quantity, log:       ``ln q̂_kms = (σ-η) ln P̂_ms - σ ln p̂_kms``
* export supply (residual):   ``F_ks = ε_x x_ks - ln(Σ_m ω_kms q̂_kms)``  (= 0 in equilibrium)

Sums of shares are evaluated as ``log1p(Σ θ expm1(·))`` (:func:`log_mean_exp`) so that a zero tariff change gives exactly
zero (no rounding from shares that add up to 1 ± 1e-16) and σ close to 1 stays accurate.

Jacobian (exact): with ``s1_jms`` the new consumer-price share of source j and
``g_kms = ω_kms q̂_kms / Σ_m ω_kms q̂_kms`` the new market mix of exporter k's sales,

    ``∂F_ks/∂x_js = (ε_x + σ) δ_kj - (σ - η) A_kjs``,  ``A_kjs = Σ_m g_kms s1_jms``

(an exporter that sells nothing has g = 0 and ``∂F/∂x = ε_x δ_kj``).

Sectors are independent, so J is block diagonal: one dense K×K block per sector, built with one
batched matrix product ``G_s @ S1_s^T`` and solved with one batched ``numpy.linalg.solve``.
A is row-stochastic (non-negative, rows sum to one). Hence, at every point and for any tariffs,
J is row diagonally dominant with margin ``ε_x + η`` when η <= σ (margin ``ε_x + 2σ − η`` when
σ < η <= ε_x + 2σ): J is then a nonsingular P-matrix everywhere, the equilibrium is unique
(Gale-Nikaido) and the Newton direction is a descent direction for ‖F‖. Without tariff wedges A is
similar to a symmetric positive semi-definite matrix and the eigenvalues of J lie in
[ε_x + min(σ, η), ε_x + max(σ, η)].

Globalisation: a backtracking line search on ‖F_s‖ per sector and a cap on the log step. When
J is ill conditioned and the shock is large (e.g. ε_x = 0.01, σ = 30, tariffs of 500 %), Newton
from ŵ = 1 can stall; those sectors are then solved again by continuation in the size of the
shock (``ln τ̂ → λ ln τ̂``, λ from 0 to 1 with adaptive steps, each step a warm-started Newton
solve). Realistic cases never need it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError
from ..solvers import SolverInfo

log = logging.getLogger(__name__)

#: Largest Newton step in log price (per exporter and sector); e^5 ≈ 150 is a big move for one step.
MAX_LOG_STEP = 5.0
#: Halvings tried by the line search; a sector that needs more has stalled.
MAX_BACKTRACK = 20
#: Smallest continuation step in λ before giving up.
MIN_CONTINUATION_STEP = 1e-4
NEWTON = "newton-log"
CLOSED_FORM = "closed-form"


@dataclass(frozen=True)
class Market:
    """Baseline data of the model in solver layout (all arrays ``(S, K, M)`` unless noted).

    ``theta``: baseline consumer-price shares of each source in its market (0 where the market
    has no imports); ``omega``: baseline shares of each market in an exporter's sales (0 where
    the exporter sells nothing); ``ln_tau``: log tariff factor change; ``sigma``, ``eta``,
    ``eps``: elasticities shaped ``(S, 1, 1)``.
    """

    theta: np.ndarray
    omega: np.ndarray
    ln_tau: np.ndarray
    sigma: np.ndarray
    eta: np.ndarray
    eps: np.ndarray

    def take(self, sectors: np.ndarray) -> Market:
        """The same model restricted to some sectors (an index array); no copy when that is all of them."""
        if sectors.size == self.theta.shape[0] and np.array_equal(sectors, np.arange(sectors.size)):
            return self
        return Market(*(a[sectors] for a in (self.theta, self.omega, self.ln_tau, self.sigma, self.eta, self.eps)))


def safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, and 0 where den == 0 (empty markets, exporters that sell nothing)."""
    out = np.zeros(np.broadcast_shapes(num.shape, den.shape))
    np.divide(num, den, out=out, where=den != 0)
    return out


def shares(values: np.ndarray, axis: int) -> np.ndarray:
    """Shares of ``values`` along ``axis``; 0 where the total is 0."""
    return safe_div(values, values.sum(axis=axis, keepdims=True))


def log_mean_exp(w: np.ndarray, z: np.ndarray, axis: int) -> np.ndarray:
    """``ln Σ w e^z`` along ``axis`` for weights ``w`` that sum to one (or all zero: result 0).

    Evaluated as ``log1p(Σ w expm1(z))``, which is exactly 0 when every ``z`` is 0 and accurate for
    small changes, and as a shifted log-sum-exp where that form would lose precision
    (``Σ w e^z`` below one half, or overflow).
    """
    with np.errstate(over="ignore", invalid="ignore"):
        a = np.sum(w * np.expm1(z), axis=axis, keepdims=True)
    out = np.log1p(np.where(a > -0.5, a, 0.0))
    bad = ~(a > -0.5) | ~np.isfinite(a)
    if bad.any():
        zm = np.where(w > 0, z, -np.inf)
        zmax = np.max(zm, axis=axis, keepdims=True)
        zmax = np.where(np.isfinite(zmax), zmax, 0.0)
        with np.errstate(divide="ignore"):  # log(0) in rows without weight; those keep the log1p value
            lse = zmax + np.log(np.sum(w * np.exp(zm - zmax), axis=axis, keepdims=True))
        out = np.where(bad, lse, out)
    return out


def prices(x: np.ndarray, mk: Market) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Market block for log supply prices ``x`` (S, K, 1): ``ln p̂`` (S,K,M), ``ln P̂`` (S,1,M), ``ln q̂`` (S,K,M).

    A market without imports has θ = 0 for every source, hence ``ln P̂ = 0`` (P̂ = 1, Q̂ = 1).
    """
    ln_p = x + mk.ln_tau
    one_minus_sigma = 1.0 - mk.sigma
    unit = one_minus_sigma == 0.0
    ces = log_mean_exp(mk.theta, one_minus_sigma * ln_p, axis=1) / np.where(unit, 1.0, one_minus_sigma)
    if unit.any():  # σ = 1: Cobb-Douglas composite, geometric mean of prices
        geo = np.sum(mk.theta * ln_p, axis=1, keepdims=True)
        ln_P = np.where(unit, geo, ces)
    else:
        ln_P = ces
    ln_q = (mk.sigma - mk.eta) * ln_P - mk.sigma * ln_p
    return ln_p, ln_P, ln_q


def residual(x: np.ndarray, mk: Market) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Log excess supply ``F = ε_x x − ln Σ_m ω q̂`` (S, K, 1) and the intermediate arrays."""
    ln_p, ln_P, ln_q = prices(x, mk)
    ln_D = log_mean_exp(mk.omega, ln_q, axis=2)
    return mk.eps * x - ln_D, (ln_p, ln_P, ln_q, ln_D)


def jacobian(mk: Market, parts: tuple[np.ndarray, ...]) -> np.ndarray:
    """Exact Jacobian ``∂F/∂x`` per sector, shape (S, K, K) (see module docstring)."""
    ln_p, ln_P, ln_q, ln_D = parts
    # exponents masked where the weight is 0, so notional hats of zero flows cannot overflow
    s1 = mk.theta * np.exp(np.where(mk.theta > 0, (1.0 - mk.sigma) * (ln_p - ln_P), 0.0))  # new source shares
    g = mk.omega * np.exp(np.where(mk.omega > 0, ln_q - ln_D, 0.0))  # new sales mix of each exporter
    A = g @ np.swapaxes(s1, 1, 2)  # (S,K,M) @ (S,M,K) -> (S,K,K)
    J = -(mk.sigma - mk.eta) * A
    k = np.arange(J.shape[1])
    J[:, k, k] += (mk.eps + mk.sigma * g.sum(axis=2, keepdims=True))[:, :, 0]  # Σ_m g = 1, or 0 if k sells nothing
    return J


def _norms(F: np.ndarray) -> np.ndarray:
    return np.sqrt(np.sum(F * F, axis=(1, 2)))


@dataclass
class _Run:
    """Bookkeeping shared by the Newton attempts of one solve."""

    tol: float
    max_iter: int
    start: float
    iterations: int = 0

    def left(self) -> int:
        return self.max_iter - self.iterations

    def fail(self, message: str, residual: float) -> ConvergenceError:
        return ConvergenceError(
            message,
            iterations=self.iterations,
            residual=residual,
            seconds=time.perf_counter() - self.start,
            method=NEWTON,
        )


def _newton(mk: Market, x: np.ndarray, run: _Run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Damped Newton on every sector of ``mk`` from ``x`` (S, K, 1), within the iteration budget.

    Returns the new ``x``, the per-sector max-abs residual, and a per-sector flag "stalled" (the
    line search found no decrease, or the residual is not finite). Stops when every sector is
    below ``tol``, stalled, or the budget is spent. Sectors below ``tol`` are not touched.
    """
    x = x.copy()
    F, parts = residual(x, mk)
    res = np.max(np.abs(F), axis=(1, 2))
    stalled = ~np.isfinite(res)
    while run.left() > 0:
        active = np.flatnonzero((res > run.tol) & ~stalled)
        if active.size == 0:
            break
        run.iterations += 1
        mka = mk.take(active)
        every = mka is mk
        parts_a = parts if every else tuple(p[active] for p in parts)
        Fa, xa = (F, x) if every else (F[active], x[active])
        try:
            step = -np.linalg.solve(jacobian(mka, parts_a), Fa)
        except np.linalg.LinAlgError:
            stalled[active] = True  # some block is singular; let continuation try
            break
        big = np.max(np.abs(step), axis=(1, 2), keepdims=True)
        step = step * np.minimum(1.0, MAX_LOG_STEP / np.maximum(big, 1e-300))
        # Backtracking per sector: accept the first α = 1, 1/2, ... that reduces ‖F_s‖.
        norm0 = _norms(Fa)
        alpha = np.ones(active.size)
        todo = np.ones(active.size, dtype=bool)
        new_x, new_F = xa.copy(), Fa.copy()
        new_parts = [p.copy() for p in parts_a]
        for _ in range(MAX_BACKTRACK + 1):
            idx = np.flatnonzero(todo)
            trial_x = xa[idx] + alpha[idx, None, None] * step[idx]
            trial_F, trial_parts = residual(trial_x, mka.take(idx))
            ok = _norms(trial_F) <= (1.0 - 1e-4 * alpha[idx]) * norm0[idx]
            done = idx[ok]
            new_x[done], new_F[done] = trial_x[ok], trial_F[ok]
            for dst, src in zip(new_parts, trial_parts, strict=True):
                dst[done] = src[ok]
            todo[done] = False
            if not todo.any():
                break
            alpha[todo] *= 0.5
        stalled[active[todo]] = True
        x[active], F[active] = new_x, new_F
        for dst, src in zip(parts, new_parts, strict=True):
            dst[active] = src
        res = np.max(np.abs(F), axis=(1, 2))
        stalled |= ~np.isfinite(res)
        log.debug(
            "PE Newton iteration %d: max|F| = %.3e, smallest step %.3g",
            run.iterations,
            float(np.max(res)),
            float(alpha.min()),
        )
    return x, res, stalled


def _continuation(mk: Market, run: _Run) -> tuple[np.ndarray, np.ndarray]:
    """Solve by scaling the shock: ``ln τ̂ → λ ln τ̂``, λ = 0 (solution ŵ = 1) to 1, adaptive steps."""
    x = np.zeros((mk.theta.shape[0], mk.theta.shape[1], 1))
    lam, dl = 0.0, 0.5
    res = np.full(mk.theta.shape[0], np.inf)
    while lam < 1.0:
        if run.left() <= 0:
            raise run.fail("PE export-supply prices: iteration budget spent during continuation", float(np.max(res)))
        target = min(1.0, lam + dl)
        step_mk = Market(mk.theta, mk.omega, mk.ln_tau * target, mk.sigma, mk.eta, mk.eps)
        x_new, res_new, stalled = _newton(step_mk, x, run)
        if not stalled.any() and np.all(res_new <= run.tol):
            lam, x, res = target, x_new, res_new
            dl = min(2.0 * dl, 1.0 - lam) if lam < 1.0 else dl
            log.debug("PE continuation reached λ = %.4g", lam)
        elif stalled.any():
            dl *= 0.5
            if dl < MIN_CONTINUATION_STEP:
                raise run.fail(
                    "PE export-supply prices: Newton stalled even with continuation steps "
                    f"of {dl:.1e} in the shock size",
                    float(np.nanmax(res_new)),
                )
        # else: budget spent mid-step; the check at the top of the loop raises
    return x, res


def solve_supply_prices(mk: Market, *, tol: float, max_iter: int) -> tuple[np.ndarray, SolverInfo, np.ndarray]:
    """Solve ``F(x) = 0`` for ``x = ln ŵ`` (S, K, 1) by Newton's method in logs.

    Sectors with ε_x = ∞ have ŵ = 1 in closed form and are not iterated. Sectors whose residual
    is already below ``tol`` are left alone (so an unchanged tariff gives ŵ = 1 exactly).
    Converged when ``max |F| <= tol`` (log units); ``max_iter`` bounds the Newton iterations,
    continuation steps included. Raises :class:`ConvergenceError` otherwise.

    The blocks of the leading axis are independent (one sector each): the batched solve of
    several cases (:func:`tariffsim.models.pe.solve_pe_batch`) stacks the cases' sectors on that
    axis, so each block takes exactly the steps it would take alone. Returns ``x``, the solver
    facts (iterations: Newton sweeps over the blocks still active) and the max-abs residual of
    each block (0 where ε_x = ∞).
    """
    run = _Run(tol=tol, max_iter=max_iter, start=time.perf_counter())
    n_s, n_k = mk.theta.shape[0], mk.theta.shape[1]
    x = np.zeros((n_s, n_k, 1))
    block_res = np.zeros(n_s)
    finite = np.flatnonzero(np.isfinite(mk.eps[:, 0, 0]))
    if finite.size == 0:
        return x, SolverInfo(CLOSED_FORM, True, 0, 0.0, time.perf_counter() - run.start), block_res
    sub = mk.take(finite)
    xs, res, stalled = _newton(sub, x[finite], run)
    if stalled.any():
        bad = np.flatnonzero(stalled)
        log.info("PE Newton stalled in %d sector(s); solving them by continuation in the shock size", bad.size)
        xs[bad], res[bad] = _continuation(sub.take(bad), run)
    worst = float(np.max(res))
    seconds = time.perf_counter() - run.start
    if not worst <= tol:
        raise run.fail(f"PE export-supply prices did not converge to tol={tol:g}", worst)
    x[finite] = xs
    block_res[finite] = res
    log.debug("PE Newton converged: %d iterations, residual %.3e, %.3f s", run.iterations, worst, seconds)
    return x, SolverInfo(NEWTON, True, run.iterations, worst, seconds), block_res
