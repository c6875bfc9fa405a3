"""One line of the consolidated cash-flow statement or balance sheet, beside the income statement."""

from __future__ import annotations

from decimal import Decimal

from ..model import Figure
from ..patternbook import Concept, Pattern, PatternBook
from ..read.document import Document, Line, join_words
from ..tables.labels import classify_title, fold, normalise_label
from ..tables.rows import Column, Layout, find_layout, header_cells
from ..tables.units import DEFAULT, Unit, find_unit
from .common import (
    AMOUNTS_TAIL,
    NOTE_REF,
    amount_cells,
    concept_of,
    folded_lines,
    money_figure,
    page_has,
    page_lines,
)
from .pages import find_statement_pages


def read_statement_line(doc: Document, book: PatternBook, title: str, item: str, is_pages: list[int],
                        source: str, fallback: Unit = DEFAULT) -> dict[str, Figure | None]:
    """One line (销售商品、提供劳务收到的现金 / 应收账款) of the consolidated statement titled ``title``."""
    out: dict[str, Figure | None] = {"current": None, "prior": None}
    title_c, item_c = concept_of(book, title), concept_of(book, item)
    for page in find_statement_pages(doc, book, title, is_pages):
        # positioned words cost far more than plain text: read them only from the title page to
        # the page whose text holds the line
        span = range(page, min(doc.page_count, page + 3))
        item_page = next((i for i in span if page_has(doc, book, i, item)), None)
        if item_page is None:  # label printed with prefixes or amounts on its line: the slow way
            item_page = next((i for i in span if any(item_c.search(normalise_label(AMOUNTS_TAIL.sub("", t), book))
                                                     for t in folded_lines(doc, i))), None)
        if item_page is None:
            continue
        lines = page_lines(doc, page)
        t = next((i for i, ln in enumerate(lines) if title_c.search(fold(ln.text))), None)
        if t is None:
            continue
        region = _own_statement(lines[t:] + [ln for nxt in range(page + 1, item_page + 1) for ln in page_lines(doc, nxt)],
                                title_c, book)
        unit = find_unit(region[:8], book)
        if not unit.found and fallback.found:
            unit = fallback  # one report, one unit: the income statement's line serves its neighbours
        layout: Layout | None = None
        for ln in region[1:]:
            if layout is None or _starts_page(ln, region):
                head = [x for x in region if x.page == ln.page and x.y0 >= ln.y0][:14]
                own = find_layout(head, book, ln.page) or _balance_layout(head, book)
                layout = own or layout
            if layout is None:
                continue
            label_words = [w for i, w in enumerate(ln.words)
                           if layout.column_of(w) is None and not (i and NOTE_REF.match(fold(w.text)))]
            label = normalise_label(join_words(label_words), book) if label_words else ""
            hit = item_c.search(label) if label else None
            if hit is None:
                continue
            cells = amount_cells(ln, layout)
            for period in ("current", "prior"):
                col = layout.pick(period)
                if col is None:
                    continue
                w = cells.get(col)
                fig = (money_figure(w.text, ln.page + 1, (w.x0, w.y0, w.x1, w.y1), join_words(label_words), source,
                              hit[0], unit, 0.95 if unit.found else 0.8, layout.columns[col].header)
                       if w else _blank(ln, layout, col, join_words(label_words), source, hit[0], unit))
                out[period] = fig
            return out
    return out


def _balance_layout(lines: list[Line], book: PatternBook) -> Layout | None:
    """Columns headed 期末余额 / 期初余额 (balance sheets name no year), which the income-statement
    period patterns do not cover."""
    current, prior = concept_of(book, "balance_current_header"), concept_of(book, "balance_prior_header")
    for ln in lines:
        cols: list[Column] = []
        note_cx = None
        for cell in header_cells(ln):
            text = fold(join_words(cell))
            x0, x1 = cell[0].x0, cell[-1].x1
            period = "current" if current.search(text) else "prior" if prior.search(text) else None
            if period:
                cols.append(Column((x0 + x1) / 2, x0, x1, join_words(cell), period))
            elif text in ("附注", "注释"):
                note_cx = (x0 + x1) / 2
        if len(cols) >= 2:
            return Layout(cols, note_cx, "header", ln.text)
    return None


def _own_statement(lines: list[Line], title_c: Concept, book: PatternBook) -> list[Line]:
    """The lines up to the next statement's title (a parent-company statement often starts on the
    page where the consolidated one ends)."""
    for n, ln in enumerate(lines[1:], start=1):
        if classify_title(ln.text, book) is not None and not title_c.search(fold(ln.text)):
            return lines[:n]
    return lines


def _starts_page(line: Line, region: list[Line]) -> bool:
    first = next(x for x in region if x.page == line.page)
    return line is first


def _blank(line: Line, layout: Layout, col: int, label: str, source: str, pattern: Pattern, unit: Unit) -> Figure:
    """The row is printed but this column is empty: zero, said so, with lower confidence."""
    c = layout.columns[col]
    fig = Figure(Decimal(0), "", line.page + 1, (c.x0, line.y0, c.x1, line.y1), label, source, pattern.id, 0.6,
                 unit.unit, unit.multiplier, c.header, pattern.file)
    fig.notes.append("cell is blank: read as zero")
    return fig
