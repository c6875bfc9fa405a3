"""The pipeline for one report: read -> locate -> rows -> items -> figures -> ratio -> flags.

:func:`extract` raises :class:`~extractor.errors.ExtractorError`; :func:`extract_report`
never raises and records the error in the report instead (what the CLI and batch use).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import patternbook
from .analysis.anomalies import anomaly_flags, reading_flags
from .analysis.checks import run_checks
from .analysis.quality import quality_flags, ratio_flags
from .analysis.ratio import compute_ratio
from .errors import (
    DamagedPdfError,
    ExtractorError,
    GarbledTextError,
    InternalError,
    NoIncomeStatementError,
    NoTextLayerError,
    TooComplexError,
)
from .model import ITEMS, PERIODS, Flag, Report
from .parties import PartiesRead, read_parties
from .patternbook import PatternBook
from .read.document import Document, open_document
from .read.limits import deadline, memory_limit
from .statement.locate import Located, locate
from .statement.meta import read_meta
from .statement.sheets import rows_json
from .statement.table import StatementRead, read_statement
from .statement.tieout import apply_tieout, sheet_tieout_flags

if TYPE_CHECKING:
    from .read.ocr import OcrUnavailableError


@dataclass(frozen=True)
class Options:
    patterns: tuple[str, ...] = ()
    ratio_definition: str = "signed_multiple"
    timeout: float | None = None  # seconds per report
    memory_limit: float | None = None  # MB a report may take beyond what the process holds already
    password: str | None = None  # opens a PDF protected by a user (open) password
    ocr: bool = True  # OCR scanned or garbled pages when the statement is not in the text layer


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _diagnose_no_statement(doc: Document, located: Located, book: PatternBook,
                           ocr_error: OcrUnavailableError | None = None) -> ExtractorError:
    file = str(doc.path)
    if doc.too_complex:
        worst = min(doc.too_complex)
        more = f" (and {_page_list(sorted(doc.too_complex)[1:])})" if len(doc.too_complex) > 1 else ""
        return TooComplexError(
            f"page {worst + 1}{more} is too complex to read ({doc.too_complex[worst]}) and the income statement "
            "was not found on the other pages: a resource bomb or a broken conversion; obtain another copy of the "
            "report", file=file)
    pages = sorted(set(located.scanned) | set(doc.ocr_pages)) or list(range(doc.page_count))
    min_chars = int(book.value("min_page_chars"))
    health = {i: doc.layer_health(i) for i in pages}
    empty = [i for i, h in health.items() if h.chars < min_chars]
    broken = [i for i in empty if i in doc.page_errors]
    if broken and len(broken) >= 0.5 * len(pages):
        first = doc.page_errors[broken[0]]
        return DamagedPdfError(
            f"{len(broken)} of {len(pages)} pages cannot be read (e.g. page {broken[0] + 1}: {first}); the file is "
            "damaged: download it again or repair it (`qpdf in.pdf out.pdf`)", file=file)
    scans = [i for i in empty if doc.has_images(i)]
    if doc.repaired and len(empty) >= 0.5 * len(pages) and len(scans) < 0.5 * len(empty):
        return DamagedPdfError(
            f"the file is damaged (MuPDF had to rebuild it) and {len(empty)} of {len(pages)} pages came out empty: "
            "probably a truncated download; download it again", file=file)
    install = f" ({ocr_error.message})" if ocr_error else ""
    ocr_done = (f"; {len(doc.ocr_pages)} pages were OCR'd (pages {_page_list(doc.ocr_pages)}) without finding "
                "the statement") if doc.ocr_pages else ""
    whole = ("OCR the whole file (e.g. `ocrmypdf -l chi_sim+chi_tra+eng in.pdf out.pdf`) and extract from the "
             "result, or raise ocr_max_pages with --patterns")
    limited = (f" (only the first {doc.page_count} of {doc.total_pages} pages were read: a page-count limit, "
               "max_pages in patterns/thresholds.yaml)") if doc.page_count < doc.total_pages else ""
    if len(empty) >= 0.8 * len(health) and health:
        if not scans:
            return NoTextLayerError(
                f"{len(empty)} of {len(health)} pages are blank (no text and no images){limited}: a broken "
                "conversion or a damaged file; obtain another copy of the report", file=file)
        kinds = f"{len(scans)} scanned images, {len(empty) - len(scans)} blank" if len(scans) < len(empty) else "scanned images"
        return NoTextLayerError(
            f"{len(empty)} of {len(health)} pages have no text layer ({kinds}){limited}{ocr_done}{install}; "
            + (whole if ocr_error is None else "then retry, or OCR the file yourself (e.g. `ocrmypdf`)"), file=file)
    max_bad = float(book.value("max_bad_char_share"))
    max_odd = float(book.value("max_implausible_share"))
    bad = [i for i, h in health.items() if h.garbled(min_chars, max_bad, max_odd)]
    readable = len(health) - len(empty)
    if bad and len(bad) >= 0.5 * readable:
        return GarbledTextError(
            f"{len(bad)} of {len(health)} pages have an unreadable text layer (fonts without a usable Unicode map: "
            f"the text extracts as garbage){limited}{ocr_done}{install}; obtain another copy of the report, or "
            + ("OCR it (e.g. `ocrmypdf --force-ocr`)" if ocr_error else whole), file=file)
    if broken := sorted(i for i in doc.page_errors if i in health):
        return DamagedPdfError(
            f"page {_page_list(broken)} cannot be read ({doc.page_errors[broken[0]]}) and the income statement was not "
            "found on the other pages: the file is damaged (the statement may be on the page MuPDF cannot load); "
            "download it again or repair it (`qpdf in.pdf out.pdf`)", file=file)
    scanned = (f"; {len(empty)} pages have no text layer and may hold the statements"
               f"{ocr_done or ' (OCR them)'}{install}") if len(empty) >= 3 else ocr_done
    return NoIncomeStatementError(
        f"no consolidated income statement found in {doc.page_count} pages{limited} (checked titles such as 合并利润表 / "
        "綜合損益表 / consolidated statement of profit or loss); the copy may be truncated or an excerpt"
        f"{scanned}. Add title patterns with --patterns DIR if the report uses another title", file=file)


def _page_list(pages: list[int]) -> str:
    return ", ".join(str(p + 1) for p in sorted(pages))


def _best_read(doc: Document, located: Located, book: PatternBook, log: list[str]) -> StatementRead | None:
    best: StatementRead | None = None
    for region in located.regions[:4]:
        read = read_statement(region, book)
        log.append(
            f"candidate {region.title_line.text!r} ({region.role}) pages {[p + 1 for p in region.pages]}: "
            f"{read.found if read else 0} figures; " + "; ".join(region.reasons))
        if read is not None and (best is None or read.rank > best.rank):
            best = read
        if best is not None and best.found == len(ITEMS) * len(PERIODS):
            break
    return best


def _locate_and_read(doc: Document, book: PatternBook, options: Options, report: Report
                     ) -> tuple[Located, StatementRead | None, OcrUnavailableError | None]:
    """Find and read the statement in the text layer; failing that, OCR the likeliest pages and retry."""
    located = locate(doc, book)
    report.locate_log = [h.why for h in located.hints]
    report.locate_log.append(("full scan of " if located.full_scan else "read ") + f"{len(located.scanned)} pages")
    report.locate_log.extend(located.passed_over)
    best = _best_read(doc, located, book, report.locate_log)
    if (best is not None and best.found > 0) or not options.ocr:
        return located, best, None
    from .read.ocr import OcrUnavailableError  # OCR loads only for a report whose text layer failed
    from .statement.scanned import ocr_statement_pages, unreadable_pages

    unread = unreadable_pages(doc, book)
    if not unread:
        return located, best, None
    t_ocr = time.perf_counter()
    try:
        done = ocr_statement_pages(doc, book, unread, report.locate_log)
    except OcrUnavailableError as e:
        report.locate_log.append(f"{len(unread)} pages need OCR, which is not available: {e.message}")
        return located, best, e
    finally:
        report.timings["ocr"] = time.perf_counter() - t_ocr
    report.locate_log.append(f"OCR'd pages {_page_list(done)} ({len(unread)} pages without a usable text layer)")
    report.locate_log.extend(
        f"OCR page {p + 1}: {r.seconds:.1f} s ({r.languages}, {r.dpi} dpi, {r.engine})"
        for p in done if (r := doc.ocr_runs.get(p)) is not None)
    if not done:
        return located, best, None
    located = locate(doc, book)
    report.locate_log.append(("after OCR, full scan of " if located.full_scan else "after OCR, read ")
                             + f"{len(located.scanned)} pages")
    return located, _best_read(doc, located, book, report.locate_log), None


def _mark_ocr(report: Report, doc: Document, book: PatternBook) -> None:
    factor = float(book.value("ocr_confidence_factor"))
    for per in report.figures.values():
        for fig in per.values():
            if fig is not None and doc.is_ocr(fig.page - 1):
                fig.ocr = True
                fig.confidence *= factor
                fig.notes.append(f"read by OCR from page {fig.page} (no usable text layer); confidence x{factor:g}")
    if doc.ocr_pages:
        runs = {p: doc.ocr_runs[p] for p in doc.ocr_pages if p in doc.ocr_runs}
        report.flags.append(Flag(
            "ocr_used", "medium", f"pages {_page_list(doc.ocr_pages)} have no usable text layer and were read by "
            "OCR: check the figures marked ocr against the page",
            {"pages": [p + 1 for p in sorted(doc.ocr_pages)],
             "seconds": {str(p + 1): round(r.seconds, 2) for p, r in runs.items()},
             "languages": sorted({r.languages for r in runs.values()}), "dpi": sorted({r.dpi for r in runs.values()}),
             "engine": sorted({r.engine for r in runs.values()})},
            kind="quality"))


def extract(path: str | Path, options: Options | None = None, data: bytes | None = None) -> Report:
    """Extract one report; raises ExtractorError when no result can be given. With ``data`` (the file's
    bytes, read by the caller), the report is read from those bytes and ``sha256`` is theirs."""
    options = options or Options()
    t0 = time.perf_counter()
    book = patternbook.load(options.patterns)
    p = Path(path)
    doc = open_document(p, fake_bold_overlap=float(book.value("fake_bold_overlap")),
                        line_merge_overlap=float(book.value("line_merge_overlap")), password=options.password,
                        max_pages=int(book.value("max_pages")) or None,
                        min_bigram_share=float(book.value("min_bigram_share")), data=data,
                        max_page_chars=int(book.value("max_page_chars")) or None)
    sha = hashlib.sha256(data).hexdigest() if data is not None else sha256_of(p)
    report = Report(file=str(path), sha256=sha, pages=doc.total_pages)
    meta = read_meta(doc, book)
    report.company = {"name": meta["name"], "code": meta["code"]}  # type: ignore[dict-item]
    located, best, ocr_error = _locate_and_read(doc, book, options, report)
    report.timings["locate"] = time.perf_counter() - t0
    if best is None or best.found == 0:
        err = _diagnose_no_statement(doc, located, book, ocr_error)
        err.log = report.locate_log  # for `extractor explain`: what was looked at, and why nothing was taken
        raise err
    if doc.ocr_pages and not any(meta.values()):
        meta = read_meta(doc, book)  # the cover may have been OCR'd with the contents
        report.company = {"name": meta["name"], "code": meta["code"]}  # type: ignore[dict-item]
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
        "columns": [{"header": c.header, "period": c.period, "year": c.year, "entity": c.entity,
                     **({"restated": c.restated} if c.restated else {}), **({"unadjusted": True} if c.unadjusted else {})}
                    for c in best.layouts[0].columns],
        "columns_from": best.layouts[0].source,
        "tieout": [t.to_json() for t in best.tieouts],
        "text_layer": [{"page": p + 1, "chars": h.chars, "bad_chars": h.bad_chars,
                        "duplicated_glyphs_removed": h.duplicated_glyphs, "ocr": doc.is_ocr(p)}
                       for p in region.pages for h in (doc.health(p),)],
    }
    report.flags.extend(apply_tieout(report.figures, best.tieouts, float(book.value("tieout_confidence"))))
    _mark_ocr(report, doc, book)
    report.flags.extend(Flag(fid, "low", msg, kind="quality") for fid, msg in doc.notes)
    report.flags.extend(run_checks(report, doc, best, book))
    report.flags.extend(quality_flags(report, doc, best, book))
    for per in report.figures.values():  # one statement, one currency: nothing is converted
        for fig in per.values():
            if fig is not None and fig.currency is None:
                fig.currency = best.unit.currency
    # customers, related parties, cash from sales, receivables -> anomaly flags (issue #5)
    t_parties = time.perf_counter()
    parties = read_parties(doc, book, region.pages, best.unit, scan_mdna=region.cas, plain=region.role == "plain",
                           scan_top5=region.cas or located.full_scan)
    report.extra_figures["parties"] = parties.parties_json()
    report.extra_figures["cash_from_sales"] = parties.figures_json("cash_from_sales")
    report.extra_figures["receivables"] = parties.figures_json("receivables")
    report.extra_figures["statements"] = _statements_json(report, best, parties)
    report.flags.extend(sheet_tieout_flags(parties.sheets))
    report.flags.extend(anomaly_flags(report, parties, book))
    report.flags.extend(reading_flags(parties, region.cas))  # CAS reports must disclose what the flags need
    report.timings["parties"] = time.perf_counter() - t_parties
    rnd = report.figure("rnd_expense")
    sel = report.figure("selling_expense")
    rev = report.figure("revenue")
    report.ratio = compute_ratio(rnd.value if rnd else None, sel.value if sel else None,
                                 rev.value if rev else None, options.ratio_definition)
    report.flags.extend(ratio_flags(report, book))
    missing = [f"{item}.{p}" for item in ITEMS for p in PERIODS if report.figures[item][p] is None]
    report.status = "partial" if missing else "ok"
    if missing:
        report.extra_figures["missing"] = missing
    report.timings["total"] = time.perf_counter() - t0
    return report


def _statements_json(report: Report, best: StatementRead, parties: PartiesRead) -> dict[str, object]:
    """The three consolidated statements read whole: every row, and each statement's tie-out."""
    st = report.statement or {}
    income = {"title": st.get("title"), "pages": st.get("pages"), "unit": best.unit.unit,
              "multiplier": int(best.unit.multiplier), "rows": rows_json(best.rows, best.unit),
              "tieout": st.get("tieout")}
    return {"income": income, **{kind: sheet.to_json() for kind, sheet in parties.sheets.items()}}


def extract_report(path: str | Path, options: Options | None = None, data: bytes | None = None) -> Report:
    """Like :func:`extract` but never raises: errors become ``status: error`` with a code."""
    options = options or Options()
    try:
        with deadline(options.timeout, str(path)), memory_limit(options.memory_limit, str(path)):
            return extract(path, options) if data is None else extract(path, options, data)
    except ExtractorError as e:
        return _error_report(path, e, data)
    except Exception as e:  # noqa: BLE001 - the contract promises a JSON answer, never a traceback
        err = InternalError(f"internal error ({type(e).__name__}: {e}); please report it with the file",
                            file=str(path))
        return _error_report(path, err, data)


def _error_report(path: str | Path, e: ExtractorError, data: bytes | None = None) -> Report:
    report = Report(file=str(path), status="error", error=e.to_dict())
    report.locate_log = list(e.log)
    p = Path(path)
    if data is not None:
        report.sha256 = hashlib.sha256(data).hexdigest()
    elif p.is_file():
        try:
            report.sha256 = sha256_of(p)
        except OSError:
            pass
    return report

