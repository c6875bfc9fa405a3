"""No silent number (issue 25): a blank cell is no zero, a malformed amount is no amount, and a ratio
whose sign rests on an unsure reading says so."""

from __future__ import annotations

import pytest

from extractor.pipeline import extract_report
from extractor.tables.amounts import parse_amount

from .test_rows import _statement

ROWS = [  # a statement whose subtotals tie out, so every figure reads at full confidence
    ("一、营业总收入", "", ("1,000,000.00", "900,000.00")),
    ("其中：营业收入", "七、61", ("1,000,000.00", "900,000.00")),
    ("二、营业总成本", "", ("745,000.00", "623,000.00")),
    ("其中：营业成本", "七、61", ("600,000.00", "500,000.00")),
    ("销售费用", "七、63", ("50,000.00", "40,000.00")),
    ("管理费用", "七、64", ("70,000.00", "60,000.00")),
    ("研发费用", "七、65", ("30,000.00", "20,000.00")),
    ("财务费用", "七、66", ("-5,000.00", "3,000.00")),
    ("三、营业利润", "", ("255,000.00", "277,000.00")),
]
HEADER = [(60, "项目"), (240, "附注"), (320, "2021年度"), (430, "2020年度")]


@pytest.mark.parametrize("text", ["0,423,021,865.10", "(07,246)", "07", "0123"])
def test_leading_zero_group_is_no_amount(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize("text, value", [("0.50", "0.50"), ("0", "0"), ("(1,234)", "-1234"), ("10,000.00", "10000.00")])
def test_amounts_with_zero_are_still_amounts(text, value):
    parsed = parse_amount(text)
    assert parsed is not None and str(parsed.value) == value


def test_blank_cell_is_empty_and_flagged_not_zero(tmp_path):
    rows = [(label, note, ("", v[1]) if label == "研发费用" else v) for label, note, v in ROWS]
    out = extract_report(_statement(tmp_path, header=HEADER, rows=rows)).to_json()
    assert out["figures"]["rnd_expense"]["current"] is None
    assert out["figures"]["rnd_expense"]["prior"]["value"] == 20000
    flag = next(f for f in out["flags"] if f["id"] == "blank_cell")
    assert flag["evidence"]["item"] == "rnd_expense" and flag["evidence"]["period"] == "current"
    assert out["status"] == "partial"
    assert (out["ratio"] or {}).get("value") is None  # no ratio from a number never printed


def test_dash_is_a_printed_zero(tmp_path):
    rows = [(label, note, ("-", v[1]) if label == "研发费用" else v) for label, note, v in ROWS]
    out = extract_report(_statement(tmp_path, header=HEADER, rows=rows)).to_json()
    assert out["figures"]["rnd_expense"]["current"]["value"] == 0
    assert not [f for f in out["flags"] if f["id"] == "blank_cell"]


def test_ratio_from_an_unsure_reading_is_flagged(tmp_path):
    sure = extract_report(_statement(tmp_path, header=HEADER, rows=ROWS)).to_json()
    assert not [f for f in sure["flags"] if f["id"] == "ratio_uncertain"]
    # no unit line: every figure is read as 元 at lower confidence, so the ratio's sign is unsure
    unsure = extract_report(_statement(tmp_path, header=HEADER, rows=ROWS, unit="")).to_json()
    flag = next(f for f in unsure["flags"] if f["id"] == "ratio_uncertain")
    assert {f["item"] for f in flag["evidence"]["figures"]} == {"rnd_expense", "selling_expense"}
