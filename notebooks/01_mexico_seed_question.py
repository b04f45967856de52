# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # The seed question: a 25 % US tariff on all imports from Mexico
#
# **Question.** The United States puts a 25 % tariff on every good it imports from Mexico, on top of
# the duties of 2024. About 80 % of Mexico's goods exports go to the US. How far do Mexico's exports
# fall, what happens to its GDP, how likely is a recession, and how much depends on elasticities?
#
# Everything below comes from one call, `tariffsim.simulate("mex25")`, on the data embedded in the
# package. The model documentation is in `docs/models/` (PE, macro, recession, GE, GE-IO).

# %%
# %matplotlib inline
import matplotlib

matplotlib.rcParams["font.size"] = 10
import numpy as np
import pandas as pd

import tariffsim as ts
from tariffsim.outputs.figures.gdp import gdp_by_set, gdp_path_chart

data = ts.load_dataset()
res = ts.simulate("mex25")
j = res.to_json()
print(res.summary_text())

# %% [markdown]
# ## 1. The data: how exposed is Mexico?
#
# US imports from Mexico in 2024 (US Census, 503.4 bn USD) and the share of Mexico's exports that
# go to the US in BACI 2023 (77.1 %); the scenario uses the design card's 80 %.

# %%
mex_to_us = data.exports("MEX", to="USA")
print(f"US imports from Mexico, 2024: {mex_to_us / 1e9:,.1f} bn USD")
print(f"export dependence: data {j['export_dependence_data']:.3f}, scenario {j['export_dependence']:.2f}")
assert round(mex_to_us / 1e9, 1) == 503.4  # US Census 2024 (../shared/data README)
assert abs(j["export_dependence_data"] - 0.771) < 5e-4  # BACI 2023

# %% [markdown]
# ## 2. Exports after one year, and the elasticity that drives them
#
# The one-year response uses Boehm, Levchenko and Pandalai-Nayar's (2023) elasticity of
# *tariff-exclusive* flows, 0.76. In the CES model that quantity is σ itself (the trade elasticity
# of gravity formulas is σ − 1). The model's implied elasticity, measured as they measure it
# (against suppliers whose tariff did not change), recovers the stated value.

# %%
central = ts.get_set("central")
print(f"central set: one-year sigma {central.sigma_one_year}, long-run sigma {central.sigma}")
print(f"Mexico's exports to the US after 4 quarters: {j['exports_to_market_change_pct_after_4q']:+.1f} %")
print(f"implied one-year elasticity: {j['implied_elasticity_one_year']:.3f}")
assert abs(j["implied_elasticity_one_year"] - central.sigma_one_year) < 0.05
# with fixed exporter prices, sales to the US move with (1.25)^(-sigma) relative to untouched suppliers
assert j["exports_to_market_change_pct_after_4q"] < j["exports_change_pct_after_4q"] < 0

# %% [markdown]
# ## 3. GDP: the first-year average first, then the level after four quarters and the long run
#
# The first year is demand-side accounting: lost exports x domestic value added (by sector and
# destination from WIOT 2011, weighted by the exports the tariff cuts: 0.58 per dollar) x a
# multiplier of 1, plus an uncertainty drag that answers the threat. Published first-year estimates
# (about −1 % to −3 %) are annual averages, so the headline is the first-year average, with its 90 %
# band over the parameter draws. In the long run labour and capital are re-employed and two numbers
# differ: real GDP (capital deepening when imported capital goods get dearer, at the GE's prices),
# which the path reaches by a linear blend between quarters 4 and 16, and real income (what
# residents can buy), which is not GDP.

# %%
path = res.gdp_path("central")
print(path[["period", "gdp_deviation_pct", "trade_pct", "long_run_pct", "uncertainty_pct"]].round(2).to_string())
mac = res.outcome().macro
fy = j["gdp_impact_pct_first_year_avg_draws"]
print(f"first-year average {j['gdp_impact_pct_first_year_avg']:+.2f} % (90 % of draws {fy['p05']:+.2f} to {fy['p95']:+.2f} %), "
      f"after 4 quarters {j['gdp_impact_pct']:+.2f} %, long-run real GDP {j['gdp_impact_pct_long_run']:+.2f} %, "
      f"long-run real income (not GDP) {j['real_income_pct_long_run']:+.2f} %; value added at risk {j['value_added_at_risk_pct']:+.2f} %")
assert fy["p05"] < j["gdp_impact_pct_first_year_avg"] < fy["p95"]
assert abs(fy["p50"] / j["gdp_impact_pct_first_year_avg"] - 1) < 0.15  # the draws are centred on the central case
assert np.isclose(j["gdp_impact_pct_first_year_avg"], path.gdp_deviation_pct[:4].mean())
assert np.isclose(j["gdp_impact_pct"], path.gdp_deviation_pct.iloc[3])
assert np.isclose(j["gdp_impact_pct_long_run"], mac.long_run_gdp_pct)
assert np.isclose(j["real_income_pct_long_run"], mac.real_income_pct_long_run)
assert j["value_added_at_risk_pct"] < j["gdp_impact_pct_long_run"] < 0
fig = gdp_path_chart(res)
fig

# %% [markdown]
# ## 4. Which trade model sets the long run?
#
# The near term is the same for every model (PE at one-year elasticities). The long run comes from
# the one-sector GE (2023 data) or, with `model="ge-io"`, from the Caliendo-Parro (2015)
# multi-sector model with input-output linkages, calibrated on the OECD ICIO table of 2022 (its
# input-output shares are of 2015; `io_table="wiod2011"` or `"cp1993"` choose another table).

# %%
runs = {m: ts.simulate("mex25", model=m, recession=False, elasticities=["central"]).to_json() for m in ("pe", "ge", "ge-io")}
table = pd.DataFrame({m: {k: r[k] for k in ("gdp_impact_pct_first_year_avg", "gdp_impact_pct_long_run", "real_income_pct_long_run",
                                            "exports_change_pct_long_run", "exports_to_market_change_pct_long_run")} for m, r in runs.items()})
print(table.round(2).to_string())
assert runs["pe"]["gdp_impact_pct_first_year_avg"] == runs["ge-io"]["gdp_impact_pct_first_year_avg"]
assert np.isclose(runs["pe"]["gdp_impact_pct_long_run"], j["gdp_impact_pct_long_run"])
assert any(n.startswith("input-output table icio2022") and "2015" in n for n in runs["ge-io"]["notes"])

# %% [markdown]
# ## 5. Recession risk
#
# Growth follows an AR(1) with Student-t innovations fitted to INEGI's series 1996-2019, with the
# OECD's pre-tariff growth projection for 2025 (1.2 %, December 2024) as its mean. The headline is
# the change in the probability of two negative quarters within a year against the baseline, on
# common random numbers, with a 90 % band from the elasticity, macro, growth-model and shock-shape
# draws; the Monte Carlo standard error is simulation noise only.

# %%
print(f"baseline {j['recession_probability_baseline']:.3f}, with the tariff {j['recession_probability']:.3f}, "
      f"change {j['recession_probability_change']:+.3f} (s.e. {j['recession_probability_change_se']:.4f})")
assert np.isclose(j["recession_probability_change"], j["recession_probability"] - j["recession_probability_baseline"])
assert 0 < j["recession_probability_change"] and j["recession_probability_change_se"] < 0.01
band = j["recession_probability_change_band"]
print(f"90 % band {band['p05']:+.3f} to {band['p95']:+.3f}; with Gaussian shocks {j['recession_probability_change_gaussian_shocks']:+.3f}")
assert band["p95"] - band["p05"] > 10 * j["recession_probability_change_se"]
fq = j["recession_frequency_4q"]
print(f"technical recessions in four-quarter windows at historical growth: model {fq['model']:.3f}, observed {fq['observed']:.3f}")

# %% [markdown]
# ## 6. How much depends on the elasticities?

# %%
s = res.summary()
print(s[["elasticity_set", "sigma_one_year", "sigma", "gdp_impact_pct_first_year_avg", "gdp_impact_pct",
         "gdp_impact_pct_long_run", "recession_probability_change"]].round(3).to_string(index=False))
assert list(s.elasticity_set) == list(j["by_elasticity_set"])
assert s.set_index("elasticity_set").loc["high", "gdp_impact_pct"] < s.set_index("elasticity_set").loc["central", "gdp_impact_pct"]
fig = gdp_by_set(res)
fig
