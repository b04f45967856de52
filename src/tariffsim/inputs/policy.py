"""The policy as it was: effective rates from products, dated measures, every partner's rate from data.

docs/policy.md; the method is section 8 of the project's models notes. Pure functions on arrays,
and the loaders of the shipped derived data in ``data/policy/`` (built by
``data/build/build_policy.py`` from ../shared/data):

* **Effective rate from products.** A statutory rate applies only to the trade it covers:
  ``rate x (1 - exempt share)`` product by product, where the exempt share is the share of the
  product's imports claimed under USMCA in a chosen period (or 1 for a product on an excluded
  list). A sector's rate is the import-weighted mean of its products' effective rates
  (:func:`sector_effective_rates`), not the rate times the sector's mean claimed share. The
  shipped table is by exporter, period, HS chapter and *product group* (the lines of a chapter on
  the same product lists), which gives exactly the line-by-line mean (every line of a group is
  covered or not alike, so ``sum(value x (1 - claimed/value))`` over its lines is
  ``value - claimed`` of the group).
* **Periods** of the claim shares (:func:`resolve_period`): ``2024``, a month ``2025-07``, a
  quarter ``2025Q3``, a half ``2025H2``, the year ``2025``, or ``latest`` (the last month in the
  data); a period of several months pools their values (import-weighted).
* **Dates** (:func:`parse_date`): ISO dates, or ``YYYYQn`` for the first day of a quarter. A measure
  is in force from ``start`` (inclusive) to ``end`` (exclusive: the first day without it). A
  quarter's rate is the day-weighted mean over the quarter (:func:`quarter_shares`,
  :func:`step_mean`).
* **Every partner at once** (:class:`TariffPanel`): the effective US tariff increase over 2024 by
  partner and date, an estimate by the tariff tracker the raw data come from, aggregated to the
  default dataset's regions with 2024 import weights; at a date, as a day-weighted mean over a
  range, or by quarter.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .._lazy import pd
from .._util import readonly
from ..errors import DataError, ScenarioError
from .datasets import data_file, hs2_sector_map
from .periods import QUARTER_RE

__all__ = [
    "LISTS",
    "PANEL_COVERAGE",
    "ProductGroups",
    "TariffPanel",
    "parse_date",
    "quarter_bounds",
    "quarter_shares",
    "step_mean",
    "check_share",
    "effective_rates",
    "product_periods",
    "resolve_period",
    "load_product_groups",
    "select_products",
    "sector_effective_rates",
    "mean_effective_rate",
    "load_tariff_panel",
]

#: Product lists of the shipped table (docs/policy.md): Section 232 steel, aluminium and copper;
#: Section 232 vehicles and parts; the IEEPA reciprocal-tariff exemptions; Section 301 (China, 2018-19).
LISTS = ("s232_metals", "s232_autos", "ieepa_exempt", "s301")
#: The dates the effective-tariff panel speaks for: from 1 January 2025 (no 2025 measure was in
#: force before its first date, 4 February 2025: an increase of zero) to the end of 2026 (its last
#: change, 19 August 2026, holds to the end of the years the source covers). End exclusive.
PANEL_COVERAGE = (dt.date(2025, 1, 1), dt.date(2027, 1, 1))
PRODUCTS_FILE = "tariffsim:data/policy/product_groups.csv"
PANEL_FILE = "tariffsim:data/policy/us_tariff_panel.csv"

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_HALF = re.compile(r"^(\d{4})H([12])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_CHAPTER = re.compile(r"^\d{2}$")


# ----------------------------------------------------------------------------- dates


def parse_date(value: object, *, source: str = "<policy>", field: str = "date") -> dt.date:
    """A date from ``YYYY-MM-DD`` (or a ``datetime.date``, as TOML gives an unquoted date) or
    ``YYYYQn`` (the first day of the quarter); ScenarioError naming ``field`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        s = value.strip().upper().replace(" ", "")
        m = QUARTER_RE.match(s)
        if m:
            return dt.date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
        m = _ISO_DATE.match(s)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise ScenarioError(f"{value!r} is not a calendar date ({exc})", source=source, field=field) from None
    raise ScenarioError(
        f"expected a date like '2025-03-04' or a quarter like '2025Q2', got {value!r}", source=source, field=field
    )


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First day of the quarter and first day of the next one ('2025Q4' -> 2025-10-01, 2026-01-01)."""
    m = QUARTER_RE.match(label.strip().upper())
    if m is None:
        raise ScenarioError(f"expected a quarter like '2025Q2', got {label!r}", source="<policy>", field="quarter")
    y, q = int(m.group(1)), int(m.group(2))
    return dt.date(y, 3 * q - 2, 1), (dt.date(y, 3 * q + 1, 1) if q < 4 else dt.date(y + 1, 1, 1))


def _days(d: dt.date) -> int:
    return d.toordinal()


def quarter_shares(start: dt.date, end: dt.date | None, quarters: Sequence[str]) -> np.ndarray:
    """Share of the days of each quarter within ``[start, end)`` (``end`` None: open-ended).

    A measure of rate r in force over that span has the day-weighted quarterly rate r x share.
    """
    b = np.array([[_days(x) for x in quarter_bounds(q)] for q in quarters], dtype=float).reshape(-1, 2)
    lo = np.maximum(b[:, 0], _days(start))
    hi = b[:, 1] if end is None else np.minimum(b[:, 1], _days(end))
    return np.clip(hi - lo, 0.0, None) / (b[:, 1] - b[:, 0])


def step_mean(
    dates: Sequence[dt.date], values: np.ndarray, start: dt.date, end: dt.date, *, before: float = 0.0
) -> np.ndarray:
    """Day-weighted mean over ``[start, end)`` of a step function: ``values[k]`` from ``dates[k]``
    (inclusive) to ``dates[k+1]``; ``before`` before the first date. ``values`` is (T, ...)."""
    v = np.asarray(values, dtype=float)
    if _days(end) <= _days(start):
        raise ScenarioError(f"the range {start} .. {end} is empty (end must come after start)", field="end")
    edges = np.array([_days(d) for d in dates] + [np.inf])
    seg_lo = np.concatenate([[-np.inf], edges[:-1]])
    seg_hi = edges
    lo = np.maximum(seg_lo, _days(start))
    hi = np.minimum(seg_hi, _days(end))
    w = np.clip(hi - lo, 0.0, None)
    vals = np.concatenate([np.full((1, *v.shape[1:]), before), v], axis=0)
    return np.tensordot(w, vals, axes=(0, 0)) / float(_days(end) - _days(start))


# ----------------------------------------------------------------------------- effective rates


def check_share(x: object, *, source: str = "<policy>", field: str = "exempt_share") -> float:
    """A share in [0, 1] (a number), else ScenarioError naming the field."""
    if isinstance(x, bool) or not isinstance(x, int | float | np.floating) or not (0.0 <= float(x) <= 1.0):
        raise ScenarioError(f"expected a share in [0, 1], got {x!r}", source=source, field=field)
    return float(x)


def effective_rates(rate: float | np.ndarray, exempt: float | np.ndarray) -> np.ndarray:
    """``rate x (1 - exempt)`` elementwise: the rate actually paid on the product's imports."""
    e = np.asarray(exempt, dtype=float)
    if np.any((e < 0) | (e > 1) | ~np.isfinite(e)):
        raise DataError("exempt shares must lie in [0, 1]", source="<policy>", location="exempt")
    return np.asarray(rate, dtype=float) * (1.0 - e)


@dataclass(frozen=True, eq=False)
class ProductGroups:
    """US imports from one exporter in one period by HS chapter and product group (arrays, one row
    per group): ``value`` and ``claimed`` (claimed under USMCA) in US dollars, ``flags`` one
    boolean array per list of :data:`LISTS`. ``months`` are the data periods pooled."""

    exporter: str
    period: str
    months: tuple[str, ...]
    hs2: np.ndarray
    value: np.ndarray
    claimed: np.ndarray
    flags: Mapping[str, np.ndarray] = field(default_factory=dict)
    source: str = PRODUCTS_FILE

    @property
    def claim_share(self) -> float:
        """Import-weighted share of the exporter's imports claimed in the period."""
        return float(self.claimed.sum() / self.value.sum())

    def claimed_shares(self) -> np.ndarray:
        """Claimed share of each group (0 for a group without imports)."""
        return np.divide(self.claimed, self.value, out=np.zeros_like(self.value), where=self.value > 0)

    def sectors(self, chapter_sector: Mapping[str, str] | None = None) -> np.ndarray:
        """The model sector of each row (``data/mappings/hs2_sectors.csv`` unless given)."""
        m = dict(chapter_sector or hs2_sector_map())
        missing = sorted({h for h in self.hs2 if h not in m})
        if missing:
            raise DataError(f"HS chapters without a sector: {', '.join(missing)}", source=self.source, location="hs2")
        return np.array([m[h] for h in self.hs2], dtype=object)


@functools.cache
def _products_table() -> pd.DataFrame:
    with data_file("policy", "product_groups.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype={"exporter": str, "period": str, "hs2": str}, keep_default_na=False)


def product_periods(exporter: str) -> tuple[str, ...]:
    """The data periods shipped for ``exporter`` (``2024`` and months ``YYYY-MM``), in order."""
    t = _products_table()
    return tuple(sorted(t.loc[t["exporter"] == exporter, "period"].unique()))


def _months_of(y: int, months: Sequence[int]) -> list[str]:
    return [f"{y}-{m:02d}" for m in months]


def resolve_period(
    period: object, exporter: str, *, source: str = "<policy>", field: str = "claims_period"
) -> tuple[str, ...]:
    """The data periods a claim-share period pools: ``2024``; ``2025-07``; ``2025Q3``; ``2025H2``;
    ``2025`` (every month of the year); ``latest`` (the last month shipped). ScenarioError for a
    period the data do not cover completely."""
    have = product_periods(exporter)
    if not have:
        known = sorted(_products_table()["exporter"].unique())
        raise ScenarioError(
            f"no product data for exporter {exporter!r}; shipped for {', '.join(known)}", source=source, field=field
        )
    months = [p for p in have if _MONTH.match(p)]
    s = str(period).strip().upper() if not isinstance(period, bool) else ""
    want: list[str] | None = None
    if s == "LATEST":
        want = [months[-1]] if months else [have[-1]]
    elif s in have:
        want = [s]
    elif (m := QUARTER_RE.match(s)) is not None:
        q = int(m.group(2))
        want = _months_of(int(m.group(1)), range(3 * q - 2, 3 * q + 1))
    elif (m := _HALF.match(s)) is not None:
        h = int(m.group(2))
        want = _months_of(int(m.group(1)), range(6 * h - 5, 6 * h + 1))
    elif (m := _YEAR.match(s)) is not None:
        want = _months_of(int(m.group(1)), range(1, 13))
    elif _MONTH.match(s):
        want = [s]
    if want is None or not set(want) <= set(have):
        span = f"{months[0]} .. {months[-1]}" if months else "none"
        raise ScenarioError(
            f"claim-share period {period!r} is not in the data for {exporter} (it has 2024 and the months {span}; "
            "write 2024, a month 2025-07, a quarter 2025Q3, a half 2025H2, a year 2025 or latest)",
            source=source,
            field=field,
        )
    return tuple(want)


def load_product_groups(
    exporter: str, period: object = "latest", *, source: str = "<policy>", field: str = "claims_period"
) -> ProductGroups:
    """The shipped product groups of ``exporter`` pooled over ``period`` (see :func:`resolve_period`)."""
    exporter = str(exporter).strip().upper()
    months = resolve_period(period, exporter, source=source, field=field)
    t = _products_table()
    t = t[(t["exporter"] == exporter) & t["period"].isin(months)]
    g = t.groupby(["hs2", *LISTS], as_index=False)[["value_usd", "claimed_usd"]].sum()
    return ProductGroups(
        exporter=exporter,
        period=str(period),
        months=months,
        hs2=g["hs2"].to_numpy(dtype=object),
        value=readonly(g["value_usd"].to_numpy(float)),
        claimed=readonly(g["claimed_usd"].to_numpy(float)),
        flags={k: g[k].to_numpy(bool) for k in LISTS},
    )


def select_products(
    groups: ProductGroups,
    *,
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    source: str = "<policy>",
    field: str = "products",
) -> np.ndarray:
    """Rows a measure covers: those on one of ``only`` (lists of :data:`LISTS` or HS chapters
    '01'..'99'; empty = every product), less those on one of ``exclude``. ScenarioError for an
    unknown list or a product code finer than a chapter (the shipped resolution)."""

    def mask(codes: Sequence[str], where: str) -> np.ndarray:
        m = np.zeros(groups.hs2.shape, dtype=bool)
        for i, c in enumerate(codes):
            c = str(c).strip()
            if c in LISTS:
                m |= groups.flags[c]
            elif _CHAPTER.match(c) and c in hs2_sector_map():
                m |= groups.hs2 == c
            else:
                hint = (
                    "; product lists are shipped by HS chapter (2 digits), not finer"
                    if c.isdigit() and len(c) > 2
                    else ""
                )
                raise ScenarioError(
                    f"unknown product code {c!r}: expected a list ({', '.join(LISTS)}) or an HS chapter '01'..'99'{hint}",
                    source=source,
                    field=f"{field}.{where}[{i}]",
                )
        return m

    covered = mask(only, "only") if len(only) else np.ones(groups.hs2.shape, dtype=bool)
    if len(exclude):
        covered &= ~mask(exclude, "exclude")
    return covered


def sector_effective_rates(
    groups: ProductGroups,
    rate: float,
    sectors: Sequence[str],
    *,
    claims: str | None = "exempt",
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    chapter_sector: Mapping[str, str] | None = None,
    source: str = "<policy>",
    field: str = "products",
) -> np.ndarray:
    """The effective rate of a measure on each of ``sectors``: the import-weighted mean over the
    exporter's products in the sector of ``rate x covered x (1 - exempt share)``, the exempt share
    the claimed share (``claims="exempt"``), the unclaimed share (``"only"``: the rate hits the
    claimed trade alone, the preference withdrawn) or 0 (``None``). A sector without imports from
    the exporter in the period gets the statutory rate if the measure covers every product and
    exempts nothing, else 0 (its weight in the model is 0)."""
    covered = select_products(groups, only=only, exclude=exclude, source=source, field=field)
    eff = effective_rates(rate, _exempt(groups, claims)) * covered
    sec = groups.sectors(chapter_sector)
    index = {s: i for i, s in enumerate(sectors)}
    pos = np.array([index.get(s, -1) for s in sec], dtype=int)
    ok = pos >= 0
    n = len(sectors)
    v = np.bincount(pos[ok], weights=groups.value[ok], minlength=n)
    paid = np.bincount(pos[ok], weights=(groups.value * eff)[ok], minlength=n)
    empty_rate = float(rate) if not len(only) and claims is None else 0.0
    return np.divide(paid, v, out=np.full(n, empty_rate), where=v > 0)


def _exempt(groups: ProductGroups, claims: str | None) -> np.ndarray:
    if claims is None:
        return np.zeros_like(groups.value)
    if claims == "exempt":
        return groups.claimed_shares()
    if claims == "only":
        return 1.0 - groups.claimed_shares()
    raise ScenarioError(f"claims must be 'exempt', 'only' or None, got {claims!r}", field="claims")


def mean_effective_rate(
    groups: ProductGroups,
    rate: float,
    *,
    claims: str | None = "exempt",
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> float:
    """Import-weighted mean effective rate of a measure over all the exporter's products."""
    covered = select_products(groups, only=only, exclude=exclude)
    eff = effective_rates(rate, _exempt(groups, claims)) * covered
    return float(np.sum(groups.value * eff) / groups.value.sum())


# ----------------------------------------------------------------------------- every partner, from the panel


@dataclass(frozen=True, eq=False)
class TariffPanel:
    """The effective US tariff increase over 2024 by region and date (shares, 0.05 = 5 points): a
    step function, ``rates[k]`` from ``dates[k]`` to the next date. An estimate (docs/policy.md).

    ``coverage``: share of each region's 2024 US imports that the panel's partners cover (the
    region's rate is the import-weighted mean over the partners covered)."""

    regions: tuple[str, ...]
    dates: tuple[dt.date, ...]
    rates: np.ndarray
    coverage: np.ndarray
    source: str = PANEL_FILE

    def _check(self, d: dt.date, *, source: str, field: str) -> None:
        lo, hi = PANEL_COVERAGE
        if not lo <= d < hi:
            raise ScenarioError(
                f"date {d.isoformat()} is outside the effective-tariff panel ({lo.isoformat()} .. "
                f"{(hi - dt.timedelta(days=1)).isoformat()})",
                source=source,
                field=field,
            )

    def rate_at(self, when: object, *, source: str = "<policy>", field: str = "date") -> dict[str, float]:
        """Every region's rate in force on ``when``."""
        d = parse_date(when, source=source, field=field)
        self._check(d, source=source, field=field)
        return dict(zip(self.regions, step_mean(self.dates, self.rates, d, d + dt.timedelta(days=1)), strict=True))

    def mean_rate(
        self, start: object, end: object, *, source: str = "<policy>", field: str = "panel"
    ) -> dict[str, float]:
        """Every region's day-weighted mean rate over ``[start, end)``."""
        a = parse_date(start, source=source, field=f"{field}.start")
        b = parse_date(end, source=source, field=f"{field}.end")
        if b <= a:
            raise ScenarioError(
                f"end {b.isoformat()} is not after start {a.isoformat()}", source=source, field=f"{field}.end"
            )
        self._check(a, source=source, field=f"{field}.start")
        self._check(b - dt.timedelta(days=1), source=source, field=f"{field}.end")
        return dict(zip(self.regions, step_mean(self.dates, self.rates, a, b), strict=True))

    def quarterly(self, quarters: Sequence[str]) -> np.ndarray:
        """(Q, R): the day-weighted mean rate of each region in each quarter (quarters inside the coverage)."""
        out = []
        for q in quarters:
            a, b = quarter_bounds(q)
            self._check(a, source=self.source, field="quarter")
            self._check(b - dt.timedelta(days=1), source=self.source, field="quarter")
            out.append(step_mean(self.dates, self.rates, a, b))
        return np.vstack(out) if out else np.zeros((0, len(self.regions)))


@functools.cache
def load_tariff_panel() -> TariffPanel:
    """The shipped panel (``data/policy/us_tariff_panel.csv``), regions of the default dataset."""
    with data_file("policy", "us_tariff_panel.csv").open("r", encoding="utf-8") as fh:
        t = pd.read_csv(fh, dtype={"date": str, "region": str})
    regions = tuple(sorted(t["region"].unique()))
    wide = t.pivot(index="date", columns="region", values="tariff_increase_pct").reindex(columns=list(regions))
    if wide.isna().any().any():
        raise DataError("the panel misses a region at some date", source=PANEL_FILE)
    cov = t.drop_duplicates("region").set_index("region").reindex(list(regions))
    return TariffPanel(
        regions=regions,
        dates=tuple(dt.date.fromisoformat(x) for x in wide.index),
        rates=readonly(wide.to_numpy(float) / 100.0),
        coverage=readonly((cov["covered_imports_2024_usd"] / cov["region_imports_2024_usd"]).to_numpy(float)),
    )
