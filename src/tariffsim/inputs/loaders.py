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
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd

from .. import limits
from ..errors import CountryCodeError, DataError
from .countries import to_iso3
from .datasets import TOTAL_SECTOR, TradeData, available_datasets, hs2_sector_map, load_dataset, unit_factor

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
    key = key or df.columns[0]
    value = value or df.columns[1]
    for col in (key, value):
        if col not in df.columns:
            raise DataError(f"missing column {col!r}; it has {list(df.columns)}", source=str(path))
    dup = df[key].duplicated()
    if dup.any():
        r = int(np.argmax(dup.to_numpy()))
        raise DataError(
            f"duplicated key {df[key].iloc[r]!r}", source=str(path), location=f"row {r + 2}, column {key!r}"
        )
    return dict(zip(df[key].astype(str), df[value].astype(str), strict=False))


# --------------------------------------------------------------------------------------------
# Loaders
# --------------------------------------------------------------------------------------------


def _check_text_file(path: Path) -> None:
    """A readable regular text file (not a folder, device, binary or UTF-16 file, not too large)."""
    src = str(path)
    limits.check_input_file(path, source=src)
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror or exc})", source=src) from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("the file is UTF-16 (byte-order mark); save it as UTF-8", source=src)
    if b"\x00" in head:
        raise DataError("binary file (NUL bytes); expected a CSV text file", source=src)


def _read_csv(path: Path, **kw: Any) -> pd.DataFrame:
    _check_text_file(path)
    try:
        return pd.read_csv(path, **kw)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not a UTF-8 text file (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
            source=str(path),
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        raise DataError(f"cannot parse as CSV ({first})", source=str(path)) from None
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror or exc})", source=str(path)) from None


def _check_magnitude(raw: np.ndarray, factor: float, source: str, where: Callable[[tuple[np.intp, ...]], str]) -> None:
    """Trade values (``raw`` in the file's unit, ``factor`` USD each) above
    :data:`tariffsim.limits.MAX_VALUE_USD` are not trade flows (and would overflow the models'
    sums); checked before converting; ``where(index)`` names the cell."""
    big = raw > limits.MAX_VALUE_USD / factor
    if big.any():
        idx = np.unravel_index(int(np.argmax(big)), raw.shape)
        raise DataError(
            f"value {raw[idx]:.3g} (x {factor:g} USD) is above {limits.MAX_VALUE_USD:.0e} USD (ten times "
            "world GDP); not a trade flow (check the units argument)",
            source=source,
            location=where(idx),
        )


def _numeric_column(df: pd.DataFrame, col: str, source: str, *, header_rows: int = 1) -> np.ndarray:
    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna() & df[col].notna() & (df[col].astype(str).str.strip() != "")
    if bad.any():
        r = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"not a number: {df[col].iloc[r]!r}; expected a number",
            source=source,
            location=f"row {r + 1 + header_rows}, column {col!r}",
        )
    arr = vals.to_numpy(dtype=float)
    missing = np.isnan(arr)
    if missing.any():
        r = int(np.argmax(missing))
        raise DataError(
            "missing value; expected a number", source=source, location=f"row {r + 1 + header_rows}, column {col!r}"
        )
    nonfinite = ~np.isfinite(arr)
    if nonfinite.any():
        r = int(np.argmax(nonfinite))
        raise DataError(
            f"non-finite value {arr[r]}", source=source, location=f"row {r + 1 + header_rows}, column {col!r}"
        )
    neg = arr < 0
    if neg.any():
        r = int(np.argmax(neg))
        raise DataError(
            f"negative value {arr[r]}; expected a value >= 0",
            source=source,
            location=f"row {r + 1 + header_rows}, column {col!r}",
        )
    return arr


def _check_gdp(vals: np.ndarray, raw: pd.Series, source: str, column: str, *, labels: Sequence[str]) -> None:
    """Every GDP must be a positive finite number; the error names the row, column and country."""
    bad = ~np.isfinite(vals) | (vals <= 0)
    if bad.any():
        r = int(np.argmax(bad))
        raise DataError(
            f"missing or non-positive GDP for {labels[r]} ({raw.iloc[r]!r}); expected a positive number",
            source=source,
            location=f"row {r + 2}, column {column!r}",
        )


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
    if df.shape[1] == 1:
        col = df.columns[0]
        vals = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        if countries is None:
            raise DataError("a one-column GDP file needs the country order (labels file)", source=src)
        if len(vals) != len(countries):
            raise DataError(
                f"{len(vals)} GDP rows for {len(countries)} countries; expected one row per country",
                source=src,
            )
        _check_gdp(vals, df[col], src, col, labels=countries)
        return vals * factor
    ccol = df.columns[0]
    vcol = column or df.columns[1]
    if vcol not in df.columns:
        raise DataError(f"missing column {vcol!r}; it has {list(df.columns)}", source=src)
    codes = to_iso3(df[ccol].tolist(), source=src, field=ccol, extra=extra_codes, row_offset=2)
    vals = pd.to_numeric(df[vcol], errors="coerce").to_numpy(dtype=float)
    _check_gdp(vals, df[vcol], src, vcol, labels=codes)
    s = pd.Series(vals * factor, index=codes, name="gdp_usd")
    if s.index.duplicated().any():
        dup = s.index[s.index.duplicated()][0]
        raise DataError(f"duplicated country {dup!r}", source=src, location=f"column {ccol!r}")
    if countries is None:
        return s
    missing = [c for c in countries if c not in s.index]
    if missing:
        raise DataError(f"missing GDP for {', '.join(missing)}", source=src, location=f"column {vcol!r}")
    return s.reindex(list(countries)).to_numpy(dtype=float)


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
    if label_column not in lab.columns:
        raise DataError(f"missing column {label_column!r}; it has {list(lab.columns)}", source=str(lpath))
    limits.check_matrix(len(lab), source=str(lpath))
    codes = to_iso3(lab[label_column].tolist(), source=str(lpath), field=label_column, row_offset=2)
    n = len(codes)
    if len(set(codes)) != n:
        seen = set()
        for r, c in enumerate(codes):
            if c in seen:
                raise DataError(f"duplicated country {c!r}", source=str(lpath), location=f"row {r + 2}")
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
        col = tdf.columns[0]
        tv = pd.to_numeric(tdf[col].replace("", "0"), errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(tv) | (tv < limits.MIN_TARIFF) | (tv > limits.MAX_TARIFF)
        if bad.any():
            r = int(np.argmax(bad))
            raise DataError(
                f"tariff {tdf[col].iloc[r]!r} outside {limits.TARIFF_BOUNDS}; expected a share (0.25 = 25 %)",
                source=str(tpath),
                location=f"row {r + 2}, column {col!r}",
            )
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
    """Parse a square numeric CSV with a header; empty cells are zero; ragged rows are errors."""
    src = str(path)
    _check_text_file(path)
    limits.check_matrix(n, source=src)
    out = np.zeros((n, n))
    try:
        fast = _parse_matrix_fast(path, n)
        if fast is not None:
            return fast
        return _parse_matrix_rows(path, n, out)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not a UTF-8 text file (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
            source=src,
        ) from None
    except csv.Error as exc:
        raise DataError(f"cannot parse as CSV ({exc})", source=src) from None
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror or exc})", source=src) from None


#: The bytes a plain numeric matrix body consists of (anything else goes to the careful reader).
_PLAIN = b"0123456789.,eE+-\r\n \t"
_ONE_CELL_PER_LINE = bytes.maketrans(b",", b"\n")


def _parse_matrix_fast(path: Path, n: int) -> np.ndarray | None:
    """The common case in one pass of pandas' C parser: n data rows of exactly n plain numeric
    cells (empty = 0), all finite and >= 0. Returns None for anything else (quotes, letters,
    ragged or extra rows, negatives), and the row-by-row reader then names the problem exactly."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    head, sep, body = raw.partition(b"\n")
    if not sep or head.rstrip(b"\r").count(b",") != n - 1 or body.translate(None, _PLAIN):
        return None
    lines = body.rstrip(b"\r\n \t").split(b"\n") if body.strip() else []
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
    a = np.where(np.isnan(flat), 0.0, flat).reshape(n, n)
    if not np.all(np.isfinite(a)) or (a < 0).any():
        return None
    return a


def _parse_matrix_rows(path: Path, n: int, out: np.ndarray) -> np.ndarray:
    src = str(path)
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            raise DataError("empty file; expected a header and one row per exporter", source=src)
        if len(header) != n:
            raise DataError(
                f"header has {len(header)} columns but the labels file lists {n} countries; "
                "expected a square matrix in the labels' order",
                source=src,
                location="row 1",
            )
        r = -1
        for r, row in enumerate(reader):
            if r >= n:
                if any(x.strip() for x in row):
                    raise DataError(
                        f"more than {n} data rows; expected {n} (one per exporter)", source=src, location=f"row {r + 2}"
                    )
                continue
            if len(row) != n:
                raise DataError(
                    f"row has {len(row)} cells; expected {n} (ragged matrix)", source=src, location=f"row {r + 2}"
                )
            for c, cell in enumerate(row):
                cell = cell.strip()
                if not cell:
                    continue
                try:
                    v = float(cell)
                except ValueError:
                    raise DataError(
                        f"not a number: {cell!r}", source=src, location=f"row {r + 2}, column {c + 1}"
                    ) from None
                if not np.isfinite(v):
                    raise DataError(f"non-finite value {cell!r}", source=src, location=f"row {r + 2}, column {c + 1}")
                if v < 0:
                    raise DataError(
                        f"negative trade value {v}; expected >= 0", source=src, location=f"row {r + 2}, column {c + 1}"
                    )
                out[r, c] = v
        if r + 1 < n:
            raise DataError(f"{r + 1} data rows; expected {n} (one per exporter)", source=src)
    return out


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
    df = _read_csv(path, dtype=str, keep_default_na=False)
    if value is None:
        value = "value_usd" if "value_usd" in df.columns else "value"
    need = [exporter, importer, value]
    for col in need:
        if col not in df.columns:
            raise DataError(f"missing column {col!r}; it has {list(df.columns)}", source=src)
    if df.empty:
        raise DataError("no rows; expected one row per flow", source=src)
    factor = unit_factor(units, source=src)
    vals = _numeric_column(df, value, src)
    _check_magnitude(vals, factor, src, lambda ix: f"row {ix[0] + 2}, column {value!r}")
    vals = vals * factor
    extra = list(extra_codes)
    exp = to_iso3(df[exporter].tolist(), source=src, field=exporter, extra=extra, row_offset=2)
    imp = to_iso3(df[importer].tolist(), source=src, field=importer, extra=extra, row_offset=2)
    sec = df[sector].astype(str).str.strip().tolist() if (sector and sector in df.columns) else [TOTAL_SECTOR] * len(df)
    key = pd.DataFrame({"e": exp, "i": imp, "s": sec})
    dup = key.duplicated(keep="first").to_numpy()
    if dup.any():
        r = int(np.argmax(dup))
        first = int(np.argmax((key == key.iloc[r]).all(axis=1).to_numpy()))
        raise DataError(
            f"duplicated flow ({exp[r]}, {imp[r]}, {sec[r]}), first seen in row {first + 2}",
            source=src,
            location=f"row {r + 2}",
        )
    tar = None
    if tariff and tariff in df.columns:
        tcol = df[tariff].replace("", "0")
        tar = pd.to_numeric(tcol, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(tar) | (tar < limits.MIN_TARIFF) | (tar > limits.MAX_TARIFF)
        if bad.any():
            r = int(np.argmax(bad))
            raise DataError(
                f"tariff {df[tariff].iloc[r]!r} outside {limits.TARIFF_BOUNDS}; expected a share (0.25 = 25 %)",
                source=src,
                location=f"row {r + 2}, column {tariff!r}",
            )
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
            g = np.array([float(gdp[c]) for c in countries]) * unit_factor(gdp_units, source=src)
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
    df = _read_csv(path, dtype=str, keep_default_na=False)
    for col in ("t", "i", "j", "k", "v"):
        if col not in df.columns:
            raise DataError(f"missing column {col!r}; BACI files have t, i, j, k, v, q", source=src)
    if df.empty:
        raise DataError("no rows", source=src)
    t_col = df["t"].str.strip()
    bad_t = ~t_col.str.fullmatch(r"\d{4}")
    if bad_t.any():
        r = int(np.argmax(bad_t.to_numpy()))
        raise DataError(
            f"year {df['t'].iloc[r]!r} is not a four-digit year", source=src, location=f"row {r + 2}, column 't'"
        )
    df = df.assign(t=t_col)
    years = sorted(df["t"].unique())
    if year is None:
        if len(years) > 1:
            raise DataError(f"several years {years}; pass year=", source=src, location="column 't'")
        year = int(years[0])
    else:
        if isinstance(year, bool) or not isinstance(year, int | str) or not str(year).strip().isdigit():
            raise DataError(f"year must be a whole number, got {year!r}", source=src, location="year")
        year = int(year)
        df = df[df["t"] == str(year)]
        if df.empty:
            raise DataError(f"no rows for year {year}; the file has {years}", source=src, location="column 't'")
    cc = _read_csv(cpath, dtype=str, keep_default_na=False)
    code_col = "country_code" if "country_code" in cc.columns else cc.columns[0]
    iso_col = next((c for c in ("country_iso3", "iso_3digit_alpha", "iso3") if c in cc.columns), None)
    if iso_col is None:
        raise DataError(f"no ISO3 column (country_iso3); it has {list(cc.columns)}", source=str(cpath))
    cc_codes = cc[code_col].str.strip()
    dup_cc = cc_codes.duplicated().to_numpy()
    if dup_cc.any():
        r = int(np.argmax(dup_cc))
        first = int(np.argmax((cc_codes == cc_codes.iloc[r]).to_numpy()))
        raise DataError(
            f"country code {cc_codes.iloc[r]!r} is listed twice (rows {first + 2} and {r + 2}); "
            "expected one row per code",
            source=str(cpath),
            location=f"row {r + 2}, column {code_col!r}",
        )
    iso_map = dict(zip(cc_codes, cc[iso_col].str.strip(), strict=False))
    vals = _numeric_column(df.reset_index(drop=True), "v", src)
    factor = unit_factor(units, source=src)
    _check_magnitude(vals, factor, src, lambda ix: f"row {ix[0] + 2}, column 'v'")
    vals = vals * factor
    smap = dict(sector_map) if sector_map is not None else hs2_sector_map()
    k = df["k"].str.strip().str.zfill(6)
    hs2 = k.str[:2]
    unknown_hs = ~hs2.isin(list(smap))
    if unknown_hs.any():
        r = int(np.argmax(unknown_hs.to_numpy()))
        raise DataError(
            f"HS code {k.iloc[r]!r} has no sector in the mapping", source=src, location=f"row {r + 2}, column 'k'"
        )
    for col in ("i", "j"):
        miss = ~df[col].str.strip().isin(list(iso_map))
        if miss.any():
            r = int(np.argmax(miss.to_numpy()))
            raise CountryCodeError(
                f"country code {df[col].iloc[r]!r} is not in the country-code file {cpath.name}",
                source=src,
                location=f"row {r + 2}, column {col!r}",
            )
    keydf = df[["i", "j", "k"]].reset_index(drop=True)
    dup = keydf.duplicated().to_numpy()
    if dup.any():
        r = int(np.argmax(dup))
        raise DataError(f"duplicated flow (i, j, k) = {tuple(keydf.iloc[r])}", source=src, location=f"row {r + 2}")
    exp_codes = df["i"].str.strip().map(iso_map)
    imp_codes = df["j"].str.strip().map(iso_map)
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

    def rel(p: str | Path) -> Path:
        q = Path(str(p)).expanduser()
        return q if (q.is_absolute() or base_dir is None) else Path(base_dir) / q

    if isinstance(spec, str):
        if spec in available_datasets():
            return load_dataset(spec)
        if spec.lower().endswith(".csv"):
            return read_long_csv(rel(spec))
        raise DataError(
            f"unknown dataset {spec!r}; expected one of {', '.join(available_datasets())}, a .csv path, "
            "or a table with format = 'matrix' | 'long' | 'baci'",
            source=source,
        )
    if not isinstance(spec, Mapping):
        raise DataError(f"expected a dataset name or table, got {type(spec).__name__}", source=source)
    kw = dict(spec)
    fmt = kw.pop("format", None)
    if fmt not in DATA_FORMATS:
        raise DataError(
            f"format must be one of {', '.join(DATA_FORMATS)}, got {fmt!r}", source=source, location="format"
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
    for k in path_keys:
        if k in kw and isinstance(kw[k], str | Path):
            kw[k] = rel(kw[k])
    loaders: dict[str, Callable[..., TradeData]] = {"matrix": read_matrix_csv, "long": read_long_csv, "baci": read_baci}
    loader = loaders[fmt]
    try:
        if fmt == "matrix":
            return loader(kw.pop("matrix"), kw.pop("labels"), kw.pop("gdp", None), **kw)
        if fmt == "baci":
            return loader(kw.pop("path"), kw.pop("country_codes"), **kw)
        return loader(kw.pop("path"), **kw)
    except TypeError as exc:  # an unknown keyword in the table
        raise DataError(f"bad key for format {fmt!r}: {exc}", source=source) from None
