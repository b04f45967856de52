"""Helpers the command modules share: JSON on stdout, usage errors, the scenario and data a
command's flags name, quarter arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

from .. import limits
from .._util import json_default
from ..errors import TariffSimError, UsageError
from ..limits import shown
from ..outputs.files import check_output_file

if TYPE_CHECKING:
    from ..inputs.datasets import TradeData
    from ..inputs.scenario import Scenario


__all__ = [
    "EXIT_USER_ERROR",
    "print_json",
    "usage_error",
    "split_sets",
    "scenario_from_args",
    "data_from_args",
    "quarter_key",
    "check_calibrate_args",
]
EXIT_USER_ERROR = 2


def print_json(obj: Any) -> None:  # JSON-able data
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False, default=json_default) + "\n")


def data_from_args(args: argparse.Namespace) -> TradeData:
    """The dataset named by --dataset or by user files (--matrix/--labels/--gdp, --long, --baci)."""
    from ..inputs.loaders import load_data_spec

    units = args.units
    extra = {"gdp_units": args.gdp_units} if args.gdp and args.gdp_units else {}
    _files_exist_in_order(args, ("matrix", "labels", "gdp", "long", "baci", "country_codes"))
    if args.matrix or args.labels:
        if not (args.matrix and args.labels):
            raise usage_error("--matrix and --labels go together")
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
            raise usage_error("--baci needs --country-codes")
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


def _files_exist_in_order(args: argparse.Namespace, keys: tuple[str, ...]) -> None:
    """The data files the flags name exist, checked in the order the flags were typed, so that
    the error names the first missing one on the command line (the readers would meet them in
    their own order: the labels before the matrix)."""
    from ..errors import DataError

    argv = [a.split("=", 1)[0] for a in getattr(args, "argv", None) or []]
    flags = {k: "--" + k.replace("_", "-") for k in keys if getattr(args, k, None)}
    order = sorted(flags, key=lambda k: argv.index(flags[k]) if flags[k] in argv else len(argv))
    for k in order:
        limits.check_input_file(getattr(args, k), error=DataError, max_bytes=2**62)  # the readers check sizes


def usage_error(msg: str) -> TariffSimError:
    return UsageError(f"usage: {msg}")


_QUARTER_ARG = re.compile(r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$")


_DATE_ARG = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def quarter_key(text: str, flag: str) -> tuple[int, int]:
    """(year, quarter) of '1996Q1', '1996-Q1' or an ISO date '1996-02-15'; UsageError otherwise."""
    s = text.strip()
    if m := _QUARTER_ARG.match(s):
        y, q = int(m[1]), int(m[2])
    elif m := _DATE_ARG.match(s):
        import datetime

        try:
            d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise UsageError(f"{flag}: {shown(text)} is not a valid date") from None
        y, q = d.year, (d.month - 1) // 3 + 1
    else:
        raise UsageError(f"{flag}: expected a quarter like 1996Q1 (or a date like 1996-01-01), got {shown(text)}")
    if not 1800 <= y <= 2200:
        raise UsageError(f"{flag}: year {y} outside 1800-2200")
    return y, q


def check_calibrate_args(args: argparse.Namespace) -> None:
    """calibrate: the sample is not empty and the input and output paths are usable."""
    if quarter_key(args.start, "--start") > quarter_key(args.end, "--end"):
        raise UsageError(f"--start {args.start} comes after --end {args.end}; the sample is empty")
    limits.check_input_file(args.gdp_csv, kind="GDP CSV file")
    if args.out:
        check_output_file(args.out, field="--out")


def split_sets(text: str | None, *scenarios: Scenario) -> list[str] | None:
    """The set names of ``--elasticities`` (a comma list), in Unicode normalisation form C as a
    scenario's names are; a name given twice, or (with ``scenarios``) one that is neither shipped
    nor a custom set of a scenario, is a :class:`UsageError` naming the flag."""
    import unicodedata

    from ..inputs.elasticities import available_sets, io_set, io_set_names

    if text is None:
        return None
    sets = [unicodedata.normalize("NFC", x.strip()) for x in text.split(",") if x.strip()]
    if not sets:
        raise usage_error("--elasticities needs at least one set name")
    known = set(available_sets()).union(*(sc.custom_sets for sc in scenarios))
    # a sector trade-elasticity set of the multi-sector model in its own spelling ('bsy' is 'BSY')
    own = {s: es.name for s in sets if s not in known and (es := io_set(s)) is not None}
    sets = [own.get(s, s) for s in sets]
    for i, s in enumerate(sets):
        if s in sets[:i]:
            raise UsageError(f"--elasticities: set {limits.shown(s)} is listed twice")
    if scenarios:
        for s in sets:
            if s not in known and io_set(s) is None:
                raise UsageError(
                    f"--elasticities: unknown elasticity set {limits.shown(s)}; known: {', '.join(sorted(known))}; "
                    f"for the multi-sector model also {', '.join(io_set_names())}"
                )
    return sets


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, derived with the experiment flags (renamed
    NAME@rate=0.1 etc., relabelled and validated by Scenario.derive); --model is passed to the
    run, and --io-table (how the multi-sector model runs) is not baked into the name either."""
    from ..inputs.scenario import load_scenario

    sc = load_scenario(args.scenario)
    changes = {k: getattr(args, k, None) for k in ("rate", "exempt_share", "retaliation_rate", "horizon", "io_table")}
    changes = {k: v for k, v in changes.items() if v is not None}
    sc = sc.derive(**changes) if changes else sc
    limits.check_monte_carlo(  # paths x quarters within the limit, before any work
        getattr(args, "paths", None), None, sc.horizon, fields=("--paths", "--draws", "--horizon")
    )
    return sc
