"""Scenarios on the multi-sector GE with input-output linkages (:data:`tariffsim.constants.GE_IO_MODEL`):
the scenario's measures on the Caliendo-Parro (2015) tables, as a :class:`TradeOutcome`
(docs/models/ge_io.md).

The reference equilibrium is the NAFTA one: the 1993 tables solved at the post-NAFTA tariffs
(``tariff_cfl``), with zero aggregate deficits as in the published experiment. Each tariff and
retaliation measure adds its effective rate ((1 - exempt share) x rate) to the reference tariffs
of its importer on its exporters (``mode = "set"`` sets the tariff to it); the counterfactual is
solved from the reference and changes are counterfactual / reference. The economies must be among
the tables' 31 regions.

A measure on all goods (``sectors = "all"``, nothing excluded) applies to every one of the 40
sectors. A measure on some sectors (``sectors = [...]`` or ``exclude_sectors``) is carried to the
tables' 20 goods sectors (ISIC rev.3) through ``data/mappings/hs_cp2015.csv`` (HS product ->
CP sector) and ``data/mappings/cp2015_sector_weights.csv`` (HS content of each CP sector in US
imports 2024 by exporter, split by the dataset's HS-based sectors): the tariff change on CP
sector j of the flow exporter -> importer is the trade-weighted average of the measure's change
over that sector's HS content, i.e. coverage_j x effective rate, coverage_j = the share of j's
content in the covered dataset sectors. Services carry no tariff. Weights are US import weights;
for flows into other importers the exporter's composition in US imports stands in, and for US
exports the composition of all US imports (stated in the outcome's notes when used).

The model's own sector trade elasticities (Caliendo-Parro's θ) apply: the elasticity set does not
enter. The structure is 1993's; every outcome says so in its notes.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._util import readonly
from ..constants import DEFAULT_MARKET, GE_IO_MODEL
from ..errors import ConvergenceError, ScenarioError
from ..inputs.datasets import data_file, hs2_sector_map
from ..inputs.elasticities import ElasticitySet
from ..inputs.io_tables import load_shipped
from ..inputs.schedule import taxed_shares
from ..models.ge_io import STRUCTURE_NOTE, IOChanges, calibrate, changes, iso3_codes, solve_io
from .trade import Horizon, TradeContext, TradeOutcome

if TYPE_CHECKING:
    from ..inputs.measures import TariffMeasure
    from ..inputs.scenario import Scenario
    from ..models.ge_io import IOData

__all__ = [
    "ge_io_trade",
    "ge_io_refuses",
    "TABLE_THETA_SETS",
    "path_changes",
    "ge_io_tariffs",
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


@functools.cache
def _reference() -> tuple[Any, Any, Any]:

    io = load_shipped()
    model = calibrate(io)
    ref = solve_io(model, io.tariff_cfl, io.d_cfl, np.zeros(io.N))
    return io, model, ref


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
def _weight_cube(cp_sectors: tuple[str, ...]) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """exporter -> (J, S) shares of each CP sector's content by dataset sector (rows of CP sectors
    without content are zero), and the dataset sectors S in the order of hs2_sectors.csv."""

    sectors = tuple(dict.fromkeys(hs2_sector_map().values()))
    w = cp2015_sector_weights()
    jx = {c: k for k, c in enumerate(cp_sectors)}
    sx = {c: k for k, c in enumerate(sectors)}
    out: dict[str, np.ndarray] = {}
    for e, g in w.groupby("exporter", sort=False):
        a = np.zeros((len(cp_sectors), len(sectors)))
        a[g["cp_sector"].map(jx).to_numpy(int), g["sector"].map(sx).to_numpy(int)] = g["value_usd"].to_numpy(float)
        tot = a.sum(axis=1, keepdims=True)
        out[str(e)] = np.divide(a, tot, out=np.zeros_like(a), where=tot > 0)  # shares from the values
    return out, sectors


def sector_coverage(
    sectors: set[str], exporter: str, importer: str, cp_sectors: tuple[str, ...]
) -> tuple[np.ndarray, list[str]]:
    """Share of each CP sector's HS content (flow ``exporter`` -> ``importer``) that lies in the dataset
    ``sectors``, shape (J,), and the notes on the weights used (fallbacks). Services: 0."""
    _, order = _weight_cube(tuple(cp_sectors))
    return sector_shares(np.array([s in sectors for s in order], dtype=float), exporter, importer, cp_sectors)


def sector_shares(
    shares: np.ndarray, exporter: str, importer: str, cp_sectors: tuple[str, ...]
) -> tuple[np.ndarray, list[str]]:
    """A share by dataset sector (S,), in the order of hs2_sectors.csv, carried to the CP sectors (J,):
    the mean over each CP sector's HS content (flow ``exporter`` -> ``importer``), and the notes on
    the weights used (fallbacks). Services: 0."""
    cube, order = _weight_cube(tuple(cp_sectors))
    pick = np.asarray(shares, dtype=float)
    notes: list[str] = []
    wld = cube[WEIGHTS_ALL]
    if exporter == WEIGHTS_IMPORTER or exporter not in cube:
        a = wld
        notes.append(
            f"{exporter} -> {importer}: no import data for this flow by HS product; assumption: within each CP sector "
            f"its HS composition is that of all US imports (Census 2024)"
        )
    else:
        a = cube[exporter].copy()
        if importer != WEIGHTS_IMPORTER:
            notes.append(
                f"{exporter} -> {importer}: no import data by HS product for {importer}; assumption: within each CP "
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


def _covered(m: TariffMeasure, where: str, source: str | None) -> set[str] | None:
    """Dataset sectors a measure covers (None: all goods, the whole table as before)."""

    if m.sectors == "all" and not m.exclude_sectors:
        return None
    known = list(dict.fromkeys(hs2_sector_map().values()))

    def check(s: str, w: str) -> str:
        if s not in known:
            raise ScenarioError(
                f"sector {s!r} cannot be mapped to the Caliendo-Parro sectors: the ge-io model maps the HS-based "
                f"sectors of data/mappings/hs2_sectors.csv ({', '.join(known)})",
                source=source,
                field=w,
            )
        return s

    cov = set(known) if m.sectors == "all" else {check(s, f"{where}.sectors[{k}]") for k, s in enumerate(m.sectors)}
    for k, s in enumerate(m.exclude_sectors):
        cov.discard(check(s, f"{where}.exclude_sectors[{k}]"))
    return cov


def ge_io_tariffs_and_notes(scenario: Scenario, io: IOData) -> tuple[np.ndarray, tuple[str, ...]]:
    """The scenario's tariffs on the Caliendo-Parro tables, (importer, exporter, sector), and the notes
    on how sector measures were mapped (empty when every measure is on all goods)."""

    codes = list(iso3_codes(io.regions))
    t = np.array(io.tariff_cfl, dtype=float, copy=True)
    notes: list[str] = []
    groups = (("tariffs", scenario.tariffs), ("retaliation", scenario.retaliation))
    for key, ms in groups:
        for i, m in enumerate(ms):
            where = f"{key}[{i}]"
            if m.start is not None or m.end is not None or m.panel is not None:
                raise ScenarioError(
                    "the multi-sector model is static on the 1993 Caliendo-Parro tables: it takes no dated measures "
                    "and no panel rates (the panel is on the default dataset's regions); run it with the pe or ge model",
                    source=scenario.source,
                    field=where,
                )
            cov = _covered(m, where, scenario.source)

            def idx(code: str, w: str) -> int:
                if code not in codes:
                    raise ScenarioError(
                        f"{code} is not among the Caliendo-Parro regions ({', '.join(codes)})",
                        source=scenario.source,
                        field=w,
                    )
                return codes.index(code)

            h = idx(m.importer, f"{where}.importer")
            if m.exporters == "all":
                ex = [j for j in range(len(codes)) if j != h]
            else:
                ex = [idx(c, f"{where}.exporters[{k}]") for k, c in enumerate(m.exporters)]
            if cov is None and m.uniform:  # all goods: every sector of the table, exactly as before
                if m.mode == "add":
                    t[h, ex, :] += m.effective_rate
                else:
                    t[h, ex, :] = m.exempt_share * t[h, ex, :] + m.effective_rate
                continue
            if MAPPING_NOTE not in notes:
                notes.append(MAPPING_NOTE)
            sectors = tuple(dict.fromkeys(hs2_sector_map().values()))
            covered = set(sectors) if cov is None else cov
            for e in ex:
                # the taxed share of each dataset sector (coverage x not exempt, product by product when the
                # measure has claims or product lists), carried to the CP sectors by their HS content
                u = taxed_shares(m, [codes[e]], sectors, source=scenario.source, where=where)[0]
                u = u * np.array([s in covered for s in sectors], dtype=float)
                c, why = sector_shares(u, codes[e], codes[h], tuple(io.sectors))
                notes.extend(f"{where}: {n}" for n in why if f"{where}: {n}" not in notes)
                r = m.rates.get(codes[e], m.rate) if m.rates else m.rate
                if m.mode == "add":
                    t[h, e, :] += c * r
                else:
                    t[h, e, :] = (1.0 - c) * t[h, e, :] + c * r
    return t, tuple(notes)


def ge_io_tariffs(scenario: Scenario, io: IOData) -> np.ndarray:
    """The scenario's tariffs on the Caliendo-Parro tables, (importer, exporter, sector)."""
    return ge_io_tariffs_and_notes(scenario, io)[0]


@functools.lru_cache(maxsize=32)
def _solve(key: bytes, shape: tuple[int, ...]) -> Any:
    io, model, ref = _reference()
    tariffs = np.frombuffer(key).reshape(shape)
    return path_changes(model, ref, tariffs, io.d_cfl, np.zeros(io.N))


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


#: The sector trade-elasticity sets of the input-output table: the table's own θ (Caliendo and Parro 2015).
TABLE_THETA_SETS = ("CP",)


def ge_io_refuses(es: ElasticitySet) -> str | None:
    """Why an elasticity set cannot run in the multi-sector model (None when it can): the model's
    long run needs sector trade elasticities of its input-output table (the set's ``io_theta``)."""
    if es.io_theta is None:
        return (
            f"elasticity set {es.name!r} has no sector trade elasticities for the multi-sector model (its io_theta "
            f"names none); the input-output table has: {', '.join(TABLE_THETA_SETS)} (e.g. set 'central')"
        )
    if es.io_theta not in TABLE_THETA_SETS:
        return (
            f"elasticity set {es.name!r}: io_theta {es.io_theta!r} is not a sector trade-elasticity set of the "
            f"input-output table; it has: {', '.join(TABLE_THETA_SETS)}"
        )
    return None


def ge_io_trade(ctx: TradeContext, es: ElasticitySet, horizon: Horizon = "long-run") -> TradeOutcome[IOChanges]:
    """The long run of the multi-sector GE for the context's scenario: trade exporter x importer x
    sector (USD of 1993 at exporter prices, net of tariffs) before and after, and each region's real
    income change. The model runs on its own tables with the sector trade elasticities the set names
    (``io_theta``; :func:`ge_io_refuses` says which it has)."""

    io, _model, ref = _reference()
    t, mapping_notes = ge_io_tariffs_and_notes(ctx.scenario, io)
    shock, ch = _solve(np.ascontiguousarray(t).tobytes(), t.shape)
    V0 = np.transpose(ref.trade, (1, 0, 2))
    V1 = np.transpose(shock.trade, (1, 0, 2))
    tx0 = np.transpose(io.tariff_cfl, (1, 0, 2))
    tx1 = np.transpose(t, (1, 0, 2))
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
            STRUCTURE_NOTE,
            "multi-sector GE (Caliendo-Parro 2015): reference = the NAFTA equilibrium (1993 tables at post-NAFTA "
            f"tariffs, zero aggregate deficits); sector trade elasticities: {es.io_theta} (Caliendo and Parro 2015); "
            "trade in USD of 1993",
            f"welfare decomposition (terms of trade, volume of trade, technical efficiency) integrated along the "
            f"path of tariffs from the reference ({ch.path_steps} steps, trapezoid rule) and adding up to the exact "
            "real income change; Caliendo and Parro's one-step formula is first-order, and off for shocks this large",
            *mapping_notes,
        ),
    )
