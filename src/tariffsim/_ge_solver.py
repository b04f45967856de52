"""Equations, analytic Jacobian and Newton solver of the multi-country GE model (docs/models/ge.md).

Private module: :mod:`tariffsim.ge` builds a :class:`GESystem` and calls :func:`newton_solve`.

Unknowns are the logs of the 3N hats x = (log ŵ, log Ê, log L̂). The scaled residuals are

* F1_j = [Σ_i (1−ν_i) X'_ji + ν_j Σ_k X'_kj − ŵ_j L̂_j Y_j] / Y_j  (sales = wage income), with the
  equation of one country (``drop``) replaced by the numéraire Σ_i E_i (P̂_i − 1) / Σ_i E_i;
* F2_i = [ŵ_i L̂_i Y_i + T'_i − Σ_j X'_ji] / E_i  (budget: E'_i = R_i + Y'_i + T'_i, where the
  revenue R_i = E'_i − Σ_j X'_ji, so E'_i cancels);
* F3_i = log L̂_i − κ (log τ̂_i + log ŵ_i − log P̂_i)  (labour supply).

The Jacobian is exact (derived by hand, checked against finite differences in the tests). The
budget block is diagonal in log Ê, so each Newton step eliminates log Ê by a Schur complement and
factorises a 2N x 2N matrix instead of 3N x 3N. Steps are damped by a backtracking line search on
the Euclidean norm of the residual (Armijo condition); the answer is returned only when the
max-abs residual is below the tolerance, otherwise :class:`~tariffsim.errors.ConvergenceError`.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.linalg import LinAlgWarning

from .errors import ConvergenceError
from .solvers import SolverInfo

__all__ = [
    "GESystem",
    "GEState",
    "evaluate",
    "jacobian",
    "full_jacobian",
    "factorize",
    "direction",
    "newton_step",
    "newton_solve",
    "METHOD",
]

log = logging.getLogger(__name__)

METHOD = "newton-chord-analytic-jacobian"


@dataclass(frozen=True, eq=False)
class GESystem:
    """Everything the equations need, as arrays (money in the baseline's units, USD by default).

    ``base_a[j, i]`` = λ_ji · ((1+t1)/(1+t0))_ji^(−ε φ_i) · d̂_ji^(−ε): the trade shares with the
    policy shock applied and wages/employment at their baseline. ``m[j, i]`` = 1/(1+t1_ji)
    converts consumer-price spending into exporter-price sales.
    """

    n: int
    lam: np.ndarray
    base_a: np.ndarray
    m: np.ndarray
    tshare: np.ndarray  # t1/(1+t1)
    E: np.ndarray
    Y: np.ndarray
    T: np.ndarray
    nu: np.ndarray
    phi: np.ndarray
    eps: float
    psi: float
    kappa: float
    log_tau0: np.ndarray  # log(1 − R0/Y): the baseline net-of-tax factor (0 without baseline tariffs)
    income_tax: bool  # revenue relieves the income tax (True) or is rebated lump sum (False)
    held_deficits: bool  # T'_i = T_i ΣY'/ΣY (True) or T'_i = 0 (False, balanced trade)
    drop: int  # country whose sales equation is replaced by the numéraire


@dataclass(frozen=True, eq=False)
class GEState:
    """Endogenous values at one point x (all hats are new/old ratios)."""

    w: np.ndarray
    e: np.ndarray
    l: np.ndarray  # noqa: E741 - the model's L̂
    lam_new: np.ndarray  # λ'_ji, consumer-price expenditure shares
    X_new: np.ndarray  # X'_ji, exporter prices
    M_new: np.ndarray  # Σ_j X'_ji, purchases at exporter prices (domestic included)
    s_new: np.ndarray  # Σ_i (1−ν_i) X'_ji
    E_new: np.ndarray
    Y_new: np.ndarray
    R: np.ndarray  # tariff revenue
    P: np.ndarray  # P̂
    log_P: np.ndarray
    log_tau: np.ndarray  # log τ̂
    rho: np.ndarray  # R / Y'
    F: np.ndarray  # scaled residual (3N)
    walras: float  # scaled residual of the dropped sales equation


def evaluate(x: np.ndarray, sysm: GESystem) -> GEState:
    """All endogenous values and the scaled residual at x = (log ŵ, log Ê, log L̂)."""
    n = sysm.n
    lw, le, ll = x[:n], x[n : 2 * n], x[2 * n :]
    w, e, l = np.exp(lw), np.exp(le), np.exp(ll)  # noqa: E741
    a = sysm.base_a * np.exp(-sysm.eps * (lw - sysm.psi * ll))[:, None]
    S = a.sum(axis=0)
    lam_new = a / S
    E_new = sysm.E * e
    X_new = lam_new * (E_new * sysm.m)
    M_new = X_new.sum(axis=0)
    s_new = X_new @ (1.0 - sysm.nu)
    Y_new = w * l * sysm.Y
    R = E_new * (lam_new * sysm.tshare).sum(axis=0)  # = E' − M', computed directly (no cancellation)
    log_P = (1.0 - sysm.phi) * (le - lw) - np.log(S) / sysm.eps
    P = np.exp(log_P)
    F1 = (s_new + sysm.nu * M_new - Y_new) / sysm.Y
    walras = float(F1[sysm.drop])
    F1[sysm.drop] = sysm.E @ (P - 1.0) / sysm.E.sum()
    T_new = sysm.T * (Y_new.sum() / sysm.Y.sum()) if sysm.held_deficits else 0.0
    F2 = (Y_new + T_new - M_new) / sysm.E
    rho = R / Y_new
    if sysm.income_tax:
        with np.errstate(invalid="ignore", divide="ignore"):
            log_tau = sysm.log_tau0 - np.log1p(-rho)
    else:
        log_tau = np.zeros(n)
    F3 = ll - sysm.kappa * (log_tau + lw - log_P)
    F = np.concatenate([F1, F2, F3])
    return GEState(w, e, l, lam_new, X_new, M_new, s_new, E_new, Y_new, R, P, log_P, log_tau, rho, F, walras)


def jacobian(st: GEState, sysm: GESystem) -> tuple[np.ndarray, ...]:
    """The nine N x N blocks ∂F_r/∂x_c (r: sales, budget, labour; c: log ŵ, log Ê, log L̂)."""
    n, eps, psi, kappa, nu = sysm.n, sysm.eps, sysm.psi, sysm.kappa, sysm.nu
    A, Lam = st.X_new, st.lam_new
    diag = np.diag_indices(n)
    # ∂s/∂log ŵ = −ε diag(s) + ε A diag(1−ν) Λ'ᵀ ;  ∂M'/∂log ŵ = −ε Aᵀ + ε diag(M') Λ'ᵀ
    LamT = np.ascontiguousarray(Lam.T)
    A_nu = A * (1.0 - nu)[None, :]
    dS = eps * (A_nu @ LamT)
    dS[diag] -= eps * st.s_new
    H = eps * st.M_new[:, None] * LamT
    H -= eps * A.T
    inv_Y = (1.0 / sysm.Y)[:, None]
    G = (dS + nu[:, None] * H) * inv_Y
    J11 = G.copy()
    J11[diag] -= st.Y_new / sysm.Y
    J12 = A_nu * inv_Y
    J12[diag] += nu * st.M_new / sysm.Y
    J13 = -psi * G
    J13[diag] -= st.Y_new / sysm.Y
    # numéraire row: Σ_i E_i P̂_i ∂log P̂_i / ∂x / ΣE
    wE = sysm.E * st.P / sysm.E.sum()
    LwE = Lam @ wE
    k = sysm.drop
    J11[k] = LwE - wE * (1.0 - sysm.phi)
    J12[k] = wE * (1.0 - sysm.phi)
    J13[k] = -psi * LwE
    # budget block
    inv_E = (1.0 / sysm.E)[:, None]
    if sysm.held_deficits:
        TY = np.outer(sysm.T, st.Y_new) / sysm.Y.sum()
    else:
        TY = np.zeros((n, n))
    J21 = (TY - H) * inv_E
    J21[diag] += st.Y_new / sysm.E
    J22 = -st.M_new / sysm.E  # diagonal, kept as a vector
    J23 = (TY + psi * H) * inv_E
    J23[diag] += st.Y_new / sysm.E
    # labour block: F3 = ℓ − κ(log τ̂ + ω − log P̂)
    # ∂log P̂/∂ω = −diag(1−φ) + Λ'ᵀ ; ∂log P̂/∂η = diag(1−φ) ; ∂log P̂/∂ℓ = −ψ Λ'ᵀ
    J31 = kappa * LamT
    J31[diag] += -kappa * (1.0 - sysm.phi) - kappa
    J32 = np.zeros((n, n))
    J32[diag] = kappa * (1.0 - sysm.phi)
    J33 = -kappa * psi * LamT
    J33[diag] += 1.0
    if sysm.income_tax:
        q = 1.0 / (1.0 - st.rho)
        qH = (q / st.Y_new)[:, None] * H  # ∂log τ̂/∂ω = −qH/Y' − qρ I ; ∂/∂ℓ = ψ qH/Y' − qρ I
        J31 += kappa * qH
        J31[diag] += kappa * q * st.rho
        J32[diag] -= kappa * q * st.rho
        J33 -= kappa * psi * qH
        J33[diag] += kappa * q * st.rho
    return J11, J12, J13, J21, J22, J23, J31, J32, J33


def full_jacobian(st: GEState, sysm: GESystem) -> np.ndarray:
    """The dense 3N x 3N Jacobian ∂F/∂x (for checks; the solver never forms it)."""
    J11, J12, J13, J21, d2, J23, J31, J32, J33 = jacobian(st, sysm)
    return np.block([[J11, J12, J13], [J21, np.diag(d2), J23], [J31, J32, J33]])


@dataclass(frozen=True, eq=False)
class _Factor:
    """A factorised Newton matrix: LU of the 2N Schur complement and the pieces to back-substitute."""

    lu: tuple
    B1: np.ndarray
    b3: np.ndarray  # diagonal of J32 / d2
    J21: np.ndarray
    J23: np.ndarray
    d2: np.ndarray


def factorize(st: GEState, sysm: GESystem) -> _Factor:
    """Jacobian at ``st``, log Ê eliminated (its budget block is diagonal), 2N x 2N LU factorised."""
    n = sysm.n
    J11, J12, J13, J21, d2, J23, J31, J32, J33 = jacobian(st, sysm)
    B1 = J12 / d2[None, :]
    b3 = np.diagonal(J32) / d2  # J32 (labour rows, log Ê columns) is diagonal
    K = np.empty((2 * n, 2 * n))
    K[:n, :] = np.hstack([J11, J13]) - B1 @ np.hstack([J21, J23])
    K[n:, :n] = J31 - b3[:, None] * J21
    K[n:, n:] = J33 - b3[:, None] * J23
    with warnings.catch_warnings():
        warnings.simplefilter("error", LinAlgWarning)
        if not np.all(np.isfinite(K)):
            raise ValueError("non-finite Jacobian")
        lu = scipy.linalg.lu_factor(K, overwrite_a=True, check_finite=False)
    return _Factor(lu, B1, b3, J21, J23, d2)


def direction(fac: _Factor, F: np.ndarray, n: int) -> np.ndarray:
    """Solve J dx = −F with a factorised (possibly older) Jacobian."""
    F1, F2, F3 = F[:n], F[n : 2 * n], F[2 * n :]
    rhs = np.concatenate([-F1 + fac.B1 @ F2, -F3 + fac.b3 * F2])
    sol = scipy.linalg.lu_solve(fac.lu, rhs, check_finite=False)
    dw, dl = sol[:n], sol[n:]
    de = (-F2 - fac.J21 @ dw - fac.J23 @ dl) / fac.d2
    return np.concatenate([dw, de, dl])


def newton_step(st: GEState, sysm: GESystem) -> np.ndarray:
    """The exact Newton direction at ``st``."""
    return direction(factorize(st, sysm), st.F, sysm.n)


def _norm(F: np.ndarray) -> float:
    v = float(np.sqrt(F @ F))
    return v if np.isfinite(v) else np.inf


def newton_solve(
    sysm: GESystem,
    x0: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
    contraction: float = 0.5,
) -> tuple[np.ndarray, GEState, SolverInfo]:
    """Newton–chord iteration on the scaled residual; returns (x, state, SolverInfo).

    Each step first tries the direction from the last factorised Jacobian (a chord step, cheap:
    one LU back-substitution); it is accepted if it shrinks the residual norm by ``contraction``
    or better. Otherwise the exact Jacobian is rebuilt at the current point and a Newton step is
    taken with a backtracking (Armijo) line search, so the method keeps Newton's global safeguards
    and its quadratic local rate while paying for few factorisations. ``iterations`` counts all
    steps. Raises :class:`ConvergenceError` when the max-abs residual is not below ``tol`` after
    ``max_iter`` steps, when the residual turns non-finite, or when no step reduces it.
    """
    t0 = time.perf_counter()
    n = sysm.n
    x = np.zeros(3 * n) if x0 is None else np.array(x0, dtype=float)
    st = evaluate(x, sysm)
    res = float(np.max(np.abs(st.F)))
    it = n_jac = 0
    fac: _Factor | None = None

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, iterations=it, residual=res, seconds=time.perf_counter() - t0, method=METHOD)

    while not res < tol:
        if it >= max_iter:
            raise fail(f"GE solve did not reach tolerance {tol:g} within max_iter={max_iter} steps")
        if not np.isfinite(res):
            raise fail("GE residual is not finite (tariff revenue above income, or a degenerate baseline)")
        f0 = _norm(st.F)
        trial = None
        if fac is not None:
            dx = direction(fac, st.F, n)
            cand = evaluate(x + dx, sysm)
            if _norm(cand.F) <= contraction * f0:
                trial, step = cand, dx
        if trial is None:
            try:
                fac = factorize(st, sysm)
            except (ValueError, np.linalg.LinAlgError, scipy.linalg.LinAlgError, LinAlgWarning):
                raise fail("singular or non-finite Jacobian in the GE Newton step") from None
            n_jac += 1
            dx = direction(fac, st.F, n)
            if not np.all(np.isfinite(dx)):
                raise fail("non-finite Newton direction in the GE solve")
            alpha = 1.0
            for _ in range(40):
                cand = evaluate(x + alpha * dx, sysm)
                if _norm(cand.F) <= (1.0 - 1e-4 * alpha) * f0:
                    trial, step = cand, alpha * dx
                    break
                alpha *= 0.5
            else:
                raise fail("line search failed: no step along the Newton direction reduces the GE residual")
        x = x + step
        st = trial
        it += 1
        res = float(np.max(np.abs(st.F)))
        log.debug("GE step %d (%d Jacobians): max-abs residual %.3e", it, n_jac, res)
    info = SolverInfo(method=METHOD, converged=True, iterations=it, residual=res, seconds=time.perf_counter() - t0)
    return x, st, info
