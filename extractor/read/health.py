"""How readable a page's text layer is: cheap character counts, no parsing.

Takes a page's plain text and gives a :class:`PageHealth`: characters, characters that cannot be
text (replacement, private-use, control), and characters that decode but are implausible for an
annual report. The second kind is what a font without a usable Unicode map gives: MuPDF maps the
glyph codes through the font's own encoding and a Chinese page comes out as a mix of Latin
letters, accented letters and ASCII symbols (``"Ð¹ÂÒ¾ !#&*+<=>"``). Reports in these languages
print CJK ideographs and punctuation, ASCII letters, digits and a handful of symbols; anything
else, ASCII symbols that financial text never uses, letter runs with no vowel, long runs of one letter or digit, and the letters of
a page whose letter pairs are not English-like are counted as implausible. A page is garbled when either share passes its threshold
(``max_bad_char_share``, ``max_implausible_share`` in patterns/thresholds.yaml).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .. import rxcache

# ASCII symbols that report text (amounts, dates, percentages, notes refs, prose) rarely prints;
# garbage from unmapped glyph codes is full of them
_ODD_ASCII = set("!\"#$&'*+<=>?@[\\]^`{|}~")
# code points a Chinese or English annual report prints, beyond ASCII letters and digits
_EXPECTED = rxcache.compile(
    r"[\p{Han}\p{Bopomofo}\u3000-\u303f\uff00-\uffef\u2010-\u2027\u2030-\u205e\u2160-\u217f"
    r"\u2460-\u24ff\u2500-\u257f\u25a0-\u25ff\u2600-\u26ff\u3200-\u33ff\ufe30-\ufe4f\u20ac"
    r"\u2190-\u21ff\u2200-\u22ff\u0080-\u024f]"
)
# Latin-1 and Latin Extended: a few in names and symbols (¥ © ° ±), many only in garbage
_RARE = rxcache.compile(r"[\u0080-\u024f]")
_COMMON_LATIN1 = set("\u00a5\u00b7\u00d7\u00f7\u00b0\u00b1\u00a9\u00ae\u00a7\u00a0")
# letter runs with no vowel: "Rtkxs" (4+ letters with a lower-case one) or "TUBUFNFOU"-like capitals (6+,
# longer than the acronyms reports print: HKFRS, PRC, RMB)
_VOWELLESS = rxcache.compile(r"(?<![A-Za-z])(?:(?=[A-Za-z]*[a-z])[B-DF-HJ-NP-TV-XZb-df-hj-np-tv-xz]{4,}"
                           r"|[B-DF-HJ-NP-TV-XZ]{6,})(?![A-Za-z])")


@dataclass(frozen=True)
class PageHealth:
    chars: int
    bad_chars: int  # replacement, private-use and control characters
    duplicated_glyphs: int
    implausible_chars: int = 0  # decodable but not what these reports print (see module docstring)

    @property
    def bad_share(self) -> float:
        return self.bad_chars / self.chars if self.chars else 0.0

    @property
    def implausible_share(self) -> float:
        return self.implausible_chars / self.chars if self.chars else 0.0

    def garbled(self, min_chars: int, max_bad_share: float, max_implausible_share: float) -> bool:
        """Enough text to judge, and too much of it unreadable: bad characters alone, or bad and
        implausible ones together."""
        if self.chars < min_chars:
            return False
        return (self.bad_share > max_bad_share
                or (self.bad_chars + self.implausible_chars) / self.chars > max_implausible_share)


def is_bad_char(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    cat = unicodedata.category(ch)
    return cat in ("Co", "Cs") or (cat == "Cc" and ch not in "\n\r\t")


_SPACE, _BAD, _ODD, _LATIN_EXT, _PLAIN = range(5)


@lru_cache(maxsize=1 << 16)  # a report prints a few thousand distinct characters, page after page
def _char_kind(c: str) -> int:
    if c.isspace():
        return _SPACE
    if is_bad_char(c):
        return _BAD
    if c.isascii():
        return _ODD if c in _ODD_ASCII else _PLAIN
    if not _EXPECTED.match(c):
        return _ODD
    if _RARE.match(c) and c not in _COMMON_LATIN1:
        return _LATIN_EXT  # implausible only when a page prints many of them
    return _PLAIN


def page_health(text: str, duplicated_glyphs: int = 0, min_bigram_share: float = 0.2) -> PageHealth:
    kinds = [0] * 5
    # each distinct character is judged once: a page prints a few hundred of them, thousands of times
    for c, n in Counter(text).items():
        kinds[_char_kind(c)] += n
    bad, odd, latin_ext = kinds[_BAD], kinds[_ODD], kinds[_LATIN_EXT]
    chars = bad + odd + latin_ext + kinds[_PLAIN]
    odd += latin_ext if latin_ext > 0.05 * chars else 0
    odd += sum(len(m) for m in _VOWELLESS.findall(text))
    odd += sum(m.end() - m.start() for m in _RUN.finditer(text))
    odd += _unlikely_letters(text, min_bigram_share)
    return PageHealth(chars, bad, duplicated_glyphs, min(odd, chars - bad))  # the signals may overlap


# the commonest letter pairs of English: 35-60% of the pairs on any English report page, a few per
# cent in text whose glyph codes were shifted or scrambled ("DPOTPMJEBUFE TUBUFNFOU")
_COMMON_PAIRS = frozenset(["th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed", "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ea", "ra", "ce", "li", "ch", "ll", "be", "ma", "si", "om", "ur"])
_LETTER_WORD = rxcache.compile(r"[A-Za-z]{2,}")
# contents leaders and rules are runs of dots, dashes, underscores, blanks; a run of one letter or
# digit (leader dots that come out as "11111111") is garbage
_RUN = rxcache.compile(r"([^\s.·…‥\-_—=─━*~･・,，。、])\1{7,}")


def english_like(text: str, min_share: float = 0.2) -> bool:
    """Enough letters, and their pairs are English's common ones."""
    pairs = sum(max(0, len(m.group()) - 1) for m in _LETTER_WORD.finditer(text))
    return pairs >= 100 and _unlikely_letters(text, min_share) == 0


def _unlikely_letters(text: str, min_share: float) -> int:
    """Letters of a page whose letter pairs are not English-like (0 when they are, or too few)."""
    pairs = common = letters = 0
    for m in _LETTER_WORD.finditer(text):
        w = m.group().lower()
        letters += len(w)
        for i in range(len(w) - 1):
            pairs += 1
            common += w[i:i + 2] in _COMMON_PAIRS
    if pairs < 100 or common >= min_share * pairs:
        return 0
    return letters
