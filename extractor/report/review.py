"""The auditors' review report: a batch's results as static HTML pages with crops of the PDFs.

Takes a batch folder (``OUTDIR/results.jsonl`` and the decisions in ``OUTDIR/store.sqlite``) and
gives a folder that opens from disk: ``index.html`` (one sortable, filterable row per report),
``r/<report>.html`` (each figure and flag with its provenance, checks, evidence, decisions and the
crops behind it), ``crops/`` (PNGs, made once and reused by later runs) and ``decisions.csv`` (the
decision in force per figure and flag: a corrected value beside the extracted one). The same views feed
the review server (forms added) and the one-file review of a single report (crops embedded).
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from .. import patternbook
from ..corpus import decisions
from ..corpus.decisions import Decision, figure_target, flag_targets
from ..corpus.outdir import replacing
from ..model import ITEMS, PERIODS
from .crops import Crop, CropMaker, CropStats, DrawLimits
from .spots import flag_spots, locate

RESULTS_NAME = "results.jsonl"
SEVERITIES = ("high", "medium", "low", "info")
ITEM_TITLES = {"revenue": "Revenue 营业收入", "selling_expense": "Selling expense 销售费用",
               "rnd_expense": "R&D expense 研发费用", "admin_expense": "Admin expense 管理费用"}
PERIOD_TITLES = {"current": "current year", "prior": "prior year"}
DECISION_COLUMNS = ("file", "company", "code", "fiscal_year", "sha256", "target", "action", "extracted",
                    "extracted_printed", "page", "corrected_value", "comment", "reviewer", "decided_at",
                    "decisions")


class ReviewInputError(ValueError):
    """The batch folder cannot be reviewed (no results file, unreadable lines)."""


def load_results(outdir: Path) -> list[dict[str, Any]]:
    """The batch's results (contract objects, one per report) in the batch's order.

    The one place the review reads a batch; it reads ``results.jsonl`` as ``extractor batch``
    writes it.
    """
    path = Path(outdir) / RESULTS_NAME
    if not path.is_file():
        raise ReviewInputError(f"{path}: no batch results here; run `extractor batch FOLDER --out {outdir}` first")
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ReviewInputError(f"{path}:{n}: not a JSON line ({e.msg}); rerun the batch") from e
    return out


def low_confidence_threshold(book: patternbook.PatternBook | None = None) -> float:
    """Figures read with less confidence than this are 'low confidence' in the review.

    The pattern book's ``review_confidence`` (0.9: anything but a statement line that ties out),
    never below ``confidence_floor`` (where the extraction itself flags the figure).
    """
    book = book or patternbook.load()
    return max(float(book.values.get("review_confidence", 0.9)), float(book.value("confidence_floor")))


def page_name(result: dict[str, Any], index: int) -> str:
    """The report's page under ``r/``: the PDF's name (ASCII) and the start of its sha256."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(str(result.get("file") or "report")).stem).strip("_")[:40]
    tail = (result.get("sha256") or "")[:8] or f"{index:05d}"
    return f"{stem or 'report'}-{tail}.html"


def anchor(target: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-")


def find_pdf(file: str | None, outdir: Path, roots: Iterable[Path] = ()) -> Path | None:
    """The report's PDF: its recorded path (as given to the batch), else under the batch folder's
    parent, else by path or by name under each of ``roots``."""
    if not file:
        return None
    rec = Path(file)
    cands = [rec, outdir.parent / rec]
    for root in roots:
        cands += [root / rec, root / rec.name]
    return next((c for c in cands if c.is_file()), None)


# --- formatting ------------------------------------------------------------------------------

def money(v: Any) -> str:
    if v is None:
        return "—"
    try:
        return f"{float(v):,.2f}"
    except (TypeError, ValueError):
        return str(v)


def ratio_text(r: dict[str, Any] | None) -> str:
    if not r or r.get("value") is None:
        return "—"
    return f"{r['value']:+.2f}"


def evidence_text(v: Any) -> str:
    """One evidence value as an auditor reads it: amounts with their page, names with their share."""
    if isinstance(v, dict):
        if "printed" in v and "page" in v:
            src = f", {v['source']}" if v.get("source") else ""
            label = f"{v['label']}: " if v.get("label") else ""
            return f"{label}{v['printed']} (page {v['page']}{src})"
        if "name" in v:
            rest = ", ".join(f"{k} {evidence_text(x)}" for k, x in v.items() if k != "name")
            return f"{v['name']} ({rest})" if rest else str(v["name"])
        return "; ".join(f"{k}: {evidence_text(x)}" for k, x in v.items())
    if isinstance(v, list):
        return "; ".join(evidence_text(x) for x in v)
    if isinstance(v, float):
        return f"{v:,.4f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.2f}"
    if v is None:
        return "—"
    return str(v)


# --- views -----------------------------------------------------------------------------------

HISTORY_SHOWN = 10  # decisions of a target listed on its report's page; the server pages the rest


@dataclass
class Decided:
    """The decisions of one target: the one in force, the last few (oldest first) and how many."""

    latest: Decision | None = None
    history: list[Decision] = field(default_factory=list)
    count: int = 0

    @property
    def older(self) -> int:
        """Decisions not listed on the page (the server shows them page by page)."""
        return self.count - len(self.history)


def decided_by_report(db: Path | None, sha256: str | None = None,
                      shown: int = HISTORY_SHOWN) -> dict[str, dict[str, Decided]]:
    """Per report (only ``sha256`` when given) and target: the decision in force, the count and the
    last ``shown`` decisions. Reads a bounded number of rows per target, never the whole history."""
    out: dict[str, dict[str, Decided]] = {}
    if db is None:
        return out
    for (sha, target), n in decisions.counts(db, sha256).items():
        out.setdefault(sha, {})[target] = Decided(count=n)
    for (sha, target), d in decisions.latest(db, sha256).items():
        out[sha][target].latest = d
    for (sha, target), ds in decisions.recent(db, shown, sha256).items():
        out[sha][target].history = ds
    return out


def _figure_crop(crops: CropMaker | None, pdf: Path | None, sha: str, fig: dict[str, Any] | None) -> Crop | None:
    if crops is None or not fig or not isinstance(fig.get("page"), int) or not fig.get("bbox"):
        return None
    return crops.crop(pdf, sha, fig["page"], [tuple(fig["bbox"])])


def report_view(result: dict[str, Any], index: int, crops: CropMaker | None, pdf: Path | None,
                decided: dict[str, Decided], threshold: float) -> dict[str, Any]:
    """Everything one report's page and overview row show, in plain values for the templates
    (without ``crops``: an overview row, no pictures and no evidence located)."""
    sha = result.get("sha256") or f"unknown-{index}"
    figures = []
    low = False
    for item in ITEMS:
        per = ((result.get("figures") or {}).get(item)) or {}
        for period in PERIODS:
            fig = per.get(period)
            target = figure_target(item, period)
            conf = fig.get("confidence") if fig else None
            is_low = conf is not None and conf < threshold
            low = low or is_low
            dec = decided.get(target, Decided())
            figures.append({
                "item": item, "period": period, "target": target, "anchor": anchor(target),
                "title": ITEM_TITLES[item], "period_title": PERIOD_TITLES[period], "fig": fig,
                "low": is_low, "crop": _figure_crop(crops, pdf, sha, fig), "decided": dec,
                "corrected": dec.latest.value if dec.latest and dec.latest.action == "corrected" else None,
            })
    loc = locate(result) if crops is not None else None
    flags = []
    for flag, target in zip(result.get("flags") or [], flag_targets(result.get("flags") or []), strict=True):
        shots = []
        if crops is not None:
            for s in flag_spots(result, flag, loc):
                c = crops.crop(pdf, sha, s.page, s.boxes)
                shots.append({"page": s.page, "labels": s.labels, "crop": c, "whole": not s.boxes})
        flags.append({"flag": flag, "target": target, "anchor": anchor(target), "spots": shots,
                      "evidence": [(k, evidence_text(v)) for k, v in (flag.get("evidence") or {}).items()],
                      "decided": decided.get(target, Decided())})
    counts = {s: 0 for s in SEVERITIES}
    for f in result.get("flags") or []:
        counts[f.get("severity", "info")] = counts.get(f.get("severity", "info"), 0) + 1
    targets = len(figures) + len(flags)
    return {
        "r": result, "index": index, "sha": sha, "pdf": pdf, "figures": figures, "flags": flags,
        "counts": counts, "low": low, "error": result.get("status") == "error",
        "flagged": any(f.get("severity") in ("high", "medium", "low") for f in result.get("flags") or []),
        "n_decided": sum(1 for d in decided.values() if d.latest), "n_targets": targets,
        "figure": {f["target"]: f for f in figures},
    }


def overview_value(view: dict[str, Any], item: str) -> tuple[float | None, bool]:
    """The current-year value shown in the overview (a correction wins) and whether it is corrected."""
    f = view["figure"][figure_target(item, "current")]
    if f["corrected"] is not None:
        return float(f["corrected"]), True
    return (f["fig"] or {}).get("value"), False


# --- rendering -------------------------------------------------------------------------------

def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("extractor.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(money=money, ratio=ratio_text, basename=lambda p: Path(str(p)).name)
    env.globals.update(overview_value=overview_value, severities=SEVERITIES, nonce=None)
    return env


@dataclass
class ReviewStats:
    reports: int
    out: Path
    crops: CropStats
    missing_pdfs: list[str]


class Review:
    """One batch's review: its results, where its pages and crops go, and how they are rendered.

    ``serving`` adds the decision forms (the server renders with it; the static files never have
    forms). ``embed`` puts crops into the pages as data URIs and writes no crop files; without
    ``store`` there are no decisions (the review of a single report).
    """

    def __init__(self, outdir: Path, out: Path | None = None, pdf_roots: Iterable[Path] = (),
                 results: list[dict[str, Any]] | None = None, embed: bool = False, store: bool = True) -> None:
        self.outdir = Path(outdir)
        self.out = Path(out) if out else self.outdir / "review"
        self.results = load_results(self.outdir) if results is None else results
        self.db: Path | None = self.outdir / decisions.STORE_NAME if store else None
        self.roots = tuple(Path(p) for p in pdf_roots)
        self.crops = CropMaker(self.out, embed=embed)
        self.threshold = low_confidence_threshold()
        self.names = [page_name(r, i) for i, r in enumerate(self.results)]
        self.by_sha = {r.get("sha256"): i for i, r in enumerate(self.results) if r.get("sha256")}
        self.env = environment()
        self.missing: list[str] = []

    def view(self, i: int, decided: dict[str, dict[str, Decided]] | None = None) -> dict[str, Any]:
        r = self.results[i]
        decided = decided_by_report(self.db, r.get("sha256") or "") if decided is None else decided
        pdf = find_pdf(r.get("file"), self.outdir, self.roots) if r.get("status") != "error" else None
        if pdf is None and r.get("status") != "error":
            self.missing.append(f"{r.get('file')}: PDF not found, its page shows no crops "
                                f"(pass --pdf-root FOLDER where the batch's PDFs are)")
        try:
            v = report_view(r, i, self.crops, pdf, decided.get(r.get("sha256") or "", {}), self.threshold)
        finally:
            self.crops.close()
        v["name"] = self.names[i]
        return v

    def render_report(self, v: dict[str, Any], serving: bool = False, errors: dict[str, str] | None = None,
                      typed: dict[str, dict[str, str]] | None = None, root: str = "../",
                      saved: str | None = None, token: str = "", beyond: Iterable[str] = (),
                      nonce: str | None = None) -> str:
        """One report's page; ``serving`` adds the forms (carrying the server's ``token``), ``errors``
        and ``typed`` what a refused form said and held, ``beyond`` the targets whose value was refused
        for the plausibility bounds (their form offers to record it anyway), ``nonce`` the CSP nonce
        of the page's style and script."""
        i = v["index"]
        targets = {f["target"] for f in v["figures"]} | {f["target"] for f in v["flags"]}
        stray = [f"{t}: {msg}" for t, msg in (errors or {}).items() if t not in targets]
        nav = {"prev": self.names[i - 1] if i > 0 else None,
               "next": self.names[i + 1] if i + 1 < len(self.names) else None}
        return self.env.get_template("report.html").render(
            v=v, serving=serving, errors=errors or {}, typed=typed or {}, nav=nav, root=root, saved=saved, stray=stray,
            threshold=self.threshold, embed=self.crops.embed, token=token, beyond=set(beyond), nonce=nonce)

    def render_index(self, views: list[dict[str, Any]], serving: bool = False, nonce: str | None = None) -> str:
        return self.env.get_template("index.html").render(
            views=views, serving=serving, threshold=self.threshold, outdir=str(self.outdir),
            total_decided=sum(v["n_decided"] for v in views), nonce=nonce)

    def render_history(self, i: int, target: str, page: list[Decision], count: int, older: int | None,
                       nonce: str | None = None) -> str:
        """One page of a target's decisions, newest first, with a link to the next older page."""
        return self.env.get_template("history.html").render(
            r=self.results[i], name=self.names[i], target=target, page=page, count=count, older=older, nonce=nonce)

    def render_message(self, status: int, title: str, message: str, nonce: str | None = None) -> str:
        """A page that only says something: an error, a refusal (the server's 4xx pages)."""
        return self.env.get_template("message.html").render(status=status, title=title, message=message, nonce=nonce)

    def write(self, progress: Callable[[int, int], None] | None = None, jobs: int = 1) -> ReviewStats:
        """Write index.html, one page per report and the crops they need into ``self.out``
        (report pages and their crops in ``jobs`` processes)."""
        (self.out / "r").mkdir(parents=True, exist_ok=True)
        decided = decided_by_report(self.db)
        views = []
        n = len(self.results)
        if jobs > 1 and n > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(self, decided)) as pool:
                for i, (slim, stats, missing) in enumerate(pool.map(_write_page, range(n), chunksize=4)):
                    views.append(slim)
                    self.crops.stats.rendered += stats.rendered
                    self.crops.stats.reused += stats.reused
                    self.crops.stats.failed += stats.failed
                    self.missing += missing
                    if progress:
                        progress(i + 1, n)
        else:
            for i in range(n):
                views.append(self.write_page(i, decided))
                if progress:
                    progress(i + 1, n)
        _write(self.out / "index.html", self.render_index(views))
        self.write_decisions(decided)
        return ReviewStats(n, self.out, self.crops.stats, self.missing)

    def write_decisions(self, decided: dict[str, dict[str, Decided]]) -> None:
        """``decisions.csv``: the decision in force per figure and flag, beside what was extracted."""
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(DECISION_COLUMNS)
        for r in self.results:
            per = decided.get(r.get("sha256") or "", {})
            flags = dict(zip(flag_targets(r.get("flags") or []), r.get("flags") or [], strict=True))
            for target in sorted(per):
                d = per[target].latest
                if d is None:
                    continue
                fig: dict[str, Any] = {}
                if target.startswith("figure:"):
                    item, _, period = target[len("figure:"):].partition(".")
                    fig = ((r.get("figures") or {}).get(item) or {}).get(period) or {}
                extracted = fig.get("value") if fig else (flags.get(target) or {}).get("message")
                w.writerow([r.get("file"), (r.get("company") or {}).get("name"), (r.get("company") or {}).get("code"),
                            r.get("fiscal_year"), r.get("sha256"), target, d.action,
                            "" if extracted is None else extracted, fig.get("printed", ""), fig.get("page", ""),
                            "" if d.value is None else str(d.value), d.comment, d.reviewer or "", d.decided_at,
                            per[target].count])
        _write(self.out / "decisions.csv", buf.getvalue())

    def write_page(self, i: int, decided: dict[str, dict[str, Decided]]) -> dict[str, Any]:
        v = self.view(i, decided)
        _write(self.out / "r" / v["name"], self.render_report(v))
        return _slim(v)

    def __getstate__(self) -> dict[str, Any]:  # sent to worker processes without the template cache
        state = dict(self.__dict__)
        del state["env"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.env = environment()

    def write_one(self, i: int) -> None:
        """Rewrite one report's page and the overview after a decision (the server calls it): the
        decisions in force and their counts for the overview and decisions.csv, the last few
        decisions of this report only."""
        v = self.view(i)
        _write(self.out / "r" / v["name"], self.render_report(v))
        decided = decided_by_report(self.db, shown=0)
        _write(self.out / "index.html", self.render_index(self.overview(decided)))
        self.write_decisions(decided)

    def overview(self, decided: dict[str, dict[str, Decided]] | None = None) -> list[dict[str, Any]]:
        """The overview rows without making crops (they exist once the folder has been written)."""
        decided = decided_by_report(self.db, shown=0) if decided is None else decided
        rows = []
        for i, r in enumerate(self.results):
            v = report_view(r, i, None, None, decided.get(r.get("sha256") or "", {}), self.threshold)
            v["name"] = self.names[i]
            rows.append(_slim(v))
        return rows


_worker: tuple[Review, dict[str, dict[str, Decided]]] | None = None


def _start_worker(review: Review, decided: dict[str, dict[str, Decided]]) -> None:
    global _worker
    _worker = (review, decided)


def _write_page(i: int) -> tuple[dict[str, Any], CropStats, list[str]]:
    assert _worker is not None
    review, decided = _worker
    before = CropStats(review.crops.stats.rendered, review.crops.stats.reused, list(review.crops.stats.failed))
    n_missing = len(review.missing)
    slim = review.write_page(i, decided)
    s = review.crops.stats
    delta = CropStats(s.rendered - before.rendered, s.reused - before.reused, s.failed[len(before.failed):])
    return slim, delta, review.missing[n_missing:]


def _slim(v: dict[str, Any]) -> dict[str, Any]:
    """An overview row keeps only what the row shows (1000 full views would hold every crop)."""
    keep = ("r", "index", "sha", "counts", "low", "error", "flagged", "n_decided", "n_targets", "figure", "name")
    return {k: v[k] for k in keep}


def _write(path: Path, text: str) -> None:
    with replacing(path) as tmp:  # unique per process: two reviews at once never share a temporary file
        tmp.write_text(text, encoding="utf-8")


def build_review(outdir: Path, out: Path | None = None, pdf_roots: Iterable[Path] = (),
                 progress: Callable[[int, int], None] | None = None, jobs: int = 1) -> ReviewStats:
    """Write the static review of the batch in ``outdir`` (default into ``outdir/review``)."""
    return Review(outdir, out, pdf_roots).write(progress, jobs)


def write_single(result: dict[str, Any], out_html: Path, pdf: Path | None = None,
                 patterns: tuple[str, ...] = (), seconds: float | None = None) -> CropStats:
    """The review of one report as one HTML file with its crops embedded (no decisions store);
    ``patterns``: the pattern folders the report was read with (their drawing limits apply);
    ``seconds``: the time drawing its crops may take in all (the report's --timeout): crops not
    drawn by then are placeholders that say so."""
    out_html = Path(out_html)
    review = Review(out_html.parent, out_html.parent, results=[result], embed=True, store=False)
    draw = DrawLimits.from_book(patternbook.load(patterns))
    if seconds:
        draw = replace(draw, until=time.monotonic() + seconds, why_until=f"the review was given --timeout {seconds:g} s")
    review.crops.draw = draw
    if pdf is not None:
        review.roots = (pdf.parent,)
    v = review.view(0, {})
    v["name"] = out_html.name
    out_html.parent.mkdir(parents=True, exist_ok=True)
    _write(out_html, review.render_report(v, root=""))
    return review.crops.stats
