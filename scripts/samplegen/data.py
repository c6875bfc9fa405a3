"""The numbers and names of one synthetic report, drawn from a seeded RNG.

Every amount is a Decimal number of yuan and a whole multiple of the variant's printed step, so
totals add up exactly in whatever unit the statement is printed. Nothing here knows about layout.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .names import (
    ANON_EN,
    ANON_HANT,
    ANON_STYLES,
    ISSUER_INDUSTRIES,
    PLACES,
    Entity,
    EntityPool,
    matching_pair,
)
from .variants import Variant

Pair = tuple[Decimal, Decimal]  # (current year, prior year)
ZERO = Decimal(0)


@dataclass
class Customer:
    name: str
    amount: Decimal
    related: bool


@dataclass
class RelatedParty:
    name: str
    relationship: str


@dataclass
class RelatedSale:
    name: str
    content: str
    current: Decimal
    prior: Decimal


@dataclass
class ReportData:
    variant: Variant
    seed: int
    entity: Entity
    company: str
    company_en: str
    short_name: str
    code: str
    year: int
    inc: dict[str, Pair]
    par: dict[str, Pair]
    bs: dict[str, Pair]
    pbs: dict[str, Pair]
    cf: dict[str, Pair]
    pcf: dict[str, Pair]
    eps: Pair
    shares: int
    notes: dict[str, list[tuple[str, Pair]]]
    rnd_input: dict[str, Pair] | None
    segments: list[tuple[str, Pair]]
    customers: list[Customer]
    customers_anonymised: bool
    related_parties: list[RelatedParty]
    related_sales: list[RelatedSale]
    staff: int = 0
    rnd_staff: Pair = (ZERO, ZERO)
    extra: dict[str, object] = field(default_factory=dict)


class Draw:
    """RNG helpers that return amounts already rounded to the printed step."""

    def __init__(self, rng: random.Random, quantum: Decimal) -> None:
        self.rng = rng
        self.quantum = quantum

    def q(self, yuan: float | Decimal) -> Decimal:
        steps = (Decimal(str(yuan)) / self.quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return steps * self.quantum

    def u(self, lo: float, hi: float) -> float:
        return self.rng.uniform(lo, hi)

    def frac(self, base: Decimal, lo: float, hi: float) -> Decimal:
        return self.q(float(base) * self.u(lo, hi))

    def split(self, total: Decimal, weights: list[float]) -> list[Decimal]:
        """Split total into len(weights) parts (each at least one step where possible) that sum exactly."""
        steps = int(total / self.quantum)
        n = len(weights)
        s = sum(weights)
        parts = [max(1 if steps >= n else 0, int(steps * w / s)) for w in weights[:-1]]
        parts.append(steps - sum(parts))
        return [p * self.quantum for p in parts]


# ------------------------------------------------------------------ income statement

def _income(d: Draw, rev: Decimal, ratios: dict[str, float], v: Variant, parent: bool) -> dict[str, Decimal]:
    j = lambda k: ratios[k] * d.u(0.9, 1.1)
    r: dict[str, Decimal] = {"revenue": rev}
    fin_sub = v.total_revenue_differs and not parent
    r["interest_income_fin"] = d.frac(rev, 0.006, 0.03) if fin_sub else ZERO
    r["total_revenue"] = rev + r["interest_income_fin"]
    r["cost"] = d.q(float(rev) * j("cost"))
    r["interest_exp_fin"] = d.frac(r["interest_income_fin"], 0.05, 0.2) if fin_sub else ZERO
    if v.style == "ashare_combined":
        # the combined style prints the simple format (一、营业收入, no finance subsidiary's lines): drawn,
        # so that the draws after them stay as they were, then left out, so that the statement ties out
        r["interest_income_fin"] = r["interest_exp_fin"] = ZERO
        r["total_revenue"] = rev
    r["taxes"] = d.q(float(rev) * j("taxes"))
    r["selling"] = d.q(float(rev) * j("selling"))
    r["rnd"] = d.q(float(rev) * j("rnd"))
    admin_core = d.q(float(rev) * j("admin"))
    # Before the 2018 format the R&D spend is booked inside 管理费用 (and shown in its notes breakdown).
    r["admin"] = admin_core if v.rnd_line else admin_core + r["rnd"]
    r["fin_int_exp"] = d.frac(rev, 0.001, 0.012)
    r["fin_int_inc"] = d.frac(rev, 0.001, 0.008)
    r["finance"] = r["fin_int_exp"] - r["fin_int_inc"] + d.q(float(rev) * d.u(-0.002, 0.002))
    r["asset_loss"] = d.frac(rev, 0.0, 0.004) if d.rng.random() < 0.7 else ZERO
    r["credit_loss"] = d.frac(rev, 0.0005, 0.006) if v.fiscal_year >= 2019 else ZERO
    old = v.fiscal_year < 2018
    total_cost = r["cost"] + r["interest_exp_fin"] + r["taxes"] + r["selling"] + r["admin"] + r["finance"]
    total_cost += ZERO if not v.rnd_line else r["rnd"]
    if old:
        total_cost += r["asset_loss"]
    r["total_cost"] = total_cost
    r["other_income"] = ZERO if v.fiscal_year < 2017 else d.frac(rev, 0.001, 0.012)
    r["invest"] = d.q(float(rev) * d.u(-0.002, 0.012))
    r["invest_assoc"] = d.frac(r["invest"], 0.2, 0.7) if r["invest"] > 0 and d.rng.random() < 0.7 else ZERO
    r["fv_change"] = d.q(float(rev) * d.u(-0.002, 0.003)) if d.rng.random() < 0.6 else ZERO
    r["disposal"] = d.q(float(rev) * d.u(-0.0005, 0.001)) if (not old and d.rng.random() < 0.5) else ZERO
    op = (r["total_revenue"] - total_cost + r["other_income"] + r["invest"] + r["fv_change"] + r["disposal"]
          - r["credit_loss"] - (ZERO if old else r["asset_loss"]))
    r["op_profit"] = op
    r["nonop_inc"] = d.frac(rev, 0.0, 0.003)
    r["nonop_exp"] = d.frac(rev, 0.0, 0.002)
    r["profit_total"] = op + r["nonop_inc"] - r["nonop_exp"]
    r["tax"] = d.q(float(max(r["profit_total"], ZERO)) * d.u(0.1, 0.2))
    r["net"] = r["profit_total"] - r["tax"]
    r["minority"] = ZERO if parent else d.q(float(r["net"]) * d.u(0.0, 0.06))
    r["attrib"] = r["net"] - r["minority"]
    r["oci"] = d.q(float(rev) * d.u(-0.001, 0.001)) if d.rng.random() < 0.4 else ZERO
    r["comp_total"] = r["net"] + r["oci"]
    r["comp_attrib"] = r["attrib"] + r["oci"]
    r["comp_minority"] = r["minority"]
    # IFRS presentation of the same period (used by hk/us styles).
    r["cost_ifrs"] = r["cost"] + r["taxes"]
    r["gross"] = rev - r["cost_ifrs"]
    r["other_gains"] = (r["other_income"] + r["invest"] - r["invest_assoc"] + r["fv_change"] + r["disposal"]
                        + r["nonop_inc"] - r["nonop_exp"] - r["asset_loss"])
    r["op_profit_ifrs"] = r["gross"] - r["selling"] - r["rnd"] - admin_core - r["credit_loss"] + r["other_gains"]
    r["admin_ifrs"] = admin_core
    r["finance_income"] = r["fin_int_inc"]
    r["finance_costs"] = r["finance"] + r["fin_int_inc"]
    r["pbt_ifrs"] = r["op_profit_ifrs"] + r["finance_income"] - r["finance_costs"] + r["invest_assoc"]
    r["net_ifrs"] = r["pbt_ifrs"] - r["tax"]
    r["attrib_ifrs"] = r["net_ifrs"] - r["minority"]
    return r


def _ratios(d: Draw) -> dict[str, float]:
    return {"cost": d.u(0.52, 0.74), "taxes": d.u(0.004, 0.012), "selling": d.u(0.03, 0.12),
            "admin": d.u(0.04, 0.09), "rnd": d.u(0.025, 0.09)}


# ------------------------------------------------------------------ balance sheet and cash flow

def _balance(d: Draw, rev: Decimal, ar: Decimal) -> dict[str, Decimal]:
    b: dict[str, Decimal] = {}
    b["cash"] = d.frac(rev, 0.08, 0.4)
    b["trading_fa"] = d.frac(rev, 0.0, 0.08) if d.rng.random() < 0.5 else ZERO
    b["notes_rec"] = d.frac(rev, 0.01, 0.08)
    b["ar"] = ar
    b["prepay"] = d.frac(rev, 0.005, 0.04)
    b["other_rec"] = d.frac(rev, 0.002, 0.02)
    b["inventory"] = d.frac(rev, 0.08, 0.3)
    b["other_ca"] = d.frac(rev, 0.002, 0.02)
    b["ca_total"] = sum((b[k] for k in ["cash", "trading_fa", "notes_rec", "ar", "prepay", "other_rec",
                                         "inventory", "other_ca"]), ZERO)
    b["lt_invest"] = d.frac(rev, 0.0, 0.1)
    b["fixed"] = d.frac(rev, 0.15, 0.6)
    b["cip"] = d.frac(rev, 0.01, 0.1)
    b["intangible"] = d.frac(rev, 0.02, 0.1)
    b["deferred_tax"] = d.frac(rev, 0.002, 0.01)
    b["other_nca"] = d.frac(rev, 0.0, 0.03)
    b["nca_total"] = sum((b[k] for k in ["lt_invest", "fixed", "cip", "intangible", "deferred_tax", "other_nca"]),
                         ZERO)
    b["assets_total"] = b["ca_total"] + b["nca_total"]
    a = b["assets_total"]
    b["st_loan"] = d.frac(a, 0.02, 0.1)
    b["notes_pay"] = d.frac(a, 0.01, 0.05)
    b["ap"] = d.frac(a, 0.05, 0.15)
    b["contract_liab"] = d.frac(a, 0.005, 0.04)
    b["payroll"] = d.frac(a, 0.005, 0.02)
    b["tax_pay"] = d.frac(a, 0.003, 0.015)
    b["other_pay"] = d.frac(a, 0.005, 0.03)
    b["current_ncl"] = d.frac(a, 0.0, 0.03)
    b["cl_total"] = sum((b[k] for k in ["st_loan", "notes_pay", "ap", "contract_liab", "payroll", "tax_pay",
                                         "other_pay", "current_ncl"]), ZERO)
    b["lt_loan"] = d.frac(a, 0.0, 0.08)
    b["deferred_income"] = d.frac(a, 0.002, 0.02)
    b["ncl_total"] = b["lt_loan"] + b["deferred_income"]
    b["liab_total"] = b["cl_total"] + b["ncl_total"]
    b["minority_eq"] = d.frac(a, 0.0, 0.03)
    eq_parent = a - b["liab_total"] - b["minority_eq"]
    b["share_capital"] = d.frac(eq_parent, 0.08, 0.2)
    b["capital_reserve"] = d.frac(eq_parent, 0.15, 0.35)
    b["surplus_reserve"] = d.frac(eq_parent, 0.03, 0.08)
    b["retained"] = eq_parent - b["share_capital"] - b["capital_reserve"] - b["surplus_reserve"]
    b["parent_equity"] = eq_parent
    b["equity_total"] = eq_parent + b["minority_eq"]
    b["le_total"] = b["liab_total"] + b["equity_total"]
    return b


def _cashflow(d: Draw, inc: dict[str, Decimal], sales_cash: Decimal, begin: Decimal) -> dict[str, Decimal]:
    c: dict[str, Decimal] = {"sales_cash": sales_cash}
    rev = inc["revenue"]
    c["tax_refund"] = d.frac(rev, 0.0, 0.01)
    c["other_op_in"] = d.frac(rev, 0.002, 0.02)
    c["op_in"] = c["sales_cash"] + c["tax_refund"] + c["other_op_in"]
    c["purchase_cash"] = d.frac(inc["cost"], 0.9, 1.08)
    c["staff_cash"] = d.frac(rev, 0.05, 0.12)
    c["taxes_paid"] = d.frac(rev, 0.02, 0.05)
    c["other_op_out"] = d.frac(rev, 0.02, 0.06)
    c["op_out"] = c["purchase_cash"] + c["staff_cash"] + c["taxes_paid"] + c["other_op_out"]
    c["op_net"] = c["op_in"] - c["op_out"]
    c["inv_recover"] = d.frac(rev, 0.0, 0.05)
    c["inv_income"] = d.frac(rev, 0.0, 0.005)
    c["inv_in"] = c["inv_recover"] + c["inv_income"]
    c["capex"] = d.frac(rev, 0.02, 0.1)
    c["inv_paid"] = d.frac(rev, 0.0, 0.06)
    c["inv_out"] = c["capex"] + c["inv_paid"]
    c["inv_net"] = c["inv_in"] - c["inv_out"]
    c["borrow_in"] = d.frac(rev, 0.0, 0.1)
    c["fin_in"] = c["borrow_in"]
    c["repay"] = d.frac(rev, 0.0, 0.08)
    c["dividends"] = d.frac(rev, 0.0, 0.03)
    c["fin_out"] = c["repay"] + c["dividends"]
    c["fin_net"] = c["fin_in"] - c["fin_out"]
    c["fx"] = d.q(float(rev) * d.u(-0.0005, 0.0005))
    c["net_increase"] = c["op_net"] + c["inv_net"] + c["fin_net"] + c["fx"]
    c["begin_cash"] = begin
    c["end_cash"] = begin + c["net_increase"]
    if c["end_cash"] <= 0:  # a negative cash balance is impossible; top up with borrowing
        top = -c["end_cash"] + d.frac(rev, 0.02, 0.05)
        c["borrow_in"] += top
        c["fin_in"] += top
        c["fin_net"] += top
        c["net_increase"] += top
        c["end_cash"] += top
    return c


# ------------------------------------------------------------------ customers and related parties

RELATIONSHIPS = {
    "zh-Hans": ["控股股东", "同受控股股东控制", "联营企业", "实际控制人控制的企业", "董事担任董事的企业",
                "合营企业", "持股5%以上股东控制的企业"],
    "zh-Hant": ["控股股東", "同受控股股東控制", "聯營公司", "實際控制人控制的公司", "董事擔任董事的公司",
                "合營企業", "主要股東控制的公司"],
    "en": ["Controlling shareholder", "Under common control of the controlling shareholder", "Associate",
           "Entity controlled by the ultimate controlling party", "Entity of which a director is a director",
           "Joint venture", "Entity controlled by a substantial shareholder"],
}
RELATIVE = {"zh-Hans": "实际控制人亲属控制的企业", "zh-Hant": "實際控制人親屬控制的公司",
            "en": "Entity controlled by a close family member of the chairman"}
SALE_CONTENT = {"zh-Hans": ["销售商品", "提供劳务", "销售产品", "技术服务"],
                "zh-Hant": ["銷售貨品", "提供服務", "銷售產品", "技術服務"],
                "en": ["Sales of goods", "Provision of services", "Sales of products", "Technical services"]}


def _script(v: Variant) -> str:
    return "zh-Hans" if v.language == "zh-Hans" else ("zh-Hant" if v.language == "zh-Hant" else "en")


def _parties(d: Draw, v: Variant, pool: EntityPool, rev: Pair
             ) -> tuple[list[Customer], bool, list[RelatedParty], list[RelatedSale]]:
    rng = d.rng
    script = _script(v)
    sq = Draw(rng, Decimal("0.01") if v.language == "zh-Hans" or v.cas else v.quantum)
    rels = RELATIONSHIPS[script]
    # Related parties: controlling shareholder first, then affiliates.
    parties: list[tuple[Entity, str]] = []
    ctrl = pool.draw(industry=rng.choice([8, 12, 13]))
    parties.append((ctrl, rels[0]))
    for _ in range(rng.randint(2, 4)):
        parties.append((pool.draw(), rng.choice(rels[1:])))
    party_names = [e.name(script) for e, _ in parties]

    # Related-party sales (the 关联交易 table): either a small or a large share of revenue.
    big = "related_party_sales_share" in v.flags
    share_c = d.u(0.24, 0.4) if big else d.u(0.006, 0.07)
    share_p = d.u(0.2, 0.35) if big else d.u(0.005, 0.07)
    n_sales = rng.randint(2, min(4, len(parties)))
    buyers = rng.sample(range(1, len(parties)), n_sales - 1) + [0]
    contents = SALE_CONTENT[script]
    w = [rng.uniform(0.5, 1.5) for _ in buyers]
    cur_parts = sq.split(sq.frac(rev[0], share_c, share_c), w)
    pri_parts = sq.split(sq.frac(rev[1], share_p, share_p), [x * rng.uniform(0.7, 1.3) for x in w])
    sales = [RelatedSale(party_names[b], rng.choice(contents), c, p) for b, c, p in zip(buyers, cur_parts, pri_parts)]

    # Top-five customers.
    conc = "customer_concentration" in v.flags
    top_share = (d.u(0.76, 0.92) if not v.case else d.u(0.71, 0.95)) if conc else d.u(0.14, 0.48)
    weights = sorted((rng.uniform(0.5, 2.0) for _ in range(5)), reverse=True)
    amounts = sq.split(sq.frac(rev[0], top_share, top_share), weights)
    anonymised = v.customer_names == "anonymised"
    if anonymised:
        names = ANON_EN if script == "en" else ANON_HANT if script == "zh-Hant" else ANON_STYLES[v.anon_style]
        customers = [Customer(n, a, False) for n, a in zip(names, amounts)]
        return customers, True, [RelatedParty(n, r) for n, (_, r) in zip(party_names, parties)], sales
    cust_entities = [pool.draw() for _ in range(5)]
    customers = [Customer(e.name(script), a, False) for e, a in zip(cust_entities, amounts)]
    if v.related_top5_disclosed and not big:
        # The related buyer with the largest sales shows up in the top five, honestly marked 是.
        top = max(sales, key=lambda s: s.current)
        if top.current < amounts[-1] * 2:
            customers[-1] = Customer(top.name, top.current, True)
            customers.sort(key=lambda c: c.amount, reverse=True)
    if "undisclosed_related_customer" in v.flags:
        kind = v.match_kind
        hidden = pool.draw(industry=rng.choice([12, 13, 14]), hk_branch=(kind == "brackets"))
        if kind in ("place", "place_city") and hidden.place is None:
            hidden = Entity(rng.randrange(5), hidden.core, hidden.industry, hidden.suffix)
        if kind == "brackets_place":
            hidden = Entity(hidden.place, hidden.core, hidden.industry, hidden.suffix, branch=rng.randrange(len(PLACES)))
        listed, shown = matching_pair(hidden, kind, script)
        parties.append((hidden, RELATIVE[script]))
        party_names.append(listed)
        slot = rng.randrange(0, 3)
        customers[slot] = Customer(shown, customers[slot].amount, False)
    return customers, False, [RelatedParty(n, r) for n, (_, r) in zip(party_names, parties)], sales


# ------------------------------------------------------------------ notes breakdowns

NOTE_ITEMS = {
    "selling": ["salary", "ads", "transport", "travel", "entertain", "depr", "rent", "other"],
    "admin": ["salary", "depr", "office", "agency", "entertain", "travel", "other"],
    "rnd": ["salary", "materials", "depr", "outsourced", "other"],
}


def _breakdown(d: Draw, kind: str, total: Pair, rnd_inside: Pair | None) -> list[tuple[str, Pair]]:
    items = NOTE_ITEMS[kind][:]
    n = d.rng.randint(max(4, len(items) - 2), len(items))
    items = items[: n - 1] + ["other"]
    w = [d.rng.uniform(0.3, 1.0) * (3.0 if i == 0 else 1.0) for i in range(len(items))]
    out: dict[str, list[Decimal]] = {k: [] for k in items}
    for period in (0, 1):
        t = total[period] - (rnd_inside[period] if rnd_inside else ZERO)
        parts = d.split(t, [x * d.u(0.8, 1.2) for x in w])
        for k, p in zip(items, parts):
            out[k].append(p)
    rows = [(k, (v[0], v[1])) for k, v in out.items()]
    if rnd_inside:
        rows.insert(len(rows) - 1, ("rnd_in_admin", rnd_inside))
    return rows


# ------------------------------------------------------------------ the whole report

def _growths(d: Draw, v: Variant) -> tuple[float, float, float]:
    """(revenue growth, cash-from-sales growth, receivables growth) honouring the planted flags and
    keeping clean reports far from every threshold."""
    cash_flag = "cash_revenue_divergence" in v.flags
    ar_flag = "receivables_outpace_revenue" in v.flags
    g = d.u(0.45, 0.9) if cash_flag else d.u(-0.12, 0.2)
    gc = d.u(-0.2, -0.06) if cash_flag else g + d.u(-0.05, 0.05)
    ga = g + (d.u(0.5, 1.1) if ar_flag else d.u(-0.15, 0.08))
    return g, gc, ga


def generate(seed: int, v: Variant) -> ReportData:
    rng = random.Random(seed)
    d = Draw(rng, v.quantum)
    pool = EntityPool(rng)
    issuer = pool.draw(industry=rng.choice(ISSUER_INDUSTRIES))
    issuer = Entity(issuer.place if issuer.place is not None else 0, issuer.core, issuer.industry, "股份有限公司")
    script = _script(v)
    company = issuer.name(script if script != "en" else "zh-Hans")
    company_en = issuer.name("en")
    short = issuer.name(script if script != "en" else "zh-Hans", place=False)[:4]
    code = {"bse": lambda: f"8{rng.randint(30000, 39999)}", "ashare": lambda: rng.choice(["60", "00", "30"])
            + f"{rng.randint(0, 9999):04d}", "ashare_combined": lambda: rng.choice(["60", "00"])
            + f"{rng.randint(0, 9999):04d}", "cas_en": lambda: rng.choice(["60", "00"]) + f"{rng.randint(0, 9999):04d}",
            "hk": lambda: f"0{rng.randint(1000, 9999)}",
            "us": lambda: "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4))}[v.style]()

    rev_p = d.q(math.exp(d.u(math.log(60e6), math.log(4.5e9))))
    g, gc, ga = _growths(d, v)
    rev_c = d.q(float(rev_p) * (1 + g))
    ratios = _ratios(d)
    inc_c = _income(d, rev_c, ratios, v, parent=False)
    inc_p = _income(d, rev_p, ratios, v, parent=False)
    inc = {k: (inc_c[k], inc_p[k]) for k in inc_c}
    pshare = d.u(0.25, 0.6)
    pratios = _ratios(d)
    par_c = _income(d, d.frac(rev_c, pshare * 0.95, pshare * 1.05), pratios, v, parent=True)
    par_p = _income(d, d.frac(rev_p, pshare * 0.95, pshare * 1.05), pratios, v, parent=True)
    par = {k: (par_c[k], par_p[k]) for k in par_c}

    ar_p = d.frac(rev_p, 0.1, 0.3)
    ar_c = d.q(float(ar_p) * (1 + ga))
    bs_c, bs_p = _balance(d, rev_c, ar_c), _balance(d, rev_p, ar_p)
    bs = {k: (bs_c[k], bs_p[k]) for k in bs_c}
    pbs_c = _balance(d, par_c["revenue"], d.frac(par_c["revenue"], 0.1, 0.25))
    pbs_p = _balance(d, par_p["revenue"], d.frac(par_p["revenue"], 0.1, 0.25))
    pbs = {k: (pbs_c[k], pbs_p[k]) for k in pbs_c}

    sc_p = d.frac(rev_p, 1.02, 1.12)  # cash includes VAT, so it normally exceeds revenue
    sc_c = d.q(float(sc_p) * (1 + gc))
    begin_p = d.frac(rev_p, 0.05, 0.2)
    cf_p = _cashflow(d, inc_p, sc_p, begin_p)
    cf_c = _cashflow(d, inc_c, sc_c, cf_p["end_cash"])
    cf = {k: (cf_c[k], cf_p[k]) for k in cf_c}
    pb = d.frac(par_p["revenue"], 0.05, 0.2)
    pcf_p = _cashflow(d, par_p, d.frac(par_p["revenue"], 1.02, 1.12), pb)
    pcf_c = _cashflow(d, par_c, d.frac(par_c["revenue"], 1.02, 1.12), pcf_p["end_cash"])
    pcf = {k: (pcf_c[k], pcf_p[k]) for k in pcf_c}

    shares = rng.randrange(80, 2000) * 1_000_000
    eps = tuple((inc[k2][i] / shares).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                for i, k2 in ((0, "attrib"), (1, "attrib")))

    rnd = inc["rnd"]
    notes = {
        "selling": _breakdown(d, "selling", inc["selling"], None),
        "admin": _breakdown(d, "admin", inc["admin"], None if v.rnd_line else rnd),
        "rnd": _breakdown(d, "rnd", rnd, None),
    }
    rnd_input: dict[str, Pair] | None = None
    if v.language == "zh-Hans":
        cap = tuple(d.frac(rnd[i], 0.1, 0.6) if rng.random() < 0.6 else ZERO for i in (0, 1))
        rnd_input = {"expensed": rnd, "capitalised": (cap[0], cap[1]),
                     "total": (rnd[0] + cap[0], rnd[1] + cap[1])}

    seg_w = [rng.uniform(1, 3), rng.uniform(0.3, 1.2), rng.uniform(0.05, 0.2)]
    seg_c, seg_p = d.split(rev_c, seg_w), d.split(rev_p, [x * d.u(0.9, 1.1) for x in seg_w])
    segments = [(k, (a, b)) for k, a, b in zip(["products", "services", "other"], seg_c, seg_p)]

    customers, anon, parties, sales = _parties(d, v, pool, (rev_c, rev_p))
    staff = rng.randint(300, 6000)
    return ReportData(
        variant=v, seed=seed, entity=issuer, company=company, company_en=company_en, short_name=short,
        code=code, year=v.fiscal_year, inc=inc, par=par, bs=bs, pbs=pbs, cf=cf, pcf=pcf,
        eps=(eps[0], eps[1]), shares=shares, notes=notes, rnd_input=rnd_input, segments=segments,
        customers=customers, customers_anonymised=anon, related_parties=parties, related_sales=sales,
        staff=staff, rnd_staff=(Decimal(int(staff * rng.uniform(0.08, 0.2))), Decimal(int(staff * rng.uniform(0.07, 0.18)))),
    )
