"""Reports: the report folder behind ``tariffsim report`` and the sweep folder behind
``tariffsim sweep``.

The tables (:func:`summary_table`, :func:`sector_table`, :func:`partner_table`, :func:`write_table`)
live in :mod:`tariffsim.tables` and are re-exported here; the HTML briefing is built in
:mod:`tariffsim._report_html`.

:func:`write_report` and :func:`write_sweep` build the whole output in a temporary folder beside
``out_dir`` and move it into place only when everything has been written: a failure leaves neither
a half-written ``out_dir`` nor the temporary folder behind, and a non-empty ``out_dir`` is replaced
only with ``force=True`` (after success). Files in the report folder::

    report.html                 the briefing (figures referenced relatively)
    scenario.toml               the scenario used (Scenario.to_toml())
    provenance.json             result.provenance, the run --json summary, settings, files, SHA-256
    figures/NAME.{png,svg,pdf}  see tariffsim.plots
    tables/NAME.{csv,md,tex,html}   summary (by elasticity set), sectors, partners
    report.xlsx                 the tables, a sheet each (units in the headers), and a Sources sheet
    data/*.csv                  the tidy data behind the figures (sweep, grid, tornado, paths, draws)
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ._report_html import _report_html
from ._util import json_default, json_safe
from .errors import OutputExistsError, TariffSimError
from .outputs import check_output_dir, output_error
from .tables import SUMMARY_COLUMNS as SUMMARY_COLUMNS  # re-exported with the other table names
from .tables import (
    TABLE_FORMATS,
    _country,
    partner_table,
    provenance_rows,
    sector_table,
    summary_table,
    write_table,
    write_workbook,
)
from .tables import US as US  # re-exported (it was defined here)
from .tables import __all__ as _TABLE_NAMES
from .tables import tex_escape as tex_escape  # re-exported with the other table names

__all__ = [
    *_TABLE_NAMES,  # summary_table, sector_table, partner_table, write_table, tex_escape, TABLE_FORMATS
    "write_report",
    "write_sweep",
    "dask_client",
    "ProgressBar",
    "ReportRecord",
    "REPORT_STEPS",
    "SWEEP_STEPS",
    "DEFAULT_SIGMAS",
    "FIGURE_FORMATS",
]

log = logging.getLogger(__name__)

FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
#: Armington elasticities of the heatmap (the central set's sigma is added when missing).
#: One-year sigma (elasticity of tariff-exclusive flows) of the heatmap: from below Boehm et al.'s
#: 0.76 to the 2018-19 China evidence (2.53, Fajgelbaum et al. 2020).
DEFAULT_SIGMAS: tuple[float, ...] = (0.5, 0.76, 1.0, 1.5, 2.0, 2.53, 3.0)
#: The step names :func:`write_report` passes to ``progress``, in order (one call each).
REPORT_STEPS: tuple[str, ...] = (
    "simulate",
    "tariff sweep",
    "elasticity grid",
    "tornado",
    "figures",
    "tables",
    "report.html",
    "finish",
)
#: The step names :func:`write_sweep` passes to ``progress``.
SWEEP_STEPS: tuple[str, ...] = ("tariff sweep", "elasticity grid", "figures", "finish")


# ============================================================================= progress


class ProgressBar:
    """A small text progress bar for :func:`write_report` / :func:`write_sweep` (no tqdm).

    ``ProgressBar(len(REPORT_STEPS))`` and pass it as ``progress=``: each call ``bar(step)``
    announces the step that starts (the bar shows the steps finished before it; the last step
    fills it). On a terminal the bar redraws one line; on a pipe or a
    file it writes one line a step. Call :meth:`close` (or use it as a context manager) to end
    the line.
    """

    def __init__(self, total: int, stream=None, *, width: int = 24, label: str = "tariffsim"):
        self.total = max(1, int(total))
        self.stream = sys.stderr if stream is None else stream
        self.width = int(width)
        self.label = label
        self.count = 0
        self._open = False
        self._t0 = time.perf_counter()
        isatty = getattr(self.stream, "isatty", None)
        self._tty = bool(isatty()) if callable(isatty) else False

    def __call__(self, step: str) -> None:
        self.count = min(self.count + 1, self.total)
        done = self.count if self.count >= self.total else self.count - 1  # the named step is starting
        filled = int(round(self.width * done / self.total))
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{self.label} [{bar}] {self.count}/{self.total} {step}"
        if self._tty:
            self.stream.write("\r" + text.ljust(self.width + 60)[: self.width + 60])
            self._open = True
            if self.count >= self.total:
                self.close()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write(f"  ({time.perf_counter() - self._t0:.1f} s)\n")
            self.stream.flush()
            self._open = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ============================================================================= dask


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[object | None]:
    """A ``dask.distributed.Client`` for the grid points of sweeps, heatmaps and comparisons:
    connected to ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``), or to a local
    cluster of ``workers`` single-threaded worker processes started here and closed on exit;
    None (run in this process) when neither is given."""
    if scheduler is None and not workers:
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - dask is an optional dependency
        raise TariffSimError("--scheduler/--workers need dask.distributed: pip install 'tariffsim[dask]'") from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise TariffSimError(f"cannot connect to the dask scheduler {scheduler}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    n = int(workers or 0)
    if n < 1:
        raise TariffSimError(f"--workers must be at least 1, got {workers}")
    with warnings.catch_warnings():
        # dask's port probing leaves a socket for the garbage collector: not ours to report
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            with (
                LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
                Client(cluster) as client,
            ):
                log.info("local dask cluster with %d workers", n)
                yield client
        finally:
            gc.collect()


# ============================================================================= atomic folders


@dataclass(frozen=True)
class ReportRecord:
    """What :func:`write_report` / :func:`write_sweep` wrote.

    ``out_dir``: the folder; ``files``: paths relative to it (POSIX separators), sorted;
    ``seconds``: wall time; ``scenario`` and ``scenario_hash``: what was run.
    """

    out_dir: Path
    files: tuple[str, ...]
    seconds: float
    scenario: str
    scenario_hash: str

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f for f in self.files]


def _check_target(out_dir: Path, force: bool) -> None:
    check_output_dir(out_dir, field="out_dir")  # not the working directory, not a file, writable parent
    if out_dir.is_symlink() or out_dir.exists():
        if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
            return
        if not force:
            what = "folder" if out_dir.is_dir() else "file"
            raise OutputExistsError(
                f"output {what} {out_dir} exists and is not empty; pass force=True (CLI: --force) to replace it"
            )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _atomic_folder(out_dir: Path, force: bool, fill: Callable[[Path], object]):
    """Run ``fill(tmp)`` in a temporary folder beside ``out_dir``, then move it into place.

    On any exception the temporary folder is removed and ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    _check_target(out_dir, force)
    parent = out_dir.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]  # removed again on failure
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except BaseException as exc:
        _remove_empty(created)
        if isinstance(exc, OSError):
            raise output_error(exc, out_dir, field="out_dir") from None
        raise
    try:
        value = fill(tmp)
        tmp.chmod(0o755)
        _check_target(out_dir, force)  # it may have appeared meanwhile
        if out_dir.is_symlink() or out_dir.exists():
            if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
                out_dir.rmdir()
                tmp.rename(out_dir)
            else:  # force: swap, then delete the old one
                old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
                old.rmdir()
                out_dir.rename(old)
                try:
                    tmp.rename(out_dir)
                except BaseException:
                    old.rename(out_dir)
                    raise
                _remove(old)
        else:
            tmp.rename(out_dir)
    except BaseException as exc:
        _remove(tmp)
        _remove_empty(created)
        if isinstance(exc, OSError) and _writes_to(exc.filename, tmp, out_dir):
            raise output_error(exc, out_dir, field="out_dir") from None  # writing failed (disk full, ...)
        raise
    return value


def _writes_to(filename, *roots: Path) -> bool:
    """``filename`` (of an OSError) is one of ``roots`` or inside one: an error writing the output."""
    if not filename:
        return False
    f = Path(os.fsdecode(filename)).absolute()
    return any(f == r.absolute() or r.absolute() in f.parents for r in roots)


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove folders this call created (deepest first) if they are still empty."""
    for f in folders:
        try:
            f.rmdir()
        except OSError:
            break


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_provenance(root: Path, base: Mapping, extra: Mapping) -> None:
    files = _files(root)
    prov = {**dict(base), **dict(extra)}
    prov["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    prov["files"] = sorted([*files, "provenance.json"])
    prov["sha256"] = {f: _sha256(root / f) for f in files}
    text = json.dumps(json_safe(prov), indent=2, allow_nan=False, default=json_default, ensure_ascii=False)
    (root / "provenance.json").write_text(text + "\n", encoding="utf-8")


def _say(progress: Callable[[str], None] | None, step: str) -> None:
    log.info("report: %s", step)
    if progress is not None:
        progress(step)


def _scenario_rate(sc) -> float | None:
    """The rate of the scenario's tariff measures (their largest) for marking figures."""
    rates = [m.rate for m in sc.tariffs]
    return max(rates) if rates else None


def _central_sigma(sc) -> float | None:
    s = sc.elasticity_set(sc.central_set).sigma_one_year
    return float(s) if isinstance(s, int | float) else None


def _sigmas(sc, sigmas: Iterable[float] | None) -> list[float]:
    out = sorted({float(s) for s in (DEFAULT_SIGMAS if sigmas is None else sigmas)})
    cs = _central_sigma(sc)
    if sigmas is None and cs is not None and not any(math.isclose(cs, s) for s in out):
        out = sorted([*out, cs])
    return out


def _sweep_sets(sc, wanted: Sequence[str]) -> list[str]:
    out = []
    for s in wanted:
        try:
            sc.elasticity_set(s)
        except TariffSimError:
            log.warning("elasticity set %r is not available; left out of the sweep", s)
            continue
        out.append(s)
    return out


def _rates_text(rates) -> str:
    if isinstance(rates, str):
        return rates
    return ",".join(f"{float(r):g}" for r in rates)


# ============================================================================= the report


def write_report(
    scenario,
    out_dir: str | os.PathLike,
    *,
    force: bool = False,
    formats: Sequence[str] = FIGURE_FORMATS,
    table_formats: Sequence[str] = TABLE_FORMATS,
    data=None,
    progress: Callable[[str], None] | None = None,
    sweep_rates: str | Iterable[float] = "0:0.5:0.05",
    sweep_sets: Sequence[str] = ("low", "central", "high"),
    sigmas: Iterable[float] | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    sweep_n_paths: int | None = None,
    model: str | None = None,
    elasticities: Sequence[str] | None = None,
    scheduler=None,
) -> ReportRecord:
    """Run a scenario and write the report folder ``out_dir`` (see the module docstring).

    Parameters
    ----------
    scenario : a built-in name ('mex25'), a TOML path, a dict or a :class:`~tariffsim.scenario.Scenario`.
    out_dir : the folder to create. A non-empty folder raises
        :class:`~tariffsim.errors.OutputExistsError` unless ``force``; with ``force`` it is replaced
        only after the new report has been written completely.
    formats : figure formats (png at 200 dpi, svg, pdf). table_formats : csv, md, tex, html.
    data : a :class:`~tariffsim.datasets.TradeData` (default: the scenario's dataset).
    progress : callable receiving the name of each step (:data:`REPORT_STEPS`), e.g. a
        :class:`ProgressBar`.
    sweep_rates : tariff rates (shares) for the recession curve and the heatmap: 'START:STOP:STEP',
        a comma list or numbers (default 0 to 50 % by 5 points).
    sweep_sets : elasticity sets of the recession curve.
    sigmas : Armington elasticities of the heatmap (default :data:`DEFAULT_SIGMAS` plus the
        central set's σ).
    draws, n_paths : Monte Carlo parameter draws and simulated paths of the main run (default: the
        scenario's). sweep_n_paths : paths per sweep point (default: the scenario's, so that the
        sweep's no-tariff probability equals the main run's).
    model : 'pe' or 'ge' (default: the scenario's); the report is of that model.
    elasticities : the elasticity sets of the main run (default: the scenario's).
    scheduler : a ``dask.distributed.Client`` for the sweep and heatmap grid points (see
        :func:`dask_client`); the numbers are the same as in-process.

    Returns a :class:`ReportRecord` with the files written.
    """
    from . import plots
    from .scenario import load_scenario
    from .simulation import simulate
    from .uncertainty import elasticity_grid, parse_grid, sweep, tornado

    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    sc = load_scenario(scenario)
    if model is not None and model != sc.model:
        sc = sc.replace(model=model)
    rates = parse_grid(sweep_rates) if isinstance(sweep_rates, str) else np.asarray(list(sweep_rates), dtype=float)
    _check_target(out_dir, force)  # fail before any work
    data = sc.load_data() if data is None else data
    figure_formats = tuple(f.lower() for f in formats)
    tfmt = tuple(f.lower() for f in table_formats)

    def fill(root: Path) -> dict:
        _say(progress, "simulate")
        result = simulate(
            sc, data=data, elasticities=list(elasticities) if elasticities else None, draws=draws, n_paths=n_paths
        )
        sets = _sweep_sets(sc, sweep_sets)
        # heatmap and tornado vary the PE model's sigma and assumptions: for a GE scenario they run its PE twin
        sc_pe = sc if sc.model == "pe" else replace(sc, model="pe")
        _say(progress, "tariff sweep")
        sw = sweep(sc, rates, sets, data=data, n_paths=sweep_n_paths or sc.n_paths, scheduler=scheduler)
        sw.attrs["scenario"] = sc.name
        _say(progress, "elasticity grid")
        sig = _sigmas(sc, sigmas)
        grid = elasticity_grid(sc_pe, rates, sig, data=data, scheduler=scheduler)
        grid.attrs["scenario"] = sc.name
        _say(progress, "tornado")
        tor = tornado(sc_pe, data=data)
        tor.attrs["scenario"] = sc.name

        _say(progress, "figures")
        figs = _report_figures(result, sw, grid, tor, sc, sc_pe)
        fig_dir = root / "figures"
        for name, (fig, _caption) in figs.items():
            plots.save_figure(fig, fig_dir / name, figure_formats)

        _say(progress, "tables")
        tables = {"summary": summary_table(result), "sectors": sector_table(result), "partners": partner_table(result)}
        for name, df in tables.items():
            write_table(df, root / "tables" / name, tfmt)
        write_workbook(root / "report.xlsx", tables, provenance_rows(result.provenance))
        ddir = root / "data"
        ddir.mkdir()
        sw.to_csv(ddir / "sweep.csv", index=False, lineterminator="\n")
        grid.to_csv(ddir / "elasticity_grid.csv", index=False, lineterminator="\n")
        tor.to_csv(ddir / "tornado.csv", index=False, lineterminator="\n")
        result.gdp_path().to_csv(ddir / "gdp_path.csv", index=False, lineterminator="\n")
        if result.recession is not None:
            result.recession.quantiles().to_csv(ddir / "growth_quantiles.csv", index=False, lineterminator="\n")
        if result.draws is not None and len(result.draws):
            result.draws.to_csv(ddir / "parameter_draws.csv", index=False, lineterminator="\n")
        (root / "scenario.toml").write_text(sc.to_toml(), encoding="utf-8")

        _say(progress, "report.html")
        page = _report_html(
            result,
            sc,
            figs=figs,
            figure_formats=figure_formats,
            tables=tables,
            table_formats=tfmt,
            data_files=_files(root / "data"),
            pe_twin=sc_pe is not sc,
        )
        (root / "report.html").write_text(page, encoding="utf-8")
        settings = {
            "sweep_rates": [float(r) for r in rates],
            "sweep_sets": sets,
            "sigmas": sig,
            "sweep_n_paths": sweep_n_paths or sc.n_paths,
            "figure_formats": list(figure_formats),
            "table_formats": list(tfmt),
            "heatmap_and_tornado_model": "pe",
        }
        _write_provenance(root, result.provenance, {"run": result.to_json(), "report": settings})
        _say(progress, "finish")
        return {"hash": sc.hash}

    info = _atomic_folder(out_dir, force, fill)
    rec = ReportRecord(
        out_dir=out_dir,
        files=tuple(_files(out_dir)),
        seconds=time.perf_counter() - t_start,
        scenario=sc.name,
        scenario_hash=info["hash"],
    )
    log.info("report for %s written to %s (%d files, %.1f s)", sc.name, out_dir, len(rec.files), rec.seconds)
    return rec


def _report_figures(result, sw, grid, tor, sc, sc_pe) -> dict:
    """name -> (Figure, one-sentence caption for the HTML)."""
    from . import plots

    pe_twin = sc_pe is not sc
    rate = _scenario_rate(sc)
    cs = _central_sigma(sc)
    c = _country(result.country)
    pe_note = " (PE model)" if pe_twin else ""
    figs = {
        "gdp_by_set": (
            plots.gdp_by_set(result),
            f"Real GDP of {c}, deviation from baseline after four quarters (bars) and in the long run "
            "(diamonds), by elasticity set; the whisker is the 5–95 % range of the Monte Carlo parameter "
            "draws.",
        ),
        "fan_chart": (
            plots.fan_chart(result),
            "Quarterly growth (q/q, % per quarter) with and without the tariff: medians and 25–75 % and "
            "5–95 % bands of the simulated paths.",
        ),
        "recession_curve": (
            plots.recession_curve(sw, mark_rate=rate, sources=result),
            "Probability of a technical recession within four quarters against the tariff rate, for "
            "the low, central and high elasticity sets; the dashed line is the probability without "
            "the tariff.",
        ),
        "gdp_path_chart": (
            plots.gdp_path_chart(result),
            "Quarterly GDP level deviation from baseline by channel (bars) and in total (line).",
        ),
        "export_losses_by_sector": (
            plots.export_losses_by_sector(result),
            f"Change in {c}'s exports by sector, short run and long run (USD bn a year).",
        ),
        "diversion_by_source": (
            plots.diversion_by_source(result),
            "Change in each source's sales in the US market: the tariffed sources lose, third "
            "countries gain (trade diversion).",
        ),
        "gdp_heatmap": (
            plots.gdp_heatmap(
                grid,
                mark=(rate, cs) if rate is not None and cs is not None else None,
                sources=result if not pe_twin else sc_pe,
                title="GDP impact over tariff rate and trade elasticity" + pe_note,
            ),
            "GDP after four quarters over a grid of tariff rates and Armington elasticities σ (other "
            "parameters central)" + pe_note + ".",
        ),
        "tornado_chart": (
            plots.tornado_chart(
                tor, sources=result if not pe_twin else sc_pe, title="Sensitivity of the GDP impact" + pe_note
            ),
            "One-at-a-time sensitivity of GDP after four quarters: each parameter at its low and high "
            "value, the rest central" + pe_note + ".",
        ),
    }
    if result.ge is not None:
        figs["ge_welfare"] = (
            plots.ge_welfare(result.ge.by_country(), sources=result),
            "General-equilibrium welfare change by economy (percent).",
        )
    return figs


# ============================================================================= the sweep


def write_sweep(
    scenario,
    rates: str | Iterable[float],
    out_dir: str | os.PathLike,
    *,
    elasticities: Sequence[str] = ("low", "central", "high"),
    sigmas: Iterable[float] | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    data=None,
    n_paths: int | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
    scheduler=None,
) -> ReportRecord:
    """The grid behind the recession curve and the heatmap: ``out_dir/sweep.csv`` (tidy: one row
    per rate and elasticity set; rate as a share, ``*_pct`` percent, ``*_usd`` USD, probabilities
    as shares 0-1), ``elasticity_grid.csv`` (rate x σ), the figures ``recession_curve`` and
    ``gdp_heatmap`` in ``formats``, ``scenario.toml`` and ``provenance.json``.

    ``rates``: 'START:STOP:STEP', a comma list or numbers (shares). ``elasticities``: sets of the
    sweep. ``sigmas``: Armington elasticities of the grid (default :data:`DEFAULT_SIGMAS` plus the
    central set's). ``n_paths``: recession Monte Carlo paths per point (default the scenario's).
    Same overwrite and atomicity rules as :func:`write_report`; steps :data:`SWEEP_STEPS`.
    ``scheduler``: a ``dask.distributed.Client`` for the grid points (:func:`dask_client`).
    The tables are also written as ``sweep.xlsx`` (sheets sweep, elasticity_grid, Sources).
    """
    from . import __version__, plots
    from .scenario import load_scenario
    from .uncertainty import elasticity_grid, parse_grid, sweep

    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    sc = load_scenario(scenario)
    grid_rates = parse_grid(rates) if isinstance(rates, str) else np.asarray(list(rates), dtype=float)
    for s in elasticities:
        sc.elasticity_set(s)  # unknown names fail here, before any work
    _check_target(out_dir, force)
    data = sc.load_data() if data is None else data
    fmts = tuple(f.lower() for f in formats)

    def fill(root: Path) -> None:
        _say(progress, "tariff sweep")
        sw = sweep(sc, grid_rates, list(elasticities), data=data, n_paths=n_paths or sc.n_paths, scheduler=scheduler)
        sw.attrs["scenario"] = sc.name
        _say(progress, "elasticity grid")
        sc_pe = sc if sc.model == "pe" else replace(sc, model="pe")
        sig = _sigmas(sc, sigmas)
        grid = elasticity_grid(sc_pe, grid_rates, sig, data=data, scheduler=scheduler)
        grid.attrs["scenario"] = sc.name
        sw.to_csv(root / "sweep.csv", index=False, lineterminator="\n")
        grid.to_csv(root / "elasticity_grid.csv", index=False, lineterminator="\n")
        write_workbook(
            root / "sweep.xlsx",
            {"sweep": sw, "elasticity_grid": grid},
            [("scenario", sc.name), ("scenario hash", sc.hash), ("dataset", f"{data.name} ({data.year})")]
            + [
                (f"data: {s.get('figure', '')}", f"{s.get('publisher', '')}; {s.get('year', '')}") for s in data.sources
            ],
        )
        _say(progress, "figures")
        rate = _scenario_rate(sc)
        cs = _central_sigma(sc)
        plots.save_figure(plots.recession_curve(sw, mark_rate=rate, sources=sc), root / "recession_curve", fmts)
        pe_note = " (PE model)" if sc_pe is not sc else ""
        plots.save_figure(
            plots.gdp_heatmap(
                grid,
                mark=(rate, cs) if rate is not None and cs is not None else None,
                sources=sc_pe,
                title="GDP impact over tariff rate and trade elasticity" + pe_note,
            ),
            root / "gdp_heatmap",
            fmts,
        )
        (root / "scenario.toml").write_text(sc.to_toml(), encoding="utf-8")
        base = {
            "tariffsim_version": __version__,
            "scenario": sc.name,
            "scenario_hash": sc.hash,
            "scenario_source": sc.source,
            "dataset": data.name,
            "dataset_year": data.year,
            "dataset_sources": [dict(s) for s in data.sources],
            "seed": sc.seed,
            "model": sc.model,
        }
        settings = {
            "rates": [float(r) for r in grid_rates],
            "rates_text": _rates_text(rates),
            "elasticity_sets": list(elasticities),
            "sigmas": sig,
            "n_paths": n_paths or sc.n_paths,
            "figure_formats": list(fmts),
            "units": {"sweep.csv": sw.attrs.get("units"), "elasticity_grid.csv": grid.attrs.get("units")},
        }
        _write_provenance(root, base, {"sweep": settings})
        _say(progress, "finish")

    _atomic_folder(out_dir, force, fill)
    rec = ReportRecord(
        out_dir=out_dir,
        files=tuple(_files(out_dir)),
        seconds=time.perf_counter() - t_start,
        scenario=sc.name,
        scenario_hash=sc.hash,
    )
    log.info("sweep for %s written to %s (%d files, %.1f s)", sc.name, out_dir, len(rec.files), rec.seconds)
    return rec
