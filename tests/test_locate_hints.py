"""Printed contents lead to the statements without reading every page: entries whose page number
stands alone under the title (a 20-F's contents), and a financial-section hint that falls short of
the statements (exhibits and signatures between them)."""

from __future__ import annotations

import pymupdf

from extractor import patternbook
from extractor.read.document import open_document
from extractor.statement.locate import locate
from extractor.tables.labels import contents_entries

BOOK = patternbook.load()
ROWS = [("Revenues", "1,234,567", "1,100,000"), ("Cost of revenues", "(634,567)", "(600,000)"),
        ("Gross profit", "600,000", "500,000"), ("Sales and marketing expenses", "(120,000)", "(110,000)"),
        ("General and administrative expenses", "(90,000)", "(80,000)"),
        ("Research and development expenses", "(70,000)", "(60,000)"),
        ("Total operating expenses", "(280,000)", "(250,000)"), ("Loss from operations", "320,000", "250,000")]


def test_contents_entries_with_the_page_number_under_the_title():
    lines = ["TABLE OF CONTENTS", "Page", "Item 17. Financial Statements", "188", "Item 18. Financial Statements",
             "188", "Item 19. Exhibits", "189", "第十一节 财务报告 .......... 77"]
    entries = [(title, page) for _line, title, page in contents_entries(lines)]
    assert entries == [("Item 17. Financial Statements", 188), ("Item 18. Financial Statements", 188),
                       ("Item 19. Exhibits", 189), ("第十一节 财务报告", 77)]


def _twenty_f(tmp_path):
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 100), "FORM 20-F  Example Technology Holdings Limited", fontsize=14)
    contents = doc.new_page()
    y = 80
    for text in ("TABLE OF CONTENTS", "Item 4. Information on the Company", "20", "Item 5. Operating and Financial Review",
                 "30", "Item 17. Financial Statements", "60", "Item 18. Financial Statements", "60",
                 "Item 19. Exhibits", "60", "SIGNATURES", "75"):
        contents.insert_text((72, y), text, fontsize=10)
        y += 14
    while doc.page_count < 85:  # the business, exhibits and signatures: words, no statement
        page = doc.new_page()
        page.insert_text((72, 80), f"Exhibit {doc.page_count}. Agreement between the parties dated 2022.", fontsize=10)
        page.insert_text((300, 800), str(doc.page_count - 2), fontsize=9)
    page = doc.new_page()
    page.insert_text((150, 70), "CONSOLIDATED STATEMENTS OF OPERATIONS", fontsize=12)
    page.insert_text((150, 88), "(In thousands of RMB)", fontsize=9)
    page.insert_text((330, 110), "2021", fontsize=9)
    page.insert_text((430, 110), "2022", fontsize=9)
    y = 130
    for label, prior, current in ROWS:
        page.insert_text((60, y), label, fontsize=9)
        for right, v in ((370, prior), (470, current)):
            page.insert_text((right - pymupdf.get_text_length(v, fontsize=9), y), v, fontsize=9)
        y += 16
    while doc.page_count < 110:
        doc.new_page().insert_text((72, 80), "Notes to the consolidated financial statements", fontsize=10)
    path = tmp_path / "twenty_f.pdf"
    doc.save(path)
    return path


def test_statements_after_the_exhibits_found_from_the_contents_without_a_full_scan(tmp_path):
    path = _twenty_f(tmp_path)
    located = locate(open_document(path), BOOK)
    assert located.regions and located.regions[0].title_page == 85
    assert not located.full_scan
    assert len(located.scanned) < 50
