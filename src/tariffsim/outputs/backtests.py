"""The back-tests rendered: the track-record table (Markdown, the README's), plain text, and a page
(docs/backtests.md). Every number comes from :class:`tariffsim.engine.backtest.BacktestResult`;
failures are shown as failures.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

from .._util import fmt_signed
from ..engine.backtest import BacktestResult
from ..inputs.episodes import Episode
from .files import atomic_folder

__all__ = ["track_record_markdown", "backtest_text", "backtest_html", "write_backtests", "TRACK_START", "TRACK_END"]

TRACK_START, TRACK_END = "<!-- track-record:start -->", "<!-- track-record:end -->"


def _kind(e: Episode) -> str:
    """How an episode's numbers read: 'pp', '%', 'sign' (a direction; predictions in percent) or
    'probability' (a binary outcome; predictions are probabilities)."""
    u = str(e.observed["units"])
    if u.startswith("percentage points"):
        return "pp"
    if u.startswith("percent"):
        return "%"
    if u.startswith("sign"):
        return "sign"
    return "probability"


def _pred(e: Episode, x: float) -> str:
    k = _kind(e)
    if k == "probability":
        return f"p = {x:.2f}"
    if k == "pp":
        return f"{fmt_signed(x, 2, bare_zero=True)} pp"
    return f"{fmt_signed(x, 1, bare_zero=True)} %"


def _observed(e: Episode) -> str:
    k = _kind(e)
    if k == "sign":
        return "rose" if e.value > 0 else "fell"
    if k == "probability":
        return "yes" if e.value >= 0.5 else "no"
    return _pred(e, e.value)


def _band(e: Episode) -> str:
    k = _kind(e)
    if k == "sign":
        return "a rise (> 0 %)" if e.low >= 0 else "a fall (< 0 %)"
    if k == "probability":
        return f"p ≤ {e.high:.2f}" if e.low <= 0 else f"p ≥ {e.low:.2f}"
    if math.isinf(e.high):
        return f"≥ {_pred(e, e.low)}"
    return f"{_pred(e, e.low)} to {_pred(e, e.high)}"


def _cells(r: BacktestResult) -> list[tuple[str, str, str, list[str]]]:
    out = []
    for e in r.episodes:
        cells = []
        for s in r.sets:
            p = r.prediction(e.id, s)
            cells.append(f"{_pred(e, p.value)} {'pass' if p.passed else '**FAIL**'}")
        out.append((e.id, _observed(e), _band(e), cells))
    return out


def track_record_markdown(r: BacktestResult) -> str:
    """The track-record table between its markers, as ``tariffsim backtest --markdown`` prints it
    and the README holds it."""
    lines = [
        TRACK_START,
        "| episode | observed | band | " + " | ".join(f"`{s}`" for s in r.sets) + " |",
        "| --- | ---: | ---: | " + " | ".join("---:" for _ in r.sets) + " |",
    ]
    for eid, obs, band, cells in _cells(r):
        lines.append(f"| `{eid}` | {obs} | {band} | " + " | ".join(cells) + " |")
    passes = r.passes_by_set()
    lines.append(
        f"| **episodes passed** (of {len(r.episodes)}) | | | " + " | ".join(f"**{passes[s]}**" for s in r.sets) + " |"
    )
    lines.append(TRACK_END)
    return "\n".join(lines)


def backtest_text(r: BacktestResult) -> str:
    """Plain text: each episode with its source, observed value, band and the prediction of every set."""
    lines = []
    for e in r.episodes:
        lines.append(f"{e.id}: {e.title}")
        lines.append(f"  source    {e.source['citation']}")
        lines.append(f"  observed  {_observed(e)} ({e.observed['concept']}; against {e.observed['comparison']})")
        lines.append(f"  band      {_band(e)} ({e.band['kind']})")
        for s in r.sets:
            p = r.prediction(e.id, s)
            lines.append(f"  {s:<12}{_pred(e, p.value):>12}  {'pass' if p.passed else 'FAIL'}")
        lines.append("")
    passes = r.passes_by_set()
    lines.append("episodes passed: " + ", ".join(f"{s} {passes[s]}/{len(r.episodes)}" for s in r.sets))
    lines += [f"note: {n}" for n in r.notes]
    return "\n".join(lines)


def backtest_html(r: BacktestResult) -> str:
    """A self-contained page: the track record, then each episode with its source, comparison,
    band and reason, and every set's prediction."""
    e_ = html.escape
    out = [
        "<!doctype html><html><head><meta charset='utf-8'><title>tariffsim back-tests</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}td,th{padding:.2em .6em;"
        "text-align:right}td:first-child,th:first-child{text-align:left}.fail{color:#b00;font-weight:bold}"
        "table{border-collapse:collapse}tr{border-bottom:1px solid #ddd}</style></head><body>",
        "<h1>Back-tests: predictions against what happened</h1>",
        "<p>Each prediction is made from the tariff change alone with a shipped elasticity set; nothing is "
        "fitted to the outcome, and every band was written before any prediction was run.</p>",
        "<table><thead><tr><th>episode</th><th>observed</th><th>band</th>",
    ]
    out += [f"<th>{e_(s)}</th>" for s in r.sets]
    out.append("</tr></thead><tbody>")
    for eid, obs, band, cells in _cells(r):
        row = [f"<td>{e_(eid)}</td><td>{e_(obs)}</td><td>{e_(band)}</td>"]
        for c in cells:
            fail = "FAIL" in c
            row.append(f"<td class='{'fail' if fail else 'pass'}'>{e_(c.replace('**', ''))}</td>")
        out.append("<tr>" + "".join(row) + "</tr>")
    out.append("</tbody></table>")
    for e in r.episodes:
        out.append(f"<h2>{e_(e.title)}</h2><dl>")
        out.append(f"<dt>Source</dt><dd>{e_(e.source['citation'])}. {e_(e.source['detail'])}</dd>")
        out.append(
            f"<dt>Observed</dt><dd>{e_(_observed(e))}: {e_(e.observed['concept'])}; horizon "
            f"{e_(e.observed['horizon'])}; compared with {e_(e.observed['comparison'])}</dd>"
        )
        out.append(f"<dt>Band</dt><dd>{e_(_band(e))} ({e_(e.band['kind'])}): {e_(e.band['reason'])}</dd></dl>")
    out += [f"<p><small>{e_(n)}</small></p>" for n in r.notes]
    out.append("</body></html>")
    return "\n".join(out)


def write_backtests(
    r: BacktestResult, out_dir: str | Path, *, force: bool = False, out_field: str = "out_dir"
) -> list[Path]:
    """Write backtests.html, backtests.md (the track record) and backtests.json into ``out_dir``
    (all or nothing: a non-empty folder is replaced only with ``force``; errors name ``out_dir``
    as ``out_field``, the CLI's ``--out``)."""
    files = {
        "backtests.html": backtest_html(r),
        "backtests.md": track_record_markdown(r) + "\n",
        "backtests.json": json.dumps(r.to_dict(), indent=2) + "\n",
    }

    def fill(tmp: Path) -> None:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")

    atomic_folder(out_dir, force, fill, field=out_field)
    return [Path(out_dir) / n for n in files]
