"""Label normalisation and classification shared by the locating and matching stages.

Takes printed label text and gives the compact form patterns are matched against (prefixes
such as 减：/其中：/一、 and suffixes such as (续) stripped, whitespace removed, full-width
punctuation folded), and classifies lines as statement titles or table-of-contents entries.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import regex

from .. import rxcache
from ..book.types import Matcher, alternation
from ..patternbook import Concept, Pattern, PatternBook

# running furniture of a page: its number, the report's running title
PAGE_NUMBER = rxcache.compile(r"^(?:第?\d{1,4}页?(?:/(?:共)?\d{1,4}页?)?|-\d{1,4}-)$")
RUNNING_HEADER = rxcache.compile(r"年度报告|年度報告|annualreport|附注[(（]续[)）]|附註[(（]續[)）]", regex.I)
# a note reference in a statement's 附注 column: 30, 五(30), 七、61, V.30, 5(a), 附注三, （六十三）
NOTE_REF = rxcache.compile(
    r"^(?:附注|附註|注|note)?(?:[一二三四五六七八九十]{1,3}[、.．]?|[IVX]{1,4}[、.．])?[(（]?\d{1,3}[)）]?(?:[.．]\d{1,3})*"
    r"(?:[(（]?[a-z\dⅰ-ⅻ]{1,4}[)）])*$|^[一二三四五六七八九十]{1,3}[(（]\d{1,3}[)）]$|^[(（][一二三四五六七八九十]{1,4}[)）]$"
    # a list of notes: 6,7(i) / 12、13 (one or two digits after the comma: never an amount's group)
    r"|^\d{1,3}(?:[(（][a-zⅰ-ⅻ\d]{1,4}[)）])?(?:[,，、]\d{1,2}(?:[(（][a-zⅰ-ⅻ\d]{1,4}[)）])?)+$",
    regex.IGNORECASE,
)
# what trails a label in plain text: amounts, percentages, dashes
_AMOUNT_TAIL = rxcache.compile(r"[\s\d,.()（）\-−–—%]+$")


@lru_cache(maxsize=1 << 15)  # pure, and asked of the same lines by several stages
def label_part(text: str) -> str:
    """The label of a text line, without the amounts and note reference that follow it."""
    tokens = text.split()
    while len(tokens) > 1 and (_AMOUNT_TAIL.fullmatch(tokens[-1]) or NOTE_REF.match(fold(tokens[-1]))):
        tokens.pop()
    label = " ".join(tokens)
    return _AMOUNT_TAIL.sub("", label) or label


_TOC_LEADER = rxcache.compile(r"(?:\.{3,}|…{2,}|·{3,}|_{4,}|\.\s\.\s\.)")
_TRAILING_PAGE = rxcache.compile(r"(?:\.{2,}|…+|·{2,}|\s{2,})\s*\d{1,4}\s*$")
# a printed contents entry ("第十一节 财务报告 ........ 77"): its page number, what follows its title
# (leader and page), and the part number before it
CONTENTS_PAGE = rxcache.compile(r"(\d{1,4})\s*$")
CONTENTS_TAIL = rxcache.compile(r"[.…·_\s\d]+$")
PART_NUMBER = rxcache.compile(r"^(?:第.{1,3}节|(?i:item)\d{1,2}[A-Z]?[.．:]?)")  # 第十节, and a 20-F's "Item 18."


def contents_entries(lines: list[str]) -> Iterator[tuple[str, str, int]]:
    """The entries of a printed contents page, as (line, title, printed page): a leader or a gap
    before the page number ("第十一节 财务报告 ........ 77"), or the number alone on the line under its
    title, as a 20-F's contents set them ("Item 18. Financial Statements" / "188"). ``lines`` are the
    page's stripped, non-empty lines."""
    for i, line in enumerate(lines):
        bare = i > 0 and CONTENTS_PAGE.fullmatch(line) is not None and not CONTENTS_PAGE.fullmatch(lines[i - 1])
        if not (bare or is_toc_line(line)):
            continue
        m = CONTENTS_PAGE.search(line)
        if not m:
            continue
        title = CONTENTS_TAIL.sub("", line)
        if not title and i > 0:  # "第十一节" / "财务报告 .... 45" split over two lines
            title = lines[i - 1]
        yield line, title, int(m.group(1))
_PERIOD_PHRASES = rxcache.compile(
    r"(?i)(?:fortheyearended.*|yearended.*|截至.*止年度|\d{4}年(?:度|1[-—－~至]12月)?|\d{4}年\d{1,2}月\d{1,2}日|"
    r"[(（](?:续|續|continued)[)）]|(?:单位|單位|金额单位)[:：].*|编制单位[:：].*)"
)
_TITLE_FORBIDDEN = rxcache.compile(r"(?i)注释|附注|附註|详见|參見|参见|见|分析|说明|數據|数据|摘要|项目|notesto|see|主要|变动|占")
_NUMBERING = rxcache.compile(r"^(?:[(（]?[一二三四五六七八九十\d]+[)）、.．]?|第[一二三四五六七八九十]+节)")


@lru_cache(maxsize=1 << 15)  # labels, headings and cells are folded by several stages each
def fold(text: str) -> str:
    """NFKC (full-width to half-width) with all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@lru_cache(maxsize=1 << 15)
def is_toc_line(text: str) -> bool:
    return bool(_TOC_LEADER.search(text) or _TRAILING_PAGE.search(text))


@dataclass(frozen=True)
class TitleHit:
    concept: Concept
    pattern: Pattern
    role: str
    continued: bool


MEMO_LIMIT = 50_000  # lines remembered per lookup; a batch over thousands of reports must not grow without bound


def _memo(book: PatternBook, key: object) -> dict:
    """A memo of one lookup kept on the pattern book (labels repeat across pages and reports)."""
    cache = book.cache.setdefault(key, {})
    if len(cache) > MEMO_LIMIT:
        cache.clear()
    return cache


_CONTINUED = rxcache.compile(r"(?i)[(（](?:续|續|continued)[)）]|续表")


def _any_title(book: PatternBook) -> Callable[[str], bool]:
    """Could the text hold any statement title? The patterns with an anchor (a character every
    match contains, see :mod:`extractor.book.literals`) are searched only in text holding one of
    the anchors; the others (English titles) always."""
    if "any_title" not in book.cache:
        anchored: list[Pattern] = []
        other: list[Pattern] = []
        anchors: set[str] = set()
        for c in book.kind("statements").values():
            for p in c.patterns:
                a = p.anchor
                (anchored if a else other).append(p)
                if a:
                    anchors.add(a)
        rx_anchored, rx_other = alternation(anchored), alternation(other)
        keys = frozenset(anchors)

        def could_be(text: str) -> bool:
            if anchored and not keys.isdisjoint(text) and (rx_anchored is None or rx_anchored.search(text)):
                return True
            return bool(other) and (rx_other is None or rx_other.search(text) is not None)

        book.cache["any_title"] = could_be
    return book.cache["any_title"]


def classify_title(text: str, book: PatternBook, max_chars: int = 40) -> TitleHit | None:
    """A statement title on this line? The line must be short and little else than the title."""
    cache = _memo(book, ("classify_title", max_chars))
    if text not in cache:
        cache[text] = _classify_title(text, book, max_chars)
    return cache[text]


def _classify_title(text: str, book: PatternBook, max_chars: int) -> TitleHit | None:
    compact = fold(text)
    if not compact or len(compact) > max_chars * 2 or not _any_title(book)(compact) or is_toc_line(text):
        return None
    continued = bool(_CONTINUED.search(compact))
    # priority: the most specific roles first, so 母公司利润表 is not read as 利润表
    for role in ("combined", "consolidated", "parent", "other", "plain"):
        for concept in book.by_role("statements", role):
            hit = concept.search(compact)
            if not hit:
                continue
            pattern, m = hit
            rest = compact[: m.start()] + "|" + compact[m.end():]
            if _TITLE_FORBIDDEN.search(rest):
                return None
            rest = _PERIOD_PHRASES.sub("", rest)
            rest = _NUMBERING.sub("", rest.lstrip("|")).strip("|:：")
            if len(rest) > 12:
                return None
            return TitleHit(concept, pattern, role, continued)
    return None


def section_hit(text: str, book: PatternBook, max_chars: int = 40) -> Concept | None:
    """A section heading (notes, MD&A, financial report) on this line?"""
    cache = _memo(book, ("section_hit", max_chars))
    if text not in cache:
        cache[text] = _section_hit(text, book, max_chars)
    return cache[text]


def _any_of(book: PatternBook, key: str, concepts: list[Concept]) -> Matcher | None:
    """The :func:`alternation` of several concepts' patterns, kept on the book (None: none to try)."""
    if key not in book.cache:
        book.cache[key] = alternation([p for c in concepts for p in c.patterns])
    return book.cache[key]


def _section_hit(text: str, book: PatternBook, max_chars: int) -> Concept | None:
    compact = fold(text)
    if not compact or len(compact) > max_chars or is_toc_line(text):
        return None
    sections = book.by_role("statements", "section")
    if (rx := _any_of(book, "any_section", sections)) is not None and not rx.search(compact):
        return None
    for concept in sections:
        hit = concept.search(compact)
        if hit:
            rest = compact[: hit[1].start()] + compact[hit[1].end():]
            rest = _NUMBERING.sub("", rest)
            if len(rest) <= 3:  # "第十一节 财务报告", "二、财务报表": the heading and little else
                return concept
    return None


def normalise_label(text: str, book: PatternBook) -> str:
    """The compact label items.yaml patterns are matched against."""
    cache = _memo(book, "normalise_label")
    if text in cache:
        return cache[text]
    s = fold(text)
    prefix, suffix = book.concept("labels", "strip_prefix"), book.concept("labels", "strip_suffix")
    changed = True
    while changed and s:
        changed = False
        if prefix.any is None or prefix.any.match(s):  # else no prefix pattern matches here either
            for p in prefix.patterns:
                m = p.compiled.match(s)
                if m and m.end() > 0:
                    s = s[m.end():]
                    changed = True
        if suffix.any is None or suffix.any.search(s):
            for p in suffix.patterns:
                m = p.compiled.search(s)
                if m and m.end() == len(s) and m.start() > 0:
                    s = s[: m.start()]
                    changed = True
    cache[text] = s
    return s


def is_statement_line(text: str, book: PatternBook) -> bool:
    """Does ``text`` name a line of the CSRC statement formats in full (labels.yaml ``statement_line``)?"""
    cache = _memo(book, "statement_line")
    if text not in cache:
        cache[text] = book.concept("labels", "statement_line").search(normalise_label(text, book)) is not None
    return cache[text]


def _any_item(book: PatternBook, roles: tuple[str, ...]) -> Matcher | None:
    """One alternation of every item pattern of these roles: most lines fail it in one step."""
    return _any_of(book, f"any_item:{','.join(roles)}", [c for c in book.kind("items").values() if c.role in roles])


def match_item(label: str, book: PatternBook, roles: tuple[str, ...] = ("target", "neighbour", "foreign")
               ) -> tuple[Concept, Pattern] | None:
    """The item concept whose pattern matches the whole normalised label, if any."""
    cache = _memo(book, ("match_item", roles))
    if label in cache:
        return cache[label]
    result = None
    norm = normalise_label(label, book)
    if norm and ((rx := _any_item(book, roles)) is None or rx.fullmatch(norm)):
        raw = fold(label)
        for concept in book.kind("items").values():
            if concept.role not in roles:
                continue
            p = concept.match_full(norm)
            if p is not None and concept.excluded(raw) is None:
                result = (concept, p)
                break
    cache[label] = result
    return result
