"""The CLI as users and scripts meet it: outputs, exit codes and one-line errors, never tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from extractor.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def make_pdf(path, text_pages=("hello",)):
    doc = pymupdf.open()
    for t in text_pages:
        page = doc.new_page()
        if t:
            page.insert_text((72, 72), t)
    doc.save(path)
    return path


BAD_INPUTS = {
    "not_found": lambda d: d / "missing.pdf",
    "not_a_pdf": lambda d: (d / "notes.pdf").write_text("just text") and d / "notes.pdf",
    "damaged": lambda d: (d / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<<" + b"\x00" * 50) and d / "cut.pdf",
    "no_text_layer": lambda d: make_pdf(d / "scan.pdf", ("",) * 5),
    "no_income_statement": lambda d: make_pdf(d / "letter.pdf", ("Dear shareholders, " * 5,) * 3),
}


def _encrypted(d):
    p = d / "locked.pdf"
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    doc.save(p, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw")
    return p


BAD_INPUTS["encrypted"] = _encrypted


@pytest.mark.parametrize("code", sorted(BAD_INPUTS))
def test_bad_input_gives_code_and_one_line(tmp_path, code):
    path = BAD_INPUTS[code](tmp_path)
    res = run("extract", str(path), "--json")
    assert res.exit_code == 1
    out = json.loads(res.stdout)
    assert out["status"] == "error" and out["error"]["code"] == code
    assert "Traceback" not in res.output
    err_lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(err_lines) == 1 and str(path) in err_lines[0] and code in err_lines[0]


def test_usage_error_exit_2():
    assert run("extract").exit_code == 2
    assert run("bogus").exit_code == 2


def test_patterns_check_builtin_ok():
    res = run("patterns", "check")
    assert res.exit_code == 0 and "OK" in res.stdout


def test_patterns_check_lists_problems(tmp_path):
    (tmp_path / "x.yaml").write_text("schema: extractor.patterns/1\nkind: items\nconcepts:\n  a:\n    patterns:\n"
                                     "      en: ['(']\n", encoding="utf-8")
    res = run("patterns", "check", str(tmp_path))
    assert res.exit_code == 1
    assert f"{tmp_path / 'x.yaml'}:6: concepts.a.patterns.en.0: invalid regular expression" in res.stdout


def test_bad_user_patterns_stop_extract(tmp_path):
    (tmp_path / "x.yaml").write_text("schema: 1\n", encoding="utf-8")
    res = run("extract", "whatever.pdf", "--patterns", str(tmp_path))
    assert res.exit_code == 1 and "x.yaml:1: schema" in res.stderr


def test_batch_goes_on_after_failures(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "bad.pdf").write_text("not a pdf")
    make_pdf(src / "sub" / "letter.pdf", ("hello " * 20,))
    out = tmp_path / "out"
    res = run("batch", str(src), "--out", str(out))
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert {r["error"]["code"] for r in rows} == {"not_a_pdf", "no_income_statement"}
    assert (out / "figures.csv").read_text(encoding="utf-8-sig").startswith("file,status,error_code")


def test_every_command_is_documented():
    readme = (__import__("pathlib").Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for cmd in ("extract", "explain", "batch", "export", "figure", "patterns check", "review"):
        assert f"extractor {cmd}" in readme
    for opt in ("--json", "--patterns", "--ratio", "--timeout", "--jobs", "--strict", "--out", "--memory-limit",
                "--executor", "--scheduler", "--quiet", "--format", "--refresh", "--groups", "--review", "--serve",
                "--port", "--pdf-root", "--follow-links", "--wait"):
        assert opt in readme


def _garbled(d):
    """Text drawn with an embedded font whose Unicode map was removed: glyph ids come out as text."""
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip(f"{font} not installed (Debian fonts-dejavu-core)")
    p = d / "garbled.pdf"
    doc = pymupdf.open()
    for _ in range(3):
        page = doc.new_page()
        page.insert_font(fontname="F0", fontfile=str(font))
        for k in range(10):
            page.insert_text((72, 72 + 20 * k), "Consolidated statement of profit or loss 1,234", fontname="F0")
    for x in range(1, doc.xref_length()):
        if doc.xref_get_key(x, "ToUnicode")[0] != "null":
            doc.xref_set_key(x, "ToUnicode", "null")
    doc.save(p)
    return p


def test_garbled_text_layer(tmp_path):
    res = run("extract", str(_garbled(tmp_path)), "--json")
    assert res.exit_code == 1
    assert json.loads(res.stdout)["error"]["code"] == "garbled_text"


def test_batch_frame_for_notebooks():
    from extractor import batch

    frame = batch(Path(__file__).resolve().parent.parent / "samples")
    assert len(frame) >= 5 and set(frame["status"]) == {"ok"}
    assert {"revenue_current", "rnd_expense_current_source", "ratio_value", "flags"} <= set(frame.columns)


def test_explain_shows_candidates_and_reasons():
    sample = Path(__file__).resolve().parent.parent / "samples" / "s02_ashare_libreoffice.pdf"
    res = run("explain", str(sample))
    assert res.exit_code == 0
    out = res.stdout
    assert "-> chosen" in out and "pattern zh-Hans/selling_expense#1" in out
    assert "parent-company statement" in out and "never read" in out
    assert "check notes_total: pass" in out


def test_explain_when_nothing_is_found(tmp_path):
    res = run("explain", str(make_pdf(tmp_path / "letter.pdf", ("Dear shareholders, " * 5,) * 3)))
    assert res.exit_code == 1
    assert "no_income_statement" in res.stdout and "full scan of 3 pages" in res.stdout


def test_deadline_raises_timeout():
    import time

    from extractor.errors import ExtractionTimeoutError
    from extractor.read.limits import deadline

    with pytest.raises(ExtractionTimeoutError, match="raise --timeout"), deadline(0.05, "slow.pdf"):
        time.sleep(1)


def test_timeout_becomes_error_code(tmp_path, monkeypatch):
    import sys
    import time

    extract_mod = sys.modules["extractor.pipeline"]
    monkeypatch.setattr(extract_mod, "extract", lambda path, options=None: time.sleep(2))
    report = extract_mod.extract_report(make_pdf(tmp_path / "a.pdf"), extract_mod.Options(timeout=0.05))
    assert report.status == "error" and report.error["code"] == "timeout"


def test_batch_strict_stops_and_fails(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a_bad.pdf").write_text("not a pdf")
    make_pdf(src / "b_letter.pdf", ("hello " * 20,))
    res = run("batch", str(src), "--out", str(tmp_path / "out"), "--strict")
    assert res.exit_code == 1
    assert len((tmp_path / "out" / "results.jsonl").read_text().splitlines()) == 1


def test_make_demo_leaves_workbook_figure_and_review_and_says_where(tmp_path: Path) -> None:
    """What a newcomer meets first: `make demo` ends with the files to open and how to record decisions."""
    import shutil
    import subprocess

    root = Path(__file__).resolve().parent.parent
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed")
    stamp = subprocess.run(["make", "-q", ".venv/.installed"], cwd=root, capture_output=True, check=False)
    if stamp.returncode != 0:
        pytest.skip("the project's .venv is not installed and up to date (run `make install`)")
    demo = tmp_path / "demo"
    res = subprocess.run(["make", "--no-print-directory", "demo", f"DEMO={demo}"], cwd=root, capture_output=True,
                         text=True, timeout=600, check=False)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    for name in ("figures.xlsx", "figure1.png", "figure1.svg", "figure1_summary.csv", "review/index.html"):
        assert (demo / name).is_file(), name
    for shown in ("figures.xlsx", "figure1.png, .svg", "review/index.html"):  # the paths to open, printed
        assert f"{demo}/{shown}" in res.stdout, shown
    assert f"extractor review {demo} --serve" in res.stdout
