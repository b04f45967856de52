"""Small helpers the tests share."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

from tariffsim.cli.main import main
from tariffsim.inputs.scenario import Scenario

#: The smallest valid scenario file (the hostile-input tests break it one field at a time).
GOOD_TOML = """name = "hostile"
country = "MEX"
[[tariffs]]
importer = "USA"
exporters = ["MEX"]
rate = 0.25
"""

#: A 25 % US tariff on all imports from Canada (a scenario file's text; tests add a [recession] table).
CAN_TARIFF = """
name = "can25"
description = "25 % US tariff on all imports from Canada"
country = "CAN"
phase_in = "2025Q2"
horizon = 12
[[tariffs]]
importer = "USA"
exporters = ["CAN"]
sectors = "all"
rate = 0.25
"""

#: The fields of a multi-sector run's row by sector (the bridge's rows, the calibration's sector table).
BY_SECTOR_KEYS = frozenset(
    {"region", "sector", "output_share", "output_change_pct", "value_added_change_pct", "exports_change_pct", "flagged"}
)


def variant(sc: Scenario, **fields: Any) -> Scenario:
    """A scenario with top-level fields replaced, validated as a file is (tests only: the library
    varies scenarios with ``Scenario.derive``)."""
    return Scenario.from_dict({**sc.to_dict(), **fields}, source=sc.source, base_dir=sc.base_dir)


def snapshot(root: Path) -> dict:
    """Every path below ``root`` with its mode, size and modification time (a folder left unchanged has
    the same snapshot)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            st_ = p.lstat()
            out[str(p.relative_to(root))] = (st_.st_mode, st_.st_size, st_.st_mtime_ns)
    return out


def run_cli(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """``tariffsim argv`` in this process, in ``cwd``: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()
