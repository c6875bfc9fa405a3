"""Crops of PDF pages with the matched rows highlighted, rendered once and kept on disk.

Takes a report's PDF, a page and the boxes to show (PDF points, origin top-left, page 1-based) and
gives a PNG under ``crops/``: a band around the boxes with some context above and below, as wide as
the text in it, each box's row tinted and the box itself outlined, or the whole page scaled when
only the page is known. A page is drawn in a child process given ``crop_render_seconds`` (and no
more than the report's deadline, or the time the review was given, leaves), and only when the crop
stays within ``crop_max_megapixels`` (patterns/thresholds.yaml): a page that cannot be drawn so
(millions of strokes, a page-size bomb) gets a placeholder that says why instead of holding up the
review. A crop's file name is a digest of (sha256, page, boxes, scale), so a second run over the same
batch finds every crop on disk and opens no PDF at all.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from .. import patternbook
from ..corpus.outdir import replacing
from ..read import limits

Box = tuple[float, float, float, float]

ZOOM = 2.0  # 144 dpi: small print (8 pt) stays readable
PAGE_ZOOM = 1.25  # whole pages: enough to find the table, small enough to load quickly
CONTEXT = 70.0  # points shown above and below the highlighted rows
MARGIN = 30.0  # points kept left and right of the outermost text in the band
MAX_BAND = 520.0  # a taller band is cut to this, centred on the first box (a page is ~842 pt)
ROW_TINT = (1.0, 0.93, 0.35)
BOX_STROKE = (0.86, 0.1, 0.1)


@dataclass(frozen=True)
class Crop:
    """One rendered crop: its path under the report folder and its size in pixels."""

    path: str  # relative to the review folder, e.g. "crops/1114cd7cae618fc7/p13-3f2a….png"
    width: int
    height: int
    page: int
    boxes: tuple[Box, ...]
    data_uri: str | None = None  # set when crops are embedded (the one-file review)
    unavailable: str | None = None  # why the page could not be drawn (a placeholder is shown instead)


@dataclass(frozen=True)
class DrawLimits:
    """What drawing one crop may take: pixels and seconds (patterns/thresholds.yaml)."""

    max_megapixels: float = 40.0
    seconds: float = 10.0
    until: float | None = None  # time.monotonic() by which all drawing must end (`extract --review --timeout`)
    why_until: str = ""  # what set ``until``, for the placeholder

    @classmethod
    def from_book(cls, book: patternbook.PatternBook) -> DrawLimits:
        return cls(float(book.value("crop_max_megapixels")), float(book.value("crop_render_seconds")))


@dataclass
class CropStats:
    rendered: int = 0
    reused: int = 0
    failed: list[str] = field(default_factory=list)


def crop_key(sha256: str, page: int, boxes: Sequence[Box]) -> str:
    """The digest naming a crop: the same report, page, boxes and scale give the same file."""
    spec = json.dumps([sha256, page, [[round(c, 1) for c in b] for b in boxes], ZOOM, PAGE_ZOOM, CONTEXT, MARGIN,
                       MAX_BAND])
    return hashlib.sha256(spec.encode()).hexdigest()[:16]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (the first 24 bytes), without decoding it."""
    with path.open("rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    return struct.unpack(">II", head[16:24])


def band(page_rect: pymupdf.Rect, boxes: Sequence[Box]) -> pymupdf.Rect:
    """The full-width band around ``boxes`` with context, inside the page."""
    y0 = min(b[1] for b in boxes) - CONTEXT
    y1 = max(b[3] for b in boxes) + CONTEXT
    y1 = min(y1, y0 + MAX_BAND)  # rows far apart on one page: the first one and what follows it
    return pymupdf.Rect(page_rect.x0, max(page_rect.y0, y0), page_rect.x1, min(page_rect.y1, y1))


def trim(pg: pymupdf.Page, clip: pymupdf.Rect, boxes: Sequence[Box]) -> pymupdf.Rect:
    """The band narrowed to the text in it (and the boxes), so the crop shows print, not margins."""
    # MuPDF gives words in the unrotated page's space; boxes and the clip are as displayed
    turn = pg.rotation_matrix
    words = [pymupdf.Rect(w[:4]) * turn for w in pg.get_text("words", clip=clip * pg.derotation_matrix)]
    xs = [(w.x0, w.x1) for w in words] + [(b[0], b[2]) for b in boxes]
    x0 = max(clip.x0, min(x for x, _ in xs) - MARGIN)
    x1 = min(clip.x1, max(x for _, x in xs) + MARGIN)
    return pymupdf.Rect(x0, clip.y0, x1, clip.y1)


def megapixels(page_rect: pymupdf.Rect, boxes: Sequence[Box]) -> float:
    """The most pixels the crop of ``boxes`` (or the whole page) can have, known before drawing."""
    if not boxes:
        return page_rect.width * page_rect.height * PAGE_ZOOM * PAGE_ZOOM / 1e6
    clip = band(page_rect, boxes)
    return max(0.0, clip.width) * max(0.0, clip.height) * ZOOM * ZOOM / 1e6


def render(doc: pymupdf.Document, page: int, boxes: Sequence[Box]) -> bytes:
    """PNG bytes of ``page`` (1-based): the band around ``boxes`` highlighted, or the whole page."""
    pg = doc[page - 1]
    if not boxes:
        return pg.get_pixmap(matrix=pymupdf.Matrix(PAGE_ZOOM, PAGE_ZOOM), annots=False).tobytes("png")
    annots = []
    try:  # annotations drawn for the picture only, removed again: the document is never saved
        for b in boxes:
            row = pymupdf.Rect(pg.rect.x0 + 4, b[1] - 1.5, pg.rect.x1 - 4, b[3] + 1.5)
            # annotation rectangles are in the unrotated page's space, the figures' boxes as displayed
            row = row * pg.derotation_matrix
            tint = pg.add_rect_annot(row)
            tint.set_colors(stroke=None, fill=ROW_TINT)
            tint.set_border(width=0)
            tint.set_opacity(0.4)
            tint.update()
            annots.append(tint)
            outline = pg.add_rect_annot(pymupdf.Rect(b[0] - 2, b[1] - 2, b[2] + 2, b[3] + 2) * pg.derotation_matrix)
            outline.set_colors(stroke=BOX_STROKE, fill=None)
            outline.set_border(width=1.2)
            outline.update()
            annots.append(outline)
        clip = trim(pg, band(pg.rect, boxes), boxes)
        return pg.get_pixmap(matrix=pymupdf.Matrix(ZOOM, ZOOM), clip=clip, annots=True).tobytes("png")
    finally:
        for a in annots:
            pg.delete_annot(a)


class CropMaker:
    """Makes the crops of one review folder, reusing those already on disk.

    PDFs are opened only when a crop is missing, and kept open while one report's crops are made
    (call :meth:`close` between reports). With ``embed`` the PNGs are returned as data URIs and
    nothing is written (the one-file review of a single report).
    """

    def __init__(self, folder: Path | None, embed: bool = False, draw: DrawLimits | None = None) -> None:
        self.folder = folder
        self.embed = embed
        self.draw = draw or DrawLimits.from_book(patternbook.load())
        self.stats = CropStats()
        self._docs: dict[str, pymupdf.Document | None] = {}
        self._undrawable: dict[tuple[str, int], str] = {}  # (pdf, page) -> why: not tried again for its other crops

    def crop(self, pdf: Path | None, sha256: str, page: int, boxes: Sequence[Box]) -> Crop | None:
        boxes = tuple(tuple(float(c) for c in b) for b in boxes)  # type: ignore[misc]
        name = f"p{page}-{crop_key(sha256, page, boxes)}.png"
        rel = f"crops/{sha256[:16]}/{name}"
        if not self.embed and self.folder is not None:
            path = self.folder / rel
            if path.exists():
                self.stats.reused += 1
                w, h = png_size(path)
                return Crop(rel, w, h, page, boxes)
        png = self._undrawable.get((str(pdf), page)) or self._render(pdf, page, boxes)
        if isinstance(png, str):
            self._undrawable[(str(pdf), page)] = png
            self.stats.failed.append(f"{pdf}: page {page} could not be drawn: {png}")
            return Crop("", 0, 0, page, boxes, unavailable=png)
        if png is None:
            return None
        self.stats.rendered += 1
        w, h = struct.unpack(">II", png[16:24])
        if self.embed or self.folder is None:
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            return Crop(rel, w, h, page, boxes, uri)
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp:  # never leave a half-written PNG that a later run would take as cached
            tmp.write_bytes(png)
        return Crop(rel, w, h, page, boxes)

    def _render(self, pdf: Path | None, page: int, boxes: Sequence[Box]) -> bytes | str | None:
        """The PNG, None when there is no page to draw, or why the page could not be drawn."""
        doc = self._open(pdf)
        if doc is None:
            return None
        if not 1 <= page <= doc.page_count:
            self.stats.failed.append(f"{pdf}: page {page} is outside the document ({doc.page_count} pages)")
            return None
        try:
            size = megapixels(doc[page - 1].rect, boxes)
        except (pymupdf.mupdf.FzErrorBase, RuntimeError) as e:
            return limits.mupdf_message(e)
        if size > self.draw.max_megapixels:
            return (f"the picture would be {size:,.0f} megapixels, more than crop_max_megapixels "
                    f"({self.draw.max_megapixels:g}) in patterns/thresholds.yaml")
        seconds = self.draw.seconds
        if self.draw.until is not None:
            seconds = min(seconds, self.draw.until - time.monotonic())
            if seconds <= 0:
                return f"no time was left to draw it ({self.draw.why_until})"
        try:
            return limits.call_in_child(render, doc, page, boxes, seconds=seconds)
        except limits.ChildTimedOut:
            limits.check()  # the report's deadline passed: that is a time-out, not this page's fault
            if seconds < self.draw.seconds:
                return f"no time was left to finish drawing it ({self.draw.why_until})"
            return (f"drawing it took longer than {self.draw.seconds:g} s (crop_render_seconds in "
                    "patterns/thresholds.yaml); a page of very many strokes or images")
        except limits.ChildFailed as e:
            return str(e)

    def _open(self, pdf: Path | None) -> pymupdf.Document | None:
        if pdf is None:
            return None
        key = str(pdf)
        if key not in self._docs:
            try:
                self._docs[key] = pymupdf.open(pdf)
            except (pymupdf.FileDataError, RuntimeError, OSError) as e:
                self.stats.failed.append(f"{pdf}: cannot open for crops: {e}")
                self._docs[key] = None
        return self._docs[key]

    def close(self) -> None:
        for doc in self._docs.values():
            if doc is not None:
                doc.close()
        self._docs.clear()
