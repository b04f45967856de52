"""Fitting a calibration of the recession-risk model from a quarterly GDP file: :func:`calibrate_file`
and the whole ``tariffsim calibrate`` command, :func:`run_calibration` (read, fit by maximum
likelihood, write). Apart from :mod:`tariffsim.inputs.calibrations` (which reads and writes the
calibration files a run uses) because the fit needs scipy's optimizer, which a run does not load.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable
from pathlib import Path

from .._lazy import pd
from ..models.ar1 import AR1Calibration
from ..models.ar1_fit import calibrate_ar1
from .calibrations import read_quarterly_gdp, write_calibration
from .countries import to_iso3

__all__ = ["calibrate_file", "run_calibration"]


def calibrate_file(
    path: str | Path,
    *,
    start: str | pd.Period = "1996Q1",
    end: str | pd.Period = "2019Q4",
    exclude: Iterable[str | pd.Period] = (),
    column: str | None = None,
    kind: str = "level",
    date_column: str | None = None,
    source: str | None = None,
    innovations: str = "student_t",
    country: str | None = None,
) -> AR1Calibration:
    """Read a quarterly GDP CSV (:func:`read_quarterly_gdp`) and calibrate (:func:`calibrate_ar1`).

    ``source`` is the label recorded for the input; by default the path relative to the current
    directory (so run from the project root it reads ``../shared/data/mexico_gdp/<file>``).
    """
    growth = read_quarterly_gdp(path, column=column, kind=kind, date_column=date_column)
    return calibrate_ar1(
        growth,
        start=start,
        end=end,
        exclude=exclude,
        source=source or _path_label(path),
        innovations=innovations,
        country=country,
    )


def _path_label(path: str | Path) -> str:
    """A path as the user would write it from the current directory, with '/' separators; links are not
    followed (``../shared`` stays ``../shared`` when it is a link to a folder elsewhere)."""
    p = Path(path)
    try:
        rel = os.path.relpath(os.path.abspath(p), os.getcwd())
    except (ValueError, OSError):  # another drive on Windows, no working directory
        return p.as_posix()
    return Path(rel).as_posix()


def run_calibration(
    gdp_csv: str | Path,
    *,
    start: str | pd.Period = "1996Q1",
    end: str | pd.Period = "2019Q4",
    exclude: Iterable[str | pd.Period] = (),
    out: str | Path | None = None,
    column: str | None = None,
    kind: str = "level",
    date_column: str | None = None,
    command: str | None = None,
    innovations: str = "student_t",
    country: str | None = None,
) -> AR1Calibration:
    """The whole calibration command: read ``gdp_csv``, fit the AR(1), write JSON to ``out`` if given.

    ``command`` is recorded in the file as the command that produced it (the CLI passes its own
    command line); by default the equivalent Python call is recorded. ``country`` (ISO3) is
    recorded in the file; :func:`load_calibration` finds ``data/recession/<ISO3>.json``.
    """
    exclude = (exclude,) if isinstance(exclude, str) else tuple(exclude)
    if country is not None:
        country = to_iso3([country], source=str(gdp_csv), field="country")[0]
    cal = calibrate_file(
        gdp_csv,
        start=start,
        end=end,
        exclude=exclude,
        column=column,
        kind=kind,
        date_column=date_column,
        innovations=innovations,
        country=country,
    )
    if out is not None:
        if command is None:
            args = [repr(cal.source), f"start={start!r}", f"end={end!r}"]
            if exclude:
                args.append(f"exclude={exclude!r}")
            for k, v in (("column", column), ("date_column", date_column), ("country", country)):
                if v is not None:
                    args.append(f"{k}={v!r}")
            if kind != "level":
                args.append(f"kind={kind!r}")
            if innovations != "student_t":
                args.append(f"innovations={innovations!r}")
            args.append(f"out={_path_label(out)!r}")
            code = (
                "from tariffsim.inputs.calibration_fit import run_calibration; run_calibration(" + ", ".join(args) + ")"
            )
            command = f'python -c "{code}"' if '"' not in code and "$" not in code else "python -c " + shlex.quote(code)
        write_calibration(cal, out, command=command, input_file=gdp_csv)
    return cal
