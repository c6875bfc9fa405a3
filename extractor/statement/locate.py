"""Find the consolidated income statement's pages.

Takes a :class:`Document` and the pattern book and gives :class:`Region` candidates, best first:
each a statement title and the stretch of lines (possibly over several pages) that belongs to it.
Reading every page is avoided where possible: the PDF outline or the printed table of contents
points at the financial statements, and only a window of pages there is read; the whole
document is scanned only when those hints fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..patternbook import PatternBook
from ..read.document import Document, Line
from ..tables.labels import (
    PART_NUMBER,
    TitleHit,
    classify_title,
    contents_entries,
    fold,
    is_toc_line,
    label_part,
    match_item,
    section_hit,
)


@dataclass
class PageScan:
    index: int
    titles: list[tuple[int, TitleHit]] = field(default_factory=list)  # (line number, hit)
    targets: int = 0
    neighbours: int = 0
    foreign: int = 0
    toc_lines: int = 0

    @property
    def item_score(self) -> float:
        return self.targets + 0.5 * self.neighbours - 0.5 * self.foreign


@dataclass
class Region:
    """A statement: its title and, per page, the lines that belong to it."""

    title: TitleHit
    title_page: int  # 0-based
    title_line: Line
    lines: list[Line]
    pages: list[int]
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def role(self) -> str:
        return self.title.role

    @property
    def cas(self) -> bool:
        """Titled in simplified Chinese: a CAS report, whose MD&A follows the CSRC's format (R&D input
        table, expense table, 重要事项); other reports' MD&A is read only where the outline points."""
        return self.title.pattern.lang == "zh-Hans"


@dataclass
class Hint:
    start: int  # 0-based page to start reading from
    why: str
    exact: bool  # points at the statement itself, not just the financial section


def scan_page(doc: Document, index: int, book: PatternBook) -> PageScan:
    """Cheap look at a page's plain text: statement titles and how many line items it holds."""
    scan = PageScan(index)
    max_chars = int(book.value("max_title_chars"))
    seen: set[str] = set()
    for n, raw in enumerate(doc.text(index).split("\n")):
        line = raw.strip()
        if not line:
            continue
        if is_toc_line(line):
            scan.toc_lines += 1
            continue
        hit = classify_title(line, book, max_chars)
        if hit:
            scan.titles.append((n, hit))
            continue
        label = label_part(line)
        m = match_item(label, book)
        if not m or m[0].name in seen:
            continue
        seen.add(m[0].name)
        role = m[0].role
        if role == "target":
            scan.targets += 1
        elif role == "neighbour":
            scan.neighbours += 1
        else:
            scan.foreign += 1
    return scan


def find_hints(doc: Document, book: PatternBook) -> list[Hint]:
    """Where the outline or the printed contents say the statement or the financial section is."""
    hints: list[Hint] = []
    for _lvl, title, page in doc.outline:
        if page < 1:
            continue
        hit = classify_title(title, book)
        if hit and hit.role in ("consolidated", "combined"):
            hints.append(Hint(max(0, page - 2), f"outline entry {title!r} -> page {page}", True))
        elif (sec := section_hit(title, book)) is not None and sec.name == "financial_report_section":
            hints.append(Hint(max(0, page - 1), f"outline entry {title!r} -> page {page}", False))
    if any(h.exact for h in hints):
        # the outline points at the statement: no need to read the printed contents
        return sorted(hints, key=lambda h: (not h.exact, h.start))
    for index in range(min(doc.page_count, int(book.value("toc_scan_pages")))):
        lines = [s.strip() for s in doc.text(index).split("\n") if s.strip()]
        for line, label, printed in contents_entries(lines):
            if printed <= index + 1 or printed > doc.page_count + 20:
                continue
            hit = classify_title(label, book)
            if hit and hit.role in ("consolidated", "combined"):
                hints.append(Hint(max(0, printed - 3), f"contents line {line!r} on page {index + 1}", True))
                continue
            sec = section_hit(label, book) or section_hit(PART_NUMBER.sub("", fold(label)), book)
            if sec is not None and sec.name == "financial_report_section":
                hints.append(Hint(max(0, printed - 3), f"contents line {line!r} on page {index + 1}", False))
    # exact hints first, then by position
    hints.sort(key=lambda h: (not h.exact, h.start))
    return hints


def _page_order(doc: Document, book: PatternBook, hints: list[Hint]) -> list[int]:
    window = int(book.value("scan_window_pages"))
    order: list[int] = []
    for h in hints:
        span = 6 if h.exact else window
        for i in range(h.start, min(doc.page_count, h.start + span)):
            if i not in order:
                order.append(i)
    return order


def _candidate_regions(doc: Document, book: PatternBook, scans: dict[int, PageScan]) -> list[Region]:
    regions: list[Region] = []
    for index in sorted(scans):
        scan = scans[index]
        if not any(hit.role in ("consolidated", "combined", "plain") for _, hit in scan.titles):
            continue
        lines = doc.lines(index)
        max_chars = int(book.value("max_title_chars"))
        for li, line in enumerate(lines):
            hit = classify_title(line.text, book, max_chars)
            if not hit or hit.role not in ("consolidated", "combined", "plain"):
                continue
            if hit.continued and regions and regions[-1].pages[-1] >= index - 1:
                continue  # "合并利润表（续）": the region before already runs onto this page
            region = _grow_region(doc, book, hit, index, li, scans)
            if region is not None:
                regions.append(region)
    return regions


def _grow_region(doc: Document, book: PatternBook, hit: TitleHit, page: int, li: int,
                 scans: dict[int, PageScan]) -> Region | None:
    """Collect the lines after a title until another statement or section starts."""
    max_chars = int(book.value("max_title_chars"))
    all_lines = doc.lines(page)
    region = Region(hit, page, all_lines[li], [], [page])
    rows_with_items = 0
    for line in all_lines[li + 1:]:
        if _ends_region(line, book, hit, max_chars, first_lines=False):
            region.reasons.append(f"ends on page {page + 1} at {line.text[:30]!r}")
            return _finish(region, rows_with_items)
        region.lines.append(line)
        rows_with_items += _is_item_line(line, book)
    # the statement runs on: follow it over page breaks while the next page continues it
    for nxt in range(page + 1, min(doc.page_count, page + 4)):
        lines = doc.lines(nxt)
        if not _continues(lines, book):
            region.reasons.append(f"page {nxt + 1} does not continue the statement")
            break
        region.pages.append(nxt)
        ended = False
        for n, line in enumerate(lines):
            if _ends_region(line, book, hit, max_chars, first_lines=n < 6):
                region.reasons.append(f"ends on page {nxt + 1} at {line.text[:30]!r}")
                ended = True
                break
            region.lines.append(line)
            rows_with_items += _is_item_line(line, book)
        if ended:
            break
    return _finish(region, rows_with_items)


def _finish(region: Region, rows_with_items: int) -> Region | None:
    region.score = rows_with_items
    return region if rows_with_items else None


def _ends_region(line: Line, book: PatternBook, hit: TitleHit, max_chars: int, first_lines: bool) -> bool:
    other = classify_title(line.text, book, max_chars)
    if other is not None:
        # a repeated title or "(续)" at the top of a continuation page does not end the region
        return not (first_lines and other.concept.name == hit.concept.name)
    sec = section_hit(line.text, book, max_chars)
    return sec is not None and sec.name == "notes_section"


def _is_item_line(line: Line, book: PatternBook) -> int:
    label = label_part(line.text)
    m = match_item(label, book, ("target", "neighbour"))
    return 1 if m else 0


def _continues(lines: list[Line], book: PatternBook) -> bool:
    """Does this page open with statement rows (after running headers)?"""
    items = 0
    for line in lines[:30]:
        if classify_title(line.text, book) is not None:
            hit = classify_title(line.text, book)
            return bool(hit and hit.continued)
        if section_hit(line.text, book):
            return False
        items += _is_item_line(line, book)
        if items >= 1:
            return True
    return False


@dataclass
class Located:
    regions: list[Region]
    hints: list[Hint]
    scanned: list[int]
    full_scan: bool
    passed_over: list[str] = field(default_factory=list)  # titles seen but not taken, and why


_ROLE_RANK = {"consolidated": 3, "combined": 3, "plain": 1}


def locate(doc: Document, book: PatternBook) -> Located:
    """Candidate statement regions, best first; reads as few pages as it can."""
    hints = find_hints(doc, book)
    scans: dict[int, PageScan] = {}
    min_items = int(book.value("min_statement_items"))

    def run(order: list[int]) -> list[Region]:
        for i in order:
            if i not in scans:
                scans[i] = scan_page(doc, i, book)
        found = _candidate_regions(doc, book, scans)
        for r in found:
            if r.score < min_items:
                note = (f"page {r.title_page + 1}: {r.title_line.text.strip()!r} ({r.role}) has only {r.score:g} "
                        f"line-item rows (needs {min_items})")
                if note not in passed_over:
                    passed_over.append(note)
        return [r for r in found if r.score >= min_items]

    passed_over: list[str] = []

    regions: list[Region] = []
    for hint in hints:  # exact hints first: stop at the first window that holds the statement
        regions = run(_page_order(doc, book, [hint]))
        if any(r.role in ("consolidated", "combined") for r in regions):
            break
    else:
        # the financial section's hint falls short when other parts (a 20-F's exhibits, signatures)
        # sit between the page its contents line gives and the statements: read on from its window
        window = int(book.value("scan_window_pages"))
        for hint in (h for h in hints if not h.exact):
            start = hint.start + window
            regions = run(list(range(start, min(doc.page_count, start + window * int(book.value("scan_window_extend"))))))
            if any(r.role in ("consolidated", "combined") for r in regions):
                break
    full = False
    if not any(r.role in ("consolidated", "combined") for r in regions):
        regions = run(list(range(doc.page_count)))
        full = True
    regions.sort(key=lambda r: (-_ROLE_RANK.get(r.role, 0), -r.score, r.title_page))
    for index in sorted(scans):
        for _n, hit in scans[index].titles:
            if hit.role == "parent":
                passed_over.append(f"page {index + 1}: parent-company statement ({hit.pattern.id}) never read")
    return Located(regions, hints, sorted(scans), full, passed_over)
