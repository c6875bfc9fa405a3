"""Choose the pages to OCR when the statement is not in the text layer, and OCR them.

Takes a :class:`~extractor.read.document.Document` in which :func:`~extractor.statement.locate.locate`
found no statement and gives the pages OCR'd, in the order done (their words now come from
Tesseract, so locating again reads them). OCR costs seconds a page, so only pages without a usable
text layer (no text but images, or garbled text) are candidates, and they are tried best first,
by cheap signals, up to ``ocr_max_pages``:

1. pages the PDF outline or a readable printed contents points at (the statement or the
   financial report section);
2. pages next to readable pages that carry another statement (balance sheet, cash-flow
   statement, parent-company statements): the income statement sits among them;
3. the first scanned pages after the cover, which hold the printed contents in a fully scanned
   report; its page numbers then point as in 1;
4. a short scanned document (no more scanned pages than the budget left): every page.

Tesseract is given only the languages the report is in (``narrow_languages``: judged from its
readable pages, or from the first pages OCR'd), which halves the time per page or better.
Whenever an OCR'd page shows another statement, the pages around it come next; when it shows the
consolidated income statement, the next page (its continuation) is OCR'd and the search stops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..patternbook import PatternBook
from ..read.document import Document
from ..read.ocr import OcrSettings, narrow_languages
from .locate import PageScan, _page_order, find_hints, scan_page

_STATEMENT_ROLES = ("consolidated", "combined")
_NEAR = 4  # pages either side of another statement where the income statement can be


def ocr_settings(book: PatternBook) -> OcrSettings:
    return OcrSettings(str(book.value("ocr_languages")), int(book.value("ocr_dpi")),
                       float(book.value("ocr_max_megapixels")))


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


def ocr_statement_pages(doc: Document, book: PatternBook, unread: list[int]) -> list[int]:
    """OCR the likeliest of the ``unread`` pages until the consolidated income statement shows up
    or the budget is spent; the pages OCR'd, in order (raises OcrUnavailableError without Tesseract)."""
    base = ocr_settings(book)
    budget = int(book.value("ocr_max_pages"))
    todo = set(unread)
    done: list[int] = []
    readable = [i for i in range(min(doc.page_count, 40)) if i not in todo and doc.text(i).strip()][:6]

    def settings() -> OcrSettings:
        sample = "".join(doc.text(i) for i in readable + done)
        return replace(base, languages=narrow_languages(base.languages, sample))

    def near(i: int) -> list[int]:
        return sorted((j for j in todo if 0 < abs(j - i) <= _NEAR), key=lambda j: (abs(j - i), j < i))

    def visit(i: int) -> tuple[bool, list[int]]:
        """OCR page i: (statement found, pages to try next)."""
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

    queue = _hinted(doc, book, todo) + _near_statements(doc, book, todo)
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
