"""Command line: a thin layer that parses, calls the library and prints.

User mistakes (``TariffSimError``) become one line on stderr and exit code 2, never a traceback.
Heavy modules (scipy, matplotlib, the models) are imported inside the command that needs them, so
``tariffsim --help`` starts fast.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from . import __version__
from .errors import TariffSimError

log = logging.getLogger("tariffsim")

EXIT_USER_ERROR = 2


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, allow_nan=False, default=_json_default) + "\n")


def _json_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


# ----------------------------------------------------------------------------- data info


def _data_from_args(args):
    """The dataset named by --dataset or by user files (--matrix/--labels/--gdp, --long, --baci)."""
    from .datasets import load_data_spec

    units = args.units
    extra = {"gdp_units": args.gdp_units} if args.gdp and args.gdp_units else {}
    if args.matrix or args.labels:
        if not (args.matrix and args.labels):
            raise _usage("--matrix and --labels go together")
        spec = {"format": "matrix", "matrix": args.matrix, "labels": args.labels, "gdp": args.gdp,
                "units": units or "thousand USD"}
    elif args.long:
        spec = {"format": "long", "path": args.long, "gdp": args.gdp, "units": units or "USD"}
    elif args.baci:
        if not args.country_codes:
            raise _usage("--baci needs --country-codes")
        spec = {"format": "baci", "path": args.baci, "country_codes": args.country_codes, "gdp": args.gdp,
                "units": units or "thousand USD"}
    else:
        return load_data_spec(args.dataset)
    spec = {k: v for k, v in {**spec, **extra}.items() if v is not None}
    return load_data_spec(spec)


def _usage(msg: str) -> TariffSimError:
    return TariffSimError(f"usage: {msg}")


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


def cmd_data_info(args) -> int:
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
        print(f"  - {s.get('figure', '')}: {s.get('publisher', '')}, {s.get('table', '')}, {s.get('year', '')}, {s.get('units', '')}")
    if info.get("assumptions"):
        print("assumptions:")
        for a in info["assumptions"]:
            print(f"  - {a}")
    return 0


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
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
    d.set_defaults(func=lambda a: (d.print_help(), 0)[1])

    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except TariffSimError as exc:
        msg = " ".join(str(exc).split())
        sys.stderr.write(f"tariffsim: error: {msg}\n")
        return EXIT_USER_ERROR
    except BrokenPipeError:  # pragma: no cover - e.g. piping into head
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        sys.stderr.write("tariffsim: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
