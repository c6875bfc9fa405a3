"""Arithmetic tie-out of a CAS income statement read: the printed subtotals must equal the lines read.

Takes the rows of a statement region and the item matches, and gives per period column one
:class:`TieOut` per subtotal found: 营业总成本 / total operating costs (the cost lines under it),
营业利润 / operating profit (revenue − costs ± the 加 lines) and 利润总额 / total profit (operating
profit + 营业外收入 − 营业外支出). A failed tie-out says a line was misread, a column mixed up or a
row lost, so the pipeline lowers the figures' confidence and raises a quality flag; a read whose
subtotals tie out is preferred over one whose do not. The label rules (addition / deduction
prefixes, sub-lines) live in patterns/labels.yaml.

Statements that print expenses as deductions (HK / IFRS / US GAAP) are tied out from revenue down to
profit before tax, each subtotal read as a running total (gross profit, operating profit) or a block
total (total operating expenses): :func:`_running_tieout`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..model import Figure, Flag
from ..patternbook import PatternBook
from ..tables.amounts import parse_amount
from ..tables.labels import fold, normalise_label
from ..tables.rows import Row
from .items import ItemsRead

ZERO = Decimal(0)


@dataclass
class TieOut:
    name: str  # total_operating_costs | operating_profit | total_profit
    period: str
    column: str
    printed: Decimal  # as printed (before the unit multiplier)
    computed: Decimal
    passed: bool
    page: int  # 1-based, the subtotal's page
    terms: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # id() of the rows summed and of the subtotal (not in JSON)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "period": self.period, "column": self.column, "printed": float(self.printed),
                "computed": float(self.computed), "difference": float(self.printed - self.computed),
                "passed": self.passed, "page": self.page, "terms": self.terms}

    def why(self) -> str:
        return (f"tie-out failed: {self.name} printed {self.printed:,} on page {self.page} but the lines read "
                f"give {self.computed:,} ({self.column})")


def label_is(book: PatternBook, concept: str, text: str) -> bool:
    """Does ``text`` (a folded or normalised label) match the labels.yaml concept?"""
    return book.concept("labels", concept).search(text) is not None


def sub_lines(labels: list[tuple[str, str]], book: PatternBook, further: str,
              heads: Callable[[int], bool] = lambda i: False) -> list[bool]:
    """Which rows are parts of the line above: a 其中 line (其中：利息费用, with or without amounts), and
    after it the lines the ``further`` labels.yaml concept names, printed without their own 其中
    (利息收入 under 财务费用; 应收股利 under 其他应收款). ``labels`` are (folded, normalised) labels in
    the statement's order; ``heads(i)``: row i is a 其中 line that heads a list of its own
    (其中：营业成本 under 营业总成本) and is no part."""
    out: list[bool] = []
    in_sub = False
    for i, (raw, norm) in enumerate(labels):
        if label_is(book, "tie_subline", raw) and not heads(i):
            in_sub = True
            out.append(True)
        elif in_sub and label_is(book, further, norm):
            out.append(True)
        else:
            in_sub = False
            out.append(False)
    return out


def _value(row: Row, period: str) -> Decimal:
    col = row.layout.pick(period)
    text = row.cell_text(col) if col is not None else None
    if text is None:
        return ZERO
    p = parse_amount(text)
    return ZERO if p is None or p.value is None else p.value


def decimals(row: Row, period: str) -> int:
    """Decimal places printed in ``period``'s cell of ``row`` (the tie-out's tolerance)."""
    col = row.layout.pick(period)
    text = (row.cell_text(col) if col is not None else None) or ""
    return len(text.rsplit(".", 1)[1]) if "." in text else 0


def tie_out(rows: list[Row], items: ItemsRead, book: PatternBook) -> list[TieOut]:
    """Every subtotal check that this statement's rows allow, per period column."""
    if not rows:
        return []
    if items.deduction_style:
        return _running_tieout(rows, items, book)
    concept_of: dict[int, str] = {}
    for name, ms in items.matches.items():
        for m in ms:
            concept_of.setdefault(id(m.row), name)
    # label-only rows stay in the sequence: a 其中： heading without amounts still opens its sub-lines
    amount_rows = [r for r in rows if r.label]
    raw = [fold(r.label) for r in amount_rows]
    norm = [normalise_label(r.label, book) for r in amount_rows]

    def first(pred: Any, start: int = 0) -> int | None:
        return next((i for i in range(start, len(amount_rows)) if pred(i)), None)

    i_tc = first(lambda i: label_is(book, "tie_total_costs", norm[i]))
    i_op = first(lambda i: concept_of.get(id(amount_rows[i])) == "operating_profit")
    i_tp = first(lambda i: concept_of.get(id(amount_rows[i])) == "total_profit")
    i_rev = first(lambda i: concept_of.get(id(amount_rows[i])) == "total_revenue")
    if i_rev is None:
        i_rev = first(lambda i: concept_of.get(id(amount_rows[i])) == "revenue")
    if i_op is None or i_rev is None or i_rev > i_op or (i_tc is not None and not i_rev < i_tc < i_op):
        return []
    i_add = first(lambda i: label_is(book, "tie_addition", raw[i]), (i_tc if i_tc is not None else i_rev) + 1)
    if i_add is None or i_add > i_op:
        i_add = i_op

    # 其中 sub-lines (and a finance line's interest parts) are parts of the line above, except
    # 其中：营业成本, which heads the list of costs under 营业总成本
    part = sub_lines(list(zip(raw, norm, strict=True)), book, "tie_finance_subline",
                     lambda i: i == (i_tc if i_tc is not None else i_rev) + 1
                     and concept_of.get(id(amount_rows[i])) == "operating_cost")

    def cost_terms(lo: int, hi: int) -> list[int]:
        """The cost lines in rows lo..hi-1."""
        return [i for i in range(lo, hi) if not part[i] and amount_rows[i].cells]

    def signed_terms(lo: int, hi: int) -> list[tuple[int, int]]:
        return [(i, -1 if label_is(book, "tie_deduction", raw[i]) else 1) for i in range(lo, hi)
                if not part[i] and amount_rows[i].cells]

    results: list[TieOut] = []
    layout = amount_rows[i_op].layout
    for period in ("current", "prior"):
        col = layout.pick(period)
        if col is None:
            continue
        header = layout.columns[col].header
        period = str(period)

        def check(name: str, at: int, computed: Decimal, terms: list[int], period: str = period,
                  header: str = header) -> None:
            total_row = amount_rows[at]
            printed = _value(total_row, period)
            places = max([decimals(total_row, period)] + [decimals(amount_rows[i], period) for i in terms])
            tol = Decimal(1).scaleb(-places) * (len(terms) + 1) / 2
            results.append(TieOut(name, period, header, printed, computed, abs(printed - computed) <= tol,
                                  total_row.page + 1, [amount_rows[i].label for i in terms]))

        if i_tc is not None:
            terms = cost_terms(i_tc + 1, i_add)
            if terms:
                check("total_operating_costs", i_tc, sum((_value(amount_rows[i], period) for i in terms), ZERO), terms)
            costs = _value(amount_rows[i_tc], period)
            start = i_tc
        else:
            terms = cost_terms(i_rev + 1, i_add)
            costs = sum((_value(amount_rows[i], period) for i in terms), ZERO)
            start = i_rev
        plus = signed_terms(i_add, i_op)
        op = _value(amount_rows[i_rev], period) - costs + sum((s * _value(amount_rows[i], period) for i, s in plus), ZERO)
        check("operating_profit", i_op, op, [i_rev, start] + [i for i, _ in plus] if i_tc is not None
              else [i_rev] + terms + [i for i, _ in plus])
        if i_tp is not None and i_tp > i_op:
            between = signed_terms(i_op + 1, i_tp)
            tp = _value(amount_rows[i_op], period) + sum((s * _value(amount_rows[i], period) for i, s in between), ZERO)
            check("total_profit", i_tp, tp, [i_op] + [i for i, _ in between])
    return results


_RUNNING_SUBTOTALS = ("tie_gross_profit", "tie_total_expenses", "tie_operating_result", "tie_before_tax")


def _running_tieout(rows: list[Row], items: ItemsRead, book: PatternBook) -> list[TieOut]:
    """A statement that prints expenses as deductions (HK / IFRS / US GAAP): from revenue down to
    profit before tax, each subtotal is either a running total (the last running subtotal plus the
    lines since: gross profit, operating profit) or a block total (the lines since the last subtotal:
    total operating expenses, which the next running total then adds). Costs printed in parentheses
    add as negatives; a block of costs printed as positive amounts is subtracted by the running total
    after it."""
    found = items.matches.get("revenue")
    if not found:
        return []
    revenue = found[0]
    amount_rows = [r for r in rows if r.label and r.cells]
    start = next((i for i, r in enumerate(amount_rows) if r is revenue.row), None)
    if start is None:
        return []
    results: list[TieOut] = []
    for period in ("current", "prior"):
        col = amount_rows[start].layout.pick(period)
        if col is None:
            continue
        header = amount_rows[start].layout.columns[col].header
        # revenue opens the running total (a statement may list revenue lines above their total)
        running, block, terms = _value(amount_rows[start], period), ZERO, [amount_rows[start]]
        for r in amount_rows[start + 1:]:
            norm = fold(r.label)
            kind = next((c for c in _RUNNING_SUBTOTALS if label_is(book, c, norm)), None)
            v = _value(r, period)
            places = max([decimals(r, period)] + [decimals(t, period) for t in terms])
            if kind is None:
                if len(terms) >= 2 and v and abs(v - block) <= Decimal(1).scaleb(-places) * len(terms) / 2:
                    block = v  # an unlabelled total of the lines above it (Cost of revenues under its parts)
                else:
                    block += v
                terms.append(r)
                continue
            tol = Decimal(1).scaleb(-places) * (len(terms) + 2) / 2
            as_running = [running + block, running - block] if block else [running]
            if any(abs(v - c) <= tol for c in as_running):
                computed, passed = next(c for c in as_running if abs(v - c) <= tol), True
                running, block = v, ZERO
            elif abs(v - block) <= tol:
                computed, passed = block, True
                block = v  # the lines are summed up in this row; the next running total adds it
            else:
                computed, passed = running + block, False
                running, block = v, ZERO
            results.append(TieOut(kind.removeprefix("tie_"), period, header, v, computed, passed, r.page + 1,
                                  [t.label for t in terms], [id(t) for t in terms] + [id(r)]))
            terms = []
            if kind == "tie_before_tax":
                break
    return results


def lift_ambiguous(figures: dict[str, dict[str, Figure | None]], items: ItemsRead, results: list[TieOut]) -> None:
    """A figure whose label also matched other lines (a breakdown of share-based compensation below
    the statement) regains its confidence when its own row is a term of a subtotal that ties out."""
    for item, per in figures.items():
        chosen = items.matches.get(item) or []
        if not chosen:
            continue
        row_id = id(chosen[0].row)
        for period, fig in per.items():
            if fig is None or not any("more line(s) match" in n for n in fig.notes):
                continue
            ties = [t for t in results if t.period == period]
            if ties and all(t.passed for t in ties) and any(row_id in t.rows for t in ties):
                fig.confidence = min(0.99, fig.confidence / 0.85)
                fig.notes.append("its row is a term of the statement's subtotals, which tie out: the other lines "
                                 "lie outside the statement's arithmetic")


def apply_tieout(figures: dict[str, dict[str, Figure | None]], results: list[TieOut], cap: float) -> list[Flag]:
    """Lower the confidence of every statement figure of a period whose subtotals do not tie out
    (below ``cap``), say why in its notes, and give one quality flag per failed subtotal."""
    flags: list[Flag] = []
    for t in results:
        if t.passed:
            continue
        for per in figures.values():
            f = per.get(t.period)
            if f is not None and f.source == "income_statement":
                f.confidence = min(f.confidence, cap)
                f.notes.append(t.why())
        flags.append(Flag("tieout_failed", "medium", t.why() + ": a line may be misread or a row lost",
                          {"subtotal": t.name, "period": t.period, "column": t.column, "printed": float(t.printed),
                           "computed": float(t.computed), "page": t.page, "terms": t.terms}, kind="quality"))
    return flags


def sheet_tieout_flags(sheets: dict[str, Any]) -> list[Flag]:
    """One quality flag per failed subtotal of the balance sheet or cash-flow statement read whole."""
    flags: list[Flag] = []
    for kind, sheet in sheets.items():
        for t in sheet.tieouts:
            if not t.passed:
                flags.append(Flag("tieout_failed", "low", f"{kind.replace('_', ' ')} " + t.why()
                                  + ": a line may be misread or a row lost",
                                  {"statement": kind, "subtotal": t.name, "period": t.period, "column": t.column,
                                   "printed": float(t.printed), "computed": float(t.computed), "page": t.page,
                                   "terms": t.terms}, kind="quality"))
    return flags
