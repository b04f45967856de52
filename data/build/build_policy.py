"""Build ``data/policy/``: the policy inputs of the 2025-26 US tariffs at the model's resolution.

Run from the project root (needs pandas and pyarrow, the ``build-data`` extra, for the HS10 files):

    python data/build/build_policy.py [--raw ../shared/data] [--out data/policy]

What it writes (all values US dollars; docs/policy.md says how they are used):

``product_groups.csv``
    US imports for consumption by exporter (MEX, CAN; CHN for 2024 only), period (``2024`` and
    every month ``2025-01`` ... ``2026-02``), HS chapter and product group, with the value claimed
    under USMCA. A product group is one combination of the product lists a line is on:
    ``s232_metals`` (Section 232 steel, aluminium and copper: annex 1a of the April 2026
    proclamation and the August 2025 derivative list), ``s232_autos`` (passenger vehicles and light
    trucks of Proclamation 10908, and the auto-parts list without the dual-use heading 8471),
    ``ieepa_exempt`` (the IEEPA reciprocal-tariff exemption list) and ``s301`` (China only: Section
    301 lists 1, 2, 3 and 4A of 2018-19). Every line of a group has the same list memberships, so a
    measure's effective rate on a chapter (rate x (1 - claimed share) on the lines it covers, mean
    weighted by imports) computed on the groups equals the one computed line by line.
    2024: values from the Census HS10 files, claimed value = the tracker's 2024 claim share of the
    line x its imports (lines without a share in the tracker's file: none claimed; 0.6 % of the
    value from Mexico). Months: the tracker's monthly ``total_value`` and ``usmca_value``.
``us_tariff_panel.csv``
    The tracker's effective-tariff panel (increase over 2024, percent, by partner and date; an
    estimate) aggregated to the default dataset's regions with the partners' 2024 US imports as
    weights, with the share of each region's 2024 imports that the panel's partners cover.
``mex2025_claim_contrast.csv``
    The Mexico 2025 back-test (data/episodes/mexico2025-claim-contrast.toml): by HS chapter, 2024 and
    2025 imports of lines exposed to the 25 % tariff (2024 claim share < 0.1) and of lines already
    claimed (> 0.9), without Section 232 products, energy and potash, and HS 98-99; and the
    exposed and safe lines' unclaimed value while the tariff was in force (from 4 March 2025).
``claim_contrast_summary.json``
    The contrast over chapters and its chapter-bootstrap interval (what the episode file records).

The script is deterministic: running it twice gives identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from build_default import CENSUS_EU_TOTAL, CENSUS_UNMAPPED, region_of  # noqa: E402

EXPORTERS = {"MEX": "2010", "CAN": "1220"}
CHINA = "5700"
FLAGS = ("s232_metals", "s232_autos", "ieepa_exempt", "s301")
#: Proclamation 10908 (26 March 2025), annex: passenger vehicles and light trucks, as HTS prefixes
#: (compiled in the Budget Lab tariff-rate-tracker, config/policy_params.yaml, section_232_headings).
AUTO_PREFIXES = (
    "870322 870323 870324 870331 870332 870333 870334 870340 870350 870360 870370 870380 870390 "
    "87042101 87043101 87044100 87045100"
).split()
#: A dual-use heading on the auto-parts list (computers): mostly not vehicle parts; the tracker scales
#: it by an applicability share that is not in ../shared/data, so it is left off the autos flag.
AUTO_PARTS_LEFT_OUT = ("8471",)
S301_2018_19 = ("1", "2", "3", "4A")
#: IEEPA tariff on Mexico and Canada in force from 4 March 2025 (Executive Orders 14193, 14194 as amended).
IEEPA_MEX_START_DAY = 4
CONTRAST_MIN_USD = 1e7
CONTRAST_SEED = 20250304
CONTRAST_DRAWS = 10_000

#: Partner names of the effective-tariff panel -> ISO3 (the panel has no codes).
PANEL_ISO3 = {
    "ALGERIA": "DZA",
    "ANGOLA": "AGO",
    "ARGENTINA": "ARG",
    "AUSTRALIA": "AUS",
    "BANGLADESH": "BGD",
    "BRAZIL": "BRA",
    "CAMBODIA": "KHM",
    "CANADA": "CAN",
    "CHILE": "CHL",
    "CHINA": "CHN",
    "COLOMBIA": "COL",
    "COSTA RICA": "CRI",
    "DOMINICAN REPUBLIC": "DOM",
    "ECUADOR": "ECU",
    "EGYPT": "EGY",
    "EL SALVADOR": "SLV",
    "EUROPEAN UNION": "EU27",
    "GUATEMALA": "GTM",
    "HONDURAS": "HND",
    "HONG KONG": "HKG",
    "INDIA": "IND",
    "INDONESIA": "IDN",
    "IRAQ": "IRQ",
    "ISRAEL": "ISR",
    "JAPAN": "JPN",
    "KOREA, SOUTH": "KOR",
    "KUWAIT": "KWT",
    "MALAYSIA": "MYS",
    "MEXICO": "MEX",
    "NEW ZEALAND": "NZL",
    "NICARAGUA": "NIC",
    "NIGERIA": "NGA",
    "NORWAY": "NOR",
    "PAKISTAN": "PAK",
    "PERU": "PER",
    "PHILIPPINES": "PHL",
    "RUSSIA": "RUS",
    "SAUDI ARABIA": "SAU",
    "SINGAPORE": "SGP",
    "SLOVAKIA": "SVK",
    "SOUTH AFRICA": "ZAF",
    "SRI LANKA": "LKA",
    "SWITZERLAND": "CHE",
    "TAIWAN": "TWN",
    "THAILAND": "THA",
    "TRINIDAD AND TOBAGO": "TTO",
    "TURKEY": "TUR",
    "UNITED ARAB EMIRATES": "ARE",
    "UNITED KINGDOM": "GBR",
    "VENEZUELA": "VEN",
    "VIETNAM": "VNM",
}
#: The panel lists Slovakia beside the European Union, whose total (597.5 bn USD, the Census EU code
#: 0003) already contains it: it is not added twice.
PANEL_DUPLICATES = ("SLOVAKIA",)


# ----------------------------------------------------------------------------- product lists


def _digits(s: str) -> str:
    return "".join(ch for ch in str(s) if ch.isdigit())


def product_lists(raw: Path) -> dict[str, tuple[str, ...]]:
    """HTS prefixes (or full HS10 codes) of each list."""
    tt = raw / "tariff_tracker"
    ann = pd.read_csv(tt / "s232_annex_products.csv", dtype=str)
    der = pd.read_csv(tt / "s232_derivative_products.csv", dtype=str)
    metals = sorted(
        {_digits(p) for p in ann.loc[ann["annex"] == "1a", "hts_prefix"]} | set(map(_digits, der.hts_prefix))
    )
    parts = [_digits(x) for x in (tt / "s232_auto_parts.txt").read_text().split()]
    autos = sorted({p for p in parts if p and p not in AUTO_PARTS_LEFT_OUT} | set(AUTO_PREFIXES))
    ieepa = sorted({_digits(x) for x in pd.read_csv(tt / "ieepa_exempt_products.csv", dtype=str)["hts10"]})
    s301 = pd.read_csv(tt / "s301_product_lists.csv", dtype=str)
    s301 = sorted({_digits(x) for x in s301.loc[s301["list"].isin(S301_2018_19), "hts8"]})
    return {"s232_metals": tuple(metals), "s232_autos": tuple(autos), "ieepa_exempt": tuple(ieepa), "s301": tuple(s301)}


def flag_lines(hs10: pd.Series, lists: dict[str, tuple[str, ...]], *, china: bool) -> pd.DataFrame:
    """One boolean column per list: the line starts with one of the list's prefixes."""
    out = pd.DataFrame(index=hs10.index)
    for name, prefixes in lists.items():
        if name == "s301" and not china:
            out[name] = False
            continue
        out[name] = _starts_with_any(hs10, prefixes) if prefixes else False
    return out


def _starts_with_any(s: pd.Series, prefixes: tuple[str, ...]) -> pd.Series:
    """``s.str.startswith(prefixes)``, one ``isin`` per prefix length: the same flags, without a pass
    over the lines for each of thousands of prefixes (pandas' string methods test them one by one)."""
    by_length: dict[int, set[str]] = {}
    for p in prefixes:
        by_length.setdefault(len(p), set()).add(p)
    hit = np.zeros(len(s), dtype=bool)
    for n, group in by_length.items():
        hit |= s.str.slice(0, n).isin(group).to_numpy(dtype=bool)
    return pd.Series(hit, index=s.index)


# ----------------------------------------------------------------------------- product groups


def census_lines(raw: Path, code: str) -> pd.Series:
    p = pd.read_parquet(raw / "census2024" / f"2024-hs10-imports{code}.parquet", columns=["HS10", "imports"])
    return p.groupby("HS10")["imports"].sum()


def monthly_files(raw: Path) -> list[tuple[str, Path]]:
    out = []
    for f in sorted((raw / "tariff_tracker" / "usmca_monthly").glob("usmca_product_shares_*.csv.gz")):
        y, m = f.name[: -len(".csv.gz")].rsplit("_", 2)[-2:]
        out.append((f"{y}-{m}", f))
    return out


def read_month(f: Path) -> pd.DataFrame:
    return pd.read_csv(f, dtype={"hts10": str, "cty_code": str})


def group_rows(lines: pd.DataFrame, exporter: str, period: str) -> pd.DataFrame:
    """Sum lines (hs10, value, claimed, flags) into chapter x list-membership groups."""
    g = lines.assign(hs2=lines["hs10"].str[:2]).groupby(["hs2", *FLAGS], as_index=False)[["value", "claimed"]].sum()
    g.insert(0, "period", period)
    g.insert(0, "exporter", exporter)
    return g


def product_groups(raw: Path, lists: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    tt = raw / "tariff_tracker"
    s24 = pd.read_csv(tt / "usmca_product_shares_2024.csv.gz", dtype={"hts10": str, "cty_code": str})
    frames = []
    months = monthly_files(raw)
    for iso, code in EXPORTERS.items():
        imp = census_lines(raw, code)
        share = s24[s24["cty_code"] == code].set_index("hts10")["usmca_share"]
        lines = pd.DataFrame({"hs10": imp.index, "value": imp.to_numpy()})
        lines["claimed"] = lines["value"] * lines["hs10"].map(share).fillna(0.0).to_numpy()
        lines = pd.concat([lines, flag_lines(lines["hs10"], lists, china=False)], axis=1)
        frames.append(group_rows(lines, iso, "2024"))
        for period, f in months:
            m = read_month(f)
            m = m[m["cty_code"] == code]
            lines = pd.DataFrame(
                {
                    "hs10": m["hts10"].to_numpy(),
                    "value": m["total_value"].to_numpy(float),
                    "claimed": m["usmca_value"].to_numpy(float),
                }
            )
            lines = pd.concat([lines, flag_lines(lines["hs10"], lists, china=False)], axis=1)
            frames.append(group_rows(lines, iso, period))
    imp = census_lines(raw, CHINA)
    lines = pd.DataFrame({"hs10": imp.index, "value": imp.to_numpy(), "claimed": 0.0})
    lines = pd.concat([lines, flag_lines(lines["hs10"], lists, china=True)], axis=1)
    frames.append(group_rows(lines, "CHN", "2024"))
    out = pd.concat(frames, ignore_index=True)
    out = out[out["value"] > 0].copy()
    for f in FLAGS:
        out[f] = out[f].astype(int)
    out["value_usd"] = out.pop("value").round(0).astype("int64")
    out["claimed_usd"] = np.minimum(out.pop("claimed").round(0).astype("int64"), out["value_usd"])
    return out.sort_values(["exporter", "period", "hs2", *FLAGS]).reset_index(drop=True)


# ----------------------------------------------------------------------------- the panel


def region_imports_2024(raw: Path) -> pd.Series:
    """US imports 2024 by region of the default dataset (Census HS chapter files)."""
    cmap = pd.read_csv(raw / "census2024" / "CensusCountryMapping_FRBAtl_short.csv", dtype=str, keep_default_na=False)
    code_to_iso = {c: i for c, i in zip(cmap["CTY_CODE"], cmap["ISO3"], strict=False) if c}
    code_to_iso.update(CENSUS_UNMAPPED)
    tot: dict[str, float] = {}
    for f in sorted((raw / "census2024" / "hs2").glob("hs2-tariff-*.csv")):
        code = f.stem.rsplit("-", 1)[-1]
        if code == CENSUS_EU_TOTAL:
            continue
        r = region_of(code_to_iso[code])
        tot[r] = tot.get(r, 0.0) + float(pd.read_csv(f)["2024_imports"].sum())
    return pd.Series(tot)


def tariff_panel(raw: Path) -> pd.DataFrame:
    p = pd.read_csv(raw / "census2024" / "country-by-time_tariff_panel.csv")
    unknown = sorted(set(p["country_name"]) - set(PANEL_ISO3))
    if unknown:
        raise SystemExit(f"panel partners without an ISO3 code: {unknown}")
    p = p[~p["country_name"].isin(PANEL_DUPLICATES)].copy()
    p["region"] = [("EU27" if PANEL_ISO3[n] == "EU27" else region_of(PANEL_ISO3[n])) for n in p["country_name"]]
    p["w"] = p["total imports"]
    p["wr"] = p["w"] * p["effective tariff"]
    p["wb"] = p["w"] * p["2024 tariff"]
    g = p.groupby(["date", "region"], as_index=False).agg(
        w=("w", "sum"), wr=("wr", "sum"), wb=("wb", "sum"), partners=("country_name", "count")
    )
    tot = region_imports_2024(raw)
    out = pd.DataFrame(
        {
            "date": g["date"],
            "region": g["region"],
            "tariff_increase_pct": (g["wr"] / g["w"]).round(6),
            "tariff_2024_pct": (g["wb"] / g["w"]).round(6),
            "partners": g["partners"],
            "covered_imports_2024_usd": g["w"].round(0).astype("int64"),
            "region_imports_2024_usd": g["region"].map(tot).round(0).astype("int64"),
        }
    )
    return out.sort_values(["date", "region"]).reset_index(drop=True)


# ----------------------------------------------------------------------------- the Mexico 2025 contrast


def claim_contrast(raw: Path, lists: dict[str, tuple[str, ...]]) -> tuple[pd.DataFrame, dict]:
    tt = raw / "tariff_tracker"
    code = EXPORTERS["MEX"]
    frames = []
    for period, f in monthly_files(raw):
        if not period.startswith("2025-"):
            continue
        m = read_month(f)
        m = m[m["cty_code"] == code]
        month = int(period[-2:])
        days = {1: 0.0, 2: 0.0, 3: (31 - IEEPA_MEX_START_DAY + 1) / 31}.get(month, 1.0)
        frames.append(
            pd.DataFrame(
                {
                    "hs10": m["hts10"].to_numpy(),
                    "v25": m["total_value"].to_numpy(float),
                    "unclaimed_in_force": days * (m["total_value"] - m["usmca_value"]).to_numpy(float),
                }
            )
        )
    y25 = pd.concat(frames).groupby("hs10").sum()
    v24 = census_lines(raw, code)
    s24 = pd.read_csv(tt / "usmca_product_shares_2024.csv.gz", dtype={"hts10": str, "cty_code": str})
    sh24 = s24[s24["cty_code"] == code].set_index("hts10")["usmca_share"]
    idx = pd.Index(sorted(set(v24.index) | set(y25.index)), name="hs10")
    d = pd.DataFrame(index=idx)
    d["v24"] = v24.reindex(idx).fillna(0.0)
    d["v25"] = y25["v25"].reindex(idx).fillna(0.0)
    d["unc"] = y25["unclaimed_in_force"].reindex(idx).fillna(0.0)
    d["sh24"] = sh24.reindex(idx)
    hs = pd.Series(idx, index=idx)
    fl = flag_lines(hs, lists, china=False)
    hs2 = hs.str[:2]
    keep = (
        ~fl["s232_metals"]
        & ~fl["s232_autos"]
        & (hs2 != "27")
        & ~hs.str.startswith("3104")
        & ~hs2.isin(["98", "99"])
        & d["sh24"].notna()
    )
    d = d[keep].assign(hs2=hs2[keep])
    d["group"] = np.where(d["sh24"] < 0.1, "exposed", np.where(d["sh24"] > 0.9, "safe", "mixed"))
    d = d[d["group"] != "mixed"]
    g = d.groupby(["hs2", "group"])[["v24", "v25", "unc"]].sum().unstack("group").fillna(0.0)
    out = pd.DataFrame(
        {
            "hs2": g.index,
            "exposed_2024_usd": g[("v24", "exposed")].round(0).astype("int64").to_numpy(),
            "exposed_2025_usd": g[("v25", "exposed")].round(0).astype("int64").to_numpy(),
            "exposed_unclaimed_in_force_2025_usd": g[("unc", "exposed")].round(0).astype("int64").to_numpy(),
            "safe_2024_usd": g[("v24", "safe")].round(0).astype("int64").to_numpy(),
            "safe_2025_usd": g[("v25", "safe")].round(0).astype("int64").to_numpy(),
            "safe_unclaimed_in_force_2025_usd": g[("unc", "safe")].round(0).astype("int64").to_numpy(),
        }
    )
    out["included"] = (
        (out["exposed_2024_usd"] >= CONTRAST_MIN_USD)
        & (out["safe_2024_usd"] >= CONTRAST_MIN_USD)
        & (out["exposed_2025_usd"] > 0)
        & (out["safe_2025_usd"] > 0)
    ).astype(int)
    b = out[out["included"] == 1]
    c = np.log(b["exposed_2025_usd"] / b["exposed_2024_usd"]) - np.log(b["safe_2025_usd"] / b["safe_2024_usd"])
    w = b["exposed_2024_usd"].to_numpy(float)
    c = c.to_numpy(float)
    est = float(np.sum(w * c) / np.sum(w))
    rng = np.random.default_rng(CONTRAST_SEED)
    s = rng.integers(0, len(c), size=(CONTRAST_DRAWS, len(c)))
    boot = (w[s] * c[s]).sum(axis=1) / w[s].sum(axis=1)
    lo, hi = np.percentile(boot, [5, 95])
    no84 = b["hs2"].to_numpy() != "84"
    est84 = float(np.sum(w[no84] * c[no84]) / np.sum(w[no84]))
    summary = {
        "contrast_pct": round(100 * float(np.expm1(est)), 1),
        "band_pct": [round(100 * float(np.expm1(lo)), 1), round(100 * float(np.expm1(hi)), 1)],
        "contrast_without_chapter_84_pct": round(100 * float(np.expm1(est84)), 1),
        "chapters": int(len(c)),
        "exposed_2024_usd_included": int(round(float(w.sum()))),
        "exposed_2024_usd_all": int(out["exposed_2024_usd"].sum()),
        "bootstrap": {"draws": CONTRAST_DRAWS, "seed": CONTRAST_SEED, "interval": "5th-95th percentile"},
    }
    return out, summary


# ----------------------------------------------------------------------------- main


def build(raw: Path, out: Path) -> None:
    lists = product_lists(raw)
    out.mkdir(parents=True, exist_ok=True)
    groups = product_groups(raw, lists)
    groups.to_csv(out / "product_groups.csv", index=False)
    panel = tariff_panel(raw)
    panel.to_csv(out / "us_tariff_panel.csv", index=False)
    contrast, summary = claim_contrast(raw, lists)
    contrast.to_csv(out / "mex2025_claim_contrast.csv", index=False)
    (out / "claim_contrast_summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(groups)} product groups, {len(panel)} panel rows, {len(contrast)} contrast chapters to {out}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data", help="raw data folder (../shared/data)")
    p.add_argument("--out", type=Path, default=ROOT / "data" / "policy")
    a = p.parse_args(argv)
    build(a.raw.resolve(), a.out.resolve())


if __name__ == "__main__":
    main()
