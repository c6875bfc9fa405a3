"""Bad and hostile input: every named bad file ends with its code and a message that names the file
and says what to do; a batch holding them extracts the good reports; nothing runs or is written
where it should not be. OCR of scanned reports is in test_ocr.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.errors import ERROR_CODES
from extractor.pipeline import Options, extract_report
from extractor.read.document import open_document
from extractor.read.health import page_health
from extractor.read.sniff import describe

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "scripts"))
from samplegen.badfiles import BAD_FILES, encrypted, javascript

NO_OCR = Options(ocr=False)  # detection alone; OCR is exercised in test_ocr.py (seconds a page)


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    for bf in BAD_FILES:
        bf.make(SAMPLES, d / f"{bf.name}.pdf")
    return d


@pytest.mark.parametrize("bf", BAD_FILES, ids=[bf.name for bf in BAD_FILES])
def test_bad_file_ends_with_its_code(bad_dir, bf):
    path = bad_dir / f"{bf.name}.pdf"
    r = extract_report(path, NO_OCR).to_json()
    if bf.code in ("ok", "partial"):
        assert r["status"] in ("ok", "partial"), r["error"]
        assert r["figures"]["revenue"]["current"] is not None
        return
    assert r["status"] == "error"
    assert r["error"]["code"] == bf.code, r["error"]["message"]
    assert r["error"]["code"] in ERROR_CODES
    message = r["error"]["message"]
    assert message.startswith(path.name) and bf.hint.lower() in message.lower()


@pytest.mark.parametrize(("name", "flag"), [
    ("truncated_97pc", "pdf_repaired"),
    ("owner_password_only", "pdf_restrictions"),
], ids=["repaired", "owner_restrictions"])
def test_readable_damage_is_noted(bad_dir, name, flag):
    r = extract_report(bad_dir / f"{name}.pdf", NO_OCR).to_json()
    assert flag in [f["id"] for f in r["flags"]]


@pytest.mark.parametrize(("password", "status"), [
    ("open-me", "ok"),
    ("wrong", "error"),
    (None, "error"),
], ids=["right_password", "wrong_password", "no_password"])
def test_password(tmp_path, password, status):
    path = encrypted(SAMPLES / "s01_bse_reportlab.pdf", tmp_path / "locked.pdf", user_pw="open-me")
    r = extract_report(path, Options(password=password, ocr=False)).to_json()
    assert r["status"] == status
    if status == "error":
        assert r["error"]["code"] == "encrypted"
        assert ("does not open" if password else "--password") in r["error"]["message"]
    else:
        assert r["figures"]["revenue"]["current"]["value"] == 330160487.90


def test_password_on_the_command_line(tmp_path):
    path = encrypted(SAMPLES / "s01_bse_reportlab.pdf", tmp_path / "locked.pdf", user_pw="open-me")
    res = CliRunner().invoke(main, ["extract", str(path), "--json", "--password", "open-me"])
    assert res.exit_code == 0 and json.loads(res.stdout)["status"] == "ok"
    assert "open-me" not in res.stdout  # the password is never echoed into results


@pytest.mark.parametrize(("head", "says"), [
    (b"", "empty file"),
    (b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML page"),
    (b"\xef\xbb\xbf<html lang=zh>", "HTML page"),
    (b"PK\x03\x04\x14\x00", "ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office document"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
    (b"\x1f\x8b\x08\x00", "gzip"),
    ("公司年度报告全文\n营业收入 1,000\n".encode("gb18030"), "plain-text"),
    (bytes(range(256)) * 4, "binary data"),
], ids=["empty", "html", "html_bom", "zip", "ole", "jpeg", "gzip", "gbk_text", "binary"])
def test_sniff_says_what_it_is(head, says):
    what, todo = describe(head)
    assert says in what and todo


@pytest.mark.parametrize(("text", "garbled"), [
    ("合并利润表 营业收入 330,160,487.90 销售费用 21,370,659.13 " * 10, False),
    ("Consolidated statement of profit or loss. Revenue 481,563 Selling and distribution expenses " * 5, False),
    ("\x15\x16\x17\r\x0e\x0f\x10\x18\x19\x1a\x1b\x1c\x1d \x11\x07\x11\x08 " * 10, True),
    ("LøĨŒĥĎť8ŖōŀÀM řĔřt òòqŏëLņ ŃTsD L-ĒB=ðbĒiŔð ŪźŋmSô *òimSô ţŲe` " * 5, True),
    ("$IBOH[IPV :VBOIBOH /FX .BUFSJBMT $P -UE \"OOVBM 3FQPSU DPOTPMJEBUFE TUBUFNFOU " * 5, True),
    ("#$%&'()*+,-./0111111111111111111111111111 #2%&3.4(5678111111111111111111 " * 4, True),
    ("\ue000\ue001\ue002 营业收入 " * 10, True),
], ids=["chinese", "english", "control_chars", "latin_mix", "shifted_ascii", "leader_garbage", "private_use"])
def test_garbled_text_signal(text, garbled):
    assert page_health(text).garbled(30, 0.2, 0.2) is garbled


def test_javascript_is_never_enabled(tmp_path):
    path = javascript(SAMPLES / "s06_us_chromium.pdf", tmp_path / "js.pdf")
    doc = open_document(path)
    pdf = pymupdf.mupdf.pdf_document_from_fz_document(doc.pdf.this)
    assert not pymupdf.mupdf.pdf_js_supported(pdf)
    assert extract_report(path, NO_OCR).status == "ok"


def test_batch_with_bad_files_extracts_the_good_ones(bad_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in bad_dir.iterdir():
        (folder / p.name).write_bytes(p.read_bytes())
    good = ["s01_bse_reportlab.pdf", "s06_us_chromium.pdf"]
    for name in good:
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    (tmp_path / "patterns").mkdir()
    (tmp_path / "patterns" / "no_ocr.yaml").write_text(
        "schema: extractor.patterns/1\nkind: thresholds\nvalues:\n  ocr_max_pages: 0\n", encoding="utf-8")
    before = sorted(p.name for p in folder.iterdir())
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(folder), "--out", str(out), "--jobs", "2",
                                    "--patterns", str(tmp_path / "patterns")])
    assert res.exit_code == 0, res.output
    results = {Path(j["file"]).name: j for j in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert set(results) == set(before)
    for name in good:
        assert results[name]["status"] == "ok"
    for bf in BAD_FILES:
        j = results[f"{bf.name}.pdf"]
        got = j["status"] if j["status"] != "error" else j["error"]["code"]
        assert got == bf.code or (bf.code == "ok" and got == "partial"), (bf.name, j["error"])
    # nothing written beside the reports; the output folder holds only the batch's files
    assert sorted(p.name for p in folder.iterdir()) == before
    assert {p.name for p in out.iterdir()} <= {"results.jsonl", "figures.csv", "store.sqlite", "store.sqlite-wal",
                                               "store.sqlite-shm", "workers.log", "batch.lock"}


def _health_char_by_char(text: str) -> tuple[int, int]:
    """(characters, bad characters) counted one character at a time: what page_health must agree with."""
    from extractor.read.health import is_bad_char

    chars = [c for c in text if not c.isspace()]
    return len(chars), sum(1 for c in chars if is_bad_char(c))


@pytest.mark.parametrize("text", [
    "一、营业总收入 1,234.56\n其中：营业收入\t(12.00)",
    "Ð¹ÂÒ¾ !#&*+<=> \ufffd\ue000\x01 Revenue 收入",
    "",
    "   \n\t",
], ids=["cas-line", "garbage-mix", "empty", "blank"])
def test_page_health_counts_every_character(text: str) -> None:
    from extractor.read.health import page_health

    h = page_health(text)
    assert (h.chars, h.bad_chars) == _health_char_by_char(text)
