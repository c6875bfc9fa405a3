"""Finding an expense's note in long notes without reading every page: the walk probes the numbered
headings and follows the note number the statement gives and the order of the statement's lines."""

from __future__ import annotations

import pymupdf
import pytest

from extractor import patternbook
from extractor.read.document import open_document
from extractor.sources.notes import NoteOrder, find_note
from extractor.tables.units import Unit

FONT = "china-s"
BOOK = patternbook.load()

# the income statement's lines around 销售费用, as normalise_label gives them
EARLIER = frozenset({"营业收入", "营业成本", "税金及附加"})
LATER = frozenset({"管理费用", "研发费用", "财务费用", "投资收益", "营业外收入", "所得税费用"})
POLICIES = ["遵循企业会计准则的声明", "会计期间", "记账本位币", "金融工具", "应收账款", "存货", "固定资产",
            "无形资产", "收入", "政府补助", "所得税", "租赁"]
BALANCE = ["货币资金", "应收票据", "应收账款", "预付款项", "其他应收款", "存货", "其他流动资产", "长期股权投资",
           "固定资产", "在建工程", "无形资产", "商誉", "短期借款", "应付账款", "合同负债", "应付职工薪酬",
           "应交税费", "其他应付款", "长期借款", "股本", "资本公积", "盈余公积", "未分配利润"]
INCOME = ["营业收入和营业成本", "税金及附加", "销售费用", "管理费用", "研发费用", "财务费用", "投资收益",
          "营业外收入", "所得税费用"]


def _notes_pdf(tmp_path, *, selling: bool = True, bare: bool = False, filler: int = 3):
    """Policies, then one note per balance-sheet and income-statement line, ``filler`` pages of
    sub-tables after each heading: about 130 pages of notes as CAS reports print them."""
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "合并利润表", fontname=FONT)

    def heading(page, y, number, title):
        if bare:  # Hong Kong style: the number alone, the title on the next line
            page.insert_text((60, y), str(number), fontsize=10)
            page.insert_text((60, y + 14), title, fontname=FONT, fontsize=10)
        else:
            page.insert_text((60, y), f"{number}、{title}", fontname=FONT, fontsize=10)

    def section(titles, first=1):
        for n, title in enumerate(titles, first):
            if title == "销售费用" and not selling:
                continue
            page = doc.new_page()
            heading(page, 80, n, title)
            page.insert_text((60, 120), "项目        本期发生额        上期发生额", fontname=FONT, fontsize=9)
            page.insert_text((60, 136), "职工薪酬        1,200.00        1,100.00", fontname=FONT, fontsize=9)
            page.insert_text((60, 152), "合计        1,200.00        1,100.00", fontname=FONT, fontsize=9)
            for k in range(filler):
                doc.new_page().insert_text((60, 80), f"（{k + 1}）本期变动情况说明", fontname=FONT, fontsize=9)

    section(POLICIES)
    section(BALANCE + INCOME)
    path = tmp_path / "notes.pdf"
    doc.save(path)
    return path


def _reading(path):
    """The document, and the pages whose text was read."""
    doc = open_document(path)
    read: set[int] = set()
    text = doc.text

    def counted(index: int) -> str:
        read.add(index)
        return text(index)
    doc.text = counted  # type: ignore[method-assign]
    return doc, read


def _selling_page(path) -> int:
    with pymupdf.open(path) as pdf:
        return next(i for i, p in enumerate(pdf) if "销售费用" in p.get_text())


@pytest.mark.parametrize("number", [None, 26, 50], ids=["no_note_column", "right_number", "wrong_number"])
def test_note_found_by_the_statements_order_reading_a_fraction_of_the_notes(tmp_path, number):
    path = _notes_pdf(tmp_path)
    doc, read = _reading(path)
    order = NoteOrder(number, "销售费用", EARLIER, LATER)
    note = find_note(doc, BOOK, "selling_expense", 1, _unit(), order=order)
    assert note is not None and note.page == _selling_page(path)
    assert len(read) < doc.page_count / 2, f"read {len(read)} of {doc.page_count} pages"


def test_note_the_report_does_not_print_is_given_up_between_its_neighbours(tmp_path):
    """The lines before and after 销售费用 have notes, 销售费用 has none: no note, and the pages after
    its neighbours are not all read to make sure."""
    path = _notes_pdf(tmp_path, selling=False)
    doc, read = _reading(path)
    note = find_note(doc, BOOK, "selling_expense", 1, _unit(), order=NoteOrder(None, "销售费用", EARLIER, LATER))
    assert note is None
    assert len(read) < doc.page_count / 2


def test_hong_kong_headings_with_the_number_alone_are_followed(tmp_path):
    path = _notes_pdf(tmp_path, bare=True)
    doc, read = _reading(path)
    note = find_note(doc, BOOK, "selling_expense", 1, _unit(), order=NoteOrder(None, "销售费用", EARLIER, LATER))
    assert note is not None and note.page == _selling_page(path)
    assert len(read) < doc.page_count / 2


def test_without_any_hint_every_page_is_read_until_the_note(tmp_path):
    path = _notes_pdf(tmp_path)
    doc, read = _reading(path)
    note = find_note(doc, BOOK, "selling_expense", 1, _unit())
    assert note is not None and note.page == _selling_page(path)
    assert read >= set(range(1, note.page + 1))


def _unit() -> Unit:
    from extractor.tables.units import find_unit

    return find_unit([], BOOK)
