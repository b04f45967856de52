"""Scenarios on the multi-sector GE with input-output linkages (``model = "ge-io"``):
the scenario's measures on the Caliendo-Parro (2015) tables, as a :class:`TradeOutcome`
(docs/models/ge_io.md).

The reference equilibrium is the NAFTA one: the 1993 tables solved at the post-NAFTA tariffs
(``tariff_cfl``), with zero aggregate deficits as in the published experiment. Each tariff and
retaliation measure adds its effective rate ((1 - exempt share) x rate) to the reference tariffs
of its importer on its exporters in every sector (``mode = "set"`` sets the tariff to it); the
counterfactual is solved from the reference and changes are counterfactual / reference. The
economies must be among the tables' 31 regions, and measures must cover all goods (the tables'
40 ISIC sectors do not map one to one to the dataset's HS sectors). The model's own sector trade
elasticities (Caliendo-Parro's θ) apply: the elasticity set does not enter. The structure is
1993's; every outcome says so in its notes.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .elasticities import ElasticitySet
from .errors import ScenarioError
from .trade import TradeOutcome

__all__ = ["ge_io_trade", "ge_io_tariffs"]


@functools.cache
def _reference() -> tuple[Any, Any, Any]:
    from .cp2015 import load_shipped
    from .ge_io import calibrate, solve_io

    io = load_shipped()
    model = calibrate(io)
    ref = solve_io(model, io.tariff_cfl, io.d_cfl, np.zeros(io.N))
    return io, model, ref


def ge_io_tariffs(scenario, io) -> np.ndarray:
    """The scenario's tariffs on the Caliendo-Parro tables, (importer, exporter, sector)."""
    from .cp2015 import iso3_codes

    codes = list(iso3_codes(io.regions))
    t = np.array(io.tariff_cfl, dtype=float, copy=True)
    groups = (("tariffs", scenario.tariffs), ("retaliation", scenario.retaliation))
    for key, ms in groups:
        for i, m in enumerate(ms):
            where = f"{key}[{i}]"
            if m.sectors != "all" or m.exclude_sectors:
                raise ScenarioError(
                    "the ge-io model (Caliendo-Parro 40 ISIC sectors) takes measures on all goods only",
                    source=scenario.source,
                    field=f"{where}.sectors",
                )

            def idx(code: str, w: str) -> int:
                if code not in codes:
                    raise ScenarioError(
                        f"{code} is not among the Caliendo-Parro regions ({', '.join(codes)})",
                        source=scenario.source,
                        field=w,
                    )
                return codes.index(code)

            h = idx(m.importer, f"{where}.importer")
            if m.exporters == "all":
                ex = [j for j in range(len(codes)) if j != h]
            else:
                ex = [idx(c, f"{where}.exporters[{k}]") for k, c in enumerate(m.exporters)]
            if m.mode == "add":
                t[h, ex, :] += m.effective_rate
            else:
                t[h, ex, :] = m.exempt_share * t[h, ex, :] + m.effective_rate
    return t


@functools.lru_cache(maxsize=32)
def _solve(key: bytes, shape: tuple[int, ...]) -> Any:
    from .ge_io import changes, solve_io

    io, model, ref = _reference()
    tariffs = np.frombuffer(key).reshape(shape)
    shock = solve_io(model, tariffs, io.d_cfl, np.zeros(io.N), start=ref)
    return shock, changes(ref, shock)


def ge_io_trade(scenario, data: Any, es: ElasticitySet, *, market: str | None = None) -> TradeOutcome:
    """The long run of the multi-sector GE for ``scenario``: trade exporter x importer x sector
    (USD of 1993 at exporter prices, net of tariffs) before and after, and each region's real
    income change. ``data``, ``es`` and ``market`` are accepted for the common signature; the
    model runs on its own tables and sector elasticities."""
    from .cp2015 import iso3_codes
    from .ge_io import STRUCTURE_NOTE

    io, _model, ref = _reference()
    t = ge_io_tariffs(scenario, io)
    shock, ch = _solve(np.ascontiguousarray(t).tobytes(), t.shape)
    V0 = np.transpose(ref.trade, (1, 0, 2))
    V1 = np.transpose(shock.trade, (1, 0, 2))
    tx0 = np.transpose(io.tariff_cfl, (1, 0, 2))
    tx1 = np.transpose(t, (1, 0, 2))
    return TradeOutcome(
        model="ge-io",
        horizon="long-run",
        countries=tuple(iso3_codes(io.regions)),
        sectors=tuple(io.sectors),
        V0=V0,
        V1=V1,
        revenue0=tx0 * V0,
        revenue1=tx1 * V1,
        import_price_hat=np.asarray(ch.P_hat, dtype=float),
        solver=shock.solver,
        detail=ch,
        real_income_pct=np.asarray(ch.real_income_pct, dtype=float),
        notes=(
            STRUCTURE_NOTE,
            "multi-sector GE (Caliendo-Parro 2015): reference = the NAFTA equilibrium (1993 tables at post-NAFTA "
            "tariffs, zero aggregate deficits); its own sector trade elasticities; trade in USD of 1993",
        ),
    )
