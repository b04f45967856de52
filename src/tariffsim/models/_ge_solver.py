"""Equations, analytic Jacobian and Newton solver of the multi-country GE model (docs/models/ge.md).

Private module: :mod:`tariffsim.models.ge` builds a :class:`GESystem` and calls :func:`newton_solve`.

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
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..errors import ConvergenceError
from ..solvers import SolverInfo, lapack

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

METHOD = "newton-broyden-analytic-jacobian"


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
    base_am: np.ndarray  # base_a/(1+t1): X'_ji = base_am_ji r_j Ê_i E_i / S_i (exporter prices)
    tax_cols: np.ndarray  # importers i that levy some tariff (t1[:, i] not all zero)
    base_at: np.ndarray  # (base_a · t1/(1+t1))[:, tax_cols]: tariff revenue (zero elsewhere)
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
    """Endogenous values at one point x (all hats are new/old ratios).

    The residual needs only matrix-vector products (a_ji = base_a_ji r_j, so Σ_j a_ji = base_aᵀ r
    and the other column and row sums likewise); the matrices λ' and X' are formed on first use
    (the Jacobian and the reported solution need them, the trial points of the solver do not).
    """

    w: np.ndarray
    e: np.ndarray
    l: np.ndarray  # noqa: E741 - the model's L̂
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
    r: np.ndarray = field(repr=False)  # (ŵ_j / L̂_j^ψ)^(−ε): a_ji = base_a_ji r_j
    S: np.ndarray = field(repr=False)  # Σ_k a_ki
    sysm: GESystem = field(repr=False)

    @cached_property
    def lam_new(self) -> np.ndarray:
        """λ'_ji, consumer-price expenditure shares."""
        out = self.sysm.base_a * self.r[:, None]
        out /= self.S
        return out

    @cached_property
    def X_new(self) -> np.ndarray:
        """X'_ji, exporter prices."""
        out = self.sysm.base_am * self.r[:, None]
        out *= self.E_new / self.S
        return out


def evaluate(x: np.ndarray, sysm: GESystem) -> GEState:
    """All endogenous values and the scaled residual at x = (log ŵ, log Ê, log L̂)."""
    n = sysm.n
    lw, le, ll = x[:n], x[n : 2 * n], x[2 * n :]
    w, e, l = np.exp(lw), np.exp(le), np.exp(ll)  # noqa: E741
    r = np.exp(-sysm.eps * (lw - sysm.psi * ll))
    S = r @ sysm.base_a  # Σ_j a_ji
    E_new = sysm.E * e
    c = E_new / S  # X'_ji = base_am_ji r_j c_i
    M_new = c * (r @ sysm.base_am)
    s_new = r * (sysm.base_am @ (c * (1.0 - sysm.nu)))
    Y_new = w * l * sysm.Y
    R = np.zeros(n)  # = E' − M', computed directly (no cancellation)
    R[sysm.tax_cols] = c[sysm.tax_cols] * (r @ sysm.base_at)
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
    return GEState(w, e, l, M_new, s_new, E_new, Y_new, R, P, log_P, log_tau, rho, F, walras, r, S, sysm)


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
    """A factorised Newton matrix: LU of the 2N Schur complement and the vectors/matrices that
    apply the eliminated budget block (``J21``, ``J23``, ``J12`` as products, never formed)."""

    lu: tuple
    A: np.ndarray  # X' at the factorisation point
    LamT: np.ndarray  # Λ'ᵀ
    M: np.ndarray  # M'
    Y_new: np.ndarray
    E: np.ndarray
    inv_Y: np.ndarray  # J12 = diag(1/Y) X' diag(1−ν) + diag(ν M'/Y), row ``drop`` replaced
    one_nu: np.ndarray
    j12_diag: np.ndarray
    j12_drop: np.ndarray  # the numéraire row of J12
    tY: np.ndarray  # T/ΣY (zeros with balanced trade): the deficit term T' = T ΣY'/ΣY
    b3: np.ndarray  # diagonal of J32 / d2
    d2: np.ndarray  # the diagonal budget block ∂F2/∂log Ê = −M'/E
    eps: float
    psi: float
    drop: int


def _schur(st: GEState, sysm: GESystem) -> tuple[np.ndarray, tuple]:
    """The 2N x 2N Schur complement K of the Jacobian after eliminating log Ê, assembled directly.

    With B1 = J12 diag(1/d2), b3 = diag(J32)/d2 and H = ε (diag(M') Λ'ᵀ − X'ᵀ):
    K = [[J11 − B1 J21, J13 − B1 J23], [J31 − diag(b3) J21, J33 − diag(b3) J23]]. Writing the
    blocks of :func:`jacobian` out, the products Σ X' diag(1−ν) Λ'ᵀ cancel between J11 and
    B1 J21, and what remains (outside the numéraire row) is

    * K11 = diag(ε/Y) W − diag((ε s' + Y' − ν Y')/Y) + diag(1/Y) X' diag((1−ν) Y'/M') + r Y'ᵀ,
      K13 = −ψ diag(ε/Y) W + diag((ψ ε s' − Y' + ν Y')/Y) + diag(1/Y) X' diag((1−ν) Y'/M') + r Y'ᵀ,
      with W = X' diag((1−ν)/M') X'ᵀ (the only matrix product) and r = J12 (T/M')/ΣY;
    * K31 = Z − diag(b3/E) T Y'ᵀ/ΣY + diag(...), K33 = −ψ Z − diag(b3/E) T Y'ᵀ/ΣY + diag(...), with
      Z = diag(κ + ε c M') Λ'ᵀ − diag(ε c) X'ᵀ and c = b3/E (+ κ q/Y' with income-tax relief).

    The numéraire row is computed from its own (dense-vector) definition. Checked against the
    explicit construction from :func:`jacobian` in the tests.
    """
    n, eps, psi, kappa = sysm.n, sysm.eps, sysm.psi, sysm.kappa
    nu, phi, k = sysm.nu, sysm.phi, sysm.drop
    A, LamT = st.X_new, st.lam_new.T
    M, Yn, s = st.M_new, st.Y_new, st.s_new
    Y, E = sysm.Y, sysm.E
    tY = sysm.T / Y.sum() if sysm.held_deficits else np.zeros(n)
    d2 = -M / E
    inv_Y = 1.0 / Y
    # J12 = diag(1/Y) A diag(1−ν) + diag(ν M'/Y); its numéraire row: wE (1−φ)
    wE = E * st.P / E.sum()
    j12_diag = nu * M * inv_Y
    j12_drop = wE * (1.0 - phi)
    # r = J12 (T/M') / ΣY
    u = tY / M
    r = inv_Y * (A @ ((1.0 - nu) * u)) + j12_diag * u
    K = np.empty((2 * n, 2 * n))
    K11, K13, K31, K33 = K[:n, :n], K[:n, n:], K[n:, :n], K[n:, n:]
    C = np.multiply(A, (1.0 - nu) / M, out=K33)  # K33 as scratch (filled last)
    np.matmul(C, A.T, out=K11)  # W
    K11 *= (eps * inv_Y)[:, None]  # diag(ε/Y) W
    np.multiply(K11, -psi, out=K13)
    C *= inv_Y[:, None]  # now diag(1/Y) X' diag((1−ν) Y'/M') + r Y'ᵀ
    C += r[:, None]
    C *= Yn
    K11 += C
    K13 += C
    diag = np.arange(n)
    K11[diag, diag] -= (eps * s + Yn - nu * Yn) * inv_Y
    K13[diag, diag] += (psi * eps * s - Yn + nu * Yn) * inv_Y
    # numéraire row: K[k] = [J11[k], J13[k]] − B1[k] [J21, J23] with B1[k] = −J12[k] E/M'
    LwE = st.lam_new @ wE
    v = j12_drop / M
    vH = eps * (LamT.T @ (v * M) - A @ v)  # v @ H
    vT = (v @ tY) * Yn
    K11[k] = LwE - wE * (1.0 - phi) + vT - vH + v * Yn
    K13[k] = -psi * LwE + vT + psi * vH + v * Yn
    # labour rows
    j32 = kappa * (1.0 - phi)
    j31 = -kappa * (1.0 - phi) - kappa
    j33 = np.ones(n)
    c = -j32 / M  # b3/E
    if sysm.income_tax:
        q = 1.0 / (1.0 - st.rho)
        j31 = j31 + kappa * q * st.rho
        j32 = j32 - kappa * q * st.rho
        j33 = j33 + kappa * q * st.rho
        c = -j32 / M + kappa * q / Yn
    b3 = -j32 / M * E
    np.multiply(LamT, (kappa + eps * c * M)[:, None], out=K31)
    np.multiply(A.T, (eps * c)[:, None], out=K33)  # K33 as scratch
    K31 -= K33  # Z
    np.multiply.outer(b3 / E * tY, Yn, out=K33)  # R1 = diag(b3/E) T Y'ᵀ/ΣY
    K31 -= K33  # Z − R1
    # K33 = −ψ Z − R1 = −ψ (Z − R1) − (1 + ψ) R1, formed in place
    if psi > 0:
        K33 *= (1.0 + psi) / psi
        K33 += K31
        K33 *= -psi
    else:
        K33 *= -1.0
    K31[diag, diag] += j31 - b3 * Yn / E
    K33[diag, diag] += j33 - b3 * Yn / E
    rest = (A, LamT, M, Yn, E, inv_Y, 1.0 - nu, j12_diag, j12_drop, tY, b3, d2, eps, psi, k)
    return K, rest


def factorize(st: GEState, sysm: GESystem) -> _Factor:
    """Jacobian at ``st``, log Ê eliminated (its budget block is diagonal), 2N x 2N LU factorised.

    LAPACK is called directly: ``getrf`` factorises Kᵀ (the Fortran-ordered view of the C-ordered
    K, so nothing is copied) and :func:`direction` solves K x = b with ``getrs`` on the transpose.
    Raises ``np.linalg.LinAlgError`` for a singular K and ``ValueError`` for a non-finite one.
    """
    K, rest = _schur(st, sysm)
    if not np.all(np.isfinite(K)):
        raise ValueError("non-finite Jacobian")
    lu, piv, info = lapack("dgetrf")(K.T, overwrite_a=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"LU factorisation failed (getrf info = {info}): singular Newton matrix")
    return _Factor((lu, piv), *rest)


def direction(fac: _Factor, F: np.ndarray, n: int) -> np.ndarray:
    """Solve J dx = −F with a factorised (possibly older) Jacobian."""
    F1, F2, F3 = F[:n], F[n : 2 * n], F[2 * n :]
    g = F2 / fac.d2
    B1F2 = fac.inv_Y * (fac.A @ (fac.one_nu * g)) + fac.j12_diag * g  # J12 (F2/d2)
    B1F2[fac.drop] = fac.j12_drop @ g
    rhs = np.concatenate([B1F2 - F1, fac.b3 * F2 - F3])
    sol, info = lapack("dgetrs")(fac.lu[0], fac.lu[1], rhs, trans=1)  # K x = rhs, with LU of Kᵀ
    dw, dl = sol[:n], sol[n:]
    # J21 dw + J23 dl = [T (Y'·σ)/ΣY − H (dw − ψ dl) + Y' σ] / E with σ = dw + dl
    sig = dw + dl
    v = dw - fac.psi * dl
    Hv = fac.eps * (fac.M * (fac.LamT @ v) - fac.A.T @ v)
    de = (-F2 - (fac.tY * (fac.Y_new @ sig) - Hv + fac.Y_new * sig) / fac.E) / fac.d2
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
    memory: int = 30,
) -> tuple[np.ndarray, GEState, SolverInfo]:
    """Newton–Broyden iteration on the scaled residual; returns (x, state, SolverInfo).

    The exact Jacobian is factorised once (its 2N Schur complement, :func:`factorize`); later
    steps use that factorisation with Broyden's ("good") rank-one updates of the inverse,
    H_{k+1} = (I + u_k s_kᵀ) H_k, u_k = (s_k − H_k y_k)/(s_kᵀ H_k y_k) (Kelley 2003, §7.3), kept
    as vector pairs: one LU back-substitution and O(kN) extra work per step, superlinear rather
    than the chord's linear rate. A quasi-Newton step is accepted if it shrinks the residual norm
    by ``contraction`` or better; otherwise the exact Jacobian is rebuilt at the current point
    (the updates are dropped) and a Newton step is taken with a backtracking (Armijo) line
    search, so the method keeps Newton's global safeguards. ``iterations`` counts all steps.
    Raises :class:`ConvergenceError` when the max-abs residual is not below ``tol`` after
    ``max_iter`` steps, when the residual turns non-finite, or when no step reduces it.
    """
    t0 = time.perf_counter()
    n = sysm.n
    x = np.zeros(3 * n) if x0 is None else np.array(x0, dtype=float)
    st = evaluate(x, sysm)
    res = float(np.max(np.abs(st.F)))
    it = n_jac = 0
    fac: _Factor | None = None
    d: np.ndarray | None = None  # the quasi-Newton direction −H_k F_k at the current point
    us: list[np.ndarray] = []  # Broyden updates: H_k = (I + u_{k-1} s_{k-1}ᵀ) ... (I + u_0 s_0ᵀ) H_0
    ss: list[np.ndarray] = []

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, iterations=it, residual=res, seconds=time.perf_counter() - t0, method=METHOD)

    while not res < tol:
        if it >= max_iter:
            raise fail(f"GE solve did not reach tolerance {tol:g} within max_iter={max_iter} steps")
        if not np.isfinite(res):
            raise fail("GE residual is not finite (tariff revenue above income, or a degenerate baseline)")
        f0 = _norm(st.F)
        trial = None
        if d is not None:
            cand = evaluate(x + d, sysm)
            if _norm(cand.F) <= contraction * f0:
                trial, step = cand, d
        if trial is None:
            try:
                fac = factorize(st, sysm)
            except (ValueError, np.linalg.LinAlgError):
                raise fail("singular or non-finite Jacobian in the GE Newton step") from None
            n_jac += 1
            us, ss = [], []
            d = direction(fac, st.F, n)
            if not np.all(np.isfinite(d)):
                raise fail("non-finite Newton direction in the GE solve")
            alpha = 1.0
            for _ in range(40):
                cand = evaluate(x + alpha * d, sysm)
                if _norm(cand.F) <= (1.0 - 1e-4 * alpha) * f0:
                    trial, step = cand, alpha * d
                    break
                alpha *= 0.5
            else:
                raise fail("line search failed: no step along the Newton direction reduces the GE residual")
        assert fac is not None and d is not None
        x = x + step
        st = trial
        it += 1
        res = float(np.max(np.abs(st.F)))
        log.debug("GE step %d (%d Jacobians): max-abs residual %.3e", it, n_jac, res)
        if res < tol:
            break
        # next direction −H_{k+1} F_{k+1}, updating H with the step just taken
        z = direction(fac, st.F, n)  # −H_0 F_{k+1}
        for u, sv in zip(us, ss, strict=True):
            z += u * (sv @ z)  # now −H_k F_{k+1}
        hy = d - z  # H_k (F_{k+1} − F_k)
        denom = float(step @ hy)
        if len(us) < memory and abs(denom) > 1e-12 * _norm(step) * _norm(hy):
            u = (step - hy) / denom
            us.append(u)
            ss.append(step)
            z += u * (step @ z)
        d = z if np.all(np.isfinite(z)) else None
    info = SolverInfo(method=METHOD, converged=True, iterations=it, residual=res, seconds=time.perf_counter() - t0)
    return x, st, info
