"""Extraction-quality flags: where an auditor should look before trusting a figure."""

from __future__ import annotations

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
    low = [(item, p, f.confidence, f.page) for item in ITEMS for p in PERIODS
           if (f := report.figures[item][p]) is not None and f.confidence < floor]
    for item, p, conf, page in low:
        flags.append(Flag("low_confidence", "medium", f"{item} ({p}) read with confidence {conf:.2f}: verify on page {page}",
                          {"item": item, "period": p, "confidence": round(conf, 3), "page": page,
                           "threshold": floor}, kind="quality"))
    return flags
