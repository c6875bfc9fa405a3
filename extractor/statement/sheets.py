"""The balance sheet and the cash-flow statement read whole, and proved by their own arithmetic.

Takes the lines of one consolidated statement (from its title to the next statement's title, over
page breaks) and gives a :class:`Sheet`: every row (wrapped labels joined, label-only rows kept,
note references apart, each period's amount with page and box), the unit, and the tie-out of the
statement's printed subtotals:

- balance sheet: 资产总计 = 流动资产合计 + 非流动资产合计; 负债合计 = 流动负债合计 + 非流动负债合计;
  负债和所有者权益总计 = 负债合计 + 所有者权益合计; 资产总计 = 负债和所有者权益总计; and on a CAS
  sheet each section total against its lines (流动资产合计 = the current-asset lines, 其中 sub-lines
  apart, 减：库存股 negative) and 所有者权益合计 = 归属于母公司所有者权益合计 + 少数股东权益;
- cash flow: each activity's 现金流入小计 and 现金流出小计 = the lines above it in its block (其中
  sub-lines are parts of the line above), and 现金流量净额 = 流入小计 − 流出小计.

The row labels that name subtotals live in patterns/labels.yaml (``bs_*``, ``cf_*``); the lines the
flags need (销售商品、提供劳务收到的现金, 应收账款) are picked from these rows by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import rxcache
from ..patternbook import PatternBook
from ..read.document import Line
from ..tables.amounts import parse_amount
from ..tables.labels import fold, normalise_label
from ..tables.rows import Layout, Row, build_rows
from ..tables.units import Unit, find_unit
from .tieout import TieOut, decimals, label_is, sub_lines

ZERO = Decimal(0)
_HEADING = rxcache.compile(r"^[一二三四五六七八九十]+[、.．]|[:：]$")

# (name, total, parts): a printed total that must equal the sum of printed subtotals
_BALANCE_CHECKS = (
    ("total_assets", "bs_total_assets", ("bs_current_assets", "bs_noncurrent_assets")),
    ("total_liabilities", "bs_total_liabilities", ("bs_current_liabilities", "bs_noncurrent_liabilities")),
    ("total_liabilities_and_equity", "bs_total_liabilities_equity", ("bs_total_liabilities", "bs_total_equity")),
    ("assets_equal_liabilities_and_equity", "bs_total_assets", ("bs_total_liabilities_equity",)),
)


@dataclass
class Sheet:
    kind: str  # balance_sheet | cash_flow
    title: str
    pages: list[int]  # 0-based
    rows: list[Row]
    layouts: list[Layout]
    unit: Unit
    tieouts: list[TieOut] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "pages": [p + 1 for p in self.pages], "unit": self.unit.unit,
                "multiplier": int(self.unit.multiplier), "rows": rows_json(self.rows, self.unit),
                "tieout": [t.to_json() for t in self.tieouts]}


def rows_json(rows: list[Row], unit: Unit) -> list[dict[str, Any]]:
    """Every row as read: label, note, page, box, and per period the amount printed and in yuan."""
    out = []
    for r in rows:
        if not r.label and not r.cells:
            continue
        row: dict[str, Any] = {"label": r.label, "note": r.note, "page": r.page + 1,
                               "bbox": [round(v, 1) for v in r.bbox]}
        for period in ("current", "prior"):
            col = r.layout.pick(period)
            text = r.cell_text(col) if col is not None else None
            parsed = parse_amount(text) if text else None
            box = r.cell_bbox(col) if col is not None else None
            row[period] = None if text is None else {
                "printed": text, "value": (float(parsed.value * unit.multiplier)
                                           if parsed is not None and parsed.value is not None else None),
                "bbox": [round(v, 1) for v in box] if box else None}
        out.append(row)
    return out


def read_sheet(kind: str, lines: list[Line], book: PatternBook, fallback: Unit,
               header: Callable[[Line], Layout | None] | None = None) -> Sheet | None:
    """``lines``: the statement's title line first, then its lines in reading order."""
    if not lines:
        return None
    rows, layouts = build_rows(lines[1:], book, header)
    if not layouts:
        return None
    unit = find_unit(lines[:8], book)
    if not unit.found and fallback.found:
        unit = fallback  # one report, one unit: the income statement's serves its neighbours
    sheet = Sheet(kind, lines[0].text.strip(), sorted({ln.page for ln in lines}), rows, layouts, unit)
    sheet.tieouts = (_balance_tieout(rows, book) + _section_tieout(rows, book) if kind == "balance_sheet"
                     else _cash_flow_tieout(rows, book))
    return sheet


def _value(row: Row, period: str) -> Decimal | None:
    col = row.layout.pick(period)
    text = row.cell_text(col) if col is not None else None
    if text is None:
        return None
    p = parse_amount(text)
    return None if p is None else (p.value if p.value is not None else ZERO)


def _check(name: str, period: str, total: Row, parts: list[tuple[Row, int]], out: list[TieOut]) -> None:
    printed = _value(total, period)
    values = [(_value(r, period), sign) for r, sign in parts]
    if printed is None or not parts:
        return
    computed = sum(((v or ZERO) * s for v, s in values), ZERO)
    places = max([decimals(total, period)] + [decimals(r, period) for r, _ in parts])
    tol = Decimal(1).scaleb(-places) * (len(parts) + 1) / 2
    col = total.layout.pick(period)
    header = total.layout.columns[col].header if col is not None else ""
    out.append(TieOut(name, period, header, printed, computed, abs(printed - computed) <= tol, total.page + 1,
                      [r.label for r, _ in parts]))


def _balance_tieout(rows: list[Row], book: PatternBook) -> list[TieOut]:
    by_concept: dict[str, Row] = {}
    for r in rows:
        if not r.label or not r.cells:
            continue
        norm = normalise_label(r.label, book)
        for _name, total, parts in _BALANCE_CHECKS:
            for concept in (total, *parts):
                if concept not in by_concept and label_is(book, concept, norm):
                    by_concept[concept] = r
    out: list[TieOut] = []
    for period in ("current", "prior"):
        for name, total, parts in _BALANCE_CHECKS:
            if total in by_concept and all(p in by_concept for p in parts):
                _check(name, period, by_concept[total], [(by_concept[p], 1) for p in parts], out)
    return out


def _section_tieout(rows: list[Row], book: PatternBook) -> list[TieOut]:
    """A CAS balance sheet's sections against their lines: 流动资产合计 = the current-asset lines, and so
    on; 其中 sub-lines (其中：应收利息, then 应收股利) are parts of the line above, 减：库存股 counts
    negative; 所有者权益合计 = 归属于母公司所有者权益合计 + 少数股东权益. Any total, or a heading, starts
    the next section's lines."""
    out: list[TieOut] = []
    lines: list[tuple[Row, int]] = []
    parent: Row | None = None
    minority: Row | None = None
    labels = _labels(rows, book)
    part = sub_lines(labels, book, "bs_subline")
    for r, (raw, norm), sub in zip(rows, labels, part, strict=True):
        if sub:
            continue  # 其中：应收利息, and 应收股利 after it: parts of 其他应收款
        if not r.cells:
            if _HEADING.search(raw):
                lines = []
            continue  # a line printed without amounts (结算备付金) adds nothing
        if label_is(book, "bs_section_total", norm):
            for period in ("current", "prior"):
                _check(f"{_section_name(norm, book)}_lines", period, r, lines, out)
            if label_is(book, "bs_parent_equity", norm):
                parent = r
            lines = []
            continue
        if any(label_is(book, c, norm) for c in ("bs_total_assets", "bs_total_liabilities",
                                                  "bs_total_liabilities_equity")):
            lines = []
            continue
        if label_is(book, "bs_total_equity", norm):
            if parent is not None and minority is not None:
                for period in ("current", "prior"):
                    _check("total_equity", period, r, [(parent, 1), (minority, 1)], out)
            lines = []
            continue
        if label_is(book, "bs_minority", norm):
            minority = r
        lines.append((r, -1 if label_is(book, "tie_deduction", raw) else 1))
    return out


def _section_name(norm: str, book: PatternBook) -> str:
    for concept, name in (("bs_parent_equity", "parent_equity"), ("bs_noncurrent_assets", "noncurrent_assets"),
                          ("bs_current_assets", "current_assets"), ("bs_noncurrent_liabilities", "noncurrent_liabilities"),
                          ("bs_current_liabilities", "current_liabilities")):
        if label_is(book, concept, norm):
            return name
    return "section"


def _cash_flow_tieout(rows: list[Row], book: PatternBook) -> list[TieOut]:
    """Per activity block: inflow and outflow subtotals against their lines, net against both."""
    out: list[TieOut] = []
    inflow: Row | None = None
    outflow: Row | None = None
    lines: list[tuple[Row, int]] = []  # the lines since the last subtotal or heading
    labels = _labels(rows, book)
    part = sub_lines(labels, book, "tie_finance_subline")
    for r, (raw, norm), sub in zip(rows, labels, part, strict=True):
        if not r.cells:
            if _HEADING.match(raw):
                lines = []  # 二、投资活动产生的现金流量： opens a new block
            continue  # a line printed without amounts (客户存款和同业存放款项净增加额) adds nothing
        subtotal = "inflow" if label_is(book, "cf_inflow_subtotal", norm) else \
            "outflow" if label_is(book, "cf_outflow_subtotal", norm) else None
        if subtotal:
            for period in ("current", "prior"):
                _check(f"{subtotal}_subtotal", period, r, lines, out)
            if subtotal == "inflow":
                inflow = r
            else:
                outflow = r
            lines = []
            continue
        if label_is(book, "cf_net", norm):
            if inflow is not None and outflow is not None:
                for period in ("current", "prior"):
                    _check("net_cash_flow", period, r, [(inflow, 1), (outflow, -1)], out)
            inflow = outflow = None
            lines = []
            continue
        if not sub:
            lines.append((r, 1))
    return out


def _labels(rows: list[Row], book: PatternBook) -> list[tuple[str, str]]:
    """Each row's label folded, and normalised (empty for a row without a label)."""
    return [(fold(r.label), normalise_label(r.label, book) if r.label else "") for r in rows]
