"""Tests of tariffsim.models.recession: GDP loaders, AR(1) calibration, recession-risk Monte Carlo.

Reference values are closed forms (Gaussian orthant probabilities), independent simulations, the
publishers' own transforms in the raw files, and the moments MODELS.md section 3 quotes for
INEGI's seasonally adjusted GDP 1996-2019 (mean 0.62 %, sd 1.04 %, autocorrelation 0.40).
"""

from __future__ import annotations

import hashlib
import json
import math
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal, special, stats

from tariffsim.cli.main import main as cli_main
from tariffsim.errors import CountryCodeError, DataError, ScenarioError
from tariffsim.inputs.calibration_fit import calibrate_file, run_calibration
from tariffsim.inputs.calibrations import (
    calibration_from_parameters,
    default_calibration,
    load_calibration,
    read_calibration,
    read_quarterly_gdp,
    shipped_calibrations,
)
from tariffsim.inputs.datasets import data_file
from tariffsim.models.ar1 import AR1Calibration, growth_statistics, predictive_check
from tariffsim.models.ar1_fit import calibrate_ar1
from tariffsim.models.recession import (
    annual_contraction,
    annual_to_quarterly,
    quarterly_to_annual,
    shock_to_growth,
    simulate_recession_risk,
    technical_recession,
)

ROOT = Path(__file__).resolve().parents[1]
INEGI = ("mexico_gdp", "inegi_gdp_sa_1981q1_2021q4.csv")
FRED = ("us_gdp", "GDPC1.csv")
HAVER = ("mexico_gdp", "mex_quarterly_1993q1_2023q4.csv")

# Mexico-like process: 1.2 % a year baseline, persistence and innovation sd near the calibration.
MU = annual_to_quarterly(1.2)
RHO = 0.4
SIGMA = 0.95


def _ramp(depth: float, horizon: int = 12) -> np.ndarray:
    """A level-deviation path (percent) that deepens linearly to ``-depth`` by quarter 4, then stays."""
    return -depth * np.minimum(np.arange(1, horizon + 1) / 4.0, 1.0)


def _probs(r):
    return np.array([r.technical_4q.tariff, r.technical_horizon.tariff, r.annual_contraction.tariff])


def _ar1_mean_cov(mu, rho, sigma, g0, horizon):
    """Mean and covariance of (g_1..g_H) for an AR(1) started at a known g0 (independent of the MC code)."""
    q = np.arange(1, horizon + 1)
    mean = mu + rho**q * (g0 - mu)
    cov = np.empty((horizon, horizon))
    for i in range(horizon):
        for j in range(horizon):
            k = np.arange(1, min(i, j) + 2)
            cov[i, j] = sigma**2 * np.sum(rho ** (i + 1 - k) * rho ** (j + 1 - k))
    return mean, cov


def _p_all_negative(mean, cov, idx):
    idx = list(idx)
    m, c = mean[idx], cov[np.ix_(idx, idx)]
    if len(idx) == 1:
        return float(stats.norm.cdf(0.0, loc=m[0], scale=math.sqrt(c[0, 0])))
    return float(stats.multivariate_normal.cdf(np.zeros(len(idx)), mean=m, cov=c, abseps=1e-7, releps=1e-7))


# --------------------------------------------------------------------------------------------
# Monte Carlo: economics and statistics
# --------------------------------------------------------------------------------------------


def test_zero_shock_is_exactly_the_baseline_with_common_random_numbers():
    r = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=np.zeros(12), n_paths=50_000, seed=7)
    for p in (r.technical_4q, r.technical_horizon, r.annual_contraction):
        assert p.tariff == p.baseline
        assert p.difference == 0.0 and p.se_difference == 0.0
    np.testing.assert_array_equal(r.growth_quantiles_tariff, r.growth_quantiles_baseline)


def test_zero_shock_matches_an_independent_baseline_within_monte_carlo_error():
    a = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=np.zeros(12), n_paths=100_000, seed=11)
    b = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=None, horizon=12, n_paths=100_000, seed=12)
    for pa, pb in (
        (a.technical_4q, b.technical_4q),
        (a.technical_horizon, b.technical_horizon),
        (a.annual_contraction, b.annual_contraction),
    ):
        se = math.hypot(pa.se_tariff, pb.se_baseline)
        assert abs(pa.tariff - pb.baseline) < 4 * se


def test_deeper_tariff_loss_never_lowers_recession_probabilities():
    """Monotonicity over a grid of shock sizes, with the same innovations for every size (CRN)."""
    grid = [0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    probs = np.array(
        [
            _probs(simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=_ramp(s), n_paths=40_000, seed=3))
            for s in grid
        ]
    )
    assert np.all(np.diff(probs, axis=0) >= 0)
    # and the effect is real, not a flat line: a 2 % loss within a year raises every probability
    base = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=_ramp(2.0), n_paths=40_000, seed=3)
    for p in (base.technical_4q, base.technical_horizon, base.annual_contraction):
        assert p.difference > 5 * p.se_difference


def test_parameter_draws_are_monotone_too():
    scales = np.linspace(0.5, 1.5, 50)[:, None]
    lo = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=scales * _ramp(1.0), n_paths=20_000, seed=5)
    hi = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=scales * _ramp(2.0), n_paths=20_000, seed=5)
    assert lo.n_draws == 50
    assert np.all(_probs(hi) >= _probs(lo))
    assert np.all(
        _probs(lo)
        >= np.array([lo.technical_4q.baseline, lo.technical_horizon.baseline, lo.annual_contraction.baseline])
    )


@settings(max_examples=25, deadline=None)
@given(
    mu=st.floats(-0.5, 1.5),
    rho=st.floats(-0.5, 0.9),
    sigma=st.floats(0.1, 2.0),
    drops=st.lists(st.floats(0.0, 3.0), min_size=6, max_size=6),
    seed=st.integers(0, 2**32 - 1),
    df=st.one_of(st.none(), st.floats(2.1, 50.0)),
)
def test_any_nonincreasing_loss_path_weakly_raises_every_probability(mu, rho, sigma, drops, seed, df):
    """Gaussian (df None) or Student t innovations with the same sd."""
    shock = -np.cumsum(drops)  # level falls (weakly) every quarter
    r = simulate_recession_risk(mu=mu, rho=rho, sigma=sigma, df=df, shock=shock, n_paths=2_000, seed=seed)
    assert r.change >= 0 and r.change_horizon >= 0 and r.change_annual >= 0
    for p in (r.technical_4q, r.technical_horizon, r.annual_contraction):
        assert p.tariff >= p.baseline


def test_technical_recession_closed_form_white_noise():
    """rho = 0, two quarters, g0 > 0: P(two negatives) = Phi(-mu/sigma)^2."""
    mu, sigma = 0.3, 0.9
    r = simulate_recession_risk(mu=mu, rho=0.0, sigma=sigma, horizon=2, n_paths=400_000, seed=21)
    exact = stats.norm.cdf(-mu / sigma) ** 2
    assert abs(r.technical_horizon.baseline - exact) < 4 * r.technical_horizon.se_baseline
    assert r.technical_4q.baseline == r.technical_horizon.baseline  # horizon < 4: same pairs


@pytest.mark.parametrize("g0", [0.8, -0.4])
def test_technical_recession_matches_gaussian_orthant_probabilities(g0):
    """AR(1) with rho = 0.5 and a tariff over 3 quarters against exact multivariate-normal probabilities.

    With g0 >= 0: P(A12 or A23) = P(A12) + P(A23) - P(A123). With g0 < 0 the pair (0, 1) counts, so
    the event is {g1 < 0} or A23.
    """
    mu, rho, sigma = 0.4, 0.5, 0.8
    shock = np.array([-0.5, -1.0, -1.2])
    mean, cov = _ar1_mean_cov(mu, rho, sigma, g0, 3)
    mean_t = mean + np.diff(100 * np.log1p(shock / 100), prepend=0.0)
    r = simulate_recession_risk(mu=mu, rho=rho, sigma=sigma, shock=shock, g0=g0, n_paths=400_000, seed=8)
    for m, got, se in (
        (mean, r.technical_horizon.baseline, r.technical_horizon.se_baseline),
        (mean_t, r.technical_horizon.tariff, r.technical_horizon.se_tariff),
    ):
        if g0 >= 0:
            exact = (
                _p_all_negative(m, cov, [0, 1]) + _p_all_negative(m, cov, [1, 2]) - _p_all_negative(m, cov, [0, 1, 2])
            )
        else:
            exact = _p_all_negative(m, cov, [0]) + _p_all_negative(m, cov, [1, 2]) - _p_all_negative(m, cov, [0, 1, 2])
        assert abs(got - exact) < 4 * se


def test_annual_contraction_against_an_independent_simulation():
    """Draw (g1..g4) directly from their joint normal law and apply the calendar-year definition."""
    mu, rho, sigma, g0, pre = 0.2, 0.4, 0.9, -0.3, (0.5, 0.1)
    r = simulate_recession_risk(mu=mu, rho=rho, sigma=sigma, horizon=4, g0=g0, pre_growth=pre, n_paths=200_000, seed=4)
    mean, cov = _ar1_mean_cov(mu, rho, sigma, g0, 4)
    g = np.random.default_rng(99).multivariate_normal(mean, cov, size=200_000)
    levels = np.exp(np.cumsum(g, axis=1) / 100)  # quarters 1-4, quarter 0 = 1
    before = np.exp(-np.array([g0 + pre[1] + pre[0], g0 + pre[1], g0, 0.0]) / 100)
    p_ref = np.mean(levels.mean(axis=1) < before.mean())
    se = math.hypot(r.annual_contraction.se_baseline, math.sqrt(p_ref * (1 - p_ref) / 200_000))
    assert abs(r.annual_contraction.baseline - p_ref) < 4 * se


def test_one_off_level_loss_changes_growth_once_and_annual_growth_by_its_size():
    """sigma = 0: a permanent 3 % level loss in quarter 1 lowers growth in quarter 1 only, by ln(0.97);
    with 1.2 % baseline growth the calendar year then contracts, while a 1 % loss does not
    (calendar-year growth ~ 1.2 % minus the loss)."""
    mu = annual_to_quarterly(1.2)
    for loss, contracts in ((3.0, True), (1.0, False)):
        r = simulate_recession_risk(mu=mu, rho=0.5, sigma=0.0, shock=np.full(8, -loss), n_paths=10, seed=0)
        effect = r.mean_growth_tariff - r.mean_growth_baseline
        np.testing.assert_allclose(effect, [100 * math.log(1 - loss / 100)] + [0.0] * 7, atol=1e-12)
        np.testing.assert_allclose(r.mean_growth_baseline, mu, atol=1e-12)
        assert r.annual_contraction.baseline == 0.0
        assert r.annual_contraction.tariff == (1.0 if contracts else 0.0)
        assert r.technical_horizon.tariff == 0.0  # one negative quarter is not a technical recession


def test_shock_to_growth_is_the_first_difference_of_the_level_path():
    d = np.array([-0.2, -0.8, -1.5, -1.9, -2.0])
    e = shock_to_growth(d)
    np.testing.assert_allclose(e, np.diff(d, prepend=0.0), atol=0.01)  # first order
    np.testing.assert_allclose(np.cumsum(e), 100 * np.log1p(d / 100), atol=1e-12)  # levels add up exactly


def test_parameter_draws_are_spread_evenly_over_paths():
    """Two draws: no loss, and a collapse (-30 % then -60 %) that forces two negative quarters.
    Half the paths get each, so P(tariff) = 1/2 + 1/2 P(baseline) up to sampling noise of the half."""
    H = 6
    shock = np.zeros((2, H))
    shock[1] = [-30, -60, -60, -60, -60, -60]
    r = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=shock, n_paths=100_000, seed=2)
    p_b = r.technical_4q.baseline
    assert abs(r.technical_4q.tariff - (0.5 + 0.5 * p_b)) < 4 * math.sqrt(p_b * (1 - p_b) / 50_000) / 2 + 1e-12
    np.testing.assert_allclose(r.shock_growth_mean, shock_to_growth(shock).mean(axis=0))


def test_same_seed_reproduces_and_another_seed_differs():
    kw = dict(mu=MU, rho=RHO, sigma=SIGMA, shock=_ramp(1.5), n_paths=20_000)
    a, b, c = (simulate_recession_risk(seed=s, **kw) for s in (123, 123, 124))
    assert a.summary() == b.summary()
    pd.testing.assert_frame_equal(a.quantiles(), b.quantiles())
    assert a.summary()["recession_probability"] != c.summary()["recession_probability"]
    assert not np.array_equal(a.growth_quantiles_baseline, c.growth_quantiles_baseline)
    d = simulate_recession_risk(seed=None, **kw)  # fresh entropy is recorded and replays
    assert simulate_recession_risk(seed=d.seed, **kw).summary() == d.summary()


def test_quantiles_are_tidy_ordered_and_match_the_normal_law_without_shock():
    r = simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, horizon=8, n_paths=100_000, seed=1, start="2025Q1")
    q = r.quantiles()
    assert list(q.columns) == ["quarter", "period", "scenario", "quantile", "growth_pct"]
    assert len(q) == 8 * 2 * 7
    assert q.loc[q.quarter == 1, "period"].unique().tolist() == ["2025Q1"]
    wide = q[q.scenario == "baseline"].pivot(index="quarter", columns="quantile", values="growth_pct")
    assert np.all(np.diff(wide.to_numpy(), axis=1) > 0)
    # g0 = mu, so each quarter's growth is N(mu, sigma^2 (1 - rho^{2q}) / (1 - rho^2))
    mean, cov = _ar1_mean_cov(MU, RHO, SIGMA, MU, 8)
    exact = stats.norm.ppf(np.array(r.quantile_levels))[None, :] * np.sqrt(np.diag(cov))[:, None] + mean[:, None]
    np.testing.assert_allclose(wide.to_numpy(), exact, atol=0.03)


def test_bad_monte_carlo_inputs():
    with pytest.raises(DataError, match="shock"):
        simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=np.zeros(12), horizon=8)
    with pytest.raises(DataError, match="shock"):
        simulate_recession_risk(mu=MU, rho=RHO, sigma=SIGMA, shock=[0.0, np.nan])
    with pytest.raises(ValueError, match="sigma"):
        simulate_recession_risk(mu=MU, rho=RHO, sigma=-1.0)


def test_annual_and_quarterly_growth_conversions():
    assert annual_to_quarterly(1.2) == pytest.approx(0.2982, abs=1e-4)
    # four quarters at the quarterly rate compound to the annual rate
    assert math.exp(4 * annual_to_quarterly(-1.3) / 100) - 1 == pytest.approx(-0.013, rel=1e-12)
    assert quarterly_to_annual(annual_to_quarterly(2.5)) == pytest.approx(2.5, rel=1e-12)


def test_pure_indicator_functions_on_hand_made_paths():
    g = np.array(
        [
            [0.5, -0.1, -0.2, 0.3],  # quarters 1-4 of path 0: -0.1, -0.2 consecutive
            [-0.1, 0.2, -0.3, 0.4],  # path 1: never two in a row (unless g0 < 0)
            [0.2, -0.5, 0.1, -0.2],  # path 2: no
            [-0.1, -0.4, 0.2, 0.1],
        ]
    ).T  # path 3: quarters 1-2
    assert technical_recession(g, g0=0.2).tolist() == [True, False, False, True]
    assert technical_recession(g, g0=-0.2).tolist() == [True, True, False, True]
    assert technical_recession(g, g0=0.2, upto=2).tolist() == [False, False, False, True]
    flat = np.zeros((4, 1))
    assert annual_contraction(flat, 0.0, (0.0, 0.0)).tolist() == [False]  # no growth: equal averages
    # growth stops in quarter 1: the level stays above last year's average (positive carry-over)
    assert annual_contraction(flat, 0.3, (0.3, 0.3)).tolist() == [False]
    # ... but after a falling year the same standstill is a calendar-year contraction
    assert annual_contraction(flat, -0.3, (-0.3, -0.3)).tolist() == [True]


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------


def _simulated_series(mu, rho, sigma, n, seed):
    u = np.random.default_rng(seed).normal(0.0, sigma, n + 500)
    x = signal.lfilter([1.0], [1.0, -rho], u)[500:] + mu  # independent of the package's own recursion
    return pd.Series(x, index=pd.period_range("1000Q1", periods=n, freq="Q"))


def test_gaussian_calibration_recovers_known_parameters():
    mu, rho, sigma = 0.5, 0.4, 0.9
    cal = calibrate_ar1(_simulated_series(mu, rho, sigma, 20_000, 17), start=None, end=None, innovations="gaussian")
    assert cal.n_obs == 19_999
    assert abs(cal.mu - mu) < 4 * cal.se_mu
    assert abs(cal.rho - rho) < 4 * cal.se_rho
    assert abs(cal.sigma - sigma) < 4 * cal.se_sigma
    # the standard errors are the textbook asymptotic ones
    assert cal.se_rho == pytest.approx(math.sqrt((1 - rho**2) / cal.n_obs), rel=0.05)
    assert cal.se_mu == pytest.approx(sigma / (1 - rho) / math.sqrt(cal.n_obs), rel=0.05)


def test_excluding_an_outlier_quarter_drops_both_regression_rows_it_enters():
    s = _simulated_series(0.5, 0.4, 0.9, 2_000, 31)
    s.iloc[1000] = -20.0  # a lockdown-sized quarter
    bad = s.index[1000]
    with_outlier = calibrate_ar1(s, start=None, end=None, innovations="gaussian")
    cleaned = calibrate_ar1(s, start=None, end=None, exclude=[str(bad)], innovations="gaussian")
    assert cleaned.n_obs == with_outlier.n_obs - 2
    assert cleaned.excluded == (str(bad),)
    assert with_outlier.sigma > 1.1 * cleaned.sigma
    assert abs(cleaned.sigma - 0.9) < 4 * cleaned.se_sigma
    ranged = calibrate_ar1(s, start=None, end=None, exclude=[f"{bad}:{bad + 1}"], innovations="gaussian")
    assert ranged.n_obs == with_outlier.n_obs - 3


def _simulated_t_series(mu, rho, scale, df, n, seed):
    u = scale * np.random.default_rng(seed).standard_t(df, n + 500)
    x = signal.lfilter([1.0], [1.0, -rho], u)[500:] + mu
    return pd.Series(x, index=pd.period_range("1000Q1", periods=n, freq="Q"))


def _t_expected_information(rho, scale, df):
    """Per-observation Fisher information of the Student t AR(1) in (mu, rho, scale, df).

    Location-scale t (Lange, Little and Taylor 1989, JASA 84, eq. for the information of
    (location, scale, df)): I_mm = (df+1)/((df+3) s^2), I_ss = 2 df/((df+3) s^2),
    I_s,df = -2/((df+1)(df+3) s), I_df,df = [psi'(df/2) - psi'((df+1)/2)]/4 - (df+5)/(2 df (df+1)(df+3)).
    The AR location mu (1 - rho) + rho x has derivatives (1 - rho) and (x - mu), E(x - mu) = 0 and
    var(x) = s^2 df / (df - 2) / (1 - rho^2)."""
    i_loc = (df + 1) / ((df + 3) * scale**2)
    var_x = scale**2 * df / (df - 2) / (1 - rho**2)
    info = np.zeros((4, 4))
    info[0, 0] = (1 - rho) ** 2 * i_loc
    info[1, 1] = var_x * i_loc
    info[2, 2] = 2 * df / ((df + 3) * scale**2)
    info[2, 3] = info[3, 2] = -2 / ((df + 1) * (df + 3) * scale)
    info[3, 3] = 0.25 * (special.polygamma(1, df / 2) - special.polygamma(1, (df + 1) / 2)) - (df + 5) / (
        2 * df * (df + 1) * (df + 3)
    )
    return info


def test_student_t_mle_recovers_known_parameters_with_fisher_information_standard_errors():
    mu, rho, scale, df = 0.6, 0.35, 0.5, 4.0
    cal = calibrate_ar1(_simulated_t_series(mu, rho, scale, df, 20_000, 23), start=None, end=None)
    assert cal.innovations == "student_t" and cal.n_obs == 19_999
    for name, true in (("mu", mu), ("rho", rho), ("scale", scale), ("df", df)):
        assert abs(getattr(cal, name) - true) < 4 * getattr(cal, f"se_{name}"), name
    assert abs(cal.sigma - scale * math.sqrt(df / (df - 2))) < 4 * cal.se_sigma
    # Hessian (observed information) standard errors agree with the expected information
    cov = np.linalg.inv(cal.n_obs * _t_expected_information(rho, scale, df))
    for i, name in enumerate(("mu", "rho", "scale", "df")):
        assert getattr(cal, f"se_{name}") == pytest.approx(math.sqrt(cov[i, i]), rel=0.15), name
    # the Gaussian OLS fit of the same sample is recorded, and the t likelihood beats it by far
    assert cal.gaussian_rho == pytest.approx(rho, abs=0.03)
    assert cal.gaussian_sigma == pytest.approx(cal.sigma, rel=0.05)
    gauss = calibrate_ar1(
        _simulated_t_series(mu, rho, scale, df, 20_000, 23), start=None, end=None, innovations="gaussian"
    )
    assert cal.loglik > gauss.loglik + 100


def test_student_t_fit_on_gaussian_data_goes_to_the_gaussian_limit():
    cal = calibrate_ar1(_simulated_series(0.5, 0.4, 0.9, 20_000, 17), start=None, end=None)
    assert cal.df == 1000.0 and cal.se_df is None  # held at the bound, se undefined
    assert "upper bound" in cal.method
    assert abs(cal.sigma - 0.9) < 4 * cal.se_sigma and abs(cal.rho - 0.4) < 4 * cal.se_rho


def test_growth_statistics_on_a_hand_made_sample():
    g = np.array([1.0, -0.5, -0.2, 0.3, 0.4, 0.5, -0.1, 0.2, 0.6])
    neg, tech = growth_statistics(g)
    assert neg == pytest.approx(3 / 9)
    # origins t = 0..4; only the pair (1, 2) is negative-negative, reached from origins 0 and 1
    assert tech == pytest.approx(2 / 5)
    keep = np.ones(9, dtype=bool)
    keep[8] = False  # drops quarter 8 and the one window (origin 4) that touches it
    neg_k, tech_k = growth_statistics(g, keep)
    assert neg_k == pytest.approx(3 / 8) and tech_k == pytest.approx(2 / 4)
    neg2, tech2 = growth_statistics(np.vstack([g, -np.abs(g)]))
    np.testing.assert_allclose(neg2, [3 / 9, 1.0])
    np.testing.assert_allclose(tech2, [2 / 5, 1.0])


def test_calibration_round_trips_through_dict_and_file(tmp_path):
    s = _simulated_t_series(0.5, 0.4, 0.6, 5.0, 400, 3)
    for innovations in ("student_t", "gaussian"):
        cal = calibrate_ar1(s, start=None, end=None, exclude=["1050Q2"], innovations=innovations, country="MEX")
        assert AR1Calibration.from_dict(cal.to_dict()) == cal
        assert AR1Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal
        out = tmp_path / f"{innovations}.json"
        from tariffsim.inputs.calibrations import write_calibration

        write_calibration(cal, out, command="test")
        assert read_calibration(out) == cal


def test_calibration_needs_the_whole_sample():
    s = _simulated_series(0.5, 0.4, 0.9, 100, 3)
    with pytest.raises(DataError, match="sample"):
        calibrate_ar1(s, start="0990Q1", end="1010Q4")


# --------------------------------------------------------------------------------------------
# Shipped calibrations: provenance, predictive check, lookup
# --------------------------------------------------------------------------------------------


def _shipped(code):
    return json.loads(data_file("recession", f"{code}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", ["MEX", "USA"])
def test_shipped_calibrations_are_documented_student_t_fits(code):
    doc = _shipped(code)
    for key in ("command", "input", "input_sha256", "sample", "crisis_treatment", "estimator", "calibration"):
        assert doc[key]
    assert doc["command"].startswith("tariffsim calibrate ../shared/data/")
    assert f"--country {code}" in doc["command"] and f"--out data/recession/{code}.json" in doc["command"]
    assert doc["input"].startswith("../shared/data/") and not Path(doc["input"]).is_absolute()
    cal = load_calibration(code)
    assert cal.country == code and cal.innovations == "student_t"
    assert 2 < cal.df < 10 and 0 < cal.rho < 1 and 0 < cal.scale < cal.sigma
    assert cal.sigma == pytest.approx(cal.scale * math.sqrt(cal.df / (cal.df - 2)), rel=1e-12)
    for se in (cal.se_mu, cal.se_rho, cal.se_scale, cal.se_sigma):
        assert 0 < se < 1
    assert 0 < cal.se_df < cal.df


@pytest.mark.parametrize("code", ["MEX", "USA"])
def test_predictive_check_does_not_reject_the_shipped_calibration(code):
    """Samples of the historical length from the shipped fitted model: the observed share of negative
    quarters and share of four-quarter windows with a technical recession are not rejected at 5 %."""
    cal = load_calibration(code)
    check = predictive_check(cal, n_samples=20_000, seed=20250201)
    assert check.n_quarters == len(pd.period_range(cal.start, cal.end, freq="Q"))
    for stat, p in check.p_value.items():
        assert p > 0.05, (code, stat, p)
    assert not any(check.rejected(0.05).values())
    # the file records the same check
    assert _shipped(code)["predictive_check"]["fitted"] == json.loads(json.dumps(check.to_dict()))
    # and the conclusion does not hang on the seed
    other = predictive_check(cal, n_samples=20_000, seed=7)
    assert all(p > 0.05 for p in other.p_value.values())


def test_gaussian_ar1_is_rejected_for_mexico():
    """MODELS.md section 3: with Gaussian innovations the INEGI 1996-2019 share of four-quarter windows
    with a technical recession (9 of 92, about 10 %) is rejected (p about 0.01-0.02); the model puts
    about a third of all windows in a technical recession."""
    cal = default_calibration()
    assert cal.share_technical_4q == pytest.approx(9 / 92) and cal.share_negative == pytest.approx(17 / 96)
    check = predictive_check(cal, n_samples=20_000, seed=20250201, gaussian=True)
    assert check.p_value["share_technical_4q"] < 0.05
    assert check.simulated_mean["share_technical_4q"] > 3 * cal.share_technical_4q
    assert (
        check.p_value["share_negative"]
        < predictive_check(cal, n_samples=20_000, seed=20250201).p_value["share_negative"]
    )
    assert _shipped("MEX")["predictive_check"]["gaussian"] == json.loads(json.dumps(check.to_dict()))


def test_default_calibration_is_mexico_and_the_shipped_list():
    assert default_calibration() == load_calibration("MEX") == load_calibration("Mexico")
    assert {"MEX", "USA"} <= set(shipped_calibrations())


def test_unknown_or_uncalibrated_country_raises_naming_it():
    with pytest.raises(ScenarioError) as info:
        load_calibration("CAN", source="can25.toml")
    msg = str(info.value)
    assert "CAN" in msg and "can25.toml" in msg and "[recession]" in msg and "rho" in msg
    with pytest.raises(CountryCodeError, match="Atlantis"):
        load_calibration("Atlantis")


def test_scenario_parameters_override_and_enable_any_country(tmp_path):
    t = load_calibration("CAN", {"rho": 0.3, "scale": 0.4, "df": 5.0, "mu": 0.5})
    assert (t.country, t.innovations, t.rho, t.scale, t.df, t.mu) == ("CAN", "student_t", 0.3, 0.4, 5.0, 0.5)
    assert t.sigma == pytest.approx(0.4 * math.sqrt(5 / 3))
    g = load_calibration("MEX", {"rho": 0.4, "sigma": 0.9})  # replaces the shipped one
    assert (g.innovations, g.sigma, g.df) == ("gaussian", 0.9, None) and math.isnan(g.mu)
    s = load_calibration("CAN", {"rho": 0.4, "sigma": 0.9, "df": 4})  # Student t with sd 0.9
    assert s.sigma == pytest.approx(0.9) and s.scale == pytest.approx(0.9 / math.sqrt(2))
    f = load_calibration("CAN", {"file": str(data_file("recession", "USA.json"))})
    assert f.country == "CAN" and f.rho == load_calibration("USA").rho
    # the override feeds the Monte Carlo directly
    r = simulate_recession_risk(mu=MU, calibration=t, shock=_ramp(1.0), n_paths=5_000, seed=1)
    assert (r.innovations, r.df, r.scale) == ("student_t", 5.0, 0.4)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sigma": 0.9}, "recession.rho"),
        ({"rho": 1.2, "sigma": 0.9}, "recession.rho"),
        ({"rho": "high", "sigma": 0.9}, "recession.rho"),
        ({"rho": True, "sigma": 0.9}, "recession.rho"),
        ({"rho": 0.4}, "recession.sigma"),
        ({"rho": 0.4, "sigma": -1.0}, "recession.sigma"),
        ({"rho": 0.4, "sigma": float("nan")}, "recession.sigma"),
        ({"rho": 0.4, "scale": 0.5}, "recession.df"),
        ({"rho": 0.4, "scale": 0.5, "df": 2.0}, "recession.df"),
        ({"rho": 0.4, "scale": 0.5, "sigma": 0.9, "df": 4}, "recession.scale"),
        ({"rho": 0.4, "sigma": 0.9, "kurtosis": 8}, "recession.kurtosis"),
        ({"file": "x.json", "rho": 0.4}, "recession.file"),
    ],
)
def test_bad_scenario_parameters_name_the_field(params, field):
    with pytest.raises(ScenarioError) as info:
        calibration_from_parameters(params, country="CAN", source="can25.toml")
    assert info.value.field == field
    assert str(info.value).startswith(f"can25.toml: {field}:")


# --------------------------------------------------------------------------------------------
# Student t Monte Carlo: headline change and its standard error
# --------------------------------------------------------------------------------------------


def test_student_t_technical_recession_closed_form():
    """rho = 0, two quarters, g0 > 0, u = scale * t_df: P(two negatives) = F_t(-mu/scale; df)^2."""
    mu, scale, df = 0.3, 0.5, 3.0
    r = simulate_recession_risk(mu=mu, rho=0.0, scale=scale, df=df, horizon=2, n_paths=400_000, seed=21)
    exact = stats.t.cdf(-mu / scale, df) ** 2
    assert abs(r.technical_horizon.baseline - exact) < 4 * r.technical_horizon.se_baseline
    # sigma (the sd) and scale describe the same law
    same = simulate_recession_risk(
        mu=mu, rho=0.0, sigma=scale * math.sqrt(df / (df - 2)), df=df, horizon=2, n_paths=400_000, seed=21
    )
    assert same.technical_horizon.baseline == r.technical_horizon.baseline


def test_zero_shock_gives_exactly_zero_change_with_the_shipped_calibration():
    cal = default_calibration()
    r = simulate_recession_risk(mu=MU, calibration=cal, shock=np.zeros(12), n_paths=50_000, seed=7)
    assert r.innovations == "student_t" and r.df == cal.df and r.scale == cal.scale and r.rho == cal.rho
    for change, se in ((r.change, r.se_change), (r.change_horizon, r.se_change_horizon)):
        assert change == 0.0 and se == 0.0
    assert r.change_annual == 0.0 and r.se_change_annual == 0.0
    np.testing.assert_array_equal(r.growth_quantiles_tariff, r.growth_quantiles_baseline)


def test_se_change_is_the_paired_standard_error_and_below_a_point_with_default_paths():
    """The CRN standard error of the change matches the spread of the change over independent seeds,
    is smaller than the unpaired one, and is below 0.01 with the default number of paths for a
    first-year loss of 2 % (the size of the central tariff scenarios)."""
    cal = default_calibration()
    shock = _ramp(2.0)
    runs = [simulate_recession_risk(mu=MU, calibration=cal, shock=shock, n_paths=20_000, seed=s) for s in range(40)]
    changes = np.array([r.change for r in runs])
    se = np.mean([r.se_change for r in runs])
    assert np.std(changes, ddof=1) == pytest.approx(se, rel=0.3)
    unpaired = math.hypot(runs[0].technical_4q.se_tariff, runs[0].technical_4q.se_baseline)
    assert runs[0].se_change < unpaired
    full = simulate_recession_risk(mu=MU, calibration=cal, shock=shock, seed=1)
    assert full.n_paths == 100_000
    assert 0 < full.se_change < 0.01 and full.change > 10 * full.se_change
    assert full.se_change_horizon < 0.01 and full.se_change_annual < 0.01
    s = full.summary()
    assert s["recession_probability_change"] == full.change
    assert s["recession_probability_change_se"] == full.se_change
    assert s["recession_probability_change"] == pytest.approx(
        s["recession_probability"] - s["recession_probability_baseline"]
    )


def test_results_do_not_depend_on_the_chunk_size():
    cal = default_calibration()
    shock = np.linspace(0.5, 1.5, 7)[:, None] * _ramp(1.5)
    a = simulate_recession_risk(mu=MU, calibration=cal, shock=shock, n_paths=30_001, seed=9)
    b = simulate_recession_risk(mu=MU, calibration=cal, shock=shock, n_paths=30_001, seed=9, chunk_paths=4_096)
    assert a.summary() == b.summary()
    np.testing.assert_array_equal(a.growth_quantiles_tariff, b.growth_quantiles_tariff)
    np.testing.assert_allclose(a.mean_growth_tariff, b.mean_growth_tariff, rtol=1e-12)


def test_fat_tails_lower_the_baseline_risk_at_the_same_sd():
    """At the same innovation sd, Student t puts more mass near the mean than the Gaussian, so small
    negative quarters, and technical recessions at a positive mean, are rarer."""
    cal = default_calibration()
    t = simulate_recession_risk(mu=MU, calibration=cal, horizon=12, n_paths=100_000, seed=3)
    g = simulate_recession_risk(mu=MU, rho=cal.rho, sigma=cal.sigma, horizon=12, n_paths=100_000, seed=3)
    assert t.recession_probability_baseline < g.recession_probability_baseline - 5 * t.technical_4q.se_baseline


def test_monte_carlo_innovation_arguments_are_checked():
    cal = default_calibration()
    with pytest.raises(ValueError, match="calibration"):
        simulate_recession_risk(mu=MU, calibration=cal, rho=0.3)
    with pytest.raises(ValueError, match="df > 2"):
        simulate_recession_risk(mu=MU, rho=0.3, scale=0.5, df=1.5)
    with pytest.raises(ValueError, match="exactly one"):
        simulate_recession_risk(mu=MU, rho=0.3, scale=0.5, sigma=0.9, df=4)
    with pytest.raises(ValueError, match="rho"):
        simulate_recession_risk(mu=MU, sigma=0.9)


# --------------------------------------------------------------------------------------------
# Raw data (../shared/data)
# --------------------------------------------------------------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("code", ["MEX", "USA"])
def test_rerunning_the_recorded_command_reproduces_the_shipped_file(shared_data, tmp_path, monkeypatch, capsys, code):
    doc = _shipped(code)
    if not (ROOT / doc["input"]).is_file():
        pytest.skip(f"{doc['input']} not found from the project root")
    assert hashlib.sha256((ROOT / doc["input"]).read_bytes()).hexdigest() == doc["input_sha256"]
    argv = shlex.split(doc["command"])[1:]
    out = tmp_path / f"{code}.json"
    argv[argv.index("--out") + 1] = str(out)
    monkeypatch.chdir(ROOT)
    assert cli_main(argv) == 0
    assert "written to" in capsys.readouterr().out
    fresh = json.loads(out.read_text())
    assert fresh["command"].replace(str(out), f"data/recession/{code}.json") == doc["command"]
    fresh_cal, shipped_cal = fresh.pop("calibration"), doc.pop("calibration")
    for key in ("command", "tariffsim_version"):
        fresh.pop(key, None)
        doc.pop(key, None)
    assert fresh == doc
    assert fresh_cal.keys() == shipped_cal.keys()
    for key, value in shipped_cal.items():
        if isinstance(value, float):
            assert fresh_cal[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
        elif key in ("cov", "gaussian_cov"):  # covariance of the estimates (numerical Hessian)
            np.testing.assert_allclose(fresh_cal[key], value, rtol=1e-7, atol=1e-12, err_msg=key)
        else:
            assert fresh_cal[key] == value, key


@pytest.mark.shared_data
def test_fred_gdpc1_is_read_and_its_sample_justified(shared_data):
    """FRED's GDPC1 (date, value; quarter-start dates, SAAR chained 2017 dollars). The shipped US sample
    1985Q1-2019Q4 starts after the Great Moderation break (1984Q1, McConnell and Perez-Quiros 2000) and
    ends before COVID-19; it holds the 1990-91, 2001 and 2008-09 recessions."""
    g = read_quarterly_gdp(shared_data.joinpath(*FRED))
    assert g.index[0] == pd.Period("1980Q2", "Q")
    cal = load_calibration("USA")
    sample = g[cal.start : cal.end]
    assert len(sample) == 140 and cal.n_obs == 139
    assert cal.sample_mean == pytest.approx(sample.mean(), rel=1e-12)
    # 2008Q4: -2.2 % q/q (-8.5 % annualised, BEA); the sd halved after 1984 (Great Moderation)
    assert g["2008Q4"] == pytest.approx(100 * math.log(1 - 0.085) / 4, abs=0.05)
    assert g["1980Q2":"1984Q4"].std() > 1.5 * g["1985Q1":"2007Q4"].std()


def test_fred_download_formats_are_read(tmp_path):
    rows = "\n".join(f"{1990 + i // 4}-{1 + 3 * (i % 4):02d}-01,{100 + i + (i % 3)}" for i in range(12))
    for header in ("observation_date,GDPC1", "DATE,GDPC1", "date,value"):
        path = tmp_path / "fred.csv"
        path.write_text(header + "\n" + rows + "\n")
        g = read_quarterly_gdp(path)
        assert g.index[0] == pd.Period("1990Q2", "Q") and len(g) == 11


@pytest.mark.shared_data
def test_inegi_moments_match_models_md_with_log_growth(shared_data):
    """MODELS.md section 3: INEGI SA 1996-2019 'mean 0.62 %, sd 1.04 %, autocorrelation 0.40'.
    The log definition 100*dln(Y) over growth quarters 1996Q1-2019Q4 gives 0.624, 1.040, 0.396; the
    simple change 100*(Y_t/Y_{t-1} - 1) gives a mean of 0.631, which does not round to 0.62."""
    cal = default_calibration()
    assert (cal.start, cal.end, cal.excluded) == ("1996Q1", "2019Q4", ())
    assert cal.sample_mean == pytest.approx(0.62, abs=0.005)
    assert cal.sample_sd == pytest.approx(1.04, abs=0.005)
    assert cal.sample_autocorr == pytest.approx(0.40, abs=0.005)
    raw = pd.read_csv(shared_data.joinpath(*INEGI))
    level = raw["PIB"].dropna().to_numpy()
    quarters = pd.period_range("1981Q1", periods=level.size, freq="Q")
    simple = pd.Series(100 * (level[1:] / level[:-1] - 1), index=quarters[1:])["1996Q1":"2019Q4"]
    assert round(simple.mean(), 2) == 0.63
    # MODELS.md: 17.7 % negative quarters; the Gaussian fit's residual excess kurtosis is about 8
    growth = read_quarterly_gdp(shared_data.joinpath(*INEGI))["1996Q1":"2019Q4"].to_numpy()
    assert round(100 * np.mean(growth < 0), 1) == 17.7
    resid = growth[1:] - cal.gaussian_mu - cal.gaussian_rho * (growth[:-1] - cal.gaussian_mu)
    assert stats.kurtosis(resid) == pytest.approx(8.6, abs=0.1)
    # the implied unconditional sd of the fitted AR(1) is the sample sd, up to estimation error
    assert cal.unconditional_sd() == pytest.approx(cal.sample_sd, abs=2 * cal.se_sigma)


@pytest.mark.shared_data
def test_inegi_loader_agrees_with_the_published_qoq_change(shared_data):
    g = read_quarterly_gdp(shared_data.joinpath(*INEGI))
    assert g.index[0] == pd.Period("1981Q2", "Q") and g.index[-1] == pd.Period("2021Q4", "Q")  # 2022Q1 has no level
    pub = read_quarterly_gdp(shared_data.joinpath(*INEGI), kind="qoq_pct")  # PIB VT, converted to log
    both = pd.concat([g, pub], axis=1, join="inner").loc["1993Q2":]  # the level series is spliced in 1993Q1
    np.testing.assert_allclose(both.iloc[:, 0], both.iloc[:, 1], atol=1e-5)


@pytest.mark.shared_data
def test_haver_loader_agrees_with_the_published_log_difference(shared_data):
    path = shared_data.joinpath(*HAVER)
    g = read_quarterly_gdp(path)
    raw = pd.read_csv(path, usecols=["Quarter", "DL_GDP"])
    assert g.index[0] == pd.Period("1993Q2", "Q") and g.index[-1] == pd.Period("2023Q4", "Q")
    np.testing.assert_allclose(g.to_numpy(), raw["DL_GDP"].to_numpy()[1:] / 4, atol=1e-6)  # DL_GDP: annualised


@pytest.mark.shared_data
def test_run_calibration_writes_a_file_that_reads_back(shared_data, tmp_path):
    out = tmp_path / "cal.json"
    cal = run_calibration(shared_data.joinpath(*INEGI), end="2021Q4", exclude=["2020Q2:2020Q3"], out=out, country="MEX")
    doc = json.loads(out.read_text())
    assert read_calibration(out) == cal
    assert cal.excluded == ("2020Q2", "2020Q3")
    assert "COVID-19 quarters excluded" in doc["crisis_treatment"]
    assert "run_calibration" in doc["command"]
    assert not list(tmp_path.glob("*.tmp"))
    assert "country='MEX'" in doc["command"]
    # keeping the lockdown quarters would more than double the Gaussian innovation sd, and drive
    # the Student t degrees of freedom to the infinite-variance bound
    gauss = calibrate_file(
        shared_data.joinpath(*INEGI), end="2021Q4", exclude=["2020Q2:2020Q3"], innovations="gaussian"
    )
    assert calibrate_file(shared_data.joinpath(*INEGI), end="2021Q4", innovations="gaussian").sigma > 2 * gauss.sigma
    with pytest.raises(DataError, match="infinite variance"):
        calibrate_file(shared_data.joinpath(*INEGI), end="2021Q4")


# --------------------------------------------------------------------------------------------
# Malformed GDP files
# --------------------------------------------------------------------------------------------

GOOD = "Periodos,PIB\n30/03/2000,100\n30/06/2000,101\n30/09/2000,102\n31/12/2000,103\n30/03/2001,104\n"


@pytest.mark.parametrize(
    ("text", "kwargs", "where"),
    [
        (GOOD.replace("PIB", "GDPX"), {}, "no value column"),
        (GOOD, {"column": "PIB VT"}, "'PIB VT'"),
        (GOOD.replace("Periodos", "When"), {}, "no date column"),
        (GOOD.replace("30/09/2000", "September 2000"), {}, "row 4, column 'Periodos'"),
        (GOOD.replace("102", "1o2"), {}, "row 4, column 'PIB'"),
        (GOOD.replace("30/09/2000", "30/06/2000"), {}, "row 4, column 'Periodos'"),  # duplicated quarter
        (GOOD.replace("30/09/2000,102\n", ""), {}, "row 4, column 'Periodos'"),  # missing quarter
        (GOOD.replace("102", ""), {}, "row 4, column 'PIB'"),  # hole inside the series
        (GOOD.replace("102", "-102"), {}, "row 4, column 'PIB'"),
    ],
)
def test_malformed_files_raise_data_error_naming_file_row_and_column(tmp_path, text, kwargs, where):
    path = tmp_path / "bad_gdp.csv"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        read_quarterly_gdp(path, **kwargs)
    msg = str(info.value)
    assert "bad_gdp.csv" in msg
    assert where in msg


def test_trailing_and_leading_empty_values_are_dropped(tmp_path):
    path = tmp_path / "gdp.csv"
    path.write_text("Quarter,GDP\n1999.75,\n2000,100\n2000.25,101\n2000.5,102\n2000.75,\n")
    g = read_quarterly_gdp(path)
    assert list(g.index.astype(str)) == ["2000Q2", "2000Q3"]
    np.testing.assert_allclose(g.to_numpy(), 100 * np.log([1.01, 102 / 101]))


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_quarterly_gdp(tmp_path / "nope.csv")


# --------------------------------------------------------------------------------------------
# Calibration input validation (issue 11, class 5): clear errors naming the file and the flag
# --------------------------------------------------------------------------------------------


def _gdp_file(tmp_path, levels, name="gdp.csv"):
    quarters = pd.period_range("2000Q1", periods=len(levels), freq="Q")
    path = tmp_path / name
    path.write_text("Quarter,GDP\n" + "".join(f"{q},{v}\n" for q, v in zip(quarters, levels, strict=True)))
    return path


def _good_levels(n=60, seed=4):
    g = _simulated_t_series(0.6, 0.3, 0.5, 5.0, n - 1, seed).to_numpy()
    return 100 * np.exp(np.concatenate([[0.0], np.cumsum(g)]) / 100)


@pytest.mark.parametrize(
    ("extra", "levels", "where", "names_file"),
    [
        # malformed flags: the CLI may reject them before reading the file; the flag must be named
        (["--start", "tomorrow"], None, "--start", False),
        (["--start", "2001Q5"], None, "--start", False),
        (["--end", "2010-13-40"], None, "--end", False),
        (["--exclude", "2010Q3:soon"], None, "--exclude", False),
        (["--exclude", "2010Q3:2010Q1"], None, "--exclude", False),  # reversed range
        # flags that are well formed but do not fit the file
        (["--start", "2010Q1", "--end", "2005Q1"], None, "--start", False),
        (["--start", "1990Q1"], None, "--start/--end", True),  # before the file begins
        (["--start", "2000Q2", "--end", "2004Q4"], None, "--start/--end", True),  # too few observations
        (["--exclude", "2001Q1:2013Q4"], None, "--exclude", True),  # too few left after excluding
        # bad data
        ([], np.full(60, 100.0), "GDP values", True),  # constant level: singular
        ([], 100 * 1.01 ** np.arange(60), "GDP values", True),  # constant growth: singular
        ([], np.r_[_good_levels()[:30], 0.0, _good_levels()[31:]], "row 32, column 'GDP'", True),  # non-positive
        ([], np.r_[_good_levels()[:30], -5.0, _good_levels()[31:]], "row 32, column 'GDP'", True),
    ],
)
def test_calibrate_cli_rejects_bad_input_with_a_clear_error(tmp_path, capsys, extra, levels, where, names_file):
    path = _gdp_file(tmp_path, _good_levels() if levels is None else levels, name="bad_gdp.csv")
    out = tmp_path / "cal.json"
    argv = ["calibrate", str(path), "--start", "2000Q2", "--end", "2014Q4", *extra, "--out", str(out)]
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffsim: error: ") and len(err.strip().splitlines()) == 1
    assert where in err
    if names_file:
        assert "bad_gdp.csv" in err
    assert "Traceback" not in err and "LinAlgError" not in err and "Warning" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"start": "tomorrow"}, "start (--start)"),
        ({"start": "2001Q5"}, "start (--start)"),
        ({"end": "2010-13-40"}, "end (--end)"),
        ({"start": "2010Q1", "end": "2005Q1"}, "start/end (--start/--end)"),
        ({"exclude": ["2010Q3:2010Q1"]}, "exclude (--exclude)"),
        ({"exclude": ["2010Q3:soon"]}, "exclude (--exclude)"),
    ],
)
def test_calibration_api_names_the_file_and_the_field(tmp_path, kwargs, where):
    path = _gdp_file(tmp_path, _good_levels(), name="bad_gdp.csv")
    with pytest.raises(DataError) as info:
        calibrate_file(path, **{"start": "2000Q2", "end": "2014Q4", **kwargs})
    assert "bad_gdp.csv" in str(info.value) and where in str(info.value)


def test_calibrate_cli_on_a_good_file_writes_the_calibration(tmp_path, capsys):
    path = _gdp_file(tmp_path, _good_levels())
    out = tmp_path / "cal.json"
    argv = ["calibrate", str(path), "--country", "can", "--start", "2000Q2", "--end", "2014Q4", "--out", str(out)]
    assert cli_main(argv) == 0
    text = capsys.readouterr().out
    assert "df" in text and "scale" in text
    cal = read_calibration(out)
    assert cal.country == "CAN" and cal.innovations == "student_t" and cal.n_obs == 58
    assert load_calibration("CAN", {"file": str(out)}) == cal


def test_python_api_raises_data_error_not_value_error_for_bad_quarters():
    s = _simulated_series(0.5, 0.4, 0.9, 100, 3)
    with pytest.raises(DataError, match=r"start \(--start\)"):
        calibrate_ar1(s, start="tomorrow", end=None, source="series.csv")
    with pytest.raises(DataError, match="reversed"):
        calibrate_ar1(s, start=None, end=None, exclude="1010Q3:1010Q1")


def test_the_cached_baseline_half_gives_the_same_numbers():
    """The no-tariff half of the Monte Carlo is simulated once per seed and process (every set of a
    run shares it): a result after another shock equals a fresh simulation, bit for bit."""
    import dataclasses

    from tariffsim.models import recession as R

    kw = {"mu": 0.3, "rho": 0.34, "sigma": 1.0, "df": 4.0, "n_paths": 5001, "seed": 9, "chunk_paths": 2000}
    R.simulate_recession_risk(shock=-np.linspace(0.1, 3.0, 8), **kw)
    again = R.simulate_recession_risk(shock=-np.linspace(0.2, 1.0, 8), **kw)
    R._BASELINE.clear()
    fresh = R.simulate_recession_risk(shock=-np.linspace(0.2, 1.0, 8), **kw)
    names = [f.name for f in dataclasses.fields(fresh) if f.name != "quantile_source"]
    for name in [*names, "growth_quantiles_tariff", "growth_quantiles_baseline"]:
        a, b = getattr(again, name), getattr(fresh, name)
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b), name
        else:
            assert a == b, name


def test_the_recorded_input_path_does_not_follow_links(tmp_path, monkeypatch):
    """The calibration records the input as the user wrote it from the working folder: a data folder that
    is a link (``../shared`` -> somewhere else) stays ``../shared/...``, so the recorded command reruns."""
    from tariffsim.inputs.calibration_fit import _path_label

    real = tmp_path / "elsewhere" / "data"
    real.mkdir(parents=True)
    (real / "gdp.csv").write_text("x\n", encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "shared").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    monkeypatch.chdir(project)
    assert _path_label("../shared/data/gdp.csv") == "../shared/data/gdp.csv"
    assert _path_label(tmp_path / "shared" / "data" / "gdp.csv") == "../shared/data/gdp.csv"
    assert _path_label("./sub/../gdp.csv") == "gdp.csv"


@pytest.mark.parametrize(
    "text", ["2025Q2", "2025-Q2", "2025 q4", " 2025Q1 ", '"2025Q3"', "1996-04-01", "30/03/1996", "1996.25", "0999Q1"]
)
def test_the_quarter_label_of_a_run_is_the_periods(text):
    """A run labels its first quarter without pandas when it is written as a quarter; the label is
    the one pandas gives (str of the Period), for every way of writing a quarter."""
    from tariffsim.models.ar1 import as_period, quarter_label

    assert quarter_label(text, "start") == str(as_period(text, "start"))


@pytest.mark.parametrize("text", ["2025Q5", "2025Q0", "Q2 2025", "2025-13-01"])
def test_a_quarter_label_that_is_no_quarter_is_refused_naming_the_field(text):
    from tariffsim.models.ar1 import quarter_label

    with pytest.raises(DataError, match=r"start \(--start\)"):
        quarter_label(text, "start")
