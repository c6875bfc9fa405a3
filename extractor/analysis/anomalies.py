"""Anomaly flags ("Hujiang-style" related-party sales, DOMAIN.md §6) built from the figures read.

Takes the report's figures (revenue, selling expense), the :class:`~extractor.parties.PartiesRead`
(customers, related parties, related sales, cash from sales, receivables) and the flag settings of
patterns/flags.yaml, and gives :class:`~extractor.model.Flag` records whose evidence carries the
values, pages, names and threshold used. Every rule is a small function from facts to evidence;
what is missing makes a rule silent, never a guess. Also gives quality flags about the reading.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..model import Figure, Flag, Report
from ..parties import Customer, PartiesRead, RelatedParty
from ..parties.names import NameRules, match_pair, normalise
from ..patternbook import FlagSpec, PatternBook

Evidence = dict[str, Any]


@dataclass
class Facts:
    """What the rules look at: a pair (current, prior) per figure, and the parties read."""

    revenue: tuple[Figure | None, Figure | None]
    selling: tuple[Figure | None, Figure | None]
    cash: tuple[Figure | None, Figure | None]
    receivables: tuple[Figure | None, Figure | None]
    parties: PartiesRead
    rules: NameRules

    @classmethod
    def of(cls, report: Report, parties: PartiesRead, book: PatternBook) -> Facts:
        def pair(item: str) -> tuple[Figure | None, Figure | None]:
            return report.figure(item, "current"), report.figure(item, "prior")
        return cls(pair("revenue"), pair("selling_expense"),
                   (parties.cash_from_sales["current"], parties.cash_from_sales["prior"]),
                   (parties.receivables["current"], parties.receivables["prior"]),
                   parties, NameRules.from_book(book))


def growth(pair: tuple[Figure | None, Figure | None]) -> float | None:
    """Year-on-year growth; undefined without both years or from a base of zero or less."""
    cur, pri = pair
    if cur is None or pri is None or pri.value <= 0:
        return None
    return float((cur.value - pri.value) / pri.value)


def _fig(f: Figure | None) -> dict[str, Any] | None:
    """The evidence form of a figure: value, printed text, page, where it came from."""
    if f is None:
        return None
    return {"value": float(f.value), "printed": f.printed, "page": f.page, "source": f.source, "label": f.label}


def _pct_text(v: Decimal | float | None) -> str:
    return "n/a" if v is None else f"{float(v):.2%}"


# ------------------------------------------------------------------------------- rules

def _matches(facts: Facts, min_score: float) -> list[tuple[Customer, RelatedParty, Any]]:
    """Top-five customers whose names match a related party (anonymised names never match)."""
    top = facts.parties.top5
    if top is None or not facts.parties.parties:
        return []
    norm_parties = [(p, normalise(p.name, facts.rules)) for p in facts.parties.parties]
    out = []
    for c in top.customers:
        if c.anonymised:
            continue
        left = normalise(c.name, facts.rules)
        best = None
        for p, right in norm_parties:
            m = match_pair(left, right, min_score)
            if m is not None and (best is None or m.score > best[2].score):
                best = (c, p, m)
        if best is not None:
            out.append(best)
    return out


def _disclosed_cover(facts: Facts, matched: list[tuple[Customer, RelatedParty, Any]], tol: float
                     ) -> set[str]:
    """Customers the report itself treats as related: marked 是, or covered by the printed share of
    related-party sales within the top five (SZSE tables have no 是/否 column)."""
    top = facts.parties.top5
    covered = {c.name for c, _, _ in matched if c.related is True}
    if top is None or top.related_share is None:
        return covered
    budget = float(top.related_share.value) + tol
    for c, _, _ in sorted(matched, key=lambda t: -(float(t[0].share.value) if t[0].share else 0.0)):
        if c.related is None and c.share is not None and float(c.share.value) <= budget:
            covered.add(c.name)
            budget -= float(c.share.value)
    return covered


def rule_undisclosed_related_customer(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    matched = _matches(facts, spec.thresholds.get("min_name_score", 90))
    covered = _disclosed_cover(facts, matched, spec.thresholds.get("share_tolerance", 0.0005))
    top = facts.parties.top5
    out = []
    for c, p, m in matched:
        if c.name in covered or c.related is True:
            continue
        marked = "marked 否" if c.related is False else (
            f"top-five related share printed as {top.related_share.printed}" if top and top.related_share
            else "no related-party disclosure for the top five")
        out.append({"customer": c.name, "customer_page": c.page, "customer_rank": c.rank,
                    "customer_amount": _fig(c.amount), "customer_share": c.share.printed if c.share else None,
                    "marked": marked, "party": p.name, "relationship": p.relationship, "party_page": p.page,
                    "score": m.score, "method": m.method, "normalised": m.core,
                    "threshold": spec.thresholds.get("min_name_score", 90)})
    return out


def rule_related_customer_disclosed(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    matched = _matches(facts, spec.thresholds.get("min_name_score", 90))
    covered = _disclosed_cover(facts, matched, 0.0005)
    top = facts.parties.top5
    out = []
    for c, p, m in matched:
        if c.name not in covered:
            continue
        out.append({"customer": c.name, "customer_page": c.page, "customer_share": c.share.printed if c.share else "n/a",
                    "customer_amount": _fig(c.amount), "party": p.name, "relationship": p.relationship,
                    "party_page": p.page, "score": m.score, "method": m.method,
                    "related_share": top.related_share.printed if top and top.related_share else "n/a",
                    "related_share_page": top.related_share.page if top and top.related_share else None,
                    "related_sales": _related_sales_evidence(facts)})
    return out


def rule_cash_revenue_divergence(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    g_rev, g_cash = growth(facts.revenue), growth(facts.cash)
    threshold = spec.thresholds.get("min_revenue_growth", 0.30)
    if g_rev is None or g_cash is None or g_rev < threshold or g_cash >= 0:
        return []
    rev, cash = facts.revenue[0], facts.cash[0]
    ratio = float(cash.value / rev.value) if rev and cash and rev.value else float("nan")
    return [{"revenue_growth": g_rev, "cash_growth": g_cash, "cash_to_revenue": ratio,
             "revenue": [_fig(f) for f in facts.revenue], "cash_from_sales": [_fig(f) for f in facts.cash],
             "threshold": threshold}]


def _dsri(facts: Facts) -> tuple[float, float, float] | None:
    (ar_c, ar_p), (rev_c, rev_p) = facts.receivables, facts.revenue
    if not (ar_c and ar_p and rev_c and rev_p) or rev_c.value <= 0 or rev_p.value <= 0 or ar_p.value <= 0:
        return None
    rc, rp = float(ar_c.value / rev_c.value), float(ar_p.value / rev_p.value)
    return rc / rp, rc, rp


def rule_receivables_outpace_revenue(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    g_ar, g_rev = growth(facts.receivables), growth(facts.revenue)
    threshold = spec.thresholds.get("min_gap", 0.30)
    if g_ar is None or g_rev is None or g_ar - g_rev < threshold:
        return []
    d = _dsri(facts)
    return [{"receivables_growth": g_ar, "revenue_growth": g_rev, "gap": g_ar - g_rev,
             "dsri": d[0] if d else float("nan"), "receivables": [_fig(f) for f in facts.receivables],
             "revenue": [_fig(f) for f in facts.revenue], "threshold": threshold}]


def rule_dsri_high(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    d = _dsri(facts)
    threshold = spec.thresholds.get("min_dsri", 1.465)
    if d is None or d[0] < threshold:
        return []
    return [{"dsri": d[0], "ratio_current": d[1], "ratio_prior": d[2],
             "receivables": [_fig(f) for f in facts.receivables], "revenue": [_fig(f) for f in facts.revenue],
             "threshold": threshold}]


def top5_share(facts: Facts) -> tuple[float, str, int | None] | None:
    """The top five's share of revenue: as printed, else computed from their total or their rows."""
    top, rev = facts.parties.top5, facts.revenue[0]
    if top is None:
        return None
    if top.total_share is not None:
        return float(top.total_share.value), f"printed {top.total_share.printed}", top.total_share.page
    amounts = [c.amount.value for c in top.customers if c.amount is not None]
    total = top.total.value if top.total is not None else (sum(amounts, Decimal(0)) if amounts else None)
    if total is None or rev is None or rev.value <= 0:
        return None
    page = top.total.page if top.total else top.pages[0]
    return float(total / rev.value), "top-five total / revenue", page


def rule_customer_concentration(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    got = top5_share(facts)
    threshold = spec.thresholds.get("min_share", 0.70)
    if got is None or got[0] < threshold:
        return []
    top = facts.parties.top5
    return [{"share": got[0], "share_from": got[1], "page": got[2], "anonymised": top.anonymised if top else None,
             "customers": [{"name": c.name, "share": c.share.printed if c.share else None} for c in top.customers]
             if top else [], "threshold": threshold}]


def related_sales_value(facts: Facts) -> tuple[Decimal, str, int | None] | None:
    """Sales to related parties this year: the notes table, else the MD&A summary."""
    sales = facts.parties.sales
    if sales is None:
        return None
    total = sales.total("current")
    if total is not None and total > 0:
        page = sales.pages[0] if sales.pages else None
        return total, f"the notes table on page {page}", page
    if sales.mdna is not None:
        return sales.mdna.value, f"the MD&A on page {sales.mdna.page}", sales.mdna.page
    return None


def _related_sales_evidence(facts: Facts) -> dict[str, Any] | None:
    sales = facts.parties.sales
    if sales is None:
        return None
    total = sales.total("current")
    return {"notes_total": float(total) if total is not None else None, "notes_pages": sales.pages,
            "mdna": _fig(sales.mdna)}


def rule_related_party_sales_share(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    got, rev = related_sales_value(facts), facts.revenue[0]
    threshold = spec.thresholds.get("min_share", 0.20)
    if got is None or rev is None or rev.value <= 0:
        return []
    share = float(got[0] / rev.value)
    if share < threshold:
        return []
    return [{"share": share, "related_sales": float(got[0]), "related_sales_wan": float(got[0] / 10000),
             "sales_from": got[1], "page": got[2], "revenue": _fig(rev), "detail": _related_sales_evidence(facts),
             "threshold": threshold}]


def rule_selling_flat_revenue_jump(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    g_rev, g_sel = growth(facts.revenue), growth(facts.selling)
    t_rev, t_sel = spec.thresholds.get("min_revenue_growth", 0.30), spec.thresholds.get("max_selling_growth", 0.05)
    if g_rev is None or g_sel is None or g_rev < t_rev or g_sel > t_sel:
        return []
    return [{"revenue_growth": g_rev, "selling_growth": g_sel, "revenue": [_fig(f) for f in facts.revenue],
             "selling_expense": [_fig(f) for f in facts.selling], "threshold": {"min_revenue_growth": t_rev,
                                                                               "max_selling_growth": t_sel}}]


def rule_low_cash_to_revenue(facts: Facts, spec: FlagSpec) -> list[Evidence]:
    cash, rev = facts.cash[0], facts.revenue[0]
    threshold = spec.thresholds.get("max_ratio", 0.90)
    if cash is None or rev is None or rev.value <= 0:
        return []
    ratio = float(cash.value / rev.value)
    if ratio >= threshold:
        return []
    return [{"cash_to_revenue": ratio, "cash_from_sales": _fig(cash), "revenue": _fig(rev), "threshold": threshold}]


RULES: dict[str, Callable[[Facts, FlagSpec], list[Evidence]]] = {
    "undisclosed_related_customer": rule_undisclosed_related_customer,
    "cash_revenue_divergence": rule_cash_revenue_divergence,
    "receivables_outpace_revenue": rule_receivables_outpace_revenue,
    "customer_concentration": rule_customer_concentration,
    "related_party_sales_share": rule_related_party_sales_share,
    "related_customer_disclosed": rule_related_customer_disclosed,
    "selling_flat_revenue_jump": rule_selling_flat_revenue_jump,
    "dsri_high": rule_dsri_high,
    "low_cash_to_revenue": rule_low_cash_to_revenue,
}


# ------------------------------------------------------------------------------- messages and flags

class _Missing(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, evidence: Evidence) -> str:
    """The message with the evidence filled in; a value that does not fit its format is shown plain."""
    try:
        return template.format_map(_Missing(evidence)).strip()
    except (ValueError, TypeError, KeyError):
        plain = {k: v for k, v in evidence.items()}
        out = []
        for literal, name, _spec, _conv in string.Formatter().parse(template):
            out.append(literal)
            if name is not None:
                out.append(str(plain.get(name, "{" + name + "}")))
        return "".join(out).strip()


SHARE_KEYS = ("share",)
GROWTH_KEYS = ("revenue_growth", "cash_growth", "receivables_growth", "selling_growth")


def implausible(evidence: Evidence, book: PatternBook) -> list[str]:
    """What in an anomaly's evidence is impossible under the plausibility bounds of thresholds.yaml:
    a share of revenue outside [0, max_share_of_revenue], a growth above max_revenue_growth. Such a
    value comes from a misread (a table's unit, a column), never from the report."""
    out = []
    max_share = float(book.value("max_share_of_revenue"))
    for k in SHARE_KEYS:
        v = evidence.get(k)
        if isinstance(v, (int, float)) and not 0 <= v <= max_share:
            out.append(f"{k} {v:.2%} outside [0, {max_share:.0%}] of revenue")
    max_growth = float(book.value("max_revenue_growth"))
    for k in GROWTH_KEYS:
        v = evidence.get(k)
        if isinstance(v, (int, float)) and v > max_growth:
            out.append(f"{k} {v:+.0%} above the bound {max_growth:+.0%}")
    return out


def anomaly_flags(report: Report, parties: PartiesRead, book: PatternBook) -> list[Flag]:
    """Every enabled rule of flags.yaml, in file order, as flags with evidence. Evidence outside the
    plausibility bounds makes a quality flag (``implausible_value``) instead of the anomaly."""
    facts = Facts.of(report, parties, book)
    flags: list[Flag] = []
    for fid, spec in book.flags.items():
        rule = RULES.get(fid)
        if rule is None or not spec.enabled:
            continue
        for evidence in rule(facts, spec):
            problems = implausible(evidence, book)
            if problems:
                flags.append(Flag("implausible_value", "medium",
                                  f"{fid} not raised: {'; '.join(problems)} (a unit or column misread; check the "
                                  "pages in the evidence)", {"rule": fid, "problems": problems, **evidence},
                                  kind="quality"))
                continue
            flags.append(Flag(fid, spec.severity, render(spec.message, evidence), evidence, kind="anomaly"))
    return flags


def reading_flags(parties: PartiesRead, is_cas: bool) -> list[Flag]:
    """Quality flags: what the related-party rules could not look at, so silence is not read as clean."""
    out: list[Flag] = []

    def q(fid: str, message: str, **evidence: Any) -> None:
        out.append(Flag(fid, "info", message, dict(evidence), kind="quality"))

    if parties.top5 is None:
        q("top5_customers_not_found", "no top-five customer disclosure found: concentration and name matching "
          "were not checked")
    elif parties.top5.anonymised:
        q("top5_customers_anonymised", "top-five customer names are anonymised: they cannot be matched against "
          "related parties", pages=parties.top5.pages)
    if is_cas and not parties.parties:
        q("related_parties_not_found", "no related-party list found in the notes: name matching was not checked")
    if is_cas and parties.cash_from_sales["current"] is None:
        q("cash_from_sales_not_found", "销售商品、提供劳务收到的现金 not found in the consolidated cash-flow "
          "statement: cash_revenue_divergence was not checked")
    if is_cas and parties.receivables["current"] is None:
        q("receivables_not_found", "应收账款 not found in the consolidated balance sheet: "
          "receivables_outpace_revenue was not checked")
    return out
