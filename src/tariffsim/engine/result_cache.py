"""A folder of computed runs, for test suites and batch scripts that run the same scenarios again in
several processes (opt-in: the environment variable :data:`CACHE_ENV` names the folder; unset, nothing
is cached).

:func:`tariffsim.simulate` looks a run up by a key that covers everything it depends on: the package
version and a digest of its code and shipped data, the scenario (its content hash), the dataset's
numbers, the baseline and scenario tariffs, the elasticity sets, the macro assumptions, the recession
calibration, the model, the Monte Carlo sizes and seed, and whether the recession stage runs. A
changed input is another key, never a stale result. The folder is trusted like the code (results are
pickled); a suite gives each session a fresh one (tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._util import frozen_dumps
from .._version import __version__

if TYPE_CHECKING:
    from .results import Result

__all__ = ["CACHE_ENV", "cache_dir", "run_key", "load", "store"]

log = logging.getLogger(__name__)

#: The environment variable naming the folder of cached runs.
CACHE_ENV = "TARIFFSIM_RESULT_CACHE"


def cache_dir() -> Path | None:
    """The folder of cached runs, or None (no caching)."""
    d = os.environ.get(CACHE_ENV, "").strip()
    return Path(d) if d else None


@functools.cache
def _package_digest() -> str:
    """A digest of the package's code and shipped data (a run depends on both)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256(__version__.encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _feed(h: Any, value: Any) -> None:
    """Add ``value`` to the digest ``h``, arrays by their bytes, records field by field."""
    if isinstance(value, np.ndarray):
        h.update(f"array{value.dtype}{value.shape}".encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(type(value).__qualname__.encode())
        for f in dataclasses.fields(value):
            h.update(f.name.encode())
            _feed(h, getattr(value, f.name))
    elif isinstance(value, Mapping):
        h.update(b"{")
        for k in sorted(value, key=repr):
            _feed(h, k)
            _feed(h, value[k])
        h.update(b"}")
    elif isinstance(value, list | tuple):
        h.update(b"(")
        for v in value:
            _feed(h, v)
        h.update(b")")
    else:
        h.update(repr(value).encode())


def run_key(inp: Any, recession: bool) -> str:
    """The key of a run: the package digest and every resolved input of ``inp`` (the run's
    :class:`tariffsim.engine.simulation.Inputs`, which imports this module; see the module docstring)."""
    h = hashlib.sha256(_package_digest().encode())
    for part in (
        inp.scenario.hash,
        inp.scenario.to_toml(),
        inp.data,
        (inp.t0, inp.t1, inp.t_path),
        tuple((es.to_dict(), es.io_theta_factors) for es in inp.sets),
        inp.central,
        inp.assumptions,
        None if inp.calibration is None else inp.calibration.to_dict(),
        (inp.model, inp.method, inp.seed, inp.draws, inp.n_paths, recession),
        inp.notes,
    ):
        _feed(h, part)
    return h.hexdigest()


def load(key: str) -> Result | None:
    """The cached run of ``key``, or None."""
    d = cache_dir()
    path = None if d is None else d / f"{key}.pickle"
    if path is None or not path.is_file():
        return None
    with path.open("rb") as fh:
        result: Result = pickle.load(fh)
    log.debug("run %s from the cache %s", key[:12], d)
    return result


def store(key: str, result: Result) -> None:
    """Keep ``result`` under ``key`` (written to a temporary file and renamed: never half a file)."""
    d = cache_dir()
    if d is None:
        return
    d.mkdir(parents=True, exist_ok=True)
    blob = frozen_dumps(result)  # read back, its read-only arrays are read-only again
    fd, tmp = tempfile.mkstemp(dir=d, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, d / f"{key}.pickle")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
