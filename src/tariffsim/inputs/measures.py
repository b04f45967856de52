"""Tariff measures of a scenario: who levies what on whom, validated field by field."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .. import limits
from ..errors import ScenarioError

if TYPE_CHECKING:
    pass

__all__ = ["TariffMeasure", "MODES", "measure_label"]


MODES = ("add", "set")


@dataclass(frozen=True)
class TariffMeasure:
    """An ad valorem tariff applied by ``importer`` on ``exporters`` in ``sectors``.

    ``rate`` is a share (0.25 = 25 %). ``mode="add"`` adds it to the baseline tariff, ``"set"``
    replaces the baseline. ``exempt_share`` of the trade is exempt (e.g. USMCA-compliant goods),
    so the effective rate is (1 - exempt_share) x rate.
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

    KEYS = ("importer", "exporters", "rate", "sectors", "exclude_sectors", "exempt_share", "mode", "label", "source")

    @classmethod
    def from_dict(cls, d: object, *, source: str, where: str) -> TariffMeasure:
        if not isinstance(d, Mapping):
            raise ScenarioError(f"expected a table, got {type(d).__name__}", source=source, field=where)
        for k in d:
            if k not in cls.KEYS:
                raise ScenarioError(
                    f"unknown key {k!r}; expected one of {', '.join(cls.KEYS)}", source=source, field=f"{where}.{k}"
                )
        for k in ("importer", "rate"):
            if k not in d:
                raise ScenarioError(f"missing {k!r}", source=source, field=where)
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
            return tuple(x.strip().upper() if upper else x.strip() for x in v)

        rate = d["rate"]
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
            raise ScenarioError(f"expected a number, got {rate!r}", source=source, field=f"{where}.rate")
        if rate < 0:
            raise ScenarioError(
                f"rate {rate} is negative; expected a tariff share in {limits.TARIFF_BOUNDS} (0.25 = 25 %)",
                source=source,
                field=f"{where}.rate",
            )
        if rate > limits.MAX_TARIFF:
            raise ScenarioError(
                f"rate {rate} outside {limits.TARIFF_BOUNDS}; rates are shares (0.25 = 25 %), not percent",
                source=source,
                field=f"{where}.rate",
            )
        if 1 < rate <= limits.MAX_TARIFF and float(rate).is_integer():
            # 25 for 25 % is the classic slip: a 2,500 % tariff is allowed by the bounds but almost never meant
            raise ScenarioError(
                f"rate {rate} reads as {rate * 100:g} %; write {rate / 100:g} for {rate:g} %",
                source=source,
                field=f"{where}.rate",
            )
        ex = d.get("exempt_share", 0.0)
        if isinstance(ex, bool) or not isinstance(ex, int | float) or not (0 <= ex <= 1):
            raise ScenarioError(f"expected a share in [0, 1], got {ex!r}", source=source, field=f"{where}.exempt_share")
        mode = d.get("mode", "add")
        if mode not in MODES:
            raise ScenarioError(f"expected one of {MODES}, got {mode!r}", source=source, field=f"{where}.mode")
        excl = d.get("exclude_sectors", ())
        excl = () if not excl else codes(excl, f"{where}.exclude_sectors", False)
        if excl == "all":
            raise ScenarioError("expected a list of sectors", source=source, field=f"{where}.exclude_sectors")
        return cls(
            importer=imp.strip().upper(),
            exporters=codes(d.get("exporters", "all"), f"{where}.exporters", True),
            rate=float(rate),
            sectors=codes(d.get("sectors", "all"), f"{where}.sectors", False),
            exclude_sectors=cast(tuple[str, ...], excl),  # 'all' was rejected above
            exempt_share=float(ex),
            mode=mode,
            label=str(d.get("label", "")),
            source=str(d.get("source", "")),
        )

    def to_dict(self) -> dict[str, Any]:
        d = {
            "importer": self.importer,
            "exporters": self.exporters if self.exporters == "all" else list(self.exporters),
            "rate": self.rate,
            "sectors": self.sectors if self.sectors == "all" else list(self.sectors),
        }
        if self.exclude_sectors:
            d["exclude_sectors"] = list(self.exclude_sectors)
        if self.exempt_share:
            d["exempt_share"] = self.exempt_share
        if self.mode != "add":
            d["mode"] = self.mode
        if self.label:
            d["label"] = self.label
        if self.source:
            d["source"] = self.source
        return d

    @property
    def effective_rate(self) -> float:
        return (1.0 - self.exempt_share) * self.rate


def measure_label(m: Mapping[str, Any]) -> str:
    """'10 % on all goods from MEX (49 % exempt)' from a measure's dict."""
    who = "all partners" if m.get("exporters", "all") == "all" else ", ".join(m["exporters"])
    what = "all goods" if m.get("sectors", "all") == "all" else ", ".join(m["sectors"])
    ex = m.get("exempt_share", 0.0)
    tail = f" ({100 * ex:g} % exempt)" if ex else ""
    return f"{m['importer']}: {100 * m['rate']:g} % on {what} from {who}{tail}"
