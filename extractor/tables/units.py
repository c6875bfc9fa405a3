"""Find a statement's unit line (单位：元, 人民币千元, RMB'000 …) and its multiplier."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import rxcache
from ..patternbook import PatternBook
from ..read.document import Line
from .labels import fold


@dataclass(frozen=True)
class Unit:
    unit: str
    multiplier: Decimal
    currency: str
    printed: str  # the line the unit was read from
    pattern: str  # pattern id, or "default"

    @property
    def found(self) -> bool:
        return self.pattern != "default"


DEFAULT = Unit("元", Decimal(1), "CNY", "", "default")


def unit_of_text(text: str, book: PatternBook) -> Unit | None:
    """The unit named in a line: the leftmost mention wins ("RMB'000 … US$'000" is RMB, the
    consolidated columns come first); at the same place the earlier concept in units.yaml wins,
    which puts longer units (百万元) before shorter ones (万元)."""
    compact = fold(text)
    best = None
    for concept in book.kind("units").values():
        hit = concept.search(compact)
        if hit is not None and (best is None or hit[1].start() < best[1][1].start()):
            best = (concept, hit)
    if best is None:
        return None
    concept, (pattern, _m) = best
    return Unit(concept.unit or concept.name, concept.multiplier or Decimal(1), concept.currency or "CNY",
                text.strip(), pattern.id)


def find_unit(lines: list[Line], book: PatternBook) -> Unit:
    """The first unit named in the given header lines (title, unit line, column headers)."""
    for line in lines:
        unit = unit_of_text(line.text, book)
        if unit is not None:
            return unit
    return DEFAULT


def unit_above(lines: list[Line], y: float, page: int, book: PatternBook, max_chars: int = 30) -> Unit:
    """The unit of the short unit line nearest above ``y`` on ``page`` (sentences are skipped)."""
    above = [line for line in lines if line.page == page and line.y1 <= y + 1]
    for line in reversed(above):
        if len(line.compact) > max_chars:
            continue
        unit = unit_of_text(line.text, book)
        if unit is not None:
            return unit
    return DEFAULT


_SENTENCE_END = rxcache.compile(r"[。；;]")
_HEADING = rxcache.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d{1,2}[、.](?!\d)|[(（]\d{1,2}[)）])")
_AMOUNT = rxcache.compile(r"\d[\d,]*\.\d{2}\b|\d{1,3}(?:,\d{3})+")
_FIGURE_WITH_UNIT = rxcache.compile(r"\d(?:[亿億万萬千]|百万|百萬)?元")


def table_unit(lines: list[Line], y: float, page: int, book: PatternBook, max_chars: int = 30) -> Unit:
    """The unit line of the table a row at ``y`` belongs to: looked for upward on ``page`` through the
    table's rows and headers, but not past a sentence or a numbered heading (a unit named in the text
    above, "销售额0万元，占…", belongs to that text, not to the table). Else 元."""
    above = [line for line in lines if line.page == page and line.y1 <= y + 1]
    for line in reversed(above):
        text = fold(line.text)
        if _SENTENCE_END.search(text) or (_HEADING.match(text) and not _AMOUNT.search(text)):
            break  # a numbered row of the table itself (1.研发人员 … 513) has figures; a heading has none
        if len(line.compact) > max_chars or _FIGURE_WITH_UNIT.search(text):
            continue  # a cell such as 32亿元 (an approved amount) is a figure, not the unit line
        unit = unit_of_text(line.text, book)
        if unit is not None:
            return unit
    return DEFAULT
