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
# # Elasticity uncertainty
#
# Every shipped set states which quantity each value is: σ is the elasticity of *tariff-exclusive*
# bilateral flows to (1 + t) at given price indices (the trade elasticity of gravity formulas is
# σ − 1), η the composite import-demand elasticity, ε_x export supply, and ε the one-sector GE's
# trade elasticity; each at one year and in the long run. Values a set omits at one year are 0.38
# (Boehm et al. 2023: 0.76 / 2.0) times the long-run ones.

# %%
# %matplotlib inline
import matplotlib

matplotlib.rcParams["font.size"] = 10
import numpy as np
import pandas as pd

import tariffsim as ts
from tariffsim.inputs.elasticities import QUANTITIES, one_year_ratio
from tariffsim.outputs.figures.sensitivity import gdp_heatmap, tornado_chart

rows = []
for n in ts.available_sets():
    es = ts.get_set(n)
    rows.append({"set": n, **{k: v if not isinstance(v, dict) else "by sector" for k, v in es.to_dict().items()
                              if k in QUANTITIES}})
sets = pd.DataFrame(rows)
print(sets.to_string(index=False))
for k, v in QUANTITIES.items():
    print(f"{k}: {v}")
gsim = ts.get_set("gsim")
assert np.isclose(gsim.sigma_one_year, one_year_ratio() * gsim.sigma)
assert ts.get_set("central").sigma_one_year == 0.76  # Boehm, Levchenko and Pandalai-Nayar (2023)
assert len({ts.get_set(n).model_key() for n in ts.available_sets()}) == len(ts.available_sets())

# %% [markdown]
# ## Parameter draws in the recession Monte Carlo
#
# Each draw scales every σ and η of the central set by a draw of the one-year σ distribution over
# its median. The distribution is centred on the central set: lognormal with median 0.76 (Boehm et
# al.) and its 95th percentile at the high set's 2.53, so half the draws lie below the central case
# and the central case is the median draw (a triangular with its mode at 0.76 put 85 % of the draws
# above it). The recession Monte Carlo draws the growth model's parameters and shock shape too.

# %%
res = ts.simulate("mex25", draws=50, n_paths=20000)
d = res.draws
print(d.describe().round(3).to_string())
assert len(d) == 50 and (d.sigma_factor > 0).all()
q = res.to_json()["gdp_impact_pct_draws"]
assert q["p95"] >= q["p50"] >= q["p05"]
assert np.isclose(q["p50"], d.gdp_impact_pct.median())
assert abs(np.median(d.sigma_factor) - 1) < 0.2  # centred: the median draw is close to the central set
j = res.to_json()
assert abs(j["gdp_impact_pct_first_year_avg_draws"]["p50"] / j["gdp_impact_pct_first_year_avg"] - 1) < 0.15
band = j["recession_probability_change_band"]
print(f"recession change {j['recession_probability_change']:+.3f}, 90 % band {band['p05']:+.3f} to {band['p95']:+.3f}")

# %% [markdown]
# ## One at a time: the tornado (GDP after four quarters)

# %%
tor = ts.tornado("mex25")
print(tor[["parameter", "low_value", "high_value", "gdp_at_low", "gdp_at_high", "swing"]].round(3).to_string(index=False))
c = tor.gdp_central.iloc[0]
assert np.isclose(c, ts.simulate("mex25", recession=False, elasticities=["central"]).to_json()["gdp_impact_pct"])
assert (tor.swing.diff().dropna() <= 1e-12).all()
fig = tornado_chart(tor)
fig

# %% [markdown]
# ## Tariff rate x one-year σ

# %%
grid = ts.elasticity_grid("mex25", [0.0, 0.1, 0.25, 0.4], [0.5, 0.76, 1.5, 2.53])
piv = grid.pivot(index="rate", columns="sigma", values="gdp_impact_pct")
print(piv.round(2).to_string())
assert (piv.loc[0.0] == 0).all()
assert np.all(np.diff(piv.loc[[0.1, 0.25, 0.4]].to_numpy(), axis=1) < 0)  # higher sigma, larger near-term loss
fig = gdp_heatmap(grid)
fig
