"""Convergence facts shared by every solver in the package."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ._util import ShortRepr

__all__ = ["SolverInfo"]


@dataclass(frozen=True, repr=False)
class SolverInfo(ShortRepr):
    """What a solver did: method, whether it converged, iterations, final residual (max-abs), seconds."""

    method: str
    converged: bool
    iterations: int
    residual: float
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
