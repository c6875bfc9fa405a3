"""The speed-ups must not change an answer: each shortcut against the plain way it replaces.

- a concept's alternation (``Concept.any``) decides as its patterns one by one would;
- the section, label-prefix and item prefilters of ``tables/labels.py`` give the same classification;
- the outline walked from MuPDF's structs equals ``get_toc``;
- the CLI's paused collector is switched on again.
"""

from __future__ import annotations

import gc
import unicodedata
from pathlib import Path

import pymupdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor import patternbook
from extractor.book.types import Concept
from extractor.read.document import _walk_outline, open_document
from extractor.tables import labels

from .conftest import REAL, SAMPLES

BOOK = patternbook.load()


def _corpus_lines() -> list[str]:
    """Printed lines of the sample reports (and the first pages of the real ones, when present),
    folded the ways the stages fold them."""
    pdfs = sorted(SAMPLES.glob("*.pdf")) + sorted(REAL.glob("*.pdf"))[:6]
    lines: set[str] = set()
    for pdf in pdfs:
        with pymupdf.open(pdf) as doc:
            for page in list(doc)[:40]:
                for raw in page.get_text().split("\n"):
                    if raw.strip():
                        lines.add(raw.strip())
    folded = {"".join(unicodedata.normalize("NFKC", t).split()) for t in lines}
    return sorted(lines | folded | {labels.normalise_label(t, BOOK) for t in lines})


LINES = _corpus_lines()


def _plain_search(concept: Concept, text: str):
    for p in concept.patterns:
        m = p.search(text)
        if m:
            return p, m
    return None


def test_the_corpus_is_big_enough_to_mean_something() -> None:
    assert len(LINES) > 2000


@pytest.mark.parametrize("kind", sorted(BOOK.concepts))
def test_a_concepts_alternation_decides_as_its_patterns_do(kind: str) -> None:
    hits = 0
    for concept in BOOK.kind(kind).values():
        for text in LINES:
            got, want = concept.search(text), _plain_search(concept, text)
            assert (got and (got[0].id, got[1].span())) == (want and (want[0].id, want[1].span())), (concept.name, text)
            full = next((p for p in concept.patterns if p.fullmatch(text)), None)
            assert concept.match_full(text) is full, (concept.name, text)
            hits += want is not None
    if kind in ("items", "statements", "labels"):
        assert hits > 0  # the corpus exercises the patterns, not only their absence


def test_an_alternation_is_not_built_where_it_would_change_the_patterns() -> None:
    from extractor.book.types import Pattern

    def pat(src: str) -> Pattern:
        return Pattern(f"t#{src}", "t", "any", src, None, 1.0, "t.yaml", 1)

    backref = Concept("t", "items", None, "", [pat(r"(ab)\1"), pat("cd")], [])
    verbose = Concept("t", "items", None, "", [pat(r"(?x) a b"), pat("c d")], [])
    assert backref.any is None and verbose.any is None
    assert backref.search("abab") is not None and verbose.search("c d") is not None


def _plain_section(text: str, max_chars: int = 40):
    compact = labels.fold(text)
    if not compact or len(compact) > max_chars or labels.is_toc_line(text):
        return None
    for concept in BOOK.by_role("statements", "section"):
        hit = _plain_search(concept, compact)
        if hit:
            rest = compact[: hit[1].start()] + compact[hit[1].end():]
            if len(labels._NUMBERING.sub("", rest)) <= 3:
                return concept
    return None


def _plain_normalise(text: str) -> str:
    s = labels.fold(text)
    prefixes = BOOK.concept("labels", "strip_prefix").patterns
    suffixes = BOOK.concept("labels", "strip_suffix").patterns
    changed = True
    while changed and s:
        changed = False
        for p in prefixes:
            m = p.compiled.match(s)
            if m and m.end() > 0:
                s = s[m.end():]
                changed = True
        for p in suffixes:
            m = p.compiled.search(s)
            if m and m.end() == len(s) and m.start() > 0:
                s = s[: m.start()]
                changed = True
    return s


def _plain_item(label: str, roles: tuple[str, ...]):
    norm = _plain_normalise(label)
    for concept in BOOK.kind("items").values():
        if concept.role not in roles:
            continue
        p = next((p for p in concept.patterns if p.fullmatch(norm)), None)
        if p is not None and next((x for x in concept.excludes if x.search(labels.fold(label))), None) is None:
            return concept, p
    return None


def test_label_prefilters_classify_as_the_plain_loops() -> None:
    sections = items = 0
    for text in LINES:
        assert labels._section_hit(text, BOOK, 40) is _plain_section(text), text
        assert labels.normalise_label(text, BOOK) == _plain_normalise(text), text
        for roles in (("target", "neighbour", "foreign"), ("breakdown",), ("target",)):
            got, want = labels.match_item(text, BOOK, roles), _plain_item(text, roles)
            assert (got and (got[0].name, got[1].id)) == (want and (want[0].name, want[1].id)), (text, roles)
            items += want is not None
        sections += _plain_section(text) is not None
    assert sections > 0 and items > 50


def _nested_outline_pdf(path: Path) -> Path:
    doc = pymupdf.open()
    for i in range(12):
        doc.new_page().insert_text((72, 72), f"page {i + 1}")
    doc.set_toc([[1, "第一节 重要提示", 1], [2, "一、释义", 2], [3, "（一）细目", 3], [2, "二、公司简介", 4],
                 [1, "第十节 财务报告", 6], [2, "合并利润表", 8], [1, "Notes", 10], [1, "no page", -1]])
    doc.save(path)
    return path


def test_the_outline_walk_equals_get_toc(tmp_path: Path) -> None:
    pdfs = [_nested_outline_pdf(tmp_path / "outline.pdf")] + sorted(SAMPLES.glob("*.pdf")) + sorted(REAL.glob("*.pdf"))
    compared = 0
    for pdf in pdfs:
        with pymupdf.open(pdf) as doc:
            try:
                want = [tuple(e[:3]) for e in doc.get_toc(simple=True)]
            except Exception:  # noqa: BLE001, S112 - a broken outline: the document falls back to get_toc, which fails too
                continue
            try:
                got = _walk_outline(doc)
            except Exception:  # noqa: BLE001 - MuPDF refuses the outline: Document.outline falls back to get_toc
                got = None
            assert got in (want, None), pdf.name
            assert open_document(pdf).outline == want, pdf.name
            compared += bool(want) and got is not None
    assert compared >= 1


def test_the_cli_switches_the_collector_back_on() -> None:
    from extractor.cli import _loading

    assert gc.isenabled()
    with _loading():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(SystemExit), _loading():
        raise SystemExit(1)  # invalid pattern files end the command inside the block
    assert gc.isenabled()


def _plain_chars_to_words(chars):
    """The word splitting as first written: min/max over each word's glyphs."""
    from extractor.read.document import Word

    words, cur = [], []

    def flush():
        if cur:
            words.append(Word("".join(c for c, _ in cur), min(b[0] for _, b in cur), min(b[1] for _, b in cur),
                              max(b[2] for _, b in cur), max(b[3] for _, b in cur)))
            cur.clear()

    for c, box, gap in sorted(chars, key=lambda t: t[1][0]):
        if c == " ":
            flush()
            continue
        if cur and box[0] - cur[-1][1][2] > gap:
            flush()
        cur.append((c, box))
    flush()
    return words


def _plain_words_to_lines(words, page, overlap=0.45):
    from extractor.read.document import Line

    lines = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        best = None
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            y0, y1, _ws = lines[i]
            if (min(y1, w.y1) - max(y0, w.y0)) / (min(y1 - y0, w.height) or 1.0) >= overlap:
                best = i
                break
        if best is None:
            lines.append((w.y0, w.y1, [w]))
        else:
            lines[best][2].append(w)
    return [Line(sorted(ws, key=lambda w: w.x0), page) for _, _, ws in lines]


def test_words_and_lines_are_built_as_the_plain_loops_build_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.read import document

    seen: list[list] = []
    real = document._chars_to_words
    monkeypatch.setattr(document, "_chars_to_words", lambda chars: seen.append(list(chars)) or real(chars))
    checked = 0
    for pdf in sorted(SAMPLES.glob("*.pdf")):
        doc = open_document(pdf)
        for i in range(doc.page_count):
            words = doc.words(i)
            got = [(ln.text, ln.bbox) for ln in document.words_to_lines(words, i)]
            assert got == [(ln.text, ln.bbox) for ln in _plain_words_to_lines(words, i)], (pdf.name, i)
            checked += len(words)
    assert seen and all(real(chars) == _plain_chars_to_words(chars) for chars in seen)
    assert checked > 5000


def test_mdna_outline_hints_point_at_the_expense_and_rnd_subsections(tmp_path: Path) -> None:
    from extractor.sources.mdna import outline_hints

    doc = pymupdf.open()
    for i in range(50):
        doc.new_page().insert_text((72, 72), f"page {i + 1}")
    doc.set_toc([[1, "第四节 经营情况讨论与分析", 3], [2, "2、收入与成本", 4], [2, "3、费用", 6], [2, "4、研发投入", 7],
                 [1, "第十二节 财务报告", 30], [2, "33、销售费用", 40]])
    doc.save(tmp_path / "mdna.pdf")
    assert outline_hints(open_document(tmp_path / "mdna.pdf"), BOOK, 29) == [5, 6, 7]  # 0-based, with the next page


def test_mdna_tables_read_from_the_hints_equal_those_of_the_plain_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.sources import mdna
    from extractor.statement.locate import locate

    compared = 0
    for pdf in sorted(REAL.glob("*.pdf")) + sorted(SAMPLES.glob("*.pdf")):
        located = locate(open_document(pdf), BOOK)
        if not located.regions:
            continue
        first = located.regions[0].pages[0]
        hinted = mdna.read_mdna(open_document(pdf), BOOK, first)
        with monkeypatch.context() as m:
            m.setattr(mdna, "outline_hints", lambda *_: [])
            plain = mdna.read_mdna(open_document(pdf), BOOK, first)
        as_json = lambda r: ({k: {p: v.to_json() for p, v in per.items()} for k, per in r.rnd.items()},
                             {k: {p: v.to_json() for p, v in per.items()} for k, per in r.expenses.items()})
        assert as_json(hinted) == as_json(plain), pdf.name
        compared += bool(plain.rnd or plain.expenses)
    assert compared >= 1


def test_the_title_prefilter_passes_every_line_a_title_pattern_matches() -> None:
    could_be = labels._any_title(BOOK)
    patterns = [p for c in BOOK.kind("statements").values() for p in c.patterns]
    variants = LINES + [t + "（续）" for t in LINES[:500]] + ["2020年度合并利润表", "CONSOLIDATED STATEMENT OF PROFIT OR LOSS"]
    matched = 0
    for text in variants:
        if any(p.search(text) for p in patterns):
            matched += 1
            assert could_be(text), text
    assert matched > 20


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_an_anchor_is_in_every_match_of_its_pattern(data) -> None:
    from extractor.book.literals import anchor

    sources = sorted({p.source for c in BOOK.kind("statements").values() for p in c.patterns if anchor(p.source)})
    source = data.draw(st.sampled_from(sources))
    text = data.draw(st.from_regex(source, fullmatch=False))  # holds a match of the pattern
    assert anchor(source) in text


def test_anchors_are_never_cased_nor_guessed_for_foreign_syntax() -> None:
    from extractor.book.literals import anchor

    assert anchor("合并利润表") == "表" and anchor("(?:合并|母公司)?资产负债表") is not None
    assert anchor("consolidatedincomestatements?") is None  # letters have case: no anchor
    assert anchor("(?:甲表|乙)") is None and anchor("表?") is None  # nothing every match holds
    assert anchor(r"\p{Han}表") is None  # regex-only syntax: searched always
