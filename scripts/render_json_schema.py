"""Render the JSON contract (data/schema/result.schema.json) as docs/json.md.

    python scripts/render_json_schema.py [--check]

``--check`` exits 1 when docs/json.md is out of date (tests/test_json_contract.py runs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "data" / "schema" / "result.schema.json"
DOC = ROOT / "docs" / "json.md"


def render(schema: dict) -> str:
    lines = [
        "# The JSON contract of a run",
        "",
        "`tariffsim run SCENARIO --json` and `Result.to_json()` return one object. Its keys, with their unit,",
        "horizon and whether each is a level or a change, are below; the machine-readable schema ships in the",
        "package (`tariffsim.engine.contract.json_schema()`, `data/schema/result.schema.json`, JSON Schema",
        "2020-12). This page is generated from it by `scripts/render_json_schema.py` (tested).",
        "",
        schema["description"],
        "",
        "Required keys: " + ", ".join(f"`{k}`" for k in schema["required"]) + ".",
        "",
        "| key | type | unit | horizon | level / change | meaning |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for k, p in schema["properties"].items():
        t = p["type"] if isinstance(p["type"], str) else " or ".join(p["type"])
        cells = [f"`{k}`", t, p.get("x-unit", ""), p.get("x-horizon", ""), p.get("x-kind", ""), p["description"]]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    lines += [
        "",
        "Renamed in 0.3 (CHANGELOG): `us_tariff_revenue_usd` -> `market_tariff_revenue_change_usd`,",
        "`us_tariff_revenue_usd_after_4q` -> `market_tariff_revenue_change_usd_after_4q`,",
        "`us_tariff_revenue_baseline_usd` -> `market_tariff_revenue_baseline_usd`, `us_import_price_change_pct` ->",
        "`market_import_price_change_pct`, `exports_change_pct` -> `exports_change_pct_long_run`,",
        "`exports_to_us_change_pct` -> `exports_to_market_change_pct_long_run`, `exports_to_us_change_pct_after_4q` ->",
        "`exports_to_market_change_pct_after_4q`. `gdp_impact_pct_long_run` is now long-run real GDP; the old",
        "number (the GE's real income) is `real_income_pct_long_run`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--check", action="store_true")
    a = p.parse_args(argv)
    text = render(json.loads(SCHEMA.read_text(encoding="utf-8")))
    if a.check:
        return 0 if DOC.is_file() and DOC.read_text(encoding="utf-8") == text else 1
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
