from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.tables.amounts import format_amount, parse_amount

CASES = [
    ("plain", "1234", Decimal(1234), False),
    ("separators", "12,345,678.90", Decimal("12345678.90"), True),
    ("parentheses", "(12,247)", Decimal(-12247), True),
    ("full-width parentheses", "（1,234.56）", Decimal("-1234.56"), True),
    ("ascii minus", "-37,865,156.06", Decimal("-37865156.06"), True),
    ("full-width minus", "－1,000.00", Decimal("-1000.00"), True),
    ("unicode minus", "−1,000.00", Decimal("-1000.00"), True),
    ("en dash minus", "–1,000", Decimal(-1000), True),
    ("full-width digits", "１２，３４５．６７", Decimal("12345.67"), True),
    ("decimals only", "0.55", Decimal("0.55"), True),
    ("spaces inside", "1 234 567.00", Decimal("1234567.00"), True),
    ("currency mark", "¥1,000.00", Decimal("1000.00"), True),
]


@pytest.mark.parametrize("text,value,grouped", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_parse_amount(text, value, grouped):
    p = parse_amount(text)
    assert p is not None and p.value == value and p.grouped == grouped
    assert p.printed == text


NIL = ["-", "—", "–", "－", "——", "−"]


@pytest.mark.parametrize("text", NIL)
def test_dash_is_nil(text):
    p = parse_amount(text)
    assert p is not None and p.is_nil and p.value is None


NOT_AMOUNTS = [
    ("label", "销售费用"),
    ("percentage", "12.5%"),
    ("note ref with comma", "七、61"),
    ("note ref with brackets", "五(30)"),
    ("date", "2021年"),
    ("bad grouping", "1,23,456"),
    ("unbalanced paren", "(1,234"),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_AMOUNTS], ids=[c[0] for c in NOT_AMOUNTS])
def test_not_an_amount(text):
    assert parse_amount(text) is None


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False),
       st.sampled_from(["minus", "parens"]))
def test_round_trip(value, style):
    printed = format_amount(value, style=style)
    p = parse_amount(printed)
    assert p is not None and p.value == value.quantize(Decimal("0.01"))
    assert p.negative == (value.quantize(Decimal("0.01")) < 0)
