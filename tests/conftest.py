"""Shared test fixtures.

The raw public data live beside the project in ``../shared/data`` (see its README). Tests that
need them take the ``shared_data`` fixture and are skipped cleanly when the folder is absent.
``TARIFFSIM_SHARED_DATA`` may point elsewhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (CI must not depend on luck); set
# HYPOTHESIS_PROFILE=explore to search with fresh randomness.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
_CACHE_DIR: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """The suite's parsed-table caches (``read_cp2015``) go to a temporary folder, not the user's
    cache, for this process and the CLI subprocesses it starts; removed at the end."""
    global _CACHE_DIR
    # reports draw their figures in this process (the suite's workers already use every core); the helper
    # processes are tested where they are named (tests/test_figure_writer.py)
    os.environ.setdefault("TARIFFSIM_FIGURE_PROCESSES", "0")
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one pytest-xdist worker")
    if "TARIFFSIM_CACHE_DIR" not in os.environ:
        _CACHE_DIR = tempfile.mkdtemp(prefix="tariffsim-test-cache-")
        os.environ["TARIFFSIM_CACHE_DIR"] = _CACHE_DIR


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE_DIR is not None:
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)
        os.environ.pop("TARIFFSIM_CACHE_DIR", None)


# Under pytest-xdist (`scripts/dev.py test` runs `-n auto --dist loadgroup`) a file's tests stay on one
# worker, so its module- and session-scoped results are computed once; the README's seed tables and
# its blocks share one worker too (the blocks read back the runs the tables computed).
_SHARED_WORKER = {"test_readme.py": "readme", "test_readme_snippets.py": "readme"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        item.add_marker(pytest.mark.xdist_group(_SHARED_WORKER.get(name, name)))


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_data_dir() -> Path:
    env = os.environ.get("TARIFFSIM_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = shared_data_dir()
    if not d.is_dir():
        pytest.skip(f"raw data folder ../shared/data not found (looked in {d.name}); set TARIFFSIM_SHARED_DATA")
    return d


@pytest.fixture(scope="session")
def ilms_dir(shared_data: Path) -> Path:
    d = shared_data / "ilms2025"
    if not (d / "trade_cepii.csv").is_file():
        pytest.skip("../shared/data/ilms2025 not found")
    return d


@pytest.fixture()
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def readme_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of computed runs (tariffsim.engine.result_cache) for the session's README tests:
    the seed-number tables compute their runs once, and the README's blocks, in subprocesses, read
    back every run they share with them (tests/test_readme.py runs first)."""
    return tmp_path_factory.mktemp("readme-runs")
