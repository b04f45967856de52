"""Build the sector elasticity table shipped in data/elasticities/sector_elasticities.csv.

    python data/build/build_elasticities.py [--raw ../shared/data]

Columns (one row per model sector):
- sigma_bw_usa: median Broda-Weinstein (2006) elasticity of substitution among varieties of US
  imports over the HS 3-digit groups (HS 1988/92) whose chapter maps to the sector; n_bw_usa counts
  them. Source: ../shared/data/elasticities/broda_weinstein_sigma_hs3.csv (via R package concordance).
- sigma_bw_mex, n_bw_mex: the same for Mexico's imports.
- theta_cp: Caliendo-Parro (2015) sector trade elasticity, mean over the CP sectors that map to
  the model sector (../shared/data/cp2015/theta.csv); sigma_cp = 1 + theta_cp.
The median is used because the BW estimates are heavily right-skewed (US: median 2.3, mean 4.2,
max 108).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_default import CP_TO_MODEL  # noqa: E402

from tariffsim.inputs.datasets import hs2_sector_map  # noqa: E402


def build(raw: Path, out: Path) -> pd.DataFrame:
    hs2 = hs2_sector_map()
    sectors = list(dict.fromkeys(hs2.values()))
    bw = pd.read_csv(raw / "elasticities" / "broda_weinstein_sigma_hs3.csv", dtype={"HS0_3d": str, "HS0_2d": str})
    bw["sector"] = bw["HS0_2d"].str.zfill(2).map(hs2)
    rows = {s: {"sector": s} for s in sectors}
    for iso, tag in (("USA", "usa"), ("MEX", "mex")):
        g = bw[bw["iso3c"] == iso].groupby("sector")["sigma"]
        for s in sectors:
            rows[s][f"sigma_bw_{tag}"] = round(float(g.median().get(s, float("nan"))), 4)
            rows[s][f"n_bw_{tag}"] = int(g.count().get(s, 0))
    th = pd.read_csv(raw / "cp2015" / "theta.csv")
    th = th[th["sector"].isin(list(CP_TO_MODEL))]
    th_by = th.groupby(th["sector"].map(CP_TO_MODEL))["value"].mean()
    for s in sectors:
        t = float(th_by.get(s, float("nan")))
        rows[s]["theta_cp"] = round(t, 4)
        rows[s]["sigma_cp"] = round(1 + t, 4)
    df = pd.DataFrame(list(rows.values()))
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False)
    return df


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--out", type=Path, default=ROOT / "data" / "elasticities" / "sector_elasticities.csv")
    a = p.parse_args(argv)
    print(build(a.raw.resolve(), a.out.resolve()).to_string(index=False))


if __name__ == "__main__":
    main()
