"""Sphinx configuration of the tariffsim documentation.

Build (no network needed; MathJax is only referenced by the HTML pages):

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The package must be importable (an editable install, ``pip install -e .[docs]``): the scenario
reference, the elasticity sets, the command-line reference and the API pages are generated from
the code at build time (``docs/_ext/tariffsim_docs.py``), so they cannot drift from it.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import tariffsim  # noqa: E402

project = "tariffsim"
author = "tariffsim developers"
copyright = "tariffsim developers, MIT licence"  # noqa: A001
release = tariffsim.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "tariffsim_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "README.md"]

# MyST: $...$ and $$...$$ math, definition lists, ```{directive} blocks
myst_enable_extensions = ["dollarmath", "amsmath", "deflist", "colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# keep quotes and dashes as typed: the pages quote code, TOML and the registry's own text
smartquotes = False

html_theme = "alabaster"
html_title = f"tariffsim {release}"
html_static_path: list[str] = []
