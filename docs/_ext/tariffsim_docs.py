"""Sphinx extension of the tariffsim docs: pages generated from the code at build time.

Directives (usable in Markdown pages as ```` ```{name} ```` blocks and in reStructuredText):

``tariffsim-assumptions``
    The table of every scenario assumption from :data:`tariffsim.scenario.ASSUMPTIONS` (default,
    bounds, whether low/central/high or ``"data"`` is accepted, meaning, source).
``tariffsim-scenario-keys``
    The key lists the scenario parser accepts (``TOP_KEYS``, ``TariffMeasure.KEYS``,
    ``ELAST_KEYS``, ``UNC_KEYS``, ``DIST_PARAMS``), with an option ``:group:`` naming one of them.
``tariffsim-elasticity-sets``
    The shipped elasticity sets, read from ``data/elasticities/sets.toml`` through
    :func:`tariffsim.get_set`, with every value's source.
``tariffsim-cli``
    The command-line reference, walked from the argparse parser of
    :func:`tariffsim.cli.build_parser`.
``tariffsim-api``
    autodoc entries for every public name in ``tariffsim.__all__``, grouped by module
    (reStructuredText pages only, because autodoc emits reStructuredText).

Docstrings are written as plain text with reStructuredText literals; the few that are not valid
reStructuredText are shown verbatim (a literal block) instead of failing the ``-W`` build, and
the names are listed in ``app.env.tariffsim_verbatim_docstrings`` (printed at the end of a build).
"""

from __future__ import annotations

import argparse
import importlib
import io
import math
import os
import tomllib
from collections.abc import Iterable, Sequence
from typing import Any

from docutils import nodes  # type: ignore[import-untyped]
from docutils.frontend import get_default_settings  # type: ignore[import-untyped]
from docutils.parsers.rst import Parser, directives  # type: ignore[import-untyped]
from docutils.statemachine import StringList  # type: ignore[import-untyped]
from docutils.utils import new_document  # type: ignore[import-untyped]
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- node helpers


def _cell(value: Any, *, code: bool = False) -> nodes.entry:
    entry = nodes.entry()
    text = "" if value is None else str(value)
    para = nodes.paragraph()
    if text:
        para += nodes.literal(text, text) if code else nodes.Text(text)
    entry += para
    return entry


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, code_cols: Sequence[int] = (0,)) -> nodes.table:
    """A docutils table of plain-text cells (no markup is parsed, so no text can break the build)."""
    rows = list(rows)
    tab = nodes.table(classes=["tariffsim-table"])
    group = nodes.tgroup(cols=len(headers))
    tab += group
    for i, h in enumerate(headers):  # widths in proportion to the longest cell (capped), for all builders
        width = max([len(str(h))] + [len("" if r[i] is None else str(r[i])) for r in rows])
        group += nodes.colspec(colwidth=max(4, min(width, 50)))
    head = nodes.thead()
    hrow = nodes.row()
    for h in headers:
        hrow += _cell(h)
    head += hrow
    group += head
    body = nodes.tbody()
    for r in rows:
        row = nodes.row()
        for i, v in enumerate(r):
            row += _cell(v, code=i in code_cols)
        body += row
    group += body
    return tab


def _fmt(v: Any) -> str:
    """A value as it would be written in TOML."""
    from tariffsim.scenario import Range

    if isinstance(v, Range):
        v = v.to_dict()
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_fmt(x)}" for k, x in v.items()) + " }"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and math.isinf(v):
        return '"inf"'
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


# ----------------------------------------------------------------------------- scenario


class AssumptionsDirective(SphinxDirective):
    """The ASSUMPTIONS registry as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from tariffsim.scenario import ASSUMPTIONS

        rows = []
        for key, spec in ASSUMPTIONS.items():
            if isinstance(spec.lo, float) and math.isnan(spec.lo):
                bounds = "one of the words in 'meaning'"
            else:
                bounds = f"[{spec.lo:g}, {spec.hi:g}]"
            accepts = ["number"]
            if spec.ranged:
                accepts.append("{low, central, high}")
            if spec.allow_data:
                accepts.append('"data"')
            if bounds.startswith("one of"):
                accepts = ["string"]
            rows.append((key, _fmt(spec.default), bounds, " or ".join(accepts), spec.description, spec.source))
        self.env.note_dependency(str(importlib.import_module("tariffsim.scenario").__file__))
        return [
            table(
                ("key", "default", "bounds", "accepts", "meaning", "source of the default"),
                rows,
                code_cols=(0, 1),
            )
        ]


def _scenario_groups() -> dict[str, tuple[str, tuple[str, ...]]]:
    sc = importlib.import_module("tariffsim.scenario")
    return {
        "top": ("top-level keys (TOP_KEYS)", tuple(sc.TOP_KEYS)),
        "measure": (
            "keys of a [[tariffs]] or [[retaliation]] table (TariffMeasure.KEYS)",
            tuple(sc.TariffMeasure.KEYS),
        ),
        "elasticities": ("keys of [elasticities] (ELAST_KEYS)", tuple(sc.ELAST_KEYS)),
        "uncertainty": ("keys of [uncertainty] (UNC_KEYS)", tuple(sc.UNC_KEYS)),
        "distributions": ("parameters that take a distribution (DIST_PARAMS)", tuple(sc.DIST_PARAMS)),
    }


class ScenarioKeysDirective(SphinxDirective):
    """One key list of the scenario parser, as an inline list of literals."""

    has_content = False
    option_spec = {"group": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        groups = _scenario_groups()
        g = self.options.get("group", "top")
        if g not in groups:
            raise self.error(f"unknown group {g!r}; expected one of {', '.join(groups)}")
        what, keys = groups[g]
        para = nodes.paragraph()
        para += nodes.Text(f"Accepted {what}: ")
        for i, k in enumerate(keys):
            if i:
                para += nodes.Text(", ")
            para += nodes.literal(k, k)
        para += nodes.Text(". Any other key is an error naming the file and the field.")
        return [para]


# ----------------------------------------------------------------------------- elasticities


def _value_text(v: Any) -> str:
    if isinstance(v, dict):
        vals = [x for k, x in v.items() if k != "default" and isinstance(x, int | float)]
        d = v.get("default")
        if not vals:
            return _fmt(v)
        tail = f", default {_fmt(d)}" if d is not None else ""
        return f"sector table ({len(vals)} sectors, {min(vals):g} to {max(vals):g}{tail})"
    return _fmt(v).strip('"')


class ElasticitySetsDirective(SphinxDirective):
    """Every shipped elasticity set with its values and their sources, as the data file states them."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from tariffsim.elasticities import available_sets, get_set

        sets_file = importlib.import_module("tariffsim.datasets").data_file("elasticities", "sets.toml")
        self.env.note_dependency(str(sets_file))
        raw = tomllib.loads(sets_file.read_text(encoding="utf-8"))["sets"]
        summary_rows = []
        detail: list[nodes.Node] = []
        for name in available_sets():
            es = get_set(name)  # validates the set as the package reads it
            spec = raw[name]
            summary_rows.append((name, spec.get("description", "")))
            sources = spec.get("sources", {})
            rows = []
            for k, v in spec.items():
                if k in ("description", "sources"):
                    continue
                if isinstance(v, str) and v.startswith("table:"):
                    v = getattr(es, k, v)
                rows.append((k, _value_text(v), sources.get(k, "")))
            detail += [nodes.rubric(text=f"Set {name}"), table(("quantity", "value", "source"), rows)]
        return [table(("set", "description"), summary_rows), *detail]


# ----------------------------------------------------------------------------- command line


def _metavar(act: argparse.Action, fallback: str) -> str:
    m = act.metavar
    return " ".join(m) if isinstance(m, tuple) else (m or fallback)


def _action_rows(parser: argparse.ArgumentParser) -> list[tuple[str, str, str, str]]:
    rows = []
    for act in parser._actions:  # argparse has no public walk of a parser's arguments
        if isinstance(act, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if act.option_strings:
            name = ", ".join(act.option_strings)
            if act.nargs != 0:
                name += " " + _metavar(act, act.dest.upper())
        else:
            name = _metavar(act, act.dest)
        default = "" if act.default in (None, argparse.SUPPRESS, False) or act.nargs == 0 else _fmt(act.default)
        choices = ", ".join(str(c) for c in act.choices) if act.choices else ""
        help_text = (act.help or "") % {"default": act.default, "prog": parser.prog} if act.help else ""
        rows.append((name, help_text, default, choices))
    return rows


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    out = []
    for act in parser._actions:
        if isinstance(act, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in act._choices_actions}
            for name, sub in act.choices.items():
                out.append((name, helps.get(name, ""), sub))
    return out


class CLIDirective(SphinxDirective):
    """Sections for the program and each (sub)command of the CLI parser."""

    has_content = False

    def _section(self, title: str, help_text: str, parser: argparse.ArgumentParser, level_ids: str) -> nodes.section:
        sec = nodes.section(ids=[nodes.make_id(f"cli-{level_ids}")])
        sec += nodes.title(text=title)
        if help_text:
            sec += nodes.paragraph(text=help_text[0].upper() + help_text[1:] + ".")
        usage = parser.format_usage().strip()
        sec += nodes.literal_block(usage, usage, language="text")
        rows = _action_rows(parser)
        if rows:
            sec += table(("argument", "meaning", "default", "choices"), rows, code_cols=(0, 2))
        for name, sub_help, sub in _subcommands(parser):
            sec += self._section(f"{title} {name}", sub_help, sub, f"{level_ids}-{name}")
        return sec

    def run(self) -> list[nodes.Node]:
        cli = importlib.import_module("tariffsim.cli")
        self.env.note_dependency(str(cli.__file__))
        old = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "100"  # usage lines wrap at the terminal width; fix it for the docs
        try:
            parser = cli.build_parser()
            top = nodes.container()
            if parser.description:
                top += nodes.paragraph(text=parser.description)
            usage = parser.format_usage().strip()
            top += nodes.literal_block(usage, usage, language="text")
            top += table(("argument", "meaning", "default", "choices"), _action_rows(parser), code_cols=(0, 2))
            secs = [self._section(f"{parser.prog} {n}", h, s, n) for n, h, s in _subcommands(parser)]
        finally:
            if old is None:
                os.environ.pop("COLUMNS", None)
            else:
                os.environ["COLUMNS"] = old
        for s in secs:
            self.state.document.note_implicit_target(s)
        return [top, *secs]


# ----------------------------------------------------------------------------- API


class APIDirective(SphinxDirective):
    """autodoc entries for ``tariffsim.__all__``, one rubric per defining module."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        import tariffsim

        groups: dict[str, list[str]] = {}
        for name in tariffsim.__all__:
            if name == "__version__":
                continue
            obj = getattr(tariffsim, name)
            mod = getattr(obj, "__module__", None)
            if not isinstance(mod, str) or not mod.startswith("tariffsim"):
                mod = "data"
            groups.setdefault(mod, []).append(name)
        lines: list[str] = []
        for mod, names in groups.items():
            title = f"Defined in ``{mod}``" if mod != "data" else "Constants"
            lines += [f".. rubric:: {title}", ""]
            for name in names:
                obj = getattr(tariffsim, name)
                if isinstance(obj, type):
                    lines += [f".. autoclass:: tariffsim.{name}", "   :members:", ""]
                elif callable(obj):
                    lines += [f".. autofunction:: tariffsim.{name}", ""]
                else:
                    lines += [f".. py:data:: tariffsim.{name}", "", f"   {_data_summary(obj)}", ""]
        node = nodes.container()
        self.state.nested_parse(StringList(lines, source="tariffsim-api"), self.content_offset, node)
        return node.children


def _data_summary(obj: Any) -> str:
    if isinstance(obj, dict):
        keys = ", ".join(f"``{k}``" for k in obj)
        return f"A mapping with the keys {keys}."
    return f"A value of type ``{type(obj).__name__}``."


# ----------------------------------------------------------------------------- safe docstrings


def _rst_is_clean(text: str, app: Sphinx) -> bool:
    """Whether ``text`` parses as reStructuredText without a warning or error."""
    settings = get_default_settings(Parser)
    settings.report_level = 5
    settings.halt_level = 5
    settings.warning_stream = io.StringIO()
    settings.env = app.env
    doc = new_document("<docstring>", settings)
    problems: list[int] = []
    doc.reporter.attach_observer(lambda msg: problems.append(msg["level"]) if msg["level"] >= 2 else None)
    try:
        Parser().parse(text, doc)
    except Exception:  # a directive that needs more context than a bare parse gives: keep it verbatim
        return False
    if problems:
        return False
    # references resolved by later transforms (whose errors a bare parse does not raise)
    if next(iter(doc.findall(nodes.substitution_reference)), None) is not None:
        return False
    if any(ref.get("refname") and ref["refname"] not in doc.nameids for ref in doc.findall(nodes.reference)):
        return False
    return next(iter(doc.findall(nodes.footnote_reference)), None) is None


def _verbatim_if_invalid(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    if not lines or _rst_is_clean("\n".join(lines), app):
        return
    body = [f"   {ln}" if ln.strip() else "" for ln in lines]
    lines[:] = [".. code-block:: text", "", *body, ""]
    app.env.tariffsim_verbatim_docstrings.add(name)  # type: ignore[attr-defined]


def _init_env(app: Sphinx, env: Any, docnames: Any) -> None:
    env.tariffsim_verbatim_docstrings = set()


def _report(app: Sphinx, exc: BaseException | None) -> None:
    names = sorted(getattr(app.env, "tariffsim_verbatim_docstrings", ()))
    if names and exc is None:
        log.info("docstrings shown verbatim (not valid reStructuredText): %s", ", ".join(names))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("tariffsim-assumptions", AssumptionsDirective)
    app.add_directive("tariffsim-scenario-keys", ScenarioKeysDirective)
    app.add_directive("tariffsim-elasticity-sets", ElasticitySetsDirective)
    app.add_directive("tariffsim-cli", CLIDirective)
    app.add_directive("tariffsim-api", APIDirective)
    app.connect("env-before-read-docs", _init_env)
    # after napoleon (priority 500) so that numpy-style sections are converted first
    app.connect("autodoc-process-docstring", _verbatim_if_invalid, priority=900)
    app.connect("build-finished", _report)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
