"""The three consolidated statements read whole: wrapped labels as a typesetter sets them, label-only
rows kept, note references apart, and each statement's own arithmetic (issue 19)."""

from __future__ import annotations

import pymupdf

from extractor.pipeline import extract_report

FONT = "china-s"
COLS = (400, 500)  # right edges of the current and prior amount columns
SIZE = 9


def _line(page, y, label="", x=60, note="", values=(), dy=0.0):
    if label:
        page.insert_text((x, y), label, fontname=FONT, fontsize=SIZE)
    if note:
        page.insert_text((250, y), note, fontname=FONT, fontsize=SIZE)
    for right, v in zip(COLS, values):
        if v:
            page.insert_text((right - pymupdf.get_text_length(v, fontsize=SIZE), y + dy), v, fontsize=SIZE)


def _page(doc, title, header, rows):
    """rows: (label, note, values, x) where a label of None draws amounts alone (a centred amount line)
    and values=() a label-only line; x is the label's indent."""
    page = doc.new_page()
    page.insert_text((250, 60), title, fontname=FONT, fontsize=13)
    page.insert_text((470, 80), "单位：元", fontname=FONT, fontsize=SIZE)
    for x, text in ((60, "项目"), (240, "附注"), (310, header[0]), (420, header[1])):
        page.insert_text((x, 100), text, fontname=FONT, fontsize=SIZE)
    y = 118.0
    for label, note, values, x in rows:
        if label is None:  # amounts set between the two lines of a wrapped label
            _line(page, y - 6, values=values)
            continue
        _line(page, y, label, x, note, values)
        y += 12


# Labels start at x=60 and wrap after 13 characters of 9 pt (x=177); wrapped lines hang at x=50.
INCOME = [
    ("一、营业总收入", "", ("1,000,000.00", "900,000.00"), 50),
    ("其中：营业收入", "（六十一）", ("1,000,000.00", "900,000.00"), 60),
    ("二、营业总成本", "", ("800,000.00", "700,000.00"), 50),
    ("其中：营业成本", "（六十一）", ("600,000.00", "500,000.00"), 60),
    ("销售费用", "（六十三）", ("50,000.00", "40,000.00"), 60),
    ("管理费用", "（六十四）", ("70,000.00", "60,000.00"), 60),
    ("研发费用", "（六十五）", ("30,000.00", "20,000.00"), 60),
    ("财务费用", "（六十六）", ("50,000.00", "80,000.00"), 60),
    ("其中：利息费用", "", (), 60),
    ("利息收入", "", ("5,000.00", "3,000.00"), 80),
    ("加：其他收益", "", ("10,000.00", "8,000.00"), 50),
    ("投资收益（损失以“－”号填", "（六十八）", (), 60),
    (None, "", ("6,000.00", "4,000.00"), 0),
    ("列）", "", (), 50),
    ("其中：对联营企业和合营企业", "", (), 60),
    ("的投资收益", "", (), 50),
    ("以摊余成本计量的金融资产终", "", (), 60),
    ("止确认收益", "", ("1,000.00", "2,000.00"), 80),
    ("公允价值变动收益（损失以", "", (), 60),
    (None, "", ("-16,000.00", "-12,000.00"), 0),
    ("“－”号填列）", "", (), 50),
    ("三、营业利润", "", ("200,000.00", "200,000.00"), 50),
]

BALANCE = [
    ("流动资产：", "", (), 50),
    ("货币资金", "", ("300.00", "200.00"), 60),
    ("衍生金融资产", "", (), 60),  # a format line printed without amounts: a row of its own
    ("应收票据", "", ("50.00", "40.00"), 60),
    ("应收账款", "七、5", ("500.00", "400.00"), 60),
    ("其他应收款", "", ("30.00", "20.00"), 60),
    ("其中：应收利息", "", (), 60),
    ("应收股利", "", ("10.00", "5.00"), 80),  # part of 其他应收款, not a line of its own
    ("存货", "", ("100.00", "130.00"), 60),
    ("其中：数据资源", "", (), 60),
    ("合同资产", "", ("20.00", "10.00"), 60),
    ("流动资产合计", "", ("1,000.00", "800.00"), 50),
    ("非流动资产：", "", (), 50),
    ("固定资产", "", ("200.00", "150.00"), 60),
    ("非流动资产合计", "", ("200.00", "150.00"), 50),
    ("资产总计", "", ("1,200.00", "950.00"), 50),
    ("流动负债：", "", (), 50),
    ("应付账款", "", ("250.00", "200.00"), 60),
    ("其他应付款", "", ("50.00", "50.00"), 60),
    ("流动负债合计", "", ("300.00", "250.00"), 50),
    ("非流动负债：", "", (), 50),
    ("长期借款", "", ("100.00", "100.00"), 60),
    ("非流动负债合计", "", ("100.00", "100.00"), 50),
    ("负债合计", "", ("400.00", "350.00"), 50),
    ("所有者权益：", "", (), 50),
    ("股本", "", ("500.00", "400.00"), 60),
    ("资本公积", "", ("200.00", "150.00"), 60),
    ("减：库存股", "", ("50.00", "50.00"), 60),
    ("未分配利润", "", ("100.00", "50.00"), 60),
    ("归属于母公司所有者权益合计", "", ("750.00", "550.00"), 50),
    ("少数股东权益", "", ("50.00", "50.00"), 60),
    ("所有者权益合计", "", ("800.00", "600.00"), 50),
    ("负债和所有者权益（或股东权", "", ("1,200.00", "950.00"), 60),
    ("益）总计", "", (), 50),
]


def _cash_flow(inflow: str):
    return [
        ("一、经营活动产生的现金流量：", "", (), 50),
        ("销售商品、提供劳务收到的现", "", ("900.00", "800.00"), 60),
        ("金", "", (), 50),
        ("客户存款和同业存放款项净增", "", (), 60),
        ("加额", "", (), 50),
        ("收到的税费返还", "", ("20.00", "10.00"), 60),
        ("收到其他与经营活动有关的现", "七、78", ("80.00", "90.00"), 60),
        ("金", "", (), 50),
        ("经营活动现金流入小计", "", (inflow, "900.00"), 50),
        ("购买商品、接受劳务支付的现", "", (), 60),
        (None, "", ("600.00", "500.00"), 0),
        ("金", "", (), 50),
        ("支付的各项税费", "", ("100.00", "100.00"), 60),
        ("经营活动现金流出小计", "", ("700.00", "600.00"), 50),
        ("经营活动产生的现金流量净额", "", ("300.00", "300.00"), 50),
    ]


def _report(tmp_path, inflow="1,000.00", balance=BALANCE):
    doc = pymupdf.open()
    _page(doc, "合并资产负债表", ("2021年12月31日", "2020年12月31日"), balance)
    _page(doc, "合并利润表", ("2021年度", "2020年度"), INCOME)
    _page(doc, "合并现金流量表", ("2021年度", "2020年度"), _cash_flow(inflow))
    p = tmp_path / "statements.pdf"
    doc.save(p)
    return extract_report(p).to_json()


def _row(statement, label):
    return next(r for r in statement["rows"] if r["label"] == label)


def test_income_statement_rows_joined_as_set_and_tied_out(tmp_path):
    out = _report(tmp_path)
    income = out["statements"]["income"]
    labels = [r["label"] for r in income["rows"]]
    assert "投资收益（损失以“－”号填列）" in labels and "公允价值变动收益（损失以“－”号填列）" in labels
    # label-only rows stay rows of their own, without amounts, and do not swallow the next row
    heading = _row(income, "其中：对联营企业和合营企业的投资收益")
    assert heading["current"] is None and heading["prior"] is None
    assert _row(income, "以摊余成本计量的金融资产终止确认收益")["current"]["value"] == 1000
    assert _row(income, "投资收益（损失以“－”号填列）")["current"]["value"] == 6000  # amounts centred
    assert _row(income, "销售费用")["note"] == "（六十三）"
    ties = income["tieout"]
    assert ties and all(t["passed"] for t in ties), ties
    assert out["figures"]["selling_expense"]["current"]["value"] == 50000
    assert out["figures"]["selling_expense"]["current"]["confidence"] >= 0.9


def test_balance_sheet_and_cash_flow_read_whole(tmp_path):
    out = _report(tmp_path)
    bs, cf = out["statements"]["balance_sheet"], out["statements"]["cash_flow"]
    assert {t["name"] for t in bs["tieout"]} == {
        "total_assets", "total_liabilities", "total_liabilities_and_equity", "assets_equal_liabilities_and_equity",
        "current_assets_lines", "noncurrent_assets_lines", "current_liabilities_lines", "noncurrent_liabilities_lines",
        "parent_equity_lines", "total_equity"}
    # format lines printed without amounts are rows of their own; sub-lines stay apart
    assert _row(bs, "衍生金融资产")["current"] is None and _row(bs, "应收票据")["current"]["value"] == 50
    assert _row(bs, "其中：数据资源")["current"] is None and _row(bs, "合同资产")["current"]["value"] == 20
    assert _row(bs, "应收股利")["current"]["value"] == 10
    assert all(t["passed"] for t in bs["tieout"] + cf["tieout"]), bs["tieout"] + cf["tieout"]
    assert {t["name"] for t in cf["tieout"]} == {"inflow_subtotal", "outflow_subtotal", "net_cash_flow"}
    cash = out["cash_from_sales"]["current"]
    assert cash["value"] == 900 and cash["label"] == "销售商品、提供劳务收到的现金" and cash["page"] == 3
    assert _row(cf, "购买商品、接受劳务支付的现金")["current"]["value"] == 600
    assert _row(cf, "收到其他与经营活动有关的现金")["note"] == "七、78"
    assert out["receivables"]["prior"]["value"] == 400 and out["receivables"]["current"]["page"] == 1
    assert not [f for f in out["flags"] if f["id"] in ("tieout_failed", "cash_from_sales_not_found",
                                                       "receivables_not_found")]


def test_cash_flow_that_does_not_add_up_is_reported_with_its_lines(tmp_path):
    out = _report(tmp_path, inflow="1,100.00")
    failed = {f["evidence"]["subtotal"]: f["evidence"] for f in out["flags"] if f["id"] == "tieout_failed"}
    # the misprinted subtotal disagrees with its lines, and the net with it
    assert set(failed) == {"inflow_subtotal", "net_cash_flow"}
    ev = failed["inflow_subtotal"]
    assert ev["statement"] == "cash_flow" and ev["subtotal"] == "inflow_subtotal" and ev["period"] == "current"
    assert ev["printed"] == 1100 and ev["computed"] == 1000
    assert "销售商品、提供劳务收到的现金" in ev["terms"]
    cash = out["cash_from_sales"]["current"]
    assert cash["value"] == 900 and cash["confidence"] <= 0.8  # the statement's arithmetic does not hold


def test_balance_sheet_line_that_does_not_add_up_is_reported_with_its_section(tmp_path):
    """The printed totals agree with each other, but a line does not agree with its section's total:
    only the section sum can tell (a lost or misread line)."""
    balance = [("存货", "", ("200.00", "130.00"), 60) if row[0] == "存货" else row for row in BALANCE]
    out = _report(tmp_path, balance=balance)
    failed = {(f["evidence"]["subtotal"], f["evidence"]["period"]): f["evidence"] for f in out["flags"]
              if f["id"] == "tieout_failed"}
    assert set(failed) == {("current_assets_lines", "current")}
    ev = failed[("current_assets_lines", "current")]
    assert ev["statement"] == "balance_sheet" and ev["printed"] == 1000 and ev["computed"] == 1100
