"""Country names and codes, through the maintained ISO 3166 database of :mod:`pycountry`.

No hand-written country table lives in this package: exact names and ISO codes (alpha-2,
alpha-3, numeric) are looked up in pycountry; a fuzzy match is accepted only when it is unique
and names a country (not a subdivision). Region codes that a dataset defines itself (``EU27``,
``ROW``) are passed in by the caller as ``extra``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import pycountry

from ..errors import CountryCodeError
from ..limits import shown
from .datasets import load_dataset
from .textfiles import nfc

if TYPE_CHECKING:
    from .datasets import TradeData

__all__ = ["to_iso3", "country_name", "display_name", "is_iso3", "REGION_NAMES", "CountryFacts", "country_facts"]

#: Readable names of the region codes datasets define.
REGION_NAMES = {"EU27": "EU-27", "ROW": "Rest of world", "RoW": "Rest of world"}

log = logging.getLogger(__name__)


@functools.cache
def _iso3_set() -> frozenset[str]:

    return frozenset(c.alpha_3 for c in pycountry.countries)


def is_iso3(code: str) -> bool:
    """True if ``code`` is an ISO 3166-1 alpha-3 code."""
    return isinstance(code, str) and code.upper() in _iso3_set()


@functools.cache
def _lookup(name: str) -> tuple[str, ...]:
    """Candidate ISO3 codes for one name: () unknown, (x,) resolved, (x, y, ...) ambiguous."""

    text = name.strip()
    if not text:
        return ()
    try:
        return (pycountry.countries.lookup(text).alpha_3,)
    except LookupError:
        pass
    if text.isdigit():  # a numeric code that ISO does not know: never guess
        return ()
    try:
        found = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return ()
    key = text.lower()
    names = []
    for c in found:
        labels = [getattr(c, attr, "") or "" for attr in ("name", "official_name", "common_name")]
        if any(key in lab.lower() or lab.lower() in key for lab in labels if lab):
            names.append(c.alpha_3)
    if not names:  # only subdivisions matched (e.g. "Kosovo" -> a Serbian province): unknown
        return ()
    return tuple(dict.fromkeys(names))


def to_iso3(
    names: Sequence[object],
    *,
    source: str = "<input>",
    field: str = "country",
    extra: Iterable[str] = (),
    row_offset: int = 0,
) -> list[str]:
    """Convert country names or codes to ISO3 codes, or raise :class:`CountryCodeError`.

    ``extra`` lists codes the caller accepts as they are (regions such as ``EU27``). The error
    names ``source``, the row (position + ``row_offset``) and ``field``.
    """
    extra_set = {e.upper() for e in extra}
    iso = _iso3_set()
    out: list[str] = []
    for pos, raw in enumerate(names):
        row = pos + row_offset
        if raw is None or (isinstance(raw, float) and raw != raw):
            raise CountryCodeError(f"empty country code in {shown(field)}", source=source, location=f"row {row}")
        text = nfc(str(raw).strip())
        up = text.upper()
        if up in extra_set or up in iso:
            out.append(up)
            continue
        cands = _lookup(text)
        if not cands:
            raise CountryCodeError(
                f"unknown country {shown(text)} in {shown(field)}; expected an ISO 3166 code or country name"
                + (f" or one of {sorted(extra_set)}" if extra_set else ""),
                source=source,
                location=f"row {row}",
            )
        if len(cands) > 1:
            raise CountryCodeError(
                f"ambiguous country {shown(text)} in {shown(field)}: could be {', '.join(cands)}; use an ISO3 code",
                source=source,
                location=f"row {row}",
            )
        log.debug("country %r read as %s", text, cands[0])
        out.append(cands[0])
    return out


def country_name(code: str) -> str:
    """English short name of an ISO3 code; the code itself for regions such as ``EU27``."""

    c = pycountry.countries.get(alpha_3=code.upper())
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


def display_name(code: str) -> str:
    """A label for tables and figures: region names, ISO short names, else the code itself."""
    if code in REGION_NAMES:
        return REGION_NAMES[code]
    try:
        return country_name(code)
    except (LookupError, AttributeError, TypeError):  # an unusual code is a fine label
        return code


# ----------------------------------------------------------------------------- country facts


@dataclass(frozen=True)
class CountryFacts:
    """What the macro layer needs to know about the reported country, with sources.

    ``export_dependence``: share of its exports that go to ``market`` (data);
    ``value_added_share`` / ``value_added_share_other``: domestic value added per dollar of its
    gross exports to ``market`` / to the world (None when the dataset ships no such figure).
    """

    country: str
    market: str | None
    export_dependence: float
    export_dependence_source: str
    value_added_share: float | None
    value_added_share_other: float | None
    value_added_source: str


def _facts_table(data: TradeData) -> tuple[dict[str, Any], str]:
    """The dataset's ``country_facts`` metadata, else the embedded default dataset's."""
    if "country_facts" in data.meta:
        return dict(cast(Mapping[str, Any], data.meta["country_facts"])), data.name

    d = load_dataset("default")
    return dict(cast(Mapping[str, Any], d.meta.get("country_facts", {}))), d.name


def country_facts(data: TradeData, country: str, market: str | None) -> CountryFacts:
    """Country facts resolved in one place, for any country: from the dataset's metadata
    (``country_facts``: WIOD value-added shares and BACI export shares per economy), else the
    embedded default dataset's; export dependence falls back to the dataset's own trade."""
    table, where = _facts_table(data)
    f = table.get(country, {})
    shares = f.get("export_shares_baci_2023", {})
    if market is None:
        dep, dep_src = 0.0, "no tariff-setting market"
    elif market in shares:
        dep = float(shares[market])
        dep_src = f"CEPII BACI 2023 (dataset {where!r} metadata): {country} exports to {market} / all its exports"
    else:
        dep = float(data.export_share(country, market))
        dep_src = f"dataset {data.name!r}: {country} exports to {market} / all its exports"
    dva = f.get("dva_share_wiod_2014")
    va = va_other = None
    va_src = f"no WIOD value-added share for {country} in dataset {where!r}"
    if dva is not None:
        va_other = float(dva["to_world"])
        va = float(dva["to"].get(market, va_other)) if market is not None else va_other
        va_src = (
            f"WIOD 2016 release (Wang-Wei-Zhu decomposition), {country} 2014: domestic value added per dollar of "
            f"gross exports to {market} {va:.4f}, to the world {va_other:.4f}"
        )
    return CountryFacts(country, market, dep, dep_src, va, va_other, va_src)
