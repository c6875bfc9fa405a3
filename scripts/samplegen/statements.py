"""Line-by-line definitions of the statements (CAS and IFRS/US GAAP presentations) and their
conversion to layout tables. A line names the data key it prints, so every printed amount comes
from the same numbers that the truth file records."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import fmt
from .data import Pair, ReportData
from .layout import BODY_W, Column, Row, Table
from .variants import Variant


@dataclass(frozen=True)
class Line:
    label: str
    key: str | None = None  # data key; None = heading line without amounts; "zero" = printed zero
    note: str | None = None  # notes key whose number goes into the note column
    indent: int = 0
    sign: int = 1  # -1: printed as a deduction (IFRS/US expenses)
    kind: str = "body"
    item: str | None = None  # truth item printed on this line (revenue, selling_expense, ...)


L = Line

# ----------------------------------------------------------------- CAS consolidated income statement

def cas_income(v: Variant, d: ReportData, parent: bool) -> list[Line]:
    old = not v.rnd_line
    fin = v.total_revenue_differs and not parent
    simple = parent or v.style == "ashare_combined"
    lines: list[Line] = []
    item = (lambda name: None) if parent else (lambda name: name)
    if simple:
        lines += [L("一、营业收入", "revenue", "revenue", item=item("revenue")),
                  L("减：营业成本", "cost", "revenue", 1)]
    else:
        lines += [L("一、营业总收入", "total_revenue"),
                  L("其中：营业收入", "revenue", "revenue", 1, item="revenue")]
        if fin:
            lines += [L("利息收入", "interest_income_fin", "interest", 3), L("已赚保费", "blank", None, 3),
                      L("手续费及佣金收入", "blank", None, 3)]
        lines += [L("二、营业总成本", "total_cost"), L("其中：营业成本", "cost", "revenue", 1)]
        if fin:
            lines += [L("利息支出", "interest_exp_fin", "interest", 3), L("手续费及佣金支出", "blank", None, 3)]
    ind = 1 if simple else 3
    lines += [L("营业税金及附加" if old else "税金及附加", "taxes", "taxes", ind),
              L("销售费用", "selling", "selling", ind, item=item("selling_expense")),
              L("管理费用", "admin", "admin", ind, item=item("admin_expense"))]
    if not old:
        lines.append(L("研发费用", "rnd", "rnd", ind, item=item("rnd_expense")))
    lines.append(L("财务费用", "finance", "finance", ind))
    if not old:
        lines += [L("其中：利息费用", "fin_int_exp", None, ind + 1), L("利息收入", "fin_int_inc", None, ind + 3)]
    if old:
        lines += [L("资产减值损失", "asset_loss", None, ind),
                  L("加：公允价值变动收益（损失以“－”号填列）", "fv_change", None, 0),
                  L("投资收益（损失以“－”号填列）", "invest", None, 2),
                  L("其中：对联营企业和合营企业的投资收益", "invest_assoc", None, 2)]
        if v.fiscal_year >= 2017:
            lines.insert(len(lines) - 3, L("加：其他收益", "other_income", None, 0))
    else:
        lines += [L("加：其他收益", "other_income", None, 0),
                  L("投资收益（损失以“－”号填列）", "invest", None, 2),
                  L("其中：对联营企业和合营企业的投资收益", "invest_assoc", None, 2),
                  L("公允价值变动收益（损失以“－”号填列）", "fv_change", None, 2),
                  L("信用减值损失（损失以“－”号填列）", "-credit_loss", None, 2),
                  L("资产减值损失（损失以“－”号填列）", "-asset_loss", None, 2),
                  L("资产处置收益（损失以“－”号填列）", "disposal", None, 2)]
    n = ["二", "三", "四", "五", "六"] if simple else ["三", "四", "五", "六", "七"]
    lines += [L(f"{n[0]}、营业利润（亏损以“－”号填列）", "op_profit"),
              L("加：营业外收入", "nonop_inc", None, 0), L("减：营业外支出", "nonop_exp", None, 0),
              L(f"{n[1]}、利润总额（亏损总额以“－”号填列）", "profit_total"),
              L("减：所得税费用", "tax", None, 0),
              L(f"{n[2]}、净利润（净亏损以“－”号填列）", "net")]
    if parent:
        lines += [L("（一）持续经营净利润（净亏损以“－”号填列）", "net", None, 1),
                  L("（二）终止经营净利润（净亏损以“－”号填列）", "zero", None, 1),
                  L(f"{n[3]}、其他综合收益的税后净额", "oci"), L(f"{n[4]}、综合收益总额", "comp_total")]
        return lines
    if not old and not simple:
        lines += [L("（一）按经营持续性分类", None, None, 1),
                  L("1.持续经营净利润（净亏损以“－”号填列）", "net", None, 2),
                  L("2.终止经营净利润（净亏损以“－”号填列）", "zero", None, 2),
                  L("（二）按所有权归属分类", None, None, 1)]
    lines += [L("归属于母公司股东的净利润", "attrib", None, 2), L("少数股东损益", "minority", None, 2),
              L(f"{n[3]}、其他综合收益的税后净额", "oci"), L(f"{n[4]}、综合收益总额", "comp_total"),
              L("归属于母公司所有者的综合收益总额", "comp_attrib", None, 1),
              L("归属于少数股东的综合收益总额", "comp_minority", None, 1)]
    eight = "八" if not simple else "七"
    lines += [L(f"{eight}、每股收益：", None), L("（一）基本每股收益（元/股）", "eps", None, 1),
              L("（二）稀释每股收益（元/股）", "eps", None, 1)]
    return lines


# ----------------------------------------------------------------- IFRS / US GAAP

IFRS_TEXT = {
    "zh-Hant": {
        "revenue": ["收益", "收入"], "cost": "銷售成本", "gross": "毛利", "other": "其他收入及收益淨額",
        "selling": ["銷售及營銷開支", "銷售及分銷開支"], "rnd": ["研發開支", "研究及開發開支"],
        "admin": ["行政開支"], "credit": "金融資產減值虧損淨額", "op": "經營溢利", "fin_inc": "財務收入",
        "fin_cost": "財務成本", "assoc": "應佔聯營公司業績", "pbt": "除稅前溢利", "tax": "所得稅開支",
        "net": "年內溢利", "attr": "以下人士應佔：", "owners": "本公司擁有人", "nci": "非控股權益",
        "eps_h": "每股盈利", "eps": "基本及攤薄（人民幣元）",
    },
    "en": {
        "revenue": ["Revenue", "Revenues"], "cost": "Cost of sales", "gross": "Gross profit",
        "other": "Other income and gains, net",
        "selling": ["Selling and marketing expenses", "Selling and distribution expenses"],
        "rnd": ["Research and development expenses"],
        "admin": ["General and administrative expenses", "Administrative expenses"],
        "credit": "Impairment losses on financial assets, net", "op": "Operating profit",
        "fin_inc": "Finance income", "fin_cost": "Finance costs", "assoc": "Share of results of associates",
        "pbt": "Profit before income tax", "tax": "Income tax expense", "net": "Profit for the year",
        "attr": "Attributable to:", "owners": "Owners of the Company", "nci": "Non-controlling interests",
        "eps_h": "Earnings per share", "eps": "Basic and diluted (RMB)",
    },
}


def _wrap(label: str, wrapped: bool, at: int) -> str:
    if not wrapped or len(label) <= at:
        return label
    if " " in label:
        words = label.split(" ")
        first: list[str] = []
        while words and len(" ".join(first + [words[0]])) <= at:
            first.append(words.pop(0))
        return " ".join(first) + "\n" + " ".join(words)
    return label[:at] + "\n" + label[at:]


def ifrs_income(v: Variant, d: ReportData, pick: int) -> list[Line]:
    t = IFRS_TEXT["en" if v.language == "en" else "zh-Hant"]
    w = v.wrapped_labels
    sel = t["selling"][pick % len(t["selling"])]
    adm = t["admin"][0] if v.style == "us" or v.language == "zh-Hant" else t["admin"][pick % 2]
    if v.style == "us":
        bare = v.us_labels == "bare"
        return [
            L("Revenues", "revenue", "revenue", item="revenue"),
            L("Cost of revenues", "cost_ifrs", None, 0, -1), L("Gross profit", "gross", kind="total"),
            L("Operating expenses:", None),
            L(_wrap("Sales and marketing" if bare else "Selling and marketing expenses", w, 22), "selling",
              "selling", 1, -1, item="selling_expense"),
            L(_wrap("Research and development" if bare else "Research and development expenses", w, 26), "rnd",
              "rnd", 1, -1, item="rnd_expense"),
            L(_wrap("General and administrative" if bare else "General and administrative expenses", w, 22),
              "admin_ifrs", "admin", 1, -1, item="admin_expense"),
            L("Total operating expenses", "-opex_total", None, 1, kind="total"),
            L("Other operating income, net", "other_op_us", None, 0),
            L("Income from operations", "op_profit_ifrs", kind="total"),
            L("Interest income", "finance_income"), L("Interest expense", "finance_costs", None, 0, -1),
            L("Equity in income of affiliates", "invest_assoc"),
            L("Income before income taxes", "pbt_ifrs", kind="total"),
            L("Income tax expense", "tax", None, 0, -1), L("Net income", "net_ifrs", kind="total"),
            L("Less: net income attributable to non-controlling interests", "minority", None, 0, -1),
            L("Net income attributable to ordinary shareholders", "attrib_ifrs", kind="total"),
            L("Net income per share — basic and diluted (RMB)", "eps"),
        ]
    return [
        L(t["revenue"][pick % 2], "revenue", "revenue", item="revenue"),
        L(t["cost"], "cost_ifrs", None, 0, -1),
        L(t["gross"], "gross", kind="total"),
        L(t["other"], "other_gains", "other"),
        L(_wrap(sel, w, 5 if v.language != "en" else 22), "selling", "selling", 0, -1, item="selling_expense"),
        L(t["rnd"][0], "rnd", "rnd", 0, -1, item="rnd_expense"),
        L(_wrap(adm, w, 22), "admin_ifrs", "admin", 0, -1, item="admin_expense"),
        L(t["credit"], "credit_loss", None, 0, -1),
        L(t["op"], "op_profit_ifrs", kind="total"),
        L(t["fin_inc"], "finance_income", "finance"), L(t["fin_cost"], "finance_costs", "finance", 0, -1),
        L(t["assoc"], "invest_assoc"),
        L(t["pbt"], "pbt_ifrs", "pbt", kind="total"), L(t["tax"], "tax", "tax", 0, -1),
        L(t["net"], "net_ifrs", kind="total"), L(t["attr"], None),
        L(t["owners"], "attrib_ifrs", None, 1), L(t["nci"], "minority", None, 1),
        L(t["eps_h"], None), L(t["eps"], "eps", "eps", 1),
    ]


def cas_income_en(v: Variant) -> list[Line]:
    """The CAS consolidated income statement as English translations of A-share reports print it."""
    w = v.wrapped_labels
    x = lambda label: _wrap(label, w, 34)
    return [
        L("I. Total operating revenue", "total_revenue"),
        L("Including: Operating revenue", "revenue", "revenue", 1, item="revenue"),
        L("II. Total operating costs", "total_cost"),
        L("Including: Operating costs", "cost", "revenue", 1),
        L("Taxes and surcharges", "taxes", "taxes", 3),
        L("Selling expenses", "selling", "selling", 3, item="selling_expense"),
        L("Administrative expenses", "admin", "admin", 3, item="admin_expense"),
        L(x("Research and development expenses"), "rnd", "rnd", 3, item="rnd_expense"),
        L("Financial expenses", "finance", "finance", 3),
        L("Including: Interest expenses", "fin_int_exp", None, 4),
        L("Interest income", "fin_int_inc", None, 6),
        L("Add: Other income", "other_income", None, 0),
        L(x('Investment income (loss is listed with "-")'), "invest", None, 2),
        L(x("Including: Income from investment in associates and joint ventures"), "invest_assoc", None, 2),
        L(x('Gains from changes in fair value (loss is listed with "-")'), "fv_change", None, 2),
        L(x('Credit impairment losses (loss is listed with "-")'), "-credit_loss", None, 2),
        L(x('Asset impairment losses (loss is listed with "-")'), "-asset_loss", None, 2),
        L(x('Gains from disposal of assets (loss is listed with "-")'), "disposal", None, 2),
        L(x('III. Operating profit (loss is listed with "-")'), "op_profit"),
        L("Add: Non-operating income", "nonop_inc"), L("Less: Non-operating expenses", "nonop_exp"),
        L(x('IV. Total profit (total loss is listed with "-")'), "profit_total"),
        L("Less: Income tax expenses", "tax"),
        L(x('V. Net profit (net loss is listed with "-")'), "net"),
        L(x("Net profit attributable to shareholders of the parent company"), "attrib", None, 2),
        L("Minority interests", "minority", None, 2),
        L("VI. Other comprehensive income, net of tax", "oci"),
        L("VII. Total comprehensive income", "comp_total"),
        L("VIII. Earnings per share:", None),
        L("(I) Basic earnings per share", "eps", None, 1),
        L("(II) Diluted earnings per share", "eps", None, 1),
    ]


def derived(d: ReportData) -> dict[str, Pair]:
    """Lines only the US presentation needs, computed from the same data."""
    out: dict[str, Pair] = {}
    inc = d.inc
    out["opex_total"] = tuple(inc["selling"][i] + inc["rnd"][i] + inc["admin_ifrs"][i] for i in (0, 1))  # type: ignore[assignment]
    out["other_op_us"] = tuple(inc["other_gains"][i] - inc["credit_loss"][i] for i in (0, 1))  # type: ignore[assignment]
    return out


# ----------------------------------------------------------------- tables

def note_ref(v: Variant, n: int | None) -> str:
    if n is None or v.note_column == "none":
        return ""
    return {"七、61": f"七、{n}", "五(30)": f"五({n})", "bare": str(n)}[v.note_column]


def value_text(key: str | None, data: dict[str, Pair], eps: Pair | None, period: int, v: Variant,
               sign: int) -> str:
    if key is None or key == "blank":
        return ""
    if key == "zero":
        return fmt.amount(Decimal(0), v)
    if key == "eps":
        if eps is None:
            return ""
        e = eps[period]
        return fmt.amount(e * v.multiplier, v).replace(",", "") if e != 0 else fmt.amount(Decimal(0), v)
    neg = key.startswith("-")
    k = key.lstrip("-")
    if k not in data:
        return ""
    val = data[k][period]
    if neg or sign < 0:
        val = -val
    return fmt.amount(val, v)


def eps_text(e: Decimal, v: Variant) -> str:
    s = f"{abs(e):.2f}"
    if e < 0:
        return f"({s})" if v.negative_style == "parens" else f"-{s}"
    return s


@dataclass
class Built:
    table: Table
    printed: dict[tuple[str, int], tuple[str, str]]  # (item, period) -> (printed, row tag)


def statement_table(lines: list[Line], v: Variant, sources: list[tuple[dict[str, Pair], Pair | None, int]],
                    header: list[Row], notes_no: dict[str, int], tag_prefix: str, label_w: float,
                    rule: str, row_h: float = 15.0) -> Built:
    """sources: one (data, eps, period) per amount column, in printed order."""
    has_note = v.note_column != "none"
    note_w = 46.0 if has_note else 0.0
    if v.amounts_right and len(sources) == 2:
        label_w = BODY_W - note_w - 2 * 84.0  # the amounts sit against the right margin
    amt_w = (BODY_W - label_w - note_w) / len(sources)
    cols = [Column(label_w, "l")] + ([Column(note_w, "c")] if has_note else []) + [Column(amt_w, "r")] * len(sources)
    rows: list[Row] = []
    printed: dict[tuple[str, int], tuple[str, str]] = {}
    for i, ln in enumerate(lines):
        indent = ln.indent
        cells = [ln.label]
        if v.indent_char and indent:  # indented with ideographic spaces typed into the cell
            cells = ["\u3000" * indent + ln.label.replace("\n", "\n" + "\u3000" * indent)]
            indent = 0
        if has_note:
            cells.append(note_ref(v, notes_no.get(ln.note)) if ln.note and ln.key else "")
        for data, eps, period in sources:
            if ln.key == "eps":
                cells.append(eps_text(eps[period], v) if eps is not None else "")
            else:
                cells.append(value_text(ln.key, data, eps, period, v, ln.sign))
        tag = f"{tag_prefix}:{i:02d}"
        nlines = ln.label.count("\n") + 1
        kind = ln.kind if ln.key is not None else ("section" if ln.kind == "body" else ln.kind)
        rows.append(Row(cells, kind=kind, lines=nlines, tag=tag, indent=indent))
        if ln.item:
            for ci, (_, _, period) in enumerate(sources[:2]):
                printed[(ln.item, period)] = (cells[1 + int(has_note) + ci], tag)
    table = Table(cols, header, rows, rule=rule, row_h=row_h, split_spans=v.split_spans)
    # Shrink the type until the widest amount fits its column (digits are about 0.55 em wide): a
    # number that wraps inside a fixed-height cell would be clipped by some producers.
    widest = max((len(c) for r in rows for c in r.cells[1 + int(has_note):]), default=0)
    while table.size > 7.0 and widest * 0.56 * table.size > amt_w - 8:
        table.size -= 0.5
    return Built(table, printed)


# ----------------------------------------------------------------- balance sheet and cash flow

def cas_balance() -> list[Line]:
    return [
        L("流动资产：", None), L("货币资金", "cash", None, 1), L("交易性金融资产", "trading_fa", None, 1),
        L("应收票据", "notes_rec", None, 1), L("应收账款", "ar", "ar", 1), L("预付款项", "prepay", None, 1),
        L("其他应收款", "other_rec", None, 1), L("存货", "inventory", None, 1), L("其他流动资产", "other_ca", None, 1),
        L("流动资产合计", "ca_total", None, 1, kind="total"), L("非流动资产：", None),
        L("长期股权投资", "lt_invest", None, 1), L("固定资产", "fixed", None, 1), L("在建工程", "cip", None, 1),
        L("无形资产", "intangible", None, 1), L("递延所得税资产", "deferred_tax", None, 1),
        L("其他非流动资产", "other_nca", None, 1), L("非流动资产合计", "nca_total", None, 1, kind="total"),
        L("资产总计", "assets_total", kind="total"), L("流动负债：", None), L("短期借款", "st_loan", None, 1),
        L("应付票据", "notes_pay", None, 1), L("应付账款", "ap", None, 1), L("合同负债", "contract_liab", None, 1),
        L("应付职工薪酬", "payroll", None, 1), L("应交税费", "tax_pay", None, 1), L("其他应付款", "other_pay", None, 1),
        L("一年内到期的非流动负债", "current_ncl", None, 1), L("流动负债合计", "cl_total", None, 1, kind="total"),
        L("非流动负债：", None), L("长期借款", "lt_loan", None, 1), L("递延收益", "deferred_income", None, 1),
        L("非流动负债合计", "ncl_total", None, 1, kind="total"), L("负债合计", "liab_total", kind="total"),
        L("所有者权益（或股东权益）：", None), L("实收资本（或股本）", "share_capital", None, 1),
        L("资本公积", "capital_reserve", None, 1), L("盈余公积", "surplus_reserve", None, 1),
        L("未分配利润", "retained", None, 1),
        L("归属于母公司所有者权益（或股东权益）合计", "parent_equity", None, 1, kind="total"),
        L("少数股东权益", "minority_eq", None, 1), L("所有者权益（或股东权益）合计", "equity_total", kind="total"),
        L("负债和所有者权益（或股东权益）总计", "le_total", kind="total"),
    ]


def ifrs_balance(lang: str) -> list[Line]:
    zh = lang == "zh-Hant"
    s = (lambda a, b: a if zh else b)
    return [
        L(s("非流動資產", "Non-current assets"), None), L(s("物業、廠房及設備", "Property, plant and equipment"), "ppe_i", None, 1),
        L(s("無形資產", "Intangible assets"), "intangible", None, 1),
        L(s("於聯營公司的投資", "Investments in associates"), "lt_invest", None, 1),
        L(s("遞延稅項資產", "Deferred tax assets"), "deferred_tax", None, 1),
        L(s("其他非流動資產", "Other non-current assets"), "other_nca", None, 1),
        L("", "nca_total", None, 1, kind="total"),
        L(s("流動資產", "Current assets"), None), L(s("存貨", "Inventories"), "inventory", None, 1),
        L(s("貿易應收款項", "Trade receivables"), "ar", "ar", 1),
        L(s("預付款項、按金及其他應收款項", "Prepayments, deposits and other receivables"), "other_rec_i", None, 1),
        L(s("以公允價值計量且其變動計入損益的金融資產", "Financial assets at FVTPL"), "trading_fa", None, 1),
        L(s("現金及現金等價物", "Cash and cash equivalents"), "cash", None, 1),
        L("", "ca_total", None, 1, kind="total"),
        L(s("資產總值", "Total assets"), "assets_total", kind="total"),
        L(s("流動負債", "Current liabilities"), None), L(s("貿易應付款項", "Trade payables"), "tp_i", None, 1),
        L(s("合約負債", "Contract liabilities"), "contract_liab", None, 1),
        L(s("其他應付款項及應計費用", "Other payables and accruals"), "op_i", None, 1),
        L(s("計息銀行借款", "Interest-bearing bank borrowings"), "bor_i", None, 1),
        L("", "cl_total", None, 1, kind="total"),
        L(s("非流動負債", "Non-current liabilities"), None),
        L(s("計息銀行借款", "Interest-bearing bank borrowings"), "lt_loan", None, 1),
        L(s("遞延收入", "Deferred income"), "deferred_income", None, 1),
        L("", "ncl_total", None, 1, kind="total"),
        L(s("負債總額", "Total liabilities"), "liab_total", kind="total"),
        L(s("權益", "Equity"), None), L(s("股本", "Share capital"), "share_capital", None, 1),
        L(s("儲備", "Reserves"), "reserves_i", None, 1),
        L(s("本公司擁有人應佔權益", "Equity attributable to owners of the Company"), "parent_equity", None, 1, kind="total"),
        L(s("非控股權益", "Non-controlling interests"), "minority_eq", None, 1),
        L(s("權益總額", "Total equity"), "equity_total", kind="total"),
    ]


def ifrs_balance_derived(bs: dict[str, Pair]) -> dict[str, Pair]:
    f = lambda keys: tuple(sum((bs[k][i] for k in keys), Decimal(0)) for i in (0, 1))
    return {"ppe_i": f(["fixed", "cip"]), "other_rec_i": f(["prepay", "other_rec", "notes_rec", "other_ca"]),
            "tp_i": f(["ap", "notes_pay"]), "op_i": f(["payroll", "tax_pay", "other_pay"]),
            "bor_i": f(["st_loan", "current_ncl"]),
            "reserves_i": f(["capital_reserve", "surplus_reserve", "retained"])}  # type: ignore[dict-item]


def cas_cashflow() -> list[Line]:
    return [
        L("一、经营活动产生的现金流量：", None), L("销售商品、提供劳务收到的现金", "sales_cash", None, 1),
        L("收到的税费返还", "tax_refund", None, 1), L("收到其他与经营活动有关的现金", "other_op_in", None, 1),
        L("经营活动现金流入小计", "op_in", None, 2, kind="total"),
        L("购买商品、接受劳务支付的现金", "purchase_cash", None, 1),
        L("支付给职工及为职工支付的现金", "staff_cash", None, 1), L("支付的各项税费", "taxes_paid", None, 1),
        L("支付其他与经营活动有关的现金", "other_op_out", None, 1),
        L("经营活动现金流出小计", "op_out", None, 2, kind="total"),
        L("经营活动产生的现金流量净额", "op_net", None, 0, kind="total"),
        L("二、投资活动产生的现金流量：", None), L("收回投资收到的现金", "inv_recover", None, 1),
        L("取得投资收益收到的现金", "inv_income", None, 1), L("投资活动现金流入小计", "inv_in", None, 2, kind="total"),
        L("购建固定资产、无形资产和其他长期资产支付的现金", "capex", None, 1),
        L("投资支付的现金", "inv_paid", None, 1), L("投资活动现金流出小计", "inv_out", None, 2, kind="total"),
        L("投资活动产生的现金流量净额", "inv_net", None, 0, kind="total"),
        L("三、筹资活动产生的现金流量：", None), L("取得借款收到的现金", "borrow_in", None, 1),
        L("筹资活动现金流入小计", "fin_in", None, 2, kind="total"), L("偿还债务支付的现金", "repay", None, 1),
        L("分配股利、利润或偿付利息支付的现金", "dividends", None, 1),
        L("筹资活动现金流出小计", "fin_out", None, 2, kind="total"),
        L("筹资活动产生的现金流量净额", "fin_net", None, 0, kind="total"),
        L("四、汇率变动对现金及现金等价物的影响", "fx"), L("五、现金及现金等价物净增加额", "net_increase"),
        L("加：期初现金及现金等价物余额", "begin_cash", None, 1), L("六、期末现金及现金等价物余额", "end_cash"),
    ]


def ifrs_cashflow(lang: str) -> list[Line]:
    zh = lang == "zh-Hant"
    s = (lambda a, b: a if zh else b)
    return [
        L(s("經營活動現金流量", "Cash flows from operating activities"), None),
        L(s("已收客戶現金", "Cash received from customers"), "sales_cash", None, 1),
        L(s("已收稅費返還", "Tax refunds received"), "tax_refund", None, 1),
        L(s("已付供應商現金", "Cash paid to suppliers"), "purchase_cash", None, 1, -1),
        L(s("已付僱員現金", "Cash paid to and on behalf of employees"), "staff_cash", None, 1, -1),
        L(s("已付稅項", "Taxes paid"), "taxes_paid", None, 1, -1),
        L(s("其他經營現金流量淨額", "Other operating cash flows, net"), "other_op_net_i", None, 1),
        L(s("經營活動所得現金淨額", "Net cash generated from operating activities"), "op_net", kind="total"),
        L(s("投資活動現金流量", "Cash flows from investing activities"), None),
        L(s("購買物業、廠房及設備", "Purchase of property, plant and equipment"), "capex", None, 1, -1),
        L(s("其他投資活動現金流量淨額", "Other investing cash flows, net"), "inv_other_i", None, 1),
        L(s("投資活動所用現金淨額", "Net cash used in investing activities"), "inv_net", kind="total"),
        L(s("融資活動現金流量", "Cash flows from financing activities"), None),
        L(s("新增銀行借款", "New bank borrowings"), "borrow_in", None, 1),
        L(s("償還銀行借款", "Repayment of bank borrowings"), "repay", None, 1, -1),
        L(s("已付股息及利息", "Dividends and interest paid"), "dividends", None, 1, -1),
        L(s("融資活動所得現金淨額", "Net cash from financing activities"), "fin_net", kind="total"),
        L(s("現金及現金等價物增加淨額", "Net increase in cash and cash equivalents"), "net_increase_i"),
        L(s("年初現金及現金等價物", "Cash and cash equivalents at beginning of year"), "begin_cash"),
        L(s("匯率變動影響", "Effect of foreign exchange rate changes"), "fx"),
        L(s("年末現金及現金等價物", "Cash and cash equivalents at end of year"), "end_cash", kind="total"),
    ]


def ifrs_cashflow_derived(cf: dict[str, Pair]) -> dict[str, Pair]:
    g = lambda fn: tuple(fn(i) for i in (0, 1))
    return {
        "other_op_net_i": g(lambda i: cf["other_op_in"][i] - cf["other_op_out"][i]),
        "inv_other_i": g(lambda i: cf["inv_recover"][i] + cf["inv_income"][i] - cf["inv_paid"][i]),
        "net_increase_i": g(lambda i: cf["net_increase"][i] - cf["fx"][i]),
    }  # type: ignore[dict-item]
