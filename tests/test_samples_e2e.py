"""End to end on the committed sample reports: every figure as the truth file records it."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from extractor.pipeline import extract_report

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TRUTHS = sorted(SAMPLES.glob("*.truth.json"))


@pytest.fixture(scope="module")
def extracted():
    cache: dict[str, dict] = {}

    def get(pdf: Path) -> dict:
        if pdf.name not in cache:
            cache[pdf.name] = extract_report(pdf).to_json()
        return cache[pdf.name]

    return get


@pytest.mark.parametrize("truth_file", TRUTHS, ids=[t.name.split(".")[0] for t in TRUTHS])
def test_sample_figures(truth_file, extracted):
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    out = extracted(SAMPLES / truth["file"])
    assert out["status"] == "ok", out.get("error")
    assert out["fiscal_year"] == truth["fiscal_year"]
    assert set(truth["statement"]["pages"]) & set(out["statement"]["pages"])
    for item, per in truth["figures"].items():
        for period, want in per.items():
            got = out["figures"][item][period]
            if want is None:
                assert got is None
                continue
            assert got is not None, f"{item}/{period} missing"
            assert Decimal(str(got["value"])) == Decimal(want["value"]), f"{item}/{period}"
            assert got["page"] == want["page"], f"{item}/{period} page"
            assert got["source"] == want.get("source", "income_statement"), f"{item}/{period} source"
            assert got["printed"].replace(" ", "") == want["printed"].replace(" ", "")


def test_samples_exist():
    assert len(TRUTHS) >= 5, "samples/ should hold the committed sample reports (scripts/make_samples.py)"
