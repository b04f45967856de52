"""The sources of the figures a run used (``Result.sources_used()``; the report's Data section,
figure footers, the workbook's Sources sheet and the JSON key ``sources``).

Built from what the run resolved, never from a fixed list: the dataset's own sources (less those it
carries for reference only, which no run reads), then the reported country's value added, capital
facts and baseline growth forecast as the macro layer resolved them (its own shipped figures, or
the scenario's), the growth model's calibration, and the input-output table of a multi-sector run.
A report on Canada therefore cites Canada's forecast and WIOT 2011 rows, never Mexico's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..inputs.countries import display_name
from ..inputs.io_shipped import io_table_label, io_table_meta
from ..inputs.macro_data import CAPITAL_SOURCE, VALUE_ADDED_SOURCE

if TYPE_CHECKING:
    from .macro import MacroAssumptions

__all__ = ["run_sources", "shown_source", "dataset_sources_used"]

#: A dataset source with this ``role`` is carried for reference (a figure no run reads).
REFERENCE_ROLE = "reference"


def shown_source(source: object) -> str:
    """A scenario's source for reading: a built-in name as it is, a file by its name only."""
    text = str(source or "")
    if not text or text.startswith("tariffsim:") or "/" not in text and "\\" not in text:
        return text
    return Path(text).name


def dataset_sources_used(sources: Any) -> list[dict[str, Any]]:
    """The dataset's sources that runs read (those with ``role = "reference"`` left out)."""
    return [dict(s) for s in sources or () if s.get("role") != REFERENCE_ROLE]


def _record(
    figure: str, publisher: str, table: str, year: object, units: str, licence: str, short: str
) -> dict[str, Any]:
    """A source record; ``short``: how a figure's one-line 'Sources:' caption names it."""
    return {
        "figure": figure,
        "publisher": publisher,
        "table": table,
        "year": year,
        "units": units,
        "licence": licence,
        "short": short,
    }


def _macro_sources(a: MacroAssumptions, scenario_source: str) -> list[dict[str, Any]]:
    c = display_name(a.country)
    given = f"scenario {shown_source(scenario_source)}"
    out: list[dict[str, Any]] = []
    if a.value_added_by_sector is not None:
        out.append(
            _record(
                f"{c}'s domestic value added in gross exports, by sector and destination",
                VALUE_ADDED_SOURCE.split(":", 1)[0],
                "data/macro/value_added.csv (data/build/build_value_added.py from ../shared/data/wiot2011)",
                2011,
                "share of gross exports",
                "CC BY 4.0 (WIOD)",
                f"{c}'s value added in exports: WIOT 2011 (Leontief, by sector)",
            )
        )
    else:
        out.append(
            _record(
                f"{c}'s domestic value added in gross exports",
                given,
                "assumptions.value_added_share",
                "",
                "share",
                "",
                f"{c}'s value added in exports: the {given}",
            )
        )
    if str(a.sources.get("capital_share", "")).startswith(CAPITAL_SOURCE[:40]):
        out.append(
            _record(
                f"{c}'s capital share of value added, imported share of investment and investment share of GDP "
                "(long-run real GDP; uncertainty drag)",
                "WIOT 2011 final use; WIOD Socio-Economic Accounts (2016 release)",
                "data/macro/capital.csv (data/build/build_capital.py from ../shared/data/wiot2011 and wiod_sea2016)",
                "2011 (investment), 2014 (capital share)",
                "shares",
                "CC BY 4.0 (WIOD)",
                f"{c}'s capital facts: WIOT 2011 and WIOD SEA 2014",
            )
        )
    else:
        out.append(
            _record(f"{c}'s capital facts", given, "assumptions", "", "shares", "", f"{c}'s capital facts: the {given}")
        )
    fc = a.baseline_forecast
    if fc and fc.get("publisher") == "scenario":
        out.append(
            _record(
                f"{c}'s baseline growth forecast",
                given,
                "assumptions.baseline_growth_annual_pct",
                "",
                "percent a year",
                "",
                f"{c}'s growth forecast: the {given}",
            )
        )
    elif fc:
        when = "pre-tariff" if fc.get("pre_tariff") else "assumes the tariffs"
        out.append(
            _record(
                f"{c}'s baseline growth forecast for {fc.get('year')} ({when})",
                f"{fc.get('publisher')}: {fc.get('publication')}",
                f"{fc.get('table')} ({fc.get('url')}; data/macro/forecasts.csv)",
                fc.get("date"),
                "percent a year",
                "",
                f"{c}'s growth forecast: {fc.get('publisher')} {fc.get('date')} ({when})",
            )
        )
    return out


def _calibration_source(cal: Mapping[str, Any] | None, country: str, scenario_source: str) -> list[dict[str, Any]]:
    if not cal:
        return []
    c = display_name(str(cal.get("country") or country))
    if cal.get("n_obs"):
        sample = f"{cal.get('start')}-{cal.get('end')}"
        return [
            _record(
                f"{c}'s quarterly real GDP, seasonally adjusted (the growth model's sample {sample})",
                f"calibration data/recession/{cal.get('country') or country}.json",
                str(cal.get("source") or ""),
                sample,
                "percent per quarter (log growth)",
                "",
                f"{c}'s growth model: quarterly GDP {sample}",
            )
        ]
    given = f"scenario {shown_source(scenario_source)}"
    return [
        _record(
            f"{c}'s growth model (AR(1) parameters)",
            given,
            "[recession]",
            "",
            "percent per quarter",
            "",
            f"{c}'s growth model: the {given}",
        )
    ]


def _io_table_source(io_table: str) -> list[dict[str, Any]]:
    meta = io_table_meta(io_table)
    pieces = "; ".join(f"{k}: {v}" for k, v in (meta.get("pieces") or {}).items())
    label = io_table_label(io_table)
    return [
        _record(
            f"input-output table {io_table} of the multi-sector GE ({label})",
            str(meta.get("table") or io_table),
            pieces,
            meta.get("year", ""),
            "US dollars of the table's year",
            "",
            f"multi-sector GE: input-output table {io_table} ({label})",
        )
    ]


def run_sources(
    dataset_sources: Any,
    assumptions: MacroAssumptions | None,
    *,
    calibration: Mapping[str, Any] | None,
    io_table: str | None,
    scenario_source: str,
    country: str,
) -> list[dict[str, Any]]:
    """Every source a run used, as records (figure, publisher, table, year, units, licence): the
    dataset's (:func:`dataset_sources_used`), the reported country's macro inputs as resolved, the
    growth model's calibration, the multi-sector model's input-output table."""
    out = dataset_sources_used(dataset_sources)
    if assumptions is not None:
        out += _macro_sources(assumptions, scenario_source)
    out += _calibration_source(calibration, country, scenario_source)
    if io_table:
        out += _io_table_source(io_table)
    return out
