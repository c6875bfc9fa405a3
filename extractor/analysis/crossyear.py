"""Flags that need two years of the same company: raised by a batch, not by one report.

Takes the result objects of a batch (the contract's JSON) and adds flags of patterns/flags.yaml to
each report whose prior year is in the batch too (same stock code, fiscal year one less):

- ``new_top5_customers`` when enough of its named top-five customers were not among last year's
  (anonymised names are never compared);
- ``prior_year_restated``, one per figure whose prior-year value differs from the current-year value
  of last year's report by more than the printed precision of either (and ``min_change``): both
  values as printed, with their pages and files, the change, and the restatement marker of the
  column the prior value was read from (``已重述``, ``调整后``, ``Restated``) when the header prints one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..model import ITEMS
from ..parties.names import NameRules, match_pair, normalise
from ..patternbook import FlagSpec, PatternBook
from .anomalies import render

FLAG = "new_top5_customers"
RESTATED = "prior_year_restated"
ITEM_LABELS = {"revenue": "revenue", "selling_expense": "selling expense", "rnd_expense": "R&D expense",
               "admin_expense": "administrative expense"}


def _named_customers(result: dict[str, Any]) -> list[str]:
    top = ((result.get("parties") or {}).get("top5") or {})
    return [c["name"] for c in top.get("customers") or [] if c.get("name") and not c.get("anonymised")]


def consecutive_pairs(results: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(this year's result, last year's result) for each company with both years in ``results``."""
    by_key = {((r.get("company") or {}).get("code"), r.get("fiscal_year")): r
              for r in results if r.get("status") != "error" and (r.get("company") or {}).get("code")}
    pairs = []
    for (code, year), cur in by_key.items():
        if isinstance(year, int) and (code, year - 1) in by_key:
            pairs.append((cur, by_key[(code, year - 1)]))
    return pairs


def cross_year_flags(results: list[dict[str, Any]], book: PatternBook) -> None:
    """Add cross-year flags to ``results`` in place."""
    pairs = consecutive_pairs(results)
    spec = book.flags.get(FLAG)
    if spec is not None and spec.enabled:
        for cur, prior in pairs:
            _new_customers(cur, prior, spec, book)
    spec = book.flags.get(RESTATED)
    if spec is not None and spec.enabled:
        for cur, prior in pairs:
            restated_flags(cur, prior, spec)


def _new_customers(cur: dict[str, Any], prior: dict[str, Any], spec: FlagSpec, book: PatternBook) -> None:
    rules = NameRules.from_book(book)
    min_new = int(spec.thresholds.get("min_new", 3))
    min_score = float(spec.thresholds.get("min_name_score", 90))
    now, before = _named_customers(cur), _named_customers(prior)
    if len(now) < min_new or not before:
        return
    old = [normalise(n, rules) for n in before]
    new = [n for n in now if not any(match_pair(normalise(n, rules), o, min_score) for o in old)]
    if len(new) < min_new:
        return
    evidence = {"new_names": "、".join(new), "new_count": len(new), "customers": now,
                "prior_customers": before, "prior_file": prior.get("file"), "prior_year": cur["fiscal_year"] - 1,
                "pages": ((cur.get("parties") or {}).get("top5") or {}).get("pages"),
                "threshold": min_new}
    cur.setdefault("flags", []).append({"id": FLAG, "severity": spec.severity, "kind": "anomaly",
                                        "message": render(spec.message, evidence), "evidence": evidence})


def _decimal(v: Any) -> Decimal | None:
    try:
        return None if v is None or isinstance(v, bool) else Decimal(str(v))
    except InvalidOperation:
        return None


def printed_precision(fig: dict[str, Any]) -> Decimal:
    """One unit of the last digit printed, in yuan: 0.01 for 1,234.56 元; 100 for 1,234.56 万元."""
    printed = str(fig.get("printed") or "")
    digits = printed.rsplit(".", 1)[1] if "." in printed else ""
    decimals = len(digits) - len(digits.lstrip("0123456789"))
    multiplier = _decimal(fig.get("multiplier")) or Decimal(1)
    return Decimal(1).scaleb(-decimals) * multiplier


def restated_flags(cur: dict[str, Any], prior: dict[str, Any], spec: FlagSpec) -> None:
    """One ``prior_year_restated`` flag on ``cur`` per figure whose prior-year value is not what last year's
    report printed as its current year."""
    min_change = Decimal(str(spec.thresholds.get("min_change", 0)))
    year = cur["fiscal_year"] - 1
    for item in ITEMS:
        later = ((cur.get("figures") or {}).get(item) or {}).get("prior")
        earlier = ((prior.get("figures") or {}).get(item) or {}).get("current")
        if not later or not earlier:
            continue
        a, b = _decimal(later.get("value")), _decimal(earlier.get("value"))
        if a is None or b is None:
            continue
        change = a - b
        if abs(change) <= max(printed_precision(later), printed_precision(earlier)):
            continue
        if b and abs(change / b) < min_change:
            continue
        marker = later.get("restated")
        evidence = {
            "item": item, "label": ITEM_LABELS.get(item, item), "prior_year": year,
            # this report's prior-year figure (its page and box are shown in the review) ...
            "restated": {"value": float(a), "printed": later.get("printed"), "page": later.get("page"),
                         "label": later.get("label"), "column": later.get("column")},
            # ... and last year's report's current-year figure: another PDF, named by ``file``
            "earlier": {"value": float(b), "printed": earlier.get("printed"), "page": earlier.get("page"),
                        "label": earlier.get("label"), "column": earlier.get("column"), "file": prior.get("file")},
            "change": float(change), "change_pct": float(change / b) if b else None,
            "marker": marker,
            "marker_note": f"; the column is marked {marker!r} ({later.get('column')})" if marker else
                           "; the statement marks no restatement",
        }
        cur.setdefault("flags", []).append({"id": RESTATED, "severity": spec.severity, "kind": "anomaly",
                                            "message": render(spec.message, evidence), "evidence": evidence})
