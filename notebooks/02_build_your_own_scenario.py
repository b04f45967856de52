# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Build your own scenario
#
# A scenario says *who taxes whom, on what, at which rate*, plus the assumptions that turn trade
# changes into GDP. This notebook builds scenarios two ways (a Python dict and a TOML file), shows
# what happens when a scenario is malformed, and compares a family of cases side by side:
#
# | scenario | what it is |
# | --- | --- |
# | `mex25` | the seed case: 25 % on all US imports from Mexico (notebook 01) |
# | `mex25-usmca` | the same with USMCA-compliant goods exempt (49 % of 2024 imports, decision of 6 March 2025) |
# | `mex25-retaliation` | the seed case plus a 25 % Mexican tariff on all US goods |
# | `mex25-vehicles` | 25 % on Mexican vehicles and parts (HS 87) only, built here |
# | `us-metals` | 25 % on base metals (HS 72-83) from every source, a Section-232-style tariff, built here |
# | `zero` | the seed case at a 0 % rate: the model must do nothing |
#
# Units as in notebook 01: rates are shares (0.25 = 25 %), trade in USD at exporter prices,
# percent changes from the baseline, GDP as the deviation of the level from the no-tariff
# baseline. All runs are partial equilibrium (the scenarios' `model = "pe"`); to save time the
# recession Monte Carlo uses 20,000 paths and no parameter draws.

# %%
# %matplotlib inline
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

import tariffsim as ts
from tariffsim import plots
from tariffsim.scenario import validate_file

pd.set_option("display.float_format", "{:,.3f}".format)
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
data = ts.load_dataset()
print("tariffsim", ts.__version__)

# %% [markdown]
# ## 1. A scenario from a Python dict
#
# The structure is the TOML file's, as nested dicts and lists. Tariff measures name the importer,
# the exporters (codes, or `"all"`), the sectors (or `"all"`, with optional `exclude_sectors`), the
# rate as a share, and optionally an `exempt_share` (part of the trade that stays duty-free) and a
# `mode` (`"add"` to the 2024 duty, the default, or `"set"` to replace it). The sectors of the
# embedded dataset:

# %%
display(pd.Series(data.meta["sector_labels"], name="label").to_frame())

# %% [markdown]
# A 25 % tariff on Mexican vehicles and parts only (HS 87: cars, trucks and auto parts, Mexico's
# largest export to the US at 135 bn USD in 2024). The assumptions are the seed case's. The sets
# run are the central, low and high sets and the GSIM example set, which has a finite
# export-supply elasticity (ε_x = 1.5) and will matter below.

# %%
vehicles_spec = {
    "name": "mex25-vehicles",
    "description": "25 % US tariff on vehicles and parts (HS 87) from Mexico only",
    "country": "MEX",
    "model": "pe",
    "horizon": 12,
    "phase_in": "2025Q2",
    "tariffs": [{
        "importer": "USA",
        "exporters": ["MEX"],
        "sectors": ["vehicles"],
        "rate": 0.25,
        "label": "25 % on Mexican vehicles and parts",
        "source": "illustration",
    }],
    "assumptions": {"export_dependence": 0.80, "baseline_growth_annual_pct": 1.2},
    "elasticities": {"sets": ["central", "low", "high", "gsim-example"]},
    "uncertainty": {"draws": 0, "n_paths": 20_000},
}
vehicles = ts.Scenario.from_dict(vehicles_spec)
print(vehicles.to_toml())
print("scenario hash:", vehicles.hash)

# %% [markdown]
# ## 2. The same in TOML: write, load, validate
#
# `Scenario.to_toml()` writes the normalised scenario; `load_scenario(path)` reads it back. The
# hash is computed from the content only, so the round trip gives the same hash. Files go to a
# temporary folder here (removed at the end); in practice keep them next to your notebook and under
# version control.

# %%
workdir = Path(tempfile.mkdtemp(prefix="tariffsim-scenarios-"))
vehicles_file = workdir / "mex25-vehicles.toml"
vehicles_file.write_text(vehicles.to_toml(), encoding="utf-8")
reloaded = ts.load_scenario(vehicles_file)
print(reloaded.name, reloaded.hash)

# %% [markdown]
# A hand-written file: the USMCA exemption. Comments are welcome in TOML; every key is checked.
# `validate_file` is what `tariffsim validate FILE` runs on the command line: it parses the file,
# validates every field and checks the countries and sectors against the scenario's dataset.

# %%
usmca_toml = """
name = "my-usmca"
description = "25 % US tariff on Mexico, USMCA-compliant goods exempt"
country = "MEX"
phase_in = "2025Q2"

[[tariffs]]
importer = "USA"
exporters = ["MEX"]
sectors = "all"
rate = 0.25
exempt_share = 0.49   # share of 2024 US imports from Mexico that entered under the USMCA preference

[assumptions]
export_dependence = 0.80
baseline_growth_annual_pct = 1.2

[uncertainty]
draws = 0
n_paths = 20000
"""
usmca_file = workdir / "my-usmca.toml"
usmca_file.write_text(usmca_toml, encoding="utf-8")
my_usmca = validate_file(usmca_file)
print(f"valid scenario {my_usmca.name!r}: {len(my_usmca.tariffs)} tariff measure(s), "
      f"effective rate {my_usmca.tariffs[0].effective_rate:.4f}, hash {my_usmca.hash}")

# %% [markdown]
# **Check.** The TOML round trip keeps the content (same hash). The hand-written file and the
# built-in `mex25-usmca` differ in name and labels (different hashes) but put exactly the same
# tariffs on the data: 25 % × (1 − 0.49) = 12.75 % on top of the 2024 duty on every Mexican good.

# %%
assert reloaded.hash == vehicles.hash and reloaded.to_dict() == vehicles.to_dict()
i_mex, i_us, i_veh = data.index("MEX"), data.index("USA"), data.sectors.index("vehicles")
assert data.values[i_mex, i_us].argmax() == i_veh and round(data.values[i_mex, i_us, i_veh] / 1e9) == 135
builtin_usmca = ts.load_scenario("mex25-usmca")
assert my_usmca.hash != builtin_usmca.hash
t0_mine, t1_mine = my_usmca.tariff_arrays(data)
t0_builtin, t1_builtin = builtin_usmca.tariff_arrays(data)
assert np.array_equal(t1_mine, t1_builtin) and np.array_equal(t0_mine, t0_builtin)
assert np.allclose(t1_mine[i_mex, i_us] - t0_mine[i_mex, i_us], 0.1275)

# %% [markdown]
# ## 3. When a scenario is wrong
#
# Every error is a `tariffsim.ScenarioError` naming the source (a file, or `<dict>`), the field
# path and what was expected. The command line prints the same message on one line and exits
# with status 2. Some mistakes are caught when the scenario is read; those that depend on the data
# (an unknown country or sector) when it is validated against the dataset or run.

# %%
measure = {"importer": "USA", "exporters": ["MEX"], "rate": 0.25}
broken = {
    "rate in percent, not as a share": {"name": "bad", "tariffs": [{**measure, "rate": 25}]},
    "misspelt key": {"name": "bad", "tariffs": [{**measure, "rates": 0.25}]},
    "elasticity with the wrong sign": {
        "name": "bad", "tariffs": [measure],
        "elasticities": {"custom": {"mine": {"sigma": 4.0, "eta": -1.25}}, "sets": ["mine"]}},
    "low/high range without a central value": {
        "name": "bad", "tariffs": [measure], "assumptions": {"multiplier": {"low": 0.7, "high": 1.3}}},
    "sector not in the data": {"name": "bad", "tariffs": [{**measure, "sectors": ["cars"]}]},
    "country not in the data": {"name": "bad", "tariffs": [{**measure, "exporters": ["MEXICO"]}]},
}
errors = {}
for what, spec in broken.items():
    try:
        ts.Scenario.from_dict(spec).validate_against(data)
    except ts.ScenarioError as exc:
        errors[what] = exc
        print(f"{what}:\n    {exc}\n")
    else:
        print(f"{what}: accepted (unexpected)")

# %% [markdown]
# A file that is not valid TOML at all:

# %%
bad_file = workdir / "broken.toml"
bad_file.write_text('name = "broken"\n[[tariffs]]\nimporter = USA\n', encoding="utf-8")
try:
    validate_file(bad_file)
except ts.ScenarioError as exc:
    toml_error = exc
    print(f"{bad_file.name}: {str(exc).split(': ', 1)[1]}")

# %% [markdown]
# **Check.** Every broken scenario was refused, and each error points at the offending field.

# %%
assert set(errors) == set(broken)
assert errors["rate in percent, not as a share"].field == "tariffs[0].rate"
assert errors["misspelt key"].field == "tariffs[0].rates"
assert errors["elasticity with the wrong sign"].field == "elasticities.custom.mine.eta"
assert errors["low/high range without a central value"].field == "assumptions.multiplier"
assert errors["sector not in the data"].field == "tariffs[0].sectors[0]"
assert errors["country not in the data"].field == "tariffs[0].exporters[0]"
assert "not valid TOML" in str(toml_error) and toml_error.source == str(bad_file)

# %% [markdown]
# ## 4. A family of scenarios
#
# Variations are built from a base scenario: `with_rate(r)` sets every tariff measure to rate `r`;
# `replace(...)` swaps fields and validates the result again.

# %%
base = ts.load_scenario("mex25")
metals = base.replace(
    name="us-metals",
    description="25 % US tariff on base metals (HS 72-83) from every source",
    tariffs=[{"importer": "USA", "exporters": "all", "sectors": ["metals"], "rate": 0.25,
              "label": "25 % on base metals from all sources",
              "source": "illustration in the spirit of the Section 232 steel and aluminium tariffs"}],
)
scenarios = {
    "mex25": base,
    "mex25-usmca": builtin_usmca,
    "mex25-retaliation": ts.load_scenario("mex25-retaliation"),
    "mex25-vehicles": vehicles,
    "us-metals": metals,
    "zero": base.with_rate(0.0).replace(name="zero", description="the seed case at a 0 % rate"),
}
for name, sc in scenarios.items():
    print(f"{name:18} {sc.description}")

# %%
SETS = ["central", "low", "high"]
results = {name: ts.simulate(sc, elasticities=SETS + (["gsim-example"] if name == "mex25-vehicles" else []),
                             draws=0, n_paths=20_000)
           for name, sc in scenarios.items()}


def duty_on_mexico_pct(r) -> float:
    """New duty on Mexico's exports to the US, trade-weighted, percent of their value."""
    v = r.data.values[i_mex, i_us]
    return 100 * float((v * (r.t1[i_mex, i_us] - r.t0[i_mex, i_us])).sum() / v.sum())


rows = []
for name, r in results.items():
    for s in SETS:
        h = r.headline(s)
        rows.append({
            "scenario": name, "elasticity_set": s,
            "new_duty_on_mex_exports_to_us_pct": duty_on_mexico_pct(r),
            "exports_to_us_change_pct": h["exports_to_us_change_pct"],
            "exports_change_pct": h["exports_change_pct"],
            "gdp_impact_pct": h["gdp_impact_pct"],
            "gdp_impact_pct_long_run": h["gdp_impact_pct_long_run"],
            "recession_probability": h["recession_probability"],
            "recession_probability_baseline": h["recession_probability_baseline"],
        })
tidy = pd.DataFrame(rows)
tidy.attrs["units"] = "percent; probabilities as shares 0-1; GDP after four quarters unless long_run"
tidy.head(6)

# %% [markdown]
# The tidy table has one row per scenario and elasticity set, ready for `groupby`, plotting or
# `to_csv`. For reading, the central set with the low–high range of the GDP impact:

# %%
wide = tidy.pivot(index="scenario", columns="elasticity_set", values="gdp_impact_pct")
side_by_side = (tidy[tidy.elasticity_set == "central"].set_index("scenario")
                .drop(columns="elasticity_set")
                .assign(gdp_low_set=wide["low"], gdp_high_set=wide["high"])
                .loc[list(scenarios)])
display(side_by_side)

# %% [markdown]
# **Check.** The USMCA exemption softens the GDP loss and retaliation deepens it, in every
# elasticity set, to the README's −3.81 % and −8.22 % in the central set; the vehicles-only and
# metals tariffs cost less than the tariff on everything; at a 0 % rate nothing moves.

# %%
gdp = wide
for s in SETS:
    assert gdp.loc["mex25-retaliation", s] < gdp.loc["mex25", s] < gdp.loc["mex25-usmca", s] < 0
    assert gdp.loc["mex25", s] < gdp.loc["mex25-vehicles", s] < 0
    assert gdp.loc["mex25", s] < gdp.loc["us-metals", s] < 0
assert f"{gdp.loc['mex25-usmca', 'central']:.2f}" == "-3.81"
assert f"{gdp.loc['mex25-retaliation', 'central']:.2f}" == "-8.22"
assert np.isclose(side_by_side.loc["mex25-usmca", "new_duty_on_mex_exports_to_us_pct"], 12.75)
assert np.isclose(side_by_side.loc["mex25", "new_duty_on_mex_exports_to_us_pct"], 25.0)

# %% [markdown]
# ### The figure

# %%
order = list(scenarios)[::-1]
central, low, high = (wide.loc[order, s].to_numpy() for s in ("central", "low", "high"))
with plots.style():
    fig = Figure(figsize=(6.5, 3.4), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(order))
    ax.barh(y, central, height=0.6, facecolor="#1f4e89", edgecolor="#0b1f3a", zorder=2,
            label="central set (σ 4, η 1.5)")
    ax.errorbar(central, y, xerr=[central - high, low - central], fmt="none", ecolor="#222222", capsize=4,
                zorder=3, label="range: low (σ 2) to high (σ 8) set")
    for yi, v in zip(y, central, strict=True):
        ax.text(v - 0.15, yi + 0.32, f"{v:.1f}".replace("-", "−"), ha="right", va="bottom", fontsize=7.5)
    ax.axvline(0, color="#222222", linewidth=0.8)
    ax.set_yticks(y, order)
    ax.xaxis.grid(True)
    ax.set_xlabel("Mexico's real GDP after four quarters, deviation from baseline (%)")
    ax.set_title("Mexico: GDP impact by scenario (partial equilibrium)")
    ax.legend(loc="lower left", frameon=False)
    fig.text(0.01, -0.02, plots.sources_caption(results["mex25"], sets=SETS), fontsize=6, wrap=True, va="top")
display(fig)

# %% [markdown]
# ## 5. Retaliation: which assumptions carry its cost
#
# Mexico's 25 % tariff on US goods costs Mexico GDP through two channels (MODELS.md section 2):
#
# * **retaliation inputs**: much of what Mexico buys from the US are inputs into its own exports
#   (maquiladora/IMMEX trade). The duty on them raises Mexico's export prices by a cost wedge
#   = `us_input_share_of_imports` × `input_cost_passthrough` × duty on US goods / Mexico's
#   exports (central values 0.45 and 0.75, assumptions), which then cuts exports to every market;
# * **real income**: Mexican buyers pay more for US goods; the duty collected returns only part of
#   it (the PE consumer-surplus loss plus the tariff revenue, passed to GDP one for one).
#
# Neither channel is estimated; they rest on the two assumptions above, so the cost of retaliation
# is best read as a range.

# %%
ret = results["mex25-retaliation"]
channels_4q = ret.gdp_path("central").query("quarter == 4").iloc[0]
display(channels_4q[["gdp_deviation_pct", "trade_pct", "retaliation_inputs_pct", "real_income_pct",
                     "uncertainty_pct"]].astype(float).to_frame("after four quarters, % of GDP"))

# %% [markdown]
# The cost wedge by hand, from the data and the assumptions:

# %%
a = ret.outcome().macro.assumptions
us_exports_to_mex = data.exports("USA", to="MEX")
wedge_by_hand = a.us_input_share_of_imports * a.input_cost_passthrough * 0.25 * us_exports_to_mex / a.exports_usd
print(f"US exports to Mexico {us_exports_to_mex / 1e9:.1f} bn USD, Mexico's exports {a.exports_usd / 1e9:.1f} bn USD")
print(f"cost wedge on Mexico's export prices: by hand {100 * wedge_by_hand:.2f} %, "
      f"model {100 * ret.outcome().macro.wedge:.2f} %")

# %% [markdown]
# The wedge makes Mexico's exports dearer in *every* market, so with retaliation Mexico also sells
# less to third countries. Note that the export numbers of `headline()`, `summary()` and
# `by_flow()` (and the side-by-side table above) are the trade model's solution for the tariffs
# alone; the exports including the input-cost wedge, which the GDP path uses, are in the macro
# outcome (long run, central set, percent):

# %%
m = ret.outcome().macro
display(pd.DataFrame({
    "tariffs only": {k: m.exports_long_run[k] for k in ("total_pct", "us_pct", "other_pct")},
    "with the input-cost wedge": {k: m.exports_long_run[f"{k}_with_input_costs"]
                                  for k in ("total_pct", "us_pct", "other_pct")},
}).rename(index={"total_pct": "all markets", "us_pct": "to the US", "other_pct": "to other markets"}))

# %% [markdown]
# The extra GDP cost of retaliation (retaliation minus the seed case, after four quarters, central
# elasticities) as the two assumptions move over their low–central–high ranges, and with no
# pass-through at all. Only their product enters the wedge, so a low input share and a low
# pass-through happen to give the same cost here (0.30 × 0.75 = 0.45 × 0.50).

# %%
ret_sc = scenarios["mex25-retaliation"]
seed_gdp = gdp.loc["mex25", "central"]


def retaliation_cost(**assumptions) -> dict:
    sc = ret_sc.replace(assumptions={**ret_sc.to_dict()["assumptions"], **assumptions})
    r = ts.simulate(sc, elasticities="central", draws=0, recession=False)
    ch = r.gdp_path("central").query("quarter == 4").iloc[0]
    return {"extra_gdp_cost_pct": r.headline()["gdp_impact_pct"] - seed_gdp,
            "retaliation_inputs_pct": ch["retaliation_inputs_pct"], "real_income_pct": ch["real_income_pct"],
            "cost_wedge_pct": 100 * r.outcome().macro.wedge}


cases = {
    "central (share 0.45, pass-through 0.75)": {},
    "input share low (0.30)": {"us_input_share_of_imports": 0.30},
    "input share high (0.60)": {"us_input_share_of_imports": 0.60},
    "pass-through low (0.50)": {"input_cost_passthrough": 0.50},
    "pass-through high (1.00)": {"input_cost_passthrough": 1.00},
    "no pass-through (0)": {"input_cost_passthrough": 0.0},
}
ret_costs = pd.DataFrame({k: retaliation_cost(**v) for k, v in cases.items()}).T
display(ret_costs)

# %% [markdown]
# **Check.** The wedge matches the formula; both channels are losses; the wedge lowers exports to
# every destination, third markets included; the cost rises with the input
# share and the pass-through; with no pass-through the input channel vanishes exactly and what is
# left of retaliation's cost is the real-income channel.

# %%
assert np.isclose(wedge_by_hand, ret.outcome().macro.wedge)
assert channels_4q["retaliation_inputs_pct"] < 0 and channels_4q["real_income_pct"] < 0
for k in ("total_pct", "us_pct", "other_pct"):
    assert m.exports_long_run[f"{k}_with_input_costs"] < m.exports_long_run[k]
assert m.exports_long_run["other_pct_with_input_costs"] < 0
c = ret_costs["extra_gdp_cost_pct"]
assert c["input share high (0.60)"] < c["central (share 0.45, pass-through 0.75)"] < c["input share low (0.30)"] < 0
assert c["pass-through high (1.00)"] < c["central (share 0.45, pass-through 0.75)"] < c["pass-through low (0.50)"] < 0
none = ret_costs.loc["no pass-through (0)"]
assert none["retaliation_inputs_pct"] == 0.0 and none["cost_wedge_pct"] == 0.0
assert np.isclose(none["extra_gdp_cost_pct"], none["real_income_pct"])

# %% [markdown]
# ## 6. A sector tariff: vehicles only
#
# In the PE model each sector is its own market, so a tariff on vehicles changes nothing in the
# other sectors. With fixed exporter prices (ε_x = ∞, the central set) Mexico's other exports to
# the US are *exactly* unchanged, and so are its vehicle exports to other markets. With a finite
# export-supply elasticity (GSIM example, ε_x = 1.5) Mexico's vehicle prices fall, US buyers absorb
# less of the tariff, the fall in US sales is smaller, and the cheaper Mexican vehicles sell more
# in third markets (deflection). The deflection is large in this textbook parameterisation: Mexico
# is a small supplier in those markets, where σ = 5 turns a modest price cut into a large gain in
# market share from a small base.

# %%
veh = results["mex25-vehicles"]
rows = {}
for s in ("central", "gsim-example"):
    to_us = veh.by_sector(s, importer="USA", horizon="long_run").set_index("sector")
    f = veh.by_flow(s, horizon="long_run")
    f = f[(f.exporter == "MEX") & (f.sector == "vehicles") & (f.importer != "USA")]
    rows[s] = {
        "vehicles to the US, change %": to_us.loc["vehicles", "change_pct"],
        "other sectors to the US, largest |change| %": to_us.drop("vehicles")["change_pct"].abs().max(),
        "vehicles to other markets, change %": 100 * f.change_usd.sum() / f.value_baseline_usd.sum(),
        "GDP after four quarters %": veh.headline(s)["gdp_impact_pct"],
    }
vehicle_table = pd.DataFrame(rows)
display(vehicle_table)

# %%
plots.export_losses_by_sector(veh)

# %% [markdown]
# **Check.** The vehicles tariff hits vehicles; with ε_x = ∞ other sectors' exports to the US do
# not move at all, and nothing is deflected to third markets; with ε_x = 1.5 other sectors stay
# (numerically) unchanged, the US loss is smaller and vehicle exports to third markets rise.

# %%
vt = vehicle_table
assert vt.loc["vehicles to the US, change %", "central"] < -10
assert vt.loc["other sectors to the US, largest |change| %", "central"] == 0.0
assert vt.loc["vehicles to other markets, change %", "central"] == 0.0
assert vt.loc["other sectors to the US, largest |change| %", "gsim-example"] < 1e-9
assert vt.loc["vehicles to the US, change %", "central"] < vt.loc["vehicles to the US, change %", "gsim-example"] < 0
assert vt.loc["vehicles to other markets, change %", "gsim-example"] > 0

# %% [markdown]
# ## 7. A tariff on every source: metals
#
# When the US taxes base metals from *every* source, relative prices between sources move only
# through the 2024 duties (25 points more is a smaller price rise on goods that already pay 18 %,
# like Chinese metals, than on duty-free Mexican metals), so there is little diversion: each
# source's US sales fall mostly through the import-demand elasticity η. Mexico's metals exports to
# the US fall far less than under a tariff on Mexican metals alone. When only Mexico is tariffed,
# every other source gains the same percentage (with CES demand and fixed exporter prices their
# relative prices do not change).

# %%
mex_only_metals = metals.replace(name="mex-metals", tariffs=[{**metals.to_dict()["tariffs"][0], "exporters": ["MEX"]}])
mm = ts.simulate(mex_only_metals, elasticities="central", draws=0, recession=False)
met = {}
for label, r in (("all sources tariffed", results["us-metals"]), ("only Mexico tariffed", mm)):
    f = r.by_flow("central")
    f = f[(f.importer == "USA") & (f.sector == "metals")].set_index("exporter")
    met[label] = 100 * f.change_usd / f.value_baseline_usd
metals_us = pd.DataFrame(met)
metals_us["baseline_duty_2024_pct"] = 100 * data.tariffs[:, i_us, data.sectors.index("metals")][
    [data.index(c) for c in metals_us.index]]
metals_us.index.name = "US metals imports by source, change %"
display(metals_us)

# %% [markdown]
# **Check.** Under the all-source tariff every source loses, and the source with the highest 2024
# duty (China) loses least; Mexico loses much less than when it alone is tariffed; then all its
# competitors gain, by the same percentage.

# %%
all_src, mex_src = metals_us["all sources tariffed"], metals_us["only Mexico tariffed"]
assert (all_src < 0).all()
assert all_src.idxmax() == metals_us["baseline_duty_2024_pct"].idxmax() == "CHN"
assert mex_src["MEX"] < all_src["MEX"] < 0
assert (mex_src.drop("MEX") > 0).all() and np.ptp(mex_src.drop("MEX")) < 1e-9

# %% [markdown]
# ## 8. Zero means zero
#
# At a 0 % rate the scenario must leave everything where it was: no trade change, no revenue, a
# GDP path of zeros, and, because the paths with and without the tariff share their random
# numbers, exactly the baseline recession probability.

# %%
z = results["zero"]
zero_summary = z.summary()[["elasticity_set", "exports_change_pct", "us_tariff_revenue_usd", "gdp_impact_pct",
                            "recession_probability", "recession_probability_baseline"]]
display(zero_summary)

# %%
for s in z.set_names:
    assert np.array_equal(z.t1, z.t0)
    assert np.all(z.outcome(s).macro.path == 0.0)
    h = z.headline(s)
    assert h["exports_change_pct"] == 0.0 and h["us_tariff_revenue_usd"] == 0.0
    assert h["recession_probability"] == h["recession_probability_baseline"]
assert np.allclose(z.by_flow()["change_usd"], 0.0)

# %% [markdown]
# ## Notes
#
# * `exempt_share` is a share of the *trade* that enters duty-free, applied to every sector alike;
#   USMCA compliance in fact varies by sector (high for vehicles, low for some consumer goods).
#   Split the measure by sector if you know the sector shares.
# * The `metals` sector is HS 72-83, wider than the steel and aluminium products (HS 72, 73, 76)
#   of the Section 232 tariffs.
# * The retaliation channels' parameters are assumptions (see the table in section 5); the
#   scenario file can set each one, or give it a low/central/high range that the Monte Carlo
#   draws from (notebook 03).

# %%
shutil.rmtree(workdir)  # the temporary scenario files of sections 2 and 3
