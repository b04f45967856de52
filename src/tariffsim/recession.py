"""Recession risk: a vectorised, seeded Monte Carlo of quarterly growth with and without the tariff.

The quarterly GDP loaders and the AR(1) calibration are in :mod:`tariffsim.calibration`; their
names are re-exported here.

Section 3 of MODELS.md. Quarterly real GDP growth follows

    g_q = mu + rho (g_{q-1} - mu) + u_q,   u_q ~ N(0, sigma^2),

in **percent per quarter** (q/q, not annualised), plus the tariff's growth effect, which is the
first difference of the GDP level-deviation path the macro layer produces.

Growth definition
    Everywhere in this module q/q growth is the log difference ``g_t = 100 * ln(Y_t / Y_{t-1})``
    (percent per quarter). On INEGI's seasonally adjusted series 1996Q1-2019Q4 this gives mean
    0.624, sd 1.040 and first-order autocorrelation 0.396, the figures MODELS.md quotes (0.62,
    1.04, 0.40); the simple change ``100 * (Y_t / Y_{t-1} - 1)`` gives mean 0.631 instead. Logs
    also make level deviations add up over quarters, which the tariff effect relies on.
    A file that only has published q/q percent changes (``kind="qoq_pct"``) is converted to the
    same definition with ``100 * ln(1 + g / 100)``.

Timing convention of the Monte Carlo
    Quarter 0 is the last observed quarter (growth ``g0``); quarters 1..H are simulated. The
    tariff's level deviation ``d_q`` (percent of the baseline level) is zero in quarter 0 and
    adds ``100 * [ln(1 + d_q/100) - ln(1 + d_{q-1}/100)]`` to growth in quarter q (= d_q - d_{q-1}
    to first order). With and without the tariff share the same innovations (common random
    numbers), so their difference is the tariff effect alone.

Definitions of the reported probabilities
    technical recession: two consecutive quarters of negative q/q growth. The pair (0, 1) counts:
    if the observed quarter 0 was negative, a negative quarter 1 completes a technical recession.
    "within 4 quarters" uses the pairs ending in quarters 1..4, "within the horizon" all pairs.
    annual contraction: calendar-year growth below zero, i.e. the average level of quarters 1-4 is
    below the average level of quarters -3..0 (the convention of annual GDP forecasts such as
    "Mexican growth in 2025: +1.2 %"). The growth of quarters -2 and -1 (``pre_growth``) and
    quarter 0 (``g0``) fix the base year; they default to ``mu``.

Caveat
    Mexican growth is fat-tailed (AR(1) residuals 1996-2019 have excess kurtosis of about 8.6,
    mostly 2009Q1). A Gaussian AR(1) with the fitted sigma therefore overstates how often small
    negative quarters occur: at the historical mean it implies a technical recession in about a
    quarter of all 4-quarter windows, against 9 of 92 (two episodes, 2001-02 and 2008-09) in the
    data. Read the baseline probabilities with that in mind; the tariff's effect (the difference
    under common random numbers) is the more robust output.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ._util import readonly
from .calibration import GROWTH_DEFINITION as GROWTH_DEFINITION
from .calibration import AR1Calibration as AR1Calibration
from .calibration import __all__ as _calibration_names
from .calibration import _as_period
from .calibration import calibrate_ar1 as calibrate_ar1
from .calibration import calibrate_file as calibrate_file
from .calibration import default_calibration as default_calibration
from .calibration import read_calibration as read_calibration
from .calibration import read_quarterly_gdp as read_quarterly_gdp
from .calibration import run_calibration as run_calibration
from .calibration import write_calibration as write_calibration
from .errors import DataError

__all__ = [
    *_calibration_names,
    "QUANTILES",
    "annual_to_quarterly",
    "quarterly_to_annual",
    "shock_to_growth",
    "ar1_growth_paths",
    "technical_recession",
    "annual_contraction",
    "MCProbability",
    "RecessionRisk",
    "simulate_recession_risk",
]

log = logging.getLogger(__name__)

#: Default quantile levels (shares) of the growth fan chart.
QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)

# --------------------------------------------------------------------------------------------
# Monte Carlo: pure array functions
# --------------------------------------------------------------------------------------------


def annual_to_quarterly(pct: float) -> float:
    """Quarterly log growth (percent per quarter) of a path growing ``pct`` percent a year.

    ``100 * ln(1 + pct/100) / 4``; 1.2 % a year gives 0.298 % a quarter.
    """
    return 100.0 * math.log1p(pct / 100.0) / 4.0


def quarterly_to_annual(pct: float) -> float:
    """Inverse of :func:`annual_to_quarterly`: annual growth in percent from quarterly log growth."""
    return 100.0 * math.expm1(4.0 * pct / 100.0)


def shock_to_growth(level_dev) -> np.ndarray:
    """Growth effect (percentage points per quarter) of a GDP level-deviation path (percent).

    ``level_dev[..., q]`` is the deviation of the level from baseline in quarter q+1 (percent;
    -2 means 2 % below); the deviation before the first quarter is zero. Returns
    ``100 * Δ ln(1 + d/100)`` along the last axis, the same shape (= Δd to first order).
    """
    d = np.asarray(level_dev, dtype=float)
    ld = 100.0 * np.log1p(d / 100.0)
    return np.diff(ld, axis=-1, prepend=0.0)


def ar1_growth_paths(mu: float, rho: float, sigma: float, g0: float, z: np.ndarray) -> np.ndarray:
    """Baseline growth paths from standard-normal innovations ``z`` of shape (H, n).

    ``g_q = mu + rho (g_{q-1} - mu) + sigma z_q`` with ``g_0 = g0``; percent per quarter; returns (H, n).
    Vectorised over paths; loops over the H quarters.
    """
    z = np.asarray(z, dtype=float)
    g = np.empty_like(z)
    prev = np.full(z.shape[1:], float(g0))
    for q in range(z.shape[0]):
        np.multiply(z[q], sigma, out=g[q])
        g[q] += mu
        g[q] += rho * (prev - mu)
        prev = g[q]
    return g


def technical_recession(growth: np.ndarray, g0: float, upto: int | None = None) -> np.ndarray:
    """Whether each path has two consecutive negative quarters, ending in quarters 1..``upto``.

    ``growth`` is (H, n) q/q growth of quarters 1..H; ``g0`` the growth of quarter 0, so the pair
    (0, 1) counts. Returns a bool array (n,).
    """
    g = np.asarray(growth)
    upto = g.shape[0] if upto is None else min(int(upto), g.shape[0])
    neg = g[:upto] < 0
    hit = neg[0] & (g0 < 0)
    for q in range(1, upto):
        hit |= neg[q] & neg[q - 1]
    return hit


def annual_contraction(growth: np.ndarray, g0: float, pre_growth: Sequence[float]) -> np.ndarray:
    """Whether the average GDP level of quarters 1-4 is below that of quarters -3..0 (bool, (n,)).

    ``growth`` (H >= 4, n) is log growth in percent per quarter of quarters 1..H, ``g0`` that of
    quarter 0 and ``pre_growth = (g_{-2}, g_{-1})`` those of quarters -2 and -1.
    """
    g = np.asarray(growth)
    if g.shape[0] < 4:
        raise ValueError("annual contraction needs a horizon of at least 4 quarters")
    gm2, gm1 = (float(v) for v in pre_growth)
    # log levels relative to quarter 0, in shares
    base = np.exp(-np.array([g0 + gm1 + gm2, g0 + gm1, g0, 0.0]) / 100.0).sum()
    cum = np.cumsum(g[:4], axis=0) / 100.0
    return np.exp(cum).sum(axis=0) < base


# --------------------------------------------------------------------------------------------
# Monte Carlo: results and the driver
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MCProbability:
    """A Monte Carlo probability (share 0-1) with and without the tariff, with standard errors.

    ``se_difference`` is the standard error of ``tariff - baseline`` under common random numbers
    (much smaller than the two separate ones).
    """

    tariff: float
    baseline: float
    se_tariff: float
    se_baseline: float
    difference: float
    se_difference: float

    @classmethod
    def from_indicators(cls, with_tariff: np.ndarray, baseline: np.ndarray) -> MCProbability:
        n = with_tariff.size
        pt, pb = float(with_tariff.mean()), float(baseline.mean())
        diff = with_tariff.astype(np.int8) - baseline.astype(np.int8)
        sd_diff = float(diff.std(ddof=1)) if n > 1 else float("nan")
        return cls(
            tariff=pt,
            baseline=pb,
            se_tariff=math.sqrt(pt * (1 - pt) / n),
            se_baseline=math.sqrt(pb * (1 - pb) / n),
            difference=pt - pb,
            se_difference=sd_diff / math.sqrt(n),
        )

    @classmethod
    def undefined(cls) -> MCProbability:
        nan = float("nan")
        return cls(nan, nan, nan, nan, nan, nan)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class RecessionRisk:
    """Result of :func:`simulate_recession_risk`. Probabilities are shares (0-1); growth in percent
    per quarter (q/q, log). Arrays are read-only.

    Attributes
    ----------
    technical_4q : technical recession with a pair ending in quarters 1-4.
    technical_horizon : technical recession anywhere in quarters 1..H.
    annual_contraction : calendar-year contraction of quarters 1-4 against quarters -3..0
        (undefined, NaN, when H < 4).
    quantile_levels : the quantiles of the fan chart (shares).
    growth_quantiles_tariff, growth_quantiles_baseline : arrays (len(quantile_levels), H).
    mean_growth_tariff, mean_growth_baseline : arrays (H,).
    shock_growth_mean : mean growth effect of the tariff by quarter (percentage points), (H,).
    mu, rho, sigma, g0, pre_growth : the process; n_paths, n_draws, horizon, seed: the simulation.
    start : label of quarter 1 ('2025Q1') or None.
    """

    technical_4q: MCProbability
    technical_horizon: MCProbability
    annual_contraction: MCProbability
    quantile_levels: tuple[float, ...]
    growth_quantiles_tariff: np.ndarray
    growth_quantiles_baseline: np.ndarray
    mean_growth_tariff: np.ndarray
    mean_growth_baseline: np.ndarray
    shock_growth_mean: np.ndarray
    mu: float
    rho: float
    sigma: float
    g0: float
    pre_growth: tuple[float, float]
    horizon: int
    n_paths: int
    n_draws: int
    seed: int
    start: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def recession_probability(self) -> float:
        """Technical recession within four quarters, with the tariff (share 0-1)."""
        return self.technical_4q.tariff

    @property
    def recession_probability_baseline(self) -> float:
        """Technical recession within four quarters, without the tariff (share 0-1)."""
        return self.technical_4q.baseline

    @property
    def annual_contraction_probability(self) -> float:
        """Calendar-year contraction of quarters 1-4, with the tariff (share 0-1)."""
        return self.annual_contraction.tariff

    def quantiles(self) -> pd.DataFrame:
        """Tidy growth quantiles: columns quarter (1..H), [period], scenario ('baseline' | 'tariff'),
        quantile (share), growth_pct (percent per quarter, q/q)."""
        H, levels = self.horizon, np.asarray(self.quantile_levels)
        parts = []
        for scen, arr in (("baseline", self.growth_quantiles_baseline), ("tariff", self.growth_quantiles_tariff)):
            parts.append(
                pd.DataFrame(
                    {
                        "quarter": np.tile(np.arange(1, H + 1), len(levels)),
                        "scenario": scen,
                        "quantile": np.repeat(levels, H),
                        "growth_pct": np.asarray(arr).reshape(-1),
                    }
                )
            )
        df = pd.concat(parts, ignore_index=True)
        if self.start is not None:
            periods = pd.period_range(self.start, periods=H, freq="Q").astype(str)
            df.insert(1, "period", np.asarray(periods)[df["quarter"].to_numpy() - 1])
        df = df.sort_values(["quarter", "scenario", "quantile"], ignore_index=True)
        df.attrs["units"] = {"growth_pct": "percent per quarter, q/q, 100*dln(GDP)"}
        return df

    def summary(self) -> dict:
        """Flat dict of the headline numbers (probabilities as shares 0-1) and the settings."""
        out: dict = {}
        for key, p in (
            ("recession_probability", self.technical_4q),
            ("recession_probability_horizon", self.technical_horizon),
            ("annual_contraction_probability", self.annual_contraction),
        ):
            out.update(
                {
                    key: p.tariff,
                    f"{key}_baseline": p.baseline,
                    f"{key}_se": p.se_tariff,
                    f"{key}_baseline_se": p.se_baseline,
                    f"{key}_difference_se": p.se_difference,
                }
            )
        out.update(
            mu=self.mu,
            rho=self.rho,
            sigma=self.sigma,
            g0=self.g0,
            pre_growth=list(self.pre_growth),
            horizon=self.horizon,
            n_paths=self.n_paths,
            n_draws=self.n_draws,
            seed=self.seed,
            start=self.start,
        )
        return out


def simulate_recession_risk(
    *,
    mu: float,
    rho: float,
    sigma: float,
    horizon: int | None = None,
    n_paths: int = 100_000,
    shock=None,
    g0: float | None = None,
    pre_growth: Sequence[float] | None = None,
    seed: int | None = None,
    quantiles: Sequence[float] = QUANTILES,
    start=None,
) -> RecessionRisk:
    """Monte Carlo of quarterly growth with and without the tariff, with common random numbers.

    Parameters
    ----------
    mu : baseline mean growth, percent per quarter (log); from an annual forecast use
        :func:`annual_to_quarterly` (1.2 % a year -> 0.298).
    rho, sigma : AR(1) persistence and innovation sd (percent per quarter), e.g. from
        :func:`default_calibration`.
    horizon : quarters simulated (H); inferred from ``shock`` when given, else 12.
    n_paths : simulated paths (shared by the two scenarios).
    shock : GDP level deviation from baseline caused by the tariff, percent (negative = loss),
        for quarters 1..H: shape (H,) for one path, or (D, H) for D parameter draws (elasticities,
        multiplier...). Path i uses draw ``i % D``, so the paths are spread evenly over the draws and
        parameter uncertainty enters the same simulation. None = no tariff.
    g0 : growth in quarter 0 (the last observed quarter), percent; default ``mu``.
    pre_growth : growth in quarters -2 and -1 (only for the base year of the annual contraction);
        default ``(mu, mu)``.
    seed : seed of ``np.random.default_rng``; None draws fresh entropy, recorded in the result.
        Innovations are drawn as one (H, n_paths) standard-normal array.
    quantiles : quantile levels (shares) for the fan chart.
    start : label of quarter 1 (e.g. '2025Q1') for the tidy outputs.

    Probabilities' standard errors are binomial, ``sqrt(p (1 - p) / n_paths)`` (conservative when
    paths are stratified over parameter draws).
    """
    mu, rho, sigma = float(mu), float(rho), float(sigma)
    if not all(map(math.isfinite, (mu, rho, sigma))) or sigma < 0:
        raise ValueError(f"need finite mu, rho and sigma >= 0; got mu={mu}, rho={rho}, sigma={sigma}")
    n_paths = int(n_paths)
    if n_paths < 2:
        raise ValueError("n_paths must be at least 2")

    if shock is None:
        H = 12 if horizon is None else int(horizon)
        effect = np.zeros((1, H))
    else:
        d = np.asarray(shock, dtype=float)
        if d.ndim == 1:
            d = d[None, :]
        if d.ndim != 2 or d.shape[1] == 0:
            raise DataError(
                f"shock must have shape (H,) or (D, H), got {np.shape(shock)}", source="<array>", location="shock"
            )
        if horizon is not None and int(horizon) != d.shape[1]:
            raise DataError(
                f"shock covers {d.shape[1]} quarters but horizon is {horizon}", source="<array>", location="shock"
            )
        if not np.all(np.isfinite(d)):
            raise DataError("shock has non-finite values", source="<array>", location="shock")
        if np.any(d <= -100):
            raise DataError("a level deviation must exceed -100 %", source="<array>", location="shock")
        H = d.shape[1]
        effect = shock_to_growth(d)
    if H < 1:
        raise ValueError("horizon must be at least 1 quarter")
    D = effect.shape[0]
    if D > n_paths:
        raise ValueError(f"{D} parameter draws but only {n_paths} paths")

    g0 = mu if g0 is None else float(g0)
    pre = (mu, mu) if pre_growth is None else tuple(float(v) for v in pre_growth)
    if len(pre) != 2:
        raise ValueError("pre_growth must hold the growth of quarters -2 and -1")
    q_levels = tuple(float(q) for q in quantiles)
    if any(not 0 <= q <= 1 for q in q_levels):
        raise ValueError("quantile levels must be shares in [0, 1]")

    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((H, n_paths))

    g_base = ar1_growth_paths(mu, rho, sigma, g0, z)
    del z
    if D == 1:
        g_tar = g_base + effect[0][:, None]
    else:
        g_tar = g_base + effect.T[:, np.arange(n_paths) % D]

    tech4 = MCProbability.from_indicators(technical_recession(g_tar, g0, 4), technical_recession(g_base, g0, 4))
    techH = MCProbability.from_indicators(technical_recession(g_tar, g0), technical_recession(g_base, g0))
    if H >= 4:
        annual = MCProbability.from_indicators(annual_contraction(g_tar, g0, pre), annual_contraction(g_base, g0, pre))
    else:
        annual = MCProbability.undefined()
    notes = () if H >= 4 else ("horizon < 4 quarters: annual contraction undefined, '4q' = whole horizon",)

    pct = np.asarray(q_levels) * 100.0
    qt = np.percentile(g_tar, pct, axis=1)
    qb = np.percentile(g_base, pct, axis=1)
    counts = np.bincount(np.arange(n_paths) % D, minlength=D)
    shock_mean = (effect * counts[:, None]).sum(axis=0) / n_paths
    log.debug("recession MC: %d paths x %d quarters, %d draws, seed %s", n_paths, H, D, seed)
    return RecessionRisk(
        technical_4q=tech4,
        technical_horizon=techH,
        annual_contraction=annual,
        quantile_levels=q_levels,
        growth_quantiles_tariff=readonly(qt),
        growth_quantiles_baseline=readonly(qb),
        mean_growth_tariff=readonly(g_tar.mean(axis=1)),
        mean_growth_baseline=readonly(g_base.mean(axis=1)),
        shock_growth_mean=readonly(shock_mean),
        mu=mu,
        rho=rho,
        sigma=sigma,
        g0=g0,
        pre_growth=pre,
        horizon=H,
        n_paths=n_paths,
        n_draws=D,
        seed=int(seed),
        start=None if start is None else str(_as_period(start, "start")),
        notes=notes,
    )
