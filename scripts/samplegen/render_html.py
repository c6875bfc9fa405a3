"""Producer 3: HTML printed to PDF by headless Chromium. Each laid-out page is a fixed A4 box with its
own running header and footer, so Chromium never paginates on its own. Fake bold is a second,
absolutely positioned copy of the heading 0.3pt to the right."""

from __future__ import annotations

import html
import subprocess
import tempfile
from pathlib import Path

from .common import first_on_path
from .fonts import NOTO_SERIF_SC, NOTO_SERIF_TC, Font, missing_fonts
from .layout import (
    BODY_H,
    BODY_W,
    HEADING,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    Document,
    Heading,
    PageBreak,
    Para,
    Spacer,
    Table,
    TocLine,
)
from .render_reportlab import footer_text

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    return first_on_path(CHROMIUM_NAMES)


def available() -> str | None:
    if not find_chromium():
        return f"no Chromium on PATH (looked for {', '.join(CHROMIUM_NAMES)}; apt install chromium)"
    return missing_fonts((NOTO_SERIF_SC, NOTO_SERIF_TC))


def fonts(lang: str) -> tuple[Font, ...]:
    """The one font a document in ``lang`` is set in. No fallback list: a fallback would make the text
    depend on which fonts the machine happens to have (see fonts.py)."""
    return (NOTO_SERIF_TC,) if lang == "zh-Hant" else (NOTO_SERIF_SC,)


def _font(lang: str) -> str:
    return ", ".join(f'"{f.family}"' for f in fonts(lang))


def _e(s: str) -> str:
    return html.escape(s).replace("\n", "<br>")


def to_html(doc: Document) -> str:
    css = f"""
@page {{ size: {PAGE_W}pt {PAGE_H}pt; margin: 0 }}
html, body {{ margin: 0; padding: 0; font-family: {_font(doc.language)}; color: #000 }}
.page {{ width: {PAGE_W}pt; height: {PAGE_H}pt; position: relative; overflow: hidden; break-after: page }}
.page:last-child {{ break-after: auto }}
.hdr {{ position: absolute; left: {MARGIN_X}pt; width: {BODY_W}pt; top: 30pt; height: 14pt; font-size: 9pt;
        border-bottom: 0.6pt solid #000; display: flex; justify-content: space-between; align-items: flex-end }}
.ftr {{ position: absolute; left: {MARGIN_X}pt; width: {BODY_W}pt; top: {PAGE_H - 46}pt; font-size: 9pt }}
#pbody, .pbody {{ position: absolute; left: {MARGIN_X}pt; top: {MARGIN_TOP}pt; width: {BODY_W}pt; height: {BODY_H}pt }}
.h {{ display: flex; align-items: center; font-weight: bold; position: relative; white-space: nowrap }}
.fb {{ position: relative; display: inline-block }}
.fb .dup {{ position: absolute; left: 0.3pt; top: 0 }}
p {{ margin: 0 0 6pt 0; text-align: justify }}
table {{ border-collapse: collapse; table-layout: fixed; margin-bottom: 8pt }}
td {{ padding: 0 3pt 2pt 3pt; vertical-align: bottom; overflow: hidden; white-space: nowrap }}
table.grid td {{ border: 0.5pt solid #000 }}
tr.r-header td {{ text-align: center; vertical-align: middle; font-weight: bold }}
table.hlines tr.lasthdr td {{ border-bottom: 0.6pt solid #000 }}
table.hlines tr.r-total td:not(:first-child) {{ border-top: 0.4pt solid #000 }}
tr.r-total td {{ font-weight: bold }}
.toc {{ display: flex; height: 22pt; align-items: flex-end; font-size: 11pt; padding-bottom: 2pt; box-sizing: border-box }}
.toc .dots {{ flex: 1; overflow: hidden; white-space: nowrap; margin: 0 3pt }}
"""
    out = ["<!DOCTYPE html><html><head><meta charset='utf-8'><title>", _e(doc.title), "</title><style>", css,
           "</style></head><body>"]
    for page in doc.pages:
        out.append("<div class='page'>")
        if page.show_running:
            out.append(f"<div class='hdr'><span>{_e(doc.header_left)}</span><span>{_e(doc.header_right)}</span></div>")
            align = "right" if doc.footer == "label n" else "center"
            out.append(f"<div class='ftr' style='text-align:{align}'>{_e(footer_text(doc, page.number))}</div>")
        out.append("<div class='pbody'>")
        for b in page.blocks:
            out.append(_block(b))
        out.append("</div></div>")
    out.append("</body></html>")
    return "".join(out)


def _block(b: object) -> str:
    if isinstance(b, Heading):
        size, h = HEADING[b.level]
        just = {"left": "flex-start", "center": "center", "right": "flex-end"}[b.align]
        text = _e(b.text)
        if b.fake_bold:
            text = f"<span class='fb'>{text}<span class='dup'>{text}</span></span>"
        return f"<div class='h' style='height:{h}pt;font-size:{size}pt;justify-content:{just}'>{text}</div>"
    if isinstance(b, Para):
        ind = f"text-indent:{2 * b.size}pt;" if b.indent else ""
        it = "font-style:italic;" if b.italic else ""
        return (f"<p style='font-size:{b.size}pt;line-height:{b.leading()}pt;text-align:{b.align};{ind}{it}'>"
                f"{_e(b.text)}</p>")
    if isinstance(b, Spacer):
        return f"<div style='height:{b.h}pt'></div>"
    if isinstance(b, TocLine):
        return (f"<div class='toc' style='padding-left:{24 * b.level}pt'><span>{_e(b.text)}</span>"
                f"<span class='dots'>{'.' * 200}</span><span>{b.page}</span></div>")
    if isinstance(b, Table):
        return _table(b)
    if isinstance(b, PageBreak):
        return ""
    raise TypeError(b)


def _table(t: Table) -> str:
    cols = "".join(f"<col style='width:{c.width}pt'>" for c in t.columns)
    parts = [(f"<table class='{t.rule}' style='width:{BODY_W}pt;font-size:{t.size}pt;line-height:{t.size + 3}pt'>"
              f"<colgroup>{cols}</colgroup>")]
    rows = t.header + t.rows
    for ri, r in enumerate(rows):
        cls = ["r-" + r.kind] + (["lasthdr"] if ri == len(t.header) - 1 else [])
        parts.append(f"<tr class='{' '.join(cls)}' style='height:{t.row_height(r)}pt'>")
        spans = {a: b for a, b in r.spans}
        skip = set()
        for a, b in r.spans:
            skip.update(range(a + 1, b + 1))
        for ci, cell in enumerate(r.cells):
            if ci in skip:
                continue
            align = {"l": "left", "r": "right", "c": "center"}[t.columns[ci].align]
            style = f"text-align:{align};"
            if ci == 0 and r.indent:
                style += f"padding-left:{3 + r.indent * t.size}pt;"
            span = f" colspan='{spans[ci] - ci + 1}'" if ci in spans else ""
            text = _split_spans(cell) if ci == 0 and t.split_spans and r.kind != "header" else _e(cell)
            parts.append(f"<td{span} style='{style}'>{text}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


def _split_spans(cell: str) -> str:
    """A label drawn as several text runs, each word its own inline box with a little extra room,
    the way some publishing tools emit table text (the words still read in order)."""
    lines = []
    for line in cell.split("\n"):
        words = line.split(" ")
        lines.append(" ".join(f"<span style='display:inline-block;margin-right:1.2pt'>{html.escape(w)}</span>"
                              for w in words))
    return "<br>".join(lines)


def render(doc: Document, out: Path) -> None:
    exe = find_chromium()
    if exe is None:
        raise RuntimeError(available() or "chromium missing")
    with tempfile.TemporaryDirectory(prefix="samplegen-chromium-") as tmp:
        src = Path(tmp) / "report.html"
        src.write_text(to_html(doc), encoding="utf-8")
        profile = Path(tmp) / "profile"
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
               f"--print-to-pdf={out.resolve()}", "--no-pdf-header-footer", src.as_uri()]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if p.returncode != 0 or not out.exists():
            raise RuntimeError(f"chromium failed ({p.returncode}): {p.stderr[-500:]}")
