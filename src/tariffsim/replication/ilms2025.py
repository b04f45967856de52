"""Replication of Ignatenko, Lashkaripour, Macedoni and Simonovska (2025), "Making America Great
Again? The Economic Impacts of Liberation Day Tariffs", Journal of International Economics (ILMS).

``replicate_ilms2025(data_dir, case)`` reads the paper's public inputs (the folder
``../shared/data/ilms2025`` beside the project: ``trade_cepii.csv`` in thousand USD, ``gdp.csv``
in USD, ``tariffs.csv`` as shares, ``country_labels.csv``), builds the ILMS baseline with
:func:`tariffsim.models.ge.build_baseline`, calibrates ν by the two-region conditions (0.12, 0.26) with
the US as region 2, and solves the counterfactual with :func:`tariffsim.models.ge.solve_ge`.

Choices pinned down here (the published MATLAB code was not available; see also the reading of
the welfare formula in :mod:`tariffsim.models.ge`):

* US tariffs: max(10 %, announced rate) on every exporter into the US; the US's own row is 0.
  Baseline tariffs are zero (the data have none).
* ν: one value for the US and one for everyone else, with the two-region shares r₁₁, r₂₂ taken
  on the baseline built with that same ν (a fixed point: ν₁ = 0.11434, ν₂ = 0.27047). The
  readings that take the shares from data alone (E = GDP + imports − exports, or E = GDP) give
  ν within 0.0005 of these, and per-country welfare within 0.004 and 0.007 pp (the fixed point
  lies between them); the headline numbers are the same at printed precision.
* ``eaton-kortum``: ν = 0 and φ = 1 (baseline rebuilt with ν = 0); ε, κ and ψ = 0.67/ε kept, as
  the case changes only ν and φ (docs/models/ge.md).
* ``high-elasticity``: ε = 8 with ψ = 0.67/ε and θ = ε/0.67 recomputed; ν as in the baseline.
* ``reciprocal-retaliation``: every partner j taxes US goods at the rate the US applies to j.
* ``optimal-retaliation``: every partner j taxes US goods at 1/((1 + r₂₂ ε) φ_j − 1), with r₂₂
  the share of US sales bought by the US in the two-region aggregate (the US export-supply side
  the partners exploit) and φ_j the partner's pass-through term.
* ``optimal-us-tariff`` (extra): a uniform US tariff 1/((1 + r₁₁ ε) φ_US − 1), no retaliation.
* Non-US welfare is the average weighted by baseline total expenditure E (domestic sales
  included); the US tariff revenue is new revenue over baseline total expenditure E.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

from .._lazy import pd
from .._util import ShortRepr, clean_zero, no_negative_zero
from ..constants import DEFAULT_MARKET
from ..errors import ConvergenceError, DataError, NumericalError, OutputExistsError, ScenarioError
from ..inputs.loaders import read_matrix_csv
from ..inputs.published import published_values
from ..limits import shown
from ..models.ge import (
    ILMS_SCALE,
    GEBaseline,
    GEParams,
    GESolution,
    build_baseline,
    calibrate_nu_two_region,
    solve_ge,
    two_region_shares,
)
from ..solvers import SolverInfo

__all__ = [
    "replicate_ilms2025",
    "ReplicationResult",
    "ILMS_CASES",
    "ILMS_FILES",
    "ilms_inputs",
    "ILMSInputs",
]

log = logging.getLogger(__name__)

#: Cases and what they are (the paper's Table 1 scenarios plus an optimal US tariff).
ILMS_CASES: dict[str, str] = {
    "baseline": "Liberation Day tariffs, revenue used for income-tax relief, no retaliation (Table 1, case 1)",
    "lump-sum": "same tariffs, revenue rebated lump sum (Table 1, case 2)",
    "reciprocal-retaliation": "partners mirror the US tariff on US goods",
    "optimal-retaliation": "partners set their optimal tariff on US goods",
    "eaton-kortum": "Eaton-Kortum special case: nu = 0, phi = 1",
    "high-elasticity": "trade elasticity doubled (eps = 8)",
    "optimal-us-tariff": "uniform optimal US tariff, no retaliation",
}

ILMS_FILES = ("trade_cepii.csv", "country_labels.csv", "gdp.csv", "tariffs.csv")

#: Columns of ``ReplicationResult.by_country`` and of the CSV.
COLUMNS = (
    "iso3",
    "welfare_pct",
    "deficit_change_pct",
    "exports_gdp_change_pct",
    "imports_gdp_change_pct",
    "employment_pct",
    "price_index_pct",
    "tariff_revenue_share",
)

ILMS_EPS = 4.0
ILMS_KAPPA = 0.5
ILMS_NU_TARGETS = (0.12, 0.26)
ILMS_MIN_TARIFF = 0.10
HOME = DEFAULT_MARKET


@dataclass(frozen=True, eq=False)
class ILMSInputs:
    """The ILMS data in model form: countries, trade (USD, exporter x importer), GDP (USD),
    announced US tariffs (shares), the index of the US."""

    countries: tuple[str, ...]
    trade: np.ndarray
    gdp: np.ndarray
    announced: np.ndarray
    home: int
    source: str


def ilms_inputs(data_dir: str | os.PathLike) -> ILMSInputs:
    """Read the four ILMS files with :func:`tariffsim.inputs.loaders.read_matrix_csv` (thousand USD -> USD)."""
    d = Path(data_dir)
    if not d.is_dir():
        raise DataError(f"data folder not found; expected a folder with {', '.join(ILMS_FILES)}", source=str(d))
    found = {}
    for name in ILMS_FILES:  # each may be gzipped (NAME.gz), as the Caliendo-Parro tables may
        cands = [c for c in (d / name, d / (name + ".gz")) if c.is_file()]
        if not cands:
            raise DataError(
                f"missing input file {name} (the ILMS inputs are {', '.join(ILMS_FILES)})", source=str(d / name)
            )
        found[name] = cands[0]
    td = read_matrix_csv(
        found["trade_cepii.csv"],
        found["country_labels.csv"],
        found["gdp.csv"],
        units="thousand USD",
        tariffs=found["tariffs.csv"],
    )
    home = td.index(HOME)
    ann = cast(Mapping[str, float], td.meta["tariffs_announced"])
    announced = np.array([ann[c] for c in td.countries], dtype=float)
    return ILMSInputs(td.countries, td.values[:, :, 0].copy(), np.asarray(td.gdp, dtype=float), announced, home, str(d))


def _us_tariffs(inp: ILMSInputs) -> np.ndarray:
    n = len(inp.countries)
    t = np.zeros((n, n))
    t[:, inp.home] = np.maximum(ILMS_MIN_TARIFF, inp.announced)
    t[inp.home, inp.home] = 0.0
    return t


@dataclass(frozen=True, eq=False, repr=False)
class ReplicationResult(ShortRepr):
    """One ILMS case solved.

    by_country : one row per economy, columns ``COLUMNS``. ``welfare_pct``, ``employment_pct``,
        ``price_index_pct`` and the ``*_change_pct`` columns are percentage changes (1.13 = +1.13 %);
        ``tariff_revenue_share`` is tariff revenue as a percent of baseline total expenditure E
        (domestic sales included), e.g. 1.14 = 1.14 %. ``deficit_change_pct`` is the change of the
        goods deficit (imports − exports) over its absolute baseline value, in percent.
    headline : us_welfare_pct, non_us_welfare_pct (weighted by baseline total expenditure E),
        us_employment_pct, us_price_index_pct, us_tariff_revenue_pct (all in percent).
    solver : convergence facts (method, iterations, residual, seconds).
    solution : the full :class:`tariffsim.models.ge.GESolution` (hats, new flows, Walras residual).
    """

    case: str
    by_country: pd.DataFrame
    headline: dict
    solver: SolverInfo
    solution: GESolution = field(repr=False)
    params: GEParams = field(repr=False)

    def to_csv(self, path: str | os.PathLike, *, overwrite: bool = True) -> Path:
        """Write ``by_country`` to ``path`` (atomically: a failed write leaves no partial file).

        With ``overwrite=False`` an existing file raises OutputExistsError.
        """
        path = Path(path)
        if not overwrite and path.exists():
            raise OutputExistsError(f"{path} exists; pass overwrite=True to replace it")
        if not path.parent.is_dir():
            raise DataError("output folder does not exist", source=str(path.parent))
        df = self.by_country.copy()
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

    @property
    def published(self) -> dict[str, float]:
        """The published headline values of this case (``data/published/ilms2025.toml``; empty if none)."""
        return dict(published_values("ilms2025").get(self.case, {}))

    def summary(self) -> str:
        """The case, the headline numbers and the solver facts; a second line with the published
        values beside ours when the paper reports this case."""
        h = {k: clean_zero(v, 2) for k, v in self.headline.items()}  # never '-0.00'
        pub = {k: clean_zero(v, 2) for k, v in self.published.items()}
        line = (
            f"ILMS 2025 {self.case}: US welfare {h['us_welfare_pct']:+.2f} %, non-US {h['non_us_welfare_pct']:+.2f} %, "
            f"US employment {h['us_employment_pct']:+.2f} %, US prices {h['us_price_index_pct']:+.1f} %, "
            f"US tariff revenue {h['us_tariff_revenue_pct']:.2f} % of expenditure "
            f"({self.solver.iterations} steps, residual {self.solver.residual:.1e}, {1e3 * self.solver.seconds:.0f} ms)"
        )
        if not pub:
            return line
        labels = {
            "us_welfare_pct": ("US welfare", "{:+.2f} %"),
            "non_us_welfare_pct": ("non-US welfare", "{:+.2f} %"),
            "us_employment_pct": ("US employment", "{:+.2f} %"),
            "us_price_index_pct": ("US prices", "{:+.1f} %"),
            "us_tariff_revenue_pct": ("US tariff revenue", "{:.2f} %"),
        }
        cells = [
            f"{labels[k][0]} {labels[k][1].format(h[k])} (published {labels[k][1].format(v)})" for k, v in pub.items()
        ]
        return line + "\nours vs published (ILMS 2025): " + ", ".join(cells)


def _case_setup(inp: ILMSInputs, case: str) -> tuple[GEBaseline, np.ndarray, GEParams]:
    nu = calibrate_nu_two_region(inp.trade, inp.gdp, inp.home, ILMS_NU_TARGETS)
    t = _us_tariffs(inp)
    if case == "eaton-kortum":
        params = GEParams(eps=ILMS_EPS, kappa=ILMS_KAPPA, psi=ILMS_SCALE / ILMS_EPS, phi=1.0, nu=0.0)
        return build_baseline(inp.trade, inp.gdp, 0.0, countries=inp.countries), t, params
    baseline = build_baseline(inp.trade, inp.gdp, nu, countries=inp.countries)
    if case == "lump-sum":
        return baseline, t, GEParams.ilms(nu, eps=ILMS_EPS, kappa=ILMS_KAPPA, recycling="lump-sum")
    if case == "high-elasticity":
        return baseline, t, GEParams.ilms(nu, eps=2 * ILMS_EPS, kappa=ILMS_KAPPA)
    params = GEParams.ilms(nu, eps=ILMS_EPS, kappa=ILMS_KAPPA)
    h = inp.home
    other = np.arange(len(inp.countries)) != h
    if case == "reciprocal-retaliation":
        t[h, other] = t[other, h]
    elif case == "optimal-retaliation":
        _, r22 = two_region_shares(baseline, h)
        phi = params.phi_vector(baseline.n)
        t[h, other] = 1.0 / ((1.0 + r22 * params.eps) * phi[other] - 1.0)
    elif case == "optimal-us-tariff":
        r11, _ = two_region_shares(baseline, h)
        phi = params.phi_vector(baseline.n)
        t = np.zeros_like(t)
        t[other, h] = 1.0 / ((1.0 + r11 * params.eps) * phi[h] - 1.0)
    return baseline, t, params


def replicate_ilms2025(data_dir: str | os.PathLike, case: str = "baseline", *, tol: float = 1e-10) -> ReplicationResult:
    """Solve one ILMS (2025) case on the paper's inputs in ``data_dir``.

    ``case``: one of :data:`ILMS_CASES`. Raises ScenarioError for an unknown case, DataError for
    missing or malformed files (naming the file), ConvergenceError if the solver fails.
    """
    if case not in ILMS_CASES:
        raise ScenarioError(f"unknown case {shown(case)}; valid cases: {', '.join(ILMS_CASES)}", field="case")
    inp = ilms_inputs(data_dir)
    baseline, t, params = _case_setup(inp, case)
    try:
        sol = solve_ge(baseline, t, params, tol=tol)
    except (ConvergenceError, NumericalError, FloatingPointError, RuntimeWarning) as exc:
        raise NumericalError(
            f"{data_dir}: the ILMS equilibrium ({case}) could not be computed from these inputs ({exc}); check "
            "trade_cepii.csv, gdp.csv and tariffs.csv for values far outside those of the published files"
        ) from None
    # the by_country() columns listed in COLUMNS, built directly (no wider frame to select from)
    df = pd.DataFrame({"iso3": list(sol.countries), **{c: getattr(sol, c) for c in COLUMNS[1:]}})
    df.attrs["units"] = {c: "percent" for c in COLUMNS if c != "iso3"}
    df.attrs["case"] = case
    h = inp.home
    other = np.arange(baseline.n) != h
    headline = {
        "us_welfare_pct": float(sol.welfare_pct[h]),
        "non_us_welfare_pct": sol.weighted_welfare_pct(other),
        "us_employment_pct": float(sol.employment_pct[h]),
        "us_price_index_pct": float(sol.price_index_pct[h]),
        "us_tariff_revenue_pct": float(sol.tariff_revenue_share[h]),
    }
    log.info(
        "ILMS %s: US welfare %.4f %%, non-US %.4f %%", case, headline["us_welfare_pct"], headline["non_us_welfare_pct"]
    )
    return ReplicationResult(
        case=case, by_country=df, headline=headline, solver=sol.solver, solution=sol, params=params
    )
