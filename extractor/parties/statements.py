"""The consolidated cash-flow statement and balance sheet beside the income statement, read whole
(:mod:`extractor.statement.sheets`), and the line of each that the flags need."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ..model import Figure
from ..patternbook import Concept, Pattern, PatternBook
from ..read.document import Document, Line, join_words
from ..statement.sheets import Sheet, read_sheet
from ..tables.labels import classify_title, fold, normalise_label
from ..tables.rows import Column, Layout, Row, header_cells
from ..tables.units import DEFAULT, Unit
from .common import AMOUNTS_TAIL, CONTINUED, concept_of, money_figure, page_lines
from .pages import find_statement_pages


def read_statement_line(doc: Document, book: PatternBook, title: str, item: str, is_pages: list[int],
                        source: str, fallback: Unit = DEFAULT) -> dict[str, Figure | None]:
    """One line (销售商品、提供劳务收到的现金 / 应收账款) of the consolidated statement titled ``title``."""
    sheet = read_consolidated(doc, book, title, source, is_pages, fallback)
    return line_of(sheet, book, item, source) if sheet is not None else {"current": None, "prior": None}


def read_consolidated(doc: Document, book: PatternBook, title: str, kind: str, is_pages: list[int],
                      fallback: Unit = DEFAULT) -> Sheet | None:
    """The consolidated statement titled ``title`` (beside the income statement) read whole: from its
    title to the next statement's title (the parent company's often starts on the page where the
    group's ends), over page breaks."""
    title_c = concept_of(book, title)
    max_pages = int(book.value("statement_max_pages"))
    found = find_statement_pages(doc, book, title, is_pages)
    # the statement's first page (its title without 续) before the continuation pages found nearer
    starts = [p for p in found if not all(CONTINUED.search(fold(ln.text)) for ln in page_lines(doc, p)
                                          if title_c.search(fold(ln.text)))]
    for page in starts + [p for p in found if p not in starts]:
        lines = page_lines(doc, page)
        t = next((i for i, ln in enumerate(lines) if title_c.search(fold(ln.text))), None)
        if t is None:
            continue
        region = _own_statement(lines[t:], title_c, book)
        ended = len(region) < len(lines) - t
        nxt = page + 1
        while not ended and nxt < doc.page_count and nxt - page < max_pages:
            following = page_lines(doc, nxt)
            more = _own_statement(region[:1] + following, title_c, book, first_lines=6)[1:]
            region.extend(more)
            ended = len(more) < len(following)
            nxt += 1
        sheet = read_sheet(kind, region, book, fallback, _balance_layout(book))
        if sheet is not None and sheet.rows:
            return sheet
    return None


def line_of(sheet: Sheet, book: PatternBook, item: str, source: str) -> dict[str, Figure | None]:
    """The row of ``item`` in a statement read whole, per period, with provenance."""
    out: dict[str, Figure | None] = {"current": None, "prior": None}
    item_c = concept_of(book, item)
    unit = sheet.unit
    failed = [t for t in sheet.tieouts if not t.passed]
    for row in sheet.rows:
        if not row.label:
            continue
        hit = next((h for text in _label_readings(row)
                    if (h := item_c.search(normalise_label(AMOUNTS_TAIL.sub("", text), book))) is not None), None)
        if hit is None:
            continue
        for period in ("current", "prior"):
            col = row.layout.pick(period)
            if col is None:
                continue
            text = row.cell_text(col)
            confidence = 0.95 if unit.found else 0.8
            if any(t.period == period for t in failed):
                confidence = min(confidence, 0.8)  # the statement's own arithmetic does not hold: a row may be off
            fig = (money_figure(text, row.page + 1, row.cell_bbox(col), row.label, source, hit[0], unit, confidence,
                                row.layout.columns[col].header)
                   if text else _blank(row, col, source, hit[0], unit))
            if fig is not None:
                fig.currency = unit.currency
            if fig is not None and sheet.tieouts:
                passed = [t for t in sheet.tieouts if t.period == period]
                fig.notes.append(f"{sheet.kind.replace('_', ' ')} tie-out: "
                                 f"{sum(t.passed for t in passed)} of {len(passed)} subtotals agree")
            out[period] = fig
        return out
    return out


def _label_readings(row: Row) -> list[str]:
    """The row's label, then its last line alone: a heading printed without a colon ("Cash flows from
    operating activities") may have been read as the first line of the label below it."""
    out = [row.label]
    if len(row.lines) > 1:
        last = row.lines[-1]
        own = [w for w in row.label_words if w in last.words]
        if own and len(own) < len(row.label_words):
            out.append(join_words(own))
    return out


def _balance_layout(book: PatternBook) -> Callable[[Line], Layout | None]:
    """Columns headed 期末余额 / 期初余额 (balance sheets name no year), which the income-statement
    period patterns do not cover."""
    current, prior = concept_of(book, "balance_current_header"), concept_of(book, "balance_prior_header")

    def header(ln: Line) -> Layout | None:
        cols: list[Column] = []
        note_cx = None
        for cell in header_cells(ln):
            text = fold(join_words(cell))
            x0, x1 = cell[0].x0, cell[-1].x1
            period = "current" if current.search(text) else "prior" if prior.search(text) else None
            if period:
                cols.append(Column((x0 + x1) / 2, x0, x1, join_words(cell), period))
            elif text in ("附注", "注释", "附註"):
                note_cx = (x0 + x1) / 2
        return Layout(cols, note_cx, "header", ln.text) if len(cols) >= 2 else None
    return header


def _own_statement(lines: list[Line], title_c: Concept, book: PatternBook, first_lines: int = 0) -> list[Line]:
    """The lines up to the next statement's title (a parent-company statement often starts on the
    page where the consolidated one ends); a repeated title or (续) in the first lines of a page
    continues it."""
    for n, ln in enumerate(lines[1:], start=1):
        if classify_title(ln.text, book) is not None and not title_c.search(fold(ln.text)):
            return lines[:n]
        if n > first_lines and title_c.search(fold(ln.text)) and not CONTINUED.search(fold(ln.text)):
            return lines[:n]  # the same title again: another copy of the statement
    return lines


def _blank(row: Row, col: int, source: str, pattern: Pattern, unit: Unit) -> Figure:
    """The row is printed but this column is empty: zero, said so, with lower confidence."""
    c = row.layout.columns[col]
    _x0, y0, _x1, y1 = row.bbox
    fig = Figure(Decimal(0), "", row.page + 1, (c.x0, y0, c.x1, y1), row.label, source, pattern.id, 0.6,
                 unit.unit, unit.multiplier, c.header, pattern.file)
    fig.notes.append("cell is blank: read as zero")
    return fig
