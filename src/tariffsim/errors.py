"""The package's own exceptions.

Every error a user can cause derives from :class:`TariffSimError`; the CLI turns these into one
line on stderr and exit code 2. Programming errors (bugs) are left as ordinary Python exceptions.
"""

from __future__ import annotations

__all__ = [
    "TariffSimError",
    "DataError",
    "CountryCodeError",
    "ScenarioError",
    "ConvergenceError",
    "OutputExistsError",
    "OutputPathError",
    "UsageError",
    "LimitError",
    "NumericalError",
]


class TariffSimError(Exception):
    """Base class of every error caused by user input or by a failed computation."""


class DataError(TariffSimError, ValueError):
    """A data file or array is malformed: bad values, shapes, duplicates, units, missing fields.

    ``source`` names the file (or "<array>"), ``location`` the row/column/field when known.
    """

    def __init__(self, message: str, *, source: str | None = None, location: str | None = None):
        self.message = message
        self.source = source
        self.location = location
        parts = []
        if source:
            parts.append(str(source))
        if location:
            parts.append(str(location))
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class CountryCodeError(DataError):
    """A country name or code is unknown or ambiguous."""


class ScenarioError(TariffSimError, ValueError):
    """A scenario (TOML file or Python structure) is invalid; ``field`` is the path, e.g. ``tariffs[2].rate``."""

    def __init__(self, message: str, *, source: str | None = None, field: str | None = None):
        self.source = source
        self.field = field
        parts = [p for p in (source, field) if p]
        prefix = ": ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ConvergenceError(TariffSimError, RuntimeError):
    """A solver did not converge. Carries the facts: iterations, residual, seconds, method."""

    def __init__(
        self, message: str, *, iterations: int, residual: float, seconds: float = float("nan"), method: str = ""
    ):
        self.iterations = int(iterations)
        self.residual = float(residual)
        self.seconds = float(seconds)
        self.method = method
        super().__init__(
            f"{message} (method={method or '?'}, iterations={self.iterations}, "
            f"residual={self.residual:.3e}, seconds={self.seconds:.3f})"
        )


class OutputExistsError(TariffSimError, FileExistsError):
    """An output folder or file exists and overwriting it was not requested."""


class OutputPathError(TariffSimError, ValueError):
    """An output path cannot be written: a folder where a file is expected, the working directory,
    a path under a file, a read-only or virtual file system (``/proc``), a full disk."""


class UsageError(TariffSimError, ValueError):
    """A command-line flag or argument is invalid (the message names the flag)."""


class LimitError(TariffSimError, ValueError):
    """A request exceeds a resource limit of :mod:`tariffsim.limits` (``field`` names the flag or field)."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


class NumericalError(TariffSimError, ArithmeticError):
    """A floating-point failure (numpy overflow, invalid value) caused by inputs out of the model's range."""
