"""Trade data: the :class:`TradeData` container, its validation, mapping tables and the embedded datasets.

The readers of user files (matrix CSV, BACI, long CSV, GDP) are in :mod:`tariffsim.inputs.loaders`.

All values inside a :class:`TradeData` are US dollars at exporter (world, FOB-type) prices; the
loaders convert from the unit a file is in (``units=``) at the boundary. Tariffs are ad valorem
shares (0.25 = 25 %). Countries are ISO3 codes, or region codes a dataset defines (``EU27``,
``ROW``); sectors are the model sectors of ``data/mappings/hs2_sectors.csv`` or any labels a user
file brings.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np

from .. import limits
from .._lazy import pd
from .._util import readonly, usd_text
from ..errors import CountryCodeError, DataError
from ..limits import shown
from .textfiles import unique_names

__all__ = [
    "TradeData",
    "UNITS",
    "unit_factor",
    "load_dataset",
    "available_datasets",
    "hs2_sector_map",
    "sector_labels",
    "data_file",
]


log = logging.getLogger(__name__)

#: Accepted unit names and their factor to US dollars.
UNITS: dict[str, float] = {
    "usd": 1.0,
    "thousand usd": 1e3,
    "kusd": 1e3,
    "usd thousand": 1e3,
    "million usd": 1e6,
    "usd million": 1e6,
    "musd": 1e6,
    "billion usd": 1e9,
    "usd billion": 1e9,
    "busd": 1e9,
}

TOTAL_SECTOR = "total"


def unit_factor(units: str, *, source: str = "<input>") -> float:
    """Factor that turns a value in ``units`` into US dollars; DataError for anything else."""
    key = " ".join(str(units).lower().replace("_", " ").split())
    if key not in UNITS:
        raise DataError(
            f"unknown units {shown(units)}; expected one of 'USD', 'thousand USD', 'million USD', 'billion USD'",
            source=source,
            location="units",
        )
    return UNITS[key]


def data_file(*parts: str) -> Traversable:
    """A file shipped inside the package (works from a wheel, not only from the source tree)."""
    return resources.files("tariffsim.data").joinpath(*parts)


# --------------------------------------------------------------------------------------------
# The container
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TradeData:
    """Bilateral trade by sector, with GDP and baseline tariffs.

    Attributes
    ----------
    countries : codes, in the order of the array axes (exporters = importers).
    sectors : sector labels.
    values : array (exporter, importer, sector), US dollars at exporter prices.
    gdp : array (country,), US dollars, or None.
    tariffs : array like ``values``: baseline ad valorem tariff the importer applies (share).
    name, year, source : what the data are and where they were read from.
    sources : one mapping per source (publisher, table, year, units, licence).
    meta : anything else a dataset documents (value-added shares, export dependence, ...).
    """

    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    values: np.ndarray
    gdp: np.ndarray | None = None
    tariffs: np.ndarray | None = None
    name: str = "custom"
    year: int | str | None = None
    source: str = "<array>"
    sources: tuple[Mapping, ...] = ()
    meta: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        src = self.source
        # labels in Unicode normalisation form C: two spellings that print the same are one label
        countries = unique_names([str(c) for c in self.countries], source=src, what="country")
        sectors = unique_names([str(s) for s in self.sectors], source=src, what="sector")
        object.__setattr__(self, "countries", countries)
        object.__setattr__(self, "sectors", sectors)
        n, s = len(countries), len(sectors)
        values = np.asarray(self.values, dtype=float) + 0.0  # + 0.0: no negative zero
        if values.ndim == 2 and s == 1:
            values = values[:, :, None]
        if values.shape != (n, n, s):
            raise DataError(
                f"values have shape {values.shape}; expected (exporter, importer, sector) = ({n}, {n}, {s})",
                source=src,
            )
        _check_values(values, src, countries, sectors, what="trade value")
        object.__setattr__(self, "values", readonly(values))
        if self.tariffs is None:
            tariffs = np.zeros_like(values)
        else:
            tariffs = np.broadcast_to(np.asarray(self.tariffs, dtype=float), values.shape) + 0.0
        _check_values(tariffs, src, countries, sectors, what="tariff")
        if np.any(tariffs > limits.MAX_TARIFF):
            i = np.argwhere(tariffs > limits.MAX_TARIFF)[0]
            raise DataError(
                f"tariff {tariffs[tuple(i)]} outside {limits.TARIFF_BOUNDS}; tariffs are shares (0.25 = 25 %)",
                source=src,
                location=f"exporter {countries[i[0]]}, importer {countries[i[1]]}, sector {sectors[i[2]]}",
            )
        object.__setattr__(self, "tariffs", readonly(tariffs))
        if self.gdp is not None:
            gdp = np.asarray(self.gdp, dtype=float).reshape(-1) + 0.0
            if gdp.shape != (n,):
                raise DataError(f"GDP has {gdp.size} entries; expected one per country ({n})", source=src)
            bad = ~np.isfinite(gdp) | (gdp <= 0)
            if bad.any():
                i = int(np.argmax(bad))
                raise DataError(
                    f"missing or non-positive GDP ({gdp[i]}) for {countries[i]}; expected a positive number in USD",
                    source=src,
                    location=f"country {countries[i]}",
                )
            object.__setattr__(self, "gdp", readonly(gdp))
        object.__setattr__(self, "sources", tuple(dict(x) for x in self.sources))
        object.__setattr__(self, "meta", dict(self.meta))

    def __repr__(self) -> str:
        return (
            f"TradeData(name={self.name!r}, year={self.year!r}, countries={len(self.countries)}, "
            f"sectors={len(self.sectors)}, total={usd_text(float(self.values.sum()))}, source={self.source!r})"
        )

    # -- lookups ------------------------------------------------------------------------------
    @property
    def n_countries(self) -> int:
        return len(self.countries)

    @property
    def n_sectors(self) -> int:
        return len(self.sectors)

    def index(self, code: str) -> int:
        """Position of a country or region code; CountryCodeError naming the known codes."""
        try:
            return self.countries.index(str(code).upper())
        except ValueError:
            raise CountryCodeError(
                f"country {code!r} is not in dataset {self.name!r}; it has {', '.join(self.countries)}",
                source=self.source,
            ) from None

    def sector_index(self, sector: str) -> int:
        try:
            return self.sectors.index(str(sector))
        except ValueError:
            raise DataError(
                f"sector {sector!r} is not in dataset {self.name!r}; it has {', '.join(self.sectors)}",
                source=self.source,
            ) from None

    # -- tidy views ---------------------------------------------------------------------------
    def flows(self, *, nonzero: bool = True) -> pd.DataFrame:
        """Tidy flows: exporter, importer, sector, value_usd, tariff (baseline ad valorem share)."""
        n, s = self.n_countries, self.n_sectors
        assert self.tariffs is not None  # __post_init__ fills it (zeros when not given)
        e, m, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(s), indexing="ij")
        df = pd.DataFrame(
            {
                "exporter": np.asarray(self.countries, dtype=object)[e.ravel()],
                "importer": np.asarray(self.countries, dtype=object)[m.ravel()],
                "sector": np.asarray(self.sectors, dtype=object)[k.ravel()],
                "value_usd": self.values.ravel(),
                "tariff": self.tariffs.ravel(),
            }
        )
        if nonzero:
            df = df[df["value_usd"] > 0].reset_index(drop=True)
        df.attrs["units"] = {"value_usd": "US dollars, exporter prices", "tariff": "ad valorem share"}
        return df

    def bilateral(self) -> pd.DataFrame:
        """Exporter x importer matrix of total trade (USD), summed over sectors."""
        return pd.DataFrame(self.values.sum(axis=2), index=list(self.countries), columns=list(self.countries))

    def exports(self, code: str, *, to: str | None = None) -> float:
        """Total exports (USD) of ``code``, or to one market ``to``."""
        i = self.index(code)
        if to is None:
            return float(self.values[i].sum())
        return float(self.values[i, self.index(to)].sum())

    def imports(self, code: str, *, source: str | None = None) -> float:
        j = self.index(code)
        if source is None:
            return float(self.values[:, j].sum())
        return float(self.values[self.index(source), j].sum())

    def export_share(self, exporter: str, market: str) -> float:
        """Share of ``exporter``'s exports that go to ``market`` (0-1)."""
        total = self.exports(exporter)
        return self.exports(exporter, to=market) / total if total > 0 else float("nan")

    def gdp_of(self, code: str) -> float:
        if self.gdp is None:
            raise DataError(f"dataset {self.name!r} has no GDP", source=self.source, location="gdp")
        return float(self.gdp[self.index(code)])

    # -- transformations ----------------------------------------------------------------------
    def aggregate(
        self,
        countries: Mapping[str, str] | None = None,
        sectors: Mapping[str, str] | None = None,
        *,
        name: str | None = None,
    ) -> TradeData:
        """Aggregate countries to regions and/or sectors to groups by mapping tables.

        Codes missing from a mapping keep their own label. Values and GDP are summed; baseline
        tariffs are trade-weighted (duty collected / trade). Flows between members of the same
        region stay on the diagonal of the result (intra-regional trade).
        """
        cmap = {c: (countries or {}).get(c, c) for c in self.countries}
        smap = {s: (sectors or {}).get(s, s) for s in self.sectors}
        new_c = tuple(dict.fromkeys(cmap.values()))
        new_s = tuple(dict.fromkeys(smap.values()))
        A = np.zeros((self.n_countries, len(new_c)))
        A[np.arange(self.n_countries), [new_c.index(cmap[c]) for c in self.countries]] = 1.0
        B = np.zeros((self.n_sectors, len(new_s)))
        B[np.arange(self.n_sectors), [new_s.index(smap[s]) for s in self.sectors]] = 1.0
        v = np.einsum("ia,ijs,jb,sc->abc", A, self.values, A, B, optimize=True)
        duty = np.einsum("ia,ijs,jb,sc->abc", A, self.values * self.tariffs, A, B, optimize=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(v > 0, duty / np.where(v > 0, v, 1.0), 0.0)
        gdp = None if self.gdp is None else self.gdp @ A
        return TradeData(
            countries=new_c,
            sectors=new_s,
            values=v,
            gdp=gdp,
            tariffs=t,
            name=name or f"{self.name}-aggregated",
            year=self.year,
            source=self.source,
            sources=self.sources,
            meta={**self.meta, "aggregated_from": self.name},
        )

    def total(self) -> TradeData:
        """The same data with sectors summed into one sector ``total``."""
        return self.aggregate(sectors={s: TOTAL_SECTOR for s in self.sectors}, name=self.name)

    def info(self) -> dict[str, Any]:
        """A JSON-ready description: countries, sectors, year, totals, sources."""
        total = float(self.values.sum())
        out: dict[str, Any] = {
            "name": self.name,
            "year": self.year,
            "source": self.source,
            "countries": list(self.countries),
            "sectors": list(self.sectors),
            "n_flows": int((self.values > 0).sum()),
            "total_trade_usd": total,
            "exports_usd": dict(zip(self.countries, self.values.sum(axis=(1, 2)).tolist(), strict=False)),
            "imports_usd": dict(zip(self.countries, self.values.sum(axis=(0, 2)).tolist(), strict=False)),
            "gdp_usd": None if self.gdp is None else dict(zip(self.countries, self.gdp.tolist(), strict=False)),
            "sources": list(self.sources),
        }
        for k in ("years", "assumptions", "description"):
            if k in self.meta:
                out[k] = self.meta[k]
        return out


def _check_values(a: np.ndarray, source: str, countries: Sequence[str], sectors: Sequence[str], *, what: str) -> None:
    bad = ~np.isfinite(a)
    if bad.any():
        i = np.argwhere(bad)[0]
        raise DataError(
            f"non-finite {what} ({a[tuple(i)]}); expected a finite number",
            source=source,
            location=f"exporter {countries[i[0]]}, importer {countries[i[1]]}, sector {sectors[i[2]]}",
        )
    neg = a < 0
    if neg.any():
        i = np.argwhere(neg)[0]
        raise DataError(
            f"negative {what} ({a[tuple(i)]}); expected a value >= 0",
            source=source,
            location=f"exporter {countries[i[0]]}, importer {countries[i[1]]}, sector {sectors[i[2]]}",
        )


# --------------------------------------------------------------------------------------------
# Mapping tables
# --------------------------------------------------------------------------------------------


@functools.cache
def _hs2_table() -> pd.DataFrame:
    with data_file("mappings", "hs2_sectors.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, comment="#")


def hs2_sector_map() -> dict[str, str]:
    """HS chapter ('01'..'99') -> model sector, from ``data/mappings/hs2_sectors.csv``."""
    t = _hs2_table()
    return dict(zip(t["hs2"], t["sector"], strict=False))


def sector_labels() -> dict[str, str]:
    """Model sector -> readable label (with the HS chapters it holds)."""
    t = _hs2_table()
    return dict(zip(t["sector"], t["label"], strict=False))


# --------------------------------------------------------------------------------------------
# Embedded datasets
# --------------------------------------------------------------------------------------------


def available_datasets() -> list[str]:
    """Names of the datasets shipped with the package."""
    root = data_file("datasets")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.joinpath("meta.json").is_file())


@functools.lru_cache(maxsize=8)
def load_dataset(name: str = "default") -> TradeData:
    """Load a dataset shipped with the package (``default``: 10 economies x 14 sectors).

    See ``data/SOURCES.md`` (also in ``TradeData.sources``) for where each figure comes from.
    """
    names = available_datasets()
    if name not in names:
        raise DataError(f"unknown dataset {shown(name)}; shipped datasets: {', '.join(names)}", source="load_dataset")
    root = data_file("datasets", name)
    meta = json.loads(root.joinpath("meta.json").read_text(encoding="utf-8"))
    src = f"tariffsim:data/datasets/{name}"
    # the package's own tables, read with the standard library (a run needs no pandas; tested equal)
    flows = list(csv.DictReader(root.joinpath("flows.csv").read_text(encoding="utf-8-sig").splitlines()))
    gdp_rows = csv.DictReader(root.joinpath("gdp.csv").read_text(encoding="utf-8-sig").splitlines())
    gdp_of = {r["country"]: float(r["gdp_usd"]) for r in gdp_rows}
    countries = tuple(meta["countries"])
    sectors = tuple(meta["sectors"])
    ci = {c: i for i, c in enumerate(countries)}
    si = {s: i for i, s in enumerate(sectors)}
    v = np.zeros((len(countries), len(countries), len(sectors)))
    t = np.zeros_like(v)
    keys = (("exporter", ci), ("importer", ci), ("sector", si))
    idx = tuple(np.array([m[r[k]] for r in flows], dtype=np.intp) for k, m in keys)
    v[idx] = np.array([float(r["value_usd"]) for r in flows])
    t[idx] = np.array([float(r["tariff"]) for r in flows])
    gdp = np.array([gdp_of.get(c, np.nan) for c in countries])
    extra = {k: v_ for k, v_ in meta.items() if k not in ("countries", "sectors", "sources", "name", "year")}
    return TradeData(
        countries=countries,
        sectors=sectors,
        values=v,
        gdp=gdp,
        tariffs=t,
        name=meta.get("name", name),
        year=meta.get("year"),
        source=src,
        sources=tuple(meta.get("sources", ())),
        meta=extra,
    )
