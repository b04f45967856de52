"""One adapter per trade model, and the registry: the only place a model's name is compared.

Every model is run through the same signature, ``solve(ctx, es, horizon) -> TradeOutcome``
(:class:`~tariffsim.engine.trade.TradeContext`, an elasticity set, 'one-year' or 'long-run'), and
registered once with what the rest of the package needs to know about it:

* ``label`` and ``description``: how tables, figures and captions name it;
* ``horizons``: the horizons it solves (the GE models are static long-run models);
* ``general_equilibrium``: it has real income (a GE solution), so its long run is the long-run
  real income of the macro layer; a model without it (PE) borrows the default GE model's;
* ``refuse_set``: the reason an elasticity set cannot run in this model for a scenario (None when
  it can): every model honours the set it is given or refuses it with this reason;
* ``default_sets``: the elasticity sets a scenario that names none runs in this model (None: the
  scenario's own defaults);
* ``solve_many``: many cases (parameter draws, sets, rates) at once, the same outcomes as ``solve``
  case by case (None: one at a time); ``model_draws``: the model's own parameter draws around a set
  (the multi-sector model's sector trade elasticities), columns that :func:`tariffsim.engine.simulation.apply_draw`
  applies (None: the model has none beyond the elasticity set's).

The partial-equilibrium model is the near-term model of every run (its one-year elasticities give
the first year, whatever the long-run model): :func:`near_term_adapter`. Adding a model is one
adapter and one line in :data:`ADAPTERS` (and its name in :data:`tariffsim.constants.MODELS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .._lazy import pd
from ..constants import GE_IO_MODEL, GE_MODEL, MODEL_LABELS, PE_MODEL
from ..errors import ConvergenceError, DataError, NumericalError, ScenarioError
from ..inputs.elasticities import ElasticitySet
from ..inputs.io_shipped import io_table_label
from ..inputs.scenario import Scenario
from ..models.ge import GEBaseline, GESolution, build_baseline, calibrate_nu_two_region, solve_ge, solve_ge_batch
from ..models.pe import PEOutcome, solve_pe, solve_pe_batch
from .diagnostics import suspects
from .ge_io_bridge import (
    ge_io_check_scenario,
    ge_io_default_sets,
    ge_io_model_draws,
    ge_io_refuses,
    ge_io_trade,
    ge_io_trade_many,
)
from .trade import Horizon, TradeContext, TradeOutcome, aggregate_tariffs, ge_long_run_params

__all__ = [
    "Adapter",
    "ADAPTERS",
    "adapter",
    "near_term_adapter",
    "long_run_adapter",
    "long_run_text",
    "real_income_text",
    "pe_trade",
    "ge_trade",
    "pe_trade_many",
    "ge_trade_many",
]

#: How the multi-sector adapter's text names the table it runs on (:func:`long_run_text` names it).
SCENARIO_TABLE = "the scenario's input-output table"

#: The signature every model is run through.
Solve = Callable[[TradeContext, ElasticitySet, Horizon], TradeOutcome]
#: Many cases (a context and a set each) at one horizon in one batched solve; every case's outcome
#: equals ``solve``'s for it.
SolveMany = Callable[[Sequence[tuple[TradeContext, ElasticitySet]], Horizon], list[TradeOutcome]]


@dataclass(frozen=True)
class Adapter:
    """A trade model as the engine sees it (see the module docstring)."""

    name: str
    label: str
    description: str
    long_run_text: str
    solve: Solve
    horizons: tuple[Horizon, ...]
    general_equilibrium: bool
    own_tables: bool
    refuse_set: Callable[[ElasticitySet, Scenario], str | None]
    default_sets: Callable[[Scenario], tuple[str, ...] | None]
    solve_many: SolveMany | None = None
    model_draws: Callable[[Scenario, ElasticitySet, int, np.random.Generator], pd.DataFrame] | None = None
    #: the scenario's checks against the model's own tables (its regions, its measures), made by ``resolve``
    #: before anything is computed, so that ``validate`` finds what ``run`` would refuse
    check_scenario: Callable[[Scenario], None] | None = None

    def _check(self, ctx: TradeContext, es: ElasticitySet, horizon: Horizon) -> None:
        if horizon not in self.horizons:
            raise ScenarioError(
                f"the {self.description} model solves the {' and '.join(self.horizons)} only, not {horizon!r}",
                source=ctx.scenario.source,
                field="model",
            )
        why = self.refuse_set(es, ctx.scenario)
        if why:
            raise ScenarioError(why, source=ctx.scenario.source, field="elasticities")

    def run(self, ctx: TradeContext, es: ElasticitySet, horizon: Horizon) -> TradeOutcome:
        """``solve`` after checking the horizon and the elasticity set."""
        self._check(ctx, es, horizon)
        try:
            return self.solve(ctx, es, horizon)
        except ConvergenceError as exc:  # the same error, saying which inputs the user wrote caused it
            raise ConvergenceError(
                f"the {self.description} model did not converge ({str(exc).rpartition(' (method=')[0] or exc}); "
                f"{suspects(ctx, es, horizon)}",
                iterations=exc.iterations,
                residual=exc.residual,
                seconds=exc.seconds,
                method=exc.method,
            ) from None
        except (NumericalError, FloatingPointError, RuntimeWarning) as exc:  # RuntimeWarning: the CLI's numpy errors
            raise NumericalError(
                f"the {self.description} model could not be computed ({exc}); {suspects(ctx, es, horizon)}"
            ) from None

    def run_many(self, cases: Sequence[tuple[TradeContext, ElasticitySet]], horizon: Horizon) -> list[TradeOutcome]:
        """:meth:`run` for many cases (parameter draws, sets, rates): one batched solve when the model
        has one and the cases share a dataset, its baseline tariffs, the market and the method (else
        one solve per case); the same outcomes either way."""
        for ctx, es in cases:
            self._check(ctx, es, horizon)
        if self.solve_many is None or len(cases) < 2 or not _one_baseline([c for c, _ in cases]):
            return [self.run(ctx, es, horizon) for ctx, es in cases]
        try:
            return self.solve_many(cases, horizon)
        except (ConvergenceError, NumericalError, FloatingPointError, RuntimeWarning):
            # some case cannot be solved: one at a time, so that the error names that case's inputs
            return [self.run(ctx, es, horizon) for ctx, es in cases]


def _one_baseline(contexts: Sequence[TradeContext]) -> bool:
    """The contexts share the dataset, the baseline tariffs, the market and the PE method."""
    c0 = contexts[0]
    return all(
        c.data is c0.data
        and c.market == c0.market
        and c.method == c0.method
        and (c.t0 is c0.t0 or np.array_equal(c.t0, c0.t0))
        for c in contexts[1:]
    )


def _stacked_tariffs(contexts: Sequence[TradeContext]) -> np.ndarray:
    """The cases' scenario tariffs: one array when every case has the same, else one per case."""
    t1 = contexts[0].t1
    if all(c.t1 is t1 or np.array_equal(c.t1, t1) for c in contexts[1:]):
        return np.asarray(t1)
    return np.stack([np.asarray(c.t1) for c in contexts])


def pe_trade(ctx: TradeContext, es: ElasticitySet, horizon: Horizon) -> TradeOutcome[PEOutcome]:
    """The PE model on the context's dataset with the set's elasticities at ``horizon``."""
    data = ctx.data
    el = es.arrays(data.sectors, horizon)
    o = solve_pe(data.values, ctx.t0, ctx.t1, method=ctx.method, eta=el["eta"], sigma=el["sigma"], eps_x=el["eps_x"])
    return _pe_outcome(ctx, o, horizon)


def pe_trade_many(cases: Sequence[tuple[TradeContext, ElasticitySet]], horizon: Horizon) -> list[TradeOutcome]:
    """:func:`pe_trade` for many cases on one dataset and baseline, in one batched solve
    (:func:`tariffsim.models.pe.solve_pe_batch`)."""
    ctx0 = cases[0][0]
    data = ctx0.data
    els = [es.arrays(data.sectors, horizon) for _, es in cases]
    eta, sigma, eps_x = (np.stack([e[k] for e in els]) for k in ("eta", "sigma", "eps_x"))
    t1 = _stacked_tariffs([c for c, _ in cases])
    out = solve_pe_batch(data.values, ctx0.t0, t1, method=ctx0.method, eta=eta, sigma=sigma, eps_x=eps_x)
    return [_pe_outcome(ctx, o, horizon) for (ctx, _), o in zip(cases, out, strict=True)]


def _pe_outcome(ctx: TradeContext, o: PEOutcome, horizon: Horizon) -> TradeOutcome[PEOutcome]:
    return TradeOutcome(
        model=PE_MODEL,
        horizon=horizon,
        countries=tuple(ctx.data.countries),
        sectors=tuple(ctx.data.sectors),
        V0=o.V0,
        V1=o.V1,
        revenue0=o.revenue0,
        revenue1=o.revenue1,
        import_price_hat=o.P_hat,
        solver=o.solver,
        detail=o,
        importer_welfare_usd=np.asarray(o.importer_welfare).sum(axis=1),
    )


def _home(ctx: TradeContext) -> int | None:
    market = ctx.market
    if market is not None and market in ctx.data.countries:
        return int(ctx.data.countries.index(market))
    return None


def _ge_baseline(ctx: TradeContext) -> tuple[np.ndarray, np.ndarray, GEBaseline]:
    """The dataset's trade, its aggregated baseline tariffs and the GE baseline (ν calibrated with the
    tariff-setting market as the home region of ILMS's two-region conditions)."""
    data = ctx.data
    if data.gdp is None:
        raise DataError(f"dataset {data.name!r} has no GDP; the GE model needs it", source=data.source)
    V0 = np.asarray(data.values, dtype=float)
    X = V0.sum(axis=2)
    home = _home(ctx)
    nu = calibrate_nu_two_region(X, data.gdp, home) if home is not None else np.zeros(data.n_countries)
    T0 = aggregate_tariffs(V0, ctx.t0)
    return V0, T0, build_baseline(X, data.gdp, nu, countries=data.countries, tariffs0=T0)


def ge_trade(ctx: TradeContext, es: ElasticitySet, horizon: Horizon = "long-run") -> TradeOutcome[GESolution]:
    """The long-run one-sector GE on the context's dataset (tariffs aggregated with baseline trade
    weights; ν calibrated with the tariff-setting market as the home region of ILMS's two-region
    conditions). Flows inside a region such as EU27 count as its domestic sales."""
    V0, T0, base = _ge_baseline(ctx)
    T1 = aggregate_tariffs(V0, ctx.t1)
    sol = solve_ge(base, T1, ge_long_run_params(base.nu, es.ge_trade_elasticity))
    return _ge_outcome(ctx, es, V0, T0, T1, sol)


def ge_trade_many(cases: Sequence[tuple[TradeContext, ElasticitySet]], horizon: Horizon) -> list[TradeOutcome]:
    """:func:`ge_trade` for many cases on one dataset and baseline: the baseline built once and the
    cases in one batched solve (:func:`tariffsim.models.ge.solve_ge_batch`)."""
    V0, T0, base = _ge_baseline(cases[0][0])
    t1 = _stacked_tariffs([c for c, _ in cases])
    T1 = aggregate_tariffs(V0, t1) if t1.ndim == 3 else np.stack([aggregate_tariffs(V0, t) for t in t1])
    params = [ge_long_run_params(base.nu, es.ge_trade_elasticity) for _, es in cases]
    sols = solve_ge_batch(base, T1, params)
    return [
        _ge_outcome(ctx, es, V0, T0, T1 if T1.ndim == 2 else T1[d], sol)
        for d, ((ctx, es), sol) in enumerate(zip(cases, sols, strict=True))
    ]


def _ge_outcome(
    ctx: TradeContext, es: ElasticitySet, V0: np.ndarray, T0: np.ndarray, T1: np.ndarray, sol: GESolution
) -> TradeOutcome[GESolution]:
    data, t0, t1 = ctx.data, ctx.t0, ctx.t1
    unchanged = np.array_equal(T0, T1)  # the model's answer is the identity; the solver's 1e-15 is noise
    X0, X1 = sol.baseline.X, sol.X_new
    safe = np.where(X0 > 0, X0, 1.0)
    ratio = np.where((X0 > 0) & ~unchanged, X1 / safe, 1.0)  # domestic sales carry intra-regional flows
    V1 = V0 * ratio[:, :, None]
    n = X0.shape[0]
    off = ~np.eye(n, dtype=bool)
    tau_hat = (1.0 + T1) / (1.0 + T0)
    p = (1.0 if unchanged else sol.w_hat[:, None]) * tau_hat  # φ = 1, ψ = 0: consumer price of j's good in i
    lam = sol.baseline.lam * off
    tot = lam.sum(axis=0)
    imp_price = np.where(tot > 0, (lam * p).sum(axis=0) / np.where(tot > 0, tot, 1.0), 1.0)
    return TradeOutcome(
        model=GE_MODEL,
        horizon="long-run",
        countries=tuple(data.countries),
        sectors=tuple(data.sectors),
        V0=V0,
        V1=V1,
        revenue0=t0 * V0,
        revenue1=t1 * V1,
        import_price_hat=np.repeat(imp_price[:, None], V0.shape[2], axis=1),
        solver=sol.solver,
        detail=sol,
        # real income: expenditure over the consumer price index, E/P (factor income plus tariff revenue and
        # transfers; with fixed factors, kappa = 0, this is the model's welfare), not factor income alone
        real_income_pct=np.zeros(n) if unchanged else np.asarray(sol.welfare_pct, dtype=float),
        notes=(
            "one-sector GE: bilateral changes applied to every sector of a pair (no sector detail); "
            f"Armington configuration, fixed factor supplies, trade elasticity {es.ge_trade_elasticity:g}",
        ),
    )


def _accepts_every_set(es: ElasticitySet, scenario: Scenario) -> str | None:
    return None


def _scenario_defaults(scenario: Scenario) -> tuple[str, ...] | None:
    return None


#: The registry, in the order of :data:`tariffsim.constants.MODELS` (a test checks it).
ADAPTERS: Mapping[str, Adapter] = MappingProxyType(
    {
        a.name: a
        for a in (
            Adapter(
                name=PE_MODEL,
                label=MODEL_LABELS[PE_MODEL],
                description="partial-equilibrium",
                long_run_text="long-run trade at long-run elasticities; long-run real GDP: capital deepening at the "
                "prices of the one-sector general equilibrium (Ignatenko, Lashkaripour, Macedoni and Simonovska 2025), "
                "whose real income (not GDP) is reported beside it",
                solve=pe_trade,
                horizons=("one-year", "long-run"),
                general_equilibrium=False,
                own_tables=False,
                refuse_set=_accepts_every_set,
                default_sets=_scenario_defaults,
                solve_many=pe_trade_many,
            ),
            Adapter(
                name=GE_MODEL,
                label=MODEL_LABELS[GE_MODEL],
                description="general-equilibrium (one sector)",
                long_run_text="long run: one-sector general-equilibrium trade model (Ignatenko, Lashkaripour, "
                "Macedoni and Simonovska 2025): its real income (not GDP), and long-run real GDP from capital "
                "deepening at its prices",
                solve=ge_trade,
                horizons=("long-run",),
                general_equilibrium=True,
                own_tables=False,
                refuse_set=_accepts_every_set,
                default_sets=_scenario_defaults,
                solve_many=ge_trade_many,
            ),
            Adapter(
                name=GE_IO_MODEL,
                label=MODEL_LABELS[GE_IO_MODEL],
                description="multi-sector general-equilibrium (input-output linkages)",
                long_run_text="long run: multi-sector general equilibrium with input-output linkages (Caliendo and "
                f"Parro 2015) on {SCENARIO_TABLE}: its real income (not GDP), and long-run real GDP from capital "
                "deepening at its prices",
                solve=ge_io_trade,
                horizons=("long-run",),
                general_equilibrium=True,
                own_tables=True,
                refuse_set=ge_io_refuses,
                default_sets=ge_io_default_sets,
                solve_many=ge_io_trade_many,
                model_draws=ge_io_model_draws,
                check_scenario=ge_io_check_scenario,
            ),
        )
    }
)


def long_run_text(model: str, io_table: str | None = None) -> str:
    """The long run of a run in ``model`` in words, naming the input-output table and its years for
    the multi-sector model (``io_table``: the table the run used; the adapter's text otherwise)."""
    text = adapter(model).long_run_text
    if io_table and SCENARIO_TABLE in text:
        text = text.replace(SCENARIO_TABLE, f"input-output table {io_table} ({io_table_label(io_table)})")
    return text


def real_income_text(model: str, io_table: str | None = None) -> str:
    """Whose real income a run in ``model`` reports for the long run (never GDP): the long-run
    general-equilibrium model's, with the input-output table it ran on for the multi-sector model."""
    ge = long_run_adapter(model)
    text = f"real income (not GDP) of the long-run {ge.description} model"
    if ge.own_tables and io_table:
        text += f" on input-output table {io_table} ({io_table_label(io_table)})"
    return text


def adapter(model: str, *, source: str | None = None, field: str = "model") -> Adapter:
    """The adapter of ``model``; an unknown name is a :class:`ScenarioError` naming ``field``."""
    found = ADAPTERS.get(model)
    if found is None:
        raise ScenarioError(f"model must be one of {', '.join(ADAPTERS)}, got {model!r}", source=source, field=field)
    return found


def near_term_adapter() -> Adapter:
    """The model of the near term of every run: the first registered model that solves one year."""
    return next(a for a in ADAPTERS.values() if "one-year" in a.horizons)


def long_run_adapter(model: str) -> Adapter:
    """The model whose real income is the long run of a run in ``model``: the model itself when it
    is a general-equilibrium model, else the first registered one that is."""
    own = adapter(model)
    if own.general_equilibrium:
        return own
    return next(a for a in ADAPTERS.values() if a.general_equilibrium)
