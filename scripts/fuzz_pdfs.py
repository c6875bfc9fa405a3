#!/usr/bin/env python3
"""Fuzz the reader: mutated copies of real or sample reports must each end ok, partial or error with
a code, within their deadline, and never with a silently different number.

  python scripts/fuzz_pdfs.py                       # 1,000 seeded cases of samples/*.pdf, 2 workers
  python scripts/fuzz_pdfs.py --from ../shared/real-reports --cases 120 --jobs 2 --keep out/fuzz
  python scripts/fuzz_pdfs.py --cases 200 --seed 5 --jobs 1 --bound 30 --kinds blank_amount,move_amount

Mutations (scripts/samplegen/badfiles.py), taken in turn, each case its own seeded generator:
- of the bytes (``MUTATIONS``): byte flips, truncation, zeroed runs, duplicated and deleted objects,
  a broken startxref, swapped lines;
- of the structure, with PyMuPDF (``STRUCTURAL``), aimed at the income statement the unmutated
  report was read from: operators of a page's content stream deleted or replaced, the page's fonts'
  ToUnicode maps truncated, garbled or emptied, the statement page replaced by a scanned image of
  itself, 1,000-200,000 nested ``q``, a huge page (MediaBox up to 10^7 pt, or content scaled x10^6),
  one amount of the four figures redacted (a blank cell), one amount moved 20 pt down, the column
  headers moved (down, right, or each over the next column).

Each original is first read unmutated (its baseline). Each case then runs in a worker process with
the extractor's own deadline (``--bound`` seconds, default 20, OCR off unless ``--ocr``); the parent
kills a worker that has not answered 10 s past the bound. A case FAILS when:
- internal: status ``error`` with code ``internal``, an exception escaping ``extract_report``, or a
  worker that died;
- past deadline: ``extract_report`` took longer than bound + 2 s (or never answered);
- differs without a flag: status ``ok`` or ``partial``, and one of the eight figures of OUTPUT.md
  (revenue, selling, R&D, admin; current and prior) has a value (not null) other than the unmutated
  report's (or a value where that had none), while nothing says so: the figure's confidence is not
  below the unmutated figure's and is not below the figures' review level (0.9), and the report
  carries no quality flag (``kind: quality``) that the unmutated report did not carry. A figure that
  becomes null is not counted (the report is ``partial`` and says which are missing).
Cases whose original itself ended in error are run for internal and deadline failures only.

Prints the counts of ok / partial / error by code, the failures by kind and each failing case with
its mutation; writes each failing case's PDF and a line of ``cases.tsv`` (name, failure, mutation,
what happened) to ``--keep``. Exit 1 when any case failed.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from samplegen.badfiles import MUTATIONS, STRUCTURAL, Target, mutate, mutate_structure

KINDS = MUTATIONS + STRUCTURAL
FIGURES = ("revenue", "selling_expense", "rnd_expense", "admin_expense")
PERIODS = ("current", "prior")
REVIEW_CONFIDENCE = 0.9  # below it a figure is shown as uncertain (thresholds.yaml review_confidence)


@dataclass
class Job:
    name: str
    src: str
    kind: str | None  # None: the unmutated original (its baseline)
    seed: str
    target: Target | None
    out: str


@dataclass
class Result:
    outcome: str  # ok | partial | error:CODE | exception | hang
    detail: str
    seconds: float
    mutation: str = ""
    figures: dict[str, tuple[float | None, float]] = field(default_factory=dict)  # key -> (value, confidence)
    quality: frozenset[str] = frozenset()
    report: dict[str, Any] | None = None  # the baseline's JSON, for the structural mutations' target


def _summary(report: dict[str, Any]) -> tuple[dict[str, tuple[float | None, float]], frozenset[str]]:
    figs: dict[str, tuple[float | None, float]] = {}
    for item in FIGURES:
        for period in PERIODS:
            f = ((report.get("figures") or {}).get(item) or {}).get(period)
            figs[f"{item}.{period}"] = (f["value"], f.get("confidence", 1.0)) if f else (None, 1.0)
    quality = frozenset(fl["id"] for fl in report.get("flags") or [] if fl.get("kind") == "quality")
    return figs, quality


def _worker(conn, bound: float, ocr: bool) -> None:
    from extractor.pipeline import Options, extract_report

    options = Options(timeout=bound, ocr=ocr)
    while True:
        job: Job | None = conn.recv()
        if job is None:
            return
        data = Path(job.src).read_bytes()
        rnd = random.Random(job.seed)
        try:
            if job.kind is None:
                mutation = "unmutated"
            elif job.kind in STRUCTURAL:
                data, mutation = mutate_structure(data, job.kind, rnd, job.target or Target([], [], []))
            else:
                data, mutation = mutate(data, job.kind, rnd), f"{job.kind} (seed {job.seed!r})"
        except Exception as e:  # noqa: BLE001 - a mutation PyMuPDF refuses: the case is skipped, said so
            conn.send(("skipped", f"mutation failed: {type(e).__name__}: {e}"))
            continue
        Path(job.out).write_bytes(data)
        conn.send(("started", mutation))
        t0 = time.perf_counter()
        report: dict[str, Any] | None = None
        try:
            r = extract_report(job.out, options)
            report = r.to_json()
            outcome = r.status if r.status != "error" else f"error:{(r.error or {}).get('code')}"
            detail = (r.error or {}).get("message", "")
        except BaseException as e:  # noqa: BLE001 - exactly what the fuzz run is looking for
            outcome, detail = "exception", f"{type(e).__name__}: {e}"
        dt = time.perf_counter() - t0
        figs, quality = _summary(report) if report and report.get("status") != "error" else ({}, frozenset())
        conn.send(Result(outcome, detail, dt, mutation, figs, quality, report if job.kind is None else None))


class Worker:
    def __init__(self, bound: float, ocr: bool) -> None:
        self.bound, self.ocr = bound, ocr
        self.start()

    def start(self) -> None:
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("fork").Process(target=_worker, args=(child, self.bound, self.ocr), daemon=True)
        self.proc.start()

    def _restart(self) -> None:
        self.proc.kill()
        self.proc.join()
        self.start()

    def run(self, job: Job) -> Result:
        self.conn.send(job)
        mutation = ""
        try:
            if not self.conn.poll(300):  # making the mutation (a page rendered, a file saved)
                self._restart()
                return Result("skipped", "mutation took over 300 s", 0.0)
            tag, mutation = self.conn.recv()
            if tag == "skipped":
                return Result("skipped", mutation, 0.0)
            t0 = time.perf_counter()
            if self.conn.poll(self.bound + 10):
                res: Result = self.conn.recv()
                return res
        except EOFError:  # the worker died (a crash in C code): counted as internal
            self.proc.join(1)
            code = self.proc.exitcode
            self.start()
            return Result("exception", f"worker died (exit code {code})", 0.0, mutation)
        self._restart()
        return Result("hang", f"no answer within {self.bound + 10:g} s", time.perf_counter() - t0, mutation)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()


def run_all(jobs: list[Job], workers: list[Worker]) -> list[Result]:
    results: list[Result | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))
    lock = threading.Lock()

    def drive(w: Worker) -> None:
        while True:
            with lock:
                if not pending:
                    return
                i = pending.pop(0)
            results[i] = w.run(jobs[i])
            with lock:
                done = sum(r is not None for r in results)
            if done % 20 == 0 or done == len(jobs):
                print(f"  ... {done}/{len(jobs)}", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=drive, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [r for r in results if r is not None]


def differing(base: Result, case: Result) -> list[str]:
    """The figures of an ok or partial ``case`` with a value other than ``base``'s (null apart)."""
    if case.outcome not in ("ok", "partial") or base.outcome not in ("ok", "partial"):
        return []
    return [key for key, (value, _) in case.figures.items()
            if value is not None and value != base.figures.get(key, (None, 1.0))[0]]


def silent_differences(base: Result, case: Result) -> list[str]:
    """The figures of ``case`` that differ from ``base`` with nothing saying so (see the docstring)."""
    if case.outcome not in ("ok", "partial") or base.outcome not in ("ok", "partial"):
        return []
    if case.quality - base.quality:
        return []
    out = []
    for key, (value, confidence) in case.figures.items():
        was, was_conf = base.figures.get(key, (None, 1.0))
        if value is None or value == was:
            continue
        if confidence < was_conf or confidence < REVIEW_CONFIDENCE:
            continue
        out.append(f"{key} {was} -> {value} at {confidence:.2f}")
    return out


def failures(base: Result | None, case: Result, bound: float) -> list[tuple[str, str]]:
    """(failure kind, what happened) for one case."""
    out = []
    if case.outcome in ("exception", "error:internal"):
        out.append(("internal", f"{case.outcome}: {case.detail[:300]}"))
    if case.outcome == "hang" or case.seconds > bound + 2:
        out.append(("past_deadline", f"{case.outcome} after {case.seconds:.1f} s"))
    if base is not None:
        diffs = silent_differences(base, case)
        if diffs:
            out.append(("differs_without_flag", f"{case.outcome}: " + "; ".join(diffs)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--from", dest="source", type=Path, default=ROOT / "samples",
                    help="folder of PDFs to mutate (default: samples/)")
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--bound", type=float, default=20.0, help="seconds per case (the extractor's deadline)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--kinds", default="", help=f"comma-separated mutation kinds (default all: {','.join(KINDS)})")
    ap.add_argument("--ocr", action="store_true", help="let the extractor OCR pages (slow)")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the failing cases and cases.tsv")
    a = ap.parse_args(argv)
    kinds = tuple(k for k in a.kinds.split(",") if k) or KINDS
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        ap.error(f"unknown mutation kinds {unknown}; known: {', '.join(KINDS)}")
    originals = sorted(p for p in a.source.glob("*.pdf") if p.is_file())
    if not originals:
        ap.error(f"no PDF files in {a.source}")
    t_start = time.perf_counter()
    workers = [Worker(a.bound, a.ocr) for _ in range(max(1, a.jobs))]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            base_jobs = [Job(p.stem, str(p), None, "", None, f"{tmp}/base_{i}.pdf") for i, p in enumerate(originals)]
            bases = dict(zip(originals, run_all(base_jobs, workers), strict=True))
            jobs = []
            for k in range(a.cases):
                # kinds in turn; the originals in turn too (a count coprime with the kinds' covers all pairs)
                kind, src = kinds[k % len(kinds)], originals[k % len(originals)]
                base = bases[src]
                target = Target.from_report(base.report) if base.report else None
                jobs.append(Job(f"{k:04d}_{src.stem}_{kind}", str(src), kind, f"{a.seed}:{k}", target,
                                f"{tmp}/{k:04d}_{src.stem}_{kind}.pdf"))
            results = run_all(jobs, workers)
            counts: Counter[str] = Counter(r.outcome for r in results)
            by_failure: Counter[str] = Counter()
            flagged: list[str] = []  # cases whose figures differ and say so (lower confidence or a new quality flag)
            failing: list[tuple[Job, Result, list[tuple[str, str]]]] = []
            for job, res in zip(jobs, results, strict=True):
                found = failures(bases[Path(job.src)], res, a.bound)
                changed = differing(bases[Path(job.src)], res)
                if changed and not any(k == "differs_without_flag" for k, _ in found):
                    figs = ", ".join(f"{k} {bases[Path(job.src)].figures[k][0]} -> {res.figures[k][0]} at "
                                     f"{res.figures[k][1]:.2f}" for k in changed)
                    new_flags = sorted(res.quality - bases[Path(job.src)].quality)
                    flagged.append(f"{job.name}: {res.mutation}: {res.outcome}: {figs}; new quality flags {new_flags}")
                if res.outcome == "skipped":
                    found = [("skipped", res.detail)]
                for kind, _ in found:
                    by_failure[kind] += 1
                if found:
                    failing.append((job, res, found))
                    if a.keep:
                        a.keep.mkdir(parents=True, exist_ok=True)
                        if Path(job.out).is_file():
                            (a.keep / f"{job.name}.pdf").write_bytes(Path(job.out).read_bytes())
                        with (a.keep / "cases.tsv").open("a", encoding="utf-8") as fh:
                            for kind, what in found:
                                fh.write(f"{job.name}\t{kind}\t{res.mutation}\t{what}\n".replace("\n", " ") + "\n")
    finally:
        for w in workers:
            w.stop()
    slowest = max(results, key=lambda r: r.seconds, default=None)
    base_counts = Counter(r.outcome for r in bases.values())
    print(f"originals: {len(originals)} from {a.source} (unmutated: "
          + ", ".join(f"{k} {v}" for k, v in sorted(base_counts.items())) + ")")
    print(f"cases: {len(results)} (seed {a.seed}, kinds {len(kinds)}, bound {a.bound:g} s, ocr {'on' if a.ocr else 'off'}, "
          f"{time.perf_counter() - t_start:.0f} s wall)")
    for key in sorted(counts):
        print(f"  {key:28s} {counts[key]}")
    per_kind: dict[str, Counter[str]] = {}
    for job, res in zip(jobs, results, strict=True):
        per_kind.setdefault(job.kind or "", Counter())[res.outcome] += 1
    print("by mutation:")
    for kind in kinds:
        if kind in per_kind:
            print(f"  {kind:20s} " + ", ".join(f"{k} {v}" for k, v in sorted(per_kind[kind].items())))
    print(f"internal: {by_failure['internal']}  past deadline (+2 s): {by_failure['past_deadline']}  "
          f"differs without flag: {by_failure['differs_without_flag']}  (differs, flagged: {len(flagged)}; "
          f"skipped: {by_failure['skipped']})")
    if slowest is not None:
        print(f"max time: {slowest.seconds:.2f} s")
    for job, res, found in failing:
        for kind, what in found:
            print(f"  {kind}: {job.name}: {res.mutation}: {what[:300]}")
    for line in flagged:
        print(f"  differs, flagged: {line[:400]}")
    return 1 if any(kind != "skipped" for _, _, found in failing for kind, _ in found) else 0


if __name__ == "__main__":
    sys.exit(main())
