"""The stored baseline half of a recession Monte Carlo and the fan-chart quantiles made from it when
first read (private to :mod:`tariffsim.models.recession`).

A run's recession probabilities need the paths once; the quantiles of growth by quarter (the fan
chart of a report, :meth:`~tariffsim.models.recession.RecessionRisk.quantiles`) need an ordering of
100,000 paths per quarter, about a fifth of a run's Monte Carlo time, and no JSON key holds them. So a
:class:`PathQuantiles` keeps the recipe (how to get the baseline half: the recession module's cache of
the last baselines, or the same seeded simulation again; and the shock's growth effect) and computes
them the first time they are read, bit for bit what computing them at once gave. It holds no paths:
a result kept for later costs no more memory than before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Baseline", "PathQuantiles", "shifted_quantiles"]


@dataclass(frozen=True, eq=False)
class Baseline:
    """The no-tariff half of a Monte Carlo (it does not depend on the shock): each chunk's growth
    paths (H, n) and recession indicators and the sum of growth by quarter; and, once asked for,
    the order statistics behind the quantiles of the paths shifted by a shock (:func:`shifted_quantiles`)."""

    key: tuple
    chunks: list[tuple[np.ndarray, dict[str, np.ndarray]]]
    sum: np.ndarray
    order: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)


def shifted_quantiles(base: Baseline, shift: np.ndarray, q_levels: tuple[float, ...]) -> np.ndarray:
    """The quantiles (Q, H) of the baseline paths plus ``shift`` (H,) as :func:`numpy.percentile`
    gives them on the float32 store of ``g + shift`` (linear interpolation), bit for bit, without
    the store: ``x -> float32(x + c)`` is monotone, so the order statistics of the shifted paths
    are the shifted order statistics of the baseline's, found once per baseline by one partition."""
    if q_levels not in base.order:
        g = np.concatenate([c[0] for c in base.chunks], axis=1)  # (H, n)
        n = g.shape[1]
        q = np.true_divide(np.asarray(q_levels) * 100.0, 100)  # as numpy.percentile turns percents into shares
        v = (n - 1) * q
        prev = np.clip(np.floor(v), 0, n - 1).astype(np.intp)
        nxt = np.minimum(prev + 1, n - 1)
        part = np.partition(g, np.unique(np.concatenate([prev, nxt])), axis=1)
        base.order[q_levels] = (part[:, prev], part[:, nxt], v - prev)
    lo, hi, gamma = base.order[q_levels]
    a = (lo + shift[:, None]).astype(np.float32)
    b = (hi + shift[:, None]).astype(np.float32)
    diff = b - a
    out = np.add(a, diff * gamma)  # numpy's lerp, and its form from the upper point when gamma >= 0.5
    np.subtract(b, diff * (1 - gamma), out=out, where=gamma >= 0.5, casting="unsafe")
    return np.asarray(out.T, dtype=float)


@dataclass(frozen=True, eq=False)
class PathQuantiles:
    """What the growth quantiles of one Monte Carlo are made from: ``baseline`` gives its baseline
    half (a picklable call: the cached half, or the same seeded simulation again), the shock's growth
    effect by quarter and draw (H, D; path i uses draw ``i % D``), the quantile levels and the chunking
    of the paths. :meth:`compute` gives (tariff, baseline), each (Q, H)."""

    baseline: Callable[[], Baseline]
    effect_t: np.ndarray
    q_levels: tuple[float, ...]
    chunk: int

    def compute(self) -> tuple[np.ndarray, np.ndarray]:
        base = self.baseline()
        H, D = self.effect_t.shape
        baseline = shifted_quantiles(base, np.zeros(H), self.q_levels)
        if D == 1:  # one shock: the baseline's order statistics, shifted
            return shifted_quantiles(base, self.effect_t[:, 0], self.q_levels), baseline
        # several draws: the tariff paths stored in float32, chunk by chunk as the probabilities saw them
        n = sum(c[0].shape[1] for c in base.chunks)
        store = np.empty((H, n), dtype=np.float32)
        for c, lo in enumerate(range(0, n, self.chunk)):
            hi = min(lo + self.chunk, n)
            store[:, lo:hi] = base.chunks[c][0] + self.effect_t[:, np.arange(lo, hi) % D]
        pct = np.asarray(self.q_levels) * 100.0
        return np.percentile(store, pct, axis=1).astype(float), baseline
