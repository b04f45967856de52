"""The sentences of the report pages (:mod:`tariffsim.outputs.report_html`): the published estimates
beside the run, the ranges over the elasticity sets, the multi-sector GE's numbers, the growth model's
calibration and the draws behind each recession number. Each reads the run's JSON (or the result's
scenario and provenance), never a fixed country or table."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._util import fmt_signed
from ..constants import DEFAULT_COUNTRY, GE_MODEL
from ..engine.adapters import adapter
from ..engine.sources import shown_source
from ..inputs.countries import display_name
from ..inputs.published import published_values
from .tables import US, ge_io_economies, ge_io_label

if TYPE_CHECKING:
    from ..engine.results import Result

__all__ = [
    "esc",
    "with_article",
    "num_text",
    "share_pct",
    "published_comparison",
    "published_ge_io_text",
    "set_range_text",
    "capitalised",
    "ge_io_text",
    "calibration_text",
    "draws_text",
    "growth_text",
    "band_text",
]


def esc(x: object) -> str:
    """``x`` as HTML text."""
    return html.escape(str(x))


def with_article(name: str) -> str:
    """'the United States', 'the EU-27'; other names as they are (Mexico, Canada)."""
    return f"the {name}" if name.startswith(("United ", "EU", "Rest of", "Netherlands", "Philippines")) else name


def num_text(v: object, nd: int) -> str:
    """``v`` with ``nd`` decimals, or 'n/a' (None, NaN)."""
    if not isinstance(v, int | float) or not math.isfinite(float(v)):
        return "n/a"
    return f"{float(v):.{nd}f}"


def published_comparison(result: Result, j: Mapping) -> str | None:
    """The seed case only: how the central GDP number compares with published estimates."""
    sc = result.scenario
    on_mex = any(m.importer == US and (m.exporters == "all" or DEFAULT_COUNTRY in m.exporters) for m in sc.tariffs)
    if result.country != DEFAULT_COUNTRY or not on_mex:
        return None
    g = j.get("gdp_impact_pct_first_year_avg")
    if g is None:
        return None
    where = (
        "inside that range"
        if -3.0 <= g <= -1.0
        else "outside it, on the side of larger losses"
        if g < -3.0
        else "outside it, on the side of smaller losses"
    )
    model = f"this {adapter(result.model).description} result"
    text = (
        "Published estimates of a 25 % US tariff on Mexico put the GDP loss in the first year at about −1 % to −3 % "
        "(PIIE's G-Cubed simulation, McKibbin, Hogan and Noland, February 2025, about −2 % at the peak; bank "
        "estimates between about −1 % and −3 %; the OECD's March 2025 Interim Outlook cut Mexico's 2025 growth to "
        "−1.3 % assuming the tariffs and retaliation, from the +1.2 % of its pre-tariff December 2024 Economic "
        f"Outlook), as collected in the tariffsim README. At {fmt_signed(g, 1)} % on average over the first year, "
        f"the same measure, {model} lies {where}."
    )
    if not adapter(result.model).general_equilibrium and g < -3.0:
        text += (
            " The reasons are its assumptions: no exchange-rate or monetary offset in the central case, every lost "
            "dollar of exports costs its domestic value added within the year, micro trade elasticities, and a "
            f'permanent tariff on all goods. The general-equilibrium model (<code>model = "{GE_MODEL}"</code>), in '
            "which wages and prices adjust, gives a smaller loss; so do the USMCA exemption and a partial "
            "exchange-rate offset (see the tornado chart)."
        )
    return text


def published_ge_io_text(result: Result, ge: Mapping[str, Any]) -> str | None:
    """The multi-sector GE's answer for Mexico beside ifo/EconPol Policy Brief 70 (Baur and Flach
    2025, the same model family: ``data/published/ifo2025.toml``): manufacturing value added and
    total exports, with or without retaliation as the scenario has it. None for other countries,
    other models, or a scenario that does not tax Mexico."""
    sc = result.scenario
    on_mex = any(m.importer == US and (m.exporters == "all" or DEFAULT_COUNTRY in m.exporters) for m in sc.tariffs)
    row = (ge.get("country") or {}) if ge else {}
    if not ge or result.country != DEFAULT_COUNTRY or not on_mex or row.get("iso3") != DEFAULT_COUNTRY:
        return None
    pub = published_values("ifo2025")
    case = "with_retaliation" if sc.retaliation else "without_retaliation"
    p = pub[DEFAULT_COUNTRY][case]
    ours = []
    if row.get("manufacturing_value_added_pct") is not None:
        ours.append(f"manufacturing value added {fmt_signed(row['manufacturing_value_added_pct'], 1)} %")
    if row.get("total_exports_pct") is not None:
        ours.append(f"total exports {fmt_signed(row['total_exports_pct'], 1)} %")
    return (
        f"ifo/EconPol Policy Brief 70 (Baur and Flach 2025; {pub['model']}; {pub['scenario']}) puts Mexico's "
        f"manufacturing value added at about {fmt_signed(p['manufacturing_value_added_pct'], 0)} % and its total "
        f"exports at about {fmt_signed(p['total_exports_pct'], 0)} % {case.replace('_', ' ')}. This run "
        f"({sc.name}, '{result.central}' set, input-output table {ge.get('io_table')}): "
        + (", ".join(ours) or "not computed for this table")
        + ". A comparison, not a target: nothing was tuned to it; their scenario also taxes Canada and China, and "
        "their 65 sectors let trade shift within what is one sector here (docs/models/ge_io.md)."
    )


def _set_range(j: Mapping[str, Any], key: str) -> tuple[tuple[float, str], tuple[float, str]] | None:
    """((smallest loss, its set), (largest loss, its set)) of ``key`` over the run's elasticity sets."""
    vals = {
        str(n): float(h[key])
        for n, h in (j.get("by_elasticity_set") or {}).items()
        if isinstance(h.get(key), int | float) and math.isfinite(float(h[key]))
    }
    if not vals:
        return None
    hi, lo = max(vals, key=lambda n: vals[n]), min(vals, key=lambda n: vals[n])
    return (vals[hi], hi), (vals[lo], lo)


def set_range_text(j: Mapping[str, Any], n_sets: int) -> str:
    """How the GDP numbers differ over the run's elasticity sets, in words: the four-quarter range;
    or, when the sets differ only in the long run (the multi-sector model's sector trade
    elasticities), that range for long-run real GDP and real income, never 'from x to x'."""
    q4 = _set_range(j, "gdp_impact_pct")
    if n_sets < 2 or q4 is None:
        return ""
    (a, sa), (b, sb) = q4
    if round(a, 2) != round(b, 2):
        return (
            f"Across the {n_sets} elasticity sets the four-quarter figure runs from {fmt_signed(a, 2)} % ('{esc(sa)}') "
            f"to {fmt_signed(b, 2)} % ('{esc(sb)}')."
        )
    parts = []
    for key, what in (("gdp_impact_pct_long_run", "long-run real GDP"), ("real_income_pct_long_run", "real income")):
        r = _set_range(j, key)
        if r is not None:
            (x, sx), (y, sy) = r
            parts.append(f"{what} from {fmt_signed(x, 2)} % ('{esc(sx)}') to {fmt_signed(y, 2)} % ('{esc(sy)}')")
    return (
        f"The first year is the same in all {n_sets} elasticity sets, which differ only in the long run"
        + (": " + " and ".join(parts) if parts else "")
        + "."
    )


def capitalised(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def ge_io_text(ge: Mapping) -> str:
    """The multi-sector GE's numbers in words (two decimals, as in the table ge_io_welfare)."""
    parts = []
    for row in ge_io_economies(ge):
        name = display_name(str(row["iso3"]))
        owner = esc(name + ("'" if name.endswith("s") else "'s"))
        parts.append(
            f"{owner} welfare changes by {fmt_signed(row['welfare_pct'], 2, bare_zero=True)} % of income (terms of trade "
            f"{fmt_signed(row['tot_pct'], 2, bare_zero=True)}, volume of trade {fmt_signed(row['vot_pct'], 2, bare_zero=True)}, technical efficiency "
            f"{fmt_signed(row['tech_pct'], 2, bare_zero=True)}), its real income by {fmt_signed(row['real_income_pct'], 2, bare_zero=True)} % and its "
            f"real wage by {fmt_signed(row['realwage_pct'], 2, bare_zero=True)} %"
        )
    return (
        f"<b>Multi-sector general equilibrium, long run ({esc(ge_io_label(ge))}).</b> "
        + "; ".join(parts)
        + ". Output, value added and exports by sector, with the range over the elasticity sets: figures and "
        "tables below. " + f"<span class='meta'>{esc(capitalised(str(ge.get('structure', ''))))}.</span>"
    )


def calibration_text(cal: Mapping[str, Any] | None, country: str) -> str:
    """Where the recession calibration comes from, named from the calibration itself (its input file
    and sample, or the scenario's own parameters): never another country's publisher."""
    if not cal:
        return "(calibration not recorded)"
    if cal.get("n_obs"):
        src = str(cal.get("source") or "").rsplit("/", 1)[-1]
        return (
            f"fitted to {country}'s seasonally adjusted real GDP ({src}, {cal.get('start')}–{cal.get('end')}, "
            f"{cal.get('n_obs')} quarters)"
        )
    return f"with the parameters the scenario gives ({shown_source(cal.get('source'))}, its [recession] table)"


def draws_text(j: Mapping[str, Any], n_paths: int, central: str) -> str:
    """The draws behind each recession number: the headline probability and its change from the
    central set's point GDP path; the 90 % band from the joint parameter draws."""
    text = (
        f"The headline probability and its change: {n_paths:,} paths with the central set's ('{central}') point "
        "GDP path (no parameter draws); the per-set numbers: each set's point path."
    )
    b = j.get("recession_probability_change_band") or {}
    wd = j.get("recession_with_parameter_draws") or {}
    if b.get("n_blocks"):
        text += (
            f" The 90 % band of the change: {int(b['n_blocks'])} joint draws of the elasticities, macro assumptions, "
            f"growth-model parameters and shock shape ({int(wd.get('n_paths') or n_paths):,} paths in all)."
        )
    return text


def growth_text(j: Mapping[str, Any]) -> str:
    """'1.2 % a year (OECD: OECD Economic Outlook ..., 2024-12-04 (pre-tariff))'."""
    fc = j.get("baseline_growth_forecast") or {}
    g = fc.get("growth_pct")
    if g is None:
        return "the scenario's growth forecast"
    return f"{g:g} % a year ({fc.get('label')})"


def band_text(j: Mapping[str, Any]) -> str:
    """' With every estimated input drawn (...), the change lies between x and y pp (90 %).'"""
    b = j.get("recession_probability_change_band") or {}
    if not b or b.get("p05") is None:
        return ""
    n = int(b.get("n_blocks") or 0)
    g = j.get("recession_probability_change_gaussian_shocks")
    return (
        f" With every estimated input drawn ({n} joint draw{'s' if n != 1 else ''} of the elasticities, macro "
        "assumptions, growth-model parameters and shock shape), the change lies between "
        f"{fmt_signed(100 * b['p05'], 0)} and {fmt_signed(100 * b['p95'], 0)} pp (90 %)"
        + (f"; with Gaussian instead of Student-t shocks it is {fmt_signed(100 * g, 0)} pp" if g is not None else "")
        + "."
    )


def share_pct(v: float | None, nd: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{100 * float(v):.{nd}f} %"
