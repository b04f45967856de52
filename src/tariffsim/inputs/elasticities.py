"""Elasticity sets and distributions (docs/models/elasticities.md).

Shipped sets live in ``data/elasticities/sets.toml`` with a source for every value; sector tables
in ``data/elasticities/sector_elasticities.csv`` (built from ../shared/data). All elasticities are
positive magnitudes, and each key is one quantity (see :data:`QUANTITIES`):

* ``sigma`` / ``sigma_one_year``: σ, the elasticity of *tariff-exclusive* bilateral flows to
  (1 + t) at given importer price indices (the CES substitution elasticity between sources), in
  the long run and one year after the change. This is what Boehm, Levchenko and Pandalai-Nayar
  (2023) estimate; the gravity/ACR trade elasticity is σ − 1.
* ``eta`` / ``eta_one_year``: η, the composite import-demand elasticity of a market.
* ``eps_x``: export-supply elasticity (``inf`` = fixed exporter prices).
* ``ge_trade_elasticity``: ε of the one-sector GE model (σ − 1 in the long run).

One-year values omitted from a set are the long-run values times :func:`one_year_ratio`
(0.38 = 0.76 / 2.0, Boehm et al.), applied to σ and η themselves.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .._lazy import pd
from ..errors import ScenarioError
from ..limits import shown
from .datasets import data_file
from .io_shipped import ELASTICITY_SETS, io_elasticity_sets

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = [
    "ElasticitySet",
    "Distribution",
    "available_sets",
    "get_set",
    "io_set",
    "io_set_names",
    "shipped_distributions",
    "one_year_ratio",
    "DEFAULT_SETS",
    "QUANTITIES",
    "IO_THETA",
    "HORIZONS",
]

#: The two ends of the adjustment path a set describes.
HORIZONS = ("one-year", "long-run")
#: The sets a scenario runs when it names none (no two give the same model).
DEFAULT_SETS = ("central", "low", "high", "smart", "gsim")
#: What each key of a set measures (printed in tables and provenance).
QUANTITIES = {
    "sigma": "sigma, long run: elasticity of tariff-exclusive bilateral flows to (1+t) at given price indices "
    "(CES substitution between sources; trade elasticity = sigma - 1)",
    "sigma_one_year": "sigma one year after the tariff change (same quantity)",
    "eta": "eta, long run: composite import-demand elasticity of a market",
    "eta_one_year": "eta one year after the tariff change",
    "eps_x": "export-supply elasticity (inf = fixed exporter prices)",
    "ge_trade_elasticity": "epsilon of the one-sector GE model (elasticity of expenditure shares to trade costs; "
    "sigma - 1 in the long run)",
}
#: The key naming the sector trade elasticities (theta = sigma - 1, long run) of the multi-sector model: a set
#: of the input-output table's own (e.g. 'CP', Caliendo and Parro 2015); a set without it does not run there.
IO_THETA = "io_theta"
KEYS = (*QUANTITIES, IO_THETA, "description", "sources")

Value = float | Mapping[str, float]


def _file(name: str) -> Traversable:

    return data_file("elasticities", name)


@functools.cache
def _shipped() -> dict[str, Any]:
    return tomllib.loads(_file("sets.toml").read_text(encoding="utf-8"))


@functools.cache
def _sector_table() -> dict[str, dict[str, float]]:

    with _file("sector_elasticities.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    return {c: dict(zip(df["sector"], df[c].astype(float), strict=True)) for c in df.columns if c != "sector"}


def one_year_ratio() -> float:
    """One-year / long-run elasticity of tariff-exclusive flows (0.76 / 2.0, Boehm et al. 2023)."""
    return float(_shipped()["one_year_ratio"])


def _parse_value(v: object, *, where: str, source: str, param: str) -> float | dict[str, float]:
    """Number, 'inf', a sector table {sector: value, default: value}, or 'table:COLUMN'."""
    if isinstance(v, bool):
        raise ScenarioError(f"expected a number, got {shown(v)}", source=source, field=where)
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        if v.strip().lower() in ("inf", "infinity"):
            return math.inf
        if v.startswith("table:"):
            col = v.split(":", 1)[1]
            tab = _sector_table()
            if col not in tab:
                raise ScenarioError(
                    f"unknown sector table column {shown(col)}; shipped columns: {', '.join(sorted(tab))}",
                    source=source,
                    field=where,
                )
            return dict(tab[col])
        raise ScenarioError(f"expected a number, 'inf' or 'table:COLUMN', got {shown(v)}", source=source, field=where)
    if isinstance(v, Mapping):
        out: dict[str, Any] = {}
        for k, x in v.items():
            out[str(k)] = _parse_value(x, where=f"{where}.{k}", source=source, param=param)
            if isinstance(out[str(k)], dict):
                raise ScenarioError("nested tables are not allowed", source=source, field=f"{where}.{k}")
        return out
    raise ScenarioError(f"expected a number or a sector table, got {type(v).__name__}", source=source, field=where)


def _check_sign(name: str, v: Value, *, where: str, source: str) -> None:
    vals = v.values() if isinstance(v, Mapping) else [v]
    for x in vals:
        if not (x > 0) or (math.isinf(x) and name != "eps_x") or math.isnan(x) or (x > 1e6 and name != "eps_x"):
            hint = (
                " (elasticities are entered as positive magnitudes, e.g. eta = 1.25 for E_m = -1.25)" if x < 0 else ""
            )
            raise ScenarioError(
                f"{name} must be a positive finite number{' or inf' if name == 'eps_x' else ''}, got {x}{hint}",
                source=source,
                field=where,
            )


def _scale(v: Value, f: float) -> Value:
    return {k: x * f for k, x in v.items()} if isinstance(v, Mapping) else v * f


def _central_value(v: Value) -> float:
    """A sector table's default, else its median; a number as it is."""
    if isinstance(v, Mapping):
        return float(v["default"]) if "default" in v else float(np.median(list(v.values())))
    return float(v)


@dataclass(frozen=True)
class ElasticitySet:
    """One named set of elasticities (values are scalars or sector tables with ``default``).

    ``sigma``/``eta`` are long-run values, ``sigma_one_year``/``eta_one_year`` the values one year
    after the change (see the module docstring and :data:`QUANTITIES`). Build with
    :meth:`from_dict` (validates); :meth:`with_values` validates again. ``io_theta_factors``: a
    parameter draw of the multi-sector model's sector trade elasticities, as factors on the
    ``io_theta`` set's values in the input-output table's sector order
    (:meth:`with_io_theta_factors`, :mod:`tariffsim.inputs.theta_draws`); not part of a file's set.
    """

    name: str
    sigma: Value
    eta: Value
    sigma_one_year: Value
    eta_one_year: Value
    eps_x: Value = math.inf
    ge_trade_elasticity: float = 1.0
    io_theta: str | None = None
    description: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)
    io_theta_factors: tuple[float, ...] | None = None

    @classmethod
    def from_dict(
        cls, name: str, d: Mapping[str, Any], *, source: str = "<elasticities>", where: str = ""
    ) -> ElasticitySet:
        where = where or f"sets.{name}"
        if not isinstance(d, Mapping):
            raise ScenarioError(f"expected a table, got {type(d).__name__}", source=source, field=where)
        for k in d:
            if k not in KEYS:
                hint = " (one-year values are sigma_one_year / eta_one_year)" if k == "horizon" else ""
                raise ScenarioError(
                    f"unknown key {shown(k)}; expected one of {', '.join(KEYS)}{hint}",
                    source=source,
                    field=f"{where}.{k}",
                )
        for k in ("sigma", "eta"):
            if k not in d:
                raise ScenarioError(f"missing {shown(k)} (the long-run value)", source=source, field=where)
        vals: dict[str, Any] = {}
        for k in ("sigma", "eta", "sigma_one_year", "eta_one_year", "eps_x"):
            if k in d:
                vals[k] = _parse_value(d[k], where=f"{where}.{k}", source=source, param=k)
                _check_sign(k, vals[k], where=f"{where}.{k}", source=source)
        r = one_year_ratio()
        vals.setdefault("sigma_one_year", _scale(vals["sigma"], r))
        vals.setdefault("eta_one_year", _scale(vals["eta"], r))
        ge = d.get("ge_trade_elasticity")
        if ge is None:
            ge = _central_value(vals["sigma"]) - 1.0
            if not ge > 0:
                raise ScenarioError(
                    f"sigma - 1 = {ge:g} is not a usable GE trade elasticity; set ge_trade_elasticity",
                    source=source,
                    field=f"{where}.ge_trade_elasticity",
                )
        ge = _parse_value(ge, where=f"{where}.ge_trade_elasticity", source=source, param="ge_trade_elasticity")
        if isinstance(ge, dict):
            raise ScenarioError(
                "ge_trade_elasticity must be one number", source=source, field=f"{where}.ge_trade_elasticity"
            )
        _check_sign("ge_trade_elasticity", ge, where=f"{where}.ge_trade_elasticity", source=source)
        io_theta = d.get(IO_THETA)
        if io_theta is not None and (not isinstance(io_theta, str) or not io_theta.strip()):
            raise ScenarioError(
                "expected the name of a sector trade-elasticity set of the input-output table (e.g. 'CP')",
                source=source,
                field=f"{where}.{IO_THETA}",
            )
        srcs = d.get("sources", {})
        if not isinstance(srcs, Mapping):
            raise ScenarioError("expected a table of strings", source=source, field=f"{where}.sources")
        return cls(
            name=name,
            ge_trade_elasticity=float(ge),
            io_theta=io_theta.strip() if isinstance(io_theta, str) else None,
            description=str(d.get("description", "")),
            sources={str(k): str(v) for k, v in srcs.items()},
            **vals,
        )

    def arrays(self, sectors: Sequence[str], horizon: str = "long-run") -> dict[str, np.ndarray]:
        """sigma, eta, eps_x as arrays (S,) in the order of ``sectors``, at ``horizon``
        ('one-year' or 'long-run'): the keyword arguments of :func:`tariffsim.models.pe.solve_pe`."""
        if horizon not in HORIZONS:
            raise ScenarioError(f"horizon must be one of {HORIZONS}, got {shown(horizon)}", source="elasticities")
        one = horizon == "one-year"
        vals = {
            "sigma": self.sigma_one_year if one else self.sigma,
            "eta": self.eta_one_year if one else self.eta,
            "eps_x": self.eps_x,
        }
        out = {}
        for k, v in vals.items():
            if isinstance(v, Mapping):
                default = v.get("default")
                missing = [s for s in sectors if s not in v and default is None]
                if missing:
                    raise ScenarioError(
                        f"no value for sector(s) {', '.join(missing)} and no 'default'",
                        source=f"elasticity set {shown(self.name)}",
                        field=k,
                    )
                # a sector without its own value has the default (checked above that there is one)
                out[k] = np.array([float(v[s]) if s in v else float(cast(float, default)) for s in sectors])
            else:
                out[k] = np.full(len(sectors), float(v))
        return out

    def scaled(self, factor: float, *, name: str | None = None) -> ElasticitySet:
        """Every σ and η (both horizons) times ``factor``; the GE trade elasticity moves with the
        long-run σ (σ − 1 for the sets where ε = σ − 1; unchanged at factor 1). A Monte Carlo draw
        or a tornado point. Validated."""
        sigma = _scale(self.sigma, factor)
        return self.with_values(
            name=name or f"{self.name}*{factor:g}",
            sigma=sigma,
            eta=_scale(self.eta, factor),
            sigma_one_year=_scale(self.sigma_one_year, factor),
            eta_one_year=_scale(self.eta_one_year, factor),
            # ε moves with the long-run σ it stands for (ε = σ − 1 shifts by σ(f − 1)); a factor of 1 changes nothing
            ge_trade_elasticity=max(self.ge_trade_elasticity + _central_value(self.sigma) * (factor - 1.0), 0.05),
        )

    def with_values(self, name: str | None = None, **kw: Any) -> ElasticitySet:
        """A copy with some values replaced, validated as a file's set is."""
        d = self.to_dict()
        for k, v in kw.items():
            if k not in QUANTITIES and k not in ("description", "sources"):
                raise ScenarioError(
                    f"unknown elasticity {shown(k)}; expected one of {', '.join(QUANTITIES)}",
                    source=f"elasticity set {shown(self.name)}",
                    field=k,
                )
            d[k] = _encode(v)
        return ElasticitySet.from_dict(name or self.name, d, source=f"elasticity set {shown(self.name)} (derived)")

    def with_io_theta_factors(self, factors: Sequence[float], *, name: str | None = None) -> ElasticitySet:
        """This set with its sector trade elasticities (``io_theta``) times ``factors`` (one per sector of
        the input-output table, positive): a parameter draw of the multi-sector model."""
        f = tuple(float(x) for x in factors)
        if self.io_theta is None or not f or not all(math.isfinite(x) and x > 0 for x in f):
            raise ScenarioError(
                "sector trade-elasticity factors need a set with io_theta and positive finite factors",
                source=f"elasticity set {shown(self.name)}",
                field="io_theta_factors",
            )
        return dataclasses.replace(self, name=name or self.name, io_theta_factors=f)

    def model_key(self) -> tuple[str, ...]:
        """The values that define the model (two sets with equal keys give the same results)."""
        return (
            *(repr(_encode(getattr(self, k))) for k in QUANTITIES),
            repr(self.io_theta),
            repr(self.io_theta_factors),
        )

    def to_dict(self) -> dict[str, Any]:
        d = {k: _encode(getattr(self, k)) for k in QUANTITIES}
        if self.io_theta is not None:
            d[IO_THETA] = self.io_theta
        d["description"] = self.description
        d["sources"] = dict(self.sources)
        return d


def _encode(v: object) -> object:
    if isinstance(v, Mapping):
        return {k: _encode(x) for k, x in v.items()}
    return "inf" if isinstance(v, float) and math.isinf(v) else v


def available_sets() -> list[str]:
    return list(_shipped()["sets"])


def get_set(name: str) -> ElasticitySet:
    """A shipped elasticity set by name (``available_sets()``), or a sector trade-elasticity set of
    the multi-sector model (:func:`io_set_names`: 'CP', 'BSY', ...; :func:`io_set`)."""
    sets = _shipped()["sets"]
    if name not in sets:
        io = io_set(name)
        if io is not None:
            return io
        raise ScenarioError(
            f"unknown elasticity set {shown(name)}; shipped sets: {', '.join(sets)}; sector trade-elasticity sets of the "
            f"multi-sector model: {', '.join(io_set_names())}",
            source="elasticities",
            field="sets",
        )
    return ElasticitySet.from_dict(name, sets[name], source="tariffsim:data/elasticities/sets.toml")


def io_set_names() -> tuple[str, ...]:
    """The sector trade-elasticity sets of the multi-sector model (tariffwar's eight: CP, BSY, GYY,
    Shap, FGO, LL, IS, U4; ``data/elasticities/io_sets.toml`` has their citations)."""
    return ELASTICITY_SETS


def io_set(name: str) -> ElasticitySet | None:
    """The elasticity set named after a sector trade-elasticity set of the multi-sector model (any
    case: 'bsy' is 'BSY'): its long run is that set's θ_j (``io_theta``); its near term (and every
    other quantity) is the central set's. None when ``name`` is not one of :func:`io_set_names`."""
    key = {n.lower(): n for n in ELASTICITY_SETS}.get(str(name).strip().lower())
    if key is None:
        return None
    cite = io_elasticity_sets()[key]
    d = get_set("central").to_dict()
    d[IO_THETA] = key
    d["description"] = (
        f"multi-sector long run with the sector trade elasticities of {cite['label']}; near term and one-sector "
        "values as the central set"
    )
    d["sources"] = {**d.get("sources", {}), IO_THETA: cite["citation"]}
    return ElasticitySet.from_dict(key, d, source="tariffsim:data/elasticities/io_sets.toml")


DISTS = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high"), "lognormal": ("median", "sd_log")}


@dataclass(frozen=True)
class Distribution:
    """A parameter distribution for Monte Carlo draws: triangular, uniform or lognormal."""

    dist: str
    params: Mapping[str, float]
    source: str = ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "<scenario>", where: str = "") -> Distribution:
        dist = d.get("dist")
        if dist not in DISTS:
            raise ScenarioError(
                f"dist must be one of {', '.join(DISTS)}, got {shown(dist)}", source=source, field=f"{where}.dist"
            )
        need = DISTS[dist]
        extra = set(d) - set(need) - {"dist", "source"}
        if extra:
            raise ScenarioError(
                f"unknown key(s) {sorted(extra)} for a {dist} distribution; expected {need}", source=source, field=where
            )
        params = {}
        for k in need:
            if k not in d:
                raise ScenarioError(f"missing {shown(k)} for a {dist} distribution", source=source, field=where)
            x = d[k]
            if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                raise ScenarioError(f"expected a finite number, got {shown(x)}", source=source, field=f"{where}.{k}")
            params[k] = float(x)
        if dist == "triangular" and not (0 < params["low"] <= params["mode"] <= params["high"]):
            raise ScenarioError("triangular needs 0 < low <= mode <= high", source=source, field=where)
        if dist == "uniform" and not (params["low"] < params["high"]):
            raise ScenarioError("uniform needs low < high", source=source, field=where)
        if dist == "lognormal" and not (params["median"] > 0 and params["sd_log"] >= 0):
            raise ScenarioError("lognormal needs median > 0 and sd_log >= 0", source=source, field=where)
        return cls(dist=dist, params=params, source=str(d.get("source", "")))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        p = self.params
        if self.dist == "triangular":
            if p["low"] == p["high"]:
                return np.full(n, p["low"])
            return rng.triangular(p["low"], p["mode"], p["high"], size=n)
        if self.dist == "uniform":
            return rng.uniform(p["low"], p["high"], size=n)
        return p["median"] * np.exp(p["sd_log"] * rng.standard_normal(n))

    def ppf(self, q: float) -> float:
        """Quantile function (for tornado low/high points)."""
        p = self.params
        if self.dist == "uniform":
            return p["low"] + q * (p["high"] - p["low"])
        if self.dist == "lognormal":
            return p["median"] * math.exp(p["sd_log"] * NormalDist().inv_cdf(q))
        a, c, b = p["low"], p["mode"], p["high"]
        if b == a:
            return a
        fc = (c - a) / (b - a)
        return a + math.sqrt(q * (b - a) * (c - a)) if q < fc else b - math.sqrt((1 - q) * (b - a) * (b - c))

    def to_dict(self) -> dict[str, Any]:
        return {"dist": self.dist, **self.params, **({"source": self.source} if self.source else {})}


def shipped_distributions() -> dict[str, Distribution]:
    d = _shipped().get("distributions", {})
    return {
        k: Distribution.from_dict(v, source="tariffsim:data/elasticities/sets.toml", where=f"distributions.{k}")
        for k, v in d.items()
    }
