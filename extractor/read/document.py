"""Open a PDF and give positioned text per page.

Takes a path and gives a :class:`Document`: cheap plain text per page for scanning, words and
lines with coordinates (fake-bold duplicates removed) for the few pages that are parsed, and a
health measure of each page's text layer (:mod:`.health`), and OCR'd words for pages without a
usable text layer (:mod:`.ocr`). Opening problems become the contract's error codes: the file is
sniffed first (:mod:`.sniff`), MuPDF repairs what it can, and only a file it cannot use is
``damaged``. MuPDF is never asked to run the document's JavaScript (PyMuPDF does not enable it,
and :func:`open_document` switches it off explicitly) and fetches nothing: links and external
references are never followed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pymupdf

from ..errors import DamagedPdfError, EncryptedPdfError, NotAPdfError, NotFoundError
from . import limits
from .health import PageHealth, page_health

if TYPE_CHECKING:  # OCR and file sniffing load only for the files that need them
    from . import ocr as ocr_engine

__all__ = ["Document", "Line", "PageHealth", "Word", "open_document", "words_to_lines"]

# MuPDF text pages kept per document: the stages revisit pages (the statement's, the notes' and the
# MD&A's) and rebuilding a text page is most of what reading a page costs. A text page takes about a
# tenth of a megabyte: 48 of them added 3.5 MB to the peak of a 310-page report and saved every
# rebuild on the real reports (a dozen rebuilt 4 pages of a 120-page report, 5% of its time)
TEXTPAGES_KEPT = 48

# What PyMuPDF raises for a page it cannot load or interpret: MuPDF's own errors (FzError*) and the
# RuntimeError of its Python layer. Nothing broader, so that a refused allocation (MemoryError) and
# the deadline (a BaseException) are never taken for a broken page.
MUPDF_ERRORS: tuple[type[Exception], ...] = (pymupdf.mupdf.FzErrorBase, RuntimeError)

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
    """A visual line. Its words are never changed once it is made, so what is derived from them is
    computed once: the stages ask each line for its text many times."""

    words: list[Word]
    page: int  # 0-based

    @cached_property
    def text(self) -> str:
        return join_words(self.words)

    @cached_property
    def compact(self) -> str:
        """The text with all whitespace removed: how patterns see a line."""
        return "".join(self.text.split())

    @cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        return bbox_of(self.words)

    @property
    def y0(self) -> float:
        return self.bbox[1]

    @property
    def y1(self) -> float:
        return self.bbox[3]


def bbox_of(words: list[Word]) -> tuple[float, float, float, float]:
    return (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words), max(w.y1 for w in words))


def join_words(words: list[Word]) -> str:
    return " ".join(w.text for w in sorted(words, key=lambda w: w.x0))


@dataclass(frozen=True)
class OcrRun:
    seconds: float
    languages: str
    dpi: int
    engine: str


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
    _lines: dict[int, list[Line]] = field(default_factory=dict)  # from the careful words (callers never mutate)
    _textpages: dict[int, tuple[pymupdf.Page, pymupdf.TextPage]] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # later stages' per-document lookups
    min_bigram_share: float = 0.2
    max_pages: int | None = None  # read at most this many pages (a page-count bomb is cut short)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (id, message): how the file was read
    ocr_pages: list[int] = field(default_factory=list)  # pages whose words come from OCR, in order done
    ocr_runs: dict[int, OcrRun] = field(default_factory=dict)  # how each OCR'd page was read, and how long it took
    page_errors: dict[int, str] = field(default_factory=dict)  # pages MuPDF could not read, and why
    # pages not read because they ask for too much work (too many glyphs, MuPDF's limits), and why
    too_complex: dict[int, str] = field(default_factory=dict)
    max_page_chars: int | None = None  # a page with more characters than this is not parsed (a glyph flood)
    _layer_health: dict[int, PageHealth] = field(default_factory=dict)  # OCR'd pages: their own text layer
    # page -> (the text judged, fake-bold glyphs removed, its health): judged again only when either changes
    _health: dict[int, tuple[str, int, PageHealth]] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        """Pages the pipeline reads: all of them, or the first ``max_pages``."""
        n = self.pdf.page_count
        return min(n, self.max_pages) if self.max_pages else n

    @property
    def total_pages(self) -> int:
        return self.pdf.page_count

    @property
    def repaired(self) -> bool:
        """MuPDF rebuilt the file's cross-reference table (damaged or truncated, but readable)."""
        try:
            return bool(self.pdf.is_repaired)
        except Exception:  # noqa: BLE001
            return False

    def is_ocr(self, index: int) -> bool:
        return index in self.ocr_pages

    def has_images(self, index: int) -> bool:
        """Does the page draw images (a scan), as opposed to being blank or having lost its content?"""
        try:
            return bool(self.pdf[index].get_images(full=False))
        except MUPDF_ERRORS as e:
            if limits.out_of_memory(e):
                raise MemoryError(str(e)) from e
            return False

    def ocr(self, index: int, settings: ocr_engine.OcrSettings) -> None:
        """Replace a page's text and words with what Tesseract reads from its image (raises
        :class:`~extractor.read.ocr.OcrUnavailableError` when Tesseract is missing)."""
        if index in self.ocr_pages:
            return
        from . import ocr as ocr_engine

        page = self.pdf[index]
        started = time.perf_counter()
        text, raw = ocr_engine.ocr_page(page, settings)
        self.ocr_runs[index] = OcrRun(time.perf_counter() - started, settings.languages,
                                      ocr_engine.render_dpi(page, settings), ocr_engine.engine_name(settings))
        self._layer_health[index] = self.health(index)
        self._text[index] = text
        self._words[index] = [Word(t, x0, y0, x1, y1) for t, x0, y0, x1, y1 in raw]
        self._dupes[index] = 0
        self._quick.pop(index, None)
        self._lines.pop(index, None)
        self._textpages.pop(index, None)
        self.ocr_pages.append(index)

    @cached_property
    def outline(self) -> list[tuple[int, str, int]]:
        """(level, title, 1-based page) entries of the PDF bookmarks; empty when there are none."""
        try:
            return _walk_outline(self.pdf)
        except Exception:  # noqa: BLE001, S110 - an outline the quick walk cannot follow: PyMuPDF's own
            pass
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
            # the deadline's alarm defers while PyMuPDF's code is on the stack, and reading pages is
            # mostly that: each new page is where a passed deadline is noticed
            limits.check()
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
            except MUPDF_ERRORS as e:  # a broken page reads as empty, health says so
                self._text[index] = ""
                self._page_failed(index, e)
        return self._text[index]

    def _page_failed(self, index: int, e: Exception) -> None:
        """Note why MuPDF could not read a page. A refused allocation is not the page's fault: it
        goes on as MemoryError (``memory_limit``); MuPDF's own limits (nesting) make it too complex."""
        if limits.out_of_memory(e):
            raise MemoryError(str(e)) from e
        reason = limits.mupdf_message(e)
        self.page_errors[index] = reason
        if limits.mupdf_error_code(e) == limits.FZ_ERROR_LIMIT:
            self.too_complex[index] = reason

    def _over_budget(self, index: int) -> bool:
        """Has the page more characters than a page is parsed with (``max_page_chars``)? Reading its
        glyphs one by one would take gigabytes (a glyph flood): it is noted as too complex instead."""
        if index in self.too_complex:
            return True
        if not self.max_page_chars:
            return False
        text = self.text(index)
        if len(text) <= self.max_page_chars:
            return False
        chars = len(text) - sum(text.count(c) for c in " \n\t")
        if chars <= self.max_page_chars:
            return False
        self.too_complex[index] = (f"{chars:,} characters, more than max_page_chars ({self.max_page_chars:,}) "
                                   "in patterns/thresholds.yaml")
        self.notes.append(("page_too_complex", f"page {index + 1} was not parsed: {self.too_complex[index]}"))
        return True

    def quick_lines(self, index: int) -> list[Line]:
        """Lines from MuPDF's own words: several times cheaper than :meth:`lines`, for stages that
        parse many pages. Words drawn twice (fake bold) are dropped as in :meth:`words`; a page
        already read carefully is served from that reading."""
        if index in self._words:
            return self.lines(index)
        if index not in self._quick:
            if self._over_budget(index):
                self._quick[index] = []
                return []
            try:
                raw = self._get_text(index, "words")
            except MUPDF_ERRORS as e:
                if limits.out_of_memory(e):
                    raise MemoryError(str(e)) from e
                return self.lines(index)
            seen: SeenSpans = {}
            words = [Word(text, x0, y0, x1, y1) for x0, y0, x1, y1, text, *_ in raw
                     if not _seen_span(seen, text, (x0, y0, x1, y1))]
            turn = self._displayed(index)
            if turn is not None:
                words = [Word(w.text, *_turned((w.x0, w.y0, w.x1, w.y1), turn)) for w in words]
            self._quick[index] = words_to_lines(words, index, self.line_merge_overlap)
        return self._quick[index]

    def words(self, index: int) -> list[Word]:
        """Words with coordinates, fake-bold duplicate glyphs removed."""
        if index not in self._words:
            self._words[index] = self._read_words(index)
        return self._words[index]

    def lines(self, index: int) -> list[Line]:
        if index not in self._lines:
            self._lines[index] = words_to_lines(self.words(index), index, self.line_merge_overlap)
        return self._lines[index]

    def health(self, index: int) -> PageHealth:
        """The page's text as read (from OCR for an OCR'd page): see :mod:`.health`."""
        text = self.text(index)
        seen = self._health.get(index)
        if seen is not None and seen[0] is text and seen[1] == self._dupes.get(index, 0):
            return seen[2]
        h = page_health(text, self._dupes.get(index, 0), self.min_bigram_share)
        self._health[index] = (text, h.duplicated_glyphs, h)
        return h

    def layer_health(self, index: int) -> PageHealth:
        """The page's own text layer, also for a page that was OCR'd since."""
        if index in self._layer_health:
            return self._layer_health[index]
        return self.health(index)

    def page_size(self, index: int) -> tuple[float, float]:
        r = self.pdf[index].rect
        return r.width, r.height

    def _displayed(self, index: int, raw: dict[str, Any] | None = None) -> pymupdf.Matrix | None:
        """The matrix that puts a rotated page's text where a viewer shows it (``/Rotate``), or None.

        MuPDF gives text in the unrotated page's space: a statement drawn sideways and shown upright
        through ``/Rotate`` would read as vertical text, and no table. Its words are turned into the
        displayed page's space (origin top-left, as a viewer shows it), so rows, columns and every
        box reported are as displayed. A page whose text runs across in the unrotated space and
        sideways as displayed (a rotated view of an upright page) is read unturned, as before."""
        page, tp = self._page(index)
        if page.rotation % 360 == 0:
            return None
        m = page.rotation_matrix
        if raw is None:
            raw = page.get_text("dict", textpage=tp)
        across = down = 0.0
        for block in raw.get("blocks", []):
            for line in block.get("lines", []):
                dx, dy = line.get("dir", (1.0, 0.0))
                tx = dx * m.a + dy * m.c  # the line's direction as displayed
                weight = sum(len(span.get("text") or span.get("chars") or ()) for span in line.get("spans", []))
                if tx > 0.9:
                    across += weight
                else:
                    down += weight
        return m if across > down else None
    def _read_words(self, index: int) -> list[Word]:
        if self._over_budget(index):
            return []
        try:
            raw = self._get_text(index, "rawdict")
        except MUPDF_ERRORS as e:
            self._page_failed(index, e)
            return []
        turn = self._displayed(index, raw)
        if turn is not None:
            _turn_rawdict(raw, turn)
        # Fake bold draws text twice a fraction of a point apart: either as a second span with the
        # same text (most producers), or glyph by glyph ("合合并并"). Both are caught here without
        # comparing every glyph with every other, which would cost more than reading the page.
        seen_spans: SeenSpans = {}
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
                    # a gap wider than this between two glyphs of the span splits a word
                    size = float(span.get("size", 10.0))
                    gap = max(1.5, 0.8 * size)
                    prev: tuple[str, tuple[float, ...]] | None = None
                    for ch in span_chars:
                        c = ch["c"]
                        box = tuple(ch["bbox"])
                        if box[3] - box[1] > 1.6 * size > 0:
                            # a font with outsized ascent/descent makes each glyph three lines tall, and
                            # its lines then merge with their neighbours: the box is rebuilt on the baseline
                            oy = ch["origin"][1]
                            box = (box[0], oy - 0.85 * size, box[2], oy + 0.2 * size)
                        if c.isspace():
                            chars.append((" ", box, gap))
                            continue
                        if prev is not None and prev[0] == c and _overlap_share(box, prev[1]) >= self.fake_bold_overlap:
                            dupes += 1
                            continue
                        prev = (c, box)
                        chars.append((c, box, gap))
                words.extend(_chars_to_words(chars))
        self._dupes[index] = dupes
        return words


def _turned(box: tuple[float, float, float, float] | list[float], m: pymupdf.Matrix) -> tuple[float, float, float, float]:
    r = pymupdf.Rect(box) * m  # a rectangle times a matrix is the smallest rectangle around the turned one
    return (r.x0, r.y0, r.x1, r.y1)


def _turn_rawdict(raw: dict[str, Any], m: pymupdf.Matrix) -> None:
    """Turn every glyph's box and origin (and each span's box) of a rawdict into ``m``'s space."""
    for block in raw.get("blocks", []):
        for line in block.get("lines", []):
            for span in line.get("spans", []):
                span["bbox"] = _turned(span["bbox"], m)
                for ch in span.get("chars", []):
                    ch["bbox"] = _turned(ch["bbox"], m)
                    o = pymupdf.Point(ch["origin"]) * m
                    ch["origin"] = (o.x, o.y)


def _walk_outline(pdf: pymupdf.Document) -> list[tuple[int, str, int]]:
    """The outline as ``get_toc(simple=True)`` gives it, read from MuPDF's outline structs directly:
    PyMuPDF wraps every entry in Python objects, 30 µs each, and reports carry hundreds of entries."""
    mu = pymupdf.mupdf
    # PyMuPDF loaded the outline when it opened the file: walking that copy spares loading it again
    loaded = pdf.outline
    root = loaded.this if loaded is not None else mu.fz_load_outline(pdf.this)
    out: list[tuple[int, str, int]] = []
    stack = [(root.m_internal, 1)]
    while stack:
        node, level = stack.pop()
        while node is not None:
            uri = node.uri
            if uri and not mu.fz_is_external_link(uri):
                page = node.page.page + 1 if node.page.page >= 0 else pdf.resolve_link(uri)[0] + 1
            else:
                page = -1
            out.append((level, node.title or " ", page))
            if node.down is not None:
                stack.append((node.next, level))  # siblings after the children
                node, level = node.down, level + 1
                continue
            node = node.next
    return out


# spans already read, by text and a grid cell of their top-left corner (SPAN_CELL points)
SeenSpans = dict[tuple[str, int, int], list[tuple[float, ...]]]
SPAN_CELL = 1.5  # spans closer than this at left, top and right are one span drawn twice


def _seen_span(seen: SeenSpans, text: str, bbox: tuple[float, ...]) -> bool:
    """Was a span of this text drawn already at (about) this place? Spans are kept by grid cell, so
    that a page of 200,000 one-letter spans is not compared with itself pair by pair (minutes)."""
    cx, cy = int(bbox[0] // SPAN_CELL), int(bbox[1] // SPAN_CELL)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for other in seen.get((text, cx + dx, cy + dy), ()):
                if (abs(other[0] - bbox[0]) <= SPAN_CELL and abs(other[1] - bbox[1]) <= SPAN_CELL
                        and abs(other[2] - bbox[2]) <= SPAN_CELL):
                    return True
    seen.setdefault((text, cx, cy), []).append(tuple(bbox))
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
    """Split a text line's characters (glyph, box, widest gap within a word) into words at spaces and
    at gaps wider than that gap. Runs for every glyph of the pages parsed closely, so kept lean."""
    words: list[Word] = []
    text: list[str] = []
    x0 = y0 = x1 = y1 = last_x1 = 0.0
    for c, box, gap in sorted(chars, key=_glyph_x0):
        if c == " ":
            if text:
                words.append(Word("".join(text), x0, y0, x1, y1))
                text = []
            continue
        bx0, by0, bx1, by1 = box
        if text and bx0 - last_x1 > gap:
            words.append(Word("".join(text), x0, y0, x1, y1))
            text = []
        if text:
            x0 = min(x0, bx0)
            y0 = min(y0, by0)
            x1 = max(x1, bx1)
            y1 = max(y1, by1)
        else:
            x0, y0, x1, y1 = bx0, by0, bx1, by1
        text.append(c)
        last_x1 = bx1
    if text:
        words.append(Word("".join(text), x0, y0, x1, y1))
    return words


def _glyph_x0(glyph: tuple[str, tuple[float, float, float, float], float]) -> float:
    return glyph[1][0]


def words_to_lines(words: list[Word], page: int, overlap: float = 0.45) -> list[Line]:
    """Group words into visual lines: words whose vertical extents overlap enough share a line.

    Values are often printed a point or two above or below their label, so lines are built from
    vertical overlap, not from equal baselines.
    """
    lines: list[tuple[float, float, list[Word]]] = []  # (y0, y1, words)
    for w in sorted(words, key=_centre_then_left):
        wy0, wy1 = w.y0, w.y1
        wh = wy1 - wy0
        best = None
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            y0, y1, _ws = lines[i]
            inter = (min(wy1, y1)) - (max(wy0, y0))
            h = min(y1 - y0, wh) or 1.0
            if inter / h >= overlap:
                best = i
                break
        if best is None:
            lines.append((wy0, wy1, [w]))
        else:
            # the line keeps the band of its first words so a tall neighbour cannot swallow two rows
            lines[best][2].append(w)
    out: list[Line] = []
    for _, _, ws in lines:
        out.extend(Line(sorted(part, key=_left), page) for part in _split_baselines(ws))
    return out


# Words of one size whose centres stand this share of their height apart sit on two baselines.
BASELINE_SPLIT = 0.35


def _split_baselines(words: list[Word]) -> list[list[Word]]:
    """A line's words, split where they stand on two baselines half a line apart.

    Overlap alone joins a word moved half a line off its row (an amount or a header row displaced
    in the file) to the row it now half covers, and the row's own label may then fall off as a line
    of its own: the amount would be read into the wrong row, or a header row would swallow the row
    beneath it. Words of comparable height (never a superscript or a tall label beside its amounts)
    whose centres cluster in two bands with a gap of ``BASELINE_SPLIT`` of their height, one word
    over another in one column, are two lines.
    """
    if len(words) < 2:
        return [words]
    ordered = sorted(words, key=_centre)
    gaps = [(b.cy - a.cy, i) for i, (a, b) in enumerate(pairwise(ordered), 1)]
    gap, at = max(gaps)
    upper, lower = ordered[:at], ordered[at:]
    hu, hl = _median_height(upper), _median_height(lower)
    if min(hu, hl) <= 0 or min(hu, hl) < 0.75 * max(hu, hl) or gap < BASELINE_SPLIT * max(hu, hl):
        return [words]
    # each band must be a line of its own: its words stand close together vertically
    if upper[-1].cy - upper[0].cy > 0.25 * hu or lower[-1].cy - lower[0].cy > 0.25 * hl:
        return [words]
    # and two words stand one over the other in one column: a header cell set on two baselines
    # (同期增减 / （%）) puts its parts beside the others, never over them
    if not any(min(a.x1, b.x1) - max(a.x0, b.x0) > 0 for a in upper for b in lower):
        return [words]
    return [upper, lower]


def _median_height(words: list[Word]) -> float:
    hs = sorted(w.height for w in words)
    return hs[len(hs) // 2]


def _centre_then_left(w: Word) -> tuple[float, float]:
    return ((w.y0 + w.y1) / 2, w.x0)


def _left(w: Word) -> float:
    return w.x0


def _centre(w: Word) -> float:
    return (w.y0 + w.y1) / 2


def _utf8_name(p: Path) -> bool:
    try:
        str(p).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def open_document(path: str | Path, *, fake_bold_overlap: float = 0.6, line_merge_overlap: float = 0.45,
                  password: str | None = None, max_pages: int | None = None,
                  min_bigram_share: float = 0.2, data: bytes | None = None,
                  max_page_chars: int | None = None) -> Document:
    """Open a PDF or raise the contract's error: not_found, not_a_pdf, damaged, encrypted. With
    ``data``, the PDF is read from those bytes (the file's, read by the caller) and ``path`` only names it."""
    p = Path(path)
    if data is None:
        if not p.exists():
            raise NotFoundError("file not found: check the path", file=str(p))
        if p.is_dir():
            raise NotFoundError("is a folder, not a PDF: use `extractor batch` for folders", file=str(p))
        try:
            with p.open("rb") as fh:
                head = fh.read(4096)
        except OSError as e:
            raise NotFoundError(f"cannot read file: {e.strerror}", file=str(p)) from e
    else:
        head = data[:4096]
    if b"%PDF" not in head[:1024]:
        from .sniff import describe

        what, todo = describe(head)
        raise NotAPdfError(f"not a PDF: this is {what}; {todo}", file=str(p))
    if data is None and not _utf8_name(p):  # MuPDF takes only UTF-8 file names: read it from memory
        try:
            data = p.read_bytes()
        except OSError as e:
            raise NotFoundError(f"cannot read file: {e.strerror}", file=str(p)) from e
    try:
        pdf = pymupdf.open(p, filetype="pdf") if data is None else pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:
        raise DamagedPdfError(f"PDF is damaged beyond repair ({e}); download it again, or try "
                              "`qpdf in.pdf out.pdf` / `mutool clean in.pdf out.pdf` and extract from the result",
                              file=str(p)) from e
    _disable_js(pdf)
    doc = Document(p, pdf, fake_bold_overlap, line_merge_overlap, min_bigram_share=min_bigram_share,
                   max_pages=max_pages, max_page_chars=max_page_chars)
    _unlock(doc, password)
    try:
        pages = pdf.page_count
    except Exception as e:
        raise DamagedPdfError(f"PDF page tree is unreadable ({e}); download it again", file=str(p)) from e
    if pages == 0:
        raise DamagedPdfError("PDF has no pages (truncated download or a broken page tree); download it again",
                              file=str(p))
    if doc.repaired:
        doc.notes.append(("pdf_repaired", ("the file is damaged (broken cross-reference table, often a truncated "
                                           "download); MuPDF repaired it and it was read, but pages may be missing: "
                                           "download it again if figures are missing")))
    if max_pages and pages > max_pages:
        doc.notes.append(("pages_limited", (f"the PDF has {pages} pages; only the first {max_pages} were read "
                                            "(max_pages in patterns/thresholds.yaml)")))
    return doc


def _unlock(doc: Document, password: str | None) -> None:
    pdf, file = doc.pdf, str(doc.path)
    if pdf.needs_pass:
        if not password:
            raise EncryptedPdfError("PDF needs a password to open (user password): give it with --password, "
                                    "or obtain an unprotected copy", file=file)
        if not pdf.authenticate(password):
            raise EncryptedPdfError("the password given does not open this PDF: check it (a user or owner "
                                    "password opens it)", file=file)
        doc.notes.append(("pdf_password", "the PDF was opened with the password given"))
    elif pdf.is_encrypted or _restricted(pdf):
        # owner-password restrictions (no copying / printing): the text is readable without a password
        doc.notes.append(("pdf_restrictions", ("the PDF is encrypted with an owner password only (restrictions "
                                               "on copying or printing); no password is needed to read it")))


def _restricted(pdf: pymupdf.Document) -> bool:
    try:
        meta = pdf.metadata or {}
        return bool(meta.get("encryption"))
    except Exception:  # noqa: BLE001
        return False


def _disable_js(pdf: pymupdf.Document) -> None:
    """PyMuPDF never enables MuPDF's JavaScript engine; say so to MuPDF too, in case a build ever does."""
    try:
        pymupdf.mupdf.pdf_disable_js(pymupdf.mupdf.pdf_document_from_fz_document(pdf.this))
    except Exception:  # noqa: BLE001, S110 - not a PDF-backed document, or an older binding: nothing to disable
        pass
