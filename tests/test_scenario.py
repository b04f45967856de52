"""Scenario files: structure, validation with field paths, tariff schedules on the data."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

import tariffsim as ts
from tariffsim.cli.main import main as cli_main
from tariffsim.inputs.periods import quarter_labels
from tariffsim.inputs.scenario import Scenario, builtin_scenarios, load_scenario

BASE = {
    "name": "t",
    "tariffs": [{"importer": "USA", "exporters": ["MEX"], "rate": 0.25}],
}


def _with(**kw):
    d = {k: (list(v) if isinstance(v, list) else v) for k, v in BASE.items()}
    d.update(kw)
    return d


def test_builtins_are_listed_with_descriptions():
    names = dict(builtin_scenarios())
    assert {"mex25", "mex25-usmca", "mex25-retaliation", "na-feb2025"} <= set(names)
    assert all(names[n] for n in names)


def test_mex25_is_the_seed_case():
    sc = Scenario.builtin("mex25")
    assert sc.country == "MEX" and sc.model == "pe" and not sc.retaliation
    (m,) = sc.tariffs
    assert (m.importer, m.exporters, m.sectors, m.rate, m.exempt_share) == ("USA", ("MEX",), "all", 0.25, 0.0)
    assert sc.assumptions.export_dependence == 0.80


def test_usmca_exemption_is_the_2024_claims_product_by_product():
    """mex25-usmca exempts the trade claimed under USMCA in 2024, line by line: 0.496 of imports,
    the 0.49 quoted in March 2025 (meta.json); each sector pays 25 % on its own unclaimed share."""
    d = ts.load_dataset()
    sc = Scenario.builtin("mex25-usmca")
    m = sc.tariffs[0]
    assert (m.claims_period, m.claims, m.exempt_share, m.rate) == ("2024", "exempt", 0.0, 0.25)
    g = ts.load_product_groups("MEX", "2024")
    assert g.claim_share == pytest.approx(d.meta["mexico"]["usmca_preference_share_2024"], abs=0.01)
    t0, t1 = sc.tariff_arrays(d)
    dt = t1 - t0
    mx, us = d.index("MEX"), d.index("USA")
    sec = g.sectors()
    for k, s in enumerate(d.sectors):
        rows = sec == s
        assert dt[mx, us, k] == pytest.approx(0.25 * (1 - g.claimed[rows].sum() / g.value[rows].sum()))
    v = d.values[mx, us]
    assert (v * dt[mx, us]).sum() / v.sum() == pytest.approx(0.25 * (1 - g.claim_share))
    dt[mx, us] = 0
    assert not dt.any()


def test_tariff_arrays_na_feb2025():
    d = ts.load_dataset()
    t0, t1 = Scenario.builtin("na-feb2025").tariff_arrays(d)
    dt = t1 - t0
    us, can, chn, mex = (d.index(c) for c in ("USA", "CAN", "CHN", "MEX"))
    fuels = d.sector_index("fuels")
    assert np.allclose(dt[mex, us], 0.25)
    assert dt[can, us, fuels] == pytest.approx(0.10)
    assert np.allclose(np.delete(dt[can, us], fuels), 0.25)
    assert np.allclose(dt[chn, us], 0.10)  # on top of the 2024 duties already paid
    assert np.allclose(t1[chn, us], t0[chn, us] + 0.10)
    mask = np.zeros_like(dt, bool)
    mask[[mex, can, chn], us] = True
    assert not dt[~mask].any()


def test_retaliation_is_applied_by_the_retaliator():
    d = ts.load_dataset()
    t0, t1 = Scenario.builtin("mex25-retaliation").tariff_arrays(d)
    assert np.allclose((t1 - t0)[d.index("USA"), d.index("MEX")], 0.25)
    t0b, t1b = Scenario.builtin("mex25-retaliation").tariff_arrays(d, include_retaliation=False)
    assert not (t1b - t0b)[d.index("USA"), d.index("MEX")].any()


def test_set_mode_replaces_the_baseline():
    d = ts.load_dataset()
    sc = Scenario.from_dict(
        _with(tariffs=[{"importer": "USA", "exporters": ["CHN"], "rate": 0.2, "mode": "set", "exempt_share": 0.5}])
    )
    t0, t1 = sc.tariff_arrays(d)
    i, j = d.index("CHN"), d.index("USA")
    assert np.allclose(t1[i, j], 0.5 * t0[i, j] + 0.5 * 0.2)


def test_toml_round_trip_and_hash():
    sc = Scenario.builtin("na-feb2025")
    again = Scenario.from_dict(tomllib.loads(sc.to_toml()))
    assert again.hash == sc.hash
    assert again.to_dict() == sc.to_dict()
    assert sc.with_rate(0.1).hash != sc.hash
    assert Scenario.builtin("mex25").hash != Scenario.builtin("mex25-usmca").hash


def test_load_scenario_from_name_path_dict(tmp_path):
    p = tmp_path / "my.toml"
    p.write_text(Scenario.builtin("mex25").to_toml())
    assert load_scenario(str(p)).hash == load_scenario("mex25").hash == load_scenario(p).hash
    assert load_scenario(BASE).name == "t"


def test_quarter_labels():
    assert quarter_labels("2025Q3", 4) == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]


@pytest.mark.parametrize(
    "patch, field, needle",
    [
        ({"colour": 1}, "colour", "unknown key 'colour'"),
        (
            {"tariffs": [{"importer": "USA", "rate": 0.1}, {"importer": "USA", "rate": -0.25}]},
            "tariffs[1].rate",
            "negative",
        ),
        (
            {"tariffs": [{"importer": "USA", "rate": 25}]},
            "tariffs[0].rate",
            "rates are shares (0.25 = 25 %), not percent",
        ),
        ({"tariffs": [{"importer": "USA", "rate": 5}]}, "tariffs[0].rate", "reads as 500 %; write 0.05"),
        (
            {"tariffs": [{"importer": "USA", "rate": 0.1, "exempt_share": 1.5}]},
            "tariffs[0].exempt_share",
            "share in [0, 1]",
        ),
        ({"tariffs": [{"importer": "USA", "rate": 0.1, "exporter": "MEX"}]}, "tariffs[0].exporter", "unknown key"),
        ({"tariffs": [{"rate": 0.1}]}, "tariffs[0]", "missing 'importer'"),
        ({"model": "cge"}, "model", "expected one of"),
        ({"horizon": 2}, "horizon", "[4, 80]"),
        ({"phase_in": "Q2 2025"}, "phase_in", "2025Q2"),
        ({"assumptions": {"multiplier": -1}}, "assumptions.multiplier", "outside"),
        ({"assumptions": {"export_dependance": 0.8}}, "assumptions.export_dependance", "unknown assumption"),
        ({"assumptions": {"multiplier": {"low": 1, "central": 1.2}}}, "assumptions.multiplier", "low, central, high"),
        ({"elasticities": {"sets": ["central", "medium"]}}, "elasticities.sets[1]", "unknown elasticity set 'medium'"),
        (
            {"elasticities": {"custom": {"mine": {"sigma": -4, "eta": 1.5}}}},
            "elasticities.custom.mine.sigma",
            "positive magnitudes",
        ),
        (
            {"uncertainty": {"distributions": {"sigma": {"dist": "beta"}}}},
            "uncertainty.distributions.sigma.dist",
            "one of",
        ),
        ({"tariffs": []}, "tariffs", "at least one tariff measure"),
    ],
)
def test_validation_names_field(patch, field, needle):
    with pytest.raises(ts.ScenarioError) as info:
        Scenario.from_dict(_with(**patch), source="my.toml")
    msg = str(info.value)
    assert info.value.field == field, msg
    assert msg.startswith(f"my.toml: {field}: ") and needle in msg


def test_unknown_country_and_sector_against_the_data():
    d = ts.load_dataset()
    sc = Scenario.from_dict(
        _with(tariffs=[{"importer": "USA", "exporters": ["MEX", "BRA"], "rate": 0.1}]), source="s.toml"
    )
    with pytest.raises(ts.ScenarioError, match=r"s.toml: tariffs\[0\].exporters\[1\]: country 'BRA' is not in dataset"):
        sc.validate_against(d)
    sc = Scenario.from_dict(
        _with(tariffs=[{"importer": "USA", "exporters": ["MEX"], "sectors": ["cars"], "rate": 0.1}])
    )
    with pytest.raises(ts.ScenarioError, match=r"tariffs\[0\].sectors\[0\]: sector 'cars' is not in dataset"):
        sc.validate_against(d)
    sc = Scenario.from_dict(_with(tariffs=[{"importer": "USA", "exporters": ["USA"], "rate": 0.1}]))
    with pytest.raises(ts.ScenarioError, match="cannot tariff its own goods"):
        sc.validate_against(d)


def test_bad_toml_names_the_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text('name = "x"\n[[tariffs]\n')
    with pytest.raises(ts.ScenarioError, match=r"broken.toml: not valid TOML"):
        Scenario.from_file(p)


def test_cli_validate(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(Scenario.builtin("mex25-usmca").to_toml())
    assert cli_main(["validate", str(good)]) == 0
    assert "valid scenario 'mex25-usmca'" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[[tariffs]]\nimporter = "USA"\nexporters = ["MEX"]\nrate = -0.1\n')
    assert cli_main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tariffs[0].rate" in err and "bad.toml" in err


def test_cli_scenarios_lists_builtins(capsys):
    assert cli_main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "mex25 " in out and "na-feb2025" in out
