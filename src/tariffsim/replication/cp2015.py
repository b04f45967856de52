"""The Caliendo-Parro (2015) NAFTA data and the replication of their tariff experiment.

``read_cp2015(data_dir)`` reads the six long CSV files of the public R package ``cp2015``
(paulofelipe/cp2015, MIT; the folder ``../shared/data/cp2015`` beside the project): ``trade.csv``
(sector, exporter, importer, value net of tariffs in USD, tariff, tariff_bln, tariff_cfl, d_bln,
d_cfl), ``intermediate_consumption.csv`` (input, sector, region, value), ``final_consumption.csv``
and ``value_added.csv`` (sector, region, value), ``deficit.csv`` (region, D) and ``theta.csv``
(sector, value). 31 regions x 40 sectors, 1993, US dollars. Each file may also be gzipped
(``*.csv.gz``), which is how the package ships its derived copy (:func:`load_shipped`).

Reading rules: regions are those of ``deficit.csv`` and sectors those of ``theta.csv``, in file
order; a (region, sector) pair absent from a table is a zero (the shipped copy leaves out zero
trade rows); a name not in those lists, a duplicated key, a non-number, a negative trade value, a
tariff at or below -100 % or a non-positive iceberg change is a :class:`~tariffsim.errors.DataError`
naming the file, the row and the field. Intermediate use may be negative (one cell of the data,
Canada's use of "Other" in "Basic metals", is -9.5 million USD); gross output must be positive.

``replicate_cp2015(data_dir, zero_deficit=True)`` runs the published two-step experiment
(docs/models/ge_io.md): a baseline equilibrium at the baseline tariffs and iceberg costs, then the
counterfactual at the NAFTA tariffs, deficits zero in both (``zero_deficit=True``, the paper's
section 5.1) or at their 1993 values; changes are counterfactual/baseline.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._util import readonly
from ..errors import DataError, OutputExistsError, ScenarioError
from ..models.ge_io import STRUCTURE_NOTE, IOChanges, IOData, calibrate, changes, iso3_codes, region_index, solve_io
from ..solvers import SolverInfo

__all__ = [
    "read_cp2015",
    "load_shipped",
    "replicate_cp2015",
    "CP2015Result",
    "CP2015_FILES",
    "CP2015_PUBLISHED",
    "CP2015_INTRA_BLOC_PUBLISHED",
    "SeedResult",
    "tariff_on_nafta",
]

log = logging.getLogger(__name__)

CP2015_FILES = (
    "trade.csv",
    "intermediate_consumption.csv",
    "final_consumption.csv",
    "value_added.csv",
    "deficit.csv",
    "theta.csv",
)

#: Published welfare effects of NAFTA's tariff reductions, percent. Keys: zero_deficit (True/False)
#: -> region -> measure. Sources:
#: * zero aggregate deficit (True): Caliendo and Parro (2015, REStud 82(1)), Table 2 "Welfare
#:   effects from NAFTA's tariff reductions" (total, terms of trade, volume of trade, real wages);
#:   the totals are also in the paper's abstract (Mexico +1.31 %, US +0.08 %, Canada -0.06 %). The
#:   decomposition and real-wage figures as printed in the replication README of the R package
#:   (paulofelipe/cp2015 README.md; pachadotdev/cp2015 README.md, "table 2").
#: * with the 1993 deficits (False): not a table of the paper that we could find; these are the
#:   values the R package asserts in its own tests (paulofelipe/cp2015,
#:   tests/testthat/test-run_cp2015.R, "solution with deficits"), i.e. a published replication.
CP2015_PUBLISHED: dict[bool, dict[str, dict[str, float]]] = {
    True: {
        "Mexico": {"welfare_pct": 1.31, "tot_pct": -0.41, "vot_pct": 1.72, "tech_pct": 0.0, "realwage_pct": 1.72},
        "Canada": {"welfare_pct": -0.06, "tot_pct": -0.11, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.32},
        "USA": {"welfare_pct": 0.08, "tot_pct": 0.04, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.11},
    },
    False: {
        "Mexico": {"welfare_pct": 1.17, "tot_pct": -0.41, "vot_pct": 1.59, "tech_pct": 0.0, "realwage_pct": 1.64},
        "Canada": {"welfare_pct": -0.04, "tot_pct": -0.08, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.33},
        "USA": {"welfare_pct": 0.08, "tot_pct": 0.05, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.12},
    },
}

#: Intra-bloc trade growth in the paper's abstract (zero-deficit case): each member's imports from
#: the other two members, percent (Caliendo and Parro 2015, abstract; printed without decimals).
CP2015_INTRA_BLOC_PUBLISHED: dict[str, float] = {"Mexico": 118.0, "Canada": 11.0, "USA": 41.0}

NAFTA = ("Mexico", "Canada", "USA")


# ----------------------------------------------------------------------------- reading


def _find(d: Path, name: str) -> Path:
    for cand in (d / name, d / (name + ".gz")):
        if cand.is_file():
            return cand
    raise DataError(
        f"missing input file {name} (the Caliendo-Parro inputs are {', '.join(CP2015_FILES)})", source=str(d / name)
    )


def _read(path: Path, names: Sequence[str], numbers: Sequence[str]) -> pd.DataFrame:
    """Read a long table: ``names`` as categories, ``numbers`` as floats (pandas' C parser).

    A cell that is not a number makes the fast parse fail; the file is then read again as text
    only to locate and name the offending row and column.
    """
    columns = (*names, *numbers)
    dtype: dict = {c: "category" for c in names} | {c: "float64" for c in numbers}
    try:
        df = pd.read_csv(path, dtype=dtype)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise DataError(f"cannot parse as CSV ({str(exc).splitlines()[0]})", source=str(path)) from None
    except (ValueError, TypeError):
        df = None
    header = df.columns if df is not None else pd.read_csv(path, nrows=0).columns
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, header))}",
            source=str(path),
            location="header",
        )
    if df is None:  # some cell is not a number: find it
        text = pd.read_csv(path, dtype=str, keep_default_na=False)
        for c in numbers:
            vals = pd.to_numeric(text[c].str.strip(), errors="coerce").to_numpy(dtype=float)
            bad = np.isnan(vals)
            if bad.any():
                r = int(np.argmax(bad))
                raise DataError(
                    f"not a finite number: {text[c].iloc[r]!r}", source=str(path), location=f"row {r + 2}, column {c!r}"
                )
        raise DataError("cannot parse as CSV", source=str(path))  # pragma: no cover - defensive
    return df


def _numbers(df: pd.DataFrame, col: str, path: Path, *, negative: bool = False) -> np.ndarray:
    vals = df[col].to_numpy(dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any():
        r = int(np.argmax(bad))
        raise DataError(
            f"not a finite number: {df[col].iloc[r]!r}", source=str(path), location=f"row {r + 2}, column {col!r}"
        )
    if not negative and (vals < 0).any():
        r = int(np.argmax(vals < 0))
        raise DataError(
            f"negative value {vals[r]}; expected a value >= 0",
            source=str(path),
            location=f"row {r + 2}, column {col!r}",
        )
    return vals


def _codes(df: pd.DataFrame, col: str, names: Sequence[str], path: Path, what: str) -> np.ndarray:
    column = df[col]
    cat = column.array if isinstance(column.dtype, pd.CategoricalDtype) else pd.Categorical(column)
    pos = {n: k for k, n in enumerate(names)}
    lookup = np.array([pos.get(str(c).strip(), -1) for c in cat.categories], dtype=np.intp)
    raw = np.asarray(cat.codes)
    codes = np.where(raw >= 0, lookup[raw], -1)
    if (codes < 0).any():
        r = int(np.argmax(codes < 0))
        raise DataError(
            f"unknown {what} {column.iloc[r]!r}; the {what}s are those of "
            f"{'deficit.csv' if what == 'region' else 'theta.csv'}",
            source=str(path),
            location=f"row {r + 2}, column {col!r}",
        )
    return codes


def _no_duplicates(keys: np.ndarray, shape: tuple[int, ...], path: Path, fields: str) -> None:
    flat = np.ravel_multi_index(tuple(keys), shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    if (counts > 1).any():
        dup = np.flatnonzero(counts[flat] > 1)[1]
        raise DataError(f"duplicate ({fields}) key", source=str(path), location=f"row {dup + 2}")


#: Version of the binary copies written by :func:`read_cp2015` (part of the cache key: bump it
#: whenever what the reader returns for given files changes).
_CACHE_VERSION = 1
#: Binary copies kept in the cache folder (the oldest are removed beyond this).
_CACHE_KEEP = 8
_IODATA_ARRAYS = (
    "trade",
    "tariff",
    "tariff_bln",
    "tariff_cfl",
    "d_bln",
    "d_cfl",
    "intermediate",
    "value_added",
    "final",
    "deficit",
    "theta",
)


def cache_dir() -> Path | None:
    """Folder of the binary copies of parsed tables, or None when caching is off.

    ``TARIFFSIM_CACHE_DIR`` names it (empty, ``0`` or ``off`` turns caching off); otherwise
    ``$XDG_CACHE_HOME/tariffsim`` or ``~/.cache/tariffsim``.
    """
    env = os.environ.get("TARIFFSIM_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "false", "no") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "tariffsim"


def _cache_key(paths: Sequence[Path]) -> str:
    """SHA-256 of the reader version and every input file's name, size and bytes."""
    h = hashlib.sha256(f"cp2015 reader v{_CACHE_VERSION}".encode())
    for path in paths:
        blob = path.read_bytes()
        h.update(f"|{path.name}|{len(blob)}|".encode())
        h.update(blob)
    return h.hexdigest()


def _cache_load(key: str, source: str) -> IOData | None:
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"cp2015-{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: np.array(z[k]) for k in _IODATA_ARRAYS}
            regions = tuple(str(r) for r in z["regions"])
            sectors = tuple(str(r) for r in z["sectors"])
        return IOData(regions=regions, sectors=sectors, **arrays, source=source)
    # absent, unreadable, truncated (BadZipFile, EOFError) or stale copy: parse
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, ValueError, DataError) as exc:
        if path.exists():
            log.debug("ignoring unusable cached copy %s (%s)", path, exc)
        return None


def _cache_store(key: str, data: IOData) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cp2015-", suffix=".npz.tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    regions=np.array(data.regions),
                    sectors=np.array(data.sectors),
                    **{k: getattr(data, k) for k in _IODATA_ARRAYS},
                )
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, folder / f"cp2015-{key}.npz")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        old = sorted(folder.glob("cp2015-*.npz"), key=lambda q: q.stat().st_mtime, reverse=True)[_CACHE_KEEP:]
        for q in old:
            q.unlink(missing_ok=True)
    except OSError as exc:  # read-only or full cache folder: the parse result is still returned
        log.debug("cannot write the cp2015 cache in %s (%s)", folder, exc)


def read_cp2015(data_dir: str | os.PathLike) -> IOData:
    """Read the Caliendo-Parro tables from ``data_dir`` (see the module docstring).

    The first read of given files parses the CSVs and writes a binary copy to :func:`cache_dir`;
    later reads of files with the same bytes (the key is a SHA-256 of every file's content) load
    that copy instead of parsing. A changed file changes the key, so a copy is never stale; an
    unwritable cache folder only costs the parse.
    """
    d = Path(data_dir)
    if not d.is_dir():
        raise DataError(f"data folder not found; expected a folder with {', '.join(CP2015_FILES)}", source=str(d))
    order = ("deficit.csv", "theta.csv", "trade.csv", "intermediate_consumption.csv", "value_added.csv")
    paths = {name: _find(d, name) for name in (*order, "final_consumption.csv")}
    if cache_dir() is None:
        return _parse_cp2015(d, paths)
    key = _cache_key(list(paths.values()))
    cached = _cache_load(key, str(d))
    if cached is not None:
        return cached
    data = _parse_cp2015(d, paths)
    _cache_store(key, data)
    return data


def _parse_cp2015(d: Path, paths: dict[str, Path]) -> IOData:
    """Parse the six CSV files (found by :func:`_find`) into IOData."""
    p_def, p_th = paths["deficit.csv"], paths["theta.csv"]
    dfd = _read(p_def, ("region",), ("D",))
    dft = _read(p_th, ("sector",), ("value",))
    regions = tuple(str(r).strip() for r in dfd["region"])
    sectors = tuple(str(r).strip() for r in dft["sector"])
    for names, path, what in ((regions, p_def, "region"), (sectors, p_th, "sector")):
        if len(set(names)) != len(names) or not names:
            raise DataError(f"{what} names must be present and unique", source=str(path), location=f"column {what!r}")
    N, J = len(regions), len(sectors)
    deficit = _numbers(dfd, "D", p_def, negative=True)
    theta = _numbers(dft, "value", p_th)
    if (theta <= 0).any():
        r = int(np.argmax(theta <= 0))
        raise DataError("trade elasticity must be positive", source=str(p_th), location=f"row {r + 2}, column 'value'")

    p_tr = paths["trade.csv"]
    cols = ("sector", "exporter", "importer", "value", "tariff", "tariff_bln", "tariff_cfl", "d_bln", "d_cfl")
    tr = _read(p_tr, cols[:3], cols[3:])
    j = _codes(tr, "sector", sectors, p_tr, "sector")
    i = _codes(tr, "exporter", regions, p_tr, "region")
    n = _codes(tr, "importer", regions, p_tr, "region")
    _no_duplicates(np.stack([n, i, j]), (N, N, J), p_tr, "importer, exporter, sector")
    arrays = {}
    for c in cols[3:]:
        vals = _numbers(tr, c, p_tr, negative=c.startswith("tariff"))
        if c.startswith("tariff") and (vals <= -1).any():
            r = int(np.argmax(vals <= -1))
            raise DataError("tariff at or below -100 %", source=str(p_tr), location=f"row {r + 2}, column {c!r}")
        if c.startswith("d_") and (vals <= 0).any():
            r = int(np.argmax(vals <= 0))
            raise DataError("iceberg change must be positive", source=str(p_tr), location=f"row {r + 2}, column {c!r}")
        a = np.ones((N, N, J)) if c.startswith("d_") else np.zeros((N, N, J))
        a[n, i, j] = vals
        arrays[c] = a

    p_ic = paths["intermediate_consumption.csv"]
    ic = _read(p_ic, ("input", "sector", "region"), ("value",))
    k = _codes(ic, "input", sectors, p_ic, "sector")
    js = _codes(ic, "sector", sectors, p_ic, "sector")
    rs = _codes(ic, "region", regions, p_ic, "region")
    _no_duplicates(np.stack([rs, k, js]), (N, J, J), p_ic, "region, input, sector")
    inter = np.zeros((N, J, J))
    inter[rs, k, js] = _numbers(ic, "value", p_ic, negative=True)

    two = {}
    for name in ("value_added.csv", "final_consumption.csv"):
        p = paths[name]
        df = _read(p, ("sector", "region"), ("value",))
        sj = _codes(df, "sector", sectors, p, "sector")
        sr = _codes(df, "region", regions, p, "region")
        _no_duplicates(np.stack([sr, sj]), (N, J), p, "region, sector")
        a = np.zeros((N, J))
        a[sr, sj] = _numbers(df, "value", p)
        two[name] = a
    return IOData(
        regions=regions,
        sectors=sectors,
        trade=arrays["value"],
        tariff=arrays["tariff"],
        tariff_bln=arrays["tariff_bln"],
        tariff_cfl=arrays["tariff_cfl"],
        d_bln=arrays["d_bln"],
        d_cfl=arrays["d_cfl"],
        intermediate=inter,
        value_added=two["value_added.csv"],
        final=two["final_consumption.csv"],
        deficit=deficit,
        theta=theta,
        source=str(d),
    )


_SHIPPED: IOData | None = None


def shipped_dir() -> Path:
    """Folder of the shipped derived copy (``tariffsim/data/datasets/cp2015``)."""
    from importlib import resources

    return Path(str(resources.files("tariffsim.data").joinpath("datasets", "cp2015")))


def load_shipped() -> IOData:
    """The Caliendo-Parro tables shipped with the package (built by ``data/build/build_cp2015.py``;
    identical to the raw tables up to 12 significant digits, zero trade rows left out)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = read_cp2015(shipped_dir())
    return _SHIPPED


# ----------------------------------------------------------------------------- replication


@dataclass(frozen=True, eq=False)
class CP2015Result:
    """The NAFTA experiment solved.

    by_region : region, welfare_pct, tot_pct, vot_pct, tech_pct, realwage_pct (+ real_income_pct,
        wage_pct, consumer_price_pct); percent, welfare terms in percent of baseline income.
    by_sector : region, sector, output, price and export levels and changes (percent).
    bilateral : exporter, importer, trade_bln, trade_cfl (net of tariffs, USD), trade_change_pct.
    published : the published values for the NAFTA members (:data:`CP2015_PUBLISHED`).
    intra_bloc_pct : each NAFTA member's imports from the other two, change in percent.
    solver : (baseline, counterfactual) convergence facts; seconds : the whole call.
    """

    zero_deficit: bool
    by_region: pd.DataFrame
    by_sector: pd.DataFrame
    bilateral: pd.DataFrame
    published: dict
    intra_bloc_pct: dict
    solver: tuple[SolverInfo, SolverInfo]
    seconds: float
    notes: tuple[str, ...]
    changes: IOChanges = field(repr=False)

    def comparison(self) -> pd.DataFrame:
        """NAFTA members: ours beside the published values (columns ``<measure>`` and ``<measure>_published``)."""
        rows = []
        ours = {str(rec["region"]): rec for rec in self.by_region.to_dict(orient="records")}
        for r in NAFTA:
            row: dict[str, object] = {"region": r}
            for m in ("welfare_pct", "tot_pct", "vot_pct", "tech_pct", "realwage_pct"):
                row[m] = float(ours[r][m])
                row[m + "_published"] = self.published[r][m]
            row["intra_bloc_imports_pct"] = self.intra_bloc_pct[r]
            row["intra_bloc_imports_pct_published"] = CP2015_INTRA_BLOC_PUBLISHED[r] if self.zero_deficit else None
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A small table: ours and published for Mexico, Canada and the US, and the solver facts."""
        case = "zero aggregate deficits" if self.zero_deficit else "1993 deficits held"
        lines = [f"Caliendo-Parro (2015) NAFTA tariff reductions, {case} (percent; published in brackets)"]
        lines.append(f"{'':8}{'welfare':>16}{'terms of trade':>18}{'volume of trade':>18}{'real wage':>16}")
        ours = {str(rec["region"]): rec for rec in self.by_region.to_dict(orient="records")}
        for r in NAFTA:
            cells = []
            for m, w in (("welfare_pct", 16), ("tot_pct", 18), ("vot_pct", 18), ("realwage_pct", 16)):
                cells.append(f"{float(ours[r][m]):+.2f} ({self.published[r][m]:+.2f})".rjust(w))
            lines.append(f"{r:8}" + "".join(cells))
        ib = ", ".join(
            f"{r} {self.intra_bloc_pct[r]:+.0f} %"
            + (f" ({CP2015_INTRA_BLOC_PUBLISHED[r]:+.0f} %)" if self.zero_deficit else "")
            for r in NAFTA
        )
        lines.append(f"intra-bloc imports: {ib}")
        b, c = self.solver
        lines.append(
            f"solver: baseline {b.iterations} steps, residual {b.residual:.1e}; counterfactual {c.iterations} steps, "
            f"residual {c.residual:.1e}; whole call {1e3 * self.seconds:.0f} ms"
        )
        lines.append(f"note: {STRUCTURE_NOTE}")
        return "\n".join(lines)

    def to_csv(self, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
        """Write ``by_region`` with the published columns (NAFTA members) to ``path`` atomically."""
        path = Path(path)
        if not overwrite and path.exists():
            raise OutputExistsError(f"{path} exists; pass overwrite=True to replace it")
        if not path.parent.is_dir():
            raise DataError("output folder does not exist", source=str(path.parent))
        df = self.by_region.copy()
        for m in ("welfare_pct", "tot_pct", "vot_pct", "tech_pct", "realwage_pct"):
            df[m + "_published"] = [self.published.get(r, {}).get(m, np.nan) for r in df["region"]]
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                df.to_csv(fh, index=False, float_format="%.6f")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def to_dict(self) -> dict:
        """JSON-ready: case, comparison, by_region, intra-bloc, solver facts, notes."""
        return {
            "study": "cp2015",
            "zero_deficit": self.zero_deficit,
            "comparison": self.comparison().to_dict(orient="records"),
            "by_region": self.by_region.to_dict(orient="records"),
            "intra_bloc_pct": self.intra_bloc_pct,
            "solver": {"baseline": self.solver[0].to_dict(), "counterfactual": self.solver[1].to_dict()},
            "seconds": self.seconds,
            "notes": list(self.notes),
        }


def intra_bloc(ch: IOChanges, members: Sequence[str] = NAFTA) -> dict[str, float]:
    """Each member's imports (net of tariffs) from the other members, change in percent."""
    idx = {m: region_index(ch.regions, m) for m in members}
    out = {}
    for m, k in idx.items():
        others = [v for o, v in idx.items() if o != m]
        b = ch.baseline.trade[k, others].sum()
        c = ch.counterfactual.trade[k, others].sum()
        out[m] = float(100.0 * (c / b - 1.0))
    return out


def run_experiment(data: IOData, zero_deficit: bool = True, *, tol: float = 1e-10) -> IOChanges:
    """The two solves of the published experiment on ``data``; returns the changes."""
    model = calibrate(data)
    D = np.zeros(data.N) if zero_deficit else data.deficit
    bln = solve_io(model, data.tariff_bln, data.d_bln, D, tol=tol)
    cfl = solve_io(model, data.tariff_cfl, data.d_cfl, D, tol=tol, start=bln)
    return changes(bln, cfl)


def replicate_cp2015(data_dir: str | os.PathLike, zero_deficit: bool = True, *, tol: float = 1e-10) -> CP2015Result:
    """Replicate Caliendo and Parro (2015)'s NAFTA experiment on the tables in ``data_dir``.

    ``zero_deficit=True`` sets deficits to zero in both solves (the paper's section 5.1);
    ``False`` holds the 1993 deficits. Raises DataError for missing or malformed files (naming the
    file and field) and ConvergenceError if a solve fails.
    """
    t0 = time.perf_counter()
    data = read_cp2015(data_dir)
    ch = run_experiment(data, zero_deficit, tol=tol)
    by_region = ch.by_region()
    result = CP2015Result(
        zero_deficit=bool(zero_deficit),
        by_region=by_region,
        by_sector=ch.by_sector(),
        bilateral=ch.bilateral(),
        published=CP2015_PUBLISHED[bool(zero_deficit)],
        intra_bloc_pct=intra_bloc(ch),
        solver=(ch.baseline.solver, ch.counterfactual.solver),
        seconds=time.perf_counter() - t0,
        notes=(
            STRUCTURE_NOTE,
            "changes are counterfactual over baseline solve (both from the same data)",
            "welfare = terms of trade + volume of trade + technical efficiency, percent of baseline income",
        ),
        changes=ch,
    )
    log.info("CP2015: Mexico welfare %.4f %%", float(ch.welfare_pct[region_index(data.regions, "Mexico")]))
    return result


# ----------------------------------------------------------------------------- the seed question


@dataclass(frozen=True, eq=False)
class SeedResult:
    """A tariff on top of the NAFTA (post-1994 tariff) equilibrium, on the Caliendo-Parro tables.

    regions, sectors : names (the data's region names; ``iso3`` gives codes).
    welfare_pct : (N,) exact change of welfare, which in this model is real income I_n/P_n
        (percent from the NAFTA equilibrium); ``real_income_pct`` is the same array.
    welfare_first_order_pct : (N,) the Caliendo-Parro decomposition (terms of trade + volume of
        trade + technical efficiency, percent of income). It is a first-order formula evaluated at
        the reference tariffs; for a 25 % tariff it can differ from the exact change by more than a
        percentage point (``changes`` holds its terms).
    realwage_pct : (N,) ŵ/P̂ − 1 in percent; nominal_income_pct : (N,) Î − 1 in percent (the
        numéraire is world labour income).
    output_pct, real_output_pct : (N, J) gross output change by sector, in value and deflated by
        the sector's input-bundle cost.
    trade_before, trade_after : (N_exporter, N_importer, J) trade at exporter prices, net of
        tariffs, in USD of 1993 (the data's unit).
    tariff_added : (N_importer, N_exporter, J) the tariffs added on top of the NAFTA tariffs.
    changes : the full :class:`IOChanges` (decomposition, prices, by-sector tables).
    notes : what the numbers rest on (the 1993 structure first).
    """

    regions: tuple[str, ...]
    iso3: tuple[str, ...]
    sectors: tuple[str, ...]
    welfare_pct: np.ndarray
    welfare_first_order_pct: np.ndarray
    realwage_pct: np.ndarray
    real_income_pct: np.ndarray
    nominal_income_pct: np.ndarray
    output_pct: np.ndarray
    real_output_pct: np.ndarray
    trade_before: np.ndarray
    trade_after: np.ndarray
    tariff_added: np.ndarray
    rate: float
    retaliation_rate: float | None
    notes: tuple[str, ...]
    changes: IOChanges = field(repr=False)
    solver: tuple[SolverInfo, SolverInfo] = field(repr=False)

    def region(self, code: str) -> dict:
        """Headline numbers of one region (name or ISO3)."""
        k = region_index(self.regions, code)
        return {
            "region": self.regions[k],
            "iso3": self.iso3[k],
            "welfare_pct": float(self.welfare_pct[k]),
            "welfare_first_order_pct": float(self.welfare_first_order_pct[k]),
            "realwage_pct": float(self.realwage_pct[k]),
            "real_income_pct": float(self.real_income_pct[k]),
            "nominal_income_pct": float(self.nominal_income_pct[k]),
        }

    def output_by_sector(self, codes: Sequence[str] = ("MEX", "USA")) -> pd.DataFrame:
        """sector x region table of gross output change (percent, value at exporter prices)."""

        cols = {}
        for c in codes:
            k = region_index(self.regions, c)
            cols[self.iso3[k]] = self.output_pct[k]
        return pd.DataFrame(cols, index=pd.Index(self.sectors, name="sector"))

    def to_dict(self) -> dict:
        """JSON-ready summary: per-region headline numbers and sector outputs of every region."""
        return {
            "model": "ge-io (Caliendo-Parro 2015)",
            "rate": self.rate,
            "retaliation_rate": self.retaliation_rate,
            "notes": list(self.notes),
            "regions": [
                {
                    **self.region(r),
                    "output_pct": dict(zip(self.sectors, map(_finite_or_none, self.output_pct[k]), strict=True)),
                }
                for k, r in enumerate(self.regions)
            ],
        }


def _finite_or_none(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def tariff_on_nafta(
    data: IOData | None = None,
    rate: float = 0.25,
    importer: str = "USA",
    exporters: Sequence[str] = ("MEX",),
    retaliation_rate: float | None = None,
    *,
    zero_deficit: bool = True,
    tol: float = 1e-10,
) -> SeedResult:
    """A ``rate`` tariff by ``importer`` on every good of ``exporters``, on top of the NAFTA
    equilibrium, with optional retaliation (each exporter taxes the importer's goods at
    ``retaliation_rate``).

    Procedure (two solves from the same data, as in the published experiment): the reference is
    the equilibrium at the counterfactual (post-NAFTA) tariffs ``tariff_cfl``; the shock adds
    ``rate`` to the importer's tariffs on the exporters in every sector (and the retaliation rate
    to the exporters' tariffs on the importer); changes are shock/reference. Deficits are zero
    (``zero_deficit=True``, the paper's case) or held at their 1993 values. ``data`` defaults to
    the shipped Caliendo-Parro tables (:func:`tariffsim.replication.cp2015.load_shipped`).

    The structure (shares, input-output links, elasticities) is 1993's; ``notes`` says so.
    """
    if data is None:
        data = load_shipped()
    if not np.isfinite(rate) or rate <= -1:
        raise ScenarioError(f"rate {rate!r} must be a finite share above -1 (0.25 = 25 %)", field="rate")
    if retaliation_rate is not None and (not np.isfinite(retaliation_rate) or retaliation_rate <= -1):
        raise ScenarioError(f"retaliation_rate {retaliation_rate!r} must be above -1", field="retaliation_rate")
    h = region_index(data.regions, importer)
    ex = [region_index(data.regions, e) for e in exporters]
    if h in ex:
        raise ScenarioError("the importer cannot tax itself", field="exporters")
    model = calibrate(data)
    D = np.zeros(data.N) if zero_deficit else data.deficit
    ref = solve_io(model, data.tariff_cfl, data.d_cfl, D, tol=tol)
    add = np.zeros((data.N, data.N, data.J))
    add[h, ex, :] = rate
    if retaliation_rate is not None:
        add[ex, h, :] = retaliation_rate
    shock = solve_io(model, data.tariff_cfl + add, data.d_cfl, D, tol=tol, start=ref)
    ch = changes(ref, shock)
    iso = iso3_codes(data.regions)
    exp_names = ", ".join(iso[e] for e in ex)
    notes = (
        STRUCTURE_NOTE,
        f"reference: the NAFTA equilibrium (1993 data solved at the post-NAFTA tariffs); shock: +{100 * rate:g} pp "
        f"tariff by {iso[h]} on all goods from {exp_names}"
        + (f", retaliation +{100 * retaliation_rate:g} pp on {iso[h]} goods" if retaliation_rate is not None else ""),
        "deficits: zero aggregate deficits (as in Caliendo-Parro 2015, section 5.1)"
        if zero_deficit
        else "deficits: held at their 1993 values",
        "welfare = exact change of real income (income over the consumer price index); "
        "welfare_first_order = the Caliendo-Parro decomposition (terms of trade + volume of trade), a first-order "
        "formula that is not reliable for a 25 % tariff",
        "trade values in USD of 1993 at exporter prices, net of tariffs; output change in value at exporter prices",
    )
    return SeedResult(
        regions=data.regions,
        iso3=tuple(iso),
        sectors=data.sectors,
        welfare_pct=readonly(ch.real_income_pct),
        welfare_first_order_pct=readonly(ch.welfare_pct),
        realwage_pct=readonly(ch.realwage_pct),
        real_income_pct=readonly(ch.real_income_pct),
        nominal_income_pct=readonly(100.0 * (shock.income / ref.income - 1.0)),
        output_pct=readonly(ch.output_pct),
        real_output_pct=readonly(ch.real_output_pct),
        trade_before=readonly(np.transpose(ref.trade, (1, 0, 2))),
        trade_after=readonly(np.transpose(shock.trade, (1, 0, 2))),
        tariff_added=readonly(add),
        rate=float(rate),
        retaliation_rate=None if retaliation_rate is None else float(retaliation_rate),
        notes=notes,
        changes=ch,
        solver=(ref.solver, shock.solver),
    )
