"""Rebuild table rows and period columns from word positions.

Takes a statement region's lines and gives :class:`Row` objects: the label (wrapped labels
joined), the note reference kept apart, and the amount words per column, with each column
assigned to the current or prior period from the header (either order), never from position
alone unless no header exists (then the layout says it was inferred).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

import regex

from .. import rxcache
from ..patternbook import PatternBook
from ..read.document import Line, Word, join_words
from .amounts import parse_amount
from .labels import NOTE_REF, PAGE_NUMBER, RUNNING_HEADER, fold, is_statement_line, match_item

_NOTE_HEADER = rxcache.compile(r"(?i)^(?:附注|附註|注释|註釋|附注[一二三四五六七八九十]+|notes?)$")
_LABEL_HEADER = rxcache.compile(r"(?i)^(?:项目|項目|items?|科目)$")
_NEW_ITEM_START = rxcache.compile(r"^(?:[一二三四五六七八九十]+[、.]|[(（]?\d+[)）、.]|其中|加[:：]|减[:：]|減[:：]|less|add)", regex.I)
_TOTAL_WORDS = ("小计|合计|总计|小計|合計|總計", "total|subtotal")  # Chinese tails, English heads


def _total_rx(zh: str, en: str) -> regex.Pattern[str]:
    return rxcache.compile(rf"^[^(（].{{2,}}(?:{zh})$|^(?i:{en})\b")


# a total is a label complete in itself: it never wraps into the next line (净额 and Net too), and
# never ends a label begun on the line above
_SUBTOTAL = _total_rx(_TOTAL_WORDS[0] + "|净额|淨額", _TOTAL_WORDS[1] + "|net")
_TOTAL = _total_rx(*_TOTAL_WORDS)
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
    total: bool = False  # the sum of the other columns of its period (segments beside a group total)
    restated: str | None = None  # the header's restatement marker as printed (已重述, 调整后, Restated)
    unadjusted: bool = False  # "as first reported" (调整前) beside a restated column of the same period


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
        cands = [i for i in cands if not self.columns[i].unadjusted] or cands  # the restated figures are in force
        consolidated = [i for i in cands if self.columns[i].entity == "consolidated"] or cands
        totals = [i for i in consolidated if self.columns[i].total]
        return (totals or consolidated)[0]


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
    opening = periods["opening_date"].search(compact) if "opening_date" in periods else None
    y = periods["year"].search(compact)
    if opening is not None:
        year = int(opening[1]["year"]) - 1  # a balance on 1 January is the close of the year before
    elif y is not None:
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


def restatement_marker(text: str, book: PatternBook) -> tuple[str | None, bool]:
    """(the restatement marker as printed, whether the column is the unadjusted one) of a header cell."""
    periods = book.kind("periods")
    if "unadjusted" in periods and periods["unadjusted"].search(fold(text)) is not None:
        return None, True
    if "restated" not in periods:
        return None, False
    hit = periods["restated"].search(fold(text))
    return (hit[1][0] if hit is not None else None), False


def apply_marker_line(layout: Layout, line: Line, book: PatternBook) -> bool:
    """A line under (or over) a header row that only prints restatement markers, one under each column
    it marks (``2020`` over ``(Restated)``), or two under one period (``2020年`` over ``调整后 调整前``,
    the column is then split in two): marks ``layout``'s columns and returns True; else changes nothing."""
    marks: list[tuple[float, float, float, str, str | None, bool]] = []
    for cell in header_cells(line):
        text = join_words(cell)
        restated, unadjusted = restatement_marker(text, book)
        period, year, _ = _classify_cell(text, book)
        if not (restated or unadjusted) or period or year:
            return False
        x0, x1 = min(w.x0 for w in cell), max(w.x1 for w in cell)
        marks.append(((x0 + x1) / 2, x0, x1, text, restated, unadjusted))
    periodic = [c for c in layout.columns if c.period or c.year]
    if not marks or not periodic:
        return False
    under: dict[int, list[tuple[float, float, float, str, str | None, bool]]] = {}
    for m in marks:
        nearest = min(periodic, key=lambda c: abs(c.cx - m[0]))
        under.setdefault(id(nearest), []).append(m)
    columns: list[Column] = []
    for c in layout.columns:
        mine = under.get(id(c), [])
        if len(mine) == 1:
            c.restated, c.unadjusted = mine[0][4], mine[0][5]
            c.header = f"{c.header} {mine[0][3]}"
        columns.extend([c] if len(mine) <= 1 else [
            Column(cx, x0, x1, f"{c.header} {text}", c.period, c.year, c.entity, c.total, restated, unadjusted)
            for cx, x0, x1, text, restated, unadjusted in sorted(mine)])
    layout.columns[:] = columns
    layout.header_text = f"{layout.header_text} / {line.text}"
    return True


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
            column = Column((x0 + x1) / 2, x0, x1, text, period, year, entity)
            column.restated, column.unadjusted = restatement_marker(text, book)
            found.append(column)
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
    if groups.get("yy"):  # 2021/22 ends in 2022; 2021-12 is a month, not a fiscal year
        start = int(groups["start"])
        return start + 1 if (start + 1) % 100 == int(groups["yy"]) else start
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


_GLUED_NOTE = rxcache.compile(r"^(?P<label>.*[^\s(（)）])(?P<note>[(（][一二三四五六七八九十]{1,4}[)）])$")


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
        elif not label and layout.note_cx is not None and abs(w.cx - layout.note_cx) <= 25 and NOTE_REF.match(t):
            note = w.text  # in the 附注 column on the amounts' own line, below the label's first line
        elif (label and note is None and layout.note_cx is not None and abs(w.cx - layout.note_cx) <= 25
              and w.x0 - label[-1].x1 > 3 * max(1.0, w.height)):
            # in the 附注 column, far apart from the label: a note reference however it reads (an OCR'd
            # "七、56" may come out "ES 56"); never the label's end
            note = w.text
        else:
            label.append(w)
    if label and note is None:
        # a note number printed against the label, one word with it: 销售费用（六十三）
        glued = _GLUED_NOTE.match(label[-1].text)
        if glued:
            w = label[-1]
            cut = w.x0 + (w.x1 - w.x0) * len(glued["label"]) / len(w.text)
            label[-1] = Word(glued["label"], w.x0, w.y0, cut, w.y1)
            note = glued["note"]
    return label, note, cells


def build_rows(lines: list[Line], book: PatternBook, header: Callable[[Line], Layout | None] | None = None
               ) -> tuple[list[Row], list[Layout]]:
    """Rows of a region, page by page, with wrapped labels joined to their amounts.

    A header row switches the layout from where it stands (a page may hold two tables); a page
    without one carries the columns over from the page before.
    """
    rows: list[Row] = []
    layouts: list[Layout] = []
    layout: Layout | None = None
    style: dict[str, bool] = {}  # how this table wraps its labels, learnt page by page
    for page in sorted({line.page for line in lines}):
        page_lines = _without_furniture([line for line in lines if line.page == page])
        if layout is not None:
            layout = Layout(layout.columns, layout.note_cx, "inherited", layout.header_text,
                            [f"page {page + 1} has no header row: columns carried over from the page before"])
        segment: list[Line] = []
        above: Line | None = None
        fresh = 0  # lines since a header row was found, while a restatement marker line may follow it
        for line in page_lines:
            if (fresh and layout is not None and not any(parse_amount(w.text) for seen in segment for w in seen.words)
                    and apply_marker_line(layout, line, book)):
                fresh = 0
                continue
            fresh = max(0, fresh - 1)
            item_row = _looks_like_item_row(line, book)
            own = None if item_row else layout_from_line(line, above, book)
            if own is None and header is not None and not item_row:
                own = header(line)  # a statement's own headers (期末余额 / 期初余额)
            above = line
            if own is None:
                segment.append(line)
                continue
            if layout is not None and segment:
                rows.extend(_page_rows(segment, layout, book, page, style))
                if layout not in layouts:
                    layouts.append(layout)
            elif layout is None and not rows:
                rows.extend(_rows_above_header(segment, line, own, book, page, style))
            # a header row printed over a row's amounts (displaced in the file) is that row too: its
            # cells then read as no amount, and the figure says so, instead of the row being lost
            segment = [line] if any(own.column_of(w) is not None and (p := parse_amount(w.text)) is not None
                                    and p.grouped for w in line.words) else []
            layout = own
            fresh = 3
        if segment:
            if layout is None:
                layout = infer_layout(lines, book)
                if layout is None:
                    continue
            _join_across_pages(rows, _page_rows(segment, layout, book, page, style))
            if layout not in layouts:
                layouts.append(layout)
        elif layout is not None and layout not in layouts:
            layouts.append(layout)
    for lay in layouts:
        _mark_totals(lay, [r for r in rows if r.layout is lay or r.layout.columns is lay.columns])
    return rows, layouts


def _rows_above_header(lines: list[Line], header: Line, layout: Layout, book: PatternBook, page: int,
                       style: dict[str, bool]) -> list[Row]:
    """Item rows printed just above the table's first header row (a header displaced in the file onto
    the first rows): read under that header's columns, not dropped, and the layout says so. Only rows
    that run on into the header row: amounts further up belong to something else."""
    def amounts(line: Line) -> bool:
        return any(layout.column_of(w) is not None and parse_amount(w.text) for w in line.words)

    if not lines or not amounts(lines[-1]) or header.y0 - lines[-1].y1 > 2 * (header.y1 - header.y0):
        return []
    start = next(i for i, line in enumerate(lines) if amounts(line))
    layout.reasons.append(f"page {page + 1}: {len(lines) - start} line(s) above the header row read under its columns")
    return _page_rows(lines[start:], layout, book, page, style)


@dataclass
class _Block:
    """The lines of one row being gathered: label lines (a wrapped label) and amount lines."""

    label_lines: list[tuple[Line, list[Word]]]
    note: str | None
    cells: dict[int, list[Word]]
    lines: list[Line]
    amounts_below: bool = False  # the amounts came on a line of their own, below the label's first line

    @property
    def text(self) -> str:
        return "".join(join_words(ws) for _, ws in self.label_lines)

    @property
    def last(self) -> Line:
        return self.lines[-1]


_TOTAL_HEADER = rxcache.compile(r"(?i)^(?:total|合計|合计|總計|总计)$")


def _mark_totals(layout: Layout, rows: list[Row]) -> None:
    """Among three or more columns of one period, the group total is the one that equals the sum of
    the others row after row (a segment breakdown printed beside it), or failing that the one headed
    Total / 合計; position alone never decides."""
    for period in ("current", "prior"):
        cols = [i for i, c in enumerate(layout.columns) if c.period == period]
        if len(cols) < 3:
            continue
        best, best_hits = None, 0
        for k in cols:
            hits = checked = 0
            for r in rows:
                parsed = [parse_amount(r.cell_text(i) or "") for i in cols]
                vals = {i: p.value for i, p in zip(cols, parsed, strict=True) if p is not None and p.value is not None}
                if len(vals) < len(cols) or all(v == 0 for v in vals.values()):
                    continue
                checked += 1
                hits += abs(vals[k] - sum((v for i, v in vals.items() if i != k), Decimal(0))) <= 1
            if checked >= 3 and hits >= 0.8 * checked and hits > best_hits:
                best, best_hits = k, hits
        if best is None:
            best = next((i for i in cols if _TOTAL_HEADER.match(fold(layout.columns[i].header))), None)
        if best is not None:
            layout.columns[best].total = True
            layout.reasons.append(f"{period}: column {layout.columns[best].header!r} is the total of the "
                                  f"{len(cols) - 1} others of its period")


def _without_furniture(lines: list[Line]) -> list[Line]:
    """A page's lines without its number and its running title (first or last line)."""
    out = [ln for ln in lines if not PAGE_NUMBER.match(fold(ln.text))]
    for end in (0, -1):
        if out and RUNNING_HEADER.search(fold(out[end].text)) and len(out) > 1:
            out.pop(end)
    return out


def _join_across_pages(rows: list[Row], page_rows: list[Row]) -> None:
    """Append a page's rows; a label cut by the page break ("…（亏损以“－”号填" / "列）") is joined."""
    if rows and page_rows and not page_rows[0].cells and _unclosed(rows[-1].label) \
            and not _NEW_ITEM_START.match(fold(page_rows[0].label)):
        head = page_rows.pop(0)
        rows[-1].label += head.label
        rows[-1].label_words = rows[-1].label_words + head.label_words  # the row's box stays on its own page
    rows.extend(page_rows)


def _page_rows(lines: list[Line], layout: Layout, book: PatternBook, page: int, style: dict[str, bool]) -> list[Row]:
    """Rows of one page's lines under ``layout``.

    A label may wrap over several lines and its amounts may stand on the first, the last or a line
    of their own between them (vertically centred). A label line continues the row above when the
    typesetting says so: an open bracket, a hanging indent under a line that was full, the row's
    amounts reaching down beside it; a label-only line is a row of its own (其中：… headings), kept
    without amounts.
    """
    parts = [(line, *_split_line(line, layout)) for line in lines]
    # the second line of a column header (附註 人民幣千元 人民幣千元) is no row
    parts = [p for p in parts if not (p[1] and (_NOTE_HEADER.match(fold(join_words(p[1])))
                                                or _LABEL_HEADER.match(fold(join_words(p[1]))))
                                      and not any(parse_amount(join_words(ws)) for ws in p[3].values()))]
    # the label column's right limit
    # (a running title or a signature line reaching into the amount columns is no label)
    ends = [ws[-1].x1 for _, ws, _, _ in parts if ws and ws[-1].x1 <= layout.left_edge]
    right = max(ends or [ws[-1].x1 for _, ws, _, _ in parts if ws] or [0.0])
    # does this page wrap labels with a hanging indent? then a line that does not hang starts a row
    labelled = [ws for _, ws, _, _ in parts if ws and ws[-1].x1 <= right]
    # (one table keeps one style: a page with few wraps takes it from the pages before)
    hangs = style["hangs"] = style.get("hangs", False) or any(
        b[0].x0 < a[0].x0 - 2 and _full(a, b, right) and not _NEW_ITEM_START.match(fold(join_words(b)))
        and not join_words(b).isascii()  # English totals stand left of the items above them
        for a, b in pairwise(labelled))
    blocks: list[_Block] = []
    for line, label, note, cells in parts:
        b = blocks[-1] if blocks else None
        if not label and not cells:
            continue
        if not label:
            # amounts alone: they belong to the label lines just above, which have none yet
            if b is not None and not b.cells and b.label_lines and _near(b.last, line) and cells:
                b.cells = cells
                b.note = b.note or note
                b.lines.append(line)
                b.amounts_below = True
            else:
                blocks.append(_Block([], note, cells, [line]))
            continue
        if b is not None and b.label_lines and _continues_row(b, line, label, cells, right, hangs, book):
            b.label_lines.append((line, label))
            b.lines.append(line)
            b.note = b.note or note
            for col, ws in cells.items():
                b.cells.setdefault(col, []).extend(ws)
            continue
        blocks.append(_Block([(line, label)], note, dict(cells), [line]))
    return [Row("".join(w.text for _, ws in b.label_lines for w in ws), [w for _, ws in b.label_lines for w in ws],
                b.note, b.cells, page, b.lines, layout) for b in blocks]


def _full(above: list[Word], below: list[Word], right: float) -> bool:
    """Did the line ``above`` wrap? Only when the first word of ``below`` would not have fit on it."""
    h = max(4.0, min(w.y1 - w.y0 for w in below))
    first_word = below[0]
    step = (first_word.x1 - first_word.x0) / max(1, len(first_word.text)) if not first_word.text.isascii() \
        else first_word.x1 - first_word.x0
    return above[-1].x1 + step >= right - 0.6 * h


def _continues_row(b: _Block, line: Line, label: list[Word], cells: dict[int, list[Word]], right: float,
                   hangs: bool, book: PatternBook) -> bool:
    """Is this label line (with ``cells``, maybe none) part of the row gathered in ``b``?"""
    if not _near(b.last, line):
        return False
    rest = join_words(label)
    if _NEW_ITEM_START.match(fold(rest)):
        return False
    first = b.text
    if _unclosed(first):
        return True
    if is_statement_line(first, book) and is_statement_line(rest, book):
        return False  # two lines of the statement format (衍生金融资产 / 应收票据), however they are set
    if not b.cells and not cells and is_statement_line(first + rest, book) and not is_statement_line(first, book):
        return True  # a format line's label wrapped, printed without amounts (…终止确 / 认收益)
    if fold(first).endswith((":", "：")) or _SUBTOTAL.search(fold(first)) or _TOTAL.search(fold(rest)):
        return False  # a heading, or a subtotal (经营活动现金流入小计), is a label complete in itself
    if b.cells and cells:
        return False  # two lines with amounts are two rows
    head = b.label_lines[0][1]
    last = b.label_lines[-1][1]
    # a line wraps only when the next word would not fit: the line above reaches the label column's edge
    full = _full(last, label, right)
    hanging = label[0].x0 < head[0].x0 - 2
    if hanging and full:
        return True
    if b.cells and not cells:
        # amounts set beside the middle of a two-line label reach down into its second line
        ys = [w for ws in b.cells.values() for w in ws]
        overlap = min(line.y1, max(w.y1 for w in ys)) - max(line.y0, min(w.y0 for w in ys))
        return (b.amounts_below or overlap >= 0.3 * (line.y1 - line.y0)) and full
    if not b.cells and cells:
        if hangs and not hanging and (label[0].x0 <= head[0].x0 + 2 or not full):
            # on a page whose wrapped labels hang, a line at the same indent starts a row; one indented
            # further continues only a full line (其中：对联营企业和合营企业的投 / 资收益)
            return False
        # a label line, then the rest of the label with the amounts
        # English labels, and some typesetters, also wrap by choice well short of the column's edge:
        # then a short tail (开支, 金) or a label that only together names an item says it
        chosen = first.isascii() or len(fold(rest)) <= 4 or (
            match_item(first + rest, book) is not None and match_item(first, book) is None)
        return (full or chosen) and _is_continuation(first, rest, book)
    return False


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
