"""The ``ge`` block of a multi-sector run's JSON (:meth:`tariffsim.engine.results.Result.to_json`):
the rows of the reported country and the market from a solution of the multi-sector GE with
input-output linkages (:class:`tariffsim.models.ge_io.IOChanges`), by sector with the range over
the elasticity sets, and the table it ran on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..errors import CountryCodeError
from ..inputs.io_shipped import SERVICES, io_table_label, io_table_meta, io_table_note
from ..models.ge_io import STRUCTURE_NOTE, IOChanges, iso3_codes, region_index

__all__ = ["GE_IO_ROW_KEYS", "traded_sectors", "ge_io_rows", "by_sector_rows"]


#: Keys of an economy's row in the ``ge`` block of a multi-sector GE ('ge-io') result, in order.
GE_IO_ROW_KEYS = (
    "welfare_pct",
    "tot_pct",
    "vot_pct",
    "tech_pct",
    "realwage_pct",
    "real_income_pct",
    "wage_pct",
    "consumer_price_pct",
)


def traded_sectors(trade: np.ndarray, rtol: float = 1e-9) -> np.ndarray:
    """(J,) True where sector j of a Caliendo-Parro solution is traded between regions: its trade
    off the diagonal (``trade[n, i, j]``, n != i) is more than ``rtol`` of all its trade. The
    off-diagonal cells are summed directly (a total minus the domestic flows leaves round-off of
    either sign where a sector is not traded)."""
    trade = np.asarray(trade, dtype=float)
    off = np.where(np.eye(trade.shape[0], dtype=bool)[:, :, None], 0.0, trade).sum(axis=(0, 1))
    return off > rtol * np.abs(trade).sum(axis=(0, 1))


def ge_io_rows(
    g: Any, codes: Mapping[str, str | None], across: Sequence[IOChanges] = (), table: str | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The ``ge`` block rows of a multi-sector GE solution (:class:`tariffsim.models.ge_io.IOChanges`) for
    the economies ``codes`` (role -> ISO3 code or region name), and the block's extra keys: the
    input-output table and its note, and ``by_sector`` (:func:`by_sector_rows`) with the range of
    value added across the elasticity sets' solutions ``across``."""

    regions = list(g.regions)
    iso = iso3_codes(regions)
    names = (io_table_meta(table).get("manufacturing_sectors") if table not in (None, "cp1993") else None) or None
    manuf = np.array([s in names for s in g.sectors]) if names else None
    by_region = g.by_region()
    out_pct = np.asarray(g.output_pct, dtype=float)
    real_pct = np.asarray(g.real_output_pct, dtype=float)
    rows: dict[str, dict[str, Any]] = {}
    for role, code in codes.items():
        rows[role] = {}
        if code is None:
            continue
        try:
            k = region_index(regions, code)
        except CountryCodeError:
            continue
        rec = by_region.iloc[k]
        row: dict[str, Any] = {"iso3": iso[k], "region": regions[k]}
        row.update({c: float(rec[c]) for c in GE_IO_ROW_KEYS})
        row["real_gdp_pct"] = float(g.real_gdp_pct[k])
        row["output_by_sector_pct"] = dict(zip(g.sectors, map(float, out_pct[k]), strict=True))
        row["real_output_by_sector_pct"] = dict(zip(g.sectors, map(float, real_pct[k]), strict=True))
        row["total_exports_pct"] = float(g.total_exports_pct()[k])
        if manuf is not None and g.model is not None:
            row["manufacturing_value_added_pct"] = float(g.value_added_group_pct(manuf)[k])
        rows[role] = row
    traded = traded_sectors(g.baseline.trade)
    goods = np.asarray(g.sectors) != SERVICES if SERVICES in g.sectors else traded
    how = (
        f"integrated along the path of tariffs ({g.path_steps} steps), adding up to real_income_pct"
        if g.path_steps > 1
        else "first-order, one step"
    )
    note = STRUCTURE_NOTE if table in (None, "cp1993") else io_table_note(str(table))
    ks = [region_index(regions, str(r["iso3"])) for r in rows.values() if r]
    extra = {
        "io_table": table,
        "io_table_label": io_table_label(table),
        "io_table_note": note,
        "by_sector": by_sector_rows(g, list(dict.fromkeys(ks)), across),
        "by_sector_units": "output_share: share of the region's baseline gross output; output_change_pct: gross output "
        "at baseline prices (deflated by the sector's producer price); value_added_change_pct: value added at "
        "baseline prices (the labour the sector employs); exports_change_pct: exports to all other regions in value; "
        f"_low/_high: range over the elasticity sets run ({len(across)}); flagged: base under 1 % of the region's "
        "gross output",
        "traded_sectors": [s for s, t in zip(g.sectors, traded, strict=True) if t],
        "goods_sectors": [s for s, t in zip(g.sectors, goods, strict=True) if t],
        "structure": note,
        "units": "percent; welfare and its terms (terms of trade, volume of trade, technical efficiency) in percent "
        f"of baseline income (Caliendo and Parro 2015 decomposition, {how}); real_income_pct: the exact change "
        "of real income; output: gross output, value at producer prices (output) or deflated by the sector's "
        "input-bundle cost (real output)",
    }
    return rows, extra


def by_sector_rows(g: IOChanges, regions: Sequence[int], across: Sequence[IOChanges]) -> list[dict[str, Any]]:
    """``ge.by_sector``: one row per sector of each region in ``regions`` (indices), from
    :meth:`IOChanges.sector_table`, with the value-added range over ``across``."""
    t = g.sector_table()
    lo = hi = None
    if across:
        va = np.stack([np.asarray(a.value_added_pct, dtype=float) for a in across])
        lo, hi = np.nanmin(va, axis=0), np.nanmax(va, axis=0)
    J = len(g.sectors)
    out = []
    for k in regions:
        for j in range(J):
            r = t.iloc[k * J + j]
            row = {
                "region": str(r["region"]),
                "sector": str(r["sector"]),
                "output_share": float(r["output_share"]),
                "output_change_pct": float(r["output_change_pct"]),
                "output_value_change_pct": float(r["output_value_change_pct"]),
                "value_added_change_pct": float(r["value_added_change_pct"]),
                "exports_change_pct": float(r["exports_change_pct"]),
                "flagged": bool(r["flagged"]),
            }
            if lo is not None and hi is not None:
                row["value_added_change_pct_low"] = float(lo[k, j])
                row["value_added_change_pct_high"] = float(hi[k, j])
            out.append(row)
    return out
