"""tariffsim: what does this tariff do?

Trade, price, revenue, welfare, GDP and recession-risk effects of tariff schedules on real
bilateral trade data, under elasticity scenarios; tables and figures for reports.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tariffsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

from .datasets import (
    TradeData,
    available_datasets,
    load_dataset,
    read_baci,
    read_gdp_csv,
    read_long_csv,
    read_mapping_csv,
    read_matrix_csv,
)
from .errors import (
    ConvergenceError,
    CountryCodeError,
    DataError,
    OutputExistsError,
    ScenarioError,
    TariffSimError,
)
from .solvers import SolverInfo

__all__ = [
    "__version__",
    "TradeData",
    "available_datasets",
    "load_dataset",
    "read_baci",
    "read_gdp_csv",
    "read_long_csv",
    "read_mapping_csv",
    "read_matrix_csv",
    "ConvergenceError",
    "CountryCodeError",
    "DataError",
    "OutputExistsError",
    "ScenarioError",
    "TariffSimError",
    "SolverInfo",
]
