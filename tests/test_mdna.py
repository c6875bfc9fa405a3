"""The MD&A's expense and R&D input tables: each takes its own unit line, never a unit named in the
text above it; drawn one-page PDFs."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest

from extractor import patternbook
from extractor.read.document import open_document
from extractor.sources.mdna import read_mdna

BOOK = patternbook.load()


def build_pdf(path: Path, cells: list[tuple[float, float, str]]) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for x, y, text in cells:
        page.insert_text((x, y), text, fontname="china-s", fontsize=9)
    doc.save(path)
    return path


def expense_page(unit_line: str | None) -> list[tuple[float, float, str]]:
    cells = [(60, 100, "前五名客户销售额7,061.26 万元，占年度销售总额12.19%；其中前五名客户销售额中关联方销"),
             (60, 114, "售额0 万元，占年度销售总额0%。"),
             (60, 140, "3. 费用"), (60, 156, "√适用"), (100, 156, "□不适用")]
    if unit_line:
        cells.append((420, 172, unit_line))
    cells += [(60, 188, "科目"), (250, 188, "本期数"), (350, 188, "上期数"), (450, 188, "变动比例（%）")]
    rows = [("销售费用", "346,559,179.93", "315,056,505.52", "10.00"),
            ("管理费用", "63,176,012.16", "49,722,190.26", "27.06")]
    for i, (label, cur, pri, chg) in enumerate(rows):
        y = 204 + 16 * i
        cells += [(60, y, label), (250, y, cur), (350, y, pri), (450, y, chg)]
    return cells


@pytest.mark.parametrize(("unit_line", "multiplier"), [(None, 1), ("单位：万元", 10000), ("单位：元 币种：人民币", 1)],
                         ids=["no-unit-line-under-a-sentence-in-wan", "own-wan", "own-yuan"])
def test_expense_table_takes_its_own_unit(tmp_path: Path, unit_line: str | None, multiplier: int) -> None:
    doc = open_document(build_pdf(tmp_path / "m.pdf", expense_page(unit_line)))
    got = read_mdna(doc, BOOK, 1)
    sel = got.expenses["selling_expense"]["current"]
    assert sel.value == Decimal("346559179.93") * multiplier and sel.multiplier == multiplier
    assert got.expenses["admin_expense"]["prior"].value == Decimal("49722190.26") * multiplier


def test_rounded_mdna_figure_agrees_within_its_rounding_and_rnd_input_is_another_measure() -> None:
    from extractor.analysis.checks import _check_mdna_expense, _check_mdna_rnd, _other_measure
    from extractor.model import Figure
    from extractor.sources.mdna import MdnaRead, Value

    fig = Figure(Decimal("346559179.93"), "346,559,179.93", 77, (0, 0, 0, 0), "销售费用", "income_statement", "p", 0.97)
    mdna = MdnaRead(expenses={"selling_expense": {"current": Value(Decimal(346560000), "34,656.00", 16,
                                                                     (0, 0, 0, 0), "销售费用", Decimal(10000))}},
                    rnd={"expensed": {"current": Value(Decimal("131573981.20"), "131,573,981.20", 10, (0, 0, 0, 0),
                                                       "本期费用化研发投入")}})
    _check_mdna_expense(fig, "selling_expense", "current", mdna)
    assert fig.checks[-1].passed  # 34,656.00万元 is 346,559,179.93 rounded to its last printed digit
    _check_mdna_rnd(fig, "current", mdna)
    assert not fig.checks[-1].passed and _other_measure(fig.checks[-1], fig)
    alone = Figure(Decimal("50398036.33"), "50,398,036.33", 53, (0, 0, 0, 0), "研发费用", "income_statement", "p", 0.97)
    _check_mdna_rnd(alone, "current", mdna)
    assert not _other_measure(alone.checks[-1], alone)  # nothing like-for-like agrees: a reading question


def test_unit_line_above_numbered_rows_is_the_tables() -> None:
    from extractor.read.document import Line, Word
    from extractor.tables.units import table_unit

    def line(y: float, *texts: str) -> Line:
        words = [Word(t, 60 + 120 * i, y, 100 + 120 * i, y + 9) for i, t in enumerate(texts)]
        return Line(words, 0)

    lines = [line(80, "4.研发投入"), line(96, "单位：万元"), line(112, "项目", "本期数"),
             line(128, "1.本期费用化研发投入", "13,157.40"), line(144, "2.本期资本化研发投入", "0.00")]
    assert table_unit(lines, 150, 0, BOOK).multiplier == 10000
    lines[1] = line(96, "研发投入合计较上年增加1,000万元。")
    assert table_unit(lines, 150, 0, BOOK).multiplier == 1
