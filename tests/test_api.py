"""The public API is curated in tariffsim.__init__ and must not drift."""

from __future__ import annotations

import subprocess
import sys

import tariffsim

EXPECTED = {
    "__version__",
    # data
    "TradeData",
    "available_datasets",
    "load_dataset",
    "read_baci",
    "read_gdp_csv",
    "read_long_csv",
    "read_mapping_csv",
    "read_matrix_csv",
    # scenarios and elasticities
    "Scenario",
    "TariffMeasure",
    "load_scenario",
    "builtin_scenarios",
    "ElasticitySet",
    "available_sets",
    "get_set",
    # one call, its result and the trade-model contract
    "simulate",
    "Result",
    "TradeOutcome",
    # models
    "solve_pe",
    "PEOutcome",
    "GEParams",
    "GEBaseline",
    "GESolution",
    "build_baseline",
    "calibrate_nu_two_region",
    "solve_ge",
    "replicate_ilms2025",
    "ReplicationResult",
    "ILMS_CASES",
    "replicate_cp2015",
    # macro and recession
    "MacroOutcome",
    "read_quarterly_gdp",
    "calibrate_ar1",
    "calibrate_file",
    "run_calibration",
    "default_calibration",
    "simulate_recession_risk",
    "AR1Calibration",
    "RecessionRisk",
    # back-tests and the policy as it was
    "backtest",
    "BacktestResult",
    "load_product_groups",
    "load_tariff_panel",
    # sweeps and reports
    "sweep",
    "elasticity_grid",
    "tornado",
    "write_report",
    "write_sweep",
    "compare",
    "write_compare",
    # errors
    "ConvergenceError",
    "CountryCodeError",
    "DataError",
    "OutputExistsError",
    "ScenarioError",
    "TariffSimError",
    "SolverInfo",
}


def test_all_is_the_curated_list():
    assert set(tariffsim.__all__) == EXPECTED


def test_every_public_name_resolves():
    for name in tariffsim.__all__:
        assert getattr(tariffsim, name) is not None, name


def test_errors_share_one_base():
    for name in ("ConvergenceError", "CountryCodeError", "DataError", "OutputExistsError", "ScenarioError"):
        assert issubclass(getattr(tariffsim, name), tariffsim.TariffSimError)


def test_cli_help_does_not_import_heavy_modules():
    code = (
        "import sys; from tariffsim.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('scipy', 'matplotlib', 'pandas') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "usage: tariffsim" in out
    assert out.strip().splitlines()[-1] == "HEAVY=", out


def test_simulate_is_the_function_even_after_its_module_is_imported():
    import importlib

    for mod in ("engine.simulation", "engine.uncertainty", "cli.main", "engine.results"):
        importlib.import_module(f"tariffsim.{mod}")
    assert callable(tariffsim.simulate) and tariffsim.simulate.__name__ == "simulate"


def test_every_module_all_resolves():
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(tariffsim.__path__, "tariffsim."):
        mod = info.name.removeprefix("tariffsim.")
        m = importlib.import_module(f"tariffsim.{mod}")
        missing = [n for n in getattr(m, "__all__", []) if not hasattr(m, n)]
        assert not missing, (mod, missing)


def test_version_is_the_installed_metadata():
    """pyproject.toml reads the version from tariffsim/_version.py, so the two agree (one source)."""
    from importlib.metadata import version

    assert tariffsim.__version__ == version("tariffsim")


def test_the_lazy_pandas_handle_is_pandas_once_used():
    """tariffsim._lazy.pd imports pandas on first use and then is pandas: its classes, functions
    and version; a run records the installed version without importing it (tested equal)."""
    import pandas

    from tariffsim._lazy import LazyModule, pd
    from tariffsim.engine import simulation

    assert pd.DataFrame is pandas.DataFrame and pd.read_csv is pandas.read_csv
    assert isinstance(pd.DataFrame({"a": [1]}), pandas.DataFrame)
    assert "imported" in repr(pd) and "DataFrame" in dir(pd)
    assert simulation._pandas_version() == pandas.__version__
    fresh = LazyModule("json")
    assert "not yet imported" in repr(fresh) and fresh.dumps([1]) == "[1]"
