"""Build the multi-sector model's calibrations shipped in data/datasets/icio2022/ and wiod2011/.

    python data/build/build_io_tables.py [--raw ../shared/data] [--only icio2022|wiod2011]

Inputs (../shared/data; see its README):

* icio2022: ``tariffwar/icio2022_flows.csv.gz`` (OECD ICIO 2023 edition flows, intermediate plus
  final use, basic prices, USD mn, and Teti's applied tariffs, 2022; 81 economies x 28 sectors);
  ``icio2021_shares/io_allyears.xlsx`` sheet IO2015 (input-output cost shares, 2015) and
  ``va_shares_allyears.xlsx`` (value-added shares, 2018; the file gives US states, not the US, so
  the US value-added shares are the WIOD Socio-Economic Accounts' VA/GO for 2014,
  ``wiod_sea2016/sea2016.csv.gz``, on the same 14 sectors); ``tariffwar/icio_trade_elasticities.csv``.
* wiod2011: ``wiot2011/wiot2011.npz`` (WIOT 2011, WIOD 2013 release, 41 regions x 35 industries,
  USD mn) with tariffs from ``tariffwar/wiod2011_flows.csv.gz`` (Teti's applied tariffs of 2011 on
  the WIOD 2016 release's 44 economies x 16 sectors, flow-weighted onto the model's cells);
  ``tariffwar/wiod_trade_elasticities.csv``.

Aggregation: ``data/mappings/io_regions.csv`` and ``io_sectors.csv``. The calibration is
:mod:`tariffsim.inputs.io_calibration` (docs/models/ge_io.md); the tables are written by
:func:`tariffsim.inputs.io_shipped.write_cp_layout` in US dollars with 10 significant digits,
gzip streams without timestamps, so a rerun reproduces the files byte for byte (checked by
tests/test_io_calibration.py).
"""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from tariffsim.inputs.io_calibration import (
    Calibration,
    calibrate_flows_shares,
    calibrate_world_table,
    io_facts,
    map_elasticities,
)
from tariffsim.inputs.io_shipped import (
    DEFAULT_SET,
    ELASTICITY_SETS,
    USD_PER_UNIT,
    aggregation,
    share_sectors,
    write_cp_layout,
)
from tariffsim.inputs.io_sources import FlowCube, ShareTable, WorldIOTable, flow_cube_from_long

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "datasets"

#: WIOD SEA (ISIC rev. 4) industries -> the 14 sectors of the ICIO shares table, for the US
#: value-added shares. Left out as in the shares table (sectors_icio.csv has no sector for them):
#: electricity and gas (D35), water and waste (E36, E37-E39), public administration (O84);
#: households as employers (T) and extraterritorial bodies (U) go with services as D97T98 does.
SEA_SECTORS = {
    "114": ("A01", "A02", "A03"),
    "104": ("B", "C19"),
    "101": ("C10-C12",),
    "102": ("C13-C15",),
    "103": ("C16", "C17", "C18"),
    "105": ("C20", "C21"),
    "106": ("C22",),
    "107": ("C23",),
    "108": ("C24", "C25"),
    "109": ("C28",),
    "110": ("C26", "C27"),
    "111": ("C29", "C30"),
    "112": ("C31_C32", "C33"),
    "113": (
        "F G45 G46 G47 H49 H50 H51 H52 H53 I J58 J59_J60 J61 J62_J63 K64 K65 K66 L68 M69_M70 M71 M72 M73 "
        "M74_M75 N P85 Q R_S T U"
    ).split(),
}
#: Goods sectors that are not manufacturing (ISIC C): agriculture, mining (with coke and petroleum
#: in icio2022, where they are one sector; coke and petroleum is manufacturing in wiod2011).
NOT_MANUFACTURING = ("Services", "Agriculture, forestry, fishing", "Mining", "Mining and petroleum")
SEA_YEAR = 2014
IO_YEAR = 2015
VA_YEAR = 2018


def rel(path: Path, raw: Path) -> str:
    """``../shared/data/...`` for messages and metadata (no machine paths)."""
    return "../shared/data/" + path.relative_to(raw).as_posix()


def world_trade_weights(cube: FlowCube) -> pd.Series:
    """World trade by source sector, domestic flows excluded (weights of merged elasticities)."""
    cross = cube.flows.sum(axis=(0, 1)) - np.einsum("nns->s", cube.flows)
    return pd.Series(cross, index=list(cube.sectors))


def elasticities(path: Path, raw: Path, cube: FlowCube, name: str) -> pd.DataFrame:
    table = pd.read_csv(path, index_col="sector")
    table.index = table.index.astype(str)
    missing = [s for s in ELASTICITY_SETS if s not in table.columns]
    if missing:
        raise SystemExit(f"{rel(path, raw)}: missing sets {missing}")
    return map_elasticities(
        table[list(ELASTICITY_SETS)], aggregation(name), world_trade_weights(cube), source=rel(path, raw)
    )


def us_va_shares(raw: Path) -> dict[str, float]:
    path = raw / "wiod_sea2016" / "sea2016.csv.gz"
    sea = pd.read_csv(path, usecols=["country", "code", "year", "GO", "VA"])
    us = sea[(sea["country"] == "USA") & (sea["year"] == SEA_YEAR)].set_index("code")
    out = {}
    for sector, codes in SEA_SECTORS.items():
        go, va = us.loc[list(codes), "GO"].sum(), us.loc[list(codes), "VA"].sum()
        out[sector] = float(va / go)
    return out


def share_table(raw: Path) -> ShareTable:
    d = raw / "icio2021_shares"
    io_df = pd.read_excel(d / "io_allyears.xlsx", sheet_name=f"IO{IO_YEAR}")
    va_df = pd.read_excel(d / "va_shares_allyears.xlsx")
    va_df = va_df[va_df["year"] == VA_YEAR]
    sectors = tuple(str(s) for s in sorted(io_df["sector"].unique()))
    regions = tuple(dict.fromkeys(str(c) for c in io_df["country"]))
    io_cols = [f"io{s}" for s in sectors]
    io_arr = np.zeros((len(regions), len(sectors), len(sectors)))
    for r, reg in enumerate(regions):
        block = io_df[io_df["country"] == reg].set_index("sector").loc[[int(s) for s in sectors], io_cols]
        io_arr[r] = block.to_numpy(dtype=float)
    va_cols = [f"sector_{s}" for s in sectors]
    va_rows = va_df.set_index("region")
    us = us_va_shares(raw)
    va_arr = np.array(
        [
            [us[s] for s in sectors] if reg == "USA" else va_rows.loc[reg, va_cols].to_numpy(dtype=float)
            for reg in regions
        ]
    )
    return ShareTable(
        regions=regions,
        sectors=sectors,
        io=io_arr,
        va=va_arr,
        source=f"{rel(d / 'io_allyears.xlsx', raw)} (IO{IO_YEAR}), {rel(d / 'va_shares_allyears.xlsx', raw)} ({VA_YEAR})",
        io_year=IO_YEAR,
        va_year=VA_YEAR,
    )


def build_icio2022(raw: Path) -> tuple[Calibration, pd.DataFrame, dict]:
    name = "icio2022"
    path = raw / "tariffwar" / "icio2022_flows.csv.gz"
    cube = flow_cube_from_long(pd.read_csv(path), source=rel(path, raw), year=2022)
    shares = share_table(raw)
    eps = elasticities(raw / "tariffwar" / "icio_trade_elasticities.csv", raw, cube, name)
    pieces = {
        "trade flows": "OECD ICIO 2023 edition, 2022, basic prices (tariffwar icio2022_flows)",
        "tariffs": "Teti Global Tariff Database, applied MFN/preferential, 2022 (tariffwar)",
        "input-output shares": f"OECD ICIO 2021 edition, {IO_YEAR} (icio2021_shares io_allyears.xlsx)",
        "value-added shares": f"OECD ICIO 2021 edition, {VA_YEAR} (icio2021_shares va_shares_allyears.xlsx); "
        f"USA: WIOD Socio-Economic Accounts 2016 release, {SEA_YEAR}",
        "final shares": "2022, from goods-market clearing (flows 2022, shares 2015/2018)",
        "deficits": "2022, imports - exports of goods and services in the flows",
        "trade elasticities": "tariffwar sets (icio_trade_elasticities.csv), trade-weighted onto merged sectors "
        "with 2022 world trade",
    }
    cal = calibrate_flows_shares(
        cube, shares, aggregation(name), share_sectors(name), eps[DEFAULT_SET].to_numpy(), pieces=pieces
    )
    info = {
        "table": "OECD ICIO 2022 flows (2023 edition) with ICIO 2015 input-output and 2018 value-added shares",
        "year": 2022,
        "inputs": [cube.source, shares.source, rel(raw / "wiod_sea2016" / "sea2016.csv.gz", raw)],
    }
    return cal, eps, info


def build_wiod2011(raw: Path) -> tuple[Calibration, pd.DataFrame, dict]:
    name = "wiod2011"
    path = raw / "wiot2011" / "wiot2011.npz"
    with np.load(path, allow_pickle=False) as z:
        regions = tuple(str(c) for c in z["countries"])
        industries = tuple(str(c) for c in z["industries"])
        N, S = len(regions), len(industries)
        inter = z["inter"].astype(float).reshape(N, S, N, S)
        final = z["final"].astype(float).reshape(N, S, N, -1).sum(axis=3)
    table = WorldIOTable(regions, industries, inter, final, source=rel(path, raw), year=2011)
    tpath = raw / "tariffwar" / "wiod2011_flows.csv.gz"
    cube = flow_cube_from_long(pd.read_csv(tpath), source=rel(tpath, raw), year=2011)
    eps = elasticities(raw / "tariffwar" / "wiod_trade_elasticities.csv", raw, cube, name)
    pieces = {
        "trade flows": "WIOT 2011 (WIOD 2013 release), basic prices",
        "tariffs": "Teti Global Tariff Database, applied MFN/preferential, 2011 (tariffwar wiod2011_flows, WIOD 2016 "
        "release sectors), flow-weighted",
        "input-output shares": "WIOT 2011 (WIOD 2013 release)",
        "value-added shares": "WIOT 2011: gross output - tariff-inclusive intermediate use",
        "final shares": "WIOT 2011 final use (households, non-profits, government, investment, inventories)",
        "deficits": "2011, imports - exports of goods and services in WIOT",
        "trade elasticities": "tariffwar sets (wiod_trade_elasticities.csv), trade-weighted onto merged sectors "
        "with 2011 world trade",
    }
    cal = calibrate_world_table(table, cube, aggregation(name), eps[DEFAULT_SET].to_numpy(), pieces=pieces)
    info = {
        "table": "WIOT 2011 (WIOD 2013 release), complete world input-output table",
        "year": 2011,
        "inputs": [table.source, cube.source],
    }
    return cal, eps, info


def _r(x: float, digits: int = 6) -> float:
    return float(f"{x:.{digits}g}")


def meta(name: str, cal: Calibration, eps: pd.DataFrame, info: dict) -> dict:
    d = cal.data
    agg = aggregation(name)
    facts = io_facts(d, "MEX", "USA")
    members: dict[str, list[str]] = {r: [] for r in agg.regions}
    for code, region in agg.region_of.items():
        members[region].append(code)
    sector_codes: dict[str, list[str]] = {s: [] for s in agg.sectors}
    for code, sector in agg.sector_of.items():
        sector_codes[sector].append(code)
    out = d.trade.sum(axis=0)
    checks = cal.checks.to_dict()
    return {
        "name": name,
        "table": info["table"],
        "year": info["year"],
        "inputs": info["inputs"],
        "pieces": cal.pieces,
        "units": "US dollars (the sources' millions x 1e6); tariffs as shares; trade at basic prices, net of tariffs",
        "aggregation": cal.aggregation,
        "regions": {r: ", ".join(sorted(m)) if r != "ROW" else "every other economy" for r, m in members.items()},
        "sectors": {s: ", ".join(c) for s, c in sector_codes.items()},
        "manufacturing_sectors": [s for s in d.sectors if s not in NOT_MANUFACTURING],
        "goods_sectors": [s for s in d.sectors if s != "Services"],
        "theta": f"{DEFAULT_SET} set in theta.csv.gz; all sets in elasticities.csv",
        "value_added_note": "value added = gross output - tariff-inclusive intermediate use: it includes net product "
        "taxes and trade margins (the tables are at basic prices)",
        "corrections": [{**c.to_dict(), "size": _r(c.size)} for c in cal.corrections],
        # values at rounding level depend on the solver's path: record what was checked and that it passed
        "checks": {
            "passed": checks["passed"],
            "tol": checks["tol"],
            "checked": "shares in [0, 1] summing to one; gross output = input use + value added; goods markets "
            "clear; deficits sum to zero; a solve at unchanged tariffs returns every hat at one (max |hat - 1| "
            "below 1e-7 after the 10-digit tables are read back)",
        },
        "output_share_min": _r(float((out / out.sum(axis=1, keepdims=True)).min())),
        "facts": {k: _r(v, 4) for k, v in facts.items()},
    }


def build(raw: Path, out: Path = OUT, only: str | None = None) -> list[Path]:
    written = []
    for name, fn in (("icio2022", build_icio2022), ("wiod2011", build_wiod2011)):
        if only and name != only:
            continue
        cal, eps, info = fn(raw)
        buf = io.StringIO()
        eps.to_csv(buf, float_format="%.10g", lineterminator="\n")
        folder = write_cp_layout(
            cal.data,
            out / name,
            scale=USD_PER_UNIT,
            meta=meta(name, cal, eps, info),
            extra={"elasticities.csv": buf.getvalue().encode("utf-8")},
            overwrite=True,
        )
        written.append(folder)
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("TARIFFSIM_SHARED_DATA") or ROOT.parent / "shared" / "data"
    ap.add_argument(
        "--raw", type=Path, default=Path(default), help="raw data (default ../shared/data or $TARIFFSIM_SHARED_DATA)"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--only", choices=("icio2022", "wiod2011"))
    args = ap.parse_args()
    for folder in build(args.raw, args.out, args.only):
        for p in sorted(folder.iterdir()):
            print(f"wrote {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p} ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
