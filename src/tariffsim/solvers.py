"""Convergence facts shared by every solver in the package, and the LAPACK routines they load on first use."""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from ._util import ShortRepr

__all__ = ["SolverInfo", "lapack"]


@cache
def lapack(name: str) -> Any:
    """The LAPACK routine ``name`` of :mod:`scipy.linalg.lapack` (``"dgetrf"``, ...), imported on first use.

    Importing scipy.linalg takes about 0.15 s, a quarter of a one-scenario run; the solves of a default
    run (the PE Newton, the batched one-sector GE) need no LU factorisation, so the solvers that do
    (the one-case GE, the multi-sector GE) fetch their routines here when they first factorise. The
    only import of a third-party module that is not at the top of its file (tests/test_structure.py).
    """
    return getattr(importlib.import_module("scipy.linalg.lapack"), name)


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
