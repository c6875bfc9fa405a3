"""The top-five customers: BSE / SZSE / STAR tables (wrapped headers, 是/否 columns, 合计), SZSE
summary lines and the SSE sentence; each amount and share with its page and box."""

from __future__ import annotations

from .. import rxcache
from ..model import Figure
from ..patternbook import PatternBook
from ..read.document import Document, Line, Word, bbox_of, join_words
from ..tables.amounts import parse_amount
from ..tables.labels import fold
from ..tables.rows import header_cells
from ..tables.units import Unit, find_unit, unit_of_text
from .common import (
    COMPLETE_NAME,
    HEADING,
    amount_words,
    concept_of,
    is_furniture,
    money_figure,
    page_lines,
    parse_share,
    printed_name,
    search_concept,
    sentence_unit,
    words_bbox,
)
from .names import NameRules, is_anonymised
from .records import Customer, PartiesRead, Share, TopFive

_RANK = rxcache.compile(r"^\d{1,2}$")  # a rank printed in its own cell: 1, 2, ... 5


def _summary_value(lines: list[Line], i: int) -> Word | None:
    """The value of a summary line: on the line, or alone on one of the next two lines (wrapped label)."""
    for line in lines[i:i + 3]:
        for w in reversed(line.words[1:] if line is lines[i] else line.words):
            if parse_amount(w.text) is not None or parse_share(w.text, force=True) is not None:
                return w
    return None


def read_top5_summary(lines: list[Line], book: PatternBook, top: TopFive, unit: Unit) -> None:
    """SZSE summary lines: 前五名客户合计销售金额 / …占年度销售总额比例 / …关联方销售额占…比例."""
    for i, line in enumerate(lines):
        label = fold(join_words([w for w in line.words if parse_amount(w.text) is None and parse_share(w.text) is None]))
        page = line.page + 1
        for name in ("top5_related_share", "top5_total_share", "top5_total_amount"):
            hit = search_concept(book, name, label)
            if hit is None:
                continue
            w = _summary_value(lines, i)
            if w is None:
                break
            if name == "top5_total_amount" and top.total is None:
                own = unit_of_text(label, book) or unit
                top.total = money_figure(w.text, page, (w.x0, w.y0, w.x1, w.y1), label, "mdna", hit[0], own)
            elif name != "top5_total_amount":
                v = parse_share(w.text, force=True)
                if v is not None:
                    share = Share(v, w.text, page, (w.x0, w.y0, w.x1, w.y1))
                    if name == "top5_total_share" and top.total_share is None:
                        top.total_share = share
                    elif name == "top5_related_share" and top.related_share is None:
                        top.related_share = share
            break


def read_top5_sentence(doc: Document, index: int, book: PatternBook, unit: Unit) -> TopFive | None:
    """SSE: 前五名客户销售额X万元，占年度销售总额Y%；其中前五名客户销售额中关联方销售额Z万元，占…W%."""
    text = fold(doc.text(index))
    hit = search_concept(book, "top5_sentence", text)
    if hit is None:
        return None
    pattern, m = hit
    top = TopFive("sentence", [index + 1])

    groups = m.groupdict()  # sentence patterns name only the groups their language prints

    def money(group: str, ugroup: str, label: str) -> Figure | None:
        if not groups.get(group):
            return None
        u = sentence_unit(groups.get(ugroup), book) or unit
        return money_figure(groups[group], index + 1, words_bbox(doc, index, groups[group]), label, "mdna", pattern, u)

    top.total = money("amount", "unit", "前五名客户销售额")
    top.related_amount = money("related", "runit", "前五名客户销售额中关联方销售额")
    top.unit = top.total.unit if top.total else unit.unit
    for group, attr in (("share", "total_share"), ("rshare", "related_share")):
        if groups.get(group):
            v = parse_share(groups[group] + "%")
            if v is not None:
                setattr(top, attr, Share(v, groups[group] + "%", index + 1, words_bbox(doc, index, groups[group])))
    return top


def _header_index(lines: list[Line], book: PatternBook, concept: str) -> int | None:
    c = concept_of(book, concept)
    for i, line in enumerate(lines):
        if c.search(fold(line.text)):
            return i
    return None


def _header_band(lines: list[Line], h: int, book: PatternBook) -> list[Line]:
    """The header line and the wrapped parts of its cells just above and below it."""
    header = lines[h]
    gap = 1.3 * max(4.0, header.y1 - header.y0)
    band = [header]
    for step in (-1, 1):
        i = h + step
        while 0 <= i < len(lines) and len(band) < 5:
            ln = lines[i]
            near = abs((ln.y0 if step > 0 else ln.y1) - (band[-1].y1 if step > 0 else band[0].y0)) <= gap
            if not near or amount_words(ln) or _RANK.match(fold(ln.words[0].text)):
                break
            band = band + [ln] if step > 0 else [ln] + band
            i += step
        if step > 0 and 0 <= i < len(lines) and _completes_header(band, lines[i], book):
            band = band + [lines[i]]  # a wrapped header cell's tail set lower than the gap allows
    return band


def _completes_header(band: list[Line], line: Line, book: PatternBook) -> bool:
    """A text-only line under the header whose words all sit under one header cell and complete it
    into the related-party header (是否与上市公司存在关 / 联关系)."""
    if amount_words(line) or not line.words or _RANK.match(fold(line.words[0].text)):
        return False
    related = concept_of(book, "customer_related_header")
    if any(related.search(cell) for cell in _header_cells(band)):
        return False
    return any(related.search(cell) for cell in _header_cells(band + [line]))


def _header_cells(band: list[Line]) -> list[str]:
    """Header text per column: words of the band grouped by horizontal overlap."""
    cols: list[tuple[float, float, list[Word]]] = []
    # words a space apart on one line form a cell ("Related party"); cells on different lines of
    # the band that overlap horizontally are one column
    cells = [c for ln in band for c in header_cells(ln)]
    for cell in sorted(cells, key=lambda c: (c[0].y0, c[0].x0)):
        cx0, cx1 = cell[0].x0, cell[-1].x1
        for n, (x0, x1, ws) in enumerate(cols):
            if cx0 < x1 and cx1 > x0:
                cols[n] = (min(x0, cx0), max(x1, cx1), ws + cell)
                break
        else:
            cols.append((cx0, cx1, list(cell)))
    return ["".join(fold(w.text) for w in ws) for _, _, ws in cols]


def _cell_kind(w: Word, book: PatternBook, share_x: float | None) -> str:
    t = fold(w.text)
    if concept_of(book, "answer_yes").search(t):
        return "yes"
    if concept_of(book, "answer_no").search(t):
        return "no"
    if parse_share(t) is not None:
        return "share"
    p = parse_amount(t)
    if p is not None and (p.grouped or p.is_nil):
        # a bare 13.75 under a '(%)' header is a share, not money
        if share_x is not None and abs(w.cx - share_x) < 30 and "," not in t and p.value is not None and p.value < 100:
            return "share"
        return "amount"
    return "text"


def _customer_rows(lines: list[Line], book: PatternBook, share_x: float | None, height: float
                   ) -> tuple[list[tuple[Line, list[Line]]], Line | None]:
    """Anchor lines (with an amount) and the text lines around them that hold the rest of the name."""
    total_c = concept_of(book, "table_total")
    anchors: list[tuple[Line, list[Line]]] = []
    total: Line | None = None
    loose: list[Line] = []
    for line in lines:
        if is_furniture(line, height):
            continue
        kinds = [_cell_kind(w, book, share_x) for w in line.words]
        first = fold(line.words[0].text)
        if total_c.search(first):
            total = line
            break
        if "amount" in kinds:
            anchors.append((line, []))
            if loose and anchors:  # name printed above its amounts
                anchors[-1][1].extend(loose)
            loose = []
        elif anchors and len(anchors) >= 5 and not loose:
            break  # five rows and no total row: the table has ended
        else:
            if HEADING.match(first) and not _RANK.match(first):
                break
            loose.append(line)
            if anchors and not COMPLETE_NAME.search(_row_name(anchors[-1], book, share_x)):
                anchors[-1][1].extend(loose)  # the name of the row above wraps onto this line
                loose = []
        if len(loose) > 2:
            break
    return anchors, total


def _row_name(row: tuple[Line, list[Line]], book: PatternBook, share_x: float | None) -> str:
    line, extra = row
    # the name column is left of the row's first figure: text right of it (a wrapped header's tail such
    # as 联关系 under 是否与上市公司存在关) is never part of the name
    limit = min((w.x0 for w in line.words if _cell_kind(w, book, share_x) != "text"), default=float("inf"))
    words = sorted([w for ln in [line, *extra] for w in ln.words if w.x0 < limit],
                   key=lambda w: (w.y0 > line.y1 + 2, w.y0, w.x0))
    text = [w for w in words if _cell_kind(w, book, share_x) == "text"]
    if text and _RANK.match(fold(text[0].text)) and len(text) > 1:
        text = text[1:]  # the 序号 column
    return printed_name(w for w in text if fold(w.text) not in ("--", "-", "—"))


def read_top5_table(doc: Document, index: int, book: PatternBook, unit: Unit, out: PartiesRead) -> TopFive | None:
    """The table form (SZSE, BSE, STAR): 序号 | 客户名称 | 销售额 | 占比 [| 是否关联], then 合计."""
    lines = page_lines(doc, index)
    top = TopFive("table", [index + 1])
    read_top5_summary(lines, book, top, unit)
    h = _header_index(lines, book, "customer_table_header")
    if h is None and index + 1 < doc.page_count and (top.total or top.total_share):
        # summary lines at a page's foot: the rest of them and the table open the next page
        nxt = page_lines(doc, index + 1)
        h = _header_index(nxt, book, "customer_table_header")
        if h is not None and not any(HEADING.match(fold(ln.text)) for ln in nxt[:h]):
            read_top5_summary(nxt[:h], book, top, unit)
            index, lines = index + 1, nxt
        else:
            h = None
    if h is None:
        return top if (top.total or top.total_share) else None
    header = lines[h]
    own_unit = find_unit(lines[max(0, h - 3):h + 1], book)
    if not own_unit.found:
        own_unit = unit
    top.unit = own_unit.unit
    band = _header_band(lines, h, book)
    # a wrapped header cell (是否存在 / 关联关系) puts its halves on different lines: read the band
    # column by column
    top.has_related_column = any(concept_of(book, "customer_related_header").search(cell)
                                 for cell in _header_cells(band))
    # the share column's header may wrap (占年度销售总 / 额比例（%）): its mark can be on any band line
    share_x = next((w.cx for ln in [header, *band] for w in ln.words if any(m in w.text for m in "比%占")), None)
    height = doc.page_size(index)[1]
    body = lines[max(lines.index(ln) for ln in band) + 1:]
    anchors, total = _customer_rows(body, book, share_x, height)
    if total is None and len(anchors) < 5 and index + 1 < doc.page_count:  # runs onto the next page
        anchors, total = _customer_rows(body + page_lines(doc, index + 1), book, share_x, height)
    for rank, row in enumerate(anchors[:10], start=1):
        top.customers.append(_customer(row, rank, book, share_x, own_unit, top.has_related_column))
    if total is not None:
        amounts = [w for w in amount_words(total) if _cell_kind(w, book, share_x) == "amount"]
        shares = [w for w in total.words if _cell_kind(w, book, share_x) == "share"]
        if amounts and top.total is None:
            w = amounts[0]
            top.total = money_figure(w.text, total.page + 1, (w.x0, w.y0, w.x1, w.y1), "合计", "mdna",
                               concept_of(book, "table_total").patterns[0], own_unit)
        if shares and top.total_share is None:
            w = shares[-1]
            v = parse_share(w.text, force=True)
            if v is not None:
                top.total_share = Share(v, w.text, total.page + 1, (w.x0, w.y0, w.x1, w.y1))
    pages = sorted({c.page for c in top.customers} | set(top.pages) | {index + 1})
    top.pages = pages
    out.log.append(f"top five table on page(s) {pages}: {len(top.customers)} rows, "
                   f"{'a' if total else 'no'} total row, related column: {top.has_related_column}")
    return top


def _customer(row: tuple[Line, list[Line]], rank: int, book: PatternBook, share_x: float | None, unit: Unit,
              has_related: bool) -> Customer:
    line, extra = row
    name = _row_name(row, book, share_x)
    amount = share = None
    related: bool | None = None
    for w in line.words:
        kind = _cell_kind(w, book, share_x)
        if kind == "amount" and amount is None and w in amount_words(line):
            amount = money_figure(w.text, line.page + 1, (w.x0, w.y0, w.x1, w.y1), name, "mdna",
                            concept_of(book, "customer_table_header").patterns[0], unit)
        elif kind == "share" and share is None:
            v = parse_share(w.text, force=True)
            share = Share(v, w.text, line.page + 1, (w.x0, w.y0, w.x1, w.y1)) if v is not None else None
        elif kind in ("yes", "no"):
            related = kind == "yes"
    first = fold(line.words[0].text)
    printed_rank = int(first) if _RANK.match(first) else rank
    rules = NameRules.from_book(book)
    words = [w for ln in [line, *extra] for w in ln.words]
    return Customer(printed_rank, name, is_anonymised(name, rules), amount, share,
                    related if has_related else None, line.page + 1, bbox_of(words))


def read_top5(doc: Document, book: PatternBook, index: int, unit: Unit, out: PartiesRead) -> TopFive | None:
    top = read_top5_table(doc, index, book, unit, out)
    if top is not None and (top.customers or top.total):
        return top
    sentence = read_top5_sentence(doc, index, book, unit)
    if sentence is None and index + 1 < doc.page_count:
        # the sentence may break over the page
        sentence = read_top5_sentence(doc, index + 1, book, unit)
    if sentence is not None:
        out.log.append(f"top five customers from the sentence on page {sentence.pages[0]}")
        return sentence
    return top
