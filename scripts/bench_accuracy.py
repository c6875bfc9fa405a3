#!/usr/bin/env python3
"""Score `extractor extract FILE --json` against truth files.

  python scripts/bench_accuracy.py CORPUS [--extractor .venv/bin/extractor] [--jobs 2] [--timeout 120]

CORPUS is either a folder of NAME.pdf + NAME.truth.json pairs (made by scripts/make_samples.py) or a
folder with a single expected.json (the shared real reports). Prints, per field and per variant group
(producer, language, style, unit, case = the failure class a corpus report was drawn for), right / missing /
wrong counts; wrong values emitted with confidence >= 0.9 (per class too); agreement on the R&D figure's
source; per flag id precision and recall (overall and per class); and anomaly flags whose evidence is
impossible (a share of revenue outside [0, 1], a negative amount). A figure is right
when its value is within 0.01 yuan of the truth, wrong when present but different, missing when null.
An extractor that is absent, crashes, times out or prints no JSON counts as missing everywhere.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ITEMS = ("revenue", "selling_expense", "rnd_expense", "admin_expense")
PERIODS = ("current", "prior")
REAL_KEYS = {"revenue": "revenue", "selling": "selling_expense", "rnd": "rnd_expense", "admin": "admin_expense"}
TOL = Decimal("0.01")
HIGH_CONF = 0.9
# The contract's anomaly flags; other ids an extractor emits (diagnostics) are listed, not scored.
FLAG_IDS = ("undisclosed_related_customer", "cash_revenue_divergence", "receivables_outpace_revenue",
            "customer_concentration", "related_party_sales_share")


@dataclass
class Case:
    """One report's expectations, whatever file they came from."""

    pdf: Path
    figures: dict[tuple[str, str], dict[str, object]]  # (item, period) -> {"value": Decimal, "page": int, "source": str}
    groups: dict[str, str]
    flags: list[str] | None  # None: the truth says nothing about flags
    expect_error: str | None = None


@dataclass
class Outcome:
    case: Case
    out: dict | None
    error: str | None
    seconds: float
    results: dict[tuple[str, str], str] = field(default_factory=dict)  # right | missing | wrong


def load_cases(corpus: Path) -> list[Case]:
    expected = corpus / "expected.json"
    if expected.exists():
        return real_cases(corpus, json.loads(expected.read_text(encoding="utf-8")))
    cases = []
    for truth_path in sorted(corpus.glob("*.truth.json")):
        t = json.loads(truth_path.read_text(encoding="utf-8"))
        pdf = truth_path.with_name(t.get("file") or truth_path.name.replace(".truth.json", ".pdf"))
        if not pdf.exists():
            print(f"bench_accuracy: {truth_path.name}: {pdf.name} missing; skipped")
            continue
        figs = {}
        for item in ITEMS:
            for per in PERIODS:
                f = (t["figures"].get(item) or {}).get(per)
                if f:
                    figs[(item, per)] = {"value": Decimal(f["value"]), "page": f["page"], "source": f.get("source")}
        v = t.get("variant", {})
        groups = {k: str(v.get(k, "?")) for k in ("producer", "language", "style", "unit")}
        groups["case"] = str(v.get("case") or "plain")
        cases.append(Case(pdf, figs, groups, list(t.get("flags", []))))
    return cases


def real_cases(corpus: Path, entries: list[dict]) -> list[Case]:
    """expected.json (shared real reports): yuan values per item; R&D may fall back to the notes."""
    cases = []
    for e in entries:
        figs = {}
        for per in PERIODS:
            for key, item in REAL_KEYS.items():
                exp = (e.get(per) or {}).get(key)
                src = "income_statement"
                if not exp and key == "rnd":
                    exp = (e.get("rnd_fallback") or {}).get(per)
                    src = "notes"
                if exp:
                    figs[(item, per)] = {"value": Decimal(str(exp["yuan"])).copy_abs(), "page": exp.get("page"),
                                         "source": src}
        lang = "zh-Hant" if e["file"].startswith("hk_") else "zh-Hans"
        prefix = e["file"].split("_")[0]
        style = "hk" if prefix == "hk" else {"a": "ashare", "b": "bshare"}.get(prefix[:1], prefix)
        groups = {"producer": "real", "language": lang, "style": style, "unit": str(e.get("unit")), "case": "real"}
        err = "no_income_statement" if e.get("statement_page") is None else None
        cases.append(Case(corpus / e["file"], figs, groups, None, expect_error=err))
    return cases


def run_one(case: Case, extractor: str, timeout: float) -> Outcome:
    t0 = time.perf_counter()
    try:
        p = subprocess.run([extractor, "extract", str(case.pdf), "--json"], capture_output=True, text=True,
                           timeout=timeout, check=False)
    except FileNotFoundError:
        return Outcome(case, None, f"extractor not found: {extractor}", time.perf_counter() - t0)
    except subprocess.TimeoutExpired:
        return Outcome(case, None, f"timeout after {timeout:.0f}s", time.perf_counter() - t0)
    dt = time.perf_counter() - t0
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError:
        tail = (p.stderr.strip().splitlines() or ["no output"])[-1][:200]
        return Outcome(case, None, f"exit {p.returncode}, no JSON: {tail}", dt)
    if not isinstance(out, dict):
        return Outcome(case, None, "output is not a JSON object", dt)
    err = None
    if out.get("status") == "error":
        e = out.get("error") or {}
        err = f"{e.get('code')}: {e.get('message')}"
    return Outcome(case, out, err, dt)


def figure(out: dict | None, item: str, per: str) -> dict | None:
    f = (((out or {}).get("figures") or {}).get(item) or {}).get(per)
    return f if isinstance(f, dict) else None


def score(o: Outcome) -> None:
    code = ((o.out or {}).get("error") or {}).get("code") if o.out else None
    for key, exp in o.case.figures.items():
        if o.case.expect_error and code == o.case.expect_error:
            o.results[key] = "right"  # a report without statements may end as that error
            continue
        f = figure(o.out, *key)
        v = None if f is None else f.get("value")
        if v is None:
            o.results[key] = "missing"
            continue
        try:
            got = Decimal(str(v))
        except InvalidOperation:
            o.results[key] = "wrong"
            continue
        o.results[key] = "right" if abs(got - exp["value"]) <= TOL else "wrong"  # type: ignore[operator]


def table(title: str, rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    print(f"\n{title}")
    print("  " + "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
    for r in rows:
        print("  " + "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths))))


SHARE_KEYS = ("share", "related_share", "customer_share")


def impossible(flag: dict) -> list[str]:
    """What is impossible in an anomaly's evidence: a share of revenue outside [0, 1] or a negative
    amount of sales (a unit misread, not a finding)."""
    out = []
    ev = flag.get("evidence") or {}
    for k in SHARE_KEYS:
        v = ev.get(k)
        if isinstance(v, (int, float)) and not 0 <= v <= 1:
            out.append(f"{k}={v:.4g}")
    for k in ("related_sales",):
        v = ev.get(k)
        if isinstance(v, (int, float)) and v < 0:
            out.append(f"{k}={v:.4g}")
    return out


def flag_table(title: str, outcomes: list[Outcome], ids: list[str]) -> None:
    rows = []
    for fid in ids:
        tp = fp = fn = 0
        for o in outcomes:
            got = {f.get("id") for f in ((o.out or {}).get("flags") or [])
                   if isinstance(f, dict) and f.get("kind", "anomaly") == "anomaly"}
            want = set(o.case.flags or [])
            tp += fid in got and fid in want
            fp += fid in got and fid not in want
            fn += fid not in got and fid in want
        if not tp + fp + fn:
            continue
        prec = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
        rec = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
        rows.append([str(fid), tp, fp, fn, prec, rec])
    if rows:
        table(title, rows, ["flag", "tp", "fp", "fn", "precision", "recall"])


def report(outcomes: list[Outcome]) -> None:
    per_field: dict[str, Counter] = defaultdict(Counter)
    per_group: dict[str, Counter] = defaultdict(Counter)
    confident_wrong = 0
    confident_by_case: Counter = Counter()
    page_agree = Counter()
    src = Counter()
    for o in outcomes:
        for (item, per), res in o.results.items():
            per_field[f"{item}/{per}"][res] += 1
            for g, val in o.case.groups.items():
                per_group[f"{g}={val}"][res] += 1
            f = figure(o.out, item, per)
            if res == "wrong" and f and (f.get("confidence") or 0) >= HIGH_CONF:
                confident_wrong += 1
                confident_by_case[o.case.groups.get("case", "?")] += 1
            if res == "right" and f:
                page_agree["same page" if f.get("page") == o.case.figures[(item, per)]["page"] else "other page"] += 1
            if item == "rnd_expense" and f and f.get("value") is not None:
                want = o.case.figures[(item, per)].get("source")
                src["agree" if f.get("source") == want else f"truth {want} / got {f.get('source')}"] += 1
    rows = [[k, c["right"], c["missing"], c["wrong"], f"{c['right'] / max(1, sum(c.values())):.0%}"]
            for k, c in per_field.items()]
    tot = sum(per_field.values(), Counter())
    rows.append(["TOTAL", tot["right"], tot["missing"], tot["wrong"], f"{tot['right'] / max(1, sum(tot.values())):.0%}"])
    table("Per field", rows, ["field", "right", "missing", "wrong", "accuracy"])
    rows = [[k, c["right"], c["missing"], c["wrong"], f"{c['right'] / max(1, sum(c.values())):.0%}"]
            for k, c in sorted(per_group.items())]
    table("Per variant group (all fields)", rows, ["group", "right", "missing", "wrong", "accuracy"])
    print(f"\nWrong values emitted with confidence >= {HIGH_CONF}: {confident_wrong}"
          + (" (" + ", ".join(f"{k} {n}" for k, n in sorted(confident_by_case.items())) + ")" if confident_by_case else ""))
    bad = [(o.case.pdf.name, f.get("id"), why) for o in outcomes for f in ((o.out or {}).get("flags") or [])
           if isinstance(f, dict) and f.get("kind", "anomaly") == "anomaly" for why in [impossible(f)] if why]
    print(f"Anomaly flags with impossible evidence: {len(bad)}")
    for name, fid, why in bad:
        print(f"  {name}: {fid}: {', '.join(why)}")
    print("Right values on the truth's page: " + ", ".join(f"{k} {v}" for k, v in page_agree.items()))
    print("R&D source vs truth: " + (", ".join(f"{k} {v}" for k, v in src.most_common()) or "no R&D values emitted"))
    flag_cases = [o for o in outcomes if o.case.flags is not None]
    if flag_cases:
        emitted = Counter(f.get("id") for o in flag_cases for f in ((o.out or {}).get("flags") or [])
                          if isinstance(f, dict))
        ids = sorted(set(FLAG_IDS) | {f for o in flag_cases for f in o.case.flags})
        flag_table(f"Flags over {len(flag_cases)} reports", flag_cases, ids)
        tp = fp = fn = 0
        for o in flag_cases:
            got = {f.get("id") for f in ((o.out or {}).get("flags") or []) if isinstance(f, dict)} & set(ids)
            want = set(o.case.flags or [])
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
        print(f"  all flags: precision {tp / max(1, tp + fp):.3f}, recall {tp / max(1, tp + fn):.3f}")
        for case in sorted({o.case.groups.get("case", "?") for o in flag_cases}):
            flag_table(f"Flags, case={case}", [o for o in flag_cases if o.case.groups.get("case") == case], ids)
        other = {k: n for k, n in emitted.items() if k not in ids}
        if other:
            print("Other flag ids emitted (not scored): " + ", ".join(f"{k} {n}" for k, n in sorted(other.items())))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--extractor", default=".venv/bin/extractor")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--verbose", "-v", action="store_true", help="list every wrong or missing figure")
    a = ap.parse_args(argv)
    if not a.corpus.is_dir():
        print(f"bench_accuracy: {a.corpus} is not a folder", file=sys.stderr)
        return 2
    cases = load_cases(a.corpus)
    if not cases:
        print(f"bench_accuracy: no NAME.pdf + NAME.truth.json pairs (or expected.json) in {a.corpus}; "
              "make some with scripts/make_samples.py --out DIR --count N", file=sys.stderr)
        return 2
    if not Path(a.extractor).exists():
        print(f"bench_accuracy: extractor {a.extractor} not found; every figure counts as missing "
              "(install with `make install` or pass --extractor)")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        outcomes = list(pool.map(lambda c: run_one(c, a.extractor, a.timeout), cases))
    for o in outcomes:
        score(o)
    print(f"bench_accuracy: {len(outcomes)} reports from {a.corpus} in {time.perf_counter() - t0:.1f}s "
          f"with {a.extractor}")
    for o in outcomes:
        bad = {k: r for k, r in o.results.items() if r != "right"}
        if o.error or (a.verbose and bad):
            print(f"  {o.case.pdf.name}: {o.error or ''} {o.seconds:.1f}s")
        if a.verbose:
            for (item, per), r in bad.items():
                f = figure(o.out, item, per) or {}
                exp = o.case.figures[(item, per)]
                print(f"      {item}/{per} {r}: got {f.get('value')} p{f.get('page')} want {exp['value']} p{exp['page']}")
    report(outcomes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
