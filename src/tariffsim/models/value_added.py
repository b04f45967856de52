"""Domestic value added in exports, weighted by the trade a measure hits (docs/models/macro.md).

The shares themselves (value added of the exporter per dollar of its gross exports, by exporter,
destination and sector) are derived from a world input-output table by
data/build/build_value_added.py and read by :mod:`tariffsim.inputs.value_added`. This module only
weights them: the value added in an export change is ``sum_s dva_s dX_s``, so the share that goes
with a change is ``sum_s dva_s dX_s / sum_s dX_s`` (weights = the export change by sector), and
before a model has run the best first-order stand-in for ``dX_s`` is the new duty ``X_s dt_s``
(with one elasticity for every sector, ``dX_s`` is proportional to it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..errors import DataError

__all__ = ["weighted_share", "duty_weights"]


def weighted_share(shares: ArrayLike, weights: ArrayLike) -> float:
    """``sum_s w_s dva_s / sum_s w_s`` over sectors (weights of one sign; sectors with zero weight
    may have a missing share). Raises :class:`DataError` when no sector has weight or a weighted
    sector has no share."""
    s = np.asarray(shares, dtype=float)
    w = np.asarray(weights, dtype=float)
    if s.shape != w.shape:
        raise DataError(f"shares {s.shape} and weights {w.shape} differ in shape", location="value added")
    if np.any(w > 0) and np.any(w < 0):
        raise DataError("value-added weights must not mix signs", location="value added")
    w = np.abs(w)
    hit = w > 0
    if not hit.any():
        raise DataError("no trade is hit: the value-added share is undefined", location="value added")
    if not np.all(np.isfinite(s[hit])):
        raise DataError("a sector hit by the measure has no value-added share", location="value added")
    return float((s[hit] * w[hit]).sum() / w[hit].sum())


def duty_weights(values: ArrayLike, t0: ArrayLike, t1: ArrayLike) -> np.ndarray:
    """The new duty by sector, ``X_s max(t1_s - t0_s, 0)`` (USD): the trade a measure hits,
    weighted by how hard."""
    x = np.asarray(values, dtype=float)
    dt = np.clip(np.asarray(t1, dtype=float) - np.asarray(t0, dtype=float), 0.0, None)
    return x * dt
