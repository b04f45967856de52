"""Scenarios on the general-equilibrium engine (``model = "ge"``) and GE results in the macro layer.

The scenario's tariffs (exporter x importer x sector) are aggregated to one sector with baseline
trade weights; the dataset's bilateral totals and GDP build the GE baseline (ILMS construction;
flows inside a region such as EU27 count as its domestic sales); ν is calibrated with the US as the
home region when the dataset has it. For each elasticity set the GE model is solved once, at the
set's long-run ``ge_trade_elasticity`` (a short-run set's value divided by the short-run ratio
0.38). The reported country's real income change ŵL̂/P̂ − 1 (real GDP in the model) is the
long-run GDP shock; the quarterly path reaches it by the same partial adjustment as the PE path,
``LR (1 - (1-a)^q)`` with ``a = 0.113`` (38 % after four quarters, Boehm et al. 2023). The GE model
is not re-solved at short-run elasticities: with trade elasticities below one its terms-of-trade
effects turn implausible (large gains for the tariffed country). The uncertainty drag is added
as in the PE path. Trade flows by sector are the bilateral GE changes applied to every sector of the
pair (no sector detail in the one-sector model); the PE decomposition (price effect, creation,
diversion) and PE surplus measures do not exist in GE and are reported as missing (NaN).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .ge import GEParams, build_baseline, calibrate_nu_two_region, solve_ge
from .macro import MacroOutcome, drag_path, drag_scale, export_changes
from .results import SetOutcome

__all__ = ["GETradeOutcome", "ge_outcomes", "aggregate_tariffs"]

log = logging.getLogger(__name__)
US = "USA"


@dataclass(frozen=True, eq=False)
class GETradeOutcome:
    """GE counterfactual seen through the fields the results layer reads (exporter x importer x
    sector arrays; money in the dataset's unit at baseline numéraire prices)."""

    method: str
    solution: object
    V0: np.ndarray
    V1: np.ndarray
    dV: np.ndarray
    price_effect: np.ndarray
    trade_creation: np.ndarray
    trade_diversion: np.ndarray
    revenue0: np.ndarray
    revenue1: np.ndarray
    shares0: np.ndarray
    shares1: np.ndarray
    consumer_surplus: np.ndarray
    producer_surplus: np.ndarray
    importer_welfare: np.ndarray
    P_hat: np.ndarray
    solver: object


def aggregate_tariffs(values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(N, N, S) tariffs -> (N, N) with baseline trade weights; zero diagonal; simple mean where no trade."""
    v = values.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(v > 0, (values * t).sum(axis=2) / np.where(v > 0, v, 1.0), t.mean(axis=2))
    np.fill_diagonal(out, 0.0)
    return out


def _trade_outcome(data, sol, t0, t1, phi: np.ndarray) -> GETradeOutcome:
    V0 = np.asarray(data.values, dtype=float)
    X0 = sol.baseline.X
    X1 = sol.X_new
    n = X0.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(X0 > 0, X1 / np.where(X0 > 0, X0, 1.0), 1.0)
    off = ~np.eye(n, dtype=bool)
    ratio = np.where(off, ratio, 1.0)  # intra-regional flows: scaled with domestic sales below
    ratio[~off] = np.where(np.diag(X0) > 0, np.diag(X1) / np.where(np.diag(X0) > 0, np.diag(X0), 1.0), 1.0)
    V1 = V0 * ratio[:, :, None]
    nan = np.full_like(V0, np.nan)
    tau_hat = (1.0 + aggregate_tariffs(V0, t1)) / (1.0 + aggregate_tariffs(V0, t0))
    p = (sol.w_hat / sol.L_hat**sol.params.psi)[:, None] * tau_hat ** phi[None, :]
    lam = sol.baseline.lam * off
    with np.errstate(invalid="ignore", divide="ignore"):
        imp_price = np.where(lam.sum(axis=0) > 0, (lam * p).sum(axis=0) / lam.sum(axis=0), 1.0)
    S = V0.shape[2]
    cons0 = V0 * (1.0 + t0)
    cons1 = V1 * (1.0 + t1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sh0 = np.where(cons0.sum(axis=0) > 0, cons0 / np.where(cons0.sum(axis=0) > 0, cons0.sum(axis=0), 1.0), 0.0)
        sh1 = np.where(cons1.sum(axis=0) > 0, cons1 / np.where(cons1.sum(axis=0) > 0, cons1.sum(axis=0), 1.0), 0.0)
    return GETradeOutcome(
        method="ge",
        solution=sol,
        V0=V0,
        V1=V1,
        dV=V1 - V0,
        price_effect=V0 * (sol.w_hat[:, None, None] - 1.0),
        trade_creation=nan,
        trade_diversion=nan,
        revenue0=t0 * V0,
        revenue1=t1 * V1,
        shares0=sh0,
        shares1=sh1,
        consumer_surplus=np.full((n, S), np.nan),
        producer_surplus=np.full((n, S), np.nan),
        importer_welfare=np.full((n, S), np.nan),
        P_hat=np.repeat(imp_price[:, None], S, axis=1),
        solver=sol.solver,
    )


def ge_outcomes(sc, data, t0, t1, sets, a) -> tuple[object, dict[str, SetOutcome]]:
    """GE solutions for every elasticity set and their GDP paths. Returns (central-set long-run
    GE solution, {set name: SetOutcome})."""
    from .elasticities import short_run_ratio

    if data.gdp is None:
        from .errors import DataError

        raise DataError(f"dataset {data.name!r} has no GDP; the GE model needs it", source=data.source)
    X = data.values.sum(axis=2)
    T0 = aggregate_tariffs(data.values, t0)
    T1 = aggregate_tariffs(data.values, t1)
    home = data.countries.index(US) if US in data.countries else None
    nu = calibrate_nu_two_region(X, data.gdp, home) if home is not None else np.zeros(data.n_countries)
    base = build_baseline(X, data.gdp, nu, countries=data.countries, tariffs0=T0)
    c = data.index(a.country)
    us = home
    r = short_run_ratio()
    outcomes: dict[str, SetOutcome] = {}
    central_solution = None
    for es in sets:
        eps = es.ge_trade_elasticity / r if es.horizon == "short-run" else es.ge_trade_elasticity
        params = GEParams.ilms(nu, eps=eps)
        sol = solve_ge(base, T1, params)
        lr = _trade_outcome(data, sol, t0, t1, params.phi_vector(len(data.countries)))
        lr_real = float(sol.real_income_pct[c])
        H = a.horizon
        q = np.arange(1, H + 1, dtype=float)
        weight = 1.0 - (1.0 - a.adjustment_speed) ** q
        trade_path = lr_real * weight
        w4 = float(weight[min(4, H) - 1])
        sr_real = lr_real * w4
        scale = drag_scale(data.values, t0, t1, c, us)
        drag = drag_path(a.uncertainty_drag_pct * scale, a.drag_half_life_quarters, H)
        zero = np.zeros(H)
        comps = {"trade": trade_path, "retaliation_inputs": zero, "real_income": zero.copy(), "uncertainty": drag}
        for v in comps.values():
            v.setflags(write=False)
        mac = MacroOutcome(
            path=trade_path + drag,
            components=comps,
            short_run={"trade": sr_real, "retaliation_inputs": 0.0, "real_income": 0.0, "uncertainty": float(drag[0])},
            long_run={"trade": lr_real, "retaliation_inputs": 0.0, "real_income": 0.0, "uncertainty": 0.0},
            exports_short_run={k: w4 * v for k, v in export_changes(lr.V0, lr.V1, c, us).items()},
            exports_long_run=export_changes(lr.V0, lr.V1, c, us),
            export_loss_usd_short_run=w4 * float(lr.dV[c].sum()),
            export_loss_usd_long_run=float(lr.dV[c].sum()),
            wedge=0.0,
            assumptions=a.replace(form="ge"),
        )
        outcomes[es.name] = SetOutcome(name=es.name, elasticities=es, trade=lr, short_run=lr, long_run=lr, macro=mac)
        if es.name == sc.central_set or central_solution is None:
            central_solution = sol
    return central_solution, outcomes
