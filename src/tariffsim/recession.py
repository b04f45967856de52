"""Recession risk: quarterly GDP loaders, AR(1) calibration and a vectorised Monte Carlo.

Section 3 of MODELS.md. Quarterly real GDP growth follows

    g_q = mu + rho (g_{q-1} - mu) + u_q,   u_q ~ N(0, sigma^2),

in **percent per quarter** (q/q, not annualised), plus the tariff's growth effect, which is the
first difference of the GDP level-deviation path the macro layer produces.

Growth definition
    Everywhere in this module q/q growth is the log difference ``g_t = 100 * ln(Y_t / Y_{t-1})``
    (percent per quarter). On INEGI's seasonally adjusted series 1996Q1-2019Q4 this gives mean
    0.624, sd 1.040 and first-order autocorrelation 0.396, the figures MODELS.md quotes (0.62,
    1.04, 0.40); the simple change ``100 * (Y_t / Y_{t-1} - 1)`` gives mean 0.631 instead. Logs
    also make level deviations add up over quarters, which the tariff effect relies on.
    A file that only has published q/q percent changes (``kind="qoq_pct"``) is converted to the
    same definition with ``100 * ln(1 + g / 100)``.

Timing convention of the Monte Carlo
    Quarter 0 is the last observed quarter (growth ``g0``); quarters 1..H are simulated. The
    tariff's level deviation ``d_q`` (percent of the baseline level) is zero in quarter 0 and
    adds ``100 * [ln(1 + d_q/100) - ln(1 + d_{q-1}/100)]`` to growth in quarter q (= d_q - d_{q-1}
    to first order). With and without the tariff share the same innovations (common random
    numbers), so their difference is the tariff effect alone.

Definitions of the reported probabilities
    technical recession: two consecutive quarters of negative q/q growth. The pair (0, 1) counts:
    if the observed quarter 0 was negative, a negative quarter 1 completes a technical recession.
    "within 4 quarters" uses the pairs ending in quarters 1..4, "within the horizon" all pairs.
    annual contraction: calendar-year growth below zero, i.e. the average level of quarters 1-4 is
    below the average level of quarters -3..0 (the convention of annual GDP forecasts such as
    "Mexican growth in 2025: +1.2 %"). The growth of quarters -2 and -1 (``pre_growth``) and
    quarter 0 (``g0``) fix the base year; they default to ``mu``.

Caveat
    Mexican growth is fat-tailed (AR(1) residuals 1996-2019 have excess kurtosis of about 8.6,
    mostly 2009Q1). A Gaussian AR(1) with the fitted sigma therefore overstates how often small
    negative quarters occur: at the historical mean it implies a technical recession in about a
    quarter of all 4-quarter windows, against 9 of 92 (two episodes, 2001-02 and 2008-09) in the
    data. Read the baseline probabilities with that in mind; the tariff's effect (the difference
    under common random numbers) is the more robust output.
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
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from ._util import readonly
from .datasets import data_file
from .errors import DataError

__all__ = [
    "GROWTH_DEFINITION",
    "QUANTILES",
    "read_quarterly_gdp",
    "AR1Calibration",
    "calibrate_ar1",
    "calibrate_file",
    "run_calibration",
    "write_calibration",
    "read_calibration",
    "default_calibration",
    "annual_to_quarterly",
    "quarterly_to_annual",
    "shock_to_growth",
    "ar1_growth_paths",
    "technical_recession",
    "annual_contraction",
    "MCProbability",
    "RecessionRisk",
    "simulate_recession_risk",
]

log = logging.getLogger(__name__)

GROWTH_DEFINITION = "100*ln(Y_t/Y_{t-1}), percent per quarter"
#: Default quantile levels (shares) of the growth fan chart.
QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)

_DATE_COLUMNS = ("Periodos", "Quarter", "quarter", "Period", "period", "Date", "date", "DATE",
                 "observation_date", "time")
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


def read_quarterly_gdp(path, *, column: str | None = None, kind: str = "level",
                       date_column: str | None = None) -> pd.Series:
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
        log.info("%s: dropped %d leading and %d trailing rows with no %s", src, first,
                 len(present) - 1 - last, vcol)

    quarters: list[pd.Period] = []
    values: list[float] = []
    seen: dict[pd.Period, int] = {}
    for i in range(first, last + 1):
        line = i + 2  # header is line 1
        q = _parse_quarter(str(raw_dates[i]))
        if q is None:
            raise DataError(f"cannot read the date {raw_dates[i]!r} as a quarter", source=src,
                            location=f"row {line}, column {dcol!r}")
        if q in seen:
            raise DataError(f"quarter {q} appears twice (also in row {seen[q]})", source=src,
                            location=f"row {line}, column {dcol!r}")
        seen[q] = line
        text = str(raw_vals[i]).strip()
        if text.lower() in _MISSING:
            raise DataError(f"missing value for {q} inside the series", source=src,
                            location=f"row {line}, column {vcol!r}")
        try:
            x = float(text.replace(",", ""))
        except ValueError:
            raise DataError(f"not a number: {text!r}", source=src, location=f"row {line}, column {vcol!r}") from None
        if not math.isfinite(x):
            raise DataError(f"not a finite number: {text!r}", source=src, location=f"row {line}, column {vcol!r}")
        if kind == "level" and x <= 0:
            raise DataError(f"GDP level must be positive, got {x}", source=src, location=f"row {line}, column {vcol!r}")
        if kind == "qoq_pct" and x <= -100:
            raise DataError(f"q/q change must exceed -100 %, got {x}", source=src,
                            location=f"row {line}, column {vcol!r}")
        quarters.append(q)
        values.append(x)

    s = pd.Series(values, index=pd.PeriodIndex(quarters, freq="Q"), dtype=float).sort_index()
    ordinals = np.asarray(s.index.asi8)
    gaps = np.flatnonzero(np.diff(ordinals) != 1)
    if gaps.size:
        after = s.index[gaps[0] + 1]
        raise DataError(f"quarters missing between {s.index[gaps[0]]} and {after}", source=src,
                        location=f"row {seen[after]}, column {dcol!r}")
    if len(s) < 2 + (kind == "level"):
        raise DataError("fewer than two quarters of growth", source=src, location=f"column {vcol!r}")

    if kind == "level":
        growth = 100.0 * np.log(s).diff().iloc[1:]
    else:
        growth = 100.0 * np.log1p(s / 100.0)
    growth.name = "gdp_growth_qoq_pct"
    growth.index.name = "quarter"
    growth.attrs.update(source=src, column=vcol, kind=kind, definition=GROWTH_DEFINITION)
    log.debug("%s: %d quarters of growth %s-%s from %s (%s)", src, len(growth), growth.index[0],
              growth.index[-1], vcol, kind)
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


def calibrate_ar1(growth: pd.Series, *, start="1996Q1", end="2019Q4", exclude: Iterable = (),
                  source: str | None = None) -> AR1Calibration:
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
        raise DataError(f"the series covers {g.index[0]}-{g.index[-1]}, not the requested sample {p0}-{p1}",
                        source=src)
    if np.any(np.diff(g.index.asi8) != 1):
        raise DataError("the growth series has missing quarters inside the sample", source=src)
    if not np.all(np.isfinite(g.to_numpy())):
        bad = g.index[~np.isfinite(g.to_numpy())][0]
        raise DataError(f"missing or non-finite growth in {bad}", source=src)

    excl = _expand_exclude(exclude)
    excl_in = [q for q in excl if p0 <= q <= p1]
    if len(excl_in) < len(excl):
        log.info("excluded quarters outside the sample %s-%s are ignored: %s", p0, p1,
                 [str(q) for q in excl if q not in excl_in])
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
        mu=float(mu), rho=rho, sigma=sigma, se_mu=se_mu, se_rho=float(np.sqrt(cov[1, 1])),
        se_sigma=sigma / math.sqrt(2.0 * (n - 2)), n_obs=n, start=str(p0), end=str(p1),
        excluded=tuple(str(q) for q in excl_in),
        method="conditional OLS of g_t on (1, g_{t-1}); mu = c/(1-rho) (delta-method se); "
               "sigma^2 = SSR/(n-2), se(sigma) = sigma/sqrt(2(n-2)); homoskedastic se",
        source=src, sample_mean=float(kept.mean()), sample_sd=float(kept.std(ddof=1)),
        sample_autocorr=float(np.corrcoef(y, x)[0, 1]),
    )
    log.info("AR(1) on %s %s-%s (n=%d): mu=%.3f rho=%.3f sigma=%.3f", src, p0, p1, n, cal.mu, cal.rho, cal.sigma)
    return cal


def calibrate_file(path, *, start="1996Q1", end="2019Q4", exclude: Iterable = (), column: str | None = None,
                   kind: str = "level", date_column: str | None = None, source: str | None = None) -> AR1Calibration:
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
        notes.append("2008-09 recession (2008Q4-2009Q2 negative) kept: it is a real recession of the kind "
                     "whose probability is estimated; dropping it would understate sigma and recession risk")
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


def write_calibration(cal: AR1Calibration, path, *, command: str | None = None, input_file=None,
                      description: str = "") -> Path:
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


def run_calibration(gdp_csv, *, start="1996Q1", end="2019Q4", exclude: Iterable = (), out=None,
                    column: str | None = None, kind: str = "level", date_column: str | None = None,
                    command: str | None = None) -> AR1Calibration:
    """The whole calibration command: read ``gdp_csv``, fit the AR(1), write JSON to ``out`` if given.

    ``command`` is recorded in the file as the command that produced it (the CLI passes its own
    command line); by default the equivalent Python call is recorded.
    """
    exclude = tuple(exclude)
    cal = calibrate_file(gdp_csv, start=start, end=end, exclude=exclude, column=column, kind=kind,
                         date_column=date_column)
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


# --------------------------------------------------------------------------------------------
# Monte Carlo: pure array functions
# --------------------------------------------------------------------------------------------


def annual_to_quarterly(pct: float) -> float:
    """Quarterly log growth (percent per quarter) of a path growing ``pct`` percent a year.

    ``100 * ln(1 + pct/100) / 4``; 1.2 % a year gives 0.298 % a quarter.
    """
    return 100.0 * math.log1p(pct / 100.0) / 4.0


def quarterly_to_annual(pct: float) -> float:
    """Inverse of :func:`annual_to_quarterly`: annual growth in percent from quarterly log growth."""
    return 100.0 * math.expm1(4.0 * pct / 100.0)


def shock_to_growth(level_dev) -> np.ndarray:
    """Growth effect (percentage points per quarter) of a GDP level-deviation path (percent).

    ``level_dev[..., q]`` is the deviation of the level from baseline in quarter q+1 (percent;
    -2 means 2 % below); the deviation before the first quarter is zero. Returns
    ``100 * Δ ln(1 + d/100)`` along the last axis, the same shape (= Δd to first order).
    """
    d = np.asarray(level_dev, dtype=float)
    ld = 100.0 * np.log1p(d / 100.0)
    return np.diff(ld, axis=-1, prepend=0.0)


def ar1_growth_paths(mu: float, rho: float, sigma: float, g0: float, z: np.ndarray) -> np.ndarray:
    """Baseline growth paths from standard-normal innovations ``z`` of shape (H, n).

    ``g_q = mu + rho (g_{q-1} - mu) + sigma z_q`` with ``g_0 = g0``; percent per quarter; returns (H, n).
    Vectorised over paths; loops over the H quarters.
    """
    z = np.asarray(z, dtype=float)
    g = np.empty_like(z)
    prev = np.full(z.shape[1:], float(g0))
    for q in range(z.shape[0]):
        np.multiply(z[q], sigma, out=g[q])
        g[q] += mu
        g[q] += rho * (prev - mu)
        prev = g[q]
    return g


def technical_recession(growth: np.ndarray, g0: float, upto: int | None = None) -> np.ndarray:
    """Whether each path has two consecutive negative quarters, ending in quarters 1..``upto``.

    ``growth`` is (H, n) q/q growth of quarters 1..H; ``g0`` the growth of quarter 0, so the pair
    (0, 1) counts. Returns a bool array (n,).
    """
    g = np.asarray(growth)
    upto = g.shape[0] if upto is None else min(int(upto), g.shape[0])
    neg = g[:upto] < 0
    hit = neg[0] & (g0 < 0)
    for q in range(1, upto):
        hit |= neg[q] & neg[q - 1]
    return hit


def annual_contraction(growth: np.ndarray, g0: float, pre_growth: Sequence[float]) -> np.ndarray:
    """Whether the average GDP level of quarters 1-4 is below that of quarters -3..0 (bool, (n,)).

    ``growth`` (H >= 4, n) is log growth in percent per quarter of quarters 1..H, ``g0`` that of
    quarter 0 and ``pre_growth = (g_{-2}, g_{-1})`` those of quarters -2 and -1.
    """
    g = np.asarray(growth)
    if g.shape[0] < 4:
        raise ValueError("annual contraction needs a horizon of at least 4 quarters")
    gm2, gm1 = (float(v) for v in pre_growth)
    # log levels relative to quarter 0, in shares
    base = np.exp(-np.array([g0 + gm1 + gm2, g0 + gm1, g0, 0.0]) / 100.0).sum()
    cum = np.cumsum(g[:4], axis=0) / 100.0
    return np.exp(cum).sum(axis=0) < base


# --------------------------------------------------------------------------------------------
# Monte Carlo: results and the driver
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MCProbability:
    """A Monte Carlo probability (share 0-1) with and without the tariff, with standard errors.

    ``se_difference`` is the standard error of ``tariff - baseline`` under common random numbers
    (much smaller than the two separate ones).
    """

    tariff: float
    baseline: float
    se_tariff: float
    se_baseline: float
    difference: float
    se_difference: float

    @classmethod
    def from_indicators(cls, with_tariff: np.ndarray, baseline: np.ndarray) -> MCProbability:
        n = with_tariff.size
        pt, pb = float(with_tariff.mean()), float(baseline.mean())
        diff = with_tariff.astype(np.int8) - baseline.astype(np.int8)
        sd_diff = float(diff.std(ddof=1)) if n > 1 else float("nan")
        return cls(tariff=pt, baseline=pb, se_tariff=math.sqrt(pt * (1 - pt) / n),
                   se_baseline=math.sqrt(pb * (1 - pb) / n), difference=pt - pb,
                   se_difference=sd_diff / math.sqrt(n))

    @classmethod
    def undefined(cls) -> MCProbability:
        nan = float("nan")
        return cls(nan, nan, nan, nan, nan, nan)

    def to_dict(self) -> dict:
        return asdict(self)



@dataclass(frozen=True, eq=False)
class RecessionRisk:
    """Result of :func:`simulate_recession_risk`. Probabilities are shares (0-1); growth in percent
    per quarter (q/q, log). Arrays are read-only.

    Attributes
    ----------
    technical_4q : technical recession with a pair ending in quarters 1-4.
    technical_horizon : technical recession anywhere in quarters 1..H.
    annual_contraction : calendar-year contraction of quarters 1-4 against quarters -3..0
        (undefined, NaN, when H < 4).
    quantile_levels : the quantiles of the fan chart (shares).
    growth_quantiles_tariff, growth_quantiles_baseline : arrays (len(quantile_levels), H).
    mean_growth_tariff, mean_growth_baseline : arrays (H,).
    shock_growth_mean : mean growth effect of the tariff by quarter (percentage points), (H,).
    mu, rho, sigma, g0, pre_growth : the process; n_paths, n_draws, horizon, seed: the simulation.
    start : label of quarter 1 ('2025Q1') or None.
    """

    technical_4q: MCProbability
    technical_horizon: MCProbability
    annual_contraction: MCProbability
    quantile_levels: tuple[float, ...]
    growth_quantiles_tariff: np.ndarray
    growth_quantiles_baseline: np.ndarray
    mean_growth_tariff: np.ndarray
    mean_growth_baseline: np.ndarray
    shock_growth_mean: np.ndarray
    mu: float
    rho: float
    sigma: float
    g0: float
    pre_growth: tuple[float, float]
    horizon: int
    n_paths: int
    n_draws: int
    seed: int
    start: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def recession_probability(self) -> float:
        """Technical recession within four quarters, with the tariff (share 0-1)."""
        return self.technical_4q.tariff

    @property
    def recession_probability_baseline(self) -> float:
        """Technical recession within four quarters, without the tariff (share 0-1)."""
        return self.technical_4q.baseline

    @property
    def annual_contraction_probability(self) -> float:
        """Calendar-year contraction of quarters 1-4, with the tariff (share 0-1)."""
        return self.annual_contraction.tariff

    def quantiles(self) -> pd.DataFrame:
        """Tidy growth quantiles: columns quarter (1..H), [period], scenario ('baseline' | 'tariff'),
        quantile (share), growth_pct (percent per quarter, q/q)."""
        H, levels = self.horizon, np.asarray(self.quantile_levels)
        parts = []
        for scen, arr in (("baseline", self.growth_quantiles_baseline), ("tariff", self.growth_quantiles_tariff)):
            parts.append(pd.DataFrame({
                "quarter": np.tile(np.arange(1, H + 1), len(levels)),
                "scenario": scen,
                "quantile": np.repeat(levels, H),
                "growth_pct": np.asarray(arr).reshape(-1),
            }))
        df = pd.concat(parts, ignore_index=True)
        if self.start is not None:
            periods = pd.period_range(self.start, periods=H, freq="Q").astype(str)
            df.insert(1, "period", np.asarray(periods)[df["quarter"].to_numpy() - 1])
        df = df.sort_values(["quarter", "scenario", "quantile"], ignore_index=True)
        df.attrs["units"] = {"growth_pct": "percent per quarter, q/q, 100*dln(GDP)"}
        return df

    def summary(self) -> dict:
        """Flat dict of the headline numbers (probabilities as shares 0-1) and the settings."""
        out: dict = {}
        for key, p in (("recession_probability", self.technical_4q),
                       ("recession_probability_horizon", self.technical_horizon),
                       ("annual_contraction_probability", self.annual_contraction)):
            out.update({key: p.tariff, f"{key}_baseline": p.baseline, f"{key}_se": p.se_tariff,
                        f"{key}_baseline_se": p.se_baseline, f"{key}_difference_se": p.se_difference})
        out.update(mu=self.mu, rho=self.rho, sigma=self.sigma, g0=self.g0, pre_growth=list(self.pre_growth),
                   horizon=self.horizon, n_paths=self.n_paths, n_draws=self.n_draws, seed=self.seed,
                   start=self.start)
        return out


def simulate_recession_risk(*, mu: float, rho: float, sigma: float, horizon: int | None = None,
                            n_paths: int = 100_000, shock=None, g0: float | None = None,
                            pre_growth: Sequence[float] | None = None, seed: int | None = None,
                            quantiles: Sequence[float] = QUANTILES, start=None) -> RecessionRisk:
    """Monte Carlo of quarterly growth with and without the tariff, with common random numbers.

    Parameters
    ----------
    mu : baseline mean growth, percent per quarter (log); from an annual forecast use
        :func:`annual_to_quarterly` (1.2 % a year -> 0.298).
    rho, sigma : AR(1) persistence and innovation sd (percent per quarter), e.g. from
        :func:`default_calibration`.
    horizon : quarters simulated (H); inferred from ``shock`` when given, else 12.
    n_paths : simulated paths (shared by the two scenarios).
    shock : GDP level deviation from baseline caused by the tariff, percent (negative = loss),
        for quarters 1..H: shape (H,) for one path, or (D, H) for D parameter draws (elasticities,
        multiplier...). Path i uses draw ``i % D``, so the paths are spread evenly over the draws and
        parameter uncertainty enters the same simulation. None = no tariff.
    g0 : growth in quarter 0 (the last observed quarter), percent; default ``mu``.
    pre_growth : growth in quarters -2 and -1 (only for the base year of the annual contraction);
        default ``(mu, mu)``.
    seed : seed of ``np.random.default_rng``; None draws fresh entropy, recorded in the result.
        Innovations are drawn as one (H, n_paths) standard-normal array.
    quantiles : quantile levels (shares) for the fan chart.
    start : label of quarter 1 (e.g. '2025Q1') for the tidy outputs.

    Probabilities' standard errors are binomial, ``sqrt(p (1 - p) / n_paths)`` (conservative when
    paths are stratified over parameter draws).
    """
    mu, rho, sigma = float(mu), float(rho), float(sigma)
    if not all(map(math.isfinite, (mu, rho, sigma))) or sigma < 0:
        raise ValueError(f"need finite mu, rho and sigma >= 0; got mu={mu}, rho={rho}, sigma={sigma}")
    n_paths = int(n_paths)
    if n_paths < 2:
        raise ValueError("n_paths must be at least 2")

    if shock is None:
        H = 12 if horizon is None else int(horizon)
        effect = np.zeros((1, H))
    else:
        d = np.asarray(shock, dtype=float)
        if d.ndim == 1:
            d = d[None, :]
        if d.ndim != 2 or d.shape[1] == 0:
            raise DataError(f"shock must have shape (H,) or (D, H), got {np.shape(shock)}", source="<array>",
                            location="shock")
        if horizon is not None and int(horizon) != d.shape[1]:
            raise DataError(f"shock covers {d.shape[1]} quarters but horizon is {horizon}", source="<array>",
                            location="shock")
        if not np.all(np.isfinite(d)):
            raise DataError("shock has non-finite values", source="<array>", location="shock")
        if np.any(d <= -100):
            raise DataError("a level deviation must exceed -100 %", source="<array>", location="shock")
        H = d.shape[1]
        effect = shock_to_growth(d)
    if H < 1:
        raise ValueError("horizon must be at least 1 quarter")
    D = effect.shape[0]
    if D > n_paths:
        raise ValueError(f"{D} parameter draws but only {n_paths} paths")

    g0 = mu if g0 is None else float(g0)
    pre = (mu, mu) if pre_growth is None else tuple(float(v) for v in pre_growth)
    if len(pre) != 2:
        raise ValueError("pre_growth must hold the growth of quarters -2 and -1")
    q_levels = tuple(float(q) for q in quantiles)
    if any(not 0 <= q <= 1 for q in q_levels):
        raise ValueError("quantile levels must be shares in [0, 1]")

    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((H, n_paths))

    g_base = ar1_growth_paths(mu, rho, sigma, g0, z)
    del z
    if D == 1:
        g_tar = g_base + effect[0][:, None]
    else:
        g_tar = g_base + effect.T[:, np.arange(n_paths) % D]

    tech4 = MCProbability.from_indicators(technical_recession(g_tar, g0, 4), technical_recession(g_base, g0, 4))
    techH = MCProbability.from_indicators(technical_recession(g_tar, g0), technical_recession(g_base, g0))
    if H >= 4:
        annual = MCProbability.from_indicators(annual_contraction(g_tar, g0, pre), annual_contraction(g_base, g0, pre))
    else:
        annual = MCProbability.undefined()
    notes = () if H >= 4 else ("horizon < 4 quarters: annual contraction undefined, '4q' = whole horizon",)

    pct = np.asarray(q_levels) * 100.0
    qt = np.percentile(g_tar, pct, axis=1)
    qb = np.percentile(g_base, pct, axis=1)
    counts = np.bincount(np.arange(n_paths) % D, minlength=D)
    shock_mean = (effect * counts[:, None]).sum(axis=0) / n_paths
    log.debug("recession MC: %d paths x %d quarters, %d draws, seed %s", n_paths, H, D, seed)
    return RecessionRisk(
        technical_4q=tech4, technical_horizon=techH, annual_contraction=annual,
        quantile_levels=q_levels, growth_quantiles_tariff=readonly(qt), growth_quantiles_baseline=readonly(qb),
        mean_growth_tariff=readonly(g_tar.mean(axis=1)), mean_growth_baseline=readonly(g_base.mean(axis=1)),
        shock_growth_mean=readonly(shock_mean), mu=mu, rho=rho, sigma=sigma, g0=g0, pre_growth=pre,
        horizon=H, n_paths=n_paths, n_draws=D, seed=int(seed),
        start=None if start is None else str(_as_period(start, "start")), notes=notes,
    )
