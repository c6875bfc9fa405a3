"""Reading text with coordinates: fake-bold removal, line building, health."""

from __future__ import annotations

import pymupdf
import pytest

from extractor.read.document import open_document


def _pdf(tmp_path, draw):
    doc = pymupdf.open()
    page = doc.new_page()
    draw(page)
    p = tmp_path / "t.pdf"
    doc.save(p)
    return p


@pytest.mark.parametrize("offset", [0.2, 0.4, 0.6], ids=["0.2pt", "0.4pt", "0.6pt"])
def test_fake_bold_duplicates_removed(tmp_path, offset):
    def draw(page):
        for dx in (0, offset):
            page.insert_text((72 + dx, 100), "合并利润表", fontname="china-s", fontsize=14)
    doc = open_document(_pdf(tmp_path, draw))
    lines = doc.lines(0)
    assert [line.compact for line in lines] == ["合并利润表"]
    assert doc.health(0).duplicated_glyphs == 5


def test_values_slightly_above_label_share_the_line(tmp_path):
    def draw(page):
        page.insert_text((72, 100), "销售费用", fontname="china-s", fontsize=9)
        page.insert_text((300, 98.5), "2,547,745,650.95", fontsize=9)
        page.insert_text((72, 115), "管理费用", fontname="china-s", fontsize=9)
        page.insert_text((300, 113.5), "6,789,844,289.39", fontsize=9)
    lines = open_document(_pdf(tmp_path, draw)).lines(0)
    assert [line.text for line in lines] == ["销售费用 2,547,745,650.95", "管理费用 6,789,844,289.39"]


def test_health_counts_bad_characters(tmp_path):
    def draw(page):
        page.insert_text((72, 100), "营业收入 1,000", fontname="china-s")
    doc = open_document(_pdf(tmp_path, draw))
    h = doc.health(0)
    assert h.chars >= 8 and h.bad_chars == 0 and h.bad_share == 0
