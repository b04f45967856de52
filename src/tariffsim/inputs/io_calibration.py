"""Calibrating the multi-sector model (Caliendo-Parro 2015) from a world input-output table
(docs/models/ge_io.md, "Calibration on today's tables").

Pure functions from arrays to an :class:`~tariffsim.models.ge_io.IOData`; reading the raw files
is the build script's business (``data/build/build_io_tables.py``). Money is in the source's
unit (millions of US dollars for WIOD and ICIO); tariffs are shares (0.25 = 25 %).

Two routes (the objects of the model follow exactly from them):

* a complete world table (:class:`WorldIOTable`, e.g. WIOT 2011): intermediate flows
  Z[i s, n j] (country i sector s supplies country n sector j), final use F[i s, n], with applied
  tariffs t[n, i, s] (importer n) from a separate source (:class:`FlowCube`). Trade
  X[n i s] = Σ_j Z[i s, n j] + F[i s, n] (basic prices, net of tariffs; domestic flows included);
  intermediate use at tariff-inclusive prices Σ_i Z[i s, n j](1 + t[n i s]); gross output the row
  sums (every flow of the table is somebody's purchase, so goods markets clear in the data); value
  added = gross output − tariff-inclusive intermediate use (so it holds net product taxes and
  margins, less the tariffs paid on intermediates, which the model counts as tariff revenue);
  final use at tariff-inclusive prices Σ_i F[i s, n](1 + t[n i s]).
* flows without an intermediate split (:func:`calibrate_flows_shares`, e.g. ICIO 2022 from
  tariffwar): trade and tariffs from the flows, each using sector's input mix and value-added
  share from a shares table (:class:`ShareTable`) of another year, γ[n s j] = that share x
  (1 − value-added share of j), and final use from goods-market clearing:
  final[n s] = X[n s] − Σ_j γ[n s j] Y[n j], X[n s] = Σ_i X[n i s](1 + t[n i s]).

Both routes aggregate regions and sectors first (:class:`Aggregation`: flows are summed, tariffs
are flow-weighted so tariff revenue is unchanged), then correct what the model cannot take and
report every correction (:class:`Correction`): negative final use (inventory draw-downs in a
complete table; goods-market residuals in the shares route) set to zero and the rest rescaled;
negative value added set to zero; sectors with gross output below :data:`FLOOR_SHARE` of their
region's output floored. Corrected data no longer clear the goods markets exactly, so they are
*balanced* (:func:`balance`): expenditures are solved from the goods-market conditions at the
data's expenditure shares (linear given the shares), and trade, output, intermediate use, value
added and final use follow; the size of that step is a correction too. Deficits are imports − exports of all goods and services (net of tariffs) and
sum to zero. :func:`check_io` then verifies the calibration: shares in [0, 1] summing to one,
market clearing, and a baseline solve at unchanged tariffs returning every hat at one.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._lazy import pd
from ..constants import DEFAULT_COUNTRY, DEFAULT_MARKET
from ..errors import DataError
from ..models.ge_io import IOData, calibrate, solve_io
from ..solvers import SolverInfo
from .io_sources import Aggregation, FlowCube, ShareTable, WorldIOTable, aggregate_flows

__all__ = [
    "FLOOR_SHARE",
    "CHECK_TOL",
    "Correction",
    "CalibrationChecks",
    "Calibration",
    "calibrate_world_table",
    "inventory_correct",
    "calibrate_flows_shares",
    "finish_calibration",
    "balance",
    "check_io",
    "deficits",
    "io_facts",
    "map_elasticities",
]

log = logging.getLogger(__name__)

#: A (region, sector) whose gross output is below this share of its region's gross output is
#: floored to it (:func:`finish_calibration`): never left to produce swings of hundreds of percent.
FLOOR_SHARE = 1e-4
#: Tolerance of :func:`check_io`: shares, market clearing and the baseline hats (max-abs).
CHECK_TOL = 1e-8


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Correction:
    """One correction the calibration made: ``cells`` changed, their ``size`` in ``unit``."""

    kind: str
    cells: int
    size: float
    unit: str
    note: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "cells": self.cells, "size": self.size, "unit": self.unit, "note": self.note}


@dataclass(frozen=True)
class CalibrationChecks:
    """The checks of :func:`check_io` (max-abs values; ``passed`` when all are below ``tol``)."""

    share_range: float  # how far any share lies outside [0, 1]
    share_sum: float  # largest |sum - 1| of π (over exporters), α, γ_va + Σ γ
    output_gap: float  # |Σ_n trade[n, i, j] - (intermediate + value added)| / region output
    goods_gap: float  # |X_nj - Σ_k γ_njk Y_nk - α_nj I_n| / region absorption
    deficit_sum: float  # |Σ_n D_n| / world absorption
    hat_gap: float  # largest |hat - 1| of the baseline solve at unchanged tariffs
    solver: SolverInfo
    tol: float

    @property
    def passed(self) -> bool:
        return max(
            self.share_range, self.share_sum, self.output_gap, self.goods_gap, self.deficit_sum
        ) <= self.tol and (self.hat_gap <= max(self.tol, 1e-7))

    def to_dict(self) -> dict:
        return {
            "share_range": self.share_range,
            "share_sum": self.share_sum,
            "output_gap": self.output_gap,
            "goods_gap": self.goods_gap,
            "deficit_sum": self.deficit_sum,
            "baseline_hat_gap": self.hat_gap,
            "baseline_solver": self.solver.to_dict(),
            "tol": self.tol,
            "passed": self.passed,
        }


@dataclass(frozen=True, eq=False)
class Calibration:
    """A calibrated table: the model's data, what it was built from (``pieces``: what -> source and
    year), the aggregation, the corrections and the checks."""

    data: IOData
    pieces: Mapping[str, str]
    aggregation: str
    corrections: tuple[Correction, ...]
    checks: CalibrationChecks
    pre_balance_hat_gap: float = field(default=0.0)


# ----------------------------------------------------------------------------- the two routes


def calibrate_world_table(
    table: WorldIOTable,
    tariffs: FlowCube,
    agg: Aggregation,
    theta: np.ndarray,
    *,
    pieces: Mapping[str, str],
    floor_share: float = FLOOR_SHARE,
) -> Calibration:
    """Route (a): a complete world table with tariffs from ``tariffs`` (aggregated with the same
    :class:`Aggregation`, whose maps cover both label sets). See the module docstring."""
    table, prior = inventory_correct(table)
    A = agg.region_matrix(table.regions, table.source)
    B = agg.sector_matrix(table.sectors, table.source)
    Z = np.einsum("ai,bs,cn,dj,isnj->abcd", A, B, A, B, table.inter, optimize=True)  # (N, J, N, J)
    F = np.einsum("ai,bs,cn,isn->abc", A, B, A, table.final, optimize=True)  # (N, J, N)
    _, t = aggregate_flows(tariffs, agg)  # (N importer, N exporter, J)
    trade = np.einsum("iknj->nik", Z) + np.transpose(F, (2, 0, 1))  # X[n, i, k]
    t_in = np.transpose(t, (1, 2, 0))  # [i, k, n]: tariff n applies to i's k
    inter = np.einsum("iknj,ikn->nkj", Z, 1.0 + t_in)  # tariff-inclusive use of k by (n, j)
    final = np.einsum("ikn,ikn->nk", F, 1.0 + t_in)
    output = trade.sum(axis=0)  # (N, J) row sums
    va = output - inter.sum(axis=1)
    return finish_calibration(
        agg.regions,
        agg.sectors,
        trade,
        t,
        inter,
        va,
        final,
        theta,
        pieces=pieces,
        aggregation=agg.description,
        source=table.source,
        floor_share=floor_share,
        prior=prior,
    )


def inventory_correct(table: WorldIOTable) -> tuple[WorldIOTable, tuple[Correction, ...]]:
    """Negative final use (inventory draw-downs) set to zero and gross output recomputed through
    the Leontief inverse with the table's input coefficients, R = (I − A)^(-1) F⁺, Z = A diag(R):
    "as if the period were extended to produce the drawn-down inventories" (Costinot and
    Rodríguez-Clare 2014, Handbook of International Economics vol. 4, online appendix; tariffwar's
    inventory_correct). Input coefficients and value-added shares are unchanged."""
    neg = table.final < 0
    if not neg.any():
        return table, ()
    N, S = len(table.regions), len(table.sectors)
    out0 = table.output.reshape(N * S)
    Z = table.inter.reshape(N * S, N * S)
    A = Z / np.where(out0 > 0, out0, 1.0)[None, :]
    Fp = np.where(neg, 0.0, table.final)
    R = np.linalg.solve(np.eye(N * S) - A, Fp.reshape(N * S, N).sum(axis=1))
    new = WorldIOTable(
        table.regions,
        table.sectors,
        (A * R[None, :]).reshape(N, S, N, S),
        Fp,
        source=table.source,
        year=table.year,
    )
    change = np.abs(R - out0)
    i, s = np.unravel_index(int(np.argmax(change / np.where(out0 > 0, out0, 1.0))), (N, S))
    return new, (
        Correction(
            "negative final use (inventory draw-downs) set to zero; gross output recomputed through the Leontief "
            "inverse with the table's input coefficients (Costinot and Rodriguez-Clare 2014)",
            int(neg.sum()),
            float(-table.final[neg].sum()),
            "USD mn",
            f"{100.0 * float(-table.final[neg].sum()) / float(table.final.sum()):.4f} % of world final use; world gross "
            f"output +{100.0 * (R.sum() / out0.sum() - 1.0):.4f} %; largest change {table.regions[i]} "
            f"{table.sectors[s]} {100.0 * (R[i * S + s] / out0[i * S + s] - 1.0):+.2f} %",
        ),
    )


def calibrate_flows_shares(
    flows: FlowCube,
    shares: ShareTable,
    agg: Aggregation,
    share_sector: Mapping[str, str],
    theta: np.ndarray,
    *,
    pieces: Mapping[str, str],
    share_region_default: str = "RoW",
    floor_share: float = FLOOR_SHARE,
) -> Calibration:
    """Route (b): flows and tariffs from ``flows``, input-output and value-added shares from
    ``shares``, final use from goods-market clearing.

    ``share_sector``: model sector -> the shares table's sector that holds it (several model
    sectors may share one: each inherits its input mix and value-added share, and as an input
    the shares table's share is split among them in proportion to the region's absorption of
    each). A region of the model takes its members' shares weighted by their gross output (input
    mixes by their intermediate purchases); members absent from the shares table take those of
    ``share_region_default``.
    """
    trade, t = aggregate_flows(flows, agg)
    J = len(agg.sectors)
    S = len(shares.sectors)
    spos = {s: k for k, s in enumerate(shares.sectors)}
    parent = np.empty(J, dtype=int)
    for j, sec in enumerate(agg.sectors):
        code = share_sector.get(sec)
        if code is None or code not in spos:
            raise DataError(
                f"model sector {sec!r} has no sector of the shares table ({code!r})",
                source=shares.source,
                location="sectors",
            )
        parent[j] = spos[code]
    P = np.zeros((S, J))
    P[parent, np.arange(J)] = 1.0  # share sector x model sector
    uncovered = [shares.sectors[s] for s in range(S) if P[s].sum() == 0 and shares.io[:, s, :].max() > 0]
    if uncovered:
        raise DataError(
            f"shares-table sector(s) {', '.join(uncovered)} hold no model sector; their input shares would be lost",
            source=shares.source,
            location="sectors",
        )
    # members' gross output by shares-table sector (weights)
    B = agg.sector_matrix(flows.sectors, flows.source)  # (J, S_src)
    y_member = flows.flows.sum(axis=0) @ B.T @ P.T  # (M, S)
    rpos = {r: k for k, r in enumerate(shares.regions)}
    if share_region_default not in rpos:
        raise DataError(f"no region {share_region_default!r}", source=shares.source, location="regions")
    row = np.array([rpos.get(m, rpos[share_region_default]) for m in flows.regions])
    va_m = shares.va[row]  # (M, S)
    io_m = shares.io[row]  # (M, S, S)
    A = agg.region_matrix(flows.regions, flows.source)  # (N, M)
    w_va = A @ y_member  # (N, S)
    w_io = A @ (y_member * (1.0 - va_m))
    with np.errstate(invalid="ignore", divide="ignore"):
        va = np.where(w_va > 0, (A @ (y_member * va_m)) / w_va, (A @ va_m) / A.sum(axis=1, keepdims=True))
        io = np.einsum("nm,ms,mks->nks", A, y_member * (1.0 - va_m), io_m)
        io = np.where(
            w_io[:, None, :] > 0,
            io / w_io[:, None, :],
            np.einsum("nm,mks->nks", A, io_m) / A.sum(axis=1)[:, None, None],
        )
    # model sectors: columns inherit the parent's mix; input rows split by absorption within the parent
    absorption = (trade * (1.0 + t)).sum(axis=1)  # (N, J)
    within = absorption @ P.T @ P  # (N, J): absorption of each model sector's parent
    siblings = P.sum(axis=1)[parent]  # (J,) model sectors sharing the parent
    split = np.where(within > 0, absorption / np.where(within > 0, within, 1.0), 1.0 / siblings)
    gamma = io[:, parent][:, :, parent] * split[:, :, None] * (1.0 - va[:, parent])[:, None, :]  # (N, K, J)
    output = trade.sum(axis=0)
    inter = gamma * output[:, None, :]
    value_added = va[:, parent] * output
    final = absorption - inter.sum(axis=2)
    return finish_calibration(
        agg.regions,
        agg.sectors,
        trade,
        t,
        inter,
        value_added,
        final,
        theta,
        pieces=pieces,
        aggregation=agg.description,
        source=flows.source,
        floor_share=floor_share,
    )


# ----------------------------------------------------------------------------- corrections, balancing


def _worst(values: np.ndarray, regions: Sequence[str], sectors: Sequence[str], k: int = 3) -> str:
    """The ``k`` most negative cells of an (N, J) array as 'REGION sector value' text."""
    flat = np.argsort(values, axis=None)[:k]
    cells = [np.unravel_index(f, values.shape) for f in flat]
    return "; ".join(f"{regions[n]} {sectors[j]} {values[n, j]:,.0f}" for n, j in cells if values[n, j] < 0)


def deficits(trade: np.ndarray) -> np.ndarray:
    """Imports − exports of every region, all sectors, net of tariffs (domestic flows cancel)."""
    return trade.sum(axis=(1, 2)) - trade.sum(axis=(0, 2))


def finish_calibration(
    regions: Sequence[str],
    sectors: Sequence[str],
    trade: np.ndarray,
    tariff: np.ndarray,
    intermediate: np.ndarray,
    value_added: np.ndarray,
    final: np.ndarray,
    theta: np.ndarray,
    *,
    pieces: Mapping[str, str],
    aggregation: str,
    source: str,
    floor_share: float = FLOOR_SHARE,
    prior: Sequence[Correction] = (),
) -> Calibration:
    """Corrections, deficits, balancing and checks (module docstring) on arrays already on the
    model's regions and sectors: ``trade``/``tariff`` (N, N, J) importer x exporter x sector,
    ``intermediate`` (N, K, J) tariff-inclusive use of k by j, ``value_added`` and ``final``
    (N, J), final use at tariff-inclusive prices. Raises DataError when the checks fail."""
    regions, sectors = tuple(regions), tuple(sectors)
    trade = np.array(trade, dtype=float)
    inter = np.array(intermediate, dtype=float)
    va = np.array(value_added, dtype=float)
    fin = np.array(final, dtype=float)
    N, J = len(regions), len(sectors)
    corrections: list[Correction] = list(prior)
    world_final = float(fin.sum())
    world_absorption = float((trade * (1.0 + tariff)).sum())

    # 1. value added below zero (tariffs and taxes on inputs above the table's margin): zero, inputs rescaled
    neg = va < 0
    if neg.any():
        corrections.append(
            Correction(
                "negative value added set to zero (input use scaled to gross output)",
                int(neg.sum()),
                float(-va[neg].sum()),
                "USD mn",
                _worst(va, regions, sectors),
            )
        )
        out = trade.sum(axis=0)
        use = inter.sum(axis=1)
        scale = np.where(neg, out / np.where(use > 0, use, 1.0), 1.0)
        inter *= scale[:, None, :]
        va = np.where(neg, 0.0, va)

    # 2. tiny or empty sectors: domestic sales raised to the floor, bought by domestic final use
    output = trade.sum(axis=0)
    absorption = (trade * (1.0 + tariff)).sum(axis=1)
    floor = floor_share * output.sum(axis=1, keepdims=True)
    tiny = (output < floor) | (absorption <= 0)
    if tiny.any():
        add = np.where(tiny, np.maximum(floor - output, 0.0) + np.where(absorption <= 0, floor, 0.0), 0.0)
        n_idx, j_idx = np.nonzero(tiny)
        # cost structure of the new output: the cell's own where it produced, else its region's average
        own = output > 0
        col = np.where(own[:, None, :], inter / np.where(own, output, 1.0)[:, None, :], 0.0)
        avg = inter.sum(axis=2) / output.sum(axis=1, keepdims=True)  # (N, K) region's input per unit output
        col = np.where(own[:, None, :], col, avg[:, :, None])
        va_share = np.where(own, va / np.where(own, output, 1.0), 1.0 - avg.sum(axis=1, keepdims=True))
        inter = inter + col * add[:, None, :]
        va = va + va_share * add
        d = np.zeros_like(trade)
        d[n_idx, n_idx, j_idx] = add[n_idx, j_idx]
        trade = trade + d
        fin = fin + add * (1.0 + tariff[np.arange(N), np.arange(N)])
        corrections.append(
            Correction(
                f"sectors below {floor_share:g} of their region's gross output floored (domestic sales to final use)",
                int(tiny.sum()),
                float(add.sum()),
                "USD mn",
                "; ".join(f"{regions[n]} {sectors[j]}" for n, j in zip(n_idx, j_idx, strict=True)),
            )
        )

    # 3. negative final use: zero, each region's remaining final use rescaled to its total
    neg = fin < 0
    if neg.any():
        total = fin.sum(axis=1, keepdims=True)
        if (total <= 0).any():
            n = int(np.argmax(total[:, 0] <= 0))
            raise DataError(f"final use of {regions[n]} is not positive", source=source, location="final")
        pos = np.where(neg, 0.0, fin)
        corrections.append(
            Correction(
                "negative final use set to zero, the region's other final shares rescaled",
                int(neg.sum()),
                float(-fin[neg].sum()),
                "USD mn",
                f"{100.0 * float(-fin[neg].sum()) / world_final:.3f} % of world final use, "
                f"{100.0 * float(-fin[neg].sum()) / world_absorption:.3f} % of world absorption (intermediate and final); "
                "worst: " + _worst(fin, regions, sectors),
            )
        )
        fin = pos * (total / pos.sum(axis=1, keepdims=True))

    data = IOData(
        regions=regions,
        sectors=sectors,
        trade=trade,
        tariff=tariff,
        tariff_bln=tariff,
        tariff_cfl=tariff,
        d_bln=np.ones_like(trade),
        d_cfl=np.ones_like(trade),
        intermediate=inter,
        value_added=va,
        final=fin,
        deficit=deficits(trade),
        theta=np.asarray(theta, dtype=float),
        source=source,
    )
    pre = check_io(data)
    if not pre.passed:
        data, moved = balance(data)
        corrections.append(
            Correction(
                "balancing: expenditures that clear every market at the data's expenditure shares (trade shares "
                "unchanged; value added follows output)",
                N * J,
                moved["output_max_pct"],
                "% (largest change of a sector's gross output)",
                f"largest in {moved['output_max_cell']}; gross output moved {moved['output_mean_pct']:.4f} % on average "
                f"(output-weighted); a region's value added {moved['value_added_max_pct']:.3f} % at most "
                f"({moved['value_added_max_region']}); before balancing a solve at the data's tariffs moved a hat by "
                f"{pre.hat_gap:.2e}",
            )
        )
    checks = check_io(data)
    if not checks.passed:
        raise DataError(f"calibration checks failed: {checks.to_dict()}", source=source, location="calibration")
    log.info("calibrated %s: %d regions x %d sectors, %d corrections", source, N, J, len(corrections))
    return Calibration(
        data=data,
        pieces=dict(pieces),
        aggregation=aggregation,
        corrections=tuple(corrections),
        checks=checks,
        pre_balance_hat_gap=pre.hat_gap,
    )


def balance(data: IOData) -> tuple[IOData, dict[str, Any]]:
    """Data that clear every market at the data's expenditure shares: the goods-market conditions
    X_nj = Σ_k γ_njk Y_nk + α_nj I_n, with Y = Σ_n π X / (1 + τ) and I_n = Σ_k γ_nk Y_nk + R_n + D_n,
    are linear in the expenditures X given the shares (π, γ, γ_va, α) and the deficits; one of them
    is redundant (deficits sum to zero) and is replaced by the numéraire, world value added as in
    the data. Prices are unchanged, so every trade share π is the data's; value added (labour
    income) follows gross output. The result is an equilibrium of itself: a solve at unchanged
    tariffs returns every hat at one. One dense linear solve (N J unknowns): the same data give
    the same bytes whatever the nonlinear solver does. Returns the new data and how far they
    moved (percent)."""
    m = calibrate(data)
    N, J = data.N, data.J
    pi = np.transpose(m.pi0, (1, 2, 0))  # [n, i, j]
    pit = pi / (1.0 + data.tariff)
    eye_n, eye_j = np.eye(N), np.eye(J)
    # Y[i, j] = Σ_n pit[n, i, j] X[n, j]:  Mx[(i, j), (n, j')] = pit[n, i, j] δ_jj'
    Mx = np.einsum("nij,jk->ijnk", pit, eye_j).reshape(N * J, N * J)
    G = np.einsum("njk,nm->njmk", m.gamma, eye_n).reshape(N * J, N * J)  # Σ_k γ[n, j, k] Y[n, k]
    V = np.einsum("kn,nm->nmk", m.gamma_va, eye_n).reshape(N, N * J)  # value added of each region
    r = (pi * data.tariff / (1.0 + data.tariff)).sum(axis=1)  # (N, J) revenue share of expenditure
    Rm = np.einsum("nj,nm->nmj", r, eye_n).reshape(N, N * J)
    A = np.einsum("jn,nm->njm", m.alpha, eye_n).reshape(N * J, N)
    system = np.eye(N * J) - G @ Mx - A @ (V @ Mx + Rm)
    rhs = A @ data.deficit
    system[-1] = (V @ Mx).sum(axis=0)  # numéraire: world value added as in the data
    rhs[-1] = data.value_added.sum()
    X = np.linalg.solve(system, rhs).reshape(N, J)
    if not np.all(np.isfinite(X)) or (X <= 0).any():
        raise DataError(
            "balancing at the data's shares gives a non-positive expenditure", source=data.source, location="balancing"
        )
    trade = pit * X[:, None, :]
    out0, out1 = data.trade.sum(axis=0), trade.sum(axis=0)
    income = (m.gamma_va.T * out1).sum(axis=1) + (r * X).sum(axis=1) + data.deficit
    rel = np.abs(out1 / out0 - 1.0)
    n, j = np.unravel_index(int(np.argmax(rel)), rel.shape)
    va0, va1 = data.value_added.sum(axis=1), (m.gamma_va.T * out1).sum(axis=1)
    moved = {
        "output_max_pct": float(100.0 * rel[n, j]),
        "output_max_cell": f"{data.regions[n]} {data.sectors[j]}",
        "output_mean_pct": float(100.0 * np.abs(out1 - out0).sum() / out0.sum()),
        "value_added_max_pct": float(100.0 * np.max(np.abs(va1 / va0 - 1.0))),
        "value_added_max_region": data.regions[int(np.argmax(np.abs(va1 / va0 - 1.0)))],
    }
    new = IOData(
        regions=data.regions,
        sectors=data.sectors,
        trade=trade,
        tariff=data.tariff,
        tariff_bln=data.tariff_bln,
        tariff_cfl=data.tariff_cfl,
        d_bln=data.d_bln,
        d_cfl=data.d_cfl,
        intermediate=m.gamma * out1[:, None, :],
        value_added=m.gamma_va.T * out1,
        final=m.alpha.T * income[:, None],
        deficit=data.deficit,
        theta=data.theta,
        source=data.source,
    )
    return new, moved


def check_io(data: IOData, *, tol: float = CHECK_TOL) -> CalibrationChecks:
    """The checks of a calibration (docs/models/ge_io.md): shares in [0, 1] summing to one, gross
    output from trade equal to input use plus value added, goods markets clearing at the data, deficits
    summing to zero, and a solve at unchanged tariffs returning every hat at one."""
    m = calibrate(data)
    shares = (m.pi0, m.gamma, m.gamma_va, m.alpha)
    lo = max(float(-min(a.min() for a in shares)), 0.0)
    hi = max(float(max(a.max() for a in shares)) - 1.0, 0.0)
    share_sum = max(
        float(np.max(np.abs(m.pi0.sum(axis=2) - 1.0))),
        float(np.max(np.abs(m.alpha.sum(axis=0) - 1.0))),
        float(np.max(np.abs(m.gamma_va.T + m.gamma.sum(axis=1) - 1.0))),
    )
    Y = data.trade.sum(axis=0)
    gross = data.intermediate.sum(axis=1) + data.value_added
    out_gap = float(np.max(np.abs(Y - gross) / Y.sum(axis=1, keepdims=True)))
    X = (data.trade * (1.0 + data.tariff)).sum(axis=1)
    revenue = (data.trade * data.tariff).sum(axis=(1, 2))
    income = data.value_added.sum(axis=1) + revenue + data.deficit
    goods = X - np.einsum("nkj,nj->nk", m.gamma, Y) - m.alpha.T * income[:, None]
    goods_gap = float(np.max(np.abs(goods) / X.sum(axis=1, keepdims=True)))
    dsum = float(abs(data.deficit.sum()) / X.sum())
    sol = solve_io(m, data.tariff, None, data.deficit)
    hats = (
        np.abs(np.asarray(sol.w_hat) - 1.0),
        np.abs(np.asarray(sol.c_hat) - 1.0),
        np.abs(np.asarray(sol.P_hat) - 1.0),
        np.abs(np.asarray(sol.expenditure) / X - 1.0),
        np.abs(np.asarray(sol.output) / Y - 1.0),
    )
    return CalibrationChecks(
        share_range=max(lo, hi, 0.0) + 0.0,
        share_sum=share_sum,
        output_gap=out_gap,
        goods_gap=goods_gap,
        deficit_sum=dsum,
        hat_gap=float(max(h.max() for h in hats)),
        solver=sol.solver,
        tol=tol,
    )


# ----------------------------------------------------------------------------- facts and elasticities


def io_facts(data: IOData, region: str = DEFAULT_COUNTRY, partner: str = DEFAULT_MARKET) -> dict[str, float]:
    """Facts of a calibration that it was not built to match (docs/models/ge_io.md):

    * ``exports_to_partner_over_va``: ``region``'s exports to ``partner`` (all sectors, net of
      tariffs) over its value added;
    * ``va_relative``: its value added over ``partner``'s;
    * ``dva_share_to_partner``, ``dva_share_all``: domestic value added per dollar of its gross
      exports to ``partner`` and to everybody, through the global Leontief inverse of the
      calibrated table (inputs sourced by the importer's expenditure shares);
    * ``goods_exports_to_partner_share``: share of its goods and services exports going to ``partner``.
    """
    n, p = data.index(region), data.index(partner)
    m = calibrate(data)
    N, J = data.N, data.J
    va = data.value_added.sum(axis=1)
    pi = np.transpose(m.pi0, (1, 2, 0))  # [n, i, k]
    # A[(i, k), (n, j)] = γ[n, k, j] π[n, i, k] / (1 + τ[n, i, k]): value net of tariffs of (i, k)'s
    # goods in one unit of (n, j)'s gross output
    A = np.einsum("nkj,nik->iknj", m.gamma, pi / (1.0 + data.tariff)).reshape(N * J, N * J)
    v = m.gamma_va.T.reshape(N * J)  # value added per unit of gross output
    exports = np.transpose(data.trade, (1, 2, 0))  # [i, k, importer]
    e_p = np.zeros((N, J))
    e_p[n] = exports[n, :, p]
    e_all = np.zeros((N, J))
    e_all[n] = exports[n].sum(axis=1) - exports[n, :, n]
    L = np.linalg.solve(np.eye(N * J) - A, np.stack([e_p.ravel(), e_all.ravel()], axis=1))
    dva = (v[:, None] * L).reshape(N, J, 2)[n].sum(axis=0)
    return {
        "exports_to_partner_over_va": float(e_p.sum() / va[n]),
        "va_relative": float(va[n] / va[p]),
        "dva_share_to_partner": float(dva[0] / e_p.sum()),
        "dva_share_all": float(dva[1] / e_all.sum()),
        "exports_to_partner_share": float(e_p.sum() / e_all.sum()),
    }


def map_elasticities(table: pd.DataFrame, agg: Aggregation, weights: pd.Series, *, source: str) -> pd.DataFrame:
    """Sector elasticities (``table``: index = source sectors, one column per set) on the model's
    sectors: for a model sector that merges several source sectors, their mean weighted by
    ``weights`` (world trade of each source sector, domestic flows excluded); a simple mean where
    the weights are all zero."""
    B = agg.sector_matrix(list(map(str, table.index)), source)
    w = weights.reindex(table.index).fillna(0.0).to_numpy(dtype=float)
    vals = table.to_numpy(dtype=float)
    if not np.all(np.isfinite(vals)) or (vals <= 0).any():
        raise DataError("trade elasticities must be finite and positive", source=source, location="values")
    tot = B @ w
    weighted = (B * w) @ vals / np.where(tot > 0, tot, 1.0)[:, None]
    plain = B @ vals / B.sum(axis=1, keepdims=True)
    out = np.where((tot > 0)[:, None], weighted, plain)
    return pd.DataFrame(out, index=pd.Index(agg.sectors, name="sector"), columns=table.columns)
