"""The growth model's own uncertainty, and its baseline check (docs/models/recession.md, "The uncertainty of the answer").

Parameter draws
    The fitted AR(1) (:mod:`tariffsim.models.ar1`) has a sampling distribution. Draws of its
    parameters come from the asymptotic normal law of the maximum-likelihood estimator, with the
    covariance the fit already computes (inverse Hessian of the log-likelihood, recorded as ``cov``
    in the calibration), in the parametrisation in which that law is closest to normal and every
    draw is admissible: (mu, atanh rho, ln scale, ln(df - 2)), covariance carried over by the delta
    method. Why not a parametric bootstrap: it needs a full Student t fit per draw (about a second
    each, and a few samples of 95 quarters put df at its bound), while the asymptotic law costs
    nothing at run time and is what the reported standard errors already mean; the transformation
    keeps rho inside (-1, 1), the scale positive and df above 2, where a normal draw in natural
    parameters would not (df = 2.66 with se 0.86).

    ``mu`` enters as a *deviation*: the Monte Carlo's mean growth is the scenario's baseline
    forecast, and a draw shifts it by (mu_draw - mu_hat), the uncertainty of the mean growth rate
    the historical sample leaves.

Shape of the shocks
    Student t and Gaussian innovations are two models; each draw picks one with the posterior
    model probabilities of the Bayesian information criterion (Schwarz 1978; Kass and Raftery 1995,
    JASA 90: ``P(Gaussian) = 1 / (1 + exp((BIC_G - BIC_t) / 2))``). On INEGI 1996-2019 the
    log-likelihoods are -111.8 (t, 4 parameters) and -128.4 (Gaussian, 3), so the data give the
    Gaussian a weight of about 1e-6: the shape uncertainty that remains is that of df within the t
    family. A Gaussian draw uses the Gaussian fit's own (mu, rho, sigma) and their covariance.
    ``gaussian_weight`` overrides the weight (1.0 = every draw Gaussian, the sensitivity the
    review asked for).

Baseline check
    :func:`baseline_check` reports the fitted model's frequency of technical recessions in
    four-quarter windows at the sample's own mean growth (stationary, a long simulation) next to the
    observed one, with the 5-95 % range over samples of the historical length, and the persistence
    of negative quarters in both. Mexico 1996Q1-2019Q4: the model gives 19.8 %, the data 9.8 % (9 of
    92 windows). Why (docs/models/recession.md): (1) in the data a negative quarter is followed by
    another only 3 times in 16 (0.19, no more often than any quarter is negative: 0.18), in the
    model 37 % of the time: the AR(1) gives small dips the persistence (rho = 0.34) that large
    shocks have, so dips pair up into technical recessions; in the data 14 of the 17 negative
    quarters are isolated. (2) 9.8 % rests on two episodes (2001-02, 2008-09); samples of 96
    quarters from the model put it inside their 5-95 % range (the predictive check's p = 0.31).
    (3) Over 1981Q2-2019Q4, which includes the 1982-83, 1986 and 1995 crises, the observed
    frequency is 19.9 %, the model's. So the baseline probability is that of an average period
    since 1981, about double the calm 1996-2019 one; the tariff's *change* in probability is the
    headline.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..errors import DataError
from .ar1 import AR1Calibration, ar1_from_innovations, draw_innovations, growth_statistics

__all__ = [
    "GrowthDraws",
    "gaussian_weight_bic",
    "draw_growth_parameters",
    "fixed_growth_parameters",
    "BaselineCheck",
    "baseline_check",
]


@dataclass(frozen=True, eq=False)
class GrowthDraws:
    """``n`` parameter sets of the growth model (arrays of shape (n,)): ``mu_dev`` (percent per
    quarter, added to the baseline forecast), ``rho``, ``scale`` (Student t scale, or the Gaussian
    sd), ``df`` (``inf`` for a Gaussian draw), and ``gaussian`` (bool). ``gaussian_weight`` is the
    probability of a Gaussian draw; ``method`` says how they were drawn."""

    mu_dev: np.ndarray
    rho: np.ndarray
    scale: np.ndarray
    df: np.ndarray
    gaussian: np.ndarray
    gaussian_weight: float
    method: str

    def __post_init__(self) -> None:
        for a in (self.mu_dev, self.rho, self.scale, self.df, self.gaussian):
            a.setflags(write=False)

    @property
    def n(self) -> int:
        return int(self.rho.size)

    def __repr__(self) -> str:
        return (
            f"GrowthDraws(n={self.n}, gaussian_weight={self.gaussian_weight:.2g}, rho median {np.median(self.rho):.3f})"
        )


def gaussian_weight_bic(cal: AR1Calibration) -> float:
    """Posterior probability of the Gaussian AR(1) against the Student t by BIC (equal priors)."""
    if cal.innovations != "student_t":
        return 1.0
    if cal.loglik is None or cal.gaussian_loglik is None or cal.n_obs <= 0:
        raise DataError("the calibration does not record both log-likelihoods (refit it)", source=cal.source)
    ln_n = math.log(cal.n_obs)
    bic_t = -2.0 * cal.loglik + 4 * ln_n
    bic_g = -2.0 * cal.gaussian_loglik + 3 * ln_n
    return float(1.0 / (1.0 + math.exp(min(700.0, (bic_g - bic_t) / 2.0))))


def _normal_draws(rng: np.random.Generator, mean: np.ndarray, cov: np.ndarray, n: int) -> np.ndarray:
    """(n, k) multivariate normal draws via an eigen decomposition (robust to a zero variance)."""
    w, v = np.linalg.eigh(0.5 * (cov + cov.T))
    root = v * np.sqrt(np.clip(w, 0.0, None))
    return mean + rng.standard_normal((n, mean.size)) @ root.T


def draw_growth_parameters(
    cal: AR1Calibration, n: int, rng: np.random.Generator, *, gaussian_weight: float | None = None
) -> GrowthDraws:
    """``n`` draws of the growth model's parameters from their sampling distribution (see the module
    docstring). A calibration without a covariance (given by a scenario) raises :class:`DataError`."""
    if n < 1:
        raise DataError("need at least one parameter draw")
    is_t = cal.innovations == "student_t"
    if cal.cov is None:
        raise DataError(
            "the calibration records no covariance of its estimates, so its parameters cannot be drawn "
            "(refit it with tariffsim calibrate, or switch growth-parameter draws off)",
            source=cal.source,
        )
    w_g = gaussian_weight_bic(cal) if gaussian_weight is None else float(gaussian_weight)
    if not 0.0 <= w_g <= 1.0:
        raise DataError(f"gaussian_weight must be in [0, 1], got {w_g}")
    gauss = rng.random(n) < w_g if is_t else np.ones(n, dtype=bool)
    mu_dev, rho, scale, df = np.zeros(n), np.empty(n), np.empty(n), np.full(n, np.inf)
    ng = int(gauss.sum())
    if ng:
        gcov = cal.gaussian_cov if is_t else cal.cov
        gmu = cal.gaussian_mu if is_t else cal.mu
        grho = cal.gaussian_rho if is_t else cal.rho
        gsig = cal.gaussian_sigma if is_t else cal.sigma
        if gcov is None or gmu is None or grho is None or gsig is None:
            raise DataError("the calibration records no covariance of its Gaussian fit (refit it)", source=cal.source)
        c = np.asarray(gcov, dtype=float)
        jac = np.diag([1.0, 1.0 / (1.0 - grho**2), 1.0 / gsig])
        d = _normal_draws(rng, np.array([gmu, math.atanh(grho), math.log(gsig)]), jac @ c @ jac.T, ng)
        mu_dev[gauss] = d[:, 0] - cal.mu
        rho[gauss] = np.tanh(d[:, 1])
        scale[gauss] = np.exp(d[:, 2])
    nt = n - ng
    if nt:
        assert cal.scale is not None and cal.df is not None and cal.cov is not None
        c = np.nan_to_num(np.asarray(cal.cov, dtype=float), nan=0.0)
        jac = np.diag([1.0, 1.0 / (1.0 - cal.rho**2), 1.0 / cal.scale, 1.0 / (cal.df - 2.0)])
        mean = np.array([cal.mu, math.atanh(cal.rho), math.log(cal.scale), math.log(cal.df - 2.0)])
        d = _normal_draws(rng, mean, jac @ c @ jac.T, nt)
        t = ~gauss
        mu_dev[t] = d[:, 0] - cal.mu
        rho[t] = np.tanh(d[:, 1])
        scale[t] = np.exp(d[:, 2])
        df[t] = 2.0 + np.exp(d[:, 3])
    return GrowthDraws(
        mu_dev=mu_dev,
        rho=rho,
        scale=scale,
        df=df,
        gaussian=gauss,
        gaussian_weight=w_g,
        method=(
            "asymptotic normal law of the MLE in (mu, atanh rho, ln scale, ln(df-2)), covariance from the inverse "
            f"Hessian (delta method); Gaussian shocks with probability {w_g:.2g} (BIC posterior weight"
            + (", overridden" if gaussian_weight is not None else "")
            + ")"
        ),
    )


def fixed_growth_parameters(cal: AR1Calibration, n: int) -> GrowthDraws:
    """``n`` copies of the calibration's own parameters: blocks for the recession band when the
    growth model has no sampling distribution (parameters given by a scenario); the band then
    carries the other draws only."""
    if n < 1:
        raise DataError("need at least one parameter draw")
    t = cal.innovations == "student_t" and cal.df is not None and cal.scale is not None
    return GrowthDraws(
        mu_dev=np.zeros(n),
        rho=np.full(n, cal.rho),
        scale=np.full(n, float(cal.scale) if t else cal.sigma),  # type: ignore[arg-type]
        df=np.full(n, float(cal.df) if t else np.inf),  # type: ignore[arg-type]
        gaussian=np.full(n, not t),
        gaussian_weight=0.0 if t else 1.0,
        method="the growth model's parameters fixed at the scenario's values (no sampling distribution)",
    )


@dataclass(frozen=True)
class BaselineCheck:
    """The fitted model's frequency of technical recessions in four-quarter windows at the sample's
    mean growth, next to the observed one (shares 0-1); ``model_sample_p05``/``p95``: the range over
    samples of the historical length; ``*_negative_after_negative``: P(g_t < 0 | g_t-1 < 0)."""

    observed: float
    model: float
    model_sample_p05: float
    model_sample_p95: float
    ratio: float
    observed_negative_after_negative: float | None
    model_negative_after_negative: float
    sample: str
    n_quarters: int
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def baseline_check(
    cal: AR1Calibration, *, n_quarters: int = 400_000, n_samples: int = 4_000, seed: int = 20250201
) -> BaselineCheck:
    """:class:`BaselineCheck` of a calibration fitted on data (see the module docstring)."""
    if cal.share_technical_4q is None or not cal.start:
        raise DataError("the calibration records no sample statistics (refit it)", source=cal.source)
    rng = np.random.default_rng(seed)
    df = cal.df if cal.innovations == "student_t" else None
    scale = cal.scale if df is not None else None
    u = draw_innovations(rng, (n_quarters, 1), sigma=cal.sigma, scale=scale, df=df)
    g = ar1_from_innovations(cal.mu, cal.rho, cal.mu, u)[:, 0]
    _, model = growth_statistics(g[None, :])
    neg = g < 0
    model_nn = float((neg[1:] & neg[:-1]).sum() / max(1, neg[:-1].sum()))
    T = cal.n_obs + 1
    u = draw_innovations(rng, (T + 20, n_samples), sigma=cal.sigma, scale=scale, df=df)
    sims = ar1_from_innovations(cal.mu, cal.rho, cal.mu, u)[20:].T  # 20 quarters of burn-in: stationary start
    _, share = growth_statistics(sims)
    obs = float(cal.share_technical_4q)
    m = float(model[0])
    return BaselineCheck(
        observed=obs,
        model=m,
        model_sample_p05=float(np.quantile(share, 0.05)),
        model_sample_p95=float(np.quantile(share, 0.95)),
        ratio=m / obs if obs > 0 else float("inf"),
        observed_negative_after_negative=cal.negative_after_negative,
        model_negative_after_negative=model_nn,
        sample=f"{cal.start}-{cal.end}",
        n_quarters=T,
        explanation=(
            "the AR(1) gives small dips the persistence of large shocks: a negative quarter is followed by "
            f"another {100 * model_nn:.0f} % of the time in the model"
            + (
                f", {100 * cal.negative_after_negative:.0f} % in the data"
                if cal.negative_after_negative is not None
                else ""
            )
            + "; the observed frequency rests on few episodes and lies inside the model's range for samples of "
            "this length"
        ),
    )
