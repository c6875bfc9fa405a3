"""The batch store: a killed batch resumes where it stopped, duplicates are read once, new patterns
or a new version read again, bad files and dying workers never stop the batch."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.corpus.executors import LocalExecutor
from extractor.corpus.runner import run_batch
from extractor.corpus.store import Store
from extractor.pipeline import Options

from .corpus_util import QUICK, SAMPLES, distinct_copy, results, sample_folder

EXTRACTOR = Path(sys.executable).parent / "extractor"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def stored(outdir: Path) -> int:
    db = outdir / "store.sqlite"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return con.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:  # the table is not created yet
        return 0


def last_run(outdir: Path) -> dict:
    with Store(outdir) as s:
        run_ = s.latest_run()
    assert run_ is not None
    return run_.counts


def test_sigkill_halfway_then_rerun_reads_only_the_rest(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", copies=2, stems=QUICK + ("s02_ashare_libreoffice",))
    total = len(list(src.rglob("*.pdf")))
    killed = tmp_path / "killed"
    proc = subprocess.Popen([str(EXTRACTOR), "batch", str(src), "--out", str(killed), "--jobs", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored(killed) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = stored(killed)
    assert 3 <= before < total, "the batch must be killed halfway for this test to mean anything"

    res = run("batch", str(src), "--out", str(killed))
    assert res.exit_code == 0, res.output
    counts = last_run(killed)
    assert (counts["skipped"], counts["extracted"]) == (before, total - before)
    assert f"{total - before} read now, {before} already in the store" in res.output

    whole = tmp_path / "whole"
    assert run("batch", str(src), "--out", str(whole)).exit_code == 0
    assert results(killed) == results(whole)
    assert (killed / "figures.csv").read_bytes() == (whole / "figures.csv").read_bytes()


def test_bad_files_are_listed_and_the_good_ones_read(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    whole = (SAMPLES / "s01_bse_reportlab.pdf").read_bytes()
    (src / "notes.pdf").write_text("minutes of the board meeting", encoding="utf-8")
    (src / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    (src / "empty.pdf").write_bytes(b"")
    (src / "saved_page.pdf").write_text("<!DOCTYPE html><html><body><h1>2021 年度报告</h1></body></html>",
                                        encoding="utf-8")
    out = tmp_path / "out"
    res = run("batch", str(src), "--out", str(out), "--format", "jsonl,csv,xlsx")
    assert res.exit_code == 0, res.output
    by_name = {Path(r["file"]).name: r for r in results(out)}
    assert {by_name[f"{s}.pdf"]["status"] for s in QUICK} == {"ok"}
    expected = {"notes.pdf": {"not_a_pdf"}, "empty.pdf": {"not_a_pdf"}, "saved_page.pdf": {"not_a_pdf"},
                "truncated.pdf": {"damaged", "no_income_statement", "no_text_layer"}}
    for name, codes in expected.items():
        err = by_name[name]["error"]
        assert err["code"] in codes and len(err["message"]) > 20, (name, err)
    from openpyxl import load_workbook

    sheet = load_workbook(out / "figures.xlsx")["errors"]
    listed = {Path(r[0]).name: (r[1], r[2]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(listed) == set(expected)
    assert all(code and message for code, message in listed.values())
    assert "4 failed" in res.output


def test_duplicates_are_read_once_and_listed(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:2])
    (src / "again").mkdir()
    shutil.copy(src / f"{QUICK[0]}.pdf", src / "again" / "same_report.pdf")
    shutil.copy(src / f"{QUICK[0]}.pdf", src / "zz_copy.pdf")
    out = tmp_path / "out"
    res = run("batch", str(src), "--out", str(out))
    assert res.exit_code == 0 and "2 duplicate file(s)" in res.output
    rows = results(out)
    assert len(rows) == 2 and last_run(out)["extracted"] == 2
    first = next(r for r in rows if r["file"].endswith("again/same_report.pdf"))
    assert sorted(Path(d).name for d in first["duplicates"]) == [f"{QUICK[0]}.pdf", "zz_copy.pdf"]
    csv_text = (out / "figures.csv").read_text(encoding="utf-8-sig")
    assert "zz_copy.pdf" in csv_text


def test_changed_patterns_or_version_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:2])
    out = tmp_path / "out"
    options = Options()
    assert run_batch(src, out, options).extracted == 2
    assert run_batch(src, out, options).extracted == 0
    mine = tmp_path / "patterns"
    mine.mkdir()
    (mine / "flags.yaml").write_text("schema: extractor.patterns/1\nkind: flags\nflags:\n"
                                     "  customer_concentration: {thresholds: {min_share: 0.01}}\n", encoding="utf-8")
    changed = run_batch(src, out, Options(patterns=(str(mine),)))
    assert changed.extracted == 2
    assert all("customer_concentration" in {f["id"] for f in r["flags"]} for r in results(out))
    (mine / "flags.yaml").write_text((mine / "flags.yaml").read_text().replace("0.01", "0.02"), encoding="utf-8")
    assert run_batch(src, out, Options(patterns=(str(mine),))).extracted == 2  # edited file, new hash
    assert run_batch(src, out, options).extracted == 0  # the built-in patterns' results are still stored
    from extractor import version

    monkeypatch.setattr(version, "__version__", "99.0.0")
    assert run_batch(src, out, options).extracted == 2


def test_a_dying_or_stuck_worker_costs_only_its_report(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:2])
    distinct_copy(SAMPLES / f"{QUICK[0]}.pdf", src / "crash_me.pdf", "crash")
    distinct_copy(SAMPLES / f"{QUICK[0]}.pdf", src / "hang_me.pdf", "hang")
    out = tmp_path / "out"
    ex = LocalExecutor(2, timeout=3.0, fn="tests.corpus_util:crash_or_extract", grace=0.5)
    res = run_batch(src, out, Options(), executor=ex)
    assert (res.ok, res.failed) == (2, 2)
    by_name = {Path(r["file"]).name: r for r in results(out)}
    crash, hang = by_name["crash_me.pdf"]["error"], by_name["hang_me.pdf"]["error"]
    assert crash["code"] == "internal" and "SIGSEGV" in crash["message"]
    assert hang["code"] == "timeout" and "worker was killed" in hang["message"]
    # such errors are tried again by the next run (more time or memory may be given)
    again = run_batch(src, out, Options(), executor=LocalExecutor(1))
    assert again.extracted == 2 and again.ok == 4


def test_memory_limit_fails_the_report_not_the_batch(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:2])
    distinct_copy(SAMPLES / f"{QUICK[0]}.pdf", src / "greedy.pdf", "greedy")
    out = tmp_path / "out"
    ex = LocalExecutor(1, fn="tests.corpus_util:greedy_or_extract")
    res = run_batch(src, out, Options(memory_limit=300), executor=ex)
    assert (res.ok, res.failed) == (2, 1)
    err = next(r["error"] for r in results(out) if r["file"].endswith("greedy.pdf"))
    assert err["code"] == "memory_limit" and "more than 300 MB" in err["message"]
    assert "raise --memory-limit" in err["message"]
    res = run("batch", str(src), "--out", str(out), "--memory-limit", "400")  # the option reaches the workers
    assert res.exit_code == 0 and {r["status"] for r in results(out)} == {"ok"}
