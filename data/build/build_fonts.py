"""Build ``data/fonts/``: the figures' typeface, TariffSim Sans (regular and bold), a subset of DejaVu Sans.

    python data/build/build_fonts.py [--out data/fonts]

Input: ``DejaVuSans.ttf`` and ``DejaVuSans-Bold.ttf`` as shipped with matplotlib (``mpl-data/fonts/ttf``;
DejaVu Sans 2.35, Bitstream Vera licence with the DejaVu changes in the public domain, the licence copied to
``data/fonts/LICENSE_DEJAVU.txt``).

Why: a PDF embeds a subset of every font it uses, and matplotlib makes that subset with fontTools from the
whole font file each time a figure is saved; for DejaVu Sans (6,241 glyphs, large OpenType layout tables) that
is two thirds of the time a report spends writing its PDFs. The subset keeps the characters a figure of ours
can show (Latin with its extensions, Greek, general punctuation, super- and subscripts, currency signs,
letterlike symbols, number forms, arrows, mathematical operators, technical symbols, box drawing and
geometric shapes): every glyph outline, advance width, hinting program and kerning pair of those characters
unchanged, and of the layout features only the ligatures (fi, fl, ff: matplotlib applies them), so text is
drawn exactly as in DejaVu Sans (tested pixel for pixel). Kerning comes from the legacy ``kern`` table, which
has the pairs the GPOS table has for these characters. A character outside the subset is drawn from DejaVu Sans
(matplotlib's font fallback: the style lists DejaVu Sans second).

The licence allows modified copies under a name without "Bitstream" or "Vera": the family is renamed
"TariffSim Sans" (name table entries 1, 4, 6 and 16); the copyright and licence entries are kept. The head
table's timestamps are kept from the source, so a rebuild from the same source files with the same fontTools
gives the same bytes (tests/test_figure_writer.py; ``build.json`` records the sources' SHA-256 and the fontTools
version).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import fontTools
import matplotlib as mpl
from fontTools import subset

FAMILY = "TariffSim Sans"
#: output file -> source file in matplotlib's fonts
FILES = {"TariffSimSans.ttf": "DejaVuSans.ttf", "TariffSimSans-Bold.ttf": "DejaVuSans-Bold.ttf"}
#: code point ranges kept (inclusive)
RANGES = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x02B0, 0x036F),  # spacing modifier letters, combining diacritical marks
    (0x0370, 0x03FF),  # Greek
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # General Punctuation (dashes, quotes, thin spaces)
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x20A0, 0x20CF),  # currency symbols
    (0x2100, 0x218F),  # letterlike symbols, number forms
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2300, 0x23FF),  # miscellaneous technical
    (0x2500, 0x25FF),  # box drawing, block elements, geometric shapes
)
ROOT = Path(__file__).resolve().parents[2]


def source_dir() -> Path:
    return Path(mpl.get_data_path()) / "fonts" / "ttf"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_one(src: Path, dst: Path) -> None:
    opts = subset.Options()
    opts.layout_features = ["liga"]  # matplotlib's text layout applies ligatures; nothing else is used
    opts.drop_tables += ["GPOS", "MATH", "FFTM"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.legacy_kern = True
    opts.hinting = True
    opts.notdef_outline = True
    opts.glyph_names = True
    font = subset.load_font(str(src), opts)
    font.recalcTimestamp = False
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[u for lo, hi in RANGES for u in range(lo, hi + 1)])
    sub.subset(font)
    for rec in font["name"].names:
        if rec.nameID in (1, 3, 4, 16):
            rec.string = rec.toUnicode().replace("DejaVu Sans", FAMILY)
        elif rec.nameID == 6:
            rec.string = rec.toUnicode().replace("DejaVuSans", FAMILY.replace(" ", ""))
    font.save(str(dst), reorderTables=True)
    font.close()


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, src in FILES.items():
        build_one(source_dir() / src, out / name)
        written.append(out / name)
    lic = out / "LICENSE_DEJAVU.txt"
    shutil.copyfile(source_dir() / "LICENSE_DEJAVU", lic)
    written.append(lic)
    record = {
        "built_from": "matplotlib mpl-data/fonts/ttf (DejaVu Sans 2.35)",
        "sources_sha256": {name: sha256(source_dir() / src) for name, src in FILES.items()},
        "fonttools": fontTools.version,
        "ranges": [f"U+{lo:04X}-U+{hi:04X}" for lo, hi in RANGES],
    }
    (out / "build.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    written.append(out / "build.json")
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "fonts")
    args = ap.parse_args(argv)
    for p in build(args.out):
        print(f"wrote {p.name} ({p.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
