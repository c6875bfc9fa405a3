"""Producer 2: a Word document (python-docx) converted to PDF by LibreOffice. Every laid-out page
starts with a page-break-before paragraph; line spacing and row heights are exact, so LibreOffice keeps
our pagination. Running header and footer use Word fields (PAGE, NUMPAGES)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import first_on_path
from .fonts import NOTO_SERIF_SC, NOTO_SERIF_TC, Font, missing_fonts
from .layout import (
    BODY_W,
    HEADING,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    TABLE_GAP,
    Document,
    Heading,
    PageBreak,
    Para,
    Spacer,
    Table,
    TocLine,
)

SOFFICE_NAMES = ("soffice", "libreoffice")


def find_soffice() -> str | None:
    return first_on_path(SOFFICE_NAMES)


def available() -> str | None:
    try:
        import docx  # noqa: F401
    except ImportError:
        return "python-docx is not installed (pip install python-docx)"
    if not find_soffice():
        return "no LibreOffice on PATH (looked for soffice, libreoffice; apt install libreoffice-writer-nogui)"
    return missing_fonts((NOTO_SERIF_SC, NOTO_SERIF_TC))


def fonts(lang: str) -> tuple[Font, ...]:
    """The one font a document in ``lang`` is set in, Latin and East Asian text alike (see fonts.py)."""
    return (NOTO_SERIF_TC,) if lang == "zh-Hant" else (NOTO_SERIF_SC,)


def _fonts(lang: str) -> tuple[str, str]:
    """(Latin font, East Asian font)"""
    (font,) = fonts(lang)
    return font.family, font.family


def build_docx(doc: Document, path: Path) -> None:
    from docx import Document as Docx
    from docx.enum.section import WD_SECTION  # noqa: F401
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    latin, east = _fonts(doc.language)
    d = Docx()
    core = d.core_properties
    core.title, core.author, core.comments = doc.title, "", ""
    import datetime as _dt
    core.created = core.modified = _dt.datetime(2022, 3, 31)  # fixed, so the .docx is reproducible too
    normal = d.styles["Normal"]
    normal.font.name = latin
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), east)
    sec = d.sections[0]
    sec.page_width, sec.page_height = Pt(PAGE_W), Pt(PAGE_H)
    sec.left_margin = sec.right_margin = Pt(MARGIN_X)
    sec.top_margin, sec.bottom_margin = Pt(MARGIN_TOP), Pt(MARGIN_BOTTOM)
    sec.header_distance, sec.footer_distance = Pt(30), Pt(30)
    sec.different_first_page_header_footer = not doc.pages[0].show_running
    align = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
             "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}

    def exact(p, h: float, after: float = 0.0) -> None:  # type: ignore[no-untyped-def]
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(max(h, 1.0))
        pf.space_before = Pt(0)
        pf.space_after = Pt(after)

    def field(run, code: str) -> None:  # type: ignore[no-untyped-def]
        for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            elif text == code:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = f" {code} "
            else:
                el = OxmlElement("w:t")
                el.text = text
            run._r.append(el)

    def border(p, side: str, size: int = 5) -> None:  # type: ignore[no-untyped-def]
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        b = OxmlElement(f"w:{side}")
        for k, v in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", "000000")):
            b.set(qn(f"w:{k}"), v)
        bdr.append(b)
        ppr.append(bdr)

    # Running header and footer.
    hp = sec.header.paragraphs[0]
    # The template's Header style has centre and right stops at 234pt and 468pt; clear them so the
    # tab goes to the right margin.
    for pos in (234, 468):
        hp.paragraph_format.tab_stops.add_tab_stop(Pt(pos), WD_TAB_ALIGNMENT.CLEAR)
    hp.paragraph_format.tab_stops.add_tab_stop(Pt(BODY_W - 0.5), WD_TAB_ALIGNMENT.RIGHT)
    r = hp.add_run(f"{doc.header_left}\t{doc.header_right}")
    r.font.size = Pt(9)
    border(hp, "bottom")
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.RIGHT if doc.footer == "label n" else WD_ALIGN_PARAGRAPH.CENTER
    if doc.footer == "label n":
        fp.add_run(doc.footer_label + ("   " if doc.language == "en" else "　")).font.size = Pt(9)
    field(fp.add_run(), "PAGE")
    if doc.footer == "n / N":
        fp.add_run(" / ")
        field(fp.add_run(), "NUMPAGES")
    for run in fp.runs:
        run.font.size = Pt(9)

    def set_cell_border(cell, sides: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
        tcpr = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        for side, sz in sides.items():
            b = OxmlElement(f"w:{side}")
            b.set(qn("w:val"), "single" if sz else "nil")
            b.set(qn("w:sz"), str(sz))
            b.set(qn("w:color"), "000000")
            borders.append(b)
        tcpr.append(borders)

    def add_table(t: Table) -> None:
        rows = t.header + t.rows
        tbl = d.add_table(rows=len(rows), cols=len(t.columns))
        tbl.autofit = False
        tblpr = tbl._tbl.tblPr
        mar = OxmlElement("w:tblCellMar")
        for side, w in (("left", 3), ("right", 3), ("top", 0), ("bottom", 0)):
            e = OxmlElement(f"w:{side}")
            e.set(qn("w:w"), str(w * 20))
            e.set(qn("w:type"), "dxa")
            mar.append(e)
        tblpr.append(mar)
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        # LibreOffice sizes columns from the table grid, not from the cell widths.
        for gc, col in zip(tbl._tbl.tblGrid.findall(qn("w:gridCol")), t.columns):
            gc.set(qn("w:w"), str(int(col.width * 20)))
        for ri, r in enumerate(rows):
            row = tbl.rows[ri]
            row.height = Pt(t.row_height(r))
            row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
            for ci, text in enumerate(r.cells):
                cell = row.cells[ci]
                cell.width = Pt(t.columns[ci].width)
                cell.vertical_alignment = (WD_CELL_VERTICAL_ALIGNMENT.CENTER if r.kind == "header"
                                           else WD_CELL_VERTICAL_ALIGNMENT.BOTTOM)
                p = cell.paragraphs[0]
                exact(p, t.size + 3)
                a = "c" if r.kind == "header" else t.columns[ci].align
                p.alignment = {"l": WD_ALIGN_PARAGRAPH.LEFT, "r": WD_ALIGN_PARAGRAPH.RIGHT,
                               "c": WD_ALIGN_PARAGRAPH.CENTER}[a]
                if ci == 0 and r.indent:
                    p.paragraph_format.left_indent = Pt(r.indent * t.size)
                for li, line in enumerate(text.split("\n")):
                    run = p.add_run(line)
                    run.font.size = Pt(t.size)
                    run.bold = r.kind in ("header", "total") and doc.language == "en"
                    if li < text.count("\n"):
                        run.add_break()
                if t.rule == "grid":
                    set_cell_border(cell, {"top": 4, "bottom": 4, "left": 4, "right": 4})
                else:
                    sides = {"top": 0, "bottom": 0, "left": 0, "right": 0}
                    if ri == len(t.header) - 1:
                        sides["bottom"] = 5
                    if r.kind == "total" and ri >= len(t.header) and ci > 0:
                        sides["top"] = 4
                    set_cell_border(cell, sides)
            for a, b in r.spans:
                merged = row.cells[a].merge(row.cells[b])
                # merging concatenates paragraphs; keep only the first cell's text
                for extra in merged.paragraphs[1:]:
                    extra._p.getparent().remove(extra._p)
        gap = d.add_paragraph()
        exact(gap, TABLE_GAP)

    first = True
    for page in doc.pages:
        brk = d.add_paragraph() if not first else d.paragraphs[0] if d.paragraphs else d.add_paragraph()
        exact(brk, 1.0)
        if not first:
            brk.paragraph_format.page_break_before = True
        first = False
        for b in page.blocks:
            if isinstance(b, Heading):
                size, h = HEADING[b.level]
                p = d.add_paragraph()
                exact(p, h)
                p.alignment = align[b.align]
                run = p.add_run(b.text)
                run.font.size = Pt(size)
                run.bold = True
            elif isinstance(b, Para):
                p = d.add_paragraph()
                exact(p, b.leading(), 6)
                p.alignment = align[b.align]
                if b.indent:
                    p.paragraph_format.first_line_indent = Pt(2 * b.size)
                run = p.add_run(b.text)
                run.font.size = Pt(b.size)
                run.italic = b.italic
            elif isinstance(b, Table):
                add_table(b)
            elif isinstance(b, TocLine):
                p = d.add_paragraph()
                exact(p, b.height())
                p.paragraph_format.left_indent = Pt(24 * b.level)
                p.paragraph_format.tab_stops.add_tab_stop(Pt(BODY_W), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
                run = p.add_run(f"{b.text}\t{b.page}")
                run.font.size = Pt(11)
            elif isinstance(b, Spacer):
                if b.h >= 1:
                    p = d.add_paragraph()
                    exact(p, b.h)
            elif isinstance(b, PageBreak):
                pass
    d.save(str(path))


def render(doc: Document, out: Path) -> None:
    exe = find_soffice()
    if exe is None:
        raise RuntimeError(available() or "soffice missing")
    with tempfile.TemporaryDirectory(prefix="samplegen-lo-") as tmp:
        src = Path(tmp) / f"{out.stem}.docx"
        build_docx(doc, src)
        # A private profile per run: concurrent conversions otherwise fight over one user profile.
        profile = Path(tmp) / "profile"
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
               "--outdir", tmp, str(src)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        pdf = Path(tmp) / f"{out.stem}.pdf"
        if p.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"libreoffice failed ({p.returncode}): {p.stderr[-500:]}")
        shutil.move(str(pdf), out)
