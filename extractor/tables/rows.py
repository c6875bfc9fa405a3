"""Rebuild table rows and period columns from word positions.

Takes a statement region's lines and gives :class:`Row` objects: the label (wrapped labels
joined), the note reference kept apart, and the amount words per column, with each column
assigned to the current or prior period from the header (either order), never from position
alone unless no header exists (then the layout says it was inferred).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import regex

from .. import rxcache
from ..patternbook import PatternBook
from ..read.document import Line, Word, join_words
from .amounts import parse_amount
from .labels import NOTE_REF, fold, match_item

_NOTE_HEADER = rxcache.compile(r"(?i)^(?:附注|附註|注释|註釋|附注[一二三四五六七八九十]+|notes?)$")
_LABEL_HEADER = rxcache.compile(r"(?i)^(?:项目|項目|items?|科目)$")
_NEW_ITEM_START = rxcache.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（]?\d+[)）、.]|其中|加[:：]|减[:：]|減[:：]|less|add)", regex.I)
CELL_GAP = 7.0  # points between words of one header cell ("2019" "年度")


@dataclass
class Column:
    cx: float
    x0: float
    x1: float
    header: str
    period: str | None = None  # "current" | "prior"
    year: int | None = None
    entity: str | None = None  # "consolidated" | "company"


@dataclass
class Layout:
    columns: list[Column]
    note_cx: float | None
    source: str  # "header" | "inherited" | "inferred"
    header_text: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def left_edge(self) -> float:
        """Words centred left of this are labels or note references, never amounts."""
        cols = self.columns
        gap = (cols[1].cx - cols[0].cx) if len(cols) > 1 else max(40.0, cols[0].x1 - cols[0].x0)
        edge = cols[0].cx - gap / 2
        if self.note_cx is not None and self.note_cx < cols[0].cx:
            edge = max(edge, (self.note_cx + cols[0].cx) / 2)
        return edge

    def column_of(self, word: Word) -> int | None:
        if word.cx < self.left_edge:
            return None
        return min(range(len(self.columns)), key=lambda i: abs(self.columns[i].cx - word.cx))

    def pick(self, period: str) -> int | None:
        """The column holding ``period`` for the group (consolidated) figures."""
        cands = [i for i, c in enumerate(self.columns) if c.period == period]
        if not cands:
            return None
        consolidated = [i for i in cands if self.columns[i].entity == "consolidated"]
        return (consolidated or cands)[0]


@dataclass
class Row:
    label: str
    label_words: list[Word]
    note: str | None
    cells: dict[int, list[Word]]  # column index -> words
    page: int  # 0-based
    lines: list[Line]
    layout: Layout

    @property
    def has_amounts(self) -> bool:
        return any(parse_amount(join_words(ws)) is not None for ws in self.cells.values())

    def cell_text(self, col: int) -> str | None:
        ws = self.cells.get(col)
        return join_words(ws) if ws else None

    def cell_bbox(self, col: int) -> tuple[float, float, float, float] | None:
        ws = self.cells.get(col)
        if not ws:
            return None
        return (min(w.x0 for w in ws), min(w.y0 for w in ws), max(w.x1 for w in ws), max(w.y1 for w in ws))

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        ws = [w for line in self.lines for w in line.words]
        return (min(w.x0 for w in ws), min(w.y0 for w in ws), max(w.x1 for w in ws), max(w.y1 for w in ws))


def header_cells(line: Line) -> list[list[Word]]:
    cells: list[list[Word]] = []
    for w in line.words:
        if cells and w.x0 - cells[-1][-1].x1 <= CELL_GAP:
            cells[-1].append(w)
        else:
            cells.append([w])
    return cells


def _classify_cell(text: str, book: PatternBook) -> tuple[str | None, int | None, str | None]:
    """(period, year, entity) a header cell names."""
    compact = fold(text)
    periods = book.kind("periods")
    year = None
    y = periods["year"].search(compact)
    if y is not None:
        year = _year_of(y[1])
    period = None
    for name in ("current", "prior"):
        hit = periods[name].search(compact)
        if hit is not None:
            period = name
            break
    entity = None
    for name, key in (("entity_consolidated", "consolidated"), ("entity_company", "company")):
        hit = periods[name].search(compact)
        if hit is not None and len(compact) <= 12:
            entity = key
            break
    return period, year, entity


def _entity_marks(line: Line, book: PatternBook) -> list[tuple[float, str]]:
    """Cells of a line that name only an entity (合并 / 公司) over column pairs."""
    marks = []
    for cell in header_cells(line):
        period, year, entity = _classify_cell(join_words(cell), book)
        if entity and not (period or year):
            marks.append(((cell[0].x0 + cell[-1].x1) / 2, entity))
    return marks


_MAYBE_HEADER = rxcache.compile(r"(?:19|20)\d\d|[本上][期年]|去年|[一二][零〇○]|(?i:current|prior|previous|last)")


def layout_from_line(line: Line, above: Line | None, book: PatternBook) -> Layout | None:
    """The period columns if this line is a header row (two or more period cells)."""
    if len(_MAYBE_HEADER.findall(line.compact)) < 2:
        return None  # a header names at least two periods: most lines fail this cheap test
    found: list[Column] = []
    extra: list[Column] = []  # 变动比例 / 同比增减 …: not a period, but words below belong to it
    note_cx = None
    for cell in header_cells(line):
        text = join_words(cell)
        compact = fold(text)
        x0, x1 = min(w.x0 for w in cell), max(w.x1 for w in cell)
        if _NOTE_HEADER.match(compact):
            note_cx = (x0 + x1) / 2
            continue
        period, year, entity = _classify_cell(text, book)
        if period or year:
            found.append(Column((x0 + x1) / 2, x0, x1, text, period, year, entity))
        elif found and not _LABEL_HEADER.match(compact):
            extra.append(Column((x0 + x1) / 2, x0, x1, text))
    if len(found) < 2:
        return None
    # a non-period cell counts as a column (变动比例) only when it stands as far from the period
    # columns as they stand from each other; closer, it is a fragment of a header ("2021" … "年度")
    pitch = min(abs(a.cx - b.cx) for a, b in pairwise(found)) if len(found) > 1 else 60.0
    extra = [c for c in extra if c.cx > found[0].cx and min(abs(c.cx - f.cx) for f in found) >= 0.6 * pitch]
    columns = sorted(found + extra, key=lambda c: c.cx)
    _assign_periods(columns)
    marks = _entity_marks(above, book) if above is not None else []
    if not marks:
        marks = [(c.cx, c.entity) for c in columns if c.entity]
    _resolve_entities(columns, marks)
    layout = Layout(columns, note_cx, "header", line.text)
    if any(c.period is None for c in found):
        layout.reasons.append("some columns have no period in the header")
    return layout


_CN_DIGITS = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0", "○": "0"}


def _year_of(m: regex.Match[str]) -> int | None:
    groups = m.groupdict()
    if groups.get("year"):
        return int(groups["year"])
    if groups.get("cnyear"):
        return int("".join(_CN_DIGITS[c] for c in groups["cnyear"]))
    return None


def find_layout(lines: list[Line], book: PatternBook, page: int) -> Layout | None:
    """The first header row among the first lines of a page's part of a region."""
    above = None
    for line in lines[:14]:
        if line.page != page:
            continue
        if _looks_like_item_row(line, book):
            break
        layout = layout_from_line(line, above, book)
        if layout is not None:
            return layout
        above = line
    return None


def _pair_width(columns: list[Column]) -> float:
    return columns[1].cx - columns[0].cx if len(columns) > 1 else 60.0


def _resolve_entities(columns: list[Column], marks: list[tuple[float, str]]) -> None:
    if not marks:
        return
    for c in columns:
        c.entity = min(marks, key=lambda m: abs(m[0] - c.cx))[1]


def _assign_periods(columns: list[Column]) -> None:
    years = [c.year for c in columns if c.year]
    if years:
        latest = max(years)
        for c in columns:
            if c.period is None and c.year is not None:
                c.period = "current" if c.year == latest else "prior" if c.year == latest - 1 else None
    # a header with no years and no period words gives nothing here; the caller infers


def infer_layout(lines: list[Line], book: PatternBook) -> Layout | None:
    """No header: cluster the amount columns and assume current first (said in reasons)."""
    rights: list[float] = []
    for line in lines:
        if not _looks_like_item_row(line, book):
            continue
        for w in line.words[1:]:
            p = parse_amount(w.text)
            if p is not None and p.grouped:
                rights.append(w.x1)
    if not rights:
        return None
    rights.sort()
    clusters: list[list[float]] = [[rights[0]]]
    for r in rights[1:]:
        if r - clusters[-1][-1] <= 12:
            clusters[-1].append(r)
        else:
            clusters.append([r])
    clusters = [c for c in clusters if len(c) >= 2]
    if len(clusters) < 2:
        return None
    cols = []
    for i, c in enumerate(clusters[:2] if len(clusters) in (2, 4) else clusters[-2:]):
        right = sum(c) / len(c)
        cols.append(Column(right - 35, right - 70, right, f"(column {i + 1})", "current" if i == 0 else "prior"))
    return Layout(cols, None, "inferred", reasons=["no period header found: assumed current year in the first column"])


def _looks_like_item_row(line: Line, book: PatternBook) -> bool:
    labels = [w for w in line.words if parse_amount(w.text) is None]
    if not labels:
        return False
    return match_item(join_words(labels), book, ("target", "neighbour")) is not None and any(
        parse_amount(w.text) is not None for w in line.words
    )


def _split_line(line: Line, layout: Layout) -> tuple[list[Word], str | None, dict[int, list[Word]]]:
    label: list[Word] = []
    note: str | None = None
    cells: dict[int, list[Word]] = {}
    edge = layout.left_edge
    for w in line.words:
        col = layout.column_of(w)
        if col is not None:
            cells.setdefault(col, []).append(w)
            continue
        t = fold(w.text)
        near_note = layout.note_cx is not None and abs(w.cx - layout.note_cx) < abs(w.cx - (label[0].x0 if label else 0))
        if label and NOTE_REF.match(t) and (near_note or w.x0 > edge - 120):
            note = w.text
        else:
            label.append(w)
    return label, note, cells


def build_rows(lines: list[Line], book: PatternBook) -> tuple[list[Row], list[Layout]]:
    """Rows of a region, page by page, with wrapped labels joined to their amounts.

    A header row switches the layout from where it stands (a page may hold two tables); a page
    without one carries the columns over from the page before.
    """
    rows: list[Row] = []
    layouts: list[Layout] = []
    layout: Layout | None = None
    for page in sorted({line.page for line in lines}):
        page_lines = [line for line in lines if line.page == page]
        if layout is not None:
            layout = Layout(layout.columns, layout.note_cx, "inherited", layout.header_text,
                            [f"page {page + 1} has no header row: columns carried over from the page before"])
        segment: list[Line] = []
        above: Line | None = None
        for line in page_lines:
            own = None if _looks_like_item_row(line, book) else layout_from_line(line, above, book)
            above = line
            if own is None:
                segment.append(line)
                continue
            if layout is not None and segment:
                rows.extend(_page_rows(segment, layout, book, page))
                if layout not in layouts:
                    layouts.append(layout)
            segment = []
            layout = own
        if segment:
            if layout is None:
                layout = infer_layout(lines, book)
                if layout is None:
                    continue
            rows.extend(_page_rows(segment, layout, book, page))
            if layout not in layouts:
                layouts.append(layout)
        elif layout is not None and layout not in layouts:
            layouts.append(layout)
    return rows, layouts


def _page_rows(lines: list[Line], layout: Layout, book: PatternBook, page: int) -> list[Row]:
    out: list[Row] = []
    pending: tuple[list[Word], Line] | None = None  # a label line still waiting for its amounts
    for line in lines:
        label, note, cells = _split_line(line, layout)
        # any text in the amount columns (a percentage, 不适用) makes this a row, not a label fragment
        if not cells:
            if not label:
                continue
            label_text = join_words(label)
            # a label line after a row whose label is unclosed: "投资收益（损失以“－”号" + "填列）"
            if out and _unclosed(out[-1].label) and out[-1].page == page and _near(out[-1].lines[-1], line):
                out[-1].label = out[-1].label + label_text
                out[-1].label_words = out[-1].label_words + label
                out[-1].lines.append(line)
                continue
            if pending is not None and _near(pending[1], line) and _is_continuation(join_words(pending[0]), label_text, book):
                pending = (pending[0] + label, line)
            else:
                pending = (label, line)
            continue
        row_lines = [line]
        if pending is not None and _near(pending[1], line):
            first = join_words(pending[0])
            rest = join_words(label)
            if not label or _is_continuation(first, rest, book):
                label = pending[0] + label
                row_lines = [pending[1], line]
        pending = None
        text = "".join(w.text for w in label)
        out.append(Row(text, label, note, cells, page, row_lines, layout))
    return out


def _unclosed(text: str) -> bool:
    opens = text.count("（") + text.count("(")
    closes = text.count("）") + text.count(")")
    return opens > closes


def _near(a: Line, b: Line) -> bool:
    h = max(4.0, min(a.y1 - a.y0, b.y1 - b.y0))
    return 0 <= b.y0 - a.y1 <= 1.6 * h or (b.y0 < a.y1 and b.y1 > a.y0)


def _is_continuation(first: str, rest: str, book: PatternBook) -> bool:
    """Is ``rest`` the second line of the label ``first`` rather than a new item?"""
    if not rest:
        return True
    if _NEW_ITEM_START.match(fold(rest)):
        return False
    if fold(first).endswith((":", "：")):
        return False
    if match_item(first, book, ("target", "neighbour")) and match_item(rest, book, ("target", "neighbour", "foreign")):
        return False
    # a line that is an item of its own is a new row, unless the two lines together make an item
    return not (match_item(rest, book, ("target", "neighbour")) and not match_item(first + rest, book))
