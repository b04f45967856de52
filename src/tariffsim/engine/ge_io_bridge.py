"""Scenarios on the multi-sector GE with input-output linkages (:data:`tariffsim.constants.GE_IO_MODEL`):
the scenario's measures on an input-output table, as a :class:`TradeOutcome` (docs/models/ge_io.md).

The table is the scenario's ``io_table`` (:attr:`Scenario.effective_io_table`: ``icio2022`` unless it
says ``wiod2011`` or ``cp1993``; :mod:`tariffsim.inputs.io_shipped`). The reference equilibrium is the
table itself for the calibrations on today's tables (their applied tariffs, deficits held) and the
NAFTA equilibrium for ``cp1993`` (the 1993 tables at the post-NAFTA tariffs, zero aggregate
deficits, as in the published experiment): :func:`tariffsim.inputs.io_shipped.reference_policy`.
Each tariff and retaliation measure adds its effective rate ((1 - exempt share) x rate) to the
reference tariffs of its importer on its exporters (``mode = "set"`` sets the tariff to it); the
counterfactual is solved from the reference and changes are counterfactual / reference. The
economies must be among the table's regions.

A measure on all goods (``sectors = "all"``, nothing excluded) applies to every goods sector of the
table (services carry no tariff). A measure on some sectors (``sectors = [...]`` or
``exclude_sectors``) names the dataset's HS-based sectors; it is carried to the table's sectors
through an HS concordance and US import weights: the tariff change on sector j of the flow
exporter -> importer is the trade-weighted average of the measure's change over j's HS content,
coverage_j x effective rate, coverage_j = the share of j's content in the covered dataset
sectors. ``cp1993``: ``data/mappings/hs_cp2015.csv`` (HS -> ISIC rev.3) and
``cp2015_sector_weights.csv``; today's tables: ``hs_io_sectors.csv`` (HS -> ISIC rev.3 -> the
WIOD industries or the ICIO sectors of ISIC rev.4) and ``io_sector_weights.csv``. Weights are US
imports 2024 by exporter; for flows into other importers the exporter's composition in US imports
stands in, and for US exports the composition of all US imports (stated in the notes when used).

The sector trade elasticities are the elasticity set's ``io_theta`` (one of the table's sets:
tariffwar's eight on today's tables, Caliendo-Parro's on ``cp1993``). Every outcome names the table
and the year of each piece in its notes.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._lazy import pd
from .._util import readonly
from ..constants import DEFAULT_MARKET, GE_IO_MODEL
from ..errors import ConvergenceError, ScenarioError
from ..inputs.datasets import data_file, hs2_sector_map
from ..inputs.elasticities import ElasticitySet
from ..inputs.io_shipped import (
    ELASTICITY_SETS,
    goods_mask,
    io_elasticities,
    io_elasticity_sets,
    io_sector_weights,
    io_table_meta,
    io_table_note,
    load_io_table,
    reference_policy,
    theta_for,
    with_theta,
    write_cp_layout,
)
from ..inputs.schedule import taxed_shares
from ..inputs.theta_draws import MIN_SETS, theta_distribution
from ..models.ge_io import IOChanges, IOModel, IOSolution, calibrate, changes, iso3_codes, solve_io
from .trade import Horizon, TradeContext, TradeOutcome

if TYPE_CHECKING:
    from ..inputs.measures import TariffMeasure
    from ..inputs.scenario import Scenario
    from ..models.ge_io import IOData

__all__ = [
    "export_io",
    "ge_io_trade",
    "ge_io_trade_many",
    "ge_io_model_draws",
    "ge_io_refuses",
    "ge_io_default_sets",
    "theta_summary",
    "path_changes",
    "ge_io_tariffs",
    "ge_io_check_scenario",
    "ge_io_tariffs_and_notes",
    "sector_coverage",
    "sector_shares",
    "hs_cp2015",
    "cp2015_sector_weights",
]

#: Importer whose import data give the weights, and the row of all its partners.
WEIGHTS_IMPORTER = DEFAULT_MARKET
WEIGHTS_ALL = "WLD"
MAPPING_NOTE = (
    "sector measures on ge-io: HS-based sectors carried to the 20 Caliendo-Parro goods sectors by "
    "data/mappings/hs_cp2015.csv (UN/WITS HS-ISIC rev.3); where a CP sector holds several dataset sectors "
    "its tariff change is the trade-weighted average over its HS content (weights: US Census 2024 imports "
    "from the exporter, data/mappings/cp2015_sector_weights.csv)"
)
IO_MAPPING_NOTE = (
    "sector measures on ge-io: HS-based sectors carried to the {n} goods sectors of {table} by "
    "data/mappings/hs_io_sectors.csv (HS -> ISIC rev.3 -> {classes}); where a sector holds several dataset sectors "
    "its tariff change is the trade-weighted average over its HS content (weights: US Census 2024 imports from "
    "the exporter, data/mappings/io_sector_weights.csv)"
)


@functools.cache
def _reference(table: str, theta_set: str) -> tuple[IOData, IOModel, IOSolution, str]:
    """The table with the sector trade elasticities of ``theta_set``, its calibration, its reference
    equilibrium and the reference's description (cached: one per table and set)."""
    io = load_io_table(table)
    if theta_set != "CP" or table != "cp1993":
        io = with_theta(io, theta_for(table, theta_set))
    model = calibrate(io)
    tariffs, d_hat, deficit, text = reference_policy(table, io)
    ref = solve_io(model, tariffs, d_hat, deficit)
    return io, model, ref, text


@functools.cache
def hs_cp2015() -> pd.DataFrame:
    """The HS -> Caliendo-Parro sector concordance (``data/mappings/hs_cp2015.csv``): columns hs (2, 4
    or 6 digits; the most specific prefix wins), cp_sector ('' = no traded sector), isic3, description."""

    with data_file("mappings", "hs_cp2015.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, comment="#")


@functools.cache
def cp2015_sector_weights() -> pd.DataFrame:
    """HS content of each CP sector in US imports 2024 by exporter and dataset sector
    (``data/mappings/cp2015_sector_weights.csv``, built by data/build/build_ge_io_weights.py)."""

    with data_file("mappings", "cp2015_sector_weights.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"exporter": str, "importer": str, "cp_sector": str, "sector": str}, comment="#")


@functools.cache
def _weight_cube(table: str, io_sectors: tuple[str, ...]) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """exporter -> (J, S) shares of each table sector's HS content by dataset sector (rows of sectors
    without content are zero), and the dataset sectors S in the order of hs2_sectors.csv."""

    sectors = tuple(dict.fromkeys(hs2_sector_map().values()))
    if table == "cp1993":
        w = cp2015_sector_weights().rename(columns={"cp_sector": "io_sector"})
    else:
        w = io_sector_weights()
        w = w[w["calibration"] == table]
    jx = {c: k for k, c in enumerate(io_sectors)}
    sx = {c: k for k, c in enumerate(sectors)}
    out: dict[str, np.ndarray] = {}
    for e, g in w.groupby("exporter", sort=False):
        a = np.zeros((len(io_sectors), len(sectors)))
        a[g["io_sector"].map(jx).to_numpy(int), g["sector"].map(sx).to_numpy(int)] = g["value_usd"].to_numpy(float)
        tot = a.sum(axis=1, keepdims=True)
        out[str(e)] = np.divide(a, tot, out=np.zeros_like(a), where=tot > 0)  # shares from the values
    return out, sectors


def sector_coverage(
    sectors: set[str], exporter: str, importer: str, cp_sectors: tuple[str, ...], table: str = "cp1993"
) -> tuple[np.ndarray, list[str]]:
    """Share of each table sector's HS content (flow ``exporter`` -> ``importer``) that lies in the
    dataset ``sectors``, shape (J,), and the notes on the weights used (fallbacks). Services: 0."""
    _, order = _weight_cube(table, tuple(cp_sectors))
    return sector_shares(np.array([s in sectors for s in order], dtype=float), exporter, importer, cp_sectors, table)


def sector_shares(
    shares: np.ndarray, exporter: str, importer: str, cp_sectors: tuple[str, ...], table: str = "cp1993"
) -> tuple[np.ndarray, list[str]]:
    """A share by dataset sector (S,), in the order of hs2_sectors.csv, carried to the table's sectors
    (J,): the mean over each sector's HS content (flow ``exporter`` -> ``importer``), and the notes on
    the weights used (fallbacks). Services: 0."""
    cube, order = _weight_cube(table, tuple(cp_sectors))
    pick = np.asarray(shares, dtype=float)
    notes: list[str] = []
    wld = cube[WEIGHTS_ALL]
    if exporter == WEIGHTS_IMPORTER or exporter not in cube:
        a = wld
        notes.append(
            f"{exporter} -> {importer}: no import data for this flow by HS product; assumption: within each sector "
            f"its HS composition is that of all US imports (Census 2024)"
        )
    else:
        a = cube[exporter].copy()
        if importer != WEIGHTS_IMPORTER:
            notes.append(
                f"{exporter} -> {importer}: no import data by HS product for {importer}; assumption: within each "
                f"sector the HS composition is that of {exporter}'s exports to the US (Census 2024)"
            )
        empty = (a.sum(axis=1) == 0) & (wld.sum(axis=1) > 0)
        if empty.any():
            a[empty] = wld[empty]
            names = ", ".join(cp_sectors[k] for k in np.flatnonzero(empty))
            notes.append(
                f"{exporter} -> {importer}: no US imports from {exporter} in {names}; assumption: the HS composition "
                f"of all US imports (Census 2024) in those sectors"
            )
    return a @ pick, notes


def _covered(m: TariffMeasure, where: str, source: str | None, table: str = "cp1993") -> set[str] | None:
    """Dataset sectors a measure covers (None: all goods, the whole table as before)."""

    if m.sectors == "all" and not m.exclude_sectors:
        return None
    known = list(dict.fromkeys(hs2_sector_map().values()))

    def check(s: str, w: str) -> str:
        if s not in known:
            raise ScenarioError(
                f"sector {s!r} cannot be mapped to the sectors of input-output table {table}: the ge-io model maps the "
                "HS-based "
                f"sectors of data/mappings/hs2_sectors.csv ({', '.join(known)})",
                source=source,
                field=w,
            )
        return s

    cov = set(known) if m.sectors == "all" else {check(s, f"{where}.sectors[{k}]") for k, s in enumerate(m.sectors)}
    for k, s in enumerate(m.exclude_sectors):
        cov.discard(check(s, f"{where}.exclude_sectors[{k}]"))
    return cov


def ge_io_check_scenario(scenario: Scenario) -> None:
    """The scenario's measures on its input-output table (regions, sectors, no dated or panel rates):
    a ScenarioError naming the field, as the run would raise it."""
    table = scenario.effective_io_table
    ge_io_tariffs_and_notes(scenario, load_io_table(table), table)


#: (scenario hash, table) -> its tariffs (read-only) and notes: the check before a run, every elasticity set
#: and the export compute them once (the tariffs depend on the table's regions, sectors and baseline, not on θ)
_TARIFFS: dict[tuple[str, str], tuple[np.ndarray, tuple[str, ...]]] = {}
_TARIFFS_KEPT = 32


def ge_io_tariffs_and_notes(
    scenario: Scenario, io: IOData, table: str | None = None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The scenario's tariffs on input-output table ``table`` (default: the scenario's; ``io`` its
    data), (importer, exporter, sector), read-only, and the notes on how sector measures were mapped
    (empty when every measure is on all goods)."""

    table = scenario.effective_io_table if table is None else table
    key = (scenario.hash, table)
    hit = _TARIFFS.get(key)
    if hit is None:
        hit = _tariffs_and_notes(scenario, io, table)
        hit[0].setflags(write=False)
        if len(_TARIFFS) >= _TARIFFS_KEPT:
            _TARIFFS.clear()
        _TARIFFS[key] = hit
    return hit


def _tariffs_and_notes(scenario: Scenario, io: IOData, table: str) -> tuple[np.ndarray, tuple[str, ...]]:
    codes = list(iso3_codes(io.regions))
    t = np.array(reference_policy(table, io)[0], dtype=float, copy=True)
    # all goods: the table's goods sectors; on cp1993 every sector, as the replication always did (its
    # 20 services sectors are not traded, so a tariff on them changes nothing)
    goods = np.ones(io.J, dtype=bool) if table == "cp1993" else goods_mask(io)
    notes: list[str] = []
    if table == "cp1993":
        mapping = MAPPING_NOTE
    else:
        classes = (
            "WIOD industries c1-c35" if table.startswith("wiod") else "ISIC rev.4 ICIO sectors (UNSD correspondence)"
        )
        mapping = IO_MAPPING_NOTE.format(n=int(goods_mask(io).sum()), table=table, classes=classes)
    groups = (("tariffs", scenario.tariffs), ("retaliation", scenario.retaliation))
    for key, ms in groups:
        for i, m in enumerate(ms):
            where = f"{key}[{i}]"
            if m.start is not None or m.end is not None or m.panel is not None:
                raise ScenarioError(
                    f"the multi-sector model is static on its input-output table ({table}): it takes no dated "
                    "measures and no panel rates (the panel is on the default dataset's regions); run it with the pe "
                    "or ge model",
                    source=scenario.source,
                    field=where,
                )
            cov = _covered(m, where, scenario.source, table)

            def idx(code: str, w: str) -> int:
                if code not in codes:
                    raise ScenarioError(
                        f"{code} is not among the regions of input-output table {table} ({', '.join(codes)})",
                        source=scenario.source,
                        field=w,
                    )
                return codes.index(code)

            h = idx(m.importer, f"{where}.importer")
            if m.exporters == "all":
                ex = [j for j in range(len(codes)) if j != h]
            else:
                ex = [idx(c, f"{where}.exporters[{k}]") for k, c in enumerate(m.exporters)]
            if cov is None and m.uniform:  # all goods: every goods sector of the table
                rows = np.ix_(np.array([h]), np.array(ex, dtype=int), np.flatnonzero(goods))
                if m.mode == "add":
                    t[rows] += m.effective_rate
                else:
                    t[rows] = m.exempt_share * t[rows] + m.effective_rate
                continue
            if mapping not in notes:
                notes.append(mapping)
            sectors = tuple(dict.fromkeys(hs2_sector_map().values()))
            covered = set(sectors) if cov is None else cov
            for e in ex:
                # the taxed share of each dataset sector (coverage x not exempt, product by product when the
                # measure has claims or product lists), carried to the table's sectors by their HS content
                u = taxed_shares(m, [codes[e]], sectors, source=scenario.source, where=where)[0]
                u = u * np.array([s in covered for s in sectors], dtype=float)
                c, why = sector_shares(u, codes[e], codes[h], tuple(io.sectors), table)
                notes.extend(f"{where}: {n}" for n in why if f"{where}: {n}" not in notes)
                r = m.rates.get(codes[e], m.rate) if m.rates else m.rate
                if m.mode == "add":
                    t[h, e, :] += c * r
                else:
                    t[h, e, :] = (1.0 - c) * t[h, e, :] + c * r
    return t, tuple(notes)


def ge_io_tariffs(scenario: Scenario, io: IOData, table: str | None = None) -> np.ndarray:
    """The scenario's tariffs on input-output table ``table``, (importer, exporter, sector)."""
    return ge_io_tariffs_and_notes(scenario, io, table)[0]


@functools.lru_cache(maxsize=64)
def _solve(table: str, theta_set: str, key: bytes, shape: tuple[int, ...]) -> Any:
    io, model, ref, _ = _reference(table, theta_set)
    tariffs = np.frombuffer(key).reshape(shape)
    _, d_hat, deficit, _ = reference_policy(table, io)
    final, ch = path_changes(model, ref, tariffs, d_hat, deficit)
    return final, dataclasses.replace(ch, model=model)


#: Tolerance (percentage points of real income, every region) of the path-integrated decomposition.
PATH_TOL_PP = 1e-3
#: Steps of the path: start, and the most before the decomposition is declared unconverged.
PATH_STEPS = (16, 256)


def path_changes(
    model: Any, ref: Any, tariffs: np.ndarray, d_hat: np.ndarray, deficit: np.ndarray, *, tol_pp: float = PATH_TOL_PP
) -> tuple[Any, Any]:
    """The counterfactual at ``tariffs`` solved from ``ref``, and its changes with the welfare
    decomposition integrated along the straight path of tariffs from ``ref``'s to ``tariffs``.

    Caliendo and Parro's decomposition (terms of trade, volume of trade, technical efficiency) is
    exact for an infinitesimal change; their one-step formula, evaluated at the reference
    weights, is its first-order version, fine for NAFTA's small tariff cuts (the replication uses
    it, as the paper does) but not for a 25 % tariff: with Mexican retaliation it gives Mexico
    +0.88 % against an exact real income change of -1.36 %. Here the path is cut into K equal
    tariff steps, each solved from the last; a step's terms are the average of the forward
    formula (at the step's start) and the negated backward one (at its end), a trapezoid rule, in
    log points of income; their sum converges to the exact log change of real income (error
    O(1/K^2)). K doubles from 16 until every region's sum is within ``tol_pp`` of the exact log
    change; the log-point terms are then scaled by (exp(L) - 1)/L so that they add up to the exact
    percent change. Returns ``(solution, changes)``; ``changes`` is an :class:`IOChanges` whose
    decomposition is the integrated one and whose ``path_steps`` and ``path_gap_pp`` say how it
    was obtained. Raises :class:`ConvergenceError` if K = 256 does not reach ``tol_pp``.
    """

    final = solve_io(model, tariffs, d_hat, deficit, start=ref)
    exact = changes(ref, final)
    target = np.log1p(np.asarray(exact.real_income_pct) / 100.0)
    t0 = np.asarray(ref.tariffs, dtype=float)
    K, gap = PATH_STEPS[0], np.inf
    while True:
        terms = np.zeros((3, *exact.tot_bilateral.shape))
        prev = ref
        for k in range(1, K + 1):
            step = final if k == K else solve_io(model, t0 + (tariffs - t0) * (k / K), d_hat, deficit, start=prev)
            fwd, bwd = changes(prev, step), changes(step, prev)
            for i, name in enumerate(("tot_bilateral", "vot_bilateral", "tech_bilateral")):
                terms[i] += 0.5 * (getattr(fwd, name) - getattr(bwd, name)) / 100.0
            prev = step
        total = terms.sum(axis=(0, 2, 3))
        gap = float(100.0 * np.max(np.abs(total - target)))
        if gap <= tol_pp:
            break
        if K >= PATH_STEPS[1]:
            raise ConvergenceError(
                f"the path-integrated welfare decomposition is {gap:.2g} pp from the exact real income change "
                f"after {K} steps (tolerance {tol_pp} pp)",
                iterations=K,
                residual=gap,
                method="path-integrated welfare decomposition",
            )
        K *= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(np.abs(target) > 1e-14, np.expm1(target) / target, 1.0)[:, None, None]
    tot, vot, tech = (100.0 * terms[i] * scale for i in range(3))
    path = dataclasses.replace(
        exact,
        tot_bilateral=readonly(tot),
        vot_bilateral=readonly(vot),
        tech_bilateral=readonly(tech),
        path_steps=K,
        path_gap_pp=gap,
    )
    return final, path


def _table_sets(table: str) -> tuple[str, ...]:
    return tuple(io_elasticities(table).columns)


def ge_io_refuses(es: ElasticitySet, scenario: Scenario) -> str | None:
    """Why an elasticity set cannot run in the multi-sector model on the scenario's input-output
    table (None when it can): the model's long run needs one of the table's sector trade-elasticity
    sets (the set's ``io_theta``)."""
    table = scenario.effective_io_table
    have = _table_sets(table)
    if es.io_theta is None:
        return (
            f"elasticity set {es.name!r} has no sector trade elasticities for the multi-sector model (its io_theta "
            f"names none); input-output table {table} has: {', '.join(have)} (elasticity sets of these names, or "
            "'central' for CP)"
        )
    if es.io_theta not in have:
        return (
            f"elasticity set {es.name!r}: io_theta {es.io_theta!r} is not a sector trade-elasticity set of input-output "
            f"table {table}; it has: {', '.join(have)}"
        )
    return None


def ge_io_default_sets(scenario: Scenario) -> tuple[str, ...] | None:
    """The elasticity sets a scenario that names none runs in the multi-sector model: every sector
    trade-elasticity set of its input-output table (the spread is the answer's uncertainty); on
    ``cp1993``, which has Caliendo and Parro's only, the scenario's own defaults (those with it run)."""
    have = _table_sets(scenario.effective_io_table)
    return tuple(s for s in ELASTICITY_SETS if s in have) if len(have) > 1 else None


def ge_io_trade(ctx: TradeContext, es: ElasticitySet, horizon: Horizon = "long-run") -> TradeOutcome[IOChanges]:
    """The long run of the multi-sector GE for the context's scenario on its input-output table: trade
    exporter x importer x sector (US dollars of the table's year, at exporter prices, net of
    tariffs) before and after, and each region's real income change. The sector trade elasticities
    are the set's ``io_theta`` (:func:`ge_io_refuses` says which the table has), times its
    ``io_theta_factors`` for a parameter draw (:func:`ge_io_trade_many`)."""

    if es.io_theta_factors is not None:
        return ge_io_trade_many([(ctx, es)], horizon)[0]
    table = ctx.scenario.effective_io_table
    theta_set = str(es.io_theta)
    io, _model, ref, ref_text = _reference(table, theta_set)
    t, mapping_notes = ge_io_tariffs_and_notes(ctx.scenario, io, table)
    shock, ch = _solve(table, theta_set, np.ascontiguousarray(t).tobytes(), t.shape)
    notes = (
        f"welfare decomposition (terms of trade, volume of trade, technical efficiency) integrated along the "
        f"path of tariffs from the reference ({ch.path_steps} steps, trapezoid rule) and adding up to the exact "
        "real income change; Caliendo and Parro's one-step formula is first-order, and off for shocks this large",
        *mapping_notes,
    )
    return _io_outcome(table, theta_set, io, ref, ref_text, shock, ch, t, notes)


def ge_io_trade_many(cases: Sequence[tuple[TradeContext, ElasticitySet]], horizon: Horizon) -> list[TradeOutcome]:
    """:func:`ge_io_trade` for many cases. A parameter draw (a set with ``io_theta_factors``) is its
    table with the drawn sector trade elasticities: its own reference equilibrium (on today's
    tables the data themselves, found at the first evaluation) and the counterfactual solved from it,
    each draw independently of the others (so any split of the draws, e.g. over Dask workers, gives
    the same numbers; starting from the previous draw or from the central counterfactual took no
    fewer steps, the elasticities differ too much between draws). A draw's welfare decomposition is
    Caliendo and Parro's one-step formula (draws report real income and output, not the
    decomposition). The table, its calibration and the scenario's tariffs on it are built once."""
    out: list[TradeOutcome] = []
    tariffs: dict[tuple[int, str], tuple[np.ndarray, tuple[str, ...]]] = {}
    for ctx, es in cases:
        if es.io_theta_factors is None:
            out.append(ge_io_trade(ctx, es, horizon))
            continue
        table = ctx.scenario.effective_io_table
        theta_set = str(es.io_theta)
        io, model, _ref, ref_text = _reference(table, theta_set)
        key = (id(ctx.scenario), table)
        if key not in tariffs:
            tariffs[key] = ge_io_tariffs_and_notes(ctx.scenario, io, table)
        t, mapping_notes = tariffs[key]
        factors = np.asarray(es.io_theta_factors, dtype=float)
        if factors.shape != (io.J,):
            raise ScenarioError(
                f"{factors.size} sector trade-elasticity factors for input-output table {table}, which has {io.J} "
                "sectors",
                source=ctx.scenario.source,
                field="elasticities",
            )
        drawn = dataclasses.replace(model, data=with_theta(model.data, io.theta * factors))
        t_ref, d_hat, deficit, _ = reference_policy(table, io)
        ref = solve_io(drawn, t_ref, d_hat, deficit)
        shock = solve_io(drawn, t, d_hat, deficit, start=ref)
        ch = dataclasses.replace(changes(ref, shock), model=drawn)
        notes = (
            "parameter draw: sector trade elasticities of the set times drawn factors (tariffsim.inputs.theta_draws); "
            "welfare decomposition by Caliendo and Parro's one-step formula",
            *mapping_notes,
        )
        out.append(_io_outcome(table, theta_set, io, ref, ref_text, shock, ch, t, notes))
    return out


def _io_outcome(
    table: str,
    theta_set: str,
    io: IOData,
    ref: IOSolution,
    ref_text: str,
    shock: IOSolution,
    ch: IOChanges,
    t: np.ndarray,
    notes: tuple[str, ...],
) -> TradeOutcome[IOChanges]:
    V0 = np.transpose(ref.trade, (1, 0, 2))
    V1 = np.transpose(shock.trade, (1, 0, 2))
    tx0 = np.transpose(ref.tariffs, (1, 0, 2))
    tx1 = np.transpose(t, (1, 0, 2))
    cite = theta_summary(table, theta_set)["label"]
    return TradeOutcome(
        model=GE_IO_MODEL,
        horizon="long-run",
        countries=tuple(iso3_codes(io.regions)),
        sectors=tuple(io.sectors),
        V0=V0,
        V1=V1,
        revenue0=tx0 * V0,
        revenue1=tx1 * V1,
        import_price_hat=np.asarray(ch.P_hat, dtype=float),
        solver=shock.solver,
        detail=ch,
        real_income_pct=np.asarray(ch.real_income_pct, dtype=float),
        on_dataset=False,
        notes=(
            io_table_note(table),
            f"multi-sector GE (Caliendo-Parro 2015) on input-output table {table}: {ref_text}; sector trade "
            f"elasticities: {theta_set} ({cite}); trade in US dollars of the table's year",
            *notes,
        ),
    )


def ge_io_model_draws(scenario: Scenario, central: ElasticitySet, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """The multi-sector model's own parameter draws for a run of ``scenario`` around set ``central``:
    factors on its sector trade elasticities (:func:`tariffsim.inputs.theta_draws.theta_distribution`),
    one column per sector of the input-output table (:data:`tariffsim.inputs.theta_draws.THETA_FACTOR`).
    A table with too few published sets for a spread (``cp1993``) has none: no columns, the long run
    of every draw is the set's own."""
    table = scenario.effective_io_table
    if io_elasticities(table).shape[1] < MIN_SETS:
        return pd.DataFrame(index=pd.RangeIndex(n))
    return theta_distribution(table, str(central.io_theta)).frame(rng, n)


@functools.cache
def theta_summary(table: str, theta_set: str) -> dict[str, Any]:
    """What sector trade-elasticity set ``theta_set`` is on input-output table ``table``: its
    ``label`` (short citation), ``citation``, and ``theta_trade_weighted``, the mean of its sector
    θ weighted by the table's trade between regions (domestic flows left out), the one number that
    tells the sets apart."""
    meta = io_elasticity_sets().get(theta_set, {})
    io = load_io_table(table)
    th = io_elasticities(table)[theta_set].reindex(list(io.sectors)).to_numpy(float)
    cross = io.trade.sum(axis=(0, 1)) - np.einsum("nnj->j", io.trade)
    ok = np.isfinite(th) & (cross > 0)
    mean = float(np.sum(th[ok] * cross[ok]) / np.sum(cross[ok])) if ok.any() else float("nan")
    return {
        "io_theta": theta_set,
        "label": str(meta.get("label") or theta_set),
        "citation": str(meta.get("citation") or ""),
        "theta_trade_weighted": mean,
    }


def export_io(
    table: str,
    scenario: Scenario,
    out_dir: str | os.PathLike,
    *,
    theta_set: str = "CP",
    overwrite: bool = False,
) -> Path:
    """Write input-output table ``table`` in the Caliendo-Parro layout with the scenario's tariffs as
    the counterfactual (``tariffsim data export-io``), so that ``tariffsim replicate cp2015 --data-dir
    DIR`` and any independent implementation of the model solve the same experiment.

    ``trade.csv``: ``tariff`` = the tariffs the table's trade was observed under (they give the
    shares), ``tariff_bln`` = the reference tariffs the model runs the scenario from
    (:func:`tariffsim.inputs.io_shipped.reference_policy`), ``tariff_cfl`` = the scenario's tariffs on
    the table (:func:`ge_io_tariffs_and_notes`), ``d_bln`` = ``d_cfl`` = 1; ``theta.csv``: the sector
    trade elasticities of ``theta_set``. The reference's deficits: the table's own on today's tables
    (solve with ``replicate cp2015 --with-deficits``), zero on cp1993 (the default). ``meta.json``
    says all of this, with the table's pieces and years and the scenario's name and hash."""
    data, _model, _ref, ref_text = _reference(table, theta_set)
    shock, notes = ge_io_tariffs_and_notes(scenario, data, table)
    tariff_bln, d_hat, deficit, _ = reference_policy(table, data)
    out = dataclasses.replace(
        data,
        tariff_bln=np.asarray(tariff_bln),
        tariff_cfl=shock,
        d_bln=np.asarray(d_hat),
        d_cfl=np.asarray(d_hat),
    )
    meta_in = io_table_meta(table)
    held = bool(np.any(deficit != 0))
    meta = {
        "name": f"{table}+{scenario.name}",
        "table": meta_in.get("table"),
        "io_table": table,
        "pieces": meta_in.get("pieces"),
        "scenario": scenario.name,
        "scenario_hash": scenario.hash,
        "experiment": {
            "tariff": "the tariffs the table's trade was observed under (they give the expenditure shares)",
            "tariff_bln": f"the reference tariffs ({ref_text})",
            "tariff_cfl": f"the reference tariffs plus the measures of scenario {scenario.name}",
            "d_bln, d_cfl": "1 (no change in iceberg costs)",
            "deficits": "held at the table's values: solve with `tariffsim replicate cp2015 --with-deficits`"
            if held
            else "zero in both solves: `tariffsim replicate cp2015` (its default)",
        },
        "theta": f"sector trade elasticities of set {theta_set}",
        "units": "US dollars; tariffs as shares",
        "notes": list(notes),
    }
    path = Path(out_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_cp_layout(out, path, meta=meta, overwrite=overwrite)
