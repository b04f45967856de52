"""The multi-sector model's shipped input-output calibrations, their sector trade elasticities,
and the writer of the Caliendo-Parro table layout (docs/models/ge_io.md).

Calibrations (:data:`IO_TABLES`), each a folder of ``data/datasets/`` in the layout
:func:`tariffsim.inputs.io_tables.read_cp2015` reads (``trade.csv.gz`` ... ``theta.csv.gz``):

* ``icio2022``: OECD ICIO flows and Teti applied tariffs of 2022 (tariffwar), input-output shares
  of 2015 and value-added shares of 2018 (ICIO 2021 edition), 13 regions x 16 sectors;
* ``wiod2011``: the complete WIOT 2011 (WIOD 2013 release) with tariffwar's 2011 tariffs,
  12 regions x 14 sectors;
* ``cp1993``: the Caliendo-Parro (2015) tables of 1993, 31 regions x 40 sectors (the replication).

Each of the first two has ``meta.json`` (sources and the year of each piece, the aggregation,
the corrections and checks of the calibration, facts it was not built from) and
``elasticities.csv``: the eight tariffwar sets of sector trade elasticities ε = σ − 1 (Caliendo
and Parro's θ, long run) on its sectors; their citations are in
``data/elasticities/io_sets.toml``. ``theta.csv.gz`` holds the default set (:data:`DEFAULT_SET`).

:func:`write_cp_layout` writes any :class:`~tariffsim.models.ge_io.IOData` (with a baseline and a
counterfactual tariff column) in that layout, so ``tariffsim replicate cp2015 --data-dir DIR``
and any independent implementation of the model solve the same experiment.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import io
import json
import os
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from .._lazy import pd
from .._util import json_default
from ..constants import DEFAULT_IO_TABLE, IO_TABLES
from ..errors import DataError, OutputExistsError, ScenarioError
from ..models.ge_io import STRUCTURE_NOTE, IOData
from .datasets import data_file
from .io_sources import Aggregation
from .io_tables import CP2015_FILES, read_cp2015, shipped_dir

__all__ = [
    "IO_TABLES",
    "resolve_io_table",
    "reference_policy",
    "io_sector_weights",
    "hs_io_sectors",
    "DEFAULT_IO_TABLE",
    "ELASTICITY_SETS",
    "DEFAULT_SET",
    "SERVICES",
    "aggregation",
    "share_sectors",
    "io_table_dir",
    "load_io_table",
    "io_table_meta",
    "io_table_note",
    "io_table_label",
    "folder_note",
    "goods_mask",
    "io_elasticities",
    "io_elasticity_sets",
    "theta_for",
    "theta_set_column",
    "with_theta",
    "write_cp_layout",
    "trade_frame",
]

#: The tariffwar sets of sector trade elasticities, in the order of issue 19.
ELASTICITY_SETS = ("CP", "BSY", "GYY", "Shap", "FGO", "LL", "IS", "U4")
#: The set in each calibration's ``theta.csv.gz``: Caliendo and Parro's own estimates, the
#: elasticities of the model family (and of ``cp1993``).
DEFAULT_SET = "CP"
#: Name of the services sector of the shipped calibrations (untaxed; every other sector is goods).
SERVICES = "Services"
#: Significant digits of the written tables.
DIGITS = 10
#: Money unit of the written tables (the calibrations compute in millions of US dollars).
USD_PER_UNIT = 1e6


def resolve_io_table(name: str | None, *, source: str | None = None, field: str = "io_table") -> str:
    """The calibration a multi-sector run uses: ``name`` (any case) or, when None,
    :data:`DEFAULT_IO_TABLE`; an unknown name is a ScenarioError naming ``field``."""
    if name is None:
        return DEFAULT_IO_TABLE
    key = str(name).strip().lower()
    if key not in IO_TABLES:
        raise ScenarioError(
            f"unknown input-output table {name!r}; choose one of {', '.join(IO_TABLES)}", source=source, field=field
        )
    return key


def reference_policy(name: str, data: IOData) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """The reference equilibrium a scenario is solved from: (tariffs, iceberg changes, deficits,
    description). ``cp1993``: the NAFTA equilibrium (the 1993 tables at the post-NAFTA tariffs,
    zero aggregate deficits, as in the published experiment); a calibration on today's tables: the
    table itself (its applied tariffs and its deficits; the tables are balanced, so this is the
    data)."""
    if _check_name(name) == "cp1993":
        return (
            np.asarray(data.tariff_cfl),
            np.asarray(data.d_cfl),
            np.zeros(data.N),
            "reference = the NAFTA equilibrium (1993 tables at post-NAFTA tariffs, zero aggregate deficits)",
        )
    return (
        np.asarray(data.tariff),
        np.ones_like(data.tariff),
        np.asarray(data.deficit),
        f"reference = the {name} table as calibrated (its applied tariffs; deficits held at the table's values)",
    )


def _unknown(name: str) -> ScenarioError:
    return ScenarioError(f"unknown input-output table {name!r}; choose one of {', '.join(IO_TABLES)}", field="io_table")


def _check_name(name: str) -> str:
    key = str(name).strip().lower()
    if key not in IO_TABLES:
        raise _unknown(name)
    return key


# ----------------------------------------------------------------------------- mappings


@functools.cache
def _mapping(name: str) -> pd.DataFrame:
    with data_file("mappings", name).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, comment="#")


def aggregation(name: str) -> Aggregation:
    """The regions and sectors of calibration ``name`` (``data/mappings/io_regions.csv`` and
    ``io_sectors.csv``); the maps cover every source's codes (WIOT and tariffwar for wiod2011)."""
    key = _check_name(name)
    if key == "cp1993":
        raise ScenarioError("cp1993 is the Caliendo-Parro tables as published: no aggregation", field="io_table")
    reg = _mapping("io_regions.csv")
    reg = reg[reg["calibration"] == key]
    sec = _mapping("io_sectors.csv")
    sec = sec[sec["calibration"] == key]
    regions = (*dict.fromkeys(reg["region"]), "ROW")
    sectors = tuple(dict.fromkeys(sec["sector"]))
    kept = [r for r in regions if r not in ("EU27", "ROW")]
    return Aggregation(
        regions=regions,
        sectors=sectors,
        region_of=dict(zip(reg["code"], reg["region"], strict=True)),
        sector_of=dict(zip(sec["code"], sec["sector"], strict=True)),
        default_region="ROW",
        description=(
            f"{len(regions)} regions ({', '.join(kept)}, EU27 as one, the rest of the world as ROW) x {len(sectors)} "
            "sectors (data/mappings/io_regions.csv, io_sectors.csv)"
        ),
        source="data/mappings/io_regions.csv, io_sectors.csv",
    )


@functools.cache
def io_sector_weights() -> pd.DataFrame:
    """HS content of each calibration sector in US imports 2024 by exporter and dataset sector
    (``data/mappings/io_sector_weights.csv``, built by data/build/build_io_weights.py)."""
    with data_file("mappings", "io_sector_weights.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(
            fh, dtype={"calibration": str, "exporter": str, "io_sector": str, "sector": str}, comment="#"
        )


@functools.cache
def hs_io_sectors() -> pd.DataFrame:
    """The HS -> calibration-sector concordance (``data/mappings/hs_io_sectors.csv``): columns hs,
    cp_sector, isic3, wiod2011, icio2022, note (the most specific code that prefixes a product wins)."""
    with data_file("mappings", "hs_io_sectors.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False, comment="#")


def share_sectors(name: str) -> dict[str, str]:
    """Model sector -> sector of the ICIO shares table (icio2022)."""
    sec = _mapping("io_sectors.csv")
    sec = sec[(sec["calibration"] == _check_name(name)) & (sec["share_sector"] != "")]
    return dict(zip(sec["sector"], sec["share_sector"], strict=False))


# ----------------------------------------------------------------------------- shipped tables


def io_table_dir(name: str) -> Path:
    """Folder of a shipped calibration (``cp1993``: ``data/datasets/cp2015``)."""
    key = _check_name(name)
    if key == "cp1993":
        return shipped_dir()
    return Path(str(data_file("datasets", key)))


@functools.cache
def load_io_table(name: str) -> IOData:
    """The shipped calibration ``name`` with its default trade elasticities (:data:`DEFAULT_SET`)."""
    return read_cp2015(io_table_dir(name))


@functools.cache
def io_table_meta(name: str) -> dict[str, Any]:
    """``meta.json`` of a shipped calibration: table, pieces (what -> source and year), aggregation,
    corrections, checks, facts. ``cp1993`` gets the equivalent built here."""
    key = _check_name(name)
    if key == "cp1993":
        return {
            "name": "cp1993",
            "table": "Caliendo and Parro (2015) tables (REStud 82(1)), via paulofelipe/cp2015",
            "year": 1993,
            "pieces": {
                "trade, tariffs": "Caliendo-Parro (2015) tables, 1993",
                "input-output and value-added shares": "Caliendo-Parro (2015) tables, 1993",
                "final shares, deficits": "Caliendo-Parro (2015) tables, 1993",
                "trade elasticities": "Caliendo and Parro (2015), estimated on 1993 data",
            },
            "note": STRUCTURE_NOTE,
            "goods_sectors": None,
        }
    path = data_file("datasets", key, "meta.json")
    return dict(json.loads(path.read_text(encoding="utf-8")))


@functools.cache
def io_table_note(name: str) -> str:
    """One line naming the table and the year of each piece (every output built on it says it)."""
    if _check_name(name) == "cp1993":
        return STRUCTURE_NOTE
    note = folder_note(io_table_dir(name))
    assert note is not None, name
    return note


#: A short name of each table's structure for titles and captions (the notes give every piece).
IO_TABLE_LABELS = {
    "icio2022": "ICIO 2022 flows and tariffs, input-output shares of 2015",
    "wiod2011": "WIOT 2011",
    "cp1993": "structure of 1993",
}


def io_table_label(name: str | None) -> str:
    """Short label of a table's structure (``None``: the 1993 tables, the model's old default)."""
    return IO_TABLE_LABELS["cp1993" if name is None else _check_name(name)]


def folder_note(folder: str | os.PathLike) -> str | None:
    """The table note of a folder written with a ``meta.json`` (:func:`write_cp_layout`), else None."""
    path = Path(folder) / "meta.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        pieces = "; ".join(f"{k}: {v}" for k, v in meta["pieces"].items())
        return f"input-output table {meta['name']} ({meta['table']}): {pieces}"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def goods_mask(data: IOData) -> np.ndarray:
    """(J,) True for goods sectors: every sector but :data:`SERVICES` in the shipped calibrations; in
    ``cp1993``, the sectors with any trade between regions (the 20 services sectors have none)."""
    sectors = np.asarray(data.sectors)
    if SERVICES in data.sectors:
        return np.asarray(sectors != SERVICES)
    cross = data.trade.sum(axis=(0, 1)) - np.einsum("nnj->j", data.trade)
    return np.asarray(cross > 0)


# ----------------------------------------------------------------------------- elasticities


@functools.cache
def io_elasticity_sets() -> dict[str, dict[str, str]]:
    """set -> {label, citation, note} (``data/elasticities/io_sets.toml``)."""
    raw = tomllib.loads(data_file("elasticities", "io_sets.toml").read_text(encoding="utf-8"))
    return {k: dict(v) for k, v in raw["sets"].items()}


@functools.cache
def io_elasticities(name: str) -> pd.DataFrame:
    """Sector trade elasticities ε = σ − 1 (Caliendo-Parro's θ, long run) of calibration ``name``:
    index = its sectors, one column per set of :data:`ELASTICITY_SETS` (``cp1993``: CP only)."""
    key = _check_name(name)
    if key == "cp1993":
        d = load_io_table(key)
        return pd.DataFrame({"CP": d.theta}, index=pd.Index(d.sectors, name="sector"))
    with data_file("datasets", key, "elasticities.csv").open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, index_col="sector")
    return df


def theta_set_column(name: str, elasticity_set: str) -> str:
    """The column of ``elasticity_set`` (any case) in calibration ``name``'s sector trade
    elasticities, or :class:`ScenarioError` naming the sets it has."""
    columns = list(io_elasticities(name).columns)
    key = {c.lower(): c for c in columns}.get(str(elasticity_set).strip().lower())
    if key is None:
        raise ScenarioError(
            f"unknown elasticity set {elasticity_set!r} for input-output table {name}; choose one of "
            f"{', '.join(columns)}",
            field="elasticities",
        )
    return key


def theta_for(name: str, elasticity_set: str) -> np.ndarray:
    """(J,) the trade elasticities of ``elasticity_set`` on calibration ``name``'s sectors."""
    return io_elasticities(name)[theta_set_column(name, elasticity_set)].to_numpy(dtype=float)


def with_theta(data: IOData, theta: np.ndarray) -> IOData:
    """``data`` with other sector trade elasticities."""
    return dataclasses.replace(data, theta=np.asarray(theta, dtype=float))


# ----------------------------------------------------------------------------- writer


def _fmt(df: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format=f"%.{DIGITS}g", lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def trade_frame(data: IOData, tariff_cfl: np.ndarray, *, scale: float = 1.0) -> pd.DataFrame:
    """``trade.csv`` rows (sector, exporter, importer, value, tariff, tariff_bln, tariff_cfl,
    d_bln, d_cfl), sector-major then importer then exporter; rows with zero trade are left out."""
    N, J = data.N, data.J
    grid = np.meshgrid(np.arange(J), np.arange(N), np.arange(N), indexing="ij")
    keep = data.trade[grid[1], grid[2], grid[0]].ravel() > 0
    j, n, i = (g.ravel()[keep] for g in grid)
    regions, sectors = np.asarray(data.regions, dtype=object), np.asarray(data.sectors, dtype=object)
    return pd.DataFrame(
        {
            "sector": sectors[j],
            "exporter": regions[i],
            "importer": regions[n],
            "value": data.trade[n, i, j] * scale,
            "tariff": data.tariff[n, i, j],
            "tariff_bln": data.tariff_bln[n, i, j],
            "tariff_cfl": np.asarray(tariff_cfl)[n, i, j],
            "d_bln": data.d_bln[n, i, j],
            "d_cfl": data.d_cfl[n, i, j],
        }
    )


def _tables(data: IOData, tariff_cfl: np.ndarray, scale: float) -> dict[str, bytes]:
    N, J = data.N, data.J
    regions, sectors = np.asarray(data.regions, dtype=object), np.asarray(data.sectors, dtype=object)
    k, j, n = (a.ravel() for a in np.meshgrid(np.arange(J), np.arange(J), np.arange(N), indexing="ij"))
    jj, nn = (a.ravel() for a in np.meshgrid(np.arange(J), np.arange(N), indexing="ij"))
    two = {
        "final_consumption.csv": data.final,
        "value_added.csv": data.value_added,
    }
    out = {
        "trade.csv": _fmt(trade_frame(data, tariff_cfl, scale=scale)),
        "intermediate_consumption.csv": _fmt(
            pd.DataFrame(
                {
                    "input": sectors[k],
                    "sector": sectors[j],
                    "region": regions[n],
                    "value": data.intermediate[n, k, j] * scale,
                }
            )
        ),
        "deficit.csv": _fmt(pd.DataFrame({"region": regions, "D": data.deficit * scale})),
        "theta.csv": _fmt(pd.DataFrame({"sector": sectors, "value": data.theta})),
    }
    for fname, arr in two.items():
        out[fname] = _fmt(pd.DataFrame({"sector": sectors[jj], "region": regions[nn], "value": arr[nn, jj] * scale}))
    return out


def _umask() -> int:
    """The process's file-creation mask (temporary files are private until they take their place)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_cp_layout(
    data: IOData,
    out_dir: str | os.PathLike,
    *,
    tariff_cfl: np.ndarray | None = None,
    scale: float = 1.0,
    meta: dict[str, Any] | None = None,
    extra: dict[str, bytes] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``data`` in the Caliendo-Parro layout (the six gzipped CSV files of
    :data:`~tariffsim.inputs.io_tables.CP2015_FILES`) to ``out_dir``.

    ``trade.csv`` carries ``tariff`` and ``tariff_bln`` = the data's tariffs and ``tariff_cfl`` =
    ``tariff_cfl`` (default: unchanged), ``d_bln`` = ``d_cfl`` = the data's iceberg columns; money
    is multiplied by ``scale`` (1e6 writes millions as dollars); numbers have :data:`DIGITS`
    significant digits; gzip streams carry no timestamp, so equal data give equal bytes. ``meta``
    is written as ``meta.json``, ``extra`` as further files. A new folder appears whole (written
    beside it, then renamed); into an existing folder (``overwrite=True``) each file is replaced
    atomically.
    """
    out = Path(out_dir)
    cfl = data.tariff_cfl if tariff_cfl is None else np.asarray(tariff_cfl, dtype=float)
    if cfl.shape != data.trade.shape or not np.all(np.isfinite(cfl)) or (cfl <= -1).any():
        raise DataError(
            "counterfactual tariffs must be finite, above -100 % and shaped like trade", location="tariff_cfl"
        )
    files = {
        name + ".gz": gzip.compress(blob, compresslevel=9, mtime=0) for name, blob in _tables(data, cfl, scale).items()
    }
    if meta is not None:
        files["meta.json"] = (json.dumps(meta, indent=1, ensure_ascii=False, default=json_default) + "\n").encode()
    files.update(extra or {})
    assert set(f[:-3] for f in files if f.endswith(".gz")) >= set(CP2015_FILES)
    mask = _umask()
    if out.exists():
        if not out.is_dir():
            raise OutputExistsError(f"{out} exists and is not a folder")
        if not overwrite:
            raise OutputExistsError(f"{out} exists; pass overwrite=True to replace its files")
        for name, blob in files.items():
            fd, tmp = tempfile.mkstemp(prefix=".tariffsim-", suffix=".tmp", dir=out)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.chmod(tmp, 0o666 & ~mask)
                os.replace(tmp, out / name)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return out
    if not out.parent.is_dir():
        raise DataError("output folder's parent does not exist", source=str(out.parent))
    tmpdir = Path(tempfile.mkdtemp(prefix=".tariffsim-tmp-", dir=out.parent))
    try:
        os.chmod(tmpdir, 0o777 & ~mask)
        for name, blob in files.items():
            (tmpdir / name).write_bytes(blob)
        os.replace(tmpdir, out)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    return out
