"""The AR(1) model of quarterly growth behind the recession-risk model: the calibration record, the
simulation of innovations and paths, and the predictive check (the maximum-likelihood fit is
:func:`tariffsim.models.ar1_fit.calibrate_ar1`, apart so that a run, which only simulates, does not
load scipy's optimizers). Pure maths on series and arrays; the files that hold calibrations (GDP
CSVs, the shipped JSON) are read and written by :mod:`tariffsim.inputs.calibrations`.

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
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._lazy import pd
from .._util import ShortRepr
from ..errors import DataError

__all__ = [
    "GROWTH_DEFINITION",
    "INNOVATIONS",
    "AR1Calibration",
    "as_period",
    "field_label",
    "parse_quarter",
    "quarter_label",
    "quarter_ordinals",
    "growth_statistics",
    "draw_innovations",
    "ar1_from_innovations",
    "LONG_SERIES",
    "SERIES_BLOCK",
    "CHECK_STATISTICS",
    "PredictiveCheck",
    "predictive_check",
]

log = logging.getLogger(__name__)


GROWTH_DEFINITION = "100*ln(Y_t/Y_{t-1}), percent per quarter"


#: Innovation laws :func:`tariffsim.models.ar1_fit.calibrate_ar1` can fit.
INNOVATIONS: tuple[str, ...] = ("student_t", "gaussian")


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


def field_label(what: str) -> str:
    """'start' -> 'start (--start)': the Python argument and the CLI flag in one label."""
    return f"{what} (--{what})" if what in ("start", "end", "exclude") else what


def as_period(x: str | pd.Period, what: str, source: str = "<input>") -> pd.Period:
    """A quarter from user input; a :class:`DataError` naming ``source`` and the field ``what``."""
    try:
        p = x if isinstance(x, pd.Period) else parse_quarter(str(x))
    except (TypeError, ValueError):
        p = None
    if p is None:
        raise DataError(
            f"cannot read {x!r} as a quarter (write e.g. 2020Q2)", source=source, location=field_label(what)
        )
    return p.asfreq("Q") if p.freqstr != "Q-DEC" else p


def quarter_label(x: str | pd.Period, what: str, source: str = "<input>") -> str:
    """``str(as_period(x, what, source))``, the canonical label of a quarter ('2025Q2'); a label
    already written as a quarter ('2025Q2', '2025-Q2', '2025 q2') is read without pandas (a run's
    Monte Carlo labels its first quarter so)."""
    if isinstance(x, str) and (m := _RE_QUARTER.match(x.strip().strip('"'))) and int(m[1]) >= 1000:
        return f"{int(m[1])}Q{m[2]}"
    return str(as_period(x, what, source))


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
    ``mu`` and ``rho`` are scalars or per-path arrays (n,).

    A long series with scalar parameters (more than :data:`LONG_SERIES` quarters, e.g. the 200,000
    quarters of the baseline check) is computed in blocks: within each block of
    :data:`SERIES_BLOCK` quarters the response to its own innovations from zero (every block at
    once), then the blocks' starting deviations in sequence and their decay ``rho^(t+1)`` added,
    the same recursion to rounding (about 1e-16 relative) without a Python step per quarter."""
    mu_a = np.asarray(mu, dtype=float)
    rho_a = np.asarray(rho, dtype=float)
    if u.shape[0] > LONG_SERIES and mu_a.ndim == 0 and rho_a.ndim == 0:
        return _ar1_blocked(float(mu_a), float(rho_a), g0, u)
    prev = np.broadcast_to(np.asarray(g0, dtype=float), u.shape[1:])
    for q in range(u.shape[0]):
        u[q] += mu_a + rho_a * (prev - mu_a)
        prev = u[q]
    return u


#: Quarters above which :func:`ar1_from_innovations` computes a series in blocks.
LONG_SERIES = 4096
#: Quarters per block of a long series.
SERIES_BLOCK = 256


def _ar1_blocked(mu: float, rho: float, g0: ArrayLike, u: np.ndarray) -> np.ndarray:
    """The blocked recursion of :func:`ar1_from_innovations` for a long series (in place of ``u``)."""
    T, L = u.shape[0], SERIES_BLOCK
    nb = -(-T // L)
    rest = u.shape[1:]
    y = np.zeros((nb * L, *rest))
    y[:T] = u
    y = y.reshape(nb, L, *rest)
    for t in range(1, L):  # each block's response to its own innovations, from zero
        y[:, t] += rho * y[:, t - 1]
    decay = rho ** np.arange(1, L + 1, dtype=float)  # rho^(t+1): how a block's starting deviation fades
    starts = np.empty((nb, *rest))
    x = np.broadcast_to(np.asarray(g0, dtype=float) - mu, rest).astype(float)
    for b in range(nb):  # deviation from mu just before each block
        starts[b] = x
        x = decay[-1] * x + y[b, -1]
    y += decay.reshape(1, L, *([1] * len(rest))) * starts[:, None]
    u[...] = y.reshape(nb * L, *rest)[:T] + mu
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
