"""Maximum-likelihood fit of the AR(1) of quarterly growth (:mod:`tariffsim.models.ar1` has the model,
the record and the simulation; see its docstring for the growth definition, the model and why
Student t innovations). Apart from :mod:`~tariffsim.models.ar1` because it needs scipy's optimizer
and special functions, which a run (that only simulates) does not load.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import optimize, special  # type: ignore[import-untyped]

from .._lazy import pd
from ..errors import ConvergenceError, DataError
from .ar1 import (
    GROWTH_DEFINITION,
    INNOVATIONS,
    AR1Calibration,
    as_period,
    field_label,
    growth_statistics,
    quarter_ordinals,
)

__all__ = ["calibrate_ar1"]

log = logging.getLogger(__name__)

_MIN_OBS = 20  # regression rows; four parameters need more than a handful


_DF_BOUNDS = (2.01, 1000.0)  # df > 2: finite variance; 1000: indistinguishable from Gaussian


def _expand_exclude(exclude: Iterable[str | pd.Period], source: str = "<input>") -> list[pd.Period]:
    """Quarters from items like '2020Q2', pd.Period, or the inclusive range '2020Q2:2020Q4'."""
    if isinstance(exclude, str):
        exclude = [exclude]
    out: list[pd.Period] = []
    for item in exclude:
        if isinstance(item, str) and ":" in item:
            a, b = item.split(":", 1)
            pa, pb = as_period(a, "exclude", source), as_period(b, "exclude", source)
            if pb < pa:
                raise DataError(
                    f"range {item!r} is reversed ({pb} is before {pa}); write {pb}:{pa}",
                    source=source,
                    location=field_label("exclude"),
                )
            out.extend(pd.period_range(pa, pb, freq="Q"))
        else:
            out.append(as_period(item, "exclude", source))
    return sorted(set(out))


def _t_negloglik(p: np.ndarray, y: np.ndarray, x: np.ndarray) -> tuple[float, np.ndarray]:
    """Negative conditional log-likelihood of the Student t AR(1) and its gradient in (mu, rho, scale, df)."""
    mu, rho, s, nu = (float(v) for v in p)
    e = y - mu - rho * (x - mu)
    w = 1.0 + e * e / (nu * s * s)
    n = y.size
    ll = n * (special.gammaln((nu + 1) / 2) - special.gammaln(nu / 2) - 0.5 * math.log(nu * math.pi) - math.log(s))
    ll -= (nu + 1) / 2 * float(np.sum(np.log(w)))
    dl_de = -(nu + 1) * e / (nu * s * s * w)
    g_mu = float(np.sum(dl_de * -(1.0 - rho)))
    g_rho = float(np.sum(dl_de * -(x - mu)))
    g_s = float(np.sum(-1.0 / s + (nu + 1) * e * e / (nu * s**3 * w)))
    g_nu = float(
        n * (0.5 * special.digamma((nu + 1) / 2) - 0.5 * special.digamma(nu / 2) - 0.5 / nu)
        + np.sum(-0.5 * np.log(w) + (nu + 1) * e * e / (2 * nu * nu * s * s * w))
    )
    return -ll, -np.array([g_mu, g_rho, g_s, g_nu])


def _numerical_hessian(p: np.ndarray, y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Hessian of the negative log-likelihood: central differences of the analytic gradient."""
    k = p.size
    H = np.empty((k, k))
    for i in range(k):
        h = 1e-5 * max(1.0, abs(p[i]))
        up, dn = p.copy(), p.copy()
        up[i] += h
        dn[i] -= h
        H[:, i] = (_t_negloglik(up, y, x)[1] - _t_negloglik(dn, y, x)[1]) / (2 * h)
    return 0.5 * (H + H.T)


def _fit_student_t(y: np.ndarray, x: np.ndarray, start: Sequence[float], src: str) -> dict[str, Any]:
    """:func:`_fit_student_t_core`, with floating-point failures reported as a :class:`DataError`."""
    try:
        return _fit_student_t_core(y, x, start, src)
    except FloatingPointError as exc:
        raise DataError(f"the Student t likelihood cannot be evaluated on this sample ({exc})", source=src) from exc


def _fit_student_t_core(y: np.ndarray, x: np.ndarray, start: Sequence[float], src: str) -> dict[str, Any]:
    """Conditional MLE of (mu, rho, scale, df): L-BFGS-B on (mu, rho, ln scale, ln(df - 2)), then
    Newton steps with the analytic gradient until the gradient vanishes. Returns estimates,
    covariance (inverse Hessian), log-likelihood and the convergence facts. When df reaches its
    upper bound (Gaussian limit) it is held there and its standard error is NaN."""
    lo, hi = math.log(_DF_BOUNDS[0] - 2), math.log(_DF_BOUNDS[1] - 2)

    def to_nat(t: np.ndarray) -> np.ndarray:
        return np.array([t[0], t[1], math.exp(t[2]), 2.0 + math.exp(t[3])])

    def fun(t: np.ndarray) -> tuple[float, np.ndarray]:
        p = to_nat(t)
        f, g = _t_negloglik(p, y, x)
        return f, g * np.array([1.0, 1.0, p[2], p[3] - 2.0])

    mu0, rho0, sig0 = start
    t0 = np.array([mu0, rho0, math.log(0.8 * sig0), math.log(5.0 - 2.0)])
    with np.errstate(divide="raise", over="raise", invalid="raise", under="ignore"):
        res = optimize.minimize(
            fun,
            t0,
            jac=True,
            method="L-BFGS-B",
            bounds=[(None, None), (-0.999, 0.999), (None, None), (lo, hi)],
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10},
        )
        iterations = int(res.nit)
        if res.x[3] <= lo + 1e-6:
            raise DataError(
                f"the fitted degrees of freedom fall to {_DF_BOUNDS[0]}: the innovations have (near) infinite "
                "variance; check the sample for outliers (e.g. lockdown quarters, --exclude)",
                source=src,
            )
        at_upper = bool(res.x[3] >= hi - 1e-6)
        free = np.array([True, True, True, not at_upper])
        p = to_nat(res.x)
        if at_upper:
            p[3] = _DF_BOUNDS[1]
            log.info("%s: Student t degrees of freedom at the upper bound %g (Gaussian limit)", src, _DF_BOUNDS[1])
        f, g = _t_negloglik(p, y, x)
        for _ in range(50):  # Newton polish in natural parameters
            H = _numerical_hessian(p, y, x)[np.ix_(free, free)]
            try:
                step = np.zeros(4)
                step[free] = np.linalg.solve(H, g[free])
            except np.linalg.LinAlgError:
                break
            lam = 1.0
            while lam > 1e-6:
                cand = p - lam * step
                if cand[2] > 0 and cand[3] > 2:
                    fc, gc = _t_negloglik(cand, y, x)
                    if fc <= f + 1e-12 * abs(f):
                        break
                lam /= 2
            else:
                break
            p, f, g = cand, fc, gc
            iterations += 1
            if np.max(np.abs(lam * step)) < 1e-12 * max(1.0, float(np.max(np.abs(p)))):
                break
        grad_norm = float(np.max(np.abs(g[free])))
        if not np.isfinite(f) or grad_norm > 1e-6:
            raise ConvergenceError(
                "Student t AR(1) likelihood not maximised",
                iterations=iterations,
                residual=grad_norm,
                method="L-BFGS-B+Newton",
            )
        H = _numerical_hessian(p, y, x)[np.ix_(free, free)]
    eig = np.linalg.eigvalsh(H)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-10 * max(1.0, eig.max()):
        raise DataError(
            "the information matrix is singular at the maximum: the parameters are not identified", source=src
        )
    cov = np.full((4, 4), np.nan)
    cov[np.ix_(free, free)] = np.linalg.inv(H)
    if at_upper:
        cov[3, 3] = np.nan
        cov[2, 3] = cov[3, 2] = 0.0  # df held fixed: no contribution to se(sigma) beyond its bound
    return {
        "params": p,
        "cov": cov,
        "loglik": -f,
        "iterations": iterations,
        "gradient_max_abs": grad_norm,
        "df_at_bound": at_upper,
    }


def calibrate_ar1(
    growth: pd.Series,
    *,
    start: str | pd.Period = "1996Q1",
    end: str | pd.Period = "2019Q4",
    exclude: Iterable[str | pd.Period] = (),
    source: str | None = None,
    innovations: str = "student_t",
    country: str | None = None,
) -> AR1Calibration:
    """Fit the AR(1) of quarterly growth by conditional maximum likelihood.

    ``innovations="student_t"`` (default): ``mu``, ``rho``, ``scale``, ``df`` by conditional MLE with
    Student t innovations, standard errors from the inverse Hessian (see the module docstring).
    ``innovations="gaussian"``: conditional OLS of ``g_t = c + rho g_{t-1} + u_t`` (the conditional
    Gaussian MLE, Hamilton 1994 §5.2); ``mu = c / (1 - rho)`` with its delta-method standard error;
    ``sigma^2 = SSR / (n - 2)`` with the asymptotic ``se = sigma / sqrt(2 (n - 2))``. Either way the
    Gaussian fit is recorded in ``gaussian_*``.

    Rows: consecutive quarters t-1, t that both lie in ``[start, end]`` and are not excluded
    (conditional on the first in-sample quarter).

    Crisis quarters. Mexico's default sample 1996Q1-2019Q4 starts after the 1995 peso crisis and ends
    before COVID-19, and keeps the 2008-09 recession: it is a real recession of the kind whose
    probability we estimate, and dropping it would understate the innovation variance and hence
    recession risk. ``exclude`` takes quarters ('2020Q2') or inclusive ranges ('2020Q2:2020Q4');
    an excluded quarter removes both regression rows it enters (as g_t and as g_{t-1}). Extending
    the sample past 2019 without excluding 2020Q2-2020Q3 (-17.9 % and +13.5 % q/q, a lockdown rather
    than an AR(1) innovation) inflates the Gaussian sigma from 0.95 to 2.5 and turns rho negative.

    Parameters
    ----------
    growth : q/q growth in percent per quarter indexed by quarterly ``pd.Period`` (as returned by
        :func:`read_quarterly_gdp`).
    start, end : first and last quarter of the sample ('1996Q1'), or None for the series' ends.
    source : label recorded in the result and named in errors; defaults to ``growth.attrs['source']``.
    innovations : ``"student_t"`` or ``"gaussian"``.
    country : ISO3 code recorded in the result (optional).

    Raises :class:`DataError` (naming the source and the field) for unreadable quarters, a reversed
    or out-of-range sample, fewer than 20 regression rows, or a series without variation (a constant
    or constantly growing GDP level), and :class:`ConvergenceError` if the likelihood is not maximised.
    """
    if innovations not in INNOVATIONS:
        raise DataError(f"innovations must be one of {list(INNOVATIONS)}, not {innovations!r}")
    if not isinstance(growth, pd.Series) or not isinstance(growth.index, pd.PeriodIndex):
        raise DataError("growth must be a pandas Series indexed by quarterly pd.Period", source=source or "<series>")
    src = source or str(growth.attrs.get("source", "<series>"))
    g = growth.astype(float).sort_index()
    if g.empty:
        raise DataError("the growth series is empty", source=src)
    if g.index.has_duplicates:
        raise DataError("duplicated quarters in the growth series", source=src)
    p0 = g.index[0] if start is None else as_period(start, "start", src)
    p1 = g.index[-1] if end is None else as_period(end, "end", src)
    if p1 < p0:
        raise DataError(
            f"the sample ends ({p1}) before it starts ({p0})", source=src, location="start/end (--start/--end)"
        )
    g = g[(g.index >= p0) & (g.index <= p1)]
    if g.empty:
        raise DataError(f"no observations between {p0} and {p1}", source=src, location="start/end (--start/--end)")
    if g.index[0] != p0 or g.index[-1] != p1:
        raise DataError(
            f"the series covers {g.index[0]}-{g.index[-1]}, not the requested sample {p0}-{p1}",
            source=src,
            location="start/end (--start/--end)",
        )
    if np.any(np.diff(quarter_ordinals(g.index)) != 1):
        raise DataError("the growth series has missing quarters inside the sample", source=src)
    if not np.all(np.isfinite(g.to_numpy())):
        bad = g.index[~np.isfinite(g.to_numpy())][0]
        raise DataError(f"missing or non-finite growth in {bad}", source=src)

    excl = _expand_exclude(exclude, src)
    excl_in = [q for q in excl if p0 <= q <= p1]
    if len(excl_in) < len(excl):
        log.info(
            "excluded quarters outside the sample %s-%s are ignored: %s",
            p0,
            p1,
            [str(q) for q in excl if q not in excl_in],
        )
    keep = ~g.index.isin(excl_in)
    y_all = g.to_numpy()
    valid = keep[1:] & keep[:-1]
    y, x = y_all[1:][valid], y_all[:-1][valid]
    n = int(y.size)
    if n < _MIN_OBS:
        raise DataError(
            f"only {n} regression observations in {p0}-{p1}"
            + (f" after excluding {len(excl_in)} quarters" if excl_in else "")
            + f"; need at least {_MIN_OBS}",
            source=src,
            location="start/end/exclude (--start/--end/--exclude)",
        )
    spread = float(np.ptp(y_all[keep]))
    if spread <= 1e-9 * max(1.0, float(np.max(np.abs(y_all[keep])))):
        raise DataError(
            f"growth is constant ({y_all[keep][0]:.6g} % every quarter) over {p0}-{p1}: a constant or constantly "
            "growing GDP level has no fluctuations to fit (singular regression)",
            source=src,
            location="GDP values",
        )

    X = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    c, rho_ols = float(beta[0]), float(beta[1])
    resid = y - X @ beta
    ssr = float(resid @ resid)
    if ssr <= 1e-12 * float(np.sum((y - y.mean()) ** 2)) or float(np.ptp(x)) == 0.0:
        raise DataError(
            f"growth over {p0}-{p1} follows an exact line in its own lag (no innovations): singular regression",
            source=src,
            location="GDP values",
        )
    if abs(rho_ols) >= 1:
        raise DataError(
            f"the estimated persistence rho = {rho_ols:.3f} is not stationary; choose another sample",
            source=src,
            location="start/end (--start/--end)",
        )
    s2 = ssr / (n - 2)
    cov_ols = s2 * np.linalg.inv(X.T @ X)
    mu_ols = c / (1.0 - rho_ols)
    grad = np.array([1.0 / (1.0 - rho_ols), c / (1.0 - rho_ols) ** 2])
    sig_ols = math.sqrt(s2)

    kept = y_all[keep]
    share_neg, share_tech = growth_statistics(y_all, keep)
    neg_x = x < 0
    # (mu, rho) from (c, rho): the delta method on the OLS covariance; sigma asymptotically independent
    j_ols = np.array([[1.0 / (1.0 - rho_ols), c / (1.0 - rho_ols) ** 2], [0.0, 1.0]])
    cov_mr = j_ols @ cov_ols @ j_ols.T
    se_sig_ols = sig_ols / math.sqrt(2.0 * (n - 2))
    gcov = np.zeros((3, 3))
    gcov[:2, :2] = cov_mr
    gcov[2, 2] = se_sig_ols**2
    gauss_ll = float(-0.5 * n * math.log(2 * math.pi * ssr / n) - 0.5 * n)
    common: dict = dict(
        n_obs=n,
        start=str(p0),
        end=str(p1),
        excluded=tuple(str(q) for q in excl_in),
        growth_definition=GROWTH_DEFINITION,
        source=src,
        sample_mean=float(kept.mean()),
        sample_sd=float(kept.std(ddof=1)),
        sample_autocorr=float(np.corrcoef(y, x)[0, 1]),
        country=country,
        first_growth=float(y_all[0]),
        share_negative=float(share_neg),
        share_technical_4q=float(share_tech),
        gaussian_mu=float(mu_ols),
        gaussian_rho=rho_ols,
        gaussian_sigma=sig_ols,
        gaussian_loglik=gauss_ll,
        gaussian_cov=_as_tuples(gcov),
        negative_after_negative=float(np.mean(y[neg_x] < 0)) if neg_x.any() else None,
    )
    if innovations == "gaussian":
        cal = AR1Calibration(
            mu=float(mu_ols),
            rho=rho_ols,
            sigma=sig_ols,
            se_mu=float(np.sqrt(grad @ cov_ols @ grad)),
            se_rho=float(np.sqrt(cov_ols[1, 1])),
            se_sigma=se_sig_ols,
            method="conditional OLS of g_t on (1, g_{t-1}); mu = c/(1-rho) (delta-method se); "
            "sigma^2 = SSR/(n-2), se(sigma) = sigma/sqrt(2(n-2)); homoskedastic se",
            innovations="gaussian",
            loglik=gauss_ll,
            cov=_as_tuples(gcov),
            **common,
        )
    else:
        fit = _fit_student_t(y, x, (mu_ols, rho_ols, sig_ols), src)
        mu, rho, scale, df = (float(v) for v in fit["params"])
        cov = fit["cov"]
        if abs(rho) >= 1:
            raise DataError(f"the estimated persistence rho = {rho:.3f} is not stationary", source=src)
        ratio = math.sqrt(df / (df - 2.0))
        jac = np.array([ratio, -scale / (ratio * (df - 2.0) ** 2)])  # d sigma / d (scale, df)
        se = np.sqrt(np.diag(cov))
        if fit["df_at_bound"]:  # df held at its bound: sigma varies with scale only
            se_sigma = ratio * float(se[2])
        else:
            se_sigma = float(np.sqrt(jac @ cov[2:, 2:] @ jac))
        cal = AR1Calibration(
            mu=mu,
            rho=rho,
            sigma=scale * ratio,
            se_mu=float(se[0]),
            se_rho=float(se[1]),
            se_sigma=se_sigma,
            method=(
                "conditional maximum likelihood, Student t innovations u = scale * t_df (df > 2); "
                "se from the inverse Hessian of the log-likelihood (observed information), "
                "sigma = scale*sqrt(df/(df-2)) with delta-method se; maximised by L-BFGS-B, then Newton steps "
                "until max |gradient| < 1e-6"
                + (
                    f"; df at its upper bound {_DF_BOUNDS[1]:g} (Gaussian limit), se(df) undefined"
                    if fit["df_at_bound"]
                    else ""
                )
            ),
            innovations="student_t",
            scale=scale,
            df=df,
            se_scale=float(se[2]),
            se_df=None if fit["df_at_bound"] else float(se[3]),
            loglik=float(fit["loglik"]),
            cov=_as_tuples(np.nan_to_num(cov, nan=0.0)),  # a parameter held at its bound: no variance
            **common,
        )
    log.info("AR(1) on %s %s-%s (n=%d): mu=%.3f rho=%.3f %s", src, p0, p1, n, cal.mu, cal.rho, cal.innovation)
    if innovations == "student_t":
        log.debug("t MLE: %d iterations, max |gradient| %.1e", fit["iterations"], fit["gradient_max_abs"])
    return cal


def _as_tuples(a: np.ndarray) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(float(x) for x in row) for row in np.asarray(a, dtype=float))
