"""Input-output tables in the Caliendo-Parro layout, read into the arrays of the multi-sector model.

``read_cp2015(data_dir)`` reads the six long CSV files of the public R package ``cp2015``
(paulofelipe/cp2015, MIT; the folder ``../shared/data/cp2015`` beside the project): ``trade.csv``
(sector, exporter, importer, value net of tariffs in USD, tariff, tariff_bln, tariff_cfl, d_bln,
d_cfl), ``intermediate_consumption.csv`` (input, sector, region, value), ``final_consumption.csv``
and ``value_added.csv`` (sector, region, value), ``deficit.csv`` (region, D) and ``theta.csv``
(sector, value). Each file may also be gzipped (``*.csv.gz``), which is how the package ships its
derived copies (:func:`load_shipped`).

Reading rules: regions are those of ``deficit.csv`` and sectors those of ``theta.csv``, in file
order; a (region, sector) pair absent from a table is a zero (the shipped copy leaves out zero
trade rows); a name not in those lists, a duplicated key, a non-number, a negative trade value, a
tariff at or below -100 % or a non-positive iceberg change is a :class:`~tariffsim.errors.DataError`
naming the file, the row and the field. Intermediate use may be negative (one cell of the 1993
data, Canada's use of "Other" in "Basic metals", is -9.5 million USD); gross output must be positive.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..models.ge_io import IOData

__all__ = ["CP2015_FILES", "read_cp2015", "cache_dir", "shipped_dir", "load_shipped"]

log = logging.getLogger(__name__)


CP2015_FILES = (
    "trade.csv",
    "intermediate_consumption.csv",
    "final_consumption.csv",
    "value_added.csv",
    "deficit.csv",
    "theta.csv",
)


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

    return Path(str(resources.files("tariffsim.data").joinpath("datasets", "cp2015")))


def load_shipped() -> IOData:
    """The Caliendo-Parro tables shipped with the package (built by ``data/build/build_cp2015.py``;
    identical to the raw tables up to 12 significant digits, zero trade rows left out)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = read_cp2015(shipped_dir())
    return _SHIPPED
