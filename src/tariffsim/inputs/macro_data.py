"""Shipped macro facts by country: domestic value added in exports by sector and destination, the
capital facts of the long-run mechanism, and dated, sourced baseline growth forecasts
(``data/macro/*.csv``; data/SOURCES.md). Every lookup either returns the country's own figure with
its source or raises :class:`~tariffsim.errors.DataError` naming what is missing: never another
country's number.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .._lazy import pd
from ..errors import DataError
from .datasets import data_file

__all__ = [
    "VALUE_ADDED_SOURCE",
    "CAPITAL_SOURCE",
    "value_added_table",
    "value_added_shares",
    "CapitalFacts",
    "capital_facts",
    "Forecast",
    "forecast_table",
    "baseline_forecast",
]

VALUE_ADDED_SOURCE = (
    "WIOT 2011 (WIOD 2013 release, Timmer et al. 2015): exporter's value added embodied through the domestic "
    "block of the global Leontief inverse, per dollar of gross exports (data/build/build_value_added.py)"
)
CAPITAL_SOURCE = (
    "imported share of gross fixed capital formation: WIOT 2011 final use; capital share of value added outside "
    "mining: WIOD Socio-Economic Accounts (2016 release), 2014 (data/build/build_capital.py)"
)


@functools.cache
def _lines(name: str) -> tuple[str, ...]:
    """A shipped macro table's lines without its comments (lines starting with ``#``) and blank
    lines: what both readings below read."""
    text = data_file("macro", name).read_text(encoding="utf-8-sig")
    return tuple(ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))


def _read(name: str) -> pd.DataFrame:
    """The table, typed by pandas (the public ``*_table`` functions)."""
    return pd.read_csv(io.StringIO("\n".join(_lines(name))), keep_default_na=False, na_values=[""])


@functools.cache
def _records(name: str) -> tuple[dict[str, str], ...]:
    """The same rows as text: the lookups of a run use these, so a run needs no pandas
    (tests/test_value_added.py and tests/test_forecasts.py check them against the tables)."""
    return tuple(csv.DictReader(_lines(name)))


@functools.cache
def value_added_table() -> pd.DataFrame:
    """``data/macro/value_added.csv``: exporter, destination, sector, gross_exports_usd_mn, dva_usd_mn, dva_share."""
    return _read("value_added.csv")


def value_added_shares(exporter: str, destination: str | None, sectors: Sequence[str]) -> tuple[np.ndarray, str]:
    """Domestic value added per dollar of ``exporter``'s gross exports to ``destination`` in each of
    ``sectors`` (shares 0-1), and a source line. ``destination`` None, or one the table lacks, uses
    all destinations (``WLD``; said in the source line); a sector the table does not know (a user
    dataset's own sectors, e.g. one ``total``) takes the exporter's all-goods share (said too). Raises
    :class:`DataError` if the exporter is not in the table."""
    shares, src = _value_added_shares(exporter, destination, tuple(sectors))
    return shares.copy(), src


@functools.lru_cache(maxsize=64)
def _value_added_shares(exporter: str, destination: str | None, sectors: tuple[str, ...]) -> tuple[np.ndarray, str]:
    t = _records("value_added.csv")
    rows = [r for r in t if r["exporter"] == exporter]
    if not rows:
        raise DataError(
            f"no domestic value-added shares for {exporter} in the shipped table (WIOT 2011 covers "
            f"{', '.join(sorted({r['exporter'] for r in t}))}); set assumptions.value_added_share in the scenario",
            source="data/macro/value_added.csv",
            location="exporter",
        )
    dest = destination if destination is not None and destination in {r["destination"] for r in rows} else "WLD"
    sub = {r["sector"]: _number(r["dva_share"]) for r in rows if r["destination"] == dest}
    missing = [s for s in sectors if s not in sub]
    note = "" if dest == destination else f" (to all destinations: the table has no {destination})"
    if missing:
        note += f"; sectors {', '.join(missing)} at the all-goods share"
    src = f"{VALUE_ADDED_SOURCE}; {exporter} to {dest}{note}"
    return np.array([sub[s if s in sub else "goods"] for s in sectors]), src


@dataclass(frozen=True)
class CapitalFacts:
    """The long-run mechanism's parameters for one country (shares 0-1) with their source."""

    country: str
    capital_share: float
    imported_share_gfcf: float
    investment_share_gdp: float
    source: str


def capital_facts(country: str) -> CapitalFacts:
    """:class:`CapitalFacts` of ``country`` from ``data/macro/capital.csv``, or :class:`DataError`."""
    t = {r["country"]: r for r in _records("capital.csv")}
    if country not in t:
        raise DataError(
            f"no capital share or imported share of investment for {country} in the shipped table (it covers "
            f"{', '.join(t)}); set assumptions.capital_share, assumptions.imported_share_gfcf and assumptions.uncertainty_drag_pct in the scenario",
            source="data/macro/capital.csv",
            location="country",
        )
    a = _number(t[country]["capital_share"])
    s = _number(t[country]["imported_share_gfcf"])
    i = _number(t[country]["gfcf_share_gdp"])
    return CapitalFacts(
        country, a, s, i, f"{CAPITAL_SOURCE}: {country} capital share {a:.3f}, imported share of investment {s:.3f}"
    )


@dataclass(frozen=True)
class Forecast:
    """A dated, sourced annual growth forecast (percent): ``publication``, ``date``, ``table`` and
    ``url`` name the publication itself (the source); ``reported_by`` a press report that states the
    figure (how it was confirmed)."""

    country: str
    year: int
    growth_pct: float
    publisher: str
    publication: str
    date: str
    pre_tariff: bool
    url: str
    table: str = ""
    reported_by: str = ""

    @property
    def label(self) -> str:
        """'OECD Economic Outlook, Volume 2024 Issue 2 (No. 116), 2024-12-04 (pre-tariff)'."""
        return f"{self.publication}, {self.date}" + (" (pre-tariff)" if self.pre_tariff else " (assumes the tariffs)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@functools.cache
def forecast_table() -> pd.DataFrame:
    """``data/macro/forecasts.csv``."""
    t = _read("forecasts.csv")
    t["pre_tariff"] = t["pre_tariff"].astype(str).map(_true)
    return t


def _number(text: str) -> float:
    """A table's number cell; an empty cell is NaN (as :func:`_read` reads it)."""
    return float(text) if text.strip() else float("nan")


def _true(text: str) -> bool:
    """A table's boolean cell: ``true`` in any case."""
    return str(text).strip().lower() == "true"


def baseline_forecast(country: str, year: int) -> Forecast:
    """The latest pre-tariff forecast of ``country``'s growth in ``year`` (a baseline without the
    tariff), or :class:`DataError` naming what is missing (set ``assumptions.baseline_growth_pct``)."""
    t = _records("forecasts.csv")
    rows = [r for r in t if r["country"] == country and int(r["year"]) == int(year) and _true(r["pre_tariff"])]
    if not rows:
        have = sorted({f"{r['country']} {int(r['year'])}" for r in t})
        raise DataError(
            f"no pre-tariff growth forecast for {country} in {year} is shipped (have: {', '.join(have)}); "
            "set assumptions.baseline_growth_annual_pct in the scenario",
            source="data/macro/forecasts.csv",
            location="country/year",
        )
    r = sorted(rows, key=lambda row: row["date"])[-1]  # the latest (ISO dates sort as text)
    return Forecast(
        country=country,
        year=int(r["year"]),
        growth_pct=float(r["growth_pct"]),
        publisher=str(r["publisher"]),
        publication=str(r["publication"]),
        date=str(r["date"]),
        pre_tariff=_true(r["pre_tariff"]),
        url=str(r["url"]),
        table=str(r["table"]),
        reported_by=str(r["reported_by"]),
    )
