"""Producer 1: reportlab, with the non-embedded CID fonts STSong-Light (simplified) and MSung-Light
(traditional), as many older report-generation systems used. Fake bold is drawn as a second copy of
the text 0.3pt to the right, which duplicates characters in the text layer exactly as real reports do."""

from __future__ import annotations

from pathlib import Path

from .fonts import MSUNG, STANDARD, STSONG, Font
from .layout import (
    BODY_H,
    BODY_W,
    HEADING,
    MARGIN_BOTTOM,
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


def available() -> str | None:
    try:
        import reportlab  # noqa: F401
    except ImportError:
        return "reportlab is not installed (pip install reportlab)"
    return None


def fonts(lang: str) -> tuple[Font, ...]:
    """The fonts a document in ``lang`` names (Helvetica is the canvas's initial font)."""
    return (MSUNG if lang == "zh-Hant" else STSONG,) + STANDARD


def _is_cjk(s: str) -> bool:
    return any(ord(ch) > 0x2E80 for ch in s)


def render(doc: Document, out: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, TableStyle
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Spacer as RLSpacer
    from reportlab.platypus import Table as RLTable

    rl_config.invariant = 1  # fixed creation date and document id: same input, same bytes
    # reportlab (checked on 5.1) lists MSung-Light with the GB encoding UniGB-UCS2-H, so readers map
    # its UCS-2 codes through the wrong CMap: wrong glyphs and a garbage text layer. Declare the CNS one.
    from reportlab.pdfbase import cidfonts
    cidfonts.defaultUnicodeEncodings["MSung-Light"] = ("cht", "UniCNS-UCS2-H")
    cjk = fonts(doc.language)[0].family
    pdfmetrics.registerFont(UnicodeCIDFont(cjk))
    latin = "Times-Roman" if doc.language == "en" else cjk
    latin_bold = "Times-Bold" if doc.language == "en" else cjk

    def font_for(s: str, bold: bool = False) -> str:
        if _is_cjk(s):
            return cjk
        return latin_bold if bold else latin

    class HeadingF(Flowable):  # type: ignore[misc]
        def __init__(self, h: Heading) -> None:
            super().__init__()
            self.h = h
            self.size, self.height = HEADING[h.level]
            self.width = BODY_W

        def draw(self) -> None:
            c = self.canv
            f = font_for(self.h.text, bold=True)
            c.setFont(f, self.size)
            w = stringWidth(self.h.text, f, self.size)
            x = {"left": 0.0, "center": (BODY_W - w) / 2, "right": BODY_W - w}[self.h.align]
            y = (self.height - self.size) / 2 + 1
            c.drawString(x, y, self.h.text)
            if self.h.fake_bold:
                c.drawString(x + 0.3, y, self.h.text)

    class TocF(Flowable):  # type: ignore[misc]
        def __init__(self, t: TocLine) -> None:
            super().__init__()
            self.t = t
            self.height = t.height()
            self.width = BODY_W

        def draw(self) -> None:
            c = self.canv
            size = 11.0
            f = font_for(self.t.text)
            x0 = 24.0 * self.t.level
            num = str(self.t.page)
            c.setFont(f, size)
            c.drawString(x0, 6, self.t.text)
            c.setFont(latin if doc.language == "en" else cjk, size)
            wn = stringWidth(num, c._fontname, size)
            c.drawString(BODY_W - wn, 6, num)
            start = x0 + stringWidth(self.t.text, f, size) + 4
            dot = stringWidth(".", c._fontname, size)
            n = int((BODY_W - wn - 4 - start) / dot)
            c.drawString(start, 6, "." * max(n, 3))

    def para(p: Para) -> Paragraph:
        st = ParagraphStyle(
            "p", fontName=font_for(p.text) if doc.language == "en" else cjk, fontSize=p.size,
            leading=p.leading(), spaceAfter=6,
            alignment={"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}[p.align],
            firstLineIndent=2 * p.size if p.indent else 0, wordWrap="CJK" if doc.language != "en" else None)
        text = p.text.replace("&", "&amp;").replace("<", "&lt;")
        return Paragraph(text, st)

    def table(t: Table) -> RLTable:
        rows = t.header + t.rows
        data = [r.cells for r in rows]
        heights = [t.row_height(r) for r in rows]
        style: list[tuple] = [
            ("FONTSIZE", (0, 0), (-1, -1), t.size), ("LEADING", (0, 0), (-1, -1), t.size + 3),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5), ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        for ci, col in enumerate(t.columns):
            style.append(("ALIGN", (ci, 0), (ci, -1), {"l": "LEFT", "r": "RIGHT", "c": "CENTER"}[col.align]))
        for ri, r in enumerate(rows):
            for ci, cell in enumerate(r.cells):
                style.append(("FONTNAME", (ci, ri), (ci, ri), font_for(cell, bold=r.kind in ("header", "total"))))
            if r.kind == "header":
                style.append(("ALIGN", (0, ri), (-1, ri), "CENTER"))
                style.append(("VALIGN", (0, ri), (-1, ri), "MIDDLE"))
            if r.indent:
                style.append(("LEFTPADDING", (0, ri), (0, ri), 3 + r.indent * t.size))
            for a, b in r.spans:
                style.append(("SPAN", (a, ri), (b, ri)))
        nh = len(t.header)
        if t.rule == "grid":
            style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
        else:
            if nh:
                style.append(("LINEBELOW", (0, nh - 1), (-1, nh - 1), 0.6, colors.black))
            for ri, r in enumerate(rows):
                if r.kind == "total" and ri >= nh:
                    style.append(("LINEABOVE", (1, ri), (-1, ri), 0.4, colors.black))
        return RLTable(data, colWidths=[c.width for c in t.columns], rowHeights=heights, style=TableStyle(style),
                       hAlign="LEFT", spaceAfter=8)

    def on_page(canvas, _doc) -> None:  # type: ignore[no-untyped-def]
        n = canvas.getPageNumber()
        page = doc.pages[n - 1] if n <= len(doc.pages) else None
        if page is None or not page.show_running:
            return
        canvas.saveState()
        size = 9
        if doc.header_left:
            canvas.setFont(font_for(doc.header_left), size)
            canvas.drawString(MARGIN_X, PAGE_H - 42, doc.header_left)
        if doc.header_right:
            canvas.setFont(font_for(doc.header_right), size)
            canvas.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 42, doc.header_right)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, PAGE_H - 46, PAGE_W - MARGIN_X, PAGE_H - 46)
        foot = footer_text(doc, n)
        canvas.setFont(font_for(foot), size)
        if doc.footer == "label n":
            canvas.drawRightString(PAGE_W - MARGIN_X, 36, foot)
        else:
            canvas.drawCentredString(PAGE_W / 2, 36, foot)
        canvas.restoreState()

    story: list[object] = []
    for pi, page in enumerate(doc.pages):
        if pi:
            story.append(RLPageBreak())
        for b in page.blocks:
            if isinstance(b, Heading):
                story.append(HeadingF(b))
            elif isinstance(b, Para):
                story.append(para(b))
            elif isinstance(b, Table):
                story.append(table(b))
            elif isinstance(b, TocLine):
                story.append(TocF(b))
            elif isinstance(b, Spacer):
                story.append(RLSpacer(1, b.h))
            elif isinstance(b, PageBreak):
                pass
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, BODY_W, BODY_H, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    d = BaseDocTemplate(str(out), pagesize=(PAGE_W, PAGE_H), title=doc.title, author="", creator="samplegen",
                        pageTemplates=[PageTemplate("p", [frame], onPage=on_page)])
    d.build(story)


def footer_text(doc: Document, n: int) -> str:
    if doc.footer == "n / N":
        return f"{n} / {len(doc.pages)}"
    if doc.footer == "label n":
        return f"{doc.footer_label}　{n}" if doc.language != "en" else f"{doc.footer_label}   {n}"
    return str(n)
