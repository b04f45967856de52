"""Results: frozen records with tidy pandas views and the JSON summary of ``tariffsim run``.

Units are in the column names: ``_usd`` US dollars (exporter prices unless the name says
consumer), ``_pct`` percent, ``_pp`` percentage points, probabilities as shares 0-1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._util import json_safe
from .errors import TariffSimError

__all__ = ["SetOutcome", "Result"]

US = "USA"


@dataclass(frozen=True, eq=False)
class SetOutcome:
    """Everything computed for one elasticity set.

    ``trade`` is the trade-model outcome at the set's own values (its stated horizon); ``short_run``
    and ``long_run`` the two ends of the adjustment path (one of them is ``trade``); ``macro`` the
    GDP path; ``recession`` the recession risk of the set's point path (no parameter draws).
    """

    name: str
    elasticities: object
    trade: object
    short_run: object
    long_run: object
    macro: object
    recession: object | None = None


def _pct(new: float, old: float) -> float:
    return 100.0 * (new / old - 1.0) if old > 0 else 0.0


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of :func:`tariffsim.simulate`.

    Attributes: ``scenario``, ``data``, ``model`` ('pe' or 'ge'), ``t0``/``t1`` (baseline and
    scenario tariffs, exporter x importer x sector), ``sets`` (name -> :class:`SetOutcome`),
    ``central`` (name of the central set), ``recession`` (central set with parameter draws),
    ``draws`` (DataFrame of the Monte Carlo parameter draws and their GDP impacts),
    ``provenance`` (package version, scenario hash, dataset and sources, seed), ``ge`` (GE
    solution when model = 'ge').
    """

    scenario: object
    data: object
    model: str
    t0: np.ndarray
    t1: np.ndarray
    sets: Mapping[str, SetOutcome]
    central: str
    recession: object | None
    draws: pd.DataFrame | None
    provenance: Mapping[str, object]
    ge: object | None = None
    notes: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ helpers
    @property
    def country(self) -> str:
        return self.scenario.country

    @property
    def set_names(self) -> list[str]:
        return list(self.sets)

    def outcome(self, set_name: str | None = None) -> SetOutcome:
        name = set_name or self.central
        if name not in self.sets:
            raise TariffSimError(f"elasticity set {name!r} was not run; sets run: {', '.join(self.sets)}")
        return self.sets[name]

    def _names(self, set_name) -> list[str]:
        if set_name is None:
            return list(self.sets)
        if isinstance(set_name, str):
            self.outcome(set_name)
            return [set_name]
        return [self.outcome(n).name for n in set_name]

    # ------------------------------------------------------------------ tidy tables
    def by_flow(self, set_name: str | None = None, *, horizon: str = "trade") -> pd.DataFrame:
        """One row per (elasticity set, exporter, importer, sector) with trade in the baseline:
        values before/after (USD, exporter prices), the decomposition of the change (price
        effect + trade creation + trade diversion = change), tariffs and tariff revenue.

        ``horizon``: 'trade' (the set's own values), 'short_run' or 'long_run'.
        """
        d = self.data
        parts = []
        n, s = d.n_countries, d.n_sectors
        e, m, k = np.meshgrid(np.arange(n), np.arange(n), np.arange(s), indexing="ij")
        mask = (d.values > 0).ravel()
        C = np.asarray(d.countries, dtype=object)
        S = np.asarray(d.sectors, dtype=object)
        for name in self._names(set_name):
            o = getattr(self.outcome(name), horizon)
            parts.append(
                pd.DataFrame(
                    {
                        "elasticity_set": name,
                        "exporter": C[e.ravel()[mask]],
                        "importer": C[m.ravel()[mask]],
                        "sector": S[k.ravel()[mask]],
                        "tariff_baseline": self.t0.ravel()[mask],
                        "tariff_scenario": self.t1.ravel()[mask],
                        "value_baseline_usd": o.V0.ravel()[mask],
                        "value_scenario_usd": o.V1.ravel()[mask],
                        "change_usd": o.dV.ravel()[mask],
                        "price_effect_usd": o.price_effect.ravel()[mask],
                        "trade_creation_usd": o.trade_creation.ravel()[mask],
                        "trade_diversion_usd": o.trade_diversion.ravel()[mask],
                        "revenue_baseline_usd": o.revenue0.ravel()[mask],
                        "revenue_scenario_usd": o.revenue1.ravel()[mask],
                        "share_baseline": o.shares0.ravel()[mask],
                        "share_scenario": o.shares1.ravel()[mask],
                    }
                )
            )
        df = pd.concat(parts, ignore_index=True)
        df["change_pct"] = np.where(df.value_baseline_usd > 0, 100 * df.change_usd / df.value_baseline_usd, 0.0)
        df.attrs["units"] = "USD at exporter prices; tariffs as shares; shares at consumer prices"
        return df

    def by_sector(
        self,
        set_name: str | None = None,
        *,
        exporter: str | None = None,
        importer: str | None = None,
        horizon: str = "trade",
    ) -> pd.DataFrame:
        """Flows summed by sector, for one exporter's exports (default: the reported country) to one
        importer (default: all markets)."""
        exporter = self.country if exporter is None else exporter
        f = self.by_flow(set_name, horizon=horizon)
        f = f[f.exporter == exporter]
        if importer is not None:
            f = f[f.importer == importer]
        cols = [
            "value_baseline_usd",
            "value_scenario_usd",
            "change_usd",
            "price_effect_usd",
            "trade_creation_usd",
            "trade_diversion_usd",
            "revenue_baseline_usd",
            "revenue_scenario_usd",
        ]
        g = f.groupby(["elasticity_set", "sector"], sort=False, as_index=False)[cols].sum()
        g["change_pct"] = np.where(g.value_baseline_usd > 0, 100 * g.change_usd / g.value_baseline_usd, 0.0)
        g.insert(1, "exporter", exporter)
        g.insert(2, "importer", importer or "all")
        labels = self.data.meta.get("sector_labels", {})
        g.insert(4, "sector_label", g["sector"].map(lambda x: labels.get(x, x)))
        return g

    def by_country(self, set_name: str | None = None, *, horizon: str = "trade") -> pd.DataFrame:
        """Per country: exports and imports before/after (USD, exporter prices), tariff revenue
        collected, consumer surplus, producer surplus and net welfare changes (USD, PE measures)."""
        d = self.data
        rows = []
        for name in self._names(set_name):
            o = getattr(self.outcome(name), horizon)
            cs = np.asarray(o.consumer_surplus).sum(axis=1)
            ps = np.asarray(o.producer_surplus).sum(axis=1)
            rev0 = np.asarray(o.revenue0).sum(axis=(0, 2))
            rev1 = np.asarray(o.revenue1).sum(axis=(0, 2))
            for i, c in enumerate(d.countries):
                x0, x1 = o.V0[i].sum(), o.V1[i].sum()
                m0, m1 = o.V0[:, i].sum(), o.V1[:, i].sum()
                rows.append(
                    {
                        "elasticity_set": name,
                        "country": c,
                        "exports_baseline_usd": x0,
                        "exports_scenario_usd": x1,
                        "exports_change_pct": _pct(x1, x0),
                        "imports_baseline_usd": m0,
                        "imports_scenario_usd": m1,
                        "imports_change_pct": _pct(m1, m0),
                        "tariff_revenue_baseline_usd": rev0[i],
                        "tariff_revenue_scenario_usd": rev1[i],
                        "consumer_surplus_change_usd": cs[i],
                        "producer_surplus_change_usd": ps[i],
                        "net_welfare_change_usd": cs[i] + rev1[i] - rev0[i] + ps[i],
                        "net_welfare_change_pct_gdp": 100 * (cs[i] + rev1[i] - rev0[i] + ps[i]) / d.gdp[i]
                        if d.gdp is not None
                        else math.nan,
                    }
                )
        return pd.DataFrame(rows)

    def diversion_by_source(self, importer: str = US, set_name: str | None = None) -> pd.DataFrame:
        """Change of each source's sales in ``importer``'s market (USD, exporter prices)."""
        f = self.by_flow(set_name)
        f = f[f.importer == importer]
        g = f.groupby(["elasticity_set", "exporter"], sort=False, as_index=False)[
            [
                "value_baseline_usd",
                "value_scenario_usd",
                "change_usd",
                "trade_diversion_usd",
                "trade_creation_usd",
                "price_effect_usd",
            ]
        ].sum()
        g["change_pct"] = np.where(g.value_baseline_usd > 0, 100 * g.change_usd / g.value_baseline_usd, 0.0)
        return g

    def gdp_path(self, set_name: str | None = None) -> pd.DataFrame:
        """Quarterly GDP level deviation from baseline (percent), by channel, for each set."""
        from .scenario import quarter_labels

        rows = []
        for name in self._names(set_name):
            mac = self.outcome(name).macro
            H = len(mac.path)
            periods = quarter_labels(self.scenario.phase_in, H)
            df = pd.DataFrame(
                {
                    "elasticity_set": name,
                    "quarter": np.arange(1, H + 1),
                    "period": periods,
                    "gdp_deviation_pct": mac.path,
                }
            )
            for k, v in mac.components.items():
                df[f"{k}_pct"] = v
            rows.append(df)
        return pd.concat(rows, ignore_index=True)

    # ------------------------------------------------------------------ headline numbers
    def headline(self, set_name: str | None = None) -> dict:
        """The JSON keys for one elasticity set (see :meth:`to_json`)."""
        so = self.outcome(set_name)
        o = so.trade
        d = self.data
        c = d.index(self.country)
        out = {
            "exports_change_pct": _pct(o.V1[c].sum(), o.V0[c].sum()),
            "exports_to_us_change_pct": None,
            "us_tariff_revenue_usd": None,
            "us_tariff_revenue_baseline_usd": None,
            "us_tariff_revenue_usd_after_4q": None,
            "us_import_price_change_pct": None,
        }
        if US in d.countries:
            u = d.index(US)
            if u != c:
                out["exports_to_us_change_pct"] = _pct(o.V1[c, u].sum(), o.V0[c, u].sum())
            r0, r1 = float(o.revenue0[:, u].sum()), float(o.revenue1[:, u].sum())
            out["us_tariff_revenue_usd"] = r1 - r0
            out["us_tariff_revenue_baseline_usd"] = r0
            sr = so.short_run
            out["us_tariff_revenue_usd_after_4q"] = float(sr.revenue1[:, u].sum() - sr.revenue0[:, u].sum())
            E0 = (o.V0[:, u] * (1 + self.t0[:, u])).sum(axis=0)
            out["us_import_price_change_pct"] = (
                float(100 * (E0 * (o.P_hat[u] - 1)).sum() / E0.sum()) if E0.sum() > 0 else 0.0
            )
        mac = so.macro
        out["exports_change_pct_after_4q"] = mac.exports_short_run["total_pct"] if mac is not None else None
        if mac is not None and "total_pct_with_input_costs" in mac.exports_long_run:
            # the country's own retaliation makes US inputs dearer: its exports with that cost included
            ends = mac.exports_short_run if so.elasticities.horizon == "short-run" else mac.exports_long_run
            out["exports_change_pct_incl_retaliation_costs"] = ends["total_pct_with_input_costs"]
            out["exports_to_us_change_pct_incl_retaliation_costs"] = ends["us_pct_with_input_costs"]
        if mac is not None:
            out["gdp_impact_pct"] = mac.gdp_impact_pct
            out["gdp_impact_pct_long_run"] = float(sum(mac.long_run.values()))
            out["gdp_impact_pct_end_of_horizon"] = float(mac.path[-1])
            out["gdp_path"] = self._path_records(mac.path)
        if so.recession is not None:
            out["recession_probability"] = so.recession.recession_probability
            out["recession_probability_baseline"] = so.recession.recession_probability_baseline
            out["annual_contraction_probability"] = so.recession.annual_contraction_probability
        return out

    def _path_records(self, path) -> list[dict]:
        from .scenario import quarter_labels

        labels = quarter_labels(self.scenario.phase_in, len(path))
        return [
            {"quarter": i + 1, "period": p, "deviation_pct": float(v)}
            for i, (p, v) in enumerate(zip(labels, path, strict=False))
        ]

    def to_json(self) -> dict:
        """One JSON-ready object: the contract of ``tariffsim run SCENARIO --json``.

        Top-level keys hold the central set; ``by_elasticity_set`` the same keys for every set.
        Percent values are in percent (negative for a fall); probabilities are shares 0-1.
        """
        cen = self.headline()
        out = {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "model": self.model,
            "country": self.country,
            "central_set": self.central,
        }
        out.update(
            {
                k: v
                for k, v in cen.items()
                if k
                not in ("recession_probability", "recession_probability_baseline", "annual_contraction_probability")
            }
        )
        impacts = {n: so.macro.gdp_impact_pct for n, so in self.sets.items() if so.macro is not None}
        if impacts:
            out["gdp_impact_pct_low"] = max(impacts.values())  # smallest loss
            out["gdp_impact_pct_high"] = min(impacts.values())  # largest loss
            out["gdp_impact_pct_low_set"] = max(impacts, key=impacts.get)
            out["gdp_impact_pct_high_set"] = min(impacts, key=impacts.get)
        if self.recession is not None:
            r = self.recession
            out["recession_probability"] = r.recession_probability
            out["recession_probability_baseline"] = r.recession_probability_baseline
            out["annual_contraction_probability"] = r.annual_contraction_probability
            out["annual_contraction_probability_baseline"] = r.annual_contraction.baseline
            out["recession_probability_horizon"] = r.technical_horizon.tariff
            out["recession_probability_horizon_baseline"] = r.technical_horizon.baseline
            out["recession_monte_carlo"] = {
                "n_paths": r.n_paths,
                "n_draws": r.n_draws,
                "seed": r.seed,
                "horizon_quarters": r.horizon,
                "se_recession_probability": r.technical_4q.se_tariff,
                "ar1": {"mu_pct_q": r.mu, "rho": r.rho, "sigma_pct_q": r.sigma},
            }
        mac = self.outcome().macro
        if mac is not None:
            a = mac.assumptions
            out["export_dependence"] = a.export_dependence
            out["export_dependence_data"] = a.export_dependence_data
            out["macro"] = {
                "form": a.form,
                "value_added_share": a.value_added_share,
                "multiplier": a.multiplier,
                "exchange_rate_offset": a.exchange_rate_offset,
                "uncertainty_drag_pct": a.uncertainty_drag_pct,
                "adjustment_speed": a.adjustment_speed,
                "retaliation_input_cost_wedge": mac.wedge,
                "gdp_usd": a.gdp_usd,
                "exports_usd": a.exports_usd,
                "channels_after_4q_pct": {k: float(v[min(4, len(v)) - 1]) for k, v in mac.components.items()},
                "sources": dict(a.sources),
            }
        if self.draws is not None and len(self.draws):
            q = self.draws["gdp_impact_pct"].quantile([0.05, 0.5, 0.95])
            out["gdp_impact_pct_draws"] = {
                "p05": float(q.loc[0.05]),
                "p50": float(q.loc[0.5]),
                "p95": float(q.loc[0.95]),
                "n": int(len(self.draws)),
            }
        out["by_elasticity_set"] = {n: self.headline(n) for n in self.sets}
        if self.ge is not None:
            out["ge"] = self.ge_summary()
        out["notes"] = list(self.notes)
        out["provenance"] = dict(self.provenance)
        return json_safe(out)

    def ge_summary(self) -> dict:
        g = self.ge
        df = g.by_country()
        row = df[df.iso3 == self.country].iloc[0].to_dict() if (df.iso3 == self.country).any() else {}
        return {"country": row, "solver": g.solver.to_dict()}

    def summary(self) -> pd.DataFrame:
        """One row per elasticity set: the headline numbers (percent, USD, probabilities 0-1)."""
        rows = []
        for n in self.sets:
            h = self.headline(n)
            so = self.sets[n]
            es = so.elasticities.arrays(self.data.sectors)
            rows.append(
                {
                    "elasticity_set": n,
                    "sigma": float(np.median(es["sigma"])),
                    "eta": float(np.median(es["eta"])),
                    "eps_x": float(np.median(es["eps_x"])),
                    "exports_change_pct": h["exports_change_pct"],
                    "exports_to_us_change_pct": h["exports_to_us_change_pct"],
                    "exports_change_pct_after_4q": h["exports_change_pct_after_4q"],
                    "us_tariff_revenue_usd": h["us_tariff_revenue_usd"],
                    "us_import_price_change_pct": h["us_import_price_change_pct"],
                    "gdp_impact_pct": h.get("gdp_impact_pct"),
                    "gdp_impact_pct_long_run": h.get("gdp_impact_pct_long_run"),
                    "recession_probability": h.get("recession_probability"),
                    "recession_probability_baseline": h.get("recession_probability_baseline"),
                }
            )
        df = pd.DataFrame(rows)
        df.attrs["units"] = "percent; USD; probabilities as shares 0-1"
        return df

    def summary_text(self) -> str:
        """A readable multi-line summary (what ``tariffsim run`` prints)."""
        j = self.to_json()
        c = self.country
        lines = [
            f"scenario {j['scenario']}: {j['description']}",
            f"model {j['model'].upper()}, reported economy {c}, central elasticity set '{self.central}'",
            "",
        ]

        def f(x, fmt="{:+.1f}"):
            return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt.format(x)

        lines.append(
            f"{c} exports (exporter prices)       {f(j['exports_change_pct'])} %  "
            f"(after 4 quarters {f(j.get('exports_change_pct_after_4q'))} %)"
        )
        if j.get("exports_change_pct_incl_retaliation_costs") is not None:
            lines.append(
                f"  with dearer US inputs (own retaliation) {f(j['exports_change_pct_incl_retaliation_costs'])} %"
            )
        if j.get("exports_to_us_change_pct") is not None:
            lines.append(f"{c} exports to the US               {f(j['exports_to_us_change_pct'])} %")
        if j.get("us_tariff_revenue_usd") is not None:
            lines.append(
                f"US tariff revenue, change          {j['us_tariff_revenue_usd'] / 1e9:+,.1f} bn USD a year "
                f"(at the four-quarter mark {j['us_tariff_revenue_usd_after_4q'] / 1e9:+,.1f} bn)"
            )
            lines.append(f"US import prices                   {f(j['us_import_price_change_pct'], '{:+.2f}')} %")
        if "gdp_impact_pct" in j:
            lines.append(
                f"{c} GDP after 4 quarters            {f(j['gdp_impact_pct'], '{:+.2f}')} % "
                f"(sets: {f(j['gdp_impact_pct_low'], '{:+.2f}')} to {f(j['gdp_impact_pct_high'], '{:+.2f}')} %; "
                f"long run {f(j['gdp_impact_pct_long_run'], '{:+.2f}')} %)"
            )
            lines.append(
                f"export dependence used / data      {j['export_dependence']:.2f} / {j['export_dependence_data']:.3f}"
            )
        if "recession_probability" in j:
            lines.append(
                f"technical recession within 4 q     {100 * j['recession_probability']:.1f} % "
                f"(baseline {100 * j['recession_probability_baseline']:.1f} %)"
            )
            lines.append(
                f"annual contraction                 {100 * j['annual_contraction_probability']:.1f} % "
                f"(baseline {100 * j['annual_contraction_probability_baseline']:.1f} %)"
            )
        lines.append("")
        lines.append(f"{'set':16}{'exports %':>10}{'to US %':>9}{'GDP 4q %':>10}{'recession':>11}")
        for n, h in j["by_elasticity_set"].items():
            rp = h.get("recession_probability")
            lines.append(
                f"{n:16}{f(h['exports_change_pct']):>10}{f(h['exports_to_us_change_pct']):>9}"
                f"{f(h.get('gdp_impact_pct'), '{:+.2f}'):>10}{f(rp and 100 * rp, '{:.1f} %'):>11}"
            )
        for note in self.notes:
            lines.append(f"note: {note}")
        return "\n".join(lines)
