"""The general-equilibrium engine (MODELS.md section 4) on small synthetic economies.

Analytical references: the ACR formula (Arkolakis, Costinot and Rodríguez-Clare 2012, AER,
"New Trade Models, Same Old Gains?", eq. 1): with ν = 0, κ = 0, φ = 1 and balanced trade, the
welfare change of an iceberg-cost shock is λ̂_ii^(−1/ε). Walras' law: the sales equation the
solver drops (replaced by the numéraire) holds at the solution.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffsim.errors import ConvergenceError, DataError, TariffSimError
from tariffsim.models import _ge_solver
from tariffsim.models.ge import (
    DEFICITS,
    RECYCLING,
    GEParams,
    _system,  # private: builds the equations the solver sees
    build_baseline,
    calibrate_nu_two_region,
    ge_residual,
    ilms_phi,
    solve_ge,
    two_region_shares,
)

N = 6


def economy(seed: int = 0, n: int = N):
    """Random trade matrix (USD, exporter x importer) with GDP comfortably above exports."""
    rng = np.random.default_rng(seed)
    X = rng.lognormal(mean=0.0, sigma=1.0, size=(n, n)) * 1e9
    np.fill_diagonal(X, 0.0)
    gdp = X.sum(axis=1) * rng.uniform(2.0, 5.0, size=n)
    return X, gdp


def tariff_matrix(seed: int = 1, n: int = N, high: float = 0.5):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, high, size=(n, n))
    np.fill_diagonal(t, 0.0)
    return t


@pytest.fixture(scope="module")
def ilms_like():
    X, gdp = economy()
    nu = calibrate_nu_two_region(X, gdp, home=0)
    return build_baseline(X, gdp, nu), GEParams.ilms(nu)


# ----------------------------------------------------------------------------------------------
# Baseline construction
# ----------------------------------------------------------------------------------------------


def test_baseline_accounting_identities():
    X, gdp = economy()
    nu = np.linspace(0.05, 0.3, N)
    t0 = tariff_matrix(5, high=0.2)
    b = build_baseline(X, gdp, nu, tariffs0=t0)
    np.testing.assert_allclose(b.lam.sum(axis=0), 1.0, rtol=1e-14)
    np.testing.assert_allclose(b.E, b.Y + b.T + b.R0, rtol=1e-12)
    np.testing.assert_allclose(b.R0, (t0 * b.X).sum(axis=0), rtol=1e-12)
    sales = b.X @ (1 - nu) + nu * b.X.sum(axis=0)
    np.testing.assert_allclose(sales, b.Y, rtol=1e-12)
    assert abs(b.T.sum()) < 1e-9 * b.E.sum()  # deficits sum to zero across the world
    np.testing.assert_array_equal(np.diag(b.X) > 0, True)
    off = ~np.eye(N, dtype=bool)
    np.testing.assert_array_equal(b.X[off], X[off])  # the observed flows are kept


def test_ilms_construction_without_tariffs():
    """T_i = (1−ν_i)(imports − Σ_j (1−ν_j) X_ij) and X_ii = E_i − imports, as MODELS.md writes."""
    X, gdp = economy(3)
    nu = np.full(N, 0.2)
    b = build_baseline(X, gdp, nu)
    T0 = (1 - nu) * (X.sum(axis=0) - X @ (1 - nu))
    np.testing.assert_allclose(np.diag(b.X), gdp + T0 - X.sum(axis=0), rtol=1e-12)


def test_domestic_sales_clipped_at_zero():
    X, gdp = economy(4)
    gdp = gdp.copy()
    gdp[2] = X[:, 2].sum() * 0.01  # imports far above expenditure
    b = build_baseline(X, gdp, 0.0)
    assert b.X[2, 2] == 0.0
    assert b.E[2] == pytest.approx(X[:, 2].sum())


def test_two_region_nu_calibration_meets_targets():
    X, gdp = economy(2)
    nu = calibrate_nu_two_region(X, gdp, home=1, targets=(0.12, 0.26))
    r11, r22 = two_region_shares(build_baseline(X, gdp, nu), 1)
    nu1, nu2 = nu[0], nu[1]
    assert r11 * nu1 + (1 - r11) * nu2 == pytest.approx(0.12, abs=1e-12)
    assert (1 - r22) * nu1 + r22 * nu2 == pytest.approx(0.26, abs=1e-12)
    assert np.all(nu[np.arange(N) != 1] == nu1)


def test_ilms_phi_is_one_without_inputs():
    assert ilms_phi(0.0, 4 / 0.67) == pytest.approx(1.0)
    assert ilms_phi(0.3, 4 / 0.67) > 1.0


# ----------------------------------------------------------------------------------------------
# Analytical checks
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("recycling", RECYCLING)
def test_zero_tariffs_give_zero_change(ilms_like, recycling):
    b, p = ilms_like
    sol = solve_ge(b, np.zeros((N, N)), p.replace(recycling=recycling))
    assert sol.solver.converged and sol.solver.iterations == 0
    for arr in (
        sol.welfare_pct,
        sol.employment_pct,
        sol.price_index_pct,
        sol.deficit_change_pct,
        sol.exports_gdp_change_pct,
        sol.imports_gdp_change_pct,
        sol.tariff_revenue_share,
    ):
        np.testing.assert_allclose(arr, 0.0, atol=1e-12)
    np.testing.assert_allclose(sol.X_new, b.X, rtol=1e-13)


def test_unchanged_baseline_tariffs_give_zero_change():
    X, gdp = economy(7)
    t0 = tariff_matrix(8, high=0.3)
    b = build_baseline(X, gdp, 0.1, tariffs0=t0)
    p = GEParams(eps=5.0, kappa=0.5, psi=0.1, phi=None, theta=7.0, nu=0.1)
    sol = solve_ge(b, t0, p)
    assert sol.solver.iterations == 0
    np.testing.assert_allclose(sol.welfare_pct, 0.0, atol=1e-12)
    np.testing.assert_allclose(sol.tariff_revenue, b.R0, rtol=1e-12)


@pytest.mark.parametrize("deficits", DEFICITS)
def test_acr_formula_for_iceberg_shock(deficits):
    """ν = 0, κ = 0, φ = 1, balanced trade: Ŵ_i = λ̂_ii^(−1/ε) (ACR 2012, eq. 1)."""
    rng = np.random.default_rng(11)
    A = rng.lognormal(0.0, 1.0, size=(N, N)) * 1e9
    X = A + A.T  # symmetric: every country's exports equal its imports (balanced trade)
    np.fill_diagonal(X, 0.0)
    gdp = X.sum(axis=0) * rng.uniform(2.0, 4.0, N)
    b = build_baseline(X, gdp, 0.0)
    np.testing.assert_allclose(b.T, 0.0, atol=1e-12 * b.E.sum())
    d_hat = rng.uniform(0.7, 1.6, size=(N, N))
    np.fill_diagonal(d_hat, 1.0)
    eps = 4.0
    p = GEParams(eps=eps, kappa=0.0, psi=0.3, phi=1.0, nu=0.0, deficits=deficits)
    sol = solve_ge(b, np.zeros((N, N)), p, d_hat=d_hat)
    lam_ii_hat = np.diag(sol.lam_new) / np.diag(b.lam)
    np.testing.assert_allclose(sol.welfare_hat, lam_ii_hat ** (-1.0 / eps), rtol=1e-10)
    np.testing.assert_allclose(sol.L_hat, 1.0, rtol=1e-12)  # fixed labour
    assert np.ptp(sol.welfare_pct) > 1.0  # the shock matters, so the check has teeth


@pytest.mark.parametrize("recycling", RECYCLING)
@pytest.mark.parametrize("deficits", DEFICITS)
def test_walras_law_dropped_equation_holds(ilms_like, recycling, deficits):
    b, p = ilms_like
    sol = solve_ge(b, tariff_matrix(2), p.replace(recycling=recycling, deficits=deficits))
    nu = b.nu
    Y_new = sol.w_hat * sol.L_hat * b.Y
    sales = sol.X_new @ (1 - nu) + nu * sol.X_new.sum(axis=0)
    np.testing.assert_allclose(sales, Y_new, rtol=1e-9)  # all N equations, the dropped one included
    assert abs(sol.walras_residual) < 1e-9
    E_new = sol.E_hat * b.E
    T_new = b.T * Y_new.sum() / b.Y.sum() if deficits == "world-income-share" else 0.0
    np.testing.assert_allclose(E_new, sol.tariff_revenue + Y_new + T_new, rtol=1e-9)  # budgets
    assert b.E @ (sol.P_hat - 1) == pytest.approx(0.0, abs=1e-9 * b.E.sum())  # numéraire


def test_jacobian_matches_finite_differences():
    """The hand-derived Jacobian the Newton solver uses equals central differences of F."""
    X, gdp = economy(9)
    nu = np.linspace(0.0, 0.3, N)
    b = build_baseline(X, gdp, nu, tariffs0=tariff_matrix(3, high=0.2))
    rng = np.random.default_rng(4)
    t, d_hat = tariff_matrix(6), rng.uniform(0.9, 1.1, (N, N))
    h = 1e-6
    for recycling in RECYCLING:
        for deficits in DEFICITS:
            p = GEParams(
                eps=4.0, kappa=0.5, psi=0.2, phi=None, theta=6.0, nu=nu, recycling=recycling, deficits=deficits
            )
            sysm = _system(b, t, p, d_hat=d_hat)
            F = ge_residual(b, t, p, d_hat=d_hat)
            x = rng.normal(0.0, 0.1, 3 * N)
            J = _ge_solver.full_jacobian(_ge_solver.evaluate(x, sysm), sysm)
            Jn = np.column_stack([(F(x + h * e) - F(x - h * e)) / (2 * h) for e in np.eye(3 * N)])
            np.testing.assert_allclose(J, Jn, atol=1e-7, err_msg=f"{recycling}, {deficits}")


def test_schur_complement_and_direction_match_the_dense_jacobian():
    """The directly assembled 2N Schur complement (log Ê eliminated) equals the one built from the
    nine Jacobian blocks, and the factorised direction solves the full 3N Newton system."""
    X, gdp = economy(11)
    nu = np.linspace(0.0, 0.3, N)
    b = build_baseline(X, gdp, nu, tariffs0=tariff_matrix(5, high=0.2))
    rng = np.random.default_rng(6)
    t, d_hat = tariff_matrix(8), rng.uniform(0.9, 1.1, (N, N))
    for recycling in RECYCLING:
        for deficits in DEFICITS:
            p = GEParams(
                eps=4.0, kappa=0.5, psi=0.2, phi=None, theta=6.0, nu=nu, recycling=recycling, deficits=deficits
            )
            sysm = _system(b, t, p, d_hat=d_hat)
            st_ = _ge_solver.evaluate(rng.normal(0.0, 0.1, 3 * N), sysm)
            J11, J12, J13, J21, d2, J23, J31, J32, J33 = _ge_solver.jacobian(st_, sysm)
            B1, b3 = J12 / d2[None, :], np.diagonal(J32) / d2
            K_ref = np.block(
                [
                    [J11 - B1 @ J21, J13 - B1 @ J23],
                    [J31 - b3[:, None] * J21, J33 - b3[:, None] * J23],
                ]
            )
            K, _ = _ge_solver._schur(st_, sysm)
            np.testing.assert_allclose(K, K_ref, rtol=1e-12, atol=1e-12 * np.abs(K_ref).max(), err_msg=recycling)
            J = _ge_solver.full_jacobian(st_, sysm)
            dx = _ge_solver.direction(_ge_solver.factorize(st_, sysm), st_.F, N)
            np.testing.assert_allclose(J @ dx, -st_.F, atol=1e-12, err_msg=f"{recycling}, {deficits}")


# ----------------------------------------------------------------------------------------------
# Economics of the special cases
# ----------------------------------------------------------------------------------------------


def test_unilateral_tariff_economics(ilms_like):
    b, p = ilms_like
    t = np.zeros((N, N))
    t[1:, 0] = 0.2  # country 0 taxes all imports
    sol = solve_ge(b, t, p)
    assert sol.tariff_revenue[0] > 0 and np.all(sol.tariff_revenue[1:] == 0)
    assert sol.imports_gdp_change_pct[0] < 0
    assert np.all(sol.welfare_pct[1:] < 0)  # partners lose from a worse terms of trade
    assert sol.lam_new[0, 0] > b.lam[0, 0]  # spending shifts to home goods
    lump = solve_ge(b, t, p.replace(recycling="lump-sum"))
    assert sol.employment_pct[0] > lump.employment_pct[0]  # income-tax relief raises labour supply


def test_fixed_labour_and_eaton_kortum():
    X, gdp = economy(5)
    b = build_baseline(X, gdp, 0.0)
    p = GEParams(eps=4.0, kappa=0.0, psi=0.0, phi=1.0, nu=0.0)
    sol = solve_ge(b, tariff_matrix(7), p)
    np.testing.assert_allclose(sol.L_hat, 1.0, rtol=1e-12)
    np.testing.assert_allclose(sol.welfare_hat, sol.E_hat / sol.P_hat, rtol=1e-12)  # δ = 1 when κ = 0


def test_warm_start_needs_no_step(ilms_like):
    b, p = ilms_like
    t = tariff_matrix(2)
    sol = solve_ge(b, t, p)
    again = solve_ge(b, t, p, initial=sol)
    assert again.solver.iterations == 0
    np.testing.assert_allclose(again.welfare_pct, sol.welfare_pct, atol=1e-9)
    X, gdp = economy(1, n=N - 1)
    other = build_baseline(X, gdp, 0.0)
    with pytest.raises(DataError, match="same baseline"):
        solve_ge(other, np.zeros((N - 1, N - 1)), GEParams(), initial=sol)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(perm=st.permutations(list(range(N))), seed=st.integers(0, 50))
def test_invariant_to_country_order(perm, seed):
    X, gdp = economy(seed)
    t = tariff_matrix(seed + 1)
    nu = np.linspace(0.05, 0.25, N)
    b = build_baseline(X, gdp, nu)
    p = GEParams(eps=4.0, kappa=0.5, psi=0.1, phi=None, theta=6.0, nu=nu)
    ref = solve_ge(b, t, p)
    q = np.asarray(perm)
    bp = build_baseline(X[np.ix_(q, q)], gdp[q], nu[q])
    sol = solve_ge(bp, t[np.ix_(q, q)], p.replace(nu=nu[q]))
    for name in ("welfare_pct", "employment_pct", "price_index_pct", "tariff_revenue_share"):
        np.testing.assert_allclose(getattr(sol, name), getattr(ref, name)[q], rtol=1e-7, atol=1e-8, err_msg=name)
    # the deficit change is relative to |baseline deficit|, which can be small: the solver's 1e-10
    # residual then shows in the 7th digit, so compare it in percentage points
    np.testing.assert_allclose(sol.deficit_change_pct, ref.deficit_change_pct[q], rtol=0, atol=1e-5)


def test_invariant_to_currency_unit(ilms_like):
    X, gdp = economy()
    nu = calibrate_nu_two_region(X, gdp, home=0)
    p = GEParams.ilms(nu)
    t = tariff_matrix(2)
    a = solve_ge(build_baseline(X, gdp, nu), t, p)
    k = solve_ge(build_baseline(X / 1e3, gdp / 1e3, nu), t, p)
    np.testing.assert_allclose(a.welfare_pct, k.welfare_pct, atol=1e-9)


def test_by_country_frame(ilms_like):
    b, p = ilms_like
    df = solve_ge(b, tariff_matrix(2), p).by_country()
    for col in (
        "iso3",
        "welfare_pct",
        "deficit_change_pct",
        "exports_gdp_change_pct",
        "imports_gdp_change_pct",
        "employment_pct",
        "price_index_pct",
        "tariff_revenue_share",
    ):
        assert col in df.columns
    assert len(df) == N and df["iso3"].tolist() == list(b.countries)


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tariffs", "fragment"),
    [
        (np.zeros((N, N + 1)), "expected (6, 6)"),
        (np.full((N, N), np.nan), "non-finite"),
        (-tariff_matrix(1), "expected values >= 0"),
        (tariff_matrix(1) * 100, "outside [0, 10]"),
        (np.ones((N, N)), "on the diagonal"),
    ],
)
def test_bad_tariffs_raise_data_error(ilms_like, tariffs, fragment):
    b, p = ilms_like
    with pytest.raises(DataError, match="expected|outside") as exc:
        solve_ge(b, tariffs, p)
    assert fragment in str(exc.value)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"eps": -4.0}, "expected eps > 0"),
        ({"eps": 0.0}, "expected eps > 0"),
        ({"kappa": -0.5}, "expected kappa >= 0"),
        ({"psi": -0.1}, "expected psi >= 0"),
        ({"nu": 1.2}, "expected values in [0, 1)"),
        ({"phi": -1.0}, "expected positive"),
        ({"phi": None}, "expected theta > 0"),
        ({"recycling": "helicopter"}, "expected one of income-tax, lump-sum"),
        ({"deficits": "zero"}, "expected one of"),
        ({"eps": float("nan")}, "expected a finite number"),
    ],
)
def test_bad_parameters_raise_data_error(kwargs, fragment):
    with pytest.raises(DataError) as exc:
        GEParams(**kwargs)
    assert fragment in str(exc.value)


def test_malformed_baseline_inputs():
    X, gdp = economy()
    with pytest.raises(DataError, match="square"):
        build_baseline(X[:, :-1], gdp)
    bad = X.copy()
    bad[0, 1] = -1.0
    with pytest.raises(DataError, match=">= 0"):
        build_baseline(bad, gdp)
    bad[0, 1] = np.inf
    with pytest.raises(DataError, match="non-finite"):
        build_baseline(bad, gdp)
    with pytest.raises(DataError, match="one per country"):
        build_baseline(X, gdp[:-1])
    g = gdp.copy()
    g[3] = 0.0
    with pytest.raises(DataError, match="positive"):
        build_baseline(X, g)
    with pytest.raises(DataError, match="unique labels"):
        build_baseline(X, gdp, countries=["A"] * N)


def test_nu_mismatch_and_bad_trade_cost_change(ilms_like):
    b, p = ilms_like
    with pytest.raises(DataError, match="nu"):
        solve_ge(b, np.zeros((N, N)), p.replace(nu=0.0))
    d = np.ones((N, N))
    d[0, 1] = 0.0
    with pytest.raises(DataError, match="> 0"):
        solve_ge(b, np.zeros((N, N)), p, d_hat=d)


def test_non_convergence_raises_with_facts(ilms_like):
    b, p = ilms_like
    with pytest.raises(ConvergenceError) as exc:
        solve_ge(b, tariff_matrix(2, high=2.0), p, max_iter=1)
    err = exc.value
    assert isinstance(err, TariffSimError)
    assert err.iterations == 1
    assert err.residual > 1e-10 and np.isfinite(err.residual)
    assert err.seconds >= 0 and err.method == _ge_solver.METHOD
    assert "max_iter=1" in str(err)
