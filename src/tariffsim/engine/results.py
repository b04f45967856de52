"""Results: frozen records with tidy pandas views and the JSON summary of ``tariffsim run``.

Units are in the column names: ``_usd`` US dollars (exporter prices unless the name says
consumer), ``_pct`` percent, ``_pp`` percentage points, probabilities as shares 0-1.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .._lazy import pd
from .._util import FrozenMap, FrozenRecord, ShortRepr, clean_zero, json_safe, no_negative_zero, readonly
from ..constants import DEFAULT_MARKET, DIVERSION_COMPETITORS
from ..errors import TariffSimError
from ..inputs.periods import quarter_labels
from ..models.ge import GESolution
from ..models.ge_io import IOChanges
from ..models.pe import PEOutcome
from .adapters import adapter, long_run_adapter, real_income_text
from .contract import risk_keys, uncertainty_blocks
from .ge_io_block import GE_IO_ROW_KEYS, ge_io_rows, traded_sectors
from .ge_io_bridge import theta_summary
from .sources import run_sources
from .summary import Summary, summary_from_json
from .trade import implied_elasticity

if TYPE_CHECKING:
    from ..inputs.elasticities import ElasticitySet
    from ..inputs.scenario import Scenario
    from ..models.growth_uncertainty import BaselineCheck
    from ..models.recession import RecessionRisk
    from .macro import MacroAssumptions, MacroOutcome
    from .trade import TradeOutcome

__all__ = ["SetOutcome", "Result", "traded_sectors", "GE_IO_ROW_KEYS"]


@dataclass(frozen=True, eq=False, repr=False)
class SetOutcome(ShortRepr):
    """Everything computed for one elasticity set.

    ``near_term``: the PE trade outcome at the one-year elasticities (what the first year's GDP is
    made of); ``near_term_with_input_costs``: the same with the retaliation cost wedge (None
    without retaliation); ``long_run``: the long-run trade outcome of the scenario's model (PE at
    long-run elasticities for 'pe', the GE solution otherwise); ``gdp_long_run``: the GE outcome
    whose prices give long-run real GDP (capital deepening) and whose real income (not GDP) is
    reported beside it; ``at_risk``: the PE outcome at the long-run elasticities
    (value added at risk); ``macro``: the GDP path; ``recession``: the recession risk of the set's
    own path (no parameter draws).
    """

    name: str
    elasticities: ElasticitySet
    near_term: TradeOutcome
    long_run: TradeOutcome
    gdp_long_run: TradeOutcome
    macro: MacroOutcome
    at_risk: TradeOutcome | None = None
    near_term_with_input_costs: TradeOutcome | None = None
    recession: RecessionRisk | None = None

    @property
    def trade(self) -> TradeOutcome:
        """The long-run trade outcome (the headline export changes)."""
        return self.long_run

    def with_recession(self, risk: RecessionRisk) -> SetOutcome:
        return replace(self, recession=risk)


def _pct(new: float, old: float) -> float:
    return 100.0 * (new / old - 1.0) if old > 0 else 0.0


def _nan_none(x: Any) -> Any:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


@dataclass(frozen=True, eq=False)
class Result(FrozenRecord):
    """The outcome of :func:`tariffsim.simulate` (derived values are computed once and cached).

    Attributes: ``scenario`` (as run: its ``model`` says which trade model), ``data``, ``model``
    ('pe', 'ge' or 'ge-io'), ``t0``/``t1`` (baseline and scenario tariffs, exporter x importer x
    sector), ``sets`` (name -> :class:`SetOutcome`), ``central`` (name of the central set),
    ``recession`` (headline risk: the central set with parameter draws), ``draw_columns`` (the
    Monte Carlo parameter draws and their GDP impacts, a read-only column each) and ``draws`` (their
    DataFrame, made when first read), ``provenance`` (package version,
    scenario hash, dataset and sources, seed), ``notes``, ``assumptions`` (the central macro
    assumptions).
    """

    scenario: Scenario
    data: Any
    model: str
    t0: np.ndarray
    t1: np.ndarray
    sets: Mapping[str, SetOutcome]
    central: str
    recession: RecessionRisk | None
    draw_columns: Mapping[str, np.ndarray] | None
    provenance: Mapping[str, Any]
    notes: tuple[str, ...] = field(default=())
    assumptions: MacroAssumptions | None = None
    recession_with_draws: RecessionRisk | None = None
    t_path: np.ndarray | None = None
    recession_gaussian: RecessionRisk | None = None
    baseline_check: BaselineCheck | None = None

    def __post_init__(self) -> None:
        for a in (self.t0, self.t1, self.t_path):
            if isinstance(a, np.ndarray):
                a.setflags(write=False)
        object.__setattr__(self, "provenance", FrozenMap(dict(self.provenance)))
        if self.draw_columns is not None:
            cols = {str(k): readonly(v) for k, v in self.draw_columns.items()}
            object.__setattr__(self, "draw_columns", FrozenMap(cols))

    # ------------------------------------------------------------------ helpers
    @cached_property
    def draws(self) -> pd.DataFrame | None:
        """The Monte Carlo parameter draws and their outcomes, a row per draw (the table of
        :attr:`draw_columns`; None without draws)."""
        return None if self.draw_columns is None else pd.DataFrame(dict(self.draw_columns))

    @property
    def io_table(self) -> str | None:
        """The input-output table the long run ran on (None unless it is the multi-sector model)."""
        return self.scenario.effective_io_table if long_run_adapter(self.model).own_tables else None

    @property
    def country(self) -> str:
        return self.scenario.country

    @property
    def market(self) -> str | None:
        """The tariff-setting economy whose market the headline export numbers refer to."""
        return self.assumptions.market if self.assumptions is not None else None

    @property
    def ge(self) -> Any:
        """The central set's GE solution record (long run), for any model."""
        return self.outcome().gdp_long_run.detail

    def outcome(self, set_name: str | None = None) -> SetOutcome:
        name = set_name or self.central
        if name not in self.sets:
            raise TariffSimError(f"elasticity set {name!r} was not run; sets run: {', '.join(self.sets)}")
        return self.sets[name]

    def _names(self, set_name: str | Sequence[str] | None) -> list[str]:
        if set_name is None:
            return list(self.sets)
        if isinstance(set_name, str):
            self.outcome(set_name)
            return [set_name]
        return [self.outcome(n).name for n in set_name]

    def _trade(self, name: str, horizon: str) -> TradeOutcome:
        so = self.outcome(name)
        if horizon == "long_run":
            return so.long_run
        if horizon == "near_term":
            return so.near_term
        raise TariffSimError(f"horizon must be 'near_term' or 'long_run', got {horizon!r}")

    # ------------------------------------------------------------------ tidy tables
    def by_flow(self, set_name: str | Sequence[str] | None = None, *, horizon: str = "long_run") -> pd.DataFrame:
        """One row per (elasticity set, exporter, importer, sector) with trade in the baseline:
        values before/after (USD, exporter prices), tariff revenue and, for the PE model, the
        decomposition of the change (price effect + trade creation + trade diversion = change)
        and consumer-price shares. ``horizon``: 'long_run' (default) or 'near_term' (one year)."""
        parts = []
        for name in self._names(set_name):
            o = self._trade(name, horizon)
            n, s = o.V0.shape[0], o.V0.shape[2]
            e, m, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(s), indexing="ij")
            mask = (o.V0 > 0).ravel()
            C = np.asarray(o.countries, dtype=object)
            S = np.asarray(o.sectors, dtype=object)
            cols: dict[str, Any] = {
                "elasticity_set": name,
                "exporter": C[e.ravel()[mask]],
                "importer": C[m.ravel()[mask]],
                "sector": S[k.ravel()[mask]],
                "value_baseline_usd": o.V0.ravel()[mask],
                "value_scenario_usd": o.V1.ravel()[mask],
                "change_usd": o.dV.ravel()[mask],
                "revenue_baseline_usd": o.revenue0.ravel()[mask],
                "revenue_scenario_usd": o.revenue1.ravel()[mask],
            }
            if o.V0.shape == self.t0.shape:
                cols["tariff_baseline"] = self.t0.ravel()[mask]
                cols["tariff_scenario"] = self.t1.ravel()[mask]
            if isinstance(o.detail, PEOutcome):
                pe = o.detail
                for key in ("price_effect", "trade_creation", "trade_diversion"):
                    cols[f"{key}_usd"] = np.asarray(getattr(pe, key)).ravel()[mask]
                cols["share_baseline"] = pe.shares0.ravel()[mask]
                cols["share_scenario"] = pe.shares1.ravel()[mask]
            parts.append(pd.DataFrame(cols))
        df = pd.concat(parts, ignore_index=True)
        df["change_pct"] = np.where(df.value_baseline_usd > 0, 100 * df.change_usd / df.value_baseline_usd, 0.0)
        df.attrs["units"] = "USD at exporter prices; tariffs as shares; shares at consumer prices"
        return df

    def by_sector(
        self,
        set_name: str | Sequence[str] | None = None,
        *,
        exporter: str | None = None,
        importer: str | None = None,
        horizon: str = "long_run",
    ) -> pd.DataFrame:
        """Flows summed by sector, for one exporter's exports (default: the reported country) to one
        importer (default: all markets)."""
        exporter = self.country if exporter is None else exporter
        f = self.by_flow(set_name, horizon=horizon)
        f = f[f.exporter == exporter]
        if importer is not None:
            f = f[f.importer == importer]
        cols = [
            c
            for c in (
                "value_baseline_usd",
                "value_scenario_usd",
                "change_usd",
                "price_effect_usd",
                "trade_creation_usd",
                "trade_diversion_usd",
                "revenue_baseline_usd",
                "revenue_scenario_usd",
            )
            if c in f.columns
        ]
        g = f.groupby(["elasticity_set", "sector"], sort=False, as_index=False)[cols].sum()
        g["change_pct"] = np.where(g.value_baseline_usd > 0, 100 * g.change_usd / g.value_baseline_usd, 0.0)
        g.insert(1, "exporter", exporter)
        g.insert(2, "importer", importer or "all")
        labels = self.data.meta.get("sector_labels", {})
        g.insert(4, "sector_label", g["sector"].map(lambda x: labels.get(x, x)))
        return g

    def by_country(self, set_name: str | Sequence[str] | None = None, *, horizon: str = "long_run") -> pd.DataFrame:
        """Per country: exports and imports before/after (USD, exporter prices), tariff revenue
        and, for the PE model, consumer surplus, producer surplus and net welfare changes (USD);
        for GE models the real income change (percent)."""
        rows = []
        for name in self._names(set_name):
            o = self._trade(name, horizon)
            rev0 = np.asarray(o.revenue0).sum(axis=(0, 2))
            rev1 = np.asarray(o.revenue1).sum(axis=(0, 2))
            pe = o.detail if isinstance(o.detail, PEOutcome) else None
            for i, c in enumerate(o.countries):
                x0, x1 = o.V0[i].sum(), o.V1[i].sum()
                m0, m1 = o.V0[:, i].sum(), o.V1[:, i].sum()
                row: dict[str, Any] = {
                    "elasticity_set": name,
                    "country": c,
                    "exports_baseline_usd": x0,
                    "exports_scenario_usd": x1,
                    "exports_change_pct_long_run": _pct(x1, x0),
                    "imports_baseline_usd": m0,
                    "imports_scenario_usd": m1,
                    "imports_change_pct": _pct(m1, m0),
                    "tariff_revenue_baseline_usd": rev0[i],
                    "tariff_revenue_scenario_usd": rev1[i],
                }
                if pe is not None:
                    cs = float(np.sum(pe.consumer_surplus[i]))
                    ps = float(np.sum(pe.producer_surplus[i]))
                    net = cs + rev1[i] - rev0[i] + ps
                    gdp = self.data.gdp[self.data.index(c)] if self.data.gdp is not None else math.nan
                    row.update(
                        consumer_surplus_change_usd=cs,
                        producer_surplus_change_usd=ps,
                        net_welfare_change_usd=net,
                        net_welfare_change_pct_gdp=100 * net / gdp,
                    )
                if o.real_income_pct is not None:
                    row["real_income_change_pct"] = float(o.real_income_pct[i])
                rows.append(row)
        return pd.DataFrame(rows)

    def diversion_by_source(self, importer: str | None = None, set_name: str | None = None) -> pd.DataFrame:
        """Change of each source's sales in ``importer``'s market (default: the tariff-setting
        market; USD, exporter prices)."""
        importer = importer or self.market or DEFAULT_MARKET
        f = self.by_flow(set_name)
        f = f[f.importer == importer]
        cols = [
            c
            for c in (
                "value_baseline_usd",
                "value_scenario_usd",
                "change_usd",
                "trade_diversion_usd",
                "trade_creation_usd",
                "price_effect_usd",
            )
            if c in f.columns
        ]
        g = f.groupby(["elasticity_set", "exporter"], sort=False, as_index=False)[cols].sum()
        g["change_pct"] = np.where(g.value_baseline_usd > 0, 100 * g.change_usd / g.value_baseline_usd, 0.0)
        return g

    def gdp_path(self, set_name: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Quarterly GDP level deviation from baseline (percent), by channel, for each set."""

        rows = []
        for name in self._names(set_name):
            mac = self.outcome(name).macro
            H = len(mac.path)
            df = pd.DataFrame(
                {
                    "elasticity_set": name,
                    "quarter": np.arange(1, H + 1),
                    "period": quarter_labels(self.scenario.phase_in, H),
                    "gdp_deviation_pct": mac.path,
                }
            )
            for k, v in mac.components.items():
                df[f"{k}_pct"] = v
            rows.append(df)
        return no_negative_zero(pd.concat(rows, ignore_index=True))

    # ------------------------------------------------------------------ headline numbers
    def headline(self, set_name: str | None = None) -> dict[str, Any]:
        """The JSON keys for one elasticity set (see :meth:`to_json`); computed once per set."""
        return self._headlines[set_name or self.central]

    @cached_property
    def _headlines(self) -> dict[str, dict[str, Any]]:
        return {n: self._headline(n) for n in self.sets}

    def _revenue(self, o: TradeOutcome, u: int) -> tuple[float, float]:
        return float(o.revenue0[:, u].sum()), float(o.revenue1[:, u].sum())

    def _headline(self, name: str) -> dict[str, Any]:

        so = self.outcome(name)
        lr, nt, mac = so.long_run, so.near_term, so.macro
        c = nt.countries.index(self.country)
        mk = self.market
        u = nt.countries.index(mk) if mk in nt.countries else None
        lc = lr.countries.index(self.country)
        lu = lr.countries.index(mk) if mk in lr.countries else None
        out: dict[str, Any] = {
            "exports_change_pct_long_run": lr.exports_change_pct(lc),
            "exports_to_market_change_pct_long_run": lr.exports_change_pct(lc, lu)
            if lu is not None and lu != lc
            else None,
            "exports_change_pct_after_4q": nt.exports_change_pct(c),
            "exports_to_market_change_pct_after_4q": nt.exports_change_pct(c, u) if u is not None else None,
            "market_tariff_revenue_change_usd": None,
            "market_tariff_revenue_baseline_usd": None,
            "market_tariff_revenue_change_usd_after_4q": None,
            "market_import_price_change_pct": None,
            "implied_elasticity_one_year": None,
        }
        if u is not None:
            r0, r1 = self._revenue(self._revenue_outcome(so), u)
            out["market_tariff_revenue_change_usd"] = r1 - r0
            out["market_tariff_revenue_baseline_usd"] = r0
            n0, n1 = self._revenue(nt, u)
            out["market_tariff_revenue_change_usd_after_4q"] = n1 - n0
            E0 = (nt.V0[:, u] * (1 + self.t0[:, u])).sum(axis=0)
            ro = self._revenue_outcome(so)
            out["market_import_price_change_pct"] = (
                float(100 * (E0 * (ro.import_price_hat[u] - 1)).sum() / E0.sum()) if E0.sum() > 0 else 0.0
            )
            out["implied_elasticity_one_year"] = _nan_none(implied_elasticity(nt, self.t0, self.t1, c, u))
        if "total_pct_with_input_costs" in mac.exports_near_term:
            out["exports_change_pct_after_4q_incl_retaliation_costs"] = mac.exports_near_term[
                "total_pct_with_input_costs"
            ]
            out["exports_to_market_change_pct_after_4q_incl_retaliation_costs"] = mac.exports_near_term[
                "market_pct_with_input_costs"
            ]
        out["market_tariff_revenue_model"] = self._revenue_outcome(so).model if u is not None else None
        out.update(
            gdp_impact_pct_first_year_avg=mac.first_year_avg_pct,
            gdp_impact_pct=mac.gdp_impact_pct,
            gdp_impact_pct_long_run=mac.long_run_gdp_pct,
            real_income_pct_long_run=mac.real_income_pct_long_run,
            gdp_impact_pct_end_of_horizon=float(mac.path[-1]),
            domestic_value_added_share=mac.domestic_value_added_share,
            value_added_at_risk_pct=mac.value_added_at_risk_pct,
            gdp_path=self._path_records(mac.path),
        )
        if so.recession is not None:
            out.update(risk_keys(so.recession))
        return out

    def _revenue_outcome(self, so: SetOutcome) -> TradeOutcome:
        """Long-run revenue and prices: the model's long-run outcome when it is on the dataset's
        economies, else the PE long run (the multi-sector GE runs on 1993 tables in 1993 USD)."""
        lr = so.long_run
        if lr.countries == tuple(self.data.countries) or so.at_risk is None:
            return lr
        return so.at_risk

    def _path_records(self, path: np.ndarray) -> list[dict[str, Any]]:

        labels = quarter_labels(self.scenario.phase_in, len(path))
        return [
            {"quarter": i + 1, "period": p, "deviation_pct": float(v)}
            for i, (p, v) in enumerate(zip(labels, path, strict=True))
        ]

    def to_json(self) -> dict[str, Any]:
        """One JSON-ready object: the contract of ``tariffsim run SCENARIO --json`` (computed once;
        each call returns a fresh copy, so changing it changes nothing else).

        Top-level keys hold the central set; ``by_elasticity_set`` the same keys for every set.
        Percent values are in percent (negative for a fall); probabilities are shares 0-1.
        """
        return copy.deepcopy(self._json)

    @cached_property
    def _json(self) -> dict[str, Any]:
        cen = self.headline()
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "model": self.model,
            "country": self.country,
            "market": self.market,
            "central_set": self.central,
        }
        out.update({k: v for k, v in cen.items() if k not in RISK_KEYS})
        out.update(self._effective_tariffs())
        impacts = {n: h["gdp_impact_pct"] for n, h in self._headlines.items()}
        out["gdp_impact_pct_low"] = max(impacts.values())  # smallest loss
        out["gdp_impact_pct_high"] = min(impacts.values())  # largest loss
        out["gdp_impact_pct_low_set"] = max(impacts, key=lambda k: impacts[k])
        out["gdp_impact_pct_high_set"] = min(impacts, key=lambda k: impacts[k])
        if self.recession is not None:
            r = self.recession
            out.update(risk_keys(r))
            out["recession_monte_carlo"] = {  # the draws behind recession_probability and its change
                "n_paths": r.n_paths,
                "parameter_draws": 0,
                "gdp_path": f"the central set's point GDP path ('{self.central}'; no parameter draws)",
                "seed": r.seed,
                "horizon_quarters": r.horizon,
                "se_recession_probability": r.technical_4q.se_tariff,
                "innovations": getattr(r, "innovation", getattr(r, "innovations", "gaussian")),
                "ar1": {"mu_pct_q": r.mu, "rho": r.rho, "sigma_pct_q": r.sigma},
            }
        mac = self.outcome().macro
        a = mac.assumptions
        out["export_dependence"] = a.export_dependence
        out["export_dependence_data"] = a.export_dependence_data
        out["macro"] = {
            "form": a.form,
            "market": a.market,
            "value_added_share": a.value_added_share,
            "value_added_share_other": a.value_added_share_other,
            "investment_share_gdp": a.investment_share_gdp,
            "multiplier": a.multiplier,
            "exchange_rate_offset": a.exchange_rate_offset,
            "uncertainty_drag_pct": a.uncertainty_drag_pct,
            "adjustment_speed": a.adjustment_speed,
            "blend_start_quarter": a.blend_start_quarter,
            "blend_end_quarter": a.blend_end_quarter,
            "retaliation_input_cost_wedge": mac.wedge,
            "gdp_usd": a.gdp_usd,
            "exports_usd": a.exports_usd,
            "near_term_channels_pct": dict(mac.near_term),
            "channels_after_4q_pct": {k: float(v[min(4, len(v)) - 1]) for k, v in mac.components.items()},
            "sources": dict(a.sources),
        }
        out.update(
            uncertainty_blocks(
                mac,
                real_income_text(self.model, self.io_table),
                self.recession_with_draws,
                self.recession_gaussian,
                self.baseline_check,
                self.draw_columns,
            )
        )
        out["by_elasticity_set"] = {n: dict(h) for n, h in self._headlines.items()}
        out["ge"] = self._ge_block()
        out["notes"] = list(self.notes) + [n for n in self.outcome().gdp_long_run.notes]
        out["sources"] = run_sources(
            self.data.sources,
            a,
            calibration=self.provenance.get("recession_calibration"),
            io_table=self.io_table,
            scenario_source=str(self.scenario.source),
            country=self.country,
        )
        out["provenance"] = dict(self.provenance)
        return json_safe(out)

    def tariff_path(self) -> np.ndarray:
        """The scenario's tariffs in every quarter of the horizon (H, N, N, S); constant without dates."""
        if self.t_path is not None:
            return self.t_path
        return np.broadcast_to(self.t1, (self.scenario.horizon, *self.t1.shape))

    def _effective_tariffs(self) -> dict[str, Any]:
        """``effective_tariff_pct``: the import-weighted effective tariff increase on the country's
        exports to the market (baseline sales as weights), mean over the first year; its quarterly
        path; the same for every exporter into the market (ISO3 keys); and the change of each
        exporter's sales to the market after four quarters (diversion, at the first-year mean tariffs)."""
        mk = self.market
        if mk is None or mk not in self.data.countries:
            return {
                "effective_tariff_pct": None,
                "effective_tariff_path": [],
                "effective_tariff_pct_by_partner": {},
                "exports_to_market_change_pct_after_4q_by_partner": {},
                "diversion_after_4q_pct": {},
            }
        m = self.data.countries.index(mk)
        V = np.asarray(self.data.values)[:, m, :]  # (N, S) baseline sales into the market
        inc = self.tariff_path()[:, :, m, :] - np.asarray(self.t0)[None, :, m, :]  # (H, N, S)
        tot = V.sum(axis=1)
        path = 100.0 * np.einsum("hks,ks->hk", inc, V) / np.where(tot > 0, tot, 1.0)  # (H, N)
        first = path[:4].mean(axis=0)
        c = self.data.countries.index(self.country)
        labels = quarter_labels(self.scenario.phase_in, len(path))
        by = {k: float(first[i]) for i, k in enumerate(self.data.countries) if i != m and tot[i] > 0}
        nt = self.outcome().near_term
        div = {
            k: nt.exports_change_pct(i, m) for i, k in enumerate(nt.countries) if i != m and k in by and nt.on_dataset
        }
        named = [self.country, *(k for k in DIVERSION_COMPETITORS if k in div and k != self.country)]
        diversion: dict[str, float | None] = {k: div.get(k) for k in named}
        if nt.on_dataset:
            rest = [i for i, k in enumerate(nt.countries) if i != m and k not in named]
            v0, v1 = float(nt.V0[rest, m].sum()), float(nt.V1[rest, m].sum())
            diversion["rest"] = 100.0 * (v1 / v0 - 1.0) if v0 > 0 else None
        return {
            "effective_tariff_pct": float(first[c]) if c != m and tot[c] > 0 else None,
            "effective_tariff_path": [
                {"quarter": q + 1, "period": p, "effective_tariff_pct": float(path[q, c])} for q, p in enumerate(labels)
            ],
            "effective_tariff_pct_by_partner": by,
            "exports_to_market_change_pct_after_4q_by_partner": div,
            "diversion_after_4q_pct": diversion,
        }

    def ge_summary(self) -> dict[str, Any]:
        """The central set's long-run GE solution (the ``ge`` block of :meth:`to_json`, JSON-ready).

        ``model``; ``country`` and ``market``: the row of the reported country and of the
        tariff-setting market (empty when the model has no such economy); ``solver``: the solver
        facts. For the one-sector GE a row is the solution's ``by_country()`` row. For the
        multi-sector GE ('ge-io') a row holds ``iso3``, ``region``, ``welfare_pct`` and its
        decomposition ``tot_pct`` + ``vot_pct`` + ``tech_pct`` (Caliendo-Parro, percent of baseline
        income), ``realwage_pct``, ``real_income_pct`` (the exact change; real income, not GDP),
        ``wage_pct``, ``consumer_price_pct``, and ``output_by_sector_pct`` /
        ``real_output_by_sector_pct`` (sector -> percent; None where baseline output is 0); the block
        adds ``traded_sectors``, ``structure`` (:data:`tariffsim.models.ge_io.STRUCTURE_NOTE`) and ``units``.
        Every table, figure and page of a report reads these numbers from here."""
        return copy.deepcopy(self._json["ge"])

    def _ge_block(self) -> dict[str, Any]:
        so = self.outcome()
        lr = so.gdp_long_run
        g = lr.detail
        rows: dict[str, dict[str, Any]] = {"country": {}, "market": {}}
        extra: dict[str, Any] = {}
        codes = {"country": self.country, "market": self.market}
        if isinstance(g, IOChanges):
            across = [d for n in self._headlines if isinstance(d := self.outcome(n).gdp_long_run.detail, IOChanges)]
            rows, extra = ge_io_rows(g, codes, across, self.scenario.effective_io_table)
        elif isinstance(g, GESolution):
            for role, code in codes.items():
                if code is not None and (row := g.country_row(code)) is not None:
                    # real income is expenditure over prices (the headline's, = welfare with fixed factors);
                    # the model's factor income over prices keeps its own name
                    row["real_factor_income_pct"] = row.get("real_income_pct")
                    row["real_income_pct"] = row.get("welfare_pct")
                    rows[role] = row
        return {
            "model": lr.model,
            "multi_sector": isinstance(g, IOChanges),
            **rows,
            "solver": lr.solver.to_dict(),
            **extra,
        }

    @cached_property
    def _summary(self) -> pd.DataFrame:
        rows = []
        for n, h in self._headlines.items():
            es = self.outcome(n).elasticities
            one, lr = es.arrays(self.data.sectors, "one-year"), es.arrays(self.data.sectors, "long-run")
            rows.append(
                {
                    "elasticity_set": n,
                    "sigma_one_year": float(np.median(one["sigma"])),
                    "sigma": float(np.median(lr["sigma"])),
                    "eta_one_year": float(np.median(one["eta"])),
                    "eta": float(np.median(lr["eta"])),
                    "eps_x": float(np.median(lr["eps_x"])),
                    "ge_trade_elasticity": es.ge_trade_elasticity,
                    **self._theta_columns(es),
                    **{k: h.get(k) for k in SUMMARY_KEYS},
                }
            )
        df = pd.DataFrame(rows)
        df.attrs["units"] = "percent; USD; probabilities as shares 0-1"
        return df

    def _theta_columns(self, es: ElasticitySet) -> dict[str, Any]:
        """What tells the sets apart in the multi-sector model: their sector trade elasticities θ
        (``io_theta``, its short citation, the trade-weighted mean on the run's table); {} otherwise."""
        if self.io_table is None or es.io_theta is None:
            return {}
        t = theta_summary(self.io_table, es.io_theta)
        return {
            "io_theta": t["io_theta"],
            "io_theta_label": t["label"],
            "theta_trade_weighted": t["theta_trade_weighted"],
        }

    def summary(self) -> pd.DataFrame:
        """One row per elasticity set: the headline numbers (percent, USD, probabilities 0-1);
        the same numbers as :meth:`to_json`'s ``by_elasticity_set``; with the multi-sector model,
        also each set's sector trade elasticities (``io_theta``, ``io_theta_label``,
        ``theta_trade_weighted``: θ weighted by the table's trade between regions)."""
        return self._summary.copy()

    def overview(self) -> Summary:
        """The headline (:class:`~tariffsim.engine.summary.Summary`), rendered as text (``str``),
        HTML (in a notebook) and a table (``.table()``); the CLI, the report and the tables use it."""
        return self._overview

    @cached_property
    def _overview(self) -> Summary:
        return summary_from_json(self._json, model_label=adapter(self.model).label)

    def __repr__(self) -> str:
        return (
            f"<tariffsim.Result scenario={self.scenario.name!r} model={self.model} country={self.country} "
            f"sets={list(self.sets)} central={self.central!r}: {self._overview.one_line()}>"
        )

    def _repr_html_(self) -> str:
        return self._overview.to_html()

    def sources_used(self) -> list[dict[str, Any]]:
        """Every source of the figures this run used (:func:`tariffsim.engine.sources.run_sources`):
        the dataset's, the reported country's own value added, capital facts, forecast and growth
        calibration as resolved, and the input-output table of a multi-sector run."""
        return copy.deepcopy(self._json["sources"])

    def summary_text(self) -> str:
        """A readable multi-line summary (what ``tariffsim run`` prints): ``str(overview())``."""
        return self._overview.text()


RISK_KEYS = (
    "recession_probability",
    "recession_probability_baseline",
    "recession_probability_change",
    "recession_probability_change_se",
    "annual_contraction_probability",
    "annual_contraction_probability_baseline",
    "recession_probability_horizon",
    "recession_probability_horizon_baseline",
)
SUMMARY_KEYS = (
    "exports_change_pct_after_4q",
    "exports_to_market_change_pct_after_4q",
    "exports_change_pct_long_run",
    "exports_to_market_change_pct_long_run",
    "implied_elasticity_one_year",
    "market_tariff_revenue_change_usd",
    "market_import_price_change_pct",
    "gdp_impact_pct_first_year_avg",
    "gdp_impact_pct",
    "gdp_impact_pct_long_run",
    "real_income_pct_long_run",
    "domestic_value_added_share",
    "value_added_at_risk_pct",
    *RISK_KEYS,
)


def fmt(x: Any, nd: int = 2) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{clean_zero(x, nd):+.{nd}f}"
