"""Batched solves (issue 21): many cases of the PE and GE models in one solve, cases as a leading
array axis, against the per-case solve (the reference) case by case.

The batched solvers run the same algorithm on every case (each PE sector block and each GE case
takes the steps it takes alone), so the numbers agree to rounding; the tests ask for 1e-10.
"""

from __future__ import annotations

import numpy as np
import pytest

from tariffsim.engine.simulation import apply_draw, draw_parameters, resolve, run_case, run_cases
from tariffsim.errors import ConvergenceError, DataError
from tariffsim.models import _ge_batch
from tariffsim.models.ge import GEParams, build_baseline, calibrate_nu_two_region, solve_ge, solve_ge_batch
from tariffsim.models.pe import PEOutcome, solve_pe, solve_pe_batch

PE_FIELDS = (
    "w_hat",
    "P_hat",
    "Q_hat",
    "q_hat",
    "p_hat",
    "V0",
    "V1",
    "V1_consumer",
    "dV",
    "price_effect",
    "trade_creation",
    "trade_diversion",
    "revenue0",
    "revenue1",
    "consumer_surplus",
    "producer_surplus",
    "importer_welfare",
    "shares0",
    "shares1",
    "eta",
    "sigma",
    "eps_x",
)
GE_FIELDS = (
    "w_hat",
    "E_hat",
    "L_hat",
    "P_hat",
    "welfare_hat",
    "welfare_pct",
    "real_income_pct",
    "employment_pct",
    "price_index_pct",
    "deficit_change_pct",
    "exports_gdp_change_pct",
    "imports_gdp_change_pct",
    "tariff_revenue",
    "tariff_revenue_share",
    "tariff_revenue_share_new",
    "X_new",
    "lam_new",
)


def trade(seed: int = 0, k: int = 6, s: int = 4, zeros: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    V = rng.lognormal(0.0, 1.0, size=(k, k, s)) * (rng.uniform(size=(k, k, s)) > zeros)
    V[np.arange(k), np.arange(k)] = 0.0
    return V


def assert_same_pe(a: PEOutcome, b: PEOutcome, tol: float = 1e-10) -> None:
    assert a.method == b.method
    for f in PE_FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        assert x.shape == y.shape, f
        scale = max(1.0, float(np.max(np.abs(x[np.isfinite(x)]), initial=0.0)))
        np.testing.assert_allclose(y, x, rtol=tol, atol=tol * scale, err_msg=f)  # inf (ε_x) must match exactly
    assert b.solver.residual <= 1e-12


# ------------------------------------------------------------------------------------------ PE


@pytest.mark.parametrize("method", ["exact", "smart-linear"])
def test_pe_batch_equals_the_per_case_solve(method):
    """Draws of every elasticity, finite and infinite supply elasticities, one case with σ = 1."""
    V = trade()
    t0 = np.where(V > 0, 0.03, 0.0)
    t1 = t0.copy()
    t1[1, 0] = 0.25  # market 0 taxes exporter 1
    t1[2, 3, :2] = 0.6
    rng = np.random.default_rng(3)
    n, s = 7, V.shape[2]
    eta = rng.uniform(0.3, 3.0, size=(n, s))
    sigma = rng.uniform(0.5, 8.0, size=(n, s))
    sigma[2] = 1.0  # Cobb-Douglas composite
    eps = rng.uniform(0.3, 6.0, size=(n, s))
    eps[4] = np.inf  # fixed exporter prices
    eps[5, 1] = np.inf
    out = solve_pe_batch(V, t0, t1, eta=eta, sigma=sigma, eps_x=eps, method=method)
    assert len(out) == n
    for d in range(n):
        ref = solve_pe(V, t0, t1, eta=eta[d], sigma=sigma[d], eps_x=eps[d], method=method)
        assert_same_pe(ref, out[d])


def test_pe_batch_with_a_tariff_matrix_per_case_and_shared_elasticities():
    """A sweep over rates: t1 per case, the same elasticities; the zero-tariff case is the identity."""
    V = trade(1, k=5, s=3)
    rates = np.array([0.0, 0.1, 0.25, 0.5, 1.5])
    t1 = np.zeros((rates.size, *V.shape))
    t1[:, 2, 0] = rates[:, None]
    out = solve_pe_batch(V, 0.0, t1, eta=1.2, sigma=[2.0, 4.0, 6.0], eps_x=2.5)
    for d in range(rates.size):
        assert_same_pe(solve_pe(V, 0.0, t1[d], eta=1.2, sigma=[2.0, 4.0, 6.0], eps_x=2.5), out[d])
    np.testing.assert_array_equal(out[0].V1, V)  # no tariff change, no effect (exactly)
    np.testing.assert_array_equal(out[0].w_hat, 1.0)
    losses = [float(o.V1[2, 0].sum() - V[2, 0].sum()) for o in out]
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))  # a higher rate, a larger loss


def test_pe_batch_hard_case_does_not_change_the_others():
    """A hard case (ε_x = 0.035, σ = 45, a 530 % tariff: damped Newton, six steps) beside easy
    ones (two or three steps): every case keeps its own numbers and its own residual."""
    V = trade(4, k=4, s=2, zeros=0.0)
    t1 = np.zeros(V.shape)
    t1[0] = 5.3
    eta = np.array([[1.1, 1.1], [1.0, 1.0], [2.0, 0.5]])
    sigma = np.array([[45.0, 45.0], [4.0, 4.0], [3.0, 2.0]])
    eps = np.array([[0.035, 0.035], [2.0, 2.0], [1.0, 5.0]])
    out = solve_pe_batch(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=eps)
    refs = [solve_pe(V, 0.0, t1, eta=eta[d], sigma=sigma[d], eps_x=eps[d]) for d in range(3)]
    assert refs[0].solver.iterations >= 6 > refs[1].solver.iterations
    for ref, o in zip(refs, out, strict=True):
        assert_same_pe(ref, o)
        assert o.solver.iterations == refs[0].solver.iterations  # the batch's Newton sweeps
    assert out[1].solver.residual == refs[1].solver.residual  # each case its own residual


def test_pe_batch_of_one_and_errors_name_the_case():
    V = trade(4, k=3, s=2)
    (one,) = solve_pe_batch(V, 0.0, 0.1, eta=1.0, sigma=3.0, eps_x=2.0)
    assert_same_pe(solve_pe(V, 0.0, 0.1, eta=1.0, sigma=3.0, eps_x=2.0), one)
    with pytest.raises(DataError, match="case axis has different lengths") as e:
        solve_pe_batch(V, 0.0, np.zeros((3, *V.shape)), eta=np.ones((2, 2)), sigma=3.0, eps_x=2.0)
    assert e.value.location == "t1, eta"
    sigma = np.full((3, 2), 2.0)
    sigma[2, 1] = -1.0
    with pytest.raises(DataError, match=r"sigma\[2, 1\] = -1.0") as e:
        solve_pe_batch(V, 0.0, 0.1, eta=1.0, sigma=sigma, eps_x=2.0)
    assert "sector index 1" in str(e.value.location)
    t1 = np.zeros((2, *V.shape))
    t1[1, 0, 1, 1] = -1.0
    with pytest.raises(DataError, match="not finite or <= -1") as e:
        solve_pe_batch(V, 0.0, t1, eta=1.0, sigma=2.0, eps_x=2.0)
    assert e.value.location == "t1[1, 0, 1, 1]"
    with pytest.raises(DataError, match="one row per case"):
        solve_pe_batch(V, 0.0, 0.1, eta=np.ones((2, 3)), sigma=2.0, eps_x=2.0)


# ------------------------------------------------------------------------------------------ GE


def economy(seed: int = 0, n: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(0.0, 1.0, size=(n, n)) * 1e9
    np.fill_diagonal(X, 0.0)
    return X, X.sum(axis=1) * rng.uniform(2.0, 5.0, size=n)


def tariffs(seed: int, n: int, high: float) -> np.ndarray:
    t = np.random.default_rng(seed).uniform(0.0, high, size=(n, n))
    np.fill_diagonal(t, 0.0)
    return t


def assert_same_ge(a, b, tol: float = 1e-10) -> None:
    for f in GE_FIELDS:
        x, y = getattr(a, f), getattr(b, f)
        scale = max(1.0, float(np.nanmax(np.abs(x), initial=0.0)))
        np.testing.assert_allclose(y, x, rtol=0, atol=tol * scale, err_msg=f)
    assert b.solver.iterations == a.solver.iterations  # the same steps
    assert b.solver.residual < 1e-10
    assert abs(b.walras_residual - a.walras_residual) < 1e-10


def test_ge_batch_equals_the_per_case_solve_over_elasticity_draws():
    """The long-run configuration of simulate (κ = ψ = 0, φ = 1) at drawn trade elasticities, with
    baseline tariffs."""
    X, gdp = economy()
    nu = calibrate_nu_two_region(X, gdp, home=0)
    base = build_baseline(X, gdp, nu, tariffs0=tariffs(2, 6, 0.05))
    t1 = base.tariffs0.copy()
    t1[1, 0] = 0.25
    eps = np.random.default_rng(5).uniform(0.8, 8.0, size=25)
    params = [GEParams(eps=e, kappa=0.0, psi=0.0, phi=1.0, nu=nu) for e in eps]
    out = solve_ge_batch(base, t1, params)
    for p, b in zip(params, out, strict=True):
        assert_same_ge(solve_ge(base, t1, p), b)


def test_ge_batch_mixes_configurations_and_tariffs_per_case():
    """ILMS configurations (scale economies, labour supply, both revenue uses, balanced trade) and
    a tariff matrix per case; a case without a tariff change stays at the baseline."""
    X, gdp = economy(1)
    nu = calibrate_nu_two_region(X, gdp, home=0)
    base = build_baseline(X, gdp, nu)
    params = [
        GEParams.ilms(nu),
        GEParams.ilms(nu, recycling="lump-sum"),
        GEParams.ilms(nu, eps=6.0, deficits="balanced"),
        GEParams(eps=3.0, kappa=0.0, psi=0.0, phi=1.0, nu=nu),
        GEParams.ilms(nu, eps=2.5, kappa=1.0),
    ]
    t1 = np.stack([tariffs(10 + d, 6, 0.5) for d in range(len(params))])
    t1[3] = 0.0  # no tariff in the Armington case: its equilibrium is the baseline
    out = solve_ge_batch(base, t1, params)
    for d, (p, b) in enumerate(zip(params, out, strict=True)):
        assert_same_ge(solve_ge(base, t1[d], p), b)
    np.testing.assert_allclose(out[3].w_hat, 1.0, atol=1e-12)
    np.testing.assert_allclose(out[3].real_income_pct, 0.0, atol=1e-10)


def test_ge_batch_large_systems_are_solved_case_by_case():
    n = _ge_batch.DENSE_LIMIT + 5
    X, gdp = economy(2, n)
    nu = calibrate_nu_two_region(X, gdp, home=0)
    base = build_baseline(X, gdp, nu)
    t1 = tariffs(3, n, 0.3)
    params = [GEParams(eps=e, kappa=0.0, psi=0.0, phi=1.0, nu=nu) for e in (2.0, 5.0)]
    out = solve_ge_batch(base, t1, params)
    for p, b in zip(params, out, strict=True):
        assert_same_ge(solve_ge(base, t1, p), b)


def test_ge_batch_errors():
    X, gdp = economy(3)
    nu = calibrate_nu_two_region(X, gdp, home=0)
    base = build_baseline(X, gdp, nu)
    p = GEParams(eps=4.0, kappa=0.0, psi=0.0, phi=1.0, nu=nu)
    with pytest.raises(DataError, match="2 tariff matrices but 3 parameter sets"):
        solve_ge_batch(base, np.zeros((2, 6, 6)), [p, p, p])
    with pytest.raises(DataError, match="nu differs"):
        solve_ge_batch(base, np.zeros((6, 6)), [p, GEParams(eps=4.0, kappa=0.0, nu=0.1)])
    t1 = np.stack([tariffs(4, 6, 0.3), tariffs(5, 6, 2.0)])
    with pytest.raises(ConvergenceError, match="case 0") as e:
        solve_ge_batch(base, t1, p, max_iter=1)
    assert e.value.iterations == 1


# ------------------------------------------------------------------------------------ engine


def _draw_cases(inp, n: int):
    rng = np.random.default_rng(np.random.SeedSequence(inp.seed).spawn(2)[0])
    df = draw_parameters(inp.scenario, n, rng)
    return [apply_draw(inp.central_set, inp.assumptions, row) for _, row in df.iterrows()]


def _same_case(a, b, tol: float = 1e-10) -> None:
    np.testing.assert_allclose(b.macro.path, a.macro.path, rtol=0, atol=tol)
    for k, v in a.macro.components.items():
        np.testing.assert_allclose(b.macro.components[k], v, rtol=0, atol=tol, err_msg=k)
    for f in ("near_term", "at_risk", "gdp_long_run", "long_run"):
        x, y = getattr(a, f), getattr(b, f)
        scale = max(1.0, float(np.max(np.abs(x.V1))))
        np.testing.assert_allclose(y.V1, x.V1, rtol=0, atol=tol * scale, err_msg=f)
        if x.real_income_pct is not None:
            np.testing.assert_allclose(y.real_income_pct, x.real_income_pct, rtol=0, atol=tol, err_msg=f)
    assert (a.near_term_with_input_costs is None) == (b.near_term_with_input_costs is None)
    if a.near_term_with_input_costs is not None:
        np.testing.assert_allclose(b.near_term_with_input_costs.V1, a.near_term_with_input_costs.V1, rtol=1e-12)


@pytest.mark.parametrize(
    ("scenario", "model"),
    [("mex25", None), ("mex25-retaliation", "ge"), ("us-2025", None)],
)
def test_run_cases_equals_one_run_case_per_draw(scenario, model):
    """The parameter draws of simulate, batched (run_cases: every model's solves of all draws at
    once), against one run_case per draw (the code before issue 21): the retaliation wedge, the GE
    long run and a dated run (trade stages per tariff level) included."""
    inp = resolve(scenario, model=model, recession=False)
    cases = _draw_cases(inp, 12)
    batched = run_cases(inp, cases)
    for (es, a), b in zip(cases, batched, strict=True):
        _same_case(run_case(inp, es, a), b)


# ------------------------------------------------------------------------------------ AR(1)


@pytest.mark.parametrize("rho", [0.34, 0.95, -0.6])
def test_long_ar1_series_in_blocks_equal_the_quarter_by_quarter_recursion(rho):
    """The baseline check's 200,000-quarter series: blocked, the same numbers as the plain loop to
    rounding, and the same recession statistics exactly."""
    from tariffsim.models.ar1 import LONG_SERIES, ar1_from_innovations, growth_statistics

    u = np.random.default_rng(7).standard_t(3.0, size=(200_003, 1)) * 0.5
    ref = u.copy()
    prev = 0.9
    for q in range(ref.shape[0]):  # the recursion as written, one quarter at a time
        ref[q] += 0.3 + rho * (prev - 0.3)
        prev = ref[q]
    got = ar1_from_innovations(0.3, rho, 0.9, u.copy())
    assert u.shape[0] > LONG_SERIES
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12 * max(1.0, float(np.max(np.abs(ref)))))
    for a, b in zip(growth_statistics(got[:, 0][None]), growth_statistics(ref[:, 0][None]), strict=True):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------------------- recession MC


@pytest.mark.parametrize("df", [4.0, None])
def test_quantiles_of_one_shock_by_shifting_the_baseline_equal_the_stored_paths(df):
    """With one shock path the tariff paths are the baseline's shifted quarter by quarter: their
    quantiles come from the baseline's order statistics, bit for bit what numpy.percentile gives on
    the stored paths (the same shock given twice takes the stored-paths route)."""
    from tariffsim.models import recession as R

    shock = -np.array([0.4, 1.1, 1.9, 2.5, 2.8, 2.9, 3.0, 3.0])
    kw = {"mu": 0.3, "rho": 0.34, "n_paths": 30_001, "seed": 5, "chunk_paths": 7000}
    kw.update({"sigma": 1.0, "df": df})
    R._BASELINE.clear()
    one = R.simulate_recession_risk(shock=shock, **kw)
    stored = R.simulate_recession_risk(shock=np.vstack([shock, shock]), **kw)
    np.testing.assert_array_equal(one.growth_quantiles_tariff, stored.growth_quantiles_tariff)
    np.testing.assert_array_equal(one.growth_quantiles_baseline, stored.growth_quantiles_baseline)
    np.testing.assert_array_equal(one.mean_growth_tariff, stored.mean_growth_tariff)
    assert one.technical_4q == stored.technical_4q and one.annual_contraction == stored.annual_contraction
    # the baseline's own quantiles (also from its order statistics) are numpy's on its float32 store
    base = R._BASELINE[0]
    store = np.concatenate([g for g, _ in base.chunks], axis=1).astype(np.float32)
    pct = np.asarray(R.QUANTILES) * 100.0
    np.testing.assert_array_equal(one.growth_quantiles_baseline, np.percentile(store, pct, axis=1).astype(float))


def test_quantiles_are_made_when_first_read_from_a_recipe_not_the_paths():
    """The fan-chart quantiles are computed when first read (a run's JSON needs none), from the
    kept baseline half or, once the cache has let it go, the same seeded simulation again: a result
    holds no paths (its pickle is small), and its quantiles equal a fresh simulation's bit for bit,
    after pickling, after dataclasses.replace, and for several draws as numpy.percentile gives them."""
    import dataclasses
    import pickle

    from tariffsim.models import recession as R

    shock = -np.array([0.4, 1.1, 1.9, 2.5, 2.8, 2.9, 3.0, 3.0])
    kw = {"mu": 0.3, "rho": 0.34, "sigma": 1.0, "df": 4.0, "n_paths": 30_001, "seed": 11, "chunk_paths": 7000}
    R._BASELINE.clear()
    lazy = R.simulate_recession_risk(shock=shock, **kw)
    draws = R.simulate_recession_risk(shock=np.vstack([shock, 0.5 * shock]), **kw)
    assert "_growth_quantiles" not in vars(lazy)  # not made yet
    blob = pickle.dumps(lazy)
    assert len(blob) < 100_000  # no paths: 30,001 paths x 8 quarters in float64 would be 1.9 MB
    R._BASELINE.clear()  # the baseline half is gone: the quantiles simulate it again
    back = pickle.loads(blob)
    fresh = R.simulate_recession_risk(shock=shock, **kw)
    np.testing.assert_array_equal(back.growth_quantiles_tariff, fresh.growth_quantiles_tariff)
    np.testing.assert_array_equal(back.growth_quantiles_baseline, fresh.growth_quantiles_baseline)
    np.testing.assert_array_equal(lazy.growth_quantiles_tariff, fresh.growth_quantiles_tariff)
    again = dataclasses.replace(lazy, notes=("replaced",))
    assert again.quantiles().equals(lazy.quantiles())
    # several draws: the stored tariff paths of the draws, as numpy.percentile gives them
    store = np.concatenate([g for g, _ in R._BASELINE[0].chunks], axis=1)
    idx = np.arange(store.shape[1]) % 2
    effect = R.shock_to_growth(np.vstack([shock, 0.5 * shock]))
    tariff = (store + effect.T[:, idx]).astype(np.float32)
    pct = np.asarray(R.QUANTILES) * 100.0
    np.testing.assert_array_equal(draws.growth_quantiles_tariff, np.percentile(tariff, pct, axis=1).astype(float))
    assert "quantile_source" not in repr(draws)
