"""Scenario assumptions: the registry of every assumption a scenario may set (default, bounds,
whether a low/central/high range is allowed, meaning and source), the parser of one value, and
:class:`Assumptions`, the typed, frozen record a scenario holds (parsed once, at the boundary).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from ..errors import ScenarioError
from ..limits import shown

__all__ = ["Range", "AssumptionSpec", "ASSUMPTIONS", "parse_assumption", "Assumptions", "AssumptionValue"]


@dataclass(frozen=True)
class Range:
    """A low / central / high assumption (low <= central <= high is not required: "low" is the
    value of the low case, which for a cost parameter may be the larger number)."""

    low: float
    central: float
    high: float

    @classmethod
    def of(cls, v: Range | Mapping[str, float] | float) -> Range:
        if isinstance(v, Range):
            return v
        if isinstance(v, Mapping):
            return cls(float(v["low"]), float(v["central"]), float(v["high"]))
        return cls(float(v), float(v), float(v))

    def to_dict(self) -> dict[str, float] | float:
        if self.low == self.central == self.high:
            return self.central
        return {"low": self.low, "central": self.central, "high": self.high}


@dataclass(frozen=True)
class AssumptionSpec:
    default: object
    lo: float
    hi: float
    ranged: bool
    description: str
    source: str
    allow_data: bool = False


#: Every assumption a scenario may set: default, bounds, whether low/central/high is allowed,
#: what it means and where the default comes from. ``macro`` reads these.
ASSUMPTIONS: dict[str, AssumptionSpec] = {
    "export_dependence": AssumptionSpec(
        "data",
        0.0,
        1.0,
        False,
        "share of the country's goods exports that go to the US (simple macro form)",
        "data: CEPII BACI 2023 (0.771 for Mexico); the design card's seed case uses 0.80",
        allow_data=True,
    ),
    "macro_form": AssumptionSpec(
        "simple",
        math.nan,
        math.nan,
        False,
        "'simple': exports to the US = export dependence x total exports; 'sectoral': export changes by sector "
        "and market from the trade model",
        "design card (simple form for the seed case)",
    ),
    "value_added_share": AssumptionSpec(
        "data",
        0.0,
        1.0,
        True,
        "domestic value added per dollar of gross exports (one number for every sector and market); 'data': by "
        "sector and destination, weighted by the export change the tariff causes",
        "data: WIOT 2011, Leontief (data/macro/value_added.csv; Mexico to the US 0.68 all exports, 0.39 electrical, "
        "0.64 transport equipment)",
        allow_data=True,
    ),
    "multiplier": AssumptionSpec(
        {"low": 0.7, "central": 1.0, "high": 1.3},
        0.0,
        5.0,
        True,
        "domestic multiplier on the direct value-added loss",
        "assumption: the value-added loss passes one for one into GDP (central); second-round demand effects are "
        "small in open economies with flexible exchange rates (Ilzetzki, Mendoza and Vegh 2013, JME)",
    ),
    "uncertainty_drag_pct": AssumptionSpec(
        "data",
        0.0,
        10.0,
        True,
        "investment drag from trade-policy uncertainty, percent of GDP in the first year (a loss, entered as a "
        "positive number; 0 switches it off). It answers the threat, not the duty levied: the same for every "
        "scenario that puts the country's market access in question. 'data': investment_drop_pct x the country's "
        "investment share of GDP",
        "data: WIOT 2011 gross fixed capital formation / value added (data/macro/capital.csv; Mexico 0.208)",
        allow_data=True,
    ),
    "investment_drop_pct": AssumptionSpec(
        {"low": 1.0, "central": 1.5, "high": 2.0},
        0.0,
        20.0,
        True,
        "fall of investment in the first year from trade-policy uncertainty, percent of investment",
        "Caldara, Iacoviello, Molligo, Prestipino and Raffo (2020, JME 109), 'The economic effects of trade policy "
        "uncertainty': the 2018 rise in trade-policy uncertainty lowered US investment by about 1-2 %",
    ),
    "capital_share": AssumptionSpec(
        "data",
        0.01,
        0.99,
        False,
        "capital share of value added (long-run real GDP: steady-state capital deepening)",
        "data: WIOD Socio-Economic Accounts 2014, capital income / value added outside mining (data/macro/capital.csv)",
        allow_data=True,
    ),
    "imported_share_gfcf": AssumptionSpec(
        "data",
        0.0,
        1.0,
        False,
        "share of imports in gross fixed capital formation (long-run real GDP: steady-state capital deepening)",
        "data: WIOT 2011 final use (data/macro/capital.csv)",
        allow_data=True,
    ),
    "drag_half_life_quarters": AssumptionSpec(
        6.0,
        0.5,
        100.0,
        False,
        "half-life of the uncertainty drag after its peak in the first year, quarters",
        "assumption",
    ),
    "exchange_rate_offset": AssumptionSpec(
        {"low": 0.0, "central": 0.0, "high": 0.3},
        0.0,
        1.0,
        True,
        "share of the tariff absorbed by a depreciation of the exporter's currency (0 = none)",
        "assumption; docs/models/macro.md default 0",
    ),
    "baseline_growth_annual_pct": AssumptionSpec(
        "data",
        -20.0,
        20.0,
        False,
        "baseline real GDP growth forecast without the tariff, percent a year (the mean of the recession Monte "
        "Carlo); 'data': the latest pre-tariff forecast for the country and the year of the phase-in",
        "data: data/macro/forecasts.csv (Mexico 2025: 1.2 %, OECD Economic Outlook, 4 December 2024, pre-tariff)",
        allow_data=True,
    ),
    "us_input_share_of_imports": AssumptionSpec(
        {"low": 0.3, "central": 0.45, "high": 0.6},
        0.0,
        1.0,
        True,
        "share of the retaliator's imports from the US that are inputs into its exports (retaliation channel)",
        "assumption; maquiladora/IMMEX trade: a large part of Mexico's imports from the US are intermediate "
        "inputs re-exported (INEGI IMMEX statistics)",
    ),
    "input_cost_passthrough": AssumptionSpec(
        {"low": 0.5, "central": 0.75, "high": 1.0},
        0.0,
        1.0,
        True,
        "share of a retaliatory tariff on US inputs passed into the retaliator's export prices",
        "assumption",
    ),
    "blend_start_quarter": AssumptionSpec(
        4.0,
        0.0,
        80.0,
        False,
        "last quarter of the pure near-term (demand-side) path; the blend to the GE long run starts after it",
        "docs/models/macro.md: the near term is the first year (quarters 1-4)",
    ),
    "blend_end_quarter": AssumptionSpec(
        16.0,
        1.0,
        200.0,
        False,
        "quarter at which the GDP path reaches the GE long run (linear blend from blend_start_quarter)",
        "Yale Budget Lab (2025, State of U.S. Tariffs reports) blends its near-term macro path into its GTAP "
        "long run over 16 quarters; linear weights are an assumption",
    ),
    "adjustment_speed": AssumptionSpec(
        "data",
        0.0,
        1.0,
        False,
        "partial-adjustment speed of trade: share of the remaining gap to the long-run response closed each quarter",
        "Boehm, Levchenko and Pandalai-Nayar (2023): 0.76 after one year, about 2 after 7-10 years; default "
        "1 - 0.62^(1/4) = 0.113, the partial-adjustment speed with 38 % of the response after four quarters",
        allow_data=True,
    ),
}


def parse_assumption(key: str, v: Any, *, source: str, where: str) -> str | float | Range:
    spec = ASSUMPTIONS[key]
    if key == "macro_form":
        if v not in ("simple", "sectoral"):
            raise ScenarioError(f"expected 'simple' or 'sectoral', got {shown(v)}", source=source, field=where)
        return v
    if isinstance(v, str) and v == "data" and spec.allow_data:
        return v

    def num(x: Any, w: str) -> float:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise ScenarioError(f"expected a finite number, got {shown(x)}", source=source, field=w)
        if not (spec.lo <= x <= spec.hi):
            raise ScenarioError(f"{x} outside [{spec.lo:g}, {spec.hi:g}] ({spec.description})", source=source, field=w)
        return float(x)

    if isinstance(v, Mapping):
        if not spec.ranged:
            raise ScenarioError(
                "expected one number (no low/central/high for this assumption)", source=source, field=where
            )
        extra = set(v) - {"low", "central", "high"}
        if extra or not {"low", "central", "high"} <= set(v):
            raise ScenarioError("expected a table with exactly low, central, high", source=source, field=where)
        return Range(
            num(v["low"], f"{where}.low"), num(v["central"], f"{where}.central"), num(v["high"], f"{where}.high")
        )
    x = num(v, where)
    return Range.of(x) if spec.ranged else x


#: What one assumption holds: a number, a low/central/high range, or a keyword ('data', 'simple', 'sectoral').
AssumptionValue = float | Range | str


def _default(key: str) -> Any:
    d = ASSUMPTIONS[key].default
    if isinstance(d, Mapping):
        return Range.of(d)
    if ASSUMPTIONS[key].ranged and isinstance(d, int | float):
        return Range.of(float(d))
    return d


@dataclass(frozen=True)
class Assumptions:
    """The macro assumptions of a scenario, typed (see :data:`ASSUMPTIONS` for meaning, bounds and
    sources). A field is a number, a :class:`Range` (low/central/high) or the keyword ``"data"``
    (resolved against the dataset by :func:`tariffsim.engine.macro.resolve_assumptions`).
    ``explicit`` names the fields the scenario set (the others hold the registry's defaults)."""

    export_dependence: float | Literal["data"] = field(default_factory=lambda: _default("export_dependence"))
    macro_form: Literal["simple", "sectoral"] = field(default_factory=lambda: _default("macro_form"))
    value_added_share: Range | Literal["data"] = field(default_factory=lambda: _default("value_added_share"))
    multiplier: Range = field(default_factory=lambda: _default("multiplier"))
    uncertainty_drag_pct: Range | Literal["data"] = field(default_factory=lambda: _default("uncertainty_drag_pct"))
    investment_drop_pct: Range = field(default_factory=lambda: _default("investment_drop_pct"))
    capital_share: float | Literal["data"] = field(default_factory=lambda: _default("capital_share"))
    imported_share_gfcf: float | Literal["data"] = field(default_factory=lambda: _default("imported_share_gfcf"))
    drag_half_life_quarters: float = field(default_factory=lambda: _default("drag_half_life_quarters"))
    exchange_rate_offset: Range = field(default_factory=lambda: _default("exchange_rate_offset"))
    baseline_growth_annual_pct: float | Literal["data"] = field(
        default_factory=lambda: _default("baseline_growth_annual_pct")
    )
    us_input_share_of_imports: Range = field(default_factory=lambda: _default("us_input_share_of_imports"))
    input_cost_passthrough: Range = field(default_factory=lambda: _default("input_cost_passthrough"))
    blend_start_quarter: float = field(default_factory=lambda: _default("blend_start_quarter"))
    blend_end_quarter: float = field(default_factory=lambda: _default("blend_end_quarter"))
    adjustment_speed: float | Literal["data"] = field(default_factory=lambda: _default("adjustment_speed"))
    explicit: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, d: object, *, source: str, where: str = "assumptions") -> Assumptions:
        """Validate a scenario's ``[assumptions]`` table (unknown keys, types, bounds, ranges)."""
        if not isinstance(d, Mapping):
            raise ScenarioError("expected a table", source=source, field=where)
        vals: dict[str, Any] = {}
        for k, v in d.items():
            if k not in ASSUMPTIONS:
                raise ScenarioError(
                    f"unknown assumption {shown(k)}; expected one of {', '.join(ASSUMPTIONS)}",
                    source=source,
                    field=f"{where}.{k}",
                )
            vals[k] = parse_assumption(k, v, source=source, where=f"{where}.{k}")
        out = cls(**vals, explicit=frozenset(vals))
        if not out.blend_end_quarter > out.blend_start_quarter:
            key = "blend_end_quarter" if "blend_end_quarter" in vals else "blend_start_quarter"
            raise ScenarioError(
                f"blend_end_quarter ({out.blend_end_quarter:g}) must come after blend_start_quarter "
                f"({out.blend_start_quarter:g})",
                source=source,
                field=f"{where}.{key}",
            )
        return out

    def get(self, key: str) -> AssumptionValue:
        """The value of assumption ``key`` (a name of :data:`ASSUMPTIONS`)."""
        if key not in ASSUMPTIONS:
            raise ScenarioError(f"unknown assumption {shown(key)}; expected one of {', '.join(ASSUMPTIONS)}")
        v: AssumptionValue = getattr(self, key)
        return v

    def ranged(self, key: str) -> Range | None:
        """The low/central/high range of ``key`` when it is one with low != high, else None."""
        v = self.get(key)
        return v if isinstance(v, Range) and not (v.low == v.central == v.high) else None

    def to_dict(self) -> dict[str, Any]:
        """The assumptions the scenario set, as a scenario file writes them."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in self.explicit:
                v = getattr(self, f.name)
                out[f.name] = v.to_dict() if isinstance(v, Range) else v
        return out
