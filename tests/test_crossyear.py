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
