"""Resource bombs (issue 25), each generated here and small: every one ends with a contract code,
the JSON result printed and one line on stderr, never a traceback, a hang or `internal`.

| bomb | what it costs | ends as |
|---|---|---|
| glyph flood: 200,000 tiny glyphs on a page | memory (a text page of 200,000 characters) | `memory_limit` under `--memory-limit` |
| 200,000 nested `q` | MuPDF's nesting limit | `too_complex`, naming the page |
| a page-tree node that holds itself | the page cannot be loaded | `damaged`, naming the page |
| a page over `max_page_chars` | 600 MB to read glyph by glyph | not parsed, noted too complex |
| whitespace bomb: 3,000 pages of 20 MB blanks | minutes of MuPDF's parsing | `timeout` within 8 s of `--timeout 5` |
| stroke flood on a statement page | minutes to draw | a placeholder in the review |
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor.errors import ERROR_CODES
from extractor.pipeline import Options, extract_report
from extractor.read.document import open_document

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXTRACTOR = Path(sys.executable).parent / "extractor"
sys.path.insert(0, str(ROOT / "scripts"))
from samplegen.badfiles import add_strokes, glyph_flood, nested_q, unloadable_page, whitespace_bomb

NO_OCR = Options(ocr=False, timeout=60)


def _extract(*args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], dict]:
    res = subprocess.run([str(EXTRACTOR), "extract", *args, "--json"], capture_output=True, text=True,
                         timeout=timeout, check=False)
    return res, json.loads(res.stdout)


def _one_stderr_line(res: subprocess.CompletedProcess[str], code: str) -> None:
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and f"[{code}]" in lines[0], res.stderr
    assert "Traceback" not in res.stderr


def test_glyph_flood_ends_memory_limit_with_json(tmp_path: Path) -> None:
    """The allowance is MB beyond what the process holds when the report starts (limits.py), so the
    test does not depend on the machine: the flood's text page alone needs more than 16 MB."""
    path = glyph_flood(tmp_path / "glyph_flood.pdf", 200_000)
    res, out = _extract(str(path), "--memory-limit", "16")
    assert res.returncode == 1
    assert out["status"] == "error" and out["error"]["code"] == "memory_limit", out["error"]
    assert "raise --memory-limit" in out["error"]["message"]
    _one_stderr_line(res, "memory_limit")


def test_memory_limit_default_and_off() -> None:
    res = subprocess.run([str(EXTRACTOR), "extract", "--help"], capture_output=True, text=True, check=False)
    assert "--memory-limit" in res.stdout and "2048" in res.stdout
    res = subprocess.run([str(EXTRACTOR), "batch", "--help"], capture_output=True, text=True, check=False)
    assert "--memory-limit" in res.stdout and "2048" in res.stdout


@pytest.mark.parametrize(("make", "code", "says"), [
    (lambda p: nested_q(p), "too_complex", "page 1 is too complex to read (too many nested graphics states)"),
    (lambda p: unloadable_page(p, pages=3, bad=2), "damaged", "page 2 cannot be read (cycle in page tree)"),
], ids=["nested_q", "unloadable_page"])
def test_codes_say_what_happened(tmp_path: Path, make, code: str, says: str) -> None:
    path = make(tmp_path / "bomb.pdf")
    r = extract_report(path, NO_OCR).to_json()
    assert r["status"] == "error" and r["error"]["code"] == code, r["error"]
    assert code in ERROR_CODES
    assert says in r["error"]["message"] and "truncated" not in r["error"]["message"]


def test_page_over_max_page_chars_is_not_parsed(tmp_path: Path) -> None:
    path = glyph_flood(tmp_path / "span_flood.pdf", 20_000)
    doc = open_document(path, max_page_chars=10_000)
    assert doc.words(0) == [] and doc.quick_lines(0) == []
    assert "20,000 characters, more than max_page_chars (10,000)" in doc.too_complex[0]
    assert ("page_too_complex", f"page 1 was not parsed: {doc.too_complex[0]}") in doc.notes
    assert len(open_document(path).words(0)) > 0  # within the limit (the default 50,000), read as usual


def test_whitespace_bomb_times_out_within_8_seconds(tmp_path: Path) -> None:
    """The issue's bound: `extract --timeout 5` of a slow file ends `timeout` within 8 s, start-up
    included. The bomb's pages are each a MuPDF call of a fraction of a second, where the alarm
    defers; the deadline is checked before each page is read."""
    path = whitespace_bomb(tmp_path / "whitespace_bomb.pdf", pages=3000, megabytes=20)
    started = time.monotonic()
    res, out = _extract(str(path), "--timeout", "5", timeout=60)
    elapsed = time.monotonic() - started
    assert out["status"] == "error" and out["error"]["code"] == "timeout", out["error"]
    assert elapsed < 8, elapsed
    _one_stderr_line(res, "timeout")


def test_stroke_flood_review_shows_a_placeholder(tmp_path: Path) -> None:
    """The statement page of a sample with 300,000 strokes drawn over it: with a drawing budget of
    0.05 s a page its crops become a labelled placeholder and `extract --review` finishes."""
    truth = json.loads((SAMPLES / "s01_bse_reportlab.truth.json").read_text(encoding="utf-8"))
    page = truth["figures"]["revenue"]["current"]["page"]
    path = add_strokes(SAMPLES / "s01_bse_reportlab.pdf", tmp_path / "stroke_flood.pdf", page=page, strokes=300_000)
    patterns = tmp_path / "patterns"
    patterns.mkdir()
    (patterns / "draw.yaml").write_text("schema: extractor.patterns/1\nkind: thresholds\nvalues:\n"
                                        "  crop_render_seconds: 0.05\n  ocr_max_pages: 0\n", encoding="utf-8")
    html = tmp_path / "review.html"
    res, out = _extract(str(path), "--review", str(html), "--patterns", str(patterns), timeout=120)
    assert res.returncode == 0 and out["status"] == "ok", res.stderr
    text = html.read_text(encoding="utf-8")
    assert f"page {page} could not be drawn: drawing it took longer than 0.05 s" in text


def test_crop_over_the_pixel_budget_is_a_placeholder(tmp_path: Path) -> None:
    from extractor.report.crops import CropMaker, DrawLimits

    maker = CropMaker(None, embed=True, draw=DrawLimits(max_megapixels=0.01, seconds=20))
    crop = maker.crop(SAMPLES / "s01_bse_reportlab.pdf", "0" * 64, 1, [])
    assert crop is not None and crop.unavailable is not None and "more than crop_max_megapixels" in crop.unavailable
    assert maker.stats.failed and "page 1 could not be drawn" in maker.stats.failed[0]


@pytest.mark.parametrize(("first", "second", "same"), [
    ((10.0, 20.0, 30.0), (10.0, 20.0, 30.0), True),
    ((10.0, 20.0, 30.0), (11.4, 21.4, 31.4), True),   # fake bold: a fraction of a point apart
    ((1.4, 1.4, 9.0), (1.6, 1.6, 9.0), True),         # either side of a grid cell's edge
    ((10.0, 20.0, 30.0), (11.6, 20.0, 31.6), False),  # more than 1.5 pt to the right
    ((10.0, 20.0, 30.0), (10.0, 21.6, 30.0), False),  # the next line
    ((10.0, 20.0, 30.0), (10.0, 20.0, 40.0), False),  # same start, longer span
], ids=["same_place", "fake_bold", "cell_edge", "right", "below", "longer"])
def test_span_drawn_twice(first, second, same) -> None:
    """Spans are kept by grid cell (a page of 200,000 one-letter spans is not compared pair by pair);
    what counts as one span drawn twice is unchanged: left, top and right within 1.5 pt."""
    from extractor.read.document import _seen_span

    seen: dict = {}
    assert _seen_span(seen, "A", first) is False
    assert _seen_span(seen, "A", second) is same
    assert _seen_span(seen, "B", second) is False  # another text is never a duplicate
