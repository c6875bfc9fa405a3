"""The abstract document: blocks (headings, paragraphs, tables, TOC lines, spacers, page breaks) and a
paginator that packs them into A4 pages using the same fixed metrics every renderer honours.

Pagination is done here, once, rather than by each producer, so that every producer puts every row
on the same page and the truth file's page numbers hold for all of them. Renderers force a page break
between pages and set exact row heights and line spacing so that nothing overflows; the generator
then verifies the page count of each produced PDF.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field, replace

PAGE_W = 595.28
PAGE_H = 841.89
MARGIN_X = 56.0
MARGIN_TOP = 68.0
MARGIN_BOTTOM = 68.0
BODY_W = PAGE_W - 2 * MARGIN_X
BODY_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
# Renderers may differ from the estimates by a point or two per page (rounding of exact heights),
# so the paginator keeps a safety margin.
CAPACITY = BODY_H - 16

BODY_SIZE = 10.5
BODY_LEADING = 16.0
PARA_GAP = 6.0
TABLE_GAP = 8.0
HEADING = {0: (24.0, 56.0), 1: (15.0, 34.0), 2: (12.0, 26.0), 3: (10.5, 22.0)}  # level -> (font size, height)
TOC_LINE_H = 22.0


def text_units(text: str) -> float:
    """Width of text in ems: CJK and full-width characters count 1, the rest about half."""
    w = 0.0
    for ch in text:
        w += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.56
    return w


@dataclass
class Heading:
    text: str
    level: int = 2
    align: str = "left"  # left | center | right
    fake_bold: bool = False
    tag: str | None = None
    keep_next: bool = True

    def height(self) -> float:
        return HEADING[self.level][1]


@dataclass
class Para:
    text: str
    size: float = BODY_SIZE
    align: str = "left"  # left | center | right | justify
    indent: bool = False  # first-line indent of two characters, as Chinese prose is set
    tag: str | None = None
    keep_next: bool = False
    italic: bool = False

    def lines(self) -> int:
        per_line = (BODY_W / self.size) - 1.5
        units = text_units(self.text) + (2 if self.indent else 0)
        return max(1, math.ceil(units / per_line))

    def leading(self) -> float:
        return BODY_LEADING if self.size >= BODY_SIZE else round(self.size * 1.5)

    def height(self) -> float:
        return self.lines() * self.leading() + PARA_GAP


@dataclass
class Column:
    width: float  # points
    align: str = "r"  # l | r | c


@dataclass
class Row:
    cells: list[str]
    kind: str = "body"  # body | header | total | section
    lines: int = 1  # 2 for a wrapped label: label on two lines, amounts on the second
    tag: str | None = None
    indent: int = 0  # label indent in characters
    spans: list[tuple[int, int]] = field(default_factory=list)  # merged header cells, inclusive


@dataclass
class Table:
    columns: list[Column]
    header: list[Row]
    rows: list[Row]
    rule: str = "grid"  # grid | hlines (Hong Kong / US statements: rules, no vertical lines)
    size: float = 9.0
    row_h: float = 16.0
    repeat_header: bool = True
    cont_title: str | None = None  # printed above the continuation when the header repeats
    tag: str | None = None
    min_rows: int = 3  # never leave fewer body rows than this at the bottom of a page
    split_spans: bool = False  # labels drawn as separate text spans (renderers that can)

    def row_height(self, r: Row) -> float:
        base = self.row_h + (2.0 if r.kind == "header" else 0.0)
        return base * r.lines if r.lines == 1 else (self.row_h - 2.0) * r.lines

    def height(self, rows: list[Row] | None = None, with_header: bool = True) -> float:
        rs = self.rows if rows is None else rows
        h = sum(self.row_height(r) for r in rs) + TABLE_GAP
        if with_header:
            h += sum(self.row_height(r) for r in self.header)
        return h


@dataclass
class TocLine:
    text: str
    target: str  # tag whose first page is printed
    page: int = 0
    level: int = 0

    def height(self) -> float:
        return TOC_LINE_H


@dataclass
class Spacer:
    h: float

    def height(self) -> float:
        return self.h


@dataclass
class PageBreak:
    def height(self) -> float:
        return 0.0


Block = Heading | Para | Table | TocLine | Spacer | PageBreak


@dataclass
class Page:
    number: int
    blocks: list[Block]
    show_running: bool = True
    used: float = 0.0


@dataclass
class Document:
    language: str
    title: str
    header_left: str
    header_right: str
    footer: str  # "n" | "n / N" | "{label} n"
    footer_label: str
    pages: list[Page]
    tag_pages: dict[str, list[int]]
    fake_bold: bool = False


def paginate(blocks: list[Block], cover_pages: int = 1) -> tuple[list[Page], dict[str, list[int]]]:
    """Pack blocks into pages, splitting tables at row boundaries; return pages and tag -> pages."""
    pages: list[Page] = [Page(1, [], show_running=cover_pages < 1)]
    used = 0.0

    def new_page() -> None:
        nonlocal used
        pages[-1].used = used
        n = len(pages) + 1
        pages.append(Page(n, [], show_running=n > cover_pages))
        used = 0.0

    i = 0
    while i < len(blocks):
        b = blocks[i]
        if isinstance(b, PageBreak):
            if pages[-1].blocks:
                new_page()
            i += 1
            continue
        if isinstance(b, Table):
            rows = b.rows
            with_header = True
            title = None
            while rows:
                room = CAPACITY - used - (Heading(title or "", 3).height() if title else 0.0)
                fit = 0
                h = b.height([], with_header) - TABLE_GAP
                for r in rows:
                    if h + b.row_height(r) > room - TABLE_GAP:
                        break
                    h += b.row_height(r)
                    fit += 1
                if fit < len(rows) and fit < b.min_rows and pages[-1].blocks:
                    new_page()
                    continue
                fit = max(fit, 1)
                part = replace(b, rows=rows[:fit], header=b.header if with_header else [])
                if title:
                    pages[-1].blocks.append(Heading(title, 3, align="center", keep_next=True))
                    used += Heading(title, 3).height()
                pages[-1].blocks.append(part)
                used += part.height(part.rows, bool(part.header))
                rows = rows[fit:]
                if rows:
                    new_page()
                    with_header = b.repeat_header
                    title = b.cont_title if b.repeat_header else None
            i += 1
            continue
        h = b.height()
        need = h
        if getattr(b, "keep_next", False):
            # Keep a heading (or unit line) with what follows it: the next block's first rows.
            j = i + 1
            while j < len(blocks) and getattr(blocks[j], "keep_next", False):
                need += blocks[j].height()
                j += 1
            if j < len(blocks):
                nb = blocks[j]
                if isinstance(nb, Table):
                    need += nb.height(nb.rows[: nb.min_rows])
                elif not isinstance(nb, PageBreak):
                    need += nb.height()
        if used + min(need, CAPACITY) > CAPACITY and pages[-1].blocks:
            new_page()
        pages[-1].blocks.append(b)
        used += h
        i += 1
    pages[-1].used = used
    return pages, collect_tags(pages)


def collect_tags(pages: list[Page]) -> dict[str, list[int]]:
    tags: dict[str, list[int]] = {}

    def add(tag: str | None, n: int) -> None:
        if tag:
            lst = tags.setdefault(tag, [])
            if n not in lst:
                lst.append(n)

    for p in pages:
        for b in p.blocks:
            add(getattr(b, "tag", None), p.number)
            if isinstance(b, Table):
                for r in b.header + b.rows:
                    add(r.tag, p.number)
    return tags


def resolve_toc(pages: list[Page], tags: dict[str, list[int]]) -> None:
    for p in pages:
        for b in p.blocks:
            if isinstance(b, TocLine):
                b.page = tags[b.target][0]


def table_text(t: Table) -> list[str]:
    return [c for r in t.header + t.rows for c in r.cells]
