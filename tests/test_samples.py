"""The committed samples: they match a fresh regeneration, and each truth file agrees with its PDF and
with itself (printed figures on the stated pages, notes totals equal the statement, flags follow from
the disclosed numbers)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "scripts"))

pymupdf = pytest.importorskip("pymupdf")
samplegen_variants = pytest.importorskip("samplegen.variants")
from samplegen import pipeline
from samplegen.data import ZERO, generate
from samplegen.truth import THRESHOLDS, normalise_name

from extractor import extract_report, patternbook
from extractor.read.document import open_document
from extractor.statement.locate import locate
from extractor.statement.table import read_statement

FIXED = samplegen_variants.fixed_set()
STEMS = [s for s, _, _ in FIXED]
TRUTHS = {s: json.loads((SAMPLES / f"{s}.truth.json").read_text(encoding="utf-8"))
          for s in STEMS if (SAMPLES / f"{s}.truth.json").exists()}


def page_texts(pdf: Path) -> list[str]:
    with pymupdf.open(pdf) as d:
        return [p.get_text() for p in d]


def compact(s: str) -> str:
    return "".join(s.split())


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("regen")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--out", str(out)],
                   check=False, capture_output=True, text=True, timeout=300)
    return out


def test_every_fixed_sample_is_committed() -> None:
    missing = [s for s in STEMS if not (SAMPLES / f"{s}.pdf").exists() or s not in TRUTHS]
    assert not missing, f"run `python scripts/make_samples.py --out samples`; missing {missing}"


def test_samples_size_budget() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.glob("*") if p.is_file())
    assert total <= 5 * 1024 * 1024


def statement_reading(pdf: Path) -> list[tuple[str, int, str, tuple[str, ...]]]:
    """What the extractor reads from a sample's statements: for every candidate statement region,
    each row that carries amounts as (title, 1-based page, label, printed amounts). Spacing, word order
    within a line and leader dots elsewhere do not enter; a changed label, amount or page does."""
    book = patternbook.load(())
    doc = open_document(pdf)
    out = []
    for region in locate(doc, book).regions[:4]:
        read = read_statement(region, book)
        for row in read.rows if read else []:
            if row.has_amounts:
                cells = tuple(compact(row.cell_text(i) or "") for i in range(len(row.layout.columns)))
                out.append((region.title_line.compact, row.page + 1, compact(row.label), cells))
    return out


def reading_differences(fresh: Path, committed: Path) -> list[str]:
    """Rows the extractor reads differently in ``fresh`` than in ``committed`` (empty when equal)."""
    a, b = statement_reading(fresh), statement_reading(committed)
    if a == b:
        return []
    only_fresh = [r for r in a if r not in b]
    only_committed = [r for r in b if r not in a]
    return ([f"only in the regenerated PDF: {r}" for r in only_fresh]
            + [f"only in the committed PDF: {r}" for r in only_committed]
            or ["same rows in another order"])


def figure_differences(pdf: Path, truth: dict) -> list[str]:
    """Figures the extractor reads from ``pdf`` that disagree with the truth file (value or page)."""
    got = extract_report(pdf).to_json()["figures"]
    out = []
    for item, periods in truth["figures"].items():
        for per, want in periods.items():
            f = got[item][per]
            if f is None or Decimal(str(f["value"])) != Decimal(want["value"]) or f["page"] != want["page"]:
                out.append(f"{item}.{per}: read {f and (f['value'], f['page'])}, truth {(want['value'], want['page'])}")
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_committed_sample_matches_regeneration(stem: str, regenerated: Path) -> None:
    """A regeneration equals the committed sample in what the samples are for: the truth the generator
    records, the statement text the extractor reads, and the figures read from it. Layout details that
    another build of Chromium or LibreOffice renders differently (leader dots, spacing, word order outside
    the statement) are not compared: the committed samples must not depend on the build that made them."""
    producer = next(v.producer for s, _, v in FIXED if s == stem)
    reason = pipeline.unavailable_reason(producer)
    if reason:
        pytest.skip(f"producer {producer} unavailable: {reason}")
    fresh_truth = regenerated / f"{stem}.truth.json"
    assert fresh_truth.exists(), f"{stem} was not regenerated"
    assert json.loads(fresh_truth.read_text(encoding="utf-8")) == TRUTHS[stem]
    fresh = regenerated / f"{stem}.pdf"
    assert reading_differences(fresh, SAMPLES / f"{stem}.pdf") == []
    assert figure_differences(fresh, TRUTHS[stem]) == []


def _replace_text(src: Path, dst: Path, page: int, old: str, new: str) -> None:
    """Copy ``src`` to ``dst`` with ``old`` on 1-based ``page`` overprinted by ``new``."""
    with pymupdf.open(src) as d:
        p = d[page - 1]
        hits = p.search_for(old)
        assert hits, f"{old!r} not on page {page}"
        for r in hits:
            p.add_redact_annot(r)
        p.apply_redactions()
        for r in hits:
            p.insert_text((r.x0, r.y1 - 1.5), new, fontsize=r.height * 0.8, fontname="helv")
        d.save(dst)


@pytest.mark.parametrize(("change", "words"), [
    ("amount", "only in the regenerated PDF"),
    ("label", "only in the regenerated PDF"),
], ids=["changed-amount", "changed-label"])
def test_regeneration_check_fails_when_statement_text_changes(tmp_path: Path, change: str, words: str) -> None:
    """The comparison is not vacuous: a sample whose statement shows another selling expense (or an
    English label where the Chinese one stood) fails it, with the row named."""
    stem = "s01_bse_reportlab"
    truth = TRUTHS[stem]
    fig = truth["figures"]["selling_expense"]["current"]
    changed = tmp_path / f"{stem}.pdf"
    if change == "amount":
        _replace_text(SAMPLES / f"{stem}.pdf", changed, fig["page"], fig["printed"], "9,999,999.99")
    else:
        _replace_text(SAMPLES / f"{stem}.pdf", changed, fig["page"], "税金及附加", "Taxes")
    diffs = reading_differences(changed, SAMPLES / f"{stem}.pdf")
    assert diffs and words in diffs[0]
    if change == "amount":
        assert any("9,999,999.99" in d for d in diffs)
        assert figure_differences(changed, truth) == [
            f"selling_expense.current: read (9999999.99, {fig['page']}), truth ({fig['value']!r}, {fig['page']})"]


def test_regeneration_check_fails_when_truth_changes(tmp_path: Path) -> None:
    stem = "s01_bse_reportlab"
    truth = json.loads(json.dumps(TRUTHS[stem]))
    truth["figures"]["revenue"]["prior"]["value"] = str(Decimal(truth["figures"]["revenue"]["prior"]["value"]) + 1)
    assert [d.split(":")[0] for d in figure_differences(SAMPLES / f"{stem}.pdf", truth)] == ["revenue.prior"]


def parse_printed(printed: str, multiplier: int) -> Decimal:
    s = printed.strip()
    if s in ("", "-", "—", "–"):
        return ZERO
    neg = s.startswith(("(", "-"))
    x = Decimal(re.sub(r"[^\d.]", "", s)) * multiplier
    return -x if neg else x


@pytest.mark.parametrize("stem", STEMS)
def test_truth_figures_are_printed_on_their_pages(stem: str) -> None:
    t = TRUTHS[stem]
    texts = page_texts(SAMPLES / t["file"])
    mult = t["variant"]["multiplier"]
    assert t["statement"]["pages"] == sorted(t["statement"]["pages"])
    assert compact(t["statement"]["title"]) in compact(texts[t["statement"]["pages"][0] - 1])
    for item, periods in t["figures"].items():
        for per, f in periods.items():
            assert compact(f["printed"]) in compact(texts[f["page"] - 1]), (item, per)
            assert abs(parse_printed(f["printed"], mult)) == Decimal(f["value"]), (item, per)
            if f["source"] == "income_statement":
                assert f["page"] in t["statement"]["pages"]
    rnd_source = t["figures"]["rnd_expense"]["current"]["source"]
    assert rnd_source == ("income_statement" if t["variant"]["rnd_line"] else "notes")


@pytest.mark.parametrize("stem", STEMS)
def test_truth_is_internally_consistent(stem: str) -> None:
    t = TRUTHS[stem]
    seed, v = next((seed, v) for s, seed, v in FIXED if s == stem)
    d = generate(seed, v)
    # Notes breakdowns add up to the statement lines (and, for pre-2018 reports, hold the R&D figure).
    for key, stmt in (("selling", "selling"), ("admin", "admin"), ("rnd", "rnd")):
        for i in (0, 1):
            assert sum((p[i] for _, p in d.notes[key]), ZERO) == d.inc[stmt][i], key
    fig = {k: Decimal(t["figures"][k]["current"]["value"]) for k in t["figures"]}
    assert fig["revenue"] == d.inc["revenue"][0]
    assert fig["selling_expense"] == d.inc["selling"][0]
    if t["rnd_investment"]:
        r = t["rnd_investment"]["current"]
        assert Decimal(r["total"]) == Decimal(r["capitalised"]) + Decimal(r["expensed"])
        assert Decimal(r["expensed"]) == fig["rnd_expense"]
    ex = t["extras"]
    rev_c = fig["revenue"]
    rev_p = Decimal(t["figures"]["revenue"]["prior"]["value"])
    top = sum((Decimal(c["amount"]) for c in ex["top5"]["customers"]), ZERO)
    assert f"{top / rev_c:.4f}" == ex["top5"]["total_share"]
    # Flags follow from the disclosed numbers under the contract's default thresholds.
    g_rev = (rev_c - rev_p) / rev_p
    cash = ex["cash_from_sales"]
    ar = ex["receivables"]
    g_ar = (Decimal(ar["current"]) - Decimal(ar["prior"])) / Decimal(ar["prior"])
    related = {normalise_name(p["name"]) for p in ex["related_parties"]}
    expect = []
    if any(not c["related"] and normalise_name(c["name"]) in related for c in ex["top5"]["customers"]):
        expect.append("undisclosed_related_customer")
    if g_rev >= Decimal("0.3") and Decimal(cash["current"]) < Decimal(cash["prior"]):
        expect.append("cash_revenue_divergence")
    if g_ar - g_rev >= Decimal(str(THRESHOLDS["receivables_pp"])):
        expect.append("receivables_outpace_revenue")
    if top / rev_c >= Decimal("0.7"):
        expect.append("customer_concentration")
    if Decimal(ex["related_sales"]["current"]) / rev_c >= Decimal("0.2"):
        expect.append("related_party_sales_share")
    assert t["flags"] == expect
    assert sorted(t["flags"]) == sorted(v.flags)


@pytest.mark.parametrize("stem", STEMS)
def test_extras_pages_hold_their_tables(stem: str) -> None:
    t = TRUTHS[stem]
    texts = [compact(x) for x in page_texts(SAMPLES / t["file"])]
    ex = t["extras"]
    assert any(c["name"].replace(" ", "")[:4] in texts[ex["top5"]["page"] - 1]
               or c["name"].replace(" ", "")[:4] in texts[ex["top5"]["page"] - 2] for c in ex["top5"]["customers"])
    for key, words in (("cash_from_sales", ("销售商品", "已收客戶現金", "Cashreceivedfromcustomers")),
                       ("receivables", ("应收账款", "貿易應收款項", "Tradereceivables"))):
        assert any(w in texts[ex[key]["page"] - 1] for w in words), key
