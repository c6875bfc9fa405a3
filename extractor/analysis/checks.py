"""Cross-checks and R&D fallbacks: the statement against the notes and the MD&A.

Takes the report with its statement figures and gives (in place): a ``checks`` list on each
figure (what was compared, the other value and page, pass/fail), confidence lowered where a
check fails, R&D from the notes or the MD&A when the statement has no R&D line (labelled by
``source``), and ``rnd_investment`` (total R&D input, never substituted for ``rnd_expense``).

A figure read by OCR is checked the same way, and the checks weigh more: the notes and the MD&A
are in the text layer, so a check that finds the same value there, to the last printed digit,
confirms every digit OCR read, and the OCR discount (``ocr_confidence_factor``) is taken back; a
check that fails catches a misread digit (confidence lowered, ``cross_check_failed`` raised with
both values and pages). The value itself is never replaced by the other source's.
"""

from __future__ import annotations

from decimal import Decimal

from ..model import PERIODS, Check, Figure, Flag, Report
from ..patternbook import PatternBook
from ..read.document import Document
from ..sources.mdna import MdnaRead, read_mdna
from ..sources.notes import NoteOrder, NoteTable, find_note, note_number, row_value
from ..statement.table import StatementRead
from ..tables.labels import match_item
from ..tables.units import DEFAULT, Unit

# the expense notes sit within this many pages after the statements in the reports we have seen
NOTES_SCAN_PAGES = 150
NOTE_ITEMS = ("selling_expense", "rnd_expense", "admin_expense")
# confidence factors: the notes are audited and printed from the same ledger, the MD&A is not
FAIL_NOTES = 0.7
FAIL_MDNA = 0.8
FAIL_MDNA_AFTER_NOTES_PASS = 0.97
FROM_NOTES = 0.85
FROM_MDNA = 0.7


def _tolerance(*multipliers: Decimal) -> Decimal:
    # a table printed in 万元 agrees with one in 元 only to half its last printed unit
    return max([Decimal("0.01")] + [m / 2 for m in multipliers if m > 1])


def _agree(a: Decimal, b: Decimal, *multipliers: Decimal) -> bool:
    return abs(a - b) <= _tolerance(*multipliers)


def run_checks(report: Report, doc: Document, read: StatementRead, book: PatternBook) -> list[Flag]:
    stmt_end = read.region.pages[-1] + 1
    # the MD&A's R&D input and expense tables are CSRC formats, and their patterns CAS wording: other
    # reports print neither, and reading their MD&A (twenty to fifty pages) would find nothing
    mdna = read_mdna(doc, book, read.region.pages[0]) if read.region.cas else MdnaRead()
    notes: dict[str, NoteTable | None] = {}
    # where each note stands: the number the statement's 附注 column gives, and the statement's lines' order
    orders = {item: NoteOrder.of_rows(read.rows, ms[0].row, note_number(ms[0].row.note), book)
              for item, ms in read.items.matches.items() if ms}
    refs = {item: order.number for item, order in orders.items()}
    # a statement with a note column whose expense row cites no note has no breakdown to find
    has_note_column = any(r.note for r in read.rows)
    for item in NOTE_ITEMS:
        wanted = any(report.figures[item][p] for p in PERIODS) or item == "admin_expense"
        # an OCR'd note reference may be unreadable ("ES 56" for 七、56): look for the note by its heading
        ocr_read = any((f := report.figures[item][p]) is not None and f.ocr for p in PERIODS)
        if wanted and (refs.get(item) is not None or not has_note_column or ocr_read):
            notes[item] = find_note(doc, book, item, stmt_end, read.unit, max_pages=NOTES_SCAN_PAGES,
                                    order=orders.get(item))
    for item, note in notes.items():
        if note is not None:
            _resolve_note_unit(report, item, note, book)
    _orient(report, read, notes, book)
    _rnd_fallback(report, notes.get("admin_expense"), mdna, book)
    investment = mdna.investment_json()
    if investment:
        report.extra_figures["rnd_investment"] = investment
    flags: list[Flag] = []
    ocr_factor = float(book.value("ocr_confidence_factor"))
    for item in ("revenue", *NOTE_ITEMS):
        for period in PERIODS:
            fig = report.figures[item][period]
            if fig is None:
                continue
            if fig.source == "income_statement":
                _check_notes(fig, item, period, notes.get(item), book)
                _check_mdna_expense(fig, item, period, mdna)
                if item == "rnd_expense":
                    _check_mdna_rnd(fig, period, mdna)
            elif fig.source == "notes":
                _check_mdna_rnd(fig, period, mdna)
            if fig.ocr:
                _confirm_ocr(fig, ocr_factor)
            failed = [c for c in fig.checks if not c.passed and not _other_measure(c, fig)]
            if failed:
                flags.append(Flag(
                    "cross_check_failed", "medium",
                    f"{item} ({period}) {fig.value:,.2f} on page {fig.page} disagrees with "
                    + "; ".join(f"{c.name} {c.other_value:,.2f} on page {c.other_page}" for c in failed),
                    {"item": item, "period": period, "value": float(fig.value), "page": fig.page,
                     "checks": [c.to_json() for c in failed]}, kind="quality"))
    return flags


def _note_totals(note: NoteTable, unit: Unit, book: PatternBook) -> dict[str, Decimal]:
    total = note.total_row(book)
    out: dict[str, Decimal] = {}
    for p in PERIODS:
        got = row_value(total, p, unit) if total is not None else None
        if got is not None:
            out[p] = got[0]
    return out


def _resolve_note_unit(report: Report, item: str, note: NoteTable, book: PatternBook) -> None:
    """A notes table that prints no unit of its own: 元 when its total ties to the statement line only
    in 元 (notes printed in 元 under a statement in 万元); else the statement's unit stays."""
    if note.unit_printed or note.unit.multiplier == 1:
        return
    figs = {p: f for p in PERIODS if (f := report.figures[item][p]) is not None and f.source == "income_statement"}
    if not figs:
        return
    as_is, in_yuan = _note_totals(note, note.unit, book), _note_totals(note, DEFAULT, book)
    agree = lambda totals: sum(1 for p, f in figs.items() if p in totals and _agree(f.value, totals[p], f.multiplier))
    if agree(in_yuan) > agree(as_is):
        note.unit = DEFAULT


def _orient(report: Report, read: StatementRead, notes: dict[str, NoteTable | None], book: PatternBook) -> None:
    """When the statement's header did not say which column is the current year (columns inferred),
    let the notes' totals, whose headers do (本期 / 上期, current / prior year), decide: if the
    statement's columns match the notes only crosswise, swap the periods of every statement figure."""
    if not read.layouts or read.layouts[0].source != "inferred":
        return
    straight = crossed = 0
    for item, note in notes.items():
        if note is None:
            continue
        totals = _note_totals(note, note.unit, book)
        cur, pri = report.figures[item]["current"], report.figures[item]["prior"]
        if cur is None or pri is None or len(totals) < 2 or cur.value == pri.value:
            continue
        if _agree(cur.value, totals["current"], cur.multiplier) and _agree(pri.value, totals["prior"], pri.multiplier):
            straight += 1
        elif _agree(cur.value, totals["prior"], cur.multiplier) and _agree(pri.value, totals["current"], pri.multiplier):
            crossed += 1
    if not crossed or straight:
        return
    for per in report.figures.values():
        cur, pri = per["current"], per["prior"]
        if (cur is None or cur.source == "income_statement") and (pri is None or pri.source == "income_statement"):
            per["current"], per["prior"] = pri, cur
            for f in (cur, pri):
                if f is not None:
                    f.notes.append(f"columns oriented by the notes: {crossed} note total(s) match the statement "
                                   "with the first column as the prior year")
    statement = report.statement or {}
    for c in statement.get("columns", []):
        c["period"] = {"current": "prior", "prior": "current"}.get(c["period"], c["period"])
    for t in statement.get("tieout", []):
        t["period"] = {"current": "prior", "prior": "current"}.get(t["period"], t["period"])
    years = [c.get("year") for c in statement.get("columns", []) if c.get("period") == "current" and c.get("year")]
    if years:
        report.fiscal_year = years[0]


def _adjust(fig: Figure, check: Check, factor: float) -> None:
    fig.checks.append(check)
    if not check.passed:
        fig.confidence *= factor
        fig.notes.append(f"check {check.name} failed: {check.detail}")


def _check_notes(fig: Figure, item: str, period: str, note: NoteTable | None, book: PatternBook) -> None:
    if note is None:
        return
    total = note.total_row(book)
    got = row_value(total, period, note.unit) if total is not None else None
    if total is None or got is None:
        return
    value, printed, _bbox = got
    ok = _agree(fig.value, value, fig.multiplier, note.unit.multiplier)
    detail = (f"notes {note.heading.text.strip()!r} total {printed} on page {total.page + 1}"
              + (" equals the statement line" if ok else f" differs from the statement's {fig.printed}"))
    _adjust(fig, Check("notes_total", ok, value, total.page + 1, detail, printed), FAIL_NOTES)


def _confirm_ocr(fig: Figure, ocr_factor: float) -> None:
    """An OCR'd figure that the text layer prints with the same value (a check passed on equal
    values, not within a coarser unit's rounding) has every digit confirmed: the OCR discount goes."""
    same = [c for c in fig.checks if c.passed and c.other_value == fig.value]
    if same and 0 < ocr_factor < 1:
        fig.confidence = min(0.99, fig.confidence / ocr_factor)
        fig.notes.append(f"OCR reading confirmed by the text layer ({', '.join(f'{c.name} page {c.other_page}' for c in same)}): "
                         f"the OCR discount x{ocr_factor:g} is taken back")
    elif any(not c.passed for c in fig.checks):
        fig.notes.append("the text layer prints another value: a digit may be misread by OCR; check the page")


def _notes_passed(fig: Figure) -> bool:
    return any(c.name == "notes_total" and c.passed for c in fig.checks)


def _check_mdna_expense(fig: Figure, item: str, period: str, mdna: MdnaRead) -> None:
    other = mdna.expenses.get(item, {}).get(period)
    if other is None:
        return
    ok = _agree(fig.value, other.value, fig.multiplier, other.multiplier)
    detail = (f"MD&A expense table {other.label!r} {other.printed} on page {other.page}"
              + (" agrees" if ok else " differs"))
    factor = FAIL_MDNA_AFTER_NOTES_PASS if _notes_passed(fig) else FAIL_MDNA
    _adjust(fig, Check("mdna_expense_table", ok, other.value, other.page, detail, other.printed), factor)


# the same measure as the statement line, printed elsewhere: the notes' total, the MD&A expense table
LIKE_FOR_LIKE = ("notes_total", "mdna_expense_table")


def _other_measure(check: Check, fig: Figure) -> bool:
    """A failed R&D input check on a figure that a like-for-like source confirms: the MD&A's expensed
    R&D input is management's measure (it may include R&D booked in production cost, 列入生产成本的
    研发支出), so the difference is a disclosure, recorded on the figure, not a reading problem."""
    return check.name == "mdna_rnd_input" and any(c.passed for c in fig.checks if c.name in LIKE_FOR_LIKE)


def _check_mdna_rnd(fig: Figure, period: str, mdna: MdnaRead) -> None:
    """R&D expense against the MD&A R&D input: comparable only for the expensed part."""
    exp = mdna.rnd_part("expensed", period)
    cap = mdna.rnd_part("capitalised", period)
    total = mdna.rnd_part("total", period)
    if exp is not None:
        other, how = exp, "expensed R&D input"
        value = exp.value
    elif total is not None and cap is not None:
        other, how = total, "R&D input minus capitalised part" if cap.value else "R&D input (nothing capitalised)"
        value = total.value - cap.value
    else:
        return
    ok = _agree(fig.value, value, fig.multiplier, other.multiplier)
    detail = f"MD&A {how} {value:,.2f} on page {other.page}" + (" agrees" if ok else
                                                                " differs (R&D input may include R&D booked in costs)")
    factor = FAIL_MDNA_AFTER_NOTES_PASS if _notes_passed(fig) else FAIL_MDNA
    _adjust(fig, Check("mdna_rnd_input", ok, value, other.page, detail, other.printed), factor)


def _rnd_fallback(report: Report, admin_note: NoteTable | None, mdna: MdnaRead, book: PatternBook) -> None:
    """R&D not on the statement: the notes' 管理费用 breakdown, else the MD&A expensed part."""
    if any(report.figures["rnd_expense"][p] for p in PERIODS):
        return
    row = admin_note.find_row("rnd_in_admin", book) if admin_note is not None else None
    for period in PERIODS:
        got = row_value(row, period, admin_note.unit) if row is not None and admin_note is not None else None
        col = row.layout.pick(period) if row is not None else None
        if got is not None and row is not None and admin_note is not None and col is not None:
            value, printed, bbox = got
            report.figures["rnd_expense"][period] = Figure(
                value, printed, row.page + 1, bbox, row.label, "notes",
                _pattern_id(row.label, book), FROM_NOTES, admin_note.unit.unit, admin_note.unit.multiplier,
                row.layout.columns[col].header,
                notes=[("no R&D line on the income statement: R&D inside administrative expenses, "
                        f"note {admin_note.heading.text.strip()!r}")])
            continue
        expensed = mdna.expensed(period)
        if expensed is None:
            continue
        value, how = expensed
        src = mdna.rnd_part("expensed", period) or mdna.rnd_part("total", period)
        if src is None:  # pragma: no cover - expensed() needs one of the two
            continue
        report.figures["rnd_expense"][period] = Figure(
            value, src.printed, src.page, src.bbox, src.label, "mdna", "mdna/rnd_expensed", FROM_MDNA, "元",
            Decimal(1), "", notes=[f"no R&D line on the income statement or in the notes: MD&A {how}"])


def _pattern_id(label: str, book: PatternBook) -> str:
    m = match_item(label, book, ("breakdown",))
    return m[1].id if m else "notes"
