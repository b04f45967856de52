"""Benchmark: the GE solver against scipy.optimize.fsolve on the 194-economy ILMS baseline.

Both solve the same equations (``tariffsim.models.ge.ge_residual``: the 3N = 582 scaled residuals in
x = log of the hats) from the same start (all hats 1), in the same run:

* tariffsim: ``solve_ge`` (one analytic Jacobian, log Ê eliminated, then Broyden updates);
* scipy: ``scipy.optimize.fsolve`` (MINPACK hybrd) with no Jacobian (finite differences).

Usage, from the project root:

    .venv/bin/python benchmarks/bench_ge.py [--data-dir ../shared/data/ilms2025] [--repeat 20]
        [--blas-threads 1|default]

``--blas-threads`` (default 1) sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS/MKL_NUM_THREADS before
numpy is imported. On small shared VMs multi-threaded OpenBLAS spins its workers between calls
and slows a 400 x 400 factorisation tenfold; run with ``default`` to see the effect.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _args() -> argparse.Namespace:
    root = Path(__file__).resolve().parents[1]
    shared = Path(os.environ.get("TARIFFSIM_SHARED_DATA", root.parent / "shared" / "data"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=shared / "ilms2025")
    ap.add_argument("--repeat", type=int, default=20, help="solves of tariffsim's solver (fsolve: a third)")
    ap.add_argument("--blas-threads", default="1", help="'1' (default) or 'default' (leave the environment)")
    return ap.parse_args()


def main() -> int:
    args = _args()
    if args.blas_threads != "default":
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.blas_threads)
    import platform
    import statistics
    import time

    import numpy as np
    import scipy
    from scipy.optimize import fsolve

    from tariffsim.models.ge import ge_residual, solve_ge
    from tariffsim.replication.ilms2025 import _case_setup, ilms_inputs, replicate_ilms2025

    inp = ilms_inputs(args.data_dir)
    baseline, tariffs, params = _case_setup(inp, "baseline")
    n = baseline.n
    F = ge_residual(baseline, tariffs, params)

    solve_ge(baseline, tariffs, params)  # warm-up (imports, caches)
    ours, sol = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        sol = solve_ge(baseline, tariffs, params)
        ours.append(time.perf_counter() - t0)

    theirs, x_fs, nfev = [], None, 0
    for _ in range(max(3, args.repeat // 3)):
        t0 = time.perf_counter()
        x_fs, info, ier, msg = fsolve(F, np.zeros(3 * n), full_output=True)
        theirs.append(time.perf_counter() - t0)
        nfev = info["nfev"]
        if ier != 1:
            print(f"fsolve did not converge: {msg}", file=sys.stderr)
    x_ours = np.log(np.concatenate([sol.w_hat, sol.E_hat, sol.L_hat]))
    res_fs = float(np.max(np.abs(F(x_fs))))
    replicate_ilms2025(args.data_dir)  # warm-up
    t_reps = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        rep = replicate_ilms2025(args.data_dir)
        t_reps.append(time.perf_counter() - t0)
    t_rep = statistics.median(t_reps)

    def plain_call():
        """The same call (read the CSVs, calibrate nu, build the baseline, solve) with fsolve."""
        inp2 = ilms_inputs(args.data_dir)
        b2, t2, p2 = _case_setup(inp2, "baseline")
        F2 = ge_residual(b2, t2, p2)
        return fsolve(F2, np.zeros(3 * b2.n), full_output=True)[0]

    t_plain = []
    for _ in range(max(3, args.repeat // 3)):
        t0 = time.perf_counter()
        x_plain = plain_call()
        t_plain.append(time.perf_counter() - t0)
    t_plain_med = statistics.median(t_plain)

    med_o, med_t = statistics.median(ours), statistics.median(theirs)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, BLAS threads: {args.blas_threads}"
    )
    print(f"ILMS baseline, N = {n} economies, {3 * n} unknowns")
    print(f"{'method':<44}{'ms/solve (median)':>18}{'ms (best)':>11}{'steps/fevals':>14}{'residual':>11}")
    print(
        f"{'tariffsim Newton-Broyden, analytic Jacobian':<44}{1e3 * med_o:>18.1f}{1e3 * min(ours):>11.1f}"
        f"{sol.solver.iterations:>14d}{sol.solver.residual:>11.1e}"
    )
    print(
        f"{'scipy.optimize.fsolve, no Jacobian':<44}{1e3 * med_t:>18.1f}{1e3 * min(theirs):>11.1f}"
        f"{nfev:>14d}{res_fs:>11.1e}"
    )
    print(
        f"speed-up (median/median): {med_t / med_o:.1f}x; target >= 10x and < 50 ms per solve: "
        f"{'met' if med_t / med_o >= 10 and med_o < 0.05 else 'NOT met'}"
    )
    print(f"max |x_tariffsim - x_fsolve| = {np.max(np.abs(x_ours - x_fs)):.1e} (logs of the hats)")
    print(
        f"full replicate_ilms2025 (read CSVs, calibrate nu, build, solve): {1e3 * t_rep:.0f} ms (median); "
        f"US welfare {rep.headline['us_welfare_pct']:+.4f} %"
    )
    print(
        f"same call with fsolve: {1e3 * t_plain_med:.0f} ms (median): {t_plain_med / t_rep:.1f}x "
        f"(target >= 10x); max |x_call - x_fsolve_call| = {np.max(np.abs(x_ours - x_plain)):.1e}; "
        f"target < 5 ms per solve: {'met' if med_o < 0.005 else 'NOT met'} ({1e3 * med_o:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
