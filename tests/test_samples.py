"""The committed samples: they match a fresh regeneration in what they are for (the generator's truth;
the figures the extractor reads, value and page, and the flags it raises), they embed only the fonts
their producer names, and each truth file agrees with its PDF and with itself (printed figures on the
stated pages, notes totals equal the statement, flags follow from the disclosed numbers)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "scripts"))

pymupdf = pytest.importorskip("pymupdf")
samplegen_variants = pytest.importorskip("samplegen.variants")
from samplegen import fonts, pipeline
from samplegen.data import ZERO, generate
from samplegen.fonts import unexpected_fonts
from samplegen.truth import THRESHOLDS, normalise_name

from extractor import extract_report

FIXED = samplegen_variants.fixed_set()
STEMS = [s for s, _, _ in FIXED]
TRUTHS = {s: json.loads((SAMPLES / f"{s}.truth.json").read_text(encoding="utf-8"))
          for s in STEMS if (SAMPLES / f"{s}.truth.json").exists()}


def page_texts(pdf: Path) -> list[str]:
    with pymupdf.open(pdf) as d:
        return [p.get_text() for p in d]


def compact(s: str) -> str:
    return "".join(s.split())


@dataclass(frozen=True)
class Regeneration:
    out: Path
    log: str  # make_samples' output: why a sample was skipped or failed


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Regeneration:
    out = tmp_path_factory.mktemp("regen")
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--out", str(out)],
                       check=False, capture_output=True, text=True, timeout=300)
    return Regeneration(out, p.stdout + p.stderr)


def test_every_fixed_sample_is_committed() -> None:
    missing = [s for s in STEMS if not (SAMPLES / f"{s}.pdf").exists() or s not in TRUTHS]
    assert not missing, f"run `python scripts/make_samples.py --out samples`; missing {missing}"


def test_samples_size_budget() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.glob("*") if p.is_file())
    assert total <= 5 * 1024 * 1024


def amount(value: object) -> str:
    """A value as plain digits without trailing zeros: "330160487.9" for 330160487.90 or "330160487.90"."""
    return f"{Decimal(str(value)).normalize():f}"


def reported_figures(pdf: Path) -> dict[str, object]:
    """What the extractor reports from ``pdf``, as far as the samples exist to test it: the value and
    1-based page of every figure in the result (statement lines, cash from customers, receivables,
    the top-five customers' amounts, ...), keyed by where the figure sits in the result, and the ids
    of the flags raised. Labels, text as printed, boxes and confidences are left out: they follow the
    fonts and the renderer's line breaking, not the sample's content."""
    out: dict[str, object] = {}

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("value"), (int, float)) and isinstance(node.get("page"), int):
                out[path] = (amount(node["value"]), node["page"])
                return
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")

    result = extract_report(pdf).to_json()
    for key in ("figures", "parties", "cash_from_sales", "receivables"):
        walk(result[key], key)
    out["flags"] = sorted(f["id"] for f in result["flags"])
    return out


def figure_changes(fresh: Path, committed: Path) -> list[str]:
    """Figures the extractor reports differently from ``fresh`` than from ``committed`` (empty when the
    two agree): a changed value or page, a figure found in one only, another set of flags."""
    a, b = reported_figures(fresh), reported_figures(committed)
    return [f"{k}: committed {b.get(k)}, regenerated {a.get(k)}" for k in sorted(a.keys() | b.keys())
            if a.get(k) != b.get(k)]


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
def test_committed_sample_matches_regeneration(stem: str, regenerated: Regeneration) -> None:
    """A regeneration equals the committed sample in what the samples are for: the truth the generator
    records, and the figures the extractor reads (value and page) and the flags it raises. How the text
    is set (ligatures, where a long label wraps, leader dots) is not compared: it is the renderer's and
    the fonts' business, and fonts.py keeps the fonts fixed."""
    producer = next(v.producer for s, _, v in FIXED if s == stem)
    reason = pipeline.unavailable_reason(producer)
    if reason:
        pytest.skip(f"producer {producer} unavailable: {reason}")
    fresh_truth = regenerated.out / f"{stem}.truth.json"
    assert fresh_truth.exists(), f"{stem} was not regenerated:\n{regenerated.log}"
    assert json.loads(fresh_truth.read_text(encoding="utf-8")) == TRUTHS[stem]
    fresh = regenerated.out / f"{stem}.pdf"
    assert figure_changes(fresh, SAMPLES / f"{stem}.pdf") == []
    assert figure_differences(fresh, TRUTHS[stem]) == []


def _replace_text(src: Path, dst: Path, page: int, old: str, new: str) -> None:
    """Copy ``src`` to ``dst`` with ``old`` on 1-based ``page`` overprinted by ``new``."""
    with pymupdf.open(src) as d:
        p = d[page - 1]
        hits = _merge_adjacent(p.search_for(old))
        assert hits, f"{old!r} not on page {page}"
        for r in hits:
            p.add_redact_annot(r)
        p.apply_redactions()
        for r in hits:  # right-aligned where the old text ended, as amounts are set
            size = r.height * 0.8
            p.insert_text((r.x1 - pymupdf.get_text_length(new, "helv", size), r.y1 - 1.5), new, fontsize=size,
                          fontname="helv")
        d.save(dst)


def _merge_adjacent(rects: list) -> list:  # type: ignore[type-arg]
    """One box per occurrence: text in Chromium's Type 3 fonts is found as several boxes side by side."""
    out: list = []  # type: ignore[type-arg]
    for r in sorted(rects, key=lambda r: (round(r.y0), r.x0)):
        last = out[-1] if out else None
        if last is not None and r.x0 <= last.x1 + 0.5 and r.y0 < last.y1 and last.y0 < r.y1:
            out[-1] = last | r
        else:
            out.append(pymupdf.Rect(r))
    return out


def _insert_page(src: Path, dst: Path, before: int) -> None:
    """Copy ``src`` to ``dst`` with an empty page before 1-based page ``before``."""
    with pymupdf.open(src) as d:
        d.new_page(before - 1)
        d.save(dst)


CHANGED_STEMS = ["s01_bse_reportlab", "s06_us_chromium"]


@pytest.mark.parametrize("stem", CHANGED_STEMS)
def test_regeneration_check_fails_when_a_figure_changes(tmp_path: Path, stem: str) -> None:
    """The comparison is not vacuous: a sample whose statement prints another selling expense fails it,
    with the figure named, against the committed sample and against the truth."""
    truth = TRUTHS[stem]
    fig = truth["figures"]["selling_expense"]["current"]
    changed = tmp_path / f"{stem}.pdf"
    printed = "(9,999.9)" if fig["printed"].startswith("(") else "9,999.9"
    _replace_text(SAMPLES / f"{stem}.pdf", changed, fig["page"], fig["printed"], printed)
    value = amount(Decimal("9999.9") * truth["variant"]["multiplier"])
    changes = figure_changes(changed, SAMPLES / f"{stem}.pdf")
    want = (f"figures.selling_expense.current: committed {(amount(fig['value']), fig['page'])}, "
            f"regenerated {(value, fig['page'])}")
    assert [c for c in changes if c.startswith("figures.")] == [want]
    assert [d.split(":")[0] for d in figure_differences(changed, truth)] == ["selling_expense.current"]


@pytest.mark.parametrize("stem", CHANGED_STEMS)
def test_regeneration_check_fails_when_pages_change(tmp_path: Path, stem: str) -> None:
    """A sample whose statement moved to another page fails the comparison, every figure after the
    move named with its old and new page."""
    truth = TRUTHS[stem]
    first = truth["statement"]["pages"][0]
    changed = tmp_path / f"{stem}.pdf"
    _insert_page(SAMPLES / f"{stem}.pdf", changed, first)
    changes = figure_changes(changed, SAMPLES / f"{stem}.pdf")
    rev = truth["figures"]["revenue"]["current"]
    assert (f"figures.revenue.current: committed {(amount(rev['value']), rev['page'])}, "
            f"regenerated {(amount(rev['value']), rev['page'] + 1)}") in changes
    assert {c.split(":")[0] for c in changes} >= {f"figures.{item}.{per}" for item in truth["figures"]
                                                   for per in ("current", "prior")}
    assert [d.split(":")[0] for d in figure_differences(changed, truth)] == [
        f"{item}.{per}" for item in truth["figures"] for per in truth["figures"][item]]


def test_regeneration_check_ignores_labels_of_rows_not_reported(tmp_path: Path) -> None:
    """Set differently (another font, another line break), a row the tool does not report changes
    nothing that is compared; printed as another label, a row it reports does."""
    stem = "s01_bse_reportlab"
    page = TRUTHS[stem]["figures"]["selling_expense"]["current"]["page"]
    unreported = tmp_path / "unreported.pdf"
    _replace_text(SAMPLES / f"{stem}.pdf", unreported, page, "税金及附加", "Taxes")
    assert figure_changes(unreported, SAMPLES / f"{stem}.pdf") == []
    reported = tmp_path / "reported.pdf"
    _replace_text(SAMPLES / f"{stem}.pdf", reported, page, "销售费用", "Other")
    assert "figures.selling_expense.current" in [c.split(":")[0] for c in figure_changes(reported, SAMPLES / f"{stem}.pdf")]


def test_regeneration_check_fails_when_truth_changes(tmp_path: Path) -> None:
    stem = "s01_bse_reportlab"
    truth = json.loads(json.dumps(TRUTHS[stem]))
    truth["figures"]["revenue"]["prior"]["value"] = str(Decimal(truth["figures"]["revenue"]["prior"]["value"]) + 1)
    assert [d.split(":")[0] for d in figure_differences(SAMPLES / f"{stem}.pdf", truth)] == ["revenue.prior"]


@pytest.mark.parametrize("stem", STEMS)
def test_committed_sample_uses_only_its_producers_fonts(stem: str) -> None:
    """Each committed sample embeds only the fonts its producer names (fonts.py), so a machine that has
    those fonts regenerates the same text whatever else it has installed."""
    v = next(v for s, _, v in FIXED if s == stem)
    assert unexpected_fonts(SAMPLES / f"{stem}.pdf", pipeline.producer_module(v.producer).fonts(v.language)) == []


def test_generator_rejects_a_pdf_set_in_another_font() -> None:
    """What a machine that substituted a font produces (here: Times-Roman, and Noto Serif CJK SC where
    the TC face was asked for) is refused with the fonts named and the package to install."""
    with pytest.raises(pipeline.GenerationError, match=r"rendered with .*Times-Roman.*apt install fonts-noto-cjk"):
        pipeline.verify_fonts(SAMPLES / "s07_enhk_reportlab.pdf", (fonts.NOTO_SERIF_SC,))
    with pytest.raises(pipeline.GenerationError, match=r"NotoSerifCJKsc-Regular \(Noto Serif CJK SC\)"):
        pipeline.verify_fonts(SAMPLES / "s06_us_chromium.pdf", (fonts.NOTO_SERIF_TC,))
    pipeline.verify_fonts(SAMPLES / "s06_us_chromium.pdf", (fonts.NOTO_SERIF_SC,))


def test_missing_font_names_its_package() -> None:
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list not found (apt install fontconfig)")
    absent = fonts.Font("No Such Serif 7", "fonts-no-such-serif", "NoSuchSerif")
    assert fonts.missing_fonts((absent,)) == (
        "font 'No Such Serif 7' not installed, regular and bold (apt install fonts-no-such-serif)")
    assert fonts.missing_fonts(fonts.STANDARD) is None


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
