"""Figures (tariffsim.outputs.figures): every figure function renders without warnings on the built-in
scenarios, its axes carry labels with units, and the figure carries a title and a caption with
the sources. Warnings are errors in this suite, so a render warning fails the test.
"""

from __future__ import annotations

import inspect
import io
import os
import re
import struct

os.environ.setdefault("MPLBACKEND", "Agg")  # plots uses Figure objects without pyplot; this is belt and braces

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from tariffsim.engine.simulation import simulate  # noqa: E402
from tariffsim.engine.uncertainty import elasticity_grid, sweep, tornado  # noqa: E402
from tariffsim.outputs.figures import gdp, sensitivity, style, trade
from tariffsim.outputs.figures.catalog import FIGURES

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
    fig = FIGURES[name](r)
    check_figure(fig)
    cap = next(t for t in texts(fig) if "Sources:" in t)
    assert "US Census Bureau" in cap and "mex25" in cap and r.scenario.hash in cap


@pytest.mark.parametrize("name", RETALIATION_FIGURES)
def test_result_figures_render_retaliation(results, name):
    check_figure(FIGURES[name](results["mex25-retaliation"]))


def test_gdp_path_shows_the_retaliation_channels(results):
    fig = gdp.gdp_path_chart(results["mex25-retaliation"])
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("Retaliation" in t for t in legend) and any("Real income" in t for t in legend)
    # without retaliation the zero channels are left out of the legend
    legend0 = [t.get_text() for t in gdp.gdp_path_chart(results["mex25"]).axes[0].get_legend().get_texts()]
    assert not any("Retaliation" in t for t in legend0)


@pytest.mark.parametrize("scenario", ["mex25", "mex25-retaliation"])
def test_frame_figures_render(results, frames, scenario):
    f = frames[scenario]
    r = results[scenario]
    check_figure(sensitivity.recession_curve(f["sweep"], mark_rate=0.25, sources=r))
    check_figure(sensitivity.gdp_heatmap(f["grid"], mark=(0.25, 4.0), sources=r))
    check_figure(sensitivity.tornado_chart(f["tornado"], sources=r))


def test_frame_figures_default_caption_from_scenario_name(frames):
    # without sources= the caption is built from the scenario named in the frame's attrs
    fig = sensitivity.recession_curve(frames["mex25"]["sweep"])
    cap = next(t for t in texts(fig) if "Sources:" in t)
    assert "US Census Bureau" in cap and "mex25" in cap
    check_figure(fig)


def test_series_differ_without_colour(frames):
    """Greyscale: the elasticity sets differ in line style and marker, not only in colour."""
    fig = sensitivity.recession_curve(frames["mex25"]["sweep"])
    lines = [ln for ln in fig.axes[0].get_lines() if len(ln.get_xdata()) > 2]
    keys = {(str(ln.get_linestyle()), ln.get_marker()) for ln in lines}
    assert len(lines) == 3 and len(keys) == 3


def test_heatmap_annotates_values_and_labels_colour_bar(frames):
    grid = frames["mex25"]["grid"]
    fig = sensitivity.gdp_heatmap(grid)
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert len(cells) == len(grid)
    assert "%" in fig.axes[1].get_ylabel()  # the colour bar
    render(fig)


def test_tornado_labels_parameter_values(frames):
    tor = frames["mex25"]["tornado"]
    fig = sensitivity.tornado_chart(tor)
    shown = {t.get_text() for t in fig.axes[0].texts}
    assert {"0.7", "1.3"} <= shown  # the multiplier's low and high values
    assert any(t.startswith("×") for t in shown)  # the elasticities' factors
    assert len(fig.axes[0].get_yticklabels()) == len(tor)


def test_fan_chart_periods_on_the_axis(results):
    fig = gdp.fan_chart(results["mex25"])
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "2025Q2" and ticks[3] == "2026Q1"


def test_ge_welfare_on_the_ge_bridge():
    r = simulate("mex25", model="ge", draws=0, n_paths=500)
    fig = trade.ge_welfare(r.ge.by_country(), sources=r)
    check_figure(fig)
    assert len(fig.axes[0].get_yticklabels()) == len(r.data.countries)


def test_ge_welfare_top_and_bottom(ilms_dir):
    from tariffsim.replication.ilms2025 import replicate_ilms2025

    bc = replicate_ilms2025(ilms_dir).by_country
    fig = trade.ge_welfare(bc, top=20)
    check_figure(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 20
    worst = bc.sort_values("welfare_pct").iloc[0].iso3
    assert any(f"({worst})" in lab for lab in labels)


def test_ge_welfare_synthetic_frame():
    df = pd.DataFrame({"iso3": ["USA", "MEX", "CAN"], "welfare_pct": [0.5, -2.0, 0.1]})
    check_figure(trade.ge_welfare(df))


def test_bad_frames_raise_clear_errors():
    with pytest.raises(ValueError, match="uncertainty.sweep"):
        sensitivity.recession_curve(pd.DataFrame({"rate": [0.1]}))
    with pytest.raises(ValueError, match="elasticity_grid"):
        sensitivity.gdp_heatmap(pd.DataFrame({"rate": [0.1]}))
    with pytest.raises(ValueError, match="tornado"):
        sensitivity.tornado_chart(pd.DataFrame({"parameter": ["sigma"]}))


def test_save_figure_writes_every_format(results, tmp_path):
    fig = gdp.gdp_path_chart(results["mex25"])
    paths = style.save_figure(fig, tmp_path / "sub" / "gdp_path")
    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    png = paths[0].read_bytes()
    width, height = struct.unpack(">II", png[16:24])
    w_in, h_in = fig.get_size_inches()
    assert (width, height) == (round(w_in * 200), round(h_in * 200))  # 200 dpi
    assert paths[1].read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert paths[2].read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="unknown figure format .gif.; expected png, svg, pdf"):
        style.save_figure(fig, tmp_path / "x", ("gif",))


def test_sources_caption_names_data_sets_and_model(results):
    cap = style.sources_caption(results["mex25"], sets=["central"])
    for piece in (
        "US Census Bureau, 2024",
        "CEPII BACI",
        "Boehm, Levchenko and Pandalai-Nayar 2023",
        "partial-equilibrium",
        "mex25",
    ):
        assert piece in cap, piece


def test_figure_modules_do_not_use_pyplot():
    from tariffsim.outputs.figures import compare, ge_io

    for mod in (gdp, sensitivity, trade, compare, ge_io, style):
        src = inspect.getsource(mod)
        assert "import matplotlib.pyplot" not in src and "from matplotlib import pyplot" not in src, mod.__name__


# ----------------------------------------------------------------------------- layout and wording


def drawn(fig: Figure):
    """Draw ``fig`` on an Agg canvas; returns the renderer (window extents in pixels)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def all_figures(results, frames) -> dict[str, Figure]:
    r, f = results["mex25"], frames["mex25"]
    figs = {name: FIGURES[name](r) for name in RESULT_FIGURES}
    figs["recession_curve"] = sensitivity.recession_curve(f["sweep"], mark_rate=0.25, sources=r)
    figs["gdp_heatmap"] = sensitivity.gdp_heatmap(f["grid"], mark=(0.25, 4.0), sources=r)
    figs["tornado_chart"] = sensitivity.tornado_chart(f["tornado"], sources=r)
    return figs


def vehicles_only():
    from tariffsim.inputs.scenario import Scenario, load_scenario

    d = load_scenario("mex25").to_dict()
    d["name"] = "mex25-vehicles"
    d["tariffs"][0]["sectors"] = ["vehicles"]
    return simulate(Scenario.from_dict(d), draws=0, n_paths=500)


def test_gdp_by_set_whisker_clears_the_value_label(results):
    """The 5-95 % whisker of the parameter draws crosses neither the central bar's value label nor
    its long-run diamond, and spans the draws' 5th to 95th percentile."""
    from matplotlib.container import ErrorbarContainer

    r = results["mex25"]
    fig = gdp.gdp_by_set(r)
    renderer = drawn(fig)
    ax = fig.axes[0]
    (eb,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    parts = [*eb.lines[1], *eb.lines[2]]  # caps and the bar line
    boxes = [p.get_window_extent(renderer) for p in parts]
    c = r.summary().set_index("elasticity_set").loc[r.central]
    label = next(t for t in ax.texts if t.get_text() == style.fmt_num(c.gdp_impact_pct, 1))
    lab_box = label.get_window_extent(renderer)
    assert not any(overlaps(b, lab_box) for b in boxes)
    diamonds = ax.collections[0]
    for xy in ax.transData.transform(diamonds.get_offsets()):
        assert not any(b.x0 <= xy[0] <= b.x1 and b.y0 <= xy[1] <= b.y1 for b in boxes)
    seg = eb.lines[2][0].get_segments()[0]
    q = r.draws["gdp_impact_pct"].quantile([0.05, 0.95])
    assert sorted(seg[:, 0]) == pytest.approx([q.loc[0.05], q.loc[0.95]])


def test_sector_chart_shows_only_sectors_that_change():
    rv = vehicles_only()
    near, lr = rv.by_sector(horizon="near_term"), rv.by_sector()
    changed = sorted(set(near.sector[near.change_usd != 0]) | set(lr.sector[lr.change_usd != 0]))
    assert changed == ["vehicles"]  # PE at fixed exporter prices: a vehicles tariff moves only vehicles
    fig = trade.export_losses_by_sector(rv)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    labels = rv.data.meta["sector_labels"]
    assert rows == [style.short_label(labels["vehicles"])]
    bars = [p for p in fig.axes[0].patches if p.get_width() != 0]
    assert len(bars) == 2  # one year and long run
    cap = next(t for t in texts(fig) if "Sources:" in t)
    assert f"the {len(rv.data.sectors) - 1} of {len(rv.data.sectors)} sectors" in cap
    check_figure(fig)


def test_sector_chart_of_an_all_goods_tariff_keeps_every_sector(results):
    r = results["mex25"]
    fig = trade.export_losses_by_sector(r)
    assert len(fig.axes[0].get_yticklabels()) == len(r.data.sectors)


def test_heatmap_cells_all_have_one_decimal(frames):
    grid = frames["mex25"]["grid"]
    assert (grid.rate == 0).any()  # the no-tariff column prints 0.0, not 0
    cells = [t.get_text() for t in sensitivity.gdp_heatmap(grid).axes[0].texts]
    assert cells and all(re.fullmatch(r"−?\d+\.\d", c) for c in cells), cells
    assert "−0.0" not in cells and "0.0" in cells
    assert style.fmt_num(-0.04, 1) == "0.0" and style.fmt_num(-0.05, 1) == "−0.1"


def test_captions_are_readable_and_overlap_nothing(results, frames):
    """Caption type at least 8 pt at the print width; title, key message and caption stay inside
    the figure and clear of the axes (tick labels and axis labels included) and of each other."""
    for name, fig in all_figures(results, frames).items():
        w_in = fig.get_size_inches()[0]
        assert w_in <= 6.5 + 1e-9, name
        renderer = drawn(fig)
        fig_box = fig.bbox
        cap = next(t for t in fig.texts if "Sources:" in t.get_text())
        assert cap.get_fontsize() >= 8, (name, cap.get_fontsize())
        boxes = [t.get_window_extent(renderer) for t in fig.texts]
        for b in boxes:
            assert fig_box.x0 <= b.x0 and b.x1 <= fig_box.x1 and fig_box.y0 <= b.y0 and b.y1 <= fig_box.y1, name
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not overlaps(a, b), name
        for ax in fig.axes:
            tight = ax.get_tightbbox(renderer)
            assert not any(overlaps(tight, b) for b in boxes), (name, "axes")


def test_legends_keep_off_the_bars_and_gridlines(results, frames):
    """Every legend lies outside its axes or has an opaque white box, and covers no bar."""
    for name, fig in all_figures(results, frames).items():
        renderer = drawn(fig)
        for ax in fig.axes:
            leg = ax.get_legend()
            if leg is None:
                continue
            box = leg.get_window_extent(renderer)
            inside = overlaps(box, ax.get_window_extent(renderer))
            if inside:
                frame = leg.get_frame()
                assert leg.get_frame_on() and frame.get_alpha() in (None, 1.0), name
                assert tuple(frame.get_facecolor()) == (1.0, 1.0, 1.0, 1.0), name
            bars = [p for p in ax.patches if p.get_width() * p.get_height() != 0]
            assert not any(overlaps(box, p.get_window_extent(renderer)) for p in bars), name
    for name in ("tornado_chart", "export_losses_by_sector", "diversion_by_source"):
        fig = all_figures(results, frames)[name]
        renderer = drawn(fig)
        ax = fig.axes[0]
        assert ax.get_legend().get_window_extent(renderer).y0 >= ax.get_window_extent(renderer).y1 - 1, name


def _contrast_with_white(colour) -> float:
    """WCAG 2 contrast ratio of ``colour`` against white."""
    from matplotlib.colors import to_rgb

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in to_rgb(colour))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (lum + 0.05)


@pytest.mark.parametrize("scenario", ["mex25", "mex25-retaliation"])
def test_gdp_path_bars_add_up_to_the_total(results, scenario):
    """The stacked channels (the long-run GE channel included) add up to the total line in every
    quarter, and the other sets' lines are as dark and wide as readable lines (WCAG 4.5:1)."""
    r = results[scenario]
    fig = gdp.gdp_path_chart(r)
    ax = fig.axes[0]
    gp = r.gdp_path(r.central)
    H = len(gp)
    sums = np.zeros(H)
    for p in ax.patches:
        q = int(round(p.get_x() + p.get_width() / 2))
        if 1 <= q <= H:
            sums[q - 1] += p.get_height()
    assert sums == pytest.approx(gp.gdp_deviation_pct.to_numpy(), abs=1e-9)
    assert (gp.long_run_pct.abs() > 0).any()  # the channel that was missing from the bars
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("long-run real GDP" in t for t in legend)
    others = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == H and ln.get_color() != style.INK]
    assert len(others) == 2  # low and high
    for ln in others:
        assert _contrast_with_white(ln.get_color()) >= 4.5 and ln.get_linewidth() >= 1.5


def test_captions_say_what_the_model_does_now(results, frames):
    """No caption repeats the retired short-run factor (x0.38 of the long run) or the tornado's old
    x0.5/x2 elasticity factors; the one-year sigma and the tornado's ranges are stated as computed."""
    from tariffsim.engine.uncertainty import VALUE_ADDED_RANGE

    r = results["mex25"]
    figs = all_figures(results, frames)
    caps = {n: next(t for t in texts(f) if "Sources:" in t) for n, f in figs.items()}
    for n, cap in caps.items():
        assert "0.38" not in cap and "short run" not in cap and "short-run" not in cap, n
        assert "mix of 1993 from Caliendo and Parro (2015)" in cap, n  # what the 1993 source is
    s1 = r.outcome().elasticities.sigma_one_year
    assert f"σ {s1:g}" in caps["export_losses_by_sector"]
    tor = frames["mex25"]["tornado"].set_index("parameter")
    tcap = caps["tornado_chart"]
    assert "0.5 and 2" not in tcap
    lo, hi = (sensitivity.value_label(tor.loc["elasticities", k]) for k in ("low_value", "high_value"))
    assert f"times {lo} and {hi}" in tcap
    va = r.outcome().macro.assumptions.value_added_share
    assert f"{VALUE_ADDED_RANGE[0]:g} (manufacturing alone) to {VALUE_ADDED_RANGE[1]:g}" in tcap
    assert f"around the run's {va:.2f} (WIOT 2011, by sector)" in tcap and "lopsided" in tcap


def test_the_figure_catalog_holds_every_report_figure():
    """The report's figures are registered once (figures.catalog.FIGURES), each a function of its theme module."""
    from tariffsim.outputs.figures.catalog import FIGURES

    assert list(FIGURES) == [
        "gdp_by_set",
        "recession_curve",
        "fan_chart",
        "gdp_heatmap",
        "tornado_chart",
        "export_losses_by_sector",
        "diversion_by_source",
        "gdp_path_chart",
        "ge_welfare",
    ]
    for name, fn in FIGURES.items():
        assert fn.__name__ == name and fn.__module__.rsplit(".", 1)[0] == "tariffsim.outputs.figures"


def test_comparison_figures_fit_the_page():
    """The comparison figures: captions >= 8 pt inside the figure, every panel heading inside the
    figure and clear of the other headings; a scenario whose PE and GE GDP paths are the same
    number for number says so (otherwise one line would hide the other without a word)."""
    from tariffsim.outputs.comparison import compare
    from tariffsim.outputs.figures import compare as figs

    cmp = compare(["mex25", "mex25-retaliation"], models=["pe", "ge"], draws=0, n_paths=500)
    head, paths = figs.compare_headline(cmp), figs.compare_gdp_paths(cmp)
    for fig in (head, paths):
        renderer = drawn(fig)
        cap = next(t for t in fig.texts if "Sources:" in t.get_text())
        assert cap.get_fontsize() >= 8
        boxes = [t.get_window_extent(renderer) for t in fig.texts]
        boxes += [a.title.get_window_extent(renderer) for a in fig.axes if a.get_visible() and a.get_title()]
        for b in boxes:
            assert fig.bbox.x0 <= b.x0 and b.x1 <= fig.bbox.x1
        for i, a in enumerate(boxes):
            assert not any(overlaps(a, b) for b in boxes[i + 1 :])
    gp = cmp.gdp_paths()
    cap = next(t for t in texts(paths) if "Sources:" in t)
    said = re.search(r"the PE and GE paths of (.*?) coincide", cap)
    same = [
        name
        for name in ("mex25", "mex25-retaliation")
        if np.allclose(
            *(gp[(gp.scenario == name) & (gp.model == m)].gdp_deviation_pct.to_numpy() for m in ("pe", "ge"))
        )
    ]
    assert (said.group(1).split(", ") if said else []) == same


def test_pdf_fonts_are_embedded_truetype_subsets(results, tmp_path):
    """The PDFs embed TrueType subsets (pdf.fonttype 42: editable text) with outlines and metrics."""
    import io
    import re
    import zlib

    from fontTools.ttLib import TTFont

    (pdf,) = style.save_figure(gdp.gdp_path_chart(results["mex25"]), tmp_path / "g", ("pdf",))
    raw = pdf.read_bytes()
    assert b"/FontFile2" in raw  # TrueType embedded, editable text
    fonts = []
    for m in re.finditer(rb"/Length1 \d+.*?stream\r?\n", raw, re.S):
        end = raw.index(b"endstream", m.end())
        fonts.append(TTFont(io.BytesIO(zlib.decompress(raw[m.end() : end]))))
    assert fonts
    for f in fonts:
        assert {"glyf", "hmtx", "cmap"} <= set(f.keys())
