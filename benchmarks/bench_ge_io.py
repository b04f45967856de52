"""Benchmark: the multi-sector GE-IO solver (Caliendo-Parro 2015) against the public R package's
damped fixed point and against scipy's Newton-Krylov, on the same equations, in the same run.

Data: the 31-region x 40-sector NAFTA data (``../shared/data/cp2015``, zero aggregate deficits, the
NAFTA tariff cuts), or with ``--io-table icio2022|wiod2011`` a shipped calibration on today's tables
written to a temporary folder in the same layout with the seed question as its counterfactual (a
25 % US tariff on every good from Mexico and Mexico's retaliation; deficits held, as the model
runs it). Every method solves the same arrays, read from the same folder.

Methods:

* tariffsim: :func:`tariffsim.models.ge_io.solve_io` (quasi-Newton in log ŵ with an analytic wage
  Jacobian and Broyden updates; the cost and expenditure blocks swept together with the exact
  within-country blocks as preconditioner, started from their first-order prediction). The
  counterfactual starts from the baseline solution, as ``replicate_cp2015`` does.
* damped fixed point: the algorithm of the R package cp2015 (``solve_model.cpp``): unknowns ĉ, X',
  ŵ in levels, residuals res_c = ĉ − ŵ^γ Π P̂^γ, res_X = (X' − Σγ Y' − α I')/max(X', 1), res_w =
  ŵ − Σ γ Y'/wL (numéraire in the last row), update x ← x − 0.5 res, stop when the Euclidean norm
  of all residuals is below 1e-7 (the package's defaults). Vectorised numpy on the same arrays;
  every solve starts from ĉ = ŵ = 1 and X' = the data's expenditure, as the package does.
* Newton-Krylov: ``scipy.optimize.root(method="krylov")`` on the full system in (log ĉ, X'/s_n,
  log ŵ), s_n = region n's total expenditure in the data, with our scaled residuals; stopping at a
  max-abs residual of 1e-10 (``fatol``), started like the fixed point.

Checks: the three agree (max |Δ log ŵ|, |Δ log ĉ| and the relative expenditure gaps are printed);
our solution also meets the fixed point's own stopping rule. The whole-call comparison times
``replicate_cp2015`` (read the six tables, both solves, the decomposition and the tables) against
the same call with both solves done by the damped fixed point; both read through
``read_cp2015``, once with its binary copy in the user cache (the default; written by the first
call) and once with the cache off (``TARIFFSIM_CACHE_DIR=off``: every call parses the CSVs).

Usage, from the project root:

    .venv/bin/python benchmarks/bench_ge_io.py [--data-dir ../shared/data/cp2015 | --io-table icio2022]
        [--repeat 5] [--blas-threads 1|default] [--skip-krylov]
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
    ap.add_argument("--data-dir", type=Path, default=shared / "cp2015")
    ap.add_argument(
        "--io-table",
        choices=("icio2022", "wiod2011"),
        help="a shipped calibration with the seed question (25 %% on Mexico, retaliation) instead of --data-dir",
    )
    ap.add_argument("--repeat", type=int, default=5, help="timed repetitions of our solves (others: fewer)")
    ap.add_argument("--blas-threads", default="1", help="'1' (default) or 'default' (leave the environment)")
    ap.add_argument("--skip-krylov", action="store_true", help="leave out the (slow) Newton-Krylov solves")
    ap.add_argument(
        "--fp-drop",
        choices=("row", "last"),
        default="row",
        help="labour equation the fixed point replaces by the numéraire: 'row' (the package's: its last region) "
        "or 'last' (the last region in file order, USA)",
    )
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
    from scipy.optimize import root

    from tariffsim.inputs.io_tables import read_cp2015
    from tariffsim.models import _ge_io_solver as S
    from tariffsim.models.ge_io import IOSolution, _sector_major, calibrate, changes, solve_io
    from tariffsim.replication.cp2015 import CP2015Result, intra_bloc, replicate_cp2015
    from tariffsim.solvers import SolverInfo

    zero_def = args.io_table is None
    if args.io_table is not None:  # the seed question on a shipped calibration, written in the same layout
        import tempfile

        from tariffsim.inputs.io_shipped import goods_mask, load_io_table, write_cp_layout

        io = load_io_table(args.io_table)
        shock = np.array(io.tariff)
        us, mx, g = io.index("USA"), io.index("MEX"), goods_mask(io)
        shock[us, mx, g] += 0.25
        shock[mx, us, g] += 0.25
        args.data_dir = write_cp_layout(io, Path(tempfile.mkdtemp()) / args.io_table, tariff_cfl=shock)
    data = read_cp2015(args.data_dir)
    model = calibrate(data)
    N, J = data.N, data.J
    D0 = np.zeros(N) if zero_def else np.asarray(data.deficit)
    label = (
        "Caliendo-Parro NAFTA data, zero aggregate deficits"
        if zero_def
        else f"{args.io_table}: 25 % US tariff on Mexico's goods and Mexico's retaliation, deficits held"
    )
    X_data = (data.trade * (1.0 + data.tariff)).sum(axis=1).T  # (J, N), the package's start

    def system(tariffs, d_hat):
        return S.make_system(
            model.pi0,
            _sector_major(data.tariff),
            _sector_major(tariffs),
            _sector_major(d_hat),
            data.theta,
            model.gamma,
            model.gamma_va,
            model.alpha,
            model.wL,
            D0,
        )

    sys_b = system(data.tariff_bln, data.d_bln)
    sys_c = system(data.tariff_cfl, data.d_cfl)

    # ------------------------------------------------------------------ the package's fixed point
    def pieces(sysm, c, X, w):
        th = sysm.theta[:, None]
        e = c ** (-th)
        Sx = np.matmul(sysm.a0, e[:, :, None])[:, :, 0]
        lP = -np.log(Sx) / th
        pi = sysm.a0 * e[:, None, :] / Sx[:, :, None]
        r = (pi * sysm.tshare).sum(axis=2)
        Bt = np.transpose(pi * sysm.inv1t, (0, 2, 1))
        Y = np.matmul(Bt, X[:, :, None])[:, :, 0]
        income = w * sysm.wL + (r * X).sum(axis=0) + sysm.D
        goods = np.einsum("njk,kn->jn", sysm.gamma, Y) + sysm.alpha * income[None, :]
        cost = w[None, :] ** sysm.gamma_va * np.exp(np.einsum("njk,kn->jn", sysm.gamma_t, lP))
        labour = (sysm.gamma_va * Y).sum(axis=0) / sysm.wL
        return lP, cost, goods, labour

    # The package replaces the labour equation of its last region by the numéraire; its region
    # order puts "Row" last. With that choice this port reproduces the package's printed norms
    # (4.075e9 at iteration 1, 9.7359e-3 at 100, ... 796 iterations); with USA's equation
    # replaced instead (the last region in file order) it needs 394 (``--fp-drop last``).
    row = next(k for k, r in enumerate(data.regions) if r.lower() == "row")
    drop_fp = row if args.fp_drop == "row" else N - 1

    def package_residuals(sysm, c, X, w):
        _, cost, goods, labour = pieces(sysm, c, X, w)
        res_c = c - cost
        res_X = (X - goods) / np.maximum(X, 1.0)
        res_w = w - labour
        res_w[drop_fp] = w @ sysm.wL / sysm.wL.sum() - 1.0
        return res_c, res_X, res_w

    def fixed_point(sysm, tol=1e-7, damping=0.5, max_iter=20000):
        c, X, w = np.ones((J, N)), X_data.copy(), np.ones(N)
        for it in range(1, max_iter + 1):
            res_c, res_X, res_w = package_residuals(sysm, c, X, w)
            norm = float(np.sqrt((res_c**2).sum() + (res_X**2).sum() + (res_w**2).sum()))
            if norm < tol:
                return c, X, w, it, norm
            c = c - damping * res_c
            X = X - damping * res_X * np.maximum(X, 1.0)
            w = w - damping * res_w
        raise RuntimeError(f"fixed point did not converge in {max_iter} iterations (norm {norm:.2e})")

    # ------------------------------------------------------------------ Newton-Krylov, full system
    scale = X_data.sum(axis=0)  # (N,)

    def full_residual(sysm):
        def F(z):
            lc = z[: J * N].reshape(J, N)
            X = z[J * N : 2 * J * N].reshape(J, N) * scale[None, :]
            lw = z[2 * J * N :]
            w = np.exp(lw)
            lP, _, goods, labour = pieces(sysm, np.exp(lc), X, w)
            Fc = lc - sysm.gamma_va * lw[None, :] - np.einsum("njk,kn->jn", sysm.gamma_t, lP)
            Fx = (X - goods) / scale[None, :]
            Fw = labour - w
            Fw[-1] = w @ sysm.wL / sysm.wL.sum() - 1.0
            return np.concatenate([Fc.ravel(), Fx.ravel(), Fw])

        return F

    def krylov(sysm):
        z0 = np.concatenate([np.zeros(J * N), (X_data / scale[None, :]).ravel(), np.zeros(N)])
        F = full_residual(sysm)
        sol = root(F, z0, method="krylov", options={"fatol": 1e-10, "maxiter": 500})
        res = float(np.max(np.abs(F(sol.x))))
        z = sol.x
        return (
            np.exp(z[: J * N].reshape(J, N)),
            z[J * N : 2 * J * N].reshape(J, N) * scale[None, :],
            np.exp(z[2 * J * N :]),
            int(sol.nit),
            res,
            bool(sol.success),
        )

    # ------------------------------------------------------------------ timings
    def timed(f, repeat):
        out, times = None, []
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = f()
            times.append(time.perf_counter() - t0)
        return out, times

    solve_io(model, data.tariff_bln, data.d_bln, D0)  # warm-up
    ours_b, t_ob = timed(lambda: solve_io(model, data.tariff_bln, data.d_bln, D0), args.repeat)
    ours_c, t_oc = timed(lambda: solve_io(model, data.tariff_cfl, data.d_cfl, D0, start=ours_b), args.repeat)
    ours_c_cold, t_occ = timed(lambda: solve_io(model, data.tariff_cfl, data.d_cfl, D0), args.repeat)
    reps = max(1, args.repeat // 3)
    fp_b, t_fb = timed(lambda: fixed_point(sys_b), reps)
    fp_c, t_fc = timed(lambda: fixed_point(sys_c), reps)
    # the same accuracy as ours: the package's norm below 1e-10 (ours ends near 1e-11 under that rule)
    fp_c10, t_fc10 = timed(lambda: fixed_point(sys_c, tol=1e-10), reps)
    kr_b = kr_c = None
    t_kb = t_kc = [float("nan")]
    if not args.skip_krylov:
        kr_b, t_kb = timed(lambda: krylov(sys_b), 1)
        kr_c, t_kc = timed(lambda: krylov(sys_c), 1)

    # whole call: replicate_cp2015 vs the same call with the fixed point doing both solves. Both
    # read the tables through read_cp2015: with its binary copy in the user cache (the default;
    # the first call writes it) and, separately, with the cache off (every call parses the CSVs).
    from tariffsim.inputs.io_tables import cache_dir

    def cache_off(f):
        def g():
            old = os.environ.get("TARIFFSIM_CACHE_DIR")
            os.environ["TARIFFSIM_CACHE_DIR"] = "off"
            try:
                return f()
            finally:
                if old is None:
                    del os.environ["TARIFFSIM_CACHE_DIR"]
                else:
                    os.environ["TARIFFSIM_CACHE_DIR"] = old

        return g

    caching = cache_dir() is not None
    replicate_cp2015(args.data_dir, zero_def)  # warm-up; writes the cached copy
    rep, t_rep = timed(lambda: replicate_cp2015(args.data_dir, zero_def), args.repeat)
    _, t_read = timed(lambda: read_cp2015(args.data_dir), args.repeat)
    _, t_read_cold = timed(cache_off(lambda: read_cp2015(args.data_dir)), args.repeat)
    _, t_rep_cold = timed(cache_off(lambda: replicate_cp2015(args.data_dir, zero_def)), args.repeat)

    def fp_solution(sysm, tariffs, d_hat, c, X, w, iterations, norm, seconds):
        """The fixed point's answer as a solution record (everything from its own c, X', ŵ)."""
        th = sysm.theta[:, None]
        e = c ** (-th)
        Sx = np.matmul(sysm.a0, e[:, :, None])[:, :, 0]
        lP = -np.log(Sx) / th
        pi = sysm.a0 * e[:, None, :] / Sx[:, :, None]
        r = (pi * sysm.tshare).sum(axis=2)
        Bt = np.transpose(pi * sysm.inv1t, (0, 2, 1))
        Y = np.matmul(Bt, X[:, :, None])[:, :, 0]
        income = w * sysm.wL + (r * X).sum(axis=0) + sysm.D
        pi_n = np.transpose(pi, (1, 2, 0))
        return IOSolution(
            regions=data.regions,
            sectors=data.sectors,
            c_hat=c.T,
            P_hat=np.exp(lP.T),
            w_hat=w,
            P_n_hat=np.exp((sysm.alpha * lP).sum(axis=0)),
            pi=pi_n,
            expenditure=X.T,
            output=Y.T,
            income=income,
            trade=pi_n * X.T[:, None, :] / (1.0 + tariffs),
            tariffs=tariffs,
            d_hat=d_hat,
            deficit=sysm.D,
            solver=SolverInfo("damped-fixed-point-0.5", True, iterations, norm, seconds),
            residuals={},
            walras=float("nan"),
            jacobian=np.eye(N),
            state=None,
        )

    def replicate_fixed_point():
        """replicate_cp2015 with both solves by the damped fixed point (cold starts, as the package)."""
        t0 = time.perf_counter()
        d = read_cp2015(args.data_dir)
        m = calibrate(d)
        sols = []
        for tar, dh in ((d.tariff_bln, d.d_bln), (d.tariff_cfl, d.d_cfl)):
            sysm = S.make_system(
                m.pi0,
                _sector_major(d.tariff),
                _sector_major(tar),
                _sector_major(dh),
                d.theta,
                m.gamma,
                m.gamma_va,
                m.alpha,
                m.wL,
                D0,
            )
            t1 = time.perf_counter()
            c, X, w, it, norm = fixed_point(sysm)
            sols.append(fp_solution(sysm, tar, dh, c, X, w, it, norm, time.perf_counter() - t1))
        ch = changes(*sols)
        return CP2015Result(
            zero_deficit=zero_def,
            by_region=ch.by_region(),
            by_sector=ch.by_sector(),
            bilateral=ch.bilateral(),
            published={},
            intra_bloc_pct=intra_bloc(ch),
            solver=(sols[0].solver, sols[1].solver),
            seconds=time.perf_counter() - t0,
            notes=(),
            changes=ch,
        )

    rep_fp, t_rep_fp = timed(replicate_fixed_point, reps)
    _, t_rep_fp_cold = timed(cache_off(replicate_fixed_point), reps)

    # ------------------------------------------------------------------ agreement
    def gaps(c, X, w, sol):
        dw = np.max(np.abs(np.log(w) - np.log(sol.w_hat)))
        dc = np.max(np.abs(np.log(c) - np.log(sol.c_hat.T)))
        dX = np.max(np.abs(X - sol.expenditure.T).sum(axis=0) / sol.expenditure.sum(axis=1))
        return dw, dc, dX

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, BLAS threads: {args.blas_threads}"
    )
    print(f"{label}: N = {N} regions, J = {J} sectors")
    print(f"{'method':<52}{'baseline ms':>12}{'cfl ms':>10}{'iterations':>14}{'residual':>11}")

    def row(name, tb, tc, its, res):
        print(f"{name:<52}{1e3 * statistics.median(tb):>12.1f}{1e3 * statistics.median(tc):>10.1f}{its:>14}{res:>11}")

    row(
        "tariffsim solve_io (cfl warm from baseline)",
        t_ob,
        t_oc,
        f"{ours_b.solver.iterations}/{ours_c.solver.iterations}",
        f"{max(ours_b.solver.residual, ours_c.solver.residual):.1e}",
    )
    row(
        "tariffsim solve_io (cfl cold)",
        t_ob,
        t_occ,
        f"-/{ours_c_cold.solver.iterations}",
        f"{ours_c_cold.solver.residual:.1e}",
    )
    row(
        "damped fixed point (R cp2015 algorithm, 0.5)",
        t_fb,
        t_fc,
        f"{fp_b[3]}/{fp_c[3]}",
        f"{max(fp_b[4], fp_c[4]):.1e}",
    )
    row(
        "damped fixed point, stopped at norm 1e-10 (our accuracy)",
        [float("nan")],
        t_fc10,
        f"-/{fp_c10[3]}",
        f"{fp_c10[4]:.1e}",
    )
    if kr_b is not None:
        row(
            "scipy root(method='krylov'), full system",
            t_kb,
            t_kc,
            f"{kr_b[3]}/{kr_c[3]}",
            f"{max(kr_b[4], kr_c[4]):.1e}",
        )
        if not (kr_b[5] and kr_c[5]):
            print("  (Newton-Krylov reported no success)")
    med = statistics.median
    print(
        f"speed-up vs fixed point: baseline {med(t_fb) / med(t_ob):.1f}x, counterfactual warm {med(t_fc) / med(t_oc):.1f}x, "
        f"counterfactual cold {med(t_fc) / med(t_occ):.1f}x (target >= 20x); at the same accuracy (norm 1e-10): "
        f"warm {med(t_fc10) / med(t_oc):.1f}x, cold {med(t_fc10) / med(t_occ):.1f}x"
    )
    if kr_b is not None:
        print(
            f"speed-up vs Newton-Krylov: baseline {med(t_kb) / med(t_ob):.1f}x, "
            f"counterfactual cold {med(t_kc) / med(t_occ):.1f}x (target > 1x)"
        )
    for name, sol_fp, sol in (("baseline", fp_b, ours_b), ("counterfactual", fp_c, ours_c)):
        dw, dc, dX = gaps(sol_fp[0], sol_fp[1], sol_fp[2], sol)
        print(f"agreement fixed point vs ours, {name}: |dlog w| {dw:.1e}, |dlog c| {dc:.1e}, expenditure {dX:.1e}")
        rc, rX, rw = package_residuals(
            sys_b if name == "baseline" else sys_c, sol.c_hat.T, sol.expenditure.T, np.asarray(sol.w_hat)
        )
        pn = float(np.sqrt((rc**2).sum() + (rX**2).sum() + (rw**2).sum()))
        print(f"  our solution under the package's stopping rule: norm {pn:.1e} (package stops below 1e-7)")
    if kr_b is not None:
        for name, sol_k, sol in (("baseline", kr_b, ours_b), ("counterfactual", kr_c, ours_c)):
            dw, dc, dX = gaps(sol_k[0], sol_k[1], sol_k[2], sol)
            print(
                f"agreement Newton-Krylov vs ours, {name}: |dlog w| {dw:.1e}, |dlog c| {dc:.1e}, expenditure {dX:.1e}"
            )
    w_ours = rep.by_region.set_index("region")
    w_fp = rep_fp.by_region.set_index("region")
    print(
        f"read_cp2015: {1e3 * med(t_read):.1f} ms from the cached binary copy"
        + ("" if caching else " (cache off in this environment: parsed)")
        + f", {1e3 * med(t_read_cold):.1f} ms parsing the CSVs"
    )
    print(
        f"whole replicate_cp2015 (cached read): {1e3 * med(t_rep):.0f} ms vs {1e3 * med(t_rep_fp):.0f} ms on the fixed "
        f"point: {med(t_rep_fp) / med(t_rep):.1f}x (target >= 10x); max welfare gap "
        f"{np.max(np.abs(w_ours['welfare_pct'] - w_fp['welfare_pct'])):.1e} pp"
    )
    print(
        f"whole replicate_cp2015 (CSV parse, cache off): {1e3 * med(t_rep_cold):.0f} ms vs "
        f"{1e3 * med(t_rep_fp_cold):.0f} ms on the fixed point: {med(t_rep_fp_cold) / med(t_rep_cold):.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
