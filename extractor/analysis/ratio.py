"""The R&D versus selling (S&M) ratio the research uses, with defined edge cases.

Takes R&D expense, selling expense and revenue (Decimals or None) and gives the ratio record of
OUTPUT.md. Positive favours R&D, negative favours selling (DOMAIN.md §7):
signed multiple = R&D/S&M when R&D >= S&M, else -(S&M/R&D).
Edge cases: a missing figure gives value null with a reason; one figure zero and the other
positive gives value null (the multiple is unbounded) but a defined orientation and normalised
difference of +1/-1; both zero gives null; a negative figure gives null (not spending).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

DEFINITIONS = ("signed_multiple", "log_ratio", "normalised_difference")


def compute_ratio(rnd: Decimal | None, selling: Decimal | None, revenue: Decimal | None,
                  definition: str = "signed_multiple") -> dict[str, Any]:
    if definition not in DEFINITIONS:
        raise ValueError(f"unknown ratio definition {definition!r}; use one of {', '.join(DEFINITIONS)}")
    out: dict[str, Any] = {"definition": definition, "value": None, "orientation": None,
                           "signed_multiple": None, "log_ratio": None, "normalised_difference": None,
                           "rnd_intensity": None, "selling_intensity": None, "note": None,
                           "rnd": _f(rnd), "selling": _f(selling), "revenue": _f(revenue)}
    if revenue is not None and revenue > 0:
        if rnd is not None and rnd >= 0:
            out["rnd_intensity"] = round(float(rnd / revenue), 6)
        if selling is not None and selling >= 0:
            out["selling_intensity"] = round(float(selling / revenue), 6)
    if rnd is None or selling is None:
        missing = [n for n, v in (("R&D", rnd), ("selling", selling)) if v is None]
        out["note"] = f"{' and '.join(missing)} expense not found: ratio undefined"
        return out
    if rnd < 0 or selling < 0:
        out["note"] = "a negative expense (a reversal) makes the ratio meaningless"
        return out
    if rnd == 0 and selling == 0:
        out["note"] = "both R&D and selling expense are zero"
        return out
    out["normalised_difference"] = round(float((rnd - selling) / (rnd + selling)), 6)
    out["orientation"] = "rnd" if rnd >= selling else "selling"
    if rnd == 0 or selling == 0:
        out["note"] = f"{'R&D' if rnd == 0 else 'selling'} expense is zero: the multiple is unbounded"
    else:
        out["signed_multiple"] = round(float(rnd / selling if rnd >= selling else -(selling / rnd)), 6)
        out["log_ratio"] = round(math.log(float(rnd / selling)), 6)
    out["value"] = out[definition]
    return out


def _f(v: Decimal | None) -> float | None:
    return None if v is None else float(v)
