"""Tables for reading: the headline numbers by elasticity set, exports by sector, partners and
markets, and the writers behind them.

Tables are DataFrames with the unit in every column header and numbers at full precision, with
the decimals to show them with (``attrs['decimals']`` per column), ``attrs['title']`` and
``attrs['notes']``: rounding is formatting only. :func:`write_table` writes them as CSV (the full
numbers, so reading the CSV back gives the table's values, never a rounded input such as 0.66 for
σ = 0.665), Markdown (pipe table), LaTeX (booktabs) and HTML (a plain ``<table>``), the last three
with each column's decimals; never a negative zero.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .._lazy import pd
from ..constants import DEFAULT_MARKET
from ..engine.sources import dataset_sources_used
from ..errors import UsageError
from ..inputs.countries import REGION_NAMES, display_name
from .files import check_formats, write_csv

if TYPE_CHECKING:
    from ..engine.results import Result

__all__ = [
    "summary_table",
    "SUMMARY_COLUMNS",
    "sector_table",
    "partner_table",
    "write_table",
    "write_workbook",
    "provenance_rows",
    "tex_escape",
    "format_cell",
    "table_html",
    "check_table_formats",
    "ge_io_welfare_table",
    "ge_io_block",
    "ge_io_economies",
    "ge_io_output_table",
    "ge_io_sector_table",
    "ge_io_label",
    "TABLE_FORMATS",
]

US = DEFAULT_MARKET
TABLE_FORMATS: tuple[str, ...] = ("csv", "md", "tex", "html")


def check_table_formats(formats: Sequence[str] | str, *, field: str = "table_formats") -> tuple[str, ...]:
    """``formats`` as lower-case names, each one of :data:`TABLE_FORMATS`, duplicates dropped; an
    unknown or missing format is a :class:`~tariffsim.errors.UsageError` naming ``field``."""
    return check_formats(formats, TABLE_FORMATS, field=field, kind="table")


def _finish_table(df: pd.DataFrame, decimals: Mapping[str, int], *, title: str, notes: str = "") -> pd.DataFrame:
    """``df`` with its numeric columns as floats at full precision, a value that shows as zero at
    its decimals stored as 0.0 (so no writer prints '-0.0'), and the attributes the writers use."""
    for col, nd in decimals.items():
        v = pd.to_numeric(df[col], errors="coerce").astype(float)
        df[col] = np.where(v.round(nd) == 0, 0.0, v)
    df.attrs["decimals"] = dict(decimals)
    df.attrs["title"] = title
    df.attrs["notes"] = notes
    return df


def _pct(new: float, old: float) -> float:
    return 100.0 * (new / old - 1.0) if old > 0 else math.nan


#: summary_table's columns of the multi-sector model: what each elasticity set is.
THETA_SOURCE = "Sector trade elasticities θ, source"
THETA_MEAN = "θ, trade-weighted mean, long run"

#: summary_table's columns: (header with the unit, Result.summary() / to_json() key, factor, decimals).
SUMMARY_COLUMNS: tuple[tuple[str, str, float, int], ...] = (
    ("σ, one year", "sigma_one_year", 1.0, 3),
    ("σ, long run", "sigma", 1.0, 3),
    ("η, one year", "eta_one_year", 1.0, 3),
    ("η, long run", "eta", 1.0, 3),
    ("Export-supply elasticity", "eps_x", 1.0, 3),
    ("GE trade elasticity ε", "ge_trade_elasticity", 1.0, 2),
    ("Implied one-year elasticity of exports to the market", "implied_elasticity_one_year", 1.0, 2),
    ("Exports after 4 quarters (%)", "exports_change_pct_after_4q", 1.0, 1),
    ("Exports, long run (%)", "exports_change_pct_long_run", 1.0, 1),
    ("Exports to the US, long run (%)", "exports_to_market_change_pct_long_run", 1.0, 1),
    ("GDP, first-year average (%)", "gdp_impact_pct_first_year_avg", 1.0, 2),
    ("GDP after 4 quarters (%)", "gdp_impact_pct", 1.0, 2),
    ("Real GDP, long run (%)", "gdp_impact_pct_long_run", 1.0, 2),
    ("Real income, long run, not GDP (%)", "real_income_pct_long_run", 1.0, 2),
    (
        "Domestic value added per dollar of the export change after 4 quarters, all markets (USD per USD)",
        "domestic_value_added_share",
        1.0,
        3,
    ),
    ("Value added at risk, PE long run (%)", "value_added_at_risk_pct", 1.0, 2),
    ("Recession within 4 quarters (%)", "recession_probability", 100.0, 1),
    ("Recession within 4 quarters, change (pp)", "recession_probability_change", 100.0, 1),
    ("Recession change, s.e. (pp)", "recession_probability_change_se", 100.0, 2),
    ("Market's tariff revenue, change, long run (USD bn a year)", "market_tariff_revenue_change_usd", 1e-9, 1),
)


def summary_table(result: Result) -> pd.DataFrame:
    """The headline numbers by elasticity set, one row a set (rounded; units in the headers),
    built from :meth:`Result.summary` only, so each number is the ``tariffsim run --json`` value
    of ``by_elasticity_set`` (times the unit factor of :data:`SUMMARY_COLUMNS`): elasticities
    (sector medians), exports, GDP (first-year average, after four quarters, long run), value
    added at risk (PE), recession probability and its change against the no-tariff baseline
    with the Monte Carlo standard error, US tariff revenue. Columns the run does not have (no
    recession Monte Carlo, no US in the data) are left out."""
    summ = result.summary()
    market = getattr(result, "market", None) or US
    j = result.to_json()
    multi = "io_theta_label" in summ.columns  # the multi-sector model: the sets differ in its θ only
    rows = []
    for rec in summ.to_dict(orient="records"):
        row: dict[str, object] = {"Elasticity set": rec["elasticity_set"]}
        if multi:
            row[THETA_SOURCE] = rec["io_theta_label"]
            row[THETA_MEAN] = float(rec["theta_trade_weighted"])
        for head, key, factor, _nd in SUMMARY_COLUMNS:
            if key not in rec or (multi and key == "ge_trade_elasticity"):  # ε is the one-sector GE's
                continue
            v = rec[key]
            row[head] = float(v) * factor if v is not None and not isinstance(v, str) else math.nan
        rows.append(row)
    df = pd.DataFrame(rows)
    empty = [c for c in df.columns[1:] if c != THETA_SOURCE and df[c].isna().all()]
    df = df.drop(columns=empty)
    revenue = "Market's tariff revenue, change, long run (USD bn a year)"
    rmodel = j.get("market_tariff_revenue_model")
    renamed = {}
    if revenue in df.columns and rmodel and rmodel != result.model:  # revenue from another model: say which
        renamed[revenue] = f"Market's tariff revenue, change, long run, {str(rmodel).upper()} model (USD bn a year)"
    if market != US:
        renamed["Exports to the US, long run (%)"] = f"Exports to {market}, long run (%)"
    dec = {renamed.get(head, head): nd for head, _k, _f, nd in SUMMARY_COLUMNS if head in df.columns}
    df = df.rename(columns=renamed)
    if multi:
        dec[THETA_MEAN] = 2
    base = j.get("recession_probability_baseline")
    notes = [
        f"{display_name(result.country)}; exports at exporter prices; GDP: deviation of the real GDP level from "
        "baseline, first-year average of the first four quarters, level after four quarters, and long run (capital "
        "deepening at the long-run GE's prices); real income, long run: the long-run GE's, not GDP; value added at risk: the PE long-run loss of exports times their domestic value "
        "added, not a GDP forecast."
    ]
    if base is not None:
        n_paths = (j.get("recession_monte_carlo") or {}).get("n_paths")
        notes.append(
            "Recession: two consecutive quarters of negative q/q growth within four quarters, with each set's point "
            f"GDP path{f' ({n_paths:,} simulated paths)' if n_paths else ''}; without the tariff "
            f"{100 * base:.1f} %; the change is against that baseline on common random numbers."
        )
    notes.append(
        "Elasticities: σ of tariff-exclusive flows, one year and long run; sector medians where they vary by "
        "sector; export-supply elasticity ∞ = fixed exporter prices (full pass-through)."
    )
    if multi:
        ge = j.get("ge") or {}
        notes.append(
            f"Multi-sector GE on input-output table {ge.get('io_table')} ({ge.get('io_table_label')}): the sets "
            "differ only in its sector trade elasticities θ (the source of each set; θ weighted by the table's "
            "trade between regions), so exports, GDP and the recession risk of the first year are the same in "
            "every set; σ and η, common to all, make the first year and the PE tables (value added at risk)."
        )
    if renamed.get(revenue):
        notes.append(
            f"Tariff revenue: from the {str(rmodel).upper()} model at long-run elasticities on the dataset's "
            f"{result.data.year} trade (the {str(result.model).upper()} model runs on its own table)."
        )
    return _finish_table(
        df, dec, title=f"Headline results by elasticity set: {result.scenario.name}", notes=" ".join(notes)
    )


def _changed_sectors(lr: pd.DataFrame, sr: pd.DataFrame, tol_pct: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The sectors whose exports change by at least ``tol_pct`` percent in either horizon (all of
    them when none does): a vehicles-only tariff shows the vehicle rows, not 13 empty ones."""
    keep = (lr["change_pct"].abs() >= tol_pct) | (sr["change_pct"].abs() >= tol_pct)
    if not keep.any():
        return lr, sr
    return lr[keep], sr[keep]


def sector_table(result: Result, set_name: str | None = None) -> pd.DataFrame:
    """The reported country's exports to all markets by sector (exporter prices): baseline value
    and change after one year (near term) and in the long run, USD bn a year and percent; the
    last row is the total."""
    name = set_name or result.central
    sr = result.by_sector(name, horizon="near_term").set_index("sector")
    lr = result.by_sector(name, horizon="long_run").set_index("sector")
    lr = lr.sort_values("change_usd")
    sr = sr.loc[lr.index]
    all_lr, all_sr = lr, sr  # the total counts every sector
    lr, sr = _changed_sectors(lr, sr)
    df = pd.DataFrame(
        {
            "Sector": lr["sector_label"].to_numpy(),
            "Exports, baseline (USD bn a year)": lr["value_baseline_usd"].to_numpy() / 1e9,
            "Change, one year (USD bn)": sr["change_usd"].to_numpy() / 1e9,
            "Change, one year (%)": sr["change_pct"].to_numpy(),
            "Change, long run (USD bn)": lr["change_usd"].to_numpy() / 1e9,
            "Change, long run (%)": lr["change_pct"].to_numpy(),
        }
    )
    t0 = float(all_lr["value_baseline_usd"].sum())
    total = {
        "Sector": "Total",
        "Exports, baseline (USD bn a year)": t0 / 1e9,
        "Change, one year (USD bn)": float(all_sr["change_usd"].sum()) / 1e9,
        "Change, one year (%)": 100 * float(all_sr["change_usd"].sum()) / t0 if t0 > 0 else math.nan,
        "Change, long run (USD bn)": float(all_lr["change_usd"].sum()) / 1e9,
        "Change, long run (%)": 100 * float(all_lr["change_usd"].sum()) / t0 if t0 > 0 else math.nan,
    }
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    dec = {c: 1 for c in df.columns if c != "Sector"}
    return _finish_table(
        df,
        dec,
        title=f"{display_name(result.country)}'s exports by sector, all markets ('{name}' elasticities)",
        notes=f"Trade model, exporter prices, baseline {result.data.year} flows. One year (near term): the set's one-year "
        "elasticities (Boehm, Levchenko and Pandalai-Nayar 2023); long run: its long-run elasticities. Sectors "
        "whose exports do not change (by less than 0.05 % in both horizons) are left out; the total counts them.",
    )


def partner_table(result: Result, set_name: str | None = None, *, importer: str = US) -> pd.DataFrame:
    """By partner and market, long run: each economy's sales in ``importer``'s market (baseline,
    change in USD bn and percent), the reported country's exports to that market (baseline, change
    in percent) and the economy's total exports (change in percent). Exporter prices."""
    name = set_name or result.central
    d = result.data
    rc = result.country
    f = result.by_flow(name, horizon="long_run")
    bc = result.by_country(name, horizon="long_run").set_index("country")
    rows = []
    for code in d.countries:
        row = {"Economy": display_name(code), "Code": code}
        mk = "US" if importer == US else importer
        if code != importer and importer in d.countries:
            g = f[(f.exporter == code) & (f.importer == importer)]
            b0 = float(g.value_baseline_usd.sum())
            ch = float(g.change_usd.sum())
            row[f"Sales in the {mk} market, baseline (USD bn a year)"] = b0 / 1e9
            row[f"Sales in the {mk} market, change (USD bn)"] = ch / 1e9
            row[f"Sales in the {mk} market, change (%)"] = 100 * ch / b0 if b0 > 0 else math.nan
        else:
            row[f"Sales in the {mk} market, baseline (USD bn a year)"] = math.nan
            row[f"Sales in the {mk} market, change (USD bn)"] = math.nan
            row[f"Sales in the {mk} market, change (%)"] = math.nan
        if code != rc:
            g = f[(f.exporter == rc) & (f.importer == code)]
            b0 = float(g.value_baseline_usd.sum())
            row[f"{rc} exports to this market, baseline (USD bn a year)"] = b0 / 1e9
            row[f"{rc} exports to this market, change (%)"] = (
                100 * float(g.change_usd.sum()) / b0 if b0 > 0 else math.nan
            )
        else:
            row[f"{rc} exports to this market, baseline (USD bn a year)"] = math.nan
            row[f"{rc} exports to this market, change (%)"] = math.nan
        row["Total exports, change (%)"] = float(bc.loc[code, "exports_change_pct_long_run"])
        rows.append(row)
    df = pd.DataFrame(rows)
    key = f"Sales in the {'US' if importer == US else importer} market, baseline (USD bn a year)"
    order = df[key].fillna(-1.0).sort_values(ascending=False, kind="stable").index
    df = df.loc[order].reset_index(drop=True)
    dec = {c: 1 for c in df.columns if c not in ("Economy", "Code")}

    regions = [f"{k} = {REGION_NAMES[k]}" for k in d.countries if k in REGION_NAMES]
    notes = (
        f"Trade model, exporter prices, baseline {d.year} flows; long run: trade elasticities fully adjusted; "
        "a dash: not applicable (own market)."
    )
    if regions:
        notes += " Regions: " + ", ".join(regions) + "."
    return _finish_table(df, dec, title=f"Partners and markets, long run ('{name}' elasticities)", notes=notes)


# ----------------------------------------------------------------------------- multi-sector GE

#: ge_io_welfare_table's columns: (header with the unit, key of the ``ge`` block row of
#: ``Result.to_json()``).
GE_IO_WELFARE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Welfare (% of income)", "welfare_pct"),
    ("Terms of trade (% of income)", "tot_pct"),
    ("Volume of trade (% of income)", "vot_pct"),
    ("Technical efficiency (% of income)", "tech_pct"),
    ("Real income, exact (%)", "real_income_pct"),
    ("Real wage (%)", "realwage_pct"),
)
GE_IO_DECIMALS = 2


def ge_io_block(result: Any) -> dict:
    """The ``ge`` block of ``result.to_json()`` when the long run is the multi-sector GE, else {}:
    the one source of the multi-sector GE's numbers in tables, figures and the report page."""
    ge = result.to_json().get("ge") or {}
    return ge if ge.get("multi_sector") else {}


def ge_io_economies(ge: Mapping) -> list[Mapping]:
    """The rows of the reported country and of the market (once each, in that order)."""
    rows: list[Mapping] = []
    for role in ("country", "market"):
        row = ge.get(role) or {}
        if row and all(row.get("iso3") != r.get("iso3") for r in rows):
            rows.append(row)
    return rows


def ge_io_label(ge: Mapping) -> str:
    """Short label of the structure a multi-sector block rests on ('structure of 1993', 'WIOT 2011' ...)."""
    return str(ge.get("io_table_label") or "structure of 1993")


def _ge_io_notes(ge: Mapping, extra: str) -> str:
    structure = str(ge.get("structure", "")).rstrip(".")
    start = (
        "the NAFTA equilibrium"
        if ge.get("io_table") in (None, "cp1993")
        else f"the table's own equilibrium (input-output table {ge.get('io_table')})"
    )
    return (
        f"Multi-sector general equilibrium with input-output linkages (Caliendo and Parro 2015), long run, from "
        f"{start}. {structure[:1].upper() + structure[1:]}. {extra}"
    )


#: ge_io_sector_table's columns: (header, by_sector key, decimals).
GE_IO_SECTOR_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Output share (%)", "output_share", 1),
    ("Gross output (%)", "output_change_pct", 1),
    ("Value added (%)", "value_added_change_pct", 1),
    ("Value added, lowest set (%)", "value_added_change_pct_low", 1),
    ("Value added, highest set (%)", "value_added_change_pct_high", 1),
    ("Exports (%)", "exports_change_pct", 1),
)


def ge_io_sector_table(result: Any) -> pd.DataFrame:
    """Output, value added and exports by sector of the reported country and of the market in the
    multi-sector GE: the ``ge.by_sector`` rows of ``result.to_json()`` (one decimal), with the range
    of value added over the elasticity sets run and the flag of a base under 1 % of the region's
    output. Empty when the result's long run is not the multi-sector GE."""
    ge = ge_io_block(result)
    rows_in = ge.get("by_sector") or []
    if not rows_in:
        return pd.DataFrame()
    rows = []
    for r in rows_in:
        rec: dict[str, object] = {"Region": r["region"], "Sector": r["sector"]}
        for head, key, _nd in GE_IO_SECTOR_COLUMNS:
            v = r.get(key)
            rec[head] = math.nan if v is None else float(v) * (100.0 if key == "output_share" else 1.0)
        rec["Flagged (base under 1 %)"] = "yes" if r.get("flagged") else ""
        rows.append(rec)
    df = pd.DataFrame(rows)
    return _finish_table(
        df,
        {head: nd for head, _k, nd in GE_IO_SECTOR_COLUMNS},
        title=f"Output, value added and exports by sector, multi-sector GE, {ge_io_label(ge)}: {result.scenario.name}",
        notes=_ge_io_notes(
            ge,
            "Gross output at baseline prices (deflated by the sector's producer price); value added at baseline "
            "prices (the labour the sector employs); exports in value, to every other region; lowest and highest "
            "set: the range of value added over the elasticity sets run; flagged: the sector's base is under 1 % "
            "of the region's gross output, so its percent change rests on little.",
        ),
    )


def ge_io_welfare_table(result: Any) -> pd.DataFrame:
    """Welfare of the reported country and of the tariff-setting market in the multi-sector GE
    ('ge-io'), with its decomposition (terms of trade + volume of trade + technical efficiency =
    welfare, percent of baseline income), the exact real income change (not GDP) and the
    real wage; read from the ``ge`` block of ``result.to_json()`` only (rounded to two decimals).
    Empty when the result's long run is not the multi-sector GE."""
    ge = ge_io_block(result)
    if not ge:
        return pd.DataFrame()
    rows = []
    for row in ge_io_economies(ge):
        rec: dict[str, object] = {"Economy": display_name(str(row["iso3"])), "Code": row["iso3"]}
        for head, key in GE_IO_WELFARE_COLUMNS:
            v = row.get(key)
            rec[head] = math.nan if v is None else float(v)
        rows.append(rec)
    df = pd.DataFrame(rows)
    return _finish_table(
        df,
        {head: GE_IO_DECIMALS for head, _k in GE_IO_WELFARE_COLUMNS},
        title=f"Welfare and its decomposition, multi-sector GE, {ge_io_label(ge)}: {result.scenario.name}",
        notes=_ge_io_notes(
            ge,
            "Welfare = terms of trade + volume of trade + technical efficiency (percent of baseline income; the "
            "decomposition is integrated along the path of tariffs, so it adds up to the exact real income change "
            "up to rounding); real income, exact: the change of income over the price index (what residents can "
            "buy; not GDP: the report's long-run real GDP is capital deepening at this model's prices); real wage: "
            "wage over the consumer price index.",
        ),
    )


def ge_io_output_table(result: Any) -> pd.DataFrame:
    """Gross output by sector in the multi-sector GE ('ge-io') for the reported country and the
    tariff-setting market: change in value (producer prices) and in real terms (deflated by the
    sector's input-bundle cost), percent, one row per Caliendo-Parro sector (traded goods first,
    then services); read from the ``ge`` block of ``result.to_json()`` only (one decimal). Empty
    when the result's long run is not the multi-sector GE."""
    ge = ge_io_block(result)
    if not ge:
        return pd.DataFrame()
    economies = ge_io_economies(ge)
    goods = set(ge.get("goods_sectors") or ge.get("traded_sectors") or [])  # services are traded on today's tables
    sectors = list((economies[0].get("output_by_sector_pct") or {}) if economies else [])
    rows = []
    for sec in sectors:
        rec: dict[str, object] = {"Sector": sec, "Sector type": "goods" if sec in goods else "services"}
        for row in economies:
            code = row["iso3"]
            for head, key in (("output", "output_by_sector_pct"), ("real output", "real_output_by_sector_pct")):
                v = (row.get(key) or {}).get(sec)
                rec[f"{code} {head} (%)"] = math.nan if v is None else float(v)
        rows.append(rec)
    df = pd.DataFrame(rows)
    names = ", ".join(f"{r['iso3']} = {display_name(str(r['iso3']))}" for r in economies)
    return _finish_table(
        df,
        {c: 1 for c in df.columns if c not in ("Sector", "Sector type")},
        title=f"Gross output by sector, multi-sector GE, {ge_io_label(ge)}: {result.scenario.name}",
        notes=_ge_io_notes(
            ge,
            f"{names}. Output: gross output in value at producer prices; real output: deflated by the sector's "
            "cost of the input bundle; a dash: no baseline output."
            + (
                " Services are not traded in the Caliendo-Parro data." if ge.get("io_table") in (None, "cp1993") else ""
            ),
        ),
    )


# ----------------------------------------------------------------------------- writers

_TEX_ESCAPE = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_SYMBOLS = {
    "σ": r"$\sigma$",
    "η": r"$\eta$",
    "ε": r"$\varepsilon$",
    "×": r"$\times$",
    "–": "--",
    "—": "---",
    "−": "$-$",
    "≈": r"$\approx$",
    "∞": r"$\infty$",
}


def tex_escape(text: str) -> str:
    """Escape LaTeX's special characters (& % $ # _ { } ~ ^ \\) and map a few symbols to math."""
    out = "".join(_TEX_ESCAPE.get(ch, ch) for ch in str(text))
    for k, v in _TEX_SYMBOLS.items():
        out = out.replace(k, v)
    return out


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def format_cell(v: object, nd: int | None, kind: str) -> str:
    """A table cell for reading, as every writer shows it (``kind``: 'md', 'tex' or 'html'): fixed
    ``nd`` decimals, thousands separators, minus sign and n/a per format."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return {"md": "–", "html": "–", "tex": "--"}[kind]
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        f = float(v)
        if math.isinf(f):
            s = "∞" if f > 0 else "−∞"
            return tex_escape(s) if kind == "tex" else s
        s = f"{f:,.{nd}f}" if nd is not None else f"{f:,g}"
        if s.startswith("-") and float(s.replace(",", "")) == 0:
            s = s[1:]  # no "-0.0"
        if kind == "tex":
            return s.replace("-", "$-$")
        if kind == "html":
            return s.replace("-", "−")
        return s
    text = str(v)
    if kind == "tex":
        return tex_escape(text)
    if kind == "html":
        return html.escape(text)
    return text.replace("|", r"\|")


def _to_markdown(df: pd.DataFrame) -> str:
    dec = df.attrs.get("decimals", {})
    num = [_is_numeric(df[c]) for c in df.columns]
    head = "| " + " | ".join(str(c).replace("|", r"\|") for c in df.columns) + " |"
    align = "| " + " | ".join("---:" if n else ":---" for n in num) + " |"
    lines = [head, align]
    for row in df.itertuples(index=False):
        lines.append(
            "| " + " | ".join(format_cell(v, dec.get(c), "md") for c, v in zip(df.columns, row, strict=True)) + " |"
        )
    out = []
    if df.attrs.get("title"):
        out += [f"**{df.attrs['title']}**", ""]
    out += lines
    if df.attrs.get("notes"):
        out += ["", f"Notes: {df.attrs['notes']}"]
    return "\n".join(out) + "\n"


def _to_latex(df: pd.DataFrame) -> str:
    dec = df.attrs.get("decimals", {})
    spec = "".join("r" if _is_numeric(df[c]) else "l" for c in df.columns)
    lines = []
    if df.attrs.get("title"):
        lines.append(f"% {df.attrs['title']}")
    if df.attrs.get("notes"):
        lines.append(f"% Notes: {df.attrs['notes']}")
    lines += [
        "% needs \\usepackage{booktabs}",
        f"\\begin{{tabular}}{{{spec}}}",
        "\\toprule",
        " & ".join(tex_escape(c) for c in df.columns) + r" \\",
        "\\midrule",
    ]
    for row in df.itertuples(index=False):
        lines.append(
            " & ".join(format_cell(v, dec.get(c), "tex") for c, v in zip(df.columns, row, strict=True)) + r" \\"
        )
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def table_html(df: pd.DataFrame, *, table_id: str | None = None) -> str:
    """The table as a plain HTML ``<table class="tariffsim-table">`` (title as caption, notes as footer)."""
    dec = df.attrs.get("decimals", {})
    num = [_is_numeric(df[c]) for c in df.columns]
    attr = f' id="{html.escape(table_id)}"' if table_id else ""
    out = [f'<table class="tariffsim-table"{attr}>']
    if df.attrs.get("title"):
        out.append(f"  <caption>{html.escape(df.attrs['title'])}</caption>")
    out.append(
        "  <thead><tr>"
        + "".join(
            f'<th class="{"num" if n else "text"}" scope="col">{html.escape(str(c))}</th>'
            for c, n in zip(df.columns, num, strict=True)
        )
        + "</tr></thead>"
    )
    out.append("  <tbody>")
    for row in df.itertuples(index=False):
        cells = "".join(
            f'<td class="{"num" if n else "text"}">{format_cell(v, dec.get(c), "html")}</td>'
            for c, v, n in zip(df.columns, row, num, strict=True)
        )
        out.append(f"    <tr>{cells}</tr>")
    out.append("  </tbody>")
    if df.attrs.get("notes"):
        out.append(f'  <tfoot><tr><td colspan="{len(df.columns)}">{html.escape(df.attrs["notes"])}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out) + "\n"


def write_table(df: pd.DataFrame, stem: str | os.PathLike, formats: Sequence[str] = TABLE_FORMATS) -> list[Path]:
    """Write a table as ``stem.csv`` (full precision; ``pd.read_csv`` gives the table back),
    ``stem.md`` (pipe table), ``stem.tex`` (booktabs tabular, special characters escaped) and
    ``stem.html`` (a plain ``<table>``), or the ``formats`` given. UTF-8. Returns the paths."""
    formats = check_table_formats(formats)
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        path = stem.with_name(f"{stem.name}.{fmt}")
        if fmt == "csv":
            write_csv(df, path)
        elif fmt == "md":
            path.write_text(_to_markdown(df), encoding="utf-8")
        elif fmt == "tex":
            path.write_text(_to_latex(df), encoding="utf-8")
        elif fmt == "html":
            path.write_text(table_html(df), encoding="utf-8")
        else:
            raise UsageError(f"unknown table format {fmt!r}; expected {', '.join(TABLE_FORMATS)}")
        out.append(path)
    return out


# ----------------------------------------------------------------------------- Excel

_SHEET_BAD = set("[]:*?/\\")


def _sheet_name(name: str, taken: set[str]) -> str:
    base = "".join("_" if ch in _SHEET_BAD else ch for ch in str(name)).strip("'")[:31] or "Sheet"
    out, k = base, 2
    while out.lower() in taken:
        suffix = f" ({k})"
        out, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(out.lower())
    return out


def _excel_value(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None  # never text among numbers: an infinite value is an empty cell, explained in Sources
    return v


#: Readable workbook headers for the machine names of tidy tables (sweeps, grids, comparisons).
_HEADERS = {
    "rate": "Tariff rate (share)",
    "sigma": "σ, one year",
    "sigma_long_run": "σ, long run",
    "elasticity_set": "Elasticity set",
    "json_key": "JSON key",
    "se": "Standard error",
    "low_set": "Set of the low value",
    "high_set": "Set of the high value",
    "n_sets": "Number of sets",
    "central_set": "Central set",
    "from_key": "From JSON key",
    "gdp_deviation_pct": "GDP deviation from baseline (%)",
    "gdp_impact_pct": "GDP after 4 quarters (%)",
    "gdp_impact_pct_first_year_avg": "GDP, first-year average (%)",
    "gdp_impact_pct_long_run": "Real GDP, long run (%)",
    "real_income_pct_long_run": "Real income, long run, not GDP (%)",
    "value_added_at_risk_pct": "Value added at risk, PE long run, not GDP (%)",
    "exports_change_pct_long_run": "Exports, long run (%)",
    "exports_to_market_change_pct_long_run": "Exports to the market, long run (%)",
    "exports_change_pct_after_4q": "Exports after 4 quarters (%)",
    "market_tariff_revenue_change_usd": "Market's tariff revenue, change (USD a year)",
    "market_import_price_change_pct": "Market's import prices, change (%)",
    "recession_probability": "Recession within 4 quarters (share)",
    "recession_probability_baseline": "Recession within 4 quarters, baseline (share)",
    "recession_probability_change": "Recession within 4 quarters, change (share)",
    "recession_probability_change_se": "Recession change, Monte Carlo s.e. (share)",
    "annual_contraction_probability": "Annual contraction (share)",
}


def readable_header(name: object) -> str:
    """A column header a reader understands: a table's own header as it is; a machine name
    (snake_case) from :data:`_HEADERS`, else in words with its unit from the suffix."""
    n = str(name)
    if n in _HEADERS:
        return _HEADERS[n]
    if " " in n or n != n.lower():
        return n
    unit = ""
    for suffix, u in (("_pct", " (%)"), ("_usd", " (USD)"), ("_share", " (share)")):
        if n.endswith(suffix):
            n, unit = n[: -len(suffix)], u
            break
    words = n.replace("_", " ").strip()
    return (words[:1].upper() + words[1:] + unit) if words else str(name)


def write_workbook(
    path: str | os.PathLike,
    tables: Mapping[str, pd.DataFrame],
    sources: Sequence[tuple[str, str]] = (),
) -> Path:
    """One ``.xlsx`` workbook: a sheet per table (a readable header row with the units,
    :func:`readable_header`, then the numbers at full precision, as in the CSV, shown with the
    table's decimals by the cells' number format; missing and infinite values are empty cells,
    explained in ``Sources``), and a last sheet ``Sources`` with two columns (Item, Value): each
    table's title and notes, then ``sources`` (provenance: scenario, hash, version, data and
    elasticity sources). Written with openpyxl to ``path`` (the caller makes it atomic)."""

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    if wb.active is not None:
        wb.remove(wb.active)  # type: ignore[arg-type]  # openpyxl stubs: active may be a chartsheet-like

    taken: set[str] = {"sources"}
    notes: list[tuple[str, str]] = []
    bold = Font(bold=True)
    for name, df in tables.items():
        sheet = _sheet_name(name, taken)
        ws = wb.create_sheet(sheet)
        ws.append([readable_header(c) for c in df.columns])
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="bottom")
        dec = df.attrs.get("decimals", {})
        has_inf = False
        for row in df.itertuples(index=False):
            vals = [v + 0.0 if isinstance(v, float) else v for v in row]  # never -0.0 in a cell
            has_inf |= any(isinstance(v, float) and math.isinf(v) for v in vals)
            ws.append([_excel_value(v) for v in vals])
        if has_inf:
            notes.append(
                (
                    f"{sheet}: empty cells",
                    "an empty cell in a numeric column is missing, or infinite where "
                    "the CSV shows ∞ (an infinite export-supply elasticity: fixed exporter prices)",
                )
            )
        for j, col in enumerate(df.columns, start=1):
            letter = get_column_letter(j)
            nd = dec.get(col)
            if nd is not None and _is_numeric(df[col]):
                fmt = "#,##0" + ("." + "0" * int(nd) if nd else "")
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
            width = max([len(str(col)) // 2 + 2, *(len(str(v)) + 2 for v in df[col].head(200))])
            ws.column_dimensions[letter].width = min(max(width, 8), 48)
        ws.freeze_panes = "A2"
        if df.attrs.get("title"):
            notes.append((f"{sheet}: title", str(df.attrs["title"])))
        if df.attrs.get("notes"):
            notes.append((f"{sheet}: notes", str(df.attrs["notes"])))
        if df.attrs.get("units"):
            notes.append((f"{sheet}: units", str(df.attrs["units"])))
    ws = wb.create_sheet("Sources")
    ws.append(["Item", "Value"])
    for cell in ws[1]:
        cell.font = bold
    for k, v in [*notes, *sources]:
        ws.append([str(k), str(v)])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 110
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wb.save(path)
    return path


def provenance_rows(prov: Mapping, sources: Sequence[Mapping] | None = None) -> list[tuple[str, str]]:
    """(Item, Value) rows for the workbook's Sources sheet from a result's provenance: package
    version, scenario, hash and file, dataset and each source of the run (``sources``, from
    ``Result.sources_used()``; else the dataset's that runs read), each elasticity set's sources,
    seed, recession calibration."""
    rows: list[tuple[str, str]] = []
    for key in ("tariffsim_version", "scenario", "scenario_hash", "scenario_source", "model", "seed"):
        if prov.get(key) is not None:
            rows.append((key.replace("_", " "), str(prov[key])))
    if prov.get("dataset") is not None:
        rows.append(("dataset", f"{prov['dataset']} ({prov.get('dataset_year', 'year not stated')})"))
    for s in sources if sources is not None else dataset_sources_used(prov.get("dataset_sources", [])):
        rows.append(
            (
                f"data: {s.get('figure', '')}",
                f"{s.get('publisher', '')}; {s.get('table', '')}; {s.get('year', '')}; units {s.get('units', '')}; "
                f"licence {s.get('licence', 'n/a')}",
            )
        )
    for name, es in (prov.get("elasticity_sets", {}) or {}).items():
        for param, src in (es.get("sources") or {}).items():
            rows.append((f"elasticity set {name}: {param}", str(src)))
    cal = prov.get("recession_calibration")
    if isinstance(cal, Mapping):
        rows.append(
            ("recession calibration", ", ".join(f"{k} = {v}" for k, v in cal.items() if not isinstance(v, dict | list)))
        )
    return rows
