"""Issue 21: speed of a run, a report, a sweep and the draws, each against its baseline in one run.

Run from the project root::

    .venv/bin/python benchmarks/bench_speed.py                  # the in-process sections
    .venv/bin/python benchmarks/bench_speed.py solvers draws    # some of them
    .venv/bin/python benchmarks/bench_speed.py cli --baseline-python /path/to/release/venv/bin/python
    .venv/bin/python benchmarks/bench_speed.py --repeat 9       # more repeats (medians)

Sections ``draws`` and ``recession`` compare the run's parameter draws and recession Monte Carlo
with the code they replaced, kept here as baseline functions (``loop_draws``: one ``run_case`` per
draw; ``stored_recession``: every shock's tariff paths stored and their quantiles taken by
``numpy.percentile``, as ``simulate_recession_risk`` did for every shock); ``ge-io`` times 100
parameter draws of ``mex25 --model ge-io`` on the default input-output table (target: under 20 s);
``cli`` runs the commands of the issue's targets (``run mex25 --json``, ``report mex25``, a sweep of
11 rates x 5 sets, ``run mex25 --model ge-io --json``) with this checkout and with
``--baseline-python`` (a Python whose environment has the release installed), interleaved, and
checks that both print the same numbers.

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
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

import tariffsim as ts  # noqa: E402
from tariffsim.engine.simulation import apply_draw, draw_parameters, resolve, run_case, run_cases  # noqa: E402
from tariffsim.engine.trade import aggregate_tariffs, ge_long_run_params  # noqa: E402
from tariffsim.inputs.calibrations import load_calibration  # noqa: E402
from tariffsim.models.ge import (  # noqa: E402
    GEParams,
    build_baseline,
    calibrate_nu_two_region,
    solve_ge,
    solve_ge_batch,
)
from tariffsim.models.pe import solve_pe, solve_pe_batch  # noqa: E402
from tariffsim.models.recession import annual_to_quarterly, simulate_recession_risk  # noqa: E402

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


def loop_draws(inp: Any, cases: Sequence[Any]) -> list[Any]:
    """Baseline: one ``run_case`` per parameter draw (simulate before issue 21)."""
    return [run_case(inp, es, a) for es, a in cases]


def stored_recession(shock: np.ndarray, **kw: Any) -> Any:
    """Baseline: the tariff paths of one shock stored and their quantiles taken by numpy.percentile
    (what simulate_recession_risk did for every shock before issue 21); the shock given twice takes
    that route and gives the same numbers."""
    return simulate_recession_risk(shock=np.vstack([shock, shock]), **kw)


def _read_quantiles(risk: Any) -> Any:
    """The Monte Carlo with its growth quantiles made (they are made when first read)."""
    assert risk.growth_quantiles_tariff.shape == risk.growth_quantiles_baseline.shape
    return risk


def section_draws(repeat: int) -> None:
    print("\n## The parameter draws of mex25 (trade, macro): batched blocks against one run_case per draw\n")
    print("| what | draws | loop ms | batch ms | ratio | max abs difference |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for model in ("pe", "ge"):
        inp = resolve("mex25", model=model, recession=False)
        rng = np.random.default_rng(np.random.SeedSequence(inp.seed).spawn(2)[0])
        df = draw_parameters(inp.scenario, inp.draws, rng)
        cases = [apply_draw(inp.central_set, inp.assumptions, r) for _, r in df.iterrows()]
        tl, ref = timed(lambda inp=inp, cases=cases: loop_draws(inp, cases), repeat)
        tb, out = timed(lambda inp=inp, cases=cases: run_cases(inp, cases), repeat)
        diff = max(float(np.max(np.abs(a.macro.path - b.macro.path))) for a, b in zip(ref, out, strict=True))
        print(
            f"| mex25 --model {model}, GDP paths | {len(cases)} | {1e3 * tl:8.1f} | {1e3 * tb:7.1f} | {tl / tb:5.1f}x | {diff:.1e} |"
        )


def section_recession(repeat: int) -> None:
    print("\n## Recession Monte Carlo, one shock at a time on a shared baseline (100,000 paths x 12 quarters)\n")
    print("| shocks | stored paths ms | shifted order statistics ms | ratio | quantiles equal |")
    print("| ---: | ---: | ---: | ---: | --- |")
    cal = load_calibration("MEX")
    kw: dict[str, Any] = {"mu": annual_to_quarterly(1.2), "calibration": cal, "n_paths": 100_000, "seed": 7}
    shocks = [
        -k * np.array([0.5, 1.2, 2.0, 2.6, 2.9, 3.1, 3.2, 3.2, 3.1, 3.0, 2.9, 2.8]) for k in np.linspace(0.2, 2, 55)
    ]
    simulate_recession_risk(shock=shocks[0], **kw)  # the shared baseline half, simulated once
    # both sides read their quantiles (made when first read since the run path stopped needing them)
    tl, ref = timed(lambda: [_read_quantiles(stored_recession(s, **kw)) for s in shocks], max(1, repeat // 3))
    tb, out = timed(
        lambda: [_read_quantiles(simulate_recession_risk(shock=s, **kw)) for s in shocks], max(1, repeat // 3)
    )
    same = all(
        np.array_equal(a.growth_quantiles_tariff, b.growth_quantiles_tariff) for a, b in zip(ref, out, strict=True)
    )
    print(f"| {len(shocks)} | {1e3 * tl:8.0f} | {1e3 * tb:8.0f} | {tl / tb:5.1f}x | {same} |")


def section_ge_io(repeat: int) -> None:
    print("\n## 100 parameter draws of mex25 --model ge-io (sector trade elasticities drawn, default table)\n")
    print("| what | seconds | per draw | real income p05 / p50 / p95 (%) |")
    print("| --- | ---: | ---: | --- |")
    t, r = timed(lambda: ts.simulate("mex25", model="ge-io", draws=100), max(1, repeat // 3))
    band = r.to_json()["real_income_pct_long_run_draws"]
    print(
        f"| simulate (8 sets, 100 draws, recession MC) | {t:.2f} | {1e3 * t / 100:.1f} ms | "
        f"{band['p05']:.2f} / {band['p50']:.2f} / {band['p95']:.2f} |"
    )


CLI_COMMANDS: dict[str, list[str]] = {
    "run mex25 --json": ["run", "mex25", "--json"],
    "run mex25 --model ge-io --json": ["run", "mex25", "--model", "ge-io", "--json"],
    "run mex25 --model ge-io --json --draws 100": ["run", "mex25", "--model", "ge-io", "--json", "--draws", "100"],
    "sweep mex25, 11 rates x 5 sets": [
        "sweep",
        "mex25",
        "--tariff",
        "0:0.5:0.05",
        "--elasticities",
        "central,low,high,smart,gsim",
        "--quiet",
        "--force",
        "--out",
        "{out}",
    ],
    "report mex25": ["report", "mex25", "--quiet", "--force", "--out", "{out}"],
}


def _cli_time(python: str, argv: list[str], out: str) -> tuple[float, str]:
    cmd = [python, "-c", "import sys; from tariffsim.cli.main import main; sys.exit(main(sys.argv[1:]))"]
    cmd += [a.replace("{out}", out) for a in argv]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tempfile.gettempdir(), check=False)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    return dt, proc.stdout


def section_cli(repeat: int, baseline: str | None = None) -> None:
    if baseline is None:
        print("\n(section cli: pass --baseline-python, a Python with the release installed)")
        return
    print(f"\n## Commands, this checkout against {baseline} (median of {repeat} interleaved runs)\n")
    print("| command | release s | this s | ratio | same JSON |")
    print("| --- | ---: | ---: | ---: | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv in CLI_COMMANDS.items():
            old_t, new_t, same = [], [], None
            for k in range(repeat):
                t_old, out_old = _cli_time(baseline, argv, f"{tmp}/old")
                t_new, out_new = _cli_time(sys.executable, argv, f"{tmp}/new")
                old_t.append(t_old)
                new_t.append(t_new)
                if k == 0 and "--json" in argv:
                    same = _same_json(json.loads(out_old), json.loads(out_new))
            a, b = statistics.median(old_t), statistics.median(new_t)
            print(f"| {name} | {a:.2f} | {b:.2f} | {a / b:.1f}x | {'' if same is None else same} |", flush=True)


#: Library calls timed inside each Python after its imports (the seconds the call itself takes).
LIBRARY_CALLS: dict[str, tuple[str, str]] = {
    "ts.sweep mex25, 11 rates x 5 sets": (
        "sweep",
        '"mex25", "0:0.5:0.05", ["central", "low", "high", "smart", "gsim"]',
    ),
    "ts.simulate mex25": ("simulate", '"mex25"'),
}


def _py_time(python: str, call: tuple[str, str]) -> float:
    name, args = call
    code = (  # the function and its modules loaded first, and pandas (ours imports it on first use): only the call is timed
        f"import time, pandas, tariffsim as ts; f = ts.{name}; t = time.perf_counter(); f({args}); "
        "print(time.perf_counter() - t)"
    )
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True, cwd=tempfile.gettempdir(), check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{call} failed with {python}:\n{proc.stderr[-2000:]}")
    return float(proc.stdout.strip().splitlines()[-1])


def section_library(repeat: int, baseline: str | None = None) -> None:
    if baseline is None:
        return
    print(f"\n## Library calls (seconds inside the call, after imports; median of {repeat} interleaved runs)\n")
    print("| call | release s | this s | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, call in LIBRARY_CALLS.items():
        old_t, new_t = [], []
        for _ in range(repeat):
            old_t.append(_py_time(baseline, call))
            new_t.append(_py_time(sys.executable, call))
        a, b = statistics.median(old_t), statistics.median(new_t)
        print(f"| {name} | {a:.2f} | {b:.2f} | {a / b:.1f}x |", flush=True)


def _same_json(a: Any, b: Any, tol: float = 1e-9) -> bool:
    """The two runs' numbers agree (keys the release has; solver wall times aside)."""
    if isinstance(a, dict):
        return all(k == "seconds" or (k in b and _same_json(v, b[k], tol)) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_json(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, int | float):
        return abs(a - b) <= tol * max(1.0, abs(a))
    return bool(a == b)


SECTIONS: dict[str, Callable[[int], None]] = {
    "solvers": section_solvers,
    "draws": section_draws,
    "recession": section_recession,
    "ge-io": section_ge_io,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "sections",
        nargs="*",
        choices=[*SECTIONS, "cli", "library", []],
        help="sections to run (default: all; cli includes library)",
    )
    ap.add_argument("--repeat", type=int, default=5, help="calls per timing (median)")
    ap.add_argument("--baseline-python", help="a Python with the release installed (section cli)")
    args = ap.parse_args()
    print(
        f"# bench_speed: Python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}"
    )
    for name in args.sections or [*SECTIONS, "cli"]:
        if name == "cli":
            section_cli(args.repeat, args.baseline_python)
            section_library(args.repeat, args.baseline_python)
        elif name == "library":
            section_library(args.repeat, args.baseline_python)
        else:
            SECTIONS[name](args.repeat)


if __name__ == "__main__":
    main()
