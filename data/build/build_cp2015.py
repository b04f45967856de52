"""Build the compact copy of the Caliendo-Parro (2015) tables shipped in data/datasets/cp2015/.

    python data/build/build_cp2015.py [--raw ../shared/data]

Input: the six CSV files in ../shared/data/cp2015 (Caliendo and Parro 2015, REStud, via the R
package paulofelipe/cp2015, MIT licence; 31 regions x 40 sectors, 1993, US dollars).
Output: the same six tables, same columns and units, gzipped (``*.csv.gz``), with two changes:

* trade rows with a zero value are left out (19,602 of 38,440: mostly the 20 non-traded service
  sectors). A zero flow has a zero expenditure share, so its tariff and iceberg cost never enter
  the equilibrium, tariff revenue or the welfare decomposition; the reader fills absent rows with
  zero trade and zero tariffs.
* numbers are written with 12 significant digits (the raw files carry up to 17): relative changes
  of at most 5e-13, far below anything reported (tests/test_ge_io.py checks the shipped copy
  against the raw tables and the replication results against each other).

The gzip stream carries no timestamp, so a rerun reproduces the files byte for byte.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "datasets" / "cp2015"
FILES = (
    "trade.csv",
    "intermediate_consumption.csv",
    "final_consumption.csv",
    "value_added.csv",
    "deficit.csv",
    "theta.csv",
)


def build(raw: Path, out: Path = OUT) -> list[Path]:
    src = raw / "cp2015"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        df = pd.read_csv(src / name)
        if name == "trade.csv":
            df = df[df["value"] != 0]
        path = out / (name + ".gz")
        df.to_csv(
            path,
            index=False,
            float_format="%.12g",
            lineterminator="\n",
            compression={"method": "gzip", "mtime": 0, "compresslevel": 9},
        )
        written.append(path)
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    for p in build(args.raw, args.out):
        print(f"wrote {p} ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
