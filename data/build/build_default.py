"""Build the embedded ``default`` dataset from the raw public data in ../shared/data.

Run from the project root (needs pyarrow only for nothing here; pandas and tariffsim itself):

    python data/build/build_default.py [--raw ../shared/data] [--out data/datasets/default]

What it writes (all values US dollars):
- ``flows.csv``: exporter, importer, sector, value_usd, tariff, basis — 10 economies x 14 sectors.
  Rows into the US are US Census 2024 imports for consumption by HS chapter (duty actually paid
  / imports as the baseline tariff). Every other row is CEPII BACI 2023 bilateral goods trade
  (as prepared in ../shared/data/ilms2025) split into sectors by a stated assumption (see
  ``basis`` and SOURCES.md). Baseline tariffs outside the US market are set to zero (assumption).
- ``gdp.csv``: GDP 2023, World Development Indicators (via ilms2025), summed over region members.
- ``regions.csv``: the ISO3 -> region mapping used (EU27 = the 27 member states since 2020).
- ``meta.json``: countries, sectors, years, sources, assumptions and the Mexico facts that the
  macro layer needs (export dependence, WIOD value-added shares, USMCA preference share).

The script is deterministic: running it twice gives identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from tariffsim.inputs.datasets import hs2_sector_map, sector_labels  # noqa: E402
from tariffsim.inputs.loaders import read_matrix_csv  # noqa: E402

REGIONS = ("USA", "MEX", "CAN", "CHN", "EU27", "JPN", "KOR", "IND", "VNM", "ROW")
# European Union member states since 1 February 2020 (Eurostat country code list EU27_2020).
EU27 = (
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT ROU SVK SVN ESP SWE"
).split()
# Census codes without an ISO3 in the FRB Atlanta mapping: Gaza Strip and West Bank (Palestine).
CENSUS_UNMAPPED = {"5082": "PSE", "5083": "PSE"}
CENSUS_EU_TOTAL = "0003"  # an aggregate of the EU members: never add it to them

# Caliendo-Parro (2015) tradable sectors -> model sectors (for the sector mix of US exports).
CP_TO_MODEL = {
    "Agriculture": "agrifood",
    "Food": "agrifood",
    "Mining": "minerals",
    "Petroleum": "fuels",
    "Chemicals": "chemicals",
    "Plastic": "chemicals",
    "Wood": "wood_paper",
    "Paper": "wood_paper",
    "Textile": "textiles",
    "Minerals": "stone_precious",
    "Basic metals": "metals",
    "Metal products": "metals",
    "Machinery n.e.c": "machinery",
    "Office": "machinery",
    "Electrical": "electrical",
    "Communication": "electrical",
    "Other Transport": "transport_other",
    "Auto": "vehicles",
    "Medical": "instruments",
    "Other": "other",
}


def region_of(iso3: str) -> str:
    if iso3 in REGIONS:
        return iso3
    if iso3 in EU27:
        return "EU27"
    return "ROW"


def census_us_imports(raw: Path, sectors: list[str]) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """US imports for consumption 2024 and duties paid, (region, sector), USD."""
    hs2map = hs2_sector_map()
    cmap = pd.read_csv(raw / "census2024" / "CensusCountryMapping_FRBAtl_short.csv", dtype=str, keep_default_na=False)
    code_to_iso = {c: i for c, i in zip(cmap["CTY_CODE"], cmap["ISO3"], strict=False) if c}
    code_to_iso.update(CENSUS_UNMAPPED)
    frames = []
    for f in sorted((raw / "census2024" / "hs2").glob("hs2-tariff-*.csv")):
        code = f.stem.rsplit("-", 1)[-1]
        if code == CENSUS_EU_TOTAL:
            continue
        df = pd.read_csv(f, dtype={"HS2": str, "CTY_CODE": str}, keep_default_na=False)
        if code not in code_to_iso:
            raise SystemExit(f"{f.name}: Census code {code} has no ISO3 in the mapping")
        df["iso3"] = code_to_iso[code]
        frames.append(df[["HS2", "2024_imports", "2024_duty", "iso3"]])
    allc = pd.concat(frames, ignore_index=True)
    allc["HS2"] = allc["HS2"].str.zfill(2)
    allc["sector"] = allc["HS2"].map(hs2map)
    if allc["sector"].isna().any():
        raise SystemExit(f"HS chapters without a sector: {sorted(allc.loc[allc.sector.isna(), 'HS2'].unique())}")
    allc["region"] = allc["iso3"].map(region_of)
    g = allc.groupby(["region", "sector"])[["2024_imports", "2024_duty"]].sum()
    imp = np.zeros((len(REGIONS), len(sectors)))
    duty = np.zeros_like(imp)
    for (r, s), row in g.iterrows():
        imp[REGIONS.index(r), sectors.index(s)] = row["2024_imports"]
        duty[REGIONS.index(r), sectors.index(s)] = row["2024_duty"]
    return imp, duty, allc


def us_export_mix(raw: Path, sectors: list[str]) -> np.ndarray:
    """Sector mix of US goods exports to all destinations, Caliendo-Parro (2015) 1993 tables."""
    t = pd.read_csv(raw / "cp2015" / "trade.csv")
    us = t[(t["exporter"] == "USA") & (t["importer"] != "USA") & t["sector"].isin(list(CP_TO_MODEL))]
    by = us.groupby(us["sector"].map(CP_TO_MODEL))["value"].sum()
    mix = np.array([by.get(s, 0.0) for s in sectors])
    return mix / mix.sum()


def wiod_mexico(raw: Path) -> dict:
    d = pd.read_csv(raw / "wiod_dva" / "wiod_dva_bilateral_2002_2014.csv")
    mex = d[d["exporter"] == "MEX"]
    out = {"year": 2014, "to_usa": {}, "to_world": {}, "gross_exports_usd_million": {}}
    for year, g in mex.groupby("year"):
        us = g[g["importer"] == "USA"]
        out["to_usa"][int(year)] = round(float(us["dva"].sum() / us["gtrade"].sum()), 4)
        out["to_world"][int(year)] = round(float(g["dva"].sum() / g["gtrade"].sum()), 4)
        out["gross_exports_usd_million"][int(year)] = round(float(g["gtrade"].sum()), 1)
    return out


def wiod_country_facts(raw: Path, world) -> dict:
    """Per region of the default dataset covered by WIOD: domestic value added per dollar of gross
    exports (2014) to each other region and to the world, and BACI 2023 export shares."""
    d = pd.read_csv(raw / "wiod_dva" / "wiod_dva_bilateral_2002_2014.csv")
    d = d[(d["year"] == 2014) & (d["exporter"] != "ROW")]
    d = d.assign(er=d["exporter"].map(region_of), ir=d["importer"].map(region_of))
    d = d[d["er"] != d["ir"]]
    regions = world.aggregate(countries={c: region_of(c) for c in world.countries}, name="r")
    out = {}
    for r in REGIONS:
        g = d[d["er"] == r]
        if r == "ROW" or g.empty:
            continue
        if r == "EU27" and set(EU27) - set(g["exporter"]):
            continue
        to = g.groupby("ir")[["dva", "gtrade"]].sum()
        ri = regions.index(r)
        x = regions.values[ri, :, 0]
        out[r] = {
            "dva_share_wiod_2014": {
                "to": {m: round(float(to.loc[m, "dva"] / to.loc[m, "gtrade"]), 4) for m in to.index},
                "to_world": round(float(g["dva"].sum() / g["gtrade"].sum()), 4),
            },
            "export_shares_baci_2023": {
                m: round(float(x[j] / x.sum()), 4) for j, m in enumerate(regions.countries) if m != r
            },
        }
    return out


def build(raw: Path, out: Path) -> None:
    sectors = list(dict.fromkeys(hs2_sector_map().values()))
    ilms = raw / "ilms2025"
    world = read_matrix_csv(
        ilms / "trade_cepii.csv", ilms / "country_labels.csv", ilms / "gdp.csv", units="thousand USD", year=2023
    )
    regions = {c: region_of(c) for c in world.countries}
    agg = world.aggregate(countries=regions, name="baci2023-regions")
    order = [agg.countries.index(r) for r in REGIONS]
    X = agg.values[:, :, 0][np.ix_(order, order)]  # region x region, USD, BACI 2023
    gdp = agg.gdp[order]

    us_imp, us_duty, census = census_us_imports(raw, sectors)
    usa = REGIONS.index("USA")
    # Sector mixes: each exporter's Census mix into the US; the US's own from Caliendo-Parro.
    mix = np.zeros_like(us_imp)
    has = us_imp.sum(axis=1) > 0  # the US row is empty: it does not import from itself
    mix[has] = us_imp[has] / us_imp[has].sum(axis=1, keepdims=True)
    mix[usa] = us_export_mix(raw, sectors)

    n, s = len(REGIONS), len(sectors)
    V = X[:, :, None] * mix[:, None, :]
    basis = np.full((n, n), "BACI 2023 total x exporter's sector mix in US imports (Census 2024)", dtype=object)
    basis[usa, :] = "BACI 2023 total x US export sector mix (Caliendo-Parro 1993)"
    V[:, usa, :] = us_imp
    basis[:, usa] = "US Census 2024 imports for consumption by HS chapter"
    T = np.zeros((n, n, s))
    with np.errstate(invalid="ignore", divide="ignore"):
        T[:, usa, :] = np.where(us_imp > 0, us_duty / np.where(us_imp > 0, us_imp, 1), 0.0)

    rows = []
    for i, e in enumerate(REGIONS):
        for j, m in enumerate(REGIONS):
            for k, sec in enumerate(sectors):
                if V[i, j, k] > 0:
                    rows.append((e, m, sec, round(float(V[i, j, k]), 2), round(float(T[i, j, k]), 8), basis[i, j]))
    flows = pd.DataFrame(rows, columns=["exporter", "importer", "sector", "value_usd", "tariff", "basis"])

    mex, mexw = REGIONS.index("MEX"), world.index("MEX")
    mex_census = census[census["iso3"] == "MEX"]
    facts = {
        "export_dependence_data": round(
            float(world.values[mexw, world.index("USA")].sum() / world.values[mexw].sum()), 4
        ),
        "export_dependence_data_year": 2023,
        "export_dependence_data_source": "CEPII BACI 2023 via ../shared/data/ilms2025: MEX exports to USA / MEX exports",
        "exports_to_gdp_2023": round(float(world.values[mexw].sum() / world.gdp[mexw]), 4),
        "us_imports_from_mex_2024_usd": round(float(mex_census["2024_imports"].sum()), 0),
        "us_duty_on_mex_2024_usd": round(float(mex_census["2024_duty"].sum()), 0),
        "us_imports_from_mex_2023_baci_usd": round(float(world.values[mexw, world.index("USA")].sum()), 0),
        "us_exports_to_mex_2023_baci_usd": round(float(world.values[world.index("USA"), mexw].sum()), 0),
        "gdp_2023_usd": round(float(gdp[mex]), 0),
        "dva_share_wiod": wiod_mexico(raw),
        "usmca_preference_share_2024": 0.49,
        "usmca_preference_share_source": (
            "assumption from an external source: share of 2024 US imports from Mexico entered under the "
            "USMCA preference (USITC DataWeb, imports for consumption by special program indicator, 2024, "
            "as widely cited in March 2025); not derivable from ../shared/data"
        ),
    }
    meta = {
        "name": "default",
        "year": "2023/2024",
        "description": (
            "Ten economies x fourteen sectors. US import market: US Census 2024 by HS chapter with duties "
            "paid. Other bilateral flows: CEPII BACI 2023 totals, split into sectors by assumption. "
            "GDP: WDI 2023. US dollars."
        ),
        "years": {"us_imports_by_sector": 2024, "other_flows": 2023, "gdp": 2023, "baseline_tariffs_us": 2024},
        "countries": list(REGIONS),
        "sectors": sectors,
        "sector_labels": sector_labels(),
        "regions": {"EU27": EU27, "ROW": "all economies in ilms2025 not listed separately"},
        "mexico": facts,
        "country_facts": wiod_country_facts(raw, world),
        "country_facts_source": (
            "dva_share_wiod_2014: WIOD 2016 release decomposed (Wang-Wei-Zhu), domestic value added / gross "
            "exports by exporter and importer region, 2014 (../shared/data/wiod_dva); export_shares_baci_2023: "
            "CEPII BACI 2023 via ../shared/data/ilms2025, exports to each region / all exports"
        ),
        "assumptions": [
            "Outside the US market, each exporter's sector mix equals its sector mix in US imports (Census 2024).",
            "The US export sector mix is taken from Caliendo and Parro (2015) 1993 tables (cp2015), the only "
            "US export data by sector in ../shared/data; it is dated.",
            "Baseline tariffs outside the US market are zero (no tariff data in ../shared/data).",
            "Rows into the US are 2024 (Census); all other rows are 2023 (BACI); no price adjustment.",
            "Flows within EU27 and within ROW (intra-regional trade) stay on the diagonal.",
            "Census codes 5082/5083 (Gaza Strip, West Bank) are mapped to PSE (in ROW).",
        ],
        "sources": [
            {
                "figure": "US imports by partner and HS chapter; duties paid",
                "publisher": "US Census Bureau (via tradewartracker, MIT licence)",
                "table": "US imports for consumption by HS chapter, ../shared/data/census2024/hs2",
                "year": 2024,
                "units": "USD",
                "licence": "public domain (US government) / MIT (compilation)",
            },
            {
                "figure": "Bilateral goods trade between regions",
                "publisher": "CEPII BACI HS22 V202501, as prepared by Ignatenko, Lashkaripour, Macedoni, Simonovska (2025)",
                "table": "../shared/data/ilms2025/trade_cepii.csv",
                "year": 2023,
                "units": "thousand USD in the file; USD here",
                "licence": "Etalab Open Licence 2.0 (BACI)",
            },
            {
                "figure": "GDP",
                "publisher": "World Bank, World Development Indicators (via ilms2025)",
                "table": "../shared/data/ilms2025/gdp.csv",
                "year": 2023,
                "units": "current USD",
                "licence": "CC BY 4.0",
            },
            {
                "figure": "US export sector mix",
                "publisher": "Caliendo and Parro (2015), Review of Economic Studies (via paulofelipe/cp2015, MIT)",
                "table": "../shared/data/cp2015/trade.csv",
                "year": 1993,
                "units": "USD (shares used)",
                "licence": "MIT",
            },
            {
                "figure": "Domestic value added in gross exports by exporter and destination (meta.json "
                "country_facts, for reference: runs use WIOT 2011 by sector, data/macro/value_added.csv)",
                "publisher": "WIOD 2016 release, Wang-Wei-Zhu decomposition",
                "table": "../shared/data/wiod_dva/wiod_dva_bilateral_2002_2014.csv",
                "year": 2014,
                "units": "share of gross exports",
                "licence": "CC BY 4.0 (WIOD)",
                "role": "reference",
            },
        ],
    }
    out.mkdir(parents=True, exist_ok=True)
    flows.to_csv(out / "flows.csv", index=False)
    pd.DataFrame({"country": list(REGIONS), "gdp_usd": np.round(gdp, 0)}).to_csv(out / "gdp.csv", index=False)
    pd.DataFrame(sorted(regions.items()), columns=["iso3", "region"]).to_csv(out / "regions.csv", index=False)
    (out / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    print(
        f"wrote {len(flows)} flows, {n} economies, {s} sectors to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}"
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data", help="raw data folder (../shared/data)")
    p.add_argument("--out", type=Path, default=ROOT / "data" / "datasets" / "default")
    a = p.parse_args(argv)
    build(a.raw.resolve(), a.out.resolve())


if __name__ == "__main__":
    main()
