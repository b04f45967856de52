"""Commands that read and run: ``data info``, ``scenarios``, ``validate``, ``run``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .._util import usd_scale, usd_text
from .common import data_from_args, print_json, scenario_from_args, split_sets

if TYPE_CHECKING:
    pass


__all__ = ["cmd_data_info", "cmd_data_export_io", "cmd_scenarios", "cmd_validate", "cmd_run", "cmd_backtest"]


def cmd_data_info(args: argparse.Namespace) -> int:
    data = data_from_args(args)
    info = data.info()
    if args.json:
        print_json(info)
        return 0
    print(f"dataset   {info['name']} ({info['year'] or 'year not stated'})")
    if info.get("description"):
        print(f"          {info['description']}")
    print(f"countries {', '.join(info['countries'])}")
    print(f"sectors   {', '.join(info['sectors'])}")
    gdp_usd = info["gdp_usd"] or {}
    t_div, t_unit = usd_scale(max([*info["exports_usd"].values(), *info["imports_usd"].values()], default=0.0))
    g_div, g_unit = usd_scale(max(gdp_usd.values(), default=0.0))
    print(f"flows     {info['n_flows']} non-zero, total {usd_text(info['total_trade_usd'])}")
    heads = (f"exports {t_unit}", f"imports {t_unit}", f"GDP {g_unit}")
    print(f"{'':10}{heads[0]:>18}{heads[1]:>18}{heads[2]:>16}")
    for c in info["countries"]:
        gdp = gdp_usd[c] / g_div if gdp_usd else float("nan")
        print(f"{c:10}{info['exports_usd'][c] / t_div:18,.1f}{info['imports_usd'][c] / t_div:18,.1f}{gdp:16,.1f}")
    print("sources:" if info["sources"] else "sources:  none stated (files given on the command line)")
    for s in info["sources"]:
        print(
            f"  - {s.get('figure', '')}: {s.get('publisher', '')}, {s.get('table', '')}, {s.get('year', '')}, {s.get('units', '')}"
        )
    if info.get("assumptions"):
        print("assumptions:")
        for a in info["assumptions"]:
            print(f"  - {a}")
    return 0


def cmd_data_export_io(args: argparse.Namespace) -> int:
    """``data export-io NAME --scenario S --out DIR``: the table in the Caliendo-Parro layout with the
    scenario's tariffs as the counterfactual (:func:`tariffsim.engine.ge_io_bridge.export_io`)."""
    from ..engine.ge_io_bridge import export_io
    from ..errors import OutputExistsError, UsageError
    from ..inputs.elasticities import io_set
    from ..inputs.scenario import load_scenario
    from ..limits import shown
    from ..outputs.files import check_output_dir, missing_folders, output_error, remove_created

    out = check_output_dir(args.out, field="--out")
    es = io_set(args.elasticities)
    if es is None or es.io_theta is None:
        raise UsageError(f"--elasticities: unknown sector trade-elasticity set {shown(args.elasticities)}")
    sc = load_scenario(args.scenario)
    if (out.exists() or out.is_symlink()) and not args.force:
        raise OutputExistsError(f"--out: {out} exists; pass --force to replace its files")
    created = missing_folders(out)  # removed again if the write fails
    try:
        path = export_io(args.name, sc, out, theta_set=es.io_theta, overwrite=args.force)
    except BaseException as exc:
        remove_created(created)
        if isinstance(exc, OSError):
            raise output_error(exc, out, field="--out") from None
        raise
    print(
        f"wrote {args.name} with the tariffs of {sc.name} to {path} (Caliendo-Parro layout; solve with "
        f"`tariffsim replicate cp2015 --data-dir {path}{'' if args.name == 'cp1993' else ' --with-deficits'}`)"
    )
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from ..inputs.scenario import builtin_scenarios

    items = builtin_scenarios()
    if args.json:
        print_json([{"name": n, "description": d} for n, d in items])
        return 0
    width = max(len(n) for n, _ in items)
    for n, d in items:
        print(f"{n:{width}}  {d}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ..engine.simulation import resolve
    from ..inputs.scenario import load_scenario, validate_file

    if args.file.endswith(".toml") or "/" in args.file:
        sc = validate_file(args.file, check_data=not args.no_data)
    else:  # a built-in name, as `run` accepts
        sc = load_scenario(args.file)
        if not args.no_data:
            sc.validate_against(sc.load_data())
    if not args.no_data:
        # the checks `run` makes before it computes anything: the country's value added, capital facts,
        # uncertainty drag, baseline growth forecast and recession calibration, from the scenario or shipped data
        resolve(sc)
    print(
        f"{args.file}: valid scenario {sc.name!r} ({len(sc.tariffs)} tariff measure(s), "
        f"{len(sc.retaliation)} retaliation measure(s), sets: {', '.join(sc.elasticity_sets)}; hash {sc.hash})"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ..engine.simulation import simulate

    sc = scenario_from_args(args)
    kw = {
        "elasticities": split_sets(args.elasticities, sc),
        "model": args.model,
        "draws": args.draws,
        "n_paths": args.paths,
        "seed": args.seed,
        "method": args.method,
    }
    if args.scheduler is None and not args.workers:  # in this process: no Dask to load
        res = simulate(sc, **kw)
    else:
        from .report import dask_client

        with dask_client(args.scheduler, args.workers) as client:
            res = simulate(sc, **kw, scheduler=client)
    if args.json:
        print_json(res.to_json())
    else:
        print(res.summary_text())
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from ..engine.backtest import backtest
    from ..outputs.backtests import backtest_text, track_record_markdown, write_backtests
    from ..outputs.files import check_target_dir

    if args.out:
        check_target_dir(args.out, args.force, field="--out")  # before any work
    res = backtest(args.episode or None, split_sets(args.elasticities))
    if args.out:
        files = write_backtests(res, args.out, force=args.force, out_field="--out")
        print(f"back-tests written to {args.out} ({len(files)} files); open {args.out}/backtests.html")
    elif args.json:
        print_json(res.to_dict())
    elif args.markdown:
        print(track_record_markdown(res))
    else:
        print(backtest_text(res))
    return 0
