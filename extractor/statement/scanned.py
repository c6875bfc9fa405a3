"""Choose the pages to OCR when the statement is not in the text layer, and OCR them.

Takes a :class:`~extractor.read.document.Document` in which :func:`~extractor.statement.locate.locate`
found no statement and gives the pages OCR'd, in the order done (their words now come from
Tesseract, so locating again reads them). OCR costs seconds a page, so only pages without a usable
text layer (no text but images, or garbled text) are candidates, and they are tried best first,
by cheap signals, up to ``ocr_max_pages``:

1. the pages a printed contents anywhere in the text layer names for the consolidated income
   statement (:func:`contents_pointers`: audited statements often open with a contents of their
   own, numbered from the audit report on), mapped to PDF pages through page labels or the
   numbers printed on the readable pages nearby;
2. pages the PDF outline or the front contents points at (the statement or the financial
   report section);
3. pages next to readable pages that carry another statement (balance sheet, cash-flow
   statement, parent-company statements): the income statement sits among them;
4. the first scanned pages after the cover, which hold the printed contents in a fully scanned
   report; its page numbers then point as in 2;
5. a short scanned document (no more scanned pages than the budget left): every page.

Tesseract is given only the languages the report is in (``narrow_languages``: judged from its
readable pages, or from the first pages OCR'd; chi_sim alone for a simplified-Chinese report),
which halves the time per page or better. The deadline is checked before each page.
Whenever an OCR'd page shows another statement, the pages around it come next; when it shows the
consolidated income statement, the next page (its continuation) is OCR'd and the search stops.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import regex

from ..patternbook import PatternBook
from ..read import limits
from ..read.document import Document
from ..read.ocr import OcrSettings, narrow_languages
from ..tables.labels import classify_title, fold, section_hit
from .locate import PageScan, _page_order, find_hints, scan_page

_STATEMENT_ROLES = ("consolidated", "combined")
_NEAR = 4  # pages either side of another statement where the income statement can be
# a contents entry's page reference at the end of its line: "10", "10 - 11", "10至11", "…… 85"
_PAGE_REF = regex.compile(r"(?:^|[\s.…·_]+)(\d{1,4})(?:\s*[-–—~至]\s*(\d{1,4}))?\s*$")
# a page's own printed number, alone on a line at its top or foot: "23", "2 / 91", "- 7 -", "第 7 页"
_PAGE_NUMBER = regex.compile(r"^(?:[-–—]\s*)?(?:第\s*)?(\d{1,4})(?:\s*页)?(?:\s*[-–—])?(?:\s*/\s*\d{1,4})?$")
_NUMBER_LINES = 8  # lines at a page's top and foot where its printed number is looked for
_NEAREST = 4  # readable pages printing the numbers nearest to a contents entry's that set its offset


def ocr_settings(book: PatternBook) -> OcrSettings:
    return OcrSettings(str(book.value("ocr_languages")), int(book.value("ocr_dpi")),
                       float(book.value("ocr_max_megapixels")), str(book.value("ocr_engine")))


def unreadable_pages(doc: Document, book: PatternBook) -> list[int]:
    """Pages whose text layer cannot be used: scans (images, little text) and garbled pages."""
    min_chars = int(book.value("min_page_chars"))
    max_bad = float(book.value("max_bad_char_share"))
    max_odd = float(book.value("max_implausible_share"))
    out = []
    for i in range(doc.page_count):
        if doc.is_ocr(i):
            continue
        h = doc.health(i)
        if h.garbled(min_chars, max_bad, max_odd) or (h.chars < min_chars and doc.has_images(i)):
            out.append(i)
    return out


def ocr_statement_pages(doc: Document, book: PatternBook, unread: list[int], log: list[str] | None = None) -> list[int]:
    """OCR the likeliest of the ``unread`` pages until the consolidated income statement shows up
    or the budget is spent; the pages OCR'd, in order (raises OcrUnavailableError without Tesseract).
    What pointed where goes to ``log``."""
    base = ocr_settings(book)
    english_share = float(book.value("ocr_english_share"))
    budget = int(book.value("ocr_max_pages"))
    todo = set(unread)
    done: list[int] = []
    readable = [i for i in range(min(doc.page_count, 40)) if i not in todo and doc.text(i).strip()][:6]

    def settings() -> OcrSettings:
        sample = "".join(doc.text(i) for i in readable + done)
        return replace(base, languages=narrow_languages(base.languages, sample, english_share))

    def near(i: int) -> list[int]:
        return sorted((j for j in todo if 0 < abs(j - i) <= _NEAR), key=lambda j: (abs(j - i), j < i))

    def visit(i: int) -> tuple[bool, list[int]]:
        """OCR page i: (statement found, pages to try next)."""
        limits.check()
        todo.discard(i)
        doc.ocr(i, settings())
        done.append(i)
        scan = scan_page(doc, i, book)
        roles = {hit.role for _, hit in scan.titles}
        if roles & set(_STATEMENT_ROLES) and _has_items(scan):
            if i + 1 in todo and len(done) < budget:
                todo.discard(i + 1)
                doc.ocr(i + 1, settings())
                done.append(i + 1)
            return True, []
        return False, near(i) if roles else []

    pointed = contents_pointers(doc, book)
    if log is not None:
        log.extend(f"contents on page {e.contents_page + 1}: {e.line!r} printed page(s) {e.printed[0]}-{e.printed[1]} "
                   f"-> PDF page(s) {_pages_text(e.pages)} ({e.how})" for e in pointed)
    queue = [i for entry in pointed for i in entry.pages if i in todo]
    queue += _hinted(doc, book, todo) + _near_statements(doc, book, todo)
    stages = iter((_contents_stage, _everything_stage))
    while len(done) < budget:
        queue = [q for q in dict.fromkeys(queue) if q in todo]
        if not queue:
            stage = next(stages, None)
            if stage is None:
                break
            found, queue = stage(doc, book, todo, budget - len(done), visit)
            if found:  # the statement turned up while reading the contents
                break
            continue
        found, nxt = visit(queue.pop(0))
        if found:
            break
        queue = nxt + queue
    return done


def _has_items(scan: PageScan) -> bool:
    return scan.targets + scan.neighbours >= 1


def _hinted(doc: Document, book: PatternBook, todo: set[int]) -> list[int]:
    return [i for i in _page_order(doc, book, find_hints(doc, book)) if i in todo]


def _near_statements(doc: Document, book: PatternBook, todo: set[int]) -> list[int]:
    """Scanned pages next to readable pages that carry a statement title of any kind."""
    out: list[int] = []
    for i in range(doc.page_count):
        if i in todo or not doc.text(i).strip():
            continue
        if scan_page(doc, i, book).titles:
            out.extend(sorted((j for j in todo if 0 < abs(j - i) <= _NEAR), key=lambda j: (abs(j - i), j < i)))
    return out


Visit = Callable[[int], tuple[bool, list[int]]]


def _contents_stage(doc: Document, book: PatternBook, todo: set[int], left: int, visit: Visit
                    ) -> tuple[bool, list[int]]:
    """OCR the first scanned pages after the cover, then follow what their contents point at."""
    first = sorted(i for i in todo if 1 <= i < int(book.value("toc_scan_pages")))
    for i in first[:min(left, int(book.value("ocr_contents_pages")))]:
        found, _ = visit(i)
        if found:
            return True, []
    return False, _hinted(doc, book, todo)


def _everything_stage(doc: Document, book: PatternBook, todo: set[int], left: int, visit: Visit
                      ) -> tuple[bool, list[int]]:
    """A short scanned document: every page, in order, when the budget covers them all."""
    return False, (sorted(todo) if len(todo) <= left else [])


# --- printed contents anywhere in the text layer -------------------------------------------


@dataclass(frozen=True)
class Pointer:
    """A printed contents entry naming the consolidated income statement, and the PDF pages it means."""

    contents_page: int  # 0-based
    line: str
    printed: tuple[int, int]  # first and last printed page number
    pages: tuple[int, ...]  # 0-based PDF pages
    how: str  # how printed numbers were mapped to PDF pages


def contents_pointers(doc: Document, book: PatternBook) -> list[Pointer]:
    """Where the printed contents pages say the consolidated income statement is, as PDF pages.

    A report may print several contents: the report's own at the front and, often, the audited
    financial statements' (审计报告 1-6, 合并资产负债表 7-9, 合并利润表 10-11 ...), numbered from the
    audit report on. Any readable page that lists at least three statements or sections with page
    numbers counts. Printed numbers become PDF pages through the PDF's page labels when it has them,
    else through the numbers printed on the readable pages after the contents (the offset of those
    printing the numbers nearest the entry's), else as PDF page numbers."""
    min_chars = int(book.value("min_page_chars"))
    out: list[Pointer] = []
    for index in range(doc.page_count):
        if doc.is_ocr(index) or doc.health(index).chars < min_chars:
            continue
        if not any(_income_title(_entry(line)[0], book) for line in doc.text(index).split("\n") if line.strip()):
            continue  # cheap: the title alone on a text line, or with its leader and page number
        entries = _contents_entries(doc, book, index)
        if len(entries) < 3:
            continue
        for label, (first, last) in entries:
            if not _income_title(label, book):
                continue
            mapped, how = _pdf_pages(doc, index, first, last)
            if mapped:
                out.append(Pointer(index, label, (first, last), mapped, how))
    return out


def _pages_text(pages: tuple[int, ...]) -> str:
    return ", ".join(str(p + 1) for p in pages)


def _income_title(text: str, book: PatternBook) -> bool:
    hit = classify_title(text, book)
    return hit is not None and hit.role in _STATEMENT_ROLES


def _contents_entries(doc: Document, book: PatternBook, index: int) -> list[tuple[str, tuple[int, int]]]:
    """(label, (first, last printed page)) of the page's lines that name a statement or a section
    and end in a page number or range."""
    entries: list[tuple[str, tuple[int, int]]] = []
    for line in doc.quick_lines(index):
        label, pages = _entry(line.text)
        if pages is None or not label or len(fold(label)) > 40:
            continue
        if classify_title(label, book) is not None or section_hit(label, book) is not None:
            entries.append((label, pages))
    return entries


def _entry(text: str) -> tuple[str, tuple[int, int] | None]:
    """A contents line's label and (first, last) printed page, or (the text, None) without a page."""
    text = text.strip()
    m = _PAGE_REF.search(text)
    if not m or m.start() == 0:
        return text, None
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else first
    if not 1 <= first <= last <= first + 200:
        return text, None
    return text[:m.start()].strip(" .…·_"), (first, last)


def _pdf_pages(doc: Document, contents: int, first: int, last: int) -> tuple[tuple[int, ...], str]:
    """The 0-based PDF pages of printed pages ``first``..``last`` of the contents on page ``contents``."""
    labelled = _by_labels(doc, contents, first, last)
    if labelled:
        return labelled, "page labels"
    offset, votes = _printed_offset(doc, contents, first)
    how = (f"page numbers printed on {votes} readable pages nearby" if votes else
           "printed numbers taken as PDF page numbers")
    pages = tuple(p + offset for p in range(first, last + 1))
    return tuple(p for p in pages if contents < p < doc.page_count), how


def _by_labels(doc: Document, contents: int, first: int, last: int) -> tuple[int, ...]:
    try:
        if not doc.pdf.get_page_labels():
            return ()
        pages = []
        for p in range(first, last + 1):
            found = [i for i in doc.pdf.get_page_numbers(str(p)) if contents < i < doc.page_count]
            if found:
                pages.append(found[0])
        return tuple(pages)
    except Exception:  # noqa: BLE001 - broken page labels are no labels
        return ()


def printed_number(text: str, limit: int) -> int | None:
    """The page number printed alone on a line at the top or foot of a page's ``text`` (at most
    ``limit``), if any: "23", "2 / 91", "- 7 -", "第 7 页"."""
    lines = [s.strip() for s in text.split("\n") if s.strip()]
    for line in lines[:_NUMBER_LINES] + lines[-_NUMBER_LINES:]:
        m = _PAGE_NUMBER.match(line)
        if m and 0 < int(m.group(1)) <= limit + 50:
            return int(m.group(1))
    return None


def _printed_offset(doc: Document, contents: int, target: int, window: int = 80) -> tuple[int, int]:
    """(offset, pages agreeing): 0-based PDF page = printed number + offset, as the readable pages
    after the contents page that print the numbers nearest to ``target`` have it (the front part
    and the financial section may be numbered apart); (-1, 0) (printed = PDF page number) when
    fewer than two such pages agree."""
    printed: list[tuple[int, int]] = []  # (distance from the target, offset)
    for index in range(contents + 1, min(doc.page_count, contents + 1 + window)):
        if doc.is_ocr(index) or not doc.text(index).strip():
            continue
        n = printed_number(doc.text(index), doc.page_count)
        if n is not None:
            printed.append((abs(n - target), index - n))
    votes = Counter(offset for _, offset in sorted(printed)[:_NEAREST])
    if not votes:
        return -1, 0
    offset, count = votes.most_common(1)[0]
    return (offset, count) if count >= 2 else (-1, 0)
