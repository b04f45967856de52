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
import io
import logging
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from .. import limits
from .._lazy import pd
from ..errors import DataError
from ..limits import shown
from ..models.ge_io import IOData
from .textfiles import check_csv, nfc, number_column, read_bytes, unique_names

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

    The file (plain or gzip-compressed; damaged copies are errors naming it) and its shape are
    checked first (:mod:`~tariffsim.inputs.textfiles`). A cell that is not a number makes the fast
    parse fail; the content is then read again as text only to locate and name the offending row
    and column, in the one number syntax of every reader.
    """
    src = str(path)
    columns = (*names, *numbers)
    raw = read_bytes(path, source=src)
    header = check_csv(raw, source=src, columns_read=len(columns))
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(shown(c) for c in header[:20])}",
            source=src,
            location="header",
        )
    dtype: dict = {c: "category" for c in names} | {c: "float64" for c in numbers}
    usecols = [header.index(c) for c in columns]
    try:
        df = pd.read_csv(io.BytesIO(raw), dtype=dtype, usecols=usecols, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot parse as CSV ({shown(str(exc).splitlines()[0], 120)})", source=src) from None
    except (ValueError, TypeError):  # some cell is not a number: find it
        try:
            text = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, usecols=usecols, encoding="utf-8-sig")
        except (ValueError, TypeError, pd.errors.ParserError) as exc:
            raise DataError(f"cannot parse as CSV ({shown(str(exc).splitlines()[0], 120)})", source=src) from None
        for c in numbers:
            number_column(text[c], source=src, where=_cell(c), negative=True, what="value")
        raise DataError("cannot parse as CSV", source=src) from None  # pragma: no cover - defensive
    df.columns = [nfc(str(c)) for c in df.columns]
    for c in numbers:  # a negative zero is zero
        df[c] = df[c].to_numpy(dtype=float) + 0.0
    return df


def _cell(column: str) -> Callable[[int], str]:
    """Names cell ``r`` of ``column`` (rows counted from the header, row 1)."""
    return lambda r: f"row {r + 2}, column {column!r}"


def _numbers(df: pd.DataFrame, col: str, path: Path, *, negative: bool = False) -> np.ndarray:
    vals = df[col].to_numpy(dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any():
        r = int(np.argmax(bad))
        what = "missing value" if np.isnan(vals[r]) else f"non-finite value {vals[r]}"
        raise DataError(f"{what}; expected a finite number", source=str(path), location=f"row {r + 2}, column {col!r}")
    big = np.abs(vals) > limits.MAX_VALUE_USD
    if big.any() and not col.startswith(("tariff", "d_")):
        r = int(np.argmax(big))
        raise DataError(
            f"value {vals[r]:.3g} is above {limits.MAX_VALUE_USD:.0e} USD in size (ten times world GDP); "
            "not a value of these tables",
            source=str(path),
            location=f"row {r + 2}, column {col!r}",
        )
    if col.startswith("tariff") and (vals > limits.MAX_TARIFF).any():
        r = int(np.argmax(vals > limits.MAX_TARIFF))
        raise DataError(
            f"tariff {vals[r]:g} above {limits.MAX_TARIFF:g}; expected a share (0.25 = 25 %)",
            source=str(path),
            location=f"row {r + 2}, column {col!r}",
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
    lookup = np.array([pos.get(nfc(str(c).strip()), -1) for c in cat.categories], dtype=np.intp)
    raw = np.asarray(cat.codes)
    codes = np.where(raw >= 0, lookup[raw], -1)
    if (codes < 0).any():
        r = int(np.argmax(codes < 0))
        raise DataError(
            f"unknown {what} {shown(column.iloc[r])}; the {what}s are those of "
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
_CACHE_VERSION = 2  # 2: the copy stores its key; checked on load


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
    """SHA-256 of the reader version and every input file's name, size and bytes (read in
    chunks, each file first checked to be a regular file within the size limit)."""
    h = hashlib.sha256(f"cp2015 reader v{_CACHE_VERSION}".encode())
    for path in paths:
        limits.check_input_file(path, source=str(path))
        h.update(f"|{path.name}|{path.stat().st_size}|".encode())
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError as exc:
            raise DataError(f"cannot read ({exc.strerror or exc})", source=str(path)) from None
    return h.hexdigest()


def _shapes(n: int, j: int) -> dict[str, tuple[int, ...]]:
    """The shape of every array of an IOData with ``n`` regions and ``j`` sectors."""
    cube = (n, n, j)
    return {
        **{k: cube for k in ("trade", "tariff", "tariff_bln", "tariff_cfl", "d_bln", "d_cfl")},
        "intermediate": (n, j, j),
        "value_added": (n, j),
        "final": (n, j),
        "deficit": (n,),
        "theta": (j,),
    }


class _Stale(Exception):
    """A cached copy that does not belong to its key (why, in words)."""


def _cache_load(key: str, source: str, regions: tuple[str, ...], sectors: tuple[str, ...]) -> IOData | None:
    """The cached copy of the tables with this ``key``, if there is one and it is what it claims
    to be: its stored key, region and sector labels equal the ones expected (read from deficit.csv
    and theta.csv), every array has its shape (checked in the archive's directory before anything
    is read, so a forged copy cannot make this allocate more than the real tables), its dtype and
    finite values. Anything else (absent, truncated, corrupt, forged or another key's copy) returns
    None and the CSV files are parsed again; a copy that is there but wrong is logged as such."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / f"cp2015-{key}.npz"
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None  # absent (or the cache folder is unusable): parse
    try:
        if not stat.S_ISREG(st.st_mode):
            raise _Stale("not a regular file")
        shapes = _shapes(len(regions), len(sectors))
        budget = {k: 8 * int(np.prod(v)) + 1024 for k, v in shapes.items()}
        labels_budget = 4 * (sum(map(len, regions)) + sum(map(len, sectors)) + 64) * 8 + 4096
        with zipfile.ZipFile(path) as zf:
            members = {i.filename.removesuffix(".npy"): i for i in zf.infolist()}
            expected = {*shapes, "regions", "sectors", "key"}
            if set(members) != expected:
                raise _Stale(f"holds {sorted(members)[:20]}, not the arrays of the tables")
            for name, info in members.items():
                if info.file_size > budget.get(name, labels_budget):
                    raise _Stale(f"{name} is {info.file_size:,} bytes, larger than the tables' shape allows")
        with np.load(path, allow_pickle=False) as z:
            stored_key = str(np.asarray(z["key"]).reshape(-1)[0]) if np.asarray(z["key"]).size == 1 else ""
            if stored_key != key:
                raise _Stale("its stored key is another file set's")
            got_regions = tuple(str(r) for r in z["regions"])
            got_sectors = tuple(str(r) for r in z["sectors"])
            if got_regions != regions or got_sectors != sectors:
                raise _Stale("its regions or sectors differ from those of deficit.csv and theta.csv")
            arrays = {}
            for k, shape in shapes.items():
                a = z[k]
                if a.dtype != np.float64 or a.shape != shape:
                    raise _Stale(f"{k} has shape {a.shape} and type {a.dtype}; expected {shape} float64")
                arrays[k] = np.array(a)
        return IOData(regions=regions, sectors=sectors, **arrays, source=source)
    except (_Stale, OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, DataError) as exc:
        log.warning(
            "cached copy %s of the tables in %s is unusable (%s); parsing the CSV files again", path, source, exc
        )
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
                    key=np.array([key]),
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
        _cache_prune(folder)
    except OSError as exc:  # read-only or full cache folder: the parse result is still returned
        log.debug("cannot write a cached copy of the cp2015 tables in %s (%s)", folder, exc)


def _cache_prune(folder: Path) -> None:
    """Keep the newest :data:`_CACHE_KEEP` copies (another process may remove some meanwhile)."""
    dated = []
    for q in folder.glob("cp2015-*.npz"):
        try:
            dated.append((q.stat().st_mtime, q))
        except OSError:
            continue
    for _, q in sorted(dated, reverse=True)[_CACHE_KEEP:]:
        q.unlink(missing_ok=True)


def read_cp2015(data_dir: str | os.PathLike) -> IOData:
    """Read the Caliendo-Parro tables from ``data_dir`` (see the module docstring).

    The first read of given files parses the CSVs and writes a binary copy to :func:`cache_dir`;
    later reads of files with the same bytes (the key is a SHA-256 of every file's content) load
    that copy instead of parsing. A changed file changes the key, so a copy is never stale; a copy
    is trusted only when it is what it claims to be (:func:`_cache_load`: its stored key, the
    labels of deficit.csv and theta.csv, every array's shape), and otherwise parsed again and
    replaced; an unwritable cache folder only costs the parse.
    """
    d = Path(data_dir)
    if not d.is_dir():
        raise DataError(f"data folder not found; expected a folder with {', '.join(CP2015_FILES)}", source=str(d))
    order = ("deficit.csv", "theta.csv", "trade.csv", "intermediate_consumption.csv", "value_added.csv")
    paths = {name: _find(d, name) for name in (*order, "final_consumption.csv")}
    labels = _parse_labels(paths)
    if cache_dir() is None:
        return _parse_cp2015(d, paths, labels)
    key = _cache_key(list(paths.values()))
    cached = _cache_load(key, str(d), labels[0], labels[1])
    if cached is not None:
        return cached
    data = _parse_cp2015(d, paths, labels)
    _cache_store(key, data)
    return data


_Labels = tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray]


def _parse_labels(paths: dict[str, Path]) -> _Labels:
    """Regions (deficit.csv) and sectors (theta.csv) in NFC, unique; the deficits and θ."""
    p_def, p_th = paths["deficit.csv"], paths["theta.csv"]
    dfd = _read(p_def, ("region",), ("D",))
    dft = _read(p_th, ("sector",), ("value",))
    names = {}
    for frame, col, path, what in ((dfd, "region", p_def, "region"), (dft, "sector", p_th, "sector")):
        raw = [str(r).strip() for r in frame[col]]
        if not raw or not all(raw):
            raise DataError(f"{what} names must be present", source=str(path), location=f"column {what!r}")
        names[what] = unique_names(raw, source=str(path), what=what, location=f"column {what!r}")
    regions, sectors = names["region"], names["sector"]
    limits.check_matrix(len(regions), len(sectors), source=str(p_def))
    deficit = _numbers(dfd, "D", p_def, negative=True)
    theta = _numbers(dft, "value", p_th)
    if (theta <= 0).any():
        r = int(np.argmax(theta <= 0))
        raise DataError("trade elasticity must be positive", source=str(p_th), location=f"row {r + 2}, column 'value'")
    return regions, sectors, deficit, theta


def _parse_cp2015(d: Path, paths: dict[str, Path], labels: _Labels) -> IOData:
    """Parse the CSV files (found by :func:`_find`) into IOData, given the labels and the two
    label tables' values (:func:`_parse_labels`)."""
    regions, sectors, deficit, theta = labels
    N, J = len(regions), len(sectors)

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
