"""The HTML briefing of the report folder (``report.html``): the question, the main numbers, the
figures, the tables, the assumptions with their sources and the caveats. Built by
:func:`tariffsim.outputs.report.write_report` (:func:`report_html`); ``compare.html`` of
:func:`tariffsim.outputs.comparison.write_compare` (:func:`compare_html`). Figures and downloads are
referenced relatively.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from .._lazy import pd
from .._util import fmt_signed
from .._version import __version__
from ..constants import GE_MODEL
from ..engine.adapters import adapter
from ..engine.sources import shown_source
from ..inputs.assumptions import ASSUMPTIONS, Range
from ..inputs.countries import display_name
from ..inputs.measures import measure_label
from .files import safe_filename
from .report_text import (
    band_text,
    calibration_text,
    capitalised,
    draws_text,
    ge_io_text,
    growth_text,
    num_text,
    published_comparison,
    published_ge_io_text,
    set_range_text,
    share_pct,
    with_article,
)
from .tables import format_cell, ge_io_block, ge_io_label, table_html

if TYPE_CHECKING:
    from ..inputs.measures import TariffMeasure

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #222; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; line-height: 1.25; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
h3 { font-size: 1.0rem; margin-top: 1.4rem; }
.meta { color: #555; font-size: 0.9rem; }
.question { font-size: 1.05rem; background: #f4f6f9; border-left: 4px solid #1f4e89; padding: 0.6rem 1rem; }
.numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.8rem; margin: 1rem 0; }
.number { border: 1px solid #d0d7e1; padding: 0.6rem 0.8rem; }
.number .value { font-size: 1.6rem; font-weight: bold; color: #0b1f3a; font-family: 'DejaVu Sans', Arial, sans-serif; }
.number .label { font-size: 0.85rem; color: #444; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; }
table.tariffsim-table, table.plain { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem;
       font-family: 'DejaVu Sans', Arial, sans-serif; }
table.tariffsim-table caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
table.tariffsim-table thead th { border-top: 2px solid #222; border-bottom: 1px solid #222; padding: 0.25rem 0.5rem;
       vertical-align: bottom; }
table.tariffsim-table tbody tr:last-child td { border-bottom: 2px solid #222; }
table.tariffsim-table td, table.plain td, table.plain th { padding: 0.2rem 0.5rem; vertical-align: top; }
table.plain th { text-align: left; border-bottom: 1px solid #222; }
table.plain td { border-bottom: 1px solid #eee; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-size: 0.8rem; color: #555; padding-top: 0.3rem; }
.downloads { font-size: 0.85rem; color: #555; }
.caveats li { margin-bottom: 0.5rem; }
code { font-size: 0.9em; }
.table-wrap { max-width: 100%; overflow-x: auto; }
table.tariffsim-table { font-size: 0.78rem; }
table.tariffsim-table thead th { white-space: normal; hyphens: auto; min-width: 3.2rem; }
table.tariffsim-table td, table.tariffsim-table th { padding: 0.2rem 0.3rem; }
"""


_ASSUMPTION_LABELS = {
    "multiplier": "Domestic multiplier",
    "uncertainty_drag_pct": "Uncertainty drag (% of GDP)",
    "exchange_rate_offset": "Exchange-rate offset (share of the tariff)",
    "baseline_growth_annual_pct": "Baseline growth (% a year)",
    "us_input_share_of_imports": "US inputs in imports (share)",
    "input_cost_passthrough": "Input-cost pass-through (share)",
}


def _e(x: object) -> str:
    return html.escape(str(x))


def _measure_text(m: TariffMeasure) -> str:
    if not m.uniform:  # dates, product-level claims or lists, rates by exporter, the panel
        return measure_label(m.to_dict()) + (" (replacing the baseline duty)" if m.mode == "set" else "")
    exp = "all partners" if m.exporters == "all" else ", ".join(display_name(c) for c in m.exporters)
    sec = "all goods" if m.sectors == "all" else "sectors " + ", ".join(m.sectors)
    if m.exclude_sectors:
        sec += " except " + ", ".join(m.exclude_sectors)
    text = f"{display_name(m.importer)}: {m.rate * 100:g} % on {sec} from {exp}"
    if m.exempt_share:
        text += f", {m.exempt_share * 100:g} % of the trade exempt (effective {m.effective_rate * 100:.4g} %)"
    if m.mode == "set":
        text += " (replacing the baseline duty)"
    else:
        text += " (on top of the 2024 duty)"
    return text


def _value_text(v: object) -> str:

    if isinstance(v, Range):
        if v.low == v.central == v.high:
            return f"{v.central:g}"
        return f"{v.central:g} (low {v.low:g}, high {v.high:g})"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _es_value(v: object) -> str:
    if isinstance(v, Mapping):
        vals = [float(x) for x in v.values()]
        return f"by sector (median {np.median(vals):.3g})" if vals else "by sector"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return f"{v:g}" if isinstance(v, int | float) else str(v)


def _download_links(stem: str, formats: Sequence[str]) -> str:
    return " · ".join(f'<a href="{_e(stem)}.{f}">{f.upper()}</a>' for f in formats)


def report_html(
    result: Any,
    sc: Any,
    *,
    figs: Mapping,
    figure_formats: Sequence[str],
    tables: Mapping[str, pd.DataFrame],
    table_formats: Sequence[str],
    data_files: Sequence[str],
    pe_twin: bool,
) -> str:
    """The page ``report.html`` of :func:`tariffsim.outputs.report.write_report` for ``result`` (of the
    scenario ``sc``): ``figs`` name -> (Figure, caption), ``tables`` name -> table; every number
    is read from ``result.to_json()`` or from those tables."""

    j = result.to_json()
    c = display_name(result.country)
    so = result.outcome()
    mac = so.macro
    a = mac.assumptions if mac is not None else None
    png = "png" in figure_formats
    P: list[str] = []
    add = P.append

    title = sc.description or sc.name
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>{_e(sc.name)}: {_e(title)}</title>")
    add(f"<style>{_CSS}</style></head><body>")
    add(f"<h1>What does this tariff do? {_e(title)}</h1>")
    add(
        f'<p class="meta">Scenario <code>{_e(sc.name)}</code> (hash {_e(sc.hash)}), '
        f"{_e(adapter(result.model).description)} model, tariffsim "
        f"{_e(__version__)}, data {_e(result.data.name)} ({_e(result.data.year)}). "
        f'Files: <a href="scenario.toml">scenario.toml</a> · <a href="provenance.json">provenance.json</a> · '
        f'<a href="report.xlsx">report.xlsx</a> (the tables as an Excel workbook)</p>'
    )

    # -- the question
    add("<h2>The question</h2>")
    measures = "; ".join(_measure_text(m) for m in sc.tariffs) or "no new tariffs"
    add(
        f'<p class="question">{_e(measures)}'
        + (f"; in return {_e('; '.join(_measure_text(m) for m in sc.retaliation))}" if sc.retaliation else "")
        + f". How far do {_e(c)}'s exports fall, what happens to its GDP, how likely is a recession, "
        "and how much depends on the trade elasticities?</p>"
    )

    # -- the main numbers
    add("<h2>The main numbers</h2>")
    ge = ge_io_block(result)
    lr_note = f" in the multi-sector GE, {ge_io_label(ge)}" if ge else ""  # its long run is on its table
    # the cards are the headline's (Result.overview): the same numbers as the CLI summary and the notebook
    boxes = [
        (
            i.value_text(),
            f"{i.label}{lr_note if i.key.startswith('exports_change_pct_long_run') else ''}"
            + (f" ({i.detail})" if i.detail else ""),
        )
        for i in result.overview().cards()
    ]
    add(
        '<div class="numbers">'
        + "".join(
            f'<div class="number"><div class="value">{_e(v)}</div><div class="label">{_e(lab)}</div></div>'
            for v, lab in boxes
        )
        + "</div>"
    )
    items = []
    market = with_article(display_name(result.market)) if result.market else "the market"
    if j.get("gdp_impact_pct") is not None:
        txt = (
            f"<b>GDP.</b> In the central elasticity set {_e(c)}'s real GDP deviates from baseline by "
            f"{fmt_signed(j['gdp_impact_pct'], 2)} % after four quarters and its long-run real GDP by "
            f"{fmt_signed(j.get('gdp_impact_pct_long_run'), 2)} % (real income, not GDP: "
            f"{fmt_signed(j.get('real_income_pct_long_run'), 2)} %). " + set_range_text(j, len(result.sets))
        )
        dd = j.get("gdp_impact_pct_draws")
        if dd:
            txt += (
                f" With parameter uncertainty ({dd['n']} Monte Carlo draws of elasticities and macro assumptions) "
                f"90 % of outcomes after four quarters lie between {fmt_signed(dd['p95'], 2)} % and "
                f"{fmt_signed(dd['p05'], 2)} %."
            )
        items.append(txt)
    items.append(
        f"<b>Exports.</b> {_e(c)}'s exports (exporter prices) change by "
        f"{fmt_signed(j.get('exports_change_pct_after_4q'))} % after four quarters and "
        f"{fmt_signed(j.get('exports_change_pct_long_run'))} % in the long run{lr_note}"
        + (
            f"; its exports to {_e(market)} by {fmt_signed(j['exports_to_market_change_pct_long_run'])} % in the long run"
            if j.get("exports_to_market_change_pct_long_run") is not None
            else ""
        )
        + "."
    )
    if j.get("recession_probability") is not None:
        mc = j.get("recession_monte_carlo", {})
        items.append(
            f"<b>Recession risk.</b> The probability of two consecutive quarters of negative growth within a "
            f"year rises from {share_pct(j['recession_probability_baseline'], 1)} to "
            f"{share_pct(j['recession_probability'], 1)}; the probability that growth in the first four "
            f"quarters is negative against the year before rises from "
            f"{share_pct(j.get('annual_contraction_probability_baseline'), 1)} to "
            f"{share_pct(j.get('annual_contraction_probability'), 1)} ({mc.get('n_paths', 0):,} simulated "
            f"paths with the central set's point GDP path, no parameter draws, common random numbers; Monte Carlo "
            f"s.e. of the change {100 * (j.get('recession_probability_change_se') or 0):.2f} pp, simulation noise "
            "only)." + band_text(j) + " The per-set numbers in the table use each set's point path."
        )
    if j.get("market_tariff_revenue_change_usd") is not None:
        rmodel = str(j.get("market_tariff_revenue_model") or result.model)
        which = (
            f"central set, long run, {_e(rmodel.upper())} model at long-run elasticities on the dataset's "
            f"{_e(result.data.year)} trade: the {_e(adapter(result.model).description)} model runs on its own table"
            if rmodel != result.model
            else f"central set, long run, {_e(adapter(result.model).description)} model"
        )
        items.append(
            f"<b>{_e(capitalised(market))}.</b> Tariff revenue changes by "
            f"{fmt_signed(j['market_tariff_revenue_change_usd'] / 1e9)} bn USD a year and the composite price of all its imports "
            f"(tariff-inclusive) by {fmt_signed(j.get('market_import_price_change_pct'), 2)} % ({which})."
        )
    if ge:
        items.append(ge_io_text(ge))
    add("<ul>" + "".join(f"<li>{t}</li>" for t in items) + "</ul>")
    for note in j.get("notes", []):  # the run's notes, as in `tariffsim run --json`
        add(f'<p class="meta">Note: {_e(note)}</p>')
    add(_table_block(tables["summary"], "summary", table_formats))

    # -- the figures
    add("<h2>Figures</h2>")
    add(
        f'<p class="downloads">Each figure is in <code>figures/</code> as {", ".join(f.upper() for f in figure_formats)}'
        f" (PNG at 200 dpi); the data behind them in <code>data/</code>: "
        + ", ".join(f'<a href="data/{_e(f)}">{_e(f)}</a>' for f in data_files)
        + ".</p>"
    )
    order = [
        "gdp_by_set",
        "fan_chart",
        "recession_curve",
        "gdp_path_chart",
        "ge_io_welfare",
        "ge_io_sectors",
        "ge_io_output_by_sector",
        "export_losses_by_sector",
        "diversion_by_source",
        "gdp_heatmap",
        "tornado_chart",
        "ge_welfare",
    ]
    for k, name in enumerate([n for n in order if n in figs], start=1):
        _fig, cap = figs[name]
        add("<figure>")
        if png:
            add(f'<img src="figures/{name}.png" alt="Figure {k}: {_e(cap)}" loading="lazy">')
        add(
            f"<figcaption><b>Figure {k}.</b> {_e(cap)} "
            f'<span class="downloads">{_download_links("figures/" + name, figure_formats)}</span></figcaption>'
        )
        add("</figure>")

    # -- tables
    add("<h2>Tables</h2>")
    if "ge_io_welfare" in tables:
        add(f"<h3>Multi-sector general equilibrium (Caliendo-Parro, {_e(ge_io_label(ge))})</h3>")
        add(_table_block(tables["ge_io_welfare"], "ge_io_welfare", table_formats))
        if "ge_io_sectors" in tables:
            add(_table_block(tables["ge_io_sectors"], "ge_io_sectors", table_formats))
        add(_table_block(tables["ge_io_output"], "ge_io_output", table_formats))
        add("<h3>Exports of the dataset's sectors and partners</h3>")
    add(_table_block(tables["sectors"], "sectors", table_formats))
    add(_table_block(tables["partners"], "partners", table_formats))

    # -- assumptions
    add("<h2>Assumptions</h2>")
    add("<h3>Tariffs</h3><ul>")
    for m in sc.tariffs:
        add(
            f"<li>{_e(_measure_text(m))}."
            + (f" <span class='meta'>Source: {_e(m.source)}</span>" if m.source else "")
            + "</li>"
        )
    for m in sc.retaliation:
        add(
            f"<li>Retaliation: {_e(_measure_text(m))}."
            + (f" <span class='meta'>Source: {_e(m.source)}</span>" if m.source else "")
            + "</li>"
        )
    add("</ul>")
    if a is not None:
        add("<h3>Macro transmission (central values)</h3>")
        rows = [
            ("Model form", a.form, ASSUMPTIONS["macro_form"].description, ""),
            (
                f"Export dependence on {market}",
                f"{a.export_dependence:.3g} (data: {a.export_dependence_data:.3f})",
                ASSUMPTIONS["export_dependence"].description,
                a.sources.get("export_dependence", ""),
            ),
            (
                "Value-added share of exports (weights: baseline exports by sector)",
                f"{a.value_added_share:.3g} per dollar of exports to {market}, "
                f"{a.value_added_share_other:.3g} to other markets (the GDP channel weights by the export change: "
                f"{num_text(j.get('domestic_value_added_share'), 3)} per dollar of it, summary table)",
                ASSUMPTIONS["value_added_share"].description,
                a.sources.get("value_added_share", ""),
            ),
        ]
        resolved = {  # 'data' as the run resolved it for the reported country, with that country's source
            "uncertainty_drag_pct": f"{a.uncertainty_drag_pct:.3g}",
            "baseline_growth_annual_pct": f"{a.baseline_growth_annual_pct:g}",
        }
        for key in ("multiplier", "uncertainty_drag_pct", "exchange_rate_offset", "baseline_growth_annual_pct"):
            spec = ASSUMPTIONS[key]
            given = sc.assumptions.get(key)
            value = _value_text(given)
            if key in resolved and given == "data":
                value = f"{resolved[key]} (data)"
            src = a.sources.get(key) or (
                f"scenario ({shown_source(sc.source)})" if key in sc.assumptions.explicit else spec.source
            )
            rows.append((_ASSUMPTION_LABELS[key], value, spec.description, src))
        if sc.retaliation:
            for key in ("us_input_share_of_imports", "input_cost_passthrough"):
                spec = ASSUMPTIONS[key]
                src = f"scenario ({shown_source(sc.source)})" if key in sc.assumptions.explicit else spec.source
                rows.append((_ASSUMPTION_LABELS[key], _value_text(sc.assumptions.get(key)), spec.description, src))
        rows.append(
            (
                "Adjustment speed of trade",
                f"{a.adjustment_speed:.3f} a quarter",
                ASSUMPTIONS["adjustment_speed"].description,
                ASSUMPTIONS["adjustment_speed"].source,
            )
        )
        rows.append(
            (
                "GDP and exports of " + c,
                f"{a.gdp_usd / 1e9:,.0f} and {a.exports_usd / 1e9:,.0f} bn USD",
                "baseline values in the dataset",
                f"dataset {result.data.name}",
            )
        )
        add(
            '<table class="plain"><thead><tr><th>Assumption</th><th>Value</th><th>Meaning</th><th>Source</th></tr>'
            "</thead><tbody>"
            + "".join(
                f"<tr><td>{_e(n)}</td><td>{_e(v)}</td><td>{_e(d)}</td><td>{_e(s)}</td></tr>" for n, v, d, s in rows
            )
            + "</tbody></table>"
        )
    add("<h3>Elasticity sets</h3>")
    add(
        '<div class="table-wrap"><table class="plain"><thead><tr><th>Set</th><th>σ one year</th><th>σ long run</th>'
        "<th>η one year</th><th>η long run</th><th>export supply</th><th>GE ε</th><th>Sources</th></tr></thead><tbody>"
    )
    for name, o in result.sets.items():
        es = o.elasticities
        src = "; ".join(f"{k}: {v}" for k, v in (es.sources or {}).items())
        vals = [getattr(es, k, None) for k in ("sigma_one_year", "sigma", "eta_one_year", "eta", "eps_x")]
        add(
            f"<tr><td><b>{_e(name)}</b>{' (central)' if name == result.central else ''}<br>"
            f"<span class='meta'>{_e(es.description)}</span></td>"
            + "".join(f"<td>{_e(_es_value(v))}</td>" for v in vals)
            + f"<td>{_e(_es_value(es.ge_trade_elasticity))}</td><td class='meta'>{_e(src)}</td></tr>"
        )
    add("</tbody></table></div>")
    cal = result.provenance.get("recession_calibration")
    if result.recession is not None:
        r = result.recession
        add("<h3>Recession model</h3>")
        add(
            f"<p>Quarterly growth follows an AR(1) with {_e(r.innovation)} innovations "
            f"{_e(calibration_text(cal, c))}: persistence {r.rho:.2f}, with mean {r.mu:.2f} % a quarter from the "
            f"baseline forecast of {_e(growth_text(j))}. The tariff's GDP path is added to every simulated path. "
            f"{_e(draws_text(j, r.n_paths, result.central))} Random numbers from the scenario's seed {sc.seed}.</p>"
        )
    add("<h3>Data</h3><ul>")
    for s in result.sources_used():
        head = ", ".join(str(s[k]) for k in ("publisher", "year", "units") if s.get(k) not in (None, ""))
        meta = "; ".join(
            x for x in (str(s.get("table") or ""), f"licence {s['licence']}" if s.get("licence") else "") if x
        )
        add(
            f"<li>{_e(s.get('figure', ''))}: {_e(head)}"
            + (f" <span class='meta'>({_e(meta)})</span>" if meta else "")
            + "</li>"
        )
    add("</ul>")

    # -- caveats
    add("<h2>Caveats</h2><ul class='caveats'>")
    cav = []
    if not adapter(result.model).general_equilibrium:
        cav.append(
            "<b>Partial equilibrium.</b> Each import market responds to the tariff through prices and "
            "substitution between sources (Armington), but wages, exchange rates and incomes do not adjust "
            "and resources are not redeployed to other uses within the horizon. The general-equilibrium model "
            f'(<code>model = "{GE_MODEL}"</code>) is the check on this.'
        )
    elif ge:
        cp1993 = ge.get("io_table") in (None, "cp1993")
        start = (
            "from the NAFTA equilibrium (the 1993 tables at the post-NAFTA tariffs)"
            if cp1993
            else "from the table's own equilibrium (its applied tariffs, deficits held)"
        )
        cav.append(
            f"<b>Multi-sector general equilibrium.</b> {_e(capitalised(str(ge.get('structure', ''))))}. "
            f"The long run (real income, welfare, real wage, output, value added and exports by sector) is the "
            f"Caliendo-Parro (2015) model on input-output table {_e(ge.get('io_table') or 'cp1993')} "
            f"({_e(ge_io_label(ge))}), solved {start} with each elasticity set's sector trade elasticities θ (the "
            "sets differ only there; summary table); long-run real GDP is capital deepening at its prices. The first "
            "year, the export tables by sector and partner, tariff revenue and import prices, and the tariff sweep's "
            f"near term use the partial-equilibrium model on the dataset {_e(result.data.name)} "
            f"({_e(result.data.year)}). The welfare decomposition is integrated along the path of tariffs from the "
            "reference to the scenario, so its terms add up to the exact real-income change (real income, not "
            "GDP; Caliendo and Parro's one-step, first-order formula is off for a tariff this large)."
        )
    else:
        cav.append(
            "<b>General equilibrium on aggregated economies.</b> One sector, the dataset's economies; the GDP "
            "path blends from the near term into long-run real GDP (capital deepening at the equilibrium's prices); "
            "the equilibrium's real income, a different number, is reported beside it, not as GDP."
        )
    if a is not None and a.form == "simple":
        cav.append(
            f"<b>Simple macro form.</b> Exports to {_e(market)} are taken as {a.export_dependence:.2f} of total "
            f"exports (the data give {a.export_dependence_data:.3f}); every lost dollar of exports costs its "
            f"domestic value added ({a.value_added_share:.2f}) times the multiplier, with no monetary or "
            "fiscal response."
        )
    eps = [o.elasticities.eps_x for o in result.sets.values()]
    if any(isinstance(e, float) and math.isinf(e) for e in eps):
        cav.append(
            "<b>Full pass-through.</b> In the central set exporters' prices do not fall (export-supply "
            f"elasticity infinite): buyers in {_e(market)} pay the whole tariff, as measured for the 2018–19 US tariffs. If "
            f"{_e(c)}'s exporters absorbed part of it, volumes would fall less."
        )
    if a is not None and a.exchange_rate_offset == 0:
        hi = sc.assumptions.get("exchange_rate_offset")
        hi = getattr(hi, "high", 0.0)
        cav.append(
            "<b>No exchange-rate offset</b> in the central case"
            + (
                f"; a depreciation absorbing {100 * hi:g} % of the tariff (the scenario's high value) lowers "
                "the loss by about that share (tornado chart)."
                if hi
                else "."
            )
        )
    if result.recession is not None:
        fq = j.get("recession_frequency_4q") or {}
        freq = (
            f" At the sample's own mean growth the model gives a technical recession in "
            f"{100 * fq['model']:.1f} % of four-quarter windows against {100 * fq['observed']:.1f} % observed "
            f"({_e(str(fq.get('sample')))}): {_e(str(fq.get('explanation')))}."
            if fq.get("model") is not None and fq.get("observed") is not None
            else ""
        )
        cav.append(
            f"<b>Recession probabilities.</b> The AR(1) with {_e(result.recession.innovation)} innovations at "
            f"{_e(growth_text(j))} makes two negative quarters in a row common even without the tariff (the "
            f"baseline probability above).{freq} Read the tariff's effect as the difference from the baseline, "
            "computed on common random numbers."
        )
    cmp = published_comparison(result, j)
    if cmp:
        cav.append("<b>Published estimates.</b> " + cmp)
    ifo = published_ge_io_text(result, ge)
    if ifo:
        cav.append("<b>Published estimates, same model family.</b> " + _e(ifo))
    if pe_twin:
        cav.append(
            "The heatmap and the tornado vary the PE model's σ and macro assumptions, so they are computed "
            "with the scenario's partial-equilibrium twin."
        )
    add("".join(f"<li>{t}</li>" for t in cav) + "</ul>")
    add(
        f'<p class="meta">Written by tariffsim {_e(__version__)} on '
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}. Provenance (scenario hash, data version, seed, "
        'package versions, file checksums) in <a href="provenance.json">provenance.json</a>.</p>'
    )
    add("</body></html>")
    return "\n".join(P) + "\n"


def _by_measure(df: pd.DataFrame) -> pd.DataFrame:
    """The summary table turned for reading on a page: a row per measure, a column per
    elasticity set (numbers formatted with their column's decimals), so it fits the text column."""
    dec = df.attrs.get("decimals", {})
    sets = [str(x) for x in df.iloc[:, 0]]
    rows = []
    for col in df.columns[1:]:
        rows.append(
            {"Measure": col, **{s: format_cell(v, dec.get(col), "md") for s, v in zip(sets, df[col], strict=True)}}
        )
    out = pd.DataFrame(rows)
    out.attrs["title"] = df.attrs.get("title", "")
    out.attrs["notes"] = df.attrs.get("notes", "")
    return out


def _table_block(df: pd.DataFrame, name: str, formats: Sequence[str]) -> str:
    links = _download_links(f"tables/{name}", formats)
    return (
        f'<div class="table-wrap">{table_html(_by_measure(df) if name == "summary" else df, table_id=f"table-{name}")}</div>'
        + f'<p class="downloads">Download: {links}</p>'
    )


def compare_html(
    cmp: Any, *, figs: Mapping, figure_formats: Sequence[str], table: pd.DataFrame, table_formats: Sequence[str]
) -> str:
    """``compare.html``: the scenarios, the comparison table, the two figures, the runs' files and
    the sources (see :func:`tariffsim.outputs.comparison.write_compare`)."""

    P: list[str] = []
    add = P.append
    names = cmp.scenarios
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>Scenarios compared: {_e(', '.join(names))}</title>")
    add(f"<style>{_CSS}</style></head><body>")
    add(f"<h1>What do these tariffs do? {_e(', '.join(names))} side by side</h1>")
    add(
        f'<p class="meta">tariffsim {_e(__version__)}; {len(cmp.runs)} runs. Files: '
        '<a href="compare.xlsx">compare.xlsx</a> · <a href="provenance.json">provenance.json</a> · '
        '<a href="data/comparison_tidy.csv">comparison_tidy.csv</a> · <a href="data/gdp_paths.csv">gdp_paths.csv</a></p>'
    )
    add("<h2>The scenarios</h2><ul>")
    seen = set()
    for (name, _model), r in cmp.results.items():
        if name in seen:
            continue
        seen.add(name)
        sc = r.scenario
        measures = "; ".join(_measure_text(m) for m in sc.tariffs) or "no new tariffs"
        if sc.retaliation:
            measures += "; in return " + "; ".join(_measure_text(m) for m in sc.retaliation)
        add(
            f"<li><b><code>{_e(name)}</code></b>: {_e(sc.description or name)}. <span class='meta'>{_e(measures)}. "
            f'Scenario file <a href="scenarios/{_e(safe_filename(name))}.toml">{_e(safe_filename(name))}.toml</a>, '
            f"hash {_e(sc.hash)}.</span></li>"
        )
    add("</ul>")
    add("<h2>The numbers</h2>")
    add(_table_block(table, "comparison", table_formats))
    runs = " · ".join(
        f'<a href="runs/{_e(safe_filename(n))}.{_e(m)}.json">{_e(n)} ({_e(m.upper())})</a>' for n, m in cmp.runs
    )
    add(f'<p class="downloads">Every number is the run\'s <code>tariffsim run --json</code> value: {runs}.</p>')
    add("<h2>Figures</h2>")
    png = "png" in figure_formats
    for k, (name, (_fig, cap)) in enumerate(figs.items(), start=1):
        add("<figure>")
        if png:
            add(f'<img src="figures/{name}.png" alt="Figure {k}: {_e(cap)}" loading="lazy">')
        add(
            f"<figcaption><b>Figure {k}.</b> {_e(cap)} "
            f'<span class="downloads">{_download_links("figures/" + name, figure_formats)}</span></figcaption>'
        )
        add("</figure>")
    add("<h2>Sources</h2><ul>")
    seen_src: set[str] = set()
    for r in cmp.results.values():
        for s in r.sources_used():
            text = f"{s.get('figure', '')}: {s.get('publisher', '')}, {s.get('year', '')}, {s.get('units', '')}"
            if text not in seen_src:
                seen_src.add(text)
                add(f"<li>{_e(text)} <span class='meta'>({_e(s.get('table', ''))})</span></li>")
    add("</ul>")
    add(
        f'<p class="meta">Written by tariffsim {_e(__version__)} on '
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; provenance in "
        '<a href="provenance.json">provenance.json</a>.</p>'
    )
    add("</body></html>")
    return "\n".join(P) + "\n"
