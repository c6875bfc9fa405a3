"""Fuzzing, the short run: mutated copies of the samples (byte flips, truncation, zeroed runs,
duplicated and deleted objects, a broken startxref, swapped lines) each end ok, partial or error
with a contract code, never with an escaped exception or `internal`. The 1,000-case run with
counts of crashes and hangs is scripts/fuzz_pdfs.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from extractor.errors import ERROR_CODES
from extractor.pipeline import Options, extract_report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from samplegen.badfiles import MUTATIONS, fuzz_cases

CASES = fuzz_cases(sorted((ROOT / "samples").glob("*.pdf")), 8 * len(MUTATIONS), seed=424242)


@pytest.mark.parametrize(("name", "data"), CASES, ids=[name for name, _ in CASES])
def test_mutated_pdf_ends_with_a_contract_status(tmp_path, name, data):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    report = extract_report(path, Options(timeout=60, ocr=False))
    assert report.status in ("ok", "partial", "error")
    if report.status == "error":
        assert report.error["code"] in ERROR_CODES
        assert report.error["code"] != "internal", report.error["message"]
        assert report.error["message"].startswith(path.name)
