"""Hong Kong / IFRS / US-style statements (issue 21): the group-total column among segment columns,
found by arithmetic and not by position; tie-out of statements that print expenses as deductions."""

from __future__ import annotations

import pymupdf
import pytest

from extractor.pipeline import extract_report

ROWS = [  # label, segment A, segment B (thousands); the total is their sum
    ("Revenue", 219_666, 2_044_081),
    ("Cost of revenue", -78_003, -1_180_790),
    ("Gross profit", 141_663, 863_291),
    ("Other income", 6_726, 17_648),
    ("Distribution expenses", -4_085, -23_320),
    ("Research and development expenses", -2_000, -9_000),
    ("Administrative expenses", -53_511, -235_038),
    ("Operating profit", 88_793, 613_581),
    ("Finance costs", -1_485, -85_948),
    ("Profit before taxation", 87_308, 527_633),
]


def _fmt(v: int) -> str:
    return f"({-v:,})" if v < 0 else f"{v:,}"


def _report(tmp_path, total_at: int, misprint: int = 0):
    """One statement with columns A, B and Total for 2021 and 2020 (2020 = 2021 × 0.8, rounded);
    ``total_at`` puts the total column first (0) or last (2) within each year."""
    doc = pymupdf.open()
    page = doc.new_page(width=700)
    page.insert_text((60, 50), "Consolidated Statement of Profit or Loss", fontsize=12)
    page.insert_text((60, 66), "For the year ended 31 December 2021", fontsize=9)
    rights = [300, 350, 400, 470, 520, 570]
    names = ["Segment A", "Segment B"]
    names.insert(total_at, "Total")
    for block, year in enumerate(("2021", "2020")):
        for i, name in enumerate(names):
            x = rights[block * 3 + i]
            page.insert_text((x - pymupdf.get_text_length(name, fontsize=8), 90), name, fontsize=8)
            page.insert_text((x - pymupdf.get_text_length(year, fontsize=8), 102), year, fontsize=8)
            page.insert_text((x - pymupdf.get_text_length("RMB'000", fontsize=8), 114), "RMB'000", fontsize=8)
    y = 132
    for label, a, b in ROWS:
        page.insert_text((60, y), label, fontsize=9)
        for block, scale in enumerate((1.0, 0.8)):
            va, vb = round(a * scale), round(b * scale)
            vals = [va, vb]
            total = va + vb + (misprint if label == "Operating profit" and block == 0 else 0)
            vals.insert(total_at, total)
            for i, v in enumerate(vals):
                text = _fmt(v)
                x = rights[block * 3 + i]
                page.insert_text((x - pymupdf.get_text_length(text, fontsize=8), y), text, fontsize=8)
        y += 15
    p = tmp_path / "segments.pdf"
    doc.save(p)
    return extract_report(p).to_json()


@pytest.mark.parametrize("total_at", [0, 2], ids=["total-first", "total-last"])
def test_group_total_column_found_by_arithmetic(tmp_path, total_at):
    out = _report(tmp_path, total_at)
    figs = out["figures"]
    assert figs["revenue"]["current"]["value"] == (219_666 + 2_044_081) * 1000
    assert figs["selling_expense"]["current"]["value"] == (4_085 + 23_320) * 1000  # Distribution expenses
    assert figs["admin_expense"]["prior"]["value"] == (round(53_511 * 0.8) + round(235_038 * 0.8)) * 1000
    assert figs["revenue"]["current"]["currency"] == "CNY"


def test_deduction_style_statement_ties_out(tmp_path):
    out = _report(tmp_path, 2)
    ties = out["statement"]["tieout"]
    assert {t["name"] for t in ties} == {"gross_profit", "operating_result", "before_tax"}
    assert all(t["passed"] for t in ties), ties
    assert not [f for f in out["flags"] if f["id"] == "tieout_failed"]
    assert out["figures"]["rnd_expense"]["current"]["confidence"] >= 0.9


def test_misprinted_subtotal_fails_tieout_and_lowers_confidence(tmp_path):
    out = _report(tmp_path, 2, misprint=1_000)
    failed = [t for t in out["statement"]["tieout"] if not t["passed"]]
    # the misprinted subtotal fails first; the one after it is computed from the printed value (a lost
    # row is the likelier reading error), so it disagrees by the same amount
    assert (failed[0]["name"], failed[0]["period"]) == ("operating_result", "current")
    assert {t["period"] for t in failed} == {"current"}
    assert failed[0]["printed"] - failed[0]["computed"] == 1_000
    assert out["figures"]["selling_expense"]["current"]["confidence"] < 0.9
    assert any(f["id"] == "tieout_failed" for f in out["flags"])


@pytest.mark.parametrize("header, year", [
    ("2021/22", 2022), ("FY2021-22", 2022), ("1999/00", 2000), ("2022", 2022), ("2021年度", 2021),
    ("2021-12-31", 2021), ("2021-12", 2021), ("二零二一年", 2021),
], ids=lambda v: str(v))
def test_fiscal_year_is_the_year_the_period_ends_in(header, year):
    from extractor import patternbook
    from extractor.tables.rows import _classify_cell
    assert _classify_cell(header, patternbook.load(()))[1] == year


@pytest.mark.parametrize("line, unit, currency", [
    ("(RMB and US$ in thousands, except for share and per share data)", "千元", "CNY"),
    ("(in thousands of US$)", "千美元", "USD"),
    ("US$'000", "千美元", "USD"),
    ("HK$'000", "千港元", "HKD"),
    ("人民幣千元", "千元", "CNY"),
], ids=lambda v: str(v))
def test_currency_as_printed(line, unit, currency):
    from extractor import patternbook
    from extractor.tables.units import unit_of_text
    got = unit_of_text(line, patternbook.load(()))
    assert got is not None and (got.unit, got.currency) == (unit, currency)
