"""OCR fallback: scanned reports built from the samples (pages rendered to images at 200 dpi) read
to the right figures, marked ``ocr`` and with lower confidence; only candidate pages are OCR'd."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.pipeline import Options, extract_report
from extractor.read import ocr
from extractor.read.ocr import narrow_languages, repair_amount

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "scripts"))
from samplegen.badfiles import scanned

needs_tesseract = pytest.mark.skipif(
    not ocr.available("chi_sim+chi_tra+eng"),
    reason="Tesseract with chi_sim, chi_tra and eng is not installed "
           "(apt install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng)")

# (sample, pages of the scanned copy (None: keep all), pages kept with their text layer,
#  {sample page: page in the copy}, pages expected to be OCR'd)
SCANS = {
    # an A-share report whose statements were scanned in: the income statement and, as a
    # distractor, the cash-flow statement are images; the contents page points at the section
    "zh_statements_scanned": ("s01_bse_reportlab", None, tuple(p for p in range(1, 20) if p not in (13, 14, 16)),
                              {13: 13, 14: 14}, [13, 14]),
    # a US-style report scanned whole (cover, MD&A page, the statement, a notes page): no text at all
    "en_fully_scanned": ("s06_us_chromium", [1, 4, 6, 7, 9], (), {6: 3, 7: 4}, None),
}


@needs_tesseract
@pytest.mark.parametrize("case", sorted(SCANS), ids=sorted(SCANS))
def test_scanned_report_reads_by_ocr(tmp_path, case):
    sample, pages, keep, page_map, ocr_pages = SCANS[case]
    path = scanned(SAMPLES / f"{sample}.pdf", tmp_path / f"{case}.pdf", pages=pages, keep_text=keep)
    r = extract_report(path, Options(timeout=300)).to_json()
    assert r["status"] == "ok", r["error"]
    truth = json.loads((SAMPLES / f"{sample}.truth.json").read_text(encoding="utf-8"))["figures"]
    for item, per in truth.items():
        for period, want in per.items():
            got = r["figures"][item][period]
            assert got is not None, (item, period)
            assert Decimal(str(got["value"])) == Decimal(want["value"]), (item, period, got["printed"])
            assert got["page"] == page_map[want["page"]]
            assert got["ocr"] is True
            _assert_ocr_confidence(got)
    flag = next(f for f in r["flags"] if f["id"] == "ocr_used")
    if ocr_pages is not None:
        assert flag["evidence"]["pages"] == ocr_pages  # the distractor scans were never OCR'd


def _assert_ocr_confidence(fig: dict) -> None:
    """An OCR'd figure stays discounted unless the text layer prints the same value (a check passed
    on equal values), which takes the OCR discount back."""
    confirmed = [c for c in fig["checks"] if c["passed"] and c["other_value"] == fig["value"]]
    if confirmed:
        assert any("OCR reading confirmed" in n for n in fig["notes"]), fig["notes"]
    else:
        assert fig["confidence"] < 0.9, fig


def test_text_layer_figures_are_not_ocr():
    r = extract_report(SAMPLES / "s01_bse_reportlab.pdf").to_json()
    assert r["figures"]["revenue"]["current"]["ocr"] is False
    assert "ocr_used" not in [f["id"] for f in r["flags"]]


def test_missing_tesseract_says_how_to_install(tmp_path, monkeypatch):
    path = scanned(SAMPLES / "s06_us_chromium.pdf", tmp_path / "scan.pdf", pages=[6, 7], dpi=72)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "no-tessdata"))
    ocr.tessdata.cache_clear()
    try:
        r = extract_report(path).to_json()
    finally:
        ocr.tessdata.cache_clear()
    assert r["error"]["code"] == "no_text_layer"
    assert "apt install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra" in r["error"]["message"]


@pytest.mark.parametrize(("read", "repaired"), [
    ("1957.131.57", "1,957,131.57"),       # a comma read as a point
    ("39464291.79", "39,464,291.79"),      # commas lost
    ("20.511660.87", "20,511,660.87"),     # one comma read as a point, the next one lost
    ("21,558,959,23", "21,558,959.23"),    # the decimal point read as a comma
    ("158.044,.634.56", "158,044,634.56"),  # both, and a doubled separator
    ("304,994,465,.53", "304,994,465.53"),
    ("(1,234.56)", "(1,234.56)"),
    ("-865,856.56", "-865,856.56"),
    ("1.392.603", "1,392,603"),            # thousands (千元 statements) with points
    ("386.,937,040", "386,937,040"),       # whole yuan: a doubled separator
    ("1.685,679,186", "1,685,679,186"),    # a point among commas
    ("1118,434,386", "1,118,434,386"),     # a comma lost
    ("(1262,658,951)", "(1,262,658,951)"),
    ("”498,244,870,652", "498,244,870,652"),  # a speck read as a quote
    ("_337,755,246", "337,755,246"),
    ("1.234", "1.234"),                    # a lone point may be a decimal
    ("2021.12.31", "2021.12.31"),          # a date stays a date
    ("12.5", "12.5"),                      # a percentage or ratio stays
    ("五(43)", "五(43)"),
], ids=lambda v: v)
def test_repair_ocr_amounts(read, repaired):
    assert repair_amount(read) == repaired


@pytest.mark.parametrize(("sample", "languages"), [
    ("公司财务报表 资产负债表 营业收入 应收账款 经营活动现金流量 " * 10, "chi_sim"),
    ("公司財務報表 資產負債表 營業收入 應收賬款 經營活動現金流量 " * 10, "chi_tra"),
    ("公司财务报表 资产负债表 LME 营业收入 应收账款 经营活动现金流量 " * 10, "chi_sim"),  # the odd abbreviation
    ("公司财务报表 Consolidated balance sheet 资产负债表 Revenue 营业收入 " * 10, "chi_sim+eng"),  # bilingual
    ("Consolidated statement of profit or loss and other comprehensive income for the year " * 4, "eng"),
    ("$IBOH[IPV :VBOIBOH /FX .BUFSJBMT $P -UE \"OOVBM 3FQPSU DPOTPMJEBUFE " * 6, "chi_sim+chi_tra+eng"),
    ("", "chi_sim+chi_tra+eng"),
], ids=["simplified", "traditional", "simplified_abbreviations", "bilingual", "english", "garbage", "nothing"])
def test_ocr_languages_follow_the_report(sample, languages):
    assert narrow_languages("chi_sim+chi_tra+eng", sample) == languages
