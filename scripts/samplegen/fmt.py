"""Printing amounts the way statements do: unit scaling, thousands separators, negatives in
parentheses or with a minus, zero as a dash or a blank cell."""

from __future__ import annotations

from decimal import Decimal

from .variants import Variant


def amount(yuan: Decimal | None, v: Variant, negate: bool = False) -> str:
    if yuan is None:
        return ""
    x = -yuan if negate else yuan
    disp = x / v.multiplier
    if disp == 0:
        return "" if v.zero_style == "blank" else v.zero_style
    s = f"{abs(disp):,.{v.decimals}f}"
    if disp < 0:
        return f"({s})" if v.negative_style == "parens" else f"-{s}"
    return s


def yuan(x: Decimal) -> str:
    """Always in yuan with fen, as A-share customer tables print them."""
    return f"{x:,.2f}" if x >= 0 else f"-{-x:,.2f}"


def pct(x: float | Decimal, digits: int = 2, sign: bool = False) -> str:
    v = float(x) * 100
    return f"{v:+.{digits}f}%" if sign else f"{v:.{digits}f}%"


def growth(cur: Decimal, prior: Decimal) -> float:
    return float((cur - prior) / prior) if prior else 0.0


def wan(x: Decimal) -> str:
    return f"{float(x) / 10_000:,.2f}"


def yi(x: Decimal) -> str:
    return f"{float(x) / 100_000_000:,.2f}"


def million(x: Decimal) -> str:
    return f"{float(x) / 1_000_000:,.1f}"


def money_str(x: Decimal) -> str:
    """Truth-file form: yuan with two decimals, no separators."""
    return f"{x:.2f}"
