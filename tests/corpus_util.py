"""Helpers for the corpus tests: folders of sample reports (copies made distinct), bad files, and
worker functions that crash or hang the way a bad PDF can."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pymupdf

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
QUICK = ("s01_bse_reportlab", "s04_ashare2016_reportlab", "s07_enhk_reportlab")  # the fastest samples


def distinct_copy(src: Path, dst: Path, tag: str) -> Path:
    """The same report with other metadata: a valid PDF with other bytes (another sha256)."""
    doc = pymupdf.open(src)
    doc.set_metadata({**(doc.metadata or {}), "title": f"copy {tag}", "subject": tag})
    doc.save(dst)
    doc.close()
    return dst


def sample_folder(dst: Path, copies: int = 0, stems: tuple[str, ...] | None = None) -> Path:
    """The committed samples (or ``stems``), plus ``copies`` distinct copies of each in sub-folders."""
    dst.mkdir(parents=True, exist_ok=True)
    pdfs = [p for p in sorted(SAMPLES.glob("*.pdf")) if stems is None or p.stem in stems]
    for p in pdfs:
        shutil.copy(p, dst / p.name)
    for k in range(copies):
        sub = dst / f"copy{k + 1}"
        sub.mkdir(exist_ok=True)
        for p in pdfs:
            distinct_copy(p, sub / p.name, f"{k + 1}")
    return dst


def results(outdir: Path) -> list[dict]:
    return [json.loads(line) for line in (outdir / "results.jsonl").read_text(encoding="utf-8").splitlines()]


def crash_or_extract(path: str, options):
    """A worker function: dies of SIGSEGV on files named crash*, hangs on hang*, else extracts."""
    name = Path(path).name
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("hang"):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)  # stuck where the report's own deadline cannot reach
        time.sleep(600)
    from extractor.corpus.worker import extract_one

    return extract_one(path, options)


def greedy_or_extract(path: str, options):
    """A worker function: on files named greedy*, the report asks for 2 GB (beyond any limit the tests set)."""
    from extractor import pipeline
    from extractor.corpus.worker import extract_one

    if not Path(path).name.startswith("greedy"):
        return extract_one(path, options)
    real = pipeline.extract

    def greedy(p, o=None, data=None):
        hog = bytearray(2 * 1024**3)
        return real(p, o, data) if hog else None

    pipeline.extract = greedy
    try:
        return extract_one(path, options)
    finally:
        pipeline.extract = real


def growing_or_extract(path: str, options):
    """A worker function: a file named growing* gains a byte each time the worker reads a chunk of it
    (a download still in progress), so no read of it is ever whole; other files are extracted. The
    byte read back last does not add another (the read must end)."""
    from extractor.corpus import worker

    if not Path(path).name.startswith("growing"):
        return worker.extract_one(path, options)
    real_read = os.read

    def read_and_grow(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        if len(data) > 1:
            with open(path, "ab") as fh:
                fh.write(b"%")
        return data

    os.read = read_and_grow
    try:
        return worker.extract_one(path, options)
    finally:
        os.read = real_read
