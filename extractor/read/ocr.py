"""OCR of single pages with Tesseract: the ``tesseract`` program, or PyMuPDF's built-in one.

Takes a page and gives its words with coordinates in the page's own space, so the lines, rows and
items stages read an OCR'd page exactly as a page with a text layer. Only the pages chosen by
:mod:`extractor.statement.scanned` are OCR'd: Tesseract takes seconds per page.

The page is rendered grey at ``OcrSettings.dpi`` and read by the ``tesseract`` program (TSV: words
with boxes), one thread, through a pipe, within the time the report has left (killed at its
deadline). Where only Tesseract's data is installed, PyMuPDF's ``Pixmap.pdfocr_tobytes`` reads it
instead (four times slower a page, and not interruptible). Between the page image and the words,
because of how statements look:
- ruling lines (table borders) are removed from the image first. Tesseract reads a boxed table as
  pictures and returns noise for most cells; without the lines it reads the cells;
- words are set as a text layer has them: Chinese runs ("营业", "收入"; "七", "、54") joined, 〈 and a
  lone 《 read for a round bracket put right, specks (_, quotes, |) dropped;
- amounts are rebuilt: Tesseract reads a thousands comma as a point or a space now and then, or
  loses it ("1957.131.57", "330, 160,487.90", "386.,937,040", "1118,434,386"). A token made of
  digits and separators whose last separator is followed by exactly two digits is read as yuan
  and fen and reprinted with commas, one whose separators cut groups of three as whole yuan;
  fragments of one amount split at a misread space are joined. What cannot be read that way is
  left as read, and the amounts stage rejects it as it rejects any other non-amount.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pymupdf
import regex

from ..errors import NoTextLayerError
from . import limits
from .health import english_like

if TYPE_CHECKING:
    import numpy as np

# numpy (loaded for the first page OCR'd, under the report's memory limit) starts OpenBLAS, which maps a
# buffer and a thread stack per CPU: on a large machine that is gigabytes of address space, enough to
# trip the default --memory-limit. Only array arithmetic is done here: one thread is enough.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

INSTALL_HINT = ("install Tesseract with its Chinese and English data: "
                "`apt install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra tesseract-ocr-eng` "
                "(or set TESSDATA_PREFIX to a folder holding chi_sim/chi_tra/eng.traineddata)")


@dataclass(frozen=True)
class OcrSettings:
    languages: str = "chi_sim+chi_tra+eng"
    dpi: int = 200
    max_megapixels: float = 40.0  # a huge page (a page-size bomb) is rendered at a lower resolution
    engine: str = "auto"  # tesseract (the program), mupdf (PyMuPDF's built-in), auto: the program if installed


class OcrUnavailableError(NoTextLayerError):
    """Tesseract or one of its languages is missing: the page cannot be OCR'd here."""


@cache
def tessdata(languages: str) -> str:
    """The Tesseract data folder holding every language in ``languages``; raises when there is none."""
    folder = os.environ.get("TESSDATA_PREFIX")
    if not folder:
        if shutil.which("tesseract") is None:
            raise OcrUnavailableError(f"Tesseract is not installed; {INSTALL_HINT}")
        try:
            folder = pymupdf.get_tessdata()
        except Exception as e:
            raise OcrUnavailableError(f"Tesseract's data folder was not found ({e}); {INSTALL_HINT}") from e
    missing = [lang for lang in languages.split("+") if not (Path(folder) / f"{lang}.traineddata").is_file()]
    if missing:
        raise OcrUnavailableError(f"Tesseract has no data for {', '.join(missing)} in {folder}; {INSTALL_HINT}")
    return folder


def available(languages: str) -> bool:
    try:
        tessdata(languages)
    except OcrUnavailableError:
        return False
    return True


# common characters of annual reports that differ between the scripts (财/財, 务/務, 报/報 ...)
_SIMPLIFIED = set("财务报资产负债费经营应发现东权润为国计审据险这们会个实项与万")
_TRADITIONAL = set("財務報資產負債費經營應發現東權潤為國計審據險這們會個實項與萬")
_HAN = regex.compile(r"\p{Han}")
_LATIN = regex.compile(r"[A-Za-z]")


def narrow_languages(languages: str, sample: str, english_share: float = 0.25) -> str:
    """The languages of ``languages`` that text known to be in the report calls for: Tesseract
    takes about as long again for each language it is given, so a report whose other pages are
    simplified Chinese is OCR'd with chi_sim alone (its model reads digits and the odd Latin
    letter), an English one with eng alone. English is added to a Chinese report only when Latin
    letters are at least ``english_share`` of the letters (a bilingual report). Too little text
    to tell: all of them."""
    offered = languages.split("+")
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if han + latin < 200:
        return languages
    if han < 50 and not english_like(sample):
        return languages  # letters, but not English: judge nothing from them
    wanted = []
    if han >= 50:
        simp = sum(1 for c in sample if c in _SIMPLIFIED)
        trad = sum(1 for c in sample if c in _TRADITIONAL)
        if simp >= 3 * max(trad, 1):
            wanted.append("chi_sim")
        elif trad >= 3 * max(simp, 1):
            wanted.append("chi_tra")
        else:
            wanted.extend(["chi_sim", "chi_tra"])
    if han < 50 or latin >= english_share * (han + latin):
        wanted.append("eng")
    kept = [lang for lang in offered if lang in wanted]
    return "+".join(kept) if kept else languages


def ocr_page(page: pymupdf.Page, settings: OcrSettings) -> tuple[str, list[tuple[str, float, float, float, float]]]:
    """(plain text, words as (text, x0, y0, x1, y1) in page coordinates) read from the page image."""
    folder = tessdata(settings.languages)
    engine = engine_name(settings)
    dpi = render_dpi(page, settings)
    limits.check()
    gray = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    clean = _remove_rules(gray, dpi)
    if engine == "tesseract":
        sx, sy = page.rect.width / clean.width, page.rect.height / clean.height
        text, raw = _read_tsv(_run_tesseract(clean.tobytes("png"), settings.languages, folder), sx, sy)
        return text, repair_amount_words(raw)
    rgb = pymupdf.Pixmap(pymupdf.csRGB, clean)  # MuPDF's OCR writer takes RGB
    rgb.set_dpi(dpi, dpi)
    ocr_pdf = pymupdf.open(stream=rgb.pdfocr_tobytes(compress=False, language=settings.languages, tessdata=folder))
    try:
        ocr = ocr_pdf[0]
        scale = page.rect.width / ocr.rect.width if ocr.rect.width else 1.0
        tp = ocr.get_textpage(flags=pymupdf.TEXTFLAGS_TEXT, matrix=pymupdf.Matrix(scale, scale))
        lines: dict[tuple[str, ...], list[list]] = {}
        for w in tp.extractWORDS():  # (x0, y0, x1, y1, text, block, line, word), in reading order
            if w[4].strip(_SPECKS):
                lines.setdefault((str(w[5]), str(w[6])), []).append([_brackets(w[4].strip()), w[0], w[1], w[2], w[3]])
    finally:
        ocr_pdf.close()
    text, raw = _words_and_text(lines, 1.0, 1.0)
    return text, repair_amount_words(raw)


def render_dpi(page: pymupdf.Page, settings: OcrSettings) -> int:
    """The resolution the page is rendered at: ``settings.dpi``, lower for a huge page."""
    inches = max(1e-6, page.rect.width / 72) * max(1e-6, page.rect.height / 72)
    return max(36, min(settings.dpi, int((settings.max_megapixels * 1e6 / inches) ** 0.5)))


def engine_name(settings: OcrSettings) -> str:
    """``tesseract`` (the program) or ``mupdf`` (PyMuPDF's built-in Tesseract) for these settings."""
    if settings.engine == "mupdf":
        return "mupdf"
    if shutil.which("tesseract") is not None:
        return "tesseract"
    if settings.engine == "tesseract":
        raise OcrUnavailableError(f"the tesseract program is not installed (ocr_engine: tesseract); {INSTALL_HINT}")
    return "mupdf"


def _run_tesseract(png: bytes, languages: str, folder: str) -> str:
    """Tesseract's TSV for one page image. The program, not the library MuPDF carries: that one is
    built without SIMD and takes four times as long a page. One thread (OMP_THREAD_LIMIT=1): on a
    machine whose cores are busy, OpenMP's spinning threads make a page several times slower. The
    image goes through a pipe, nothing is written to disk; the program is given only the time the
    report has left, and killed at its deadline."""
    left = limits.remaining()
    if left is not None and left <= 0:
        limits.check()
    cmd = ["tesseract", "stdin", "stdout", "--tessdata-dir", folder, "-l", languages, "--psm", "3", "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(cmd, input=png, capture_output=True, timeout=left, env=env, check=False)
    except subprocess.TimeoutExpired:
        limits.check()  # the deadline passed: a time-out, not a page that could not be read
        raise
    except OSError as e:
        raise OcrUnavailableError(f"the tesseract program could not be run ({e}); {INSTALL_HINT}") from e
    if done.returncode != 0:
        # a page Tesseract cannot read (a broken image) reads as empty, like a page MuPDF cannot read
        return ""
    return done.stdout.decode("utf-8", "replace")


def _read_tsv(tsv: str, sx: float, sy: float) -> tuple[str, list[tuple[str, float, float, float, float]]]:
    """Words (in page coordinates: pixels times ``sx``, ``sy``) and plain text, a line of text per
    line Tesseract found."""
    lines: dict[tuple[str, ...], list[list]] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip(_SPECKS):
            continue  # nothing, or specks of a rule or stamp read as marks
        left, top, width, height = (int(v) for v in f[6:10])
        lines.setdefault(tuple(f[1:5]), []).append([_brackets(f[11].strip()), left, top, left + width, top + height])
    return _words_and_text(lines, sx, sy)


def _words_and_text(lines: dict[tuple[str, ...], list[list]], sx: float, sy: float
                    ) -> tuple[str, list[tuple[str, float, float, float, float]]]:
    """Words of Tesseract's lines (each [text, x0, y0, x1, y1], in reading order), runs joined and
    scaled by ``sx``, ``sy``, and the plain text, a line of text per line."""
    runs = [_join_runs(ws, ordered=True) for ws in lines.values()]  # in Tesseract's reading order first
    text = [" ".join(w[0] for w in ws) for ws in runs]
    words = _join_runs(sorted((w for ws in runs for w in ws), key=lambda r: r[1]), ordered=False)  # across blocks
    return "\n".join(text) + ("\n" if text else ""), [(t, x0 * sx, y0 * sy, x1 * sx, y1 * sy) for t, x0, y0, x1, y1 in words]


def _join_runs(words: list[list], ordered: bool) -> list[list]:
    """Tesseract cuts Chinese into runs of a character or two ("营业", "收入", "七", "、54"), with
    boxes that may overlap, and may put neighbours in different blocks: runs on one line set closer
    than a character's height are joined into one word, as the text layer has them (digits and Latin
    words are left apart). ``ordered``: the words are one Tesseract line in reading order, else
    they are all the page's words sorted left to right."""
    out: list[list] = []
    for w in words:
        h = max(1, w[4] - w[2])
        prev = None
        for o in reversed(out):
            overlap = min(o[4], w[4]) - max(o[2], w[2])
            gap = w[1] - o[3]
            if (overlap >= 0.5 * min(h, max(1, o[4] - o[2])) and gap < 1.0 * max(h, o[4] - o[2])
                    and (ordered or (gap >= -0.2 * h and w[1] >= o[1]))):
                prev = o
            if prev is not None or ordered:
                break
        if prev is not None and (_HAN.search(prev[0][-1]) or _HAN.search(w[0][0]) or w[0][0] in "、，"):
            prev[0] += w[0]
            prev[1:] = [min(prev[1], w[1]), min(prev[2], w[2]), max(prev[3], w[3]), max(prev[4], w[4])]
            continue
        out.append(list(w))
    return out


def _brackets(word: str) -> str:
    """Round brackets as printed: Tesseract's Chinese models read a full-width （ as 〈 or 《 now and
    then (合并利润表〈续), 所有者权益《或股东权益)); a 《 without its 》 is a bracket, not a book title."""
    word = word.translate(_ANGLES)
    if "《" in word and "》" not in word:
        word = word.replace("《", "(")
    elif "》" in word and "《" not in word:
        word = word.replace("》", ")")
    return word


_ANGLES = str.maketrans({"〈": "(", "〉": ")"})


def _remove_rules(pix: pymupdf.Pixmap, dpi: int) -> pymupdf.Pixmap:
    """The page image with long straight dark runs (table rules, underlines) painted white."""
    import numpy as np  # here, not at the top: the CLI's start-up does not need it
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, 0].copy()
    dark = img < 160
    length = max(20, int(dpi * 0.5))  # a rule is longer than any glyph stroke: half an inch
    mask = _runs(dark, length) | _runs(dark.T, length).T
    img[mask] = 255
    return pymupdf.Pixmap(pymupdf.csGRAY, pix.width, pix.height, img.tobytes(), False)


def _runs(dark: np.ndarray, length: int) -> np.ndarray:
    """Pixels inside a horizontal run of at least ``length`` dark pixels."""
    import numpy as np
    w = dark.shape[1]
    if w < length:
        return np.zeros_like(dark)
    c = np.cumsum(np.pad(dark.astype(np.int32), ((0, 0), (1, 0))), axis=1)
    starts = (c[:, length:] - c[:, :-length]) == length  # window [x, x+length) all dark: w-length+1 starts
    padded = np.pad(starts.astype(np.int32), ((0, 0), (length - 1, length - 1)))
    s = np.cumsum(np.pad(padded, ((0, 0), (1, 0))), axis=1)
    return (s[:, length:] - s[:, :-length]) > 0  # some full window covers x (the starts x-length+1 .. x)


# --- amounts -----------------------------------------------------------------------------

_FRAGMENT = regex.compile(r"^[(（\-−]?\d[\d.,，]*[)）]?$|^[.,，]\d[\d.,，]*[)）]?$")
_SEP = regex.compile(r"[.,，]")
_MONEY = regex.compile(r"^(?P<open>[(（])?(?P<sign>[\-−])?(?P<int>\d[\d.,，]*?)[.,，](?P<fen>\d{2})(?P<close>[)）])?$")
_GROUPED = regex.compile(r"^(?P<open>[(（])?(?P<sign>[\-−])?(?P<int>\d{1,3}(?:[.,，]+\d{3})+|\d{4,6}(?:[.,，]+\d{3}){2,})"
                         r"(?P<close>[)）])?$")
# marks Tesseract reads beside an amount from specks and table rules: quotes, underscores, a stop
_NOISE = "_”“\"'‘’`。"
# a word of nothing else is a speck (never a dash: "-" and "—" stand for nil in amount columns)
_SPECKS = " _”“\"'‘’`|~"


def _groups_ok(integer: str) -> bool:
    """Separators, however misread, split the integer part into a head and groups of three (the head
    may be longer when a comma was lost: "1957.131" for 1,957,131, and so may a group: "20.511660"
    for 20,511,660; a date "2021.12" fails)."""
    groups = [g for g in _SEP.split(integer) if g]
    return bool(groups) and all(len(g) % 3 == 0 for g in groups[1:])


def repair_amount(text: str) -> str:
    """One OCR'd amount token reprinted canonically, or the token unchanged (see module docstring)."""
    t = text.strip()
    core = t.strip(_NOISE)
    if core != t and (_MONEY.match(core) or _GROUPED.match(core)):
        t = core  # "”498,244,870,652", "_337,755,246"
    m = _MONEY.match(t)
    if m and _groups_ok(m.group("int")):
        digits = _SEP.sub("", m.group("int"))
        return f"{m.group('open') or ''}{m.group('sign') or ''}{int(digits):,}.{m.group('fen')}{m.group('close') or ''}"
    g = _GROUPED.match(t)
    if g and _SEP.findall(g.group("int")) != ["."]:
        # groups of three: thousands, whatever the separators were read as ("1.392.603", "386.,937,040",
        # "1.685,679,186", or lost: "1118,434,386"); only a lone point may be a decimal ("1.234")
        digits = _SEP.sub("", g.group("int"))
        return f"{g.group('open') or ''}{g.group('sign') or ''}{int(digits):,}{g.group('close') or ''}"
    return t if t != text.strip() else text


def repair_amount_words(words: list[tuple[str, float, float, float, float]]) -> list[tuple[str, float, float, float, float]]:
    """Join amount fragments split at a misread space, then repair each amount."""
    out: list[list] = []
    for text, x0, y0, x1, y1 in sorted(words, key=lambda w: (round(w[2]), w[1])):
        if out:
            prev = out[-1]
            same_line = abs(prev[2] - y0) < 0.5 * (y1 - y0) and abs(prev[4] - y1) < 0.5 * (y1 - y0)
            gap = x0 - prev[3]
            if (same_line and 0 <= gap < 0.6 * (y1 - y0) and _FRAGMENT.match(prev[0]) and _FRAGMENT.match(text)
                    and (prev[0][-1] in ".,，" or text[0] in ".,，" or len(text.split(",")[0].split(".")[0]) == 3)):
                prev[0] += text
                prev[3], prev[4] = max(prev[3], x1), max(prev[4], y1)
                continue
        out.append([text, x0, y0, x1, y1])
    return [(repair_amount(t), x0, y0, x1, y1) for t, x0, y0, x1, y1 in out]
