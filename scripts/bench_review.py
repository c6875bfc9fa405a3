"""Time the review report of a large batch: build (crops made, then reused) and page loads in Chromium.

    .venv/bin/python scripts/bench_review.py [--n 1000] [--jobs 2] [--batch OUTDIR]

Makes a batch of N results by repeating a real batch's results (default: the committed samples, run
once into a temporary folder), each copy with its own sha256 so that every copy gets its own pages
and crops, as N different reports would. Prints the build times, the sizes of the pages and the
load times of the overview and a report page in headless Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.corpus.runner import run_batch
from extractor.pipeline import Options
from extractor.report.review import build_review, load_results


def big_batch(source: Path, n: int, out: Path) -> None:
    results = load_results(source)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for i in range(n):
            r = dict(results[i % len(results)])
            r["file"] = str(Path(r["file"]).resolve())
            r["sha256"] = hashlib.sha256(f"{r.get('sha256')}-{i}".encode()).hexdigest()
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def page_loads(index: Path, page: Path) -> dict[str, float]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp()
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--window-size=1400,1000", f"--user-data-dir={profile}"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    out = {}
    try:
        for name, url in (("overview", index.as_uri()), ("report page", page.as_uri())):
            d.get("about:blank")
            d.get(url)
            t = d.execute_script("var t = performance.timing; return [t.domContentLoadedEventEnd - t.navigationStart,"
                                 " t.loadEventEnd - t.navigationStart];")
            out[f"{name}: DOMContentLoaded ms"], out[f"{name}: load ms"] = t
        d.get(index.as_uri())
        out["overview: sort by revenue ms"] = d.execute_script(
            "var th = document.querySelectorAll('#reports th')[4], t0 = performance.now(); th.click();"
            " return performance.now() - t0;")
        out["overview: filter flagged ms"] = d.execute_script(
            "var c = document.getElementById('f-flagged'), t0 = performance.now(); c.click();"
            " return performance.now() - t0;")
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="reports in the synthetic batch")
    ap.add_argument("--jobs", type=int, default=1, help="processes making pages and crops")
    ap.add_argument("--batch", type=Path, help="a batch folder to repeat (default: the samples, run now)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = args.batch
        if src is None:
            src = Path(tmp) / "samples-batch"
            run_batch(ROOT / "samples", src, Options())
        batch = Path(tmp) / "big"
        big_batch(src, args.n, batch)
        for run in ("first", "second"):
            t0 = time.perf_counter()
            stats = build_review(batch, jobs=args.jobs)
            dt = time.perf_counter() - t0
            print(f"{run} build of {stats.reports} reports: {dt:.1f} s ({stats.crops.rendered} crops made, "
                  f"{stats.crops.reused} reused)")
        out = batch / "review"
        pages = sorted((out / "r").glob("*.html"), key=lambda p: p.stat().st_size)
        crops = list((out / "crops").rglob("*.png"))
        print(f"index.html {(out / 'index.html').stat().st_size / 1024:.0f} KiB; report pages "
              f"{pages[0].stat().st_size / 1024:.0f}-{pages[-1].stat().st_size / 1024:.0f} KiB; "
              f"{len(crops)} crops, {sum(c.stat().st_size for c in crops) / 2**20:.0f} MiB")
        if Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists():
            for k, v in page_loads(out / "index.html", pages[-1]).items():
                print(f"{k}: {v:.0f}")


if __name__ == "__main__":
    main()
