"""Elasticity sets and distributions (MODELS.md section 5).

Shipped sets live in ``data/elasticities/sets.toml`` with a source for every value; sector tables
in ``data/elasticities/sector_elasticities.csv`` (built from ../shared/data). All elasticities are
entered as positive magnitudes: ``sigma`` (Armington substitution between sources), ``eta``
(composite import demand), ``eps_x`` (export supply; ``inf`` = fixed exporter prices) and
``ge_trade_elasticity`` (epsilon of the GE model).
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .errors import ScenarioError

__all__ = [
    "ElasticitySet",
    "Distribution",
    "available_sets",
    "get_set",
    "shipped_distributions",
    "short_run_ratio",
    "DEFAULT_SETS",
]

PARAMS = ("sigma", "eta", "eps_x")
HORIZONS = ("long-run", "short-run")
#: The sets a scenario runs when it names none.
DEFAULT_SETS = ("central", "low", "high", "short-run", "long-run", "smart-defaults", "gsim-example")

Value = float | Mapping[str, float]


def _file(name: str):
    from .datasets import data_file

    return data_file("elasticities", name)


@functools.cache
def _shipped() -> dict:
    return tomllib.loads(_file("sets.toml").read_text(encoding="utf-8"))


@functools.cache
def _sector_table() -> dict[str, dict[str, float]]:
    import pandas as pd

    with _file("sector_elasticities.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    return {c: dict(zip(df["sector"], df[c].astype(float), strict=False)) for c in df.columns if c != "sector"}


def short_run_ratio() -> float:
    """Short-run / long-run trade elasticity (0.76 / 2.0, Boehm et al. 2023)."""
    return float(_shipped()["short_run_ratio"])


def _parse_value(v, *, where: str, source: str, param: str):
    """Number, 'inf', a sector table {sector: value, default: value}, or 'table:COLUMN'."""
    if isinstance(v, bool):
        raise ScenarioError(f"expected a number, got {v!r}", source=source, field=where)
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
                    f"unknown sector table column {col!r}; shipped columns: {', '.join(sorted(tab))}",
                    source=source,
                    field=where,
                )
            return dict(tab[col])
        raise ScenarioError(f"expected a number, 'inf' or 'table:COLUMN', got {v!r}", source=source, field=where)
    if isinstance(v, Mapping):
        out = {}
        for k, x in v.items():
            out[str(k)] = _parse_value(x, where=f"{where}.{k}", source=source, param=param)
            if isinstance(out[str(k)], dict):
                raise ScenarioError("nested tables are not allowed", source=source, field=f"{where}.{k}")
        return out
    raise ScenarioError(f"expected a number or a sector table, got {type(v).__name__}", source=source, field=where)


def _check_sign(name: str, v, *, where: str, source: str) -> None:
    vals = v.values() if isinstance(v, Mapping) else [v]
    for x in vals:
        if not (x > 0) or (math.isinf(x) and name != "eps_x") or math.isnan(x):
            hint = (
                " (elasticities are entered as positive magnitudes, e.g. eta = 1.25 for E_m = -1.25)" if x < 0 else ""
            )
            raise ScenarioError(
                f"{name} must be a positive finite number{' or inf' if name == 'eps_x' else ''}, got {x}{hint}",
                source=source,
                field=where,
            )


@dataclass(frozen=True)
class ElasticitySet:
    """One named set of elasticities. Values are scalars or sector tables (with ``default``)."""

    name: str
    sigma: Value
    eta: Value
    eps_x: Value = math.inf
    ge_trade_elasticity: float = 4.0
    horizon: str = "long-run"
    description: str = ""
    sources: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, name: str, d: Mapping, *, source: str = "<elasticities>", where: str = "") -> ElasticitySet:
        where = where or f"sets.{name}"
        known = {"sigma", "eta", "eps_x", "ge_trade_elasticity", "horizon", "description", "sources"}
        for k in d:
            if k not in known:
                raise ScenarioError(
                    f"unknown key {k!r}; expected one of {', '.join(sorted(known))}",
                    source=source,
                    field=f"{where}.{k}",
                )
        for k in ("sigma", "eta"):
            if k not in d:
                raise ScenarioError(f"missing {k!r}", source=source, field=where)
        vals = {}
        for k in PARAMS:
            if k in d:
                vals[k] = _parse_value(d[k], where=f"{where}.{k}", source=source, param=k)
                _check_sign(k, vals[k], where=f"{where}.{k}", source=source)
        ge = d.get("ge_trade_elasticity")
        if ge is None:  # CES: trade elasticity = sigma - 1 (a sector table's default, else its mean)
            s = vals["sigma"]
            if isinstance(s, Mapping):
                s = s["default"] if "default" in s else float(np.mean(list(s.values())))
            ge = max(float(s) - 1.0, 0.1)
        ge = _parse_value(ge, where=f"{where}.ge_trade_elasticity", source=source, param="ge")
        if isinstance(ge, dict):
            raise ScenarioError(
                "ge_trade_elasticity must be one number", source=source, field=f"{where}.ge_trade_elasticity"
            )
        _check_sign("ge_trade_elasticity", ge, where=f"{where}.ge_trade_elasticity", source=source)
        horizon = d.get("horizon", "long-run")
        if horizon not in HORIZONS:
            raise ScenarioError(
                f"horizon must be one of {HORIZONS}, got {horizon!r}", source=source, field=f"{where}.horizon"
            )
        return cls(
            name=name,
            ge_trade_elasticity=float(ge),
            horizon=horizon,
            description=str(d.get("description", "")),
            sources=dict(d.get("sources", {})),
            **vals,
        )

    def arrays(self, sectors: Sequence[str]) -> dict[str, np.ndarray]:
        """sigma, eta, eps_x as arrays (S,) in the order of ``sectors``."""
        out = {}
        for k in PARAMS:
            v = getattr(self, k)
            if isinstance(v, Mapping):
                default = v.get("default")
                missing = [s for s in sectors if s not in v and default is None]
                if missing:
                    raise ScenarioError(
                        f"no value for sector(s) {', '.join(missing)} and no 'default'",
                        source=f"elasticity set {self.name!r}",
                        field=k,
                    )
                out[k] = np.array([float(v.get(s, default)) for s in sectors])
            else:
                out[k] = np.full(len(sectors), float(v))
        return out

    def scaled(self, ratio: float, *, name: str | None = None, horizon: str | None = None) -> ElasticitySet:
        """Trade elasticities scaled by ``ratio``: sigma - 1 and eta (and GE epsilon) times ratio."""

        def sc(v, f):
            return {k: f(x) for k, x in v.items()} if isinstance(v, Mapping) else f(v)

        return replace(
            self,
            name=name or f"{self.name}*{ratio:g}",
            sigma=sc(self.sigma, lambda s: 1.0 + ratio * (s - 1.0)),
            eta=sc(self.eta, lambda e: ratio * e),
            ge_trade_elasticity=self.ge_trade_elasticity * ratio,
            horizon=horizon or self.horizon,
        )

    def short_and_long_run(self) -> tuple[ElasticitySet, ElasticitySet]:
        """The two ends of the adjustment path: (short run, long run)."""
        r = short_run_ratio()
        if self.horizon == "short-run":
            return self, self.scaled(1.0 / r, name=f"{self.name} (long run)", horizon="long-run")
        return self.scaled(r, name=f"{self.name} (short run)", horizon="short-run"), self

    def with_values(self, **kw) -> ElasticitySet:
        """A copy with some parameters replaced (e.g. a Monte Carlo draw)."""
        return replace(self, **kw)

    def to_dict(self) -> dict:
        def enc(v):
            if isinstance(v, Mapping):
                return {k: enc(x) for k, x in v.items()}
            return "inf" if isinstance(v, float) and math.isinf(v) else v

        return {
            "sigma": enc(self.sigma),
            "eta": enc(self.eta),
            "eps_x": enc(self.eps_x),
            "ge_trade_elasticity": self.ge_trade_elasticity,
            "horizon": self.horizon,
            "description": self.description,
            "sources": dict(self.sources),
        }


def available_sets() -> list[str]:
    return list(_shipped()["sets"])


def get_set(name: str) -> ElasticitySet:
    sets = _shipped()["sets"]
    if name not in sets:
        raise ScenarioError(
            f"unknown elasticity set {name!r}; shipped sets: {', '.join(sets)}", source="elasticities", field="sets"
        )
    return ElasticitySet.from_dict(name, sets[name], source="tariffsim:data/elasticities/sets.toml")


DISTS = {"triangular": ("low", "mode", "high"), "uniform": ("low", "high"), "lognormal": ("median", "sd_log")}


@dataclass(frozen=True)
class Distribution:
    """A parameter distribution for Monte Carlo draws: triangular, uniform or lognormal."""

    dist: str
    params: Mapping[str, float]
    source: str = ""

    @classmethod
    def from_dict(cls, d: Mapping, *, source: str = "<scenario>", where: str = "") -> Distribution:
        dist = d.get("dist")
        if dist not in DISTS:
            raise ScenarioError(
                f"dist must be one of {', '.join(DISTS)}, got {dist!r}", source=source, field=f"{where}.dist"
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
                raise ScenarioError(f"missing {k!r} for a {dist} distribution", source=source, field=where)
            x = d[k]
            if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
                raise ScenarioError(f"expected a finite number, got {x!r}", source=source, field=f"{where}.{k}")
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
            from statistics import NormalDist

            return p["median"] * math.exp(p["sd_log"] * NormalDist().inv_cdf(q))
        a, c, b = p["low"], p["mode"], p["high"]
        if b == a:
            return a
        fc = (c - a) / (b - a)
        return a + math.sqrt(q * (b - a) * (c - a)) if q < fc else b - math.sqrt((1 - q) * (b - a) * (b - c))

    def to_dict(self) -> dict:
        return {"dist": self.dist, **self.params, **({"source": self.source} if self.source else {})}


def shipped_distributions() -> dict[str, Distribution]:
    d = _shipped().get("distributions", {})
    return {
        k: Distribution.from_dict(v, source="tariffsim:data/elasticities/sets.toml", where=f"distributions.{k}")
        for k, v in d.items()
    }
