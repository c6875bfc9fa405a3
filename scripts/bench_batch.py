#!/usr/bin/env python3
"""Time `extractor batch` on a generated folder of N distinct reports: --jobs 1, --jobs 2, and Dask.

Usage: python scripts/bench_batch.py [--count 1000] [--corpus out/bench-corpus] [--modes jobs1,jobs2,dask]

The corpus is generated once and cached in --corpus (scripts/make_samples.py --count N --producers
reportlab); if the generator skips some reports, distinct copies of generated ones (other PDF
metadata, so another sha256) make up the count, and the script says how many. A run over the first
N files uses a folder of symbolic links. Each mode starts from an empty output folder and runs the
CLI as a user would (`--quiet`); for Dask, the script starts a LocalCluster (2 single-threaded
workers on 127.0.0.1) first and passes its address with --scheduler, so the time is the batch's.

Reports: wall time, reports/s, median seconds per report, peak RSS of each worker process (from the
store, measured by each worker with getrusage) and of the Dask worker processes.
Targets: 1000 reports <= 5 minutes on 2 cores; peak RSS <= 200 MB per worker.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXTRACTOR = Path(sys.executable).parent / "extractor"


def ensure_corpus(corpus: Path, count: int) -> tuple[list[Path], str]:
    pdfs = sorted(corpus.glob("*.pdf")) if corpus.is_dir() else []
    note = f"corpus cached in {corpus}"
    if len(pdfs) < count:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--out", str(corpus),
                        "--count", str(count), "--producers", "reportlab"], check=False, stdout=subprocess.DEVNULL)
        pdfs = sorted(corpus.glob("*.pdf"))
        note = f"generated {len(pdfs)} reports in {time.perf_counter() - t0:.0f} s"
    if len(pdfs) < count:
        import pymupdf

        made = 0
        base = [p for p in pdfs if not p.name.startswith("fill_")]
        while len(pdfs) < count:
            src = base[made % len(base)]
            dst = corpus / f"fill_{made:04d}_{src.name}"
            doc = pymupdf.open(src)
            doc.set_metadata({**(doc.metadata or {}), "subject": f"bench copy {made}"})
            doc.save(dst)
            doc.close()
            pdfs.append(dst)
            made += 1
        pdfs = sorted(corpus.glob("*.pdf"))
        note += f"; {made} distinct copies (other metadata) of generated reports fill up to {count}"
    return pdfs[:count], note


def subset(pdfs: list[Path], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for p in pdfs:
        (folder / p.name).symlink_to(p.resolve())
    return folder


def run_mode(mode: str, folder: Path, out: Path, scheduler: str | None) -> dict:
    import shutil

    shutil.rmtree(out, ignore_errors=True)
    cmd = [str(EXTRACTOR), "batch", str(folder), "--out", str(out), "--quiet"]
    cmd += {"jobs1": ["--jobs", "1"], "jobs2": ["--jobs", "2"],
            "dask": ["--executor", "dask", "--scheduler", scheduler or ""]}[mode]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    summary = proc.stdout.read().strip() if proc.stdout else ""
    err = proc.stderr.read().strip() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"bench_batch: {mode} failed: {err or summary}")
    from extractor.corpus.store import Store

    with Store(out) as s:
        run = s.latest_run()
        assert run is not None
        stats = s.stats(run.config)
    per_worker: dict[str, int] = {}
    for r in stats:
        if r["peak_rss_kb"]:
            per_worker[r["worker"]] = max(per_worker.get(r["worker"], 0), r["peak_rss_kb"])
    seconds = [r["seconds"] for r in stats if r["seconds"] is not None]
    statuses = [r["status"] for r in stats]
    return {"mode": mode, "reports": len(stats), "wall_s": round(wall, 1), "reports_per_s": round(len(stats) / wall, 2),
            "median_report_s": round(statistics.median(seconds), 3) if seconds else None,
            "workers": len(per_worker), "peak_rss_mb_per_worker": sorted(round(v / 1024, 1) for v in per_worker.values()),
            "peak_rss_mb_tree": round(usage.ru_maxrss / 1024, 1),
            "ok": statuses.count("ok"), "partial": statuses.count("partial"), "error": statuses.count("error"),
            "summary": summary}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=ROOT / "out" / "bench-corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "bench-batch")
    ap.add_argument("--modes", default="jobs1,jobs2,dask")
    a = ap.parse_args()
    pdfs, note = ensure_corpus(a.corpus, a.count)
    print(f"bench_batch: {len(pdfs)} reports ({note}); {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    folder = subset(pdfs, a.out / f"input-{a.count}")
    rows = []
    for mode in [m.strip() for m in a.modes.split(",") if m.strip()]:
        cluster = client = None
        extra = ""
        if mode == "dask":
            try:
                from distributed import Client, LocalCluster
            except ImportError:
                print("bench_batch: skipping dask: dask.distributed not installed (pip install 'extractor[dask]')")
                continue
            t0 = time.perf_counter()
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None)
            client = Client(cluster)
            extra = f"cluster start {time.perf_counter() - t0:.1f} s"
        try:
            row = run_mode(mode, folder, a.out / mode, cluster.scheduler_address if cluster else None)
            if client is not None:
                import resource

                rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
                row["dask_worker_peak_rss_mb"] = sorted(round(v / 1024, 1) for v in rss.values())
                row["note"] = extra
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))
    (a.out / "results.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    print()
    print(f"{'mode':8s}{'reports':>8s}{'wall s':>9s}{'rep/s':>8s}{'med s':>7s}  peak RSS MB per worker")
    for r in rows:
        rss = r["peak_rss_mb_per_worker"]
        dask_rss = f"  (dask worker processes {r['dask_worker_peak_rss_mb']})" if "dask_worker_peak_rss_mb" in r else ""
        print(f"{r['mode']:8s}{r['reports']:>8d}{r['wall_s']:>9.1f}{r['reports_per_s']:>8.2f}"
              f"{r['median_report_s'] or 0:>7.3f}  {rss}{dask_rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
