"""Company-name normalisation and matching (customers against related parties).

Takes printed company names and gives a :class:`NormalName` (the distinctive core with legal
forms, place names, bracket widths, spaces and traditional characters folded away, and the places
kept apart) and :class:`NameMatch` records that say which pair matched, how (exact core or fuzzy)
and with what score. Anonymised names (客户一, 第一名, 客户A) are recognised and never matched:
a hidden name cannot be compared, and guessing would raise false alarms.

The legal forms, place names and anonymised-name patterns are data (patterns/parties.yaml).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

from .. import rxcache
from ..book.types import Matcher
from ..patternbook import PatternBook

_BRACKETED = rxcache.compile(r"\(([^()]*)\)")
_PLACE_SUFFIX = rxcache.compile(r"(?:特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区|省|市|县|区)$")
_LATIN_TOKEN = rxcache.compile(r"[a-z0-9]+")
_PUNCT = rxcache.compile(r"[\s,.·、'\"“”‘’\-_/&]+")
# fuzzy matching on very short cores is mostly noise (华为 vs 华夏): below this, exact only
MIN_FUZZY_CORE = 4


@lru_cache(maxsize=1)
def _t2s() -> Any:  # opencc has no type hints; imported on first use, as only reports with names need it
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional() -> tuple[frozenset[str], tuple[str, ...]]:
    """What OpenCC's t2s conversion can change: the characters it maps, and the few phrases it maps
    that hold none of them (沈默). Read from OpenCC's own tables, without building its converter
    (10 ms, and its conversion is slow): a name that holds neither is simplified already."""
    from importlib.util import find_spec

    spec = find_spec("opencc")
    folder = Path(next(iter(spec.submodule_search_locations or ()), "")) / "dictionary" if spec else Path()
    try:
        with open(folder / "TSCharacters.txt", encoding="utf-8") as fh:
            chars = frozenset(line.split("\t", 1)[0] for line in fh if line.strip())
        with open(folder / "TSPhrases.txt", encoding="utf-8") as fh:
            phrases = tuple(k for line in fh if (k := line.split("\t", 1)[0].strip()) and not chars & set(k))
    except OSError:  # another OpenCC build: convert everything
        return frozenset(), ()
    return chars, phrases


def _simplified(text: str) -> str:
    chars, phrases = _traditional()
    if chars and chars.isdisjoint(text) and not any(p in text for p in phrases):
        return text
    return str(_t2s().convert(text))


def _ratio(a: str, b: str, min_score: float) -> float:
    """rapidfuzz's ratio (100 x twice the longest common subsequence over the total length) when it
    can reach ``min_score``, else 0. The subsequence is at most the characters the names share, so
    most pairs (names with few characters in common) are settled without rapidfuzz, which then need
    not be imported at all (14 ms)."""
    total = len(a) + len(b)
    if total and 200.0 * sum((Counter(a) & Counter(b)).values()) / total < min_score - 1e-9:
        return 0.0
    from rapidfuzz import fuzz  # imported on first use (a pair of names that may be alike)

    return fuzz.ratio(a, b)


@dataclass(frozen=True)
class NormalName:
    printed: str
    core: str  # what identifies the company: no legal form, no place, simplified, folded
    places: frozenset[str]  # place names read from the prefix or from brackets, without 省/市
    anonymised: bool = False


@dataclass(frozen=True)
class NameMatch:
    left: str  # as printed (e.g. the customer)
    right: str  # as printed (e.g. the related party)
    score: float  # 0..100; 100 for equal cores
    method: str  # "exact" | "fuzzy"
    core: str  # the normalised core of the left name

    def to_json(self) -> dict[str, object]:
        return {"customer": self.left, "party": self.right, "score": round(self.score, 1),
                "method": self.method, "core": self.core}


@dataclass(frozen=True)
class NameRules:
    """The parts of the pattern book name handling needs, compiled once."""

    suffixes: tuple[Matcher, ...]
    places: tuple[Matcher, ...]
    anonymised: tuple[Matcher, ...]

    @classmethod
    def from_book(cls, book: PatternBook) -> NameRules:
        cached = book.cache.get("_name_rules")
        if cached is None:
            cached = book.cache["_name_rules"] = cls._build(book)
        return cached

    @classmethod
    def _build(cls, book: PatternBook) -> NameRules:
        parties = book.kind("parties")

        def pats(name: str) -> tuple[Matcher, ...]:
            concept = parties.get(name)
            return tuple(p.compiled for p in concept.patterns) if concept else ()

        return cls(pats("legal_suffix"), pats("place"), pats("anonymised"))


@lru_cache(maxsize=8192)
def fold_name(text: str) -> str:
    """Traditional to simplified, full-width to half-width, no spaces, lower case."""
    s = unicodedata.normalize("NFKC", _simplified(text))
    return "".join(s.split()).lower()


def is_anonymised(name: str, rules: NameRules) -> bool:
    s = fold_name(name)
    return not s or any(p.search(s) for p in rules.anonymised)


def _place_key(text: str) -> str:
    return _PLACE_SUFFIX.sub("", text) or text


def _strip_places(s: str, rules: NameRules, places: set[str]) -> str:
    """Remove place prefixes (浙江省杭州市…) while a distinctive core of two characters remains."""
    changed = True
    while changed:
        changed = False
        for p in rules.places:
            m = p.match(s)
            if m and m.end() > 0 and len(s) - m.end() >= 2:
                places.add(_place_key(m.group(0)))
                s = s[m.end():]
                changed = True
                break
    return s


def _strip_suffixes(s: str, rules: NameRules) -> str:
    changed = True
    while changed:
        changed = False
        for p in rules.suffixes:
            m = p.search(s)
            if m and m.end() == len(s) and m.start() >= 2:
                s = s[: m.start()]
                changed = True
                break
    return s


@lru_cache(maxsize=8192)  # a report compares each related party with each customer, under several rules
def normalise(name: str, rules: NameRules) -> NormalName:
    """The comparable form of a company name: 深圳市华强电子有限公司 and 华强电子(深圳)有限公司 both
    give core 华强电子 with place 深圳."""
    s = fold_name(name)
    if is_anonymised(name, rules):
        return NormalName(name, s, frozenset(), True)
    places: set[str] = set()

    def bracket(m: regex.Match[str]) -> str:
        inner = m.group(1)
        # a bracketed place (华强电子(深圳)) is where the company sits, not part of its name
        if any(p.fullmatch(inner) for p in rules.places):
            places.add(_place_key(inner))
            return ""
        return inner

    s = _BRACKETED.sub(bracket, s)
    s = _strip_suffixes(s, rules)
    s = _strip_places(s, rules, places)
    s = _strip_suffixes(s, rules)  # "有限公司" may sit before a bracketed place
    s = _PUNCT.sub("", s)
    return NormalName(name, s, frozenset(places), False)


def match_pair(a: NormalName, b: NormalName, min_score: float) -> NameMatch | None:
    """Do two normalised names denote the same company? Never for anonymised names."""
    if a.anonymised or b.anonymised or not a.core or not b.core:
        return None
    if a.places and b.places and not (a.places & b.places):
        return None  # 大连北方化学工业 and 无锡北方化学工业 are different companies
    if a.core == b.core:
        return NameMatch(a.printed, b.printed, 100.0, "exact", a.core)
    if min(len(a.core), len(b.core)) < MIN_FUZZY_CORE:
        return None
    score = _ratio(a.core, b.core, min_score)
    if score >= min_score and a.core.isascii() and b.core.isascii() and not _same_head(a, b, min_score):
        # Latin letters say less than Chinese characters: "Hengyuan Precision Machinery" and
        # "Guangyuan Precision Machinery" score high on letters yet differ in the trade name
        return None
    if score >= min_score:
        return NameMatch(a.printed, b.printed, float(score), "fuzzy", a.core)
    return None


def _head(n: NormalName) -> str:
    """The first word of the core (the trade name in "Hengyuan Precision Machinery")."""
    for token in _LATIN_TOKEN.findall(fold_name_spaced(n.printed)):
        if n.core.startswith(token):
            return token
    return n.core


def _same_head(a: NormalName, b: NormalName, min_score: float) -> bool:
    ha, hb = _head(a), _head(b)
    return ha == hb or _ratio(ha, hb, min_score) >= min_score


@lru_cache(maxsize=8192)
def fold_name_spaced(text: str) -> str:
    """Like :func:`fold_name` but keeping word boundaries (for Latin names)."""
    return unicodedata.normalize("NFKC", text).lower()


def best_match(name: str, candidates: list[str], rules: NameRules, min_score: float) -> NameMatch | None:
    """The best-scoring candidate that matches ``name``, if any."""
    left = normalise(name, rules)
    if left.anonymised:
        return None
    best: NameMatch | None = None
    for cand in candidates:
        m = match_pair(left, normalise(cand, rules), min_score)
        if m is not None and (best is None or m.score > best.score):
            best = m
    return best
