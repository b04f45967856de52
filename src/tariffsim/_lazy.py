"""pandas, imported when first used (ground floor: imported by anyone).

``from .._lazy import pd`` gives every module the name ``pd``; the first attribute read
(``pd.DataFrame``, ``pd.read_csv``, ...) imports pandas and hands over the real object, so
``isinstance(x, pd.DataFrame)`` and everything else behave as with ``import pandas as pd``. A run's
JSON (``tariffsim run mex25 --json``) needs no pandas at all: its inputs are read with the standard
library and numpy, and its tables are made only when asked for. Importing pandas takes about 0.2 s,
a quarter of such a run. For the type checker ``pd`` is pandas itself.

tests/test_structure.py checks that no module imports pandas but this one (type-only imports aside).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["pd", "LazyModule"]


class LazyModule:
    """A stand-in for the module ``name`` that imports it on the first attribute read."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)  # thread-safe: the import lock
        return getattr(module, attr)

    def __dir__(self) -> list[str]:
        return dir(importlib.import_module(self._name))

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not yet imported"
        return f"<module {self._name!r} ({state}; imported on first use)>"


if TYPE_CHECKING:
    import pandas as pd
else:
    pd = LazyModule("pandas")
