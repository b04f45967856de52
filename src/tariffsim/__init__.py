"""tariffsim: what does this tariff do?

Trade, price, revenue, welfare, GDP and recession-risk effects of tariff schedules on real
bilateral trade data, under elasticity scenarios; tables and figures for reports.

The public names below are imported lazily (PEP 562), so ``import tariffsim`` and the command
line start fast; ``tariffsim.simulate`` etc. load their module on first use.
"""

from __future__ import annotations

import importlib as _importlib
from typing import Any as _Any

from ._version import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # data
    "TradeData": "inputs.datasets",
    "available_datasets": "inputs.datasets",
    "load_dataset": "inputs.datasets",
    "read_baci": "inputs.loaders",
    "read_gdp_csv": "inputs.loaders",
    "read_long_csv": "inputs.loaders",
    "read_mapping_csv": "inputs.loaders",
    "read_matrix_csv": "inputs.loaders",
    # scenarios and elasticities
    "Scenario": "inputs.scenario",
    "TariffMeasure": "inputs.measures",
    "load_scenario": "inputs.scenario",
    "builtin_scenarios": "inputs.scenario",
    "ElasticitySet": "inputs.elasticities",
    "available_sets": "inputs.elasticities",
    "get_set": "inputs.elasticities",
    # the one call and its result
    "simulate": "engine.simulation",
    "Result": "engine.results",
    "TradeOutcome": "engine.trade",
    # models
    "solve_pe": "models.pe",
    "PEOutcome": "models.pe",
    "GEParams": "models.ge",
    "GEBaseline": "models.ge",
    "GESolution": "models.ge",
    "build_baseline": "models.ge",
    "calibrate_nu_two_region": "models.ge",
    "solve_ge": "models.ge",
    "replicate_ilms2025": "replication.ilms2025",
    "ReplicationResult": "replication.ilms2025",
    "ILMS_CASES": "replication.ilms2025",
    "replicate_cp2015": "replication.cp2015",
    # macro and recession risk
    "MacroOutcome": "engine.macro",
    "read_quarterly_gdp": "inputs.calibrations",
    "calibrate_ar1": "models.ar1_fit",
    "calibrate_file": "inputs.calibration_fit",
    "run_calibration": "inputs.calibration_fit",
    "default_calibration": "inputs.calibrations",
    "simulate_recession_risk": "models.recession",
    "AR1Calibration": "inputs.calibrations",
    "RecessionRisk": "models.recession",
    # back-tests and the policy as it was
    "backtest": "engine.backtest",
    "BacktestResult": "engine.backtest",
    "load_product_groups": "inputs.policy",
    "load_tariff_panel": "inputs.policy",
    # sweeps and sensitivities
    "sweep": "engine.uncertainty",
    "elasticity_grid": "engine.uncertainty",
    "tornado": "engine.uncertainty",
    # reports
    "write_report": "outputs.report",
    "write_sweep": "outputs.report",
    "compare": "outputs.comparison",
    "write_compare": "outputs.comparison",
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


def __getattr__(name: str) -> _Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'tariffsim' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{mod}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names (and the module's dunder attributes), not its own helpers."""
    return sorted({n for n in globals() if n.startswith("__")} | set(__all__))
