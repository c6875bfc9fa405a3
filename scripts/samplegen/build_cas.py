"""Simplified-Chinese (CAS) report content: BSE, A-share and audit-firm combined styles."""

from __future__ import annotations

from decimal import Decimal

from . import fmt
from .common import Ctx, filler, simple_table
from .data import ZERO, Pair
from .layout import Heading, PageBreak, Para, Row, Spacer, TocLine
from .names import SEGMENTS
from .statements import Built, cas_balance, cas_cashflow, cas_income, statement_table

NOTE_LABELS = {
    "salary": "职工薪酬", "ads": "广告宣传费", "transport": "运输费", "travel": "差旅费", "entertain": "业务招待费",
    "depr": "折旧及摊销", "rent": "租赁费", "office": "办公费", "agency": "中介机构服务费",
    "materials": "直接投入", "outsourced": "委托外部研发费", "other": "其他", "rnd_in_admin": "研究开发费",
}


# Balance-sheet lines that real statements print even when empty; used to move the end of the
# balance sheet (and so the start of the income statement) down the page.
OPTIONAL_BS_ROWS = [("租赁负债", "递延收益"), ("长期应付款", "递延收益"), ("预计负债", "递延收益"),
                    ("递延所得税负债", "非流动负债合计"), ("其他非流动负债", "非流动负债合计"),
                    ("其他权益工具", "资本公积"), ("其中：优先股", "资本公积"), ("永续债", "资本公积"),
                    ("减：库存股", "盈余公积"), ("其他综合收益", "盈余公积"), ("专项储备", "盈余公积"),
                    ("一般风险准备", "未分配利润")]


def _sections(v_style: str) -> dict[str, str]:
    if v_style == "bse":
        return {"notice": "第一节 重要提示、目录和释义", "profile": "第二节 公司概况",
                "keydata": "第三节 会计数据和财务指标", "mdna": "第四节 管理层讨论与分析",
                "events": "第五节 重大事件", "shares": "第六节 股份变动及股东情况",
                "directors": "第七节 董事、监事、高级管理人员及核心员工情况", "fin": "第八节 财务会计报告"}
    return {"notice": "第一节 重要提示、目录和释义", "profile": "第二节 公司简介和主要财务指标",
            "keydata": "", "mdna": "第三节 管理层讨论与分析", "events": "第六节 重要事项",
            "shares": "第七节 股份变动及股东情况", "directors": "第九节 董事、监事、高级管理人员和员工情况",
            "fin": "第十节 财务报告"}


def unit_line(ctx: Ctx) -> str:
    return {"元": "单位：元　币种：人民币" if ctx.v.style == "ashare" else "单位：元",
            "人民币元": "单位：人民币元", "万元": "单位：万元　币种：人民币",
            "千元": "金额单位：人民币千元"}[ctx.v.unit]


def period_headers(ctx: Ctx, kind: str) -> tuple[str, str]:
    y = ctx.d.year
    if ctx.v.style == "bse":
        return (f"{y}年12月31日", f"{y - 1}年12月31日") if kind == "bs" else (f"{y}年", f"{y - 1}年")
    if ctx.v.period_header == "period" and ctx.v.current_first:
        return ("期末余额", "期初余额") if kind == "bs" else ("本期发生额", "上期发生额")
    return (f"{y}年12月31日", f"{y - 1}年12月31日") if kind == "bs" else (f"{y}年度", f"{y - 1}年度")


def order(ctx: Ctx, pair: tuple[str, str]) -> list[str]:
    return list(pair) if ctx.v.current_first else [pair[1], pair[0]]


# ------------------------------------------------------------------------------ notes tables' own unit

def table_variant(ctx: Ctx):  # type: ignore[no-untyped-def]
    """The variant notes tables are printed with: the statement's, or yuan when the report prints its
    notes in 元 while the statements are in 万元 / 千元 (issue 13, class 1)."""
    from dataclasses import replace
    v = ctx.v
    return v if v.table_unit == "same" else replace(v, unit="元", multiplier=1)


def tmoney(ctx: Ctx, x: Decimal) -> str:
    return fmt.amount(x, table_variant(ctx))


def unit_blocks(ctx: Ctx, header: list[str], heading_at: int | None = None) -> list[str]:
    """Put the notes table's unit where this report prints it; returns the (maybe changed) header.
    ``heading_at`` is the index in ctx.blocks of the table's heading (for a unit line above it)."""
    tu = ctx.v.table_unit
    if tu == "same":
        ctx.add(Para(unit_line(ctx), size=9, align="right", keep_next=True))
    elif tu == "yuan_line":
        ctx.add(Para("单位：元", size=9, align="right", keep_next=True))
    elif tu == "yuan_above" and heading_at is not None:
        ctx.blocks.insert(heading_at, Para("单位：元", size=9, align="right", keep_next=True))
    elif tu == "yuan_header":
        header = [h + "（元）" if i else h for i, h in enumerate(header)]
    return header


# ------------------------------------------------------------------------------ front matter

def cover(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    ctx.add(Spacer(120), Para(f"证券代码：{d.code}　　　　　　证券简称：{d.short_name}", size=12, align="center"),
            Spacer(110), Heading(d.company, 0, align="center", fake_bold=v.fake_bold),
            Spacer(20), Heading(f"{d.year}年年度报告", 0, align="center", fake_bold=v.fake_bold),
            Spacer(230), Para(f"{d.year + 1}年{ctx.rng.randint(3, 4)}月", size=12, align="center"),
            PageBreak())


def toc_page(ctx: Ctx) -> list[TocLine]:
    ctx.add(Heading("目　录", 1, align="center"), Spacer(10))
    lines = list(ctx.toc)
    return lines


def notice(ctx: Ctx, sec: dict[str, str]) -> None:
    d = ctx.d
    ctx.heading(sec["notice"], 1, tag="sec:notice", toc=0)
    ctx.para("公司董事会、监事会及董事、监事、高级管理人员保证年度报告内容的真实、准确、完整，不存在虚假记载、"
             "误导性陈述或重大遗漏，并承担个别和连带的法律责任。")
    rep = ctx.person()
    ctx.para(f"公司负责人{rep}、主管会计工作负责人{ctx.person()}及会计机构负责人（会计主管人员）{ctx.person()}"
             "声明：保证年度报告中财务报告的真实、准确、完整。")
    ctx.para(f"{ctx.rng.choice(['天健', '立信', '容诚', '中汇', '信永中和'])}会计师事务所（特殊普通合伙）为本公司出具了"
             "标准无保留意见的审计报告。")
    ctx.heading("释义", 2)
    ctx.add(simple_table(["释义项", "指", "释义内容"], [
        ["公司、本公司", "指", d.company], ["报告期、本报告期", "指", f"{d.year}年1月1日至{d.year}年12月31日"],
        ["元、万元", "指", "人民币元、人民币万元"], ["控股股东", "指", d.related_parties[0].name],
        ["证监会", "指", "中国证券监督管理委员会"]], widths=[150, 30, 300], aligns="lcl"))
    ctx.extra_rep = rep  # type: ignore[attr-defined]


def profile_and_keydata(ctx: Ctx, sec: dict[str, str]) -> None:
    d = ctx.d
    ctx.add(PageBreak())
    ctx.heading(sec["profile"], 1, tag="sec:profile", toc=0)
    ctx.heading("一、公司信息", 2)
    ctx.add(simple_table(["项目", "内容"], [
        ["股票简称", d.short_name], ["股票代码", d.code], ["公司的中文名称", d.company],
        ["公司的外文名称", d.company_en], ["法定代表人", getattr(ctx, "extra_rep", ctx.person())],
        ["注册地址", f"{d.company[:3]}高新技术产业开发区{ctx.rng.randint(1, 999)}号"]],
        widths=[160, 320], aligns="ll"))
    if sec["keydata"]:
        ctx.add(PageBreak())
        ctx.heading(sec["keydata"], 1, tag="sec:keydata", toc=0)
    ctx.heading("二、主要会计数据和财务指标", 2, tag="keydata")
    inc, bs, cf = d.inc, d.bs, d.cf
    y = d.year

    def row(label: str, p: Pair, money: bool = True) -> list[str]:
        a, b = p
        return [label, fmt.yuan(a) if money else str(a), fmt.yuan(b) if money else str(b),
                fmt.pct(fmt.growth(a, b), sign=True)]

    core = (inc["attrib"][0] - inc["nonop_inc"][0] + inc["nonop_exp"][0],
            inc["attrib"][1] - inc["nonop_inc"][1] + inc["nonop_exp"][1])
    roe = [float(inc["attrib"][i] / bs["parent_equity"][i]) * 100 for i in (0, 1)]
    ctx.add(simple_table(["项目", f"{y}年", f"{y - 1}年", "本年比上年增减"], [
        row("营业收入（元）", inc["revenue"]), row("归属于上市公司股东的净利润（元）", inc["attrib"]),
        row("归属于上市公司股东的扣除非经常性损益的净利润（元）", core),
        row("经营活动产生的现金流量净额（元）", cf["op_net"]),
        ["基本每股收益（元/股）", f"{d.eps[0]:.2f}", f"{d.eps[1]:.2f}", fmt.pct(fmt.growth(*d.eps), sign=True)],
        ["加权平均净资产收益率", f"{roe[0]:.2f}%", f"{roe[1]:.2f}%", f"{roe[0] - roe[1]:+.2f}%"],
        row("总资产（元）", bs["assets_total"]), row("归属于上市公司股东的净资产（元）", bs["parent_equity"])],
        widths=[190, 110, 110, 80]))
    ctx.heading("三、分季度主要财务指标", 2)
    q = ctx.rng
    w = [q.uniform(0.8, 1.2) for _ in range(4)]
    parts = [inc["revenue"][0] * Decimal(str(round(x / sum(w), 6))) for x in w[:3]]
    parts = [p.quantize(Decimal("0.01")) for p in parts]
    parts.append(inc["revenue"][0] - sum(parts, ZERO))
    ctx.add(simple_table(["项目", "第一季度", "第二季度", "第三季度", "第四季度"],
                         [["营业收入"] + [fmt.yuan(p) for p in parts]], widths=[110, 95, 95, 95, 95]))
    ctx.para("单位：元", size=9, align="right")


def mdna(ctx: Ctx, sec: dict[str, str]) -> None:
    d, v = ctx.d, ctx.v
    inc = d.inc
    ctx.add(PageBreak())
    ctx.heading(sec["mdna"], 1, tag="sec:mdna", toc=0)
    ctx.heading("一、概述", 2)
    g = fmt.growth(*inc["revenue"])
    up = lambda x: ("增长" if x >= 0 else "下降") + f"{abs(x) * 100:.2f}%"
    ctx.para(f"报告期内，公司实现营业收入{fmt.wan(inc['revenue'][0])}万元，较上年同期{up(g)}；实现归属于上市公司股东"
             f"的净利润{fmt.wan(inc['attrib'][0])}万元，较上年同期{up(fmt.growth(*inc['attrib']))}。"
             f"截至报告期末，公司总资产{fmt.yi(d.bs['assets_total'][0])}亿元。")
    rnd_sentence = (f"研发费用{fmt.wan(inc['rnd'][0])}万元，同比{up(fmt.growth(*inc['rnd']))}，"
                    if v.rnd_line else "")
    ctx.para(f"报告期内，公司销售费用{fmt.wan(inc['selling'][0])}万元，同比{up(fmt.growth(*inc['selling']))}；"
             f"管理费用{fmt.wan(inc['admin'][0])}万元，同比{up(fmt.growth(*inc['admin']))}；{rnd_sentence}"
             "主要系公司业务规模变化及持续加大研发投入所致。")
    filler(ctx, 2)
    ctx.heading("二、主营业务分析", 2)
    ctx.heading("1、收入与成本", 3)
    ctx.heading("（1）营业收入构成", 3)
    seg_names = {k: n for k, n, _, _ in SEGMENTS}
    rows = []
    rev = inc["revenue"]
    rows.append(["营业收入合计", fmt.yuan(rev[0]), "100%", fmt.yuan(rev[1]), "100%", fmt.pct(g, sign=True)])
    for k, p in d.segments:
        rows.append([seg_names[k], fmt.yuan(p[0]), fmt.pct(p[0] / rev[0]), fmt.yuan(p[1]), fmt.pct(p[1] / rev[1]),
                     fmt.pct(fmt.growth(*p), sign=True)])
    ctx.add(Para("单位：元", size=9, align="right", keep_next=True),
            simple_table(["项目", f"{d.year}年金额", "占营业收入比重", f"{d.year - 1}年金额", "占营业收入比重", "同比增减"],
                         rows, widths=[80, 100, 64, 100, 64, 62], size=8.5))
    top5(ctx)
    expenses(ctx)
    rnd_table(ctx)
    cash_summary(ctx)


def top5(ctx: Ctx) -> None:
    d = ctx.d
    rev = d.inc["revenue"][0]
    ctx.heading("（2）主要销售客户和主要供应商情况", 3)
    total = sum((c.amount for c in d.customers), ZERO)
    rel = sum((c.amount for c in d.customers if c.related), ZERO)
    style = ctx.v.top5_style
    money = fmt.wan if style != "table" else fmt.yuan
    unit = "万元" if style != "table" else "元"
    if style == "sentence":  # SSE: the totals in one sentence, the table in 万元 after it
        ctx.para(f"前五名客户销售额{fmt.wan(total)}万元，占年度销售总额{fmt.pct(total / rev)}；其中前五名客户销售额中"
                 f"关联方销售额{fmt.wan(rel)}万元，占年度销售总额{fmt.pct(rel / rev)}。")
    else:
        ctx.para("公司主要销售客户情况", size=9)
        ctx.add(simple_table(["项目", "金额/比例"], [
            [f"前五名客户合计销售金额（{unit}）", money(total)],
            ["前五名客户合计销售金额占年度销售总额比例", fmt.pct(total / rev)],
            ["前五名客户销售额中关联方销售额占年度销售总额比例", fmt.pct(rel / rev)]], widths=[330, 150]))
    named = not d.customers_anonymised
    header = ["序号", "客户名称", f"销售额（{unit}）", "占年度销售总额比例"] + (["是否存在\n关联关系"] if named else [])
    rows = [[str(i + 1), c.name, money(c.amount), fmt.pct(c.amount / rev)] + (["是" if c.related else "否"] if named else [])
            for i, c in enumerate(d.customers)]
    rows.append(["合计", "--", money(total), fmt.pct(total / rev)] + ([""] if named else []))
    widths = [36, 196, 104, 84] + ([70] if named else [])
    ctx.para("公司前5大客户资料", size=9, keep_next=True)
    t = simple_table(header, rows, widths=widths, aligns="cl" + "rr" + ("c" if named else ""),
                     tags=[None] * 5 + ["top5:total"], total_last=True)
    t.tag = "top5"
    ctx.add(t)


def expenses(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    inc = d.inc
    ctx.heading("2、费用", 3, tag="mdna:expenses")
    keys = [("销售费用", "selling"), ("管理费用", "admin"), ("财务费用", "finance")]
    if v.rnd_line:
        keys.append(("研发费用", "rnd"))
    rows = []
    for label, k in keys:
        c, p = inc[k]
        reason = "主要系业务规模变化所致" if abs(fmt.growth(c, p)) > 0.15 else ""
        rows.append([label, fmt.amount(c, v), fmt.amount(p, v), fmt.pct(fmt.growth(c, p), sign=True), reason])
    ctx.add(Para(unit_line(ctx).replace("金额单位", "单位"), size=9, align="right", keep_next=True),
            simple_table(["项目", "本期金额", "上年同期金额", "变动比例", "变动原因"], rows,
                         widths=[70, 110, 110, 64, 126], aligns="lrrrl"))


def rnd_table(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    ri = d.rnd_input
    if ri is None:
        return
    ctx.heading("3、研发投入", 3)
    ctx.para("公司始终坚持自主创新，报告期内围绕核心产品的迭代升级和新产品开发持续投入，"
             f"研发人员数量为{d.rnd_staff[0]}人，占公司总人数的{float(d.rnd_staff[0]) / d.staff * 100:.2f}%。")
    pre = "本期" if v.rnd_line else ""
    rev = d.inc["revenue"]
    rows = [[f"{pre}费用化研发投入", fmt.amount(ri["expensed"][0], v), fmt.amount(ri["expensed"][1], v)],
            [f"{pre}资本化研发投入", fmt.amount(ri["capitalised"][0], v), fmt.amount(ri["capitalised"][1], v)],
            ["研发投入合计", fmt.amount(ri["total"][0], v), fmt.amount(ri["total"][1], v)],
            ["研发投入总额占营业收入比例（%）", f"{float(ri['total'][0] / rev[0]) * 100:.2f}",
             f"{float(ri['total'][1] / rev[1]) * 100:.2f}"],
            ["研发投入资本化的比重（%）", f"{float(ri['capitalised'][0] / ri['total'][0]) * 100:.2f}",
             f"{float(ri['capitalised'][1] / ri['total'][1]) * 100:.2f}"]]
    ctx.add(Para(unit_line(ctx).replace("金额单位", "单位"), size=9, align="right", keep_next=True),
            simple_table(["项目", f"{d.year}年", f"{d.year - 1}年"], rows, widths=[220, 130, 130],
                         tags=[None, None, "rnd_input", None, None]))


def cash_summary(ctx: Ctx) -> None:
    d = ctx.d
    cf = d.cf
    ctx.heading("4、现金流", 3)
    rows = []
    for label, k in [("经营活动现金流入小计", "op_in"), ("经营活动现金流出小计", "op_out"),
                     ("经营活动产生的现金流量净额", "op_net"), ("投资活动产生的现金流量净额", "inv_net"),
                     ("筹资活动产生的现金流量净额", "fin_net")]:
        c, p = cf[k]
        rows.append([label, fmt.yuan(c), fmt.yuan(p), fmt.pct(fmt.growth(c, p), sign=True) if p > 0 else "不适用"])
    ctx.add(Para("单位：元", size=9, align="right", keep_next=True),
            simple_table(["项目", f"{d.year}年", f"{d.year - 1}年", "同比增减"], rows, widths=[190, 110, 110, 70]))
    filler(ctx, 1)


def events_shares_directors(ctx: Ctx, sec: dict[str, str]) -> None:
    d = ctx.d
    ctx.add(PageBreak())
    ctx.heading(sec["events"], 1, tag="sec:events", toc=0)
    ctx.heading("一、重大关联交易", 2)
    total = sum((s.current for s in d.related_sales), ZERO)
    ctx.para(f"报告期内，公司与关联方发生的与日常经营相关的关联交易中，向关联方销售商品、提供劳务合计"
             f"{fmt.wan(total)}万元，占营业收入的{fmt.pct(total / d.inc['revenue'][0])}。上述关联交易均按照市场"
             "公允价格定价，已履行必要的审议程序。详见本报告财务报告部分“关联方及关联交易”。")
    ctx.heading("二、重大诉讼、仲裁事项", 2)
    ctx.para("□适用　√不适用　本报告期公司无重大诉讼、仲裁事项。")
    ctx.heading(sec["shares"], 1, tag="sec:shares", toc=0)
    ctx.heading("前十名股东持股情况", 2)
    rng = ctx.rng
    holders = [(d.related_parties[0].name, "境内非国有法人", rng.uniform(25, 45))]
    for _ in range(7):
        holders.append((ctx.person(), "境内自然人", rng.uniform(0.5, 5)))
    holders.append((f"{rng.choice(['华夏', '易方达', '广发', '嘉实'])}基金管理有限公司－社保基金{rng.randint(100, 499)}组合",
                    "其他", rng.uniform(0.3, 1.5)))
    rows = [[n, k, f"{p:.2f}%", f"{int(d.shares * p / 100):,}"] for n, k, p in sorted(holders, key=lambda h: -h[2])]
    ctx.add(simple_table(["股东名称", "股东性质", "持股比例", "持股数量（股）"], rows, widths=[220, 90, 70, 100],
                         aligns="lcrr"))
    ctx.add(PageBreak())
    ctx.heading(sec["directors"], 1, tag="sec:directors", toc=0)
    roles = ["董事长", "董事、总经理", "董事、副总经理", "董事、财务总监", "独立董事", "独立董事", "监事会主席",
             "监事", "董事会秘书"]
    rows = [[ctx.person(), r, rng.choice(["男", "女"]), str(rng.randint(35, 64)), f"{rng.uniform(8, 160):.2f}"]
            for r in roles]
    ctx.add(simple_table(["姓名", "职务", "性别", "年龄", "从公司获得的税前报酬总额（万元）"], rows,
                         widths=[70, 130, 50, 50, 180], aligns="llccr"))
    filler(ctx, 2)


# ------------------------------------------------------------------------------ financial statements

def fin_heading(ctx: Ctx, no: int, name: str) -> str:
    v = ctx.v
    if v.style == "bse":
        return f"（{'一二三四五六'[no - 1]}）{name}"
    if v.style == "ashare_combined":
        prefix = f"{ctx.d.year}年12月31日" if "资产负债表" in name else f"{ctx.d.year}年度"
        return prefix + name.replace("合并", "合并及公司")
    return f"{no}、{name}"


def statement_header(ctx: Ctx, kind: str, four: bool) -> list[Row]:
    v = ctx.v
    cur, pri = period_headers(ctx, kind)
    note = ["附注"] if v.note_column != "none" else []
    if not four:
        return [Row(["项目"] + note + order(ctx, (cur, pri)), kind="header")]
    n = 1 + len(note)
    return [Row(["项目"] + note + ["合并", "", "公司", ""], kind="header", spans=[(n, n + 1), (n + 2, n + 3)]),
            Row([""] + [""] * len(note) + [cur, pri, cur, pri], kind="header")]


def make_statement(ctx: Ctx, kind: str, title: str, tag: str, keep_page: bool = False) -> Built:
    d, v = ctx.d, ctx.v
    four = v.style == "ashare_combined"
    if kind == "is":
        lines = cas_income(v, d, parent=False)
        cons = d.inc
        comp = d.par
    elif kind == "pis":
        lines = cas_income(v, d, parent=True)
        cons, comp = d.par, d.par
    elif kind == "bs":
        lines, cons, comp = cas_balance(), d.bs, d.pbs
    elif kind == "pbs":
        lines, cons, comp = cas_balance(), d.pbs, d.pbs
    elif kind == "pcf":
        lines, cons, comp = cas_cashflow(), d.pcf, d.pcf
    else:
        lines, cons, comp = cas_cashflow(), d.cf, d.pcf
    if kind in ("cf", "pcf") and v.cf_wrapped and not v.wrapped_labels:
        lines = [_wrap_line(ln, 12) if ln.label.startswith("销售商品") else ln for ln in lines]
    eps = d.eps if kind == "is" else None
    per = [0, 1] if v.current_first else [1, 0]
    sources = [(cons, eps, p) for p in per]
    if four:
        sources += [(comp, None, p) for p in per]
    if v.wrapped_labels:
        lines = [_wrap_line(ln, 12) for ln in lines]
    label_w = (150.0 if v.wrapped_labels else 200.0) if not four else 150.0
    header = statement_header(ctx, "bs" if kind in ("bs", "pbs") else "is", four)
    built = statement_table(lines, v, sources, header, ctx.notes_no, tag, label_w, "grid",
                            row_h=15.0 if kind in ("is", "pis") else 14.0)
    built.table.size = min(built.table.size, 8.5 if four else 9.0)
    built.table.cont_title = f"{title.split('、')[-1].split('）')[-1]}（续）"
    built.table.repeat_header = True
    return built


def _wrap_line(ln, at: int):  # type: ignore[no-untyped-def]
    from dataclasses import replace
    label = ln.label
    if len(label) <= at + 2 or "\n" in label:
        return ln
    # Break where a typesetter would: before the bracketed remark, else after `at` characters.
    cut = label.find("（", 4)
    if cut == -1 or cut > at + 4:
        cut = at
    return replace(ln, label=label[:cut] + "\n" + label[cut:])


def statements(ctx: Ctx, sec: dict[str, str]) -> None:
    d, v = ctx.d, ctx.v
    ctx.add(PageBreak())
    ctx.heading(sec["fin"], 1, tag="sec:fin", toc=0)
    ctx.heading("一、审计报告", 2)
    ctx.para(f"{d.company}全体股东：")
    ctx.para(f"我们审计了{d.company}（以下简称{d.short_name}公司）财务报表，包括{d.year}年12月31日的合并及母公司资产负债表，"
             f"{d.year}年度的合并及母公司利润表、合并及母公司现金流量表、合并及母公司所有者权益变动表，以及相关财务报表附注。")
    ctx.para(f"我们认为，后附的财务报表在所有重大方面按照企业会计准则的规定编制，公允反映了{d.short_name}公司{d.year}年"
             f"12月31日的合并及母公司财务状况以及{d.year}年度的合并及母公司经营成果和现金流量。")
    ctx.para("我们按照中国注册会计师审计准则的规定执行了审计工作。审计报告的“注册会计师对财务报表审计的责任”部分进一步"
             "阐述了我们在这些准则下的责任。按照中国注册会计师职业道德守则，我们独立于公司，并履行了职业道德方面的其他责任。")
    ctx.add(PageBreak())
    ctx.heading("二、财务报表", 2)
    four = v.style == "ashare_combined"
    # Balance sheet(s)
    t_bs = fin_heading(ctx, 1, "合并资产负债表")
    ctx.heading(t_bs, 2, tag="bs:title", align="center", toc=1)
    ctx.toc[-1].text = t_bs
    ctx.add(Para(f"编制单位：{d.company}　　　　{unit_line(ctx)}", size=9, align="right", keep_next=True))
    b = make_statement(ctx, "bs", t_bs, "bs")
    for r in b.table.rows:
        if r.cells[0].replace("\n", "").replace("\u3000", "") == "应收账款":
            ctx.facts.tags["receivables"] = r.tag or ""
    ctx.add(b.table)
    ctx.para(f"法定代表人：{getattr(ctx, 'extra_rep', '')}　主管会计工作负责人：{ctx.person()}　会计机构负责人：{ctx.person()}",
             size=9)
    if not four:
        t_pbs = fin_heading(ctx, 2, "母公司资产负债表")
        ctx.heading(t_pbs, 2, align="center", tag="pbs:title")
        ctx.add(Para(unit_line(ctx), size=9, align="right", keep_next=True), make_statement(ctx, "pbs", t_pbs, "pbs").table)
    # Income statement: either flows on after the balance sheet (and so breaks across a page), or
    # starts on a fresh page where it fits whole.
    t_is = fin_heading(ctx, 2 if four else 3, "合并利润表")
    ctx.facts.statement_title = t_is
    if not v.statement_page_break:
        ctx.add(PageBreak())
    else:
        ctx.add(Spacer(0.0))  # placeholder: the pipeline steers where the table breaks
        ncols = len(ctx.blocks[-2].columns) if hasattr(ctx.blocks[-2], "columns") else 4  # type: ignore[union-attr]
        for label, before in OPTIONAL_BS_ROWS:
            ctx.pad_rows.append((Row([label] + [""] * (ncols - 1), indent=1), before))
    ctx.heading(t_is, 2, tag="is:title", align="center", toc=1)
    ctx.add(Para(unit_line(ctx), size=9, align="right", keep_next=True))
    built = make_statement(ctx, "is", t_is, "is")
    built.table.repeat_header = v.continuation_header
    built.table.cont_title = f"{t_is.split('、')[-1].split('）')[-1]}（续）" if v.continuation_header else None
    ctx.add(built.table)
    for (item, period), (printed, tag) in built.printed.items():
        val = d.inc[{"revenue": "revenue", "selling_expense": "selling", "admin_expense": "admin",
                     "rnd_expense": "rnd"}[item]][period]
        ctx.record(item, period, printed, tag, val, "income_statement")
    ctx.para(f"法定代表人：{getattr(ctx, 'extra_rep', '')}　主管会计工作负责人：{ctx.person()}　会计机构负责人：{ctx.person()}",
             size=9)
    if not four:
        t_pis = fin_heading(ctx, 4, "母公司利润表")
        ctx.add(PageBreak())
        ctx.heading(t_pis, 2, align="center", tag="pis:title")
        ctx.add(Para(unit_line(ctx), size=9, align="right", keep_next=True), make_statement(ctx, "pis", t_pis, "pis").table)
    t_cf = fin_heading(ctx, 3 if four else 5, "合并现金流量表")
    ctx.add(PageBreak())
    ctx.heading(t_cf, 2, align="center", tag="cf:title", toc=1)
    ctx.add(Para(unit_line(ctx), size=9, align="right", keep_next=True))
    cfb = make_statement(ctx, "cf", t_cf, "cf")
    ctx.facts.tags["cash_from_sales"] = next(r.tag for r in cfb.table.rows
                                             if r.cells[0].replace("\n", "").lstrip("\u3000").startswith("销售商品")) or ""
    ctx.add(cfb.table)
    if v.cf_parent and not four:
        # the parent company's cash flows follow on the same page when they fit (a trap for a reader
        # that takes the last 销售商品 line it sees)
        t_pcf = fin_heading(ctx, 6, "母公司现金流量表")
        ctx.heading(t_pcf, 2, align="center", tag="pcf:title")
        ctx.add(Para(unit_line(ctx), size=9, align="right", keep_next=True), make_statement(ctx, "pcf", t_pcf, "pcf").table)


def notes(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    part = "七" if v.note_column == "七、61" else "五"
    ctx.add(PageBreak())
    ctx.heading(f"{part}、合并财务报表项目注释", 2, tag="notes:title", toc=1)
    unit_sentence = unit_line(ctx).replace("单位：", "金额单位：").replace("金额金额", "金额") + "。"
    ctx.para("以下注释项目（含母公司财务报表主要项目注释）除非特别指出，期初指上年年末，期末指本年年末，本期指本年度，"
             "上期指上年度。" + (unit_sentence if v.table_unit == "same" else ""), size=9)
    tv = table_variant(ctx)
    nn = ctx.notes_no
    cur_h, pri_h = ("期末余额", "期初余额")
    # Receivables by age
    at = len(ctx.blocks)
    ctx.heading(f"{nn['ar']}、应收账款", 3)
    ar = d.bs["ar"]
    allow = tuple(Decimal(int(float(ar[i]) * ctx.rng.uniform(0.04, 0.08) / float(v.quantum))) * v.quantum for i in (0, 1))
    gross = (ar[0] + allow[0], ar[1] + allow[1])
    rows = []
    wts = [ctx.rng.uniform(6, 9), ctx.rng.uniform(0.5, 1.5), ctx.rng.uniform(0.1, 0.5), ctx.rng.uniform(0.05, 0.2)]
    from .data import Draw
    dr = Draw(ctx.rng, v.quantum)
    ages = [dr.split(gross[0], wts), dr.split(gross[1], wts)]
    for i, lab in enumerate(["1年以内（含1年）", "1至2年", "2至3年", "3年以上"]):
        rows.append([lab, fmt.amount(ages[0][i], tv), fmt.amount(ages[1][i], tv)])
    rows += [["小计", fmt.amount(gross[0], tv), fmt.amount(gross[1], tv)],
             ["减：坏账准备", fmt.amount(allow[0], tv), fmt.amount(allow[1], tv)],
             ["合计", fmt.amount(ar[0], tv), fmt.amount(ar[1], tv)]]
    hdr = unit_blocks(ctx, ["账龄", cur_h, pri_h], at) if v.table_unit != "same" else ["账龄", cur_h, pri_h]
    ctx.add(simple_table(hdr, rows, widths=[200, 140, 140], total_last=True))
    # Revenue and cost
    at = len(ctx.blocks)
    ctx.heading(f"{nn['revenue']}、营业收入和营业成本", 3)
    rev, cost = d.inc["revenue"], d.inc["cost"]
    other_r = [dr.frac(rev[i], 0.01, 0.04) for i in (0, 1)]
    other_c = [dr.frac(cost[i], 0.005, 0.03) for i in (0, 1)]
    rows = [["主营业务"] + [fmt.amount(x, tv) for x in (rev[0] - other_r[0], cost[0] - other_c[0], rev[1] - other_r[1], cost[1] - other_c[1])],
            ["其他业务"] + [fmt.amount(x, tv) for x in (other_r[0], other_c[0], other_r[1], other_c[1])],
            ["合计"] + [fmt.amount(x, tv) for x in (rev[0], cost[0], rev[1], cost[1])]]
    hdr = ["项目", "本期发生额\n收入", "本期发生额\n成本", "上期发生额\n收入", "上期发生额\n成本"]
    if v.table_unit != "same":
        hdr = unit_blocks(ctx, hdr, at) if v.table_unit != "yuan_header" else hdr
    ctx.add(simple_table(hdr, rows, widths=[80, 100, 100, 100, 100], total_last=True, size=8.5))
    for key, title in [("selling", "销售费用"), ("admin", "管理费用"), ("rnd", "研发费用")]:
        if key == "rnd" and not v.rnd_line:
            continue
        breakdown(ctx, key, f"{nn[key]}、{title}")
    at = len(ctx.blocks)
    ctx.heading(f"{nn['finance']}、财务费用", 3)
    fin = d.inc["finance"]
    rows = []
    other = [fin[i] - d.inc["fin_int_exp"][i] + d.inc["fin_int_inc"][i] for i in (0, 1)]
    fx = [dr.q(float(o) * 0.4) for o in other]
    fee = [o - f for o, f in zip(other, fx)]
    for lab, p in [("利息费用", d.inc["fin_int_exp"]), ("减：利息收入", d.inc["fin_int_inc"]),
                   ("汇兑损益", (fx[0], fx[1])), ("手续费及其他", (fee[0], fee[1])), ("合计", fin)]:
        rows.append([lab, fmt.amount(p[0], tv), fmt.amount(p[1], tv)])
    hdr = unit_blocks(ctx, ["项目", "本期发生额", "上期发生额"], at) if v.table_unit != "same" else ["项目", "本期发生额", "上期发生额"]
    ctx.add(simple_table(hdr, rows, widths=[200, 140, 140], total_last=True))


def breakdown(ctx: Ctx, key: str, title: str) -> None:
    d, v = ctx.d, ctx.v
    tv = table_variant(ctx)
    at = len(ctx.blocks)
    ctx.heading(title, 3, tag=f"notes:{key}")
    rows, tags = [], []
    flip = v.notes_prior_first
    for k, (c, p) in d.notes[key]:
        cells = [fmt.amount(c, tv), fmt.amount(p, tv)]
        rows.append([NOTE_LABELS[k]] + (cells[::-1] if flip else cells))
        tag = f"notes:{key}:{k}"
        tags.append(tag)
        if k == "rnd_in_admin":
            ctx.record("rnd_expense", 0, cells[0], tag, c, "notes")
            ctx.record("rnd_expense", 1, cells[1], tag, p, "notes")
    tot = d.inc[key]
    cells = [fmt.amount(tot[0], tv), fmt.amount(tot[1], tv)]
    rows.append(["合计"] + (cells[::-1] if flip else cells))
    tags.append(f"notes:{key}:total")
    hdr = ["项目", "上期发生额", "本期发生额"] if flip else ["项目", "本期发生额", "上期发生额"]
    if v.table_unit != "same":
        hdr = unit_blocks(ctx, hdr, at)
    t = simple_table(hdr, rows, widths=[200, 140, 140], tags=tags, total_last=True)
    t.tag = f"notes:{key}:table"
    t.repeat_header = not v.notes_break
    ctx.add(t)


def related(ctx: Ctx) -> None:
    d, v = ctx.d, ctx.v
    no = "十二" if v.style != "bse" else "九"
    ctx.add(PageBreak())
    ctx.heading(f"{no}、关联方及关联交易", 2, tag="related:title", toc=1)
    ctx.heading("1、本企业的母公司情况", 3)
    ctx.para(f"本公司的控股股东为{d.related_parties[0].name}，最终控制方为{ctx.person()}。")
    ctx.heading("2、关联方情况", 3)
    rows = [[p.name, p.relationship] for p in d.related_parties]
    t = simple_table(["关联方名称", "与本企业关系"], rows, widths=[290, 190], aligns="ll")
    t.tag = "related_parties"
    ctx.add(t)
    at = len(ctx.blocks)
    ctx.heading("3、关联交易情况", 3)
    ctx.heading("（1）购销商品、提供和接受劳务的关联交易", 3)
    ctx.para("出售商品/提供劳务情况表", size=9, keep_next=True)
    tv = table_variant(ctx)
    rows = [[s.name, s.content, fmt.amount(s.current, tv), fmt.amount(s.prior, tv)] for s in d.related_sales]
    tc = sum((s.current for s in d.related_sales), ZERO)
    tp = sum((s.prior for s in d.related_sales), ZERO)
    rows.append(["合计", "", fmt.amount(tc, tv), fmt.amount(tp, tv)])
    hdr = unit_blocks(ctx, ["关联方", "关联交易内容", "本期发生额", "上期发生额"], at)
    ctx.add(simple_table(hdr, rows, widths=[200, 80, 100, 100],
                         aligns="llrr", tags=[None] * len(d.related_sales) + ["related_sales:total"], total_last=True))
    filler(ctx, 1)


def build(ctx: Ctx) -> None:
    sec = _sections(ctx.v.style)
    base = ctx.rng.randint(3, 40)
    ctx.notes_no = {"ar": base % 7 + 3, "revenue": base + 20, "interest": base + 21, "taxes": base + 22,
                    "selling": base + 23, "admin": base + 24, "rnd": base + 25, "finance": base + 26}
    if not ctx.v.rnd_line:
        ctx.notes_no["finance"] = base + 25
    cover(ctx)
    ctx.add(Heading("目　录", 1, align="center", tag="toc"), Spacer(8))
    toc_at = len(ctx.blocks)
    ctx.add(PageBreak())
    notice(ctx, sec)
    profile_and_keydata(ctx, sec)
    mdna(ctx, sec)
    events_shares_directors(ctx, sec)
    statements(ctx, sec)
    notes(ctx)
    related(ctx)
    ctx.blocks[toc_at:toc_at] = list(ctx.toc)
