"""The AR(1) model of quarterly growth behind the recession-risk model: the fit, the simulation of
innovations and paths, and the predictive check. Pure maths on series and arrays; the files that
hold calibrations (GDP CSVs, the shipped JSON) are read and written by
:mod:`tariffsim.inputs.calibrations`.

Growth definition
    Everywhere q/q growth is the log difference ``g_t = 100 * ln(Y_t / Y_{t-1})`` (percent per
    quarter). On INEGI's seasonally adjusted series 1996Q1-2019Q4 this gives mean 0.624, sd 1.040
    and first-order autocorrelation 0.396, the figures docs/models/recession.md quotes (0.62, 1.04, 0.40); the
    simple change ``100 * (Y_t / Y_{t-1} - 1)`` gives mean 0.631 instead. Logs also make level
    deviations add up over quarters, which the tariff effect relies on. A file that only has
    published q/q percent changes (``kind="qoq_pct"``) is converted with ``100 * ln(1 + g / 100)``.

The model
    ``g_t = mu + rho (g_{t-1} - mu) + u_t`` with ``u_t = scale * e_t``, ``e_t`` Student t with
    ``df`` degrees of freedom (``df > 2``, so ``sigma = sd(u) = scale * sqrt(df / (df - 2))`` is
    finite). ``mu``, ``rho``, ``scale`` and ``df`` are fitted by maximum likelihood conditional on
    the first quarter of the sample (Hamilton 1994, section 5.2; the exact likelihood would need
    the stationary law of ``g_1``, which has no closed form for t innovations, and one quarter in
    ~100 carries almost no information). Standard errors are from the inverse Hessian of the
    log-likelihood at the maximum (observed information); ``se(sigma)`` by the delta method.
    The Gaussian AR(1) (conditional OLS, the conditional Gaussian MLE) is fitted alongside and
    recorded as ``gaussian_mu``, ``gaussian_rho``, ``gaussian_sigma`` for comparison, and remains
    available with ``innovations="gaussian"``.

Why Student t, not bootstrapped residuals
    The posterior-predictive check (:func:`predictive_check`: samples of the
    historical length from the fitted model, first quarter fixed at its observed value, parameters
    at their estimates) decides
    between them on two statistics, the share of negative quarters and the share of four-quarter
    windows with a technical recession (two consecutive negative quarters, the event the Monte
    Carlo reports). On INEGI 1996Q1-2019Q4 (two-sided p-values, 20,000 samples) the Gaussian AR(1)
    gives p = 0.09 and p = 0.02 (rejected), bootstrapped OLS residuals 0.71 and 0.17, the Student t
    1.00 and 0.31 (the shipped files record their checks; data/SOURCES.md lists them). Both
    fat-tailed choices pass; the t is preferred because (1) it fits the recession statistic
    better, (2) it has a likelihood, so every parameter has a standard error and a scenario can
    state its own ``(rho, scale, df)`` for a country without data, and (3) a bootstrap of 95
    residuals can never draw an innovation worse than the worst observed one (2009Q1, -5.0
    points) and draws exactly that one in every 95 quarters, so its tail is a point mass set by
    one observation.

The shipped calibrations (``data/recession/<ISO3>.json``) record the command that produced them,
the input file and its SHA-256, the sample, the treatment of crisis quarters and the predictive
check; :func:`tariffsim.inputs.calibrations.load_calibration` reads them (or builds one from a
scenario's own parameters). The Monte Carlo that uses them is :mod:`tariffsim.models.recession`.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import optimize, special  # type: ignore[import-untyped]

from .._util import ShortRepr
from ..errors import ConvergenceError, DataError

__all__ = [
    "GROWTH_DEFINITION",
    "INNOVATIONS",
    "AR1Calibration",
    "as_period",
    "parse_quarter",
    "quarter_ordinals",
    "growth_statistics",
    "calibrate_ar1",
    "draw_innovations",
    "ar1_from_innovations",
    "CHECK_STATISTICS",
    "PredictiveCheck",
    "predictive_check",
]

log = logging.getLogger(__name__)


GROWTH_DEFINITION = "100*ln(Y_t/Y_{t-1}), percent per quarter"


#: Innovation laws :func:`calibrate_ar1` can fit.
INNOVATIONS: tuple[str, ...] = ("student_t", "gaussian")


_MIN_OBS = 20  # regression rows; four parameters need more than a handful


_DF_BOUNDS = (2.01, 1000.0)  # df > 2: finite variance; 1000: indistinguishable from Gaussian


_FLOAT_FIELDS = (
    "mu",
    "rho",
    "sigma",
    "se_mu",
    "se_rho",
    "se_sigma",
    "sample_mean",
    "sample_sd",
    "sample_autocorr",
)


@dataclass(frozen=True, repr=False)
class AR1Calibration(ShortRepr):
    """Fitted AR(1) for quarterly growth: ``g_t = mu + rho (g_{t-1} - mu) + u_t``, sd(u) = sigma.

    Units: ``mu``, ``sigma``, ``scale`` and their standard errors in percent per quarter (log growth,
    see :data:`GROWTH_DEFINITION`); ``rho`` and ``df`` are unit-free. ``innovations`` is
    ``"student_t"`` (``u = scale * t_df``, ``sigma = scale * sqrt(df / (df - 2))``) or ``"gaussian"``
    (``scale`` and ``df`` are None). ``n_obs`` counts regression rows (pairs of consecutive
    in-sample, non-excluded quarters). ``start``/``end`` delimit the growth observations used (the
    first is conditioned on). ``sample_mean``, ``sample_sd`` and ``sample_autocorr`` are the plain
    moments of growth in the sample (the figures docs/models/recession.md quotes); ``first_growth``,
    ``share_negative`` and ``share_technical_4q`` the observed quantities the predictive check
    compares with (:func:`growth_statistics`); ``gaussian_*`` the Gaussian OLS fit of the same sample.
    A calibration given by a scenario has NaN standard errors, ``n_obs = 0`` and empty ``start``/``end``.
    """

    mu: float
    rho: float
    sigma: float
    se_mu: float
    se_rho: float
    se_sigma: float
    n_obs: int
    start: str
    end: str
    excluded: tuple[str, ...] = ()
    method: str = "conditional OLS"
    growth_definition: str = GROWTH_DEFINITION
    source: str = "<series>"
    sample_mean: float = float("nan")
    sample_sd: float = float("nan")
    sample_autocorr: float = float("nan")
    innovations: str = "gaussian"
    scale: float | None = None
    df: float | None = None
    se_scale: float | None = None
    se_df: float | None = None
    loglik: float | None = None
    country: str | None = None
    first_growth: float | None = None
    share_negative: float | None = None
    share_technical_4q: float | None = None
    gaussian_mu: float | None = None
    gaussian_rho: float | None = None
    gaussian_sigma: float | None = None
    gaussian_loglik: float | None = None
    cov: tuple[tuple[float, ...], ...] | None = None
    gaussian_cov: tuple[tuple[float, ...], ...] | None = None
    negative_after_negative: float | None = None

    @property
    def innovation(self) -> str:
        """One-line description of the innovation law, e.g. 'Student t, df 2.66, scale 0.525 %/q (sd 1.054)'."""
        if self.innovations == "student_t":
            return f"Student t, df {self.df:.2f}, scale {self.scale:.3f} %/q (sd {self.sigma:.3f})"
        return f"Gaussian, sd {self.sigma:.3f} %/q"

    def unconditional_sd(self) -> float:
        """Standard deviation of growth implied by the AR(1), ``sigma / sqrt(1 - rho^2)`` (percent)."""
        return self.sigma / math.sqrt(1.0 - self.rho**2) if abs(self.rho) < 1 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict (non-finite floats become None)."""
        d = asdict(self)
        d["excluded"] = list(self.excluded)
        for k, v in d.items():
            if isinstance(v, float) and not math.isfinite(v):
                d[k] = None
            elif k in ("cov", "gaussian_cov") and v is not None:
                d[k] = [[x if math.isfinite(x) else None for x in row] for row in v]
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "<calibration>") -> AR1Calibration:
        """From :meth:`to_dict` output, or from a calibration file (which nests it under ``calibration``)."""
        if "calibration" in d and isinstance(d["calibration"], Mapping):
            d = d["calibration"]
        names = {f.name for f in fields(cls)}
        missing = {"mu", "rho", "sigma", "se_mu", "se_rho", "se_sigma", "n_obs", "start", "end"} - set(d)
        if missing:
            raise DataError(f"calibration lacks {sorted(missing)}", source=source)
        kw = {k: v for k, v in d.items() if k in names}
        kw["excluded"] = tuple(str(x) for x in kw.get("excluded", ()))
        for k in ("cov", "gaussian_cov"):
            if kw.get(k) is not None:
                kw[k] = tuple(tuple(float("nan") if x is None else float(x) for x in row) for row in kw[k])
        kw["n_obs"] = int(kw["n_obs"])
        for k in _FLOAT_FIELDS:
            kw[k] = float("nan") if kw.get(k) is None else float(kw[k])
        innov = kw.get("innovations", "gaussian")
        if innov not in INNOVATIONS:
            raise DataError(f"innovations must be one of {list(INNOVATIONS)}, not {innov!r}", source=source)
        if innov == "student_t" and (kw.get("scale") is None or kw.get("df") is None):
            raise DataError("a Student t calibration needs scale and df", source=source)
        return cls(**kw)


def as_period(x: str | pd.Period, what: str, source: str = "<input>") -> pd.Period:
    """A quarter from user input; a :class:`DataError` naming ``source`` and the field ``what``."""
    try:
        p = x if isinstance(x, pd.Period) else parse_quarter(str(x))
    except (TypeError, ValueError):
        p = None
    if p is None:
        raise DataError(f"cannot read {x!r} as a quarter (write e.g. 2020Q2)", source=source, location=_flag(what))
    return p.asfreq("Q") if p.freqstr != "Q-DEC" else p


def _flag(what: str) -> str:
    """'start' -> 'start (--start)': the Python argument and the CLI flag in one label."""
    return f"{what} (--{what})" if what in ("start", "end", "exclude") else what


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
                    location=_flag("exclude"),
                )
            out.extend(pd.period_range(pa, pb, freq="Q"))
        else:
            out.append(as_period(item, "exclude", source))
    return sorted(set(out))


def growth_statistics(growth: ArrayLike, keep: ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The predictive check's two statistics of growth samples ``growth[..., T]`` (percent per quarter).

    Returns ``(share_negative, share_technical_4q)`` over the leading axes:

    * ``share_negative``: share of quarters with negative growth;
    * ``share_technical_4q``: share of forecast origins t = 1..T-4 from which a technical recession
      (two consecutive negative quarters) ends within the next four quarters, the pair (t, t+1)
      included: exactly the event ``technical_4q`` of :func:`tariffsim.models.recession.simulate_recession_risk`
      with quarter t as quarter 0. INEGI 1996Q1-2019Q4: 17 of 96 quarters (17.7 %) and 9 of 92
      origins (9.8 %, the "about 10 %" of docs/models/recession.md).

    ``keep`` (bool, length T) drops excluded quarters: from the first share, and every window
    (quarters t..t+4) that touches one from the second.
    """
    g = np.asarray(growth, dtype=float)
    T = g.shape[-1]
    if T < 5:
        raise DataError("growth statistics need at least 5 quarters")
    keep_arr = np.ones(T, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    neg = g < 0
    share_neg = neg[..., keep_arr].mean(axis=-1)
    pair = neg[..., 1:] & neg[..., :-1]  # pair[..., j]: quarters j and j+1 both negative
    n_win = T - 4
    hit = np.zeros(g.shape[:-1] + (n_win,), dtype=bool)
    for k in range(4):  # origin t: pairs (t, t+1) ... (t+3, t+4)
        hit |= pair[..., k : k + n_win]
    win_ok = np.ones(n_win, dtype=bool)
    for k in range(5):
        win_ok &= keep_arr[k : k + n_win]
    if not win_ok.any():
        raise DataError("no four-quarter window without an excluded quarter")
    return share_neg, hit[..., win_ok].mean(axis=-1)


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


def draw_innovations(
    rng: np.random.Generator,
    size: int | tuple[int, ...],
    *,
    sigma: float | None = None,
    scale: float | None = None,
    df: float | None = None,
) -> np.ndarray:
    """Innovations ``u`` (percent per quarter) of shape ``size``.

    Gaussian with sd ``sigma`` when ``df`` is None; otherwise Student t, ``scale * t_df`` (give
    ``scale``, or ``sigma`` = the sd, ``scale = sigma * sqrt((df - 2) / df)``). Consumes the
    generator element by element in C order, so drawing (a, H) then (b, H) equals one (a + b, H) draw.
    """
    if df is None or math.isinf(df):
        if sigma is None:
            raise DataError("Gaussian innovations need sigma")
        return rng.standard_normal(size) * float(sigma)
    if scale is None:
        if sigma is None:
            raise DataError("Student t innovations need scale or sigma")
        scale = float(sigma) * math.sqrt((df - 2.0) / df)
    return rng.standard_t(df, size) * float(scale)


def ar1_from_innovations(mu: ArrayLike, rho: ArrayLike, g0: ArrayLike, u: np.ndarray) -> np.ndarray:
    """``g_q = mu + rho (g_{q-1} - mu) + u_q`` along axis 0 of ``u`` (H, n), in place of ``u``;
    ``mu`` and ``rho`` are scalars or per-path arrays (n,)."""
    prev = np.broadcast_to(np.asarray(g0, dtype=float), u.shape[1:])
    mu = np.asarray(mu, dtype=float)
    rho = np.asarray(rho, dtype=float)
    for q in range(u.shape[0]):
        u[q] += mu + rho * (prev - mu)
        prev = u[q]
    return u


#: The statistics of the predictive check, in the order of :func:`~tariffsim.models.ar1.growth_statistics`.
CHECK_STATISTICS: tuple[str, ...] = ("share_negative", "share_technical_4q")


@dataclass(frozen=True)
class PredictiveCheck:
    """Result of :func:`predictive_check`. ``observed``, ``simulated_mean`` and ``p_value`` are dicts
    keyed by :data:`CHECK_STATISTICS`; p-values are two-sided, ``min(1, 2 min(P(T <= t), P(T >= t)))``
    over the simulated samples."""

    model: str
    observed: dict
    simulated_mean: dict
    p_value: dict
    n_samples: int
    n_quarters: int
    seed: int

    def rejected(self, level: float = 0.05) -> dict[str, bool]:
        """Which statistics are rejected at ``level`` (two-sided)."""
        return {k: bool(p < level) for k, p in self.p_value.items()}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def predictive_check(
    calibration: AR1Calibration, *, n_samples: int = 20_000, seed: int = 20250201, gaussian: bool = False
) -> PredictiveCheck:
    """Predictive check of a fitted AR(1) against its own sample.

    Simulates ``n_samples`` growth samples of the historical length (``start``..``end``) from the
    fitted model, with the historical mean ``mu``, the first quarter fixed at its observed value
    (the likelihood conditions on it) and parameters at their estimates (plug-in), and compares the
    share of negative quarters and the share of four-quarter windows with a technical recession
    (:func:`~tariffsim.models.ar1.growth_statistics`, excluded quarters dropped as in the data)
    with the observed ones. ``gaussian=True`` checks the Gaussian AR(1) of the same sample
    (``gaussian_mu``, ``gaussian_rho``, ``gaussian_sigma``) instead.
    """
    cal = calibration
    if cal.share_negative is None or cal.share_technical_4q is None or cal.first_growth is None or not cal.start:
        raise DataError(
            "the calibration does not record its sample statistics (refit it with tariffsim calibrate)",
            source=cal.source,
        )
    quarters = pd.period_range(cal.start, cal.end, freq="Q")
    T = len(quarters)
    keep = ~quarters.isin(pd.PeriodIndex(list(cal.excluded), freq="Q")) if cal.excluded else None
    rng = np.random.default_rng(seed)
    if gaussian:
        if cal.gaussian_mu is None or cal.gaussian_rho is None or cal.gaussian_sigma is None:
            raise DataError("the calibration does not record its Gaussian fit", source=cal.source)
        mu, rho = cal.gaussian_mu, cal.gaussian_rho
        u = draw_innovations(rng, (n_samples, T - 1), sigma=cal.gaussian_sigma)
        model = f"Gaussian AR(1), sd {cal.gaussian_sigma:.3f} %/q"
    else:
        mu, rho = cal.mu, cal.rho
        df = cal.df if cal.innovations == "student_t" else None
        u = draw_innovations(rng, (n_samples, T - 1), sigma=cal.sigma, scale=cal.scale if df else None, df=df)
        model = cal.innovation
    g = np.empty((T, n_samples))
    g[0] = cal.first_growth
    g[1:] = ar1_from_innovations(mu, rho, cal.first_growth, np.ascontiguousarray(u.T))
    sims = growth_statistics(g.T, keep)
    obs = (cal.share_negative, cal.share_technical_4q)
    p_values, means, observed = {}, {}, {}
    for name, s, o in zip(CHECK_STATISTICS, sims, obs, strict=True):
        tol = 1e-12
        p_lo, p_hi = float(np.mean(s <= o + tol)), float(np.mean(s >= o - tol))
        p_values[name] = min(1.0, 2.0 * min(p_lo, p_hi))
        means[name] = float(s.mean())
        observed[name] = float(o)
    return PredictiveCheck(
        model=model,
        observed=observed,
        simulated_mean=means,
        p_value=p_values,
        n_samples=int(n_samples),
        n_quarters=T,
        seed=int(seed),
    )


_RE_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$")


_RE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


_RE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


_RE_DECIMAL = re.compile(r"^(\d{4})(?:\.(\d+))?$")


def parse_quarter(text: str) -> pd.Period | None:
    """A quarter from '1996Q1', '1996-Q1', '1996.25' (decimal year), '1996-04-01' or '30/03/1996'.

    Slash dates are day/month/year (INEGI's convention). A date maps to the quarter that contains
    it, so quarter-start (Haver, FRED) and quarter-end (INEGI) stamps both work. None if unparseable.
    """
    s = text.strip().strip('"')
    try:
        if m := _RE_QUARTER.match(s):
            return pd.Period(year=int(m[1]), quarter=int(m[2]), freq="Q")
        if m := _RE_DECIMAL.match(s):
            frac = float("0." + m[2]) if m[2] else 0.0
            q4 = frac * 4.0
            if abs(q4 - round(q4)) > 1e-6:
                return None
            return pd.Period(year=int(m[1]), quarter=int(round(q4)) + 1, freq="Q")
        if m := _RE_ISO.match(s):
            ts = pd.Timestamp(year=int(m[1]), month=int(m[2]), day=int(m[3]))
            return ts.to_period("Q")
        if m := _RE_DMY.match(s):
            ts = pd.Timestamp(year=int(m[3]), month=int(m[2]), day=int(m[1]))
            return ts.to_period("Q")
    except ValueError:
        return None
    return None


def quarter_ordinals(index: pd.Index) -> np.ndarray:
    """Integer ordinals of a quarterly PeriodIndex (consecutive quarters differ by 1)."""
    return np.asarray(pd.PeriodIndex(index).asi8)
