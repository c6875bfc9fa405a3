"""Read the notes' breakdown tables of the expense lines (销售费用, 管理费用, 研发费用).

Takes the document, the located statement and the item wanted, and gives a :class:`NoteTable`:
the note's heading, its rows, the total (合计, or the unlabelled last row) and, for the
administrative expense note of pre-2018 reports, the R&D line inside it. Headings are found
through the PDF outline when it lists them, else by reading pages after the statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .. import rxcache
from ..patternbook import PatternBook
from ..read.document import Document, Line
from ..tables.amounts import parse_amount
from ..tables.labels import fold, match_item, section_hit
from ..tables.rows import Row, build_rows
from ..tables.units import Unit, find_unit, unit_above

_HEADING_NUMBER = rxcache.compile(
    r"^(?:[(（]?[一二三四五六七八九十]{1,4}[)）]?[、.．]?)?(?:[(（]?\d{1,3}[)）]?[、.．]?|[(（][一二三四五六七八九十]{1,4}[)）])"
)


@dataclass
class NoteTable:
    item: str
    heading: Line
    rows: list[Row]
    unit: Unit
    unit_printed: bool = True  # False: no unit printed for this table; the statement's was assumed

    @property
    def page(self) -> int:
        return self.heading.page

    def total_row(self, book: PatternBook) -> Row | None:
        amount_rows = [r for r in self.rows if r.has_amounts]
        for r in amount_rows:
            m = match_item(r.label, book, ("breakdown",)) if r.label else None
            if m is not None and m[0].name == "note_total":
                return r
        # Big-4 style notes print the total without a label under the last item
        if amount_rows and not amount_rows[-1].label.strip():
            return amount_rows[-1]
        return None

    def find_row(self, concept: str, book: PatternBook) -> Row | None:
        for r in self.rows:
            m = match_item(r.label, book, ("breakdown",)) if r.label else None
            if m and m[0].name == concept and r.has_amounts:
                return r
        return None


def heading_item(text: str, book: PatternBook) -> str | None:
    """The expense item a numbered note heading names ("55. 管理费用" -> admin_expense)."""
    compact = fold(text)
    m = _HEADING_NUMBER.match(compact)
    if not m or m.end() == 0 or len(compact) > 30:
        return None
    hit = match_item(compact[m.end():], book, ("target",))
    return hit[0].name if hit else None


def _heading_pages(doc: Document, book: PatternBook, item: str, start: int) -> list[int]:
    """Pages the PDF outline gives for the note (0-based), when it lists notes at all."""
    if "_note_outline" not in doc.memo:  # outline entries naming an expense note, classified once per document
        doc.memo["_note_outline"] = [(p - 1, hit) for _lvl, title, p in doc.outline
                                     if (hit := heading_item(title, book)) is not None]
    return [page for page, hit in doc.memo["_note_outline"] if page >= start and hit == item]


# top-level note headings only ("33、 销售费用", "七、61 销售费用"); "(1) …" sub-items would mislead
_NUMBER = rxcache.compile(r"\d{1,3}")
_NUMBERED = rxcache.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．])?(\d{1,3})[、.．]\s*\D{2,24}$")


def note_number(ref: str | None) -> int | None:
    """The note number a statement's 附注 cell points at: 七、61 -> 61, 五(30) -> 30, 52 -> 52."""
    if not ref:
        return None
    nums = _NUMBER.findall(fold(ref))
    return int(nums[-1]) if nums else None


def _page_numbers(doc: Document, index: int) -> list[int]:
    """Numbers of the numbered headings on a page ("33、 销售费用" -> 33)."""
    lines = [s.strip() for s in doc.text(index).split("\n") if s.strip()]
    out = []
    for i, raw in enumerate(lines):
        if _HEADING_NUMBER.fullmatch(fold(raw)) and i + 1 < len(lines):
            raw = raw + lines[i + 1]
        m = _NUMBERED.match(fold(raw))
        if m:
            out.append(int(m.group(1)))
    return out


def _gallop_pages(doc: Document, number: int, start: int, end: int, step: int = 4) -> Iterator[int]:
    """Pages worth reading for note ``number``: probe every ``step``-th page and read a window
    closely once a probe shows headings at or just past the number.

    Numbering restarts in each part of the notes (policies, items, related parties), so a probe
    past the number is a hint, not a verdict: the walk goes on if the window lacks the heading.
    """
    prev = start
    done: set[int] = set()
    for probe in range(start, end, step):
        nums = _page_numbers(doc, probe)
        if any(number <= n <= number + 12 for n in nums):
            window = range(prev, min(end, probe + 1))
            done.update(window)
            yield from window
        prev = probe + 1
    yield from (i for i in range(start, end) if i not in done)  # no hint led there: read the rest


def find_note(doc: Document, book: PatternBook, item: str, start: int, statement_unit: Unit,
              max_pages: int | None = None, number: int | None = None) -> NoteTable | None:
    """The note table for ``item`` in the pages from ``start`` on (0-based).

    Where: the outline when it lists the note; else, given the note number from the statement's
    附注 column, a gallop over the numbered headings; else a page-by-page scan.
    """
    pages = _heading_pages(doc, book, item, start)
    end = doc.page_count if max_pages is None else min(doc.page_count, start + max_pages)
    if not pages:
        order = _gallop_pages(doc, number, start, end) if number is not None else iter(range(start, end))
        pages = next(([i] for i in order if _page_has_heading(doc, book, item, i)), [])
    for index in pages[:3]:
        table = _read_note(doc, book, item, index, statement_unit)
        if table is not None:
            return table
    return None


def _page_has_heading(doc: Document, book: PatternBook, item: str, index: int) -> bool:
    lines = [s.strip() for s in doc.text(index).split("\n") if s.strip()]
    for i, raw in enumerate(lines):
        # plain text can put the number and the title on separate lines ("55." / "管理费用")
        if _HEADING_NUMBER.fullmatch(fold(raw)) and i + 1 < len(lines):
            raw = raw + lines[i + 1]
        if len(raw) < 40 and heading_item(raw, book) == item:
            return True
    return False


def _read_note(doc: Document, book: PatternBook, item: str, index: int, statement_unit: Unit) -> NoteTable | None:
    lines = doc.quick_lines(index)
    start = next((i for i, line in enumerate(lines) if heading_item(line.text, book) == item), None)
    if start is None:
        return None
    heading = lines[start]
    body: list[Line] = []
    for line in lines[start + 1:]:
        if _ends_note(line, book):
            break
        body.append(line)
    else:
        # the table may run onto the next page
        if index + 1 < doc.page_count:
            for line in doc.quick_lines(index + 1):
                if _ends_note(line, book):
                    break
                body.append(line)
    # the table's own unit: under its heading or in its column headers, else the nearest short unit
    # line above the heading on the page; else the statement's, to be confirmed by the tie to it
    unit = find_unit(lines[start:start + 4], book)
    if not unit.found:
        unit = unit_above(lines[:start], heading.y0, index, book)
    printed = unit.found
    if not unit.found:
        unit = statement_unit
    rows, layouts = build_rows(body, book)
    if not layouts:
        return None
    return NoteTable(item, heading, rows, unit, printed)


def _ends_note(line: Line, book: PatternBook) -> bool:
    compact = fold(line.text)
    m = _HEADING_NUMBER.match(compact)
    if m and m.end() > 0 and len(compact) <= 30 and not parse_amount(line.words[-1].text):
        rest = compact[m.end():]
        if rest and not rest[0].isdecimal() and len(rest) >= 2:
            return True
    return section_hit(line.text, book) is not None


def row_value(row: Row, period: str, unit: Unit) -> tuple[Decimal, str, tuple[float, float, float, float]] | None:
    col = row.layout.pick(period)
    if col is None:
        return None
    text = row.cell_text(col)
    if text is None:
        return None
    p = parse_amount(text)
    if p is None:
        return None
    value = Decimal(0) if p.value is None else abs(p.value) * unit.multiplier
    return value, text, row.cell_bbox(col) or row.bbox
