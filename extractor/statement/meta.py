"""Company name, stock code and fiscal year from the cover pages and running headers.

The cover often prints a label and its value on separate lines (股票代码 / 002099), so each
line is also read joined with the two that follow.
"""

from __future__ import annotations

from collections import Counter

from ..patternbook import PatternBook
from ..read.document import Document
from ..tables.labels import fold


def read_meta(doc: Document, book: PatternBook, pages: int = 8, code_pages: int = 12) -> dict[str, object]:
    """The name, code and year from the first ``pages`` pages; the code alone is looked for up to
    ``code_pages`` (a long contents and a letter to shareholders can push 公司简介 to page 9 or later)."""
    meta = book.kind("meta")
    names: Counter[str] = Counter()
    code = year = None
    for index in range(min(code_pages, doc.page_count)):
        if index >= pages and code is not None:
            break
        late = index >= pages
        lines = [s for s in doc.text(index).split("\n") if s.strip()]
        for i, raw in enumerate(lines):
            window = fold("".join(lines[i:i + 3]))
            if code is None:
                hit = meta["stock_code"].search(window)
                if hit:
                    code = hit[1].group("code")
            if late:
                continue
            if year is None:
                hit = meta["fiscal_year"].search(fold(raw))
                if hit:
                    year = int(hit[1].group("year"))
            # names keep their printed brackets: search the line with spaces removed, not folded
            hit = meta["company_name"].search(raw.strip() if raw.isascii() else "".join(raw.split()))
            if hit:
                names[hit[1].group("name")] += 1
        if code and year and names and index >= 2:
            break
    name = names.most_common(1)[0][0] if names else None
    return {"name": name, "code": code, "year": year}
