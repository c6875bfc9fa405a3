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
from ..tables.labels import fold, match_item, normalise_label, section_hit
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
_NUMBERED = rxcache.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．])?(\d{1,3})[、.．]\s*(\D{2,24})$")
_TITLE = rxcache.compile(r"\D{2,24}")


def note_number(ref: str | None) -> int | None:
    """The note number a statement's 附注 cell points at: 七、61 -> 61, 五(30) -> 30, 52 -> 52."""
    if not ref:
        return None
    nums = _NUMBER.findall(fold(ref))
    return int(nums[-1]) if nums else None


@dataclass(frozen=True)
class NoteOrder:
    """Where the wanted note stands among the notes, as the statement tells: the notes on the
    statements' lines follow the lines' order, so a heading naming a later line of the statement
    ("所得税费用" when 销售费用 is wanted) means the walk has passed the wanted note.

    ``number`` is the note number the statement's 附注 column gives, if any; ``earlier`` and ``later``
    hold the labels (as :func:`~extractor.tables.labels.normalise_label` gives them) of the
    statement's lines before and after the wanted one, ``own`` the wanted line's."""

    number: int | None = None
    own: str = ""
    earlier: frozenset[str] = frozenset()
    later: frozenset[str] = frozenset()

    @classmethod
    def of_rows(cls, rows: list[Row], at: Row, number: int | None, book: PatternBook) -> NoteOrder:
        """The order the statement's ``rows`` give the note of row ``at``."""
        labels = [normalise_label(r.label, book) if r.label else "" for r in rows]
        i = next((k for k, r in enumerate(rows) if r is at), None)
        if i is None:
            return cls(number)
        mine = labels[i]
        return cls(number, mine, frozenset(t for t in labels[:i] if t and t != mine),
                   frozenset(t for t in labels[i + 1:] if t and t != mine))

    def passed(self, headings: list[tuple[int, str]]) -> bool:
        """Do a page's numbered headings show the wanted note at hand or behind?"""
        if self.number is not None and any(self.number <= n <= self.number + 12 for n, _ in headings):
            return True
        return any(label in self.later or label == self.own for _, label in headings)

    def before(self, headings: list[tuple[int, str]]) -> int | None:
        """The highest number of a page's headings naming a line before the wanted one, if any."""
        return max((n for n, label in headings if label in self.earlier), default=None)

    def beyond(self, headings: list[tuple[int, str]], number: int) -> bool:
        """Does a page carry a heading numbered past ``number`` (an earlier line's note, seen on the
        probe before) that names no earlier line? Then the wanted note, which follows that line's,
        is most likely in between."""
        return any(n > number and label not in self.earlier for n, label in headings)


def _page_headings(doc: Document, book: PatternBook, index: int) -> list[tuple[int, str]]:
    """The numbered headings on a page, as (number, normalised label): "33、 销售费用" -> (33, 销售费用)."""
    lines = [s.strip() for s in doc.text(index).split("\n") if s.strip()]
    out = []
    for i, raw in enumerate(lines):
        bare = _NUMBER.fullmatch(raw)
        if _HEADING_NUMBER.fullmatch(fold(raw)) and i + 1 < len(lines):
            raw = raw + lines[i + 1]
        m = _NUMBERED.match(fold(raw))
        if m:
            out.append((int(m.group(1)), normalise_label(m.group(2), book)))
        elif bare and i + 1 < len(lines) and (t := _TITLE.fullmatch(fold(lines[i + 1]))):
            # Hong Kong notes print the number alone, the title on the next line ("11" / "除稅前溢利")
            out.append((int(bare.group(0)), normalise_label(t.group(0), book)))
    return out


def _gallop_pages(doc: Document, book: PatternBook, order: NoteOrder, start: int, end: int,
                  step: int = 4) -> Iterator[int]:
    """Pages worth reading for the wanted note: probe every ``step``-th page and read a window
    closely once a probe shows headings at or just past the note's number, or naming a later line
    of the statement.

    Numbering restarts in each part of the notes (policies, items, related parties), so a probe
    past the number is a hint, not a verdict: the walk goes on if the window lacks the heading.
    The walk ends at a window bracketed by the statement's own lines: a probe naming an earlier
    line, the next one a later line, and nothing between them holding the note (the report prints
    no such note). Without one, the pages no hint led to are read last.
    """
    prev = start  # the previous probe (its page is read again: a heading may follow its first lines)
    done: set[int] = set()
    earlier: int | None = None  # the number of an earlier line's note on the previous probe
    for probe in range(start, end, step):
        headings = _page_headings(doc, book, probe)
        if order.passed(headings) or (earlier is not None and order.beyond(headings, earlier)):
            window = [i for i in range(prev, min(end, probe + 1)) if i not in done]
            done.update(window)
            yield from window
            if earlier is not None and any(label in order.later for _, label in headings):
                return  # bracketed by its neighbours' notes, and not between them: the report prints none
        earlier = order.before(headings)
        prev = probe
    yield from (i for i in range(start, end) if i not in done)  # no hint led there: read the rest


def find_note(doc: Document, book: PatternBook, item: str, start: int, statement_unit: Unit,
              max_pages: int | None = None, order: NoteOrder | None = None) -> NoteTable | None:
    """The note table for ``item`` in the pages from ``start`` on (0-based).

    Where: the outline when it lists the note; else, given where the statement puts the note (its
    附注 column's number, its lines' order), a gallop over the numbered headings; else a
    page-by-page scan.
    """
    pages = _heading_pages(doc, book, item, start)
    end = doc.page_count if max_pages is None else min(doc.page_count, start + max_pages)
    if not pages:
        order_ = order or NoteOrder()
        walk = (_gallop_pages(doc, book, order_, start, end) if order_.number is not None or order_.later
                else iter(range(start, end)))
        pages = next(([i] for i in walk if _page_has_heading(doc, book, item, i)), [])
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
    start = next((i for i, line in enumerate(lines) if heading_item(line.text, book) == item
                  # the number alone on its line, the title on the next (Hong Kong notes)
                  or (i + 1 < len(lines) and _NUMBER.fullmatch(line.text.strip())
                      and heading_item(line.text.strip() + lines[i + 1].text, book) == item)), None)
    if start is None:
        return None
    if _NUMBER.fullmatch(lines[start].text.strip()):
        start += 1
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
