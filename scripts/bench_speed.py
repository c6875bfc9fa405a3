#!/usr/bin/env python3
"""Time the whole extraction of each report against PyMuPDF reading every page's text.

Usage: python scripts/bench_speed.py [FOLDER ...] [--repeat N]
Default folders: ../shared/real-reports and samples/. For each PDF, in the same run: the best of
N times of `extract_report` (open, locate, parse, figures, flags) and of a loop calling
`page.get_text()` on every page; prints both and their ratio, then the median ratio.
Target: median ratio <= 1.0 (the extractor reads only the pages that matter).
"""

from __future__ import annotations

import argparse
import resource
import statistics
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


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path,
                    default=[ROOT.parent / "shared" / "real-reports", ROOT / "samples"])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    patternbook.load()  # load patterns once, as a batch run does
    pdfs = [p for f in a.folders if f.is_dir() for p in sorted(f.rglob("*.pdf"))]
    if not pdfs:
        print("bench_speed: no PDFs found in", ", ".join(map(str, a.folders)))
        return 2
    ratios = []
    print(f"{'report':44s} {'pages':>5s} {'extract s':>10s} {'read-all s':>10s} {'ratio':>6s}  status")
    for pdf in pdfs:
        status = extract_report(pdf).status  # warm-up, and the status to show
        t_extract = best_of(lambda pdf=pdf: extract_report(pdf), a.repeat)
        t_read = best_of(lambda pdf=pdf: read_all(pdf), a.repeat)
        with pymupdf.open(pdf) as d:
            pages = d.page_count
        ratio = t_extract / t_read if t_read else float("nan")
        ratios.append(ratio)
        print(f"{pdf.name[:44]:44s} {pages:5d} {t_extract:10.3f} {t_read:10.3f} {ratio:6.2f}  {status}")
    print(f"median ratio {statistics.median(ratios):.2f} over {len(ratios)} reports (target <= 1.0)")
    # ru_maxrss is in KiB on Linux: the peak of this whole run, all reports extracted repeatedly
    print(f"peak resident memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
