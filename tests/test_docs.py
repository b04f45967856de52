"""The documentation in docs/: it builds without a warning, its generated pages cover the code,
and every code name and docs path it or the docstrings mention exists.

The build runs Sphinx in a subprocess (the pytest warning filters must not leak into Sphinx's
own imports) into a temporary folder, with warnings as errors (``-W --keep-going``).
"""

from __future__ import annotations

import html
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tariffsim

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MODEL_PAGES = ("pe", "macro", "recession", "ge", "ge_io", "elasticities")
#: A dotted name in backquotes, as the "Where in the code" sections write them.
CODE_NAME = re.compile(r"`(tariffsim(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")
DOCS_PATH = re.compile(r"docs/[A-Za-z0-9_/.-]+?\.md")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    out = tmp_path_factory.mktemp("docs-html")
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    cmd += ["-d", str(out / ".doctrees"), str(DOCS), str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, f"sphinx failed:\n{proc.stdout}\n{proc.stderr}"
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    return out


def _page(built: Path, name: str) -> str:
    f = built / f"{name}.html"
    assert f.is_file(), f"{name}.html was not built"
    return html.unescape(f.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_model_pages_carry_their_equations(built: Path) -> None:
    pages = {n: _page(built, f"models/{n}") for n in MODEL_PAGES}
    # PE: CES price index, supply-price equation and the exact decomposition
    assert r"\hat P_{ms} = \Big[\sum_k \theta_{kms}" in pages["pe"]
    assert r"\hat w_{ks}^{\,\varepsilon^x_s} = \sum_m \omega_{kms}" in pages["pe"]
    assert "trade diversion" in pages["pe"]
    # macro: the two horizons, the blend weight and the path
    assert r"b(q) = \min" in pages["macro"]
    assert r"b(q)\,G" in pages["macro"]
    assert "value added at risk" in pages["macro"].lower()
    # recession: Student-t AR(1) and the headline change with its standard error
    assert r"e_t \sim t_\nu" in pages["recession"]
    assert r"\Delta P = \Pr" in pages["recession"]
    # one-sector GE: ILMS pass-through term and the Armington full-employment long run
    assert r"\varphi_i = 1 + \frac{1+\theta}{(1-\nu_i)\,\theta}" in pages["ge"]
    assert r"\psi = 0,\qquad \varphi_i = 1,\qquad \kappa = 0" in pages["ge"]
    # Caliendo-Parro: sector price index and the published welfare numbers
    assert r"\hat P_{nj} &= \Big[\sum_i \pi_{nij}" in pages["ge_io"]
    assert "+1.31 %" in pages["ge_io"]
    # units: tariff-exclusive flows move with sigma, the trade elasticity is sigma - 1
    assert r"\varepsilon = \sigma - 1" in pages["elasticities"]
    for page in pages.values():
        assert "Where in the code" in page and "Sources" in page


@pytest.mark.slow
def test_generated_pages_cover_the_code(built: Path) -> None:
    from tariffsim.cli.parser import build_parser
    from tariffsim.inputs.assumptions import ASSUMPTIONS
    from tariffsim.inputs.elasticities import available_sets
    from tariffsim.inputs.measures import TariffMeasure
    from tariffsim.inputs.scenario import ELAST_KEYS, TOP_KEYS, UNC_KEYS

    scen = _page(built, "scenarios")
    for key in (*ASSUMPTIONS, *TOP_KEYS, *TariffMeasure.KEYS, *ELAST_KEYS, *UNC_KEYS):
        assert f">{key}<" in scen, f"scenario key {key!r} missing from the reference"
    for key, spec in ASSUMPTIONS.items():  # the registry's own text, so the table is the registry
        assert spec.description.split(";")[0][:40] in scen, key

    sets = _page(built, "models/elasticities")
    for name in available_sets():
        assert f"Set {name}" in sets

    cli = _page(built, "cli")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for cmd in sub.choices:
        assert f"tariffsim {cmd}" in cli, f"CLI command {cmd!r} missing"

    api = _page(built, "api")
    for name in tariffsim.__all__:
        if name != "__version__":
            assert f'id="tariffsim.{name}"' in api, f"public name {name!r} has no API entry"

    data = _page(built, "data")
    assert "Sources of the shipped data" in data


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):  # longest importable module, then attributes
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def test_code_names_in_the_docs_exist() -> None:
    names = set()
    for page in DOCS.rglob("*.md"):
        names |= set(CODE_NAME.findall(page.read_text(encoding="utf-8")))
    assert len(names) > 40  # the "Where in the code" sections are there
    missing = []
    for n in sorted(names):
        try:
            _resolve(n)
        except (ImportError, AttributeError):
            missing.append(n)
    assert not missing, f"the docs name code that does not exist: {missing}"


def test_docs_paths_cited_in_the_code_exist() -> None:
    cited = {}
    for f in [*(ROOT / "src" / "tariffsim").glob("*.py"), ROOT / "README.md"]:
        for p in DOCS_PATH.findall(f.read_text(encoding="utf-8")):
            cited.setdefault(p, f.name)
    assert cited, "no docstring points to docs/"
    missing = {p: f for p, f in cited.items() if not (ROOT / p).is_file()}
    assert not missing, f"cited docs pages that do not exist: {missing}"
    assert not any("MODELS.md section" in f.read_text(encoding="utf-8") for f in (ROOT / "src").rglob("*.py"))
