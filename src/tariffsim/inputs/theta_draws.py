"""Parameter draws of the multi-sector model's sector trade elasticities θ_j (issue 21; the
``ge-io`` long run, docs/models/ge_io.md, "Uncertainty").

The literature disagrees about θ_j far more than any one paper's standard errors say: the eight
published sets shipped with today's input-output tables (tariffwar's CP, BSY, GYY, Shap, FGO, LL,
IS, U4; ``data/elasticities/io_sets.toml``) put the same sector's elasticity anywhere from about 1 to
about 65. The draws carry that spread around the run's own set, centred on it:

* per sector, log θ_j is normal with median the run's set's θ_j (so the central case is the centre
  of what is drawn) and standard deviation s_j, the sample standard deviation of log θ_j across
  the published sets (log: elasticities are positive and the sets differ by factors, not by
  amounts);
* across sectors, the draws are equicorrelated with ρ, the mean pairwise correlation across
  sectors of the sets' log deviations from each sector's mean (a set that is high in one sector
  tends to be high in others by that much), floored at zero: log θ_j = log θ_j^c + s_j (√ρ z +
  √(1 − ρ) e_j) with z and e_j standard normal.

On icio2022 the s_j are 0.26 (services) to 0.74 (electrical equipment) and ρ = 0.09; on wiod2011
0.26 to 1.28 and ρ = 0.10. A table with fewer than three published sets (``cp1993``: Caliendo and
Parro's only) has no spread to draw from: :func:`theta_distribution` raises a ScenarioError
saying so, and a run's draws on it leave the long run's elasticities at the set's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._lazy import pd
from ..errors import ScenarioError
from .io_shipped import io_elasticities, theta_set_column

__all__ = ["ThetaDistribution", "theta_distribution", "factors_of", "MIN_SETS", "THETA_FACTOR"]

#: Published sets needed for a spread (a standard deviation from two is hardly one).
MIN_SETS = 3
#: Prefix of the parameter draws' columns holding the factors on the sector trade elasticities.
THETA_FACTOR = "theta_factor:"


@dataclass(frozen=True, eq=False)
class ThetaDistribution:
    """The distribution of the sector trade elasticities of ``table`` around set ``central``
    (see the module docstring). Arrays are (J,) in the table's sector order."""

    table: str
    central: str
    sectors: tuple[str, ...]
    median: np.ndarray
    log_sd: np.ndarray
    rho: float
    sets: tuple[str, ...]

    def factors(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """(n, J) draws of θ_j / θ_j^c (log-normal, median 1)."""
        z = rng.standard_normal((n, 1))
        e = rng.standard_normal((n, len(self.sectors)))
        return np.exp(self.log_sd * (np.sqrt(self.rho) * z + np.sqrt(1.0 - self.rho) * e))

    def frame(self, rng: np.random.Generator, n: int) -> pd.DataFrame:
        """:meth:`factors` as a table of draws: one column ``theta_factor:<sector>`` per sector."""
        f = self.factors(rng, n)
        return pd.DataFrame({f"{THETA_FACTOR}{s}": f[:, j] for j, s in enumerate(self.sectors)})

    def describe(self) -> str:
        """One line for notes and captions."""
        return (
            f"sector trade elasticities drawn log-normally around set {self.central} (median = its values), "
            f"log s.d. per sector = the spread of the {len(self.sets)} published sets ({self.log_sd.min():.2f} to "
            f"{self.log_sd.max():.2f}), correlation across sectors {self.rho:.2f}"
        )


@functools.cache
def theta_distribution(table: str, central: str) -> ThetaDistribution:
    """The θ distribution of input-output table ``table`` centred on its set ``central``."""
    el = io_elasticities(table)
    key = theta_set_column(table, central)
    if el.shape[1] < MIN_SETS:
        raise ScenarioError(
            f"input-output table {table} has {el.shape[1]} published set(s) of sector trade elasticities "
            f"({', '.join(el.columns)}): no spread to draw the multi-sector model's parameter draws from; use a table "
            "with several (icio2022, wiod2011) or draws = 0",
            field="io_table",
        )
    logs = np.log(el.to_numpy(dtype=float))  # (J, K)
    log_sd = logs.std(axis=1, ddof=1)
    dev = logs - logs.mean(axis=1, keepdims=True)
    varying = log_sd > 0
    rho = 0.0
    if varying.sum() > 1:
        c = np.corrcoef(dev[varying])
        m = c.shape[0]
        rho = max(0.0, float((c.sum() - m) / (m * (m - 1))))
    median = el[key].to_numpy(dtype=float)
    for a in (median, log_sd):
        a.setflags(write=False)
    return ThetaDistribution(
        table=table,
        central=key,
        sectors=tuple(str(s) for s in el.index),
        median=median,
        log_sd=log_sd,
        rho=rho,
        sets=tuple(el.columns),
    )


def factors_of(row: Mapping[str, Any] | pd.Series) -> list[float] | None:
    """The sector trade-elasticity factors of one row of parameter draws, a table row or a mapping
    (None when it has none)."""
    cols = [c for c in row.keys() if isinstance(c, str) and c.startswith(THETA_FACTOR)]
    return [float(row[c]) for c in cols] if cols else None
