"""User patterns under a time budget, and `patterns check` finding nested quantifiers (issue 25)."""

import pickle
import time
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from extractor import patternbook
from extractor.book.backtrack import nested_quantifier
from extractor.cli import main
from extractor.errors import ERROR_CODES, PatternTimeoutError
from extractor.pipeline import Options, extract_report

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
RUNAWAY = ("schema: extractor.patterns/1\nkind: statements\nconcepts:\n  runaway_title:\n    role: other\n"
           "    patterns:\n      en:\n        - (a|aa)+$\n")

NESTED = [
    ("plus of plus", r"(a+)+", True),
    ("overlapping alternatives", r"(a|aa)+$", True),
    ("word run with optional space", r"(\w+\s?)*", True),
    ("space then digits", r"(?:\s*\d+)+", True),
    ("Unicode property run", r"(?:\p{Han}+)+", True),
    ("alternatives sharing a start", r"(?:ab|abab)+", True),
    ("separator ends each pass", r"(?:\d+,)*\d", False),
    ("alternatives picked by their first character", r"(?:,|and|&)*x", False),
    ("bounded inner repeat", r"(?:\d{1,3},)+\d{3}", False),
    ("bounded outer repeat", r"(.*a){3}", False),
    ("prefix-free alternatives", r"(ab|a)+", False),
    ("plain label", r"销售费用", False),
    ("single class repeated", r"(?:a|b)*c", False),
]


@pytest.mark.parametrize(("source", "nested"), [c[1:] for c in NESTED], ids=[c[0] for c in NESTED])
def test_nested_quantifiers_found_on_the_parsed_pattern(source, nested):
    assert bool(nested_quantifier(source)) is nested


def test_patterns_check_passes_the_shipped_files():
    res = CliRunner().invoke(main, ["patterns", "check"])
    assert res.exit_code == 0, res.output
    assert "OK" in res.output


def test_patterns_check_names_file_concept_and_pattern(tmp_path):
    (tmp_path / "mine.yaml").write_text(RUNAWAY + r"        - (\w+\s?)*x" + "\n        - ok(?:,|and)*x\n",
                                        encoding="utf-8")
    res = CliRunner().invoke(main, ["patterns", "check", str(tmp_path)])
    assert res.exit_code == 1
    lines = [ln for ln in res.output.splitlines() if "nested quantifier" in ln]
    assert len(lines) == 2
    assert lines[0].startswith(f"{tmp_path / 'mine.yaml'}:8: concepts.runaway_title.patterns.en.0: ")
    assert "'(a|aa)+$' of concept runaway_title" in lines[0]
    assert f"{tmp_path / 'mine.yaml'}:9: " in lines[1]
    assert "2 problem(s)" in res.output


def test_budget_lives_in_thresholds_and_is_checked(tmp_path):
    assert patternbook.load().value("pattern_timeout") > 0
    (tmp_path / "t.yaml").write_text("schema: extractor.patterns/1\nkind: thresholds\nvalues:\n  pattern_timeout: 0\n",
                                     encoding="utf-8")
    assert any("pattern_timeout" in p for p in patternbook.check_folder(tmp_path))


def test_only_user_patterns_are_budgeted(tmp_path):
    (tmp_path / "mine.yaml").write_text(RUNAWAY, encoding="utf-8")
    book = patternbook.load((str(tmp_path),))
    runaway = book.concept("statements", "runaway_title").patterns[0]
    assert runaway.budget == book.value("pattern_timeout")
    assert all(p.budget is None for p in book.concept("statements", "income_consolidated").patterns)
    builtin = patternbook.load()  # unchanged by the user folder's load
    assert all(p.budget is None for cs in builtin.concepts.values() for c in cs.values() for p in c.patterns)


def test_error_pickles_with_its_fields():
    e = PatternTimeoutError("en/x#1", "(a|aa)+$", "/p/mine.yaml", 8, "x", 0.25, file="r.pdf")
    back = pickle.loads(pickle.dumps(e))
    assert (back.code, back.pattern_id, back.line, back.file, str(back)) == ("pattern_timeout", "en/x#1", 8, "r.pdf",
                                                                              str(e))
    assert "pattern_timeout" in ERROR_CODES


@pytest.fixture
def report_with_a_run(tmp_path) -> Path:
    """A sample report whose income-statement page also prints a run of a's (text the runaway pattern
    backtracks on: a short line is tried as a statement title)."""
    doc = pymupdf.open(SAMPLES / "s01_bse_reportlab.pdf")
    doc[12].insert_text((50, 60), "a" * 40 + "b", fontsize=8)
    out = tmp_path / "s01_run_of_a.pdf"
    doc.save(out)
    return out


def test_runaway_user_pattern_ends_the_report_naming_the_pattern(tmp_path, report_with_a_run):
    folder = tmp_path / "patterns"
    folder.mkdir()
    (folder / "mine.yaml").write_text(RUNAWAY, encoding="utf-8")
    t0 = time.monotonic()
    report = extract_report(report_with_a_run, Options(patterns=(str(folder),), timeout=60, ocr=False))
    elapsed = time.monotonic() - t0
    assert report.status == "error" and report.error["code"] == "pattern_timeout", report.error
    message = report.error["message"]
    assert "(a|aa)+$" in message and "runaway_title" in message and f"{folder / 'mine.yaml'}:8" in message
    assert "not the PDF" in message
    assert elapsed < 15


def test_runaway_pattern_through_the_cli_exits_1_with_one_line(tmp_path, report_with_a_run):
    folder = tmp_path / "patterns"
    folder.mkdir()
    (folder / "mine.yaml").write_text(RUNAWAY, encoding="utf-8")
    res = CliRunner().invoke(main, ["extract", str(report_with_a_run), "--json", "--patterns", str(folder)])
    assert res.exit_code == 1
    assert '"code": "pattern_timeout"' in res.output
