"""Rows and columns rebuilt from word positions, on small statements drawn for each case."""

from __future__ import annotations

import pymupdf
import pytest

from extractor.pipeline import extract_report

FONT = "china-s"


def _statement(tmp_path, *, header, rows, title="合并利润表", unit="单位：元", note_x=250, cols=(360, 470),
               value_dy=0.0, extra_pages=0, title_x=250):
    """Draw a one-page statement: label at x=60, note at note_x, amounts right-aligned at cols."""
    doc = pymupdf.open()
    for _ in range(extra_pages):
        doc.new_page().insert_text((72, 72), "管理层讨论与分析", fontname=FONT)
    page = doc.new_page()
    page.insert_text((title_x, 60), title, fontname=FONT, fontsize=13)
    page.insert_text((470, 80), unit, fontname=FONT, fontsize=9)
    y = 100
    for x, text in header:
        page.insert_text((x, y), text, fontname=FONT, fontsize=9)
    y += 18
    for label, note, values in rows:
        page.insert_text((60, y), label, fontname=FONT, fontsize=9)
        if note:
            page.insert_text((note_x, y), note, fontname=FONT, fontsize=9)
        for right, v in zip(cols, values):
            if v:
                w = pymupdf.get_text_length(v, fontsize=9)
                page.insert_text((right - w, y + value_dy), v, fontsize=9)
        y += 16
    p = tmp_path / "statement.pdf"
    doc.save(p)
    return p


ROWS = [
    ("一、营业总收入", "", ("1,000,000.00", "900,000.00")),
    ("其中：营业收入", "七、61", ("1,000,000.00", "900,000.00")),
    ("二、营业总成本", "", ("800,000.00", "700,000.00")),
    ("其中：营业成本", "七、61", ("600,000.00", "500,000.00")),
    ("销售费用", "七、63", ("50,000.00", "40,000.00")),
    ("管理费用", "七、64", ("70,000.00", "60,000.00")),
    ("研发费用", "七、65", ("30,000.00", "20,000.00")),
    ("财务费用", "七、66", ("-5,000.00", "3,000.00")),
    ("三、营业利润", "", ("200,000.00", "200,000.00")),
]


def _values(out):
    return {item: (per["current"] and per["current"]["value"], per["prior"] and per["prior"]["value"])
            for item, per in out["figures"].items()}


def test_current_first(tmp_path):
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")], rows=ROWS)
    out = extract_report(pdf).to_json()
    assert _values(out)["selling_expense"] == (50000, 40000)
    assert out["figures"]["revenue"]["current"]["label"] == "其中：营业收入"


def test_prior_year_in_first_column(tmp_path):
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "2020年度"), (430, "2021年度")], rows=ROWS)
    out = extract_report(pdf).to_json()
    assert _values(out)["selling_expense"] == (40000, 50000)
    assert out["fiscal_year"] == 2021


def test_period_words_instead_of_years(tmp_path):
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "上期发生额"), (430, "本期发生额")], rows=ROWS)
    assert _values(extract_report(pdf).to_json())["rnd_expense"] == (20000, 30000)


def test_year_and_suffix_drawn_apart(tmp_path):
    header = [(60, "项目"), (240, "附注"), (310, "2021"), (352, "年度"), (420, "2020"), (462, "年度")]
    pdf = _statement(tmp_path, header=header, rows=ROWS)
    assert _values(extract_report(pdf).to_json())["admin_expense"] == (70000, 60000)


@pytest.mark.parametrize("note", ["30", "五(30)", "七、61"])
def test_note_reference_is_never_an_amount(tmp_path, note):
    rows = [(label, note if n else "", v) for label, n, v in ROWS]
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "2021年"), (430, "2020年")], rows=rows)
    out = extract_report(pdf).to_json()
    assert _values(out)["selling_expense"] == (50000, 40000)


def test_values_printed_above_their_label(tmp_path):
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")],
                     rows=ROWS, value_dy=-1.5)
    assert _values(extract_report(pdf).to_json())["revenue"] == (1000000, 900000)


def test_wan_yuan_unit(tmp_path):
    rows = [(label, n, tuple(v.replace(".00", "") for v in vals)) for label, n, vals in ROWS]
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")],
                     rows=rows, unit="单位：万元")
    out = extract_report(pdf).to_json()
    assert out["statement"]["multiplier"] == 10000
    assert _values(out)["selling_expense"] == (500000000, 400000000)


def test_parent_statement_is_not_taken(tmp_path):
    pdf = _statement(tmp_path, header=[(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")],
                     rows=ROWS, title="母公司利润表")
    out = extract_report(pdf).to_json()
    assert out["status"] == "error" and out["error"]["code"] == "no_income_statement"


def test_cas_statement_in_english(tmp_path):
    rows = [
        ("I. Total operating revenue", "", ("1,050,000.00", "950,000.00")),
        ("Including: Operating revenue", "V.30", ("1,000,000.00", "900,000.00")),
        ("Interest income", "", ("50,000.00", "50,000.00")),
        ("II. Total operating costs", "", ("800,000.00", "700,000.00")),
        ("Including: Cost of sales", "V.30", ("600,000.00", "500,000.00")),
        ("Selling expenses", "V.31", ("50,000.00", "40,000.00")),
        ("Administrative expenses", "V.32", ("70,000.00", "60,000.00")),
        ("R&D expenses", "V.33", ("30,000.00", "20,000.00")),
        ("Financial expenses", "V.34", ("-5,000.00", "3,000.00")),
        ("III. Operating profit", "", ("250,000.00", "250,000.00")),
    ]
    pdf = _statement(tmp_path, header=[(60, "Item"), (240, "Notes"), (330, "2021"), (440, "2020")], rows=rows,
                     title="Consolidated Income Statement", unit="Unit: RMB", title_x=120)
    out = extract_report(pdf).to_json()
    assert out["language"] == "en"
    assert _values(out)["revenue"] == (1000000, 900000)  # operating revenue, not the total with interest
    assert _values(out)["rnd_expense"] == (30000, 20000)


def _page(doc, lines, size=9):
    """Draw (x, y, text, right_aligned) items on a new page."""
    page = doc.new_page()
    for x, y, text, right in lines:
        w = pymupdf.get_text_length(text, fontname="helv", fontsize=size) if right and text.isascii() else 0
        font = "helv" if text.isascii() else FONT
        page.insert_text((x - w, y), text, fontname=font, fontsize=size)
    return page


def test_wrapped_english_label_with_numbers_on_second_line(tmp_path):
    doc = pymupdf.open()
    _page(doc, [
        (120, 60, "Consolidated Statement of Profit or Loss", False), (420, 90, "2021", False),
        (500, 90, "2020", False), (400, 102, "RMB'000", False), (480, 102, "RMB'000", False),
        (60, 120, "Revenue", False), (440, 120, "100,000", True), (520, 120, "90,000", True),
        (60, 135, "Cost of sales", False), (440, 135, "(60,000)", True), (520, 135, "(50,000)", True),
        (60, 150, "Selling and marketing", False),
        (60, 162, "expenses", False), (440, 162, "(12,247)", True), (520, 162, "(7,150)", True),
        (60, 177, "Research and development expenses", False), (440, 177, "(5,000)", True), (520, 177, "–", True),
        (60, 192, "Administrative expenses", False), (440, 192, "(8,000)", True), (520, 192, "(7,000)", True),
        (60, 207, "Operating profit", False), (440, 207, "14,753", True), (520, 207, "25,850", True),
    ])
    pdf = tmp_path / "hk.pdf"
    doc.save(pdf)
    out = extract_report(pdf).to_json()
    assert _values(out)["selling_expense"] == (12247000, 7150000)
    assert _values(out)["rnd_expense"] == (5000000, 0)  # "–" is nil, read as zero
    assert out["figures"]["selling_expense"]["current"]["label"].replace(" ", "") == "Sellingandmarketingexpenses"


def test_combined_statement_takes_consolidated_columns(tmp_path):
    doc = pymupdf.open()
    cols = (300, 370, 450, 520)
    rows = [("一、营业收入", ("1,000.00", "900.00", "400.00", "300.00")),
            ("减：营业成本", ("600.00", "500.00", "200.00", "150.00")),
            ("销售费用", ("50.00", "40.00", "20.00", "10.00")),
            ("管理费用", ("70.00", "60.00", "30.00", "20.00")),
            ("研发费用", ("30.00", "20.00", "5.00", "4.00")),
            ("二、营业利润", ("250.00", "280.00", "145.00", "116.00"))]
    items = [(200, 60, "2021年度合并及公司利润表", False), (480, 80, "单位：元", False),
             (300, 95, "合并", False), (450, 95, "公司", False)]
    items += [(c - 40, 108, y, False) for c, y in zip(cols, ("2021年度", "2020年度", "2021年度", "2020年度"))]
    y = 125
    for label, vals in rows:
        items.append((60, y, label, False))
        items += [(c, y, v, True) for c, v in zip(cols, vals)]
        y += 15
    _page(doc, items)
    pdf = tmp_path / "combined.pdf"
    doc.save(pdf)
    out = extract_report(pdf).to_json()
    assert out["statement"]["role"] == "combined"
    assert _values(out)["selling_expense"] == (50, 40)
    assert _values(out)["revenue"] == (1000, 900)


def test_statement_continued_on_next_page_without_header(tmp_path):
    doc = pymupdf.open()
    head = [(250, 60, "合并利润表", False), (480, 80, "单位：元", False), (60, 95, "项目", False),
            (320, 95, "2021年度", False), (430, 95, "2020年度", False)]
    first = [("一、营业总收入", "1,000.00", "900.00"), ("其中：营业收入", "1,000.00", "900.00"),
             ("二、营业总成本", "800.00", "700.00"), ("其中：营业成本", "600.00", "500.00")]
    second = [("销售费用", "50.00", "40.00"), ("管理费用", "70.00", "60.00"), ("研发费用", "30.00", "20.00"),
              ("三、营业利润", "200.00", "200.00"), ("四、利润总额", "200.00", "200.00")]
    for page_rows, top in ((first, head), (second, [(250, 40, "某某股份有限公司2021年年度报告", False)])):
        items = list(top)
        y = 115
        for label, a, b in page_rows:
            items += [(60, y, label, False), (360, y, a, True), (470, y, b, True)]
            y += 15
        _page(doc, items)
    _page(doc, [(250, 60, "母公司利润表", False), (320, 95, "2021年度", False), (430, 95, "2020年度", False),
                (60, 115, "销售费用", False), (360, 115, "5.00", True), (470, 115, "4.00", True)])
    pdf = tmp_path / "broken.pdf"
    doc.save(pdf)
    out = extract_report(pdf).to_json()
    assert out["statement"]["pages"] == [1, 2]
    assert _values(out)["selling_expense"] == (50, 40)  # not the parent's 5 / 4 on page 3
    assert out["figures"]["selling_expense"]["current"]["page"] == 2


def test_no_header_row_is_inferred_and_flagged(tmp_path):
    doc = pymupdf.open()
    items = [(250, 60, "合并利润表", False), (480, 80, "单位：元", False)]
    y = 100
    for label, a, b in [("一、营业收入", "1,000.00", "900.00"), ("减：营业成本", "600.00", "500.00"),
                        ("销售费用", "50.00", "40.00"), ("管理费用", "70.00", "60.00"),
                        ("研发费用", "30.00", "20.00"), ("二、营业利润", "250.00", "280.00")]:
        items += [(60, y, label, False), (360, y, a, True), (470, y, b, True)]
        y += 15
    _page(doc, items)
    pdf = tmp_path / "noheader.pdf"
    doc.save(pdf)
    out = extract_report(pdf).to_json()
    sel = out["figures"]["selling_expense"]["current"]
    assert sel["value"] == 50 and sel["confidence"] < 0.9
    assert "columns_inferred" in {f["id"] for f in out["flags"]}


@pytest.mark.parametrize(("cell", "year"), [
    ("2022 年12 月31 日", 2022),
    ("2022 年1 月1 日", 2021),            # restated opening balance: the close of 2021
    ("2022年01月01日", 2021),
    ("2022年1月1日至12月31日", 2022),     # a period, not an opening balance
    ("2022年度", 2022),
    ("1 January 2022", 2021),
    ("January 1, 2022", 2021),
    ("31 December 2022", 2022),
], ids=["year-end", "opening", "opening-padded", "period-from-1-january", "year", "en-opening",
        "en-us-opening", "en-year-end"])
def test_header_dates(cell, year):
    from extractor import patternbook
    from extractor.tables.rows import _classify_cell

    assert _classify_cell(cell, patternbook.load())[1] == year


@pytest.mark.parametrize("header,cols,marker,selling", [
    ([(60, "项目"), (240, "附注"), (320, "2021年度"), (410, "2020年度（已重述）")], (360, 470), "已重述", (50000, 40000)),
    ([(60, "项目"), (240, "附注"), (320, "本期发生额"), (410, "上期发生额(Restated)")], (360, 470), "Restated",
     (50000, 40000)),
    ([(60, "项目"), (200, "附注"), (280, "2021年度"), (370, "2020年度调整后"), (470, "2020年度调整前")],
     (320, 420, 520), "调整后", (50000, 40000)),
    ([(60, "项目"), (200, "附注"), (280, "2021年度"), (370, "2020年度调整前"), (470, "2020年度调整后")],
     (320, 420, 520), "调整后", (50000, 45000)),
    ([(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")], (360, 470), None, (50000, 40000)),
], ids=["zh marker", "en marker", "adjusted before unadjusted", "unadjusted first", "no marker"])
def test_restatement_marker_is_read_into_the_column(tmp_path, header, cols, marker, selling):
    rows = [(label, note, values + (("45,000.00",) if label == "销售费用" else values[-1:]))
            for label, note, values in ROWS] if len(cols) == 3 else ROWS
    pdf = _statement(tmp_path, header=header, rows=rows, cols=cols, note_x=200 if len(cols) == 3 else 250)
    out = extract_report(pdf).to_json()
    assert _values(out)["selling_expense"] == selling
    prior = out["figures"]["selling_expense"]["prior"]
    assert prior.get("restated") == marker
    assert "restated" not in out["figures"]["selling_expense"]["current"]


@pytest.mark.parametrize("header,markers,cols,selling,marker", [
    ([(60, "项目"), (330, "2021年"), (440, "2020年")], [(430, "(Restated)")], (360, 470), (50000, 40000), "Restated"),
    ([(60, "项目"), (300, "2021年度"), (440, "2020年度")], [(395, "调整后"), (485, "调整前")], (330, 420, 510),
     (50000, 40000), "调整后"),
    ([(60, "项目"), (300, "2021年度"), (440, "2020年度")], [(395, "调整前"), (485, "调整后")], (330, 420, 510),
     (50000, 45000), "调整后"),
], ids=["marker under the year", "two markers under one year", "unadjusted first"])
def test_restatement_marker_on_the_line_under_the_header(tmp_path, header, markers, cols, selling, marker):
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((250, 60), "合并利润表", fontname=FONT, fontsize=13)
    page.insert_text((470, 80), "单位：元", fontname=FONT, fontsize=9)
    for x, text in header:
        page.insert_text((x, 100), text, fontname=FONT, fontsize=9)
    for x, text in markers:
        page.insert_text((x, 112), text, fontname=FONT, fontsize=9)
    y = 130
    for label, _note, values in ROWS:
        if len(cols) == 3:
            values = values + (("45,000.00",) if label == "销售费用" else values[-1:])
        page.insert_text((60, y), label, fontname=FONT, fontsize=9)
        for right, v in zip(cols, values):
            page.insert_text((right - pymupdf.get_text_length(v, fontsize=9), y), v, fontsize=9)
        y += 16
    pdf = tmp_path / "statement.pdf"
    doc.save(pdf)
    out = extract_report(pdf).to_json()
    assert _values(out)["selling_expense"] == selling
    assert out["figures"]["selling_expense"]["prior"].get("restated") == marker
    assert out["fiscal_year"] == 2021


def test_format_lines_printed_without_amounts_are_rows_and_their_wraps_are_joined(tmp_path):
    """Labels wrapped at the label column's edge without a hanging indent: a format line printed
    without amounts is a row of its own (it does not swallow the next line's short label), and a
    format line's label that wraps is joined even without amounts."""
    rows = ROWS[:-1] + [
        ("加：其他收益", "", ("10,000.00", "8,000.00")),
        ("投资收益（损失以“－”号填列）", "", ("6,000.00", "4,000.00")),
        ("以摊余成本计量的金融资产终止确", "", ()),
        ("认收益", "", ()),
        ("汇兑收益", "", ()),
        ("净敞口套期收益", "", ()),
        ("其他收益", "", ("1,000.00", "1,000.00")),
        ("公允价值变动收益", "", ("-16,000.00", "-12,000.00")),
        ROWS[-1],
    ]
    header = [(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")]
    out = extract_report(_statement(tmp_path, header=header, rows=rows)).to_json()
    labels = [r["label"] for r in out["statements"]["income"]["rows"]]
    assert "以摊余成本计量的金融资产终止确认收益" in labels
    assert "净敞口套期收益" in labels and "其他收益" in labels
