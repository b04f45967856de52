"""The raw pieces a calibration of the multi-sector model is built from (docs/models/ge_io.md):
flows by sector with tariffs (:class:`FlowCube`), a complete world input-output table
(:class:`WorldIOTable`), input-output and value-added shares (:class:`ShareTable`), and the map of
their labels onto the model's regions and sectors (:class:`Aggregation`, :func:`aggregate_flows`).

Each record checks its arrays when it is made and raises :class:`~tariffsim.errors.DataError`
naming the source file and field: negative flows, a sector with zero output in every region,
shares outside [0, 1] or not summing to one, labels that are not unique or do not match.
:mod:`tariffsim.inputs.io_calibration` turns them into the model's data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._lazy import pd
from ..errors import DataError

__all__ = ["FlowCube", "WorldIOTable", "ShareTable", "Aggregation", "flow_cube_from_long", "aggregate_flows"]

# ----------------------------------------------------------------------------- inputs


def _labels(names: Sequence[str], source: str, location: str) -> tuple[str, ...]:
    out = tuple(str(n).strip() for n in names)
    if not out or len(set(out)) != len(out) or any(not n for n in out):
        raise DataError("labels must be present, non-empty and unique", source=source, location=location)
    return out


def _finite(a: np.ndarray, source: str, location: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(a)):
        raise DataError("contains non-finite values", source=source, location=location)
    return a


def _zero_output_sector(output: np.ndarray, sectors: tuple[str, ...], source: str, location: str) -> None:
    """DataError when some sector has zero gross output in every region (``output``: (N, S))."""
    dead = np.flatnonzero(output.sum(axis=0) <= 0)
    if dead.size:
        raise DataError(
            f"sector {sectors[dead[0]]!r} has zero output in every region; the model cannot price it "
            "(drop it or merge it into another sector)",
            source=source,
            location=location,
        )


@dataclass(frozen=True, eq=False)
class FlowCube:
    """Bilateral flows by sector and applied tariffs.

    ``flows[n, i, s]``: importer n's purchases from exporter i in sector s at basic prices, net of
    tariffs (domestic flows on the diagonal); ``tariff[n, i, s]`` the ad valorem tariff n applies.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    flows: np.ndarray
    tariff: np.ndarray
    source: str
    year: int

    def __post_init__(self) -> None:
        src = self.source
        regions = _labels(self.regions, src, "regions")
        sectors = _labels(self.sectors, src, "sectors")
        shape = (len(regions), len(regions), len(sectors))
        for name in ("flows", "tariff"):
            a = _finite(getattr(self, name), src, name)
            if a.shape != shape:
                raise DataError(f"has shape {a.shape}; expected {shape}", source=src, location=name)
            object.__setattr__(self, name, a)
        if (self.flows < 0).any():
            n, i, s = np.argwhere(self.flows < 0)[0]
            raise DataError(
                f"negative flow {self.flows[n, i, s]:g} from {regions[i]} to {regions[n]} in {sectors[s]}",
                source=src,
                location="flows",
            )
        if (self.tariff <= -1).any():
            raise DataError("tariff at or below -100 %", source=src, location="tariff")
        object.__setattr__(self, "regions", regions)
        object.__setattr__(self, "sectors", sectors)
        _zero_output_sector(self.flows.sum(axis=0), sectors, src, "flows")


def flow_cube_from_long(
    df: pd.DataFrame,
    *,
    source: str,
    year: int,
    columns: tuple[str, str, str, str, str] = ("exporter", "importer", "sector", "flow_usd_mn", "tariff"),
) -> FlowCube:
    """A :class:`FlowCube` from a long table (the tariffwar layout: exporter, importer, sector,
    flow_usd_mn, tariff). Every exporter x importer x sector combination must appear exactly once
    and the exporters must be the importers (mismatched labels are a DataError naming the field)."""
    ex, im, se, fl, ta = columns
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {', '.join(missing)}", source=source, location="header")
    exporters = tuple(dict.fromkeys(str(x).strip() for x in df[ex]))
    importers = tuple(dict.fromkeys(str(x).strip() for x in df[im]))
    if set(exporters) != set(importers):
        odd = sorted(set(exporters) ^ set(importers))
        raise DataError(
            f"exporter and importer labels differ ({', '.join(odd[:5])}{' ...' if len(odd) > 5 else ''})",
            source=source,
            location=f"columns {ex!r}/{im!r}",
        )
    regions = exporters
    sectors = tuple(dict.fromkeys(str(x).strip() for x in df[se]))
    N, S = len(regions), len(sectors)
    rx = {r: k for k, r in enumerate(regions)}
    sx = {s: k for k, s in enumerate(sectors)}
    i = df[ex].astype(str).str.strip().map(rx).to_numpy(int)
    n = df[im].astype(str).str.strip().map(rx).to_numpy(int)
    s = df[se].astype(str).str.strip().map(sx).to_numpy(int)
    flat = np.ravel_multi_index((n, i, s), (N, N, S))
    counts = np.bincount(flat, minlength=N * N * S)
    if (counts > 1).any():
        r = int(np.flatnonzero(counts[flat] > 1)[1])
        raise DataError("duplicate (exporter, importer, sector) row", source=source, location=f"row {r + 2}")
    if (counts == 0).any():
        nn, ii, ss = np.unravel_index(int(np.argmax(counts == 0)), (N, N, S))
        raise DataError(
            f"no row for exporter {regions[ii]}, importer {regions[nn]}, sector {sectors[ss]} "
            f"({int((counts == 0).sum())} combinations missing)",
            source=source,
            location=f"columns {ex!r}/{im!r}/{se!r}",
        )
    cube = {}
    for col in (fl, ta):
        vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(vals)
        if bad.any():
            r = int(np.argmax(bad))
            raise DataError(
                f"not a finite number: {df[col].iloc[r]!r}", source=source, location=f"row {r + 2}, {col!r}"
            )
        if col == fl and (vals < 0).any():
            r = int(np.argmax(vals < 0))
            raise DataError(f"negative flow {vals[r]:g}", source=source, location=f"row {r + 2}, {col!r}")
        a = np.zeros(N * N * S)
        a[flat] = vals
        cube[col] = a.reshape(N, N, S)
    return FlowCube(regions, sectors, cube[fl], cube[ta], source, year)


@dataclass(frozen=True, eq=False)
class WorldIOTable:
    """A complete world input-output table.

    ``inter[i, s, n, j]``: intermediate flow from country i, sector s to country n, sector j;
    ``final[i, s, n]``: final use in n of i's sector-s goods (all final-use categories summed;
    inventory changes may make a cell negative); basic prices, no tariffs.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    inter: np.ndarray
    final: np.ndarray
    source: str
    year: int

    def __post_init__(self) -> None:
        src = self.source
        regions = _labels(self.regions, src, "regions")
        sectors = _labels(self.sectors, src, "sectors")
        N, S = len(regions), len(sectors)
        for name, shape in (("inter", (N, S, N, S)), ("final", (N, S, N))):
            a = _finite(getattr(self, name), src, name)
            if a.shape != shape:
                raise DataError(f"has shape {a.shape}; expected {shape}", source=src, location=name)
            object.__setattr__(self, name, a)
        if (self.inter < 0).any():
            i, s, n, j = np.argwhere(self.inter < 0)[0]
            raise DataError(
                f"negative intermediate flow {self.inter[i, s, n, j]:g} ({regions[i]} {sectors[s]} -> "
                f"{regions[n]} {sectors[j]})",
                source=src,
                location="inter",
            )
        object.__setattr__(self, "regions", regions)
        object.__setattr__(self, "sectors", sectors)
        _zero_output_sector(self.output, sectors, src, "inter/final")

    @property
    def output(self) -> np.ndarray:
        """(N, S) gross output: row sums (intermediate and final use)."""
        return self.inter.sum(axis=(2, 3)) + self.final.sum(axis=2)


@dataclass(frozen=True, eq=False)
class ShareTable:
    """Input-output and value-added shares by region.

    ``io[r, s, j]``: share of input s in using sector j's intermediate purchases (each column sums
    to one); ``va[r, j]``: value added / gross output of j. ``years`` names the year of each.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    io: np.ndarray
    va: np.ndarray
    source: str
    io_year: int
    va_year: int
    tol: float = 1e-6

    def __post_init__(self) -> None:
        src = self.source
        regions = _labels(self.regions, src, "regions")
        sectors = _labels(self.sectors, src, "sectors")
        R, S = len(regions), len(sectors)
        for name, shape in (("io", (R, S, S)), ("va", (R, S))):
            a = _finite(getattr(self, name), src, name)
            if a.shape != shape:
                raise DataError(f"has shape {a.shape}; expected {shape}", source=src, location=name)
            if (a < 0).any() or (a > 1).any():
                r = np.argwhere((a < 0) | (a > 1))[0]
                raise DataError(
                    f"share {a[tuple(r)]:g} outside [0, 1] (region {regions[r[0]]}, sector {sectors[r[-1]]})",
                    source=src,
                    location=name,
                )
            object.__setattr__(self, name, a)
        gap = np.abs(self.io.sum(axis=1) - 1.0)
        if (gap > self.tol).any():
            r, j = np.argwhere(gap > self.tol)[0]
            raise DataError(
                f"input shares of using sector {sectors[j]} in {regions[r]} sum to {self.io[r, :, j].sum():.6g}, "
                "not one",
                source=src,
                location="io",
            )
        object.__setattr__(self, "regions", regions)
        object.__setattr__(self, "sectors", sectors)
        # exact unit columns (the stored shares carry rounding of a few 1e-8)
        object.__setattr__(self, "io", self.io / self.io.sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class Aggregation:
    """Source labels -> model regions and sectors, in the model's order.

    ``region_of``: source region code -> model region; codes not listed go to ``default_region``
    (None: a DataError). ``sector_of``: source sector code -> model sector (every source sector
    must be listed). ``description``: one line for outputs.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    region_of: Mapping[str, str]
    sector_of: Mapping[str, str]
    default_region: str | None = "ROW"
    description: str = ""
    source: str = "<aggregation>"

    def region_matrix(self, labels: Sequence[str], source: str) -> np.ndarray:
        """One-hot (model regions x ``labels``)."""
        return self._matrix(labels, self.regions, self.region_of, self.default_region, source, "region")

    def sector_matrix(self, labels: Sequence[str], source: str) -> np.ndarray:
        """One-hot (model sectors x ``labels``)."""
        return self._matrix(labels, self.sectors, self.sector_of, None, source, "sector")

    def _matrix(
        self,
        labels: Sequence[str],
        targets: tuple[str, ...],
        mapping: Mapping[str, str],
        default: str | None,
        source: str,
        what: str,
    ) -> np.ndarray:
        pos = {t: k for k, t in enumerate(targets)}
        out = np.zeros((len(targets), len(labels)))
        for k, lab in enumerate(labels):
            tgt = mapping.get(lab, default)
            if tgt is None:
                raise DataError(
                    f"{what} {lab!r} is not in the aggregation ({self.source})", source=source, location=f"{what}s"
                )
            if tgt not in pos:
                raise DataError(
                    f"{what} {lab!r} maps to {tgt!r}, which is not a model {what} ({', '.join(targets)})",
                    source=self.source,
                    location=f"{what}s",
                )
            out[pos[tgt], k] = 1.0
        empty = np.flatnonzero(out.sum(axis=1) == 0)
        if empty.size:
            raise DataError(
                f"model {what} {targets[empty[0]]!r} receives no {what} of {source}",
                source=self.source,
                location=f"{what}s",
            )
        return out


# ----------------------------------------------------------------------------- aggregation


def aggregate_flows(cube: FlowCube, agg: Aggregation) -> tuple[np.ndarray, np.ndarray]:
    """(flows, tariffs) on the model's regions and sectors, (N, N, J): flows summed; tariffs
    flow-weighted (so tariff revenue is unchanged); where the aggregated flow is zero, the simple
    mean of the members' tariffs (it never enters the equilibrium)."""
    A = agg.region_matrix(cube.regions, cube.source)
    B = agg.sector_matrix(cube.sectors, cube.source)
    flows = np.einsum("an,bi,cs,nis->abc", A, A, B, cube.flows, optimize=True)
    revenue = np.einsum("an,bi,cs,nis->abc", A, A, B, cube.flows * cube.tariff, optimize=True)
    count = np.einsum("an,bi,cs->abc", A, A, B, optimize=True)
    mean = np.einsum("an,bi,cs,nis->abc", A, A, B, cube.tariff, optimize=True) / count
    tariff = np.where(flows > 0, revenue / np.where(flows > 0, flows, 1.0), mean)
    return flows, tariff
