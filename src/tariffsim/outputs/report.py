"""Reports: the report folder behind ``tariffsim report`` and the sweep folder behind
``tariffsim sweep``.

The tables (``summary_table``, ``sector_table``, ``partner_table``, ``write_table``, ...) live in
:mod:`tariffsim.outputs.tables` (importing them from here still works, with a DeprecationWarning); the
HTML briefing is built in :mod:`tariffsim.outputs.report_html`; the atomic folder and provenance helpers
are in :mod:`tariffsim.outputs.files`.

:func:`write_report` and :func:`write_sweep` build the whole output in a temporary folder beside
``out_dir`` and move it into place only when everything has been written: a failure leaves neither
a half-written ``out_dir`` nor the temporary folder behind, and a non-empty ``out_dir`` is replaced
only with ``force=True`` (after success). Files in the report folder::

    report.html                 the briefing (figures referenced relatively)
    scenario.toml               the scenario used (Scenario.to_toml())
    provenance.json             result.provenance, the run --json summary, settings, files, SHA-256
    figures/NAME.{png,svg,pdf}  see tariffsim.outputs.figures.catalog
    tables/NAME.{csv,md,tex,html}   summary (by elasticity set), sectors, partners; with model 'ge-io'
                                also ge_io_welfare, ge_io_sectors and ge_io_output (figures
                                ge_io_welfare, ge_io_sectors, ge_io_output_by_sector), the
                                multi-sector GE on the scenario's input-output table
    report.xlsx                 the tables, a sheet each (units in the headers), and a Sources sheet
    data/*.csv                  the tidy data behind the figures (sweep, grid, tornado, paths, draws)
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._lazy import pd
from .._version import __version__
from ..constants import FIGURE_FORMATS, SWEEP_GRID
from ..engine.adapters import long_run_adapter, near_term_adapter
from ..engine.simulation import simulate
from ..engine.sources import dataset_sources_used
from ..engine.uncertainty import elasticity_grid, parse_grid, sweep, tornado
from ..errors import TariffSimError
from ..inputs.countries import display_name
from ..inputs.scenario import load_scenario
from ..models.ge import GESolution
from . import tables
from .figures import gdp, sensitivity, trade
from .figures import ge_io as plots_ge_io
from .figures.writer import FigureWriter
from .files import atomic_folder, check_formats, check_target_dir, list_files, say_step, write_csv, write_provenance
from .report_html import report_html

if TYPE_CHECKING:
    import pandas as pd

    from ..engine.results import Result
    from ..engine.simulation import ScenarioLike
    from ..inputs.datasets import TradeData
    from ..inputs.scenario import Scenario


__all__ = [
    "write_report",
    "write_sweep",
    "ReportRecord",
    "REPORT_STEPS",
    "SWEEP_STEPS",
    "DEFAULT_SIGMAS",
    "FIGURE_FORMATS",
]


log = logging.getLogger(__name__)

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


# ============================================================================= dask


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


def _scenario_rate(sc: Scenario) -> float | None:
    """The rate of the scenario's tariff measures with one rate (their largest) for marking figures."""
    rates = [m.rate for m in sc.tariffs if m.panel is None and not m.rates]
    return max(rates) if rates else None


def _central_sigma(sc: Scenario) -> float | None:
    s = sc.elasticity_set(sc.central_set).sigma_one_year
    return float(s) if isinstance(s, int | float) else None


def _sigmas(sc: Scenario, sigmas: Iterable[float] | None) -> list[float]:
    out = sorted({float(s) for s in (DEFAULT_SIGMAS if sigmas is None else sigmas)})
    cs = _central_sigma(sc)
    if sigmas is None and cs is not None and not any(math.isclose(cs, s) for s in out):
        out = sorted([*out, cs])
    return out


def _sweep_sets(sc: Scenario, wanted: Sequence[str]) -> list[str]:
    """The sweep's default sets that exist and that the scenario's long-run model can run."""
    out = []
    long_run = long_run_adapter(sc.model)
    for s in wanted:
        try:
            es = sc.elasticity_set(s)
        except TariffSimError:
            log.warning("elasticity set %r is not available; left out of the sweep", s)
            continue
        why = long_run.refuse_set(es, sc)
        if why:
            log.info("left out of the sweep: %s", why)
            continue
        out.append(s)
    return out


def _rates_text(rates: str | Iterable[float]) -> str:
    if isinstance(rates, str):
        return rates
    return ",".join(f"{float(r):g}" for r in rates)


# ============================================================================= the report


def write_report(
    scenario: ScenarioLike,
    out_dir: str | os.PathLike,
    *,
    force: bool = False,
    formats: Sequence[str] = FIGURE_FORMATS,
    table_formats: Sequence[str] = tables.TABLE_FORMATS,
    data: TradeData | None = None,
    progress: Callable[[str], None] | None = None,
    sweep_rates: str | Iterable[float] = SWEEP_GRID,
    sweep_sets: Sequence[str] = ("low", "central", "high"),
    sigmas: Iterable[float] | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    sweep_n_paths: int | None = None,
    model: str | None = None,
    elasticities: Sequence[str] | None = None,
    scheduler: Any = None,  # a dask.distributed.Client (optional dependency)
    out_field: str = "out_dir",
) -> ReportRecord:
    """Run a scenario and write the report folder ``out_dir`` (see the module docstring).

    Parameters
    ----------
    scenario : a built-in name ('mex25'), a TOML path, a dict or a :class:`~tariffsim.inputs.scenario.Scenario`.
    out_dir : the folder to create. A non-empty folder raises
        :class:`~tariffsim.errors.OutputExistsError` unless ``force``; with ``force`` it is replaced
        only after the new report has been written completely.
    formats : figure formats (png at 200 dpi, svg, pdf). table_formats : csv, md, tex, html.
    data : a :class:`~tariffsim.inputs.datasets.TradeData` (default: the scenario's dataset).
    progress : callable receiving the name of each step (:data:`REPORT_STEPS`), e.g. a
        :class:`tariffsim.cli.report.ProgressBar`.
    sweep_rates : tariff rates (shares) for the recession curve and the heatmap: 'START:STOP:STEP',
        a comma list or numbers (default 0 to 50 % by 5 points).
    sweep_sets : elasticity sets of the recession curve.
    sigmas : Armington elasticities of the heatmap (default :data:`DEFAULT_SIGMAS` plus the
        central set's σ).
    draws, n_paths : Monte Carlo parameter draws and simulated paths of the main run (default: the
        scenario's). sweep_n_paths : paths per sweep point (default: the scenario's, so that the
        sweep's no-tariff probability equals the main run's).
    model : 'pe', 'ge' or 'ge-io' (default: the scenario's); the report is of that model. With 'ge-io'
        the report adds the multi-sector GE's welfare decomposition, output, value added and exports by
        sector of the reported country and the market with the range over the elasticity sets
        (figures ge_io_welfare, ge_io_sectors, ge_io_output_by_sector; tables ge_io_welfare,
        ge_io_sectors, ge_io_output), and the sector and partner tables and figures of the dataset are
        those of the PE model (the multi-sector GE runs on its own input-output table).
    elasticities : the elasticity sets of the main run (default: the scenario's).
    scheduler : a ``dask.distributed.Client`` for the sweep and heatmap grid points (see
        :func:`dask_client`); the numbers are the same as in-process.
    out_field : how errors about ``out_dir`` name it (the CLI passes ``--out``).

    Returns a :class:`ReportRecord` with the files written.
    """

    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    figure_formats = check_formats(formats, FIGURE_FORMATS, field="formats", kind="figure")  # before any work
    tfmt = tables.check_table_formats(table_formats)
    sc = load_scenario(scenario)
    if model is not None and model != sc.model:
        sc = sc.derive(model=model)
    rates = parse_grid(sweep_rates) if isinstance(sweep_rates, str) else np.asarray(list(sweep_rates), dtype=float)
    check_target_dir(out_dir, force, field=out_field)  # fail before any work
    data = sc.load_data() if data is None else data

    def fill(root: Path) -> dict:
        with FigureWriter(figure_formats) as writer:  # helpers start now; their imports overlap the runs
            return _fill(root, writer)

    def _fill(root: Path, writer: FigureWriter) -> dict:
        say_step(progress, "simulate")
        result = simulate(
            sc, data=data, elasticities=list(elasticities) if elasticities else None, draws=draws, n_paths=n_paths
        )
        sets = _sweep_sets(sc, sweep_sets)
        # heatmap and tornado vary the PE model's sigma and assumptions: for a GE scenario they run its PE twin
        sc_pe = _near_term_twin(sc)
        # a model on its own tables (the multi-sector GE) has other sectors and regions: the figures and tables of
        # the dataset's sectors and partners show the PE model (its long run is the result's value added at risk)
        dataset_view = result if result.outcome().long_run.on_dataset else _dataset_view(result, sc_pe)
        fig_dir = root / "figures"
        run_figs = _result_figures(result, dataset_view)
        for name, (fig, _caption) in run_figs.items():  # drawn by the writer's helpers while the sweep runs
            writer.save(fig, fig_dir / name)
        say_step(progress, "tariff sweep")
        sig = _sigmas(sc, sigmas)
        sw: pd.DataFrame | None = None
        grid: pd.DataFrame | None = None
        if _scenario_rate(sc) is not None and all(m.panel is None and not m.rates for m in sc.tariffs):
            sw = sweep(sc, rates, sets, data=data, n_paths=sweep_n_paths or sc.n_paths, scheduler=scheduler)
            sw.attrs["scenario"] = sc.name
        say_step(progress, "elasticity grid")
        if sw is not None:
            grid = elasticity_grid(sc_pe, rates, sig, data=data, scheduler=scheduler)
            grid.attrs["scenario"] = sc.name
        else:
            log.info("the scenario sets its rates by exporter or from the panel: no tariff sweep and no heatmap")
        say_step(progress, "tornado")
        tor = tornado(sc_pe, data=data)
        tor.attrs["scenario"] = sc.name

        say_step(progress, "figures")
        figs = _report_figures({**run_figs, **_sensitivity_figures(result, sw, grid, tor, sc, sc_pe)})
        for name, (fig, _caption) in figs.items():
            if name not in run_figs:
                writer.save(fig, fig_dir / name)

        say_step(progress, "tables")
        tabs = _report_tables(result, dataset_view)
        for name, df in tabs.items():
            tables.write_table(df, root / "tables" / name, tfmt)
        tables.write_workbook(
            root / "report.xlsx", tabs, tables.provenance_rows(result.provenance, result.sources_used())
        )
        ddir = root / "data"
        ddir.mkdir()
        if sw is not None and grid is not None:
            write_csv(sw, ddir / "sweep.csv")
            write_csv(grid, ddir / "elasticity_grid.csv")
        write_csv(tor, ddir / "tornado.csv")
        write_csv(result.gdp_path(), ddir / "gdp_path.csv")
        if result.recession is not None:
            write_csv(result.recession.quantiles(), ddir / "growth_quantiles.csv")
        if result.draws is not None and len(result.draws):
            write_csv(result.draws, ddir / "parameter_draws.csv")
        (root / "scenario.toml").write_text(sc.to_toml(), encoding="utf-8")

        say_step(progress, "report.html")
        page = report_html(
            result,
            sc,
            figs=figs,
            figure_formats=figure_formats,
            tables=tabs,
            table_formats=tfmt,
            data_files=list_files(root / "data"),
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
            "heatmap_and_tornado_model": near_term_adapter().name,
            "sectors_and_partners_model": dataset_view.model,
        }
        writer.wait()  # the provenance hashes every file: the figures first
        write_provenance(root, result.provenance, {"run": result.to_json(), "report": settings})
        say_step(progress, "finish")
        return {"hash": sc.hash}

    info = atomic_folder(out_dir, force, fill, field=out_field)
    rec = ReportRecord(
        out_dir=out_dir,
        files=tuple(list_files(out_dir)),
        seconds=time.perf_counter() - t_start,
        scenario=sc.name,
        scenario_hash=info["hash"],
    )
    log.info("report for %s written to %s (%d files, %.1f s)", sc.name, out_dir, len(rec.files), rec.seconds)
    return rec


def _report_tables(result: Result, dataset_view: Result) -> dict:
    """name -> table of the report: the headline summary, the dataset's sectors and partners (of
    ``dataset_view``: the result itself, or its PE twin when the long run is the multi-sector GE),
    and for the multi-sector GE its welfare and output-by-sector tables."""
    out = {
        "summary": tables.summary_table(result),
        "sectors": tables.sector_table(dataset_view),
        "partners": tables.partner_table(dataset_view),
    }
    if dataset_view is not result:
        ge = tables.ge_io_block(result)
        table = f"input-output table {ge.get('io_table')} ({tables.ge_io_label(ge)})" if ge else "its own table"
        why = (
            f" Partial-equilibrium model on the dataset's {result.data.year} trade: the multi-sector GE of this report "
            f"runs on the sectors and regions of {table}; its output, value added and exports by sector are in the "
            "tables ge_io_output and ge_io_sectors."
        )
        for name in ("sectors", "partners"):
            out[name].attrs["title"] += " (PE model)"
            out[name].attrs["notes"] += why
    if tables.ge_io_block(result):
        out["ge_io_welfare"] = tables.ge_io_welfare_table(result)
        out["ge_io_output"] = tables.ge_io_output_table(result)
        sectors = tables.ge_io_sector_table(result)
        if not sectors.empty:
            out["ge_io_sectors"] = sectors
    return out


def _near_term_twin(sc: Scenario) -> Scenario:
    """The scenario in the near-term (PE) model: the heatmap and tornado vary the PE model's sigma
    and assumptions, so a GE scenario runs them on this twin (derived, so its provenance says so)."""
    pe = near_term_adapter().name
    return sc if sc.model == pe else sc.derive(model=pe)


def _dataset_view(result: Result, sc_pe: Scenario) -> Result:
    """``result`` seen through its near-term model on the dataset: a run whose long run is on tables of
    its own (the multi-sector GE) already solved the PE model at the long-run elasticities on the
    dataset (value added at risk), so its sector and partner views need no second run: the same
    numbers as running the PE twin ``sc_pe`` (tested; the twin is run only for a result without them)."""
    pe = near_term_adapter().name
    sets = {}
    for n, so in result.sets.items():
        if so.at_risk is None:
            return simulate(sc_pe, data=result.data, elasticities=list(result.sets), draws=0, recession=False)
        sets[n] = dataclasses.replace(so, long_run=so.at_risk)
    prov = {**result.provenance, "model": pe, "scenario_hash": sc_pe.hash}
    return dataclasses.replace(result, scenario=sc_pe, model=pe, sets=sets, provenance=prov)


#: The order of a report's figures (on the page and in the files' listing).
_FIGURE_ORDER = (
    "gdp_by_set",
    "fan_chart",
    "recession_curve",
    "gdp_path_chart",
    "export_losses_by_sector",
    "diversion_by_source",
    "gdp_heatmap",
    "tornado_chart",
)


def _report_figures(figs: dict) -> dict:
    """The report's figures in page order: those of :data:`_FIGURE_ORDER`, then the model's own."""
    ordered = {k: figs[k] for k in _FIGURE_ORDER if k in figs}
    ordered.update((k, v) for k, v in figs.items() if k not in ordered)
    return ordered


def _result_figures(result: Result, dataset_view: Result) -> dict:
    """name -> (Figure, one-sentence caption for the HTML): the figures of the run itself (drawn while
    the sweep, the grid and the tornado are computed)."""

    c = display_name(result.country)
    view_note = " (PE model)" if dataset_view is not result else ""
    figs = {
        "gdp_by_set": (
            gdp.gdp_by_set(result),
            f"Real GDP of {c}, deviation from baseline after four quarters (bars) and in the long run "
            "(diamonds; capital deepening), and long-run real income (circles; not GDP), by elasticity set; the "
            "whisker is the 5–95 % range of the Monte Carlo parameter draws"
            + (
                "; the sets differ only in the multi-sector model's sector trade elasticities θ (row labels), so "
                "the bars are equal"
                if tables.ge_io_block(result)
                else ""
            )
            + ".",
        ),
        "fan_chart": (
            gdp.fan_chart(result),
            "Quarterly growth (q/q, % per quarter) with and without the tariff: medians and 25–75 % and "
            "5–95 % bands of the simulated paths.",
        ),
        "gdp_path_chart": (
            gdp.gdp_path_chart(result),
            "Quarterly GDP level deviation from baseline by channel (bars) and in total (line).",
        ),
        "export_losses_by_sector": (
            trade.export_losses_by_sector(dataset_view, title=f"Exports by sector{view_note}" if view_note else None),
            f"Change in {c}'s exports by sector, after one year and in the long run (USD bn a year){view_note}.",
        ),
        "diversion_by_source": (
            trade.diversion_by_source(
                dataset_view,
                importer=result.market or tables.US,
                title=f"Trade diversion in the market{view_note}" if view_note else None,
            ),
            f"Change in each source's sales in the {display_name(result.market or tables.US)} market: the tariffed "
            f"sources lose, third countries gain (trade diversion){view_note}.",
        ),
    }
    if isinstance(result.ge, GESolution):
        # real income as the headline defines it: expenditure over prices (E/P, tariff revenue included),
        # the model's welfare with fixed factors; its factor income over prices (w/P) is another number
        by_country = result.ge.by_country()
        by_country = by_country.assign(real_income_pct=by_country["welfare_pct"])
        figs["ge_welfare"] = (
            trade.ge_welfare(
                by_country,
                value="real_income_pct",
                sources=result,
                title="Long-run real income by economy, one-sector GE",
            ),
            "Long-run real income by economy in the one-sector GE (percent; expenditure over the consumer price "
            "index, tariff revenue included: the headline's real income, not GDP; with fixed factors it is the "
            "model's welfare).",
        )
    figs.update(_ge_io_figures(result))
    return figs


def _sensitivity_figures(
    result: Result,
    sw: pd.DataFrame | None,
    grid: pd.DataFrame | None,
    tor: pd.DataFrame,
    sc: Scenario,
    sc_pe: Scenario,
) -> dict:
    """name -> (Figure, caption): the recession curve over the sweep, the heatmap over the grid, the
    tornado (no sweep and no heatmap for rates by exporter or from the panel)."""

    pe_twin = sc_pe is not sc
    rate = _scenario_rate(sc)
    cs = _central_sigma(sc)
    pe_note = " (PE model)" if pe_twin else ""
    figs = {
        "recession_curve": (
            sensitivity.recession_curve(sw, mark_rate=rate, sources=result) if sw is not None else None,
            "Probability of a technical recession within four quarters against the tariff rate, for "
            "the low, central and high elasticity sets; the dashed line is the probability without "
            "the tariff.",
        ),
        "gdp_heatmap": (
            sensitivity.gdp_heatmap(
                grid,
                mark=(rate, cs) if rate is not None and cs is not None else None,
                sources=result if not pe_twin else sc_pe,
                title="GDP impact over tariff rate and trade elasticity" + pe_note,
            )
            if grid is not None
            else None,
            "GDP after four quarters over a grid of tariff rates and Armington elasticities σ (other "
            "parameters central)" + pe_note + ".",
        ),
        "tornado_chart": (
            sensitivity.tornado_chart(
                tor, sources=result if not pe_twin else sc_pe, title="Sensitivity of the GDP impact" + pe_note
            ),
            "One-at-a-time sensitivity of GDP after four quarters: each parameter at its low and high "
            "value, the rest central" + pe_note + ".",
        ),
    }
    return {k: v for k, v in figs.items() if v[0] is not None}


def _ge_io_figures(result: Result) -> dict:
    """The multi-sector GE's figures (none for other models), drawn from the ``ge`` block of
    ``result.to_json()``, the numbers of the tables ge_io_welfare and ge_io_output."""

    ge = tables.ge_io_block(result)
    if not ge:
        return {}
    rows = tables.ge_io_economies(ge)
    names = [display_name(str(r["iso3"])) for r in rows]
    welfare = pd.DataFrame(
        [
            {"region": n, **{k: r[k] for k in ("welfare_pct", "tot_pct", "vot_pct", "tech_pct")}}
            for n, r in zip(names, rows, strict=True)
        ]
    )
    traded = list(ge.get("goods_sectors") or ge.get("traded_sectors") or [])
    output = pd.DataFrame(
        [
            {"region": n, "sector": sec, "output_pct": r["output_by_sector_pct"].get(sec)}
            for n, r in zip(names, rows, strict=True)
            for sec in traded
        ]
    )
    output["output_pct"] = pd.to_numeric(output["output_pct"], errors="coerce")
    label = tables.ge_io_label(ge)
    old_tables = ge.get("io_table") in (None, "cp1993")
    structure = (
        "the structure is 1993's (Caliendo-Parro tables: shares, input-output linkages and trade elasticities of "
        "1993, not of today)"
        if old_tables
        else f"input-output table {ge.get('io_table')} ({label}; every piece and its year in the notes)"
    )
    start = "from the NAFTA equilibrium" if old_tables else "from the table's own equilibrium"
    caption = plots_ge_io.io_caption(None if old_tables else str(ge.get("io_table_note")))
    who = " and ".join(names)
    figs = {
        "ge_io_welfare": (
            plots_ge_io.welfare_decomposition(
                welfare,
                names,
                subtitle=f"{who}, long run, multi-sector GE ({label}); decomposition integrated along the "
                "tariff path, adding up to the exact real-income change (table ge_io_welfare)",
                caption=caption,
            ),
            f"Welfare change of {who} in the multi-sector general equilibrium with input-output linkages (long "
            f"run, {start}), as terms of trade + volume of trade + technical efficiency (percent "
            f"of baseline income); {structure}.",
        ),
        "ge_io_output_by_sector": (
            plots_ge_io.output_by_sector(output, names, caption=caption),
            f"Gross output change by goods sector for {who} in the multi-sector general equilibrium (value at "
            f"producer prices, percent; services in the table ge_io_output); {structure}.",
        ),
    }
    rows_by = ge.get("by_sector") or []
    country = rows[0] if rows else {}
    if rows_by and country:
        region = str(country.get("region"))
        n_sets = len(result.sets)
        figs["ge_io_sectors"] = (
            plots_ge_io.sector_changes_with_range(
                rows_by,
                region,
                title=f"{names[0]}: value added by sector, multi-sector GE",
                subtitle=f"{label}; value added at baseline prices (labour employed); bar: central set "
                f"'{result.central}', line: range over the {n_sets} elasticity sets (table ge_io_sectors)",
                caption=caption,
            ),
            f"Value added by sector of {names[0]} in the multi-sector general equilibrium (long run, {start}): the "
            f"central elasticity set and the range over the {n_sets} sets run; sectors marked * have a base under 1 % "
            f"of its output; {structure}.",
        )
    return figs


# ============================================================================= the sweep


def write_sweep(
    scenario: ScenarioLike,
    rates: str | Iterable[float],
    out_dir: str | os.PathLike,
    *,
    elasticities: Sequence[str] = ("low", "central", "high"),
    sigmas: Iterable[float] | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    data: TradeData | None = None,
    n_paths: int | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
    scheduler: Any = None,  # a dask.distributed.Client (optional dependency)
    model: str | None = None,
    out_field: str = "out_dir",
) -> ReportRecord:
    """The grid behind the recession curve and the heatmap: ``out_dir/sweep.csv`` (tidy: one row
    per rate and elasticity set; rate as a share, ``*_pct`` percent, ``*_usd`` USD, probabilities
    as shares 0-1), ``elasticity_grid.csv`` (rate x σ), the figures ``recession_curve`` and
    ``gdp_heatmap`` in ``formats``, ``scenario.toml`` and ``provenance.json``.

    ``rates``: 'START:STOP:STEP', a comma list or numbers (shares). ``elasticities``: sets of the
    sweep. ``sigmas``: Armington elasticities of the grid (default :data:`DEFAULT_SIGMAS` plus the
    central set's). ``n_paths``: recession Monte Carlo paths per point (default the scenario's).
    Same overwrite and atomicity rules as :func:`write_report`; steps :data:`SWEEP_STEPS`.
    ``scheduler``: a ``dask.distributed.Client`` for the grid points (:func:`tariffsim.cli.report.dask_client`).
    ``model``: 'pe', 'ge' or 'ge-io' for the sweep (default: the scenario's); the grid over σ is
    always the PE model's. The tables are also written as ``sweep.xlsx`` (sheets sweep,
    elasticity_grid, Sources). ``out_field``: how errors about ``out_dir`` name it (the CLI
    passes ``--out``).
    """

    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    fmts = check_formats(formats, FIGURE_FORMATS, field="formats", kind="figure")  # before any work
    sc = load_scenario(scenario)
    if model is not None and model != sc.model:
        sc = sc.derive(model=model)
    grid_rates = parse_grid(rates) if isinstance(rates, str) else np.asarray(list(rates), dtype=float)
    for s in elasticities:
        sc.elasticity_set(s)  # unknown names fail here, before any work
    check_target_dir(out_dir, force, field=out_field)
    data = sc.load_data() if data is None else data

    def fill(root: Path) -> None:
        with FigureWriter(fmts) as writer:  # helpers start now; their imports overlap the sweep
            _fill(root, writer)

    def _fill(root: Path, writer: FigureWriter) -> None:
        say_step(progress, "tariff sweep")
        sw = sweep(sc, grid_rates, list(elasticities), data=data, n_paths=n_paths or sc.n_paths, scheduler=scheduler)
        sw.attrs["scenario"] = sc.name
        say_step(progress, "elasticity grid")
        sc_pe = _near_term_twin(sc)
        sig = _sigmas(sc, sigmas)
        grid = elasticity_grid(sc_pe, grid_rates, sig, data=data, scheduler=scheduler)
        grid.attrs["scenario"] = sc.name
        write_csv(sw, root / "sweep.csv")
        write_csv(grid, root / "elasticity_grid.csv")
        tables.write_workbook(
            root / "sweep.xlsx",
            {"sweep": sw, "elasticity_grid": grid},
            [("scenario", sc.name), ("scenario hash", sc.hash), ("dataset", f"{data.name} ({data.year})")]
            + [
                (f"data: {s.get('figure', '')}", f"{s.get('publisher', '')}; {s.get('year', '')}")
                for s in dataset_sources_used(data.sources)
            ],
        )
        say_step(progress, "figures")
        rate = _scenario_rate(sc)
        cs = _central_sigma(sc)
        writer.save(sensitivity.recession_curve(sw, mark_rate=rate, sources=sc), root / "recession_curve")
        pe_note = " (PE model)" if sc_pe is not sc else ""
        writer.save(
            sensitivity.gdp_heatmap(
                grid,
                mark=(rate, cs) if rate is not None and cs is not None else None,
                sources=sc_pe,
                title="GDP impact over tariff rate and trade elasticity" + pe_note,
            ),
            root / "gdp_heatmap",
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
        writer.wait()  # the provenance hashes every file: the figures first
        write_provenance(root, base, {"sweep": settings})
        say_step(progress, "finish")

    atomic_folder(out_dir, force, fill, field=out_field)
    rec = ReportRecord(
        out_dir=out_dir,
        files=tuple(list_files(out_dir)),
        seconds=time.perf_counter() - t_start,
        scenario=sc.name,
        scenario_hash=sc.hash,
    )
    log.info("sweep for %s written to %s (%d files, %.1f s)", sc.name, out_dir, len(rec.files), rec.seconds)
    return rec
