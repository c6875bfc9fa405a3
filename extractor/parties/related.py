"""The related-party note: lists of parties and relationships, the parent, the ultimate controller,
and the consolidated table of sales to related parties; and the MD&A summary of those sales."""

from __future__ import annotations

from decimal import Decimal

from ..model import Figure
from ..patternbook import Pattern, PatternBook
from ..read.document import Document, Line, Word, bbox_of
from ..tables.amounts import parse_amount
from ..tables.labels import fold
from ..tables.rows import Layout, find_layout, header_cells
from ..tables.units import DEFAULT, Unit, find_unit, table_unit
from .common import (
    COMPLETE_NAME,
    CONTENT_DASH,
    HEADING,
    amount_cells,
    amount_words,
    concept_of,
    money_figure,
    printed_name,
    search_concept,
    sentence_unit,
    words_bbox,
)
from .records import RelatedParty, RelatedSale, RelatedSales


def read_party_lists(lines: list[Line], book: PatternBook) -> list[RelatedParty]:
    """Two-column lists (名称 | 与本企业关系), the parent-company table and sentences naming the
    ultimate controller."""
    parties: list[RelatedParty] = []
    list_c, parent_c, sent_c = (concept_of(book, n) for n in ("party_list_header", "parent_header", "party_sentence"))
    i = 0
    while i < len(lines):
        c = fold(lines[i].text)
        if list_c.search(c):
            rows, i = _two_column_rows(lines, i + 1)
            parties.extend(rows)
            continue
        if parent_c.search(c):
            rows, i = _first_column_names(lines, i, book)
            parties.extend(rows)
            continue
        hit = sent_c.search(c)
        if hit is not None:
            pattern, m = hit
            parties.append(RelatedParty(m.group("name"), _relation_of(pattern), lines[i].page + 1,
                                        lines[i].bbox, "sentence"))
        i += 1
    # one entry per name; a party named twice (最终控制方 in a sentence, then in the list) keeps both
    # relationships
    unique: dict[str, RelatedParty] = {}
    for p in parties:
        first = unique.setdefault(p.name, p)
        if first is not p and p.relationship and p.relationship not in first.relationship:
            first.relationship = f"{first.relationship}；{p.relationship}" if first.relationship else p.relationship
    return list(unique.values())


def _relation_of(pattern: Pattern) -> str:
    return "最终控制方" if "最终控制" in pattern.source else "实际控制人"


def _stops_list(line: Line) -> bool:
    c = fold(line.text)
    return bool(HEADING.match(c)) or c.startswith(("其他说明", "说明", "注:", "注："))


def _two_column_rows(lines: list[Line], start: int) -> tuple[list[RelatedParty], int]:
    """Rows of name | relationship. The relationship column starts where most second words start
    (values are left-aligned under a centred header, so the header's x says little)."""
    end = start
    while end < len(lines) and not _stops_list(lines[end]):
        end += 1
    body = lines[start:end]
    cells = {id(ln): header_cells(ln) for ln in body}
    seconds = [cells[id(ln)][1][0].x0 for ln in body if len(cells[id(ln)]) >= 2]
    if not seconds:
        return [], end
    # the leftmost second cell: relationships are left-aligned, right-aligned or centred by report
    split = min(seconds) - 3
    rows: list[RelatedParty] = []
    for line in body:
        left = [w for w in line.words if w.x0 < split]
        right = [w for w in line.words if w.x0 >= split]
        name, rel = printed_name(left), printed_name(right)
        prev = rows[-1] if rows else None
        # a wrapped name or relationship continues the row above; a line with both cells is a new row
        # unless the row above is still missing one of them
        wraps = prev is not None and (not name or (not COMPLETE_NAME.search(prev.name)
                                                   and (not rel or not prev.relationship)))
        if wraps and prev is not None:
            rows[-1] = RelatedParty(prev.name + name, prev.relationship + rel, prev.page,
                                    bbox_of(list(line.words) + [Word("", *prev.bbox)]), prev.source)
            continue
        if name:
            rows.append(RelatedParty(name, rel, line.page + 1, line.bbox, "list"))
    return rows, end


def _first_column_names(lines: list[Line], h: int, book: PatternBook) -> tuple[list[RelatedParty], int]:
    """The parent-company table: the first column names the parent."""
    header = lines[h]
    second = header.words[1].x0 if len(header.words) > 1 else header.words[0].x1 + 60
    rows: list[RelatedParty] = []
    i = h + 1
    while i < len(lines) and not _stops_list(lines[i]) and len(rows) < 3:
        left = printed_name(w for w in lines[i].words if w.x1 < second - 2)
        has_numbers = any(parse_amount(w.text) for w in lines[i].words)
        if left and has_numbers:
            rows.append(RelatedParty(left, "母公司", lines[i].page + 1, lines[i].bbox, "parent"))
        elif left and rows and not COMPLETE_NAME.search(rows[-1].name):
            rows[-1].name += left
        elif rows:
            break  # past the table: a sentence such as 本企业最终控制方是… follows
        i += 1
    return rows, i


def read_sales_table(lines: list[Line], book: PatternBook, unit: Unit) -> RelatedSales | None:
    """The consolidated notes table of sales to related parties: rows of party | content | current | prior."""
    title_c, end_c = concept_of(book, "related_sales_title"), concept_of(book, "related_sales_end")
    start = next((i for i, ln in enumerate(lines) if title_c.search(fold(ln.text))), None)
    if start is None:
        return None
    marks_c, none_c = concept_of(book, "applicability_marks"), concept_of(book, "not_applicable_marked")
    body: list[Line] = []
    for ln in lines[start + 1:]:
        c = fold(ln.text)
        if body and end_c.search(c) and not amount_words(ln):
            break
        if marks_c.search(c):
            if not body and none_c.search(c):
                return None  # √不适用: no such sales disclosed (none, not 0)
            continue
        body.append(ln)
    page = lines[start].page
    # the table's own unit (a unit line under the title, or the column headers), else the nearest
    # unit line above the title, else 元: never the statement's unit, which a notes table need not share
    own = find_unit(body[:4], book)
    if not own.found:
        own = table_unit(lines[:start + 1], lines[start].y1, page, book)  # never a cell such as 32亿元
    unit = own if own.found else DEFAULT
    layout = find_layout([ln for ln in body if ln.page == page][:14], book, page) or _year_layout(body, book)
    if layout is None:
        return None
    sales = RelatedSales(unit=unit.unit, unit_from=unit.printed or "default (no unit printed: 元)",
                         multiplier=unit.multiplier, table=True)
    sales.pages = sorted({ln.page + 1 for ln in body} | {page + 1})
    # the first header line under the title; later tables' headers are not this table's
    header_y = next((ln.y1 for ln in body if ln.page == page and _is_header(ln, layout)), lines[start].y1)
    rows = [ln for ln in body if not (ln.page == page and ln.y1 <= header_y + 0.5) and not _is_header(ln, layout)]
    name_x = min((ln.words[0].x0 for ln in rows if ln.words and not amount_cells(ln, layout)), default=None)
    for anchor, extra in _group_rows(rows, layout):
        cells = amount_cells(anchor, layout)
        texts = [w for ln in [anchor, *extra] for w in ln.words if layout.column_of(w) is None]
        texts.sort(key=lambda w: (w.y0 > anchor.y1 + 2, w.y0, w.x0))
        if name_x is None:
            name_x = min((w.x0 for w in texts), default=0.0)
        name = printed_name(w for w in texts if w.x0 < name_x + 15)
        content = printed_name(w for w in texts if w.x0 >= name_x + 15)
        figs = {p: _cell_figure(anchor, cells, layout, p, name, unit, book) for p in ("current", "prior")}
        if not name and not content:
            for p in ("current", "prior"):  # an unlabelled row of amounts under the table: its total
                sales.printed_total[p] = figs[p]
            continue
        # the total's label sits in the name column or, indented, in the content column
        if concept_of(book, "table_total").search(fold(name or content)):
            for p in ("current", "prior"):
                sales.printed_total[p] = figs[p]
            continue
        if not content and (split := CONTENT_DASH.match(name)):
            content, name = split.group(1), split.group(2)  # HK style: 提供服務－常州盛榮電子股份有限公司
        sales.rows.append(RelatedSale(name, content, figs["current"], figs["prior"], anchor.page + 1))
    _check_printed_total(sales)
    return sales


def _check_printed_total(sales: RelatedSales) -> None:
    """The rows are the figure; a printed total that disagrees with their sum (beyond its rounding)
    is a misprint or a lost row, said on the total and in the table's notes."""
    for p in ("current", "prior"):
        printed = sales.printed_total.get(p)
        rows = sales.row_sum(p)
        if printed is not None and rows is not None and abs(rows - printed.value) > Decimal(1) * printed.multiplier:
            note = (f"{p}: printed total {printed.printed} (page {printed.page}) differs from the sum of the "
                    f"rows {rows / printed.multiplier:,.2f}; the sum of the rows is used")
            printed.notes.append(note)
            sales.notes.append(note)


def _is_header(line: Line, layout: Layout) -> bool:
    return any(c.header and c.header in line.text for c in layout.columns) and not amount_cells(line, layout)


def _year_layout(lines: list[Line], book: PatternBook) -> Layout | None:
    for ln in lines[:8]:
        found = find_layout([ln], book, ln.page)
        if found is not None:
            return found
    return None


def _group_rows(lines: list[Line], layout: Layout) -> list[tuple[Line, list[Line]]]:
    """Attach text-only lines (wrapped names, contents) to the row whose amounts they belong to:
    to the row above while its name looks unfinished, else to the row below."""
    rows: list[tuple[Line, list[Line]]] = []
    pending: list[Line] = []
    for ln in lines:
        if amount_cells(ln, layout):
            rows.append((ln, pending))
            pending = []
            continue
        if rows and not pending and not COMPLETE_NAME.search(_first_text(rows[-1], layout)) and ln.y0 - rows[-1][0].y1 < 12:
            rows[-1][1].append(ln)
        else:
            pending.append(ln)
    return rows


def _first_text(row: tuple[Line, list[Line]], layout: Layout) -> str:
    words = [w for ln in [*row[1], row[0]] for w in ln.words if layout.column_of(w) is None]
    if not words:
        return ""
    x = min(w.x0 for w in words)
    return "".join(fold(w.text) for w in sorted(words, key=lambda w: (w.y0, w.x0)) if w.x0 < x + 15)


def _cell_figure(line: Line, cells: dict[int, Word], layout: Layout, period: str, label: str, unit: Unit,
                 book: PatternBook) -> Figure | None:
    col = layout.pick(period)
    if col is None or col not in cells:
        return None
    w = cells[col]
    return money_figure(w.text, line.page + 1, (w.x0, w.y0, w.x1, w.y1), label, "notes",
                  concept_of(book, "related_sales_title").patterns[0], unit, 0.9, layout.columns[col].header)


def read_sales_sentence(doc: Document, index: int, book: PatternBook) -> Figure | None:
    """重要事项: '出售商品/提供劳务类关联交易…实际发生额为519,252.23万元' (its own unit)."""
    for i in (index, index + 1):
        if i >= doc.page_count:
            break
        hit = search_concept(book, "related_sales_sentence", fold(doc.text(i)))
        if hit is None:
            continue
        pattern, m = hit
        unit = sentence_unit(m.groupdict().get("unit"), book) or DEFAULT
        return money_figure(m.group("amount"), i + 1, words_bbox(doc, i, m.group("amount")[:8]),
                      "出售商品/提供劳务类关联交易实际发生额", "mdna", pattern, unit, 0.85)
    return None
