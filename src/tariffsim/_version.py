"""The package's version (ground floor: imported by anyone).

The one place it is written: pyproject.toml reads it from here at build time (``[tool.setuptools.dynamic]``),
so the installed metadata and ``tariffsim.__version__`` cannot differ, and importing the package does not
read the installed metadata (``importlib.metadata`` costs about 20 ms at start-up).
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
