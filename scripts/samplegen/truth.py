"""The truth file: expected figures with their printed text and pages, the report's variant, the
disclosures behind each anomaly flag, and the flags those disclosures imply under the contract's
default thresholds (computed from the data, never copied from the plan)."""

from __future__ import annotations

from decimal import Decimal

from .common import Facts
from .data import ZERO, ReportData
from .fmt import money_str
from .names import CORES, INDUSTRIES, PLACES

ITEMS = ("revenue", "selling_expense", "rnd_expense", "admin_expense")
THRESHOLDS = {"growth": 0.30, "receivables_pp": 0.30, "concentration": 0.70, "related_share": 0.20}

_T2S: dict[str, str] = {"責": "责"}
for _s, _t, _ in PLACES + CORES + INDUSTRIES:
    _T2S.update({a: b for a, b in zip(_t, _s) if a != b})


def normalise_name(name: str) -> str:
    """The generator's own notion of 'same entity' (an extractor may be cleverer, not stricter)."""
    s = "".join(_T2S.get(ch, ch) for ch in name).replace(" ", "").replace("　", "")
    s = s.replace("（", "(").replace("）", ")")
    for sfx in ("股份有限公司", "有限责任公司", "有限公司"):
        if s.endswith(sfx):
            s = s[: -len(sfx)]
            break
    for p, _, _ in PLACES:
        for form in (p.rstrip("市") + "市", p.rstrip("市")):
            if s.startswith(form):
                s = s[len(form):]
                break
    return s


def is_anonymised(name: str) -> bool:
    return any(name.startswith(p) for p in ("客户", "客戶", "第", "Customer"))


def compute_flags(d: ReportData) -> list[str]:
    inc, bs, cf = d.inc, d.bs, d.cf
    rev_c, rev_p = inc["revenue"]
    g_rev = (rev_c - rev_p) / rev_p
    flags = []
    related_names = {normalise_name(p.name) for p in d.related_parties}
    if not d.customers_anonymised and any(
            not c.related and not is_anonymised(c.name) and normalise_name(c.name) in related_names
            for c in d.customers):
        flags.append("undisclosed_related_customer")
    if g_rev >= Decimal(str(THRESHOLDS["growth"])) and cf["sales_cash"][0] < cf["sales_cash"][1]:
        flags.append("cash_revenue_divergence")
    g_ar = (bs["ar"][0] - bs["ar"][1]) / bs["ar"][1]
    if g_ar - g_rev >= Decimal(str(THRESHOLDS["receivables_pp"])):
        flags.append("receivables_outpace_revenue")
    top = sum((c.amount for c in d.customers), ZERO) / rev_c
    if top >= Decimal(str(THRESHOLDS["concentration"])):
        flags.append("customer_concentration")
    rel = sum((s.current for s in d.related_sales), ZERO) / rev_c
    if rel >= Decimal(str(THRESHOLDS["related_share"])):
        flags.append("related_party_sales_share")
    return flags


def clean_margins(d: ReportData, flags: list[str]) -> list[str]:
    """Problems if a flag that is not raised sits near its threshold (clean must be clearly clean)."""
    inc, bs, cf = d.inc, d.bs, d.cf
    rev_c, rev_p = inc["revenue"]
    g_rev = float((rev_c - rev_p) / rev_p)
    g_ar = float((bs["ar"][0] - bs["ar"][1]) / bs["ar"][1])
    top = float(sum((c.amount for c in d.customers), ZERO) / rev_c)
    rel = float(sum((s.current for s in d.related_sales), ZERO) / rev_c)
    out = []
    if "cash_revenue_divergence" not in flags and g_rev > 0.22 and cf["sales_cash"][0] < cf["sales_cash"][1]:
        out.append(f"revenue growth {g_rev:.2f} near threshold with cash falling")
    if "receivables_outpace_revenue" not in flags and g_ar - g_rev > 0.15:
        out.append(f"receivables growth margin {g_ar - g_rev:.2f} near threshold")
    if "customer_concentration" not in flags and top > 0.5:
        out.append(f"top-five share {top:.2f} near threshold")
    if "related_party_sales_share" not in flags and rel > 0.1:
        out.append(f"related sales share {rel:.2f} near threshold")
    return out


def build_truth(stem: str, d: ReportData, facts: Facts, tag_pages: dict[str, list[int]]) -> dict[str, object]:
    v = d.variant

    def page(tag: str) -> int:
        return tag_pages[tag][0]

    figures: dict[str, object] = {}
    for item in ITEMS:
        per = facts.figures[item]
        figures[item] = {
            name: {"value": money_str(abs(Decimal(per[i]["value"]))), "printed": per[i]["printed"],  # type: ignore[arg-type]
                   "page": page(str(per[i]["tag"])), "source": per[i]["source"]}
            for i, name in ((0, "current"), (1, "prior"))}
    is_pages = sorted({p for t, ps in tag_pages.items() if t.startswith("is:") for p in ps})
    rnd = None
    if d.rnd_input is not None:
        rnd = {name: {"total": money_str(d.rnd_input["total"][i]), "capitalised": money_str(d.rnd_input["capitalised"][i]),
                      "expensed": money_str(d.rnd_input["expensed"][i]), "page": page("rnd_input")}
               for i, name in ((0, "current"), (1, "prior"))}
    rev = d.inc["revenue"][0]
    top_total = sum((c.amount for c in d.customers), ZERO)
    extras = {
        "cash_from_sales": {"current": money_str(d.cf["sales_cash"][0]), "prior": money_str(d.cf["sales_cash"][1]),
                            "page": page(facts.tags["cash_from_sales"])},
        "receivables": {"current": money_str(d.bs["ar"][0]), "prior": money_str(d.bs["ar"][1]),
                        "page": page(facts.tags["receivables"])},
        "top5": {"page": page("top5:total"), "total_share": f"{top_total / rev:.4f}",
                 "customers": [{"name": c.name, "amount": money_str(c.amount), "related": c.related}
                               for c in d.customers]},
        "related_parties": [{"name": p.name, "relationship": p.relationship} for p in d.related_parties],
        "related_sales": {"current": money_str(sum((s.current for s in d.related_sales), ZERO)),
                          "prior": money_str(sum((s.prior for s in d.related_sales), ZERO)),
                          "page": page("related_sales:total")},
    }
    return {
        "schema": "extractor.truth/1", "file": f"{stem}.pdf", "seed": d.seed, "variant": v.truth_dict(),
        "company": {"name": d.company, "code": d.code}, "fiscal_year": d.year,
        "statement": {"title": facts.statement_title, "pages": is_pages},
        "figures": figures, "rnd_investment": rnd, "extras": extras, "flags": compute_flags(d),
    }
