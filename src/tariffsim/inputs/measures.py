"""Tariff measures of a scenario: who levies what on whom, when, on which products, validated field by field.

A measure is an ad valorem rate an importer levies on exporters in some sectors. Beyond one rate on
all covered trade (with an optional flat ``exempt_share``), a measure can (docs/policy.md):

* be **dated**: in force from ``start`` to ``end`` (ISO dates or ``YYYYQn``; ``end`` is the first
  day without it); a quarter's rate is the day-weighted mean over the quarter;
* exempt the trade **claimed under USMCA** product by product, with the claim shares of a period
  (``claims_period``: ``2024``, ``2025-07``, ``2025Q3``, ``2025H2``, ``2025``, ``latest``);
  ``claims = "only"`` puts the rate on the claimed trade instead (the exemption withdrawn);
* cover only some **products** (``products``: product lists or HS chapters) or leave some out
  (``exclude_products``), e.g. Section 232 products under their own rate;
* set **every partner's rate**: ``rates = {MEX = 0.05, CHN = 0.3}``, or from the effective-tariff
  panel (``panel``): ``"path"`` (the rates as they changed, quarter by quarter), a date (the rates
  in force that day) or ``[start, end]`` (the day-weighted mean over the range).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from .. import limits
from .._util import FrozenMap
from ..constants import DEFAULT_MARKET
from ..errors import ScenarioError
from ..limits import shown
from .datasets import hs2_sector_map
from .policy import LISTS, load_tariff_panel, parse_date, product_periods, resolve_period
from .textfiles import nfc, unique_names

__all__ = ["TariffMeasure", "MODES", "CLAIMS", "PANEL_PATH", "check_rate", "measure_label"]


MODES = ("add", "set")
#: ``claims``: the claimed trade is exempt (the USMCA preference), or the rate hits only it.
CLAIMS = ("exempt", "only")
#: ``panel = "path"``: the panel's rates as they changed, quarter by quarter.
PANEL_PATH = "path"
_CHAPTER = re.compile(r"^\d{2}$")


def _rate(v: object, *, source: str, where: str) -> float:
    return check_rate(v, source=source, field=where)


def _product_codes(v: object, *, source: str, where: str) -> tuple[str, ...]:
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list | tuple) or not all(isinstance(x, str) for x in v):
        raise ScenarioError("expected a list of product lists or HS chapters", source=source, field=where)
    out = []
    for i, c in enumerate(v):
        c = c.strip()
        if c not in LISTS and not (_CHAPTER.match(c) and c in hs2_sector_map()):
            hint = (
                "; product lists are shipped by HS chapter (2 digits), not finer" if c.isdigit() and len(c) > 2 else ""
            )
            raise ScenarioError(
                f"unknown product code {c!r}: expected a list ({', '.join(LISTS)}) or an HS chapter '01'..'99'{hint}",
                source=source,
                field=f"{where}[{i}]",
            )
        out.append(c)
    return tuple(out)


def _panel(v: object, *, source: str, where: str) -> str | tuple[str, str]:
    """``"path"``, one date (ISO text) or a [start, end] range, checked against the panel's dates."""
    pan = load_tariff_panel()
    if isinstance(v, str) and v.strip().lower() == PANEL_PATH:
        return PANEL_PATH
    if isinstance(v, str | dt.date):
        d = parse_date(v, source=source, field=where)
        pan.rate_at(d, source=source, field=where)
        return d.isoformat()
    if isinstance(v, list | tuple) and len(v) == 2:
        a = parse_date(v[0], source=source, field=f"{where}[0]")
        b = parse_date(v[1], source=source, field=f"{where}[1]")
        pan.mean_rate(a, b, source=source, field=where)
        return a.isoformat(), b.isoformat()
    raise ScenarioError(
        f'expected "path", a date like "2025-06-01" or a range ["2025-01-01", "2026-01-01"], got {v!r}',
        source=source,
        field=where,
    )


@dataclass(frozen=True)
class TariffMeasure:
    """An ad valorem tariff applied by ``importer`` on ``exporters`` in ``sectors`` (module docstring).

    ``rate`` is a share (0.25 = 25 %). ``mode="add"`` adds it to the baseline tariff, ``"set"``
    replaces the baseline. ``exempt_share`` of the trade is exempt (a flat share), so the effective
    rate is (1 - exempt_share) x rate; ``claims_period`` exempts the claimed share product by
    product instead. ``rates`` (by exporter) and ``panel`` replace ``rate``.
    """

    importer: str
    exporters: tuple[str, ...] | str = "all"
    rate: float = 0.0
    sectors: tuple[str, ...] | str = "all"
    exclude_sectors: tuple[str, ...] = ()
    exempt_share: float = 0.0
    mode: str = "add"
    label: str = ""
    source: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    claims_period: str | None = None
    claims: str = "exempt"
    products: tuple[str, ...] = ()
    exclude_products: tuple[str, ...] = ()
    rates: Mapping[str, float] = field(default_factory=lambda: FrozenMap({}))
    panel: str | tuple[str, str] | None = None

    KEYS = (
        "importer",
        "exporters",
        "rate",
        "rates",
        "panel",
        "sectors",
        "exclude_sectors",
        "exempt_share",
        "claims_period",
        "claims",
        "products",
        "exclude_products",
        "start",
        "end",
        "mode",
        "label",
        "source",
    )

    @classmethod
    def from_dict(cls, d: object, *, source: str, where: str) -> TariffMeasure:
        if not isinstance(d, Mapping):
            raise ScenarioError(f"expected a table, got {type(d).__name__}", source=source, field=where)
        for k in d:
            if k not in cls.KEYS:
                raise ScenarioError(
                    f"unknown key {shown(k)}; expected one of {', '.join(cls.KEYS)}",
                    source=source,
                    field=f"{where}.{k}",
                )
        if "importer" not in d:
            raise ScenarioError("missing 'importer'", source=source, field=where)
        given = [k for k in ("rate", "rates", "panel") if k in d]
        if not given:
            raise ScenarioError("missing 'rate' (or 'rates' by exporter, or 'panel')", source=source, field=where)
        if len(given) > 1:
            raise ScenarioError(
                f"give one of 'rate', 'rates' and 'panel', not {' and '.join(given)}",
                source=source,
                field=f"{where}.{given[1]}",
            )
        imp = d["importer"]
        if not isinstance(imp, str) or not imp.strip():
            raise ScenarioError("expected a country code", source=source, field=f"{where}.importer")

        def codes(v: Any, w: str, upper: bool) -> tuple[str, ...] | str:
            if v == "all":
                return "all"
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list | tuple) or not v or not all(isinstance(x, str) and x.strip() for x in v):
                raise ScenarioError('expected "all" or a non-empty list of codes', source=source, field=w)
            out = [nfc(x.strip()) for x in v]
            out = [x.upper() for x in out] if upper else out
            unique_names(out, source=source, what="entry", error=ScenarioError, field=w)
            return tuple(out)

        exporters = codes(d.get("exporters", "all"), f"{where}.exporters", True)
        rate = _rate(d["rate"], source=source, where=f"{where}.rate") if "rate" in d else 0.0
        rates: dict[str, float] = {}
        if "rates" in d:
            r = d["rates"]
            if not isinstance(r, Mapping) or not r:
                raise ScenarioError("expected a table of exporter = rate", source=source, field=f"{where}.rates")
            if "exporters" in d:
                raise ScenarioError(
                    "'rates' names the exporters; leave 'exporters' out", source=source, field=f"{where}.exporters"
                )
            rates = {
                nfc(str(k).strip()).upper(): _rate(v, source=source, where=f"{where}.rates.{k}") for k, v in r.items()
            }
            exporters = tuple(rates)
        ex = d.get("exempt_share", 0.0)
        if isinstance(ex, bool) or not isinstance(ex, int | float) or not (0 <= ex <= 1):
            raise ScenarioError(
                f"expected a share in [0, 1], got {shown(ex)}", source=source, field=f"{where}.exempt_share"
            )
        mode = d.get("mode", "add")
        if mode not in MODES:
            raise ScenarioError(f"expected one of {MODES}, got {shown(mode)}", source=source, field=f"{where}.mode")
        excl = d.get("exclude_sectors", ())
        excl = () if not excl else codes(excl, f"{where}.exclude_sectors", False)
        if excl == "all":
            raise ScenarioError("expected a list of sectors", source=source, field=f"{where}.exclude_sectors")
        start = parse_date(d["start"], source=source, field=f"{where}.start") if "start" in d else None
        end = parse_date(d["end"], source=source, field=f"{where}.end") if "end" in d else None
        if start is not None and end is not None and end <= start:
            raise ScenarioError(
                f"end {end.isoformat()} is not after start {start.isoformat()} (end is the first day without the tariff)",
                source=source,
                field=f"{where}.end",
            )
        panel = None
        if "panel" in d:
            if imp.strip().upper() != DEFAULT_MARKET:
                raise ScenarioError(
                    f"the effective-tariff panel holds the tariffs of {DEFAULT_MARKET}, not of {imp!r}",
                    source=source,
                    field=f"{where}.importer",
                )
            if mode != "add":
                raise ScenarioError(
                    "the panel's rates are increases over 2024: mode must be 'add'",
                    source=source,
                    field=f"{where}.mode",
                )
            panel = _panel(d["panel"], source=source, where=f"{where}.panel")
        products = _product_codes(d.get("products", ()), source=source, where=f"{where}.products")
        exclude_products = _product_codes(
            d.get("exclude_products", ()), source=source, where=f"{where}.exclude_products"
        )
        period = d.get("claims_period")
        claims = d.get("claims", "exempt")
        if claims not in CLAIMS:
            raise ScenarioError(f"expected one of {CLAIMS}, got {claims!r}", source=source, field=f"{where}.claims")
        if "claims" in d and period is None:
            raise ScenarioError("'claims' needs a 'claims_period'", source=source, field=f"{where}.claims")
        if period is not None or products or exclude_products:
            key = "claims_period" if period is not None else ("products" if products else "exclude_products")
            if ex:
                raise ScenarioError(
                    "give 'exempt_share' (a flat share) or product-level claims, not both",
                    source=source,
                    field=f"{where}.exempt_share",
                )
            if panel is not None:
                raise ScenarioError(
                    "the panel's rates are already effective rates; claims and product lists do not apply",
                    source=source,
                    field=f"{where}.{key}",
                )
            if exporters == "all":
                raise ScenarioError(
                    "product-level claims and lists need named exporters with product data",
                    source=source,
                    field=f"{where}.exporters",
                )
            for k, c in enumerate(cast(tuple[str, ...], exporters)):
                if not product_periods(c):
                    raise ScenarioError(
                        f"no product data for {c}: product-level claims and lists are shipped for MEX, CAN (and CHN in 2024)",
                        source=source,
                        field=f"{where}.exporters[{k}]",
                    )
                resolve_period(period if period is not None else "2024", c, source=source, field=f"{where}.{key}")
        return cls(
            importer=nfc(imp.strip()).upper(),
            exporters=exporters,
            rate=rate,
            sectors=codes(d.get("sectors", "all"), f"{where}.sectors", False),
            exclude_sectors=cast(tuple[str, ...], excl),  # 'all' was rejected above
            exempt_share=float(ex) + 0.0,  # + 0.0: a negative zero is zero
            mode=mode,
            label=nfc(str(d.get("label", ""))),
            source=nfc(str(d.get("source", ""))),
            start=start,
            end=end,
            claims_period=None if period is None else str(period),
            claims=str(claims),
            products=products,
            exclude_products=exclude_products,
            rates=FrozenMap(rates),
            panel=panel,
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"importer": self.importer}
        if self.rates:
            d["rates"] = dict(self.rates)
        else:
            d["exporters"] = self.exporters if self.exporters == "all" else list(self.exporters)
            if self.panel is not None:
                d["panel"] = self.panel if isinstance(self.panel, str) else list(self.panel)
            else:
                d["rate"] = self.rate
        d["sectors"] = self.sectors if self.sectors == "all" else list(self.sectors)
        if self.exclude_sectors:
            d["exclude_sectors"] = list(self.exclude_sectors)
        if self.exempt_share:
            d["exempt_share"] = self.exempt_share
        if self.claims_period is not None:
            d["claims_period"] = self.claims_period
            if self.claims != "exempt":
                d["claims"] = self.claims
        if self.products:
            d["products"] = list(self.products)
        if self.exclude_products:
            d["exclude_products"] = list(self.exclude_products)
        if self.start is not None:
            d["start"] = self.start.isoformat()
        if self.end is not None:
            d["end"] = self.end.isoformat()
        if self.mode != "add":
            d["mode"] = self.mode
        if self.label:
            d["label"] = self.label
        if self.source:
            d["source"] = self.source
        return d

    @property
    def effective_rate(self) -> float:
        """The flat rate of a measure with one rate: (1 - exempt_share) x rate (product-level
        claims, rates by exporter and the panel are resolved on the data: :mod:`tariffsim.inputs.schedule`)."""
        return (1.0 - self.exempt_share) * self.rate

    @property
    def uniform(self) -> bool:
        """One rate on all covered trade at every date: no dates, no product-level claims or
        lists, no rates by exporter, no panel."""
        return (
            self.start is None
            and self.end is None
            and self.claims_period is None
            and not self.products
            and not self.exclude_products
            and not self.rates
            and self.panel is None
        )


def check_rate(rate: object, *, source: str | None, field: str) -> float:
    """A tariff rate as a scenario file and the CLI take it (one rule): a finite share in
    :data:`~tariffsim.limits.TARIFF_BOUNDS`, not a whole number above 1 (25 for 25 % is the classic
    slip: a 2,500 % tariff is allowed by the bounds but almost never meant). Returns a float, never
    a negative zero; a :class:`ScenarioError` naming ``field`` otherwise."""
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
        raise ScenarioError(f"expected a finite number, got {shown(rate)}", source=source, field=field)
    if rate < 0:
        raise ScenarioError(
            f"rate {rate:g} is negative; expected a tariff share in {limits.TARIFF_BOUNDS} (0.25 = 25 %)",
            source=source,
            field=field,
        )
    if rate > limits.MAX_TARIFF:
        raise ScenarioError(
            f"rate {rate:g} outside {limits.TARIFF_BOUNDS}; rates are shares (0.25 = 25 %), not percent",
            source=source,
            field=field,
        )
    if 1 < rate <= limits.MAX_TARIFF and float(rate).is_integer():
        raise ScenarioError(
            f"rate {rate:g} reads as {rate * 100:g} %; write {rate / 100:g} for {rate:g} %",
            source=source,
            field=field,
        )
    return float(rate) + 0.0


def measure_label(m: Mapping[str, Any]) -> str:
    """'10 % on all goods from MEX (49 % exempt)' from a measure's dict."""
    what = "all goods" if m.get("sectors", "all") == "all" else ", ".join(m["sectors"])
    if m.get("rates"):
        body = "; ".join(f"{100 * v + 0.0:g} % from {k}" for k, v in m["rates"].items())
        text = f"{m['importer']}: {body} on {what}"
    elif m.get("panel") is not None:
        who = "all partners" if m.get("exporters", "all") == "all" else ", ".join(m["exporters"])
        p = m["panel"]
        when = (
            "as they changed (effective-tariff panel)"
            if p == PANEL_PATH
            else (f"in force on {p} (panel)" if isinstance(p, str) else f"mean {p[0]} .. {p[1]} (panel)")
        )
        text = f"{m['importer']}: tariff increases on {who} {when}"
    else:
        who = "all partners" if m.get("exporters", "all") == "all" else ", ".join(m["exporters"])
        text = f"{m['importer']}: {100 * m['rate'] + 0.0:g} % on {what} from {who}"
    ex = m.get("exempt_share", 0.0)
    if ex:
        text += f" ({100 * ex + 0.0:g} % exempt)"
    if m.get("claims_period") is not None:
        text += (
            f" (claimed trade only, claims of {m['claims_period']})"
            if m.get("claims") == "only"
            else f" (USMCA claims of {m['claims_period']} exempt)"
        )
    if m.get("start") or m.get("end"):
        text += f" from {m.get('start', 'the start')}" + (f" to {m['end']}" if m.get("end") else "")
    return text
