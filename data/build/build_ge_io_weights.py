"""Build ``data/mappings/cp2015_sector_weights.csv``: the HS content of each Caliendo-Parro (2015)
sector in US imports from each of the tables' regions, split by the dataset's HS-based sectors.

Run from the project root (needs pandas and pyarrow, the ``build-data`` extra, for the HS10 files):

    python data/build/build_ge_io_weights.py [--raw ../shared/data] [--out data/mappings]

Inputs:
- ``data/mappings/hs_cp2015.csv``: HS code (chapter, heading or subheading) -> CP2015 sector, the
  most specific code that prefixes a product wins (shipped; see data/SOURCES.md).
- ``data/mappings/hs2_sectors.csv``: HS chapter -> dataset sector.
- ``../shared/data/census2024/2024-hs10-imports{2010,1220,5700}.parquet``: US imports for
  consumption 2024 by HS10 line from Mexico, Canada and China (US Census Bureau via
  tradewartracker).
- ``../shared/data/census2024/hs2/hs2-tariff-CODE.csv``: the same by HS chapter for every partner;
  ``CensusCountryMapping_FRBAtl_short.csv`` maps the Census codes to ISO3.

What it computes, for each exporter region of the CP2015 tables (ISO3; ``ROW`` = every Census
partner that is not one of the other 30 regions) and ``WLD`` (all partners):
  value_usd[cp_sector, sector] = US imports 2024 whose HS product maps to ``cp_sector`` and whose
  chapter belongs to dataset ``sector``;  share = value / sum over sectors of that cp_sector.
Mexico, Canada and China are mapped line by line (HS6 of the HS10 lines). For every other partner
only chapter totals exist: each chapter is split across CP sectors in the proportions of the
chapter in US imports from Mexico, Canada and China together (assumption, stated in the ``basis``
column). Products without a traded CP sector (HS 98, 99: US special provisions; 2716 electricity;
2705 coal gas) are left out. Code 0003 (EU total) is never added to its members.

The script is deterministic: running it twice gives identical files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]

#: The 30 named regions of the Caliendo-Parro tables (ISO3); everything else is ROW.
CP_REGIONS = (
    "ARG AUS AUT BRA CAN CHL CHN DNK FIN FRA DEU GRC HUN IND IDN IRL ITA JPN KOR MEX NLD NZL NOR PRT "
    "ZAF ESP SWE TUR GBR USA"
).split()
HS10_FILES = {"MEX": "2010", "CAN": "1220", "CHN": "5700"}
CENSUS_UNMAPPED = {"5082": "PSE", "5083": "PSE"}  # Gaza Strip, West Bank (as in build_default.py)
CENSUS_EU_TOTAL = "0003"
LINE_BASIS = "US Census 2024 HS10 lines of US imports from {x}, mapped by HS6"
CHAPTER_BASIS = (
    "US Census 2024 US imports from {x} by HS chapter; chapters split across CP sectors as in US imports "
    "from MEX, CAN and CHN (HS10 lines)"
)


def read_concordance(path: Path) -> dict[str, str]:
    t = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    return dict(zip(t["hs"], t["cp_sector"], strict=True))


def cp_of(hs6: str, conc: dict[str, str]) -> str:
    """CP2015 sector of an HS6 product: the most specific concordance code ('' = not traded)."""
    for n in (6, 4, 2):
        if hs6[:n] in conc:
            return conc[hs6[:n]]
    raise SystemExit(f"HS product {hs6} is not covered by hs_cp2015.csv")


def region_of(iso3: str) -> str:
    return iso3 if iso3 in CP_REGIONS else "ROW"


def build(raw: Path, out: Path) -> pd.DataFrame:
    conc = read_concordance(ROOT / "data" / "mappings" / "hs_cp2015.csv")
    hs2s = pd.read_csv(ROOT / "data" / "mappings" / "hs2_sectors.csv", dtype=str, keep_default_na=False, comment="#")
    sector_of = dict(zip(hs2s["hs2"], hs2s["sector"], strict=True))
    census = raw / "census2024"

    # Line-level partners: value by (hs2, cp).
    lines = {}
    for iso, code in HS10_FILES.items():
        p = pd.read_parquet(census / f"2024-hs10-imports{code}.parquet", columns=["HS6", "imports"])
        p["cp"] = [cp_of(h, conc) for h in p["HS6"]]
        p["hs2"] = p["HS6"].str[:2]
        lines[iso] = p.groupby(["hs2", "cp"])["imports"].sum()
    pooled = pd.concat(lines.values()).groupby(level=[0, 1]).sum()
    split = pooled / pooled.groupby(level=0).transform("sum")  # share of each cp in a chapter

    # Chapter-level partners.
    cmap = pd.read_csv(census / "CensusCountryMapping_FRBAtl_short.csv", dtype=str, keep_default_na=False)
    code_to_iso = {c: i for c, i in zip(cmap["CTY_CODE"], cmap["ISO3"], strict=False) if c}
    code_to_iso.update(CENSUS_UNMAPPED)
    frames = []
    for f in sorted((census / "hs2").glob("hs2-tariff-*.csv")):
        code = f.stem.rsplit("-", 1)[-1]
        if code == CENSUS_EU_TOTAL:
            continue
        iso = code_to_iso[code]
        if iso in HS10_FILES:
            continue
        df = pd.read_csv(f, dtype={"HS2": str}, keep_default_na=False)
        df["region"] = region_of(iso)
        frames.append(df[["region", "HS2", "2024_imports"]])
    ch = pd.concat(frames, ignore_index=True)
    ch["HS2"] = ch["HS2"].str.zfill(2)
    ch = ch.groupby(["region", "HS2"])["2024_imports"].sum()

    def chapter_split(region: str) -> pd.Series:
        rows = {}
        for hs2, v in ch.loc[region].items():
            if v <= 0:
                continue
            if hs2 in split.index.get_level_values(0):
                for cp, s in split.loc[hs2].items():
                    rows[(hs2, cp)] = rows.get((hs2, cp), 0.0) + v * s
            else:  # a chapter none of the three line-level partners ships: its chapter-level code
                rows[(hs2, conc.get(hs2, ""))] = rows.get((hs2, conc.get(hs2, "")), 0.0) + v
        return pd.Series(rows, dtype=float)

    content: dict[str, tuple[pd.Series, str]] = {}
    for r in (*CP_REGIONS, "ROW"):
        if r == "USA":
            continue
        if r in lines:
            content[r] = (lines[r], LINE_BASIS.format(x=r))
        else:
            content[r] = (chapter_split(r), CHAPTER_BASIS.format(x=r))
    wld = pd.concat([s for s, _ in content.values()]).groupby(level=[0, 1]).sum()
    content["WLD"] = (
        wld,
        "US Census 2024 US imports from all partners (MEX, CAN, CHN by HS10 line; others by chapter)",
    )

    rows = []
    for r, (s, basis) in content.items():
        df = s.rename("value").reset_index()
        df.columns = ["hs2", "cp", "value"]
        df = df[(df["cp"] != "") & (df["value"] > 0)]
        df["sector"] = df["hs2"].map(sector_of)
        if df["sector"].isna().any():
            raise SystemExit(f"chapters without a dataset sector: {sorted(df.loc[df.sector.isna(), 'hs2'].unique())}")
        g = df.groupby(["cp", "sector"])["value"].sum().round(0)
        g = g[g > 0]
        tot = g.groupby(level=0).transform("sum")
        for (cp, sec), v in g.items():
            rows.append((r, "USA", cp, sec, float(v), round(float(v / tot[(cp, sec)]), 10), basis))
    res = pd.DataFrame(rows, columns=["exporter", "importer", "cp_sector", "sector", "value_usd", "share", "basis"])
    res = res.sort_values(["exporter", "cp_sector", "sector"], kind="stable").reset_index(drop=True)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "cp2015_sector_weights.csv").open("w", encoding="utf-8", newline="") as fh:
        fh.write(
            "# HS content of each Caliendo-Parro (2015) sector in US imports 2024, by exporter and dataset sector.\n"
            "# Built by data/build/build_ge_io_weights.py from US Census 2024 (see data/SOURCES.md); share sums to\n"
            "# one over the sectors of each (exporter, cp_sector). WLD = all partners.\n"
        )
        res.to_csv(fh, index=False, lineterminator="\n")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "mappings")
    a = ap.parse_args()
    res = build(a.raw, a.out)
    print(f"wrote {len(res)} rows for {res['exporter'].nunique()} exporters to {a.out / 'cp2015_sector_weights.csv'}")


if __name__ == "__main__":
    main()
