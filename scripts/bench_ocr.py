#!/usr/bin/env python3
"""Time reports that need OCR: pages OCR'd, seconds per page, wall time, figures against a truth.

Usage: python scripts/bench_ocr.py [PDF ...] [--timeout S] [--engine auto|tesseract|mupdf]
Default reports: ../shared/real-corpus/600362_2025.pdf (江西铜业 2025: a text report whose audited
statements are scanned; truth: the figures its MD&A and notes print in the text layer) and a report
made from sample s02 the same way (scripts/samplegen/badfiles.py ``scanned_statements``; truth:
the sample's truth file).

Each report runs as a user runs it, `extractor extract FILE --json` in a fresh process, once. Prints
per report: status, wall time, the pages OCR'd with the seconds each took (languages, dpi, engine:
the ``ocr_used`` flag's evidence), the pages the contents pointed at, and per figure the value, page,
OCR mark, confidence and whether it matches the truth. Timings under load are noisy: the load
average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
CLI = str(Path(sys.executable).parent / "extractor")
REAL = ROOT.parent / "shared" / "real-corpus" / "600362_2025.pdf"
ITEMS = ("revenue", "selling_expense", "rnd_expense", "admin_expense")

# 江西铜业 2025, as its text layer prints them: MD&A p17 (利润表及现金流量表相关科目变动分析表) and the
# notes' totals pp. 199-201 (营业收入 合计, 54. 销售费用, 55. 管理费用, 56. 研发费用); the statement is p103
TRUTH_600362 = {
    "revenue": ("544623484060", "516608964177"),
    "selling_expense": ("386937040", "411396728"),
    "rnd_expense": ("1415439451", "1118434386"),
    "admin_expense": ("3000943198", "2855813493"),
}


def truth_for(pdf: Path) -> dict[str, dict[str, Decimal]]:
    if pdf.name == "600362_2025.pdf":
        return {item: {"current": Decimal(c), "prior": Decimal(p)} for item, (c, p) in TRUTH_600362.items()}
    side = pdf.with_suffix(".truth.json")
    if side.exists():
        figs = json.loads(side.read_text(encoding="utf-8"))["figures"]
        return {item: {p: Decimal(v["value"]) for p, v in per.items()} for item, per in figs.items()}
    return {}


def made_report(folder: Path) -> Path:
    from samplegen.badfiles import scanned_statements

    out = folder / "s02_statements_scanned.pdf"
    scanned_statements(ROOT / "samples" / "s02_ashare_libreoffice.pdf", out, list(range(10, 16)),
                       list(range(9, 19)), dpi=200)
    (folder / "s02_statements_scanned.truth.json").write_text(
        (ROOT / "samples" / "s02_ashare_libreoffice.truth.json").read_text(encoding="utf-8"), encoding="utf-8")
    return out


def run(pdf: Path, timeout: float, patterns: Path | None) -> tuple[dict, float, str]:
    cmd = [CLI, "extract", str(pdf), "--json", "--timeout", f"{timeout:g}"]
    if patterns is not None:
        cmd += ["--patterns", str(patterns)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return json.loads(res.stdout), time.perf_counter() - t0, res.stderr.strip()


def report(pdf: Path, timeout: float, patterns: Path | None) -> bool:
    out, wall, stderr = run(pdf, timeout, patterns)
    print(f"\n{pdf.name}: {out['status']}" + (f" [{out['error']['code']}] {out['error']['message']}" if out["error"] else "")
          + f"; wall {wall:.1f} s")
    if stderr and out["status"] != "error":
        print(f"  stderr: {stderr}")
    flag = next((f for f in out.get("flags", []) if f["id"] == "ocr_used"), None)
    if flag is not None:
        ev = flag["evidence"]
        secs = ev.get("seconds", {})
        print(f"  pages OCR'd: {len(ev['pages'])} ({', '.join(map(str, ev['pages']))}); languages "
              f"{'/'.join(ev.get('languages', []))}, dpi {'/'.join(map(str, ev.get('dpi', [])))}, "
              f"engine {'/'.join(ev.get('engine', []))}")
        for page in ev["pages"]:
            print(f"    page {page}: {secs.get(str(page), float('nan')):.2f} s")
        if secs:
            print(f"  OCR time per page: {sum(secs.values()) / len(secs):.2f} s (total {sum(secs.values()):.1f} s)")
    else:
        print("  pages OCR'd: 0")
    truth = truth_for(pdf)
    right = total = 0
    for item in ITEMS:
        for period in ("current", "prior"):
            fig = (out.get("figures") or {}).get(item, {}).get(period)
            want = truth.get(item, {}).get(period)
            ok = fig is not None and want is not None and Decimal(str(fig["value"])) == want
            total += want is not None
            right += ok
            desc = (f"{fig['printed']} p{fig['page']} {fig['source']} ocr={fig['ocr']} conf {fig['confidence']:.2f}"
                    if fig else "none")
            print(f"  {item:16} {period:7} {desc}" + ("" if want is None else ("  ok" if ok else f"  WRONG (want {want})")))
    if total:
        print(f"  figures right: {right}/{total}")
    return right == total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--engine", choices=["auto", "tesseract", "mupdf"], default="auto")
    args = ap.parse_args()
    print(f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} (timings under load are noisy)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        patterns = None
        if args.engine != "auto":
            patterns = folder / "patterns"
            patterns.mkdir()
            (patterns / "engine.yaml").write_text(
                f"schema: extractor.patterns/1\nkind: thresholds\nvalues:\n  ocr_engine: {args.engine}\n", encoding="utf-8")
        pdfs = args.pdfs or ([REAL] if REAL.exists() else []) + [made_report(folder)]
        results = [report(pdf, args.timeout, patterns) for pdf in pdfs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
