"""Scanned statements inside a text report (江西铜业 2025's kind, issue 22): the text layer says where
the statements are, so only their pages are OCR'd, in the report's language; the text layer's
notes and MD&A confirm the digits OCR read or catch a misread one; a time-out inside OCR ends as
``timeout`` with one line on stderr.

The report is made from sample s02 (scripts/samplegen/badfiles.py ``scanned_statements``): its
front part keeps its text but not its printed contents, the financial section is numbered from
1 at the audit report and opens with a contents page of its own (合并利润表 4 - 5), and the
section's six statement pages are images."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.pipeline import Options, extract_report
from extractor.read import ocr

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXTRACTOR = Path(sys.executable).parent / "extractor"
sys.path.insert(0, str(ROOT / "scripts"))
from samplegen.badfiles import scanned, scanned_statements, scanned_statements_page

SAMPLE = "s02_ashare_libreoffice"
SECTION = list(range(9, 19))  # 审计报告 .. 关联方: the financial section, numbered 1..10
STATEMENTS = list(range(10, 16))  # balance sheets, income statements, cash-flow statement: images
INCOME_PAGES = [12, 13]  # the consolidated income statement, in the made report

needs_chi_sim = pytest.mark.skipif(
    not ocr.available("chi_sim"),
    reason="Tesseract with chi_sim is not installed (apt install tesseract-ocr tesseract-ocr-chi-sim)")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scanned_statements") / "statements_scanned.pdf"
    return scanned_statements(SAMPLES / f"{SAMPLE}.pdf", out, STATEMENTS, SECTION, dpi=200)


def _truth() -> dict:
    return json.loads((SAMPLES / f"{SAMPLE}.truth.json").read_text(encoding="utf-8"))["figures"]


@needs_chi_sim
def test_statement_pages_located_before_ocr(made):
    report = extract_report(made, Options(timeout=120))
    r = report.to_json()
    assert r["status"] == "ok", (r["error"], r.get("missing"))
    for item, per in _truth().items():
        for period, want in per.items():
            got = r["figures"][item][period]
            assert got is not None, (item, period)
            assert Decimal(str(got["value"])) == Decimal(want["value"]), (item, period, got["printed"])
            assert got["page"] == scanned_statements_page(SECTION, want["page"]), (item, period)
            assert got["source"] == "income_statement" and got["ocr"] is True, (item, period)
    flag = next(f for f in r["flags"] if f["id"] == "ocr_used")
    # the section's contents pointed at the statement's two pages: no other scan was OCR'd
    assert flag["evidence"]["pages"] == INCOME_PAGES
    assert flag["evidence"]["languages"] == ["chi_sim"]  # the text layer is simplified Chinese
    assert set(flag["evidence"]["seconds"]) == {str(p) for p in INCOME_PAGES}
    assert any(line.startswith("contents on page 8: '合并利润表' printed page(s) 4-5 -> PDF page(s) 12, 13")
               for line in report.locate_log), report.locate_log
    # the notes and the MD&A print the expenses in the text layer: every digit OCR read is confirmed
    for item in ("selling_expense", "rnd_expense", "admin_expense"):
        for period in ("current", "prior"):
            got = r["figures"][item][period]
            notes = next(c for c in got["checks"] if c["name"] == "notes_total")
            assert notes["passed"] and notes["other_page"] in (16, 17), (item, period, notes)
            assert any("OCR reading confirmed by the text layer" in n for n in got["notes"]), (item, period)


@needs_chi_sim
def test_ocr_misread_digit_is_caught(made, monkeypatch):
    """Tesseract misreads a digit of 销售费用 (3,264,369.34 -> 3,264,869.34): the notes and the MD&A
    print the line in the text layer, so the figure fails both checks, loses confidence, says why,
    and a cross_check_failed flag gives both values and pages."""
    read = ocr.repair_amount_words

    def misread(words):
        return [(t.replace("3,264,369.34", "3,264,869.34"), *box) for t, *box in read(words)]

    monkeypatch.setattr(ocr, "repair_amount_words", misread)
    r = extract_report(made, Options(timeout=120)).to_json()
    fig = r["figures"]["selling_expense"]["current"]
    assert fig["value"] == 3264869.34 and fig["ocr"] is True
    failed = {c["name"]: c for c in fig["checks"] if not c["passed"]}
    assert set(failed) == {"notes_total", "mdna_expense_table"}
    assert failed["notes_total"]["other_value"] == 3264369.34 and failed["notes_total"]["other_page"] == 16
    assert fig["confidence"] < 0.5
    assert any("a digit may be misread by OCR" in n for n in fig["notes"])
    assert not any("OCR reading confirmed" in n for n in fig["notes"])
    flag = next(f for f in r["flags"] if f["id"] == "cross_check_failed"
                and f["evidence"]["item"] == "selling_expense" and f["evidence"]["period"] == "current")
    assert flag["evidence"]["value"] == 3264869.34
    # the other figures are still confirmed
    prior = r["figures"]["selling_expense"]["prior"]
    assert any("OCR reading confirmed" in n for n in prior["notes"])


ENGINES = {  # engine: (dpi, seconds the run may take)
    # the tesseract program is killed at the deadline: the report ends within seconds of it
    "tesseract": (300, 15.0),
    # PyMuPDF's built-in Tesseract cannot be interrupted: the page under way finishes first (the
    # alarm then fires inside MuPDF's callback into Python, where it must not raise)
    "mupdf": (150, 60.0),
}


@needs_chi_sim
@pytest.mark.parametrize("engine", sorted(ENGINES), ids=sorted(ENGINES))
def test_timeout_inside_ocr_is_one_line(tmp_path, engine):
    if engine == "tesseract" and shutil.which("tesseract") is None:
        pytest.skip("the tesseract program is not installed (apt install tesseract-ocr)")
    if not ocr.available("chi_sim+chi_tra+eng"):
        pytest.skip("Tesseract's chi_sim, chi_tra and eng data are not all installed")
    pdf = scanned(SAMPLES / f"{SAMPLE}.pdf", tmp_path / "scan.pdf")  # no text at all: OCR page after page
    patterns = tmp_path / "patterns"
    patterns.mkdir()
    # three languages (nothing readable tells the language): a page takes seconds, two cannot be enough
    dpi, bound = ENGINES[engine]
    (patterns / "slow.yaml").write_text(
        f"schema: extractor.patterns/1\nkind: thresholds\nvalues:\n  ocr_engine: {engine}\n  ocr_dpi: {dpi}\n",
        encoding="utf-8")
    t0 = time.perf_counter()
    res = subprocess.run([str(EXTRACTOR), "extract", str(pdf), "--json", "--timeout", "2", "--patterns", str(patterns)],
                         capture_output=True, text=True, timeout=300, check=False)
    wall = time.perf_counter() - t0
    assert res.returncode == 1, res.stderr
    assert json.loads(res.stdout)["error"]["code"] == "timeout"
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"error: {pdf}: [timeout] ") and "raise --timeout" in lines[0]
    assert wall < bound, wall


# --- the parts, without Tesseract ------------------------------------------------------------


@pytest.mark.parametrize(("text", "number"), [
    ("江西铜业股份有限公司2025 年年度报告 \n2 / 91 \n \n重要提示", 2),       # "N / total" under the header
    (" \n \n1 \n \n审计报告 \n安永华明（2026）审字第70013329_B01号", 1),      # alone at the top
    ("江西铜业股份有限公司 \n财务报表附注（续） \n2025年度 \n人民币元 \n106 \n五、", 106),
    ("正文\n" * 20 + "- 7 -\n", 7),                                        # at the foot
    ("正文\n" * 20 + "第 12 页\n", 12),
    ("合并利润表\n2025年度\n营业收入 52 544,623,484,060\n" + "正文\n" * 20, None),  # no number alone
    ("2025\n" + "正文\n" * 20, None),                                      # a year is no page number
], ids=["n_of_total", "top", "in_header", "dashes", "di_ye", "none", "year"])
def test_printed_page_number(text, number):
    from extractor.statement.scanned import printed_number

    assert printed_number(text, 262) == number


def test_tesseract_words_set_as_a_text_layer():
    """Runs joined within a line and across blocks, brackets put right, specks dropped, amounts repaired."""
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        (1, 1, 1, 1, 200, 100, 40, 20, "合并"), (1, 1, 1, 2, 240, 100, 40, 20, "利润表"),
        (1, 1, 1, 3, 282, 100, 18, 20, "〈续)"),
        (1, 1, 2, 1, 200, 200, 40, 20, "销售"), (1, 1, 2, 2, 242, 200, 40, 20, "费用"),
        (2, 1, 1, 1, 600, 200, 20, 20, "七"), (2, 1, 1, 2, 638, 202, 24, 18, "、54"),
        (3, 1, 1, 1, 800, 200, 120, 20, "386.,937,040"), (3, 1, 1, 2, 990, 200, 10, 20, "_"),
    ]
    tsv = "\n".join([head] + [f"5\t1\t{b}\t{p}\t{ln}\t{w}\t{x}\t{y}\t{wd}\t{h}\t90\t{t}"
                              for b, p, ln, w, x, y, wd, h, t in rows])
    text, words = ocr._read_tsv(tsv, 0.5, 0.5)
    assert text.splitlines() == ["合并利润表(续)", "销售费用", "七、54", "386.,937,040"]
    got = {w[0]: w[1:] for w in ocr.repair_amount_words(words)}
    assert set(got) == {"合并利润表(续)", "销售费用", "七、54", "386,937,040"}
    assert got["销售费用"] == (100.0, 100.0, 141.0, 110.0)  # page coordinates: pixels x 0.5


def test_deadline_waits_while_pymupdf_code_runs():
    """The alarm must not raise inside PyMuPDF's code (a callback from MuPDF's C code turns an
    exception into a printed SWIG traceback and an "internal" Director error): it waits until the
    work is back in the extractor's code, then the report times out."""
    import os

    import pymupdf

    from extractor.errors import ExtractionTimeoutError
    from extractor.read.limits import deadline

    inside = os.path.join(os.path.dirname(pymupdf.__file__), "_callback_under_test.py")
    code = compile("def callback(seconds):\n    import time\n    end = time.monotonic() + seconds\n"
                   "    while time.monotonic() < end:\n        pass\n    return 'finished'\n", inside, "exec")
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - a function whose frames look like PyMuPDF's
    results = []
    t0 = time.monotonic()
    with pytest.raises(ExtractionTimeoutError, match="raise --timeout"), deadline(0.05, "slow.pdf"):
        results.append(scope["callback"](0.4))  # the alarm rings at 0.05 s, inside
        while True:  # back in our code: the deferred alarm raises within its 50 ms retry
            pass
    assert results == ["finished"]
    assert time.monotonic() - t0 < 2.0


def test_error_after_the_deadline_is_a_timeout():
    """An error of work the time-out cut short (here one that a page guard swallowed the alarm
    into) is reported as the time-out."""
    from extractor.errors import ExtractionTimeoutError
    from extractor.read.limits import DeadlinePassed, deadline

    with pytest.raises(ExtractionTimeoutError), deadline(0.05, "slow.pdf"):
        try:
            time.sleep(1)
        except DeadlinePassed:
            raise RuntimeError("FzErrorGeneric: code=1: Director error") from None
