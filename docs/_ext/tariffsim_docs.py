"""Sphinx extension of the tariffsim docs: pages generated from the code at build time.

Directives (usable in Markdown pages as ```` ```{name} ```` blocks and in reStructuredText):

``tariffsim-assumptions``
    The table of every scenario assumption from :data:`tariffsim.inputs.assumptions.ASSUMPTIONS` (default,
    bounds, whether low/central/high or ``"data"`` is accepted, meaning, source).
``tariffsim-scenario-keys``
    The key lists the scenario parser accepts (``TOP_KEYS``, ``TariffMeasure.KEYS``,
    ``ELAST_KEYS``, ``UNC_KEYS``, ``DIST_PARAMS``), with an option ``:group:`` naming one of them.
``tariffsim-elasticity-sets``
    The shipped elasticity sets, read from ``data/elasticities/sets.toml`` through
    :func:`tariffsim.get_set`, with every value's source.
``tariffsim-cli``
    The command-line reference, walked from the argparse parser of
    :func:`tariffsim.cli.parser.build_parser`.
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
import json
import math
import os
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
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
    from tariffsim.inputs.assumptions import Range

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
        from tariffsim.inputs.assumptions import ASSUMPTIONS

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
        self.env.note_dependency(str(importlib.import_module("tariffsim.inputs.scenario").__file__))
        return [
            table(
                ("key", "default", "bounds", "accepts", "meaning", "source of the default"),
                rows,
                code_cols=(0, 1),
            )
        ]


def _scenario_groups() -> dict[str, tuple[str, tuple[str, ...]]]:
    sc = importlib.import_module("tariffsim.inputs.scenario")
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


def _field_defaults(cls: type) -> dict[str, Any]:
    import dataclasses

    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            out[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[f.name] = f.default_factory()
    return out


def _key_groups() -> dict[str, tuple[tuple[str, ...], dict[str, Any]]]:
    """Key list of each table of the scenario format and the defaults the parser applies."""
    sc = importlib.import_module("tariffsim.inputs.scenario")
    top = _field_defaults(sc.Scenario)
    measure = _field_defaults(sc.TariffMeasure)
    return {
        "top": (tuple(sc.TOP_KEYS), top),
        "measure": (tuple(sc.TariffMeasure.KEYS), measure),
        "elasticities": (
            tuple(sc.ELAST_KEYS),
            {"sets": top.get("elasticity_sets"), "central": top.get("central_set"), "custom": {}},
        ),
        "uncertainty": (
            tuple(sc.UNC_KEYS),
            {"draws": top.get("draws"), "n_paths": top.get("n_paths"), "distributions": {}},
        ),
        "recession": (tuple(getattr(importlib.import_module("tariffsim.inputs.calibrations"), "OVERRIDE_KEYS", ())), {}),
    }


def _default_text(v: Any) -> str:
    if isinstance(v, tuple):
        return "[" + ", ".join(_fmt(x) for x in v) + "]" if v else "[] (none)"
    if isinstance(v, dict) and not v:
        return "{} (none)"
    return _fmt(v)


class KeysTableDirective(SphinxDirective):
    """A table of one group of scenario keys: the content gives ``key | type | bounds | meaning``
    per line, the defaults come from the code, and a key missing from the content (or one the
    parser does not accept) fails the build, so the reference cannot fall behind the parser."""

    has_content = True
    option_spec = {"group": directives.unchanged_required, "required": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        groups = _key_groups()
        g = self.options.get("group", "top")
        if g not in groups:
            raise self.error(f"unknown group {g!r}; expected one of {', '.join(groups)}")
        keys, defaults = groups[g]
        required = set((self.options.get("required") or "").split())
        described: dict[str, list[str]] = {}
        for line in self.content:
            if not line.strip():
                continue
            cols = [c.strip() for c in line.split("|")]
            if len(cols) != 4:
                raise self.error(f"expected 'key | type | bounds | meaning', got {line!r}")
            described[cols[0]] = cols[1:]
        missing = [k for k in keys if k not in described]
        extra = [k for k in described if k not in keys]
        if missing or extra:
            raise self.error(
                f"the {g} keys of the scenario parser are {', '.join(keys)}; "
                f"not described here: {', '.join(missing) or '-'}; described but not accepted: {', '.join(extra) or '-'}"
            )
        self.env.note_dependency(str(importlib.import_module("tariffsim.inputs.scenario").__file__))
        rows = []
        for k in keys:
            typ, bounds, meaning = described[k]
            if k in required:
                default = "required"
            elif k not in defaults:
                default = "see below"
            elif defaults[k] == "":
                default = "(empty)"
            else:
                default = _default_text(defaults[k])
            rows.append((k, typ, default, bounds, meaning))
        return [table(("key", "type", "default", "bounds", "meaning"), rows, code_cols=(0,))]


class LimitsDirective(SphinxDirective):
    """The resource limits of ``tariffsim.limits`` with their comments."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        lim = importlib.import_module("tariffsim.limits")
        path = str(lim.__file__)
        self.env.note_dependency(path)
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        rows = []
        for name in lim.__all__:
            if not name.isupper():
                continue
            idx = next((i for i, ln in enumerate(lines) if ln.startswith(f"{name} =")), None)
            comment: list[str] = []
            j = (idx if idx is not None else 0) - 1
            while idx is not None and j >= 0 and lines[j].startswith("#:"):
                comment.insert(0, lines[j][2:].strip())
                j -= 1
            value = getattr(lim, name)
            rows.append((name, f"{value:,}" if isinstance(value, int) else str(value), " ".join(comment)))
        return [table(("limit", "value", "what it bounds"), rows)]


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


class ElasticityQuantitiesDirective(SphinxDirective):
    """What each key of an elasticity set measures, the one-year ratio and the shipped distributions."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        el = importlib.import_module("tariffsim.inputs.elasticities")
        sets_file = importlib.import_module("tariffsim.inputs.datasets").data_file("elasticities", "sets.toml")
        self.env.note_dependency(str(sets_file))
        self.env.note_dependency(str(el.__file__))
        raw = tomllib.loads(sets_file.read_text(encoding="utf-8"))
        out: list[nodes.Node] = []
        quantities = getattr(el, "QUANTITIES", None)
        if isinstance(quantities, dict):
            out.append(table(("key", "quantity"), quantities.items()))
        ratio_key = "one_year_ratio" if "one_year_ratio" in raw else None
        if ratio_key:
            para = nodes.paragraph()
            para += nodes.literal(ratio_key, ratio_key)
            para += nodes.Text(f" = {raw[ratio_key]:g}. Source: {raw.get(ratio_key + '_source', '')}")
            out.append(para)
        dists = raw.get("distributions", {})
        if dists:
            rows = []
            for k, d in dists.items():
                params = ", ".join(f"{p} = {_fmt(v)}" for p, v in d.items() if p not in ("dist", "source"))
                rows.append((k, d.get("dist", ""), params, d.get("source", "")))
            out.append(nodes.paragraph(text="Shipped Monte Carlo distributions (used when a scenario declares none):"))
            out.append(table(("parameter", "distribution", "parameters", "source"), rows))
        return out


#: How the package fills a quantity a set leaves out (see tariffsim.inputs.elasticities.ElasticitySet.from_dict).
_DERIVED = {
    "sigma_one_year": "not in the file: one_year_ratio x sigma",
    "eta_one_year": "not in the file: one_year_ratio x eta",
    "eps_x": "not in the file: inf (fixed exporter prices)",
    "ge_trade_elasticity": "not in the file: sigma - 1",
}


class ElasticitySetsDirective(SphinxDirective):
    """Every shipped elasticity set with its values and their sources, as the data file states them."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from tariffsim.inputs.elasticities import available_sets, get_set

        sets_file = importlib.import_module("tariffsim.inputs.datasets").data_file("elasticities", "sets.toml")
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
            resolved = es.to_dict()  # every quantity, derived ones included
            keys = [k for k in resolved if k not in ("description", "sources")]
            keys += [k for k in spec if k not in keys and k not in ("description", "sources")]
            for k in keys:
                if k in spec:
                    v = spec[k]
                    if isinstance(v, str) and v.startswith("table:"):
                        v = getattr(es, k, v)
                    rows.append((k, _value_text(v), sources.get(k, "")))
                else:
                    rows.append((k, _value_text(getattr(es, k, resolved[k])), _DERIVED.get(k, "derived")))
            detail += [nodes.rubric(text=f"Set {name}"), table(("quantity", "value", "source"), rows)]
        return [table(("set", "description"), summary_rows), *detail]


def _num(v: Any, fmt: str = ".3f") -> str:
    return format(v, fmt) if isinstance(v, int | float) and not isinstance(v, bool) else ""


class RecessionCalibrationsDirective(SphinxDirective):
    """The shipped AR(1) calibrations (``data/recession/*.json``) and their predictive checks."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = importlib.import_module("tariffsim.inputs.datasets").data_file("recession")
        rows, checks = [], []
        for f in sorted(folder.glob("*.json")):
            self.env.note_dependency(str(f))
            d = json.loads(f.read_text(encoding="utf-8"))
            cal = d.get("calibration", {})
            law = cal.get("innovations", "gaussian")
            rows.append(
                (
                    d.get("country") or cal.get("country") or f.stem,
                    f"{cal.get('start', '')}-{cal.get('end', '')}",
                    _num(cal.get("mu")),
                    _num(cal.get("rho")),
                    _num(cal.get("sigma")),
                    _num(cal.get("scale")) if law == "student_t" else "",
                    _num(cal.get("df"), ".2f") if law == "student_t" else "",
                    d.get("input", cal.get("source", "")),
                )
            )
            for which, pc in (d.get("predictive_check") or {}).items():
                if not isinstance(pc, dict):
                    continue
                p = pc.get("p_value", {})
                obs = pc.get("observed", {})
                checks.append(
                    (
                        d.get("country", f.stem),
                        pc.get("model", which),
                        _num(obs.get("share_negative")),
                        _num(p.get("share_negative")),
                        _num(obs.get("share_technical_4q")),
                        _num(p.get("share_technical_4q")),
                    )
                )
        if not rows:
            return [nodes.paragraph(text="No calibration file is shipped.")]
        out: list[nodes.Node] = [
            table(
                ("country", "sample", "mu (%/q)", "rho", "sigma = sd(u) (%/q)", "t scale (%/q)", "t df", "input"),
                rows,
            )
        ]
        if checks:
            out += [
                nodes.paragraph(text="Predictive checks (two-sided p-values; rejected below 0.05):"),
                table(
                    (
                        "country",
                        "model",
                        "observed share of negative quarters",
                        "p",
                        "observed share of 4-quarter windows with a technical recession",
                        "p",
                    ),
                    checks,
                ),
            ]
        return out


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
        cli = importlib.import_module("tariffsim.cli.parser")
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
    app.add_directive("tariffsim-keys-table", KeysTableDirective)
    app.add_directive("tariffsim-limits", LimitsDirective)
    app.add_directive("tariffsim-elasticity-sets", ElasticitySetsDirective)
    app.add_directive("tariffsim-elasticity-quantities", ElasticityQuantitiesDirective)
    app.add_directive("tariffsim-recession-calibrations", RecessionCalibrationsDirective)
    app.add_directive("tariffsim-cli", CLIDirective)
    app.add_directive("tariffsim-api", APIDirective)
    app.connect("env-before-read-docs", _init_env)
    # after napoleon (priority 500) so that numpy-style sections are converted first
    app.connect("autodoc-process-docstring", _verbatim_if_invalid, priority=900)
    app.connect("build-finished", _report)
    return {"version": "1", "parallel_read_safe": False, "parallel_write_safe": True}
