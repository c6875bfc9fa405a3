"""Hong Kong (traditional Chinese or English, HKFRS/IFRS) and US-listed (English, US GAAP) report
content. Expenses appear as deductions on the face of the statement; amounts in thousands or millions."""

from __future__ import annotations

from . import fmt
from .common import Ctx, filler, simple_table
from .data import ZERO
from .layout import Heading, PageBreak, Para, Row, Spacer
from .names import SEGMENTS
from .statements import (
    cas_income_en,
    derived,
    ifrs_balance,
    ifrs_balance_derived,
    ifrs_cashflow,
    ifrs_cashflow_derived,
    ifrs_income,
    statement_table,
)

NOTE_LABELS = {
    "zh-Hant": {"salary": "僱員福利開支", "ads": "廣告及推廣開支", "transport": "運輸費", "travel": "差旅費",
                "entertain": "業務招待費", "depr": "折舊及攤銷", "rent": "短期租賃開支", "office": "辦公費",
                "agency": "專業服務費", "materials": "材料及耗材", "outsourced": "外包研發費用", "other": "其他",
                "total": "總計"},
    "en": {"salary": "Employee benefit expenses", "ads": "Advertising and promotion", "transport": "Transportation",
           "travel": "Travelling expenses", "entertain": "Entertainment", "depr": "Depreciation and amortisation",
           "rent": "Short-term lease expenses", "office": "Office expenses", "agency": "Professional fees",
           "materials": "Materials and consumables", "outsourced": "Outsourced research and development",
           "other": "Others", "total": "Total"},
}


def _t(ctx: Ctx, zh: str, en: str) -> str:
    return zh if ctx.v.language == "zh-Hant" else en


def unit_words(ctx: Ctx) -> tuple[str, str]:
    """(column unit, subtitle) as printed above the amounts."""
    u = ctx.v.unit
    if u == "RMB":  # US filings of small issuers: whole yuan
        return "RMB", "(Amounts in RMB, except for per share data)"
    if ctx.v.style == "cas_en":  # an English translation of an A-share report
        return ("RMB", "Unit: RMB Yuan") if u == "元" else ("RMB'000", "Unit: RMB'000")
    if u == "人民幣千元":
        return "人民幣千元", "（除另有說明外，以人民幣千元列示）"
    if u == "RMB million":
        return "RMB million", "(In RMB million, except for per share data)" if ctx.v.style == "us" \
            else "(Expressed in millions of Renminbi)"
    return "RMB'000", "(In thousands of RMB, except for per share data)" if ctx.v.style == "us" \
        else "(Expressed in thousands of Renminbi unless otherwise stated)"


def cover(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    code = f"股份代號：{d.code}" if v.language == "zh-Hant" else (
        f"Nasdaq: {d.code}" if v.style == "us" else f"Stock Code: {d.code}")
    ctx.add(Spacer(150), Heading(d.company if v.language == "zh-Hant" else d.company_en, 0, align="center",
                                 fake_bold=v.fake_bold),
            Para(d.company_en if v.language == "zh-Hant" else d.company, size=12, align="center"),
            Para(code, size=12, align="center"), Spacer(90),
            Heading(_t(ctx, f"{d.year}年度報告", f"Annual Report {d.year}" if v.style != "us"
                       else f"Annual Report {d.year} (Form 20-F)"), 0, align="center", fake_bold=v.fake_bold),
            PageBreak())


def front(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    ctx.heading(_t(ctx, "公司資料", "Corporate Information"), 1, tag="sec:corp", toc=0)
    ctx.add(simple_table([_t(ctx, "項目", "Item"), _t(ctx, "內容", "Details")], [
        [_t(ctx, "公司名稱", "Company name"), d.company if v.language == "zh-Hant" else d.company_en],
        [_t(ctx, "股份代號", "Stock code"), d.code],
        [_t(ctx, "執行董事", "Executive directors"), _t(ctx, f"{ctx.person()}（主席）", "Mr. Zhang Wei (Chairman)")],
        [_t(ctx, "核數師", "Auditor"), _t(ctx, "安永會計師事務所", "Ernst & Young, Certified Public Accountants")]],
        widths=[160, 320], aligns="ll", rule="hlines"))
    unit, _ = unit_words(ctx)
    inc = d.inc
    ctx.heading(_t(ctx, "財務摘要", "Financial Highlights"), 1, tag="sec:fin_high", toc=0)
    rows = []
    for zh, en, k in [("收益", "Revenue", "revenue"), ("毛利", "Gross profit", "gross"),
                      ("除稅前溢利", "Profit before income tax", "pbt_ifrs"), ("年內溢利", "Profit for the year", "net_ifrs")]:
        c, p = inc[k]
        rows.append([_t(ctx, zh, en), fmt.amount(c, v), fmt.amount(p, v), fmt.pct(fmt.growth(c, p), 1, sign=True)])
    ctx.add(simple_table([_t(ctx, f"（{unit}）", f"({unit})"), str(d.year), str(d.year - 1), _t(ctx, "變動", "Change")],
                         rows, widths=[200, 100, 100, 80], rule="hlines"))
    filler(ctx, 2)


def mdna(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    inc = d.inc
    ctx.add(PageBreak())
    ctx.heading(_t(ctx, "管理層討論及分析", "Management Discussion and Analysis"), 1, tag="sec:mdna", toc=0)
    ctx.heading(_t(ctx, "業務回顧", "Business Review"), 2)
    filler(ctx, 2)
    ctx.heading(_t(ctx, "財務回顧", "Financial Review"), 2)

    def move(k: str) -> tuple[str, str, str, str]:
        c, p = inc[k]
        g = fmt.growth(c, p)
        return fmt.million(p), fmt.million(c), f"{abs(g) * 100:.1f}%", ("增加" if g >= 0 else "減少") if \
            v.language == "zh-Hant" else ("increased" if g >= 0 else "decreased")

    for zh, en, k, why_zh, why_en in [
            ("收益", "Revenue", "revenue", "主要由於產品銷量變動所致", "primarily due to changes in sales volume"),
            ("銷售及營銷開支", "Selling and marketing expenses", "selling", "主要由於市場推廣活動變動",
             "mainly reflecting changes in marketing activities"),
            ("研發開支", "Research and development expenses", "rnd", "主要由於研發項目推進",
             "mainly due to the progress of research projects"),
            ("行政開支", "General and administrative expenses", "admin_ifrs", "主要由於員工成本變動",
             "mainly due to changes in staff costs")]:
        p, c, g, w = move(k)
        ctx.heading(_t(ctx, zh, en), 3)
        ctx.para(_t(ctx, f"本集團的{zh}由{d.year - 1}年的人民幣{p}百萬元{w}{g}至{d.year}年的人民幣{c}百萬元，{why_zh}。",
                    f"Our {en.lower()} {w} by {g} from RMB{p} million in {d.year - 1} to RMB{c} million in "
                    f"{d.year}, {why_en}."))
    ar = d.bs["ar"]
    ctx.heading(_t(ctx, "貿易應收款項", "Trade receivables"), 3)
    ctx.para(_t(ctx, f"於{d.year}年12月31日，貿易應收款項為人民幣{fmt.million(ar[0])}百萬元（{d.year - 1}年：人民幣"
                     f"{fmt.million(ar[1])}百萬元）。",
                f"Trade receivables were RMB{fmt.million(ar[0])} million as at 31 December {d.year} "
                f"({d.year - 1}: RMB{fmt.million(ar[1])} million)."))


def directors(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    rev = d.inc["revenue"][0]
    unit, _ = unit_words(ctx)
    ctx.add(PageBreak())
    ctx.heading(_t(ctx, "董事會報告", "Report of the Directors"), 1, tag="sec:directors", toc=0)
    filler(ctx, 1)
    ctx.heading(_t(ctx, "主要客戶及供應商", "Major Customers and Suppliers"), 2)
    total = sum((c.amount for c in d.customers), ZERO)
    big = d.customers[0].amount
    ctx.para(_t(ctx, f"截至{d.year}年12月31日止年度，本集團最大客戶佔總收益的{fmt.pct(big / rev, 1)}，五大客戶合共佔總收益的"
                     f"{fmt.pct(total / rev, 1)}。",
                f"For the year ended 31 December {d.year}, the largest customer accounted for {fmt.pct(big / rev, 1)} "
                f"and the five largest customers in aggregate accounted for {fmt.pct(total / rev, 1)} of total revenue."))
    rows = [[c.name, fmt.amount(c.amount, v), fmt.pct(c.amount / rev), _t(ctx, "是" if c.related else "否",
                                                                          "Yes" if c.related else "No")]
            for c in d.customers]
    rows.append([_t(ctx, "合計", "Total"), fmt.amount(total, v), fmt.pct(total / rev), ""])
    t = simple_table([_t(ctx, "客戶", "Customer"), _t(ctx, f"收益（{unit}）", f"Revenue ({unit})"),
                      _t(ctx, "佔總收益百分比", "% of revenue"), _t(ctx, "是否關連人士", "Related party")],
                     rows, widths=[220, 100, 90, 70], aligns="lrrc", rule="hlines",
                     tags=[None] * 5 + ["top5:total"], total_last=True)
    ctx.add(t)
    ctx.heading(_t(ctx, "關連交易", "Connected Transactions"), 2)
    tot = sum((s.current for s in d.related_sales), ZERO)
    ctx.para(_t(ctx, f"年內，本集團向關聯方銷售貨品及提供服務合共約人民幣{fmt.million(tot)}百萬元，詳情載於綜合財務報表附註。",
                f"During the year, sales of goods and services to related parties amounted to approximately "
                f"RMB{fmt.million(tot)} million; details are set out in the notes to the consolidated financial statements."))


def statements(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    ctx.add(PageBreak())
    audit = ("Report of Independent Registered Public Accounting Firm" if v.style == "us"
             else _t(ctx, "獨立核數師報告", "Independent Auditor's Report"))
    ctx.heading(audit, 1, tag="sec:audit", toc=0)
    ctx.para(_t(ctx, f"致{d.company}全體股東", f"To the shareholders of {d.company_en}"))
    ctx.para(_t(ctx, "我們已審計列載於本報告的綜合財務報表，此綜合財務報表包括於12月31日的綜合財務狀況表與截至該日止年度的"
                     "綜合損益及其他全面收益表、綜合權益變動表和綜合現金流量表，以及綜合財務報表附註。",
                "We have audited the consolidated financial statements, which comprise the consolidated statement of "
                "financial position as at 31 December and the consolidated statement of profit or loss, the consolidated "
                "statement of changes in equity and the consolidated statement of cash flows for the year then ended."))
    ctx.para(_t(ctx, "我們認為，該等綜合財務報表已真實而中肯地反映了貴集團的綜合財務狀況及其綜合財務表現及綜合現金流量。",
                "In our opinion, the consolidated financial statements give a true and fair view of the consolidated "
                "financial position of the Group and of its consolidated financial performance and cash flows."))
    kam = [_t(ctx, "關鍵審計事項是根據我們的專業判斷，認為對本期綜合財務報表的審計最為重要的事項。這些事項是在我們審計整體"
                   "綜合財務報表及出具意見時進行處理的，我們不會對這些事項提供單獨的意見。",
              "Key audit matters are those matters that, in our professional judgement, were of most significance in "
              "our audit of the consolidated financial statements of the current period."),
           _t(ctx, "收益確認：本集團的收益主要來自產品銷售，由於收益是本集團的關鍵績效指標之一，存在管理層為達到特定目標"
                   "而操縱收益確認時點的固有風險，因此我們將收益確認識別為關鍵審計事項。",
              "Revenue recognition: revenue is one of the key performance indicators of the Group and there is an "
              "inherent risk that revenue is recognised in an inappropriate period."),
           _t(ctx, "貿易應收款項的減值評估：管理層採用預期信貸虧損模型評估貿易應收款項的減值，當中涉及重大判斷及估計。",
              "Impairment of trade receivables: management applies an expected credit loss model that involves "
              "significant judgement and estimation."),
           _t(ctx, "我們的程序包括了解及測試與收益確認相關的關鍵內部控制，並抽樣檢查銷售合約、發貨單據及客戶簽收記錄。",
              "Our procedures included testing key controls over revenue and inspecting, on a sample basis, contracts, "
              "delivery notes and customer acknowledgements."),
           _t(ctx, "董事須負責擬備真實而中肯的綜合財務報表，並對其認為為使綜合財務報表的擬備不存在由於欺詐或錯誤而導致的"
                   "重大錯誤陳述所需的內部控制負責。",
              "The directors are responsible for the preparation of consolidated financial statements that give a "
              "true and fair view and for such internal control as the directors determine is necessary.")]
    if v.statement_page_break:
        ctx.pad_blocks = [Para(k, indent=v.language != "en") for k in kam]
        ctx.add(Spacer(0.0))
    else:
        for k in kam[:2]:
            ctx.para(k)
        ctx.add(PageBreak())
    title = ("CONSOLIDATED STATEMENTS OF OPERATIONS" if v.style == "us" else
             "Consolidated Income Statement" if v.style == "cas_en" else
             _t(ctx, "綜合損益及其他全面收益表", "Consolidated Statement of Profit or Loss"))
    ctx.facts.statement_title = title
    ctx.heading(title, 1, tag="is:title", align="center", toc=1)
    unit, sub = unit_words(ctx)
    if v.style == "us":
        ctx.add(Para(sub, size=9, align="center", keep_next=True))
    elif v.style == "cas_en":
        ctx.add(Para(f"{d.year}", size=9, align="center", keep_next=True),
                Para(f"Prepared by: {d.company_en}　　{sub}", size=9, align="right", keep_next=True))
    else:
        ctx.add(Para(_t(ctx, f"截至{d.year}年12月31日止年度", f"For the year ended 31 December {d.year}"), size=9,
                     align="center", keep_next=True),
                Para(sub, size=9, align="center", italic=True, keep_next=True))
    data = dict(d.inc)
    data.update(derived(d))
    lines = cas_income_en(v) if v.style == "cas_en" else ifrs_income(v, d, ctx.rng.randrange(2))
    built = _statement(ctx, lines, data, d.eps, "is", unit, year_ended=True)
    built.table.repeat_header = v.continuation_header
    built.table.cont_title = (title + _t(ctx, "（續）", " (continued)")) if v.continuation_header else None
    ctx.add(built.table)
    for (item, period), (printed, tag) in built.printed.items():
        key = {"revenue": "revenue", "selling_expense": "selling",
               "admin_expense": "admin" if v.style == "cas_en" else "admin_ifrs", "rnd_expense": "rnd"}[item]
        ctx.record(item, period, printed, tag, d.inc[key][period], "income_statement")
    ctx.para(_t(ctx, "隨附附註構成該等財務報表的一部分。", "The accompanying notes form an integral part of these "
                "consolidated financial statements."), size=9, italic=True)
    ctx.add(PageBreak())
    bt = "CONSOLIDATED BALANCE SHEETS" if v.style == "us" else _t(ctx, "綜合財務狀況表",
                                                                   "Consolidated Statement of Financial Position")
    ctx.heading(bt, 1, tag="bs:title", align="center", toc=1)
    ctx.add(Para(_t(ctx, f"於{d.year}年12月31日", f"As at 31 December {d.year}"), size=9, align="center", keep_next=True))
    bsd = dict(d.bs)
    bsd.update(ifrs_balance_derived(d.bs))
    b = _statement(ctx, ifrs_balance(v.language), bsd, None, "bs", unit, year_ended=False)
    for r in b.table.rows:
        if r.cells[0] in ("貿易應收款項", "Trade receivables"):
            ctx.facts.tags["receivables"] = r.tag or ""
    ctx.add(b.table)
    ctx.add(PageBreak())
    ct = "CONSOLIDATED STATEMENTS OF CASH FLOWS" if v.style == "us" else _t(ctx, "綜合現金流量表",
                                                                             "Consolidated Statement of Cash Flows")
    ctx.heading(ct, 1, tag="cf:title", align="center", toc=1)
    ctx.add(Para(_t(ctx, f"截至{d.year}年12月31日止年度", f"For the year ended 31 December {d.year}"), size=9,
                 align="center", keep_next=True))
    cfd = dict(d.cf)
    cfd.update(ifrs_cashflow_derived(d.cf))
    c = _statement(ctx, ifrs_cashflow(v.language), cfd, None, "cf", unit, year_ended=True)
    ctx.facts.tags["cash_from_sales"] = next(r.tag for r in c.table.rows if r.cells[0] in
                                             ("已收客戶現金", "Cash received from customers")) or ""
    ctx.add(c.table)


def _statement(ctx, lines, data, eps, prefix, unit, year_ended):  # type: ignore[no-untyped-def]
    v, d = ctx.v, ctx.d
    per = [0, 1] if v.current_first else [1, 0]
    years = [str(d.year - p) for p in per]
    has_note = v.note_column != "none"
    note = [_t(ctx, "附註", "Note" if v.style != "us" else "Notes")] if has_note else []
    n = 1 + len(note)
    if v.style == "us":
        top = Row([""] + [""] * len(note) + [("For the year ended December 31" if year_ended else "As of December 31"), ""],
                  kind="header", spans=[(n, n + 1)])
        header = [top, Row([""] + note + years, kind="header")]
    elif v.style == "cas_en" and prefix == "is":
        pick = ctx.rng.randrange(4)
        if pick == 0:
            cells = [f"Amount for the\n{'current' if p == 0 else 'prior'} year" for p in per]
        elif pick == 1:
            cells = [f"Year {d.year - p}" for p in per]
        elif pick == 2:
            cells = [f"{d.year - p}\n({'this' if p == 0 else 'last'} year)" for p in per]
        else:  # only one of the two names a period the usual way
            cells = ["This year" if p == 0 else "Last year" for p in per]
        header = [Row(["Item"] + (["Notes"] if has_note else []) + cells, kind="header",
                      lines=2 if pick in (0, 2) else 1)]
    else:
        header = [Row([""] + [""] * len(note) + [y + _t(ctx, "年", "") for y in years], kind="header"),
                  Row([""] + note + [unit, unit], kind="header")]
    sources = [(data, eps, p) for p in per]
    return statement_table(lines, v, sources, header, ctx.notes_no, prefix, 230.0, "hlines", row_h=16.0)


def notes(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    lab = NOTE_LABELS["en" if v.language == "en" else "zh-Hant"]
    unit, _ = unit_words(ctx)
    ctx.add(PageBreak())
    ctx.heading(_t(ctx, "綜合財務報表附註", "Notes to the Consolidated Financial Statements"), 1, tag="notes:title", toc=0)
    nn = ctx.notes_no
    ctx.heading(_t(ctx, f"{nn['revenue']}. 收益", f"{nn['revenue']}. Revenue"), 2)
    seg = {k: (zh if v.language == "zh-Hant" else en) for k, _, zh, en in SEGMENTS}
    rows = [[seg[k], fmt.amount(p[0], v), fmt.amount(p[1], v)] for k, p in d.segments]
    rev = d.inc["revenue"]
    rows.append([lab["total"], fmt.amount(rev[0], v), fmt.amount(rev[1], v)])
    hdr = ["", f"{d.year}\n{unit}", f"{d.year - 1}\n{unit}"]
    ctx.add(simple_table(hdr, rows, widths=[240, 120, 120], rule="hlines", total_last=True))
    for key, zh, en, total_key in [("selling", "銷售及營銷開支", "Selling and marketing expenses", "selling"),
                                   ("admin", "行政開支", "General and administrative expenses", "admin_ifrs"),
                                   ("rnd", "研發開支", "Research and development expenses", "rnd")]:
        ctx.heading(_t(ctx, f"{nn[key]}. {zh}", f"{nn[key]}. {en}"), 2, tag=f"notes:{key}")
        rows, tags = [], []
        for k, (c, p) in d.notes[key]:
            rows.append([lab[k], fmt.amount(c, v), fmt.amount(p, v)])
            tags.append(f"notes:{key}:{k}")
        tot = d.inc[total_key]
        rows.append([lab["total"], fmt.amount(tot[0], v), fmt.amount(tot[1], v)])
        tags.append(f"notes:{key}:total")
        ctx.add(simple_table(hdr, rows, widths=[240, 120, 120], rule="hlines", tags=tags, total_last=True))
    ctx.heading(_t(ctx, f"{nn['ar']}. 貿易應收款項", f"{nn['ar']}. Trade receivables"), 2)
    ar = d.bs["ar"]
    ctx.para(_t(ctx, f"於報告期末，貿易應收款項（扣除虧損撥備）為{fmt.amount(ar[0], v)}（{d.year - 1}年："
                     f"{fmt.amount(ar[1], v)}），主要賬齡均在一年以內。",
                f"At the end of the reporting period, trade receivables, net of loss allowance, amounted to "
                f"{fmt.amount(ar[0], v)} ({d.year - 1}: {fmt.amount(ar[1], v)}), mostly aged within one year."))
    ctx.add(PageBreak())
    ctx.heading(_t(ctx, f"{nn['related']}. 關聯方交易", f"{nn['related']}. Related Party Transactions"), 2,
                tag="related:title", toc=1)
    ctx.heading(_t(ctx, "(a) 關聯方名稱及關係", "(a) Names and relationships"), 3)
    t = simple_table([_t(ctx, "關聯方名稱", "Name of related party"), _t(ctx, "關係", "Relationship")],
                     [[p.name, p.relationship] for p in d.related_parties], widths=[260, 220], aligns="ll",
                     rule="hlines")
    t.tag = "related_parties"
    ctx.add(t)
    ctx.heading(_t(ctx, "(b) 與關聯方的重大交易", "(b) Significant transactions with related parties"), 3)
    rows = [[f"{s.content} — {s.name}" if v.language == "en" else f"{s.content}－{s.name}",
             fmt.amount(s.current, v), fmt.amount(s.prior, v)] for s in d.related_sales]
    tc = sum((s.current for s in d.related_sales), ZERO)
    tp = sum((s.prior for s in d.related_sales), ZERO)
    rows.append([lab["total"], fmt.amount(tc, v), fmt.amount(tp, v)])
    ctx.add(simple_table(hdr, rows, widths=[300, 90, 90], rule="hlines", total_last=True, aligns="lrr",
                         tags=[None] * len(d.related_sales) + ["related_sales:total"]))
    filler(ctx, 1)


def build(ctx: Ctx) -> None:
    base = ctx.rng.randint(4, 9)
    ctx.notes_no = {"revenue": base, "other": base + 1, "selling": base + 2, "admin": base + 3, "rnd": base + 4,
                    "finance": base + 5, "pbt": base + 6, "tax": base + 7, "eps": base + 8, "ar": base + 12,
                    "related": base + 25}
    cover(ctx)
    ctx.add(Heading(_t(ctx, "目錄", "Contents"), 1, align="center", tag="toc"), Spacer(8))
    toc_at = len(ctx.blocks)
    ctx.add(PageBreak())
    front(ctx)
    mdna(ctx)
    directors(ctx)
    statements(ctx)
    notes(ctx)
    ctx.blocks[toc_at:toc_at] = list(ctx.toc)
