"""Published results that the replications are shown beside (``data/published/<study>.toml``, each
with its source). They are data, not test oracles: the tests keep their own copies and check that
these files agree with them."""

from __future__ import annotations

import functools
import tomllib
from typing import Any

from ..errors import DataError
from .datasets import data_file

__all__ = ["published_values"]


@functools.cache
def _read(study: str) -> dict[str, Any]:
    f = data_file("published", f"{study}.toml")
    if not f.is_file():
        raise DataError(f"no published values shipped for {study!r}", source="tariffsim:data/published")
    return tomllib.loads(f.read_text(encoding="utf-8"))


def published_values(study: str) -> dict[str, Any]:
    """The published values of ``study`` ('ilms2025', 'cp2015' or 'ifo2025', the multi-sector GE's
    comparison) as a fresh nested dict; key ``source`` names the paper and table."""
    return _copy(_read(study))


def _copy(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in d.items()}
