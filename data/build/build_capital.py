"""Build ``data/macro/capital.csv``: the two facts behind the long-run real-GDP mechanism
(:mod:`tariffsim.models.longrun`), for each region of the default dataset that the data cover.

    python data/build/build_capital.py [--raw ../shared/data] [--out data/macro/capital.csv]

Columns:
- ``imported_share_gfcf``: share of imported goods and services in the region's gross fixed capital
  formation, WIOT 2011 (``../shared/data/wiot2011/wiot2011.npz``, WIOD 2013 release): final-use
  column 4 of 5 (GFCF) of each member country; imports = rows of other countries. For an aggregate
  (EU27, ROW) an import is a purchase from outside the member country (intra-EU purchases count as
  imports: each member's own capital goods price is what the mechanism needs).
- ``gfcf_share_gdp``: gross fixed capital formation / value added (output less intermediate use, net
  product taxes included), WIOT 2011: the investment share that turns the investment response to
  trade-policy uncertainty into a GDP drag.
- ``capital_share``: capital income (CAP = value added - labour compensation, the latter including the
  imputed labour income of the self-employed) / value added, all industries except mining and
  quarrying (ISIC rev. 4 B: its capital income is mostly natural-resource rent, not a return to
  reproducible capital; Caselli and Feyrer 2007, QJE), WIOD Socio-Economic Accounts 2016 release
  (``../shared/data/wiod_sea2016/sea2016.csv.gz``), 2014, national currency converted at NOMEXCH
  for aggregates. ``capital_share_incl_mining`` the same over all industries.
Regions as in build_value_added.py; VNM and ROW are left out where the data do not cover them
(WIOT's RoW has no GFCF split; the SEA has no RoW), so ROW and VNM have no row.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
N_IND, N_FINAL, GFCF = 35, 5, 3  # GFCF is the 4th of 5 final-use columns

EU_WIOD = (
    "AUT BEL BGR CYP CZE DEU DNK ESP EST FIN FRA GRC HUN IRL ITA LTU LUX LVA MLT NLD POL PRT ROM SVK SVN SWE"
).split()
EU_SEA = [c if c != "ROM" else "ROU" for c in EU_WIOD] + ["HRV"]
REGIONS_WIOT = {c: (c,) for c in ("USA", "MEX", "CAN", "CHN", "JPN", "KOR", "IND")} | {"EU27": tuple(EU_WIOD)}
REGIONS_SEA = {c: (c,) for c in ("USA", "MEX", "CAN", "CHN", "JPN", "KOR", "IND")} | {"EU27": tuple(EU_SEA)}
SEA_YEAR = 2014


def investment_facts(raw: Path) -> dict[str, tuple[float, float]]:
    """(imported share of GFCF, GFCF / value added) by region, WIOT 2011."""
    z = np.load(raw / "wiot2011" / "wiot2011.npz", allow_pickle=False)
    final = z["final"].astype(float)
    inter = z["inter"].astype(float)
    output = z["output"].astype(float)
    countries = [str(c) for c in z["countries"]]
    C = len(countries)
    gfcf = final[:, GFCF::N_FINAL].reshape(C, N_IND, C).sum(axis=1)  # (supplier country, using country)
    va = (output - inter.sum(axis=0)).reshape(C, N_IND).sum(axis=1)
    out = {}
    for region, members in REGIONS_WIOT.items():
        idx = [countries.index(c) for c in members]
        total = float(gfcf[:, idx].sum())
        domestic = float(sum(gfcf[i, i] for i in idx))
        out[region] = ((total - domestic) / total, total / float(va[idx].sum()))
    return out


def capital_shares(raw: Path) -> dict[str, tuple[float, float]]:
    s = pd.read_csv(raw / "wiod_sea2016" / "sea2016.csv.gz")
    s = s[s["year"] == SEA_YEAR].copy()
    for col in ("CAP", "VA"):
        s[col] = s[col] / s["NOMEXCH"]  # national currency -> USD, so members can be summed
    out = {}
    for region, members in REGIONS_SEA.items():
        r = s[s["country"].isin(members)]
        ex = r[r["code"] != "B"]
        out[region] = (float(ex["CAP"].sum() / ex["VA"].sum()), float(r["CAP"].sum() / r["VA"].sum()))
    return out


def build(raw: Path, out: Path | None = None) -> pd.DataFrame:
    inv = investment_facts(raw)
    cap = capital_shares(raw)
    table = pd.DataFrame(
        [
            {
                "country": c,
                "imported_share_gfcf": round(inv[c][0], 6),
                "gfcf_share_gdp": round(inv[c][1], 6),
                "imported_share_gfcf_year": 2011,
                "capital_share": round(cap[c][0], 6),
                "capital_share_incl_mining": round(cap[c][1], 6),
                "capital_share_year": SEA_YEAR,
            }
            for c in REGIONS_WIOT
        ]
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", newline="") as fh:
            fh.write(
                "# Imported share of gross fixed capital formation (WIOT 2011) and capital share of value added\n"
                "# excluding mining (WIOD SEA 2016 release, 2014); built by data/build/build_capital.py.\n"
            )
            table.to_csv(fh, index=False, lineterminator="\n")
    return table


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=ROOT / "data" / "macro" / "capital.csv")
    a = p.parse_args(argv)
    build(a.raw, a.out)


if __name__ == "__main__":
    main()
