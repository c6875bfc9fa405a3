"""`extractor explain`: how each figure was found, for people who write patterns."""

from __future__ import annotations

from ..model import ITEMS, PERIODS, Report


def render_explain(report: Report) -> str:
    out = [f"{report.file}"]
    if report.status == "error":
        out.append(f"  error [{(report.error or {}).get('code')}]: {(report.error or {}).get('message')}")
    out.append("  locating:")
    out.extend(f"    - {line}" for line in report.locate_log)
    st = report.statement or {}
    if st:
        out.append(f"  statement: {st.get('title')!r} ({st.get('role')}, pattern {st.get('pattern')}) pages "
                   f"{st.get('pages')}; unit {st.get('unit')} from {st.get('unit_printed')!r}; columns "
                   f"{st.get('columns')} ({st.get('columns_from')})")
    for item in ITEMS:
        out.append(f"  {item}:")
        cands = [c for c in report.candidates if c.item == item]
        if not cands:
            out.append("    no line matched any pattern of this item")
        for c in cands:
            out.append(f"    p{c.page} {c.text!r}  pattern {c.pattern} (score {c.score:.2f}) -> {c.decision}")
        for p in PERIODS:
            f = report.figures.get(item, {}).get(p)
            if f is None:
                out.append(f"    {p}: none")
            else:
                extra = f"; {'; '.join(f.notes)}" if f.notes else ""
                out.append(f"    {p}: {f.value} from {f.printed!r} in column {f.column!r}, p{f.page}, "
                           f"{f.source}, confidence {f.confidence:.2f}{extra}")
                for ch in f.checks:
                    out.append(f"      check {ch.name}: {'pass' if ch.passed else 'FAIL'} — {ch.detail}")
    out.extend(_statements(report))
    return "\n".join(out)


def _statements(report: Report) -> list[str]:
    """Each consolidated statement read whole: its rows (label, note, current, prior, page) and tie-out."""
    out: list[str] = []
    for kind, st in (report.extra_figures.get("statements") or {}).items():
        ties = st.get("tieout") or []
        passed = sum(1 for t in ties if t["passed"])
        out.append(f"  statement {kind}: {st.get('title')!r} pages {st.get('pages')}, {len(st.get('rows') or [])} rows, "
                   f"tie-out {passed}/{len(ties)}")
        for t in ties:
            if not t["passed"]:
                out.append(f"    tie-out FAIL {t['name']} ({t['period']}): printed {t['printed']:,} computed "
                           f"{t['computed']:,} p{t['page']}")
        for r in st.get("rows") or []:
            cur = (r.get("current") or {}).get("printed") or ""
            pri = (r.get("prior") or {}).get("printed") or ""
            note = f" [{r['note']}]" if r.get("note") else ""
            out.append(f"    p{r['page']} {r['label']}{note} | {cur} | {pri}")
    return out
