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
# # The seed question: a 25 % US tariff on all imports from Mexico
#
# **Question.** The United States puts a 25 % ad valorem tariff on every good it imports from
# Mexico, on top of the duties of 2024. About 80 % of Mexico's goods exports go to the US. How far
# do Mexico's exports fall, what happens to its GDP, how likely is a recession, and how much of the
# answer depends on trade elasticities that nobody knows precisely?
#
# This notebook answers it end to end with the built-in scenario `mex25` on the data embedded in
# the package (no downloads, no files written):
#
# 1. the data: Mexico's exports by market and sector, export dependence, value-added share;
# 2. the scenario and one call, `tariffsim.simulate("mex25")`;
# 3. exports in the long run and after four quarters;
# 4. the quarterly GDP path and its channels;
# 5. the probability of a recession against the no-tariff baseline;
# 6. the result under every shipped elasticity set;
# 7. who gains the US market (trade diversion) and which sectors lose;
# 8. partial versus general equilibrium (`model="ge"`);
# 9. the README's headline numbers, reproduced, and how they compare with published estimates.
#
# **Conventions.** Trade values are US dollars a year at exporter prices (bn = 10⁹). Percent
# changes are percent of the baseline value (−6.5 = a fall of 6.5 %). GDP effects are deviations
# of the *level* of real GDP from the no-tariff baseline, in percent. Tariff rates are shares in
# the inputs (0.25 = 25 %). Probabilities are shares 0–1 in the tables and percent in the text.
#
# The cells marked **Check** contain `assert` statements: they state what the economics says must
# hold (signs, orderings, accounting identities, the README's numbers) and stop the notebook if it
# does not. The test suite runs this notebook top to bottom.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd
from IPython.display import display

import tariffsim as ts
from tariffsim import plots

pd.set_option("display.float_format", "{:,.3f}".format)
pd.set_option("display.width", 120)
print("tariffsim", ts.__version__)

# %% [markdown]
# ## 1. The data
#
# The embedded `default` dataset has ten economies (USA, MEX, CAN, CHN, EU27, JPN, KOR, IND, VNM,
# and the rest of the world) and fourteen HS-based sectors. The US import market by partner and
# sector comes from the US Census Bureau for 2024, with the duties actually paid as baseline
# tariffs; every other bilateral flow is CEPII BACI 2023; GDP is World Bank WDI 2023; Mexico's
# domestic value added in its exports is from WIOD (2016 release).

# %%
data = ts.load_dataset()
print(data)
pd.DataFrame([{k: s.get(k) for k in ("figure", "publisher", "year", "licence")} for s in data.sources])

# %% [markdown]
# ### Mexico's exports by market
#
# Exports of goods, USD bn a year. The row for the US is the 2024 Census figure (US imports from
# Mexico); the other rows are BACI 2023.

# %%
mex_exports = data.bilateral().loc["MEX"].drop("MEX")
markets = pd.DataFrame({
    "exports_bn_usd": mex_exports / 1e9,
    "share_of_total": mex_exports / mex_exports.sum(),
}).sort_values("exports_bn_usd", ascending=False)
markets.loc["total"] = [mex_exports.sum() / 1e9, 1.0]
display(markets)

# %% [markdown]
# ### Mexico's exports by sector: to the US and to everyone else
#
# USD bn a year. Outside the US market the dataset assumes each exporter's sector mix equals its
# mix in US imports (there are no sector-level BACI data among the raw inputs), so the sector split
# of the *other markets* column is an assumption; the US column is Census data.

# %%
labels = data.meta["sector_labels"]
i_mex, i_us = data.index("MEX"), data.index("USA")
to_us = data.values[i_mex, i_us]
to_all = data.values[i_mex].sum(axis=0)
sectors = pd.DataFrame({
    "sector": [labels[s] for s in data.sectors],
    "to_us_bn_usd": to_us / 1e9,
    "to_others_bn_usd": (to_all - to_us) / 1e9,
    "us_duty_2024_pct": 100 * data.tariffs[i_mex, i_us],
}, index=list(data.sectors)).sort_values("to_us_bn_usd", ascending=False)
display(sectors)

# %% [markdown]
# ### Export dependence and value added
#
# Three numbers for "the share of Mexico's exports that go to the US" are in play:
#
# * **0.80**, the design card's round number, used by the scenario `mex25` (`export_dependence =
#   0.80`) in the *simple* macro form: exports to the US = 0.80 × total exports.
# * **0.771**, the share in CEPII BACI 2023 (both numerator and denominator from BACI); the
#   scenario uses it when `export_dependence = "data"`.
# * the share in the embedded dataset itself, which mixes the 2024 Census row for the US with BACI
#   2023 for the other markets (a little higher than 0.771, because US imports from Mexico grew
#   from 2023 to 2024).
#
# The trade model works on the dataset's flows; the macro layer scales Mexico's exports to the US
# by the export dependence. Mexico's domestic value added per dollar of gross exports to the US is
# 0.65 (WIOD 2016 release, 2014, the latest year): the GDP content of a lost export dollar.

# %%
mex = data.meta["mexico"]
dva = mex["dva_share_wiod"]
facts = pd.Series({
    "export dependence used by mex25": ts.load_scenario("mex25").assumption("export_dependence"),
    "export dependence, BACI 2023": mex["export_dependence_data"],
    "export dependence, embedded dataset (Census 2024 / BACI 2023)": data.export_share("MEX", "USA"),
    "value-added share of exports to the US (WIOD 2014)": dva["to_usa"][str(dva["year"])],
    "value-added share of exports to the world (WIOD 2014)": dva["to_world"][str(dva["year"])],
    "Mexico's GDP 2023, USD bn (WDI)": data.gdp_of("MEX") / 1e9,
    "Mexico's goods exports, USD bn (dataset)": data.exports("MEX") / 1e9,
    "goods exports / GDP": data.exports("MEX") / data.gdp_of("MEX"),
})
facts.to_frame("value")

# %% [markdown]
# **Check.** The US is Mexico's largest market by far; the data's export dependence is close to,
# and below, the 0.80 the seed case assumes; value added is a share between 0 and 1.

# %%
assert markets.drop("total").index[0] == "USA"
assert 0.75 < mex["export_dependence_data"] < 0.80
assert round(mex["export_dependence_data"], 3) == 0.771
assert 0.75 < data.export_share("MEX", "USA") < 0.80
assert 0 < dva["to_usa"]["2014"] < 1
assert round(dva["to_usa"]["2014"], 2) == 0.65

# %% [markdown]
# ## 2. The scenario and one call
#
# `mex25` is a TOML file shipped with the package. It adds 25 % to the 2024 duty on every US
# import from Mexico (mode `add`), assumes no retaliation, sets export dependence to 0.80 and
# baseline growth (before the tariff) to 1.2 % a year (OECD Interim Outlook, March 2025). The
# tariff starts in 2025Q2, its first full quarter; the horizon is twelve quarters. Assumptions not
# listed take their documented defaults (multiplier 1.0, exchange-rate offset 0, uncertainty drag
# 0.3 % of GDP, value-added share from WIOD).

# %%
scenario = ts.load_scenario("mex25")
print(scenario.to_toml())

# %% [markdown]
# `simulate` runs the partial-equilibrium (PE) trade model for every elasticity set at both ends
# of the adjustment path, the macro transmission, and the recession Monte Carlo (200 parameter
# draws for the central set, 100,000 simulated growth paths). About a second.

# %%
res = ts.simulate("mex25")
print(res.summary_text())

# %% [markdown]
# ## 3. Exports: long run and after four quarters
#
# The central elasticity set has an Armington elasticity σ = 4 between import sources, a
# composite import-demand elasticity η = 1.5 and fixed exporter prices (ε_x = ∞: the tariff is
# passed fully to US buyers, as measured for the 2018–19 US tariffs). These are *long-run* values.
# After four quarters the trade elasticities are 0.38 of their long-run values (Boehm, Levchenko
# and Pandalai-Nayar 2023: tariff elasticity 0.76 after one year, about 2 in the long run).

# %%
mac = res.outcome().macro
exports = pd.DataFrame({
    "after_4_quarters_pct": mac.exports_short_run,
    "long_run_pct": mac.exports_long_run,
}).rename(index={"total_pct": "all markets", "us_pct": "to the US", "other_pct": "to other markets"})
display(exports)

# %%
head = res.headline()
print(f"US tariff revenue: {head['us_tariff_revenue_usd'] / 1e9:+.1f} bn USD a year "
      f"(2024 duties on all US imports: {head['us_tariff_revenue_baseline_usd'] / 1e9:.1f} bn USD)")
print(f"US import prices (all sources, consumer prices): {head['us_import_price_change_pct']:+.2f} %")

# %% [markdown]
# Exports to the US fall by 55 % in the long run (34 % after a year). With exporter prices fixed,
# nothing Mexico no longer sells in the US is deflected to other markets, so Mexico's exports to
# the rest of the world do not change; the total falls by the US share times the US fall.
#
# **Check.** Exports to the US fall more than total exports, at both horizons; the long-run fall
# exceeds the one-year fall; with ε_x = ∞ exports to other markets are unchanged; the total is the
# trade-weighted average of the two destinations.

# %%
for h in (mac.exports_short_run, mac.exports_long_run):
    assert h["us_pct"] < h["total_pct"] < 0
    assert abs(h["other_pct"]) < 1e-9
    share_us = data.export_share("MEX", "USA")
    assert np.isclose(h["total_pct"], share_us * h["us_pct"] + (1 - share_us) * h["other_pct"])
assert mac.exports_long_run["total_pct"] < mac.exports_short_run["total_pct"]
assert (round(-mac.exports_long_run["us_pct"]), round(-mac.exports_short_run["us_pct"])) == (55, 34)
assert head["us_tariff_revenue_usd"] > 0 and head["us_import_price_change_pct"] > 0

# %% [markdown]
# ## 4. The GDP path and its channels
#
# The macro layer turns the export change into GDP (MODELS.md section 2):
#
# *trade channel* = multiplier × (1 − exchange-rate offset) × [value-added share × ΔX_US +
# value-added share (others) × ΔX_others] / GDP,
#
# with ΔX_US = 0.80 × total exports × the model's percent change of exports to the US. Trade
# adjusts by partial adjustment: it reaches the one-year value after four quarters and then closes
# the gap to the long-run value at 11 % a quarter. An *uncertainty* drag of 0.3 % of GDP applies in
# the first year and then fades (half-life six quarters). Two more channels, retaliation input
# costs and real income, are zero here: Mexico does not retaliate and, with fixed exporter prices,
# its import market is untouched.

# %%
path = res.gdp_path("central")
display(path)

# %%
plots.gdp_path_chart(res)

# %% [markdown]
# **Check by hand.** The long-run GDP effect is the formula above with the long-run export change,
# and the effect after four quarters is the same with the one-year export change plus the
# uncertainty drag. The channels add up to the total in every quarter, the GDP level is below
# baseline after four quarters, and the loss deepens as trade keeps adjusting.

# %%
a = mac.assumptions
print(f"value added {a.value_added_share:.4f}, multiplier {a.multiplier}, offset {a.exchange_rate_offset}, "
      f"export dependence {a.export_dependence}, exports {a.exports_usd / 1e9:.1f} bn, GDP {a.gdp_usd / 1e9:.1f} bn")


def trade_channel_pct(us_pct: float) -> float:
    dx_us = a.export_dependence * a.exports_usd * us_pct / 100
    return 100 * a.multiplier * (1 - a.exchange_rate_offset) * a.value_added_share * dx_us / a.gdp_usd


by_hand_lr = trade_channel_pct(mac.exports_long_run["us_pct"])
by_hand_4q = trade_channel_pct(mac.exports_short_run["us_pct"]) - a.uncertainty_drag_pct
print(f"long run: by hand {by_hand_lr:.3f} %, model {head['gdp_impact_pct_long_run']:.3f} %")
print(f"after four quarters: by hand {by_hand_4q:.3f} %, model {head['gdp_impact_pct']:.3f} %")

# %%
assert np.isclose(by_hand_lr, head["gdp_impact_pct_long_run"])
assert np.isclose(by_hand_4q, head["gdp_impact_pct"])
channels = [c for c in path.columns if c.endswith("_pct") and c != "gdp_deviation_pct"]
assert np.allclose(path[channels].sum(axis=1), path["gdp_deviation_pct"])
assert head["gdp_impact_pct"] < 0
assert path.loc[path.quarter == 4, "gdp_deviation_pct"].item() == head["gdp_impact_pct"]
assert np.all(np.diff(path["gdp_deviation_pct"]) < 0)
assert np.allclose(path[["retaliation_inputs_pct", "real_income_pct"]], 0.0)

# %% [markdown]
# ## 5. Recession risk
#
# Quarterly growth follows an AR(1) process fitted to INEGI's seasonally adjusted GDP
# (1996Q1–2019Q4): persistence ρ ≈ 0.39 and innovation s.d. ≈ 0.95 % a quarter, with mean growth
# set to the 1.2 % a year forecast. The tariff's GDP path is added to each simulated path; the
# same random numbers drive the paths with and without the tariff (common random numbers), so the
# difference between the two probabilities is the tariff's effect, not simulation noise. A
# *technical recession* is two consecutive quarters of negative q/q growth within the first four
# quarters. Parameter uncertainty enters through 200 draws of elasticities and macro assumptions.

# %%
rs = res.recession.summary()
risk = pd.DataFrame({
    "with_tariff": [rs["recession_probability"], rs["annual_contraction_probability"]],
    "without_tariff": [rs["recession_probability_baseline"], rs["annual_contraction_probability_baseline"]],
    "se_of_difference": [rs["recession_probability_difference_se"], rs["annual_contraction_probability_difference_se"]],
}, index=["technical recession within 4 quarters", "calendar-year contraction, quarters 1-4"])
print(f"AR(1): mu {rs['mu']:.3f} % a quarter, rho {rs['rho']:.3f}, sigma {rs['sigma']:.3f} % a quarter; "
      f"{rs['n_paths']:,} paths, {rs['n_draws']} parameter draws")
display(risk)

# %% [markdown]
# The baseline probability (39 %) is high because 1.2 % a year is only 0.3 % a quarter against a
# quarterly standard deviation of almost 1 %; in 1996–2019, when growth averaged 2.5 % a year,
# the historical frequency was about 10 %. Read the tariff's effect as the *difference*.
#
# **Check.** The tariff raises the probability of a recession by far more than the Monte Carlo
# error.

# %%
assert rs["recession_probability"] > rs["recession_probability_baseline"] + 10 * rs["recession_probability_difference_se"]
assert rs["annual_contraction_probability"] > rs["annual_contraction_probability_baseline"]

# %%
plots.fan_chart(res)

# %% [markdown]
# ## 6. How much depends on the elasticities
#
# The scenario runs seven shipped elasticity sets (notebook 03 lists their sources):
#
# | set | what it is |
# | --- | --- |
# | central | σ 4, η 1.5, ε_x = ∞ (long run) |
# | low / high | half / twice the central trade elasticities |
# | short-run / long-run | Boehm et al. (2023): tariff elasticity 0.76 after a year, about 2 in the long run |
# | smart-defaults | WITS SMART: substitution 1.5, export supply 99 |
# | gsim-example | Francois and Hall (2003) GSIM example: σ 5, η 1.25, ε_x 1.5 |
#
# `exports_change_pct` is the set's own horizon (long run for all but `short-run`);
# `gdp_impact_pct` is after four quarters; recession probabilities here use the set's point path
# (no parameter draws), so the central row differs slightly from the headline 94 %.

# %%
cols = ["elasticity_set", "sigma", "eta", "eps_x", "exports_change_pct", "exports_to_us_change_pct",
        "exports_change_pct_after_4q", "gdp_impact_pct", "gdp_impact_pct_long_run", "recession_probability"]
table = res.summary()[cols].set_index("elasticity_set")
display(table)

# %% [markdown]
# **Check.** Every set gives a GDP loss; larger trade elasticities give larger PE losses (low <
# central < high); the `short-run` and `long-run` sets are the two ends of one adjustment path
# (the short-run set is the long-run set scaled by 0.38), so they give the same quarterly GDP path;
# the range across sets is the README's −4.21 to −9.84 %.

# %%
g = table["gdp_impact_pct"]
assert (g < 0).all()
assert g["high"] < g["central"] < g["low"] < 0
assert (table.loc["high", "exports_change_pct"] < table.loc["central", "exports_change_pct"]
        < table.loc["low", "exports_change_pct"] < 0)
assert np.allclose(res.outcome("short-run").macro.path, res.outcome("long-run").macro.path)
assert f"{g.max():.2f}" == "-4.21" and f"{g.min():.2f}" == "-9.84"

# %%
plots.gdp_by_set(res)

# %% [markdown]
# ## 7. Which sectors lose, and who takes Mexico's place in the US market
#
# Long run, central set, all markets. Losses in USD follow the size of the sector: vehicles and
# parts, machinery and computers, and electrical goods carry more than half of the loss. In
# percent the falls are close (41–46 %) because the central set has one σ and one η for all
# sectors; they are smallest where Mexico already has a large share of US imports (vehicles: 35 %
# of US vehicle imports), because there the tariff raises the sector's US price index most and
# competitors gain least. Sector-specific elasticities (`bw-sectoral`, `cp-sectoral`, notebook 03)
# spread them out.

# %%
by_sector = res.by_sector("central", horizon="long_run")
sector_table = pd.DataFrame({
    "baseline_bn_usd": by_sector["value_baseline_usd"].to_numpy() / 1e9,
    "change_bn_usd": by_sector["change_usd"].to_numpy() / 1e9,
    "change_pct": by_sector["change_pct"].to_numpy(),
}, index=by_sector["sector_label"]).sort_values("change_bn_usd")
display(sector_table)

# %%
plots.export_losses_by_sector(res)

# %% [markdown]
# Long run, central set, sales in the US market (USD bn a year, exporter prices). Third countries
# make up only part of what Mexico loses: the tariff raises the US composite import price, so US
# imports fall in total (η > 0), and within the smaller total, sales shift from Mexico to other
# sources (σ > 1).

# %%
div = res.diversion_by_source(set_name="central").set_index("exporter")
div_table = pd.DataFrame({
    "baseline_bn_usd": div["value_baseline_usd"] / 1e9,
    "change_bn_usd": div["change_usd"] / 1e9,
    "change_pct": div["change_pct"],
}).sort_values("change_bn_usd", ascending=False)
display(div_table)

# %% [markdown]
# **Check.** Every sector loses, and vehicles, where Mexico's share of US imports is largest, loses
# the smallest percentage. In the US market Mexico loses, every other source gains, and the gains
# are smaller than Mexico's loss, so total US imports fall.

# %%
d = div["change_usd"]
assert d["MEX"] < 0
assert (d.drop("MEX") > 0).all()
assert d.drop("MEX").sum() < -d["MEX"]
assert (sector_table["change_bn_usd"] < 0).all()
assert sector_table["change_pct"].idxmax() == labels["vehicles"]

# %%
plots.diversion_by_source(res)

# %% [markdown]
# ## 8. Partial versus general equilibrium
#
# `model="ge"` solves the multi-country exact hat algebra of Ignatenko, Lashkaripour, Macedoni and
# Simonovska (2025) on the same ten economies (one sector, trade elasticity 4 in the central set):
# Mexico's wages and prices fall, labour moves to other uses and markets, trade balances adjust.
# The GDP path is Mexico's real income change reached by the same partial adjustment, plus the same
# uncertainty drag.

# %%
ge = ts.simulate("mex25", model="ge")
pe_j, ge_j = res.to_json(), ge.to_json()
keys = {
    "exports_change_pct": "exports, long run (%)",
    "exports_change_pct_after_4q": "exports after four quarters (%)",
    "exports_to_us_change_pct": "exports to the US, long run (%)",
    "gdp_impact_pct": "GDP after four quarters (%)",
    "gdp_impact_pct_high": "GDP after four quarters, largest loss across sets (%)",
    "gdp_impact_pct_low": "GDP after four quarters, smallest loss across sets (%)",
    "gdp_impact_pct_long_run": "GDP, long run (%)",
    "recession_probability": "technical recession within 4 quarters (share)",
    "recession_probability_baseline": "  ... without the tariff (share)",
}
compare = pd.DataFrame({"PE": [pe_j[k] for k in keys], "GE": [ge_j[k] for k in keys]}, index=list(keys.values()))
compare.loc["US tariff revenue, change (USD bn a year)"] = [pe_j["us_tariff_revenue_usd"] / 1e9,
                                                            ge_j["us_tariff_revenue_usd"] / 1e9]
display(compare)

# %%
mex_ge = ge.ge.by_country().set_index("iso3").loc["MEX"]
mex_ge.to_frame("Mexico, GE (percent)")

# %% [markdown]
# In GE Mexico's exports to the US fall even more than in PE, but its nominal wage falls by about
# 10 %, its export prices with it, and real income falls by less than 5 % in the long run: the
# supply side absorbs much of the shock that PE's demand-side accounting passes to GDP one for one.
#
# **Check.** The GE loss is smaller than the PE loss after four quarters and in the long run; in GE
# Mexico's wage falls; the recession probability is still above the baseline.

# %%
assert pe_j["gdp_impact_pct"] < ge_j["gdp_impact_pct"] < 0
assert pe_j["gdp_impact_pct_long_run"] < ge_j["gdp_impact_pct_long_run"] < 0
assert mex_ge["wage_pct"] < 0 and mex_ge["real_income_pct"] < 0
assert round(mex_ge["wage_pct"]) == -10 and -5 < mex_ge["real_income_pct"]
assert ge_j["exports_to_us_change_pct"] < pe_j["exports_to_us_change_pct"]
assert ge_j["recession_probability"] > ge_j["recession_probability_baseline"]
assert ge.ge.solver.converged

# %% [markdown]
# ## 9. The README's numbers, reproduced
#
# The README's results table (PE and GE) is produced by exactly these calls. Each number below is
# formatted as the README prints it and compared with the printed text.

# %%
def fmt(x: float, nd: int) -> str:
    return f"{x:.{nd}f}".replace("-", "−")


readme = {
    ("PE", "Mexico's exports, long run"): (fmt(pe_j["exports_change_pct"], 1), "−43.3"),
    ("PE", "Mexico's exports after four quarters"): (fmt(pe_j["exports_change_pct_after_4q"], 1), "−26.4"),
    ("PE", "Mexico's exports to the US, long run"): (fmt(pe_j["exports_to_us_change_pct"], 1), "−55.0"),
    ("PE", "GDP after four quarters"): (fmt(pe_j["gdp_impact_pct"], 2), "−6.55"),
    ("PE", "GDP, long run"): (fmt(pe_j["gdp_impact_pct_long_run"], 1), "−10.2"),
    ("PE", "recession within four quarters (%)"): (fmt(100 * pe_j["recession_probability"], 0), "94"),
    ("PE", "recession, baseline (%)"): (fmt(100 * pe_j["recession_probability_baseline"], 0), "39"),
    ("PE", "US tariff revenue (bn USD)"): (f"{pe_j['us_tariff_revenue_usd'] / 1e9:+.1f}", "+60.3"),
    ("GE", "Mexico's exports, long run"): (fmt(ge_j["exports_change_pct"], 1), "−39.6"),
    ("GE", "Mexico's exports after four quarters"): (fmt(ge_j["exports_change_pct_after_4q"], 1), "−15.0"),
    ("GE", "Mexico's exports to the US, long run"): (fmt(ge_j["exports_to_us_change_pct"], 1), "−64.4"),
    ("GE", "GDP after four quarters"): (fmt(ge_j["gdp_impact_pct"], 2), "−2.12"),
    ("GE", "GDP, long run"): (fmt(ge_j["gdp_impact_pct_long_run"], 1), "−4.8"),
    ("GE", "recession within four quarters (%)"): (fmt(100 * ge_j["recession_probability"], 0), "64"),
    ("GE", "US tariff revenue (bn USD)"): (f"{ge_j['us_tariff_revenue_usd'] / 1e9:+.1f}", "+47.7"),
}
check = pd.DataFrame(readme, index=["computed", "README"]).T
display(check)

# %%
assert (check["computed"] == check["README"]).all(), check[check["computed"] != check["README"]]

# %% [markdown]
# ## 10. How this compares with published estimates
#
# Published estimates of a 25 % US tariff on Mexico put the GDP loss in the first year at about
# −1 % to −3 %: PIIE's G-Cubed simulation (McKibbin, Hogan and Noland, February 2025) about −2 %
# at the peak; bank estimates for the first year between about −1 % and −3 %; the OECD's March
# 2025 Interim Outlook cut Mexico's 2025 growth from +1.2 % to −1.3 % assuming the tariffs and
# retaliation.
#
# * The **GE** result (−2.1 % after four quarters, −1.5 to −2.8 % across elasticity sets) lands in
#   that range.
# * The **PE** result (−6.5 %) lands outside it, on the side of larger losses, for reasons that are
#   all assumptions the scenario file can change: no exchange-rate or monetary offset in the
#   central case; demand-side accounting (every lost export dollar costs its 0.65 of value added
#   within the year, nothing is redeployed or deflected); micro trade elasticities (the one-year
#   bilateral response is close to what the 2018–19 US tariffs on China produced); and a permanent
#   tariff on all goods. Read it as the demand-side, first-year exposure of Mexico's value added
#   to the US market, and the GE number as the loss after wages and prices adjust.
#
# Two of those levers, computed: a peso depreciation absorbing 30 % of the tariff (the scenario's
# high value of `exchange_rate_offset`), and the USMCA exemption of 6 March 2025 (49 % of 2024
# imports exempt, the built-in `mex25-usmca`). `draws=0` skips the parameter draws: only the point
# GDP path is needed here.

# %%
assumptions = {**scenario.to_dict()["assumptions"], "exchange_rate_offset": 0.3}
offset = ts.simulate(scenario.replace(name="mex25-offset30", assumptions=assumptions), elasticities="central",
                     draws=0, recession=False)
usmca = ts.simulate("mex25-usmca", elasticities="central", draws=0, recession=False)
levers = pd.Series({
    "mex25, central": pe_j["gdp_impact_pct"],
    "with a 30 % exchange-rate offset": offset.headline()["gdp_impact_pct"],
    "with the USMCA exemption": usmca.headline()["gdp_impact_pct"],
    "GE, central": ge_j["gdp_impact_pct"],
}, name="GDP after four quarters (%)")
levers.to_frame()

# %% [markdown]
# **Check.** The GE result lies in the published range of about −1 % to −3 %; the PE result lies
# below it; each lever moves PE towards it, to the README's −4.7 % (offset) and −3.81 % (USMCA).

# %%
assert -3.0 <= ge_j["gdp_impact_pct"] <= -1.0
assert pe_j["gdp_impact_pct"] < -3.0
assert pe_j["gdp_impact_pct"] < levers["with a 30 % exchange-rate offset"] < 0
assert pe_j["gdp_impact_pct"] < levers["with the USMCA exemption"] < 0
assert fmt(levers["with a 30 % exchange-rate offset"], 1) == "−4.7"
assert fmt(levers["with the USMCA exemption"], 2) == "−3.81"

# %% [markdown]
# ## Caveats
#
# * The data mix years: 2024 for the US import market, 2023 for the other flows and GDP, 2014 for
#   value added. Outside the US market sector shares are assumed, and baseline tariffs are zero.
# * PE treats sectors as independent markets and Mexico's supply as perfectly elastic in the
#   central set; it has no exchange rate, monetary policy or input-output linkages. GE has them in
#   reduced form but only one sector.
# * The macro layer is a transmission rule (value added × multiplier), not an estimated model; the
#   multiplier, the exchange-rate offset and the uncertainty drag are assumptions with ranges
#   (notebook 03 shows how much each matters).
# * The recession probability is conditional on an AR(1) fitted to 1996–2019 and a 1.2 % a year
#   baseline; it says nothing about other shocks in 2025.
#
# Next: notebook 02 builds scenarios (USMCA, retaliation, sector tariffs); notebook 03 explores the
# elasticity uncertainty.
