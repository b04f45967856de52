"""One call does the work: ``simulate(scenario, data=None, elasticities=None) -> Result``.

data + scenario -> trade model (PE, or GE) for every elasticity set at both ends of the adjustment
path -> macro transmission (GDP path) -> recession risk (Monte Carlo with parameter draws).
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable

import numpy as np
import pandas as pd

from . import __version__, limits
from .elasticities import ElasticitySet, shipped_distributions
from .errors import ScenarioError
from .macro import MacroAssumptions, gdp_outcome, resolve_assumptions, retaliation_wedge, wedge_tariffs
from .results import Result, SetOutcome
from .scenario import DIST_PARAMS, Range, Scenario, load_scenario

__all__ = ["simulate", "solve_trade", "draw_parameters"]

log = logging.getLogger(__name__)
US = "USA"


def solve_trade(data, t0, t1, es: ElasticitySet, *, method: str = "exact"):
    """The PE trade model on ``data`` with one elasticity set (arrays per sector)."""
    from .pe import solve_pe

    return solve_pe(data.values, t0, t1, method=method, **es.arrays(data.sectors))


def _resolve_sets(scenario: Scenario, elasticities) -> tuple[list[ElasticitySet], str]:
    if elasticities is None:
        names = list(scenario.elasticity_sets)
        return [scenario.elasticity_set(n) for n in names], scenario.central_set
    if isinstance(elasticities, str | ElasticitySet):
        elasticities = [elasticities]
    out = [e if isinstance(e, ElasticitySet) else scenario.elasticity_set(str(e)) for e in elasticities]
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise ScenarioError(f"elasticity sets named twice: {names}", source=scenario.source, field="elasticities")
    central = scenario.central_set if scenario.central_set in names else names[0]
    return out, central


def _macro_for(data, t0, t1, es: ElasticitySet, a: MacroAssumptions, *, method="exact"):
    """Short- and long-run trade solves (+ the retaliation wedge) and the GDP path for one set."""
    sr, lr = es.short_and_long_run()
    pol_sr = solve_trade(data, t0, t1, sr, method=method)
    pol_lr = solve_trade(data, t0, t1, lr, method=method)
    c = data.index(a.country)
    us = data.countries.index(US) if US in data.countries else None
    wedge = retaliation_wedge(data, t0, t1, c, us, a)
    w_sr = w_lr = None
    if wedge > 0:
        tw = wedge_tariffs(t1, c, wedge)
        w_sr = solve_trade(data, t0, tw, sr, method=method)
        w_lr = solve_trade(data, t0, tw, lr, method=method)
    mac = gdp_outcome(
        data=data, t0=t0, t1=t1, policy_sr=pol_sr, policy_lr=pol_lr, wedge_sr=w_sr, wedge_lr=w_lr, wedge=wedge, a=a
    )
    return pol_sr, pol_lr, mac


def draw_parameters(scenario: Scenario, n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Monte Carlo parameter draws (one row per draw).

    Elasticities: a distribution the scenario declares for ``sigma``/``eta``/``eps_x`` gives the
    value directly (all sectors); otherwise sigma and eta are the central set's values times a
    factor drawn from the shipped distributions divided by their mode (triangular 0.5-1-2).
    Macro assumptions: a declared distribution, else triangular(low, central, high) when the
    scenario's range is not a single number, else fixed.
    """
    cols: dict[str, np.ndarray] = {}
    shipped = shipped_distributions()
    for p in ("sigma", "eta", "eps_x"):
        if p in scenario.distributions:
            cols[p] = scenario.distributions[p].sample(rng, n)
        elif p in shipped:
            dist = shipped[p]
            mode = dist.params.get("mode") or dist.params.get("median")
            cols[f"{p}_factor"] = dist.sample(rng, n) / mode
    for p in DIST_PARAMS:
        if p in ("sigma", "eta", "eps_x"):
            continue
        if p in scenario.distributions:
            cols[p] = scenario.distributions[p].sample(rng, n)
            continue
        v = scenario.assumption(p)
        if isinstance(v, Range) and not (v.low == v.central == v.high):
            lo, hi = min(v.low, v.high), max(v.low, v.high)
            cols[p] = rng.triangular(lo, v.central, hi, size=n) if hi > lo else np.full(n, v.central)
    return pd.DataFrame(cols)


def _apply_draw(central: ElasticitySet, a: MacroAssumptions, row: pd.Series) -> tuple[ElasticitySet, MacroAssumptions]:
    def scale(v, f):
        return {k: x * f for k, x in v.items()} if isinstance(v, dict) else v * f

    kw = {}
    for p in ("sigma", "eta", "eps_x"):
        if p in row:
            kw[p] = float(row[p])
        elif f"{p}_factor" in row:
            kw[p] = scale(getattr(central, p), float(row[f"{p}_factor"]))
    if "sigma" in kw and not isinstance(kw["sigma"], dict):
        kw["sigma"] = max(kw["sigma"], 1e-3)
    es = central.with_values(name=f"{central.name} (draw)", **kw)
    akw = {
        p: float(row[p])
        for p in ("multiplier", "value_added_share", "uncertainty_drag_pct", "exchange_rate_offset")
        if p in row
    }
    if "value_added_share" in akw:
        akw["value_added_share_other"] = akw["value_added_share"]
    return es, a.replace(**akw)


def simulate(
    scenario,
    data=None,
    elasticities=None,
    *,
    model: str | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    seed: int | None = None,
    recession: bool = True,
    method: str = "exact",
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Run a scenario.

    Parameters
    ----------
    scenario : a built-in name ('mex25'), a path to a TOML file, a dict or a :class:`Scenario`.
    data : a :class:`TradeData` (default: the scenario's dataset).
    elasticities : set name(s) or :class:`ElasticitySet` objects (default: the scenario's sets).
    model : 'pe' or 'ge' (default: the scenario's).
    draws, n_paths, seed : Monte Carlo parameter draws, simulated paths and seed (default: the
        scenario's). ``draws=0`` runs the recession Monte Carlo on the central path only.
    recession : run the recession-risk Monte Carlo (set False for fast sweeps).
    method : 'exact' or 'smart-linear' (PE only).
    progress : optional callback receiving a short description of each step.
    """
    sc = load_scenario(scenario)
    limits.check_monte_carlo(
        sc.n_paths if n_paths is None else n_paths, sc.draws if draws is None else draws, sc.horizon, seed=seed
    )
    model = model or sc.model
    if model not in ("pe", "ge"):
        raise ScenarioError(f"model must be 'pe' or 'ge', got {model!r}", source=sc.source, field="model")
    say = progress or (lambda s: None)
    data = sc.load_data() if data is None else data
    sc.validate_against(data)
    t0, t1 = sc.tariff_arrays(data)
    sets, central = _resolve_sets(sc, elasticities)
    a_central = resolve_assumptions(sc, data, need_value_added=model == "pe")
    seed = sc.seed if seed is None else int(seed)
    n_draws = sc.draws if draws is None else int(draws)
    n_paths = sc.n_paths if n_paths is None else int(n_paths)
    notes: list[str] = []
    if (
        model == "pe"
        and a_central.form == "simple"
        and US in data.countries
        and abs(a_central.export_dependence - a_central.export_dependence_data) > 1e-9
    ):
        notes.append(
            f"simple macro form: exports to the US taken as {a_central.export_dependence:.2f} of total exports "
            f"(the data give {a_central.export_dependence_data:.3f})"
        )

    ge_solution = None
    if model == "ge":
        from .ge_bridge import ge_outcomes

        say("general equilibrium")
        ge_solution, outcomes = ge_outcomes(sc, data, t0, t1, sets, a_central)
        notes.append(
            "GE model: exact hat algebra on the dataset's economies (one sector, ILMS 2025 structure); "
            "the GDP path is the country's real income change reached by partial adjustment"
        )
    else:
        outcomes = {}
        for es in sets:
            say(f"trade model, elasticity set '{es.name}'")
            pol_sr, pol_lr, mac = _macro_for(data, t0, t1, es, a_central, method=method)
            trade = pol_sr if es.horizon == "short-run" else pol_lr
            outcomes[es.name] = SetOutcome(
                name=es.name, elasticities=es, trade=trade, short_run=pol_sr, long_run=pol_lr, macro=mac
            )

    risk = None
    draws_df = None
    if recession:
        from .recession import annual_to_quarterly, default_calibration, simulate_recession_risk

        cal = default_calibration()
        mu = annual_to_quarterly(float(sc.assumption("baseline_growth_annual_pct")))
        ss = np.random.SeedSequence(seed)
        draw_seed, mc_seed = ss.spawn(2)
        mc_seed_int = int(mc_seed.generate_state(1)[0])
        central_es = next(es for es in sets if es.name == central)
        paths = outcomes[central].macro.path[None, :]
        if n_draws > 0 and model == "pe":
            say(f"parameter draws ({n_draws})")
            rng = np.random.default_rng(draw_seed)
            draws_df = draw_parameters(sc, n_draws, rng)
            rows = []
            for i in range(n_draws):
                es_i, a_i = _apply_draw(central_es, a_central, draws_df.iloc[i])
                rows.append(_macro_for(data, t0, t1, es_i, a_i, method=method)[2].path)
            paths = np.vstack(rows)
            draws_df = draws_df.assign(
                gdp_impact_pct=paths[:, min(3, paths.shape[1] - 1)], gdp_impact_pct_end_of_horizon=paths[:, -1]
            )
        say(f"recession Monte Carlo ({n_paths:,} paths)")
        start = sc.phase_in
        risk = simulate_recession_risk(
            mu=mu, rho=cal.rho, sigma=cal.sigma, shock=paths, n_paths=n_paths, seed=mc_seed_int, start=start
        )
        for name, so in list(outcomes.items()):
            r = (
                risk
                if (name == central and draws_df is None)
                else simulate_recession_risk(
                    mu=mu,
                    rho=cal.rho,
                    sigma=cal.sigma,
                    shock=so.macro.path,
                    n_paths=n_paths,
                    seed=mc_seed_int,
                    start=start,
                )
            )
            outcomes[name] = SetOutcome(
                name=so.name,
                elasticities=so.elasticities,
                trade=so.trade,
                short_run=so.short_run,
                long_run=so.long_run,
                macro=so.macro,
                recession=r,
            )

    provenance = {
        "tariffsim_version": __version__,
        "scenario": sc.name,
        "scenario_hash": sc.hash,
        "scenario_source": sc.source,
        "dataset": data.name,
        "dataset_year": data.year,
        "dataset_source": data.source,
        "dataset_sources": [dict(s) for s in data.sources],
        "elasticity_sets": {es.name: es.to_dict() for es in sets},
        "model": model,
        "method": method,
        "seed": seed,
        "draws": n_draws if recession else 0,
        "n_paths": n_paths if recession else 0,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    if recession:
        provenance["recession_calibration"] = cal.to_dict()
    return Result(
        scenario=sc,
        data=data,
        model=model,
        t0=t0,
        t1=t1,
        sets=outcomes,
        central=central,
        recession=risk,
        draws=draws_df,
        provenance=provenance,
        ge=ge_solution,
        notes=tuple(notes),
    )
