"""Issue 21: batched parameter draws against the per-draw loop (the code as it was), in one run.

Run from the project root::

    .venv/bin/python benchmarks/bench_speed.py                  # every section
    .venv/bin/python benchmarks/bench_speed.py solvers          # the batched solves alone
    .venv/bin/python benchmarks/bench_speed.py --repeat 9       # more repeats (medians)

Section ``solvers``: the models' batched solves (:func:`tariffsim.models.pe.solve_pe_batch`,
:func:`tariffsim.models.ge.solve_ge_batch`) against the per-case loop over
:func:`~tariffsim.models.pe.solve_pe` / :func:`~tariffsim.models.ge.solve_ge`, the per-draw solves
``simulate`` made before issue 21 (the baseline functions ``loop_*`` below). Cases:

* ``mex25 draws``: the 200 parameter draws of ``mex25`` (seed 20250301) on the shipped default
  dataset (10 regions x 14 sectors): PE at the one-year and at the long-run elasticities (ε_x = ∞:
  supply prices fixed, closed form) and the long-run one-sector GE at the drawn trade elasticity;
* ``finite supply``: the same draws with ε_x = 2 in every sector (the Newton solve of the supply
  prices runs);
* ``50x50x10``: a synthetic 50 x 50 x 10 case (seeded), 50 draws of σ and η, ε_x = 2;
* ``GE 30 regions``: a synthetic 30-region baseline, 100 draws of ε in [1, 8].

Every batched answer is compared with the loop's (max |difference| over every output array,
relative to the array's largest value). BLAS threads are pinned to one unless the environment
says otherwise. Ratios are taken within one run (the machine is shared: absolute times move).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from tariffsim.engine.simulation import apply_draw, draw_parameters, resolve  # noqa: E402
from tariffsim.engine.trade import aggregate_tariffs, ge_long_run_params  # noqa: E402
from tariffsim.models.ge import (  # noqa: E402
    GEParams,
    build_baseline,
    calibrate_nu_two_region,
    solve_ge,
    solve_ge_batch,
)
from tariffsim.models.pe import solve_pe, solve_pe_batch  # noqa: E402

PE_OUT = (
    "V1",
    "w_hat",
    "P_hat",
    "q_hat",
    "importer_welfare",
    "consumer_surplus",
    "producer_surplus",
    "trade_diversion",
)
GE_OUT = ("w_hat", "E_hat", "P_hat", "real_income_pct", "welfare_pct", "X_new")


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls, and the last call's value."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def worst_difference(a: Sequence[Any], b: Sequence[Any], fields: Sequence[str]) -> float:
    """Largest |a - b| over the cases and fields, relative to each array's largest finite value."""
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        for f in fields:
            u, v = np.asarray(getattr(x, f)), np.asarray(getattr(y, f))
            fin = np.isfinite(u)
            scale = max(1.0, float(np.max(np.abs(u[fin]), initial=0.0)))
            worst = max(worst, float(np.max(np.abs(u[fin] - v[fin]), initial=0.0)) / scale)
    return worst


# ----------------------------------------------------------------------------- baselines (the code as it was)


def loop_pe(V: np.ndarray, t0: np.ndarray, t1: np.ndarray, el: dict[str, np.ndarray]) -> list[Any]:
    """Baseline: one :func:`solve_pe` per draw (``el``: (D, S) elasticities), as ``simulate`` did."""
    return [
        solve_pe(V, t0, t1, eta=el["eta"][d], sigma=el["sigma"][d], eps_x=el["eps_x"][d])
        for d in range(el["sigma"].shape[0])
    ]


def loop_ge(base: Any, t1: np.ndarray, params: Sequence[GEParams]) -> list[Any]:
    """Baseline: one :func:`solve_ge` per draw, as ``simulate`` did."""
    return [solve_ge(base, t1, p) for p in params]


# ----------------------------------------------------------------------------- cases


def mex25_draws() -> dict[str, Any]:
    """The default dataset, mex25's tariffs and its 200 parameter draws (elasticities per draw)."""
    inp = resolve("mex25", recession=False)
    rng = np.random.default_rng(np.random.SeedSequence(inp.seed).spawn(2)[0])  # as simulate draws them
    df = draw_parameters(inp.scenario, inp.draws, rng)
    sets = [apply_draw(inp.central_set, inp.assumptions, row)[0] for _, row in df.iterrows()]
    d = inp.data
    el = {
        h: {k: np.stack([es.arrays(d.sectors, h)[k] for es in sets]) for k in ("eta", "sigma", "eps_x")}
        for h in ("one-year", "long-run")
    }
    V0 = np.asarray(d.values, dtype=float)
    X = V0.sum(axis=2)
    nu = calibrate_nu_two_region(X, d.gdp, d.index(inp.assumptions.market))
    T0, T1 = aggregate_tariffs(V0, inp.t0), aggregate_tariffs(V0, inp.t1)
    base = build_baseline(X, d.gdp, nu, countries=d.countries, tariffs0=T0)
    params = [ge_long_run_params(nu, es.ge_trade_elasticity) for es in sets]
    return {"V": V0, "t0": inp.t0, "t1": inp.t1, "el": el, "base": base, "T1": T1, "params": params}


def synthetic_pe(K: int, S: int, draws: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    V = rng.lognormal(0.0, 2.0, (K, K, S)) * (rng.random((K, K, S)) < 0.7)
    V[np.arange(K), np.arange(K)] = 0.0
    t0 = rng.uniform(0.0, 0.10, (K, K, S))
    t1 = t0.copy()
    t1[1:6, :3] += 0.25
    f = rng.lognormal(0.0, 0.4, draws)[:, None]
    return V, t0, t1, f * np.full((draws, S), 4.0), f * np.full((draws, S), 1.5)


def synthetic_ge(n: int, draws: int, seed: int) -> tuple[Any, np.ndarray, list[GEParams]]:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(0.0, 1.0, (n, n)) * 1e9
    np.fill_diagonal(X, 0.0)
    gdp = X.sum(axis=1) * rng.uniform(2.0, 5.0, n)
    nu = calibrate_nu_two_region(X, gdp, 0)
    base = build_baseline(X, gdp, nu)
    t1 = np.zeros((n, n))
    t1[1:, 0] = 0.25
    return base, t1, [GEParams(eps=e, kappa=0.0, psi=0.0, phi=1.0, nu=nu) for e in rng.uniform(1.0, 8.0, draws)]


# ----------------------------------------------------------------------------- sections


def row(name: str, draws: int, t_loop: float, t_batch: float, diff: float) -> None:
    print(
        f"| {name} | {draws} | {1e3 * t_loop:8.1f} | {1e3 * t_batch:7.1f} | {t_loop / t_batch:5.1f}x | {diff:.1e} |",
        flush=True,
    )


def section_solvers(repeat: int) -> None:
    print("\n## Batched solves against the per-draw loop (median ms of", repeat, "calls)\n")
    print("| case | draws | loop ms | batch ms | ratio | max rel. difference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    m = mex25_draws()
    V, t0, t1 = m["V"], m["t0"], m["t1"]
    n = m["el"]["one-year"]["sigma"].shape[0]
    total_loop = total_batch = 0.0
    for h in ("one-year", "long-run"):
        el = m["el"][h]
        tl, ref = timed(lambda el=el: loop_pe(V, t0, t1, el), repeat)
        tb, out = timed(lambda el=el: solve_pe_batch(V, t0, t1, **el), repeat)
        row(f"mex25 draws, PE {h} (ε_x = ∞)", n, tl, tb, worst_difference(ref, out, PE_OUT))
        total_loop, total_batch = total_loop + tl, total_batch + tb
    tl, ref = timed(lambda: loop_ge(m["base"], m["T1"], m["params"]), repeat)
    tb, out = timed(lambda: solve_ge_batch(m["base"], m["T1"], m["params"]), repeat)
    row("mex25 draws, one-sector GE long run", n, tl, tb, worst_difference(ref, out, GE_OUT))
    total_loop, total_batch = total_loop + tl, total_batch + tb
    row("mex25 draws, the three solves of a draw", n, total_loop, total_batch, float("nan"))
    el = dict(m["el"]["one-year"], eps_x=np.full_like(m["el"]["one-year"]["sigma"], 2.0))
    tl, ref = timed(lambda: loop_pe(V, t0, t1, el), repeat)
    tb, out = timed(lambda: solve_pe_batch(V, t0, t1, **el), repeat)
    row("finite supply (ε_x = 2), PE one-year", n, tl, tb, worst_difference(ref, out, PE_OUT))
    Vs, t0s, t1s, sig, eta = synthetic_pe(50, 10, 50, seed=7)
    el = {"sigma": sig, "eta": eta, "eps_x": np.full_like(sig, 2.0)}
    tl, ref = timed(lambda: loop_pe(Vs, t0s, t1s, el), repeat)
    tb, out = timed(lambda: solve_pe_batch(Vs, t0s, t1s, **el), repeat)
    row("50x50x10 synthetic, PE, ε_x = 2", 50, tl, tb, worst_difference(ref, out, PE_OUT))
    base, T1, params = synthetic_ge(30, 100, seed=11)
    tl, ref = timed(lambda: loop_ge(base, T1, params), repeat)
    tb, out = timed(lambda: solve_ge_batch(base, T1, params), repeat)
    row("GE 30 regions, synthetic", 100, tl, tb, worst_difference(ref, out, GE_OUT))


SECTIONS: dict[str, Callable[[int], None]] = {"solvers": section_solvers}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sections", nargs="*", choices=[*SECTIONS, []], help="sections to run (default: all)")
    ap.add_argument("--repeat", type=int, default=5, help="calls per timing (median)")
    args = ap.parse_args()
    print(
        f"# bench_speed: Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )
    for name in args.sections or SECTIONS:
        SECTIONS[name](args.repeat)


if __name__ == "__main__":
    main()
