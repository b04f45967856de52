"""Readers for the trade data users bring, with validation that names the file, row and field.

* :func:`read_matrix_csv`: a square exporter x importer matrix with a labels file and GDP (the
  ilms2025 layout);
* :func:`read_baci`: CEPII BACI's long CSV (t, i, j, k, v, q) with its country-code file, HS6
  aggregated to the model sectors;
* :func:`read_long_csv`: one row per flow (exporter, importer, [sector], value, [tariff]);
* :func:`read_gdp_csv`, :func:`read_mapping_csv`; :func:`load_data_spec` resolves what a scenario
  names as its data.

Values are converted to US dollars at the boundary (``units=``); countries to ISO3 codes through
pycountry. Every reader returns a :class:`~tariffsim.inputs.datasets.TradeData`.
"""

from __future__ import annotations

import csv
import inspect
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from .. import limits
from .._lazy import pd
from ..errors import CountryCodeError, DataError
from ..limits import shown
from .countries import to_iso3
from .datasets import TOTAL_SECTOR, TradeData, available_datasets, hs2_sector_map, load_dataset, unit_factor
from .textfiles import check_csv, nfc, number_column, read_bytes, read_csv_frame

__all__ = [
    "read_matrix_csv",
    "read_baci",
    "read_long_csv",
    "read_gdp_csv",
    "read_mapping_csv",
    "load_data_spec",
    "DATA_FORMATS",
]


def _check_units_plausible(
    values: np.ndarray, gdp: np.ndarray | None, countries: Sequence[str], source: str, units: str
) -> None:
    """Catch trade declared in the wrong unit: exports compared with GDP (both in USD)."""
    if gdp is None:
        return
    exports = values.sum(axis=(1, 2))
    ok = (exports > 0) & np.isfinite(gdp) & (gdp > 0)
    if ok.sum() == 0:
        return
    ratio = exports[ok] / gdp[ok]
    med = float(np.median(ratio))
    worst = int(np.argmax(ratio))
    if med > 2.0 or ratio[worst] > 20.0:
        code = np.asarray(countries)[ok][worst]
        raise DataError(
            f"exports are {med:.3g} times GDP at the median ({code}: {ratio[worst]:.3g}); "
            f"the trade values are probably not in {units!r} (check the units argument)",
            source=source,
            location="units",
        )
    if med < 1e-5:
        raise DataError(
            f"exports are {med:.3g} of GDP at the median; the trade values are probably not in "
            f"{units!r} (check the units argument)",
            source=source,
            location="units",
        )


def read_mapping_csv(path: str | Path, *, key: str | None = None, value: str | None = None) -> dict[str, str]:
    """A two-column mapping table (e.g. country -> region, HS2 -> sector) as a dict."""
    path = Path(path)
    df = _read_csv(path, dtype=str, keep_default_na=False)
    if df.shape[1] < 2 and (key is None or value is None):
        raise DataError(f"{df.shape[1]} column(s); expected two (key, value)", source=str(path), location="line 1")
    key = nfc(key) if key else str(df.columns[0])
    value = nfc(value) if value else str(df.columns[1])
    for col in (key, value):
        if col not in df.columns:
            raise DataError(f"missing column {shown(col)}; it has {_columns(df)}", source=str(path))
    keys = df[key].astype(str).str.strip()
    dup = keys.duplicated()
    if dup.any():
        r = int(np.argmax(dup.to_numpy()))
        raise DataError(
            f"duplicated key {shown(keys.iloc[r])}", source=str(path), location=f"row {r + 2}, column {shown(key)}"
        )
    return dict(zip(keys, df[value].astype(str).str.strip(), strict=False))


def _columns(df: pd.DataFrame) -> str:
    """The columns of ``df`` for a message (at most 20, each cut short)."""
    names = [shown(str(c)) for c in df.columns[:20]]
    more = f", ... ({len(df.columns):,} columns)" if len(df.columns) > 20 else ""
    return "[" + ", ".join(names) + more + "]"


# --------------------------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------------------------


def _read_csv(path: Path, **kw: Any) -> pd.DataFrame:
    """A user's CSV (plain, or gzip, bzip2, xz) checked and parsed by
    :func:`~tariffsim.inputs.textfiles.read_csv_frame`: every problem is a DataError naming it."""
    return read_csv_frame(path, **kw)


def _check_magnitude(
    raw: np.ndarray,
    factor: float,
    source: str,
    where: Callable[[tuple[np.intp, ...]], str],
    *,
    what: str = "trade flow",
) -> None:
    """Values (``raw`` in the file's unit, ``factor`` USD each) above
    :data:`tariffsim.limits.MAX_VALUE_USD` are not trade flows or GDPs (and would overflow the
    models' sums); checked before converting; ``where(index)`` names the cell."""
    big = raw > limits.MAX_VALUE_USD / factor
    if big.any():
        idx = np.unravel_index(int(np.argmax(big)), raw.shape)
        raise DataError(
            f"value {raw[idx]:.3g} (x {factor:g} USD) is above {limits.MAX_VALUE_USD:.0e} USD (ten times "
            f"world GDP); not a {what} (check the units argument)",
            source=source,
            location=where(idx),
        )


def _numeric_column(df: pd.DataFrame, col: str, source: str, *, header_rows: int = 1) -> np.ndarray:
    """A column of non-negative numbers (:func:`~tariffsim.inputs.textfiles.number_column`)."""
    return number_column(
        df[col], source=source, where=lambda r: f"row {r + 1 + header_rows}, column {shown(col)}", what="value"
    )


def _tariff_column(cells: pd.Series, source: str, column: str) -> np.ndarray:
    """Baseline tariffs: shares in :data:`~tariffsim.limits.TARIFF_BOUNDS`, an empty cell is zero."""
    where = lambda r: f"row {r + 2}, column {shown(column)}"  # noqa: E731
    tv = number_column(cells, source=source, where=where, empty="zero", negative=True, what="tariff")
    bad = (tv < limits.MIN_TARIFF) | (tv > limits.MAX_TARIFF)
    if bad.any():
        r = int(np.argmax(bad))
        raise DataError(
            f"tariff {shown(str(cells.iloc[r]).strip())} outside {limits.TARIFF_BOUNDS}; expected a share (0.25 = 25 %)",
            source=source,
            location=where(r),
        )
    return tv


def _gdp_column(raw: pd.Series, source: str, column: str, *, labels: Sequence[str]) -> np.ndarray:
    """Every GDP must be a positive finite number; the error names the row, column and country."""
    where = lambda r: f"row {r + 2}, column {shown(column)}"  # noqa: E731
    vals = number_column(raw, source=source, where=where, empty="nan", negative=True, what="GDP")
    bad = ~np.isfinite(vals) | (vals <= 0)
    if bad.any():
        r = int(np.argmax(bad))
        cell = raw.iloc[r]
        text = "empty" if pd.isna(cell) or not str(cell).strip() else shown(str(cell).strip())
        raise DataError(
            f"missing or non-positive GDP for {shown(labels[r])[1:-1]} ({text}); expected a positive number",
            source=source,
            location=where(r),
        )
    return vals


@overload
def read_gdp_csv(
    path: str | Path,
    *,
    countries: Sequence[str],
    units: str = ...,
    column: str | None = ...,
    extra_codes: Sequence[str] = ...,
) -> np.ndarray: ...
@overload
def read_gdp_csv(
    path: str | Path,
    *,
    countries: None = ...,
    units: str = ...,
    column: str | None = ...,
    extra_codes: Sequence[str] = ...,
) -> pd.Series: ...
def read_gdp_csv(
    path: str | Path,
    *,
    countries: Sequence[str] | None = None,
    units: str = "USD",
    column: str | None = None,
    extra_codes: Sequence[str] = (),
) -> np.ndarray | pd.Series:
    """GDP file: either one column in the order of ``countries`` (ilms2025 layout), or two
    columns (country, GDP). Returns an array in ``countries`` order when given, else a Series."""
    path = Path(path)
    src = str(path)
    df = _read_csv(path, keep_default_na=False, na_values=[""], dtype=str, skip_blank_lines=False)
    factor = unit_factor(units, source=src)
    if df.shape[1] == 0 or (df.shape[1] == 1 and not str(df.columns[0]).strip()):
        raise DataError("no header on line 1; expected a GDP column (or country, GDP)", source=src, location="line 1")
    if df.shape[1] == 1:
        col = str(df.columns[0])
        if countries is None:
            raise DataError("a one-column GDP file needs the country order (labels file)", source=src)
        if len(df) != len(countries):
            raise DataError(
                f"{len(df)} GDP rows for {len(countries)} countries; expected one row per country",
                source=src,
            )
        vals = _gdp_column(df[col], src, col, labels=countries)
        return _gdp_magnitude(vals, factor, src, col)
    ccol = str(df.columns[0])
    vcol = nfc(column) if column else str(df.columns[1])
    if vcol not in df.columns:
        raise DataError(f"missing column {shown(vcol)}; it has {_columns(df)}", source=src)
    codes = to_iso3(df[ccol].tolist(), source=src, field=ccol, extra=extra_codes, row_offset=2)
    vals = _gdp_magnitude(_gdp_column(df[vcol], src, vcol, labels=codes), factor, src, vcol)
    s = pd.Series(vals, index=codes, name="gdp_usd")
    if s.index.duplicated().any():
        r = int(np.argmax(s.index.duplicated()))
        raise DataError(
            f"duplicated country {shown(codes[r])}", source=src, location=f"row {r + 2}, column {shown(ccol)}"
        )
    if countries is None:
        return s
    missing = [c for c in countries if c not in s.index]
    if missing:
        raise DataError(f"missing GDP for {', '.join(missing)}", source=src, location=f"column {shown(vcol)}")
    return s.reindex(list(countries)).to_numpy(dtype=float)


def _gdp_magnitude(vals: np.ndarray, factor: float, source: str, column: str) -> np.ndarray:
    """GDP in USD; a value above :data:`tariffsim.limits.MAX_VALUE_USD` (ten times world GDP) is a unit mistake."""
    _check_magnitude(vals, factor, source, lambda ix: f"row {ix[0] + 2}, column {shown(column)}", what="GDP")
    return vals * factor


def read_matrix_csv(
    matrix: str | Path,
    labels: str | Path,
    gdp: str | Path | None = None,
    *,
    units: str = "thousand USD",
    gdp_units: str = "USD",
    label_column: str = "iso3",
    tariffs: str | Path | None = None,
    name: str | None = None,
    year: int | None = None,
    check_units: bool = True,
) -> TradeData:
    """A square exporter x importer matrix CSV with a labels file and GDP: the ilms2025 layout.

    ``matrix``: one header line, then one row per exporter and one column per importer in the
    order of ``labels``; empty cells are zero. ``labels``: a CSV with a ``label_column`` of
    country codes or names. ``gdp``: one value per row in the same order (or country, value).
    ``tariffs`` (optional): one column, the importer's tariff on each exporter is not implied;
    the file is returned in ``meta['tariffs_announced']`` for the GE model to use.
    """
    mpath, lpath = Path(matrix), Path(labels)
    lab = _read_csv(lpath, dtype=str, keep_default_na=False)
    label_column = nfc(label_column)
    if label_column not in lab.columns:
        raise DataError(f"missing column {shown(label_column)}; it has {_columns(lab)}", source=str(lpath))
    limits.check_matrix(len(lab), source=str(lpath))
    codes = to_iso3(lab[label_column].tolist(), source=str(lpath), field=label_column, row_offset=2)
    n = len(codes)
    if n == 0:
        raise DataError("no countries; expected one row per country", source=str(lpath))
    if len(set(codes)) != n:
        seen = set()
        for r, c in enumerate(codes):
            if c in seen:
                raise DataError(f"duplicated country {shown(c)}", source=str(lpath), location=f"row {r + 2}")
            seen.add(c)
    mat = _parse_matrix(mpath, n)
    factor = unit_factor(units, source=str(mpath))
    _check_magnitude(mat, factor, str(mpath), lambda ix: f"row {ix[0] + 2}, column {ix[1] + 1}")
    values = mat * factor
    g = None
    if gdp is not None:
        g = read_gdp_csv(gdp, countries=codes, units=gdp_units)
    if check_units:
        _check_units_plausible(values[:, :, None], g, codes, str(mpath), units)
    meta: dict = {"units_in_file": units}
    if tariffs is not None:
        tpath = Path(tariffs)
        tdf = _read_csv(tpath, dtype=str, keep_default_na=False)
        if len(tdf) != n:
            raise DataError(f"{len(tdf)} tariff rows for {n} countries; expected one per country", source=str(tpath))
        col = str(tdf.columns[0])
        tv = _tariff_column(tdf[col], str(tpath), col)
        meta["tariffs_announced"] = dict(zip(codes, tv.tolist(), strict=False))
    return TradeData(
        countries=tuple(codes),
        sectors=(TOTAL_SECTOR,),
        values=values[:, :, None],
        gdp=g,
        name=name or mpath.stem,
        year=year,
        source=str(mpath),
        meta=meta,
    )


def _parse_matrix(path: Path, n: int) -> np.ndarray:
    """Parse a square numeric CSV with a header; empty cells are zero; ragged rows are errors.
    Read through :func:`~tariffsim.inputs.textfiles.read_bytes` (compressed files, size and shape
    limits); the numbers follow the one syntax of every reader
    (:func:`~tariffsim.inputs.textfiles.number_column`)."""
    src = str(path)
    limits.check_matrix(n, source=src)
    raw = read_bytes(path)
    check_csv(raw, source=src, unique=False)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    fast = _parse_matrix_fast(raw, n)
    if fast is not None:
        return fast
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not a UTF-8 text file (byte 0x{exc.object[exc.start]:02x} at offset {exc.start:,}); save it as UTF-8",
            source=src,
        ) from None
    try:
        return _parse_matrix_rows(text, n, src)
    except csv.Error as exc:
        raise DataError(f"cannot parse as CSV ({shown(str(exc), 120)})", source=src) from None


#: The bytes a plain numeric matrix body consists of (anything else, spaces included: pandas' C
#: parser would read '+2E 2', goes to the careful reader).
_PLAIN = b"0123456789.,eE+-\r\n"
_ONE_CELL_PER_LINE = bytes.maketrans(b",", b"\n")


def _parse_matrix_fast(raw: bytes, n: int) -> np.ndarray | None:
    """The common case in one pass of pandas' C parser: n data rows of exactly n plain numeric
    cells (empty = 0), all finite and >= 0. Returns None for anything else (quotes, letters,
    ragged or extra rows, negatives), and the row-by-row reader then names the problem exactly."""
    head, sep, body = raw.partition(b"\n")
    if not sep or head.rstrip(b"\r").count(b",") != n - 1 or body.translate(None, _PLAIN):
        return None
    lines = body.rstrip(b"\r\n").split(b"\n") if body.strip() else []
    if len(lines) != n or any(line.count(b",") != n - 1 for line in lines):
        return None
    # one cell per line (commas become line breaks): pandas then converts a single column, which
    # is faster than n columns; an empty last cell needs a blank line to be counted
    cells = b"\n".join(lines).translate(_ONE_CELL_PER_LINE)
    if cells.endswith(b"\n"):
        cells += b"\n"
    try:
        df = pd.read_csv(
            io.BytesIO(cells),
            header=None,
            names=["v"],
            dtype=float,
            na_values=[""],
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    flat = df["v"].to_numpy(dtype=float)
    if flat.shape != (n * n,):
        return None
    a = np.where(np.isnan(flat), 0.0, flat).reshape(n, n) + 0.0  # + 0.0: no negative zero
    if not np.all(np.isfinite(a)) or (a < 0).any():
        return None
    return a


def _parse_matrix_rows(text: str, n: int, src: str) -> np.ndarray:
    """The careful reader: every row checked for its number of cells, every cell parsed by
    :func:`~tariffsim.inputs.textfiles.number_column` (empty = 0), errors naming row and column."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise DataError("empty file; expected a header and one row per exporter", source=src)
    if len(header) != n:
        raise DataError(
            f"header has {len(header):,} columns but the labels file lists {n} countries; "
            "expected a square matrix in the labels' order",
            source=src,
            location="row 1",
        )
    rows: list[list[str]] = []
    for r, row in enumerate(reader):
        if r >= n:
            if any(x.strip() for x in row):
                raise DataError(
                    f"more than {n} data rows; expected {n} (one per exporter)", source=src, location=f"row {r + 2}"
                )
            continue
        if len(row) != n:
            raise DataError(
                f"row has {len(row):,} cells; expected {n} (ragged matrix)", source=src, location=f"row {r + 2}"
            )
        rows.append(row)
    if len(rows) < n:
        raise DataError(f"{len(rows)} data rows; expected {n} (one per exporter)", source=src)
    cells = pd.Series([c for row in rows for c in row], dtype=object)
    vals = number_column(
        cells, source=src, where=lambda k: f"row {k // n + 2}, column {k % n + 1}", empty="zero", what="trade value"
    )
    return vals.reshape(n, n)


def read_long_csv(
    path: str | Path,
    *,
    units: str = "USD",
    gdp: str | Path | Mapping[str, float] | None = None,
    gdp_units: str = "USD",
    exporter: str = "exporter",
    importer: str = "importer",
    sector: str | None = "sector",
    value: str | None = None,
    tariff: str | None = "tariff",
    extra_codes: Sequence[str] = (),
    name: str | None = None,
    year: int | str | None = None,
    check_units: bool = True,
) -> TradeData:
    """A long CSV with one row per flow: exporter, importer, [sector], value, [tariff].

    The value column is ``value`` or ``value_usd`` unless named. Countries may be ISO codes or
    names (resolved by pycountry); ``extra_codes`` lists region codes accepted as they are.
    Duplicated (exporter, importer, sector) rows are an error.
    """
    path = Path(path)
    src = str(path)
    exporter, importer = nfc(exporter), nfc(importer)
    sector, tariff = (nfc(sector) if sector else None), (nfc(tariff) if tariff else None)
    df = _read_csv(path, dtype=str, keep_default_na=False)
    if value is None:
        value = "value_usd" if "value_usd" in df.columns else "value"
    value = nfc(value)
    need = [exporter, importer, value]
    for col in need:
        if col not in df.columns:
            raise DataError(f"missing column {shown(col)}; it has {_columns(df)}", source=src)
    if df.empty:
        raise DataError("no rows; expected one row per flow", source=src)
    factor = unit_factor(units, source=src)
    vals = _numeric_column(df, value, src)
    _check_magnitude(vals, factor, src, lambda ix: f"row {ix[0] + 2}, column {shown(value)}")
    vals = vals * factor
    extra = list(extra_codes)
    exp = to_iso3(df[exporter].tolist(), source=src, field=exporter, extra=extra, row_offset=2)
    imp = to_iso3(df[importer].tolist(), source=src, field=importer, extra=extra, row_offset=2)
    if sector and sector in df.columns:
        sec_col = df[sector].astype(str).str.strip()
        blank = (sec_col == "").to_numpy()
        if blank.any():
            r = int(np.argmax(blank))
            raise DataError("missing sector name", source=src, location=f"row {r + 2}, column {shown(sector)}")
        sec = sec_col.tolist()
    else:
        sec = [TOTAL_SECTOR] * len(df)
    key = pd.DataFrame({"e": exp, "i": imp, "s": sec})
    dup = key.duplicated(keep="first").to_numpy()
    if dup.any():
        r = int(np.argmax(dup))
        first = int(np.argmax((key == key.iloc[r]).all(axis=1).to_numpy()))
        raise DataError(
            f"duplicated flow ({exp[r]}, {imp[r]}, {shown(sec[r])[1:-1]}), first seen in row {first + 2}",
            source=src,
            location=f"row {r + 2}",
        )
    tar = _tariff_column(df[tariff], src, tariff) if tariff and tariff in df.columns else None
    countries = tuple(dict.fromkeys(exp + imp))
    sectors = tuple(dict.fromkeys(sec))
    limits.check_matrix(len(countries), len(sectors), source=src)
    ci = {c: i for i, c in enumerate(countries)}
    si = {s: i for i, s in enumerate(sectors)}
    e_idx = np.fromiter((ci[c] for c in exp), int, len(exp))
    i_idx = np.fromiter((ci[c] for c in imp), int, len(imp))
    s_idx = np.fromiter((si[s] for s in sec), int, len(sec))
    v = np.zeros((len(countries), len(countries), len(sectors)))
    v[e_idx, i_idx, s_idx] = vals
    t = np.zeros_like(v)
    if tar is not None:
        t[e_idx, i_idx, s_idx] = tar
    g = None
    if gdp is not None:
        if isinstance(gdp, Mapping):
            missing = [c for c in countries if c not in gdp]
            if missing:
                raise DataError(f"missing GDP for {', '.join(missing)}", source=src, location="gdp")
            g = np.array([_gdp_value(gdp[c], c, src) for c in countries]) * unit_factor(gdp_units, source=src)
        else:
            g = read_gdp_csv(gdp, countries=countries, units=gdp_units, extra_codes=extra)
    if check_units:
        _check_units_plausible(v, g, countries, src, units)
    return TradeData(
        countries=countries,
        sectors=sectors,
        values=v,
        gdp=g,
        tariffs=t,
        name=name or path.stem,
        year=year,
        source=src,
        meta={"units_in_file": units},
    )


def _gdp_value(v: object, country: str, source: str) -> float:
    """One GDP given as a number (a mapping of GDPs): positive and finite."""
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating) or not 0 < float(v) < np.inf:
        raise DataError(f"GDP of {country} is {shown(v)}; expected a positive number", source=source, location="gdp")
    return float(v)


def read_baci(
    path: str | Path,
    country_codes: str | Path,
    *,
    units: str = "thousand USD",
    year: int | None = None,
    sector_map: Mapping[str, str] | None = None,
    gdp: str | Path | None = None,
    gdp_units: str = "USD",
    name: str | None = None,
    check_units: bool = True,
) -> TradeData:
    """CEPII BACI long CSV (columns t, i, j, k, v, q; v in thousand USD) with its country-code file.

    HS6 products ``k`` are aggregated to sectors through their HS chapter with ``sector_map``
    (HS2 -> sector; default: the model sectors of ``data/mappings/hs2_sectors.csv``).
    """
    path, cpath = Path(path), Path(country_codes)
    src = str(path)
    baci_columns = ("t", "i", "j", "k", "v")  # q (quantity) is not used
    df = _read_csv(path, dtype=str, keep_default_na=False, usecols=baci_columns)
    for col in baci_columns:
        if col not in df.columns:
            raise DataError(f"missing column {col!r}; BACI files have t, i, j, k, v, q", source=src)
    if df.empty:
        raise DataError("no rows", source=src)
    t_col = df["t"].str.strip()
    bad_t = ~t_col.str.fullmatch(r"[0-9]{4}")
    if bad_t.any():
        r = int(np.argmax(bad_t.to_numpy()))
        raise DataError(
            f"year {shown(df['t'].iloc[r])} is not a four-digit year", source=src, location=f"row {r + 2}, column 't'"
        )
    df = df.assign(t=t_col)
    years = sorted(df["t"].unique())
    if year is None:
        if len(years) > 1:
            raise DataError(f"several years {', '.join(years)}; pass year=", source=src, location="column 't'")
        year = int(years[0])
    else:
        if isinstance(year, bool) or not isinstance(year, int | str) or not str(year).strip().isdecimal():
            raise DataError(f"year must be a whole number, got {shown(year)}", source=src, location="year")
        if not str(year).strip().isascii():
            raise DataError(f"year must be written in ASCII digits, got {shown(year)}", source=src, location="year")
        year = int(year)
        df = df[df["t"] == str(year)]
        if df.empty:
            raise DataError(
                f"no rows for year {year}; the file has {', '.join(years)}", source=src, location="column 't'"
            )
    df = df.assign(i=df["i"].str.strip(), j=df["j"].str.strip(), k=df["k"].str.strip().str.zfill(6))
    line = df.index.to_numpy() + 2  # the file's row of each kept row (header = row 1)
    cc = _read_csv(cpath, dtype=str, keep_default_na=False)
    code_col = "country_code" if "country_code" in cc.columns else str(cc.columns[0])
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha", "iso3") if c in cc.columns), None)
    if iso_col is None:
        raise DataError(f"no ISO3 column (country_iso3); it has {_columns(cc)}", source=str(cpath))
    cc_codes = cc[code_col].str.strip()
    dup_cc = cc_codes.duplicated().to_numpy()
    if dup_cc.any():
        r = int(np.argmax(dup_cc))
        first = int(np.argmax((cc_codes == cc_codes.iloc[r]).to_numpy()))
        raise DataError(
            f"country code {shown(cc_codes.iloc[r])} is listed twice (rows {first + 2} and {r + 2}); "
            "expected one row per code",
            source=str(cpath),
            location=f"row {r + 2}, column {shown(code_col)}",
        )
    iso_map = dict(zip(cc_codes, cc[iso_col].str.strip(), strict=False))
    vals = number_column(df["v"], source=src, where=lambda r: f"row {line[r]}, column 'v'")
    factor = unit_factor(units, source=src)
    _check_magnitude(vals, factor, src, lambda ix: f"row {line[ix[0]]}, column 'v'")
    vals = vals * factor
    smap = dict(sector_map) if sector_map is not None else hs2_sector_map()
    k = df["k"]
    hs2 = k.str[:2]
    unknown_hs = ~hs2.isin(list(smap))
    if unknown_hs.any():
        r = int(np.argmax(unknown_hs.to_numpy()))
        raise DataError(
            f"HS code {shown(k.iloc[r])} has no sector in the mapping",
            source=src,
            location=f"row {line[r]}, column 'k'",
        )
    for col in ("i", "j"):
        miss = ~df[col].isin(list(iso_map))
        if miss.any():
            r = int(np.argmax(miss.to_numpy()))
            raise CountryCodeError(
                f"country code {shown(df[col].iloc[r])} is not in the country-code file {cpath.name}",
                source=src,
                location=f"row {line[r]}, column {col!r}",
            )
    keydf = df[["i", "j", "k"]].reset_index(drop=True)
    dup = keydf.duplicated().to_numpy()
    if dup.any():
        r = int(np.argmax(dup))
        flow = ", ".join(shown(x) for x in keydf.iloc[r])
        raise DataError(f"duplicated flow (i, j, k) = ({flow})", source=src, location=f"row {line[r]}")
    exp_codes = df["i"].map(iso_map)
    imp_codes = df["j"].map(iso_map)
    uniq = sorted(set(exp_codes) | set(imp_codes))
    iso = dict(zip(uniq, to_iso3(uniq, source=str(cpath), field=iso_col), strict=False))
    long = pd.DataFrame(
        {
            "exporter": exp_codes.map(iso).to_numpy(),
            "importer": imp_codes.map(iso).to_numpy(),
            "sector": hs2.map(smap).to_numpy(),
            "value": vals,
        }
    )
    agg = long.groupby(["exporter", "importer", "sector"], sort=False, as_index=False)["value"].sum()
    countries = tuple(sorted(set(agg["exporter"]) | set(agg["importer"])))
    order = [s for s in dict.fromkeys(smap.values()) if s in set(agg["sector"])]
    limits.check_matrix(len(countries), len(order), source=src)
    ci = {c: i for i, c in enumerate(countries)}
    si = {s: i for i, s in enumerate(order)}
    v = np.zeros((len(countries), len(countries), len(order)))
    v[agg["exporter"].map(ci).to_numpy(), agg["importer"].map(ci).to_numpy(), agg["sector"].map(si).to_numpy()] = agg[
        "value"
    ].to_numpy()
    g = read_gdp_csv(gdp, countries=countries, units=gdp_units) if gdp is not None else None
    if check_units:
        _check_units_plausible(v, g, countries, src, units)
    return TradeData(
        countries=countries,
        sectors=tuple(order),
        values=v,
        gdp=g,
        name=name or path.stem,
        year=year,
        source=src,
        meta={"units_in_file": units},
    )


DATA_FORMATS = ("matrix", "long", "baci")
#: The type each non-path key of a dataset table must have (the readers' arguments).
_SPEC_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    **{k: ((str,), "a name (text)") for k in ("units", "gdp_units", "label_column", "exporter", "importer", "name")},
    **{k: ((str, type(None)), "a column name (text)") for k in ("sector", "value", "tariff", "column")},
    "year": ((int, str, type(None)), "a year"),
    "check_units": ((bool,), "true or false"),
    "extra_codes": ((list, tuple), "a list of codes"),
    "sector_map": ((Mapping,), "a table of HS2 chapter -> sector"),
}
#: What a dataset path may end with (a CSV file, plain or compressed).
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz")


def load_data_spec(
    spec: str | Mapping[str, Any] | TradeData | None, *, base_dir: str | Path | None = None, source: str = "dataset"
) -> TradeData:
    """Resolve what a scenario names as its data.

    ``spec`` is a TradeData, a shipped dataset name (``"default"``), a path to a long CSV, or a
    mapping ``{format = "matrix" | "long" | "baci", ...}`` whose keys are the loader's arguments
    (``matrix``, ``labels``, ``gdp``, ``units``, ``path``, ``country_codes`` ...). Relative paths
    are read against ``base_dir`` (the scenario file's folder).
    """
    if spec is None:
        return load_dataset("default")
    if isinstance(spec, TradeData):
        return spec

    def rel(p: str | Path, key: str) -> Path:
        if not isinstance(p, str | Path) or not str(p).strip():
            raise DataError(f"expected a file path, got {shown(p)}", source=source, location=key)
        try:
            q = Path(str(p)).expanduser()
        except RuntimeError:  # ~user of an unknown user, or no home folder
            raise DataError(f"cannot expand {shown(str(p))} (unknown user or home folder)", source=source) from None
        return q if (q.is_absolute() or base_dir is None) else Path(base_dir) / q

    if isinstance(spec, str):
        if spec in available_datasets():
            return load_dataset(spec)
        if spec.lower().endswith(CSV_SUFFIXES):
            return read_long_csv(rel(spec, "dataset"))
        raise DataError(
            f"unknown dataset {shown(spec)}; expected one of {', '.join(available_datasets())}, a .csv path, "
            "or a table with format = 'matrix' | 'long' | 'baci'",
            source=source,
        )
    if not isinstance(spec, Mapping):
        raise DataError(f"expected a dataset name or table, got {type(spec).__name__}", source=source)
    kw = dict(spec)
    fmt = kw.pop("format", None)
    if fmt not in DATA_FORMATS:
        raise DataError(
            f"format must be one of {', '.join(DATA_FORMATS)}, got {shown(fmt)}", source=source, location="format"
        )
    path_keys = {
        "matrix": ("matrix", "labels", "gdp", "tariffs"),
        "long": ("path", "gdp"),
        "baci": ("path", "country_codes", "gdp"),
    }[fmt]
    required = {"matrix": ("matrix", "labels"), "long": ("path",), "baci": ("path", "country_codes")}[fmt]
    for k in required:
        if k not in kw:
            raise DataError(f"missing key {k!r} for format {fmt!r}", source=source, location=k)
    loaders: dict[str, Callable[..., TradeData]] = {"matrix": read_matrix_csv, "long": read_long_csv, "baci": read_baci}
    loader = loaders[fmt]
    known = [p for p in inspect.signature(loader).parameters]
    for k in kw:
        if k not in known:
            raise DataError(
                f"unknown key {shown(k)} for format {fmt!r}; expected some of {', '.join(known)}",
                source=source,
                location=str(k)[:40],
            )
    for k in path_keys:
        if k in kw and not (k == "gdp" and (kw[k] is None or (fmt == "long" and isinstance(kw[k], Mapping)))):
            kw[k] = rel(kw[k], k)
    for k, v in kw.items():  # the other keys are names, flags or a year: of their type, or one error
        want = _SPEC_TYPES.get(k)
        if want is not None and not (isinstance(v, want[0]) and not (isinstance(v, bool) and bool not in want[0])):
            raise DataError(f"expected {want[1]}, got {shown(v)}", source=source, location=str(k))
        if k in ("extra_codes",) and not all(isinstance(x, str) for x in v):
            raise DataError(f"expected a list of codes, got {shown(v)}", source=source, location=k)
    if fmt == "matrix":
        return loader(kw.pop("matrix"), kw.pop("labels"), kw.pop("gdp", None), **kw)
    if fmt == "baci":
        return loader(kw.pop("path"), kw.pop("country_codes"), **kw)
    return loader(kw.pop("path"), **kw)
