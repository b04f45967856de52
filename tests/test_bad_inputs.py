"""Hostile input never crashes the program (issue 11).

A corpus of malformed, extreme and adversarial inputs (files, scenario TOML, every CLI flag,
output paths, interrupts) run against :func:`tariffsim.cli.main.main` in-process. Every case must end
with exit code 2, exactly one line on stderr (``tariffsim: error: ...``) that names the flag, field
or file at fault, nothing on stdout, and the working folder exactly as it was (no output, no
temporary file). A hypothesis test feeds random argument lists and accepts only such one-line
errors or success. Interrupts (Ctrl-C) exit with 130 and leave no partial output.

The corpus files are written by :func:`_corpus` below into a temporary folder; no shared data.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import GOOD_TOML, run_cli, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tariffsim import limits
from tariffsim.cli.main import main
from tariffsim.errors import DataError, LimitError, OutputPathError, ScenarioError, TariffSimError, UsageError
from tariffsim.outputs.files import atomic_write_text, check_output_dir, check_output_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# ============================================================================= the corpus files


def _write(root: Path, name: str, data: str | bytes) -> Path:
    p = root / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(data, encoding="utf-8")
    return p


def _corpus(root: Path) -> Path:
    """Every bad input file of the corpus, in ``root/in`` (outputs go to ``root/out``)."""
    inp = root / "in"
    inp.mkdir()
    (root / "out").mkdir()
    w = lambda name, data: _write(inp, name, data)  # noqa: E731
    # --- scenario TOML
    w("good.toml", GOOD_TOML)
    w("bom.toml", b"\xef\xbb\xbf" + GOOD_TOML.encode())
    w("utf16.toml", GOOD_TOML.encode("utf-16"))
    w("latin1.toml", GOOD_TOML.replace('"hostile"', '"hostile"\ndescription = "caf\xe9"').encode("latin-1"))
    w("nul.toml", GOOD_TOML.encode() + b"\x00\x00garbage")
    w("random.toml", bytes(range(256)) * 4)
    w("deep_array.toml", "a = " + "[" * 50_000 + "]" * 50_000 + "\n" + GOOD_TOML)
    w("deep_table.toml", "a = " + "{b = " * 5_000 + "1" + "}" * 5_000 + "\n")
    w("deep_ok_parse.toml", GOOD_TOML + "[assumptions]\nx = " + "[" * 40 + "]" * 40 + "\n")
    w("invalid.toml", 'name = "x\n[[tariffs]\n')
    w("empty.toml", "")
    w("big.toml", GOOD_TOML + ("# padding\n" * 120_000))
    (inp / "folder.toml").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(inp / "fifo.toml")
    w("no_name.toml", GOOD_TOML.replace('name = "hostile"\n', ""))
    w("unknown_key.toml", GOOD_TOML + "colour = 1\n")
    w("rate_nan.toml", GOOD_TOML.replace("rate = 0.25", "rate = nan"))
    w("rate_inf.toml", GOOD_TOML.replace("rate = 0.25", "rate = inf"))
    w("rate_percent.toml", GOOD_TOML.replace("rate = 0.25", "rate = 25"))
    w("horizon_big.toml", GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\nhorizon = 100000\n'))
    w("seed_neg.toml", GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\nseed = -1\n'))
    w("draws_huge.toml", GOOD_TOML + "[uncertainty]\ndraws = 1000000000\n")
    w("paths_huge.toml", GOOD_TOML + "[uncertainty]\nn_paths = 1000000000000\n")
    w("name_int.toml", GOOD_TOML.replace('name = "hostile"', "name = 5"))
    w("tariffs_table.toml", 'name = "x"\ntariffs = 3\n')
    w("country_unknown.toml", GOOD_TOML.replace('exporters = ["MEX"]', 'exporters = ["ATLANTIS"]'))
    w("dataset_folder.toml", GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\ndataset = "csvdir.csv"\n'))
    (inp / "csvdir.csv").mkdir()
    w("dataset_missing.toml", GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\ndataset = "nowhere.csv"\n'))
    w("dataset_binary.toml", GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\ndataset = "binary.csv"\n'))
    w("dataset_format.toml", GOOD_TOML.replace('country = "MEX"\n', 'country = "MEX"\ndataset = {format = "xls"}\n'))
    # --- matrix layout (from the 3-country fixture)
    trade = (FIXTURES / "matrix3" / "trade.csv").read_text()
    labels = (FIXTURES / "matrix3" / "labels.csv").read_text()
    gdp = (FIXTURES / "matrix3" / "gdp.csv").read_text()
    w("trade.csv", trade)
    w("labels.csv", labels)
    w("gdp.csv", gdp)
    w("trade_latin1.csv", trade.replace("250.5", "25\xe90").encode("latin-1"))
    w("trade_nul.csv", trade.encode() + b"\x00\x01\x02")
    w("trade_utf16.csv", trade.encode("utf-16"))
    w("binary.csv", bytes(range(256)) * 64)
    w("trade_ragged.csv", trade.replace(",1500,250.5", ",1500"))
    w("trade_text.csv", trade.replace("1500", "lots"))
    w("trade_negative.csv", trade.replace("1500", "-1500"))
    w("trade_inf.csv", trade.replace("1500", "inf"))
    w("trade_huge.csv", trade.replace("1500", "1e308"))
    w("trade_short.csv", "\n".join(trade.splitlines()[:2]) + "\n")
    w("empty.csv", "")
    w("labels_dup.csv", labels.replace("MEX,2,Mexico", "USA,2,United States"))
    w("labels_huge.csv", "iso3\n" + "USA\n" * (limits.MAX_COUNTRIES + 1))
    w("labels_nocol.csv", labels.replace("iso3", "code"))
    w("gdp_negative.csv", gdp.replace("1800000000", "-1"))
    w("gdp_short.csv", "gdp\n1\n")
    # --- long CSV
    long = (FIXTURES / "long_flows.csv").read_text()
    w("long.csv", long)
    w("long_nocol.csv", long.replace("value", "amount"))
    lines = long.splitlines()
    w("long_dup.csv", "\n".join([*lines, lines[1]]) + "\n")
    w("long_country.csv", long.replace("Mexico", "Narnia"))
    w("long_huge.csv", long.replace("135.4", "1e300"))
    # --- BACI
    baci = (FIXTURES / "baci_sample.csv").read_text()
    codes = (FIXTURES / "baci_country_codes.csv").read_text()
    w("baci.csv", baci)
    w("codes.csv", codes)
    w("baci_year_float.csv", baci.replace("2023,", "2023.5,", 1))
    w("baci_year_text.csv", baci.replace("2023,", "last year,", 1))
    w("codes_dup.csv", codes + "484,Mexico again,MX,USA\n")
    w("codes_missing.csv", "\n".join(x for x in codes.splitlines() if not x.startswith("124")) + "\n")
    w("baci_hs.csv", baci.replace("870323", "xx0323", 1))
    # --- quarterly GDP for calibrate
    rows = ["date,gdp"] + [
        f"{y}Q{q},{100 + (y - 1990) * 4 + q + (q % 2)}" for y in range(1990, 2022) for q in (1, 2, 3, 4)
    ]
    w("qgdp.csv", "\n".join(rows) + "\n")
    w("qgdp_const.csv", "\n".join(["date,gdp"] + [f"{y}Q{q},100" for y in range(1990, 2022) for q in (1, 2, 3, 4)]))
    w("qgdp_text.csv", "date,gdp\n1990Q1,a\n1990Q2,b\n")
    # --- outputs
    w("a_file", "I am a file\n")
    (root / "out" / "full").mkdir()
    _write(root / "out" / "full", "keep.txt", "mine\n")
    (inp / "emptydir").mkdir()
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _corpus(tmp_path_factory.mktemp("hostile"))


def _assert_one_line_error(rc: int, out: str, err: str, expect: tuple[str, ...]) -> None:
    assert rc == 2, (rc, err)
    assert err.endswith("\n") and err.count("\n") == 1, f"expected one line on stderr, got {err!r}"
    assert err.startswith("tariffsim: error: "), err
    assert "Traceback" not in err
    for e in expect:
        assert e.lower() in err.lower(), f"{e!r} not named in {err!r}"
    assert out == "", out


# ============================================================================= the cases

IN = "in/"  # corpus inputs, relative to the corpus root (the working directory of each case)
OUT = "out/"
DATA_CMDS = ("run", "report", "sweep", "compare")


def _cases() -> list[tuple[str, list[str], tuple[str, ...]]]:
    c: list[tuple[str, list[str], tuple[str, ...]]] = []

    def add(argv: list[str], *expect: str, id: str | None = None) -> None:
        c.append((id or " ".join(argv)[:80], argv, expect))

    def out_args(cmd: str) -> list[str]:
        return {
            "run": [],
            "report": ["--out", OUT + "r"],
            "sweep": ["--out", OUT + "s", "--tariff", "0,0.1"],
            "compare": ["--out", OUT + "c"],
        }[cmd]

    # --- argparse: one line, never the usage block
    add(["bogus"], "bogus")
    add(["run"], "scenario")
    add(["run", "mex25", "--nope"], "--nope")
    add(["run", "mex25", "--model", "xx"], "--model")
    add(["run", "mex25", "--method", "xx"], "--method")
    add(["report", "mex25"], "--out")
    add(["sweep", "mex25"], "--out")  # --tariff has the report's default grid; --out is required
    add(["compare", "--out", OUT + "c"], "scenarios")
    add(["report", "mex25", "--out", OUT + "r", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler")
    add(["calibrate"], "gdp_csv")
    add(["replicate", "ilms2025"], "--data-dir")
    add(["calibrate", IN + "qgdp.csv", "--kind", "xx"], "--kind")
    add(["calibrate", IN + "qgdp.csv", "--innovations", "cauchy"], "--innovations")
    add(["data", "info", "surplus"], "surplus")
    add(["validate"], "file")
    add(["scenarios", "--json", "extra"], "extra")
    add(["run", "mex25", "--paths"], "--paths")
    # --- numeric flags, on every command that takes them
    for cmd in DATA_CMDS:
        scen = ["mex25"]
        base = [cmd, *scen, *out_args(cmd)]
        for v in ("0", "-5", "1.5", "x", "99", "1e12", "nan", ""):
            add([*base, "--paths", v], "--paths")
        if cmd != "sweep":
            for v in ("-1", "x", "1e9", "0.5"):
                add([*base, "--draws", v], "--draws")
        for v in ("0", "3", "81", "x", "-4"):
            add([*base, "--horizon", v], "--horizon")
        for v in ("nan", "inf", "-0.1", "11", "x"):
            add([*base, "--rate", v], "--rate")
        for v in ("1.5", "-0.1", "nan"):
            add([*base, "--exempt-share", v], "--exempt-share")
        for v in ("-1", "nan", "1e9"):
            add([*base, "--retaliation-rate", v], "--retaliation-rate")
        if cmd != "run":
            for v in ("0", "-1", "x", "1000"):
                add([*base, "--workers", v], "--workers")
            for v in ("not an address", "http://x"):
                add([*base, "--scheduler", v], "--scheduler")
        if cmd in ("report", "compare"):
            for v in ("jpg", "", ",", "png,gif"):
                add([*base, "--formats", v], "--formats")
    for v in ("-1", "x", str(2**70), "1.5"):
        add(["run", "mex25", "--seed", v], "--seed")
    # paths x horizon over the Monte Carlo limit (both valid alone)
    add(["run", "mex25", "--paths", "10000000", "--horizon", "80"], "--paths", "limit")
    # --- tariff grids
    for g in (
        "nan,0.1",
        "0:10:1e-7",
        "0:1e9:1e-9",
        "0:0.5",
        "x",
        "-0.1:0.2:0.1",
        "0:1:0",
        "inf",
        "",
        "0:0.5:0.05:1",
        "11",
        "0:1:1e-320",
    ):
        add(["sweep", "mex25", "--out", OUT + "s", f"--tariff={g}"], "--tariff")
        if g in ("nan,0.1", "0:10:1e-7", "x"):
            add(["report", "mex25", "--out", OUT + "r", f"--tariff={g}"], "--tariff")
    # --- output locations
    for cmd in ("report", "sweep", "compare"):
        extra = {"report": [], "sweep": ["--tariff", "0,0.1"], "compare": []}[cmd]
        for bad, what in (
            ("/proc/tariffsim-out", "/proc"),
            ("/dev/null/x", "/dev/null"),
            (IN + "a_file/sub", "a_file"),
            (IN + "a_file", "a_file"),
            (".", "working directory"),
            ("..", "working directory"),
            (OUT + "full", "not empty"),
            ("", "--out"),
        ):
            add([cmd, "mex25", "--out", bad, *extra], "--out" if what != "not empty" else "full", what)
        add([cmd, "mex25", "--out", ".", "--force", *extra], "--out", "working directory")
    for bad, what in (
        (IN + "emptydir", "folder"),
        ("/proc/x.json", "/proc"),
        ("/dev/null/x", "/dev/null"),
        (IN + "a_file/x.json", "a_file"),
        (".", "working directory"),
        ("/dev/null", "regular file"),
    ):
        add(["calibrate", IN + "qgdp.csv", "--out", bad], "--out", what)
        add(["replicate", "ilms2025", "--data-dir", IN + "emptydir", "--out", bad], "--out", what)
    # --- calibrate flags and inputs
    for flag, v in (
        ("--start", "tomorrow"),
        ("--end", "2019Q5"),
        ("--start", "1700Q1"),
        ("--start", "2019-02-30"),
        ("--exclude", "2010Q3:2010Q1"),
        ("--exclude", "x"),
        ("--exclude", "2010Q1:2010Q2:2010Q3"),
    ):
        add(["calibrate", IN + "qgdp.csv", flag, v], flag)
    add(["calibrate", IN + "qgdp.csv", "--start", "2020Q1", "--end", "2010Q1"], "--start", "--end")
    add(["calibrate", IN + "qgdp.csv", "--start", "2030Q1", "--end", "2040Q1"], "qgdp.csv")
    add(["calibrate", IN + "qgdp_const.csv"], "qgdp_const.csv")
    add(["calibrate", IN + "qgdp_text.csv"], "qgdp_text.csv")
    add(["calibrate", IN + "nowhere.csv"], "nowhere.csv")
    add(["calibrate", IN + "emptydir"], "emptydir", "folder")
    add(["calibrate", IN + "binary.csv"], "binary.csv")
    add(["calibrate", "/dev/zero"], "/dev/zero")
    # --- replicate
    add(["replicate", "nosuchstudy", "--data-dir", IN + "emptydir"], "nosuchstudy")
    add(["replicate", "ilms2025", "--data-dir", IN + "nowhere"], "--data-dir", "nowhere")
    add(["replicate", "ilms2025", "--data-dir", IN + "a_file"], "--data-dir", "a_file")
    add(["replicate", "ilms2025", "--data-dir", IN + "emptydir"], "emptydir")
    add(["replicate", "ilms2025", "--data-dir", IN + "emptydir", "--case", "nonsense"], "nonsense")
    # --- scenarios: names, folders, files
    scen_cases = {
        "bom.toml": "byte-order mark",
        "utf16.toml": "utf-16",
        "latin1.toml": "utf-8",
        "nul.toml": "binary",
        "random.toml": "random.toml",
        "deep_array.toml": "nested",
        "deep_table.toml": "nested",
        "deep_ok_parse.toml": "nested",
        "invalid.toml": "toml",
        "empty.toml": "name",
        "big.toml": "limit",
        "folder.toml": "folder",
        "no_name.toml": "name",
        "unknown_key.toml": "colour",
        "rate_nan.toml": "rate",
        "rate_inf.toml": "rate",
        "rate_percent.toml": "rate",
        "horizon_big.toml": "horizon",
        "seed_neg.toml": "seed",
        "draws_huge.toml": "draws",
        "paths_huge.toml": "n_paths",
        "name_int.toml": "name",
        "tariffs_table.toml": "tariffs",
        "country_unknown.toml": "ATLANTIS",
        "dataset_format.toml": "format",
        "nowhere.toml": "not found",
    }
    if hasattr(os, "mkfifo"):
        scen_cases["fifo.toml"] = "regular file"
    for name, what in scen_cases.items():
        add(["run", IN + name, "--paths", "100", "--draws", "0"], name, what)
    for name, csv_name, what in (  # the data file the scenario names is the file at fault
        ("dataset_folder.toml", "csvdir.csv", "folder"),
        ("dataset_missing.toml", "nowhere.csv", "not found"),
        ("dataset_binary.toml", "binary.csv", "binary"),
    ):
        add(["run", IN + name, "--paths", "100", "--draws", "0"], csv_name, what)
    for name in ("bom.toml", "deep_array.toml", "folder.toml", "latin1.toml"):
        add(["validate", IN + name], name)
        add(["report", IN + name, "--out", OUT + "r"], name)
    for name in (".", "..", "in", "nosuch", "", " ", "a" * 300, "in/good.toml/x"):
        add(["run", name], id=f"run scenario {name[:20]!r}")
    add(["compare", "mex25", IN + "bom.toml", "--out", OUT + "c"], "bom.toml")
    add(["run", "mex25", "--elasticities", ","], "--elasticities")
    add(["run", "mex25", "--elasticities", "nosuchset"], "nosuchset")
    add(["compare", "mex25", "--model", "pe,xx", "--out", OUT + "c"], "--model")
    # --- data files through data info
    for m, lab, named, what in (
        ("csvdir.csv", "labels.csv", "csvdir.csv", "folder"),
        ("trade.csv", "emptydir", "emptydir", "folder"),
        ("trade_latin1.csv", "labels.csv", "trade_latin1.csv", "utf-8"),
        ("trade_nul.csv", "labels.csv", "trade_nul.csv", "binary"),
        ("trade_utf16.csv", "labels.csv", "trade_utf16.csv", "utf-16"),
        ("binary.csv", "labels.csv", "binary.csv", "binary"),
        ("trade_ragged.csv", "labels.csv", "trade_ragged.csv", "row 2"),
        ("trade_text.csv", "labels.csv", "trade_text.csv", "lots"),
        ("trade_negative.csv", "labels.csv", "trade_negative.csv", "negative"),
        ("trade_inf.csv", "labels.csv", "trade_inf.csv", "non-finite"),
        ("trade_short.csv", "labels.csv", "trade_short.csv", "rows"),
        ("empty.csv", "labels.csv", "empty.csv", "empty"),
        ("trade.csv", "labels_dup.csv", "labels_dup.csv", "duplicated"),
        ("trade.csv", "labels_huge.csv", "labels_huge.csv", "limit"),
        ("trade.csv", "labels_nocol.csv", "labels_nocol.csv", "iso3"),
        ("trade.csv", "binary.csv", "binary.csv", "binary"),
        ("nowhere.csv", "labels.csv", "nowhere.csv", "not found"),
    ):
        add(["data", "info", "--matrix", IN + m, "--labels", IN + lab], named, what)
    add(["data", "info", "--matrix", "/dev/zero", "--labels", IN + "labels.csv"], "/dev/zero", "regular file")
    add(
        ["data", "info", "--matrix", IN + "trade.csv", "--labels", IN + "labels.csv", "--gdp", IN + "gdp_negative.csv"],
        "gdp_negative.csv",
    )
    add(
        ["data", "info", "--matrix", IN + "trade.csv", "--labels", IN + "labels.csv", "--gdp", IN + "gdp_short.csv"],
        "gdp_short.csv",
    )
    add(
        ["data", "info", "--matrix", IN + "trade.csv", "--labels", IN + "labels.csv", "--gdp", IN + "emptydir"],
        "emptydir",
        "folder",
    )
    add(
        ["data", "info", "--matrix", IN + "trade.csv", "--labels", IN + "labels.csv", "--units", "furlongs"], "furlongs"
    )
    add(["data", "info", "--matrix", IN + "trade.csv"], "--labels")
    add(["data", "info", "--baci", IN + "baci.csv"], "--country-codes")
    add(
        ["data", "info", "--baci", IN + "baci_year_float.csv", "--country-codes", IN + "codes.csv"],
        "baci_year_float.csv",
        "2023.5",
    )
    add(
        ["data", "info", "--baci", IN + "baci_year_text.csv", "--country-codes", IN + "codes.csv"],
        "baci_year_text.csv",
        "year",
    )
    add(
        ["data", "info", "--baci", IN + "baci.csv", "--country-codes", IN + "codes_dup.csv"],
        "codes_dup.csv",
        "484",
        "twice",
    )
    add(["data", "info", "--baci", IN + "baci.csv", "--country-codes", IN + "codes_missing.csv"], "124")
    add(["data", "info", "--baci", IN + "baci_hs.csv", "--country-codes", IN + "codes.csv"], "xx0323")
    add(["data", "info", "--baci", IN + "baci.csv", "--country-codes", IN + "emptydir"], "emptydir", "folder")
    add(["data", "info", "--baci", IN + "binary.csv", "--country-codes", IN + "codes.csv"], "binary.csv")
    add(["data", "info", "--long", IN + "long_nocol.csv"], "long_nocol.csv", "value")
    add(["data", "info", "--long", IN + "long_dup.csv"], "long_dup.csv", "duplicated")
    add(["data", "info", "--long", IN + "long_country.csv"], "long_country.csv", "Narnia")
    add(["data", "info", "--long", IN + "binary.csv"], "binary.csv")
    add(["data", "info", "--long", "/dev/zero"], "/dev/zero")
    add(["data", "info", "--long", IN + "emptydir"], "emptydir", "folder")
    add(["data", "info", "--long", IN + "long.csv", "--gdp", IN + "binary.csv"], "binary.csv")
    add(["data", "info", "--long", IN + "long_huge.csv"], "long_huge.csv", "not a trade flow")
    add(["data", "info", "--matrix", IN + "trade_huge.csv", "--labels", IN + "labels.csv"], "trade_huge.csv", "row 2")
    add(["run", "mex25", "--draws", str(limits.MAX_DRAWS + 1)], "--draws", "limit")
    add(["compare", *["mex25"] * (limits.MAX_COMPARE_RUNS + 1), "--out", OUT + "c"], "scenarios", "limit")
    add(["data", "info", "--dataset", "nosuch"], "nosuch")
    add(["data", "info", "--dataset", "../../etc"], "../../etc")
    return c


CASES = _cases()


def test_the_corpus_is_large():
    assert len(CASES) >= 100
    assert len({cid for cid, _, _ in CASES}) >= 100


@pytest.mark.parametrize(("argv", "expect"), [pytest.param(a, e, id=i) for i, a, e in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(corpus, argv, expect):
    before = snapshot(corpus)
    rc, out, err = run_cli(argv, corpus)
    _assert_one_line_error(rc, out, err, expect)
    assert snapshot(corpus) == before, "the bad input changed the working folder"


# ============================================================================= valid inputs still work


def test_valid_run_still_works(corpus):
    rc, out, err = run_cli(["run", "in/good.toml", "--paths", "200", "--draws", "0", "--json"], corpus)
    assert rc == 0, err
    assert '"scenario"' in out


def test_calibrate_out_writes_one_file_atomically(corpus, tmp_path):
    out = tmp_path / "deep" / "cal.json"
    rc, stdout, err = run_cli(["calibrate", str(corpus / "in" / "qgdp.csv"), "--out", str(out)], corpus)
    assert rc == 0, err
    assert out.is_file() and out.read_text().startswith("{")
    assert sorted(p.name for p in out.parent.iterdir()) == ["cal.json"]  # no temporary file left


def test_matrix_with_a_bom_is_read(corpus, tmp_path):
    """A UTF-8 byte-order mark in a CSV (Excel writes one) is not an error: only TOML forbids it."""
    m = tmp_path / "trade_bom.csv"
    m.write_bytes(b"\xef\xbb\xbf" + (corpus / "in" / "trade.csv").read_bytes())
    rc, out, err = run_cli(["data", "info", "--matrix", str(m), "--labels", "in/labels.csv", "--json"], corpus)
    assert rc == 0, err
    assert '"USA"' in out


# ============================================================================= the library raises the same errors


def test_library_entry_points_check_limits_before_allocating():
    from tariffsim import simulate
    from tariffsim.engine.uncertainty import parse_grid, sweep

    with pytest.raises(LimitError, match="n_paths"):
        simulate("mex25", n_paths=10**9)
    with pytest.raises(LimitError, match="draws"):
        simulate("mex25", draws=10**9)
    with pytest.raises(UsageError, match="seed"):
        simulate("mex25", seed=-1)
    with pytest.raises(LimitError, match="points"):
        parse_grid("0:10:1e-7")
    with pytest.raises(LimitError):
        sweep("mex25", [0.1] * (limits.MAX_GRID_POINTS + 1), ["central"], n_paths=100)
    with pytest.raises(UsageError, match="n_paths"):
        sweep("mex25", [0.1], ["central"], n_paths=0)


def test_limit_checks_name_the_field():
    with pytest.raises(LimitError, match="--paths.*1,500,000"):
        limits.check_monte_carlo(2_000_000, 0, 80, fields=("--paths", "--draws", "--horizon"))
    limits.check_monte_carlo(1_500_000, 0, 80)  # exactly at the limit
    with pytest.raises(UsageError, match="whole number"):
        limits.check_paths(True)
    with pytest.raises(LimitError, match="countries"):
        limits.check_matrix(limits.MAX_COUNTRIES + 1, source="x.csv")
    with pytest.raises(LimitError, match="cells"):
        limits.check_matrix(500, 100)
    deep: list = []
    for _ in range(limits.MAX_TOML_DEPTH + 2):
        deep = [deep]
    with pytest.raises(ScenarioError, match="nested"):
        limits.check_toml_depth({"a": deep})


def test_loaders_raise_data_errors(corpus):
    from tariffsim.inputs.loaders import read_baci, read_matrix_csv

    i = corpus / "in"
    with pytest.raises(DataError, match="twice"):
        read_baci(i / "baci.csv", i / "codes_dup.csv")
    with pytest.raises(DataError, match="four-digit year"):
        read_baci(i / "baci_year_float.csv", i / "codes.csv")
    with pytest.raises(DataError, match="year must be a whole number"):
        read_baci(i / "baci.csv", i / "codes.csv", year="2023.0")
    with pytest.raises(DataError, match="folder"):
        read_matrix_csv(i / "csvdir.csv", i / "labels.csv")
    with pytest.raises(DataError, match="UTF-8"):
        read_matrix_csv(i / "trade_latin1.csv", i / "labels.csv")
    # the duplicated-code error is not a false alarm: the good file reads, with Mexico kept
    d = read_baci(i / "baci.csv", i / "codes.csv")
    assert "MEX" in d.countries and "USA" in d.countries


def test_output_checks(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f").write_text("x")
    for bad in (".", str(tmp_path), "f/x", "/dev/null/x", "/proc/x"):
        with pytest.raises(OutputPathError):
            check_output_dir(bad)
        with pytest.raises(OutputPathError):
            check_output_file(bad)
    with pytest.raises(OutputPathError, match="not a folder"):
        check_output_dir("f")
    (tmp_path / "d").mkdir()
    with pytest.raises(OutputPathError, match="is a folder"):
        check_output_file("d")
    assert check_output_file("new/deeper/x.json") == Path("new/deeper/x.json")
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_atomic_write_leaves_nothing_on_interrupt(tmp_path):
    from tariffsim.outputs.files import atomic_write

    target = tmp_path / "sub" / "x.txt"

    def boom(tmp: Path) -> None:
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, boom)
    assert list(tmp_path.iterdir()) == []  # neither the file, its temporary file nor the folder
    atomic_write_text(target, "whole\n")
    assert target.read_text() == "whole\n" and [p.name for p in target.parent.iterdir()] == ["x.txt"]
    atomic_write_text(target, "again\n")  # replaces a file
    assert target.read_text() == "again\n"


@pytest.mark.parametrize("command", ["calibrate", "replicate"])
def test_interrupted_file_writers_exit_130_and_leave_no_file(corpus, tmp_path, monkeypatch, command):
    """Ctrl-C while the output file is written: exit 130, no file and no temporary file."""
    import tariffsim.inputs.calibrations as calibration
    import tariffsim.replication.ilms2025 as replicate

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    if command == "calibrate":
        real = calibration.write_calibration

        def half_then_interrupt(cal, path, **kw):
            real(cal, path, **kw)
            raise KeyboardInterrupt

        monkeypatch.setattr(calibration, "write_calibration", half_then_interrupt)
        argv = ["calibrate", str(corpus / "in" / "qgdp.csv"), "--out", str(tmp_path / "cal.json")]
    else:
        monkeypatch.setattr(replicate, "replicate_ilms2025", interrupted)
        argv = ["replicate", "ilms2025", "--data-dir", str(tmp_path), "--out", str(tmp_path / "r.csv")]
    rc, out, err = run_cli(argv, corpus)
    assert rc == 130 and err == "tariffsim: interrupted\n"
    assert list(tmp_path.iterdir()) == []


# ============================================================================= random argument lists

# Per command: its positional arguments and flags (random runs mostly reach the command itself
# rather than failing in argparse), mixed with flags of other commands and arbitrary text.
POSITIONALS = ["mex25", "in/good.toml", "in/bom.toml", "in/deep_array.toml", "in/folder.toml", ".", "", "nosuch"]
COMMAND_ARGS = {
    "run": (POSITIONALS, ["--paths", "--draws", "--seed", "--horizon", "--rate", "--exempt-share",
                          "--retaliation-rate", "--elasticities", "--model", "--method", "--json"]),
    "validate": (POSITIONALS, ["--no-data"]),
    "report": (POSITIONALS, ["--paths", "--draws", "--horizon", "--rate", "--tariff", "--formats", "--workers",
                             "--scheduler", "--elasticities", "--model", "--force", "-q", "-v"]),
    "sweep": (POSITIONALS, ["--paths", "--tariff", "--elasticities", "--rate", "--workers", "--force", "-q"]),
    "compare": (POSITIONALS, ["--paths", "--draws", "--model", "--formats", "--elasticities", "--force"]),
    "calibrate": (["in/qgdp.csv", "in/qgdp_const.csv", "in/binary.csv", "in/emptydir", "/dev/zero"],
                  ["--start", "--end", "--exclude", "--column", "--kind", "--innovations", "--country", "--json"]),
    "replicate": (["ilms2025", "cp2015", "x"], ["--data-dir", "--case", "--json"]),
    "data": (["info"], ["--dataset", "--matrix", "--labels", "--gdp", "--long", "--baci", "--country-codes",
                        "--units", "--gdp-units", "--json"]),
    "scenarios": ([], ["--json"]),
    "backtest": (["china2018-prices", "nosuch", "in/good.toml", "in/bom.toml", ""],
                 ["--json", "--markdown", "--elasticities", "--out", "--force"]),
    "bogus": ([], []),
}  # fmt: skip
OTHER_FLAGS = ["--help", "--version", "--nope", "--out", "-vv"]
VALUES = [
    "0", "1", "3", "100", "-1", "1e9", "1e400", "nan", "inf", "-inf", "x", "", " ", "0.5", "1.5", "-0.1", "11",
    "10000000000", "0:0.5:0.25", "0:10:1e-9", "nan,0.1", "0,0.1", "png", "jpg", "pe", "ge", "central", "low", ",",
    "2000Q1", "2019Q4", "2010Q3:2010Q1", "tomorrow", "tcp://127.0.0.1:1", "mex25", "in/good.toml", "in/bom.toml",
    "info", "in/binary.csv", "in/trade.csv", "in/labels.csv", "in/labels_dup.csv", "in/baci.csv", "in/codes_dup.csv",
    "in/long.csv", "in/qgdp.csv", "in/emptydir", "in/a_file", "/dev/null", "/dev/zero", "/proc/x", ".", "..",
    "thousand USD", "furlongs", "MEX", "\u00e9\u00e8", "\U0001f600", "a" * 300, "--", "-",
]  # fmt: skip
# --out is only ever an unwritable or refused place: random runs never write anywhere.
OUTS = ["/proc/x", "/dev/null/x", "in/a_file/x", ".", "..", "in/a_file", "out/full", ""]

_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_value = st.one_of(st.sampled_from(VALUES), _text)


@st.composite
def _argv(draw) -> list[str]:
    cmd = draw(st.sampled_from(sorted(COMMAND_ARGS)))
    positionals, flags = COMMAND_ARGS[cmd]
    argv = [cmd]
    if positionals and draw(st.integers(0, 9)) > 0:
        argv.append(draw(st.one_of(st.sampled_from(positionals), _text)))
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.integers(0, 9))
        if kind <= 6 and flags:
            flag = draw(st.sampled_from(flags))
        elif kind == 7:
            flag = draw(st.sampled_from(OTHER_FLAGS))
        else:
            argv.append(draw(_value))  # a stray positional
            continue
        if flag == "--out":
            argv += [flag, draw(st.sampled_from(OUTS))]
        elif flag in ("--json", "--markdown", "--no-data", "--force", "-q", "-v", "-vv", "--help", "--version"):
            argv.append(flag)
        else:
            argv += [flag, draw(_value)]
    return argv


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(argv=_argv())
def test_random_argument_lists_give_success_or_one_line_errors(corpus, argv):
    # Keep the random runs small. The writers get an output place they must refuse; `run` starts
    # from 0 draws and 100 paths (random --draws/--paths given later override these, and the
    # value pool holds no valid value above 100).
    if argv[0] in ("report", "sweep", "compare") and "--out" not in argv:
        argv = [*argv, "--out", "/proc/x"]
    if argv[0] == "run":
        argv = ["run", "--draws", "0", "--paths", "100", *argv[1:]]
    before = snapshot(corpus)
    try:
        rc, out, err = run_cli(argv, corpus)
    except BaseException as exc:  # noqa: BLE001 - the property: nothing escapes main
        pytest.fail(f"main({argv!r}) raised {type(exc).__name__}: {exc}")
    assert rc in (0, 2), (argv, rc, err)
    if rc == 2:
        assert err.count("\n") == 1 and err.startswith("tariffsim: error: "), (argv, err)
    assert snapshot(corpus) == before, argv


class _FullDisk(io.StringIO):
    def write(self, s):
        raise OSError(28, "No space left on device")

    def flush(self):
        raise OSError(28, "No space left on device")


def test_a_full_standard_output_is_one_line(corpus):
    err = io.StringIO()
    with contextlib.chdir(corpus), contextlib.redirect_stdout(_FullDisk()), contextlib.redirect_stderr(err):
        rc = main(["scenarios"])
    assert rc == 2 and err.getvalue() == "tariffsim: error: standard output: cannot write (No space left on device)\n"


def test_every_error_class_is_a_tariffsim_error():
    for cls in (UsageError, LimitError, OutputPathError, DataError, ScenarioError):
        assert issubclass(cls, TariffSimError)


# ============================================================================= real interrupts (subprocess)


def _tariffsim() -> list[str]:
    exe = Path(sys.executable).with_name("tariffsim")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "tariffsim.cli.main"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["report", "mex25", "--paths", "200000", "--formats", "png"],
        ["sweep", "mex25", "--tariff", "0:0.5:0.01", "--paths", "100000"],
    ],
    ids=["report", "sweep"],
)
def test_sigint_exits_130_and_leaves_no_output(tmp_path, args):
    out = tmp_path / "result"
    proc = subprocess.Popen(
        [*_tariffsim(), *args, "--out", str(out), "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert proc.stderr is not None
    t0 = time.monotonic()
    while time.monotonic() - t0 < 60:  # wait until the work has started (first log line)
        line = proc.stderr.readline()
        if "INFO" in line or not line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    try:
        _, rest = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover - a hang is a failure
        proc.kill()
        pytest.fail("tariffsim did not stop after SIGINT")
    assert proc.returncode == 130, rest
    assert rest.strip().splitlines()[-1] == "tariffsim: interrupted"
    assert "Traceback" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "partial output or a temporary folder left behind"
    shutil.rmtree(tmp_path, ignore_errors=True)
