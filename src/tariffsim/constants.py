"""Names and defaults defined once (ground floor: imported by anyone).

* :data:`MODELS`: the trade models a scenario may run. Each has one adapter in
  :mod:`tariffsim.engine.trade` (the only place a model name is compared); a test checks that the
  registry and this tuple agree.
* :data:`FIGURE_FORMATS`: the figure files a report, sweep or comparison can write.
* :data:`IO_TABLES`, :data:`DEFAULT_IO_TABLE`: the input-output tables the multi-sector model can
  run on (shipped calibrations, :mod:`tariffsim.inputs.io_shipped`) and the one it uses by default.
* :data:`DEFAULT_COUNTRY`, :data:`DEFAULT_MARKET`: the economy a scenario reports and the
  tariff-setting market of the seed question (Mexico and the United States) when a scenario does
  not say; everything else takes them from the scenario or the data.

Tariff bounds are resource and validity limits and live in :mod:`tariffsim.limits`.
"""

from __future__ import annotations

__all__ = [
    "PE_MODEL",
    "GE_MODEL",
    "GE_IO_MODEL",
    "MODELS",
    "DEFAULT_MODEL",
    "MODEL_LABELS",
    "FIGURE_FORMATS",
    "SWEEP_GRID",
    "DEFAULT_COUNTRY",
    "DEFAULT_MARKET",
    "IO_TABLES",
    "DEFAULT_IO_TABLE",
    "DIVERSION_COMPETITORS",
]

#: The trade models' names: partial equilibrium, one-sector general equilibrium, multi-sector general
#: equilibrium with input-output linkages.
PE_MODEL = "pe"
GE_MODEL = "ge"
GE_IO_MODEL = "ge-io"

#: Trade models, in the order help texts list them.
MODELS: tuple[str, ...] = (PE_MODEL, GE_MODEL, GE_IO_MODEL)

#: The model a scenario runs when it names none.
DEFAULT_MODEL = MODELS[0]

#: Short labels of the models for tables and figures.
MODEL_LABELS: dict[str, str] = {PE_MODEL: "PE", GE_MODEL: "GE", GE_IO_MODEL: "GE-IO"}

#: Figure formats, in the order they are written.
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")

#: The tariff-rate grid of a report's sweep and of `tariffsim sweep` when none is given (0 to 50 %).
SWEEP_GRID = "0:0.5:0.05"

#: ISO3 code of the economy a scenario reports when it does not name one (the seed question's).
DEFAULT_COUNTRY = "MEX"

#: ISO3 code of the tariff-setting market of the seed question (the US); used where a scenario
#: names no market and for the US import data (Census) that weight sectors.
DEFAULT_MARKET = "USA"

#: Input-output tables of the multi-sector model, most recent first: OECD ICIO 2022 (flows and
#: tariffs 2022, shares 2015/2018), WIOT 2011 (complete), and Caliendo and Parro's 1993 tables (the
#: replication).
IO_TABLES: tuple[str, ...] = ("icio2022", "wiod2011", "cp1993")

#: The table the multi-sector model uses when a scenario names none.
DEFAULT_IO_TABLE = IO_TABLES[0]
#: The competitors the headline's diversion line names beside the reported country (issue 20:
#: Mexico against China, Canada and the rest of the market's suppliers).
DIVERSION_COMPETITORS: tuple[str, ...] = ("CHN", "CAN")
