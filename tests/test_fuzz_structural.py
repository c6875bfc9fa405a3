"""The fuzz run's structural mutations (scripts/samplegen/badfiles.py STRUCTURAL), short and seeded:
each makes a different, deterministic file aimed at the income statement, and the extractor ends
it with a contract status, within its deadline, never `internal`, never with a silently different
figure (scripts/fuzz_pdfs.py's definition). The long run on real reports is
`scripts/fuzz_pdfs.py --from ../shared/real-reports`."""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pymupdf
import pytest

from extractor.errors import ERROR_CODES
from extractor.pipeline import Options, extract_report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import fuzz_pdfs
from samplegen.badfiles import STRUCTURAL, Target, mutate_structure

SAMPLE = ROOT / "samples" / "s01_bse_reportlab.pdf"
BOUND = 20.0


@pytest.fixture(scope="module")
def baseline() -> tuple[fuzz_pdfs.Result, Target]:
    report = extract_report(SAMPLE, Options(timeout=60, ocr=False)).to_json()
    figures, quality = fuzz_pdfs._summary(report)
    return fuzz_pdfs.Result(report["status"], "", 0.0, "unmutated", figures, quality), Target.from_report(report)


def test_target_is_the_income_statement(baseline):
    _, target = baseline
    assert target.statement_pages and target.headers
    page, bbox, printed = target.amounts[0][1:]
    with pymupdf.open(SAMPLE) as doc:
        assert printed in doc[page].get_text("text", clip=pymupdf.Rect(bbox) + (-1, -1, 1, 1))


@pytest.mark.parametrize("kind", STRUCTURAL)
def test_structural_mutation_ends_in_the_contract(tmp_path, baseline, kind):
    base, target = baseline
    data = SAMPLE.read_bytes()
    mutated, description = mutate_structure(data, kind, random.Random(f"7:{kind}"), target)
    again, _ = mutate_structure(data, kind, random.Random(f"7:{kind}"), target)
    assert mutated == again  # seeded: the same case every time
    assert mutated != data and description.startswith(kind)
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(mutated)
    t0 = time.monotonic()
    report = extract_report(path, Options(timeout=BOUND, ocr=False))
    assert time.monotonic() - t0 < BOUND + 2
    assert report.status in ("ok", "partial", "error")
    if report.status == "error":
        assert report.error["code"] in ERROR_CODES and report.error["code"] != "internal", report.error
        return
    figures, quality = fuzz_pdfs._summary(report.to_json())
    case = fuzz_pdfs.Result(report.status, "", 0.0, description, figures, quality)
    assert fuzz_pdfs.silent_differences(base, case) == [], description


def test_silent_difference_is_a_changed_figure_nothing_explains():
    base = fuzz_pdfs.Result("ok", "", 0.0, "", {"rnd_expense.current": (100.0, 0.99)}, frozenset())

    def case(value, confidence=0.99, quality=frozenset(), outcome="ok"):
        return fuzz_pdfs.Result(outcome, "", 0.0, "", {"rnd_expense.current": (value, confidence)}, quality)

    assert fuzz_pdfs.silent_differences(base, case(0.0)) == ["rnd_expense.current 100.0 -> 0.0 at 0.99"]
    assert fuzz_pdfs.silent_differences(base, case(100.0)) == []  # the same
    assert fuzz_pdfs.silent_differences(base, case(None, outcome="partial")) == []  # missing, and said so
    assert fuzz_pdfs.silent_differences(base, case(0.0, confidence=0.6)) == []  # lower confidence
    assert fuzz_pdfs.silent_differences(base, case(0.0, quality=frozenset({"blank_cell"}))) == []  # a flag


def test_fuzz_run_from_a_folder_keeps_failing_cases(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    keep = tmp_path / "keep"
    code = fuzz_pdfs.main(["--from", str(folder), "--cases", "2", "--jobs", "1", "--kinds", "blank_amount,move_header",
                           "--keep", str(keep)])
    assert code == (1 if (keep / "cases.tsv").is_file() else 0)
