"""Tests of tariffsim.recession: GDP loaders, AR(1) calibration, recession-risk Monte Carlo.

Reference values are closed forms (Gaussian orthant probabilities), independent simulations, the
publishers' own transforms in the raw files, and the moments MODELS.md section 3 quotes for
INEGI's seasonally adjusted GDP 1996-2019 (mean 0.62 %, sd 1.04 %, autocorrelation 0.40).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal, stats

from tariffsim.datasets import data_file
from tariffsim.errors import DataError
from tariffsim.recession import (
    AR1Calibration,
    annual_contraction,
    annual_to_quarterly,
    calibrate_ar1,
    calibrate_file,
    default_calibration,
    quarterly_to_annual,
    read_calibration,
    read_quarterly_gdp,
    run_calibration,
    shock_to_growth,
    simulate_recession_risk,
    technical_recession,
)

INEGI = ("mexico_gdp", "inegi_gdp_sa_1981q1_2021q4.csv")
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
)
def test_any_nonincreasing_loss_path_weakly_raises_every_probability(mu, rho, sigma, drops, seed):
    shock = -np.cumsum(drops)  # level falls (weakly) every quarter
    r = simulate_recession_risk(mu=mu, rho=rho, sigma=sigma, shock=shock, n_paths=2_000, seed=seed)
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


def test_calibration_recovers_known_parameters():
    mu, rho, sigma = 0.5, 0.4, 0.9
    cal = calibrate_ar1(_simulated_series(mu, rho, sigma, 20_000, 17), start=None, end=None)
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
    with_outlier = calibrate_ar1(s, start=None, end=None)
    cleaned = calibrate_ar1(s, start=None, end=None, exclude=[str(bad)])
    assert cleaned.n_obs == with_outlier.n_obs - 2
    assert cleaned.excluded == (str(bad),)
    assert with_outlier.sigma > 1.1 * cleaned.sigma
    assert abs(cleaned.sigma - 0.9) < 4 * cleaned.se_sigma
    ranged = calibrate_ar1(s, start=None, end=None, exclude=[f"{bad}:{bad + 1}"])
    assert ranged.n_obs == with_outlier.n_obs - 3


def test_calibration_round_trips_through_dict_and_file(tmp_path):
    cal = calibrate_ar1(_simulated_series(0.5, 0.4, 0.9, 400, 3), start=None, end=None, exclude=["1050Q2"])
    assert AR1Calibration.from_dict(cal.to_dict()) == cal
    assert AR1Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal


def test_calibration_needs_the_whole_sample():
    s = _simulated_series(0.5, 0.4, 0.9, 100, 3)
    with pytest.raises(DataError, match="sample"):
        calibrate_ar1(s, start="0990Q1", end="1010Q4")


def test_shipped_default_is_a_documented_calibration():
    doc = json.loads(data_file("recession", "ar1_mexico.json").read_text(encoding="utf-8"))
    for key in ("command", "input", "input_sha256", "sample", "crisis_treatment", "estimator", "calibration"):
        assert doc[key]
    assert doc["input"].startswith("../shared/data/mexico_gdp/")
    assert not Path(doc["input"]).is_absolute()
    cal = default_calibration()
    assert cal.sample_mean > 0 and 0 < cal.rho < 1 and cal.sigma > 0
    for se in (cal.se_mu, cal.se_rho, cal.se_sigma):
        assert 0 < se < 1


# --------------------------------------------------------------------------------------------
# Raw data (../shared/data)
# --------------------------------------------------------------------------------------------


@pytest.mark.shared_data
def test_inegi_calibration_reproduces_the_shipped_defaults(shared_data):
    shipped = default_calibration()
    doc = json.loads(data_file("recession", "ar1_mexico.json").read_text(encoding="utf-8"))
    path = shared_data.joinpath(*INEGI)
    assert doc["input"].endswith("/".join(INEGI))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == doc["input_sha256"]
    fresh = calibrate_file(path, start=shipped.start, end=shipped.end, exclude=shipped.excluded)
    for name in (
        "mu",
        "rho",
        "sigma",
        "se_mu",
        "se_rho",
        "se_sigma",
        "n_obs",
        "start",
        "end",
        "excluded",
        "method",
        "growth_definition",
        "sample_mean",
        "sample_sd",
        "sample_autocorr",
    ):
        assert getattr(fresh, name) == getattr(shipped, name), name


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
    cal = run_calibration(shared_data.joinpath(*INEGI), end="2021Q4", exclude=["2020Q2:2020Q3"], out=out)
    doc = json.loads(out.read_text())
    assert read_calibration(out) == cal
    assert cal.excluded == ("2020Q2", "2020Q3")
    assert "COVID-19 quarters excluded" in doc["crisis_treatment"]
    assert "run_calibration" in doc["command"]
    assert not list(tmp_path.glob("*.tmp"))
    # keeping the lockdown quarters would more than double the innovation sd
    assert calibrate_file(shared_data.joinpath(*INEGI), end="2021Q4").sigma > 2 * cal.sigma


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
