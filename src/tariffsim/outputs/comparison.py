"""Scenarios side by side: ``tariffsim compare mex25 mex25-usmca mex25-retaliation`` and
``tariffsim.compare([...])`` (the module is ``comparison`` so that ``tariffsim.compare`` stays the
function: a submodule named ``compare`` would replace it on the package once imported).

:func:`compare` runs each scenario (and each model asked for) and builds one tidy table,
scenario x model x measure, from nothing but each run's :meth:`Result.to_json` object, the
contract of ``tariffsim run --json``: the table can never disagree with the JSON. The measures
are in :data:`MEASURES` (JSON key, label, unit, factor from the JSON unit to the table's).
:func:`write_compare` writes the comparison folder atomically, as :func:`tariffsim.write_report`
writes a report::

    compare.html                     the comparison page (table, figures, scenarios, sources)
    compare.xlsx                     comparison (wide), comparison_tidy, gdp_paths, Sources sheets
    tables/comparison.{csv,md,tex,html}   one row per scenario and model, a column per measure
    data/comparison_tidy.csv         scenario x model x measure, with the range over elasticity sets
    data/gdp_paths.csv               the quarterly GDP paths of every run (central set)
    figures/compare_gdp_paths.*      GDP paths of all scenarios on one chart
    figures/compare_headline.*       dot-and-range chart of the headline measures
    runs/NAME.MODEL.json             each run's ``to_json()`` object (the source of every number)
    scenarios/NAME.toml              each scenario as run
    provenance.json                  versions, scenario hashes, settings, files and SHA-256
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .._lazy import pd
from .._util import json_default, json_safe
from .._version import __version__
from ..constants import FIGURE_FORMATS, MODELS
from ..engine.adapters import adapter
from ..engine.results import Result
from ..engine.simulation import simulate
from ..errors import ScenarioError
from ..inputs.scenario import load_scenario
from ..limits import MAX_COMPARE_RUNS, check_int, shown
from .figures import compare as compare_figures
from .figures.writer import FigureWriter
from .files import (
    atomic_folder,
    check_formats,
    check_target_dir,
    list_files,
    safe_filename,
    say_step,
    write_csv,
    write_provenance,
)
from .report_html import compare_html
from .tables import check_table_formats, provenance_rows, table_html, write_table, write_workbook

if TYPE_CHECKING:
    from collections.abc import Sized

    from ..engine.simulation import ScenarioLike
    from ..inputs.datasets import TradeData
    from ..inputs.scenario import Scenario

    # one scenario given by name, path or dict, or several (a single Scenario object is not iterated)
    _Scenarios = str | Path | Mapping[str, Any] | Result | Iterable[ScenarioLike | Result]


def _as_list(items: Any) -> list[Any]:
    return [items] if isinstance(items, str | os.PathLike | Mapping | Result) else list(items)


def _scenario_of(r: Result) -> Scenario:
    return cast("Scenario", r.scenario)


__all__ = [
    "compare",
    "write_compare",
    "Comparison",
    "CompareRecord",
    "MEASURES",
    "COMPARE_STEPS",
    "check_models",
    "check_runs",
    "tidy_from_json",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Measure:
    """One headline measure: its ``to_json()`` key, a label, the unit shown and the factor from
    the JSON's unit (percent, share 0-1, USD) to it; ``se_key`` names its standard error."""

    key: str
    label: str
    unit: str
    factor: float = 1.0
    decimals: int = 1
    se_key: str | None = None
    short: str = ""

    @property
    def panel(self) -> str:
        """A short heading for a figure panel."""
        return self.short or f"{self.label} ({self.unit})"

    @property
    def column(self) -> str:
        return f"{self.label} ({self.unit})"


#: The measures of the comparison, in order (JSON key -> label, unit shown, factor).
MEASURES: tuple[Measure, ...] = (
    Measure("exports_change_pct_long_run", "Exports, all markets, long run", "%"),
    Measure("exports_change_pct_after_4q", "Exports after four quarters", "%"),
    Measure("gdp_impact_pct_first_year_avg", "GDP, first-year average", "%", decimals=2),
    Measure("gdp_impact_pct", "GDP after four quarters", "%", decimals=2),
    Measure("gdp_impact_pct_long_run", "Real GDP, long run", "%", decimals=2),
    Measure("real_income_pct_long_run", "Real income, long run (not GDP)", "%", decimals=2),
    Measure(
        "recession_probability_change",
        "Recession within four quarters, change",
        "percentage points",
        factor=100.0,
        se_key="recession_probability_change_se",
        short="Recession within 4 quarters, change (pp)",
    ),
    Measure("market_tariff_revenue_change_usd", "Market's tariff revenue, change", "USD bn a year", factor=1e-9),
)

#: Steps passed to ``progress`` after one ``"run NAME (MODEL)"`` step per run.
COMPARE_STEPS: tuple[str, ...] = ("figures", "tables", "compare.html", "finish")


def _num(v: Any) -> float:  # a value of a run's JSON
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f if math.isfinite(f) else math.nan


def _json_value(j: Mapping, key: str) -> tuple[float, bool]:
    """The value of ``key`` in a run's JSON; while a key the contract promises is not yet in the
    JSON, the same quantity from other JSON keys (flagged False)."""
    if key in j:
        return _num(j[key]), True
    if key == "recession_probability_change" and "recession_probability" in j:
        return _num(j["recession_probability"]) - _num(j.get("recession_probability_baseline")), False
    if key == "gdp_impact_pct_first_year_avg" and j.get("gdp_path"):
        first = [_num(p["deviation_pct"]) for p in j["gdp_path"][:4]]
        return (sum(first) / len(first) if len(first) == 4 else math.nan), False
    return math.nan, False


def _run_label(name: str, model: str) -> str:
    return f"{name} ({adapter(model).label})"


def tidy_from_json(runs: Mapping[tuple[str, str], Mapping]) -> pd.DataFrame:
    """The tidy comparison table from run JSON objects ((scenario, model) -> ``to_json()``):
    one row per scenario, model and measure; ``value`` is the central set's JSON value times the
    measure's factor, ``low``/``high`` the smallest and largest value over the elasticity sets
    (``by_elasticity_set``) with the sets that give them, ``se`` the standard error where the JSON
    has one, ``from_key`` False where the value had to be rebuilt from other JSON keys."""
    rows = []
    for (name, model), j in runs.items():
        by_set = j.get("by_elasticity_set") or {}
        for m in MEASURES:
            v, direct = _json_value(j, m.key)
            per_set = {s: _json_value(h, m.key)[0] * m.factor for s, h in by_set.items()}
            per_set = {s: x for s, x in per_set.items() if not math.isnan(x)}
            se = _num(j.get(m.se_key)) * m.factor if m.se_key else math.nan
            lo_set = min(per_set, key=lambda s: per_set[s]) if per_set else None
            hi_set = max(per_set, key=lambda s: per_set[s]) if per_set else None
            rows.append(
                {
                    "scenario": name,
                    "model": model,
                    "run": _run_label(name, model),
                    "description": j.get("description", ""),
                    "measure": m.label,
                    "json_key": m.key,
                    "unit": m.unit,
                    "value": v * m.factor,
                    "se": se,
                    "low": per_set[lo_set] if lo_set else math.nan,
                    "high": per_set[hi_set] if hi_set else math.nan,
                    "low_set": lo_set,
                    "high_set": hi_set,
                    "n_sets": len(per_set),
                    "central_set": j.get("central_set"),
                    "from_key": direct,
                }
            )
    df = pd.DataFrame(rows)
    df.attrs["units"] = (
        "value, se, low, high in the row's unit; low/high: smallest and largest over the elasticity sets run"
    )
    return df


@dataclass(frozen=True, eq=False)
class Comparison:
    """What :func:`compare` returns.

    ``results``: (scenario name, model) -> :class:`~tariffsim.engine.results.Result`, in the order run;
    ``runs``: the same keys -> ``Result.to_json()``; ``table``: the tidy table
    (:func:`tidy_from_json` of ``runs``).
    """

    results: Mapping[tuple[str, str], Result]
    runs: Mapping[tuple[str, str], Mapping]
    table: pd.DataFrame

    @property
    def scenarios(self) -> list[str]:
        return list(dict.fromkeys(k[0] for k in self.results))

    def __repr__(self) -> str:
        runs = ", ".join(_run_label(*k) for k in self.results)
        return f"<tariffsim.Comparison of {len(self.results)} run{'s' if len(self.results) != 1 else ''}: {runs}>"[
            :2000
        ]

    def _repr_html_(self) -> str:
        return table_html(self.wide())  # each column with its own decimals

    def wide(self) -> pd.DataFrame:
        """For reading: one row per scenario and model, a column per measure (unit in the header),
        at full precision with the decimals to show in ``attrs['decimals']`` (a value that shows
        as zero is 0.0); the recession change has its Monte Carlo standard error beside it."""
        rows = []
        for (name, model), _j in self.runs.items():
            t = self.table[(self.table.scenario == name) & (self.table.model == model)].set_index("json_key")
            row: dict[str, object] = {"Scenario": name, "Model": adapter(model).label}
            for m in MEASURES:
                row[m.column] = _num(t.loc[m.key, "value"])
                if m.se_key:
                    row[f"{m.label}, s.e. ({m.unit})"] = _num(t.loc[m.key, "se"])
            rows.append(row)
        df = pd.DataFrame(rows)
        dec: dict[str, int] = {}
        for m in MEASURES:
            dec[m.column] = m.decimals
            if m.se_key:
                dec[f"{m.label}, s.e. ({m.unit})"] = 2
        for col, nd in dec.items():
            v = pd.to_numeric(df[col], errors="coerce").astype(float)
            df[col] = np.where(v.round(nd) == 0, 0.0, v)
        df.attrs["decimals"] = dec
        df.attrs["title"] = "Scenarios compared: " + ", ".join(self.scenarios)
        df.attrs["notes"] = _notes(self.runs)
        return df

    def gdp_paths(self) -> pd.DataFrame:
        """Tidy quarterly GDP paths (central set) of every run, from the JSON's ``gdp_path``."""
        rows = []
        for (name, model), j in self.runs.items():
            for p in j.get("gdp_path") or []:
                rows.append(
                    {
                        "scenario": name,
                        "model": model,
                        "run": _run_label(name, model),
                        "quarter": int(p["quarter"]),
                        "period": p["period"],
                        "gdp_deviation_pct": _num(p["deviation_pct"]),
                    }
                )
        df = pd.DataFrame(rows, columns=["scenario", "model", "run", "quarter", "period", "gdp_deviation_pct"])
        df.attrs["units"] = "gdp_deviation_pct: real GDP level, deviation from baseline, percent"
        return df

    def figures(self) -> dict:
        """name -> (Figure, caption): the GDP paths and the dot-and-range chart."""

        return {
            "compare_gdp_paths": (
                compare_figures.compare_gdp_paths(self),
                "Quarterly real GDP level, deviation from baseline, of every scenario (central elasticity set).",
            ),
            "compare_headline": (
                compare_figures.compare_headline(self),
                "Headline measures by scenario: the dot is the central elasticity set, the line the range over "
                "the elasticity sets run.",
            ),
        }

    def write(self, out_dir: str | os.PathLike, **kw: Any) -> CompareRecord:
        """:func:`write_compare` of this comparison (no new runs)."""
        return write_compare(self, out_dir, **kw)


def _notes(runs: Mapping[tuple[str, str], Mapping]) -> str:
    countries = sorted({str(j.get("country")) for j in runs.values()})
    sets = sorted({str(j.get("central_set")) for j in runs.values()})
    borrowed = sorted(
        {
            f"{adapter(m).label} runs' from the {str(j['market_tariff_revenue_model']).upper()} model"
            for (_n, m), j in runs.items()
            if j.get("market_tariff_revenue_model") and j["market_tariff_revenue_model"] != m
        }
    )
    tables = sorted(
        {
            f"{adapter(m).label} on input-output table {(j.get('ge') or {}).get('io_table')}"
            for (_n, m), j in runs.items()
            if (j.get("ge") or {}).get("multi_sector")
        }
    )
    return (
        f"Reported economy {', '.join(countries)}; central elasticity set ({', '.join(sets)}); exports at exporter "
        "prices; GDP: real GDP level, deviation from baseline (first-year average over the first four quarters, "
        "after four quarters, and long-run real GDP: capital deepening at the GE solution's prices); real income "
        "(not GDP) of the GE solution"
        + (f" ({'; '.join(tables)})" if tables else "")
        + "; recession: change in the probability of two consecutive negative quarters within four quarters "
        "against the no-tariff baseline, with its Monte Carlo standard error; tariff revenue of the market: change, "
        "USD bn a year, and import prices"
        + (f" ({'; '.join(borrowed)}, at long-run elasticities on the dataset's trade)" if borrowed else "")
        + ". Every value is the run's `tariffsim run --json` value (runs/*.json)."
    )


def check_models(models: Sequence[str] | str | None) -> list[str] | None:
    """``models`` as a list of model names ('pe', 'ge', 'ge-io'; a comma list is accepted), or
    None (each scenario's own); an unknown name is a :class:`~tariffsim.errors.ScenarioError`."""

    if models is None:
        return None
    items = models.split(",") if isinstance(models, str) else list(models)
    out = [str(m).strip() for m in items if str(m).strip()]
    for m in out:
        if m not in MODELS:
            raise ScenarioError(f"models are {', '.join(map(repr, MODELS))}, got {shown(m)}", field="models")
    return out or None


def check_runs(scenarios: object, models: Sequence[str] | None) -> int:
    """The number of runs of a comparison (scenarios x models), at most
    :data:`tariffsim.limits.MAX_COMPARE_RUNS` (else :class:`~tariffsim.errors.LimitError`), before
    any run. ``scenarios``: one scenario (a name, a path, a dict, a Scenario) or a sized collection."""
    if isinstance(scenarios, str | os.PathLike | Mapping) or not hasattr(scenarios, "__len__"):
        n = 1
    else:
        n = len(cast("Sized", scenarios))
    return check_int(
        n * len(models or [None]), field="scenarios x models", high=MAX_COMPARE_RUNS, what="runs in one comparison"
    )


def _scenarios(items: _Scenarios) -> list[Scenario | Result]:
    """Scenarios as given, each loaded; a :class:`Result` is kept as it is (not run again)."""
    if isinstance(items, str | os.PathLike | Mapping | Result):
        items = [items]
    out: list[Scenario | Result] = [s if isinstance(s, Result) else load_scenario(s) for s in items]
    if not out:
        raise ScenarioError("compare needs at least one scenario", field="scenarios")
    return out


def compare(
    scenarios: _Scenarios,
    *,
    models: Sequence[str] | None = None,
    elasticities: Sequence[str] | None = None,
    data: TradeData | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    scheduler: Any = None,  # a dask.distributed.Client (optional dependency)
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Run scenarios side by side.

    Parameters
    ----------
    scenarios : built-in names, TOML paths, dicts, :class:`~tariffsim.inputs.scenario.Scenario` objects, or
        :class:`~tariffsim.engine.results.Result` objects (used as they are, not run again, unless
        ``models`` asks for other models: then their scenario is run in each).
    models : names of :data:`tariffsim.constants.MODELS`: every scenario in each model (default: each scenario's
        own); at most :data:`tariffsim.limits.MAX_COMPARE_RUNS` runs (scenarios x models).
    elasticities : elasticity sets of every run (default: each scenario's).
    data : a :class:`~tariffsim.inputs.datasets.TradeData` for every run (default: each scenario's dataset).
    draws, n_paths : Monte Carlo parameter draws and paths (default: each scenario's).
    scheduler : a ``dask.distributed.Client``: the runs are submitted to it (same numbers).
    progress : callable receiving ``"run NAME (MODEL)"`` for each run.

    Returns a :class:`Comparison`; ``.table`` is the tidy scenario x model x measure table built
    from each run's ``to_json()``.
    """

    models = check_models(models)
    items = _scenarios(scenarios)
    given: dict[tuple[str, str], Result] = {}
    scs: list[Scenario] = []
    for it in items:
        if isinstance(it, Result) and (not models or list(models) == [it.model]):
            key = (it.scenario.name, it.model)
            if key in given:
                raise ScenarioError(f"scenario {shown(it.scenario.name)} is listed twice", field="scenarios")
            given[key] = it
        else:
            scs.append(_scenario_of(it) if isinstance(it, Result) else it)
    check_runs(scs, models)
    keys: list[tuple[Scenario, tuple[str, str]]] = []
    for sc in scs:
        for m in models or [sc.model]:
            key = (sc.name, m)
            if key in given or any(key == k for _s, k in keys):
                raise ScenarioError(f"scenario {shown(sc.name)} is listed twice", field="scenarios")
            keys.append((sc, key))
    kw: dict[str, Any] = {
        "data": data,
        "elasticities": list(elasticities) if elasticities else None,
        "draws": draws,
        "n_paths": n_paths,
    }
    results: dict[tuple[str, str], Result] = dict(given)
    if scheduler is not None:
        futures = [scheduler.submit(simulate, sc, model=key[1], pure=False, **kw) for sc, key in keys]
        for (_sc, key), fut in zip(keys, futures, strict=True):
            if progress is not None:
                progress(f"run {_run_label(*key)}")
            results[key] = fut.result()
    else:
        for sc, key in keys:
            if progress is not None:
                progress(f"run {_run_label(*key)}")
            log.info("compare: running %s", _run_label(*key))
            results[key] = simulate(sc, model=key[1], **kw)
    runs = {k: r.to_json() for k, r in results.items()}
    return Comparison(results=results, runs=runs, table=tidy_from_json(runs))


# ============================================================================= the folder


@dataclass(frozen=True)
class CompareRecord:
    """What :func:`write_compare` wrote: ``out_dir``, ``files`` (relative, sorted), ``seconds``,
    ``scenarios`` (names) and ``runs`` ('NAME (MODEL)' labels)."""

    out_dir: Path
    files: tuple[str, ...]
    seconds: float
    scenarios: tuple[str, ...]
    runs: tuple[str, ...]

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f for f in self.files]


def write_compare(
    scenarios: Comparison | _Scenarios,
    out_dir: str | os.PathLike,
    *,
    models: Sequence[str] | None = None,
    elasticities: Sequence[str] | None = None,
    force: bool = False,
    formats: Sequence[str] = FIGURE_FORMATS,
    table_formats: Sequence[str] = ("csv", "md", "tex", "html"),
    data: TradeData | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    scheduler: Any = None,  # a dask.distributed.Client (optional dependency)
    progress: Callable[[str], None] | None = None,
    out_field: str = "out_dir",
) -> CompareRecord:
    """Compare scenarios (or write an existing :class:`Comparison`) into the folder ``out_dir``
    (see the module docstring). A non-empty ``out_dir`` raises
    :class:`~tariffsim.errors.OutputExistsError` unless ``force``; the folder is built beside it and
    moved into place only when complete. Steps: one ``"run NAME (MODEL)"`` per run, then
    :data:`COMPARE_STEPS`. Before any run or write: ``formats`` (png, svg, pdf) and
    ``table_formats`` (csv, md, tex, html) are checked (:class:`~tariffsim.errors.UsageError`),
    ``models`` (:func:`check_models`) and the number of runs (:func:`check_runs`,
    :class:`~tariffsim.errors.LimitError`). ``out_field``: how errors about ``out_dir`` name it
    (the CLI passes ``--out``)."""

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    fmts = check_formats(formats, FIGURE_FORMATS, field="formats", kind="figure")  # fail before any work
    tfmt = check_table_formats(table_formats)
    check_target_dir(out_dir, force, field=out_field)
    if isinstance(scenarios, Comparison):
        cmp = scenarios
    else:
        models = check_models(models)
        if not isinstance(scenarios, str | os.PathLike | Mapping | Result):
            scenarios = list(scenarios)
        check_runs([_scenario_of(s) if isinstance(s, Result) else s for s in _as_list(scenarios)], models)
        cmp = compare(
            scenarios,
            models=models,
            elasticities=elasticities,
            data=data,
            draws=draws,
            n_paths=n_paths,
            scheduler=scheduler,
            progress=progress,
        )

    def fill(root: Path) -> None:
        with FigureWriter(fmts) as writer:
            _fill(root, writer)

    def _fill(root: Path, writer: FigureWriter) -> None:
        say_step(progress, "figures")
        figs = cmp.figures()
        for name, (fig, _cap) in figs.items():
            writer.save(fig, root / "figures" / name)
        say_step(progress, "tables")
        wide = cmp.wide()
        write_table(wide, root / "tables" / "comparison", tfmt)
        (root / "data").mkdir()
        tidy = cmp.table
        paths = cmp.gdp_paths()
        write_csv(tidy, root / "data" / "comparison_tidy.csv")
        write_csv(paths, root / "data" / "gdp_paths.csv")
        (root / "runs").mkdir()
        (root / "scenarios").mkdir()
        for (name, model), j in cmp.runs.items():
            text = json.dumps(j, indent=2, allow_nan=False, default=json_default, ensure_ascii=False)
            (root / "runs" / f"{safe_filename(name)}.{model}.json").write_text(text + "\n", encoding="utf-8")
        written = set()
        for (name, _model), r in cmp.results.items():
            if name not in written:
                (root / "scenarios" / f"{safe_filename(name)}.toml").write_text(
                    _scenario_of(r).to_toml(), encoding="utf-8"
                )
                written.add(name)
        sources = _sources_rows(cmp)
        write_workbook(
            root / "compare.xlsx", {"comparison": wide, "comparison_tidy": tidy, "gdp_paths": paths}, sources
        )
        say_step(progress, "compare.html")
        page = compare_html(cmp, figs=figs, figure_formats=fmts, table=wide, table_formats=tfmt)
        (root / "compare.html").write_text(page, encoding="utf-8")
        base = {
            "tariffsim_version": __version__,
            "scenarios": {
                name: {"hash": _scenario_of(r).hash, "source": _scenario_of(r).source}
                for (name, _m), r in cmp.results.items()
            },
            "runs": {_run_label(*k): dict(r.provenance) for k, r in cmp.results.items()},
        }
        settings = {
            "models": list(models) if models else None,
            "elasticities": list(elasticities) if elasticities else None,
            "measures": [m.key for m in MEASURES],
            "figure_formats": list(fmts),
            "table_formats": list(tfmt),
        }
        writer.wait()  # the provenance hashes every file: the figures first
        write_provenance(root, base, {"compare": json_safe(settings)})
        say_step(progress, "finish")

    atomic_folder(out_dir, force, fill, field=out_field)
    rec = CompareRecord(
        out_dir=out_dir,
        files=tuple(list_files(out_dir)),
        seconds=time.perf_counter() - t0,
        scenarios=tuple(cmp.scenarios),
        runs=tuple(_run_label(*k) for k in cmp.results),
    )
    log.info("comparison written to %s (%d files, %.1f s)", out_dir, len(rec.files), rec.seconds)
    return rec


def _sources_rows(cmp: Comparison) -> list[tuple[str, str]]:

    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for k, r in cmp.results.items():
        rows.append((f"run {_run_label(*k)}", str(cmp.runs[k].get("description", ""))))
        for row in provenance_rows(r.provenance, r.sources_used()):
            if row not in seen:
                rows.append(row)
                seen.add(row)
    for m in MEASURES:
        rows.append((f"measure: {m.column}", f"to_json() key {m.key}" + (f" x {m.factor:g}" if m.factor != 1 else "")))
    return rows
