"""Command line: a thin layer that parses, calls the library and prints.

User mistakes (``TariffSimError``) become one line on stderr and exit code 2, never a traceback.
Heavy modules (scipy, matplotlib, the models) are imported inside the command that needs them, so
``tariffsim --help`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .. import __version__, limits
from .._util import json_default
from ..errors import DataError, NumericalError, OutputPathError, TariffSimError, UsageError
from ..outputs.files import check_output_dir, check_output_file

if TYPE_CHECKING:
    from ..inputs.datasets import TradeData
    from ..inputs.scenario import Scenario
    from ..outputs.report import ProgressBar

log = logging.getLogger("tariffsim")

EXIT_USER_ERROR = 2


def _print_json(obj: Any) -> None:  # JSON-able data
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False, default=json_default) + "\n")


# ----------------------------------------------------------------------------- data info


def _data_from_args(args: argparse.Namespace) -> TradeData:
    """The dataset named by --dataset or by user files (--matrix/--labels/--gdp, --long, --baci)."""
    from ..inputs.loaders import load_data_spec

    units = args.units
    extra = {"gdp_units": args.gdp_units} if args.gdp and args.gdp_units else {}
    if args.matrix or args.labels:
        if not (args.matrix and args.labels):
            raise _usage("--matrix and --labels go together")
        spec = {
            "format": "matrix",
            "matrix": args.matrix,
            "labels": args.labels,
            "gdp": args.gdp,
            "units": units or "thousand USD",
        }
    elif args.long:
        spec = {"format": "long", "path": args.long, "gdp": args.gdp, "units": units or "USD"}
    elif args.baci:
        if not args.country_codes:
            raise _usage("--baci needs --country-codes")
        spec = {
            "format": "baci",
            "path": args.baci,
            "country_codes": args.country_codes,
            "gdp": args.gdp,
            "units": units or "thousand USD",
        }
    else:
        return load_data_spec(args.dataset)
    spec = {k: v for k, v in {**spec, **extra}.items() if v is not None}
    return load_data_spec(spec)


def _usage(msg: str) -> TariffSimError:
    return UsageError(f"usage: {msg}")


# ----------------------------------------------------------------------------- flag values
# Every numeric or structured flag is checked while the arguments are parsed, so a bad value
# fails at once with the flag named, before any data is read or any work starts.


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
    t = text.strip().replace("_", "")
    if re.fullmatch(r"[+-]?\d{1,40}", t):
        return int(t)
    if re.fullmatch(r"[+]?\d+(\.\d*)?[eE][+]?\d{1,2}", t) and float(t).is_integer():
        return int(float(t))  # 1e6
    raise UsageError(f"{flag}: expected a whole number, got {text!r}")


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


def _share_value(low: float, high: float) -> Callable[[str, str], float]:
    def check(text: str, flag: str) -> float:
        try:
            v = float(text)
        except ValueError:
            raise UsageError(f"{flag}: expected a number, got {text!r}") from None
        if not math.isfinite(v):
            raise UsageError(f"{flag}: expected a finite number, got {text!r}")
        if not low <= v <= high:
            raise UsageError(f"{flag}: expected a share in [{low:g}, {high:g}] (0.25 = 25 %), got {v:g}")
        return v

    return check


def _grid_value(text: str, flag: str) -> str:
    """A tariff grid, checked (finite rates in [0, 10], at most limits.MAX_GRID_POINTS) and kept as text."""
    from ..engine.uncertainty import parse_grid

    parse_grid(text, field=flag)
    return text


FIGURE_FORMATS = ("png", "svg", "pdf")
#: The trade models (tariffsim.inputs.scenario.MODELS; spelled out so that the parser needs no model code).
MODELS = ("pe", "ge", "ge-io")
MODEL_HELP = (
    "trade model: pe, ge (one-sector GE) or ge-io (multi-sector GE with input-output links); default: the scenario's"
)


def _choice_list(text: str, flag: str, allowed: Sequence[str], what: str, *, lower: bool = False) -> str:
    """A comma list of ``allowed`` values (duplicates dropped, order kept), or one UsageError."""
    items = [x.strip() for x in text.split(",") if x.strip()]
    if lower:
        items = [x.lower().lstrip(".") for x in items]
    if not items:
        raise UsageError(f"{flag}: expected a comma list of {', '.join(allowed)}, got {text!r}")
    bad = [x for x in items if x not in allowed]
    if bad:
        raise UsageError(f"{flag}: unknown {what} {bad[0]!r}; expected a comma list of {', '.join(allowed)}")
    return ",".join(dict.fromkeys(items))


def _models_value(text: str, flag: str) -> str:
    return _choice_list(text, flag, MODELS, "model")


def _formats_value(text: str, flag: str) -> str:
    return _choice_list(text, flag, FIGURE_FORMATS, "figure format", lower=True)


_QUARTER_ARG = re.compile(r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$")
_DATE_ARG = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _quarter_key(text: str, flag: str) -> tuple[int, int]:
    """(year, quarter) of '1996Q1', '1996-Q1' or an ISO date '1996-02-15'; UsageError otherwise."""
    s = text.strip()
    if m := _QUARTER_ARG.match(s):
        y, q = int(m[1]), int(m[2])
    elif m := _DATE_ARG.match(s):
        import datetime

        try:
            d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise UsageError(f"{flag}: {text!r} is not a valid date") from None
        y, q = d.year, (d.month - 1) // 3 + 1
    else:
        raise UsageError(f"{flag}: expected a quarter like 1996Q1 (or a date like 1996-01-01), got {text!r}")
    if not 1800 <= y <= 2200:
        raise UsageError(f"{flag}: year {y} outside 1800-2200")
    return y, q


def _quarter_value(text: str, flag: str) -> str:
    _quarter_key(text, flag)
    return text.strip()


def _exclude_value(text: str, flag: str) -> str:
    parts = text.split(":")
    if len(parts) > 2:
        raise UsageError(f"{flag}: expected a quarter or a range FIRST:LAST like 2020Q2:2020Q3, got {text!r}")
    keys = [_quarter_key(p, flag) for p in parts]
    if len(keys) == 2 and keys[0] > keys[1]:
        raise UsageError(f"{flag}: empty range {text!r}; the first quarter comes after the last")
    return text.strip()


def _scheduler_value(text: str, flag: str) -> str:
    s = text.strip()
    if not re.fullmatch(r"(?:(?:tcp|tls|ucx|ws|wss)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}", s):
        raise UsageError(f"{flag}: expected a scheduler address like tcp://10.0.0.5:8786, got {text!r}")
    return s


def _check_calibrate_args(args: argparse.Namespace) -> None:
    """calibrate: the sample is not empty and the input and output paths are usable."""
    if _quarter_key(args.start, "--start") > _quarter_key(args.end, "--end"):
        raise UsageError(f"--start {args.start} comes after --end {args.end}; the sample is empty")
    limits.check_input_file(args.gdp_csv, kind="GDP CSV file")
    if args.out:
        check_output_file(args.out, field="--out")


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


def cmd_data_info(args: argparse.Namespace) -> int:
    data = _data_from_args(args)
    info = data.info()
    if args.json:
        _print_json(info)
        return 0
    print(f"dataset   {info['name']} ({info['year'] or 'year not stated'})")
    if info.get("description"):
        print(f"          {info['description']}")
    print(f"countries {', '.join(info['countries'])}")
    print(f"sectors   {', '.join(info['sectors'])}")
    print(f"flows     {info['n_flows']} non-zero, total {info['total_trade_usd'] / 1e9:,.1f} bn USD")
    print(f"{'':10}{'exports bn USD':>16}{'imports bn USD':>16}{'GDP bn USD':>14}")
    for c in info["countries"]:
        gdp = info["gdp_usd"][c] / 1e9 if info["gdp_usd"] else float("nan")
        print(f"{c:10}{info['exports_usd'][c] / 1e9:16,.1f}{info['imports_usd'][c] / 1e9:16,.1f}{gdp:14,.1f}")
    print("sources:")
    for s in info["sources"]:
        print(
            f"  - {s.get('figure', '')}: {s.get('publisher', '')}, {s.get('table', '')}, {s.get('year', '')}, {s.get('units', '')}"
        )
    if info.get("assumptions"):
        print("assumptions:")
        for a in info["assumptions"]:
            print(f"  - {a}")
    return 0


# ----------------------------------------------------------------------------- scenarios


def cmd_scenarios(args: argparse.Namespace) -> int:
    from ..inputs.scenario import builtin_scenarios

    items = builtin_scenarios()
    if args.json:
        _print_json([{"name": n, "description": d} for n, d in items])
        return 0
    width = max(len(n) for n, _ in items)
    for n, d in items:
        print(f"{n:{width}}  {d}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ..inputs.scenario import load_scenario, validate_file

    if args.file.endswith(".toml") or "/" in args.file:
        sc = validate_file(args.file, check_data=not args.no_data)
    else:  # a built-in name, as `run` accepts
        sc = load_scenario(args.file)
        if not args.no_data:
            sc.validate_against(sc.load_data())
    print(
        f"{args.file}: valid scenario {sc.name!r} ({len(sc.tariffs)} tariff measure(s), "
        f"{len(sc.retaliation)} retaliation measure(s), sets: {', '.join(sc.elasticity_sets)}; hash {sc.hash})"
    )
    return 0


def _split_sets(text: str | None) -> list[str] | None:
    if text is None:
        return None
    sets = [x.strip() for x in text.split(",") if x.strip()]
    if not sets:
        raise _usage("--elasticities needs at least one set name")
    return sets


def _add_experiment_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("experiment (change the scenario without editing its TOML)")
    g.add_argument(
        "--rate",
        type=_flag(_share_value(0.0, 10.0), "--rate"),
        help="every tariff measure at this rate (a share: 0.10 = 10 %%)",
    )
    g.add_argument(
        "--exempt-share",
        type=_flag(_share_value(0.0, 1.0), "--exempt-share"),
        help="share of the tariffed trade exempt (0-1), every measure",
    )
    g.add_argument(
        "--retaliation-rate",
        type=_flag(_share_value(0.0, 10.0), "--retaliation-rate"),
        help="retaliation at this rate (a share; 0 removes it; a scenario without retaliation gets a mirror measure)",
    )
    g.add_argument("--horizon", type=_flag(_horizon_value, "--horizon"), help="quarters simulated")


def _scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, derived with the experiment flags (renamed
    NAME@rate=0.1 etc., relabelled and validated by Scenario.derive); --model is passed to the
    run, not baked into the name."""
    from ..inputs.scenario import load_scenario

    sc = load_scenario(args.scenario)
    changes = {k: getattr(args, k, None) for k in ("rate", "exempt_share", "retaliation_rate", "horizon")}
    changes = {k: v for k, v in changes.items() if v is not None}
    sc = sc.derive(**changes) if changes else sc
    limits.check_monte_carlo(  # paths x quarters within the limit, before any work
        getattr(args, "paths", None), None, sc.horizon, fields=("--paths", "--draws", "--horizon")
    )
    return sc


def cmd_run(args: argparse.Namespace) -> int:
    from ..engine.simulation import simulate

    sc = _scenario_from_args(args)
    res = simulate(
        sc,
        elasticities=_split_sets(args.elasticities),
        model=args.model,
        draws=args.draws,
        n_paths=args.paths,
        seed=args.seed,
        method=args.method,
    )
    if args.json:
        _print_json(res.to_json())
    else:
        print(res.summary_text())
    return 0


def _progress(args: argparse.Namespace, total: int) -> ProgressBar:
    """A progress bar on stderr when it is a terminal (never with --quiet; nothing when piped:
    -v logs each step instead)."""
    from ..outputs.report import ProgressBar

    tty = getattr(sys.stderr, "isatty", None)
    show = not getattr(args, "quiet", False) and callable(tty) and tty()
    return ProgressBar(total, stream=sys.stderr if show else _Null())


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
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no log output below errors")
    p.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log each step (-vv for debug)")


def cmd_report(args: argparse.Namespace) -> int:
    from ..outputs.report import REPORT_STEPS, dask_client, write_report

    check_output_dir(args.out, field="--out")  # before any work
    formats = tuple(x.strip() for x in args.formats.split(",") if x.strip())
    sc = _scenario_from_args(args)
    with dask_client(args.scheduler, args.workers) as client, _progress(args, len(REPORT_STEPS)) as bar:
        rec = write_report(
            sc,
            args.out,
            force=args.force,
            formats=formats,
            progress=bar,
            sweep_rates=args.tariff,
            draws=args.draws,
            n_paths=args.paths,
            model=args.model,
            elasticities=_split_sets(args.elasticities),
            scheduler=client,
        )
    print(
        f"report for {rec.scenario} written to {rec.out_dir} ({len(rec.files)} files, {rec.seconds:.1f} s); "
        f"open {rec.out_dir}/report.html (tables also in report.xlsx)",
    )
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from ..outputs.report import SWEEP_STEPS, dask_client, write_sweep

    check_output_dir(args.out, field="--out")  # before any work
    sets = _split_sets(args.elasticities) or ["low", "central", "high"]
    sc = _scenario_from_args(args)
    with dask_client(args.scheduler, args.workers) as client, _progress(args, len(SWEEP_STEPS)) as bar:
        rec = write_sweep(
            sc,
            args.tariff,
            args.out,
            elasticities=sets,
            force=args.force,
            progress=bar,
            n_paths=args.paths,
            scheduler=client,
            model=args.model,
        )
    print(
        f"sweep for {rec.scenario} written to {rec.out_dir} ({len(rec.files)} files, {rec.seconds:.1f} s): "
        f"{rec.out_dir}/sweep.csv, sweep.xlsx and the figures",
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from ..outputs.comparison import COMPARE_STEPS, write_compare
    from ..outputs.report import dask_client

    check_output_dir(args.out, field="--out")  # before any work
    models = [m.strip() for m in (args.model or "").split(",") if m.strip()] or None
    limits.check_int(
        len(args.scenarios) * len(models or [None]),
        field="scenarios x --model",
        high=limits.MAX_COMPARE_RUNS,
        what="runs in one comparison",
    )
    scenarios = [_scenario_from_args(argparse.Namespace(**{**vars(args), "scenario": s})) for s in args.scenarios]
    with dask_client(args.scheduler, args.workers) as client:
        n = len(scenarios) * len(models or [None])
        with _progress(args, n + len(COMPARE_STEPS)) as bar:
            rec = write_compare(
                scenarios,
                args.out,
                models=models,
                elasticities=_split_sets(args.elasticities),
                force=args.force,
                formats=tuple(x.strip() for x in args.formats.split(",") if x.strip()),
                progress=bar,
                draws=args.draws,
                n_paths=args.paths,
                scheduler=client,
            )
    print(
        f"comparison of {', '.join(rec.scenarios)} written to {rec.out_dir} ({len(rec.files)} files, "
        f"{rec.seconds:.1f} s); open {rec.out_dir}/compare.html (table in tables/comparison.csv and compare.xlsx)",
    )
    return 0


class _Null:
    def write(self, s: str) -> int:
        return len(s)

    def flush(self) -> None:
        pass


def cmd_calibrate(args: argparse.Namespace) -> int:
    import shlex

    from ..inputs.calibration import run_calibration

    _check_calibrate_args(args)
    command = "tariffsim " + " ".join(shlex.quote(a) for a in args.argv)
    cal = run_calibration(
        args.gdp_csv,
        start=args.start,
        end=args.end,
        exclude=args.exclude or (),
        out=None,  # written below, atomically
        column=args.column,
        kind=args.kind,
        command=command,
        innovations=args.innovations,
        country=args.country,
    )
    if args.out:
        from ..inputs.calibration import write_calibration
        from ..outputs.files import atomic_write

        atomic_write(
            args.out, lambda tmp: write_calibration(cal, tmp, command=command, input_file=args.gdp_csv), field="--out"
        )
    d = cal.to_dict()
    if args.json:
        _print_json(d)
    else:
        print(f"AR(1) on {d.get('source', args.gdp_csv)}, {cal.start}-{cal.end}, {cal.n_obs} observations")
        print(f"  mu    = {cal.mu:.4f} % a quarter (s.e. {cal.se_mu:.4f})")
        print(f"  rho   = {cal.rho:.4f} (s.e. {cal.se_rho:.4f})")
        if cal.innovations == "student_t":
            print(f"  scale = {cal.scale:.4f} % a quarter (s.e. {cal.se_scale:.4f})")
            se_df = "undefined, at its bound" if cal.se_df is None else f"{cal.se_df:.3f}"
            print(f"  df    = {cal.df:.3f} (s.e. {se_df})")
        print(f"  sigma = {cal.sigma:.4f} % a quarter (s.e. {cal.se_sigma:.4f}), {cal.innovation}")
        if args.out:
            print(f"written to {args.out}")
    return 0


def _check_data_dir(path: str) -> None:
    if not os.path.isdir(path):
        what = "is a file, not a folder" if os.path.exists(path) else "folder not found"
        raise DataError(f"{what}; expected the folder with the study's inputs", source=f"--data-dir {path}")


def _replicate_cp2015(args: argparse.Namespace) -> int:
    """``replicate cp2015``: the Caliendo-Parro (2015) NAFTA experiment, published values beside ours."""
    from ..replication.cp2015 import replicate_cp2015

    _check_data_dir(args.data_dir)
    if args.out:
        check_output_file(args.out, field="--out")  # before the solves
    res = replicate_cp2015(args.data_dir, zero_deficit=not args.with_deficits)
    if args.out:
        from ..outputs.files import atomic_write

        atomic_write(args.out, lambda tmp: res.to_csv(tmp, overwrite=True), field="--out")
    if args.json:
        _print_json(res.to_dict())
    else:
        print(res.summary())
        if args.out:
            print(f"per-region results written to {args.out}")
    return 0


def cmd_replicate(args: argparse.Namespace) -> int:
    from ..replication.ilms2025 import replicate_ilms2025

    if args.study == "cp2015":
        return _replicate_cp2015(args)
    if args.study != "ilms2025":
        raise _usage(f"unknown study {args.study!r}; available: ilms2025, cp2015")
    _check_data_dir(args.data_dir)
    if args.out:
        check_output_file(args.out, field="--out")  # before the solve
    res = replicate_ilms2025(args.data_dir, case=args.case)
    if args.out:
        from ..outputs.files import atomic_write

        atomic_write(args.out, lambda tmp: res.to_csv(tmp, overwrite=True), field="--out")
    if args.json:
        _print_json(
            {
                "case": res.case,
                "headline": res.headline,
                "published": res.published,
                "solver": res.solver.to_dict(),
                "by_country": res.by_country.to_dict(orient="records"),
            }
        )
    else:
        print(res.summary())
        if args.out:
            print(f"per-country results written to {args.out}")
    return 0


# ----------------------------------------------------------------------------- parser


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
    r.set_defaults(func=cmd_run)

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
        default="0:0.5:0.05",
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
    rp.set_defaults(func=cmd_report)

    sw = sub.add_parser("sweep", help="grid over tariff rates and elasticities: CSV, heatmap, recession curve")
    sw.add_argument("scenario", help="built-in name or a TOML file")
    sw.add_argument(
        "--tariff",
        type=_flag(_grid_value, "--tariff"),
        required=True,
        help="START:STOP:STEP (e.g. 0:0.5:0.05) or a comma list of rates",
    )
    sw.add_argument("--elasticities", help="comma-separated sets (default: low,central,high)")
    sw.add_argument("--out", required=True, help="output folder (must be empty or absent unless --force)")
    sw.add_argument("--force", action="store_true")
    sw.add_argument("--paths", type=_flag(_paths_value, "--paths"), help="Monte Carlo growth paths per grid point")
    sw.add_argument("--model", choices=MODELS, help=MODEL_HELP)
    _add_feedback_args(sw)
    _add_experiment_args(sw)
    _add_scale_args(sw)
    sw.set_defaults(func=cmd_sweep)

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
    cp.set_defaults(func=cmd_compare)

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
    c.add_argument("--country", help="ISO3 code recorded in the file (ship it as data/recession/<ISO3>.json)")
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


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _error(msg: str) -> int:
    sys.stderr.write(f"tariffsim: error: {_one_line(msg)}\n")
    sys.stderr.flush()
    return EXIT_USER_ERROR


def _user_path_flag(exc: OSError, args: argparse.Namespace | None) -> str | None:
    """The flag whose value is the path (or a folder containing the path) of ``exc``, if any."""
    fn = getattr(exc, "filename", None)
    if not fn or args is None:
        return None
    try:
        f = os.path.abspath(os.fsdecode(fn))
    except (TypeError, ValueError):
        return None
    for key, value in vars(args).items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v.strip() and key not in ("argv", "command"):
                p = os.path.abspath(v)
                if f == p or f.startswith(p.rstrip(os.sep) + os.sep):
                    positional = key in ("scenario", "scenarios", "file", "gdp_csv", "study")
                    return key if positional else "--" + key.replace("_", "-")
    return None


class _GuardedStdout:
    """stdout whose write errors (a full disk, ``> /dev/full``) are user errors, not tracebacks."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def _guard(self, fn: Callable[..., Any], *a: object) -> Any:
        try:
            return fn(*a)
        except BrokenPipeError:
            raise
        except OSError as exc:
            _quiet_stdout()
            raise OutputPathError(f"standard output: cannot write ({exc.strerror or exc})") from None

    def write(self, s: str) -> int:
        return self._guard(self._stream.write, s)

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _quiet_stdout() -> None:
    """After a broken pipe: send the rest of stdout to /dev/null (no 'Exception ignored' at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout is not a real file
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """The ``tariffsim`` command. Returns the exit code: 0, 2 for a user error (one line on
    stderr, ``tariffsim: error: ...``, argparse errors included), 130 when interrupted (no
    partial output: every command that writes writes atomically).

    The boundary rule: user-caused conditions are :class:`TariffSimError` subclasses raised where
    they are detected (limits, bad numbers, unreadable files, unwritable outputs). Anything else
    that reaches this level is a bug and keeps its traceback. Numpy floating-point warnings
    (overflow, invalid value, divide by zero) in a command are errors: they mean an input took the
    model out of range.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if callable(reconfigure):
            try:
                reconfigure(errors="backslashreplace")  # file names that are not UTF-8
            except (ValueError, OSError):  # pragma: no cover
                pass
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    sys.stdout = _GuardedStdout(stdout)  # type: ignore[assignment]
    try:
        return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("tariffsim: interrupted\n")
        return 130
    except BrokenPipeError:  # e.g. piping into head
        _quiet_stdout()
        return 0
    except TariffSimError as exc:
        return _error(str(exc))
    finally:
        sys.stdout = stdout


def _main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    args.argv = argv
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    if getattr(args, "quiet", False):
        level = logging.ERROR
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    log.setLevel(level)  # also when the root logger was configured before (basicConfig is then a no-op)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("error", message=r".*encountered in", category=RuntimeWarning)  # numpy FP
        try:
            code = int(args.func(args) or 0)
        except RuntimeWarning as w:
            log.debug("numerical warning turned into an error", exc_info=True)
            raise NumericalError(
                f"numerical failure in the model ({w}); an input (rate, elasticity, data value) is out of the "
                "range the model can compute"
            ) from None
        except TariffSimError:
            raise  # the one-line error only: warnings met on the way are dropped
        except OSError as exc:
            flag = _user_path_flag(exc, args)
            if flag is None:
                raise
            raise UsageError(f"{flag}: {exc.strerror or exc}: {exc.filename}") from None
    sys.stdout.flush()  # a full disk is reported here, not at exit
    for shown in caught:  # a successful run shows its warnings as usual
        warnings.warn_explicit(shown.message, shown.category, shown.filename, shown.lineno, source=shown.source)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
