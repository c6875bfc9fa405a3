"""Match rows to line items, choose among candidates and turn the chosen cells into figures.

Takes the rows of a statement region, its column layouts and unit, and gives per item and
period a :class:`~extractor.model.Figure` (or ``None``) plus every candidate considered, with
the reason it won or lost (for `extractor explain`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..model import ITEMS, PERIODS, Candidate, Figure
from ..patternbook import Concept, Pattern, PatternBook
from ..tables.amounts import parse_amount
from ..tables.labels import fold, match_item, normalise_label
from ..tables.rows import Row
from ..tables.units import Unit

EXPENSES = ("selling_expense", "rnd_expense", "admin_expense")
# when the item itself is absent, these concepts stand in (with lower confidence)
FALLBACKS = {"revenue": ("total_revenue",)}
ROLE_FACTOR = {"consolidated": 1.0, "combined": 0.98, "plain": 0.85}


@dataclass
class Match:
    row: Row
    concept: Concept
    pattern: Pattern


@dataclass
class ItemsRead:
    figures: dict[str, dict[str, Figure | None]]
    candidates: list[Candidate] = field(default_factory=list)
    matches: dict[str, list[Match]] = field(default_factory=dict)
    deduction_style: bool = False
    blanks: list[tuple[str, str, int, str]] = field(default_factory=list)  # item, period, page, label: printed nothing
    # item, period, page, label, printed: the cell holds text that is not one amount (two amounts, or an
    # amount run into header words: something displaced onto the row), so no figure is read from it
    unreadable: list[tuple[str, str, int, str, str]] = field(default_factory=list)


def match_rows(rows: list[Row], book: PatternBook) -> tuple[dict[str, list[Match]], list[Candidate]]:
    found: dict[str, list[Match]] = {}
    rejected: list[Candidate] = []
    targets = {c.name for c in book.by_role("items", "target")}
    for row in rows:
        if not row.label or not row.cells:  # a label-only row (其中：… heading) holds no figure
            continue
        m = match_item(row.label, book, ("target", "neighbour"))
        if m is not None:
            found.setdefault(m[0].name, []).append(Match(row, m[0], m[1]))
            continue
        # an excluded near miss is worth showing to pattern writers
        norm = normalise_label(row.label, book)
        for name in targets:
            concept = book.concept("items", name)
            p = concept.match_full(norm)
            if p is not None:
                ex = concept.excluded(fold(row.label))
                rejected.append(Candidate(name, row.page + 1, row.label, p.id, 0.0,
                                          f"rejected: excluded by {ex.id if ex else '?'} ({ex.source if ex else ''})"))
    return found, rejected


def _deduction_style(matches: dict[str, list[Match]], rows: list[Row]) -> bool:
    """Are expenses printed as negatives (HK / US style) in this statement?"""
    neg = pos = 0
    for name in ("operating_cost", *EXPENSES):
        for m in matches.get(name, []):
            for words in m.row.cells.values():
                p = parse_amount("".join(w.text for w in words))
                if p is None or p.value is None or p.value == 0:
                    continue
                if p.negative:
                    neg += 1
                else:
                    pos += 1
    return neg > pos


def read_items(rows: list[Row], unit: Unit, role: str, book: PatternBook) -> ItemsRead:
    matches, rejected = match_rows(rows, book)
    result = ItemsRead({item: {p: None for p in PERIODS} for item in ITEMS}, rejected, matches)
    result.deduction_style = _deduction_style(matches, rows)
    for item in ITEMS:
        chosen = matches.get(item, [])
        note = None
        if not chosen:
            for alt in FALLBACKS.get(item, ()):
                if matches.get(alt):
                    chosen = matches[alt]
                    note = f"no {item} line; used {chosen[0].row.label!r} (equal for non-financial firms)"
                    break
        for i, m in enumerate(chosen):
            decision = "chosen" if i == 0 else "rejected: a line higher up in the statement matched first"
            result.candidates.append(Candidate(item, m.row.page + 1, m.row.label, m.pattern.id, m.pattern.score, decision))
        if not chosen:
            continue
        first = chosen[0]
        for period in PERIODS:
            fig = _to_figure(item, period, first, unit, role, result.deduction_style)
            if fig is None:
                col = first.row.layout.pick(period)
                printed = first.row.cell_text(col) if col is not None else None
                if col is not None and printed is None and first.row.cells:
                    result.blanks.append((item, period, first.row.page + 1, first.row.label))
                elif printed is not None:
                    result.unreadable.append((item, period, first.row.page + 1, first.row.label, printed))
                continue
            if note:
                fig.notes.append(note)
                fig.confidence *= 0.9
            if len(chosen) > 1:
                others = {(_to_figure(item, period, m, unit, role, result.deduction_style) or fig).value for m in chosen[1:]}
                if others - {fig.value}:
                    fig.notes.append(f"{len(chosen) - 1} more line(s) match this item with other values")
                    fig.confidence *= 0.85
            result.figures[item][period] = fig
    return result


def _to_figure(item: str, period: str, m: Match, unit: Unit, role: str, deduction_style: bool) -> Figure | None:
    row = m.row
    layout = row.layout
    col = layout.pick(period)
    if col is None:
        return None
    printed = row.cell_text(col)
    notes: list[str] = []
    confidence = m.pattern.score * ROLE_FACTOR.get(role, 0.8)
    if layout.source == "inherited":
        confidence *= 0.98
    elif layout.source == "inferred":
        confidence *= 0.75
        notes.append(layout.reasons[0] if layout.reasons else "columns inferred")
    if not unit.found:
        confidence *= 0.85
        notes.append("no unit line found: assumed 元")
    if role == "plain":
        notes.append("statement titled without 合并 (consolidated): read as the group statement")
    if printed is None:
        # the row is printed but this column holds nothing: no number (a dash or 0 would say zero); a
        # zero here could flip the ratio, so the pipeline flags it instead (blank_cell)
        return None
    else:
        parsed = parse_amount(printed)
        if parsed is None:
            return None
        bbox = row.cell_bbox(col) or row.bbox
        if parsed.value is None:
            value = Decimal(0)
            notes.append(f"printed {printed!r}: nil, read as zero")
            confidence *= 0.97
        else:
            value = parsed.value * unit.multiplier
            if item in EXPENSES and value < 0:
                value = -value
                if not deduction_style:
                    confidence *= 0.6
                    notes.append("expense printed as negative in a statement that prints expenses as positive")
                else:
                    notes.append("printed as a deduction; reported as a positive amount spent")
            if not parsed.grouped and abs(parsed.value) >= 10000:
                confidence *= 0.9
                notes.append("amount printed without separators")
    col_info = layout.columns[col]
    return Figure(
        value=value, printed=printed, page=row.page + 1, bbox=bbox, label=row.label, source="income_statement",
        pattern=m.pattern.id, pattern_file=m.pattern.file, confidence=min(0.99, confidence), unit=unit.unit,
        multiplier=unit.multiplier, column=col_info.header, notes=notes, restated=col_info.restated,
    )
