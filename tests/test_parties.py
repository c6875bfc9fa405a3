"""Reading customers, related parties, related sales, cash from sales and receivables.

Small PDFs built here with pymupdf cover each table form (BSE, SZSE, SSE sentence, STAR,
anonymised names, related-party notes, statements); the real reports in ../shared/real-reports
check the same on published layouts (skipped when absent).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest

from extractor import patternbook
from extractor.parties import (
    PartiesRead,
    read_parties,
    read_party_lists,
    read_sales_table,
    read_statement_line,
    read_top5,
)
from extractor.pipeline import extract_report
from extractor.read.document import open_document
from extractor.tables.units import DEFAULT

from .conftest import SAMPLES

BOOK = patternbook.load()
Cell = tuple[float, float, str]  # x, y (baseline), text


def build_pdf(path: Path, pages: list[list[Cell]]) -> Path:
    doc = pymupdf.open()
    for cells in pages:
        page = doc.new_page(width=595, height=842)
        for x, y, text in cells:
            page.insert_text((x, y), text, fontname="china-s", fontsize=9)
    doc.save(path)
    return path


def row(y: float, *cells: tuple[float, str]) -> list[Cell]:
    return [(x, y, t) for x, t in cells]


def table(y0: float, step: float, rows: list[list[tuple[float, str]]]) -> list[Cell]:
    out: list[Cell] = []
    for i, cells in enumerate(rows):
        out += row(y0 + i * step, *cells)
    return out


def top5_of(tmp_path: Path, cells: list[Cell]):
    doc = open_document(build_pdf(tmp_path / "t.pdf", [cells]))
    return read_top5(doc, BOOK, 0, DEFAULT, PartiesRead())


# ------------------------------------------------------------------------------- top five

BSE_ROWS = [
    [(60, "序号"), (100, "客户"), (260, "销售金额"), (360, "年度销售占比%"), (470, "是否存在")],
    [(470, "关联关系")],
    [(60, "1"), (100, "深圳市华强电子有限公司"), (260, "12,345,678.90"), (360, "30.12%"), (470, "否")],
    [(60, "2"), (100, "杭州恒泰科技股份有限公司"), (260, "8,000,000.00"), (360, "19.52%"), (470, "是")],
    [(60, "3"), (100, "宁波鼎盛新材料有限公司"), (260, "5,000,000.00"), (360, "12.20%"), (470, "否")],
    [(60, "合计"), (260, "25,345,678.90"), (360, "61.84%")],
]


def test_bse_table_with_wrapped_related_header(tmp_path):
    top = top5_of(tmp_path, [(60, 60, "单位：元")] + table(90, 16, BSE_ROWS))
    assert top.source == "table" and top.has_related_column
    assert [c.name for c in top.customers] == ["深圳市华强电子有限公司", "杭州恒泰科技股份有限公司", "宁波鼎盛新材料有限公司"]
    assert [c.related for c in top.customers] == [False, True, False]
    assert top.customers[0].amount.value == Decimal("12345678.90") and top.customers[0].amount.page == 1
    assert top.customers[0].share.value == Decimal("0.3012")
    assert top.total.value == Decimal("25345678.90") and top.total_share.printed == "61.84%"


def test_szse_summary_lines_and_table(tmp_path):
    cells = (row(60, (60, "前五名客户合计销售金额（元）"), (430, "9,344,898,794.54"))
             + row(78, (60, "前五名客户合计销售金额占年度销售总额比例"), (470, "23.59%"))
             + row(96, (60, "前五名客户销售额中关联方销售额占年度销售总额比例"), (470, "11.77%"))
             + table(130, 16, [
                 [(60, "序号"), (100, "客户名称"), (280, "销售额（元）"), (400, "占年度销售总额比例")],
                 [(60, "1"), (100, "中国兵器工业集团有限公司"), (280, "4,661,463,413.42"), (470, "11.77%")],
                 [(60, "2"), (100, "中石化"), (280, "1,643,300,841.48"), (470, "4.15%")],
                 [(60, "合计"), (180, "--"), (280, "9,344,898,794.54"), (470, "23.59%")]]))
    top = top5_of(tmp_path, cells)
    assert not top.has_related_column
    assert [c.related for c in top.customers] == [None, None]  # the table does not say
    assert top.total.value == Decimal("9344898794.54")
    assert (top.total_share.value, top.related_share.value) == (Decimal("0.2359"), Decimal("0.1177"))


def test_sse_sentence_in_wan(tmp_path):
    cells = row(60, (60, "前五名客户销售额1,708,403.14 万元，占年度销售总额18.02%；其中前五名客户销售额中")) + \
        row(76, (60, "关联方销售额540,913.57 万元，占年度销售总额5.70 %。"))
    top = top5_of(tmp_path, cells)
    assert top.source == "sentence"
    assert top.total.value == Decimal(17084031400) and top.total.unit == "万元"
    assert top.related_amount.value == Decimal(5409135700)
    assert (top.total_share.value, top.related_share.value) == (Decimal("0.1802"), Decimal("0.057"))
    assert top.total.bbox != (0.0, 0.0, 0.0, 0.0)


def test_sse_sentence_with_a_remark_in_parentheses(tmp_path):
    cells = row(60, (60, "前五名客户销售额510,319.24万元（按照同一实际控制人合并计算），占年度销售总额74.16%；其中")) + \
        row(76, (60, "前五名客户销售额中关联方销售额218,406.59万元，占年度销售总额31.74%。"))
    top = top5_of(tmp_path, cells)
    assert top is not None and top.source == "sentence"
    assert top.total.value == Decimal(5103192400) and top.total_share.value == Decimal("0.7416")
    assert top.related_amount.value == Decimal(2184065900) and top.related_share.value == Decimal("0.3174")


def test_szse_summary_at_page_foot_table_on_next_page(tmp_path):
    """Summary lines at the foot of one page, the related share and the table (partly anonymised)
    at the top of the next; the suppliers' table below is not read."""
    first = (row(60, (60, "2、收入与成本")) + row(730, (60, "前五名客户合计销售金额（元）"), (460, "2,872,511,745.20"))
             + row(746, (60, "前五名客户合计销售金额占年度销售总额比例"), (500, "38.40%")))
    second = (row(80, (60, "前五名客户销售额中关联方销售额占年度销售总额比例"), (510, "4.51%"))
              + row(100, (57, "公司前5大客户资料"))
              + table(120, 17, [
                  [(86, "序号"), (197, "客户名称"), (331, "销售额（元）"), (438, "占年度销售总额比例")],
                  [(93, "1"), (139, "客户一"), (341, "1,346,492,091.14"), (506, "18.00%")],
                  [(93, "2"), (139, "客户二"), (350, "579,032,674.53"), (511, "7.74%")],
                  [(93, "3"), (139, "烽火通信科技股份有限公司"), (350, "337,300,045.73"), (511, "4.51%")],
                  [(93, "4"), (139, "客户四"), (350, "328,972,380.97"), (511, "4.40%")],
                  [(93, "5"), (139, "客户五"), (350, "280,714,552.83"), (511, "3.75%")],
                  [(86, "合计"), (211, "--"), (341, "2,872,511,745.20"), (506, "38.40%")]])
              + row(260, (57, "公司主要供应商情况"))
              + row(280, (108, "序号"), (215, "供应商名称"), (331, "采购额（元）"), (438, "占年度采购总额比例")))
    doc = open_document(build_pdf(tmp_path / "t.pdf", [first, second]))
    top = read_top5(doc, BOOK, 0, DEFAULT, PartiesRead())
    assert top is not None and top.pages == [1, 2]
    assert [c.name for c in top.customers] == ["客户一", "客户二", "烽火通信科技股份有限公司", "客户四", "客户五"]
    assert [c.anonymised for c in top.customers] == [True, True, False, True, True]
    assert top.customers[0].amount.value == Decimal("1346492091.14")
    assert top.total.value == Decimal("2872511745.20") and top.total_share.value == Decimal("0.384")
    assert top.related_share.value == Decimal("0.0451")


@pytest.mark.parametrize("tail_y", [92, 116], ids=["tail-in-band", "tail-set-low-beside-first-row"])
def test_star_table_wrapped_headers(tmp_path, tail_y):
    """The related header wraps (是否与上市公司存在关 / 联关系) and so does the share header (占年度销售总 /
    额比例（%）): neither tail is glued into the first customer's name, the 是/否 column and the bare
    shares are read."""
    cells = ([(60, 60, "单位：万元")]
             + row(80, (60, "序号"), (100, "客户名称"), (250, "销售额"), (330, "占年度销售总"), (440, "是否与上市公司存在关"))
             + row(tail_y, (330, "额比例（%）") if tail_y < 100 else (330, ""), (440, "联关系"))
             + row(tail_y + 12, (60, "1"), (100, "苏州华锐电子有限公司"), (250, "3,000.00"), (360, "15.00"), (470, "否"))
             + row(tail_y + 30, (60, "2"), (100, "北京某某科技有限公司"), (250, "2,000.00"), (360, "10.00"), (470, "是"))
             + row(tail_y + 48, (60, "合计"), (250, "5,000.00"), (360, "25.00")))
    top = top5_of(tmp_path, cells)
    assert top.has_related_column and top.unit == "万元"
    assert [c.name for c in top.customers] == ["苏州华锐电子有限公司", "北京某某科技有限公司"]
    assert [c.related for c in top.customers] == [False, True]
    assert [c.amount.value for c in top.customers] == [Decimal("30000000.00"), Decimal("20000000.00")]
    assert [c.share.value for c in top.customers] == [Decimal("0.15"), Decimal("0.10")]


def test_star_table_related_column(tmp_path):
    cells = table(80, 16, [
        [(60, "序号"), (100, "客户名称"), (250, "销售额"), (330, "占年度销售总额比例（%）"), (450, "是否与上市公司存在关联关系")],
        [(60, "1"), (100, "苏州华锐电子有限公司"), (250, "3,000.00"), (360, "15.00"), (470, "否")],
        [(60, "合计"), (250, "3,000.00"), (360, "15.00")]]) + [(60, 60, "单位：万元")]
    top = top5_of(tmp_path, cells)
    assert top.has_related_column and top.customers[0].related is False
    assert top.customers[0].amount.value == Decimal(30000000) and top.unit == "万元"
    assert top.customers[0].share.value == Decimal("0.15")  # a bare number under a (%) header


ANON = ["客户一", "第一名", "客户A", "单位1"]


@pytest.mark.parametrize("name", ANON, ids=ANON)
def test_anonymised_customers_are_recognised(tmp_path, name):
    cells = table(80, 16, [
        [(60, "序号"), (100, "客户名称"), (280, "销售额（元）"), (400, "占年度销售总额比例")],
        [(60, "1"), (100, name), (280, "1,000.00"), (470, "1.00%")],
        [(60, "合计"), (280, "1,000.00"), (470, "1.00%")]])
    top = top5_of(tmp_path, cells)
    assert top.customers[0].name == name and top.customers[0].anonymised and top.anonymised


# ------------------------------------------------------------------------------- notes

NOTES = (
    row(60, (60, "十二、关联方及关联交易"))
    + row(80, (60, "1、本企业的母公司情况"))
    + row(98, (60, "母公司名称"), (200, "注册地"), (300, "注册资本"), (420, "持股比例"))
    + row(114, (60, "华强控股集团有限公司"), (200, "深圳"), (300, "50,000,000.00"), (420, "40.00"))
    + row(132, (60, "本企业最终控制方是张三。"))
    + row(150, (60, "4、其他关联方情况"))
    + row(168, (140, "其他关联方名称"), (340, "其他关联方与本企业关系"))
    + row(184, (60, "杭州恒泰科技股份有限公司"), (300, "实际控制人亲属控制的企业"))
    + row(200, (60, "宁波鼎盛新材料有限公司"), (300, "联营企业"))
    + row(218, (60, "其他说明"))
    + row(236, (60, "采购商品/接受劳务情况表"))
    + row(252, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
    + row(268, (60, "宁波鼎盛新材料有限公司"), (200, "原材料"), (330, "999,999.99"), (450, "888,888.88"))
    + row(290, (60, "出售商品/提供劳务情况表"))
    + row(306, (480, "单位：元"))
    + row(322, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
    + row(338, (60, "杭州恒泰科技股份有限公司"), (200, "销售商品"), (330, "8,000,000.00"), (450, "6,000,000.00"))
    + row(354, (60, "宁波鼎盛新材料有限公司"), (200, "提供劳务"), (450, "500,000.00"))
    + row(372, (60, "购销商品、提供和接受劳务的关联交易说明"))
)


def test_related_party_lists(tmp_path):
    doc = open_document(build_pdf(tmp_path / "n.pdf", [NOTES]))
    parties = read_party_lists(doc.lines(0), BOOK)
    got = {(p.name, p.relationship, p.source) for p in parties}
    assert ("华强控股集团有限公司", "母公司", "parent") in got
    assert ("张三", "最终控制方", "sentence") in got
    assert ("杭州恒泰科技股份有限公司", "实际控制人亲属控制的企业", "list") in got
    assert ("宁波鼎盛新材料有限公司", "联营企业", "list") in got


def test_sales_table_skips_purchases_and_reads_blank_cells_by_column(tmp_path):
    doc = open_document(build_pdf(tmp_path / "n.pdf", [NOTES]))
    sales = read_sales_table(doc.lines(0), BOOK, DEFAULT)
    assert [(r.name, r.content) for r in sales.rows] == [("杭州恒泰科技股份有限公司", "销售商品"),
                                                         ("宁波鼎盛新材料有限公司", "提供劳务")]
    assert sales.rows[1].current is None and sales.rows[1].prior.value == Decimal("500000.00")
    assert sales.total("current") == Decimal("8000000.00") and sales.total("prior") == Decimal("6500000.00")


def test_sales_table_across_pages_total_in_content_column_and_own_unit_at_page_top(tmp_path):
    """The SSE template: title and 适用 boxes at a page's foot, the unit line at the top of the next
    page (not a running header), an indented 合计 under the content column (not a row), and a printed
    total that disagrees with its rows (the rows are used, the disagreement noted)."""
    first = (row(60, (60, "采购商品/接受劳务情况表")) + row(76, (480, "单位：万元"))
             + row(92, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (430, "获批的交易额度"))
             + row(108, (60, "某集团有限公司"), (200, "采购商品"), (330, "216,260.42"), (430, "32 亿元"))
             + row(740, (60, "出售商品/提供劳务情况表")) + row(756, (60, "√适用"), (100, "□不适用")))
    second = (row(70, (390, "单位：万元"), (443, "币种：人民币"))
              + row(96, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
              + row(112, (60, "中国某科技集团有限公司系统内"), (200, "出售商品/提供劳务"),
                    (330, "218,406.59"), (450, "102,761.41"))
              + row(124, (60, "单位"))
              + row(140, (60, "浙江某数据科技有限公司"), (200, "出售商品/提供劳务"), (450, "2.83"))
              + row(156, (108, "合计"), (330, "218,000.00"), (450, "102,764.24"))
              + row(180, (60, "购销商品、提供和接受劳务的关联交易说明")))
    doc = open_document(build_pdf(tmp_path / "n.pdf", [first, second]))
    from extractor.parties.pages import lines_of_pages

    sales = read_sales_table(lines_of_pages(doc, [0, 1]), BOOK, DEFAULT)
    assert sales is not None and sales.unit == "万元"
    assert [r.name for r in sales.rows] == ["中国某科技集团有限公司系统内单位", "浙江某数据科技有限公司"]
    assert sales.total("current") == Decimal(2184065900) and sales.total("prior") == Decimal(1027642400)
    assert sales.printed_total["current"].value == Decimal(2180000000)
    assert len(sales.notes) == 1 and "218,000.00" in sales.notes[0]


def test_sales_table_without_its_own_unit_line_takes_the_one_above_not_a_cell(tmp_path):
    """No unit line under the title: the notes' unit line above (单位：万元) applies, never a figure
    printed with its unit in the purchases table (32 亿元, an approved amount)."""
    cells = (row(60, (60, "(1).购销商品、提供和接受劳务的关联交易")) + row(76, (60, "采购商品/接受劳务情况表"))
             + row(92, (480, "单位：万元"))
             + row(108, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (430, "获批的交易额度"))
             + row(124, (60, "某集团有限公司"), (200, "采购商品"), (330, "216,260.42"), (430, "32 亿元"))
             + row(148, (60, "出售商品/提供劳务情况表"))
             + row(164, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
             + row(180, (60, "某集团有限公司"), (200, "出售商品"), (330, "218,406.59"), (450, "102,761.41"))
             + row(204, (60, "购销商品、提供和接受劳务的关联交易说明")))
    sales = read_sales_table(open_document(build_pdf(tmp_path / "n.pdf", [cells])).lines(0), BOOK, DEFAULT)
    assert sales is not None and sales.unit == "万元" and sales.total("current") == Decimal(2184065900)


def test_sales_table_bare_numbers_only_under_amount_columns(tmp_path):
    """935 under 本期发生额 in a 千元 table is an amount; 50 under an approved-amount column between the
    period columns is not (the current cell is blank)."""
    cells = (row(60, (60, "出售商品/提供劳务情况表")) + row(76, (480, "单位：千元"))
             + row(92, (60, "关联方"), (200, "关联交易内容"), (300, "本期发生额"), (400, "获批额度"), (480, "上期发生额"))
             + row(108, (60, "南京华景电气有限公司"), (200, "提供劳务"), (320, "935"), (500, "563"))
             + row(124, (60, "成都盛荣商贸有限公司"), (200, "提供劳务"), (410, "50"), (500, "1,116"))
             + row(148, (60, "购销商品、提供和接受劳务的关联交易说明")))
    sales = read_sales_table(open_document(build_pdf(tmp_path / "n.pdf", [cells])).lines(0), BOOK, DEFAULT)
    assert [r.name for r in sales.rows] == ["南京华景电气有限公司", "成都盛荣商贸有限公司"]
    assert sales.total("current") == Decimal(935000) and sales.total("prior") == Decimal(1679000)


def test_sales_table_not_applicable_is_none(tmp_path):
    """√不适用 under the title: no such table, so the next table (receivables) is not read as it."""
    cells = (row(60, (60, "出售商品/提供劳务情况表")) + row(76, (60, "□适用"), (100, "√不适用"))
             + row(100, (60, "应收账款"), (200, "项目名称"), (330, "本期发生额"), (450, "上期发生额"))
             + row(116, (60, "某科技有限公司"), (200, "应收账款"), (330, "1,000.00"), (450, "2,000.00")))
    doc = open_document(build_pdf(tmp_path / "n.pdf", [cells]))
    assert read_sales_table(doc.lines(0), BOOK, DEFAULT) is None


def test_sales_table_empty_or_blank_column_is_zero(tmp_path):
    """A table printed with no rows discloses no sales (0, not unknown); a column left blank in
    every row is 0 too."""
    empty = (row(60, (60, "出售商品/提供劳务情况表")) + row(76, (480, "单位：元"))
             + row(92, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
             + row(116, (60, "购销商品、提供和接受劳务的关联交易说明")))
    blank = (row(60, (60, "出售商品/提供劳务情况表")) + row(76, (480, "单位：元"))
             + row(92, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
             + row(108, (60, "佛山市福中福餐饮有限公司"), (200, "空调设备"), (330, "451,197.33"))
             + row(132, (60, "购销商品、提供和接受劳务的关联交易说明")))
    sales = read_sales_table(open_document(build_pdf(tmp_path / "e.pdf", [empty])).lines(0), BOOK, DEFAULT)
    assert sales is not None and not sales.rows and sales.total("current") == 0 and sales.total("prior") == 0
    sales = read_sales_table(open_document(build_pdf(tmp_path / "b.pdf", [blank])).lines(0), BOOK, DEFAULT)
    assert sales.total("current") == Decimal("451197.33") and sales.total("prior") == 0
    assert sales.to_json()["prior"] == 0


def test_parent_company_note_is_not_read(tmp_path):
    """A parent-company table of sales to subsidiaries after the consolidated note is not it."""
    filler = row(60, (60, "十三、股份支付"))
    parent = (row(60, (60, "十六、母公司财务报表主要项目注释"))
              + row(80, (60, "出售商品/提供劳务情况表"))
              + row(96, (60, "关联方"), (200, "关联交易内容"), (330, "本期发生额"), (450, "上期发生额"))
              + row(112, (60, "某子公司"), (200, "销售商品"), (330, "99,000,000.00"), (450, "1.00")))
    path = build_pdf(tmp_path / "r.pdf", [row(60, (60, "封面"))] * 3 + [NOTES, filler, parent])
    out = read_parties(open_document(path), BOOK, [1], DEFAULT)
    assert out.sales is not None and out.sales.pages == [4]
    assert out.sales.total("current") == Decimal("8000000.00")


STATEMENTS = [
    row(60, (60, "（一）合并资产负债表")) + row(80, (480, "单位：元"))
    + row(100, (60, "项目"), (200, "附注"), (300, "期末余额"), (430, "期初余额"))
    + row(118, (60, "应收账款"), (200, "五(5)"), (300, "49,627,788.24"), (430, "52,548,619.93"))
    + row(160, (60, "（二）母公司资产负债表"))
    + row(180, (60, "项目"), (200, "附注"), (300, "期末余额"), (430, "期初余额"))
    + row(198, (60, "应收账款"), (300, "1.00"), (430, "2.00")),
    row(60, (60, "（三）合并利润表")) + row(80, (60, "营业收入"), (300, "100.00"), (430, "90.00")),
    row(60, (60, "（五）合并现金流量表")) + row(80, (480, "单位：万元"))
    + row(100, (60, "项目"), (300, "2021年"), (430, "2020年"))
    + row(118, (60, "一、经营活动产生的现金流量："))
    + row(134, (60, "销售商品、提供劳务收到的现金"), (300, "36,626.88"), (430, "36,860.36")),
]


def test_statement_lines_beside_the_income_statement(tmp_path):
    doc = open_document(build_pdf(tmp_path / "s.pdf", STATEMENTS))
    ar = read_statement_line(doc, BOOK, "balance_sheet_title", "receivables", [1], "balance_sheet")
    assert (ar["current"].value, ar["prior"].value, ar["current"].page) == (Decimal("49627788.24"),
                                                                          Decimal("52548619.93"), 1)
    cash = read_statement_line(doc, BOOK, "cash_flow_title", "cash_from_sales", [1], "cash_flow_statement")
    assert cash["current"].value == Decimal(366268800) and cash["current"].unit == "万元"
    assert cash["prior"].printed == "36,860.36" and cash["prior"].page == 3


# ------------------------------------------------------------------------------- real reports

@pytest.fixture
def real(real_result):
    return real_result


@pytest.mark.real
def test_huajin_controlling_shareholder_is_the_largest_customer(real):
    out = real("a000059_huajin_2019.pdf")
    top = out["parties"]["top5"]
    assert top["customers"][0]["name"] == "中国兵器工业集团有限公司"
    assert top["related_share"]["printed"] == "11.77%" and top["related_share"]["page"] == 13
    assert top["total"]["printed"] == "9,344,898,794.54"
    names = {p["name"]: p["relationship"] for p in out["parties"]["related_parties"]}
    assert "本公司实际控制人" in names["中国兵器工业集团有限公司"]
    mdna = out["parties"]["related_sales"]["mdna"]
    assert (mdna["value"], mdna["page"], mdna["unit"]) == (5192522300, 22, "万元")
    match = out["parties"]["matches"][0]
    assert (match["customer"], match["party"], match["score"], match["method"]) == (
        "中国兵器工业集团有限公司", "中国兵器工业集团有限公司", 100.0, "exact")
    flags = {f["id"]: f for f in out["flags"]}
    assert "undisclosed_related_customer" not in flags
    disclosed = flags["related_customer_disclosed"]
    assert disclosed["evidence"]["customer"] == "中国兵器工业集团有限公司"
    assert disclosed["evidence"]["related_share"] == "11.77%"


REAL_LINES = [
    ("a000059_huajin_2019.pdf", "cash_from_sales", 44643235851.20, 42513980436.56, 53),
    ("a000059_huajin_2019.pdf", "receivables", 133620657.50, 202040270.93, 46),
    ("a002099_haixiang_2019.pdf", "cash_from_sales", 2018927512.97, 1988078802.41, 88),
    ("a002099_haixiang_2019.pdf", "receivables", 459781564.19, 479537782.06, 78),
    ("a600519_moutai_2020.pdf", "cash_from_sales", 107024384560.17, 94980138631.64, 57),
    ("a600519_moutai_2020.pdf", "receivables", 0, 0, 49),  # printed blank: no receivables
    ("a000027_szenergy_2016.pdf", "cash_from_sales", 12848647491.33, 12097448569.27, 89),
    ("a000027_szenergy_2016.pdf", "receivables", 3568461480.47, 2789243277.35, 82),
]


@pytest.mark.real
@pytest.mark.parametrize("name,key,current,prior,page", REAL_LINES, ids=[f"{c[0][:12]}-{c[1]}" for c in REAL_LINES])
def test_real_statement_lines(real, name, key, current, prior, page):
    got = real(name)[key]
    assert got["current"]["value"] == pytest.approx(current, abs=0.011)
    assert got["prior"]["value"] == pytest.approx(prior, abs=0.011)
    assert got["current"]["page"] == page


@pytest.mark.real
def test_real_top_five_summaries(real):
    hx = real("a002099_haixiang_2019.pdf")["parties"]["top5"]
    assert hx["anonymised"] and hx["total"]["printed"] == "649,326,403.37" and hx["related_share"]["printed"] == "0.00%"
    mt = real("a600519_moutai_2020.pdf")["parties"]["top5"]
    assert mt["source"] == "sentence" and mt["related_amount"]["value"] == 5409135700
    sz = real("a000027_szenergy_2016.pdf")["parties"]["top5"]
    assert sz["total_share"]["printed"] == "83.34%" and sz["customers"][0]["name"] == "广东电网公司"


@pytest.mark.real
def test_real_related_sales_consolidated_only(real):
    sz = real("a000027_szenergy_2016.pdf")["parties"]["related_sales"]
    assert sz["current"] == pytest.approx(6854539.59) and sz["prior"] == pytest.approx(6547284.52)
    assert sz["pages"] == [267]  # not the parent-company table on pp.295-296
    hx = real("a002099_haixiang_2019.pdf")["parties"]["related_sales"]
    assert hx["current"] == pytest.approx(709405.73) and hx["prior"] == pytest.approx(1438529.46)
    mt = real("a600519_moutai_2020.pdf")["parties"]["related_sales"]
    assert mt["rows"][0]["name"] == "贵州茅台集团营销有限公司"
    assert mt["rows"][0]["current"]["printed"] == "4,611,179,958.71"


@pytest.mark.real
@pytest.mark.parametrize("name", ["a000059_huajin_2019.pdf", "a002099_haixiang_2019.pdf", "a600519_moutai_2020.pdf",
                                  "a000027_szenergy_2016.pdf", "hk_pegbio_2025.pdf", "b200512_mincankun_2019.pdf"])
def test_no_real_report_raises_undisclosed_related_customer(real, name):
    assert "undisclosed_related_customer" not in {f["id"] for f in real(name)["flags"]}


# ------------------------------------------------------------------------------- samples

SAMPLE_TRUTHS = sorted(SAMPLES.glob("*.truth.json"))


@pytest.fixture(scope="module")
def sample_out():
    cache: dict[str, dict] = {}

    def get(truth_path: Path) -> dict:
        if truth_path.name not in cache:
            cache[truth_path.name] = extract_report(truth_path.with_name(
                truth_path.name.replace(".truth.json", ".pdf"))).to_json()
        return cache[truth_path.name]
    return get


def _close(got: dict | float | None, want: str, multiplier: float = 1.0) -> bool:
    """Equal within the printed rounding (a table in 千元 without decimals is exact to 500 yuan)."""
    value = got["value"] if isinstance(got, dict) else got
    mult = got.get("multiplier", multiplier) if isinstance(got, dict) else multiplier
    return value is not None and abs(value - float(want)) <= 0.5 * mult + 0.011


@pytest.mark.skipif(not SAMPLE_TRUTHS, reason="no samples/*.truth.json (generated by scripts/make_samples.py)")
@pytest.mark.parametrize("truth_path", SAMPLE_TRUTHS, ids=[p.name.split(".")[0] for p in SAMPLE_TRUTHS])
def test_sample_extras_match_truth(sample_out, truth_path):
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["extras"]
    out = sample_out(truth_path)
    for key in ("cash_from_sales", "receivables"):
        for period in ("current", "prior"):
            assert _close(out[key][period], truth[key][period]), (key, period)
        assert out[key]["current"]["page"] == truth[key]["page"]
    top = out["parties"]["top5"]
    assert top["total_share"]["value"] == pytest.approx(float(truth["top5"]["total_share"]), abs=1e-4)
    assert [c["name"] for c in top["customers"]] == [c["name"] for c in truth["top5"]["customers"]]
    if top["has_related_column"]:
        assert [c["related"] for c in top["customers"]] == [c["related"] for c in truth["top5"]["customers"]]
    assert {p["name"] for p in out["parties"]["related_parties"]} == {p["name"] for p in truth["related_parties"]}
    sales = out["parties"]["related_sales"]
    mult = 10000 if sales["unit"] == "万元" else 1000 if sales["unit"] == "千元" else 1
    for period in ("current", "prior"):
        assert _close(sales[period], truth["related_sales"][period], mult), period


@pytest.mark.parametrize(("text", "marks", "none"), [
    ("√适用□不适用", True, False), ("□适用√不适用", True, True), ("\uf052适用□不适用", True, False),
    ("□适用\uf052不适用", True, True), ("適用√不適用", True, True), ("适用于本公司的销售", False, False),
], ids=["ticked", "not-applicable", "wingdings-ticked", "wingdings-not-applicable", "hant", "sentence"])
def test_applicability_marks(text, marks, none):
    assert (BOOK.concept("parties", "applicability_marks").search(text) is not None) is marks
    assert (BOOK.concept("parties", "not_applicable_marked").search(text) is not None) is none
