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
# # Elasticity uncertainty: sets, distributions, sensitivities
#
# The answer to "what does a 25 % tariff on Mexico do?" depends most on numbers nobody knows
# precisely: how easily US buyers switch from Mexican goods to other sources (the Armington
# elasticity σ), how much they cut imports altogether (the import-demand elasticity η), how
# Mexico's export prices respond (the export-supply elasticity ε_x), and how a lost export dollar
# becomes lost GDP (value added, multiplier, exchange-rate offset). This notebook shows
#
# 1. the shipped elasticity sets and their sources;
# 2. exports and GDP under every set, including sector-specific σ;
# 3. the GDP impact over a grid of tariff rate × σ (heatmap);
# 4. the recession probability against the tariff rate (recession curve);
# 5. a custom elasticity set and Monte Carlo distributions declared in a scenario, and the
#    distribution of GDP impacts across the draws;
# 6. one-at-a-time sensitivities (tornado);
# 7. why more elastic trade means *larger* losses in PE but *smaller* ones in GE.
#
# Elasticities are entered as positive magnitudes (η = 1.5 means an import-demand elasticity of
# −1.5). GDP impacts are deviations of the real GDP level from the no-tariff baseline after four
# quarters, in percent, unless stated otherwise. Monte Carlo sizes are kept small (100 parameter
# draws, 20,000 growth paths) so the notebook runs in seconds; raise them for a report.

# %%
# %matplotlib inline
import numpy as np
import pandas as pd
from IPython.display import display
from matplotlib.figure import Figure

import tariffsim as ts
from tariffsim import plots

pd.set_option("display.float_format", "{:,.3f}".format)
pd.set_option("display.width", 120)
pd.set_option("display.max_columns", 20)
pd.set_option("display.max_colwidth", 90)
data = ts.load_dataset()
print("tariffsim", ts.__version__)

# %% [markdown]
# ## 1. The shipped elasticity sets
#
# Each set is a named, sourced combination. `sigma` and `eta` drive the PE model;
# `ge_trade_elasticity` (ε) the GE model. `horizon` says which end of the adjustment path the values
# describe; tariffsim builds the other end by scaling the trade elasticities (σ − 1 and η) by 0.38
# (Boehm, Levchenko and Pandalai-Nayar 2023: 0.76 after one year against about 2 in the long run).

# %%
def describe(v) -> str:
    if isinstance(v, dict):
        vals = [x for k, x in v.items() if k != "default"]
        return f"by sector ({min(vals):.3g} to {max(vals):.3g})"
    return f"{v:g}"


sets = pd.DataFrame([
    {"set": n, "horizon": es.horizon, "sigma": describe(es.sigma), "eta": describe(es.eta),
     "eps_x": describe(es.eps_x), "ge_epsilon": es.ge_trade_elasticity, "description": es.description}
    for n in ts.available_sets() for es in [ts.get_set(n)]
]).set_index("set")
display(sets)

# %% [markdown]
# Every value carries its source. The central set's:

# %%
central_set = ts.get_set("central")
for param, src in central_set.sources.items():
    print(f"{param:20} {src}")

# %% [markdown]
# The two sector sets take σ by sector: the median Broda–Weinstein (2006) US import elasticity of
# the HS 3-digit goods in each sector, or 1 + the Caliendo–Parro (2015) trade elasticity. They
# disagree a lot: Broda–Weinstein find very elastic vehicles (σ ≈ 13) and inelastic everything
# else; Caliendo–Parro make fuels nearly perfect substitutes (σ ≈ 66).

# %%
sector_sigmas = pd.DataFrame({
    "label": pd.Series(data.meta["sector_labels"]),
    "sigma_bw": pd.Series(ts.get_set("bw-sectoral").sigma),
    "sigma_cp": pd.Series(ts.get_set("cp-sectoral").sigma),
}).loc[list(data.sectors)]
display(sector_sigmas)

# %% [markdown]
# ## 2. Exports and GDP under every set
#
# All nine sets on the seed scenario `mex25` (no parameter draws; 20,000 growth paths).

# %%
every = ts.simulate("mex25", elasticities=ts.available_sets(), draws=0, n_paths=20_000)
by_set = every.summary().set_index("elasticity_set")[
    ["sigma", "eta", "eps_x", "exports_change_pct", "exports_to_us_change_pct", "gdp_impact_pct",
     "gdp_impact_pct_long_run", "recession_probability"]]
by_set = by_set.rename(columns={"sigma": "sigma_median", "eta": "eta_median", "eps_x": "eps_x_median"})
display(by_set)

# %% [markdown]
# Exports to the US fall by 28 % to 81 % in the long run depending on the set, and GDP after four
# quarters by 4.2 % to 9.9 %. The spread across defensible sets is larger than the difference
# between most scenarios in notebook 02. The sector sets matter for the composition as much as for
# the total: with Broda–Weinstein σ, Mexico's vehicle exports to the US almost vanish.

# %%
bw_sectors = every.by_sector("bw-sectoral", importer="USA").set_index("sector")["change_pct"]
central_sectors = every.by_sector("central", importer="USA").set_index("sector")["change_pct"]
display(pd.DataFrame({"central": central_sectors, "bw-sectoral": bw_sectors,
                      "sigma_bw": sector_sigmas["sigma_bw"]}).sort_values("bw-sectoral"))

# %% [markdown]
# **Check.** Larger trade elasticities give larger PE losses: low < central < high for exports and
# GDP; with the Broda–Weinstein set, the sector with the highest σ (vehicles) loses the largest
# share of its US sales.

# %%
g, x = by_set["gdp_impact_pct"], by_set["exports_change_pct"]
assert g["high"] < g["central"] < g["low"] < 0
assert x["high"] < x["central"] < x["low"] < 0
assert (g < 0).all() and (x < 0).all()
x_us = by_set["exports_to_us_change_pct"]
assert (round(-x_us.max()), round(-x_us.min())) == (28, 81)
assert (f"{-g.max():.1f}", f"{-g.min():.1f}") == ("4.2", "9.9")
assert bw_sectors.idxmin() == sector_sigmas["sigma_bw"].idxmax() == "vehicles"

# %% [markdown]
# ## 3. Tariff rate × σ: the heatmap
#
# `elasticity_grid` runs the scenario at every tariff rate (every tariff measure set to the rate)
# and every σ, other parameters at the central set's values (η = 1.5, ε_x = ∞). 77 PE solves;
# no recession Monte Carlo.

# %%
rates = "0:0.5:0.05"
sigmas = [1.5, 2, 3, 4, 5, 6, 8]
grid = ts.elasticity_grid("mex25", rates, sigmas)
display(grid.pivot(index="sigma", columns="rate", values="gdp_impact_pct"))

# %%
# The grid carries no scenario record, so pass the scenario for the caption's sources.
plots.gdp_heatmap(grid, mark=(0.25, 4.0), sources=ts.load_scenario("mex25"))

# %% [markdown]
# **Check.** No tariff, no effect; at every positive rate a larger σ means a larger GDP loss and a
# larger export loss (more substitution away from Mexican goods), and at every σ a higher rate
# means a larger loss; the grid's cell (25 %, σ = 4) is the central result of notebook 01.

# %%
Z = grid.pivot(index="sigma", columns="rate", values="gdp_impact_pct").sort_index()
X = grid.pivot(index="sigma", columns="rate", values="exports_change_pct").sort_index()
assert np.allclose(Z[0.0], 0.0) and np.allclose(X[0.0], 0.0)
positive = [r for r in Z.columns if r > 0]
assert (np.diff(Z[positive].to_numpy(), axis=0) < 0).all()
assert (np.diff(X[positive].to_numpy(), axis=0) < 0).all()
assert (np.diff(Z.to_numpy(), axis=1) < 0).all()
assert np.isclose(Z.loc[4.0, 0.25], every.headline("central")["gdp_impact_pct"])

# %% [markdown]
# ## 4. Recession risk against the tariff rate
#
# `sweep` runs the scenario over tariff rates for the low, central and high sets, with the
# recession Monte Carlo on common random numbers (the same 20,000 paths at every rate and set), so
# the curves differ only because the tariff does.

# %%
sw = ts.sweep("mex25", rates, n_paths=20_000)
display(sw.pivot(index="rate", columns="elasticity_set", values="recession_probability"))

# %%
plots.recession_curve(sw, mark_rate=0.25)

# %% [markdown]
# **Check.** At a 0 % rate the probability equals the baseline exactly (common random numbers); it
# never falls as the rate rises; at every positive rate high ≥ central ≥ low.

# %%
P = sw.pivot(index="rate", columns="elasticity_set", values="recession_probability").sort_index()
base_p = sw["recession_probability_baseline"].unique()
assert len(base_p) == 1 and np.allclose(P.loc[0.0], base_p[0])
assert (P.diff().dropna() >= 0).all().all()
assert (P.loc[P.index > 0, "high"] >= P.loc[P.index > 0, "central"]).all()
assert (P.loc[P.index > 0, "central"] >= P.loc[P.index > 0, "low"]).all()
assert (P.loc[P.index > 0] > base_p[0]).all().all()

# %% [markdown]
# ## 5. Your own elasticity set and Monte Carlo distributions
#
# A scenario can define its own sets (`[elasticities.custom.NAME]`) and declare distributions for
# the Monte Carlo (`[uncertainty.distributions]`): triangular (low, mode, high), uniform (low,
# high) or lognormal (median, sd_log), for σ, η, ε_x, the multiplier, the value-added share, the
# uncertainty drag and the exchange-rate offset. Each draw solves the trade model at both ends of
# the adjustment path and builds its GDP path; the recession Monte Carlo spreads its paths over the
# draws, so parameter uncertainty enters the probabilities.
#
# Here: a set in which vehicles are more substitutable than other goods (σ = 8 for vehicles, 4
# elsewhere, in the spirit of Broda–Weinstein's high vehicle elasticity), and distributions for σ
# (triangular 2–4–8, spanning the low/central/high sets), η (lognormal around 1.5), the multiplier
# (uniform 0.7–1.3) and a peso depreciation absorbing 0–30 % of the tariff (uniform). A declared
# σ or η distribution gives one value for all sectors in each draw. Parameters without a declared
# distribution and with a low/central/high range (here the uncertainty drag) are drawn from a
# triangular distribution over that range.

# %%
uncertain = ts.Scenario.from_dict({
    "name": "mex25-uncertain",
    "description": "mex25 with a vehicles-elastic set and declared parameter distributions",
    "country": "MEX",
    "tariffs": [{"importer": "USA", "exporters": ["MEX"], "sectors": "all", "rate": 0.25}],
    "assumptions": {"export_dependence": 0.80, "baseline_growth_annual_pct": 1.2},
    "elasticities": {
        "sets": ["central", "low", "high", "vehicles-elastic"],
        "central": "central",
        "custom": {"vehicles-elastic": {
            "description": "sigma 8 for vehicles, 4 for other goods",
            "sigma": {"vehicles": 8.0, "default": 4.0},
            "eta": 1.5,
            "eps_x": "inf",
            "ge_trade_elasticity": 4.0,
            "sources": {"sigma": "assumption for this notebook; Broda and Weinstein (2006) find vehicles among "
                                 "the most elastic US imports",
                        "ge_trade_elasticity": "Ignatenko, Lashkaripour, Macedoni and Simonovska (2025)"},
        }},
    },
    "uncertainty": {
        "draws": 100,
        "n_paths": 20_000,
        "distributions": {
            "sigma": {"dist": "triangular", "low": 2.0, "mode": 4.0, "high": 8.0,
                      "source": "spans the shipped low, central and high sets"},
            "eta": {"dist": "lognormal", "median": 1.5, "sd_log": 0.35, "source": "assumption"},
            "multiplier": {"dist": "uniform", "low": 0.7, "high": 1.3, "source": "the scenario default range"},
            "exchange_rate_offset": {"dist": "uniform", "low": 0.0, "high": 0.3, "source": "assumption"},
        },
    },
})
print(uncertain.to_toml())

# %%
mc = ts.simulate(uncertain)
print(mc.summary_text())

# %% [markdown]
# `result.draws` has one row per draw: the parameter values and the GDP impact after four quarters
# and at the end of the horizon.

# %%
draws = mc.draws
display(draws.head())
display(draws.describe(percentiles=[0.05, 0.5, 0.95]).T)

# %%
sets_gdp = mc.summary().set_index("elasticity_set")["gdp_impact_pct"]
q05, q50, q95 = draws["gdp_impact_pct"].quantile([0.05, 0.5, 0.95])
with plots.style():
    fig = Figure(figsize=(6.5, 3.2), layout="constrained")
    ax = fig.add_subplot()
    ax.hist(draws["gdp_impact_pct"], bins=20, facecolor="#9ec3e6", edgecolor="#0b1f3a", linewidth=0.5)
    for name, ls in (("low", (0, (5, 2))), ("central", "-"), ("high", (0, (1, 1.3))), ("vehicles-elastic", "-.")):
        value = f"{sets_gdp[name]:.1f}".replace("-", "−")
        ax.axvline(sets_gdp[name], color="#222222", linestyle=ls, linewidth=1.1, label=f"'{name}' set: {value} %")
    ax.axvspan(q05, q95, facecolor="#d9d9d9", alpha=0.5, zorder=0, label="5–95 % of the draws")
    ax.set_xlabel("Mexico's real GDP after four quarters, deviation from baseline (%)")
    ax.set_ylabel("Number of draws")
    ax.set_title(f"GDP impact across {len(draws)} parameter draws (median {q50:.1f} %)".replace("-", "−"))
    ax.legend(loc="upper left", frameon=False)
    fig.text(0.01, -0.02, plots.sources_caption(mc, sets=["central", "low", "high"]), fontsize=6, wrap=True,
             va="top")
display(fig)

# %% [markdown]
# The draws combine elasticity uncertainty with macro uncertainty (multiplier, offset, drag), so
# their spread is not the spread of the elasticity sets. Here the median is a *smaller* loss than
# the central set's: the declared exchange-rate offset averages 0.15 (the central case has none),
# which outweighs the right skew of the σ distribution (mean 4.7 against a mode of 4). Declaring a
# distribution is an assumption like any other. `gdp_by_set` shows the 5–95 % range of the draws
# as a whisker on the central set.

# %%
plots.gdp_by_set(mc)

# %% [markdown]
# **Check.** The draws respect their distributions' supports; the Monte Carlo median lies between
# the low and high sets (here above the central set, as explained); the custom set, with more
# elastic vehicles, loses more than the central set; the recession probability with parameter
# draws stays above the baseline.

# %%
assert len(draws) == 100
assert draws["sigma"].between(2.0, 8.0).all() and draws["multiplier"].between(0.7, 1.3).all()
assert draws["exchange_rate_offset"].between(0.0, 0.3).all() and (draws["eta"] > 0).all()
assert sets_gdp["high"] < q50 < sets_gdp["low"]
assert sets_gdp["central"] < q50 and draws["exchange_rate_offset"].mean() > 0.1
assert q95 > q50 > q05
assert sets_gdp["vehicles-elastic"] < sets_gdp["central"]
assert mc.recession.n_draws == 100
assert mc.recession.recession_probability > mc.recession.recession_probability_baseline

# %% [markdown]
# ## 6. One at a time: the tornado
#
# `tornado` moves one parameter at a time to its low and high value, everything else central: σ
# and η times 0.5 and 2 (the shipped low and high sets are half and twice the central one); the
# multiplier, value-added share, uncertainty drag and exchange-rate offset to the scenario's low
# and high values; export dependence to the data's 0.771 and to 0.85.

# %%
tor = ts.tornado("mex25")
display(tor[["parameter", "low_value", "high_value", "gdp_at_low", "gdp_at_high", "gdp_central", "swing"]])

# %%
plots.tornado_chart(tor, sources=ts.load_scenario("mex25"))

# %% [markdown]
# σ dominates, then the multiplier and the value-added share: the two elasticity-free links from
# lost exports to lost GDP matter as much as the trade elasticities. η matters little in PE here,
# because Mexico's loss comes mostly from substitution towards other sources (σ), not from a fall
# in total US imports.
#
# **Check.** Each bar brackets the central value (the central value lies between the outcomes at
# the low and high ends); σ has the largest swing; the σ bar's ends are the GDP impacts at σ = 2
# and σ = 8 with η central, which the heatmap's grid also computed.

# %%
c = float(tor["gdp_central"].iloc[0])
assert np.isclose(c, every.headline("central")["gdp_impact_pct"])
lo_hi = tor[["gdp_at_low", "gdp_at_high"]]
assert ((lo_hi.min(axis=1) <= c + 1e-12) & (c - 1e-12 <= lo_hi.max(axis=1))).all()
assert list(tor["parameter"][:3]) == ["sigma", "multiplier", "value_added_share"]
assert tor["swing"].is_monotonic_decreasing
assert tor.set_index("parameter").loc["eta", "swing"] < 1.0
sig = tor.set_index("parameter").loc["sigma"]
assert np.isclose(sig["gdp_at_low"], Z.loc[2.0, 0.25]) and np.isclose(sig["gdp_at_high"], Z.loc[8.0, 0.25])

# %% [markdown]
# ## 7. PE and GE disagree on the sign of the elasticity effect
#
# In PE, a larger trade elasticity means US buyers abandon Mexican goods faster, and every lost
# export dollar is lost value added: larger σ, larger loss. In GE, Mexico's wages and prices adjust
# so that it keeps selling; with a larger trade elasticity ε a smaller fall in Mexico's prices wins
# back a given amount of sales, so the terms-of-trade loss, and the real income loss, is *smaller*
# (as in the Arkolakis–Costinot–Rodríguez-Clare welfare formula, where the loss from a given change
# in trade shares shrinks as ε grows).

# %%
ge = ts.simulate("mex25", model="ge", elasticities=["low", "central", "high"], draws=0, recession=False)
pe_ge = pd.DataFrame({
    "ge_epsilon": [ts.get_set(s).ge_trade_elasticity for s in ("low", "central", "high")],
    "PE_gdp_impact_pct": [every.headline(s)["gdp_impact_pct"] for s in ("low", "central", "high")],
    "GE_gdp_impact_pct": [ge.headline(s)["gdp_impact_pct"] for s in ("low", "central", "high")],
    "GE_exports_to_us_change_pct": [ge.headline(s)["exports_to_us_change_pct"] for s in ("low", "central", "high")],
}, index=["low", "central", "high"])
display(pe_ge)

# %% [markdown]
# **Check.** PE losses grow with the elasticity, GE losses shrink with it, while in both models
# exports to the US fall more when trade is more elastic.

# %%
assert pe_ge["PE_gdp_impact_pct"].is_monotonic_decreasing
assert pe_ge["GE_gdp_impact_pct"].is_monotonic_increasing and (pe_ge["GE_gdp_impact_pct"] < 0).all()
assert pe_ge["GE_exports_to_us_change_pct"].is_monotonic_decreasing

# %% [markdown]
# ## What to take away
#
# * The trade elasticity is the largest single source of uncertainty in the PE answer, but the
#   macro links (multiplier, value added, exchange-rate offset) together matter as much. Report a
#   range, not a point.
# * Which model you trust matters more than any elasticity: PE gives a demand-side, first-year
#   exposure (−4 % to −10 % of GDP across sets), GE an equilibrium loss (−1.5 % to −2.8 %), and the
#   two move in opposite directions when the elasticity rises.
# * Monte Carlo results depend on the declared distributions. Declare them in the scenario file,
#   with a `source` for each, so that the report says what was assumed.
