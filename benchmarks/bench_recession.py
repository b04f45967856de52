"""Benchmark: recession-risk Monte Carlo (tariffsim.models.recession.simulate_recession_risk).

Target (issue 4): 100,000 paths x 12 quarters with parameter draws in under 1 s.

The process is the shipped Student t calibration (data/recession/MEX.json) at 1.2 % a year.
Compared in the same run with
  * the same Monte Carlo with Gaussian innovations of the same sd (the model before issue 9),
  * a naive per-path Python loop over the *same* innovations (it must give identical probabilities),
  * a plain-numpy simulation without common random numbers (independent innovations for the
    baseline and tariff scenarios): same cost, but a much larger Monte Carlo error on the tariff's
    effect, which is what CRN buys.

Run from the project root:  .venv/bin/python benchmarks/bench_recession.py [--paths N] [--naive-paths N]
"""

from __future__ import annotations

import argparse
import math
import platform
import time

import numpy as np

from tariffsim.inputs.calibrations import default_calibration
from tariffsim.models.ar1 import draw_innovations
from tariffsim.models.recession import annual_to_quarterly, shock_to_growth, simulate_recession_risk


def best_of(fn, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def shock_draws(horizon, draws, seed):
    """D level-deviation paths (percent): a loss phasing in over 4 quarters, depth drawn from a
    triangular distribution (stands in for elasticity x multiplier uncertainty)."""
    depth = np.random.default_rng(seed).triangular(0.5, 1.5, 3.0, size=draws)
    ramp = np.minimum(np.arange(1, horizon + 1) / 4.0, 1.0)
    return -depth[:, None] * ramp[None, :]


def naive_loop(mu, rho, scale, df, shock, n_paths, seed):
    """One path at a time in Python, same innovations as the vectorised code (drawn path by path, u[i, q])."""
    D, H = shock.shape
    effect = shock_to_growth(shock)
    u = draw_innovations(np.random.default_rng(seed), (n_paths, H), scale=scale, df=df)
    hits = {"tech4_b": 0, "tech4_t": 0, "techH_b": 0, "techH_t": 0}
    for i in range(n_paths):
        e = effect[i % D]
        prev = mu
        gb, gt = [], []
        for q in range(H):
            g = u[i, q] + (mu + rho * (prev - mu))
            prev = g
            gb.append(g)
            gt.append(g + e[q])
        for name, path in (("b", gb), ("t", gt)):
            neg = [x < 0 for x in path]
            pairs = [neg[q] and neg[q - 1] for q in range(1, H)]  # g0 = mu > 0: pair (0,1) never counts
            hits["tech4_" + name] += any(pairs[:3])
            hits["techH_" + name] += any(pairs)
    return {k: v / n_paths for k, v in hits.items()}


def plain_numpy_independent(mu, rho, scale, df, shock, n_paths, seed):
    """Vectorised, but baseline and tariff scenarios drawn with independent innovations (no CRN)."""
    D, H = shock.shape
    effect = shock_to_growth(shock)[np.arange(n_paths) % D].T  # (H, n)
    rng = np.random.default_rng(seed)
    out = {}
    for name, add in (("b", 0.0), ("t", effect)):
        z = scale * rng.standard_t(df, (H, n_paths))
        g = np.empty_like(z)
        prev = np.full(n_paths, mu)
        for q in range(H):
            g[q] = mu + rho * (prev - mu) + z[q]
            prev = g[q]
        g = g + add
        neg = g < 0
        pairs = neg[1:] & neg[:-1]
        out["tech4_" + name] = pairs[:3].any(axis=0).mean()
        out["techH_" + name] = pairs.any(axis=0).mean()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--draws", type=int, default=200, help="parameter draws (rows of the shock array)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--naive-paths", type=int, default=None, help="paths for the Python loop (default: --paths)")
    ap.add_argument("--seed", type=int, default=2025)
    a = ap.parse_args(argv)

    cal = default_calibration()
    mu, rho, sigma, scale, df = annual_to_quarterly(1.2), cal.rho, cal.sigma, cal.scale, cal.df
    shock = shock_draws(a.horizon, a.draws, a.seed + 1)
    n_naive = a.naive_paths or a.paths

    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"process: mu={mu:.3f} %/q (1.2 %/yr), rho={rho:.3f}, {cal.innovation} (shipped calibration)")
    print(f"{a.paths:,} paths x {a.horizon} quarters, {a.draws} parameter draws, best of {a.repeat}\n")

    simulate_recession_risk(mu=mu, calibration=cal, shock=shock, n_paths=1_000, seed=0)  # warm-up
    t_vec, res = best_of(
        lambda: simulate_recession_risk(mu=mu, calibration=cal, shock=shock, n_paths=a.paths, seed=a.seed),
        a.repeat,
    )
    t_gauss, _ = best_of(
        lambda: simulate_recession_risk(mu=mu, rho=rho, sigma=sigma, shock=shock, n_paths=a.paths, seed=a.seed),
        a.repeat,
    )
    t_np, ind = best_of(lambda: plain_numpy_independent(mu, rho, scale, df, shock, a.paths, a.seed), a.repeat)
    t_naive, naive = best_of(lambda: naive_loop(mu, rho, scale, df, shock, n_naive, a.seed), 1)

    print(f"{'method':48s} {'seconds':>9s} {'ratio':>8s}")
    print(f"{'tariffsim (vectorised, CRN, Student t, full)':48s} {t_vec:9.3f} {1.0:8.2f}")
    print(f"{'tariffsim, Gaussian innovations (same sd)':48s} {t_gauss:9.3f} {t_gauss / t_vec:8.2f}")
    print(f"{'plain numpy, no CRN (technical recession only)':48s} {t_np:9.3f} {t_np / t_vec:8.2f}")
    label = f"naive per-path Python loop ({n_naive:,} paths)"
    print(f"{label:48s} {t_naive:9.3f} {t_naive / t_vec * a.paths / n_naive:8.1f}  (ratio scaled to {a.paths:,})")
    print(f"\ntarget < 1 s: {'met' if t_vec < 1.0 else 'MISSED'} ({t_vec * 1000:.0f} ms)")

    if n_naive == a.paths:
        same = (
            naive["tech4_b"] == res.technical_4q.baseline
            and naive["tech4_t"] == res.technical_4q.tariff
            and naive["techH_b"] == res.technical_horizon.baseline
            and naive["techH_t"] == res.technical_horizon.tariff
        )
        print(f"naive loop gives identical probabilities: {same}")

    p = res.technical_4q
    se_ind = math.sqrt(sum(x * (1 - x) for x in (ind["tech4_b"], ind["tech4_t"])) / a.paths)
    print("\ntechnical recession within 4 quarters (share of paths):")
    print(
        f"  CRN:      baseline {p.baseline:.4f}, tariff {p.tariff:.4f}, change {res.change:+.4f} "
        f"(se_change {res.se_change:.4f})"
    )
    print(
        f"  no CRN:   baseline {ind['tech4_b']:.4f}, tariff {ind['tech4_t']:.4f}, "
        f"effect {ind['tech4_t'] - ind['tech4_b']:+.4f} (se {se_ind:.4f})"
    )
    print(
        f"  CRN cuts the standard error of the tariff effect {se_ind / p.se_difference:.1f}-fold "
        f"(= {(se_ind / p.se_difference) ** 2:.0f}x fewer paths for the same precision)"
    )
    a4 = res.annual_contraction
    print(f"annual contraction (calendar year 1): baseline {a4.baseline:.4f}, tariff {a4.tariff:.4f}")


if __name__ == "__main__":
    main()
