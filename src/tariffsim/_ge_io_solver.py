"""Equations, analytic derivatives and the structured Newton solver of the multi-sector GE model
with input-output linkages (Caliendo and Parro 2015; docs/models/ge_io.md).

Private module: :mod:`tariffsim.ge_io` builds an :class:`IOSystem` and calls :func:`solve`.

Layout. Arrays are sector-major so that every sum over trading partners is one batched matrix
product: ``pi0[j, n, i]`` is importer n's expenditure share on exporter i in sector j, ``c[j, n]``
the cost of n's input bundle in sector j, ``X[j, n]`` n's expenditure on sector j,
``gamma[n, k, j]`` the share of input k in the gross output of sector j in n.

The equilibrium (hats are counterfactual/baseline ratios; primes are counterfactual levels):

* prices: P̂_nj = [Σ_i π_nij (κ̂_nij ĉ_ij)^(−θ_j)]^(−1/θ_j), π'_nij = π_nij (κ̂_nij ĉ_ij / P̂_nj)^(−θ_j);
* costs: ĉ_nj = ŵ_n^(γ_nj) Π_k P̂_nk^(γ_nkj);
* goods markets: X'_nj = Σ_k γ_njk Y'_nk + α_nj I'_n with Y'_nk = Σ_i π'_ink X'_ik / (1+τ'_ink) and
  I'_n = ŵ_n w_nL_n + Σ_j Σ_i τ'_nij/(1+τ'_nij) π'_nij X'_nj + D_n;
* labour markets: ŵ_n w_nL_n = Σ_j γ_nj Y'_nj, one of them replaced by the numéraire
  Σ_n ŵ_n w_nL_n = Σ_n w_nL_n.

Solution method (exact block elimination, Newton outside):

1. Given log ŵ, the cost block log ĉ = γ log ŵ + Γᵀ log P̂(ĉ) is solved by Newton's method whose
   linear systems (I − M) δ = r, M = ∂(Γᵀ log P̂)/∂ log ĉ, are solved by block-Jacobi
   preconditioned Richardson iteration: the preconditioner is the exact within-country part of M
   (31 dense 40 x 40 blocks, factorised in one batched call), which holds the near-unit
   self-loops of the $1 placeholder sectors; only cross-border input links are iterated.
2. Given costs and wages the goods-market block is *linear* in the expenditures X', so it is
   solved exactly, again by block-Jacobi Richardson with the within-country blocks inverted
   directly. Expenditures are never unknowns of the Newton method, so their ten orders of
   magnitude do not enter its conditioning.
3. The N labour-market residuals (scaled by each region's baseline labour income) are driven to
   zero by Newton's method in log ŵ. Its N x N Jacobian is analytic: implicit differentiation
   through blocks 1 and 2 with N right-hand sides, solved by the same preconditioned iterations
   (no finite differences). Steps reuse the last Jacobian (chord steps) while they shrink the
   residual at least ``contraction``-fold, and rebuild it with a backtracking line search
   otherwise.

The answer is returned only when the max-abs scaled residual of all three blocks is below the
tolerance; otherwise :class:`~tariffsim.errors.ConvergenceError` carries the facts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import numpy as np

from .errors import ConvergenceError
from .solvers import SolverInfo

__all__ = [
    "IOSystem",
    "IOState",
    "METHOD",
    "make_system",
    "prices",
    "solve_costs",
    "evaluate",
    "wage_jacobian",
    "residuals",
    "solve",
]

log = logging.getLogger(__name__)

METHOD = "broyden-analytic-jacobian-wages/block-jacobi-inner"

#: Tolerance of the inner linear iterations, relative to the size of the right-hand side.
INNER_TOL = 1e-14
INNER_MAX = 2000
#: Richardson iterations allowed with a kept (stale) preconditioner before it is refactorised.
STALE_MAX = 60


@dataclass(frozen=True, eq=False)
class IOSystem:
    """Everything the equations need for one solve, in the sector-major layout (see module doc).

    a0[j, n, i] = π_nij κ̂_nij^(−θ_j): baseline shares with the policy shock applied.
    inv1t[j, n, i] = 1/(1+τ'_nij); tshare[j, n, i] = τ'_nij/(1+τ'_nij).
    """

    N: int
    J: int
    theta: np.ndarray  # (J,)
    a0: np.ndarray  # (J, N, N)
    inv1t: np.ndarray  # (J, N, N)
    tshare: np.ndarray  # (J, N, N)
    gamma: np.ndarray  # (N, J, K): gamma[n, j, k] = γ_njk, share of input j in gross output of k
    gamma_t: np.ndarray  # (N, J, K): gamma_t[n, j, k] = γ_nkj, share of input k in gross output of j
    gamma_va: np.ndarray  # (J, N): value-added share
    alpha: np.ndarray  # (J, N): final-consumption shares
    wL: np.ndarray  # (N,) baseline labour income
    D: np.ndarray  # (N,) deficits in the counterfactual
    drop: int  # region whose labour-market equation is replaced by the numéraire


def make_system(
    pi0: np.ndarray,
    tau0: np.ndarray,
    tau1: np.ndarray,
    d_hat: np.ndarray,
    theta: np.ndarray,
    gamma: np.ndarray,
    gamma_va: np.ndarray,
    alpha: np.ndarray,
    wL: np.ndarray,
    D: np.ndarray,
    drop: int | None = None,
) -> IOSystem:
    """Build the system from arrays in the sector-major layout (``pi0``, ``tau*``, ``d_hat``: (J, N, N))."""
    J, N, _ = pi0.shape
    kappa = (1.0 + tau1) / (1.0 + tau0) * d_hat
    with np.errstate(divide="ignore"):
        a0 = np.where(pi0 > 0, pi0 * kappa ** (-theta[:, None, None]), 0.0)
    inv1t = 1.0 / (1.0 + tau1)
    return IOSystem(
        N=N,
        J=J,
        theta=np.asarray(theta, dtype=float),
        a0=np.ascontiguousarray(a0),
        inv1t=np.ascontiguousarray(inv1t),
        tshare=np.ascontiguousarray(tau1 * inv1t),
        gamma=np.ascontiguousarray(gamma),
        gamma_t=np.ascontiguousarray(np.transpose(gamma, (0, 2, 1))),
        gamma_va=np.ascontiguousarray(gamma_va),
        alpha=np.ascontiguousarray(alpha),
        wL=np.asarray(wL, dtype=float),
        D=np.asarray(D, dtype=float),
        drop=N - 1 if drop is None else int(drop),
    )


def prices(lc: np.ndarray, sysm: IOSystem) -> tuple[np.ndarray, np.ndarray]:
    """(log P̂[j, n], π'[j, n, i]) at log costs ``lc[j, i]``."""
    th = sysm.theta[:, None]
    e = np.exp(-th * lc)
    S = np.matmul(sysm.a0, e[:, :, None])[:, :, 0]
    lP = -np.log(S) / th
    pi = sysm.a0 * e[:, None, :]
    pi /= S[:, :, None]
    return lP, pi


def _domestic(a: np.ndarray) -> np.ndarray:
    """Diagonal a[j, n, n] as (J, N)."""
    return np.einsum("jnn->jn", a)


def _sm(v: np.ndarray) -> np.ndarray:
    """Region-major (N, J, R) <-> sector-major (J, N, R)."""
    return v.transpose(1, 0, 2)


@dataclass(frozen=True, eq=False)
class _Blocks:
    """Block-Jacobi splitting of one linear operator, x ↦ (I − D − C) x, x region-major (N, J, R).

    ``inv`` = (I − D₀)^(-1) for the within-country blocks D₀ factorised at some earlier point;
    the iteration keeps it while the operator moves and carries the difference D − D₀ on the
    right-hand side, so the solve stays exact. The cross-border part is g (op − dom₀) per sector;
    for the goods block the within-country tariff-revenue term α rᵀ is corrected the same way.
    """

    inv: np.ndarray  # (N, J, J)
    inv_g: np.ndarray  # (N, J, K) = inv @ g
    op: np.ndarray  # (J, N, N): sector-major cross-country matrix (Π' or Bᵀ), current
    dom: np.ndarray  # (J, N): diagonal of op at factorisation
    inv_a: np.ndarray | None = None  # (N, J, 1) = inv @ α (goods block only)
    r0: np.ndarray | None = None  # (N, J) revenue shares at factorisation (goods block only)
    r: np.ndarray | None = None  # (N, J) current revenue shares


def _richardson(
    bl: _Blocks, rhs: np.ndarray, x0: np.ndarray | None = None, *, tol: float = INNER_TOL, max_iter: int = INNER_MAX
) -> np.ndarray:
    """Solve (I − D − C) x = rhs by block-Jacobi Richardson, x ← inv (rhs + (D − D₀ + C) x).

    Stops when the step is below ``tol`` relative to each region's total |x| (for every column).
    """
    base = np.matmul(bl.inv, rhs)
    x = base if x0 is None else x0
    domc = bl.dom.T[:, :, None]  # (N, J, 1)
    dr = None if bl.r is None or bl.r0 is None else (bl.r - bl.r0)[:, None, :]  # (N, 1, J)
    step = np.inf
    for _ in range(max_iter):
        off = _sm(np.matmul(bl.op, _sm(x))) - domc * x
        new = base + np.matmul(bl.inv_g, off)
        if dr is not None and bl.inv_a is not None:
            new += bl.inv_a * np.matmul(dr, x)
        size = np.abs(new).sum(axis=1)  # (N, R)
        step = float(np.max(np.abs(new - x).sum(axis=1) / np.maximum(size, 1e-300)))
        x = new
        if step <= tol:
            return x
    raise ConvergenceError(
        "block-Jacobi linear iteration did not converge", iterations=max_iter, residual=step, method=METHOD
    )


def _cost_blocks(pi: np.ndarray, sysm: IOSystem) -> _Blocks:
    """I − M for the cost block: M v [n, j] = Σ_k γ_nkj Σ_i π'_nik v[i, k]; within-country D_n[j, k] = γ_nkj π'_nnk."""
    dom = _domestic(pi)  # (K, N)
    g = sysm.gamma_t  # [n, j, k] = γ_nkj
    inv = np.linalg.inv(np.eye(sysm.J)[None] - g * dom.T[:, None, :])
    return _Blocks(inv=inv, inv_g=np.matmul(inv, g), op=pi, dom=dom)


def _goods_blocks(Bt: np.ndarray, r: np.ndarray, sysm: IOSystem) -> _Blocks:
    """I − A for the goods block: A X [n, j] = Σ_k γ_njk Σ_i Bt[k, n, i] X[i, k] + α_nj Σ_k r_nk X[n, k].

    Within-country Q_n[j, k] = γ_njk Bt[k, n, n] + α_nj r_nk; Bt[k, n, i] = π'_ink/(1+τ'_ink).
    """
    bdom = _domestic(Bt)  # (K, N)
    g = sysm.gamma
    rT = np.ascontiguousarray(r.T)
    alpha = np.ascontiguousarray(sysm.alpha.T)[:, :, None]  # (N, J, 1)
    Q = g * bdom.T[:, None, :] + alpha * rT[:, None, :]
    inv = np.linalg.inv(np.eye(sysm.J)[None] - Q)
    return _Blocks(inv=inv, inv_g=np.matmul(inv, g), op=Bt, dom=bdom, inv_a=np.matmul(inv, alpha), r0=rT, r=rT)


def _rm(a: np.ndarray) -> np.ndarray:
    """(J, N) -> region-major column (N, J, 1)."""
    return np.ascontiguousarray(a.T)[:, :, None]


def solve_costs(
    lw: np.ndarray,
    sysm: IOSystem,
    lc0: np.ndarray | None = None,
    blocks0: _Blocks | None = None,
    *,
    tol: float = 1e-13,
    max_iter: int = 100,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, _Blocks, int]:
    """Solve log ĉ = γ log ŵ + Γᵀ log P̂(ĉ) by Newton; returns (lc, lP, π', blocks of I − M, steps).

    The Newton systems (I − M(π')) δ = −R are solved by the block-Jacobi iteration to a relative
    accuracy of 1e-3 of the current residual (an inexact Newton method: the residual itself is
    always exact). The preconditioner is factorised once (or taken from ``blocks0``) and kept
    while π' moves; it is refactorised only if the iteration stalls.
    """
    lc = np.zeros((sysm.J, sysm.N)) if lc0 is None else lc0.copy()
    base = sysm.gamma_va * lw[None, :]
    res = np.inf
    blocks = blocks0
    for it in range(max_iter + 1):
        lP, pi = prices(lc, sysm)
        R = lc - base - np.matmul(sysm.gamma_t, _rm(lP))[:, :, 0].T
        res = float(np.max(np.abs(R)))
        if not np.isfinite(res):
            raise ConvergenceError("cost block is not finite", iterations=it, residual=res, method=METHOD)
        blocks = _cost_blocks(pi, sysm) if blocks is None else replace(blocks, op=pi)
        if res < tol:
            return lc, lP, pi, blocks, it
        lin_tol = max(1e-3 * min(res, 1.0), 1e-15)
        try:
            delta = _richardson(blocks, _rm(R), tol=lin_tol, max_iter=STALE_MAX)
        except ConvergenceError:  # the kept preconditioner is too far off: refactorise here
            blocks = _cost_blocks(pi, sysm)
            delta = _richardson(blocks, _rm(R), tol=lin_tol)
        lc = lc - delta[:, :, 0].T
    raise ConvergenceError("cost block Newton did not converge", iterations=max_iter, residual=res, method=METHOD)


@dataclass(frozen=True, eq=False)
class IOState:
    """Endogenous values at one wage vector (levels in the data's units; hats are ratios)."""

    lw: np.ndarray  # (N,) log ŵ
    lc: np.ndarray  # (J, N) log ĉ
    lP: np.ndarray  # (J, N) log P̂
    pi: np.ndarray  # (J, N, N) π'
    X: np.ndarray  # (J, N) expenditure X'
    Y: np.ndarray  # (J, N) gross output Y'
    I: np.ndarray  # (N,) income I'  # noqa: E741
    r: np.ndarray  # (J, N) tariff-revenue share of expenditure
    Bt: np.ndarray  # (J, N, N) Bt[k, n, i] = π'_ink/(1+τ'_ink)
    cost: _Blocks
    goods: _Blocks
    F: np.ndarray  # (N,) scaled labour-market residual, numéraire in row ``drop``
    walras: float  # scaled residual of the dropped labour-market equation
    inner_tol: float  # accuracy the cost and goods blocks were solved to


def evaluate(lw: np.ndarray, sysm: IOSystem, prev: IOState | None = None, inner_tol: float = 1e-13) -> IOState:
    """Solve the cost and expenditure blocks at log ŵ = ``lw`` (to ``inner_tol``); labour-market residual.

    ``prev`` (a nearby state) supplies starting values and the block-Jacobi factorisations.
    """
    if prev is None:
        lc, lP, pi, cblocks, _ = solve_costs(lw, sysm, tol=inner_tol)
    else:
        lc, lP, pi, cblocks, _ = solve_costs(lw, sysm, prev.lc, prev.cost, tol=inner_tol)
    r = np.einsum("jni,jni->jn", pi, sysm.tshare)
    Bt = np.ascontiguousarray(np.transpose(pi * sysm.inv1t, (0, 2, 1)))
    if prev is None:
        gblocks = _goods_blocks(Bt, r, sysm)
    else:
        gblocks = replace(prev.goods, op=Bt, r=np.ascontiguousarray(r.T))
    w = np.exp(lw)
    rhs = _rm(sysm.alpha * (w * sysm.wL + sysm.D)[None, :])
    x0 = None if prev is None else _rm(prev.X)
    try:
        X = _richardson(gblocks, rhs, x0, tol=0.1 * inner_tol, max_iter=STALE_MAX)[:, :, 0].T
    except ConvergenceError:
        gblocks = _goods_blocks(Bt, r, sysm)
        X = _richardson(gblocks, rhs, x0, tol=0.1 * inner_tol)[:, :, 0].T
    Y = np.matmul(Bt, X[:, :, None])[:, :, 0]
    income = w * sysm.wL + sysm.D + (r * X).sum(axis=0)
    F = ((sysm.gamma_va * Y).sum(axis=0) - w * sysm.wL) / sysm.wL
    walras = float(F[sysm.drop])
    F[sysm.drop] = (w @ sysm.wL - sysm.wL.sum()) / sysm.wL.sum()
    return IOState(lw, lc, lP, pi, X, Y, income, r, Bt, cblocks, gblocks, F, walras, inner_tol)


def residuals(st: IOState, sysm: IOSystem) -> dict[str, float]:
    """Max-abs scaled residuals of the three blocks at a state (for reporting and checks).

    cost: |log ĉ − γ log ŵ − Γᵀ log P̂|; goods: |X' − Σ γ Y' − α I'| over each region's total
    expenditure; labour: |Σ γ Y' − ŵ wL| / wL (numéraire row included).
    """
    lP, _ = prices(st.lc, sysm)
    Rc = st.lc - sysm.gamma_va * st.lw[None, :] - np.einsum("njk,kn->jn", sysm.gamma_t, lP)
    Rg = st.X - np.einsum("njk,kn->jn", sysm.gamma, st.Y) - sysm.alpha * st.I[None, :]
    Rg = Rg / st.X.sum(axis=0)[None, :]
    return {
        "cost": float(np.max(np.abs(Rc))),
        "goods": float(np.max(np.abs(Rg))),
        "labour": float(np.max(np.abs(st.F))),
    }


def wage_jacobian(st: IOState, sysm: IOSystem, *, tol: float = 1e-3) -> np.ndarray:
    """∂F/∂log ŵ (N x N), analytic: implicit differentiation through the cost and goods blocks.

    The two block solves with N right-hand sides use the state's block-Jacobi factorisations
    and stop at a relative accuracy ``tol`` (the Jacobian only steers the Newton steps).
    """
    N, th = sysm.N, sysm.theta[:, None, None]
    w = np.exp(st.lw)
    eye = np.eye(N)
    # 1. d log ĉ = (I − M)^(-1) γ_va d log ŵ, all N directions at once (region-major (N, J, R))
    rhs = np.ascontiguousarray(sysm.gamma_va.T)[:, :, None] * eye[:, None, :]
    dlc = _sm(_richardson(st.cost, rhs, tol=tol))  # (J, N, R)
    dlP = np.matmul(st.pi, dlc)  # (J, N, R)
    # 2. derivative of the goods-market operator through π' (X held)
    #    dY_π[k, n] = −θ_k [dlc[k, n] Y[k, n] − Σ_i Bt[k, n, i] X[k, i] dlP[k, i]]
    dY_pi = -th * (dlc * st.Y[:, :, None] - np.matmul(st.Bt, st.X[:, :, None] * dlP))
    #    dr[j, n] = −θ_j [Σ_i π'_nij τs_nij dlc[j, i] − r[j, n] dlP[j, n]]
    dr = -th * (np.matmul(st.pi * sysm.tshare, dlc) - st.r[:, :, None] * dlP)
    drev = (dr * st.X[:, :, None]).sum(axis=0)  # (N, R)
    rhs_x = np.matmul(sysm.gamma, _sm(dY_pi)) + np.ascontiguousarray(sysm.alpha.T)[:, :, None] * (
        drev[:, None, :] + (w * sysm.wL)[:, None, None] * eye[:, None, :]
    )
    dX = _sm(_richardson(st.goods, rhs_x, tol=tol))  # (J, N, R)
    dY = dY_pi + np.matmul(st.Bt, dX)
    Jm = (sysm.gamma_va[:, :, None] * dY).sum(axis=0) / sysm.wL[:, None]
    Jm -= np.diag(w)
    Jm[sysm.drop] = w * sysm.wL / sysm.wL.sum()
    return Jm


def _inner_tol(res: float, tol: float) -> float:
    """Accuracy of the inner blocks for the next outer step: 1e-3 of the outer residual, at most
    1e-6, and tight (1e-2 tol) near the answer so the returned state is exact to ``tol``."""
    return float(min(1e-6, max(1e-3 * min(res, 1.0), 1e-2 * tol, 1e-15)))


def solve(
    sysm: IOSystem,
    lw0: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
    contraction: float = 0.5,
    jac: np.ndarray | None = None,
    prev: IOState | None = None,
) -> tuple[IOState, SolverInfo, np.ndarray]:
    """Quasi-Newton on the labour-market residual in log ŵ; returns (state, SolverInfo, Jacobian).

    The Jacobian is the analytic one (:func:`wage_jacobian`), computed at the start (or taken
    from ``jac``) and then updated by Broyden's rank-one formula after every accepted step. A
    step is accepted when it shrinks the residual norm by ``contraction``; otherwise the analytic
    Jacobian is rebuilt at the current point and a backtracking line search is run along the
    Newton direction. Inner blocks are solved inexactly far from the answer (see
    :func:`_inner_tol`); the returned state is re-solved tightly and checked.

    ``jac`` and ``prev`` (an earlier Jacobian and state, e.g. of the baseline solve) make a nearby
    solve cheap. ``iterations`` counts the outer steps. Raises :class:`ConvergenceError` when the
    max-abs scaled residual is not below ``tol`` after ``max_iter`` steps, turns non-finite, or
    no step reduces it.
    """
    t0 = time.perf_counter()
    N = sysm.N
    lw = np.zeros(N) if lw0 is None else np.array(lw0, dtype=float)
    it = n_jac = 0
    res = float("inf")

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, iterations=it, residual=res, seconds=time.perf_counter() - t0, method=METHOD)

    try:
        st = evaluate(lw, sysm, prev, inner_tol=_inner_tol(1.0 if prev is None else 1e-3, tol))
    except (FloatingPointError, np.linalg.LinAlgError, ConvergenceError) as exc:
        raise fail(f"equilibrium blocks could not be evaluated at the start ({exc})") from None
    res = float(np.max(np.abs(st.F)))
    Jm = None if jac is None else np.array(jac, dtype=float)
    while True:
        if res < tol:
            if st.inner_tol <= 1e-2 * tol:
                break
            st = evaluate(lw, sysm, st, inner_tol=1e-2 * tol)  # polish the inner blocks at the answer
            res = float(np.max(np.abs(st.F)))
            continue
        if it >= max_iter:
            raise fail(f"GE-IO solve did not reach tolerance {tol:g} within max_iter={max_iter} steps")
        if not np.isfinite(res):
            raise fail("GE-IO residual is not finite")
        f0 = float(np.linalg.norm(st.F))
        itol = _inner_tol(res, tol)
        trial = None
        if Jm is not None:
            try:
                dx = np.linalg.solve(Jm, -st.F)
                cand = evaluate(lw + dx, sysm, st, inner_tol=itol)
                if float(np.linalg.norm(cand.F)) <= contraction * f0:
                    trial, step = cand, dx
            except (ConvergenceError, np.linalg.LinAlgError):
                trial = None
        if trial is None:
            try:
                Jm = wage_jacobian(st, sysm)
                dx = np.linalg.solve(Jm, -st.F)
            except (np.linalg.LinAlgError, ConvergenceError):
                raise fail("singular or non-finite wage Jacobian in the GE-IO Newton step") from None
            n_jac += 1
            if not np.all(np.isfinite(dx)):
                raise fail("non-finite Newton direction in the GE-IO solve")
            alpha = 1.0
            for _ in range(30):
                try:
                    cand = evaluate(lw + alpha * dx, sysm, st, inner_tol=itol)
                    if float(np.linalg.norm(cand.F)) <= (1.0 - 1e-4 * alpha) * f0:
                        trial, step = cand, alpha * dx
                        break
                except ConvergenceError:
                    pass
                alpha *= 0.5
            else:
                raise fail("line search failed: no step along the Newton direction reduces the GE-IO residual")
        # Broyden's update of the Jacobian with the accepted step
        assert Jm is not None  # set by the chord branch or the Newton branch above
        y = trial.F - st.F
        Jm = Jm + np.outer(y - Jm @ step, step) / float(step @ step)
        lw = lw + step
        st = trial
        it += 1
        res = float(np.max(np.abs(st.F)))
        log.debug("GE-IO step %d (%d Jacobians): max-abs residual %.3e", it, n_jac, res)
    checks = residuals(st, sysm)
    res = max(checks.values())
    if not res < max(tol, 1e-9):
        raise fail(f"GE-IO blocks not solved to tolerance: {checks}")
    info = SolverInfo(method=METHOD, converged=True, iterations=it, residual=res, seconds=time.perf_counter() - t0)
    return st, info, (Jm if Jm is not None else wage_jacobian(st, sysm))
