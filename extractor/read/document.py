"""Open a PDF and give positioned text per page.

Takes a path and gives a :class:`Document`: cheap plain text per page for scanning, words and
lines with coordinates (fake-bold duplicates removed) for the few pages that are parsed, and a
health measure of each page's text layer. Opening problems become the contract's error codes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pymupdf

from ..errors import DamagedPdfError, EncryptedPdfError, NotAPdfError, NotFoundError

# MuPDF text pages kept per document: the stages revisit pages (the statement's, the notes' and the
# MD&A's) and rebuilding a text page is most of what reading a page costs; a text page takes about a
# tenth of a megabyte, so a dozen stay well within a batch worker's memory budget
TEXTPAGES_KEPT = 12

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Line:
    words: list[Word]
    page: int  # 0-based

    @property
    def text(self) -> str:
        return join_words(self.words)

    @property
    def compact(self) -> str:
        """The text with all whitespace removed: how patterns see a line."""
        return "".join(self.text.split())

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return bbox_of(self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)


def bbox_of(words: list[Word]) -> tuple[float, float, float, float]:
    return (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words), max(w.y1 for w in words))


def join_words(words: list[Word]) -> str:
    return " ".join(w.text for w in sorted(words, key=lambda w: w.x0))


@dataclass(frozen=True)
class PageHealth:
    chars: int
    bad_chars: int  # replacement, private-use and control characters
    duplicated_glyphs: int

    @property
    def bad_share(self) -> float:
        return self.bad_chars / self.chars if self.chars else 0.0


def _is_bad_char(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    cat = unicodedata.category(ch)
    return cat in ("Co", "Cs") or (cat == "Cc" and ch not in "\n\r\t")


@dataclass
class Document:
    path: Path
    pdf: pymupdf.Document
    fake_bold_overlap: float = 0.6
    line_merge_overlap: float = 0.45
    _text: dict[int, str] = field(default_factory=dict)
    _words: dict[int, list[Word]] = field(default_factory=dict)
    _dupes: dict[int, int] = field(default_factory=dict)
    _quick: dict[int, list[Line]] = field(default_factory=dict)
    _textpages: dict[int, tuple[pymupdf.Page, pymupdf.TextPage]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # later stages' per-document lookups

    @property
    def page_count(self) -> int:
        return self.pdf.page_count

    @cached_property
    def outline(self) -> list[tuple[int, str, int]]:
        """(level, title, 1-based page) entries of the PDF bookmarks; empty when there are none."""
        try:
            return [(lvl, title, page) for lvl, title, page, *_ in self.pdf.get_toc(simple=True)]
        except Exception:  # noqa: BLE001 - a broken outline is no outline
            return []

    def _page(self, index: int) -> tuple[pymupdf.Page, pymupdf.TextPage]:
        """A page with MuPDF's text page: building that is most of the cost of reading a page, so
        the few most recent ones are kept for the plain text, the words and the characters of the
        same page. (A text page refers to its page weakly, so both are kept together.)"""
        entry = self._textpages.pop(index, None)
        if entry is None:
            page = self.pdf[index]
            entry = (page, page.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT))
        self._textpages[index] = entry
        while len(self._textpages) > TEXTPAGES_KEPT:
            self._textpages.pop(next(iter(self._textpages)))
        return entry

    def _get_text(self, index: int, kind: str):
        page, tp = self._page(index)
        return page.get_text(kind, textpage=tp)

    def text(self, index: int) -> str:
        """Plain text of a page (cheap; used to scan)."""
        if index not in self._text:
            try:
                self._text[index] = self._get_text(index, "text")
            except Exception:  # noqa: BLE001 - a broken page reads as empty, health says so
                self._text[index] = ""
        return self._text[index]

    def quick_lines(self, index: int) -> list[Line]:
        """Lines from MuPDF's own words: several times cheaper than :meth:`lines`, for stages that
        parse many pages. Words drawn twice (fake bold) are dropped as in :meth:`words`; a page
        already read carefully is served from that reading."""
        if index in self._words:
            return self.lines(index)
        if index not in self._quick:
            try:
                raw = self._get_text(index, "words")
            except Exception:  # noqa: BLE001
                return self.lines(index)
            seen: dict[str, list[tuple[float, ...]]] = {}
            words = [Word(text, x0, y0, x1, y1) for x0, y0, x1, y1, text, *_ in raw
                     if not _seen_span(seen, text, (x0, y0, x1, y1))]
            self._quick[index] = words_to_lines(words, index, self.line_merge_overlap)
        return self._quick[index]

    def words(self, index: int) -> list[Word]:
        """Words with coordinates, fake-bold duplicate glyphs removed."""
        if index not in self._words:
            self._words[index] = self._read_words(index)
        return self._words[index]

    def lines(self, index: int) -> list[Line]:
        return words_to_lines(self.words(index), index, self.line_merge_overlap)

    def health(self, index: int) -> PageHealth:
        text = self.text(index)
        chars = sum(1 for c in text if not c.isspace())
        bad = sum(1 for c in text if _is_bad_char(c))
        return PageHealth(chars, bad, self._dupes.get(index, 0))

    def page_size(self, index: int) -> tuple[float, float]:
        r = self.pdf[index].rect
        return r.width, r.height

    def _read_words(self, index: int) -> list[Word]:
        try:
            raw = self._get_text(index, "rawdict")
        except Exception:  # noqa: BLE001
            return []
        # Fake bold draws text twice a fraction of a point apart: either as a second span with the
        # same text (most producers), or glyph by glyph ("合合并并"). Both are caught here without
        # comparing every glyph with every other, which would cost more than reading the page.
        seen_spans: dict[str, list[tuple[float, ...]]] = {}
        words: list[Word] = []
        dupes = 0
        for block in raw.get("blocks", []):
            for line in block.get("lines", []):
                chars: list[tuple[str, tuple[float, float, float, float], float]] = []
                for span in line.get("spans", []):
                    span_chars = span.get("chars", [])
                    text = "".join(ch["c"] for ch in span_chars).strip()
                    if text and _seen_span(seen_spans, text, span["bbox"]):
                        dupes += len(text)
                        continue
                    size = float(span.get("size", 10.0))
                    prev: tuple[str, tuple[float, ...]] | None = None
                    for ch in span_chars:
                        c = ch["c"]
                        box = tuple(ch["bbox"])
                        if c.isspace():
                            chars.append((" ", box, size))
                            continue
                        if prev is not None and prev[0] == c and _overlap_share(box, prev[1]) >= self.fake_bold_overlap:
                            dupes += 1
                            continue
                        prev = (c, box)
                        chars.append((c, box, size))
                words.extend(_chars_to_words(chars))
        self._dupes[index] = dupes
        return words


def _seen_span(seen: dict[str, list[tuple[float, ...]]], text: str, bbox: tuple[float, ...]) -> bool:
    for other in seen.get(text, ()):
        if abs(other[0] - bbox[0]) <= 1.5 and abs(other[1] - bbox[1]) <= 1.5 and abs(other[2] - bbox[2]) <= 1.5:
            return True
    seen.setdefault(text, []).append(tuple(bbox))
    return False


def _overlap_share(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    if a[2] - a[0] <= 0.01 or b[2] - b[0] <= 0.01:
        # some producers give a glyph a zero-width box: compare positions instead of areas
        near = abs(a[0] - b[0]) <= 1.5 and abs(a[1] - b[1]) <= 1.5
        inside = b[0] - 0.5 <= a[0] <= b[2] + 0.5 and abs(a[1] - b[1]) <= 1.5
        return 1.0 if near or inside else 0.0
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return (ix * iy) / area if area > 0 else 0.0


def _chars_to_words(chars: list[tuple[str, tuple[float, float, float, float], float]]) -> list[Word]:
    """Split a text line's characters into words at spaces and at gaps wider than a glyph."""
    words: list[Word] = []
    cur: list[tuple[str, tuple[float, float, float, float]]] = []

    def flush() -> None:
        if cur:
            text = "".join(c for c, _ in cur)
            words.append(Word(text, min(b[0] for _, b in cur), min(b[1] for _, b in cur),
                              max(b[2] for _, b in cur), max(b[3] for _, b in cur)))
            cur.clear()

    for c, box, size in sorted(chars, key=lambda t: t[1][0]):
        if c == " ":
            flush()
            continue
        if cur and box[0] - cur[-1][1][2] > max(1.5, 0.8 * size):
            flush()
        cur.append((c, box))
    flush()
    return words


def words_to_lines(words: list[Word], page: int, overlap: float = 0.45) -> list[Line]:
    """Group words into visual lines: words whose vertical extents overlap enough share a line.

    Values are often printed a point or two above or below their label, so lines are built from
    vertical overlap, not from equal baselines.
    """
    lines: list[tuple[float, float, list[Word]]] = []  # (y0, y1, words)
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        best = None
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            y0, y1, ws = lines[i]
            inter = min(y1, w.y1) - max(y0, w.y0)
            h = min(y1 - y0, w.height) or 1.0
            if inter / h >= overlap:
                best = i
                break
        if best is None:
            lines.append((w.y0, w.y1, [w]))
        else:
            y0, y1, ws = lines[best]
            ws.append(w)
            # keep the band of the line's first words so a tall neighbour cannot swallow two rows
            lines[best] = (y0, y1, ws)
    return [Line(sorted(ws, key=lambda w: w.x0), page) for _, _, ws in lines]


def open_document(path: str | Path, *, fake_bold_overlap: float = 0.6, line_merge_overlap: float = 0.45) -> Document:
    """Open a PDF or raise the contract's error: not_found, not_a_pdf, damaged, encrypted."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError("file not found: check the path", file=str(p))
    if p.is_dir():
        raise NotFoundError("is a folder, not a PDF: use `extractor batch` for folders", file=str(p))
    try:
        with p.open("rb") as fh:
            head = fh.read(1024)
    except OSError as e:
        raise NotFoundError(f"cannot read file: {e.strerror}", file=str(p)) from e
    if b"%PDF" not in head:
        kind = "empty file" if not head else "not a PDF (no %PDF header)"
        raise NotAPdfError(f"{kind}: supply the annual report as a PDF", file=str(p))
    try:
        pdf = pymupdf.open(p, filetype="pdf")
    except Exception as e:
        raise DamagedPdfError(f"PDF cannot be opened ({e}); re-download or repair it (e.g. qpdf)", file=str(p)) from e
    if pdf.needs_pass and not pdf.authenticate(""):
        raise EncryptedPdfError("PDF is password-protected: remove the password and retry", file=str(p))
    if pdf.page_count == 0:
        raise DamagedPdfError("PDF has no pages; re-download it", file=str(p))
    return Document(p, pdf, fake_bold_overlap, line_merge_overlap)
