"""Cross-year flags raised by a batch: new top-five customers against last year's report."""

from __future__ import annotations

import pytest

from extractor import patternbook
from extractor.analysis.crossyear import cross_year_flags


def result(year: int, names: list[str], code: str = "834379", anonymised: bool = False) -> dict:
    return {"file": f"r{year}.pdf", "status": "ok", "company": {"name": "某某股份有限公司", "code": code},
            "fiscal_year": year, "flags": [],
            "parties": {"top5": {"pages": [6], "customers": [{"name": n, "anonymised": anonymised} for n in names]}}}


OLD = ["东莞市正阳商贸有限公司", "苏州盛荣物流股份有限公司", "博远贸易有限公司", "华景新材料股份有限公司", "厦门金桥贸易有限公司"]


@pytest.mark.parametrize("new,flagged", [
    (["杭州新元商贸有限公司", "宁波天成电子有限公司", "合肥锦程物流有限公司"] + OLD[:2], True),
    (["杭州新元商贸有限公司", "宁波天成电子有限公司"] + OLD[:3], False),   # two new: below the threshold
    (["正阳商贸(东莞)有限公司"] + OLD[1:], False),                        # same customer, printed otherwise
], ids=["three new", "two new", "renamed only"])
def test_new_top5_customers(new, flagged):
    results = [result(2020, OLD), result(2021, new)]
    cross_year_flags(results, patternbook.load())
    ids = [f["id"] for f in results[1]["flags"]]
    assert ("new_top5_customers" in ids) == flagged
    assert results[0]["flags"] == []  # the earlier year has nothing to compare with
    if flagged:
        ev = results[1]["flags"][0]["evidence"]
        assert ev["new_count"] == 3 and ev["prior_file"] == "r2020.pdf" and ev["threshold"] == 3


def test_anonymised_and_other_companies_are_not_compared():
    results = [result(2020, OLD), result(2021, ["客户一", "客户二", "客户三", "客户四", "客户五"], anonymised=True),
               result(2021, ["甲公司有限公司", "乙公司有限公司", "丙公司有限公司"], code="600519")]
    cross_year_flags(results, patternbook.load())
    assert all(not r["flags"] for r in results)


# --- prior_year_restated -------------------------------------------------------------------------

def fig(value: float, printed: str, page: int, multiplier: int = 1, restated: str | None = None) -> dict:
    f = {"value": value, "printed": printed, "page": page, "label": "销售费用", "multiplier": multiplier,
         "column": "2020年度", "bbox": [0, 0, 1, 1]}
    return f | ({"restated": restated} if restated else {})


def report(year: int, current: dict, prior: dict | None = None, code: str = "600118") -> dict:
    figures = {item: {"current": None, "prior": None} for item in ("revenue", "selling_expense", "rnd_expense",
                                                                      "admin_expense")}
    figures["selling_expense"] = {"current": current, "prior": prior}
    return {"file": f"r{year}.pdf", "status": "ok", "company": {"name": "某某股份有限公司", "code": code},
            "fiscal_year": year, "flags": [], "figures": figures}


def restated(results: list[dict]) -> list[dict]:
    cross_year_flags(results, patternbook.load())
    return [f for r in results for f in r["flags"] if f["id"] == "prior_year_restated"]


@pytest.mark.parametrize("earlier,later,flagged", [
    (fig(66201067.16, "66,201,067.16", 78), fig(53750000.00, "53,750,000.00", 73, restated="调整后"), True),
    (fig(66201067.16, "66,201,067.16", 78), fig(66201067.16, "66,201,067.16", 73), False),
    (fig(6620000.0, "662.00", 40, multiplier=10000), fig(6620100.0, "6,620,100.00", 41), False),  # 万元 rounding
    (fig(6620000.0, "662.00", 40, multiplier=10000), fig(6640000.0, "6,640,000.00", 41), True),
    (fig(1000.0, "1,000", 5), fig(1001.0, "1,001", 6), False),   # one unit of the last digit printed
    (fig(1000.0, "1,000", 5), fig(1002.0, "1,002", 6), True),
], ids=["restated, marked", "unchanged", "wan rounding", "wan restated", "last digit", "two units"])
def test_prior_year_restated(earlier, later, flagged):
    results = [report(2023, earlier), report(2024, fig(43364634.46, "43,364,634.46", 73), later)]
    flags = restated(results)
    assert bool(flags) == flagged
    if flagged:
        (flag,) = flags
        assert flag in results[1]["flags"] and flag["kind"] == "anomaly" and flag["severity"] in ("info", "low")
        ev = flag["evidence"]
        assert ev["item"] == "selling_expense" and ev["prior_year"] == 2023
        assert (ev["restated"]["printed"], ev["restated"]["page"]) == (later["printed"], later["page"])
        assert (ev["earlier"]["printed"], ev["earlier"]["page"], ev["earlier"]["file"]) == \
            (earlier["printed"], earlier["page"], "r2023.pdf")
        assert ev["change"] == pytest.approx(later["value"] - earlier["value"])
        assert ev["marker"] == later.get("restated")
        assert later["printed"] in flag["message"] and earlier["printed"] in flag["message"]
        if later.get("restated"):
            assert later["restated"] in flag["message"]


@pytest.mark.parametrize("years,codes", [((2022, 2024), ("600118", "600118")), ((2023, 2024), ("600118", "000001"))],
                         ids=["a year apart", "other company"])
def test_restatement_needs_consecutive_years_of_one_company(years, codes):
    results = [report(years[0], fig(100.0, "100.00", 1), code=codes[0]),
               report(years[1], fig(50.0, "50.00", 2), fig(90.0, "90.00", 2), code=codes[1])]
    assert restated(results) == []


def test_each_year_compared_with_the_one_before():
    results = [report(2021, fig(100.0, "100.00", 1)),
               report(2022, fig(120.0, "120.00", 1), fig(100.0, "100.00", 1)),      # unchanged
               report(2023, fig(130.0, "130.00", 1), fig(110.0, "110.00", 1))]      # 120 restated to 110
    flags = restated(results)
    assert [f["evidence"]["prior_year"] for f in flags] == [2022]
    assert results[1]["flags"] == [] and results[2]["flags"] == flags


def test_real_pair_of_consecutive_years_unchanged_figures_are_not_flagged():
    """中国卫星 (600118) 2023 and 2024: the 2023 report restated 2022 net profit (调整后 / 调整前 in its key
    data), but none of the four statement figures; the 2024 report's 2023 column repeats the 2023 report's."""
    from .conftest import ROOT

    shared = ROOT.parent / "shared"
    pair = [shared / "real-reports" / "a600118_zgwx_2023.pdf", shared / "real-corpus" / "600118_2024.pdf"]
    missing = [str(p) for p in pair if not p.exists()]
    if missing:
        pytest.skip(f"real reports not available: {', '.join(missing)} (they live in ../shared)")
    from extractor.pipeline import extract_report

    results = [extract_report(p).to_json() for p in pair]
    assert [r["fiscal_year"] for r in results] == [2023, 2024]
    assert {r["company"]["code"] for r in results} == {"600118"}
    from extractor.analysis.crossyear import consecutive_pairs

    assert len(consecutive_pairs(results)) == 1
    assert restated(results) == []
    later, earlier = results[1]["figures"]["selling_expense"]["prior"], results[0]["figures"]["selling_expense"]["current"]
    assert (later["printed"], later["page"], earlier["printed"], earlier["page"]) == \
        ("66,201,067.16", 73, "66,201,067.16", 78)
