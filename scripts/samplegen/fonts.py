"""The fonts each producer names, the Debian package that installs each, and the two checks that keep a
sample's text independent of the machine that renders it.

Chromium and LibreOffice quietly substitute a font they cannot find, and which substitute they pick
depends on what the machine has: with Debian's fonts-liberation2 an English sample came out in
Liberation Serif, without it in Noto Serif CJK, and the text layer differed (ligatures, wrapping). So
every producer names only fonts that `.ci/run` installs, with no fallbacks, and the generator checks
before rendering that fontconfig has each of them (`missing_fonts`) and after rendering that the PDF
embeds nothing else (`unexpected_fonts`)."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .common import first_on_path


@dataclass(frozen=True)
class Font:
    family: str  # the family the HTML / DOCX names, as fontconfig knows it
    package: str | None  # Debian package that installs it; None: a PDF standard font, never looked up
    embedded: str  # how its PostScript names in a PDF start (subset tag removed)


# Noto Serif CJK has Latin glyphs too, so it sets English text as well: no second font whose presence
# varies by machine. LibreOffice embeds every face of the collection under the Japanese face's name
# (NotoSerifCJKjp-…), hence the shorter prefix.
NOTO_SERIF_SC = Font("Noto Serif CJK SC", "fonts-noto-cjk", "NotoSerifCJK")
NOTO_SERIF_TC = Font("Noto Serif CJK TC", "fonts-noto-cjk", "NotoSerifCJK")

# reportlab's fonts are not embedded: the PDF names a standard font (or an Adobe CID font) and the
# reader supplies it; the text layer comes from the PDF itself, so the machine's fonts never enter.
STANDARD = tuple(Font(n, None, n) for n in ("Times-Roman", "Times-Bold", "Helvetica"))
STSONG = Font("STSong-Light", None, "STSong-Light")
MSUNG = Font("MSung-Light", None, "MSung-Light")

_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


def missing_fonts(fonts: tuple[Font, ...]) -> str | None:
    """Why the machine cannot render with ``fonts`` (None when it can): each installed font must be known
    to fontconfig under its exact family name, regular and bold."""
    fc_list = first_on_path(("fc-list",))
    wanted = [f for f in fonts if f.package]
    if not wanted:
        return None
    if fc_list is None:
        return "fc-list not found (apt install fontconfig)"
    missing = []
    for f in wanted:
        for weight in ("regular", "bold"):
            p = subprocess.run([fc_list, "--format", "%{family}\n", f":family={f.family}:weight={weight}"],
                               check=False, capture_output=True, text=True, timeout=60)
            if not p.stdout.strip() and f not in missing:
                missing.append(f)
    if not missing:
        return None
    names = ", ".join(f"{f.family!r}" for f in missing)
    packages = " ".join(sorted({f.package for f in missing if f.package}))
    return f"font {names} not installed, regular and bold (apt install {packages})"


def embedded_fonts(pdf: Path) -> set[tuple[str, str]]:
    """(PostScript name without subset tag, family or "") of every font the PDF's pages use. Chromium
    writes its fonts as Type 3, whose name and family are only in the font descriptor."""
    import pymupdf

    out = set()
    with pymupdf.open(pdf) as d:
        for page in d:
            for xref, _ext, _type, basefont, _name, _enc, *_ in page.get_fonts(full=True):
                name, family = basefont, ""
                kind, value = d.xref_get_key(xref, "FontDescriptor")
                if kind == "xref":
                    desc = int(value.split()[0])
                    name = name or d.xref_get_key(desc, "FontName")[1]
                    fam_kind, fam = d.xref_get_key(desc, "FontFamily")
                    family = fam if fam_kind == "string" else ""
                out.add((_SUBSET_TAG.sub("", name.lstrip("/")), family))
    return out


def unexpected_fonts(pdf: Path, fonts: tuple[Font, ...]) -> list[str]:
    """Fonts the PDF uses that are not among ``fonts`` (empty when it used only those): a font is one of
    them when its PostScript name starts as one of theirs and its family, where the PDF records one,
    is one of their families."""
    families = {f.family for f in fonts}
    out = []
    for name, family in sorted(embedded_fonts(pdf)):
        if not any(name.startswith(f.embedded) for f in fonts) or (family and family not in families):
            out.append(f"{name} ({family})" if family else name)
    return out
