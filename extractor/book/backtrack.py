"""Patterns that can backtrack without end: nested quantifiers, found on the parsed pattern.

Takes a pattern's source and gives a problem (or None) for ``extractor patterns check``. A repeat
without an upper bound (``+``, ``*``, ``{n,}``) whose body can split the same text in more than one
way makes the matcher try every split when the rest of the pattern fails: ``(a+)+``, ``(a|aa)+``,
``(\\w+\\s?)*`` take time exponential in the length of the text. The body can split a text two ways
when it can end with a variable-length part (a repeat, an optional part, alternatives of different
lengths) whose characters can also begin the body; ``(?:\\d+,)*`` cannot (every pass ends with the
comma) and passes.

The pattern is parsed by Python's own parser (``re._parser``), not matched by a regex over its
text, after the ``regex``-only syntax is translated (``\\p{Han}`` to a class, version flags dropped).
A pattern the parser still cannot read is not judged here (``regex`` compiled it; the time budget,
thresholds.yaml ``pattern_timeout``, still holds it at run time).
"""

from __future__ import annotations

import re
import unicodedata
from re import _constants as _c  # type: ignore[attr-defined]  # the stdlib's own parser (Python 3.11+)
from re import _parser  # type: ignore[attr-defined]
from typing import Any

# regex-only syntax the stdlib parser would refuse, translated to something of the same shape
_TRANSLATE = [
    (re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]"), r"\\w"),  # a Unicode property: a class of characters
    (re.compile(r"\(\?[Vr]\d?\)|\(\?[fV]\d?\)"), ""),  # version / reverse / full-case flags
    (re.compile(r"\\X"), "."),
]
# characters tried when two classes (categories, negations) are compared
_SAMPLES = "aA0_ \t\n,.-:;()（）、，。：中年元%$#"
_CHAR_ITEMS = {_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())
_GROUPS = {_c.SUBPATTERN} | ({_c.ATOMIC_GROUP} if hasattr(_c, "ATOMIC_GROUP") else set())
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_ANY_CHAR = (_c.ANY, None)  # a character item that stands for every character


def nested_quantifier(source: str) -> str | None:
    """What makes ``source`` backtrack without end (the offending repeat, printed), or None."""
    text = source
    for rx, repl in _TRANSLATE:
        text = rx.sub(repl, text)
    try:
        parsed = _parser.parse(text, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    return _walk(list(parsed), source)


def _walk(seq: list[Any], source: str) -> str | None:
    for op, av in seq:
        if op in _REPEATS:
            high, body = av[1], list(av[2])
            if high == _c.MAXREPEAT and _ambiguous(body):
                return "nested quantifier: a repeat without an upper bound whose body can match the same text " \
                       "in more than one way (e.g. (a+)+, (a|aa)+, (\\w+\\s?)*) backtracks without end on " \
                       "text it does not match; make the body's end unambiguous (e.g. (?:\\d+,)*) or drop " \
                       "the inner repeat"
            found = _walk(body, source)
        elif op in _GROUPS:
            found = _walk(list(av[-1]), source)
        elif op == _c.BRANCH:
            found = next((f for b in av[1] if (f := _walk(list(b), source))), None)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _walk(list(av[1]), source)
        else:
            found = None
        if found:
            return found
    return None


def _ambiguous(body: list[Any]) -> bool:
    """Can one pass of ``body`` end with a variable part whose characters can start the next pass?"""
    tail, _ = _tail(body)
    if not tail:
        return False
    first, _ = _first(body)
    return _overlap(tail, first)


def _width(seq: list[Any]) -> tuple[int, int]:
    lo, hi = _parser.SubPattern(_parser.State(), seq).getwidth()
    return int(lo), int(hi)


def _first(seq: list[Any]) -> tuple[list[tuple[Any, Any]], bool]:
    """The character items a match of ``seq`` can begin with, and whether it can be empty."""
    out: list[tuple[Any, Any]] = []
    for op, av in seq:
        if op in _CHAR_ITEMS:
            return out + [(op, av)], False
        if op in _ZERO_WIDTH:
            continue
        if op in _REPEATS:
            sub, empty = _first(list(av[2]))
            out += sub
            if av[0] > 0 and not empty:
                return out, False
        elif op in _GROUPS:
            sub, empty = _first(list(av[-1]))
            out += sub
            if not empty:
                return out, False
        elif op == _c.BRANCH:
            empty_any = False
            for b in av[1]:
                sub, empty = _first(list(b))
                out += sub
                empty_any = empty_any or empty
            if not empty_any:
                return out, False
        else:  # a back-reference or anything else: it could begin with any character
            return out + [_ANY_CHAR], False
    return out, True


def _chars(seq: list[Any]) -> list[tuple[Any, Any]]:
    """Every character item ``seq`` can consume."""
    out: list[tuple[Any, Any]] = []
    for op, av in seq:
        if op in _CHAR_ITEMS:
            out.append((op, av))
        elif op in _REPEATS:
            out += _chars(list(av[2]))
        elif op in _GROUPS:
            out += _chars(list(av[-1]))
        elif op == _c.BRANCH:
            for b in av[1]:
                out += _chars(list(b))
        elif op not in _ZERO_WIDTH:
            out.append(_ANY_CHAR)
    return out


def _tail(seq: list[Any]) -> tuple[list[tuple[Any, Any]], bool]:
    """The characters of the variable-length parts ``seq`` can end with, and whether the walk back from
    its end reached its start (everything on the way could be empty or vary)."""
    out: list[tuple[Any, Any]] = []
    for op, av in reversed(seq):
        if op in _CHAR_ITEMS:
            return out, False
        if op in _ZERO_WIDTH:
            continue
        if op in _REPEATS:
            low, high, body = av[0], av[1], list(av[2])
            blo, bhi = _width(body)
            if low != high or blo != bhi:
                out += _chars(body)
            if low > 0 and blo > 0:
                return out, False
        elif op in _GROUPS:
            sub, through = _tail(list(av[-1]))
            out += sub
            if not through:
                return out, False
        elif op == _c.BRANCH:
            branches = [list(b) for b in av[1]]
            if _deterministic(branches):  # (?:,|and|&): the next character picks the alternative
                tails = [_tail(b) for b in branches]
                out += [x for t, _ in tails for x in t]
                if not any(through for _, through in tails):
                    return out, False
                continue
            widths = {_width(b) for b in branches}
            if len(widths) > 1 or any(lo != hi for lo, hi in widths):
                for b in branches:
                    out += _chars(b)
            if not any(lo == 0 for lo, _ in widths):
                return out, False
        else:
            return out + [_ANY_CHAR], False
    return out, True


def _deterministic(branches: list[list[Any]]) -> bool:
    """No alternative can be empty and no two can begin with the same character."""
    firsts = []
    for b in branches:
        first, empty = _first(b)
        if empty:
            return False
        firsts.append(first)
    return not any(_overlap(x, y) for i, x in enumerate(firsts) for y in firsts[i + 1:])


def _overlap(a: list[tuple[Any, Any]], b: list[tuple[Any, Any]]) -> bool:
    """Can some character match an item of ``a`` and an item of ``b``? Tried on the literals both name
    and on sample characters (letters, digits, spaces, CJK, punctuation)."""
    if any(op == _c.ANY for op, _ in a) and b or any(op == _c.ANY for op, _ in b) and a:
        return True
    candidates = set(_SAMPLES)
    for op, av in a + b:
        candidates |= _literals(op, av)
    return any(_matches(x, ch) and _matches(y, ch) for ch in candidates for x in a for y in b)


def _literals(op: Any, av: Any) -> set[str]:
    if op in (_c.LITERAL, _c.NOT_LITERAL):
        return {chr(av), chr(av).lower(), chr(av).upper()}
    if op == _c.IN:
        out: set[str] = set()
        for iop, iav in av:
            if iop == _c.LITERAL:
                out |= {chr(iav), chr(iav).lower(), chr(iav).upper()}
            elif iop == _c.RANGE:
                out |= {chr(iav[0]), chr(iav[1])}
        return out
    return set()


def _matches(item: tuple[Any, Any], ch: str) -> bool:
    op, av = item
    if op == _c.ANY:
        return True
    if op == _c.LITERAL:
        return ch.lower() == chr(av).lower()
    if op == _c.NOT_LITERAL:
        return ch.lower() != chr(av).lower()
    if op == _c.IN:
        negate = bool(av) and av[0][0] == _c.NEGATE
        hit = any(_in_item(iop, iav, ch) for iop, iav in av if iop != _c.NEGATE)
        return hit != negate
    return True


def _in_item(op: Any, av: Any, ch: str) -> bool:
    if op == _c.LITERAL:
        return ch.lower() == chr(av).lower()
    if op == _c.RANGE:
        return any(av[0] <= ord(c) <= av[1] for c in (ch, ch.lower(), ch.upper()))
    if op == _c.CATEGORY:
        name = str(av).lower()
        if "digit" in name:
            hit = unicodedata.category(ch) == "Nd"
        elif "space" in name:
            hit = ch.isspace()
        elif "word" in name:
            hit = ch.isalnum() or ch == "_"
        elif "linebreak" in name:
            hit = ch == "\n"
        else:
            return True
        return hit != ("not" in name)
    return True
