"""Scenarios: TOML files or the same structure in Python, validated once at the boundary.

A scenario names its data, model, tariff measures, retaliation, assumptions, elasticity sets or
distributions, horizon and seed. Every validation error names the file, the field path (for
example ``tariffs[2].rate``) and what was expected; unknown keys are errors.

Example (the built-in ``mex25``)::

    name = "mex25"
    description = "25 % US tariff on all imports from Mexico"
    country = "MEX"
    [[tariffs]]
    importer = "USA"
    exporters = ["MEX"]
    rate = 0.25
    [assumptions]
    export_dependence = 0.80
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import tomli_w

from .. import limits
from .._util import FrozenMap
from ..constants import DEFAULT_COUNTRY, DEFAULT_MODEL, MODELS
from ..errors import LimitError, ScenarioError, UsageError
from ..limits import shown
from ..models.ar1 import AR1Calibration
from .assumptions import Assumptions
from .calibrations import calibration_from_parameters
from .datasets import data_file
from .elasticities import (
    DEFAULT_SETS,
    Distribution,
    ElasticitySet,
    available_sets,
    get_set,
    io_set,
    io_set_names,
)
from .io_shipped import resolve_io_table
from .loaders import load_data_spec
from .measures import PANEL_PATH, TariffMeasure, measure_label
from .periods import QUARTER_RE, quarter_labels
from .schedule import first_year, tariff_path
from .textfiles import nfc, sniff_compression

if TYPE_CHECKING:
    from .datasets import TradeData

__all__ = [
    "Scenario",
    "load_scenario",
    "builtin_scenarios",
    "validate_file",
]


TOP_KEYS = (
    "name",
    "description",
    "dataset",
    "model",
    "io_table",
    "country",
    "horizon",
    "seed",
    "phase_in",
    "tariffs",
    "retaliation",
    "assumptions",
    "elasticities",
    "uncertainty",
    "recession",
)
ELAST_KEYS = ("sets", "central", "custom")
UNC_KEYS = ("draws", "n_paths", "distributions")
DIST_PARAMS = (
    "sigma",
    "eta",
    "eps_x",
    "multiplier",
    "value_added_share",
    "uncertainty_drag_pct",
    "exchange_rate_offset",
)


def _io_name(name: str) -> str:
    """A sector trade-elasticity set of the multi-sector model in its own spelling ('bsy' -> 'BSY')."""
    es = io_set(name)
    return name if es is None else es.name


def _frozen(d: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only view of a copy of ``d`` (nested tables too)."""
    return FrozenMap({k: _frozen(v) if isinstance(v, Mapping) else v for k, v in d.items()})


def _thaw(d: Mapping[str, Any]) -> dict[str, Any]:
    """A plain, mutable copy of a (read-only) mapping, nested tables too."""
    return {k: _thaw(v) if isinstance(v, Mapping) else (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, parsed once into typed, frozen fields. Build with :meth:`from_file`,
    :meth:`from_dict` or :func:`load_scenario`; vary it only with :meth:`derive`.

    ``assumptions`` is a typed :class:`~tariffsim.inputs.assumptions.Assumptions`;
    ``elasticity_sets`` the sets to run (``elasticity_sets_given``: whether the scenario named
    them or they are the defaults); ``recession`` the scenario's own AR(1) calibration, built from
    its ``[recession]`` table (``recession_spec``) when it has one, else None (the country's
    shipped calibration applies); ``base_hash`` and ``patch``: for a derived scenario, the hash of
    the scenario it was derived from and the changes (:meth:`derive`). ``io_table``: the
    input-output table of the multi-sector model (``icio2022``, ``wiod2011``, ``cp1993``; None: the
    default, :attr:`effective_io_table`).
    """

    name: str
    description: str = ""
    dataset: str | Mapping[str, Any] = "default"
    model: str = DEFAULT_MODEL
    io_table: str | None = None
    country: str = DEFAULT_COUNTRY
    horizon: int = 12
    seed: int = 20250304
    phase_in: str = "2025Q2"
    tariffs: tuple[TariffMeasure, ...] = ()
    retaliation: tuple[TariffMeasure, ...] = ()
    assumptions: Assumptions = field(default_factory=Assumptions)
    elasticity_sets: tuple[str, ...] = DEFAULT_SETS
    elasticity_sets_given: bool = False
    central_set: str = "central"
    custom_sets: Mapping[str, ElasticitySet] = field(default_factory=lambda: FrozenMap({}))
    draws: int = 200
    n_paths: int = 100_000
    distributions: Mapping[str, Distribution] = field(default_factory=lambda: FrozenMap({}))
    recession: AR1Calibration | None = None
    recession_spec: Mapping[str, Any] = field(default_factory=lambda: FrozenMap({}))
    source: str = "<dict>"
    base_dir: str | None = None
    base_hash: str | None = None
    patch: Mapping[str, Any] = field(default_factory=lambda: FrozenMap({}))

    @property
    def effective_io_table(self) -> str:
        """The input-output table a multi-sector run uses (``io_table`` or the default, icio2022)."""
        return resolve_io_table(self.io_table, source=self.source)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        path = Path(path)
        src = str(path)
        d = read_toml_file(path, source=src)
        return cls.from_dict(d, source=src, base_dir=str(path.parent))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, source: str = "<dict>", base_dir: str | None = None) -> Scenario:
        if not isinstance(d, Mapping):
            raise ScenarioError(f"expected a table, got {type(d).__name__}", source=source)
        d = _normalise(d, source)  # NFC text and keys, no negative zero, no two keys equal after NFC
        for k in d:
            if k not in TOP_KEYS:
                raise ScenarioError(
                    f"unknown key {shown(k)}; expected one of {', '.join(TOP_KEYS)}", source=source, field=str(k)[:40]
                )
        if "name" not in d:
            raise ScenarioError("missing 'name'", source=source, field="name")
        name = d["name"]
        if (
            not isinstance(name, str)
            or len(name) > limits.MAX_NAME_CHARS
            or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-@=,]*", name, flags=re.ASCII)
        ):
            raise ScenarioError(
                f"expected a short identifier of at most {limits.MAX_NAME_CHARS} characters (letters, digits, "
                f"- _ . and @ = , in derived names), got {shown(name)}",
                source=source,
                field="name",
            )
        model = d.get("model", DEFAULT_MODEL)
        if model not in MODELS:
            raise ScenarioError(f"expected one of {MODELS}, got {shown(model)}", source=source, field="model")
        io_table = d.get("io_table")
        if io_table is not None:
            if not isinstance(io_table, str):
                raise ScenarioError(f"expected a table name, got {shown(io_table)}", source=source, field="io_table")
            io_table = resolve_io_table(io_table, source=source)
        country = d.get("country", DEFAULT_COUNTRY)
        if not isinstance(country, str) or not country.strip():
            raise ScenarioError("expected a country code", source=source, field="country")
        # the same rules (and messages, with their bounds) as the CLI's --horizon and --seed
        horizon = _limited(limits.check_horizon, d.get("horizon", 12), "horizon", source)
        seed = _limited(limits.check_seed, d.get("seed", 20250304), "seed", source)
        phase_in = str(d.get("phase_in", "2025Q2")).upper().replace(" ", "")
        if not QUARTER_RE.match(phase_in):
            raise ScenarioError(
                f"expected a quarter like '2025Q2', got {shown(d.get('phase_in'))}", source=source, field="phase_in"
            )
        dataset = d.get("dataset", "default")
        if not isinstance(dataset, str | Mapping):
            raise ScenarioError(
                "expected a dataset name, a CSV path or a table with format", source=source, field="dataset"
            )

        def measures(key: str) -> tuple[TariffMeasure, ...]:
            v = d.get(key, [])
            if not isinstance(v, list):
                raise ScenarioError(f"expected an array of tables ([[{key}]])", source=source, field=key)
            return tuple(TariffMeasure.from_dict(m, source=source, where=f"{key}[{i}]") for i, m in enumerate(v))

        tariffs = measures("tariffs")
        retaliation = measures("retaliation")
        if not tariffs and not retaliation:
            raise ScenarioError(
                "a scenario needs at least one tariff measure ([[tariffs]])", source=source, field="tariffs"
            )

        assumptions = Assumptions.parse(d.get("assumptions", {}), source=source)

        e = d.get("elasticities", {})
        if not isinstance(e, Mapping):
            raise ScenarioError("expected a table", source=source, field="elasticities")
        for k in e:
            if k not in ELAST_KEYS:
                raise ScenarioError(
                    f"unknown key {shown(k)}; expected one of {', '.join(ELAST_KEYS)}",
                    source=source,
                    field=f"elasticities.{k}",
                )
        custom = {}
        cust = e.get("custom", {})
        if not isinstance(cust, Mapping):
            raise ScenarioError("expected a table of sets", source=source, field="elasticities.custom")
        for k, v in cust.items():
            if not isinstance(v, Mapping):
                raise ScenarioError("expected a table", source=source, field=f"elasticities.custom.{k}")
            custom[k] = ElasticitySet.from_dict(k, v, source=source, where=f"elasticities.custom.{k}")
        sets = e.get("sets", list(DEFAULT_SETS) + [k for k in custom if k not in DEFAULT_SETS])
        if isinstance(sets, str):
            sets = [sets]
        if not isinstance(sets, list) or not sets:
            raise ScenarioError("expected a non-empty list of set names", source=source, field="elasticities.sets")
        known = set(available_sets()) | set(custom)
        # a sector trade-elasticity set of the multi-sector model, in its own spelling ('bsy' is 'BSY')
        sets = [_io_name(s) if isinstance(s, str) and s not in known else s for s in sets]
        for i, s in enumerate(sets):
            if s not in known and io_set(s) is None:
                raise ScenarioError(
                    f"unknown elasticity set {shown(s)}; known: {', '.join(sorted(known))}; for the multi-sector model "
                    f"also {', '.join(io_set_names())}",
                    source=source,
                    field=f"elasticities.sets[{i}]",
                )
            if s in sets[:i]:
                raise ScenarioError(
                    f"set {shown(s)} is listed twice (positions {sets.index(s) + 1} and {i + 1})",
                    source=source,
                    field=f"elasticities.sets[{i}]",
                )
        central = e.get("central", "central" if "central" in sets else sets[0])
        if central not in sets:
            raise ScenarioError(
                f"central set {shown(central)} is not among the sets run ({', '.join(sets)})",
                source=source,
                field="elasticities.central",
            )

        u = d.get("uncertainty", {})
        if not isinstance(u, Mapping):
            raise ScenarioError("expected a table", source=source, field="uncertainty")
        for k in u:
            if k not in UNC_KEYS:
                raise ScenarioError(
                    f"unknown key {shown(k)}; expected one of {', '.join(UNC_KEYS)}",
                    source=source,
                    field=f"uncertainty.{str(k)[:40]}",
                )
        draws = _limited(limits.check_draws, u.get("draws", 200), "uncertainty.draws", source)
        n_paths = _limited(limits.check_paths, u.get("n_paths", 100_000), "uncertainty.n_paths", source)
        try:  # paths x quarters of the Monte Carlo, as the CLI checks --paths with --horizon
            limits.check_monte_carlo(
                n_paths, draws, horizon, fields=("uncertainty.n_paths", "uncertainty.draws", "horizon")
            )
        except LimitError as exc:
            raise ScenarioError(
                str(exc).removeprefix("uncertainty.n_paths: "), source=source, field="uncertainty.n_paths"
            ) from None
        dists = {}
        dd = u.get("distributions", {})
        if not isinstance(dd, Mapping):
            raise ScenarioError("expected a table", source=source, field="uncertainty.distributions")
        for k, v in dd.items():
            if k not in DIST_PARAMS:
                raise ScenarioError(
                    f"no distribution for {shown(k)}; expected one of {', '.join(DIST_PARAMS)}",
                    source=source,
                    field=f"uncertainty.distributions.{k}",
                )
            if not isinstance(v, Mapping):
                raise ScenarioError(
                    "expected a table with dist and its parameters",
                    source=source,
                    field=f"uncertainty.distributions.{k}",
                )
            dists[k] = Distribution.from_dict(v, source=source, where=f"uncertainty.distributions.{k}")

        rec = d.get("recession", {})
        if not isinstance(rec, Mapping):
            raise ScenarioError("expected a table of AR(1) parameters", source=source, field="recession")
        calibration = (
            calibration_from_parameters(_resolve_file(rec, base_dir), country=country.strip().upper(), source=source)
            if rec
            else None
        )
        return cls(
            recession=calibration,
            recession_spec=_frozen(rec),
            elasticity_sets_given="sets" in e,
            name=name,
            description=str(d.get("description", "")),
            dataset=_frozen(dataset) if isinstance(dataset, Mapping) else dataset,
            model=model,
            io_table=io_table,
            country=country.strip().upper(),
            horizon=int(horizon),
            seed=int(seed),
            phase_in=phase_in,
            tariffs=tariffs,
            retaliation=retaliation,
            assumptions=assumptions,
            elasticity_sets=tuple(sets),
            central_set=central,
            custom_sets=FrozenMap(custom),
            draws=int(draws),
            n_paths=int(n_paths),
            distributions=FrozenMap(dists),
            source=source,
            base_dir=base_dir,
        )

    @classmethod
    def builtin(cls, name: str) -> Scenario:

        f = data_file("scenarios", f"{name}.toml")
        if not f.is_file():
            raise ScenarioError(
                f"unknown scenario {shown(name)}; built-in scenarios: {', '.join(n for n, _ in builtin_scenarios())}",
                source="scenarios",
            )
        d = tomllib.loads(f.read_text(encoding="utf-8"))
        return cls.from_dict(d, source=f"tariffsim:data/scenarios/{name}.toml")

    # -- output -------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The normalised scenario (what :meth:`from_dict` accepts)."""
        d: dict = {"name": self.name}
        if self.description:
            d["description"] = self.description
        d.update(
            {
                "dataset": _thaw(self.dataset) if isinstance(self.dataset, Mapping) else self.dataset,
                "model": self.model,
                **({"io_table": self.io_table} if self.io_table is not None else {}),
                "country": self.country,
                "horizon": self.horizon,
                "seed": self.seed,
                "phase_in": self.phase_in,
            }
        )
        if self.tariffs:
            d["tariffs"] = [m.to_dict() for m in self.tariffs]
        if self.retaliation:
            d["retaliation"] = [m.to_dict() for m in self.retaliation]
        if self.assumptions.explicit:
            d["assumptions"] = self.assumptions.to_dict()
        e: dict = {"sets": list(self.elasticity_sets)} if self.elasticity_sets_given else {}
        e["central"] = self.central_set
        if self.custom_sets:
            e["custom"] = {k: v.to_dict() for k, v in self.custom_sets.items()}
        d["elasticities"] = e
        u: dict = {"draws": self.draws, "n_paths": self.n_paths}
        if self.distributions:
            u["distributions"] = {k: v.to_dict() for k, v in self.distributions.items()}
        d["uncertainty"] = u
        if self.recession_spec:
            d["recession"] = _thaw(self.recession_spec)
        return d

    def to_toml(self) -> str:

        return tomli_w.dumps(self.to_dict())

    @property
    def hash(self) -> str:
        """SHA-256 (first 16 hex digits) of the normalised scenario: equal content, equal hash."""
        blob = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    # -- variations ---------------------------------------------------------------------------
    def with_rate(self, rate: float) -> Scenario:
        """The same scenario with every (non-retaliation) tariff measure at ``rate`` (for sweeps):
        :meth:`derive` with ``rate``, so renamed, relabelled and validated like a file."""
        return self.derive(rate=rate)

    def derive(
        self,
        *,
        rate: float | None = None,
        exempt_share: float | None = None,
        retaliation_rate: float | None = None,
        horizon: int | None = None,
        model: str | None = None,
        io_table: str | None = None,
    ) -> Scenario:
        """A variant of this scenario, validated exactly as a TOML file is.

        ``rate`` / ``exempt_share`` apply to every tariff measure, ``retaliation_rate`` to every
        retaliation measure (a scenario without one gets the reported country mirroring each
        tariff measure that hits it; 0 removes retaliation), ``horizon`` in quarters. The result
        is renamed ``NAME@key=value,...``, its description says what changed, measure labels are
        rewritten and the legal citations of measures whose rate or coverage changed are dropped
        (they no longer describe the measure). ``model`` and ``io_table`` (the multi-sector model's
        input-output table) change how the scenario is run: recorded in the patch, not the name.
        """
        changes = {
            "rate": rate,
            "exempt_share": exempt_share,
            "retaliation_rate": retaliation_rate,
            "horizon": horizon,
            "model": model,
            "io_table": io_table,
        }
        changes = {k: v for k, v in changes.items() if v is not None}
        if not changes:
            return self
        d = self.to_dict()
        if "io_table" in changes:
            changes["io_table"] = resolve_io_table(str(changes["io_table"]), source=self.source)
        if "model" in changes and not isinstance(changes["model"], str):
            raise ScenarioError(
                f"expected a model name, got {shown(changes['model'])}", source=self.source, field="model"
            )
        where = "derived scenario"
        for k in ("rate", "exempt_share", "retaliation_rate"):
            if k in changes:
                changes[k] = _number_arg(changes[k], k, self.source)
        if "rate" in changes or "exempt_share" in changes:
            ms = d.get("tariffs", [])
            if not ms:
                raise ScenarioError("the scenario has no tariff measure to change", source=self.source, field="tariffs")
            for i, m in enumerate(ms):
                if "rate" in changes and ("rates" in m or "panel" in m):
                    raise ScenarioError(
                        "the measure sets its rates by exporter or from the panel; there is no one rate to change",
                        source=self.source,
                        field=f"tariffs[{i}].rate",
                    )
                m.update({k: changes[k] for k in ("rate", "exempt_share") if k in changes})
                m.pop("source", None)
                m["label"] = measure_label(m)
        if "retaliation_rate" in changes:
            r = changes["retaliation_rate"]
            if r == 0:
                d.pop("retaliation", None)
            elif d.get("retaliation"):
                for m in d["retaliation"]:
                    m["rate"] = r
                    m.pop("source", None)
                    m["label"] = measure_label(m)
            else:
                mirror = [
                    m
                    for m in d.get("tariffs", [])
                    if m["importer"] != self.country and (m["exporters"] == "all" or self.country in m["exporters"])
                ]
                if not mirror:
                    raise ScenarioError(
                        f"no tariff measure hits {self.country}, so there is nothing for it to retaliate against",
                        source=self.source,
                        field="retaliation",
                    )
                d["retaliation"] = [{"importer": self.country, "exporters": [m["importer"]], "rate": r} for m in mirror]
                for m in d["retaliation"]:
                    m["label"] = measure_label(m)
            if not d.get("tariffs") and not d.get("retaliation"):
                raise ScenarioError(
                    "removing retaliation leaves no tariff measure", source=self.source, field="retaliation_rate"
                )
        if "horizon" in changes:
            d["horizon"] = changes["horizon"]
        if "model" in changes:
            d["model"] = changes["model"]
        if "io_table" in changes:
            d["io_table"] = changes["io_table"]
        patch = {**self.patch, **changes}
        # the model and its input-output table are how it is run, not a variant
        named = {k: v for k, v in changes.items() if k not in ("model", "io_table")}
        tag = ",".join(f"{k}={_fmt_change(v)}" for k, v in changes.items())
        if named:
            base, _, prior = self.name.partition("@")
            merged = dict(x.split("=", 1) for x in prior.split(",") if "=" in x)
            merged.update({k: _fmt_change(v) for k, v in named.items()})
            d["name"] = f"{base}@" + ",".join(f"{k}={v}" for k, v in merged.items())
            d["description"] = (
                f"{_describe(d)} (derived from {base}: {', '.join(f'{k} = {v}' for k, v in merged.items())})"
            )
        out = Scenario.from_dict(d, source=f"{self.source} ({where}: {tag})", base_dir=self.base_dir)
        return dataclasses.replace(out, base_hash=self.base_hash or self.hash, patch=FrozenMap(patch))

    # -- resolution against data --------------------------------------------------------------
    def elasticity_set(self, name: str) -> ElasticitySet:
        if name in self.custom_sets:
            return self.custom_sets[name]
        return get_set(name)

    def load_data(self) -> TradeData:

        return load_data_spec(self.dataset, base_dir=self.base_dir, source=f"{self.source}: dataset")

    def tariff_arrays(self, data: TradeData, *, include_retaliation: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Baseline and scenario tariffs (exporter, importer, sector) on ``data``; with dated
        measures, the scenario's tariffs are their mean over the first four quarters
        (:func:`tariffsim.inputs.schedule.first_year`).

        Unknown countries, sectors or products raise ScenarioError naming the measure's field.
        """
        t0, path = self.tariff_path(data, include_retaliation=include_retaliation)
        return t0, first_year(path)

    def tariff_path(self, data: TradeData, *, include_retaliation: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Baseline tariffs and the scenario's tariffs in every quarter of the horizon, (H, N, N, S)
        (:func:`tariffsim.inputs.schedule.tariff_path`)."""
        groups = [("tariffs", self.tariffs)] + ([("retaliation", self.retaliation)] if include_retaliation else [])
        return tariff_path(data, self.quarters, groups, source=self.source)

    @property
    def quarters(self) -> list[str]:
        """The quarters of the horizon, from the phase-in quarter."""
        return quarter_labels(self.phase_in, self.horizon)

    @property
    def dated(self) -> bool:
        """Whether any measure has dates or the panel's path (its tariffs change over the horizon)."""
        return any(m.start is not None or m.end is not None or m.panel == PANEL_PATH for m in self.measures)

    @property
    def measures(self) -> tuple[TariffMeasure, ...]:
        """Tariff and retaliation measures."""
        return self.tariffs + self.retaliation

    def _index(self, data: TradeData, code: str, where: str) -> int:
        try:
            return data.countries.index(code)
        except ValueError:
            raise ScenarioError(
                f"country {shown(code)} is not in dataset {shown(data.name)}; it has {', '.join(data.countries)}",
                source=self.source,
                field=where,
            ) from None

    def validate_against(self, data: TradeData) -> None:
        """Check countries and sectors against a dataset (raises ScenarioError)."""
        self._index(data, self.country, "country")
        self.tariff_arrays(data)


#: Values that are paths to files: kept byte for byte (a file system need not normalise names).
_PATH_FIELDS = frozenset(
    (
        "dataset",
        "recession.file",
        *(f"dataset.{k}" for k in ("path", "matrix", "labels", "gdp", "tariffs", "country_codes")),
    )
)


def _normalise(obj: Any, source: str, where: str = "") -> Any:
    """A copy of a scenario's tree with every key and text in Unicode normalisation form C (paths
    excepted: :data:`_PATH_FIELDS`) and every float negative zero as zero; two keys of one table
    that are equal after normalisation (they print the same) are a :class:`ScenarioError`."""
    if isinstance(obj, Mapping):
        out: dict[Any, Any] = {}
        written: dict[Any, Any] = {}
        for k, v in obj.items():
            key = nfc(k) if isinstance(k, str) else k
            sub = f"{where}.{key}" if where else str(key)
            if key in out:
                raise ScenarioError(
                    f"keys {shown(written[key])} and {shown(k)} are the same after Unicode normalisation; give it once",
                    source=source,
                    field=sub[:80],
                )
            written[key] = k
            out[key] = v if sub in _PATH_FIELDS and not isinstance(v, Mapping) else _normalise(v, source, sub)
        return out
    if isinstance(obj, list | tuple):
        return [_normalise(v, source, f"{where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, str):
        return nfc(obj)
    if isinstance(obj, float):
        return obj + 0.0
    return obj


def _limited(check: Any, value: object, field: str, source: str) -> int:
    """``check(value)`` (a :mod:`tariffsim.limits` check: the CLI's rule for the same quantity)
    with its error as a :class:`ScenarioError` naming the file and ``field``."""
    try:
        return int(check(value, field=field))
    except (LimitError, UsageError) as exc:
        raise ScenarioError(str(exc).removeprefix(f"{field}: "), source=source, field=field) from None


def _resolve_file(rec: Mapping[str, Any], base_dir: str | None) -> Mapping[str, Any]:
    if isinstance(rec, Mapping) and "file" in rec and base_dir and isinstance(rec["file"], str):
        p = Path(rec["file"])
        return {**rec, "file": str(p if p.is_absolute() else Path(base_dir) / p)}
    return rec


def _number_arg(v: object, key: str, source: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise ScenarioError(f"expected a finite number, got {shown(v)}", source=source, field=key)
    return float(v) + 0.0  # no negative zero in a name or label


def _fmt_change(v: object) -> str:
    """0.1 -> '0.10' (rates read as shares with two decimals), 0.125 -> '0.125', 16 -> '16'."""
    if isinstance(v, float):
        return f"{v:.2f}" if abs(100 * v - round(100 * v)) < 1e-9 else f"{v:g}"
    return str(v)


def _describe(d: Mapping[str, Any]) -> str:
    parts = [measure_label(m) for m in d.get("tariffs", [])]
    parts += [f"retaliation {measure_label(m)}" for m in d.get("retaliation", [])]
    return "; ".join(parts)


def builtin_scenarios() -> list[tuple[str, str]]:
    """(name, description) of the scenarios shipped with the package."""

    out = []
    for f in sorted(data_file("scenarios").iterdir(), key=lambda p: p.name):
        if f.name.endswith(".toml"):
            d = tomllib.loads(f.read_text(encoding="utf-8"))
            out.append((f.name[:-5], str(d.get("description", ""))))
    return out


def read_toml_file(path: str | Path, *, source: str | None = None) -> dict[str, Any]:
    """The table in a TOML file, every reading problem a :class:`ScenarioError` naming the file:
    not found, a folder, not a regular file, too large, unreadable, a byte-order mark, not UTF-8,
    binary, not TOML, nested too deeply (:data:`tariffsim.limits.MAX_TOML_DEPTH`)."""
    path = Path(path)
    src = source or str(path)
    limits.check_input_file(
        path, max_bytes=limits.MAX_SCENARIO_BYTES, kind="scenario TOML file", error=ScenarioError, source=src
    )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read ({exc.strerror or exc})", source=src) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ScenarioError(
            "the file starts with a UTF-8 byte-order mark (BOM), which TOML does not allow; "
            "save it as UTF-8 without BOM",
            source=src,
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError("the file is UTF-16 (byte-order mark); save it as UTF-8", source=src)
    packed = sniff_compression(raw[:16])
    if packed is not None:
        raise ScenarioError(f"{packed}-compressed; expected a TOML text file (decompress it first)", source=src)
    if b"\x00" in raw:
        raise ScenarioError("binary file (NUL bytes); expected a TOML text file", source=src)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not a UTF-8 text file (byte 0x{raw[exc.start]:02x} at offset {exc.start})", source=src
        ) from None
    try:
        d = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", source=src) from None
    except ValueError as exc:  # a whole number of thousands of digits
        raise ScenarioError(f"not a usable TOML value ({limits.shown(str(exc), 80)})", source=src) from None
    except RecursionError:
        raise ScenarioError(
            f"tables and arrays nested more than {limits.MAX_TOML_DEPTH} levels deep", source=src
        ) from None
    limits.check_toml_depth(d, source=src)
    return d


def load_scenario(scenario: Scenario | str | Path | Mapping[str, Any]) -> Scenario:
    """A Scenario from a Scenario, a built-in name, a path to a TOML file, or a dict."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Mapping):
        return Scenario.from_dict(scenario)
    if isinstance(scenario, str) and not scenario.strip():
        raise ScenarioError("empty scenario name; expected a built-in name or a TOML file")
    if isinstance(scenario, str) and "\x00" in scenario:
        raise ScenarioError(f"{shown(scenario)}: not a scenario name or path (NUL character)")
    if isinstance(scenario, Path) or (isinstance(scenario, str) and (scenario.endswith(".toml") or "/" in scenario)):
        return Scenario.from_file(scenario)
    if isinstance(scenario, str):
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}", scenario):
            try:
                return Scenario.builtin(scenario)
            except ScenarioError:
                if not os.path.isdir(scenario):
                    raise
        if os.path.isdir(scenario):
            raise ScenarioError("is a folder; expected a built-in name or a scenario TOML file", source=scenario)
        if os.path.isfile(scenario):
            raise ScenarioError(
                "not a built-in scenario name; a scenario file needs the .toml suffix (or a path with /)",
                source=scenario,
            )
        raise ScenarioError(
            f"unknown scenario {shown(scenario)}; built-in scenarios: {', '.join(n for n, _ in builtin_scenarios())}",
            source="scenarios",
        )
    raise ScenarioError(f"expected a scenario name, path, dict or Scenario, got {type(scenario).__name__}")


def validate_file(path: str | Path, *, check_data: bool = True) -> Scenario:
    """Validate a scenario file (and, by default, its countries/sectors against its dataset)."""
    sc = Scenario.from_file(path)
    if check_data:
        sc.validate_against(sc.load_data())
    return sc
