"""CLI wiring of `tariffsim report` and `tariffsim sweep` (the files themselves: test_report.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tariffsim.cli.main import main as cli_main


def test_report_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "keep.txt").write_text("mine")
    assert cli_main(["report", "mex25", "--out", str(tmp_path), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "--force" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("grid", ["0:0.5", "-0.1:0.2:0.1", "x"])
def test_sweep_bad_grid_is_a_user_error(tmp_path, capsys, grid):
    assert cli_main(["sweep", "mex25", f"--tariff={grid}", "--out", str(tmp_path / "s"), "-q"]) == 2
    assert "--tariff" in capsys.readouterr().err
    assert not (tmp_path / "s").exists()


@pytest.mark.slow
def test_sweep_writes_the_grid(tmp_path, capsys):
    out = tmp_path / "s"
    assert (
        cli_main(
            [
                "sweep",
                "mex25",
                "--tariff",
                "0:0.5:0.25",
                "--elasticities",
                "low,central",
                "--out",
                str(out),
                "--paths",
                "2000",
                "-q",
                "--formats",
                "png",
            ]
        )
        == 0
    )
    df = pd.read_csv(out / "sweep.csv")
    assert set(df.elasticity_set) == {"low", "central"} and sorted(df.rate.unique()) == [0.0, 0.25, 0.5]
    for stem in ("gdp_heatmap", "recession_curve"):
        assert (out / f"{stem}.png").is_file()
        assert not (out / f"{stem}.svg").exists() and not (out / f"{stem}.pdf").exists()  # --formats png


# ----------------------------------------------------------------------------- experiments from the CLI


def _json(capsys, argv) -> dict:
    import json

    assert cli_main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_run_rate_override_is_labelled_and_differs(capsys):
    """`run mex25 --rate 0.10 --json` is the 10 % case: renamed, described as 10 %, and a smaller
    loss than 25 % (the loss grows with the tariff)."""
    base = _json(capsys, ["run", "mex25", "--json", "--draws", "0", "--paths", "2000"])
    ten = _json(capsys, ["run", "mex25", "--rate", "0.10", "--json", "--draws", "0", "--paths", "2000"])
    assert base["scenario"] == "mex25"
    assert ten["scenario"].startswith("mex25@") and "rate=0.1" in ten["scenario"]
    assert "10 %" in ten["description"] and "25 %" not in ten["description"].split("(derived")[0]
    assert base["gdp_impact_pct"] < ten["gdp_impact_pct"] < 0
    assert ten["provenance"]["scenario"] == ten["scenario"]


def test_run_other_overrides(capsys):
    argv = ["run", "mex25", "--json", "--draws", "0", "--paths", "2000"]
    ex = _json(capsys, [*argv, "--exempt-share", "0.49"])
    h8 = _json(capsys, [*argv, "--horizon", "8"])
    ret = _json(capsys, [*argv, "--retaliation-rate", "0.25"])
    base = _json(capsys, argv)
    assert "exempt_share=0.49" in ex["scenario"] and ex["gdp_impact_pct"] > base["gdp_impact_pct"]
    assert len(h8["gdp_path"]) == 8 and "horizon=8" in h8["scenario"]
    assert "retaliation_rate=0.25" in ret["scenario"] and ret["gdp_impact_pct"] < base["gdp_impact_pct"]


@pytest.mark.parametrize("argv", [["--rate", "-0.1"], ["--exempt-share", "1.5"], ["--horizon", "0"]])
def test_bad_override_is_a_user_error(capsys, argv):
    assert cli_main(["run", "mex25", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tariffsim: error:") and err.count("\n") == 1


def test_validate_accepts_builtin_names(capsys):
    assert cli_main(["validate", "mex25"]) == 0
    assert "valid scenario 'mex25'" in capsys.readouterr().out
    assert cli_main(["validate", "no-such-scenario"]) == 2
    assert "no-such-scenario" in capsys.readouterr().err


# ----------------------------------------------------------------------------- progress and feedback


class _TTY:
    """A stderr that says it is a terminal."""

    def __init__(self):
        import io

        self.buf = io.StringIO()

    def write(self, s):
        return self.buf.write(s)

    def flush(self):
        pass

    def isatty(self):
        return True


SWEEP = ["sweep", "mex25", "--tariff", "0,0.25", "--elasticities", "central", "--paths", "500", "--formats", "png"]


@pytest.mark.slow
def test_progress_on_a_terminal_quiet_when_piped(tmp_path, capsys, monkeypatch):
    # piped (pytest's capture is not a terminal): no progress bar, and the last line says where
    assert cli_main([*SWEEP, "--out", str(tmp_path / "a")]) == 0
    cap = capsys.readouterr()
    assert "[" not in cap.err and cap.err == ""
    assert str(tmp_path / "a") in cap.out and "sweep.csv" in cap.out
    # on a terminal: the bar, redrawn in place
    tty = _TTY()
    monkeypatch.setattr("sys.stderr", tty)
    assert cli_main([*SWEEP, "--out", str(tmp_path / "b")]) == 0
    assert "\r" in tty.buf.getvalue() and "4/4 finish" in tty.buf.getvalue()
    # --quiet: silence on success (README: "--quiet for silence"), on the terminal and on stdout
    capsys.readouterr()
    tty2 = _TTY()
    monkeypatch.setattr("sys.stderr", tty2)
    assert cli_main([*SWEEP, "--out", str(tmp_path / "c"), "--quiet"]) == 0
    assert tty2.buf.getvalue() == ""
    assert capsys.readouterr().out == ""
    assert (tmp_path / "c" / "sweep.csv").is_file()


@pytest.mark.slow
def test_verbose_logs_each_step(tmp_path, capsys, caplog):
    import logging

    try:
        assert cli_main([*SWEEP, "--out", str(tmp_path / "v"), "--verbose"]) == 0
        steps = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        caplog.clear()
        assert cli_main([*SWEEP, "--out", str(tmp_path / "q"), "--quiet"]) == 0
        quiet = [r for r in caplog.records if r.levelno < logging.ERROR]
    finally:
        logging.getLogger("tariffsim").setLevel(logging.NOTSET)
    assert "report: tariff sweep" in steps and "report: finish" in steps
    assert quiet == []
    capsys.readouterr()


# ----------------------------------------------------------------------------- report, compare, dask


@pytest.mark.slow
def test_report_model_ge_and_derived_rate(tmp_path, capsys):
    """`report mex25 --model ge --rate 0.10` writes a GE report of the 10 % case."""
    import json

    out = tmp_path / "ge"
    argv = ["report", "mex25", "--model", "ge", "--rate", "0.10", "--out", str(out), "--formats", "png"]
    argv += ["--draws", "0", "--paths", "1000", "--tariff", "0,0.25", "--elasticities", "central,low"]
    assert cli_main(argv) == 0
    msg = capsys.readouterr().out
    assert str(out / "report.html") in msg and "report.xlsx" in msg
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["run"]["model"] == "ge" and "rate=0.1" in prov["run"]["scenario"]
    assert set(prov["run"]["by_elasticity_set"]) == {"central", "low"}
    assert (out / "figures/ge_welfare.png").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "general-equilibrium" in page and "10 %" in page
    assert pd.read_excel(out / "report.xlsx", sheet_name="summary").shape[0] == 2


@pytest.mark.slow
def test_compare_command_writes_everything(tmp_path, capsys):
    out = tmp_path / "cmp"
    argv = ["compare", "mex25", "mex25-usmca", "--model", "pe,ge", "--out", str(out), "--formats", "png"]
    assert cli_main([*argv, "--draws", "0", "--paths", "1000"]) == 0
    msg = capsys.readouterr().out
    assert str(out / "compare.html") in msg
    for f in ("compare.html", "compare.xlsx", "tables/comparison.csv", "figures/compare_gdp_paths.png"):
        assert (out / f).is_file(), f
    wide = pd.read_csv(out / "tables/comparison.csv")
    assert len(wide) == 4 and set(wide.Model) == {"PE", "GE"}
    assert cli_main(["compare", "mex25", "--model", "xx", "--out", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists()


@pytest.mark.slow
def test_dask_workers_give_the_in_process_numbers(tmp_path, capsys):
    """`sweep --workers 2` (a local dask cluster started and closed by the command) writes the same
    grid as the in-process run."""
    pytest.importorskip("dask.distributed")
    base = [*SWEEP, "--paths", "800"]
    assert cli_main([*base, "--out", str(tmp_path / "local")]) == 0
    assert cli_main([*base, "--out", str(tmp_path / "dask"), "--workers", "2"]) == 0
    capsys.readouterr()
    for f in ("sweep.csv", "elasticity_grid.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "dask" / f), pd.read_csv(tmp_path / "local" / f))


def _untimed(o):
    if isinstance(o, dict):
        return {k: _untimed(v) for k, v in o.items() if k != "seconds"}
    if isinstance(o, list):
        return [_untimed(v) for v in o]
    return o


@pytest.mark.slow
def test_dask_scheduler_address_and_compare(tmp_path, capsys):
    """`--scheduler ADDRESS` connects to an existing cluster; compare through it equals in-process."""
    distributed = pytest.importorskip("dask.distributed")
    from tariffsim.outputs.comparison import compare

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=":0"
    ) as lc:
        with distributed.Client(lc) as client:
            remote = compare(["mex25", "mex25-usmca"], draws=0, n_paths=1000, scheduler=client)
        out = tmp_path / "s"
        assert cli_main([*SWEEP, "--out", str(out), "--scheduler", lc.scheduler_address]) == 0
    local = compare(["mex25", "mex25-usmca"], draws=0, n_paths=1000)
    pd.testing.assert_frame_equal(remote.table, local.table)
    assert _untimed(remote.runs) == _untimed(local.runs)  # every number but the solvers' wall times
    assert cli_main([*SWEEP, "--out", str(tmp_path / "l")]) == 0
    capsys.readouterr()
    pd.testing.assert_frame_equal(pd.read_csv(out / "sweep.csv"), pd.read_csv(tmp_path / "l" / "sweep.csv"))
