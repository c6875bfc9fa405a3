"""Characters that every match of a pattern contains, read from the pattern's parse tree.

Takes a pattern's source and gives one *anchor*: a character without case (a CJK ideograph, a
digit, a punctuation mark) that any text the pattern matches must contain, or None when there is
none or the pattern cannot be read this way. A line that contains no anchor of a group of patterns
cannot match any of them, which a set test answers far faster than the ``regex`` module scans an
alternation of sixty Chinese titles (25 µs a line, most of a cold run's title classification).

The tree is Python's own regular-expression parser's. A pattern it does not accept (``regex``-only
syntax such as ``\\p{Han}``) has no anchor, so it is always searched: the test can only be too
lenient, never wrong.
"""

from __future__ import annotations

import re

try:  # the parser of the `re` module: public as sre_parse until 3.12, re._parser since 3.11
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - an interpreter without them: no anchors, nothing skipped
    _p = _c = None

__all__ = ["anchor"]


def anchor(source: str) -> str | None:
    """An uncased character every match of ``source`` (case-insensitive) contains, or None."""
    if _p is None:
        return None
    try:
        tree = _p.parse(source, re.IGNORECASE)
    except Exception:  # noqa: BLE001 - not Python syntax (regex-only features): no anchor
        return None
    uncased = {c for c in _required(tree) if c.lower() == c == c.upper() and c.casefold() == c and not c.isspace()}
    return max(uncased) if uncased else None


def _required(items) -> set[str]:  # items: a parsed sequence of (opcode, argument)
    req: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            req.add(chr(av))
        elif op is _c.SUBPATTERN:
            req |= _required(av[-1])
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, item = av
            if low >= 1:
                req |= _required(item)
        elif op is _c.BRANCH:
            branches = [_required(b) for b in av[1]]
            req |= set.intersection(*branches) if branches else set()
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            req |= _required(av)
        # classes, any-character, anchors, look-arounds, back-references: nothing required
    return req
