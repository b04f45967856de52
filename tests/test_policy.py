"""Policy inputs (issue 20): effective rates from products, dates, the panel of every partner's rate.

Closed forms (a uniform rate without claims is the statutory rate; a quarter half covered pays
half the rate; the chapter aggregation is the product-level import-weighted mean), the facts the
raw data's README states (claiming about 0.48 of imports from Mexico in January-June 2025 and
about 0.88 from July; 503.4 bn USD of imports in 2024, about 527-531 bn in 2025), bad input, and
the byte-for-byte rebuild of ``data/policy/`` from ../shared/data.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tariffsim.errors import ScenarioError
from tariffsim.inputs import policy as P
from tariffsim.inputs.datasets import hs2_sector_map, load_dataset

ROOT = Path(__file__).resolve().parents[1]
SECTORS = list(load_dataset("default").sectors)


def _groups(hs2, value, claimed, **flags):
    n = len(hs2)
    return P.ProductGroups(
        exporter="XXX",
        period="test",
        months=("test",),
        hs2=np.array(hs2, dtype=object),
        value=np.asarray(value, float),
        claimed=np.asarray(claimed, float),
        flags={k: np.asarray(flags.get(k, [False] * n), bool) for k in P.LISTS},
    )


# ----------------------------------------------------------------------------- closed forms


def test_uniform_rate_without_claims_is_the_statutory_rate():
    g = P.load_product_groups("MEX", "2024")
    r = P.sector_effective_rates(g, 0.25, SECTORS, claims=None)
    assert np.allclose(r, 0.25)
    assert P.mean_effective_rate(g, 0.25, claims=None) == pytest.approx(0.25)


def test_no_tariff_no_effective_rate():
    g = P.load_product_groups("MEX", "2025H2")
    assert np.all(P.sector_effective_rates(g, 0.0, SECTORS) == 0.0)


def test_full_claims_exempt_everything():
    g = _groups(["87", "84"], [100.0, 50.0], [100.0, 50.0])
    r = P.sector_effective_rates(g, 0.25, SECTORS)
    traded = [SECTORS.index("vehicles"), SECTORS.index("machinery")]
    assert np.all(r[traded] == 0.0)
    # a sector without imports: 0 (its weight is 0); a measure without claims keeps the statutory rate there
    assert r[SECTORS.index("fuels")] == 0.0
    assert P.sector_effective_rates(g, 0.25, SECTORS, claims=None)[SECTORS.index("fuels")] == 0.25


def test_claims_only_puts_the_rate_on_the_claimed_trade():
    """The preference withdrawn: the rate on the claimed share; with the exempt measure it adds up to the full rate."""
    g = P.load_product_groups("MEX", "latest")
    only = P.sector_effective_rates(g, 0.25, SECTORS, claims="only")
    exempt = P.sector_effective_rates(g, 0.25, SECTORS, claims="exempt")
    sec = g.sectors()
    traded = np.array([g.value[sec == s].sum() > 0 for s in SECTORS])
    assert np.allclose((only + exempt)[traded], 0.25)
    assert P.mean_effective_rate(g, 0.25, claims="only") == pytest.approx(0.25 * g.claim_share)


def test_quarter_half_covered_pays_half_the_rate():
    # 2025Q3 has 92 days; from 16 August 46 of them are covered
    share = P.quarter_shares(dt.date(2025, 8, 16), None, ["2025Q3"])
    assert share[0] == pytest.approx(0.5)
    a, b = P.quarter_bounds("2025Q3")
    m = P.step_mean([dt.date(2025, 8, 16)], np.array([0.25]), a, b)
    assert float(m) == pytest.approx(0.125)


def test_quarter_shares_of_an_on_off_measure():
    q = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    s = P.quarter_shares(P.parse_date("2025Q2"), P.parse_date("2025Q4"), q)
    assert s.tolist() == [0.0, 1.0, 1.0, 0.0, 0.0]
    # in force from 4 March 2025 (the IEEPA tariff on Mexico): 28 of Q1's 90 days
    s = P.quarter_shares(dt.date(2025, 3, 4), None, q)
    assert s[0] == pytest.approx(28 / 90) and np.all(s[1:] == 1.0)


def test_step_mean_is_the_day_weighted_mean():
    dates = [dt.date(2025, 1, 11), dt.date(2025, 1, 21)]
    v = np.array([[10.0], [40.0]])
    # 10 days at 0 (before), 10 at 10, 11 at 40 over January
    m = P.step_mean(dates, v, dt.date(2025, 1, 1), dt.date(2025, 2, 1))
    assert float(m[0]) == pytest.approx((0 * 10 + 10 * 10 + 40 * 11) / 31)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["01", "27", "84", "85", "87", "90"]),
            st.floats(1.0, 1e9),
            st.floats(0.0, 1.0),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    st.floats(0.0, 2.0),
)
def test_aggregation_equals_the_product_level_weighted_mean(rows, rate):
    hs2 = [r[0] for r in rows]
    v = np.array([r[1] for r in rows])
    c = v * np.array([r[2] for r in rows])
    on232 = [r[3] for r in rows]
    g = _groups(hs2, v, c, s232_autos=on232)
    got = P.sector_effective_rates(g, rate, SECTORS, exclude=["s232_autos"])
    smap = dict(zip(g.hs2, g.sectors(), strict=True))
    for s in set(smap.values()):
        num = sum(
            vi * rate * (1 - ci / vi) * (not a) for h, vi, ci, a in zip(hs2, v, c, on232, strict=True) if smap[h] == s
        )
        den = sum(vi for h, vi in zip(hs2, v, strict=True) if smap[h] == s)
        assert got[SECTORS.index(s)] == pytest.approx(num / den, rel=1e-9, abs=1e-12)


def test_the_sector_rate_is_not_the_rate_times_the_mean_claim_share():
    # a big unclaimed line on the 232 list (excluded from the measure) and a small line half claimed
    g = _groups(["84", "84"], [900.0, 100.0], [0.0, 50.0], s232_autos=[True, False])
    r = P.sector_effective_rates(g, 0.25, SECTORS, exclude=["s232_autos"])[SECTORS.index("machinery")]
    assert r == pytest.approx(0.25 * 100 * 0.5 / 1000)  # only the covered line pays, on its unclaimed half
    assert r != pytest.approx(0.25 * (1 - g.claim_share))  # the rate times the sector's claimed share
    assert r != pytest.approx(0.25 * 0.1 * (1 - g.claim_share))  # ... even scaled by the coverage


def test_only_and_exclude_select_lists_and_chapters():
    g = _groups(["87", "87", "84"], [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], s232_autos=[True, False, False])
    assert P.select_products(g, only=["s232_autos"]).tolist() == [True, False, False]
    assert P.select_products(g, exclude=["87"]).tolist() == [False, False, True]
    assert P.select_products(g, only=["87"], exclude=["s232_autos"]).tolist() == [False, True, False]


def test_shares_lie_in_the_unit_interval():
    for exporter in ("MEX", "CAN"):
        for period in ("2024", "2025H1", "2025H2", "latest"):
            g = P.load_product_groups(exporter, period)
            s = g.claimed_shares()
            assert np.all((s >= 0) & (s <= 1)) and 0 < g.claim_share < 1
    pan = P.load_tariff_panel()
    assert np.all((pan.coverage > 0) & (pan.coverage <= 1))


# ----------------------------------------------------------------------------- facts of the data


def test_claiming_from_mexico_rose_from_about_048_to_about_088():
    """../shared/data/README.md: claimed share 0.45-0.49 January-June 2025, 0.87-0.89 from July 2025."""
    h1, h2 = P.load_product_groups("MEX", "2025H1"), P.load_product_groups("MEX", "2025H2")
    assert 0.45 <= h1.claim_share <= 0.49
    assert 0.87 <= h2.claim_share <= 0.89
    for m in ("2025-01", "2025-03", "2025-06"):
        assert 0.44 <= P.load_product_groups("MEX", m).claim_share <= 0.49
    for m in ("2025-07", "2025-10", "2026-02"):
        assert 0.86 <= P.load_product_groups("MEX", m).claim_share <= 0.91


def test_imports_from_mexico_2024_and_2025():
    """503.4 bn USD in 2024 (Census, README); 42.0 bn in January 2025, 41.9 in December, about 531 bn in 2025."""
    assert P.load_product_groups("MEX", "2024").value.sum() / 1e9 == pytest.approx(503.4, abs=0.05)
    assert 527.0 <= P.load_product_groups("MEX", "2025").value.sum() / 1e9 <= 531.0
    assert P.load_product_groups("MEX", "2025-01").value.sum() / 1e9 == pytest.approx(42.0, abs=0.1)
    assert P.load_product_groups("MEX", "2025-12").value.sum() / 1e9 == pytest.approx(41.9, abs=0.1)


def test_2024_claim_share_matches_the_external_figure():
    """The 2024 claim shares weighted by Census 2024 imports give 0.496, the 0.49 widely cited
    (USITC DataWeb) that mex25-usmca uses."""
    assert P.load_product_groups("MEX", "2024").claim_share == pytest.approx(0.49, abs=0.01)


def test_effective_rate_of_25_percent_by_claim_period():
    """25 % on unclaimed goods from Mexico: about 12.6 % with 2024 claims, under 3 % with the
    claims of the second half of 2025 (the take-up response)."""
    r24 = P.mean_effective_rate(P.load_product_groups("MEX", "2024"), 0.25)
    rh2 = P.mean_effective_rate(P.load_product_groups("MEX", "2025H2"), 0.25)
    assert r24 == pytest.approx(0.25 * (1 - 0.496), abs=0.001)
    assert 0.02 < rh2 < 0.035 < r24


def test_panel_china_far_above_mexico_in_2025():
    pan = P.load_tariff_panel()
    m = pan.mean_rate("2025-01-01", "2026-01-01")
    assert 0.02 < m["MEX"] < 0.10 < m["CHN"]
    assert set(pan.regions) == set(load_dataset("default").countries) - {"USA"}
    # before the first measure of 2025 nothing had changed
    assert all(v == 0.0 for v in pan.rate_at("2025-01-15").values())
    # the panel's Mexico rate on 6 March 2025 is the tracker's 4.5 %
    assert pan.rate_at("2025-03-06")["MEX"] == pytest.approx(0.045)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", ["2025-13-01", "2025Q5", "yesterday", "2025/03/04", 20250304])
def test_bad_dates(bad):
    with pytest.raises(ScenarioError, match="start"):
        P.parse_date(bad, source="s.toml", field="tariffs[0].start")


def test_dates_outside_the_panel_and_ranges_backwards():
    pan = P.load_tariff_panel()
    with pytest.raises(ScenarioError, match="outside the effective-tariff panel"):
        pan.rate_at("2024-12-31", source="s.toml", field="partners.date")
    with pytest.raises(ScenarioError, match="outside"):
        pan.mean_rate("2026-06-01", "2027-06-01", source="s.toml")
    with pytest.raises(ScenarioError, match="not after start"):
        pan.mean_rate("2025-06-01", "2025-03-01", source="s.toml")


def test_unknown_product_codes_and_periods():
    g = P.load_product_groups("MEX", "2024")
    with pytest.raises(ScenarioError, match="unknown product code '8703'.*chapter"):
        P.select_products(g, exclude=["8703"], source="s.toml", field="tariffs[0]")
    with pytest.raises(ScenarioError, match="unknown product code 'steel'"):
        P.select_products(g, only=["steel"])
    with pytest.raises(ScenarioError, match="not in the data"):
        P.load_product_groups("MEX", "2023")
    with pytest.raises(ScenarioError, match="not in the data"):
        P.load_product_groups("MEX", "2026")  # only January and February 2026 are in the data
    with pytest.raises(ScenarioError, match="no product data"):
        P.load_product_groups("JPN", "2024")


@pytest.mark.parametrize("bad", [-0.1, 1.5, "0.5", True, float("nan")])
def test_shares_outside_the_unit_interval(bad):
    with pytest.raises(ScenarioError, match=r"share in \[0, 1\]"):
        P.check_share(bad, source="s.toml", field="tariffs[0].exempt_share")


# ----------------------------------------------------------------------------- rebuild and the episode file


def _build_module():
    spec = importlib.util.spec_from_file_location("build_policy", ROOT / "data" / "build" / "build_policy.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "data" / "build"))
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.shared_data
def test_policy_data_rebuild_byte_for_byte(shared_data, tmp_path):
    pytest.importorskip("pyarrow")
    if not (shared_data / "tariff_tracker" / "usmca_monthly").is_dir():
        pytest.skip("../shared/data/tariff_tracker not found")
    subprocess.run(
        [sys.executable, str(ROOT / "data" / "build" / "build_policy.py"), "--raw", str(shared_data)]
        + ["--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for f in sorted((ROOT / "data" / "policy").iterdir()):
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


@pytest.mark.shared_data
def test_chapter_aggregation_equals_the_raw_lines(shared_data):
    """The shipped groups give the line-by-line import-weighted mean of product effective rates
    (25 % on unclaimed lines, Section 232 lines excluded) for July 2025, from the raw monthly file."""
    if not (shared_data / "tariff_tracker" / "usmca_monthly").is_dir():
        pytest.skip("../shared/data/tariff_tracker not found")
    b = _build_module()
    lists = b.product_lists(shared_data)
    m = b.read_month(shared_data / "tariff_tracker" / "usmca_monthly" / "usmca_product_shares_2025_07.csv.gz")
    m = m[m["cty_code"] == "2010"].reset_index(drop=True)
    fl = b.flag_lines(m["hts10"], lists, china=False)
    v = m["total_value"].to_numpy(float)
    share = np.divide(m["usmca_value"].to_numpy(float), v, out=np.zeros_like(v), where=v > 0)
    eff = 0.25 * (1 - share) * ~(fl["s232_metals"] | fl["s232_autos"]).to_numpy()
    sec = m["hts10"].str[:2].map(hs2_sector_map())
    line = pd.DataFrame({"s": sec, "v": v, "p": v * eff}).groupby("s").sum()
    got = P.sector_effective_rates(
        P.load_product_groups("MEX", "2025-07"), 0.25, SECTORS, exclude=["s232_metals", "s232_autos"]
    )
    for s, row in line.iterrows():
        if row["v"] > 0:
            assert got[SECTORS.index(s)] == pytest.approx(row["p"] / row["v"], rel=1e-6, abs=1e-9)


def test_episode_file_records_the_shipped_contrast():
    summary = json.loads((ROOT / "data" / "policy" / "claim_contrast_summary.json").read_text())
    ep = tomllib.loads((ROOT / "data" / "episodes" / "mexico2025-claim-contrast.toml").read_text())
    assert ep["observed"]["value"] == summary["contrast_pct"]
    assert [ep["band"]["low"], ep["band"]["high"]] == summary["band_pct"]
    t = pd.read_csv(ROOT / "data" / "policy" / "mex2025_claim_contrast.csv", dtype={"hs2": str})
    assert int(t["included"].sum()) == summary["chapters"] == 52
