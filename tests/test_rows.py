"""Rows and columns rebuilt from word positions, on small statements drawn for each case."""

from __future__ import annotations

import pymupdf
import pytest

from extractor.extract import extract_report

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
