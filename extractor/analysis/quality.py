"""Extraction-quality flags: where an auditor should look before trusting a figure."""

from __future__ import annotations

from decimal import Decimal

from ..model import ITEMS, PERIODS, Flag, Report
from ..patternbook import PatternBook
from ..read.document import Document
from ..statement.table import StatementRead


def quality_flags(report: Report, doc: Document, read: StatementRead, book: PatternBook) -> list[Flag]:
    flags: list[Flag] = []
    floor = float(book.value("confidence_floor"))
    for index in read.region.pages:
        h = doc.health(index)
        # fake-bold duplicates are removed reliably, so they are reported in `statement`, not flagged
        if h.bad_share > 0.02:
            flags.append(Flag("low_text_quality", "medium",
                              f"page {index + 1}: {h.bad_chars} of {h.chars} characters unreadable "
                              "(replacement, private-use or control characters); check figures on this page",
                              {"page": index + 1, "bad_chars": h.bad_chars, "chars": h.chars,
                               "duplicated_glyphs": h.duplicated_glyphs}, kind="quality"))
    if all(report.figures["rnd_expense"][p] is None for p in PERIODS):
        flags.append(Flag("rnd_not_on_statement", "info",
                          "the income statement has no R&D expense line (pre-2018 format, or R&D inside "
                          "administrative expenses); look in the notes or the MD&A R&D table",
                          {"statement_pages": [p + 1 for p in read.region.pages]}, kind="quality"))
    if read.layouts and read.layouts[0].source == "inferred":
        flags.append(Flag("columns_inferred", "medium",
                          "no period header was found: the current year was assumed to be the first column",
                          {"statement_pages": [p + 1 for p in read.region.pages]}, kind="quality"))
    if not read.unit.found:
        flags.append(Flag("unit_assumed", "medium", "no unit line near the statement title: amounts read as 元",
                          {"statement_pages": [p + 1 for p in read.region.pages]}, kind="quality"))
    for item, period, page, label in read.items.blanks:
        if report.figures[item][period] is None:  # no other source filled it
            flags.append(Flag("blank_cell", "medium",
                              f"{item} ({period}): the line {label!r} on page {page} prints nothing in this column; "
                              "left empty rather than read as zero: check the page",
                              {"item": item, "period": period, "page": page, "label": label}, kind="quality"))
    for item, period, page, label, printed in read.items.unreadable:
        if report.figures[item][period] is None:
            flags.append(Flag("cell_displaced", "medium",
                              f"{item} ({period}): the line {label!r} on page {page} prints {printed!r} where one "
                              "amount should stand (an amount or a header displaced onto the line?); left empty "
                              "rather than guessed: check the page",
                              {"item": item, "period": period, "page": page, "label": label, "printed": printed},
                              kind="quality"))
    flags.extend(_bounds(report, book))
    low = [(item, p, f.confidence, f.page) for item in ITEMS for p in PERIODS
           if (f := report.figures[item][p]) is not None and f.confidence < floor]
    for item, p, conf, page in low:
        flags.append(Flag("low_confidence", "medium", f"{item} ({p}) read with confidence {conf:.2f}: verify on page {page}",
                          {"item": item, "period": p, "confidence": round(conf, 3), "page": page,
                           "threshold": floor}, kind="quality"))
    return flags


def _bounds(report: Report, book: PatternBook) -> list[Flag]:
    """Plausibility bounds of thresholds.yaml on the figures: an expense above a multiple of revenue, or
    revenue growing beyond the bound, is a misread to check (its confidence is capped below 0.9)."""
    out: list[Flag] = []
    ratio = float(book.value("max_expense_to_revenue"))
    cap = float(book.value("tieout_confidence"))
    for p in PERIODS:
        rev = report.figures["revenue"][p]
        if rev is None or rev.value <= 0:
            continue
        for item in ITEMS[1:]:
            f = report.figures[item][p]
            if f is None or f.value <= Decimal(str(ratio)) * rev.value:
                continue
            f.confidence = min(f.confidence, cap)
            f.notes.append(f"{item} is {float(f.value / rev.value):.1f}x revenue (bound {ratio:g}x): check unit and column")
            out.append(Flag("implausible_value", "medium", f"{item} ({p}) is {float(f.value / rev.value):.1f} times "
                            f"revenue; bound {ratio:g}x", {"item": item, "period": p, "value": float(f.value),
                                                           "revenue": float(rev.value), "bound": ratio,
                                                           "page": f.page}, kind="quality"))
    cur, pri = report.figures["revenue"]["current"], report.figures["revenue"]["prior"]
    bound = float(book.value("max_revenue_growth"))
    if cur is not None and pri is not None and pri.value > 0 and float((cur.value - pri.value) / pri.value) > bound:
        g = float((cur.value - pri.value) / pri.value)
        for f in (cur, pri):
            f.confidence = min(f.confidence, cap)
            f.notes.append(f"revenue growth {g:+.0%} beyond the bound {bound:+.0%}: check unit and column")
        out.append(Flag("implausible_value", "medium", f"revenue growth {g:+.0%} beyond the bound {bound:+.0%}",
                        {"item": "revenue", "growth": g, "bound": bound, "pages": [cur.page, pri.page]},
                        kind="quality"))
    return out


def ratio_flags(report: Report, book: PatternBook) -> list[Flag]:
    """The ratio's sign (R&D- or selling-favouring) resting on a figure read below the confidence floor."""
    ratio = report.ratio or {}
    if ratio.get("value") is None:
        return []
    floor = float(book.value("ratio_confidence"))
    unsure = [(item, f) for item in ("rnd_expense", "selling_expense")
              if (f := report.figures[item]["current"]) is not None and f.confidence < floor]
    if not unsure:
        return []
    names = ", ".join(f"{item} {f.confidence:.2f} (page {f.page})" for item, f in unsure)
    return [Flag("ratio_uncertain", "medium", f"the R&D-vs-selling ratio ({ratio.get('orientation')}) rests on "
                 f"a reading below {floor:g} confidence: {names}; verify before comparing",
                 {"orientation": ratio.get("orientation"), "figures": [
                     {"item": item, "confidence": round(f.confidence, 3), "page": f.page} for item, f in unsure]},
                 kind="quality")]
