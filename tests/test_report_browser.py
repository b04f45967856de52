"""report.html in a real headless browser (Chromium, when installed; skipped otherwise): at 800
and 1280 px every table fits its column (no horizontal scrolling, nothing past the window)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tariffsim.outputs.report import write_report

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")]

MEASURE = (
    "<script>document.title = [...document.querySelectorAll('.table-wrap')].map(w => "
    "w.scrollWidth + '/' + w.clientWidth + '/' + Math.ceil(w.getBoundingClientRect().right)).join(';') "
    "+ '|' + window.innerWidth;</script></body>"
)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "r"
    write_report("mex25", out, formats=("png",), draws=0, n_paths=1000, sweep_rates="0,0.25", sigmas=(2.0,))
    m = out / "measure.html"
    m.write_text((out / "report.html").read_text(encoding="utf-8").replace("</body>", MEASURE), encoding="utf-8")
    return m


@pytest.mark.parametrize("width", [800, 1280])
def test_tables_fit_the_window(page, width, tmp_path):
    cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path}"]
    cmd += [f"--window-size={width},1600", "--dump-dom", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    title = re.search(r"<title>([^<]*)</title>", dom).group(1)
    tables, inner = title.split("|")
    assert int(inner) == width and tables
    for t in tables.split(";"):
        scroll, client, right = (int(x) for x in t.split("/"))
        assert scroll <= client, f"a table is wider than its column at {width} px: {t}"
        assert right <= width, f"a table runs past the window at {width} px: {t}"
