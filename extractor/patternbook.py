"""Load and validate the pattern files (the data lives in patterns/, the code in extractor/book/).

Takes the built-in ``patterns/`` folder plus optional user folders and gives a
:class:`PatternBook`: compiled patterns per concept, each with an id such as
``zh-Hans/selling_expense#1`` and the file it came from. Every problem in every file is collected
and raised at once as ``file:line: key: problem``.

The built-in book is validated and compiled once and kept in the cache folder (see
:mod:`extractor.rxcache`), keyed by the pattern files, the code that builds the book and the
package version: a process loads it without parsing YAML, validating or compiling. User folders
(``--patterns``) are read and validated on every load, as before.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import lru_cache
from pathlib import Path

from . import rxcache
from .book.types import Concept, FlagSpec, Pattern, PatternBook
from .errors import PatternFileError
from .version import __version__

__all__ = ["Concept", "FlagSpec", "Pattern", "PatternBook", "builtin_dir", "check_folder", "load"]

SCHEMA = "extractor.patterns/1"
LANGS = ("zh-Hans", "zh-Hant", "en", "any")
BUILTIN_DIR = Path(__file__).resolve().parent.parent / "patterns"
_PACKAGED_DIR = Path(__file__).resolve().parent / "patterns"
KEEP_BOOKS = 8  # cached books of other versions or pattern edits kept beside the current one
_BOOK_CODE = [Path(__file__).resolve().parent / "book" / n for n in ("files.py", "schema.py", "types.py", "literals.py")]


def builtin_dir() -> Path:
    return BUILTIN_DIR if BUILTIN_DIR.is_dir() else _PACKAGED_DIR


def check_folder(folder: Path) -> list[str]:
    """Every problem in a folder of pattern files, as `file:line: key: problem` lines."""
    from .book.files import check_folder as check

    return check(folder)


def load(extra_dirs: tuple[str | Path, ...] = ()) -> PatternBook:
    """The built-in pattern book, extended or overridden by each folder in ``extra_dirs``.

    A concept in a user file is tried before the built-in one of the same name; with
    ``replace: true`` it replaces it.
    """
    return _load_cached(tuple(str(Path(d).resolve()) for d in extra_dirs))


@lru_cache(maxsize=8)
def _load_cached(extra_dirs: tuple[str, ...]) -> PatternBook:
    if not extra_dirs:
        return _builtin_book()
    from .book.files import add_folder

    book: PatternBook = pickle.loads(pickle.dumps(_builtin_book()))  # a copy: the built-in one stays as it is
    builtin = {id(p) for p in _all_patterns(book)}
    problems: list[str] = []
    for d in extra_dirs:
        add_folder(book, Path(d), problems)
    if problems:
        raise PatternFileError(problems)
    _budget_user_patterns(book, builtin)
    return book


def _all_patterns(book: PatternBook) -> list[Pattern]:
    return [p for concepts in book.concepts.values() for c in concepts.values() for p in c.patterns + c.excludes]


def _budget_user_patterns(book: PatternBook, builtin: set[int]) -> None:
    """Put every user pattern under the time budget (thresholds.yaml ``pattern_timeout``, which a user
    file may override): a pattern that backtracks without end then fails naming itself instead of
    running into the report's deadline. Built-in patterns run without it (see book.types.Budgeted)."""
    budget = float(book.values.get("pattern_timeout", 0) or 0) or None
    for p in _all_patterns(book):
        if id(p) not in builtin:
            p.budget, p._timed = budget, None
    for concepts in book.concepts.values():
        for c in concepts.values():
            c._any = None  # alternations built before the budgets were set
    book.cache.clear()


def builtin_key() -> str:
    """What the built-in book depends on: its files, the code that builds it, the package version."""
    h = hashlib.sha256(__version__.encode())
    folder = builtin_dir()
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml")) + _BOOK_CODE:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:20]


@lru_cache(maxsize=1)
def _builtin_book() -> PatternBook:
    key = builtin_key()
    folder = rxcache.cache_dir()
    path = folder / f"patterns-{key}.pickle" if folder else None
    cached = rxcache.read_pickle(path)
    if isinstance(cached, PatternBook):
        return cached
    from .book.files import add_folder, compile_all

    book = PatternBook()
    problems: list[str] = []
    # the built-in files are checked by `extractor patterns check` and the tests; compiled at once here
    # only when the book is cached, so that a run without a cache compiles just what it uses
    add_folder(book, builtin_dir(), problems, eager=False)
    if problems:
        raise PatternFileError(problems)
    if path is not None:
        compile_all(book)  # into the regex cache, so that the next process compiles none
        rxcache.write_pickle(path, book)
        rxcache.prune(path.parent, "patterns-*.pickle", keep=KEEP_BOOKS)
    return book
