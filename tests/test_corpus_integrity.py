"""Batch integrity (issue 26): a stored result belongs to the bytes that were read; files that change,
vanish or keep growing during a run; a batch killed or stopped by a signal while listing or reading;
two batches on one output folder; a read-only output folder and a full disk; odd file names;
symbolic links, FIFOs and the like; option and threshold validation. Every failure is one line on
stderr with a documented exit code, never a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.corpus import decisions
from extractor.corpus.executors import LocalExecutor
from extractor.corpus.runner import run_batch
from extractor.corpus.store import Store
from extractor.pipeline import Options

from .corpus_util import QUICK, SAMPLES, distinct_copy, results, sample_folder

EXTRACTOR = Path(sys.executable).parent / "extractor"
ROOT = Path(__file__).resolve().parent.parent
S01, S04, S07 = (SAMPLES / f"{s}.pdf" for s in QUICK)
CODE = {S01: "834379", S04: "302657", S07: "08566"}  # the stock code each sample prints


def sha(data: bytes | Path) -> str:
    return hashlib.sha256(data.read_bytes() if isinstance(data, Path) else data).hexdigest()


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def stored(out: Path) -> dict[str, dict]:
    """sha256 -> stored result, read straight from the store."""
    db = out / "store.sqlite"
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return {s: json.loads(r) for s, r in con.execute("SELECT sha256, result FROM results")}
    except sqlite3.OperationalError:  # not created yet
        return {}


def assert_no_result_under_a_wrong_hash(out: Path) -> None:
    """Every stored result is keyed by the hash it carries, and a sample's hash holds that sample's report."""
    codes = {sha(p): c for p, c in CODE.items()}
    for key, result in stored(out).items():
        assert result.get("sha256") in (None, key), (key, result.get("sha256"))
        if key in codes and result["status"] != "error":
            assert result["company"]["code"] == codes[key], (key, result["file"], result["company"])


def no_traceback(res) -> None:
    text = (res.output if hasattr(res, "output") else "") + (getattr(res, "stderr", "") or "")
    assert "Traceback" not in text, text


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


class BeforeReading:
    """An executor that does something to the folder after the batch listed it, before any worker reads."""

    def __init__(self, action: Callable[[], None], inner: LocalExecutor | None = None) -> None:
        self.action, self.inner = action, inner or LocalExecutor(1)
        self.name = self.inner.name
        self.acted = False

    def run(self, tasks):
        if not self.acted:
            self.acted = True
            self.action()
        yield from self.inner.run(tasks)


# 1. a file that changes between listing and reading


def test_a_file_swapped_after_listing_is_stored_as_what_was_read(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(S01, src / "report.pdf")
    out = tmp_path / "out"
    res = run_batch(src, out, Options(), executor=BeforeReading(lambda: shutil.copy(S07, src / "report.pdf")))
    assert res.changed == 1 and res.ok == 1
    (row,) = results(out)
    assert row["sha256"] == sha(S07) and row["company"]["code"] == CODE[S07]
    assert sha(S01) not in stored(out)  # nothing read S01's bytes: nothing is stored under their hash
    assert_no_result_under_a_wrong_hash(out)
    # a later copy of the first content is read, not taken for done with the other content's figures
    shutil.copy(S01, src / "old_copy.pdf")
    again = run_batch(src, out, Options())
    assert again.extracted == 1 and again.skipped == 1
    by_name = {Path(r["file"]).name: r for r in results(out)}
    assert by_name["old_copy.pdf"]["company"]["code"] == CODE[S01]
    assert by_name["report.pdf"]["company"]["code"] == CODE[S07]
    assert_no_result_under_a_wrong_hash(out)


def test_a_swapped_file_with_a_listed_duplicate_leaves_the_duplicate_to_be_read(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(S01, src / "a.pdf")
    shutil.copy(S01, src / "b.pdf")  # listed as a duplicate of a.pdf: only a.pdf would be read
    out = tmp_path / "out"
    res = run_batch(src, out, Options(), executor=BeforeReading(lambda: shutil.copy(S04, src / "a.pdf")))
    assert (res.changed, res.total, res.ok, res.pending) == (1, 2, 2, 0)
    by_name = {Path(r["file"]).name: r for r in results(out)}
    assert by_name["a.pdf"]["company"]["code"] == CODE[S04] and by_name["a.pdf"]["duplicates"] == []
    assert by_name["b.pdf"]["company"]["code"] == CODE[S01] and by_name["b.pdf"]["sha256"] == sha(S01)
    assert_no_result_under_a_wrong_hash(out)


def test_a_file_that_keeps_changing_while_read_is_changed_during_run(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(S01, src / "growing.pdf")
    shutil.copy(S07, src / "steady.pdf")
    out = tmp_path / "out"
    res = run_batch(src, out, Options(), executor=LocalExecutor(1, fn="tests.corpus_util:growing_or_extract"))
    assert (res.unread, res.ok, res.failed) == (1, 1, 1)
    by_name = {Path(r["file"]).name: r for r in results(out)}
    err = by_name["growing.pdf"]["error"]
    assert err["code"] == "changed_during_run" and "next run reads it again" in err["message"]
    assert set(stored(out)) == {sha(S07)}  # nothing stored for a content never read whole
    res = run("batch", str(src), "--out", str(out))  # the download finished: read by the next run
    assert res.exit_code == 0 and "1 read now, 1 already in the store" in res.output, res.output
    assert {r["status"] for r in results(out)} == {"ok"}
    assert_no_result_under_a_wrong_hash(out)


# 2. a file briefly missing or truncated during the run


def test_a_file_gone_or_truncated_during_the_run_is_read_once_restored(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name, sample in (("gone.pdf", S04), ("cut.pdf", S01), ("fine.pdf", S07)):
        shutil.copy2(sample, src / name)
    times = {p.name: (p.stat().st_atime_ns, p.stat().st_mtime_ns) for p in src.iterdir()}

    def damage() -> None:
        (src / "gone.pdf").unlink()
        data = S01.read_bytes()
        (src / "cut.pdf").write_bytes(data[: len(data) // 3])

    out = tmp_path / "out"
    res = run_batch(src, out, Options(), executor=BeforeReading(damage))
    assert (res.unread, res.changed, res.ok, res.failed) == (1, 1, 1, 2)
    by_name = {Path(r["file"]).name: r for r in results(out)}
    assert by_name["gone.pdf"]["error"]["code"] == "not_found"
    assert "removed or moved after the batch listed it" in by_name["gone.pdf"]["error"]["message"]
    assert by_name["cut.pdf"]["status"] == "error" and by_name["cut.pdf"]["sha256"] != sha(S01)
    assert sha(S01) not in stored(out) and sha(S04) not in stored(out)
    # restored unchanged, with their old modification times: both are read now
    for name, sample in (("gone.pdf", S04), ("cut.pdf", S01)):
        shutil.copy(sample, src / name)
        os.utime(src / name, ns=times[name])
    res = run("batch", str(src), "--out", str(out))
    assert res.exit_code == 0 and "2 read now, 1 already in the store" in res.output, res.output
    by_name = {Path(r["file"]).name: r for r in results(out)}
    assert {n: r["status"] for n, r in by_name.items()} == {"cut.pdf": "ok", "fine.pdf": "ok", "gone.pdf": "ok"}
    assert_no_result_under_a_wrong_hash(out)


# 3. killed while listing


LISTING_STALLS = """
import sys, time
from pathlib import Path
from extractor.corpus import runner
real, calls, marker = runner.hash_file, [], Path(sys.argv[1])
def stalling(path):
    calls.append(path)
    if len(calls) == 2:  # the listing has hashed a file: say so, then take forever over the next
        marker.write_text("listing")
        time.sleep(120)
    return real(path)
runner.hash_file = stalling
from extractor.cli import main
sys.argv = ["extractor", *sys.argv[2:]]
main()
"""


def _wait_for(check: Callable[[], bool], proc: subprocess.Popen | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert proc is None or proc.poll() is None, "the batch ended before the test could act"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_killed_while_listing_records_nothing_and_exports_stay_whole(tmp_path: Path, sig: int) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    out = tmp_path / "out"
    assert run("batch", str(src), "--out", str(out), "--format", "jsonl,csv,xlsx").exit_code == 0
    before = {name: (out / name).read_bytes() for name in ("results.jsonl", "figures.csv", "figures.xlsx")}
    for k in (1, 2):
        distinct_copy(S01, src / f"new{k}.pdf", f"new{k}")
    marker = tmp_path / "listing"
    proc = subprocess.Popen([sys.executable, "-c", LISTING_STALLS, str(marker), "batch", str(src), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(marker.exists, proc)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == (-9 if sig == signal.SIGKILL else 143), (proc.returncode, stderr)
    if sig == signal.SIGTERM:
        assert "stopped by SIGTERM while listing" in stderr and "nothing was recorded" in stderr
        assert "Traceback" not in stderr
    with Store(out) as store:
        latest = store.latest_run()
        assert latest is not None and latest.id == 1  # the stopped listing left no run behind
    assert {name: (out / name).read_bytes() for name in before} == before
    res = run("export", str(out), "--format", "jsonl,csv")
    assert res.exit_code == 0 and res.stdout.startswith("3 reports: 3 ok"), res.output
    assert len(results(out)) == 3
    assert run("figure", str(out), "--out", str(tmp_path / "fig")).exit_code == 0
    assert run("review", str(out), "--out", str(tmp_path / "review")).stdout.startswith("3 reports ->")
    res = run("batch", str(src), "--out", str(out))  # the rerun lists again and reads the new files
    assert res.exit_code == 0 and "2 read now, 3 already in the store" in res.output, res.output
    assert_no_result_under_a_wrong_hash(out)


OLD_SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, folder TEXT NOT NULL, version TEXT NOT NULL,
    patterns TEXT NOT NULL, ratio TEXT NOT NULL, pattern_dirs TEXT NOT NULL, executor TEXT, started_at TEXT NOT NULL,
    finished_at TEXT, files INTEGER, reports INTEGER, skipped INTEGER, extracted INTEGER);
CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, size INTEGER, mtime_ns INTEGER, run INTEGER NOT NULL,
    error TEXT);
"""


def test_a_store_left_by_a_kill_while_listing_before_this_fix_exports_its_last_listed_run(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    out = tmp_path / "out"
    assert run("batch", str(src), "--out", str(out)).exit_code == 0
    expected = results(out)
    # what the old store looked like: no run_files, no listed_at, and an empty run from a kill while listing
    db = out / "store.sqlite"
    with sqlite3.connect(db) as con:
        runs = con.execute("SELECT id, folder, version, patterns, ratio, pattern_dirs, executor, started_at, "
                           "finished_at, files, reports, skipped, extracted FROM runs").fetchall()
        files = con.execute("SELECT r.path, r.sha256, f.size, f.mtime_ns, r.run, r.error FROM run_files r "
                            "JOIN files f USING (path)").fetchall()
        con.executescript("DROP TABLE runs; DROP TABLE files; DROP TABLE run_files;" + OLD_SCHEMA)
        con.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", runs)
        con.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", files)
        con.execute("INSERT INTO runs (folder, version, patterns, ratio, pattern_dirs, started_at) "
                    "SELECT folder, version, patterns, ratio, pattern_dirs, started_at FROM runs")
    res = run("export", str(out), "--format", "jsonl")
    assert res.exit_code == 0 and res.stdout.startswith("3 reports"), res.output
    assert results(out) == expected


# 4. two batches on one output folder


def test_a_second_batch_on_the_same_out_refuses_or_waits(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    sample_folder(first, copies=1, stems=QUICK)
    second.mkdir()
    for name, sample in (("x.pdf", S01), ("y.pdf", S07)):
        distinct_copy(sample, second / name, "second")
    out = tmp_path / "out"
    a = subprocess.Popen([str(EXTRACTOR), "batch", str(first), "--out", str(out), "--jobs", "1", "--format",
                          "jsonl,csv,xlsx,parquet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = out / "batch.lock"
    _wait_for(lambda: lock.exists() and f"pid {a.pid}," in lock.read_text(), a)
    refused = run("batch", str(second), "--out", str(out), "--format", "jsonl,csv,xlsx,parquet")
    assert refused.exit_code == 4, refused.output
    assert f"another batch is writing to {out} (pid {a.pid}" in refused.stderr and "--wait" in refused.stderr
    no_traceback(refused)
    b = subprocess.Popen([str(EXTRACTOR), "batch", str(second), "--out", str(out), "--wait", "--format",
                          "jsonl,csv,xlsx,parquet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    a_out, a_err = a.communicate(timeout=300)
    b_out, b_err = b.communicate(timeout=300)
    assert a.returncode == 0 and b.returncode == 0, (a_err, b_err)
    assert "Traceback" not in a_err + b_err
    assert a_out.startswith("6 reports: 6 ok") and b_out.startswith("2 reports: 2 ok"), (a_out, b_out)
    assert f"waiting: another batch is writing to {out}" in b_err
    assert {Path(r["file"]).parent for r in results(out)} == {second}  # the latest run's folder, only
    assert leftovers(out) == []
    assert_no_result_under_a_wrong_hash(out)


def test_exports_at_the_same_time_never_share_a_temporary_file(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    out = tmp_path / "out"
    assert run("batch", str(src), "--out", str(out)).exit_code == 0
    dead = subprocess.Popen(["true"])  # a process that is no more ...
    dead.wait()
    (out / f".figures.csv.{dead.pid}-0badf00d.tmp").write_text("half an export")  # ... left this, killed by -9
    assert len(leftovers(out)) == 1
    for _ in range(2):
        procs = [subprocess.Popen([str(EXTRACTOR), "export", str(out)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=300) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outputs
        assert leftovers(out) == []
        assert len(results(out)) == 3
        from openpyxl import load_workbook

        assert load_workbook(out / "figures.xlsx")["figures"].max_row == 4
        import pandas as pd

        assert len(pd.read_parquet(out / "figures.parquet")) == 3


# 5. a read-only output folder, a missing parent, a full disk


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str, str], Path]]:
    """Mount a small tmpfs (root only): the real read-only and full-disk conditions, which chmod cannot
    give root. Skipped, with the reason, where mounting is not permitted."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "200k") -> Path:
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({(done.stderr or '').strip() or done.returncode}); the "
                        "read-only and full-disk tests need root")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _one_error_line(res, *words: str) -> str:
    no_traceback(res)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: cannot "), res.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def test_read_only_out_and_a_missing_parent_are_one_line_each(tmp_path: Path, tmpfs) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:1])
    disk = tmpfs("ro", "2m")
    out = disk / "out"
    assert run("batch", str(src), "--out", str(out), "--format", "jsonl,csv").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)  # a read-only mount (chmod does not stop root)
    for args in (["batch", str(src), "--out", str(out)], ["export", str(out)], ["figure", str(out)],
                 ["review", str(out)]):
        res = run(*args)
        assert res.exit_code == 3, (args, res.output)
        _one_error_line(res, str(out), "Read-only file system", "choose another folder")
    res = run("batch", str(src), "--out", str(disk / "new" / "out"))  # its parent cannot be created
    assert res.exit_code == 3
    _one_error_line(res, str(disk / "new" / "out"), "Read-only file system")
    res = run("batch", str(src), "--out", str(src / f"{QUICK[0]}.pdf" / "out"))  # a parent that is a file
    assert res.exit_code == 3
    _one_error_line(res, "a part of the path is a file")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_full_disk_stops_the_batch_with_one_line_and_a_rerun_resumes(tmp_path: Path, tmpfs) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    disk = tmpfs("full", "200k")  # room for the empty store and about two results
    out = disk / "out"
    res = run("batch", str(src), "--out", str(out), "--format", "jsonl,csv,xlsx,parquet")
    assert res.exit_code == 3, res.output
    line = _one_error_line(res, str(out), "free space", "rerun the same command to resume")
    assert "disk is full" in line or "No space left" in line
    assert leftovers(out) == []
    with sqlite3.connect(out / "store.sqlite") as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    kept = len(stored(out))
    assert kept < 3
    assert_no_result_under_a_wrong_hash(out)
    res = run("batch", str(src), "--out", str(out))  # still full: refused before any work
    assert res.exit_code == 3
    _one_error_line(res, str(out))
    subprocess.run(["mount", "-o", "remount,size=4m", str(disk)], check=True)
    res = run("batch", str(src), "--out", str(out), "--format", "jsonl,csv,xlsx,parquet")
    assert res.exit_code == 0 and f"{3 - kept} read now, {kept} already in the store" in res.output, res.output
    whole = tmp_path / "whole"
    assert run("batch", str(src), "--out", str(whole)).exit_code == 0
    assert results(out) == results(whole)


def test_a_full_disk_during_export_leaves_the_previous_exports(tmp_path: Path, tmpfs) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK)
    disk = tmpfs("export", "2m")
    out = disk / "out"
    assert run("batch", str(src), "--out", str(out), "--format", "jsonl,csv,xlsx,parquet").exit_code == 0
    exports = ("results.jsonl", "figures.csv", "figures.xlsx", "figures.parquet")
    before = {name: (out / name).read_bytes() for name in exports}
    for room_kb in (60, 0):  # room for the store's journal but not for the exports; no room at all
        filler = disk / "filler"
        filler.unlink(missing_ok=True)
        free_kb = shutil.disk_usage(disk).free // 1024
        with filler.open("wb") as fh:
            fh.write(b"\0" * max(0, free_kb - room_kb) * 1024)
        if room_kb == 0:
            try:
                with filler.open("ab") as fh:
                    while True:
                        fh.write(b"\0" * 4096)
                        fh.flush()
            except OSError:
                pass
        res = run("export", str(out))
        assert res.exit_code == 3, res.output
        _one_error_line(res, str(out), "No space left on device", "free space")
        assert {name: (out / name).read_bytes() for name in exports} == before
        assert leftovers(out) == []


# 6. odd names


def test_odd_file_names_and_comments_never_break_the_batch_or_the_exports(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    src = Path("=HYPERLINK(1)")  # every path in the tables starts with a formula prefix
    src.mkdir()
    names = {os.fsdecode(b"not-utf8-\xff\xfe.pdf"): S01, "esc\x1b[31mred.pdf": S04, "new\nline.pdf": S07,
             "@at.pdf": S01, "+plus.pdf": S04, "-minus.pdf": S07}
    for i, (name, sample) in enumerate(names.items()):  # MuPDF cannot save under a name that is not UTF-8
        os.rename(distinct_copy(sample, tmp_path / f"copy{i}.pdf", str(i)), src / name)
    os.mkfifo(src / "bell\x07\x1b[2Jfifo.pdf")
    res = run("batch", str(src), "--out", "out", "--format", "jsonl,csv,xlsx,parquet")
    assert res.exit_code == 0, res.output
    no_traceback(res)
    assert res.stdout.startswith("6 reports: 6 ok")
    assert "\x1b" not in res.output and "\x07" not in res.output  # the terminal gets escapes, not escape codes
    assert "skipped: =HYPERLINK(1)/bell\\x07\\x1b[2Jfifo.pdf: a FIFO" in res.stderr
    rows = results(Path("out"))
    shown = {Path(r["file"]).name for r in rows}
    assert "not-utf8-\\xff\\xfe.pdf" in shown and "esc\x1b[31mred.pdf" in shown and "new\nline.pdf" in shown
    # a review comment with control characters and a formula prefix
    sha01 = next(r["sha256"] for r in rows if r["file"].endswith("@at.pdf"))
    decisions.record(Path("out/store.sqlite"), sha01, "figure:revenue.current", "confirmed", comment="=1+1\x07\x1b[0m")
    assert run("export", "out").exit_code == 0
    csv_text = Path("out/figures.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in csv_text and "\x07" not in csv_text
    assert "'=HYPERLINK(1)/@at.pdf" in csv_text and "'=1+1[0m" in csv_text
    assert "\n=" not in csv_text and ",=" not in csv_text
    from openpyxl import load_workbook

    ws = load_workbook("out/figures.xlsx")["figures"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    formula_like = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
    assert formula_like and all(c.data_type == "s" for c in formula_like)  # text, never a formula
    assert "=1+1[0m" in [c.value for c in cells]
    import pandas as pd

    assert len(pd.read_parquet("out/figures.parquet")) == 6
    res = run("batch", str(src), "--out", "out")  # the odd names are found in the store again
    assert res.exit_code == 0 and "0 read now, 6 already in the store" in res.output, res.output
    assert_no_result_under_a_wrong_hash(Path("out"))


# 7. symbolic links, FIFOs, sockets, folders named like PDFs


def test_links_out_of_the_folder_and_special_files_are_skipped_with_reasons(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(S01, src / "real.pdf")
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(S07, outside / "other.pdf")
    (src / "out_link.pdf").symlink_to(outside / "other.pdf")
    (src / "dir_link").symlink_to(outside)
    (src / "z_in_link.pdf").symlink_to(src / "real.pdf")
    (src / "broken.pdf").symlink_to(src / "nowhere.pdf")
    (src / "loop.pdf").symlink_to(src / "loop.pdf")
    (src / "sub").mkdir()
    (src / "sub" / "up").symlink_to(src)  # a loop of folders
    os.mkfifo(src / "pipe.pdf")
    (src / "folder.pdf").mkdir()
    shutil.copy(S04, src / "folder.pdf" / "inside.pdf")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(src / "socket.pdf"))
        out = tmp_path / "out"
        res = run("batch", str(src), "--out", str(out))
        followed = run("batch", str(src), "--out", str(tmp_path / "followed"), "--follow-links")
    assert res.exit_code == 0, res.output
    no_traceback(res)
    reasons = {Path(line.split(": ")[1]).name: line.split(": ", 2)[2] for line in res.stderr.splitlines()
               if line.startswith("skipped: ")}
    assert reasons["out_link.pdf"].startswith("a symbolic link out of the folder") and "--follow-links" in \
        reasons["out_link.pdf"]
    assert reasons["dir_link"].startswith("a symbolic link out of the folder")
    assert reasons["broken.pdf"].startswith("a broken symbolic link")
    assert reasons["loop.pdf"] == "a loop of symbolic links"
    assert reasons["up"].startswith("a symbolic link to a folder")
    assert reasons["pipe.pdf"].startswith("a FIFO") and reasons["socket.pdf"].startswith("a socket")
    assert reasons["folder.pdf"].startswith("a folder named like a PDF")
    assert "8 entries skipped" in res.output
    read = {Path(r["file"]).name: r for r in results(out)}
    assert set(read) == {"real.pdf", "inside.pdf"} and [Path(d).name for d in read["real.pdf"]["duplicates"]] == [
        "z_in_link.pdf"]
    assert followed.exit_code == 0, followed.output
    names = {Path(r["file"]).name for r in results(tmp_path / "followed")}
    assert "other.pdf" in names or "out_link.pdf" in names  # the outside report is read with --follow-links
    assert "a loop of symbolic links" in followed.stderr and "a folder already listed" in followed.stderr


def test_a_folder_without_pdfs_says_so_and_keeps_the_exports(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:1])
    out = tmp_path / "out"
    assert run("batch", str(src), "--out", str(out)).exit_code == 0
    before = (out / "results.jsonl").read_bytes()
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no reports here", encoding="utf-8")
    res = run("batch", str(empty), "--out", str(out))
    assert res.exit_code == 0 and res.stdout == ""
    assert f"no PDF files under {empty}" in res.stderr and "left as they were" in res.stderr
    assert (out / "results.jsonl").read_bytes() == before


# 8. signals: workers stop with the driver, exports of what is finished, a rerun resumes


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] in "ZX"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_a_signal_stops_every_worker_at_once_exports_what_is_done_and_a_rerun_resumes(tmp_path: Path,
                                                                                       sig: int) -> None:
    src = sample_folder(tmp_path / "in", copies=2, stems=QUICK)
    total = len(list(src.rglob("*.pdf")))
    out = tmp_path / "out"
    proc = subprocess.Popen([str(EXTRACTOR), "batch", str(src), "--out", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(lambda: len(stored(out)) >= 2, proc)
    workers = _children(proc.pid)
    assert workers, "the batch has no worker processes"
    assert all(os.getpgid(w) == os.getpgid(proc.pid) for w in workers)  # in the driver's process group
    t0 = time.monotonic()
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 10, "stopping took too long"
    assert proc.returncode == 128 + sig, (proc.returncode, stderr)
    assert f"stopped by {signal.Signals(sig).name}: the workers were stopped, what was finished is stored and " \
           "exported" in stderr
    assert "Traceback" not in stderr
    _wait_for(lambda: all(_gone(w) for w in workers), seconds=10)
    done = len(stored(out))
    assert 2 <= done < total
    assert len(results(out)) == done and f"{total - done} not read yet" in stdout
    res = run("batch", str(src), "--out", str(out))
    assert res.exit_code == 0 and f"{total - done} read now, {done} already in the store" in res.output, res.output
    assert_no_result_under_a_wrong_hash(out)


KILLED_DRIVER = """
import sys
from pathlib import Path
from extractor.corpus.executors import LocalExecutor
from extractor.corpus.runner import run_batch
from extractor.pipeline import Options
sys.path.insert(0, sys.argv[3])
run_batch(Path(sys.argv[1]), Path(sys.argv[2]), Options(), executor=LocalExecutor(1, fn="tests.corpus_util:crash_or_extract"))
"""


def test_a_driver_killed_by_sigkill_takes_its_workers_with_it(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(S07, src / "hang_me.pdf")  # its worker would sleep for 10 minutes
    proc = subprocess.Popen([sys.executable, "-c", KILLED_DRIVER, str(src), str(tmp_path / "out"), str(ROOT)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: bool(_children(proc.pid)), proc)
    workers = _children(proc.pid)
    time.sleep(1.0)  # the worker is started and asked to die with its parent
    proc.kill()
    proc.wait()
    _wait_for(lambda: all(_gone(w) for w in workers), seconds=10)


# 9. options and thresholds


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--jobs", "-1"], ["--jobs", "10000"], ["--timeout", "nan"],
                                  ["--timeout", "inf"], ["--timeout", "1e309"], ["--timeout", "-1"],
                                  ["--memory-limit", "nan"], ["--memory-limit", "-5"], ["--format", ""],
                                  ["--format", " , "]],
                         ids=lambda a: " ".join(a) or "empty")
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    res = run("batch", str(src), "--out", str(tmp_path / "out"), *args)
    assert res.exit_code == 2 and "Invalid value" in res.output, res.output
    assert not (tmp_path / "out").exists()  # refused before anything was made


def test_jobs_default_to_the_cpus(tmp_path: Path) -> None:
    src = sample_folder(tmp_path / "in", stems=QUICK[:1])
    assert run("batch", str(src), "--out", str(tmp_path / "out")).exit_code == 0
    with sqlite3.connect(tmp_path / "out" / "store.sqlite") as con:
        (executor,) = con.execute("SELECT executor FROM runs").fetchone()
    cpus = len(os.sched_getaffinity(0))
    assert executor == f"local pool ({cpus} worker{'s' if cpus > 1 else ''})"


def test_bad_threshold_values_are_reported_by_patterns_check_and_refused_by_batch(tmp_path: Path) -> None:
    mine = tmp_path / "patterns"
    mine.mkdir()
    (mine / "thresholds.yaml").write_text("schema: extractor.patterns/1\nkind: thresholds\nvalues:\n"
                                          "  max_pages: lots\n  ocr_dpi: -5\n  line_merge_overlap: 7\n"
                                          "  max_title_chars: 12.5\n", encoding="utf-8")
    (mine / "flags.yaml").write_text("schema: extractor.patterns/1\nkind: flags\nflags:\n  customer_concentration:\n"
                                     "    thresholds:\n      min_share: .nan\n", encoding="utf-8")
    res = run("patterns", "check", str(mine))
    assert res.exit_code == 1
    t, f = mine / "thresholds.yaml", mine / "flags.yaml"
    for line in (f"{t}:4: values.max_pages: must be a number", f"{t}:5: values.ocr_dpi: must be 36 or more",
                 f"{t}:6: values.line_merge_overlap: must be 0 or more and at most 1",
                 f"{t}:7: values.max_title_chars: must be a whole number",
                 f"{f}:6: flags.customer_concentration.thresholds.min_share: must be a finite number"):
        assert line in res.stdout, (line, res.stdout)
    src = sample_folder(tmp_path / "in", stems=QUICK[:1])
    res = run("batch", str(src), "--out", str(tmp_path / "out"), "--patterns", str(mine))
    assert res.exit_code == 1 and "pattern files are invalid" in res.stderr and "values.ocr_dpi" in res.stderr
    assert not (tmp_path / "out").exists()


def test_read_whole_gives_up_on_a_file_that_keeps_changing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.corpus import worker

    p = tmp_path / "a.pdf"
    p.write_bytes(b"%PDF-1.7 one")
    data, read = worker.read_whole(str(p))
    assert data == b"%PDF-1.7 one" and read.sha256 == sha(data) and read.size == len(data)
    real_fstat, ticks = os.fstat, iter(range(10**6))

    def moving(fd: int) -> SimpleNamespace:
        st = real_fstat(fd)  # another modification time at every look
        return SimpleNamespace(st_mode=st.st_mode, st_size=st.st_size, st_mtime_ns=next(ticks))

    monkeypatch.setattr(worker.os, "fstat", moving)
    with pytest.raises(worker.UnreadError) as info:
        worker.read_whole(str(p), attempts=3, pause=0.01)
    assert info.value.code == "changed_during_run"
    with pytest.raises(worker.UnreadError) as info:
        worker.read_whole(str(tmp_path / "gone.pdf"))
    assert info.value.code == "not_found"


def test_extract_reads_a_file_whose_name_is_not_utf8(tmp_path: Path) -> None:
    from extractor.pipeline import extract_report

    odd = tmp_path / os.fsdecode(b"report-\xff.pdf")
    shutil.copy(S07, odd)
    report = extract_report(odd)
    assert report.status == "ok" and report.sha256 == sha(S07) and report.company["code"] == CODE[S07]
