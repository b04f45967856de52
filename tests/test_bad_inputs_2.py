"""Hostile input, second round (issue 22): one test group per class of the issue.

1. output paths through symbolic links (loops, links to nowhere, a link above, names too long);
2. damaged compressed inputs (cut short, corrupt, wrong magic, archives, a decompression bomb);
3. unbounded shapes (a header of commas, long lines and cells, many columns, many cells);
4. cleanup (a failed write removes every folder it created; messages name the flag);
5. caches that lie (a cached copy is checked against its key, labels and shapes);
6. names and signs (Unicode normalisation, duplicates after it, no negative zero shown);
7. errors name what the user wrote (a rate over the limit with the baseline duty, an elasticity
   next to its special value, a theta near zero, a recession file that is not a calibration);
8. one rule per input (the seed range, the number syntax of every reader, scheduler addresses).

Every CLI case ends with a correct result or exactly one line ``tariffsim: error: ...`` naming
the flag, field or file, exit code 2, nothing on stdout and the working folder as it was (the
first round's rules, tests/test_bad_inputs.py). The files are written by the fixtures below into
temporary folders; no shared data.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import logging
import lzma
import os
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import GOOD_TOML, run_cli, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from tariffsim import limits
from tariffsim._util import fmt_signed, json_safe
from tariffsim.errors import (
    ConvergenceError,
    DataError,
    LimitError,
    NumericalError,
    OutputExistsError,
    OutputPathError,
    ScenarioError,
    TariffSimError,
    UsageError,
)
from tariffsim.inputs.datasets import TradeData
from tariffsim.inputs.io_tables import read_cp2015, shipped_dir
from tariffsim.inputs.loaders import read_gdp_csv, read_long_csv, read_matrix_csv
from tariffsim.inputs.scenario import Scenario, load_scenario
from tariffsim.inputs.textfiles import number_column, parse_numbers, read_bytes
from tariffsim.outputs.files import atomic_folder, atomic_write_text, check_output_dir, check_output_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _one_line_error(argv: list[str], cwd: Path, *expect: str) -> str:
    """Run ``argv`` in ``cwd``: exit 2, one line on stderr naming each of ``expect``, nothing on
    stdout, the folder unchanged. Returns the line."""
    before = snapshot(cwd)
    rc, out, err = run_cli(argv, cwd)
    assert rc == 2, (argv, rc, err)
    assert err.startswith("tariffsim: error: ") and err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err and out == "", (err, out)
    for e in expect:
        assert e.lower() in err.lower(), f"{e!r} not named in {err!r}"
    assert snapshot(cwd) == before, f"{argv} changed the working folder"
    return err


# ============================================================================= the corpus


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Inputs of every class in ``box/in`` and output places in ``box/out`` (links among them)."""
    root = tmp_path_factory.mktemp("hostile22")
    inp, out = root / "in", root / "out"
    inp.mkdir()
    out.mkdir()
    # -- good inputs (the first round's fixtures)
    shutil.copytree(FIXTURES / "matrix3", inp / "m3")
    for name in ("long_flows.csv", "long_gdp.csv", "baci_sample.csv", "baci_country_codes.csv"):
        shutil.copy(FIXTURES / name, inp / name)
    (inp / "good.toml").write_text(GOOD_TOML, encoding="utf-8")
    q = ["date,gdp"] + [
        f"{y}Q{k},{100 + (y - 1990) * 4 + k + (k % 2)}" for y in range(1990, 2022) for k in (1, 2, 3, 4)
    ]
    (inp / "qgdp.csv").write_text("\n".join(q) + "\n", encoding="utf-8")
    (inp / "emptydir").mkdir()
    # -- links (class 1)
    (out / "loop1").symlink_to("loop2")
    (out / "loop2").symlink_to("loop1")
    (out / "dangling").symlink_to("nowhere")
    (out / "chain").symlink_to("dangling")
    (out / "real").mkdir()
    (out / "real" / "keep.txt").write_text("mine\n")
    (out / "dirlink").symlink_to("real")
    (out / "emptyreal").mkdir()
    (out / "emptylink").symlink_to("emptyreal")
    (out / "afile").write_text("x\n")
    (out / "filelink").symlink_to("afile")
    return root


# ============================================================================= 1. output paths through links

WRITERS = {
    "report": ["report", "mex25", "--formats", "png", "--paths", "100", "--draws", "0"],
    "sweep": ["sweep", "mex25", "--tariff", "0,0.1", "--paths", "100"],
    "compare": ["compare", "mex25", "--formats", "png", "--paths", "100", "--draws", "0"],
    "calibrate": ["calibrate", "in/qgdp.csv"],
    "replicate": ["replicate", "ilms2025", "--data-dir", "in/emptydir"],
    "backtest": ["backtest", "nosuch-episode"],
}
FOLDER_WRITERS = ("report", "sweep", "compare", "backtest")
LONG = "x" * 300


def _link_cases() -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    for cmd in WRITERS:
        for out, expect in (
            ("out/loop1", ("--out", "link loop")),
            ("out/loop1/sub", ("--out", "link loop")),
            ("out/dangling", ("--out", "link to nowhere", "nowhere")),
            ("out/dangling/sub", ("--out", "link to nowhere")),
            ("out/chain/a/b", ("--out", "link to nowhere", "chain")),
            ("out/new1/new2/" + LONG + "/x", ("--out", "300 bytes")),
            ("out/new1/" + LONG, ("--out", "300 bytes")),
            ("out/" + "/".join(["d" * 200] * 22) + "/x", ("--out", "too long")),
            ("out/missing/../../x", ("--out", "goes back up")),
        ):
            cases.append((cmd, out, expect))
        if cmd in FOLDER_WRITERS:
            cases.append((cmd, "out/dirlink", ("--out", "is a link", "--force")))
            cases.append((cmd, "out/emptylink", ("--out", "is a link", "--force")))
            cases.append((cmd, "out/filelink", ("--out", "not a folder")))
        else:
            cases.append((cmd, "out/dirlink", ("--out", "folder")))
    return cases


@pytest.mark.parametrize(("cmd", "out", "expect"), _link_cases(), ids=lambda v: str(v)[:40])
def test_output_paths_through_links_are_one_line_errors(box, cmd, out, expect):
    _one_line_error([*WRITERS[cmd], "--out", out], box, *expect)


@pytest.mark.parametrize(
    ("out", "expect"),
    [
        ("out/loop1", "link loop"),
        ("out/dangling/x", "link to nowhere"),
        ("out/new1/new2/" + LONG + "/x", "300 bytes"),
        ("out/dirlink", "--force"),
    ],
)
def test_export_io_output_paths(box, out, expect):
    _one_line_error(["data", "export-io", "cp1993", "--scenario", "mex25", "--out", out], box, "--out", expect)
    assert not (box / "out" / "new1").exists()


def test_output_checks_handle_links_in_the_library(box):
    out = box / "out"
    for check in (check_output_file, check_output_dir):
        for bad in ("loop1", "loop1/x", "dangling", "chain/x/y"):
            with pytest.raises(OutputPathError, match="--out"):
                check(out / bad)
        with pytest.raises(OutputPathError, match="NUL"):
            check(str(out / "a\x00b"))
    # a link to a folder is a folder for a file output, a file output through it is fine
    assert check_output_file(out / "dirlink" / "x.json") == out / "dirlink" / "x.json"


def test_a_link_as_output_folder_is_replaced_only_with_force_and_its_target_is_left_alone(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    link = tmp_path / "out"
    link.symlink_to(target)

    def fill(root: Path) -> str:
        (root / "result.txt").write_text("new")
        return "done"

    with pytest.raises(OutputExistsError, match="--out: .* is a link.*--force"):
        atomic_folder(link, False, fill, field="--out")
    assert link.is_symlink() and sorted(os.listdir(tmp_path)) == ["out", "target"]
    assert atomic_folder(link, True, fill, field="--out") == "done"
    assert not link.is_symlink() and (link / "result.txt").read_text() == "new"
    assert (target / "keep.txt").read_text() == "mine"  # the link's target is untouched
    assert sorted(os.listdir(tmp_path)) == ["out", "target"]  # no temporary or old folder left


def test_a_file_written_through_a_linked_folder_lands_in_its_target(box, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "real")
    rc, out, err = run_cli(["calibrate", str(box / "in" / "qgdp.csv"), "--out", str(tmp_path / "via" / "c.json")], box)
    assert rc == 0, err
    assert json.loads((tmp_path / "real" / "c.json").read_text())["calibration"]["rho"] is not None
    assert sorted(os.listdir(tmp_path / "real")) == ["c.json"]


@pytest.mark.parametrize(("data_dir", "expect"), [("out/loop1", "symbolic links"), ("out/dangling", "link to nowhere")])
def test_input_folders_through_links_are_one_line_errors(box, data_dir, expect):
    for study in ("ilms2025", "cp2015"):
        _one_line_error(["replicate", study, "--data-dir", data_dir], box, "--data-dir", expect)
    _one_line_error(["data", "info", "--long", data_dir], box, data_dir)
    _one_line_error(["calibrate", data_dir], box, data_dir)


# ============================================================================= 2. damaged compressed inputs


def _damaged(data: bytes, kind: str) -> dict[str, bytes]:
    comp = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[kind](data)
    corrupt = bytearray(comp)
    for k in range(len(comp) // 2, min(len(comp) // 2 + 8, len(comp) - 12)):
        corrupt[k] ^= 0x5A
    return {
        f"ok.csv.{kind}": comp,
        f"cut.csv.{kind}": comp[: len(comp) // 2],
        f"head.csv.{kind}": comp[:3],
        f"corrupt.csv.{kind}": bytes(corrupt),
        f"plain.csv.{kind}": data,  # named compressed, is not
    }


@pytest.fixture(scope="module")
def packed(box: Path) -> Path:
    d = box / "packed"
    d.mkdir()
    for src in ("long_flows.csv", "long_gdp.csv", "baci_sample.csv", "qgdp.csv"):
        data = (box / "in" / src).read_bytes()
        for kind in ("gz", "bz2", "xz"):
            for name, blob in _damaged(data, kind).items():
                (d / f"{src[:-4]}.{name}").write_bytes(blob)
    trade = (box / "in" / "m3" / "trade.csv").read_bytes()
    for name, blob in _damaged(trade, "gz").items():
        (d / f"trade.{name}").write_bytes(blob)
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w") as zf:
        zf.writestr("long_flows.csv", (box / "in" / "long_flows.csv").read_bytes())
    (d / "long.zip").write_bytes(zbuf.getvalue())
    (d / "long.xlsx").write_bytes(zbuf.getvalue())
    (d / "long_zip_named.csv").write_bytes(zbuf.getvalue())
    (d / "long.csv.zst").write_bytes(b"\x28\xb5\x2f\xfd" + b"\x00" * 20)
    (d / "gzip_as_csv.csv").write_bytes(gzip.compress((box / "in" / "long_flows.csv").read_bytes()))
    return d


READERS = {
    "long": lambda f: ["data", "info", "--long", f],
    "gdp": lambda f: ["data", "info", "--long", "in/long_flows.csv", "--gdp", f],
    "baci": lambda f: ["data", "info", "--baci", f, "--country-codes", "in/baci_country_codes.csv"],
    "calibrate": lambda f: ["calibrate", f],
}
STEM = {"long": "long_flows", "gdp": "long_gdp", "baci": "baci_sample", "calibrate": "qgdp"}


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(
    ("damage", "expect"),
    [("cut", "cut short"), ("head", "cut short"), ("corrupt", "damaged"), ("plain", "not")],
)
def test_damaged_compressed_inputs_are_one_line_errors_naming_the_file(box, packed, reader, kind, damage, expect):
    name = f"{STEM[reader]}.{damage}.csv.{kind}"
    _one_line_error(READERS[reader](f"packed/{name}"), box, name, expect)


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_intact_compressed_inputs_read_as_the_plain_file(box, packed, reader, kind):
    plain = READERS[reader](f"in/{STEM[reader]}.csv") + (["--json"] if reader != "calibrate" else ["--json"])
    packed_argv = READERS[reader](f"packed/{STEM[reader]}.ok.csv.{kind}") + ["--json"]
    rc1, out1, err1 = run_cli(plain, box)
    rc2, out2, err2 = run_cli(packed_argv, box)
    assert rc1 == 0 and rc2 == 0, (err1, err2)
    a, b = json.loads(out1), json.loads(out2)
    for d in (a, b):  # the file names differ, the numbers may not
        d.pop("source", None)
        d.pop("name", None)
    assert a == b


@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("long.zip", "zip archive"),
        ("long.xlsx", "excel"),
        ("long_zip_named.csv", "zip archive"),
        ("long.csv.zst", "zstd"),
    ],
)
def test_archives_and_other_compressors_are_refused_with_what_to_do(box, packed, name, expect):
    _one_line_error(["data", "info", "--long", f"packed/{name}"], box, name, expect)


def test_gzip_content_under_a_plain_name_is_read(box, packed):
    rc, out, err = run_cli(["data", "info", "--long", "packed/gzip_as_csv.csv", "--json"], box)
    assert rc == 0, err
    assert json.loads(out)["countries"] == ["MEX", "USA", "CAN"]


def test_matrix_and_scenario_datasets_read_compressed_files(box, packed):
    _one_line_error(
        ["data", "info", "--matrix", "packed/trade.cut.csv.gz", "--labels", "in/m3/labels.csv"], box, "cut short"
    )
    ok = read_matrix_csv(box / "packed" / "trade.ok.csv.gz", box / "in" / "m3" / "labels.csv")
    plain = read_matrix_csv(box / "in" / "m3" / "trade.csv", box / "in" / "m3" / "labels.csv")
    np.testing.assert_array_equal(ok.values, plain.values)
    sc = box / "in" / "gz_dataset.toml"
    sc.write_text(
        GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\ndataset = "../packed/long_flows.cut.csv.gz"\n')
    )
    _one_line_error(["validate", "in/gz_dataset.toml"], box, "long_flows.cut.csv.gz", "cut short")
    sc.unlink()


def test_a_decompression_bomb_stops_at_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_DATA_FILE_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"exporter,importer,value\n" + b"MEX,USA,1\n" * 300_000))  # 3 MB inside
    assert bomb.stat().st_size < 50_000
    with pytest.raises(LimitError, match="bomb.csv.gz: the gzip file holds more than 1,048,576 bytes"):
        read_long_csv(bomb)


@pytest.mark.parametrize("damage", ["cut", "corrupt", "plain"])
def test_damaged_gzip_tables_of_the_multi_sector_model(tmp_path, damage):
    d = tmp_path / "cp"
    shutil.copytree(shipped_dir(), d)
    blob = (d / "trade.csv.gz").read_bytes()
    if damage == "cut":
        blob = blob[: len(blob) // 3]
    elif damage == "corrupt":
        b = bytearray(blob)
        for k in range(len(b) // 2, len(b) // 2 + 16):
            b[k] ^= 0x5A
        blob = bytes(b)
    else:
        blob = gzip.decompress(blob)
    (d / "trade.csv.gz").write_bytes(blob)
    with pytest.raises(DataError, match=r"trade\.csv\.gz: the (gzip file is (cut short|damaged)|name says gzip)"):
        read_cp2015(d)
    _one_line_error(["replicate", "cp2015", "--data-dir", str(d)], tmp_path, "trade.csv.gz")


def test_damaged_gzip_inputs_of_the_ilms_replication(tmp_path, box):
    d = tmp_path / "ilms"
    d.mkdir()
    shutil.copy(box / "in" / "m3" / "labels.csv", d / "country_labels.csv")
    shutil.copy(box / "in" / "m3" / "gdp.csv", d / "gdp.csv")
    (d / "tariffs.csv").write_text("tariff\n0.1\n0.2\n0.3\n")
    trade = gzip.compress((box / "in" / "m3" / "trade.csv").read_bytes())
    (d / "trade_cepii.csv.gz").write_bytes(trade[: len(trade) // 2])
    _one_line_error(["replicate", "ilms2025", "--data-dir", str(d)], tmp_path, "trade_cepii.csv.gz", "cut short")


# ============================================================================= 3. unbounded shapes


@pytest.fixture(scope="module")
def shapes(box: Path) -> Path:
    d = box / "shapes"
    d.mkdir()
    (d / "commas.csv").write_bytes(b"exporter,importer,value" + b"," * 10_000_000 + b"\n")
    (d / "longline.csv").write_bytes(b"exporter,importer,value\nMEX,USA," + b"9" * 2_000_000 + b"\n")
    (d / "longcell.csv").write_bytes(b"exporter,importer,value\nMEX,USA,1\nMEX,CAN," + b"7" * 5_000 + b"\n")
    (d / "manycols.csv").write_bytes(b"exporter,importer,value" + b",c" * 5_000 + b"\n")
    (d / "badcell.csv").write_bytes(b"exporter,importer,value\nMEX,USA," + b"z" * 3_000 + b"\n")
    (d / "dupcols.csv").write_bytes(b"exporter,importer,value,value\nMEX,USA,1,2\n")
    (d / "nfc_dupcols.csv").write_bytes("exporter,importer,value,caf\u00e9,cafe\u0301\nMEX,USA,1,2,3\n".encode())
    return d


SHAPE_READERS = {
    "long": lambda f: ["data", "info", "--long", f],
    "gdp": lambda f: ["data", "info", "--long", "in/long_flows.csv", "--gdp", f],
    "matrix": lambda f: ["data", "info", "--matrix", f, "--labels", "in/m3/labels.csv"],
    "labels": lambda f: ["data", "info", "--matrix", "in/m3/trade.csv", "--labels", f],
    "baci": lambda f: ["data", "info", "--baci", f, "--country-codes", "in/baci_country_codes.csv"],
    "codes": lambda f: ["data", "info", "--baci", "in/baci_sample.csv", "--country-codes", f],
    "calibrate": lambda f: ["calibrate", f],
}


@pytest.mark.parametrize("reader", sorted(SHAPE_READERS))
@pytest.mark.parametrize(
    ("name", "expect"),
    [
        ("commas.csv", "line 1 is 10,000,023 bytes"),
        ("longline.csv", "line 2 is 2,000,008 bytes"),
        ("longcell.csv", "cell of 5,000 bytes"),
        ("manycols.csv", "5,003 columns"),
    ],
)
def test_unbounded_shapes_fail_before_parsing_in_every_reader(box, shapes, reader, name, expect):
    err = _one_line_error(SHAPE_READERS[reader](f"shapes/{name}"), box, name, expect, "limit")
    assert len(err) < 400


def test_a_header_of_commas_fails_fast_with_bounded_memory(shapes):
    tracemalloc.start()
    try:
        with pytest.raises(LimitError, match="line 1"):
            read_long_csv(shapes / "commas.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60e6, f"peak {peak / 1e6:.0f} MB for a 10 MB file"


def test_the_cell_limit_is_checked_before_pandas_reads(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_TEXT_CELLS", 1_000)
    f = tmp_path / "rows.csv"
    f.write_text("exporter,importer,value\n" + "MEX,USA,1\n" * 400)
    with pytest.raises(LimitError, match="400 lines|401 lines") as exc:
        read_long_csv(f)
    assert "cells" in str(exc.value)


def test_messages_quote_a_short_prefix_of_a_bad_value(box, shapes):
    err = _one_line_error(["data", "info", "--long", "shapes/badcell.csv"], box, "not a number", "3,000 characters")
    assert "z" * 41 not in err and len(err) < 300


@pytest.mark.parametrize("name", ["dupcols.csv", "nfc_dupcols.csv"])
def test_duplicated_columns_are_refused_not_renamed(box, shapes, name):
    _one_line_error(["data", "info", "--long", f"shapes/{name}"], box, name, "duplicated column")


def test_a_huge_value_in_a_scenario_file_is_quoted_short(box, tmp_path):
    f = tmp_path / "big.toml"
    f.write_text(GOOD_TOML.replace('"hostile"', '"' + "n" * 500_000 + '"'))
    err = _one_line_error(["validate", "--no-data", str(f)], tmp_path, "big.toml", "name", "500,000 characters")
    assert len(err) < 400


def test_the_cli_bounds_and_escapes_an_error_line(box, monkeypatch):
    import tariffsim.cli.run as run

    def boom(args):
        raise DataError("bad \x1b[31mred\x1b[0m value " + "w" * 100_000, source="f.csv")

    monkeypatch.setattr(run, "cmd_scenarios", boom)
    import tariffsim.cli.parser as parser

    monkeypatch.setattr(parser, "cmd_scenarios", boom)
    rc, out, err = run_cli(["scenarios"], box)
    assert rc == 2 and err.count("\n") == 1 and "\x1b" not in err and "\\x1b" in err
    assert len(err) < limits.MAX_SHOWN_CHARS * 100


@pytest.mark.parametrize(
    ("table", "expect"),
    [
        ('{format = "long", path = 5}', "path"),
        ('{format = "long", path = "x.csv", exporter = 5}', "exporter"),
        ('{format = "long", path = "x.csv", check_units = "no"}', "check_units"),
        ('{format = "matrix", matrix = "m.csv", labels = "l.csv", year = 2023.5}', "year"),
        ('{format = "long", path = "x.csv", colour = 1}', "colour"),
        ('{format = "long", path = "~nosuchuser/x.csv"}', "nosuchuser"),
    ],
)
def test_dataset_tables_of_the_wrong_shape_are_one_error_naming_the_key(tmp_path, table, expect):
    f = tmp_path / "d.toml"
    f.write_text(GOOD_TOML.replace('country = "MEX"\n', f'country = "MEX"\ndataset = {table}\n'))
    _one_line_error(["validate", str(f)], tmp_path, "d.toml", "dataset", expect)


def test_a_gdp_file_without_a_header_is_one_error(tmp_path):
    f = tmp_path / "gdp.csv"
    f.write_text("\n1\n2\n3\n")
    with pytest.raises(DataError, match="no header"):
        read_gdp_csv(f, countries=["USA", "MEX", "CAN"])


# ============================================================================= 4. cleanup


@pytest.mark.parametrize("cmd", sorted(WRITERS))
def test_a_failed_write_removes_every_folder_it_created(box, cmd):
    # the too-long name is found before any work; nothing of new1/new2 may appear
    _one_line_error([*WRITERS[cmd], "--out", f"out/new1/new2/{LONG}/x"], box, "--out")
    assert not (box / "out" / "new1").exists()


def test_atomic_folder_removes_created_parents_when_filling_fails(tmp_path):
    target = tmp_path / "a" / "b" / "c" / "report"

    def fill(root: Path) -> None:
        (root / "half.txt").write_text("half")
        raise OSError(28, "No space left on device", str(root / "half.txt"))

    with pytest.raises(OutputPathError, match=r"--out: cannot write .*/c/report/half\.txt: No space left on device"):
        atomic_folder(target, False, fill, field="--out")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(KeyboardInterrupt):
        atomic_folder(target, False, lambda root: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_removes_created_parents_even_when_the_deepest_was_never_made(tmp_path, monkeypatch):
    """mkdir creates a and a/b, then fails at a/b/c: all of them go (the first round stopped at the
    first folder it could not remove, the one that was never made, and left a and a/b behind)."""
    real_mkdir = Path.mkdir

    def failing_mkdir(self, *a, **k):
        if self.name == "c":
            raise OSError(13, "Permission denied", str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", failing_mkdir)
    with pytest.raises(OutputPathError, match="--out"):
        atomic_write_text(tmp_path / "a" / "b" / "c" / "x.json", "{}")
    assert list(tmp_path.iterdir()) == []


def test_folder_writers_name_the_flag_not_the_parameter(box, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    for cmd in FOLDER_WRITERS:
        err = _one_line_error([*WRITERS[cmd], "--out", str(full)], tmp_path, "--out", "--force")
        assert "out_dir" not in err and "force=True" not in err


def test_two_runs_on_one_output_folder(tmp_path):
    """A second run finishing first: the first ends with one error (no --force) or replaces it
    (--force); no temporary or old folder is left either way."""
    out = tmp_path / "out"

    def fill_b(root: Path) -> None:
        (root / "who").write_text("b")

    def fill_a(root: Path) -> None:
        (root / "who").write_text("a")
        atomic_folder(out, False, fill_b)  # the other run completes meanwhile

    with pytest.raises(OutputExistsError, match="exists and is not empty"):
        atomic_folder(out, False, fill_a)
    assert (out / "who").read_text() == "b" and sorted(os.listdir(tmp_path)) == ["out"]
    shutil.rmtree(out)
    atomic_folder(out, True, fill_a)
    assert (out / "who").read_text() == "a" and sorted(os.listdir(tmp_path)) == ["out"]


# ============================================================================= 5. caches that lie


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("TARIFFSIM_CACHE_DIR", str(d))
    return d


def _cp_copy(tmp_path: Path, name: str) -> Path:
    d = tmp_path / name
    shutil.copytree(shipped_dir(), d)
    return d


def _small_tables(folder: Path) -> Path:
    """The shipped tables cut to three regions and two sectors (another key, other labels)."""
    folder.mkdir()
    regions = ["Mexico", "USA", "Canada"]
    sectors = ["Agriculture", "Mining"]
    for f in sorted(shipped_dir().iterdir()):
        df = pd.read_csv(f, dtype=str)
        for col, keep in (("region", regions), ("exporter", regions), ("importer", regions)):
            if col in df:
                df = df[df[col].isin(keep)]
        for col in ("sector", "input"):
            if col in df:
                df = df[df[col].isin(sectors)]
        with gzip.open(folder / f.name, "wt", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False)
    return folder


def test_a_cached_copy_of_other_tables_is_not_trusted(tmp_path, cache, caplog):
    small = _small_tables(tmp_path / "small")
    other = _small_tables(tmp_path / "other")  # the same labels and shapes, another theta: another key
    theta = pd.read_csv(other / "theta.csv.gz")
    theta["value"] = theta["value"] * 2
    with gzip.open(other / "theta.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        theta.to_csv(fh, index=False)
    read_cp2015(small)
    parsed = read_cp2015(other)
    copies = sorted(cache.glob("cp2015-*.npz"), key=lambda p: p.stat().st_mtime_ns)
    assert len(copies) == 2
    shutil.copy(copies[0], copies[1])  # well formed, labels and shapes right: another key's content
    with caplog.at_level(logging.WARNING, logger="tariffsim.inputs.io_tables"):
        again = read_cp2015(other)
    np.testing.assert_array_equal(again.theta, parsed.theta)  # not small's theta
    assert "cached copy" in caplog.text and "stored key" in caplog.text
    with np.load(copies[1]) as z:  # replaced by the true copy
        np.testing.assert_array_equal(z["theta"], parsed.theta)
    big = _cp_copy(tmp_path, "big")
    read_cp2015(big)
    big_copy = max(cache.glob("cp2015-*.npz"), key=lambda p: p.stat().st_mtime_ns)
    shutil.copy(big_copy, copies[1])  # other labels and shapes
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tariffsim.inputs.io_tables"):
        again = read_cp2015(other)
    assert again.regions == parsed.regions and "cached copy" in caplog.text


def test_a_forged_cached_copy_is_refused_before_it_is_read(tmp_path, cache, caplog):
    small = _small_tables(tmp_path / "small")
    parsed = read_cp2015(small)
    (copy,) = cache.glob("cp2015-*.npz")
    with np.load(copy) as z:
        arrays = {k: z[k] for k in z.files}
    arrays["trade"] = np.zeros((3, 3, 2_000_000))  # its key and labels right, 96 MB where 144 bytes belong
    np.savez(copy, **arrays)
    tracemalloc.start()
    try:
        with caplog.at_level(logging.WARNING, logger="tariffsim.inputs.io_tables"):
            again = read_cp2015(small)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.array_equal(again.trade, parsed.trade)
    assert "cached copy" in caplog.text and "larger than the tables' shape allows" in caplog.text
    assert peak < 40e6


@pytest.mark.parametrize("damage", ["truncated", "not_zip", "fifo", "members", "labels", "dtype"])
def test_damaged_cached_copies_are_parsed_again(tmp_path, cache, caplog, damage):
    small = _small_tables(tmp_path / "small")
    parsed = read_cp2015(small)
    (copy,) = cache.glob("cp2015-*.npz")
    with np.load(copy) as z:
        arrays = {k: z[k] for k in z.files}
    if damage == "truncated":
        copy.write_bytes(copy.read_bytes()[:500])
    elif damage == "not_zip":
        copy.write_bytes(b"not an npz")
    elif damage == "fifo":
        copy.unlink()
        os.mkfifo(copy)
    elif damage == "members":
        arrays.pop("key")
        np.savez(copy, **arrays)
    elif damage == "labels":
        np.savez(copy, **{**arrays, "regions": np.array(["Mexico", "USA", "Atlantis"])})
    else:
        np.savez(copy, **{**arrays, "trade": arrays["trade"].astype(np.float32)})
    with caplog.at_level(logging.WARNING, logger="tariffsim.inputs.io_tables"):
        again = read_cp2015(small)
    assert again.regions == parsed.regions and np.array_equal(again.trade, parsed.trade)
    assert "cached copy" in caplog.text
    assert copy.is_file()  # replaced by a good copy


# ============================================================================= 6. names and signs


def test_names_differing_only_in_normalisation_are_one_name(tmp_path):
    f = tmp_path / "flows.csv"
    f.write_text(
        "exporter,importer,sector,value\nMEX,USA,Veh\u00edculos,1\nMEX,USA,Vehi\u0301culos,2\n", encoding="utf-8"
    )
    with pytest.raises(DataError, match="duplicated flow"):
        read_long_csv(f, check_units=False)
    f.write_text(
        "exporter,importer,sector,value\nMEX,USA,Veh\u00edculos,1\nMEX,CAN,Vehi\u0301culos,2\n"
        "C\u00f4te d'Ivoire,USA,Vehi\u0301culos,3\nCo\u0302te d'Ivoire,CAN,Veh\u00edculos,4\n",
        encoding="utf-8",
    )
    d = read_long_csv(f, check_units=False)
    assert d.sectors == ("Veh\u00edculos",) and "CIV" in d.countries
    with pytest.raises(DataError, match="duplicated country .*Unicode normalisation"):
        TradeData(countries=("\u00c9", "E\u0301"), sectors=("s",), values=np.ones((2, 2, 1)))


def test_scenario_keys_and_names_are_normalised(tmp_path):
    body = GOOD_TOML + (
        '[elasticities]\nsets = ["caf\u00e9"]\n[elasticities.custom."cafe\u0301"]\nsigma = 2.0\neta = 1.25\n'
    )
    sc = Scenario.from_dict(__import__("tomllib").loads(body), source="s.toml")
    assert sc.elasticity_sets == ("caf\u00e9",) and list(sc.custom_sets) == ["caf\u00e9"]
    dup = body + '[elasticities.custom."caf\u00e9"]\nsigma = 3.0\neta = 1.25\n'
    with pytest.raises(ScenarioError, match="same after Unicode normalisation"):
        Scenario.from_dict(__import__("tomllib").loads(dup), source="s.toml")
    twice = GOOD_TOML.replace('exporters = ["MEX"]', 'exporters = ["MEX", "mex"]')
    with pytest.raises(ScenarioError, match=r"tariffs\[0\]\.exporters: duplicated entry 'MEX'"):
        Scenario.from_dict(__import__("tomllib").loads(twice), source="s.toml")


def test_the_cli_takes_a_set_name_in_either_normalisation(box, tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(GOOD_TOML + '[elasticities.custom."caf\u00e9"]\nsigma = 2.0\neta = 1.25\n', encoding="utf-8")
    rc, out, err = run_cli(
        ["run", str(f), "--elasticities", "cafe\u0301", "--draws", "0", "--paths", "100", "--json"], box
    )
    assert rc == 0, err
    _one_line_error(["run", str(f), "--elasticities", "caf\u00e9,cafe\u0301"], tmp_path, "--elasticities", "twice")
    _one_line_error(["run", str(f), "--elasticities", "nosuch"], tmp_path, "--elasticities", "nosuch")


def test_no_negative_zero_reaches_a_name_label_or_number(box, tmp_path):
    sc = load_scenario("mex25").derive(rate=-0.0)
    assert sc.name == "mex25@rate=0.00" and "-0" not in sc.description
    f = tmp_path / "z.toml"
    f.write_text(GOOD_TOML.replace("rate = 0.25", 'rate = -0.0\nexempt_share = -0.0\nlabel = "x"'))
    z = Scenario.from_file(f)
    assert not np.signbit(z.tariffs[0].rate) and not np.signbit(z.tariffs[0].exempt_share)
    rc, out, err = run_cli(
        ["run", "mex25", "--rate", "-0", "--exempt-share", "-0.0", "--draws", "0", "--paths", "100"], box
    )
    assert rc == 0 and "-0" not in out.split("\n")[0] and "−0" not in out, out
    m = tmp_path / "trade.csv"
    m.write_text("a,b,c\n,-0,-0.0\n2000,,100\n300,50,\n")
    data = read_matrix_csv(m, box / "in" / "m3" / "labels.csv", check_units=False)
    assert not np.signbit(data.values).any()
    rc, out, err = run_cli(["data", "info", "--matrix", str(m), "--labels", "in/m3/labels.csv", "--json"], box)
    assert rc == 0 and "-0.0" not in out, err
    assert fmt_signed(-1e-9, 2) == "+0.00" and fmt_signed(-1e-9, 2, bare_zero=True) == "0.00"
    assert json.dumps(json_safe({"x": -0.0, "y": [np.float64(-0.0)]})) == '{"x": 0.0, "y": [0.0]}'
    assert limits.shown(-0.0) == "0.0"


# ============================================================================= 7. errors name what the user wrote


def test_a_rate_within_bounds_over_the_limit_with_the_baseline_duty_names_the_measure(box, tmp_path):
    _one_line_error(
        ["run", "mex25", "--rate", "9.999", "--draws", "0", "--paths", "100"],
        box,
        "tariffs[0].rate",
        "9.999",
        "baseline duty",
        "mode",
    )
    f = tmp_path / "stack.toml"
    f.write_text(
        GOOD_TOML.replace("rate = 0.25", "rate = 6.5")
        + '[[tariffs]]\nimporter = "USA"\nexporters = ["MEX"]\nrate = 4.5\n'
    )
    _one_line_error(
        ["run", str(f), "--draws", "0", "--paths", "100"], tmp_path, "stack.toml", "tariffs[1].rate", "earlier"
    )


def _custom_set(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "e.toml"
    f.write_text(GOOD_TOML + '[elasticities]\nsets = ["x"]\n[elasticities.custom.x]\n' + body)
    return f


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("sigma = 1.0000000001\neta = 1.25\n", "elasticities.custom.x.sigma"),
        ("sigma = 2.0\neta = 1.25\nge_trade_elasticity = 1e-12\n", "elasticities.custom.x.ge_trade_elasticity"),
        ("sigma = 2.0\neta = 1.25\nge_trade_elasticity = 1e-300\n", "elasticities.custom.x.ge_trade_elasticity"),
    ],
)
def test_a_numerical_failure_names_the_elasticity_next_to_its_special_value(box, tmp_path, body, named):
    f = _custom_set(tmp_path, body)
    err = _one_line_error(["run", str(f), "--draws", "0", "--paths", "100"], tmp_path, named, "special value")
    assert "e.toml" in err
    from tariffsim import simulate

    with pytest.raises((ConvergenceError, NumericalError), match="special value"):
        simulate(Scenario.from_file(f), draws=0, n_paths=100)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("[recession]\nrho = 0.5\nsigma = 1e300\n", ("r.toml: recession", "sigma 1e+300")),
        (
            '[uncertainty.distributions.sigma]\ndist = "lognormal"\nmedian = 1e300\nsd_log = 100\n',
            ("r.toml", "uncertainty.distributions.sigma", "narrow the distribution"),
        ),
    ],
)
def test_a_monte_carlo_failure_names_the_table_that_set_it(tmp_path, extra, named):
    f = tmp_path / "r.toml"
    f.write_text(GOOD_TOML + extra)
    _one_line_error(["run", str(f), "--draws", "5", "--paths", "100"], tmp_path, *named)


def test_a_theta_near_zero_is_named_with_its_file_and_sector(tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFFSIM_CACHE_DIR", "off")
    d = _cp_copy(tmp_path, "cp")
    theta = pd.read_csv(d / "theta.csv.gz")
    theta.loc[0, "value"] = 1e-300
    with gzip.open(d / "theta.csv.gz", "wt", encoding="utf-8", newline="") as fh:
        theta.to_csv(fh, index=False)
    sector = theta.loc[0, "sector"]
    _one_line_error(["replicate", "cp2015", "--data-dir", str(d)], tmp_path, "theta.csv", sector, "special value 0")


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (GOOD_TOML, "not json"),
        ("[1, 2]", "json list"),
        ('{"name": "x"}', "not a calibration"),
        ('{"calibration": {"mu": 0.5, "rho": 1.5, "sigma": 1, "n_obs": 10, "start": "", "end": ""}}', "rho"),
        ('{"calibration": {"mu": 0.5, "rho": 0.5, "sigma": "big", "n_obs": 10, "start": "", "end": ""}}', "sigma"),
        ("[" * 100_000, "nested too deeply"),
        ('{"n": ' + "9" * 5000 + "}", "usable json"),
        (b"\x1f\x8b\x08\x00", "cut short"),
        (None, "not found"),
        ("/dev/zero", "regular file"),
    ],
)
def test_a_recession_file_that_is_not_a_calibration_names_the_field(tmp_path, content, expect):
    cal = tmp_path / "cal.json"
    if isinstance(content, bytes):
        cal.write_bytes(content)
    elif content is not None and content != "/dev/zero":
        cal.write_text(content)
    path = "/dev/zero" if content == "/dev/zero" else "cal.json"
    f = tmp_path / "r.toml"
    f.write_text(GOOD_TOML + f'[recession]\nfile = "{path}"\n')
    _one_line_error(["validate", "--no-data", str(f)], tmp_path, "r.toml", "recession.file", expect)


# ============================================================================= 8. one rule per input

BOUND = f"{limits.MAX_SEED:,}"


@pytest.mark.parametrize("seed", ["-1", str(limits.MAX_SEED + 1), "1.5", "x"])
def test_the_cli_and_the_scenario_refuse_the_same_seeds_and_say_the_bound(box, tmp_path, seed):
    cli = _one_line_error(["run", "mex25", "--seed", seed], box, "--seed")
    f = tmp_path / "s.toml"
    toml_value = seed if seed != "x" else '"x"'
    f.write_text(GOOD_TOML.replace('country = "MEX"\n', f'country = "MEX"\nseed = {toml_value}\n'))
    toml = _one_line_error(["validate", "--no-data", str(f)], tmp_path, "s.toml", "seed")
    if seed in ("-1", str(limits.MAX_SEED + 1)):
        assert BOUND in cli and BOUND in toml


@pytest.mark.parametrize("seed", ["0", str(limits.MAX_SEED), "1_000", "1e6"])
def test_the_cli_and_the_scenario_accept_the_same_seeds(tmp_path, seed):
    f = tmp_path / "s.toml"
    f.write_text(GOOD_TOML.replace('country = "MEX"\n', f'country = "MEX"\nseed = {seed}\n'))
    sc = Scenario.from_file(f)
    from tariffsim.cli.parser import build_parser

    args = build_parser().parse_args(["run", "mex25", "--seed", seed])
    assert sc.seed == args.seed == (int(float(seed)) if "e" in seed else int(seed.replace("_", "")))


CELLS = ["5", " 5 ", "1e3", "+.5", "5.", "-0", "1_000", "1,000", "\u0661\u0662", "nan", "inf", "0x10", "\uff15",
         "\u00a05", "+2E 2", "1e400", "1 5", "5e"]  # fmt: skip


def _read_number(reader: str, cell: str, tmp_path: Path) -> float | str:
    """The number ``reader`` reads from ``cell``, or 'error'."""
    labels = tmp_path / "labels.csv"
    labels.write_text("iso3\nUSA\nMEX\n")
    f = tmp_path / f"{reader}.csv"
    q = f'"{cell}"' if "," in cell else cell
    try:
        if reader == "matrix":
            f.write_text(f"a,b\n,{q}\n1,\n", encoding="utf-8")
            return float(read_matrix_csv(f, labels, units="USD", check_units=False).values[0, 1, 0])
        if reader == "long":
            f.write_text(f"exporter,importer,value\nMEX,USA,{q}\n", encoding="utf-8")
            return float(read_long_csv(f, check_units=False).values.sum())
        if reader == "gdp":
            f.write_text(f"gdp\n{q}\n1\n", encoding="utf-8")
            return float(read_gdp_csv(f, countries=["USA", "MEX"])[0])
        rows = [f"{1990 + k // 4}Q{k % 4 + 1},{100 + k}" for k in range(40)]
        rows[20] = rows[20].split(",")[0] + "," + q
        f.write_text("date,gdp\n" + "\n".join(rows) + "\n", encoding="utf-8")
        from tariffsim.inputs.calibrations import read_quarterly_gdp

        g = read_quarterly_gdp(f)
        return round(float(np.exp(g.iloc[19] / 100) * 119), 6)  # the level of row 20 back
    except TariffSimError:
        return "error"


@pytest.mark.parametrize("cell", CELLS)
def test_matrix_long_and_gdp_readers_accept_the_same_number_syntax(tmp_path, cell):
    got = {r: _read_number(r, cell, tmp_path) for r in ("matrix", "long", "gdp", "quarterly")}
    t = cell.strip(" \t")
    syntax_ok = bool(limits.NUMBER_RE.fullmatch(t)) and np.isfinite(float(t))
    if not syntax_ok:
        assert set(got.values()) == {"error"}, got
        return
    value = float(t)
    for r, v in got.items():
        if value == 0 and r in ("gdp", "quarterly"):  # a GDP must be positive (a zero is refused, by value)
            assert v == "error", (r, got)
        else:
            assert v == pytest.approx(value, rel=1e-9), (r, got)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"0123456789.eE+- \t_,x\u00a0\u0661", "nan", "inf"]), max_size=8).map("".join))
def test_parse_numbers_is_the_number_syntax(text):
    v = parse_numbers([text])[0]
    t = text.strip(" \t\r\n\x0b\x0c")
    ok = bool(limits.NUMBER_RE.fullmatch(t)) and np.isfinite(float(t)) if limits.NUMBER_RE.fullmatch(t) else False
    assert ok == (not np.isnan(v)), (text, v)


def test_number_column_says_why_a_cell_is_not_a_number():
    where = lambda r: f"row {r + 2}"  # noqa: E731
    with pytest.raises(DataError, match="row 2: not a number: '1,5'.*thousands separators"):
        number_column(["1,5"], source="f.csv", where=where)
    with pytest.raises(DataError, match="row 2: non-finite value 'inf'"):
        number_column(["inf"], source="f.csv", where=where)
    with pytest.raises(DataError, match="ASCII digits"):
        number_column(["\u0661"], source="f.csv", where=where)


@pytest.mark.parametrize(
    ("address", "expect"),
    [
        ("tcp://127.0.0.1:99999", "port"),
        ("tcp://127.0.0.1:0", "port"),
        ("ucx://127.0.0.1:1", "protocol"),
        ("tls://127.0.0.1:1", "protocol"),
        ("tcp://[[[:1", "host"),
        ("tcp://::::::1:1", "host"),
        ("tcp://a..b:1", "host"),
        ("tcp://-x:1", "host"),
        ("tcp://256.256.256.256:1", "host"),
        ("tcp://" + "a" * 300 + ":1", "host"),
    ],
)
def test_dask_scheduler_addresses_are_checked_when_parsed(box, address, expect):
    for cmd in ("report", "sweep", "compare"):
        _one_line_error([*WRITERS[cmd], "--out", "out/x", "--scheduler", address], box, "--scheduler", expect)


def test_rate_flags_follow_the_scenario_file_rate_rule(box):
    for flag in ("--rate", "--retaliation-rate"):
        for v, expect in (("2", "reads as 200 %"), ("10", "reads as 1000 %"), ("1_0", "number"), ("nan", "number")):
            _one_line_error(["run", "mex25", flag, v], box, flag, expect)


def test_read_bytes_refuses_what_no_reader_takes(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes("a,b\n1,2\n".encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16"):
        read_bytes(f)
    f.write_bytes(b"a,b\n1,\x002\n")
    with pytest.raises(DataError, match="binary"):
        read_bytes(f)
    with pytest.raises(DataError, match="NUL"):
        read_bytes(str(tmp_path / "a\x00b.csv"))
    g = tmp_path / "link.csv"
    g.symlink_to(tmp_path / "nowhere.csv")
    with pytest.raises(DataError, match="link to nowhere"):
        read_bytes(g)
    with pytest.raises(UsageError):
        limits.check_seed(-1)


@pytest.mark.parametrize(
    ("table", "exporter", "field"),
    [("wiod2011", "VNM", "tariffs[0].exporters[0]"), ("icio2022", "ROW", None), ("wiod2011", "CHN", None)],
)
def test_validate_checks_the_regions_of_the_multi_sector_table(tmp_path, table, exporter, field):
    """`validate` refuses what `run` refuses: a region the dataset has but the input-output table has not
    (Viet Nam is not a WIOD 2011 region), naming the field; regions both have pass both."""
    f = tmp_path / "io.toml"
    f.write_text(
        f'name = "io-regions"\ncountry = "MEX"\nmodel = "ge-io"\nio_table = "{table}"\n'
        f'[[tariffs]]\nimporter = "USA"\nexporters = ["{exporter}"]\nrate = 0.25\n',
        encoding="utf-8",
    )
    if field is None:
        assert run_cli(["validate", str(f)], tmp_path)[0] == 0
        return
    for cmd in (["validate", str(f)], ["run", str(f), "--draws", "0"]):
        _one_line_error(cmd, tmp_path, field, f"not among the regions of input-output table {table}")
