"""Figures drawn in helper processes (tariffsim.outputs.figures.writer) and the figures' typeface (data/fonts).

The writer must give the files an in-process save gives, byte for byte; carry warnings and errors back
to the caller; and draw in the calling process whatever a helper cannot (a figure that does not pickle,
a helper that stops). The typeface is DejaVu Sans cut to the characters a figure shows: the same
outlines, widths and kerning, text drawn pixel for pixel as in DejaVu Sans.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from tariffsim.errors import UsageError
from tariffsim.outputs.figures import style
from tariffsim.outputs.figures.writer import ENV_PROCESSES, FigureWriter, default_processes

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "data" / "fonts"
SAMPLE = "Real GDP of Mexico −1.90 % · AVAWAT To Ty · fi ff fl · θ σ ε Δ ≈ ≤ → · Côte d’Ivoire, Türkiye, Việt Nam"


def _figure(text: str = "GDP impact", *, unpicklable: bool = False) -> Figure:
    fig = style.new_figure(5.0, 3.0)
    ax = fig.add_subplot()
    x = np.linspace(0.0, 0.5, 11)
    ax.plot(x * 100, -8 * x, label="central")
    ax.bar([10, 20, 30], [-1.0, -2.0, -0.5])
    ax.set_title(text)
    ax.legend()
    style.pct_axis(ax, "y", nd=1)
    if unpicklable:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f} %"))
    return fig


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_helpers_write_the_bytes_an_in_process_save_writes(tmp_path):
    def figs() -> dict[str, Figure]:  # new figures for each arm: a drawing leaves its layout behind
        return {"a": _figure("first"), "b": _figure("second −0.3 %"), "c": _figure("third", unpicklable=True)}

    here, there = tmp_path / "here", tmp_path / "there"
    for name, fig in figs().items():
        style.save_figure(fig, here / name)
    with FigureWriter(processes=2) as w:
        assert len(w._helpers) == 2
        paths = [p for name, fig in figs().items() for p in w.save(fig, there / name)]
    assert sorted(p.name for p in paths) == sorted(_files(here))
    assert _files(there) == _files(here)  # png, svg and pdf of all three, the unpicklable one drawn here


def test_no_helpers_is_save_figure(tmp_path):
    with FigureWriter(("svg", ".PNG"), processes=0) as w:
        assert not w._helpers
        paths = w.save(_figure(), tmp_path / "x")
    assert [p.name for p in paths] == ["x.svg", "x.png"]
    assert all(p.is_file() for p in paths)
    with pytest.raises(ValueError, match="unknown figure format 'gif'"):
        FigureWriter(("png", "gif"))


def test_a_warning_while_drawing_reaches_the_caller(tmp_path):
    fig = _figure("a glyph no font has: \U0001fab8")
    with pytest.warns(UserWarning, match="missing from font"):
        with FigureWriter(("png",), processes=1) as w:
            w.save(fig, tmp_path / "w")
    assert (tmp_path / "w.png").is_file()


def test_an_error_while_writing_is_raised_and_the_rest_is_not_drawn(tmp_path):
    target = tmp_path / "figs"
    with pytest.raises(OSError, match="writing a.pdf"):
        with FigureWriter(("pdf",), processes=1) as w:
            w.save(_figure(), target / "a")
            (target / "a.pdf").mkdir()  # the file cannot be written: a folder is in its place
            w.save(_figure(), target / "b")
    assert not (target / "b.pdf").exists()


def test_a_stopped_helper_leaves_its_figures_to_the_caller(tmp_path):
    with FigureWriter(("png", "svg"), processes=1) as w:
        w._helpers[0].proc.kill()
        w._helpers[0].proc.wait()
        paths = w.save(_figure(), tmp_path / "k")
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_the_number_of_helpers_from_the_environment(monkeypatch):
    monkeypatch.setenv(ENV_PROCESSES, "0")
    assert default_processes() == 0
    monkeypatch.setenv(ENV_PROCESSES, " 3 ")
    assert default_processes() == 3
    for bad in ("-1", "9", "two", "1.5"):
        monkeypatch.setenv(ENV_PROCESSES, bad)
        with pytest.raises(UsageError, match=ENV_PROCESSES):
            default_processes()
    monkeypatch.delenv(ENV_PROCESSES)
    assert default_processes() == (2 if (os.cpu_count() or 1) >= 2 else 0)


# ----------------------------------------------------------------------------- the typeface


def _png(family: str, text: str, weight: str) -> np.ndarray:
    import PIL.Image

    with mpl.rc_context({"font.family": "sans-serif", "font.sans-serif": [family]}):
        fig = Figure(figsize=(7, 0.6))
        fig.text(0.01, 0.3, text, fontsize=11, fontweight=weight)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=200)
    return np.asarray(PIL.Image.open(buf))


@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_text_is_drawn_exactly_as_in_dejavu_sans(weight):
    """Pixel for pixel (ligatures, kerning, Greek, arrows, accents): the subset changes file size only."""
    assert np.array_equal(_png(style.FONT_FAMILY, SAMPLE, weight), _png("DejaVu Sans", SAMPLE, weight))


def test_the_subset_keeps_dejavu_outlines_and_widths_and_is_renamed():
    from fontTools.ttLib import TTFont

    source = Path(mpl.get_data_path()) / "fonts" / "ttf"
    for ours, theirs in (("TariffSimSans.ttf", "DejaVuSans.ttf"), ("TariffSimSans-Bold.ttf", "DejaVuSans-Bold.ttf")):
        with TTFont(FONTS / ours) as a, TTFont(source / theirs) as b:
            _same_glyphs(a, b)
    assert "Bitstream Vera" in (FONTS / "LICENSE_DEJAVU.txt").read_text(encoding="utf-8")


def _same_glyphs(a, b) -> None:
    """Every character of ``a`` has the outline and the advance width it has in ``b``; ``a`` is renamed."""
    cmap_a, cmap_b = a.getBestCmap(), b.getBestCmap()
    assert len(cmap_a) > 1000
    assert 0x2212 in cmap_a and 0x03B8 in cmap_a and 0x00F4 in cmap_a  # minus, theta, o circumflex
    glyf_a, glyf_b = a["glyf"], b["glyf"]
    for cp, g in cmap_a.items():
        ga, gb = glyf_a[g], glyf_b[cmap_b[cp]]
        ga.expand(glyf_a)
        gb.expand(glyf_b)
        pa = ga.getCoordinates(glyf_a)[0] if ga.numberOfContours else None
        pb = gb.getCoordinates(glyf_b)[0] if gb.numberOfContours else None
        assert (pa is None and pb is None) or list(pa) == list(pb), hex(cp)
        assert a["hmtx"][g] == b["hmtx"][cmap_b[cp]], hex(cp)
    assert "GPOS" not in a and "kern" in a
    names = {r.nameID: r.toUnicode() for r in a["name"].names if r.nameID in (1, 4, 6, 16)}
    for i, text in names.items():
        assert "Vera" not in text and "Bitstream" not in text and "DejaVu" not in text, (i, text)
    assert names[1] == style.FONT_FAMILY
    assert "Bitstream" in a["name"].getDebugName(0)  # the copyright notice is kept, as the licence requires


def test_the_build_script_reproduces_the_shipped_fonts(tmp_path):
    import importlib.util

    import fontTools

    spec = importlib.util.spec_from_file_location("build_fonts", ROOT / "data" / "build" / "build_fonts.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    record = json.loads((FONTS / "build.json").read_text(encoding="utf-8"))
    now = {n: build.sha256(build.source_dir() / s) for n, s in build.FILES.items()}
    if now != record["sources_sha256"] or fontTools.version != record["fonttools"]:
        pytest.skip("another DejaVu Sans or fontTools than the shipped fonts were built from")
    build.build(tmp_path)
    for name in [*build.FILES, "LICENSE_DEJAVU.txt", "build.json"]:
        assert (tmp_path / name).read_bytes() == (FONTS / name).read_bytes(), name


def test_a_report_pdf_embeds_the_figures_typeface(tmp_path):
    path = style.save_figure(_figure("x"), tmp_path / "f", ("pdf",))[0]
    fonts = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([A-Za-z-]+)", path.read_bytes()))
    assert fonts and fonts <= {b"TariffSimSans", b"TariffSimSans-Bold"}, fonts


def test_a_report_drawn_by_helpers_is_the_report_drawn_here(tmp_path, monkeypatch):
    """Every figure of a report (the run's, drawn while the sweep runs, and the sensitivity figures), in every
    format, the same bytes with two helper processes as in the calling process; the provenance hashes them."""
    from tariffsim.outputs.report import write_report

    kw = {"draws": 20, "n_paths": 2000, "sweep_rates": "0:0.5:0.25", "table_formats": ("csv",)}
    monkeypatch.setenv(ENV_PROCESSES, "0")
    write_report("mex25", tmp_path / "here", **kw)
    monkeypatch.setenv(ENV_PROCESSES, "2")
    write_report("mex25", tmp_path / "there", **kw)
    here, there = _files(tmp_path / "here" / "figures"), _files(tmp_path / "there" / "figures")
    assert len(here) == 27 and here == there
    prov = json.loads((tmp_path / "there" / "provenance.json").read_text(encoding="utf-8"))
    assert any("figures/gdp_by_set.pdf" in str(k) for k in json.dumps(prov).split('"'))


def test_the_callers_matplotlib_settings_reach_the_helpers(tmp_path):
    """A setting the caller changed that is read when a file is written (here the PDF compression) is
    applied by the helpers as by an in-process save."""
    with mpl.rc_context({"pdf.compression": 0}):
        style.save_figure(_figure("settings"), tmp_path / "here", ("pdf",))
        with FigureWriter(("pdf",), processes=1) as w:
            w.save(_figure("settings"), tmp_path / "there")
    style.save_figure(_figure("settings"), tmp_path / "default", ("pdf",))
    here, there = (tmp_path / "here.pdf").read_bytes(), (tmp_path / "there.pdf").read_bytes()
    assert here == there
    assert here != (tmp_path / "default.pdf").read_bytes()
