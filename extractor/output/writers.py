"""Turn reports into what people and scripts read: a text table, flat CSV rows (the batch exports stream JSON lines themselves)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..model import ITEMS, PERIODS, Report

LABELS = {"revenue": "Revenue", "selling_expense": "Selling expense", "rnd_expense": "R&D expense",
          "admin_expense": "Admin expense"}


def _money(v: Any) -> str:
    if v is None:
        return "—"
    return f"{v:,.2f}"


def render_table(report: Report) -> str:
    """The readable default output of `extractor extract`."""
    j = report.to_json()
    lines = [f"{j['file']}"]
    if j["status"] == "error":
        lines.append(f"  error [{j['error']['code']}]: {j['error']['message']}")
        return "\n".join(lines)
    c = j["company"]
    st = j["statement"] or {}
    lines.append(f"  {c.get('name') or '(company name not found)'}  code {c.get('code') or '—'}  "
                 f"FY {j['fiscal_year'] or '—'}  {j['language'] or ''}  status {j['status']}")
    lines.append(f"  statement: {st.get('title')} pages {st.get('pages')}  unit {st.get('unit')} "
                 f"(x{st.get('multiplier')}, {st.get('currency')})")
    lines.append("")
    head = f"  {'item':<16}{'current (yuan)':>22}{'prior (yuan)':>22}   source / page / conf"
    lines.append(head)
    lines.append("  " + "-" * (len(head) + 8))
    for item in ITEMS:
        per = j["figures"][item]
        cur, pri = per["current"], per["prior"]
        where = ""
        if cur:
            where = f"{cur['source']} p{cur['page']} {cur['confidence']:.2f}"
        lines.append(f"  {LABELS[item]:<16}{_money(cur and cur['value']):>22}{_money(pri and pri['value']):>22}   {where}")
    r = j.get("ratio") or {}
    if r:
        val = r.get("value")
        lines.append("")
        lines.append(f"  R&D vs selling ({r.get('definition')}): {val if val is not None else '—'}"
                     f"  orientation {r.get('orientation') or '—'}"
                     + (f"  R&D/revenue {r['rnd_intensity']:.2%}" if r.get("rnd_intensity") is not None else "")
                     + (f"  selling/revenue {r['selling_intensity']:.2%}" if r.get("selling_intensity") is not None else ""))
        if r.get("note"):
            lines.append(f"  note: {r['note']}")
    if j["flags"]:
        lines.append("")
        for f in j["flags"]:
            lines.append(f"  [{f['severity']}] {f['id']}: {f['message']}")
    return "\n".join(lines)


def flat_row_json(j: dict[str, Any]) -> dict[str, Any]:
    """One CSV row from a report's contract JSON."""
    row: dict[str, Any] = {
        "file": j["file"], "status": j["status"], "error_code": (j["error"] or {}).get("code"),
        "company": j["company"].get("name"), "code": j["company"].get("code"), "fiscal_year": j["fiscal_year"],
        "language": j["language"], "unit": (j["statement"] or {}).get("unit"),
        "currency": (j["statement"] or {}).get("currency"),
        "statement_pages": " ".join(map(str, (j["statement"] or {}).get("pages", []))),
    }
    for item in ITEMS:
        for p in PERIODS:
            f = j["figures"][item][p]
            row[f"{item}_{p}"] = f["value"] if f else None
            row[f"{item}_{p}_page"] = f["page"] if f else None
            row[f"{item}_{p}_source"] = f["source"] if f else None
            row[f"{item}_{p}_confidence"] = f["confidence"] if f else None
    r = j.get("ratio") or {}
    for k in ("value", "orientation", "signed_multiple", "log_ratio", "normalised_difference",
              "rnd_intensity", "selling_intensity"):
        row[f"ratio_{k}"] = r.get(k)
    row["flags"] = " ".join(f["id"] for f in j["flags"])
    return row


def write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    if not rows:
        path.write_text("", encoding="utf-8")
        return
    fields: list[str] = []
    for r in rows:
        for k in r:
            if k not in fields:
                fields.append(k)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
