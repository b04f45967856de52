"""Every ```python and ```bash block of README.md runs as shown, from a temporary copy of the
project's README and test fixtures (so no file the README names may be missing), with the
installed package and ``../shared`` beside the copy when it exists. Blocks that read
``../shared/data`` skip cleanly without it. A block preceded by
``<!-- readme-test: skip (REASON) -->`` is not run (the quick start, which sets up a virtual
environment and runs the whole suite, and the JupyterLab launcher); the test checks those are the
only ones. The ```toml scenario example is validated with ``tariffsim validate``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tariffsim.engine.result_cache import CACHE_ENV

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SHARED = ROOT.parent / "shared"

_BLOCK = re.compile(r"(?P<before>[^\n]*)\n```(?P<lang>[a-z]*)\n(?P<body>.*?)\n```", re.DOTALL)
_SKIP = re.compile(r"<!--\s*readme-test:\s*skip\s*\((?P<why>[^)]+)\)\s*-->")


def blocks() -> list[dict]:
    out = []
    counts: dict[str, int] = {}
    for m in _BLOCK.finditer(README):
        lang = m.group("lang")
        counts[lang] = counts.get(lang, 0) + 1
        skip = _SKIP.search(m.group("before"))
        out.append(
            {
                "id": f"{lang or 'plain'}-{counts[lang]}",
                "lang": lang,
                "body": m.group("body"),
                "skip": skip.group("why") if skip else None,
                "line": README[: m.start("body")].count("\n") + 1,
            }
        )
    return out


BLOCKS = blocks()
RUN = [b for b in BLOCKS if b["lang"] in ("python", "bash") and not b["skip"]]


def test_the_readme_has_runnable_blocks():
    langs = [b["lang"] for b in RUN]
    assert langs.count("python") >= 2 and langs.count("bash") >= 2
    # shell commands are in ```bash blocks, so that they are run here
    assert not [b["id"] for b in BLOCKS if b["lang"] == "" and "tariffsim " in b["body"]]


def test_only_the_setup_blocks_are_skipped():
    skipped = [b for b in BLOCKS if b["skip"]]
    assert all(b["skip"].strip() for b in skipped)
    assert len(skipped) == 2
    assert any("scripts/dev.py report" in b["body"] for b in skipped)
    assert any("jupyter lab" in b["body"] for b in skipped)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A clean copy: the README and the test fixtures it names, ../shared beside it if present."""
    base = tmp_path_factory.mktemp("clean")
    proj = base / "tariffsim"
    proj.mkdir()
    shutil.copy(ROOT / "README.md", proj / "README.md")
    shutil.copytree(ROOT / "tests" / "fixtures", proj / "tests" / "fixtures")
    if SHARED.is_dir():
        (base / "shared").symlink_to(SHARED, target_is_directory=True)
    return proj


def _env(home: Path, runs: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MPL"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    env["HOME"] = str(home)
    env["MPLCONFIGDIR"] = str(home / ".mpl")
    env[CACHE_ENV] = str(runs)  # the runs test_readme.py computed (tests/conftest.py readme_runs)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("block", RUN, ids=[b["id"] for b in RUN])
def test_readme_block_runs(block, project, tmp_path, readme_runs):
    if "../shared/data" in block["body"] and not (project.parent / "shared" / "data").is_dir():
        pytest.skip("needs ../shared/data beside the project")
    script = tmp_path / ("snippet.py" if block["lang"] == "python" else "snippet.sh")
    script.write_text(block["body"] + "\n", encoding="utf-8")
    cmd = [sys.executable, str(script)] if block["lang"] == "python" else ["bash", "-e", "-o", "pipefail", str(script)]
    proc = subprocess.run(
        cmd,
        cwd=project,
        env=_env(tmp_path, readme_runs),
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    where = f"README.md line {block['line']} ({block['id']})"
    assert proc.returncode == 0, f"{where} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    assert "Traceback" not in proc.stderr, f"{where}:\n{proc.stderr[-4000:]}"


@pytest.mark.parametrize("block", [b for b in BLOCKS if b["lang"] == "toml"], ids=lambda b: b["id"])
def test_readme_scenario_example_validates(block, tmp_path):
    from tariffsim.cli.main import main

    path = tmp_path / "my-case.toml"
    path.write_text(block["body"] + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
