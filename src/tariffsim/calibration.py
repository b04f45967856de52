"""Quarterly GDP loaders and the AR(1) calibration behind the recession-risk model.

Growth definition
    Everywhere q/q growth is the log difference ``g_t = 100 * ln(Y_t / Y_{t-1})`` (percent per
    quarter). On INEGI's seasonally adjusted series 1996Q1-2019Q4 this gives mean 0.624, sd 1.040
    and first-order autocorrelation 0.396, the figures MODELS.md quotes (0.62, 1.04, 0.40); the
    simple change ``100 * (Y_t / Y_{t-1} - 1)`` gives mean 0.631 instead. Logs also make level
    deviations add up over quarters, which the tariff effect relies on. A file that only has
    published q/q percent changes (``kind="qoq_pct"``) is converted with ``100 * ln(1 + g / 100)``.

The shipped calibration (``data/recession/ar1_mexico.json``) records the command that produced
it, the input file, the sample and the treatment of crisis quarters; :func:`default_calibration`
reads it. The Monte Carlo that uses it is :mod:`tariffsim.recession`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from .datasets import data_file
from .errors import DataError

__all__ = [
    "GROWTH_DEFINITION",
    "read_quarterly_gdp",
    "AR1Calibration",
    "calibrate_ar1",
    "calibrate_file",
    "run_calibration",
    "write_calibration",
    "read_calibration",
    "default_calibration",
]

log = logging.getLogger(__name__)

GROWTH_DEFINITION = "100*ln(Y_t/Y_{t-1}), percent per quarter"

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

_RE_QUARTER = re.compile(r"^(\d{4})\s*[-/ ]?\s*[Qq]([1-4])$")
_RE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_RE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_RE_DECIMAL = re.compile(r"^(\d{4})(?:\.(\d+))?$")


def _parse_quarter(text: str) -> pd.Period | None:
    """A quarter from '1996Q1', '1996-Q1', '1996.25' (decimal year), '1996-04-01' or '30/03/1996'.

    Slash dates are day/month/year (INEGI's convention). A date maps to the quarter that contains
    it, so quarter-start (Haver, FRED) and quarter-end (INEGI) stamps both work. None if unparseable.
    """
    s = text.strip().strip('"')
    try:
        if m := _RE_QUARTER.match(s):
            return pd.Period(year=int(m[1]), quarter=int(m[2]), freq="Q")
        if m := _RE_DECIMAL.match(s):
            frac = float("0." + m[2]) if m[2] else 0.0
            q4 = frac * 4.0
            if abs(q4 - round(q4)) > 1e-6:
                return None
            return pd.Period(year=int(m[1]), quarter=int(round(q4)) + 1, freq="Q")
        if m := _RE_ISO.match(s):
            ts = pd.Timestamp(year=int(m[1]), month=int(m[2]), day=int(m[3]))
            return ts.to_period("Q")
        if m := _RE_DMY.match(s):
            ts = pd.Timestamp(year=int(m[3]), month=int(m[2]), day=int(m[1]))
            return ts.to_period("Q")
    except ValueError:
        return None
    return None


def _read_text_csv(path: Path) -> pd.DataFrame:
    src = str(path)
    if not path.is_file():
        raise DataError("file not found", source=src)
    last: Exception | None = None
    for enc in ("utf-8-sig", "latin-1"):
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
        except UnicodeDecodeError as exc:
            last = exc
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DataError(f"not a readable CSV file ({exc})", source=src) from exc
    raise DataError(f"cannot decode the file ({last})", source=src)


def _pick_column(frame: pd.DataFrame, given: str | None, candidates: Sequence[str], what: str, src: str) -> str:
    cols = [str(c) for c in frame.columns]
    if given is not None:
        if given not in cols:
            raise DataError(f"{what} column {given!r} not found; columns are {cols}", source=src, location=given)
        return given
    for c in candidates:
        if c in cols:
            return c
    raise DataError(
        f"no {what} column found (looked for {list(candidates)}); name it with the "
        f"{'date_column' if what == 'date' else 'column'} argument; columns are {cols}",
        source=src,
    )


def read_quarterly_gdp(
    path, *, column: str | None = None, kind: str = "level", date_column: str | None = None
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
        raise ValueError(f"kind must be 'level' or 'qoq_pct', not {kind!r}")
    frame = _read_text_csv(path)
    dcol = _pick_column(frame, date_column, _DATE_COLUMNS, "date", src)
    vcol = _pick_column(frame, column, _LEVEL_COLUMNS if kind == "level" else _QOQ_COLUMNS, "value", src)

    raw_dates = frame[dcol].tolist()
    raw_vals = frame[vcol].tolist()
    present = [str(v).strip().lower() not in _MISSING for v in raw_vals]
    if not any(present):
        raise DataError("the value column is empty", source=src, location=f"column {vcol!r}")
    first = present.index(True)
    last = len(present) - 1 - present[::-1].index(True)
    if first > 0 or last < len(present) - 1:
        log.info("%s: dropped %d leading and %d trailing rows with no %s", src, first, len(present) - 1 - last, vcol)

    quarters: list[pd.Period] = []
    values: list[float] = []
    seen: dict[pd.Period, int] = {}
    for i in range(first, last + 1):
        line = i + 2  # header is line 1
        q = _parse_quarter(str(raw_dates[i]))
        if q is None:
            raise DataError(
                f"cannot read the date {raw_dates[i]!r} as a quarter",
                source=src,
                location=f"row {line}, column {dcol!r}",
            )
        if q in seen:
            raise DataError(
                f"quarter {q} appears twice (also in row {seen[q]})",
                source=src,
                location=f"row {line}, column {dcol!r}",
            )
        seen[q] = line
        text = str(raw_vals[i]).strip()
        if text.lower() in _MISSING:
            raise DataError(
                f"missing value for {q} inside the series", source=src, location=f"row {line}, column {vcol!r}"
            )
        try:
            x = float(text.replace(",", ""))
        except ValueError:
            raise DataError(f"not a number: {text!r}", source=src, location=f"row {line}, column {vcol!r}") from None
        if not math.isfinite(x):
            raise DataError(f"not a finite number: {text!r}", source=src, location=f"row {line}, column {vcol!r}")
        if kind == "level" and x <= 0:
            raise DataError(f"GDP level must be positive, got {x}", source=src, location=f"row {line}, column {vcol!r}")
        if kind == "qoq_pct" and x <= -100:
            raise DataError(
                f"q/q change must exceed -100 %, got {x}", source=src, location=f"row {line}, column {vcol!r}"
            )
        quarters.append(q)
        values.append(x)

    s = pd.Series(values, index=pd.PeriodIndex(quarters, freq="Q"), dtype=float).sort_index()
    ordinals = np.asarray(s.index.asi8)
    gaps = np.flatnonzero(np.diff(ordinals) != 1)
    if gaps.size:
        after = s.index[gaps[0] + 1]
        raise DataError(
            f"quarters missing between {s.index[gaps[0]]} and {after}",
            source=src,
            location=f"row {seen[after]}, column {dcol!r}",
        )
    if len(s) < 2 + (kind == "level"):
        raise DataError("fewer than two quarters of growth", source=src, location=f"column {vcol!r}")

    if kind == "level":
        growth = 100.0 * np.log(s).diff().iloc[1:]
    else:
        growth = 100.0 * np.log1p(s / 100.0)
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


@dataclass(frozen=True)
class AR1Calibration:
    """Fitted AR(1) for quarterly growth: ``g_t = mu + rho (g_{t-1} - mu) + u_t``, sd(u) = sigma.

    Units: ``mu``, ``sigma`` and their standard errors in percent per quarter (log growth, see
    :data:`GROWTH_DEFINITION`); ``rho`` is unit-free. ``n_obs`` counts regression rows (pairs of
    consecutive in-sample, non-excluded quarters). ``start``/``end`` delimit the growth observations
    used (the first is conditioned on). ``sample_mean``, ``sample_sd`` and ``sample_autocorr`` are the
    plain moments of growth in the sample (the figures MODELS.md quotes).
    """

    mu: float
    rho: float
    sigma: float
    se_mu: float
    se_rho: float
    se_sigma: float
    n_obs: int
    start: str
    end: str
    excluded: tuple[str, ...] = ()
    method: str = "conditional OLS"
    growth_definition: str = GROWTH_DEFINITION
    source: str = "<series>"
    sample_mean: float = float("nan")
    sample_sd: float = float("nan")
    sample_autocorr: float = float("nan")

    def unconditional_sd(self) -> float:
        """Standard deviation of growth implied by the AR(1), ``sigma / sqrt(1 - rho^2)`` (percent)."""
        return self.sigma / math.sqrt(1.0 - self.rho**2) if abs(self.rho) < 1 else float("inf")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["excluded"] = list(self.excluded)
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> AR1Calibration:
        """From :meth:`to_dict` output, or from a calibration file (which nests it under ``calibration``)."""
        if "calibration" in d and isinstance(d["calibration"], Mapping):
            d = d["calibration"]
        names = {f.name for f in fields(cls)}
        missing = {"mu", "rho", "sigma", "se_mu", "se_rho", "se_sigma", "n_obs", "start", "end"} - set(d)
        if missing:
            raise DataError(f"calibration lacks {sorted(missing)}", source="<calibration>")
        kw = {k: v for k, v in d.items() if k in names}
        kw["excluded"] = tuple(str(x) for x in kw.get("excluded", ()))
        kw["n_obs"] = int(kw["n_obs"])
        return cls(**kw)


def _as_period(x, what: str) -> pd.Period:
    try:
        p = x if isinstance(x, pd.Period) else _parse_quarter(str(x))
    except (TypeError, ValueError):
        p = None
    if p is None:
        raise ValueError(f"{what}: cannot read {x!r} as a quarter (e.g. '2020Q2')")
    return p.asfreq("Q") if p.freqstr != "Q-DEC" else p


def _expand_exclude(exclude: Iterable) -> list[pd.Period]:
    """Quarters from items like '2020Q2', pd.Period, or the inclusive range '2020Q2:2020Q4'."""
    out: list[pd.Period] = []
    for item in exclude:
        if isinstance(item, str) and ":" in item:
            a, b = item.split(":", 1)
            pa, pb = _as_period(a, "exclude"), _as_period(b, "exclude")
            if pb < pa:
                raise ValueError(f"exclude: empty range {item!r}")
            out.extend(pd.period_range(pa, pb, freq="Q"))
        else:
            out.append(_as_period(item, "exclude"))
    return sorted(set(out))


def calibrate_ar1(
    growth: pd.Series, *, start="1996Q1", end="2019Q4", exclude: Iterable = (), source: str | None = None
) -> AR1Calibration:
    """Fit the AR(1) of quarterly growth by conditional OLS.

    Regression ``g_t = c + rho g_{t-1} + u_t`` over consecutive quarters t-1, t that both lie in
    ``[start, end]`` and are not excluded (conditional on the first in-sample quarter, as in the
    conditional Gaussian MLE, Hamilton 1994 §5.2); ``mu = c / (1 - rho)`` with its standard error
    by the delta method; ``sigma^2 = SSR / (n - 2)`` with the asymptotic ``se = sigma / sqrt(2 (n - 2))``.
    Standard errors are the classical homoskedastic ones.

    Crisis quarters. The default sample 1996Q1-2019Q4 starts after the 1995 peso crisis and ends
    before COVID-19, and keeps the 2008-09 recession: it is a real recession of the kind whose
    probability we estimate, and dropping it would understate the innovation variance and hence
    recession risk. ``exclude`` takes quarters ('2020Q2') or inclusive ranges ('2020Q2:2020Q4');
    an excluded quarter removes both regression rows it enters (as g_t and as g_{t-1}). Extending
    the sample past 2019 without excluding 2020Q2-2020Q3 (-17.9 % and +13.5 % q/q, a lockdown rather
    than an AR(1) innovation) inflates sigma from 0.95 to 2.5 and turns rho negative.

    Parameters
    ----------
    growth : q/q growth in percent per quarter indexed by quarterly ``pd.Period`` (as returned by
        :func:`read_quarterly_gdp`).
    start, end : first and last quarter of the sample ('1996Q1'), or None for the series' ends.
    source : label recorded in the result; defaults to ``growth.attrs['source']``.
    """
    if not isinstance(growth, pd.Series) or not isinstance(growth.index, pd.PeriodIndex):
        raise DataError("growth must be a pandas Series indexed by quarterly pd.Period", source="<series>")
    src = source or str(growth.attrs.get("source", "<series>"))
    g = growth.astype(float).sort_index()
    if g.index.has_duplicates:
        raise DataError("duplicated quarters in the growth series", source=src)
    p0 = g.index[0] if start is None else _as_period(start, "start")
    p1 = g.index[-1] if end is None else _as_period(end, "end")
    g = g[(g.index >= p0) & (g.index <= p1)]
    if g.empty:
        raise DataError(f"no observations between {p0} and {p1}", source=src)
    if g.index[0] != p0 or g.index[-1] != p1:
        raise DataError(f"the series covers {g.index[0]}-{g.index[-1]}, not the requested sample {p0}-{p1}", source=src)
    if np.any(np.diff(g.index.asi8) != 1):
        raise DataError("the growth series has missing quarters inside the sample", source=src)
    if not np.all(np.isfinite(g.to_numpy())):
        bad = g.index[~np.isfinite(g.to_numpy())][0]
        raise DataError(f"missing or non-finite growth in {bad}", source=src)

    excl = _expand_exclude(exclude)
    excl_in = [q for q in excl if p0 <= q <= p1]
    if len(excl_in) < len(excl):
        log.info(
            "excluded quarters outside the sample %s-%s are ignored: %s",
            p0,
            p1,
            [str(q) for q in excl if q not in excl_in],
        )
    keep = ~g.index.isin(excl_in)
    y_all = g.to_numpy()
    valid = keep[1:] & keep[:-1]
    y, x = y_all[1:][valid], y_all[:-1][valid]
    n = int(y.size)
    if n < 10:
        raise DataError(f"only {n} regression observations; need at least 10", source=src)

    X = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    c, rho = float(beta[0]), float(beta[1])
    resid = y - X @ beta
    s2 = float(resid @ resid) / (n - 2)
    cov = s2 * np.linalg.inv(X.T @ X)
    if abs(rho) >= 1:
        log.warning("%s: estimated rho = %.3f is not stationary; mu is undefined", src, rho)
        mu, se_mu = float("nan"), float("nan")
    else:
        mu = c / (1.0 - rho)
        grad = np.array([1.0 / (1.0 - rho), c / (1.0 - rho) ** 2])
        se_mu = float(np.sqrt(grad @ cov @ grad))
    sigma = math.sqrt(s2)

    kept = y_all[keep]
    cal = AR1Calibration(
        mu=float(mu),
        rho=rho,
        sigma=sigma,
        se_mu=se_mu,
        se_rho=float(np.sqrt(cov[1, 1])),
        se_sigma=sigma / math.sqrt(2.0 * (n - 2)),
        n_obs=n,
        start=str(p0),
        end=str(p1),
        excluded=tuple(str(q) for q in excl_in),
        method="conditional OLS of g_t on (1, g_{t-1}); mu = c/(1-rho) (delta-method se); "
        "sigma^2 = SSR/(n-2), se(sigma) = sigma/sqrt(2(n-2)); homoskedastic se",
        source=src,
        sample_mean=float(kept.mean()),
        sample_sd=float(kept.std(ddof=1)),
        sample_autocorr=float(np.corrcoef(y, x)[0, 1]),
    )
    log.info("AR(1) on %s %s-%s (n=%d): mu=%.3f rho=%.3f sigma=%.3f", src, p0, p1, n, cal.mu, cal.rho, cal.sigma)
    return cal


def calibrate_file(
    path,
    *,
    start="1996Q1",
    end="2019Q4",
    exclude: Iterable = (),
    column: str | None = None,
    kind: str = "level",
    date_column: str | None = None,
    source: str | None = None,
) -> AR1Calibration:
    """Read a quarterly GDP CSV (:func:`read_quarterly_gdp`) and calibrate (:func:`calibrate_ar1`).

    ``source`` is the label recorded for the input; by default the path relative to the current
    directory (so run from the project root it reads ``../shared/data/mexico_gdp/<file>``).
    """
    growth = read_quarterly_gdp(path, column=column, kind=kind, date_column=date_column)
    return calibrate_ar1(growth, start=start, end=end, exclude=exclude, source=source or _path_label(path))


def _path_label(path) -> str:
    """A path as the user would write it from the current directory, with '/' separators."""
    p = Path(path)
    try:
        rel = os.path.relpath(p.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        return p.name
    return Path(rel).as_posix()


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
            "2008-09 recession (2008Q4-2009Q2 negative) kept: it is a real recession of the kind "
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


def write_calibration(
    cal: AR1Calibration, path, *, command: str | None = None, input_file=None, description: str = ""
) -> Path:
    """Write ``cal`` as JSON with its provenance: command, input file (and SHA-256), sample,
    crisis treatment, estimator, fitted values and standard errors. Written atomically."""
    path = Path(path)
    doc: dict = {
        "format": "tariffsim.ar1_calibration/1",
        "description": description or "AR(1) of quarterly real GDP growth (q/q, percent per quarter)",
        "command": command or "",
        "input": cal.source,
    }
    if input_file is not None:
        doc["input_sha256"] = hashlib.sha256(Path(input_file).read_bytes()).hexdigest()
    doc.update(
        sample=f"{cal.start}-{cal.end}: growth quarters used; the regression conditions on the first "
        f"({cal.n_obs} rows of g_t on g_{{t-1}})",
        excluded=list(cal.excluded),
        crisis_treatment=_crisis_note(cal),
        estimator=cal.method,
        growth_definition=cal.growth_definition,
        units={"mu": "percent per quarter", "sigma": "percent per quarter", "rho": "1"},
        calibration=cal.to_dict(),
    )
    try:
        from importlib.metadata import version

        doc["tariffsim_version"] = version("tariffsim")
    except Exception:  # noqa: BLE001 - metadata is optional provenance
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    log.info("wrote calibration to %s", path)
    return path


def run_calibration(
    gdp_csv,
    *,
    start="1996Q1",
    end="2019Q4",
    exclude: Iterable = (),
    out=None,
    column: str | None = None,
    kind: str = "level",
    date_column: str | None = None,
    command: str | None = None,
) -> AR1Calibration:
    """The whole calibration command: read ``gdp_csv``, fit the AR(1), write JSON to ``out`` if given.

    ``command`` is recorded in the file as the command that produced it (the CLI passes its own
    command line); by default the equivalent Python call is recorded.
    """
    exclude = tuple(exclude)
    cal = calibrate_file(
        gdp_csv, start=start, end=end, exclude=exclude, column=column, kind=kind, date_column=date_column
    )
    if out is not None:
        if command is None:
            args = [repr(cal.source), f"start={start!r}", f"end={end!r}"]
            if exclude:
                args.append(f"exclude={exclude!r}")
            for k, v in (("column", column), ("date_column", date_column)):
                if v is not None:
                    args.append(f"{k}={v!r}")
            if kind != "level":
                args.append(f"kind={kind!r}")
            args.append(f"out={_path_label(out)!r}")
            code = "from tariffsim.recession import run_calibration; run_calibration(" + ", ".join(args) + ")"
            command = f'python -c "{code}"' if '"' not in code and "$" not in code else "python -c " + shlex.quote(code)
        write_calibration(cal, out, command=command, input_file=gdp_csv)
    return cal


def read_calibration(path) -> AR1Calibration:
    """Read a calibration JSON written by :func:`write_calibration`."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"cannot read calibration ({exc})", source=str(path)) from exc
    return AR1Calibration.from_dict(doc)


def default_calibration() -> AR1Calibration:
    """The shipped calibration for Mexico (``data/recession/ar1_mexico.json``)."""
    doc = json.loads(data_file("recession", "ar1_mexico.json").read_text(encoding="utf-8"))
    return AR1Calibration.from_dict(doc)
