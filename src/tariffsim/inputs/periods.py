"""Quarters: parsing 'YYYYQn' labels and counting quarters from a start."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

__all__ = ["QUARTER_RE", "quarter_index", "quarter_labels"]


QUARTER_RE = re.compile(r"^(\d{4})\s*Q([1-4])$", re.IGNORECASE)


def quarter_index(q: str) -> tuple[int, int]:
    m = QUARTER_RE.match(q)
    assert m is not None
    return int(m.group(1)), int(m.group(2))


def quarter_labels(start: str, n: int) -> list[str]:
    """n quarter labels from ``start`` ('2025Q2' -> '2025Q2', '2025Q3', ...)."""
    y, q = quarter_index(start)
    out = []
    for _ in range(n):
        out.append(f"{y}Q{q}")
        q += 1
        if q == 5:
            y, q = y + 1, 1
    return out
