#!/usr/bin/env python3
"""The seed question on today's structure (a 25 % US tariff on every good from Mexico, with and
without Mexican retaliation) solved with the multi-sector model on the shipped calibrations
icio2022 and wiod2011, for every tariffwar elasticity set: the tables of docs/models/ge_io.md.

    python scripts/ge_io_seed.py           # print the tables
    python scripts/ge_io_seed.py --write   # replace the block between the markers in docs/models/ge_io.md

``tests/test_io_calibration.py`` checks that the docs hold exactly what :func:`block` computes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from tariffsim.inputs.io_shipped import (
    DEFAULT_SET,
    ELASTICITY_SETS,
    goods_mask,
    io_table_meta,
    load_io_table,
    theta_for,
    with_theta,
)
from tariffsim.models.ge_io import IOChanges, calibrate, changes, solve_io

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "models" / "ge_io.md"
START, END = "<!-- ge-io-seed:start -->", "<!-- ge-io-seed:end -->"
TABLES = ("icio2022", "wiod2011")
RATE = 0.25


#: The seed question: the US taxes every good from Mexico.
MEX25 = {"MEX": RATE}
#: Like for like with ifo/EconPol Policy Brief 70: the US's February 2025 package (25 % on Mexico and
#: Canada, +10 % on China, every good), retaliation symmetric.
PACKAGE = {"MEX": RATE, "CAN": RATE, "CHN": 0.10}


def solve(
    name: str, elasticity_set: str, retaliation: bool, rates: dict[str, float] = MEX25
) -> tuple[IOChanges, np.ndarray]:
    """Changes of the seed question and the value-added shares (N, J) of the table."""
    data = with_theta(load_io_table(name), theta_for(name, elasticity_set))
    model = calibrate(data)
    t = np.array(data.tariff, dtype=float)
    g = goods_mask(data)
    us = data.index("USA")
    for code, rate in rates.items():
        k = data.index(code)
        t[us, k, g] += rate
        if retaliation:
            t[k, us, g] += rate
    ref = solve_io(model, data.tariff, None, data.deficit)
    return changes(ref, solve_io(model, t, None, data.deficit, start=ref)), model.gamma_va.T


def _p(x: float, nd: int = 1) -> str:
    s = f"{x:+.{nd}f}".replace("-", "−")
    return s if s.strip("+−0.") else f"{0:.{nd}f}"


def headline(name: str, rates: dict[str, float] = MEX25) -> list[str]:
    manuf_names = io_table_meta(name)["manufacturing_sectors"]
    rows = []
    for eset in ELASTICITY_SETS:
        cells = []
        for ret in (False, True):
            ch, va = solve(name, eset, ret, rates)
            mx, us = ch.regions.index("MEX"), ch.regions.index("USA")
            manuf = np.array([s in manuf_names for s in ch.sectors])
            cells.append(
                (
                    ch.real_income_pct[mx],
                    ch.realwage_pct[mx],
                    ch.total_exports_pct()[mx],
                    ch.value_added_group_pct(manuf, va)[mx],
                    ch.real_income_pct[us],
                )
            )
        a, b = cells
        rows.append(
            f"| {eset}{' (default)' if eset == DEFAULT_SET else ''} | "
            + " | ".join(
                f"{_p(x, 2 if k in (0, 1, 4) else 1)} / {_p(y, 2 if k in (0, 1, 4) else 1)}"
                for k, (x, y) in enumerate(zip(a, b, strict=True))
            )
            + " |"
        )
    return rows


def sectors(name: str) -> list[str]:
    """Mexico's sectors: output share, changes under the default set (without / with retaliation)
    and the range across the eight sets (without retaliation)."""
    runs = {(e, r): solve(name, e, r)[0] for e in ELASTICITY_SETS for r in (False, True)}
    ch = runs[(DEFAULT_SET, False)]
    mx = ch.regions.index("MEX")
    tables = {k: v.sector_table() for k, v in runs.items()}
    rows = []
    for j, s in enumerate(ch.sectors):

        def cell(e: str, r: bool, col: str, j: int = j) -> float:
            t = tables[(e, r)]
            return float(t[(t["region"] == "MEX")][col].iloc[j])

        va = [cell(e, False, "value_added_change_pct") for e in ELASTICITY_SETS]
        share = float(ch.output_share[mx, j])
        rows.append(
            f"| {s}{' (flagged)' if share < 0.01 else ''} | {100 * share:.1f} | "
            f"{_p(cell(DEFAULT_SET, False, 'value_added_change_pct'))} / {_p(cell(DEFAULT_SET, True, 'value_added_change_pct'))} | "
            f"{_p(min(va))} to {_p(max(va))} | "
            f"{_p(cell(DEFAULT_SET, False, 'exports_change_pct'))} / {_p(cell(DEFAULT_SET, True, 'exports_change_pct'))} |"
        )
    return rows


def block() -> str:
    out = []
    for name in TABLES:
        out += [
            f"**{name}**: Mexico (the US in the last column); each cell without / with Mexican retaliation.",
            "",
            "| elasticities | real income % | real wage % | total exports % | manufacturing value added % | US real income % |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *headline(name),
            "",
        ]
    out += [
        "**icio2022, the February 2025 package** (25 % on Mexico and Canada, +10 % on China, every good; "
        "retaliation by all three at the same rates), as in ifo/EconPol Policy Brief 70: Mexico.",
        "",
        "| elasticities | real income % | real wage % | total exports % | manufacturing value added % | US real income % |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *headline("icio2022", PACKAGE),
        "",
    ]
    for name in TABLES:
        out += [
            f"**{name}**, Mexico by sector: share of gross output (%), value added at baseline prices (labour "
            f"employed; {DEFAULT_SET} set, without / with retaliation; range over the eight sets without), exports "
            f"(value, {DEFAULT_SET} set). Flagged: under 1 % of Mexico's output.",
            "",
            "| sector | output share | value added % | value added, range % | exports % |",
            "| --- | ---: | ---: | ---: | ---: |",
            *sectors(name),
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help=f"replace the block in {DOC.relative_to(ROOT)}")
    args = ap.parse_args()
    text = block()
    if not args.write:
        sys.stdout.write(text)
        return 0
    doc = DOC.read_text(encoding="utf-8")
    if START not in doc or END not in doc:
        raise SystemExit(f"markers {START} ... {END} not found in {DOC}")
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
