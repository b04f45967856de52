"""The argument parser: every command and flag, with each flag's value checked while the arguments
are parsed, so a bad value fails at once with the flag named, before any data is read.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

from .. import limits
from .._version import __version__
from ..constants import DEFAULT_IO_TABLE, FIGURE_FORMATS, IO_TABLES, MODELS, SWEEP_GRID
from ..errors import TariffSimError, UsageError
from ..limits import shown
from .common import quarter_key
from .run import cmd_backtest, cmd_data_export_io, cmd_data_info, cmd_run, cmd_scenarios, cmd_validate
from .study import cmd_calibrate, cmd_replicate

if TYPE_CHECKING:
    pass


__all__ = ["ArgumentParser", "build_parser"]


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose errors are one line: a :class:`UsageError` (exit 2 in :func:`main`) instead
    of the usage block and ``sys.exit``. Subcommand parsers inherit it."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _flag(check: Callable[[str, str], object], flag: str) -> Callable[[str], object]:
    """An argparse ``type=`` that runs ``check(text, flag)``; its TariffSimError becomes the
    argparse message (argparse prefixes 'argument FLAG: ')."""

    def convert(text: str) -> object:
        try:
            return check(text, flag)
        except TariffSimError as exc:
            msg = str(exc)
            raise argparse.ArgumentTypeError(msg.removeprefix(f"{flag}: ")) from None

    convert.__name__ = flag
    return convert


def _whole(text: str, flag: str) -> int:
    """A whole number as TOML writes one (digits, a sign, ``_`` between digits) or an exponent
    form with an integral value (``1e6``): the same values a scenario file accepts; ASCII only."""
    t = text.strip()
    if re.fullmatch(r"[+-]?[0-9](?:_?[0-9]){0,39}", t):
        return int(t.replace("_", ""))
    if re.fullmatch(r"[+]?[0-9]+(\.[0-9]*)?[eE][+]?[0-9]{1,2}", t) and float(t).is_integer():
        return int(float(t))  # 1e6
    raise UsageError(f"{flag}: expected a whole number, got {limits.shown(text)}")


def _paths_value(text: str, flag: str) -> int:
    return limits.check_paths(_whole(text, flag), field=flag)


def _draws_value(text: str, flag: str) -> int:
    return limits.check_draws(_whole(text, flag), field=flag)


def _seed_value(text: str, flag: str) -> int:
    return limits.check_seed(_whole(text, flag), field=flag)


def _horizon_value(text: str, flag: str) -> int:
    return limits.check_horizon(_whole(text, flag), field=flag)


def _workers_value(text: str, flag: str) -> int:
    return limits.check_int(_whole(text, flag), field=flag, low=1, high=limits.MAX_WORKERS, what="workers")


def _number(text: str, flag: str) -> float:
    """A decimal number in the syntax of every reader (:data:`tariffsim.limits.NUMBER_RE`:
    ``0.25``, ``2.5e-1``; no ``nan``, ``inf``, thousands separators or non-ASCII digits)."""
    t = text.strip(" \t\r\n\x0b\x0c")  # ASCII spaces only, as the readers
    if not limits.NUMBER_RE.fullmatch(t):
        raise UsageError(f"{flag}: expected a number like 0.25, got {limits.shown(text)}")
    v = float(t)
    if not math.isfinite(v):
        raise UsageError(f"{flag}: expected a finite number, got {limits.shown(text)}")
    return v + 0.0  # no negative zero in a name or label


def _share_value(low: float, high: float) -> Callable[[str, str], float]:
    def check(text: str, flag: str) -> float:
        v = _number(text, flag)
        if not low <= v <= high:
            raise UsageError(f"{flag}: expected a share in [{low:g}, {high:g}] (0.25 = 25 %), got {v:g}")
        return v

    return check


def _rate_value(text: str, flag: str) -> float:
    """A tariff rate by the scenario file's rule (:func:`tariffsim.inputs.measures.check_rate`)."""
    from ..errors import ScenarioError
    from ..inputs.measures import check_rate

    v = _number(text, flag)
    try:
        return check_rate(v, source=None, field=flag)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None


def _grid_value(text: str, flag: str) -> str:
    """A tariff grid, checked (finite rates in limits.TARIFF_BOUNDS, at most limits.MAX_GRID_POINTS) and kept as text."""
    from ..engine.uncertainty import parse_grid

    parse_grid(text, field=flag)
    return text


#: The trade models (tariffsim.inputs.scenario.MODELS; spelled out so that the parser needs no model code).


MODEL_HELP = (
    "trade model: pe, ge (one-sector GE) or ge-io (multi-sector GE with input-output links); default: the scenario's"
)


def _choice_list(text: str, flag: str, allowed: Sequence[str], what: str, *, lower: bool = False) -> str:
    """A comma list of ``allowed`` values (duplicates dropped, order kept), or one UsageError."""
    items = [x.strip() for x in text.split(",") if x.strip()]
    if lower:
        items = [x.lower().lstrip(".") for x in items]
    if not items:
        raise UsageError(f"{flag}: expected a comma list of {', '.join(allowed)}, got {shown(text)}")
    bad = [x for x in items if x not in allowed]
    if bad:
        raise UsageError(f"{flag}: unknown {what} {shown(bad[0])}; expected a comma list of {', '.join(allowed)}")
    return ",".join(dict.fromkeys(items))


def _models_value(text: str, flag: str) -> str:
    return _choice_list(text, flag, MODELS, "model")


def _formats_value(text: str, flag: str) -> str:
    return _choice_list(text, flag, FIGURE_FORMATS, "figure format", lower=True)


def _quarter_value(text: str, flag: str) -> str:
    quarter_key(text, flag)
    return text.strip()


def _exclude_value(text: str, flag: str) -> str:
    parts = text.split(":")
    if len(parts) > 2:
        raise UsageError(f"{flag}: expected a quarter or a range FIRST:LAST like 2020Q2:2020Q3, got {shown(text)}")
    keys = [quarter_key(p, flag) for p in parts]
    if len(keys) == 2 and keys[0] > keys[1]:
        raise UsageError(f"{flag}: empty range {shown(text)}; the first quarter comes after the last")
    return text.strip()


def _scheduler_value(text: str, flag: str) -> str:
    from .report import scheduler_address  # the commands that write folders load only when used

    return scheduler_address(text, flag)


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import cmd_report

    return cmd_report(args)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from .report import cmd_sweep

    return cmd_sweep(args)


def _cmd_compare(args: argparse.Namespace) -> int:
    from .report import cmd_compare

    return cmd_compare(args)


def _add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (default: the embedded dataset)")
    g.add_argument("--dataset", default="default", help="shipped dataset name (default: %(default)s)")
    g.add_argument("--matrix", help="square exporter x importer CSV (ilms2025 layout); needs --labels")
    g.add_argument("--labels", help="labels CSV for --matrix (column iso3)")
    g.add_argument("--gdp", help="GDP CSV (one column in label order, or country,gdp)")
    g.add_argument("--long", help="long CSV: exporter, importer, [sector], value, [tariff]")
    g.add_argument("--baci", help="BACI long CSV (t, i, j, k, v, q); needs --country-codes")
    g.add_argument("--country-codes", help="BACI country-code CSV")
    g.add_argument("--units", help="unit of the trade values in the file: USD, thousand USD, million USD, billion USD")
    g.add_argument("--gdp-units", help="unit of the GDP file (default USD)")


def _add_experiment_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("experiment (change the scenario without editing its TOML)")
    g.add_argument(
        "--rate",
        type=_flag(_rate_value, "--rate"),
        help="every tariff measure at this rate (a share: 0.10 = 10 %%)",
    )
    g.add_argument(
        "--exempt-share",
        type=_flag(_share_value(0.0, 1.0), "--exempt-share"),
        help="share of the tariffed trade exempt (0-1), every measure",
    )
    g.add_argument(
        "--retaliation-rate",
        type=_flag(_rate_value, "--retaliation-rate"),
        help="retaliation at this rate (a share; 0 removes it; a scenario without retaliation gets a mirror measure)",
    )
    g.add_argument("--horizon", type=_flag(_horizon_value, "--horizon"), help="quarters simulated")
    g.add_argument(
        "--io-table",
        type=_flag(_io_table_value, "--io-table"),
        help=f"input-output table of the multi-sector model ({', '.join(IO_TABLES)}; default {DEFAULT_IO_TABLE}; "
        "cp1993 is Caliendo and Parro's, for the replication)",
    )


def _io_table_value(text: str, flag: str) -> str:
    key = text.strip().lower()
    if key not in IO_TABLES:
        raise UsageError(f"{flag}: unknown input-output table {text!r}; expected one of {', '.join(IO_TABLES)}")
    return key


def _country_value(text: str, flag: str) -> str:
    """An ISO3 code or a country name (as every reader accepts it), as its ISO3 code; an unknown one
    is a UsageError naming the flag."""
    from ..errors import CountryCodeError
    from ..inputs.countries import to_iso3

    try:
        return to_iso3([text], source=flag, field=flag)[0]
    except CountryCodeError as exc:  # 'unknown country 'XYZ' in '--country'; ...': the flag, no row
        raise UsageError(f"{flag}: {exc.message.replace(f' in {shown(flag)}', '')}") from None


def _add_scale_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scale out (dask.distributed; results equal the in-process run)")
    x = g.add_mutually_exclusive_group()
    x.add_argument(
        "--scheduler",
        type=_flag(_scheduler_value, "--scheduler"),
        metavar="ADDRESS",
        help="an existing dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    x.add_argument(
        "--workers",
        type=_flag(_workers_value, "--workers"),
        metavar="N",
        help="start a local dask cluster of N worker processes",
    )


def _add_feedback_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="silent on success: no progress bar, no log output below errors, no closing line",
    )
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log each step (-vv for debug)")


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(
        prog="tariffsim",
        description="What does this tariff do? Trade, welfare, GDP and recession-risk effects of tariffs.",
    )
    p.add_argument("--version", action="version", version=f"tariffsim {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    d = sub.add_parser("data", help="the embedded datasets")
    dsub = d.add_subparsers(dest="data_command", metavar="SUBCOMMAND")
    di = dsub.add_parser("info", help="countries, sectors, year, totals and sources of a dataset")
    _add_data_args(di)
    di.add_argument("--json", action="store_true", help="one JSON object on stdout")
    di.set_defaults(func=cmd_data_info)

    ex = dsub.add_parser(
        "export-io",
        help="write an input-output table in the Caliendo-Parro layout with a scenario's tariffs (for replicate cp2015)",
    )
    ex.add_argument(
        "name",
        metavar="TABLE",  # errors say 'argument TABLE', not the destination's name
        type=_flag(_io_table_value, "TABLE"),
        help=f"input-output table: {', '.join(IO_TABLES)}",
    )
    ex.add_argument("--scenario", required=True, help="built-in name or a TOML file: its tariffs are tariff_cfl")
    ex.add_argument("--out", required=True, help="output folder (new, or existing with --force)")
    ex.add_argument(
        "--elasticities", default="CP", help="sector trade-elasticity set written to theta.csv (default: CP)"
    )
    ex.add_argument("--force", action="store_true", help="replace the files of an existing folder")
    ex.set_defaults(func=cmd_data_export_io)

    def _data_help(a: argparse.Namespace) -> int:
        d.print_help()
        return 0

    d.set_defaults(func=_data_help)

    sp = sub.add_parser("scenarios", help="list the built-in scenarios")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_scenarios)

    v = sub.add_parser("validate", help="validate a scenario (a TOML file or a built-in name)")
    v.add_argument("file", help="a TOML file or a built-in name (see `tariffsim scenarios`)")
    v.add_argument("--no-data", action="store_true", help="do not check countries/sectors against the dataset")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("run", help="run a scenario and print its summary (or --json)")
    r.add_argument("scenario", help="built-in name (see `tariffsim scenarios`) or a TOML file")
    r.add_argument("--elasticities", help="comma-separated elasticity sets (default: the scenario's)")
    r.add_argument("--model", choices=MODELS, help=MODEL_HELP)
    r.add_argument(
        "--draws", type=_flag(_draws_value, "--draws"), help="Monte Carlo parameter draws (default: the scenario's)"
    )
    r.add_argument(
        "--paths", type=_flag(_paths_value, "--paths"), help="Monte Carlo growth paths (default: the scenario's)"
    )
    r.add_argument("--seed", type=_flag(_seed_value, "--seed"), help="random seed (default: the scenario's)")
    r.add_argument(
        "--method",
        choices=("exact", "smart-linear"),
        default="exact",
        help="PE solution: exact non-linear model or WITS SMART linear formulas",
    )
    r.add_argument("--json", action="store_true", help="one JSON object on stdout")
    _add_experiment_args(r)
    _add_scale_args(r)
    r.set_defaults(func=cmd_run)

    bt = sub.add_parser(
        "backtest", help="predictions against what happened: every back-test episode with every elasticity set"
    )
    bt.add_argument(
        "episode", nargs="*", help="episode ids (see data/episodes/) or episode TOML files (default: every shipped one)"
    )
    bt.add_argument("--elasticities", help="comma-separated elasticity sets (default: every shipped set)")
    out_fmt = bt.add_mutually_exclusive_group()
    out_fmt.add_argument("--json", action="store_true", help="one JSON object on stdout")
    out_fmt.add_argument("--markdown", action="store_true", help="the track-record table (the README's)")
    out_fmt.add_argument("--out", help="write backtests.html, backtests.md and backtests.json into this folder")
    bt.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    bt.set_defaults(func=cmd_backtest)

    rp = sub.add_parser("report", help="write figures, tables and report.html for a scenario")
    rp.add_argument("scenario", help="built-in name or a TOML file")
    rp.add_argument("--out", required=True, help="output folder (must be empty or absent unless --force)")
    rp.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    rp.add_argument(
        "--formats",
        type=_flag(_formats_value, "--formats"),
        default="png,svg,pdf",
        help="figure formats (default: %(default)s)",
    )
    rp.add_argument(
        "--tariff",
        type=_flag(_grid_value, "--tariff"),
        default=SWEEP_GRID,
        help="tariff grid for the sweep figures (default: %(default)s)",
    )
    rp.add_argument(
        "--draws", type=_flag(_draws_value, "--draws"), help="Monte Carlo parameter draws (default: the scenario's)"
    )
    rp.add_argument(
        "--paths", type=_flag(_paths_value, "--paths"), help="Monte Carlo growth paths (default: the scenario's)"
    )
    rp.add_argument("--elasticities", help="comma-separated elasticity sets (default: the scenario's)")
    rp.add_argument("--model", choices=MODELS, help=MODEL_HELP)
    _add_feedback_args(rp)
    _add_experiment_args(rp)
    _add_scale_args(rp)
    rp.set_defaults(func=_cmd_report)

    sw = sub.add_parser("sweep", help="grid over tariff rates and elasticities: CSV, heatmap, recession curve")
    sw.add_argument("scenario", help="built-in name or a TOML file")
    sw.add_argument(
        "--tariff",
        type=_flag(_grid_value, "--tariff"),
        default=SWEEP_GRID,
        help="START:STOP:STEP or a comma list of rates (default: %(default)s, the report's grid)",
    )
    sw.add_argument("--elasticities", help="comma-separated sets (default: low,central,high)")
    sw.add_argument("--out", required=True, help="output folder (must be empty or absent unless --force)")
    sw.add_argument("--force", action="store_true")
    sw.add_argument(
        "--formats",
        type=_flag(_formats_value, "--formats"),
        default="png,svg,pdf",
        help="figure formats (default: %(default)s)",
    )
    sw.add_argument("--paths", type=_flag(_paths_value, "--paths"), help="Monte Carlo growth paths per grid point")
    sw.add_argument("--model", choices=MODELS, help=MODEL_HELP)
    _add_feedback_args(sw)
    _add_experiment_args(sw)
    _add_scale_args(sw)
    sw.set_defaults(func=_cmd_sweep)

    cp = sub.add_parser("compare", help="scenarios side by side: one table, GDP paths, headline ranges, compare.html")
    cp.add_argument("scenarios", nargs="+", help="built-in names or TOML files (at least one)")
    cp.add_argument("--out", required=True, help="output folder (must be empty or absent unless --force)")
    cp.add_argument(
        "--model",
        type=_flag(_models_value, "--model"),
        help="comma list of pe, ge, ge-io, e.g. pe,ge,ge-io (default: each scenario's own)",
    )
    cp.add_argument("--elasticities", help="comma-separated elasticity sets (default: each scenario's)")
    cp.add_argument(
        "--draws", type=_flag(_draws_value, "--draws"), help="Monte Carlo parameter draws (default: the scenarios')"
    )
    cp.add_argument(
        "--paths", type=_flag(_paths_value, "--paths"), help="Monte Carlo growth paths (default: the scenarios')"
    )
    cp.add_argument(
        "--formats",
        type=_flag(_formats_value, "--formats"),
        default="png,svg,pdf",
        help="figure formats (default: %(default)s)",
    )
    cp.add_argument("--force", action="store_true", help="replace a non-empty output folder")
    _add_feedback_args(cp)
    _add_experiment_args(cp)
    _add_scale_args(cp)
    cp.set_defaults(func=_cmd_compare)

    c = sub.add_parser("calibrate", help="fit the AR(1) growth process to a quarterly GDP CSV")
    c.add_argument("gdp_csv")
    c.add_argument("--start", type=_flag(_quarter_value, "--start"), default="1996Q1", help="first quarter (1996Q1)")
    c.add_argument("--end", type=_flag(_quarter_value, "--end"), default="2019Q4", help="last quarter (2019Q4)")
    c.add_argument(
        "--exclude",
        type=_flag(_exclude_value, "--exclude"),
        action="append",
        help="quarter or range to leave out, e.g. 2020Q2:2020Q3 (repeatable)",
    )
    c.add_argument("--column", help="GDP level column (default: detected)")
    c.add_argument("--kind", choices=("level", "qoq_pct"), default="level", help="what the column holds")
    c.add_argument(
        "--country",
        type=_flag(_country_value, "--country"),
        help="ISO3 code or country name recorded in the file (ship it as data/recession/<ISO3>.json)",
    )
    c.add_argument("--innovations", choices=("student_t", "gaussian"), default="student_t", help="innovation law")
    c.add_argument("--out", help="write the calibration JSON here")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_calibrate)

    rep = sub.add_parser("replicate", help="replicate a published study (ilms2025, cp2015)")
    rep.add_argument(
        "study",
        help="ilms2025: Ignatenko, Lashkaripour, Macedoni and Simonovska (2025); "
        "cp2015: Caliendo and Parro (2015), NAFTA's tariff reductions",
    )
    rep.add_argument(
        "--data-dir",
        required=True,
        help="folder with the study's inputs (../shared/data/ilms2025 or ../shared/data/cp2015)",
    )
    rep.add_argument(
        "--with-deficits",
        action="store_true",
        help="cp2015: hold the 1993 trade deficits (default: zero aggregate deficits, the paper's case)",
    )
    rep.add_argument(
        "--case",
        default="baseline",
        help="ilms2025: baseline, lump-sum, reciprocal-retaliation, "
        "optimal-retaliation, eaton-kortum, high-elasticity, optimal-us-tariff",
    )
    rep.add_argument("--out", help="write per-country results to this CSV")
    rep.add_argument("--json", action="store_true")
    rep.set_defaults(func=cmd_replicate)

    return p
