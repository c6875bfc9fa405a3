"""One report end to end: data -> blocks -> pages -> PDF -> verification -> truth JSON."""

from __future__ import annotations

import json
import random
from pathlib import Path

from . import build_cas, build_ifrs
from .common import Ctx
from .data import generate
from .fonts import Font, unexpected_fonts
from .layout import Document, Spacer, Table, paginate, resolve_toc
from .truth import build_truth, clean_margins, compute_flags
from .variants import Variant


class GenerationError(RuntimeError):
    pass


def producer_module(name: str):  # type: ignore[no-untyped-def]
    from . import render_docx, render_html, render_reportlab
    return {"reportlab": render_reportlab, "libreoffice": render_docx, "chromium": render_html}[name]


def unavailable_reason(name: str) -> str | None:
    return producer_module(name).available()


def build_document(stem: str, seed: int, v: Variant) -> tuple[Document, dict[str, object]]:
    d = generate(seed, v)
    flags = compute_flags(d)
    if sorted(flags) != sorted(v.flags):
        raise GenerationError(f"{stem}: planted {sorted(v.flags)} but the data imply {sorted(flags)}")
    problems = clean_margins(d, flags)
    if problems:
        raise GenerationError(f"{stem}: clean report too close to a threshold: {problems}")
    ctx = Ctx(v, d, random.Random(seed * 7919 + 1))
    (build_cas if v.cas else build_ifrs).build(ctx)
    if v.cas and v.language == "zh-Hant":
        _to_traditional(ctx)
    pages, tags = _paginate_with_break(ctx, v)
    if v.notes_break:
        pages, tags = _steer_notes_break(ctx, pages, tags)
    resolve_toc(pages, tags)
    y = d.year
    if v.cas and v.language == "zh-Hant":  # an A+H company's A-share report in traditional characters
        hl, hr, foot, label = "", f"{d.company}{y}年年度報告", "n", ""
        title = f"{d.company}{y}年年度報告"
    elif v.language == "zh-Hans":
        if v.style == "bse":
            hl, hr, foot, label = f"{d.short_name}　{d.code}", f"{y}年年度报告", "n", ""
        elif v.style == "ashare" and d.code.startswith("60"):
            hl, hr, foot, label = "", f"{y}年年度报告", "n / N", ""
        else:
            hl, hr, foot, label = "", f"{d.company}{y}年年度报告全文", "n", ""
        title = f"{d.company}{y}年年度报告"
    elif v.language == "zh-Hant":
        hl, hr, foot, label = d.company, f"{y}年年度報告", "label n", f"{y}年年度報告"
        title = f"{d.company}{y}年年度報告"
    else:
        hl, hr, foot, label = d.company_en, f"Annual Report {y}", "label n", f"Annual Report {y}"
        title = f"{d.company_en} Annual Report {y}"
    doc = Document(v.language, title, hl, hr, foot, label, pages, tags, fake_bold=v.fake_bold)
    truth = build_truth(stem, d, ctx.facts, tags)
    return doc, truth


def _to_traditional(ctx: Ctx) -> None:
    """Print the whole CAS report in traditional characters (A+H companies' A-share reports)."""
    from opencc import OpenCC

    from .layout import Heading, Para, TocLine

    cc = OpenCC("s2t")
    conv = cc.convert
    for b in ctx.blocks:
        if isinstance(b, (Heading, Para, TocLine)):
            b.text = conv(b.text)
        elif isinstance(b, Table):
            for r in b.header + b.rows:
                r.cells = [conv(c) for c in r.cells]
            if b.cont_title:
                b.cont_title = conv(b.cont_title)
    ctx.facts.statement_title = conv(ctx.facts.statement_title)
    for extra in ctx.pad_rows:
        extra[0].cells = [conv(c) for c in extra[0].cells]
    ctx.pad_rows = [(r, conv(before)) for r, before in ctx.pad_rows]
    for b in ctx.pad_blocks:
        if isinstance(b, (Heading, Para)):
            b.text = conv(b.text)


def _steer_notes_break(ctx: Ctx, pages, tags):  # type: ignore[no-untyped-def]
    """Make the notes' 管理费用 table run over a page break (no header on the continuation), with the
    R&D line on the second page: white space before its heading, as much as it takes."""
    at = next((i for i, b in enumerate(ctx.blocks) if getattr(b, "tag", None) == "notes:admin"), None)
    target = "notes:admin:rnd_in_admin" if "notes:admin:rnd_in_admin" in tags else "notes:admin:total"
    if at is None:
        return pages, tags
    for h in range(0, 760, 4):
        blocks = ctx.blocks[:at] + [Spacer(float(h))] + ctx.blocks[at:]
        pg, tg = paginate(blocks)
        first = tg.get("notes:admin", [0])[0]
        if tg.get(target, [0])[0] > first and tg.get("is:title") == tags.get("is:title"):
            ctx.blocks[:] = blocks
            return pg, tg
    raise GenerationError("could not make the notes' 管理费用 table break across a page")


def _is_split(pages, tags) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """(rows on the first page, rows in total) of the income statement, or None if not found."""
    first = tags.get("is:title", [0])[0]
    counts = []
    for p in pages:
        for b in p.blocks:
            if isinstance(b, Table) and b.rows and (b.rows[0].tag or "").startswith("is:"):
                counts.append((p.number, len(b.rows)))
    if not counts:
        return None
    return (counts[0][1] if counts[0][0] == first else 0), sum(c for _, c in counts)


def _paginate_with_break(ctx: Ctx, v: Variant):  # type: ignore[no-untyped-def]
    pages, tags = paginate(ctx.blocks)
    split = _is_split(pages, tags)
    if split is None:
        raise GenerationError("income statement not found in the built document")
    first, total = split
    if not v.statement_page_break:
        # Long statements (finance-subsidiary lines, wrapped labels) are set tighter to fit one page.
        is_table = next(b for b in ctx.blocks if isinstance(b, Table) and b.rows and (b.rows[0].tag or "").startswith("is:"))
        while first != total and is_table.row_h > 12.0:
            is_table.row_h -= 0.5
            pages, tags = paginate(ctx.blocks)
            first, total = _is_split(pages, tags) or (0, 0)
        if first != total:
            raise GenerationError(f"income statement ({total} rows) does not fit on one page")
        return pages, tags
    # Steer where the statement breaks: revenue on the first page and a few rows carried over. Prefer
    # natural material (balance-sheet row heights, empty balance-sheet lines, extra paragraphs) over
    # white space, which is the last resort.
    idx = next(i for i, b in enumerate(ctx.blocks) if getattr(b, "tag", None) == "is:title") - 1
    assert isinstance(ctx.blocks[idx], Spacer)
    prev = next((b for b in reversed(ctx.blocks[:idx]) if isinstance(b, Table)), None)
    bs_tables = [b for b in ctx.blocks[:idx] if isinstance(b, Table) and b.rows
                 and (b.rows[0].tag or "").split(":")[0] in ("bs", "pbs")]
    base_rows = list(prev.rows) if prev is not None else []
    # Half the time split early, as in reports whose expense lines sit on the next page.
    lo, hi = (4, 9) if ctx.rng.random() < 0.5 else (5, total - 6)
    heights = [14.0, 15.0, 16.0, 17.0, 18.0]
    combos = [(h1, h2) for h1 in heights for h2 in heights] if len(bs_tables) >= 2 else [(h, h) for h in heights]
    for spacer_h in [0.0, 12.0, 24.0, 36.0, 48.0]:
        for k_blocks in range(len(ctx.pad_blocks) + 1):
            for k_rows in range(0, len(ctx.pad_rows) + 1, 3):
                if prev is not None:
                    prev.rows = _with_rows(base_rows, ctx.pad_rows[:k_rows])
                for combo in combos:
                    for t, rh in zip(bs_tables, combo):
                        t.row_h = rh
                    blocks = (ctx.blocks[:idx] + list(ctx.pad_blocks[:k_blocks]) + [Spacer(spacer_h)]
                              + ctx.blocks[idx + 1:])
                    pages, tags = paginate(blocks)
                    first, _ = _is_split(pages, tags) or (0, 0)
                    if lo <= first <= hi:
                        ctx.blocks[:] = blocks
                        return pages, tags
    # Last resort: white space before the title (real reports do leave the odd half-empty page).
    for k_blocks in range(len(ctx.pad_blocks), -1, -1):
        for spacer_h in range(54, 500, 6):
            blocks = (ctx.blocks[:idx] + list(ctx.pad_blocks[:k_blocks]) + [Spacer(float(spacer_h))]
                      + ctx.blocks[idx + 1:])
            pages, tags = paginate(blocks)
            first, _ = _is_split(pages, tags) or (0, 0)
            if 4 <= first <= total - 4:
                ctx.blocks[:] = blocks
                return pages, tags
    raise GenerationError("could not make the income statement break across a page")


def _with_rows(rows, extra):  # type: ignore[no-untyped-def]
    out = list(rows)
    for row, before in extra:
        at = next((i for i, r in enumerate(out) if r.cells[0].replace("\n", "").lstrip("\u3000").startswith(before)), len(out))
        out.insert(at, row)
    return out


def generate_report(stem: str, seed: int, v: Variant, out_dir: Path) -> dict[str, object]:
    doc, truth = build_document(stem, seed, v)
    pdf = out_dir / f"{stem}.pdf"
    producer = producer_module(v.producer)
    producer.render(doc, pdf)
    verify_fonts(pdf, producer.fonts(v.language))  # first: another font is what makes pages overflow
    verify(pdf, doc, truth)
    (out_dir / f"{stem}.truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                                encoding="utf-8")
    return truth


def verify(pdf: Path, doc: Document, truth: dict[str, object]) -> None:
    """The producer must have kept our pagination: same page count, every printed figure on its page."""
    import pymupdf

    with pymupdf.open(pdf) as d:
        if len(d) != len(doc.pages):
            raise GenerationError(f"{pdf.name}: {len(d)} pages produced, {len(doc.pages)} laid out "
                                  "(a page overflowed; the producer's metrics differ from layout.py)")
        for item, periods in truth["figures"].items():  # type: ignore[union-attr]
            for per, f in periods.items():
                text = compact(d[f["page"] - 1].get_text())
                if compact(f["printed"]) not in text:
                    raise GenerationError(f"{pdf.name}: {item}/{per} printed {f['printed']!r} not on page {f['page']}")


def verify_fonts(pdf: Path, wanted: tuple[Font, ...]) -> None:
    """The producer must have used the fonts it was told to: a substitute would make the sample's text
    depend on the fonts of the machine that rendered it."""
    other = unexpected_fonts(pdf, wanted)
    if other:
        packages = sorted({f.package for f in wanted if f.package})
        hint = f"; is {' '.join(packages)} installed? (apt install {' '.join(packages)})" if packages else ""
        raise GenerationError(f"{pdf.name}: rendered with {', '.join(other)}, but asked only for "
                              f"{', '.join(f.family for f in wanted)}{hint}")


def compact(s: str) -> str:
    return "".join(s.split())
