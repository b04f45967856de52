"""The replication of Caliendo and Parro's (2015) NAFTA tariff experiment.

The tables (31 regions x 40 sectors, 1993, US dollars) are read by
:func:`tariffsim.inputs.io_tables.read_cp2015`.

``replicate_cp2015(data_dir, zero_deficit=True)`` runs the published two-step experiment
(docs/models/ge_io.md): a baseline equilibrium at the baseline tariffs and iceberg costs, then the
counterfactual at the NAFTA tariffs, deficits zero in both (``zero_deficit=True``, the paper's
section 5.1) or at their 1993 values; changes are counterfactual/baseline.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._lazy import pd
from .._util import ShortRepr, clean_zero, no_negative_zero, readonly
from ..constants import DEFAULT_COUNTRY, DEFAULT_MARKET
from ..errors import ConvergenceError, DataError, NumericalError, OutputExistsError, ScenarioError
from ..inputs.io_shipped import folder_note
from ..inputs.io_tables import load_shipped, read_cp2015
from ..inputs.published import published_values
from ..models.ge_io import STRUCTURE_NOTE, IOChanges, IOData, calibrate, changes, iso3_codes, region_index, solve_io
from ..solvers import SolverInfo

__all__ = [
    "replicate_cp2015",
    "CP2015Result",
    "SeedResult",
    "tariff_on_nafta",
]

log = logging.getLogger(__name__)


def _published(zero_deficit: bool) -> dict[str, dict[str, float]]:
    """Published values for the NAFTA members (``data/published/cp2015.toml``, with its sources)."""
    return published_values("cp2015")["zero_deficit" if zero_deficit else "with_deficits"]


def _intra_bloc_published() -> dict[str, float]:
    return published_values("cp2015")["intra_bloc"]


#: The NAFTA members, as the published experiment names them (the regions of ``data/published/cp2015.toml``).
NAFTA: tuple[str, ...] = tuple(published_values("cp2015")["zero_deficit"])


# ----------------------------------------------------------------------------- reading


# ----------------------------------------------------------------------------- replication


@dataclass(frozen=True, eq=False, repr=False)
class CP2015Result(ShortRepr):
    """The NAFTA experiment solved.

    by_region : region, welfare_pct, tot_pct, vot_pct, tech_pct, realwage_pct (+ real_income_pct,
        wage_pct, consumer_price_pct); percent, welfare terms in percent of baseline income.
    by_sector : region, sector, output, price and export levels and changes (percent).
    bilateral : exporter, importer, trade_bln, trade_cfl (net of tariffs, USD), trade_change_pct.
    published : the published values for the NAFTA members (``data/published/cp2015.toml``).
    intra_bloc_pct : each NAFTA member's imports from the other two, change in percent.
    solver : (baseline, counterfactual) convergence facts; seconds : the whole call.
    """

    zero_deficit: bool
    by_region: pd.DataFrame
    by_sector: pd.DataFrame
    bilateral: pd.DataFrame
    published: dict
    intra_bloc_pct: dict
    solver: tuple[SolverInfo, SolverInfo]
    seconds: float
    notes: tuple[str, ...]
    changes: IOChanges = field(repr=False)

    def comparison(self) -> pd.DataFrame:
        """NAFTA members: ours beside the published values (columns ``<measure>`` and ``<measure>_published``)."""
        rows = []
        recs = self.by_region.to_dict(orient="records")
        names = [str(rec["region"]) for rec in recs]
        for r in NAFTA:
            ours = recs[region_index(names, r)]
            pub = self.published.get(r, {})
            row: dict[str, object] = {"region": r}
            for m in ("welfare_pct", "tot_pct", "vot_pct", "tech_pct", "realwage_pct"):
                row[m] = float(ours[m])
                row[m + "_published"] = pub.get(m)
            row["intra_bloc_imports_pct"] = self.intra_bloc_pct[r]
            row["intra_bloc_imports_pct_published"] = (
                _intra_bloc_published()[r] if self.zero_deficit and self.published else None
            )
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A small table: ours and published for Mexico, Canada and the US, and the solver facts."""
        pub = bool(self.published)
        if pub:
            case = "zero aggregate deficits" if self.zero_deficit else "1993 deficits held"
            lines = [f"Caliendo-Parro (2015) NAFTA tariff reductions, {case} (percent; published in brackets)"]
        else:
            case = "zero aggregate deficits" if self.zero_deficit else "the table's deficits held"
            lines = [
                f"Caliendo-Parro (2015) two-solve experiment on another table (tariff_bln -> tariff_cfl), {case} "
                "(percent; no published values for this table)"
            ]
        lines.append(
            f"{'':8}{'welfare':>16}{'terms of trade':>18}{'volume of trade':>18}{'real wage':>16}{'real income':>14}"
        )
        recs = self.by_region.to_dict(orient="records")
        names = [str(rec["region"]) for rec in recs]
        for r in NAFTA:
            ours = recs[region_index(names, r)]
            cells = []
            for m, w in (("welfare_pct", 16), ("tot_pct", 18), ("vot_pct", 18), ("realwage_pct", 16)):
                text = f"{clean_zero(ours[m], 2):+.2f}" + (
                    f" ({clean_zero(self.published[r][m], 2):+.2f})" if pub else ""
                )
                cells.append(text.rjust(w))
            cells.append(f"{clean_zero(float(ours['real_income_pct']), 2):+.2f}".rjust(14))
            lines.append(f"{r:8}" + "".join(cells))
        lines.append(
            "welfare = terms of trade + volume of trade + technical efficiency, Caliendo and Parro's one-step "
            "formula, evaluated at the baseline's weights (first-order); real income is the exact change of income "
            "over prices, which tariffsim's scenarios report (docs/models/ge_io.md: one step or integrated)"
        )
        ib = ", ".join(
            f"{r} {clean_zero(self.intra_bloc_pct[r], 0):+.0f} %"
            + (f" ({clean_zero(_intra_bloc_published()[r], 0):+.0f} %)" if self.zero_deficit and pub else "")
            for r in NAFTA
        )
        lines.append(f"intra-bloc imports: {ib}")
        b, c = self.solver
        lines.append(
            f"solver: baseline {b.iterations} steps, residual {b.residual:.1e}; counterfactual {c.iterations} steps, "
            f"residual {c.residual:.1e}; whole call {1e3 * self.seconds:.0f} ms"
        )
        lines.append(f"note: {self.notes[0] if self.notes else STRUCTURE_NOTE}")
        return "\n".join(lines)

    def to_csv(self, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
        """Write ``by_region`` with the published columns (NAFTA members) to ``path`` atomically."""
        path = Path(path)
        if not overwrite and path.exists():
            raise OutputExistsError(f"{path} exists; pass overwrite=True to replace it")
        if not path.parent.is_dir():
            raise DataError("output folder does not exist", source=str(path.parent))
        df = self.by_region.copy()
        for m in ("welfare_pct", "tot_pct", "vot_pct", "tech_pct", "realwage_pct"):
            df[m + "_published"] = [self.published.get(r, {}).get(m, np.nan) for r in df["region"]]
        num = df.select_dtypes("number").columns
        df[num] = df[num].round(6) + 0.0  # no '-0.000000'
        fd, tmp = tempfile.mkstemp(prefix=".tariffsim-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                no_negative_zero(df, 6).to_csv(fh, index=False, float_format="%.6f")
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def to_dict(self) -> dict:
        """JSON-ready: case, comparison, by_region, intra-bloc, solver facts, notes."""
        return {
            "study": "cp2015",
            "zero_deficit": self.zero_deficit,
            "comparison": self.comparison().to_dict(orient="records"),
            "by_region": self.by_region.to_dict(orient="records"),
            "intra_bloc_pct": self.intra_bloc_pct,
            "solver": {"baseline": self.solver[0].to_dict(), "counterfactual": self.solver[1].to_dict()},
            "seconds": self.seconds,
            "notes": list(self.notes),
        }


def intra_bloc(ch: IOChanges, members: Sequence[str] = NAFTA) -> dict[str, float]:
    """Each member's imports (net of tariffs) from the other members, change in percent."""
    idx = {m: region_index(ch.regions, m) for m in members}
    out = {}
    for m, k in idx.items():
        others = [v for o, v in idx.items() if o != m]
        b = ch.baseline.trade[k, others].sum()
        c = ch.counterfactual.trade[k, others].sum()
        out[m] = float(100.0 * (c / b - 1.0))
    return out


def run_experiment(data: IOData, zero_deficit: bool = True, *, tol: float = 1e-10) -> IOChanges:
    """The two solves of the published experiment on ``data``; returns the changes."""
    model = calibrate(data)
    D = np.zeros(data.N) if zero_deficit else data.deficit
    bln = solve_io(model, data.tariff_bln, data.d_bln, D, tol=tol)
    cfl = solve_io(model, data.tariff_cfl, data.d_cfl, D, tol=tol, start=bln)
    return changes(bln, cfl)


def replicate_cp2015(data_dir: str | os.PathLike, zero_deficit: bool = True, *, tol: float = 1e-10) -> CP2015Result:
    """Replicate Caliendo and Parro (2015)'s NAFTA experiment on the tables in ``data_dir``.

    ``zero_deficit=True`` sets deficits to zero in both solves (the paper's section 5.1);
    ``False`` holds the 1993 deficits. Raises DataError for missing or malformed files (naming the
    file and field) and ConvergenceError if a solve fails.
    """
    t0 = time.perf_counter()
    data = read_cp2015(data_dir)
    try:
        ch = run_experiment(data, zero_deficit, tol=tol)
    except (ConvergenceError, NumericalError, FloatingPointError, RuntimeWarning) as exc:
        raise NumericalError(
            f"{data_dir}: the Caliendo-Parro equilibrium could not be computed from these tables ({exc}); "
            f"{extreme_inputs(data)}"
        ) from None
    by_region = ch.by_region()
    # the published values belong to Caliendo and Parro's own tables (regions named as theirs)
    own = set(NAFTA) <= set(data.regions) and data.N == 31
    result = CP2015Result(
        zero_deficit=bool(zero_deficit),
        by_region=by_region,
        by_sector=ch.by_sector(),
        bilateral=ch.bilateral(),
        published=_published(bool(zero_deficit)) if own else {},
        intra_bloc_pct=intra_bloc(ch),
        solver=(ch.baseline.solver, ch.counterfactual.solver),
        seconds=time.perf_counter() - t0,
        notes=(
            STRUCTURE_NOTE
            if own
            else (folder_note(data_dir) or f"tables in {Path(data_dir).name}: not the Caliendo-Parro data"),
            "changes are counterfactual over baseline solve (both from the same data)",
            "welfare = terms of trade + volume of trade + technical efficiency, percent of baseline income",
        ),
        changes=ch,
    )
    log.info("CP2015: Mexico welfare %.4f %%", float(ch.welfare_pct[region_index(data.regions, "Mexico")]))
    return result


def extreme_inputs(data: IOData) -> str:
    """The inputs of ``data`` most likely to break a solve, in words naming their file: the
    smallest trade elasticity θ (next to its special value 0, trade no longer responds to costs
    and the model's cost powers 1/θ overflow), the largest tariff and iceberg change."""
    j = int(np.argmin(data.theta))
    theta = float(data.theta[j])
    near = " (next to its special value 0)" if theta < 0.01 else ""
    parts = [f"theta.csv: the smallest θ is {theta:.3g}{near}, sector {data.sectors[j]!r} (row {j + 2})"]
    t = max(float(data.tariff_bln.max()), float(data.tariff_cfl.max()))
    d = max(float(data.d_bln.max()), float(data.d_cfl.max()), 1.0 / float(min(data.d_bln.min(), data.d_cfl.min())))
    parts.append(f"trade.csv: the largest tariff is {t:.3g} and the largest iceberg change (or its inverse) {d:.3g}")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- the seed question


@dataclass(frozen=True, eq=False)
class SeedResult:
    """A tariff on top of the NAFTA (post-1994 tariff) equilibrium, on the Caliendo-Parro tables.

    regions, sectors : names (the data's region names; ``iso3`` gives codes).
    welfare_pct : (N,) exact change of welfare, which in this model is real income I_n/P_n
        (percent from the NAFTA equilibrium); ``real_income_pct`` is the same array.
    welfare_first_order_pct : (N,) the Caliendo-Parro decomposition (terms of trade + volume of
        trade + technical efficiency, percent of income). It is a first-order formula evaluated at
        the reference tariffs; for a 25 % tariff it can differ from the exact change by more than a
        percentage point (``changes`` holds its terms).
    realwage_pct : (N,) ŵ/P̂ − 1 in percent; nominal_income_pct : (N,) Î − 1 in percent (the
        numéraire is world labour income).
    output_pct, real_output_pct : (N, J) gross output change by sector, in value and deflated by
        the sector's input-bundle cost.
    trade_before, trade_after : (N_exporter, N_importer, J) trade at exporter prices, net of
        tariffs, in USD of 1993 (the data's unit).
    tariff_added : (N_importer, N_exporter, J) the tariffs added on top of the NAFTA tariffs.
    changes : the full :class:`IOChanges` (decomposition, prices, by-sector tables).
    notes : what the numbers rest on (the 1993 structure first).
    """

    regions: tuple[str, ...]
    iso3: tuple[str, ...]
    sectors: tuple[str, ...]
    welfare_pct: np.ndarray
    welfare_first_order_pct: np.ndarray
    realwage_pct: np.ndarray
    real_income_pct: np.ndarray
    nominal_income_pct: np.ndarray
    output_pct: np.ndarray
    real_output_pct: np.ndarray
    trade_before: np.ndarray
    trade_after: np.ndarray
    tariff_added: np.ndarray
    rate: float
    retaliation_rate: float | None
    notes: tuple[str, ...]
    changes: IOChanges = field(repr=False)
    solver: tuple[SolverInfo, SolverInfo] = field(repr=False)

    def region(self, code: str) -> dict:
        """Headline numbers of one region (name or ISO3)."""
        k = region_index(self.regions, code)
        return {
            "region": self.regions[k],
            "iso3": self.iso3[k],
            "welfare_pct": float(self.welfare_pct[k]),
            "welfare_first_order_pct": float(self.welfare_first_order_pct[k]),
            "realwage_pct": float(self.realwage_pct[k]),
            "real_income_pct": float(self.real_income_pct[k]),
            "nominal_income_pct": float(self.nominal_income_pct[k]),
        }

    def output_by_sector(self, codes: Sequence[str] = (DEFAULT_COUNTRY, DEFAULT_MARKET)) -> pd.DataFrame:
        """sector x region table of gross output change (percent, value at exporter prices)."""

        cols = {}
        for c in codes:
            k = region_index(self.regions, c)
            cols[self.iso3[k]] = self.output_pct[k]
        return pd.DataFrame(cols, index=pd.Index(self.sectors, name="sector"))

    def to_dict(self) -> dict:
        """JSON-ready summary: per-region headline numbers and sector outputs of every region."""
        return {
            "model": "ge-io (Caliendo-Parro 2015)",
            "rate": self.rate,
            "retaliation_rate": self.retaliation_rate,
            "notes": list(self.notes),
            "regions": [
                {
                    **self.region(r),
                    "output_pct": dict(zip(self.sectors, map(_finite_or_none, self.output_pct[k]), strict=True)),
                }
                for k, r in enumerate(self.regions)
            ],
        }


def _finite_or_none(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def tariff_on_nafta(
    data: IOData | None = None,
    rate: float = 0.25,
    importer: str = DEFAULT_MARKET,
    exporters: Sequence[str] = (DEFAULT_COUNTRY,),
    retaliation_rate: float | None = None,
    *,
    zero_deficit: bool = True,
    tol: float = 1e-10,
) -> SeedResult:
    """A ``rate`` tariff by ``importer`` on every good of ``exporters``, on top of the NAFTA
    equilibrium, with optional retaliation (each exporter taxes the importer's goods at
    ``retaliation_rate``).

    Procedure (two solves from the same data, as in the published experiment): the reference is
    the equilibrium at the counterfactual (post-NAFTA) tariffs ``tariff_cfl``; the shock adds
    ``rate`` to the importer's tariffs on the exporters in every sector (and the retaliation rate
    to the exporters' tariffs on the importer); changes are shock/reference. Deficits are zero
    (``zero_deficit=True``, the paper's case) or held at their 1993 values. ``data`` defaults to
    the shipped Caliendo-Parro tables (:func:`tariffsim.inputs.io_tables.load_shipped`).

    The structure (shares, input-output links, elasticities) is 1993's; ``notes`` says so.
    """
    if data is None:
        data = load_shipped()
    if not np.isfinite(rate) or rate <= -1:
        raise ScenarioError(f"rate {rate!r} must be a finite share above -1 (0.25 = 25 %)", field="rate")
    if retaliation_rate is not None and (not np.isfinite(retaliation_rate) or retaliation_rate <= -1):
        raise ScenarioError(f"retaliation_rate {retaliation_rate!r} must be above -1", field="retaliation_rate")
    h = region_index(data.regions, importer)
    ex = [region_index(data.regions, e) for e in exporters]
    if h in ex:
        raise ScenarioError("the importer cannot tax itself", field="exporters")
    model = calibrate(data)
    D = np.zeros(data.N) if zero_deficit else data.deficit
    ref = solve_io(model, data.tariff_cfl, data.d_cfl, D, tol=tol)
    add = np.zeros((data.N, data.N, data.J))
    add[h, ex, :] = rate
    if retaliation_rate is not None:
        add[ex, h, :] = retaliation_rate
    shock = solve_io(model, data.tariff_cfl + add, data.d_cfl, D, tol=tol, start=ref)
    ch = changes(ref, shock)
    iso = iso3_codes(data.regions)
    exp_names = ", ".join(iso[e] for e in ex)
    notes = (
        STRUCTURE_NOTE,
        f"reference: the NAFTA equilibrium (1993 data solved at the post-NAFTA tariffs); shock: +{100 * rate:g} pp "
        f"tariff by {iso[h]} on all goods from {exp_names}"
        + (f", retaliation +{100 * retaliation_rate:g} pp on {iso[h]} goods" if retaliation_rate is not None else ""),
        "deficits: zero aggregate deficits (as in Caliendo-Parro 2015, section 5.1)"
        if zero_deficit
        else "deficits: held at their 1993 values",
        "welfare = exact change of real income (income over the consumer price index); "
        "welfare_first_order = the Caliendo-Parro decomposition (terms of trade + volume of trade), a first-order "
        "formula that is not reliable for a 25 % tariff",
        "trade values in USD of 1993 at exporter prices, net of tariffs; output change in value at exporter prices",
    )
    return SeedResult(
        regions=data.regions,
        iso3=tuple(iso),
        sectors=data.sectors,
        welfare_pct=readonly(ch.real_income_pct),
        welfare_first_order_pct=readonly(ch.welfare_pct),
        realwage_pct=readonly(ch.realwage_pct),
        real_income_pct=readonly(ch.real_income_pct),
        nominal_income_pct=readonly(100.0 * (shock.income / ref.income - 1.0)),
        output_pct=readonly(ch.output_pct),
        real_output_pct=readonly(ch.real_output_pct),
        trade_before=readonly(np.transpose(ref.trade, (1, 0, 2))),
        trade_after=readonly(np.transpose(shock.trade, (1, 0, 2))),
        tariff_added=readonly(add),
        rate=float(rate),
        retaliation_rate=None if retaliation_rate is None else float(retaliation_rate),
        notes=notes,
        changes=ch,
        solver=(ref.solver, shock.solver),
    )
