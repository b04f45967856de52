"""Small helpers shared by the modules."""

from __future__ import annotations

import numpy as np


def readonly(a) -> np.ndarray:
    """A float copy of ``a`` that cannot be written to (results and data are immutable)."""
    out = np.array(a, dtype=float, copy=True)
    out.setflags(write=False)
    return out
