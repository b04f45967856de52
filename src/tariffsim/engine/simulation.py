"""One call does the work: ``simulate(scenario, data=None, elasticities=None) -> Result``.

``simulate`` is a short pipeline of public stages (docs/models/macro.md):

1. :func:`resolve` - scenario, data, tariffs, elasticity sets, macro assumptions, recession
   calibration, seeds: checked once, into a frozen :class:`Inputs`;
2. :func:`trade_stage` - for one elasticity set, the trade outcomes the macro layer needs: the
   PE model at the one-year elasticities (with the retaliation cost wedge when there is one), the
   PE model at the long-run elasticities (value added at risk) and a GE long run;
3. :func:`macro_stage` - :func:`tariffsim.engine.macro.gdp_outcome` on them, the one place GDP is made;
4. :func:`recession_stage` - the recession Monte Carlo with parameter draws;
5. :func:`assemble` - the frozen :class:`~tariffsim.engine.results.Result`.

Sweeps, grids and the tornado (:mod:`tariffsim.engine.uncertainty`) call the same stages.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import logging
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import numpy as np

from .. import limits
from .._lazy import pd
from .._version import __version__
from ..errors import NumericalError, ScenarioError
from ..inputs.calibrations import load_calibration
from ..inputs.elasticities import ElasticitySet, shipped_distributions
from ..inputs.scenario import DIST_PARAMS, Scenario, load_scenario
from ..inputs.schedule import first_year
from ..inputs.theta_draws import factors_of
from ..models.growth_uncertainty import (
    BaselineCheck,
    baseline_check,
    draw_growth_parameters,
    fixed_growth_parameters,
)
from ..models.recession import annual_to_quarterly, simulate_recession_risk
from . import result_cache
from .adapters import adapter, long_run_adapter, near_term_adapter
from .contract import OUTPUT_CHANGE
from .macro import MacroAssumptions, MacroOutcome, dated_outcome, gdp_outcome, resolve_assumptions
from .results import Result, SetOutcome
from .trade import TradeContext, TradeOutcome, retaliation_wedge, wedge_tariffs

if TYPE_CHECKING:
    from ..inputs.datasets import TradeData
    from ..models.ar1 import AR1Calibration
    from ..models.recession import RecessionRisk

    #: What :func:`simulate` and :func:`resolve` accept as a scenario.
    ScenarioLike: TypeAlias = Scenario | str | Path | Mapping[str, Any]
    #: What they accept as elasticity sets: a name, a set, or several.
    SetsLike: TypeAlias = str | ElasticitySet | Sequence[str | ElasticitySet]


class Scheduler(Protocol):
    """What ``scheduler=`` must offer: a ``dask.distributed.Client``'s ``map`` and ``gather``."""

    def map(self, func: Callable[..., Any], *iterables: Any, pure: bool = ...) -> Any: ...

    def gather(self, futures: Any) -> Any: ...


__all__ = [
    "simulate",
    "resolve",
    "trade_stage",
    "macro_stage",
    "recession_stage",
    "assemble",
    "run_case",
    "run_cases",
    "trade_stages",
    "dated_macro",
    "draw_parameters",
    "apply_draw",
    "Inputs",
    "TradeSet",
    "Scheduler",
    "DRAW_BLOCK",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Inputs:
    """Everything a run needs, resolved and checked once (see :func:`resolve`)."""

    scenario: Scenario
    data: TradeData
    model: str
    t0: np.ndarray
    t1: np.ndarray
    sets: tuple[ElasticitySet, ...]
    central: str
    assumptions: MacroAssumptions
    seed: int
    draws: int
    n_paths: int
    calibration: AR1Calibration | None
    method: str = "exact"
    notes: tuple[str, ...] = field(default=())
    t_path: np.ndarray | None = None

    @property
    def levels(self) -> list[tuple[int, np.ndarray]]:
        """The tariff levels of a dated run: (first quarter, 0-based; tariffs), one per change."""
        if self.t_path is None:
            return [(0, self.t1)]
        out = [(0, self.t_path[0])]
        for q in range(1, len(self.t_path)):
            if not np.array_equal(self.t_path[q], out[-1][1]):
                out.append((q, self.t_path[q]))
        return out

    @property
    def central_set(self) -> ElasticitySet:
        return next(es for es in self.sets if es.name == self.central)

    @property
    def context(self) -> TradeContext:
        """What every model adapter receives."""
        return TradeContext(self.scenario, self.data, self.t0, self.t1, self.assumptions.market, self.method)


@dataclass(frozen=True, eq=False)
class TradeSet:
    """The trade outcomes of one case: ``near`` (PE, one-year elasticities), ``near_wedge`` (the
    same with the retaliation cost wedge, or None), ``at_risk`` (PE, long-run elasticities),
    ``gdp_long_run`` (the GE outcome: long-run real GDP at its prices, its real income beside) and ``long_run``
    (the long-run outcome of the scenario's model: ``at_risk`` for PE, the GE one otherwise)."""

    near: TradeOutcome
    near_wedge: TradeOutcome | None
    at_risk: TradeOutcome
    gdp_long_run: TradeOutcome
    long_run: TradeOutcome
    wedge: float


def _resolve_sets(
    scenario: Scenario, elasticities: SetsLike | None, model: str
) -> tuple[list[ElasticitySet], str, list[str]]:
    """The sets to run: given, or the scenario's. A set the long-run model refuses is an error when it
    was asked for (here or in the scenario's file), and left out with a note when it is a default."""
    chosen = elasticities is not None or scenario.elasticity_sets_given
    long_run = long_run_adapter(model)
    if elasticities is None:
        wanted = (None if chosen else long_run.default_sets(scenario)) or scenario.elasticity_sets
        sets = [scenario.elasticity_set(n) for n in wanted]
    else:
        if isinstance(elasticities, str | ElasticitySet):
            elasticities = [elasticities]
        sets = [e if isinstance(e, ElasticitySet) else scenario.elasticity_set(str(e)) for e in elasticities]
    kept: list[ElasticitySet] = []
    skipped: list[str] = []
    for es in sets:
        why = long_run.refuse_set(es, scenario)
        if why is None:
            kept.append(es)
        elif chosen:
            raise ScenarioError(why, source=scenario.source, field="elasticities")
        else:
            skipped.append(es.name)
    if not kept:
        raise ScenarioError(
            f"none of the elasticity sets can run in the {long_run.description} model", source=scenario.source
        )
    sets = kept
    names = [e.name for e in sets]
    if len(set(names)) != len(names):
        raise ScenarioError(f"elasticity sets named twice: {names}", source=scenario.source, field="elasticities")
    out: list[ElasticitySet] = []
    notes: list[str] = []
    for es in sets:  # two sets that give the same model are one set
        twin = next((o for o in out if o.model_key() == es.model_key()), None)
        if twin is None:
            out.append(es)
        else:
            notes.append(f"elasticity set '{es.name}' gives the same model as '{twin.name}' and is not run twice")
    if skipped:
        notes.append(
            f"default elasticity sets without sector trade elasticities for the {long_run.description} model are "
            f"not run: {', '.join(skipped)}"
        )
    central = scenario.central_set if scenario.central_set in [e.name for e in out] else out[0].name
    return out, central, notes


def resolve(
    scenario: ScenarioLike,
    data: TradeData | None = None,
    elasticities: SetsLike | None = None,
    *,
    model: str | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    seed: int | None = None,
    method: str = "exact",
    recession: bool = True,
    io_table: str | None = None,
) -> Inputs:
    """Stage 1: the scenario (name, path, dict or Scenario), its data and everything derived, each
    built once: the tariffs on the data, the elasticity sets, the macro assumptions and (with
    ``recession``) the recession calibration of the reported country (the scenario's own
    ``[recession]`` table, else the shipped one; a clear error when there is neither)."""
    sc = load_scenario(scenario)
    limits.check_monte_carlo(  # tariffsim.limits: refuse before anything is allocated
        sc.n_paths if n_paths is None else n_paths, sc.draws if draws is None else draws, sc.horizon, seed=seed
    )
    model = adapter(model or sc.model, source=sc.source).name
    if model != sc.model:
        sc = sc.derive(model=model)
    if io_table is not None and io_table != sc.io_table:
        sc = sc.derive(io_table=io_table)
    data = sc.load_data() if data is None else data
    sc.validate_against(data)
    check = adapter(model).check_scenario
    if check is not None:  # the model's own tables: their regions and sectors
        check(sc)
    t0, path = sc.tariff_path(data)
    t1 = first_year(path)
    t_path = None
    notes: list[str] = []
    if sc.dated:
        t_path = path
        path.setflags(write=False)
        notes.append(
            "dated tariffs: the GDP path follows the tariffs quarter by quarter (each change adjusts along the "
            "same path); the trade figures are at the first-year mean tariffs"
        )
    sets, central, set_notes = _resolve_sets(sc, elasticities, model)
    notes = set_notes + notes
    a = resolve_assumptions(sc, data, growth=recession)
    if a.form == "simple" and a.market and abs(a.export_dependence - a.export_dependence_data) > 1e-9:
        notes.append(
            f"simple macro form: exports to {a.market} taken as {a.export_dependence:.2f} of total exports "
            f"(the data give {a.export_dependence_data:.3f})"
        )
    return Inputs(
        scenario=sc,
        data=data,
        model=model,
        t0=t0,
        t1=t1,
        sets=tuple(sets),
        central=central,
        assumptions=a,
        seed=sc.seed if seed is None else int(seed),
        draws=sc.draws if draws is None else int(draws),
        n_paths=sc.n_paths if n_paths is None else int(n_paths),
        calibration=(sc.recession or load_calibration(sc.country, source=sc.source)) if recession else None,
        method=method,
        notes=tuple(notes),
        t_path=t_path,
    )


def trade_stage(inp: Inputs, es: ElasticitySet, a: MacroAssumptions | None = None) -> TradeSet:
    """Stage 2: the trade outcomes of one elasticity set (``a``: assumptions of a draw): the
    near-term model at one year (with the retaliation cost wedge when there is one) and at the long
    run (value added at risk), and the long-run model of the run (:mod:`tariffsim.engine.adapters`)."""
    return trade_stages(inp, [(es, inp.assumptions if a is None else a)])[0]


def trade_stages(inp: Inputs, cases: Sequence[tuple[ElasticitySet, MacroAssumptions]]) -> list[TradeSet]:
    """:func:`trade_stage` for many cases (parameter draws, elasticity sets), each model's solves of
    all cases batched (:meth:`tariffsim.engine.adapters.Adapter.run_many`): the same outcomes as one
    :func:`trade_stage` per case."""
    d, ctx = inp.data, inp.context
    near_model, long_model = near_term_adapter(), long_run_adapter(inp.model)
    near = near_model.run_many([(ctx, es) for es, _ in cases], "one-year")
    at_risk = near_model.run_many([(ctx, es) for es, _ in cases], "long-run")
    wedges = []
    for _, a in cases:
        c = d.index(a.country)
        m = d.index(a.market) if a.market in d.countries else None
        w = retaliation_wedge(
            d.values,
            inp.t0,
            inp.t1,
            c,
            m,
            input_share=a.input_share_of_imports,
            passthrough=a.input_cost_passthrough,
            exports_usd=a.exports_usd,
        )
        wedges.append((w, c))
    hit = [k for k, (w, _) in enumerate(wedges) if w > 0]
    with_wedge = near_model.run_many(
        [(dataclasses.replace(ctx, t1=wedge_tariffs(inp.t1, wedges[k][1], wedges[k][0])), cases[k][0]) for k in hit],
        "one-year",
    )
    near_wedge: list[TradeOutcome | None] = [None] * len(cases)
    for k, o in zip(hit, with_wedge, strict=True):
        near_wedge[k] = o
    gdp_lr = long_model.run_many([(ctx, es) for es, _ in cases], "long-run")
    own = adapter(inp.model)
    return [
        TradeSet(near[k], near_wedge[k], at_risk[k], gdp_lr[k], gdp_lr[k] if own.general_equilibrium else at_risk[k], w)
        for k, (w, _) in enumerate(wedges)
    ]


def macro_stage(inp: Inputs, ts: TradeSet, a: MacroAssumptions | None = None) -> MacroOutcome:
    """Stage 3: the GDP path of one case."""
    return gdp_outcome(
        near=ts.near,
        near_wedge=ts.near_wedge,
        long_run=ts.gdp_long_run,
        at_risk=ts.at_risk,
        t0=inp.t0,
        t1=inp.t1,
        a=inp.assumptions if a is None else a,
        wedge=ts.wedge,
    )


def dated_macro(
    inp: Inputs, es: ElasticitySet, static: MacroOutcome, a: MacroAssumptions | None = None
) -> MacroOutcome:
    """The GDP path of a dated run: each tariff level's path (stages 2 and 3 at that level), superposed
    from the quarter it starts (:func:`tariffsim.engine.macro.dated_outcome`)."""
    return _dated_macros(inp, [(es, inp.assumptions if a is None else a)], [static])[0]


def _dated_macros(
    inp: Inputs, cases: Sequence[tuple[ElasticitySet, MacroAssumptions]], statics: Sequence[MacroOutcome]
) -> list[MacroOutcome]:
    """:func:`dated_macro` for many cases: each level's trade stage batched over the cases."""
    per_level: list[list[MacroOutcome] | None] = []
    starts: list[int] = []
    for q, t in inp.levels:
        starts.append(q)
        if np.array_equal(t, inp.t0):
            per_level.append(None)
            continue
        at = dataclasses.replace(inp, t1=t, t_path=None)
        per_level.append([macro_stage(at, ts, a) for ts, (_, a) in zip(trade_stages(at, cases), cases, strict=True)])
    return [
        dated_outcome(static, [None if lv is None else lv[k] for lv in per_level], starts)
        for k, static in enumerate(statics)
    ]


def run_case(inp: Inputs, es: ElasticitySet, a: MacroAssumptions | None = None) -> SetOutcome:
    """Stages 2 and 3 for one elasticity set: a :class:`SetOutcome` without recession risk (a dated
    run: the trade at the first-year mean tariffs, the GDP path quarter by quarter)."""
    return run_cases(inp, [(es, inp.assumptions if a is None else a)])[0]


def run_cases(inp: Inputs, cases: Sequence[tuple[ElasticitySet, MacroAssumptions]]) -> list[SetOutcome]:
    """:func:`run_case` for many cases (elasticity sets, parameter draws), the trade models' solves
    batched over the cases (:func:`trade_stages`); the same outcomes as one call per case."""
    tss = trade_stages(inp, cases)
    macs = [macro_stage(inp, ts, a) for ts, (_, a) in zip(tss, cases, strict=True)]
    if inp.t_path is not None:
        macs = _dated_macros(inp, cases, macs)
    return [
        SetOutcome(
            name=es.name,
            elasticities=es,
            near_term=ts.near,
            long_run=ts.long_run,
            gdp_long_run=ts.gdp_long_run,
            macro=mac,
            at_risk=ts.at_risk,
            near_term_with_input_costs=ts.near_wedge,
        )
        for (es, _), ts, mac in zip(cases, tss, macs, strict=True)
    ]


def draw_parameters(scenario: Scenario, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Monte Carlo parameter draws (one row per draw): the table of :func:`draw_columns`."""
    return pd.DataFrame(draw_columns(scenario, n, rng))


def draw_columns(scenario: Scenario, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Monte Carlo parameter draws, a column (n,) per parameter.

    Elasticities: ``sigma_factor`` = a draw of the scenario's (else the shipped) distribution of
    the one-year σ divided by its central value; it scales every σ and η of the central set (both
    horizons), and the GE trade elasticity follows as the scaled long-run σ − 1. Macro
    assumptions: a declared distribution, else triangular(low, central, high) when the scenario's
    range is not a single number, else fixed.
    """
    cols: dict[str, np.ndarray] = {}
    dist = scenario.distributions.get("sigma") or shipped_distributions().get("sigma")
    if dist is not None:
        centre = scenario.elasticity_set(scenario.central_set).sigma_one_year
        centre = float(np.median(list(centre.values()))) if isinstance(centre, Mapping) else float(centre)
        if "sigma" not in scenario.distributions:  # the shipped one is about the central set's own value
            centre = dist.params.get("mode") or dist.params.get("median") or centre
        cols["sigma_factor"] = dist.sample(rng, n) / centre
    for p in DIST_PARAMS:
        if p in ("sigma", "eta", "eps_x"):
            continue
        if p in scenario.distributions:
            cols[p] = scenario.distributions[p].sample(rng, n)
            continue
        v = scenario.assumptions.ranged(p)
        if p == "uncertainty_drag_pct" and v is None and scenario.assumptions.uncertainty_drag_pct == "data":
            v = scenario.assumptions.ranged("investment_drop_pct")
            p = "investment_drop_pct"
        if v is not None:
            cols[p] = centred_draws(rng, v.low, v.central, v.high, n)
    return cols


def centred_draws(rng: np.random.Generator, low: float, central: float, high: float, n: int) -> np.ndarray:
    """Draws whose median is the central value: half uniform on [low, central], half on [central,
    high] (a two-piece uniform; a triangular with an off-centre mode puts the central case in a
    tail). ``low`` may exceed ``high`` (a cost parameter's low case)."""
    lo, hi = min(low, high), max(low, high)
    u = rng.random(n)
    below = u < 0.5
    return np.where(below, lo + (central - lo) * (2.0 * u), central + (hi - central) * (2.0 * u - 1.0))


def apply_draw(
    central: ElasticitySet, a: MacroAssumptions, row: Mapping[str, Any] | pd.Series
) -> tuple[ElasticitySet, MacroAssumptions]:
    """The elasticity set and assumptions of one draw (a row of :func:`draw_parameters`, as a table
    row or a mapping, with the long-run model's own draws: factors on the sector trade elasticities,
    :func:`factors_of`)."""
    es = central.scaled(float(row["sigma_factor"]), name=f"{central.name} (draw)") if "sigma_factor" in row else central
    theta = factors_of(row)
    if theta is not None:
        es = es.with_io_theta_factors(theta, name=f"{central.name} (draw)")
    akw: dict[str, Any] = {
        p: float(row[p]) for p in ("multiplier", "uncertainty_drag_pct", "exchange_rate_offset") if p in row
    }
    if "investment_drop_pct" in row:
        akw["uncertainty_drag_pct"] = float(row["investment_drop_pct"]) * a.investment_share_gdp
    out = a.replace(**akw)
    if "value_added_share" in row:
        out = out.with_value_added_share(float(row["value_added_share"]))
    return es, out


#: Parameter draws solved together (a block is also one task when the draws are sent to a Dask
#: scheduler): every split of the draws gives the same numbers.
DRAW_BLOCK = 50


def _draw_paths(
    inp: Inputs, say: Callable[[str], None], scheduler: Scheduler | None = None
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The GDP path of every parameter draw, and the draws' columns: the parameters (with the
    long-run model's own draws, e.g. the multi-sector model's sector trade elasticities), the GDP
    impacts, the long-run real income and, for a long run with sectors, the reported country's output
    by sector (``Result.draws`` is their table). Blocks of :data:`DRAW_BLOCK` draws are solved in this
    process or on ``scheduler``."""
    say(f"parameter draws ({inp.draws})")
    rng = np.random.default_rng(np.random.SeedSequence(inp.seed).spawn(2)[0])
    cols = draw_columns(inp.scenario, inp.draws, rng)
    own = long_run_adapter(inp.model)
    if own.model_draws is not None:
        model_rng = np.random.default_rng(np.random.SeedSequence(inp.seed).spawn(4)[3])
        own_draws = own.model_draws(inp.scenario, inp.central_set, inp.draws, model_rng)
        cols.update({str(c): own_draws[c].to_numpy(dtype=float) for c in own_draws.columns})
    cases = [_drawn(inp, {k: v[i] for k, v in cols.items()}) for i in range(inp.draws)]
    blocks = [(inp, cases[lo : lo + DRAW_BLOCK]) for lo in range(0, len(cases), DRAW_BLOCK)]
    if scheduler is not None:
        parts = scheduler.gather(scheduler.map(_draw_block, blocks, pure=False))
    else:
        parts = [_draw_block(b) for b in blocks]
    paths = np.vstack([p[0] for p in parts])
    extra: dict[str, np.ndarray] = {"real_income_pct_long_run": np.concatenate([p[1] for p in parts])}
    if parts and parts[0][2] is not None:
        sectors, outputs = parts[0][2][0], np.vstack([p[2][1] for p in parts if p[2] is not None])
        extra.update({f"{OUTPUT_CHANGE}{s}": outputs[:, j] for j, s in enumerate(sectors)})
    return paths, {
        **cols,
        "gdp_impact_pct": paths[:, min(3, paths.shape[1] - 1)],
        "gdp_impact_pct_first_year_avg": paths[:, :4].mean(axis=1),
        "gdp_impact_pct_end_of_horizon": paths[:, -1],
        **extra,
    }


def _draw_block(
    args: tuple[Inputs, list[tuple[ElasticitySet, MacroAssumptions]]],
) -> tuple[np.ndarray, np.ndarray, tuple[tuple[str, ...], np.ndarray] | None]:
    """One block of draws (a top-level function: a Dask task): the GDP paths (B, H), the reported
    country's long-run real income (B,) and, when the long run has sectors of its own, (sectors,
    the country's output change by sector (B, J))."""
    inp, cases = args
    outs = run_cases(inp, cases)
    country = inp.assumptions.country
    lr = [so.gdp_long_run for so in outs]
    income = np.array([float(np.asarray(o.real_income_pct)[o.countries.index(country)]) for o in lr])
    by_sector = None
    if lr and not lr[0].on_dataset and hasattr(lr[0].detail, "real_output_pct"):
        k = lr[0].countries.index(country)
        by_sector = (tuple(lr[0].sectors), np.vstack([np.asarray(o.detail.real_output_pct)[k] for o in lr]))
    return np.vstack([so.macro.path for so in outs]), income, by_sector


def _drawn(inp: Inputs, row: Mapping[str, Any]) -> tuple[ElasticitySet, MacroAssumptions]:
    """:func:`apply_draw`, a draw the models cannot take named by the distribution that gave it."""
    try:
        return apply_draw(inp.central_set, inp.assumptions, row)
    except ScenarioError as exc:
        sc = inp.scenario
        given = [p for p in row.keys() if (p if p != "sigma_factor" else "sigma") in sc.distributions]
        if not given:
            raise
        fields = ", ".join(f"uncertainty.distributions.{'sigma' if p == 'sigma_factor' else p}" for p in given)
        raise ScenarioError(
            f"a draw of {fields} ({', '.join(f'{p} {float(row[p]):.4g}' for p in given)}) is outside what the model "
            f"takes: {exc}; narrow the distribution",
            source=sc.source,
            field=fields.split(", ")[0],
        ) from None


def recession_stage(
    inp: Inputs,
    outcomes: dict[str, SetOutcome],
    say: Callable[[str], None] = lambda s: None,
    scheduler: Scheduler | None = None,
) -> tuple[RecessionRisk | None, dict[str, SetOutcome], dict[str, np.ndarray] | None]:
    """Stage 4: recession risk of each set's own path and, with ``inp.draws`` > 0, of the central
    case with parameter draws, all on the same common random numbers. Returns (risk with draws or
    None, outcomes with their risk, the draws or None)."""

    cal = inp.calibration
    if cal is None:
        raise ScenarioError("the run was resolved without a recession calibration (recession=False)")
    mu = annual_to_quarterly(inp.assumptions.baseline_growth_annual_pct)
    mc_seed = int(np.random.SeedSequence(inp.seed).spawn(2)[1].generate_state(1)[0])

    def risk(shock: np.ndarray) -> RecessionRisk:
        try:
            return simulate_recession_risk(
                mu=mu, calibration=cal, shock=shock, n_paths=inp.n_paths, seed=mc_seed, start=inp.scenario.phase_in
            )
        except (NumericalError, FloatingPointError, RuntimeWarning) as exc:  # RuntimeWarning: the CLI's numpy errors
            sc = inp.scenario
            where = f"{sc.source}: recession" if sc.recession_spec else f"the calibration {cal.source}"
            shape = f", scale {cal.scale:.4g}, df {cal.df:.4g}" if cal.innovations == "student_t" else ""
            raise NumericalError(
                f"the recession Monte Carlo could not be computed ({exc}) with the AR(1) of {where}: rho {cal.rho:.6g}, "
                f"sigma {cal.sigma:.4g}{shape} (percent per quarter), and a tariff effect on GDP of at most "
                f"{float(np.max(np.abs(shock))):.4g} %"
            ) from None

    per_set = {}
    for name, so in outcomes.items():
        say(f"recession Monte Carlo, set '{name}' ({inp.n_paths:,} paths)")
        per_set[name] = so.with_recession(risk(np.asarray(so.macro.path)))
    if inp.draws > 0:
        paths, draw_cols = _draw_paths(inp, say, scheduler)
        if cal.cov is not None:  # a calibration fitted on data: its parameters and shock shape are drawn too
            g_rng = np.random.default_rng(np.random.SeedSequence(inp.seed).spawn(3)[2])
            growth = draw_growth_parameters(cal, inp.draws, g_rng)
        else:  # parameters given by the scenario: blocks of the other draws only
            growth = fixed_growth_parameters(cal, inp.draws)
        say(f"recession Monte Carlo with {inp.draws} parameter draw{'s' if inp.draws != 1 else ''}")
        with_draws = simulate_recession_risk(
            mu=mu,
            calibration=cal,
            shock=paths,
            n_paths=inp.n_paths,
            seed=mc_seed,
            start=inp.scenario.phase_in,
            growth_draws=growth,
        )
        return with_draws, per_set, draw_cols
    return None, per_set, None


def gaussian_sensitivity(inp: Inputs, path: np.ndarray) -> RecessionRisk | None:
    """The central path's recession risk with the Gaussian AR(1) fitted to the same sample (the
    shock-shape sensitivity; None for a calibration without a Gaussian fit)."""
    cal = inp.calibration
    if cal is None or cal.gaussian_rho is None or cal.gaussian_sigma is None or cal.innovations == "gaussian":
        return None
    mc_seed = int(np.random.SeedSequence(inp.seed).spawn(2)[1].generate_state(1)[0])
    mu = annual_to_quarterly(inp.assumptions.baseline_growth_annual_pct)
    if cal.gaussian_mu is not None:
        mu += cal.gaussian_mu - cal.mu  # the Gaussian fit's own mean, relative to the baseline forecast
    return simulate_recession_risk(
        mu=mu,
        rho=cal.gaussian_rho,
        sigma=cal.gaussian_sigma,
        shock=path,
        n_paths=inp.n_paths,
        seed=mc_seed,
        start=inp.scenario.phase_in,
    )


def _provenance(inp: Inputs, recession: bool) -> dict[str, Any]:
    d = inp.data
    return {
        "tariffsim_version": __version__,
        "scenario": inp.scenario.name,
        "scenario_hash": inp.scenario.hash,
        "scenario_source": inp.scenario.source,
        "scenario_base_hash": inp.scenario.base_hash,
        "scenario_patch": dict(inp.scenario.patch),
        "dataset": d.name,
        "dataset_year": d.year,
        "dataset_source": d.source,
        "dataset_sources": [dict(s) for s in d.sources],
        "elasticity_sets": {es.name: es.to_dict() for es in inp.sets},
        "model": inp.model,
        "method": inp.method,
        "seed": inp.seed,
        "draws": inp.draws if recession else 0,
        "n_paths": inp.n_paths if recession else 0,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": _pandas_version(),
    }


def _pandas_version() -> str:
    """The installed pandas's version, from its distribution's METADATA beside the package (a run
    needs no pandas; importing it or importlib.metadata to read one line costs 25-200 ms); pandas's
    own ``__version__`` when there is no such file (tested equal)."""
    spec = importlib.util.find_spec("pandas")
    infos = list(Path(spec.origin).parents[1].glob("pandas-*.dist-info")) if spec and spec.origin else []
    if len(infos) == 1:  # one installed distribution beside the package: its version
        try:
            for line in infos[0].joinpath("METADATA").read_text(encoding="utf-8").splitlines():
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
                if not line:  # the end of the headers
                    break
        except OSError:
            pass
    return str(pd.__version__)


def assemble(
    inp: Inputs,
    outcomes: dict[str, SetOutcome],
    risk_draws: RecessionRisk | None = None,
    draw_cols: Mapping[str, np.ndarray] | None = None,
    *,
    calibration: AR1Calibration | None = None,
) -> Result:
    """Stage 5: the frozen result (headline recession risk = the central set's own path; with a
    calibration, also the Gaussian-shock sensitivity and the baseline check of the growth model)."""
    prov = _provenance(inp, calibration is not None)
    gauss = check = None
    if calibration is not None:
        prov["recession_calibration"] = calibration.to_dict()
        gauss = gaussian_sensitivity(inp, np.asarray(outcomes[inp.central].macro.path))
        if calibration.share_technical_4q is not None and calibration.start:
            check = _baseline_check(calibration)
    return Result(
        scenario=inp.scenario,
        data=inp.data,
        model=inp.model,
        t0=inp.t0,
        t1=inp.t1,
        sets=outcomes,
        central=inp.central,
        recession=outcomes[inp.central].recession,
        recession_with_draws=risk_draws,
        draw_columns=draw_cols,
        provenance=prov,
        notes=inp.notes,
        assumptions=inp.assumptions,
        t_path=inp.t_path,
        recession_gaussian=gauss,
        baseline_check=check,
    )


@functools.lru_cache(maxsize=16)
def _baseline_check(calibration: AR1Calibration) -> BaselineCheck:
    """The growth model's baseline check, once per calibration (it depends on nothing else)."""
    return baseline_check(calibration, n_quarters=200_000, n_samples=2_000)


def simulate(
    scenario: ScenarioLike,
    data: TradeData | None = None,
    elasticities: SetsLike | None = None,
    *,
    model: str | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    seed: int | None = None,
    recession: bool = True,
    method: str = "exact",
    progress: Callable[[str], None] | None = None,
    io_table: str | None = None,
    scheduler: Scheduler | None = None,
) -> Result:
    """Run a scenario: resolve → trade → macro → recession → result.

    scenario : a built-in name ('mex25'), a path to a TOML file, a dict or a :class:`Scenario`.
    data : a :class:`TradeData` (default: the scenario's dataset).
    elasticities : set name(s) or :class:`ElasticitySet` objects (default: the scenario's sets).
    model : 'pe', 'ge' or 'ge-io' (default: the scenario's); the result's scenario records it.
    draws, n_paths, seed : Monte Carlo parameter draws, simulated paths and seed (default: the
        scenario's). ``draws=0`` runs the recession Monte Carlo on the central path only.
    recession : run the recession-risk Monte Carlo (False for fast sweeps).
    method : 'exact' or 'smart-linear' (the PE model).
    progress : optional callback receiving a short description of each step.
    io_table : the multi-sector model's input-output table, 'icio2022', 'wiod2011' or 'cp1993'
        (default: the scenario's, else icio2022); the result's scenario records it.
    scheduler : a ``dask.distributed.Client``: the parameter draws are solved on its workers in
        blocks (the numbers are those of the run in this process).

    With the environment variable ``TARIFFSIM_RESULT_CACHE`` naming a folder, runs are kept there and
    a run with the same inputs is read back (:mod:`tariffsim.engine.result_cache`).
    """
    say = progress or (lambda s: None)
    inp = resolve(
        scenario,
        data,
        elasticities,
        model=model,
        draws=draws,
        n_paths=n_paths,
        seed=seed,
        method=method,
        recession=recession,
        io_table=io_table,
    )
    key = None if result_cache.cache_dir() is None else result_cache.run_key(inp, recession)
    cached = None if key is None else result_cache.load(key)
    if cached is not None:
        say("the run, from the folder of computed runs")
        return cached
    say(
        f"trade and macro, elasticity set{'s' if len(inp.sets) > 1 else ''} {', '.join(repr(e.name) for e in inp.sets)}"
    )
    outcomes = {so.name: so for so in run_cases(inp, [(es, inp.assumptions) for es in inp.sets])}
    if not recession:
        result = assemble(inp, outcomes)
    else:
        risk_draws, outcomes, draw_cols = recession_stage(inp, outcomes, say, scheduler)
        result = assemble(inp, outcomes, risk_draws, draw_cols, calibration=inp.calibration)
    if key is not None:
        result_cache.store(key, result)
    return result
