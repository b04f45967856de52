"""The house style of tariffsim's figures (used by every module of :mod:`tariffsim.outputs.figures`).

:data:`STYLE` (rcParams applied as a context by every figure function, never globally), the
palette and the line and bar styles that keep series apart in greyscale, figure creation with room
for a title, a one-line key message and a caption (:func:`finish`), number formatting with true
minus signs, country and sector labels, and the 'Sources:' caption (:func:`sources_caption`) built
from a result's provenance or a scenario.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.textpath import TextToPath
from matplotlib.ticker import Formatter

from ..._version import __version__
from ...constants import DEFAULT_MODEL, FIGURE_FORMATS
from ...engine.adapters import adapter, long_run_text, near_term_adapter
from ...engine.sources import dataset_sources_used
from ...inputs.scenario import load_scenario
from ..files import check_formats

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

    from ...inputs.scenario import Scenario

__all__ = [
    "STYLE",
    "style",
    "figure_path",
    "save_figure",
    "save_format",
    "sources_caption",
    "sources_caption_runs",
    "figure_caption",
    "new_figure",
    "finish",
    "fmt_num",
    "pct_axis",
    "short_label",
    "set_style",
    "wrap_text",
    "short_citations",
]

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- style

#: The figures' typeface: DejaVu Sans (matplotlib's own) cut to the characters a figure shows, so that a PDF's
#: font subsets are made from a small file (``data/fonts``, built by ``data/build/build_fonts.py``; the same
#: glyphs, widths and kerning, so text is drawn exactly as in DejaVu Sans). Other characters come from DejaVu Sans.
FONT_FAMILY = "TariffSim Sans"
FONT_FILES = ("TariffSimSans.ttf", "TariffSimSans-Bold.ttf")


def _register_fonts() -> None:
    """Add TariffSim Sans to matplotlib's font list (once; a new family name, so nobody else's text changes)."""
    known = {Path(f.fname).name for f in fontManager.ttflist if f.name == FONT_FAMILY}
    for name in FONT_FILES:
        if name not in known:
            fontManager.addfont(str(resources.files("tariffsim.data").joinpath("fonts", name)))


_register_fonts()

#: rcParams applied (as a context) by every figure function and by :func:`save_figure`.
STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8.5,
    "axes.labelcolor": "#222222",
    "axes.edgecolor": "#444444",
    "axes.linewidth": 0.7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "axes.grid": False,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "legend.fontsize": 7.5,
    # legends inside the axes get an opaque white box, so gridlines and bars do not run through them
    "legend.frameon": True,
    "legend.framealpha": 1.0,
    "legend.facecolor": "white",
    "legend.edgecolor": "white",
    "legend.fancybox": False,
    "legend.handlelength": 2.2,
    "lines.linewidth": 1.5,
    "lines.markersize": 4.5,
    "hatch.linewidth": 0.6,
    "patch.linewidth": 0.6,
    "axes.unicode_minus": True,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": 200,
    "pdf.fonttype": 42,  # TrueType embedded: editable text, accepted by journals
    "svg.fonttype": "path",  # SVG shows the same glyphs without the font installed
    "svg.hashsalt": "tariffsim",  # reproducible SVG element ids
}

#: Width of a figure (inches): a text column of a report page.
WIDTH = 6.5
TITLE_SIZE = 10.0
SUBTITLE_SIZE = 8.5
#: Caption (sources) type size, points, at the print width :data:`WIDTH`: the tick-label size
#: (``xtick.labelsize``), so that the notes read as easily as the axes.
CAPTION_SIZE = 8.0

INK = "#222222"
GREY = "#7f7f7f"
LIGHT = "#c8c8c8"
BLUE = "#1f4e89"
BLUE_LIGHT = "#9ec3e6"
BLUE_MID = "#5b8fc7"
BLUE_DARK = "#0b1f3a"

#: Line style of the elasticity sets (colour, line style, marker): distinct in greyscale.
SET_STYLES: dict[str, dict[str, Any]] = {
    "low": {"color": BLUE_MID, "linestyle": (0, (5, 2)), "marker": "s"},
    "central": {"color": BLUE, "linestyle": "-", "marker": "o"},
    "high": {"color": BLUE_DARK, "linestyle": (0, (1, 1.3)), "marker": "^"},
}
_OTHER_STYLES: list[dict[str, Any]] = [
    {"color": GREY, "linestyle": "-.", "marker": "D"},
    {"color": "#4d4d4d", "linestyle": (0, (3, 1, 1, 1, 1, 1)), "marker": "v"},
    {"color": "#a0a0a0", "linestyle": "--", "marker": "P"},
    {"color": "#333333", "linestyle": ":", "marker": "X"},
]

#: Short-run / long-run bars (sector and source charts).
SR_BAR: dict[str, Any] = {"facecolor": BLUE_LIGHT, "edgecolor": BLUE_DARK, "hatch": "////", "linewidth": 0.5}
LR_BAR: dict[str, Any] = {"facecolor": BLUE, "edgecolor": BLUE_DARK, "linewidth": 0.5}


@contextmanager
def style() -> Iterator[None]:
    """Context manager applying :data:`STYLE` (for figures drawn outside this module)."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A new figure (inches; constrained layout), before :func:`finish` adds the texts."""
    return Figure(figsize=(width, height), layout="constrained")


_TEXT_PATH = TextToPath()
_RENDERERS: dict[float, RendererAgg] = {}


@lru_cache(maxsize=4096)
def _word_width(text: str, size: float, weight: str = "normal") -> float:
    """Width of ``text`` in the figures' typeface at ``size`` points (points): the widest of the glyph
    outlines (SVG, PDF) and the hinted rasters at the screen and PNG resolutions
    (``figure.dpi``, ``savefig.dpi``), which differ by a few percent."""
    prop = FontProperties(family=[FONT_FAMILY, "DejaVu Sans"], size=size, weight=weight)
    widths = [float(_TEXT_PATH.get_text_width_height_descent(text, prop, ismath=False)[0])]
    for dpi in (float(STYLE["figure.dpi"]), float(STYLE["savefig.dpi"])):
        r = _RENDERERS.setdefault(dpi, RendererAgg(1, 1, dpi))
        widths.append(r.get_text_width_height_descent(text, prop, ismath=False)[0] * 72 / dpi)
    return max(widths)


def wrap_text(text: str, width_in: float, size: float, weight: str = "normal") -> list[str]:
    """Lines of ``text`` that fit ``width_in`` inches at ``size`` points: a line's width is the sum
    of its words' measured widths and the spaces between them (per-word hinting errs wide)."""
    room = width_in * 72
    space = _word_width(" ", size, weight)
    out: list[str] = []
    for para in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in para.split():
            w = _word_width(word, size, weight)
            if line and used + space + w > room:
                out.append(" ".join(line))
                line, used = [], 0.0
            used += (space if line else 0.0) + w
            line.append(word)
        out.append(" ".join(line))
    return out


def finish(fig: Figure, *, title: str | None, subtitle: str | None, caption: str | None) -> Figure:
    """Add the title, the key message and the caption; grow the figure to make room for them."""
    w, h = fig.get_size_inches()
    line = 1.32 / 72  # inches a point of type takes as a line
    # the figure width less 0.1 in on each side
    cap = wrap_text(caption, w - 0.2, CAPTION_SIZE) if caption else []
    sub = wrap_text(subtitle, w - 0.2, SUBTITLE_SIZE) if subtitle else []
    cap_h = (len(cap) * CAPTION_SIZE * line + 0.16) if cap else 0.05
    top_h = (TITLE_SIZE * line if title else 0.0) + len(sub) * SUBTITLE_SIZE * line
    top_h = top_h + 0.14 if top_h else 0.05
    H = h + cap_h + top_h
    fig.set_size_inches(w, H)
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # every figure comes from new_figure
    engine.set(rect=(0.0, cap_h / H, 1.0, h / H))
    x0 = 0.1 / w
    y = 1.0 - 0.08 / H
    if title:
        fig.text(x0, y, title, fontsize=TITLE_SIZE, fontweight="bold", color=INK, va="top", ha="left")
        y -= TITLE_SIZE * line / H
    if sub:
        fig.text(x0, y, "\n".join(sub), fontsize=SUBTITLE_SIZE, color="#333333", va="top", ha="left", linespacing=1.25)
    if cap:
        fig.text(
            x0,
            0.06 / H,
            "\n".join(cap),
            fontsize=CAPTION_SIZE,
            color="#4d4d4d",
            va="bottom",
            ha="left",
            linespacing=1.25,
        )
    return fig


def fmt_num(v: float, nd: int = 1) -> str:
    """``v`` with ``nd`` decimals and a true minus sign; a value that rounds to zero is '0.0', never
    '−0.0'."""
    s = f"{v:.{nd}f}"
    if s.startswith("-") and float(s) == 0.0:
        s = s[1:]
    return s.replace("-", "−")


class PctFormatter(Formatter):
    """Tick labels of percent values with true minus signs; a tick at zero reads '0', never '−0'
    (``nd`` decimals, or the shortest form). A class, not a closure, so that a figure pickles."""

    def __init__(self, nd: int | None = None) -> None:
        self.nd = nd

    def __call__(self, x: float, pos: int | None = None) -> str:
        s = f"{x:g}" if self.nd is None else f"{x:.{self.nd}f}"
        if s.startswith("-") and float(s) == 0.0:
            s = s[1:]
        return s.replace("-", "−")


def pct_axis(ax: Axes, axis: str = "x", nd: int | None = None) -> None:
    """Tick labels with true minus signs (values are already percent); a tick at zero reads '0',
    never '−0'."""
    getattr(ax, f"{axis}axis").set_major_formatter(PctFormatter(nd))


def short_label(label: object, width: int = 42) -> str:
    """A long sector label on two lines, broken before its '(HS ...)' part."""
    label = str(label)
    if len(label) <= width:
        return label
    if " (" in label:
        name, rest = label.rsplit(" (", 1)
        return "\n".join([*textwrap.wrap(name, width), "(" + rest])
    return "\n".join(textwrap.wrap(label, width))


def set_style(name: str, i: int) -> dict[str, Any]:
    """Line style of elasticity set ``name`` (:data:`SET_STYLES`), else the ``i``-th other style."""
    return SET_STYLES.get(name) or _OTHER_STYLES[i % len(_OTHER_STYLES)]


# ----------------------------------------------------------------------------- sources

#: A surname: a capital, then a lower-case letter (acronyms such as ICIO, WIOD or GSIM are not
#: authors), letters, apostrophes and hyphens (Pandalai-Nayar).
_NAME = r"[A-Z][a-z'][A-Za-z'\-]*"
_CITE = re.compile(rf"(?<![\w\-])({_NAME}(?:(?:, | and |, and ){_NAME})*(?: et al\.)?)\s\(?((?:19|20)\d{{2}})(?!\d)")
#: Initials before or after a surname: 'K.', 'R. W.', 'K.-M.', 'J. S.'.
_INITIALS = re.compile(r"(?<![\w.])[A-Z]\.(?:-[A-Z]\.)?(?=[\s,)])\s*")
#: Names written for a model or a team, as their authors.
_ALIASES = {
    "ILMS": "Ignatenko, Lashkaripour, Macedoni and Simonovska",
    "Caliendo-Parro": "Caliendo and Parro",
}
_NOT_AUTHORS = {
    "MODELS",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Volume",
    "Issue",
    "Table",
    "Section",
    "Order",
    "Outlook",
    "Report",
    "Release",
    "Census",
}


def _cite_text(text: str) -> str:
    """``text`` with initials dropped and the punctuation they leave tidied, and aliases spelled
    out: 'Bagwell, K., R. W. Staiger and A. Yurukoglu (2021)' -> 'Bagwell, Staiger and Yurukoglu (2021)'."""
    for short, names in _ALIASES.items():
        text = re.sub(rf"(?<![\w\-]){re.escape(short)}(?=\s\(?(?:19|20)\d{{2}})", names, text)
    text = _INITIALS.sub("", text)
    text = re.sub(r",\s*,", ",", text)
    text = re.sub(r",\s*(?=and\b|\()", " ", text)
    return re.sub(r"[ \t]{2,}", " ", text)


def short_citations(texts: Iterable[str]) -> list[str]:
    """The works cited in ``texts`` as short author-year cites, deduplicated, in order:
    'Caliendo, L. and F. Parro (2015), ...' -> 'Caliendo and Parro 2015'; three authors in full
    ('Bagwell, Staiger and Yurukoglu 2021'); four or more, or 'et al.' in the text, as
    'Ignatenko et al. 2025'. The same first author and year cited twice keeps the fuller form."""
    found: dict[tuple[str, str], str] = {}
    for t in texts:
        for names, year in _CITE.findall(_cite_text(str(t))):
            etal = names.endswith(" et al.")
            parts = re.split(r", and |, | and ", names.removesuffix(" et al."))
            if parts[0] in _NOT_AUTHORS or any(p in _NOT_AUTHORS for p in parts):
                continue
            if etal or len(parts) > 3:
                cite = f"{parts[0]} et al. {year}"
            elif len(parts) == 3:
                cite = f"{parts[0]}, {parts[1]} and {parts[2]} {year}"
            else:
                cite = f"{' and '.join(parts)} {year}"
            key = (parts[0], year)
            if key not in found or ("et al." in found[key] and "et al." not in cite):
                found[key] = cite
    return list(found.values())


#: The name the figure modules used (kept for them).
_citations = short_citations


def _dataset_sources(sources: Sequence[Mapping]) -> list[str]:
    """Each source's name in a caption: its ``short`` form (a run's macro inputs), else the
    publisher and year (a secondary input used for its shares: what it is and of which year)."""
    out = []
    for s in sources:
        if s.get("short"):
            if s["short"] not in out:
                out.append(str(s["short"]))
            continue
        pub = re.sub(r"\s*\(via [^)]*\)", "", str(s.get("publisher", ""))).strip()
        pub = re.split(r", (?:as prepared|via) ", pub)[0]
        if "," in pub and not re.search(r"\(\d{4}\)", pub.split(",")[0]):
            pub = pub.split(",")[0]
        elif "," in pub:
            pub = pub.split(",")[0]
        year = s.get("year")
        fig = str(s.get("figure", ""))
        if year and re.search(r"\bmix\b|\bshares?\b", fig, re.IGNORECASE):
            # a secondary input used only for its shares: say what it is and of which year
            lead = fig[:1].lower() if fig[1:2].islower() else fig[:1]  # 'US export ...' keeps its capitals
            item = f"{lead + fig[1:]} of {year} from {pub}"
        else:
            item = f"{pub}, {year}" if year else pub
        if pub and item not in out:
            out.append(item)
    return out


def _model_text(model: str, version: str, io_table: str | None = None) -> str:
    """The model a figure's numbers come from: the first year is always the near-term
    (partial-equilibrium) model at one-year elasticities; the long run is the model's own (with the
    input-output table it ran on, ``io_table``, for the multi-sector model)."""
    near = f"first year: {near_term_adapter().description} Armington model at one-year elasticities"
    tail = "macro transmission, AR(1) recession Monte Carlo on the reported country's quarterly real GDP"
    return f"tariffsim {version}: {near}; {long_run_text(model, io_table)}; {tail}"


def sources_caption(obj: object = None, *, sets: Iterable[str] | None = None, extra: str | None = None) -> str:
    """The 'Sources:' caption line for a figure.

    ``obj``: a :class:`~tariffsim.engine.results.Result` (data sources, elasticity-set sources, model and
    scenario from its provenance), a :class:`~tariffsim.inputs.scenario.Scenario` or a scenario name
    (data sources from its dataset), or None (the package only). ``sets`` limits the elasticity
    sets cited; ``extra`` is appended (what the marks mean, the sample size).
    """

    parts: list[str] = []
    prov = getattr(obj, "provenance", None)
    if prov is not None:
        used = getattr(obj, "sources_used", None)  # a Result: the sources of what the run used
        ds = _dataset_sources(used() if callable(used) else dataset_sources_used(prov.get("dataset_sources", [])))
        if ds:
            parts.append("Data: " + "; ".join(ds) + ".")
        es = prov.get("elasticity_sets", {})
        names = [n for n in es if sets is None or n in set(sets)]
        cites = _citations(v for n in names for v in (es[n].get("sources") or {}).values())
        if names:
            parts.append(
                f"Elasticity sets ({', '.join(names)}): " + ("; ".join(cites) if cites else "tariffsim sets") + "."
            )
        parts.append(
            "Model: "
            + _model_text(
                prov.get("model", DEFAULT_MODEL),
                prov.get("tariffsim_version", __version__),
                getattr(obj, "io_table", None),
            )
            + f"; scenario {prov.get('scenario', '?')} ({prov.get('scenario_hash', '')})."
        )
    elif obj is not None:
        try:
            sc = load_scenario(cast("Scenario | str | Path | Mapping[str, Any]", obj))
            data = sc.load_data()
            ds = _dataset_sources(dataset_sources_used(data.sources))
            if ds:
                parts.append("Data: " + "; ".join(ds) + ".")
            names = list(sets) if sets is not None else list(sc.elasticity_sets)
            cites = _citations(v for n in names for v in (sc.elasticity_set(n).sources or {}).values())
            if names:
                parts.append(f"Elasticity sets ({', '.join(names)}): " + ("; ".join(cites) or "tariffsim sets") + ".")
            table = sc.effective_io_table if adapter(sc.model).own_tables else None
            parts.append("Model: " + _model_text(sc.model, __version__, table) + f"; scenario {sc.name} ({sc.hash}).")
        except Exception as exc:  # a caption must never stop a figure
            log.warning("sources for %r not available (%s)", obj, exc)
            parts.append(f"Model: tariffsim {__version__}; scenario {obj}.")
    else:
        parts.append(f"Model: tariffsim {__version__} (data and elasticity sources: see the run's provenance.json).")
    text = "Sources: " + " ".join(parts)
    return f"{extra.rstrip('.')}. {text}" if extra else text


def figure_caption(
    sources: object, default_obj: object, *, sets: Iterable[str] | None = None, extra: str | None = None
) -> str:
    """A figure's caption: ``sources`` as given when it is text (``extra`` put first), else
    :func:`sources_caption` of ``sources`` (or of ``default_obj`` when it is None)."""
    if isinstance(sources, str):
        return (extra.rstrip(".") + ". " + sources) if extra else sources
    return sources_caption(sources if sources is not None else default_obj, sets=sets, extra=extra)


def sources_caption_runs(results: Iterable, *, extra: str | None = None) -> str:
    """The 'Sources:' caption of a figure that shows several runs (a comparison): the data sources
    and elasticity-set citations of all of them, the models, and each scenario with its hash."""

    ds: list[str] = []
    cites: list[str] = []
    models: list[tuple[str, str | None]] = []
    scen: list[str] = []
    version = __version__
    for r in results:
        prov = getattr(r, "provenance", {}) or {}
        version = prov.get("tariffsim_version", version)
        used = getattr(r, "sources_used", None)
        for item in _dataset_sources(
            used() if callable(used) else dataset_sources_used(prov.get("dataset_sources", []))
        ):
            if item not in ds:
                ds.append(item)
        es = prov.get("elasticity_sets", {})
        central = getattr(r, "central", None)
        for n in es:
            if central is None or n == central:
                for c in _citations((es[n].get("sources") or {}).values()):
                    if c not in cites:
                        cites.append(c)
        m = (prov.get("model", getattr(r, "model", DEFAULT_MODEL)), getattr(r, "io_table", None))
        if m not in models:
            models.append(m)
        s = f"{prov.get('scenario', '?')} ({prov.get('scenario_hash', '')})"
        if s not in scen:
            scen.append(s)
    parts = []
    if ds:
        parts.append("Data: " + "; ".join(ds) + ".")
    if cites:
        parts.append("Central elasticity sets: " + "; ".join(cites) + ".")
    parts.append("Model: " + "; ".join(_model_text(m, version, t) for m, t in models) + ".")
    parts.append("Scenarios: " + ", ".join(scen) + ".")
    text = "Sources: " + " ".join(parts)
    return f"{extra.rstrip('.')}. {text}" if extra else text


def figure_path(stem: Path, fmt: str) -> Path:
    """The file ``stem`` is written to in format ``fmt`` (``stem.png`` ...)."""
    return stem.with_name(f"{stem.name}.{fmt}")


def save_format(fig: Figure, path: Path, fmt: str, *, dpi: int = 200) -> None:
    """Write ``fig`` to ``path`` in one format (png at ``dpi``; svg, pdf), without metadata dates."""
    meta = {"png": {"Software": "tariffsim"}, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[fmt]
    with mpl.rc_context(STYLE):
        fig.savefig(path, format=fmt, dpi=dpi if fmt == "png" else "figure", metadata=meta)
    log.debug("wrote %s", path)


def save_figure(
    fig: Figure, stem: str | Path, formats: Sequence[str] = FIGURE_FORMATS, *, dpi: int = 200
) -> list[Path]:
    """Write ``fig`` as ``stem.png`` (``dpi``, default 200), ``stem.svg`` and ``stem.pdf`` (or the
    ``formats`` given); returns the paths. Metadata dates are left out so that reruns give the same
    SVG/PDF bytes. The parent folder is created when missing."""
    stem = Path(stem)
    fmts = check_formats(formats, FIGURE_FORMATS, field="formats", kind="figure")
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for f in fmts:
        path = figure_path(stem, f)
        save_format(fig, path, f, dpi=dpi)
        out.append(path)
    return out
