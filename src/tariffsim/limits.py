"""Resource limits, stated in one place and checked before anything is allocated.

Every limit below bounds memory or run time for a request a user can make (a CLI flag, a
scenario field, a data file). The check functions raise :class:`~tariffsim.errors.LimitError`
(or :class:`~tariffsim.errors.UsageError` for a value that is not a valid number at all) naming
the flag or field, and they are called both by the CLI (at parse time) and by the library entry
points (:func:`tariffsim.simulate`, :func:`tariffsim.engine.uncertainty.sweep`, the loaders), so a
library call cannot allocate what the CLI would refuse.

Sizes measured on the package's own code (numpy float64): the recession Monte Carlo needs about
23 bytes per path-quarter cell at its peak (1,000,000 paths x 12 quarters: 0.25 GB, 1.7 s), so
:data:`MAX_MC_CELLS` caps one Monte Carlo at about 2.8 GB.

This module imports nothing heavy (the CLI uses it while parsing arguments).
"""

from __future__ import annotations

import math
import operator
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path

from .errors import DataError, LimitError, ScenarioError, TariffSimError, UsageError

__all__ = [
    "MIN_TARIFF",
    "MAX_TARIFF",
    "TARIFF_BOUNDS",
    "MIN_PATHS",
    "MAX_PATHS",
    "MAX_DRAWS",
    "MIN_HORIZON",
    "MAX_HORIZON",
    "MAX_MC_CELLS",
    "MAX_SEED",
    "MAX_GRID_POINTS",
    "MAX_SWEEP_CELLS",
    "MAX_COUNTRIES",
    "MAX_SECTORS",
    "MAX_TRADE_CELLS",
    "MAX_WORKERS",
    "MAX_COMPARE_RUNS",
    "MAX_VALUE_USD",
    "MAX_TOML_DEPTH",
    "MAX_SCENARIO_BYTES",
    "MAX_DATA_FILE_BYTES",
    "MAX_CSV_COLUMNS",
    "MAX_LINE_BYTES",
    "MAX_CELL_BYTES",
    "MAX_TEXT_CELLS",
    "MAX_JSON_BYTES",
    "MAX_SHOWN_CHARS",
    "MAX_NAME_CHARS",
    "NUMBER_RE",
    "shown",
    "check_int",
    "check_paths",
    "check_draws",
    "check_horizon",
    "check_seed",
    "check_monte_carlo",
    "check_grid_points",
    "check_sweep",
    "check_matrix",
    "check_toml_depth",
    "check_input_file",
]

#: Bounds of an ad valorem tariff, as a share (0.25 = 25 %): a negative tariff is a subsidy the models do
#: not take, and above 10 (1,000 %) a number is almost surely percent typed as a share.
MIN_TARIFF = 0.0
MAX_TARIFF = 10.0
#: The bounds as the messages print them.
TARIFF_BOUNDS = f"[{MIN_TARIFF:g}, {MAX_TARIFF:g}]"


#: Monte Carlo growth paths of one recession simulation (the scenario field ``uncertainty.n_paths``
#: has the same bounds).
MIN_PATHS = 100
MAX_PATHS = 10_000_000
#: Monte Carlo parameter draws (each draw solves the trade model two to four times: 1,000 draws
#: take about 4 s of CPU, so the limit is about a minute).
MAX_DRAWS = 10_000
#: Quarters simulated (the scenario field ``horizon``).
MIN_HORIZON = 4
MAX_HORIZON = 80
#: Paths x quarters of one Monte Carlo (about 23 bytes each at the peak: 2.8 GB).
MAX_MC_CELLS = 120_000_000
#: Seeds are non-negative integers below 2**64 (numpy's SeedSequence takes any, files keep them exact).
MAX_SEED = 2**64 - 1
#: Points of a tariff grid (``--tariff START:STOP:STEP``) or of a rate x sigma grid.
MAX_GRID_POINTS = 10_001
#: Grid points x elasticity sets x paths x quarters of one sweep (each point runs a Monte Carlo;
#: 2e9 cells take about five minutes).
MAX_SWEEP_CELLS = 2_000_000_000
#: Countries and sectors of a trade dataset, and their product (countries^2 x sectors cells of
#: every array the trade models hold; 2e7 cells = 160 MB each).
MAX_COUNTRIES = 1_000
MAX_SECTORS = 500
MAX_TRADE_CELLS = 20_000_000
#: Worker processes of a local dask cluster (``--workers``): four per CPU, at most 64 (each
#: worker process holds its own copy of the data and the model, about 150 MB).
MAX_WORKERS = min(64, 4 * (os.cpu_count() or 1))
#: Runs of one comparison (``tariffsim compare``: scenarios x models).
MAX_COMPARE_RUNS = 24
#: A single trade value in US dollars (ten times world GDP): anything larger is not a trade flow
#: (a unit mistake) and would overflow the models' sums.
MAX_VALUE_USD = 1e15
#: Nesting of arrays and tables in a scenario TOML file (a real scenario needs 4).
MAX_TOML_DEPTH = 32
#: Size of a scenario TOML file.
MAX_SCENARIO_BYTES = 1 << 20
#: Size of a data file read into memory (CSV), and of its content once decompressed (a gzip,
#: bzip2 or xz file is measured twice: as stored and as read).
MAX_DATA_FILE_BYTES = 1 << 30
#: Columns of a CSV file. The widest file a reader takes is a trade matrix (one column per
#: country, at most :data:`MAX_COUNTRIES`); twice that leaves room for label columns.
MAX_CSV_COLUMNS = 2 * MAX_COUNTRIES
#: Length of one line of a text file (a matrix row of 1,000 numbers of 30 characters is 31 kB).
MAX_LINE_BYTES = 1 << 20
#: Length of one CSV cell (the longest real ones are country names and descriptions; a number
#: written with 17 significant digits and an exponent has 24 characters).
MAX_CELL_BYTES = 4_096
#: Cells (data lines x columns read) of a CSV file read as text: pandas holds each as a Python
#: string, about 60 bytes at the peak (3.6 GB for the limit, measured with pandas 3.1); one year
#: of CEPII BACI (about 11 million rows, five columns read) fits.
MAX_TEXT_CELLS = 60_000_000
#: Size of a JSON file read whole (a calibration file of ``tariffsim calibrate`` is about 3 kB).
MAX_JSON_BYTES = 1 << 20
#: Characters of a bad value quoted in an error message (longer values are cut, with their length).
MAX_SHOWN_CHARS = 40
#: Characters of a scenario's name (a short identifier; a derived name adds ``@rate=0.10,...``).
MAX_NAME_CHARS = 200
#: The one syntax of a decimal number, in every reader and flag: a sign, digits with a decimal
#: point, an exponent (``-0.25``, ``.5``, ``1.2e6``); ASCII digits only; no thousands separators,
#: decimal commas, underscores, ``nan`` or ``inf``. (The CSV readers apply it with pandas'
#: exact conversion, :func:`tariffsim.inputs.textfiles.parse_numbers`, which accepts the same.)
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)`` for an error message, at most about ``limit`` characters: a longer value is
    cut and its length said (``'99999...' (10,000,001 characters)``), so a 10 MB cell is never
    echoed whole. A float negative zero reads ``0.0``."""
    if isinstance(value, float) and value == 0.0:
        value = 0.0
    if isinstance(value, bytes | bytearray):
        if len(value) <= limit:
            return repr(bytes(value))
        return f"{bytes(value[:limit])!r}... ({len(value):,} bytes)"
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        return f"{value[:limit]!r}... ({len(value):,} characters)"
    text = repr(value)
    if len(text) <= limit + 2:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def _where(field: str, source: str | None) -> str:
    return f"{source}: {field}" if source else field


def check_int(value: object, *, field: str, low: int | None = None, high: int | None = None, what: str = "") -> int:
    """``value`` as an int in ``[low, high]``; a non-integer or a value below ``low`` is a
    :class:`UsageError`, a value above ``high`` (a resource limit) a :class:`LimitError`."""
    bounds = f" in [{low:,}, {high:,}]" if low is not None and high is not None else ""
    if isinstance(value, bool):
        raise UsageError(f"{field}: expected a whole number{bounds}, got {shown(value)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise UsageError(f"{field}: expected a whole number{bounds}, got {shown(value)}") from None
    if low is not None and n < low:
        raise UsageError(f"{field}: expected a whole number {bounds.strip() or f'>= {low:,}'}, got {n:,}")
    if high is not None and n > high:
        unit = f" {what}" if what else ""
        raise LimitError(f"{field}: {n:,} is above the limit of {high:,}{unit}", field=field)
    return n


def check_paths(n: object, *, field: str = "n_paths") -> int:
    """Monte Carlo paths in [MIN_PATHS, MAX_PATHS]."""
    return check_int(n, field=field, low=MIN_PATHS, high=MAX_PATHS, what="paths")


def check_draws(n: object, *, field: str = "draws") -> int:
    """Parameter draws in [0, MAX_DRAWS] (0: the central path only)."""
    return check_int(n, field=field, low=0, high=MAX_DRAWS, what="draws")


def check_horizon(n: object, *, field: str = "horizon") -> int:
    """Quarters simulated in [MIN_HORIZON, MAX_HORIZON]."""
    return check_int(n, field=field, low=MIN_HORIZON, high=MAX_HORIZON, what="quarters")


def check_seed(n: object, *, field: str = "seed") -> int:
    """A seed in [0, MAX_SEED]."""
    return check_int(n, field=field, low=0, high=MAX_SEED)


def check_monte_carlo(
    n_paths: object,
    draws: object,
    horizon: object,
    *,
    seed: object = None,
    fields: tuple[str, str, str] = ("n_paths", "draws", "horizon"),
) -> None:
    """Paths, draws, horizon (and ``seed`` when given) each within bounds, and paths x horizon
    within :data:`MAX_MC_CELLS`. ``None`` skips a value (not known yet)."""
    fp, fd, fh = fields
    if seed is not None:
        check_seed(seed)
    p = None if n_paths is None else check_paths(n_paths, field=fp)
    if draws is not None:
        check_draws(draws, field=fd)
    h = None if horizon is None else check_horizon(horizon, field=fh)
    if p is not None and h is not None and p * h > MAX_MC_CELLS:
        raise LimitError(
            f"{fp}: {p:,} paths x {h} quarters = {p * h:,} cells is above the limit of {MAX_MC_CELLS:,} "
            f"(about 2.8 GB); use at most {MAX_MC_CELLS // h:,} paths",
            field=fp,
        )


def check_grid_points(n: float, *, field: str = "--tariff") -> int:
    """A grid of ``n`` points (a float: START:STOP:STEP may ask for 1e17) within :data:`MAX_GRID_POINTS`."""
    if not math.isfinite(n) or n > MAX_GRID_POINTS:
        shown = f"{n:,.0f}" if math.isfinite(n) else "infinitely many"
        raise LimitError(f"{field}: the grid has {shown} points; the limit is {MAX_GRID_POINTS:,}", field=field)
    return int(n)


def check_sweep(n_points: int, n_sets: int, n_paths: int, horizon: int, *, field: str = "--tariff") -> None:
    """The Monte Carlo work of a sweep: points x sets x paths x quarters within :data:`MAX_SWEEP_CELLS`."""
    check_grid_points(n_points, field=field)
    cells = int(n_points) * max(int(n_sets), 1) * int(n_paths) * int(horizon)
    if cells > MAX_SWEEP_CELLS:
        raise LimitError(
            f"{field}: {n_points:,} rates x {n_sets} elasticity sets x {n_paths:,} paths x {horizon} quarters = "
            f"{cells:,} Monte Carlo cells is above the limit of {MAX_SWEEP_CELLS:,}; use fewer rates or paths",
            field=field,
        )


def check_matrix(n_countries: int, n_sectors: int = 1, *, source: str | None = None) -> None:
    """A trade dataset of this size fits (countries, sectors and countries^2 x sectors cells)."""
    if n_countries > MAX_COUNTRIES:
        raise LimitError(
            f"{_where('countries', source)}: {n_countries:,} countries is above the limit of {MAX_COUNTRIES:,}",
            field="countries",
        )
    if n_sectors > MAX_SECTORS:
        raise LimitError(
            f"{_where('sectors', source)}: {n_sectors:,} sectors is above the limit of {MAX_SECTORS:,}",
            field="sectors",
        )
    cells = n_countries * n_countries * n_sectors
    if cells > MAX_TRADE_CELLS:
        raise LimitError(
            f"{_where('countries', source)}: {n_countries:,} countries x {n_countries:,} x {n_sectors:,} sectors = "
            f"{cells:,} cells is above the limit of {MAX_TRADE_CELLS:,}",
            field="countries",
        )


def check_toml_depth(obj: object, *, source: str | None = None) -> None:
    """Tables and arrays nested at most :data:`MAX_TOML_DEPTH` deep (checked without recursion)."""
    stack: list[tuple[object, int]] = [(obj, 0)]
    while stack:
        o, d = stack.pop()
        if d > MAX_TOML_DEPTH:
            raise ScenarioError(f"tables and arrays nested more than {MAX_TOML_DEPTH} levels deep", source=source)
        if isinstance(o, Mapping):
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list | tuple):
            stack.extend((v, d + 1) for v in o)


def check_input_file(
    path: str | os.PathLike[str],
    *,
    max_bytes: int | None = None,
    kind: str = "CSV file",
    error: type[TariffSimError] = DataError,
    source: str | None = None,
) -> Path:
    """``path`` is an existing regular file of at most ``max_bytes`` (default
    :data:`MAX_DATA_FILE_BYTES`); else ``error`` naming it.

    A folder says it is a folder; a device, pipe or socket is refused (reading ``/dev/zero`` or a
    FIFO would never end).
    """
    max_bytes = MAX_DATA_FILE_BYTES if max_bytes is None else max_bytes
    p = Path(path)
    src = source or str(p)

    def fail(msg: str) -> TariffSimError:
        return error(msg, source=src)  # type: ignore[call-arg]

    try:
        st = p.stat()
    except FileNotFoundError:
        raise fail("file not found" + (" (a link to nowhere)" if p.is_symlink() else "")) from None
    except NotADirectoryError:
        raise fail("file not found (a part of the path is a file, not a folder)") from None
    except OSError as exc:
        raise fail(f"cannot read ({exc.strerror or exc})") from None
    except ValueError:  # a NUL character
        raise fail("not a usable file name (NUL character)") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail(f"is a folder; expected a {kind}")
    if not stat.S_ISREG(st.st_mode):
        raise fail(f"is not a regular file (a device, pipe or socket); expected a {kind}")
    if st.st_size > max_bytes:
        raise LimitError(
            f"{src}: {st.st_size:,} bytes is above the limit of {max_bytes:,} bytes for a {kind}", field="size"
        )
    if not os.access(p, os.R_OK):
        raise fail("cannot read (permission denied)")
    return p
