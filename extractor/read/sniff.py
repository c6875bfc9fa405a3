"""Say what a file that is not a PDF looks like, from its first bytes.

Takes the first kilobytes of a file and gives a short description ("an HTML page", "a ZIP archive
(Word, Excel or a zipped download?)", "an empty file") for the ``not_a_pdf`` message, so the user
knows whether the download went wrong (a login or error page saved as .pdf) or the file is
another document type to convert. Only magic numbers and a look at the text are used: cheap, and
nothing is parsed or executed.
"""

from __future__ import annotations

import regex

# (magic bytes at offset 0, what it is, what to do)
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (a Word/Excel file or a zipped download?)",
     "unzip it or save the document as PDF"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)", "save it as PDF from the office program"),
    (b"{\\rtf", "an RTF document", "save it as PDF from a word processor"),
    (b"\x89PNG", "a PNG image", "put the scanned pages into a PDF (e.g. `img2pdf`) and retry"),
    (b"\xff\xd8\xff", "a JPEG image", "put the scanned pages into a PDF (e.g. `img2pdf`) and retry"),
    (b"GIF8", "a GIF image", "put the pages into a PDF and retry"),
    (b"II*\x00", "a TIFF image", "convert it to PDF (e.g. `tiff2pdf`) and retry"),
    (b"MM\x00*", "a TIFF image", "convert it to PDF (e.g. `tiff2pdf`) and retry"),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it (gunzip) and retry"),
    (b"Rar!", "a RAR archive", "extract the PDF from the archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "extract the PDF from the archive"),
    (b"AT&TFORM", "a DjVu document", "convert it to PDF (e.g. `ddjvu -format=pdf`)"),
    (b"%!PS", "a PostScript file", "convert it to PDF (e.g. `ps2pdf`)"),
)

_HTML = regex.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<script|<title|<!--)", regex.IGNORECASE)
_XML = regex.compile(rb"^\s*<\?xml", regex.IGNORECASE)
_JSON = regex.compile(rb"^\s*[\[{]\s*\"")


def describe(head: bytes) -> tuple[str, str]:
    """(what the bytes look like, what to do) for a file that has no PDF header."""
    if not head:
        return "an empty file (0 bytes; the download did not complete?)", "download the report again"
    if not head.strip(b" \t\r\n\x00"):
        return "a file of blanks or zero bytes (an interrupted download?)", "download the report again"
    body = head.removeprefix(b"\xef\xbb\xbf")
    for magic, what, todo in _MAGIC:
        if body.startswith(magic):
            return what, todo
    if _HTML.search(body[:512]) or b"<html" in body.lower():
        return ("an HTML page (a web page saved as .pdf: often a login, error or download page)",
                "open it in a browser, follow its link to the actual PDF and download that")
    if _XML.search(body):
        return "an XML document", "obtain the report as PDF"
    if _JSON.search(body):
        return "a JSON document (an API response?)", "obtain the report as PDF"
    if _looks_like_text(body):
        return "a plain-text file", "obtain the report as PDF"
    return "unrecognised binary data", "check the file; download the report again as PDF"


def _looks_like_text(data: bytes) -> bool:
    # a multi-byte character may be cut at the end of the sample: allow a few undecodable bytes
    best = 0.0
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, errors="replace")
        good = sum(1 for c in text if c != "\ufffd" and (c.isprintable() or c in "\r\n\t"))
        best = max(best, good / max(1, len(text)))
    return best >= 0.97
