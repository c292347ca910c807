#!/usr/bin/env bash
# Cross-checks the blank documents with independent readers. Not part of `cargo test`.
#
#   crates/folio-ooxml/check_with_python.sh [OUT_DIR]
#
# 1. writes the three blank files with `examples/write_blanks.rs` into OUT_DIR
#    (default: a fresh temporary directory);
# 2. opens them with python-docx, openpyxl and python-pptx, installed with pip into a
#    throw-away venv (VENV, default /tmp/ooxmlcheck; reused when already there);
# 3. validates them with openxml-audit (a pure-Python port of the Open XML SDK schema
#    and semantic validator), strict policy, against Office 2007 and Microsoft 365;
# 4. when `soffice` is installed (or SOFFICE names it), converts each to PDF with headless
#    LibreOffice and checks that a non-empty PDF appears. Set SKIP_SOFFICE=1 to skip.
# Exits non-zero on the first failure.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d /tmp/folio-ooxml.XXXXXX)}"
venv="${VENV:-/tmp/ooxmlcheck}"
mkdir -p "$out"

echo "== writing blank documents to $out"
(cd "$workspace" && cargo run --quiet -p folio-ooxml --example write_blanks -- "$out")

echo "== python readers (venv: $venv)"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check python-docx openpyxl python-pptx openxml-audit

"$venv/bin/python" - "$out" <<'PY'
import sys, zipfile
from pathlib import Path

out = Path(sys.argv[1])
docx_path = out / "New document.docx"
xlsx_path = out / "New workbook.xlsx"
pptx_path = out / "New presentation.pptx"

for p in (docx_path, xlsx_path, pptx_path):
    with zipfile.ZipFile(p) as z:
        bad = z.testzip()
        assert bad is None, f"{p}: corrupt entry {bad}"
        assert z.namelist()[0] == "[Content_Types].xml", f"{p}: first entry {z.namelist()[0]}"

import docx
d = docx.Document(str(docx_path))
assert len(d.paragraphs) == 1, len(d.paragraphs)
assert d.paragraphs[0].text == ""
assert d.styles["Normal"].type == docx.enum.style.WD_STYLE_TYPE.PARAGRAPH
s = d.sections[0]
print(f"python-docx {docx.__version__ if hasattr(docx, '__version__') else ''}: "
      f"{len(d.paragraphs)} paragraph, page {s.page_width}x{s.page_height} EMU, "
      f"margins {s.left_margin}/{s.right_margin}/{s.top_margin}/{s.bottom_margin}")
d.add_paragraph("round trip")
d.save(str(out / "roundtrip.docx"))
assert docx.Document(str(out / "roundtrip.docx")).paragraphs[-1].text == "round trip"

import openpyxl
wb = openpyxl.load_workbook(str(xlsx_path))
assert wb.sheetnames == ["Sheet1"], wb.sheetnames
ws = wb["Sheet1"]
assert ws.max_row == 1 and ws.max_column == 1 and ws["A1"].value is None
print(f"openpyxl {openpyxl.__version__}: sheets {wb.sheetnames}, A1={ws['A1'].value!r}")
ws["A1"] = 42
wb.save(str(out / "roundtrip.xlsx"))
assert openpyxl.load_workbook(str(out / "roundtrip.xlsx"))["Sheet1"]["A1"].value == 42

import pptx
pr = pptx.Presentation(str(pptx_path))
assert len(pr.slides) == 1, len(pr.slides)
assert (pr.slide_width, pr.slide_height) == (12192000, 6858000)
layout = pr.slides[0].slide_layout
assert layout.name == "Blank", layout.name
assert len(pr.slides[0].shapes) == 0
assert len(pr.slide_masters) == 1 and len(pr.slide_layouts) == 1
print(f"python-pptx {pptx.__version__}: {len(pr.slides)} slide, layout {layout.name!r}, "
      f"size {pr.slide_width}x{pr.slide_height}")
s2 = pr.slides.add_slide(pr.slide_layouts[0])
box = s2.shapes.add_textbox(0, 0, 914400, 914400)
box.text_frame.text = "round trip"
pr.save(str(out / "roundtrip.pptx"))
assert len(pptx.Presentation(str(out / "roundtrip.pptx")).slides) == 2
print("python readers: OK")
PY

echo "== openxml-audit $("$venv/bin/pip" show openxml-audit | sed -n 's/^Version: //p') (strict)"
for f in "New document.docx" "New workbook.xlsx" "New presentation.pptx"; do
    for format in office2007 microsoft365; do
        if ! "$venv/bin/openxml-audit" --policy strict --format "$format" --max-errors 0 "$out/$f"; then
            echo "openxml-audit ($format) rejected $f" >&2
            exit 1
        fi
    done
done

soffice="${SOFFICE:-$(command -v soffice || true)}"
if [ "${SKIP_SOFFICE:-0}" = "1" ] || [ -z "$soffice" ]; then
    echo "== LibreOffice: skipped (no soffice on PATH, or SKIP_SOFFICE=1)"
    exit 0
fi
echo "== LibreOffice: $("$soffice" --version | head -n 1)"
pdf="$out/pdf"
rm -rf "$pdf"
mkdir -p "$pdf"
profile="$(mktemp -d /tmp/folio-ooxml-lo.XXXXXX)"
for f in "New document.docx" "New workbook.xlsx" "New presentation.pptx"; do
    timeout 180 "$soffice" -env:UserInstallation="file://$profile" --headless \
        --convert-to pdf --outdir "$pdf" "$out/$f" >"$pdf/${f%.*}.log" 2>&1 || {
        cat "$pdf/${f%.*}.log"
        echo "LibreOffice failed on $f" >&2
        exit 1
    }
    if [ ! -s "$pdf/${f%.*}.pdf" ]; then
        cat "$pdf/${f%.*}.log"
        echo "LibreOffice produced no PDF for $f" >&2
        exit 1
    fi
    echo "$f -> $(wc -c <"$pdf/${f%.*}.pdf") byte PDF"
done
rm -rf "$profile"
# The page sizes LibreOffice laid out must be the ones the files declare (A4 for the
# document, 16:9 13.33x7.5 in for the slides), which shows it read them rather than
# falling back to its own defaults.
"$venv/bin/python" - "$pdf" <<'PY'
import re, sys
from pathlib import Path
pdf = Path(sys.argv[1])
def media_box(name):
    data = (pdf / name).read_bytes()
    m = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert m, f"{name}: no MediaBox"
    return tuple(round(float(v)) for v in m.groups()[2:])
for name, want in [("New document.pdf", (595, 842)), ("New presentation.pdf", (960, 540))]:
    got = media_box(name)
    assert got == want, f"{name}: page {got} pt, expected {want}"
    print(f"{name}: {got[0]}x{got[1]} pt as declared")
PY
echo "LibreOffice: OK"
