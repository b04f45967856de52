#!/usr/bin/env python3
"""The project's two entry points, for a fresh machine with only Python 3.11+.

    python3 scripts/dev.py report   # set up .venv, write the default Mexico report to reports/mex25
    python3 scripts/dev.py test     # set up .venv with test extras, run the whole test suite
    python3 scripts/dev.py notebooks  # set up .venv with the notebooks extra, start JupyterLab on notebooks/

Each sets up what it needs (a local virtual environment in .venv, the package installed in it)
and is safe to rerun: the install step is skipped while pyproject.toml is unchanged.
Extra arguments after the command are passed on (to pytest, or to `tariffsim report`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(cmd: list[str], **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs under whatever python3 the machine has
        sys.exit(f"tariffsim needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating virtual environment {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".tariffsim-installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    spec = f".[{extras}]" if extras else "."
    if _run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"]) != 0:
        sys.exit("pip upgrade failed")
    if _run([PY, "-m", "pip", "install", "--quiet", "-e", spec]) != 0:
        sys.exit("installing tariffsim failed")
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("report", "test", "notebooks"):
        print(__doc__)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "notebooks":
        ensure_venv("notebooks")
        return _run([BIN / "jupyter", "lab", "notebooks", *rest])
    if cmd == "test":
        ensure_venv("test")
        paths = ["src", "tests", "benchmarks", "scripts", "data/build"]
        for name, check in (
            ("ruff check", [PY, "-m", "ruff", "check", *paths]),
            ("ruff format --check", [PY, "-m", "ruff", "format", "--check", *paths]),
            ("mypy", [PY, "-m", "mypy", "src/tariffsim"]),
        ):
            if _run(check) != 0:
                print(f"dev.py test: {name} failed; fix it before the tests run", file=sys.stderr)
                return 1
        # the suite on every core, a file's tests on one worker (tests/conftest.py groups them);
        # `-n 0` after the command runs it in one process
        return _run([PY, "-m", "pytest", "-n", "auto", "--dist", "loadgroup", *rest])
    ensure_venv("")
    return _run([BIN / "tariffsim", "report", "mex25", "--out", "reports/mex25", "--force", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
