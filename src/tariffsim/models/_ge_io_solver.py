"""Equations, analytic derivatives and the structured Newton solver of the multi-sector GE model
with input-output linkages (Caliendo and Parro 2015; docs/models/ge_io.md).

Private module: :mod:`tariffsim.models.ge_io` builds an :class:`IOSystem` and calls :func:`solve`.

Layout. Arrays are sector-major so that every sum over trading partners is one batched matrix
product: ``pi0[j, n, i]`` is importer n's expenditure share on exporter i in sector j, ``c[j, n]``
the cost of n's input bundle in sector j, ``X[j, n]`` n's expenditure on sector j,
``gamma[n, k, j]`` the share of input k in the gross output of sector j in n. Sums over sectors
within a region use the region-major transpose (``[n, j]``).

The equilibrium (hats are counterfactual/baseline ratios; primes are counterfactual levels):

* prices: P̂_nj = [Σ_i π_nij (κ̂_nij ĉ_ij)^(−θ_j)]^(−1/θ_j), π'_nij = π_nij (κ̂_nij ĉ_ij / P̂_nj)^(−θ_j);
* costs: ĉ_nj = ŵ_n^(γ_nj) Π_k P̂_nk^(γ_nkj);
* goods markets: X'_nj = Σ_k γ_njk Y'_nk + α_nj I'_n with Y'_nk = Σ_i π'_ink X'_ik / (1+τ'_ink) and
  I'_n = ŵ_n w_nL_n + Σ_j Σ_i τ'_nij/(1+τ'_nij) π'_nij X'_nj + D_n;
* labour markets: ŵ_n w_nL_n = Σ_j γ_nj Y'_nj, one of them replaced by the numéraire
  Σ_n ŵ_n w_nL_n = Σ_n w_nL_n.

Solution method (exact block elimination, quasi-Newton outside):

1. Preconditioner. Both inner blocks are preconditioned by their exact within-country parts
   (31 dense 40 x 40 blocks, which hold the near-unit self-loops of the $1 placeholder sectors;
   only cross-border links are left to iterate). The two blocks share one factorisation: with
   d_n the domestic shares, K_n = (I − Γ_n diag d_n)^(-1) is the goods block (the tariff-revenue
   term α_n r_nᵀ is added exactly by the Sherman-Morrison formula, so it is never stale) and the
   cost block's inverse follows by the push-through identity
   (I − Γ_nᵀ diag d_n)^(-1) = I + Γ_nᵀ K_nᵀ diag d_n. The factorisation is made once per solve
   (or inherited from an earlier, nearby solve), kept in single precision, and kept while the
   shares move: every iteration below evaluates the exact operator in double precision and only
   uses the preconditioner to correct (iterative refinement), so a stale or rounded
   preconditioner slows the iteration but never changes the answer.
2. Inner blocks, given log ŵ: the cost block log ĉ = γ log ŵ + Γᵀ log P̂(ĉ) by the preconditioned
   nonlinear iteration log ĉ ← log ĉ − P_c R_c, and the goods-market block, which is *linear* in
   the expenditures X' given costs and wages, by X' ← X' + P_g R_g. Both are swept together
   (costs do not depend on expenditures, so the joint sweep is block-triangular), each sweep
   needing only the price indices: shares, gross output and tariff revenue come from products
   of a0 = π κ̂^(−θ) with ĉ^(−θ) and P̂^θ, never from a share matrix. Expenditures are never
   unknowns of the Newton method, so their ten orders of magnitude do not enter its conditioning.
3. The N labour-market residuals (scaled by each region's baseline labour income) are driven to
   zero by a quasi-Newton method in log ŵ. The N x N Jacobian is analytic: implicit
   differentiation through both inner blocks with N right-hand sides at once (no finite
   differences), by splitting iterations on the same within-country factorisation, in single
   precision and to 10 % (it only steers the steps; the quasi-Newton steps converge just as fast
   as with an exact one on the Caliendo-Parro data). The same solves give the sensitivities
   ∂log ĉ/∂log ŵ and ∂X'/∂log ŵ, which predict the inner blocks' answer after each wage step, so
   the inner sweeps start within second-order distance of it. Steps update the Jacobian by
   Broyden's rank-one formula; it is rebuilt at the new point when a step from a fresh Jacobian
   shrank the residual norm by less than :data:`CONTRACTION_FRESH` (the first steps of a cold
   start, where the 65 trade elasticity of petroleum makes the wage Jacobian move a lot) or a
   Broyden step by less than ``contraction``, and along a fresh Newton direction a
   backtracking line search keeps every step descending.

Inner blocks are solved inexactly far from the answer (to 1e-4 of the outer residual, at most 1e-3) and tightly
at the end (1e-2 of the tolerance). The answer is returned only when the max-abs scaled residual
of all three blocks, evaluated in double precision at the returned values, is below the
tolerance; otherwise :class:`~tariffsim.errors.ConvergenceError` carries the facts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..errors import ConvergenceError
from ..solvers import SolverInfo, lapack

__all__ = [
    "IOSystem",
    "IOState",
    "METHOD",
    "make_system",
    "prices",
    "evaluate",
    "wage_jacobian",
    "residuals",
    "solve",
]

log = logging.getLogger(__name__)

METHOD = "broyden-analytic-wage-jacobian/block-preconditioned-inner"

#: Sweeps allowed for one inner solve (a healthy solve needs 5-20).
INNER_MAX = 500
#: An inner sweep that shrinks the residual by less than this factor triggers a refactorisation
#: of the (stale) preconditioner at the current point.
STALL = 0.7
#: Sweeps after a factorisation during which the preconditioner counts as fresh (not refactorised).
FRESH = 3
#: Inner accuracy relative to the outer residual, and its cap (see :func:`_inner_tol`).
ITOL_REL = 1e-4
ITOL_CAP = 1e-3
#: Largest inner accuracy relative to the outer residual it perturbs; a state evaluated more loosely
#: (after a step that contracted by more than ITOL_RES / ITOL_REL) is re-evaluated before the next step.
ITOL_RES = 0.1
#: Relative accuracy of the derivative solves behind the analytic wage Jacobian.
JAC_TOL = 0.1
#: The Jacobian is rebuilt at the new point when a Broyden step shrank the residual norm by less
#: than this (the ``contraction`` argument of :func:`solve`) ...
CONTRACTION = 0.5
#: ... or a step from a freshly built Jacobian by less than this.
CONTRACTION_FRESH = 0.2


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
    # derived (make_system)
    th: np.ndarray  # (J, 1) theta as a column
    a0_inv1t: np.ndarray  # (J, N, N) a0 / (1+τ'): sales net of tariffs, π' = a0 ĉ_i^(−θ) P̂_n^θ
    a0_dom: np.ndarray  # (J, N) a0[j, n, n]
    dom_inv1t: np.ndarray | None  # (J, N) 1/(1+τ'_nnj); None when domestic sales are untaxed
    gva_rm: np.ndarray  # (N, J) gamma_va region-major
    alpha_rm: np.ndarray  # (N, J) alpha region-major


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
    theta = np.asarray(theta, dtype=float)
    # a0 = π κ̂^(−θ), κ̂ = (1+τ')/(1+τ) d̂; the power only where the policy changes (a handful of cells)
    a0 = np.array(pi0, dtype=float)
    j, n, i = np.nonzero((tau1 != tau0) | (d_hat != 1.0))
    if j.size:
        kappa = (1.0 + tau1[j, n, i]) / (1.0 + tau0[j, n, i]) * d_hat[j, n, i]
        a0[j, n, i] = np.where(a0[j, n, i] > 0, a0[j, n, i] * kappa ** (-theta[j]), 0.0)
    inv1t = 1.0 / (1.0 + tau1)
    tshare = tau1 * inv1t
    dom_inv1t = np.ascontiguousarray(np.einsum("jnn->jn", inv1t))
    gamma_va = np.ascontiguousarray(gamma_va, dtype=float)
    alpha = np.ascontiguousarray(alpha, dtype=float)
    return IOSystem(
        N=N,
        J=J,
        theta=theta,
        a0=a0,
        inv1t=np.ascontiguousarray(inv1t),
        tshare=np.ascontiguousarray(tshare),
        gamma=np.ascontiguousarray(gamma, dtype=float),
        gamma_t=np.ascontiguousarray(np.transpose(gamma, (0, 2, 1)), dtype=float),
        gamma_va=gamma_va,
        alpha=alpha,
        wL=np.asarray(wL, dtype=float),
        D=np.asarray(D, dtype=float),
        drop=N - 1 if drop is None else int(drop),
        th=np.ascontiguousarray(theta[:, None]),
        a0_inv1t=a0 * inv1t,
        a0_dom=np.ascontiguousarray(np.einsum("jnn->jn", a0)),
        dom_inv1t=None if np.all(dom_inv1t == 1.0) else dom_inv1t,
        gva_rm=np.ascontiguousarray(gamma_va.T),
        alpha_rm=np.ascontiguousarray(alpha.T),
    )


def _log_prices(lc: np.ndarray, sysm: IOSystem) -> tuple[np.ndarray, np.ndarray]:
    """(log P̂[j, n], e[j, i] = ĉ_ij^(−θ_j)) at log costs ``lc[j, i]``."""
    e = np.exp(-sysm.th * lc)
    S = np.matmul(sysm.a0, e[:, :, None])[:, :, 0]
    return np.log(S) / -sysm.th, e


def prices(lc: np.ndarray, sysm: IOSystem) -> tuple[np.ndarray, np.ndarray]:
    """(log P̂[j, n], π'[j, n, i]) at log costs ``lc[j, i]``."""
    lP, e = _log_prices(lc, sysm)
    return lP, _shares(e, np.exp(sysm.th * lP), sysm)


def _shares(e: np.ndarray, Pth: np.ndarray, sysm: IOSystem) -> np.ndarray:
    """π'[j, n, i] = a0[j, n, i] ĉ_ij^(−θ_j) P̂_nj^(θ_j)."""
    pi = sysm.a0 * e[:, None, :]
    pi *= Pth[:, :, None]
    return pi


@dataclass(frozen=True, eq=False)
class _Precond:
    """Within-country block inverses (region-major (N, J, J)) factorised at some point's shares.

    Pc = (I − Γᵀ diag d)^(-1) for the cost block and K = (I − Γ diag d_g)^(-1) for the goods block
    without its revenue term (added by Sherman-Morrison, :class:`_GoodsPrecond`); d = π'_nn and
    d_g = π'_nn/(1+τ'_nn) at factorisation (``d``, ``dg``: (J, N)). PcGt = Pc Γᵀ and KG = K Γ serve
    the splitting iterations of the derivative solves. The solver factorises in single
    precision (:func:`_precond`; the derivative solves refactorise in double precision when they
    need more than 1e-5 accuracy): the matrices only precondition iterations
    whose residuals are evaluated in double precision (iterative refinement), so the answer
    keeps full accuracy.
    """

    Pc: np.ndarray  # float32
    K: np.ndarray  # float32
    d: np.ndarray
    dg: np.ndarray
    PcGt: np.ndarray  # float32
    KG: np.ndarray  # float32
    g: np.ndarray  # Γ in the same precision


def _pc_apply(P: np.ndarray, v: np.ndarray) -> np.ndarray:
    """P (float32, (N, J, J)) times region-major v (N, J) -> (N, J) float64."""
    return np.matmul(P, v.astype(np.float32)[:, :, None])[:, :, 0].astype(float)


def _inv(A: np.ndarray) -> np.ndarray:
    """Inverses of a stack of small square matrices (LAPACK getrf/getri per block, cheaper than
    numpy's batched inverse for 40 x 40 blocks); ConvergenceError when a block is singular."""
    out = np.empty_like(A)
    prefix = "s" if A.dtype == np.float32 else "d"
    getrf, getri = lapack(prefix + "getrf"), lapack(prefix + "getri")
    for k in range(A.shape[0]):
        lu, piv, info = getrf(A[k])
        if info == 0:
            out[k], info = getri(lu, piv, overwrite_lu=1)
        if info != 0:
            raise ConvergenceError(
                "singular within-country block of the input-output system", iterations=0, residual=np.inf, method=METHOD
            )
    if not np.all(np.isfinite(out)):
        raise ConvergenceError("non-finite within-country block inverse", iterations=0, residual=np.inf, method=METHOD)
    return out


def _precond(e: np.ndarray, Pth: np.ndarray, sysm: IOSystem) -> _Precond:
    """Factorise the within-country blocks at the shares of (e, Pth) (one batched inverse)."""
    return _factor(sysm.a0_dom * e * Pth, sysm, np.float32)


def _factor(d: np.ndarray, sysm: IOSystem, ft: type[np.floating]) -> _Precond:
    """Within-country block inverses at domestic shares d (J, N), stored in precision ``ft``."""
    dT = np.ascontiguousarray(d.T).astype(ft)
    eye = np.eye(sysm.J, dtype=ft)[None]
    g4: np.ndarray = sysm.gamma.astype(ft)
    gt4: np.ndarray = sysm.gamma_t.astype(ft)
    K: np.ndarray
    if sysm.dom_inv1t is None:
        dg = d
        K = _inv(eye - g4 * dT[:, None, :])
        KG = np.matmul(K, g4)
        # push-through identity: (I − Γᵀ diag d)^(-1) = I + Γᵀ Kᵀ diag d = I + (diag d K Γ)ᵀ
        Pc = np.ascontiguousarray(np.transpose(dT[:, :, None] * KG, (0, 2, 1)))
        Pc += eye
    else:  # taxed domestic sales: the two blocks differ, factorise both
        dg = d * sysm.dom_inv1t
        K = _inv(eye - g4 * np.ascontiguousarray(dg.T).astype(ft)[:, None, :])
        KG = np.matmul(K, g4)
        Pc = _inv(eye - gt4 * dT[:, None, :])
    return _Precond(Pc=Pc, K=K, d=d, dg=dg, PcGt=np.matmul(Pc, gt4), KG=KG, g=g4)


@dataclass(frozen=True, eq=False)
class _GoodsPrecond:
    """(I − Γ diag d_g − α rᵀ)^(-1) = K + (Kα)(rᵀK)/(1 − rᵀKα), region by region, at the current r."""

    K: np.ndarray  # (N, J, J) float32
    Ka: np.ndarray  # (N, J, 1) Kα / (1 − rᵀKα)
    r: np.ndarray  # (N, 1, J) revenue shares r_n

    def apply(self, v: np.ndarray) -> np.ndarray:
        """Region-major v (N, J) -> (N, J) float64."""
        Kv = _pc_apply(self.K, v)
        Kv += self.Ka[:, :, 0] * np.matmul(self.r, Kv[:, :, None])[:, :, 0]
        return Kv


def _goods_precond(pc: _Precond, r: np.ndarray, sysm: IOSystem) -> _GoodsPrecond:
    Ka = _pc_apply(pc.K, sysm.alpha_rm)[:, :, None]  # (N, J, 1)
    rr = np.ascontiguousarray(r.T)[:, None, :]
    return _GoodsPrecond(K=pc.K, Ka=Ka / (1.0 - np.matmul(rr, Ka)), r=rr)


@dataclass(frozen=True, eq=False)
class IOState:
    """Endogenous values at one wage vector (levels in the data's units; hats are ratios).

    ``pi`` is filled in the state :func:`solve` returns (intermediate states leave it None; see
    :func:`shares`).
    """

    lw: np.ndarray  # (N,) log ŵ
    lc: np.ndarray  # (J, N) log ĉ
    lP: np.ndarray  # (J, N) log P̂
    e: np.ndarray  # (J, N) ĉ^(−θ)
    Pth: np.ndarray  # (J, N) P̂^θ
    X: np.ndarray  # (J, N) expenditure X'
    Y: np.ndarray  # (J, N) gross output Y'
    I: np.ndarray  # (N,) income I'  # noqa: E741
    r: np.ndarray  # (J, N) tariff-revenue share of expenditure
    pc: _Precond  # within-country factorisation in use
    gp: _GoodsPrecond  # goods-block preconditioner at this state's revenue shares
    F: np.ndarray  # (N,) scaled labour-market residual, numéraire in row ``drop``
    walras: float  # scaled residual of the dropped labour-market equation
    inner_tol: float  # accuracy the cost and goods blocks were solved to
    sweeps: int  # inner sweeps (cost + goods) spent on this state
    pi: np.ndarray | None = None  # (J, N, N) π'
    inner_res: tuple[float, float] = (np.inf, np.inf)  # exact max-abs cost and goods residuals at this state
    checks: dict | None = None  # block residuals of the state solve() returns


def shares(st: IOState, sysm: IOSystem) -> np.ndarray:
    """π'[j, n, i] at a state."""
    return st.pi if st.pi is not None else _shares(st.e, st.Pth, sysm)


def evaluate(
    lw: np.ndarray,
    sysm: IOSystem,
    prev: IOState | None = None,
    inner_tol: float = 1e-13,
    *,
    lc0: np.ndarray | None = None,
    X0: np.ndarray | None = None,
    max_iter: int = INNER_MAX,
) -> IOState:
    """Solve the cost and expenditure blocks at log ŵ = ``lw``; labour-market residual.

    Both blocks are iterated together (module doc, steps 2 and 3: the cost block does not depend
    on expenditures, so the joint sweep is block-triangular and converges at the slower of the
    two rates) until the cost residual (log units) and the goods residual (share of each region's
    expenditure) are below ``inner_tol``. ``prev`` (a nearby state) supplies the
    preconditioner and, unless ``lc0``/``X0`` are given (predicted values), the starting costs
    and expenditures. A kept preconditioner is refactorised at the current point when a sweep
    shrinks the residuals by less than :data:`STALL`.
    """
    pc = None if prev is None else prev.pc
    lc = (np.zeros((sysm.J, sysm.N)) if prev is None else prev.lc.copy()) if lc0 is None else np.array(lc0, dtype=float)
    X = (None if prev is None else prev.X.copy()) if X0 is None else np.array(X0, dtype=float)
    tol_c = tol_g = inner_tol
    base = sysm.gva_rm * lw[:, None]  # (N, J)
    w = np.exp(lw)
    wwL = w * sysm.wL
    b_rm = sysm.alpha_rm * (wwL + sysm.D)[:, None]
    gamma, alpha_rm, a0t, th = sysm.gamma, sysm.alpha_rm, sysm.a0_inv1t, sysm.th
    scale = None  # each region's total expenditure at the start: the goods residual's unit
    gp = None if prev is None else prev.gp
    prev_q = np.inf
    phase = 0  # 0: cost residual above its tolerance (progress measured on it), 1: goods residual only
    slow = 0  # consecutive sweeps that shrank the measured residual by less than STALL
    age = FRESH if pc is not None else 0  # sweeps since the preconditioner was factorised
    for it in range(max_iter + 1):
        # cost block residual (log units, region-major)
        e = np.exp(-th * lc)
        S = np.matmul(sysm.a0, e[:, :, None])[:, :, 0]
        lP = np.log(S) / -th
        Rc = lc.T - base
        Rc -= np.matmul(lP.T[:, None, :], gamma)[:, 0, :]  # Σ_k γ_nkj log P̂_nk
        Pth = 1.0 / S  # P̂^θ
        # revenue share r = Σ_i π' τ'/(1+τ') = 1 − Σ_i π'/(1+τ') (one share array less in the loop)
        r = np.matmul(a0t, e[:, :, None])[:, :, 0]
        r *= -Pth
        r += 1.0
        if pc is None:
            pc = _precond(e, Pth, sysm)
        if gp is None:
            gp = _goods_precond(pc, r, sysm)
        if X is None:
            X = np.ascontiguousarray(gp.apply(b_rm).T)
        if scale is None:
            scale = np.maximum(np.abs(X).sum(axis=0), 1e-300)
        # goods block residual: Y[k, n] = Σ_i π'_ink X_ik/(1+τ'_ink) = e[k, n] Σ_i a0t[k, i, n] P̂_ik^θ X_ik
        Y = np.matmul((Pth * X)[:, None, :], a0t)[:, 0, :]
        Y *= e
        Rg = b_rm - X.T
        Rg += np.matmul(gamma, Y.T[:, :, None])[:, :, 0]
        rX = (r * X).sum(axis=0)
        Rg += alpha_rm * rX[:, None]
        res_c = float(np.abs(Rc).max())
        res_g = float((np.abs(Rg).max(axis=1) / scale).max())
        if res_c < tol_c and res_g < tol_g:
            res_g = float((np.abs(Rg).max(axis=1) / np.abs(X).sum(axis=0)).max())  # in the returned units
            if res_g < tol_g:
                break
        if not (np.isfinite(res_c) and np.isfinite(res_g)):
            raise ConvergenceError("inner blocks are not finite", iterations=it, residual=np.inf, method=METHOD)
        # progress: on the cost residual while it is above tolerance (the goods target moves with
        # costs), then on the goods residual
        if phase == 0 and res_c < tol_c:
            phase, prev_q, slow = 1, np.inf, 0
        q = res_c if phase == 0 else res_g
        slow = slow + 1 if not q <= STALL * prev_q else 0
        if slow >= 2 and age >= FRESH:  # a kept preconditioner is too far off: refactorise here
            pc = _precond(e, Pth, sysm)
            gp = _goods_precond(pc, r, sysm)
            age = slow = 0
        elif slow >= 2 and not q < prev_q:
            raise ConvergenceError(
                "inner blocks do not contract with a fresh preconditioner",
                iterations=it,
                residual=max(res_c, res_g),
                method=METHOD,
            )
        age += 1
        prev_q = q
        lc -= _pc_apply(pc.Pc, Rc).T
        X += gp.apply(Rg).T
    else:
        raise ConvergenceError(
            "inner blocks did not converge", iterations=max_iter, residual=max(res_c, res_g), method=METHOD
        )
    income = wwL + sysm.D + rX
    F = ((sysm.gamma_va * Y).sum(axis=0) - wwL) / sysm.wL
    walras = float(F[sysm.drop])
    F[sysm.drop] = (w @ sysm.wL - sysm.wL.sum()) / sysm.wL.sum()
    gp = _goods_precond(pc, r, sysm)
    return IOState(lw, lc, lP, e, Pth, X, Y, income, r, pc, gp, F, walras, inner_tol, it, inner_res=(res_c, res_g))


def residuals(st: IOState, sysm: IOSystem) -> dict[str, float]:
    """Max-abs scaled residuals of the three blocks at a state (for reporting and checks).

    cost: |log ĉ − γ log ŵ − Γᵀ log P̂|; goods: |X' − Σ γ Y' − α I'| over each region's total
    expenditure; labour: |Σ γ Y' − ŵ wL| / wL (numéraire row included). Everything is recomputed
    from (log ŵ, log ĉ, X') alone, with the share matrix built explicitly.
    """
    lP, pi = prices(st.lc, sysm)
    Rc = st.lc - sysm.gamma_va * st.lw[None, :] - np.einsum("njk,kn->jn", sysm.gamma_t, lP)
    Y = np.einsum("jin,jin,ji->jn", pi, sysm.inv1t, st.X)
    r = np.einsum("jni,jni->jn", pi, sysm.tshare)
    w = np.exp(st.lw)
    income = w * sysm.wL + sysm.D + (r * st.X).sum(axis=0)
    Rg = st.X - np.einsum("njk,kn->jn", sysm.gamma, Y) - sysm.alpha * income[None, :]
    Rg = Rg / st.X.sum(axis=0)[None, :]
    F = ((sysm.gamma_va * Y).sum(axis=0) - w * sysm.wL) / sysm.wL
    F[sysm.drop] = (w @ sysm.wL - sysm.wL.sum()) / sysm.wL.sum()
    return {
        "cost": float(np.max(np.abs(Rc))),
        "goods": float(np.max(np.abs(Rg))),
        "labour": float(np.max(np.abs(F))),
    }


@dataclass(frozen=True, eq=False)
class _Sensitivities:
    """∂F/∂log ŵ (N x N) and the inner blocks' derivatives B = ∂log ĉ/∂log ŵ, E = ∂X'/∂log ŵ ((J, N, N),
    in the precision they were computed in; they only predict starting values)."""

    jac: np.ndarray
    B: np.ndarray
    E: np.ndarray


def _split_solve(
    first: np.ndarray,
    apply_off: Callable[[np.ndarray], np.ndarray],
    tol: float,
    what: str,
    x0: np.ndarray | None = None,
    sweeps: int | None = None,
) -> np.ndarray:
    """x = first + T x by the splitting iteration x ← first + T x, x region-major (N, J, R);
    ``apply_off`` is T (the preconditioned cross-border part). Starts from ``x0`` (default
    ``first``) and stops when the step is below ``tol`` times max |x|, or after ``sweeps`` sweeps."""
    x = first if x0 is None else x0
    prev = np.inf
    for it in range(INNER_MAX):
        if sweeps is not None and it >= sweeps:
            return x
        new = apply_off(x)
        new += first
        change = float(np.abs(new - x).max()) / max(float(np.abs(new).max()), 1e-300)
        x = new
        if change < tol:
            return x
        if not np.isfinite(change) or (it > 2 and not change < prev):
            raise ConvergenceError(f"{what}: linear iteration stalls", iterations=it, residual=change, method=METHOD)
        prev = change
    raise ConvergenceError(
        f"{what}: linear iteration did not converge", iterations=INNER_MAX, residual=prev, method=METHOD
    )


def _sensitivities(
    st: IOState, sysm: IOSystem, *, tol: float = 1e-3, warm: _Sensitivities | None = None, sweeps: int | None = None
) -> _Sensitivities:
    """Implicit differentiation through the cost and goods blocks, N directions at once.

    Both linear solves use the exact splitting x = P b + P (A − A_dom⁰) x with the state's
    within-country factorisation P (A_dom⁰: the within-country part at factorisation), so they
    are exact for a stale factorisation too. ``warm`` (earlier sensitivities) starts them. For
    ``tol`` >= 1e-5 the products run in single precision (the Jacobian only steers the Newton
    steps; every residual is evaluated in double precision).
    """
    N = sysm.N
    ft = np.float32 if tol >= 1e-5 else np.float64
    th = sysm.th[:, :, None].astype(ft)
    w = np.exp(st.lw)
    eye = np.eye(N, dtype=ft)
    pc, gp = st.pc, st.gp
    Ka, rr = gp.Ka, gp.r
    if ft is np.float64:  # exact splitting needs the exact block inverses: refactorise in double precision
        pc = _factor(pc.d, sysm, np.float64)
        Ka = np.matmul(pc.K, sysm.alpha_rm[:, :, None])
        Ka /= 1.0 - np.matmul(rr, Ka)
    X, Y = st.X.astype(ft), st.Y.astype(ft)
    pi = shares(st, sysm)
    diag = np.arange(N)
    pi32: np.ndarray = pi.astype(ft)
    # 1. (I − M) B = diag(γ_va), M v = Γᵀ (π' v): B = Pc rhs + Pc Γᵀ (π' − d⁰) B
    C = pi32.copy()
    C[:, diag, diag] -= pc.d
    PcGt = pc.PcGt.astype(ft, copy=False)
    first = np.zeros((N, sysm.J, N), dtype=ft)
    first[diag, :, diag] = np.matmul(pc.Pc, sysm.gva_rm.astype(ft)[:, :, None])[:, :, 0]

    def cost_off(v: np.ndarray) -> np.ndarray:
        return np.matmul(PcGt, np.matmul(C, v.transpose(1, 0, 2)).transpose(1, 0, 2))

    B0 = None if warm is None else warm.B.transpose(1, 0, 2).astype(ft)
    B = _split_solve(first, cost_off, tol, "cost derivative", B0, sweeps).transpose(1, 0, 2)  # (J, N, R) view
    dlP = np.matmul(pi32, B)  # (J, N, R)
    # 2. derivative of the goods-market operator through π' (X held); Bt[k, n, i] = π'_ink/(1+τ'_ink)
    #    dY_π[k, n] = −θ_k [B[k, n] Y[k, n] − Σ_i Bt[k, n, i] X[k, i] dlP[k, i]]
    pit = (pi * sysm.inv1t).astype(ft)
    Bt = pit.transpose(0, 2, 1)
    dY_pi = np.matmul(Bt, X[:, :, None] * dlP)
    dY_pi -= B * Y[:, :, None]
    dY_pi *= th
    #    dr[j, n] = −θ_j Σ_i ∂π'_nij τs_nij = −θ_j [(1 − r) dlP − Σ_i π'_nij/(1+τ'_nij) B[j, i]] (τs = 1 − 1/(1+τ'))
    dr = np.matmul(pit, B)
    dr -= (1.0 - st.r).astype(ft)[:, :, None] * dlP
    drev = np.einsum("jnr,jn->nr", dr, X * sysm.th.astype(ft))  # (N, R) = Σ_j X dr
    # 3. (I − A) E = rhs_x, A v = Γ Bt v + α rᵀ v: E = Pg rhs_x + Pg Γ (Bt − d_g⁰) E
    rhs_x = np.matmul(pc.g, dY_pi.transpose(1, 0, 2))
    drev += (w * sysm.wL).astype(ft)[:, None] * eye
    rhs_x += sysm.alpha_rm.astype(ft)[:, :, None] * drev[:, None, :]
    Bo = np.ascontiguousarray(Bt)
    Bo[:, diag, diag] -= pc.dg
    KG, K = pc.KG.astype(ft, copy=False), pc.K.astype(ft, copy=False)
    Ka, rr = Ka.astype(ft), rr.astype(ft)

    def goods_precond(v: np.ndarray) -> np.ndarray:
        v += Ka * np.matmul(rr, v)
        return v

    def goods_off(v: np.ndarray) -> np.ndarray:
        return goods_precond(np.matmul(KG, np.matmul(Bo, v.transpose(1, 0, 2)).transpose(1, 0, 2)))

    E0 = None if warm is None else warm.E.transpose(1, 0, 2).astype(ft)
    E = _split_solve(goods_precond(np.matmul(K, rhs_x)), goods_off, tol, "goods derivative", E0, sweeps)
    E = E.transpose(1, 0, 2)
    dY = dY_pi
    dY += np.matmul(Bt, E)
    Jm = np.einsum("jn,jnr->nr", sysm.gamma_va.astype(ft), dY).astype(float) / sysm.wL[:, None]
    Jm -= np.diag(w)
    Jm[sysm.drop] = w * sysm.wL / sysm.wL.sum()
    return _Sensitivities(jac=Jm, B=B, E=E)


def wage_jacobian(st: IOState, sysm: IOSystem, *, tol: float = 1e-3) -> np.ndarray:
    """∂F/∂log ŵ (N x N), analytic: implicit differentiation through the cost and goods blocks.

    The two block solves with N right-hand sides use the state's preconditioners and stop at a
    relative accuracy ``tol`` (the Jacobian only steers the Newton steps).
    """
    return _sensitivities(st, sysm, tol=tol).jac


def _inner_tol(res: float, tol: float) -> float:
    """Accuracy of the inner blocks for the next outer step: :data:`ITOL_REL` of the outer
    residual, at most :data:`ITOL_CAP`, and tight (1e-2 tol) near the answer so the returned
    state is exact to ``tol``."""
    return float(min(ITOL_CAP, max(ITOL_REL * min(res, 1.0), 1e-2 * tol, 1e-15)))


def solve(
    sysm: IOSystem,
    lw0: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
    contraction: float | None = None,
    jac: np.ndarray | None = None,
    prev: IOState | None = None,
    X0: np.ndarray | None = None,
) -> tuple[IOState, SolverInfo, np.ndarray | None]:
    """Quasi-Newton on the labour-market residual in log ŵ; returns (state, SolverInfo, Jacobian).

    The Jacobian is the analytic one (:func:`wage_jacobian`), computed at the start (or taken
    from ``jac``) and then updated by Broyden's rank-one formula after every kept step. A step is
    kept when it reduces the residual norm; the analytic Jacobian is rebuilt at the new point
    when the step contracted by less than ``contraction`` (default :data:`CONTRACTION`; after a
    step from a fresh Jacobian, :data:`CONTRACTION_FRESH`). A quasi-Newton step that does not
    reduce the residual is discarded and retried from a fresh Jacobian, with a backtracking line
    search along its Newton direction. Inner blocks are solved inexactly far from the answer (see
    :func:`_inner_tol`) and started from their first-order prediction; the returned state is
    solved tightly and its residuals checked.

    ``jac`` and ``prev`` (an earlier Jacobian and state, e.g. of the baseline solve) make a nearby
    solve cheap; without ``prev``, ``X0`` (J, N) starts the expenditures (e.g. the data's: then a
    solve of data that are an equilibrium at unchanged tariffs ends at its first evaluation). The
    returned Jacobian is None when no step was taken (a later solve started from this one builds
    it where it needs it). ``iterations`` counts the outer steps. Raises :class:`ConvergenceError` when the
    max-abs scaled residual is not below ``tol`` after ``max_iter`` steps, turns non-finite, or
    no step reduces it.
    """
    t0 = time.perf_counter()
    if contraction is None:
        contraction = CONTRACTION
    N = sysm.N
    lw = np.zeros(N) if lw0 is None else np.array(lw0, dtype=float)
    it = n_jac = 0
    res = float("inf")

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, iterations=it, residual=res, seconds=time.perf_counter() - t0, method=METHOD)

    try:
        # a start without a Jacobian took no step (it is its data, not a nearby solution): solve the
        # inner blocks loosely first, as from a cold start
        near = prev is not None and jac is not None
        st = evaluate(lw, sysm, prev, inner_tol=_inner_tol(1e-3 if near else 1.0, tol), X0=None if prev else X0)
    except (FloatingPointError, np.linalg.LinAlgError, ConvergenceError) as exc:
        raise fail(f"equilibrium blocks could not be evaluated at the start ({exc})") from None
    res = float(np.max(np.abs(st.F)))
    Jm = None if jac is None else np.array(jac, dtype=float)
    sens: _Sensitivities | None = None  # B, E for the predictions (from the last analytic Jacobian)

    def predicted(step: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        if sens is None:
            return None, None
        s = step.astype(sens.B.dtype)
        return st.lc + np.matmul(sens.B, s), st.X + np.matmul(sens.E, s)

    need_jac = Jm is None  # build the analytic Jacobian at the current point before the next step
    fresh = False  # Jm is the analytic Jacobian at the current point (no Broyden update since)
    while True:
        # the inner error must stay well below the residual it perturbs (a step that contracted by more
        # than 1/ITOL_REL was evaluated too loosely to steer the next one): tighten it here
        if st.inner_tol > max(ITOL_RES * res, 1e-2 * tol):
            st = evaluate(lw, sysm, st, inner_tol=_inner_tol(res, tol))
            res = float(np.max(np.abs(st.F)))
            continue
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
        if need_jac:
            try:
                sens = _sensitivities(st, sysm, tol=JAC_TOL, warm=sens)
            except ConvergenceError:
                raise fail("the derivative solves behind the wage Jacobian did not converge") from None
            Jm, need_jac, fresh = sens.jac, False, True
            n_jac += 1
        assert Jm is not None
        f0 = float(np.linalg.norm(st.F))
        itol = _inner_tol(res, tol)
        try:
            dx = np.linalg.solve(Jm, -st.F)
        except np.linalg.LinAlgError:
            dx = np.full(N, np.nan)
        if not np.all(np.isfinite(dx)):
            if fresh:
                raise fail("singular or non-finite wage Jacobian in the GE-IO Newton step")
            need_jac = True
            continue
        trial = None
        alpha = 1.0
        for _ in range(30 if fresh else 1):  # backtracking only along a fresh Newton direction
            try:
                lc0, X0 = predicted(alpha * dx)
                cand = evaluate(lw + alpha * dx, sysm, st, inner_tol=itol, lc0=lc0, X0=X0)
                if float(np.linalg.norm(cand.F)) <= (1.0 - 1e-4 * alpha) * f0:
                    trial, step = cand, alpha * dx
                    break
            except ConvergenceError:
                pass
            alpha *= 0.5
        if trial is None:
            if fresh:
                raise fail("line search failed: no step along the Newton direction reduces the GE-IO residual")
            need_jac = True  # the quasi-Newton model is off: rebuild it here and retry
            continue
        # keep the step; Broyden's update of the Jacobian with it; a fresh analytic Jacobian at the
        # new point when the step contracted too little
        ratio = float(np.linalg.norm(trial.F)) / f0
        y = trial.F - st.F
        Jm = Jm + np.outer(y - Jm @ step, step) / float(step @ step)
        need_jac, fresh = ratio > (CONTRACTION_FRESH if fresh else contraction), False
        lw = lw + step
        st = trial
        it += 1
        res = float(np.max(np.abs(st.F)))
        log.debug("GE-IO step %d (%d Jacobians): max-abs residual %.3e", it, n_jac, res)
    # the blocks' residuals at the returned (log ŵ, log ĉ, X'), as evaluated after the last sweep
    checks = {"cost": st.inner_res[0], "goods": st.inner_res[1], "labour": float(np.max(np.abs(st.F)))}
    st = replace(st, pi=shares(st, sysm), checks=checks)
    res = max(checks.values())
    if not res < max(tol, 1e-9):
        raise fail(f"GE-IO blocks not solved to tolerance: {checks}")
    info = SolverInfo(method=METHOD, converged=True, iterations=it, residual=res, seconds=time.perf_counter() - t0)
    return st, info, Jm
