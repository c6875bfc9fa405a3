#!/usr/bin/env python3
"""Time the extraction of each report against PyMuPDF reading every page's text, two ways.

Usage: python scripts/bench_speed.py [FOLDER ...] [--repeat N] [--no-process]
Default folders: ../shared/real-reports and samples/.

- in-process: the best of N times of `extract_report` (open, locate, parse, figures, flags) against a
  loop calling `page.get_text()` on every page, both in this process (patterns loaded once, as a batch),
  runs alternating.
- whole-process, as a user runs it: `extractor extract FILE --json` against a Python process that opens
  the file with PyMuPDF and reads every page's text; runs alternate, the median of N of each is taken,
  wall-clock and CPU (user+sys) time. The CLI starts from its caches (one warm-up run per report first).
Prints per report (with the pages the extraction read) and the median ratios, a start-up line
(`extractor --version`), and peak memory.
Targets: whole-process median <= 1.0, in-process median <= 0.6, `extractor --version` < 0.15 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor import patternbook
from extractor.pipeline import extract_report


def read_all(path: Path) -> None:
    with pymupdf.open(path) as doc:
        for page in doc:
            page.get_text()


READ_ALL = "import sys, pymupdf\nwith pymupdf.open(sys.argv[1]) as d:\n    for p in d:\n        p.get_text()\n"
CLI = [str(Path(sys.executable).parent / "extractor")]


def timed_run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_process(pdf: Path, repeat: int) -> tuple[float, float, float, float]:
    """Median (wall, cpu) of the CLI and of the read-every-page process, runs alternating."""
    timed_run(CLI + ["extract", str(pdf), "--json"])  # warm-up: caches and the OS file cache
    cli, read = [], []
    for _ in range(repeat):
        cli.append(timed_run(CLI + ["extract", str(pdf), "--json"]))
        read.append(timed_run([sys.executable, "-c", READ_ALL, str(pdf)]))
    med = statistics.median
    return med(w for w, _ in cli), med(c for _, c in cli), med(w for w, _ in read), med(c for _, c in read)


def best_of_alternating(a, b, repeat: int) -> tuple[float, float]:
    """The best time of ``a`` and of ``b`` over ``repeat`` rounds, running them in turn so that a slow
    spell of the machine (shared cores) weighs on both alike."""
    ta, tb = [], []
    for _ in range(repeat):
        for fn, times in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return min(ta), min(tb)


def pages_read(pdf: Path) -> int:
    """Distinct pages whose text MuPDF laid out during one extraction (what reading costs)."""
    from extractor.read.document import Document

    seen: set[int] = set()
    page = Document._page

    def counting(self, index):  # type: ignore[no-untyped-def]
        seen.add(index)
        return page(self, index)

    Document._page = counting  # type: ignore[method-assign]
    try:
        extract_report(pdf)
    finally:
        Document._page = page  # type: ignore[method-assign]
    return len(seen)


def ensure_bytecode() -> None:
    """Compile the package as `pip install` (and `make install`) does: an editable install under
    PYTHONDONTWRITEBYTECODE would otherwise compile every module again in every CLI process."""
    import compileall

    if not compileall.compile_dir(ROOT / "extractor", quiet=1):
        print("bench_speed: extractor/ could not be compiled to bytecode; CLI start-up is slower than installed")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path,
                    default=[ROOT.parent / "shared" / "real-reports", ROOT / "samples"])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-process", action="store_true", help="skip the whole-process comparison")
    a = ap.parse_args()
    ensure_bytecode()
    patternbook.load()  # load patterns once, as a batch run does
    pdfs = [p for f in a.folders if f.is_dir() for p in sorted(f.rglob("*.pdf"))]
    if not pdfs:
        print("bench_speed: no PDFs found in", ", ".join(map(str, a.folders)))
        return 2
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (timings under load are noisy)")
    ratios, wall_ratios, cpu_ratios = [], [], []
    print(f"{'report':34s} {'pages':>5s} {'read':>5s} {'extract':>8s} {'read-all':>8s} {'ratio':>6s}"
          + ("" if a.no_process else f" {'cli wall':>8s} {'read wall':>9s} {'ratio':>6s} {'cli cpu':>8s} "
             f"{'read cpu':>8s} {'ratio':>6s}") + "  status")
    for pdf in pdfs:
        status = extract_report(pdf).status  # warm-up, and the status to show
        read = pages_read(pdf)
        t_extract, t_read = best_of_alternating(lambda pdf=pdf: extract_report(pdf), lambda pdf=pdf: read_all(pdf),
                                                a.repeat)
        with pymupdf.open(pdf) as d:
            pages = d.page_count
        ratio = t_extract / t_read if t_read else float("nan")
        ratios.append(ratio)
        line = f"{pdf.name[:34]:34s} {pages:5d} {read:5d} {t_extract:8.3f} {t_read:8.3f} {ratio:6.2f}"
        if not a.no_process:
            cw, cc, rw, rc = whole_process(pdf, a.repeat)
            wall_ratios.append(cw / rw)
            cpu_ratios.append(cc / rc if rc else float("nan"))
            line += f" {cw:8.3f} {rw:9.3f} {cw / rw:6.2f} {cc:8.3f} {rc:8.3f} {cpu_ratios[-1]:6.2f}"
        print(line + f"  {status}")
    print(f"in-process median ratio {statistics.median(ratios):.2f} over {len(ratios)} reports (target <= 0.6)")
    if not a.no_process:
        print(f"whole-process median ratio {statistics.median(wall_ratios):.2f} wall, "
              f"{statistics.median(cpu_ratios):.2f} CPU (target <= 1.0)")
        versions = sorted(timed_run(CLI + ["--version"])[0] for _ in range(max(5, a.repeat)))
        print(f"start-up: `extractor --version` median {statistics.median(versions):.3f} s, "
              f"best {versions[0]:.3f} s (target < 0.15 s)")
    # ru_maxrss is in KiB on Linux: the peak of this whole run, all reports extracted repeatedly
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
