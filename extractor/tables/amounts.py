"""Printed amount text -> Decimal.

Takes one token as printed in a statement (``"(1,234.56)"``, ``"－12,000"``, ``"—"``,
``"１２３"``) and gives a :class:`ParsedAmount` with the signed Decimal, or ``None`` when the
token is not an amount. Units are applied elsewhere (:func:`scale`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import regex

from .. import rxcache

# Characters that print as a minus sign in these reports: ASCII hyphen, full-width hyphen-minus,
# the Unicode minus, en dash and small hyphen-minus. NFKC turns U+FF0D into "-" already.
_MINUS = "-\u2212\u2013\ufe63\u2010\u2011"
# Dashes that stand alone in a cell mean "nothing" (zero or not applicable).
_NIL_TOKENS = {"-", "—", "–", "－", "−", "——", "--", "—-", "/", "‐", "―"}

_NUMBER = rxcache.compile(
    r"""
    ^(?P<neg_open>\()?                       # (1,234) negative
    (?P<sign>[MINUS])?\s*
    (?P<int>\d{1,3}(?:,\d{3})+|\d+)          # thousands-separated or plain digits
    (?P<frac>\.\d+)?
    (?P<neg_close>\))?$
    """.replace("MINUS", regex.escape(_MINUS)),
    regex.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class ParsedAmount:
    value: Decimal | None  # None for a dash: printed, but no amount ("nil")
    printed: str
    negative: bool = False
    grouped: bool = False  # had thousands separators or decimals: looks like money, not a note ref

    @property
    def is_nil(self) -> bool:
        return self.value is None


def normalise_token(text: str) -> str:
    """Full-width digits and punctuation to ASCII; drop inner spaces and stray currency marks."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = t.replace("，", ",").replace(" ", "").replace("\u00a0", "")
    t = t.replace("¥", "").replace("￥", "").replace("$", "")
    t = t.removeprefix("RMB")
    return t


@lru_cache(maxsize=1 << 15)  # the stages ask about the same cells again and again; the answer is immutable
def parse_amount(text: str) -> ParsedAmount | None:
    """Parse one printed token; ``None`` when it is not an amount (a label, a percentage, a date)."""
    t = normalise_token(text)
    if not t:
        return None
    if t in _NIL_TOKENS or unicodedata.normalize("NFKC", text).strip() in _NIL_TOKENS:
        return ParsedAmount(None, text)
    m = _NUMBER.match(t)
    if not m:
        return None
    if bool(m["neg_open"]) != bool(m["neg_close"]):
        return None
    if m["int"][0] == "0" and len(m["int"].split(",")[0]) > 1 or m["int"].startswith("0,"):
        return None  # "07,246", "0,423,021,865.10": no printed amount has a leading zero in its first group
    digits = m["int"].replace(",", "") + (m["frac"] or "")
    try:
        value = Decimal(digits)
    except InvalidOperation:  # pragma: no cover - the regex only admits digits
        return None
    negative = bool(m["neg_open"]) or bool(m["sign"])
    grouped = "," in m["int"] or bool(m["frac"])
    return ParsedAmount(-value if negative else value, text, negative, grouped)


def scale(value: Decimal, multiplier: Decimal | int) -> Decimal:
    """Apply a unit multiplier (万元 = 10,000) exactly."""
    return value * Decimal(multiplier)


def format_amount(value: Decimal, *, style: str = "minus", decimals: int = 2) -> str:
    """The inverse of :func:`parse_amount` for tests and sample generation."""
    q = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    v = value.quantize(q)
    body = f"{abs(v):,.{decimals}f}"
    if v < 0:
        return f"({body})" if style == "parens" else f"-{body}"
    return body
