"""Test oracles: published numbers the replications must reproduce, each with its source.

The package ships the same numbers as data (``data/published/*.toml``) to show them beside its
results; ``tests/test_published_data.py`` checks that those files say what these oracles say.
"""

from __future__ import annotations

#: Caliendo and Parro (2015), "Estimates of the Trade and Welfare Effects of NAFTA", REStud 82(1):
#: welfare effects of NAFTA's tariff reductions, percent.
#: * True (zero aggregate deficit): Table 2 (total, terms of trade, volume of trade, real wages); the
#:   totals also in the paper's abstract (Mexico +1.31 %, US +0.08 %, Canada -0.06 %); the decomposition
#:   and real wages as printed in the replication README of the R package (paulofelipe/cp2015 README.md).
#: * False (1993 deficits held): the values the R package asserts in its own tests
#:   (paulofelipe/cp2015, tests/testthat/test-run_cp2015.R, "solution with deficits").
CP2015_PUBLISHED: dict[bool, dict[str, dict[str, float]]] = {
    True: {
        "Mexico": {"welfare_pct": 1.31, "tot_pct": -0.41, "vot_pct": 1.72, "tech_pct": 0.0, "realwage_pct": 1.72},
        "Canada": {"welfare_pct": -0.06, "tot_pct": -0.11, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.32},
        "USA": {"welfare_pct": 0.08, "tot_pct": 0.04, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.11},
    },
    False: {
        "Mexico": {"welfare_pct": 1.17, "tot_pct": -0.41, "vot_pct": 1.59, "tech_pct": 0.0, "realwage_pct": 1.64},
        "Canada": {"welfare_pct": -0.04, "tot_pct": -0.08, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.33},
        "USA": {"welfare_pct": 0.08, "tot_pct": 0.05, "vot_pct": 0.04, "tech_pct": 0.0, "realwage_pct": 0.12},
    },
}

#: Caliendo and Parro (2015), abstract: intra-bloc trade growth (each member's imports from the other
#: two), zero-deficit case, percent, printed without decimals.
CP2015_INTRA_BLOC_PUBLISHED: dict[str, float] = {"Mexico": 118.0, "Canada": 11.0, "USA": 41.0}

#: Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), as listed in ../shared/data/ilms2025/README.md:
#: Table 1 case 1 (baseline) and Table 3 (US tariff revenue, % of expenditure); Table 1 case 2 (lump sum).
ILMS_PUBLISHED: dict[str, dict[str, float]] = {
    "baseline": {
        "us_welfare_pct": 1.13,
        "non_us_welfare_pct": -0.58,
        "us_employment_pct": 0.32,
        "us_price_index_pct": 12.8,
        "us_tariff_revenue_pct": 1.14,
    },
    "lump-sum": {"us_welfare_pct": -0.01},
}
