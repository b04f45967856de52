"""Build the HS concordance and the import weights that carry a scenario's sector measures onto the
sectors of the multi-sector calibrations (icio2022, wiod2011):

* ``data/mappings/hs_io_sectors.csv``: HS code (chapter, heading or subheading, HS 2022; the most
  specific code that prefixes a product wins) -> sector of each calibration. Derived from
  ``hs_cp2015.csv`` (HS -> Caliendo-Parro sector = ISIC rev.3 division, from the UN/WITS HS 2007 ->
  ISIC rev.3 concordance) through two division-level maps: ISIC rev.3 divisions -> WIOD 2013
  industries c1-c35 (NACE rev. 1.1 = ISIC rev.3 at this level: exact) and ISIC rev.3 divisions ->
  ICIO sectors (ISIC rev.4), following the UN Statistics Division's ISIC rev.3.1 - rev.4
  correspondence, with the classes that change division listed as HS overrides (:data:`ICIO_OVERRIDES`).
* ``data/mappings/io_sector_weights.csv``: for each calibration and exporter region, the US imports
  2024 whose HS product maps to each model sector, split by the dataset's HS-based sectors
  (``hs2_sectors.csv``), and the share of each dataset sector in the model sector. Mexico, Canada
  and China line by line (HS6 of the Census HS10 lines), every other partner by chapter, each
  chapter split across model sectors as in US imports from Mexico, Canada and China together
  (assumption, in the ``basis`` column); ``WLD`` = all partners.

    python data/build/build_io_weights.py [--raw ../shared/data]

Needs pyarrow (the ``build-data`` extra) for the HS10 files. Deterministic: a rerun gives the same
files (tests/test_io_bridge.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
MAPPINGS = ROOT / "data" / "mappings"
CALIBRATIONS = ("icio2022", "wiod2011")
HS10_FILES = {"MEX": "2010", "CAN": "1220", "CHN": "5700"}
CENSUS_UNMAPPED = {"5082": "PSE", "5083": "PSE"}  # Gaza Strip, West Bank (as in build_default.py)
CENSUS_EU_TOTAL = "0003"

#: ISIC rev.3 division (the Caliendo-Parro sectors of hs_cp2015.csv) -> wiod2011 sector.
WIOD = {
    "Agriculture": "Agriculture, forestry, fishing",
    "Mining": "Mining",
    "Food": "Food, beverages, tobacco",
    "Textile": "Textiles, apparel, leather",
    "Wood": "Wood, paper, printing",
    "Paper": "Wood, paper, printing",
    "Petroleum": "Coke and refined petroleum",
    "Chemicals": "Chemicals, pharmaceuticals",
    "Plastic": "Rubber, plastics, non-metallic minerals",
    "Minerals": "Rubber, plastics, non-metallic minerals",
    "Basic metals": "Basic and fabricated metals",
    "Metal products": "Basic and fabricated metals",
    "Machinery n.e.c": "Machinery",
    "Office": "Electrical and optical equipment",
    "Electrical": "Electrical and optical equipment",
    "Communication": "Electrical and optical equipment",
    "Medical": "Electrical and optical equipment",
    "Auto": "Transport equipment",
    "Other Transport": "Transport equipment",
    "Other": "Other manufacturing",
}
#: ISIC rev.3 division -> icio2022 sector (ISIC rev.4), the division-level correspondence.
ICIO = {
    "Agriculture": "Agriculture, forestry, fishing",
    "Mining": "Mining and petroleum",
    "Petroleum": "Mining and petroleum",
    "Food": "Food, beverages, tobacco",
    "Textile": "Textiles, apparel, leather",
    "Wood": "Wood, paper, printing",
    "Paper": "Wood, paper, printing",
    "Chemicals": "Chemicals, pharmaceuticals",
    "Plastic": "Rubber and plastics",
    "Minerals": "Non-metallic minerals",
    "Basic metals": "Basic and fabricated metals",
    "Metal products": "Basic and fabricated metals",
    "Machinery n.e.c": "Machinery",
    "Office": "Computers and electronics",
    "Electrical": "Electrical equipment",
    "Communication": "Computers and electronics",
    "Medical": "Computers and electronics",
    "Auto": "Motor vehicles",
    "Other Transport": "Other transport equipment",
    "Other": "Other manufacturing",
}
#: HS codes whose ISIC rev.3 class moves to another ICIO sector under ISIC rev.4 (UNSD correspondence):
#: code -> (icio2022 sector, reason). The CP sector (and the wiod2011 sector) stays that of its parent code.
ICIO_OVERRIDES = {
    "7321": ("Electrical equipment", "non-electric domestic cooking appliances: ISIC3 2930 -> ISIC4 2750"),
    "841810": ("Electrical equipment", "household refrigerator-freezers: ISIC3 2930 -> ISIC4 2750"),
    "841821": ("Electrical equipment", "household refrigerators: ISIC3 2930 -> ISIC4 2750"),
    "841829": ("Electrical equipment", "household refrigerators: ISIC3 2930 -> ISIC4 2750"),
    "841830": ("Electrical equipment", "chest freezers: ISIC3 2930 -> ISIC4 2750"),
    "841840": ("Electrical equipment", "upright freezers: ISIC3 2930 -> ISIC4 2750"),
    "842211": ("Electrical equipment", "household dishwashers: ISIC3 2930 -> ISIC4 2750"),
    "845011": ("Electrical equipment", "household washing machines: ISIC3 2930 -> ISIC4 2750"),
    "845012": ("Electrical equipment", "household washing machines: ISIC3 2930 -> ISIC4 2750"),
    "845019": ("Electrical equipment", "household washing machines: ISIC3 2930 -> ISIC4 2750"),
    "8508": ("Electrical equipment", "vacuum cleaners: ISIC3 2930 -> ISIC4 2750"),
    "8509": ("Electrical equipment", "domestic electromechanical appliances: ISIC3 2930 -> ISIC4 2750"),
    "8510": ("Electrical equipment", "shavers, hair clippers: ISIC3 2930 -> ISIC4 2750"),
    "8516": ("Electrical equipment", "electric heaters, ovens, hair dryers: ISIC3 2930 -> ISIC4 2750"),
    "8515": ("Electrical equipment", "electric welding and soldering machines: ISIC3 2922 -> ISIC4 2790"),
    "8403": ("Basic and fabricated metals", "central heating boilers: ISIC4 2512"),
    "93": ("Basic and fabricated metals", "weapons and ammunition: ISIC3 2927 -> ISIC4 2520"),
    "8710": ("Other transport equipment", "tanks, armoured fighting vehicles: ISIC3 2927 -> ISIC4 3040"),
    "9003": ("Other manufacturing", "spectacle frames: ISIC3 3320 -> ISIC4 3250"),
    "9004": ("Other manufacturing", "spectacles, goggles: ISIC3 3320 -> ISIC4 3250"),
    "9018": ("Other manufacturing", "medical, surgical, dental instruments: ISIC3 3311 -> ISIC4 3250"),
    "901811": ("Computers and electronics", "electro-cardiographs: ISIC3 3311 -> ISIC4 2660"),
    "901812": ("Computers and electronics", "ultrasonic scanning apparatus: ISIC3 3311 -> ISIC4 2660"),
    "901813": ("Computers and electronics", "magnetic resonance imaging apparatus: ISIC3 3311 -> ISIC4 2660"),
    "901814": ("Computers and electronics", "scintigraphic apparatus: ISIC3 3311 -> ISIC4 2660"),
    "901819": ("Computers and electronics", "other electro-diagnostic apparatus: ISIC3 3311 -> ISIC4 2660"),
    "9019": ("Other manufacturing", "mechano-therapy, respiration apparatus: ISIC3 3311 -> ISIC4 3250"),
    "9020": ("Other manufacturing", "breathing appliances, gas masks: ISIC3 3311 -> ISIC4 3250"),
    "9021": ("Other manufacturing", "orthopaedic appliances: ISIC3 3311 -> ISIC4 3250"),
    "9402": ("Other manufacturing", "medical, surgical, dental furniture: ISIC3 3311 -> ISIC4 3250"),
}
HEADER_CONC = """# HS code (chapter, heading or subheading, HS 2022; the most specific code that prefixes a product wins) ->
# sector of the multi-sector calibrations. Built by data/build/build_io_weights.py from hs_cp2015.csv (HS -> ISIC
# rev.3 division, UN/WITS HS 2007 -> ISIC rev.3): wiod2011 by the exact ISIC rev.3 division -> WIOD industry map;
# icio2022 by the UNSD ISIC rev.3.1 -> rev.4 correspondence at division level, with the classes that change
# division listed as their own rows (note). Empty sectors: no traded goods sector (waste, electricity, HS 98-99).
"""
HEADER_W = """# HS content of each sector of the multi-sector calibrations in US imports 2024, by exporter region and dataset
# sector (hs2_sectors.csv). Built by data/build/build_io_weights.py from US Census 2024 (see data/SOURCES.md);
# share sums to one over the dataset sectors of each (calibration, exporter, io_sector). WLD = all partners.
"""


def concordance() -> pd.DataFrame:
    cp = pd.read_csv(MAPPINGS / "hs_cp2015.csv", dtype=str, keep_default_na=False, comment="#")
    rows = []
    known = set(cp["hs"])
    parent = dict(zip(cp["hs"], cp["cp_sector"], strict=True))
    isic = dict(zip(cp["hs"], cp["isic3"], strict=True))
    for hs, sec in zip(cp["hs"], cp["cp_sector"], strict=True):
        icio, note = ICIO.get(sec, ""), ""
        if hs in ICIO_OVERRIDES:
            icio, note = ICIO_OVERRIDES[hs]
        rows.append((hs, sec, isic[hs], WIOD.get(sec, ""), icio, note))
    for hs, (icio, note) in ICIO_OVERRIDES.items():
        if hs in known:
            continue
        # inherit the CP sector of the most specific listed parent
        for n in (4, 2):
            if hs[:n] in known:
                sec = parent[hs[:n]]
                rows.append((hs, sec, isic[hs[:n]], WIOD.get(sec, ""), icio, note))
                break
        else:
            raise SystemExit(f"override {hs} has no parent in hs_cp2015.csv")
    df = pd.DataFrame(rows, columns=["hs", "cp_sector", "isic3", "wiod2011", "icio2022", "note"])
    df["_k"] = df["hs"].str.ljust(6, "0") + df["hs"].str.len().astype(str)
    return df.sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


def sector_of(hs6: str, conc: dict[str, str]) -> str:
    for n in (6, 4, 2):
        if hs6[:n] in conc:
            return conc[hs6[:n]]
    raise SystemExit(f"HS product {hs6} is not covered by hs_io_sectors.csv")


def region_maps() -> dict[str, dict[str, str]]:
    reg = pd.read_csv(MAPPINGS / "io_regions.csv", dtype=str, keep_default_na=False, comment="#")
    return {c: dict(zip(g["code"], g["region"], strict=True)) for c, g in reg.groupby("calibration")}


def weights(raw: Path, conc_df: pd.DataFrame) -> pd.DataFrame:
    hs2s = pd.read_csv(MAPPINGS / "hs2_sectors.csv", dtype=str, keep_default_na=False, comment="#")
    dataset_sector = dict(zip(hs2s["hs2"], hs2s["sector"], strict=True))
    census = raw / "census2024"
    cmap = pd.read_csv(census / "CensusCountryMapping_FRBAtl_short.csv", dtype=str, keep_default_na=False)
    code_to_iso = {c: i for c, i in zip(cmap["CTY_CODE"], cmap["ISO3"], strict=False) if c}
    code_to_iso.update(CENSUS_UNMAPPED)
    hs10 = {
        iso: pd.read_parquet(census / f"2024-hs10-imports{code}.parquet", columns=["HS6", "imports"])
        for iso, code in HS10_FILES.items()
    }
    chapters = []
    for f in sorted((census / "hs2").glob("hs2-tariff-*.csv")):
        code = f.stem.rsplit("-", 1)[-1]
        if code == CENSUS_EU_TOTAL or code_to_iso[code] in HS10_FILES:
            continue
        df = pd.read_csv(f, dtype={"HS2": str}, keep_default_na=False)
        df["iso"] = code_to_iso[code]
        chapters.append(df[["iso", "HS2", "2024_imports"]])
    ch = pd.concat(chapters, ignore_index=True)
    ch["HS2"] = ch["HS2"].str.zfill(2)
    out = []
    for cal, regmap in region_maps().items():
        conc = dict(zip(conc_df["hs"], conc_df[cal], strict=True))
        lines = {}
        for iso, p in hs10.items():
            q = p.assign(io=[sector_of(h, conc) for h in p["HS6"]], hs2=p["HS6"].str[:2])
            lines[iso] = q.groupby(["hs2", "io"])["imports"].sum()
        pooled = pd.concat(lines.values()).groupby(level=[0, 1]).sum()
        split = pooled / pooled.groupby(level=0).transform("sum")
        by_region = ch.assign(region=ch["iso"].map(lambda i, m=regmap: m.get(i, "ROW")))
        by_region = by_region.groupby(["region", "HS2"])["2024_imports"].sum()
        content: dict[str, tuple[pd.Series, str]] = {}
        for iso, s in lines.items():
            content[regmap.get(iso, "ROW")] = (s, f"US Census 2024 HS10 lines of US imports from {iso}, mapped by HS6")
        for region in sorted(set(by_region.index.get_level_values(0))):
            if region in content or region == "USA":
                continue
            vals: dict[tuple[str, str], float] = {}
            for hs2, v in by_region.loc[region].items():
                if v <= 0:
                    continue
                if hs2 in split.index.get_level_values(0):
                    for io, s in split.loc[hs2].items():
                        vals[(hs2, io)] = vals.get((hs2, io), 0.0) + v * s
                else:
                    k = (hs2, conc.get(hs2, ""))
                    vals[k] = vals.get(k, 0.0) + v
            content[region] = (
                pd.Series(vals, dtype=float),
                f"US Census 2024 US imports from {region} by HS chapter; chapters split across sectors as in US "
                "imports from MEX, CAN and CHN (HS10 lines)",
            )
        wld = pd.concat([s for s, _ in content.values()]).groupby(level=[0, 1]).sum()
        content["WLD"] = (
            wld,
            "US Census 2024 US imports from all partners (MEX, CAN, CHN by HS10 line; others by chapter)",
        )
        for region, (s, basis) in content.items():
            df = s.rename("value").reset_index()
            df.columns = ["hs2", "io", "value"]
            df = df[(df["io"] != "") & (df["value"] > 0)]
            df["sector"] = df["hs2"].map(dataset_sector)
            if df["sector"].isna().any():
                raise SystemExit(
                    f"chapters without a dataset sector: {sorted(df.loc[df.sector.isna(), 'hs2'].unique())}"
                )
            g = df.groupby(["io", "sector"])["value"].sum().round(0)
            g = g[g > 0]
            tot = g.groupby(level=0).transform("sum")
            for (io, sec), v in g.items():
                out.append((cal, region, io, sec, float(v), round(float(v / tot[(io, sec)]), 10), basis))
    res = pd.DataFrame(out, columns=["calibration", "exporter", "io_sector", "sector", "value_usd", "share", "basis"])
    return res.sort_values(["calibration", "exporter", "io_sector", "sector"], kind="stable").reset_index(drop=True)


def build(raw: Path, out: Path = MAPPINGS) -> list[Path]:
    conc = concordance()
    w = weights(raw, conc)
    paths = []
    for name, head, df in (("hs_io_sectors.csv", HEADER_CONC, conc), ("io_sector_weights.csv", HEADER_W, w)):
        p = out / name
        with p.open("w", encoding="utf-8", newline="") as fh:
            fh.write(head)
            df.to_csv(fh, index=False, lineterminator="\n")
        paths.append(p)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get("TARIFFSIM_SHARED_DATA") or ROOT.parent / "shared" / "data"
    ap.add_argument("--raw", type=Path, default=Path(default))
    ap.add_argument("--out", type=Path, default=MAPPINGS)
    a = ap.parse_args()
    for p in build(a.raw, a.out):
        print(f"wrote {p} ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
