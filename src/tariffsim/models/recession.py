"""Recession risk: a vectorised, seeded Monte Carlo of quarterly growth with and without the tariff.

The AR(1) model, its innovation draws and its predictive check are in :mod:`tariffsim.models.ar1`;
the calibration files in :mod:`tariffsim.inputs.calibrations`.

docs/models/recession.md. Quarterly real GDP growth follows

    g_q = mu + rho (g_{q-1} - mu) + u_q,

in **percent per quarter** (q/q log growth, not annualised), plus the tariff's growth effect,
which is the first difference of the GDP level-deviation path the macro layer produces. The
innovations ``u_q`` are Student t, ``scale * t_df``, as fitted by ``tariffsim calibrate`` (pass
``calibration=``), or Gaussian with sd ``sigma`` (pass ``rho`` and ``sigma``, as before). ``mu``
always comes from the caller: the scenario's baseline forecast, not the historical mean.

Timing convention of the Monte Carlo
    Quarter 0 is the last observed quarter (growth ``g0``); quarters 1..H are simulated. The
    tariff's level deviation ``d_q`` (percent of the baseline level) is zero in quarter 0 and
    adds ``100 * [ln(1 + d_q/100) - ln(1 + d_{q-1}/100)]`` to growth in quarter q (= d_q - d_{q-1}
    to first order). With and without the tariff share the same innovations (common random
    numbers), so their difference is the tariff effect alone.

Random numbers
    ``np.random.default_rng(seed)`` draws the innovations path by path (an (n_paths, H) array,
    drawn in chunks of ``chunk_paths`` paths in order, so the result does not depend on the chunk
    size). Memory: the baseline half's paths (float64, H x n_paths, shared by the runs of a scenario;
    the last four are kept) and one byte per path and indicator. The fan-chart quantiles are made when
    first read, from the kept baseline half or, if it has gone, the same seeded simulation again.

Definitions of the reported probabilities
    technical recession: two consecutive quarters of negative q/q growth. The pair (0, 1) counts:
    if the observed quarter 0 was negative, a negative quarter 1 completes a technical recession.
    "within 4 quarters" uses the pairs ending in quarters 1..4, "within the horizon" all pairs.
    annual contraction: calendar-year growth below zero, i.e. the average level of quarters 1-4 is
    below the average level of quarters -3..0 (the convention of annual GDP forecasts such as
    "Mexican growth in 2025: +1.2 %"). The growth of quarters -2 and -1 (``pre_growth``) and
    quarter 0 (``g0``) fix the base year; they default to ``mu``.

The headline
    ``change`` = P(technical recession within 4 quarters | tariff) - P(... | baseline), with its
    Monte Carlo standard error ``se_change`` from the paired (CRN) per-path differences; the same
    for the horizon (``change_horizon``) and the annual contraction (``change_annual``).

Predictive check
    :func:`tariffsim.models.ar1.predictive_check` simulates samples of the historical length from a calibration and
    compares the share of negative quarters and the share of four-quarter windows with a technical
    recession with the observed ones (two-sided p-values). The Gaussian AR(1) fails it on Mexico
    (docs/models/recession.md); the shipped Student t calibrations pass (see data/SOURCES.md).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .._lazy import pd
from .._util import ShortRepr, readonly
from ..errors import DataError
from ._path_quantiles import Baseline, PathQuantiles
from .ar1 import AR1Calibration, ar1_from_innovations, draw_innovations, quarter_label
from .growth_uncertainty import GrowthDraws

__all__ = [
    "QUANTILES",
    "DEFAULT_CHUNK_PATHS",
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

#: Paths simulated at once (bounds the temporaries; results do not depend on it).
DEFAULT_CHUNK_PATHS = 50_000
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


def shock_to_growth(level_dev: ArrayLike) -> np.ndarray:
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
        raise DataError("annual contraction needs a horizon of at least 4 quarters")
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

    ``difference`` (alias ``change``) is ``tariff - baseline``; ``se_difference`` (alias
    ``se_change``) its standard error from the paired per-path differences under common random
    numbers (much smaller than the two separate binomial ones).
    """

    tariff: float
    baseline: float
    se_tariff: float
    se_baseline: float
    difference: float
    se_difference: float

    @property
    def change(self) -> float:
        """``tariff - baseline`` (share, e.g. 0.05 = five percentage points)."""
        return self.difference

    @property
    def se_change(self) -> float:
        """Monte Carlo standard error of :attr:`change` (paired differences)."""
        return self.se_difference

    @classmethod
    def from_counts(cls, n: int, n_tariff: int, n_baseline: int, n_up: int, n_down: int) -> MCProbability:
        """From counts over ``n`` paths: events with the tariff, at baseline, and paths where the event
        occurs only with the tariff (``n_up``) or only at baseline (``n_down``). The per-path
        difference takes the values +1, 0, -1; its sample variance (ddof 1) gives ``se_difference``."""
        pt, pb = n_tariff / n, n_baseline / n
        diff = (n_up - n_down) / n
        var = max(0.0, (n_up + n_down - n * diff * diff) / (n - 1)) if n > 1 else float("nan")
        return cls(
            tariff=pt,
            baseline=pb,
            se_tariff=math.sqrt(pt * (1 - pt) / n),
            se_baseline=math.sqrt(pb * (1 - pb) / n),
            difference=diff,
            se_difference=math.sqrt(var / n),
        )

    @classmethod
    def undefined(cls) -> MCProbability:
        nan = float("nan")
        return cls(nan, nan, nan, nan, nan, nan)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(change=self.change, se_change=self.se_change)
        return d


@dataclass(frozen=True, eq=False, repr=False)
class RecessionRisk(ShortRepr):
    """Result of :func:`simulate_recession_risk`. Probabilities are shares (0-1); growth in percent
    per quarter (q/q, log). Arrays are read-only.

    Attributes
    ----------
    technical_4q : technical recession with a pair ending in quarters 1-4.
    technical_horizon : technical recession anywhere in quarters 1..H.
    annual_contraction : calendar-year contraction of quarters 1-4 against quarters -3..0
        (undefined, NaN, when H < 4).
    quantile_levels : the quantiles of the fan chart (shares).
    growth_quantiles_tariff, growth_quantiles_baseline : arrays (len(quantile_levels), H), made
        from the paths when first read (no JSON key needs them; a fan chart does).
    mean_growth_tariff, mean_growth_baseline : arrays (H,).
    shock_growth_mean : mean growth effect of the tariff by quarter (percentage points), (H,).
    mu, rho, sigma, g0, pre_growth : the process (sigma = sd of the innovations);
    innovations ('gaussian' | 'student_t'), scale and df (Student t; None for Gaussian),
    innovation (one-line description); n_paths, n_draws, horizon, seed: the simulation.
    start : label of quarter 1 ('2025Q1') or None.
    change, se_change : the headline, technical recession within four quarters, tariff minus
        baseline, and its Monte Carlo standard error (paired CRN differences); ``change_horizon``,
        ``se_change_horizon``, ``change_annual``, ``se_change_annual`` likewise.
    """

    technical_4q: MCProbability
    technical_horizon: MCProbability
    annual_contraction: MCProbability
    quantile_levels: tuple[float, ...]
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
    innovations: str = "gaussian"
    scale: float | None = None
    df: float | None = None
    change_draws: np.ndarray | None = None
    baseline_draws: np.ndarray | None = None
    growth_draws_method: str | None = None
    #: how the growth quantiles are made when first read (no paths: the recipe)
    quantile_source: PathQuantiles | None = field(default=None, repr=False)

    @cached_property
    def _growth_quantiles(self) -> tuple[np.ndarray, np.ndarray]:
        if self.quantile_source is None:
            raise DataError("this Monte Carlo was built without a way to make its growth quantiles")
        tariff, baseline = self.quantile_source.compute()
        return readonly(tariff), readonly(baseline)

    @property
    def growth_quantiles_tariff(self) -> np.ndarray:
        """Growth quantiles with the tariff, (len(quantile_levels), H), made when first read."""
        return self._growth_quantiles[0]

    @property
    def growth_quantiles_baseline(self) -> np.ndarray:
        """Growth quantiles without the tariff, (len(quantile_levels), H), made when first read."""
        return self._growth_quantiles[1]

    @property
    def n_blocks(self) -> int:
        """Parameter blocks (joint draws of the shock and the growth model); 0 without growth draws."""
        return 0 if self.change_draws is None else int(self.change_draws.size)

    def change_band(self, level: float = 0.90) -> tuple[float, float]:
        """Central ``level`` band of the change in recession probability (technical, four quarters)
        across parameter blocks (elasticity, macro, growth-model and shock-shape draws). Each block's
        change carries its own Monte Carlo noise (:meth:`block_mc_se`), small next to the spread."""
        if self.change_draws is None:
            return (float("nan"), float("nan"))
        a = (1.0 - level) / 2.0
        lo, hi = np.quantile(self.change_draws, [a, 1.0 - a])
        return (float(lo), float(hi))

    def block_mc_se(self) -> float:
        """Typical Monte Carlo standard error of one block's change (paired differences, binomial bound)."""
        if self.change_draws is None:
            return float("nan")
        per_block = self.n_paths / self.n_blocks
        return float(math.sqrt(max(0.0, float(np.mean(np.abs(self.change_draws)))) / per_block))

    @property
    def innovation(self) -> str:
        """One-line description of the innovation law."""
        if self.innovations == "student_t":
            return f"Student t, df {self.df:.2f}, scale {self.scale:.3f} %/q (sd {self.sigma:.3f})"
        return f"Gaussian, sd {self.sigma:.3f} %/q"

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

    @property
    def change(self) -> float:
        """Headline: P(technical recession within 4 quarters) with the tariff minus without (share)."""
        return self.technical_4q.difference

    @property
    def se_change(self) -> float:
        """Monte Carlo standard error of :attr:`change` (paired CRN differences)."""
        return self.technical_4q.se_difference

    @property
    def change_horizon(self) -> float:
        return self.technical_horizon.difference

    @property
    def se_change_horizon(self) -> float:
        return self.technical_horizon.se_difference

    @property
    def change_annual(self) -> float:
        return self.annual_contraction.difference

    @property
    def se_change_annual(self) -> float:
        return self.annual_contraction.se_difference

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
                        "growth_pct": np.asarray(arr, dtype=float).reshape(-1),
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

    def summary(self) -> dict[str, Any]:
        """Flat dict of the headline numbers (probabilities as shares 0-1) and the settings.

        ``recession_probability_change`` and ``recession_probability_change_se`` are the headline
        (technical recession within four quarters); ``*_change``/``*_change_se`` likewise for the
        horizon and the annual contraction. ``*_difference_se`` is kept as an alias of ``*_change_se``.
        """
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
                    f"{key}_change": p.change,
                    f"{key}_change_se": p.se_change,
                    f"{key}_difference_se": p.se_difference,
                }
            )
        lo, hi = self.change_band()
        out.update(
            recession_probability_change_band=[lo, hi] if self.change_draws is not None else None,
            recession_probability_change_p50=float(np.median(self.change_draws))
            if self.change_draws is not None
            else None,
            n_blocks=self.n_blocks,
            growth_draws=self.growth_draws_method,
            mu=self.mu,
            rho=self.rho,
            sigma=self.sigma,
            innovations=self.innovations,
            scale=self.scale,
            df=self.df,
            innovation=self.innovation,
            g0=self.g0,
            pre_growth=list(self.pre_growth),
            horizon=self.horizon,
            n_paths=self.n_paths,
            n_draws=self.n_draws,
            seed=self.seed,
            start=self.start,
        )
        return out


def _innovation_spec(
    rho: float | None,
    sigma: float | None,
    df: float | None,
    scale: float | None,
    calibration: AR1Calibration | None,
) -> tuple[float, float, float | None, float | None]:
    """(rho, sigma, scale, df) from the arguments of :func:`simulate_recession_risk`; df None = Gaussian."""
    if calibration is not None:
        if any(v is not None for v in (rho, sigma, df, scale)):
            raise DataError("give either calibration or rho/sigma/df/scale, not both")
        if not isinstance(calibration, AR1Calibration):
            raise DataError(f"calibration must be an AR1Calibration (see load_calibration), not {type(calibration)}")
        if calibration.innovations == "student_t":
            rho, scale, df = calibration.rho, calibration.scale, calibration.df
        else:
            rho, sigma = calibration.rho, calibration.sigma
    if rho is None:
        raise DataError("rho is required (or pass calibration=)")
    rho = float(rho)
    if df is not None and math.isinf(float(df)):
        df = None
        if sigma is None:
            sigma = scale
        scale = None
    if df is None:
        if sigma is None or scale is not None:
            raise DataError("Gaussian innovations (df=None) need sigma, not scale")
        sigma = float(sigma)
        if not all(map(math.isfinite, (rho, sigma))) or sigma < 0:
            raise DataError(f"need finite rho and sigma >= 0; got rho={rho}, sigma={sigma}")
        return rho, sigma, None, None
    df = float(df)
    if not df > 2:
        raise DataError(f"Student t innovations need df > 2 (finite variance); got df={df}")
    if (sigma is None) == (scale is None):
        raise DataError("Student t innovations need exactly one of scale or sigma (the sd)")
    ratio = math.sqrt(df / (df - 2.0))
    # exactly one of scale and sigma is given (checked above)
    scale = float(scale) if scale is not None else float(cast(float, sigma)) / ratio
    if not all(map(math.isfinite, (rho, scale))) or scale < 0:
        raise DataError(f"need finite rho and scale >= 0; got rho={rho}, scale={scale}")
    return rho, scale * ratio, scale, df


#: The last baselines simulated (most recent first; about 10 MB each at 100,000 paths x 12
#: quarters): the runs of one scenario (every elasticity set, the parameter draws, the points of a
#: sweep) share their common random numbers, so each baseline half is simulated once and the results
#: are those of simulating it each time. A run uses up to three (the sets', the parameter draws' with
#: growth-parameter draws, the Gaussian sensitivity's).
_BASELINE: list[Baseline] = []
_BASELINE_KEEP = 4


def _baseline_paths(
    mu: float,
    rho: float,
    sigma: float | None,
    scale: float | None,
    df: float | None,
    g0: float,
    pre: tuple[float, ...],
    H: int,
    n_paths: int,
    seed: int,
    chunk: int,
    q_levels: tuple[float, ...],
    growth: GrowthDraws | None = None,
) -> Baseline:
    """The baseline paths of :func:`simulate_recession_risk` (cached for its last arguments; with
    ``growth``, path i uses growth-parameter draw ``i % B``)."""
    gkey = None if growth is None else (growth.method, _digest(growth))
    key = (mu, rho, sigma, scale, df, g0, pre, H, n_paths, seed, chunk, q_levels, gkey)
    for k, cached in enumerate(_BASELINE):
        if cached.key == key:
            _BASELINE.insert(0, _BASELINE.pop(k))
            return cached
    rng = np.random.default_rng(seed)
    total = np.zeros(H)
    chunks = []
    for lo in range(0, n_paths, chunk):
        hi = min(lo + chunk, n_paths)
        if growth is not None:
            blk = np.arange(lo, hi) % growth.n
            u = _block_innovations(rng, growth, blk, H)
            g = ar1_from_innovations(mu + growth.mu_dev[blk], growth.rho[blk], g0, u)
        else:
            u = draw_innovations(rng, (hi - lo, H), sigma=sigma, scale=scale, df=df)
            g = ar1_from_innovations(mu, rho, g0, np.ascontiguousarray(u.T))
        del u
        hits = {"tech4": technical_recession(g, g0, 4), "techH": technical_recession(g, g0)}
        if H >= 4:
            hits["annual"] = annual_contraction(g, g0, pre)
        total += g.sum(axis=1)
        g.setflags(write=False)
        chunks.append((g, hits))
    out = Baseline(key=key, chunks=chunks, sum=total)
    _BASELINE[:] = [out, *_BASELINE[: _BASELINE_KEEP - 1]]
    return out


def simulate_recession_risk(
    *,
    mu: float,
    rho: float | None = None,
    sigma: float | None = None,
    df: float | None = None,
    scale: float | None = None,
    calibration: AR1Calibration | None = None,
    horizon: int | None = None,
    n_paths: int = 100_000,
    shock: ArrayLike | None = None,
    g0: float | None = None,
    pre_growth: Sequence[float] | None = None,
    seed: int | None = None,
    quantiles: Sequence[float] = QUANTILES,
    start: str | pd.Period | None = None,
    chunk_paths: int = DEFAULT_CHUNK_PATHS,
    growth_draws: GrowthDraws | None = None,
) -> RecessionRisk:
    """Monte Carlo of quarterly growth with and without the tariff, with common random numbers.

    Parameters
    ----------
    mu : baseline mean growth, percent per quarter (log); from an annual forecast use
        :func:`annual_to_quarterly` (1.2 % a year -> 0.298).
    calibration : an :class:`AR1Calibration` (from :func:`load_calibration`): ``rho`` and the
        innovations (Student t ``scale``, ``df``, or Gaussian ``sigma``) come from it. Its ``mu``
        (the historical mean) is not used.
    rho, sigma, df, scale : the process without ``calibration``: persistence, and Gaussian
        innovations with sd ``sigma`` (``df=None``) or Student t ``scale * t_df`` (``df > 2`` with
        ``scale``, or with ``sigma`` = the sd). Percent per quarter.
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
    quantiles : quantile levels (shares) for the fan chart.
    start : label of quarter 1 (e.g. '2025Q1') for the tidy outputs.
    chunk_paths : paths simulated at once (memory bound); the result does not depend on it.
    growth_draws : B draws of the growth model's parameters
        (:func:`tariffsim.models.growth_uncertainty.draw_growth_parameters`). Path i belongs to block
        ``i % B``: it uses growth draw ``i % B`` (mean ``mu + mu_dev``, its rho, scale, df; Gaussian
        when df is infinite) and, when ``shock`` has D = B rows, shock draw ``i % B`` too, so each
        block is one joint draw of every uncertain input. The change in recession probability is
        then estimated block by block (``change_draws``, :meth:`RecessionRisk.change_band`); the
        pooled probabilities average over the blocks. ``shock`` must then have 1 or B rows.

    Probabilities' standard errors are binomial, ``sqrt(p (1 - p) / n_paths)`` (conservative when
    paths are stratified over parameter draws); the changes' from the paired differences.
    """
    mu = float(mu)
    if not math.isfinite(mu):
        raise DataError(f"need a finite mu; got {mu}")
    rho, sigma, scale, df = _innovation_spec(rho, sigma, df, scale, calibration)
    n_paths = int(n_paths)
    if n_paths < 2:
        raise DataError("n_paths must be at least 2")
    chunk = int(chunk_paths)
    if chunk < 1:
        raise DataError("chunk_paths must be at least 1")

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
        raise DataError("horizon must be at least 1 quarter")
    D = effect.shape[0]
    if D > n_paths:
        raise DataError(f"{D} parameter draws but only {n_paths} paths")

    g0 = mu if g0 is None else float(g0)
    pre = (mu, mu) if pre_growth is None else tuple(float(v) for v in pre_growth)
    if len(pre) != 2:
        raise DataError("pre_growth must hold the growth of quarters -2 and -1")
    q_levels = tuple(float(q) for q in quantiles)
    if any(not 0 <= q <= 1 for q in q_levels):
        raise DataError("quantile levels must be shares in [0, 1]")

    B = 0 if growth_draws is None else growth_draws.n
    if B:
        if D not in (1, B):
            raise DataError(f"{D} shock draws cannot be paired with {B} growth-parameter draws (need 1 or {B})")
        if B > n_paths:
            raise DataError(f"{B} parameter blocks but only {n_paths} paths")
    block_counts = np.zeros((3, max(B, 1)), dtype=np.int64)  # paths, up (tariff only), down (baseline only)
    block_base = np.zeros(max(B, 1), dtype=np.int64)

    if seed is None:
        seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    effect_t = np.ascontiguousarray(effect.T)  # (H, D)
    baseline_half = functools.partial(
        _baseline_paths,
        mu, rho, sigma, scale, df, g0, pre, H, n_paths, int(seed), chunk, q_levels, growth_draws if B else None,
    )  # fmt: skip
    base = baseline_half()

    sum_t = np.zeros(H)
    counts = {k: np.zeros(4, dtype=np.int64) for k in ("tech4", "techH", "annual")}  # tariff, base, up, down

    def tally(key: str, hit_t: np.ndarray, hit_b: np.ndarray) -> None:
        counts[key] += (
            np.count_nonzero(hit_t),
            np.count_nonzero(hit_b),
            np.count_nonzero(hit_t & ~hit_b),
            np.count_nonzero(hit_b & ~hit_t),
        )

    for c, lo in enumerate(range(0, n_paths, chunk)):
        hi = min(lo + chunk, n_paths)
        g_base, hits_b = base.chunks[c]
        if D == 1:
            g_tar = g_base + effect_t[:, :1]
        else:
            g_tar = g_base + effect_t[:, np.arange(lo, hi) % D]
        hit4_t, hit4_b = technical_recession(g_tar, g0, 4), hits_b["tech4"]
        tally("tech4", hit4_t, hit4_b)
        if B:
            blk = np.arange(lo, hi) % B
            block_counts[0] += np.bincount(blk, minlength=B)
            block_counts[1] += np.bincount(blk[hit4_t & ~hit4_b], minlength=B)
            block_counts[2] += np.bincount(blk[hit4_b & ~hit4_t], minlength=B)
            block_base += np.bincount(blk[hit4_b], minlength=B)
        tally("techH", technical_recession(g_tar, g0), hits_b["techH"])
        if H >= 4:
            tally("annual", annual_contraction(g_tar, g0, pre), hits_b["annual"])
        sum_t += g_tar.sum(axis=1)
        del g_tar
    sum_b = base.sum

    tech4 = MCProbability.from_counts(n_paths, *(int(c) for c in counts["tech4"]))
    techH = MCProbability.from_counts(n_paths, *(int(c) for c in counts["techH"]))
    annual = MCProbability.from_counts(n_paths, *(int(c) for c in counts["annual"])) if H >= 4 else None
    notes = () if H >= 4 else ("horizon < 4 quarters: annual contraction undefined, '4q' = whole horizon",)

    n_per_draw = np.bincount(np.arange(n_paths) % D, minlength=D)
    shock_mean = (effect * n_per_draw[:, None]).sum(axis=0) / n_paths
    log.debug("recession MC: %d paths x %d quarters, %d draws, seed %s, %s", n_paths, H, D, seed, df)
    return RecessionRisk(
        technical_4q=tech4,
        technical_horizon=techH,
        annual_contraction=annual if annual is not None else MCProbability.undefined(),
        quantile_levels=q_levels,
        mean_growth_tariff=readonly(sum_t / n_paths),
        mean_growth_baseline=readonly(sum_b / n_paths),
        shock_growth_mean=readonly(shock_mean),
        mu=mu,
        rho=rho,
        sigma=sigma,
        g0=g0,
        pre_growth=(pre[0], pre[1]),
        horizon=H,
        n_paths=n_paths,
        n_draws=D,
        seed=int(seed),
        start=None if start is None else quarter_label(start, "start"),
        notes=notes,
        innovations="gaussian" if df is None else "student_t",
        scale=scale,
        df=df,
        change_draws=readonly((block_counts[1] - block_counts[2]) / block_counts[0]) if B else None,
        baseline_draws=readonly(block_base / block_counts[0]) if B else None,
        growth_draws_method=growth_draws.method if growth_draws is not None else None,
        quantile_source=PathQuantiles(baseline_half, effect_t, q_levels, chunk),
    )


def _digest(growth: GrowthDraws) -> str:
    """A content key of growth-parameter draws (for the baseline cache)."""
    h = hashlib.sha1()
    for a in (growth.mu_dev, growth.rho, growth.scale, growth.df, growth.gaussian):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _block_innovations(rng: np.random.Generator, draws: GrowthDraws, blk: np.ndarray, H: int) -> np.ndarray:
    """Innovations (H, n) for paths whose growth parameters are ``draws[blk]``: ``scale * z`` for a
    Gaussian draw, ``scale * z / sqrt(chi2_df / df)`` (Student t) otherwise."""
    n = blk.size
    z = rng.standard_normal((H, n))
    df = draws.df[blk]
    t = np.isfinite(df)
    if t.any():
        chi = rng.chisquare(np.broadcast_to(df[t], (H, int(t.sum()))))
        z[:, t] /= np.sqrt(chi / df[t])
    z *= draws.scale[blk]
    return z
