"""Back-test episodes: what happened, where it is published, and the band a prediction must fall in.

docs/backtests.md. One TOML file per episode in ``data/episodes/`` (or anywhere, for a user's own):
the source, the observed value with the comparison it is measured in (concept, horizon,
comparison group), a tolerance band with its reason, and the shock the prediction is made from.
Every problem is a :class:`~tariffsim.errors.ScenarioError` naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._util import ShortRepr
from ..errors import ScenarioError
from .datasets import data_file
from .scenario import read_toml_file

__all__ = ["Episode", "PREDICTIONS", "SHOCK_KEYS", "load_episode", "shipped_episodes", "find_episode"]

#: The prediction methods of :mod:`tariffsim.engine.backtest` an episode may name.
PREDICTIONS = (
    "targeted_imports",
    "exporter_prices",
    "diversion",
    "gdp_first_year",
    "technical_recession",
    "claim_contrast",
)
#: What each prediction method reads from the episode's [shock] table.
SHOCK_KEYS = {
    "targeted_imports": ("importer", "exporters", "tariff_before", "tariff_after"),
    "exporter_prices": ("importer", "exporters", "tariff_before", "tariff_after"),
    "diversion": ("importer", "exporters", "tariff_before", "tariff_after", "reported"),
    "gdp_first_year": ("country", "start", "end"),
    "technical_recession": ("country", "start", "end"),
    "claim_contrast": ("exporter", "importer", "rate", "data"),
}
TOP_KEYS = ("id", "title", "written", "prediction", "source", "observed", "band", "shock")
SOURCE_KEYS = ("citation", "detail")
OBSERVED_KEYS = ("value", "units", "concept", "horizon", "comparison")
BAND_KEYS = ("low", "high", "kind", "reason")
BAND_KINDS = ("confidence interval", "bootstrap interval", "stated")


@dataclass(frozen=True, repr=False)
class Episode(ShortRepr):
    """One back-test episode (see the module docstring); ``file`` is where it was read from."""

    id: str
    title: str
    written: dt.date
    prediction: str
    source: Mapping[str, str]
    observed: Mapping[str, Any]
    band: Mapping[str, Any]
    shock: Mapping[str, Any]
    file: str = "<episode>"

    @property
    def value(self) -> float:
        return float(self.observed["value"])

    @property
    def low(self) -> float:
        return float(self.band["low"])

    @property
    def high(self) -> float:
        return float(self.band["high"])

    def passes(self, prediction: float) -> bool:
        """Whether a prediction lies in the band (ends included); NaN never passes."""
        return bool(self.low <= prediction <= self.high)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "written": self.written.isoformat(),
            "prediction": self.prediction,
            "source": dict(self.source),
            "observed": dict(self.observed),
            "band": {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in self.band.items()}
            | {"high_is_open": math.isinf(self.high)},
            "shock": dict(self.shock),
            "file": self.file,
        }


def _table(d: Mapping[str, Any], key: str, keys: tuple[str, ...], src: str) -> dict[str, Any]:
    v = d.get(key)
    if not isinstance(v, Mapping):
        raise ScenarioError(f"missing table [{key}] (every episode states it)", source=src, field=key)
    for k in keys:
        if k not in v:
            raise ScenarioError(f"missing {k!r}", source=src, field=f"{key}.{k}")
    for k in v:
        if k not in keys:
            raise ScenarioError(f"unknown key {k!r}; expected one of {', '.join(keys)}", source=src, field=f"{key}.{k}")
    return dict(v)


def _text(v: object, src: str, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise ScenarioError("expected a non-empty text", source=src, field=where)
    return v.strip()


def _number(v: object, src: str, where: str, *, allow_inf: bool = False) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ScenarioError(f"expected a number, got {v!r}", source=src, field=where)
    x = float(v)
    if math.isnan(x) or (math.isinf(x) and not allow_inf):
        raise ScenarioError(f"expected a finite number, got {v!r}", source=src, field=where)
    return x


def episode_from_dict(d: Mapping[str, Any], *, source: str = "<episode>") -> Episode:
    """Validate an episode table (what a file holds)."""
    src = source
    for k in d:
        if k not in TOP_KEYS:
            raise ScenarioError(f"unknown key {k!r}; expected one of {', '.join(TOP_KEYS)}", source=src, field=k)
    for k in ("id", "title", "written", "prediction"):
        if k not in d:
            raise ScenarioError(f"missing {k!r}", source=src, field=k)
    pred = d["prediction"]
    if pred not in PREDICTIONS:
        raise ScenarioError(f"expected one of {', '.join(PREDICTIONS)}, got {pred!r}", source=src, field="prediction")
    written = d["written"]
    try:
        written = written if isinstance(written, dt.date) else dt.date.fromisoformat(str(written))
    except ValueError:
        raise ScenarioError(f"expected an ISO date, got {written!r}", source=src, field="written") from None
    s = _table(d, "source", SOURCE_KEYS, src)
    for k in SOURCE_KEYS:
        s[k] = _text(s[k], src, f"source.{k}")
    o = _table(d, "observed", OBSERVED_KEYS, src)
    o["value"] = _number(o["value"], src, "observed.value")
    for k in OBSERVED_KEYS[1:]:
        o[k] = _text(o[k], src, f"observed.{k}")
    b = _table(d, "band", BAND_KEYS, src)
    b["low"] = _number(b["low"], src, "band.low")
    b["high"] = _number(b["high"], src, "band.high", allow_inf=True)
    if not b["low"] <= b["high"]:
        raise ScenarioError(f"band low {b['low']:g} is above high {b['high']:g}", source=src, field="band.high")
    if b["kind"] not in BAND_KINDS:
        raise ScenarioError(
            f"expected one of {', '.join(BAND_KINDS)}, got {b['kind']!r}", source=src, field="band.kind"
        )
    b["reason"] = _text(b["reason"], src, "band.reason")
    shock = d.get("shock")
    if not isinstance(shock, Mapping) or not shock:
        raise ScenarioError("missing table [shock] (what the prediction is made from)", source=src, field="shock")
    for k in SHOCK_KEYS[str(pred)]:
        if k not in shock:
            raise ScenarioError(f"missing {k!r} (prediction {pred!r} needs it)", source=src, field=f"shock.{k}")
    return Episode(
        id=_text(d["id"], src, "id"),
        title=_text(d["title"], src, "title"),
        written=written,
        prediction=str(pred),
        source=s,
        observed=o,
        band=b,
        shock=dict(shock),
        file=src,
    )


def load_episode(path: str | Path) -> Episode:
    """An episode from a TOML file."""
    p = Path(path)
    return episode_from_dict(read_toml_file(p), source=str(p))


def shipped_episodes() -> list[Episode]:
    """Every episode shipped in ``data/episodes/``, in file-name order."""
    out = []
    for f in sorted(data_file("episodes").iterdir(), key=lambda x: x.name):
        if f.name.endswith(".toml"):
            from_text = read_toml_text(f.read_text(encoding="utf-8"), source=f"tariffsim:data/episodes/{f.name}")
            out.append(episode_from_dict(from_text, source=f"tariffsim:data/episodes/{f.name}"))
    return out


def read_toml_text(text: str, *, source: str) -> dict[str, Any]:
    """The table in a TOML text, ScenarioError naming ``source`` when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", source=source) from None


def find_episode(name: str | Path) -> Episode:
    """A shipped episode by id (or file stem), else an episode file by path."""
    if isinstance(name, str) and not name.endswith(".toml") and "/" not in name:
        eps = shipped_episodes()
        for e in eps:
            if name in (e.id, Path(e.file).stem):
                return e
        raise ScenarioError(
            f"unknown episode {name!r}; shipped episodes: {', '.join(e.id for e in eps)}", source="episodes"
        )
    return load_episode(name)
