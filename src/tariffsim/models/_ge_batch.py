"""The GE model's Newton–Broyden iteration for many cases at once (parameter draws, elasticity sets,
tariff rates on one baseline): the cases as a leading array axis.

Private module: :func:`tariffsim.models.ge.solve_ge_batch` builds the cases' systems with a leading
case axis (:class:`BatchSystem`) and calls :func:`newton_solve_batch`.

The equations, the analytic Jacobian and the algorithm are those of
:mod:`tariffsim.models._ge_solver` (docs/models/ge.md), with every array given a leading case axis:
a case is never coupled to another (its Jacobian is its own block of a block-diagonal system), and
each case takes the steps the one-case solver takes: the same quasi-Newton direction from the
factorisation of its last exact Jacobian with Broyden's updates of the inverse, the same
contraction test, the same line search on a fresh Jacobian and the same stopping rule. The linear
algebra differs: the 3N x 3N Jacobian of each case is inverted densely (one batched
``numpy.linalg.inv``) instead of factorising its 2N Schur complement, so directions agree with the
one-case solver's to rounding and so do the solutions (tested to 1e-10 against the per-case loop).
Dense 3N x 3N blocks suit small systems (the shipped datasets' ten regions); for large ones the
caller solves case by case (:data:`DENSE_LIMIT`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from ..errors import ConvergenceError
from ..solvers import SolverInfo
from ._ge_solver import METHOD

__all__ = [
    "BatchSystem",
    "BatchState",
    "build",
    "evaluate",
    "jacobian",
    "newton_solve_batch",
    "DENSE_LIMIT",
    "SOLUTION_FIELDS",
]

log = logging.getLogger(__name__)

#: Largest number of countries solved as dense batched blocks (3N unknowns each); above it one
#: case at a time is faster (the one-case solver factorises a 2N Schur complement only).
DENSE_LIMIT = 40


@dataclass(frozen=True, eq=False)
class BatchSystem:
    """The :class:`~tariffsim.models._ge_solver.GESystem` of D cases on one baseline: (D, N, N)
    shock matrices, (D, N) or (D,) parameters, the baseline's (N,) vectors shared. ``base_at`` is
    the full (D, N, N) revenue matrix (zero in the columns of importers without tariffs)."""

    n: int
    base_a: np.ndarray
    base_am: np.ndarray
    base_at: np.ndarray
    E: np.ndarray
    Y: np.ndarray
    T: np.ndarray
    nu: np.ndarray
    phi: np.ndarray
    eps: np.ndarray
    psi: np.ndarray
    kappa: np.ndarray
    log_tau0: np.ndarray
    income_tax: np.ndarray
    held_deficits: np.ndarray
    drop: int

    @property
    def cases(self) -> int:
        return int(self.base_a.shape[0])


def build(
    *,
    lam: np.ndarray,
    tariffs0: np.ndarray,
    tariffs: np.ndarray,
    E: np.ndarray,
    Y: np.ndarray,
    T: np.ndarray,
    nu: np.ndarray,
    log_tau0: np.ndarray,
    phi: np.ndarray,
    eps: np.ndarray,
    psi: np.ndarray,
    kappa: np.ndarray,
    income_tax: np.ndarray,
    held_deficits: np.ndarray,
) -> BatchSystem:
    """The system of D cases from checked inputs: the baseline's λ, tariffs and (N,) vectors, the
    cases' tariffs (D, N, N) and parameters ((D, N) φ; (D,) ε, ψ, κ and the two closures). The
    shock λ τ̂^(−εφ) is taken only where the tariff changes, as the one-case system does."""
    t1p = 1.0 + tariffs
    tau_hat = t1p / (1.0 + tariffs0) if tariffs0.any() else t1p
    with np.errstate(over="ignore", divide="ignore"):
        shocked = lam * tau_hat ** (-eps[:, None, None] * phi[:, None, :])
    base_a = np.where(tau_hat != 1.0, shocked, lam)
    return BatchSystem(
        n=lam.shape[0],
        base_a=base_a,
        base_am=base_a / t1p,
        base_at=base_a * (tariffs / t1p),
        E=E,
        Y=Y,
        T=T,
        nu=nu,
        phi=phi,
        eps=eps,
        psi=psi,
        kappa=kappa,
        log_tau0=log_tau0,
        income_tax=income_tax,
        held_deficits=held_deficits,
        drop=lam.shape[0] - 1,
    )


@dataclass(frozen=True, eq=False)
class BatchState:
    """Endogenous values of the cases ``idx`` of a batch at points x (D', 3N); the fields of
    :class:`~tariffsim.models._ge_solver.GEState` with a leading case axis."""

    idx: np.ndarray
    w: np.ndarray
    e: np.ndarray
    l: np.ndarray  # noqa: E741 - the model's L̂
    M_new: np.ndarray
    s_new: np.ndarray
    E_new: np.ndarray
    Y_new: np.ndarray
    R: np.ndarray
    P: np.ndarray
    log_P: np.ndarray
    log_tau: np.ndarray
    rho: np.ndarray
    F: np.ndarray
    walras: np.ndarray
    r: np.ndarray
    S: np.ndarray

    def lam_new(self, b: BatchSystem) -> np.ndarray:
        """λ'_ji of each case, (D', N, N)."""
        return b.base_a[self.idx] * self.r[:, :, None] / self.S[:, None, :]

    def X_new(self, b: BatchSystem) -> np.ndarray:
        """X'_ji of each case at exporter prices, (D', N, N)."""
        return b.base_am[self.idx] * self.r[:, :, None] * (self.E_new / self.S)[:, None, :]


def _vec(a: np.ndarray, m: np.ndarray) -> np.ndarray:
    """(D', N) @ (D', N, N) row-vector products: out[d, i] = Σ_j a[d, j] m[d, j, i]."""
    return np.matmul(a[:, None, :], m)[:, 0, :]


def evaluate(x: np.ndarray, b: BatchSystem, idx: np.ndarray) -> BatchState:
    """The values and scaled residuals of cases ``idx`` at x (len(idx), 3N); see
    :func:`tariffsim.models._ge_solver.evaluate` (the same equations, row by row)."""
    n = b.n
    lw, le, ll = x[:, :n], x[:, n : 2 * n], x[:, 2 * n :]
    w, e, l = np.exp(lw), np.exp(le), np.exp(ll)  # noqa: E741
    eps, psi, kappa = b.eps[idx, None], b.psi[idx, None], b.kappa[idx, None]
    r = np.exp(-eps * (lw - psi * ll))
    S = _vec(r, b.base_a[idx])
    E_new = b.E * e
    c = E_new / S
    base_am = b.base_am[idx]
    M_new = c * _vec(r, base_am)
    s_new = r * np.matmul(base_am, (c * (1.0 - b.nu))[:, :, None])[:, :, 0]
    Y_new = w * l * b.Y
    R = c * _vec(r, b.base_at[idx])
    log_P = (1.0 - b.phi[idx]) * (le - lw) - np.log(S) / eps
    P = np.exp(log_P)
    F1 = (s_new + b.nu * M_new - Y_new) / b.Y
    walras = F1[:, b.drop].copy()
    F1[:, b.drop] = (P - 1.0) @ b.E / b.E.sum()
    held = b.held_deficits[idx, None]
    T_new = np.where(held, b.T * (Y_new.sum(axis=1, keepdims=True) / b.Y.sum()), 0.0)
    F2 = (Y_new + T_new - M_new) / b.E
    rho = R / Y_new
    with np.errstate(invalid="ignore", divide="ignore"):
        log_tau = np.where(b.income_tax[idx, None], b.log_tau0 - np.log1p(-rho), 0.0)
    F3 = ll - kappa * (log_tau + lw - log_P)
    F = np.concatenate([F1, F2, F3], axis=1)
    return BatchState(idx, w, e, l, M_new, s_new, E_new, Y_new, R, P, log_P, log_tau, rho, F, walras, r, S)


def jacobian(st: BatchState, b: BatchSystem) -> np.ndarray:
    """The dense Jacobians ∂F/∂x of the cases of ``st``, (D', 3N, 3N); the blocks of
    :func:`tariffsim.models._ge_solver.jacobian` with a leading case axis."""
    n, idx, nu, k = b.n, st.idx, b.nu, b.drop
    eps, psi, kappa = b.eps[idx, None, None], b.psi[idx, None, None], b.kappa[idx, None, None]
    phi = b.phi[idx]
    Lam, A = st.lam_new(b), st.X_new(b)
    diag = np.arange(n)
    LamT = Lam.swapaxes(1, 2)
    A_nu = A * (1.0 - nu)[None, None, :]
    dS = eps * (A_nu @ LamT)
    dS[:, diag, diag] -= eps[:, :, 0] * st.s_new
    H = eps * st.M_new[:, :, None] * LamT
    H -= eps * A.swapaxes(1, 2)
    inv_Y = (1.0 / b.Y)[None, :, None]
    G = (dS + nu[None, :, None] * H) * inv_Y
    J = np.empty((len(idx), 3 * n, 3 * n))
    J11, J12, J13 = J[:, :n, :n], J[:, :n, n : 2 * n], J[:, :n, 2 * n :]
    J21, J22, J23 = J[:, n : 2 * n, :n], J[:, n : 2 * n, n : 2 * n], J[:, n : 2 * n, 2 * n :]
    J31, J32, J33 = J[:, 2 * n :, :n], J[:, 2 * n :, n : 2 * n], J[:, 2 * n :, 2 * n :]
    J11[...] = G
    J11[:, diag, diag] -= st.Y_new / b.Y
    J12[...] = A_nu * inv_Y
    J12[:, diag, diag] += nu * st.M_new / b.Y
    J13[...] = -psi * G
    J13[:, diag, diag] -= st.Y_new / b.Y
    wE = b.E * st.P / b.E.sum()
    LwE = (Lam @ wE[:, :, None])[:, :, 0]
    J11[:, k] = LwE - wE * (1.0 - phi)
    J12[:, k] = wE * (1.0 - phi)
    J13[:, k] = -psi[:, :, 0] * LwE
    inv_E = (1.0 / b.E)[None, :, None]
    TY = np.where(b.held_deficits[idx, None, None], b.T[None, :, None] * st.Y_new[:, None, :] / b.Y.sum(), 0.0)
    J21[...] = (TY - H) * inv_E
    J21[:, diag, diag] += st.Y_new / b.E
    J22[...] = 0.0
    J22[:, diag, diag] = -st.M_new / b.E
    J23[...] = (TY + psi * H) * inv_E
    J23[:, diag, diag] += st.Y_new / b.E
    k1 = kappa[:, :, 0]
    J31[...] = kappa * LamT
    J31[:, diag, diag] += -k1 * (1.0 - phi) - k1
    J32[...] = 0.0
    J32[:, diag, diag] = k1 * (1.0 - phi)
    J33[...] = -kappa * psi * LamT
    J33[:, diag, diag] += 1.0
    tax = np.flatnonzero(b.income_tax[idx])
    if tax.size:
        q = 1.0 / (1.0 - st.rho[tax])
        qH = (q / st.Y_new[tax])[:, :, None] * H[tax]
        kt, pt = kappa[tax], psi[tax]
        kq = kt[:, :, 0] * q * st.rho[tax]
        J31[tax] += kt * qH
        J33[tax] -= kt * pt * qH
        for blk, sign in ((J31, 1.0), (J32, -1.0), (J33, 1.0)):
            sub = blk[tax]
            sub[:, diag, diag] += sign * kq
            blk[tax] = sub
    return J


def _norms(F: np.ndarray) -> np.ndarray:
    v = np.sqrt(np.einsum("ij,ij->i", F, F))
    return np.where(np.isfinite(v), v, np.inf)


def newton_solve_batch(
    b: BatchSystem,
    *,
    tol: float = 1e-10,
    max_iter: int = 100,
    contraction: float = 0.5,
    memory: int = 30,
) -> tuple[np.ndarray, BatchState, list[SolverInfo]]:
    """The Newton–Broyden iteration of :func:`tariffsim.models._ge_solver.newton_solve` on every
    case of ``b`` from x = 0, the cases advancing together (a converged case is left alone).
    Returns (x (D, 3N), the final state of every case, one :class:`SolverInfo` per case: its own
    steps and residual, the batch's seconds). Raises :class:`ConvergenceError` naming the first
    case that fails, on the same conditions as the one-case solver."""
    t0 = time.perf_counter()
    D, m = b.cases, 3 * b.n
    every = np.arange(D)
    x = np.zeros((D, m))
    st = evaluate(x, b, every)
    F = st.F.copy()
    fields = {k: getattr(st, k).copy() for k in _STATE_FIELDS}
    res = np.max(np.abs(F), axis=1)
    it = np.zeros(D, dtype=int)
    Hinv = np.zeros((D, m, m))  # inverse of each case's last exact Jacobian
    d = np.zeros((D, m))  # the quasi-Newton direction −H_k F_k at the current point
    has_d = np.zeros(D, dtype=bool)
    us = np.zeros((D, memory, m))  # Broyden updates H_k = (I + u s') ... H_0, as vector pairs
    ss = np.zeros((D, memory, m))
    n_mem = np.zeros(D, dtype=int)

    def fail(case: int, message: str) -> ConvergenceError:
        return ConvergenceError(
            f"case {case}: {message}",
            iterations=int(it[case]),
            residual=float(res[case]),
            seconds=time.perf_counter() - t0,
            method=METHOD,
        )

    while True:
        act = np.flatnonzero(~(res < tol))
        if act.size == 0:
            break
        over = act[it[act] >= max_iter]
        if over.size:
            raise fail(int(over[0]), f"GE solve did not reach tolerance {tol:g} within max_iter={max_iter} steps")
        bad = act[~np.isfinite(res[act])]
        if bad.size:
            raise fail(int(bad[0]), "GE residual is not finite (tariff revenue above income, or a degenerate baseline)")
        f0 = _norms(F[act])
        step = np.zeros((act.size, m))
        new = np.zeros(act.size, dtype=bool)
        trial_x = np.zeros((act.size, m))
        trial: dict[str, np.ndarray] = {}
        quasi = np.flatnonzero(has_d[act])
        if quasi.size:
            cand_x = x[act[quasi]] + d[act[quasi]]
            cand = evaluate(cand_x, b, act[quasi])
            ok = _norms(cand.F) <= contraction * f0[quasi]
            _take(trial, cand, quasi[ok], ok, act.size)
            trial_x[quasi[ok]] = cand_x[ok]
            step[quasi[ok]] = d[act[quasi[ok]]]
            new[quasi[ok]] = True
        fresh = np.flatnonzero(~new)
        if fresh.size:
            cases = act[fresh]
            st_c = _state_of(fields, F, cases)
            J = jacobian(st_c, b)
            finite = np.all(np.isfinite(J), axis=(1, 2))
            if not finite.all():
                raise fail(int(cases[~finite][0]), "singular or non-finite Jacobian in the GE Newton step")
            try:
                Hinv[cases] = np.linalg.inv(J)
            except np.linalg.LinAlgError:
                raise fail(int(cases[0]), "singular or non-finite Jacobian in the GE Newton step") from None
            n_mem[cases] = 0
            dirs = -np.matmul(Hinv[cases], F[cases][:, :, None])[:, :, 0]
            if not np.all(np.isfinite(dirs)):
                raise fail(
                    int(cases[~np.all(np.isfinite(dirs), axis=1)][0]), "non-finite Newton direction in the GE solve"
                )
            d[cases] = dirs
            has_d[cases] = True
            alpha = np.ones(fresh.size)
            todo = np.ones(fresh.size, dtype=bool)
            for _ in range(40):
                rows = np.flatnonzero(todo)
                cand_x = x[cases[rows]] + alpha[rows, None] * dirs[rows]
                cand = evaluate(cand_x, b, cases[rows])
                ok = _norms(cand.F) <= (1.0 - 1e-4 * alpha[rows]) * f0[fresh[rows]]
                _take(trial, cand, fresh[rows[ok]], ok, act.size)
                trial_x[fresh[rows[ok]]] = cand_x[ok]
                step[fresh[rows[ok]]] = alpha[rows[ok], None] * dirs[rows[ok]]
                todo[rows[ok]] = False
                if not todo.any():
                    break
                alpha[todo] *= 0.5
            else:
                raise fail(
                    int(cases[np.flatnonzero(todo)[0]]),
                    "line search failed: no step along the Newton direction reduces the GE residual",
                )
        # accept the steps
        x[act] = trial_x
        F[act] = trial["F"]
        for k in _STATE_FIELDS:
            fields[k][act] = trial[k]
        it[act] += 1
        res[act] = np.max(np.abs(F[act]), axis=1)
        log.debug("batched GE step: %d case(s) active, worst residual %.3e", act.size, float(np.max(res[act])))
        # next directions for the cases still short of the tolerance
        go = np.flatnonzero(~(res[act] < tol))
        if go.size == 0:
            continue
        cases = act[go]
        stp = step[go]
        z = -np.matmul(Hinv[cases], F[cases][:, :, None])[:, :, 0]  # −H_0 F_{k+1}
        for j in range(int(n_mem[cases].max(initial=0))):
            rows = np.flatnonzero(n_mem[cases] > j)
            c = cases[rows]
            z[rows] += us[c, j] * np.einsum("ij,ij->i", ss[c, j], z[rows])[:, None]
        hy = d[cases] - z
        denom = np.einsum("ij,ij->i", stp, hy)
        keep = (n_mem[cases] < memory) & (np.abs(denom) > 1e-12 * _norms(stp) * _norms(hy))
        rows = np.flatnonzero(keep)
        if rows.size:
            c = cases[rows]
            u = (stp[rows] - hy[rows]) / denom[rows, None]
            us[c, n_mem[c]] = u
            ss[c, n_mem[c]] = stp[rows]
            n_mem[c] += 1
            z[rows] += u * np.einsum("ij,ij->i", stp[rows], z[rows])[:, None]
        d[cases] = z
        has_d[cases] = np.all(np.isfinite(z), axis=1)
        has_d[act[~np.isin(act, cases)]] = False
    seconds = time.perf_counter() - t0
    final = _state_of(fields, F, every)
    infos = [SolverInfo(METHOD, True, int(it[i]), float(res[i]), seconds) for i in range(D)]
    log.debug("batched GE solve: %d cases, %d-%d steps, %.1f ms", D, int(it.min()), int(it.max()), 1e3 * seconds)
    return x, final, infos


#: The per-case arrays of a :class:`BatchState` carried between steps (F separately).
_STATE_FIELDS = tuple("w e l M_new s_new E_new Y_new R P log_P log_tau rho walras r S".split())
#: The state fields a solution record needs (besides ``walras``); with ``F`` all but ``r`` and ``S``.
SOLUTION_FIELDS = (*_STATE_FIELDS[:12], "F", "r", "S")


def _take(trial: dict[str, np.ndarray], cand: BatchState, rows: np.ndarray, ok: np.ndarray, size: int) -> None:
    """Copy the accepted rows ``ok`` of ``cand`` into ``trial`` at ``rows`` (arrays of ``size`` rows)."""
    for k in (*_STATE_FIELDS, "F"):
        a = getattr(cand, k)
        if k not in trial:
            trial[k] = np.zeros((size, *a.shape[1:]))
        trial[k][rows] = a[ok]


def _state_of(fields: dict[str, np.ndarray], F: np.ndarray, idx: np.ndarray) -> BatchState:
    return BatchState(idx=idx, F=F[idx], **{k: fields[k][idx] for k in _STATE_FIELDS})
