"""The review report's HTML: every report listed, flags with crops that exist, decisions shown,
crops made once, the review server recording decisions and refusing bad ones."""

from __future__ import annotations

import csv
import http.client
import json
import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.corpus import decisions
from extractor.report.review import Review, ReviewInputError, build_review, load_results
from extractor.report.server import ReviewServer
from extractor.report.spots import flag_spots

from .conftest import SAMPLES
from .reviewhttp import get, post, running


def fresh(batch: Path, tmp_path: Path) -> Path:
    """A copy of the session's batch results, so that decisions recorded here stay here."""
    out = tmp_path / "batch"
    out.mkdir()
    shutil.copy(batch / "results.jsonl", out / "results.jsonl")
    return out


@pytest.fixture(scope="module")
def built(review_batch: Path, review_site: Path) -> tuple[Path, list[dict]]:
    return review_site, load_results(review_batch)


def page_of(out: Path, result: dict) -> str:
    index = (out / "index.html").read_text(encoding="utf-8")
    stem = Path(result["file"]).stem
    m = re.search(rf'href="(r/{re.escape(stem)}-[0-9a-f]+\.html)"', index)
    assert m, f"{stem} not linked from the overview"
    return (out / m.group(1)).read_text(encoding="utf-8")


def img_srcs(html: str) -> list[str]:
    return re.findall(r'<img class="crop" src="([^"]+)"', html)


def test_overview_lists_every_report_with_its_figures(built: tuple[Path, list[dict]]) -> None:
    out, results = built
    index = unescape((out / "index.html").read_text(encoding="utf-8"))
    assert len(results) == 9
    assert index.count("<tr data-flagged=") == len(results)
    for r in results:
        assert Path(r["file"]).stem in index
        if r["status"] != "error":
            assert r["company"]["name"] in index
            rev = r["figures"]["revenue"]["current"]["value"]
            assert f"{rev:,.2f}" in index


def test_flagged_report_page_shows_flags_with_crops_on_disk(built: tuple[Path, list[dict]]) -> None:
    out, results = built
    r = next(r for r in results if any(f["id"] == "undisclosed_related_customer" for f in r["flags"]))
    html = unescape(page_of(out, r))
    for f in r["flags"]:
        assert f["message"] in html
    flag_part = html[html.index('id="flags"'):html.index('id="figures"')]
    srcs = img_srcs(flag_part)
    assert len(srcs) >= 2  # the customer's row in the top five and the related party's row
    for src in img_srcs(html):
        assert (out / "r" / src).resolve().is_file(), src
    assert 'loading="lazy"' in html
    assert r["company"]["name"] in html


def test_error_report_shows_code_and_message(built: tuple[Path, list[dict]]) -> None:
    out, results = built
    r = next(r for r in results if r["status"] == "error")
    html = unescape(page_of(out, r))
    assert r["error"]["code"] == "not_a_pdf"
    assert r["error"]["code"] in html and r["error"]["message"] in html
    assert img_srcs(html) == []


def test_low_confidence_figures_are_marked(built: tuple[Path, list[dict]]) -> None:
    out, results = built
    index = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr data-flagged="(\d)" data-low="(\d)" data-error="(\d)"\s+data-q="([^"]*)"', index)
    low = {Path(q.split()[-1]).stem for _, lo, _, q in rows if lo == "1"}
    expect = {Path(r["file"]).stem for r in results
              if any(f and f["confidence"] < 0.9 for per in r["figures"].values() for f in per.values())}
    assert low == expect and "s04_ashare2016_reportlab" in low
    errors = {Path(q.split()[-1]).stem for _, _, er, q in rows if er == "1"}
    assert errors == {"s99_broken"}


def test_every_figure_has_a_crop_with_its_row(built: tuple[Path, list[dict]]) -> None:
    out, results = built
    r = next(r for r in results if r["file"].endswith("s01_bse_reportlab.pdf"))
    html = unescape(page_of(out, r))
    figures = html[html.index('id="figures"'):]
    assert len(img_srcs(figures)) == sum(1 for per in r["figures"].values() for f in per.values() if f)
    for item in ("330,160,487.90", "21,370,659.13", "15,870,743.92", "zh-Hans/selling_expense#1", "notes_total"):
        assert item in figures


def test_crops_are_made_once(review_batch: Path, tmp_path: Path) -> None:
    first = build_review(review_batch, tmp_path / "review")
    assert first.crops.rendered > 0 and not first.crops.failed and not first.missing_pdfs
    pngs = sorted((tmp_path / "review" / "crops").rglob("*.png"))
    assert len(pngs) == first.crops.rendered
    pages = {p.name: p.read_text("utf-8") for p in (tmp_path / "review" / "r").glob("*.html")}
    second = build_review(review_batch, tmp_path / "review", jobs=2)  # in worker processes: same files
    assert second.crops.rendered == 0
    assert second.crops.reused == first.crops.rendered + first.crops.reused
    assert sorted((tmp_path / "review" / "crops").rglob("*.png")) == pngs
    assert {p.name: p.read_text("utf-8") for p in (tmp_path / "review" / "r").glob("*.html")} == pages


def test_moved_pdfs_are_found_with_pdf_root(review_batch: Path, tmp_path: Path) -> None:
    results = [dict(r, file="/gone/" + Path(r["file"]).name) for r in load_results(review_batch)[:2]]
    rv = Review(review_batch, tmp_path / "a", results=results)
    rv.write()
    assert len(rv.missing) == 2 and "--pdf-root" in rv.missing[0]
    assert "was not found, so no crops are shown" in (tmp_path / "a" / "r" / rv.names[0]).read_text("utf-8")
    rv = Review(review_batch, tmp_path / "b", pdf_roots=[SAMPLES], results=results)
    stats = rv.write()
    assert not rv.missing and stats.crops.rendered > 0


def test_no_results_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReviewInputError, match="extractor batch FOLDER --out"):
        load_results(tmp_path)
    res = CliRunner().invoke(main, ["review", str(tmp_path)])
    assert res.exit_code == 1 and "no batch results here" in res.output


def test_static_report_shows_decisions_read_only(review_batch: Path, tmp_path: Path) -> None:
    batch = fresh(review_batch, tmp_path)
    r = next(r for r in load_results(batch) if r["file"].endswith("s01_bse_reportlab.pdf"))
    db = batch / decisions.STORE_NAME
    decisions.record(db, r["sha256"], "figure:revenue.current", "confirmed", comment="ties out")
    decisions.record(db, r["sha256"], "figure:revenue.current", "corrected", "330160000", comment="per audit",
                     reviewer="wang")
    decisions.record(db, r["sha256"], "flag:customer_concentration#0", "rejected", comment="distributor model")
    build_review(batch, tmp_path / "review")
    html = unescape(page_of(tmp_path / "review", r))
    assert "330,160,000.00" in html and "per audit" in html and "wang" in html
    assert "2 decisions (history)" in html and "ties out" in html
    assert "distributor model" in html
    assert "<form" not in html
    with (tmp_path / "review" / "decisions.csv").open(encoding="utf-8", newline="") as f:
        rows = {row["target"]: row for row in csv.DictReader(f)}
    fig = rows["figure:revenue.current"]
    assert (fig["action"], fig["extracted"], fig["extracted_printed"], fig["corrected_value"], fig["decisions"]) == (
        "corrected", "330160487.9", "330,160,487.90", "330160000", "2")
    assert rows["flag:customer_concentration#0"]["action"] == "rejected"
    index = unescape((tmp_path / "review" / "index.html").read_text("utf-8"))
    assert "✎ 330,160,000.00" in index and "2 of the figures and flags decided" in index


@pytest.mark.parametrize(("sample", "flag_id", "pages", "boxed"), [
    ("s01_bse_reportlab", "undisclosed_related_customer", [6, 19], [6, 19]),
    ("s01_bse_reportlab", "customer_concentration", [6], [6]),
    ("s03_hk_chromium", "cash_revenue_divergence", [7, 9], [7, 9]),
    ("s03_hk_chromium", "receivables_outpace_revenue", [7, 8], [7, 8]),
    ("s04_ashare2016_reportlab", "related_party_sales_share", [12, 18], [12, 18]),
    ("s05_combined_libreoffice", "top5_customers_anonymised", [5], []),
], ids=["undisclosed-customer-and-party", "concentration-five-rows", "cash-vs-revenue", "receivables",
        "related-sales-rows", "anonymised-page-only"])
def test_flag_evidence_is_located(review_batch: Path, sample: str, flag_id: str, pages: list[int],
                                  boxed: list[int]) -> None:
    r = next(r for r in load_results(review_batch) if Path(r["file"]).stem == sample)
    flag = next(f for f in r["flags"] if f["id"] == flag_id)
    spots = flag_spots(r, flag)
    assert [s.page for s in spots] == pages
    assert [s.page for s in spots if s.boxes] == boxed


def test_concentration_highlights_each_top_five_row(review_batch: Path) -> None:
    r = next(r for r in load_results(review_batch) if Path(r["file"]).stem == "s01_bse_reportlab")
    flag = next(f for f in r["flags"] if f["id"] == "customer_concentration")
    (spot,) = flag_spots(r, flag)
    rows = [tuple(c["bbox"]) for c in r["parties"]["top5"]["customers"]]
    assert spot.boxes == rows


def test_single_report_review_is_one_file(tmp_path: Path) -> None:
    out = tmp_path / "s01.html"
    res = CliRunner().invoke(main, ["extract", str(SAMPLES / "s01_bse_reportlab.pdf"), "--review", str(out)])
    assert res.exit_code == 0, res.output
    html = unescape(out.read_text("utf-8"))
    srcs = img_srcs(html)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "undisclosed_related_customer" in html and "广州市联创化工股份有限公司" in html
    assert list(tmp_path.iterdir()) == [out]


# --- the server, over HTTP without a browser -------------------------------------------------

@pytest.fixture
def server(review_batch: Path, built: tuple[Path, list[dict]], tmp_path: Path) -> Iterator[ReviewServer]:
    shutil.copytree(built[0], tmp_path / "review")  # its crops: made once for the module
    rv = Review(fresh(review_batch, tmp_path), tmp_path / "review")
    rv.write()
    with running(rv) as srv:
        yield srv


@pytest.mark.parametrize(("fields", "words"), [
    ({"target": "figure:revenue.current", "action": "corrected", "value": "12x"}, "is not a number"),
    ({"target": "figure:revenue.current", "action": "corrected", "value": ""}, "needs the corrected value"),
    ({"target": "figure:revenue.current", "action": ""}, "choose confirm, reject or correct"),
    ({"target": "flag:customer_concentration#0", "action": "corrected", "value": "1"}, "only figures"),
    ({"target": "flag:cash_revenue_divergence#0", "action": "confirmed"}, "has no flag"),
], ids=["not-a-number", "no-value", "no-action", "flag-corrected", "flag-not-in-report"])
def test_server_refuses_bad_decisions_in_the_page(server: ReviewServer, fields: dict[str, str],
                                                  words: str) -> None:
    r = next(r for r in server.review.results if r["file"].endswith("s01_bse_reportlab.pdf"))
    status, _, html = post(server, {"sha256": r["sha256"], "comment": "kept text", **fields})
    assert status == 400
    assert words in html and 'role="alert"' in html
    if f'value="{fields["target"]}"' in html:  # a target of this page: what was typed is still in its form
        assert 'value="kept text"' in html
    assert decisions.history(server.review.db) == []


def test_server_records_and_rewrites_the_static_page(server: ReviewServer) -> None:
    rv = server.review
    i, r = next((i, r) for i, r in enumerate(rv.results) if r["file"].endswith("s03_hk_chromium.pdf"))
    status, location, _ = post(server, {"sha256": r["sha256"], "target": "flag:cash_revenue_divergence#0",
                                        "action": "confirmed", "comment": "cash lags billing", "reviewer": "li"})
    assert status == 303 and location.startswith(f"/r/{rv.names[i]}?saved=")
    d = decisions.latest(rv.db)[(r["sha256"], "flag:cash_revenue_divergence#0")]
    assert (d.action, d.comment, d.reviewer) == ("confirmed", "cash lags billing", "li")
    page = unescape((rv.out / "r" / rv.names[i]).read_text("utf-8"))
    assert "cash lags billing" in page and "<form" not in page
    status, _, served = get(server, location)
    assert status == 200 and "cash lags billing" in served and '<form class="decide"' in served
    assert "recorded: flag:cash_revenue_divergence#0 confirmed" in served


def test_server_refuses_other_origins(server: ReviewServer) -> None:
    r = server.review.results[0]
    status, _, _ = post(server, {"sha256": r["sha256"], "target": "figure:revenue.current",
                                 "action": "confirmed"}, Origin="http://evil.example")
    assert status == 403 and decisions.history(server.review.db) == []


def test_server_serves_crops_and_nothing_outside(server: ReviewServer) -> None:
    status, _, page = get(server, "/r/" + server.review.names[0])
    assert status == 200
    src = img_srcs(page)[0]
    assert src.startswith("/crops/")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", src, headers={"Cookie": f"{server.app.cookie}={server.token}"})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type") == "image/png"
    assert resp.read()[:8] == b"\x89PNG\r\n\x1a\n"
    conn.close()
    for bad in ("/crops/../index.html", "/crops/%2e%2e/results.jsonl", "/results.jsonl", "/review/index.html"):
        assert get(server, bad)[0] == 404, bad
    assert get(server, src, cookie=False)[0] == 403  # the crops show the reports: the token is needed too


def test_results_file_lines_are_checked(tmp_path: Path) -> None:
    (tmp_path / "results.jsonl").write_text(json.dumps({"file": "a.pdf"}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(ReviewInputError, match=r"results.jsonl:2: not a JSON line"):
        load_results(tmp_path)
