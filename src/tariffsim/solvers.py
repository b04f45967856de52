"""Convergence facts shared by every solver in the package."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["SolverInfo"]


@dataclass(frozen=True)
class SolverInfo:
    """What a solver did: method, whether it converged, iterations, final residual (max-abs), seconds."""

    method: str
    converged: bool
    iterations: int
    residual: float
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)
