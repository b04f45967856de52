"""Data shipped with tariffsim (installed as the package ``tariffsim.data``): datasets, mappings,
built-in scenarios, elasticity sets and calibrated defaults. See SOURCES.md."""
