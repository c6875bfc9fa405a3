"""Read what the related-party flags need, each amount with its provenance.

Takes the opened :class:`Document`, the pattern book and the pages of the income statement already
located, and gives :class:`PartiesRead`: the top-five customers (table, summary lines or SSE
sentence), the related-party list, sales to related parties (the consolidated notes table and the
MD&A summary), 销售商品、提供劳务收到的现金 from the consolidated cash-flow statement and 应收账款
from the consolidated balance sheet, current and prior year.

Reading every page would cost more than the whole extraction is allowed to, so pages are found
the way the statement is: the PDF outline and the printed contents point at a section and only a
window of pages there is read. The balance sheet and cash-flow statement sit beside the income
statement. Only when hints fail are pages scanned (plain text, cached), and then only in the part
of the report where the section must be (the MD&A before the statements, the notes after them).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import regex

from .amounts import parse_amount
from .document import Document, Line, Word, bbox_of, join_words, words_to_lines
from .labels import classify_title, fold, is_toc_line, normalise_label
from .model import Figure, _num
from .names import NameRules, best_match, is_anonymised
from .patternbook import Concept, Pattern, PatternBook
from .rows import Column, Layout, find_layout, header_cells
from .units import DEFAULT, Unit, find_unit, unit_of_text

_PCT = regex.compile(r"^[-−]?\d{1,3}(?:\.\d+)?%?$")
_PAGE_NUMBER = regex.compile(r"^(?:第?\d{1,4}页?(?:/(?:共)?\d{1,4}页?)?|-\d{1,4}-)$")
_RUNNING_HEADER = regex.compile(r"年度报告|年度報告|annualreport|附注[(（]续[)）]|附註[(（]續[)）]", regex.I)
_HEADING = regex.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d{1,2}[、.](?!\d)|[(（](?:\d{1,2}|[a-h])[)）])")
_COMPLETE_NAME = regex.compile(r"(?:公司|厂|集团|合伙[)）]?|中心|研究院|研究所|医院|大学|局|委员会|银行|[)）]|ltd\.?|limited|inc\.?)$", regex.I)
_AMOUNTS_TAIL = regex.compile(r"[\s\d,.()（）\-−–—%]+$")
_CONTENT_DASH = regex.compile(r"^(.{2,30}?)\s*[－—–-]\s*(.{2,})$")
_CONTINUED = regex.compile(r"[(（](?:续|續)[)）]")
_NOTE_REF = regex.compile(r"^(?=.*[\d一二三四五六七八九十])(?:附注|注)?[\d一二三四五六七八九十()（）.、a-z]{1,8}$", regex.I)


# ------------------------------------------------------------------------------- records

@dataclass
class Share:
    """A percentage as printed; ``value`` is the fraction (11.77% -> 0.1177)."""

    value: Decimal
    printed: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float] | None

    def to_json(self) -> dict[str, Any]:
        return {"value": float(self.value), "printed": self.printed, "page": self.page,
                "bbox": [round(c, 1) for c in self.bbox] if self.bbox else None}


@dataclass
class Customer:
    rank: int | None
    name: str
    anonymised: bool
    amount: Figure | None
    share: Share | None
    related: bool | None  # the report's own 是/否; None when the table has no such column
    page: int
    bbox: tuple[float, float, float, float]

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "name": self.name, "anonymised": self.anonymised,
                "amount": self.amount.to_json() if self.amount else None,
                "share": self.share.to_json() if self.share else None, "related": self.related,
                "page": self.page, "bbox": [round(c, 1) for c in self.bbox]}


@dataclass
class TopFive:
    source: str  # "table" | "sentence" | "summary"
    pages: list[int] = field(default_factory=list)  # 1-based
    customers: list[Customer] = field(default_factory=list)
    total: Figure | None = None
    total_share: Share | None = None
    related_amount: Figure | None = None
    related_share: Share | None = None
    unit: str = "元"
    has_related_column: bool = False

    @property
    def anonymised(self) -> bool:
        return bool(self.customers) and all(c.anonymised for c in self.customers)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "pages": self.pages, "unit": self.unit,
                "anonymised": self.anonymised, "has_related_column": self.has_related_column,
                "total": self.total.to_json() if self.total else None,
                "total_share": self.total_share.to_json() if self.total_share else None,
                "related_amount": self.related_amount.to_json() if self.related_amount else None,
                "related_share": self.related_share.to_json() if self.related_share else None,
                "customers": [c.to_json() for c in self.customers]}


@dataclass
class RelatedParty:
    name: str
    relationship: str
    page: int
    bbox: tuple[float, float, float, float]
    source: str  # "list" | "parent" | "sentence"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "relationship": self.relationship, "page": self.page,
                "bbox": [round(c, 1) for c in self.bbox], "source": self.source}


@dataclass
class RelatedSale:
    name: str
    content: str
    current: Figure | None
    prior: Figure | None
    page: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "content": self.content, "page": self.page,
                "current": self.current.to_json() if self.current else None,
                "prior": self.prior.to_json() if self.prior else None}


@dataclass
class RelatedSales:
    rows: list[RelatedSale] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    unit: str = "元"
    printed_total: dict[str, Figure | None] = field(default_factory=lambda: {"current": None, "prior": None})
    mdna: Figure | None = None  # the MD&A / 重要事项 summary of daily related-party sales

    def total(self, period: str) -> Decimal | None:
        """The table's total: the printed total row when there is one, else the sum of the rows."""
        printed = self.printed_total.get(period)
        if printed is not None:
            return printed.value
        vals = [getattr(r, period).value for r in self.rows if getattr(r, period) is not None]
        return sum(vals, Decimal(0)) if vals else None

    def to_json(self) -> dict[str, Any]:
        return {"current": _num(self.total("current")), "prior": _num(self.total("prior")),
                "total_from": "printed" if self.printed_total.get("current") else "sum of rows",
                "pages": self.pages, "unit": self.unit,
                "mdna": self.mdna.to_json() if self.mdna else None,
                "rows": [r.to_json() for r in self.rows]}


@dataclass
class PartiesRead:
    top5: TopFive | None = None
    parties: list[RelatedParty] = field(default_factory=list)
    sales: RelatedSales | None = None
    cash_from_sales: dict[str, Figure | None] = field(default_factory=lambda: {"current": None, "prior": None})
    receivables: dict[str, Figure | None] = field(default_factory=lambda: {"current": None, "prior": None})
    matches: list[dict[str, Any]] = field(default_factory=list)  # customer ~ related party, scored
    log: list[str] = field(default_factory=list)
    pages_read: set[int] = field(default_factory=set)  # 0-based, for the log

    def figures_json(self, name: str) -> dict[str, Any]:
        """``cash_from_sales`` or ``receivables`` as {"current": FIGURE, "prior": FIGURE}."""
        per: dict[str, Figure | None] = getattr(self, name)
        return {p: (f.to_json() if f else None) for p, f in per.items()}

    def parties_json(self) -> dict[str, Any]:
        return {"top5": self.top5.to_json() if self.top5 else None,
                "related_parties": [p.to_json() for p in self.parties],
                "related_sales": self.sales.to_json() if self.sales else None,
                "matches": self.matches, "log": self.log}


# ------------------------------------------------------------------------------- helpers

def _concept(book: PatternBook, name: str) -> Concept:
    return book.concept("parties", name)


def _search(book: PatternBook, name: str, text: str) -> tuple[Pattern, regex.Match[str]] | None:
    return _concept(book, name).search(text)


def _folded_lines(doc: Document, index: int) -> list[str]:
    """A page's plain-text lines, folded; cached on the document because every finder asks again."""
    cache: dict[int, list[str]] = doc.__dict__.setdefault("_parties_folded", {})
    if index not in cache:
        cache[index] = [fold(s) for s in doc.text(index).split("\n") if s.strip()]
    return cache[index]


def _lines(doc: Document, index: int) -> list[Line]:
    """Positioned lines of a page, cheaply.

    :meth:`Document.lines` removes fake-bold glyphs one character at a time in Python, which costs
    several times more than reading the page's text; this stage parses up to ten pages, so it asks
    MuPDF for words (C speed) and groups them with the same line builder. A page whose words come
    out doubled (fake bold) goes back to the careful reader, as does one it has read already.
    """
    if index in doc._words:
        return doc.lines(index)
    cache: dict[int, list[Line]] = doc.__dict__.setdefault("_parties_lines", {})
    if index in cache:
        return cache[index]
    try:
        raw = doc.pdf[index].get_text("words")
    except Exception:  # noqa: BLE001 - let the careful reader deal with a broken page
        return doc.lines(index)
    seen: set[tuple[str, int, int]] = set()
    words: list[Word] = []
    for x0, y0, x1, y1, text, *_ in raw:
        key = (text, round(x0 / 2), round(y0 / 2))
        if key in seen:
            return doc.lines(index)  # drawn twice: fake bold
        seen.add(key)
        words.append(Word(text, x0, y0, x1, y1))
    cache[index] = words_to_lines(words, index, doc.line_merge_overlap)
    return cache[index]


def _page_text(doc: Document, index: int) -> str:
    cache: dict[int, str] = doc.__dict__.setdefault("_parties_page", {})
    if index not in cache:
        cache[index] = "\n".join(_folded_lines(doc, index))
    return cache[index]


@lru_cache(maxsize=128)
def _combined(sources: tuple[str, ...]) -> regex.Pattern[str]:
    """All of a concept's patterns as one, with ``^``/``$`` at line ends."""
    return regex.compile("|".join(f"(?:{s})" for s in sources), regex.IGNORECASE | regex.MULTILINE)


def _any_line(book: PatternBook, concept: str, text: str) -> bool:
    cache: dict[str, regex.Pattern[str]] = book.__dict__.setdefault("_parties_combined", {})
    if concept not in cache:
        cache[concept] = _combined(tuple(p.source for p in _concept(book, concept).patterns))
    return cache[concept].search(text) is not None


def _page_has(doc: Document, book: PatternBook, index: int, concept: str) -> bool:
    """Does any line of the page match the concept? One search over the page instead of one per
    line and pattern: scanning pages is this stage's main cost."""
    return _any_line(book, concept, _page_text(doc, index))


def _is_furniture(line: Line, height: float) -> bool:
    """Running headers, footers and page numbers: never part of a table."""
    c = fold(line.text)
    if _PAGE_NUMBER.match(c):
        return True
    return (line.y1 < 0.1 * height or line.y0 > 0.92 * height) and bool(_RUNNING_HEADER.search(c) or len(c) < 20)


def _pct(text: str, force: bool = False) -> Decimal | None:
    """'11.77%' -> 0.1177; a bare number only when the column says it holds percentages."""
    t = fold(text).replace("％", "%")
    if not _PCT.match(t) or (not t.endswith("%") and not force):
        return None
    try:
        return Decimal(t.rstrip("%").replace("−", "-")) / 100
    except InvalidOperation:
        return None


def _money(printed: str, page: int, bbox: tuple[float, float, float, float] | None, label: str, source: str,
           pattern: Pattern | None, unit: Unit, confidence: float = 0.9, column: str = "") -> Figure | None:
    parsed = parse_amount(printed)
    if parsed is None:
        return None
    value = parsed.value if parsed.value is not None else Decimal(0)
    return Figure(value * unit.multiplier, printed, page, bbox or (0.0, 0.0, 0.0, 0.0), label, source,
                  pattern.id if pattern else "", confidence, unit.unit, unit.multiplier, column,
                  pattern.file if pattern else "")


def _words_bbox(doc: Document, index: int, needle: str) -> tuple[float, float, float, float] | None:
    """Where a printed snippet (a number from a sentence) sits on the page."""
    for line in _lines(doc, index):
        for w in line.words:
            if needle in w.text:
                return (w.x0, w.y0, w.x1, w.y1)
    return None


# ------------------------------------------------------------------------------- finding pages

def _outline_pages(doc: Document, book: PatternBook, concept: str) -> list[int]:
    """0-based pages of outline entries whose title matches the concept."""
    if "_parties_outline" not in doc.__dict__:  # folded once per document, one line per entry
        entries = [(fold(t), page) for _lvl, t, page in doc.outline if page >= 1]
        doc.__dict__["_parties_outline"] = ("\n".join(t for t, _ in entries), [page for _, page in entries])
    text, pages = doc.__dict__["_parties_outline"]
    if not text:
        return []
    _any_line(book, concept, "")  # compiles the concept's combined pattern
    starts = [m.start() for m in book.__dict__["_parties_combined"][concept].finditer(text)]
    return sorted({pages[text.count("\n", 0, at)] - 1 for at in starts})


def _contents_pages(doc: Document, book: PatternBook, concept: str) -> list[int]:
    """0-based guesses from printed contents lines ('第五节 重要事项 ...... 17'); printed page
    numbers run a page or two behind the PDF's, so the guess starts early."""
    c = _concept(book, concept)
    out: set[int] = set()
    for index in range(min(doc.page_count, int(book.value("toc_scan_pages")))):
        lines = [s.strip() for s in doc.text(index).split("\n") if s.strip()]
        for i, line in enumerate(lines):
            if not is_toc_line(line):
                continue
            m = regex.search(r"(\d{1,4})\s*$", line)
            if not m:
                continue
            label = fold(regex.sub(r"[.…·_\s\d]+$", "", line)) or (fold(lines[i - 1]) if i else "")
            label = regex.sub(r"^第.{1,3}节", "", label)
            printed = int(m.group(1))
            if label and c.search(label) and index + 1 < printed <= doc.page_count + 5:
                out.add(max(0, printed - 3))
    return sorted(out)


def _scan(doc: Document, pages: Iterable[int], hit: Callable[[int], bool], read: set[int]) -> int | None:
    for i in pages:
        if 0 <= i < doc.page_count:
            read.add(i)
            if hit(i):
                return i
    return None


def _has(book: PatternBook, concept: str) -> Callable[[Document, int], bool]:
    def test(doc: Document, i: int) -> bool:
        return _page_has(doc, book, i, concept)
    return test


def find_top5_page(doc: Document, book: PatternBook, stop: int, out: PartiesRead, scan: bool = True) -> int | None:
    """The page with the top-five customers: after the outline / contents hint, in the MD&A."""
    window = int(book.value("parties_mdna_window_pages"))
    test = _has(book, "top5_marker")
    starts = (_outline_pages(doc, book, "top5_outline") or _outline_pages(doc, book, "mdna_outline")
              or _contents_pages(doc, book, "mdna_outline"))
    for s in starts[:3]:
        found = _scan(doc, range(s, min(stop, s + window)), lambda i: test(doc, i), out.pages_read)
        if found is not None:
            out.log.append(f"top five customers: page {found + 1} (from a hint at page {s + 1})")
            return found
    if not scan:
        return None
    found = _scan(doc, range(stop), lambda i: test(doc, i), out.pages_read)
    if found is not None:
        out.log.append(f"top five customers: page {found + 1} (scan of pages before the statements)")
    return found


def find_related_mdna_page(doc: Document, book: PatternBook, after: int, stop: int, out: PartiesRead,
                           scan: bool = True) -> int | None:
    """The 重大关联交易 part of 重要事项 (between the MD&A and the statements). ``scan=False``
    follows only an outline entry that names the part itself."""
    window = int(book.value("parties_mdna_window_pages"))
    sentence = _concept(book, "related_sales_sentence")
    marker = _has(book, "related_mdna_marker")

    def test(i: int) -> bool:
        return marker(doc, i) or sentence.search(fold(doc.text(i))) is not None
    starts = _outline_pages(doc, book, "related_mdna_outline")
    if scan:
        starts = starts or _contents_pages(doc, book, "related_mdna_outline") or ([after] if after >= 0 else [])
    starts = [s for s in starts if s < stop]
    for s in starts[:2]:
        found = _scan(doc, range(s, min(stop, s + window)), test, out.pages_read)
        if found is not None:
            return found
    return None


def find_related_notes_page(doc: Document, book: PatternBook, after: int, out: PartiesRead,
                            scan: bool = True) -> int | None:
    """The page opening the related-party note. Without an outline the note is found by reading
    backwards from the end: it sits in the last part of the notes, so this reads fewer pages than
    reading forward from the statements."""

    def test(i: int) -> bool:
        return _page_has(doc, book, i, "related_notes_heading")
    for s in _outline_pages(doc, book, "related_notes_outline"):
        if s > after:
            found = _scan(doc, range(s, min(doc.page_count, s + 3)), test, out.pages_read)
            return found if found is not None else s
    if not scan:
        return None
    # the lowest page the note can start on: after the statements, in the last part of the report
    floor = max(after + 1, int(doc.page_count * (1 - float(book.value("parties_backscan_share")))))
    # the note runs over several pages, each naming related parties or transactions: probing every
    # second page from the end finds it, then the heading is searched backwards from the hit
    top = doc.page_count - 1
    while top >= floor:
        hit = _scan(doc, range(top, floor - 1, -2), lambda i: _page_has(doc, book, i, "related_notes_probe"),
                    out.pages_read)
        if hit is None:
            return None
        # walk back to the heading; a parent-company note (母公司…项目注释) in between means the hit
        # was the parent's own related-party table: keep probing below it
        for i in range(min(doc.page_count - 1, hit + 1), max(floor, hit - 12) - 1, -1):
            out.pages_read.add(i)
            if test(i):
                return i
            if i < hit and _page_has(doc, book, i, "notes_section_end"):
                break
        top = i - 1
    return None


# ------------------------------------------------------------------------------- top five

def _summary_value(lines: list[Line], i: int) -> Word | None:
    """The value of a summary line: on the line, or alone on one of the next two lines (wrapped label)."""
    for line in lines[i:i + 3]:
        for w in reversed(line.words[1:] if line is lines[i] else line.words):
            if parse_amount(w.text) is not None or _pct(w.text, force=True) is not None:
                return w
    return None


def read_top5_summary(lines: list[Line], book: PatternBook, top: TopFive, unit: Unit) -> None:
    """SZSE summary lines: 前五名客户合计销售金额 / …占年度销售总额比例 / …关联方销售额占…比例."""
    for i, line in enumerate(lines):
        label = fold(join_words([w for w in line.words if parse_amount(w.text) is None and _pct(w.text) is None]))
        page = line.page + 1
        for name in ("top5_related_share", "top5_total_share", "top5_total_amount"):
            hit = _search(book, name, label)
            if hit is None:
                continue
            w = _summary_value(lines, i)
            if w is None:
                break
            if name == "top5_total_amount" and top.total is None:
                own = unit_of_text(label, book) or unit
                top.total = _money(w.text, page, (w.x0, w.y0, w.x1, w.y1), label, "mdna", hit[0], own)
            elif name != "top5_total_amount":
                v = _pct(w.text, force=True)
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
    hit = _search(book, "top5_sentence", text)
    if hit is None:
        return None
    pattern, m = hit
    top = TopFive("sentence", [index + 1])

    groups = m.groupdict()  # sentence patterns name only the groups their language prints

    def money(group: str, ugroup: str, label: str) -> Figure | None:
        if not groups.get(group):
            return None
        u = _sentence_unit(groups.get(ugroup), book) or unit
        return _money(groups[group], index + 1, _words_bbox(doc, index, groups[group]), label, "mdna", pattern, u)

    top.total = money("amount", "unit", "前五名客户销售额")
    top.related_amount = money("related", "runit", "前五名客户销售额中关联方销售额")
    top.unit = top.total.unit if top.total else unit.unit
    for group, attr in (("share", "total_share"), ("rshare", "related_share")):
        if groups.get(group):
            v = _pct(groups[group] + "%")
            if v is not None:
                setattr(top, attr, Share(v, groups[group] + "%", index + 1, _words_bbox(doc, index, groups[group])))
    return top


def _sentence_unit(text: str | None, book: PatternBook) -> Unit | None:
    """The unit printed after a number in a sentence (万元, 百萬元, million); English units are
    written after RMB in units.yaml, so 'million' is tried as 'RMB million' too."""
    if not text:
        return None
    return unit_of_text(text, book) or unit_of_text("RMB" + text, book)


def _header_index(lines: list[Line], book: PatternBook, concept: str) -> int | None:
    c = _concept(book, concept)
    for i, line in enumerate(lines):
        if c.search(fold(line.text)):
            return i
    return None


def _header_band(lines: list[Line], h: int) -> list[Line]:
    """The header line and the wrapped parts of its cells just above and below it."""
    header = lines[h]
    gap = 1.3 * max(4.0, header.y1 - header.y0)
    band = [header]
    for step in (-1, 1):
        i = h + step
        while 0 <= i < len(lines) and len(band) < 5:
            ln = lines[i]
            near = abs((ln.y0 if step > 0 else ln.y1) - (band[-1].y1 if step > 0 else band[0].y0)) <= gap
            if not near or _amount_words(ln) or regex.match(r"^\d{1,2}$", fold(ln.words[0].text)):
                break
            band = band + [ln] if step > 0 else [ln] + band
            i += step
    return band


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


def _printed(words: Iterable[Word]) -> str:
    """A name as printed: full-width folded, words of Latin script kept apart by a space."""
    out = ""
    for w in words:
        t = unicodedata.normalize("NFKC", w.text).strip()
        if out and t and out[-1].isascii() and out[-1].isalnum() and t[0].isascii() and t[0].isalnum():
            out += " "
        elif out and t and out[-1] in ",." and t[0].isascii() and t[0].isalpha():
            out += " "  # "Co., Ltd."
        out += t
    return out


def _cell_kind(w: Word, book: PatternBook, share_x: float | None) -> str:
    t = fold(w.text)
    if _concept(book, "answer_yes").search(t):
        return "yes"
    if _concept(book, "answer_no").search(t):
        return "no"
    if _pct(t) is not None:
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
    total_c = _concept(book, "table_total")
    anchors: list[tuple[Line, list[Line]]] = []
    total: Line | None = None
    loose: list[Line] = []
    for line in lines:
        if _is_furniture(line, height):
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
            if _HEADING.match(first) and not regex.match(r"^\d{1,2}$", first):
                break
            loose.append(line)
            if anchors and not _COMPLETE_NAME.search(_row_name(anchors[-1], book, share_x)):
                anchors[-1][1].extend(loose)  # the name of the row above wraps onto this line
                loose = []
        if len(loose) > 2:
            break
    return anchors, total


def _row_name(row: tuple[Line, list[Line]], book: PatternBook, share_x: float | None) -> str:
    line, extra = row
    words = sorted([w for ln in [line, *extra] for w in ln.words], key=lambda w: (w.y0 > line.y1 + 2, w.y0, w.x0))
    text = [w for w in words if _cell_kind(w, book, share_x) == "text"]
    if text and regex.match(r"^\d{1,2}$", fold(text[0].text)) and len(text) > 1:
        text = text[1:]  # the 序号 column
    return _printed(w for w in text if fold(w.text) not in ("--", "-", "—"))


def read_top5_table(doc: Document, index: int, book: PatternBook, unit: Unit, out: PartiesRead) -> TopFive | None:
    """The table form (SZSE, BSE, STAR): 序号 | 客户名称 | 销售额 | 占比 [| 是否关联], then 合计."""
    lines = _lines(doc, index)
    top = TopFive("table", [index + 1])
    read_top5_summary(lines, book, top, unit)
    h = _header_index(lines, book, "customer_table_header")
    if h is None:
        return top if (top.total or top.total_share) else None
    header = lines[h]
    own_unit = find_unit(lines[max(0, h - 3):h + 1], book)
    if not own_unit.found:
        own_unit = unit
    top.unit = own_unit.unit
    band = _header_band(lines, h)
    # a wrapped header cell (是否存在 / 关联关系) puts its halves on different lines: read the band
    # column by column
    top.has_related_column = any(_concept(book, "customer_related_header").search(cell)
                                 for cell in _header_cells(band))
    share_x = next((w.cx for w in header.words if "比" in w.text or "%" in w.text), None)
    height = doc.page_size(index)[1]
    body = lines[max(lines.index(ln) for ln in band) + 1:]
    anchors, total = _customer_rows(body, book, share_x, height)
    if total is None and len(anchors) < 5 and index + 1 < doc.page_count:  # runs onto the next page
        anchors, total = _customer_rows(body + _lines(doc, index + 1), book, share_x, height)
    for rank, row in enumerate(anchors[:10], start=1):
        top.customers.append(_customer(row, rank, book, share_x, own_unit, top.has_related_column))
    if total is not None:
        amounts = [w for w in _amount_words(total) if _cell_kind(w, book, share_x) == "amount"]
        shares = [w for w in total.words if _cell_kind(w, book, share_x) == "share"]
        if amounts and top.total is None:
            w = amounts[0]
            top.total = _money(w.text, total.page + 1, (w.x0, w.y0, w.x1, w.y1), "合计", "mdna",
                               _concept(book, "table_total").patterns[0], own_unit)
        if shares and top.total_share is None:
            w = shares[-1]
            v = _pct(w.text, force=True)
            if v is not None:
                top.total_share = Share(v, w.text, total.page + 1, (w.x0, w.y0, w.x1, w.y1))
    pages = sorted({c.page for c in top.customers} | {index + 1})
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
        if kind == "amount" and amount is None and w in _amount_words(line):
            amount = _money(w.text, line.page + 1, (w.x0, w.y0, w.x1, w.y1), name, "mdna",
                            _concept(book, "customer_table_header").patterns[0], unit)
        elif kind == "share" and share is None:
            v = _pct(w.text, force=True)
            share = Share(v, w.text, line.page + 1, (w.x0, w.y0, w.x1, w.y1)) if v is not None else None
        elif kind in ("yes", "no"):
            related = kind == "yes"
    first = fold(line.words[0].text)
    printed_rank = int(first) if regex.match(r"^\d{1,2}$", first) else rank
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


# ------------------------------------------------------------------------------- related parties

def _note_window(doc: Document, book: PatternBook, start: int, out: PartiesRead) -> list[int]:
    """Pages of the related-party note: from its heading until the next note or the parent's notes,
    or until the page after the sales table's title (nothing later is read)."""
    pages: list[int] = []
    sales_at: int | None = None
    quiet = 0  # pages in a row that name no related party nor transaction
    for i in range(start, min(doc.page_count, start + int(book.value("parties_notes_window_pages")))):
        out.pages_read.add(i)
        pages.append(i)
        if i > start and _page_has(doc, book, i, "notes_section_end"):
            break
        quiet = 0 if _page_has(doc, book, i, "related_notes_probe") or _page_has(doc, book, i, "party_list_marker") \
            else quiet + 1
        if quiet >= 2:
            break
        if sales_at is None and _page_has(doc, book, i, "related_sales_title"):
            sales_at = i
        if sales_at is not None and i > sales_at:
            break
    return pages


def _pages_to_parse(doc: Document, book: PatternBook, window: list[int]) -> list[int]:
    """The pages of the note worth parsing word by word: those naming related parties (and the page
    after the last of them, where a long list runs on) and the sales table's page (and the next
    when the table runs on). Purchase tables between them are skipped."""
    marked = [i for i in window if _page_has(doc, book, i, "party_list_marker")]
    wanted = set(marked)
    if marked and marked[-1] + 1 in window:
        wanted.add(marked[-1] + 1)
    sales = next((i for i in window if _page_has(doc, book, i, "related_sales_title")), None)
    if sales is not None:
        wanted.add(sales)
        lines = _folded_lines(doc, sales)
        at = next(n for n, t in enumerate(lines) if _concept(book, "related_sales_title").search(t))
        ends_here = any(_concept(book, "related_sales_end").search(t) for t in lines[at + 1:])
        # the next page continues the table unless it opens with the next heading
        opens_next = sales + 1 in window and any(_concept(book, "related_sales_end").search(t)
                                                 for t in _folded_lines(doc, sales + 1)[:4])
        if not ends_here and sales + 1 in window and not opens_next:
            wanted.add(sales + 1)
    return sorted(wanted) or window[:2]


def _lines_between(doc: Document, pages: list[int]) -> list[Line]:
    out: list[Line] = []
    for i in pages:
        height = doc.page_size(i)[1]
        out.extend(ln for ln in _lines(doc, i) if not _is_furniture(ln, height))
    return out


def read_party_lists(lines: list[Line], book: PatternBook) -> list[RelatedParty]:
    """Two-column lists (名称 | 与本企业关系), the parent-company table and sentences naming the
    ultimate controller."""
    parties: list[RelatedParty] = []
    list_c, parent_c, sent_c = (_concept(book, n) for n in ("party_list_header", "parent_header", "party_sentence"))
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
    return bool(_HEADING.match(c)) or c.startswith(("其他说明", "说明", "注:", "注："))


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
        name, rel = _printed(left), _printed(right)
        prev = rows[-1] if rows else None
        # a wrapped name or relationship continues the row above; a line with both cells is a new row
        # unless the row above is still missing one of them
        wraps = prev is not None and (not name or (not _COMPLETE_NAME.search(prev.name)
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
        left = _printed(w for w in lines[i].words if w.x1 < second - 2)
        has_numbers = any(parse_amount(w.text) for w in lines[i].words)
        if left and has_numbers:
            rows.append(RelatedParty(left, "母公司", lines[i].page + 1, lines[i].bbox, "parent"))
        elif left and rows and not _COMPLETE_NAME.search(rows[-1].name):
            rows[-1].name += left
        elif rows:
            break  # past the table: a sentence such as 本企业最终控制方是… follows
        i += 1
    return rows, i


# ------------------------------------------------------------------------------- related sales

def read_sales_table(lines: list[Line], book: PatternBook, unit: Unit) -> RelatedSales | None:
    """The consolidated notes table of sales to related parties: rows of party | content | current | prior."""
    title_c, end_c = _concept(book, "related_sales_title"), _concept(book, "related_sales_end")
    start = next((i for i, ln in enumerate(lines) if title_c.search(fold(ln.text))), None)
    if start is None:
        return None
    body: list[Line] = []
    for ln in lines[start + 1:]:
        c = fold(ln.text)
        if body and end_c.search(c) and not _amount_words(ln):
            break
        body.append(ln)
    page = lines[start].page
    own = find_unit(body[:4], book)
    unit = own if own.found else unit
    layout = find_layout([ln for ln in body if ln.page == page][:14], book, page) or _year_layout(body, book)
    if layout is None:
        return None
    sales = RelatedSales(unit=unit.unit)
    sales.pages = sorted({ln.page + 1 for ln in body} | {page + 1})
    # the first header line under the title; later tables' headers are not this table's
    header_y = next((ln.y1 for ln in body if ln.page == page and _is_header(ln, layout)), lines[start].y1)
    rows = [ln for ln in body if not (ln.page == page and ln.y1 <= header_y + 0.5) and not _is_header(ln, layout)]
    name_x = min((ln.words[0].x0 for ln in rows if ln.words and not _amount_cells(ln, layout)), default=None)
    for anchor, extra in _group_rows(rows, layout):
        cells = _amount_cells(anchor, layout)
        texts = [w for ln in [anchor, *extra] for w in ln.words if layout.column_of(w) is None]
        texts.sort(key=lambda w: (w.y0 > anchor.y1 + 2, w.y0, w.x0))
        if name_x is None:
            name_x = min((w.x0 for w in texts), default=0.0)
        name = _printed(w for w in texts if w.x0 < name_x + 15)
        content = _printed(w for w in texts if w.x0 >= name_x + 15)
        figs = {p: _cell_figure(anchor, cells, layout, p, name, unit, book) for p in ("current", "prior")}
        if not name and not content:
            for p in ("current", "prior"):  # an unlabelled row of amounts under the table: its total
                sales.printed_total[p] = figs[p]
            continue
        if _concept(book, "table_total").search(name):
            for p in ("current", "prior"):
                sales.printed_total[p] = figs[p]
            continue
        if not content and (split := _CONTENT_DASH.match(name)):
            content, name = split.group(1), split.group(2)  # HK style: 提供服務－常州盛榮電子股份有限公司
        sales.rows.append(RelatedSale(name, content, figs["current"], figs["prior"], anchor.page + 1))
    _check_printed_total(sales)
    return sales


def _check_printed_total(sales: RelatedSales) -> None:
    """Keep an unlabelled 'total' only if it is the sum of the rows; otherwise it is a row."""
    for p in ("current", "prior"):
        printed = sales.printed_total.get(p)
        vals = [getattr(r, p).value for r in sales.rows if getattr(r, p) is not None]
        if printed is not None and vals and abs(sum(vals, Decimal(0)) - printed.value) > Decimal(1) * printed.multiplier:
            printed.notes.append("printed total differs from the sum of the rows")


def _amount_words(line: Line) -> list[Word]:
    """Words that look like money (grouped or with decimals), not note references such as (2)."""
    return [w for w in line.words if (p := parse_amount(w.text)) is not None and p.grouped]


def _is_header(line: Line, layout: Layout) -> bool:
    return any(c.header and c.header in line.text for c in layout.columns) and not _amount_cells(line, layout)


def _year_layout(lines: list[Line], book: PatternBook) -> Layout | None:
    for ln in lines[:8]:
        found = find_layout([ln], book, ln.page)
        if found is not None:
            return found
    return None


def _amount_cells(line: Line, layout: Layout) -> dict[int, Word]:
    cells: dict[int, Word] = {}
    for w in line.words:
        p = parse_amount(w.text)
        col = layout.column_of(w)
        if p is not None and col is not None and (p.grouped or p.is_nil or p.value == 0):
            cells.setdefault(col, w)
    return cells


def _group_rows(lines: list[Line], layout: Layout) -> list[tuple[Line, list[Line]]]:
    """Attach text-only lines (wrapped names, contents) to the row whose amounts they belong to:
    to the row above while its name looks unfinished, else to the row below."""
    rows: list[tuple[Line, list[Line]]] = []
    pending: list[Line] = []
    for ln in lines:
        if _amount_cells(ln, layout):
            rows.append((ln, pending))
            pending = []
            continue
        if rows and not pending and not _COMPLETE_NAME.search(_first_text(rows[-1], layout)) and ln.y0 - rows[-1][0].y1 < 12:
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
    return _money(w.text, line.page + 1, (w.x0, w.y0, w.x1, w.y1), label, "notes",
                  _concept(book, "related_sales_title").patterns[0], unit, 0.9, layout.columns[col].header)


def read_sales_sentence(doc: Document, index: int, book: PatternBook) -> Figure | None:
    """重要事项: '出售商品/提供劳务类关联交易…实际发生额为519,252.23万元' (its own unit)."""
    for i in (index, index + 1):
        if i >= doc.page_count:
            break
        hit = _search(book, "related_sales_sentence", fold(doc.text(i)))
        if hit is None:
            continue
        pattern, m = hit
        unit = _sentence_unit(m.groupdict().get("unit"), book) or DEFAULT
        return _money(m.group("amount"), i + 1, _words_bbox(doc, i, m.group("amount")[:8]),
                      "出售商品/提供劳务类关联交易实际发生额", "mdna", pattern, unit, 0.85)
    return None


# ------------------------------------------------------------------------------- statements

def _statement_pages(doc: Document, book: PatternBook, concept: str, is_pages: list[int]) -> list[int]:
    """Pages beside the income statement carrying the consolidated statement's title, nearest first."""
    c = _concept(book, concept)
    w = int(book.value("parties_statement_window"))
    before = range(min(is_pages), max(-1, min(is_pages) - w - 1), -1)
    after = range(max(is_pages), min(doc.page_count, max(is_pages) + w + 1))
    # the balance sheet comes before the income statement and the cash-flow statement after it;
    # look that way first and stop at the first title found
    first, second = (before, after) if _concept(book, concept).role == "before" else (after, before)
    found: list[int] = []
    for side in (first, second):
        for i in side:
            if not _page_has(doc, book, i, concept) or _is_contents_page(doc, i):
                continue
            titles = [s for s in _folded_lines(doc, i) if c.search(s)]
            if titles:
                found.append(i)
                if not all(_CONTINUED.search(t) for t in titles):
                    return found  # the statement's first page; continuation pages were nearer
    return found


def read_statement_line(doc: Document, book: PatternBook, title: str, item: str, is_pages: list[int],
                        source: str, fallback: Unit = DEFAULT) -> dict[str, Figure | None]:
    """One line (销售商品、提供劳务收到的现金 / 应收账款) of the consolidated statement titled ``title``."""
    out: dict[str, Figure | None] = {"current": None, "prior": None}
    title_c, item_c = _concept(book, title), _concept(book, item)
    for page in _statement_pages(doc, book, title, is_pages):
        # positioned words cost far more than plain text: read them only from the title page to
        # the page whose text holds the line
        span = range(page, min(doc.page_count, page + 3))
        item_page = next((i for i in span if _page_has(doc, book, i, item)), None)
        if item_page is None:  # label printed with prefixes or amounts on its line: the slow way
            item_page = next((i for i in span if any(item_c.search(normalise_label(_AMOUNTS_TAIL.sub("", t), book))
                                                     for t in _folded_lines(doc, i))), None)
        if item_page is None:
            continue
        lines = _lines(doc, page)
        t = next((i for i, ln in enumerate(lines) if title_c.search(fold(ln.text))), None)
        if t is None:
            continue
        region = _own_statement(lines[t:] + [ln for nxt in range(page + 1, item_page + 1) for ln in _lines(doc, nxt)],
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
                           if layout.column_of(w) is None and not (i and _NOTE_REF.match(fold(w.text)))]
            label = normalise_label(join_words(label_words), book) if label_words else ""
            hit = item_c.search(label) if label else None
            if hit is None:
                continue
            cells = _amount_cells(ln, layout)
            for period in ("current", "prior"):
                col = layout.pick(period)
                if col is None:
                    continue
                w = cells.get(col)
                fig = (_money(w.text, ln.page + 1, (w.x0, w.y0, w.x1, w.y1), join_words(label_words), source,
                              hit[0], unit, 0.95 if unit.found else 0.8, layout.columns[col].header)
                       if w else _blank(ln, layout, col, join_words(label_words), source, hit[0], unit))
                out[period] = fig
            return out
    return out


def _balance_layout(lines: list[Line], book: PatternBook) -> Layout | None:
    """Columns headed 期末余额 / 期初余额 (balance sheets name no year), which the income-statement
    period patterns do not cover."""
    current, prior = _concept(book, "balance_current_header"), _concept(book, "balance_prior_header")
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


def _is_contents_page(doc: Document, index: int) -> bool:
    """A table-of-contents page names every statement; it is not one."""
    return sum(1 for t in doc.text(index).split("\n") if is_toc_line(t) or regex.fullmatch(r"\s*[.…·]{8,}\s*", t)) >= 3


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


# ------------------------------------------------------------------------------- the stage

def read_parties(doc: Document, book: PatternBook, statement_pages: list[int], unit: Unit,
                 scan: bool = True, scan_mdna: bool = True) -> PartiesRead:
    """Everything the related-party flags need. ``statement_pages`` are the income statement's
    0-based pages; ``unit`` is its unit, the fallback for tables that print none. ``scan=False``
    reads only where hints point; ``scan_mdna=False`` does so for the MD&A summary of related sales
    only (a CAS 重要事项 section has it; other reports rarely do, and scanning for it costs)."""
    out = PartiesRead()
    first = min(statement_pages) if statement_pages else doc.page_count
    last = max(statement_pages) if statement_pages else 0
    if statement_pages:
        out.cash_from_sales = read_statement_line(doc, book, "cash_flow_title", "cash_from_sales", statement_pages,
                                                  "cash_flow_statement", unit)
        out.receivables = read_statement_line(doc, book, "balance_sheet_title", "receivables", statement_pages,
                                              "balance_sheet", unit)
    top_page = find_top5_page(doc, book, first, out, scan)
    if top_page is not None:
        out.top5 = read_top5(doc, book, top_page, DEFAULT, out)
    notes_page = find_related_notes_page(doc, book, last, out, scan)
    sales: RelatedSales | None = None
    if notes_page is not None:
        pages = _note_window(doc, book, notes_page, out)
        out.log.append(f"related-party note: pages {pages[0] + 1}-{pages[-1] + 1}")
        lines = _lines_between(doc, _pages_to_parse(doc, book, pages))
        out.parties = read_party_lists(lines, book)
        sales = read_sales_table(lines, book, unit)
    else:
        out.log.append("related-party note not found")
    # the MD&A summary is a second source: looked for by scanning only when the notes gave no table
    need = sales is None or not sales.rows
    mdna_page = find_related_mdna_page(doc, book, top_page if top_page is not None else -1, first, out,
                                       scan and scan_mdna and need)
    if mdna_page is not None:
        summary = read_sales_sentence(doc, mdna_page, book)
        if summary is not None:
            sales = sales or RelatedSales()
            sales.mdna = summary
    out.sales = sales
    out.matches = match_customers(out, book)
    out.log.append(f"read {len(out.pages_read)} pages as text for customers and related parties")
    return out


def match_customers(read: PartiesRead, book: PatternBook) -> list[dict[str, Any]]:
    """Every top-five customer that resembles a related party, with the score, down to the
    reporting floor of parties.yaml (below the flag's threshold too, so near misses can be checked
    by eye). Anonymised customers are listed as skipped, never matched."""
    if read.top5 is None or not read.parties:
        return []
    rules = NameRules.from_book(book)
    floor = float(book.value("parties_match_report_score"))
    out: list[dict[str, Any]] = []
    for c in read.top5.customers:
        if c.anonymised:
            continue
        m = best_match(c.name, [p.name for p in read.parties], rules, floor)
        if m is not None:
            party = next(p for p in read.parties if p.name == m.right)
            out.append({**m.to_json(), "relationship": party.relationship, "customer_page": c.page,
                        "party_page": party.page, "customer_marked_related": c.related})
    return out
