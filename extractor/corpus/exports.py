"""Exports from the batch's store: results.jsonl, figures.csv, figures.xlsx, figures.parquet, and
pandas DataFrames of figures, flags and errors for notebooks.

Every export is built from the store's latest run whose folder was listed whole (the files that
batch saw, in path order; a file whose content was already seen under another name is listed in
``duplicates`` of the first; all read in one snapshot of the store, so a batch starting meanwhile
changes nothing of it),
with the cross-year flags (which need the whole batch) and the review decisions in force
(:mod:`.decisions`):

- in results.jsonl, the figure or flag a decision concerns gains a ``review`` object (action,
  value, comment, reviewer, time) and the result a top-level ``review`` list; the figures keep the
  values as read, which their page and box prove;
- in the tables (CSV, xlsx, parquet, DataFrames), a figure column holds the value in force: the
  corrected value, nothing when the figure was rejected, else the value read; ``<figure>_original``
  keeps the value read and ``<figure>_review`` / ``_review_comment`` say what the reviewer decided
  (these columns appear once a decision exists). The ratio columns are recomputed from the values
  in force. Flags carry their review in the flags table and ``flags_review``.

File names that are not valid UTF-8 show their odd bytes as ``\\xNN``. In the CSV and the workbook,
text loses its control characters and never becomes a formula (:func:`.names.cell`; in the
workbook such text is typed as text). Each file is written under a temporary name unique to the
process and replaces the old one only when all the chosen formats are complete (:mod:`.outdir`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .. import patternbook
from ..analysis.crossyear import cross_year_flags
from ..analysis.ratio import compute_ratio
from ..errors import ExtractorError, NotFoundError
from ..model import ITEMS, PERIODS, Report
from ..output.writers import LABELS, flat_row_json, write_csv
from . import decisions
from .names import cell as csv_cell
from .names import clean_json, is_formula_like, shown, without_controls
from .outdir import naming, replacing, sweep
from .store import Config, Run, Store, store_path

FORMATS = ("jsonl", "csv", "xlsx", "parquet")
FILE_NAMES = {"jsonl": "results.jsonl", "csv": "figures.csv", "xlsx": "figures.xlsx", "parquet": "figures.parquet"}


class NoStoreError(ExtractorError, FileNotFoundError):
    code = "not_found"


@dataclass
class Summary:
    reports: int = 0
    ok: int = 0
    partial: int = 0
    failed: int = 0
    pending: int = 0  # files of the run with no result in the store (a run stopped early)
    written: tuple[Path, ...] = ()
    ignored_decisions: tuple[decisions.Decision, ...] = ()  # stored with values no decision can have


def _open(outdir: Path, run_id: int | None = None) -> tuple[Store, Run]:
    """The store, in a read transaction (one snapshot until it is closed), and the run to show."""
    if not store_path(outdir).exists():
        raise NoStoreError(f"no batch store in {outdir} (looked for {store_path(outdir).name}); run "
                           f"`extractor batch FOLDER --out {outdir}` first", file=str(outdir))
    store = Store(outdir)
    store.con.execute("BEGIN")
    run = store.latest_run() if run_id is None else store.get_run(run_id)
    if run is None:
        store.close()
        raise NoStoreError(f"the store in {outdir} has no complete batch run yet (a batch stopped while it listed "
                           f"its folder records none); run `extractor batch FOLDER --out {outdir}`", file=str(outdir))
    return store, run


def _book(config: Config) -> patternbook.PatternBook:
    try:
        return patternbook.load(config.pattern_dirs)
    except ExtractorError:  # the run's --patterns folder is gone: cross-year settings from the built-in files
        return patternbook.load()


_Group = tuple[str, str | None, list[str], tuple[str | None, str | None]]


def _groups(store: Store, run_id: int) -> list[_Group]:
    """(first path, sha256, other paths, (file error code, message)) per distinct report, in path order;
    paths as shown (valid Unicode)."""
    order: list[_Group] = []
    by_sha: dict[str, list[str]] = {}
    for f in store.run_files(run_id):
        path = shown(f.path)
        if f.sha256 is None:
            order.append((path, None, [], (f.code, f.error)))
        elif f.sha256 in by_sha:
            by_sha[f.sha256].append(path)
        else:
            by_sha[f.sha256] = []
            order.append((path, f.sha256, by_sha[f.sha256], (None, None)))
    return order


def _file_error(path: str, code: str | None, message: str | None) -> dict[str, Any]:
    """The result of a file the run could not read (no content, so nothing in the store)."""
    from ..errors import ChangedDuringRunError

    cls = ChangedDuringRunError if code == "changed_during_run" else NotFoundError
    return Report(file=path, status="error", error=cls(message or "cannot read the file", file=path).to_dict()).to_json()


def _projection(j: dict[str, Any]) -> dict[str, Any]:
    """What the cross-year flags read of a result (the rest need not stay in memory)."""
    return {"status": j.get("status"), "company": j.get("company"), "fiscal_year": j.get("fiscal_year"),
            "file": j.get("file"), "parties": {"top5": ((j.get("parties") or {}).get("top5"))}, "flags": [],
            "figures": {item: {period: _slim(fig) for period, fig in (periods or {}).items()}
                        for item, periods in (j.get("figures") or {}).items()}}


_CROSS_YEAR_KEYS = ("value", "printed", "page", "label", "multiplier", "column", "restated")


def _slim(fig: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if fig is None else {k: fig.get(k) for k in _CROSS_YEAR_KEYS}


def reviewed_results(outdir: str | Path, run: int | None = None) -> Iterator[dict[str, Any]]:
    """The contract JSON of each report of the latest run (or of ``run``), with duplicates, cross-year
    flags and reviews."""
    outdir = Path(outdir)
    store, the_run = _open(outdir, run)
    try:
        yield from _reviewed(store, the_run, outdir)
    finally:
        store.close()


def _reviewed(store: Store, run: Run, outdir: Path) -> Iterator[dict[str, Any]]:
    groups = _groups(store, run.id)
    cross: dict[str, dict[str, Any]] = {}
    for path, sha, _, _ in groups:
        j = store.result(run.config, sha) if sha else None
        if j is not None:
            cross[sha] = _projection(j)  # type: ignore[index]
            cross[sha]["file"] = path  # type: ignore[index]
    cross_year_flags(list(cross.values()), _book(run.config))
    in_force = decisions.latest(store_path(outdir))
    for path, sha, dups, (code, error) in groups:
        if sha is None:
            j = _file_error(path, code, error)
        else:
            found = store.result(run.config, sha)
            if found is None:
                continue
            j = found
            j["file"] = path
            j["flags"] = (j.get("flags") or []) + cross[sha]["flags"]
            _apply_review(j, sha, in_force)
        j["duplicates"] = dups
        yield j


def pending_count(outdir: str | Path, run: int | None = None) -> int:
    store, the_run = _open(Path(outdir), run)
    try:
        return _pending(store, the_run)
    finally:
        store.close()


def _pending(store: Store, run: Run) -> int:
    done = store.statuses(run.config)
    return sum(1 for _, sha, _, _ in _groups(store, run.id) if sha is not None and sha not in done)


def _apply_review(j: dict[str, Any], sha: str, in_force: dict[tuple[str, str], decisions.Decision]) -> None:
    mine = [d for (s, _), d in in_force.items() if s == sha]
    if not mine:
        return
    j["review"] = [d.to_json() for d in sorted(mine, key=lambda d: d.target)]
    for item in ITEMS:
        for period in PERIODS:
            d = in_force.get((sha, decisions.figure_target(item, period)))
            fig = (j.get("figures") or {}).get(item, {}).get(period)
            if d is not None and fig is not None:
                fig["review"] = d.to_json()
    for flag, target in zip(j.get("flags") or [], decisions.flag_targets(j.get("flags") or []), strict=True):
        d = in_force.get((sha, target))
        if d is not None:
            flag["review"] = d.to_json()


def _row(j: dict[str, Any]) -> dict[str, Any]:
    """The flat row of a reviewed result: values in force, originals and decisions beside them."""
    row = flat_row_json(j)
    reviewed = False
    for item in ITEMS:
        for period in PERIODS:
            fig = j["figures"][item][period] if j.get("figures") else None
            d = next((r for r in j.get("review") or [] if r["target"] == decisions.figure_target(item, period)), None)
            if d is None:
                continue
            col = f"{item}_{period}"
            row[f"{col}_original"] = fig["value"] if fig else None
            row[f"{col}_review"] = d["action"]
            row[f"{col}_review_comment"] = d["comment"]
            if d["action"] == "corrected":
                row[col] = d["value"]
                reviewed = True
            elif d["action"] == "rejected":
                row[col] = None
                reviewed = True
    if reviewed:
        def dec(col: str) -> Decimal | None:
            v = row.get(col)
            return None if v is None else Decimal(str(v))

        r = compute_ratio(dec("rnd_expense_current"), dec("selling_expense_current"), dec("revenue_current"),
                          (j.get("ratio") or {}).get("definition") or "signed_multiple")
        for k in ("value", "orientation", "signed_multiple", "log_ratio", "normalised_difference",
                  "rnd_intensity", "selling_intensity"):
            row[f"ratio_{k}"] = r.get(k)
    row["error_message"] = (j.get("error") or {}).get("message")
    row["sha256"] = j.get("sha256")
    row["duplicates"] = " | ".join(j.get("duplicates") or [])
    flags_review = [f"{t}:{f['review']['action']}" for f, t in
                    zip(j.get("flags") or [], decisions.flag_targets(j.get("flags") or []), strict=True)
                    if f.get("review")]
    row["flags_review"] = " ".join(flags_review)
    return row


def figure_rows(outdir: str | Path) -> list[dict[str, Any]]:
    return [_row(j) for j in reviewed_results(outdir)]


def flag_rows(outdir: str | Path) -> list[dict[str, Any]]:
    return [r for j in reviewed_results(outdir) for r in _flag_rows_of(j)]


def error_rows(outdir: str | Path) -> list[dict[str, Any]]:
    return [{"file": j["file"], "error_code": j["error"]["code"], "message": j["error"]["message"],
             "duplicates": " | ".join(j.get("duplicates") or []), "sha256": j.get("sha256")}
            for j in reviewed_results(outdir) if j.get("status") == "error"]


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None):  # -> pandas.DataFrame
    import pandas as pd  # here, not at import: `import extractor` and `extractor extract` stay light

    frame = pd.DataFrame(rows, columns=columns) if not rows else pd.DataFrame(rows)
    for col in ("code", "error_code", "company", "file"):
        if col in frame.columns:
            frame[col] = frame[col].astype("string")  # stock codes keep their leading zeros
    return frame


def figures_frame(outdir: str | Path):  # -> pandas.DataFrame
    """One row per report (the columns of figures.csv), review decisions applied."""
    return _frame(figure_rows(outdir), ["file", "status", "error_code"])


def flags_frame(outdir: str | Path):  # -> pandas.DataFrame
    """One row per flag raised, with the report it belongs to and its review."""
    return _frame(flag_rows(outdir), ["file", "company", "code", "fiscal_year", "flag", "target", "severity",
                                      "kind", "message", "review", "review_comment", "evidence", "sha256"])


def errors_frame(outdir: str | Path):  # -> pandas.DataFrame
    """One row per report that failed, with its error code and message."""
    return _frame(error_rows(outdir), ["file", "error_code", "message", "duplicates", "sha256"])


# headers and number formats for the workbook

_SUFFIXES = {"": " (yuan)", "_page": ": page", "_source": ": source", "_confidence": ": confidence",
             "_original": " as read (yuan)", "_review": ": review", "_review_comment": ": review comment"}
_PLAIN = {"file": "File", "status": "Status", "error_code": "Error code", "error_message": "Error message",
          "company": "Company", "code": "Stock code", "fiscal_year": "Fiscal year", "language": "Language",
          "unit": "Unit", "currency": "Currency", "statement_pages": "Statement pages", "flags": "Flags", "flags_review": "Flag reviews",
          "sha256": "SHA-256", "duplicates": "Duplicate files", "ratio_value": "R&D vs selling: value",
          "ratio_orientation": "R&D vs selling: favours", "ratio_signed_multiple": "R&D vs selling: signed multiple",
          "ratio_log_ratio": "R&D vs selling: log ratio",
          "ratio_normalised_difference": "R&D vs selling: normalised difference",
          "ratio_rnd_intensity": "R&D / revenue", "ratio_selling_intensity": "Selling / revenue",
          "flag": "Flag", "target": "Review target", "severity": "Severity", "kind": "Kind", "message": "Message",
          "review": "Review", "review_comment": "Review comment", "evidence": "Evidence (JSON)"}


def header(col: str) -> str:
    if col in _PLAIN:
        return _PLAIN[col]
    for item in ITEMS:
        for period in PERIODS:
            base = f"{item}_{period}"
            if col.startswith(base) and col[len(base):] in _SUFFIXES:
                return f"{LABELS[item]}, {period}{_SUFFIXES[col[len(base):]]}"
    return col.replace("_", " ").capitalize()


def number_format(col: str) -> str | None:
    if col in ("ratio_rnd_intensity", "ratio_selling_intensity"):
        return "0.00%"
    if col.startswith("ratio_") and col != "ratio_orientation":
        return "0.000"
    if col.endswith("_confidence"):
        return "0.00"
    if col.endswith("_page") or col == "fiscal_year":
        return "0"
    for item in ITEMS:
        for period in PERIODS:
            if col in (f"{item}_{period}", f"{item}_{period}_original"):
                return "#,##0.00"
    return None


def _columns(rows: list[dict[str, Any]], first: list[str]) -> list[str]:
    cols = list(first) if not rows else []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    return cols


def write_xlsx(path: Path, sheets: dict[str, tuple[list[dict[str, Any]], list[str]]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE5F0")
    for name, (rows, first) in sheets.items():
        ws = wb.create_sheet(name)
        cols = _columns(rows, first)
        ws.append([header(c) for c in cols])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r in rows:
            values = [without_controls(r.get(c)) for c in cols]  # control characters are not allowed in xlsx
            ws.append(values)
            for i, v in enumerate(values):
                if is_formula_like(v):  # text that would read as a formula stays text
                    text_cell = ws.cell(row=ws.max_row, column=i + 1)
                    text_cell.data_type = "s"
                    text_cell.quotePrefix = True
        for i, c in enumerate(cols, start=1):
            letter = get_column_letter(i)
            fmt = number_format(c)
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = fmt
            longest = max([len(header(c)) // 2 + 2] + [len(str(r.get(c) or "")) for r in rows[:200]])
            ws.column_dimensions[letter].width = min(60, max(8, longest + 2))
        ws.freeze_panes = "B2" if name == "figures" else "A2"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(rows) + 1)}"
    wb.save(path)


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    frame = _frame(rows, ["file", "status", "error_code"])
    frame.to_parquet(path, index=False)


def export(outdir: str | Path, formats: tuple[str, ...] | list[str] = ("jsonl", "csv"),
           run: int | None = None) -> Summary:
    """Write the chosen exports into ``outdir`` from its store (the latest run, or ``run``); returns the
    counts. Either every chosen file is replaced or none is (a failure leaves the previous exports);
    raises OutputError when they cannot be written."""
    outdir = Path(outdir)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ValueError(f"unknown export format(s) {', '.join(bad)}: use {', '.join(FORMATS)}")
    store, the_run = _open(outdir, run)
    sweep(outdir)
    try:
        summary = Summary(pending=_pending(store, the_run),
                          ignored_decisions=tuple(decisions.ignored(store_path(outdir))))
        with ExitStack() as stack:
            tmp = {fmt: stack.enter_context(replacing(outdir / FILE_NAMES[fmt])) for fmt in formats}
            _write_all(_reviewed(store, the_run, outdir), formats, tmp, summary, outdir)
    finally:
        store.close()
    summary.written = tuple(outdir / FILE_NAMES[fmt] for fmt in formats)
    return summary


def _write_all(results: Iterator[dict[str, Any]], formats: tuple[str, ...] | list[str], tmp: dict[str, Path],
               summary: Summary, outdir: Path) -> None:
    rows: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    tables = bool(set(formats) - {"jsonl"})
    with naming(outdir / FILE_NAMES["jsonl"]):
        _write_jsonl(results, tmp.get("jsonl"), formats, tables, rows, flags, summary)
    for fmt in formats:
        with naming(outdir / FILE_NAMES[fmt]):
            _write_table(fmt, tmp[fmt], rows, flags)


def _write_jsonl(results: Iterator[dict[str, Any]], path: Path | None, formats: tuple[str, ...] | list[str],
                 tables: bool, rows: list[dict[str, Any]], flags: list[dict[str, Any]], summary: Summary) -> None:
    """Stream the results into results.jsonl (when chosen), keeping the rows the tables need."""
    jsonl = path.open("w", encoding="utf-8") if path is not None else None
    try:
        for j in results:  # one report at a time: a big batch is never all in memory
            summary.reports += 1
            status = j.get("status")
            summary.ok += status == "ok"
            summary.partial += status == "partial"
            summary.failed += status == "error"
            if jsonl is not None:
                line = json.dumps(j, ensure_ascii=False)
                try:
                    jsonl.write(line + "\n")
                except UnicodeEncodeError:  # a lone surrogate (e.g. in a review comment sent as JSON)
                    jsonl.write(json.dumps(clean_json(j), ensure_ascii=False) + "\n")
            if tables:
                rows.append(_row(j))
            if "xlsx" in formats:
                flags.extend(_flag_rows_of(j))
    finally:
        if jsonl is not None:
            jsonl.close()


def _write_table(fmt: str, path: Path, rows: list[dict[str, Any]], flags: list[dict[str, Any]]) -> None:
    if fmt == "csv":
        write_csv([{k: csv_cell(v) for k, v in r.items()} for r in rows], path)
    elif fmt == "xlsx":
        errors = [{k: r.get(k) for k in ("file", "error_code", "error_message", "duplicates", "sha256")}
                  for r in rows if r["status"] == "error"]
        write_xlsx(path, {"figures": (rows, ["file", "status"]),
                          "flags": (flags, ["file", "company", "code", "fiscal_year", "flag", "severity",
                                            "message", "review"]),
                          "errors": (errors, ["file", "error_code", "error_message"])})
    elif fmt == "parquet":
        write_parquet(path, rows)


def _flag_rows_of(j: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f, target in zip(j.get("flags") or [], decisions.flag_targets(j.get("flags") or []), strict=True):
        rev = f.get("review") or {}
        out.append({"file": j["file"], "company": (j.get("company") or {}).get("name"),
                    "code": (j.get("company") or {}).get("code"), "fiscal_year": j.get("fiscal_year"),
                    "flag": f["id"], "target": target, "severity": f.get("severity"), "kind": f.get("kind"),
                    "message": f.get("message"), "review": rev.get("action"), "review_comment": rev.get("comment"),
                    "evidence": json.dumps(f.get("evidence") or {}, ensure_ascii=False, default=str),
                    "sha256": j.get("sha256")})
    return out
