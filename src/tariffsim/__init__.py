"""tariffsim: what does this tariff do?

Trade, price, revenue, welfare, GDP and recession-risk effects of tariff schedules on real
bilateral trade data, under elasticity scenarios; tables and figures for reports.

The public names below are imported lazily (PEP 562), so ``import tariffsim`` and the command
line start fast; ``tariffsim.simulate`` etc. load their module on first use.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("tariffsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # data
    "TradeData": "datasets",
    "available_datasets": "datasets",
    "load_dataset": "datasets",
    "read_baci": "loaders",
    "read_gdp_csv": "loaders",
    "read_long_csv": "loaders",
    "read_mapping_csv": "loaders",
    "read_matrix_csv": "loaders",
    # scenarios and elasticities
    "Scenario": "scenario",
    "TariffMeasure": "scenario",
    "load_scenario": "scenario",
    "builtin_scenarios": "scenario",
    "ElasticitySet": "elasticities",
    "available_sets": "elasticities",
    "get_set": "elasticities",
    # the one call and its result
    "simulate": "simulation",
    "Result": "results",
    "TradeOutcome": "trade",
    # models
    "solve_pe": "pe",
    "PEOutcome": "pe",
    "GEParams": "ge",
    "GEBaseline": "ge",
    "GESolution": "ge",
    "build_baseline": "ge",
    "calibrate_nu_two_region": "ge",
    "solve_ge": "ge",
    "replicate_ilms2025": "replicate",
    "ReplicationResult": "replicate",
    "ILMS_CASES": "replicate",
    "replicate_cp2015": "cp2015",
    # macro and recession risk
    "MacroOutcome": "macro",
    "read_quarterly_gdp": "calibration",
    "calibrate_ar1": "calibration",
    "calibrate_file": "calibration",
    "run_calibration": "calibration",
    "default_calibration": "calibration",
    "simulate_recession_risk": "recession",
    "AR1Calibration": "calibration",
    "RecessionRisk": "recession",
    # sweeps and sensitivities
    "sweep": "uncertainty",
    "elasticity_grid": "uncertainty",
    "tornado": "uncertainty",
    # reports
    "write_report": "report",
    "write_sweep": "report",
    "compare": "comparison",
    "write_compare": "comparison",
    # errors and solver facts
    "ConvergenceError": "errors",
    "CountryCodeError": "errors",
    "DataError": "errors",
    "OutputExistsError": "errors",
    "ScenarioError": "errors",
    "TariffSimError": "errors",
    "SolverInfo": "solvers",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'tariffsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
