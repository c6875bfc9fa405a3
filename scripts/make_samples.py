#!/usr/bin/env python3
"""Generate synthetic annual-report PDFs with a truth file each.

  python scripts/make_samples.py --out samples                 # the fixed, committed sample set
  python scripts/make_samples.py --out corpus --count 200      # a randomised accuracy corpus
  python scripts/make_samples.py --out x --producers reportlab # only some producers

Same seed, same truth and same page text. A producer whose tool is missing is skipped with a reason.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from samplegen import pipeline, variants


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    ap.add_argument("--count", type=int, default=None, help="generate N randomised reports instead of the fixed set")
    ap.add_argument("--seed", type=int, default=20240601, help="corpus seed (with --count)")
    ap.add_argument("--producers", default=",".join(variants.PRODUCERS),
                    help="comma-separated subset of reportlab,libreoffice,chromium")
    ap.add_argument("--only", default=None, help="fixed set: generate only stems containing this text")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    wanted = [p.strip() for p in a.producers.split(",") if p.strip()]
    bad = [p for p in wanted if p not in variants.PRODUCERS]
    if bad:
        print(f"make_samples: unknown producer(s) {bad}; choose from {list(variants.PRODUCERS)}", file=sys.stderr)
        return 2
    usable = []
    for p in wanted:
        reason = pipeline.unavailable_reason(p)
        if reason:
            print(f"make_samples: skipping producer {p}: {reason}")
        else:
            usable.append(p)
    if not usable:
        print("make_samples: no producer available; nothing generated")
        return 0
    a.out.mkdir(parents=True, exist_ok=True)
    if a.count is None:
        jobs = [(s, seed, v) for s, seed, v in variants.fixed_set() if v.producer in usable
                and (a.only is None or a.only in s)]
        skipped = [s for s, _, v in variants.fixed_set() if v.producer not in usable]
        if skipped:
            print(f"make_samples: not generating {', '.join(skipped)} (producer unavailable or not selected)")
    else:
        rng = random.Random(a.seed)
        jobs = []
        for i in range(a.count):
            producer = usable[i % len(usable)]
            v = variants.random_variant(rng, producer)
            jobs.append((f"r{i + 1:04d}_{v.style}_{producer}", rng.randrange(1, 2**31), v))
    failures = 0
    for stem, seed, v in jobs:
        t0 = time.perf_counter()
        try:
            truth = pipeline.generate_report(stem, seed, v, a.out)
        except pipeline.GenerationError as e:
            failures += 1
            print(f"make_samples: {stem}: FAILED: {e}", file=sys.stderr)
            continue
        pages = truth["statement"]["pages"]  # type: ignore[index]
        print(f"{stem}.pdf  {v.producer:11s} {v.language:7s} {v.style:15s} {v.unit:11s} "
              f"IS p{pages}  flags={truth['flags']}  {time.perf_counter() - t0:.1f}s")
    print(f"make_samples: {len(jobs) - failures} report(s) written to {a.out}" +
          (f", {failures} failed" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
