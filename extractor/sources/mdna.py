"""Read the MD&A's R&D input table and expense table (管理层讨论与分析).

Takes the document and the statement's first page and gives :class:`MdnaRead`: R&D input
(研发投入合计 / 研发投入金额, its capitalised and expensed parts) and the MD&A's own expense
lines (费用分析), each with page and printed text. These are cross-check sources and the last
fallback for R&D; they are never substituted silently for statement figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import rxcache
from ..model import PERIODS
from ..patternbook import PatternBook
from ..read.document import Document, Line, Word
from ..tables.amounts import parse_amount
from ..tables.labels import fold, label_part, match_item, section_hit
from ..tables.rows import Layout, Row, build_rows
from ..tables.units import Unit, table_unit, unit_of_text

_RND_PAGE = rxcache.compile(r"研发投入|研發投入|费用化研发|研发支出")
_EXPENSE_TABLE = rxcache.compile(r"变动比例|同比增减|增减变动|变动幅度|重大变动说明")


@dataclass
class Value:
    value: Decimal
    printed: str
    page: int  # 1-based
    bbox: tuple[float, float, float, float]
    label: str
    multiplier: Decimal = Decimal(1)  # the table's unit (万元: 10,000): a rounded figure agrees within it

    def to_json(self) -> dict[str, Any]:
        return {"value": float(self.value), "printed": self.printed, "page": self.page,
                "bbox": [round(c, 1) for c in self.bbox], "label": self.label}


@dataclass
class MdnaRead:
    rnd: dict[str, dict[str, Value]] = field(default_factory=dict)  # part -> period -> Value
    expenses: dict[str, dict[str, Value]] = field(default_factory=dict)  # item -> period -> Value
    pages_read: list[int] = field(default_factory=list)
    layouts: list[Layout] = field(default_factory=list)  # the column headers the expense rows stand under

    def rnd_part(self, part: str, period: str) -> Value | None:
        return self.rnd.get(part, {}).get(period)

    def expensed(self, period: str) -> tuple[Decimal, str] | None:
        """The expensed R&D input: printed, or total minus capitalised."""
        exp = self.rnd_part("expensed", period)
        if exp is not None:
            return exp.value, "printed expensed part"
        total, cap = self.rnd_part("total", period), self.rnd_part("capitalised", period)
        if total is not None and cap is not None:
            return total.value - cap.value, "total R&D input minus capitalised part"
        return None

    def investment_json(self) -> dict[str, Any] | None:
        if not self.rnd:
            return None
        out: dict[str, Any] = {}
        for period in PERIODS:
            parts = {part: v.to_json() for part, per in self.rnd.items() if (v := per.get(period))}
            if not parts:
                out[period] = None
                continue
            exp = self.expensed(period)
            total = parts.get("total")
            out[period] = {
                "total": total["value"] if total else None,
                "capitalised": parts["capitalised"]["value"] if "capitalised" in parts else None,
                "expensed": float(exp[0]) if exp else None,
                "source": "mdna", "page": next(iter(parts.values()))["page"], "lines": parts,
            }
        return out


_PARTS = {"mdna_rnd_total": "total", "mdna_rnd_capitalised": "capitalised", "mdna_rnd_expensed": "expensed"}


def read_mdna(doc: Document, book: PatternBook, before_page: int, max_pages: int = 80) -> MdnaRead:
    """Scan the pages before the statements for the R&D input table and the expense table."""
    out = MdnaRead()
    limit = min(before_page, max_pages, doc.page_count)
    hinted = outline_hints(doc, book, limit)
    for index in hinted + [i for i in mdna_pages(doc, book, limit) if i not in hinted]:
        text = doc.text(index)
        wants_rnd = not out.rnd and _RND_PAGE.search(text)
        wants_exp = not out.expenses and _EXPENSE_TABLE.search(text) and "销售费用" in text
        if not (wants_rnd or wants_exp):
            continue
        out.pages_read.append(index)
        lines = doc.quick_lines(index)
        if index + 1 < doc.page_count and wants_rnd:
            lines = lines + doc.quick_lines(index + 1)  # the table's header and values may straddle pages
        if wants_rnd:
            _read_rnd(lines, book, out)
        if wants_exp:
            _read_expenses(lines, book, out)
        if out.rnd and out.expenses:
            break
    return out


def _single_values(lines: list[Line]) -> Iterator[tuple[str, Line, Word]]:
    """Single-column tables (SSE style): "本期费用化研发投入 131,573,981.20"."""
    for line in lines:
        label = label_part(line.text)
        nums = [w for w in line.words if (p := parse_amount(w.text)) is not None and p.grouped]
        if label and nums:
            yield label, line, nums[0]


def _row_values(row: Row, unit: Unit, *, nil_as_zero: bool) -> dict[str, Value]:
    """The row's current and prior amounts in yuan (positive: these are amounts spent)."""
    per: dict[str, Value] = {}
    for period in PERIODS:
        col = row.layout.pick(period)
        text = row.cell_text(col) if col is not None else None
        p = parse_amount(text) if text else None
        if col is None or text is None or p is None or (p.value is None and not nil_as_zero):
            continue
        per[period] = Value(abs(p.value or Decimal(0)) * unit.multiplier, text, row.page + 1,
                            row.cell_bbox(col) or row.bbox, row.label, unit.multiplier)
    return per


def _read_rnd(lines: list[Line], book: PatternBook, out: MdnaRead) -> None:
    rows, _layouts = build_rows(lines, book)
    for row in rows:
        m = match_item(row.label, book, ("breakdown",)) if row.label and row.has_amounts else None
        if not m or m[0].name not in _PARTS or _PARTS[m[0].name] in out.rnd:
            continue
        unit = unit_of_text(row.label, book) or table_unit(lines, row.bbox[1], row.page, book)
        per = _row_values(row, unit, nil_as_zero=True)
        if per:
            out.rnd[_PARTS[m[0].name]] = per
    if out.rnd:
        return
    for label, line, word in _single_values(lines):
        m = match_item(label, book, ("breakdown",))
        p = parse_amount(word.text)
        if not m or m[0].name not in _PARTS or _PARTS[m[0].name] in out.rnd or p is None:
            continue
        unit = unit_of_text(label, book) or table_unit(lines, line.y0, line.page, book)
        out.rnd[_PARTS[m[0].name]] = {"current": Value((p.value or Decimal(0)) * unit.multiplier, word.text,
                                                       line.page + 1, (word.x0, word.y0, word.x1, word.y1), label,
                                                       unit.multiplier)}


def _read_expenses(lines: list[Line], book: PatternBook, out: MdnaRead) -> None:
    """The MD&A's table of statement lines (费用 / 利润表及现金流量表相关科目变动分析表). Revenue is
    taken only from a row under the same column header as the expense rows: a revenue-composition
    table (营业收入构成, amounts and shares) on the same page has other columns."""
    rows, layouts = build_rows(lines, book)
    if not layouts:
        return
    revenue: list[tuple[Row, dict[str, Value]]] = []
    for row in rows:
        if not row.label or not row.has_amounts:
            continue
        m = match_item(row.label, book, ("target",))
        if not m or m[0].name in out.expenses:
            continue
        per = _row_values(row, table_unit(lines, row.bbox[1], row.page, book), nil_as_zero=False)
        if not per:
            continue
        if m[0].name == "revenue":
            revenue.append((row, per))
            continue
        out.expenses[m[0].name] = per
        out.layouts.append(row.layout)
    for row, per in revenue:
        if any(row.layout is lay for lay in out.layouts):
            out.expenses["revenue"] = per
            break


def outline_hints(doc: Document, book: PatternBook, limit: int) -> list[int]:
    """Pages the outline gives for the expense and R&D input subsections ("3、费用", "4、研发投入"),
    each with the page after it (a table may start at a page's foot): read before the rest of the
    MD&A, whose pages are read in order only for what these did not hold."""
    concepts = [book.concept("statements", name) for name in ("mdna_expense_outline", "mdna_rnd_outline")
                if name in book.kind("statements")]
    pages: list[int] = []
    for _lvl, title, page in doc.outline:
        if 1 <= page <= limit and any(c.search(fold(title)) for c in concepts):
            pages.extend(p for p in (page - 1, page) if p < limit and p not in pages)
    return pages


def mdna_pages(doc: Document, book: PatternBook, limit: int) -> list[int]:
    """The MD&A's pages per the outline when it has the section, else every page before ``limit``."""
    outline = [(p - 1, title) for _lvl, title, p in doc.outline if p >= 1]
    for i, (start, title) in enumerate(outline):
        sec = section_hit(title, book)
        if sec is not None and sec.name == "mdna_section":
            later = [p for p, _t in outline[i + 1:] if p > start]
            # the next top-level section ends it; a long MD&A is still capped at ``limit``
            end = min(limit, max(later[:1] or [limit]) + 1)
            nxt = next((p for p, t in outline[i + 1:] if p > start and section_hit(t, book) is not None), None)
            if nxt is not None:
                end = min(limit, nxt + 1)
            return list(range(start, max(end, start + 1)))
    return list(range(limit))
