"""The numbers the README quotes are what the code produces: the seed-question tables are
computed by scripts/readme_numbers.py and must stand in README.md exactly as it prints them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tariffsim.engine.result_cache import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _numbers_module():
    spec = importlib.util.spec_from_file_location("readme_numbers", ROOT / "scripts" / "readme_numbers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_readme_seed_tables_are_what_the_code_computes(readme_runs, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(readme_runs))  # the README's blocks read these runs back
    mod = _numbers_module()
    expected = mod.block()
    a, b = README.index(mod.START), README.index(mod.END) + len(mod.END)
    assert README[a:b] == expected, "README is stale: run python scripts/readme_numbers.py --write"


def test_prose_numbers_match_the_table():
    """The first-year average and the four-quarter level quoted in the prose are the table's."""
    mod = _numbers_module()
    table = README[README.index(mod.START) : README.index(mod.END)]
    first_m = re.search(r"\*\*Mexico's GDP, first-year average\*\* \([^)]*\) \| \*\*(−?\d+\.\d+) %", table)
    four_m = re.search(r"Mexico's GDP level after four quarters \([^)]*\) \| (−?\d+\.\d+) %", table)
    assert first_m and four_m, "the README table lost its headline rows"
    first, four = first_m.group(1), four_m.group(1)
    for printed in (first, four):
        one_decimal = f"({float(printed.replace('−', '-')):.1f} %)".replace("-", "−")
        assert one_decimal in README, one_decimal
