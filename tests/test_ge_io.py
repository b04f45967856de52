"""Multi-sector GE with input-output linkages (Caliendo-Parro 2015; MODELS.md section 6)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reference import CP2015_INTRA_BLOC_PUBLISHED, CP2015_PUBLISHED, ILMS_PUBLISHED

from tariffsim.errors import ConvergenceError, CountryCodeError, DataError
from tariffsim.inputs.io_tables import load_shipped, read_cp2015
from tariffsim.models import _ge_io_solver as S
from tariffsim.models.ge_io import IOData, _sector_major, calibrate, changes, solve_io
from tariffsim.replication.cp2015 import replicate_cp2015, run_experiment, tariff_on_nafta


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Binary copies of parsed tables go to a per-test folder, not the user's cache."""
    monkeypatch.setenv("TARIFFSIM_CACHE_DIR", str(tmp_path / "cache"))


# ----------------------------------------------------------------------------- synthetic data


def synthetic(N: int = 4, J: int = 3, *, seed: int = 0, services: int = 1, intermediates: bool = True) -> IOData:
    """A random multi-sector world: the last ``services`` sectors are not traded; tariffs 0-15 %."""
    rng = np.random.default_rng(seed)
    trade = rng.lognormal(20, 1.0, (N, N, J))
    for j in range(J - services, J):
        trade[:, :, j] = np.diag(rng.lognormal(22, 0.5, N))
    trade[np.arange(N), np.arange(N), :] *= 5.0  # home bias
    tariff = rng.uniform(0, 0.15, (N, N, J))
    tariff[np.arange(N), np.arange(N), :] = 0.0
    tariff[:, :, J - services :] = 0.0
    sales = trade.sum(axis=0)  # (i, j): what exporter i sells in sector j
    if intermediates:
        share_int = rng.uniform(0.3, 0.6, (N, J))
        mix = rng.dirichlet(np.ones(J), size=(N, J))  # (n, j, k)
        inter = np.transpose(mix, (0, 2, 1)) * (share_int * sales)[:, None, :]
    else:
        share_int = np.zeros((N, J))
        inter = np.zeros((N, J, J))
    va = (1.0 - share_int) * sales
    final = rng.uniform(0.5, 1.5, (N, J)) * va.sum(axis=1, keepdims=True) / J
    deficit = rng.normal(0, 0.02, N) * va.sum(axis=1)
    deficit -= deficit.mean()
    return IOData(
        regions=tuple(f"R{k}" for k in range(N)),
        sectors=tuple(f"S{k}" for k in range(J)),
        trade=trade,
        tariff=tariff,
        tariff_bln=tariff,
        tariff_cfl=tariff * 0.5,
        d_bln=np.ones((N, N, J)),
        d_cfl=np.ones((N, N, J)),
        intermediate=inter,
        value_added=va,
        final=final,
        deficit=deficit,
        theta=rng.uniform(3, 9, J),
    )


def write_csvs(data: IOData, folder: Path) -> Path:
    """Write ``data`` in the layout of ../shared/data/cp2015."""
    folder.mkdir(parents=True, exist_ok=True)
    R, Sx = data.regions, data.sectors
    rows = []
    for n, imp in enumerate(R):
        for i, exp in enumerate(R):
            for j, sec in enumerate(Sx):
                t = data.tariff[n, i, j]
                rows.append(
                    (
                        sec,
                        exp,
                        imp,
                        data.trade[n, i, j],
                        t,
                        data.tariff_bln[n, i, j],
                        data.tariff_cfl[n, i, j],
                        1.0,
                        1.0,
                    )
                )
    pd.DataFrame(
        rows,
        columns=["sector", "exporter", "importer", "value", "tariff", "tariff_bln", "tariff_cfl", "d_bln", "d_cfl"],
    ).to_csv(folder / "trade.csv", index=False, float_format="%.17g")
    ic = [
        (Sx[k], Sx[j], R[n], data.intermediate[n, k, j])
        for n in range(len(R))
        for k in range(len(Sx))
        for j in range(len(Sx))
    ]
    pd.DataFrame(ic, columns=["input", "sector", "region", "value"]).to_csv(
        folder / "intermediate_consumption.csv", index=False, float_format="%.17g"
    )
    for name, arr in (("value_added.csv", data.value_added), ("final_consumption.csv", data.final)):
        pd.DataFrame(
            [(Sx[j], R[n], arr[n, j]) for n in range(len(R)) for j in range(len(Sx))],
            columns=["sector", "region", "value"],
        ).to_csv(folder / name, index=False, float_format="%.17g")
    pd.DataFrame({"region": R, "D": data.deficit}).to_csv(folder / "deficit.csv", index=False, float_format="%.17g")
    pd.DataFrame({"sector": Sx, "value": data.theta}).to_csv(folder / "theta.csv", index=False, float_format="%.17g")
    return folder


def _system(data: IOData, tariffs, D=None):
    m = calibrate(data)
    N, J = data.N, data.J
    return S.make_system(
        m.pi0,
        _sector_major(data.tariff),
        _sector_major(tariffs),
        np.ones((J, N, N)),
        data.theta,
        m.gamma,
        m.gamma_va,
        m.alpha,
        m.wL,
        np.zeros(N) if D is None else D,
    )


# ----------------------------------------------------------------------------- the published replication


@pytest.fixture(scope="module")
def cp_dir(shared_data: Path) -> Path:
    d = shared_data / "cp2015"
    if not (d / "trade.csv").is_file():
        pytest.skip("../shared/data/cp2015 not found")
    return d


@pytest.fixture(scope="module")
def nafta(cp_dir):
    return {z: replicate_cp2015(cp_dir, zero_deficit=z) for z in (True, False)}


@pytest.mark.shared_data
@pytest.mark.parametrize("zero_deficit", [True, False])
def test_published_welfare_decomposition_and_real_wage(nafta, zero_deficit):
    # zero deficit: Caliendo and Parro (2015) Table 2 (Mexico +1.31, Canada -0.06, US +0.08 in the
    # abstract); with deficits: the R package cp2015's regression values (see CP2015_PUBLISHED).
    res = nafta[zero_deficit]
    df = res.by_region.set_index("region")
    for region, pub in CP2015_PUBLISHED[zero_deficit].items():
        for measure, value in pub.items():
            assert round(float(df.loc[region, measure]), 2) == pytest.approx(value, abs=1e-9), (region, measure)


@pytest.mark.shared_data
def test_published_intra_bloc_trade(nafta):
    # Caliendo and Parro (2015), abstract: intra-bloc trade +118 % Mexico, +11 % Canada, +41 % US.
    for region, pub in CP2015_INTRA_BLOC_PUBLISHED.items():
        assert round(nafta[True].intra_bloc_pct[region]) == pub


@pytest.mark.shared_data
def test_replication_frames_and_solver_facts(nafta):
    res = nafta[True]
    assert list(res.by_region.columns[:6]) == [
        "region",
        "welfare_pct",
        "tot_pct",
        "vot_pct",
        "tech_pct",
        "realwage_pct",
    ]
    assert len(res.by_region) == 31 and len(res.by_sector) == 31 * 40 and len(res.bilateral) == 31 * 31
    assert {"output_pct", "price_pct", "exports_pct"} <= set(res.by_sector.columns)
    bil = res.bilateral.set_index(["exporter", "importer"])
    # Mexico's exports to the US grow with NAFTA (the US cut its tariffs on Mexican goods)
    assert bil.loc[("Mexico", "USA"), "trade_change_pct"] > 50
    for info in res.solver:
        assert info.converged and info.residual < 1e-9 and info.iterations >= 1
    assert "1993" in res.summary() and "(+1.31)" in res.summary()
    cmp = res.comparison().set_index("region")
    assert cmp.loc["Mexico", "welfare_pct_published"] == 1.31


@pytest.mark.shared_data
def test_decomposition_adds_up_on_the_data(nafta):
    for res in nafta.values():
        ch = res.changes
        df = res.by_region
        assert np.array_equal(df["welfare_pct"], df["tot_pct"] + df["vot_pct"] + df["tech_pct"])
        # the bilateral x sector contributions are the terms; world terms of trade sum to zero in money
        assert np.allclose(ch.tot_bilateral.sum(axis=(1, 2)), df["tot_pct"], rtol=0, atol=1e-12)
        money = ch.tot_pct * ch.baseline.income
        assert abs(money.sum()) < 1e-9 * np.abs(money).sum()


@pytest.mark.shared_data
def test_shipped_copy_matches_raw_tables(cp_dir):
    raw, shipped = read_cp2015(cp_dir), load_shipped()
    assert raw.regions == shipped.regions and raw.sectors == shipped.sectors
    for name in ("trade", "intermediate", "value_added", "final", "deficit", "theta"):
        a, b = getattr(raw, name), getattr(shipped, name)
        assert np.allclose(a, b, rtol=1e-11, atol=1e-3), name
    both = raw.trade > 0  # tariffs matter only where there is trade (zero rows are not shipped)
    for name in ("tariff", "tariff_bln", "tariff_cfl", "d_bln", "d_cfl"):
        assert np.allclose(getattr(raw, name)[both], getattr(shipped, name)[both], rtol=1e-11, atol=1e-12), name
    r = run_experiment(shipped, True).welfare_pct
    assert np.allclose(r, run_experiment(raw, True).welfare_pct, atol=1e-8)


# ----------------------------------------------------------------------------- invariants and limits


def test_unchanged_tariffs_give_no_change():
    data = synthetic(seed=1)
    m = calibrate(data)
    D = np.zeros(data.N)
    b = solve_io(m, data.tariff_bln, deficit=D)
    c = solve_io(m, data.tariff_bln, deficit=D, start=b)
    ch = changes(b, c)
    assert c.solver.iterations == 0  # the baseline is already the answer
    for arr in (ch.welfare_pct, ch.realwage_pct, ch.real_income_pct, ch.tot_pct, ch.vot_pct):
        assert np.allclose(arr, 0.0, atol=1e-9)
    assert np.allclose(ch.c_hat, 1.0, atol=1e-11) and np.allclose(ch.output_pct, 0.0, atol=1e-8)


def test_consistent_data_solve_is_identity():
    # data that satisfy every market condition (no intermediates, balanced, no tariffs) solve to hats of 1
    data = _acr_world(seed=2)
    st, info, _ = S.solve(_system(data, data.tariff))
    assert info.iterations == 0 and np.allclose(st.lc, 0.0, atol=1e-12) and np.allclose(st.lw, 0.0)


def _acr_world(N: int = 5, seed: int = 0) -> IOData:
    rng = np.random.default_rng(seed)
    a = rng.lognormal(20, 1.0, (N, N))
    trade = (a + a.T)[:, :, None] + np.diag(rng.lognormal(23, 0.3, N))[:, :, None]  # symmetric: balanced
    sales = trade.sum(axis=0)
    zero = np.zeros((N, N, 1))
    return IOData(
        regions=tuple(f"R{k}" for k in range(N)),
        sectors=("goods",),
        trade=trade,
        tariff=zero,
        tariff_bln=zero,
        tariff_cfl=zero,
        d_bln=np.ones((N, N, 1)),
        d_cfl=np.ones((N, N, 1)),
        intermediate=np.zeros((N, 1, 1)),
        value_added=sales,
        final=trade.sum(axis=1),
        deficit=np.zeros(N),
        theta=np.array([5.0]),
    )


@pytest.mark.parametrize("seed", [0, 3])
def test_single_sector_limit_matches_acr(seed):
    # J = 1, no intermediates, no tariffs, balanced trade: real income change = π̂_nn^(−1/θ) (ACR 2012)
    data = _acr_world(seed=seed)
    N = data.N
    rng = np.random.default_rng(seed + 10)
    d_hat = rng.uniform(0.8, 1.2, (N, N, 1))
    d_hat[np.arange(N), np.arange(N), :] = 1.0
    m = calibrate(data)
    b = solve_io(m, data.tariff, deficit=np.zeros(N))
    c = solve_io(m, data.tariff, d_hat, deficit=np.zeros(N))
    ch = changes(b, c)
    pi_nn_hat = np.einsum("nnj->n", c.pi) / np.einsum("nnj->n", b.pi)
    acr = 100.0 * (pi_nn_hat ** (-1.0 / data.theta[0]) - 1.0)
    assert np.allclose(ch.realwage_pct, acr, rtol=1e-8, atol=1e-9)
    assert np.allclose(ch.real_income_pct, acr, rtol=1e-8, atol=1e-9)


def test_decomposition_is_the_first_order_welfare_change():
    # for a small tariff cut, ToT + VoT approximates the exact real-income change to second order
    data = synthetic(seed=4)
    m = calibrate(data)
    D = np.zeros(data.N)
    b = solve_io(m, data.tariff_bln, deficit=D)
    gaps = []
    for h in (0.01, 0.005):
        t = data.tariff_bln * (1 - h)
        ch = changes(b, solve_io(m, t, deficit=D, start=b))
        gaps.append(np.max(np.abs(ch.welfare_pct - ch.real_income_pct)) / np.max(np.abs(ch.real_income_pct)))
    assert gaps[0] < 0.02
    assert gaps[1] < 0.6 * gaps[0]  # the relative gap shrinks with the shock (first-order accuracy)


def test_analytic_wage_jacobian_matches_finite_differences():
    data = synthetic(N=4, J=3, seed=5)
    sysm = _system(data, data.tariff_cfl, D=data.deficit)
    lw = np.random.default_rng(1).normal(0, 0.02, data.N)
    st = S.evaluate(lw, sysm)
    Jm = S.wage_jacobian(st, sysm, tol=1e-13)
    h = 1e-6
    fd = np.empty_like(Jm)
    for k in range(data.N):
        e = np.zeros(data.N)
        e[k] = h
        fd[:, k] = (S.evaluate(lw + e, sysm).F - S.evaluate(lw - e, sysm).F) / (2 * h)
    assert np.allclose(Jm, fd, rtol=1e-6, atol=1e-7)


def test_shared_preconditioner_is_the_exact_within_country_inverse():
    # one factorisation serves both blocks: the cost block by the push-through identity, the goods
    # block's revenue term by Sherman-Morrison; both must equal the direct inverses
    data = synthetic(N=4, J=5, seed=11)
    sysm = _system(data, data.tariff_cfl)
    st = S.evaluate(np.zeros(data.N), sysm)
    pc = S._factor(st.pc.d, sysm, np.float64)
    d = st.pc.d.T  # (N, K) domestic shares
    eye = np.eye(data.J)
    r = st.r.T
    for n in range(data.N):
        cost_block = eye - sysm.gamma_t[n] * d[n][None, :]
        goods_block = eye - sysm.gamma[n] * d[n][None, :] - np.outer(sysm.alpha_rm[n], r[n])
        assert np.allclose(pc.Pc[n], np.linalg.inv(cost_block), rtol=1e-12, atol=1e-13)
        gp = S._goods_precond(pc, st.r, sysm)
        unit = np.zeros((data.N, data.J))
        for j in range(data.J):
            unit[:] = 0.0
            unit[n, j] = 1.0
            col = gp.apply(unit)[n]  # single-precision K: agreement to its rounding
            assert np.allclose(col, np.linalg.inv(goods_block)[:, j], rtol=1e-5, atol=1e-6)


def test_answer_does_not_depend_on_the_preconditioner_point():
    # the inner sweeps evaluate the exact operator; a factorisation made elsewhere only slows them
    data = synthetic(seed=12)
    sysm = _system(data, data.tariff_cfl)
    far = S.evaluate(np.full(data.N, 0.3), sysm)  # factorised at shares far from the answer
    lw = np.random.default_rng(3).normal(0, 0.02, data.N)
    a = S.evaluate(lw, sysm, inner_tol=1e-13)
    b = S.evaluate(lw, sysm, far, inner_tol=1e-13)
    assert np.allclose(a.lc, b.lc, atol=1e-12) and np.allclose(a.X, b.X, rtol=1e-11)
    assert np.allclose(a.F, b.F, atol=1e-11)


def test_taxed_domestic_sales_use_separate_factorisations():
    # with a tariff on a region's own goods the cost and goods blocks need different inverses
    data = synthetic(seed=13)
    t = data.tariff_cfl.copy()
    t[np.arange(data.N), np.arange(data.N), 0] = 0.1
    sysm = _system(data, t)
    assert sysm.dom_inv1t is not None
    st, info, _ = S.solve(sysm)
    assert max(S.residuals(st, sysm).values()) < 1e-9 and info.residual < 1e-9


def test_walras_law_and_block_residuals():
    data = synthetic(seed=6)
    sol = solve_io(calibrate(data), data.tariff_cfl)  # data deficits sum to zero
    assert abs(sol.walras) < 1e-9
    assert max(sol.residuals.values()) < 1e-9
    # numéraire: world labour income unchanged
    assert sol.w_hat @ calibrate(data).wL == pytest.approx(calibrate(data).wL.sum(), rel=1e-10)


def test_invariant_to_currency_unit():
    data = synthetic(seed=7)
    scaled = IOData(
        **{
            **{f: getattr(data, f) for f in IOData.__dataclass_fields__},
            **{f: getattr(data, f) * 1e-6 for f in ("trade", "intermediate", "value_added", "final", "deficit")},
        }
    )
    a, b = run_experiment(data, False), run_experiment(scaled, False)
    assert np.allclose(a.welfare_pct, b.welfare_pct, atol=1e-9)


def test_solver_raises_when_not_converged():
    data = synthetic(seed=8)
    m = calibrate(data)
    with pytest.raises(ConvergenceError) as exc:
        solve_io(m, data.tariff_cfl * 0 + 0.5, deficit=np.zeros(data.N), max_iter=1, tol=1e-14)
    err = exc.value
    assert err.iterations == 1 and err.residual > 1e-14 and math.isfinite(err.seconds)
    assert "iterations=1" in str(err)


# ----------------------------------------------------------------------------- loader


def test_loader_round_trip(tmp_path):
    data = synthetic(seed=9)
    back = read_cp2015(write_csvs(data, tmp_path / "cp"))
    assert back.regions == data.regions and back.sectors == data.sectors
    for f in ("trade", "tariff", "intermediate", "value_added", "final", "deficit", "theta"):
        assert np.allclose(getattr(back, f), getattr(data, f), rtol=1e-15), f


def test_loader_cache_is_keyed_by_content(tmp_path, monkeypatch):
    from tariffsim.inputs.io_tables import cache_dir

    data = synthetic(seed=9)
    folder = write_csvs(data, tmp_path / "cp")
    first = read_cp2015(folder)  # parses and writes the binary copy
    copies = list(cache_dir().glob("cp2015-*.npz"))
    assert len(copies) == 1
    second = read_cp2015(folder)  # loads it
    for f in ("trade", "tariff_cfl", "intermediate", "value_added", "final", "deficit", "theta"):
        assert np.array_equal(getattr(first, f), getattr(second, f)), f
    assert second.regions == first.regions and second.source == str(folder)
    # the same bytes in another folder hit the same copy; a changed value (same file size) does not
    text = (folder / "theta.csv").read_text()
    k = text.rindex(".") + 1  # first decimal of the last elasticity: same file size, another value
    (folder / "theta.csv").write_text(text[:k] + str((int(text[k]) + 1) % 10) + text[k + 1 :])
    changed = read_cp2015(folder)
    assert not np.array_equal(changed.theta, first.theta)
    assert len(list(cache_dir().glob("cp2015-*.npz"))) == 2
    # a corrupt copy is ignored (parsed again), an unwritable or disabled cache only costs the parse
    for q in cache_dir().glob("cp2015-*.npz"):
        q.write_bytes(b"not an npz")
    assert np.array_equal(read_cp2015(folder).theta, changed.theta)
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("TARIFFSIM_CACHE_DIR", str(tmp_path / "file" / "sub"))
    assert np.array_equal(read_cp2015(folder).theta, changed.theta)
    monkeypatch.setenv("TARIFFSIM_CACHE_DIR", "off")
    assert cache_dir() is None and np.array_equal(read_cp2015(folder).theta, changed.theta)


@pytest.mark.parametrize(
    "file, column, value, fragment",
    [
        ("trade.csv", "value", "abc", "not a number"),
        ("trade.csv", "value", "-5", "negative value"),
        ("trade.csv", "tariff_cfl", "-1.5", "below -100 %"),
        ("trade.csv", "exporter", "Atlantis", "unknown region"),
        ("value_added.csv", "sector", "Nothing", "unknown sector"),
        ("theta.csv", "value", "0", "must be positive"),
    ],
)
def test_loader_errors_name_file_and_field(tmp_path, file, column, value, fragment):
    folder = write_csvs(synthetic(seed=9), tmp_path / "cp")
    df = pd.read_csv(folder / file, dtype=str)
    df.loc[1, column] = value
    df.to_csv(folder / file, index=False)
    with pytest.raises(DataError) as exc:
        read_cp2015(folder)
    msg = str(exc.value)
    assert fragment in msg and file in msg and ("row 3" in msg if column != "sector" else True)
    assert column in msg or "unknown" in msg


def test_loader_structure_errors(tmp_path):
    folder = write_csvs(synthetic(seed=9), tmp_path / "cp")
    with pytest.raises(DataError, match="data folder not found"):
        read_cp2015(tmp_path / "nowhere")
    df = pd.read_csv(folder / "trade.csv", dtype=str)
    pd.concat([df, df.iloc[[0]]]).to_csv(folder / "trade.csv", index=False)
    with pytest.raises(DataError, match="duplicate"):
        read_cp2015(folder)
    df.drop(columns=["tariff_cfl"]).to_csv(folder / "trade.csv", index=False)
    with pytest.raises(DataError, match="missing column.*tariff_cfl"):
        read_cp2015(folder)
    (folder / "theta.csv").unlink()
    with pytest.raises(DataError, match="missing input file theta.csv"):
        read_cp2015(folder)


# ----------------------------------------------------------------------------- the seed question


@pytest.fixture(scope="module")
def seed_runs():
    data = load_shipped()
    return tariff_on_nafta(data, rate=0.25), tariff_on_nafta(data, rate=0.25, retaliation_rate=0.25)


def test_seed_question_economics(seed_runs):
    plain, retal = seed_runs
    mex, usa = plain.region("MEX"), plain.region("USA")
    assert mex["welfare_pct"] < 0 and mex["realwage_pct"] < 0
    # Mexico's sales to the US fall, by sector at exporter prices
    k_mex, k_usa = plain.regions.index("Mexico"), plain.regions.index("USA")
    assert plain.trade_after[k_mex, k_usa].sum() < 0.6 * plain.trade_before[k_mex, k_usa].sum()
    assert plain.trade_before.shape == (31, 31, 40)
    # retaliation hurts the US relative to no retaliation, and lowers US exports to Mexico
    assert retal.region("USA")["welfare_pct"] < usa["welfare_pct"]
    assert retal.trade_after[k_usa, k_mex].sum() < plain.trade_after[k_usa, k_mex].sum()
    assert any("1993" in n for n in plain.notes)
    table = plain.output_by_sector(("MEX", "USA"))
    assert list(table.columns) == ["MEX", "USA"] and len(table) == 40
    d = plain.to_dict()
    assert d["regions"][k_mex]["iso3"] == "MEX" and "1993" in d["notes"][0]


def test_seed_question_bad_inputs():
    data = synthetic(seed=3)
    with pytest.raises(CountryCodeError):
        tariff_on_nafta(data, importer="XXX", exporters=("R1",))


@pytest.mark.shared_data
def test_shipped_copy_rebuilds_byte_for_byte(shared_data, tmp_path):
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_cp2015", root / "data" / "build" / "build_cp2015.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for path in mod.build(shared_data, tmp_path):
        assert path.read_bytes() == (root / "data" / "datasets" / "cp2015" / path.name).read_bytes(), path.name


@pytest.mark.shared_data
def test_cli_replicate_cp2015_prints_published_beside_ours(cp_dir, tmp_path, capsys):
    import json

    from tariffsim.cli.main import main

    out = tmp_path / "cp.csv"
    assert main(["replicate", "cp2015", "--data-dir", str(cp_dir), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "+1.31 (+1.31)" in text and "-0.06 (-0.06)" in text and "1993" in text
    df = pd.read_csv(out)
    assert {"welfare_pct", "welfare_pct_published"} <= set(df.columns)
    assert main(["replicate", "cp2015", "--data-dir", str(cp_dir), "--with-deficits", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    mex = next(r for r in d["comparison"] if r["region"] == "Mexico")
    assert d["zero_deficit"] is False and mex["welfare_pct_published"] == 1.17
    assert round(mex["welfare_pct"], 2) == 1.17


@pytest.mark.shared_data
def test_ilms_summary_prints_published_beside_ours(ilms_dir):
    from tariffsim.replication.ilms2025 import replicate_ilms2025

    res = replicate_ilms2025(ilms_dir, "baseline")
    # ILMS (2025) Table 1 case 1, as listed in ../shared/data/ilms2025/README.md
    assert res.published == ILMS_PUBLISHED["baseline"] and res.published["us_welfare_pct"] == 1.13
    assert "US welfare +1.13 % (published +1.13 %)" in res.summary()
    assert "non-US welfare -0.58 % (published -0.58 %)" in res.summary()
    assert replicate_ilms2025(ilms_dir, "eaton-kortum").published == {}


# ----------------------------------------------------------------------------- figures


def test_figures_render_with_the_1993_caption(seed_runs, tmp_path):
    import matplotlib

    from tariffsim.outputs.figures.ge_io import output_by_sector, welfare_decomposition

    plain, _ = seed_runs
    figs = [welfare_decomposition(plain), welfare_decomposition(plain.changes, regions=None), output_by_sector(plain)]
    for k, fig in enumerate(figs):
        assert isinstance(fig, matplotlib.figure.Figure)
        texts = " ".join(t.get_text() for t in fig.texts)
        assert "1993 Caliendo-Parro data" in texts
        fig.savefig(tmp_path / f"f{k}.png")
        assert (tmp_path / f"f{k}.png").stat().st_size > 5000
    # the decomposition chart marks each total: one diamond per region, at the sum of the stacked terms
    ax = figs[0].axes[0]
    marks = ax.collections[0].get_offsets()
    df = plain.changes.by_region().set_index("region").loc[["Mexico", "Canada", "USA"]]
    assert np.allclose(np.asarray(marks)[:, 0], df["tot_pct"] + df["vot_pct"] + df["tech_pct"])
    # the sector chart shows the traded sectors only, two regions
    labels = [t.get_text() for t in figs[2].axes[0].get_yticklabels()]
    assert "Auto" in labels and "Finance" not in labels and len(labels) == 20


def test_fast_matrix_parser_agrees_with_the_row_reader(tmp_path):
    from tariffsim.inputs.loaders import _parse_matrix_fast, _parse_matrix_rows

    rng = np.random.default_rng(0)
    m = rng.lognormal(5, 2, (6, 6))
    m[rng.random((6, 6)) < 0.3] = 0.0
    lines = ["a,b,c,d,e,f"] + [",".join("" if v == 0 else repr(float(v)) for v in row) for row in m]
    p = tmp_path / "m.csv"
    p.write_text("\n".join(lines) + "\n")
    fast = _parse_matrix_fast(p.read_bytes(), 6)
    assert fast is not None and np.array_equal(fast, _parse_matrix_rows(p.read_text(), 6, str(p)))
    # anything unusual goes to the careful reader (which names the problem)
    for bad in ("1,2,3,4,5", "1,2,3,4,5,-1", "1,2,3,4,5,nan", '1,2,3,4,5,"6"'):
        q = tmp_path / "bad.csv"
        q.write_text("\n".join([*lines[:2], bad, *lines[3:]]) + "\n")
        assert _parse_matrix_fast(q.read_bytes(), 6) is None, bad


def test_replication_prints_the_exact_real_income_beside_the_one_step_welfare(shared_data):
    """The paper's welfare is the one-step (first-order) decomposition; the exact real income change
    is printed beside it: for NAFTA they differ most for Mexico (its tariff revenue is given up)."""
    res = replicate_cp2015(shared_data / "cp2015")
    text = res.summary()
    rows = res.by_region.set_index("region")
    assert "real income" in text and "one-step" in text
    assert f"{rows.loc['Mexico', 'real_income_pct']:+.2f}" in text
    # integrated along the path, the decomposition adds up to the exact change, not to the one-step sum
    assert rows.loc["Mexico", "welfare_pct"] == pytest.approx(1.31, abs=0.005)
    assert abs(rows.loc["Mexico", "real_income_pct"]) < 0.1
