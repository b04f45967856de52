"""Figures (tariffsim.plots): every figure function renders without warnings on the built-in
scenarios, its axes carry labels with units, and the figure carries a title and a caption with
the sources. Warnings are errors in this suite, so a render warning fails the test.
"""

from __future__ import annotations

import io
import os
import re
import struct

os.environ.setdefault("MPLBACKEND", "Agg")  # plots uses Figure objects without pyplot; this is belt and braces

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tariffsim import plots  # noqa: E402
from tariffsim.simulation import simulate  # noqa: E402
from tariffsim.uncertainty import elasticity_grid, sweep, tornado  # noqa: E402

UNIT = re.compile(r"%|USD")
RESULT_FIGURES = ("gdp_by_set", "fan_chart", "export_losses_by_sector", "diversion_by_source", "gdp_path_chart")
#: figures where retaliation changes what is drawn (channels, sets, sources)
RETALIATION_FIGURES = ("gdp_by_set", "export_losses_by_sector", "diversion_by_source", "gdp_path_chart")


@pytest.fixture(scope="module")
def results():
    # few draws and paths: the figures need the structure, not the precision
    return {name: simulate(name, draws=20, n_paths=2000) for name in ("mex25", "mex25-retaliation")}


@pytest.fixture(scope="module")
def frames():
    out = {}
    for name in ("mex25", "mex25-retaliation"):
        sw = sweep(name, "0:0.5:0.125", n_paths=1000)
        sw.attrs["scenario"] = name
        grid = elasticity_grid(name, "0:0.5:0.125", [2.0, 4.0, 8.0])
        out[name] = {"sweep": sw, "grid": grid, "tornado": tornado(name)}
    return out


def render(fig: Figure) -> bytes:
    """Draw the figure completely (as PNG, low dpi for speed); warnings raise."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    return buf.getvalue()


def texts(fig: Figure) -> list[str]:
    """The figure-level texts (title, key message, caption), wrapped lines joined by spaces."""
    return [" ".join(t.get_text().split()) for t in fig.texts]


def check_figure(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    png = render(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    ft = texts(fig)
    # a title, and a caption naming the sources: data, elasticity sets or model
    assert any(t and not t.startswith("Sources") for t in ft), ft
    cap = [t for t in ft if "Sources:" in t]
    assert cap, f"no caption with sources in {ft}"
    assert "Model:" in cap[0]
    ax = fig.axes[0]
    assert ax.get_xlabel(), "x axis without a label"
    categorical = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert ax.get_ylabel() or categorical, "y axis without a label or categories"
    labels = [a.get_xlabel() for a in fig.axes] + [a.get_ylabel() for a in fig.axes]
    assert any(UNIT.search(lab) for lab in labels), f"no unit in the axis labels {labels}"


@pytest.mark.parametrize("name", RESULT_FIGURES)
def test_result_figures_render_mex25(results, name):
    r = results["mex25"]
    fig = getattr(plots, name)(r)
    check_figure(fig)
    cap = next(t for t in texts(fig) if "Sources:" in t)
    assert "US Census Bureau" in cap and "mex25" in cap and r.scenario.hash in cap


@pytest.mark.parametrize("name", RETALIATION_FIGURES)
def test_result_figures_render_retaliation(results, name):
    check_figure(getattr(plots, name)(results["mex25-retaliation"]))


def test_gdp_path_shows_the_retaliation_channels(results):
    fig = plots.gdp_path_chart(results["mex25-retaliation"])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("Retaliation" in t for t in legend) and any("Real income" in t for t in legend)
    # without retaliation the zero channels are left out of the legend
    legend0 = [t.get_text() for t in plots.gdp_path_chart(results["mex25"]).axes[0].get_legend().get_texts()]
    assert not any("Retaliation" in t for t in legend0)


@pytest.mark.parametrize("scenario", ["mex25", "mex25-retaliation"])
def test_frame_figures_render(results, frames, scenario):
    f = frames[scenario]
    r = results[scenario]
    check_figure(plots.recession_curve(f["sweep"], mark_rate=0.25, sources=r))
    check_figure(plots.gdp_heatmap(f["grid"], mark=(0.25, 4.0), sources=r))
    check_figure(plots.tornado_chart(f["tornado"], sources=r))


def test_frame_figures_default_caption_from_scenario_name(frames):
    # without sources= the caption is built from the scenario named in the frame's attrs
    fig = plots.recession_curve(frames["mex25"]["sweep"])
    cap = next(t for t in texts(fig) if "Sources:" in t)
    assert "US Census Bureau" in cap and "mex25" in cap
    check_figure(fig)


def test_series_differ_without_colour(frames):
    """Greyscale: the elasticity sets differ in line style and marker, not only in colour."""
    fig = plots.recession_curve(frames["mex25"]["sweep"])
    lines = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 2]
    keys = {(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}
    assert len(lines) == 3 and len(keys) == 3


def test_heatmap_annotates_values_and_labels_colour_bar(frames):
    grid = frames["mex25"]["grid"]
    fig = plots.gdp_heatmap(grid)
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert len(cells) == len(grid)
    assert "%" in fig.axes[1].get_ylabel()  # the colour bar
    render(fig)


def test_tornado_labels_parameter_values(frames):
    tor = frames["mex25"]["tornado"]
    fig = plots.tornado_chart(tor)
    shown = {t.get_text() for t in fig.axes[0].texts}
    assert {"0.7", "1.3"} <= shown  # the multiplier's low and high values
    assert any(t.startswith("×") for t in shown)  # the elasticities' factors
    assert len(fig.axes[0].get_yticklabels()) == len(tor)


def test_fan_chart_periods_on_the_axis(results):
    fig = plots.fan_chart(results["mex25"])
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "2025Q2" and ticks[3] == "2026Q1"


def test_ge_welfare_on_the_ge_bridge():
    r = simulate("mex25", model="ge", draws=0, n_paths=500)
    fig = plots.ge_welfare(r.ge.by_country(), sources=r)
    check_figure(fig)
    assert len(fig.axes[0].get_yticklabels()) == len(r.data.countries)


def test_ge_welfare_top_and_bottom(ilms_dir):
    from tariffsim.replicate import replicate_ilms2025

    bc = replicate_ilms2025(ilms_dir).by_country
    fig = plots.ge_welfare(bc, top=20)
    check_figure(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 20
    worst = bc.sort_values("welfare_pct").iloc[0].iso3
    assert any(f"({worst})" in lab for lab in labels)


def test_ge_welfare_synthetic_frame():
    df = pd.DataFrame({"iso3": ["USA", "MEX", "CAN"], "welfare_pct": [0.5, -2.0, 0.1]})
    check_figure(plots.ge_welfare(df))


def test_bad_frames_raise_clear_errors():
    with pytest.raises(ValueError, match="uncertainty.sweep"):
        plots.recession_curve(pd.DataFrame({"rate": [0.1]}))
    with pytest.raises(ValueError, match="elasticity_grid"):
        plots.gdp_heatmap(pd.DataFrame({"rate": [0.1]}))
    with pytest.raises(ValueError, match="tornado"):
        plots.tornado_chart(pd.DataFrame({"parameter": ["sigma"]}))


def test_save_figure_writes_every_format(results, tmp_path):
    fig = plots.gdp_path_chart(results["mex25"])
    paths = plots.save_figure(fig, tmp_path / "sub" / "gdp_path")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    png = paths[0].read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    w_in, h_in = fig.get_size_inches()
    assert (width, height) == (round(w_in * 200), round(h_in * 200))  # 200 dpi
    assert paths[1].read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="png, svg or pdf"):
        plots.save_figure(fig, tmp_path / "x", ("gif",))


def test_sources_caption_names_data_sets_and_model(results):
    cap = plots.sources_caption(results["mex25"], sets=["central"])
    for piece in ("US Census Bureau, 2024", "CEPII BACI", "Boehm et al. 2023", "partial-equilibrium", "mex25"):
        assert piece in cap, piece


def test_plots_module_does_not_use_pyplot():
    import inspect

    src = inspect.getsource(plots)
    assert "import matplotlib.pyplot" not in src and "from matplotlib import pyplot" not in src
