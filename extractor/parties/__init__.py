"""Read what the related-party flags need, each amount with its provenance.

Takes the opened :class:`Document`, the pattern book and the pages of the income statement already
located, and gives :class:`PartiesRead`: the top-five customers (table, summary lines or SSE
sentence), the related-party list, sales to related parties (the consolidated notes table and the
MD&A summary), 销售商品、提供劳务收到的现金 from the consolidated cash-flow statement and 应收账款
from the consolidated balance sheet, current and prior year.

Reading every page would cost more than the whole extraction is allowed to, so pages are found
the way the statement is: the PDF outline and the printed contents point at a section and only a
window of pages there is read. The balance sheet and cash-flow statement sit beside the income
statement. Only when hints fail are pages scanned (plain text, cached), and then only in the part
of the report where the section must be (the MD&A before the statements, the notes after them).

Modules: ``pages`` (where to read), ``customers`` (top five), ``related`` (the related-party note
and the MD&A summary), ``statements`` (cash-flow and balance-sheet lines), ``common`` (page
access, patterns, amounts), ``records`` (what is handed on). The rules live in patterns/parties.yaml.
"""

from __future__ import annotations

from typing import Any

from ..patternbook import PatternBook
from ..read.document import Document
from ..tables.units import DEFAULT, Unit
from .customers import read_top5
from .names import NameRules, best_match
from .pages import (
    find_related_mdna_page,
    find_related_notes_page,
    find_top5_page,
    lines_of_pages,
    note_window,
    pages_to_parse,
)
from .records import Customer, PartiesRead, RelatedParty, RelatedSale, RelatedSales, Share, TopFive
from .related import read_party_lists, read_sales_sentence, read_sales_table
from .statements import line_of, read_consolidated, read_statement_line

__all__ = ["Customer", "PartiesRead", "RelatedParty", "RelatedSale", "RelatedSales", "Share", "TopFive",
           "match_customers", "read_parties", "read_party_lists", "read_sales_table", "read_statement_line",
           "read_top5"]


def read_parties(doc: Document, book: PatternBook, statement_pages: list[int], unit: Unit,
                 scan: bool = True, scan_mdna: bool = True, plain: bool = False, scan_top5: bool = True
                 ) -> PartiesRead:
    """Everything the related-party flags need. ``statement_pages`` are the income statement's
    0-based pages; ``unit`` is its unit, the fallback for tables that print none. ``scan=False``
    reads only where hints point; ``plain`` reads the balance sheet and cash-flow statement titled
    without 合并 (the income statement is plain too); ``scan_mdna=False`` does so for the MD&A summary of related sales
    only (a CAS 重要事项 section has it; other reports rarely do, and scanning for it costs);
    ``scan_top5=False`` for the top five customers (the CSRC formats print them in the MD&A; a Hong
    Kong or US report names them, if at all, where its contents point, and scanning every page before
    its statements for them would cost more than the rest of the reading)."""
    out = PartiesRead()
    first = min(statement_pages) if statement_pages else doc.page_count
    last = max(statement_pages) if statement_pages else 0
    if statement_pages:
        for kind, title, item, source in (("cash_flow", "cash_flow_title", "cash_from_sales", "cash_flow_statement"),
                                          ("balance_sheet", "balance_sheet_title", "receivables", "balance_sheet")):
            # a company without subsidiaries prints plain titles (资产负债表) for its only statements
            sheet = read_consolidated(doc, book, title + "_plain" if plain else title, kind, statement_pages, unit)
            if sheet is None:
                out.log.append(f"consolidated {kind.replace('_', ' ')} not found beside the income statement")
                continue
            out.sheets[kind] = sheet
            out.pages_read.update(sheet.pages)
            setattr(out, item, line_of(sheet, book, item, source))
    top_page = find_top5_page(doc, book, first, out, scan and scan_top5)
    if top_page is not None:
        out.top5 = read_top5(doc, book, top_page, DEFAULT, out)
    notes_page = find_related_notes_page(doc, book, last, out, scan)
    sales: RelatedSales | None = None
    if notes_page is not None:
        pages = note_window(doc, book, notes_page, out)
        out.log.append(f"related-party note: pages {pages[0] + 1}-{pages[-1] + 1}")
        lines = lines_of_pages(doc, pages_to_parse(doc, book, pages))
        out.parties = read_party_lists(lines, book)
        sales = read_sales_table(lines, book, unit)
    else:
        out.log.append("related-party note not found")
    # the MD&A summary is a second source: looked for by scanning only when the notes gave no table
    need = sales is None or not sales.rows
    mdna_page = find_related_mdna_page(doc, book, top_page if top_page is not None else -1, first, out,
                                       scan and scan_mdna and need)
    if mdna_page is not None:
        summary = read_sales_sentence(doc, mdna_page, book)
        if summary is not None:
            sales = sales or RelatedSales()
            sales.mdna = summary
    out.sales = sales
    out.matches = match_customers(out, book)
    out.log.append(f"read {len(out.pages_read)} pages as text for customers and related parties")
    return out


def match_customers(read: PartiesRead, book: PatternBook) -> list[dict[str, Any]]:
    """Every top-five customer that resembles a related party, with the score, down to the
    reporting floor of parties.yaml (below the flag's threshold too, so near misses can be checked
    by eye). Anonymised customers are skipped: a hidden name is never matched."""
    if read.top5 is None or not read.parties:
        return []
    rules = NameRules.from_book(book)
    floor = float(book.value("parties_match_report_score"))
    out: list[dict[str, Any]] = []
    for c in read.top5.customers:
        if c.anonymised:
            continue
        m = best_match(c.name, [p.name for p in read.parties], rules, floor)
        if m is not None:
            party = next(p for p in read.parties if p.name == m.right)
            out.append({**m.to_json(), "relationship": party.relationship, "customer_page": c.page,
                        "party_page": party.page, "customer_marked_related": c.related})
    return out
