"""The wheel carries the data: build it, install it (non-editable) in a fresh venv, load from there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_and_loads_default_dataset(tmp_path):
    wheels = tmp_path / "wheels"
    # build from a clean copy of the source, so stale build/ folders of the working tree cannot leak in
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".venv",
            "build",
            "dist",
            ".git",
            "reports",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".hypothesis",
            "notebooks",
        ),
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(src)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("tariffsim-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = bindir / "python"
    # dependencies come from this interpreter's site-packages (appended after the venv's own, so the
    # freshly installed wheel wins; the editable install's .pth hooks there are not processed)
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_deps_from_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [py, "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], check=True, capture_output=True
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}

    def run(*cmd):
        return subprocess.run(list(cmd), check=True, capture_output=True, text=True, cwd=work, env=env)

    code = (
        "import tariffsim, json; d = tariffsim.load_dataset(); f = d.flows();"
        "m = f[(f.exporter=='MEX')&(f.importer=='USA')].value_usd.sum();"
        "print(json.dumps({'file': tariffsim.__file__, 'mex_usa': m, 'n': len(f)}))"
    )
    out = json.loads(run(str(py), "-c", code).stdout)
    assert Path(out["file"]).is_relative_to(env_dir), out["file"]  # the wheel, not the source tree
    assert abs(out["mex_usa"] / 1e9 - 503.4) < 0.05  # US Census 2024: imports from Mexico 503.4 bn USD
    assert "usage: tariffsim" in run(str(bindir / "tariffsim"), "--help").stdout
    info = json.loads(run(str(bindir / "tariffsim"), "data", "info", "--json").stdout)
    assert info["countries"][1] == "MEX"
    # built-in scenarios, elasticity sets and the recession calibration ship inside the wheel too
    assert "mex25-usmca" in run(str(bindir / "tariffsim"), "scenarios").stdout
    j = json.loads(run(str(bindir / "tariffsim"), "run", "mex25", "--json", "--draws", "5", "--paths", "2000").stdout)
    assert j["scenario"] == "mex25" and j["gdp_impact_pct"] < 0 and j["recession_probability"] is not None
