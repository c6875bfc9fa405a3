"""The pattern book's records as the stages use them: patterns with ids, concepts, flag settings.

Plain dataclasses (no YAML or validation library): the book is built from the files by
:mod:`extractor.book.files` or loaded from the disk cache, and both give these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias

import regex

from .. import rxcache
from ..errors import PatternTimeoutError
from . import literals

# patterns an alternation would change: back-references (\1, (?P=name), \g<name>) would refer to the
# wrong groups, and a global inline flag other than (?i) ((?x), (?s), (?m)) would apply to all of them
_NOT_COMBINABLE = rxcache.compile(r"\\[1-9]|\(\?P=|\\g<|\(\?[a-zA-Z]*[a-hj-zA-Z][a-zA-Z]*\)")


class Budgeted:
    """A compiled pattern that holds user patterns, run under their time budget (thresholds.yaml
    ``pattern_timeout``, seconds per application, the ``regex`` module's ``timeout``).

    Used in place of the compiled pattern (search, match, fullmatch, finditer, sub) wherever a user
    pattern is applied, alone or in an alternation; past the budget it raises
    :class:`~extractor.errors.PatternTimeoutError` naming the pattern. Built-in patterns are not
    wrapped: the budget's clock makes a search about three times slower, and the shipped files are
    checked for nested quantifiers by ``extractor patterns check`` and the tests.
    """

    __slots__ = ("budget", "rx", "suspects")

    def __init__(self, rx: regex.Pattern[str], budget: float, suspects: Sequence[Pattern]) -> None:
        self.rx, self.budget, self.suspects = rx, budget, tuple(suspects)

    @property
    def pattern(self) -> str:
        return self.rx.pattern

    def search(self, string: str, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        return self._run(self.rx.search, "search", string, args, kwargs)

    def match(self, string: str, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        return self._run(self.rx.match, "match", string, args, kwargs)

    def fullmatch(self, string: str, *args: Any, **kwargs: Any) -> regex.Match[str] | None:
        return self._run(self.rx.fullmatch, "fullmatch", string, args, kwargs)

    def sub(self, repl: Any, string: str, *args: Any, **kwargs: Any) -> str:
        try:
            return self.rx.sub(repl, string, *args, timeout=self.budget, **kwargs)
        except TimeoutError:
            raise self._blame("search", string) from None

    def finditer(self, string: str, *args: Any, **kwargs: Any) -> Iterator[regex.Match[str]]:
        try:
            yield from self.rx.finditer(string, *args, timeout=self.budget, **kwargs)
        except TimeoutError:
            raise self._blame("search", string) from None

    def _run(self, method: Callable[..., regex.Match[str] | None], name: str, string: str,
             args: tuple[Any, ...], kwargs: dict[str, Any]) -> regex.Match[str] | None:
        try:
            return method(string, *args, timeout=self.budget, **kwargs)
        except TimeoutError:
            raise self._blame(name, string) from None

    def _blame(self, name: str, string: str) -> PatternTimeoutError:
        """The error naming the pattern at fault: in an alternation, the suspect that runs over alone."""
        culprit = self.suspects[0]
        if len(self.suspects) > 1:
            for p in self.suspects:
                try:
                    p.compiled  # noqa: B018 - compiles p.rx
                    getattr(p.rx, name)(string, timeout=p.budget)
                except TimeoutError:
                    culprit = p
                    break
        return PatternTimeoutError(culprit.id, culprit.source, culprit.file, culprit.line, culprit.concept,
                                   culprit.budget or self.budget)


Matcher: TypeAlias = "regex.Pattern[str] | Budgeted"  # a compiled pattern of the book, as the stages use it


def budgeted(rx: regex.Pattern[str], patterns: Sequence[Pattern]) -> Matcher:
    """``rx`` (compiled from ``patterns``) under the budget of the user patterns among them, if any."""
    timed = [p for p in patterns if p.budget is not None]
    if not timed:
        return rx
    return Budgeted(rx, max(p.budget for p in timed if p.budget is not None), timed)


def alternation(patterns: Sequence[Pattern]) -> Matcher | None:
    """The patterns as one case-insensitive alternation, which matches wherever one of them would:
    text that matches none (most text) costs one search instead of one per pattern. None when there
    are no patterns or one that an alternation would change (see ``_NOT_COMBINABLE``): the caller
    then tries the patterns one by one. Under the user patterns' budget when it holds any."""
    sources = [p.source for p in patterns]
    if not sources or any(_NOT_COMBINABLE.search(src) for src in sources):
        return None
    return budgeted(rxcache.compile("|".join(f"(?:{src})" for src in sources), regex.IGNORECASE), patterns)


@dataclass
class FlagSpec:
    """One anomaly rule's settings (flags.yaml): users switch rules on/off and move thresholds."""

    enabled: bool = True
    severity: str = "medium"  # info | low | medium | high
    thresholds: dict[str, float] = field(default_factory=dict)
    message: str = ""  # a str.format template over the flag's evidence
    description: str = ""


@dataclass(eq=False)
class Pattern:
    id: str  # "zh-Hans/selling_expense#1"
    concept: str
    lang: str
    source: str  # the regex as written
    rx: regex.Pattern[str] | None  # None: compiled on first use (built-in files, validated by tests)
    score: float
    file: str
    line: int
    _anchor: str | bool | None = field(default=None, repr=False)  # False: none (kept in the cached book)
    budget: float | None = None  # seconds per application (user patterns: thresholds.yaml pattern_timeout)
    _timed: Budgeted | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the compiled form: :mod:`extractor.rxcache` serves that, pattern by pattern."""
        return {**self.__dict__, "rx": None, "_timed": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({"budget": None, "_timed": None, **state})  # books cached before budgets

    @property
    def anchor(self) -> str | None:
        """A character every match contains (:func:`extractor.book.literals.anchor`), or None."""
        if self._anchor is None:
            self._anchor = literals.anchor(self.source) or False
        return self._anchor if isinstance(self._anchor, str) else None

    @property
    def compiled(self) -> Matcher:
        """The compiled pattern; a user pattern's runs under its time budget (:class:`Budgeted`)."""
        if self.rx is None:
            self.rx = rxcache.compile(self.source, regex.IGNORECASE)
        if self.budget is None:
            return self.rx
        if self._timed is None:
            self._timed = Budgeted(self.rx, self.budget, (self,))
        return self._timed

    def fullmatch(self, text: str) -> regex.Match[str] | None:
        return self.compiled.fullmatch(text)

    def search(self, text: str) -> regex.Match[str] | None:
        return self.compiled.search(text)


@dataclass
class Concept:
    name: str
    kind: str
    role: str | None
    description: str
    patterns: list[Pattern]
    excludes: list[Pattern]
    unit: str | None = None
    multiplier: Decimal | None = None
    currency: str | None = None
    replace: bool = False  # a user file's concept replaces the built-in one instead of adding to it
    _any: Matcher | bool | None = field(default=None, repr=False, compare=False)  # False: none

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the alternation, which is compiled again (from the regex cache) on use."""
        return {**self.__dict__, "_any": None}

    @property
    def any(self) -> Matcher | None:
        """The patterns as one :func:`alternation`, tried before them; None for a single pattern."""
        if self._any is None:
            self._any = (alternation(self.patterns) if len(self.patterns) > 1 else None) or False
        return self._any if not isinstance(self._any, bool) else None

    def match_full(self, text: str) -> Pattern | None:
        if (alt := self.any) is not None and alt.fullmatch(text) is None:
            return None
        return next((p for p in self.patterns if p.fullmatch(text)), None)

    def search(self, text: str) -> tuple[Pattern, regex.Match[str]] | None:
        if (alt := self.any) is not None and alt.search(text) is None:
            return None
        for p in self.patterns:
            m = p.search(text)
            if m:
                return p, m
        return None

    def excluded(self, text: str) -> Pattern | None:
        return next((p for p in self.excludes if p.search(text)), None)


@dataclass
class PatternBook:
    concepts: dict[str, dict[str, Concept]] = field(default_factory=dict)  # kind -> name -> Concept
    values: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    cache: dict[Any, Any] = field(default_factory=dict)  # memo of derived lookups (labels.py)
    flags: dict[str, FlagSpec] = field(default_factory=dict)  # flag id -> settings (flags.yaml)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (the disk cache, copies) without the memo of lookups, which belongs to one process."""
        return {**self.__dict__, "cache": {}}

    def kind(self, kind: str) -> dict[str, Concept]:
        return self.concepts.get(kind, {})

    def concept(self, kind: str, name: str) -> Concept:
        return self.concepts[kind][name]

    def by_role(self, kind: str, role: str) -> list[Concept]:
        key = ("by_role", kind, role)  # asked for every line classified; the concepts do not change once loaded
        if key not in self.cache:
            self.cache[key] = [c for c in self.kind(kind).values() if c.role == role]
        return self.cache[key]

    def value(self, name: str) -> Any:
        return self.values[name]
