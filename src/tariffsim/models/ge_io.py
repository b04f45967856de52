"""Multi-sector general equilibrium with input-output linkages (Caliendo and Parro 2015, "Estimates
of the Trade and Welfare Effects of NAFTA", Review of Economic Studies 82(1); docs/models/ge_io.md).

Notation and units. Regions n (importer), i (exporter); sectors j, k. Arrays facing the user are in
the natural layout of docs/models/ge_io.md: ``trade[n, i, j]`` is what importer n buys from exporter i in
sector j at exporter prices (net of tariffs), ``tariff*[n, i, j]`` the ad valorem tariff n applies
(0.25 = 25 %), ``intermediate[n, k, j]`` the use of input k by sector j in n, ``value_added[n, j]``,
``final[n, j]`` final consumption, ``deficit[n]`` (imports minus exports), ``theta[j]`` the sector
trade elasticities. Money is in the data's unit (US dollars for the Caliendo-Parro data); every
output is a ratio, a share or a level in that same unit. ``*_pct`` outputs are percentage changes
(1.31 means +1.31 %).

Calibration (:func:`calibrate`): π_nij = X_nij(1+τ_nij) / Σ_i X_nij(1+τ_nij); gross output =
intermediate use + value added; γ_nkj = use of k by (n, j) / gross output of (n, j); γ_nj = value
added / gross output; α_nj = final-consumption shares; w_nL_n = Σ_j value added.

Solving (:func:`solve_io`): the equilibrium at new tariffs τ', iceberg changes d̂ and deficits D'
relative to the calibrated data; see :mod:`tariffsim.models._ge_io_solver` for the equations and the
method. The published procedure is two solves from the same data and changes are their ratio
(:func:`changes`): every change is counterfactual over the baseline *solve*, never over the raw
data, because the data do not exactly satisfy the goods-market conditions (some cells are $1
placeholders) and the zero-deficit case removes the observed deficits.

Welfare decomposition (:func:`changes`), in percent of baseline income I_n, as in Caliendo and
Parro (2015, eq. 28) extended by the public R package ``cp2015`` with a technical-efficiency term:
terms of trade Σ_j Σ_i [E_nij (ĉ_nj − 1) − M_nij (ĉ_ij − 1)], volume of trade
Σ_j Σ_i τ_nij M_nij (M̂_nij − ĉ_ij) = Σ τ_nij (M'_nij − M_nij ĉ_ij), technical efficiency
−Σ_j Σ_i M_nij (1+τ_nij)(d̂_nij − 1); E and M are baseline exports and imports net of tariffs,
τ the baseline tariffs, hats counterfactual/baseline. Welfare is their sum (the discrete form of
the paper's first-order formula); ``real_income_pct`` (Î_n/P̂_n − 1) is reported beside it as the
exact change of real income.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._lazy import pd
from .._util import ShortRepr, readonly
from ..errors import CountryCodeError, DataError
from ..solvers import SolverInfo
from . import _ge_io_solver as _solver

__all__ = [
    "IOData",
    "IOModel",
    "IOSolution",
    "IOChanges",
    "calibrate",
    "solve_io",
    "changes",
    "STRUCTURE_NOTE",
    "REGION_ISO3",
    "iso3_codes",
    "region_index",
]

log = logging.getLogger(__name__)

#: The caveat every output built on the Caliendo-Parro tables carries.
STRUCTURE_NOTE = (
    "structure of 1993: Caliendo-Parro (2015) input-output tables, trade and tariffs for 31 regions x 40 "
    "sectors; shares, linkages and elasticities are those of 1993, not of today"
)


#: The data's region names and their ISO3 codes (``Row``: rest of the world, ``ROW``).
REGION_ISO3: dict[str, str] = {
    "Argentina": "ARG",
    "Australia": "AUS",
    "Austria": "AUT",
    "Brazil": "BRA",
    "Canada": "CAN",
    "Chile": "CHL",
    "China": "CHN",
    "Denmark": "DNK",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Hungary": "HUN",
    "India": "IND",
    "Indonesia": "IDN",
    "Ireland": "IRL",
    "Italy": "ITA",
    "Japan": "JPN",
    "Korea": "KOR",
    "Mexico": "MEX",
    "Netherlands": "NLD",
    "New Zealand": "NZL",
    "Norway": "NOR",
    "Portugal": "PRT",
    "Row": "ROW",
    "South Africa": "ZAF",
    "Spain": "ESP",
    "Sweden": "SWE",
    "Turkey": "TUR",
    "UK": "GBR",
    "USA": "USA",
}


def iso3_codes(regions: Sequence[str]) -> list[str]:
    """ISO3 code of each region name (unknown names are returned unchanged)."""
    return [REGION_ISO3.get(r, r) for r in regions]


_NAME_ISO3 = {name.lower(): iso.lower() for name, iso in REGION_ISO3.items()}


def region_index(regions: Sequence[str], code: str) -> int:
    """Position of ``code`` (a region name of the data or its ISO3 code, any case) in ``regions``;
    a Caliendo-Parro name (``Mexico``) also finds a region named by its code (``MEX``)."""
    key = str(code).strip().lower()
    alias = _NAME_ISO3.get(key, key)
    for k, r in enumerate(regions):
        if r.lower() in (key, alias) or REGION_ISO3.get(r, "").lower() == key:
            return k
    raise CountryCodeError(f"unknown region {code!r}; regions: {', '.join(iso3_codes(regions))}", location="region")


@dataclass(frozen=True, eq=False)
class IOData:
    """Input-output and trade data in the natural layout (see the module docstring for units).

    ``tariff`` is the tariff the trade values were observed under (it builds the shares π);
    ``tariff_bln``/``tariff_cfl`` and ``d_bln``/``d_cfl`` are the baseline and counterfactual
    policy columns of the published experiment.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    trade: np.ndarray  # (N, N, J) importer, exporter, sector
    tariff: np.ndarray
    tariff_bln: np.ndarray
    tariff_cfl: np.ndarray
    d_bln: np.ndarray
    d_cfl: np.ndarray
    intermediate: np.ndarray  # (N, K, J)
    value_added: np.ndarray  # (N, J)
    final: np.ndarray  # (N, J)
    deficit: np.ndarray  # (N,)
    theta: np.ndarray  # (J,)
    source: str = "<arrays>"

    def __post_init__(self) -> None:
        N, J = len(self.regions), len(self.sectors)
        src = self.source
        for name, shape in (
            ("trade", (N, N, J)),
            ("tariff", (N, N, J)),
            ("tariff_bln", (N, N, J)),
            ("tariff_cfl", (N, N, J)),
            ("d_bln", (N, N, J)),
            ("d_cfl", (N, N, J)),
            ("intermediate", (N, J, J)),
            ("value_added", (N, J)),
            ("final", (N, J)),
            ("deficit", (N,)),
            ("theta", (J,)),
        ):
            a = np.asarray(getattr(self, name), dtype=float)
            if a.shape != shape:
                raise DataError(f"has shape {a.shape}; expected {shape}", source=src, location=name)
            if not np.all(np.isfinite(a)):
                raise DataError("contains non-finite values", source=src, location=name)
            object.__setattr__(self, name, readonly(a))
        if len(set(self.regions)) != N or len(set(self.sectors)) != J:
            raise DataError("region or sector names are not unique", source=src, location="regions/sectors")
        if (self.trade < 0).any():
            raise DataError("negative trade value", source=src, location="trade")
        for name in ("tariff", "tariff_bln", "tariff_cfl"):
            if (getattr(self, name) <= -1).any():
                raise DataError("tariff at or below -100 %", source=src, location=name)
        for name in ("d_bln", "d_cfl"):
            if (getattr(self, name) <= 0).any():
                raise DataError("iceberg change must be positive", source=src, location=name)
        if (self.theta <= 0).any():
            raise DataError("trade elasticity must be positive", source=src, location="theta")
        if (self.value_added < 0).any() or (self.final < 0).any():
            raise DataError("negative value added or final consumption", source=src, location="value_added/final")
        gross = self.intermediate.sum(axis=1) + self.value_added
        if (gross <= 0).any():
            n, j = np.argwhere(gross <= 0)[0]
            raise DataError(
                f"gross output (intermediate use + value added) of {self.sectors[j]} in {self.regions[n]} is not positive",
                source=src,
                location="intermediate/value_added",
            )
        absorption = (self.trade * (1.0 + self.tariff)).sum(axis=1)
        if (absorption <= 0).any():
            n, j = np.argwhere(absorption <= 0)[0]
            raise DataError(
                f"{self.regions[n]} buys nothing in sector {self.sectors[j]}; expenditure shares are undefined "
                "(the Caliendo-Parro data put $1 in such cells)",
                source=src,
                location="trade",
            )
        if (self.final.sum(axis=1) <= 0).any() or (self.value_added.sum(axis=1) <= 0).any():
            raise DataError("a region has no final consumption or no value added", source=src, location="final")

    @property
    def N(self) -> int:
        return len(self.regions)

    @property
    def J(self) -> int:
        return len(self.sectors)

    def index(self, region: str) -> int:
        """Position of a region given its name in the data or an ISO3 code (``MEX``, ``USA``)."""

        return region_index(self.regions, region)


@dataclass(frozen=True, eq=False)
class IOModel:
    """Calibrated parameters (sector-major arrays for the solver) and the data they came from."""

    data: IOData
    pi0: np.ndarray  # (J, N, N) importer n, exporter i
    gamma: np.ndarray  # (N, K, J)
    gamma_va: np.ndarray  # (J, N)
    alpha: np.ndarray  # (J, N)
    wL: np.ndarray  # (N,)


def calibrate(data: IOData) -> IOModel:
    """Shares of docs/models/ge_io.md from the data (no solve)."""
    gross_val = data.trade * (1.0 + data.tariff)  # (N, N, J)
    pi = gross_val / gross_val.sum(axis=1, keepdims=True)
    gross = data.intermediate.sum(axis=1) + data.value_added  # (N, J)
    gamma = data.intermediate / gross[:, None, :]
    gamma_va = (data.value_added / gross).T
    alpha = (data.final / data.final.sum(axis=1, keepdims=True)).T
    wL = data.value_added.sum(axis=1)
    return IOModel(
        data=data,
        pi0=np.ascontiguousarray(np.transpose(pi, (2, 0, 1))),
        gamma=np.ascontiguousarray(gamma),
        gamma_va=np.ascontiguousarray(gamma_va),
        alpha=np.ascontiguousarray(alpha),
        wL=wL,
    )


def _sector_major(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.transpose(a, (2, 0, 1)))


@dataclass(frozen=True, eq=False, repr=False)
class IOSolution(ShortRepr):
    """One equilibrium, relative to the calibrated data (hats are solve/data ratios).

    c_hat, P_hat : (N, J) input-bundle cost and sector price index changes.
    w_hat, P_n_hat : (N,) wage and consumer-price changes; real_wage = w_hat / P_n_hat.
    pi : (N, N, J) expenditure shares π' (importer, exporter, sector), tariff-inclusive prices.
    expenditure : (N, J) X'_nj; output : (N, J) gross output Y'_nj; income : (N,) I'_n.
    trade : (N, N, J) trade at exporter prices, net of tariffs, π' X' / (1+τ').
    tariffs, d_hat : (N, N, J) the policy it was solved at; deficit : (N,).
    solver : iterations, residual (max-abs over the cost, goods and labour blocks), seconds.
    residuals : the three blocks' max-abs scaled residuals; walras : the dropped labour equation.
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    c_hat: np.ndarray
    P_hat: np.ndarray
    w_hat: np.ndarray
    P_n_hat: np.ndarray
    pi: np.ndarray
    expenditure: np.ndarray
    output: np.ndarray
    income: np.ndarray
    trade: np.ndarray
    tariffs: np.ndarray
    d_hat: np.ndarray
    deficit: np.ndarray
    solver: SolverInfo
    residuals: dict
    walras: float
    jacobian: np.ndarray | None = field(repr=False)
    state: _solver.IOState = field(repr=False)

    @property
    def real_wage(self) -> np.ndarray:
        return self.w_hat / self.P_n_hat


def solve_io(
    model: IOModel,
    tariffs: np.ndarray,
    d_hat: np.ndarray | None = None,
    deficit: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
    start: IOSolution | None = None,
) -> IOSolution:
    """Solve the equilibrium at ``tariffs[n, i, j]`` (and iceberg changes ``d_hat``, deficits
    ``deficit``; defaults: no iceberg change, the data's deficits) relative to the calibrated data.

    ``start``: an earlier solution whose wages, costs, expenditures and wage Jacobian start this
    solve (the counterfactual of a two-step experiment starts from its baseline). Raises
    ConvergenceError rather than return an unconverged answer.
    """
    d = model.data
    N, J = d.N, d.J
    t1 = np.asarray(tariffs, dtype=float)
    if t1.shape != (N, N, J):
        raise DataError(f"tariffs have shape {t1.shape}; expected {(N, N, J)}", source="<array>", location="tariffs")
    if (t1 <= -1).any() or not np.all(np.isfinite(t1)):
        raise DataError("tariffs must be finite and above -100 %", source="<array>", location="tariffs")
    dh = np.ones((N, N, J)) if d_hat is None else np.asarray(d_hat, dtype=float)
    if dh.shape != (N, N, J) or (dh <= 0).any():
        raise DataError("d_hat must be positive with shape (N, N, J)", source="<array>", location="d_hat")
    D = d.deficit if deficit is None else np.asarray(deficit, dtype=float)
    if D.shape != (N,):
        raise DataError(f"deficit has shape {D.shape}; expected {(N,)}", source="<array>", location="deficit")
    sysm = _solver.make_system(
        model.pi0,
        _sector_major(d.tariff),
        _sector_major(t1),
        _sector_major(dh),
        d.theta,
        model.gamma,
        model.gamma_va,
        model.alpha,
        model.wL,
        D,
    )
    if start is None:
        X_data = (d.trade * (1.0 + d.tariff)).sum(axis=1).T  # (J, N): the data's expenditures start the solve
        st, info, jac = _solver.solve(sysm, tol=tol, max_iter=max_iter, X0=X_data)
    else:
        st, info, jac = _solver.solve(
            sysm, start.state.lw, tol=tol, max_iter=max_iter, jac=start.jacobian, prev=start.state
        )
    res = st.checks if st.checks is not None else _solver.residuals(st, sysm)
    pi = np.transpose(_solver.shares(st, sysm), (1, 2, 0))
    X = st.X.T
    trade = pi * X[:, None, :] / (1.0 + t1)
    P_n = np.exp((model.alpha * st.lP).sum(axis=0))
    log.info("GE-IO solve: %d steps, residual %.2e, %.0f ms", info.iterations, info.residual, 1e3 * info.seconds)
    return IOSolution(
        regions=d.regions,
        sectors=d.sectors,
        c_hat=readonly(np.exp(st.lc.T)),
        P_hat=readonly(np.exp(st.lP.T)),
        w_hat=readonly(np.exp(st.lw)),
        P_n_hat=readonly(P_n),
        pi=readonly(pi),
        expenditure=readonly(X),
        output=readonly(st.Y.T),
        income=readonly(st.I),
        trade=readonly(trade),
        tariffs=readonly(t1),
        d_hat=readonly(dh),
        deficit=readonly(D),
        solver=info,
        residuals=res,
        walras=st.walras,
        jacobian=jac,
        state=st,
    )


@dataclass(frozen=True, eq=False, repr=False)
class IOChanges(ShortRepr):
    """Changes from one solve (``baseline``) to another (``counterfactual``), and the welfare
    decomposition (percent of baseline income). Arrays are (N,) unless stated.

    tot_bilateral, vot_bilateral, tech_bilateral : (N, N, J) contributions of each partner i and
        sector j to region n's terms of trade, volume of trade and technical efficiency terms.
    path_steps, path_gap_pp : 1 and None for Caliendo and Parro's one-step (first-order) formula
        (:func:`changes`); for a decomposition integrated along a path of tariffs
        (:func:`tariffsim.engine.ge_io_bridge.path_changes`), its number of steps and its largest
        distance (pp) from the exact log change of real income before the terms were scaled to it.
    model : the calibrated model the solutions belong to, when known (value-added and input shares
        for :meth:`value_added_group_pct` and :attr:`real_gdp_pct`).
    """

    baseline: IOSolution
    counterfactual: IOSolution
    c_hat: np.ndarray  # (N, J)
    P_hat: np.ndarray  # (N, J)
    w_hat: np.ndarray
    P_n_hat: np.ndarray
    tot_bilateral: np.ndarray
    vot_bilateral: np.ndarray
    tech_bilateral: np.ndarray
    path_steps: int = 1
    path_gap_pp: float | None = None
    model: IOModel | None = field(default=None, repr=False)

    @property
    def regions(self) -> tuple[str, ...]:
        return self.baseline.regions

    @property
    def sectors(self) -> tuple[str, ...]:
        return self.baseline.sectors

    @property
    def tot_pct(self) -> np.ndarray:
        return self.tot_bilateral.sum(axis=(1, 2))

    @property
    def vot_pct(self) -> np.ndarray:
        return self.vot_bilateral.sum(axis=(1, 2))

    @property
    def tech_pct(self) -> np.ndarray:
        return self.tech_bilateral.sum(axis=(1, 2))

    @property
    def welfare_pct(self) -> np.ndarray:
        """Terms of trade + volume of trade + technical efficiency (percent of baseline income)."""
        return self.tot_pct + self.vot_pct + self.tech_pct

    @property
    def realwage_pct(self) -> np.ndarray:
        return 100.0 * (self.w_hat / self.P_n_hat - 1.0)

    @property
    def real_income_pct(self) -> np.ndarray:
        """Exact change of real income I_n/P_n (the decomposition is its first-order expansion)."""
        return 100.0 * (self.counterfactual.income / self.baseline.income / self.P_n_hat - 1.0)

    @property
    def output_pct(self) -> np.ndarray:
        """(N, J) change of gross output in value (producer prices, net of tariffs); NaN where baseline output is 0."""
        return _pct(self.counterfactual.output, self.baseline.output)

    @property
    def real_output_pct(self) -> np.ndarray:
        """(N, J) change of gross output deflated by the sector's cost of the input bundle."""
        return _pct(self.counterfactual.output / self.c_hat, self.baseline.output)

    @property
    def exports_pct(self) -> np.ndarray:
        """(N, J) change of exports (to all other regions, net of tariffs)."""
        return _pct(_exports(self.counterfactual.trade), _exports(self.baseline.trade))

    @property
    def value_added_pct(self) -> np.ndarray:
        """(N, J) change of value added at baseline prices: the labour a sector employs, Ŷ/ŵ − 1
        (value added is w L with a fixed value-added share, so its value moves like ``output_pct``)."""
        return _pct(self.counterfactual.output / self.w_hat[:, None], self.baseline.output)

    @property
    def output_share(self) -> np.ndarray:
        """(N, J) each sector's share of its region's baseline gross output."""
        out = self.baseline.output
        return out / out.sum(axis=1, keepdims=True)

    def total_exports_pct(self, sectors: np.ndarray | None = None) -> np.ndarray:
        """(N,) change of each region's exports to all others, summed over ``sectors`` (a (J,) mask;
        default all), in value (net of tariffs)."""
        mask = np.ones(len(self.sectors), dtype=bool) if sectors is None else np.asarray(sectors, dtype=bool)
        before = _exports(self.baseline.trade)[:, mask].sum(axis=1)
        after = _exports(self.counterfactual.trade)[:, mask].sum(axis=1)
        return _pct(after, before)

    def value_added_group_pct(self, sectors: np.ndarray, va_share: np.ndarray | None = None) -> np.ndarray:
        """(N,) change of value added at baseline prices (labour employed) in a group of sectors:
        ``sectors`` a (J,) mask, ``va_share`` (N, J) the value-added shares γ_nj (default: the
        model's, ``IOModel.gamma_va.T``)."""
        mask = np.asarray(sectors, dtype=bool)
        if va_share is None:
            if self.model is None:
                raise ValueError("value_added_group_pct needs va_share or changes that carry their model")
            va_share = self.model.gamma_va.T
        va0 = np.asarray(va_share) * self.baseline.output
        va1 = np.asarray(va_share) * self.counterfactual.output / self.w_hat[:, None]
        return _pct(va1[:, mask].sum(axis=1), va0[:, mask].sum(axis=1))

    @property
    def real_gdp_pct(self) -> np.ndarray:
        """(N,) change of real GDP at baseline prices, by double deflation: each sector's gross output
        deflated by its producer price (Ŷ/ĉ) minus its intermediate inputs deflated by their
        purchase prices (γ_nkj Y'_nj / P̂_nk), summed over sectors, over baseline value added. With
        labour fixed and the only factor, it moves only through the reallocation of labour and
        inputs between sectors (docs/models/ge_io.md). Needs the changes' ``model``; NaN without it."""
        if self.model is None:
            return np.full(len(self.regions), np.nan)
        y0, y1 = self.baseline.output, self.counterfactual.output
        gamma = self.model.gamma  # (N, K, J)
        rva1 = y1 / self.c_hat - np.einsum("nkj,nj,nk->nj", gamma, y1, 1.0 / self.P_hat)
        va0 = self.model.gamma_va.T * y0
        return 100.0 * (rva1.sum(axis=1) / va0.sum(axis=1) - 1.0)

    def sector_table(self, *, flag_share: float = 0.01) -> pd.DataFrame:
        """One row per region and sector: ``output_share`` (of the region's baseline gross output),
        ``output_change_pct`` (gross output at baseline prices, Ŷ/ĉ − 1), ``output_value_change_pct``
        (in value), ``value_added_change_pct`` (at baseline prices: labour employed),
        ``exports_change_pct`` (value, net of tariffs, to all other regions), ``flagged`` (a base
        under ``flag_share`` of the region's output: its percent changes rest on little)."""
        N, J = len(self.regions), len(self.sectors)
        share = self.output_share
        df = pd.DataFrame(
            {
                "region": np.repeat(self.regions, J),
                "sector": np.tile(self.sectors, N),
                "output_share": share.ravel(),
                "output_change_pct": self.real_output_pct.ravel(),
                "output_value_change_pct": self.output_pct.ravel(),
                "value_added_change_pct": self.value_added_pct.ravel(),
                "exports_change_pct": self.exports_pct.ravel(),
                "flagged": (share < flag_share).ravel(),
            }
        )
        df.attrs["units"] = (
            f"shares; changes in percent; flagged = base under {100 * flag_share:g} % of the region's gross output"
        )
        return df

    def by_region(self) -> pd.DataFrame:
        """region, welfare_pct, tot_pct, vot_pct, tech_pct, realwage_pct, real_income_pct, w_hat_pct, P_hat_pct."""
        df = pd.DataFrame(
            {
                "region": list(self.regions),
                "welfare_pct": self.welfare_pct,
                "tot_pct": self.tot_pct,
                "vot_pct": self.vot_pct,
                "tech_pct": self.tech_pct,
                "realwage_pct": self.realwage_pct,
                "real_income_pct": self.real_income_pct,
                "wage_pct": 100.0 * (self.w_hat - 1.0),
                "consumer_price_pct": 100.0 * (self.P_n_hat - 1.0),
            }
        )
        df.attrs["units"] = "percent; welfare and its terms in percent of baseline income"
        return df

    def by_sector(self) -> pd.DataFrame:
        """region, sector, output_pct, real_output_pct, price_pct, cost_pct, exports_pct and levels."""
        N, J = len(self.regions), len(self.sectors)
        df = pd.DataFrame(
            {
                "region": np.repeat(self.regions, J),
                "sector": np.tile(self.sectors, N),
                "output_bln": self.baseline.output.ravel(),
                "output_cfl": self.counterfactual.output.ravel(),
                "output_pct": self.output_pct.ravel(),
                "real_output_pct": self.real_output_pct.ravel(),
                "price_pct": 100.0 * (self.P_hat.ravel() - 1.0),
                "cost_pct": 100.0 * (self.c_hat.ravel() - 1.0),
                "exports_bln": _exports(self.baseline.trade).ravel(),
                "exports_cfl": _exports(self.counterfactual.trade).ravel(),
                "exports_pct": self.exports_pct.ravel(),
            }
        )
        df.attrs["units"] = "levels in the data's currency unit (USD); changes in percent"
        return df

    def bilateral(self) -> pd.DataFrame:
        """exporter, importer, trade_bln, trade_cfl (net of tariffs, summed over sectors), trade_change_pct."""
        N = len(self.regions)
        b = self.baseline.trade.sum(axis=2)  # (importer, exporter)
        c = self.counterfactual.trade.sum(axis=2)
        ex, im = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
        df = pd.DataFrame(
            {
                "exporter": np.asarray(self.regions)[ex.ravel()],
                "importer": np.asarray(self.regions)[im.ravel()],
                "trade_bln": b.T.ravel(),
                "trade_cfl": c.T.ravel(),
                "trade_change_pct": _pct(c.T, b.T).ravel(),
            }
        )
        df.attrs["units"] = "trade at exporter prices, net of tariffs, in the data's currency unit; change in percent"
        return df


def _pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(old > 0, 100.0 * (new / np.where(old > 0, old, 1.0) - 1.0), np.nan)


def _exports(trade: np.ndarray) -> np.ndarray:
    """(N, J) each exporter's sales to other regions: Σ_{n≠i} trade[n, i, j]."""
    return trade.sum(axis=0) - np.einsum("iij->ij", trade)


def changes(baseline: IOSolution, counterfactual: IOSolution) -> IOChanges:
    """Changes counterfactual/baseline and the welfare decomposition (module docstring)."""
    c_hat = counterfactual.c_hat / baseline.c_hat
    M = baseline.trade  # M[n, i, j]: n's imports from i (net of tariffs); domestic flows included
    tau = baseline.tariffs
    inc = baseline.income[:, None, None]
    # terms of trade: E_nij(ĉ_nj − 1) − M_nij(ĉ_ij − 1), with E_nij = M[i, n, j]
    E = np.transpose(M, (1, 0, 2))
    tot = 100.0 * (E * (c_hat[:, None, :] - 1.0) - M * (c_hat[None, :, :] - 1.0)) / inc
    vot = 100.0 * tau * (counterfactual.trade - M * c_hat[None, :, :]) / inc
    tech = -100.0 * M * (1.0 + tau) * (counterfactual.d_hat / baseline.d_hat - 1.0) / inc
    return IOChanges(
        baseline=baseline,
        counterfactual=counterfactual,
        c_hat=readonly(c_hat),
        P_hat=readonly(counterfactual.P_hat / baseline.P_hat),
        w_hat=readonly(counterfactual.w_hat / baseline.w_hat),
        P_n_hat=readonly(counterfactual.P_n_hat / baseline.P_n_hat),
        tot_bilateral=readonly(tot),
        vot_bilateral=readonly(vot),
        tech_bilateral=readonly(tech),
    )
