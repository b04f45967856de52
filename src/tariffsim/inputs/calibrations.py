"""Quarterly GDP loaders and the calibration files of the recession-risk model (the AR(1) maths is
:mod:`tariffsim.models.ar1`).

The growth definition (q/q log growth in percent), the Student-t AR(1), its fit and why Student t
rather than bootstrapped residuals are described in :mod:`tariffsim.models.ar1`. This module reads
quarterly GDP files (``kind="qoq_pct"`` files of published q/q percent changes are converted with
``100 * ln(1 + g / 100)``) and reads and writes calibration files.

The shipped calibrations (``data/recession/<ISO3>.json``) record the command that produced them,
the input file and its SHA-256, the sample, the treatment of crisis quarters and the predictive
check; :func:`load_calibration` reads them (or builds one from a scenario's own parameters) and
:func:`default_calibration` is Mexico's. The Monte Carlo that uses them is :mod:`tariffsim.models.recession`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from .. import limits
from .._lazy import pd
from .._version import __version__
from ..constants import DEFAULT_COUNTRY
from ..errors import DataError, OutputPathError, ScenarioError, TariffSimError
from ..limits import shown
from ..models.ar1 import (
    GROWTH_DEFINITION,
    AR1Calibration,
    parse_quarter,
    predictive_check,
    quarter_ordinals,
)
from .countries import to_iso3
from .datasets import data_file
from .textfiles import nfc, number_column, parse_numbers, read_bytes, read_csv_frame

__all__ = [
    "OVERRIDE_KEYS",
    "read_quarterly_gdp",
    "write_calibration",
    "read_calibration",
    "load_calibration",
    "calibration_from_parameters",
    "shipped_calibrations",
    "default_calibration",
]

log = logging.getLogger(__name__)


_DATE_COLUMNS = (
    "Periodos",
    "Quarter",
    "quarter",
    "Period",
    "period",
    "Date",
    "date",
    "DATE",
    "observation_date",
    "time",
)
_LEVEL_COLUMNS = ("PIB", "GDP", "gdp", "GDPC1", "level", "value")
_QOQ_COLUMNS = ("PIB VT",)
_MISSING = {"", "na", "nan", "n/a", "null", "none", ".", "-"}

# --------------------------------------------------------------------------------------------
# Loading quarterly GDP
# --------------------------------------------------------------------------------------------


def _read_text_csv(path: Path) -> pd.DataFrame:
    """A quarterly GDP CSV (UTF-8, else Latin-1 as INEGI writes it; plain or gzip, bzip2, xz),
    every reading problem one DataError naming it
    (:func:`~tariffsim.inputs.textfiles.read_csv_frame`)."""
    return read_csv_frame(
        path, kind="quarterly GDP CSV file", encodings=("utf-8-sig", "latin-1"), dtype=str, keep_default_na=False
    )


def _same(text: str, _index: int) -> str:
    return text


def _pick_column(frame: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str, src: str) -> str:
    cols = [str(c) for c in frame.columns]
    listed = ", ".join(shown(c) for c in cols[:20]) + (f", ... ({len(cols):,} columns)" if len(cols) > 20 else "")
    if given is not None:
        given = nfc(str(given))
        if given not in cols:
            raise DataError(
                f"{what} column {shown(given)} not found; columns are {listed}", source=src, location=shown(given)
            )
        return given
    for c in candidates:
        if c in cols:
            return c
    raise DataError(
        f"no {what} column found (looked for {list(candidates)}); name it with the "
        f"{'date_column' if what == 'date' else 'column'} argument; columns are {listed}",
        source=src,
    )


def read_quarterly_gdp(
    path: str | Path, *, column: str | None = None, kind: str = "level", date_column: str | None = None
) -> pd.Series:
    """Quarterly real GDP growth, q/q, in percent per quarter (``100 * Δ ln Y``), from a CSV file.

    Parameters
    ----------
    path : the CSV file, e.g. ``../shared/data/mexico_gdp/inegi_gdp_sa_1981q1_2021q4.csv`` (INEGI:
        dates ``30/03/1981`` in ``Periodos``, level ``PIB``) or ``mex_quarterly_1993q1_2023q4.csv``
        (Haver: decimal years in ``Quarter``, level ``GDP``).
    column : the value column; by default the first of PIB, GDP, gdp, GDPC1, level, value
        (``kind="level"``) or PIB VT (``kind="qoq_pct"``).
    kind : ``"level"`` (real GDP, any currency unit, must be > 0; growth is computed from it, which
        is preferred) or ``"qoq_pct"`` (published simple q/q percent changes, converted to log growth
        with ``100 * ln(1 + g/100)``).
    date_column : column with the dates; by default the first of Periodos, Quarter, Date, ...
        Accepted dates: ``1996Q1``, decimal years ``1996.25``, ISO ``1996-04-01``, day-first
        ``30/03/1996``; each maps to the quarter containing it.

    Rows with an empty value at the start or end of the file are dropped (INEGI appends quarters
    whose level is not yet published); an empty value between two values is an error, as are
    unparseable dates, non-numeric or non-positive values, duplicated and missing quarters. Every
    :class:`~tariffsim.errors.DataError` names the file, the row (line number, header = line 1) and
    the column.

    Returns
    -------
    pandas Series of float named ``gdp_growth_qoq_pct``, indexed by a quarterly ``PeriodIndex``
    named ``quarter``, sorted; ``attrs`` holds ``source``, ``column``, ``kind`` and ``definition``.
    """
    path = Path(path)
    src = str(path)
    if kind not in ("level", "qoq_pct"):
        raise DataError(f"kind must be 'level' or 'qoq_pct', not {shown(kind)}")
    frame = _read_text_csv(path)
    dcol = _pick_column(frame, date_column, _DATE_COLUMNS, "date", src)
    vcol = _pick_column(frame, column, _LEVEL_COLUMNS if kind == "level" else _QOQ_COLUMNS, "value", src)

    raw_dates = frame[dcol].tolist()
    raw_vals = frame[vcol].tolist()
    numbers = parse_numbers([str(v) for v in raw_vals])  # the one number syntax of every reader
    present = [str(v).strip().lower() not in _MISSING for v in raw_vals]
    if not any(present):
        raise DataError("the value column is empty", source=src, location=f"column {shown(vcol)}")
    first = present.index(True)
    last = len(present) - 1 - present[::-1].index(True)
    if first > 0 or last < len(present) - 1:
        log.info("%s: dropped %d leading and %d trailing rows with no %s", src, first, len(present) - 1 - last, vcol)

    quarters: list[pd.Period] = []
    values: list[float] = []
    seen: dict[pd.Period, int] = {}
    for i in range(first, last + 1):
        line = i + 2  # header is line 1
        q = parse_quarter(str(raw_dates[i]))
        if q is None:
            raise DataError(
                f"cannot read the date {shown(raw_dates[i])} as a quarter",
                source=src,
                location=f"row {line}, column {shown(dcol)}",
            )
        if q in seen:
            raise DataError(
                f"quarter {q} appears twice (also in row {seen[q]})",
                source=src,
                location=f"row {line}, column {shown(dcol)}",
            )
        seen[q] = line
        text = str(raw_vals[i]).strip()
        if text.lower() in _MISSING:
            raise DataError(
                f"missing value for {q} inside the series", source=src, location=f"row {line}, column {shown(vcol)}"
            )
        x = float(numbers[i])
        if math.isnan(x):
            where = f"row {line}, column {shown(vcol)}"
            number_column([text], source=src, where=functools.partial(_same, where))  # raises, saying why
            raise DataError(f"not a number: {shown(text)}", source=src, location=f"row {line}, column {shown(vcol)}")
        if kind == "level" and x <= 0:
            raise DataError(
                f"GDP level must be positive, got {x}", source=src, location=f"row {line}, column {shown(vcol)}"
            )
        if kind == "qoq_pct" and x <= -100:
            raise DataError(
                f"q/q change must exceed -100 %, got {x}", source=src, location=f"row {line}, column {shown(vcol)}"
            )
        quarters.append(q)
        values.append(x)

    s = pd.Series(values, index=pd.PeriodIndex(quarters, freq="Q"), dtype=float).sort_index()
    ordinals = np.asarray(quarter_ordinals(s.index))
    gaps = np.flatnonzero(np.diff(ordinals) != 1)
    if gaps.size:
        after = s.index[gaps[0] + 1]
        raise DataError(
            f"quarters missing between {s.index[gaps[0]]} and {after}",
            source=src,
            location=f"row {seen[after]}, column {shown(dcol)}",
        )
    if len(s) < 2 + (kind == "level"):
        raise DataError("fewer than two quarters of growth", source=src, location=f"column {shown(vcol)}")

    if kind == "level":
        growth = 100.0 * pd.Series(np.log(s.to_numpy()), index=s.index).diff().iloc[1:]
    else:
        growth = 100.0 * pd.Series(np.log1p(s.to_numpy() / 100.0), index=s.index)
    growth.name = "gdp_growth_qoq_pct"
    growth.index.name = "quarter"
    growth.attrs.update(source=src, column=vcol, kind=kind, definition=GROWTH_DEFINITION)
    log.debug(
        "%s: %d quarters of growth %s-%s from %s (%s)", src, len(growth), growth.index[0], growth.index[-1], vcol, kind
    )
    return growth


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------


#: Keys a scenario's ``[recession]`` table may give (see :func:`calibration_from_parameters`).
OVERRIDE_KEYS: tuple[str, ...] = ("rho", "sigma", "scale", "df", "mu", "file")


def _crisis_note(cal: AR1Calibration) -> str:
    p0, p1 = pd.Period(cal.start, "Q"), pd.Period(cal.end, "Q")
    excl = set(cal.excluded)
    notes = []
    gfc = [str(q) for q in pd.period_range("2008Q4", "2009Q2", freq="Q") if p0 <= q <= p1]
    if not gfc:
        notes.append("2008-09 recession outside the sample")
    elif excl.intersection(gfc):
        notes.append(f"2008-09 recession quarters excluded: {sorted(excl.intersection(gfc))}")
    else:
        notes.append(
            "2008-09 recession kept: it is a real recession of the kind "
            "whose probability is estimated; dropping it would understate sigma and recession risk"
        )
    covid = [str(q) for q in pd.period_range("2020Q2", "2020Q3", freq="Q") if p0 <= q <= p1]
    if not covid:
        notes.append("2020 COVID-19 lockdown quarters (2020Q2-Q3) outside the sample")
    elif excl.issuperset(covid):
        covid_all = [str(q) for q in pd.period_range("2020Q1", "2021Q4", freq="Q")]
        notes.append(f"COVID-19 quarters excluded: {sorted(excl.intersection(covid_all))}")
    else:
        notes.append("COVID-19 quarters in the sample and not excluded: sigma is inflated by the 2020 lockdown")
    if cal.excluded:
        notes.append("an excluded quarter removes both regression rows it enters (as g_t and as g_{t-1})")
    return "; ".join(notes)


#: Samples and seed of the predictive check recorded in a calibration file.
CHECK_SAMPLES = 20_000
CHECK_SEED = 20250201


def write_calibration(
    cal: AR1Calibration,
    path: str | Path,
    *,
    command: str | None = None,
    input_file: str | Path | None = None,
    description: str = "",
    sample_note: str = "",
) -> Path:
    """Write ``cal`` as JSON with its provenance: command, input file (and SHA-256), sample,
    crisis treatment, estimator, fitted values and standard errors, and the predictive check of
    the fitted model and of the Gaussian AR(1) (:func:`predictive_check`,
    20,000 samples, fixed seed). Written atomically."""
    path = Path(path)
    doc: dict = {
        "format": "tariffsim.ar1_calibration/2",
        "description": description
        or (
            "AR(1) of quarterly real GDP growth (q/q, percent per quarter)"
            + (f" for {cal.country}" if cal.country else "")
            + f", {cal.innovation}"
        ),
        "country": cal.country,
        "command": command or "",
        "input": cal.source,
    }
    if input_file is not None:
        doc["input_sha256"] = hashlib.sha256(Path(input_file).read_bytes()).hexdigest()
    doc.update(
        sample=f"{cal.start}-{cal.end}: growth quarters used; the likelihood conditions on the first "
        f"({cal.n_obs} rows of g_t given g_{{t-1}})" + (f". {sample_note}" if sample_note else ""),
        excluded=list(cal.excluded),
        crisis_treatment=_crisis_note(cal),
        estimator=cal.method,
        innovations=cal.innovation,
        growth_definition=cal.growth_definition,
        units={"mu": "percent per quarter", "sigma": "percent per quarter", "scale": "percent per quarter", "rho": "1"},
        calibration=cal.to_dict(),
    )
    checks = {}
    for name, gaussian in (("fitted", False), ("gaussian", True)):
        if gaussian or cal.innovations != "gaussian":
            checks[name] = predictive_check(cal, n_samples=CHECK_SAMPLES, seed=CHECK_SEED, gaussian=gaussian).to_dict()
    doc["predictive_check"] = checks
    doc["tariffsim_version"] = __version__
    text = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    parent = path.parent
    created = [q for q in (parent, *parent.parents) if not q.exists()]  # removed again on failure
    tmp: str | None = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tariffsim-", suffix=".tmp", dir=parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        for q in created:  # deepest first; a folder someone else filled meanwhile stays
            try:
                q.rmdir()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise OutputPathError(f"out: cannot write {path}: {exc.strerror or exc}") from None
        raise
    log.info("wrote calibration to %s", path)
    return path


def read_calibration(path: str | os.PathLike[str]) -> AR1Calibration:
    """Read a calibration JSON written by :func:`write_calibration` (format 1, Gaussian, or 2).

    The file is checked before it is trusted: a regular file of at most
    :data:`~tariffsim.limits.MAX_JSON_BYTES`, UTF-8 JSON holding an object, with the fields of a
    calibration, each of its type, and the model's bounds (``|rho| < 1``, ``sigma > 0``; Student t:
    ``scale > 0``, ``df > 2``); anything else is a :class:`DataError` naming the file and field."""
    src = str(path)
    raw = read_bytes(path, kind="calibration JSON file", max_bytes=limits.MAX_JSON_BYTES, source=src)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(
            f"not a UTF-8 text file (byte at offset {exc.start:,}); expected a JSON file", source=src
        ) from None
    except json.JSONDecodeError as exc:
        raise DataError(
            f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); expected a calibration file "
            "written by `tariffsim calibrate --out`",
            source=src,
        ) from None
    except RecursionError:
        raise DataError("not a usable JSON file (arrays or objects nested too deeply)", source=src) from None
    except ValueError as exc:  # a number of thousands of digits
        raise DataError(f"not a usable JSON file ({shown(str(exc) or type(exc).__name__, 80)})", source=src) from None
    if not isinstance(doc, Mapping):
        raise DataError(f"holds a JSON {type(doc).__name__}; a calibration file holds a JSON object", source=src)
    body = doc["calibration"] if isinstance(doc.get("calibration"), Mapping) else doc
    _check_calibration_fields(body, src)
    try:
        return AR1Calibration.from_dict(doc, source=src)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"not a usable calibration ({shown(str(exc), 80)})", source=src) from None


#: Fields of a calibration that must be numbers (or null where optional) and their bounds.
_NUMBER_FIELDS = ("mu", "rho", "sigma", "se_mu", "se_rho", "se_sigma", "scale", "df", "se_scale", "se_df")


def _check_calibration_fields(d: Mapping[str, Any], src: str) -> None:
    """Types and bounds of a calibration's fields (the rules :func:`calibration_from_parameters`
    applies to a scenario's own parameters)."""
    missing = [k for k in ("mu", "rho", "sigma", "n_obs", "start", "end") if k not in d]
    if missing:
        raise DataError(
            f"not a calibration: no {', '.join(missing)} (expected a file written by `tariffsim calibrate --out`)",
            source=src,
        )
    for k in _NUMBER_FIELDS:
        v = d.get(k)
        if v is None and k not in ("rho", "sigma"):
            continue
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise DataError(f"expected a number, got {shown(v)}", source=src, location=f"calibration.{k}")
        if k in ("rho", "sigma", "scale", "df") and not math.isfinite(float(v)):
            raise DataError(f"expected a finite number, got {shown(v)}", source=src, location=f"calibration.{k}")
    n_obs = d.get("n_obs")
    if isinstance(n_obs, bool) or not isinstance(n_obs, int) or n_obs < 0:
        raise DataError(f"expected a whole number >= 0, got {shown(n_obs)}", source=src, location="calibration.n_obs")
    for k in ("start", "end", "innovations", "country", "source", "method"):
        if k in d and d[k] is not None and not isinstance(d[k], str):
            raise DataError(f"expected text, got {shown(d[k])}", source=src, location=f"calibration.{k}")
    if not abs(float(d["rho"])) < 1:
        raise DataError(f"|rho| must be below 1 (stationary), got {d['rho']}", source=src, location="calibration.rho")
    if not float(d["sigma"]) > 0:
        raise DataError(f"sigma must be positive, got {d['sigma']}", source=src, location="calibration.sigma")
    if d.get("innovations", "gaussian") == "student_t":
        for k, ok, rule in (("scale", lambda x: x > 0, "positive"), ("df", lambda x: x > 2, "above 2")):
            if d.get(k) is None or not ok(float(d[k])):
                raise DataError(
                    f"a Student t calibration needs {k} {rule}, got {shown(d.get(k))}",
                    source=src,
                    location=f"calibration.{k}",
                )


def _iso3(country: str, source: str) -> str:

    return to_iso3([country], source=source, field="country")[0]


def shipped_calibrations() -> tuple[str, ...]:
    """ISO3 codes of the countries with a calibration shipped in ``data/recession``."""
    folder = data_file("recession")
    return tuple(
        sorted(
            p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json") and re.fullmatch(r"[A-Z]{3}", p.name[:-5])
        )
    )


def _number(value: object, key: str, source: str | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"must be a number, not {shown(value)}", source=source, field=f"recession.{key}")
    v = float(value)
    if not math.isfinite(v):
        raise ScenarioError(f"must be finite, not {shown(value)}", source=source, field=f"recession.{key}")
    return v


def calibration_from_parameters(
    params: Mapping[str, Any], *, country: str | None = None, source: str | None = None
) -> AR1Calibration:
    """A calibration from a scenario's own AR(1) parameters (its ``[recession]`` table).

    Keys (all growth figures in percent per quarter, q/q log growth, the units of
    :func:`tariffsim.models.ar1_fit.calibrate_ar1`):

    * ``rho`` (required): persistence, ``|rho| < 1``;
    * innovations, one of: ``sigma`` alone (Gaussian with sd ``sigma > 0``); ``scale`` and ``df``
      (Student t ``scale * t_df``, ``scale > 0``, ``df > 2``); ``sigma`` and ``df`` (Student t with
      standard deviation ``sigma``);
    * ``mu`` (optional): the historical mean growth; the Monte Carlo takes its mean from the
      scenario's baseline forecast, so ``mu`` only serves the predictive check;
    * or ``file`` alone: a calibration JSON written by ``tariffsim calibrate``.

    Raises :class:`ScenarioError` naming ``source`` and the field ``recession.<key>``.
    """
    if not isinstance(params, Mapping):
        raise ScenarioError(
            f"must be a table of AR(1) parameters, not {shown(params)}", source=source, field="recession"
        )
    unknown = sorted(set(map(str, params)) - set(OVERRIDE_KEYS))
    if unknown:
        raise ScenarioError(
            f"unknown key(s) {unknown}; the recession table takes {list(OVERRIDE_KEYS)}",
            source=source,
            field=f"recession.{unknown[0]}",
        )
    if "file" in params:
        if len(params) > 1:
            raise ScenarioError("give either file or the parameters, not both", source=source, field="recession.file")
        file = params["file"]
        if not isinstance(file, str | os.PathLike) or not str(file).strip():
            raise ScenarioError(
                f"expected the path of a calibration file, got {shown(file)}", source=source, field="recession.file"
            )
        try:
            cal = read_calibration(file)
        except TariffSimError as exc:  # the file the scenario points at is at fault: say which field named it
            raise ScenarioError(
                f"{shown(str(file), 120)} is not a usable calibration file ({exc}); it should be a file written by "
                "`tariffsim calibrate GDP.csv --out FILE`",
                source=source,
                field="recession.file",
            ) from None
        return cal if country is None or cal.country == country else _replace(cal, country=country)
    if "rho" not in params:
        raise ScenarioError(
            "rho is required (with sigma for Gaussian innovations, or scale and df for Student t)",
            source=source,
            field="recession.rho",
        )
    v = {k: _number(params[k], k, source) for k in params}
    if not abs(v["rho"]) < 1:
        raise ScenarioError(f"|rho| must be below 1 (stationary), got {v['rho']}", source=source, field="recession.rho")
    for k in ("sigma", "scale"):
        if k in v and not v[k] > 0:
            raise ScenarioError(f"must be positive, got {v[k]}", source=source, field=f"recession.{k}")
    if "df" in v and not v["df"] > 2:
        raise ScenarioError(
            f"degrees of freedom must exceed 2 (finite variance), got {v['df']}", source=source, field="recession.df"
        )
    if "sigma" in v and "scale" in v:
        raise ScenarioError("give sigma or scale, not both", source=source, field="recession.scale")
    if "scale" in v and "df" not in v:
        raise ScenarioError("scale needs df (Student t)", source=source, field="recession.df")
    if "sigma" not in v and "scale" not in v:
        raise ScenarioError(
            "give the innovations: sigma (Gaussian) or scale and df (Student t)", source=source, field="recession.sigma"
        )
    nan = float("nan")
    label = source or "<scenario>"
    if "df" in v:
        df = v["df"]
        ratio = math.sqrt(df / (df - 2.0))
        scale = v["scale"] if "scale" in v else v["sigma"] / ratio
        innov: dict = dict(innovations="student_t", scale=scale, df=df, sigma=scale * ratio)
    else:
        innov = dict(innovations="gaussian", sigma=v["sigma"])
    return AR1Calibration(
        mu=v.get("mu", nan),
        rho=v["rho"],
        se_mu=nan,
        se_rho=nan,
        se_sigma=nan,
        n_obs=0,
        start="",
        end="",
        method="given by the scenario",
        source=label,
        country=country,
        **innov,
    )


def _replace(cal: AR1Calibration, **changes: Any) -> AR1Calibration:

    return replace(cal, **changes)


def load_calibration(
    country: str, override: Mapping[str, Any] | None = None, *, source: str | None = None
) -> AR1Calibration:
    """The AR(1) calibration of ``country`` (ISO3 code or name) for the recession Monte Carlo.

    ``override``: the scenario's own parameters (its ``[recession]`` table, see
    :func:`calibration_from_parameters`); when given and non-empty it replaces the shipped
    calibration entirely, and it is the only way to run a country without one. ``source`` names
    the scenario in errors. Otherwise the shipped ``data/recession/<ISO3>.json`` is read
    (:func:`shipped_calibrations` lists them).

    Raises :class:`ScenarioError` naming the country when there is no calibration and no override,
    :class:`~tariffsim.errors.CountryCodeError` for an unknown country.
    """
    code = _iso3(country, source=source or "<scenario>")
    if override:
        return calibration_from_parameters(override, country=code, source=source)
    path = data_file("recession", f"{code}.json")
    if not path.is_file():
        shipped = ", ".join(shipped_calibrations()) or "none"
        raise ScenarioError(
            f"no recession calibration for {code} (shipped: {shipped}); the scenario may supply the AR(1) "
            "parameters in a [recession] table (rho with sigma, or rho with scale and df; optional mu), "
            f"or fit them with `tariffsim calibrate GDP.csv --country {code} --out FILE` and give file = FILE",
            source=source,
            field="country",
        )
    return read_calibration(cast(Path, path))  # files() of a regular package is a pathlib.Path


def default_calibration() -> AR1Calibration:
    """The shipped calibration for Mexico (``data/recession/MEX.json``)."""
    return load_calibration(DEFAULT_COUNTRY)


# --------------------------------------------------------------------------------------------
# The AR(1) process and the predictive check of a calibration
# --------------------------------------------------------------------------------------------
