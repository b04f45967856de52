#!/usr/bin/env python3
"""The README's seed-question tables, computed from the code (one source of truth).

    python scripts/readme_numbers.py           # print the tables
    python scripts/readme_numbers.py --write   # replace the block between the markers in README.md

``tests/test_readme.py`` checks that README.md holds exactly what :func:`block` computes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- seed-numbers:start -->", "<!-- seed-numbers:end -->"
SCENARIOS = ("mex25", "mex25-usmca", "mex25-retaliation", "na-feb2025")


def _p(x: float | None, nd: int = 1) -> str:
    return "n/a" if x is None else f"{x:+.{nd}f} %".replace("-", "−").replace("+0.0 %", "0.0 %")


def _pp(x: float) -> str:
    return f"{100 * x:+.0f} pp".replace("-", "−")


def block() -> str:
    import tariffsim as ts

    runs: dict[tuple[str, str], dict] = {}
    for n in SCENARIOS:
        for m in ("pe", "ge", "ge-io"):
            # ge-io runs on ICIO 2022 (its default table) with the eight tariffwar sector-elasticity sets;
            # sector measures (na-feb2025: energy at 10 %) reach its ICIO sectors
            runs[(n, m)] = ts.simulate(n, model=m).to_json()
    j, g, io = runs[("mex25", "pe")], runs[("mex25", "ge")], runs[("mex25", "ge-io")]
    fy_sets = {n: h["gdp_impact_pct_first_year_avg"] for n, h in j["by_elasticity_set"].items()}
    fy, q4 = j["gdp_impact_pct_first_year_avg_draws"], j["gdp_impact_pct_draws"]
    band = j["recession_probability_change_band"]
    fq, fc = j["recession_frequency_4q"], j["baseline_growth_forecast"]
    io_gdp = [h["gdp_impact_pct_long_run"] for h in io["by_elasticity_set"].values()]
    io_inc = [h["real_income_pct_long_run"] for h in io["by_elasticity_set"].values()]
    rows = [
        "| `mex25`, central elasticities | |",
        "| --- | ---: |",
        f"| **Mexico's GDP, first-year average** (90 % of {fy['n']} parameter draws) | "
        f"**{_p(j['gdp_impact_pct_first_year_avg'], 2)}** ({_p(fy['p05'], 2)} to {_p(fy['p95'], 2)}) |",
        f"| Mexico's GDP level after four quarters (90 % of draws) | {_p(j['gdp_impact_pct'], 2)} "
        f"({_p(q4['p05'], 2)} to {_p(q4['p95'], 2)}) |",
        f"| first-year average over the scenario's {len(fy_sets)} elasticity sets ({', '.join(fy_sets)}) | "
        f"{_p(max(fy_sets.values()), 2)} to {_p(min(fy_sets.values()), 2)} |",
        f"| Mexico's real GDP, long run (capital deepening at the one-sector GE's prices) | "
        f"{_p(j['gdp_impact_pct_long_run'], 2)} |",
        f"| Mexico's real income, long run (one-sector GE; not GDP) | {_p(j['real_income_pct_long_run'], 2)} |",
        f"| Mexico's real GDP / real income, long run: multi-sector GE (`--model ge-io`, ICIO 2022; over its "
        f"{len(io_gdp)} sector-elasticity sets {_p(max(io_gdp), 2)} to {_p(min(io_gdp), 2)} / {_p(max(io_inc), 2)} "
        f"to {_p(min(io_inc), 2)}) | {_p(io['gdp_impact_pct_long_run'], 2)} / {_p(io['real_income_pct_long_run'], 2)} |",
        f"| Mexico's exports after four quarters (one-year elasticities) / to the US | "
        f"{_p(j['exports_change_pct_after_4q'])} / {_p(j['exports_to_market_change_pct_after_4q'])} |",
        f"| implied one-year elasticity of tariff-exclusive exports to the US | {j['implied_elasticity_one_year']:.2f} |",
        f"| domestic value added per dollar of the lost exports (WIOT 2011, by sector) | "
        f"{j['domestic_value_added_share']:.2f} |",
        f"| value added at risk (PE, long-run elasticities; not a GDP effect) | {_p(j['value_added_at_risk_pct'], 2)} |",
        f"| Mexico's exports, long run: PE / one-sector GE | {_p(j['exports_change_pct_long_run'])} / "
        f"{_p(g['exports_change_pct_long_run'])} |",
        f"| technical recession within four quarters: change (90 % band; baseline "
        f"{100 * j['recession_probability_baseline']:.0f} %) | {_pp(j['recession_probability_change'])} "
        f"({_pp(band['p05'])} to {_pp(band['p95'])}; MC s.e. {100 * j['recession_probability_change_se']:.2f} pp) |",
        f"| … with Gaussian shocks instead of Student t | {_pp(j['recession_probability_change_gaussian_shocks'])} |",
        f"| technical recessions in four-quarter windows at historical growth: model / observed ({fq['sample']}) | "
        f"{100 * fq['model']:.1f} % / {100 * fq['observed']:.1f} % |",
        f"| baseline growth forecast, 2025 | {fc['growth_pct']:g} % ({fc['publisher']}, {fc['date']}, pre-tariff) |",
        f"| US tariff revenue, change (long run, {j['market_tariff_revenue_model'].upper()}) | "
        f"{j['market_tariff_revenue_change_usd'] / 1e9:+.1f} bn USD a year |",
        "",
        "| scenario | GDP, first-year average | after four quarters | real GDP, long run (GE) | real income, long run "
        "(GE) | real GDP, long run (GE-IO, ICIO 2022) | recession, change |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n in SCENARIOS:
        r, rio = runs[(n, "pe")], runs[(n, "ge-io")]
        rows.append(
            f"| `{n}` | {_p(r['gdp_impact_pct_first_year_avg'], 2)} | {_p(r['gdp_impact_pct'], 2)} | "
            f"{_p(r['gdp_impact_pct_long_run'], 2)} | {_p(r['real_income_pct_long_run'], 2)} | "
            f"{_p(rio['gdp_impact_pct_long_run'], 2)} | {_pp(r['recession_probability_change'])} |"
        )
    return "\n".join([START, *rows, END])


def replace_block(text: str, new: str) -> str:
    a, b = text.index(START), text.index(END) + len(END)
    return text[:a] + new + text[b:]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="update README.md in place")
    args = ap.parse_args(argv)
    new = block()
    if args.write:
        p = ROOT / "README.md"
        p.write_text(replace_block(p.read_text(encoding="utf-8"), new), encoding="utf-8")
    else:
        print(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
