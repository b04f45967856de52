"""Small helpers the tests share."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

from tariffsim.cli.main import main
from tariffsim.inputs.scenario import Scenario


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
