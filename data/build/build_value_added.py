"""Build ``data/macro/value_added.csv``: domestic value added per dollar of gross exports, by
exporter, destination and sector, from the world input-output table WIOT 2011.

    python data/build/build_value_added.py [--raw ../shared/data] [--out data/macro/value_added.csv]

Input: ``../shared/data/wiot2011/wiot2011.npz`` (WIOD 2013 release, Timmer et al. 2015; 41 regions x 35
industries c1-c35, USD million): intermediate flows ``inter`` (rows supply, columns use), final use
``final`` (5 columns per country), gross output ``output``.

The computation (Leontief 1936; the "domestic value added in exports" of Koopman, Wang and Wei 2014):
    A = Z diag(x)^-1 (input coefficients of every country-industry),  v = 1 - column sums of A
    (value added per dollar of output, net product taxes and margins included),  L = (I - A)^-1 the
    global Leontief inverse.  For exporter c, the value added of c embodied in one dollar of c's
    gross exports of industry i is  m_c[i] = sum_k v_c[k] L_cc[k, i], with L_cc the domestic block of
    the global inverse (c's value added that leaves and comes back in imported inputs is included).
    Gross exports of c to destination d by industry: e[c, d, i] = sum_j Z[c i, d j] + sum_f F[c i, d f].
    Domestic value added of a bundle: sum_i m_c[i] e[c, d, i]; per dollar: divided by sum_i e[c, d, i].

Mapping WIOD industries -> the default dataset's 14 HS-based sectors (HS chapters in
``data/mappings/hs2_sectors.csv``; ISIC rev. 3 divisions in brackets). A sector takes the exports of
every industry listed; an industry that makes goods of several sectors is listed in each, so the
rows of one exporter and destination do not add up across sectors (the gross column is the weight
within a sector):
    agrifood        c1 agriculture (AtB), c3 food, beverages, tobacco (15-16)
    minerals        c2 mining and quarrying (C)
    fuels           c2 mining and quarrying (C: crude oil, gas, coal), c8 coke and refined petroleum (23)
    chemicals       c9 chemicals (24), c10 rubber and plastics (25)
    wood_paper      c5 leather and footwear (19), c6 wood (20), c7 pulp, paper, printing (21-22)
    textiles        c4 textiles and apparel (17-18), c5 leather and footwear (19)
    stone_precious  c11 other non-metallic minerals (26), c16 manufacturing n.e.c. incl. jewellery (36-37)
    metals          c12 basic and fabricated metals (27-28)
    machinery       c13 machinery n.e.c. (29), c14 electrical and optical (30-33: office machines and
                    computers, HS 8471, are ISIC 30)
    electrical      c14 electrical and optical equipment (30-33)
    transport_other c15 transport equipment (34-35)
    vehicles        c15 transport equipment (34-35)
    instruments     c14 electrical and optical equipment (30-33: ISIC 33 instruments)
    other           c16 manufacturing n.e.c. (36-37: furniture, toys, miscellaneous)
Three aggregates are added: ``goods`` (c1-c16), ``manufactures`` (c3-c16), ``all`` (c1-c35).

Regions of the default dataset: USA, MEX, CAN, CHN, JPN, KOR, IND as in WIOD; EU27 = the WIOD
members of the European Union without GBR (26 countries: Croatia is inside WIOD's RoW); ROW = WIOD's
RoW plus AUS, BRA, GBR, IDN, RUS, TUR, TWN. VNM is inside WIOD's RoW: it has no row as an exporter
and as a destination it is not separable (it is left out; a caller falls back to ``WLD``). For an
aggregate exporter "domestic" is each member's own value added (value added of another member in
the inputs counts as foreign) and exports are those to destinations outside the aggregate;
``WLD`` = all destinations outside the exporter.

Output columns: exporter, destination, sector, gross_exports_usd_mn, dva_usd_mn, dva_share (6 digits).
Deterministic: a rerun gives an identical file (tested).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]

N_IND = 35
N_FINAL = 5

#: WIOD industries (1-based c numbers) in each default-dataset sector.
SECTOR_INDUSTRIES: dict[str, tuple[int, ...]] = {
    "agrifood": (1, 3),
    "minerals": (2,),
    "fuels": (2, 8),
    "chemicals": (9, 10),
    "wood_paper": (5, 6, 7),
    "textiles": (4, 5),
    "stone_precious": (11, 16),
    "metals": (12,),
    "machinery": (13, 14),
    "electrical": (14,),
    "transport_other": (15,),
    "vehicles": (15,),
    "instruments": (14,),
    "other": (16,),
    "goods": tuple(range(1, 17)),
    "manufactures": tuple(range(3, 17)),
    "all": tuple(range(1, 36)),
}

EU_WIOD = (
    "AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA GRC HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROM SVK SVN SWE"
).split()
REGIONS: dict[str, tuple[str, ...]] = {
    "USA": ("USA",),
    "MEX": ("MEX",),
    "CAN": ("CAN",),
    "CHN": ("CHN",),
    "EU27": tuple(EU_WIOD),
    "JPN": ("JPN",),
    "KOR": ("KOR",),
    "IND": ("IND",),
    "ROW": ("RoW", "AUS", "BRA", "GBR", "IDN", "RUS", "TUR", "TWN"),
}


def read_wiot(raw: Path) -> dict[str, np.ndarray]:
    z = np.load(raw / "wiot2011" / "wiot2011.npz", allow_pickle=False)
    return {k: z[k] for k in z.files}


def value_added_multipliers(inter: np.ndarray, output: np.ndarray) -> np.ndarray:
    """m[c, i]: value added of country c embodied in one dollar of c's output of industry i that is
    exported (domestic block of the global Leontief inverse, weighted by c's value-added coefficients).
    Shape (countries, industries)."""
    Z = inter.astype(float)
    x = output.astype(float)
    safe = np.where(x > 0, x, 1.0)
    A = Z / safe[None, :]
    v = np.where(x > 0, 1.0 - A.sum(axis=0), 0.0)
    n = x.size
    L = np.linalg.solve(np.eye(n) - A, np.eye(n))
    C = n // N_IND
    m = np.empty((C, N_IND))
    for c in range(C):
        b = slice(c * N_IND, (c + 1) * N_IND)
        m[c] = v[b] @ L[b, b]
    return m


def gross_exports(inter: np.ndarray, final: np.ndarray) -> np.ndarray:
    """e[c, d, i]: gross exports of industry i of country c to country d (USD million); e[c, c] = 0."""
    n = inter.shape[0]
    C = n // N_IND
    zi = inter.astype(float).reshape(C, N_IND, C, N_IND).sum(axis=3)  # (c, i, d)
    fi = final.astype(float).reshape(C, N_IND, C, N_FINAL).sum(axis=3)
    e = np.transpose(zi + fi, (0, 2, 1)).copy()  # (c, d, i)
    e[np.arange(C), np.arange(C)] = 0.0
    return e


def region_table(countries: Sequence[str], m: np.ndarray, e: np.ndarray) -> pd.DataFrame:
    idx = {c: k for k, c in enumerate(countries)}
    rows = []
    for xr, xm in REGIONS.items():
        xi = [idx[c] for c in xm]
        dests = [d for d in REGIONS if d != xr] + ["WLD"]
        for dr in dests:
            if dr == "WLD":
                di = [k for k in range(len(countries)) if k not in xi]
            else:
                di = [idx[c] for c in REGIONS[dr]]
            ex = e[np.ix_(xi, di)].sum(axis=1)  # (members, industries)
            dva = m[xi] * ex
            for sector, inds in SECTOR_INDUSTRIES.items():
                cols = [i - 1 for i in inds]
                g = float(ex[:, cols].sum())
                v = float(dva[:, cols].sum())
                rows.append(
                    {
                        "exporter": xr,
                        "destination": dr,
                        "sector": sector,
                        "gross_exports_usd_mn": round(g, 1),
                        "dva_usd_mn": round(v, 1),
                        "dva_share": round(v / g, 6) if g > 0 else float("nan"),  # none (or net negative: inventories)
                    }
                )
    return pd.DataFrame(rows)


def build(raw: Path, out: Path | None = None) -> pd.DataFrame:
    w = read_wiot(raw)
    m = value_added_multipliers(w["inter"], w["output"])
    e = gross_exports(w["inter"], w["final"])
    table = region_table([str(c) for c in w["countries"]], m, e)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="") as fh:
            fh.write(
                "# Domestic value added per dollar of gross exports (Leontief, domestic block of the global inverse),\n"
                "# WIOT 2011 (WIOD 2013 release), USD million; built by data/build/build_value_added.py.\n"
                "# Sector rows overlap (an industry serving several sectors is in each); see the script.\n"
            )
            table.to_csv(fh, index=False, lineterminator="\n")
    return table


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=ROOT / "data" / "macro" / "value_added.csv")
    a = p.parse_args(argv)
    build(a.raw, a.out)


if __name__ == "__main__":
    main()
