"""The headline of a result, built once and rendered three ways: text (the CLI's ``run``
summary), HTML (a notebook's display, ``_repr_html_``) and a table (the report's cards and the
tables). Every number comes from :meth:`tariffsim.engine.results.Result.to_json`; this module
only chooses, orders, labels and formats them, so the CLI, notebooks, report and tables cannot
disagree.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._lazy import pd
from .._util import fmt_signed

__all__ = ["HeadlineItem", "Summary", "summary_from_json"]


def _elasticity(v: float | None) -> str:
    """An elasticity measured as a positive number (minus the response): no sign; 'n/a' when missing."""
    return "n/a" if v is None or v != v else f"{v:.2f}".replace("-", "−")


def _num(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class HeadlineItem:
    """One line of the headline: ``label``, ``value`` in ``unit`` (percent, percentage points or
    billion USD), the JSON ``key`` it comes from, an optional ``detail`` (a range, a comparison) and
    whether the report shows it as a card."""

    key: str
    label: str
    value: float | None
    unit: str
    decimals: int = 2
    detail: str = ""
    card: bool = False
    signed: bool = True

    def value_text(self) -> str:
        """The value with its unit, signed (−0.0 never shown), 'n/a' when missing."""
        if self.value is None:
            return "n/a"
        v = fmt_signed(self.value, self.decimals, bare_zero=True) if self.signed else f"{self.value:.{self.decimals}f}"
        return {"%": f"{v} %", "pp": f"{v} pp", "USD bn": f"{v} bn USD", "": v}.get(self.unit, f"{v} {self.unit}")


@dataclass(frozen=True)
class Summary:
    """The headline of one run (see the module docstring). ``items`` in reading order;
    ``by_set``: per elasticity set, the set name and its (label, value text) cells; ``notes``: what
    a reader must know."""

    scenario: str
    description: str
    model: str
    country: str
    market: str | None
    central_set: str
    items: tuple[HeadlineItem, ...]
    set_columns: tuple[str, ...]
    by_set: tuple[tuple[str, tuple[str, ...]], ...]
    notes: tuple[str, ...]

    # ------------------------------------------------------------------ renderers
    def text(self) -> str:
        """Multi-line text (what ``tariffsim run`` prints)."""
        mk = self.market or "its main market"
        lines = [
            f"scenario {self.scenario}: {self.description}",
            f"model {self.model}, reported economy {self.country}, tariff-setting market {mk}, "
            f"central set '{self.central_set}'",
            "",
        ]
        width = max((len(i.label) for i in self.items), default=0)
        for i in self.items:
            lines.append(f"{i.label.ljust(width)}  {i.value_text()}" + (f"  ({i.detail})" if i.detail else ""))
        if self.by_set:
            lines.append("")
            head = "set".ljust(14) + "".join(c.rjust(13) for c in self.set_columns)
            lines.append(head)
            for name, cells in self.by_set:
                lines.append(name.ljust(14) + "".join(c.rjust(13) for c in cells))
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def one_line(self) -> str:
        """The first card items on one line (a result's ``repr``)."""
        cards = [i for i in self.items if i.card][:3]
        return "; ".join(f"{i.label} {i.value_text()}" for i in cards)

    def table(self) -> pd.DataFrame:
        """One row per headline item: label, value (full precision), unit, the value as shown, detail,
        and the JSON key it comes from."""
        return pd.DataFrame(
            [
                {
                    "measure": i.label,
                    "value": i.value,
                    "unit": i.unit,
                    "shown": i.value_text(),
                    "detail": i.detail,
                    "json_key": i.key,
                }
                for i in self.items
            ],
            columns=["measure", "value", "unit", "shown", "detail", "json_key"],
        )

    def cards(self) -> tuple[HeadlineItem, ...]:
        """The items the report shows as cards, in order."""
        return tuple(i for i in self.items if i.card)

    def to_html(self) -> str:
        """An HTML fragment: title, the headline items, the table by elasticity set."""
        e = html.escape
        out = [f"<p><b>{e(self.scenario)}</b>: {e(self.description)} ({e(self.model)} model)</p>", "<table>"]
        for i in self.items:
            detail = f" <small>({e(i.detail)})</small>" if i.detail else ""
            out.append(f"<tr><td>{e(i.label)}</td><td style='text-align:right'>{e(i.value_text())}</td>")
            out.append(f"<td>{detail}</td></tr>")
        out.append("</table>")
        if self.by_set:
            out.append("<table><thead><tr><th>set</th>")
            out += [f"<th>{e(c)}</th>" for c in self.set_columns]
            out.append("</tr></thead><tbody>")
            for name, cells in self.by_set:
                out.append(f"<tr><td>{e(name)}</td>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
            out.append("</tbody></table>")
        if self.notes:
            out.append("<ul>" + "".join(f"<li><small>{e(n)}</small></li>" for n in self.notes) + "</ul>")
        return "".join(out)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return f"<tariffsim.Summary {self.scenario!r} ({self.model}): {self.one_line()}>"


def _pp(share: Any) -> float | None:
    v = _num(share)
    return None if v is None else 100.0 * v


def summary_from_json(j: Mapping[str, Any], *, model_label: str) -> Summary:
    """The headline of a run from its JSON (:meth:`tariffsim.engine.results.Result.to_json`)."""
    c = str(j.get("country"))
    mk = j.get("market")
    mk_txt = mk or "its main market"
    fy = j.get("gdp_impact_pct_first_year_avg_draws") or {}
    q4 = j.get("gdp_impact_pct_draws") or {}
    ge = j.get("ge") or {}
    # the long run's model, with the table it ran on for the multi-sector GE (every output names it)
    lr_model = (
        f"multi-sector GE on {ge.get('io_table')}, {ge.get('io_table_label')}"
        if ge.get("multi_sector")
        else "one-sector GE"
    )

    def band(d: Mapping[str, Any], unit: str = "%") -> str:
        lo, hi = _num(d.get("p05")), _num(d.get("p95"))
        if lo is None or hi is None:
            return ""
        return f"90 % of {d.get('n')} parameter draw{'s' if d.get('n') != 1 else ''}: {fmt_signed(lo, 2)} to {fmt_signed(hi, 2)} {unit}"

    items: list[HeadlineItem] = [
        HeadlineItem(
            "gdp_impact_pct_first_year_avg",
            f"{c} GDP, first-year average",
            _num(j.get("gdp_impact_pct_first_year_avg")),
            "%",
            detail=band(fy),
            card=True,
        ),
        HeadlineItem(
            "gdp_impact_pct",
            f"{c} GDP level after 4 quarters",
            _num(j.get("gdp_impact_pct")),
            "%",
            detail=band(q4) or _sets_text(j),
            card=True,
        ),
        HeadlineItem(
            "gdp_impact_pct_long_run",
            f"{c} real GDP, long run (capital deepening)",
            _num(j.get("gdp_impact_pct_long_run")),
            "%",
            detail="output at baseline prices; the GDP path converges to it",
            card=True,
        ),
        HeadlineItem(
            "real_income_pct_long_run",
            f"{c} real income, long run ({lr_model.split(',')[0]}; not GDP)",
            _num(j.get("real_income_pct_long_run")),
            "%",
            detail=f"what residents can buy: mostly the terms of trade ({lr_model})",
        ),
        HeadlineItem(
            "value_added_at_risk_pct",
            f"{c} value added at risk (PE, long run; not GDP)",
            _num(j.get("value_added_at_risk_pct")),
            "%",
        ),
        HeadlineItem(
            "exports_change_pct_after_4q",
            f"{c} exports after 4 quarters (one-year elasticities)",
            _num(j.get("exports_change_pct_after_4q")),
            "%",
            decimals=1,
            detail=(
                f"to {mk_txt} {fmt_signed(_num(j.get('exports_to_market_change_pct_after_4q')), 1)} %; implied "
                f"elasticity {_elasticity(_num(j.get('implied_elasticity_one_year')))} (−Δln sales / Δln(1 + t), "
                "as Boehm et al. 2023 measure σ); domestic value added "
                f"{_num(j.get('domestic_value_added_share')) or float('nan'):.2f} per dollar"
            ),
            card=True,
        ),
        HeadlineItem(
            "exports_change_pct_long_run",
            f"{c} exports, long run",
            _num(j.get("exports_change_pct_long_run")),
            "%",
            decimals=1,
            detail=f"to {mk_txt} {fmt_signed(_num(j.get('exports_to_market_change_pct_long_run')), 1)} %; "
            + (lr_model if ge.get("multi_sector") else f"{str(j.get('model')).upper()} model"),
        ),
    ]
    eff = _num(j.get("effective_tariff_pct"))
    if eff is not None:
        by = j.get("effective_tariff_pct_by_partner") or {}
        # a change of a rate: percentage points (docs/json.md), for the country and every other exporter
        others = ", ".join(
            f"{k} {fmt_signed(_num(v), 1, bare_zero=True)} pp" for k, v in by.items() if k != c and _num(v) is not None
        )
        items.insert(  # after the GDP numbers: the first-year average leads every headline (issue 18)
            4,
            HeadlineItem(
                "effective_tariff_pct",
                f"effective tariff increase on {c}'s exports to {mk_txt}, first-year average",
                eff,
                "pp",
                decimals=1,
                detail=f"import-weighted; on the other exporters to {mk_txt}: {others}"
                if others
                else "import-weighted",
                card=True,
            ),
        )
    div = j.get("diversion_after_4q_pct") or {}
    if len(div) > 1 and _num(div.get(c)) is not None:
        items.append(
            HeadlineItem(
                "diversion_after_4q_pct",
                f"sales in the {mk_txt} market after 4 quarters: {c}",
                _num(div.get(c)),
                "%",
                decimals=1,
                detail=", ".join(f"{k} {fmt_signed(_num(v), 1)} %" for k, v in div.items() if k != c),
            )
        )
    rev = _num(j.get("market_tariff_revenue_change_usd"))
    if rev is not None:
        rmodel = j.get("market_tariff_revenue_model")
        items.append(
            HeadlineItem(
                "market_tariff_revenue_change_usd",
                f"{mk_txt} tariff revenue, change, long run",
                rev / 1e9,
                "USD bn",
                decimals=1,
                detail=(
                    f"after 4 quarters {fmt_signed((_num(j.get('market_tariff_revenue_change_usd_after_4q')) or 0) / 1e9, 1)} bn"
                    + (
                        f"; {str(rmodel).upper()} model at long-run elasticities on the dataset's trade (the "
                        f"{str(j.get('model')).upper()} model runs on its own table)"
                        if rmodel and rmodel != j.get("model")
                        else ""
                    )
                ),
            )
        )
    if j.get("recession_probability") is not None:
        rb = j.get("recession_probability_change_band") or {}
        gauss = _pp(j.get("recession_probability_change_gaussian_shocks"))
        parts = []
        if rb:
            parts.append(
                f"90 % band {fmt_signed(_pp(rb.get('p05')), 1)} to {fmt_signed(_pp(rb.get('p95')), 1)} pp "
                "(elasticity, macro, growth-model and shock-shape draws)"
            )
        parts.append(
            f"{_pp(j.get('recession_probability')):.1f} % against {_pp(j.get('recession_probability_baseline')):.1f} "
            f"% without the tariff"
        )
        if gauss is not None:
            parts.append(f"Gaussian shocks {fmt_signed(gauss, 1)} pp")
        parts.append(f"Monte Carlo s.e. {_pp(j.get('recession_probability_change_se')):.2f} pp (simulation noise)")
        items.append(
            HeadlineItem(
                "recession_probability_change",
                "technical recession within 4 quarters, change",
                _pp(j.get("recession_probability_change")),
                "pp",
                decimals=1,
                detail="; ".join(parts),
                card=True,
            )
        )
        fq = j.get("recession_frequency_4q") or {}
        if fq:
            items.append(
                HeadlineItem(
                    "recession_frequency_4q.model",
                    "technical recessions in 4-quarter windows, model at historical growth",
                    _pp(fq.get("model")),
                    "%",
                    decimals=1,
                    signed=False,
                    detail=f"observed {_pp(fq.get('observed')):.1f} % ({fq.get('sample')}); {fq.get('explanation')}",
                )
            )
    fc = j.get("baseline_growth_forecast") or {}
    if fc:
        items.append(
            HeadlineItem(
                "baseline_growth_forecast.growth_pct",
                f"{c} baseline growth forecast (without the tariff)",
                _num(fc.get("growth_pct")),
                "%",
                decimals=1,
                signed=False,
                detail=str(fc.get("label") or ""),
            )
        )
    notes: list[str] = []
    if ge.get("multi_sector"):
        for role in ("country", "market"):
            row = ge.get(role) or {}
            if not row or (role == "market" and row.get("iso3") == (ge.get("country") or {}).get("iso3")):
                continue
            items.append(
                HeadlineItem(
                    f"ge.{role}.real_income_pct",
                    f"{row['iso3']} real income, multi-sector GE, long run",
                    _num(row.get("real_income_pct")),
                    "%",
                    detail=(
                        f"welfare {fmt_signed(_num(row.get('welfare_pct')), 2)} % of income = terms of trade "
                        f"{fmt_signed(_num(row.get('tot_pct')), 2)} + volume of trade "
                        f"{fmt_signed(_num(row.get('vot_pct')), 2)} + technical efficiency "
                        f"{fmt_signed(_num(row.get('tech_pct')), 2)}; real wage "
                        f"{fmt_signed(_num(row.get('realwage_pct')), 2)} %"
                    ),
                )
            )
        cty = ge.get("country") or {}
        traded = set(ge.get("traded_sectors") or [])
        rows = [r for r in ge.get("by_sector") or [] if r.get("region") == cty.get("region")]
        if rows:  # value added at baseline prices, sectors with at least 1 % of the output
            out = {r["sector"]: r.get("value_added_change_pct") for r in rows if not r.get("flagged")}
            what = "value added at baseline prices (sectors with at least 1 % of output)"
        else:
            out = {k: v for k, v in (cty.get("output_by_sector_pct") or {}).items() if k in traded}
            what = "gross output"
        ranked = sorted((v, k) for k, v in out.items() if v is not None)
        if ranked:
            worst = ", ".join(f"{k} {fmt_signed(v, 1)} %" for v, k in ranked[:3] if v < 0) or "none"
            best = ", ".join(f"{k} {fmt_signed(v, 1)} %" for v, k in ranked[::-1][:3] if v > 0) or "none"
            notes.append(f"{cty.get('iso3')} {what} in the multi-sector GE, largest falls: {worst}; rises: {best}")
    cols = ("exp 4q %", "GDP yr1 %", "GDP 4q %", "GDP LR %", "income LR %", "recession")
    by_set = []
    for n, h in (j.get("by_elasticity_set") or {}).items():
        rc = _pp(h.get("recession_probability_change"))
        by_set.append(
            (
                str(n),
                (
                    fmt_signed(_num(h.get("exports_change_pct_after_4q")), 1),
                    fmt_signed(_num(h.get("gdp_impact_pct_first_year_avg")), 2),
                    fmt_signed(_num(h.get("gdp_impact_pct")), 2),
                    fmt_signed(_num(h.get("gdp_impact_pct_long_run")), 2),
                    fmt_signed(_num(h.get("real_income_pct_long_run")), 2),
                    "n/a" if rc is None else f"{fmt_signed(rc, 1)} pp",
                ),
            )
        )
    notes += [str(n) for n in j.get("notes") or []]
    notes += _model_caveats(j)
    return Summary(
        scenario=str(j.get("scenario")),
        description=str(j.get("description") or ""),
        model=model_label,
        country=c,
        market=mk,
        central_set=str(j.get("central_set")),
        items=tuple(items),
        set_columns=cols,
        by_set=tuple(by_set),
        notes=tuple(notes),
    )


def _sets_text(j: Mapping[str, Any]) -> str:
    """The four-quarter range over the elasticity sets, or that it is the same in every set (the
    multi-sector model's sets differ only in the long run): never 'from x to x'."""
    lo, hi = _num(j.get("gdp_impact_pct_low")), _num(j.get("gdp_impact_pct_high"))
    n = len(j.get("by_elasticity_set") or {})
    if lo is None or hi is None or n < 2:
        return ""
    if round(lo, 2) == round(hi, 2):
        return f"the same in all {n} sets: they differ only in the long run"
    return f"sets {fmt_signed(lo, 2)} to {fmt_signed(hi, 2)} %"


def _model_caveats(j: Mapping[str, Any]) -> list[str]:
    """Caveats generated from the model actually run (its innovations, its calibration's sample)."""
    out: list[str] = []
    mc = j.get("recession_monte_carlo") or {}
    cal = (j.get("provenance") or {}).get("recession_calibration") or {}
    if mc:
        where = (
            f"{cal.get('country') or j.get('country')}, {cal.get('start')}-{cal.get('end')}"
            if cal.get("start")
            else "given by the scenario"
        )
        out.append(f"growth model: AR(1) of quarterly growth with {mc.get('innovations')} innovations ({where})")
    lr = j.get("long_run_mechanism") or {}
    if lr:
        out.append(
            "long-run real GDP is not real income: it comes from capital deepening (capital share "
            f"{_num(lr.get('capital_share')) or float('nan'):.2f}, imported share of investment "
            f"{_num(lr.get('imported_share_gfcf')) or float('nan'):.2f}) at the GE's prices"
        )
    return out
