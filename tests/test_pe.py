"""The partial-equilibrium engine (MODELS.md section 1): closed forms, invariants, economics, errors.

Every expected number here comes from the model's equations worked by hand (arithmetic in the
comments) or from an analytical limit, never from a previous run of the code.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffsim.errors import ConvergenceError, DataError, TariffSimError
from tariffsim.models.pe import PEOutcome, solve_pe

INF = np.inf
FLOW_FIELDS = (
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
    "shares0",
    "shares1",
)
VALUE_FIELDS = (
    "V0",
    "V1",
    "V1_consumer",
    "dV",
    "price_effect",
    "trade_creation",
    "trade_diversion",
    "revenue0",
    "revenue1",
)
HAT_FIELDS = ("w_hat", "P_hat", "Q_hat", "q_hat", "p_hat", "shares0", "shares1")


# ----------------------------------------------------------------------------- random cases


@st.composite
def pe_cases(draw, *, free_trade_baseline: bool = False):
    """Random small PE problems with zero flows, empty markets, σ = 1, η = 1 and ε_x = ∞ mixed in."""
    K = draw(st.integers(1, 4))
    M = draw(st.integers(1, 4))
    S = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    eta = draw(st.lists(st.one_of(st.just(1.0), st.floats(0.3, 6.0)), min_size=S, max_size=S))
    sigma = draw(st.lists(st.one_of(st.just(1.0), st.floats(0.3, 12.0)), min_size=S, max_size=S))
    eps = draw(st.lists(st.one_of(st.just(INF), st.floats(0.3, 50.0)), min_size=S, max_size=S))
    rng = np.random.default_rng(seed)
    V = rng.lognormal(0.0, 2.0, (K, M, S)) * (rng.random((K, M, S)) < 0.7)
    t0 = np.zeros((K, M, S)) if free_trade_baseline else rng.uniform(0, 0.5, (K, M, S)) * (rng.random((K, M, S)) < 0.5)
    t1 = t0 + rng.uniform(0, 1.0, (K, M, S)) * (rng.random((K, M, S)) < 0.5)
    return V, t0, t1, dict(eta=np.array(eta), sigma=np.array(sigma), eps_x=np.array(eps))


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scale(out: PEOutcome) -> float:
    """Size of the largest money amount in an outcome (for relative tolerances)."""
    return max(1.0, *(float(np.max(np.abs(getattr(out, f)))) for f in VALUE_FIELDS))


# ----------------------------------------------------------------------------- exact invariants


@PROPERTY
@given(pe_cases())
def test_no_tariff_change_gives_exactly_no_change(case):
    V, t0, _, el = case
    out = solve_pe(V, t0, t0.copy(), **el)
    assert np.all(out.w_hat == 1.0)  # exactly, not approximately
    for f in ("P_hat", "Q_hat", "q_hat", "p_hat"):
        assert np.all(getattr(out, f) == 1.0), f
    for f in (
        "dV",
        "price_effect",
        "trade_creation",
        "trade_diversion",
        "consumer_surplus",
        "producer_surplus",
        "importer_welfare",
    ):
        assert np.all(getattr(out, f) == 0.0), f
    assert np.array_equal(out.V1, out.V0) and np.array_equal(out.revenue1, out.revenue0)
    assert np.array_equal(out.shares1, out.shares0)
    assert out.solver.converged and out.solver.iterations == 0 and out.solver.residual == 0.0
    assert all(v == 0.0 for k, v in out.summary().items() if k not in ("V0", "V1", "revenue0", "revenue1"))


@PROPERTY
@given(pe_cases())
def test_decomposition_adds_up_and_shares_sum_to_one(case):
    V, t0, t1, el = case
    out = solve_pe(V, t0, t1, **el)
    parts = out.price_effect + out.trade_creation + out.trade_diversion
    np.testing.assert_allclose(parts, out.dV, rtol=0, atol=1e-9 * _scale(out))
    np.testing.assert_allclose(out.V1 - out.V0, out.dV, rtol=0, atol=1e-9 * _scale(out))
    has_imports = V.sum(axis=0) > 0
    for sh in (out.shares0, out.shares1):
        np.testing.assert_allclose(sh.sum(axis=0)[has_imports], 1.0, rtol=1e-12)
        assert np.all(sh.sum(axis=0)[~has_imports] == 0.0)
        assert np.all(sh >= 0)
    for f in dataclasses.fields(out):
        a = getattr(out, f.name)
        if isinstance(a, np.ndarray) and f.name != "eps_x":
            assert np.all(np.isfinite(a)), f.name
    s = out.summary()
    assert s["dV"] == pytest.approx(
        s["price_effect"] + s["trade_creation"] + s["trade_diversion"], rel=1e-9, abs=1e-9 * _scale(out)
    )


@PROPERTY
@given(pe_cases())
def test_solution_satisfies_the_model_equations(case):
    """Re-check the equilibrium from the outputs with the textbook formulas (no log tricks)."""
    V, t0, t1, el = case
    out = solve_pe(V, t0, t1, **el)
    eta, sigma, eps = el["eta"], el["sigma"], el["eps_x"]
    tau = (1 + t1) / (1 + t0)
    np.testing.assert_allclose(out.p_hat, out.w_hat[:, None, :] * tau, rtol=1e-12)
    theta = out.shares0
    with np.errstate(divide="ignore"):
        ces = (theta * out.p_hat ** (1 - sigma)).sum(axis=0) ** (1 / (1 - sigma))
    geo = np.exp((theta * np.log(out.p_hat)).sum(axis=0))
    P = np.where(sigma == 1, geo, ces)
    has_imports = V.sum(axis=0) > 0
    np.testing.assert_allclose(out.P_hat[has_imports], P[has_imports], rtol=1e-10)
    np.testing.assert_allclose(out.Q_hat, out.P_hat**-eta, rtol=1e-12)
    np.testing.assert_allclose(out.q_hat, out.Q_hat * (out.p_hat / out.P_hat) ** -sigma, rtol=1e-10)
    # export supply: ŵ^ε = Σ_m ω q̂ for every exporter that sells something, in sectors with finite ε
    X0 = V.sum(axis=1)
    demand = (V * out.q_hat).sum(axis=1) / np.where(X0 > 0, X0, 1)
    finite = np.isfinite(eps) & (X0 > 0)
    np.testing.assert_allclose((out.w_hat ** np.where(np.isfinite(eps), eps, 0))[finite], demand[finite], rtol=1e-9)
    assert np.all(out.w_hat[:, ~np.isfinite(eps)] == 1.0)
    assert np.all(out.w_hat[X0 == 0] == 1.0)


@PROPERTY
@given(pe_cases(), st.data())
def test_invariant_to_the_order_of_countries_and_sectors(case, data):
    V, t0, t1, el = case
    K, M, S = V.shape
    pk = np.array(data.draw(st.permutations(range(K))))
    pm = np.array(data.draw(st.permutations(range(M))))
    ps = np.array(data.draw(st.permutations(range(S))))

    def perm(a):
        return a[pk][:, pm][:, :, ps]

    base = solve_pe(V, t0, t1, **el)
    out = solve_pe(perm(V), perm(t0), perm(t1), **{k: v[ps] for k, v in el.items()})
    tol = dict(rtol=1e-9, atol=1e-9 * _scale(base))
    for f in FLOW_FIELDS:
        np.testing.assert_allclose(getattr(out, f), perm(getattr(base, f)), **tol, err_msg=f)
    np.testing.assert_allclose(out.w_hat, base.w_hat[pk][:, ps], **tol)
    np.testing.assert_allclose(out.producer_surplus, base.producer_surplus[pk][:, ps], **tol)
    for f in ("P_hat", "Q_hat", "consumer_surplus", "importer_welfare"):
        np.testing.assert_allclose(getattr(out, f), getattr(base, f)[pm][:, ps], **tol, err_msg=f)


@PROPERTY
@given(pe_cases())
def test_invariant_to_the_currency_unit(case):
    V, t0, t1, el = case
    base = solve_pe(V, t0, t1, **el)
    out = solve_pe(V * 1000.0, t0, t1, **el)  # the same trade in thousandths (e.g. USD instead of kUSD)
    for f in HAT_FIELDS:
        np.testing.assert_allclose(getattr(out, f), getattr(base, f), rtol=1e-10, atol=1e-14, err_msg=f)
    for f in (*VALUE_FIELDS, "consumer_surplus", "producer_surplus", "importer_welfare"):
        np.testing.assert_allclose(
            getattr(out, f), 1000.0 * getattr(base, f), rtol=1e-9, atol=1e-9 * 1000 * _scale(base), err_msg=f
        )


@PROPERTY
@given(pe_cases(free_trade_baseline=True))
def test_tariffs_from_free_trade_lower_world_welfare(case):
    """First welfare theorem: free trade maximises world surplus (CS + PS + revenue), so any tariff lowers it."""
    V, t0, t1, el = case
    out = solve_pe(V, t0, t1, **el)
    assert out.summary()["world_welfare"] <= 1e-9 * _scale(out)


# ----------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("sigma", [0.7, 1.0, 4.0])
@pytest.mark.parametrize("eta", [0.5, 1.0, 2.5])
def test_single_source_fixed_prices_closed_form(eta, sigma):
    """One source per market, ε_x = ∞: imports scale by τ̂^(−η) exactly; CS = −E0 (τ̂^(1−η) − 1)/(1−η)."""
    V = np.array([[[100.0, 7.0], [250.0, 0.0], [3.0, 40.0]]])  # 1 exporter, 3 markets, 2 sectors
    t0 = np.array([[[0.05, 0.0], [0.0, 0.1], [0.02, 0.0]]])
    t1 = np.array([[[0.30, 0.25], [0.25, 0.1], [0.02, 1.5]]])
    out = solve_pe(V, t0, t1, eta=eta, sigma=sigma, eps_x=INF)
    tau = (1 + t1) / (1 + t0)
    np.testing.assert_allclose(out.V1, V * tau**-eta, rtol=1e-13)
    np.testing.assert_allclose(out.P_hat, tau[0], rtol=1e-13)
    np.testing.assert_allclose(out.trade_creation, out.dV, rtol=1e-12, atol=1e-12)  # nothing to divert
    np.testing.assert_allclose(out.trade_diversion, 0.0, atol=1e-13 * V.max())
    assert np.all(out.price_effect == 0)
    E0 = (V * (1 + t0))[0]
    cs = -E0 * np.log(tau[0]) if eta == 1 else -E0 * (tau[0] ** (1 - eta) - 1) / (1 - eta)
    np.testing.assert_allclose(out.consumer_surplus, cs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.revenue1, t1 * V * tau**-eta, rtol=1e-13)
    assert np.all(out.producer_surplus == 0) and out.solver.iterations == 0


def test_consumer_surplus_is_continuous_at_unit_eta():
    V, t1 = np.array([[[50.0]]]), np.array([[[0.4]]])
    at_one = solve_pe(V, 0, t1, eta=1.0, sigma=3, eps_x=INF).consumer_surplus
    assert at_one[0, 0] == pytest.approx(-50 * np.log(1.4), rel=1e-14)
    for eta in (1 - 1e-7, 1 + 1e-7):
        near = solve_pe(V, 0, t1, eta=eta, sigma=3, eps_x=INF).consumer_surplus
        assert near[0, 0] == pytest.approx(at_one[0, 0], rel=1e-6)


@pytest.mark.parametrize("sigma", [1.0, 3.0])
def test_single_exporter_finite_supply_closed_form(sigma):
    """One exporter, one source per market, finite ε: ŵ^(ε+η) = Σ_m ω_m τ̂_m^(−η) (from ŵ^ε = Σ ω (ŵ τ̂)^(−η))."""
    eta, eps = 1.25, 1.5
    V = np.array([[[30.0], [50.0], [20.0]]])  # ω = 0.3, 0.5, 0.2
    t1 = np.array([[[0.25], [0.0], [0.10]]])
    out = solve_pe(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=eps)
    w = (0.3 * 1.25**-eta + 0.5 + 0.2 * 1.1**-eta) ** (1 / (eps + eta))
    assert out.w_hat[0, 0] == pytest.approx(w, rel=1e-12)
    np.testing.assert_allclose(out.q_hat[0, :, 0], (w * np.array([1.25, 1.0, 1.1])) ** -eta, rtol=1e-12)
    assert out.producer_surplus[0, 0] == pytest.approx(100 * (w ** (1 + eps) - 1) / (1 + eps), rel=1e-12)
    # with a single market the closed form is ln ŵ = −η/(ε+η) ln τ̂
    one = solve_pe(V[:, :1], 0.0, t1[:, :1], eta=eta, sigma=sigma, eps_x=eps)
    assert np.log(one.w_hat[0, 0]) == pytest.approx(-eta / (eps + eta) * np.log(1.25), rel=1e-12)


# ----------------------------------------------------------------------------- hand-computed examples


def test_two_source_example_by_hand():
    """Two sources A (60) and B (40) into one market, no baseline tariff, 25 % on A; η = 1, σ = 2, ε_x = ∞.

    p̂_A = 1.25, p̂_B = 1;  θ_A = 0.6, θ_B = 0.4.
    P̂^(1−σ) = P̂^(−1) = 0.6/1.25 + 0.4 = 0.48 + 0.4 = 0.88      → P̂ = 1/0.88 = 1.136364
    Q̂ = P̂^(−η) = 0.88
    q̂_A = Q̂ (p̂_A/P̂)^(−2) = 0.88 / (1.25 · 0.88)² = 0.88 / 1.21 = 0.727273
    q̂_B = Q̂ (1/P̂)^(−2) = 0.88 / 0.88² = 1/0.88 = 1.136364
    V1_A = 60 · 0.727273 = 43.6364;  V1_B = 40/0.88 = 45.4545;  ΔV = −16.3636, +5.4545
    creation = V (Q̂ − 1) = 60 · (−0.12) = −7.2 and 40 · (−0.12) = −4.8
    diversion = V Q̂ [(p̂/P̂)^(−σ) − 1]: A: 60·0.88·(1/1.21 − 1) = −9.1636; B: 40·0.88·(0.88^(−2) − 1) = 10.2545
    revenue: 0 → 0.25 · 43.6364 = 10.9091
    ΔCS (η = 1) = −E0 ln P̂ = −100 · ln(1/0.88) = −12.7833;  importer welfare = −12.7833 + 10.9091 = −1.8742
    """
    V = np.array([[[60.0]], [[40.0]]])
    t1 = np.array([[[0.25]], [[0.0]]])
    out = solve_pe(V, 0.0, t1, eta=1.0, sigma=2.0, eps_x=INF)
    np.testing.assert_allclose(out.P_hat, [[1 / 0.88]], rtol=1e-13)
    np.testing.assert_allclose(out.Q_hat, [[0.88]], rtol=1e-13)
    np.testing.assert_allclose(out.q_hat.ravel(), [0.88 / 1.21, 1 / 0.88], rtol=1e-13)
    np.testing.assert_allclose(out.V1.ravel(), [60 * 0.88 / 1.21, 40 / 0.88], rtol=1e-13)
    np.testing.assert_allclose(out.trade_creation.ravel(), [-7.2, -4.8], rtol=1e-12)
    np.testing.assert_allclose(
        out.trade_diversion.ravel(), [60 * 0.88 * (1 / 1.21 - 1), 40 * 0.88 * (0.88**-2 - 1)], rtol=1e-12
    )
    assert out.revenue1.sum() == pytest.approx(0.25 * 60 * 0.88 / 1.21, rel=1e-13)
    assert out.consumer_surplus[0, 0] == pytest.approx(-100 * np.log(1 / 0.88), rel=1e-13)
    assert out.importer_welfare[0, 0] == pytest.approx(-100 * np.log(1 / 0.88) + 0.25 * 60 * 0.88 / 1.21, rel=1e-12)
    # shares at consumer prices after: A 43.6364 · 1.25 = 54.5455, B 45.4545; total 100 (η = 1 keeps spending
    # constant) → 0.545455, 0.454545
    np.testing.assert_allclose(out.shares1.ravel(), [1.25 * 60 * 0.88 / 1.21 / 100, 40 / 0.88 / 100], rtol=1e-12)


def test_two_source_example_cobb_douglas_by_hand():
    """Same flows, σ = η = 1 (Cobb-Douglas in sources, unit-elastic composite): consumer-price spending on each
    source is constant, so q̂_A = 1/1.25 = 0.8 and q̂_B = 1.

    P̂ = 1.25^0.6 = 1.143530;  V1_A = 60 · 0.8 = 48 (consumer price value 48 · 1.25 = 60, unchanged);
    V1_B = 40;  revenue = 0.25 · 48 = 12;  ΔCS = −100 · 0.6 · ln 1.25 = −13.3886.
    """
    V = np.array([[[60.0]], [[40.0]]])
    t1 = np.array([[[0.25]], [[0.0]]])
    out = solve_pe(V, 0.0, t1, eta=1.0, sigma=1.0, eps_x=INF)
    np.testing.assert_allclose(out.V1.ravel(), [48.0, 40.0], rtol=1e-13)
    np.testing.assert_allclose(out.V1_consumer.ravel(), [60.0, 40.0], rtol=1e-13)
    assert out.P_hat[0, 0] == pytest.approx(1.25**0.6, rel=1e-14)
    assert out.revenue1.sum() == pytest.approx(12.0, rel=1e-13)
    assert out.consumer_surplus[0, 0] == pytest.approx(-60 * np.log(1.25), rel=1e-13)


def test_two_source_example_finite_supply_by_hand():
    """Same flows with σ = η = 2 and ε_x = 2. With σ = η the cross effects vanish (ln q̂_k = −σ ln p̂_k), so each
    exporter solves (ε + σ) ln ŵ = −σ ln τ̂ on its own:

    ln ŵ_A = −(2/4) ln 1.25  → ŵ_A = 1.25^(−1/2) = 0.894427;  ŵ_B = 1
    p̂_A = 1.25 · 0.894427 = 1.118034 = 1.25^(1/2);  q̂_A = p̂_A^(−2) = 0.8;  V1_A = 60 · 0.894427 · 0.8 = 42.9325
    price effect A = 60 (0.894427 − 1) = −6.3344
    P̂^(−1) = 0.6 / 1.118034 + 0.4 = 0.936656 → P̂ = 1.067627;  Q̂ = P̂^(−2) = 0.877325
    ΔPS_A = 60 (ŵ^3 − 1)/3 = 20 (1.25^(−3/2) − 1) = −5.6892
    """
    V = np.array([[[60.0]], [[40.0]]])
    t1 = np.array([[[0.25]], [[0.0]]])
    out = solve_pe(V, 0.0, t1, eta=2.0, sigma=2.0, eps_x=2.0)
    np.testing.assert_allclose(out.w_hat.ravel(), [1.25**-0.5, 1.0], rtol=1e-12)
    np.testing.assert_allclose(out.q_hat.ravel(), [0.8, 1.0], rtol=1e-12)
    np.testing.assert_allclose(out.V1.ravel(), [60 * 0.8 * 1.25**-0.5, 40.0], rtol=1e-12)
    assert out.price_effect[0, 0, 0] == pytest.approx(60 * (1.25**-0.5 - 1), rel=1e-12)
    assert out.P_hat[0, 0] == pytest.approx(1 / (0.6 * 1.25**-0.5 + 0.4), rel=1e-12)
    np.testing.assert_allclose(out.producer_surplus.ravel(), [20 * (1.25**-1.5 - 1), 0.0], rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- economics with finite supply


def _north_america():
    """Exporters MEX, CAN, CHN; markets USA, EU, ROW (one sector, illustrative values in USD bn)."""
    V = np.array(
        [
            [[475.0], [25.0], [60.0]],  # MEX → USA, EU, ROW
            [[420.0], [30.0], [70.0]],  # CAN
            [[440.0], [520.0], [1400.0]],  # CHN
        ]
    )
    t1 = np.zeros_like(V)
    t1[0, 0] = 0.25  # the US puts 25 % on Mexico
    return V, t1


def test_us_tariff_deflects_mexican_exports_to_other_buyers():
    V, t1 = _north_america()
    out = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=2.0)
    mex, can, chn = 0, 1, 2
    usa, eu, row = 0, 1, 2
    assert out.w_hat[mex, 0] < 1  # Mexico's supply price falls (it absorbs part of the tariff) ...
    assert out.p_hat[mex, usa, 0] < 1.25  # ... so US consumers pay less than the full 25 %
    assert out.V1[mex, usa, 0] < V[mex, usa, 0]
    assert out.V1[mex, eu, 0] > V[mex, eu, 0] and out.V1[mex, row, 0] > V[mex, row, 0]  # deflection
    assert out.w_hat[can, 0] > 1 and out.w_hat[chn, 0] > 1  # σ > η: rivals face more demand
    assert out.V1[can, usa, 0] > V[can, usa, 0]  # diversion towards Canada in the US market
    assert out.producer_surplus[mex, 0] < 0 < out.producer_surplus[can, 0]
    # with fixed exporter prices there is no deflection: other markets do not move at all
    fixed = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=INF)
    assert np.array_equal(fixed.V1[:, 1:], V[:, 1:])
    assert fixed.V1[mex, usa, 0] < out.V1[mex, usa, 0]  # and the US imports from Mexico fall by more


def test_small_tariff_welfare_is_the_terms_of_trade_effect():
    """At free trade an importer's first-order welfare change is −Σ_k V_km dŵ_k (envelope theorem): the
    consumer-price loss and the revenue gain cancel except for the world-price change."""
    V, _ = _north_america()
    t1 = np.zeros_like(V)
    t1[0, 0] = 1e-5
    out = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=2.0)
    tot = -(V[:, 0, 0] * (out.w_hat[:, 0] - 1)).sum()
    assert out.importer_welfare[0, 0] == pytest.approx(tot, rel=1e-3)


def test_single_market_tariff_price_response_first_order():
    """One market, free trade, small tariff dτ on source k, common ε, η, σ. Linearising the model:
    rivals j: (ε+σ) x_j = (σ−η) dP;  k: (ε+σ) x_k = −σ dτ + (σ−η) dP;  dP = θ_k dτ + Σ θ x
    → dP = θ_k ε dτ/(ε+η), and the importer gains −V Σθ x = V θ_k dτ η/(ε+η) > 0 (monopsony power)."""
    eta, sigma, eps, d = 1.25, 5.0, 1.5, 1e-6
    V = np.array([[[30.0]], [[50.0]], [[20.0]]])
    t1 = np.array([[[d]], [[0.0]], [[0.0]]])
    out = solve_pe(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=eps)
    assert np.log(out.P_hat[0, 0]) == pytest.approx(0.3 * eps * d / (eps + eta), rel=1e-4)
    assert out.importer_welfare[0, 0] == pytest.approx(100 * 0.3 * d * eta / (eps + eta), rel=1e-4)
    assert np.log(out.w_hat[1, 0]) == pytest.approx(
        (sigma - eta) / (eps + sigma) * 0.3 * eps * d / (eps + eta), rel=1e-4
    )


def test_gsim_four_region_example_qualitative():
    """GSIM (Francois and Hall 2003) example elasticities: E_m = −1.25, E_s = 5, E_x = 1.5.

    The published GSIM 4x4 worksheet's trade matrix and tariff vector are not in MODELS.md, so its
    published numbers cannot be reproduced here; this checks the qualitative results GSIM reports for a
    tariff by region 1 on region 2 in a 4-region world (imports only, no domestic sales on the diagonal).
    """
    V = np.array(
        [  # exporter (rows) → importer (columns), one product
            [0.0, 120.0, 80.0, 60.0],
            [150.0, 0.0, 90.0, 70.0],
            [100.0, 60.0, 0.0, 50.0],
            [90.0, 40.0, 30.0, 0.0],
        ]
    )[:, :, None]
    t0 = np.full_like(V, 0.05)
    t1 = t0.copy()
    t1[1, 0] = 0.25  # region 1 (index 0) raises its tariff on region 2 (index 1) from 5 % to 25 %
    out = solve_pe(V, t0, t1, eta=1.25, sigma=5.0, eps_x=1.5)
    assert out.V1[1, 0, 0] < V[1, 0, 0]  # imports from the target fall
    assert np.all(out.V1[[2, 3], 0, 0] > V[[2, 3], 0, 0])  # imports from the others rise (diversion)
    assert out.trade_diversion[1, 0, 0] < 0 < out.trade_diversion[2, 0, 0]
    assert out.Q_hat[0, 0] < 1 < out.P_hat[0, 0]  # composite import price up, quantity down
    assert out.w_hat[1, 0] < 1 < out.w_hat[2, 0]  # target's world price falls, rivals' rise
    assert np.all(out.V1[1, [2, 3], 0] > V[1, [2, 3], 0])  # the target sells more elsewhere
    assert out.consumer_surplus[0, 0] < 0 < (out.revenue1 - out.revenue0)[:, 0, 0].sum()
    assert out.producer_surplus[1, 0] < 0 < out.producer_surplus[2, 0]
    # the same tariff from free trade: region 1 gains a little for a small tariff (terms of trade), the world loses
    small = t1 - t0
    small[1, 0] = 0.02
    out = solve_pe(V, 0.0, small, eta=1.25, sigma=5.0, eps_x=1.5)
    assert out.importer_welfare[0, 0] > 0 > out.summary()["world_welfare"]


def test_with_fixed_world_prices_a_tariff_from_free_trade_hurts_the_importer():
    """Small-country case: with ε_x = ∞ there is no terms-of-trade gain, so the importer's net welfare falls."""
    V, t1 = _north_america()
    for rate in (0.01, 0.25, 2.0):
        out = solve_pe(V, 0.0, t1 * rate / 0.25, eta=1.5, sigma=4.0, eps_x=INF)
        assert out.importer_welfare[0, 0] < 0


def test_mixed_sectors_and_empty_parts_are_nan_free():
    V = np.zeros((3, 4, 3))
    V[0, 0, 0], V[1, 0, 0], V[0, 2, 0] = 10.0, 5.0, 2.0  # sector 0: market 1 and 3 import nothing
    V[2, 1, 1] = 7.0  # sector 1: one flow; sector 2: no trade at all
    t1 = np.full_like(V, 0.3)
    out = solve_pe(V, 0.0, t1, eta=[1.0, 2.0, 1.5], sigma=[1.0, 4.0, 2.0], eps_x=[1.5, INF, 3.0])
    for f in dataclasses.fields(out):
        a = getattr(out, f.name)
        if isinstance(a, np.ndarray) and f.name != "eps_x":
            assert np.all(np.isfinite(a)), f.name
    assert np.all(out.w_hat[2, [0, 2]] == 1.0) and np.all(out.w_hat[:, 2] == 1.0)  # sells nothing there
    assert np.all(out.P_hat[[1, 3], 0] == 1.0) and np.all(out.Q_hat[:, 2] == 1.0)  # empty markets
    assert np.all(out.dV[V == 0] == 0.0) and np.all(out.V1[V == 0] == 0.0)
    assert np.all(out.shares1[:, [1, 3], 0] == 0.0)


# ----------------------------------------------------------------------------- SMART linear


def test_smart_linear_agrees_with_exact_to_first_order_for_a_tiny_tariff():
    eta, sigma = 1.5, 4.0
    d = 0.001  # 0.1 %
    # (a) single source per market, finite and infinite supply elasticity
    V = np.array([[[100.0, 40.0]]])
    t1 = np.full_like(V, d)
    for eps in (1.5, INF):
        ex = solve_pe(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=eps)
        lin = solve_pe(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=eps, method="smart-linear")
        np.testing.assert_allclose(lin.dV, ex.dV, rtol=5 * d)  # relative error O(tariff)
        np.testing.assert_allclose(lin.w_hat - 1, ex.w_hat - 1, rtol=5 * d, atol=1e-15)
        np.testing.assert_allclose(lin.consumer_surplus, ex.consumer_surplus, rtol=5 * d)
    # (b) several sources, uniform (MFN) tariff change: no diversion in either model
    V, _ = _north_america()
    ex = solve_pe(V, 0.0, np.full_like(V, d), eta=eta, sigma=sigma, eps_x=INF)
    lin = solve_pe(V, 0.0, np.full_like(V, d), eta=eta, sigma=sigma, eps_x=INF, method="smart-linear")
    np.testing.assert_allclose(lin.dV, ex.dV, rtol=5 * d)
    np.testing.assert_allclose(lin.trade_diversion, 0.0, atol=1e-12)
    # (c) discriminatory tariff: market totals agree to first order (t0 = 0); per flow SMART applies η to the
    # bilateral flow, so the tariffed source's response is (η + σ(1−s)) / (η s + σ(1−s)) times the exact one
    t1 = np.zeros_like(V)
    t1[0, 0] = d
    ex = solve_pe(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=INF)
    lin = solve_pe(V, 0.0, t1, eta=eta, sigma=sigma, eps_x=INF, method="smart-linear")
    np.testing.assert_allclose(lin.dV.sum(axis=0), ex.dV.sum(axis=0), rtol=5 * d, atol=1e-12)
    s = V[0, 0, 0] / V[:, 0, 0].sum()
    ratio = (eta + sigma * (1 - s)) / (eta * s + sigma * (1 - s))
    assert lin.dV[0, 0, 0] / ex.dV[0, 0, 0] == pytest.approx(ratio, rel=5 * d)


def test_smart_linear_overstates_losses_for_a_large_tariff():
    V = np.array([[[100.0]]])
    t1 = np.array([[[0.5]]])
    ex = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=INF)
    lin = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=INF, method="smart-linear")
    assert lin.dV[0, 0, 0] == pytest.approx(-1.5 * 100 * 0.5)  # TC = −η V Δt/(1+t0)
    assert lin.dV[0, 0, 0] < ex.dV[0, 0, 0] < 0  # convexity: 1.5^(−1.5) − 1 = −0.456 > −0.75
    V, t1 = _north_america()
    ex = solve_pe(V, 0.0, t1 * 2, eta=1.5, sigma=4.0, eps_x=2.0)
    lin = solve_pe(V, 0.0, t1 * 2, eta=1.5, sigma=4.0, eps_x=2.0, method="smart-linear")
    assert lin.dV[0, 0, 0] < ex.dV[0, 0, 0] < 0


def test_smart_linear_formulas_and_bookkeeping():
    """Jammes and Olarreaga (2005): TC = −η V Δt / ((1+t0)(1 + η/ε_x)); diversion reallocates within a market."""
    V, _ = _north_america()
    t0 = np.full_like(V, 0.02)
    t1 = t0.copy()
    t1[0, 0] = 0.27
    eta, sigma, eps = 1.5, 4.0, 2.0
    lin = solve_pe(V, t0, t1, eta=eta, sigma=sigma, eps_x=eps, method="smart-linear")
    tc = -eta * V[0, 0, 0] * 0.25 / (1.02 * (1 + eta / eps))
    assert lin.trade_creation[0, 0, 0] == pytest.approx(tc, rel=1e-13)
    assert np.all(lin.trade_creation[[1, 2], 0, 0] == 0)
    np.testing.assert_allclose(lin.trade_diversion.sum(axis=0), 0.0, atol=1e-9)
    assert lin.trade_diversion[0, 0, 0] < 0 < lin.trade_diversion[1, 0, 0]
    np.testing.assert_allclose(lin.price_effect + lin.trade_creation + lin.trade_diversion, lin.dV, rtol=1e-13)
    assert lin.w_hat[0, 0] < 1 and lin.solver.method == "smart-linear" and lin.method == "smart-linear"
    none = solve_pe(V, t0, t0, eta=eta, sigma=sigma, eps_x=eps, method="smart-linear")
    assert np.all(none.dV == 0) and np.all(none.consumer_surplus == 0)


# ----------------------------------------------------------------------------- solver facts and errors


def test_solver_reports_convergence_facts():
    V, t1 = _north_america()
    out = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=2.0, tol=1e-13)
    assert out.solver.converged and out.solver.method == "newton-log"
    assert 1 <= out.solver.iterations <= 10 and out.solver.residual <= 1e-13 and out.solver.seconds >= 0
    fixed = solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=INF)
    assert fixed.solver.iterations == 0 and fixed.solver.method == "closed-form"


def test_too_few_iterations_raise_convergence_error_with_facts():
    V, t1 = _north_america()
    with pytest.raises(ConvergenceError) as info:
        solve_pe(V, 0.0, t1, eta=1.5, sigma=4.0, eps_x=2.0, max_iter=1)
    err = info.value
    assert err.iterations == 1 and np.isfinite(err.residual) and err.residual > 1e-12
    assert err.method == "newton-log" and err.seconds >= 0
    assert isinstance(err, TariffSimError)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        (dict(eta=[1.5, -1.0, 2.0]), "eta[1]"),
        (dict(sigma=[4.0, 4.0, 0.0]), "sigma[2]"),
        (dict(eps_x=-1.0), "eps_x[0]"),
        (dict(eps_x=[1.0, np.nan, 1.0]), "eps_x[1]"),
        (dict(eta=INF), "eta[0]"),
        (dict(sigma=[4.0, INF, 4.0]), "sigma[1]"),
        (dict(eta=[1.0, 2.0]), "one value per sector"),
    ],
)
def test_bad_elasticities_raise_clear_errors(kwargs, needle):
    V = np.ones((2, 2, 3))
    el = dict(eta=1.5, sigma=4.0, eps_x=2.0) | kwargs
    with pytest.raises(DataError) as info:
        solve_pe(V, 0.0, 0.1, **el)
    assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("V", "t0", "t1", "needle"),
    [
        (-np.ones((2, 2, 1)), 0.0, 0.1, "negative"),
        (np.full((2, 2, 1), np.nan), 0.0, 0.1, "not finite"),
        (np.ones((2, 2)), 0.0, 0.1, "expected (exporters, markets, sectors)"),
        (np.ones((2, 2, 1)), 0.0, -1.0, "t1[0, 0, 0]"),
        (np.ones((2, 2, 1)), np.zeros(3), 0.1, "does not broadcast"),
    ],
)
def test_bad_arrays_raise_clear_errors(V, t0, t1, needle):
    with pytest.raises(DataError, match=None) as info:
        solve_pe(V, t0, t1, eta=1.5, sigma=4.0, eps_x=2.0)
    assert needle in str(info.value)


def test_bad_settings_raise():
    V = np.ones((1, 1, 1))
    with pytest.raises(DataError, match="unknown PE method"):
        solve_pe(V, 0, 0.1, eta=1, sigma=2, eps_x=INF, method="gsim")
    with pytest.raises(DataError, match="max_iter"):
        solve_pe(V, 0, 0.1, eta=1, sigma=2, eps_x=2.0, max_iter=-1)


def test_outcome_is_frozen_and_read_only():
    out = solve_pe(np.ones((2, 2, 1)), 0.0, 0.1, eta=1.5, sigma=4.0, eps_x=2.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.dV = None  # type: ignore[misc]
    with pytest.raises(ValueError):
        out.dV[0, 0, 0] = 1.0
    assert out.shape == (2, 2, 1)
    assert set(out.summary()) >= {
        "dV",
        "price_effect",
        "trade_creation",
        "trade_diversion",
        "revenue_change",
        "consumer_surplus",
        "producer_surplus",
        "importer_welfare",
        "world_welfare",
    }


def test_smart_diversion_formula_and_ceiling_by_hand():
    """WITS SMART trade diversion (Jammes and Olarreaga 2005): one market, source k = 100 and the
    rest R = 300, tariff on k from 0 to 25 %, infinite export supply, so Δ = 0.25 and
    TD_k = -σ Δ V_k V_R / (V_k + V_R - σ Δ V_k)."""
    V = np.array([100.0, 200.0, 100.0]).reshape(3, 1, 1)  # k, then the rest (two sources)
    t1 = np.zeros_like(V)
    t1[0] = 0.25
    lin = solve_pe(V, 0.0, t1, eta=1.0, sigma=1.5, eps_x=INF, method="smart-linear")
    td = lin.trade_diversion[:, 0, 0]
    expect = -1.5 * 0.25 * 100 * 300 / (400 - 1.5 * 0.25 * 100)  # = -31.03
    assert td[0] == pytest.approx(expect)
    assert td[1:] == pytest.approx([-expect * 2 / 3, -expect / 3])  # the rest gains, pro rata
    assert td.sum() == pytest.approx(0.0, abs=1e-12)
    # ceiling: with sigma = 5, sigma x delta = 1.25 > 1 and the formula would divert more than
    # Mexico-like source k sells; SMART caps diversion at existing trade
    big = solve_pe(V, 0.0, t1, eta=1.0, sigma=5.0, eps_x=INF, method="smart-linear")
    assert big.trade_diversion[0, 0, 0] == pytest.approx(-100.0)
    assert big.trade_diversion[1:, 0, 0].sum() == pytest.approx(100.0)
    # a preference (tariff cut on k) diverts towards k, at most all of the rest's trade
    t0 = np.full_like(V, 0.5)
    pref = solve_pe(
        V,
        t0,
        np.where(np.arange(3)[:, None, None] == 0, 0.0, 0.5),
        eta=1.0,
        sigma=50.0,
        eps_x=INF,
        method="smart-linear",
    )
    assert 0 < pref.trade_diversion[0, 0, 0] <= 300.0 + 1e-9
