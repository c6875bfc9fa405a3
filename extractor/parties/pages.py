"""Finding the pages: the outline and printed contents first, then scans bounded to where a section
must be (the MD&A before the statements, the notes after them, probed from the end)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .. import rxcache
from ..patternbook import PatternBook
from ..read.document import Document, Line
from ..tables.labels import PART_NUMBER, contents_entries, fold, is_toc_line
from .common import CONTINUED, any_line, concept_of, folded_lines, is_furniture, page_has, page_lines
from .records import PartiesRead

_LEADER_ONLY = rxcache.compile(r"\s*[.…·]{8,}\s*")


def _outline_pages(doc: Document, book: PatternBook, concept: str) -> list[int]:
    """0-based pages of outline entries whose title matches the concept."""
    if "_parties_outline" not in doc.memo:  # folded once per document, one line per entry
        entries = [(fold(t), page) for _lvl, t, page in doc.outline if page >= 1]
        doc.memo["_parties_outline"] = ("\n".join(t for t, _ in entries), [page for _, page in entries])
    text, pages = doc.memo["_parties_outline"]
    if not text:
        return []
    any_line(book, concept, "")  # compiles the concept's combined pattern
    starts = [m.start() for m in book.cache["_parties_combined"][concept].finditer(text)]
    return sorted({pages[text.count("\n", 0, at)] - 1 for at in starts})


def _contents_pages(doc: Document, book: PatternBook, concept: str) -> list[int]:
    """0-based guesses from printed contents lines ('第五节 重要事项 ...... 17'); printed page
    numbers run a page or two behind the PDF's, so the guess starts early."""
    c = concept_of(book, concept)
    out: set[int] = set()
    for index in range(min(doc.page_count, int(book.value("toc_scan_pages")))):
        lines = [s.strip() for s in doc.text(index).split("\n") if s.strip()]
        for _line, title, printed in contents_entries(lines):
            label = PART_NUMBER.sub("", fold(title))
            if label and c.search(label) and index + 1 < printed <= doc.page_count + 5:
                out.add(max(0, printed - 3))
    return sorted(out)


def _scan(doc: Document, pages: Iterable[int], hit: Callable[[int], bool], read: set[int]) -> int | None:
    for i in pages:
        if 0 <= i < doc.page_count:
            read.add(i)
            if hit(i):
                return i
    return None


def _has(book: PatternBook, concept: str) -> Callable[[Document, int], bool]:
    def test(doc: Document, i: int) -> bool:
        return page_has(doc, book, i, concept)
    return test


def find_top5_page(doc: Document, book: PatternBook, stop: int, out: PartiesRead, scan: bool = True) -> int | None:
    """The page with the top-five customers: after the outline / contents hint, in the MD&A."""
    window = int(book.value("parties_mdna_window_pages"))
    test = _has(book, "top5_marker")
    # entries naming the customers' section first, then the MD&A's; the printed contents without an outline
    starts = (list(dict.fromkeys(_outline_pages(doc, book, "top5_outline") + _outline_pages(doc, book, "mdna_outline")))
              or _contents_pages(doc, book, "mdna_outline"))
    for s in starts[:3]:
        found = _scan(doc, range(s, min(stop, s + window)), lambda i: test(doc, i), out.pages_read)
        if found is not None:
            out.log.append(f"top five customers: page {found + 1} (from a hint at page {s + 1})")
            return found
    if not scan:
        return None
    found = _scan(doc, range(stop), lambda i: test(doc, i), out.pages_read)
    if found is not None:
        out.log.append(f"top five customers: page {found + 1} (scan of pages before the statements)")
    return found


def find_related_mdna_page(doc: Document, book: PatternBook, after: int, stop: int, out: PartiesRead,
                           scan: bool = True) -> int | None:
    """The 重大关联交易 part of 重要事项 (between the MD&A and the statements). ``scan=False``
    follows only an outline entry that names the part itself."""
    window = int(book.value("parties_mdna_window_pages"))
    sentence = concept_of(book, "related_sales_sentence")
    marker = _has(book, "related_mdna_marker")

    def test(i: int) -> bool:
        return marker(doc, i) or sentence.search(fold(doc.text(i))) is not None
    starts = _outline_pages(doc, book, "related_mdna_outline")
    if scan:
        starts = starts or _contents_pages(doc, book, "related_mdna_outline") or ([after] if after >= 0 else [])
    starts = [s for s in starts if s < stop]
    for s in starts[:2]:
        found = _scan(doc, range(s, min(stop, s + window)), test, out.pages_read)
        if found is not None:
            return found
    return None


def find_related_notes_page(doc: Document, book: PatternBook, after: int, out: PartiesRead,
                            scan: bool = True) -> int | None:
    """The page opening the related-party note. Without an outline the note is found by reading
    backwards from the end: it sits in the last part of the notes, so this reads fewer pages than
    reading forward from the statements."""

    def test(i: int) -> bool:
        return page_has(doc, book, i, "related_notes_heading")
    for s in _outline_pages(doc, book, "related_notes_outline"):
        if s > after:
            found = _scan(doc, range(s, min(doc.page_count, s + 3)), test, out.pages_read)
            return found if found is not None else s
    if not scan:
        return None
    # the lowest page the note can start on: after the statements, in the last part of the report
    floor = max(after + 1, int(doc.page_count * (1 - float(book.value("parties_backscan_share")))))
    # the note runs over several pages, each naming related parties or transactions: probing every
    # second page from the end finds it, then the heading is searched backwards from the hit
    top = doc.page_count - 1
    while top >= floor:
        hit = _scan(doc, range(top, floor - 1, -2), lambda i: page_has(doc, book, i, "related_notes_probe"),
                    out.pages_read)
        if hit is None:
            return None
        # walk back to the heading; a parent-company note (母公司…项目注释) in between means the hit
        # was the parent's own related-party table: keep probing below it
        for i in range(min(doc.page_count - 1, hit + 1), max(floor, hit - 12) - 1, -1):
            out.pages_read.add(i)
            if test(i):
                return i
            if i < hit and page_has(doc, book, i, "notes_section_end"):
                break
        top = i - 1
    return None


def note_window(doc: Document, book: PatternBook, start: int, out: PartiesRead) -> list[int]:
    """Pages of the related-party note: from its heading until the next note or the parent's notes,
    or until the page after the sales table's title (nothing later is read)."""
    pages: list[int] = []
    sales_at: int | None = None
    quiet = 0  # pages in a row that name no related party nor transaction
    for i in range(start, min(doc.page_count, start + int(book.value("parties_notes_window_pages")))):
        out.pages_read.add(i)
        pages.append(i)
        if i > start and page_has(doc, book, i, "notes_section_end"):
            break
        quiet = 0 if page_has(doc, book, i, "related_notes_probe") or page_has(doc, book, i, "party_list_marker") \
            else quiet + 1
        if quiet >= 2:
            break
        if sales_at is None and page_has(doc, book, i, "related_sales_title"):
            sales_at = i
        if sales_at is not None and i > sales_at:
            break
    return pages


def pages_to_parse(doc: Document, book: PatternBook, window: list[int]) -> list[int]:
    """The pages of the note worth parsing word by word: those naming related parties (and the page
    after the last of them, where a long list runs on) and the sales table's page (and the next
    when the table runs on). Purchase tables between them are skipped."""
    marked = [i for i in window if page_has(doc, book, i, "party_list_marker")]
    wanted = set(marked)
    if marked and marked[-1] + 1 in window:
        wanted.add(marked[-1] + 1)
    sales = next((i for i in window if page_has(doc, book, i, "related_sales_title")), None)
    if sales is not None:
        wanted.add(sales)
        lines = folded_lines(doc, sales)
        at = next(n for n, t in enumerate(lines) if concept_of(book, "related_sales_title").search(t))
        ends_here = any(concept_of(book, "related_sales_end").search(t) for t in lines[at + 1:])
        # the next page continues the table unless it opens with the next heading
        opens_next = sales + 1 in window and any(concept_of(book, "related_sales_end").search(t)
                                                 for t in folded_lines(doc, sales + 1)[:4])
        if not ends_here and sales + 1 in window and not opens_next:
            wanted.add(sales + 1)
    return sorted(wanted) or window[:2]


def lines_of_pages(doc: Document, pages: list[int]) -> list[Line]:
    out: list[Line] = []
    for i in pages:
        height = doc.page_size(i)[1]
        out.extend(ln for ln in page_lines(doc, i) if not is_furniture(ln, height))
    return out


def find_statement_pages(doc: Document, book: PatternBook, concept: str, is_pages: list[int]) -> list[int]:
    """Pages beside the income statement carrying the consolidated statement's title, nearest first."""
    c = concept_of(book, concept)
    w = int(book.value("parties_statement_window"))
    before = range(min(is_pages), max(-1, min(is_pages) - w - 1), -1)
    after = range(max(is_pages), min(doc.page_count, max(is_pages) + w + 1))
    # the balance sheet comes before the income statement and the cash-flow statement after it;
    # look that way first and stop at the first title found
    first, second = (before, after) if concept_of(book, concept).role == "before" else (after, before)
    found: list[int] = []
    for side in (first, second):
        for i in side:
            if not page_has(doc, book, i, concept) or _is_contents_page(doc, i):
                continue
            titles = [s for s in folded_lines(doc, i) if c.search(s)]
            if titles:
                found.append(i)
                if not all(CONTINUED.search(t) for t in titles):
                    return found  # the statement's first page; continuation pages were nearer
    return found


def _is_contents_page(doc: Document, index: int) -> bool:
    """A table-of-contents page names every statement; it is not one."""
    return sum(1 for t in doc.text(index).split("\n") if is_toc_line(t) or _LEADER_ONLY.fullmatch(t)) >= 3
