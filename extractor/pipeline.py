"""The pipeline for one report: read -> locate -> rows -> items -> figures -> ratio -> flags.

:func:`extract` raises :class:`~extractor.errors.ExtractorError`; :func:`extract_report`
never raises and records the error in the report instead (what the CLI and batch use).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from . import patternbook
from .analysis.anomalies import anomaly_flags, reading_flags
from .analysis.checks import run_checks
from .analysis.quality import quality_flags
from .analysis.ratio import compute_ratio
from .errors import ExtractorError, GarbledTextError, InternalError, NoIncomeStatementError, NoTextLayerError
from .model import ITEMS, PERIODS, Report
from .parties import read_parties
from .patternbook import PatternBook
from .read.document import Document, open_document
from .read.limits import deadline, memory_limit
from .statement.locate import Located, locate
from .statement.meta import read_meta
from .statement.table import StatementRead, read_statement
from .statement.tieout import apply_tieout


@dataclass(frozen=True)
class Options:
    patterns: tuple[str, ...] = ()
    ratio_definition: str = "signed_multiple"
    timeout: float | None = None  # seconds per report
    memory_limit: float | None = None  # MB a report may take beyond what the process holds already


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _diagnose_no_statement(doc: Document, located: Located, book: PatternBook) -> ExtractorError:
    pages = located.scanned or list(range(doc.page_count))
    health = [doc.health(i) for i in pages]
    min_chars = int(book.value("min_page_chars"))
    empty = sum(1 for h in health if h.chars < min_chars)
    if empty >= 0.8 * len(health):
        return NoTextLayerError(
            f"{empty} of {len(health)} pages have no text layer (scanned images?); run OCR first "
            "(e.g. `ocrmypdf -l chi_sim in.pdf out.pdf`) and extract from the result",
            file=str(doc.path))
    bad = [h for h in health if h.chars >= min_chars and h.bad_share > float(book.value("max_bad_char_share"))]
    if len(bad) >= 0.5 * (len(health) - empty):
        return GarbledTextError(
            f"{len(bad)} of {len(health)} pages have an unreadable text layer (fonts without a Unicode map); "
            "OCR the PDF or obtain another copy", file=str(doc.path))
    scanned = f"; {empty} pages have no text layer and may hold the statements (OCR them)" if empty >= 3 else ""
    return NoIncomeStatementError(
        f"no consolidated income statement found in {doc.page_count} pages (checked titles such as 合并利润表 / "
        "綜合損益表 / consolidated statement of profit or loss); the copy may be truncated or an excerpt"
        f"{scanned}. Add title patterns with --patterns DIR if the report uses another title", file=str(doc.path))


def extract(path: str | Path, options: Options | None = None) -> Report:
    """Extract one report; raises ExtractorError when no result can be given."""
    options = options or Options()
    t0 = time.perf_counter()
    book = patternbook.load(options.patterns)
    p = Path(path)
    doc = open_document(p, fake_bold_overlap=float(book.value("fake_bold_overlap")),
                        line_merge_overlap=float(book.value("line_merge_overlap")))
    report = Report(file=str(path), sha256=sha256_of(p), pages=doc.page_count)
    meta = read_meta(doc, book)
    report.company = {"name": meta["name"], "code": meta["code"]}  # type: ignore[dict-item]
    located = locate(doc, book)
    report.locate_log = [h.why for h in located.hints]
    report.locate_log.append(("full scan of " if located.full_scan else "read ") + f"{len(located.scanned)} pages")
    report.locate_log.extend(located.passed_over)
    best: StatementRead | None = None
    for region in located.regions[:4]:
        read = read_statement(region, book)
        report.locate_log.append(
            f"candidate {region.title_line.text!r} ({region.role}) pages {[p + 1 for p in region.pages]}: "
            f"{read.found if read else 0} figures; " + "; ".join(region.reasons))
        if read is not None and (best is None or read.rank > best.rank):
            best = read
        if best is not None and best.found == len(ITEMS) * len(PERIODS):
            break
    report.timings["locate"] = time.perf_counter() - t0
    if best is None or best.found == 0:
        err = _diagnose_no_statement(doc, located, book)
        err.log = report.locate_log  # for `extractor explain`: what was looked at, and why nothing was taken
        raise err
    region = best.region
    report.figures = best.items.figures
    report.candidates = best.items.candidates
    report.language = region.title.pattern.lang if region.title.pattern.lang != "any" else None
    years = [c.year for lay in best.layouts for c in lay.columns if c.period == "current" and c.year]
    report.fiscal_year = years[0] if years else meta["year"]  # type: ignore[assignment]
    report.statement = {
        "title": region.title_line.text.strip(), "pages": [p + 1 for p in region.pages],
        "unit": best.unit.unit, "multiplier": int(best.unit.multiplier), "currency": best.unit.currency,
        "role": region.role, "pattern": region.title.pattern.id, "unit_printed": best.unit.printed or None,
        "columns": [{"header": c.header, "period": c.period, "year": c.year, "entity": c.entity}
                    for c in best.layouts[0].columns],
        "columns_from": best.layouts[0].source,
        "tieout": [t.to_json() for t in best.tieouts],
        "text_layer": [{"page": p + 1, "chars": h.chars, "bad_chars": h.bad_chars,
                        "duplicated_glyphs_removed": h.duplicated_glyphs}
                       for p in region.pages for h in (doc.health(p),)],
    }
    report.flags.extend(apply_tieout(report.figures, best.tieouts, float(book.value("tieout_confidence"))))
    report.flags.extend(run_checks(report, doc, best, book))
    report.flags.extend(quality_flags(report, doc, best, book))
    # customers, related parties, cash from sales, receivables -> anomaly flags (issue #5)
    t_parties = time.perf_counter()
    is_cas = region.title.pattern.lang == "zh-Hans"  # CAS reports must disclose what the flags need
    parties = read_parties(doc, book, region.pages, best.unit, scan_mdna=is_cas)
    report.extra_figures["parties"] = parties.parties_json()
    report.extra_figures["cash_from_sales"] = parties.figures_json("cash_from_sales")
    report.extra_figures["receivables"] = parties.figures_json("receivables")
    report.flags.extend(anomaly_flags(report, parties, book))
    report.flags.extend(reading_flags(parties, is_cas))
    report.timings["parties"] = time.perf_counter() - t_parties
    rnd = report.figure("rnd_expense")
    sel = report.figure("selling_expense")
    rev = report.figure("revenue")
    report.ratio = compute_ratio(rnd.value if rnd else None, sel.value if sel else None,
                                 rev.value if rev else None, options.ratio_definition)
    missing = [f"{item}.{p}" for item in ITEMS for p in PERIODS if report.figures[item][p] is None]
    report.status = "partial" if missing else "ok"
    if missing:
        report.extra_figures["missing"] = missing
    report.timings["total"] = time.perf_counter() - t0
    return report


def extract_report(path: str | Path, options: Options | None = None) -> Report:
    """Like :func:`extract` but never raises: errors become ``status: error`` with a code."""
    options = options or Options()
    try:
        with deadline(options.timeout, str(path)), memory_limit(options.memory_limit, str(path)):
            return extract(path, options)
    except ExtractorError as e:
        return _error_report(path, e)
    except Exception as e:  # noqa: BLE001 - the contract promises a JSON answer, never a traceback
        err = InternalError(f"internal error ({type(e).__name__}: {e}); please report it with the file",
                            file=str(path))
        return _error_report(path, err)


def _error_report(path: str | Path, e: ExtractorError) -> Report:
    report = Report(file=str(path), status="error", error=e.to_dict())
    report.locate_log = list(e.log)
    p = Path(path)
    if p.is_file():
        try:
            report.sha256 = sha256_of(p)
        except OSError:
            pass
    return report

