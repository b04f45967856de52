"""Reports: tables for reading, the report folder behind ``tariffsim report`` and the sweep folder
behind ``tariffsim sweep``.

Tables are DataFrames with the unit in every column header and numbers rounded for reading
(``attrs['decimals']`` per column, ``attrs['title']``, ``attrs['notes']``). :func:`write_table`
writes them as CSV (the rounded numbers, so reading the CSV back gives the same values), Markdown
(pipe table), LaTeX (booktabs) and HTML (a plain ``<table>``).

:func:`write_report` and :func:`write_sweep` build the whole output in a temporary folder beside
``out_dir`` and move it into place only when everything has been written: a failure leaves neither
a half-written ``out_dir`` nor the temporary folder behind, and a non-empty ``out_dir`` is replaced
only with ``force=True`` (after success). Files in the report folder::

    report.html                 the briefing (figures referenced relatively)
    scenario.toml               the scenario used (Scenario.to_toml())
    provenance.json             result.provenance, the run --json summary, settings, files, SHA-256
    figures/NAME.{png,svg,pdf}  see tariffsim.plots
    tables/NAME.{csv,md,tex,html}   summary (by elasticity set), sectors, partners
    data/*.csv                  the tidy data behind the figures (sweep, grid, tornado, paths, draws)
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import OutputExistsError, TariffSimError

__all__ = [
    "summary_table",
    "sector_table",
    "partner_table",
    "write_table",
    "write_report",
    "write_sweep",
    "ProgressBar",
    "ReportRecord",
    "REPORT_STEPS",
    "SWEEP_STEPS",
    "DEFAULT_SIGMAS",
    "FIGURE_FORMATS",
    "TABLE_FORMATS",
]

log = logging.getLogger(__name__)

US = "USA"
FIGURE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
TABLE_FORMATS: tuple[str, ...] = ("csv", "md", "tex", "html")
#: Armington elasticities of the heatmap (the central set's sigma is added when missing).
DEFAULT_SIGMAS: tuple[float, ...] = (1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
#: The step names :func:`write_report` passes to ``progress``, in order (one call each).
REPORT_STEPS: tuple[str, ...] = ("simulate", "tariff sweep", "elasticity grid", "tornado", "figures", "tables",
                                 "report.html", "finish")
#: The step names :func:`write_sweep` passes to ``progress``.
SWEEP_STEPS: tuple[str, ...] = ("tariff sweep", "elasticity grid", "figures", "finish")


# ============================================================================= progress


class ProgressBar:
    """A small text progress bar for :func:`write_report` / :func:`write_sweep` (no tqdm).

    ``ProgressBar(len(REPORT_STEPS))`` and pass it as ``progress=``: each call ``bar(step)``
    announces the step that starts (the bar shows the steps finished before it; the last step
    fills it). On a terminal the bar redraws one line; on a pipe or a
    file it writes one line a step. Call :meth:`close` (or use it as a context manager) to end
    the line.
    """

    def __init__(self, total: int, stream=None, *, width: int = 24, label: str = "tariffsim"):
        self.total = max(1, int(total))
        self.stream = sys.stderr if stream is None else stream
        self.width = int(width)
        self.label = label
        self.count = 0
        self._open = False
        self._t0 = time.perf_counter()
        isatty = getattr(self.stream, "isatty", None)
        self._tty = bool(isatty()) if callable(isatty) else False

    def __call__(self, step: str) -> None:
        self.count = min(self.count + 1, self.total)
        done = self.count if self.count >= self.total else self.count - 1  # the named step is starting
        filled = int(round(self.width * done / self.total))
        bar = "#" * filled + "." * (self.width - filled)
        text = f"{self.label} [{bar}] {self.count}/{self.total} {step}"
        if self._tty:
            self.stream.write("\r" + text.ljust(self.width + 60)[: self.width + 60])
            self._open = True
            if self.count >= self.total:
                self.close()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write(f"  ({time.perf_counter() - self._t0:.1f} s)\n")
            self.stream.flush()
            self._open = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ============================================================================= tables


def _finish_table(df: pd.DataFrame, decimals: Mapping[str, int], *, title: str, notes: str = "") -> pd.DataFrame:
    for col, nd in decimals.items():
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float).round(nd)
    df.attrs["decimals"] = dict(decimals)
    df.attrs["title"] = title
    df.attrs["notes"] = notes
    return df


def _pct(new: float, old: float) -> float:
    return 100.0 * (new / old - 1.0) if old > 0 else math.nan


def _median_value(v) -> float:
    if isinstance(v, Mapping):
        vals = [float(x) for x in v.values()]
        return float(np.median(vals)) if vals else math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _country(code: str) -> str:
    from .plots import _country_label

    return _country_label(code)


def summary_table(result) -> pd.DataFrame:
    """The headline numbers by elasticity set, one row a set (rounded; units in the headers).

    Exports (all markets and to the US, exporter prices) after four quarters and in the long run;
    real GDP deviation after four quarters and in the long run; the probability of a technical
    recession within four quarters with the set's point GDP path; the change in US tariff revenue
    in the long run (USD bn a year).
    """
    d = result.data
    c = d.index(result.country)
    u = d.index(US) if US in d.countries else None
    rows = []
    for name in result.sets:
        so = result.sets[name]
        h = result.headline(name)
        es = so.elasticities
        lr = so.long_run
        row = {"Elasticity set": name}
        if result.model == "ge":
            row["GE trade elasticity ε"] = _median_value(getattr(es, "ge_trade_elasticity", math.nan))
        else:
            row["σ (Armington)"] = _median_value(es.sigma)
            row["η (import demand)"] = _median_value(es.eta)
            row["Export-supply elasticity"] = _median_value(es.eps_x)
        row["Exports after 4 quarters (%)"] = h.get("exports_change_pct_after_4q")
        row["Exports, long run (%)"] = _pct(float(lr.V1[c].sum()), float(lr.V0[c].sum()))
        if u is not None and u != c:
            row["Exports to the US, long run (%)"] = _pct(float(lr.V1[c, u].sum()), float(lr.V0[c, u].sum()))
        row["GDP after 4 quarters (%)"] = h.get("gdp_impact_pct")
        row["GDP, long run (%)"] = h.get("gdp_impact_pct_long_run")
        rp = h.get("recession_probability")
        row["Recession within 4 quarters (%)"] = 100 * rp if rp is not None else math.nan
        if u is not None:
            rev = float(np.asarray(lr.revenue1)[:, u].sum() - np.asarray(lr.revenue0)[:, u].sum())
            row["US tariff revenue, long run (USD bn a year)"] = rev / 1e9
        rows.append(row)
    df = pd.DataFrame(rows)
    dec = {col: 2 for col in df.columns if col.startswith(("σ", "η", "Export-supply", "GE trade"))}
    dec.update({col: 1 for col in df.columns if col.startswith(("Exports", "Recession", "US tariff"))})
    dec.update({col: 2 for col in df.columns if col.startswith("GDP")})
    base = result.recession.recession_probability_baseline if result.recession is not None else None
    notes = [f"{_country(result.country)}; exports at exporter prices; GDP: deviation of the real GDP level from "
             "baseline; long run: trade elasticities fully adjusted."]
    if base is not None:
        notes.append(f"Recession: two consecutive quarters of negative q/q growth, with each set's point GDP path "
                     f"({result.recession.n_paths:,} simulated paths); without the tariff {100 * base:.1f} %.")
    if result.model != "ge":
        notes.append("Elasticities: sector medians where they vary by sector; export-supply elasticity inf = "
                     "fixed exporter prices (full pass-through).")
    return _finish_table(df, dec, title=f"Headline results by elasticity set: {result.scenario.name}",
                         notes=" ".join(notes))


def sector_table(result, set_name: str | None = None) -> pd.DataFrame:
    """The reported country's exports to all markets by sector (exporter prices): baseline value
    and change in the short run (about one year) and the long run, USD bn a year and percent; the
    last row is the total."""
    name = set_name or result.central
    sr = result.by_sector(name, horizon="short_run").set_index("sector")
    lr = result.by_sector(name, horizon="long_run").set_index("sector")
    lr = lr.sort_values("change_usd")
    sr = sr.loc[lr.index]
    df = pd.DataFrame({
        "Sector": lr["sector_label"].to_numpy(),
        "Exports, baseline (USD bn a year)": lr["value_baseline_usd"].to_numpy() / 1e9,
        "Change, short run (USD bn)": sr["change_usd"].to_numpy() / 1e9,
        "Change, short run (%)": sr["change_pct"].to_numpy(),
        "Change, long run (USD bn)": lr["change_usd"].to_numpy() / 1e9,
        "Change, long run (%)": lr["change_pct"].to_numpy(),
    })
    t0 = float(lr["value_baseline_usd"].sum())
    total = {"Sector": "Total",
             "Exports, baseline (USD bn a year)": t0 / 1e9,
             "Change, short run (USD bn)": float(sr["change_usd"].sum()) / 1e9,
             "Change, short run (%)": 100 * float(sr["change_usd"].sum()) / t0 if t0 > 0 else math.nan,
             "Change, long run (USD bn)": float(lr["change_usd"].sum()) / 1e9,
             "Change, long run (%)": 100 * float(lr["change_usd"].sum()) / t0 if t0 > 0 else math.nan}
    df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    dec = {c: 1 for c in df.columns if c != "Sector"}
    return _finish_table(
        df, dec, title=f"{_country(result.country)}'s exports by sector, all markets ('{name}' elasticities)",
        notes=f"Trade model, exporter prices, baseline {result.data.year} flows. Short run: trade elasticities times "
              "0.38 (Boehm, Levchenko and Pandalai-Nayar 2023); long run: fully adjusted.")


def partner_table(result, set_name: str | None = None, *, importer: str = US) -> pd.DataFrame:
    """By partner and market, long run: each economy's sales in ``importer``'s market (baseline,
    change in USD bn and percent), the reported country's exports to that market (baseline, change
    in percent) and the economy's total exports (change in percent). Exporter prices."""
    name = set_name or result.central
    d = result.data
    rc = result.country
    f = result.by_flow(name, horizon="long_run")
    bc = result.by_country(name, horizon="long_run").set_index("country")
    rows = []
    for code in d.countries:
        row = {"Economy": _country(code), "Code": code}
        mk = "US" if importer == US else importer
        if code != importer and importer in d.countries:
            g = f[(f.exporter == code) & (f.importer == importer)]
            b0 = float(g.value_baseline_usd.sum())
            ch = float(g.change_usd.sum())
            row[f"Sales in the {mk} market, baseline (USD bn a year)"] = b0 / 1e9
            row[f"Sales in the {mk} market, change (USD bn)"] = ch / 1e9
            row[f"Sales in the {mk} market, change (%)"] = 100 * ch / b0 if b0 > 0 else math.nan
        else:
            row[f"Sales in the {mk} market, baseline (USD bn a year)"] = math.nan
            row[f"Sales in the {mk} market, change (USD bn)"] = math.nan
            row[f"Sales in the {mk} market, change (%)"] = math.nan
        if code != rc:
            g = f[(f.exporter == rc) & (f.importer == code)]
            b0 = float(g.value_baseline_usd.sum())
            row[f"{rc} exports to this market, baseline (USD bn a year)"] = b0 / 1e9
            row[f"{rc} exports to this market, change (%)"] = 100 * float(g.change_usd.sum()) / b0 if b0 > 0 else math.nan
        else:
            row[f"{rc} exports to this market, baseline (USD bn a year)"] = math.nan
            row[f"{rc} exports to this market, change (%)"] = math.nan
        row["Total exports, change (%)"] = float(bc.loc[code, "exports_change_pct"])
        rows.append(row)
    df = pd.DataFrame(rows)
    key = f"Sales in the {'US' if importer == US else importer} market, baseline (USD bn a year)"
    order = df[key].fillna(-1.0).sort_values(ascending=False, kind="stable").index
    df = df.loc[order].reset_index(drop=True)
    dec = {c: 1 for c in df.columns if c not in ("Economy", "Code")}
    from .plots import REGION_NAMES

    regions = [f"{k} = {REGION_NAMES[k]}" for k in d.countries if k in REGION_NAMES]
    notes = (f"Trade model, exporter prices, baseline {d.year} flows; long run: trade elasticities fully adjusted; "
             "a dash: not applicable (own market).")
    if regions:
        notes += " Regions: " + ", ".join(regions) + "."
    return _finish_table(df, dec, title=f"Partners and markets, long run ('{name}' elasticities)", notes=notes)


# ----------------------------------------------------------------------------- writers

_TEX_ESCAPE = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
               "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_TEX_SYMBOLS = {"σ": r"$\sigma$", "η": r"$\eta$", "ε": r"$\varepsilon$", "×": r"$\times$", "–": "--", "—": "---",
                "−": "$-$", "≈": r"$\approx$", "∞": r"$\infty$"}


def tex_escape(text: str) -> str:
    """Escape LaTeX's special characters (& % $ # _ { } ~ ^ \\) and map a few symbols to math."""
    out = "".join(_TEX_ESCAPE.get(ch, ch) for ch in str(text))
    for k, v in _TEX_SYMBOLS.items():
        out = out.replace(k, v)
    return out


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _cell(v, nd: int | None, kind: str) -> str:
    """A number for reading: fixed decimals, thousands separators, minus sign and n/a per format."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return {"md": "–", "html": "–", "tex": "--"}[kind]
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        f = float(v)
        if math.isinf(f):
            s = "∞" if f > 0 else "−∞"
            return tex_escape(s) if kind == "tex" else s
        s = f"{f:,.{nd}f}" if nd is not None else f"{f:,g}"
        if s.startswith("-") and float(s.replace(",", "")) == 0:
            s = s[1:]  # no "-0.0"
        if kind == "tex":
            return s.replace("-", "$-$")
        if kind == "html":
            return s.replace("-", "−")
        return s
    text = str(v)
    if kind == "tex":
        return tex_escape(text)
    if kind == "html":
        return html.escape(text)
    return text.replace("|", r"\|")


def _to_markdown(df: pd.DataFrame) -> str:
    dec = df.attrs.get("decimals", {})
    num = [_is_numeric(df[c]) for c in df.columns]
    head = "| " + " | ".join(str(c).replace("|", r"\|") for c in df.columns) + " |"
    align = "| " + " | ".join("---:" if n else ":---" for n in num) + " |"
    lines = [head, align]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v, dec.get(c), "md") for c, v in zip(df.columns, row, strict=True)) + " |")
    out = []
    if df.attrs.get("title"):
        out += [f"**{df.attrs['title']}**", ""]
    out += lines
    if df.attrs.get("notes"):
        out += ["", f"Notes: {df.attrs['notes']}"]
    return "\n".join(out) + "\n"


def _to_latex(df: pd.DataFrame) -> str:
    dec = df.attrs.get("decimals", {})
    spec = "".join("r" if _is_numeric(df[c]) else "l" for c in df.columns)
    lines = []
    if df.attrs.get("title"):
        lines.append(f"% {df.attrs['title']}")
    if df.attrs.get("notes"):
        lines.append(f"% Notes: {df.attrs['notes']}")
    lines += ["% needs \\usepackage{booktabs}", f"\\begin{{tabular}}{{{spec}}}", "\\toprule",
              " & ".join(tex_escape(c) for c in df.columns) + r" \\", "\\midrule"]
    for row in df.itertuples(index=False):
        lines.append(" & ".join(_cell(v, dec.get(c), "tex") for c, v in zip(df.columns, row, strict=True)) + r" \\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _to_html(df: pd.DataFrame, *, table_id: str | None = None) -> str:
    dec = df.attrs.get("decimals", {})
    num = [_is_numeric(df[c]) for c in df.columns]
    attr = f' id="{html.escape(table_id)}"' if table_id else ""
    out = [f'<table class="tariffsim-table"{attr}>']
    if df.attrs.get("title"):
        out.append(f"  <caption>{html.escape(df.attrs['title'])}</caption>")
    out.append("  <thead><tr>" + "".join(
        f'<th class="{"num" if n else "text"}" scope="col">{html.escape(str(c))}</th>'
        for c, n in zip(df.columns, num, strict=True)) + "</tr></thead>")
    out.append("  <tbody>")
    for row in df.itertuples(index=False):
        cells = "".join(f'<td class="{"num" if n else "text"}">{_cell(v, dec.get(c), "html")}</td>'
                        for c, v, n in zip(df.columns, row, num, strict=True))
        out.append(f"    <tr>{cells}</tr>")
    out.append("  </tbody>")
    if df.attrs.get("notes"):
        out.append(f'  <tfoot><tr><td colspan="{len(df.columns)}">{html.escape(df.attrs["notes"])}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out) + "\n"


def write_table(df: pd.DataFrame, stem: str | os.PathLike, formats: Sequence[str] = TABLE_FORMATS) -> list[Path]:
    """Write a table as ``stem.csv`` (the rounded numbers; ``pd.read_csv`` gives them back),
    ``stem.md`` (pipe table), ``stem.tex`` (booktabs tabular, special characters escaped) and
    ``stem.html`` (a plain ``<table>``), or the ``formats`` given. UTF-8. Returns the paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for fmt in formats:
        fmt = fmt.lower().lstrip(".")
        path = stem.with_name(f"{stem.name}.{fmt}")
        if fmt == "csv":
            df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        elif fmt == "md":
            path.write_text(_to_markdown(df), encoding="utf-8")
        elif fmt == "tex":
            path.write_text(_to_latex(df), encoding="utf-8")
        elif fmt == "html":
            path.write_text(_to_html(df), encoding="utf-8")
        else:
            raise ValueError(f"unknown table format {fmt!r}; expected csv, md, tex or html")
        out.append(path)
    return out


# ============================================================================= atomic folders


@dataclass(frozen=True)
class ReportRecord:
    """What :func:`write_report` / :func:`write_sweep` wrote.

    ``out_dir``: the folder; ``files``: paths relative to it (POSIX separators), sorted;
    ``seconds``: wall time; ``scenario`` and ``scenario_hash``: what was run.
    """

    out_dir: Path
    files: tuple[str, ...]
    seconds: float
    scenario: str
    scenario_hash: str

    @property
    def paths(self) -> list[Path]:
        return [self.out_dir / f for f in self.files]


def _check_target(out_dir: Path, force: bool) -> None:
    if out_dir.is_symlink() or out_dir.exists():
        if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
            return
        if not force:
            what = "folder" if out_dir.is_dir() else "file"
            raise OutputExistsError(f"output {what} {out_dir} exists and is not empty; "
                                    "pass force=True (CLI: --force) to replace it")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _atomic_folder(out_dir: Path, force: bool, fill: Callable[[Path], object]):
    """Run ``fill(tmp)`` in a temporary folder beside ``out_dir``, then move it into place.

    On any exception the temporary folder is removed and ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    _check_target(out_dir, force)
    parent = out_dir.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]  # removed again on failure
    parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=parent))
    except BaseException:
        _remove_empty(created)
        raise
    try:
        value = fill(tmp)
        tmp.chmod(0o755)
        _check_target(out_dir, force)  # it may have appeared meanwhile
        if out_dir.is_symlink() or out_dir.exists():
            if out_dir.is_dir() and not out_dir.is_symlink() and not any(out_dir.iterdir()):
                out_dir.rmdir()
                tmp.rename(out_dir)
            else:  # force: swap, then delete the old one
                old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=parent))
                old.rmdir()
                out_dir.rename(old)
                try:
                    tmp.rename(out_dir)
                except BaseException:
                    old.rename(out_dir)
                    raise
                _remove(old)
        else:
            tmp.rename(out_dir)
    except BaseException:
        _remove(tmp)
        _remove_empty(created)
        raise
    return value


def _remove_empty(folders: Sequence[Path]) -> None:
    """Remove folders this call created (deepest first) if they are still empty."""
    for f in folders:
        try:
            f.rmdir()
        except OSError:
            break


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return o.as_posix()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return str(o)


def _clean_json(o):
    if isinstance(o, Mapping):
        return {str(k): _clean_json(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_clean_json(v) for v in o]
    if isinstance(o, np.generic):
        o = o.item()
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return o


def _write_provenance(root: Path, base: Mapping, extra: Mapping) -> None:
    files = _files(root)
    prov = {**dict(base), **dict(extra)}
    prov["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    prov["files"] = sorted([*files, "provenance.json"])
    prov["sha256"] = {f: _sha256(root / f) for f in files}
    text = json.dumps(_clean_json(prov), indent=2, allow_nan=False, default=_json_default, ensure_ascii=False)
    (root / "provenance.json").write_text(text + "\n", encoding="utf-8")


def _say(progress: Callable[[str], None] | None, step: str) -> None:
    log.info("report: %s", step)
    if progress is not None:
        progress(step)


def _scenario_rate(sc) -> float | None:
    """The rate of the scenario's tariff measures (their largest) for marking figures."""
    rates = [m.rate for m in sc.tariffs]
    return max(rates) if rates else None


def _central_sigma(sc) -> float | None:
    s = sc.elasticity_set(sc.central_set).sigma
    return float(s) if isinstance(s, int | float) else None


def _sigmas(sc, sigmas: Iterable[float] | None) -> list[float]:
    out = sorted({float(s) for s in (DEFAULT_SIGMAS if sigmas is None else sigmas)})
    cs = _central_sigma(sc)
    if sigmas is None and cs is not None and not any(math.isclose(cs, s) for s in out):
        out = sorted([*out, cs])
    return out


def _sweep_sets(sc, wanted: Sequence[str]) -> list[str]:
    out = []
    for s in wanted:
        try:
            sc.elasticity_set(s)
        except TariffSimError:
            log.warning("elasticity set %r is not available; left out of the sweep", s)
            continue
        out.append(s)
    return out


def _rates_text(rates) -> str:
    if isinstance(rates, str):
        return rates
    return ",".join(f"{float(r):g}" for r in rates)


# ============================================================================= the report


def write_report(
    scenario,
    out_dir: str | os.PathLike,
    *,
    force: bool = False,
    formats: Sequence[str] = FIGURE_FORMATS,
    table_formats: Sequence[str] = TABLE_FORMATS,
    data=None,
    progress: Callable[[str], None] | None = None,
    sweep_rates: str | Iterable[float] = "0:0.5:0.05",
    sweep_sets: Sequence[str] = ("low", "central", "high"),
    sigmas: Iterable[float] | None = None,
    draws: int | None = None,
    n_paths: int | None = None,
    sweep_n_paths: int | None = None,
) -> ReportRecord:
    """Run a scenario and write the report folder ``out_dir`` (see the module docstring).

    Parameters
    ----------
    scenario : a built-in name ('mex25'), a TOML path, a dict or a :class:`~tariffsim.scenario.Scenario`.
    out_dir : the folder to create. A non-empty folder raises
        :class:`~tariffsim.errors.OutputExistsError` unless ``force``; with ``force`` it is replaced
        only after the new report has been written completely.
    formats : figure formats (png at 200 dpi, svg, pdf). table_formats : csv, md, tex, html.
    data : a :class:`~tariffsim.datasets.TradeData` (default: the scenario's dataset).
    progress : callable receiving the name of each step (:data:`REPORT_STEPS`), e.g. a
        :class:`ProgressBar`.
    sweep_rates : tariff rates (shares) for the recession curve and the heatmap: 'START:STOP:STEP',
        a comma list or numbers (default 0 to 50 % by 5 points).
    sweep_sets : elasticity sets of the recession curve.
    sigmas : Armington elasticities of the heatmap (default :data:`DEFAULT_SIGMAS` plus the
        central set's σ).
    draws, n_paths : Monte Carlo parameter draws and simulated paths of the main run (default: the
        scenario's). sweep_n_paths : paths per sweep point (default: the scenario's, so that the
        sweep's no-tariff probability equals the main run's).

    Returns a :class:`ReportRecord` with the files written.
    """
    from . import plots
    from .scenario import load_scenario
    from .simulation import simulate
    from .uncertainty import elasticity_grid, parse_grid, sweep, tornado

    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    sc = load_scenario(scenario)
    rates = parse_grid(sweep_rates) if isinstance(sweep_rates, str) else np.asarray(list(sweep_rates), dtype=float)
    _check_target(out_dir, force)  # fail before any work
    data = sc.load_data() if data is None else data
    figure_formats = tuple(f.lower() for f in formats)
    tfmt = tuple(f.lower() for f in table_formats)

    def fill(root: Path) -> dict:
        _say(progress, "simulate")
        result = simulate(sc, data=data, draws=draws, n_paths=n_paths)
        sets = _sweep_sets(sc, sweep_sets)
        # heatmap and tornado vary the PE model's sigma and assumptions: for a GE scenario they run its PE twin
        sc_pe = sc if sc.model == "pe" else replace(sc, model="pe")
        _say(progress, "tariff sweep")
        sw = sweep(sc, rates, sets, data=data, n_paths=sweep_n_paths or sc.n_paths)
        sw.attrs["scenario"] = sc.name
        _say(progress, "elasticity grid")
        sig = _sigmas(sc, sigmas)
        grid = elasticity_grid(sc_pe, rates, sig, data=data)
        grid.attrs["scenario"] = sc.name
        _say(progress, "tornado")
        tor = tornado(sc_pe, data=data)
        tor.attrs["scenario"] = sc.name

        _say(progress, "figures")
        figs = _report_figures(result, sw, grid, tor, sc, sc_pe)
        fig_dir = root / "figures"
        for name, (fig, _caption) in figs.items():
            plots.save_figure(fig, fig_dir / name, figure_formats)

        _say(progress, "tables")
        tables = {"summary": summary_table(result), "sectors": sector_table(result), "partners": partner_table(result)}
        for name, df in tables.items():
            write_table(df, root / "tables" / name, tfmt)
        ddir = root / "data"
        ddir.mkdir()
        sw.to_csv(ddir / "sweep.csv", index=False, lineterminator="\n")
        grid.to_csv(ddir / "elasticity_grid.csv", index=False, lineterminator="\n")
        tor.to_csv(ddir / "tornado.csv", index=False, lineterminator="\n")
        result.gdp_path().to_csv(ddir / "gdp_path.csv", index=False, lineterminator="\n")
        if result.recession is not None:
            result.recession.quantiles().to_csv(ddir / "growth_quantiles.csv", index=False, lineterminator="\n")
        if result.draws is not None and len(result.draws):
            result.draws.to_csv(ddir / "parameter_draws.csv", index=False, lineterminator="\n")
        (root / "scenario.toml").write_text(sc.to_toml(), encoding="utf-8")

        _say(progress, "report.html")
        page = _report_html(result, sc, figs=figs, figure_formats=figure_formats, tables=tables, table_formats=tfmt,
                            data_files=_files(root / "data"), pe_twin=sc_pe is not sc)
        (root / "report.html").write_text(page, encoding="utf-8")
        settings = {"sweep_rates": [float(r) for r in rates], "sweep_sets": sets, "sigmas": sig,
                    "sweep_n_paths": sweep_n_paths or sc.n_paths, "figure_formats": list(figure_formats),
                    "table_formats": list(tfmt), "heatmap_and_tornado_model": "pe"}
        _write_provenance(root, result.provenance, {"run": result.to_json(), "report": settings})
        _say(progress, "finish")
        return {"hash": sc.hash}

    info = _atomic_folder(out_dir, force, fill)
    rec = ReportRecord(out_dir=out_dir, files=tuple(_files(out_dir)), seconds=time.perf_counter() - t_start,
                       scenario=sc.name, scenario_hash=info["hash"])
    log.info("report for %s written to %s (%d files, %.1f s)", sc.name, out_dir, len(rec.files), rec.seconds)
    return rec


def _report_figures(result, sw, grid, tor, sc, sc_pe) -> dict:
    """name -> (Figure, one-sentence caption for the HTML)."""
    from . import plots

    pe_twin = sc_pe is not sc
    rate = _scenario_rate(sc)
    cs = _central_sigma(sc)
    c = _country(result.country)
    pe_note = " (PE model)" if pe_twin else ""
    figs = {
        "gdp_by_set": (plots.gdp_by_set(result),
                       f"Real GDP of {c}, deviation from baseline after four quarters (bars) and in the long run "
                       "(diamonds), by elasticity set; the whisker is the 5–95 % range of the Monte Carlo parameter "
                       "draws."),
        "fan_chart": (plots.fan_chart(result),
                      "Quarterly growth (q/q, % per quarter) with and without the tariff: medians and 25–75 % and "
                      "5–95 % bands of the simulated paths."),
        "recession_curve": (plots.recession_curve(sw, mark_rate=rate, sources=result),
                            "Probability of a technical recession within four quarters against the tariff rate, for "
                            "the low, central and high elasticity sets; the dashed line is the probability without "
                            "the tariff."),
        "gdp_path_chart": (plots.gdp_path_chart(result),
                           "Quarterly GDP level deviation from baseline by channel (bars) and in total (line)."),
        "export_losses_by_sector": (plots.export_losses_by_sector(result),
                                    f"Change in {c}'s exports by sector, short run and long run (USD bn a year)."),
        "diversion_by_source": (plots.diversion_by_source(result),
                                "Change in each source's sales in the US market: the tariffed sources lose, third "
                                "countries gain (trade diversion)."),
        "gdp_heatmap": (plots.gdp_heatmap(grid, mark=(rate, cs) if rate is not None and cs is not None else None,
                                          sources=result if not pe_twin else sc_pe,
                                          title="GDP impact over tariff rate and trade elasticity" + pe_note),
                        "GDP after four quarters over a grid of tariff rates and Armington elasticities σ (other "
                        "parameters central)" + pe_note + "."),
        "tornado_chart": (plots.tornado_chart(tor, sources=result if not pe_twin else sc_pe,
                                              title="Sensitivity of the GDP impact" + pe_note),
                          "One-at-a-time sensitivity of GDP after four quarters: each parameter at its low and high "
                          "value, the rest central" + pe_note + "."),
    }
    if result.ge is not None:
        figs["ge_welfare"] = (plots.ge_welfare(result.ge.by_country(), sources=result),
                              "General-equilibrium welfare change by economy (percent).")
    return figs


# ----------------------------------------------------------------------------- the HTML briefing

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; color: #222; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.6rem; line-height: 1.25; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
h3 { font-size: 1.0rem; margin-top: 1.4rem; }
.meta { color: #555; font-size: 0.9rem; }
.question { font-size: 1.05rem; background: #f4f6f9; border-left: 4px solid #1f4e89; padding: 0.6rem 1rem; }
.numbers { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0.8rem; margin: 1rem 0; }
.number { border: 1px solid #d0d7e1; padding: 0.6rem 0.8rem; }
.number .value { font-size: 1.6rem; font-weight: bold; color: #0b1f3a; font-family: 'DejaVu Sans', Arial, sans-serif; }
.number .label { font-size: 0.85rem; color: #444; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #444; }
table.tariffsim-table, table.plain { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem;
       font-family: 'DejaVu Sans', Arial, sans-serif; }
table.tariffsim-table caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
table.tariffsim-table thead th { border-top: 2px solid #222; border-bottom: 1px solid #222; padding: 0.25rem 0.5rem;
       vertical-align: bottom; }
table.tariffsim-table tbody tr:last-child td { border-bottom: 2px solid #222; }
table.tariffsim-table td, table.plain td, table.plain th { padding: 0.2rem 0.5rem; vertical-align: top; }
table.plain th { text-align: left; border-bottom: 1px solid #222; }
table.plain td { border-bottom: 1px solid #eee; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-size: 0.8rem; color: #555; padding-top: 0.3rem; }
.downloads { font-size: 0.85rem; color: #555; }
.caveats li { margin-bottom: 0.5rem; }
code { font-size: 0.9em; }
"""


_ASSUMPTION_LABELS = {
    "multiplier": "Domestic multiplier",
    "uncertainty_drag_pct": "Uncertainty drag (% of GDP)",
    "exchange_rate_offset": "Exchange-rate offset (share of the tariff)",
    "baseline_growth_annual_pct": "Baseline growth (% a year)",
    "us_input_share_of_imports": "US inputs in imports (share)",
    "input_cost_passthrough": "Input-cost pass-through (share)",
}


def _e(x) -> str:
    return html.escape(str(x))


def _signed(v, nd: int = 1) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{float(v):+.{nd}f}".replace("-", "−")


def _share_pct(v, nd: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    return f"{100 * float(v):.{nd}f} %"


def _measure_text(m, data_countries=None) -> str:
    exp = "all partners" if m.exporters == "all" else ", ".join(_country(c) for c in m.exporters)
    sec = "all goods" if m.sectors == "all" else "sectors " + ", ".join(m.sectors)
    if m.exclude_sectors:
        sec += " except " + ", ".join(m.exclude_sectors)
    text = f"{_country(m.importer)}: {m.rate * 100:g} % on {sec} from {exp}"
    if m.exempt_share:
        text += f", {m.exempt_share * 100:g} % of the trade exempt (effective {m.effective_rate * 100:.4g} %)"
    if m.mode == "set":
        text += " (replacing the baseline duty)"
    else:
        text += " (on top of the 2024 duty)"
    return text


def _value_text(v) -> str:
    from .scenario import Range

    if isinstance(v, Range):
        if v.low == v.central == v.high:
            return f"{v.central:g}"
        return f"{v.central:g} (low {v.low:g}, high {v.high:g})"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _es_value(v) -> str:
    if isinstance(v, Mapping):
        vals = [float(x) for x in v.values()]
        return f"by sector (median {np.median(vals):.3g})" if vals else "by sector"
    if isinstance(v, float) and math.isinf(v):
        return "∞"
    return f"{v:g}" if isinstance(v, int | float) else str(v)


def _download_links(stem: str, formats: Sequence[str]) -> str:
    return " · ".join(f'<a href="{_e(stem)}.{f}">{f.upper()}</a>' for f in formats)


def _published_comparison(result, j: Mapping) -> str | None:
    """The seed case only: how the central GDP number compares with published estimates."""
    sc = result.scenario
    on_mex = any(m.importer == US and (m.exporters == "all" or "MEX" in m.exporters) for m in sc.tariffs)
    if result.country != "MEX" or not on_mex:
        return None
    g = j.get("gdp_impact_pct")
    if g is None:
        return None
    where = ("inside that range" if -3.0 <= g <= -1.0 else
             "outside it, on the side of larger losses" if g < -3.0 else "outside it, on the side of smaller losses")
    model = ("this partial-equilibrium result" if result.model == "pe" else "this general-equilibrium result")
    text = (
        "Published estimates of a 25 % US tariff on Mexico put the GDP loss in the first year at about −1 % to −3 % "
        "(PIIE's G-Cubed simulation, McKibbin, Hogan and Noland, February 2025, about −2 % at the peak; bank "
        "estimates between about −1 % and −3 %; the OECD's March 2025 Interim Outlook cut Mexico's 2025 growth from "
        f"+1.2 % to −1.3 % assuming the tariffs and retaliation), as collected in the tariffsim README. "
        f"At {_signed(g, 1)} % after four quarters {model} lies {where}.")
    if result.model == "pe" and g < -3.0:
        text += (" The reasons are its assumptions: no exchange-rate or monetary offset in the central case, every lost "
                 "dollar of exports costs its domestic value added within the year, micro trade elasticities, and a "
                 "permanent tariff on all goods. The general-equilibrium model (<code>model = \"ge\"</code>), in "
                 "which wages and prices adjust, gives a smaller loss; so do the USMCA exemption and a partial "
                 "exchange-rate offset (see the tornado chart).")
    return text


def _report_html(result, sc, *, figs: Mapping, figure_formats: Sequence[str], tables: Mapping[str, pd.DataFrame],
                 table_formats: Sequence[str], data_files: Sequence[str], pe_twin: bool) -> str:
    from . import __version__
    from .scenario import ASSUMPTIONS

    j = result.to_json()
    c = _country(result.country)
    so = result.outcome()
    mac = so.macro
    a = mac.assumptions if mac is not None else None
    png = "png" in figure_formats
    P: list[str] = []
    add = P.append

    title = sc.description or sc.name
    add("<!DOCTYPE html>")
    add('<html lang="en"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add(f"<title>{_e(sc.name)}: {_e(title)}</title>")
    add(f"<style>{_CSS}</style></head><body>")
    add(f"<h1>What does this tariff do? {_e(title)}</h1>")
    add(f'<p class="meta">Scenario <code>{_e(sc.name)}</code> (hash {_e(sc.hash)}), '
        f"{'partial-equilibrium' if result.model == 'pe' else 'general-equilibrium'} model, tariffsim "
        f"{_e(__version__)}, data {_e(result.data.name)} ({_e(result.data.year)}). "
        f'Files: <a href="scenario.toml">scenario.toml</a> · <a href="provenance.json">provenance.json</a></p>')

    # -- the question
    add("<h2>The question</h2>")
    measures = "; ".join(_measure_text(m) for m in sc.tariffs) or "no new tariffs"
    add(f'<p class="question">{_e(measures)}'
        + (f"; in return {_e('; '.join(_measure_text(m) for m in sc.retaliation))}" if sc.retaliation else "")
        + f". How far do {_e(c)}'s exports fall, what happens to its GDP, how likely is a recession, "
          "and how much depends on the trade elasticities?</p>")

    # -- the main numbers
    add("<h2>The main numbers</h2>")
    boxes = []
    boxes.append((f"{_signed(j.get('exports_change_pct_after_4q'))} %",
                  f"{c}'s exports after four quarters (long run {_signed(j.get('exports_change_pct'))} %)"))
    if j.get("exports_to_us_change_pct") is not None:
        boxes.append((f"{_signed(j['exports_to_us_change_pct'])} %", f"{c}'s exports to the US, long run"))
    if j.get("gdp_impact_pct") is not None:
        boxes.append((f"{_signed(j['gdp_impact_pct'], 1)} %",
                      f"real GDP after four quarters, central set (range across sets "
                      f"{_signed(j.get('gdp_impact_pct_low'), 1)} to {_signed(j.get('gdp_impact_pct_high'), 1)} %)"))
    if j.get("recession_probability") is not None:
        boxes.append((_share_pct(j["recession_probability"]),
                      f"probability of a technical recession within four quarters (without the tariff "
                      f"{_share_pct(j['recession_probability_baseline'])})"))
    add('<div class="numbers">' + "".join(
        f'<div class="number"><div class="value">{_e(v)}</div><div class="label">{_e(lab)}</div></div>'
        for v, lab in boxes) + "</div>")
    items = []
    if j.get("gdp_impact_pct") is not None:
        txt = (f"<b>GDP.</b> In the central elasticity set {_e(c)}'s real GDP deviates from baseline by "
               f"{_signed(j['gdp_impact_pct'], 2)} % after four quarters and by "
               f"{_signed(j.get('gdp_impact_pct_long_run'), 2)} % in the long run. "
               f"Across the {len(result.sets)} elasticity sets the four-quarter figure runs from "
               f"{_signed(j.get('gdp_impact_pct_low'), 2)} % ('{_e(j.get('gdp_impact_pct_low_set'))}') to "
               f"{_signed(j.get('gdp_impact_pct_high'), 2)} % ('{_e(j.get('gdp_impact_pct_high_set'))}').")
        dd = j.get("gdp_impact_pct_draws")
        if dd:
            txt += (f" With parameter uncertainty ({dd['n']} Monte Carlo draws of elasticities and macro assumptions) "
                    f"90 % of outcomes lie between {_signed(dd['p95'], 2)} % and {_signed(dd['p05'], 2)} %.")
        items.append(txt)
    items.append(f"<b>Exports.</b> {_e(c)}'s exports (exporter prices) change by "
                 f"{_signed(j.get('exports_change_pct_after_4q'))} % after four quarters and "
                 f"{_signed(j.get('exports_change_pct'))} % in the long run"
                 + (f"; its exports to the US by {_signed(j['exports_to_us_change_pct'])} % in the long run"
                    if j.get("exports_to_us_change_pct") is not None else "") + ".")
    if j.get("recession_probability") is not None:
        mc = j.get("recession_monte_carlo", {})
        items.append(f"<b>Recession risk.</b> The probability of two consecutive quarters of negative growth within a "
                     f"year rises from {_share_pct(j['recession_probability_baseline'], 1)} to "
                     f"{_share_pct(j['recession_probability'], 1)}; the probability that growth in the first four "
                     f"quarters is negative against the year before rises from "
                     f"{_share_pct(j.get('annual_contraction_probability_baseline'), 1)} to "
                     f"{_share_pct(j.get('annual_contraction_probability'), 1)} ({mc.get('n_paths', 0):,} simulated "
                     f"paths over {mc.get('n_draws', 1)} parameter draws, common random numbers). The per-set numbers "
                     "in the table use each set's point path without parameter draws.")
    if j.get("us_tariff_revenue_usd") is not None:
        items.append(f"<b>United States.</b> Tariff revenue changes by {_signed(j['us_tariff_revenue_usd'] / 1e9)} bn "
                     f"USD a year and import prices by {_signed(j.get('us_import_price_change_pct'), 2)} % (central "
                     "set, long run).")
    add("<ul>" + "".join(f"<li>{t}</li>" for t in items) + "</ul>")
    for note in result.notes:
        add(f'<p class="meta">Note: {_e(note)}</p>')
    add(_table_block(tables["summary"], "summary", table_formats))

    # -- the figures
    add("<h2>Figures</h2>")
    add(f'<p class="downloads">Each figure is in <code>figures/</code> as {", ".join(f.upper() for f in figure_formats)}'
        f" (PNG at 200 dpi); the data behind them in <code>data/</code>: "
        + ", ".join(f'<a href="data/{_e(f)}">{_e(f)}</a>' for f in data_files) + ".</p>")
    order = ["gdp_by_set", "fan_chart", "recession_curve", "gdp_path_chart", "export_losses_by_sector",
             "diversion_by_source", "gdp_heatmap", "tornado_chart", "ge_welfare"]
    for k, name in enumerate([n for n in order if n in figs], start=1):
        _fig, cap = figs[name]
        add("<figure>")
        if png:
            add(f'<img src="figures/{name}.png" alt="Figure {k}: {_e(cap)}" loading="lazy">')
        add(f"<figcaption><b>Figure {k}.</b> {_e(cap)} "
            f'<span class="downloads">{_download_links("figures/" + name, figure_formats)}</span></figcaption>')
        add("</figure>")

    # -- tables
    add("<h2>Tables</h2>")
    add(_table_block(tables["sectors"], "sectors", table_formats))
    add(_table_block(tables["partners"], "partners", table_formats))

    # -- assumptions
    add("<h2>Assumptions</h2>")
    add("<h3>Tariffs</h3><ul>")
    for m in sc.tariffs:
        add(f"<li>{_e(_measure_text(m))}." + (f" <span class='meta'>Source: {_e(m.source)}</span>" if m.source else "")
            + "</li>")
    for m in sc.retaliation:
        add(f"<li>Retaliation: {_e(_measure_text(m))}."
            + (f" <span class='meta'>Source: {_e(m.source)}</span>" if m.source else "") + "</li>")
    add("</ul>")
    if a is not None:
        add("<h3>Macro transmission (central values)</h3>")
        rows = [
            ("Model form", a.form, ASSUMPTIONS["macro_form"].description, ""),
            ("Export dependence on the US", f"{a.export_dependence:.3g} (data: {a.export_dependence_data:.3f})",
             ASSUMPTIONS["export_dependence"].description, a.sources.get("export_dependence", "")),
            ("Value-added share of exports", f"{a.value_added_share:.3g} to the US, {a.value_added_share_other:.3g} "
             "to others", ASSUMPTIONS["value_added_share"].description, a.sources.get("value_added_share", "")),
        ]
        for key in ("multiplier", "uncertainty_drag_pct", "exchange_rate_offset", "baseline_growth_annual_pct"):
            spec = ASSUMPTIONS[key]
            src = f"scenario ({sc.source})" if key in sc.assumptions else spec.source
            rows.append((_ASSUMPTION_LABELS[key], _value_text(sc.assumption(key)), spec.description, src))
        if sc.retaliation:
            for key in ("us_input_share_of_imports", "input_cost_passthrough"):
                spec = ASSUMPTIONS[key]
                src = f"scenario ({sc.source})" if key in sc.assumptions else spec.source
                rows.append((_ASSUMPTION_LABELS[key], _value_text(sc.assumption(key)), spec.description, src))
        rows.append(("Adjustment speed of trade", f"{a.adjustment_speed:.3f} a quarter",
                     ASSUMPTIONS["adjustment_speed"].description, ASSUMPTIONS["adjustment_speed"].source))
        rows.append(("GDP and exports of " + c, f"{a.gdp_usd / 1e9:,.0f} and {a.exports_usd / 1e9:,.0f} bn USD",
                     "baseline values in the dataset", f"dataset {result.data.name}"))
        add('<table class="plain"><thead><tr><th>Assumption</th><th>Value</th><th>Meaning</th><th>Source</th></tr>'
            "</thead><tbody>" + "".join(
                f"<tr><td>{_e(n)}</td><td>{_e(v)}</td><td>{_e(d)}</td><td>{_e(s)}</td></tr>" for n, v, d, s in rows)
            + "</tbody></table>")
    add("<h3>Elasticity sets</h3>")
    add('<table class="plain"><thead><tr><th>Set</th><th>σ</th><th>η</th><th>export supply</th><th>GE ε</th>'
        "<th>Horizon</th><th>Sources</th></tr></thead><tbody>")
    for name, o in result.sets.items():
        es = o.elasticities
        src = "; ".join(f"{k}: {v}" for k, v in (es.sources or {}).items())
        add(f"<tr><td><b>{_e(name)}</b>{' (central)' if name == result.central else ''}<br>"
            f"<span class='meta'>{_e(es.description)}</span></td><td>{_e(_es_value(es.sigma))}</td>"
            f"<td>{_e(_es_value(es.eta))}</td><td>{_e(_es_value(es.eps_x))}</td>"
            f"<td>{_e(_es_value(es.ge_trade_elasticity))}</td><td>{_e(es.horizon)}</td>"
            f"<td class='meta'>{_e(src)}</td></tr>")
    add("</tbody></table>")
    cal = result.provenance.get("recession_calibration")
    if result.recession is not None:
        r = result.recession
        sample = f"{cal.get('start')}–{cal.get('end')}, {cal.get('n_obs')} quarters" if cal else ""
        add("<h3>Recession model</h3>")
        add(f"<p>Quarterly growth follows an AR(1) fitted to {_e(c)}'s seasonally adjusted real GDP (INEGI, "
            f"{_e(sample)}): persistence {r.rho:.2f}, innovation sd {r.sigma:.2f} % a quarter, with mean "
            f"{r.mu:.2f} % a quarter from the baseline forecast of "
            f"{_e(_value_text(sc.assumption('baseline_growth_annual_pct')))} % a year. The tariff's GDP path is added "
            f"to every simulated path ({r.n_paths:,} paths, {r.n_draws} parameter draws; random numbers from the "
            f"scenario's seed {sc.seed}).</p>")
    add("<h3>Data</h3><ul>")
    for s in result.data.sources:
        add(f"<li>{_e(s.get('figure', ''))}: {_e(s.get('publisher', ''))}, {_e(s.get('year', ''))}, "
            f"{_e(s.get('units', ''))} <span class='meta'>({_e(s.get('table', ''))}; licence "
            f"{_e(s.get('licence', 'n/a'))})</span></li>")
    add("</ul>")

    # -- caveats
    add("<h2>Caveats</h2><ul class='caveats'>")
    cav = []
    if result.model == "pe":
        cav.append("<b>Partial equilibrium.</b> Each import market responds to the tariff through prices and "
                   "substitution between sources (Armington), but wages, exchange rates and incomes do not adjust "
                   "and resources are not redeployed to other uses within the horizon. The general-equilibrium model "
                   "(<code>model = \"ge\"</code>) is the check on this.")
    else:
        cav.append("<b>General equilibrium on aggregated economies.</b> One sector, ten economies; the GDP path is "
                   "the country's real-income change reached by partial adjustment.")
    if a is not None and a.form == "simple":
        cav.append(f"<b>Simple macro form.</b> Exports to the US are taken as {a.export_dependence:.2f} of total "
                   f"exports (the data give {a.export_dependence_data:.3f}); every lost dollar of exports costs its "
                   f"domestic value added ({a.value_added_share:.2f}) times the multiplier, with no monetary or "
                   "fiscal response.")
    eps = [o.elasticities.eps_x for o in result.sets.values()]
    if any(isinstance(e, float) and math.isinf(e) for e in eps):
        cav.append("<b>Full pass-through.</b> In the central set exporters' prices do not fall (export-supply "
                   "elasticity infinite): US buyers pay the whole tariff, as measured for the 2018–19 US tariffs. If "
                   f"{_e(c)}'s exporters absorbed part of it, volumes would fall less.")
    if a is not None and a.exchange_rate_offset == 0:
        hi = sc.assumption("exchange_rate_offset")
        hi = getattr(hi, "high", 0.0)
        cav.append("<b>No exchange-rate offset</b> in the central case"
                   + (f"; a depreciation absorbing {100 * hi:g} % of the tariff (the scenario's high value) lowers "
                      "the loss by about that share (tornado chart)." if hi else "."))
    growth = _value_text(sc.assumption("baseline_growth_annual_pct"))
    cav.append(f"<b>Recession probabilities.</b> The Gaussian AR(1) at a {_e(growth)} % growth forecast makes two "
               "negative quarters in a row common even without the tariff (the baseline probability above; Mexico "
               "had technical recessions in about 10 % of four-quarter windows in 1996–2019); read the tariff's "
               "effect as the difference from the baseline, computed on common random numbers.")
    cmp = _published_comparison(result, j)
    if cmp:
        cav.append("<b>Published estimates.</b> " + cmp)
    if pe_twin:
        cav.append("The heatmap and the tornado vary the PE model's σ and macro assumptions, so they are computed "
                   "with the scenario's partial-equilibrium twin.")
    add("".join(f"<li>{t}</li>" for t in cav) + "</ul>")
    add(f'<p class="meta">Written by tariffsim {_e(__version__)} on '
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}. Provenance (scenario hash, data version, seed, "
        'package versions, file checksums) in <a href="provenance.json">provenance.json</a>.</p>')
    add("</body></html>")
    return "\n".join(P) + "\n"


def _table_block(df: pd.DataFrame, name: str, formats: Sequence[str]) -> str:
    links = _download_links(f"tables/{name}", formats)
    return _to_html(df, table_id=f"table-{name}") + f'<p class="downloads">Download: {links}</p>'


# ============================================================================= the sweep


def write_sweep(
    scenario,
    rates: str | Iterable[float],
    out_dir: str | os.PathLike,
    *,
    elasticities: Sequence[str] = ("low", "central", "high"),
    sigmas: Iterable[float] | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    data=None,
    n_paths: int | None = None,
    formats: Sequence[str] = FIGURE_FORMATS,
) -> ReportRecord:
    """The grid behind the recession curve and the heatmap: ``out_dir/sweep.csv`` (tidy: one row
    per rate and elasticity set; rate as a share, ``*_pct`` percent, ``*_usd`` USD, probabilities
    as shares 0-1), ``elasticity_grid.csv`` (rate x σ), the figures ``recession_curve`` and
    ``gdp_heatmap`` in ``formats``, ``scenario.toml`` and ``provenance.json``.

    ``rates``: 'START:STOP:STEP', a comma list or numbers (shares). ``elasticities``: sets of the
    sweep. ``sigmas``: Armington elasticities of the grid (default :data:`DEFAULT_SIGMAS` plus the
    central set's). ``n_paths``: recession Monte Carlo paths per point (default the scenario's).
    Same overwrite and atomicity rules as :func:`write_report`; steps :data:`SWEEP_STEPS`.
    """
    from . import __version__, plots
    from .scenario import load_scenario
    from .uncertainty import elasticity_grid, parse_grid, sweep

    t_start = time.perf_counter()
    out_dir = Path(out_dir)
    sc = load_scenario(scenario)
    grid_rates = parse_grid(rates) if isinstance(rates, str) else np.asarray(list(rates), dtype=float)
    for s in elasticities:
        sc.elasticity_set(s)  # unknown names fail here, before any work
    _check_target(out_dir, force)
    data = sc.load_data() if data is None else data
    fmts = tuple(f.lower() for f in formats)

    def fill(root: Path) -> None:
        _say(progress, "tariff sweep")
        sw = sweep(sc, grid_rates, list(elasticities), data=data, n_paths=n_paths or sc.n_paths)
        sw.attrs["scenario"] = sc.name
        _say(progress, "elasticity grid")
        sc_pe = sc if sc.model == "pe" else replace(sc, model="pe")
        sig = _sigmas(sc, sigmas)
        grid = elasticity_grid(sc_pe, grid_rates, sig, data=data)
        grid.attrs["scenario"] = sc.name
        sw.to_csv(root / "sweep.csv", index=False, lineterminator="\n")
        grid.to_csv(root / "elasticity_grid.csv", index=False, lineterminator="\n")
        _say(progress, "figures")
        rate = _scenario_rate(sc)
        cs = _central_sigma(sc)
        plots.save_figure(plots.recession_curve(sw, mark_rate=rate, sources=sc), root / "recession_curve", fmts)
        pe_note = " (PE model)" if sc_pe is not sc else ""
        plots.save_figure(plots.gdp_heatmap(grid, mark=(rate, cs) if rate is not None and cs is not None else None,
                                            sources=sc_pe, title="GDP impact over tariff rate and trade elasticity"
                                            + pe_note), root / "gdp_heatmap", fmts)
        (root / "scenario.toml").write_text(sc.to_toml(), encoding="utf-8")
        base = {"tariffsim_version": __version__, "scenario": sc.name, "scenario_hash": sc.hash,
                "scenario_source": sc.source, "dataset": data.name, "dataset_year": data.year,
                "dataset_sources": [dict(s) for s in data.sources], "seed": sc.seed, "model": sc.model}
        settings = {"rates": [float(r) for r in grid_rates], "rates_text": _rates_text(rates),
                    "elasticity_sets": list(elasticities), "sigmas": sig, "n_paths": n_paths or sc.n_paths,
                    "figure_formats": list(fmts), "units": {"sweep.csv": sw.attrs.get("units"),
                                                            "elasticity_grid.csv": grid.attrs.get("units")}}
        _write_provenance(root, base, {"sweep": settings})
        _say(progress, "finish")

    _atomic_folder(out_dir, force, fill)
    rec = ReportRecord(out_dir=out_dir, files=tuple(_files(out_dir)), seconds=time.perf_counter() - t_start,
                       scenario=sc.name, scenario_hash=sc.hash)
    log.info("sweep for %s written to %s (%d files, %.1f s)", sc.name, out_dir, len(rec.files), rec.seconds)
    return rec
