"""Commands for calibration and replication: ``calibrate``, ``replicate``."""

from __future__ import annotations

import argparse
import os
import stat
from typing import TYPE_CHECKING

from ..errors import DataError
from ..limits import shown
from ..outputs.files import check_output_file
from .common import check_calibrate_args, print_json, usage_error

if TYPE_CHECKING:
    pass


__all__ = ["cmd_calibrate", "cmd_replicate"]


def cmd_calibrate(args: argparse.Namespace) -> int:
    import shlex

    from ..inputs.calibration_fit import run_calibration

    check_calibrate_args(args)
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
        from ..inputs.calibrations import write_calibration
        from ..outputs.files import atomic_write

        atomic_write(
            args.out, lambda tmp: write_calibration(cal, tmp, command=command, input_file=args.gdp_csv), field="--out"
        )
    d = cal.to_dict()
    if args.json:
        print_json(d)
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


def check_data_dir(path: str) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        what = "a link to nowhere" if os.path.islink(path) else "folder not found"
        raise DataError(f"{what}; expected the folder with the study's inputs", source=f"--data-dir {path}") from None
    except (OSError, ValueError) as exc:  # a link loop, a name too long, a NUL character
        reason = getattr(exc, "strerror", None) or "not a usable path"
        raise DataError(f"cannot read ({reason})", source=f"--data-dir {path}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise DataError(
            "is a file, not a folder; expected the folder with the study's inputs", source=f"--data-dir {path}"
        )


def _replicate_cp2015(args: argparse.Namespace) -> int:
    """``replicate cp2015``: the Caliendo-Parro (2015) NAFTA experiment, published values beside ours."""
    from ..replication.cp2015 import replicate_cp2015

    check_data_dir(args.data_dir)
    if args.out:
        check_output_file(args.out, field="--out")  # before the solves
    res = replicate_cp2015(args.data_dir, zero_deficit=not args.with_deficits)
    if args.out:
        from ..outputs.files import atomic_write

        atomic_write(args.out, lambda tmp: res.to_csv(tmp, overwrite=True), field="--out")
    if args.json:
        print_json(res.to_dict())
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
        raise usage_error(f"unknown study {shown(args.study)}; available: ilms2025, cp2015")
    check_data_dir(args.data_dir)
    if args.out:
        check_output_file(args.out, field="--out")  # before the solve
    res = replicate_ilms2025(args.data_dir, case=args.case)
    if args.out:
        from ..outputs.files import atomic_write

        atomic_write(args.out, lambda tmp: res.to_csv(tmp, overwrite=True), field="--out")
    if args.json:
        print_json(
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
