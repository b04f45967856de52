"""Reading the text files users bring: size, compression, encoding, shape, numbers and names
checked before anything is parsed or allocated.

Every CSV reader of the package (:mod:`~tariffsim.inputs.loaders`,
:mod:`~tariffsim.inputs.calibrations`, :mod:`~tariffsim.inputs.io_tables`) reads its file with
:func:`read_csv_frame` (or :func:`read_bytes` and :func:`check_csv`), so one rule holds for all:

* **size**: a regular file of at most :data:`~tariffsim.limits.MAX_DATA_FILE_BYTES`
  (:func:`tariffsim.limits.check_input_file`);
* **compression**, told by the first bytes, not the name: gzip, bzip2 and xz files are
  decompressed here, at most :data:`~tariffsim.limits.MAX_DATA_FILE_BYTES` of content; a file cut
  short, corrupt, or named ``.gz`` (``.bz2``, ``.xz``) without being so compressed is an error
  naming it; zip archives (an ``.xlsx`` workbook is one), zstd and 7-Zip files are refused with a
  word on what to do;
* **encoding**: UTF-16 and NUL bytes are refused (the readers decode UTF-8, some also Latin-1);
* **shape**, scanned on the bytes before pandas allocates anything: lines of at most
  :data:`~tariffsim.limits.MAX_LINE_BYTES`, cells of at most
  :data:`~tariffsim.limits.MAX_CELL_BYTES`, a header of at most
  :data:`~tariffsim.limits.MAX_CSV_COLUMNS` columns whose names are unique after Unicode
  normalisation, and at most :data:`~tariffsim.limits.MAX_TEXT_CELLS` cells read as text;
* **numbers** (:func:`number_column`): one syntax in every reader, decimal numbers with a point
  and an optional exponent (``1234.5``, ``-0.25``, ``1.2e6``), spaces around them allowed; no
  thousands separators, decimal commas, underscores or non-ASCII digits; ``nan`` and ``inf`` are
  not numbers; a negative zero is read as zero;
* **names** (:func:`nfc`): text is put in Unicode normalisation form C, so two spellings of
  ``Côte d'Ivoire`` that print the same are the same name (and a duplicate).

Error messages quote at most :data:`~tariffsim.limits.MAX_SHOWN_CHARS` characters of a bad value.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import os
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import limits
from .._lazy import pd
from ..errors import DataError, LimitError, TariffSimError
from ..limits import shown

__all__ = [
    "COMPRESSIONS",
    "sniff_compression",
    "read_bytes",
    "check_text",
    "check_csv",
    "read_csv_frame",
    "parse_numbers",
    "number_column",
    "nfc",
    "nfc_frame",
    "unique_names",
]

#: Compressed formats read here (decompressed by the standard library): first bytes, file suffixes.
COMPRESSIONS: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "gzip": ((b"\x1f\x8b",), (".gz", ".gzip", ".tgz")),
    "bzip2": ((b"BZh",), (".bz2",)),
    "xz": ((b"\xfd7zXZ\x00",), (".xz",)),
}
#: Archives and compressors that are refused, with what to do instead.
_REFUSED: dict[str, tuple[tuple[bytes, ...], tuple[str, ...], str]] = {
    "zip": (
        (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"),
        (".zip", ".xlsx", ".xlsm", ".ods"),
        "a zip archive (an Excel workbook is one); extract the CSV file from it, or save the sheet as CSV",
    ),
    "zstd": ((b"\x28\xb5\x2f\xfd",), (".zst", ".zstd"), "zstd-compressed; decompress it, or compress it with gzip"),
    "7z": ((b"7z\xbc\xaf\x27\x1c",), (".7z",), "a 7-Zip archive; extract the CSV file from it"),
}
_BZ2_BLOCKS = (b"1AY&SY", b"\x17rE8P\x90")  # first block or end of stream, after 'BZh' and the level


def sniff_compression(head: bytes) -> str | None:
    """The compression or archive format of a file starting with ``head`` (``"gzip"``,
    ``"bzip2"``, ``"xz"``, ``"zip"``, ``"zstd"``, ``"7z"``), None for anything else."""
    for name, (magics, _) in COMPRESSIONS.items():
        if head.startswith(magics):
            if name == "bzip2" and len(head) >= 10 and not (head[3:4] in b"123456789" and head[4:10] in _BZ2_BLOCKS):
                continue  # a text that happens to start with 'BZh'
            return name
        if head and len(head) < max(map(len, magics)) and any(m.startswith(head) for m in magics):
            return name  # a file cut short inside its signature
    for name, (magics, _, _) in _REFUSED.items():
        if head.startswith(magics):
            return name
    return None


def _named(path: Path) -> str | None:
    suffix = path.suffix.lower()
    for name, (_, suffixes) in COMPRESSIONS.items():
        if suffix in suffixes:
            return name
    for name, (_, suffixes, _) in _REFUSED.items():
        if suffix in suffixes:
            return name
    return None


def _fail(error: type[TariffSimError], message: str, source: str) -> TariffSimError:
    return error(message, source=source)  # type: ignore[call-arg]


def _decompress(raw: bytes, fmt: str, *, source: str, error: type[TariffSimError], max_bytes: int) -> bytes:
    """The content of a gzip, bzip2 or xz file, at most ``max_bytes``; a file cut short or
    corrupt is ``error`` naming ``source``."""
    opener: Callable[[io.BytesIO], Any] = {
        "gzip": lambda f: gzip.GzipFile(fileobj=f, mode="rb"),
        "bzip2": lambda f: bz2.BZ2File(f, mode="rb"),
        "xz": lambda f: lzma.LZMAFile(f, mode="rb"),
    }[fmt]
    chunks: list[bytes] = []
    total = 0
    try:
        with opener(io.BytesIO(raw)) as fh:
            while block := fh.read(1 << 20):
                total += len(block)
                if total > max_bytes:
                    raise LimitError(
                        f"{source}: the {fmt} file holds more than {max_bytes:,} bytes once decompressed "
                        f"(the limit for a data file; it is {len(raw):,} bytes compressed)",
                        field="size",
                    )
                chunks.append(block)
    except LimitError:
        raise
    except EOFError:
        raise _fail(
            error,
            f"the {fmt} file is cut short (truncated after {len(raw):,} bytes); copy or download it again",
            source,
        ) from None
    except (OSError, zlib.error, lzma.LZMAError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _fail(
            error, f"the {fmt} file is damaged ({shown(reason, 80)}); copy or download it again", source
        ) from None
    return b"".join(chunks)


def read_bytes(
    path: str | os.PathLike[str],
    *,
    kind: str = "CSV file",
    error: type[TariffSimError] = DataError,
    source: str | None = None,
    max_bytes: int | None = None,
    compressed: bool = True,
) -> bytes:
    """The content of the text file ``path`` (decompressed when it is gzip, bzip2 or xz and
    ``compressed``), checked as the module docstring says; every problem is ``error`` naming
    ``source`` (default: the path); ``max_bytes`` defaults to
    :data:`~tariffsim.limits.MAX_DATA_FILE_BYTES` (as stored and as decompressed)."""
    max_bytes = limits.MAX_DATA_FILE_BYTES if max_bytes is None else max_bytes
    p = limits.check_input_file(path, max_bytes=max_bytes, kind=kind, error=error, source=source)
    src = source or str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise _fail(error, f"cannot read ({exc.strerror or exc})", src) from None
    if len(raw) > max_bytes:  # it grew since it was measured
        raise LimitError(f"{src}: more than {max_bytes:,} bytes, the limit for a {kind}", field="size")
    fmt, named = sniff_compression(raw[:16]), _named(p)
    if named is not None and named != fmt and named in COMPRESSIONS:
        what = f"{fmt}-compressed" if fmt else f"not {named}-compressed (it starts with {shown(raw[:8], 16)})"
        raise _fail(error, f"the name says {named} ({p.suffix}) but the file is {what}; rename or recompress it", src)
    if fmt in _REFUSED:
        raise _fail(error, f"{_REFUSED[fmt][2]}; expected a {kind}", src)
    if fmt in COMPRESSIONS:
        if not compressed:
            raise _fail(error, f"{fmt}-compressed; expected an uncompressed {kind}", src)
        raw = _decompress(raw, fmt, source=src, error=error, max_bytes=max_bytes)
    check_text(raw, source=src, error=error, kind=kind)
    return raw


def check_text(raw: bytes, *, source: str, error: type[TariffSimError] = DataError, kind: str = "CSV file") -> None:
    """Not UTF-16 or UTF-32 (a byte-order mark), no NUL bytes (a binary file)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(error, "the file is UTF-16 (byte-order mark); save it as UTF-8", source)
    if b"\x00" in raw:
        raise _fail(error, f"binary file (NUL bytes); expected a {kind}", source)


# ----------------------------------------------------------------------------- shape

_CHUNK = 1 << 22


def _first_long_gap(raw: bytes, seps: Sequence[int], limit: int) -> tuple[int, int] | None:
    """(length, line number) of the first run of bytes between two of ``seps`` (or the ends)
    longer than ``limit``; None when there is none. Scanned in chunks (bounded memory)."""
    mv = memoryview(raw)
    prev = -1  # offset of the last separator seen
    lines_before = 0  # newlines before the current chunk
    for off in range(0, len(raw), _CHUNK):
        a = np.frombuffer(mv[off : off + _CHUNK], dtype=np.uint8)
        is_sep = a == seps[0]
        for s in seps[1:]:
            is_sep |= a == s
        pos = np.flatnonzero(is_sep) + off
        if pos.size:
            starts = np.concatenate(([prev], pos[:-1]))
            gaps = pos - starts - 1
            bad = np.flatnonzero(gaps > limit)
            if bad.size:
                at = int(pos[bad[0]])
                line = lines_before + int(np.count_nonzero(a[: at - off] == 10)) + 1
                return int(gaps[bad[0]]), line
            prev = int(pos[-1])
        lines_before += int(np.count_nonzero(a == 10))
        del a, is_sep, pos
    tail = len(raw) - prev - 1
    if tail > limit:
        return tail, lines_before + 1
    return None


def _count_lines(raw: bytes) -> int:
    n = raw.count(b"\n")
    return n + (1 if raw and not raw.endswith(b"\n") else 0)


def check_csv(
    raw: bytes,
    *,
    source: str,
    error: type[TariffSimError] = DataError,
    columns_read: int | None = None,
    header: bool = True,
    unique: bool = True,
) -> tuple[str, ...]:
    """Check the shape of CSV content before parsing (module docstring) and return its header's
    column names (NFC, stripped of a UTF-8 byte-order mark; ``()`` without ``header``).

    ``columns_read``: how many columns the reader keeps (default: all), for the cell limit;
    ``unique``: two columns of the same (non-empty) name are an error (pandas would rename one).
    """
    long_line = _first_long_gap(raw, (10,), limits.MAX_LINE_BYTES)
    if long_line is not None:
        n, line = long_line
        raise LimitError(
            f"{source}: line {line} is {n:,} bytes long, above the limit of {limits.MAX_LINE_BYTES:,} bytes "
            "for a line of a data file",
            field="line",
        )
    long_cell = _first_long_gap(raw, (10, 44), limits.MAX_CELL_BYTES)
    if long_cell is not None:
        n, line = long_cell
        raise LimitError(
            f"{source}: line {line} has a cell of {n:,} bytes, above the limit of {limits.MAX_CELL_BYTES:,} bytes "
            "for a cell of a data file",
            field="cell",
        )
    first = raw[: raw.find(b"\n") + 1 or len(raw)]
    text = first.decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        names = next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise _fail(error, f"cannot parse the first line as CSV ({exc})", source) from None
    if len(names) > limits.MAX_CSV_COLUMNS:
        raise LimitError(
            f"{source}: line 1 has {len(names):,} columns, above the limit of {limits.MAX_CSV_COLUMNS:,} "
            "columns for a data file",
            field="columns",
        )
    lines = _count_lines(raw)
    cells = max(lines - (1 if header else 0), 0) * (columns_read or max(len(names), 1))
    if cells > limits.MAX_TEXT_CELLS:
        raise LimitError(
            f"{source}: {lines:,} lines x {columns_read or len(names):,} columns = {cells:,} cells, above the limit "
            f"of {limits.MAX_TEXT_CELLS:,} cells for a data file read as text; split or filter the file",
            field="cells",
        )
    if not header:
        return ()
    out = tuple(nfc(c) for c in names)
    if unique:
        unique_names([c for c in names if c.strip()], source=source, what="column", location="line 1", error=error)
    return out


def read_csv_frame(
    path: str | os.PathLike[str],
    *,
    kind: str = "CSV file",
    error: type[TariffSimError] = DataError,
    source: str | None = None,
    encodings: Sequence[str] = ("utf-8-sig",),
    usecols: Sequence[str] | None = None,
    normalise: bool = True,
    **read_csv: Any,
) -> pd.DataFrame:
    """``pd.read_csv`` of a user file after :func:`read_bytes` and :func:`check_csv`: every
    problem is one ``error`` naming the file. ``encodings`` are tried in order (a file that is
    none of them is an error); column names and text cells are put in NFC (``normalise``).
    ``usecols`` keeps only those columns (missing ones are the caller's error to report: they are
    dropped from the request)."""
    src = source or os.fspath(path)
    raw = read_bytes(path, kind=kind, error=error, source=src)
    columns = check_csv(raw, source=src, error=error, columns_read=len(usecols) if usecols else None)
    if usecols is not None:
        keep = [c for c in usecols if c in columns]
        read_csv["usecols"] = [columns.index(c) for c in keep] if len(set(columns)) == len(columns) else keep
    last: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            df = pd.read_csv(io.BytesIO(raw), encoding=enc, **read_csv)
            break
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, TypeError, csv.Error) as exc:
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise _fail(error, f"cannot parse as CSV ({shown(first, 120)})", src) from None
        except MemoryError:  # pragma: no cover - the limits above are meant to prevent it
            raise LimitError(f"{src}: not enough memory to read the file", field="size") from None
    else:
        assert last is not None
        bad = last.object[last.start] if isinstance(last.object, bytes | bytearray) else 0
        raise _fail(error, f"not a UTF-8 text file (byte 0x{bad:02x} at offset {last.start:,}); save it as UTF-8", src)
    if normalise and not raw.isascii():
        df = nfc_frame(df)
    return df


# ----------------------------------------------------------------------------- numbers


def parse_numbers(cells: pd.Series | Sequence[str]) -> np.ndarray:
    """Text cells as float64 in the package's one number syntax (module docstring): NaN for an
    empty cell or anything else; a negative zero becomes zero. Vectorised (pandas' exact
    decimal conversion, the one ``read_csv`` uses)."""
    s = cells if isinstance(cells, pd.Series) else pd.Series(list(cells), dtype=object)
    obj = s.astype(object)
    vals = pd.to_numeric(obj, errors="coerce")
    out = np.array(pd.Series(vals).to_numpy(dtype=float, na_value=np.nan), dtype=float)  # a copy
    out[~np.isfinite(out)] = np.nan  # 'inf', 'nan' are words, not numbers; 1e999 overflows
    if out.size and not np.isnan(out).all():  # pandas also reads '+2E 2' (a space inside): not a number
        inner = obj.astype(str).str.contains(r"\S[ \t\r\n\x0b\x0c]+\S", regex=True).to_numpy(dtype=bool)
        out[inner] = np.nan
    return out + 0.0


def _hint(text: str) -> str:
    t = text.strip()
    if "," in t:
        return " (no thousands separators or decimal commas: write 1234.5)"
    if "_" in t:
        return " (no underscores in numbers)"
    if "%" in t:
        return " (write shares and percent values without a % sign)"
    if not t.isascii():
        return " (ASCII digits only)"
    return ""


def number_column(
    cells: pd.Series | Sequence[str],
    *,
    source: str,
    where: Callable[[int], str],
    empty: str = "error",
    negative: bool = False,
    what: str = "value",
    error: type[TariffSimError] = DataError,
) -> np.ndarray:
    """Parse text ``cells`` (:func:`parse_numbers`) and check them: ``where(i)`` names cell ``i``
    (e.g. ``"row 5, column 'value'"``). ``empty``: ``"error"`` (a missing value is an error),
    ``"zero"`` or ``"nan"`` (kept as NaN). Negative values are errors unless ``negative``. Returns
    float64 with no negative zero."""
    s = cells if isinstance(cells, pd.Series) else pd.Series(list(cells), dtype=object)
    text = s.astype(object).where(s.notna(), "").astype(str)
    vals = parse_numbers(text)
    blank = (text.str.strip() == "").to_numpy()
    nan = np.isnan(vals)
    bad = nan & ~blank
    if bad.any():
        r = int(np.argmax(bad))
        cell = str(text.iloc[r])
        low = cell.strip().lower().lstrip("+-")
        if low in ("inf", "infinity", "nan") or (cell.strip() and _overflows(cell)):
            msg = f"non-finite value {shown(cell)}; expected a finite number"
        else:
            msg = f"not a number: {shown(cell)}; expected a number like 1234.5 or 1.2e6{_hint(cell)}"
        raise error(msg, source=source, location=where(r))  # type: ignore[call-arg]
    if blank.any():
        if empty == "error":
            r = int(np.argmax(blank))
            raise error(f"missing {what}; expected a number", source=source, location=where(r))  # type: ignore[call-arg]
        if empty == "zero":
            vals[blank] = 0.0
    if not negative:
        neg = vals < 0
        if neg.any():
            r = int(np.argmax(neg))
            raise error(  # type: ignore[call-arg]
                f"negative {what} {vals[r]:g}; expected a value >= 0", source=source, location=where(r)
            )
    return vals


def _overflows(cell: str) -> bool:
    try:
        return not np.isfinite(float(cell.strip()))
    except ValueError:
        return False


# ----------------------------------------------------------------------------- names


def nfc(text: str) -> str:
    """``text`` in Unicode normalisation form C (composed: 'é' is one character)."""
    return unicodedata.normalize("NFC", text) if not text.isascii() else text


def nfc_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Column names and text cells of ``df`` in NFC (a frame read from a non-ASCII file)."""
    df = df.rename(columns=lambda c: nfc(c) if isinstance(c, str) else c)
    for c in df.columns:
        col = df[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            df[c] = col.str.normalize("NFC") if pd.api.types.is_string_dtype(col.dtype) else col.map(_nfc_any)
    return df


def _nfc_any(v: object) -> object:
    return nfc(v) if isinstance(v, str) else v


def unique_names(
    names: Iterable[str],
    *,
    source: str,
    what: str,
    location: str | None = None,
    error: type[TariffSimError] = DataError,
    field: str | None = None,
) -> tuple[str, ...]:
    """``names`` in NFC; two that are equal after normalisation are an ``error`` naming both
    places (``what``: 'column', 'region', 'set' ...)."""
    out: list[str] = []
    raws: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(names):
        n = nfc(raw)
        if n in seen:
            j = seen[n]
            same = "" if raw == raws[j] else " (the same after Unicode normalisation)"
            msg = f"duplicated {what} {shown(n)} (positions {j + 1} and {i + 1}){same}"
            if field is not None:
                raise error(msg, source=source, field=field)  # type: ignore[call-arg]
            raise error(msg, source=source, location=location)  # type: ignore[call-arg]
        seen[n] = i
        out.append(n)
        raws.append(raw)
    return tuple(out)
