"""Shared by the parties readers: cheap page access (plain text folded once, positioned lines from
MuPDF words), one-search-per-page pattern tests, and amounts, shares and names as printed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import regex

from .. import rxcache
from ..book.types import Matcher, budgeted
from ..model import Figure
from ..patternbook import Concept, Pattern, PatternBook
from ..read.document import Document, Line, Word
from ..tables.amounts import parse_amount
from ..tables.labels import PAGE_NUMBER as _PAGE_NUMBER
from ..tables.labels import RUNNING_HEADER as _RUNNING_HEADER
from ..tables.labels import fold
from ..tables.rows import Layout
from ..tables.units import Unit, unit_of_text

_PCT = rxcache.compile(r"^[-−]?\d{1,3}(?:\.\d+)?%?$")






HEADING = rxcache.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d{1,2}[、.](?!\d)|[(（](?:\d{1,2}|[a-h])[)）])")


COMPLETE_NAME = rxcache.compile(r"(?:公司|厂|集团|合伙[)）]?|中心|研究院|研究所|医院|大学|局|委员会|银行|[)）]|ltd\.?|limited|inc\.?)$", regex.I)


AMOUNTS_TAIL = rxcache.compile(r"[\s\d,.()（）\-−–—%]+$")


CONTENT_DASH = rxcache.compile(r"^(.{2,30}?)\s*[－—–-]\s*(.{2,})$")


CONTINUED = rxcache.compile(r"[(（](?:续|續)[)）]")


NOTE_REF = rxcache.compile(r"^(?=.*[\d一二三四五六七八九十])(?:附注|注)?[\d一二三四五六七八九十()（）.、a-z]{1,8}$", regex.I)


def concept_of(book: PatternBook, name: str) -> Concept:
    return book.concept("parties", name)


def search_concept(book: PatternBook, name: str, text: str) -> tuple[Pattern, regex.Match[str]] | None:
    return concept_of(book, name).search(text)


def folded_lines(doc: Document, index: int) -> list[str]:
    """A page's plain-text lines, folded; cached on the document because every finder asks again."""
    cache: dict[int, list[str]] = doc.memo.setdefault("_parties_folded", {})
    if index not in cache:
        cache[index] = [fold(s) for s in doc.text(index).split("\n") if s.strip()]
    return cache[index]


def page_lines(doc: Document, index: int) -> list[Line]:
    """Positioned lines of a page, cheaply (this stage parses up to ten pages)."""
    return doc.quick_lines(index)


def _page_text(doc: Document, index: int) -> str:
    cache: dict[int, str] = doc.memo.setdefault("_parties_page", {})
    if index not in cache:
        cache[index] = "\n".join(folded_lines(doc, index))
    return cache[index]


@lru_cache(maxsize=128)
def _combined(sources: tuple[str, ...]) -> regex.Pattern[str]:
    """All of a concept's patterns as one, with ``^``/``$`` at line ends."""
    return rxcache.compile("|".join(f"(?:{s})" for s in sources), regex.IGNORECASE | regex.MULTILINE)


def any_line(book: PatternBook, concept: str, text: str) -> bool:
    cache: dict[str, Matcher] = book.cache.setdefault("_parties_combined", {})
    if concept not in cache:
        pats = concept_of(book, concept).patterns
        cache[concept] = budgeted(_combined(tuple(p.source for p in pats)), pats)
    return cache[concept].search(text) is not None


def page_has(doc: Document, book: PatternBook, index: int, concept: str) -> bool:
    """Does any line of the page match the concept? One search over the page instead of one per
    line and pattern: scanning pages is this stage's main cost."""
    return any_line(book, concept, _page_text(doc, index))


_UNIT_LINE = rxcache.compile(r"^(?:金额|金額)?(?:单位|單位)[:：]|^(?:币种|幣種)[:：]")


def is_furniture(line: Line, height: float) -> bool:
    """Running headers, footers and page numbers: never part of a table. A unit line at the top of
    a page is the table's own (单位：万元 币种：人民币 heads a table continued from the page before)."""
    c = fold(line.text)
    if _PAGE_NUMBER.match(c):
        return True
    if _UNIT_LINE.match(c):
        return False
    return (line.y1 < 0.1 * height or line.y0 > 0.92 * height) and bool(_RUNNING_HEADER.search(c) or len(c) < 20)


def parse_share(text: str, force: bool = False) -> Decimal | None:
    """'11.77%' -> 0.1177; a bare number only when the column says it holds percentages."""
    t = fold(text).replace("％", "%")
    if not _PCT.match(t) or (not t.endswith("%") and not force):
        return None
    try:
        return Decimal(t.rstrip("%").replace("−", "-")) / 100
    except InvalidOperation:
        return None


def money_figure(printed: str, page: int, bbox: tuple[float, float, float, float] | None, label: str, source: str,
           pattern: Pattern | None, unit: Unit, confidence: float = 0.9, column: str = "") -> Figure | None:
    parsed = parse_amount(printed)
    if parsed is None:
        return None
    value = parsed.value if parsed.value is not None else Decimal(0)
    return Figure(value * unit.multiplier, printed, page, bbox or (0.0, 0.0, 0.0, 0.0), label, source,
                  pattern.id if pattern else "", confidence, unit.unit, unit.multiplier, column,
                  pattern.file if pattern else "")


def words_bbox(doc: Document, index: int, needle: str) -> tuple[float, float, float, float] | None:
    """Where a printed snippet (a number from a sentence) sits on the page."""
    for line in page_lines(doc, index):
        for w in line.words:
            if needle in w.text:
                return (w.x0, w.y0, w.x1, w.y1)
    return None


def printed_name(words: Iterable[Word]) -> str:
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


def amount_words(line: Line) -> list[Word]:
    """Words that look like money (grouped or with decimals), not note references such as (2)."""
    return [w for w in line.words if (p := parse_amount(w.text)) is not None and p.grouped]


_BARE_INTEGER = rxcache.compile(r"^-?\d{1,3}$")


def _under(w: Word, layout: Layout, col: int) -> bool:
    """The word lies under the column's header (give or take 20 pt), not in an extra column beside it."""
    c = layout.columns[col]
    return w.x0 < c.x1 + 20 and w.x1 > c.x0 - 20


def amount_cells(line: Line, layout: Layout) -> dict[int, Word]:
    """The amounts of a table row by column. Under an amount column a bare number below 1,000 is an
    amount too (935 in a 千元 table has no separator to show it is money)."""
    cells: dict[int, Word] = {}
    for w in line.words:
        p = parse_amount(w.text)
        col = layout.column_of(w)
        if p is not None and col is not None and (p.grouped or p.is_nil or p.value == 0
                                                  or (_BARE_INTEGER.match(w.text.strip()) and _under(w, layout, col))):
            cells.setdefault(col, w)
    return cells


def sentence_unit(text: str | None, book: PatternBook) -> Unit | None:
    """The unit printed after a number in a sentence (万元, 百萬元, million); English units are
    written after RMB in units.yaml, so 'million' is tried as 'RMB million' too."""
    if not text:
        return None
    return unit_of_text(text, book) or unit_of_text("RMB" + text, book)
