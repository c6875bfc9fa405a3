"""Flags that need two years of the same company: raised by a batch, not by one report.

Takes the result objects of a batch (the contract's JSON) and adds, to each report whose prior
year is in the batch too (same stock code, fiscal year one less), the ``new_top5_customers`` flag
of patterns/flags.yaml when enough of its named top-five customers were not among last year's.
Anonymised names are never compared.
"""

from __future__ import annotations

from typing import Any

from ..parties.names import NameRules, match_pair, normalise
from ..patternbook import PatternBook
from .anomalies import render

FLAG = "new_top5_customers"


def _named_customers(result: dict[str, Any]) -> list[str]:
    top = ((result.get("parties") or {}).get("top5") or {})
    return [c["name"] for c in top.get("customers") or [] if c.get("name") and not c.get("anonymised")]


def cross_year_flags(results: list[dict[str, Any]], book: PatternBook) -> None:
    """Add cross-year flags to ``results`` in place."""
    spec = book.flags.get(FLAG)
    if spec is None or not spec.enabled:
        return
    rules = NameRules.from_book(book)
    min_new = int(spec.thresholds.get("min_new", 3))
    min_score = float(spec.thresholds.get("min_name_score", 90))
    by_key = {((r.get("company") or {}).get("code"), r.get("fiscal_year")): r
              for r in results if r.get("status") != "error" and (r.get("company") or {}).get("code")}
    for (code, year), cur in by_key.items():
        prior = by_key.get((code, year - 1)) if isinstance(year, int) else None
        if prior is None or not isinstance(year, int):
            continue
        now, before = _named_customers(cur), _named_customers(prior)
        if len(now) < min_new or not before:
            continue
        old = [normalise(n, rules) for n in before]
        new = [n for n in now if not any(match_pair(normalise(n, rules), o, min_score) for o in old)]
        if len(new) < min_new:
            continue
        evidence = {"new_names": "、".join(new), "new_count": len(new), "customers": now,
                    "prior_customers": before, "prior_file": prior.get("file"), "prior_year": year - 1,
                    "pages": ((cur.get("parties") or {}).get("top5") or {}).get("pages"),
                    "threshold": min_new}
        cur.setdefault("flags", []).append({"id": FLAG, "severity": spec.severity, "kind": "anomaly",
                                            "message": render(spec.message, evidence), "evidence": evidence})
