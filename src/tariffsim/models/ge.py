"""General equilibrium: multi-country exact hat algebra (docs/models/ge.md).

The model is the one-sector quantitative trade model of Ignatenko, Lashkaripour, Macedoni and
Simonovska (2025, "Making America Great Again? The Economic Impacts of Liberation Day Tariffs",
Journal of International Economics; ILMS below), written as a general engine:

* trade elasticity ε, scale elasticity ψ, tariff pass-through term φ_i, input (roundabout) share
  ν_i, labour-supply elasticity κ;
* deficits held as a constant share of world income (T'_i = T_i ΣY'/ΣY), or balanced (T'_i = 0);
* tariff revenue relieving the income tax (τ̂_i = (1 − R0_i/Y_i)/(1 − R_i/Y'_i)) or rebated lump sum
  (τ̂_i = 1);
* special cases by parameter: Eaton–Kortum (ν = 0, φ = 1), fixed labour (κ = 0), balanced trade,
  iceberg trade-cost shocks (``d_hat``) alongside or instead of tariffs.

Notation and units. ``X[j, i]`` is the value of goods exporter j sells to importer i at exporter
prices (US dollars, or any currency unit used consistently: every output is a ratio or a share,
so results do not depend on the unit). ``t[j, i]`` is the ad valorem tariff importer i applies
on goods from exporter j (0.25 = 25 %); the diagonal must be zero. Hats are new/old ratios;
``*_pct`` outputs are percentage changes (1.13 means +1.13 %).

Baseline (``build_baseline``), exactly as the ILMS construction in docs/models/ge.md: with imports
M_i = Σ_j X_ji (diagonal excluded) and the importer-weighted exports Σ_j (1−ν_j) X_ij,
T_i = (1−ν_i)(M_i − Σ_j (1−ν_j) X_ij); E_i = Y_i + T_i; domestic sales X_ii = max(E_i − M_i, 0);
then E_i is recomputed as the column sum, Y_i = Σ_k (1−ν_k) X_ik + ν_i E_i, T_i = E_i − Y_i and
λ_ji = X_ji/E_i. ν can be calibrated with :func:`calibrate_nu_two_region` (one value for a home
country, one for the rest, from the two-region aggregate conditions).

Baseline tariffs (an assumption of this engine; the ILMS data have none). When ``tariffs0`` is
given, X stays at exporter prices and the baseline obeys the same accounting with revenue:
R0_i = Σ_j t0_ji X_ji, E_i = Y_i + T_i + R0_i, domestic sales fill E_i − Σ_j (1+t0_ji) X_ji,
E_i = Σ_j (1+t0_ji) X_ji, λ_ji = (1+t0_ji) X_ji / E_i, Y_i = Σ_k (1−ν_k) X_ik + ν_i Σ_k X_ki and
T_i = E_i − Y_i − R0_i. The tariff shock is then (1+t1)/(1+t0), and with income-tax relief the
net-of-tax factor moves from 1/(1 − R0/Y) to 1/(1 − R'/Y'). With t0 = 0 this is exactly ILMS.

Counterfactual (unknowns ŵ, Ê, L̂; see :mod:`tariffsim.models._ge_solver` for the equations):
a_ji = λ_ji (ŵ_j / L̂_j^ψ)^(−ε) τ̂_ji^(−ε φ_i) d̂_ji^(−ε); λ'_ji = a_ji / Σ_k a_ki;
P̂_i = (Ê_i/ŵ_i)^(1−φ_i) (Σ_k a_ki)^(−1/ε); X'_ji = λ'_ji Ê_i E_i / (1+t1_ji);
R_i = Σ_j λ'_ji t1_ji/(1+t1_ji) Ê_i E_i. Iceberg shocks d̂ are cost shifters and carry the
exponent −ε (not −εφ_i, which is specific to tariffs in ILMS). The numéraire is the
expenditure-weighted price index: Σ_i E_i (P̂_i − 1) = 0.

Welfare: Ŵ_i = δ_i Ê_i/P̂_i + (1−δ_i) ŵ_i L̂_i/P̂_i with δ_i = E_i / (E_i − κ(1−τ_i) Y_i/(1+κ)).
The model statement (docs/models/ge.md) leaves open which τ_i enters δ_i; this engine reads it as the income-tax relief rate of
the counterfactual, the τ_i whose change drives labour supply, τ̂_i = 1/(1 − τ_i): with income-tax
relief τ_i = R_i/Y'_i (new tariff revenue over new wage income), with a lump-sum rebate τ_i = 0
(with baseline tariffs, 1 − τ_i = 1/τ̂_i in general). This is the reading that reproduces the
published ILMS headline numbers to the printed precision (US +1.13 % baseline, −0.01 % lump sum,
non-US −0.58 %); τ_i = 0 throughout would give US +1.14 %, and data GDP instead of the model's Y_i
in δ_i would give non-US −0.57 %.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import limits
from .._lazy import pd
from .._util import ShortRepr, readonly
from ..errors import DataError
from ..solvers import SolverInfo
from . import _ge_batch, _ge_solver

__all__ = [
    "GEParams",
    "GEBaseline",
    "GESolution",
    "build_baseline",
    "calibrate_nu_two_region",
    "two_region_shares",
    "ilms_phi",
    "solve_ge",
    "solve_ge_batch",
    "ge_residual",
    "RECYCLING",
    "DEFICITS",
]

log = logging.getLogger(__name__)

RECYCLING = ("income-tax", "lump-sum")
DEFICITS = ("world-income-share", "balanced")

#: ILMS's constant linking the scale elasticity and the Pareto shape to ε: ψ = 0.67/ε, θ = ε/0.67.
ILMS_SCALE = 0.67


def _vector(value: ArrayLike, n: int, what: str, source: str = "GEParams") -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(n, float(arr))
    if arr.shape != (n,):
        raise DataError(
            f"{what} has shape {arr.shape}; expected a scalar or one value per country ({n},)", source=source
        )
    return arr


def ilms_phi(nu: ArrayLike, theta: float) -> np.ndarray:
    """ILMS tariff pass-through term φ_i = 1 + (1+θ)/((1−ν_i)θ) − 1/θ − 1 (1 when ν_i = 0)."""
    nu = np.asarray(nu, dtype=float)
    return 1.0 + (1.0 + theta) / ((1.0 - nu) * theta) - 1.0 / theta - 1.0


@dataclass(frozen=True, eq=False)
class GEParams:
    """Parameters of the GE model; checked once here.

    eps : trade elasticity ε > 0 (ILMS: 4).
    kappa : labour-supply elasticity κ >= 0 (ILMS: 0.5; 0 = fixed labour).
    psi : scale elasticity ψ >= 0 (ILMS: 0.67/ε; 0 = no scale economies).
    phi : tariff pass-through term φ_i > 0, scalar or per country; ``None`` = ILMS formula
        :func:`ilms_phi` from ``theta`` and ``nu``.
    theta : used only when ``phi`` is None (ILMS: ε/0.67).
    nu : input share ν_i in [0, 1), scalar or per country (see :func:`calibrate_nu_two_region`).
    recycling : "income-tax" (revenue relieves the labour-income tax) or "lump-sum".
    deficits : "world-income-share" (T'_i = T_i ΣY'/ΣY) or "balanced" (T'_i = 0 in the
        counterfactual; with an unbalanced baseline this closes the deficits as part of the shock).
    """

    eps: float = 4.0
    kappa: float = 0.5
    psi: float = 0.0
    phi: float | Sequence[float] | np.ndarray | None = 1.0
    theta: float | None = None
    nu: float | Sequence[float] | np.ndarray = 0.0
    recycling: str = "income-tax"
    deficits: str = "world-income-share"

    def __post_init__(self) -> None:
        src = "GEParams"
        for name in ("eps", "kappa", "psi"):
            v = getattr(self, name)
            if not isinstance(v, int | float | np.floating | np.integer) or not np.isfinite(v):
                raise DataError(f"{name} = {v!r}; expected a finite number", source=src, location=name)
        if not self.eps > 0:
            raise DataError(
                f"trade elasticity eps = {self.eps}; expected eps > 0 (trade falls with costs)",
                source=src,
                location="eps",
            )
        if self.kappa < 0:
            raise DataError(
                f"labour-supply elasticity kappa = {self.kappa}; expected kappa >= 0", source=src, location="kappa"
            )
        if self.psi < 0:
            raise DataError(f"scale elasticity psi = {self.psi}; expected psi >= 0", source=src, location="psi")
        nu = np.asarray(self.nu, dtype=float)
        if not np.all(np.isfinite(nu)) or np.any(nu < 0) or np.any(nu >= 1):
            raise DataError(f"nu = {self.nu!r}; expected values in [0, 1)", source=src, location="nu")
        nu = nu.copy()
        nu.setflags(write=False)
        object.__setattr__(self, "nu", nu)
        if self.phi is None:
            if self.theta is None or not np.isfinite(self.theta) or not self.theta > 0:
                raise DataError(
                    f"theta = {self.theta!r}; expected theta > 0 when phi is None (ILMS formula)",
                    source=src,
                    location="theta",
                )
        else:
            phi = np.asarray(self.phi, dtype=float)
            if not np.all(np.isfinite(phi)) or np.any(phi <= 0):
                raise DataError(f"phi = {self.phi!r}; expected positive finite values", source=src, location="phi")
            phi = phi.copy()
            phi.setflags(write=False)
            object.__setattr__(self, "phi", phi)
        if self.recycling not in RECYCLING:
            raise DataError(
                f"recycling = {self.recycling!r}; expected one of {', '.join(RECYCLING)}",
                source=src,
                location="recycling",
            )
        if self.deficits not in DEFICITS:
            raise DataError(
                f"deficits = {self.deficits!r}; expected one of {', '.join(DEFICITS)}", source=src, location="deficits"
            )

    @classmethod
    def ilms(
        cls,
        nu: float | Sequence[float] | np.ndarray,
        *,
        eps: float = 4.0,
        kappa: float = 0.5,
        recycling: str = "income-tax",
        deficits: str = "world-income-share",
    ) -> GEParams:
        """The ILMS (2025) parameterisation: ψ = 0.67/ε, θ = ε/0.67, φ from :func:`ilms_phi`."""
        return cls(
            eps=eps,
            kappa=kappa,
            psi=ILMS_SCALE / eps,
            phi=None,
            theta=eps / ILMS_SCALE,
            nu=nu,
            recycling=recycling,
            deficits=deficits,
        )

    def nu_vector(self, n: int) -> np.ndarray:
        return _vector(self.nu, n, "nu")

    def phi_vector(self, n: int) -> np.ndarray:
        if self.phi is None:
            assert self.theta is not None  # __post_init__ requires theta when phi is None
            return ilms_phi(self.nu_vector(n), float(self.theta))
        return _vector(self.phi, n, "phi")

    def replace(self, **changes: Any) -> GEParams:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class GEBaseline:
    """The calibrated baseline: N countries, money in the input's unit (USD by default).

    X : (N, N) exporter x importer flows at exporter prices, domestic sales on the diagonal.
    E : total expenditure (consumer prices, domestic included). Y : wage income ("GDP").
    T : deficit transfer E − Y − R0. lam : λ_ji, importer i's expenditure share on j.
    nu : ν used in the construction. tariffs0 : baseline tariffs t0[j, i]. R0 : baseline revenue.
    """

    countries: tuple[str, ...]
    X: np.ndarray
    E: np.ndarray
    Y: np.ndarray
    T: np.ndarray
    lam: np.ndarray
    nu: np.ndarray
    tariffs0: np.ndarray
    R0: np.ndarray
    gdp_data: np.ndarray

    @property
    def n(self) -> int:
        return len(self.countries)

    def index(self, code: str) -> int:
        try:
            return self.countries.index(code)
        except ValueError:
            raise DataError(
                f"country {code!r} not in the GE baseline; it has {len(self.countries)} countries", source="GEBaseline"
            ) from None


def _check_matrix(
    a: ArrayLike, n: int | None, what: str, *, positive: bool = False, source: str = "<array>"
) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or (n is not None and arr.shape != (n, n)):
        want = f"({n}, {n})" if n is not None else "a square (N, N) matrix"
        raise DataError(f"{what} has shape {arr.shape}; expected {want} (exporter x importer)", source=source)
    bad = ~np.isfinite(arr)
    if bad.any():
        j, i = np.argwhere(bad)[0]
        raise DataError(
            f"non-finite {what} ({arr[j, i]}); expected finite values", source=source, location=f"[{j}, {i}]"
        )
    low = arr <= 0 if positive else arr < 0
    if low.any():
        j, i = np.argwhere(low)[0]
        want = "> 0" if positive else ">= 0"
        raise DataError(
            f"{what} {arr[j, i]} at [{j}, {i}]; expected values {want}", source=source, location=f"[{j}, {i}]"
        )
    return arr


def _check_tariffs(t: ArrayLike, n: int, what: str = "tariff matrix") -> np.ndarray:
    arr = _check_matrix(t, n, what)
    if np.any(arr > limits.MAX_TARIFF):
        j, i = np.argwhere(arr > limits.MAX_TARIFF)[0]
        raise DataError(
            f"{what} value {arr[j, i]} at [{j}, {i}] outside {limits.TARIFF_BOUNDS}; tariffs are shares (0.25 = 25 %)",
            source="<array>",
            location=f"[{j}, {i}]",
        )
    d = np.diag(arr)
    if np.any(d != 0):
        i = int(np.argmax(d != 0))
        raise DataError(
            f"{what} has {d[i]} on the diagonal at [{i}, {i}]; expected 0 (no tariff on domestic sales)",
            source="<array>",
            location=f"[{i}, {i}]",
        )
    return arr


def build_baseline(
    trade: ArrayLike,
    gdp: ArrayLike,
    nu: ArrayLike = 0.0,
    *,
    countries: Sequence[str] | None = None,
    tariffs0: ArrayLike | None = None,
) -> GEBaseline:
    """Baseline of the ILMS construction from an exporter x importer matrix and GDP.

    trade : (N, N) flows at exporter prices; the diagonal is ignored (domestic sales are built).
    gdp : (N,) GDP in the same money unit, positive.
    nu : ν_i, scalar or (N,), or a :class:`GEParams` (its ``nu`` is used).
    countries : labels (default "0".."N-1").
    tariffs0 : optional (N, N) baseline tariffs t0[j, i] (see the module docstring).
    """
    X = _check_matrix(trade, None, "trade matrix").copy()
    n = X.shape[0]
    Y0 = np.asarray(gdp, dtype=float).reshape(-1)
    if Y0.shape != (n,):
        raise DataError(f"GDP has {Y0.size} entries; expected one per country ({n})", source="<array>")
    if not np.all(np.isfinite(Y0)) or np.any(Y0 <= 0):
        i = int(np.argmax(~np.isfinite(Y0) | (Y0 <= 0)))
        raise DataError(f"GDP {Y0[i]} at [{i}]; expected a positive finite number", source="<array>", location=f"[{i}]")
    if isinstance(nu, GEParams):
        nu = nu.nu
    nu = _vector(nu, n, "nu", source="build_baseline")
    if not np.all(np.isfinite(nu)) or np.any(nu < 0) or np.any(nu >= 1):
        raise DataError("nu outside [0, 1); expected shares", source="build_baseline", location="nu")
    labels = tuple(str(c) for c in countries) if countries is not None else tuple(str(i) for i in range(n))
    if len(labels) != n or len(set(labels)) != n:
        raise DataError(
            f"{len(labels)} country labels (unique: {len(set(labels))}); expected {n} unique labels",
            source="build_baseline",
            location="countries",
        )
    t0 = np.zeros((n, n)) if tariffs0 is None else _check_tariffs(tariffs0, n, "baseline tariff matrix")
    np.fill_diagonal(X, 0.0)
    imports = X.sum(axis=0)
    R0 = (t0 * X).sum(axis=0)
    T = (1.0 - nu) * (imports - X @ (1.0 - nu))
    E = Y0 + T + R0
    np.fill_diagonal(X, np.maximum(E - ((1.0 + t0) * X).sum(axis=0), 0.0))
    clipped = int(np.sum(E - ((1.0 + t0) * X).sum(axis=0) < -1e-9 * np.abs(E)))
    if clipped:
        log.info("GE baseline: %d economies have imports above expenditure; their domestic sales are set to 0", clipped)
    Xc = (1.0 + t0) * X
    E = Xc.sum(axis=0)
    if np.any(E <= 0):
        i = int(np.argmax(E <= 0))
        raise DataError(
            f"country {labels[i]} has no expenditure in the baseline; expected positive GDP or imports",
            source="build_baseline",
        )
    Y = X @ (1.0 - nu) + nu * X.sum(axis=0)
    if np.any(Y <= 0):
        i = int(np.argmax(Y <= 0))
        raise DataError(f"country {labels[i]} has no income (no sales) in the baseline", source="build_baseline")
    T = E - Y - R0
    lam = Xc / E[None, :]
    return GEBaseline(
        labels,
        readonly(X),
        readonly(E),
        readonly(Y),
        readonly(T),
        readonly(lam),
        readonly(nu),
        readonly(t0),
        readonly(R0),
        readonly(Y0),
    )


def _two_region(E: np.ndarray, X12: float, X21: float, home: int) -> tuple[float, float]:
    E2 = E[home]
    E1 = E.sum() - E2
    r11 = (E1 - X21) / (E1 - X21 + X12)
    r22 = (E2 - X12) / (E2 - X12 + X21)
    return float(r11), float(r22)


def two_region_shares(baseline: GEBaseline, home: int) -> tuple[float, float]:
    """(r11, r22) of the two-region aggregate: region 1 = everyone but ``home``, region 2 = ``home``.

    r11 = (E1 − X21)/(E1 − X21 + X12): the share of region 1's sales bought by region 1;
    r22 likewise for the home country.
    """
    X = baseline.X
    other = np.ones(baseline.n, dtype=bool)
    other[home] = False
    X12 = X[other, home].sum()  # region 1 -> home
    X21 = X[home, other].sum()  # home -> region 1
    return _two_region(baseline.E, X12, X21, home)


def calibrate_nu_two_region(
    trade: ArrayLike,
    gdp: ArrayLike,
    home: int,
    targets: tuple[float, float] = (0.12, 0.26),
    *,
    tol: float = 1e-13,
    max_iter: int = 200,
) -> np.ndarray:
    """ν per country: one value ν₂ for ``home``, one ν₁ for all others (ILMS).

    Solves r₁₁ν₁ + (1−r₁₁)ν₂ = targets[0] and (1−r₂₂)ν₁ + r₂₂ν₂ = targets[1], where r₁₁, r₂₂
    (:func:`two_region_shares`) are computed on the baseline built with the same ν: a fixed point,
    iterated to ``tol`` (the shares move little with ν, so it converges in a few steps).

    The inputs are checked once by :func:`build_baseline` (with ν = 0); each iteration then needs
    only the baseline's expenditures, which it computes as build_baseline does (without baseline
    tariffs): T = (1−ν)(M − X(1−ν)), domestic sales max(Y + T − M, 0), E = M + domestic sales.
    """
    first = build_baseline(trade, gdp, 0.0)
    n = first.n
    X = first.X.copy()
    np.fill_diagonal(X, 0.0)
    imports = X.sum(axis=0)
    Y0 = first.gdp_data
    other = np.arange(n) != home
    X12 = X[other, home].sum()  # region 1 -> home
    X21 = X[home, other].sum()  # home -> region 1
    A = np.empty((2, 2))  # rows (r11, 1 − r11) and (1 − r22, r22)
    b = np.asarray(targets, dtype=float)
    nu = np.zeros(n)
    E = first.E
    for _ in range(max_iter):
        r11, r22 = _two_region(E, X12, X21, home)
        A[0] = r11, 1.0 - r11
        A[1] = 1.0 - r22, r22
        nu1, nu2 = np.linalg.solve(A, b)
        new = np.full(n, nu1)
        new[home] = nu2
        if np.max(np.abs(new - nu)) < tol:
            log.debug("nu calibrated: nu1=%.6f nu2=%.6f (r11=%.6f, r22=%.6f)", nu1, nu2, r11, r22)
            return new
        nu = new
        if np.any(nu < 0) or np.any(nu >= 1):
            raise DataError("nu outside [0, 1); expected shares", source="build_baseline", location="nu")
        x_nu = X @ (1.0 - nu)
        T = (1.0 - nu) * (imports - x_nu)
        dom = np.maximum(Y0 + T - imports, 0.0)
        E = imports + dom
        if np.any(E <= 0) or np.any(x_nu + dom * (1.0 - nu) + nu * E <= 0):
            build_baseline(trade, gdp, nu)  # raises the DataError naming the country
    raise DataError(
        "the two-region nu calibration did not settle; check the trade data", source="calibrate_nu_two_region"
    )


# --------------------------------------------------------------------------------------------
# Solving
# --------------------------------------------------------------------------------------------


def _system(
    baseline: GEBaseline, tariffs: ArrayLike, params: GEParams, d_hat: ArrayLike | None = None
) -> _ge_solver.GESystem:
    n = baseline.n
    t1 = _check_tariffs(tariffs, n)
    nu = params.nu_vector(n)
    if not np.all(np.abs(nu - baseline.nu) <= 1e-12):
        raise DataError(
            "params.nu differs from the nu the baseline was built with; rebuild the baseline "
            "(build_baseline(trade, gdp, params.nu)) or pass the same nu",
            source="solve_ge",
            location="nu",
        )
    phi = params.phi_vector(n)
    t1p = 1.0 + t1
    tau_hat = t1p / (1.0 + baseline.tariffs0) if baseline.tariffs0.any() else t1p
    # λ τ̂^(−εφ), the power taken only where the tariff changes (τ̂ = 1 elsewhere: the same numbers)
    base_a = np.array(baseline.lam, dtype=float)
    jj, ii = np.nonzero(tau_hat != 1.0)
    base_a[jj, ii] *= tau_hat[jj, ii] ** (-params.eps * phi[ii])
    if d_hat is not None:
        d = _check_matrix(d_hat, n, "trade-cost change d_hat", positive=True)
        base_a = base_a * d ** (-params.eps)
    tax_cols = np.flatnonzero(t1.any(axis=0))
    base_at = base_a[:, tax_cols] * (t1[:, tax_cols] / t1p[:, tax_cols])
    rho0 = baseline.R0 / baseline.Y
    if np.any(rho0 >= 1):
        raise DataError("baseline tariff revenue exceeds income for some country", source="solve_ge")
    return _ge_solver.GESystem(
        n=n,
        lam=baseline.lam,
        base_a=base_a,
        base_am=np.divide(base_a, t1p, out=t1p),
        tax_cols=tax_cols,
        base_at=base_at,
        E=baseline.E,
        Y=baseline.Y,
        T=baseline.T,
        nu=nu,
        phi=phi,
        eps=float(params.eps),
        psi=float(params.psi),
        kappa=float(params.kappa),
        log_tau0=np.log1p(-rho0),
        income_tax=params.recycling == "income-tax",
        held_deficits=params.deficits == "world-income-share",
        drop=n - 1,
    )


def ge_residual(
    baseline: GEBaseline, tariffs: ArrayLike, params: GEParams, d_hat: ArrayLike | None = None
) -> Callable[[ArrayLike], np.ndarray]:
    """The scaled equilibrium residual F(x) as a function of x = (log ŵ, log Ê, log L̂) (3N).

    For benchmarks and checks with generic solvers (e.g. ``scipy.optimize.fsolve(F, zeros)``);
    :func:`solve_ge` solves the same equations with its analytic Jacobian.
    """
    sysm = _system(baseline, tariffs, params, d_hat)
    return lambda x: _ge_solver.evaluate(np.asarray(x, dtype=float), sysm).F


@dataclass(frozen=True, eq=False, repr=False)
class GESolution(ShortRepr):
    """A solved counterfactual. Hats are new/old ratios; ``*_pct`` are percentage changes.

    w_hat, E_hat, L_hat, P_hat : wage, expenditure, employment and price-index hats (numéraire:
        the expenditure-weighted price index).
    welfare_hat : Ŵ. welfare_pct = 100 (Ŵ − 1). real_income_pct = 100 (ŵL̂/P̂ − 1).
    employment_pct = 100 (L̂ − 1). price_index_pct = 100 (P̂ − 1).
    deficit_change_pct : change of the goods trade deficit (imports − exports, exporter prices,
        domestic sales excluded), in numéraire units, over |baseline deficit|, in percent.
    exports_gdp_change_pct, imports_gdp_change_pct : percentage change of exports/Y and imports/Y.
    tariff_revenue : R_i (money unit of the baseline, numéraire prices).
    tariff_revenue_share : 100 R_i / E_i, the new revenue (numéraire prices) over baseline total
        expenditure (domestic sales included), in percent: the measure ILMS report.
    tariff_revenue_share_new : 100 R_i / E'_i, over the new total expenditure, in percent.
    X_new, lam_new : new flows (exporter prices) and expenditure shares.
    walras_residual : the dropped sales equation at the solution, scaled by Y (Walras' law: ≈ 0).
    """

    countries: tuple[str, ...]
    w_hat: np.ndarray
    E_hat: np.ndarray
    L_hat: np.ndarray
    P_hat: np.ndarray
    welfare_hat: np.ndarray
    welfare_pct: np.ndarray
    real_income_pct: np.ndarray
    employment_pct: np.ndarray
    price_index_pct: np.ndarray
    deficit_change_pct: np.ndarray
    exports_gdp_change_pct: np.ndarray
    imports_gdp_change_pct: np.ndarray
    tariff_revenue: np.ndarray
    tariff_revenue_share: np.ndarray
    tariff_revenue_share_new: np.ndarray
    X_new: np.ndarray
    lam_new: np.ndarray
    walras_residual: float
    solver: SolverInfo
    params: GEParams
    baseline: GEBaseline = field(repr=False)

    def by_country(self) -> pd.DataFrame:
        """One row per country; percent columns in percent (see the class docstring)."""
        df = pd.DataFrame(self.country_columns())
        df.attrs["units"] = {c: "percent" for c in df.columns if c != "iso3"}
        return df

    def country_row(self, iso3: str) -> dict[str, Any] | None:
        """The row of :meth:`by_country` for country ``iso3`` as a mapping (None if it is not in the model)."""
        if iso3 not in self.countries:
            return None
        i = list(self.countries).index(iso3)
        return {k: v[i] for k, v in self.country_columns().items()}

    def country_columns(self) -> dict[str, Any]:
        """The columns of :meth:`by_country`: ``iso3`` (a list) and the percent changes (arrays), a value per country."""
        return {
            "iso3": list(self.countries),
            "welfare_pct": self.welfare_pct,
            "deficit_change_pct": self.deficit_change_pct,
            "exports_gdp_change_pct": self.exports_gdp_change_pct,
            "imports_gdp_change_pct": self.imports_gdp_change_pct,
            "employment_pct": self.employment_pct,
            "price_index_pct": self.price_index_pct,
            "tariff_revenue_share": self.tariff_revenue_share,
            "real_income_pct": self.real_income_pct,
            "wage_pct": 100.0 * (self.w_hat - 1.0),
            "expenditure_pct": 100.0 * (self.E_hat - 1.0),
        }

    def weighted_welfare_pct(self, mask: ArrayLike | None = None) -> float:
        """Average welfare change (percent) weighted by baseline total expenditure E."""
        w = self.baseline.E if mask is None else np.where(np.asarray(mask, dtype=bool), self.baseline.E, 0.0)
        return float(np.sum(w * self.welfare_pct) / np.sum(w))


def solve_ge(
    baseline: GEBaseline,
    new_tariffs: ArrayLike,
    params: GEParams,
    *,
    d_hat: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 50,
    initial: GESolution | None = None,
) -> GESolution:
    """Solve the counterfactual equilibrium for new tariffs (and optionally an iceberg shock).

    new_tariffs : (N, N), t[j, i] = tariff importer i applies on exporter j (share, in limits.TARIFF_BOUNDS,
        zero diagonal). Any matrix: unilateral, retaliation, multilateral.
    d_hat : optional (N, N) positive change in iceberg trade costs (1 = no change).
    tol : max-abs scaled residual accepted (equations divided by Y or E). max_iter : Newton steps.
    initial : a previous solution on the same baseline to start from (warm start).

    Raises DataError for malformed inputs, ConvergenceError (with iterations, residual, seconds,
    method) when the solver does not reach ``tol``; never returns an unconverged answer.
    """
    sysm = _system(baseline, new_tariffs, params, d_hat)
    x0 = None
    if initial is not None:
        if initial.countries != baseline.countries:
            raise DataError(
                "initial solution is for other countries; expected a solution on the same baseline",
                source="solve_ge",
                location="initial",
            )
        x0 = np.log(np.concatenate([initial.w_hat, initial.E_hat, initial.L_hat]))
    _, st, info = _ge_solver.newton_solve(sysm, x0, tol=tol, max_iter=max_iter)
    log.debug("GE solve: %d steps, residual %.2e, %.1f ms", info.iterations, info.residual, 1e3 * info.seconds)
    return _solution(baseline, params, st, info)


def solve_ge_batch(
    baseline: GEBaseline,
    new_tariffs: ArrayLike,
    params: GEParams | Sequence[GEParams],
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> list[GESolution]:
    """Solve D counterfactuals on one baseline at once (parameter draws, elasticity sets, tariff
    rates): one :class:`GESolution` per case, each equal to :func:`solve_ge`'s for that case.

    new_tariffs : (N, N), common to every case, or (D, N, N), one matrix per case.
    params : one :class:`GEParams` for every case, or a sequence of D (all with the baseline's ν).

    The cases are one Newton–Broyden iteration with a leading case axis
    (:mod:`tariffsim.models._ge_batch`): each case takes the steps :func:`solve_ge` takes from the
    same (cold) start, so the solutions agree to rounding (tested to 1e-10). Systems of more than
    ``_ge_batch.DENSE_LIMIT`` countries are solved one case after the other with :func:`solve_ge`'s
    solver (its 2N Schur complement is then cheaper than the batch's dense 3N blocks). Raises as
    :func:`solve_ge` does; a ConvergenceError names the case.
    """
    n = baseline.n
    t = np.asarray(new_tariffs, dtype=float)
    plist = [params] if isinstance(params, GEParams) else list(params)
    sizes = {len(plist)} if not isinstance(params, GEParams) else set()
    if t.ndim == 3:
        sizes.add(t.shape[0])
    if len(sizes) > 1:
        raise DataError(
            f"{t.shape[0]} tariff matrices but {len(plist)} parameter sets; expected one of each per case (or one "
            "for all)",
            source="solve_ge_batch",
            location="params",
        )
    cases = next(iter(sizes), 1)
    if cases < 1:
        raise DataError("no cases to solve", source="solve_ge_batch", location="params")
    if not all(isinstance(p, GEParams) for p in plist):
        raise DataError("params must be GEParams", source="solve_ge_batch", location="params")
    plist = plist * cases if len(plist) == 1 else plist
    if n > _ge_batch.DENSE_LIMIT:
        out = []
        for d, p in enumerate(plist):
            sysm = _system(baseline, t[d] if t.ndim == 3 else t, p)
            _, st, info = _ge_solver.newton_solve(sysm, None, tol=tol, max_iter=max_iter)
            out.append(_solution(baseline, p, st, info))
        return out
    b = _batch_system(baseline, t, plist)
    _, final, infos = _ge_batch.newton_solve_batch(b, tol=tol, max_iter=max_iter)
    return _solutions(baseline, plist, final, final.X_new(b), final.lam_new(b), infos)


def _batch_system(baseline: GEBaseline, tariffs: np.ndarray, plist: list[GEParams]) -> _ge_batch.BatchSystem:
    """The stacked systems of D cases (what :func:`_system` builds for one, with a leading case axis);
    ``tariffs`` (N, N) for every case or (D, N, N)."""
    n, cases = baseline.n, len(plist)
    t1 = (
        np.stack([_check_tariffs(t, n) for t in tariffs])
        if tariffs.ndim == 3
        else np.broadcast_to(_check_tariffs(tariffs, n), (cases, n, n))
    )
    for p in plist:
        if not np.all(np.abs(p.nu_vector(n) - baseline.nu) <= 1e-12):
            raise DataError(
                "params.nu differs from the nu the baseline was built with; rebuild the baseline "
                "(build_baseline(trade, gdp, params.nu)) or pass the same nu",
                source="solve_ge_batch",
                location="nu",
            )
    rho0 = baseline.R0 / baseline.Y
    if np.any(rho0 >= 1):
        raise DataError("baseline tariff revenue exceeds income for some country", source="solve_ge")
    return _ge_batch.build(
        lam=baseline.lam,
        tariffs0=baseline.tariffs0,
        tariffs=t1,
        E=baseline.E,
        Y=baseline.Y,
        T=baseline.T,
        nu=baseline.nu,
        log_tau0=np.log1p(-rho0),
        phi=np.stack([p.phi_vector(n) for p in plist]),
        eps=np.array([float(p.eps) for p in plist]),
        psi=np.array([float(p.psi) for p in plist]),
        kappa=np.array([float(p.kappa) for p in plist]),
        income_tax=np.array([p.recycling == "income-tax" for p in plist]),
        held_deficits=np.array([p.deficits == "world-income-share" for p in plist]),
    )


def _pct_change(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(old != 0, 100.0 * (new / np.where(old != 0, old, 1.0) - 1.0), np.nan)


def _solution(baseline: GEBaseline, params: GEParams, st: _ge_solver.GEState, info: SolverInfo) -> GESolution:
    arrays = {k: getattr(st, k)[None] for k in _ge_batch.SOLUTION_FIELDS}
    one = _ge_batch.BatchState(np.zeros(1, dtype=int), **arrays, walras=np.array([st.walras]))
    return _solutions(baseline, [params], one, st.X_new[None], st.lam_new[None], [info])[0]


def _solutions(
    baseline: GEBaseline,
    plist: Sequence[GEParams],
    st: _ge_batch.BatchState,
    X1: np.ndarray,
    lam1: np.ndarray,
    infos: Sequence[SolverInfo],
) -> list[GESolution]:
    """The solution records of D cases from their final states (arrays with a leading case axis)."""
    kappa = np.array([float(p.kappa) for p in plist])[:, None]
    one_minus_tau = np.exp(-st.log_tau)  # 1 − τ_i = 1/τ̂_i (see the module docstring)
    delta = baseline.E / (baseline.E - kappa * one_minus_tau * baseline.Y / (1.0 + kappa))
    real_inc = st.w * st.l / st.P
    W = delta * st.e / st.P + (1.0 - delta) * real_inc
    off = ~np.eye(baseline.n, dtype=bool)  # trade only (domestic sales excluded)
    X0 = baseline.X
    exp0, imp0 = X0.sum(axis=1, where=off), X0.sum(axis=0, where=off)
    exp1, imp1 = X1.sum(axis=2, where=off), X1.sum(axis=1, where=off)
    D0, D1 = imp0 - exp0, imp1 - exp1
    with np.errstate(invalid="ignore", divide="ignore"):
        dd = np.where(D0 != 0, 100.0 * (D1 - D0) / np.abs(np.where(D0 != 0, D0, 1.0)), np.nan)
    Yhat = st.Y_new / baseline.Y
    arrays = {
        "w_hat": st.w,
        "E_hat": st.e,
        "L_hat": st.l,
        "P_hat": st.P,
        "welfare_hat": W,
        "welfare_pct": 100.0 * (W - 1.0),
        "real_income_pct": 100.0 * (real_inc - 1.0),
        "employment_pct": 100.0 * (st.l - 1.0),
        "price_index_pct": 100.0 * (st.P - 1.0),
        "deficit_change_pct": dd,
        "exports_gdp_change_pct": _pct_change(exp1 / Yhat, exp0),
        "imports_gdp_change_pct": _pct_change(imp1 / Yhat, imp0),
        "tariff_revenue": st.R,
        "tariff_revenue_share": 100.0 * st.R / baseline.E,
        "tariff_revenue_share_new": 100.0 * st.R / st.E_new,
        "X_new": X1,
        "lam_new": lam1,
    }
    frozen = {k: readonly(a) for k, a in arrays.items()}  # one read-only copy; each case gets its rows
    return [
        GESolution(
            countries=baseline.countries,
            **{k: a[d] for k, a in frozen.items()},
            walras_residual=float(st.walras[d]),
            solver=infos[d],
            params=plist[d],
            baseline=baseline,
        )
        for d in range(len(plist))
    ]
