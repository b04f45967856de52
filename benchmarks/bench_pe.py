"""Speed of the partial-equilibrium solve against a plain scipy.optimize.root formulation.

Run from the project root::

    python benchmarks/bench_pe.py            # all cases, one core
    python benchmarks/bench_pe.py --quick    # skip the (slow) plain solve of the large case

Cases (seeded ``numpy.random.default_rng``):

* ``default-like``: 10 exporters x 10 markets x 14 sectors, random log-normal trade with a zero
  diagonal, baseline tariffs up to 10 %, +25 % by market 0 on exporter 1;
* ``default data``: the shipped default dataset with the same shock (USA on MEX), when it loads;
* ``200x200x20``: 200 exporters x 200 markets x 20 sectors, 30 % zero flows, baseline tariffs up to
  10 %, +25 % by the first 5 markets on exporters 1-20.

All cases use η = 1.5, σ = 4 and finite export-supply elasticities (ε_x drawn in [0.5, 5] per
sector), so the K x S supply-price system must be solved. The "plain" formulation is the same
equations as one vector of K·S unknowns handed to ``scipy.optimize.root`` (method "hybr", no
Jacobian: MINPACK builds it by finite differences). Both are timed in the same run; the
solutions are compared. Threads of the BLAS are pinned to one unless the environment says
otherwise (the target is "under 1 s on one core").
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import optimize  # noqa: E402

from tariffsim.models.pe import solve_pe  # noqa: E402

ETA, SIGMA = 1.5, 4.0


def synthetic(K: int, M: int, S: int, *, seed: int, shocked_exporters: int, shocked_markets: int):
    rng = np.random.default_rng(seed)
    V = rng.lognormal(0.0, 2.0, (K, M, S)) * (rng.random((K, M, S)) < 0.7)
    if K == M:
        V[np.arange(K), np.arange(K)] = 0.0  # no imports from oneself
    t0 = rng.uniform(0.0, 0.10, (K, M, S))
    t1 = t0.copy()
    t1[1 : 1 + shocked_exporters, :shocked_markets] += 0.25  # exporter 0 would hit the zero diagonal
    eps = rng.uniform(0.5, 5.0, S)
    return V, t0, t1, eps


def default_data(seed: int):
    """The shipped default dataset, 25 % by the USA on Mexico; None when it cannot be loaded."""
    try:
        import tariffsim

        d = tariffsim.load_dataset()
        usa, mex = d.index("USA"), d.index("MEX")
    except Exception as exc:  # the benchmark still runs on a bare checkout
        print(f"(default dataset not available: {exc})")
        return None
    t0 = np.array(d.tariffs)
    t1 = t0.copy()
    t1[mex, usa] += 0.25
    eps = np.random.default_rng(seed).uniform(0.5, 5.0, d.n_sectors)
    return np.array(d.values), t0, t1, eps


def plain_root(V, t0, t1, eps, *, tol: float = 1e-12):
    """The same equations, written plainly, solved by scipy.optimize.root on all K·S unknowns at once."""
    K, M, S = V.shape
    tau = (1 + t1) / (1 + t0)
    Vc = V * (1 + t0)
    E = Vc.sum(axis=0, keepdims=True)
    theta = np.divide(Vc, E, out=np.zeros_like(Vc), where=E > 0)
    X = V.sum(axis=1, keepdims=True)
    omega = np.divide(V, X, out=np.zeros_like(V), where=X > 0)
    active = X[:, 0, :] > 0

    def F(z):
        w = np.exp(z.reshape(K, S))
        p = w[:, None, :] * tau
        agg = (theta * p ** (1 - SIGMA)).sum(axis=0, keepdims=True)
        P = np.where(E > 0, agg, 1.0) ** (1 / (1 - SIGMA))
        q = P ** (SIGMA - ETA) * p**-SIGMA
        D = (omega * q).sum(axis=1)
        r = eps * np.log(w) - np.log(np.where(active, D, 1.0))
        return r.ravel()

    start = time.perf_counter()
    sol = optimize.root(F, np.zeros(K * S), method="hybr", tol=tol)
    seconds = time.perf_counter() - start
    residual = float(np.max(np.abs(F(sol.x))))
    return sol.x.reshape(K, S), seconds, residual, int(sol.nfev), bool(sol.success)


def best_time(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times)), out


def run_case(name: str, V, t0, t1, eps, *, repeat: int, plain: bool):
    solve_pe(V, t0, t1, eta=ETA, sigma=SIGMA, eps_x=eps)  # warm-up (imports, allocator)
    best, median, out = best_time(lambda: solve_pe(V, t0, t1, eta=ETA, sigma=SIGMA, eps_x=eps), repeat)
    K, M, S = V.shape
    row = {
        "case": name,
        "shape": f"{K}x{M}x{S}",
        "unknowns": K * S,
        "ours_best_s": best,
        "ours_median_s": median,
        "iterations": out.solver.iterations,
        "residual": out.solver.residual,
    }
    if plain:
        z, seconds, residual, nfev, success = plain_root(V, t0, t1, eps)
        row.update(
            plain_s=seconds,
            plain_residual=residual,
            plain_nfev=nfev,
            plain_success=success,
            max_log_w_diff=float(np.max(np.abs(z - np.log(out.w_hat)))),
            ratio=seconds / best,
        )
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the plain scipy solve of the 200x200x20 case")
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions of our solver (best is reported)")
    ap.add_argument("--seed", type=int, default=20250301)
    args = ap.parse_args(argv)

    print(
        f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"{platform.machine()} {platform.processor() or ''}".rstrip()
    )
    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    rows = [
        run_case(
            "default-like",
            *synthetic(10, 10, 14, seed=args.seed, shocked_exporters=1, shocked_markets=1),
            repeat=args.repeat,
            plain=True,
        )
    ]
    real = default_data(args.seed)
    if real is not None:
        rows.append(run_case("default data", *real, repeat=args.repeat, plain=True))
    rows.append(
        run_case(
            "200x200x20",
            *synthetic(200, 200, 20, seed=args.seed, shocked_exporters=20, shocked_markets=5),
            repeat=args.repeat,
            plain=not args.quick,
        )
    )

    print()
    print(
        f"{'case':<14} {'shape':<11} {'unknowns':>8} {'ours (s)':>9} {'iter':>4} {'residual':>9} "
        f"{'plain (s)':>10} {'plain res':>9} {'nfev':>6} {'|Δ ln ŵ|':>9} {'speed-up':>9}"
    )
    for r in rows:
        plain = (
            (
                f"{r['plain_s']:>10.3f} {r['plain_residual']:>9.1e} {r['plain_nfev']:>6d} "
                f"{r['max_log_w_diff']:>9.1e} {r['ratio']:>8.0f}x"
            )
            if "plain_s" in r
            else f"{'(skipped)':>10}"
        )
        print(
            f"{r['case']:<14} {r['shape']:<11} {r['unknowns']:>8d} {r['ours_best_s']:>9.4f} {r['iterations']:>4d} "
            f"{r['residual']:>9.1e} {plain}"
        )
    big = rows[-1]
    verdict = "meets" if big["ours_best_s"] < 1.0 else "MISSES"
    print(
        f"\n200x200x20: {big['ours_best_s']:.3f} s best, {big['ours_median_s']:.3f} s median ({verdict} the 1 s target)"
    )
    if "ratio" in big:
        print(f"speed-up over plain scipy.optimize.root: {big['ratio']:.0f}x (target >= 10x)")


if __name__ == "__main__":
    main()
