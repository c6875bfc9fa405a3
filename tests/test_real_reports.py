"""End to end on the six real annual reports in ../shared/real-reports (hand-checked values)."""

from __future__ import annotations

import pytest

from extractor.extract import extract_report

from .conftest import REAL, real_expected

ITEMS = {"revenue": "revenue", "selling": "selling_expense", "rnd": "rnd_expense", "admin": "admin_expense"}
CASES = real_expected()


@pytest.fixture(scope="module")
def results():
    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            cache[name] = extract_report(REAL / name).to_json()
        return cache[name]

    return get


@pytest.mark.real
@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_statement_figures(real_dir, results, case):
    out = results(case["file"])
    if case["statement_page"] is None:
        # a copy without statements: an error, or MD&A figures clearly labelled, never statement figures
        if out["status"] == "error":
            assert out["error"]["code"] == "no_income_statement"
        else:
            for per in out["figures"].values():
                for f in per.values():
                    assert f is None or f["source"] == "mdna"
        return
    assert out["status"] in ("ok", "partial")
    assert case["statement_page"] in out["statement"]["pages"]
    for period in ("current", "prior"):
        for key, item in ITEMS.items():
            want = case[period][key]
            got = out["figures"][item][period]
            if want is None:
                fallback = (case.get("rnd_fallback") or {}).get(period) if key == "rnd" else None
                if got is not None:  # found elsewhere: must be labelled and right
                    assert got["source"] in ("notes", "mdna")
                    if fallback:
                        assert got["value"] == pytest.approx(fallback["yuan"], abs=0.011)
                continue
            assert got is not None, f"{item}/{period} missing"
            assert got["value"] == pytest.approx(abs(want["yuan"]), abs=0.011), f"{item}/{period}"
            assert got["page"] == want["page"], f"{item}/{period} page"
            assert got["printed"] == want["printed"]
            assert got["source"] == "income_statement"
            assert got["confidence"] >= 0.9


@pytest.mark.real
@pytest.mark.parametrize("case", [c for c in CASES if c["statement_page"]], ids=lambda c: c["file"])
def test_company_and_year(real_dir, results, case):
    out = results(case["file"])
    assert out["fiscal_year"] == case["year"]
    assert out["company"]["code"] and out["company"]["code"].lstrip("0") in case["code"].lstrip("0")
    assert out["company"]["name"] and out["company"]["name"][:4] in case["company"]


@pytest.mark.real
def test_hk_units_and_signs(real_dir, results):
    out = results("hk_pegbio_2025.pdf")
    assert out["statement"]["multiplier"] == 1000
    sel = out["figures"]["selling_expense"]["current"]
    assert sel["printed"] == "(12,247)" and sel["value"] == 12247000
    assert out["figures"]["revenue"]["current"]["value"] == 0
