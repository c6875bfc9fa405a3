#!/usr/bin/env python3
"""Fuzz the reader: mutated copies of samples/*.pdf must each end ok, partial or error with a code.

  python scripts/fuzz_pdfs.py                       # 1,000 seeded cases, 2 worker processes
  python scripts/fuzz_pdfs.py --cases 200 --seed 5 --jobs 1 --bound 30 --keep out/fuzz

Mutations (scripts/samplegen/badfiles.py): byte flips, truncation, zeroed runs, duplicated and
deleted objects, a broken startxref, swapped lines. Each case runs in a worker process with the
extractor's own deadline (--bound seconds); the parent kills a worker that overruns the bound by
10 s, so a hang inside MuPDF cannot stall the run and is counted. Prints the cases, counts of ok /
partial / error by code, crashes (status internal, or an exception escaping extract_report), hangs
and the slowest case. OCR is off unless --ocr (it costs seconds a page and is not what is fuzzed).
Exit 1 when there was any crash or hang. Failing cases are written to --keep for a closer look.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from samplegen.badfiles import fuzz_cases


def _worker(conn, bound: float, ocr: bool) -> None:
    from extractor.pipeline import Options, extract_report

    options = Options(timeout=bound, ocr=ocr)
    while True:
        path = conn.recv()
        if path is None:
            return
        t0 = time.perf_counter()
        try:
            r = extract_report(path, options)
            outcome = r.status if r.status != "error" else f"error:{(r.error or {}).get('code')}"
            detail = (r.error or {}).get("message", "")
        except BaseException as e:  # noqa: BLE001 - exactly what the fuzz run is looking for
            outcome, detail = "exception", f"{type(e).__name__}: {e}"
        conn.send((outcome, detail, time.perf_counter() - t0))


class Worker:
    def __init__(self, bound: float, ocr: bool) -> None:
        self.bound, self.ocr = bound, ocr
        self.start()

    def start(self) -> None:
        self.conn, child = mp.Pipe()
        self.proc = mp.get_context("fork").Process(target=_worker, args=(child, self.bound, self.ocr), daemon=True)
        self.proc.start()

    def run(self, path: str) -> tuple[str, str, float]:
        t0 = time.perf_counter()
        self.conn.send(path)
        if self.conn.poll(self.bound + 10):
            try:
                return self.conn.recv()
            except EOFError:
                pass  # the worker died (a crash in C code): counted as a crash
            self.proc.join(1)
            self.start()
            return "exception", f"worker died (exit code {self.proc.exitcode})", time.perf_counter() - t0
        self.proc.kill()
        self.proc.join()
        self.start()
        return "hang", f"no answer within {self.bound + 10:g} s", time.perf_counter() - t0

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(2)
        if self.proc.is_alive():
            self.proc.kill()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--bound", type=float, default=30.0, help="seconds per case (the extractor's deadline)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--ocr", action="store_true", help="let the extractor OCR pages (slow)")
    ap.add_argument("--keep", type=Path, default=None, help="folder for the cases that crashed or hung")
    a = ap.parse_args(argv)
    samples = sorted((ROOT / "samples").glob("*.pdf"))
    cases = fuzz_cases(samples, a.cases, a.seed)
    counts: Counter[str] = Counter()
    bad: list[tuple[str, str, str]] = []
    slowest = (0.0, "")
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in cases:
            p = Path(tmp) / f"{name}.pdf"
            p.write_bytes(data)
            paths.append(p)
        workers = [Worker(a.bound, a.ocr) for _ in range(max(1, a.jobs))]
        pending = list(enumerate(paths))
        import threading

        lock = threading.Lock()

        def drive(w: Worker) -> None:
            nonlocal slowest
            while True:
                with lock:
                    if not pending:
                        return
                    _i, p = pending.pop(0)
                outcome, detail, dt = w.run(str(p))
                with lock:
                    counts[outcome] += 1
                    if dt > slowest[0]:
                        slowest = (dt, p.name)
                    if outcome in ("exception", "hang", "error:internal"):
                        bad.append((p.name, outcome, detail))
                        if a.keep:
                            a.keep.mkdir(parents=True, exist_ok=True)
                            (a.keep / p.name).write_bytes(p.read_bytes())

        threads = [threading.Thread(target=drive, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for w in workers:
            w.stop()
    crashes = counts["exception"] + counts["error:internal"]
    hangs = counts["hang"]
    print(f"cases: {a.cases} (seed {a.seed}, {len(samples)} samples, bound {a.bound:g} s, ocr {'on' if a.ocr else 'off'}, "
          f"{time.perf_counter() - t_start:.0f} s wall)")
    for key in sorted(counts):
        print(f"  {key:28s} {counts[key]}")
    print(f"crashes: {crashes}  hangs: {hangs}  max time: {slowest[0]:.2f} s ({slowest[1]})")
    for name, outcome, detail in bad[:20]:
        print(f"  {outcome}: {name}: {detail[:200]}")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
